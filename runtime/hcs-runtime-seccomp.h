/* hcs-runtime-seccomp.h: config.json's linux.seccomp to a BPF program.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Compiles linux.seccomp (JSON text) with libseccomp for this machine:
 * defaultAction and defaultErrnoRet, architectures, syscalls with their
 * action, errnoRet and argument comparisons; the classic BPF program comes
 * back as bytes (struct sock_filter[]), and *@flags the seccomp() flags
 * asked for. Syscalls this machine does not know are skipped, as runc and
 * crun do. Errors name the field. */
GBytes *hcs_runtime_seccomp_compile (const char *json, guint32 *flags, GError **error);

G_END_DECLS
