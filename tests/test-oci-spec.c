/* test-oci-spec.c: config.json to the helper's spec both ways, the full
 * path's (hcs_container_config_from_json, what hcsctl's create checks,
 * hcs_runtime_spec_new_for_container as argon calls it) and the GLib-only
 * one (hcs_runtime_spec_new_for_oci_config), compared byte for byte as
 * hcs_runtime_spec_serialize writes them.
 *
 * The corpus is tests/data/oci-spec: y_*.json are translated and must
 * give the full path's spec; n_*.json hold what is not translated and
 * x_*.json what the full path refuses, both declined with a reason that
 * starts with the member named in the .expect file beside them (and the
 * x_ ones refused by the full path too). "@ROOT@" in a file is an
 * absolute root folder; "rootfs" is one beside config.json. runc's and
 * hcsctl's own default specs are made at run time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-json.h"
#include "hcs-runtime-cgroup.h"
#include "hcs-runtime-config.h"
#include "hcs-runtime-oci-spec.h"

#include <glib/gstdio.h>
#include <string.h>

#define CONTAINER_ID "oci-spec-test"

/* config.json's 4 MiB, as the full path reads it. */
#define MAX_CONFIG_LENGTH (4 * 1024 * 1024)

typedef struct {
  char *temp_dir;
  char *bundle;               /* with rootfs/ and a config.json file */
  char *root;                 /* an absolute root folder: "@ROOT@" */
  char *layer_dir;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *rootfs = NULL, *config_path = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-oci-spec");
  fixture->bundle = g_build_filename (fixture->temp_dir, "bundle", NULL);
  fixture->root = g_build_filename (fixture->temp_dir, "root", NULL);
  fixture->layer_dir = g_build_filename (fixture->temp_dir, "layers", NULL);
  rootfs = g_build_filename (fixture->bundle, "rootfs", NULL);
  config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_assert_cmpint (g_mkdir_with_parents (rootfs, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->root, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config_path, "{}", -1, NULL));
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_free (fixture->bundle);
  g_free (fixture->root);
  g_free (fixture->layer_dir);
}

static char *
expand (Fixture *fixture, const char *text)
{
  g_autoptr (GString) expanded = g_string_new (text);

  g_string_replace (expanded, "@ROOT@", fixture->root, 0);
  return g_string_free (g_steal_pointer (&expanded), FALSE);
}

/* The full path's spec, as hcsctl's create and argon's make it, and in
 * @exec_template (nullable) the exec template argon writes beside it
 * (write_exec_gate, before its pid, cgroup and detach); NULL with @error
 * where they refuse the config. */
static GBytes *
full_path_spec (Fixture *fixture, const char *text, GBytes **exec_template, GError **error)
{
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL;

  config = hcs_container_config_from_json (text, fixture->bundle, error);
  if (config == NULL)
    return NULL;
  if (config->process == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: process: missing (an OCI container needs one)");
      return NULL;
    }
  spec = hcs_runtime_spec_new_for_container (CONTAINER_ID, config, fixture->layer_dir, error);
  if (spec == NULL)
    return NULL;
  /* argon's create next places the cgroup (linux.cgroupsPath). */
  if (config->oci_cgroups_path != NULL)
    {
      g_autofree char *parent = NULL, *name = NULL;

      if (!hcs_runtime_cgroup_split_path (config->oci_cgroups_path,
                                          HCS_RUNTIME_CGROUP_VERSION_AUTO, &parent, &name, error))
        return NULL;
    }
  if (exec_template != NULL)
    {
      g_autoptr (HcsProcessConfig) process = hcs_process_config_new_exec_defaults (config->process);
      g_autoptr (HcsRuntimeSpec) exec = NULL;

      process->command_args = g_strdupv ((char *[]) { "/bin/true", NULL });
      exec = hcs_runtime_spec_new_for_exec (CONTAINER_ID, 0, process, error);
      if (exec == NULL)
        return NULL;
      /* argon's write_exec_gate: the container's filter (none: empty). */
      hcs_runtime_spec_inherit_seccomp (exec, spec);
      *exec_template = hcs_runtime_spec_serialize (exec);
    }
  return hcs_runtime_spec_serialize (spec);
}

/* The GLib-only spec and exec template (nullable); NULL with @declined. */
static GBytes *
front_spec (Fixture *fixture, const char *text, GBytes **exec_template, char **declined)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL;

  document = hcs_json_document_parse (text, strlen (text), MAX_CONFIG_LENGTH, &error);
  g_assert_no_error (error);
  spec = hcs_runtime_spec_new_for_oci_config (CONTAINER_ID, hcs_json_document_get_root (document),
                                              fixture->bundle, declined);
  if (spec == NULL)
    {
      g_assert_nonnull (*declined);
      return NULL;
    }
  g_assert_null (*declined);
  if (exec_template != NULL)
    {
      g_autoptr (HcsRuntimeSpec) exec = hcs_runtime_spec_new_oci_exec_template (spec);
      *exec_template = hcs_runtime_spec_serialize (exec);
    }
  return hcs_runtime_spec_serialize (spec);
}

static char *
print_spec (GBytes *bytes)
{
  g_autoptr (GVariant) variant = g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE);

  return g_variant_print (variant, FALSE);
}

/* How the two ways differ on a config the full path takes, or NULL when
 * both make the same spec and exec template. */
static char *
compare_ways (Fixture *fixture, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) full_exec = NULL, front_exec = NULL;
  g_autoptr (GBytes) full = full_path_spec (fixture, text, &full_exec, &error);
  g_autofree char *declined = NULL;
  g_autoptr (GBytes) front = NULL;

  if (error != NULL)
    return g_strdup_printf ("the full path refuses it: %s", error->message);
  front = front_spec (fixture, text, &front_exec, &declined);
  if (front == NULL)
    return g_strdup_printf ("declined: %s", declined);
  if (!g_bytes_equal (full, front))
    {
      g_autofree char *full_text = print_spec (full), *front_text = print_spec (front);
      return g_strdup_printf ("the specs differ\nfull path: %s\nGLib only: %s", full_text,
                              front_text);
    }
  if (!g_bytes_equal (full_exec, front_exec))
    {
      g_autofree char *full_text = print_spec (full_exec), *front_text = print_spec (front_exec);
      return g_strdup_printf ("the exec templates differ\nfull path: %s\nGLib only: %s",
                              full_text, front_text);
    }
  return NULL;
}

static void
assert_same_spec (Fixture *fixture, const char *name, const char *text)
{
  g_autofree char *difference = compare_ways (fixture, text);

  g_test_message ("%s", name);
  if (difference != NULL)
    g_error ("%s: %s", name, difference);
}

static void
assert_declined (Fixture *fixture, const char *name, const char *text, const char *member,
                 gboolean invalid)
{
  g_autofree char *declined = NULL;
  g_autoptr (GBytes) front = front_spec (fixture, text, NULL, &declined);

  g_test_message ("%s: %s", name, declined ? declined : "(accepted)");
  if (front != NULL)
    g_error ("%s: accepted, expected declined for %s", name, member);
  /* The member first, then ':' or, for a member's own member, '.' or '['. */
  if (!g_str_has_prefix (declined, member) || strchr (":.[", declined[strlen (member)]) == NULL)
    g_error ("%s: declined for '%s', expected the reason to name '%s'", name, declined, member);
  if (invalid)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) full = full_path_spec (fixture, text, NULL, &error);

      if (full != NULL)
        g_error ("%s: the full path accepts it: not an invalid config", name);
      g_test_message ("%s: the full path: %s", name, error->message);
    }
}

typedef enum {
  EXPECT_SAME,                /* y_: translated, the full path's spec */
  EXPECT_NOT_TRANSLATED,      /* n_: declined */
  EXPECT_INVALID,             /* x_: declined, and refused by the full path */
} Expectation;

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

typedef void (*CorpusFunc) (Fixture *fixture, const char *name, const char *text,
                            Expectation expectation, const char *member);

/* Calls @func for every file of the corpus, in name order, with its text
 * expanded and, for n_ and x_, the member its .expect file names. */
static void
for_each_corpus_file (Fixture *fixture, CorpusFunc func)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "oci-spec", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint counts[3] = { 0 };
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = names->pdata[i];
      g_autofree char *path = g_build_filename (dir_path, file, NULL);
      g_autofree char *raw = NULL, *text = NULL, *member = NULL;
      Expectation expectation;

      g_assert_true (g_file_get_contents (path, &raw, NULL, NULL));
      text = expand (fixture, raw);
      if (g_str_has_prefix (file, "y_"))
        expectation = EXPECT_SAME;
      else if (g_str_has_prefix (file, "n_") || g_str_has_prefix (file, "x_"))
        {
          g_autofree char *stem = g_strndup (file, strlen (file) - strlen (".json"));
          g_autofree char *expect_path = g_strdup_printf ("%s/%s.expect", dir_path, stem);

          g_assert_true (g_file_get_contents (expect_path, &member, NULL, NULL));
          g_strchomp (member);
          expectation = file[0] == 'x' ? EXPECT_INVALID : EXPECT_NOT_TRANSLATED;
        }
      else
        g_error ("%s: a corpus file must start with y_, n_ or x_", file);
      func (fixture, file, text, expectation, member);
      counts[expectation]++;
    }
  g_test_message ("%u translated, %u not translated, %u invalid", counts[EXPECT_SAME],
                  counts[EXPECT_NOT_TRANSLATED], counts[EXPECT_INVALID]);
  g_assert_cmpuint (counts[EXPECT_SAME], >=, 60);
  g_assert_cmpuint (counts[EXPECT_NOT_TRANSLATED] + counts[EXPECT_INVALID], >=, 90);
}

static void
check_in_process (Fixture *fixture, const char *name, const char *text, Expectation expectation,
                  const char *member)
{
  if (expectation == EXPECT_SAME)
    assert_same_spec (fixture, name, text);
  else
    assert_declined (fixture, name, text, member, expectation == EXPECT_INVALID);
}

static void
test_corpus (Fixture *fixture, gconstpointer data)
{
  for_each_corpus_file (fixture, check_in_process);
}

/* The same through test-oci-spec-glib, a program that links GLib, hcs-json
 * and the translation alone, reading the bundle's config.json itself. */
static void
check_by_program (Fixture *fixture, const char *name, const char *text, Expectation expectation,
                  const char *member)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "test-oci-spec-glib", NULL);
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GBytes) out = NULL, err = NULL;
  g_autoptr (GError) error = NULL;
  const char *reason;

  g_assert_true (g_file_set_contents (config_path, text, -1, NULL));
  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                 &error, program, CONTAINER_ID, fixture->bundle, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (subprocess, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (subprocess));
  if (expectation == EXPECT_SAME)
    {
      g_autoptr (GBytes) full = full_path_spec (fixture, text, NULL, &error);

      g_assert_no_error (error);
      if (g_subprocess_get_exit_status (subprocess) != 0)
        g_error ("%s: the program declined: %.*s", name, (int) g_bytes_get_size (err),
                 (const char *) g_bytes_get_data (err, NULL));
      if (!g_bytes_equal (full, out))
        g_error ("%s: the program's spec differs from the full path's", name);
      return;
    }
  g_assert_cmpint (g_subprocess_get_exit_status (subprocess), ==, 3);
  reason = g_bytes_get_data (err, NULL);
  if (reason == NULL || !g_str_has_prefix (reason, member))
    g_error ("%s: the program declined for '%s', expected '%s'", name, reason ? reason : "",
             member);
}

static void
test_corpus_by_program (Fixture *fixture, gconstpointer data)
{
  for_each_corpus_file (fixture, check_by_program);
}

/* @program's `spec` in a folder of its own: config.json's text. */
static char *
default_spec_of (Fixture *fixture, const char *program)
{
  g_autofree char *dir = g_build_filename (fixture->temp_dir, "spec", NULL);
  g_autofree char *config_path = g_build_filename (dir, "config.json", NULL);
  const char *argv[] = { program, "spec", "--bundle", dir, NULL };
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  int status = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (config_path, &text, NULL, NULL));
  g_assert_cmpint (g_unlink (config_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  return text;
}

/* A default spec as its tool writes it (terminal true: declined), then
 * with terminal false, as benches and conformance suites run it. */
static void
check_default_spec (Fixture *fixture, const char *name, const char *text)
{
  g_autoptr (GRegex) terminal = g_regex_new ("\"terminal\":\\s*true", 0, 0, NULL);
  g_autofree char *detached = g_regex_replace_literal (terminal, text, -1, 0,
                                                       "\"terminal\": false", 0, NULL);
  g_autofree char *declined_name = g_strdup_printf ("%s (terminal)", name);

  g_assert_true (g_regex_match (terminal, text, 0, NULL));
  assert_declined (fixture, declined_name, text, "process.terminal", FALSE);
  assert_same_spec (fixture, name, detached);
}

/* @data: the program whose `spec` writes the default config.json, runc
 * from PATH or hcsctl from $HCSCTL (the build's). */
static void
test_default_spec (Fixture *fixture, gconstpointer data)
{
  const char *tool = data;
  g_autofree char *program = g_str_equal (tool, "hcsctl") ? g_strdup (g_getenv ("HCSCTL"))
                                                          : g_find_program_in_path (tool);
  g_autofree char *text = NULL, *name = NULL;

  if (program == NULL)
    {
      g_test_skip_printf ("%s is not installed", tool);
      return;
    }
  text = default_spec_of (fixture, program);
  name = g_strdup_printf ("%s spec", tool);
  check_default_spec (fixture, name, text);
}

/* --- mutations ------------------------------------------------------------------ */

/* Values a mutation puts in place: of every type, and among them ones
 * the translation takes where they land (names, paths, ids). */
static const char *const mutation_values[] = {
  "null", "true", "false", "0", "-1", "1", "63", "1000", "65536", "4294967295",
  "9223372036854775807", "18446744073709551615", "1.0", "1.5", "\"\"", "\"x\"", "\"/abs\"",
  "\"rel\"", "\"rootfs\"", "\"bind\"", "\"tmpfs\"", "\"cgroup\"", "\"/proc\"", "\"/dev/shm\"",
  "\"CAP_KILL\"", "\"cap_chown\"", "\"RLIMIT_NOFILE\"", "\"A=1\"", "\"PATH=/bin\"", "\"=x\"",
  "\"pid\"", "\"mount\"", "\"uts\"", "\"user\"", "\"rw\"", "\"rbind\"", "\"a\"", "\"c\"",
  "\"1.0.2\"", "\"io.hcs.isolation\"", "[]", "{}", "[\"A=1\"]", "[\"ro\", \"nosuid\"]",
  "{\"type\": \"pid\"}", "{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}",
  "{\"destination\": \"/m\", \"type\": \"tmpfs\"}", "{\"allow\": true, \"access\": \"rw\"}",
  "{\"type\": \"RLIMIT_CORE\", \"soft\": 1, \"hard\": 2}",
};

/* Member names a mutation adds: the translated ones and a few others. */
static const char *const mutation_names[] = {
  "ociVersion", "process", "root", "hostname", "domainname", "mounts", "annotations", "linux",
  "hooks", "terminal", "args", "env", "cwd", "user", "uid", "gid", "umask", "additionalGids",
  "capabilities", "bounding", "ambient", "rlimits", "noNewPrivileges", "oomScoreAdj", "path",
  "readonly", "destination", "type", "source", "options", "namespaces", "maskedPaths",
  "readonlyPaths", "resources", "devices", "cgroupsPath", "allow", "access", "major", "seccomp",
  "sysctl", "Process", "unknown",
};

static JsonNode *
random_value (GRand *rand)
{
  const char *text = mutation_values[g_rand_int_range (rand, 0, G_N_ELEMENTS (mutation_values))];
  JsonNode *node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  return node;
}

/* Every array and object of @node's tree, @node first. */
static void
collect_containers (JsonNode *node, GPtrArray *containers)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr (GList) members = json_object_get_members (json_node_get_object (node));

      g_ptr_array_add (containers, node);
      for (GList *l = members; l; l = l->next)
        collect_containers (json_object_get_member (json_node_get_object (node), l->data),
                            containers);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_ptr_array_add (containers, node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_containers (json_array_get_element (array, i), containers);
    }
}

/* One change somewhere in @root: a member or element removed, replaced,
 * added or (arrays) repeated. */
static void
mutate (JsonNode *root, GRand *rand)
{
  g_autoptr (GPtrArray) containers = g_ptr_array_new ();
  JsonNode *container;
  int change = g_rand_int_range (rand, 0, 3);

  collect_containers (root, containers);
  container = containers->pdata[g_rand_int_range (rand, 0, containers->len)];
  if (JSON_NODE_HOLDS_OBJECT (container))
    {
      JsonObject *object = json_node_get_object (container);
      g_autoptr (GList) members = json_object_get_members (object);
      guint size = g_list_length (members);
      const char *name = size ? g_list_nth_data (members, g_rand_int_range (rand, 0, size)) : NULL;

      if (change == 0 && name != NULL)
        json_object_remove_member (object, name);
      else if (change == 1 && name != NULL)
        json_object_set_member (object, name, random_value (rand));
      else
        json_object_set_member (object,
                                mutation_names[g_rand_int_range (rand, 0,
                                                                 G_N_ELEMENTS (mutation_names))],
                                random_value (rand));
    }
  else
    {
      JsonArray *array = json_node_get_array (container);
      guint length = json_array_get_length (array);
      guint index = length ? g_rand_int_range (rand, 0, length) : 0;

      if (change == 0 && length > 0)
        json_array_remove_element (array, index);
      else if (change == 1 && length > 0)
        json_array_add_element (array, json_node_copy (json_array_get_element (array, index)));
      else
        json_array_add_element (array, random_value (rand));
    }
}

/* 200 a file, 14,000 in all (1,000 a file passed too: 7,820 of 70,000
 * translated, every one the full path's spec). */
#define MUTATION_ROUNDS 200

/* Each y_ config changed in one to three places, many times over, with a
 * fixed seed: whatever the translation takes, the full path takes too and
 * makes the same spec of (so whatever the full path refuses is declined). */
static void
mutate_corpus_file (Fixture *fixture, const char *name, const char *text,
                    Expectation expectation, const char *member)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_str_hash (name));
  guint accepted = 0;

  if (expectation != EXPECT_SAME)
    return;
  for (guint round = 0; round < MUTATION_ROUNDS; round++)
    {
      g_autoptr (JsonNode) root = json_from_string (text, NULL);
      g_autofree char *mutated = NULL, *declined = NULL;
      g_autoptr (GBytes) front = NULL;
      int changes = g_rand_int_range (rand, 1, 4);

      g_assert_nonnull (root);
      for (int i = 0; i < changes; i++)
        mutate (root, rand);
      mutated = json_to_string (root, FALSE);
      front = front_spec (fixture, mutated, NULL, &declined);
      if (front == NULL)
        continue;
      {
        g_autofree char *difference = compare_ways (fixture, mutated);

        if (difference != NULL)
          g_error ("%s, changed: %s\n%s", name, mutated, difference);
      }
      accepted++;
    }
  g_test_message ("%s: %u of %u changed configs translated", name, accepted, MUTATION_ROUNDS);
}

static void
test_mutations (Fixture *fixture, gconstpointer data)
{
  for_each_corpus_file (fixture, mutate_corpus_file);
}

/* Without a bundle folder, a relative root is the current folder's, as
 * the full path takes it. */
static void
test_relative_root_without_bundle (Fixture *fixture, gconstpointer data)
{
  const char *text = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
                     " \"process\": {\"args\": [\"sh\"]}}";
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *declined = NULL;

  g_assert_cmpint (g_chdir (fixture->bundle), ==, 0);
  document = hcs_json_document_parse (text, strlen (text), MAX_CONFIG_LENGTH, &error);
  g_assert_no_error (error);
  spec = hcs_runtime_spec_new_for_oci_config (CONTAINER_ID, hcs_json_document_get_root (document),
                                              NULL, &declined);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_null (declined);
  g_assert_nonnull (spec);
  {
    g_autofree char *expected = g_build_filename (fixture->bundle, "rootfs", NULL);
    g_assert_cmpstr (spec->rootfs, ==, expected);
  }
}

/* --- hcsctl's own run --------------------------------------------------------------- */

/* The full path's spec of `hcsctl run [--rootfs ROOT] [--name NAME] --
 * ARGS`: the ContainerConfig hcsctl_cmd_run builds (stdio inherited, as
 * may_inherit_stdio() decides for process isolation without a
 * terminal), then argon's hcs_runtime_spec_new_for_container; in
 * @exec_template argon's write_exec_gate for a container without exec
 * defaults. NULL with @error where they refuse it. */
static GBytes *
full_path_command_spec (Fixture *fixture, const char *id, const char *name, const char *rootfs,
                        const char *const *args, GBytes **exec_template, GError **error)
{
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  g_autoptr (HcsProcessConfig) exec_process = hcs_process_config_new ();
  g_autoptr (HcsRuntimeSpec) exec = NULL;

  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) args);
  config->process->inherit_stdio = TRUE;
  config->name = g_strdup (name);
  config->volume_path = g_strdup (rootfs);
  spec = hcs_runtime_spec_new_for_container (id, config, fixture->layer_dir, error);
  if (spec == NULL)
    return NULL;
  exec_process->command_args = g_strdupv ((char *[]) { "/bin/true", NULL });
  exec_process->inherit_stdio = TRUE;
  exec_process->reap_directly = TRUE;
  exec = hcs_runtime_spec_new_for_exec (id, 0, exec_process, error);
  g_assert_nonnull (exec);
  *exec_template = hcs_runtime_spec_serialize (exec);
  return hcs_runtime_spec_serialize (spec);
}

static void
test_command (Fixture *fixture, gconstpointer data)
{
  static const char *const true_args[] = { "/bin/true", NULL };
  static const char *const shell_args[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
  static const char *const odd_args[] = { "", "a b", "caf\xc3\xa9", "--", "-x", "PATH=/x", NULL };
  const char *const *commands[] = { true_args, shell_args, odd_args };
  const char *names[] = { NULL, "web", "a.b_c-1" };
  g_autofree char *file = g_build_filename (fixture->temp_dir, "file", NULL);
  g_autofree char *missing = g_build_filename (fixture->temp_dir, "missing", NULL);
  const char *refused_roots[] = { "relative/root", file, missing };

  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    for (gsize n = 0; n < G_N_ELEMENTS (names); n++)
      {
        const char *id = names[n] ? names[n] : "0f6e3f3c-1a2b-4c5d-8e9f-0123456789ab";
        g_autoptr (GBytes) full = NULL, full_exec = NULL, front = NULL, front_exec = NULL;
        g_autoptr (HcsRuntimeSpec) spec = NULL, exec = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *declined = NULL;

        full = full_path_command_spec (fixture, id, names[n], fixture->root, commands[c],
                                       &full_exec, &error);
        g_assert_no_error (error);
        spec = hcs_runtime_spec_new_for_command (id, names[n], fixture->root, commands[c],
                                                 &declined);
        g_assert_null (declined);
        front = hcs_runtime_spec_serialize (spec);
        exec = hcs_runtime_spec_new_exec_template (id);
        front_exec = hcs_runtime_spec_serialize (exec);
        if (!g_bytes_equal (full, front))
          {
            g_autofree char *full_text = print_spec (full), *front_text = print_spec (front);
            g_assert_cmpstr (front_text, ==, full_text);
          }
        if (!g_bytes_equal (full_exec, front_exec))
          {
            g_autofree char *full_text = print_spec (full_exec);
            g_autofree char *front_text = print_spec (front_exec);
            g_assert_cmpstr (front_text, ==, full_text);
          }
      }
  /* What the full path refuses is declined. */
  for (gsize r = 0; r < G_N_ELEMENTS (refused_roots); r++)
    {
      g_autoptr (GBytes) full = NULL, full_exec = NULL;
      g_autoptr (HcsRuntimeSpec) spec = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *declined = NULL;

      full = full_path_command_spec (fixture, "web", "web", refused_roots[r], true_args,
                                     &full_exec, &error);
      g_assert_null (full);
      g_assert_nonnull (error);
      spec = hcs_runtime_spec_new_for_command ("web", "web", refused_roots[r], true_args,
                                               &declined);
      g_assert_null (spec);
      g_assert_true (g_str_has_prefix (declined, "VolumePath: "));
    }
  g_remove (file);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/runtime/oci-spec/corpus", NULL, test_corpus);
  ADD ("/runtime/oci-spec/corpus-by-program", NULL, test_corpus_by_program);
  ADD ("/runtime/oci-spec/mutations", NULL, test_mutations);
  ADD ("/runtime/oci-spec/runc-default", "runc", test_default_spec);
  ADD ("/runtime/oci-spec/hcsctl-default", "hcsctl", test_default_spec);
  ADD ("/runtime/oci-spec/relative-root-without-bundle", NULL, test_relative_root_without_bundle);
  ADD ("/runtime/oci-spec/hcsctl-run-command", NULL, test_command);
#undef ADD
  return g_test_run ();
}
