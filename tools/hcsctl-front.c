/* hcsctl-front.c: the hcsctl command itself, linking GLib alone. It parses
 * the global options, serves `start`, `state` and `kill` of a container
 * whose state folder has a start gate (hcs-gate.h) it can trust (and
 * `delete`, `exec`, runc's `create` and `run` and hcs's own bare `run`
 * from files of their own: hcsctl-front.h), and execs the full path (the
 * program hcsctl-full: libhcs, GIO, json-glib and the plugins) for
 * everything else, with the same command line. It is linked statically,
 * so a light verb skips dynamic linking altogether, GIO and json-glib
 * (and libmount, libselinux, libblkid), GObject's type set-up and the
 * plugin's dlopen: docs/performance.md.
 *
 * Whatever the front is unsure of goes the full path, which stays the
 * reference: an option of a verb, a missing, unknown or half-written gate,
 * an owner other than argon, a system started only by its creator, a
 * bundle with poststart hooks, `kill --all`, HCSCTL_FRONT=0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-gate.h"
#include "hcsctl-common.h"
#include "hcsctl-front.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_STATE_DIR "/run/hcs"

/* The verb went the full path: the front does not know enough. */
#define FRONT_DECLINED (-1)

/* The command line's program and global options, as given: the full
 * path is exec'd with them (hcsctl_front_run_full). */
static char *program_name;
static char **global_args;
static int n_global_args;

/* The full path's program: beside this one in a build folder, else the
 * installed one. */
static char *
find_full_program (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (self != NULL)
    {
      g_autofree char *folder = g_path_get_dirname (self);
      g_autofree char *beside = g_build_filename (folder, HCSCTL_FULL_PROGRAM, NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&beside);
    }
  return g_build_filename (HCS_LIBEXECDIR, HCSCTL_FULL_PROGRAM, NULL);
}

int
hcsctl_front_run_full (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *program = find_full_program ();
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  (void) globals; /* they are global_args, read again by the full path */
  g_ptr_array_add (args, program_name);
  for (int i = 0; i < n_global_args; i++)
    g_ptr_array_add (args, global_args[i]);
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  execv (program, (char **) args->pdata);
  g_printerr ("hcsctl: cannot run its full path %s: %s\n", program, g_strerror (errno));
  return 1;
}

/* --- the front's verbs ---------------------------------------------------------------- */

/* As hcs_state_validate_id(): an id the full path would refuse is its to
 * refuse, with its message. */
static gboolean
is_valid_id (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > 128 || !g_ascii_isalnum (id[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      return FALSE;
  return TRUE;
}

/* The state folder as the full path finds it: --root over the runtime
 * options' [host] state-dir over the default. NULL: in doubt. */
static char *
find_state_dir (HcsctlGlobals *globals)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autofree char *state_dir = NULL;

  if (globals->options_file != NULL)
    {
      options = g_key_file_new ();
      if (!g_key_file_load_from_file (options, globals->options_file, G_KEY_FILE_NONE, NULL))
        return NULL; /* the full path says what is wrong with it */
    }
  if (globals->root != NULL)
    return g_canonicalize_filename (globals->root, NULL);
  if (options != NULL)
    state_dir = g_key_file_get_string (options, "host", "state-dir", NULL);
  if (state_dir == NULL || *g_strstrip (state_dir) == '\0')
    return g_strdup (DEFAULT_STATE_DIR);
  if (!g_path_is_absolute (state_dir))
    return NULL;
  return g_canonicalize_filename (state_dir, NULL);
}

/* The gate of @id, if the front may act on it. */
static gboolean
open_gate (HcsctlGlobals *globals, const char *id, HcsGate *gate)
{
  g_autofree char *state_dir = NULL;
  g_autoptr (GError) error = NULL;

  if (!is_valid_id (id) || (state_dir = find_state_dir (globals)) == NULL)
    return FALSE;
  if (!hcs_gate_load (state_dir, id, gate, &error))
    {
      if (globals->debug)
        g_printerr ("hcsctl: the full path for '%s': %s\n", id, error->message);
      return FALSE;
    }
  if (!g_str_equal (gate->owner, "argon"))
    return FALSE;
  return TRUE;
}

gboolean
hcsctl_front_open_gate (HcsctlGlobals *globals, const char *id, HcsGate *gate)
{
  return open_gate (globals, id, gate);
}

static int
front_state (HcsctlGlobals *globals, const char *id)
{
  g_auto (HcsGate) gate = { 0 };
  g_autoptr (GString) out = NULL;
  g_autofree char *created = NULL;
  HcsGateStatus status;

  if (!open_gate (globals, id, &gate) || !gate.has_oci || gate.start_fifo == NULL)
    return FRONT_DECLINED;
  status = hcs_gate_get_status (&gate);
  created = hcsctl_format_time (gate.created);
  /* hcsctl-oci.c's state_node() as json-glib prints it (pretty, indent
   * 2); the bundle's members were rendered by it at create. The id needs
   * no escaping: only letters, digits, '-', '_' and '.'. */
  out = g_string_sized_new (512);
  g_string_append_printf (out,
                          "{\n"
                          "  \"ociVersion\" : \"" HCSCTL_OCI_VERSION "\",\n"
                          "  \"id\" : \"%s\",\n"
                          "  \"pid\" : %d,\n"
                          "  \"status\" : \"%s\",\n"
                          "%s,\n"
                          "  \"created\" : \"%s\",\n",
                          id, status == HCS_GATE_STOPPED ? 0 : gate.pid,
                          hcs_gate_status_name (status), gate.oci_members, created);
  if (gate.oci_annotations != NULL)
    g_string_append_printf (out, "%s,\n", gate.oci_annotations);
  g_string_append (out, "  \"owner\" : \"\"\n}\n");
  fwrite (out->str, 1, out->len, stdout);
  return fflush (stdout) == 0 ? 0 : 1;
}

/* The full path reads the bundle's hooks when it starts: the gate's word
 * on them holds only for the config.json it was written from. */
static gboolean
config_unchanged (const HcsGate *gate)
{
  g_autofree char *stamp = NULL;

  if (gate->oci_config == NULL || gate->oci_config_stamp == NULL)
    return FALSE;
  stamp = hcs_gate_file_stamp (gate->oci_config);
  return stamp != NULL && g_str_equal (stamp, gate->oci_config_stamp);
}

gboolean
hcsctl_front_config_unchanged (const HcsGate *gate)
{
  return config_unchanged (gate);
}

static int
init_exited (const char *verb, const char *id)
{
  g_autofree char *message =
      g_strdup_printf ("argon: container '%s': its init exited before it was started", id);

  return hcsctl_log_error (verb, message);
}

/* argon's start_through_fifo(), with the same crash-safety points: the
 * init blocks opening the fifo to write until we open it to read; one byte
 * read means it goes on to exec. Its pidfd is watched beside, so a dead
 * init is an error, not a hang. The fifo removed is the record that it
 * was started (hcs_gate_get_status()), the instant goes to gate-started. */
int
hcsctl_front_start (HcsctlGlobals *globals, const char *verb, const char *id)
{
  g_auto (HcsGate) gate = { 0 };
  g_autofree char *fifo = NULL, *started = NULL;
  g_autoptr (GError) error = NULL;
  int fifo_fd, pidfd;
  char byte;
  gssize n;

  if (!open_gate (globals, id, &gate) || !gate.has_oci || gate.start_fifo == NULL ||
      gate.oci_poststart || !config_unchanged (&gate))
    return FRONT_DECLINED;
  switch (hcs_gate_get_status (&gate))
    {
    case HCS_GATE_STOPPED:
      return hcsctl_log_error (verb, "cannot start a container that has stopped");
    case HCS_GATE_RUNNING:
      return hcsctl_log_error (verb, "cannot start an already running container");
    case HCS_GATE_PAUSED:
      return hcsctl_log_error (verb, "cannot start a container in the paused state");
    case HCS_GATE_CREATED:
      break;
    }

  /* The pidfd first: it names the init, never a process that reused its
   * pid since. */
  pidfd = hcs_gate_open_init (&gate);
  if (pidfd < 0)
    return init_exited (verb, id);
  fifo = g_build_filename (gate.folder, gate.start_fifo, NULL);
  fifo_fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo_fd < 0)
    {
      g_autofree char *message = g_strdup_printf ("argon: container '%s': opening %s: %s", id,
                                                  fifo, g_strerror (errno));
      close (pidfd);
      return hcsctl_log_error (verb, message);
    }
  /* Opened: the init is released, whatever happens to us now. */
  hcs_gate_fault_point ("argon-start-opened");
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = fifo_fd, .events = POLLIN },
                               { .fd = pidfd, .events = POLLIN } };
      int ready = poll (fds, 2, -1);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready > 0 && (fds[0].revents & POLLIN))
        break;
      close (fifo_fd);
      close (pidfd);
      return init_exited (verb, id);
    }
  do
    n = read (fifo_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  close (fifo_fd);
  close (pidfd);
  if (n != 1)
    {
      g_autofree char *message = g_strdup_printf (
          "argon: container '%s': starting it through %s failed", id, fifo);
      return hcsctl_log_error (verb, message);
    }
  unlink (fifo);
  hcs_gate_fault_point ("argon-started");
  started = g_strdup_printf ("%" G_GINT64_FORMAT "\n", g_get_real_time ());
  if (!hcs_gate_write_record (gate.folder, HCS_GATE_STARTED_RECORD, started, &error))
    {
      g_autofree char *message = g_strdup_printf ("state: %s", error->message);
      return hcsctl_log_error (verb, message);
    }
  /* hcsctl_cmd_start()'s own; a run's start has none. */
  if (g_str_equal (verb, "start"))
    hcs_gate_fault_point ("hcsctl-started");
  return 0;
}

/* The init through a pidfd checked against its start time: a pid reused
 * since the init exited is never signalled. */
static int
front_kill (HcsctlGlobals *globals, const char *id, const char *signal_name)
{
  g_auto (HcsGate) gate = { 0 };
  int signum = signal_name ? hcsctl_parse_signal (signal_name) : SIGTERM;
  int pidfd;

  if (signum < 0 || !open_gate (globals, id, &gate))
    return FRONT_DECLINED;
  pidfd = hcs_gate_open_init (&gate);
  if (pidfd < 0 && errno != ESRCH)
    return FRONT_DECLINED; /* no pidfds here: the full path knows what to do */
  if (pidfd < 0)
    return hcsctl_log_error ("kill", "container not running");
  if (syscall (SYS_pidfd_send_signal, pidfd, signum, NULL, 0) < 0)
    {
      int saved_errno = errno;
      g_autofree char *message = g_strdup_printf (
          "argon: process %d of container '%s': sending signal %d: %s", gate.pid, id, signum,
          g_strerror (saved_errno));

      close (pidfd);
      return hcsctl_log_error ("kill", message);
    }
  close (pidfd);
  return 0;
}

/* `start ID`, `state ID`, `kill ID [SIGNAL]` and nothing else: any option
 * (--help included) and any other shape are the full path's to parse. */
static int
try_front (HcsctlGlobals *globals, int argc, char **argv)
{
  const char *verb = argv[0];
  const char *front = g_getenv ("HCSCTL_FRONT");

  if (front != NULL && g_str_equal (front, "0"))
    return FRONT_DECLINED;
  /* -f and --force are its own to read. */
  if (g_str_equal (verb, "delete"))
    return hcsctl_front_delete (globals, argc, argv);
  /* runc's detached create: its options are its own to parse. */
  if (g_str_equal (verb, "create"))
    return hcsctl_front_create (globals, argc, argv);
  /* runc's run, or hcs's own: decided as the full path decides. */
  if (g_str_equal (verb, "run"))
    return hcsctl_front_run (globals, argc, argv);
  /* Its options and its command's are its own to parse. */
  if (g_str_equal (verb, "exec"))
    return hcsctl_front_exec (globals, argc, argv);
  for (int i = 1; i < argc; i++)
    if (argv[i][0] == '-')
      return FRONT_DECLINED;
  if (g_str_equal (verb, "state") && argc == 2)
    return front_state (globals, argv[1]);
  if (g_str_equal (verb, "start") && argc == 2)
    return hcsctl_front_start (globals, "start", argv[1]);
  if (g_str_equal (verb, "kill") && (argc == 2 || argc == 3))
    return front_kill (globals, argv[1], argc == 3 ? argv[2] : NULL);
  return FRONT_DECLINED;
}

/* --- the command ------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  HcsctlGlobals globals = { 0 };
  int first, code;

  /* The character set (arguments, terminal) and messages are the user's;
   * numbers and times stay C, so runc's JSON and tables never change with
   * LC_NUMERIC or LC_TIME (and the other categories are not loaded). */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  hcsctl_set_globals (&globals);

  program_name = argv[0];
  global_args = argv + 1;
  switch (hcsctl_parse_globals (argc, argv, &globals, &first))
    {
    case HCSCTL_GLOBALS_VERSION:
      hcsctl_print_version ();
      return 0;
    case HCSCTL_GLOBALS_BAD_VALUE:
      return 2;
    case HCSCTL_GLOBALS_HELP:
    case HCSCTL_GLOBALS_UNKNOWN:
      /* The full path prints the usage, or says what it does not know. */
      n_global_args = argc - 1;
      return hcsctl_front_run_full (&globals, 0, NULL);
    case HCSCTL_GLOBALS_PARSED:
      break;
    }
  n_global_args = first - 1;
  if (first >= argc)
    return hcsctl_front_run_full (&globals, 0, NULL);
  code = try_front (&globals, argc - first, argv + first);
  if (code != FRONT_DECLINED)
    return code;
  return hcsctl_front_run_full (&globals, argc - first, argv + first);
}
