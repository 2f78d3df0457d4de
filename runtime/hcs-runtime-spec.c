/* hcs-runtime-spec.c: the container spec, its serialised form and back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-spec.h"
#include "hcs-gate.h"

#include <string.h>

HcsRuntimeSpec *
hcs_runtime_spec_new (const char *id)
{
  HcsRuntimeSpec *spec = g_new0 (HcsRuntimeSpec, 1);

  spec->id = g_strdup (id);
  spec->net = g_strdup ("new");
  spec->uts = g_strdup ("new");
  spec->ipc = g_strdup ("new");
  spec->pid_ns = g_strdup ("new");
  spec->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_runtime_mount_free);
  return spec;
}

void
hcs_runtime_spec_free (HcsRuntimeSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->id);
  g_free (spec->rootfs);
  g_strfreev (spec->overlay_lower);
  g_free (spec->overlay_upper);
  g_free (spec->overlay_work);
  g_free (spec->hostname);
  g_free (spec->net);
  g_free (spec->uts);
  g_free (spec->ipc);
  g_ptr_array_unref (spec->mounts);
  g_strfreev (spec->masked_paths);
  g_strfreev (spec->readonly_paths);
  g_strfreev (spec->cgroup_procs);
  hcs_runtime_process_free (spec->process);
  g_free (spec->start_fifo);
  for (guint kind = 0; kind < HCS_RUNTIME_HOOK_N_KINDS; kind++)
    g_clear_pointer (&spec->hooks[kind], g_ptr_array_unref);
  g_free (spec->hook_state);
  g_free (spec->pid_ns);
  g_free (spec->cgroup_ns);
  g_free (spec->time_ns);
  g_free (spec->user_ns);
  g_free (spec->mnt_ns);
  g_free (spec->uid_map);
  g_free (spec->gid_map);
  g_free (spec->oci_resources);
  g_clear_pointer (&spec->devices, g_ptr_array_unref);
  g_clear_pointer (&spec->seccomp_program, g_bytes_unref);
  g_free (spec->domainname);
  g_strfreev (spec->sysctl);
  g_free (spec->rootfs_propagation);
  g_free (spec);
}

void
hcs_runtime_device_free (HcsRuntimeDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->path);
  g_free (device);
}

const char *
hcs_runtime_hook_kind_name (HcsRuntimeHookKind kind)
{
  static const char *const names[] = { "prestart", "createRuntime", "createContainer",
                                       "startContainer" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == HCS_RUNTIME_HOOK_N_KINDS);
  return kind < HCS_RUNTIME_HOOK_N_KINDS ? names[kind] : NULL;
}

HcsRuntimeHook *
hcs_runtime_hook_new (const char *path, const char *const *args, const char *const *env,
                      gint64 timeout)
{
  HcsRuntimeHook *hook = g_new0 (HcsRuntimeHook, 1);

  hook->path = g_strdup (path);
  hook->args = g_strdupv ((char **) args);
  hook->env = g_strdupv ((char **) env);
  hook->timeout = timeout;
  return hook;
}

void
hcs_runtime_hook_free (HcsRuntimeHook *hook)
{
  if (hook == NULL)
    return;
  g_free (hook->path);
  g_strfreev (hook->args);
  g_strfreev (hook->env);
  g_free (hook);
}

HcsRuntimeMount *
hcs_runtime_mount_new (const char *destination, const char *type, const char *source,
                       const char *const *options)
{
  HcsRuntimeMount *mount = g_new0 (HcsRuntimeMount, 1);
  const char *const empty[] = { NULL };

  mount->destination = g_strdup (destination);
  mount->type = g_strdup (type ? type : "bind");
  mount->source = g_strdup (source ? source : "none");
  mount->options = g_strdupv ((char **) (options ? options : empty));
  return mount;
}

void
hcs_runtime_mount_free (HcsRuntimeMount *mount)
{
  if (mount == NULL)
    return;
  g_free (mount->destination);
  g_free (mount->type);
  g_free (mount->source);
  g_strfreev (mount->options);
  g_free (mount);
}

HcsRuntimeMount *
hcs_runtime_mount_new_for_oci (const char *destination, const char *type, const char *source,
                               const char *const *options)
{
  static const char *const made_by_helper[] = {
    "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", NULL,
  };

  if (g_strv_contains (made_by_helper, destination))
    return NULL;
  if (g_strcmp0 (type, "cgroup") == 0 || g_strcmp0 (type, "cgroup2") == 0)
    return hcs_runtime_mount_new (destination, HCS_RUNTIME_CGROUP_PLACEHOLDER, NULL, NULL);
  return hcs_runtime_mount_new (destination, type, source, options);
}

GStrv
hcs_runtime_env_with_defaults (const char *const *env, gboolean terminal)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  gboolean has_path = FALSE, has_term = FALSE;

  for (guint i = 0; env && env[i]; i++)
    {
      has_path |= g_str_has_prefix (env[i], "PATH=");
      has_term |= g_str_has_prefix (env[i], "TERM=");
      g_strv_builder_add (builder, env[i]);
    }
  if (!has_path)
    g_strv_builder_add (builder, HCS_GATE_DEFAULT_PATH);
  if (!has_term && terminal)
    g_strv_builder_add (builder, "TERM=xterm");
  return g_strv_builder_end (builder);
}

const char *
hcs_runtime_spec_needs_mount_namespace (const HcsRuntimeSpec *spec)
{
  if (g_strcmp0 (spec->mnt_ns, "host") != 0)
    return NULL;
  if (spec->overlay_lower != NULL)
    return "root (a layered root is an overlay mount)";
  if (spec->rootfs_readonly)
    return "root.readonly";
  if (spec->rootfs_propagation != NULL)
    return "linux.rootfsPropagation";
  if (spec->devices != NULL && spec->devices->len > 0)
    return "linux.devices (made in a /dev of the container's own)";
  if (spec->process != NULL && spec->process->terminal)
    return "process.terminal (a pty of the container's own devpts)";
  return NULL;
}

HcsRuntimeProcess *
hcs_runtime_process_new (void)
{
  HcsRuntimeProcess *process = g_new0 (HcsRuntimeProcess, 1);

  process->no_new_privileges = TRUE;
  process->seccomp = TRUE;
  process->umask = -1;
  return process;
}

void
hcs_runtime_spec_inherit_seccomp (HcsRuntimeSpec *exec, const HcsRuntimeSpec *container)
{
  g_clear_pointer (&exec->seccomp_program, g_bytes_unref);
  exec->seccomp_program = container->seccomp_program ? g_bytes_ref (container->seccomp_program)
                                                     : NULL;
  exec->seccomp_flags = container->seccomp_flags;
}

HcsRuntimeProcess *
hcs_runtime_process_new_with_defaults (const char *const *args, const char *const *env,
                                       gboolean terminal, const char *cwd, const char *user)
{
  HcsRuntimeProcess *process = hcs_runtime_process_new ();

  process->args = g_strdupv ((char **) args);
  process->env = hcs_runtime_env_with_defaults (env, terminal);
  process->cwd = g_strdup (cwd && *cwd ? cwd : "/");
  process->user = g_strdup (user && *user ? user : "0:0");
  process->terminal = terminal;
  return process;
}

void
hcs_runtime_process_free (HcsRuntimeProcess *process)
{
  if (process == NULL)
    return;
  g_strfreev (process->args);
  g_strfreev (process->env);
  g_free (process->cwd);
  g_free (process->user);
  g_strfreev (process->cap_bounding);
  g_strfreev (process->cap_effective);
  g_strfreev (process->cap_permitted);
  g_strfreev (process->cap_inheritable);
  g_strfreev (process->cap_ambient);
  g_clear_pointer (&process->rlimits, g_array_unref);
  g_clear_pointer (&process->additional_gids, g_array_unref);
  g_free (process->apparmor_profile);
  g_free (process->selinux_label);
  g_free (process);
}

HcsRuntimeProcess *
hcs_runtime_process_copy (const HcsRuntimeProcess *process)
{
  HcsRuntimeProcess *copy = g_memdup2 (process, sizeof *process);

  copy->args = g_strdupv (process->args);
  copy->env = g_strdupv (process->env);
  copy->cwd = g_strdup (process->cwd);
  copy->user = g_strdup (process->user);
  copy->cap_bounding = g_strdupv (process->cap_bounding);
  copy->cap_effective = g_strdupv (process->cap_effective);
  copy->cap_permitted = g_strdupv (process->cap_permitted);
  copy->cap_inheritable = g_strdupv (process->cap_inheritable);
  copy->cap_ambient = g_strdupv (process->cap_ambient);
  copy->rlimits = NULL;
  if (process->rlimits != NULL)
    {
      copy->rlimits = g_array_copy (process->rlimits);
      g_array_set_clear_func (copy->rlimits, hcs_runtime_rlimit_clear);
      for (guint i = 0; i < copy->rlimits->len; i++)
        {
          HcsRuntimeRlimit *rlimit = &g_array_index (copy->rlimits, HcsRuntimeRlimit, i);
          rlimit->type = g_strdup (rlimit->type);
        }
    }
  copy->additional_gids = process->additional_gids ? g_array_copy (process->additional_gids)
                                                   : NULL;
  copy->apparmor_profile = g_strdup (process->apparmor_profile);
  copy->selinux_label = g_strdup (process->selinux_label);
  return copy;
}

void
hcs_runtime_rlimit_clear (gpointer data)
{
  HcsRuntimeRlimit *rlimit = data;

  g_clear_pointer (&rlimit->type, g_free);
}

/* --- serialising ------------------------------------------------------------ */

static void
add_string (GVariantBuilder *dict, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (dict, "{sv}", key, g_variant_new_string (value));
}

static void
add_strv (GVariantBuilder *dict, const char *key, const char *const *strings)
{
  if (strings != NULL)
    g_variant_builder_add (dict, "{sv}", key, g_variant_new_strv (strings, -1));
}

static void
add_boolean (GVariantBuilder *dict, const char *key, gboolean value)
{
  /* Absent reads as FALSE. */
  if (value)
    g_variant_builder_add (dict, "{sv}", key, g_variant_new_boolean (TRUE));
}

static void
add_int (GVariantBuilder *dict, const char *key, gint64 value)
{
  if (value != 0)
    g_variant_builder_add (dict, "{sv}", key, g_variant_new_int64 (value));
}

static void
serialize_oci_process (GVariantBuilder *dict, const HcsRuntimeProcess *process)
{
  if (process->capabilities_given)
    {
      GVariantBuilder sets;
      const char *const empty[] = { NULL };
#define ADD_SET(name, field) \
  g_variant_builder_add (&sets, "{sv}", name, \
                         g_variant_new_strv ((const char *const *) (process->field \
                                                                        ? process->field \
                                                                        : (GStrv) empty), -1))

      g_variant_builder_init (&sets, G_VARIANT_TYPE_VARDICT);
      ADD_SET ("bounding", cap_bounding);
      ADD_SET ("effective", cap_effective);
      ADD_SET ("permitted", cap_permitted);
      ADD_SET ("inheritable", cap_inheritable);
      ADD_SET ("ambient", cap_ambient);
#undef ADD_SET
      g_variant_builder_add (dict, "{sv}", "capabilities", g_variant_builder_end (&sets));
    }
  if (process->rlimits != NULL && process->rlimits->len > 0)
    {
      GVariantBuilder rlimits;

      g_variant_builder_init (&rlimits, G_VARIANT_TYPE ("a(stt)"));
      for (guint i = 0; i < process->rlimits->len; i++)
        {
          const HcsRuntimeRlimit *rlimit = &g_array_index (process->rlimits, HcsRuntimeRlimit, i);
          g_variant_builder_add (&rlimits, "(stt)", rlimit->type, rlimit->soft, rlimit->hard);
        }
      g_variant_builder_add (dict, "{sv}", "rlimits", g_variant_builder_end (&rlimits));
    }
  if (process->additional_gids != NULL && process->additional_gids->len > 0)
    g_variant_builder_add (dict, "{sv}", "additional_gids",
                           g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32,
                                                      process->additional_gids->data,
                                                      process->additional_gids->len,
                                                      sizeof (guint32)));
  /* 0 is a value for both: written whenever set. */
  if (process->umask >= 0)
    g_variant_builder_add (dict, "{sv}", "umask", g_variant_new_int64 (process->umask));
  if (process->has_oom_score_adj)
    g_variant_builder_add (dict, "{sv}", "oom_score_adj",
                           g_variant_new_int64 (process->oom_score_adj));
  add_string (dict, "apparmor_profile", process->apparmor_profile);
  add_string (dict, "selinux_label", process->selinux_label);
}

static GVariant *
serialize_process (const HcsRuntimeProcess *process)
{
  GVariantBuilder dict;

  g_variant_builder_init (&dict, G_VARIANT_TYPE_VARDICT);
  add_strv (&dict, "args", (const char *const *) process->args);
  add_strv (&dict, "env", (const char *const *) process->env);
  add_string (&dict, "cwd", process->cwd);
  add_string (&dict, "user", process->user);
  add_boolean (&dict, "terminal", process->terminal);
  /* Both default to TRUE on the reading side: always written. */
  g_variant_builder_add (&dict, "{sv}", "no_new_privileges",
                         g_variant_new_boolean (process->no_new_privileges));
  g_variant_builder_add (&dict, "{sv}", "seccomp", g_variant_new_boolean (process->seccomp));
  serialize_oci_process (&dict, process);
  return g_variant_builder_end (&dict);
}

static GVariant *
serialize_resources (const HcsRuntimeResources *resources)
{
  GVariantBuilder dict;

  g_variant_builder_init (&dict, G_VARIANT_TYPE_VARDICT);
  add_int (&dict, "memory_maximum_in_mb", resources->memory_maximum_in_mb);
  add_int (&dict, "processor_count", resources->processor_count);
  add_int (&dict, "processor_weight", resources->processor_weight);
  add_int (&dict, "processor_maximum", resources->processor_maximum);
  add_int (&dict, "storage_iops_maximum", resources->storage_iops_maximum);
  add_int (&dict, "storage_bandwidth_maximum", resources->storage_bandwidth_maximum);
  add_int (&dict, "pids_maximum", resources->pids_maximum);
  return g_variant_builder_end (&dict);
}

static void
serialize_hooks (GVariantBuilder *dict, const HcsRuntimeSpec *spec)
{
  GVariantBuilder hooks;
  gboolean any = FALSE;

  g_variant_builder_init (&hooks, G_VARIANT_TYPE_VARDICT);
  for (guint kind = 0; kind < HCS_RUNTIME_HOOK_N_KINDS; kind++)
    {
      GVariantBuilder list;

      if (spec->hooks[kind] == NULL || spec->hooks[kind]->len == 0)
        continue;
      g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < spec->hooks[kind]->len; i++)
        {
          const HcsRuntimeHook *hook = spec->hooks[kind]->pdata[i];
          GVariantBuilder element;

          g_variant_builder_init (&element, G_VARIANT_TYPE_VARDICT);
          add_string (&element, "path", hook->path);
          add_strv (&element, "args", (const char *const *) hook->args);
          add_strv (&element, "env", (const char *const *) hook->env);
          add_int (&element, "timeout", hook->timeout);
          g_variant_builder_add_value (&list, g_variant_builder_end (&element));
        }
      g_variant_builder_add (&hooks, "{sv}", hcs_runtime_hook_kind_name (kind),
                             g_variant_builder_end (&list));
      any = TRUE;
    }
  if (any)
    g_variant_builder_add (dict, "{sv}", "hooks", g_variant_builder_end (&hooks));
  else
    g_variant_builder_clear (&hooks);
}

GBytes *
hcs_runtime_spec_serialize (const HcsRuntimeSpec *spec)
{
  const HcsRuntimeResources no_resources = { 0 };
  g_autoptr (GVariant) root = NULL;
  GVariantBuilder dict;

  g_variant_builder_init (&dict, G_VARIANT_TYPE_VARDICT);
  add_string (&dict, "id", spec->id);
  add_string (&dict, "rootfs", spec->rootfs);
  add_boolean (&dict, "rootfs_readonly", spec->rootfs_readonly);
  if (spec->overlay_lower != NULL)
    {
      GVariantBuilder overlay;

      g_variant_builder_init (&overlay, G_VARIANT_TYPE_VARDICT);
      add_strv (&overlay, "lower", (const char *const *) spec->overlay_lower);
      add_string (&overlay, "upper", spec->overlay_upper);
      add_string (&overlay, "work", spec->overlay_work);
      g_variant_builder_add (&dict, "{sv}", "overlay", g_variant_builder_end (&overlay));
    }
  add_string (&dict, "hostname", spec->hostname);
  {
    GVariantBuilder namespaces;

    g_variant_builder_init (&namespaces, G_VARIANT_TYPE_VARDICT);
    add_string (&namespaces, "net", spec->net);
    add_string (&namespaces, "uts", spec->uts);
    add_string (&namespaces, "ipc", spec->ipc);
    add_string (&namespaces, "pid", spec->pid_ns);
    add_string (&namespaces, "cgroup", spec->cgroup_ns);
    add_string (&namespaces, "time", spec->time_ns);
    add_string (&namespaces, "user", spec->user_ns);
    add_string (&namespaces, "mnt", spec->mnt_ns);
    g_variant_builder_add (&dict, "{sv}", "namespaces", g_variant_builder_end (&namespaces));
  }
  if (spec->mounts->len > 0)
    {
      GVariantBuilder mounts;

      g_variant_builder_init (&mounts, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < spec->mounts->len; i++)
        {
          const HcsRuntimeMount *mount = spec->mounts->pdata[i];
          GVariantBuilder element;

          g_variant_builder_init (&element, G_VARIANT_TYPE_VARDICT);
          add_string (&element, "destination", mount->destination);
          add_string (&element, "type", mount->type);
          add_string (&element, "source", mount->source);
          add_strv (&element, "options", (const char *const *) mount->options);
          g_variant_builder_add_value (&mounts, g_variant_builder_end (&element));
        }
      g_variant_builder_add (&dict, "{sv}", "mounts", g_variant_builder_end (&mounts));
    }
  add_strv (&dict, "masked_paths", (const char *const *) spec->masked_paths);
  add_strv (&dict, "readonly_paths", (const char *const *) spec->readonly_paths);
  if (memcmp (&spec->resources, &no_resources, sizeof no_resources) != 0)
    g_variant_builder_add (&dict, "{sv}", "resources", serialize_resources (&spec->resources));
  add_strv (&dict, "cgroup_procs", (const char *const *) spec->cgroup_procs);
  add_int (&dict, "pid", spec->pid);
  if (spec->process != NULL)
    g_variant_builder_add (&dict, "{sv}", "process", serialize_process (spec->process));
  add_int (&dict, "console_width", spec->console_width);
  add_int (&dict, "console_height", spec->console_height);
  add_boolean (&dict, "detach", spec->detach);
  add_boolean (&dict, "die_with_parent", spec->die_with_parent);
  add_string (&dict, "start_fifo", spec->start_fifo);
  add_boolean (&dict, "report_cloned", spec->report_cloned);
  serialize_hooks (&dict, spec);
  add_string (&dict, "hook_state", spec->hook_state);
  add_string (&dict, "uid_map", spec->uid_map);
  add_string (&dict, "gid_map", spec->gid_map);
  add_string (&dict, "oci_resources", spec->oci_resources);
  if (spec->seccomp_program != NULL)
    g_variant_builder_add (&dict, "{sv}", "seccomp_program",
                           g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                     spec->seccomp_program, TRUE));
  add_int (&dict, "seccomp_flags", spec->seccomp_flags);
  if (spec->devices != NULL && spec->devices->len > 0)
    {
      GVariantBuilder devices;

      g_variant_builder_init (&devices, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < spec->devices->len; i++)
        {
          const HcsRuntimeDevice *device = spec->devices->pdata[i];
          GVariantBuilder element;
          char type[2] = { device->type, '\0' };

          g_variant_builder_init (&element, G_VARIANT_TYPE_VARDICT);
          add_string (&element, "path", device->path);
          add_string (&element, "type", type);
          add_int (&element, "major", device->major);
          add_int (&element, "minor", device->minor);
          add_int (&element, "mode", device->mode);
          add_int (&element, "uid", device->uid);
          add_int (&element, "gid", device->gid);
          g_variant_builder_add_value (&devices, g_variant_builder_end (&element));
        }
      g_variant_builder_add (&dict, "{sv}", "devices", g_variant_builder_end (&devices));
    }
  add_string (&dict, "domainname", spec->domainname);
  add_strv (&dict, "sysctl", (const char *const *) spec->sysctl);
  add_string (&dict, "rootfs_propagation", spec->rootfs_propagation);
  root = g_variant_ref_sink (g_variant_builder_end (&dict));
  return g_variant_get_data_as_bytes (root);
}

/* --- reading it back -------------------------------------------------------------- */

/* The members of the vardict @dict by name, read in one pass: where
 * g_variant_lookup_value() walks the whole dictionary for each name (with
 * a format string parsed per entry), the ~60 lookups of a 1 KB spec took
 * 0.1 ms of every helper's start, a fifth of that in one pass. The first
 * of a repeated name counts, as with a lookup. */
static GHashTable *
spec_members (GVariant *dict)
{
  GHashTable *members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_variant_unref);
  gsize n = g_variant_n_children (dict);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) entry = g_variant_get_child_value (dict, i);
      g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr (GVariant) boxed = g_variant_get_child_value (entry, 1);
      const char *name = g_variant_get_string (key, NULL);

      if (!g_hash_table_contains (members, name))
        g_hash_table_insert (members, g_strdup (name), g_variant_get_variant (boxed));
    }
  return members;
}

/* Looks @name up in @dict (spec_members()); absent is fine, another type
 * is an error naming the member. */
static GVariant *
spec_member (GHashTable *dict, const char *where, const char *name, const GVariantType *type,
             GError **error)
{
  GVariant *found = g_hash_table_lookup (dict, name);
  g_autoptr (GVariant) value = found != NULL ? g_variant_ref (found) : NULL;

  if (value == NULL)
    return NULL;
  if (!g_variant_is_of_type (value, type))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "spec: %s%s: expected type %s, got %s",
                   where, name, (const char *) type, g_variant_get_type_string (value));
      return NULL;
    }
  return g_steal_pointer (&value);
}

static gboolean
spec_string (GHashTable *dict, const char *where, const char *name, char **out, GError **error)
{
  g_autoptr (GVariant) value = spec_member (dict, where, name, G_VARIANT_TYPE_STRING, error);

  if (value != NULL)
    {
      g_free (*out);
      *out = g_variant_dup_string (value, NULL);
    }
  return *error == NULL;
}

static gboolean
spec_boolean (GHashTable *dict, const char *where, const char *name, gboolean *out,
              GError **error)
{
  g_autoptr (GVariant) value = spec_member (dict, where, name, G_VARIANT_TYPE_BOOLEAN, error);

  if (value != NULL)
    *out = g_variant_get_boolean (value);
  return *error == NULL;
}

static gboolean
spec_int (GHashTable *dict, const char *where, const char *name, gint64 *out, GError **error)
{
  g_autoptr (GVariant) value = spec_member (dict, where, name, G_VARIANT_TYPE_INT64, error);

  if (value != NULL)
    *out = g_variant_get_int64 (value);
  return *error == NULL;
}

static gboolean
spec_strv (GHashTable *dict, const char *where, const char *name, GStrv *out, GError **error)
{
  g_autoptr (GVariant) value = spec_member (dict, where, name, G_VARIANT_TYPE_STRING_ARRAY,
                                            error);

  if (value != NULL)
    {
      g_strfreev (*out);
      *out = g_variant_dup_strv (value, NULL);
    }
  return *error == NULL;
}

static gboolean
deserialize_overlay (GVariant *dict, HcsRuntimeSpec *spec, GError **error)
{
  g_autoptr (GHashTable) overlay = spec_members (dict);

  if (!spec_strv (overlay, "overlay.", "lower", &spec->overlay_lower, error) ||
      !spec_string (overlay, "overlay.", "upper", &spec->overlay_upper, error) ||
      !spec_string (overlay, "overlay.", "work", &spec->overlay_work, error))
    return FALSE;
  if (spec->overlay_lower == NULL || spec->overlay_lower[0] == NULL ||
      spec->overlay_upper == NULL || spec->overlay_work == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "spec: overlay: needs lower, upper and work");
      return FALSE;
    }
  return TRUE;
}

static gboolean
deserialize_namespaces (GVariant *dict, HcsRuntimeSpec *spec, GError **error)
{
  g_autoptr (GHashTable) namespaces = spec_members (dict);

  return spec_string (namespaces, "namespaces.", "net", &spec->net, error) &&
         spec_string (namespaces, "namespaces.", "uts", &spec->uts, error) &&
         spec_string (namespaces, "namespaces.", "ipc", &spec->ipc, error) &&
         spec_string (namespaces, "namespaces.", "pid", &spec->pid_ns, error) &&
         spec_string (namespaces, "namespaces.", "cgroup", &spec->cgroup_ns, error) &&
         spec_string (namespaces, "namespaces.", "time", &spec->time_ns, error) &&
         spec_string (namespaces, "namespaces.", "user", &spec->user_ns, error) &&
         spec_string (namespaces, "namespaces.", "mnt", &spec->mnt_ns, error);
}

static gboolean
deserialize_mounts (GVariant *mounts, HcsRuntimeSpec *spec, GError **error)
{
  for (gsize i = 0; i < g_variant_n_children (mounts); i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (mounts, i);
      g_autoptr (GHashTable) element = spec_members (child);
      HcsRuntimeMount *mount = g_new0 (HcsRuntimeMount, 1);

      g_ptr_array_add (spec->mounts, mount);
      if (!spec_string (element, "mounts[].", "destination", &mount->destination, error) ||
          !spec_string (element, "mounts[].", "type", &mount->type, error) ||
          !spec_string (element, "mounts[].", "source", &mount->source, error) ||
          !spec_strv (element, "mounts[].", "options", &mount->options, error))
        return FALSE;
      if (mount->destination == NULL || mount->destination[0] != '/')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "spec: mounts[%" G_GSIZE_FORMAT "].destination: must be an absolute path",
                       i);
          return FALSE;
        }
      if (mount->type == NULL)
        mount->type = g_strdup ("bind");
    }
  return TRUE;
}

static gboolean
deserialize_oci_process (GHashTable *dict, HcsRuntimeProcess *process, GError **error)
{
  g_autoptr (GVariant) capabilities = NULL, rlimits = NULL, gids = NULL, oom = NULL;

  capabilities = spec_member (dict, "process.", "capabilities", G_VARIANT_TYPE_VARDICT, error);
  if (*error != NULL)
    return FALSE;
  if (capabilities != NULL)
    {
      g_autoptr (GHashTable) sets = spec_members (capabilities);

      process->capabilities_given = TRUE;
      if (!spec_strv (sets, "process.capabilities.", "bounding", &process->cap_bounding, error) ||
          !spec_strv (sets, "process.capabilities.", "effective", &process->cap_effective,
                      error) ||
          !spec_strv (sets, "process.capabilities.", "permitted", &process->cap_permitted,
                      error) ||
          !spec_strv (sets, "process.capabilities.", "inheritable", &process->cap_inheritable,
                      error) ||
          !spec_strv (sets, "process.capabilities.", "ambient", &process->cap_ambient, error))
        return FALSE;
    }
  rlimits = spec_member (dict, "process.", "rlimits", G_VARIANT_TYPE ("a(stt)"), error);
  if (*error != NULL)
    return FALSE;
  if (rlimits != NULL)
    {
      process->rlimits = g_array_new (FALSE, TRUE, sizeof (HcsRuntimeRlimit));
      g_array_set_clear_func (process->rlimits, hcs_runtime_rlimit_clear);
      for (gsize i = 0; i < g_variant_n_children (rlimits); i++)
        {
          HcsRuntimeRlimit rlimit;
          g_variant_get_child (rlimits, i, "(stt)", &rlimit.type, &rlimit.soft, &rlimit.hard);
          g_array_append_val (process->rlimits, rlimit);
        }
    }
  gids = spec_member (dict, "process.", "additional_gids", G_VARIANT_TYPE ("au"), error);
  if (*error != NULL)
    return FALSE;
  if (gids != NULL)
    {
      gsize n = 0;
      const guint32 *values = g_variant_get_fixed_array (gids, &n, sizeof (guint32));
      process->additional_gids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_array_append_vals (process->additional_gids, values, n);
    }
  if (!spec_int (dict, "process.", "umask", &process->umask, error) ||
      !spec_string (dict, "process.", "apparmor_profile", &process->apparmor_profile, error) ||
      !spec_string (dict, "process.", "selinux_label", &process->selinux_label, error))
    return FALSE;
  oom = spec_member (dict, "process.", "oom_score_adj", G_VARIANT_TYPE_INT64, error);
  if (*error != NULL)
    return FALSE;
  if (oom != NULL)
    {
      process->has_oom_score_adj = TRUE;
      process->oom_score_adj = g_variant_get_int64 (oom);
    }
  return TRUE;
}

static gboolean
deserialize_process (GVariant *members, HcsRuntimeSpec *spec, GError **error)
{
  g_autoptr (GHashTable) dict = spec_members (members);
  HcsRuntimeProcess *process = hcs_runtime_process_new ();

  spec->process = process;
  if (!spec_strv (dict, "process.", "args", &process->args, error) ||
      !spec_strv (dict, "process.", "env", &process->env, error) ||
      !spec_string (dict, "process.", "cwd", &process->cwd, error) ||
      !spec_string (dict, "process.", "user", &process->user, error) ||
      !spec_boolean (dict, "process.", "terminal", &process->terminal, error) ||
      !spec_boolean (dict, "process.", "no_new_privileges", &process->no_new_privileges,
                     error) ||
      !spec_boolean (dict, "process.", "seccomp", &process->seccomp, error) ||
      !deserialize_oci_process (dict, process, error))
    return FALSE;
  if (process->args == NULL || process->args[0] == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "spec: process.args: empty");
      return FALSE;
    }
  if (process->env == NULL)
    process->env = g_new0 (char *, 1);
  return TRUE;
}

static gboolean
deserialize_resources (GVariant *members, HcsRuntimeResources *resources, GError **error)
{
  g_autoptr (GHashTable) dict = spec_members (members);

  return spec_int (dict, "resources.", "memory_maximum_in_mb",
                   &resources->memory_maximum_in_mb, error) &&
         spec_int (dict, "resources.", "processor_count", &resources->processor_count, error) &&
         spec_int (dict, "resources.", "processor_weight", &resources->processor_weight, error) &&
         spec_int (dict, "resources.", "processor_maximum", &resources->processor_maximum,
                   error) &&
         spec_int (dict, "resources.", "storage_iops_maximum",
                   &resources->storage_iops_maximum, error) &&
         spec_int (dict, "resources.", "storage_bandwidth_maximum",
                   &resources->storage_bandwidth_maximum, error) &&
         spec_int (dict, "resources.", "pids_maximum", &resources->pids_maximum, error);
}

static gboolean
deserialize_devices (GVariant *devices, HcsRuntimeSpec *spec, GError **error)
{
  spec->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_runtime_device_free);
  for (gsize i = 0; i < g_variant_n_children (devices); i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (devices, i);
      g_autoptr (GHashTable) element = spec_members (child);
      HcsRuntimeDevice *device = g_new0 (HcsRuntimeDevice, 1);
      g_autofree char *type = NULL;

      g_ptr_array_add (spec->devices, device);
      if (!spec_string (element, "devices[].", "path", &device->path, error) ||
          !spec_string (element, "devices[].", "type", &type, error) ||
          !spec_int (element, "devices[].", "major", &device->major, error) ||
          !spec_int (element, "devices[].", "minor", &device->minor, error) ||
          !spec_int (element, "devices[].", "mode", &device->mode, error) ||
          !spec_int (element, "devices[].", "uid", &device->uid, error) ||
          !spec_int (element, "devices[].", "gid", &device->gid, error))
        return FALSE;
      if (device->path == NULL || device->path[0] != '/' || type == NULL ||
          strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "spec: devices[%" G_GSIZE_FORMAT "]: needs an absolute path and a type "
                       "of c, b, u or p", i);
          return FALSE;
        }
      device->type = type[0];
    }
  return TRUE;
}

static gboolean
deserialize_hooks (GVariant *members, HcsRuntimeSpec *spec, GError **error)
{
  g_autoptr (GHashTable) dict = spec_members (members);

  for (guint kind = 0; kind < HCS_RUNTIME_HOOK_N_KINDS; kind++)
    {
      const char *name = hcs_runtime_hook_kind_name (kind);
      g_autoptr (GVariant) list = spec_member (dict, "hooks.", name, G_VARIANT_TYPE ("aa{sv}"),
                                               error);

      if (*error != NULL)
        return FALSE;
      if (list == NULL)
        continue;
      spec->hooks[kind] = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_runtime_hook_free);
      for (gsize i = 0; i < g_variant_n_children (list); i++)
        {
          g_autoptr (GVariant) child = g_variant_get_child_value (list, i);
          g_autoptr (GHashTable) element = spec_members (child);
          HcsRuntimeHook *hook = g_new0 (HcsRuntimeHook, 1);

          g_ptr_array_add (spec->hooks[kind], hook);
          if (!spec_string (element, "hooks[].", "path", &hook->path, error) ||
              !spec_strv (element, "hooks[].", "args", &hook->args, error) ||
              !spec_strv (element, "hooks[].", "env", &hook->env, error) ||
              !spec_int (element, "hooks[].", "timeout", &hook->timeout, error))
            return FALSE;
          if (hook->path == NULL || hook->path[0] != '/' || hook->timeout < 0)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "spec: hooks.%s[%" G_GSIZE_FORMAT "]: needs an absolute path and a "
                           "timeout >= 0", name, i);
              return FALSE;
            }
        }
    }
  return TRUE;
}

HcsRuntimeSpec *
hcs_runtime_spec_deserialize (GBytes *bytes, gboolean create, GError **error)
{
  g_autoptr (GVariant) bytes_root = NULL, overlay = NULL, namespaces = NULL, mounts = NULL;
  g_autoptr (GHashTable) root = NULL;
  g_autoptr (GVariant) process = NULL, resources = NULL, hooks = NULL, devices = NULL;
  g_autoptr (GVariant) seccomp = NULL;
  g_autoptr (HcsRuntimeSpec) spec = hcs_runtime_spec_new (NULL);
  GError *local_error = NULL;

  /* GVariant checks the data all the same: a short or garbled buffer reads
   * as empty values, never out of bounds. */
  bytes_root = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes,
                                                             FALSE));
  root = spec_members (bytes_root);

  if (!spec_string (root, "", "id", &spec->id, &local_error) ||
      !spec_string (root, "", "rootfs", &spec->rootfs, &local_error) ||
      !spec_boolean (root, "", "rootfs_readonly", &spec->rootfs_readonly, &local_error) ||
      !spec_string (root, "", "hostname", &spec->hostname, &local_error) ||
      !spec_strv (root, "", "masked_paths", &spec->masked_paths, &local_error) ||
      !spec_strv (root, "", "readonly_paths", &spec->readonly_paths, &local_error) ||
      !spec_strv (root, "", "cgroup_procs", &spec->cgroup_procs, &local_error) ||
      !spec_int (root, "", "pid", &spec->pid, &local_error) ||
      !spec_int (root, "", "console_width", &spec->console_width, &local_error) ||
      !spec_int (root, "", "console_height", &spec->console_height, &local_error) ||
      !spec_boolean (root, "", "detach", &spec->detach, &local_error) ||
      !spec_boolean (root, "", "die_with_parent", &spec->die_with_parent, &local_error) ||
      !spec_string (root, "", "start_fifo", &spec->start_fifo, &local_error) ||
      !spec_boolean (root, "", "report_cloned", &spec->report_cloned, &local_error) ||
      !spec_string (root, "", "hook_state", &spec->hook_state, &local_error) ||
      !spec_string (root, "", "uid_map", &spec->uid_map, &local_error) ||
      !spec_string (root, "", "gid_map", &spec->gid_map, &local_error) ||
      !spec_string (root, "", "oci_resources", &spec->oci_resources, &local_error) ||
      !spec_string (root, "", "domainname", &spec->domainname, &local_error) ||
      !spec_strv (root, "", "sysctl", &spec->sysctl, &local_error) ||
      !spec_string (root, "", "rootfs_propagation", &spec->rootfs_propagation, &local_error))
    goto fail;

  /* Each nested member: a wrong type is an error, absent is fine. */
  overlay = spec_member (root, "", "overlay", G_VARIANT_TYPE_VARDICT, &local_error);
  if (local_error != NULL ||
      (overlay != NULL && !deserialize_overlay (overlay, spec, &local_error)))
    goto fail;
  namespaces = spec_member (root, "", "namespaces", G_VARIANT_TYPE_VARDICT, &local_error);
  if (local_error != NULL ||
      (namespaces != NULL && !deserialize_namespaces (namespaces, spec, &local_error)))
    goto fail;
  mounts = spec_member (root, "", "mounts", G_VARIANT_TYPE ("aa{sv}"), &local_error);
  if (local_error != NULL || (mounts != NULL && !deserialize_mounts (mounts, spec, &local_error)))
    goto fail;
  resources = spec_member (root, "", "resources", G_VARIANT_TYPE_VARDICT, &local_error);
  if (local_error != NULL ||
      (resources != NULL && !deserialize_resources (resources, &spec->resources, &local_error)))
    goto fail;
  if (!spec_int (root, "", "seccomp_flags", &spec->seccomp_flags, &local_error))
    goto fail;
  seccomp = spec_member (root, "", "seccomp_program", G_VARIANT_TYPE_BYTESTRING, &local_error);
  if (local_error != NULL)
    goto fail;
  if (seccomp != NULL)
    {
      /* Empty: no filter at all (a config.json without linux.seccomp). */
      if (g_variant_get_size (seccomp) % 8 != 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "spec: seccomp_program: not a whole BPF program");
          return NULL;
        }
      spec->seccomp_program = g_variant_get_data_as_bytes (seccomp);
    }
  devices = spec_member (root, "", "devices", G_VARIANT_TYPE ("aa{sv}"), &local_error);
  if (local_error != NULL ||
      (devices != NULL && !deserialize_devices (devices, spec, &local_error)))
    goto fail;
  hooks = spec_member (root, "", "hooks", G_VARIANT_TYPE_VARDICT, &local_error);
  if (local_error != NULL || (hooks != NULL && !deserialize_hooks (hooks, spec, &local_error)))
    goto fail;
  process = spec_member (root, "", "process", G_VARIANT_TYPE_VARDICT, &local_error);
  if (local_error != NULL ||
      (process != NULL && !deserialize_process (process, spec, &local_error)))
    goto fail;

  if (create && (spec->rootfs == NULL || spec->rootfs[0] != '/'))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "spec: rootfs: an absolute path is required");
      return NULL;
    }
  if (!create && (spec->pid <= 0 || spec->process == NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "spec: exec needs \"pid\" and \"process\"");
      return NULL;
    }
  return g_steal_pointer (&spec);

fail:
  g_propagate_error (error, local_error);
  return NULL;
}
