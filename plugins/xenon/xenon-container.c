/* xenon-container.c: a compute system of the "hyperv" isolation: the guest
 * agent's container, reached through its protocol proxy, in a VM of its
 * own.
 *
 * Most calls go to the proxy (the agent's argon container in the guest);
 * what belongs to the VM is done here: pause and resume stop and continue
 * the vCPUs through QMP (the guest cannot answer while stopped, so the
 * properties are answered from the last ones seen), statistics add
 * QEMU's own figures, and a QEMU that exits under a running container
 * turns it Stopped with ExitType UnexpectedExit. The VM goes with the
 * container: when it is removed or its last reference is dropped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xenon-private.h"

#include "hcs-protocol-client.h"
#include "xenon-storage.h"

#include <signal.h>

/* The agent has no ACPI power-off handling: the VM is ended by QEMU. */
#define XENON_STOP_GRACE_MS 0
/* How long the agent has to terminate the container before QEMU is
 * killed: a guard against a guest that does not answer (it takes well
 * under a second, a few under TCG at load), not a timing. */
#define XENON_TERMINATE_GUARD_S 20

struct _XenonContainer
{
  GObject parent_instance;

  char *id;
  VmGuest *guest;
  HcsContainer *proxy;
  HcsStateFolder *folder;       /* its state folder, removed with it */
  XenonStorage *storage;        /* nullable: its disks' files, kept until QEMU has gone */
  XenonPumps *init_pumps;       /* nullable: the init's output on given descriptors */

  GMutex lock;                  /* guards what follows */
  gboolean paused;              /* its vCPUs are stopped (QMP stop) */
  gboolean vm_gone;             /* QEMU exited and we did not end it */
  gboolean ending;              /* we are ending the VM */
  gboolean removed;
  gboolean closed;              /* the handle was let go */
  gboolean forced;              /* terminated by killing QEMU: ForcedExit, 137 */
  HcsContainerProperties *last; /* the last properties the guest gave */
};

static void xenon_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XenonContainer, xenon_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      xenon_container_iface_init))

/* The VM is no more to talk to: it died, or we ended it. */
static gboolean
vm_gone (XenonContainer *self)
{
  gboolean gone;

  g_mutex_lock (&self->lock);
  gone = self->vm_gone || self->ending;
  g_mutex_unlock (&self->lock);
  return gone || !vm_guest_is_alive (self->guest);
}

static gboolean
is_forced (XenonContainer *self)
{
  gboolean forced;

  g_mutex_lock (&self->lock);
  forced = self->forced;
  g_mutex_unlock (&self->lock);
  return forced;
}

static gboolean
set_vm_gone_error (XenonContainer *self, GError **error)
{
  gboolean removed, closed, forced;

  g_mutex_lock (&self->lock);
  removed = self->removed;
  closed = self->closed;
  forced = self->forced;
  g_mutex_unlock (&self->lock);
  if (closed)
    g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                 "xenon: compute system '%s': the handle was closed", self->id);
  else if (removed)
    g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                 "xenon: compute system '%s' does not exist (it was removed)", self->id);
  else if (forced)
    g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                 "xenon: compute system '%s' has stopped (terminated: its VM was killed)",
                 self->id);
  else
    g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                 "xenon: compute system '%s': its VM (QEMU) exited unexpectedly", self->id);
  return FALSE;
}

/* An error of the proxy becomes UnexpectedExit when the VM went under it
 * (the bridge's error says only that the connection closed). */
static gboolean
proxy_failed (XenonContainer *self, GError **error, GError *proxy_error)
{
  if (vm_gone (self))
    {
      g_error_free (proxy_error);
      return set_vm_gone_error (self, error);
    }
  g_propagate_error (error, proxy_error);
  return FALSE;
}

static gboolean
check_not_paused (XenonContainer *self, const char *what, GError **error)
{
  gboolean paused;

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);
  if (!paused)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
               "xenon: compute system '%s': %s: it is paused (its VM's processors are stopped)",
               self->id, what);
  return FALSE;
}

static void
vm_exited (VmGuest *guest, gpointer user_data)
{
  XenonContainer *self = user_data;

  g_mutex_lock (&self->lock);
  if (!self->ending)
    self->vm_gone = TRUE;
  g_mutex_unlock (&self->lock);
}

static void
forward_exited_cb (HcsContainer *proxy, int exit_code, gpointer user_data)
{
  g_signal_emit_by_name (user_data, "exited", exit_code);
}

static void
forward_event_cb (HcsContainer *proxy, const char *name, guint64 sequence, JsonNode *details,
                  gpointer user_data)
{
  g_signal_emit_by_name (user_data, "event", name, sequence, details);
}

XenonContainer *
xenon_container_new (const char *id, VmGuest *guest, HcsContainer *proxy)
{
  XenonContainer *self = g_object_new (XENON_TYPE_CONTAINER, NULL);

  self->id = g_strdup (id);
  self->guest = guest;
  self->proxy = proxy;
  self->last = hcs_container_get_properties (proxy, NULL);
  vm_guest_set_exited_func (guest, vm_exited, self);
  g_signal_connect_object (proxy, "exited", G_CALLBACK (forward_exited_cb), self, 0);
  g_signal_connect_object (proxy, "event", G_CALLBACK (forward_event_cb), self, 0);
  return self;
}

void
xenon_container_set_storage (XenonContainer *self, XenonStorage *storage)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->storage, xenon_storage_free);
  self->storage = storage;
  g_mutex_unlock (&self->lock);
}

void
xenon_container_set_init_pumps (XenonContainer *self, XenonPumps *pumps)
{
  g_clear_pointer (&self->init_pumps, xenon_pumps_unref);
  self->init_pumps = pumps != NULL ? xenon_pumps_ref (pumps) : NULL;
}

gboolean
xenon_container_is_alive (XenonContainer *self)
{
  return !vm_gone (self);
}

gboolean
xenon_container_is_removed (XenonContainer *self)
{
  gboolean removed;

  g_mutex_lock (&self->lock);
  removed = self->removed;
  g_mutex_unlock (&self->lock);
  return removed;
}

VmGuest *
xenon_container_get_guest (XenonContainer *self)
{
  return self->guest;
}

void
xenon_container_set_state_folder (XenonContainer *self, HcsStateFolder *folder)
{
  g_clear_object (&self->folder);
  self->folder = folder;
}

/* Ends the VM (once): the agent's containers live in it only. Then the
 * state folder goes: its id is free again. */
static void
end_vm (XenonContainer *self)
{
  g_autoptr (HcsStateFolder) folder = NULL;
  g_autoptr (GError) error = NULL;

  g_mutex_lock (&self->lock);
  self->ending = TRUE;
  folder = g_steal_pointer (&self->folder);
  g_mutex_unlock (&self->lock);
  vm_guest_stop (self->guest, XENON_STOP_GRACE_MS);
  if (folder != NULL &&
      (!hcs_state_folder_lock (folder, HCS_STATE_LOCK_EXCLUSIVE, TRUE, &error) ||
       !hcs_state_folder_remove (folder, &error)))
    g_debug ("xenon: compute system '%s': removing its state folder: %s", self->id,
             error->message);
  /* QEMU is reaped: nothing holds its disks' files. */
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->storage, xenon_storage_free);
  g_mutex_unlock (&self->lock);
}

/* --- HcsContainer --------------------------------------------------------------------- */

static const char *
xenon_container_get_id (HcsContainer *container)
{
  return XENON_CONTAINER (container)->id;
}

#define FORWARD_BOOL(call)                                                                       \
  G_STMT_START                                                                                   \
  {                                                                                              \
    GError *proxy_error = NULL;                                                                  \
                                                                                                 \
    if (vm_gone (self))                                                                          \
      return set_vm_gone_error (self, error);                                                    \
    if (call)                                                                                    \
      return TRUE;                                                                               \
    return proxy_failed (self, error, proxy_error);                                              \
  }                                                                                              \
  G_STMT_END

static gboolean
xenon_container_start (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);

  if (!check_not_paused (self, "start", error))
    return FALSE;
  FORWARD_BOOL (hcs_container_start (self->proxy, &proxy_error));
}

static gboolean
xenon_container_shutdown (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);

  if (!check_not_paused (self, "shutdown", error))
    return FALSE;
  FORWARD_BOOL (hcs_container_shutdown (self->proxy, &proxy_error));
}

/* A paused container is continued first: the agent kills its processes. */
static gboolean
continue_if_paused (XenonContainer *self, GError **error)
{
  gboolean paused;

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);
  if (!paused)
    return TRUE;
  if (!vm_guest_qmp (self->guest, "cont", NULL, NULL, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  self->paused = FALSE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* The agent's terminate, run in a thread of its own so that a guest
 * that does not answer cannot hold the caller. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean done;
  gboolean ok;
  GError *error;
  HcsContainer *proxy;
} Terminating;

static gpointer
terminate_thread (gpointer data)
{
  Terminating *terminating = data;
  GError *error = NULL;
  gboolean ok = hcs_container_terminate (terminating->proxy, &error);

  g_mutex_lock (&terminating->lock);
  terminating->ok = ok;
  terminating->error = error;
  terminating->done = TRUE;
  g_cond_signal (&terminating->cond);
  g_mutex_unlock (&terminating->lock);
  return NULL;
}

/* The agent is asked first (SIGKILL to the init, as argon does: its exit
 * code is 137 and its processes' too, each told to its waiters over the
 * bridge). A guest that does not answer within the guard (hung, or its
 * QEMU stopped) has its QEMU killed: the container is then Stopped with
 * ForcedExit and 137, as the agent would have said, though its processes'
 * waits end with the lost connection. */
static gboolean
xenon_container_terminate (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  Terminating terminating = { .proxy = self->proxy };
  gint64 deadline = g_get_monotonic_time () + XENON_TERMINATE_GUARD_S * G_TIME_SPAN_SECOND;
  GThread *thread;
  gboolean done;

  if (vm_gone (self))
    return set_vm_gone_error (self, error);
  if (!continue_if_paused (self, error))
    return FALSE;
  g_mutex_init (&terminating.lock);
  g_cond_init (&terminating.cond);
  thread = g_thread_new ("xenon-terminate", terminate_thread, &terminating);
  g_mutex_lock (&terminating.lock);
  while (!terminating.done && g_cond_wait_until (&terminating.cond, &terminating.lock, deadline))
    ;
  done = terminating.done;
  g_mutex_unlock (&terminating.lock);
  if (!done)
    {
      g_debug ("xenon: compute system '%s': the agent did not terminate it in %d s: killing "
               "QEMU", self->id, XENON_TERMINATE_GUARD_S);
      g_mutex_lock (&self->lock);
      self->forced = TRUE;
      self->ending = TRUE;
      g_mutex_unlock (&self->lock);
      /* The bridge closes with it: the agent's call ends. */
      vm_guest_stop (self->guest, 0);
    }
  g_thread_join (thread);
  g_mutex_clear (&terminating.lock);
  g_cond_clear (&terminating.cond);
  if (!done)
    {
      g_clear_error (&terminating.error);
      g_signal_emit_by_name (self, "exited", 128 + SIGKILL);
      return TRUE;
    }
  if (terminating.ok)
    return TRUE;
  return proxy_failed (self, error, terminating.error);
}

static gboolean
xenon_container_wait_timeout (HcsContainer *container, gint64 timeout_ms,
                              GCancellable *cancellable, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  GError *proxy_error = NULL;

  if (is_forced (self) && !xenon_container_is_removed (self))
    return TRUE;
  if (vm_gone (self))
    return set_vm_gone_error (self, error);
  if (!hcs_container_wait_timeout (self->proxy, timeout_ms, cancellable, &proxy_error))
    {
      /* Ended by a terminate that killed QEMU meanwhile: stopped. */
      if (is_forced (self) && !xenon_container_is_removed (self))
        return g_clear_error (&proxy_error), TRUE;
      return proxy_failed (self, error, proxy_error);
    }
  if (is_forced (self))
    return TRUE;
  /* The agent's connection went with the VM before QEMU was seen to exit. */
  if (hcs_protocol_container_is_lost (self->proxy))
    return set_vm_gone_error (self, error);
  /* As argon's: what the init wrote is in its descriptors by now. */
  xenon_pumps_drain (self->init_pumps);
  return TRUE;
}

static void
drain_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  xenon_pumps_drain (XENON_CONTAINER (source_object)->init_pumps);
  g_task_return_boolean (task, TRUE);
}

static void
wait_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  XenonContainer *self = g_task_get_source_object (task);
  GError *proxy_error = NULL;
  GError *error = NULL;

  if (hcs_container_wait_finish (HCS_CONTAINER (source), result, &proxy_error) &&
      !hcs_protocol_container_is_lost (HCS_CONTAINER (source)) && !is_forced (self))
    {
      /* The init's output drained first, off the caller's context. */
      g_task_run_in_thread (task, drain_thread);
    }
  else if (is_forced (self))
    {
      g_clear_error (&proxy_error);
      g_task_return_boolean (task, TRUE);
    }
  else if (proxy_error == NULL)
    {
      /* The agent's connection went with the VM before QEMU was seen to exit. */
      set_vm_gone_error (self, &error);
      g_task_return_error (task, error);
    }
  else
    {
      proxy_failed (self, &error, proxy_error);
      g_task_return_error (task, error);
    }
}

static void
xenon_container_wait_async (HcsContainer *container, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  XenonContainer *self = XENON_CONTAINER (container);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, xenon_container_wait_async);
  if (is_forced (self) && !xenon_container_is_removed (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (vm_gone (self))
    {
      GError *error = NULL;

      set_vm_gone_error (self, &error);
      g_task_return_error (task, error);
      return;
    }
  hcs_container_wait_async (self->proxy, cancellable, wait_done_cb, g_steal_pointer (&task));
}

static gboolean
xenon_container_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
xenon_container_pause (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  g_autoptr (HcsContainerProperties) props = NULL;
  GError *proxy_error = NULL;

  if (!check_not_paused (self, "pause", error))
    return FALSE;
  if (vm_gone (self))
    return set_vm_gone_error (self, error);
  props = hcs_container_get_properties (self->proxy, &proxy_error);
  if (props == NULL)
    return proxy_failed (self, error, proxy_error);
  if (g_strcmp0 (props->state, "Running") != 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "xenon: compute system '%s': pause: it is %s, not Running", self->id,
                   props->state ? props->state : "in no state");
      return FALSE;
    }
  if (!vm_guest_qmp (self->guest, "stop", NULL, NULL, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  self->paused = TRUE;
  g_clear_pointer (&self->last, hcs_container_properties_free);
  self->last = g_steal_pointer (&props);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
xenon_container_resume (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  gboolean paused;

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);
  if (!paused)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "xenon: compute system '%s': resume: it is not paused", self->id);
      return FALSE;
    }
  if (vm_gone (self))
    return set_vm_gone_error (self, error);
  return continue_if_paused (self, error);
}

/* The guest's figures for its container, with the VM's own where the VM
 * is the cost: processor time is QEMU's (every vCPU and device thread),
 * the private working set QEMU's resident memory. */
static HcsStatistics *
xenon_container_get_statistics (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  HcsStatistics *stats;
  GError *proxy_error = NULL;
  guint64 cpu_ns = 0, rss_bytes = 0;

  if (!check_not_paused (self, "statistics", error))
    return NULL;
  if (vm_gone (self))
    return set_vm_gone_error (self, error), NULL;
  stats = hcs_container_get_statistics (self->proxy, &proxy_error);
  if (stats == NULL)
    return proxy_failed (self, error, proxy_error), NULL;
  if (vm_guest_get_host_usage (self->guest, &cpu_ns, &rss_bytes, NULL))
    {
      stats->processor_total_runtime_100ns =
          MAX (stats->processor_total_runtime_100ns, cpu_ns / 100);
      stats->memory_usage_private_working_set_bytes = rss_bytes;
    }
  return stats;
}

static GPtrArray *
xenon_container_get_process_list (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  GPtrArray *list;
  GError *proxy_error = NULL;

  if (!check_not_paused (self, "process list", error))
    return NULL;
  if (vm_gone (self))
    return set_vm_gone_error (self, error), NULL;
  list = hcs_container_get_process_list (self->proxy, &proxy_error);
  if (list == NULL)
    proxy_failed (self, error, proxy_error);
  return list;
}

static HcsProcess *
xenon_container_create_process (HcsContainer *container, const HcsProcessConfig *config,
                                GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  HcsProcess *process;
  GError *proxy_error = NULL;

  if (!check_not_paused (self, "creating a process", error))
    return NULL;
  if (vm_gone (self))
    return set_vm_gone_error (self, error), NULL;
  /* Stdio on the caller's descriptors too: the proxy pumps them to the
   * guest's ports itself (hcs_protocol_stdio_pump_start), as for lcow. */
  process = hcs_container_create_process (self->proxy, config, &proxy_error);
  if (process == NULL)
    proxy_failed (self, error, proxy_error);
  return process;
}

static HcsProcess *
xenon_container_open_process (HcsContainer *container, int pid, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  HcsProcess *process;
  GError *proxy_error = NULL;

  if (vm_gone (self))
    return set_vm_gone_error (self, error), NULL;
  process = hcs_container_open_process (self->proxy, pid, &proxy_error);
  if (process == NULL)
    proxy_failed (self, error, proxy_error);
  return process;
}

static HcsProcess *
xenon_container_get_init_process (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);

  /* The proxy has it (and the init's stdio) without asking the guest. */
  return hcs_container_get_init_process (self->proxy, error);
}

static gboolean
xenon_container_modify (HcsContainer *container, const HcsResourceUpdate *update,
                        GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);

  if (!check_not_paused (self, "modify", error))
    return FALSE;
  FORWARD_BOOL (hcs_container_modify (self->proxy, update, &proxy_error));
}

static HcsContainerProperties *
xenon_container_get_properties (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  HcsContainerProperties *props = NULL;
  GError *proxy_error = NULL;
  gboolean paused;

  if (xenon_container_is_removed (self))
    return set_vm_gone_error (self, error), NULL;
  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);
  if (!paused && !vm_gone (self))
    {
      props = hcs_container_get_properties (self->proxy, &proxy_error);
      if (props == NULL && !vm_gone (self))
        {
          g_propagate_error (error, proxy_error);
          return NULL;
        }
      g_clear_error (&proxy_error);
    }
  g_mutex_lock (&self->lock);
  if (props != NULL)
    {
      g_clear_pointer (&self->last, hcs_container_properties_free);
      self->last = hcs_container_properties_copy (props);
    }
  else if (self->last != NULL)
    {
      /* The guest cannot answer: stopped vCPUs, or no VM any more. */
      props = hcs_container_properties_copy (self->last);
      g_free (props->state);
      if (self->paused && !self->vm_gone)
        props->state = g_strdup ("Paused");
      else
        {
          props->state = g_strdup ("Stopped");
          if (!props->stopped)
            {
              props->stopped = TRUE;
              g_free (props->exit_type);
              props->exit_type = g_strdup (self->forced ? "ForcedExit" : "UnexpectedExit");
              props->exit_code = 128 + SIGKILL;
            }
        }
    }
  g_mutex_unlock (&self->lock);
  if (props == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT,
                   "xenon: compute system '%s': its VM (QEMU) exited unexpectedly", self->id);
      return NULL;
    }
  g_free (props->isolation);
  props->isolation = g_strdup ("hyperv");
  return props;
}

static gboolean
xenon_container_close (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);

  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  g_mutex_unlock (&self->lock);
  return hcs_container_close (self->proxy, error);
}

/* The agent forgets it, then the VM goes; a VM that died leaves nothing to
 * forget. */
static gboolean
xenon_container_remove (HcsContainer *container, GError **error)
{
  XenonContainer *self = XENON_CONTAINER (container);
  GError *proxy_error = NULL;

  if (xenon_container_is_removed (self))
    return set_vm_gone_error (self, error);
  if (!vm_gone (self))
    {
      if (!continue_if_paused (self, error))
        return FALSE;
      if (!hcs_container_remove (self->proxy, &proxy_error))
        {
          if (!vm_gone (self))
            {
              g_propagate_error (error, proxy_error);
              return FALSE;
            }
          g_clear_error (&proxy_error);
        }
    }
  /* The init's last output written before its ports go with QEMU. */
  xenon_pumps_drain (self->init_pumps);
  g_mutex_lock (&self->lock);
  self->removed = TRUE;
  g_mutex_unlock (&self->lock);
  end_vm (self);
  return TRUE;
}

static void
xenon_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = xenon_container_get_id;
  iface->start = xenon_container_start;
  iface->shutdown = xenon_container_shutdown;
  iface->terminate = xenon_container_terminate;
  iface->wait_timeout = xenon_container_wait_timeout;
  iface->wait_async = xenon_container_wait_async;
  iface->wait_finish = xenon_container_wait_finish;
  iface->pause = xenon_container_pause;
  iface->resume = xenon_container_resume;
  iface->get_statistics = xenon_container_get_statistics;
  iface->get_process_list = xenon_container_get_process_list;
  iface->create_process = xenon_container_create_process;
  iface->open_process = xenon_container_open_process;
  iface->get_init_process = xenon_container_get_init_process;
  iface->modify = xenon_container_modify;
  iface->get_properties = xenon_container_get_properties;
  iface->close = xenon_container_close;
  iface->remove = xenon_container_remove;
}

/* --- GObject ------------------------------------------------------------------------ */

static void
xenon_container_finalize (GObject *object)
{
  XenonContainer *self = XENON_CONTAINER (object);

  /* Nobody holds it any more: its VM goes with it. */
  end_vm (self);
  vm_guest_set_exited_func (self->guest, NULL, NULL);
  g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);
  g_clear_object (&self->guest);
  g_clear_pointer (&self->last, hcs_container_properties_free);
  g_clear_pointer (&self->init_pumps, xenon_pumps_unref);
  g_free (self->id);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (xenon_container_parent_class)->finalize (object);
}

static void
xenon_container_class_init (XenonContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xenon_container_finalize;
}

static void
xenon_container_init (XenonContainer *self)
{
  g_mutex_init (&self->lock);
}
