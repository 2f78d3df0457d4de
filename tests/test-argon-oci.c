/* test-argon-oci.c: the fields of an OCI config.json, each seen from inside
 * a real process-isolated container: capabilities, rlimits, identity,
 * sysctls, mounts and their options, what the root looks like.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  GKeyFile *options;
  HcsHost *host;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-argon-oci");
  fixture->options = test_make_options (fixture->temp_dir);
  fixture->host = hcs_host_new (fixture->options, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->host);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_key_file_unref (fixture->options);
}

/* A config.json whose process runs @script with sh, as @user_json, with
 * @process_json added to "process" and @rest_json to the document (each
 * may be "", else starts with a comma). ROOT stands for the busybox root. */
static HcsContainerConfig *
oci_config (const char *script, const char *user_json, const char *process_json,
            const char *rest_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) quoted = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) script_node = json_node_init_string (json_node_alloc (), script);
  g_autofree char *script_json = NULL, *json = NULL;
  g_autoptr (GString) text = NULL;
  HcsContainerConfig *config;

  json_generator_set_root (generator, script_node);
  script_json = json_generator_to_data (generator, NULL);
  json = g_strdup_printf ("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"ROOT\"},"
                          " \"process\": {\"args\": [\"/bin/sh\", \"-c\", %s],"
                          " \"env\": [\"PATH=/bin\"], \"cwd\": \"/\", \"user\": %s%s}%s}",
                          script_json, user_json ? user_json : "{\"uid\": 0, \"gid\": 0}",
                          process_json ? process_json : "", rest_json ? rest_json : "");
  text = g_string_new (json);
  g_string_replace (text, "ROOT", test_get_busybox_rootfs (), 0);
  config = hcs_container_config_from_json (text->str, NULL, &error);
  g_assert_no_error (error);
  return config;
}

/* Runs @config's process to its end: stdout, stderr and exit code. */
static char *
run_config (Fixture *fixture, const char *id, HcsContainerConfig *config, char **errors_out,
            int *exit_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autofree char *output = NULL, *errors = NULL;

  container = hcs_host_create_container (fixture->host, id, config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  hcs_container_start (container, &error);
  g_assert_no_error (error);
  hcs_process_close_stdin (init, &error);
  g_assert_no_error (error);
  output = test_read_all (hcs_process_get_stdout (init));
  errors = test_read_all (hcs_process_get_stderr (init));
  if (*errors)
    g_test_message ("%s stderr: %s", id, errors);
  hcs_container_wait_timeout (container, 30000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, exit_code, &error);
  g_assert_no_error (error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
  if (errors_out)
    *errors_out = g_steal_pointer (&errors);
  return g_steal_pointer (&output);
}

static char *
run_oci (Fixture *fixture, const char *id, const char *script, const char *user_json,
         const char *process_json, const char *rest_json)
{
  g_autoptr (HcsContainerConfig) config = oci_config (script, user_json, process_json, rest_json);
  g_autofree char *output = NULL;
  int exit_code = -1;

  output = run_config (fixture, id, config, NULL, &exit_code);
  g_assert_cmpint (exit_code, ==, 0);
  return g_steal_pointer (&output);
}

/* A create that must fail with a message holding @expected; nothing is
 * left (the fixture checks). */
static void
assert_create_fails (Fixture *fixture, const char *id, HcsContainerConfig *config,
                     const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainer) container =
      hcs_host_create_container (fixture->host, id, config, NULL, &error);

  if (container != NULL)
    {
      /* Refused at start (the helper's set-up): the init ends with 255 and
       * says why on stderr, or create itself failed. */
      g_autoptr (HcsProcess) init = hcs_container_get_init_process (container, &error);
      g_autofree char *errors = NULL;
      int exit_code = -1;

      g_assert_no_error (error);
      hcs_container_start (container, &error);
      if (error == NULL)
        {
          errors = test_read_all (hcs_process_get_stderr (init));
          hcs_container_wait_timeout (container, 10000, NULL, &error);
          g_assert_no_error (error);
          hcs_container_get_exit_code (container, &exit_code, &error);
          g_assert_cmpint (exit_code, ==, 255);
        }
      else
        errors = g_strdup (error->message);
      g_clear_error (&error);
      hcs_container_terminate (container, NULL);
      hcs_container_remove (container, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %s", id, errors);
      g_assert_nonnull (strstr (errors, expected));
      return;
    }
  g_test_message ("%s: %s", id, error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

#define STATUS_CAPS "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status | tr -s '\\t' ' '"

/* --- capabilities ----------------------------------------------------------- */

static void
test_capabilities (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  /* Each set as given: KILL 5, CHOWN 0, NET_BIND_SERVICE 10. Root's exec
   * makes its permitted and effective sets its bounding set (the kernel's
   * rule for uid 0, the same under runc and crun); inheritable stays. */
  output = run_oci (fixture, "caps-root", STATUS_CAPS, NULL,
                    ", \"capabilities\": {"
                    "\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\"],"
                    " \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
                    " \"inheritable\": [\"CAP_CHOWN\"], \"ambient\": []}",
                    NULL);
  g_assert_cmpstr (output, ==,
                   "CapInh: 0000000000000001\n"
                   "CapPrm: 0000000000000421\n"
                   "CapEff: 0000000000000421\n"
                   "CapBnd: 0000000000000421\n"
                   "CapAmb: 0000000000000000\n");
  g_clear_pointer (&output, g_free);

  /* Empty sets: nothing at all, the bounding set included. */
  output = run_oci (fixture, "caps-none", STATUS_CAPS, NULL,
                    ", \"capabilities\": {\"bounding\": [], \"effective\": [],"
                    " \"permitted\": [], \"inheritable\": [], \"ambient\": []}",
                    NULL);
  g_assert_cmpstr (output, ==,
                   "CapInh: 0000000000000000\n"
                   "CapPrm: 0000000000000000\n"
                   "CapEff: 0000000000000000\n"
                   "CapBnd: 0000000000000000\n"
                   "CapAmb: 0000000000000000\n");
  g_clear_pointer (&output, g_free);

  /* A user other than root keeps what is ambient across exec. */
  output = run_oci (fixture, "caps-ambient", STATUS_CAPS "; id -u", "{\"uid\": 1000, \"gid\": 1000}",
                    ", \"capabilities\": {\"bounding\": [\"CAP_NET_BIND_SERVICE\"],"
                    " \"effective\": [\"CAP_NET_BIND_SERVICE\"],"
                    " \"permitted\": [\"CAP_NET_BIND_SERVICE\"],"
                    " \"inheritable\": [\"CAP_NET_BIND_SERVICE\"],"
                    " \"ambient\": [\"CAP_NET_BIND_SERVICE\"]}",
                    NULL);
  g_assert_cmpstr (output, ==,
                   "CapInh: 0000000000000400\n"
                   "CapPrm: 0000000000000400\n"
                   "CapEff: 0000000000000400\n"
                   "CapBnd: 0000000000000400\n"
                   "CapAmb: 0000000000000400\n"
                   "1000\n");
  g_clear_pointer (&output, g_free);

  /* runc's own default spec: ambient names what is not inheritable. The
   * kernel cannot raise those; runc and crun run the container without
   * them, and so does hcs. */
  output = run_oci (fixture, "caps-ambient-alone", STATUS_CAPS, "{\"uid\": 1000, \"gid\": 1000}",
                    ", \"capabilities\": {\"bounding\": [\"CAP_KILL\"],"
                    " \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"],"
                    " \"ambient\": [\"CAP_KILL\"]}",
                    NULL);
  g_assert_cmpstr (output, ==,
                   "CapInh: 0000000000000000\n"
                   "CapPrm: 0000000000000000\n"
                   "CapEff: 0000000000000000\n"
                   "CapBnd: 0000000000000020\n"
                   "CapAmb: 0000000000000000\n");
  g_clear_pointer (&output, g_free);

  /* Capabilities above 31 go in capset()'s second word: KILL 5,
   * SYSLOG 34 and AUDIT_READ 37 in every set of a non-root user. */
  output = run_oci (fixture, "caps-upper-word", STATUS_CAPS, "{\"uid\": 1000, \"gid\": 1000}",
                    ", \"capabilities\": {"
                    "\"bounding\": [\"CAP_KILL\", \"CAP_SYSLOG\", \"CAP_AUDIT_READ\"],"
                    " \"effective\": [\"CAP_KILL\", \"CAP_SYSLOG\", \"CAP_AUDIT_READ\"],"
                    " \"permitted\": [\"CAP_KILL\", \"CAP_SYSLOG\", \"CAP_AUDIT_READ\"],"
                    " \"inheritable\": [\"CAP_KILL\", \"CAP_SYSLOG\", \"CAP_AUDIT_READ\"],"
                    " \"ambient\": [\"CAP_KILL\", \"CAP_SYSLOG\", \"CAP_AUDIT_READ\"]}",
                    NULL);
  g_assert_cmpstr (output, ==,
                   "CapInh: 0000002400000020\n"
                   "CapPrm: 0000002400000020\n"
                   "CapEff: 0000002400000020\n"
                   "CapBnd: 0000002400000020\n"
                   "CapAmb: 0000002400000020\n");
  g_clear_pointer (&output, g_free);

  /* Without the field: the OCI default set, and nothing inheritable. */
  output = run_oci (fixture, "caps-default", STATUS_CAPS, NULL, NULL, NULL);
  g_assert_cmpstr (output, ==,
                   "CapInh: 0000000000000000\n"
                   "CapPrm: 00000000a80425fb\n"
                   "CapEff: 00000000a80425fb\n"
                   "CapBnd: 00000000a80425fb\n"
                   "CapAmb: 0000000000000000\n");
}

static void
test_capabilities_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) unknown = oci_config (
      "true", NULL, ", \"capabilities\": {\"effective\": [\"CAP_NO_SUCH\"]}", NULL);

  assert_create_fails (fixture, "caps-unknown", unknown,
                       "process.capabilities.effective[0]: unknown capability 'CAP_NO_SUCH'");
}

/* --- mounts --------------------------------------------------------------------- */

static void
test_mount_src_nofollow (Fixture *fixture, gconstpointer data)
{
  g_autofree char *target = g_build_filename (fixture->temp_dir, "host-secret", NULL);
  g_autofree char *link = g_build_filename (fixture->temp_dir, "link", NULL);
  g_autofree char *rest = NULL, *output = NULL, *followed = NULL;

  g_assert_true (g_file_set_contents (target, "host secret\n", -1, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);

  /* Without the option, the link is followed (runc does the same). */
  rest = g_strdup_printf (", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\","
                          " \"source\": \"%s\", \"options\": [\"bind\"]}]", link);
  followed = run_oci (fixture, "follow", "cat /m", NULL, NULL, rest);
  g_assert_cmpstr (followed, ==, "host secret\n");
  g_clear_pointer (&rest, g_free);

  /* With it, /m is the symlink itself, which leads nowhere in the root. */
  rest = g_strdup_printf (", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\","
                          " \"source\": \"%s\", \"options\": [\"bind\", \"src-nofollow\"]}]",
                          link);
  output = run_oci (fixture, "nofollow",
                    "test -L /m && echo link; cat /m 2>/dev/null || echo not-followed", NULL,
                    NULL, rest);
  g_assert_cmpstr (output, ==, "link\nnot-followed\n");
}

static void
test_mount_unknown_option (Fixture *fixture, gconstpointer data)
{
  g_autofree char *rest = g_strdup_printf (
      ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"rbind\", \"nosuidd\"]}]", fixture->temp_dir);
  g_autoptr (HcsContainerConfig) config = oci_config ("true", NULL, NULL, rest);
  g_autoptr (HcsContainerConfig) tmpfs = oci_config (
      "true", NULL, NULL,
      ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
      " \"options\": [\"nosuid\", \"no-such-tmpfs-option\"]}]");

  assert_create_fails (fixture, "unknown-option", config, "option 'nosuidd': unknown");
  /* The file system's own refuses what it does not know, named. */
  assert_create_fails (fixture, "unknown-tmpfs-option", tmpfs, "/m");
}

/* A file system's "key=value" on a bind mount is accepted, as runc and
 * crun do (mount(2) ignores MS_BIND's data): runtime-tools binds with
 * "mode=755". */
static void
test_mount_bind_data_option (Fixture *fixture, gconstpointer data)
{
  g_autofree char *file = g_build_filename (fixture->temp_dir, "seen", NULL);
  g_autofree char *rest = g_strdup_printf (
      ", \"mounts\": [{\"destination\": \"/bind-data\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"rbind\", \"mode=755\"]}]", fixture->temp_dir);
  g_autofree char *output = NULL;

  g_assert_true (g_file_set_contents (file, "bound\n", -1, NULL));
  output = run_oci (fixture, "bind-data", "cat /bind-data/seen", NULL, NULL, rest);
  g_assert_cmpstr (output, ==, "bound\n");
}

/* Mount points that are not in the image are made, each step resolved
 * in the root: a tmpfs three folders deep, a file bound in the folder the
 * first made, and a destination given with a trailing "/". */
static void
test_mount_new_paths (Fixture *fixture, gconstpointer data)
{
  g_autofree char *file = g_build_filename (fixture->temp_dir, "host-file", NULL);
  g_autofree char *rest = g_strdup_printf (
      ", \"mounts\": [{\"destination\": \"/made/deep/dir\", \"type\": \"tmpfs\","
      " \"source\": \"tmpfs\"},"
      " {\"destination\": \"/made/file\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"bind\"]},"
      " {\"destination\": \"/made/trailing/\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]",
      file);
  g_autofree char *output = NULL;

  g_assert_true (g_file_set_contents (file, "host file\n", -1, NULL));
  output = run_oci (fixture, "new-paths",
                    "cat /made/file; test -f /made/file && echo file;"
                    " grep -o ' /made/[a-z/]* tmpfs' /proc/self/mounts;"
                    " grep -c ' / tmpfs' /proc/self/mounts || true",
                    NULL, NULL, rest);
  g_assert_cmpstr (output, ==,
                   "host file\nfile\n /made/deep/dir tmpfs\n /made/trailing tmpfs\n0\n");
}

/* linux.cgroupsPath: the container's cgroup is that path from each
 * hierarchy's root (absolute) instead of PARENT/ID, and goes with it. */
static void
test_cgroups_path (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_strdup_printf ("/%s/oci/placed", test_get_cgroup_parent ());
  g_autofree char *rest = g_strdup_printf (", \"linux\": {\"cgroupsPath\": \"%s\","
                                           " \"namespaces\": [{\"type\": \"mount\"}],"
                                           " \"resources\": {\"pids\": {\"limit\": 77}}}",
                                           path);
  g_autoptr (HcsContainerConfig) config = oci_config ("cat /proc/self/cgroup", NULL, NULL, rest);
  g_autoptr (HcsContainerConfig) bad = oci_config (
      "true", NULL, NULL, ", \"linux\": {\"cgroupsPath\": \"/a/../../b\"}");
  g_autofree char *output = NULL, *pids_max = NULL, *pids_dir = NULL, *pids_leaf = NULL;
  g_autoptr (GPtrArray) cgroup_mounts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsContainer) container = NULL;
  int exit_code = -1;

  container = hcs_host_create_container (fixture->host, "placed", config, NULL, &error);
  g_assert_no_error (error);
  /* The limit is written in the cgroup the path names. */
  for (const char *const *root = (const char *const[]){ "/sys/fs/cgroup/pids", "/sys/fs/cgroup",
                                                        NULL };
       *root && pids_max == NULL; root++)
    {
      g_autofree char *file = g_build_filename (*root, path, "pids.max", NULL);
      if (g_file_get_contents (file, &pids_max, NULL, NULL))
        pids_leaf = g_build_filename (*root, path, NULL);
    }
  g_assert_nonnull (pids_max);
  g_assert_cmpstr (g_strstrip (pids_max), ==, "77");
  {
    g_autoptr (HcsProcess) init = hcs_container_get_init_process (container, &error);
    g_assert_no_error (error);
    hcs_container_start (container, &error);
    g_assert_no_error (error);
    hcs_process_close_stdin (init, &error);
    output = test_read_all (hcs_process_get_stdout (init));
    hcs_container_wait_timeout (container, 30000, NULL, &error);
    g_assert_no_error (error);
    hcs_container_get_exit_code (container, &exit_code, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_nonnull (strstr (output, path));
  /* Opened again by id, the state keeps the path: remove finds the cgroup. */
  g_clear_object (&container);
  container = hcs_host_open_container (fixture->host, "placed", &error);
  g_assert_no_error (error);
  hcs_container_remove (container, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (pids_leaf, G_FILE_TEST_EXISTS));
  /* As runc, the levels above stay: the test removes its own. */
  pids_dir = g_path_get_dirname (pids_leaf);
  {
    g_autofree char *contents = NULL;
    g_auto (GStrv) lines = NULL;

    g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    for (guint i = 0; lines[i]; i++)
      {
        g_auto (GStrv) fields = g_strsplit (lines[i], " ", -1);
        if (g_strv_length (fields) > 4 && strstr (lines[i], " - cgroup") != NULL)
          {
            g_autofree char *level = g_build_filename (fields[4], test_get_cgroup_parent (),
                                                       "oci", NULL);
            g_assert_true (g_rmdir (level) == 0 || errno == ENOENT);
          }
      }
  }

  assert_create_fails (fixture, "bad-path", bad, "linux.cgroupsPath");
}

static void
test_mount_options (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = g_build_filename (fixture->temp_dir, "source", NULL);
  g_autofree char *sub = g_build_filename (source, "sub", NULL);
  g_autofree char *file = g_build_filename (source, "file", NULL);
  g_autofree char *link = g_build_filename (source, "link", NULL);
  g_autofree char *rest = NULL, *output = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, "data\n", -1, NULL));
  g_assert_cmpint (symlink ("file", link), ==, 0);
  /* A mount below the source: only a recursive option reaches it. */
  g_assert_cmpint (mount ("tmpfs", sub, "tmpfs", 0, "size=64k"), ==, 0);

  rest = g_strdup_printf (
      ", \"mounts\": ["
      "{\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"rbind\", \"ro\"]},"
      "{\"destination\": \"/rro\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"rbind\", \"rro\"]},"
      "{\"destination\": \"/nosym\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"rbind\", \"nosymfollow\"]},"
      "{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"bind\", \"shared\"]},"
      "{\"destination\": \"/private\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"bind\", \"private\"]}]",
      source, source, source, source, source);
  output = run_oci (
      fixture, "mount-options",
      "touch /ro/sub/x 2>/dev/null && echo ro-sub-rw || echo ro-sub-ro;"
      " touch /rro/sub/x 2>/dev/null && echo rro-sub-rw || echo rro-sub-ro;"
      " cat /rro/link; cat /nosym/link 2>/dev/null || echo nosymfollow;"
      " awk '$5 == \"/shared\" { print ($7 ~ /^shared:/) ? \"shared\" : \"not-shared\" }'"
      " /proc/self/mountinfo;"
      " awk '$5 == \"/private\" { print ($7 ~ /^shared:/) ? \"shared\" : \"private\" }'"
      " /proc/self/mountinfo",
      NULL, NULL, rest);
  g_assert_cmpint (umount2 (sub, MNT_DETACH), ==, 0);
  g_assert_cmpstr (output, ==,
                   "ro-sub-rw\n"
                   "rro-sub-ro\n"
                   "data\n"
                   "nosymfollow\n"
                   "shared\n"
                   "private\n");
}

static void
test_mount_idmap_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *rest = g_strdup_printf (
      ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"%s\","
      " \"options\": [\"rbind\", \"idmap\"]}]", fixture->temp_dir);
  g_autoptr (HcsContainerConfig) config = oci_config ("true", NULL, NULL, rest);

  assert_create_fails (fixture, "idmap", config, "idmapped mounts are not supported");
}

/* --- the root ------------------------------------------------------------------- */

/* An image whose /proc (or /sys) is a symlink, even one that stays inside
 * the root: refused, and procfs is mounted nowhere. */
static void
assert_symlinked_refused (Fixture *fixture, const char *name, const char *points_to)
{
  g_autofree char *layer = g_build_filename (fixture->temp_dir, name, NULL);
  g_autofree char *link = g_build_filename (layer, name, NULL);
  g_autofree char *scratch = g_strdup_printf ("%s/scratch-%s", fixture->temp_dir, name);
  g_autofree char *expected = g_strdup_printf ("/%s: a symlink in the image: must be mounted "
                                               "on ordinary directory", name);
  g_autoptr (HcsContainerConfig) config = oci_config ("true", NULL, NULL, NULL);
  HcsLayer *top, *base;

  g_assert_cmpint (g_mkdir_with_parents (layer, 0755), ==, 0);
  g_assert_cmpint (symlink (points_to, link), ==, 0);
  g_clear_pointer (&config->volume_path, g_free);
  config->layer_folder_path = g_strdup (scratch);
  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  top = g_new0 (HcsLayer, 1);
  top->id = g_strdup (name);
  top->path = g_strdup (layer);
  base = g_new0 (HcsLayer, 1);
  base->id = g_strdup ("busybox");
  base->path = g_strdup (test_get_busybox_rootfs ());
  g_ptr_array_add (config->layers, top);
  g_ptr_array_add (config->layers, base);
  assert_create_fails (fixture, name, config, expected);
}

static void
test_proc_sys_symlink_refused (Fixture *fixture, gconstpointer data)
{
  assert_symlinked_refused (fixture, "proc", "tmp");
  assert_symlinked_refused (fixture, "sys", "/tmp");
}

static void
test_dev_modes (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  output = run_oci (fixture, "dev-modes",
                    "stat -c '%n %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom"
                    " /dev/tty; echo x > /dev/null && echo written",
                    "{\"uid\": 1000, \"gid\": 1000}", NULL, NULL);
  g_assert_cmpstr (output, ==,
                   "/dev/null 666\n/dev/zero 666\n/dev/full 666\n/dev/random 666\n"
                   "/dev/urandom 666\n/dev/tty 666\nwritten\n");
}

/* --- sysctl ------------------------------------------------------------------- */

#define OWN_NAMESPACES                                                                      \
  "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"network\"},"   \
  " {\"type\": \"ipc\"}, {\"type\": \"uts\"}]"

static void
test_sysctl (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;
  g_autofree char *host_before = NULL, *host_after = NULL;

  g_assert_true (g_file_get_contents ("/proc/sys/kernel/shmmni", &host_before, NULL, NULL));
  output = run_oci (fixture, "sysctl",
                    "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"
                    " /proc/sys/net/ipv4/ip_local_port_range /proc/sys/kernel/domainname",
                    NULL, NULL,
                    ", \"linux\": {" OWN_NAMESPACES ", \"sysctl\": {"
                    "\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmni\": \"1234\","
                    " \"net.ipv4.ip_local_port_range\": \"2000\\t3000\","
                    " \"kernel.domainname\": \"sysctl.example\"}}");
  g_assert_cmpstr (output, ==, "1\n1234\n2000\t3000\nsysctl.example\n");
  /* The host's own stayed as it was. */
  g_assert_true (g_file_get_contents ("/proc/sys/kernel/shmmni", &host_after, NULL, NULL));
  g_assert_cmpstr (host_after, ==, host_before);
}

static void
test_sysctl_refused (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *linux_json;
    const char *expected;
  } cases[] = {
    { "{" OWN_NAMESPACES ", \"sysctl\": {\"kernel.panic\": \"1\"}}",
      "linux.sysctl: 'kernel.panic': not a namespaced sysctl" },
    { "{" OWN_NAMESPACES ", \"sysctl\": {\"vm.swappiness\": \"1\"}}",
      "linux.sysctl: 'vm.swappiness': not a namespaced sysctl" },
    { "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
      " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}",
      "'net.ipv4.ip_forward': the container shares the host's network namespace" },
    { "{" OWN_NAMESPACES ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\\nkernel.panic=1\"}}",
      "'net.ipv4.ip_forward': the value has a control character" },
    { "{" OWN_NAMESPACES ", \"sysctl\": {\"net.ipv4.conf.all/../../../kernel/panic\": \"1\"}}",
      "not a sysctl name" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *rest = g_strdup_printf (", \"linux\": %s", cases[i].linux_json);
      g_autoptr (HcsContainerConfig) config = oci_config ("true", NULL, NULL, rest);

      assert_create_fails (fixture, "sysctl-refused", config, cases[i].expected);
    }
}

/* --- process fields -------------------------------------------------------------- */

static void
test_process_fields (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  output = run_oci (
      fixture, "process-fields",
      "ulimit -n; ulimit -Hn; ulimit -s; grep -E '^(Groups|NoNewPrivs|Seccomp):' /proc/self/status"
      " | tr -s '\\t' ' '; umask; cat /proc/self/oom_score_adj",
      "{\"uid\": 1000, \"gid\": 1000, \"additionalGids\": [10, 20], \"umask\": 63}",
      ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 123, \"hard\": 456},"
      " {\"type\": \"RLIMIT_STACK\", \"soft\": 4194304, \"hard\": 4194304}],"
      " \"oomScoreAdj\": 500, \"noNewPrivileges\": true",
      NULL);
  /* No linux.seccomp: no filter, as runc and crun load none. */
  g_assert_cmpstr (output, ==,
                   "123\n456\n4096\nGroups: 10 20 \nNoNewPrivs: 1\nSeccomp: 0\n0077\n500\n");
  g_clear_pointer (&output, g_free);

  /* noNewPrivileges false (also its absence): no no_new_privs, and
   * linux.seccomp's filter all the same (loaded while CAP_SYS_ADMIN is
   * ours); umask and oomScoreAdj keep their defaults. */
  output = run_oci (fixture, "no-new-privs-false",
                    "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t' ' '; umask",
                    "{\"uid\": 1000, \"gid\": 1000}", ", \"noNewPrivileges\": false",
                    ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
                    " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}");
  g_assert_cmpstr (output, ==, "NoNewPrivs: 0\nSeccomp: 2\n0022\n");
}

static void
test_lsm_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsContainerConfig) apparmor =
      oci_config ("true", NULL, ", \"apparmorProfile\": \"hcs-test\"", NULL);
  g_autoptr (HcsContainerConfig) selinux =
      oci_config ("true", NULL, ", \"selinuxLabel\": \"system_u:system_r:container_t:s0\"",
                  NULL);
  gboolean has_apparmor = FALSE, has_selinux = FALSE;
  g_autofree char *enabled = NULL, *filesystems = NULL;

  /* Only where the host has no such LSM: there it must be refused. */
  if (g_file_get_contents ("/sys/module/apparmor/parameters/enabled", &enabled, NULL, NULL))
    has_apparmor = enabled[0] == 'Y';
  if (g_file_get_contents ("/proc/filesystems", &filesystems, NULL, NULL))
    has_selinux = strstr (filesystems, "selinuxfs") != NULL;
  if (!has_apparmor)
    assert_create_fails (fixture, "apparmor", apparmor,
                         "process.apparmorProfile 'hcs-test': AppArmor is not enabled");
  if (!has_selinux)
    assert_create_fails (fixture, "selinux", selinux,
                         "process.selinuxLabel 'system_u:system_r:container_t:s0': SELinux is "
                         "not enabled");
  if (has_apparmor && has_selinux)
    g_test_skip ("this host has both AppArmor and SELinux");
}

/* --- the container ------------------------------------------------------------------ */

static void
test_names_and_readonly_root (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;
  g_autofree char *rest = g_strdup_printf (
      ", \"hostname\": \"oci-host\", \"domainname\": \"oci.example\","
      " \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"linux\": {" OWN_NAMESPACES "}",
      test_get_busybox_rootfs ());

  output = run_oci (fixture, "names",
                    "hostname; cat /proc/sys/kernel/domainname;"
                    " touch /x 2>/dev/null && echo root-rw || echo root-ro",
                    NULL, NULL, rest);
  g_assert_cmpstr (output, ==, "oci-host\noci.example\nroot-ro\n");
}

/* Its own network's sysctls are the container's to write with this. */
#define NET_ADMIN                                                                            \
  ", \"capabilities\": {\"bounding\": [\"CAP_NET_ADMIN\"], \"effective\": [\"CAP_NET_ADMIN\"],"  \
  " \"permitted\": [\"CAP_NET_ADMIN\"]}"

static void
test_masked_and_readonly_paths (Fixture *fixture, gconstpointer data)
{
  g_autofree char *output = NULL;

  /* Given, they replace the defaults: /proc/timer_list is not masked, and
   * /proc/sys is writable where the container has its own namespace. */
  output = run_oci (fixture, "paths",
                    "wc -c < /proc/cpuinfo; head -c1 /proc/timer_list | wc -c;"
                    " touch /etc/x 2>/dev/null && echo etc-rw || echo etc-ro;"
                    " echo 1 > /proc/sys/net/ipv4/ip_forward && echo sys-rw",
                    NULL, NET_ADMIN,
                    ", \"linux\": {" OWN_NAMESPACES ", \"maskedPaths\": [\"/proc/cpuinfo\"],"
                    " \"readonlyPaths\": [\"/etc\"]}");
  g_assert_cmpstr (output, ==, "0\n1\netc-ro\nsys-rw\n");
  g_clear_pointer (&output, g_free);

  /* Empty lists: nothing masked, nothing made read-only. */
  output = run_oci (fixture, "paths-empty",
                    "head -c1 /proc/timer_list | wc -c;"
                    " echo 1 > /proc/sys/net/ipv4/ip_forward && echo sys-rw",
                    NULL, NET_ADMIN,
                    ", \"linux\": {" OWN_NAMESPACES ", \"maskedPaths\": [],"
                    " \"readonlyPaths\": []}");
  g_assert_cmpstr (output, ==, "1\nsys-rw\n");
}

static void
test_rootfs_propagation (Fixture *fixture, gconstpointer data)
{
  static const char *const script =
      "awk '$5 == \"/\" { print ($7 ~ /^shared:/) ? \"shared\" : \"private\" }'"
      " /proc/self/mountinfo";
  g_autofree char *shared = NULL, *private = NULL, *slave = NULL;

  shared = run_oci (fixture, "propagation-shared", script, NULL, NULL,
                    ", \"linux\": {" OWN_NAMESPACES ", \"rootfsPropagation\": \"rshared\"}");
  g_assert_cmpstr (shared, ==, "shared\n");
  private = run_oci (fixture, "propagation-private", script, NULL, NULL,
                     ", \"linux\": {" OWN_NAMESPACES ", \"rootfsPropagation\": \"private\"}");
  g_assert_cmpstr (private, ==, "private\n");
  /* rslave keeps the host's mounts reaching the root; this host's own root
   * is private, so there is no master to show: only that it runs. */
  slave = run_oci (fixture, "propagation-slave", script, NULL, NULL,
                   ", \"linux\": {" OWN_NAMESPACES ", \"rootfsPropagation\": \"rslave\"}");
  g_assert_cmpstr (slave, ==, "private\n");
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (getuid () != 0)
    {
      g_test_skip ("argon needs root");
      return 0;
    }

#define ADD(path, func) \
  g_test_add ("/argon/oci/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("capabilities", test_capabilities);
  ADD ("capabilities-refused", test_capabilities_refused);
  ADD ("mount-src-nofollow", test_mount_src_nofollow);
  ADD ("mount-unknown-option", test_mount_unknown_option);
  ADD ("mount-options", test_mount_options);
  ADD ("mount-bind-data-option", test_mount_bind_data_option);
  ADD ("mount-new-paths", test_mount_new_paths);
  ADD ("cgroups-path", test_cgroups_path);
  ADD ("mount-idmap-refused", test_mount_idmap_refused);
  ADD ("proc-sys-symlink-refused", test_proc_sys_symlink_refused);
  ADD ("dev-modes", test_dev_modes);
  ADD ("sysctl", test_sysctl);
  ADD ("sysctl-refused", test_sysctl_refused);
  ADD ("process-fields", test_process_fields);
  ADD ("lsm-refused", test_lsm_refused);
  ADD ("names-and-readonly-root", test_names_and_readonly_root);
  ADD ("masked-and-readonly-paths", test_masked_and_readonly_paths);
  ADD ("rootfs-propagation", test_rootfs_propagation);
#undef ADD

  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
