/* hcsctl-front-delete.c: `delete [-f] ID` on hcsctl's front, GLib alone.
 * It acts only where the gate's [remove] group (hcs-gate.h) says that all
 * the driver holds for the container is its cgroups, its create's helper
 * and its state folder, the OCI front end recorded no poststop hooks and
 * the bundle's config.json is still the one it read them from; anything
 * else goes the full path (argon's remove, hcsctl-oci.c's delete), which
 * stays the reference.
 *
 * It does what the full path does, in the same order and with the same
 * crash-safety points, so a delete killed anywhere leaves what the full
 * path's would, and either path finishes it: the init SIGKILLed (through
 * a pidfd checked against its start time) with every process of its
 * cgroup (`hcsctl-terminated`); under the folder's lock the helper killed
 * if it still runs, the cgroups emptied and removed (`argon-remove-cgroup`:
 * the folder is then read as stopped, its cgroup gone), the folder moved
 * out of the way (`state-remove`, `state-removing`: the id is free, and a
 * listing sweeps what is left) and removed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcsctl-front.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* As argon waits for a terminated init. */
#define INIT_EXIT_TIMEOUT_MS 10000

static int
fail (const char *id, const char *message)
{
  g_autofree char *text = g_strdup_printf ("argon: container '%s': %s", id, message);

  return hcsctl_log_error ("delete", text);
}

/* The init and everything else in its cgroup, SIGKILLed, then waited for:
 * argon's terminate. The init through a pidfd checked against its start
 * time, so a pid reused since is never signalled; the cgroup's own kill
 * takes the execs (and thaws a v1 freezer first). */
static int
terminate (const HcsGate *gate)
{
  g_autoptr (GError) error = NULL;
  /* -1 when gone since we looked: stopped, nothing to kill but the cgroup. */
  int pidfd = hcs_gate_open_init (gate);

  if (pidfd >= 0 && syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 &&
      errno != ESRCH)
    {
      g_autofree char *message =
          g_strdup_printf ("process %d: sending signal %d: %s", gate->pid, SIGKILL,
                           g_strerror (errno));
      close (pidfd);
      return fail (gate->id, message);
    }
  if (!hcs_gate_cgroup_kill_all (gate->cgroup_members, gate->freezer, gate->freezer_version,
                                 &error))
    {
      if (pidfd >= 0)
        close (pidfd);
      return fail (gate->id, error->message);
    }
  if (pidfd >= 0)
    {
      struct pollfd fds = { .fd = pidfd, .events = POLLIN };
      int ready;

      do
        ready = poll (&fds, 1, INIT_EXIT_TIMEOUT_MS);
      while (ready < 0 && errno == EINTR);
      close (pidfd);
      if (ready == 0)
        {
          g_autofree char *message = g_strdup_printf (
              "process %d: still running %d ms after SIGKILL", gate->pid, INIT_EXIT_TIMEOUT_MS);
          return fail (gate->id, message);
        }
    }
  return 0;
}

/* The folder's lock, as hcs_state_folder_lock() takes it for a removal:
 * a remover that was first has removed the folder (-1, errno ENOENT). */
static int
lock_folder (const HcsGate *gate)
{
  g_autofree char *path = g_build_filename (gate->folder, "lock", NULL);
  struct stat st;
  int fd = open (path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return -1;
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int saved_errno = errno;

        close (fd);
        errno = saved_errno;
        return -1;
      }
  /* Removed while we waited: the lock is of a file no folder holds. */
  if (fstat (fd, &st) < 0 || st.st_nlink == 0)
    {
      close (fd);
      errno = ENOENT;
      return -1;
    }
  return fd;
}

/* argon's remove, then hcs_state_folder_remove(): the same steps, the same
 * fault points. */
static int
remove_system (const HcsGate *gate)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *systems = g_path_get_dirname (gate->folder);
  g_autofree char *doomed = NULL;
  int lock_fd = lock_folder (gate);

  if (lock_fd < 0)
    {
      g_autofree char *message = NULL;

      if (errno == ENOENT)
        return 0; /* another remover was first */
      message = g_strdup_printf ("locking %s: %s", gate->folder, g_strerror (errno));
      return fail (gate->id, message);
    }
  /* A create's helper that its creator never saw report (killed first). */
  if (gate->helper_pid > 0 && gate->helper_start_time != 0 &&
      hcs_gate_process_start_time (gate->helper_pid) == gate->helper_start_time)
    kill (gate->helper_pid, SIGKILL);
  /* Exec'd processes die with the pid namespace; anything that escaped the
   * namespace but stayed in the cgroup is killed here. */
  if (!hcs_gate_cgroup_kill_all (gate->cgroup_members, gate->freezer, gate->freezer_version,
                                 &error) ||
      !hcs_gate_cgroup_remove ((const char *const *) gate->cgroups, &error))
    {
      close (lock_fd);
      return fail (gate->id, error->message);
    }
  hcs_gate_fault_point ("argon-remove-cgroup");

  hcs_gate_fault_point ("state-remove");
  /* Out of the way first, under hcs-state's name for it: the id is free at
   * once, and a remover killed below leaves what a listing finishes. */
  doomed = g_strdup_printf ("%s/.removing-%s-%08x", systems, gate->id, g_random_int ());
  if (rename (gate->folder, doomed) < 0)
    {
      int saved_errno = errno;
      g_autofree char *message = NULL;

      close (lock_fd);
      if (saved_errno == ENOENT)
        return 0;
      message = g_strdup_printf ("state: removing %s: %s", gate->folder, g_strerror (saved_errno));
      return hcsctl_log_error ("delete", message);
    }
  hcs_gate_fault_point ("state-removing");
  if (!hcs_gate_remove_tree (doomed, &error))
    {
      g_autofree char *message = g_strdup_printf ("state: %s", error->message);

      close (lock_fd);
      return hcsctl_log_error ("delete", message);
    }
  close (lock_fd);
  return 0;
}

int
hcsctl_front_delete (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (HcsGate) gate = { 0 };
  const char *id = NULL;
  gboolean force = FALSE;
  HcsGateStatus status;
  int code;

  /* `delete [-f|--force] ID`, the option before or after the id, as the
   * full path's parser takes it; any other shape is its to parse. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "-f") || g_str_equal (argv[i], "--force"))
        force = TRUE;
      else if (argv[i][0] == '-' || id != NULL)
        return HCSCTL_FRONT_DECLINED;
      else
        id = argv[i];
    }
  if (id == NULL || !hcsctl_front_open_gate (globals, id, &gate) || !gate.has_oci ||
      gate.start_fifo == NULL || !gate.removable || gate.oci_poststop ||
      !hcsctl_front_config_unchanged (&gate))
    {
      if (globals->debug && gate.folder != NULL)
        g_printerr ("hcsctl: the full path for deleting '%s'\n", id);
      return HCSCTL_FRONT_DECLINED;
    }

  status = hcs_gate_get_status (&gate);
  /* The runtime spec: deleting what is not stopped (created included) is
   * an error that leaves it as it is; --force kills it. */
  if (status != HCS_GATE_STOPPED && !force)
    {
      g_autofree char *message =
          g_strdup_printf ("cannot delete container %s that is not stopped: %s", id,
                           hcs_gate_status_name (status));
      return hcsctl_log_error ("delete", message);
    }
  if (status != HCS_GATE_STOPPED)
    {
      if ((code = terminate (&gate)) != 0)
        return code;
      hcs_gate_fault_point ("hcsctl-terminated");
    }
  return remove_system (&gate);
}
