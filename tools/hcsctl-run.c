/* hcsctl-run.c: `hcsctl run`, a container in the foreground.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcsctl-private.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

typedef struct {
  GMainLoop *loop;
  HcsContainer *container;
  HcsProcess *init;
  guint pending;          /* the exit, plus each output stream still copying */
  gboolean tty;
} RunState;

static void
maybe_quit (RunState *state)
{
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
output_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  RunState *state = data;
  g_autoptr (GError) error = NULL;

  /* A pty master reports EIO once the last slave holder is gone: that is
   * its end of file. */
  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0 &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr ("hcsctl: run: copying output: %s\n", error->message);
  maybe_quit (state);
}

static void
input_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error);
}

static void
process_exited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  RunState *state = data;
  g_autoptr (GError) error = NULL;

  if (!hcs_process_wait_finish (HCS_PROCESS (source), result, &error))
    g_printerr ("hcsctl: run: waiting: %s\n", error->message);
  maybe_quit (state);
}

/* One per forwarded signal: GLib's unix signal sources do not say which
 * signal fired. */
typedef struct {
  RunState *state;
  int signum;
} ForwardedSignal;

static gboolean
forward_one_signal_cb (gpointer data)
{
  ForwardedSignal *forwarded = data;
  g_autoptr (GError) error = NULL;

  if (!hcs_process_signal (forwarded->state->init, forwarded->signum, &error) &&
      !hcs_error_is_already_stopped (error))
    g_printerr ("hcsctl: run: forwarding signal %d: %s\n", forwarded->signum, error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
window_changed_cb (gpointer data)
{
  RunState *state = data;
  struct winsize size;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 ||
      ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    hcs_process_resize_console (state->init, size.ws_col, size.ws_row, NULL);
  return G_SOURCE_CONTINUE;
}

static void
splice_output (RunState *state, GInputStream *from, int to_fd)
{
  g_autoptr (GOutputStream) to = g_unix_output_stream_new (to_fd, FALSE);

  if (from == NULL)
    return;
  state->pending++;
  g_output_stream_splice_async (to, from, G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT,
                                NULL, output_done_cb, state);
}

/* --- signals caught into a pipe ------------------------------------------------------- */

/* The signals a foreground wait forwards; SIGWINCH only with a terminal. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };

/* The pipe that brings caught signals to the main context (a handler may
 * only write), and the dispositions they replaced. */
static struct {
  int pipe_fds[2];
  struct sigaction saved[G_N_ELEMENTS (forwarded_signals)];
  gsize n_caught;
} caught = { { -1, -1 }, { { { 0 } } }, 0 };

static void
signal_caught (int signum)
{
  int saved_errno = errno;
  unsigned char byte = (unsigned char) signum;

  if (write (caught.pipe_fds[1], &byte, 1) < 0)
    { /* full: signals already wait there */ }
  errno = saved_errno;
}

/* Catches the first @n of forwarded_signals into the pipe (made on the
 * first call; a later call with a larger @n catches the rest too). */
static gboolean
catch_signals (gsize n, GError **error)
{
  struct sigaction catch = { .sa_handler = signal_caught, .sa_flags = SA_RESTART };

  if (caught.pipe_fds[0] < 0 && pipe2 (caught.pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "a pipe for signals: %s", g_strerror (errno));
      return FALSE;
    }
  sigemptyset (&catch.sa_mask);
  for (; caught.n_caught < n; caught.n_caught++)
    sigaction (forwarded_signals[caught.n_caught], &catch, &caught.saved[caught.n_caught]);
  return TRUE;
}

/* Puts back the dispositions catch_signals() replaced (unless @restore is
 * FALSE: GLib's own handlers have taken their place) and closes the pipe. */
static void
release_signals (gboolean restore)
{
  for (gsize i = 0; restore && i < caught.n_caught; i++)
    sigaction (forwarded_signals[i], &caught.saved[i], NULL);
  caught.n_caught = 0;
  if (caught.pipe_fds[0] >= 0)
    {
      close (caught.pipe_fds[0]);
      close (caught.pipe_fds[1]);
      caught.pipe_fds[0] = caught.pipe_fds[1] = -1;
    }
}

/* A foreground exec's process runs as soon as it is made, and may answer
 * its caller before hcsctl_attach_and_wait() forwards signals: SIGINT,
 * SIGTERM and SIGHUP are caught from before the process is made, and
 * what came meanwhile is forwarded once it is there. Without it a
 * SIGTERM in that window killed hcsctl instead of the process. */
gboolean
hcsctl_catch_signals_early (GError **error)
{
  return catch_signals (G_N_ELEMENTS (forwarded_signals) - 1, error);
}

/* --- waiting with nothing to copy ------------------------------------------------------ */

typedef struct {
  HcsProcess *process;
  int exited;             /* atomic: "exited" may come from the process's own thread */
} QuietWait;

static gboolean
signals_arrived_cb (int fd, GIOCondition condition, gpointer data)
{
  QuietWait *wait = data;
  unsigned char signums[16];
  gssize n;

  while ((n = read (fd, signums, sizeof signums)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        g_autoptr (GError) error = NULL;
        struct winsize size;

        if (signums[i] == SIGWINCH)
          {
            if (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 ||
                ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
              hcs_process_resize_console (wait->process, size.ws_col, size.ws_row, NULL);
          }
        else if (!hcs_process_signal (wait->process, signums[i], &error) &&
                 !hcs_error_is_already_stopped (error))
          g_printerr ("hcsctl: run: forwarding signal %d: %s\n", signums[i], error->message);
      }
  return G_SOURCE_CONTINUE;
}

static void
quiet_exited_cb (HcsProcess *process, int exit_code, gpointer data)
{
  QuietWait *wait = data;

  g_atomic_int_set (&wait->exited, 1);
  g_main_context_wakeup (NULL);
}

/* hcsctl_attach_and_wait for a process with no stream to copy (its stdio
 * is ours, or a console socket's): signals come through a pipe of our own
 * and the end through the process's "exited" signal, so neither GLib's
 * unix signal sources nor a GTask starts GLib's worker thread, and the
 * CLI stays a process of one thread besides the plugin's reaper (no
 * thread to start, none to wait for at exit). */
static gboolean
wait_with_nothing_to_copy (HcsContainer *container, HcsProcess *process, gboolean tty,
                           gboolean start, int *exit_code, GError **error)
{
  QuietWait wait = { process, 0 };
  gsize n_forwarded = tty ? G_N_ELEMENTS (forwarded_signals) : G_N_ELEMENTS (forwarded_signals) - 1;
  gulong handler = 0;
  guint source = 0;
  gboolean ok = FALSE;

  if (!catch_signals (n_forwarded, error))
    return FALSE;
  source = g_unix_fd_add (caught.pipe_fds[0], G_IO_IN, signals_arrived_cb, &wait);

  if (start && !hcs_container_start (container, error))
    goto out;
  /* Connected before looking: an exit from here on is seen either way. */
  handler = g_signal_connect (process, "exited", G_CALLBACK (quiet_exited_cb), &wait);
  if (!hcs_process_get_exit_code (process, exit_code, NULL))
    while (!g_atomic_int_get (&wait.exited))
      g_main_context_iteration (NULL, TRUE);
  ok = hcs_process_wait_timeout (process, -1, NULL, error) &&
       hcs_process_get_exit_code (process, exit_code, error);

out:
  if (handler != 0)
    g_signal_handler_disconnect (process, handler);
  g_source_remove (source);
  /* Signals that came in the meantime go to the process still. */
  signals_arrived_cb (caught.pipe_fds[0], G_IO_IN, &wait);
  release_signals (TRUE);
  return ok;
}

/* --- waiting and copying ----------------------------------------------------------------- */

/* Wires @process's stdio to ours (raw mode on a terminal), forwards
 * signals and window changes, starts @container when @start, and waits
 * for @process to end.
 *
 * The start comes as soon as the signals are forwarded, before the stdio
 * is wired: the workload waits for nothing but the release, and what it
 * writes meanwhile waits in its pipes or pty. Wiring first kept it
 * waiting for three streams' set-up and the thread GIO starts to copy
 * an unpollable stdin. */
gboolean
hcsctl_attach_and_wait (HcsContainer *container, HcsProcess *process, gboolean tty,
                        gboolean start, int *exit_code, GError **error)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GInputStream) our_stdin = NULL;
  struct termios saved_termios;
  gboolean restore_termios = FALSE, ok = FALSE;
  RunState state = { 0 };
  ForwardedSignal forwarded[] = { { &state, SIGINT }, { &state, SIGTERM }, { &state, SIGHUP } };
  guint sources[G_N_ELEMENTS (forwarded) + 1] = { 0 };

  if (hcs_process_get_stdin (process) == NULL && hcs_process_get_stdout (process) == NULL &&
      hcs_process_get_stderr (process) == NULL)
    return wait_with_nothing_to_copy (container, process, tty, start, exit_code, error);

  state.loop = loop;
  state.container = container;
  state.init = process;
  state.tty = tty;
  state.pending = 1;

  if (tty)
    sources[G_N_ELEMENTS (forwarded)] = g_unix_signal_add (SIGWINCH, window_changed_cb, &state);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded); i++)
    sources[i] = g_unix_signal_add (forwarded[i].signum, forward_one_signal_cb, &forwarded[i]);
  /* GLib's handlers from here on; what was caught before goes on now. */
  if (caught.pipe_fds[0] >= 0)
    {
      QuietWait early = { process, 0 };

      signals_arrived_cb (caught.pipe_fds[0], G_IO_IN, &early);
      release_signals (FALSE);
    }
  if (start && !hcs_container_start (container, error))
    goto out;

  splice_output (&state, hcs_process_get_stdout (process), STDOUT_FILENO);
  splice_output (&state, hcs_process_get_stderr (process), STDERR_FILENO);
  if (hcs_process_get_stdin (process) != NULL)
    {
      our_stdin = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_output_stream_splice_async (hcs_process_get_stdin (process), our_stdin,
                                    tty ? G_OUTPUT_STREAM_SPLICE_NONE
                                        : G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                    G_PRIORITY_DEFAULT, NULL, input_done_cb, &state);
    }

  if (tty && isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved_termios) == 0)
    {
      struct termios raw = saved_termios;
      cfmakeraw (&raw);
      tcsetattr (STDIN_FILENO, TCSANOW, &raw);
      restore_termios = TRUE;
    }

  hcs_process_wait_async (process, NULL, process_exited_cb, &state);
  g_main_loop_run (loop);
  ok = hcs_process_get_exit_code (process, exit_code, error);
  if (restore_termios)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
out:
  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    if (sources[i] != 0)
      g_source_remove (sources[i]);
  return ok;
}

static gboolean
parse_volume (const char *spec, HcsMappedDirectory **out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 3);
  HcsMappedDirectory *dir;

  if (g_strv_length (parts) < 2 || !g_path_is_absolute (parts[0]) ||
      !g_path_is_absolute (parts[1]) ||
      (parts[2] && !g_str_equal (parts[2], "ro") && !g_str_equal (parts[2], "rw")))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "--volume '%s': expected HOST_PATH:CONTAINER_PATH[:ro|rw] with absolute "
                   "paths", spec);
      return FALSE;
    }
  dir = g_new0 (HcsMappedDirectory, 1);
  dir->host_path = g_strdup (parts[0]);
  dir->container_path = g_strdup (parts[1]);
  dir->read_only = parts[2] && g_str_equal (parts[2], "ro");
  *out = dir;
  return TRUE;
}

static const HcsctlHelp run_help = {
  "run", "[--] COMMAND [ARG…]", "run a container in the foreground",
  "Creates a compute system with the isolation asked for, runs COMMAND as its\n"
  "init with stdio wired to hcsctl's own, forwards signals (and window changes\n"
  "with --tty), exits with the command's exit code and removes the system.\n"
  "Without --rootfs or --config the built-in busybox image is used.\n"
  "With --isolation lcow and --name (no --tty) the utility VM is held by\n"
  "hcs-lcow-uvm, so other hcsctl commands reach the system while it runs,\n"
  "unless the runtime options set [lcow] uvm-holder.\n\n"
  "runc's form, \"hcsctl run [--bundle DIR] [--detach] CONTAINER-ID\", is chosen\n"
  "by any of runc's options (see \"hcsctl run --bundle . --help\")."
};

/* A utility VM's container gets the guest's own image: the host's does
 * not reach it. */
static gboolean
runs_in_guest (HcsHost *host, const char *isolation)
{
  g_autofree char *chosen = isolation ? g_strdup (isolation)
                                      : hcs_options_get_string (hcs_host_get_options (host), NULL,
                                                                "host", "isolation",
                                                                HCS_DEFAULT_ISOLATION);

  return g_str_equal (chosen, "lcow") || g_str_equal (chosen, "hyperv");
}

/* Whether the workload may have our own stdin, stdout and stderr rather
 * than pipes we copy: only in process isolation (a VM's process is
 * reached through relays anyway), and only when none of the three is a
 * terminal: a terminal of ours in the container would let it push input
 * into our session (TIOCSTI); and only where all three were to be
 * copied. Pipes, files and /dev/null go as they are,
 * as crun hands them on; copying them cost three pipes, three GIO
 * streams and, for a stdin or stdout that cannot be polled (/dev/null, a
 * file), GIO's pool threads. */
static gboolean
may_inherit_stdio (HcsHost *host, const char *isolation, const HcsContainerConfig *config)
{
  g_autofree char *chosen = NULL;

  /* A configuration's own choice of streams stays as it is. */
  if (config->process->emulate_console || !config->process->create_stdin_pipe ||
      !config->process->create_stdout_pipe || !config->process->create_stderr_pipe)
    return FALSE;
  for (int fd = 0; fd <= 2; fd++)
    if (isatty (fd) || fcntl (fd, F_GETFD) < 0)
      return FALSE;
  if (isolation != NULL)
    chosen = g_strdup (isolation);
  else if (config->hv_partition)
    chosen = g_strdup ("hyperv");
  else
    chosen = hcs_options_get_string (hcs_host_get_options (host), NULL, "host", "isolation",
                                     HCS_DEFAULT_ISOLATION);
  return g_str_equal (chosen, "process");
}

/* An lcow system that another hcsctl may want to reach (it has a name)
 * lives in a held UVM, as under runc's verbs: "held by a monitor so that
 * it outlives the client that started it". Runtime options that say
 * `[lcow] uvm-holder` either way win; a terminal keeps the in-process UVM
 * (a holder relays no init console yet). */
static gboolean
held_by_default (HcsHost *host, const char *isolation, const char *name, gboolean tty)
{
  GKeyFile *options = hcs_host_get_options (host);
  g_autofree char *chosen = isolation ? g_strdup (isolation)
                                      : hcs_options_get_string (options, NULL, "host",
                                                                "isolation",
                                                                HCS_DEFAULT_ISOLATION);

  return g_str_equal (chosen, "lcow") && name != NULL && !tty &&
         !g_key_file_has_key (options, "lcow", "uvm-holder", NULL);
}

int
hcsctl_cmd_run (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *isolation = NULL, *rootfs = NULL, *config_file = NULL, *name = NULL;
  g_autofree char *hostname = NULL, *workdir = NULL, *user = NULL;
  g_auto (GStrv) command = NULL, env = NULL, volumes = NULL, publish = NULL;
  g_autofree char *network_name = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  gint64 memory_mb = 0, cpus = 0;
  gboolean tty = FALSE;
  GOptionEntry entries[] = {
    { "isolation", 0, 0, G_OPTION_ARG_STRING, &isolation,
      "Isolation: process (default), hyperv, lcow", "MODE" },
    { "rootfs", 0, 0, G_OPTION_ARG_FILENAME, &rootfs,
      "Root file system folder (default: the built-in busybox image)", "DIR" },
    { "memory", 'm', 0, G_OPTION_ARG_INT64, &memory_mb, "Memory limit in MiB", "MB" },
    { "cpus", 0, 0, G_OPTION_ARG_INT64, &cpus, "Number of processors", "N" },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &tty, "Give the process a terminal", NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
      "ContainerConfig (schema1) or OCI config.json", "FILE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Name (and id) of the system", "NAME" },
    { "hostname", 0, 0, G_OPTION_ARG_STRING, &hostname, "Host name inside", "NAME" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, "Set an environment variable",
      "NAME=VALUE" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, "Working directory inside", "DIR" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "User: uid[:gid] or a name", "USER" },
    { "volume", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &volumes,
      "Bind mount a host folder", "HOST:CONTAINER[:ro]" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &network_name,
      "Give it an endpoint of this network (removed at exit)", "NETWORK" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &publish,
      "Map a host port to a container port (with --network)", "HOST:CONTAINER[/tcp|udp]" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &command, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[--] COMMAND [ARG…]");
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (GKeyFile) system_options = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  int exit_code = 1;

  if (hcsctl_wants_help (argc, argv, entries))
    {
      hcsctl_print_help (&run_help, entries);
      return 0;
    }
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, FALSE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("hcsctl: run: %s\n", error->message);
      return 2;
    }
  if (command != NULL && command[0] != NULL && g_str_equal (command[0], "--"))
    {
      /* strict POSIX parsing leaves the separator in place */
      GStrv rest = g_strdupv (command + 1);
      g_strfreev (command);
      command = rest;
    }
  if (publish != NULL && network_name == NULL)
    {
      g_printerr ("hcsctl: run: -p needs --network NETWORK\n");
      return 2;
    }
  if (memory_mb < 0 || cpus < 0)
    {
      g_printerr ("hcsctl: run: --memory and --cpus must not be negative\n");
      return 2;
    }

  if (config_file != NULL)
    {
      config = hcs_container_config_from_file (config_file, &error);
      if (config == NULL)
        return hcsctl_fail ("run", error);
    }
  else
    config = hcs_container_config_new ();

  if (command != NULL && command[0] != NULL)
    {
      if (config->process == NULL)
        {
          config->process = hcs_process_config_new ();
          config->process->create_stdin_pipe = TRUE;
          config->process->create_stdout_pipe = TRUE;
          config->process->create_stderr_pipe = TRUE;
        }
      g_strfreev (config->process->command_args);
      config->process->command_args = g_strdupv (command);
    }
  if (config->process == NULL)
    {
      g_printerr ("hcsctl: run: no command given (hcsctl run [OPTION…] -- COMMAND [ARG…])\n");
      return 2;
    }
  if (name != NULL)
    {
      g_free (config->name);
      config->name = g_strdup (name);
    }
  if (hostname != NULL)
    {
      g_free (config->hostname);
      config->hostname = g_strdup (hostname);
    }
  if (memory_mb > 0)
    config->memory_maximum_in_mb = memory_mb;
  if (cpus > 0)
    config->processor_count = cpus;
  if (workdir != NULL)
    {
      g_free (config->process->working_directory);
      config->process->working_directory = g_strdup (workdir);
    }
  if (user != NULL)
    {
      g_free (config->process->user);
      config->process->user = g_strdup (user);
    }
  for (guint i = 0; env && env[i]; i++)
    {
      const char *equals = strchr (env[i], '=');
      if (equals == NULL || equals == env[i])
        {
          g_printerr ("hcsctl: run: --env '%s': expected NAME=VALUE\n", env[i]);
          return 2;
        }
      if (config->process->environment == NULL)
        config->process->environment =
            g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_replace (config->process->environment, g_strndup (env[i], equals - env[i]),
                            g_strdup (equals + 1));
    }
  for (guint i = 0; volumes && volumes[i]; i++)
    {
      HcsMappedDirectory *dir;
      if (!parse_volume (volumes[i], &dir, &error))
        return hcsctl_fail ("run", error);
      if (config->mapped_directories == NULL)
        config->mapped_directories =
            g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mapped_directory_free);
      g_ptr_array_add (config->mapped_directories, dir);
    }

  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_fail ("run", error);

  if (rootfs != NULL)
    {
      g_free (config->volume_path);
      config->volume_path = g_canonicalize_filename (rootfs, NULL);
    }
  else if (config->volume_path == NULL && (config->layers == NULL || config->layers->len == 0) &&
           !runs_in_guest (host, isolation))
    {
      g_autofree char *image_dir = hcs_options_get_string (
          hcs_host_get_options (host), NULL, "host", "image-dir", HCS_DEFAULT_IMAGE_DIR);
      config->volume_path = hcs_image_ensure_default (image_dir, NULL, &error);
      if (config->volume_path == NULL)
        return hcsctl_fail ("run", error);
    }

  if (tty)
    {
      struct winsize size;
      config->process->emulate_console = TRUE;
      if (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 ||
          ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
        {
          config->process->console_width = size.ws_col;
          config->process->console_height = size.ws_row;
        }
    }

  if (may_inherit_stdio (host, isolation, config))
    {
      config->process->create_stdin_pipe = FALSE;
      config->process->create_stdout_pipe = FALSE;
      config->process->create_stderr_pipe = FALSE;
      config->process->inherit_stdio = TRUE;
    }

  if (isolation != NULL)
    {
      system_options = g_key_file_new ();
      g_key_file_set_string (system_options, "host", "isolation", isolation);
    }
  if (held_by_default (host, isolation, name, tty))
    {
      if (system_options == NULL)
        system_options = g_key_file_new ();
      g_key_file_set_boolean (system_options, "lcow", "uvm-holder", TRUE);
    }

  if (network_name != NULL)
    {
      g_autoptr (HcsNetwork) network = hcsctl_find_network (host, network_name, &error);
      const char *ids[2] = { NULL, NULL };

      if (network == NULL)
        return hcsctl_fail ("run", error);
      endpoint = hcs_network_create_endpoint (network, name ? name : "hcsctl-run", NULL, &error);
      if (endpoint == NULL)
        return hcsctl_fail ("run", error);
      for (guint i = 0; publish && publish[i]; i++)
        {
          g_auto (GStrv) proto = g_strsplit (publish[i], "/", 2);
          g_auto (GStrv) ports = g_strsplit (proto[0], ":", 2);
          guint64 host_port = 0, container_port = 0;
          const char *protocol = proto[1] ? proto[1] : "tcp";

          if (ports[1] == NULL ||
              !g_ascii_string_to_unsigned (ports[0], 10, 1, 65535, &host_port, NULL) ||
              !g_ascii_string_to_unsigned (ports[1], 10, 1, 65535, &container_port, NULL) ||
              (!g_str_equal (protocol, "tcp") && !g_str_equal (protocol, "udp")))
            {
              g_printerr ("hcsctl: run: -p '%s': expected HOST:CONTAINER[/tcp|udp]\n", publish[i]);
              hcs_endpoint_remove (endpoint, NULL);
              return 2;
            }
          if (!hcs_endpoint_add_port_mapping (endpoint, protocol, container_port, host_port,
                                              &error))
            {
              hcs_endpoint_remove (endpoint, NULL);
              return hcsctl_fail ("run", error);
            }
        }
      ids[0] = hcs_endpoint_get_id (endpoint);
      g_strfreev (config->endpoint_list);
      config->endpoint_list = g_strdupv ((char **) ids);
    }
  container = hcs_host_create_container (host, name, config, system_options, &error);
  if (container == NULL)
    {
      if (endpoint != NULL)
        hcs_endpoint_remove (endpoint, NULL);
      return hcsctl_fail ("run", error);
    }
  init = hcs_container_get_init_process (container, &error);
  if (init == NULL)
    goto out;

  if (!hcsctl_attach_and_wait (container, init, tty, TRUE, &exit_code, &error))
    goto out;

out:
  if (error != NULL)
    {
      hcsctl_fail ("run", error);
      g_clear_error (&error);
      exit_code = exit_code == 0 ? 1 : exit_code;
      /* Whatever failed, leave nothing running behind us. */
      hcs_container_terminate (container, NULL);
      hcs_container_wait_timeout (container, 5000, NULL, NULL);
    }
  if (endpoint != NULL)
    hcs_endpoint_remove (endpoint, NULL);
  if (!hcs_container_remove (container, &error))
    {
      hcsctl_fail ("run", error);
      return exit_code == 0 ? 1 : exit_code;
    }
  return exit_code;
}
