/* hcs-runtime-oci.h: the OCI runtime spec's vocabulary that both sides of
 * the runtime check the same way: capability and rlimit names, mount
 * options and which sysctls a container may set. The host checks a spec
 * with these before anything is made (hcs-runtime-config.c); the helper
 * uses the same tables to apply it.
 *
 * Only GLib and libc here: the statically linked helper links this file.
 * Errors are G_FILE_ERROR_INVAL naming the field; the config translation
 * turns them into HCS_ERROR_INVALID_DATA.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "CAP_CHOWN" -> 0; -1 for a name this table does not know. */
int hcs_runtime_capability_from_name (const char *name);
/* The OCI default set (runc's and crun's): bounding, effective and
 * permitted of a process that asks for none. */
const char *const *hcs_runtime_default_capabilities (void);
/* @set, then what of @added it lacks, each name once in its first place
 * (either may be NULL): a capability set as the spec holds it. */
GStrv hcs_runtime_capabilities_union (const char *const *set, const char *const *added);

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown. */
int hcs_runtime_rlimit_from_name (const char *name);

/* What a mount's "options" ask for, parsed once. */
typedef struct {
  unsigned long flags;        /* mount(2) flags for the mount itself */
  guint64 attr_set;           /* recursive ones ("rro", "rnosuid", ...): */
  guint64 attr_clear;         /*   mount_setattr(AT_RECURSIVE) afterwards */
  unsigned long propagation;  /* MS_SHARED, MS_SLAVE, ... (| MS_REC), or 0 */
  gboolean src_nofollow;      /* a symlink source is bound as the link itself */
  char *data;                 /* the file system's own options, comma separated */
} HcsRuntimeMountOptions;

/* Parses @options of a mount of @type. For a bind mount every option must
 * be one of the generic ones; other types pass the rest to the file system
 * as data. "idmap" and "ridmap" are refused: idmapped mounts need a user
 * namespace, which hcs containers do not have. */
gboolean hcs_runtime_mount_options_parse (const char *const *options, const char *type,
                                          HcsRuntimeMountOptions *out, GError **error);
void hcs_runtime_mount_options_clear (HcsRuntimeMountOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HcsRuntimeMountOptions, hcs_runtime_mount_options_clear)

/* "private", "rslave", ... -> MS_PRIVATE, MS_SLAVE | MS_REC; 0 when unknown. */
unsigned long hcs_runtime_propagation_from_name (const char *name);

/* Namespaces the container has of its own, for the sysctl rules. */
typedef enum {
  HCS_RUNTIME_OWN_NET = 1 << 0,
  HCS_RUNTIME_OWN_IPC = 1 << 1,
  HCS_RUNTIME_OWN_UTS = 1 << 2,
} HcsRuntimeOwnNamespaces;

/* A linux.sysctl entry is applied only when its key belongs to a
 * namespace the container has of its own (net.*; kernel.shm*, kernel.msg*,
 * kernel.sem, fs.mqueue.*; kernel.hostname, kernel.domainname), and only
 * when the value is one line of printable text: anything else could reach
 * the host or write another key. */
gboolean hcs_runtime_sysctl_check (const char *key, const char *value,
                                   HcsRuntimeOwnNamespaces own, GError **error);

G_END_DECLS
