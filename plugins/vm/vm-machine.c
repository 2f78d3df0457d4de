/* vm-machine.c: the QEMU process of a VM and the files it owns.
 *
 * QEMU inherits listening sockets made here (chardev fd=N) instead of
 * making them itself, so QMP and the boot ports can be connected at once
 * with no wait for the sockets to appear; hot-added ports are made by
 * QEMU (chardev-add) before the device that uses them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-machine.h"

#include "hcs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* How long QEMU has to exit after quit before it is killed, and the
 * device_del of a port to be reported. */
#define QUIT_TIMEOUT_MS 5000
#define DEVICE_DELETED_TIMEOUT_MS 10000
/* A guard on taking a saved state in (a few MB: milliseconds), not a
 * timing: a QEMU that never resumes the guest is killed. */
#define RESTORE_TIMEOUT_MS 120000

typedef struct {
  GTask *task;
  GSource *timeout;
} ExitWaiter;

struct _VmMachine
{
  GObject parent_instance;

  VmConfig *config;
  char *run_dir;
  char *console_log;
  GSubprocess *process;
  GPid pid;
  VmQmp *qmp;
  VmQmp *start_qmp;   /* until the start is done: QMP with its first commands queued */
  guint start_steps;  /* what the start still waits for: QMP, and the restore's steps */
  GHashTable *ports; /* name -> GIOStream */
  GHashTable *disks; /* name -> its root port + 1 */
  GHashTable *nics;  /* name -> its root port + 1 */
  guint32 disk_slots; /* root ports in use (disks and NICs), a bit each */
  gboolean started;
  gboolean exited;
  GTask *start_task;
  GError *start_error; /* why the start is being abandoned */
  GSource *start_cancel_source;
  GList *exit_waiters; /* ExitWaiter */
  char *incoming_uri;  /* "fd:N": the saved state QEMU inherited */
};

G_DEFINE_FINAL_TYPE (VmMachine, vm_machine, G_TYPE_OBJECT)

enum { SIGNAL_EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The host end of a port: shut down rather than closed, so that a reader
 * that still holds it sees the end of the stream instead of an error. */
static void
port_stream_free (gpointer stream)
{
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));

  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_object_unref (stream);
}

static void
vm_machine_finalize (GObject *object)
{
  VmMachine *vm = VM_MACHINE (object);

  /* A running QEMU holds a reference (its wait), so it has gone here. */
  g_clear_pointer (&vm->config, vm_config_free);
  g_free (vm->run_dir);
  g_free (vm->console_log);
  g_free (vm->incoming_uri);
  g_clear_object (&vm->process);
  g_clear_object (&vm->qmp);
  g_clear_object (&vm->start_qmp);
  g_clear_pointer (&vm->ports, g_hash_table_unref);
  g_clear_pointer (&vm->disks, g_hash_table_unref);
  g_clear_pointer (&vm->nics, g_hash_table_unref);
  g_clear_error (&vm->start_error);
  g_assert (vm->start_cancel_source == NULL);
  G_OBJECT_CLASS (vm_machine_parent_class)->finalize (object);
}

static void
vm_machine_class_init (VmMachineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vm_machine_finalize;

  /* QEMU has exited, been reaped, and the run folder is gone. */
  signals[SIGNAL_EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vm_machine_init (VmMachine *vm)
{
  vm->ports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, port_stream_free);
  vm->disks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  vm->nics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

VmMachine *
vm_machine_new (const VmConfig *config, const char *run_dir)
{
  VmMachine *vm = g_object_new (VM_TYPE_MACHINE, NULL);

  vm->config = vm_config_copy (config);
  vm->run_dir = g_strdup (run_dir);
  return vm;
}

const char *
vm_machine_get_run_dir (VmMachine *vm)
{
  return vm->run_dir;
}

const char *
vm_machine_get_console_log (VmMachine *vm)
{
  return vm->console_log;
}

GPid
vm_machine_get_pid (VmMachine *vm)
{
  return vm->pid;
}

JsonObject *
vm_machine_ignore_shared_arguments (void)
{
  JsonObject *arguments = json_object_new ();
  JsonArray *capabilities = json_array_new ();
  JsonObject *capability = json_object_new ();

  json_object_set_string_member (capability, "capability", "x-ignore-shared");
  json_object_set_boolean_member (capability, "state", TRUE);
  json_array_add_object_element (capabilities, capability);
  json_object_set_array_member (arguments, "capabilities", capabilities);
  return arguments;
}

VmQmp *
vm_machine_get_qmp (VmMachine *vm)
{
  return vm->qmp;
}

gboolean
vm_machine_is_running (VmMachine *vm)
{
  return vm->started && !vm->exited;
}

gboolean
vm_machine_get_host_usage (VmMachine *vm, guint64 *cpu_ns, guint64 *rss_bytes, GError **error)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *statm_path = NULL;
  g_autofree char *stat = NULL;
  g_autofree char *statm = NULL;
  g_auto (GStrv) fields = NULL;
  g_auto (GStrv) pages = NULL;
  const char *after_comm;
  long ticks = sysconf (_SC_CLK_TCK);
  long page_size = sysconf (_SC_PAGESIZE);

  if (!vm_machine_is_running (vm) || vm->pid == 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "vm: QEMU is not running");
      return FALSE;
    }
  stat_path = g_strdup_printf ("/proc/%d/stat", vm->pid);
  statm_path = g_strdup_printf ("/proc/%d/statm", vm->pid);
  if (!g_file_get_contents (stat_path, &stat, NULL, error) ||
      !g_file_get_contents (statm_path, &statm, NULL, error))
    return FALSE;
  /* The fields after the command name, which may hold spaces and ')':
   * state is the first, utime the 12th, stime the 13th. */
  after_comm = strrchr (stat, ')');
  fields = after_comm ? g_strsplit (after_comm + 2, " ", 0) : NULL;
  pages = g_strsplit (statm, " ", 0);
  if (fields == NULL || g_strv_length (fields) < 13 || g_strv_length (pages) < 2)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "vm: '%s' or '%s' cannot be read",
                   stat_path, statm_path);
      return FALSE;
    }
  *cpu_ns = (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10)) *
            (G_GUINT64_CONSTANT (1000000000) / ticks);
  *rss_bytes = g_ascii_strtoull (pages[1], NULL, 10) * page_size;
  return TRUE;
}

GIOStream *
vm_machine_get_port (VmMachine *vm, const char *name)
{
  return g_hash_table_lookup (vm->ports, name);
}

static char *
port_socket_path (VmMachine *vm, const char *name)
{
  g_autofree char *file = g_strdup_printf ("port-%s.sock", name);

  return g_build_filename (vm->run_dir, file, NULL);
}

static gboolean
check_socket_path (const char *path, GError **error)
{
  struct sockaddr_un address;

  if (strlen (path) < sizeof address.sun_path)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "vm: socket path '%s' is longer than a unix socket address allows (%zu)", path,
               sizeof address.sun_path - 1);
  return FALSE;
}

/* A listening unix socket at @path for QEMU to inherit. */
static int
listen_unix (const char *path, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (!check_socket_path (path, error))
    return -1;
  strcpy (address.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      hcs_set_error_from_errno (error, errno, "vm: socket for '%s'", path);
      return -1;
    }
  if (bind (fd, (struct sockaddr *) &address, sizeof address) < 0 || listen (fd, 4) < 0)
    {
      int saved_errno = errno;

      close (fd);
      hcs_set_error_from_errno (error, saved_errno, "vm: listening on '%s'", path);
      return -1;
    }
  return fd;
}

static GIOStream *
connect_unix (const char *path, GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);

  return G_IO_STREAM (g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL,
                                               error));
}

/* Removes every file of the run folder (QEMU's sockets, logs), then the
 * folder. Only this VM writes there. */
static void
remove_run_dir (VmMachine *vm)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (vm->run_dir == NULL || (dir = g_dir_open (vm->run_dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (vm->run_dir, name, NULL);

      if (g_unlink (path) < 0)
        g_warning ("vm: removing '%s': %s", path, g_strerror (errno));
    }
  if (g_rmdir (vm->run_dir) < 0)
    g_warning ("vm: removing '%s': %s", vm->run_dir, g_strerror (errno));
}

/* What QEMU's child process sets up before it execs QEMU. */
typedef enum {
  CHILD_DIE_WITH_PARENT = 1 << 0,
  CHILD_NO_HUGE_PAGES = 1 << 1,
} ChildSetup;

static void
child_setup (gpointer user_data)
{
  ChildSetup setup = GPOINTER_TO_UINT (user_data);

  if (setup & CHILD_DIE_WITH_PARENT)
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* Inherited across exec: QEMU's madvise (MADV_HUGEPAGE) of its TCG
   * code buffer no longer gives it 2 MiB pages, resident whole. */
  if (setup & CHILD_NO_HUGE_PAGES)
    prctl (PR_SET_THP_DISABLE, 1, 0, 0, 0);
}

static void
exit_waiter_free (ExitWaiter *waiter)
{
  if (waiter->timeout != NULL)
    {
      g_source_destroy (waiter->timeout);
      g_source_unref (waiter->timeout);
    }
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
stop_watching_start_cancel (VmMachine *vm)
{
  if (vm->start_cancel_source != NULL)
    {
      g_source_destroy (vm->start_cancel_source);
      g_clear_pointer (&vm->start_cancel_source, g_source_unref);
    }
}

static void
process_exited_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmMachine) vm = user_data;
  g_autoptr (GTask) start_task = g_steal_pointer (&vm->start_task);
  g_autofree char *stderr_text = NULL;
  g_autofree char *stderr_path = NULL;
  GList *waiters;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  stop_watching_start_cancel (vm);
  vm->exited = TRUE;
  vm->pid = 0;
  if (vm->qmp != NULL)
    vm_qmp_close (vm->qmp);
  if (vm->start_qmp != NULL)
    vm_qmp_close (vm->start_qmp);
  g_hash_table_remove_all (vm->ports);

  stderr_path = g_build_filename (vm->run_dir, "qemu.log", NULL);
  if (start_task != NULL)
    g_file_get_contents (stderr_path, &stderr_text, NULL, NULL);
  remove_run_dir (vm);

  if (start_task != NULL &&
      g_error_matches (vm->start_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (start_task, g_error_copy (vm->start_error));
  else if (start_task != NULL)
    {
      g_autofree char *status = NULL;

      if (g_subprocess_get_if_signaled (vm->process))
        status = g_strdup_printf ("was killed by signal %d", g_subprocess_get_term_sig (vm->process));
      else
        status = g_strdup_printf ("exited with status %d",
                                  g_subprocess_get_exit_status (vm->process));
      g_task_return_new_error (start_task, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                               "vm: QEMU %s while starting%s%s%s%s", status,
                               vm->start_error ? ": " : "",
                               vm->start_error ? vm->start_error->message : "",
                               stderr_text && *stderr_text ? ": " : "",
                               stderr_text ? g_strstrip (stderr_text) : "");
    }

  waiters = g_steal_pointer (&vm->exit_waiters);
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      ExitWaiter *waiter = l->data;

      g_task_return_boolean (waiter->task, TRUE);
    }
  g_list_free_full (waiters, (GDestroyNotify) exit_waiter_free);
  g_signal_emit (vm, signals[SIGNAL_EXITED], 0);
}

/* Gives up a start that went wrong after QEMU was spawned: QEMU is
 * killed and the start fails, with its stderr, once it is reaped. */
static void
abandon_start (VmMachine *vm, GError *error)
{
  if (vm->start_error == NULL)
    vm->start_error = error;
  else
    g_error_free (error);
  if (vm->process != NULL && !vm->exited)
    g_subprocess_force_exit (vm->process);
}

/* One more of the start's steps is done: the last completes the start. */
static void
start_step_done (VmMachine *vm)
{
  g_autoptr (GTask) start_task = NULL;

  g_assert (vm->start_steps > 0);
  if (--vm->start_steps > 0 || vm->start_task == NULL)
    return;
  stop_watching_start_cancel (vm);
  vm->qmp = g_steal_pointer (&vm->start_qmp);
  start_task = g_steal_pointer (&vm->start_task);
  g_task_return_boolean (start_task, TRUE);
}

static void
qmp_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmMachine) vm = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmQmp) qmp = vm_qmp_new_finish (result, &error);

  if (vm->start_task == NULL)
    return;
  if (qmp == NULL)
    {
      abandon_start (vm, g_steal_pointer (&error));
      return;
    }
  start_step_done (vm);
}

/* A step of the restore (vm_machine_start_async): a command's answer or
 * the guest's RESUME. */
static void
restore_step_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmMachine) vm = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonNode) reply = NULL;

  if (g_async_result_is_tagged (result, vm_qmp_wait_event_async))
    event = vm_qmp_wait_event_finish (VM_QMP (source), result, &error);
  else
    reply = vm_qmp_execute_finish (VM_QMP (source), result, &error);
  if (vm->start_task == NULL)
    return;
  if (error != NULL)
    {
      g_prefix_error (&error, "vm: restoring %s: ", vm->config->incoming_state);
      abandon_start (vm, g_steal_pointer (&error));
      return;
    }
  start_step_done (vm);
}

/* The saved state goes in with the start, queued behind QMP's
 * capabilities before QEMU has read its greeting: QEMU finds the
 * commands when its main loop starts, with no round trip to this
 * process between its start and the restore. */
static void
queue_restore (VmMachine *vm)
{
  g_autoptr (JsonObject) arguments = json_object_new ();

  vm->start_steps += 2;
  /* QEMU resumes the guest when the state is in (no -S). */
  vm_qmp_wait_event_async (vm->start_qmp, "RESUME", NULL, NULL, RESTORE_TIMEOUT_MS,
                           restore_step_cb, g_object_ref (vm));
  if (vm->config->memory_path != NULL)
    {
      /* The RAM is the file's: the state holds the devices only. */
      g_autoptr (JsonObject) capabilities = vm_machine_ignore_shared_arguments ();

      vm->start_steps++;
      vm_qmp_execute_async (vm->start_qmp, "migrate-set-capabilities", capabilities, NULL,
                            restore_step_cb, g_object_ref (vm));
    }
  json_object_set_string_member (arguments, "uri", vm->incoming_uri);
  vm_qmp_execute_async (vm->start_qmp, "migrate-incoming", arguments, NULL, restore_step_cb,
                        g_object_ref (vm));
}

/* Cancelled before QMP is ready: QEMU is killed, and the start fails
 * with G_IO_ERROR_CANCELLED once it is reaped and its folder removed. */
static gboolean
start_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  VmMachine *vm = user_data;

  g_clear_pointer (&vm->start_cancel_source, g_source_unref);
  abandon_start (vm, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          "vm: the start was cancelled"));
  return G_SOURCE_REMOVE;
}

void
vm_machine_start_async (VmMachine *vm, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (vm, cancellable, callback, user_data);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) qmp_stream = NULL;
  g_autofree char *qmp_path = NULL;
  g_autofree char *stderr_path = NULL;
  g_autofree int *port_fds = NULL;
  g_autofree int *nic_fds = NULL;
  g_auto (GStrv) argv = NULL;
  guint n_ports = vm->config->boot_ports->len;
  VmCommandFds fds = { 0 };
  VmAccel accel;
  ChildSetup setup = 0;
  int qmp_fd;

  g_task_set_source_tag (task, vm_machine_start_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (vm->started)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                               "vm: the machine was started already");
      return;
    }
  if (!vm_config_validate (vm->config, &error) ||
      !vm_accel_resolve (vm->config->accel, &accel, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (vm->run_dir == NULL)
    vm->run_dir = g_dir_make_tmp ("hcs-vm-XXXXXX", &error);
  else if (g_mkdir (vm->run_dir, 0700) < 0)
    hcs_set_error_from_errno (&error, errno, "vm: making the run folder '%s'", vm->run_dir);
  if (vm->run_dir == NULL || error != NULL)
    {
      g_clear_pointer (&vm->run_dir, g_free);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  vm->started = TRUE;
  vm->console_log = vm->config->console_log ? g_strdup (vm->config->console_log)
                                            : g_build_filename (vm->run_dir, "console.log", NULL);

  /* QEMU gets the sockets as fds 3, 4, ...; the launcher closes ours. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  stderr_path = g_build_filename (vm->run_dir, "qemu.log", NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, stderr_path);
  if (vm->config->die_with_parent)
    setup |= CHILD_DIE_WITH_PARENT;
  /* A VM whose RAM is a file (a template, or a clone of one, mapped
   * copy-on-write) under TCG has no huge pages to lose but those of
   * TCG's code buffer, which its translations fill a 4 KiB page at a
   * time: with 2 MiB pages each clone kept up to 2 MiB more resident,
   * for a cache of 25 MiB (a clone's start). */
  if (accel == VM_ACCEL_TCG && vm->config->memory_path != NULL)
    setup |= CHILD_NO_HUGE_PAGES;
  if (setup != 0)
    g_subprocess_launcher_set_child_setup (launcher, child_setup, GUINT_TO_POINTER (setup),
                                           NULL);
  qmp_path = g_build_filename (vm->run_dir, "qmp.sock", NULL);
  if ((qmp_fd = listen_unix (qmp_path, &error)) < 0)
    goto fail;
  g_subprocess_launcher_take_fd (launcher, qmp_fd, 3);
  fds.qmp_fd = 3;
  port_fds = g_new0 (int, n_ports + 1);
  for (guint i = 0; i < n_ports; i++)
    {
      g_autofree char *path = port_socket_path (vm, vm->config->boot_ports->pdata[i]);
      int fd = listen_unix (path, &error);

      if (fd < 0)
        goto fail;
      port_fds[i] = 4 + i;
      g_subprocess_launcher_take_fd (launcher, fd, port_fds[i]);
    }
  fds.port_fds = port_fds;
  if (vm->config->incoming && vm->config->incoming_state != NULL)
    {
      int fd = open (vm->config->incoming_state, O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        {
          hcs_set_error_from_errno (&error, errno, "vm: opening the saved state '%s'",
                                    vm->config->incoming_state);
          goto fail;
        }
      g_subprocess_launcher_take_fd (launcher, fd, 4 + n_ports);
      vm->incoming_uri = g_strdup_printf ("fd:%u", 4 + n_ports);
    }

  /* Taps it inherits: after the saved state's fd. */
  nic_fds = g_new0 (int, vm->config->nics->len + 1);
  for (guint i = 0; i < vm->config->nics->len; i++)
    {
      const VmNic *nic = vm->config->nics->pdata[i];
      int fd;

      if (nic->tap_fd <= 0)
        continue;
      fd = fcntl (nic->tap_fd, F_DUPFD_CLOEXEC, 3);
      if (fd < 0)
        {
          hcs_set_error_from_errno (&error, errno, "vm: nic '%s': its tap", nic->name);
          goto fail;
        }
      nic_fds[i] = 5 + n_ports + i;
      g_subprocess_launcher_take_fd (launcher, fd, nic_fds[i]);
    }
  fds.nic_fds = nic_fds;
  argv = vm_command_line_build (vm->config, accel, &fds, vm->console_log, &error);
  if (argv == NULL)
    goto fail;
  vm->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  if (vm->process == NULL)
    {
      g_prefix_error (&error, "vm: starting %s: ", argv[0]);
      goto fail;
    }
  vm->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (vm->process), NULL, 10);
  g_clear_object (&launcher);
  vm->start_task = g_steal_pointer (&task);
  g_subprocess_wait_async (vm->process, NULL, process_exited_cb, g_object_ref (vm));
  if (cancellable != NULL)
    {
      /* A source, so that a cancel from another thread lands here. */
      vm->start_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (vm->start_cancel_source, G_SOURCE_FUNC (start_cancelled_cb), vm,
                             NULL);
      g_source_attach (vm->start_cancel_source, g_task_get_context (vm->start_task));
    }

  /* The sockets listen already: these connections wait in their backlog
   * until QEMU accepts them. */
  for (guint i = 0; i < n_ports; i++)
    {
      const char *name = vm->config->boot_ports->pdata[i];
      g_autofree char *path = port_socket_path (vm, name);
      GIOStream *stream = connect_unix (path, &error);

      if (stream == NULL)
        {
          abandon_start (vm, g_steal_pointer (&error));
          return;
        }
      g_hash_table_insert (vm->ports, g_strdup (name), stream);
    }
  qmp_stream = connect_unix (qmp_path, &error);
  if (qmp_stream == NULL)
    {
      abandon_start (vm, g_steal_pointer (&error));
      return;
    }
  vm->start_qmp = vm_qmp_new_early (qmp_stream, NULL, qmp_ready_cb, g_object_ref (vm));
  vm->start_steps = 1;
  if (vm->incoming_uri != NULL)
    queue_restore (vm);
  return;

fail:
  g_clear_object (&launcher);
  remove_run_dir (vm);
  vm->exited = TRUE;
  g_task_return_error (task, g_steal_pointer (&error));
}

gboolean
vm_machine_start_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vm_machine_kill (VmMachine *vm)
{
  if (vm->process != NULL && !vm->exited)
    g_subprocess_force_exit (vm->process);
}

static gboolean
exit_waiter_timeout_cb (gpointer user_data)
{
  ExitWaiter *waiter = user_data;
  VmMachine *vm = g_task_get_source_object (waiter->task);

  vm->exit_waiters = g_list_remove (vm->exit_waiters, waiter);
  g_clear_pointer (&waiter->timeout, g_source_unref);
  g_task_return_boolean (waiter->task, FALSE);
  exit_waiter_free (waiter);
  return G_SOURCE_REMOVE;
}

/* Completes with TRUE once QEMU is gone, or FALSE after @timeout_ms
 * (0: no limit). */
static void
wait_exit (VmMachine *vm, guint timeout_ms, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (vm, cancellable, callback, user_data);
  ExitWaiter *waiter;

  if (!vm->started || vm->exited)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  waiter = g_new0 (ExitWaiter, 1);
  waiter->task = g_steal_pointer (&task);
  if (timeout_ms > 0)
    {
      waiter->timeout = g_timeout_source_new (timeout_ms);
      g_source_set_callback (waiter->timeout, exit_waiter_timeout_cb, waiter, NULL);
      g_source_attach (waiter->timeout, g_task_get_context (waiter->task));
    }
  vm->exit_waiters = g_list_append (vm->exit_waiters, waiter);
}

void
vm_machine_wait_async (VmMachine *vm, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  wait_exit (vm, 0, cancellable, callback, user_data);
}

gboolean
vm_machine_wait_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Shut-down: powerdown and grace, then quit and a few seconds, then kill. */
typedef enum { SHUTDOWN_POWERDOWN, SHUTDOWN_QUIT, SHUTDOWN_KILL } ShutdownStage;

static void shutdown_step (GTask *task, ShutdownStage stage);

static void
shutdown_command_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, NULL);

  /* Nothing to do: the exit (or its timeout) moves the shut-down on; a
   * quit's reply may never come as QEMU closes the connection. */
}

static void
shutdown_exit_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  gboolean exited = g_task_propagate_boolean (G_TASK (result), NULL);
  ShutdownStage stage = GPOINTER_TO_INT (g_task_get_task_data (task));

  if (exited)
    g_task_return_boolean (task, TRUE);
  else
    shutdown_step (g_steal_pointer (&task), stage + 1);
}

static void
shutdown_step (GTask *task, ShutdownStage stage)
{
  VmMachine *vm = g_task_get_source_object (task);
  guint grace_ms = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "grace-ms"));
  VmQmp *qmp = vm->qmp;
  gboolean qmp_open = qmp != NULL && !vm_qmp_is_closed (qmp);

  if (!vm->started || vm->exited)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, GINT_TO_POINTER (stage), NULL);
  switch (stage)
    {
    case SHUTDOWN_POWERDOWN:
      if (grace_ms > 0 && qmp_open)
        {
          vm_qmp_execute_async (qmp, "system_powerdown", NULL, NULL, shutdown_command_cb, NULL);
          wait_exit (vm, grace_ms, NULL, shutdown_exit_cb, task);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case SHUTDOWN_QUIT:
      g_task_set_task_data (task, GINT_TO_POINTER (SHUTDOWN_QUIT), NULL);
      if (qmp_open)
        {
          vm_qmp_execute_async (qmp, "quit", NULL, NULL, shutdown_command_cb, NULL);
          wait_exit (vm, QUIT_TIMEOUT_MS, NULL, shutdown_exit_cb, task);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case SHUTDOWN_KILL:
    default:
      g_task_set_task_data (task, GINT_TO_POINTER (SHUTDOWN_KILL), NULL);
      vm_machine_kill (vm);
      wait_exit (vm, 0, NULL, shutdown_exit_cb, task);
      return;
    }
}

void
vm_machine_shutdown_async (VmMachine *vm, guint grace_ms, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (vm, cancellable, callback, user_data);

  g_task_set_source_tag (task, vm_machine_shutdown_async);
  g_object_set_data (G_OBJECT (task), "grace-ms", GUINT_TO_POINTER (grace_ms));
  shutdown_step (task, SHUTDOWN_POWERDOWN);
}

gboolean
vm_machine_shutdown_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Hot-added devices: a port (a virtserialport on a socket chardev) or a
 * disk (a virtio-blk-pci on a block node, in a PCIe root port). */
typedef struct {
  const char *kind;           /* "port", "disk": for messages */
  char *name;
  char *id;                   /* of the device and of its backend */
  char *path;                 /* a port's socket */
  const char *backend_remove; /* chardev-remove, blockdev-del */
  const char *backend_key;    /* id, node-name */
  int slot;                   /* a disk's root port, or -1 */
  GError *error; /* the add's failure, kept while the backend is taken back */
  gboolean returned;
  /* A port's chardev-add and device_add go out together: their answers. */
  guint answers;
  GError *backend_error;
  gboolean backend_added;
  gboolean device_added;
} PortOperation;

static void
port_operation_free (PortOperation *op)
{
  g_free (op->name);
  g_free (op->id);
  g_free (op->path);
  g_clear_error (&op->error);
  g_clear_error (&op->backend_error);
  g_free (op);
}

static JsonObject *
backend_arguments (PortOperation *op)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_string_member (arguments, op->backend_key, op->id);
  return arguments;
}

static GTask *
port_task_new (VmMachine *vm, const char *name, gpointer source_tag, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data, GError **error)
{
  GTask *task = g_task_new (vm, cancellable, callback, user_data);
  PortOperation *op;

  g_task_set_source_tag (task, source_tag);
  if (!vm_port_name_validate (name, error))
    return task;
  if (!vm_machine_is_running (vm) || vm->qmp == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "vm: port '%s': the machine is not running", name);
      return task;
    }
  op = g_new0 (PortOperation, 1);
  op->kind = "port";
  op->name = g_strdup (name);
  op->id = g_strdup_printf ("port-%s", name);
  op->path = port_socket_path (vm, name);
  op->backend_remove = "chardev-remove";
  op->backend_key = "id";
  op->slot = -1;
  g_task_set_task_data (task, op, (GDestroyNotify) port_operation_free);
  return task;
}

static JsonObject *
chardev_id_arguments (const char *id)
{
  JsonObject *arguments = json_object_new ();

  json_object_set_string_member (arguments, "id", id);
  return arguments;
}

static void
add_port_undone_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, NULL);

  g_unlink (op->path);
  g_task_return_error (task, g_steal_pointer (&op->error));
}

/* The device of a port whose chardev-add failed is gone again
 * (DEVICE_DELETED, or the wait's end). */
static void
add_port_device_undone_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonObject) event = vm_qmp_wait_event_finish (VM_QMP (source), result, NULL);

  g_task_return_error (task, g_steal_pointer (&op->backend_error));
}

static void
ignore_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, NULL);
}

/* Both answers are in: the port is there, or what was added is taken
 * back and the first failure returned (the chardev's, when the device
 * failed for want of it). */
static void
add_port_settle (GTask *task, VmQmp *qmp)
{
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonObject) arguments = NULL;
  GIOStream *stream;

  if (op->device_added && !op->backend_added)
    {
      /* A chardev of that id was there already (not one of ours): the
       * device took it; it goes, and the chardev is left as it was. */
      vm_qmp_wait_event_async (qmp, "DEVICE_DELETED", "device", op->id,
                               DEVICE_DELETED_TIMEOUT_MS, add_port_device_undone_cb, task);
      arguments = chardev_id_arguments (op->id);
      vm_qmp_execute_async (qmp, "device_del", arguments, NULL, ignore_reply_cb, NULL);
      return;
    }
  if (!op->device_added)
    {
      if (!op->backend_added)
        {
          g_task_return_error (task, g_steal_pointer (&op->backend_error));
          g_object_unref (task);
          return;
        }
      arguments = chardev_id_arguments (op->id);
      vm_qmp_execute_async (qmp, "chardev-remove", arguments, NULL, add_port_undone_cb, task);
      return;
    }
  stream = connect_unix (op->path, &op->error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&op->error));
      g_object_unref (task);
      return;
    }
  g_hash_table_insert (vm->ports, g_strdup (op->name), stream);
  g_task_return_pointer (task, g_object_ref (stream), g_object_unref);
  g_object_unref (task);
}

/* One of the two answers (each callback holds a reference to @task):
 * whether it added its part, its failure kept in @failure; the second
 * settles. */
static void
add_port_answer (GTask *task, VmQmp *qmp, GAsyncResult *result, gboolean *added,
                 GError **failure)
{
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (qmp, result, failure);

  *added = reply != NULL;
  if (!*added)
    g_prefix_error (failure, "vm: port '%s': ", op->name);
  if (++op->answers == 2)
    add_port_settle (task, qmp);
  else
    g_object_unref (task);
}

static void
add_port_device_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PortOperation *op = g_task_get_task_data (user_data);

  add_port_answer (user_data, VM_QMP (source), result, &op->device_added, &op->error);
}

static void
add_port_chardev_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PortOperation *op = g_task_get_task_data (user_data);

  add_port_answer (user_data, VM_QMP (source), result, &op->backend_added, &op->backend_error);
}

void
vm_machine_add_port_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = port_task_new (vm, name, vm_machine_add_port_async, cancellable,
                                          callback, user_data, &error);
  g_autoptr (JsonObject) arguments = NULL;
  g_autoptr (JsonObject) device = NULL;
  JsonObject *backend, *data, *addr, *addr_data;
  PortOperation *op;

  if (error == NULL && g_hash_table_contains (vm->ports, name))
    g_set_error (&error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS, "vm: port '%s' exists already",
                 name);
  if (error == NULL)
    check_socket_path (((PortOperation *) g_task_get_task_data (task))->path, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  op = g_task_get_task_data (task);

  /* {"id", "backend": {"type": "socket", "data": {"addr": {"type": "unix",
   *  "data": {"path"}}, "server": true, "wait": false}}} */
  addr_data = json_object_new ();
  json_object_set_string_member (addr_data, "path", op->path);
  addr = json_object_new ();
  json_object_set_string_member (addr, "type", "unix");
  json_object_set_object_member (addr, "data", addr_data);
  data = json_object_new ();
  json_object_set_object_member (data, "addr", addr);
  json_object_set_boolean_member (data, "server", TRUE);
  json_object_set_boolean_member (data, "wait", FALSE);
  backend = json_object_new ();
  json_object_set_string_member (backend, "type", "socket");
  json_object_set_object_member (backend, "data", data);
  arguments = chardev_id_arguments (op->id);
  json_object_set_object_member (arguments, "backend", backend);
  /* The device goes out behind its chardev, without waiting for the
   * chardev's answer: QEMU runs them in order, and port names are never
   * reused in a VM, so a device_add whose chardev failed finds none and
   * fails too. Each callback holds a reference; the second settles. */
  vm_qmp_execute_async (vm->qmp, "chardev-add", arguments, cancellable, add_port_chardev_cb,
                        g_object_ref (task));
  device = json_object_new ();
  json_object_set_string_member (device, "driver", "virtserialport");
  json_object_set_string_member (device, "bus", "serial0.0");
  json_object_set_string_member (device, "chardev", op->id);
  json_object_set_string_member (device, "id", op->id);
  json_object_set_string_member (device, "name", op->name);
  vm_qmp_execute_async (vm->qmp, "device_add", device, NULL, add_port_device_cb,
                        g_steal_pointer (&task));
}

GIOStream *
vm_machine_add_port_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
remove_backend_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &error);

  /* QEMU leaves the socket file of a chardev it made. */
  if (op->path != NULL)
    g_unlink (op->path);
  if (op->slot >= 0)
    vm->disk_slots &= ~(1u << op->slot);
  if (reply == NULL)
    {
      g_prefix_error (&error, "vm: %s '%s': ", op->kind, op->name);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

/* The device is gone from QEMU (DEVICE_DELETED): its backend can go. */
static void
remove_device_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) data = vm_qmp_wait_event_finish (VM_QMP (source), result, &error);
  g_autoptr (JsonObject) arguments = NULL;

  if (op->returned)
    return;
  op->returned = TRUE;
  if (data == NULL)
    {
      g_prefix_error (&error, "vm: %s '%s': ", op->kind, op->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  arguments = backend_arguments (op);
  vm_qmp_execute_async (VM_QMP (source), op->backend_remove, arguments, NULL, remove_backend_cb,
                        g_steal_pointer (&task));
}

static void
remove_device_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &error);

  if (reply == NULL && !op->returned)
    {
      op->returned = TRUE;
      g_prefix_error (&error, "vm: %s '%s': ", op->kind, op->name);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

/* device_del, DEVICE_DELETED, then the backend. The wait starts before
 * device_del: a virtio-serial port is unplugged at once, its event sent
 * before the command's reply; a PCI device when the guest lets it go. */
static void
remove_device (VmMachine *vm, GTask *task)
{
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonObject) arguments = json_object_new ();

  vm_qmp_wait_event_async (vm->qmp, "DEVICE_DELETED", "device", op->id,
                           DEVICE_DELETED_TIMEOUT_MS, remove_device_deleted_cb,
                           g_object_ref (task));
  json_object_set_string_member (arguments, "id", op->id);
  vm_qmp_execute_async (vm->qmp, "device_del", arguments, NULL, remove_device_cb, task);
}

void
vm_machine_remove_port_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = port_task_new (vm, name, vm_machine_remove_port_async, cancellable,
                                          callback, user_data, &error);

  if (error == NULL && g_hash_table_lookup (vm->ports, name) == NULL)
    g_set_error (&error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "vm: port '%s' does not exist",
                 name);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The host end goes first; a reader of it sees the stream closed. */
  g_hash_table_remove (vm->ports, name);
  remove_device (vm, g_steal_pointer (&task));
}

gboolean
vm_machine_remove_port_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Hot-added disks. */

/* The serial a guest reads in /sys/block/vdX/serial has 20 bytes. */
#define DISK_NAME_MAX 20

static void
add_disk_undone_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, NULL);

  g_task_return_error (task, g_steal_pointer (&op->error));
}

static void
add_disk_device_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &op->error);
  g_autoptr (JsonObject) arguments = NULL;

  if (reply == NULL)
    {
      g_prefix_error (&op->error, "vm: disk '%s': ", op->name);
      g_hash_table_remove (vm->disks, op->name);
      vm->disk_slots &= ~(1u << op->slot);
      arguments = backend_arguments (op);
      vm_qmp_execute_async (VM_QMP (source), "blockdev-del", arguments, NULL, add_disk_undone_cb,
                            g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
add_disk_node_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &error);
  g_autoptr (JsonObject) arguments = NULL;
  g_autofree char *bus = NULL;

  if (reply == NULL)
    {
      g_hash_table_remove (vm->disks, op->name);
      vm->disk_slots &= ~(1u << op->slot);
      g_prefix_error (&error, "vm: disk '%s': ", op->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bus = g_strdup_printf ("hotplug%d", op->slot);
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "driver", "virtio-blk-pci");
  json_object_set_string_member (arguments, "drive", op->id);
  json_object_set_string_member (arguments, "id", op->id);
  json_object_set_string_member (arguments, "bus", bus);
  json_object_set_string_member (arguments, "serial", op->name);
  vm_qmp_execute_async (VM_QMP (source), "device_add", arguments, NULL, add_disk_device_cb,
                        g_steal_pointer (&task));
}

static PortOperation *
disk_operation_new (const char *name)
{
  PortOperation *op = g_new0 (PortOperation, 1);

  op->kind = "disk";
  op->name = g_strdup (name);
  op->id = g_strdup_printf ("disk-%s", name);
  op->backend_remove = "blockdev-del";
  op->backend_key = "node-name";
  op->slot = -1;
  return op;
}

static gboolean
check_disk_request (VmMachine *vm, const char *name, GError **error)
{
  if (!vm_port_name_validate (name, error))
    {
      g_prefix_error (error, "vm: disk: ");
      return FALSE;
    }
  if (strlen (name) > DISK_NAME_MAX)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "vm: disk name '%s': longer than a virtio-blk serial (%d)", name,
                   DISK_NAME_MAX);
      return FALSE;
    }
  if (!vm_machine_is_running (vm) || vm->qmp == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "vm: disk '%s': the machine is not running", name);
      return FALSE;
    }
  return TRUE;
}

void
vm_machine_add_disk_async (VmMachine *vm, const char *name, const char *path, gboolean read_only,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (vm, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) arguments = NULL;
  JsonObject *file;
  PortOperation *op;
  int slot = -1;

  g_task_set_source_tag (task, vm_machine_add_disk_async);
  if (!check_disk_request (vm, name, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (path == NULL || !g_path_is_absolute (path) || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                               "vm: disk '%s': '%s' is not an image file (an absolute path)",
                               name, path ? path : "(null)");
      return;
    }
  if (g_hash_table_contains (vm->disks, name))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                               "vm: disk '%s' exists already", name);
      return;
    }
  for (guint i = 0; i < vm->config->hotplug_slots && slot < 0; i++)
    if ((vm->disk_slots & (1u << i)) == 0)
      slot = i;
  if (slot < 0)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                               "vm: disk '%s': no free hot-plug slot (the machine has %u)", name,
                               vm->config->hotplug_slots);
      return;
    }

  op = disk_operation_new (name);
  op->slot = slot;
  g_task_set_task_data (task, op, (GDestroyNotify) port_operation_free);
  /* Taken now, so that another add in flight picks another slot. */
  vm->disk_slots |= 1u << slot;
  g_hash_table_insert (vm->disks, g_strdup (name), GINT_TO_POINTER (slot + 1));

  /* {"node-name", "driver": "raw", "read-only", "file": {"driver": "file",
   *  "filename", "read-only"}} */
  file = json_object_new ();
  json_object_set_string_member (file, "driver", "file");
  json_object_set_string_member (file, "filename", path);
  json_object_set_boolean_member (file, "read-only", read_only);
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "node-name", op->id);
  json_object_set_string_member (arguments, "driver", "raw");
  json_object_set_boolean_member (arguments, "read-only", read_only);
  json_object_set_object_member (arguments, "file", file);
  vm_qmp_execute_async (vm->qmp, "blockdev-add", arguments, cancellable, add_disk_node_cb,
                        g_steal_pointer (&task));
}

gboolean
vm_machine_add_disk_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vm_machine_remove_disk_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (vm, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  PortOperation *op;
  gpointer slot;

  g_task_set_source_tag (task, vm_machine_remove_disk_async);
  if (!check_disk_request (vm, name, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_hash_table_lookup_extended (vm->disks, name, NULL, &slot))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                               "vm: disk '%s' does not exist", name);
      return;
    }
  op = disk_operation_new (name);
  /* The slot is given back once the device and its node are gone. */
  op->slot = GPOINTER_TO_INT (slot) - 1;
  g_task_set_task_data (task, op, (GDestroyNotify) port_operation_free);
  g_hash_table_remove (vm->disks, name);
  remove_device (vm, g_steal_pointer (&task));
}

gboolean
vm_machine_remove_disk_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Hot-added NICs: a tap netdev (the tap is the caller's, made before and
 * deleted after) and a virtio-net-pci on it, in a PCIe root port. */

/* A Linux interface name: IFNAMSIZ - 1. */
#define NIC_IFNAME_MAX 15

static PortOperation *
nic_operation_new (const char *name)
{
  PortOperation *op = g_new0 (PortOperation, 1);

  op->kind = "nic";
  op->name = g_strdup (name);
  op->id = g_strdup_printf ("nic-%s", name);
  op->backend_remove = "netdev_del";
  op->backend_key = "id";
  op->slot = -1;
  return op;
}

static gboolean
check_nic_request (VmMachine *vm, const char *name, GError **error)
{
  if (!vm_port_name_validate (name, error))
    {
      g_prefix_error (error, "vm: nic: ");
      return FALSE;
    }
  if (!vm_machine_is_running (vm) || vm->qmp == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "vm: nic '%s': the machine is not running", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
valid_mac (const char *mac)
{
  if (mac == NULL || strlen (mac) != 17)
    return FALSE;
  for (int i = 0; i < 17; i++)
    if (i % 3 == 2 ? mac[i] != ':' : !g_ascii_isxdigit (mac[i]))
      return FALSE;
  /* A unicast address: the guest's NIC could not take a multicast one. */
  return (g_ascii_xdigit_value (mac[1]) & 1) == 0;
}

static gboolean
valid_ifname (const char *ifname)
{
  return ifname != NULL && *ifname != '\0' && strlen (ifname) <= NIC_IFNAME_MAX &&
         strspn (ifname, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
             strlen (ifname);
}

static void
add_nic_forget (VmMachine *vm, PortOperation *op)
{
  g_hash_table_remove (vm->nics, op->name);
  vm->disk_slots &= ~(1u << op->slot);
}

static void
add_nic_device_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &op->error);
  g_autoptr (JsonObject) arguments = NULL;

  if (reply == NULL)
    {
      /* The netdev goes again (add_disk_undone_cb gives back the error). */
      g_prefix_error (&op->error, "vm: nic '%s': ", op->name);
      add_nic_forget (vm, op);
      arguments = backend_arguments (op);
      vm_qmp_execute_async (VM_QMP (source), "netdev_del", arguments, NULL, add_disk_undone_cb,
                            g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
add_nic_netdev_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &error);
  g_autoptr (JsonObject) arguments = NULL;
  g_autofree char *bus = NULL;

  if (reply == NULL)
    {
      add_nic_forget (vm, op);
      g_prefix_error (&error, "vm: nic '%s': ", op->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bus = g_strdup_printf ("hotplug%d", op->slot);
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "driver", "virtio-net-pci");
  json_object_set_string_member (arguments, "netdev", op->id);
  json_object_set_string_member (arguments, "id", op->id);
  json_object_set_string_member (arguments, "bus", bus);
  json_object_set_string_member (arguments, "mac", g_object_get_data (G_OBJECT (task), "mac"));
  vm_qmp_execute_async (VM_QMP (source), "device_add", arguments, NULL, add_nic_device_cb,
                        g_steal_pointer (&task));
}

static void
add_nic_getfd_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmMachine *vm = g_task_get_source_object (task);
  PortOperation *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = vm_qmp_execute_finish (VM_QMP (source), result, &error);
  g_autoptr (JsonObject) arguments = NULL;

  if (reply == NULL)
    {
      add_nic_forget (vm, op);
      g_prefix_error (&error, "vm: nic '%s': ", op->name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The netdev takes the descriptor QEMU holds under the operation's id. */
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "type", "tap");
  json_object_set_string_member (arguments, "id", op->id);
  json_object_set_string_member (arguments, "fd", op->id);
  vm_qmp_execute_async (VM_QMP (source), "netdev_add", arguments, NULL, add_nic_netdev_cb,
                        g_steal_pointer (&task));
}

/* With @tap_ifname QEMU opens that tap; otherwise @tap_fd is sent. */
static void
add_nic (VmMachine *vm, const char *name, const char *tap_ifname, int tap_fd, const char *mac,
         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (vm, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) arguments = NULL;
  PortOperation *op;
  int slot = -1;

  g_task_set_source_tag (task, vm_machine_add_nic_async);
  if (!check_nic_request (vm, name, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (tap_fd < 0 && !valid_ifname (tap_ifname))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                               "vm: nic '%s': tap '%s' is not an interface name (1 to %d of "
                               "[A-Za-z0-9_-])", name, tap_ifname ? tap_ifname : "(null)",
                               NIC_IFNAME_MAX);
      return;
    }
  if (!valid_mac (mac))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                               "vm: nic '%s': MAC '%s' is not a unicast xx:xx:xx:xx:xx:xx",
                               name, mac ? mac : "(null)");
      return;
    }
  if (g_hash_table_contains (vm->nics, name))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                               "vm: nic '%s' exists already", name);
      return;
    }
  for (guint i = 0; i < vm->config->hotplug_slots && slot < 0; i++)
    if ((vm->disk_slots & (1u << i)) == 0)
      slot = i;
  if (slot < 0)
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                               "vm: nic '%s': no free hot-plug slot (the machine has %u)", name,
                               vm->config->hotplug_slots);
      return;
    }

  op = nic_operation_new (name);
  op->slot = slot;
  g_task_set_task_data (task, op, (GDestroyNotify) port_operation_free);
  g_object_set_data_full (G_OBJECT (task), "mac", g_strdup (mac), g_free);
  vm->disk_slots |= 1u << slot;
  g_hash_table_insert (vm->nics, g_strdup (name), GINT_TO_POINTER (slot + 1));

  arguments = json_object_new ();
  if (tap_fd >= 0)
    {
      /* getfd names the descriptor that rides with it (SCM_RIGHTS). */
      json_object_set_string_member (arguments, "fdname", op->id);
      vm_qmp_execute_with_fd_async (vm->qmp, "getfd", arguments, tap_fd, cancellable,
                                    add_nic_getfd_cb, g_steal_pointer (&task));
      return;
    }
  /* QEMU opens the tap the caller made by its name; no scripts run. */
  json_object_set_string_member (arguments, "type", "tap");
  json_object_set_string_member (arguments, "id", op->id);
  json_object_set_string_member (arguments, "ifname", tap_ifname);
  json_object_set_string_member (arguments, "script", "no");
  json_object_set_string_member (arguments, "downscript", "no");
  vm_qmp_execute_async (vm->qmp, "netdev_add", arguments, cancellable, add_nic_netdev_cb,
                        g_steal_pointer (&task));
}

void
vm_machine_add_nic_async (VmMachine *vm, const char *name, const char *tap_ifname,
                          const char *mac, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  add_nic (vm, name, tap_ifname, -1, mac, cancellable, callback, user_data);
}

void
vm_machine_add_nic_fd_async (VmMachine *vm, const char *name, int tap_fd, const char *mac,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (tap_fd >= 0);
  add_nic (vm, name, NULL, tap_fd, mac, cancellable, callback, user_data);
}

gboolean
vm_machine_add_nic_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vm_machine_remove_nic_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (vm, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  PortOperation *op;
  gpointer slot;

  g_task_set_source_tag (task, vm_machine_remove_nic_async);
  if (!check_nic_request (vm, name, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_hash_table_lookup_extended (vm->nics, name, NULL, &slot))
    {
      g_task_return_new_error (task, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                               "vm: nic '%s' does not exist", name);
      return;
    }
  op = nic_operation_new (name);
  /* The slot is given back once the device and its netdev are gone. */
  op->slot = GPOINTER_TO_INT (slot) - 1;
  g_task_set_task_data (task, op, (GDestroyNotify) port_operation_free);
  g_hash_table_remove (vm->nics, name);
  remove_device (vm, g_steal_pointer (&task));
}

gboolean
vm_machine_remove_nic_finish (VmMachine *vm, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
