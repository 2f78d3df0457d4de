/* test-state-base.c: the state folder and cgroup layers linked with GLib
 * alone (hcs-base, hcs-runtime-cgroup; no libhcs, GObject, GIO or
 * json-glib), as a create on hcsctl's front would use them: a folder
 * claimed in a temporary state directory, its records written (argon's
 * with argon's own code, argon-record.h), a cgroup made under the test's
 * own parent, errors in libhcs's HCS_ERROR domain, and everything undone,
 * on the way that works and on the ways that fail, a create killed at a
 * fault point included.
 * test-glib-only.sh checks the program needs nothing but GLib.
 *
 * Not test-common.c: that links libhcs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argon-record.h"
#include "hcs-error.h"
#include "hcs-gate.h"
#include "hcs-runtime-cgroup.h"
#include "hcs-state-folder.h"

typedef struct {
  char *temp_dir;
  char *state_dir;
  char *cgroup_parent; /* the test's own, under each hierarchy's root */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->temp_dir = g_strdup ("/tmp/hcs-test-state-base-XXXXXX");
  g_assert_nonnull (g_mkdtemp (fixture->temp_dir));
  fixture->state_dir = g_build_filename (fixture->temp_dir, "state", NULL);
  fixture->cgroup_parent = g_strdup_printf ("hcs-test-base-%d", (int) getpid ());
}

/* Everything below @path, as relative names (a test's leftovers). */
static void
list_tree (const char *path, const char *prefix, GPtrArray *names)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *shown = g_build_filename (prefix, name, NULL);

      g_ptr_array_add (names, g_strdup (shown));
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        list_tree (child, shown, names);
    }
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *systems = g_build_filename (fixture->state_dir, "systems", NULL);
  g_autoptr (GPtrArray) left = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;

  /* The systems folder itself stays, as libhcs leaves it; nothing in it. */
  list_tree (fixture->temp_dir, "", left);
  for (guint i = 0; i < left->len; i++)
    g_test_message ("left: %s", (char *) left->pdata[i]);
  g_assert_cmpuint (left->len, <=, 2);
  for (guint i = 0; i < left->len; i++)
    g_assert_true (g_str_equal (left->pdata[i], "state") ||
                   g_str_equal (left->pdata[i], "state/systems"));
  g_rmdir (systems);
  g_rmdir (fixture->state_dir);
  g_assert_cmpint (g_rmdir (fixture->temp_dir), ==, 0);
  g_free (fixture->cgroup_parent);
  g_free (fixture->state_dir);
  g_free (fixture->temp_dir);
}

static void
assert_hcs_error (const GError *error, HcsError code)
{
  g_assert_nonnull (error);
  /* The domain is libhcs's by its name: a front's error reads as the
   * full path's. */
  g_assert_cmpstr (g_quark_to_string (error->domain), ==, "hcs-error-quark");
  g_assert_error (error, HCS_ERROR, (int) code);
}

/* The directories of @cgroup's parent, one per hierarchy, to remove once
 * the cgroup is gone (nobody else removes a test's parent). */
static GStrv
parent_dirs (HcsRuntimeCgroup *cgroup)
{
  g_auto (GStrv) procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  g_autoptr (GStrvBuilder) parents = g_strv_builder_new ();

  for (guint i = 0; procs[i] != NULL; i++)
    {
      g_autofree char *dir = g_path_get_dirname (procs[i]);
      g_autofree char *parent = g_path_get_dirname (dir);

      g_strv_builder_add (parents, parent);
    }
  return g_strv_builder_end (parents);
}

/* A create's foundations, in a create's order, and their undoing. */
static void
test_create_and_remove (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsSystemFolder) folder = NULL, opened = NULL, second = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_auto (GStrv) procs = NULL, parents = NULL;
  g_autofree char *record = NULL, *gate = NULL, *members = NULL;
  g_autofree char *argon_text = NULL, *expected = NULL, *helper_text = NULL;
  ArgonStateFile argon = { .id = (char *) "box", .owner = (char *) ARGON_STATE_OWNER,
                           .created = 1, .detached = TRUE, .has_own_init = TRUE,
                           .cgroup_parent = fixture->cgroup_parent };
  const char *cgroup_dirs[2] = { NULL, NULL };
  HcsSystemFolderGate gate_fields = { 0 };
  gsize length = 0;
  struct stat st;

  folder = hcs_system_folder_claim (fixture->state_dir, "box", ARGON_STATE_OWNER, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_system_folder_get_id (folder), ==, "box");
  g_assert_cmpstr (hcs_system_folder_get_owner (folder), ==, "argon");
  g_assert_cmpint (stat (hcs_system_folder_get_path (folder), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (hcs_system_folder_get_status (folder), ==, HCS_SYSTEM_FOLDER_CREATING);

  /* The id is taken, and the claimer holds the lock. */
  second = hcs_system_folder_claim (fixture->state_dir, "box", "argon", &error);
  g_assert_null (second);
  assert_hcs_error (error, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  opened = hcs_system_folder_open (fixture->state_dir, "box", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_system_folder_get_owner (opened), ==, "argon");
  g_assert_false (
      hcs_system_folder_lock (opened, HCS_SYSTEM_FOLDER_LOCK_SHARED, FALSE, &error));
  assert_hcs_error (error, HCS_ERROR_OPERATION_PENDING);
  g_clear_error (&error);

  /* The cgroup, under the test's parent. */
  cgroup = hcs_runtime_cgroup_create (fixture->cgroup_parent, "box",
                                      HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_runtime_cgroup_set_default_devices (cgroup, &error));
  g_assert_no_error (error);
  procs = hcs_runtime_cgroup_get_procs_files (cgroup);
  parents = parent_dirs (cgroup);
  for (guint i = 0; procs[i] != NULL; i++)
    g_assert_true (g_file_test (procs[i], G_FILE_TEST_EXISTS));

  /* The records: argon's, as the plugin writes them (argon-record.h), and
   * the gate with what a delete on the front removes. */
  argon_text = argon_state_format (&argon);
  expected = g_strdup_printf ("{\"id\":\"box\",\"name\":\"box\",\"owner\":\"argon\",\"pid\":0,"
                              "\"pid_start_time\":0,\"helper_pid\":0,\"helper_start_time\":0,"
                              "\"created\":1,\"started\":0,\"detached\":true,"
                              "\"has_own_init\":true,\"creator_pid\":0,\"exit_type\":\"\","
                              "\"cgroup\":{\"parent\":\"%s\",\"version\":0,\"root\":\"\"}}",
                              fixture->cgroup_parent);
  g_assert_cmpstr (argon_text, ==, expected);
  g_assert_true (hcs_system_folder_write (folder, ARGON_RECORD, argon_text, -1, &error));
  g_assert_no_error (error);
  record = hcs_system_folder_read (opened, ARGON_RECORD, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record, ==, argon_text);
  g_assert_cmpuint (length, ==, strlen (record));
  helper_text = argon_state_format_pid ((int) getpid (), 42);
  g_assert_true (hcs_system_folder_write (folder, ARGON_HELPER_RECORD, helper_text, -1, &error));
  g_assert_no_error (error);
  members = g_path_get_dirname (procs[0]);
  cgroup_dirs[0] = members;
  gate_fields = (HcsSystemFolderGate){ .pid = (int) getpid (),
                                       .pid_start_time = hcs_gate_process_start_time (getpid ()),
                                       .created = g_get_real_time (),
                                       .freezer_version = 1,
                                       .cgroups = cgroup_dirs,
                                       .cgroup_members = members };
  g_assert_true (hcs_system_folder_write_gate (folder, &gate_fields, &error));
  g_assert_no_error (error);
  gate = hcs_system_folder_read (folder, HCS_GATE_RECORD, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (gate, "[remove]"));
  g_assert_true (hcs_system_folder_commit (folder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hcs_system_folder_get_status (opened), ==, HCS_SYSTEM_FOLDER_CREATED);
  ids = hcs_system_folder_list_ids (fixture->state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, "box");

  /* Undone: the cgroup, its parent, the folder. */
  g_assert_true (hcs_runtime_cgroup_destroy (cgroup, &error));
  g_assert_no_error (error);
  for (guint i = 0; procs[i] != NULL; i++)
    g_assert_false (g_file_test (procs[i], G_FILE_TEST_EXISTS));
  for (guint i = 0; parents[i] != NULL; i++)
    g_assert_cmpint (g_rmdir (parents[i]), ==, 0);
  g_assert_true (hcs_system_folder_remove (folder, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (hcs_system_folder_get_path (folder), G_FILE_TEST_EXISTS));
  g_clear_pointer (&opened, hcs_system_folder_free);
  opened = hcs_system_folder_open (fixture->state_dir, "box", &error);
  g_assert_null (opened);
  assert_hcs_error (error, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
}

/* What a front create must refuse, refused as libhcs refuses it, with
 * nothing made. */
static void
test_refusals (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsSystemFolder) folder = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL, again = NULL;
  g_auto (GStrv) parents = NULL;
  g_autofree char *home = NULL;

  folder = hcs_system_folder_claim (fixture->state_dir, "../x", "argon", &error);
  g_assert_null (folder);
  assert_hcs_error (error, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "compute system id"));
  g_clear_error (&error);
  g_assert_false (g_file_test (fixture->state_dir, G_FILE_TEST_EXISTS));

  /* A record name that is the folder's own. */
  folder = hcs_system_folder_claim (fixture->state_dir, "box", "argon", &error);
  g_assert_no_error (error);
  g_assert_false (hcs_system_folder_write (folder, "creating", "x", -1, &error));
  assert_hcs_error (error, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (hcs_system_folder_read (folder, "missing", NULL, &error));
  assert_hcs_error (error, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);

  /* A state directory that cannot be made: errno's code, the path named. */
  home = g_build_filename (fixture->temp_dir, "file", NULL);
  g_assert_true (g_file_set_contents (home, "", 0, NULL));
  g_assert_null (hcs_system_folder_claim (home, "box", "argon", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, home));
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (home), ==, 0);

  /* A cgroup made twice: the second create leaves the first alone. */
  cgroup = hcs_runtime_cgroup_create (fixture->cgroup_parent, "box",
                                      HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_no_error (error);
  parents = parent_dirs (cgroup);
  again = hcs_runtime_cgroup_create (fixture->cgroup_parent, "box",
                                     HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error);
  g_assert_null (again);
  assert_hcs_error (error, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_null (hcs_runtime_cgroup_create (fixture->cgroup_parent, "a/b",
                                            HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, &error));
  assert_hcs_error (error, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_true (hcs_runtime_cgroup_destroy (cgroup, &error));
  g_assert_no_error (error);
  for (guint i = 0; parents[i] != NULL; i++)
    g_assert_cmpint (g_rmdir (parents[i]), ==, 0);
  g_assert_true (hcs_system_folder_remove (folder, &error));
  g_assert_no_error (error);
}

/* A claim left by a creator that died: abandoned, and its temporary
 * folders swept by a listing. */
static void
test_abandoned (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsSystemFolder) folder = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autofree char *marker = NULL, *stale = NULL;

  folder = hcs_system_folder_claim (fixture->state_dir, "box", "argon", &error);
  g_assert_no_error (error);
  marker = hcs_system_folder_build_path (folder, "creating");
  /* pid 1's start time is never this. */
  g_assert_true (g_file_set_contents (marker, "{\"Pid\": 1, \"StartTime\": 1}\n", -1, NULL));
  g_assert_cmpint (hcs_system_folder_get_status (folder), ==, HCS_SYSTEM_FOLDER_ABANDONED);

  stale = g_build_filename (fixture->state_dir, "systems", ".claim-1-1-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (stale));
  ids = hcs_system_folder_list_ids (fixture->state_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (hcs_system_folder_remove (folder, &error));
  g_assert_no_error (error);
}

/* A create killed at its commit, after its record and its cgroup: the
 * folder reads as abandoned, its lock died with it, and what the record
 * names is undone from another process, GLib alone as well. */
static void
test_killed_create (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsSystemFolder) folder = NULL;
  g_autoptr (HcsRuntimeCgroup) cgroup = NULL;
  g_auto (GStrv) parents = NULL;
  g_autofree char *recorded = NULL;
  int status;
  pid_t child;

  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      g_autoptr (HcsSystemFolder) mine = NULL;
      g_autoptr (HcsRuntimeCgroup) made = NULL;

      g_setenv ("HCS_FAULT_POINT", "state-commit", TRUE);
      mine = hcs_system_folder_claim (fixture->state_dir, "killed", "argon", NULL);
      /* The undoing recorded before the resource, as argon does. */
      if (mine == NULL ||
          !hcs_system_folder_write (mine, "cgroup", fixture->cgroup_parent, -1, NULL))
        _exit (1);
      made = hcs_runtime_cgroup_create (fixture->cgroup_parent, "killed",
                                        HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL, NULL);
      if (made == NULL)
        _exit (2);
      hcs_system_folder_commit (mine, NULL);
      _exit (3);
    }
  while (waitpid (child, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  folder = hcs_system_folder_open (fixture->state_dir, "killed", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_system_folder_get_status (folder), ==, HCS_SYSTEM_FOLDER_ABANDONED);
  g_assert_true (
      hcs_system_folder_lock (folder, HCS_SYSTEM_FOLDER_LOCK_EXCLUSIVE, FALSE, &error));
  g_assert_no_error (error);
  recorded = hcs_system_folder_read (folder, "cgroup", NULL, &error);
  g_assert_no_error (error);
  cgroup = hcs_runtime_cgroup_open (recorded, "killed", HCS_RUNTIME_CGROUP_VERSION_AUTO, NULL,
                                    &error);
  g_assert_no_error (error);
  parents = parent_dirs (cgroup);
  g_assert_true (hcs_runtime_cgroup_destroy (cgroup, &error));
  g_assert_no_error (error);
  for (guint i = 0; parents[i] != NULL; i++)
    g_assert_cmpint (g_rmdir (parents[i]), ==, 0);
  g_assert_true (hcs_system_folder_remove (folder, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/state-base/create-and-remove", Fixture, NULL, fixture_set_up,
              test_create_and_remove, fixture_tear_down);
  g_test_add ("/state-base/refusals", Fixture, NULL, fixture_set_up, test_refusals,
              fixture_tear_down);
  g_test_add ("/state-base/abandoned", Fixture, NULL, fixture_set_up, test_abandoned,
              fixture_tear_down);
  g_test_add ("/state-base/killed-create", Fixture, NULL, fixture_set_up, test_killed_create,
              fixture_tear_down);
  return g_test_run ();
}
