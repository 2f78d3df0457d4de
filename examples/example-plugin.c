/* example-plugin.c: an out-of-tree hcs plugin, built with pkg-config only.
 *
 * It provides the isolation "example": a compute system whose processes
 * are plain children of the host process, with no isolation at all. It
 * shows what hcs-plugin.h asks of a plugin (the entry point and ABI check,
 * declared options, a GInitable driver, every required vfunc of the
 * driver, the container and the process) and leaves the optional ones
 * (pause, statistics, signals...) NULL: hcs answers them
 * HCS_ERROR_NOT_SUPPORTED.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>
#include <hcs/hcs-plugin.h>

#include <signal.h>
#include <stdlib.h>

/* --- the process: a GSubprocess ------------------------------------------- */

#define EXAMPLE_TYPE_PROCESS (example_process_get_type ())
G_DECLARE_FINAL_TYPE (ExampleProcess, example_process, EXAMPLE, PROCESS, GObject)

struct _ExampleProcess
{
  GObject parent_instance;
  GSubprocess *subprocess;
  int pid;
};

static void example_process_iface_init (HcsProcessInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ExampleProcess, example_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_PROCESS, example_process_iface_init))

static void
example_process_finalize (GObject *object)
{
  g_clear_object (&EXAMPLE_PROCESS (object)->subprocess);
  G_OBJECT_CLASS (example_process_parent_class)->finalize (object);
}

static void
example_process_class_init (ExampleProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = example_process_finalize;
}

static void
example_process_init (ExampleProcess *self)
{
}

static ExampleProcess *
example_process_spawn (const HcsProcessConfig *config, GError **error)
{
  g_autoptr (ExampleProcess) self = g_object_new (EXAMPLE_TYPE_PROCESS, NULL);
  g_auto (GStrv) argv = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_NONE;

  if (config->command_args != NULL)
    argv = g_strdupv (config->command_args);
  else if (config->command_line == NULL ||
           !g_shell_parse_argv (config->command_line, NULL, &argv, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "example: ProcessConfig has no CommandLine");
      return NULL;
    }
  if (config->create_stdin_pipe)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  if (config->create_stdout_pipe)
    flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  if (config->create_stderr_pipe)
    flags |= G_SUBPROCESS_FLAGS_STDERR_PIPE;
  self->subprocess = g_subprocess_newv ((const char *const *) argv, flags, error);
  if (self->subprocess == NULL)
    return NULL;
  self->pid = atoi (g_subprocess_get_identifier (self->subprocess));
  return g_steal_pointer (&self);
}

static int
example_process_get_pid (HcsProcess *process)
{
  return EXAMPLE_PROCESS (process)->pid;
}

static void
wait_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
cancel_cb (GCancellable *cancellable, gpointer stop)
{
  g_cancellable_cancel (stop);
}

/* GSubprocess has no timed wait: wait in a main context of our own, and
 * stop that wait (it must finish before the context goes) on a timeout. */
static gboolean
example_process_wait_timeout (HcsProcess *process, gint64 timeout_ms,
                              GCancellable *cancellable, GError **error)
{
  ExampleProcess *self = EXAMPLE_PROCESS (process);
  g_autoptr (GMainContext) context = NULL;
  g_autoptr (GSource) timeout = NULL;
  g_autoptr (GCancellable) stop = g_cancellable_new ();
  gboolean done = FALSE, timed_out = FALSE;
  gulong handler = 0;

  if (timeout_ms < 0)
    return g_subprocess_wait (self->subprocess, cancellable, error);
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_cb), stop, NULL);
  g_subprocess_wait_async (self->subprocess, stop, wait_done_cb, &done);
  timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timeout, timed_out_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_cancellable_cancel (stop);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_cancellable_disconnect (cancellable, handler);
  g_main_context_pop_thread_default (context);

  if (g_subprocess_get_identifier (self->subprocess) == NULL)
    return TRUE; /* it exited */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
               "example: process %d still runs after %" G_GINT64_FORMAT " ms", self->pid,
               timeout_ms);
  return FALSE;
}

static void
wait_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (example_process_wait_timeout (source, -1, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
example_process_wait_async (HcsProcess *process, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (process, cancellable, callback, user_data);
  g_task_run_in_thread (task, wait_in_thread);
}

static gboolean
example_process_wait_finish (HcsProcess *process, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
example_process_get_exit_code (HcsProcess *process, int *exit_code, GError **error)
{
  ExampleProcess *self = EXAMPLE_PROCESS (process);

  if (g_subprocess_get_identifier (self->subprocess) != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "example: process %d still runs",
                   self->pid);
      return FALSE;
    }
  *exit_code = g_subprocess_get_if_exited (self->subprocess)
                   ? g_subprocess_get_exit_status (self->subprocess)
                   : 128 + g_subprocess_get_term_sig (self->subprocess);
  return TRUE;
}

static GOutputStream *
example_process_get_stdin (HcsProcess *process)
{
  return g_subprocess_get_stdin_pipe (EXAMPLE_PROCESS (process)->subprocess);
}

static GInputStream *
example_process_get_stdout (HcsProcess *process)
{
  return g_subprocess_get_stdout_pipe (EXAMPLE_PROCESS (process)->subprocess);
}

static GInputStream *
example_process_get_stderr (HcsProcess *process)
{
  return g_subprocess_get_stderr_pipe (EXAMPLE_PROCESS (process)->subprocess);
}

static gboolean
example_process_close_stdin (HcsProcess *process, GError **error)
{
  GOutputStream *stdin_pipe = example_process_get_stdin (process);

  return stdin_pipe == NULL || g_output_stream_close (stdin_pipe, NULL, error);
}

static gboolean
example_process_close (HcsProcess *process, GError **error)
{
  return TRUE; /* the process runs on; the object holds nothing else */
}

static void
example_process_iface_init (HcsProcessInterface *iface)
{
  iface->get_pid = example_process_get_pid;
  iface->wait_timeout = example_process_wait_timeout;
  iface->wait_async = example_process_wait_async;
  iface->wait_finish = example_process_wait_finish;
  iface->get_exit_code = example_process_get_exit_code;
  iface->get_stdin = example_process_get_stdin;
  iface->get_stdout = example_process_get_stdout;
  iface->get_stderr = example_process_get_stderr;
  iface->close_stdin = example_process_close_stdin;
  iface->close = example_process_close;
  /* signal, kill, resize_console: optional, left out. */
}

/* --- the container: the processes it started --------------------------- */

#define EXAMPLE_TYPE_CONTAINER (example_container_get_type ())
G_DECLARE_FINAL_TYPE (ExampleContainer, example_container, EXAMPLE, CONTAINER, GObject)

struct _ExampleContainer
{
  GObject parent_instance;
  char *id;
  GMutex lock;
  GCond stopped_cond;
  gboolean started, stopped;
  int exit_code;
  gint64 created;
  GPtrArray *processes; /* ExampleProcess* */
};

static void example_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ExampleContainer, example_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      example_container_iface_init))

static void
example_container_finalize (GObject *object)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (object);

  g_free (self->id);
  g_ptr_array_unref (self->processes);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->stopped_cond);
  G_OBJECT_CLASS (example_container_parent_class)->finalize (object);
}

static void
example_container_class_init (ExampleContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = example_container_finalize;
}

static void
example_container_init (ExampleContainer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->stopped_cond);
  self->processes = g_ptr_array_new_with_free_func (g_object_unref);
  self->created = g_get_real_time ();
}

static const char *
example_container_get_id (HcsContainer *container)
{
  return EXAMPLE_CONTAINER (container)->id;
}

static gboolean
example_container_start (HcsContainer *container, GError **error)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->started)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "example: '%s' was started already",
                   self->id);
      return FALSE;
    }
  self->started = TRUE;
  return TRUE;
}

/* Stops the system: its processes get @signum, it counts as exited with
 * 128 + @signum. */
static gboolean
example_container_stop (ExampleContainer *self, int signum, GError **error)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->stopped)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED, "example: '%s' is stopped",
                   self->id);
      return FALSE;
    }
  for (guint i = 0; i < self->processes->len; i++)
    g_subprocess_send_signal (((ExampleProcess *) self->processes->pdata[i])->subprocess, signum);
  self->stopped = TRUE;
  self->exit_code = 128 + signum;
  g_cond_broadcast (&self->stopped_cond);
  return TRUE;
}

static gboolean
example_container_shutdown (HcsContainer *container, GError **error)
{
  return example_container_stop (EXAMPLE_CONTAINER (container), SIGTERM, error);
}

static gboolean
example_container_terminate (HcsContainer *container, GError **error)
{
  return example_container_stop (EXAMPLE_CONTAINER (container), SIGKILL, error);
}

static gboolean
example_container_wait_timeout (HcsContainer *container, gint64 timeout_ms,
                                GCancellable *cancellable, GError **error)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  /* Without an init of its own, the system stops when it is told to. */
  while (!self->stopped)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (timeout_ms < 0)
        g_cond_wait_until (&self->stopped_cond, &self->lock,
                           g_get_monotonic_time () + G_TIME_SPAN_SECOND);
      else if (!g_cond_wait_until (&self->stopped_cond, &self->lock, deadline) && !self->stopped)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                       "example: '%s' still runs after %" G_GINT64_FORMAT " ms", self->id,
                       timeout_ms);
          return FALSE;
        }
    }
  return TRUE;
}

static void
container_wait_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (example_container_wait_timeout (source, -1, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
example_container_wait_async (HcsContainer *container, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (container, cancellable, callback, user_data);
  g_task_run_in_thread (task, container_wait_in_thread);
}

static gboolean
example_container_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static HcsProcess *
example_container_create_process (HcsContainer *container, const HcsProcessConfig *config,
                                  GError **error)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ExampleProcess *process;

  if (!self->started || self->stopped)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "example: '%s' is not running",
                   self->id);
      return NULL;
    }
  process = example_process_spawn (config, error);
  if (process == NULL)
    return NULL;
  g_ptr_array_add (self->processes, g_object_ref (process));
  return HCS_PROCESS (process);
}

static HcsProcess *
example_container_open_process (HcsContainer *container, int pid, GError **error)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  for (guint i = 0; i < self->processes->len; i++)
    if (((ExampleProcess *) self->processes->pdata[i])->pid == pid)
      return g_object_ref (self->processes->pdata[i]);
  g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_NOT_FOUND, "example: '%s' has no process %d",
               self->id, pid);
  return NULL;
}

static HcsProcess *
example_container_get_init_process (HcsContainer *container, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
               "example: '%s' has no init process of its own",
               EXAMPLE_CONTAINER (container)->id);
  return NULL;
}

static HcsContainerProperties *
example_container_get_properties (HcsContainer *container, GError **error)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  HcsContainerProperties *props = hcs_container_properties_new ();

  props->id = g_strdup (self->id);
  props->system_type = g_strdup ("Container");
  props->runtime_os_type = g_strdup ("linux");
  props->isolation = g_strdup ("example");
  props->state = g_strdup (self->stopped ? "Stopped" : self->started ? "Running" : "Created");
  props->stopped = self->stopped;
  props->exit_code = self->exit_code;
  props->created = self->created;
  return props;
}

static gboolean
example_container_close (HcsContainer *container, GError **error)
{
  return TRUE;
}

static gboolean
example_container_remove (HcsContainer *container, GError **error)
{
  ExampleContainer *self = EXAMPLE_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->started && !self->stopped)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "example: '%s' still runs",
                   self->id);
      return FALSE;
    }
  /* Its processes were signalled when it stopped; reap what is left. */
  for (guint i = 0; i < self->processes->len; i++)
    g_subprocess_wait (((ExampleProcess *) self->processes->pdata[i])->subprocess, NULL, NULL);
  g_ptr_array_set_size (self->processes, 0);
  return TRUE;
}

static void
example_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = example_container_get_id;
  iface->start = example_container_start;
  iface->shutdown = example_container_shutdown;
  iface->terminate = example_container_terminate;
  iface->wait_timeout = example_container_wait_timeout;
  iface->wait_async = example_container_wait_async;
  iface->wait_finish = example_container_wait_finish;
  iface->create_process = example_container_create_process;
  iface->open_process = example_container_open_process;
  iface->get_init_process = example_container_get_init_process;
  iface->get_properties = example_container_get_properties;
  iface->close = example_container_close;
  iface->remove = example_container_remove;
  /* pause, resume, get_statistics, get_process_list, modify: optional. */
}

/* --- the driver ----------------------------------------------------------- */

#define EXAMPLE_TYPE_DRIVER (example_driver_get_type ())
G_DECLARE_FINAL_TYPE (ExampleDriver, example_driver, EXAMPLE, DRIVER, GObject)

struct _ExampleDriver
{
  GObject parent_instance;
  GMutex lock;
  GHashTable *containers; /* id -> ExampleContainer* (weak: the caller owns it) */
};

static void example_driver_iface_init (HcsIsolationDriverInterface *iface);
static void example_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ExampleDriver, example_driver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_ISOLATION_DRIVER,
                                                      example_driver_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      example_driver_initable_iface_init))

static void
example_driver_finalize (GObject *object)
{
  ExampleDriver *self = EXAMPLE_DRIVER (object);

  g_hash_table_unref (self->containers);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (example_driver_parent_class)->finalize (object);
}

static void
example_driver_class_init (ExampleDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = example_driver_finalize;
}

static void
example_driver_init (ExampleDriver *self)
{
  g_mutex_init (&self->lock);
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* A driver says here why it cannot run on this host; this one only reads
 * its option, which the host has checked against the declaration below. */
static gboolean
example_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  GKeyFile *options = hcs_driver_get_options (initable);

  if (!hcs_options_get_boolean (options, NULL, "example", "enabled", TRUE))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "example: disabled by [example] enabled=false");
      return FALSE;
    }
  return TRUE;
}

static void
example_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = example_driver_initable_init;
}

static const char *
example_driver_get_isolation (HcsIsolationDriver *driver)
{
  return "example";
}

static void
container_finalized_cb (gpointer data, GObject *where_the_object_was)
{
  ExampleDriver *self = data;
  GHashTableIter iter;
  gpointer container;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &container))
    if (container == (gpointer) where_the_object_was)
      g_hash_table_iter_remove (&iter);
  g_mutex_unlock (&self->lock);
}

static HcsContainer *
example_driver_create_container (HcsIsolationDriver *driver, const char *id,
                                 const HcsContainerConfig *config, GKeyFile *system_options,
                                 GError **error)
{
  ExampleDriver *self = EXAMPLE_DRIVER (driver);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ExampleContainer *container;

  if (g_hash_table_contains (self->containers, id))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "example: a compute system with id '%s' already exists", id);
      return NULL;
    }
  container = g_object_new (EXAMPLE_TYPE_CONTAINER, NULL);
  container->id = g_strdup (id);
  g_hash_table_insert (self->containers, g_strdup (id), container);
  g_object_weak_ref (G_OBJECT (container), container_finalized_cb, self);
  return HCS_CONTAINER (container);
}

static HcsContainer *
example_driver_open_container (HcsIsolationDriver *driver, const char *id, GError **error)
{
  ExampleDriver *self = EXAMPLE_DRIVER (driver);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ExampleContainer *container = g_hash_table_lookup (self->containers, id);

  if (container == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "example: no compute system '%s'", id);
      return NULL;
    }
  return HCS_CONTAINER (g_object_ref (container));
}

static GPtrArray *
example_driver_list_containers (HcsIsolationDriver *driver, GError **error)
{
  ExampleDriver *self = EXAMPLE_DRIVER (driver);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_container_properties_free);
  GHashTableIter iter;
  gpointer container;

  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &container))
    g_ptr_array_add (result, example_container_get_properties (container, NULL));
  return result;
}

static void
example_driver_iface_init (HcsIsolationDriverInterface *iface)
{
  iface->get_isolation = example_driver_get_isolation;
  iface->create_container = example_driver_create_container;
  iface->open_container = example_driver_open_container;
  iface->list_containers = example_driver_list_containers;
}

/* --- the entry point ----------------------------------------------------- */

static const HcsOptionSpec example_options[] = {
  { "example", "enabled", HCS_OPTION_BOOLEAN, .default_value = "true",
    .description = "Offer the example isolation" },
};

G_MODULE_EXPORT gboolean hcs_plugin_init (HcsRegistry *registry, guint abi_version,
                                          GError **error);

gboolean
hcs_plugin_init (HcsRegistry *registry, guint abi_version, GError **error)
{
  if (abi_version != HCS_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PLUGIN,
                   "example: built for plugin ABI %d, the host has %u", HCS_PLUGIN_ABI_VERSION,
                   abi_version);
      return FALSE;
    }
  return hcs_registry_add_options (registry, example_options, G_N_ELEMENTS (example_options),
                                   error) &&
         hcs_registry_add_isolation_driver (registry, EXAMPLE_TYPE_DRIVER, error);
}
