/* xenon-held.c: what lets a xenon system outlive the process that made it.
 *
 * A xenon system's VM lives in the process that created it: with
 * `[host] monitor = true` (runc's verbs ask for it) that is core's
 * per-system monitor, hcs-monitor, which serves it to every other
 * process on its socket. What this file adds:
 *
 * - the system's state folder (hcs-state, owner "xenon"), claimed at
 *   create so that an id is one system across processes, with a record
 *   (xenon.json) of who holds the VM: the holder's and QEMU's pids and
 *   start times and QEMU's run folder;
 * - what is left of a system whose holder died (a killed monitor: QEMU
 *   died with it, PR_SET_PDEATHSIG): found from the record by open and
 *   list, reported Stopped with ExitType UnexpectedExit and exit code 137
 *   (SIGKILL, as a killed QEMU gives), its QEMU (should one outlive its
 *   holder) killed and run folder removed at once, its state folder by
 *   remove;
 * - the init's stdio on descriptors the caller gives (use_stdio_fds:
 *   how a monitor hands its creator's pipes or stdio on, or
 *   inherit_stdio), pumped to and from the VM's stdio ports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "xenon-private.h"
#include "xenon-storage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define XENON_RECORD "xenon.json"
/* Nobody's QEMU but ours is killed: its run folder has this prefix
 * (plugins/vm makes it with g_dir_make_tmp). */
#define XENON_RUN_DIR_PREFIX "hcs-vm-"
/* A QEMU killed with SIGKILL is gone in milliseconds; this bounds a wait
 * for one stuck in the kernel. */
#define XENON_REAP_WAIT_MS 10000

/* --- the record ----------------------------------------------------------------------- */

gboolean
xenon_held_write_record (HcsStateFolder *folder, const char *id, const HcsContainerConfig *config,
                         VmGuest *guest, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *console_log = guest ? vm_guest_dup_console_log (guest) : NULL;
  GPid qemu = guest ? vm_guest_get_pid (guest) : 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Name");
  json_builder_add_string_value (builder, config->name ? config->name : id);
  json_builder_set_member_name (builder, "Owner");
  json_builder_add_string_value (builder, config->owner ? config->owner : "");
  json_builder_set_member_name (builder, "Created");
  json_builder_add_int_value (builder, g_get_real_time ());
  json_builder_set_member_name (builder, "HolderPid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_set_member_name (builder, "HolderStartTime");
  json_builder_add_int_value (builder, (gint64) hcs_process_start_time (getpid ()));
  json_builder_set_member_name (builder, "QemuPid");
  json_builder_add_int_value (builder, qemu);
  json_builder_set_member_name (builder, "QemuStartTime");
  json_builder_add_int_value (builder, qemu > 0 ? (gint64) hcs_process_start_time (qemu) : 0);
  /* The console log is in QEMU's run folder (xenon gives it no path). */
  json_builder_set_member_name (builder, "RunDir");
  if (console_log != NULL)
    {
      g_autofree char *run_dir = g_path_get_dirname (console_log);
      json_builder_add_string_value (builder, run_dir);
    }
  else
    json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return hcs_state_folder_write (folder, XENON_RECORD, text, -1, error);
}

/* --- what is left of a system whose holder died ---------------------------------------- */

struct _XenonRemains
{
  GObject parent_instance;

  char *id;
  HcsStateFolder *folder;
  char *name;
  char *owner;
  gint64 created;
  gboolean removed;
  gboolean closed;
};

static void xenon_remains_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XenonRemains, xenon_remains, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER, xenon_remains_iface_init))

static void
xenon_remains_finalize (GObject *object)
{
  XenonRemains *self = XENON_REMAINS (object);

  g_clear_object (&self->folder);
  g_free (self->id);
  g_free (self->name);
  g_free (self->owner);
  G_OBJECT_CLASS (xenon_remains_parent_class)->finalize (object);
}

static void
xenon_remains_class_init (XenonRemainsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xenon_remains_finalize;
}

static void
xenon_remains_init (XenonRemains *self)
{
}

/* @pid with @start_time is still that process (not a reused pid). */
static gboolean
is_same_process (gint64 pid, gint64 start_time)
{
  return pid > 0 && start_time > 0 && hcs_process_start_time ((int) pid) == (guint64) start_time;
}

/* A QEMU that outlived its holder (its death signal is tied to the
 * holder's VM thread: only a QEMU caught between fork and prctl could)
 * is killed; the run folder it leaves goes. Both idempotent. */
static void
clean_vm_leftovers (const char *id, JsonObject *record)
{
  gint64 qemu = json_object_get_int_member_with_default (record, "QemuPid", 0);
  gint64 qemu_start = json_object_get_int_member_with_default (record, "QemuStartTime", 0);
  const char *run_dir = json_object_get_string_member_with_default (record, "RunDir", "");
  g_autofree char *base = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (is_same_process (qemu, qemu_start))
    {
      gint64 deadline = g_get_monotonic_time () + XENON_REAP_WAIT_MS * 1000;

      g_debug ("xenon: compute system '%s': killing its QEMU %d, left by its holder", id,
               (int) qemu);
      kill ((pid_t) qemu, SIGKILL);
      /* Not our child: gone once its parent (init, by now) reaped it. */
      while (is_same_process (qemu, qemu_start) && g_get_monotonic_time () < deadline)
        g_usleep (10 * 1000);
    }
  if (!g_path_is_absolute (run_dir))
    return;
  base = g_path_get_basename (run_dir);
  if (!g_str_has_prefix (base, XENON_RUN_DIR_PREFIX) ||
      (dir = g_dir_open (run_dir, 0, NULL)) == NULL)
    return;
  /* Flat: QEMU's sockets and logs. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (run_dir, name, NULL);
      if (unlink (path) < 0 && errno != ENOENT)
        g_debug ("xenon: removing %s: %s", path, g_strerror (errno));
    }
  if (rmdir (run_dir) < 0 && errno != ENOENT)
    g_debug ("xenon: removing %s: %s", run_dir, g_strerror (errno));
}

HcsContainer *
xenon_remains_open (HcsState *state, const char *id, GError **error)
{
  g_autoptr (HcsStateFolder) folder = hcs_state_open (state, id, NULL);
  g_autoptr (XenonRemains) self = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  JsonObject *record = NULL;
  gint64 holder = 0, holder_start = 0;

  if (folder == NULL || !g_str_equal (hcs_state_folder_get_owner (folder), XENON_STATE_OWNER))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "xenon: compute system '%s' does not exist", id);
      return NULL;
    }
  text = hcs_state_folder_read (folder, XENON_RECORD, NULL, NULL);
  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    record = json_node_get_object (json_parser_get_root (parser));
  else if (text != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "xenon: compute system '%s': %s/%s is not a JSON object", id,
                   hcs_state_folder_get_path (folder), XENON_RECORD);
      return NULL;
    }
  if (record != NULL)
    {
      holder = json_object_get_int_member_with_default (record, "HolderPid", 0);
      holder_start = json_object_get_int_member_with_default (record, "HolderStartTime", 0);
    }
  /* No record yet: its creator is at work, or was killed before it wrote
   * one (the claim's marker tells). */
  if ((record != NULL && is_same_process (holder, holder_start)) ||
      (record == NULL && hcs_state_folder_get_status (folder) == HCS_STATE_FOLDER_CREATING))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "xenon: compute system '%s' does not exist here: its VM is held by process "
                   "%d without a monitor ([host] monitor=true makes it reachable)", id,
                   (int) holder);
      return NULL;
    }
  if (record != NULL)
    clean_vm_leftovers (id, record);
  /* QEMU is gone: its storage's binds and images may go. */
  xenon_storage_remove_leftovers (folder);
  self = g_object_new (XENON_TYPE_REMAINS, NULL);
  self->id = g_strdup (id);
  self->folder = g_steal_pointer (&folder);
  if (record != NULL)
    {
      self->name = g_strdup (json_object_get_string_member_with_default (record, "Name", id));
      self->owner = g_strdup (json_object_get_string_member_with_default (record, "Owner", ""));
      self->created = json_object_get_int_member_with_default (record, "Created", 0);
    }
  return HCS_CONTAINER (g_steal_pointer (&self));
}

static const char *
remains_get_id (HcsContainer *container)
{
  return XENON_REMAINS (container)->id;
}

static gboolean
remains_check (XenonRemains *self, GError **error)
{
  if (self->closed)
    g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                 "xenon: compute system '%s': the handle was closed", self->id);
  else if (self->removed)
    g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                 "xenon: compute system '%s' does not exist (it was removed)", self->id);
  else
    return TRUE;
  return FALSE;
}

/* Whatever is asked of it: its VM went with its holder. */
static gboolean
remains_gone (XenonRemains *self, GError **error)
{
  if (remains_check (self, error))
    g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                 "xenon: compute system '%s': its VM went with the process that held it", self->id);
  return FALSE;
}

static gboolean
remains_start (HcsContainer *container, GError **error)
{
  return remains_gone (XENON_REMAINS (container), error);
}

/* Stopped already: what a terminate or shutdown of a stopped system says. */
static gboolean
remains_stop (HcsContainer *container, GError **error)
{
  XenonRemains *self = XENON_REMAINS (container);

  if (remains_check (self, error))
    g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                 "xenon: compute system '%s' is already stopped (its VM went with the process "
                 "that held it)", self->id);
  return FALSE;
}

static gboolean
remains_wait_timeout (HcsContainer *container, gint64 timeout_ms, GCancellable *cancellable,
                      GError **error)
{
  return remains_check (XENON_REMAINS (container), error);
}

static void
remains_wait_async (HcsContainer *container, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (container, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, remains_wait_async);
  if (remains_check (XENON_REMAINS (container), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
remains_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static HcsProcess *
remains_create_process (HcsContainer *container, const HcsProcessConfig *config, GError **error)
{
  return remains_gone (XENON_REMAINS (container), error), NULL;
}

static HcsProcess *
remains_open_process (HcsContainer *container, int pid, GError **error)
{
  return remains_gone (XENON_REMAINS (container), error), NULL;
}

static HcsProcess *
remains_get_init_process (HcsContainer *container, GError **error)
{
  return remains_gone (XENON_REMAINS (container), error), NULL;
}

static HcsContainerProperties *
remains_get_properties (HcsContainer *container, GError **error)
{
  XenonRemains *self = XENON_REMAINS (container);
  HcsContainerProperties *props;

  if (!remains_check (self, error))
    return NULL;
  props = hcs_container_properties_new ();
  props->id = g_strdup (self->id);
  props->name = g_strdup (self->name ? self->name : self->id);
  props->owner = g_strdup (self->owner ? self->owner : "");
  props->system_type = g_strdup ("Container");
  props->runtime_os_type = g_strdup ("linux");
  props->isolation = g_strdup ("hyperv");
  props->state = g_strdup ("Stopped");
  props->stopped = TRUE;
  props->exit_type = g_strdup ("UnexpectedExit");
  props->exit_code = 128 + SIGKILL;
  props->created = self->created;
  return props;
}

static gboolean
remains_close (HcsContainer *container, GError **error)
{
  XenonRemains *self = XENON_REMAINS (container);

  if (self->closed)
    return remains_check (self, error);
  self->closed = TRUE;
  return TRUE;
}

/* The VM's leftovers went at the open: the state folder goes now. */
static gboolean
remains_remove (HcsContainer *container, GError **error)
{
  XenonRemains *self = XENON_REMAINS (container);
  gboolean removed;

  if (!remains_check (self, error))
    return FALSE;
  if (!hcs_state_folder_lock (self->folder, HCS_STATE_LOCK_EXCLUSIVE, TRUE, error))
    return FALSE;
  removed = hcs_state_folder_remove (self->folder, error);
  hcs_state_folder_unlock (self->folder);
  self->removed = removed;
  return removed;
}

static void
xenon_remains_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = remains_get_id;
  iface->start = remains_start;
  iface->shutdown = remains_stop;
  iface->terminate = remains_stop;
  iface->wait_timeout = remains_wait_timeout;
  iface->wait_async = remains_wait_async;
  iface->wait_finish = remains_wait_finish;
  iface->create_process = remains_create_process;
  iface->open_process = remains_open_process;
  iface->get_init_process = remains_get_init_process;
  iface->get_properties = remains_get_properties;
  iface->close = remains_close;
  iface->remove = remains_remove;
}

/* --- the init's stdio on the caller's descriptors -------------------------------------- */

/* A guard, not a timing: an init's ports end with it at once. */
#define XENON_DRAIN_GUARD_MS 10000

struct _XenonPumps
{
  GMutex lock;
  GCond ended;
  guint running; /* output pumps still copying */
};

static void
xenon_pumps_clear (gpointer data)
{
  XenonPumps *pumps = data;

  g_mutex_clear (&pumps->lock);
  g_cond_clear (&pumps->ended);
}

XenonPumps *
xenon_pumps_new (void)
{
  XenonPumps *pumps = g_atomic_rc_box_new0 (XenonPumps);

  g_mutex_init (&pumps->lock);
  g_cond_init (&pumps->ended);
  return pumps;
}

XenonPumps *
xenon_pumps_ref (XenonPumps *pumps)
{
  return g_atomic_rc_box_acquire (pumps);
}

void
xenon_pumps_unref (XenonPumps *pumps)
{
  if (pumps != NULL)
    g_atomic_rc_box_release_full (pumps, xenon_pumps_clear);
}

void
xenon_pumps_drain (XenonPumps *pumps)
{
  gint64 deadline = g_get_monotonic_time () + XENON_DRAIN_GUARD_MS * G_TIME_SPAN_MILLISECOND;

  if (pumps == NULL)
    return;
  g_mutex_lock (&pumps->lock);
  while (pumps->running > 0 && g_cond_wait_until (&pumps->ended, &pumps->lock, deadline))
    ;
  if (pumps->running > 0)
    g_debug ("xenon: %u output pumps still copying after %d ms", pumps->running,
             XENON_DRAIN_GUARD_MS);
  g_mutex_unlock (&pumps->lock);
}

typedef struct
{
  int from;
  int to;
  gboolean to_port;   /* stdin: @to is the port's socket */
  XenonPumps *pumps;  /* nullable; an output pump counts in it */
} Pump;

static gboolean
write_all (int fd, const char *data, gssize length)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        return FALSE;
      data += written;
      length -= written;
    }
  return TRUE;
}

/* Copies until @from ends. Stdin also ends when the port's socket is
 * closed (the process exited, the VM went): the caller's stdin may never
 * end. A reader of stdout that went away makes the rest be dropped, so
 * the guest is never held up. */
static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;
  gboolean to_broken = FALSE;
  char buffer[16384];
  sigset_t pipe_signal;

  /* A reader that went away is EPIPE here, never SIGPIPE for a host
   * application that did not ignore it. */
  sigemptyset (&pipe_signal);
  sigaddset (&pipe_signal, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_signal, NULL);
  for (;;)
    {
      struct pollfd fds[2] = { { pump->from, POLLIN, 0 }, { pump->to, POLLRDHUP, 0 } };
      gssize length;

      if (poll (fds, pump->to_port ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (pump->to_port && (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR)))
        break;
      if (fds[0].revents == 0)
        continue;
      length = read (pump->from, buffer, sizeof buffer);
      if (length < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (length <= 0)
        break;
      if (!to_broken && !write_all (pump->to, buffer, length))
        {
          if (pump->to_port)
            break;
          to_broken = TRUE;
        }
    }
  close (pump->from);
  close (pump->to);
  if (pump->pumps != NULL)
    {
      /* Written and closed: a drain may end. */
      g_mutex_lock (&pump->pumps->lock);
      pump->pumps->running--;
      g_cond_broadcast (&pump->pumps->ended);
      g_mutex_unlock (&pump->pumps->lock);
      xenon_pumps_unref (pump->pumps);
    }
  g_free (pump);
  return NULL;
}

gboolean
xenon_held_pump_stdio (const char *id, int caller_fd, int port_fd, guint stream,
                       XenonPumps *pumps, GError **error)
{
  Pump *pump = g_new0 (Pump, 1);
  GThread *thread;
  int own_fd = fcntl (caller_fd, F_DUPFD_CLOEXEC, 3);

  if (own_fd < 0)
    {
      g_free (pump);
      return hcs_set_error_from_errno (error, errno,
                                       "xenon: compute system '%s': stdio descriptor %d", id,
                                       caller_fd);
    }
  pump->to_port = stream == 0;
  pump->from = pump->to_port ? own_fd : port_fd;
  pump->to = pump->to_port ? port_fd : own_fd;
  if (!pump->to_port && pumps != NULL)
    {
      pump->pumps = xenon_pumps_ref (pumps);
      g_mutex_lock (&pumps->lock);
      pumps->running++;
      g_mutex_unlock (&pumps->lock);
    }
  thread = g_thread_try_new ("xenon-stdio", pump_thread, pump, error);
  if (thread == NULL)
    {
      close (own_fd);
      close (port_fd);
      if (pump->pumps != NULL)
        {
          g_mutex_lock (&pumps->lock);
          pumps->running--;
          g_mutex_unlock (&pumps->lock);
          xenon_pumps_unref (pump->pumps);
        }
      g_free (pump);
      return FALSE;
    }
  g_thread_unref (thread);
  return TRUE;
}
