/* hcs-runtime-spec-cgroup.c: a spec's cgroup, GLib only: in the runtime
 * library and in hcs-runtime-oci-spec, for hcsctl's front create
 * (hcs-runtime-cgroup.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-cgroup.h"

void
hcs_runtime_spec_set_cgroup (HcsRuntimeSpec *spec, HcsRuntimeCgroup *cgroup)
{
  static const char *const controllers[] = { "cpu", "cpuacct", "cpuset", "memory", "blkio",
                                             "pids", "freezer", "devices", NULL };
  const char *const bind_options[] = { "rbind", "ro", "nosuid", "noexec", "nodev", NULL };
  const char *const tmpfs_options[] = { "nosuid", "noexec", "nodev", "mode=755", NULL };
  gboolean v2 = hcs_runtime_cgroup_get_version (cgroup) == HCS_RUNTIME_CGROUP_VERSION_2;
  g_autoptr (GPtrArray) mounts =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_runtime_mount_free);

  g_strfreev (spec->cgroup_procs);
  spec->cgroup_procs = hcs_runtime_cgroup_get_procs_files (cgroup);

  for (guint i = 0; i < spec->mounts->len; i++)
    {
      HcsRuntimeMount *mount = spec->mounts->pdata[i];
      const char *destination = mount->destination;

      if (!g_str_equal (mount->type, HCS_RUNTIME_CGROUP_PLACEHOLDER))
        {
          g_ptr_array_add (mounts, g_steal_pointer (&spec->mounts->pdata[i]));
          continue;
        }
      if (v2)
        {
          g_ptr_array_add (mounts, hcs_runtime_mount_new (
                                       destination, "bind",
                                       hcs_runtime_cgroup_get_path (cgroup, NULL), bind_options));
          continue;
        }
      g_ptr_array_add (mounts,
                       hcs_runtime_mount_new (destination, "tmpfs", "cgroup", tmpfs_options));
      for (guint j = 0; controllers[j]; j++)
        {
          const char *path = hcs_runtime_cgroup_get_path (cgroup, controllers[j]);
          g_autofree char *target = NULL;

          if (path == NULL)
            continue;
          target = g_build_filename (destination, controllers[j], NULL);
          g_ptr_array_add (mounts, hcs_runtime_mount_new (target, "bind", path, bind_options));
        }
    }
  g_ptr_array_unref (spec->mounts);
  spec->mounts = g_steal_pointer (&mounts);
}
