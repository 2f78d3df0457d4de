/* test-runtime-cgroup.c: the runtime's cgroup manager against the real kernel,
 * on this host's layout (v1 or v2) and on a cgroup2 hierarchy directly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-runtime-cgroup-oci.h"

#include <errno.h>
#include <glib/gstdio.h>
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

/* A remove killed half-way through its rmdirs: the first hierarchy's
 * folder is gone, the others stay. Opening it again still finds them,
 * and destroying it takes every one away. */
static void
test_half_removed (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL, again = NULL;
  g_auto (GStrv) procs = NULL;
  g_autofree char *first = NULL;

  cgroup = hcs_runtime_cgroup_create (test_get_cgroup_parent (), "half",
                                      HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
  procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  if (g_strv_length (procs) < 2)
    {
      hcs_runtime_cgroup_destroy (cgroup, &error);
      g_assert_no_error (error);
      g_test_skip ("one hierarchy only (cgroup v2)");
      return;
    }
  first = g_path_get_dirname (procs[0]);
  g_assert_cmpint (rmdir (first), ==, 0);

  again = hcs_runtime_cgroup_open (test_get_cgroup_parent (), "half",
                                   HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (hcs_runtime_cgroup_kill_all (again, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_runtime_cgroup_destroy (again, &error));
  g_assert_no_error (error);
  for (guint i = 0; procs[i]; i++)
    g_assert_false (g_file_test (procs[i], G_FILE_TEST_EXISTS));
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

/* A v2 root given with the version left to find (a guest agent's
 * [argon] cgroup-root): the cgroup is v2 under that root, whatever
 * /proc/self/mountinfo says (on a hybrid host cgroup2 is not at
 * /sys/fs/cgroup, where a search looks). */
static void
test_v2_root_given (void)
{
  const char *root = test_find_v2_root ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) procs = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL;

  if (root == NULL)
    {
      g_test_skip ("no cgroup2 hierarchy is mounted");
      return;
    }
  cgroup = hcs_runtime_cgroup_create (test_get_cgroup_parent (), "given",
                                      HCS_RUNTIME_CGROUP_VERSION_AUTO, root, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_runtime_cgroup_get_version (cgroup), ==, HCS_RUNTIME_CGROUP_VERSION_2);
  procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  expected = g_build_filename (root, test_get_cgroup_parent (), "given", "cgroup.procs", NULL);
  g_assert_cmpuint (g_strv_length (procs), ==, 1);
  g_assert_cmpstr (procs[0], ==, expected);
  g_assert_true (g_file_test (procs[0], G_FILE_TEST_EXISTS));
  g_assert_true (hcs_runtime_cgroup_destroy (cgroup, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (procs[0], G_FILE_TEST_EXISTS));
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

/* linux.resources to files, both versions: the writes in order (golden
 * lines), so v2's mapping is checked where v2 has no controllers. */
static void
test_oci_plan (void)
{
  const char *json =
      "{\"memory\": {\"limit\": 67108864, \"swap\": 100663296, \"reservation\": 1048576},"
      " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0-1\"},"
      " \"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0,"
      "   \"rate\": 1048576}]},"
      " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
      " \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
      "   {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"r\"}]}";
  const char *const v1_expected[] = {
    "memory/memory.limit_in_bytes=67108864",
    "memory/memory.memsw.limit_in_bytes=100663296",
    "memory/memory.soft_limit_in_bytes=1048576",
    "cpu/cpu.shares=1024",
    "cpu/cpu.cfs_period_us=100000",
    "cpu/cpu.cfs_quota_us=50000",
    "cpuset/cpuset.cpus=0-1",
    "blkio/blkio.weight=500",
    "blkio/blkio.throttle.read_bps_device=8:0 1048576",
    "hugetlb/hugetlb.2MB.limit_in_bytes=4194304",
    "devices/devices.deny=a",
    "devices/devices.allow=c 1:* r",
    NULL,
  };
  const char *const v2_expected[] = {
    "memory/memory.max=67108864",
    "memory/memory.swap.max=33554432",
    "memory/memory.low=1048576",
    "cpu/cpu.weight=39",
    "cpu/cpu.max=50000 100000",
    "cpuset/cpuset.cpus=0-1",
    "io/io.weight=default 4950",
    "io/io.max=8:0 rbps=1048576",
    "hugetlb/hugetlb.2MB.max=4194304",
    NULL,
  };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) v1 = NULL, v2 = NULL;

  v1 = hcs_runtime_oci_resources_plan (json, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (v1, v1_expected);
  /* v2: device rules need eBPF, so only the "deny all" is accepted. */
  v2 = hcs_runtime_oci_resources_plan (json, TRUE, &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "linux.resources.devices"));
  g_clear_error (&error);
  {
    g_autoptr (GString) without_allow = g_string_new (json);
    g_string_replace (without_allow,
                      ",\n   {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"r\"}",
                      "", 0);
    g_string_replace (without_allow,
                      ",   {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"r\"}",
                      "", 0);
    v2 = hcs_runtime_oci_resources_plan (without_allow->str, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpstrv (v2, v2_expected);
  }
  /* What only v1 has. */
  g_assert_null (hcs_runtime_oci_resources_plan ("{\"cpu\": {\"realtimeRuntime\": 1000}}", TRUE,
                                                 &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_true (hcs_runtime_oci_resources_check ("{\"cpu\": {\"realtimeRuntime\": 1000}}",
                                                  &error));
  g_assert_no_error (error);
}

/* linux.cgroupsPath as runc reads it: absolute from each hierarchy's
 * root (its levels made on the way, cpuset's filled), relative from the
 * caller's own cgroup; '..' and the root refused. */
static void
test_oci_cgroups_path (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL, opened = NULL;
  g_autofree char *absolute = g_strdup_printf ("/%s/nested/leaf", test_get_cgroup_parent ());
  g_autofree char *relative = g_strdup_printf ("%s/rel/leaf", test_get_cgroup_parent ());
  g_autofree char *parent = NULL, *name = NULL, *own = NULL, *contents = NULL;
  g_autofree char *nested_suffix = g_strdup_printf ("/%s/nested", test_get_cgroup_parent ());
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) procs = NULL;
  g_autoptr (GPtrArray) nested = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (hcs_runtime_cgroup_split_path (absolute, HCS_RUNTIME_CGROUP_VERSION_AUTO,
                                                &parent, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parent, ==, nested_suffix);
  g_assert_cmpstr (name, ==, "leaf");

  cgroup = hcs_runtime_cgroup_create (parent, name, HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL,
                                      &error);
  g_assert_no_error (error);
  procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  for (guint i = 0; procs[i]; i++)
    {
      g_autofree char *dir = g_path_get_dirname (procs[i]);
      g_autofree char *suffix = g_strconcat (nested_suffix, "/leaf", NULL);

      g_assert_true (g_str_has_suffix (dir, suffix));
      g_assert_true (g_file_test (procs[i], G_FILE_TEST_EXISTS));
      g_ptr_array_add (nested, g_path_get_dirname (dir));
    }
  if (hcs_runtime_cgroup_get_path (cgroup, "cpuset") != NULL)
    {
      /* A level made on the way has cpus to hand down. */
      g_autofree char *cpus = hcs_runtime_cgroup_read (cgroup, "cpuset", "cpuset.cpus", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (g_strstrip (cpus), !=, "");
    }
  opened = hcs_runtime_cgroup_open (parent, name, HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_runtime_cgroup_get_path (opened, "pids"), ==,
                   hcs_runtime_cgroup_get_path (cgroup, "pids"));
  hcs_runtime_cgroup_destroy (cgroup, &error);
  g_assert_no_error (error);
  /* As runc, the levels above the leaf stay; the test removes its own. */
  for (guint i = 0; i < nested->len; i++)
    g_assert_true (g_rmdir (nested->pdata[i]) == 0 || errno == ENOENT);
  g_clear_pointer (&parent, g_free);
  g_clear_pointer (&name, g_free);

  /* Relative: below the caller's own cgroup. */
  g_assert_true (g_file_get_contents ("/proc/self/cgroup", &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] && own == NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ":", 3);
      gboolean v2 = g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS);

      if (g_strv_length (fields) == 3 &&
          (v2 ? *fields[1] == '\0' : g_str_equal (fields[1], "pids")))
        own = g_strdup (fields[2]);
    }
  g_assert_nonnull (own);
  g_assert_true (hcs_runtime_cgroup_split_path (relative, HCS_RUNTIME_CGROUP_VERSION_AUTO,
                                                &parent, &name, &error));
  g_assert_no_error (error);
  {
    g_autofree char *expected =
        g_build_filename ("/", own, test_get_cgroup_parent (), "rel", NULL);
    g_assert_cmpstr (parent, ==, expected);
    g_assert_cmpstr (name, ==, "leaf");
  }

  for (const char *const *bad = (const char *const[]){ "/", "", "/a/../b", "a/./b", "/a:b",
                                                       NULL };
       *bad; bad++)
    {
      g_autofree char *bad_parent = NULL, *bad_name = NULL;

      g_assert_false (hcs_runtime_cgroup_split_path (*bad, HCS_RUNTIME_CGROUP_VERSION_AUTO,
                                                     &bad_parent, &bad_name, &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "linux.cgroupsPath"));
      g_clear_error (&error);
    }
}

/* memory.kernel and memory.kernelTCP: v1's kmem files; v2 has neither. */
static void
test_oci_kernel_memory (void)
{
  const char *json = "{\"memory\": {\"kernel\": 50593792, \"kernelTCP\": 50593792}}";
  const char *const v1_expected[] = {
    "memory/memory.kmem.limit_in_bytes=50593792",
    "memory/memory.kmem.tcp.limit_in_bytes=50593792",
    NULL,
  };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) v1 = hcs_runtime_oci_resources_plan (json, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpstrv (v1, v1_expected);
  g_assert_null (hcs_runtime_oci_resources_plan (json, TRUE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "memory.kernel"));
  g_clear_error (&error);
  g_assert_null (hcs_runtime_oci_resources_plan ("{\"memory\": {\"kernelTCP\": \"x\"}}", FALSE,
                                                 &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "memory.kernelTCP"));
}

/* A config whose device rules start with "deny all" undoes the default
 * allow-list, which a create then does not write first; any other start
 * keeps it. */
static void
test_oci_reset_devices (void)
{
  g_assert_true (hcs_runtime_oci_resources_reset_devices (
      "{\"memory\": {\"limit\": 1048576}, \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
      " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200}]}"));
  g_assert_true (hcs_runtime_oci_resources_reset_devices (
      "{\"devices\": [{\"allow\": false, \"type\": \"a\"}]}"));
  g_assert_false (hcs_runtime_oci_resources_reset_devices (
      "{\"devices\": [{\"allow\": true, \"access\": \"rwm\"}]}"));
  g_assert_false (hcs_runtime_oci_resources_reset_devices (
      "{\"devices\": [{\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3},"
      " {\"allow\": false, \"access\": \"rwm\"}]}"));
  g_assert_false (hcs_runtime_oci_resources_reset_devices ("{\"memory\": {\"limit\": 1048576}}"));
  g_assert_false (hcs_runtime_oci_resources_reset_devices ("{\"devices\": 3}"));
  g_assert_false (hcs_runtime_oci_resources_reset_devices ("not json"));
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
  g_test_add_func ("/runtime/cgroup/half-removed", test_half_removed);
  g_test_add_func ("/runtime/cgroup/v2/hierarchy", test_v2_hierarchy);
  g_test_add_func ("/runtime/cgroup/v2/root-given", test_v2_root_given);
  g_test_add_func ("/runtime/cgroup/v2/limits", test_v2_limits);
  g_test_add_func ("/runtime/cgroup/oci-plan", test_oci_plan);
  g_test_add_func ("/runtime/cgroup/oci-cgroups-path", test_oci_cgroups_path);
  g_test_add_func ("/runtime/cgroup/oci-kernel-memory", test_oci_kernel_memory);
  g_test_add_func ("/runtime/cgroup/oci-reset-devices", test_oci_reset_devices);
  result = g_test_run ();
  test_assert_no_leftovers (NULL);
  test_cleanup_cgroup_parent ();
  return result;
}
