/* hcs-error.c: the HCS_ERROR domain's codes and predicates; the domain
 * itself and hcs_set_error_from_errno() are hcs-error-base.c's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-error.h"

#include <gio/gio.h>

typedef struct {
  HcsError code;
  guint32 hresult;
  const char *name;
} HcsErrorInfo;

static const HcsErrorInfo error_table[] = {
  { HCS_ERROR_FAILED, 0x80004005, "failed" },
  { HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST, 0xC037010E, "compute-system-does-not-exist" },
  { HCS_ERROR_ELEMENT_NOT_FOUND, 0x80070490, "element-not-found" },
  { HCS_ERROR_PROCESS_NOT_FOUND, 0x8007007F, "process-not-found" },
  { HCS_ERROR_ALREADY_STOPPED, 0xC0370110, "already-stopped" },
  { HCS_ERROR_PROCESS_ALREADY_STOPPED, 0x8037011F, "process-already-stopped" },
  { HCS_ERROR_ALREADY_CLOSED, 0x80070006, "already-closed" },
  { HCS_ERROR_OPERATION_PENDING, 0xC0370103, "operation-pending" },
  { HCS_ERROR_TIMEOUT, 0x800705B4, "timeout" },
  { HCS_ERROR_INVALID_STATE, 0xC0370105, "invalid-state" },
  { HCS_ERROR_NOT_SUPPORTED, 0x80070032, "not-supported" },
  { HCS_ERROR_INVALID_DATA, 0x8007000D, "invalid-data" },
  { HCS_ERROR_INVALID_JSON, 0xC037010D, "invalid-json" },
  { HCS_ERROR_UNKNOWN_MESSAGE, 0xC037010B, "unknown-message" },
  { HCS_ERROR_ACCESS_DENIED, 0x80070005, "access-denied" },
  { HCS_ERROR_UNEXPECTED_EXIT, 0xC0370106, "unexpected-exit" },
  { HCS_ERROR_ALREADY_EXISTS, 0x800700B7, "already-exists" },
  { HCS_ERROR_PLUGIN, 0x80004005, "plugin" },
};

static const HcsErrorInfo *
lookup_code (HcsError code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].code == code)
      return &error_table[i];
  return &error_table[0];
}

guint32
hcs_error_code_to_hresult (HcsError code)
{
  return lookup_code (code)->hresult;
}

const char *
hcs_error_code_to_string (HcsError code)
{
  return lookup_code (code)->name;
}

static gboolean
error_has_code (const GError *error, HcsError code)
{
  return error != NULL && error->domain == HCS_ERROR && error->code == (int) code;
}

gboolean
hcs_error_is_not_exist (const GError *error)
{
  return error_has_code (error, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST) ||
         error_has_code (error, HCS_ERROR_ELEMENT_NOT_FOUND) ||
         error_has_code (error, HCS_ERROR_PROCESS_NOT_FOUND);
}

gboolean
hcs_error_is_already_stopped (const GError *error)
{
  return error_has_code (error, HCS_ERROR_ALREADY_STOPPED) ||
         error_has_code (error, HCS_ERROR_PROCESS_ALREADY_STOPPED) ||
         error_has_code (error, HCS_ERROR_ELEMENT_NOT_FOUND);
}

gboolean
hcs_error_is_already_closed (const GError *error)
{
  return error_has_code (error, HCS_ERROR_ALREADY_CLOSED);
}

gboolean
hcs_error_is_pending (const GError *error)
{
  return error_has_code (error, HCS_ERROR_OPERATION_PENDING);
}

gboolean
hcs_error_is_timeout (const GError *error)
{
  return error_has_code (error, HCS_ERROR_TIMEOUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* hcsshim counts a document the service could not understand as "not
 * supported": invalid JSON, invalid data and unknown messages. */
gboolean
hcs_error_is_not_supported (const GError *error)
{
  return error_has_code (error, HCS_ERROR_NOT_SUPPORTED) ||
         error_has_code (error, HCS_ERROR_INVALID_JSON) ||
         error_has_code (error, HCS_ERROR_INVALID_DATA) ||
         error_has_code (error, HCS_ERROR_UNKNOWN_MESSAGE);
}

gboolean
hcs_error_is_operation_invalid_state (const GError *error)
{
  return error_has_code (error, HCS_ERROR_INVALID_STATE);
}

gboolean
hcs_error_is_access_denied (const GError *error)
{
  return error_has_code (error, HCS_ERROR_ACCESS_DENIED);
}
