/* hcs-state.h: the state directory, and the one module that owns a compute
 * system's folder in it.
 *
 *   STATE_DIR/systems/ID/       one folder a system (mode 0700)
 *       owner                   who claimed it ("argon", ...), written at the claim
 *       creating                present until the creator commits: {"Pid", "StartTime"}
 *       lock                    flock()ed: exclusive by the creator and by a remover
 *       NAME                    records, written whole (temporary file + rename)
 *   STATE_DIR/NAME/             a plugin's own state (hns: its networks)
 *
 * A claim builds the folder under a temporary name (.claim-PID-START-XXXXXX)
 * with `owner`, `creating` and `lock` in it, locked, and renames it into
 * place with RENAME_NOREPLACE: of many processes claiming one id exactly one
 * wins, and no one ever sees the folder without its owner and marker. A
 * creator killed at any instant therefore leaves either a temporary folder
 * that hcs_state_list() sweeps once its creator is gone, or a folder whose
 * `creating` marker names a dead process: HCS_STATE_FOLDER_ABANDONED. The
 * driver that owns it records, before it creates each resource, what undoing
 * it needs, so that its remove can undo a half-made system.
 *
 * Records are written to a temporary file and renamed over the old one: a
 * reader sees the old record or the new one, never half of one. They are not
 * fsync()ed: a process killed after the rename loses nothing, and the state
 * directory is runtime state (/run) whose systems do not outlive a reboot.
 *
 * Remove renames the folder out of the way first (.removing-ID-N), so the id
 * is free again at once and a remover killed half-way leaves a name that
 * hcs_state_list() finishes removing.
 *
 * Fault injection for tests: HCS_FAULT_POINT=NAME[,NAME...] makes the
 * process SIGKILL itself when it reaches hcs_state_fault_point (NAME); the
 * points are listed in docs and README ("Crash safety").
 *
 * An HcsStateFolder is used from one thread at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HCS_DEFAULT_STATE_DIR "/run/hcs"
#define HCS_DEFAULT_LAYER_DIR "/var/lib/hcs/layers"

#define HCS_TYPE_STATE (hcs_state_get_type ())
G_DECLARE_FINAL_TYPE (HcsState, hcs_state, HCS, STATE, GObject)

#define HCS_TYPE_STATE_FOLDER (hcs_state_folder_get_type ())
G_DECLARE_FINAL_TYPE (HcsStateFolder, hcs_state_folder, HCS, STATE_FOLDER, GObject)

typedef enum {
  HCS_STATE_FOLDER_CREATED,   /* committed by its creator */
  HCS_STATE_FOLDER_CREATING,  /* its creator is still at work */
  HCS_STATE_FOLDER_ABANDONED, /* its creator died before it committed */
} HcsStateFolderStatus;

typedef enum {
  HCS_STATE_LOCK_SHARED,
  HCS_STATE_LOCK_EXCLUSIVE,
} HcsStateLockMode;

/**
 * hcs_state_new:
 * @state_dir: state dir
 * @layer_dir: layer dir
 * @error: return location for a #GError
 *
 * Both must be absolute paths (HCS_ERROR_INVALID_DATA naming the option).
 *
 * Returns: (transfer full): the state, or %NULL on error
 */
HcsState *hcs_state_new (const char *state_dir, const char *layer_dir, GError **error);
/**
 * hcs_state_new_from_options:
 * @options: (nullable): the runtime options
 * @error: return location for a #GError
 *
 * [host] state-dir and layer-dir of @options (NULL: the defaults); the
 * only place that knows their defaults.
 *
 * Returns: (transfer full): the state, or %NULL on error
 */
HcsState *hcs_state_new_from_options (GKeyFile *options, GError **error);
/**
 * hcs_state_get_state_dir:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_state_get_state_dir (HcsState *self);
/**
 * hcs_state_get_layer_dir:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_state_get_layer_dir (HcsState *self);
/**
 * hcs_state_get_plugin_dir:
 * @self: the object
 * @name: name
 *
 * STATE_DIR/@name, for a plugin's own state that is not a system's (@name:
 * a plain name, not "systems"). Not created.
 *
 * Returns: (transfer full): the folder
 */
char *hcs_state_get_plugin_dir (HcsState *self, const char *name);

/**
 * hcs_state_get_system_path:
 * @self: the object
 * @id: id
 *
 * STATE_DIR/systems/@id, whether or not it exists (for a socket path known
 * before the system is). NULL for an invalid id.
 *
 * Returns: (transfer full): the folder
 */
char *hcs_state_get_system_path (HcsState *self, const char *id);

/**
 * hcs_state_validate_id:
 * @id: id
 * @error: return location for a #GError
 *
 * Ids become folder and cgroup names: 1-128 letters, digits, '-', '_',
 * '.', starting with a letter or digit. HCS_ERROR_INVALID_DATA otherwise.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_validate_id (const char *id, GError **error);

/**
 * hcs_state_claim:
 * @self: the object
 * @id: id
 * @owner: owner
 * @error: return location for a #GError
 *
 * Claims @id for @owner (a plain name: the driver's). The folder is
 * returned locked exclusively and marked creating; the caller commits it
 * once the system is whole, or removes it. HCS_ERROR_ALREADY_EXISTS when
 * the id is taken. Fault points: "state-claim" (before the rename),
 * "state-claimed" (after).
 *
 * Returns: (transfer full): the claimed folder, locked, or %NULL on error
 */
HcsStateFolder *hcs_state_claim (HcsState *self, const char *id, const char *owner,
                                 GError **error);
/**
 * hcs_state_open:
 * @self: the object
 * @id: id
 * @error: return location for a #GError
 *
 * HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST when there is no folder.
 *
 * Returns: (transfer full): the folder, or %NULL on error
 */
HcsStateFolder *hcs_state_open (HcsState *self, const char *id, GError **error);
/**
 * hcs_state_list:
 * @self: the object
 * @error: return location for a #GError
 *
 * Ids of every folder, half-created ones included, sorted (element-type
 * utf8). Sweeps temporary folders of dead claimers and unfinished
 * removals. A missing state directory is an empty list.
 *
 * Returns: (transfer container) (element-type utf8): the ids, or %NULL on error
 */
GPtrArray *hcs_state_list (HcsState *self, GError **error);

/**
 * hcs_state_folder_get_id:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_state_folder_get_id (HcsStateFolder *self);
/**
 * hcs_state_folder_get_owner:
 * @self: the object
 *
 * Returns: the result
 */
const char *hcs_state_folder_get_owner (HcsStateFolder *self);
/**
 * hcs_state_folder_get_path:
 * @self: the object
 *
 * The folder itself (for sockets and fifos that must have a path).
 *
 * Returns: the result
 */
const char *hcs_state_folder_get_path (HcsStateFolder *self);
/**
 * hcs_state_folder_build_path:
 * @self: the object
 * @name: name
 *
 * The path of record @name (a plain name).
 *
 * Returns: (transfer full): the path
 */
char *hcs_state_folder_build_path (HcsStateFolder *self, const char *name);
/**
 * hcs_state_folder_get_status:
 * @self: the object
 *
 * Returns: (transfer full): the result
 */
HcsStateFolderStatus hcs_state_folder_get_status (HcsStateFolder *self);
/**
 * hcs_state_folder_commit:
 * @self: the object
 * @error: return location for a #GError
 *
 * Removes the creating marker: the system is whole.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_commit (HcsStateFolder *self, GError **error);

/**
 * hcs_state_folder_lock:
 * @self: the object
 * @mode: mode
 * @wait: wait
 * @error: return location for a #GError
 *
 * flock() on the folder's lock file; @wait FALSE:
 * HCS_ERROR_OPERATION_PENDING when another holds it.
 * HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST when the folder was removed
 * while we waited. Taking a lock again changes its mode.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_lock (HcsStateFolder *self, HcsStateLockMode mode, gboolean wait,
                                GError **error);
/**
 * hcs_state_folder_unlock:
 * @self: the object
 */
void hcs_state_folder_unlock (HcsStateFolder *self);

/**
 * hcs_state_folder_write:
 * @self: the object
 * @name: name
 * @data: (array length=length) (element-type guint8): the bytes
 * @length: their count, or -1 for a nul-terminated string
 * @error: return location for a #GError
 *
 * Writes record @name whole (mode 0600).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_write (HcsStateFolder *self, const char *name, const char *data,
                                 gssize length, GError **error);
/**
 * hcs_state_folder_append:
 * @self: the object
 * @name: name
 * @line: line
 * @error: return location for a #GError
 *
 * Appends @line and a newline to record @name in one write: a reader sees
 * whole lines (an event log).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_append (HcsStateFolder *self, const char *name, const char *line,
                                  GError **error);
/**
 * hcs_state_folder_read:
 * @self: the object
 * @name: name
 * @length: (out) (optional): the length read
 * @error: return location for a #GError
 *
 * HCS_ERROR_ELEMENT_NOT_FOUND when there is no such record.
 *
 * Returns: (transfer full): the record, nul-terminated, or %NULL on error
 */
char *hcs_state_folder_read (HcsStateFolder *self, const char *name, gsize *length,
                             GError **error);
/**
 * hcs_state_folder_has:
 * @self: the object
 * @name: name
 *
 * Returns: whether it holds
 */
gboolean hcs_state_folder_has (HcsStateFolder *self, const char *name);
/**
 * hcs_state_folder_remove_record:
 * @self: the object
 * @name: name
 * @error: return location for a #GError
 *
 * Whoever wrote it; a missing record is no error.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_remove_record (HcsStateFolder *self, const char *name,
                                         GError **error);
/**
 * hcs_state_folder_remove:
 * @self: the object
 * @error: return location for a #GError
 *
 * Everything in the folder, whoever wrote it, and the folder: the id is
 * free again. Refuses to cross into a mount below it. The caller undoes
 * the system's resources first.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_remove (HcsStateFolder *self, GError **error);

/**
 * HcsStateGate:
 * @pid: the init's pid
 * @pid_start_time: its start time (hcs_process_start_time())
 * @created: when the system was created (unix µs)
 * @start_fifo: (nullable): the record name of the fifo the init waits on
 *   to be started (runc's exec.fifo), or %NULL when only its creator starts it
 * @freezer: (nullable): the cgroup file that says whether it is frozen
 * @freezer_version: 1: @freezer is a v1 freezer.state; 2: a v2 cgroup.events
 * @cgroups: (nullable) (array zero-terminated=1): when set, the driver holds
 *   nothing for the system but these cgroup directories (removed in this
 *   order), its helper and its folder, and a delete may be done from the
 *   gate (hcsctl's front); %NULL: a delete needs the driver
 * @cgroup_members: the one of @cgroups whose cgroup.procs lists every process
 * @helper_pid: the create's helper, killed by a delete if it still runs; 0: none
 * @helper_start_time: its start time
 *
 * A system's start gate: what a process linking GLib alone needs to start,
 * signal and describe the system (hcsctl's front for `start`, `state` and
 * `kill`), written by its driver beside its own records (docs/state.md).
 */
typedef struct {
  int pid;
  guint64 pid_start_time;
  gint64 created;
  const char *start_fifo;
  const char *freezer;
  int freezer_version;
  const char *const *cgroups;
  const char *cgroup_members;
  int helper_pid;
  guint64 helper_start_time;
} HcsStateGate;

/**
 * hcs_state_folder_write_gate:
 * @self: the object
 * @gate: the gate
 * @error: return location for a #GError
 *
 * Writes the record `gate` (a new file, once, before the commit). The
 * driver's own records stay the reference: the gate's readers check the
 * init's identity and fall back to the driver when in doubt.
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_write_gate (HcsStateFolder *self, const HcsStateGate *gate,
                                      GError **error);
/**
 * hcs_state_folder_write_gate_exec:
 * @self: the object
 * @spec: an exec's spec as the runtime's helper reads it (a serialised
 *   a{sv}, hcs_runtime_spec_serialize()), for any command line
 * @exec_defaults: whether @spec's process is the container's exec
 *   defaults (HcsContainerConfig.exec_defaults), not the runtime's
 * @error: return location for a #GError
 *
 * Writes the record `gate-exec` (a new file, once, before the commit):
 * what hcsctl's front needs to exec into the system without loading its
 * driver; it substitutes the command line (docs/state.md).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_state_folder_write_gate_exec (HcsStateFolder *self, GBytes *spec,
                                           gboolean exec_defaults, GError **error);
/**
 * hcs_state_folder_get_gate_started:
 * @self: the object
 *
 * When a process started the system through its gate (unix µs; the record
 * `gate-started`), or 0.
 *
 * Returns: the instant, or 0
 */
gint64 hcs_state_folder_get_gate_started (HcsStateFolder *self);

/**
 * hcs_process_start_time:
 * @pid: pid
 *
 * Field 22 of /proc/PID/stat: with the pid it names one process even once
 * the pid is reused. 0 for a process that is gone or a zombie.
 *
 * Returns: the result
 */
guint64 hcs_process_start_time (int pid);

/**
 * hcs_state_fault_point:
 * @name: name
 *
 * Kills the process (SIGKILL) when @name is in HCS_FAULT_POINT.
 */
void hcs_state_fault_point (const char *name);

G_END_DECLS
