/* hcsctl-oci.c: runc's command line, so that callers built for runc
 * (conmon and podman, containerd's runc shim) drive hcs unchanged.
 *
 * `create` leaves the container's init to the caller, as runc does: it
 * becomes our child (CLONE_PARENT in the helper) and so, once we exit, the
 * child of the caller's subreaper, which reaps it and reads its exit code.
 * `start` releases it through the exec fifo of its state folder. The other
 * verbs open the system from its state folder, in any process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcsctl-private.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#define OCI_VERSION "1.0.2"

/* --- shared ---------------------------------------------------------------------- */

/* runc's verbs, their help in runc's words where they mean the same. */
static const HcsctlHelp oci_help[] = {
  { "create", "<container-id>", "create a container",
    "The create command creates an instance of a container for a bundle. The\n"
    "bundle is a directory with a specification file named \"config.json\" and a\n"
    "root file system. The container's init waits until \"hcsctl start\" starts\n"
    "its process. The isolation (process, hyperv, lcow) comes from the runtime\n"
    "options (hcs-options(5)) or the annotation io.hcs.isolation (process, lcow,\n"
    "hyperv). Under lcow the utility VM is held by hcs-lcow-uvm so that the\n"
    "other verbs reach it; the bundle's root stays on the host (refused) unless\n"
    "io.hcs.lcow.rootfs is \"guest\": the guest's own image. Under hyperv a\n"
    "per-system monitor (hcs-monitor) holds the container's VM." },
  { "run", "<container-id>", "create and run a container",
    "The run command creates an instance of a container for a bundle and starts\n"
    "it. Without --detach, hcsctl stays its parent, wires its stdio to its own,\n"
    "exits with its exit code and deletes it (unless --keep).\n\n"
    "This is runc's form of run; \"hcsctl run [OPTION…] -- COMMAND\" is hcs's own\n"
    "(see hcsctl(1))." },
  { "start", "<container-id>", "executes the user defined process in a created container",
    "The start command executes the user defined process in a created container." },
  { "state", "<container-id>", "output the state of a container",
    "The state command outputs current state information for the instance of a\n"
    "container (the OCI state JSON)." },
  { "list", "", "lists containers started by hcsctl with the given root",
    "The list command lists containers of the state folder (--root or [host]\n"
    "state-dir of the runtime options)." },
  { "ps", "<container-id> [ps options]", "ps displays the processes running inside a container",
    NULL },
  { "kill", "<container-id> [signal]",
    "kill sends the specified signal (default: SIGTERM) to the container's init process",
    "The signal is a name (KILL, SIGKILL) or a number." },
  { "delete", "<container-id>", "delete any resources held by the container",
    "The delete command removes a stopped container: its processes, cgroups,\n"
    "mounts, network namespace and state. With --force a running one is killed\n"
    "first." },
  { "pause", "<container-id>", "pause suspends all processes inside the container",
    "The pause command suspends all processes in the instance of the container\n"
    "(the cgroup freezer; a VM's vCPUs for hyperv and lcow)." },
  { "resume", "<container-id>", "resumes all processes that have been previously paused",
    NULL },
  { "exec", "<container-id> <command> [command options]",
    "execute new process inside the container",
    "The exec command runs a new process inside a running container. Its exit\n"
    "code is the process's; 255 when hcsctl itself fails." },
  { "update", "<container-id>", "update container resource constraints", NULL },
  { "events", "<container-id>", "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    NULL },
  { "spec", "", "create a new specification file",
    "The spec command creates the new specification file named \"config.json\" for\n"
    "the bundle, with the built-in default image's conventions." },
  { "features", "", "show the enabled features",
    "The features command shows what this runtime supports (JSON), as runc's." },
};

const HcsctlHelp *
hcsctl_oci_help (const char *verb)
{
  for (gsize i = 0; i < G_N_ELEMENTS (oci_help); i++)
    if (g_str_equal (oci_help[i].name, verb))
      return &oci_help[i];
  g_return_val_if_reached (NULL);
}

static gboolean
parse_args (const char *verb, const char *parameters, GOptionEntry *entries, int *argc,
            char ***argv, GStrv *rest, guint min_rest, guint max_rest)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameters);
  g_autoptr (GError) error = NULL;
  guint n;

  if (hcsctl_wants_help (*argc, *argv, entries))
    {
      /* As GLib's own --help does: nothing is made yet, so exit here. */
      hcsctl_print_help (hcsctl_oci_help (verb), entries);
      exit (0);
    }
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      hcsctl_log_error (verb, error->message);
      return FALSE;
    }
  n = *rest ? g_strv_length (*rest) : 0;
  if (n > 0 && g_str_equal ((*rest)[0], "--"))
    {
      GStrv shifted = g_strdupv (*rest + 1);
      g_strfreev (*rest);
      *rest = shifted;
      n--;
    }
  if (n < min_rest || n > max_rest)
    {
      g_autofree char *message =
          g_strdup_printf ("expected %s (see hcsctl %s --help)", parameters, verb);
      hcsctl_log_error (verb, message);
      return FALSE;
    }
  return TRUE;
}

/* oci.json, a record in the system's folder (hcs-state) beside the
 * driver's: what runc's state output needs and the system itself does not
 * know (bundle, rootfs, annotations). */
static gboolean
save_oci_info (HcsHost *host, const char *id, const char *bundle, const char *rootfs,
               JsonNode *annotations, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (HcsStateFolder) folder = hcs_state_open (hcs_host_get_state (host), id, error);
  g_autofree char *text = NULL;

  if (folder == NULL)
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bundle");
  json_builder_add_string_value (builder, bundle);
  json_builder_set_member_name (builder, "rootfs");
  json_builder_add_string_value (builder, rootfs ? rootfs : "");
  if (annotations != NULL)
    {
      json_builder_set_member_name (builder, "annotations");
      json_builder_add_value (builder, json_node_copy (annotations));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return hcs_state_folder_write (folder, "oci.json", text, -1, error);
}

static JsonObject *
load_oci_info (HcsHost *host, const char *id)
{
  g_autoptr (HcsStateFolder) folder = hcs_state_open (hcs_host_get_state (host), id, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize length;
  JsonNode *root;

  if (folder == NULL || (text = hcs_state_folder_read (folder, "oci.json", &length, NULL)) == NULL ||
      !json_parser_load_from_data (parser, text, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return json_object_new ();
  return json_object_ref (json_node_get_object (root));
}

static const char *
oci_status (const HcsContainerProperties *props)
{
  if (props->stopped)
    return "stopped";
  if (g_strcmp0 (props->state, "Created") == 0)
    return "created";
  if (g_strcmp0 (props->state, "Paused") == 0)
    return "paused";
  return "running";
}

static char *
format_time (gint64 unix_us)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%06dZ", seconds, (int) (unix_us % G_USEC_PER_SEC));
}

/* runc's state JSON (runtime-spec "state" plus rootfs, created, owner). */
static JsonNode *
state_node (HcsHost *host, const HcsContainerProperties *props)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonObject) info = load_oci_info (host, props->id);
  g_autofree char *created = format_time (props->created);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ociVersion");
  json_builder_add_string_value (builder, OCI_VERSION);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, props->id);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, props->stopped ? 0 : props->init_process_id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, oci_status (props));
  json_builder_set_member_name (builder, "bundle");
  json_builder_add_string_value (builder,
                                 json_object_get_string_member_with_default (info, "bundle", ""));
  json_builder_set_member_name (builder, "rootfs");
  json_builder_add_string_value (builder,
                                 json_object_get_string_member_with_default (info, "rootfs", ""));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  if (json_object_has_member (info, "annotations"))
    {
      json_builder_set_member_name (builder, "annotations");
      json_builder_add_value (builder, json_node_copy (json_object_get_member (info, "annotations")));
    }
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_json (JsonNode *node, gboolean pretty)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static gboolean
write_pid_file (const char *path, int pid, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", pid);

  /* runc writes it whole or not at all, with no newline. */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* "KILL", "SIGKILL", "kill", "9" */
static int
parse_signal (const char *text)
{
  static const struct {
    const char *name;
    int number;
  } signals[] = {
    { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ILL", SIGILL },
    { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS },   { "FPE", SIGFPE },
    { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
    { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
    { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG },   { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
    { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
    { "PWR", SIGPWR },   { "SYS", SIGSYS },
  };
  g_autofree char *upper = g_ascii_strup (text, -1);
  const char *name = upper;
  char *end;
  guint64 number;

  number = g_ascii_strtoull (text, &end, 10);
  if (*text != '\0' && *end == '\0')
    return number >= 1 && number <= 64 ? (int) number : -1;
  if (g_str_has_prefix (name, "SIG"))
    name += 3;
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    if (g_str_equal (name, signals[i].name))
      return signals[i].number;
  return -1;
}

/* --- poststart and poststop hooks --------------------------------------------------- */

/* Waits for @pid at most @timeout seconds (0: no limit), killing it then.
 * Returns its wait status, or -1 when it timed out. */
static int
wait_hook (GPid pid, gint64 timeout)
{
  int pidfd = timeout > 0 ? (int) syscall (SYS_pidfd_open, pid, 0) : -1;
  gint64 deadline = g_get_monotonic_time () + timeout * G_USEC_PER_SEC;
  gboolean timed_out = FALSE;
  int status;

  while (pidfd >= 0)
    {
      struct pollfd poll_fd = { .fd = pidfd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      int ready = left_ms > 0 ? poll (&poll_fd, 1, (int) MIN (left_ms, G_MAXINT)) : 0;

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0)
        {
          timed_out = TRUE;
          kill (pid, SIGKILL);
        }
      break;
    }
  if (pidfd >= 0)
    close (pidfd);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return timed_out ? -1 : status;
}

/* Runs one hook with @state on stdin; FALSE with @error saying why. */
static gboolean
run_one_hook (const char *kind_name, const HcsOciHook *hook, const char *state, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *const no_env[] = { NULL };
  void (*old_sigpipe) (int);
  int stdin_fd = -1, status;
  GPid pid;
  gsize left = strlen (state);

  /* argv[0] of the hook may differ from its path: the runtime spec's args. */
  g_ptr_array_add (argv, hook->path);
  if (hook->args != NULL && hook->args[0] != NULL)
    for (guint i = 0; hook->args[i]; i++)
      g_ptr_array_add (argv, hook->args[i]);
  else
    g_ptr_array_add (argv, hook->path);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) argv->pdata,
                                         hook->env ? (const char *const *) hook->env : no_env,
                                         G_SPAWN_FILE_AND_ARGV_ZERO | G_SPAWN_DO_NOT_REAP_CHILD,
                                         NULL, NULL, -1, STDERR_FILENO, STDERR_FILENO, NULL,
                                         NULL, 0, &pid, &stdin_fd, NULL, NULL, error))
    {
      g_prefix_error (error, "%s hook %s: ", kind_name, hook->path);
      return FALSE;
    }
  /* A hook that does not read its state must not kill us with SIGPIPE. */
  old_sigpipe = signal (SIGPIPE, SIG_IGN);
  while (left > 0)
    {
      gssize n = write (stdin_fd, state, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      state += n;
      left -= n;
    }
  close (stdin_fd);
  signal (SIGPIPE, old_sigpipe);
  status = wait_hook (pid, hook->timeout);
  if (status == -1)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                   "%s hook %s: timed out after %" G_GINT64_FORMAT " s", kind_name, hook->path,
                   hook->timeout);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s hook %s: ", kind_name, hook->path);
      return FALSE;
    }
  return TRUE;
}

/* poststart and poststop, in the runtime's namespaces as the runtime spec
 * says, from the bundle's config.json: the spec makes their failures
 * warnings, so they are printed and the verb goes on. */
static void
run_caller_hooks (const char *verb, HcsOciHookKind kind, const char *bundle, JsonNode *state)
{
  const char *kind_name = hcs_oci_hook_kind_name (kind);
  g_autofree char *config_path = NULL, *text = NULL, *state_text = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *hooks;

  if (bundle == NULL || *bundle == '\0')
    return;
  config_path = g_build_filename (bundle, "config.json", NULL);
  /* No config.json any more: nothing to run (the bundle went first). */
  if (!g_file_get_contents (config_path, &text, NULL, NULL))
    return;
  config = hcs_container_config_from_json (text, bundle, &error);
  if (config == NULL)
    {
      g_printerr ("hcsctl: %s: warning: %s hooks not run: %s\n", verb, kind_name, error->message);
      return;
    }
  hooks = config->oci_hooks[kind];
  if (hooks == NULL || hooks->len == 0)
    return;
  state_text = json_to_string (state, FALSE);
  for (guint i = 0; i < hooks->len; i++)
    if (!run_one_hook (kind_name, hooks->pdata[i], state_text, &error))
      {
        g_printerr ("hcsctl: %s: warning: %s\n", verb, error->message);
        g_clear_error (&error);
      }
}

static HcsContainer *
open_container (HcsctlGlobals *globals, const char *verb, const char *id, HcsHost **host_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcsctl_open_host (globals, &error);
  HcsContainer *container;

  if (host == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  container = hcs_host_open_container (host, id, &error);
  if (container == NULL)
    {
      if (hcs_error_is_not_exist (error))
        {
          /* runc's wording, which its callers match. */
          g_autofree char *message = g_strdup_printf ("container \"%s\" does not exist", id);
          hcsctl_log_error (verb, message);
        }
      else
        hcsctl_log_error (verb, error->message);
      return NULL;
    }
  if (host_out != NULL)
    *host_out = g_steal_pointer (&host);
  return container;
}

/* `VERB CONTAINER-ID`, the container opened (errors already logged). */
static HcsContainer *
open_from_arguments (HcsctlGlobals *globals, int argc, char **argv, const char *verb,
                     HcsHost **host_out)
{
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  if (!parse_args (verb, "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return NULL;
  return open_container (globals, verb, rest[0], host_out);
}

/* `VERB CONTAINER-ID` doing @action: start, pause, resume. */
static int
act_on_one (HcsctlGlobals *globals, int argc, char **argv, const char *verb,
            gboolean (*action) (HcsContainer *container, GError **error))
{
  g_autoptr (HcsContainer) container = open_from_arguments (globals, argc, argv, verb, NULL);
  g_autoptr (GError) error = NULL;

  if (container == NULL)
    return 1;
  if (!action (container, &error))
    return hcsctl_log_error (verb, error->message);
  return 0;
}

/* --- create, start, run -------------------------------------------------------------- */

typedef struct {
  char *bundle;
  char *pid_file;
  char *console_socket;
  gboolean no_pivot;
  gboolean no_new_keyring;
  gboolean detach;
  gboolean keep;
  int preserve_fds;
} CreateOptions;

static void
create_options_clear (CreateOptions *options)
{
  g_free (options->bundle);
  g_free (options->pid_file);
  g_free (options->console_socket);
}

/* The isolation a bundle asks for with the annotation io.hcs.isolation, as
 * per-system options (NULL: none asked, the runtime options decide). An
 * lcow system is held by a UVM holder: runc's verbs are separate
 * processes. Its root is the host's, made into an erofs image for the
 * guest; io.hcs.lcow.rootfs=guest runs it on the guest's own image instead. */
static GKeyFile *
isolation_from_annotations (JsonNode *annotations, HcsContainerConfig *config, GError **error)
{
  static const char *const isolations[] = { "process", "lcow", "hyperv", NULL };
  g_autoptr (GKeyFile) system_options = NULL;
  JsonObject *object;
  JsonNode *node;
  const char *isolation, *rootfs = NULL;

  if (annotations == NULL || !JSON_NODE_HOLDS_OBJECT (annotations))
    return NULL;
  object = json_node_get_object (annotations);
  node = json_object_get_member (object, "io.hcs.isolation");
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !g_strv_contains (isolations, (isolation = json_node_get_string (node))))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: annotations: io.hcs.isolation: expected process, lcow or "
                   "hyperv");
      return NULL;
    }
  system_options = g_key_file_new ();
  g_key_file_set_string (system_options, "host", "isolation", isolation);
  if (!g_str_equal (isolation, "lcow"))
    return g_steal_pointer (&system_options);
  g_key_file_set_boolean (system_options, "lcow", "uvm-holder", TRUE);
  node = json_object_get_member (object, "io.hcs.lcow.rootfs");
  if (node != NULL && (!JSON_NODE_HOLDS_VALUE (node) ||
                       json_node_get_value_type (node) != G_TYPE_STRING ||
                       !g_str_equal ((rootfs = json_node_get_string (node)), "guest")))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: annotations: io.hcs.lcow.rootfs: expected \"guest\"");
      return NULL;
    }
  if (rootfs != NULL)
    g_clear_pointer (&config->volume_path, g_free);
  return g_steal_pointer (&system_options);
}

/* Builds the system from BUNDLE/config.json. @detached: runc's model (the
 * init is the caller's); otherwise we stay its parent (run without -d). */
static HcsContainer *
create_from_bundle (HcsctlGlobals *globals, const char *verb, const char *id,
                    CreateOptions *options, gboolean detached, HcsHost **host_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autofree char *bundle = NULL, *config_path = NULL, *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GKeyFile) system_options = NULL;
  JsonNode *annotations = NULL;
  HcsContainer *container;
  int pid;

  bundle = g_canonicalize_filename (options->bundle ? options->bundle : ".", NULL);
  config_path = g_build_filename (bundle, "config.json", NULL);
  if (!g_file_get_contents (config_path, &text, NULL, &error))
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  config = hcs_container_config_from_json (text, bundle, &error);
  if (config == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  if (config->process == NULL)
    {
      hcsctl_log_error (verb, "config.json: process: missing (an OCI container needs one)");
      return NULL;
    }
  if (json_parser_load_from_data (parser, text, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    annotations = json_object_get_member (json_node_get_object (json_parser_get_root (parser)),
                                          "annotations");

  system_options = isolation_from_annotations (annotations, config, &error);
  if (error != NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }

  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  config->process->detach = detached;
  if (config->process->emulate_console)
    {
      if (options->console_socket != NULL)
        config->process->console_socket = g_canonicalize_filename (options->console_socket, NULL);
      else if (detached)
        {
          hcsctl_log_error (verb, "cannot allocate a tty for a detached container without "
                                  "--console-socket");
          return NULL;
        }
    }
  else
    config->process->inherit_stdio = TRUE;

  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  {
    /* A hyperv system's VM lives in the process that made it: runc's verbs
     * are separate processes, so a monitor holds it. */
    g_autofree char *isolation = hcs_options_get_string (hcs_host_get_options (host),
                                                         system_options, "host", "isolation",
                                                         HCS_DEFAULT_ISOLATION);
    if (g_str_equal (isolation, "hyperv"))
      {
        if (system_options == NULL)
          system_options = g_key_file_new ();
        g_key_file_set_boolean (system_options, "host", "monitor", TRUE);
      }
  }
  container = hcs_host_create_container (host, id, config, system_options, &error);
  if (container == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  {
    g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, &error);
    pid = props ? props->init_process_id : 0;
  }
  hcs_state_fault_point ("hcsctl-created");
  if (!save_oci_info (host, id, bundle, config->volume_path, annotations, &error) ||
      (options->pid_file != NULL && !write_pid_file (options->pid_file, pid, &error)))
    {
      hcsctl_log_error (verb, error->message);
      hcs_container_discard (container, NULL);
      g_object_unref (container);
      return NULL;
    }
  *host_out = g_steal_pointer (&host);
  return container;
}

#define CREATE_ENTRIES(options)                                                              \
  { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &(options).bundle,                              \
    "The bundle: the folder of config.json (default: the current folder)", "DIR" },          \
  { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &(options).pid_file,                            \
    "Write the init's pid to this file", "FILE" },                                           \
  { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &(options).console_socket,                \
    "A unix socket that receives the pty master (terminal: true)", "PATH" },                 \
  { "no-pivot", 0, 0, G_OPTION_ARG_NONE, &(options).no_pivot,                                \
    "Accepted for runc compatibility; pivot_root is always used", NULL },                    \
  { "no-new-keyring", 0, 0, G_OPTION_ARG_NONE, &(options).no_new_keyring,                    \
    "Accepted: no session keyring is made", NULL },                                          \
  { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &(options).preserve_fds,                         \
    "Accepted; extra descriptors are not passed on", "N" }

int
hcsctl_cmd_create (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  CreateOptions options = { 0 };
  GOptionEntry entries[] = {
    CREATE_ENTRIES (options),
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  int code = 1;

  if (parse_args ("create", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    {
      container = create_from_bundle (globals, "create", rest[0], &options, TRUE, &host);
      code = container ? 0 : 1;
    }
  create_options_clear (&options);
  return code;
}

/* After a start: the poststart hooks see the state as it is now. */
static void
poststart (HcsHost *host, HcsContainer *container)
{
  g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, NULL);
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonNode) state = NULL;

  if (props == NULL)
    return;
  info = load_oci_info (host, props->id);
  state = state_node (host, props);
  run_caller_hooks ("start", HCS_OCI_HOOK_POSTSTART,
                    json_object_get_string_member_with_default (info, "bundle", NULL), state);
}

/* Removes it; then its poststop hooks, with the state it had, "stopped". */
static gboolean
remove_and_poststop (const char *verb, HcsHost *host, HcsContainer *container, GError **error)
{
  g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, NULL);
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonNode) state = NULL;

  if (props != NULL)
    {
      props->stopped = TRUE;
      info = load_oci_info (host, props->id);
      state = state_node (host, props);
    }
  if (!hcs_container_remove (container, error))
    return FALSE;
  if (state != NULL)
    run_caller_hooks (verb, HCS_OCI_HOOK_POSTSTOP,
                      json_object_get_string_member_with_default (info, "bundle", NULL), state);
  return TRUE;
}

/* The runtime spec: start only what is created (runc's wording). */
int
hcsctl_cmd_start (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = open_from_arguments (globals, argc, argv, "start", &host);
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  const char *status;

  if (container == NULL)
    return 1;
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("start", error->message);
  status = oci_status (props);
  if (g_str_equal (status, "stopped"))
    return hcsctl_log_error ("start", "cannot start a container that has stopped");
  if (g_str_equal (status, "running"))
    return hcsctl_log_error ("start", "cannot start an already running container");
  if (!g_str_equal (status, "created"))
    {
      g_autofree char *message =
          g_strdup_printf ("cannot start a container in the %s state", status);
      return hcsctl_log_error ("start", message);
    }
  if (!hcs_container_start (container, &error))
    return hcsctl_log_error ("start", error->message);
  hcs_state_fault_point ("hcsctl-started");
  poststart (host, container);
  return 0;
}

/* runc run: create and start; in the foreground we stay the init's parent,
 * wire its stdio, and remove it after it exits. */
int
hcsctl_cmd_oci_run (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  CreateOptions options = { 0 };
  GOptionEntry entries[] = {
    CREATE_ENTRIES (options),
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &options.detach, "Leave it running", NULL },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &options.keep, "Do not delete it when it exits", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  int exit_code = 1;

  if (!parse_args ("run", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    goto out;
  container = create_from_bundle (globals, "run", rest[0], &options, options.detach, &host);
  if (container == NULL)
    goto out;
  if (options.detach)
    {
      if (!hcs_container_start (container, &error))
        {
          hcsctl_log_error ("run", error->message);
          hcs_container_discard (container, NULL);
          goto out;
        }
      poststart (host, container);
      exit_code = 0;
      goto out;
    }
  init = hcs_container_get_init_process (container, &error);
  if (init == NULL ||
      !hcsctl_attach_and_wait (container, init, hcs_process_get_stdout (init) != NULL &&
                                                    options.console_socket == NULL,
                               TRUE, &exit_code, &error))
    {
      hcsctl_log_error ("run", error->message);
      exit_code = exit_code == 0 ? 1 : exit_code;
      hcs_container_terminate (container, NULL);
      hcs_container_wait_timeout (container, 5000, NULL, NULL);
    }
  if (!options.keep)
    {
      g_clear_error (&error);
      if (!remove_and_poststop ("run", host, container, &error))
        hcsctl_log_error ("run", error->message);
    }

out:
  create_options_clear (&options);
  return exit_code;
}

/* --- state, list, ps ------------------------------------------------------------------ */

int
hcsctl_cmd_state (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = open_from_arguments (globals, argc, argv, "state", &host);
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (container == NULL)
    return 1;
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("state", error->message);
  node = state_node (host, props);
  print_json (node, TRUE);
  return 0;
}

int
hcsctl_cmd_list (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *format = NULL;
  gboolean quiet = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table (default) or json", "FORMAT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only the ids", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (GPtrArray) systems = NULL;
  gboolean json;

  if (!parse_args ("list", "", entries, &argc, &argv, &rest, 0, 0))
    return 1;
  json = format != NULL && g_str_equal (format, "json");
  if (format != NULL && !json && !g_str_equal (format, "table"))
    return hcsctl_log_error ("list", "--format: expected table or json");
  host = hcsctl_open_host (globals, &error);
  if (host == NULL || (systems = hcs_host_list_containers (host, NULL, &error)) == NULL)
    return hcsctl_log_error ("list", error->message);

  if (quiet)
    {
      for (guint i = 0; i < systems->len; i++)
        g_print ("%s\n", ((HcsContainerProperties *) systems->pdata[i])->id);
      return 0;
    }
  if (json)
    {
      g_autoptr (JsonNode) array = json_node_new (JSON_NODE_ARRAY);
      JsonArray *items = json_array_new ();

      for (guint i = 0; i < systems->len; i++)
        json_array_add_element (items, state_node (host, systems->pdata[i]));
      json_node_take_array (array, items);
      print_json (array, FALSE);
      return 0;
    }
  g_print ("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
  for (guint i = 0; i < systems->len; i++)
    {
      HcsContainerProperties *props = systems->pdata[i];
      g_autoptr (JsonObject) info = load_oci_info (host, props->id);
      g_autofree char *created = format_time (props->created);

      g_print ("%-20s %-8d %-10s %-40s %-30s %s\n", props->id,
               props->stopped ? 0 : props->init_process_id, oci_status (props),
               json_object_get_string_member_with_default (info, "bundle", ""), created, "root");
    }
  return 0;
}

int
hcsctl_cmd_ps (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *format = NULL;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table (default) or json", "FORMAT" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GPtrArray) processes = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_args ("ps", "CONTAINER-ID [ps OPTIONS]", entries, &argc, &argv, &rest, 1, 64))
    return 1;
  container = open_container (globals, "ps", rest[0], NULL);
  if (container == NULL)
    return 1;
  processes = hcs_container_get_process_list (container, &error);
  if (processes == NULL)
    return hcsctl_log_error ("ps", error->message);
  if (format != NULL && g_str_equal (format, "json"))
    {
      g_autoptr (GString) out = g_string_new ("[");
      for (guint i = 0; i < processes->len; i++)
        g_string_append_printf (out, "%s%u", i ? "," : "",
                                ((HcsProcessListItem *) processes->pdata[i])->process_id);
      g_print ("%s]\n", out->str);
      return 0;
    }
  g_print ("%-8s %s\n", "PID", "CMD");
  for (guint i = 0; i < processes->len; i++)
    {
      HcsProcessListItem *item = processes->pdata[i];
      g_print ("%-8u %s\n", item->process_id, item->image_name ? item->image_name : "");
    }
  return 0;
}

/* --- kill, delete, pause, resume --------------------------------------------------------- */

int
hcsctl_cmd_kill (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean all = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Signal every process of the container", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  int signum = SIGTERM;

  if (!parse_args ("kill", "CONTAINER-ID [SIGNAL]", entries, &argc, &argv, &rest, 1, 2))
    return 1;
  if (rest[1] != NULL && (signum = parse_signal (rest[1])) < 0)
    {
      g_autofree char *message = g_strdup_printf ("unknown signal \"%s\"", rest[1]);
      return hcsctl_log_error ("kill", message);
    }
  container = open_container (globals, "kill", rest[0], NULL);
  if (container == NULL)
    return 1;
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("kill", error->message);
  if (props->stopped)
    return hcsctl_log_error ("kill", "container not running");

  if (all)
    {
      g_autoptr (GPtrArray) processes = hcs_container_get_process_list (container, &error);
      if (processes == NULL)
        return hcsctl_log_error ("kill", error->message);
      for (guint i = 0; i < processes->len; i++)
        {
          HcsProcessListItem *item = processes->pdata[i];
          g_autoptr (HcsProcess) process =
              hcs_container_open_process (container, (int) item->process_id, NULL);
          if (process != NULL)
            hcs_process_signal (process, signum, NULL);
        }
      return 0;
    }
  {
    g_autoptr (HcsProcess) init =
        hcs_container_open_process (container, props->init_process_id, &error);
    if (init == NULL || !hcs_process_signal (init, signum, &error))
      return hcsctl_log_error ("kill", error->message);
  }
  return 0;
}

int
hcsctl_cmd_delete (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      "Kill it first if it is running (and succeed if it does not exist)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_args ("delete", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_log_error ("delete", error->message);
  container = hcs_host_open_container (host, rest[0], &error);
  if (container == NULL)
    {
      g_autofree char *message = NULL;
      if (force && hcs_error_is_not_exist (error))
        return 0;
      message = hcs_error_is_not_exist (error)
                    ? g_strdup_printf ("container \"%s\" does not exist", rest[0])
                    : g_strdup (error->message);
      return hcsctl_log_error ("delete", message);
    }
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("delete", error->message);
  /* The runtime spec: deleting what is not stopped (created included, where
   * runc kills it) is an error that leaves it as it is; --force kills it. */
  if (!props->stopped && !force)
    {
      g_autofree char *message =
          g_strdup_printf ("cannot delete container %s that is not stopped: %s", rest[0],
                           oci_status (props));
      return hcsctl_log_error ("delete", message);
    }
  if (!props->stopped)
    {
      if (!hcs_container_terminate (container, &error) && !hcs_error_is_already_stopped (error))
        return hcsctl_log_error ("delete", error->message);
      g_clear_error (&error);
      hcs_state_fault_point ("hcsctl-terminated");
    }
  if (!remove_and_poststop ("delete", host, container, &error))
    return hcsctl_log_error ("delete", error->message);
  return 0;
}

int
hcsctl_cmd_pause (HcsctlGlobals *globals, int argc, char **argv)
{
  return act_on_one (globals, argc, argv, "pause", hcs_container_pause);
}

int
hcsctl_cmd_resume (HcsctlGlobals *globals, int argc, char **argv)
{
  return act_on_one (globals, argc, argv, "resume", hcs_container_resume);
}

/* --- exec ---------------------------------------------------------------------------------- */

/* runc's exec exits 255 when it fails itself: every other code is the
 * process's. */
static int
exec_failed (const char *message)
{
  hcsctl_log_error ("exec", message);
  return 255;
}

int
hcsctl_cmd_exec (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean tty = FALSE, detach = FALSE, no_new_privs = FALSE;
  g_autofree char *process_file = NULL, *pid_file = NULL, *console_socket = NULL;
  g_autofree char *cwd = NULL, *user = NULL;
  g_auto (GStrv) env = NULL, caps = NULL, rest = NULL;
  int preserve_fds = 0;
  GOptionEntry entries[] = {
    { "tty", 't', 0, G_OPTION_ARG_NONE, &tty, "Give the process a terminal", NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, "Do not wait for it", NULL },
    { "process", 'p', 0, G_OPTION_ARG_FILENAME, &process_file,
      "The process as an OCI \"process\" JSON object", "FILE" },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &pid_file, "Write its pid here", "FILE" },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &console_socket,
      "A unix socket that receives the pty master", "PATH" },
    { "cwd", 0, 0, G_OPTION_ARG_STRING, &cwd, "Working directory", "DIR" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, "NAME=VALUE", "NAME=VALUE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "uid[:gid]", "UID[:GID]" },
    { "cap", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &caps,
      "Add a capability to the process's bounding, effective, permitted, inheritable and "
      "ambient sets", "CAP" },
    { "no-new-privs", 0, 0, G_OPTION_ARG_NONE, &no_new_privs,
      "Set no_new_privs (always set without --process)", NULL },
    { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &preserve_fds, "Accepted", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcessConfig) config = NULL;
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GError) error = NULL;
  int exit_code = 1;

  if (!parse_args ("exec", "CONTAINER-ID [COMMAND [ARG…]]", entries, &argc, &argv, &rest, 1,
                   G_MAXINT))
    return 255;
  if (process_file != NULL)
    {
      g_autofree char *text = NULL;
      if (!g_file_get_contents (process_file, &text, NULL, &error) ||
          (config = hcs_process_config_from_oci_json (text, &error)) == NULL)
        return exec_failed (error->message);
    }
  else
    {
      if (rest[1] == NULL)
        return exec_failed ("no command given (or --process FILE)");
      config = hcs_process_config_new ();
      config->command_args = g_strdupv (rest + 1);
      config->emulate_console = tty;
    }
  if (cwd != NULL)
    {
      g_free (config->working_directory);
      config->working_directory = g_strdup (cwd);
    }
  if (user != NULL)
    {
      g_free (config->user);
      config->user = g_strdup (user);
    }
  for (guint i = 0; env && env[i]; i++)
    {
      const char *equals = strchr (env[i], '=');
      if (equals == NULL || equals == env[i])
        return exec_failed ("--env: expected NAME=VALUE");
      if (config->environment == NULL)
        config->environment = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_replace (config->environment, g_strndup (env[i], equals - env[i]),
                            g_strdup (equals + 1));
    }
  if (caps != NULL && caps[0] != NULL)
    {
      /* Names are checked by the runtime, as those of a config.json. */
      g_strfreev (config->cap_added);
      config->cap_added = g_steal_pointer (&caps);
    }
  if (no_new_privs)
    {
      config->no_new_privileges_given = TRUE;
      config->no_new_privileges = TRUE;
    }
  config->create_stdin_pipe = config->create_stdout_pipe = config->create_stderr_pipe = FALSE;
  config->detach = detach;
  /* In the foreground we wait for it ourselves: no helper in between. */
  config->reap_directly = !detach;
  if (config->emulate_console)
    {
      if (console_socket != NULL)
        config->console_socket = g_canonicalize_filename (console_socket, NULL);
      else if (detach)
        return exec_failed ("cannot allocate a tty for a detached process without "
                                         "--console-socket");
    }
  else
    config->inherit_stdio = TRUE;

  container = open_container (globals, "exec", rest[0], NULL);
  if (container == NULL)
    return 255;
  process = hcs_container_create_process (container, config, &error);
  if (process == NULL)
    return exec_failed (error->message);
  hcs_state_fault_point ("hcsctl-exec-spawned");
  if (pid_file != NULL && !write_pid_file (pid_file, hcs_process_get_pid (process), &error))
    return exec_failed (error->message);
  if (detach)
    return 0;
  if (!hcsctl_attach_and_wait (container, process,
                               config->emulate_console && console_socket == NULL, FALSE,
                               &exit_code, &error))
    return exec_failed (error->message);
  return exit_code;
}

/* --- update, events --------------------------------------------------------------------- */

static gboolean
parse_size (const char *text, gint64 *bytes)
{
  char *end;
  double value = g_ascii_strtod (text, &end);
  gint64 unit = 1;

  if (end == text || value < 0)
    return FALSE;
  switch (g_ascii_tolower (*end))
    {
    case 'k': unit = 1024; end++; break;
    case 'm': unit = 1024 * 1024; end++; break;
    case 'g': unit = 1024 * 1024 * 1024; end++; break;
    case '\0': break;
    default: return FALSE;
    }
  if (g_ascii_tolower (*end) == 'b')
    end++;
  if (*end != '\0')
    return FALSE;
  *bytes = (gint64) (value * unit);
  return TRUE;
}

int
hcsctl_cmd_update (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *memory = NULL, *cpuset = NULL, *resources_file = NULL;
  gint64 quota = 0, period = 0, shares = 0, pids = 0;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory, "Memory limit (bytes, or 512m, 1g)", "SIZE" },
    { "cpu-quota", 0, 0, G_OPTION_ARG_INT64, &quota, "CPU CFS quota (µs)", "US" },
    { "cpu-period", 0, 0, G_OPTION_ARG_INT64, &period, "CPU CFS period (µs)", "US" },
    { "cpu-shares", 0, 0, G_OPTION_ARG_INT64, &shares, "CPU shares (relative weight)", "N" },
    { "cpuset-cpus", 0, 0, G_OPTION_ARG_STRING, &cpuset, "CPUs to use (0-1)", "LIST" },
    { "pids-limit", 0, 0, G_OPTION_ARG_INT64, &pids, "Maximum number of processes", "N" },
    { "resources", 'r', 0, G_OPTION_ARG_FILENAME, &resources_file,
      "OCI linux.resources JSON (- for stdin)", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);

  if (!parse_args ("update", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  if (resources_file != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *wrapped = NULL;
      g_autoptr (HcsContainerConfig) parsed = NULL;

      if (g_str_equal (resources_file, "-"))
        {
          g_autoptr (GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
          g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
          if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
                                      &error) < 0)
            return hcsctl_log_error ("update", error->message);
          text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                            g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
        }
      else if (!g_file_get_contents (resources_file, &text, NULL, &error))
        return hcsctl_log_error ("update", error->message);
      /* The OCI parser reads linux.resources as part of a spec. */
      wrapped = g_strdup_printf ("{\"ociVersion\":\"" OCI_VERSION "\",\"root\":{\"path\":\"/\"},"
                                 "\"linux\":{\"resources\":%s}}", text);
      parsed = hcs_container_config_from_json (wrapped, NULL, &error);
      if (parsed == NULL)
        return hcsctl_log_error ("update", error->message);
      if (parsed->memory_maximum_in_mb > 0)
        update.memory_maximum_in_mb = parsed->memory_maximum_in_mb;
      if (parsed->processor_count > 0)
        update.processor_count = parsed->processor_count;
      if (parsed->processor_weight > 0)
        update.processor_weight = parsed->processor_weight;
      if (parsed->processor_maximum > 0)
        update.processor_maximum = parsed->processor_maximum;
      if (parsed->pids_maximum > 0)
        pids = parsed->pids_maximum;
    }
  if (memory != NULL)
    {
      gint64 bytes;
      if (!parse_size (memory, &bytes))
        return hcsctl_log_error ("update", "--memory: expected a size such as 536870912 or 512m");
      update.memory_maximum_in_mb = (bytes + 1024 * 1024 - 1) / (1024 * 1024);
    }
  if (quota > 0)
    {
      /* ProcessorMaximum is 1/100 % of the whole machine. */
      gint64 share = quota * 10000 / ((period > 0 ? period : 100000) * MAX (cpus, 1));
      update.processor_maximum = CLAMP (share, 1, 10000);
    }
  if (shares > 0)
    update.processor_weight = CLAMP (shares * 10000 / 262144, 1, 10000);
  if (cpuset != NULL)
    {
      g_autofree char *wrapped = g_strdup_printf (
          "{\"ociVersion\":\"" OCI_VERSION "\",\"root\":{\"path\":\"/\"},"
          "\"linux\":{\"resources\":{\"cpu\":{\"cpus\":\"%s\"}}}}", cpuset);
      g_autoptr (HcsContainerConfig) parsed = hcs_container_config_from_json (wrapped, NULL, &error);
      if (parsed == NULL)
        return hcsctl_log_error ("update", error->message);
      update.processor_count = parsed->processor_count;
    }
  container = open_container (globals, "update", rest[0], NULL);
  if (container == NULL)
    return 1;
  if (pids != 0)
    update.pids_maximum = pids > 0 ? pids : 0; /* runc: -1 is unlimited */
  if (!hcs_container_modify (container, &update, &error))
    return hcsctl_log_error ("update", error->message);
  return 0;
}

static JsonNode *
stats_event (const char *id, const HcsStatistics *stats)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "stats");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cpu");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, stats->processor_total_runtime_100ns * 100);
  json_builder_set_member_name (builder, "user");
  json_builder_add_int_value (builder, stats->processor_runtime_user_100ns * 100);
  json_builder_set_member_name (builder, "kernel");
  json_builder_add_int_value (builder, stats->processor_runtime_kernel_100ns * 100);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "memory");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usage");
  json_builder_add_int_value (builder, stats->memory_usage_commit_bytes);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, stats->memory_usage_commit_peak_bytes);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

int
hcsctl_cmd_events (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean once = FALSE;
  g_autofree char *interval_text = NULL;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "stats", 0, 0, G_OPTION_ARG_NONE, &once, "Print the statistics once and exit", NULL },
    { "interval", 0, 0, G_OPTION_ARG_STRING, &interval_text,
      "Time between statistics (default 5s; ms, s, m)", "DURATION" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  gint64 interval_ms = 5000;

  if (!parse_args ("events", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  if (interval_text != NULL)
    {
      char *end;
      double value = g_ascii_strtod (interval_text, &end);
      double scale = g_str_equal (end, "ms") ? 1 : g_str_equal (end, "s") || *end == '\0' ? 1000
                     : g_str_equal (end, "m")                                             ? 60000
                                                                                          : -1;
      if (end == interval_text || value <= 0 || scale < 0)
        return hcsctl_log_error ("events", "--interval: expected a duration such as 5s or 500ms");
      interval_ms = MAX ((gint64) (value * scale), 1);
    }
  container = open_container (globals, "events", rest[0], NULL);
  if (container == NULL)
    return 1;
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsStatistics) stats = hcs_container_get_statistics (container, &error);
      g_autoptr (JsonNode) event = NULL;

      if (stats == NULL)
        {
          if (hcs_error_is_already_stopped (error) && !once)
            return 0;
          return hcsctl_log_error ("events", error->message);
        }
      event = stats_event (rest[0], stats);
      print_json (event, FALSE);
      if (once)
        return 0;
      /* Ends when the container does: a wait that times out is the tick. */
      if (hcs_container_wait_timeout (container, interval_ms, NULL, NULL))
        return 0;
    }
}

/* --- spec, features --------------------------------------------------------------------- */

static const char default_spec[] =
  "{\n"
  "  \"ociVersion\": \"" OCI_VERSION "\",\n"
  "  \"process\": {\n"
  "    \"terminal\": true,\n"
  "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
  "    \"args\": [ \"sh\" ],\n"
  "    \"env\": [\n"
  "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
  "      \"TERM=xterm\"\n"
  "    ],\n"
  "    \"cwd\": \"/\",\n"
  "    \"noNewPrivileges\": true\n"
  "  },\n"
  "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
  "  \"hostname\": \"hcs\",\n"
  "  \"mounts\": [\n"
  "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
  "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
  "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\" ] },\n"
  "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
  "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
  "  ],\n"
  "  \"linux\": {\n"
  "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
  "    \"namespaces\": [\n"
  "      { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
  "      { \"type\": \"uts\" }, { \"type\": \"mount\" }\n"
  "    ],\n"
  "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
  "      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
  "      \"/proc/scsi\" ],\n"
  "    \"readonlyPaths\": [ \"/proc/asound\", \"/proc/bus\", \"/proc/fs\", \"/proc/irq\",\n"
  "      \"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
  "  }\n"
  "}\n";

int
hcsctl_cmd_spec (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *bundle = NULL;
  gboolean rootless = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &bundle, "Where to write config.json", "DIR" },
    { "rootless", 0, 0, G_OPTION_ARG_NONE, &rootless, "Not supported: hcs runs as root", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_args ("spec", "", entries, &argc, &argv, &rest, 0, 0))
    return 1;
  if (rootless)
    return hcsctl_log_error ("spec", "--rootless: hcs runs containers as root only");
  path = g_build_filename (bundle ? bundle : ".", "config.json", NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf ("File %s exists. Remove it first", path);
      return hcsctl_log_error ("spec", message);
    }
  if (!g_file_set_contents_full (path, default_spec, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0666,
                                 &error))
    return hcsctl_log_error ("spec", error->message);
  return 0;
}

int
hcsctl_cmd_features (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  if (!parse_args ("features", "", entries, &argc, &argv, &rest, 0, 0))
    return 1;
  g_print ("{\n"
           "  \"ociVersionMin\": \"1.0.0\",\n"
           "  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
           "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", "
           "\"startContainer\", \"poststart\", \"poststop\"],\n"
           "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\", \"nosuid\", \"suid\", "
           "\"nodev\", \"dev\", \"noexec\", \"exec\", \"relatime\", \"norelatime\", "
           "\"strictatime\", \"noatime\", \"private\", \"rprivate\", \"slave\", \"rslave\", "
           "\"shared\", \"rshared\"],\n"
           "  \"linux\": {\n"
           "    \"namespaces\": [\"mount\", \"pid\", \"network\", \"ipc\", \"uts\", \"cgroup\", "
           "\"time\", \"user\"],\n"
           "    \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FSETID\", "
           "\"CAP_FOWNER\", \"CAP_MKNOD\", \"CAP_NET_RAW\", \"CAP_SETGID\", \"CAP_SETUID\", "
           "\"CAP_SETFCAP\", \"CAP_SETPCAP\", \"CAP_NET_BIND_SERVICE\", \"CAP_SYS_CHROOT\", "
           "\"CAP_KILL\", \"CAP_AUDIT_WRITE\"],\n"
           "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": false, "
           "\"systemdUser\": false },\n"
           "    \"seccomp\": { \"enabled\": true, \"actions\": [\"SCMP_ACT_ALLOW\", "
           "\"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", "
           "\"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_TRACE\", "
           "\"SCMP_ACT_TRAP\"] },\n"
           "    \"apparmor\": { \"enabled\": false },\n"
           "    \"selinux\": { \"enabled\": false }\n"
           "  },\n"
           "  \"annotations\": { \"io.github.hcs.version\": \"%s\" }\n"
           "}\n",
           HCS_VERSION);
  return 0;
}
