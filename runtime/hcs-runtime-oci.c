/* hcs-runtime-oci.c: capability and rlimit names, mount options, sysctl rules.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-oci.h"

#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

/* In the kernel's order: the index is the capability's number. */
static const char *const capability_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
  "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
  "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
  "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
  "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON",
  "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static const char *const default_capabilities[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

int
hcs_runtime_capability_from_name (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (capability_names); i++)
    if (g_ascii_strcasecmp (name, capability_names[i]) == 0)
      return (int) i;
  return -1;
}

const char *const *
hcs_runtime_default_capabilities (void)
{
  return default_capabilities;
}

GStrv
hcs_runtime_capabilities_union (const char *const *set, const char *const *added)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GPtrArray) seen = g_ptr_array_new ();
  const char *const *lists[] = { set, added };

  for (gsize l = 0; l < G_N_ELEMENTS (lists); l++)
    for (const char *const *p = lists[l]; p && *p; p++)
      if (!g_ptr_array_find_with_equal_func (seen, *p, g_str_equal, NULL))
        {
          g_ptr_array_add (seen, (gpointer) *p);
          g_strv_builder_add (builder, *p);
        }
  /* Never NULL: an empty set is one. */
  return g_strv_builder_end (builder);
}

static const struct {
  const char *name;
  int resource;
} rlimits[] = {
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
  { "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

int
hcs_runtime_rlimit_from_name (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (rlimits); i++)
    if (g_str_equal (name, rlimits[i].name))
      return rlimits[i].resource;
  return -1;
}

/* --- mount options ------------------------------------------------------------ */

typedef struct {
  const char *name;
  gboolean clear;
  unsigned long flag;
} MountFlag;

static const MountFlag mount_flags[] = {
  { "defaults", FALSE, 0 },
  { "ro", FALSE, MS_RDONLY },         { "rw", TRUE, MS_RDONLY },
  { "nosuid", FALSE, MS_NOSUID },     { "suid", TRUE, MS_NOSUID },
  { "nodev", FALSE, MS_NODEV },       { "dev", TRUE, MS_NODEV },
  { "noexec", FALSE, MS_NOEXEC },     { "exec", TRUE, MS_NOEXEC },
  { "sync", FALSE, MS_SYNCHRONOUS },  { "async", TRUE, MS_SYNCHRONOUS },
  { "dirsync", FALSE, MS_DIRSYNC },
  { "remount", FALSE, MS_REMOUNT },
  { "mand", FALSE, MS_MANDLOCK },     { "nomand", TRUE, MS_MANDLOCK },
  { "noatime", FALSE, MS_NOATIME },   { "atime", TRUE, MS_NOATIME },
  { "relatime", FALSE, MS_RELATIME }, { "norelatime", TRUE, MS_RELATIME },
  { "strictatime", FALSE, MS_STRICTATIME }, { "nostrictatime", TRUE, MS_STRICTATIME },
  { "nodiratime", FALSE, MS_NODIRATIME }, { "diratime", TRUE, MS_NODIRATIME },
  { "iversion", FALSE, MS_I_VERSION }, { "noiversion", TRUE, MS_I_VERSION },
  { "lazytime", FALSE, MS_LAZYTIME }, { "nolazytime", TRUE, MS_LAZYTIME },
  { "silent", FALSE, MS_SILENT },     { "loud", TRUE, MS_SILENT },
  { "nosymfollow", FALSE, MS_NOSYMFOLLOW }, { "symfollow", TRUE, MS_NOSYMFOLLOW },
  { "bind", FALSE, MS_BIND },         { "rbind", FALSE, MS_BIND | MS_REC },
};

/* Applied to the whole tree with mount_setattr(AT_RECURSIVE) (Linux 5.12),
 * as runc and crun do. */
static const struct {
  const char *name;
  gboolean clear;
  guint64 attr;
} recursive_flags[] = {
  { "rro", FALSE, MOUNT_ATTR_RDONLY },        { "rrw", TRUE, MOUNT_ATTR_RDONLY },
  { "rnosuid", FALSE, MOUNT_ATTR_NOSUID },    { "rsuid", TRUE, MOUNT_ATTR_NOSUID },
  { "rnodev", FALSE, MOUNT_ATTR_NODEV },      { "rdev", TRUE, MOUNT_ATTR_NODEV },
  { "rnoexec", FALSE, MOUNT_ATTR_NOEXEC },    { "rexec", TRUE, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", FALSE, MOUNT_ATTR_NODIRATIME }, { "rdiratime", TRUE, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", FALSE, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", TRUE, MOUNT_ATTR_NOSYMFOLLOW },
};

/* The atime modes are one field: setting one clears the others. */
static const struct {
  const char *name;
  guint64 attr;
} recursive_atime[] = {
  { "rnoatime", MOUNT_ATTR_NOATIME },   { "ratime", MOUNT_ATTR_RELATIME },
  { "rrelatime", MOUNT_ATTR_RELATIME }, { "rnorelatime", MOUNT_ATTR_STRICTATIME },
  { "rstrictatime", MOUNT_ATTR_STRICTATIME },
};

static const struct {
  const char *name;
  unsigned long flags;
} propagations[] = {
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

unsigned long
hcs_runtime_propagation_from_name (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (propagations); i++)
    if (g_str_equal (name, propagations[i].name))
      return propagations[i].flags;
  return 0;
}

void
hcs_runtime_mount_options_clear (HcsRuntimeMountOptions *options)
{
  g_clear_pointer (&options->data, g_free);
  memset (options, 0, sizeof *options);
}

gboolean
hcs_runtime_mount_options_parse (const char *const *options, const char *type,
                                 HcsRuntimeMountOptions *out, GError **error)
{
  g_autoptr (GString) data = g_string_new (NULL);
  gboolean bind = type == NULL || g_str_equal (type, "bind");

  memset (out, 0, sizeof *out);
  /* Bind is told by its options as often as by its type (runc's rule). */
  for (guint i = 0; options && options[i]; i++)
    if (g_str_equal (options[i], "bind") || g_str_equal (options[i], "rbind"))
      bind = TRUE;

  for (guint i = 0; options && options[i]; i++)
    {
      const char *option = options[i];
      gboolean known = FALSE;
      unsigned long propagation;

      for (gsize j = 0; j < G_N_ELEMENTS (mount_flags) && !known; j++)
        if (g_str_equal (option, mount_flags[j].name))
          {
            if (mount_flags[j].clear)
              out->flags &= ~mount_flags[j].flag;
            else
              out->flags |= mount_flags[j].flag;
            known = TRUE;
          }
      for (gsize j = 0; j < G_N_ELEMENTS (recursive_flags) && !known; j++)
        if (g_str_equal (option, recursive_flags[j].name))
          {
            if (recursive_flags[j].clear)
              {
                out->attr_clear |= recursive_flags[j].attr;
                out->attr_set &= ~recursive_flags[j].attr;
              }
            else
              {
                out->attr_set |= recursive_flags[j].attr;
                out->attr_clear &= ~recursive_flags[j].attr;
              }
            known = TRUE;
          }
      for (gsize j = 0; j < G_N_ELEMENTS (recursive_atime) && !known; j++)
        if (g_str_equal (option, recursive_atime[j].name))
          {
            out->attr_set = (out->attr_set & ~(guint64) MOUNT_ATTR__ATIME) | recursive_atime[j].attr;
            out->attr_clear |= MOUNT_ATTR__ATIME;
            known = TRUE;
          }
      if (known)
        continue;
      if ((propagation = hcs_runtime_propagation_from_name (option)) != 0)
        {
          out->propagation = propagation;
          continue;
        }
      if (g_str_equal (option, "src-nofollow"))
        {
          out->src_nofollow = TRUE;
          continue;
        }
      if (g_str_equal (option, "idmap") || g_str_equal (option, "ridmap"))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "option '%s': idmapped mounts are not supported (they need a user "
                       "namespace, which hcs containers do not have)", option);
          hcs_runtime_mount_options_clear (out);
          return FALSE;
        }
      /* A file system's "key=value" on a bind mount: mount(2) ignores the
       * data of MS_BIND, and runc and crun accept it (runtime-tools binds
       * with "mode=755"); an unknown plain word is still an error, since a
       * misspelt flag would otherwise vanish. */
      if (bind && strchr (option, '=') != NULL && *option != '=' &&
          strchr (option, ',') == NULL)
        continue;
      if (bind || *option == '\0' || strchr (option, ',') != NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "option '%s': unknown%s", option,
                       bind ? " for a bind mount" : "");
          hcs_runtime_mount_options_clear (out);
          return FALSE;
        }
      /* The file system's own ("size=64m", "mode=755"): its mount(2)
       * refuses what it does not know. */
      if (data->len > 0)
        g_string_append_c (data, ',');
      g_string_append (data, option);
    }
  if (bind)
    out->flags |= MS_BIND;
  if (out->src_nofollow && !bind)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "option 'src-nofollow': only for a bind mount");
      hcs_runtime_mount_options_clear (out);
      return FALSE;
    }
  out->data = data->len > 0 ? g_string_free (g_steal_pointer (&data), FALSE) : NULL;
  return TRUE;
}

/* --- sysctl ------------------------------------------------------------------- */

gboolean
hcs_runtime_sysctl_check (const char *key, const char *value, HcsRuntimeOwnNamespaces own,
                          GError **error)
{
  static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                          "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
  g_auto (GStrv) parts = NULL;
  HcsRuntimeOwnNamespaces needs;
  const char *what;

  if (key == NULL || *key == '\0')
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "an empty key");
      return FALSE;
    }
  /* Dots between names only: no '/', "..", or an empty part that could
   * lead elsewhere under /proc/sys. */
  parts = g_strsplit (key, ".", -1);
  for (guint i = 0; parts[i]; i++)
    {
      if (*parts[i] == '\0')
        goto bad_key;
      for (const char *p = parts[i]; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
          goto bad_key;
    }

  if (g_str_has_prefix (key, "net."))
    needs = HCS_RUNTIME_OWN_NET, what = "network";
  else if (g_strv_contains (ipc_keys, key) || g_str_has_prefix (key, "fs.mqueue."))
    needs = HCS_RUNTIME_OWN_IPC, what = "ipc";
  else if (g_str_equal (key, "kernel.hostname") || g_str_equal (key, "kernel.domainname"))
    needs = HCS_RUNTIME_OWN_UTS, what = "uts";
  else
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "'%s': not a namespaced sysctl (it would change the host)", key);
      return FALSE;
    }
  if (!(own & needs))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "'%s': the container shares the host's %s namespace", key, what);
      return FALSE;
    }

  /* One line of text: a newline (or any control character but a tab, which
   * some take between numbers) could be read as a second write. */
  for (const char *p = value ? value : ""; *p; p++)
    if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     "'%s': the value has a control character (0x%02x)", key, (guchar) *p);
        return FALSE;
      }
  return TRUE;

bad_key:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "'%s': not a sysctl name (letters, digits, '_' and '-' between dots)", key);
  return FALSE;
}
