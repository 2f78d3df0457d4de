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
 * hcs-sentinel [--options FILE] [--root DIR] CONTAINER-ID
 * Its stdio is /dev/null: it holds none of the container's streams.
 * (An exec'd process has none yet: `exec --detach --pid-file` of a VM
 * system writes the guest's pid, see docs/oci.md.) */

#include "hcs-config.h"

#include <hcs.h>

#include <glib-unix.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct {
  HcsContainer *container;
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

/* The system stopped: the init's code. */
static void
container_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sentinel *sentinel = user_data;

  hcs_container_wait_finish (sentinel->container, result, NULL);
  finish (sentinel, container_exit_code (sentinel));
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
  GOptionEntry entries[] = {
    { "options", 0, 0, G_OPTION_ARG_FILENAME, &options_file, "Runtime options", "FILE" },
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, "The state folder", "DIR" },
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
      rest[0] == NULL || rest[1] != NULL)
    {
      g_printerr ("hcs-sentinel: %s\n",
                  error ? error->message : "expected one CONTAINER-ID");
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
      g_printerr ("hcs-sentinel: %s: %s\n", rest[0], error->message);
      return 255;
    }
  /* The init's exit is the system's stop; it also covers a created system
   * that never starts. */
  hcs_container_wait_async (sentinel.container, NULL, container_waited, &sentinel);

  g_main_loop_run (sentinel.loop);
  exit_as (sentinel.exit_code);
}
