/* hcs-sentinel: a host process that stands for a VM-isolated container's
 * init (lcow, hyperv) under runc's verbs.
 *
 * conmon and containerd's shims are subreapers: they read --pid-file and
 * waitpid() for that pid as their reparented child. A guest's pid is no
 * host process, so `hcsctl create` spawns this
 * program instead and writes its pid: it waits for the guest's init
 * through the system's holder or monitor and exits the way the process
 * did. Codes 129..128+SIGRTMAX that name a signal whose default action
 * ends a process are re-raised on itself (waitpid sees WIFSIGNALED, as
 * with runc's init); the guest reports only exit codes, so a workload
 * that exits 137 looks like SIGKILL, as in a shell. If the holder or
 * monitor goes, the system's Stopped/UnexpectedExit code decides (137);
 * with no answer at all it exits 255. Signals sent to it (TERM, INT, HUP,
 * USR1, USR2, WINCH) go to the init as `hcsctl kill` sends them.
 *
 * hcs-sentinel [--options FILE] [--root DIR] [--exec-fd FD] CONTAINER-ID
 * Its stdio is /dev/null: it holds none of the container's streams.
 *
 * With --exec-fd it stands for a process it makes itself (`hcsctl exec
 * --detach --pid-file` of a VM system): one started after the exec could
 * miss a short process, whose exit code nobody keeps. hcsctl writes an
 * exec request on FD ({"ProcessParameters": {...}, "InheritStdio": b,
 * "ConsoleSocket": s}) and shuts its side down; the sentinel makes the
 * process through the system's holder or monitor, as `exec` itself would,
 * and answers "ok PID" (the guest's pid) or "error: MESSAGE", then
 * closes FD; on error it exits 255. The stdio it was given (hcsctl's, for
 * InheritStdio) goes to the holder or monitor with the request, which
 * relays it (and makes the --console-socket terminal) as for any detached
 * exec; the sentinel then points its own 0, 1, 2 at /dev/null, so the
 * streams end with the process, not with us. */

#include "hcs-config.h"

#include <hcs.h>

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* An exec request is a process's config: more is no request of hcsctl's. */
#define EXEC_REQUEST_MAX (1024 * 1024)

typedef struct {
  HcsContainer *container;
  HcsProcess *process; /* exec mode: the one we made; NULL: the init */
  GMainLoop *loop;
  gboolean done;
  int exit_code;
} Sentinel;

static HcsHost *
open_host (const char *options_file, const char *root, GError **error)
{
  g_autoptr (GKeyFile) options = g_key_file_new ();

  if (root == NULL)
    return options_file ? hcs_host_new_from_file (options_file, error) : hcs_host_new (NULL, error);
  if (options_file != NULL && !g_key_file_load_from_file (options, options_file, G_KEY_FILE_NONE,
                                                          error))
    return NULL;
  /* hcsctl's --root, as hcsctl gives it. */
  g_key_file_set_string (options, "host", "state-dir", root);
  return hcs_host_new (options, error);
}

static HcsProcess *
open_process (Sentinel *sentinel, GError **error)
{
  g_autoptr (HcsContainerProperties) props = NULL;

  if (sentinel->process != NULL)
    return g_object_ref (sentinel->process);
  /* By its pid, as hcsctl kill: a held system's init handle proper
   * would ask its holder for the init's stdio, which we must not hold. */
  props = hcs_container_query_properties (sentinel->container, error);
  if (props == NULL)
    return NULL;
  return hcs_container_open_process (sentinel->container, props->init_process_id, error);
}

static void
finish (Sentinel *sentinel, int exit_code)
{
  if (sentinel->done)
    return;
  sentinel->done = TRUE;
  /* Trust nothing beyond a byte. */
  sentinel->exit_code = exit_code >= 0 && exit_code <= 255 ? exit_code : 255;
  g_main_loop_quit (sentinel->loop);
}

/* The system's own word once a wait ended or failed: its exit code when
 * stopped (UnexpectedExit: 137), else 255. */
static int
container_exit_code (Sentinel *sentinel)
{
  g_autoptr (HcsContainerProperties) props =
      hcs_container_query_properties (sentinel->container, NULL);

  if (props != NULL && props->stopped)
    return props->exit_code;
  return 255;
}

/* The system stopped: the init's code, or for an exec'd process its own
 * when known (it went with the system otherwise: killed). */
static void
container_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sentinel *sentinel = user_data;
  int exit_code;

  hcs_container_wait_finish (sentinel->container, result, NULL);
  if (sentinel->process == NULL)
    finish (sentinel, container_exit_code (sentinel));
  else if (hcs_process_get_exit_code (sentinel->process, &exit_code, NULL))
    finish (sentinel, exit_code);
  else
    finish (sentinel, 128 + SIGKILL);
}

/* The exec'd process ended: its code; a wait that failed (its holder went)
 * leaves it to the system's word. */
static void
process_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sentinel *sentinel = user_data;
  int exit_code;

  if (hcs_process_wait_finish (sentinel->process, result, NULL) &&
      hcs_process_get_exit_code (sentinel->process, &exit_code, NULL))
    finish (sentinel, exit_code);
  else
    finish (sentinel, container_exit_code (sentinel) == 255 ? 255 : 128 + SIGKILL);
}

/* --- exec mode --------------------------------------------------------------------- */

static char *
read_request (int fd, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[4096];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "reading the exec request: %s", g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        return g_string_free (g_steal_pointer (&text), FALSE);
      if (text->len + n > EXEC_REQUEST_MAX)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "the exec request is over %d bytes", EXEC_REQUEST_MAX);
          return NULL;
        }
      g_string_append_len (text, buffer, n);
    }
}

/* hcsctl's request: the config as `exec` built it, and the two host-side
 * fields ProcessParameters leaves out. */
static HcsProcessConfig *
parse_request (const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (HcsProcessConfig) config = NULL;
  JsonObject *request;
  JsonNode *root, *parameters, *console_socket;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (parameters = json_object_get_member (request = json_node_get_object (root),
                                            "ProcessParameters")) == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "the exec request: expected an object with ProcessParameters");
      return NULL;
    }
  config = hcs_process_config_from_node (parameters, error);
  if (config == NULL)
    return NULL;
  config->inherit_stdio = json_object_get_boolean_member_with_default (request, "InheritStdio",
                                                                        FALSE);
  console_socket = json_object_get_member (request, "ConsoleSocket");
  if (console_socket != NULL)
    {
      const char *path = JSON_NODE_HOLDS_VALUE (console_socket) &&
                                 json_node_get_value_type (console_socket) == G_TYPE_STRING
                             ? json_node_get_string (console_socket)
                             : NULL;

      if (path == NULL || !g_path_is_absolute (path) || !config->emulate_console)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "the exec request: ConsoleSocket: expected an absolute path, with "
                       "EmulateConsole");
          return NULL;
        }
      config->console_socket = g_strdup (path);
    }
  config->create_stdin_pipe = config->create_stdout_pipe = config->create_stderr_pipe = FALSE;
  config->detach = TRUE;
  config->reap_directly = FALSE;
  return g_steal_pointer (&config);
}

static void
answer (int fd, const char *text)
{
  gsize length = strlen (text);

  while (length > 0)
    {
      ssize_t n = send (fd, text, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      /* hcsctl gone: the process runs on, and we stand for it all the same. */
      if (n <= 0)
        return;
      text += n;
      length -= n;
    }
}

/* Makes the process of the request on @fd and answers; FALSE: answered
 * with the error, nothing made. */
static gboolean
make_process (Sentinel *sentinel, int fd)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsProcessConfig) config = NULL;
  g_autofree char *text = read_request (fd, &error);
  g_autofree char *reply = NULL;
  int null;

  if (text != NULL && (config = parse_request (text, &error)) != NULL)
    sentinel->process = hcs_container_create_process (sentinel->container, config, &error);
  if (sentinel->process == NULL)
    {
      reply = g_strdup_printf ("error: %s", error->message);
      answer (fd, reply);
      return FALSE;
    }
  /* The holder or monitor has the streams now; ours would keep them open
   * past the process's end. */
  null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0)
    {
      for (int i = 0; i < 3; i++)
        dup2 (null, i);
      close (null);
    }
  reply = g_strdup_printf ("ok %d", hcs_process_get_pid (sentinel->process));
  answer (fd, reply);
  return TRUE;
}

typedef struct {
  Sentinel *sentinel;
  int signum;
} Forward;

static gboolean
forward_signal (gpointer user_data)
{
  Forward *forward = user_data;
  g_autoptr (HcsProcess) process = open_process (forward->sentinel, NULL);

  /* Before start, or after the exit, there is nothing to signal. */
  if (process != NULL)
    hcs_process_signal (process, forward->signum, NULL);
  return G_SOURCE_CONTINUE;
}

/* The codes a re-raised signal would not end us with: stops, and those
 * ignored by default. */
static gboolean
ends_a_process (int signum)
{
  switch (signum)
    {
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
      return FALSE;
    default:
      return signum >= 1 && signum <= SIGRTMAX;
    }
}

static void G_GNUC_NORETURN
exit_as (int exit_code)
{
  int signum = exit_code - 128;

  if (exit_code > 128 && ends_a_process (signum))
    {
      struct rlimit no_core = { 0, 0 };
      sigset_t set;

      /* A SIGSEGV or SIGQUIT of the guest leaves no core of ours. */
      setrlimit (RLIMIT_CORE, &no_core);
      signal (signum, SIG_DFL);
      sigemptyset (&set);
      sigaddset (&set, signum);
      sigprocmask (SIG_UNBLOCK, &set, NULL);
      raise (signum);
    }
  _exit (exit_code);
}

int
main (int argc, char **argv)
{
  g_autofree char *options_file = NULL, *root = NULL;
  g_auto (GStrv) rest = NULL;
  int exec_fd = -1;
  GOptionEntry entries[] = {
    { "options", 0, 0, G_OPTION_ARG_FILENAME, &options_file, "Runtime options", "FILE" },
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, "The state folder", "DIR" },
    { "exec-fd", 0, 0, G_OPTION_ARG_INT, &exec_fd,
      "Make the process of the exec request read here, and stand for it", "FD" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH };
  Forward forwards[G_N_ELEMENTS (forwarded)];
  g_autoptr (GOptionContext) context = g_option_context_new ("CONTAINER-ID");
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  Sentinel sentinel = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rest == NULL ||
      rest[0] == NULL || rest[1] != NULL || (exec_fd != -1 && exec_fd < 3))
    {
      g_printerr ("hcs-sentinel: %s\n",
                  error ? error->message : "expected one CONTAINER-ID (and --exec-fd FD > 2)");
      return 255;
    }
  if (exec_fd >= 0 && fcntl (exec_fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      g_printerr ("hcs-sentinel: --exec-fd %d: %s\n", exec_fd, g_strerror (errno));
      return 255;
    }
  /* Signals are ours from the start: one before the loop runs waits. */
  sentinel.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (forwarded); i++)
    {
      forwards[i] = (Forward) { &sentinel, forwarded[i] };
      g_unix_signal_add (forwarded[i], forward_signal, &forwards[i]);
    }

  host = open_host (options_file, root, &error);
  if (host != NULL)
    sentinel.container = hcs_host_open_container (host, rest[0], &error);
  if (sentinel.container == NULL)
    {
      g_autofree char *message = g_strdup_printf ("error: %s: %s", rest[0], error->message);

      if (exec_fd >= 0)
        answer (exec_fd, message);
      else
        g_printerr ("hcs-sentinel: %s\n", message + strlen ("error: "));
      return 255;
    }
  if (exec_fd >= 0)
    {
      gboolean made = make_process (&sentinel, exec_fd);

      close (exec_fd);
      if (!made)
        return 255;
      hcs_process_wait_async (sentinel.process, NULL, process_waited, &sentinel);
    }
  /* The init's exit is the system's stop; it also covers a created system
   * that never starts (and an exec'd process whose wait never answers). */
  hcs_container_wait_async (sentinel.container, NULL, container_waited, &sentinel);

  g_main_loop_run (sentinel.loop);
  exit_as (sentinel.exit_code);
}
