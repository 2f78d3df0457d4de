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
  g_assert_cmpstrv (a->capabilities, b->capabilities);
  g_assert_cmpint (a->no_new_privileges, ==, b->no_new_privileges);
  g_assert_cmpint (a->seccomp, ==, b->seccomp);
}

/* What the helper reads is what the host wrote, member for member. */
static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainerConfig) config = parse_config (
      fixture, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\", \"readonly\": true},"
               " \"process\": {\"args\": [\"sh\", \"-c\", \"x\"], \"terminal\": true,"
               " \"consoleSize\": {\"height\": 10, \"width\": 20}},"
               " \"mounts\": [{\"destination\": \"/tmp\", \"type\": \"tmpfs\","
               " \"options\": [\"size=1m\"]}],"
               " \"linux\": {\"resources\": {\"memory\": {\"limit\": 67108864}},"
               " \"namespaces\": [{\"type\": \"network\"}, {\"type\": \"uts\"}]}}");
  g_autoptr (HcsRuntimeSpec) spec = NULL, back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const char *const capabilities[] = { "CAP_KILL", NULL };

  spec = hcs_runtime_spec_new_for_container ("trip", config, fixture->layer_dir, &error);
  g_assert_no_error (error);
  spec->masked_paths = g_strdupv ((char **) capabilities);
  spec->cgroup_procs = g_strdupv ((char **) (const char *[]) { "/a/cgroup.procs", NULL });
  spec->process->capabilities = g_strdupv ((char **) capabilities);
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
  g_assert_cmpstr (back->ipc, ==, "host");
  g_assert_cmpuint (back->mounts->len, ==, 1);
  g_assert_cmpstr (((HcsRuntimeMount *) back->mounts->pdata[0])->destination, ==, "/tmp");
  g_assert_cmpstrv (((HcsRuntimeMount *) back->mounts->pdata[0])->options,
                    ((const char *[]) { "size=1m", NULL }));
  g_assert_cmpstrv (back->masked_paths, spec->masked_paths);
  g_assert_null (back->readonly_paths);
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
  ADD ("layers", test_layers);
  ADD ("bad", test_bad);
  ADD ("round-trip", test_round_trip);
  ADD ("bad-bytes", test_bad_bytes);
  if (geteuid () == 0)
    ADD ("cgroup", test_cgroup);
#undef ADD
  result = g_test_run ();
  test_assert_no_leftovers (NULL);
  test_cleanup_cgroup_parent ();
  return result;
}
