/* test-runtime-spec.c: core's documents to the runtime's spec, and the
 * spec to the helper's bytes and back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-runtime-config.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char *temp_dir;
  char *root;                 /* an empty folder to use as VolumePath */
  char *layer_dir;            /* a layer store of the test's own */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->temp_dir = test_make_temp_dir ("hcs-test-spec");
  fixture->root = g_build_filename (fixture->temp_dir, "root", NULL);
  fixture->layer_dir = g_build_filename (fixture->temp_dir, "layers", NULL);
  g_assert_cmpint (g_mkdir (fixture->root, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_free (fixture->root);
  g_free (fixture->layer_dir);
}

/* @json with every "ROOT" replaced by the fixture's root folder. */
static HcsContainerConfig *
parse_config (Fixture *fixture, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) text = g_string_new (json);
  HcsContainerConfig *config;

  g_string_replace (text, "ROOT", fixture->root, 0);
  config = hcs_container_config_from_json (text->str, fixture->temp_dir, &error);
  g_assert_no_error (error);
  return config;
}

static HcsRuntimeMount *
find_mount (HcsRuntimeSpec *spec, const char *destination)
{
  for (guint i = 0; i < spec->mounts->len; i++)
    {
      HcsRuntimeMount *mount = spec->mounts->pdata[i];
      if (g_str_equal (mount->destination, destination))
        return mount;
    }
  return NULL;
}

/* A schema1 ContainerConfig with a root folder, mapped directories,
 * limits and a process. */
static void
test_container (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"Name\": \"web\", \"VolumePath\": \"ROOT\","
               " \"MappedDirectories\": [{\"HostPath\": \"/srv\", \"ContainerPath\": \"/data\","
               " \"ReadOnly\": true}, {\"HostPath\": \"/tmp\", \"ContainerPath\": \"/scratch\"}],"
               " \"MemoryMaximumInMB\": 256, \"ProcessorWeight\": 500, \"ProcessorCount\": 2,"
               " \"Process\": {\"CommandLine\": \"sh -c 'echo hi'\", \"EmulateConsole\": true,"
               " \"ConsoleSize\": [24, 80], \"Environment\": {\"A\": \"1\"}}}");
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  HcsRuntimeMount *mount;

  spec = hcs_runtime_spec_new_for_container ("c1", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spec->id, ==, "c1");
  g_assert_cmpstr (spec->rootfs, ==, fixture->root);
  g_assert_false (spec->rootfs_readonly);
  g_assert_null (spec->overlay_lower);
  /* No HostName: the name. */
  g_assert_cmpstr (spec->hostname, ==, "web");
  g_assert_cmpstr (spec->net, ==, "new");
  g_assert_cmpstr (spec->uts, ==, "new");
  g_assert_cmpstr (spec->ipc, ==, "new");

  g_assert_cmpuint (spec->mounts->len, ==, 2);
  mount = find_mount (spec, "/data");
  g_assert_nonnull (mount);
  g_assert_cmpstr (mount->type, ==, "bind");
  g_assert_cmpstr (mount->source, ==, "/srv");
  g_assert_true (g_strv_contains ((const char *const *) mount->options, "rbind"));
  g_assert_true (g_strv_contains ((const char *const *) mount->options, "ro"));
  mount = find_mount (spec, "/scratch");
  g_assert_true (g_strv_contains ((const char *const *) mount->options, "rw"));

  g_assert_cmpint (spec->resources.memory_maximum_in_mb, ==, 256);
  g_assert_cmpint (spec->resources.processor_weight, ==, 500);
  g_assert_cmpint (spec->resources.processor_count, ==, 2);
  g_assert_cmpint (spec->resources.processor_maximum, ==, 0);
  g_assert_cmpint (spec->resources.pids_maximum, ==, 0);

  g_assert_nonnull (spec->process);
  g_assert_cmpstrv (spec->process->args, ((const char *[]) { "sh", "-c", "echo hi", NULL }));
  /* PATH and, with a console, TERM are always there. */
  g_assert_true (g_strv_contains ((const char *const *) spec->process->env, "A=1"));
  g_assert_true (g_strv_contains ((const char *const *) spec->process->env, "TERM=xterm"));
  for (guint i = 0;; i++)
    {
      g_assert_nonnull (spec->process->env[i]);
      if (g_str_has_prefix (spec->process->env[i], "PATH="))
        break;
    }
  g_assert_cmpstr (spec->process->cwd, ==, "/");
  g_assert_cmpstr (spec->process->user, ==, "0:0");
  g_assert_true (spec->process->terminal);
  g_assert_true (spec->process->no_new_privileges);
  g_assert_true (spec->process->seccomp);
  /* hcs's own configuration: the built-in filter (no program of its own). */
  g_assert_null (spec->seccomp_program);
  g_assert_cmpint (spec->console_width, ==, 80);
  g_assert_cmpint (spec->console_height, ==, 24);
  /* Nothing of a create's own: those are the driver's to set. */
  g_assert_null (spec->cgroup_procs);
  g_assert_false (spec->detach);
  g_assert_null (spec->start_fifo);
}

/* An OCI spec: namespaces, mounts (the helper's own left out), a read-only
 * root, pids limit. */
static void
test_oci (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\", \"readonly\": true},"
               " \"hostname\": \"box\", \"process\": {\"args\": [\"true\"], \"cwd\": \"/w\","
               " \"env\": [\"PATH=/bin\"], \"user\": {\"uid\": 5, \"gid\": 6}},"
               " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\","
               " \"source\": \"proc\"},"
               " {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
               " \"options\": [\"nosuid\", \"size=64m\"]},"
               " {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\","
               " \"source\": \"cgroup\"}],"
               " \"linux\": {\"resources\": {\"pids\": {\"limit\": 100}},"
               " \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
               " {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}]}}");
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  HcsRuntimeMount *mount;

  spec = hcs_runtime_spec_new_for_container ("c2", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spec->rootfs, ==, fixture->root);
  g_assert_true (spec->rootfs_readonly);
  g_assert_cmpstr (spec->hostname, ==, "box");
  /* Joined by path; the ones not listed are the host's. */
  g_assert_cmpstr (spec->net, ==, "/proc/1/ns/net");
  g_assert_cmpstr (spec->uts, ==, "host");
  g_assert_cmpstr (spec->ipc, ==, "host");
  g_assert_null (find_mount (spec, "/proc"));
  mount = find_mount (spec, "/tmp");
  g_assert_nonnull (mount);
  g_assert_cmpstr (mount->type, ==, "tmpfs");
  g_assert_cmpstrv (mount->options, ((const char *[]) { "nosuid", "size=64m", NULL }));
  /* Left for the cgroup to fill in (test_cgroup). */
  mount = find_mount (spec, "/sys/fs/cgroup");
  g_assert_nonnull (mount);
  g_assert_cmpstr (mount->type, ==, "cgroup");
  g_assert_cmpint (spec->resources.pids_maximum, ==, 100);
  g_assert_cmpstrv (spec->process->args, ((const char *[]) { "true", NULL }));
  g_assert_cmpstrv (spec->process->env, ((const char *[]) { "PATH=/bin", NULL }));
  g_assert_cmpstr (spec->process->cwd, ==, "/w");
  g_assert_cmpstr (spec->process->user, ==, "5:6");
  g_assert_false (spec->process->terminal);
}

/* Layers by path and by ID in the store, topmost first, over the scratch
 * folder; the translation makes none of the overlay's folders. */
static void
test_layers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsLayerStore) store = hcs_layer_store_new (fixture->layer_dir, &error);
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autofree char *scratch = g_build_filename (fixture->temp_dir, "scratch", NULL);
  g_autofree char *base_path = NULL, *json = NULL, *expected = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL;

  g_assert_no_error (error);
  info = hcs_layer_store_create_scratch (store, "base", NULL, 0, &error);
  g_assert_no_error (error);
  base_path = hcs_layer_store_get_mount_path (store, "base");
  json = g_strdup_printf ("{\"LayerFolderPath\": \"%s\", \"Layers\": [{\"ID\": \"top\","
                          " \"Path\": \"/l/top\"}, {\"ID\": \"base\"}]}", scratch);
  config = parse_config (fixture, json);

  spec = hcs_runtime_spec_new_for_container ("c3", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (spec->overlay_lower, ((const char *[]) { "/l/top", base_path, NULL }));
  expected = g_build_filename (scratch, "upper", NULL);
  g_assert_cmpstr (spec->overlay_upper, ==, expected);
  g_free (expected);
  expected = g_build_filename (scratch, "work", NULL);
  g_assert_cmpstr (spec->overlay_work, ==, expected);
  g_free (expected);
  expected = g_build_filename (scratch, "rootfs", NULL);
  g_assert_cmpstr (spec->rootfs, ==, expected);
  g_assert_false (g_file_test (scratch, G_FILE_TEST_EXISTS));
  /* No name, no HostName: the id. */
  g_assert_cmpstr (spec->hostname, ==, "c3");
  g_assert_null (spec->process);
  g_assert_true (hcs_layer_store_destroy (store, "base", TRUE, &error));
  g_assert_no_error (error);
}

/* Bad configurations: an HCS_ERROR naming the container and the field,
 * and nothing made. */
typedef struct {
  const char *json;
  int code;
  const char *field;
} BadCase;

static const BadCase bad_cases[] = {
  { "{\"Name\": \"x\"}", HCS_ERROR_INVALID_DATA, "give VolumePath" },
  { "{\"VolumePath\": \"ROOT/missing\"}", HCS_ERROR_INVALID_DATA, "ContainerConfig.VolumePath" },
  { "{\"Layers\": [{\"ID\": \"a\", \"Path\": \"/l/a\"}]}", HCS_ERROR_INVALID_DATA,
    "ContainerConfig.LayerFolderPath" },
  { "{\"LayerFolderPath\": \"ROOT/s\", \"Layers\": [{\"ID\": \"a\", \"Path\": \"/l/a\"},"
    " {\"ID\": \"not-there\"}]}", HCS_ERROR_ELEMENT_NOT_FOUND,
    "ContainerConfig.Layers[1]: layer 'not-there'" },
  /* OCI fields the runtime checks: each error names the field and the value. */
#define OCI_WITH(process, rest)                                                              \
  "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"}, \"process\": {\"args\": [\"x\"]" \
  process "}" rest "}"
#define OWN_NAMESPACES                                                                       \
  "\"namespaces\": [{\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]"
  { OCI_WITH (", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NOPE\"]}", ""),
    HCS_ERROR_INVALID_DATA, "process.capabilities.bounding[1]: unknown capability 'CAP_NOPE'" },
  { OCI_WITH (", \"capabilities\": {\"ambient\": [\"KILL\"]}", ""), HCS_ERROR_INVALID_DATA,
    "process.capabilities.ambient[0]: unknown capability 'KILL'" },
  { OCI_WITH (", \"rlimits\": [{\"type\": \"RLIMIT_NOPE\", \"soft\": 1, \"hard\": 1}]", ""),
    HCS_ERROR_INVALID_DATA, "process.rlimits[0].type: unknown resource 'RLIMIT_NOPE'" },
  { OCI_WITH ("", ", \"linux\": {" OWN_NAMESPACES ", \"sysctl\": {\"kernel.panic\": \"1\"}}"),
    HCS_ERROR_INVALID_DATA, "linux.sysctl: 'kernel.panic': not a namespaced sysctl" },
  { OCI_WITH ("", ", \"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}"),
    HCS_ERROR_INVALID_DATA,
    "linux.sysctl: 'net.ipv4.ip_forward': the container shares the host's network namespace" },
  { OCI_WITH ("", ", \"linux\": {" OWN_NAMESPACES ", \"sysctl\": {\"kernel.shmmax\": "
                  "\"1\\nkernel.panic=1\"}}"),
    HCS_ERROR_INVALID_DATA, "linux.sysctl: 'kernel.shmmax': the value has a control character" },
  { OCI_WITH ("", ", \"linux\": {" OWN_NAMESPACES ", \"sysctl\": {\"net..x\": \"1\"}}"),
    HCS_ERROR_INVALID_DATA, "linux.sysctl: 'net..x': not a sysctl name" },
  { OCI_WITH ("", ", \"linux\": {" OWN_NAMESPACES ", \"sysctl\": {\"net/ipv4/x\": \"1\"}}"),
    HCS_ERROR_INVALID_DATA, "linux.sysctl: 'net/ipv4/x': not a sysctl name" },
  { OCI_WITH ("", ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\","
                  " \"source\": \"/tmp\", \"options\": [\"rbind\", \"bogus\"]}]"),
    HCS_ERROR_INVALID_DATA, "mounts[0] (/m): option 'bogus': unknown for a bind mount" },
  { OCI_WITH ("", ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\","
                  " \"source\": \"/tmp\", \"options\": [\"rbind\", \"idmap\"]}]"),
    HCS_ERROR_INVALID_DATA, "mounts[0] (/m): option 'idmap': idmapped mounts are not supported" },
  { OCI_WITH ("", ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"tmpfs\","
                  " \"options\": [\"src-nofollow\"]}]"),
    HCS_ERROR_INVALID_DATA, "mounts[0] (/m): option 'src-nofollow': only for a bind mount" },
  { "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"}, \"domainname\": \"d\",\n    \"linux\": {}}",
    HCS_ERROR_INVALID_DATA, "domainname: needs a uts namespace of its own" },
  /* Without a mount namespace ("linux" without "mount"), what only a
   * mount gives is refused. */
  { "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\", \"readonly\": true},"
    " \"linux\": {}}", HCS_ERROR_NOT_SUPPORTED, "root.readonly needs a mount namespace" },
  { OCI_WITH (", \"terminal\": true", ", \"linux\": {}"), HCS_ERROR_NOT_SUPPORTED,
    "process.terminal (a pty of the container's own devpts) needs a mount namespace" },
  { OCI_WITH ("", ", \"linux\": {\"rootfsPropagation\": \"rslave\"}"), HCS_ERROR_NOT_SUPPORTED,
    "linux.rootfsPropagation needs a mount namespace" },
  { OCI_WITH ("", ", \"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\","
                  " \"major\": 10, \"minor\": 229}]}"),
    HCS_ERROR_NOT_SUPPORTED, "linux.devices (made in a /dev of the container's own) needs" },
#undef OCI_WITH
#undef OWN_NAMESPACES
};

static void
test_bad (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsContainerConfig) config = parse_config (fixture, bad_cases[i].json);
      g_autoptr (HcsRuntimeSpec) spec =
          hcs_runtime_spec_new_for_container ("bad", config, fixture->layer_dir, &error);

      g_test_message ("%s", bad_cases[i].json);
      g_assert_null (spec);
      g_assert_error (error, HCS_ERROR, bad_cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "container 'bad': "));
      g_assert_nonnull (strstr (error->message, bad_cases[i].field));
    }

  /* A process with nothing to run, on a config and on an exec. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
    g_autoptr (HcsRuntimeSpec) spec = hcs_runtime_spec_new_for_exec ("bad", 1, process, &error);

    g_assert_null (spec);
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_true (g_str_has_prefix (error->message, "container 'bad': ProcessConfig"));
  }
  /* A mapped directory and a mount given relative paths in a struct built
   * by hand (the JSON parser refuses them already). */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (HcsContainerConfig) config = parse_config (fixture, "{\"VolumePath\": \"ROOT\"}");
    g_autoptr (HcsRuntimeSpec) spec = NULL;
    HcsMount *mount = g_new0 (HcsMount, 1);

    mount->destination = g_strdup ("tmp");
    mount->type = g_strdup ("tmpfs");
    config->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mount_free);
    g_ptr_array_add (config->mounts, mount);
    spec = hcs_runtime_spec_new_for_container ("bad", config, fixture->layer_dir, &error);
    g_assert_null (spec);
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "ContainerConfig.mounts[0]: 'tmp'"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (HcsContainerConfig) config = parse_config (fixture, "{\"VolumePath\": \"ROOT\"}");
    g_autoptr (HcsRuntimeSpec) spec = NULL;
    HcsMappedDirectory *dir = g_new0 (HcsMappedDirectory, 1);

    dir->host_path = g_strdup ("/srv");
    dir->container_path = g_strdup ("data");
    if (config->mapped_directories == NULL)
      config->mapped_directories =
          g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mapped_directory_free);
    g_ptr_array_add (config->mapped_directories, dir);
    spec = hcs_runtime_spec_new_for_container ("bad", config, fixture->layer_dir, &error);
    g_assert_null (spec);
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "ContainerConfig.MappedDirectories[0]"));
  }
  /* The scratch folder of the Layers case was not made. */
  {
    g_autofree char *scratch = g_build_filename (fixture->root, "s", NULL);
    g_assert_false (g_file_test (scratch, G_FILE_TEST_EXISTS));
  }
}

/* The cgroup fills in the workload's cgroup.procs files and turns a cgroup
 * mount into the container's own cgroup, bound read-only. */
static void
test_cgroup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"},"
               " \"mounts\": [{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\"},"
               " {\"destination\": \"/run\", \"type\": \"tmpfs\"}]}");
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL;
  g_auto (GStrv) procs = NULL;
  HcsRuntimeMount *mount;

  spec = hcs_runtime_spec_new_for_container ("spec", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  cgroup = hcs_runtime_cgroup_create (test_get_cgroup_parent (), "spec",
                                      HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
  hcs_runtime_spec_set_cgroup (spec, cgroup);

  procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  g_assert_cmpstrv (spec->cgroup_procs, procs);
  mount = find_mount (spec, "/sys/fs/cgroup");
  g_assert_nonnull (mount);
  if (hcs_runtime_cgroup_get_version (cgroup) == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      g_assert_cmpstr (mount->type, ==, "bind");
      g_assert_cmpstr (mount->source, ==, hcs_runtime_cgroup_get_path (cgroup, NULL));
      g_assert_true (g_strv_contains ((const char *const *) mount->options, "ro"));
    }
  else
    {
      HcsRuntimeMount *memory = find_mount (spec, "/sys/fs/cgroup/memory");

      g_assert_cmpstr (mount->type, ==, "tmpfs");
      g_assert_nonnull (memory);
      g_assert_cmpstr (memory->type, ==, "bind");
      g_assert_cmpstr (memory->source, ==, hcs_runtime_cgroup_get_path (cgroup, "memory"));
      g_assert_true (g_strv_contains ((const char *const *) memory->options, "ro"));
    }
  /* The other mounts stay, in their place: the last one. */
  mount = spec->mounts->pdata[spec->mounts->len - 1];
  g_assert_cmpstr (mount->destination, ==, "/run");
  for (guint i = 0; i < spec->mounts->len; i++)
    g_assert_cmpstr (((HcsRuntimeMount *) spec->mounts->pdata[i])->type, !=, "cgroup");

  g_assert_true (hcs_runtime_cgroup_destroy (cgroup, &error));
  g_assert_no_error (error);
}

static void
assert_same_process (const HcsRuntimeProcess *a, const HcsRuntimeProcess *b)
{
  g_assert_cmpstrv (a->args, b->args);
  g_assert_cmpstrv (a->env, b->env);
  g_assert_cmpstr (a->cwd, ==, b->cwd);
  g_assert_cmpstr (a->user, ==, b->user);
  g_assert_cmpint (a->terminal, ==, b->terminal);
  g_assert_cmpint (a->no_new_privileges, ==, b->no_new_privileges);
  g_assert_cmpint (a->seccomp, ==, b->seccomp);
  g_assert_cmpint (a->capabilities_given, ==, b->capabilities_given);
  g_assert_cmpstrv (a->cap_bounding, b->cap_bounding);
  g_assert_cmpstrv (a->cap_effective, b->cap_effective);
  g_assert_cmpstrv (a->cap_permitted, b->cap_permitted);
  g_assert_cmpstrv (a->cap_inheritable, b->cap_inheritable);
  g_assert_cmpstrv (a->cap_ambient, b->cap_ambient);
  g_assert_cmpint (a->rlimits ? a->rlimits->len : 0, ==, b->rlimits ? b->rlimits->len : 0);
  for (guint i = 0; a->rlimits && i < a->rlimits->len; i++)
    {
      HcsRuntimeRlimit *x = &g_array_index (a->rlimits, HcsRuntimeRlimit, i);
      HcsRuntimeRlimit *y = &g_array_index (b->rlimits, HcsRuntimeRlimit, i);
      g_assert_cmpstr (x->type, ==, y->type);
      g_assert_cmpuint (x->soft, ==, y->soft);
      g_assert_cmpuint (x->hard, ==, y->hard);
    }
  g_assert_cmpint (a->additional_gids ? a->additional_gids->len : 0, ==,
                   b->additional_gids ? b->additional_gids->len : 0);
  if (a->additional_gids != NULL)
    g_assert_cmpmem (a->additional_gids->data, a->additional_gids->len * sizeof (guint32),
                     b->additional_gids->data, b->additional_gids->len * sizeof (guint32));
  g_assert_cmpint (a->umask, ==, b->umask);
  g_assert_cmpint (a->has_oom_score_adj, ==, b->has_oom_score_adj);
  g_assert_cmpint (a->oom_score_adj, ==, b->oom_score_adj);
  g_assert_cmpstr (a->apparmor_profile, ==, b->apparmor_profile);
  g_assert_cmpstr (a->selinux_label, ==, b->selinux_label);
}

/* What the helper reads is what the host wrote, member for member. */
static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\", \"readonly\": true},"
               " \"domainname\": \"example.org\","
               " \"process\": {\"args\": [\"sh\", \"-c\", \"x\"], \"terminal\": true,"
               " \"consoleSize\": {\"height\": 10, \"width\": 20},"
               " \"user\": {\"uid\": 1, \"gid\": 2, \"additionalGids\": [5, 6], \"umask\": 0},"
               " \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
               " \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"],"
               " \"ambient\": []},"
               " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 100, \"hard\": 200}],"
               " \"oomScoreAdj\": 0, \"noNewPrivileges\": false, \"selinuxLabel\": \"l\"},"
               " \"mounts\": [{\"destination\": \"/tmp\", \"type\": \"tmpfs\","
               " \"options\": [\"size=1m\"]}],"
               " \"linux\": {\"resources\": {\"memory\": {\"limit\": 67108864}},"
               " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmax\": \"1000\"},"
               " \"maskedPaths\": [], \"readonlyPaths\": [\"/proc/sys\"],"
               " \"rootfsPropagation\": \"rslave\","
               " \"namespaces\": [{\"type\": \"network\"}, {\"type\": \"uts\"},"
               " {\"type\": \"ipc\"}, {\"type\": \"mount\"}]}}");
  g_autoptr (HcsRuntimeSpec) spec = NULL, back = NULL;
  g_autoptr (GBytes) bytes = NULL;

  spec = hcs_runtime_spec_new_for_container ("trip", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  /* What the OCI fields became. */
  g_assert_cmpstrv (spec->masked_paths, ((const char *[]) { NULL }));
  g_assert_cmpstrv (spec->readonly_paths, ((const char *[]) { "/proc/sys", NULL }));
  g_assert_cmpstrv (spec->sysctl, ((const char *[]) { "kernel.shmmax=1000",
                                                       "net.ipv4.ip_forward=1", NULL }));
  g_assert_cmpstr (spec->domainname, ==, "example.org");
  g_assert_cmpstr (spec->rootfs_propagation, ==, "rslave");
  g_assert_true (spec->process->capabilities_given);
  g_assert_cmpstrv (spec->process->cap_bounding, ((const char *[]) { "CAP_KILL", "CAP_CHOWN",
                                                                      NULL }));
  g_assert_cmpstrv (spec->process->cap_inheritable, ((const char *[]) { NULL }));
  g_assert_cmpuint (spec->process->rlimits->len, ==, 1);
  g_assert_cmpuint (spec->process->additional_gids->len, ==, 2);
  g_assert_cmpint (spec->process->umask, ==, 0);
  g_assert_true (spec->process->has_oom_score_adj);
  g_assert_false (spec->process->no_new_privileges);
  g_assert_cmpstr (spec->process->selinux_label, ==, "l");
  spec->cgroup_procs = g_strdupv ((char **) (const char *[]) { "/a/cgroup.procs", NULL });
  spec->process->seccomp = FALSE;
  spec->die_with_parent = TRUE;
  spec->detach = TRUE;
  spec->start_fifo = g_strdup ("/run/x/exec.fifo");

  bytes = hcs_runtime_spec_serialize (spec);
  back = hcs_runtime_spec_deserialize (bytes, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->id, ==, spec->id);
  g_assert_cmpstr (back->rootfs, ==, spec->rootfs);
  g_assert_cmpint (back->rootfs_readonly, ==, TRUE);
  g_assert_cmpstr (back->hostname, ==, spec->hostname);
  g_assert_cmpstr (back->net, ==, "new");
  g_assert_cmpstr (back->uts, ==, "new");
  g_assert_cmpstr (back->ipc, ==, "new");
  g_assert_cmpuint (back->mounts->len, ==, 1);
  g_assert_cmpstr (((HcsRuntimeMount *) back->mounts->pdata[0])->destination, ==, "/tmp");
  g_assert_cmpstrv (((HcsRuntimeMount *) back->mounts->pdata[0])->options,
                    ((const char *[]) { "size=1m", NULL }));
  g_assert_cmpstrv (back->masked_paths, spec->masked_paths);
  g_assert_cmpstrv (back->readonly_paths, spec->readonly_paths);
  g_assert_cmpstrv (back->sysctl, spec->sysctl);
  g_assert_cmpstr (back->domainname, ==, spec->domainname);
  g_assert_cmpstr (back->rootfs_propagation, ==, spec->rootfs_propagation);
  g_assert_cmpstrv (back->cgroup_procs, spec->cgroup_procs);
  g_assert_cmpmem (&back->resources, sizeof back->resources, &spec->resources,
                   sizeof spec->resources);
  g_assert_cmpint (back->resources.memory_maximum_in_mb, ==, 64);
  g_assert_cmpint (back->console_width, ==, 20);
  g_assert_cmpint (back->console_height, ==, 10);
  g_assert_true (back->die_with_parent);
  g_assert_true (back->detach);
  g_assert_cmpstr (back->start_fifo, ==, spec->start_fifo);
  assert_same_process (back->process, spec->process);

  /* An exec's, with its pid. */
  {
    g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
    g_autoptr (HcsRuntimeSpec) exec = NULL, exec_back = NULL;
    g_autoptr (GBytes) exec_bytes = NULL;

    process->command_args = g_strdupv ((char **) (const char *[]) { "ls", NULL });
    exec = hcs_runtime_spec_new_for_exec ("trip", 4242, process, &error);
    g_assert_no_error (error);
    exec_bytes = hcs_runtime_spec_serialize (exec);
    exec_back = hcs_runtime_spec_deserialize (exec_bytes, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (exec_back->pid, ==, 4242);
    g_assert_null (exec_back->rootfs);
    assert_same_process (exec_back->process, exec->process);
    /* As a create, it has no root. */
    g_assert_null (hcs_runtime_spec_deserialize (exec_bytes, TRUE, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
    g_assert_nonnull (strstr (error->message, "rootfs"));
  }
}

/* The OCI fields survive the schema1 JSON a monitor (or a guest) reads:
 * the spec made from the document read back is the same. */
static void
test_oci_json_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"},"
               " \"domainname\": \"example.org\","
               " \"process\": {\"args\": [\"sh\"],"
               " \"user\": {\"uid\": 1, \"gid\": 2, \"additionalGids\": [5], \"umask\": 0},"
               " \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [],"
               " \"permitted\": [\"CAP_KILL\"], \"inheritable\": [], \"ambient\": []},"
               " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20},"
               " {\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615,"
               " \"hard\": 18446744073709551615}],"
               " \"oomScoreAdj\": -5, \"noNewPrivileges\": false,"
               " \"apparmorProfile\": \"p\"},"
               " \"linux\": {\"sysctl\": {\"net.core.somaxconn\": \"512\"},"
               " \"maskedPaths\": [], \"readonlyPaths\": [\"/proc/sys\"],"
               " \"rootfsPropagation\": \"rshared\", \"cgroupsPath\": \"/a/b\","
               " \"resources\": {\"pids\": {\"limit\": 9}},"
               " \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10,"
               " \"minor\": 229}],"
               " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"},"
               " \"namespaces\": [{\"type\": \"network\"}, {\"type\": \"uts\"},"
               " {\"type\": \"mount\"}, {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"},"
               " {\"type\": \"user\"}, {\"type\": \"cgroup\"}],"
               " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],"
               " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 5}]},"
               " \"annotations\": {\"a\": \"b\"},"
               " \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"args\": [\"true\", \"x\"],"
               " \"env\": [\"A=1\"], \"timeout\": 5}], \"createContainer\": [{\"path\": \"/bin/false\"}],"
               " \"poststop\": [{\"path\": \"/bin/echo\"}]}}");
  g_autoptr (JsonNode) node = hcs_container_config_to_node (config);
  g_autoptr (HcsContainerConfig) back_config =
      hcs_container_config_from_node (node, NULL, &error);
  g_autoptr (HcsRuntimeSpec) spec = NULL, back = NULL;

  g_assert_no_error (error);
  /* Namespaces do not travel in schema1 (NEW when absent): as the OCI one. */
  back_config->network_namespace.mode = config->network_namespace.mode;
  back_config->uts_namespace.mode = config->uts_namespace.mode;
  back_config->ipc_namespace.mode = config->ipc_namespace.mode;
  spec = hcs_runtime_spec_new_for_container ("json", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  back = hcs_runtime_spec_new_for_container ("json", back_config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->domainname, ==, "example.org");
  g_assert_cmpstrv (back->masked_paths, spec->masked_paths);
  g_assert_cmpstrv (back->readonly_paths, spec->readonly_paths);
  g_assert_cmpstrv (back->sysctl, spec->sysctl);
  g_assert_cmpstr (back->rootfs_propagation, ==, "rshared");
  /* cgroupsPath, resources, devices and seccomp reach a monitor as given. */
  g_assert_cmpstr (back_config->oci_cgroups_path, ==, "/a/b");
  g_assert_cmpstr (back->oci_resources, ==, spec->oci_resources);
  g_assert_nonnull (strstr (back->oci_resources, "\"limit\":9"));
  g_assert_cmpuint (back->devices->len, ==, 1);
  g_assert_nonnull (back->seccomp_program);
  g_assert_true (g_bytes_equal (back->seccomp_program, spec->seccomp_program));
  assert_same_process (back->process, spec->process);
  g_assert_cmpuint (g_array_index (back->process->rlimits, HcsRuntimeRlimit, 1).hard, ==,
                    G_MAXUINT64);
  g_assert_false (back->process->no_new_privileges);
  /* So do linux.namespaces (a type absent is the host's), the id maps,
   * the hooks and the state they read. */
  g_assert_cmpstr (back->net, ==, "new");
  g_assert_cmpstr (back->uts, ==, "new");
  g_assert_cmpstr (back->ipc, ==, "host");
  g_assert_cmpstr (back->pid_ns, ==, "/proc/1/ns/pid");
  g_assert_cmpstr (back->user_ns, ==, "new");
  g_assert_cmpstr (back->cgroup_ns, ==, "new");
  g_assert_null (back->time_ns);
  g_assert_null (back->mnt_ns);
  g_assert_cmpstr (back->uid_map, ==, "0 1000 10\n");
  g_assert_cmpstr (back->gid_map, ==, "0 2000 5\n");
  g_assert_cmpstr (back->hook_state, ==, spec->hook_state);
  g_assert_nonnull (strstr (back->hook_state, "\"annotations\":{\"a\":\"b\"}"));
  for (guint kind = 0; kind < HCS_RUNTIME_HOOK_N_KINDS; kind++)
    {
      g_assert_cmpuint (back->hooks[kind] ? back->hooks[kind]->len : 0, ==,
                        spec->hooks[kind] ? spec->hooks[kind]->len : 0);
      for (guint i = 0; spec->hooks[kind] && i < spec->hooks[kind]->len; i++)
        {
          const HcsRuntimeHook *a = spec->hooks[kind]->pdata[i], *b = back->hooks[kind]->pdata[i];
          g_assert_cmpstr (a->path, ==, b->path);
          g_assert_cmpstrv (a->args, b->args);
          g_assert_cmpstrv (a->env, b->env);
          g_assert_cmpint (a->timeout, ==, b->timeout);
        }
    }
  g_assert_nonnull (back->hooks[HCS_RUNTIME_HOOK_PRESTART]);
  g_assert_nonnull (back_config->oci_hooks[HCS_OCI_HOOK_POSTSTOP]);
  g_assert_cmpstr (((HcsOciHook *) back_config->oci_hooks[HCS_OCI_HOOK_POSTSTOP]->pdata[0])->path,
                   ==, "/bin/echo");

  /* A ProcessConfig without them keeps the runtime's defaults. */
  {
    g_autoptr (HcsProcessConfig) plain = hcs_process_config_from_json (
        "{\"CommandLine\": \"true\", \"Oci\": {\"umask\": 18}}", &error);
    g_assert_no_error (error);
    g_assert_false (plain->no_new_privileges_given);
    g_assert_false (plain->capabilities_given);
    g_assert_true (plain->has_umask);
    g_assert_cmpuint (plain->umask, ==, 18);
  }
}

/* config.json's hooks: the helper's four kinds reach the spec with their
 * args, env and timeout, and the state they will read; poststart and
 * poststop stay the caller's. Bad hooks are refused naming the field. */
static void
test_hooks (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"},"
               " \"annotations\": {\"a\": \"b\"},"
               " \"hooks\": {\"prestart\": [{\"path\": \"/bin/p\", \"args\": [\"p\", \"1\"],"
               "   \"env\": [\"X=1\"], \"timeout\": 5}],"
               "  \"createContainer\": [{\"path\": \"/bin/c1\"}, {\"path\": \"/bin/c2\"}],"
               "  \"poststop\": [{\"path\": \"/bin/s\"}]}}");
  g_autoptr (HcsRuntimeSpec) spec = NULL, back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonNode) state = NULL;
  HcsRuntimeHook *hook;

  g_assert_nonnull (config->oci_hooks[HCS_OCI_HOOK_POSTSTOP]);
  g_assert_null (config->oci_hooks[HCS_OCI_HOOK_POSTSTART]);
  g_assert_cmpstr (config->oci_bundle, ==, fixture->temp_dir);
  spec = hcs_runtime_spec_new_for_container ("hooked", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  bytes = hcs_runtime_spec_serialize (spec);
  back = hcs_runtime_spec_deserialize (bytes, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->hooks[HCS_RUNTIME_HOOK_PRESTART]->len, ==, 1);
  hook = back->hooks[HCS_RUNTIME_HOOK_PRESTART]->pdata[0];
  g_assert_cmpstr (hook->path, ==, "/bin/p");
  g_assert_cmpstrv (hook->args, ((const char *[]) { "p", "1", NULL }));
  g_assert_cmpstrv (hook->env, ((const char *[]) { "X=1", NULL }));
  g_assert_cmpint (hook->timeout, ==, 5);
  g_assert_null (back->hooks[HCS_RUNTIME_HOOK_CREATE_RUNTIME]);
  g_assert_cmpuint (back->hooks[HCS_RUNTIME_HOOK_CREATE_CONTAINER]->len, ==, 2);
  hook = back->hooks[HCS_RUNTIME_HOOK_CREATE_CONTAINER]->pdata[1];
  g_assert_cmpstr (hook->path, ==, "/bin/c2");
  g_assert_null (hook->args);
  g_assert_null (hook->env);
  g_assert_null (back->hooks[HCS_RUNTIME_HOOK_START_CONTAINER]);
  state = json_from_string (back->hook_state, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (state), "id"), ==,
                   "hooked");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (state), "bundle"), ==,
                   fixture->temp_dir);
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (json_node_get_object (state),
                                                      "annotations"), "a"), ==, "b");

  /* Without hooks the spec carries none of it. */
  {
    g_autoptr (HcsContainerConfig) plain = parse_config (
        fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"}}");
    g_autoptr (HcsRuntimeSpec) plain_spec =
        hcs_runtime_spec_new_for_container ("plain", plain, fixture->layer_dir, &error);
    g_assert_no_error (error);
    g_assert_null (plain_spec->hook_state);
    for (guint kind = 0; kind < HCS_RUNTIME_HOOK_N_KINDS; kind++)
      g_assert_null (plain_spec->hooks[kind]);
  }

  for (const char *const *bad = (const char *const[]){
           "{\"prestart\": [{\"path\": \"relative\"}]}", "hooks.prestart[0].path",
           "{\"poststart\": [{\"path\": \"/x\", \"timeout\": 0}]}", "hooks.poststart[0].timeout",
           "{\"createRuntime\": [{\"path\": \"/x\", \"env\": [\"NOEQUALS\"]}]}",
           "hooks.createRuntime[0].env[0]",
           "{\"startContainer\": {\"path\": \"/x\"}}", "hooks.startContainer",
           "[]", "hooks", NULL };
       *bad; bad += 2)
    {
      g_autofree char *json = g_strdup_printf (
          "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"/\"}, \"hooks\": %s}", bad[0]);
      g_autoptr (GError) bad_error = NULL;
      g_autoptr (HcsContainerConfig) bad_config =
          hcs_container_config_from_json (json, NULL, &bad_error);

      g_assert_null (bad_config);
      g_assert_error (bad_error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_test_message ("%s: %s", bad[0], bad_error->message);
      g_assert_nonnull (strstr (bad_error->message, bad[1]));
    }
}

/* linux.namespaces beyond net, uts and ipc, and the id maps, reach the
 * helper's spec; schema1 keeps new pid and host cgroup, time and user. */
static void
test_namespaces (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"},"
               " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"},"
               "   {\"type\": \"cgroup\"}, {\"type\": \"time\", \"path\": \"/proc/1/ns/time\"}],"
               "  \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10},"
               "   {\"containerID\": 10, \"hostID\": 5000, \"size\": 1}],"
               "  \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 65536}]}}");
  g_autoptr (HcsContainerConfig) schema1 = parse_config (fixture, "{\"VolumePath\": \"ROOT\"}");
  g_autoptr (HcsRuntimeSpec) spec = NULL, back = NULL, plain = NULL;
  g_autoptr (GBytes) bytes = NULL;

  spec = hcs_runtime_spec_new_for_container ("ns", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  bytes = hcs_runtime_spec_serialize (spec);
  back = hcs_runtime_spec_deserialize (bytes, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->pid_ns, ==, "host");
  g_assert_cmpstr (back->net, ==, "host");
  g_assert_cmpstr (back->user_ns, ==, "new");
  g_assert_cmpstr (back->cgroup_ns, ==, "new");
  g_assert_cmpstr (back->time_ns, ==, "/proc/1/ns/time");
  g_assert_cmpstr (back->uid_map, ==, "0 1000 10\n10 5000 1\n");
  g_assert_cmpstr (back->gid_map, ==, "0 2000 65536\n");
  g_assert_null (back->mnt_ns);
  /* "linux" without "mount": the host's, where the root is chroot'ed into. */
  {
    g_autoptr (HcsContainerConfig) hosted = parse_config (
        fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"}, \"linux\": {}}");
    g_autoptr (HcsRuntimeSpec) hosted_spec =
        hcs_runtime_spec_new_for_container ("hosted", hosted, fixture->layer_dir, &error);
    g_autoptr (GBytes) hosted_bytes = NULL;
    g_autoptr (HcsRuntimeSpec) hosted_back = NULL;

    g_assert_no_error (error);
    hosted_bytes = hcs_runtime_spec_serialize (hosted_spec);
    hosted_back = hcs_runtime_spec_deserialize (hosted_bytes, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (hosted_back->mnt_ns, ==, "host");
  }

  /* Without linux.seccomp a config.json asks for no filter, as runc and
   * crun load none: an empty program, carried as it is. */
  g_assert_nonnull (back->seccomp_program);
  g_assert_cmpuint (g_bytes_get_size (back->seccomp_program), ==, 0);

  /* linux.seccomp: compiled when the spec is made, carried as it is. */
  {
    g_autoptr (HcsContainerConfig) filtered = parse_config (
        fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"},"
                 " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\","
                 "  \"syscalls\": [{\"names\": [\"read\", \"write\"],"
                 "   \"action\": \"SCMP_ACT_ALLOW\"}]}}}");
    g_autoptr (HcsRuntimeSpec) compiled =
        hcs_runtime_spec_new_for_container ("sc", filtered, fixture->layer_dir, &error);
    g_autoptr (HcsRuntimeSpec) compiled_back = NULL;
    g_autoptr (GBytes) compiled_bytes = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (compiled->seccomp_program);
    g_assert_cmpuint (g_bytes_get_size (compiled->seccomp_program) % 8, ==, 0);
    compiled_bytes = hcs_runtime_spec_serialize (compiled);
    compiled_back = hcs_runtime_spec_deserialize (compiled_bytes, TRUE, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (compiled_back->seccomp_program, compiled->seccomp_program));
  }

  plain = hcs_runtime_spec_new_for_container ("plain", schema1, fixture->layer_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain->pid_ns, ==, "new");
  g_assert_null (plain->cgroup_ns);
  g_assert_null (plain->time_ns);
  g_assert_null (plain->user_ns);
  g_assert_null (plain->uid_map);
}

/* Bytes that are not a spec: an error naming the member, never a crash. */
static void
test_bad_bytes (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *text;         /* GVariant text of an a{sv} */
    const char *member;
  } cases[] = {
    { "{'rootfs': <42>}", "rootfs" },
    { "{'rootfs': <'/r'>, 'overlay': <{'lower': <['/a']>}>}", "overlay" },
    { "{'rootfs': <'/r'>, 'mounts': <[{'destination': <'rel'>}]>}", "mounts[0].destination" },
    { "{'rootfs': <'/r'>, 'process': <{'args': <@as []>}>}", "process.args" },
    { "{'rootfs': <'/r'>, 'process': <{'args': <['a']>, 'seccomp': <'yes'>}>}",
      "process.seccomp" },
    { "{'rootfs': <'/r'>, 'namespaces': <{'net': <true>}>}", "namespaces.net" },
    { "{'rootfs': <'/r'>, 'resources': <{'pids_maximum': <'x'>}>}", "resources.pids_maximum" },
    { "{'rootfs': <'relative'>}", "rootfs" },
    { "{'rootfs': <'/r'>, 'hooks': <{'prestart': <[{'path': <'rel'>}]>}>}", "hooks.prestart[0]" },
    { "{'rootfs': <'/r'>, 'hooks': <{'createContainer': <'x'>}>}", "hooks.createContainer" },
    { "{'rootfs': <'/r'>, 'seccomp_program': <b'abc'>}", "seccomp_program" },
    { "{'rootfs': <'/r'>, 'devices': <[{'path': <'/dev/x'>, 'type': <'z'>}]>}", "devices[0]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) value = g_variant_parse (G_VARIANT_TYPE_VARDICT, cases[i].text, NULL,
                                                    NULL, &error);
      g_autoptr (GBytes) bytes = NULL;

      g_assert_no_error (error);
      bytes = g_variant_get_data_as_bytes (value);
      g_assert_null (hcs_runtime_spec_deserialize (bytes, TRUE, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
      g_test_message ("%s: %s", cases[i].text, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].member));
    }

  /* Garbage reads as an empty dictionary: a create without a root. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) garbage = g_bytes_new_static ("\xff\x01garbage", 9);

    g_assert_null (hcs_runtime_spec_deserialize (garbage, TRUE, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
#define ADD(path, function)                                                                  \
  g_test_add ("/runtime/spec/" path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)
  ADD ("container", test_container);
  ADD ("oci", test_oci);
  ADD ("hooks", test_hooks);
  ADD ("namespaces", test_namespaces);
  ADD ("layers", test_layers);
  ADD ("bad", test_bad);
  ADD ("round-trip", test_round_trip);
  ADD ("oci-json-round-trip", test_oci_json_round_trip);
  ADD ("bad-bytes", test_bad_bytes);
  if (geteuid () == 0)
    ADD ("cgroup", test_cgroup);
#undef ADD
  result = g_test_run ();
  test_assert_no_leftovers (NULL);
  test_cleanup_cgroup_parent ();
  return result;
}
