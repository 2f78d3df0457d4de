/* test-runtime-cgroup.c: the runtime's cgroup manager against the real kernel,
 * on this host's layout (v1 or v2) and on a cgroup2 hierarchy directly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-runtime-cgroup.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t
spawn_sleeper (void)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execl ("/bin/sleep", "sleep", "1000", NULL);
      _exit (127);
    }
  return pid;
}

static void
reap (pid_t pid)
{
  int status;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
}

static void
check_lifecycle (HcsRuntimeCgroupVersion version, const char *root)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL, missing = NULL;
  g_autoptr (GArray) pids = NULL;
  g_auto (GStrv) procs = NULL;
  pid_t pid;

  missing = hcs_runtime_cgroup_open (test_get_cgroup_parent (), "missing", version, root, &error);
  g_assert_null (missing);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);

  cgroup = hcs_runtime_cgroup_create (test_get_cgroup_parent (), "life", version, root, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_runtime_cgroup_get_version (cgroup), ==,
                   version == HCS_RUNTIME_CGROUP_VERSION_AUTO ? hcs_runtime_cgroup_get_version (cgroup)
                                                              : version);
  procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  g_assert_cmpuint (g_strv_length (procs), >=, 1);
  for (guint i = 0; procs[i]; i++)
    g_assert_true (g_file_test (procs[i], G_FILE_TEST_EXISTS));

  /* The same cgroup twice is refused. */
  g_assert_null (
      hcs_runtime_cgroup_create (test_get_cgroup_parent (), "life", version, root, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  pid = spawn_sleeper ();
  hcs_runtime_cgroup_add_pid (cgroup, pid, &error);
  g_assert_no_error (error);
  pids = hcs_runtime_cgroup_get_pids (cgroup, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pids->len, ==, 1);
  g_assert_cmpint (g_array_index (pids, pid_t, 0), ==, pid);

  hcs_runtime_cgroup_freeze (cgroup, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_runtime_cgroup_is_frozen (cgroup));
  hcs_runtime_cgroup_thaw (cgroup, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_runtime_cgroup_is_frozen (cgroup));

  /* A live member keeps the cgroup. */
  g_assert_false (hcs_runtime_cgroup_destroy (cgroup, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* kill_all reaches a frozen member too. */
  hcs_runtime_cgroup_freeze (cgroup, &error);
  g_assert_no_error (error);
  hcs_runtime_cgroup_kill_all (cgroup, &error);
  g_assert_no_error (error);
  reap (pid);
  hcs_runtime_cgroup_destroy (cgroup, &error);
  g_assert_no_error (error);
  for (guint i = 0; procs[i]; i++)
    g_assert_false (g_file_test (procs[i], G_FILE_TEST_EXISTS));
}

static void
test_host_layout (void)
{
  check_lifecycle (HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL);
}

static void
test_v2_hierarchy (void)
{
  const char *root = test_find_v2_root ();

  if (root == NULL)
    {
      g_test_skip ("no cgroup2 hierarchy is mounted");
      return;
    }
  check_lifecycle (HCS_RUNTIME_CGROUP_VERSION_2, root);
}

static void
test_v2_limits (void)
{
  const char *root = test_find_v2_root ();
  g_autofree char *controllers_path = NULL, *controllers = NULL, *value = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL;
  g_autoptr (GError) error = NULL;
  HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;

  if (root == NULL)
    {
      g_test_skip ("no cgroup2 hierarchy is mounted");
      return;
    }
  controllers_path = g_build_filename (root, "cgroup.controllers", NULL);
  g_assert_true (g_file_get_contents (controllers_path, &controllers, NULL, NULL));
  if (strstr (controllers, "memory") == NULL || strstr (controllers, "cpu") == NULL)
    {
      g_test_skip ("the memory and cpu controllers are bound to cgroup v1 on this host");
      return;
    }
  cgroup = hcs_runtime_cgroup_create (test_get_cgroup_parent (), "limits",
                                      HCS_RUNTIME_CGROUP_VERSION_2, root, &error);
  g_assert_no_error (error);
  update.memory_maximum_in_mb = 64;
  update.processor_weight = 200;
  update.processor_maximum = 5000;
  hcs_runtime_cgroup_apply (cgroup, &update, &error);
  g_assert_no_error (error);
  value = hcs_runtime_cgroup_read (cgroup, "memory", "memory.max", &error);
  g_assert_cmpstr (g_strstrip (value), ==, "67108864");
  g_free (value);
  value = hcs_runtime_cgroup_read (cgroup, "cpu", "cpu.weight", &error);
  g_assert_cmpstr (g_strstrip (value), ==, "200");
  hcs_runtime_cgroup_destroy (cgroup, &error);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("cgroups need root");
      return 0;
    }
  g_test_add_func ("/runtime/cgroup/host-layout", test_host_layout);
  g_test_add_func ("/runtime/cgroup/v2/hierarchy", test_v2_hierarchy);
  g_test_add_func ("/runtime/cgroup/v2/limits", test_v2_limits);
  result = g_test_run ();
  test_assert_no_leftovers (NULL);
  test_cleanup_cgroup_parent ();
  return result;
}
