/* test-hcsctl.c: the command line, run as a user would run it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  char *options_file;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autofree char *image_dir = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-hcsctl");
  options = test_make_options (fixture->temp_dir);
  image_dir = g_build_filename (fixture->temp_dir, "images", NULL);
  g_key_file_set_string (options, "host", "image-dir", image_dir);
  {
    g_autofree char *layer_dir = g_build_filename (fixture->temp_dir, "layers", NULL);
    g_key_file_set_string (options, "host", "layer-dir", layer_dir);
  }
  fixture->options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_assert_true (g_key_file_save_to_file (options, fixture->options_file, NULL));
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
  g_free (fixture->options_file);
}

/* Runs hcsctl with @args (NULL-terminated) and @input on stdin. */
static int
run_hcsctl (Fixture *fixture, const char *input, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  if (fixture != NULL)
    {
      g_ptr_array_add (argv, "--options");
      g_ptr_array_add (argv, fixture->options_file);
    }
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  subprocess = g_subprocess_newv ((const char *const *) argv->pdata,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                  &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, input ? input : "", NULL, &stdout_text,
                                 &stderr_text, &error);
  g_assert_no_error (error);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess)
                                                 : 128 + g_subprocess_get_term_sig (subprocess);
}

static void
test_version_and_help (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, "--version", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "hcsctl version "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, "run", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--rootfs"));
  g_assert_nonnull (strstr (out, "--isolation"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, "no-such-verb", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command 'no-such-verb'"));
}

/* The words that start the indented lines after @heading in @text (the
 * command names of a usage text). */
static GStrv
listed_commands (const char *text, const char *heading)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;
  const char *start = strstr (text, heading);

  g_assert_nonnull (start);
  lines = g_strsplit (start + strlen (heading), "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *word = NULL;
      if (!g_str_has_prefix (lines[i], "  ") || lines[i][2] == ' ' || lines[i][2] == '-')
        continue;
      word = g_strndup (lines[i] + 2, strcspn (lines[i] + 2, " "));
      if (!g_ptr_array_find_with_equal_func (words, word, g_str_equal, NULL))
        g_ptr_array_add (words, g_steal_pointer (&word));
    }
  g_ptr_array_add (words, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

/* Checks that `hcsctl WORDS… --help` prints runc's shape on stdout and
 * exits 0, and that an unknown option there is an error naming it. */
static void
assert_help (const char *verb, const char *command)
{
  g_autofree char *out = NULL, *err = NULL, *name = NULL;
  const char *bogus = "--no-such-option";

  name = g_strdup_printf ("NAME:\n   hcsctl %s%s%s - ", verb, command ? " " : "",
                          command ? command : "");
  g_test_message ("hcsctl %s %s --help", verb, command ? command : "");
  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, verb, command ? command : "--help",
                               command ? "--help" : NULL, NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, name));
  g_assert_nonnull (strstr (out, "\nUSAGE:\n   hcsctl "));
  g_assert_nonnull (strstr (out, "\nOPTIONS:\n"));
  g_assert_nonnull (strstr (out, "   --help, -h "));
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* -h is --help too */
  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, verb, command ? command : "-h",
                               command ? "-h" : NULL, NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, name));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A group's command takes its options among the operands, so --help
   * after an operand is help too (`layer rm ID --help`). */
  if (command != NULL)
    {
      g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, verb, command, "SOME-ID", "--help",
                                   NULL),
                       ==, 0);
      g_assert_true (g_str_has_prefix (out, name));
      g_assert_cmpstr (err, ==, "");
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }

  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, verb, command ? command : bogus,
                               command ? bogus : NULL, NULL),
                   !=, 0); /* 2 for ours, 1 for runc's verbs, 255 for exec */
  g_assert_nonnull (strstr (err, bogus));
}

static void
test_help_every_verb (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) verbs = NULL;
  static const char *const groups[] = { "layer", "network", "endpoint" };

  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, "--help", NULL), ==, 0);
  verbs = listed_commands (out, "Commands:\n");
  g_assert_cmpuint (g_strv_length (verbs), >=, 21);
  for (guint i = 0; verbs[i]; i++)
    if (!g_strv_contains (groups, verbs[i]))
      assert_help (verbs[i], NULL);

  for (gsize g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      g_autofree char *usage = NULL;
      g_auto (GStrv) commands = NULL;

      /* A group's --help lists its commands. */
      g_assert_cmpint (run_hcsctl (NULL, NULL, &usage, NULL, groups[g], "--help", NULL), ==, 0);
      g_assert_true (g_str_has_prefix (usage, "Usage: hcsctl "));
      commands = listed_commands (usage, "COMMAND ...\n\n");
      g_assert_cmpuint (g_strv_length (commands), >=, 4);
      for (guint i = 0; commands[i]; i++)
        assert_help (groups[g], commands[i]);
    }

  /* The runc verbs' options are in their help; -h after the operand is the
   * command's own (exec ID sh -h). */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, NULL, "create", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "   --bundle, -b DIR "));
  g_assert_nonnull (strstr (out, "   --console-socket PATH "));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, NULL, "delete", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "   --force, -f "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (NULL, NULL, &out, &err, "--root", "/nonexistent-hcs-root", "exec",
                               "no-such-id", "sh", "-h", NULL),
                   ==, 255);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "no-such-id"));
}

/* The manual pages render without a warning, and hcsctl(1) has a section
 * for every verb `hcsctl --help` lists. */
static void
test_man_pages (void)
{
  static const char *const pages[] = { "hcsctl.1", "hcs-options.5" };
  g_autofree char *groff = g_find_program_in_path ("groff");
  g_autofree char *usage = NULL, *hcsctl_page = NULL;
  g_auto (GStrv) verbs = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "man", pages[i],
                                                     NULL);
      g_autoptr (GSubprocess) groff_process = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *out = NULL, *err = NULL;

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      if (groff == NULL)
        continue; /* checked below */
      /* -ww: every warning; -z: format, print nothing */
      groff_process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                        &error, groff, "-man", "-Tutf8", "-ww", "-z", path, NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (groff_process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("groff %s: %s", pages[i], err);
      g_assert_cmpstr (err, ==, "");
      g_assert_true (g_subprocess_get_successful (groff_process));
    }

  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "..", "docs", "man",
                                                           "hcsctl.1", NULL),
                                      &hcsctl_page, NULL, NULL));
  g_assert_cmpint (run_hcsctl (NULL, NULL, &usage, NULL, "--help", NULL), ==, 0);
  verbs = listed_commands (usage, "Commands:\n");
  for (guint i = 0; verbs[i]; i++)
    {
      g_autofree char *heading = g_strdup_printf ("\n.SS %s", verbs[i]);
      g_autofree char *quoted = g_strdup_printf ("\n.SS \"%s", verbs[i]);
      g_test_message ("hcsctl(1) documents %s", verbs[i]);
      g_assert_true (strstr (hcsctl_page, heading) != NULL ||
                     strstr (hcsctl_page, quoted) != NULL);
    }
  if (groff == NULL)
    g_test_skip ("groff is not installed (scripts/setup.sh installs groff-base)");
}

/* What the bash completion offers for the words of a command line, the
 * last being the one completed; one a line. */
static char *
complete (Fixture *fixture, ...)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "tools", "completion",
                                                   "hcsctl", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) bash = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  const char *word;
  va_list args;

  g_ptr_array_add (argv, "bash");
  g_ptr_array_add (argv, "--norc");
  g_ptr_array_add (argv, "--noprofile");
  g_ptr_array_add (argv, "-c");
  g_ptr_array_add (argv, "source \"$0\" && COMP_WORDS=(\"$@\") && COMP_CWORD=$(($# - 1)) && "
                         "_hcsctl && for w in \"${COMPREPLY[@]}\"; do echo \"$w\"; done | sort");
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *) g_getenv ("HCSCTL"));
  if (fixture != NULL)
    {
      g_ptr_array_add (argv, "--options");
      g_ptr_array_add (argv, fixture->options_file);
    }
  va_start (args, fixture);
  while ((word = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) word);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  bash = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (bash, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (bash));
  return g_steal_pointer (&out);
}

static void
test_bash_completion (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bundle = g_build_filename (fixture->temp_dir, "bundle", NULL);
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *rootfs_link = g_build_filename (bundle, "rootfs", NULL);
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "init.pid", NULL);
  g_autofree char *bash = g_find_program_in_path ("bash");
  pid_t init_pid;
  char *text;

  if (bash == NULL)
    {
      g_test_skip ("bash is not installed");
      return;
    }

#define ASSERT_COMPLETES(expected, ...)                                                      \
  do                                                                                         \
    {                                                                                        \
      text = complete (__VA_ARGS__, NULL);                                                   \
      g_assert_cmpstr (text, ==, expected);                                                  \
      g_free (text);                                                                         \
    }                                                                                        \
  while (0)

  ASSERT_COMPLETES ("create\n", NULL, "cr");
  ASSERT_COMPLETES ("--force\n", NULL, "delete", "--f");
  ASSERT_COMPLETES ("--bundle\n", NULL, "create", "--bu");
  ASSERT_COMPLETES ("--options\n", NULL, "--opt");
  ASSERT_COMPLETES ("import\ninspect\n", NULL, "layer", "i");
  ASSERT_COMPLETES ("--allow-devices\n", NULL, "layer", "import", "--al");
  ASSERT_COMPLETES ("json\ntable\n", NULL, "list", "--format", "");
  ASSERT_COMPLETES ("hyperv\n", NULL, "run", "--isolation", "hy");
  ASSERT_COMPLETES ("KILL\n", NULL, "kill", "some-id", "KI");
  /* a command for the container is not hcsctl's */
  ASSERT_COMPLETES ("", NULL, "run", "--", "cr");

  /* Every verb, and ids from the store and the state folder of the
   * line's --options. */
  text = complete (NULL, "", NULL);
  g_assert_nonnull (strstr (text, "\nnetwork\n"));
  g_assert_nonnull (strstr (text, "\nfeatures\n"));
  g_free (text);

  g_assert_cmpint (run_hcsctl (fixture, NULL, NULL, NULL, "layer", "create", "base-layer", NULL),
                   ==, 0);
  ASSERT_COMPLETES ("base-layer\n", fixture, "layer", "rm", "");
  ASSERT_COMPLETES ("base-layer\n", fixture, "layer", "scratch", "--parent", "b");
  g_assert_cmpint (run_hcsctl (fixture, NULL, NULL, NULL, "layer", "rm", "base-layer", NULL), ==,
                   0);

  g_assert_cmpint (g_mkdir (bundle, 0755), ==, 0);
  g_assert_cmpint (symlink (test_get_busybox_rootfs (), rootfs_link), ==, 0);
  g_assert_true (g_file_set_contents (config_path,
                                      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
                                      " \"process\": {\"args\": [\"true\"], \"cwd\": \"/\"}}",
                                      -1, NULL));
  {
    /* runc's create: the init becomes our child (CLONE_PARENT) and keeps
     * the stdio it was given, so no pipes here, and we reap it. */
    g_autoptr (GSubprocess) create = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *pid_text = NULL;

    create = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                   G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error, g_getenv ("HCSCTL"), "--options", fixture->options_file,
                               "create", "--bundle", bundle, "--pid-file", pid_file,
                               "completed-one", NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (create, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
    init_pid = (pid_t) g_ascii_strtoll (pid_text, NULL, 10);
  }
  ASSERT_COMPLETES ("completed-one\n", fixture, "delete", "--force", "comp");
  ASSERT_COMPLETES ("completed-one\n", fixture, "kill", "");
  ASSERT_COMPLETES ("", fixture, "kill", "completed-one", "--all", "completed-one", "x");
  g_assert_cmpint (run_hcsctl (fixture, NULL, NULL, NULL, "delete", "--force", "completed-one",
                               NULL),
                   ==, 0);
  waitpid (init_pid, NULL, 0);
#undef ASSERT_COMPLETES
}

static void
test_run_default_image (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;

  /* No rootfs: the built-in busybox image is made and used. */
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--", "echo", "hello", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "hello\n");
}

static void
test_run_exit_code_and_stdin (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--name", "exits", "--",
                               "sh", "-c", "echo out; echo err >&2; exit 42", NULL),
                   ==, 42);
  g_assert_cmpstr (out, ==, "out\n");
  g_assert_cmpstr (err, ==, "err\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, "line one\nline two\n", &out, &err, "run", "--", "wc",
                               "-l", NULL),
                   ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "2");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--memory", "48", "--cpus",
                               "1", "--hostname", "cli", "--", "sh", "-c",
                               "hostname; cat /proc/self/status | grep -c Cpus_allowed_list", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "cli\n"));
}

/* An OCI bundle's config.json runs as it is; the flags override it. */
static void
test_run_oci_config (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bundle = g_build_filename (fixture->temp_dir, "bundle", NULL);
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *rootfs_link = g_build_filename (bundle, "rootfs", NULL);
  g_autofree char *config = NULL, *out = NULL, *err = NULL;

  g_assert_cmpint (g_mkdir (bundle, 0755), ==, 0);
  g_assert_cmpint (symlink (test_get_busybox_rootfs (), rootfs_link), ==, 0);
  config = g_strdup ("{\"ociVersion\": \"1.0.2\", \"hostname\": \"oci-host\","
                     " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
                     " \"process\": {\"args\": [\"sh\", \"-c\", \"hostname; echo $MODE;"
                     " touch /x 2>/dev/null || echo read-only\"], \"env\": [\"MODE=oci\"], \"cwd\": \"/\"},"
                     " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
                     " {\"type\": \"uts\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}],"
                     " \"resources\": {\"memory\": {\"limit\": 67108864}}}}");
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--config", config_path, NULL),
                   ==, 0);
  g_assert_cmpstr (out, ==, "oci-host\noci\nread-only\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A command on the line replaces process.args. */
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--config", config_path, "--",
                               "sh", "-c", "exit 9", NULL),
                   ==, 9);
}

/* The layer verbs, on a store of the test's own. */
static void
test_layer_verbs (Fixture *fixture, gconstpointer data)
{
  g_autofree char *archive = g_build_filename (fixture->temp_dir, "layer.tar.gz", NULL);
  g_autofree char *exported = g_build_filename (fixture->temp_dir, "exported.tar", NULL);
  g_autofree char *out = NULL, *err = NULL, *tar_command = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  int status;

  tar_command = g_strdup_printf ("tar -C %s -czf %s ./bin/busybox ./etc", test_get_busybox_rootfs (),
                                 archive);
  g_assert_true (g_spawn_command_line_sync (tar_command, NULL, NULL, &status, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "import", "base", archive, NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "base sha256:"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "import", "--parent", "base",
                               "child", archive, NULL),
                   ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "ls", "--format", "json", NULL),
                   ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==,
                    2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "rm", "base", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "parent of layer 'child'"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "export", "child", exported, NULL),
                   ==, 0);
  g_assert_true (g_file_test (exported, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "inspect", "nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "layer 'nope' does not exist"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "create", "--parent", "child",
                               "empty", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "empty sha256:"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "scratch", "--parent", "child",
                               "--size", "16", "sandbox", NULL),
                   ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "mount", "sandbox", NULL), ==, 0);
  g_assert_true (g_str_has_suffix (g_strstrip (out), "/sandbox/fs"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "unmount", "sandbox", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "layer", "unmount", "sandbox", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not active"));
}

/* -t under a real terminal: script(1) gives hcsctl a pty of 40x120. */
static void
test_run_tty (Fixture *fixture, gconstpointer data)
{
  g_autofree char *command = NULL, *out = NULL;
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;

  if (g_find_program_in_path ("script") == NULL)
    {
      g_test_skip ("script(1) is not installed");
      return;
    }
  command = g_strdup_printf ("stty rows 40 cols 120; %s --options %s run -t -- sh -c "
                             "'stty size; test -t 0 && echo is-a-tty; exit 5'",
                             g_getenv ("HCSCTL"), fixture->options_file);
  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error, "script", "-eqc", command, "/dev/null", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "40 120"));
  g_assert_nonnull (strstr (out, "is-a-tty"));
  g_assert_cmpint (g_subprocess_get_exit_status (subprocess), ==, 5);
}

/* Stdio that is no terminal reaches the workload as it is, not copied:
 * its stdout is the very pipe hcsctl was given. */
static void
test_run_stdio_as_is (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  char out[256] = "";
  struct stat pipe_stat;
  gssize n, length = 0;
  int fds[2];

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  g_assert_no_errno (fstat (fds[0], &pipe_stat));
  g_subprocess_launcher_take_stdout_fd (launcher, fds[1]);
  subprocess = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HCSCTL"), "--options",
                                            fixture->options_file, "run", "--", "stat", "-L",
                                            "-c", "%i", "/proc/self/fd/1", NULL);
  g_assert_no_error (error);
  /* The launcher keeps our write end until it is freed. */
  g_clear_object (&launcher);
  while ((n = read (fds[0], out + length, sizeof out - 1 - length)) > 0)
    length += n;
  close (fds[0]);
  g_assert_true (g_subprocess_wait_check (subprocess, NULL, &error));
  g_assert_no_error (error);
  expected = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", (guint64) pipe_stat.st_ino);
  g_assert_cmpstr (out, ==, expected);
}

/* Without -t a terminal of ours never reaches the container (it could
 * push input into our session): under script(1) it gets pipes. */
static void
test_run_terminal_stays_out (Fixture *fixture, gconstpointer data)
{
  g_autofree char *command = NULL, *out = NULL;
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;

  if (g_find_program_in_path ("script") == NULL)
    {
      g_test_skip ("script(1) is not installed");
      return;
    }
  command = g_strdup_printf ("%s --options %s run -- sh -c "
                             "'test -t 0 || echo in-not-a-tty; test -t 1 || echo out-not-a-tty'",
                             g_getenv ("HCSCTL"), fixture->options_file);
  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error, "script", "-eqc", command, "/dev/null", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "in-not-a-tty"));
  g_assert_nonnull (strstr (out, "out-not-a-tty"));
  g_assert_cmpint (g_subprocess_get_exit_status (subprocess), ==, 0);
}

/* SIGTERM to a foreground run goes to its init, whose exit code is
 * hcsctl's; nothing is left behind (the fixture checks). */
static void
test_run_forwards_signals (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL, *rest = NULL;

  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error, g_getenv ("HCSCTL"), "--options", fixture->options_file,
                                 "run", "--", "sh", "-c",
                                 "trap 'echo got-term; exit 7' TERM; echo ready; "
                                 "while true; do sleep 0.1; done",
                                 NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (subprocess));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  g_subprocess_send_signal (subprocess, SIGTERM);
  rest = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rest, ==, "got-term");
  g_assert_true (g_subprocess_wait (subprocess, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (subprocess));
  g_assert_cmpint (g_subprocess_get_exit_status (subprocess), ==, 7);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names of @pid's threads, sorted, one a line. */
static char *
thread_names (GPid pid)
{
  g_autofree char *tasks_path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr (GDir) tasks = g_dir_open (tasks_path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *task;

  g_assert_nonnull (tasks);
  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename (tasks_path, task, "comm", NULL);
      char *comm = NULL;

      g_assert_true (g_file_get_contents (comm_path, &comm, NULL, NULL));
      g_ptr_array_add (names, comm);
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("", (char **) names->pdata);
}

/* Started, with "ready" read from its stdout. */
static GSubprocess *
start_until_ready (Fixture *fixture, const char *verb, const char *id)
{
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  if (g_str_equal (verb, "run"))
    subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                   &error, g_getenv ("HCSCTL"), "--options",
                                   fixture->options_file, "run", "--name", id, "--", "sh", "-c",
                                   "echo ready; read line", NULL);
  else
    subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                   &error, g_getenv ("HCSCTL"), "--options",
                                   fixture->options_file, "exec", id, "sh", "-c",
                                   "echo ready; read line", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (subprocess));
  /* The pipe stays open for finish_with_line. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  return g_steal_pointer (&subprocess);
}

static void
finish_with_line (GSubprocess *subprocess)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8 (subprocess, "bye\n", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (subprocess));
  g_assert_cmpint (g_subprocess_get_exit_status (subprocess), ==, 0);
}

/* A foreground run or exec waits without GLib's worker thread or GIO's
 * pool (each a thread to make, and to wait for at exit): the plugin's
 * reaper is all there is beside the main thread, and an exec served by
 * hcsctl's front (hcsctl-front-exec.c) loads no plugin at all. */
static void
test_foreground_threads (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GSubprocess) run = start_until_ready (fixture, "run", "threads");
  g_autoptr (GSubprocess) exec = NULL;
  g_autofree char *run_threads = NULL, *exec_threads = NULL;

  run_threads = thread_names (atoi (g_subprocess_get_identifier (run)));
  g_assert_cmpstr (run_threads, ==, "argon-reaper\nhcsctl\n");
  exec = start_until_ready (fixture, "exec", "threads");
  exec_threads = thread_names (atoi (g_subprocess_get_identifier (exec)));
  g_assert_cmpstr (exec_threads, ==, "hcsctl\n");
  finish_with_line (exec);
  g_clear_object (&exec);
  g_clear_pointer (&exec_threads, g_free);
  g_setenv ("HCSCTL_FRONT", "0", TRUE);
  exec = start_until_ready (fixture, "exec", "threads");
  g_unsetenv ("HCSCTL_FRONT");
  exec_threads = thread_names (atoi (g_subprocess_get_identifier (exec)));
  g_assert_cmpstr (exec_threads, ==, "argon-reaper\nhcsctl\n");
  finish_with_line (exec);
  finish_with_line (run);
}

static void
test_run_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--isolation", "hyperv", "--",
                               "true", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "hcsctl: run: "));
  g_assert_nonnull (strstr (err, "'hyperv'"));
  g_assert_nonnull (strstr (err, "loaded: process"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "no command given"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--rootfs", "/nonexistent-root",
                               "--", "true", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "VolumePath"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_hcsctl (fixture, NULL, &out, &err, "run", "--config", "/nonexistent.json",
                               "--", "true", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "/nonexistent.json"));
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("hcsctl run needs root");
      return 0;
    }
  g_test_add_func ("/hcsctl/version-and-help", test_version_and_help);
  g_test_add_func ("/hcsctl/help-every-verb", test_help_every_verb);
  g_test_add_func ("/hcsctl/man-pages", test_man_pages);
#define ADD(path, func) \
  g_test_add ("/hcsctl/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("run-default-image", test_run_default_image);
  ADD ("run-exit-code-and-stdin", test_run_exit_code_and_stdin);
  ADD ("run-oci-config", test_run_oci_config);
  ADD ("layer-verbs", test_layer_verbs);
  ADD ("run-tty", test_run_tty);
  ADD ("run-stdio-as-is", test_run_stdio_as_is);
  ADD ("run-terminal-stays-out", test_run_terminal_stays_out);
  ADD ("run-forwards-signals", test_run_forwards_signals);
  ADD ("foreground-threads", test_foreground_threads);
  ADD ("run-errors", test_run_errors);
  ADD ("bash-completion", test_bash_completion);
#undef ADD
  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
