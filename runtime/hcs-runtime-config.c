/* hcs-runtime-config.c: core's documents to the runtime's spec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-config.h"
#include "hcs-runtime-cgroup-oci.h"
#include "hcs-gate.h"
#include "hcs-runtime-seccomp.h"
#include "hcs-runtime-oci.h"

#include <string.h>

static char *
namespace_value (const HcsNamespace *ns)
{
  switch (ns->mode)
    {
    case HCS_NAMESPACE_MODE_HOST:
      return g_strdup ("host");
    case HCS_NAMESPACE_MODE_JOIN:
      return g_strdup (ns->path);
    case HCS_NAMESPACE_MODE_NEW:
    default:
      return g_strdup ("new");
    }
}

/* --- OCI process fields ------------------------------------------------------ */

static gboolean
check_capabilities (HcsRuntimeSpec *spec, const char *set, const char *const *names,
                    GError **error)
{
  for (guint i = 0; names && names[i]; i++)
    if (hcs_runtime_capability_from_name (names[i]) < 0)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "container '%s': process.capabilities.%s[%u]: unknown capability '%s'",
                     spec->id, set, i, names[i]);
        return FALSE;
      }
  return TRUE;
}

static gboolean
set_oci_process (HcsRuntimeSpec *spec, HcsRuntimeProcess *process,
                 const HcsProcessConfig *config, GError **error)
{
  const char *const *added = (const char *const *) config->cap_added;

  if (!check_capabilities (spec, "bounding", (const char *const *) config->cap_bounding, error) ||
      !check_capabilities (spec, "effective", (const char *const *) config->cap_effective,
                           error) ||
      !check_capabilities (spec, "permitted", (const char *const *) config->cap_permitted,
                           error) ||
      !check_capabilities (spec, "inheritable", (const char *const *) config->cap_inheritable,
                           error) ||
      !check_capabilities (spec, "ambient", (const char *const *) config->cap_ambient, error) ||
      !check_capabilities (spec, "added", added, error))
    return FALSE;
  if (config->capabilities_given || (added != NULL && added[0] != NULL))
    {
      /* runc exec --cap: added to the sets the process has (the default
       * ones when none were given), and made ambient, so that a user other
       * than root keeps it across exec. */
      const char *const *base = hcs_runtime_default_capabilities ();
      const char *const *none = NULL;

      process->capabilities_given = TRUE;
#define SET_OF(field) (config->capabilities_given ? (const char *const *) config->field : base)
      process->cap_bounding = hcs_runtime_capabilities_union (SET_OF (cap_bounding), added);
      process->cap_effective = hcs_runtime_capabilities_union (SET_OF (cap_effective), added);
      process->cap_permitted = hcs_runtime_capabilities_union (SET_OF (cap_permitted), added);
#undef SET_OF
      process->cap_inheritable = hcs_runtime_capabilities_union (
          config->capabilities_given ? (const char *const *) config->cap_inheritable : none,
          added);
      process->cap_ambient = hcs_runtime_capabilities_union (
          config->capabilities_given ? (const char *const *) config->cap_ambient : none, added);
    }

  for (guint i = 0; config->rlimits && i < config->rlimits->len; i++)
    {
      const HcsRlimit *given = config->rlimits->pdata[i];
      HcsRuntimeRlimit rlimit = { g_strdup (given->type), given->soft, given->hard };

      if (hcs_runtime_rlimit_from_name (given->type) < 0)
        {
          g_free (rlimit.type);
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': process.rlimits[%u].type: unknown resource '%s'",
                       spec->id, i, given->type);
          return FALSE;
        }
      if (process->rlimits == NULL)
        {
          process->rlimits = g_array_new (FALSE, TRUE, sizeof (HcsRuntimeRlimit));
          g_array_set_clear_func (process->rlimits, hcs_runtime_rlimit_clear);
        }
      g_array_append_val (process->rlimits, rlimit);
    }
  if (config->additional_gids != NULL && config->additional_gids->len > 0)
    process->additional_gids = g_array_copy (config->additional_gids);
  if (config->has_umask)
    process->umask = config->umask;
  process->has_oom_score_adj = config->has_oom_score_adj;
  process->oom_score_adj = config->oom_score_adj;
  if (config->no_new_privileges_given)
    process->no_new_privileges = config->no_new_privileges;
  process->apparmor_profile = g_strdup (config->apparmor_profile && *config->apparmor_profile
                                            ? config->apparmor_profile
                                            : NULL);
  process->selinux_label = g_strdup (config->selinux_label && *config->selinux_label
                                         ? config->selinux_label
                                         : NULL);
  return TRUE;
}

gboolean
hcs_runtime_spec_set_process (HcsRuntimeSpec *spec, const HcsProcessConfig *config,
                              GError **error)
{
  g_autoptr (HcsRuntimeProcess) process = NULL;
  g_auto (GStrv) args = NULL, envp = NULL;

  args = hcs_process_config_get_argv (config, error);
  if (args == NULL)
    {
      g_prefix_error (error, "container '%s': ", spec->id);
      return FALSE;
    }
  envp = hcs_process_config_get_envp (config);
  process = hcs_runtime_process_new_with_defaults ((const char *const *) args,
                                                  (const char *const *) envp,
                                                  config->emulate_console,
                                                  config->working_directory, config->user);
  if (config->emulate_console && config->console_width > 0 && config->console_height > 0)
    {
      spec->console_width = config->console_width;
      spec->console_height = config->console_height;
    }
  if (!set_oci_process (spec, process, config, error))
    return FALSE;
  hcs_runtime_process_free (spec->process);
  spec->process = g_steal_pointer (&process);
  return TRUE;
}

/* The root: a directory (VolumePath), or the scratch folder's overlay over
 * the layers (Layers topmost first, as overlayfs's lowerdir wants them). */
static gboolean
set_root (HcsRuntimeSpec *spec, const HcsContainerConfig *config, const char *layer_dir,
          GError **error)
{
  if (config->layers != NULL && config->layers->len > 0)
    {
      g_autoptr (GStrvBuilder) lower = g_strv_builder_new ();
      g_autoptr (HcsLayerStore) store = NULL;

      if (config->layer_folder_path == NULL || !g_path_is_absolute (config->layer_folder_path))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': ContainerConfig.LayerFolderPath: an absolute path is "
                       "needed with Layers (the writable scratch layer)", spec->id);
          return FALSE;
        }
      for (guint i = 0; i < config->layers->len; i++)
        {
          HcsLayer *layer = config->layers->pdata[i];

          if (layer->path != NULL)
            {
              g_strv_builder_add (lower, layer->path);
              continue;
            }
          /* By ID: the folder of that layer in the host's store. */
          if (store == NULL && (store = hcs_layer_store_new (layer_dir, error)) == NULL)
            return FALSE;
          if (!hcs_layer_store_exists (store, layer->id))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                           "container '%s': ContainerConfig.Layers[%u]: layer '%s' is not in "
                           "the store %s", spec->id, i, layer->id, layer_dir);
              return FALSE;
            }
          {
            g_autofree char *path = hcs_layer_store_get_mount_path (store, layer->id);
            g_strv_builder_add (lower, path);
          }
        }
      spec->overlay_lower = g_strv_builder_end (lower);
      spec->overlay_upper = g_build_filename (config->layer_folder_path, "upper", NULL);
      spec->overlay_work = g_build_filename (config->layer_folder_path, "work", NULL);
      spec->rootfs = g_build_filename (config->layer_folder_path, "rootfs", NULL);
    }
  else if (config->volume_path != NULL)
    {
      if (!g_path_is_absolute (config->volume_path) ||
          !g_file_test (config->volume_path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': ContainerConfig.VolumePath: '%s' is not a directory "
                       "given by its absolute path", spec->id, config->volume_path);
          return FALSE;
        }
      spec->rootfs = g_strdup (config->volume_path);
    }
  else
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "container '%s': ContainerConfig: give VolumePath (a root directory) or "
                   "Layers with LayerFolderPath", spec->id);
      return FALSE;
    }
  spec->rootfs_readonly = config->root_read_only;
  return TRUE;
}

static gboolean
check_destination (HcsRuntimeSpec *spec, const char *field, guint index, const char *destination,
                   GError **error)
{
  if (destination != NULL && g_path_is_absolute (destination))
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "container '%s': ContainerConfig.%s[%u]: '%s' is not an absolute path in the "
               "container", spec->id, field, index, destination ? destination : "");
  return FALSE;
}

static gboolean
add_mounts (HcsRuntimeSpec *spec, const HcsContainerConfig *config, GError **error)
{
  for (guint i = 0; config->mapped_directories && i < config->mapped_directories->len; i++)
    {
      HcsMappedDirectory *dir = config->mapped_directories->pdata[i];
      const char *options[] = { "rbind", dir->read_only ? "ro" : "rw", NULL };

      if (!check_destination (spec, "MappedDirectories", i, dir->container_path, error))
        return FALSE;
      g_ptr_array_add (spec->mounts, hcs_runtime_mount_new (dir->container_path, "bind",
                                                            dir->host_path, options));
    }
  for (guint i = 0; config->mounts && i < config->mounts->len; i++)
    {
      HcsMount *mount = config->mounts->pdata[i];

      if (!check_destination (spec, "mounts", i, mount->destination, error))
        return FALSE;
      {
        HcsRuntimeMountOptions parsed;
        g_autoptr (GError) local_error = NULL;

        /* Checked here, before anything is made: the helper parses them again. */
        if (!hcs_runtime_mount_options_parse ((const char *const *) mount->options, mount->type,
                                              &parsed, &local_error))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "container '%s': mounts[%u] (%s): %s", spec->id, i, mount->destination,
                         local_error->message);
            return FALSE;
          }
        hcs_runtime_mount_options_clear (&parsed);
      }
      {
        HcsRuntimeMount *made = hcs_runtime_mount_new_for_oci (
            mount->destination, mount->type, mount->source,
            (const char *const *) mount->options);

        if (made != NULL)
          g_ptr_array_add (spec->mounts, made);
      }
    }
  return TRUE;
}

/* linux.devices, checked: an absolute path, a known type, numbers for
 * the types that have them. */
static gboolean
set_devices (HcsRuntimeSpec *spec, const char *json, GError **error)
{
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  JsonArray *array = root && JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;

  spec->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_runtime_device_free);
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      HcsRuntimeDevice *device;
      const char *path, *type;

      path = entry ? json_object_get_string_member_with_default (entry, "path", NULL) : NULL;
      type = entry ? json_object_get_string_member_with_default (entry, "type", NULL) : NULL;
      if (path == NULL || !g_path_is_absolute (path) || strstr (path, "/../") != NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': config.json: linux.devices[%u].path: an absolute path "
                       "is needed", spec->id, i);
          return FALSE;
        }
      if (type == NULL || strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': config.json: linux.devices[%u].type: must be c, b, u "
                       "or p", spec->id, i);
          return FALSE;
        }
      if (type[0] != 'p' &&
          (!json_object_has_member (entry, "major") || !json_object_has_member (entry, "minor")))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': config.json: linux.devices[%u]: a %s device needs "
                       "major and minor", spec->id, i, type);
          return FALSE;
        }
      device = g_new0 (HcsRuntimeDevice, 1);
      device->path = g_strdup (path);
      device->type = type[0];
      device->major = json_object_get_int_member_with_default (entry, "major", 0);
      device->minor = json_object_get_int_member_with_default (entry, "minor", 0);
      device->mode = json_object_get_int_member_with_default (entry, "fileMode", 0666) & 07777;
      device->uid = json_object_get_int_member_with_default (entry, "uid", 0);
      device->gid = json_object_get_int_member_with_default (entry, "gid", 0);
      g_ptr_array_add (spec->devices, device);
    }
  return TRUE;
}

/* --- OCI container fields ------------------------------------------------------ */

static gboolean
set_oci_container (HcsRuntimeSpec *spec, const HcsContainerConfig *config, GError **error)
{
  HcsRuntimeOwnNamespaces own = 0;

  if (!g_str_equal (spec->net, "host"))
    own |= HCS_RUNTIME_OWN_NET;
  if (!g_str_equal (spec->ipc, "host"))
    own |= HCS_RUNTIME_OWN_IPC;
  if (!g_str_equal (spec->uts, "host"))
    own |= HCS_RUNTIME_OWN_UTS;

  if (config->domainname != NULL && *config->domainname != '\0')
    {
      if (!(own & HCS_RUNTIME_OWN_UTS))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': domainname: needs a uts namespace of its own", spec->id);
          return FALSE;
        }
      spec->domainname = g_strdup (config->domainname);
    }
  for (guint i = 0; config->sysctl && config->sysctl[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (config->sysctl[i], "=", 2);
      g_autoptr (GError) local_error = NULL;

      if (!hcs_runtime_sysctl_check (pair[0], pair[1] ? pair[1] : "", own, &local_error))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': linux.sysctl: %s", spec->id, local_error->message);
          return FALSE;
        }
    }
  spec->sysctl = g_strdupv (config->sysctl);
  spec->masked_paths = g_strdupv (config->masked_paths);
  spec->readonly_paths = g_strdupv (config->readonly_paths);
  if (config->rootfs_propagation != NULL && *config->rootfs_propagation != '\0')
    {
      if (hcs_runtime_propagation_from_name (config->rootfs_propagation) == 0)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': linux.rootfsPropagation: unknown '%s'", spec->id,
                       config->rootfs_propagation);
          return FALSE;
        }
      spec->rootfs_propagation = g_strdup (config->rootfs_propagation);
    }
  return TRUE;
}

static char *
id_map_text (GArray *mappings)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < mappings->len; i++)
    {
      const HcsIdMapping *mapping = &g_array_index (mappings, HcsIdMapping, i);
      g_string_append_printf (text, "%u %u %u\n", mapping->container_id, mapping->host_id,
                              mapping->size);
    }
  return g_string_free (text, FALSE);
}

/* linux.namespaces beyond net, uts and ipc, and a new user namespace's
 * mappings. */
static void
set_oci_namespaces (HcsRuntimeSpec *spec, const HcsContainerConfig *config)
{
  g_free (spec->pid_ns);
  spec->pid_ns = namespace_value (&config->pid_namespace);
  if (config->cgroup_namespace.mode != HCS_NAMESPACE_MODE_HOST)
    spec->cgroup_ns = namespace_value (&config->cgroup_namespace);
  if (config->time_namespace.mode != HCS_NAMESPACE_MODE_HOST)
    spec->time_ns = namespace_value (&config->time_namespace);
  if (config->user_namespace.mode != HCS_NAMESPACE_MODE_HOST)
    spec->user_ns = namespace_value (&config->user_namespace);
  if (config->mount_namespace.mode != HCS_NAMESPACE_MODE_NEW)
    spec->mnt_ns = namespace_value (&config->mount_namespace);
  if (config->oci_uid_mappings != NULL)
    spec->uid_map = id_map_text (config->oci_uid_mappings);
  if (config->oci_gid_mappings != NULL)
    spec->gid_map = id_map_text (config->oci_gid_mappings);
}

/* The hooks the helper runs, and what their state shows besides status
 * and pid. Nothing is added when there is no hook, so that a create
 * without them costs nothing more. */
static void
set_hooks (HcsRuntimeSpec *spec, const HcsContainerConfig *config)
{
  /* The helper's kinds, in the same order as core's first four. */
  static const HcsOciHookKind kinds[HCS_RUNTIME_HOOK_N_KINDS] = {
    HCS_OCI_HOOK_PRESTART, HCS_OCI_HOOK_CREATE_RUNTIME, HCS_OCI_HOOK_CREATE_CONTAINER,
    HCS_OCI_HOOK_START_CONTAINER,
  };
  gboolean any = FALSE;

  for (guint kind = 0; kind < HCS_RUNTIME_HOOK_N_KINDS; kind++)
    {
      GPtrArray *hooks = config->oci_hooks[kinds[kind]];

      if (hooks == NULL || hooks->len == 0)
        continue;
      spec->hooks[kind] = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_runtime_hook_free);
      for (guint i = 0; i < hooks->len; i++)
        {
          const HcsOciHook *hook = hooks->pdata[i];
          g_ptr_array_add (spec->hooks[kind],
                           hcs_runtime_hook_new (hook->path, (const char *const *) hook->args,
                                                 (const char *const *) hook->env, hook->timeout));
        }
      any = TRUE;
    }
  if (any)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ociVersion");
      json_builder_add_string_value (builder, config->oci_version ? config->oci_version : "1.0.2");
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, spec->id);
      json_builder_set_member_name (builder, "bundle");
      json_builder_add_string_value (builder, config->oci_bundle ? config->oci_bundle : "");
      if (config->oci_annotations != NULL)
        {
          g_autoptr (JsonNode) annotations = json_from_string (config->oci_annotations, NULL);
          if (annotations != NULL)
            {
              json_builder_set_member_name (builder, "annotations");
              json_builder_add_value (builder, g_steal_pointer (&annotations));
            }
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      spec->hook_state = json_to_string (root, FALSE);
    }
}

/* Without a mount namespace, crun's rule: the init chroots into the root
 * and makes none of config.json's mounts (runc makes them in the host's
 * table and leaves them there). What only a mount can give is refused,
 * naming the field, rather than dropped. */
static gboolean
check_without_mount_namespace (const HcsRuntimeSpec *spec, GError **error)
{
  const char *field = hcs_runtime_spec_needs_mount_namespace (spec);

  if (field == NULL)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "container '%s': %s needs a mount namespace of the container's own, and "
               "linux.namespaces has no \"mount\"",
               spec->id, field);
  return FALSE;
}

HcsRuntimeSpec *
hcs_runtime_spec_new_for_container (const char *id, const HcsContainerConfig *config,
                                    const char *layer_dir, GError **error)
{
  g_autoptr (HcsRuntimeSpec) spec = hcs_runtime_spec_new (id);
  HcsRuntimeResources *resources = &spec->resources;

  if (!set_root (spec, config, layer_dir, error))
    return NULL;
  spec->hostname = g_strdup (config->hostname ? config->hostname
                             : config->name   ? config->name
                                              : id);
  g_free (spec->net);
  spec->net = namespace_value (&config->network_namespace);
  g_free (spec->uts);
  spec->uts = namespace_value (&config->uts_namespace);
  g_free (spec->ipc);
  spec->ipc = namespace_value (&config->ipc_namespace);
  if (config->oci_version != NULL)
    set_oci_namespaces (spec, config);
  if (config->oci_devices != NULL && !set_devices (spec, config->oci_devices, error))
    return NULL;
  if (config->oci_seccomp != NULL)
    {
      guint32 flags = 0;

      spec->seccomp_program = hcs_runtime_seccomp_compile (config->oci_seccomp, &flags, error);
      if (spec->seccomp_program == NULL)
        {
          g_prefix_error (error, "container '%s': ", id);
          return NULL;
        }
      spec->seccomp_flags = flags;
    }
  else if (config->oci_version != NULL)
    /* A config.json without linux.seccomp asks for no filter: runc and
     * crun load none, and engines that want one (podman's, docker's
     * default profile) write it there; "unconfined" is its absence. */
    spec->seccomp_program = g_bytes_new (NULL, 0);
  if (config->oci_resources != NULL)
    {
      if (!hcs_runtime_oci_resources_check (config->oci_resources, error))
        {
          g_prefix_error (error, "container '%s': ", id);
          return NULL;
        }
      spec->oci_resources = g_strdup (config->oci_resources);
    }
  if (!add_mounts (spec, config, error))
    return NULL;

  /* Negative values never pass the document's parser; 0 is "unlimited". */
  resources->memory_maximum_in_mb = MAX (config->memory_maximum_in_mb, 0);
  resources->processor_count = MAX (config->processor_count, 0);
  resources->processor_weight = MAX (config->processor_weight, 0);
  resources->processor_maximum = MAX (config->processor_maximum, 0);
  resources->storage_iops_maximum = MAX (config->storage_iops_maximum, 0);
  resources->storage_bandwidth_maximum = MAX (config->storage_bandwidth_maximum, 0);
  resources->pids_maximum = MAX (config->pids_maximum, 0);

  if (!set_oci_container (spec, config, error))
    return NULL;
  if (config->process != NULL && !hcs_runtime_spec_set_process (spec, config->process, error))
    return NULL;
  set_hooks (spec, config);
  if (!check_without_mount_namespace (spec, error))
    return NULL;
  return g_steal_pointer (&spec);
}

HcsRuntimeSpec *
hcs_runtime_spec_new_for_exec (const char *id, int init_pid, const HcsProcessConfig *config,
                               GError **error)
{
  g_autoptr (HcsRuntimeSpec) spec = hcs_runtime_spec_new (id);

  spec->pid = init_pid;
  if (!hcs_runtime_spec_set_process (spec, config, error))
    return NULL;
  return g_steal_pointer (&spec);
}

gboolean
hcs_runtime_process_check_host (const HcsRuntimeProcess *process, GError **error)
{
  if (process == NULL)
    return TRUE;
  if (process->apparmor_profile != NULL)
    {
      g_autofree char *enabled = NULL;

      if (!g_file_get_contents ("/sys/module/apparmor/parameters/enabled", &enabled, NULL, NULL) ||
          enabled[0] != 'Y')
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                       "process.apparmorProfile '%s': AppArmor is not enabled on this host",
                       process->apparmor_profile);
          return FALSE;
        }
    }
  if (process->selinux_label != NULL)
    {
      g_autofree char *filesystems = NULL;

      if (!g_file_get_contents ("/proc/filesystems", &filesystems, NULL, NULL) ||
          strstr (filesystems, "\tselinuxfs\n") == NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                       "process.selinuxLabel '%s': SELinux is not enabled on this host",
                       process->selinux_label);
          return FALSE;
        }
    }
  return TRUE;
}
