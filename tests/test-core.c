/* test-core.c: the error set, the host and the plugin loader.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include "hcs-plugin.h"

#include <glib/gstdio.h>
#include <gmodule.h>
#include <signal.h>
#include <string.h>

static void
test_error_hresults (void)
{
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST), ==,
                   0xC037010E);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_ELEMENT_NOT_FOUND), ==, 0x80070490);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_ALREADY_STOPPED), ==, 0xC0370110);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_OPERATION_PENDING), ==, 0xC0370103);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_INVALID_STATE), ==, 0xC0370105);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_INVALID_JSON), ==, 0xC037010D);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_UNEXPECTED_EXIT), ==, 0xC0370106);
  g_assert_cmphex (hcs_error_code_to_hresult (HCS_ERROR_ACCESS_DENIED), ==, 0x80070005);
  g_assert_cmpstr (hcs_error_code_to_string (HCS_ERROR_TIMEOUT), ==, "timeout");
}

typedef gboolean (*Predicate) (const GError *error);

static void
test_error_predicates (void)
{
  /* Rows: code; columns: the predicates, as hcsshim's hcs/errors.go has them. */
  const struct {
    HcsError code;
    gboolean not_exist, already_stopped, already_closed, pending, timeout, not_supported,
        invalid_state, access_denied;
  } table[] = {
    { HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST, 1, 0, 0, 0, 0, 0, 0, 0 },
    { HCS_ERROR_ELEMENT_NOT_FOUND, 1, 1, 0, 0, 0, 0, 0, 0 },
    { HCS_ERROR_PROCESS_NOT_FOUND, 1, 0, 0, 0, 0, 0, 0, 0 },
    { HCS_ERROR_ALREADY_STOPPED, 0, 1, 0, 0, 0, 0, 0, 0 },
    { HCS_ERROR_PROCESS_ALREADY_STOPPED, 0, 1, 0, 0, 0, 0, 0, 0 },
    { HCS_ERROR_ALREADY_CLOSED, 0, 0, 1, 0, 0, 0, 0, 0 },
    { HCS_ERROR_OPERATION_PENDING, 0, 0, 0, 1, 0, 0, 0, 0 },
    { HCS_ERROR_TIMEOUT, 0, 0, 0, 0, 1, 0, 0, 0 },
    { HCS_ERROR_NOT_SUPPORTED, 0, 0, 0, 0, 0, 1, 0, 0 },
    { HCS_ERROR_INVALID_DATA, 0, 0, 0, 0, 0, 1, 0, 0 },
    { HCS_ERROR_INVALID_JSON, 0, 0, 0, 0, 0, 1, 0, 0 },
    { HCS_ERROR_UNKNOWN_MESSAGE, 0, 0, 0, 0, 0, 1, 0, 0 },
    { HCS_ERROR_INVALID_STATE, 0, 0, 0, 0, 0, 0, 1, 0 },
    { HCS_ERROR_ACCESS_DENIED, 0, 0, 0, 0, 0, 0, 0, 1 },
    { HCS_ERROR_FAILED, 0, 0, 0, 0, 0, 0, 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr (GError) error = g_error_new (HCS_ERROR, table[i].code, "x");
      g_test_message ("code %s", hcs_error_code_to_string (table[i].code));
      g_assert_cmpint (hcs_error_is_not_exist (error), ==, table[i].not_exist);
      g_assert_cmpint (hcs_error_is_already_stopped (error), ==, table[i].already_stopped);
      g_assert_cmpint (hcs_error_is_already_closed (error), ==, table[i].already_closed);
      g_assert_cmpint (hcs_error_is_pending (error), ==, table[i].pending);
      g_assert_cmpint (hcs_error_is_timeout (error), ==, table[i].timeout);
      g_assert_cmpint (hcs_error_is_not_supported (error), ==, table[i].not_supported);
      g_assert_cmpint (hcs_error_is_operation_invalid_state (error), ==, table[i].invalid_state);
      g_assert_cmpint (hcs_error_is_access_denied (error), ==, table[i].access_denied);
    }

  /* Other domains and NULL are never HCS errors. */
  {
    g_autoptr (GError) io_error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "x");
    g_assert_false (hcs_error_is_not_exist (io_error));
    g_assert_false (hcs_error_is_not_exist (NULL));
  }
}

static GKeyFile *
options_with_plugin_dir (const char *dir)
{
  GKeyFile *options = g_key_file_new ();
  const char *dirs[] = { dir, NULL };

  g_key_file_set_string_list (options, "host", "plugin-dirs", dirs, 1);
  g_key_file_set_boolean (options, "host", "no-installed-plugins", TRUE);
  return options;
}

static gboolean
plugin_errors_mention (HcsHost *host, const char *file, const char *text)
{
  for (const char *const *e = hcs_host_get_plugin_errors (host); *e; e++)
    if (strstr (*e, file) != NULL && strstr (*e, text) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_plugins_refused_and_accepted (void)
{
  g_autoptr (GKeyFile) options = options_with_plugin_dir (TEST_PLUGIN_DIR);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_auto (GStrv) isolations = NULL;

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);

  for (const char *const *e = hcs_host_get_plugin_errors (host); *e; e++)
    g_test_message ("%s", *e);
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-test-no-entry.so", "not an hcs plugin"));
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-test-wrong-abi.so", "ABI"));
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-test-no-driver.so", "registered no driver"));
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-test-bad-type.so", "does not implement"));

  isolations = hcs_host_list_isolations (host);
  g_assert_cmpuint (g_strv_length (isolations), ==, 1);
  g_assert_cmpstr (isolations[0], ==, "test-refusing");
}

/* Copies TEST_PLUGIN_DIR's hcs-plugin-test-VARIANT.so into @dir as
 * hcs-plugin-NAME.so, with @description (if any) as its .plugin file. */
static void
add_described_plugin (const char *dir, const char *variant, const char *name,
                      const char *description)
{
  g_autofree char *source = g_strdup_printf ("%s/hcs-plugin-test-%s.so", TEST_PLUGIN_DIR, variant);
  g_autofree char *target = g_strdup_printf ("%s/hcs-plugin-%s.so", dir, name);
  g_autofree char *description_path = g_strdup_printf ("%s/hcs-plugin-%s.plugin", dir, name);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (target, contents, length, NULL));
  if (description != NULL)
    g_assert_true (g_file_set_contents (description_path, description, -1, NULL));
}

static gboolean
plugin_is_mapped (const char *name)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, name) != NULL;
}

/* Runs the calling test again in a subprocess, with a plugin folder of
 * its own: its copies of the test plugin register the type that the other
 * tests' loads registered already. TRUE in that subprocess. */
static gboolean
in_subprocess_with_plugin_dir (char **dir, GKeyFile **options)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return FALSE;
    }
  *dir = test_make_temp_dir ("hcs-test-plugins");
  *options = options_with_plugin_dir (*dir);
  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  return TRUE;
}

/* A described plugin is loaded the first time a driver of its kind is
 * asked for, not with the host; a description that names nothing is an
 * error. */
static void
test_described_plugins_load_on_demand (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  if (!in_subprocess_with_plugin_dir (&dir, &options))
    return;
  add_described_plugin (dir, "good", "lazy", "[Plugin]\nIsolation=test-refusing;\n");
  add_described_plugin (dir, "no-entry", "empty", "[Plugin]\n");
  add_described_plugin (dir, "no-entry", "unreadable", "not a key file");

  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_false (plugin_is_mapped ("hcs-plugin-lazy.so"));
  /* Networks need no isolation plugin. */
  g_assert_cmpuint (hcs_host_get_network_drivers (host)->len, ==, 0);
  g_assert_false (plugin_is_mapped ("hcs-plugin-lazy.so"));

  g_assert_nonnull (hcs_host_get_isolation_driver (host, "test-refusing", &error));
  g_assert_no_error (error);
  g_assert_true (plugin_is_mapped ("hcs-plugin-lazy.so"));
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-empty.so", "names no Isolation and no Network"));
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-unreadable.so", "hcs-plugin-unreadable.plugin"));
  g_assert_false (plugin_is_mapped ("hcs-plugin-empty.so"));
  test_remove_tree (dir);
}

/* Opening a system by id loads the plugin its state folder names as
 * owner, not every described one; an id that plugin does not know is
 * asked of them all. */
static void
test_open_loads_the_owner_first (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsStateFolder) refused = NULL;
  g_autoptr (HcsStateFolder) unknown = NULL;

  if (!in_subprocess_with_plugin_dir (&dir, &options))
    return;
  state_dir = g_build_filename (dir, "state", NULL);
  g_key_file_set_string (options, "host", "state-dir", state_dir);
  add_described_plugin (dir, "good", "owner", "[Plugin]\nIsolation=test-refusing;\n");
  /* Made resident before its ABI is refused: mapped once it was tried. */
  add_described_plugin (dir, "wrong-abi", "other", "[Plugin]\nIsolation=other;\n");
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  refused = hcs_state_claim (hcs_host_get_state (host), "refused-1", "owner", &error);
  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_commit (refused, &error));
  unknown = hcs_state_claim (hcs_host_get_state (host), "unknown-1", "owner", &error);
  g_assert_no_error (error);
  g_assert_true (hcs_state_folder_commit (unknown, &error));

  g_assert_null (hcs_host_open_container (host, "refused-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  g_assert_true (plugin_is_mapped ("hcs-plugin-owner.so"));
  g_assert_false (plugin_is_mapped ("hcs-plugin-other.so"));

  /* Asked again, the owner loaded already answers. */
  g_assert_null (hcs_host_open_container (host, "refused-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  g_assert_false (plugin_is_mapped ("hcs-plugin-other.so"));

  g_assert_null (hcs_host_open_container (host, "unknown-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
  g_clear_error (&error);
  g_assert_true (plugin_is_mapped ("hcs-plugin-other.so"));

  g_assert_true (hcs_state_folder_remove (refused, &error));
  g_assert_true (hcs_state_folder_remove (unknown, &error));
  g_assert_no_error (error);
  test_remove_tree (dir);
}

/* Copies @source (a built plugin) into @dir as hcs-plugin-NAME.so. */
static void
copy_plugin (const char *source, const char *dir, const char *name)
{
  g_autofree char *target = g_strdup_printf ("%s/hcs-plugin-%s.so", dir, name);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (target, contents, length, NULL));
}

/* A driver that leaves a required vfunc NULL is refused with the vfunc's
 * name, and the error of a request for its isolation says so. */
static void
test_missing_vfunc_refused (gconstpointer data)
{
  const char *vfunc = data;
  g_autofree char *dir = NULL;
  g_autofree char *source = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_auto (GStrv) isolations = NULL;

  if (!in_subprocess_with_plugin_dir (&dir, &options))
    return;
  source = g_strdup_printf ("%s/incomplete/hcs-plugin-test-missing-%s.so", TEST_PLUGIN_DIR, vfunc);
  copy_plugin (source, dir, "incomplete");
  expected = g_strdup_printf ("lacks the required vfunc HcsIsolationDriver.%s", vfunc);

  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-incomplete.so", expected));
  isolations = hcs_host_list_isolations (host);
  g_assert_cmpuint (g_strv_length (isolations), ==, 0);

  g_assert_null (hcs_host_get_isolation_driver (host, "test-refusing", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
  test_remove_tree (dir);
}

/* A container handed out without get_init_process is refused when the
 * driver hands it out, before anyone can call it. */
static void
test_incomplete_container_refused (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *source = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;

  if (!in_subprocess_with_plugin_dir (&dir, &options))
    return;
  source = g_strdup_printf ("%s/incomplete/hcs-plugin-test-incomplete-container.so",
                            TEST_PLUGIN_DIR);
  copy_plugin (source, dir, "incomplete");
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);

  g_key_file_set_string (system_options, "host", "isolation", "test-refusing");
  container = hcs_host_create_container (host, "web", config, system_options, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_PLUGIN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "TestContainer"));
  g_assert_nonnull (strstr (error->message, "HcsContainer.get_init_process"));
  test_remove_tree (dir);
}

/* A process type with only the required vfuncs: the optional ones answer
 * HCS_ERROR_NOT_SUPPORTED from the wrappers, and the type passes the check. */
#define MINIMAL_TYPE_PROCESS (minimal_process_get_type ())
G_DECLARE_FINAL_TYPE (MinimalProcess, minimal_process, MINIMAL, PROCESS, GObject)

struct _MinimalProcess
{
  GObject parent_instance;
};

static void minimal_process_iface_init (HcsProcessInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MinimalProcess, minimal_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_PROCESS, minimal_process_iface_init))

static void minimal_process_class_init (MinimalProcessClass *klass) {}
static void minimal_process_init (MinimalProcess *self) {}

static int
minimal_process_get_pid (HcsProcess *process)
{
  return 1;
}

static gboolean
minimal_process_wait_timeout (HcsProcess *process, gint64 timeout_ms, GCancellable *cancellable,
                              GError **error)
{
  return TRUE;
}

static void
minimal_process_wait_async (HcsProcess *process, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_task_report_new_error (process, callback, user_data, minimal_process_wait_async, HCS_ERROR,
                           HCS_ERROR_FAILED, "minimal");
}

static gboolean
minimal_process_wait_finish (HcsProcess *process, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
minimal_process_get_exit_code (HcsProcess *process, int *exit_code, GError **error)
{
  *exit_code = 0;
  return TRUE;
}

/* No pipes were asked for. */
static GOutputStream *
minimal_process_no_input (HcsProcess *process)
{
  return NULL;
}

static GInputStream *
minimal_process_no_output (HcsProcess *process)
{
  return NULL;
}

static gboolean
minimal_process_done (HcsProcess *process, GError **error)
{
  return TRUE;
}

static void
minimal_process_iface_init (HcsProcessInterface *iface)
{
  iface->get_pid = minimal_process_get_pid;
  iface->wait_timeout = minimal_process_wait_timeout;
  iface->wait_async = minimal_process_wait_async;
  iface->wait_finish = minimal_process_wait_finish;
  iface->get_exit_code = minimal_process_get_exit_code;
  iface->get_stdin = minimal_process_no_input;
  iface->get_stdout = minimal_process_no_output;
  iface->get_stderr = minimal_process_no_output;
  iface->close_stdin = minimal_process_done;
  iface->close = minimal_process_done;
}

static void
test_optional_vfuncs_not_supported (void)
{
  g_autoptr (HcsProcess) process = g_object_new (MINIMAL_TYPE_PROCESS, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (hcs_plugin_check_vfuncs (MINIMAL_TYPE_PROCESS, HCS_TYPE_PROCESS, &error));
  g_assert_no_error (error);
  g_assert_false (hcs_process_signal (process, SIGTERM, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "MinimalProcess: signal is not supported"));
  g_clear_error (&error);
  g_assert_false (hcs_process_kill (process, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (hcs_process_resize_console (process, 80, 24, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* And a type that is no process at all fails the check by name. */
  g_assert_false (hcs_plugin_check_vfuncs (G_TYPE_OBJECT, HCS_TYPE_PROCESS, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "does not implement HcsProcess"));
}

/* When nothing provides an isolation, the error says why each plugin was
 * skipped, without --debug. */
static void
test_unavailable_isolation_says_why (void)
{
  g_autoptr (GKeyFile) options = options_with_plugin_dir (TEST_PLUGIN_DIR);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_host_get_isolation_driver (host, "process", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "hcs-plugin-test-wrong-abi.so: test: built for plugin ABI"));
  g_assert_nonnull (strstr (error->message, "hcs-plugin-test-no-entry.so: not an hcs plugin"));
  g_assert_nonnull (strstr (error->message, "hcs-plugin-test-bad-type.so"));
}

/* The same for argon's own reasons: a helper that is missing, and (in a
 * subprocess that gives up root) a user who is not root. */
static char *argon_plugin_dir;

static void
test_argon_unavailable_says_why (void)
{
  g_autoptr (GKeyFile) options = options_with_plugin_dir (argon_plugin_dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  /* Cleared after the subprocess started: it reads argon's folder from it. */
  if (g_test_subprocess ())
    {
      g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
      /* nobody: the plugin file stays root's, so only the driver refuses. */
      g_assert_cmpint (setresgid (65534, 65534, 65534), ==, 0);
      g_assert_cmpint (setresuid (65534, 65534, 65534), ==, 0);
      host = hcs_host_new (options, &error);
      g_assert_no_error (error);
      g_assert_null (hcs_host_get_isolation_driver (host, "process", &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "hcs-plugin-argon.so"));
      g_assert_nonnull (strstr (error->message, "process isolation needs root"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  g_key_file_set_string (options, "argon", "helper", "/nonexistent/hcs-argon-helper");
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_host_get_isolation_driver (host, "process", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "the helper /nonexistent/hcs-argon-helper is missing"));
}

/* Runtime options are checked against the keys core and the plugins
 * declare: each bad file names group and key. */
static void
test_options_checked (void)
{
  const struct {
    const char *file;
    gboolean at_load;    /* refused by hcs_host_new, else when argon loads */
    const char *message;
  } cases[] = {
    { "[host]\nmonitor=maybe\n", TRUE, "[host] monitor: 'maybe' is not a boolean" },
    { "[host]\nstat-dir=/run/x\n", TRUE, "[host] stat-dir: unknown key (did you mean state-dir?)" },
    { "[host]\nplugin-dirs=relative;\n", TRUE, "[host] plugin-dirs: 'relative' is not an absolute path" },
    { "[argn]\ncgroup-version=2\n", TRUE, "[argn]: unknown group, no plugin declares it (did you mean [argon]?)" },
    { "[nothing-like-it]\nx=1\n", TRUE, "[nothing-like-it]: unknown group" },
    { "[argon]\ncgroup-version=7\n", FALSE, "[argon] cgroup-version: '7' is not one of auto, 1, 2" },
    { "[argon]\nshutdown-timeout-ms=soon\n", FALSE, "[argon] shutdown-timeout-ms: 'soon' is not an integer" },
    { "[argon]\nshutdown-timeout-ms=0\n", FALSE, "[argon] shutdown-timeout-ms: 0 is out of range" },
    { "[argon]\ndie-with-creator=maybe\n", FALSE, "[argon] die-with-creator: 'maybe' is not a boolean" },
    { "[argon]\ncgroup-verison=2\n", FALSE, "[argon] cgroup-verison: unknown key (did you mean cgroup-version?)" },
  };

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GKeyFile) options = options_with_plugin_dir (argon_plugin_dir);
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsHost) host = NULL;

      g_test_message ("%s", cases[i].file);
      g_assert_true (g_key_file_load_from_data (options, cases[i].file, -1, G_KEY_FILE_NONE, NULL));
      {
        /* The plugin folder again: loading the data replaced nothing else. */
        const char *dirs[] = { argon_plugin_dir, NULL };
        if (!g_key_file_has_key (options, "host", "plugin-dirs", NULL))
          g_key_file_set_string_list (options, "host", "plugin-dirs", dirs, 1);
        g_key_file_set_boolean (options, "host", "no-installed-plugins", TRUE);
      }
      host = hcs_host_new (options, &error);
      if (!cases[i].at_load)
        {
          g_assert_no_error (error);
          g_assert_null (hcs_host_get_isolation_driver (host, "process", &error));
        }
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

/* Good values pass, and per-system options are checked as well. */
static void
test_options_checked_per_system (void)
{
  g_autoptr (GKeyFile) options = options_with_plugin_dir (argon_plugin_dir);
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  g_key_file_set_string (options, "argon", "cgroup-version", "auto");
  g_key_file_set_string (options, "argon", "shutdown-timeout-ms", "2500");
  g_key_file_set_string (options, "host", "monitor", "no");
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hcs_host_get_isolation_driver (host, "process", &error));
  g_assert_no_error (error);

  g_key_file_set_string (system_options, "argon", "cgroup-version", "3");
  g_assert_null (hcs_host_create_container (host, "options-test", config, system_options, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "per-system options: [argon] cgroup-version: '3'"));
  g_clear_error (&error);

  g_key_file_remove_key (system_options, "argon", "cgroup-version", NULL);
  g_key_file_set_string (system_options, "argn", "x", "1");
  g_assert_null (hcs_host_create_container (host, "options-test", config, system_options, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "[argn]: unknown group"));
}

/* A driver that the description does not announce is refused. */
static void
test_described_plugin_must_match (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  if (!in_subprocess_with_plugin_dir (&dir, &options))
    return;
  add_described_plugin (dir, "good", "misdescribed", "[Plugin]\nIsolation=other;\n");

  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_host_get_isolation_driver (host, "other", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-misdescribed.so", "not in the plugin's description"));
  g_assert_null (hcs_host_get_isolation_driver (host, "test-refusing", NULL));
  test_remove_tree (dir);
}

static void
test_plugin_corrupt_file_skipped (void)
{
  g_autofree char *dir = test_make_temp_dir ("hcs-test-plugins");
  g_autofree char *corrupt = g_build_filename (dir, "hcs-plugin-corrupt.so", NULL);
  g_autofree char *writable = g_build_filename (dir, "hcs-plugin-writable.so", NULL);
  g_autoptr (GKeyFile) options = options_with_plugin_dir (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_auto (GStrv) isolations = NULL;

  g_assert_true (g_file_set_contents (corrupt, "\x7f" "ELF garbage, not a library", -1, NULL));
  g_assert_true (g_file_set_contents (writable, "anything", -1, NULL));
  g_assert_cmpint (g_chmod (writable, 0666), ==, 0);

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-corrupt.so", ""));
  g_assert_true (plugin_errors_mention (host, "hcs-plugin-writable.so", "writable by group or others"));
  isolations = hcs_host_list_isolations (host);
  g_assert_cmpuint (g_strv_length (isolations), ==, 0);
  test_remove_tree (dir);
}

static void
test_unknown_isolation_names_loaded (void)
{
  g_autoptr (GKeyFile) options = options_with_plugin_dir (TEST_PLUGIN_DIR);
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);

  /* The default isolation, "process", is not loaded here. */
  container = hcs_host_create_container (host, "web", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_true (hcs_error_is_not_supported (error));
  g_assert_nonnull (strstr (error->message, "'process'"));
  g_assert_nonnull (strstr (error->message, "loaded: test-refusing"));
  g_clear_error (&error);

  /* HvPartition asks for hyperv. */
  config->hv_partition = TRUE;
  container = hcs_host_create_container (host, "web", config, NULL, &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "'hyperv'"));
  g_clear_error (&error);

  /* Per-system options override the host's and the config's. */
  g_key_file_set_string (system_options, "host", "isolation", "test-refusing");
  container = hcs_host_create_container (host, "web", config, system_options, &error);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ACCESS_DENIED);
  g_assert_nonnull (strstr (error->message, "test-refusing: refused to create 'web'"));
}

static void
test_ids_validated (void)
{
  g_autoptr (GKeyFile) options = options_with_plugin_dir (TEST_PLUGIN_DIR);
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  const char *bad_ids[] = { "../etc", "a/b", "", "-x", "with space" };

  g_setenv ("HCS_PLUGIN_PATH", "", TRUE);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      g_assert_null (hcs_host_create_container (host, bad_ids[i], config, NULL, &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_clear_error (&error);
      g_assert_null (hcs_host_open_container (host, bad_ids[i], &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }

  g_assert_null (hcs_host_open_container (host, "nothing-here", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST);
  g_assert_true (hcs_error_is_not_exist (error));
}

static void
test_options_invalid (void)
{
  g_autoptr (GKeyFile) options = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;

  g_key_file_set_string (options, "host", "state-dir", "relative/dir");
  host = hcs_host_new (options, &error);
  g_assert_null (host);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "state-dir"));
}

static void
test_options_lookup_order (void)
{
  g_autoptr (GKeyFile) host_options = g_key_file_new ();
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autofree char *value = NULL;

  value = hcs_options_get_string (host_options, NULL, "argon", "cgroup-parent", "hcs");
  g_assert_cmpstr (value, ==, "hcs");
  g_free (value);
  g_key_file_set_string (host_options, "argon", "cgroup-parent", "host-value");
  value = hcs_options_get_string (host_options, system_options, "argon", "cgroup-parent", "hcs");
  g_assert_cmpstr (value, ==, "host-value");
  g_free (value);
  g_key_file_set_string (system_options, "argon", "cgroup-parent", "system-value");
  value = hcs_options_get_string (host_options, system_options, "argon", "cgroup-parent", "hcs");
  g_assert_cmpstr (value, ==, "system-value");
}


/* The version script leaves one exported symbol: the entry point. */
static void
test_plugin_exports_one_symbol (void)
{
  g_autofree char *path = g_build_filename (argon_plugin_dir, "hcs-plugin-argon.so", NULL);
  GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY);
  gpointer symbol = NULL;

  g_assert_nonnull (module);
  g_assert_true (g_module_symbol (module, "hcs_plugin_init", &symbol));
  g_assert_false (g_module_symbol (module, "argon_driver_get_type", &symbol));
  g_assert_false (g_module_symbol (module, "argon_container_create", &symbol));
  g_assert_false (g_module_symbol (module, "hcs_runtime_cgroup_create", &symbol));
  g_module_make_resident (module);
}

static void
test_default_image (void)
{
  g_autofree char *dir = test_make_temp_dir ("hcs-test-image");
  g_autoptr (GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL, *sh = NULL, *target = NULL;

  first = hcs_image_ensure_default (dir, NULL, &error);
  g_assert_no_error (error);
  sh = g_build_filename (first, "bin", "sh", NULL);
  target = g_file_read_link (sh, NULL);
  g_assert_cmpstr (target, ==, "busybox");
  /* The second call finds the cached tree. */
  second = hcs_image_ensure_default (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, second);
  test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Tests clear HCS_PLUGIN_PATH; their subprocesses find argon's folder here. */
  argon_plugin_dir = g_strdup (g_getenv ("TEST_ARGON_PLUGIN_DIR") ? g_getenv ("TEST_ARGON_PLUGIN_DIR")
                                                                  : g_getenv ("HCS_PLUGIN_PATH"));
  g_assert_nonnull (argon_plugin_dir);
  g_setenv ("TEST_ARGON_PLUGIN_DIR", argon_plugin_dir, TRUE);

  g_test_add_func ("/core/error/hresults", test_error_hresults);
  g_test_add_func ("/core/error/predicates", test_error_predicates);
  g_test_add_func ("/core/host/plugins-refused-and-accepted", test_plugins_refused_and_accepted);
  g_test_add_func ("/core/host/corrupt-plugin-skipped", test_plugin_corrupt_file_skipped);
  g_test_add_func ("/core/host/described-plugins-load-on-demand",
                   test_described_plugins_load_on_demand);
  g_test_add_func ("/core/host/open-loads-the-owner-first", test_open_loads_the_owner_first);
  g_test_add_func ("/core/host/described-plugin-must-match", test_described_plugin_must_match);
  g_test_add_func ("/core/host/unknown-isolation", test_unknown_isolation_names_loaded);
  g_test_add_func ("/core/host/ids-validated", test_ids_validated);
  g_test_add_func ("/core/host/options-invalid", test_options_invalid);
  g_test_add_func ("/core/host/options-lookup-order", test_options_lookup_order);
  g_test_add_func ("/core/host/plugin-exports-one-symbol", test_plugin_exports_one_symbol);
  g_test_add_data_func ("/core/plugin/missing-vfunc/get_isolation", "get_isolation",
                        test_missing_vfunc_refused);
  g_test_add_data_func ("/core/plugin/missing-vfunc/create_container", "create_container",
                        test_missing_vfunc_refused);
  g_test_add_data_func ("/core/plugin/missing-vfunc/open_container", "open_container",
                        test_missing_vfunc_refused);
  g_test_add_data_func ("/core/plugin/missing-vfunc/list_containers", "list_containers",
                        test_missing_vfunc_refused);
  g_test_add_func ("/core/plugin/incomplete-container", test_incomplete_container_refused);
  g_test_add_func ("/core/plugin/optional-vfuncs-not-supported",
                   test_optional_vfuncs_not_supported);
  g_test_add_func ("/core/host/unavailable-isolation-says-why", test_unavailable_isolation_says_why);
  g_test_add_func ("/core/host/argon-unavailable-says-why", test_argon_unavailable_says_why);
  g_test_add_func ("/core/options/checked", test_options_checked);
  g_test_add_func ("/core/options/checked-per-system", test_options_checked_per_system);
  g_test_add_func ("/core/image/default", test_default_image);
  return g_test_run ();
}
