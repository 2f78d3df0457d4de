/* test-front-create.c: runc's create served by hcsctl's GLib-only front
 * (tools/hcsctl-front-create.c) held to the full path (HCSCTL_FRONT=0).
 *
 * Each bundle is created twice, once each way, under ids of their own:
 * the exit codes, the error messages, every record of the state folder
 * (argon.json, argon-helper, argon-init, gate, gate-exec, gate-oci,
 * oci.json, owner, the exec fifo's mode) and the files of its cgroups
 * must be the same once pids, start times, instants and the id are
 * masked. --debug tells which way the front went ("front: create" when
 * it served it): the bundles of the oci-spec corpus it translates are
 * served, those it declines are not, and so are the command lines and
 * runtime options it does not read; a decline still creates, through
 * the full path.
 *
 * runc's run is held to the full path the same way: without -d, the
 * exit code, stdout and stderr of a workload, the records while it runs,
 * nothing left after (folder, cgroups, the init), a SIGTERM to hcsctl
 * reaching the workload; with -d, the records and a delete; and its
 * declines (--keep, --console-socket, a terminal, hcs's own form).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  char *options_file;
  char *root;                 /* --root */
  char *bundle;
  char *rootfs;               /* "@ROOT@" in the corpus */
} Fixture;

static void
write_options (Fixture *fixture, const char *extra)
{
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autofree char *text = g_key_file_to_data (options, NULL, NULL);
  g_autofree char *all = g_strconcat (text, extra ? extra : "", NULL);

  g_assert_true (g_file_set_contents (fixture->options_file, all, -1, NULL));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *command = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-front-create");
  fixture->options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  fixture->root = g_build_filename (fixture->temp_dir, "root", NULL);
  fixture->bundle = g_build_filename (fixture->temp_dir, "bundle", NULL);
  /* The bundle's own root (a relative root.path) and an absolute one. */
  fixture->rootfs = g_build_filename (fixture->temp_dir, "rootfs", NULL);
  g_assert_cmpint (g_mkdir (fixture->bundle, 0755), ==, 0);
  command = g_strdup_printf ("cp -a %s %s && cp -a %s %s/rootfs", test_get_busybox_rootfs (),
                             fixture->rootfs, test_get_busybox_rootfs (), fixture->bundle);
  g_assert_cmpint (system (command), ==, 0);
  write_options (fixture, NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  /* Every container was deleted. */
  test_assert_no_state_folders (fixture->root);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_free (fixture->options_file);
  g_free (fixture->root);
  g_free (fixture->bundle);
  g_free (fixture->rootfs);
}

/* HCS_FAULT_POINT of the next hcsctl, or NULL. */
static const char *fault_point;
/* Whether hcsctl runs without HCS_PLUGIN_PATH (the test's argon). */
static gboolean without_plugin_path;

/* hcsctl --debug --options --root @args... from the bundle; its exit code
 * and stderr. @front FALSE: HCSCTL_FRONT=0. */
static int
hcsctl_full (Fixture *fixture, gboolean front, char **out, char **err, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *out_path = g_build_filename (fixture->temp_dir, "stdout", NULL);
  g_autofree char *err_path = g_build_filename (fixture->temp_dir, "stderr", NULL);
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--debug");
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, fixture->options_file);
  g_ptr_array_add (argv, "--root");
  g_ptr_array_add (argv, fixture->root);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!front)
    g_subprocess_launcher_setenv (launcher, "HCSCTL_FRONT", "0", TRUE);
  if (fault_point != NULL)
    g_subprocess_launcher_setenv (launcher, "HCS_FAULT_POINT", fault_point, TRUE);
  if (without_plugin_path)
    g_subprocess_launcher_unsetenv (launcher, "HCS_PLUGIN_PATH");
  /* Files, not pipes: a created init keeps the stdio it inherited. */
  g_subprocess_launcher_set_cwd (launcher, fixture->bundle);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  test_subprocess_wait_guarded (subprocess, args[0]);
  g_assert_true (g_file_get_contents (err_path, &text, NULL, NULL));
  if (out != NULL)
    g_assert_true (g_file_get_contents (out_path, out, NULL, NULL));
  g_unlink (out_path);
  g_unlink (err_path);
  if (err != NULL)
    *err = g_steal_pointer (&text);
  return g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess)
                                                 : 128 + g_subprocess_get_term_sig (subprocess);
}

static int
hcsctl (Fixture *fixture, gboolean front, char **err, const char *const *args)
{
  return hcsctl_full (fixture, front, NULL, err, args);
}

static char *
replace_all (const char *text, const char *pattern, const char *replacement)
{
  g_autoptr (GRegex) regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);

  g_assert_nonnull (regex);
  return g_regex_replace (regex, text, -1, 0, replacement, 0, NULL);
}

/* @text with the id, pids, start times and instants masked. */
static char *
mask (const char *name, const char *text, const char *id)
{
  g_autoptr (GString) masked = g_string_new (text);
  g_autofree char *result = NULL;

  g_string_replace (masked, id, "ID", 0);
  if (g_str_equal (name, "argon.json"))
    return replace_all (masked->str,
                        "\"(pid|pid_start_time|helper_pid|helper_start_time|created|started|creator_pid)\""
                        ":[0-9]+", "\"\\1\":N");
  if (g_str_equal (name, "gate"))
    return replace_all (masked->str, "^(pid|pid-start-time|created|helper|helper-start-time)=.*$",
                        "\\1=N");
  if (g_str_equal (name, "argon-helper") || g_str_equal (name, "argon-init") ||
      g_str_equal (name, "pid-file"))
    return replace_all (masked->str, "[0-9]+", "N");
  if (g_str_equal (name, "gate-exec"))
    return replace_all (masked->str, "'pid': <(int64 )?[0-9]+>", "'pid': <N>");
  /* Messages of the helper's or the kernel's may name a pid. */
  if (g_str_equal (name, "stderr"))
    {
      /* ... and g_file_set_contents's temporary file is named at random. */
      result = replace_all (masked->str, "(process|pid) [0-9]+", "\\1 N");
      return replace_all (result, "/pid\\.[A-Za-z0-9]{6}", "/pid.XXXXXX");
    }
  return g_string_free (g_steal_pointer (&masked), FALSE);
}

/* The cgroup files a create writes (or leaves at the kernel's default). */
static const char *const cgroup_files[] = {
  "devices.list", "pids.max", "memory.limit_in_bytes", "memory.max", "cpu.shares",
  "cpu.cfs_quota_us", "cpu.max", "cpu.weight", "cpuset.cpus", "cpuset.mems", "freezer.state",
  "cgroup.type", "cgroup.subtree_control",
};

/* Every record of @id's folder and every cgroup file, masked, by name;
 * NULL when there is no folder. */
static GHashTable *
snapshot (Fixture *fixture, const char *id, const char *pid_file)
{
  g_autofree char *folder = g_build_filename (fixture->root, "systems", id, NULL);
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr (GHashTable) records = NULL;
  g_autoptr (GKeyFile) gate = g_key_file_new ();
  g_autofree char *gate_path = g_build_filename (folder, "gate", NULL);
  g_auto (GStrv) cgroups = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;
  records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *text = NULL;
      gsize length;
      struct stat st;

      /* A write in flight: its file may be renamed away at any moment. */
      if (*name == '.')
        {
          g_hash_table_insert (records, g_strdup (name), g_strdup ("being written"));
          continue;
        }
      g_assert_cmpint (lstat (path, &st), ==, 0);
      if (!S_ISREG (st.st_mode))
        {
          g_hash_table_insert (records, g_strdup (name), g_strdup_printf ("mode %o", st.st_mode));
          continue;
        }
      g_assert_true (g_file_get_contents (path, &text, &length, NULL));
      if (g_str_equal (name, "gate-exec"))
        {
          g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), length);
          g_autoptr (GVariant) record = g_variant_ref_sink (
              g_variant_new_from_bytes (G_VARIANT_TYPE ("(uba{sv})"), bytes, FALSE));

          text = g_variant_print (record, TRUE);
        }
      g_hash_table_insert (records, g_strdup (name), mask (name, text, id));
    }
  if (pid_file != NULL)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (pid_file, &text, NULL, NULL))
        g_hash_table_insert (records, g_strdup ("pid-file"), mask ("pid-file", text, id));
      g_unlink (pid_file);
    }
  if (g_key_file_load_from_file (gate, gate_path, G_KEY_FILE_NONE, NULL))
    cgroups = g_key_file_get_string_list (gate, "remove", "cgroups", NULL, NULL);
  for (guint i = 0; cgroups != NULL && cgroups[i] != NULL; i++)
    for (gsize j = 0; j < G_N_ELEMENTS (cgroup_files); j++)
      {
        g_autofree char *path = g_build_filename (cgroups[i], cgroup_files[j], NULL);
        g_autofree char *text = NULL, *key = NULL;

        if (!g_file_get_contents (path, &text, NULL, NULL))
          continue;
        key = mask ("cgroup", path, id);
        g_hash_table_insert (records, g_steal_pointer (&key), g_steal_pointer (&text));
      }
  return g_steal_pointer (&records);
}

/* What a create did: its code, its errors without the front's --debug
 * lines, its records; whether the front served it. */
typedef struct {
  int code;
  char *err;
  GHashTable *records;
  gboolean served;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_free (outcome->err);
  g_clear_pointer (&outcome->records, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static void
create (Fixture *fixture, gboolean front, const char *id, const char *const *options,
        Outcome *outcome)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) kept = g_string_new (NULL);
  gboolean pid_file_given = FALSE;

  g_ptr_array_add (args, "create");
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    {
      g_ptr_array_add (args, (char *) options[i]);
      pid_file_given |= g_str_has_prefix (options[i], "--pid-file");
    }
  if (!pid_file_given)
    {
      g_ptr_array_add (args, "--pid-file");
      g_ptr_array_add (args, pid_file);
    }
  g_ptr_array_add (args, (char *) id);
  g_ptr_array_add (args, NULL);
  outcome->code = hcsctl (fixture, front, &err, (const char *const *) args->pdata);
  lines = g_strsplit (err, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "hcsctl: front: create "))
        outcome->served = TRUE;
      else if (g_str_has_prefix (lines[i], "hcsctl: the full path for create: "))
        g_test_message ("%s", lines[i]);
      else if (lines[i + 1] != NULL || *lines[i] != '\0')
        g_string_append_printf (kept, "%s\n", lines[i]);
    }
  outcome->err = mask ("stderr", kept->str, id);
  outcome->records = snapshot (fixture, id, pid_file);
}

/* A running container's records once no write is in flight: the full
 * path's run releases the workload first and rewrites argon.json after
 * (through a ".argon.json-XXXXXX" file renamed over it), so the workload's
 * first output can come while that file exists. */
static GHashTable *
settled_snapshot (Fixture *fixture, const char *id)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      GHashTable *records = snapshot (fixture, id, NULL);
      GHashTableIter iter;
      gpointer name;
      gboolean writing = FALSE;

      g_assert_nonnull (records);
      g_hash_table_iter_init (&iter, records);
      while (!writing && g_hash_table_iter_next (&iter, &name, NULL))
        writing = *(const char *) name == '.';
      if (!writing)
        return records;
      if (g_get_monotonic_time () > deadline)
        g_error ("%s: a record is still being written after 10 s", id);
      g_hash_table_unref (records);
      g_usleep (10 * 1000);
    }
}

/* Deleted as a caller would: every cgroup and the folder go. */
static void
delete_container (Fixture *fixture, const char *id)
{
  const char *args[] = { "delete", "--force", id, NULL };
  g_autofree char *folder = g_build_filename (fixture->root, "systems", id, NULL);

  if (!g_file_test (folder, G_FILE_TEST_EXISTS))
    return;
  g_assert_cmpint (hcsctl (fixture, TRUE, NULL, args), ==, 0);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
}

static void
assert_same_records (const char *what, GHashTable *full, GHashTable *front)
{
  GHashTableIter iter;
  gpointer name, text;

  if (full == NULL || front == NULL)
    {
      if (full != front)
        g_error ("%s: a folder is left by one way only (full path %s, front %s)", what,
                 full ? "yes" : "no", front ? "yes" : "no");
      return;
    }
  g_hash_table_iter_init (&iter, full);
  while (g_hash_table_iter_next (&iter, &name, &text))
    {
      const char *other = g_hash_table_lookup (front, name);

      if (other == NULL)
        g_error ("%s: %s: the front did not write it", what, (char *) name);
      if (!g_str_equal (text, other))
        g_error ("%s: %s differs\nfull path: %s\nfront:     %s", what, (char *) name,
                 (char *) text, other);
    }
  g_hash_table_iter_init (&iter, front);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (full, name))
      g_error ("%s: %s: written by the front alone", what, (char *) name);
}

typedef enum {
  EXPECT_SERVED,
  EXPECT_DECLINED,
  EXPECT_EITHER,
} Expectation;

/* @config (NULL: the bundle's as it is) created both ways with @options
 * on the command line: the same outcome, served by the front as
 * @expectation says. */
static void
compare_both_ways (Fixture *fixture, const char *what, const char *config,
                   const char *const *options, Expectation expectation)
{
  static guint serial;
  g_autofree char *full_id = g_strdup_printf ("full-%u", ++serial);
  g_autofree char *front_id = g_strdup_printf ("front-%u", serial);
  g_auto (Outcome) full = { 0 };
  g_auto (Outcome) front = { 0 };

  if (config != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->bundle, "config.json", NULL);

      g_assert_true (g_file_set_contents (path, config, -1, NULL));
    }
  create (fixture, FALSE, full_id, options, &full);
  delete_container (fixture, full_id);
  create (fixture, TRUE, front_id, options, &front);
  delete_container (fixture, front_id);
  g_test_message ("%s: exit %d, %s; %s", what, front.code,
                  front.served ? "served by the front" : "the full path's", front.err);
  g_assert_false (full.served);
  if (expectation == EXPECT_SERVED && !front.served)
    g_error ("%s: not served by the front", what);
  if (expectation == EXPECT_DECLINED && front.served)
    g_error ("%s: served by the front, expected declined", what);
  if (full.code != front.code || !g_str_equal (full.err, front.err))
    g_error ("%s: full path exit %d: %s\nfront exit %d: %s", what, full.code, full.err,
             front.code, front.err);
  assert_same_records (what, full.records, front.records);
}

/* --- the corpus --------------------------------------------------------------------- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The parents of the corpus's absolute cgroupsPaths ("/a//b/",
 * "/hcs-test-oci-spec/box") in every hierarchy, where they are not yet:
 * the test's to remove. */
static GPtrArray *
cgroup_parents_not_there (void)
{
  static const char *const parents[] = { "a", "hcs-test-oci-spec" };
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open ("/sys/fs/cgroup", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (parents); i++)
      {
        char *path = g_build_filename ("/sys/fs/cgroup", name, parents[i], NULL);

        if (g_file_test (path, G_FILE_TEST_EXISTS))
          g_free (path);
        else
          g_ptr_array_add (paths, path);
      }
  return paths;
}

/* Every config of the oci-spec corpus: y_ translated, so served; n_ and
 * x_ declined, created (or refused) by the full path. */
static void
test_corpus (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "oci-spec", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_autoptr (GPtrArray) made = cgroup_parents_not_there ();

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autofree char *raw = NULL;
      g_autoptr (GString) text = NULL;

      g_assert_true (g_file_get_contents (path, &raw, NULL, NULL));
      text = g_string_new (raw);
      g_string_replace (text, "@ROOT@", fixture->rootfs, 0);
      compare_both_ways (fixture, names->pdata[i], text->str, NULL,
                         g_str_has_prefix (names->pdata[i], "y_") ? EXPECT_SERVED
                                                                  : EXPECT_DECLINED);
    }
  /* A delete removes the container's cgroup, not the parents a
   * cgroupsPath made. */
  for (guint i = 0; i < made->len; i++)
    g_rmdir (made->pdata[i]);
}

/* runc's default spec (hcsctl spec writes it, with busybox's conventions),
 * its root the bundle's own, without a terminal as a caller without one
 * (conmon, containerd's shim) writes it for a detached create. */
static char *
default_spec (Fixture *fixture)
{
  const char *args[] = { "spec", NULL };
  g_autofree char *path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GString) spec = NULL;

  g_unlink (path);
  g_assert_cmpint (hcsctl (fixture, TRUE, NULL, args), ==, 0);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  spec = g_string_new (text);
  g_assert_cmpuint (g_string_replace (spec, "\"terminal\": true", "\"terminal\": false", 1), ==,
                    1);
  g_assert_true (g_file_set_contents (path, spec->str, -1, NULL));
  return g_string_free (g_steal_pointer (&spec), FALSE);
}

static void
test_default_spec (Fixture *fixture, gconstpointer data)
{
  g_autofree char *spec = default_spec (fixture);
  g_autofree char *bundle_option = g_strdup_printf ("--bundle=%s", fixture->bundle);
  const char *const with_bundle[] = { "-b", fixture->bundle, NULL };
  const char *const with_bundle_equals[] = { bundle_option, NULL };

  compare_both_ways (fixture, "runc's default spec", spec, NULL, EXPECT_SERVED);
  compare_both_ways (fixture, "-b", NULL, with_bundle, EXPECT_SERVED);
  compare_both_ways (fixture, "--bundle=", NULL, with_bundle_equals, EXPECT_SERVED);
}

/* Each of the command line's and the options' declines still creates, as
 * the full path does, or fails with its error. */
static void
test_declined (Fixture *fixture, gconstpointer data)
{
  g_autofree char *spec = default_spec (fixture);
  g_autofree char *missing_dir = g_build_filename (fixture->temp_dir, "none", "pid", NULL);
  g_autofree char *pid_file_option = g_strdup_printf ("--pid-file=%s", missing_dir);
  g_autofree char *console = g_build_filename (fixture->temp_dir, "console.sock", NULL);
  const char *const no_pivot[] = { "--no-pivot", NULL };
  const char *const console_socket[] = { "--console-socket", console, NULL };
  const char *const bad_pid_file[] = { pid_file_option, NULL };

  compare_both_ways (fixture, "--no-pivot", spec, no_pivot, EXPECT_DECLINED);
  compare_both_ways (fixture, "--console-socket", NULL, console_socket, EXPECT_DECLINED);
  /* After the commit: the system discarded, the full path's message. */
  compare_both_ways (fixture, "a pid file nobody can write", NULL, bad_pid_file,
                     EXPECT_SERVED);

  write_options (fixture, "[argon]\nshutdown-timeout-ms=5000\n");
  compare_both_ways (fixture, "an option the front reads", NULL, NULL, EXPECT_SERVED);
  write_options (fixture, "[host]\nlayer-dir=/nonexistent\n");
  compare_both_ways (fixture, "an option the front does not read", NULL, NULL, EXPECT_DECLINED);
  write_options (fixture, "[argon]\ncgroup-version=3\n");
  compare_both_ways (fixture, "a value the full path refuses", NULL, NULL, EXPECT_DECLINED);
  write_options (fixture, "[nowhere]\nkey=1\n");
  compare_both_ways (fixture, "a group nobody knows", NULL, NULL, EXPECT_DECLINED);
  write_options (fixture, "[argon]\nhelper=/nonexistent/helper\n");
  compare_both_ways (fixture, "no helper", NULL, NULL, EXPECT_DECLINED);
  write_options (fixture, NULL);

  /* argon's module where the host looks for it: [host] plugin-dirs,
   * HCS_PLUGIN_PATH (the suite's), the installed folder (not here). */
  without_plugin_path = TRUE;
  compare_both_ways (fixture, "no plugin folder", NULL, NULL, EXPECT_DECLINED);
  {
    g_autofree char *plugin_dir = g_path_get_dirname (g_getenv ("HCS_RUNTIME_HELPER"));
    g_autofree char *argon_dir = g_build_filename (plugin_dir, "..", "plugins", "argon", NULL);
    g_autofree char *canonical = g_canonicalize_filename (argon_dir, NULL);
    g_autofree char *options = g_strdup_printf ("[host]\nplugin-dirs=%s\n", canonical);

    write_options (fixture, options);
    compare_both_ways (fixture, "[host] plugin-dirs", NULL, NULL, EXPECT_SERVED);
  }
  without_plugin_path = FALSE;
  write_options (fixture, NULL);

  {
    g_autofree char *config = g_build_filename (fixture->bundle, "config.json", NULL);

    g_unlink (config);
    compare_both_ways (fixture, "no config.json", NULL, NULL, EXPECT_DECLINED);
  }
}

/* A create of an id that exists: the claim is refused, the full path
 * says so; the first stays as it was. */
static void
test_existing_id (Fixture *fixture, gconstpointer data)
{
  g_autofree char *spec = default_spec (fixture);
  const char *const create_args[] = { "create", "taken", NULL };
  g_autofree char *full_err = NULL, *front_err = NULL;
  int full_code, front_code;

  g_assert_cmpint (hcsctl (fixture, TRUE, NULL, create_args), ==, 0);
  full_code = hcsctl (fixture, FALSE, &full_err, create_args);
  front_code = hcsctl (fixture, TRUE, &front_err, create_args);
  g_assert_cmpint (full_code, !=, 0);
  g_assert_cmpint (front_code, ==, full_code);
  g_assert_nonnull (strstr (front_err, "hcsctl: the full path for create: the claim"));
  g_assert_nonnull (strstr (front_err, full_err));
  delete_container (fixture, "taken");
}

/* cgroup v2 (a cgroup2 mount of the machine's): the folder, the limits,
 * and a device rule v2 refuses after the claim, everything undone. */
static void
test_cgroup_v2 (Fixture *fixture, gconstpointer data)
{
  const char *v2_root = test_find_v2_root ();
  g_autofree char *spec = NULL, *options = NULL;
  g_autoptr (GString) allowing = NULL;

  if (v2_root == NULL)
    {
      g_test_skip ("no cgroup2 mount");
      return;
    }
  spec = default_spec (fixture);
  options = g_strdup_printf ("[argon]\ncgroup-version=2\ncgroup-root=%s\n", v2_root);
  write_options (fixture, options);
  compare_both_ways (fixture, "cgroup v2", spec, NULL, EXPECT_SERVED);
  allowing = g_string_new (spec);
  g_assert_cmpuint (g_string_replace (allowing, "\"allow\": false", "\"allow\": true", 1), ==, 1);
  compare_both_ways (fixture, "cgroup v2, a device allowed", allowing->str, NULL,
                     EXPECT_SERVED);
  write_options (fixture, NULL);
}

/* oci.json of an earlier version kept the exec defaults made
 * ("process", a ProcessConfig) where it now keeps config.json's process
 * ("ociProcess"): the full path's exec without --process starts from
 * either the same way. */
static void
test_old_oci_json (Fixture *fixture, gconstpointer data)
{
  g_autofree char *spec = default_spec (fixture);
  g_autofree char *oci_path = g_build_filename (fixture->root, "systems", "old", "oci.json", NULL);
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *text = NULL, *process_text = NULL, *new_env = NULL, *old_env = NULL;
  g_autoptr (JsonNode) config = json_from_string (spec, NULL);
  g_autoptr (JsonNode) info = NULL;
  g_autoptr (HcsProcessConfig) process = NULL, defaults = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *process_object;
  const char *const create_args[] = { "create", "old", NULL };
  const char *const start_args[] = { "start", "old", NULL };
  const char *const exec_args[] = { "exec", "--env", "GIVEN=1", "old", "env", NULL };

  /* A workload that waits, an environment and a user to inherit. */
  g_assert_nonnull (config);
  process_object = json_object_get_object_member (json_node_get_object (config), "process");
  json_object_set_member (process_object, "args",
                          json_from_string ("[\"sleep\", \"1000\"]", NULL));
  json_object_set_member (process_object, "env",
                          json_from_string ("[\"PATH=/bin\", \"FROM_BUNDLE=yes\"]", NULL));
  text = json_to_string (config, FALSE);
  g_assert_true (g_file_set_contents (config_path, text, -1, NULL));
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (hcsctl (fixture, TRUE, NULL, create_args), ==, 0);
  g_assert_cmpint (hcsctl (fixture, TRUE, NULL, start_args), ==, 0);
  g_assert_cmpint (hcsctl_full (fixture, FALSE, &new_env, NULL, exec_args), ==, 0);
  g_assert_nonnull (strstr (new_env, "FROM_BUNDLE=yes\n"));
  g_assert_nonnull (strstr (new_env, "GIVEN=1\n"));

  /* The record as an earlier hcsctl wrote it. */
  g_assert_true (g_file_get_contents (oci_path, &text, NULL, NULL));
  info = json_from_string (text, NULL);
  g_assert_nonnull (info);
  process_text = json_to_string (
      json_object_get_member (json_node_get_object (info), "ociProcess"), FALSE);
  process = hcs_process_config_from_oci_json (process_text, &error);
  g_assert_no_error (error);
  defaults = hcs_process_config_new_exec_defaults (process);
  json_object_remove_member (json_node_get_object (info), "ociProcess");
  json_object_set_member (json_node_get_object (info), "process",
                          hcs_process_config_to_node (defaults));
  g_clear_pointer (&text, g_free);
  text = json_to_string (info, FALSE);
  g_assert_true (g_file_set_contents (oci_path, text, -1, NULL));
  g_assert_cmpint (hcsctl_full (fixture, FALSE, &old_env, NULL, exec_args), ==, 0);
  g_assert_cmpstr (old_env, ==, new_env);
  delete_container (fixture, "old");
}

/* No cgroup of @id is left under the tests' parent, in any hierarchy. */
static void
assert_no_cgroup (const char *id)
{
  static const char *const hierarchies[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory",
                                              "/sys/fs/cgroup/devices", "/sys/fs/cgroup" };

  for (guint j = 0; j < G_N_ELEMENTS (hierarchies); j++)
    {
      g_autofree char *cgroup =
          g_build_filename (hierarchies[j], test_get_cgroup_parent (), id, NULL);

      g_assert_false (g_file_test (cgroup, G_FILE_TEST_EXISTS));
    }
}

/* The front's @verb (@args) killed at @point, which it must have served:
 * `delete --force` of @id then leaves nothing, its cgroup included,
 * wherever it stopped. */
static void
assert_killed_and_undone (Fixture *fixture, const char *verb, const char *point, const char *id,
                          const char *const *args)
{
  g_autofree char *err = NULL;
  g_autofree char *served = g_strdup_printf ("hcsctl: front: %s", verb);
  int code;

  fault_point = point;
  code = hcsctl (fixture, TRUE, &err, args);
  fault_point = NULL;
  g_test_message ("%s killed at %s: exit %d", id, point, code);
  g_assert_cmpint (code, ==, 128 + SIGKILL);
  g_assert_nonnull (strstr (err, served));
  delete_container (fixture, id);
  assert_no_cgroup (id);
}

/* The front's create killed at each of the full path's fault points
 * after its claim: a folder `delete --force` undoes completely, as the
 * reliability suite checks of the full path's. */
static void
test_fault_points (Fixture *fixture, gconstpointer data)
{
  static const char *const points[] = { "argon-recorded", "argon-cgroup", "argon-helper",
                                         "argon-spawned", "argon-saved", "state-commit",
                                         "hcsctl-created", NULL };
  g_autofree char *spec = default_spec (fixture);

  for (guint i = 0; points[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("fault-%u", i);
      const char *const args[] = { "create", id, NULL };

      assert_killed_and_undone (fixture, "create", points[i], id, args);
    }
}

/* --- run ----------------------------------------------------------------------------- */

/* config.json: runc's default spec with @args as the process's. */
static void
set_workload (Fixture *fixture, const char *const *args)
{
  g_autofree char *spec = default_spec (fixture);
  g_autofree char *path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autoptr (JsonNode) config = json_from_string (spec, NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;
  JsonObject *process;

  g_assert_nonnull (config);
  json_builder_begin_array (builder);
  for (guint i = 0; args[i] != NULL; i++)
    json_builder_add_string_value (builder, args[i]);
  json_builder_end_array (builder);
  process = json_object_get_object_member (json_node_get_object (config), "process");
  json_object_set_member (process, "args", json_builder_get_root (builder));
  text = json_to_string (config, TRUE);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* An hcsctl run under way: its stdout and stderr go to files. */
typedef struct {
  GSubprocess *subprocess;
  char *out_path, *err_path;
} Running;

static void
start_hcsctl (Fixture *fixture, gboolean front, const char *const *args, Running *running)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError) error = NULL;

  running->out_path = g_build_filename (fixture->temp_dir, "run-stdout", NULL);
  running->err_path = g_build_filename (fixture->temp_dir, "run-stderr", NULL);
  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  g_ptr_array_add (argv, "--debug");
  g_ptr_array_add (argv, "--options");
  g_ptr_array_add (argv, fixture->options_file);
  g_ptr_array_add (argv, "--root");
  g_ptr_array_add (argv, fixture->root);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!front)
    g_subprocess_launcher_setenv (launcher, "HCSCTL_FRONT", "0", TRUE);
  g_subprocess_launcher_set_cwd (launcher, fixture->bundle);
  g_subprocess_launcher_set_stdout_file_path (launcher, running->out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, running->err_path);
  running->subprocess =
      g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
}

/* Until the workload said @text on stdout. */
static void
wait_for_output (Running *running, const char *text)
{
  for (guint tries = 0; tries < 3000; tries++)
    {
      g_autofree char *out = NULL;

      if (g_file_get_contents (running->out_path, &out, NULL, NULL) && strstr (out, text))
        return;
      g_usleep (10000);
    }
  g_error ("the workload never wrote %s", text);
}

/* What a run did: its code, stdout, stderr without the --debug lines,
 * whether the front served it. */
static void
finish_hcsctl (Running *running, const char *id, Outcome *outcome, char **out)
{
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) kept = g_string_new (NULL);

  test_subprocess_wait_guarded (running->subprocess, "hcsctl run");
  outcome->code = g_subprocess_get_if_exited (running->subprocess)
                      ? g_subprocess_get_exit_status (running->subprocess)
                      : 128 + g_subprocess_get_term_sig (running->subprocess);
  g_assert_true (g_file_get_contents (running->err_path, &err, NULL, NULL));
  g_assert_true (g_file_get_contents (running->out_path, out, NULL, NULL));
  lines = g_strsplit (err, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "hcsctl: front: run "))
        outcome->served = TRUE;
      else if (g_str_has_prefix (lines[i], "hcsctl: the full path for run"))
        g_test_message ("%s", lines[i]);
      else if (lines[i + 1] != NULL || *lines[i] != '\0')
        g_string_append_printf (kept, "%s\n", lines[i]);
    }
  outcome->err = mask ("stderr", kept->str, id);
  g_unlink (running->out_path);
  g_unlink (running->err_path);
  g_clear_object (&running->subprocess);
  g_free (running->out_path);
  g_free (running->err_path);
}

static int
read_pid_file (const char *path)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return atoi (text);
}

/* Nothing of @id is left: its folder, its cgroups, its init (@pid). */
static void
assert_run_left_nothing (Fixture *fixture, const char *id, int pid)
{
  g_autofree char *folder = g_build_filename (fixture->root, "systems", id, NULL);
  g_autofree char *proc = g_strdup_printf ("/proc/%d/cgroup", pid);
  g_autofree char *cgroups = NULL;

  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  assert_no_cgroup (id);
  /* A pid reused since is some other process's, not in our cgroup. */
  if (pid > 0 && g_file_get_contents (proc, &cgroups, NULL, NULL))
    g_assert_null (strstr (cgroups, id));
}

/* *@records (a running system's, name to text, or NULL) with @id masked
 * in names and texts: the same for the front's and the full path's. */
static void
mask_records (GHashTable **records, const char *id)
{
  g_autoptr (GHashTable) masked = NULL;
  GHashTableIter iter;
  gpointer name, text;

  if (*records == NULL)
    return;
  masked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, *records);
  while (g_hash_table_iter_next (&iter, &name, &text))
    g_hash_table_insert (masked, mask ("stderr", name, id), mask ("stderr", text, id));
  g_hash_table_unref (*records);
  *records = g_steal_pointer (&masked);
}

/* The full path's run ([0]) and the front's ([1]) alike: served by the
 * front only, the same code (@expected_code unless it is negative),
 * stdout, stderr and, with @compare_records, records; then cleared. */
static void
assert_runs_alike (const char *what, Outcome outcomes[2], char *outs[2], GHashTable *records[2],
                   gboolean compare_records, int expected_code)
{
  g_assert_false (outcomes[0].served);
  if (!outcomes[1].served)
    g_error ("%s: not served by the front", what);
  if (expected_code >= 0)
    g_assert_cmpint (outcomes[0].code, ==, expected_code);
  g_assert_cmpint (outcomes[1].code, ==, outcomes[0].code);
  g_assert_cmpstr (outs[1], ==, outs[0]);
  g_assert_cmpstr (outcomes[1].err, ==, outcomes[0].err);
  if (compare_records)
    assert_same_records (what, records[0], records[1]);
  for (int i = 0; i < 2; i++)
    {
      outcome_clear (&outcomes[i]);
      g_free (outs[i]);
      g_clear_pointer (&records[i], g_hash_table_unref);
    }
}

/* `run ID` of @args both ways, with @signal_hcsctl sent to hcsctl or
 * @signal_init to the init once the workload wrote @ready: the same
 * exit code (@expected_code, or -1: whatever the full path's is), stdout and stderr, the same records while
 * it ran, served by the front; nothing left after. */
static void
run_both_ways (Fixture *fixture, const char *what, const char *const *args, const char *ready,
               int signal_hcsctl, int signal_init, int expected_code)
{
  static guint serial;
  Outcome outcomes[2] = { { 0 }, { 0 } };
  char *outs[2] = { NULL, NULL };
  GHashTable *records[2] = { NULL, NULL };

  set_workload (fixture, args);
  for (int front = 0; front < 2; front++)
    {
      g_autofree char *id = g_strdup_printf ("%s-run-%u", front ? "front" : "full", ++serial);
      g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "run-pid", NULL);
      const char *const run_args[] = { "run", "--pid-file", pid_file, id, NULL };
      Running running = { 0 };
      int pid;

      start_hcsctl (fixture, front, run_args, &running);
      if (ready != NULL)
        {
          wait_for_output (&running, ready);
          records[front] = settled_snapshot (fixture, id);
          if (signal_hcsctl != 0)
            g_subprocess_send_signal (running.subprocess, signal_hcsctl);
          if (signal_init != 0)
            g_assert_cmpint (kill (read_pid_file (pid_file), signal_init), ==, 0);
        }
      finish_hcsctl (&running, id, &outcomes[front], &outs[front]);
      pid = g_file_test (pid_file, G_FILE_TEST_EXISTS) ? read_pid_file (pid_file) : 0;
      g_unlink (pid_file);
      g_test_message ("%s, %s: exit %d, stdout %s, stderr %s", what,
                      front ? "front" : "full path", outcomes[front].code, outs[front],
                      outcomes[front].err);
      assert_run_left_nothing (fixture, id, pid);
      /* The records name the id: the same once it is masked. */
      mask_records (&records[front], id);
    }
  assert_runs_alike (what, outcomes, outs, records, ready != NULL, expected_code);
}

static void
test_run (Fixture *fixture, gconstpointer data)
{
  const char *const true_args[] = { "/bin/true", NULL };
  const char *const exit_3[] = { "sh", "-c", "exit 3", NULL };
  const char *const both_streams[] = { "sh", "-c", "echo to stdout; echo to stderr >&2; exit 1",
                                       NULL };
  const char *const waiting[] = { "sh", "-c", "echo ready; exec sleep 1000", NULL };
  const char *const missing[] = { "/nonexistent/program", NULL };
  const char *const trapping[] = { "sh", "-c",
                                   "trap 'echo got TERM; exit 7' TERM; echo ready; "
                                   "while :; do sleep 0.1; done",
                                   NULL };

  run_both_ways (fixture, "/bin/true", true_args, NULL, 0, 0, 0);
  run_both_ways (fixture, "exit 3", exit_3, NULL, 0, 0, 3);
  run_both_ways (fixture, "stdout and stderr", both_streams, NULL, 0, 0, 1);
  run_both_ways (fixture, "killed by SIGKILL", waiting, "ready\n", 0, SIGKILL,
                 128 + SIGKILL);
  run_both_ways (fixture, "SIGTERM to hcsctl", trapping, "ready\n", SIGTERM, 0, 7);
  run_both_ways (fixture, "no such program", missing, NULL, 0, 0, -1);

  /* A failure after the commit (the pid file): the container discarded,
   * the full path's message. */
  {
    g_autofree char *missing_dir = g_build_filename (fixture->temp_dir, "none", "pid", NULL);
    char *errs[2] = { NULL, NULL };
    int codes[2];

    for (int front = 0; front < 2; front++)
      {
        g_autofree char *id = g_strdup_printf ("%s-pid-file", front ? "front" : "full");
        const char *const args[] = { "run", "--pid-file", missing_dir, id, NULL };
        g_autofree char *err = NULL;
        g_autoptr (GString) kept = g_string_new (NULL);
        g_auto (GStrv) lines = NULL;

        codes[front] = hcsctl (fixture, front, &err, args);
        g_assert_true ((strstr (err, "hcsctl: front: run ") != NULL) == front);
        lines = g_strsplit (err, "\n", -1);
        for (guint i = 0; lines[i] != NULL; i++)
          if (!g_str_has_prefix (lines[i], "hcsctl: front: ") &&
              !g_str_has_prefix (lines[i], "hcsctl: the full path for "))
            g_string_append_printf (kept, "%s\n", lines[i]);
        errs[front] = mask ("stderr", kept->str, id);
        assert_run_left_nothing (fixture, id, 0);
      }
    g_test_message ("a pid file nobody can write: exit %d: %s", codes[1], errs[1]);
    g_assert_cmpint (codes[0], ==, 1);
    g_assert_cmpint (codes[1], ==, codes[0]);
    g_assert_cmpstr (errs[1], ==, errs[0]);
    g_free (errs[0]);
    g_free (errs[1]);
  }
}

/* run -d both ways: running, the same records but the start's (the full
 * path's start saves argon.json again, with the start and the cgroup
 * version resolved; the front's start, as its `start`, writes
 * gate-started), the same state; then delete --force leaves nothing. */
static void
test_run_detached (Fixture *fixture, gconstpointer data)
{
  const char *const waiting[] = { "sleep", "1000", NULL };
  GHashTable *records[2] = { NULL, NULL };
  char *states[2] = { NULL, NULL };

  set_workload (fixture, waiting);
  for (int front = 0; front < 2; front++)
    {
      g_autofree char *id = g_strdup_printf ("%s-detached", front ? "front" : "full");
      g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "run-pid", NULL);
      const char *const run_args[] = { "run", "-d", "--pid-file", pid_file, id, NULL };
      const char *const state_args[] = { "state", id, NULL };
      const char *const delete_args[] = { "delete", "-f", id, NULL };
      g_autofree char *err = NULL, *state = NULL;
      GHashTableIter iter;
      gpointer name, text;
      int pid;

      g_assert_cmpint (hcsctl (fixture, front, &err, run_args), ==, 0);
      g_assert_true ((strstr (err, "hcsctl: front: run ") != NULL) == front);
      pid = read_pid_file (pid_file);
      records[front] = snapshot (fixture, id, NULL);
      g_assert_nonnull (records[front]);
      g_hash_table_remove (records[front], "gate-started");
      g_hash_table_remove (records[front], "argon.json");
      g_hash_table_iter_init (&iter, records[front]);
      while (g_hash_table_iter_next (&iter, &name, &text))
        g_hash_table_iter_replace (&iter, mask ("stderr", text, id));
      g_assert_cmpint (hcsctl_full (fixture, front, &state, NULL, state_args), ==, 0);
      g_assert_nonnull (strstr (state, "\"status\" : \"running\""));
      {
        g_autofree char *masked = mask ("stderr", state, id);
        g_autofree char *no_pid = replace_all (masked, "\"pid\" : [0-9]+", "\"pid\" : N");

        states[front] = replace_all (no_pid, "\"created\" : \"[^\"]*\"", "\"created\" : T");
      }
      g_assert_cmpint (hcsctl (fixture, front, NULL, delete_args), ==, 0);
      g_unlink (pid_file);
      assert_run_left_nothing (fixture, id, pid);
    }
  assert_same_records ("run -d", records[0], records[1]);
  g_assert_cmpstr (states[1], ==, states[0]);
  for (int i = 0; i < 2; i++)
    {
      g_free (states[i]);
      g_hash_table_unref (records[i]);
    }
}

/* The front's run killed at each fault point after its claim, with and
 * without -d: what is left, `delete --force` undoes completely. */
static void
test_run_fault_points (Fixture *fixture, gconstpointer data)
{
  static const char *const points[] = { "argon-recorded", "argon-cgroup", "argon-helper",
                                         "argon-spawned", "argon-saved", "state-commit",
                                         "hcsctl-created", "argon-start-opened",
                                         "argon-started", "argon-remove-cgroup", NULL };
  const char *const waiting[] = { "sleep", "1000", NULL };
  const char *const quick[] = { "/bin/true", NULL };

  for (int detach = 0; detach < 2; detach++)
    for (guint i = 0; points[i] != NULL; i++)
      {
        g_autofree char *id = g_strdup_printf ("fault-%d-%u", detach, i);
        const char *const args[] = { "run", detach ? "-d" : id, detach ? id : NULL, NULL };

        /* A run -d has no removal, a run no start fifo. */
        if (g_str_equal (points[i], detach ? "argon-remove-cgroup" : "argon-start-opened"))
          continue;
        /* The removal comes once the workload exited. */
        set_workload (fixture, g_str_equal (points[i], "argon-remove-cgroup") ? quick : waiting);
        assert_killed_and_undone (fixture, "run", points[i], id, args);
      }
}

/* What the front does not serve goes the full path, with its outcome. */
static void
test_run_declined (Fixture *fixture, gconstpointer data)
{
  static const char *const declines[][4] = {
    { "--keep", NULL },
    { "--no-pivot", NULL },
    { "--console-socket", "/nonexistent/console.sock", NULL },
  };
  const char *const true_args[] = { "/bin/true", NULL };
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);

  set_workload (fixture, true_args);
  for (gsize i = 0; i < G_N_ELEMENTS (declines); i++)
    for (int front = 0; front < 2; front++)
      {
        g_autofree char *id = g_strdup_printf ("declined-%" G_GSIZE_FORMAT "-%d", i, front);
        g_autoptr (GPtrArray) args = g_ptr_array_new ();
        g_autofree char *err = NULL;
        int code;

        g_ptr_array_add (args, "run");
        for (guint j = 0; declines[i][j] != NULL; j++)
          g_ptr_array_add (args, (char *) declines[i][j]);
        g_ptr_array_add (args, id);
        g_ptr_array_add (args, NULL);
        code = hcsctl (fixture, front, &err, (const char *const *) args->pdata);
        g_test_message ("run %s: exit %d: %s", declines[i][0], code, err);
        g_assert_cmpint (code, ==, 0);
        g_assert_null (strstr (err, "hcsctl: front: run "));
        if (front)
          g_assert_nonnull (strstr (err, "hcsctl: the full path for run: its options"));
        delete_container (fixture, id);
      }

  /* A terminal: the translation declines it. */
  {
    g_autofree char *text = NULL;
    g_autoptr (GString) with_terminal = NULL;
    const char *const run_args[] = { "run", "terminal", NULL };
    g_autofree char *err = NULL;

    g_assert_true (g_file_get_contents (config_path, &text, NULL, NULL));
    with_terminal = g_string_new (text);
    g_assert_cmpuint (
        g_string_replace (with_terminal, "\"terminal\" : false", "\"terminal\" : true", 1), ==,
        1);
    g_assert_true (g_file_set_contents (config_path, with_terminal->str, -1, NULL));
    hcsctl (fixture, TRUE, &err, run_args);
    g_test_message ("run with a terminal: %s", err);
    g_assert_null (strstr (err, "hcsctl: front: run "));
    g_assert_nonnull (strstr (err, "hcsctl: the full path for run: config.json: process.terminal"));
    delete_container (fixture, "terminal");
  }

  /* hcs's own form, a command after "--" or a lone word without a
   * config.json here, is not runc's: the front's own-form run takes it
   * (test_run_own_form). */
  {
    const char *const own_form[] = { "run", "--rootfs", fixture->rootfs, "--", "/bin/true", NULL };
    const char *const lone_word[] = { "run", "--rootfs", fixture->rootfs, "lone", NULL };
    g_autofree char *err = NULL, *lone_err = NULL, *full_err = NULL;

    g_assert_cmpint (hcsctl (fixture, TRUE, &err, own_form), ==, 0);
    g_test_message ("hcs's run: %s", err);
    g_assert_nonnull (strstr (err, "hcsctl: front: run "));
    g_unlink (config_path);
    g_assert_cmpint (hcsctl (fixture, TRUE, &lone_err, lone_word), ==,
                     hcsctl (fixture, FALSE, &full_err, lone_word));
    g_assert_nonnull (strstr (lone_err, "hcsctl: front: run "));
  }
}

/* --- hcs's own run ------------------------------------------------------------------- */

/* The one state folder of a run under way (its id, random without
 * --name). */
static char *
running_id (Fixture *fixture)
{
  g_autofree char *systems = g_build_filename (fixture->root, "systems", NULL);
  g_autoptr (GDir) dir = g_dir_open (systems, 0, NULL);
  const char *name;
  char *id = NULL;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_null (id);
      id = g_strdup (name);
    }
  g_assert_nonnull (id);
  return id;
}

/* The init's pid, from @id's gate. */
static int
gate_pid (Fixture *fixture, const char *id)
{
  g_autofree char *path = g_build_filename (fixture->root, "systems", id, "gate", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "pid="))
      return atoi (lines[i] + 4);
  g_assert_not_reached ();
}

/* `run [--rootfs ROOTFS] [--name NAME-N] -- @command` both ways (no
 * --rootfs: the built-in image under the fixture's image-dir), with
 * @signal_hcsctl or @signal_init sent once the workload wrote @ready:
 * the same exit code (@expected_code, or -1: the full path's), stdout,
 * stderr and records, served by the front; nothing left after. */
static void
run_own_both_ways (Fixture *fixture, const char *what, gboolean with_rootfs, const char *name,
                   const char *const *command, const char *ready, int signal_hcsctl,
                   int signal_init, int expected_code)
{
  static guint serial;
  Outcome outcomes[2] = { { 0 }, { 0 } };
  char *outs[2] = { NULL, NULL };
  GHashTable *records[2] = { NULL, NULL };

  for (int front = 0; front < 2; front++)
    {
      g_autofree char *named = name ? g_strdup_printf ("%s-%s-%u", name, front ? "front" : "full",
                                                       ++serial)
                                    : NULL;
      g_autofree char *id = g_strdup (named);
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      Running running = { 0 };
      int pid = 0;

      g_ptr_array_add (args, "run");
      if (with_rootfs)
        {
          g_ptr_array_add (args, "--rootfs");
          g_ptr_array_add (args, fixture->rootfs);
        }
      if (named != NULL)
        {
          g_ptr_array_add (args, "--name");
          g_ptr_array_add (args, named);
        }
      g_ptr_array_add (args, "--");
      for (guint i = 0; command[i] != NULL; i++)
        g_ptr_array_add (args, (char *) command[i]);
      g_ptr_array_add (args, NULL);

      start_hcsctl (fixture, front, (const char *const *) args->pdata, &running);
      if (ready != NULL)
        {
          wait_for_output (&running, ready);
          if (id == NULL)
            id = running_id (fixture);
          records[front] = settled_snapshot (fixture, id);
          pid = gate_pid (fixture, id);
          if (signal_hcsctl != 0)
            g_subprocess_send_signal (running.subprocess, signal_hcsctl);
          if (signal_init != 0)
            g_assert_cmpint (kill (pid, signal_init), ==, 0);
        }
      /* Without a name nor a snapshot the id is never seen: nothing to
       * mask. */
      finish_hcsctl (&running, id ? id : "\x01", &outcomes[front], &outs[front]);
      g_test_message ("%s, %s: exit %d, stdout %s, stderr %s", what,
                      front ? "front" : "full path", outcomes[front].code, outs[front],
                      outcomes[front].err);
      if (id != NULL)
        {
          g_autofree char *masked_out = mask ("stdout", outs[front], id);

          assert_run_left_nothing (fixture, id, pid);
          g_free (outs[front]);
          outs[front] = g_steal_pointer (&masked_out);
        }
      else
        test_assert_no_state_folders (fixture->root);
      mask_records (&records[front], id);
    }
  assert_runs_alike (what, outcomes, outs, records, ready != NULL, expected_code);
}

/* Runtime options with [host] image-dir in the fixture's folder, so that
 * the built-in image is unpacked there. */
static char *
use_image_dir (Fixture *fixture)
{
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autofree char *image_dir = g_build_filename (fixture->temp_dir, "images", NULL);

  g_key_file_set_string (options, "host", "image-dir", image_dir);
  g_assert_true (g_key_file_save_to_file (options, fixture->options_file, NULL));
  return g_steal_pointer (&image_dir);
}

static void
test_run_own_form (Fixture *fixture, gconstpointer data)
{
  const char *const true_args[] = { "/bin/true", NULL };
  const char *const streams[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
  const char *const hostname[] = { "sh", "-c", "hostname; echo ready; exec sleep 1000", NULL };
  const char *const trapping[] = { "sh", "-c",
                                   "trap 'echo got TERM; exit 7' TERM; echo ready; "
                                   "while :; do sleep 0.1; done",
                                   NULL };
  const char *const missing[] = { "/nonexistent/program", NULL };
  g_autofree char *image_dir = use_image_dir (fixture);

  /* The built-in image not unpacked yet: the full path's to unpack. */
  {
    const char *const args[] = { "run", "--", "/bin/true", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (hcsctl (fixture, TRUE, &err, args), ==, 0);
    g_test_message ("no image yet: %s", err);
    g_assert_null (strstr (err, "hcsctl: front: run "));
    g_assert_nonnull (strstr (err, "hcsctl: the full path for run: the built-in image is not "
                                   "unpacked"));
  }
  run_own_both_ways (fixture, "/bin/true", FALSE, NULL, true_args, NULL, 0, 0, 0);
  run_own_both_ways (fixture, "stdout, stderr, exit 3", FALSE, NULL, streams, NULL, 0, 0, 3);
  run_own_both_ways (fixture, "--rootfs", TRUE, NULL, streams, NULL, 0, 0, 3);
  run_own_both_ways (fixture, "--name", TRUE, "named", true_args, NULL, 0, 0, 0);
  run_own_both_ways (fixture, "the hostname, the records", FALSE, NULL, hostname, "ready\n",
                     0, SIGKILL, 128 + SIGKILL);
  run_own_both_ways (fixture, "--name, the records", FALSE, "records", hostname, "ready\n", 0,
                     SIGKILL, 128 + SIGKILL);
  run_own_both_ways (fixture, "SIGTERM to hcsctl", TRUE, "trap", trapping, "ready\n",
                     SIGTERM, 0, 7);
  run_own_both_ways (fixture, "no such program", TRUE, NULL, missing, NULL, 0, 0, -1);
}

/* The front's own-form run killed at each fault point after its claim:
 * what is left, `delete --force` undoes completely. */
static void
test_run_own_form_fault_points (Fixture *fixture, gconstpointer data)
{
  static const char *const points[] = { "argon-recorded", "argon-cgroup", "argon-helper",
                                         "argon-spawned", "argon-saved", "state-commit",
                                         "argon-started", "argon-remove-cgroup", NULL };

  for (guint i = 0; points[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("own-fault-%u", i);
      /* The removal comes once the workload exited. */
      gboolean quick = g_str_equal (points[i], "argon-remove-cgroup");
      const char *const args[] = { "run", "--rootfs", fixture->rootfs, "--name", id, "--",
                                   quick ? "/bin/true" : "sleep", quick ? NULL : "1000", NULL };

      assert_killed_and_undone (fixture, "run", points[i], id, args);
    }
}

/* hcs's own run with anything but --rootfs and --name goes the full
 * path, with its outcome. */
static void
test_run_own_form_declined (Fixture *fixture, gconstpointer data)
{
  static const char *const declines[][4] = {
    { "--tty", NULL },
    { "-t", NULL },
    { "--memory", "64", NULL },
    { "-m", "64", NULL },
    { "--cpus", "1", NULL },
    { "--config", "/nonexistent/config.json", NULL },
    { "--env", "A=B", NULL },
    { "-e", "A=B", NULL },
    { "--volume", "/tmp:/mnt", NULL },
    { "--network", "no-such-network", NULL },
    { "--isolation", "process", NULL },
    { "--hostname", "other", NULL },
    { "--workdir", "/", NULL },
    { "--user", "0", NULL },
    { "--name", "twice", "--name=twice", NULL },
    { "--rootfs", "", NULL },
    { "--help", NULL },
  };
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);

  g_unlink (config_path);
  for (gsize i = 0; i < G_N_ELEMENTS (declines); i++)
    {
      int codes[2];
      char *errs[2] = { NULL, NULL };

      for (int front = 0; front < 2; front++)
        {
          g_autoptr (GPtrArray) args = g_ptr_array_new ();

          g_ptr_array_add (args, "run");
          g_ptr_array_add (args, "--rootfs");
          g_ptr_array_add (args, fixture->rootfs);
          for (guint j = 0; declines[i][j] != NULL; j++)
            g_ptr_array_add (args, (char *) declines[i][j]);
          g_ptr_array_add (args, "--");
          g_ptr_array_add (args, "/bin/true");
          g_ptr_array_add (args, NULL);
          codes[front] = hcsctl (fixture, front, &errs[front], (const char *const *) args->pdata);
        }
      g_test_message ("run %s: exit %d: %s", declines[i][0], codes[1], errs[1]);
      g_assert_cmpint (codes[1], ==, codes[0]);
      g_assert_null (strstr (errs[1], "hcsctl: front: run "));
      g_assert_nonnull (strstr (errs[1], "hcsctl: the full path for run: hcs's own form with "
                                         "these options"));
      g_free (errs[0]);
      g_free (errs[1]);
    }
  /* A terminal as stdin: the full path copies through pipes, not the
   * front's to do. */
  {
    const char *const args[] = { g_getenv ("HCSCTL"), "--debug", "--options",
                                 fixture->options_file, "--root", fixture->root, "run",
                                 "--rootfs", fixture->rootfs, "--", "/bin/true", NULL };
    g_autofree char *err_path = g_build_filename (fixture->temp_dir, "tty-stderr", NULL);
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_autoptr (GSubprocess) subprocess = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *err = NULL;
    int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC), slave;

    g_assert_cmpint (master, >=, 0);
    g_assert_cmpint (grantpt (master), ==, 0);
    g_assert_cmpint (unlockpt (master), ==, 0);
    slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint (slave, >=, 0);
    g_subprocess_launcher_take_stdin_fd (launcher, slave);
    g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
    g_subprocess_launcher_set_cwd (launcher, fixture->bundle);
    subprocess = g_subprocess_launcher_spawnv (launcher, args, &error);
    g_assert_no_error (error);
    g_assert_cmpint (test_subprocess_wait_guarded (subprocess, "hcsctl run"), ==, 0);
    close (master);
    g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
    g_unlink (err_path);
    g_test_message ("run with a terminal as stdin: %s", err);
    g_assert_null (strstr (err, "hcsctl: front: run "));
    g_assert_nonnull (strstr (err, "hcsctl: the full path for run: a terminal among the "
                                   "standard streams"));
  }
  /* No command: the full path's usage message. */
  {
    const char *const args[] = { "run", "--rootfs", fixture->rootfs, "--", NULL };
    g_autofree char *err = NULL, *full_err = NULL;

    g_assert_cmpint (hcsctl (fixture, TRUE, &err, args), ==, hcsctl (fixture, FALSE, &full_err, args));
    g_assert_null (strstr (err, "hcsctl: front: run "));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (getuid () != 0)
    {
      g_test_skip ("needs root (namespaces, cgroups)");
      return g_test_run ();
    }
#define ADD(path, func)                                                                        \
  g_test_add ("/front-create/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("default-spec", test_default_spec);
  ADD ("corpus", test_corpus);
  ADD ("declined", test_declined);
  ADD ("existing-id", test_existing_id);
  ADD ("cgroup-v2", test_cgroup_v2);
  ADD ("fault-points", test_fault_points);
  ADD ("old-oci-json", test_old_oci_json);
  ADD ("run", test_run);
  ADD ("run-detached", test_run_detached);
  ADD ("run-declined", test_run_declined);
  ADD ("run-fault-points", test_run_fault_points);
  ADD ("run-own-form", test_run_own_form);
  ADD ("run-own-form-declined", test_run_own_form_declined);
  ADD ("run-own-form-fault-points", test_run_own_form_fault_points);
  int code = g_test_run ();
  test_cleanup_cgroup_parent ();
  return code;
}
