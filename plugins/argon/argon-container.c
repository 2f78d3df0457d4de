/* argon-container.c: a compute system with process isolation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "argon-private.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

typedef enum {
  ARGON_STATE_CREATED,
  ARGON_STATE_RUNNING,
  ARGON_STATE_PAUSED,
  ARGON_STATE_STOPPED,
} ArgonState;

static const char *const state_names[] = { "Created", "Running", "Paused", "Stopped" };

struct _ArgonContainer
{
  GObject parent_instance;

  GMutex lock;
  ArgonDriver *driver;
  ArgonSettings settings;
  char *id;
  char *what;                 /* "container 'web'" for messages */
  HcsContainerConfig *config;
  HcsRuntimeCgroup *cgroup;
  ArgonProcess *init;
  gboolean has_own_init;      /* the config gave a process */
  GHashTable *processes;      /* pid -> ArgonProcess (exec'd) */
  ArgonState state;           /* as last set; STOPPED is derived from the init */
  const char *exit_type;
  gboolean closed;
  gboolean removed;
  gint64 created_time;        /* unix µs */
  gint64 start_time;          /* unix µs, 0 before start */
  gulong init_exited_handler;
  HcsStateFolder *folder;     /* STATE_DIR/systems/ID, through hcs-state */
  guint64 init_start_time;    /* the init's, read once it ran: 0 once it is gone */
  int helper_pid;             /* the create's helper, recorded as soon as it runs */
  guint64 helper_start_time;
  gboolean half_created;      /* loaded from a folder its creator never committed */
  gboolean detached;          /* the init is the caller's (runc's model) */
  gboolean loaded;            /* opened from the state folder, not created here */
  int creator_pid;            /* who holds a non-detached init's helper */
};

static void argon_container_iface_init (HcsContainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArgonContainer, argon_container, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_CONTAINER,
                                                      argon_container_iface_init))

static void
argon_container_finalize (GObject *object)
{
  ArgonContainer *self = ARGON_CONTAINER (object);

  if (self->init != NULL)
    g_clear_signal_handler (&self->init_exited_handler, self->init);
  g_clear_object (&self->init);
  g_hash_table_unref (self->processes);
  g_clear_pointer (&self->cgroup, hcs_runtime_cgroup_free);
  g_clear_pointer (&self->config, hcs_container_config_free);
  argon_settings_clear (&self->settings);
  g_clear_object (&self->driver);
  g_free (self->id);
  g_free (self->what);
  g_clear_object (&self->folder);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (argon_container_parent_class)->finalize (object);
}

static void
argon_container_class_init (ArgonContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = argon_container_finalize;
}

static void
argon_container_init (ArgonContainer *self)
{
  g_mutex_init (&self->lock);
  self->processes = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->exit_type = "";
}

static ArgonState
current_state (ArgonContainer *self)
{
  if (self->init == NULL || argon_process_has_exited (self->init))
    return ARGON_STATE_STOPPED;
  /* Another process may have paused or resumed it since. */
  if (self->loaded)
    return hcs_runtime_cgroup_is_frozen (self->cgroup) ? ARGON_STATE_PAUSED
           : self->start_time != 0                      ? ARGON_STATE_RUNNING
                                                        : ARGON_STATE_CREATED;
  return self->state;
}

static char *
fifo_path (ArgonContainer *self)
{
  return hcs_state_folder_build_path (self->folder, "exec.fifo");
}

static gboolean
save_state (ArgonContainer *self, GError **error)
{
  g_auto (ArgonStateFile) state = { 0 };
  int pid = self->init ? hcs_process_get_pid (HCS_PROCESS (self->init)) : 0;

  state.id = g_strdup (self->id);
  state.name = g_strdup (self->config->name ? self->config->name : self->id);
  state.owner = g_strdup (self->config->owner);
  state.pid = pid;
  /* Read when the init was known to run: a workload that has already
   * exited by `start` must not record 0, which any gone pid matches. */
  state.pid_start_time = self->init_start_time;
  state.helper_pid = self->helper_pid;
  state.helper_start_time = self->helper_start_time;
  state.created = self->created_time;
  state.started = self->start_time;
  state.detached = self->detached;
  state.has_own_init = self->has_own_init;
  state.creator_pid = self->creator_pid;
  state.exit_type = g_strdup (self->exit_type);
  state.cgroup_parent = g_strdup (self->settings.cgroup_parent);
  state.cgroup_name = g_strdup (self->settings.cgroup_name);
  /* Before the cgroup exists: the version asked for (auto resolves the
   * same way again). */
  state.cgroup_version = self->cgroup ? (int) hcs_runtime_cgroup_get_version (self->cgroup)
                                      : (int) self->settings.cgroup_version;
  state.cgroup_root = g_strdup (self->settings.cgroup_root);
  return argon_state_save (self->folder, &state, error);
}

static gboolean
check_open (ArgonContainer *self, GError **error)
{
  if (self->closed)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED,
                   "argon: the handle of %s is already closed", self->what);
      return FALSE;
    }
  return TRUE;
}

/* A system opened from a state folder whose cgroup is gone has stopped and
 * has nothing left to read. */
static gboolean
check_cgroup (ArgonContainer *self, GError **error)
{
  if (!check_open (self, error))
    return FALSE;
  if (self->cgroup == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                   "argon: %s has stopped and its cgroup is gone", self->what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_state (ArgonContainer *self, ArgonState wanted, const char *operation, GError **error)
{
  ArgonState state;

  if (!check_open (self, error))
    return FALSE;
  state = current_state (self);
  if (state == wanted)
    return TRUE;
  if (state == ARGON_STATE_STOPPED)
    g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                 "argon: %s: cannot %s: it has already stopped", self->what, operation);
  else
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                 "argon: %s: cannot %s while %s", self->what, operation, state_names[state]);
  return FALSE;
}

/* --- create ---------------------------------------------------------------------- */

static void
init_exited_cb (HcsProcess *init, int exit_code, gpointer data)
{
  ArgonContainer *self = data;

  g_signal_emit_by_name (self, "exited", exit_code);
}

/* The helper runs: recorded before it reads its spec, so that a creator
 * killed from here on leaves its pid to whoever removes the system. */
static void
helper_spawned_cb (GPid helper_pid, gpointer data)
{
  ArgonContainer *self = data;
  g_autoptr (GError) error = NULL;

  self->helper_pid = helper_pid;
  self->helper_start_time = argon_process_start_time (helper_pid);
  if (!argon_state_save_pid (self->folder, ARGON_HELPER_RECORD, helper_pid,
                             self->helper_start_time, &error))
    g_debug ("argon: %s: %s", self->what, error->message);
  hcs_state_fault_point ("argon-helper");
}

/* The cgroup's directories, each once, in the order a removal takes them,
 * and the one that lists every member (as hcs-runtime-cgroup.c reads
 * them: v2's one, else pids', else memory's, else the first). */
static GStrv
gate_cgroups (ArgonContainer *self, const char **members)
{
  g_auto (GStrv) procs = hcs_runtime_cgroup_get_procs_files (self->cgroup);
  GStrv dirs = g_new0 (char *, g_strv_length (procs) + 1);

  for (guint i = 0; procs[i] != NULL; i++)
    dirs[i] = g_path_get_dirname (procs[i]);
  *members = hcs_runtime_cgroup_get_path (self->cgroup, "pids");
  if (*members == NULL)
    *members = hcs_runtime_cgroup_get_path (self->cgroup, "memory");
  if (*members == NULL || hcs_runtime_cgroup_get_version (self->cgroup) ==
                              HCS_RUNTIME_CGROUP_VERSION_2)
    *members = dirs[0];
  return dirs;
}

/* The start gate (hcs-state.h): what hcsctl's front needs to start, signal
 * and describe a detached container without loading this plugin. */
static gboolean
write_gate (ArgonContainer *self, int pid, GError **error)
{
  const char *freezer_dir = hcs_runtime_cgroup_get_path (self->cgroup, "freezer");
  gboolean v2 = hcs_runtime_cgroup_get_version (self->cgroup) == HCS_RUNTIME_CGROUP_VERSION_2;
  g_autofree char *freezer = NULL;
  g_auto (GStrv) cgroups = NULL;
  HcsStateGate gate = { 0 };

  if (freezer_dir != NULL)
    freezer = g_build_filename (freezer_dir, v2 ? "cgroup.events" : "freezer.state", NULL);
  /* All a delete must undo: the cgroups (a removal, lock_for_remove() and
   * argon_container_remove(), is these, the helper and the folder). */
  cgroups = gate_cgroups (self, &gate.cgroup_members);
  gate.cgroups = (const char *const *) cgroups;
  gate.helper_pid = self->helper_pid;
  gate.helper_start_time = self->helper_start_time;
  gate.pid = pid;
  gate.pid_start_time = self->init_start_time;
  gate.created = self->created_time;
  gate.start_fifo = self->detached ? "exec.fifo" : NULL;
  gate.freezer = freezer;
  gate.freezer_version = v2 ? 2 : 1;
  return hcs_state_folder_write_gate (self->folder, &gate, error);
}

/* The exec template (hcs-state.h): the spec argon_container_create_process
 * makes of an exec with a bare command line (hcsctl exec ID ARGS, run in
 * the foreground), rendered once, so that hcsctl's front can exec without
 * this plugin by substituting the command line (and env, cwd, user). The
 * process starts from the container's exec defaults when @config has
 * some, as such an exec's does. The create's @spec gives the container's
 * seccomp program, the one its ARGON_SECCOMP_RECORD holds. */
static gboolean
write_exec_gate (ArgonContainer *self, int pid, const HcsRuntimeSpec *spec,
                 const HcsContainerConfig *config, GError **error)
{
  g_autoptr (HcsProcessConfig) process = config->exec_defaults
                                             ? hcs_process_config_copy (config->exec_defaults)
                                             : hcs_process_config_new ();
  g_autoptr (HcsRuntimeSpec) exec = NULL;
  g_autoptr (GBytes) bytes = NULL;

  process->command_args = g_strdupv ((char *[]) { "/bin/true", NULL });
  process->inherit_stdio = TRUE;
  process->reap_directly = TRUE;
  exec = hcs_runtime_spec_new_for_exec (self->id, pid, process, error);
  if (exec == NULL)
    return FALSE;
  hcs_runtime_spec_set_cgroup (exec, self->cgroup);
  hcs_runtime_spec_inherit_seccomp (exec, spec);
  exec->detach = TRUE;
  exec->die_with_parent = self->settings.die_with_creator;
  bytes = hcs_runtime_spec_serialize (exec);
  return hcs_state_folder_write_gate_exec (self->folder, bytes, config->exec_defaults != NULL,
                                           error);
}

ArgonContainer *
argon_container_create (ArgonDriver *driver, const char *id,
                        const HcsContainerConfig *config, GKeyFile *system_options,
                        GError **error)
{
  g_autoptr (ArgonContainer) self = g_object_new (ARGON_TYPE_CONTAINER, NULL);
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  g_autoptr (GError) cleanup_error = NULL;

  self->driver = g_object_ref (driver);
  self->id = g_strdup (id);
  self->what = g_strdup_printf ("container '%s'", id);
  /* Only what the properties and the state show later: the rest of the
   * configuration lives on in the spec. */
  self->config = hcs_container_config_new ();
  self->config->name = g_strdup (config->name);
  self->config->owner = g_strdup (config->owner);
  self->has_own_init = config->process != NULL;
  self->created_time = g_get_real_time ();
  self->detached = config->process != NULL && config->process->detach;
  self->creator_pid = getpid ();
  argon_driver_get_settings (driver, system_options, &self->settings);

  /* The configuration becomes the helper's spec before anything is made,
   * so a bad one leaves nothing to undo. */
  spec = hcs_runtime_spec_new_for_container (id, config, self->settings.layer_dir, error);
  if (spec == NULL)
    {
      g_prefix_error (error, "argon: ");
      return NULL;
    }
  spec->die_with_parent = self->settings.die_with_creator;
  if (!hcs_runtime_process_check_host (spec->process, error))
    {
      g_prefix_error (error, "argon: ");
      return NULL;
    }
  /* linux.cgroupsPath replaces PARENT/ID, as runc reads it. */
  if (config->oci_cgroups_path != NULL)
    {
      g_clear_pointer (&self->settings.cgroup_parent, g_free);
      if (!hcs_runtime_cgroup_split_path (config->oci_cgroups_path,
                                          self->settings.cgroup_version,
                                          &self->settings.cgroup_parent,
                                          &self->settings.cgroup_name, error))
        {
          g_prefix_error (error, "argon: ");
          return NULL;
        }
    }

  /* Claimed locked and marked creating until the commit below; before each
   * resource is made, the record says what undoing it needs (the cgroup's
   * place, then the helper's pid), so a create killed at any instant leaves
   * a folder that remove undoes completely. */
  self->folder = hcs_state_claim (argon_driver_get_state (driver), id, ARGON_STATE_OWNER, error);
  if (self->folder == NULL)
    return NULL;
  if (!save_state (self, error))
    {
      hcs_state_folder_remove (self->folder, NULL);
      return NULL;
    }
  if (spec->seccomp_program != NULL)
    {
      g_autoptr (GBytes) record = argon_record_format_seccomp (spec->seccomp_program,
                                                               spec->seccomp_flags);

      if (!hcs_state_folder_write (self->folder, ARGON_SECCOMP_RECORD,
                                   g_bytes_get_data (record, NULL), g_bytes_get_size (record),
                                   error))
        {
          hcs_state_folder_remove (self->folder, NULL);
          return NULL;
        }
    }
  hcs_state_fault_point ("argon-recorded");
  self->cgroup = hcs_runtime_cgroup_create (self->settings.cgroup_parent,
                                            self->settings.cgroup_name ? self->settings.cgroup_name
                                                                       : id,
                                            self->settings.cgroup_version,
                                            self->settings.cgroup_root, error);
  if (self->cgroup == NULL)
    {
      hcs_state_folder_remove (self->folder, NULL);
      return NULL;
    }
  hcs_state_fault_point ("argon-cgroup");

  /* runc's default spec denies every device first: the default allow-list
   * written before it would be undone, and apply_oci writes it again after
   * the config's rules (12 writes of 20 to 30 µs of CPU each, saved). */
  if (spec->oci_resources != NULL && hcs_runtime_oci_resources_reset_devices (spec->oci_resources))
    {
      if (!hcs_runtime_cgroup_apply_limits (self->cgroup, &spec->resources, error))
        goto fail;
    }
  else if (!hcs_runtime_cgroup_apply_resources (self->cgroup, &spec->resources, error))
    goto fail;
  if (spec->oci_resources != NULL &&
      !hcs_runtime_cgroup_apply_oci (self->cgroup, spec->oci_resources, error))
    goto fail;
  if (spec->devices != NULL && !hcs_runtime_cgroup_allow_devices (self->cgroup, spec->devices,
                                                                  error))
    goto fail;
  hcs_runtime_spec_set_cgroup (spec, self->cgroup);
  if (self->detached)
    {
      spec->detach = TRUE;
      spec->start_fifo = fifo_path (self);
      /* Writable by others (runc's 0622): the init reopens it as the
       * container's user. Only root reaches it, in the 0700 folder. */
      if (mkfifo (spec->start_fifo, 0600) < 0 || chmod (spec->start_fifo, 0622) < 0)
        {
          hcs_set_error_from_errno (error, errno, "argon: %s: creating %s", self->what,
                                    spec->start_fifo);
          goto fail;
        }
    }
  self->init = argon_process_spawn_full (self->settings.helper_path, ARGON_PROCESS_MODE_CREATE,
                                         spec, config->process, self->what, helper_spawned_cb,
                                         self, error);
  if (self->init == NULL)
    goto fail;
  self->init_exited_handler =
      g_signal_connect (self->init, "exited", G_CALLBACK (init_exited_cb), self);
  self->state = ARGON_STATE_CREATED;
  hcs_state_fault_point ("argon-spawned");
  {
    int pid = hcs_process_get_pid (HCS_PROCESS (self->init));

    self->init_start_time = argon_process_start_time (pid);
    if (!argon_state_save_pid (self->folder, ARGON_INIT_RECORD, pid, self->init_start_time,
                               error) ||
        !write_gate (self, pid, error) || !write_exec_gate (self, pid, spec, config, error))
      goto fail;
  }
  hcs_state_fault_point ("argon-saved");
  if (!hcs_state_folder_commit (self->folder, error))
    goto fail;
  hcs_state_folder_unlock (self->folder);
  return g_steal_pointer (&self);

fail:
  /* Nothing of a failed create survives: its processes, cgroup and state. */
  hcs_runtime_cgroup_kill_all (self->cgroup, NULL);
  if (self->init != NULL)
    hcs_process_wait_timeout (HCS_PROCESS (self->init), 10000, NULL, NULL);
  if (!hcs_runtime_cgroup_destroy (self->cgroup, &cleanup_error))
    g_warning ("argon: %s: %s", self->what, cleanup_error->message);
  hcs_state_folder_remove (self->folder, NULL);
  return NULL;
}

/* Whether the detached init @pid still holds the start fifo, that is,
 * still waits for `start`. The init lets go of it only once released, so
 * a `start` killed after opening the fifo but before recording the start
 * leaves a system that runs: its record alone would say created, and a
 * second `start` would wait on a fifo nobody writes any more. */
static gboolean
init_waits_for_start (ArgonContainer *self, int pid)
{
  g_autofree char *fifo = fifo_path (self);
  g_autofree char *fds_path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr (GDir) fds = NULL;
  struct stat fifo_stat;
  const char *name;

  if (stat (fifo, &fifo_stat) < 0)
    return FALSE; /* `start` removes it once it has read */
  fds = g_dir_open (fds_path, 0, NULL);
  if (fds == NULL)
    return FALSE;
  while ((name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *fd_path = g_build_filename (fds_path, name, NULL);
      struct stat fd_stat;

      if (stat (fd_path, &fd_stat) == 0 && fd_stat.st_dev == fifo_stat.st_dev &&
          fd_stat.st_ino == fifo_stat.st_ino)
        return TRUE;
    }
  return FALSE;
}

ArgonContainer *
argon_container_load (ArgonDriver *driver, const char *id, GError **error)
{
  g_autoptr (ArgonContainer) self = g_object_new (ARGON_TYPE_CONTAINER, NULL);
  g_auto (ArgonStateFile) state = { 0 };
  g_autoptr (GError) local_error = NULL;

  const char *owner;
  HcsStateFolderStatus status;

  self->driver = g_object_ref (driver);
  argon_driver_get_settings (driver, NULL, &self->settings);
  self->folder = hcs_state_open (argon_driver_get_state (driver), id, error);
  if (self->folder == NULL)
    return NULL;
  owner = hcs_state_folder_get_owner (self->folder);
  /* A folder of no owner is argon's: older folders, and those made by hand. */
  if (*owner != '\0' && !g_str_equal (owner, ARGON_STATE_OWNER))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                   "argon: compute system '%s' belongs to %s", id, owner);
      return NULL;
    }
  self->id = g_strdup (id);
  self->what = g_strdup_printf ("container '%s'", id);
  self->loaded = TRUE;
  status = hcs_state_folder_get_status (self->folder);
  self->half_created = status != HCS_STATE_FOLDER_CREATED || *owner == '\0';
  if (!argon_state_load (self->folder, self->half_created, &state, &local_error))
    {
      if (!g_error_matches (local_error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!self->half_created)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST,
                       "argon: no compute system has its state in %s",
                       hcs_state_folder_get_path (self->folder));
          return NULL;
        }
      /* Claimed, then killed before the first record: nothing was made. */
      g_clear_error (&local_error);
      self->config = hcs_container_config_new ();
      self->exit_type = status == HCS_STATE_FOLDER_CREATING ? "Creating" : "CreateAbandoned";
      return g_steal_pointer (&self);
    }
  self->config = hcs_container_config_new ();
  self->config->name = g_strdup (state.name);
  self->config->owner = *state.owner ? g_strdup (state.owner) : NULL;
  self->has_own_init = state.has_own_init;
  self->detached = state.detached;
  self->creator_pid = state.creator_pid;
  self->created_time = state.created;
  self->start_time = state.started;
  /* Started through the gate (hcsctl's front), which writes no argon.json. */
  if (self->start_time == 0 && state.detached)
    self->start_time = hcs_state_folder_get_gate_started (self->folder);
  self->state = self->start_time ? ARGON_STATE_RUNNING : ARGON_STATE_CREATED;
  if (*state.exit_type)
    self->exit_type = g_intern_string (state.exit_type);
  else if (status != HCS_STATE_FOLDER_CREATED)
    self->exit_type = status == HCS_STATE_FOLDER_CREATING ? "Creating" : "CreateAbandoned";
  self->helper_pid = state.helper_pid;
  self->helper_start_time = state.helper_start_time;
  g_free (self->settings.cgroup_parent);
  self->settings.cgroup_parent = g_strdup (state.cgroup_parent);
  g_free (self->settings.cgroup_name);
  self->settings.cgroup_name = g_strdup (state.cgroup_name);
  g_free (self->settings.cgroup_root);
  self->settings.cgroup_root = g_strdup (state.cgroup_root);

  self->settings.cgroup_version = state.cgroup_version;
  self->cgroup = hcs_runtime_cgroup_open (state.cgroup_parent,
                                          state.cgroup_name ? state.cgroup_name : id,
                                          state.cgroup_version,
                                          state.cgroup_root, &local_error);
  if (self->cgroup == NULL)
    {
      /* Half removed: remove can still finish the state folder. */
      self->cgroup = NULL;
      g_debug ("argon: %s: %s", self->what, local_error->message);
    }
  /* The init is the one recorded only if the pid still names the process
   * that started then; otherwise the system has stopped. */
  self->init_start_time = state.pid_start_time;
  if (self->cgroup != NULL && state.pid > 0 && state.pid_start_time != 0 &&
      argon_process_start_time (state.pid) == state.pid_start_time)
    self->init = argon_process_open_foreign (state.pid, self->what, NULL);
  if (self->init != NULL)
    self->init_exited_handler =
        g_signal_connect (self->init, "exited", G_CALLBACK (init_exited_cb), self);
  /* Released by a `start` that died before recording it: it runs. The
   * instant is unknown; the moment we learn of it stands in. */
  if (self->init != NULL && self->detached && self->start_time == 0 && !self->half_created &&
      !init_waits_for_start (self, state.pid))
    {
      self->start_time = g_get_real_time ();
      self->state = ARGON_STATE_RUNNING;
    }
  return g_steal_pointer (&self);
}

/* --- HcsContainer --------------------------------------------------------------- */

static const char *
argon_container_get_id (HcsContainer *container)
{
  return ARGON_CONTAINER (container)->id;
}

/* runc's exec.fifo: the detached init blocks opening the fifo to write
 * until we open it to read; one byte read means it goes on to exec. The
 * init's pidfd is watched beside it, so a dead init is an error, not a
 * hang. */
static gboolean
start_through_fifo (ArgonContainer *self, GError **error)
{
  g_autofree char *path = fifo_path (self);
  int pid = hcs_process_get_pid (HCS_PROCESS (self->init));
  int fifo_fd, pidfd;
  char byte;
  gssize n;

  fifo_fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo_fd < 0)
    return hcs_set_error_from_errno (error, errno, "argon: %s: opening %s", self->what, path);
  /* Opened: the init is released, whatever happens to us now. */
  hcs_state_fault_point ("argon-start-opened");
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = fifo_fd, .events = POLLIN },
                               { .fd = pidfd, .events = POLLIN } };
      int ready = poll (fds, pidfd >= 0 ? 2 : 1, -1);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready > 0 && (fds[0].revents & POLLIN))
        break;
      argon_clear_fd (&fifo_fd);
      argon_clear_fd (&pidfd);
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                   "argon: %s: its init exited before it was started", self->what);
      return FALSE;
    }
  n = read (fifo_fd, &byte, 1);
  argon_clear_fd (&fifo_fd);
  argon_clear_fd (&pidfd);
  if (n != 1)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "argon: %s: starting it through %s failed",
                   self->what, path);
      return FALSE;
    }
  unlink (path);
  return TRUE;
}

static gboolean
argon_container_start (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!check_state (self, ARGON_STATE_CREATED, "start", error))
    return FALSE;
  if (self->detached)
    {
      if (!start_through_fifo (self, error))
        return FALSE;
    }
  else if (self->loaded)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "argon: %s: only its creator (process %d) can start it", self->what,
                   self->creator_pid);
      return FALSE;
    }
  else if (!argon_process_release (self->init, error))
    return FALSE;
  hcs_state_fault_point ("argon-started");
  self->state = ARGON_STATE_RUNNING;
  self->start_time = g_get_real_time ();
  return save_state (self, error);
}

static gboolean
argon_container_wait_timeout (HcsContainer *container, gint64 timeout_ms,
                              GCancellable *cancellable, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);

  if (!check_open (self, error))
    return FALSE;
  if (self->init == NULL)
    return TRUE; /* opened from its state after its init was gone */
  return hcs_process_wait_timeout (HCS_PROCESS (self->init), timeout_ms, cancellable, error);
}

static void
init_wait_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (hcs_process_wait_finish (HCS_PROCESS (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
argon_container_wait_async (HcsContainer *container, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, argon_container_wait_async);
  if (!check_open (self, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (self->init == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  hcs_process_wait_async (HCS_PROCESS (self->init), cancellable, init_wait_cb, task);
}

static gboolean
argon_container_wait_finish (HcsContainer *container, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, container), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
argon_container_shutdown (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  ArgonState state;

  if (!check_open (self, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  state = current_state (self);
  if (state == ARGON_STATE_STOPPED)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                   "argon: %s has already stopped", self->what);
      return FALSE;
    }
  /* A frozen init cannot act on SIGTERM. */
  if (state == ARGON_STATE_PAUSED && !hcs_runtime_cgroup_thaw (self->cgroup, error))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->exit_type = "GracefulExit";
  g_mutex_unlock (&self->lock);

  if (!hcs_process_signal (HCS_PROCESS (self->init), SIGTERM, error))
    return hcs_error_is_already_stopped (*error) ? (g_clear_error (error), TRUE) : FALSE;
  return hcs_process_wait_timeout (HCS_PROCESS (self->init),
                                   self->settings.shutdown_timeout_ms, NULL, error);
}

static gboolean
argon_container_terminate (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);

  if (!check_open (self, error))
    return FALSE;
  if (current_state (self) == ARGON_STATE_STOPPED)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                   "argon: %s has already stopped", self->what);
      return FALSE;
    }
  self->exit_type = "ForcedExit";
  if (!hcs_runtime_cgroup_kill_all (self->cgroup, error))
    return FALSE;
  return hcs_process_wait_timeout (HCS_PROCESS (self->init), 10000, NULL, error);
}

static gboolean
argon_container_pause (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  /* As runc: a created system can be paused too (its init is frozen
   * before it ever runs its workload). */
  if (current_state (self) != ARGON_STATE_CREATED &&
      !check_state (self, ARGON_STATE_RUNNING, "pause", error))
    return FALSE;
  if (!check_open (self, error) || !hcs_runtime_cgroup_freeze (self->cgroup, error))
    return FALSE;
  self->state = ARGON_STATE_PAUSED;
  return TRUE;
}

static gboolean
argon_container_resume (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (!check_state (self, ARGON_STATE_PAUSED, "resume", error))
    return FALSE;
  if (!hcs_runtime_cgroup_thaw (self->cgroup, error))
    return FALSE;
  /* Back to where it was paused from. */
  self->state = self->start_time != 0 ? ARGON_STATE_RUNNING : ARGON_STATE_CREATED;
  return TRUE;
}

/* Sums /proc/PID/net/dev of the init's network namespace, loopback aside. */
static void
add_network_statistics (ArgonContainer *self, HcsStatistics *stats)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/net/dev",
                                           hcs_process_get_pid (HCS_PROCESS (self->init)));
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 2; lines[i]; i++)
    {
      char name[64];
      guint64 v[16];
      HcsNetworkStatistics *net;

      if (sscanf (lines[i],
                  " %63[^:]: %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
                  &v[10], &v[11]) != 13 ||
          g_str_equal (name, "lo"))
        continue;
      net = g_new0 (HcsNetworkStatistics, 1);
      net->endpoint_id = g_strdup (name);
      net->bytes_received = v[0];
      net->packets_received = v[1];
      net->dropped_packets_incoming = v[3];
      net->bytes_sent = v[8];
      net->packets_sent = v[9];
      net->dropped_packets_outgoing = v[11];
      g_ptr_array_add (stats->network, net);
    }
}

static HcsStatistics *
argon_container_get_statistics (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (HcsStatistics) stats = NULL;
  HcsRuntimeCgroupStats cg = { 0 };

  if (!check_cgroup (self, error))
    return NULL;
  if (!hcs_runtime_cgroup_get_stats (self->cgroup, &cg, error))
    return NULL;

  stats = hcs_statistics_new ();
  stats->timestamp = g_get_real_time ();
  stats->container_start_time = self->start_time ? self->start_time : self->created_time;
  stats->uptime_100ns = (stats->timestamp - stats->container_start_time) * 10;
  stats->memory_usage_commit_bytes = cg.memory_usage_bytes;
  stats->memory_usage_commit_peak_bytes = cg.memory_max_usage_bytes;
  stats->memory_usage_private_working_set_bytes = cg.memory_private_bytes;
  stats->memory_oom_kill_count = cg.oom_kills;
  stats->processor_total_runtime_100ns = cg.cpu_usage_ns / 100;
  stats->processor_runtime_user_100ns = cg.cpu_user_ns / 100;
  stats->processor_runtime_kernel_100ns = cg.cpu_system_ns / 100;
  stats->storage_read_count_normalized = cg.io_read_ops;
  stats->storage_read_size_bytes = cg.io_read_bytes;
  stats->storage_write_count_normalized = cg.io_write_ops;
  stats->storage_write_size_bytes = cg.io_write_bytes;
  if (current_state (self) != ARGON_STATE_STOPPED)
    add_network_statistics (self, stats);
  return g_steal_pointer (&stats);
}

/* Seconds since the epoch at boot, from /proc/stat's btime. */
static gint64
get_boot_time (void)
{
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL) ||
      (line = strstr (contents, "\nbtime ")) == NULL)
    return 0;
  return g_ascii_strtoll (line + 7, NULL, 10);
}

static HcsProcessListItem *
read_process_item (int pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *statm_path = g_strdup_printf ("/proc/%d/statm", pid);
  g_autofree char *stat_text = NULL, *statm = NULL;
  g_autoptr (HcsProcessListItem) item = hcs_process_list_item_new ();
  unsigned long long utime, stime, starttime, vsize;
  long long rss;
  const char *open_paren, *close_paren;
  long ticks = sysconf (_SC_CLK_TCK), page = sysconf (_SC_PAGESIZE);

  if (!g_file_get_contents (stat_path, &stat_text, NULL, NULL))
    return NULL;
  /* The command name may hold spaces and parentheses: take the last ')'. */
  open_paren = strchr (stat_text, '(');
  close_paren = strrchr (stat_text, ')');
  if (open_paren == NULL || close_paren == NULL ||
      sscanf (close_paren + 2,
              "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
              "%llu %llu %lld",
              &utime, &stime, &starttime, &vsize, &rss) != 5)
    return NULL;

  item->process_id = pid;
  item->image_name = g_strndup (open_paren + 1, close_paren - open_paren - 1);
  item->user_time_100ns = utime * (10000000 / ticks);
  item->kernel_time_100ns = stime * (10000000 / ticks);
  item->memory_commit_bytes = vsize;
  item->memory_working_set_private_bytes = (guint64) MAX (rss, 0) * page;
  if (g_file_get_contents (statm_path, &statm, NULL, NULL))
    {
      unsigned long long size, resident, shared;
      if (sscanf (statm, "%llu %llu %llu", &size, &resident, &shared) == 3)
        {
          item->memory_working_set_shared_bytes = shared * page;
          item->memory_working_set_private_bytes = (resident - MIN (shared, resident)) * page;
        }
    }
  item->create_timestamp = get_boot_time () * G_USEC_PER_SEC + starttime * G_USEC_PER_SEC / ticks;
  return g_steal_pointer (&item);
}

static GPtrArray *
argon_container_get_process_list (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (GArray) pids = NULL;
  g_autoptr (GPtrArray) items =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_process_list_item_free);

  if (!check_cgroup (self, error))
    return NULL;
  pids = hcs_runtime_cgroup_get_pids (self->cgroup, error);
  if (pids == NULL)
    return NULL;
  for (guint i = 0; i < pids->len; i++)
    {
      HcsProcessListItem *item = read_process_item (g_array_index (pids, pid_t, i));
      if (item != NULL) /* it may have exited meanwhile */
        g_ptr_array_add (items, item);
    }
  return g_steal_pointer (&items);
}

static HcsProcess *
argon_container_create_process (HcsContainer *container, const HcsProcessConfig *config,
                                GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  g_autofree char *what = NULL;
  ArgonProcess *process;

  {
    g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
    if (!check_state (self, ARGON_STATE_RUNNING, "create a process", error))
      return NULL;
  }

  spec = hcs_runtime_spec_new_for_exec (self->id, hcs_process_get_pid (HCS_PROCESS (self->init)),
                                        config, error);
  if (spec == NULL)
    {
      g_prefix_error (error, "argon: ");
      return NULL;
    }
  if (!hcs_runtime_process_check_host (spec->process, error))
    {
      g_prefix_error (error, "argon: ");
      return NULL;
    }
  hcs_runtime_spec_set_cgroup (spec, self->cgroup);
  /* The container's linux.seccomp holds for what is exec'd into it too. */
  if (hcs_state_folder_has (self->folder, ARGON_SECCOMP_RECORD))
    {
      gsize length = 0;
      g_autofree char *record =
          hcs_state_folder_read (self->folder, ARGON_SECCOMP_RECORD, &length, error);

      if (record == NULL)
        {
          g_prefix_error (error, "argon: %s: ", self->what);
          return NULL;
        }
      if (!argon_record_parse_seccomp (record, length, &spec->seccomp_program,
                                       &spec->seccomp_flags))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "argon: %s: the record %s is not a seccomp program", self->what,
                       ARGON_SECCOMP_RECORD);
          return NULL;
        }
    }
  spec->detach = config->detach || config->reap_directly;
  spec->die_with_parent = self->settings.die_with_creator;

  what = g_strdup_printf ("a process of %s", self->what);
  process = argon_process_spawn (self->settings.helper_path, ARGON_PROCESS_MODE_EXEC, spec,
                                 config, what, error);
  if (process == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->processes, GINT_TO_POINTER (hcs_process_get_pid (HCS_PROCESS (process))),
                       g_object_ref (process));
  g_mutex_unlock (&self->lock);
  return HCS_PROCESS (process);
}

static HcsProcess *
argon_container_open_process (HcsContainer *container, int pid, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ArgonProcess *process;

  if (!check_open (self, error))
    return NULL;
  if (self->init != NULL && hcs_process_get_pid (HCS_PROCESS (self->init)) == pid)
    return g_object_ref (HCS_PROCESS (self->init));
  process = g_hash_table_lookup (self->processes, GINT_TO_POINTER (pid));
  if (process != NULL)
    return g_object_ref (HCS_PROCESS (process));

  /* Any other member of the container's cgroup can be opened too. */
  if (!check_cgroup (self, error))
    return NULL;
  {
    g_autoptr (GArray) pids = hcs_runtime_cgroup_get_pids (self->cgroup, error);
    gboolean member = FALSE;

    if (pids == NULL)
      return NULL;
    for (guint i = 0; i < pids->len; i++)
      member |= g_array_index (pids, pid_t, i) == pid;
    if (!member)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_NOT_FOUND,
                     "argon: %s has no process %d", self->what, pid);
        return NULL;
      }
    return HCS_PROCESS (argon_process_open_foreign (pid, self->what, error));
  }
}

static HcsProcess *
argon_container_get_init_process (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);

  if (!check_open (self, error))
    return NULL;
  if (!self->has_own_init)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                   "argon: %s has no init process of its own (the configuration gave no "
                   "Process)", self->what);
      return NULL;
    }
  if (self->init == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_ALREADY_STOPPED,
                   "argon: the init of %s has already exited", self->what);
      return NULL;
    }
  return g_object_ref (HCS_PROCESS (self->init));
}

static gboolean
argon_container_modify (HcsContainer *container, const HcsResourceUpdate *update,
                        GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);

  if (!check_open (self, error))
    return FALSE;
  if (current_state (self) == ARGON_STATE_STOPPED)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED,
                   "argon: %s: cannot modify: it has already stopped", self->what);
      return FALSE;
    }
  if (!hcs_runtime_cgroup_apply (self->cgroup, update, error))
    return FALSE;
  if (update->oci_resources != NULL &&
      !hcs_runtime_cgroup_apply_oci (self->cgroup, update->oci_resources, error))
    {
      g_prefix_error (error, "argon: %s: ", self->what);
      return FALSE;
    }
  return TRUE;
}

static HcsContainerProperties *
argon_container_get_properties (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);
  g_autoptr (HcsContainerProperties) props = NULL;
  ArgonState state;

  if (!check_open (self, error))
    return NULL;
  state = current_state (self);
  props = hcs_container_properties_new ();
  props->id = g_strdup (self->id);
  props->name = g_strdup (self->config->name ? self->config->name : self->id);
  props->system_type = g_strdup ("Container");
  props->owner = g_strdup (self->config->owner);
  props->runtime_os_type = g_strdup ("linux");
  props->isolation = g_strdup ("process");
  props->state = g_strdup (state_names[state]);
  props->stopped = state == ARGON_STATE_STOPPED;
  props->created = self->created_time;
  props->init_process_id = self->init ? hcs_process_get_pid (HCS_PROCESS (self->init)) : 0;
  if (props->stopped)
    {
      int exit_code = -1;
      /* Not ours to know when the init was someone else's child. */
      if (self->init != NULL)
        hcs_process_get_exit_code (HCS_PROCESS (self->init), &exit_code, NULL);
      props->exit_code = exit_code;
      props->exit_type = g_strdup (*self->exit_type ? self->exit_type
                                   : exit_code == 0 ? "GracefulExit"
                                                    : "UnexpectedExit");
    }
  else
    props->exit_type = g_strdup ("");
  return g_steal_pointer (&props);
}

static gboolean
argon_container_close (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);

  if (!check_open (self, error))
    return FALSE;
  self->closed = TRUE;
  return TRUE;
}

/* The folder's lock, held through the removal: a creator still at work
 * holds it until it commits or dies. A system opened from its folder
 * reads its record again under the lock: a create that finished meanwhile
 * is running and not ours to remove; one killed has left the cgroup and
 * helper it recorded. */
static gboolean
lock_for_remove (ArgonContainer *self, GError **error)
{
  g_auto (ArgonStateFile) state = { 0 };
  g_autoptr (GError) local_error = NULL;

  if (!hcs_state_folder_lock (self->folder, HCS_STATE_LOCK_EXCLUSIVE, TRUE, &local_error))
    {
      if (hcs_error_is_not_exist (local_error))
        {
          /* Another remover was first. */
          self->removed = TRUE;
          argon_driver_forget_container (self->driver, self->id);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!self->loaded || !argon_state_load (self->folder, TRUE, &state, NULL))
    return TRUE;
  if (state.pid > 0 && self->init == NULL && state.pid_start_time != 0 &&
      argon_process_start_time (state.pid) == state.pid_start_time)
    {
      hcs_state_folder_unlock (self->folder);
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "argon: %s: its create finished meanwhile: shut it down or terminate it "
                   "first", self->what);
      return FALSE;
    }
  self->helper_pid = state.helper_pid;
  self->helper_start_time = state.helper_start_time;
  if (self->cgroup == NULL)
    self->cgroup = hcs_runtime_cgroup_open (state.cgroup_parent,
                                            state.cgroup_name ? state.cgroup_name : self->id,
                                            state.cgroup_version,
                                            state.cgroup_root, NULL);
  return TRUE;
}

static gboolean
argon_container_remove (HcsContainer *container, GError **error)
{
  ArgonContainer *self = ARGON_CONTAINER (container);

  if (!check_open (self, error))
    return FALSE;
  if (current_state (self) != ARGON_STATE_STOPPED)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                   "argon: %s: cannot remove a running system: shut it down or terminate "
                   "it first", self->what);
      return FALSE;
    }
  if (self->removed)
    return TRUE;
  if (!lock_for_remove (self, error))
    return FALSE;
  if (self->removed)
    return TRUE;
  /* A create's helper that its creator never saw report (killed first). */
  if (self->helper_pid > 0 && self->helper_start_time != 0 &&
      argon_process_start_time (self->helper_pid) == self->helper_start_time)
    kill (self->helper_pid, SIGKILL);
  /* Exec'd processes die with the pid namespace; anything that escaped the
   * namespace but stayed in the cgroup is killed here. */
  if (self->cgroup != NULL &&
      (!hcs_runtime_cgroup_kill_all (self->cgroup, error) ||
       !hcs_runtime_cgroup_destroy (self->cgroup, error)))
    {
      hcs_state_folder_unlock (self->folder);
      return FALSE;
    }
  hcs_state_fault_point ("argon-remove-cgroup");
  if (!hcs_state_folder_remove (self->folder, error))
    {
      hcs_state_folder_unlock (self->folder);
      return FALSE;
    }
  hcs_state_folder_unlock (self->folder);
  self->removed = TRUE;
  argon_driver_forget_container (self->driver, self->id);
  return TRUE;
}

static void
argon_container_iface_init (HcsContainerInterface *iface)
{
  iface->get_id = argon_container_get_id;
  iface->start = argon_container_start;
  iface->shutdown = argon_container_shutdown;
  iface->terminate = argon_container_terminate;
  iface->wait_timeout = argon_container_wait_timeout;
  iface->wait_async = argon_container_wait_async;
  iface->wait_finish = argon_container_wait_finish;
  iface->pause = argon_container_pause;
  iface->resume = argon_container_resume;
  iface->get_statistics = argon_container_get_statistics;
  iface->get_process_list = argon_container_get_process_list;
  iface->create_process = argon_container_create_process;
  iface->open_process = argon_container_open_process;
  iface->get_init_process = argon_container_get_init_process;
  iface->modify = argon_container_modify;
  iface->get_properties = argon_container_get_properties;
  iface->close = argon_container_close;
  iface->remove = argon_container_remove;
}
