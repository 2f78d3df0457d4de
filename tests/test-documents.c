/* test-documents.c: the JSON documents, data-driven from tests/data/documents
 * (y_KIND_*.json must parse, n_KIND_*.json must fail with the text of the
 * sibling .expect file in the message), plus round trips and GUIDs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-gate.h"

#include <string.h>

static gboolean
parse_document (const char *kind, const char *text, GError **error)
{
  if (g_str_equal (kind, "container") || g_str_equal (kind, "oci"))
    {
      g_autoptr (HcsContainerConfig) config = hcs_container_config_from_json (text, "/bundle", error);
      return config != NULL;
    }
  if (g_str_equal (kind, "process"))
    {
      g_autoptr (HcsProcessConfig) config = hcs_process_config_from_json (text, error);
      return config != NULL;
    }
  if (g_str_equal (kind, "query"))
    {
      g_autoptr (HcsComputeSystemQuery) query = hcs_compute_system_query_from_json (text, error);
      return query != NULL;
    }
  if (g_str_equal (kind, "update"))
    {
      HcsResourceUpdate update;
      return hcs_resource_update_from_json (text, &update, error);
    }
  g_error ("unknown document kind '%s'", kind);
}

static void
test_data_folder (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "documents", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint valid = 0, invalid = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *text = NULL, *kind = NULL;
      g_autoptr (GError) error = NULL;
      const char *underscore;
      gboolean ok;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      underscore = strchr (name + 2, '_');
      g_assert_nonnull (underscore);
      kind = g_strndup (name + 2, underscore - (name + 2));
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      ok = parse_document (kind, text, &error);
      g_test_message ("%s: %s", name, error ? error->message : "ok");

      if (name[0] == 'y')
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          valid++;
        }
      else
        {
          g_autofree char *stem = g_strndup (path, strlen (path) - strlen ("json"));
          g_autofree char *expect_path = g_strconcat (stem, "expect", NULL);
          g_autofree char *expected = NULL;

          g_assert_true (g_file_get_contents (expect_path, &expected, NULL, NULL));
          g_strstrip (expected);
          g_assert_false (ok);
          g_assert_nonnull (error);
          g_assert_true (error->domain == HCS_ERROR);
          g_assert_true (error->code == HCS_ERROR_INVALID_DATA ||
                         error->code == HCS_ERROR_INVALID_JSON);
          if (strstr (error->message, expected) == NULL)
            g_error ("%s: expected '%s' in '%s'", name, expected, error->message);
          invalid++;
        }
    }
  g_assert_cmpuint (valid, >=, 8);
  g_assert_cmpuint (invalid, >=, 20);
}

static void
test_oci_mapping (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "documents",
                                                 "y_oci_runc_spec.json", NULL);
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL, envp = NULL;

  config = hcs_container_config_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config->oci_version);
  /* root.path is relative to the bundle, the folder of config.json. */
  g_assert_true (g_str_has_suffix (config->volume_path, "/data/documents/rootfs"));
  g_assert_true (config->root_read_only);
  g_assert_cmpstr (config->hostname, ==, "runc");
  g_assert_cmpint (config->memory_maximum_in_mb, ==, 64);
  g_assert_cmpint (config->processor_weight, ==, 200);
  g_assert_cmpint (config->processor_count, ==, 2);
  g_assert_cmpint (config->pids_maximum, ==, 100);
  g_assert_cmpint (config->processor_maximum, ==, 5000 / g_get_num_processors ());
  g_assert_cmpint (config->network_namespace.mode, ==, HCS_NAMESPACE_MODE_NEW);
  g_assert_cmpuint (config->mounts->len, ==, 2);
  /* Through the document a monitor, a holder or a guest gets: the same
   * mounts, not dropped. */
  {
    g_autoptr (JsonNode) node = hcs_container_config_to_node (config);
    g_autoptr (HcsContainerConfig) again = hcs_container_config_from_node (node, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (again->mounts);
    g_assert_cmpuint (again->mounts->len, ==, config->mounts->len);
    for (guint i = 0; i < config->mounts->len; i++)
      {
        HcsMount *mount = config->mounts->pdata[i], *copy = again->mounts->pdata[i];

        g_assert_cmpstr (copy->destination, ==, mount->destination);
        g_assert_cmpstr (copy->type, ==, mount->type);
        g_assert_cmpstr (copy->source, ==, mount->source);
        g_assert_true (copy->options == NULL ? mount->options == NULL
                                             : g_strv_equal ((const char *const *) copy->options,
                                                             (const char *const *) mount->options));
      }
  }
  g_assert_nonnull (config->process);
  g_assert_cmpstr (config->process->user, ==, "0:0");
  argv = hcs_process_config_get_argv (config->process, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (argv[0], ==, "sh");
  envp = hcs_process_config_get_envp (config->process);
  g_assert_cmpstr (envp[0], ==, "PATH=/usr/bin:/bin");
  g_assert_cmpstr (envp[1], ==, "TERM=xterm");
}

static void
test_round_trips (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "documents",
                                                 "y_container_full.json", NULL);
  g_autoptr (HcsContainerConfig) config = NULL, again = NULL;
  g_autoptr (HcsStatistics) stats = hcs_statistics_new (), stats_again = NULL;
  g_autoptr (HcsContainerProperties) props = hcs_container_properties_new (), props_again = NULL;
  g_autoptr (JsonNode) node = NULL, stats_node = NULL, props_node = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL;

  config = hcs_container_config_from_file (path, &error);
  g_assert_no_error (error);
  node = hcs_container_config_to_node (config);
  first = hcs_json_node_to_string (node, FALSE);
  again = hcs_container_config_from_node (node, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = hcs_container_config_to_node (again);
  second = hcs_json_node_to_string (node, FALSE);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpuint (again->layers->len, ==, 2);
  g_assert_cmpstr (((HcsLayer *) again->layers->pdata[0])->path, ==, "/l/top");
  g_assert_true (((HcsMappedDirectory *) again->mapped_directories->pdata[0])->read_only);

  stats->timestamp = 1700000000123456;
  stats->memory_usage_commit_bytes = 4096;
  stats->processor_total_runtime_100ns = 77;
  stats_node = hcs_statistics_to_node (stats);
  stats_again = hcs_statistics_from_node (stats_node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats_again->timestamp, ==, stats->timestamp);
  g_assert_cmpuint (stats_again->memory_usage_commit_bytes, ==, 4096);
  g_assert_cmpuint (stats_again->processor_total_runtime_100ns, ==, 77);

  props->id = g_strdup ("web");
  props->state = g_strdup ("Stopped");
  props->stopped = TRUE;
  props->exit_code = 137;
  props_node = hcs_container_properties_to_node (props);
  props_again = hcs_container_properties_from_node (props_node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props_again->id, ==, "web");
  g_assert_true (props_again->stopped);
  g_assert_cmpint (props_again->exit_code, ==, 137);
}

/* What an exec without a process of its own inherits (runc's exec without
 * --process): the process's settings, the runtime's defaults written out,
 * nothing of its command line, terminal or stdio; and the container's
 * exec defaults reach a monitor or a guest through the document. */
static void
test_exec_defaults (void)
{
  g_autoptr (HcsProcessConfig) process = NULL, defaults = NULL, bare_defaults = NULL;
  g_autoptr (HcsProcessConfig) bare = hcs_process_config_new ();
  g_autoptr (HcsContainerConfig) container = hcs_container_config_new (), again = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) envp = NULL, again_envp = NULL;
  g_autofree char *first = NULL, *second = NULL;

  process = hcs_process_config_from_oci_json (
      "{\"terminal\": true, \"consoleSize\": {\"height\": 10, \"width\": 20},"
      " \"args\": [\"sleep\", \"1\"], \"env\": [\"FOO=bar\", \"TERM=xterm\"], \"cwd\": \"/w\","
      " \"user\": {\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [10], \"umask\": 23},"
      " \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"]},"
      " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 2}],"
      " \"noNewPrivileges\": true, \"oomScoreAdj\": 5, \"apparmorProfile\": \"p\","
      " \"selinuxLabel\": \"l\"}", &error);
  g_assert_no_error (error);
  process->inherit_stdio = process->reap_directly = process->detach = TRUE;
  process->console_socket = g_strdup ("/run/console.sock");
  defaults = hcs_process_config_new_exec_defaults (process);

  g_assert_null (defaults->command_args);
  g_assert_null (defaults->command_line);
  g_assert_null (defaults->application_name);
  g_assert_null (defaults->console_socket);
  g_assert_false (defaults->emulate_console);
  g_assert_cmpuint (defaults->console_height, ==, 0);
  g_assert_false (defaults->inherit_stdio || defaults->reap_directly || defaults->detach);
  g_assert_false (defaults->create_stdin_pipe || defaults->create_stdout_pipe ||
                  defaults->create_stderr_pipe);
  envp = hcs_process_config_get_envp (defaults);
  g_assert_cmpuint (g_strv_length (envp), ==, 3);
  g_assert_cmpstr (envp[0], ==, "FOO=bar");
  g_assert_cmpstr (envp[1], ==,
                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  g_assert_cmpstr (envp[2], ==, "TERM=xterm");
  g_assert_cmpstr (defaults->user, ==, "1000:1001");
  g_assert_cmpstr (defaults->working_directory, ==, "/w");
  g_assert_cmpuint (defaults->additional_gids->len, ==, 1);
  g_assert_true (defaults->has_umask);
  g_assert_cmpuint (defaults->umask, ==, 23);
  g_assert_true (defaults->capabilities_given);
  g_assert_cmpstr (defaults->cap_effective[0], ==, "CAP_KILL");
  g_assert_cmpuint (defaults->rlimits->len, ==, 1);
  g_assert_true (defaults->no_new_privileges_given && defaults->no_new_privileges);
  g_assert_true (defaults->has_oom_score_adj);
  g_assert_cmpint (defaults->oom_score_adj, ==, 5);
  g_assert_cmpstr (defaults->apparmor_profile, ==, "p");
  g_assert_cmpstr (defaults->selinux_label, ==, "l");

  /* A process without env or user: the runtime's PATH and root, written. */
  bare->command_args = g_strdupv ((char *[]) { "true", NULL });
  bare_defaults = hcs_process_config_new_exec_defaults (bare);
  g_assert_cmpstr (bare_defaults->user, ==, "0:0");
  g_assert_cmpuint (g_hash_table_size (bare_defaults->environment), ==, 1);
  g_assert_nonnull (g_hash_table_lookup (bare_defaults->environment, "PATH"));

  /* Through the JSON document, unchanged; absent stays absent. */
  container->exec_defaults = g_steal_pointer (&defaults);
  node = hcs_container_config_to_node (container);
  first = hcs_json_node_to_string (node, FALSE);
  again = hcs_container_config_from_node (node, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again->exec_defaults);
  again_envp = hcs_process_config_get_envp (again->exec_defaults);
  g_assert_cmpstrv (again_envp, envp);
  g_assert_cmpstr (again->exec_defaults->user, ==, "1000:1001");
  g_assert_cmpuint (again->exec_defaults->rlimits->len, ==, 1);
  g_assert_true (again->exec_defaults->no_new_privileges_given);
  g_clear_pointer (&node, json_node_unref);
  node = hcs_container_config_to_node (again);
  second = hcs_json_node_to_string (node, FALSE);
  g_assert_cmpstr (first, ==, second);
  {
    g_autoptr (HcsContainerConfig) copy = hcs_container_config_copy (again);

    g_assert_true (copy->exec_defaults != again->exec_defaults);
    g_assert_cmpstr (copy->exec_defaults->user, ==, "1000:1001");
  }
  hcs_process_config_free (g_steal_pointer (&container->exec_defaults));
  g_clear_pointer (&node, json_node_unref);
  node = hcs_container_config_to_node (container);
  g_clear_pointer (&again, hcs_container_config_free);
  again = hcs_container_config_from_node (node, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (again->exec_defaults);

  /* A bad one names its field. */
  g_clear_pointer (&again, hcs_container_config_free);
  again = hcs_container_config_from_json ("{\"Oci\": {\"execDefaults\": {\"User\": 7}}}", NULL,
                                          &error);
  g_assert_null (again);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "execDefaults"));
  g_assert_nonnull (strstr (error->message, "User"));
}

/* An exec's --user over its defaults' user, as runc's exec applies it. */
static void
test_exec_user (void)
{
  const char *const cases[][3] = {
    /* base, given, result */
    { "1000:1001", "2000", "2000:1001" },  /* the gid stays */
    { "1000:1001", "2000:3000", "2000:3000" },
    { "1000:1001", "0", "0:1001" },
    { "1000:1001", "alice", "alice" },     /* a name has its own group */
    { "alice", "2000", "2000" },           /* no gid to keep */
    { "alice:staff", "2000", "2000" },
    { NULL, "2000", "2000" },              /* no defaults: as given */
    { "1000:", "2000", "2000" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *user = hcs_gate_exec_user (cases[i][0], cases[i][1]);

      g_assert_cmpstr (user, ==, cases[i][2]);
    }
}

static void
test_argv_and_query (void)
{
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autoptr (HcsComputeSystemQuery) query = NULL;
  g_autoptr (HcsContainerProperties) props = hcs_container_properties_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;

  g_assert_null (hcs_process_config_get_argv (config, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  config->command_line = g_strdup ("sh -c 'echo \"a b\"'");
  argv = hcs_process_config_get_argv (config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (argv), ==, 3);
  g_assert_cmpstr (argv[2], ==, "echo \"a b\"");

  query = hcs_compute_system_query_from_json ("{\"IDs\": [\"web\"], \"Owners\": []}", &error);
  g_assert_no_error (error);
  props->id = g_strdup ("web");
  g_assert_true (hcs_compute_system_query_matches (query, props));
  g_free (props->id);
  props->id = g_strdup ("db");
  g_assert_false (hcs_compute_system_query_matches (query, props));
  g_assert_true (hcs_compute_system_query_matches (NULL, props));
}

static void
test_oversized (void)
{
  g_autoptr (GString) big = g_string_new ("{\"Name\": \"");
  g_autoptr (GError) error = NULL;

  for (int i = 0; i < 5 * 1024 * 1024; i++)
    g_string_append_c (big, 'a');
  g_string_append (big, "\"}");
  g_assert_null (hcs_container_config_from_json (big->str, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "limit"));
}

static void
test_name_to_guid (void)
{
  g_autofree char *a = hcs_name_to_guid ("web");
  g_autofree char *b = hcs_name_to_guid ("web");
  g_autofree char *c = hcs_name_to_guid ("db");

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpuint (strlen (a), ==, 36);
  g_assert_true (g_uuid_string_is_valid (a));
  g_assert_cmpint (a[14], ==, '5');                    /* version 5 */
  g_assert_nonnull (strchr ("89ab", a[19]));           /* RFC 4122 variant */
  /* Pinned: computed once with Python's uuid.uuid5 over the same namespace. */
  g_assert_cmpstr (a, ==, "f1659245-b418-5dc0-917a-88e499fc4543");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/documents/data-folder", test_data_folder);
  g_test_add_func ("/core/documents/oci-mapping", test_oci_mapping);
  g_test_add_func ("/core/documents/round-trips", test_round_trips);
  g_test_add_func ("/core/documents/exec-defaults", test_exec_defaults);
  g_test_add_func ("/core/documents/exec-user", test_exec_user);
  g_test_add_func ("/core/documents/argv-and-query", test_argv_and_query);
  g_test_add_func ("/core/documents/oversized", test_oversized);
  g_test_add_func ("/core/guid/name-to-guid", test_name_to_guid);
  return g_test_run ();
}
