/* hcsctl-front-run.c: runc's `run [-b|--bundle DIR] [--pid-file FILE]
 * [-d|--detach] ID` on hcsctl's front, linking GLib alone
 * (docs/performance.md, "A create and a run without GIO").
 *
 * It does what hcsctl-oci.c's hcsctl_cmd_oci_run() does. The create is
 * the front create's own code (hcsctl-front-create.c), detached with -d,
 * otherwise with the helper kept as the init's parent, as argon makes it
 * for a caller that stays. With -d the start is the front's start
 * (hcsctl-front.c), a failed one discarding the container, as
 * hcs_container_discard() does. Without it, as hcsctl_attach_and_wait()
 * with nothing to copy (the init has our stdio): SIGINT, SIGTERM and
 * SIGHUP caught from before the release and forwarded to the init, the
 * init released through the helper's start pipe, its exit seen through
 * the helper's pidfd (the helper mirrors it: 128+N for a death by signal
 * N), then the container removed (what is left in the cgroup killed, the
 * cgroup, the folder).
 *
 * hcs's own form (told apart by hcsctl_run_is_runc_form(), as the full
 * path's run_either() tells them) is served bare: `run [--rootfs DIR]
 * [--name NAME] [--] COMMAND [ARG...]`, what hcsctl-run.c's
 * hcsctl_cmd_run() does with nothing else given, in process isolation
 * with our stdio inherited (may_inherit_stdio()). The id is NAME, or a
 * random UUID as hcs_host_create_container() makes one; the root is DIR
 * or the built-in image, unpacked. The container is made by
 * hcsctl_front_container_create_for_command() and run in the foreground
 * as runc's form is run.
 *
 * Declined, before anything is made: of runc's form any other option
 * (--keep, --console-socket, --no-pivot, ...), of hcs's own any other
 * option (--tty, --memory, --config, --env, --volume, --network, ...),
 * an option given twice, a terminal among the standard streams (the
 * full path copies through pipes then), the built-in image not unpacked
 * yet, and whatever the front create declines (a terminal, hooks, ...).
 * With --debug it says on stderr that it served the run, or why not.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-error.h"
#include "hcsctl-front.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

static int
decline (HcsctlGlobals *globals, const char *reason)
{
  if (globals->debug)
    g_printerr ("hcsctl: the full path for run: %s\n", reason);
  return HCSCTL_FRONT_DECLINED;
}

/* --- the command line --------------------------------------------------------------- */

/* hcs's own form, bare: the options hcsctl_cmd_run()'s strict POSIX
 * GOptionContext reads before the command, at most once each and with a
 * value that is no option, then "--" or not, then the command. */
typedef struct {
  const char *rootfs;
  const char *name;
  const char *const *command;
} OwnRunArgs;

static gboolean
parse_own_form (int argc, char **argv, OwnRunArgs *args)
{
  int i = 1;

  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *value = NULL, **slot;

      if (g_str_equal (argv[i], "--"))
        {
          i++;
          break;
        }
      if (hcsctl_front_option_value (argc, argv, &i, "--rootfs", NULL, &value))
        slot = &args->rootfs;
      else if (hcsctl_front_option_value (argc, argv, &i, "--name", NULL, &value))
        slot = &args->name;
      else
        return FALSE;
      if (*slot != NULL || value[0] == '-')
        return FALSE;
      *slot = value;
    }
  if (i >= argc)
    return FALSE;
  args->command = (const char *const *) argv + i;
  return TRUE;
}

/* --- signals ------------------------------------------------------------------------ */

/* A caught signal sent on to the init; one that has exited is no error
 * (hcsctl-run.c's signals_arrived_cb()). */
static void
forward_to_init (int signum, gpointer data)
{
  HcsctlFrontContainer *container = data;
  g_autoptr (GError) error = NULL;

  if (!hcsctl_front_container_signal (container, signum, &error) &&
      !g_error_matches (error, HCS_ERROR, HCS_ERROR_PROCESS_ALREADY_STOPPED))
    g_printerr ("hcsctl: run: forwarding signal %d: %s\n", signum, error->message);
}

/* --- the verb ------------------------------------------------------------------------ */

/* hcsctl-run.c's wait_with_nothing_to_copy() with start: signals caught,
 * the init released, its exit waited for with signals forwarded
 * meanwhile and after. The helper that mirrors the exit is not waited
 * for here: the removal goes on while it leaves (one hop between
 * processes, 0.2 ms, less in the teardown). */
static gboolean
release_and_wait (HcsctlFrontContainer *container, GError **error)
{
  HcsctlFrontSignals signals = HCSCTL_FRONT_SIGNALS_INIT;
  gboolean ok = FALSE;

  if (!hcsctl_front_signals_catch (&signals, error))
    return FALSE;
  if (!hcsctl_front_container_release (container, error))
    goto out;
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = signals.pipe_fds[0], .events = POLLIN },
                               { .fd = hcsctl_front_container_get_exit_fd (container),
                                 .events = POLLIN } };

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          hcs_set_error_from_errno (error, errno, "waiting for %s",
                                    hcsctl_front_container_get_id (container));
          goto out;
        }
      if (fds[0].revents & POLLIN)
        hcsctl_front_signals_forward (&signals, forward_to_init, container);
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        break;
    }
  ok = TRUE;

out:
  /* Signals that came in the meantime go to the process still. */
  hcsctl_front_signals_forward (&signals, forward_to_init, container);
  hcsctl_front_signals_release (&signals);
  return ok;
}

/* -d: the front's start; a failed one discards the container. A gate the
 * start no longer trusts (config.json changed since the create: its
 * poststart hooks are read again) is the full path's start. */
static int
start_detached (HcsctlGlobals *globals, HcsctlFrontContainer *container)
{
  const char *id = hcsctl_front_container_get_id (container);
  int code = hcsctl_front_start (globals, "run", id);

  if (code == HCSCTL_FRONT_DECLINED)
    {
      char *start[] = { "start", (char *) id, NULL };

      if (globals->debug)
        g_printerr ("hcsctl: the full path for run's start of '%s'\n", id);
      return hcsctl_front_run_full (globals, 2, start);
    }
  if (code != 0)
    hcsctl_front_container_discard (container);
  return code;
}

/* The foreground run of a container made not detached: released, waited
 * for with signals forwarded, removed, its helper reaped. Its exit code;
 * *@removed FALSE when the removal failed (logged). */
static int
run_in_foreground (HcsctlFrontContainer *container, gboolean *removed)
{
  g_autoptr (GError) error = NULL;
  gboolean waited = release_and_wait (container, &error);
  int exit_code = 1;

  if (!waited)
    {
      hcsctl_log_error ("run", error->message);
      hcsctl_front_container_terminate (container, 5000);
    }
  g_clear_error (&error);
  *removed = hcsctl_front_container_remove (container, &error);
  if (!*removed)
    hcsctl_log_error ("run", error->message);
  if (waited)
    exit_code = hcsctl_front_container_reap (container);
  return exit_code;
}

/* hcsctl_cmd_run() with nothing but --rootfs and --name given. */
static int
run_own_form (HcsctlGlobals *globals, int argc, char **argv)
{
  OwnRunArgs args = { 0 };
  g_autoptr (HcsctlFrontContainer) container = NULL;
  g_autofree char *generated_id = NULL;
  gboolean removed;
  int code, exit_code;

  if (!parse_own_form (argc, argv, &args))
    return decline (globals, "hcs's own form with these options");
  /* may_inherit_stdio(): a terminal of ours is not handed in. */
  for (int fd = 0; fd <= 2; fd++)
    if (isatty (fd))
      return decline (globals, "a terminal among the standard streams");
  /* hcs_host_create_container()'s id: the name, or a random one. */
  if (args.name == NULL)
    generated_id = g_uuid_string_random ();
  code = hcsctl_front_container_create_for_command (globals,
                                                    args.name ? args.name : generated_id,
                                                    args.name, args.rootfs, args.command,
                                                    &container);
  if (code != 0)
    return code;
  exit_code = run_in_foreground (container, &removed);
  /* hcsctl_cmd_run(): a failed removal is a failure. */
  return removed || exit_code != 0 ? exit_code : 1;
}

int
hcsctl_front_run (HcsctlGlobals *globals, int argc, char **argv)
{
  HcsctlFrontBundleArgs args = { 0 };
  g_autoptr (HcsctlFrontContainer) container = NULL;
  gboolean removed;
  int code;

  if (!hcsctl_run_is_runc_form (argc, argv))
    return run_own_form (globals, argc, argv);
  if (!hcsctl_front_parse_bundle_args (argc, argv, TRUE, &args))
    return decline (globals, "its options");
  code = hcsctl_front_container_create (globals, "run", args.id, args.bundle, args.pid_file,
                                        args.detach, &container);
  if (code != 0)
    return code;
  if (args.detach)
    return start_detached (globals, container);
  return run_in_foreground (container, &removed);
}
