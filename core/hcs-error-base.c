/* hcs-error-base.c: the HCS_ERROR domain and errno's codes in it, with GLib
 * alone. libhcs builds it in (the functions are hcs-error.h's, exported as
 * ever) and so does the GLib-only library hcs-base, so that a program
 * linking GLib alone (hcsctl's front) sets errors that read as libhcs's:
 * the domain is a quark of the same name, the same in any process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-error.h"

#include <errno.h>

G_DEFINE_QUARK (hcs-error-quark, hcs_error)

static HcsError
code_from_errno (int saved_errno)
{
  switch (saved_errno)
    {
    case ENOENT:
      return HCS_ERROR_ELEMENT_NOT_FOUND;
    case ESRCH:
      return HCS_ERROR_PROCESS_NOT_FOUND;
    case EACCES:
    case EPERM:
      return HCS_ERROR_ACCESS_DENIED;
    case EEXIST:
      return HCS_ERROR_ALREADY_EXISTS;
    case EINVAL:
      return HCS_ERROR_INVALID_DATA;
    case ENOSYS:
    case EOPNOTSUPP:
      return HCS_ERROR_NOT_SUPPORTED;
    case ETIMEDOUT:
      return HCS_ERROR_TIMEOUT;
    case EBUSY:
      return HCS_ERROR_INVALID_STATE;
    default:
      return HCS_ERROR_FAILED;
    }
}

gboolean
hcs_set_error_from_errno (GError **error, int saved_errno, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, HCS_ERROR, code_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
  return FALSE;
}
