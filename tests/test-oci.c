/* test-oci.c: hcsctl as an OCI runtime, driven the way conmon and
 * containerd's shim drive runc: this test process is the subreaper that
 * inherits and reaps each container's init, and it compares what hcsctl
 * prints with what runc prints for the same bundle.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  char *options_file;
  char *root;     /* --root */
  char *bundle;
} Fixture;

static void
write_bundle (Fixture *fixture, const char *args_json, gboolean terminal)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"hostname\": \"oci\","
      " \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"process\": {\"terminal\": %s, \"consoleSize\": {\"height\": 33, \"width\": 111},"
      "   \"user\": {\"uid\": 0, \"gid\": 0}, \"args\": %s,"
      "   \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"},"
      " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
      " \"annotations\": {\"org.example.test\": \"yes\"},"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
      "   {\"type\": \"uts\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}]}}",
      test_get_busybox_rootfs (), terminal ? "true" : "false", args_json);

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GKeyFile) options = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-oci");
  options = test_make_options (fixture->temp_dir);
  fixture->options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_assert_true (g_key_file_save_to_file (options, fixture->options_file, NULL));
  fixture->root = g_build_filename (fixture->temp_dir, "root", NULL);
  fixture->bundle = g_build_filename (fixture->temp_dir, "bundle", NULL);
  g_assert_cmpint (g_mkdir (fixture->bundle, 0755), ==, 0);
  write_bundle (fixture, "[\"sleep\", \"1000\"]", FALSE);
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
}

/* NAME, VALUE, ... NULL: set in the environment of the programs run. */
static const char *const *program_env;

/* Runs @program (hcsctl with our options and --root, or runc with a root of
 * its own) with @args, in the bundle folder. */
static int
run_program (Fixture *fixture, gboolean runc, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *out_path = g_build_filename (fixture->temp_dir, "stdout", NULL);
  g_autofree char *err_path = g_build_filename (fixture->temp_dir, "stderr", NULL);
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  const char *arg;
  va_list args;

  if (runc)
    {
      g_ptr_array_add (argv, g_strdup ("runc"));
      g_ptr_array_add (argv, g_strdup ("--root"));
      g_ptr_array_add (argv, g_build_filename (fixture->temp_dir, "runc-root", NULL));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup (g_getenv ("HCSCTL")));
      g_ptr_array_add (argv, g_strdup ("--options"));
      g_ptr_array_add (argv, g_strdup (fixture->options_file));
      g_ptr_array_add (argv, g_strdup ("--root"));
      g_ptr_array_add (argv, g_strdup (fixture->root));
    }
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* Files, not pipes: a created init keeps the stdio it inherited, so a
   * pipe would not end when hcsctl does (conmon does not wait for it). */
  for (guint i = 0; program_env != NULL && program_env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, program_env[i], program_env[i + 1], TRUE);
  g_subprocess_launcher_set_cwd (launcher, fixture->bundle);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait (subprocess, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out_path, &stdout_text, NULL, NULL));
  g_assert_true (g_file_get_contents (err_path, &stderr_text, NULL, NULL));
  g_unlink (out_path);
  g_unlink (err_path);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess)
                                                 : 128 + g_subprocess_get_term_sig (subprocess);
}

#define hcsctl(fixture, out, err, ...) run_program (fixture, FALSE, out, err, __VA_ARGS__, NULL)

static JsonObject *
parse_object (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
state_status (Fixture *fixture, const char *id, gint64 *pid)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonObject) state = NULL;

  g_assert_cmpint (hcsctl (fixture, &out, NULL, "state", id), ==, 0);
  state = parse_object (out);
  if (pid)
    *pid = json_object_get_int_member (state, "pid");
  return g_strdup (json_object_get_string_member (state, "status"));
}

/* The whole life under runc's verbs; the init is ours to reap, as it is
 * conmon's. */
static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *pid_text = NULL, *out = NULL, *err = NULL, *status = NULL;
  g_autoptr (JsonObject) state = NULL;
  gint64 pid = 0, state_pid = 0;
  int wait_status;

  g_assert_cmpint (hcsctl (fixture, &out, &err, "create", "--bundle", fixture->bundle,
                           "--pid-file", pid_file, "web"), ==, 0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (pid, >, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (hcsctl (fixture, &out, NULL, "state", "web"), ==, 0);
  state = parse_object (out);
  g_assert_cmpstr (json_object_get_string_member (state, "status"), ==, "created");
  g_assert_cmpint (json_object_get_int_member (state, "pid"), ==, pid);
  g_assert_cmpstr (json_object_get_string_member (state, "id"), ==, "web");
  g_assert_cmpstr (json_object_get_string_member (state, "bundle"), ==, fixture->bundle);
  g_assert_true (json_object_has_member (state, "created"));
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (state, "annotations"), "org.example.test"),
                   ==, "yes");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "web"), ==, 0);
  status = state_status (fixture, "web", &state_pid);
  g_assert_cmpstr (status, ==, "running");
  g_assert_cmpint (state_pid, ==, pid);
  g_clear_pointer (&status, g_free);
  /* A second start is an error, as with runc. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "web"), ==, 1);
  g_clear_pointer (&err, g_free);

  /* exec: output through inherited stdio, and the exit code. */
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "exec", "web", "sh", "-c", "echo in-$(hostname)"),
                   ==, 0);
  g_assert_cmpstr (out, ==, "in-oci\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "exec", "web", "sh", "-c", "exit 7"), ==, 7);
  /* exec --cap: added to the default sets, and ambient, so that a user
   * other than root has it after exec (CAP_SYS_ADMIN is bit 21). */
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "exec", "--cap", "CAP_SYS_ADMIN", "--user",
                           "1000:1000", "web", "sh", "-c",
                           "grep -E '^Cap(Eff|Bnd|Amb):' /proc/self/status | tr -s '\\t' ' '"),
                   ==, 0);
  g_assert_cmpstr (out, ==,
                   "CapEff: 0000000000200000\n"
                   "CapBnd: 00000000a82425fb\n"
                   "CapAmb: 0000000000200000\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", "--cap", "CAP_NO_SUCH", "web", "true"),
                   ==, 255);
  g_assert_nonnull (strstr (err, "unknown capability 'CAP_NO_SUCH'"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (hcsctl (fixture, &out, NULL, "ps", "--format", "json", "web"), ==, 0);
  {
    g_autofree char *expected = g_strdup_printf ("[%" G_GINT64_FORMAT "]\n", pid);
    g_assert_cmpstr (out, ==, expected);
  }
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (hcsctl (fixture, &out, NULL, "list", "--format", "json"), ==, 0);
  g_assert_nonnull (strstr (out, "\"id\":\"web\""));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "list", "-q"), ==, 0);
  g_assert_cmpstr (out, ==, "web\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "pause", "web"), ==, 0);
  status = state_status (fixture, "web", NULL);
  g_assert_cmpstr (status, ==, "paused");
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "resume", "web"), ==, 0);
  status = state_status (fixture, "web", NULL);
  g_assert_cmpstr (status, ==, "running");
  g_clear_pointer (&status, g_free);

  g_assert_cmpint (hcsctl (fixture, &out, NULL, "events", "--stats", "web"), ==, 0);
  g_assert_nonnull (strstr (out, "\"type\":\"stats\""));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "update", "--memory", "64m", "--pids-limit", "42",
                           "web"), ==, 0);
  {
    /* The limit is the cgroup's, whichever version. */
    g_autofree char *v1 = g_strdup_printf ("/sys/fs/cgroup/pids/%s/web/pids.max",
                                           test_get_cgroup_parent ());
    g_autofree char *v2 = g_strdup_printf ("/sys/fs/cgroup/%s/web/pids.max",
                                           test_get_cgroup_parent ());
    g_autofree char *value = NULL;
    g_assert_true (g_file_get_contents (v1, &value, NULL, NULL) ||
                   g_file_get_contents (v2, &value, NULL, NULL));
    g_assert_cmpstr (g_strstrip (value), ==, "42");
  }

  /* Deleting a running container needs --force. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "delete", "web"), ==, 1);
  g_assert_nonnull (strstr (err, "not stopped"));
  g_clear_pointer (&err, g_free);

  /* The exit reaches us, the subreaper: the init was left to its caller. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "web", "KILL"), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (wait_status));
  g_assert_cmpint (WTERMSIG (wait_status), ==, SIGKILL);
  status = state_status (fixture, "web", &state_pid);
  g_assert_cmpstr (status, ==, "stopped");
  g_assert_cmpint (state_pid, ==, 0);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "web"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "state", "web"), ==, 1);
  g_assert_nonnull (strstr (err, "does not exist"));
}

/* The runtime spec's lifecycle rules, each an error that leaves the
 * container as it was: delete of a created or running one (without
 * --force), start of a running or stopped one, kill of a stopped one. A
 * relative --pid-file is the caller's working folder's. */
static void
test_lifecycle_rules (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL, *status = NULL, *pid_text = NULL;
  g_autofree char *pid_path = g_build_filename (fixture->bundle, "init.pid", NULL);
  gint64 pid = 0, state_pid = 0;

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", "init.pid", "rules"), ==,
                   0);
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (pid, >, 0);

  /* delete of a created container: an error, and no effect. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "delete", "rules"), ==, 1);
  g_assert_nonnull (strstr (err, "not stopped: created"));
  g_clear_pointer (&err, g_free);
  status = state_status (fixture, "rules", &state_pid);
  g_assert_cmpstr (status, ==, "created");
  g_assert_cmpint (state_pid, ==, pid);
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (kill ((pid_t) pid, 0), ==, 0);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "rules"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "rules"), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start an already running container"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "delete", "rules"), ==, 1);
  g_assert_nonnull (strstr (err, "not stopped: running"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "rules", "KILL"), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);
  status = state_status (fixture, "rules", &state_pid);
  g_assert_cmpstr (status, ==, "stopped");
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "kill", "rules", "KILL"), ==, 1);
  g_assert_nonnull (strstr (err, "container not running"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "rules"), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start a container that has stopped"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "rules"), ==, 0);

  /* A created container is killed and then deleted. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_path, "rules"), ==, 0);
  g_clear_pointer (&pid_text, g_free);
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "rules", "KILL"), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "rules"), ==, 0);

  /* SIGTERM (kill's default) stops a created one too, as with runc: its
   * init waits on the fifo with a handler, though pid 1 of its namespace. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_path, "rules"), ==, 0);
  g_clear_pointer (&pid_text, g_free);
  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "rules"), ==, 0);
  {
    int wait_status = 0;

    g_assert_cmpint (waitpid ((pid_t) pid, &wait_status, 0), ==, pid);
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 128 + SIGTERM);
  }
  status = state_status (fixture, "rules", &state_pid);
  g_assert_cmpstr (status, ==, "stopped");
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "rules"), ==, 0);
}

/* A bundle whose every hook kind records, in @dir, its state (KIND.json),
 * its network namespace (KIND.net) and its turn (a line of `order`), with
 * its own environment; @extra_hooks is spliced into the hooks object. The
 * startContainer hook runs in the container: it leaves its state in the
 * container's /dev/shm. */
static void
write_hooks_bundle (Fixture *fixture, const char *dir, const char *extra_hooks)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autoptr (GString) hooks = g_string_new ("{");
  const char *kinds[] = { "prestart", "createRuntime", "createContainer", "poststart",
                          "poststop" };
  g_autofree char *config = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_string_append_printf (
        hooks,
        "\"%s\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > %s/%s.json; "
        "readlink /proc/self/ns/net > %s/%s.net; echo $KIND >> %s/order\"],"
        " \"env\": [\"KIND=%s\"], \"timeout\": 30}%s%s],",
        kinds[i], dir, kinds[i], dir, kinds[i], dir, kinds[i],
        extra_hooks && g_str_has_prefix (extra_hooks, kinds[i]) ? ", " : "",
        extra_hooks && g_str_has_prefix (extra_hooks, kinds[i]) ? strchr (extra_hooks, ':') + 1
                                                                : "");
  g_string_append (hooks, "\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\","
                          " \"cat > /dev/shm/startContainer.json\"]}");
  if (extra_hooks && g_str_has_prefix (extra_hooks, "startContainer"))
    g_string_append_printf (hooks, ", %s", strchr (extra_hooks, ':') + 1);
  g_string_append (hooks, "]}");
  config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"hostname\": \"oci\","
      " \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sleep\", \"1000\"],"
      "   \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"},"
      " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
      " \"annotations\": {\"org.example.hooks\": \"yes\"},"
      " \"hooks\": %s,"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
      "   {\"type\": \"uts\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}]}}",
      test_get_busybox_rootfs (), hooks->str);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
}

static JsonObject *
read_hook_state (const char *dir, const char *kind)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.json", dir, kind);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return parse_object (text);
}

static char *
read_stripped (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_strstrip (text);
}

static void
assert_hook_state (JsonObject *state, const char *status, gint64 pid, Fixture *fixture)
{
  g_assert_cmpstr (json_object_get_string_member (state, "status"), ==, status);
  g_assert_cmpint (json_object_get_int_member (state, "pid"), ==, pid);
  g_assert_cmpstr (json_object_get_string_member (state, "id"), ==, "hooked");
  g_assert_cmpstr (json_object_get_string_member (state, "bundle"), ==, fixture->bundle);
  g_assert_cmpstr (json_object_get_string_member (state, "ociVersion"), ==, "1.0.2");
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (state, "annotations"), "org.example.hooks"),
                   ==, "yes");
}

/* Every hook kind at its time, in its namespace, with its state, env and
 * args; the runtime spec's order. */
static void
test_hooks (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (fixture->temp_dir, "hooks", NULL);
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *pid_text = NULL, *order = NULL, *out = NULL, *host_net = NULL;
  g_autofree char *container_net = NULL, *net_link = NULL;
  gint64 pid;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  write_hooks_bundle (fixture, dir, NULL);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, "hooked"), ==,
                   0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  order = read_stripped (dir, "order");
  g_assert_cmpstr (order, ==, "prestart\ncreateRuntime\ncreateContainer");
  g_clear_pointer (&order, g_free);
  for (const char *const *kind = (const char *const[]){ "prestart", "createRuntime",
                                                        "createContainer", NULL };
       *kind; kind++)
    {
      g_autoptr (JsonObject) state = read_hook_state (dir, *kind);
      /* prestart sees "created", as crun and runtime-tools' hooks_stdin have it. */
      assert_hook_state (state, g_str_equal (*kind, "prestart") ? "created" : "creating", pid,
                         fixture);
    }

  /* prestart and createRuntime: the runtime's namespace; createContainer:
   * the container's. */
  host_net = g_file_read_link ("/proc/self/ns/net", NULL);
  net_link = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/ns/net", pid);
  container_net = g_file_read_link (net_link, NULL);
  g_assert_cmpstr (host_net, !=, container_net);
  {
    g_autofree char *prestart = read_stripped (dir, "prestart.net");
    g_autofree char *create_runtime = read_stripped (dir, "createRuntime.net");
    g_autofree char *create_container = read_stripped (dir, "createContainer.net");
    g_assert_cmpstr (prestart, ==, host_net);
    g_assert_cmpstr (create_runtime, ==, host_net);
    g_assert_cmpstr (create_container, ==, container_net);
  }

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "hooked"), ==, 0);
  order = read_stripped (dir, "order");
  g_assert_cmpstr (order, ==, "prestart\ncreateRuntime\ncreateContainer\npoststart");
  g_clear_pointer (&order, g_free);
  {
    g_autoptr (JsonObject) state = read_hook_state (dir, "poststart");
    assert_hook_state (state, "running", pid, fixture);
  }
  /* startContainer ran inside, before the process: its state is there. */
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "exec", "hooked", "cat",
                           "/dev/shm/startContainer.json"), ==, 0);
  {
    g_autoptr (JsonObject) state = parse_object (out);
    assert_hook_state (state, "created", pid, fixture);
  }

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "hooked", "KILL"), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);
  g_assert_false (g_file_test (g_build_filename (dir, "poststop.json", NULL), G_FILE_TEST_EXISTS));
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "hooked"), ==, 0);
  order = read_stripped (dir, "order");
  g_assert_cmpstr (order, ==, "prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop");
  {
    g_autoptr (JsonObject) state = read_hook_state (dir, "poststop");
    assert_hook_state (state, "stopped", 0, fixture);
  }
}

/* The runtime spec's failure rules: a failing or late prestart,
 * createRuntime or createContainer hook fails the create and leaves
 * nothing; a failing startContainer fails the start; poststart and
 * poststop failures are warnings. */
static void
test_hook_failures (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (fixture->temp_dir, "hooks", NULL);
  g_autofree char *err = NULL;
  const char *fatal[][2] = {
    { "prestart: {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"exit 3\"]}",
      "prestart hook /bin/sh: exited with 3" },
    { "createRuntime: {\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"100\"], \"timeout\": 1}",
      "createRuntime hook /bin/sleep: timed out after 1 s" },
    { "createContainer: {\"path\": \"/nonexistent/hook\"}",
      "createContainer hook /nonexistent/hook: exited with 127" },
  };

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (fatal); i++)
    {
      write_hooks_bundle (fixture, dir, fatal[i][0]);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "failing"), ==, 1);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, fatal[i][1]));
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "state", "failing"), ==, 1);
      g_assert_nonnull (strstr (err, "does not exist"));
      g_clear_pointer (&err, g_free);
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
    }

  /* startContainer: start fails, the init is gone. */
  write_hooks_bundle (fixture, dir,
                      "startContainer: {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
                      "\"exit 5\"]}");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "failing"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "failing"), ==, 1);
  while (waitpid (-1, NULL, 0) > 0)
    ;
  {
    g_autofree char *status = state_status (fixture, "failing", NULL);
    g_assert_cmpstr (status, ==, "stopped");
  }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "failing"), ==, 0);

  /* poststart and poststop: warnings, the verbs succeed. */
  write_hooks_bundle (fixture, dir,
                      "poststart: {\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": "
                      "[\"sh\", \"-c\", \"echo after >> ORDER\"]}");
  {
    /* The second poststart still runs after the first failed. */
    g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
    g_autofree char *text = NULL, *order_path = g_build_filename (dir, "order", NULL);
    g_autofree char *fixed = NULL;
    g_auto (GStrv) parts = NULL;
    g_assert_true (g_file_get_contents (config_path, &text, NULL, NULL));
    parts = g_strsplit (text, "ORDER", -1);
    fixed = g_strjoinv (order_path, parts);
    g_assert_true (g_file_set_contents (config_path, fixed, -1, NULL));
    g_unlink (order_path);
  }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "warned"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "warned"), ==, 0);
  g_assert_nonnull (strstr (err, "warning: poststart hook /bin/false"));
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *order = read_stripped (dir, "order");
    g_assert_cmpstr (order, ==, "prestart\ncreateRuntime\ncreateContainer\npoststart\nafter");
  }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "warned"), ==, 0);
  while (waitpid (-1, NULL, 0) > 0)
    ;
}

/* A bundle running `sleep 1000` with @linux_json as its "linux" member. */
static void
write_linux_bundle (Fixture *fixture, const char *linux_json)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"hostname\": \"oci\","
      " \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sleep\", \"1000\"],"
      "   \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"},"
      " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
      " \"linux\": %s}",
      test_get_busybox_rootfs (), linux_json);

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
}

/* start and delete look at the bundle's hooks first: a bundle without
 * any runs none and says nothing; one whose hooks cannot be read any
 * more (changed after the create) is a warning, and the verb succeeds. */
static void
test_hooks_looked_for (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *text = NULL, *reshaped = NULL, *err = NULL;
  g_auto (GStrv) parts = NULL;

  write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"mount\"}]}");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "plain"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "plain"), ==, 0);
  g_assert_null (strstr (err, "warning"));
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_get_contents (config_path, &text, NULL, NULL));
  parts = g_strsplit (text, "\"mounts\"", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  reshaped = g_strjoinv ("\"hooks\": {\"poststop\": \"not a list\"}, \"mounts\"", parts);
  g_assert_true (g_file_set_contents (config_path, reshaped, -1, NULL));
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "delete", "--force", "plain"), ==, 0);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "warning: poststop hooks not run"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "state", "plain"), ==, 1);
  g_assert_nonnull (strstr (err, "does not exist"));
  while (waitpid (-1, NULL, 0) > 0)
    ;
}

/* Creates @id from the bundle and returns its init's pid. */
static gint64
create_for_pid (Fixture *fixture, const char *id)
{
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *pid_text = NULL, *err = NULL;

  int code = hcsctl (fixture, NULL, &err, "create", "--pid-file", pid_file, id);

  g_test_message ("create %s: %s", id, err);
  g_assert_cmpint (code, ==, 0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  return g_ascii_strtoll (pid_text, NULL, 10);
}

static char *
namespace_of (gint64 pid, const char *type)
{
  g_autofree char *path = pid > 0 ? g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/ns/%s", pid, type)
                                  : g_strdup_printf ("/proc/self/ns/%s", type);
  char *link = g_file_read_link (path, NULL);

  g_assert_nonnull (link);
  return link;
}

static void
remove_container (Fixture *fixture, const char *id, gint64 pid)
{
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", id), ==, 0);
  waitpid ((pid_t) pid, NULL, 0);
}

/* linux.namespaces: each type new, shared (absent) or joined by path;
 * a path of another type refused; user namespaces with their mappings. */
static void
test_namespaces (Fixture *fixture, gconstpointer data)
{
  const char *types[] = { "pid", "net", "ipc", "uts", "cgroup", "time", "user", "mnt" };
  g_autofree char *err = NULL;
  gint64 first, second;

  /* Every type new. The root must be reachable by the mapped root, as with
   * runc: the test's image folder is made 0700. */
  {
    g_autofree char *images = g_path_get_dirname (test_get_busybox_rootfs ());
    g_assert_cmpint (g_chmod (images, 0755), ==, 0);
  }
  write_linux_bundle (fixture,
                      "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"
                      " {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"cgroup\"},"
                      " {\"type\": \"time\"}, {\"type\": \"user\"}, {\"type\": \"mount\"}],"
                      " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
                      " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}");
  first = create_for_pid (fixture, "first");
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *ours = namespace_of (0, types[i]);
      g_autofree char *theirs = namespace_of (first, types[i]);
      g_test_message ("%s: host %s, container %s", types[i], ours, theirs);
      g_assert_cmpstr (ours, !=, theirs);
    }
  {
    g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/uid_map", first);
    g_autofree char *map = NULL;
    g_auto (GStrv) fields = NULL;
    g_assert_true (g_file_get_contents (path, &map, NULL, NULL));
    fields = g_strsplit_set (g_strstrip (map), " ", -1);
    g_assert_cmpstr (g_strjoinv ("", fields), ==, "010000065536");
  }
  /* It starts and runs as root mapped to 100000 outside. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "first"), ==, 0);
  {
    g_autofree char *status_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/status", first);
    g_autofree char *status = NULL;
    g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
    g_assert_nonnull (strstr (status, "Uid:\t100000\t100000"));
  }
  /* exec joins its user namespace too: root there, with its mappings. */
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (hcsctl (fixture, &out, &err, "exec", "first", "sh", "-c",
                             "cat /proc/self/uid_map; id -u"), ==, 0);
    g_test_message ("exec in a user namespace: %s%s", out, err);
    g_clear_pointer (&err, g_free);
    {
      g_auto (GStrv) fields = g_strsplit_set (g_strstrip (out), " \n", -1);
      g_autofree char *joined = g_strjoinv ("", fields);
      g_assert_cmpstr (joined, ==, "0100000655360");
    }
  }

  /* None new but mount: the host's, pid included. */
  write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"mount\"}]}");
  second = create_for_pid (fixture, "second");
  for (gsize i = 0; i + 2 < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *ours = namespace_of (0, types[i]);
      g_autofree char *theirs = namespace_of (second, types[i]);
      g_assert_cmpstr (ours, ==, theirs);
    }
  remove_container (fixture, "second", second);

  {
    /* A new pid namespace's own, not nested in the user-namespaced one
     * (joining namespaces owned by another user namespace needs joining
     * that first, which is not done yet). */
    gint64 third;
    g_autofree char *json = NULL;

    write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
                                 " {\"type\": \"network\"}, {\"type\": \"uts\"},"
                                 " {\"type\": \"ipc\"}, {\"type\": \"cgroup\"},"
                                 " {\"type\": \"time\"}]}");
    third = create_for_pid (fixture, "third");
    json = g_strdup_printf (
        "{\"namespaces\": [{\"type\": \"mount\"},"
        " {\"type\": \"network\", \"path\": \"/proc/%" G_GINT64_FORMAT "/ns/net\"},"
        " {\"type\": \"uts\", \"path\": \"/proc/%" G_GINT64_FORMAT "/ns/uts\"},"
        " {\"type\": \"ipc\", \"path\": \"/proc/%" G_GINT64_FORMAT "/ns/ipc\"},"
        " {\"type\": \"cgroup\", \"path\": \"/proc/%" G_GINT64_FORMAT "/ns/cgroup\"},"
        " {\"type\": \"time\", \"path\": \"/proc/%" G_GINT64_FORMAT "/ns/time\"},"
        " {\"type\": \"pid\", \"path\": \"/proc/%" G_GINT64_FORMAT "/ns/pid\"}]}",
        third, third, third, third, third, third);
    write_linux_bundle (fixture, json);
    second = create_for_pid (fixture, "second");
    for (gsize i = 0; i + 2 < G_N_ELEMENTS (types); i++)
      {
        g_autofree char *joined = namespace_of (third, types[i]);
        g_autofree char *theirs = namespace_of (second, types[i]);
        g_test_message ("%s: %s, joined %s", types[i], theirs, joined);
        g_assert_cmpstr (joined, ==, theirs);
      }
    remove_container (fixture, "second", second);

    /* A path of another type: refused, naming it, nothing left. */
    write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"mount\"},"
                                 " {\"type\": \"network\", \"path\": \"/proc/self/ns/uts\"}]}");
    g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
    g_assert_nonnull (strstr (err, "/proc/self/ns/uts is not a network namespace"));
    g_clear_pointer (&err, g_free);
    write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"mount\"},"
                                 " {\"type\": \"pid\", \"path\": \"/proc/self/ns/net\"}]}");
    g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
    g_assert_nonnull (strstr (err, "/proc/self/ns/net is not a pid namespace"));
    g_clear_pointer (&err, g_free);
    remove_container (fixture, "third", third);
  }
  remove_container (fixture, "first", first);

  /* Bad namespace lists: refused before anything is made. */
  for (const char *const *bad = (const char *const[]){
           "{\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"uts\"}]}", "given twice",
           "{\"namespaces\": [{\"type\": \"user\"}]}", "needs linux.uidMappings",
           "{\"namespaces\": [{\"type\": \"mount\"}], \"uidMappings\": [{\"containerID\": 0,"
           " \"hostID\": 1, \"size\": 1}], \"gidMappings\": []}", "without a new user namespace",
           "{\"namespaces\": [{\"type\": \"mount\"},"
           " {\"type\": \"user\", \"path\": \"/proc/self/ns/user\"}]}",
           "not supported yet",
           "{\"namespaces\": [{\"type\": \"mount\", \"path\": \"/proc/self/ns/net\"}]}",
           "/proc/self/ns/net is not a mount namespace",
           "{\"namespaces\": [{\"type\": \"mount\", \"path\": \"/proc/self/ns/mnt\"}]}",
           "is the host's mount namespace",
           "{\"namespaces\": [{\"type\": \"cgroup\", \"path\": \"relative\"}]}",
           "not an absolute path",
           NULL };
       *bad; bad += 2)
    {
      write_linux_bundle (fixture, bad[0]);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
      g_test_message ("%s: %s", bad[0], err);
      g_assert_nonnull (strstr (err, bad[1]));
      g_clear_pointer (&err, g_free);
    }
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

/* The host's mounts at or under the test's root (the whole table moves
 * with the other tests running beside this one). */
static guint
count_host_mounts (void)
{
  g_autofree char *mountinfo = NULL;
  g_auto (GStrv) lines = NULL;
  const char *root = test_get_busybox_rootfs ();
  guint count = 0;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", 6);
      if (g_strv_length (fields) >= 5 && g_str_has_prefix (fields[4], root))
        count++;
    }
  return count;
}

/* A mount namespace joined by path: the init is in it, its root set up
 * there (as crun does), exec lands in that root, and the host's mount
 * table gains nothing. */
static void
test_namespace_mount_joined (Fixture *fixture, gconstpointer data)
{
  g_autofree char *json = NULL, *out = NULL, *err = NULL;
  g_autofree char *holder_ns = NULL, *container_ns = NULL;
  guint host_mounts = count_host_mounts ();
  int ready[2];
  pid_t holder;
  gint64 pid;
  char byte;

  /* A copy of the host's namespace, its mounts still the host's peers:
   * the helper must make them private before mounting anything. */
  g_assert_cmpint (pipe (ready), ==, 0);
  holder = fork ();
  g_assert_cmpint (holder, >=, 0);
  if (holder == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (unshare (CLONE_NEWNS) < 0 || write (ready[1], "R", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  holder_ns = namespace_of (holder, "mnt");

  json = g_strdup_printf ("{\"namespaces\": [{\"type\": \"pid\"},"
                          " {\"type\": \"mount\", \"path\": \"/proc/%d/ns/mnt\"}]}",
                          (int) holder);
  write_linux_bundle (fixture, json);
  pid = create_for_pid (fixture, "joined");
  container_ns = namespace_of (pid, "mnt");
  g_assert_cmpstr (container_ns, ==, holder_ns);
  g_assert_cmpint (count_host_mounts (), ==, host_mounts);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "joined"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, &out, &err, "exec", "joined", "sh", "-c",
                           "test -x /bin/busybox && ls /proc/1/ns/mnt"), ==, 0);
  g_test_message ("exec in the joined namespace: %s%s", out, err);

  remove_container (fixture, "joined", pid);
  g_assert_cmpint (count_host_mounts (), ==, host_mounts);
  kill (holder, SIGKILL);
  waitpid (holder, NULL, 0);
}

/* A bundle without a mount namespace: @root_json and @process_json are
 * added to "root" and "process", @linux_json to "linux". */
static void
write_bundle_in_host_mounts (Fixture *fixture, const char *root_json, const char *process_json,
                             const char *linux_json)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\","
      " \"root\": {\"path\": \"%s\"%s},"
      " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sleep\", \"1000\"],"
      "   \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"%s},"
      " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
      "   {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}],"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}]%s}}",
      test_get_busybox_rootfs (), root_json, process_json, linux_json);

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
}

/* No "mount" in linux.namespaces: the container is in the host's mount
 * namespace, chroot'ed into its root, and nothing of it is mounted there
 * (not config.json's mounts either, as crun does); exec enters the same
 * root; what only a mount gives is refused, naming the field. */
static void
test_namespace_mount_host (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL, *root_link = NULL, *oom = NULL;
  g_autofree char *root_path = NULL, *oom_path = NULL, *limits_path = NULL, *limits = NULL;
  g_autofree char *host_ns = namespace_of (0, "mnt");
  g_autofree char *container_ns = NULL;
  guint host_mounts = count_host_mounts ();
  gint64 pid;

  /* oomScoreAdj and linux.sysctl are written through the host's /proc,
   * the start fifo is reopened through it: none is in the root. */
  write_bundle_in_host_mounts (fixture, "",
                               ", \"oomScoreAdj\": 123, \"rlimits\": [{\"type\": "
                               "\"RLIMIT_NOFILE\", \"hard\": 1234, \"soft\": 1111}]",
                               ", \"sysctl\": {\"kernel.msgmax\": \"12345\"}");
  pid = create_for_pid (fixture, "hosted");
  container_ns = namespace_of (pid, "mnt");
  g_assert_cmpstr (container_ns, ==, host_ns);
  root_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/root", pid);
  root_link = g_file_read_link (root_path, NULL);
  g_assert_cmpstr (root_link, ==, test_get_busybox_rootfs ());
  g_assert_cmpint (count_host_mounts (), ==, host_mounts);
  /* Set once the create returns, as runc sets them: not only after start. */
  oom_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/oom_score_adj", pid);
  g_assert_true (g_file_get_contents (oom_path, &oom, NULL, NULL));
  g_assert_cmpstr (g_strstrip (oom), ==, "123");
  limits_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/limits", pid);
  g_assert_true (g_file_get_contents (limits_path, &limits, NULL, NULL));
  g_assert_true (g_regex_match_simple ("^Max open files +1111 +1234 ", limits,
                                       G_REGEX_MULTILINE, 0));

  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "hosted"), ==, 0);
  /* exec lands in the container's root, not the host's; /proc there is
   * the image's empty folder. */
  g_assert_cmpint (hcsctl (fixture, &out, &err, "exec", "hosted", "sh", "-c",
                           "test -x /bin/busybox && test ! -e /proc/self && "
                           "test ! -e /dev/null && echo inside"),
                   ==, 0);
  g_test_message ("exec in the host's mount namespace: %s%s", out, err);
  g_assert_cmpstr (out, ==, "inside\n");
  g_clear_pointer (&err, g_free);
  {
    /* The sysctl went to the container's ipc namespace, not the host's. */
    g_autofree char *target = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
    g_autofree char *msgmax = NULL, *host_msgmax = NULL;
    const char *argv[] = { "nsenter", "-t", target, "-i", "cat", "/proc/sys/kernel/msgmax", NULL };
    int status;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &msgmax, NULL, &status, NULL));
    g_assert_cmpstr (msgmax, ==, "12345\n");
    g_assert_true (g_file_get_contents ("/proc/sys/kernel/msgmax", &host_msgmax, NULL, NULL));
    g_assert_cmpstr (host_msgmax, !=, "12345\n");
  }
  g_assert_cmpint (count_host_mounts (), ==, host_mounts);
  remove_container (fixture, "hosted", pid);
  g_assert_cmpint (count_host_mounts (), ==, host_mounts);

  /* What only a mount gives: refused before anything is made. */
  for (const char *const *bad = (const char *const[]){
           ", \"readonly\": true", "", "", "root.readonly needs a mount namespace",
           "", "", ", \"rootfsPropagation\": \"private\"", "linux.rootfsPropagation needs",
           "", "", ", \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", "
           "\"major\": 10, \"minor\": 229}]", "linux.devices",
           "", "", ", \"maskedPaths\": [\"/proc/kcore\", \"/bin\"]",
           "linux.maskedPaths: /bin needs a mount namespace",
           "", "", ", \"readonlyPaths\": [\"/etc\"]",
           "linux.readonlyPaths: /etc needs a mount namespace",
           NULL };
       *bad; bad += 4)
    {
      write_bundle_in_host_mounts (fixture, bad[0], bad[1], bad[2]);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "refused"), ==, 1);
      g_test_message ("%s%s%s: %s", bad[0], bad[1], bad[2], err);
      g_assert_nonnull (strstr (err, bad[3]));
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (count_host_mounts (), ==, host_mounts);
    }
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

static char *
cgroup_value (const char *controller, const char *id, const char *file)
{
  g_autofree char *v1 = g_strdup_printf ("/sys/fs/cgroup/%s/%s/%s/%s", controller,
                                         test_get_cgroup_parent (), id, file);
  g_autofree char *v2 = g_strdup_printf ("/sys/fs/cgroup/%s/%s/%s", test_get_cgroup_parent (),
                                         id, file);
  char *value = NULL;

  if (!g_file_get_contents (v1, &value, NULL, NULL) &&
      !g_file_get_contents (v2, &value, NULL, NULL))
    return NULL;
  return g_strstrip (value);
}

/* runc's command line where the audit of issue 14 found gaps: update's
 * every flag written exactly (runc's period/quota and -r rules), exec's
 * --additional-gids, --apparmor, --process-label, --cgroup and the paused
 * rule, checkpoint and restore refused, --version's spec line. */
static void
test_runc_command_line (Fixture *fixture, gconstpointer data)
{
  gboolean v1 = g_file_test ("/sys/fs/cgroup/memory", G_FILE_TEST_IS_DIR);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *resources = g_build_filename (fixture->temp_dir, "resources.json", NULL);
  gint64 pid;

  write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]}");
  pid = create_for_pid (fixture, "cli");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "cli"), ==, 0);

  /* update: each flag to its file, exactly (no rounding to MB or to a
   * share of the machine). */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "update", "--memory", "67108865",
                           "--memory-reservation", "32m", "--cpu-share", "513", "--cpu-period",
                           "50000", "--cpu-quota", "20000", "--cpuset-cpus", "0",
                           "--cpuset-mems", "0", "--pids-limit", "42", "cli"),
                   ==, 0);
  g_test_message ("update: %s", err);
  g_clear_pointer (&err, g_free);
  if (v1)
    {
      const char *expected[][3] = {
        { "memory", "memory.limit_in_bytes", "67108864" }, /* the kernel rounds to pages */
        { "memory", "memory.soft_limit_in_bytes", "33554432" },
        { "cpu", "cpu.shares", "513" },
        { "cpu", "cpu.cfs_period_us", "50000" },
        { "cpu", "cpu.cfs_quota_us", "20000" },
        { "cpuset", "cpuset.cpus", "0" },
        { "pids", "pids.max", "42" },
      };
      for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          g_autofree char *value = cgroup_value (expected[i][0], "cli", expected[i][1]);
          g_test_message ("%s: %s", expected[i][1], value);
          g_assert_cmpstr (value, ==, expected[i][2]);
        }
      /* A quota alone leaves the period as it was (runc's rule). */
      g_assert_cmpint (hcsctl (fixture, NULL, NULL, "update", "--cpu-quota", "30000", "cli"), ==,
                       0);
      {
        g_autofree char *period = cgroup_value ("cpu", "cli", "cpu.cfs_period_us");
        g_autofree char *quota = cgroup_value ("cpu", "cli", "cpu.cfs_quota_us");
        g_assert_cmpstr (period, ==, "50000");
        g_assert_cmpstr (quota, ==, "30000");
      }
      /* -r: linux.resources as given; device rules are never updated. */
      g_assert_true (g_file_set_contents (
          resources,
          "{\"memory\": {\"limit\": 100663296}, \"cpu\": {\"shares\": 700},"
          " \"devices\": [{\"allow\": true, \"access\": \"rwm\"}]}",
          -1, NULL));
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "update", "-r", resources, "--memory", "1g",
                               "cli"),
                       ==, 0);
      g_clear_pointer (&err, g_free);
      {
        g_autofree char *limit = cgroup_value ("memory", "cli", "memory.limit_in_bytes");
        g_autofree char *shares = cgroup_value ("cpu", "cli", "cpu.shares");
        g_autofree char *devices = cgroup_value ("devices", "cli", "devices.list");
        g_assert_cmpstr (limit, ==, "100663296");
        g_assert_cmpstr (shares, ==, "700");
        g_assert_null (strstr (devices, "a *:* rwm"));
      }
      /* No memory limit, and with it no swap limit. */
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "update", "--memory", "-1", "cli"), ==, 0);
      g_test_message ("update --memory -1: %s", err);
      g_clear_pointer (&err, g_free);
      {
        g_autofree char *limit = cgroup_value ("memory", "cli", "memory.limit_in_bytes");
        g_assert_cmpuint (g_ascii_strtoull (limit, NULL, 10), >, G_MAXINT64 / 2);
      }
    }
  for (const char *const *bad = (const char *const[]){
           "--memory", "lots", "--memory: expected a size",
           "--cpu-idle", "1", "--cpu-idle: not supported",
           "--l3-cache-schema", "L3:0=f", "Intel RDT/CAT: l3 cache schema is not enabled",
           "--mem-bw-schema", "MB:0=50", "Intel RDT/MBA: memory bandwidth schema is not enabled",
           "--blkio-weight", "5", "blockIO.weight",
           NULL };
       *bad; bad += 3)
    {
      if (g_file_test ("/sys/fs/resctrl/schemata", G_FILE_TEST_EXISTS) &&
          strstr (bad[2], "Intel RDT") != NULL)
        continue;
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "update", bad[0], bad[1], "cli"), ==, 1);
      g_test_message ("update %s %s: %s", bad[0], bad[1], err);
      g_assert_nonnull (strstr (err, bad[2]));
      g_clear_pointer (&err, g_free);
    }

  /* exec: supplementary groups, LSM labels, the container's own cgroup. */
  g_assert_cmpint (hcsctl (fixture, &out, &err, "exec", "--additional-gids", "5", "-g", "6",
                           "--cgroup", "/", "cli", "id", "-G"),
                   ==, 0);
  g_test_message ("exec -g: %s%s", out, err);
  g_assert_nonnull (strstr (out, " 5 6") ? strstr (out, " 5 6") : strstr (out, "5 6"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  if (!g_file_test ("/sys/module/apparmor/parameters/enabled", G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", "--apparmor", "unconfined", "cli",
                               "true"),
                       ==, 255);
      g_assert_nonnull (strstr (err, "AppArmor is not enabled on this host"));
      g_clear_pointer (&err, g_free);
    }
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", "--cgroup", "memory:/sub", "cli", "true"),
                   ==, 255);
  g_assert_nonnull (strstr (err, "--cgroup memory:/sub: a sub-cgroup is not supported"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", "-g", "x", "cli", "true"), ==, 255);
  g_assert_nonnull (strstr (err, "--additional-gids: 'x' is not a group id"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "pause", "cli"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", "cli", "true"), ==, 255);
  g_assert_nonnull (strstr (err, "cannot exec in a paused container (use --ignore-paused"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "resume", "cli"), ==, 0);

  /* checkpoint and restore: refused, runc's options accepted. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "checkpoint", "--image-path", "/nonexistent",
                           "--leave-running", "cli"),
                   ==, 1);
  g_assert_nonnull (strstr (err, "checkpoint: not supported: hcs does not checkpoint"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "restore", "-d", "--bundle", fixture->bundle,
                           "cli"),
                   ==, 1);
  g_assert_nonnull (strstr (err, "restore: not supported"));
  g_clear_pointer (&err, g_free);

  /* --version: runc's lines, with the runtime spec's version. */
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "--version"), ==, 0);
  g_assert_true (g_str_has_prefix (out, "hcsctl version "));
  g_assert_nonnull (strstr (out, "\nspec: 1.0.2\n"));

  remove_container (fixture, "cli", pid);
}

/* events: runc's "oom" event when the kernel kills a process of the
 * container for its memory limit, beside the statistics. */
static void
test_events_oom (Fixture *fixture, gconstpointer data)
{
  g_autofree char *events_path = g_build_filename (fixture->temp_dir, "events", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GSubprocess) events = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL, *text = NULL;
  gint64 pid;

  write_linux_bundle (fixture,
                      "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
                      " \"resources\": {\"memory\": {\"limit\": 33554432, \"swap\": 33554432}}}");
  pid = create_for_pid (fixture, "oom");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "oom"), ==, 0);

  g_subprocess_launcher_set_stdout_file_path (launcher, events_path);
  events = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HCSCTL"), "--options",
                                        fixture->options_file, "--root", fixture->root,
                                        "events", "--interval", "1s", "oom", NULL);
  g_assert_no_error (error);
  /* The first statistics line says events has its baseline. */
  for (int i = 0; i < 600 && (text == NULL || strstr (text, "\"stats\"") == NULL); i++)
    {
      g_clear_pointer (&text, g_free);
      g_usleep (50000);
      g_file_get_contents (events_path, &text, NULL, NULL);
    }
  g_assert_nonnull (strstr (text, "\"type\":\"stats\""));
  /* A string that doubles until the kernel kills the shell. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", "oom", "sh", "-c",
                           "a=xxxxxxxxxxxxxxxx; while true; do a=$a$a; done"),
                   ==, 137);
  g_clear_pointer (&text, g_free);
  for (int i = 0; i < 600 && (text == NULL || strstr (text, "\"type\":\"oom\"") == NULL); i++)
    {
      g_clear_pointer (&text, g_free);
      g_usleep (50000);
      g_file_get_contents (events_path, &text, NULL, NULL);
    }
  g_test_message ("events: %s", text);
  g_assert_nonnull (strstr (text, "{\"type\":\"oom\",\"id\":\"oom\"}"));

  /* events ends with the container. */
  remove_container (fixture, "oom", pid);
  g_subprocess_wait (events, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (events));
}

/* linux.resources as given, in the files of this host's cgroup version;
 * what the host cannot do refused, naming the field, nothing left. */
static void
test_resources (Fixture *fixture, gconstpointer data)
{
  g_autofree char *memory_dir = g_strdup_printf ("/sys/fs/cgroup/memory/%s",
                                                 test_get_cgroup_parent ());
  gboolean v1 = g_file_test ("/sys/fs/cgroup/memory", G_FILE_TEST_IS_DIR);
  g_autofree char *err = NULL;
  gint64 pid;

  write_linux_bundle (
      fixture,
      "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
      " \"resources\": {"
      "  \"memory\": {\"limit\": 67108864, \"reservation\": 33554432},"
      "  \"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 50000, \"cpus\": \"0\","
      "   \"mems\": \"0\"},"
      "  \"pids\": {\"limit\": 33},"
      "  \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
      "   {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}]}}");
  pid = create_for_pid (fixture, "limited");
  (void) memory_dir;
  if (v1)
    {
      const char *expected[][3] = {
        { "memory", "memory.limit_in_bytes", "67108864" },
        { "memory", "memory.soft_limit_in_bytes", "33554432" },
        { "cpu", "cpu.shares", "512" },
        { "cpu", "cpu.cfs_period_us", "50000" },
        { "cpu", "cpu.cfs_quota_us", "20000" },
        { "cpuset", "cpuset.cpus", "0" },
        { "cpuset", "cpuset.mems", "0" },
        { "pids", "pids.max", "33" },
      };
      g_autofree char *devices = cgroup_value ("devices", "limited", "devices.list");

      for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          g_autofree char *value = cgroup_value (expected[i][0], "limited", expected[i][1]);
          g_test_message ("%s: %s", expected[i][1], value);
          g_assert_cmpstr (value, ==, expected[i][2]);
        }
      /* The config's rule, and the defaults after its "deny all". */
      g_assert_nonnull (strstr (devices, "c 10:200 rw"));
      g_assert_nonnull (strstr (devices, "c 1:3 rwm"));
      g_assert_null (strstr (devices, "a *:* rwm"));
    }
  else
    {
      g_autofree char *max = cgroup_value ("", "limited", "memory.max");
      g_autofree char *low = cgroup_value ("", "limited", "memory.low");
      g_autofree char *cpu_max = cgroup_value ("", "limited", "cpu.max");
      g_assert_cmpstr (max, ==, "67108864");
      g_assert_cmpstr (low, ==, "33554432");
      g_assert_cmpstr (cpu_max, ==, "20000 50000");
    }
  /* The container runs under them. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "limited"), ==, 0);
  remove_container (fixture, "limited", pid);

  /* Refused before anything is made, naming the field. */
  for (const char *const *bad = (const char *const[]){
           "{\"cpu\": {\"shares\": 1}}", "cpu.shares",
           "{\"memory\": {\"swappiness\": 101}}", "memory.swappiness",
           "{\"memory\": {\"limit\": 67108864, \"swap\": 1048576}}", "memory.swap",
           "{\"devices\": [{\"allow\": true, \"type\": \"x\"}]}", "devices",
           "{\"cpu\": {\"quota\": \"lots\"}}", "cpu.quota",
           "{\"blockIO\": {\"weight\": 5000}}", "blockIO.weight",
           NULL };
       *bad; bad += 2)
    {
      g_autofree char *json = g_strdup_printf ("{\"namespaces\": [{\"type\": \"mount\"}],"
                                               " \"resources\": %s}", bad[0]);
      write_linux_bundle (fixture, json);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
      g_test_message ("%s: %s", bad[0], err);
      g_assert_nonnull (strstr (err, bad[1]));
      g_clear_pointer (&err, g_free);
    }
  /* What this host has no controller for: refused when applied, the
   * cgroup removed. */
  if (v1 && !g_file_test ("/sys/fs/cgroup/net_cls", G_FILE_TEST_IS_DIR))
    {
      write_linux_bundle (fixture, "{\"namespaces\": [{\"type\": \"mount\"}],"
                                   " \"resources\": {\"network\": {\"classID\": 1048577}}}");
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, "network.classID: this host has no net_cls controller"));
      g_clear_pointer (&err, g_free);
    }
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

/* linux.devices: made in the root with their numbers, mode and owner, and
 * allowed in the devices cgroup; bad ones refused naming the field. */
static void
test_devices (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;
  gint64 pid;

  write_linux_bundle (
      fixture,
      "{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
      " \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
      " \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,"
      "   \"fileMode\": 384, \"uid\": 7, \"gid\": 8},"
      "  {\"path\": \"/dev/sub/mynull\", \"type\": \"c\", \"major\": 1, \"minor\": 3,"
      "   \"fileMode\": 438}]}");
  pid = create_for_pid (fixture, "devices");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "devices"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "exec", "devices", "stat", "-c", "%F %t:%T %a %u:%g",
                           "/dev/fuse", "/dev/sub/mynull"), ==, 0);
  g_assert_cmpstr (out, ==, "character special file a:e5 600 7:8\n"
                            "character special file 1:3 666 0:0\n");
  g_clear_pointer (&out, g_free);
  /* Allowed by the cgroup despite the config's "deny all". */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "exec", "devices", "sh", "-c",
                           "echo x > /dev/sub/mynull"), ==, 0);
  if (g_file_test ("/sys/fs/cgroup/devices", G_FILE_TEST_IS_DIR))
    {
      g_autofree char *list = cgroup_value ("devices", "devices", "devices.list");
      g_assert_nonnull (strstr (list, "c 10:229 rwm"));
    }
  remove_container (fixture, "devices", pid);

  for (const char *const *bad = (const char *const[]){
           "[{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]",
           "linux.devices[0].path",
           "[{\"path\": \"/dev/x\", \"type\": \"q\", \"major\": 1, \"minor\": 3}]",
           "linux.devices[0].type",
           "[{\"path\": \"/dev/x\", \"type\": \"b\"}]", "needs major and minor",
           "{\"path\": \"/dev/x\"}", "linux.devices: expected an array",
           NULL };
       *bad; bad += 2)
    {
      g_autofree char *json = g_strdup_printf ("{\"namespaces\": [{\"type\": \"mount\"}],"
                                               " \"devices\": %s}", bad[0]);
      write_linux_bundle (fixture, json);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
      g_test_message ("%s: %s", bad[0], err);
      g_assert_nonnull (strstr (err, bad[1]));
      g_clear_pointer (&err, g_free);
    }
}

/* linux.seccomp, compiled when the container is made: actions with their
 * errno, argument comparisons; what hcs does not do refused clearly. */
static void
test_seccomp (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *config = NULL;
  const char *seccomp =
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1,"
      " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_AARCH64\"],"
      " \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
      " \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\","
      "   \"errnoRet\": 13},"
      "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\","
      "   \"args\": [{\"index\": 1, \"value\": 10, \"op\": \"SCMP_CMP_EQ\"}]},"
      "  {\"names\": [\"no_such_syscall\"], \"action\": \"SCMP_ACT_KILL\"}]}";

  config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\", \"-c\","
      "   \"mkdir /dev/shm/x 2>&1; kill -0 $$ && echo signal-0-ok; kill -USR1 $$ 2>&1;"
      "     echo done\"],"
      "   \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"},"
      " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
      "   \"seccomp\": %s}}",
      test_get_busybox_rootfs (), seccomp);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  g_assert_cmpint (hcsctl (fixture, &out, &err, "run", "filtered"), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "Permission denied"));       /* mkdir: errnoRet 13 */
  g_assert_nonnull (strstr (out, "signal-0-ok"));             /* kill, signal 0: allowed */
  g_assert_nonnull (strstr (out, "Operation not permitted")); /* kill, SIGUSR1: EPERM */
  g_assert_nonnull (strstr (out, "done"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&config, g_free);

  /* What is exec'd into the container gets its filter too, not the
   * built-in one (which allows mkdir). */
  config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sleep\", \"1000\"],"
      "   \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"},"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
      "   \"seccomp\": %s}}",
      test_get_busybox_rootfs (), seccomp);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "run", "-d", "--bundle", fixture->bundle,
                           "filtered-exec"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "exec", "filtered-exec", "sh", "-c",
                           "mkdir /dev/shm/y 2>&1; echo done"), ==, 0);
  g_test_message ("exec: %s", out);
  g_assert_nonnull (strstr (out, "Permission denied"));
  g_assert_nonnull (strstr (out, "done"));
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "filtered-exec"), ==, 0);
  while (waitpid (-1, NULL, 0) > 0)
    ;

  for (const char *const *bad = (const char *const[]){
           "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY",
           "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "defaultAction: unknown action",
           "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"],"
           " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 7, \"value\": 1,"
           " \"op\": \"SCMP_CMP_EQ\"}]}]}", "syscalls[0].args[0]: index",
           "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW\"]}",
           "flags: 'SECCOMP_FILTER_FLAG_NEW' is not supported",
           "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
           "unknown architecture",
           NULL };
       *bad; bad += 2)
    {
      g_autofree char *bad_config = g_strdup_printf (
          "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\"},"
          " \"process\": {\"args\": [\"true\"], \"cwd\": \"/\"},"
          " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}], \"seccomp\": %s}}",
          test_get_busybox_rootfs (), bad[0]);
      g_assert_true (g_file_set_contents (config_path, bad_config, -1, NULL));
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "wrong"), ==, 1);
      g_test_message ("%s: %s", bad[0], err);
      g_assert_nonnull (strstr (err, bad[1]));
    }
}

static void
test_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;
  const char *verbs[] = { "state", "start", "kill", "delete", "pause", "resume", "ps" };

  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      g_assert_cmpint (hcsctl (fixture, NULL, &err, verbs[i], "nosuch"), ==, 1);
      g_assert_nonnull (strstr (err, "container \"nosuch\" does not exist"));
      g_clear_pointer (&err, g_free);
    }
  /* runc: delete --force of what does not exist succeeds. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "nosuch"), ==, 0);

  /* One id, two creates: the second is refused and leaves the first alone. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "dup"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "dup"), ==, 1);
  g_assert_nonnull (strstr (err, "already exists"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "kill", "dup", "NOSUCHSIG"), ==, 1);
  g_assert_nonnull (strstr (err, "unknown signal"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "dup"), ==, 0);
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;

  /* A bad bundle, a bad id: clear errors, nothing left. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "--bundle", "/nonexistent", "x"), ==, 1);
  g_assert_nonnull (strstr (err, "config.json"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "create", "../escape"), ==, 1);
  g_assert_nonnull (strstr (err, "compute system id"));
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *log = g_build_filename (fixture->temp_dir, "log.json", NULL);
    g_autofree char *text = NULL;
    g_autofree char *log_arg = g_strdup_printf ("--log=%s", log);
    g_autoptr (JsonObject) line = NULL;

    g_assert_cmpint (hcsctl (fixture, NULL, NULL, log_arg, "--log-format", "json", "start",
                             "nosuch"), ==, 1);
    g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
    line = parse_object (text);
    g_assert_cmpstr (json_object_get_string_member (line, "level"), ==, "error");
    g_assert_nonnull (strstr (json_object_get_string_member (line, "msg"), "does not exist"));
  }
}

/* runc's --console-socket: the pty master arrives over a unix socket.
 * Every wait is guarded (test-common.c): a hang fails, naming where. */
static void
test_console_socket (Fixture *fixture, gconstpointer data)
{
  g_autofree char *socket_path = g_build_filename (fixture->temp_dir, "console.sock", NULL);
  g_autofree char *name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *pid_text = NULL;
  gint64 deadline;
  pid_t pid, reaped;
  int listener, master;

  write_bundle (fixture, "[\"sh\", \"-c\", \"test -t 0 && echo on-a-tty; stty size\"]", TRUE);
  listener = test_console_socket_listen (socket_path);

  /* Without the socket a detached tty is refused, as runc does. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "tty"), ==, 1);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--console-socket", socket_path,
                           "--pid-file", pid_file, "tty"), ==, 0);
  master = test_console_socket_receive (listener, &name);
  g_assert_true (g_str_has_prefix (name, "/dev/pts/"));
  close (listener);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "tty"), ==, 0);
  /* EIO once the last slave is closed. */
  output = test_console_socket_read_to_end (master);
  close (master);
  g_assert_nonnull (strstr (output, "on-a-tty"));
  /* process.consoleSize: the pty's size from the start. */
  g_assert_nonnull (strstr (output, "33 111"));
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = (pid_t) g_ascii_strtoll (pid_text, NULL, 10);
  deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  while ((reaped = waitpid (pid, NULL, WNOHANG)) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("console: the container's init %d did not end within 90 s of its console", pid);
      g_usleep (10 * 1000);
    }
  g_assert_cmpint (reaped, ==, pid);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "tty"), ==, 0);
}

/* run in the foreground: exit code, then gone; run -d: left running. */
static void
test_run (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;

  write_bundle (fixture, "[\"sh\", \"-c\", \"echo fg; exit 4\"]", FALSE);
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "run", "--bundle", fixture->bundle, "fg"), ==, 4);
  g_assert_cmpstr (out, ==, "fg\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "state", "fg"), ==, 1);

  write_bundle (fixture, "[\"sleep\", \"1000\"]", FALSE);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "run", "-d", "--bundle", fixture->bundle, "bg"),
                   ==, 0);
  {
    g_autofree char *status = state_status (fixture, "bg", NULL);
    g_assert_cmpstr (status, ==, "running");
  }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "bg"), ==, 0);
  while (waitpid (-1, NULL, 0) > 0)
    ;
}

/* The same bundle under runc: the state has the same members and values
 * of the same kinds, and runc's errors have the same exit codes. */
/* The container's cgroups in every hierarchy of the machine that has them
 * (v1's controllers, v2's unified one): /sys/fs/cgroup/X/PARENT/ID, or
 * /sys/fs/cgroup/PARENT/ID on a v2 host. */
static GPtrArray *
container_cgroups (const char *id)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) top = g_dir_open ("/sys/fs/cgroup", 0, NULL);
  g_autofree char *own = g_build_filename ("/sys/fs/cgroup", test_get_cgroup_parent (), id, NULL);
  const char *name;

  if (g_file_test (own, G_FILE_TEST_IS_DIR))
    g_ptr_array_add (dirs, g_steal_pointer (&own));
  while (top != NULL && (name = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *dir = g_build_filename ("/sys/fs/cgroup", name, test_get_cgroup_parent (),
                                               id, NULL);

      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (dirs, g_steal_pointer (&dir));
    }
  return dirs;
}

/* Sub-cgroups made in the container's (by a workload with a cgroup
 * namespace and a writable cgroupfs, or by hand) go with it on delete,
 * deepest first. */
static void
test_delete_sub_cgroups (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) dirs = NULL;
  gint64 pid = create_for_pid (fixture, "subs");

  dirs = container_cgroups ("subs");
  g_assert_cmpuint (dirs->len, >, 0);
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *deeper = g_build_filename (dirs->pdata[i], "inner", "deeper", NULL);

      g_assert_cmpint (g_mkdir_with_parents (deeper, 0755), ==, 0);
    }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "subs"), ==, 0);
  waitpid ((pid_t) pid, NULL, 0);
  for (guint i = 0; i < dirs->len; i++)
    g_assert_false (g_file_test (dirs->pdata[i], G_FILE_TEST_EXISTS));
}

/* A bundle whose process has its own env, a user other than root with
 * supplementary groups and a umask, a reduced capability set, an rlimit,
 * noNewPrivileges and an oomScoreAdj, for runc's exec without --process. */
static void
write_exec_defaults_bundle (Fixture *fixture, const char *foo)
{
  g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
  g_autofree char *config = g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\", \"hostname\": \"oci\","
      " \"root\": {\"path\": \"%s\", \"readonly\": true},"
      " \"process\": {\"args\": [\"sleep\", \"1000\"],"
      "   \"user\": {\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [10, 20],"
      "     \"umask\": 23},"
      "   \"env\": [\"PATH=/bin:/usr/bin\", \"FOO=%s\", \"TERM=xterm\"], \"cwd\": \"/etc\","
      "   \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
      "     \"effective\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
      "     \"permitted\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
      "     \"inheritable\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
      "     \"ambient\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
      "   \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 123, \"hard\": 456}],"
      "   \"noNewPrivileges\": true, \"oomScoreAdj\": 321},"
      " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
      "   {\"type\": \"uts\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}]}}",
      test_get_busybox_rootfs (), foo);

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
}

/* The value of @field ("Uid:") in /proc/PID/status. */
static char *
status_field (gint64 pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/status", pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], field))
      return g_strstrip (g_strdup (lines[i] + strlen (field)));
  g_assert_not_reached ();
}

/* A created init, before start, is what its workload will be, in both
 * runtimes: umask, user, groups, capabilities, no_new_privs, cwd, rlimits,
 * oomScoreAdj (the exec defaults' bundle sets them all). */
static void
compare_created_inits (Fixture *fixture, const char *id)
{
  static const char *const fields[] = { "Umask:", "Uid:", "Gid:", "Groups:", "CapInh:",
                                        "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:",
                                        "NoNewPrivs:", NULL };
  g_autofree char *ours_text = NULL, *theirs_text = NULL;
  g_autoptr (JsonObject) ours = NULL, theirs = NULL;
  gint64 our_pid, their_pid;

  write_exec_defaults_bundle (fixture, "bar");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", id), ==, 0);
  g_assert_cmpint (run_program (fixture, TRUE, NULL, NULL, "create", id, NULL), ==, 0);
  g_assert_cmpint (hcsctl (fixture, &ours_text, NULL, "state", id), ==, 0);
  g_assert_cmpint (run_program (fixture, TRUE, &theirs_text, NULL, "state", id, NULL), ==, 0);
  ours = parse_object (ours_text);
  theirs = parse_object (theirs_text);
  our_pid = json_object_get_int_member (ours, "pid");
  their_pid = json_object_get_int_member (theirs, "pid");
  for (const char *const *field = fields; *field; field++)
    {
      g_autofree char *our_value = status_field (our_pid, *field);
      g_autofree char *their_value = status_field (their_pid, *field);

      g_test_message ("created init %s runc '%s', hcsctl '%s'", *field, their_value, our_value);
      g_assert_cmpstr (our_value, ==, their_value);
    }
  for (const char *const *file = (const char *const[]){ "cwd", "oom_score_adj", "limits", NULL };
       *file; file++)
    {
      g_autofree char *our_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/%s", our_pid, *file);
      g_autofree char *their_path =
          g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/%s", their_pid, *file);
      g_autofree char *our_value = NULL, *their_value = NULL;

      if (g_str_equal (*file, "cwd"))
        {
          our_value = g_file_read_link (our_path, NULL);
          their_value = g_file_read_link (their_path, NULL);
        }
      else
        {
          g_assert_true (g_file_get_contents (our_path, &our_value, NULL, NULL));
          g_assert_true (g_file_get_contents (their_path, &their_value, NULL, NULL));
        }
      g_test_message ("created init %s: runc '%s', hcsctl '%s'", *file, their_value, our_value);
      g_assert_cmpstr (our_value, ==, their_value);
    }
  g_assert_cmpint (run_program (fixture, TRUE, NULL, NULL, "delete", "--force", id, NULL), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", id), ==, 0);
  while (waitpid (-1, NULL, 0) > 0)
    ;
}

static void
test_compare_with_runc (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ours_text = NULL, *theirs_text = NULL, *err = NULL;
  g_autoptr (JsonObject) ours = NULL, theirs = NULL;
  g_autoptr (GList) members = NULL;
  g_autofree char *runc = g_find_program_in_path ("runc");
  /* An id of this run's own: runc keeps cgroups outside our folders, and a
   * crashed earlier run must not collide with this one. */
  g_autofree char *same = g_strdup_printf ("same-%d", (int) getpid ());

  if (runc == NULL)
    {
      g_test_skip ("runc is not installed");
      return;
    }
  /* Unknown ids: the same exit code from every verb. */
  for (const char *const *verb = (const char *const[]){ "state", "start", "kill", "pause",
                                                        "resume", "ps", "delete", "events", NULL };
       *verb; verb++)
    {
      int theirs = run_program (fixture, TRUE, NULL, &err, *verb, "nosuch", NULL);
      int ours = hcsctl (fixture, NULL, NULL, *verb, "nosuch");
      g_test_message ("%s nosuch: runc %d, hcsctl %d", *verb, theirs, ours);
      g_assert_cmpint (ours, ==, theirs);
      g_clear_pointer (&err, g_free);
    }
  g_assert_cmpint (run_program (fixture, TRUE, NULL, NULL, "exec", "nosuch", "true", NULL), ==,
                   hcsctl (fixture, NULL, NULL, "exec", "nosuch", "true"));

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", same), ==, 0);
  if (run_program (fixture, TRUE, NULL, &err, "create", same, NULL) != 0)
    {
      /* runc may refuse this host's cgroup layout (hybrid without hugetlb). */
      g_test_message ("runc create failed: %s", err);
      hcsctl (fixture, NULL, NULL, "delete", "--force", same);
      while (waitpid (-1, NULL, 0) > 0)
        ;
      g_test_skip ("runc cannot create containers on this host");
      return;
    }
  g_assert_cmpint (hcsctl (fixture, &ours_text, NULL, "state", same), ==, 0);
  g_assert_cmpint (run_program (fixture, TRUE, &theirs_text, NULL, "state", same, NULL), ==, 0);
  ours = parse_object (ours_text);
  theirs = parse_object (theirs_text);
  members = json_object_get_members (theirs);
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      g_test_message ("state member %s", name);
      g_assert_true (json_object_has_member (ours, name));
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (ours, name)), ==,
                       json_node_get_value_type (json_object_get_member (theirs, name)));
    }
  for (const char *const *name = (const char *const[]){ "id", "status", "bundle", NULL }; *name;
       name++)
    g_assert_cmpstr (json_object_get_string_member (ours, *name), ==,
                     json_object_get_string_member (theirs, *name));

  /* The same verbs on the same created container: the same exit codes
   * (start and kill work on it; pause refuses a created one in both). */
  for (const char *const *verb = (const char *const[]){ "ps", "pause", NULL }; *verb; verb++)
    {
      int theirs = run_program (fixture, TRUE, NULL, NULL, *verb, same, NULL);
      int ours = hcsctl (fixture, NULL, NULL, *verb, same);
      g_test_message ("%s same: runc %d, hcsctl %d", *verb, theirs, ours);
      g_assert_cmpint (ours, ==, theirs);
    }
  g_assert_cmpint (run_program (fixture, TRUE, NULL, NULL, "delete", "--force", same, NULL), ==,
                   hcsctl (fixture, NULL, NULL, "delete", "--force", same));
  while (waitpid (-1, NULL, 0) > 0)
    ;
  compare_created_inits (fixture, same);
}

/* A runtime path for callers that drop our environment and flags
 * (conmon's exit command, containerd's shim): a wrapper carries both, as
 * an installed hcsctl would need neither. */
static char *
runtime_wrapper (Fixture *fixture)
{
  char *wrapper = g_build_filename (fixture->temp_dir, "hcsctl-runtime", NULL);

  if (!g_file_test (wrapper, G_FILE_TEST_EXISTS))
    {
      g_autofree char *script = g_strdup_printf (
          "#!/bin/sh\nexec env HCS_PLUGIN_PATH='%s' HCS_RUNTIME_HELPER='%s' '%s' --options '%s' "
          "\"$@\"\n",
          g_getenv ("HCS_PLUGIN_PATH"), g_getenv ("HCS_RUNTIME_HELPER"), g_getenv ("HCSCTL"),
          fixture->options_file);
      g_assert_true (g_file_set_contents (wrapper, script, -1, NULL));
      g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);
    }
  return wrapper;
}

/* podman from Debian with --runtime hcsctl, on a storage, a run root and a
 * containers.conf of the test's own. */
/* Runs @argv (NULL-terminated) with @input on stdin (NULL: none), stderr
 * merged into stdout, which goes to *@out and to the test log. */
static int
communicate (GSubprocessLauncher *launcher, const char *const *argv, const char *input,
             char **out)
{
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_subprocess_launcher_set_flags (launcher, (input ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0) |
                                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                 G_SUBPROCESS_FLAGS_STDERR_MERGE);
  subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, input, NULL, &text, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", argv[0], text);
  if (out != NULL)
    *out = g_steal_pointer (&text);
  return g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess) : -1;
}

static int
podman (Fixture *fixture, const char *tty_input, char **out, ...)
{
  g_autofree char *conf = g_build_filename (fixture->temp_dir, "containers.conf", NULL);
  g_autofree char *storage = g_build_filename (fixture->temp_dir, "podman-storage", NULL);
  g_autofree char *run_root = g_build_filename (fixture->temp_dir, "podman-run", NULL);
  g_autofree char *wrapper = runtime_wrapper (fixture);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GString) command = g_string_new (NULL);
  const char *arg;
  va_list args;

  if (!g_file_test (conf, G_FILE_TEST_EXISTS))
    {
      /* This host's quirks: a hard nofile limit of 20000, no systemd. */
      /* And folders of its own, or podman keeps /run/libpod and a lock in
       * /etc/cni/net.d. */
      g_autofree char *text = g_strdup_printf ("[containers]\n"
                                               "default_ulimits = [\"nofile=20000:20000\"]\n"
                                               "[engine]\n"
                                               "cgroup_manager = \"cgroupfs\"\n"
                                               "events_logger = \"file\"\n"
                                               "tmp_dir = \"%s/podman-tmp\"\n"
                                               "[network]\n"
                                               "network_config_dir = \"%s/podman-net\"\n",
                                               fixture->temp_dir, fixture->temp_dir);
      g_assert_true (g_file_set_contents (conf, text, -1, NULL));
    }
  g_subprocess_launcher_setenv (launcher, "CONTAINERS_CONF", conf, TRUE);
  for (const char *const *fixed = (const char *const[]){ "podman", "--root", storage, "--runroot",
                                                         run_root, "--runtime", wrapper, NULL };
       *fixed; fixed++)
    g_ptr_array_add (argv, (char *) *fixed);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (tty_input == NULL)
    return communicate (launcher, (const char *const *) argv->pdata, NULL, out);

  /* -it wants a terminal: script(1) gives it one. */
  for (guint i = 0; argv->pdata[i] != NULL; i++)
    {
      g_autofree char *quoted = g_shell_quote (argv->pdata[i]);
      g_string_append_printf (command, "%s ", quoted);
    }
  return communicate (launcher,
                      (const char *const[]){ "script", "-qec", command->str, "/dev/null", NULL },
                      tty_input, out);
}

static void
test_podman (Fixture *fixture, gconstpointer data)
{
  g_autofree char *podman_path = g_find_program_in_path ("podman");
  const char *rootfs = test_get_busybox_rootfs ();
  g_autofree char *out = NULL;

  if (podman_path == NULL || g_find_program_in_path ("conmon") == NULL)
    {
      g_test_skip ("podman and conmon are not installed (scripts/setup.sh installs them)");
      return;
    }

  g_assert_cmpint (podman (fixture, NULL, &out, "run", "--rm", "--network", "none", "--rootfs",
                           rootfs, "sh", "-c", "echo hello from podman; exit 3", NULL), ==, 3);
  g_assert_nonnull (strstr (out, "hello from podman"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (podman (fixture, NULL, NULL, "run", "-d", "--name", "svc", "--network", "none",
                           "--rootfs", rootfs, "sh", "-c",
                           "trap 'exit 0' TERM; while :; do sleep 0.1; done", NULL), ==, 0);
  g_assert_cmpint (podman (fixture, NULL, &out, "exec", "svc", "sh", "-c", "echo exec-$((6*7))",
                           NULL), ==, 0);
  g_assert_nonnull (strstr (out, "exec-42"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (podman (fixture, NULL, NULL, "exec", "svc", "sh", "-c", "exit 5", NULL), ==, 5);
  g_assert_cmpint (podman (fixture, NULL, NULL, "pause", "svc", NULL), ==, 0);
  g_assert_cmpint (podman (fixture, NULL, &out, "inspect", "--format", "{{.State.Status}}", "svc",
                           NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "paused");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (podman (fixture, NULL, NULL, "unpause", "svc", NULL), ==, 0);
  /* stop: SIGTERM, which the trap turns into exit 0. */
  g_assert_cmpint (podman (fixture, NULL, NULL, "stop", "-t", "20", "svc", NULL), ==, 0);
  g_assert_cmpint (podman (fixture, NULL, &out, "inspect", "--format", "{{.State.ExitCode}}",
                           "svc", NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "0");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (podman (fixture, NULL, NULL, "rm", "svc", NULL), ==, 0);

  g_assert_cmpint (podman (fixture, NULL, NULL, "run", "-d", "--name", "victim", "--network",
                           "none", "--rootfs", rootfs, "sleep", "1000", NULL), ==, 0);
  g_assert_cmpint (podman (fixture, NULL, NULL, "kill", "victim", NULL), ==, 0);
  g_assert_cmpint (podman (fixture, NULL, &out, "wait", "victim", NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "137");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (podman (fixture, NULL, NULL, "rm", "victim", NULL), ==, 0);

  /* -it: the console travels over conmon's console socket. */
  g_assert_cmpint (podman (fixture, "test -t 0 && echo tty-yes; tty; exit 6\n", &out, "run", "-it",
                           "--rm", "--network", "none", "--rootfs", rootfs, "sh", NULL), ==, 6);
  g_assert_nonnull (strstr (out, "tty-yes"));
  /* The pty is the container's own: its name resolves inside. */
  g_assert_nonnull (strstr (out, "/dev/pts/0"));
}

/* containerd's ctr, its runc shim pointed at hcsctl (--runc-binary, the
 * shim's BinaryName), a containerd of the test's own, offline: a root
 * folder instead of an image. */
static int
ctr (Fixture *fixture, char **out, ...)
{
  g_autofree char *address = g_build_filename (fixture->temp_dir, "containerd", "sock", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, "ctr");
  g_ptr_array_add (argv, "--address");
  g_ptr_array_add (argv, address);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return communicate (launcher, (const char *const *) argv->pdata, NULL, out);
}

static void
test_containerd (Fixture *fixture, gconstpointer data)
{
  g_autofree char *daemon = g_find_program_in_path ("containerd");
  g_autofree char *client = g_find_program_in_path ("ctr");
  g_autofree char *folder = g_build_filename (fixture->temp_dir, "containerd", NULL);
  g_autofree char *config = g_build_filename (folder, "config.toml", NULL);
  g_autofree char *address = g_build_filename (folder, "sock", NULL);
  g_autofree char *wrapper = NULL, *out = NULL, *config_text = NULL;
  g_autofree char *fifos = g_build_filename (folder, "fifo", NULL);
  g_autofree char *runc_root = g_build_filename (folder, "runc", NULL);
  /* containerd 1.6 puts its shims' sockets in /run/containerd/s whatever
   * its configuration says: made by this test, they go with it. */
  gboolean had_run_folder = g_file_test ("/run/containerd", G_FILE_TEST_EXISTS);
  g_autoptr (GSubprocess) containerd = NULL;
  g_autoptr (GError) error = NULL;
  const char *rootfs = test_get_busybox_rootfs ();

  if (daemon == NULL || client == NULL || g_find_program_in_path ("containerd-shim-runc-v2") == NULL)
    {
      g_test_skip ("containerd is not installed (scripts/setup.sh installs it)");
      return;
    }
  wrapper = runtime_wrapper (fixture);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  config_text = g_strdup_printf ("version = 2\nroot = \"%s/root\"\nstate = \"%s/state\"\n"
                                 "[grpc]\n  address = \"%s\"\n"
                                 "[plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_cgroup = true\n",
                                 folder, folder, address);
  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));
  containerd = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                 &error, daemon, "--config", config, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 200 && !g_file_test (address, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  g_assert_true (g_file_test (address, G_FILE_TEST_EXISTS));

  g_assert_cmpint (ctr (fixture, &out, "run", "--rm", "--fifo-dir", fifos, "--runc-root", runc_root,
                        "--runc-binary", wrapper, "--rootfs", rootfs,
                        "once", "sh", "-c", "echo hello from ctr; exit 3", NULL), ==, 3);
  g_assert_nonnull (strstr (out, "hello from ctr"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ctr (fixture, NULL, "run", "-d", "--fifo-dir", fifos, "--runc-root", runc_root,
                        "--runc-binary", wrapper, "--rootfs", rootfs,
                        "svc", "sleep", "1000", NULL), ==, 0);
  g_assert_cmpint (ctr (fixture, &out, "task", "exec", "--fifo-dir", fifos, "--exec-id", "e1", "svc",
                        "sh", "-c",
                        "echo exec-$((6*7)); exit 4", NULL), ==, 4);
  g_assert_nonnull (strstr (out, "exec-42"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctr (fixture, NULL, "task", "pause", "svc", NULL), ==, 0);
  g_assert_cmpint (ctr (fixture, &out, "task", "ls", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "PAUSED"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctr (fixture, NULL, "task", "resume", "svc", NULL), ==, 0);
  g_assert_cmpint (ctr (fixture, NULL, "task", "kill", "-s", "KILL", "svc", NULL), ==, 0);
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *tasks = NULL;
      ctr (fixture, &tasks, "task", "ls", NULL);
      if (strstr (tasks, "STOPPED") != NULL)
        break;
      g_usleep (50000);
    }
  g_assert_cmpint (ctr (fixture, NULL, "task", "delete", "svc", NULL), ==, 0);
  g_assert_cmpint (ctr (fixture, NULL, "container", "delete", "svc", NULL), ==, 0);

  g_subprocess_send_signal (containerd, SIGTERM);
  g_subprocess_wait (containerd, NULL, NULL);
  if (!had_run_folder)
    {
      g_assert_cmpint (g_rmdir ("/run/containerd/s"), ==, 0);
      g_assert_cmpint (g_rmdir ("/run/containerd"), ==, 0);
    }
}

/* hcsctl's front (tools/hcsctl-front.c) serves start, state and kill from
 * the start gate with GLib alone: each is held to what the full path
 * (HCSCTL_FRONT=0) does, byte for byte where it prints, and whatever the
 * front cannot trust goes the full path. */
static const char *const full_path_env[] = { "HCSCTL_FRONT", "0", NULL };
static const char *const front_maps_env[] = { "LD_DEBUG", "files", NULL };
static const char *const full_maps_env[] = { "LD_DEBUG", "files", "HCSCTL_FRONT", "0", NULL };

/* Whether a command run with LD_DEBUG=files, which printed @err, loaded
 * GIO, that is, went the full path: ld.so names every library it loads on
 * stderr. The front is static, so ld.so says nothing of it; the full path
 * (hcsctl-full, exec'd) is dynamic and names GLib and GIO. */
static gboolean
maps_gio (const char *err)
{
  gboolean gio = strstr (err, "libgio-2.0.so") != NULL;

  g_assert_true (gio == (strstr (err, "libglib-2.0.so") != NULL));
  return gio;
}

/* Whether `hcsctl state ID` (with @env) loaded GIO. */
static gboolean
state_maps_gio (Fixture *fixture, const char *id, const char *const *env)
{
  g_autofree char *err = NULL;

  program_env = env;
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "state", id), ==, 0);
  program_env = NULL;
  return maps_gio (err);
}

/* The state as the front prints it equals the full path's. */
static void
assert_state_as_full (Fixture *fixture, const char *id, const char *status)
{
  g_autofree char *front = NULL, *full = NULL;
  g_autoptr (JsonObject) state = NULL;

  g_assert_cmpint (hcsctl (fixture, &front, NULL, "state", id), ==, 0);
  program_env = full_path_env;
  g_assert_cmpint (hcsctl (fixture, &full, NULL, "state", id), ==, 0);
  program_env = NULL;
  g_assert_cmpstr (front, ==, full);
  state = parse_object (front);
  g_assert_cmpstr (json_object_get_string_member (state, "status"), ==, status);
}

static char *
gate_path (Fixture *fixture, const char *id, const char *record)
{
  return g_build_filename (fixture->root, "systems", id, record, NULL);
}

static void
test_front (Fixture *fixture, gconstpointer data)
{
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *err = NULL, *pid_text = NULL, *gate = NULL, *saved_gate = NULL;
  g_autofree char *gate_file = gate_path (fixture, "front", "gate");
  gint64 pid;
  int wait_status;

  /* Annotations that need escaping, as json-glib escapes them. */
  write_bundle (fixture, "[\"sleep\", \"1000\"]", FALSE);
  {
    g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
    g_autofree char *text = NULL, *changed = NULL;
    g_auto (GStrv) parts = NULL;

    g_assert_true (g_file_get_contents (config_path, &text, NULL, NULL));
    parts = g_strsplit (text, "\"org.example.test\": \"yes\"", 2);
    changed = g_strjoinv ("\"org.example.test\": \"yes\", \"q\": \"a\\\"b\\\\c\\n\u00e9\"",
                          parts);
    g_assert_true (g_file_set_contents (config_path, changed, -1, NULL));
  }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, "front"), ==,
                   0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_true (g_file_test (gate_file, G_FILE_TEST_EXISTS));

  /* The light verbs do not load GIO; the full path does. */
  g_assert_false (state_maps_gio (fixture, "front", front_maps_env));
  g_assert_true (state_maps_gio (fixture, "front", full_maps_env));

  assert_state_as_full (fixture, "front", "created");
  program_env = front_maps_env;
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 0);
  program_env = NULL;
  g_assert_null (strstr (err, "libgio-2.0.so"));
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (gate_path (fixture, "front", "gate-started"), G_FILE_TEST_EXISTS));
  assert_state_as_full (fixture, "front", "running");
  /* A second start is refused, by the front as by the full path. */
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start an already running container"));
  g_clear_pointer (&err, g_free);
  program_env = full_path_env;
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 1);
  program_env = NULL;
  g_assert_nonnull (strstr (err, "cannot start an already running container"));
  g_clear_pointer (&err, g_free);
  /* The front's errors go to --log too, as runc's JSON lines. */
  {
    g_autofree char *log = g_build_filename (fixture->temp_dir, "front-log.json", NULL);
    g_autofree char *log_arg = g_strdup_printf ("--log=%s", log);
    g_autofree char *text = NULL;
    g_autoptr (JsonObject) line = NULL;

    g_assert_cmpint (hcsctl (fixture, NULL, NULL, log_arg, "--log-format=json", "start",
                             "front"), ==, 1);
    g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
    line = parse_object (text);
    g_assert_cmpstr (json_object_get_string_member (line, "level"), ==, "error");
    g_assert_cmpstr (json_object_get_string_member (line, "msg"), ==,
                     "start: cannot start an already running container");
    g_assert_true (json_object_has_member (line, "time"));
    g_unlink (log);
  }
  /* The workload runs: an exec (the full path) finds it running. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "exec", "front", "true"), ==, 0);

  /* Paused is read from the freezer. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "pause", "front"), ==, 0);
  assert_state_as_full (fixture, "front", "paused");
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start a container in the paused state"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "resume", "front"), ==, 0);
  assert_state_as_full (fixture, "front", "running");

  /* kill: a name, a number, the default; one sleep ignores (WINCH). */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "front", "WINCH"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "front", "28"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "front", "SIGWINCH"), ==, 0);
  g_assert_cmpint (kill ((pid_t) pid, 0), ==, 0);

  /* A pid reused by another process: the gate's start time tells them
   * apart, and the impostor is never signalled. */
  {
    g_autoptr (GSubprocess) impostor =
        g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "sleep", "1000", NULL);
    g_autofree char *impostor_pid = g_strdup (g_subprocess_get_identifier (impostor));
    g_autofree char *pid_line = g_strdup_printf ("pid=%" G_GINT64_FORMAT "\n", pid);
    g_autofree char *impostor_line = g_strdup_printf ("pid=%s\n", impostor_pid);
    g_auto (GStrv) parts = NULL;
    g_autofree char *forged = NULL;

    g_assert_true (g_file_get_contents (gate_file, &saved_gate, NULL, NULL));
    parts = g_strsplit (saved_gate, pid_line, 2);
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    forged = g_strjoinv (impostor_line, parts);
    g_assert_true (g_file_set_contents (gate_file, forged, -1, NULL));
    g_assert_cmpint (hcsctl (fixture, NULL, &err, "kill", "front", "TERM"), ==, 1);
    g_assert_nonnull (strstr (err, "container not running"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 1);
    g_assert_nonnull (strstr (err, "cannot start a container that has stopped"));
    g_clear_pointer (&err, g_free);
    /* Still there to be killed by us: it got no SIGTERM. */
    g_subprocess_force_exit (impostor);
    g_assert_true (g_subprocess_wait (impostor, NULL, NULL));
    g_assert_true (g_subprocess_get_if_signaled (impostor));
    g_assert_cmpint (g_subprocess_get_term_sig (impostor), ==, SIGKILL);
    g_assert_true (g_file_set_contents (gate_file, saved_gate, -1, NULL));
  }

  /* A gate missing or corrupt: the full path, with the same result. */
  g_assert_cmpint (g_rename (gate_file, gate_path (fixture, "front", "gate.saved")), ==, 0);
  g_assert_true (state_maps_gio (fixture, "front", front_maps_env));
  g_assert_true (g_file_set_contents (gate_file, "[gate]\nversion=1\npid=banana\n", -1, NULL));
  g_assert_true (state_maps_gio (fixture, "front", front_maps_env));
  g_assert_true (g_file_set_contents (gate_file, "[gate]\nversion=99\npid=1\n", -1, NULL));
  g_assert_true (state_maps_gio (fixture, "front", front_maps_env));
  g_assert_true (g_file_set_contents (gate_file, "\x01\x02 not a key file", -1, NULL));
  assert_state_as_full (fixture, "front", "running");
  g_assert_cmpint (g_rename (gate_path (fixture, "front", "gate.saved"), gate_file), ==, 0);
  g_assert_false (state_maps_gio (fixture, "front", front_maps_env));

  /* The init killed through the front; a dead one is not running. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "front", "KILL"), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (wait_status));
  g_assert_cmpint (WTERMSIG (wait_status), ==, SIGKILL);
  assert_state_as_full (fixture, "front", "stopped");
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "kill", "front"), ==, 1);
  g_assert_nonnull (strstr (err, "container not running"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start a container that has stopped"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "front"), ==, 0);

  /* A created init that died before its start: stopped, start refused. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, "front"), ==,
                   0);
  g_clear_pointer (&pid_text, g_free);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);
  assert_state_as_full (fixture, "front", "stopped");
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 1);
  g_assert_nonnull (strstr (err, "cannot start a container that has stopped"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "front"), ==, 0);

  /* A bundle given poststart hooks after its create: the full path reads
   * them again at start (a hook that fails is a warning it prints). */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, "front"), ==,
                   0);
  g_clear_pointer (&pid_text, g_free);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  {
    g_autofree char *config_path = g_build_filename (fixture->bundle, "config.json", NULL);
    g_autofree char *text = NULL, *hooked = NULL;
    g_auto (GStrv) parts = NULL;

    g_assert_true (g_file_get_contents (config_path, &text, NULL, NULL));
    parts = g_strsplit (text, "\"mounts\"", 2);
    hooked = g_strjoinv ("\"hooks\": {\"poststart\": [{\"path\": \"/bin/false\"}]}, \"mounts\"",
                         parts);
    g_assert_true (g_file_set_contents (config_path, hooked, -1, NULL));
  }
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "start", "front"), ==, 0);
  g_assert_nonnull (strstr (err, "warning: poststart hook /bin/false"));
  g_clear_pointer (&err, g_free);
  assert_state_as_full (fixture, "front", "running");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "front"), ==, 0);
  g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);
  write_bundle (fixture, "[\"sleep\", \"1000\"]", FALSE);

  /* A system held by a monitor answers there: the monitor's view of it
   * must see its start, so the front leaves it to the full path. */
  {
    g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
    g_autofree char *monitored = g_build_filename (fixture->temp_dir, "monitored.ini", NULL);
    char *plain = fixture->options_file;

    g_key_file_set_boolean (options, "host", "monitor", TRUE);
    g_assert_true (g_key_file_save_to_file (options, monitored, NULL));
    fixture->options_file = monitored;
    g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "held"), ==, 0);
    g_assert_true (state_maps_gio (fixture, "held", front_maps_env));
    g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "held"), ==, 0);
    assert_state_as_full (fixture, "held", "running");
    g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "held"), ==, 0);
    fixture->options_file = plain;
  }
}

/* `delete` on the front: from the gate's [remove] record, what the full
 * path's delete undoes is undone, and the front answers as the full path
 * does; what it cannot undo alone (poststop hooks, a monitor, no record)
 * goes the full path. */

/* The cgroups the gate says a delete must remove. */
static char **
gate_cgroups (Fixture *fixture, const char *id)
{
  g_autofree char *path = gate_path (fixture, id, "gate");
  g_autoptr (GKeyFile) gate = g_key_file_new ();
  char **cgroups;

  g_assert_true (g_key_file_load_from_file (gate, path, G_KEY_FILE_NONE, NULL));
  cgroups = g_key_file_get_string_list (gate, "remove", "cgroups", NULL, NULL);
  g_assert_nonnull (cgroups);
  g_assert_nonnull (cgroups[0]);
  for (guint i = 0; cgroups[i] != NULL; i++)
    g_assert_true (g_file_test (cgroups[i], G_FILE_TEST_IS_DIR));
  return cgroups;
}

/* `hcsctl delete [ARG]... ID`, which must (@front) or must not load GIO. */
static int
delete_through (Fixture *fixture, gboolean front, const char *id, const char *arg)
{
  g_autofree char *err = NULL;
  int code;

  program_env = front ? front_maps_env : full_maps_env;
  code = arg ? hcsctl (fixture, NULL, &err, "delete", arg, id)
             : hcsctl (fixture, NULL, &err, "delete", id);
  program_env = NULL;
  if (code != 0)
    g_test_message ("delete: %s", err);
  g_assert_true (maps_gio (err) == !front);
  return code;
}

/* The front and the full path give the same exit code and message. */
static void
assert_delete_as_full (Fixture *fixture, const char *id, const char *arg, int code,
                       const char *message)
{
  g_autofree char *front_err = NULL, *full_err = NULL;

  g_assert_cmpint (arg ? hcsctl (fixture, NULL, &front_err, "delete", arg, id)
                       : hcsctl (fixture, NULL, &front_err, "delete", id), ==, code);
  program_env = full_path_env;
  g_assert_cmpint (arg ? hcsctl (fixture, NULL, &full_err, "delete", arg, id)
                       : hcsctl (fixture, NULL, &full_err, "delete", id), ==, code);
  program_env = NULL;
  g_assert_cmpstr (front_err, ==, full_err);
  if (message != NULL)
    g_assert_nonnull (strstr (front_err, message));
  else
    g_assert_cmpstr (front_err, ==, "");
}

/* Nothing of @id is left: its folder, its cgroups; each of @pids (our
 * children now, as conmon's) died of SIGKILL. */
static void
assert_deleted (Fixture *fixture, const char *id, char **cgroups, const GPid *pids)
{
  g_autofree char *folder = g_build_filename (fixture->root, "systems", id, NULL);

  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  for (guint i = 0; cgroups[i] != NULL; i++)
    g_assert_false (g_file_test (cgroups[i], G_FILE_TEST_EXISTS));
  for (guint i = 0; pids != NULL && pids[i] > 0; i++)
    {
      int wait_status;

      g_assert_cmpint (waitpid (pids[i], &wait_status, 0), ==, pids[i]);
      g_assert_true (WIFSIGNALED (wait_status));
      g_assert_cmpint (WTERMSIG (wait_status), ==, SIGKILL);
    }
}

static GPid
create_for_delete (Fixture *fixture, const char *id, gboolean start)
{
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *pid_text = NULL;

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, id), ==, 0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  g_unlink (pid_file);
  if (start)
    g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", id), ==, 0);
  return (GPid) g_ascii_strtoll (pid_text, NULL, 10);
}

/* A process exec'd into @id, left running (its pid). */
static GPid
exec_detached (Fixture *fixture, const char *id)
{
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "exec-pid", NULL);
  g_autofree char *pid_text = NULL;

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "exec", "-d", "--pid-file", pid_file, id,
                           "sleep", "1000"), ==, 0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  g_unlink (pid_file);
  return (GPid) g_ascii_strtoll (pid_text, NULL, 10);
}

/* The exec'd process, reaped as soon as it dies: the init of its pid
 * namespace finishes exiting only once every process of it is reaped, and
 * we are the subreaper of both (as conmon, which reaps at once). */
static gpointer
reap_thread (gpointer data)
{
  int wait_status = 0;

  g_assert_cmpint (waitpid (GPOINTER_TO_INT (data), &wait_status, 0), ==, GPOINTER_TO_INT (data));
  return GINT_TO_POINTER (wait_status);
}

/* Created, running (with an exec), stopped and paused, through the front. */
static void
delete_each_state (Fixture *fixture, const char *id)
{
  g_auto (GStrv) cgroups = NULL;
  GPid pids[2] = { 0 };

  /* Created: refused without -f, as by the full path; killed with it. */
  pids[0] = create_for_delete (fixture, id, FALSE);
  cgroups = gate_cgroups (fixture, id);
  assert_delete_as_full (fixture, id, NULL, 1, "that is not stopped: created");
  g_assert_cmpint (delete_through (fixture, TRUE, id, "-f"), ==, 0);
  assert_deleted (fixture, id, cgroups, pids);
  g_clear_pointer (&cgroups, g_strfreev);

  /* Running, with an exec'd process in its cgroup: --force takes both. */
  pids[0] = create_for_delete (fixture, id, TRUE);
  {
    GThread *reaper = g_thread_new ("reap", reap_thread, GINT_TO_POINTER (exec_detached (fixture, id)));
    int wait_status;

    cgroups = gate_cgroups (fixture, id);
    assert_delete_as_full (fixture, id, NULL, 1, "that is not stopped: running");
    g_assert_cmpint (delete_through (fixture, TRUE, id, "--force"), ==, 0);
    wait_status = GPOINTER_TO_INT (g_thread_join (reaper));
    g_assert_true (WIFSIGNALED (wait_status));
    g_assert_cmpint (WTERMSIG (wait_status), ==, SIGKILL);
  }
  assert_deleted (fixture, id, cgroups, pids);
  g_clear_pointer (&cgroups, g_strfreev);

  /* Stopped: a plain delete. */
  pids[0] = create_for_delete (fixture, id, TRUE);
  cgroups = gate_cgroups (fixture, id);
  g_assert_cmpint (kill (pids[0], SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pids[0], NULL, 0), ==, pids[0]);
  g_assert_cmpint (delete_through (fixture, TRUE, id, NULL), ==, 0);
  assert_deleted (fixture, id, cgroups, NULL);
  g_clear_pointer (&cgroups, g_strfreev);

  /* Paused: thawed to die (v1), the option after the id. */
  pids[0] = create_for_delete (fixture, id, TRUE);
  cgroups = gate_cgroups (fixture, id);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "pause", id), ==, 0);
  assert_delete_as_full (fixture, id, NULL, 1, "that is not stopped: paused");
  {
    g_autofree char *err = NULL;

    program_env = front_maps_env;
    g_assert_cmpint (hcsctl (fixture, NULL, &err, "delete", id, "-f"), ==, 0);
    program_env = NULL;
    g_assert_null (strstr (err, "libgio-2.0.so"));
  }
  assert_deleted (fixture, id, cgroups, pids);
}

static void
test_front_delete (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hook_dir = g_build_filename (fixture->temp_dir, "hooks", NULL);
  g_autofree char *gate_file = gate_path (fixture, "gone", "gate");
  g_auto (GStrv) cgroups = NULL;
  GPid pids[2] = { 0 };

  delete_each_state (fixture, "gone");

  /* An id nobody has: the same answers (the front leaves it to the full
   * path, which asks every plugin). */
  assert_delete_as_full (fixture, "nosuch", NULL, 1, "container \"nosuch\" does not exist");
  assert_delete_as_full (fixture, "nosuch", "-f", 0, NULL);
  assert_delete_as_full (fixture, "bad/id", "-f", 1, "bad/id");

  /* HCSCTL_FRONT=0: the full path, which removes as much. */
  pids[0] = create_for_delete (fixture, "gone", TRUE);
  cgroups = gate_cgroups (fixture, "gone");
  g_assert_cmpint (delete_through (fixture, FALSE, "gone", "-f"), ==, 0);
  assert_deleted (fixture, "gone", cgroups, pids);
  g_clear_pointer (&cgroups, g_strfreev);

  /* A gate without [remove] (or of another version of it): the full path. */
  pids[0] = create_for_delete (fixture, "gone", TRUE);
  cgroups = gate_cgroups (fixture, "gone");
  {
    g_autofree char *text = NULL;
    g_auto (GStrv) parts = NULL;

    g_assert_true (g_file_get_contents (gate_file, &text, NULL, NULL));
    parts = g_strsplit (text, "[remove]\nversion=1", 2);
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    g_free (text);
    text = g_strjoinv ("[remove]\nversion=2", parts);
    g_assert_true (g_file_set_contents (gate_file, text, -1, NULL));
  }
  g_assert_cmpint (delete_through (fixture, FALSE, "gone", "-f"), ==, 0);
  assert_deleted (fixture, "gone", cgroups, pids);
  g_clear_pointer (&cgroups, g_strfreev);

  /* poststop hooks: the full path, which runs them. */
  g_assert_cmpint (g_mkdir (hook_dir, 0700), ==, 0);
  write_hooks_bundle (fixture, hook_dir, NULL);
  pids[0] = create_for_delete (fixture, "gone", TRUE);
  cgroups = gate_cgroups (fixture, "gone");
  g_assert_cmpint (delete_through (fixture, FALSE, "gone", "-f"), ==, 0);
  assert_deleted (fixture, "gone", cgroups, pids);
  g_clear_pointer (&cgroups, g_strfreev);
  g_assert_true (g_file_test (g_build_filename (hook_dir, "poststop.json", NULL),
                              G_FILE_TEST_EXISTS));
  write_bundle (fixture, "[\"sleep\", \"1000\"]", FALSE);

  /* Held by a monitor: the full path, which asks it. */
  {
    g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
    g_autofree char *monitored = g_build_filename (fixture->temp_dir, "monitored.ini", NULL);
    char *plain = fixture->options_file;

    g_key_file_set_boolean (options, "host", "monitor", TRUE);
    g_assert_true (g_key_file_save_to_file (options, monitored, NULL));
    fixture->options_file = monitored;
    g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "held"), ==, 0);
    g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "held"), ==, 0);
    g_assert_cmpint (delete_through (fixture, FALSE, "held", "-f"), ==, 0);
    fixture->options_file = plain;
  }

  /* cgroup v2 (the hybrid's unified hierarchy, or the only one). */
  if (test_find_v2_root () != NULL)
    {
      g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
      g_autofree char *v2 = g_build_filename (fixture->temp_dir, "v2.ini", NULL);
      char *plain = fixture->options_file;

      g_key_file_set_string (options, "argon", "cgroup-version", "2");
      g_key_file_set_string (options, "argon", "cgroup-root", test_find_v2_root ());
      g_assert_true (g_key_file_save_to_file (options, v2, NULL));
      fixture->options_file = v2;
      delete_each_state (fixture, "gone2");
      fixture->options_file = plain;
    }
  else
    g_test_message ("no cgroup2 hierarchy is mounted: v2 not tried");
}

/* --- exec on the front ---------------------------------------------------------------- */

/* Runs `hcsctl ARGS` on the front, then on the full path (HCSCTL_FRONT=0):
 * both end alike and print alike. The front's code; its output in *OUT
 * and *ERR (each a char *, freed by the caller). */
#define hcsctl_as_full(fixture, out, err, ...)                                              \
  ({                                                                                        \
    g_autofree char *full_out_ = NULL, *full_err_ = NULL;                                   \
    int front_code_ = hcsctl (fixture, out, err, __VA_ARGS__), full_code_;                  \
                                                                                            \
    program_env = full_path_env;                                                            \
    full_code_ = hcsctl (fixture, &full_out_, &full_err_, __VA_ARGS__);                     \
    program_env = NULL;                                                                     \
    g_assert_cmpint (front_code_, ==, full_code_);                                          \
    g_assert_cmpstr (*(out), ==, full_out_);                                                \
    g_assert_cmpstr (*(err), ==, full_err_);                                                \
    front_code_;                                                                            \
  })

/* Whether `hcsctl exec ID true` (with @env) loaded GIO: the full path. */
static gboolean
exec_maps_gio (Fixture *fixture, const char *id, const char *const *env)
{
  g_autofree char *err = NULL;

  program_env = env;
  g_assert_cmpint (hcsctl (fixture, NULL, &err, "exec", id, "true"), ==, 0);
  program_env = NULL;
  return maps_gio (err);
}

/* `hcsctl exec ID sh -c 'echo ready; exec sleep 1000'` in the background,
 * with @env, returned once the process is ready. */
static GSubprocess *
start_exec_until_ready (Fixture *fixture, const char *id, const char *const *env)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) subprocess = NULL;
  g_autoptr (GError) error = NULL;
  char line[6] = { 0 };
  gsize got = 0;

  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  subprocess = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HCSCTL"), "--options",
                                            fixture->options_file, "--root", fixture->root,
                                            "exec", id, "sh", "-c",
                                            "echo ready; exec sleep 1000", NULL);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_subprocess_get_stdout_pipe (subprocess), line, 6,
                                          &got, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready\n");
  return g_steal_pointer (&subprocess);
}

static int
exit_code_of (GSubprocess *subprocess)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_subprocess_wait (subprocess, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (subprocess));
  return g_subprocess_get_exit_status (subprocess);
}

/* The front's helper runs from the read-only view of itself, as the full
 * path's (CVE-2019-5736; test-argon checks the full path): stopped while
 * its helper waits for its spec, the front shows the helper's
 * /proc/PID/exe, which no one can reopen for writing. */
static void
assert_front_helper_not_writable (Fixture *fixture, const char *id)
{
  g_autofree char *helper = g_build_filename (fixture->temp_dir, "helper-copy", NULL);
  g_autofree char *helper_bytes = NULL, *children = NULL, *children_path = NULL;
  g_autofree char *exe_link = NULL, *reopen_path = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GSubprocess) front = NULL;
  g_autoptr (GError) error = NULL;
  struct stat exe_stat, helper_stat;
  gsize helper_size = 0;
  int front_pid, exe, written;

  /* A copy of our own: a file other suites execute refuses writers with
   * ETXTBSY before its mount can say EROFS. */
  g_assert_true (g_file_get_contents (g_getenv ("HCS_RUNTIME_HELPER"), &helper_bytes,
                                      &helper_size, &error));
  g_assert_true (g_file_set_contents_full (helper, helper_bytes, helper_size,
                                           G_FILE_SET_CONTENTS_NONE, 0755, &error));
  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "HCS_RUNTIME_HELPER", helper, TRUE);
  g_subprocess_launcher_setenv (launcher, "HCS_FAULT_POINT", "hcsctl-exec-helper:stop", TRUE);
  front = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HCSCTL"), "--options",
                                       fixture->options_file, "--root", fixture->root, "exec",
                                       id, "true", NULL);
  g_assert_no_error (error);
  front_pid = atoi (g_subprocess_get_identifier (front));
  /* Stopped at the fault point: its one child is the helper. */
  children_path = g_strdup_printf ("/proc/%d/task/%d/children", front_pid, front_pid);
  for (;;)
    {
      g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", front_pid);
      g_autofree char *stat_text = NULL;

      g_assert_true (g_file_get_contents (stat_path, &stat_text, NULL, NULL));
      if (strstr (stat_text, ") T ") != NULL)
        break;
      g_usleep (10000);
    }
  g_assert_true (g_file_get_contents (children_path, &children, NULL, NULL));
  g_assert_cmpint (atoi (children), >, 0);
  exe_link = g_strdup_printf ("/proc/%d/exe", atoi (children));
  exe = open (exe_link, O_PATH | O_CLOEXEC);
  g_assert_cmpint (exe, >=, 0);
  g_assert_cmpint (fstat (exe, &exe_stat), ==, 0);
  g_assert_cmpint (stat (helper, &helper_stat), ==, 0);
  g_assert_cmpint (kill (front_pid, SIGCONT), ==, 0);
  g_assert_cmpint (exit_code_of (front), ==, 0);

  reopen_path = g_strdup_printf ("/proc/self/fd/%d", exe);
  written = open (reopen_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (exe_stat.st_ino == helper_stat.st_ino && exe_stat.st_dev == helper_stat.st_dev)
    {
      /* The helper's own file, through its read-only mount. */
      g_assert_cmpint (written, ==, -1);
      g_assert_cmpint (errno, ==, EROFS);
    }
  else
    {
      /* Or a sealed memfd copy (no mount_setattr): it takes no byte. */
      g_assert_cmpint (written, >=, 0);
      g_assert_cmpint (write (written, "x", 1), ==, -1);
      g_assert_cmpint (errno, ==, EPERM);
      close (written);
    }
  close (exe);
}

/* exec served by hcsctl's front (tools/hcsctl-front-exec.c) from the
 * gate's exec template, held to what the full path's exec gives the same
 * process: its exit, output, namespaces, cgroups, capabilities, seccomp,
 * env, cwd and user, its errors, a signal forwarded; in a container on
 * cgroup v1 and, with "v2", on v2. */
static void
test_front_exec (Fixture *fixture, gconstpointer data)
{
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *template_file = gate_path (fixture, "fx", "gate-exec");
  g_autofree char *out = NULL, *err = NULL, *pid_text = NULL, *expected = NULL;
  g_autoptr (GSubprocess) exec = NULL;
  g_autoptr (GString) init_view = g_string_new (NULL);
  const char *namespaces[] = { "cgroup", "ipc", "mnt", "net", "pid", "uts" };
  gint64 pid;

  if (g_str_equal (data, "v2"))
    {
      g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);

      if (test_find_v2_root () == NULL)
        {
          g_test_skip ("no cgroup2 hierarchy is mounted");
          return;
        }
      g_key_file_set_string (options, "argon", "cgroup-version", "2");
      g_key_file_set_string (options, "argon", "cgroup-root", test_find_v2_root ());
      g_assert_true (g_key_file_save_to_file (options, fixture->options_file, NULL));
    }
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, "fx"), ==, 0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_true (g_file_test (template_file, G_FILE_TEST_EXISTS));
  /* Created, not running: the full path's to refuse. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "true"), ==, 255);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "fx"), ==, 0);

  /* Served by the front, without GIO; HCSCTL_FRONT=0 still the full path. */
  g_assert_false (exec_maps_gio (fixture, "fx", front_maps_env));
  g_assert_true (exec_maps_gio (fixture, "fx", full_maps_env));

  /* Exit code, stdout and stderr. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "sh", "-c",
                                   "echo out; echo err >&2; exit 7"), ==, 7);
  g_assert_cmpstr (out, ==, "out\n");
  g_assert_cmpstr (err, ==, "err\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The init's namespaces and cgroups, as the host sees the init's. */
  for (gsize i = 0; i < G_N_ELEMENTS (namespaces); i++)
    {
      g_autofree char *link = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/ns/%s", pid,
                                               namespaces[i]);
      g_autofree char *target = g_file_read_link (link, NULL);

      g_assert_nonnull (target);
      g_string_append_printf (init_view, "%s\n", target);
    }
  {
    g_autofree char *cgroup_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cgroup", pid);
    g_autofree char *cgroups = NULL;

    g_assert_true (g_file_get_contents (cgroup_path, &cgroups, NULL, NULL));
    g_assert_nonnull (strstr (cgroups, "/fx"));
    g_string_append (init_view, cgroups);
  }
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "sh", "-c",
                                   "for n in cgroup ipc mnt net pid uts; do "
                                   "readlink /proc/self/ns/$n; done; cat /proc/self/cgroup"),
                   ==, 0);
  g_assert_cmpstr (out, ==, init_view->str);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Capabilities, no_new_privs and the seccomp filter. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "grep", "-E",
                                   "^(CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):",
                                   "/proc/self/status"), ==, 0);
  /* The bundle's own: no noNewPrivileges is false, and no linux.seccomp
   * no filter, as in runc's exec. */
  g_assert_nonnull (strstr (out, "NoNewPrivs:\t0\n"));
  g_assert_nonnull (strstr (out, "Seccomp:\t0\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --env (the last of a name wins), --cwd and --user as the full path's. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "--env", "B=2", "-e", "A=1",
                                   "--env=A=3", "--cwd", "/proc", "-u", "1000:1001", "fx", "sh",
                                   "-c", "env | sort; pwd; id -u; id -g"), ==, 0);
  g_assert_nonnull (strstr (out, "A=3\nB=2\n"));
  g_assert_nonnull (strstr (out, "/proc\n1000\n1001\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "-e", "PATH=/bin", "--user=0:0",
                                   "--cwd=/", "fx", "sh", "-c", "echo $PATH; pwd; id -u"), ==, 0);
  g_assert_cmpstr (out, ==, "/bin\n/\n0\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A missing binary: the same message and code. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "/no/such"), ==, 127);
  g_assert_nonnull (strstr (err, "/no/such"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A signal to hcsctl goes to the process, whose death by it is the
   * exit code, as the full path's. */
  exec = start_exec_until_ready (fixture, "fx", NULL);
  g_assert_cmpint (kill (atoi (g_subprocess_get_identifier (exec)), SIGTERM), ==, 0);
  g_assert_cmpint (exit_code_of (exec), ==, 128 + SIGTERM);
  g_clear_object (&exec);
  exec = start_exec_until_ready (fixture, "fx", full_path_env);
  g_assert_cmpint (kill (atoi (g_subprocess_get_identifier (exec)), SIGTERM), ==, 0);
  g_assert_cmpint (exit_code_of (exec), ==, 128 + SIGTERM);
  g_clear_object (&exec);

  /* The helper from its read-only view. */
  assert_front_helper_not_writable (fixture, "fx");

  /* A template missing or corrupt: the full path, with the same result. */
  g_assert_cmpint (g_rename (template_file, gate_path (fixture, "fx", "saved")), ==, 0);
  g_assert_true (exec_maps_gio (fixture, "fx", front_maps_env));
  g_assert_true (g_file_set_contents (template_file, "\x01\x02 not a template", -1, NULL));
  g_assert_true (exec_maps_gio (fixture, "fx", front_maps_env));
  g_assert_cmpint (g_rename (gate_path (fixture, "fx", "saved"), template_file), ==, 0);
  g_assert_false (exec_maps_gio (fixture, "fx", front_maps_env));

  /* Paused: the full path's refusal. */
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "pause", "fx"), ==, 0);
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "true"), ==, 255);
  g_assert_nonnull (strstr (err, "cannot exec in a paused container"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "resume", "fx"), ==, 0);

  /* No record is needed: ps and kill --all find the process in the
   * container's cgroup, as they find the full path's. */
  exec = start_exec_until_ready (fixture, "fx", NULL);
  g_assert_cmpint (hcsctl (fixture, &out, NULL, "ps", "--format", "json", "fx"), ==, 0);
  g_assert_nonnull (strstr (out, ","));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "kill", "--all", "fx", "KILL"), ==, 0);
  g_assert_cmpint (exit_code_of (exec), ==, 128 + SIGKILL);
  g_clear_object (&exec);
  g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);

  /* Stopped: the full path's error. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "fx", "true"), ==, 255);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "fx"), ==, 0);
}

/* What an exec'd process shows of its process settings. */
#define SHOW_PROCESS                                                                        \
  "env | sort; id -u; id -g; id -G; pwd; echo umask $(umask); "                            \
  "cat /proc/self/oom_score_adj; "                                                          \
  "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status; "         \
  "grep 'open files' /proc/self/limits"

/* @shown without what runc 1.1's exec does not take from the process:
 * its umask (applied to the init alone) and RLIMIT_NOFILE's soft limit
 * (Go 1.19 raises it to the hard one in runc itself, and its exec keeps
 * that). HOME, which both add from the container's /etc/passwd when the
 * env has none, is compared. With @cap_sets, the sets but the bounding one too: hcs's --cap adds to
 * all five, so that a user other than root keeps it, where runc's adds to
 * bounding, effective and permitted (and ambient, which the kernel then
 * refuses without inheritable), which such a user loses at execve. */
static char *
without_runc_quirks (const char *shown, gboolean cap_sets)
{
  g_auto (GStrv) lines = g_strsplit (shown, "\n", -1);
  GString *kept = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], "umask ") &&
        !g_str_has_prefix (lines[i], "Max open files") &&
        !(cap_sets && (g_str_has_prefix (lines[i], "CapInh:") ||
                       g_str_has_prefix (lines[i], "CapPrm:") ||
                       g_str_has_prefix (lines[i], "CapEff:") ||
                       g_str_has_prefix (lines[i], "CapAmb:"))))
      g_string_append_printf (kept, "%s\n", lines[i]);
  return g_string_free (kept, FALSE);
}

/* runc's exec of the same bundle shows what hcsctl's showed (@ours),
 * without options or with those of @which ("env": --env, --user, --cwd;
 * "cap": --cap, --additional-gids), when runc runs containers here
 * (runc 1.1 refuses -e and --env together: the long forms alone). */
static void
assert_exec_as_runc (Fixture *fixture, const char *ours, const char *which)
{
  g_autofree char *runc = g_find_program_in_path ("runc");
  g_autofree char *id = g_strdup_printf ("xd-runc-%d", (int) getpid ());
  g_autofree char *out = NULL, *err = NULL, *ours_kept = NULL, *theirs_kept = NULL;

  if (runc == NULL)
    {
      g_test_message ("runc is not installed: no comparison");
      return;
    }
  if (run_program (fixture, TRUE, NULL, &err, "create", id, NULL) != 0)
    {
      g_test_message ("runc create failed: %s: no comparison", err);
      return;
    }
  g_assert_cmpint (run_program (fixture, TRUE, NULL, NULL, "start", id, NULL), ==, 0);
  if (which == NULL)
    g_assert_cmpint (run_program (fixture, TRUE, &out, NULL, "exec", id, "sh", "-c",
                                  SHOW_PROCESS, NULL), ==, 0);
  else if (g_str_equal (which, "env"))
    g_assert_cmpint (run_program (fixture, TRUE, &out, NULL, "exec", "--env", "FOO=baz",
                                  "--env", "NEW=1", "--env", "NEW=2", "--user", "2000", "--cwd",
                                  "/", id, "sh", "-c", SHOW_PROCESS, NULL), ==, 0);
  else
    g_assert_cmpint (run_program (fixture, TRUE, &out, NULL, "exec", "--cap", "CAP_CHOWN",
                                  "--additional-gids", "30", "--additional-gids", "40", id, "sh", "-c",
                                  SHOW_PROCESS, NULL), ==, 0);
  g_assert_cmpint (run_program (fixture, TRUE, NULL, NULL, "delete", "--force", id, NULL), ==, 0);
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
  ours_kept = without_runc_quirks (ours, g_strcmp0 (which, "cap") == 0);
  theirs_kept = without_runc_quirks (out, g_strcmp0 (which, "cap") == 0);
  g_assert_cmpstr (ours_kept, ==, theirs_kept);
}

/* exec without --process starts from the bundle's process as create saw
 * it (runc's getProcess), on hcsctl's front and on the full path alike,
 * byte for byte; its options go over it as runc's do; a config.json
 * changed after the create changes nothing. */
static void
test_exec_defaults (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *defaults_out = NULL;
  g_autofree char *pid_file = g_build_filename (fixture->temp_dir, "pid", NULL);
  g_autofree char *pid_text = NULL;

  write_exec_defaults_bundle (fixture, "bar");
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "create", "--pid-file", pid_file, "xd"), ==, 0);
  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "start", "xd"), ==, 0);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));

  /* The bundle's env (TERM, FOO, its PATH), user, groups, umask, cwd,
   * oomScoreAdj, capabilities, noNewPrivileges and rlimits. */
  g_assert_false (exec_maps_gio (fixture, "xd", front_maps_env));
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "xd", "sh", "-c", SHOW_PROCESS),
                   ==, 0);
  g_test_message ("exec's process: %s", out);
  g_assert_nonnull (strstr (out, "FOO=bar\n"));
  g_assert_nonnull (strstr (out, "PATH=/bin:/usr/bin\n"));
  g_assert_nonnull (strstr (out, "TERM=xterm\n"));
  g_assert_nonnull (strstr (out, "\n1000\n1001\n1001 10 20\n/etc\numask 0027\n321\n"));
  g_assert_nonnull (strstr (out, "CapInh:\t0000000000000420\n"));
  g_assert_nonnull (strstr (out, "CapPrm:\t0000000000000420\n"));
  g_assert_nonnull (strstr (out, "CapEff:\t0000000000000420\n"));
  g_assert_nonnull (strstr (out, "CapBnd:\t0000000000000420\n"));
  g_assert_nonnull (strstr (out, "CapAmb:\t0000000000000420\n"));
  g_assert_nonnull (strstr (out, "NoNewPrivs:\t1\n"));
  g_assert_nonnull (strstr (out, "Max open files            123                  456"));
  /* HOME from the container's /etc/passwd (or "/"), as runc's: compared below. */
  g_assert_nonnull (strstr (out, "\nHOME=/"));
  defaults_out = g_steal_pointer (&out);
  g_clear_pointer (&err, g_free);
  assert_exec_as_runc (fixture, defaults_out, NULL);

  /* --env appended (a later NAME= wins), --user's uid with the bundle's
   * gid, --cwd: as runc's, on both paths. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "--env", "FOO=baz", "--env",
                                   "NEW=1", "--env", "NEW=2", "--user", "2000", "--cwd", "/",
                                   "xd", "sh", "-c", SHOW_PROCESS), ==, 0);
  g_assert_nonnull (strstr (out, "FOO=baz\n"));
  g_assert_nonnull (strstr (out, "NEW=2\n"));
  g_assert_null (strstr (out, "NEW=1\n"));
  g_assert_nonnull (strstr (out, "TERM=xterm\n"));
  g_assert_nonnull (strstr (out, "PATH=/bin:/usr/bin\n"));
  g_assert_nonnull (strstr (out, "\n2000\n1001\n1001 10 20\n/\numask 0027\n321\n"));
  g_assert_nonnull (strstr (out, "CapEff:\t0000000000000420\n"));
  assert_exec_as_runc (fixture, out, "env");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "-u", "2000:3000", "xd", "sh",
                                   "-c", "id -u; id -g"), ==, 0);
  g_assert_cmpstr (out, ==, "2000\n3000\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --cap added to every set, --additional-gids after the bundle's,
   * --no-new-privs: the full path's options, the same either way. */
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "--cap", "CAP_CHOWN",
                                   "--additional-gids", "30", "--additional-gids", "40", "xd", "sh", "-c",
                                   SHOW_PROCESS), ==, 0);
  g_assert_nonnull (strstr (out, "\n1000\n1001\n1001 10 20 30 40\n/etc\n"));
  g_assert_nonnull (strstr (out, "CapEff:\t0000000000000421\n"));
  g_assert_nonnull (strstr (out, "CapBnd:\t0000000000000421\n"));
  g_assert_nonnull (strstr (out, "CapAmb:\t0000000000000421\n"));
  assert_exec_as_runc (fixture, out, "cap");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* config.json changed since the create: what exec inherits does not. */
  write_exec_defaults_bundle (fixture, "changed");
  g_assert_cmpint (hcsctl_as_full (fixture, &out, &err, "exec", "xd", "sh", "-c", SHOW_PROCESS),
                   ==, 0);
  g_assert_cmpstr (out, ==, defaults_out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (hcsctl (fixture, NULL, NULL, "delete", "--force", "xd"), ==, 0);
  {
    gint64 pid = g_ascii_strtoll (pid_text, NULL, 10);

    g_assert_cmpint (waitpid ((pid_t) pid, NULL, 0), ==, pid);
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("containers need root");
      return 0;
    }
  /* As conmon: the inits that hcsctl leaves behind become our children. */
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), ==, 0);
#define ADD(path, func) \
  g_test_add ("/oci/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("lifecycle", test_lifecycle);
  ADD ("lifecycle-rules", test_lifecycle_rules);
  ADD ("hooks", test_hooks);
  ADD ("hook-failures", test_hook_failures);
  ADD ("hooks-looked-for", test_hooks_looked_for);
  ADD ("namespaces", test_namespaces);
  ADD ("namespace-mount-joined", test_namespace_mount_joined);
  ADD ("namespace-mount-host", test_namespace_mount_host);
  ADD ("resources", test_resources);
  ADD ("runc-command-line", test_runc_command_line);
  ADD ("events-oom", test_events_oom);
  ADD ("devices", test_devices);
  ADD ("seccomp", test_seccomp);
  ADD ("errors", test_errors);
  ADD ("front", test_front);
  ADD ("front-delete", test_front_delete);
  ADD ("exec-defaults", test_exec_defaults);
  ADD ("delete-sub-cgroups", test_delete_sub_cgroups);
#undef ADD
#define ADD(path, func, data) \
  g_test_add ("/oci/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("front-exec", test_front_exec, "v1");
  ADD ("front-exec-v2", test_front_exec, "v2");
#undef ADD
#define ADD(path, func) \
  g_test_add ("/oci/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("console-socket", test_console_socket);
  ADD ("run", test_run);
  ADD ("compare-with-runc", test_compare_with_runc);
  ADD ("podman", test_podman);
  ADD ("containerd", test_containerd);
#undef ADD
  result = g_test_run ();
  test_cleanup_cgroup_parent ();
  return result;
}
