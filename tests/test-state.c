/* test-state.c: hcs-state, the owner of the state directory: claims raced by
 * many processes, whole records, locks, listing and removal, hostile ids,
 * and claimers killed at its fault points.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "hcs-json.h"

typedef struct {
  char *temp_dir;
  char *state_dir;
  HcsState *state;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *layer_dir = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-state");
  fixture->state_dir = g_build_filename (fixture->temp_dir, "state", NULL);
  layer_dir = g_build_filename (fixture->temp_dir, "layers", NULL);
  fixture->state = hcs_state_new (fixture->state_dir, layer_dir, &error);
  g_assert_no_error (error);
}

/* Nothing of a test is left in the systems folder, temporary names included. */
static void
assert_systems_empty (Fixture *fixture)
{
  g_autofree char *systems = g_build_filename (fixture->state_dir, "systems", NULL);
  g_autoptr (GDir) dir = g_dir_open (systems, 0, NULL);
  const char *name = dir ? g_dir_read_name (dir) : NULL;

  g_assert_null (name);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  assert_systems_empty (fixture);
  g_clear_object (&fixture->state);
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->state_dir);
  g_free (fixture->temp_dir);
}

static int
wait_child (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  return status;
}

/* --- the directories ------------------------------------------------------------------- */

static void
test_options (void)
{
  g_autoptr (GKeyFile) options = g_key_file_new ();
  g_autoptr (HcsState) defaults = hcs_state_new_from_options (NULL, NULL);
  g_autoptr (HcsState) state = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (hcs_state_get_state_dir (defaults), ==, HCS_DEFAULT_STATE_DIR);
  g_assert_cmpstr (hcs_state_get_layer_dir (defaults), ==, HCS_DEFAULT_LAYER_DIR);

  g_key_file_set_string (options, "host", "state-dir", "/tmp/x/../y");
  g_key_file_set_string (options, "host", "layer-dir", "/tmp/layers");
  state = hcs_state_new_from_options (options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_state_get_state_dir (state), ==, "/tmp/y");
  g_assert_cmpstr (hcs_state_get_layer_dir (state), ==, "/tmp/layers");
  g_clear_object (&state);

  g_key_file_set_string (options, "host", "layer-dir", "relative");
  state = hcs_state_new_from_options (options, &error);
  g_assert_null (state);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "layer-dir"));
}

/* The host reads them once and hands the same object to whoever asks. */
static void
test_host_state (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_state_get_state_dir (hcs_host_get_state (host)), ==, fixture->state_dir);
  g_assert_cmpstr (hcs_state_get_layer_dir (hcs_host_get_state (host)), ==,
                   HCS_DEFAULT_LAYER_DIR);
}

/* --- ids --------------------------------------------------------------------------------- */

static void
test_hostile_ids (Fixture *fixture, gconstpointer data)
{
  g_autofree char *long_id = g_strnfill (129, 'a');
  g_autofree char *longest_id = g_strnfill (128, 'a');
  const char *const hostile[] = { "", ".", "..", "../x", "a/b", "/abs", ".hidden", "-flag",
                                  "a b", "a\nb", "a\\b", "systems/..", "é", long_id, NULL };

  for (guint i = 0; hostile[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, hostile[i], "test",
                                                          &error);

      g_test_message ("id '%s'", hostile[i]);
      g_assert_null (folder);
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "compute system id"));
      g_clear_error (&error);
      g_assert_null (hcs_state_open (fixture->state, hostile[i], &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_assert_null (hcs_state_get_system_path (fixture->state, hostile[i]));
    }
  /* Nothing was made anywhere, not even the systems folder's parent. */
  g_assert_false (g_file_test (fixture->state_dir, G_FILE_TEST_EXISTS));

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, longest_id, "test",
                                                        &error);
    g_assert_no_error (error);
    g_assert_true (hcs_state_folder_remove (folder, &error));
    g_assert_no_error (error);
  }
}

/* --- claims ------------------------------------------------------------------------------ */

static void
test_claim (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, "web", "test", &error);
  g_autoptr (HcsStateFolder) second = NULL;
  g_autoptr (HcsStateFolder) opened = NULL;
  g_autofree char *expected = g_build_filename (fixture->state_dir, "systems", "web", NULL);
  struct stat st;

  g_assert_no_error (error);
  g_assert_cmpstr (hcs_state_folder_get_id (folder), ==, "web");
  g_assert_cmpstr (hcs_state_folder_get_owner (folder), ==, "test");
  g_assert_cmpstr (hcs_state_folder_get_path (folder), ==, expected);
  g_assert_cmpint (stat (expected, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (hcs_state_folder_get_status (folder), ==, HCS_STATE_FOLDER_CREATING);

  second = hcs_state_claim (fixture->state, "web", "test", &error);
  g_assert_null (second);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "'web'"));
  g_clear_error (&error);

  opened = hcs_state_open (fixture->state, "web", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_state_folder_get_owner (opened), ==, "test");
  g_assert_cmpint (hcs_state_folder_get_status (opened), ==, HCS_STATE_FOLDER_CREATING);
  g_assert_true (hcs_state_folder_commit (folder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hcs_state_folder_get_status (opened), ==, HCS_STATE_FOLDER_CREATED);

  g_assert_true (hcs_state_folder_remove (opened, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
  g_clear_object (&opened);
  g_assert_null (hcs_state_open (fixture->state, "web", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
  g_clear_error (&error);

  /* The id is free again. */
  g_clear_object (&folder);
  folder = hcs_state_claim (fixture->state, "web", "test", &error);
  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_remove (folder, &error));
  g_assert_no_error (error);
}

/* Many processes claim one id at once: exactly one wins, every loser is
 * told the id exists, and no temporary folder is left. */
static void
test_claim_race (Fixture *fixture, gconstpointer data)
{
  enum { N_CLAIMERS = 32, ROUNDS = 5 };

  for (int round = 0; round < ROUNDS; round++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsStateFolder) folder = NULL;
      pid_t pids[N_CLAIMERS];
      int go[2], winners = 0, losers = 0;

      g_assert_cmpint (pipe (go), ==, 0);
      for (int i = 0; i < N_CLAIMERS; i++)
        {
          pids[i] = fork ();
          g_assert_cmpint (pids[i], >=, 0);
          if (pids[i] == 0)
            {
              g_autoptr (HcsStateFolder) mine = NULL;
              g_autoptr (GError) claim_error = NULL;
              char byte;

              close (go[1]);
              /* All start together: the read returns when the pipe closes. */
              if (read (go[0], &byte, 1) < 0)
                _exit (3);
              mine = hcs_state_claim (fixture->state, "contested", "test", &claim_error);
              if (mine != NULL)
                _exit (0);
              _exit (g_error_matches (claim_error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS) ? 1 : 2);
            }
        }
      close (go[0]);
      close (go[1]);
      for (int i = 0; i < N_CLAIMERS; i++)
        {
          int status = wait_child (pids[i]);

          g_assert_true (WIFEXITED (status));
          g_assert_cmpint (WEXITSTATUS (status), <=, 1);
          if (WEXITSTATUS (status) == 0)
            winners++;
          else
            losers++;
        }
      g_assert_cmpint (winners, ==, 1);
      g_assert_cmpint (losers, ==, N_CLAIMERS - 1);

      folder = hcs_state_open (fixture->state, "contested", &error);
      g_assert_no_error (error);
      /* The winner exited without committing: abandoned. */
      g_assert_cmpint (hcs_state_folder_get_status (folder), ==, HCS_STATE_FOLDER_ABANDONED);
      g_assert_true (hcs_state_folder_remove (folder, &error));
      g_assert_no_error (error);
      assert_systems_empty (fixture);
    }
}

/* --- records --------------------------------------------------------------------------- */

static void
test_records (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, "rec", "test", &error);
  g_autofree char *text = NULL, *path = NULL;
  gsize length;
  struct stat st;
  const char *const refused[] = { "owner", "creating", "lock", ".hidden", "a/b", "", NULL };

  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_write (folder, "one.json", "{\"a\": 1}", -1, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_write (folder, "binary", "x\0y", 3, &error));
  g_assert_no_error (error);
  text = hcs_state_folder_read (folder, "binary", &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (text, length, "x\0y", 3);
  g_clear_pointer (&text, g_free);
  path = hcs_state_folder_build_path (folder, "one.json");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (hcs_state_folder_has (folder, "one.json"));

  g_assert_true (hcs_state_folder_append (folder, "events", "first", &error));
  g_assert_true (hcs_state_folder_append (folder, "events", "second", &error));
  g_assert_no_error (error);
  text = hcs_state_folder_read (folder, "events", NULL, &error);
  g_assert_cmpstr (text, ==, "first\nsecond\n");
  g_clear_pointer (&text, g_free);

  g_assert_null (hcs_state_folder_read (folder, "missing", NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);
  for (guint i = 0; refused[i]; i++)
    {
      g_assert_false (hcs_state_folder_write (folder, refused[i], "x", -1, &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }
  /* The owner record was not touched by the refused writes. */
  g_assert_cmpstr (hcs_state_folder_get_owner (folder), ==, "test");

  g_assert_true (hcs_state_folder_remove_record (folder, "one.json", &error));
  g_assert_true (hcs_state_folder_remove_record (folder, "one.json", &error));
  g_assert_no_error (error);
  g_assert_false (hcs_state_folder_has (folder, "one.json"));

  g_assert_true (hcs_state_folder_remove (folder, &error));
  g_assert_no_error (error);
  /* Written after the removal: an error, not a folder made again. */
  g_assert_false (hcs_state_folder_write (folder, "late", "x", -1, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
}

/* A reader never sees half a record while another process rewrites it
 * as fast as it can. */
static void
test_atomic_records (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, "atomic", "test", &error);
  g_autofree char *small = g_strnfill (10, 'a');
  g_autofree char *large = g_strnfill (256 * 1024, 'b');
  pid_t writer;
  int reads = 0;

  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_write (folder, "record", small, -1, &error));
  writer = fork ();
  g_assert_cmpint (writer, >=, 0);
  if (writer == 0)
    {
      for (;;)
        {
          hcs_state_folder_write (folder, "record", large, -1, NULL);
          hcs_state_folder_write (folder, "record", small, -1, NULL);
        }
    }
  for (reads = 0; reads < 2000; reads++)
    {
      gsize length;
      g_autofree char *text = hcs_state_folder_read (folder, "record", &length, &error);

      g_assert_no_error (error);
      g_assert_true ((length == strlen (small) && g_str_equal (text, small)) ||
                     (length == strlen (large) && g_str_equal (text, large)));
    }
  kill (writer, SIGKILL);
  wait_child (writer);
  /* The killed writer's temporary file goes with the folder. */
  g_assert_true (hcs_state_folder_remove (folder, &error));
  g_assert_no_error (error);
}

/* --- locks --------------------------------------------------------------------------------- */

static void
test_lock (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, "locked", "test", &error);
  g_autoptr (HcsStateFolder) other = NULL;
  int ready[2];
  pid_t holder;
  char byte;

  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_commit (folder, &error));
  hcs_state_folder_unlock (folder);
  g_assert_cmpint (pipe (ready), ==, 0);
  holder = fork ();
  g_assert_cmpint (holder, >=, 0);
  if (holder == 0)
    {
      g_autoptr (HcsStateFolder) mine = hcs_state_open (fixture->state, "locked", NULL);

      if (mine == NULL || !hcs_state_folder_lock (mine, HCS_STATE_LOCK_EXCLUSIVE, TRUE, NULL))
        _exit (1);
      if (write (ready[1], "x", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);

  other = hcs_state_open (fixture->state, "locked", &error);
  g_assert_no_error (error);
  g_assert_false (hcs_state_folder_lock (other, HCS_STATE_LOCK_SHARED, FALSE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_OPERATION_PENDING);
  g_clear_error (&error);
  /* Its holder killed, the lock is free: no stale lock survives a crash. */
  kill (holder, SIGKILL);
  wait_child (holder);
  g_assert_true (hcs_state_folder_lock (other, HCS_STATE_LOCK_SHARED, FALSE, &error));
  g_assert_no_error (error);
  /* Shared locks share. */
  g_assert_true (hcs_state_folder_lock (folder, HCS_STATE_LOCK_SHARED, FALSE, &error));
  g_assert_no_error (error);
  hcs_state_folder_unlock (folder);

  /* Exclusive, then removed: a waiter that comes after is told so. */
  g_assert_true (hcs_state_folder_lock (other, HCS_STATE_LOCK_EXCLUSIVE, FALSE, &error));
  g_assert_true (hcs_state_folder_remove (other, &error));
  g_assert_no_error (error);
  hcs_state_folder_unlock (other);
  g_assert_false (hcs_state_folder_lock (folder, HCS_STATE_LOCK_EXCLUSIVE, TRUE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
}

/* --- listing and removal ---------------------------------------------------------------- */

static void
test_list_and_remove (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = hcs_state_list (fixture->state, &error);
  g_autoptr (HcsStateFolder) done = NULL, half = NULL, foreign = NULL;
  g_autofree char *systems = g_build_filename (fixture->state_dir, "systems", NULL);
  g_autofree char *stale_claim = NULL, *stale_removal = NULL, *sub = NULL, *link = NULL;
  g_autofree char *victim = g_build_filename (fixture->temp_dir, "victim", NULL);
  pid_t child;

  /* No state directory yet: an empty list. */
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_ptr_array_unref);

  done = hcs_state_claim (fixture->state, "b-done", "test", &error);
  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_commit (done, &error));
  /* A claimer that dies before it commits. */
  child = fork ();
  if (child == 0)
    _exit (hcs_state_claim (fixture->state, "a-half", "test", NULL) ? 0 : 1);
  g_assert_cmpint (WEXITSTATUS (wait_child (child)), ==, 0);
  /* Garbage of a claimer and a remover killed half-way. */
  stale_claim = g_build_filename (systems, ".claim-999999999-1-abcdef", NULL);
  stale_removal = g_build_filename (systems, ".removing-x-00000000", NULL);
  g_assert_cmpint (g_mkdir (stale_claim, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (stale_removal, 0700), ==, 0);
  g_assert_true (g_file_set_contents (victim, "keep", -1, NULL));

  ids = hcs_state_list (fixture->state, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (ids->pdata[0], ==, "a-half");
  g_assert_cmpstr (ids->pdata[1], ==, "b-done");
  g_assert_false (g_file_test (stale_claim, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (stale_removal, G_FILE_TEST_EXISTS));

  half = hcs_state_open (fixture->state, "a-half", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hcs_state_folder_get_status (half), ==, HCS_STATE_FOLDER_ABANDONED);
  g_assert_cmpint (hcs_state_folder_get_status (done), ==, HCS_STATE_FOLDER_CREATED);

  /* Remove takes everything, whoever wrote it: files, folders, fifos,
   * links (never followed). */
  sub = hcs_state_folder_build_path (done, "sub");
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  {
    g_autofree char *deep = g_build_filename (sub, "deep", NULL);
    g_autofree char *fifo = hcs_state_folder_build_path (done, "exec.fifo");
    g_assert_true (g_file_set_contents (deep, "x", -1, NULL));
    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  }
  link = hcs_state_folder_build_path (done, "link");
  g_assert_cmpint (symlink (fixture->temp_dir, link), ==, 0);
  g_assert_true (hcs_state_folder_remove (done, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_remove (half, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (victim, G_FILE_TEST_EXISTS));
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = hcs_state_list (fixture->state, &error);
  g_assert_cmpuint (ids->len, ==, 0);

  /* A folder without an owner (made by hand) is listed and removable. */
  {
    g_autofree char *bare = g_build_filename (systems, "bare", NULL);
    g_assert_cmpint (g_mkdir (bare, 0700), ==, 0);
    foreign = hcs_state_open (fixture->state, "bare", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (hcs_state_folder_get_owner (foreign), ==, "");
    g_assert_true (hcs_state_folder_lock (foreign, HCS_STATE_LOCK_EXCLUSIVE, FALSE, &error));
    g_assert_true (hcs_state_folder_remove (foreign, &error));
    g_assert_no_error (error);
  }
}

/* A mount inside a folder is not crossed: remove refuses, naming it. */
static void
test_remove_refuses_mount (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, "mounted", "test", &error);
  g_autofree char *point = NULL, *file = NULL, *moved = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autofree char *systems = g_build_filename (fixture->state_dir, "systems", NULL);
  g_autoptr (GDir) dir = NULL;
  const char *name;

  g_assert_no_error (error);
  point = hcs_state_folder_build_path (folder, "mnt");
  g_assert_cmpint (g_mkdir (point, 0700), ==, 0);
  if (mount ("hcs-test", point, "tmpfs", 0, "size=64k") < 0)
    {
      g_test_skip ("cannot mount a tmpfs here");
      g_assert_true (hcs_state_folder_remove (folder, NULL));
      return;
    }
  file = g_build_filename (point, "precious", NULL);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_false (hcs_state_folder_remove (folder, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "mount point"));
  g_clear_error (&error);
  /* The folder was moved out of the way; what is mounted is intact. */
  dir = g_dir_open (systems, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, ".removing-mounted-"))
      moved = g_build_filename (systems, name, "mnt", NULL);
  g_assert_nonnull (moved);
  {
    g_autofree char *still = g_build_filename (moved, "precious", NULL);
    g_assert_true (g_file_test (still, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (umount2 (moved, MNT_DETACH), ==, 0);
  /* Listing finishes the removal. */
  ids = hcs_state_list (fixture->state, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 0);
}

/* --- killed at a fault point ----------------------------------------------------------- */

static void
test_claim_killed (Fixture *fixture, gconstpointer data)
{
  const char *const points[] = { "state-claim", "state-claimed", "state-commit", NULL };

  for (guint i = 0; points[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) ids = NULL;
      g_autoptr (HcsStateFolder) folder = NULL;
      pid_t child;
      int status;

      child = fork ();
      g_assert_cmpint (child, >=, 0);
      if (child == 0)
        {
          g_autoptr (HcsStateFolder) mine = NULL;

          g_setenv ("HCS_FAULT_POINT", points[i], TRUE);
          mine = hcs_state_claim (fixture->state, "killed", "test", NULL);
          if (mine != NULL)
            hcs_state_folder_commit (mine, NULL);
          _exit (0);
        }
      status = wait_child (child);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

      ids = hcs_state_list (fixture->state, &error);
      g_assert_no_error (error);
      if (g_str_equal (points[i], "state-claim"))
        {
          /* Killed before the rename: nothing to see, and the temporary
           * folder was swept by the list. */
          g_assert_cmpuint (ids->len, ==, 0);
          assert_systems_empty (fixture);
        }
      else
        {
          g_assert_cmpuint (ids->len, ==, 1);
          folder = hcs_state_open (fixture->state, "killed", &error);
          g_assert_no_error (error);
          g_assert_cmpint (hcs_state_folder_get_status (folder), ==,
                           HCS_STATE_FOLDER_ABANDONED);
          /* Its lock died with it. */
          g_assert_true (hcs_state_folder_lock (folder, HCS_STATE_LOCK_EXCLUSIVE, FALSE, &error));
          g_assert_true (hcs_state_folder_remove (folder, &error));
          g_assert_no_error (error);
        }
      g_clear_object (&folder);
      folder = hcs_state_claim (fixture->state, "killed", "test", &error);
      g_assert_no_error (error);
      g_assert_true (hcs_state_folder_remove (folder, &error));
      g_assert_no_error (error);
    }
}

/* argon's record, written by hand, reads back whatever the name and
 * owner hold: quotes, backslashes, control characters, UTF-8. And its
 * folder is argon's: the owner says so. */
static void
test_argon_record_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL, other = NULL;
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (HcsContainer) container = NULL, reopened = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (HcsStateFolder) folder = NULL;
  const char *name = "we\"ird\\na\tme\n\x01 \xc3\xa9";
  const char *owner = "own\"er\\";

  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  config->name = g_strdup (name);
  config->owner = g_strdup (owner);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  container = hcs_host_create_container (host, "round-trip", config, NULL, &error);
  g_assert_no_error (error);

  folder = hcs_state_open (hcs_host_get_state (host), "round-trip", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_state_folder_get_owner (folder), ==, "argon");
  g_assert_cmpint (hcs_state_folder_get_status (folder), ==, HCS_STATE_FOLDER_CREATED);

  /* Another host (as another process would) reads it from the record. */
  other = hcs_host_new (options, &error);
  reopened = hcs_host_open_container (other, "round-trip", &error);
  g_assert_no_error (error);
  props = hcs_container_query_properties (reopened, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->name, ==, name);
  g_assert_cmpstr (props->owner, ==, owner);
  g_assert_false (props->stopped);

  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, 10000, NULL, &error));
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (hcs_state_folder_get_path (folder), G_FILE_TEST_EXISTS));
}

/* --- the creating marker ------------------------------------------------------------- */

/* What libhcs made of a marker when it read it with json-glib: the
 * reference the GLib-only reader of hcs-state-folder.c is held to. */
static HcsStateFolderStatus
status_as_json_glib (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *marker;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return HCS_STATE_FOLDER_CREATED;
  if (!json_parser_load_from_file (parser, path, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return HCS_STATE_FOLDER_ABANDONED;
  marker = json_node_get_object (root);
  if (hcs_process_start_time ((int) json_object_get_int_member_with_default (marker, "Pid", 0)) ==
      (guint64) json_object_get_int_member_with_default (marker, "StartTime", -1))
    return HCS_STATE_FOLDER_CREATING;
  return HCS_STATE_FOLDER_ABANDONED;
}

/* Markers as the claim writes them, and as no claim does: the folder's
 * status is json-glib's for every one. PID and START stand for this
 * process's. */
static void
test_marker_as_json_glib (Fixture *fixture, gconstpointer data)
{
  const char *const markers[] = {
    "{\"Pid\": PID, \"StartTime\": START}\n",
    "{\"StartTime\": START, \"Pid\": PID}",
    "  {\n\t\"Pid\" : PID ,\r\n \"StartTime\":START }  \n",
    "{\"Pid\": PID, \"StartTime\": START, \"Other\": [1, {\"a\": null}, \"x\\u00e9\"]}",
    "{\"Pid\": 1, \"StartTime\": 1, \"Pid\": PID, \"StartTime\": START}",
    "{\"P\\u0069d\": PID, \"StartTime\": START}",
    "{\"Pid\": PID, \"StartTime\": START, \"s\": \"\\uD83D\\uDE00\"}",
    "{\"Pid\": PID, \"StartTime\": START, \"s\": \"\\uD800\"}",
    "{\"Pid\": PID, \"StartTime\": START, \"s\": \"\\uD800\\u0041\"}",
    "{\"Pid\": PID.0, \"StartTime\": START.75}",
    "{\"Pid\": PIDe0, \"StartTime\": START}",
    "{\"Pid\": PID, \"StartTime\": \"START\"}",
    "{\"Pid\": \"PID\", \"StartTime\": START}",
    "{\"Pid\": PID, \"StartTime\": null}",
    "{\"Pid\": PID, \"StartTime\": true}",
    "{\"Pid\": PID}",
    "{\"StartTime\": 0}",
    "{\"Pid\": null, \"StartTime\": 0}",
    "{\"Pid\": false, \"StartTime\": 0}",
    "{\"Pid\": PID, \"StartTime\": START",
    "{\"Pid\": PID, \"StartTime\": START} x",
    "{\"Pid\": PID, \"StartTime\": START,}",
    "{\"Pid\": PID \"StartTime\": START}",
    "{\"Pid\": 99999999999999999999, \"StartTime\": 0}",
    "{\"Pid\": 1E400, \"StartTime\": 0}",
    "{\"Pid\": -1e400, \"StartTime\": 0}",
    "{\"Pid\": PID, \"StartTime\": START, \"deep\": DEEP}",
    "[PID, START]",
    "PID",
    "",
    "{}",
    "\xff{\"Pid\": PID, \"StartTime\": START}",
  };
  /* Not JSON, though json-glib's scanner read a number from them or let
   * a lone low surrogate through, and (last, made below) JSON nested past
   * hcs-json's limit: no claim writes one, and the GLib-only reader
   * takes none for a marker. */
  const char *const not_json[] = {
    "{\"Pid\": 0PID, \"StartTime\": START}",
    "{\"Pid\": PID, \"StartTime\": 0xSTART}",
    "{\"Pid\": PID, \"StartTime\": START.}",
    "{\"Pid\": PID, \"StartTime\": START, \"s\": \"a\\qb\"}",
    "{\"Pid\": PID, \"StartTime\": START, \"s\": \"a\tb\"}",
    "{\"Pid\": PID, \"StartTime\": START, \"s\": \"\\uDC00x\"}",
    "{\"Pid\": PID, \"StartTime\": START, \"d\": [DEEP]}",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_claim (fixture->state, "marked", "test", &error);
  g_autofree char *path = NULL, *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *start = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                            hcs_process_start_time (getpid ()));
  /* HCS_JSON_MAX_DEPTH - 1 levels below the marker's own: hcs-json's
   * limit with DEEP at the top of a marker; one more in [DEEP]. */
  g_autofree char *open = g_strnfill (HCS_JSON_MAX_DEPTH - 1, '[');
  g_autofree char *close = g_strnfill (HCS_JSON_MAX_DEPTH - 1, ']');
  g_autofree char *deep = g_strconcat (open, close, NULL);
  guint count = G_N_ELEMENTS (markers) + G_N_ELEMENTS (not_json);

  g_assert_no_error (error);
  /* The claim's own marker: this process creates it. */
  g_assert_cmpint (hcs_state_folder_get_status (folder), ==, HCS_STATE_FOLDER_CREATING);
  path = hcs_state_folder_build_path (folder, "creating");
  for (guint i = 0; i < count; i++)
    {
      gboolean is_json = i < G_N_ELEMENTS (markers);
      const char *marker = is_json ? markers[i] : not_json[i - G_N_ELEMENTS (markers)];
      g_autoptr (GString) text = g_string_new (marker);
      g_autofree char *shown = NULL;

      g_string_replace (text, "DEEP", deep, 0);
      g_string_replace (text, "START", start, 0);
      g_string_replace (text, "PID", pid, 0);
      g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
      shown = g_strescape (text->len > 200 ? "(deep)" : text->str, NULL);
      g_test_message ("marker %u: %s", i, shown);
      if (is_json)
        g_assert_cmpint (hcs_state_folder_get_status (folder), ==, status_as_json_glib (path));
      else
        g_assert_cmpint (hcs_state_folder_get_status (folder), ==, HCS_STATE_FOLDER_ABANDONED);
    }
  g_assert_true (hcs_state_folder_commit (folder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hcs_state_folder_get_status (folder), ==, HCS_STATE_FOLDER_CREATED);
  g_assert_true (hcs_state_folder_remove (folder, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/state/options", test_options);
  ADD ("/state/host", test_host_state);
  ADD ("/state/hostile-ids", test_hostile_ids);
  ADD ("/state/claim", test_claim);
  ADD ("/state/claim-race", test_claim_race);
  ADD ("/state/records", test_records);
  ADD ("/state/atomic-records", test_atomic_records);
  ADD ("/state/lock", test_lock);
  ADD ("/state/list-and-remove", test_list_and_remove);
  ADD ("/state/remove-refuses-mount", test_remove_refuses_mount);
  ADD ("/state/claim-killed", test_claim_killed);
  ADD ("/state/marker-as-json-glib", test_marker_as_json_glib);
  ADD ("/state/argon-record", test_argon_record_round_trip);
#undef ADD
  {
    int result = g_test_run ();
    test_cleanup_cgroup_parent ();
    return result;
  }
}
