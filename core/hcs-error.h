/* hcs-error.h: the HCS_ERROR domain, hcsshim's error set on GError.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HCS_ERROR (hcs_error_quark ())
/**
 * hcs_error_quark:
 *
 * Returns: the quark of the %HCS_ERROR domain
 */
GQuark hcs_error_quark (void);

/**
 * HcsError:
 *
 * The codes follow hcsshim's `hcs` package error set; each one also has the
 * HRESULT that the Windows Host Compute Service returns for it, given by
 * hcs_error_code_to_hresult().
 */
typedef enum {
  HCS_ERROR_FAILED,                           /* E_FAIL              0x80004005 */
  HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,    /* 0xC037010E */
  HCS_ERROR_ELEMENT_NOT_FOUND,                /* 0x80070490 */
  HCS_ERROR_PROCESS_NOT_FOUND,                /* ERROR_PROC_NOT_FOUND 0x8007007F */
  HCS_ERROR_ALREADY_STOPPED,                  /* 0xC0370110 */
  HCS_ERROR_PROCESS_ALREADY_STOPPED,          /* 0x8037011F */
  HCS_ERROR_ALREADY_CLOSED,                   /* handle already closed */
  HCS_ERROR_OPERATION_PENDING,                /* 0xC0370103 */
  HCS_ERROR_TIMEOUT,                          /* 0x800705B4 ERROR_TIMEOUT */
  HCS_ERROR_INVALID_STATE,                    /* 0xC0370105 */
  HCS_ERROR_NOT_SUPPORTED,                    /* 0x80070032 */
  HCS_ERROR_INVALID_DATA,                     /* 0x8007000D */
  HCS_ERROR_INVALID_JSON,                     /* 0xC037010D */
  HCS_ERROR_UNKNOWN_MESSAGE,                  /* 0xC037010B */
  HCS_ERROR_ACCESS_DENIED,                    /* 0x80070005 */
  HCS_ERROR_UNEXPECTED_EXIT,                  /* 0xC0370106 */
  HCS_ERROR_ALREADY_EXISTS,                   /* 0x800700B7 ERROR_ALREADY_EXISTS */
  HCS_ERROR_PLUGIN,                           /* a plugin could not be loaded */
} HcsError;

/**
 * hcs_error_code_to_hresult:
 * @code: code
 *
 * Returns: the result
 */
guint32 hcs_error_code_to_hresult (HcsError code);
/**
 * hcs_error_code_to_string:
 * @code: code
 *
 * Returns: the result
 */
const char *hcs_error_code_to_string (HcsError code);

/**
 * hcs_error_is_not_exist:
 * @error: (nullable): an error
 *
 * Predicates with hcsshim's meanings (hcs/errors.go).
 *
 * Returns: whether @error says the compute system, process or element
 *   does not exist
 */
gboolean hcs_error_is_not_exist (const GError *error);
/**
 * hcs_error_is_already_stopped:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_already_stopped (const GError *error);
/**
 * hcs_error_is_already_closed:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_already_closed (const GError *error);
/**
 * hcs_error_is_pending:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_pending (const GError *error);
/**
 * hcs_error_is_timeout:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_timeout (const GError *error);
/**
 * hcs_error_is_not_supported:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_not_supported (const GError *error);
/**
 * hcs_error_is_operation_invalid_state:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_operation_invalid_state (const GError *error);
/**
 * hcs_error_is_access_denied:
 * @error: (nullable): an error
 *
 * Returns: whether it holds
 */
gboolean hcs_error_is_access_denied (const GError *error);

/**
 * hcs_set_error_from_errno: (skip)
 * @error: return location for a #GError
 * @saved_errno: the errno value
 * @format: printf() format of the message's beginning
 * @...: its arguments
 *
 * Sets @error from errno (the current value of @saved_errno) with the
 * message "@what: strerror", picking the closest HCS code (C only: a
 * variadic function).
 *
 * Returns: %FALSE, so callers can `return hcs_set_error_from_errno (...)`
 */
gboolean hcs_set_error_from_errno (GError **error, int saved_errno,
                                   const char *format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
