/* hcs-gate.h: a compute system's start gate, the records of its state
 * folder that a process linking GLib alone can read and act on (hcsctl's
 * front: `start`, `state`, `kill` and `delete` of a container without GIO,
 * json-glib, GObject types or the plugin's load). Not installed: libhcs
 * and hcsctl build it in; drivers write the gate through
 * hcs_state_folder_write_gate() (hcs-state.h).
 *
 *   gate          the driver's, written once at create, before the commit
 *                 (GKeyFile, group [gate]): version, pid and pid-start-time
 *                 of the init (/proc/PID/stat field 22), created (unix µs),
 *                 start-fifo (a record name: the init waits for a reader),
 *                 freezer (the cgroup file that says it is frozen) and
 *                 freezer-version (1: freezer.state, 2: cgroup.events)
 *   gate-oci      the OCI front end's, written once after create (group
 *                 [oci]): members of runc's state JSON pre-rendered as the
 *                 full path prints them (bundle and rootfs; annotations),
 *                 and whether the bundle has poststart or poststop hooks
 *                 (with its config.json's size and time: one changed since
 *                 is the full path's to read again)
 *                 [remove] (its own version): what a delete must undo
 *                 when the driver holds nothing else: cgroups (the
 *                 directories, v1 hierarchies or the v2 one), members (the
 *                 one whose cgroup.procs lists every process), helper and
 *                 helper-start-time (the create's helper, to kill if it
 *                 still runs); absent, a delete is the driver's
 *   gate-started  written once by whoever started the init through the
 *                 fifo: the instant (unix µs)
 *   gate-exec     the driver's, written once at create, before the commit:
 *                 what an exec into the system needs that does not come from
 *                 the exec's command line, as the helper's spec of an exec
 *                 (hcs-runtime-spec.h: the init's pid, the cgroup files, the
 *                 seccomp program, the process's defaults: the container's
 *                 exec defaults when it has some), serialised by GVariant
 *                 with its own version and whether the process is the
 *                 container's exec defaults: (u b a{sv})
 *
 * Each is a new file, never replaced (a rename over a file on ext4 starts
 * its writeback). The gate's reader trusts none of it blindly: the init is
 * the recorded one only while its pid has the recorded start time, and a
 * created init is one that still holds its fifo open. Anything missing,
 * of another version or in doubt sends the caller to the full path.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HCS_GATE_RECORD "gate"
#define HCS_GATE_OCI_RECORD "gate-oci"
#define HCS_GATE_STARTED_RECORD "gate-started"
#define HCS_GATE_EXEC_RECORD "gate-exec"
#define HCS_GATE_VERSION 1
/* gate-exec's own: 2 since its process may be the container's exec
 * defaults (an exec's --env and --user then edit that one). */
#define HCS_GATE_EXEC_VERSION 2
/* The PATH an exec gets when nothing gives one (the runtime's default). */
#define HCS_GATE_DEFAULT_PATH_VALUE "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define HCS_GATE_DEFAULT_PATH "PATH=" HCS_GATE_DEFAULT_PATH_VALUE
/* Of the gate's [remove] group, read apart: a reader that does not know
 * it leaves the delete to the driver. */
#define HCS_GATE_REMOVE_VERSION 1

typedef enum {
  HCS_GATE_CREATED,
  HCS_GATE_RUNNING,
  HCS_GATE_PAUSED,
  HCS_GATE_STOPPED,
} HcsGateStatus;

typedef struct {
  char *folder;          /* the system's folder */
  char *id;
  char *owner;           /* the folder's owner ("argon") */
  int pid;
  guint64 pid_start_time;
  gint64 created;        /* unix µs */
  char *start_fifo;      /* record name, or NULL */
  char *freezer;         /* path, or NULL */
  int freezer_version;
  gint64 started;        /* unix µs, 0: not started through the gate */
  gboolean has_oci;      /* gate-oci was read */
  char *oci_members;     /* "  \"bundle\" : ...,\n  \"rootfs\" : ..." */
  char *oci_annotations; /* "  \"annotations\" : {...}", or NULL */
  gboolean oci_poststart;
  gboolean oci_poststop;
  char *oci_config;      /* the bundle's config.json, as it was at create */
  char *oci_config_stamp; /* hcs_gate_file_stamp() of it then */
  /* [remove]: removable is FALSE when it is missing, of another version or
   * in doubt; then cgroups is NULL. */
  gboolean removable;
  char **cgroups;         /* absolute directories, removed in this order */
  char *cgroup_members;   /* the one whose cgroup.procs lists every member */
  int helper_pid;         /* 0: none recorded */
  guint64 helper_start_time;
} HcsGate;

/* The driver's record. */
char *hcs_gate_format (int pid, guint64 pid_start_time, gint64 created, const char *start_fifo,
                       const char *freezer, int freezer_version);
/* The gate's [remove] group, appended to hcs_gate_format()'s text: the
 * driver says that removing @cgroups (in this order; @members is the one
 * whose cgroup.procs lists every process), killing the helper
 * (@helper_pid, 0 for none) if it still runs and removing the folder
 * undo all it holds for the system. */
char *hcs_gate_format_remove (const char *const *cgroups, const char *members, int helper_pid,
                              guint64 helper_start_time);
/* The OCI front end's record; @annotations may be NULL. */
char *hcs_gate_format_oci (const char *members, const char *annotations, gboolean poststart,
                           gboolean poststop, const char *config, const char *config_stamp);
/* "SIZE MTIME-NS" of @path, NULL if it cannot be read: whether a bundle's
 * config.json is the one whose hooks the gate recorded. */
char *hcs_gate_file_stamp (const char *path);

/* The exec template's record: @spec is an exec's spec as the helper reads
 * it (an a{sv} GVariant's bytes); @exec_defaults says that its process is
 * the container's exec defaults (HcsContainerConfig.exec_defaults), not
 * the runtime's. */
GBytes *hcs_gate_format_exec (GBytes *spec, gboolean exec_defaults);
/* Reads the exec template of @gate's folder: its a{sv} (transfer full),
 * or NULL with @error saying why (missing, of another version, not in
 * normal form); *@exec_defaults as written. */
GVariant *hcs_gate_load_exec (const HcsGate *gate, gboolean *exec_defaults, GError **error);

/* An exec's --user over its defaults' @base, as runc's exec applies it
 * (uid[:gid]; without a gid, the one of @base "UID:GID" stays): for the
 * full path and the front alike. @base NULL: @given as it is. */
char *hcs_gate_exec_user (const char *base, const char *given);

/* A runtime option's boolean word (hcs-options.c): TRUE for "true",
 * "yes" or "1", FALSE for "false", "no" or "0" (any case), -1 for
 * anything else; one list for libhcs and the front alike. */
int hcs_gate_boolean_value (const char *value);

/* Reads the gate of STATE_DIR/systems/@id (@id already validated). FALSE
 * with @error saying why when there is no folder (G_FILE_ERROR_NOENT), or
 * no gate, or one of another version, or a folder still being created or
 * held by a monitor (whose view of the system must see every start). */
gboolean hcs_gate_load (const char *state_dir, const char *id, HcsGate *gate, GError **error);
void hcs_gate_clear (HcsGate *gate);

/* What the gate says now: the init's identity, its fifo and its freezer. */
HcsGateStatus hcs_gate_get_status (const HcsGate *gate);
const char *hcs_gate_status_name (HcsGateStatus status);

/* Whether the init @pid holds @fifo_path open: it waits to be started. */
gboolean hcs_gate_init_holds_fifo (int pid, const char *fifo_path);
/* Writes record @name of @folder as a new file (temporary, renamed). */
gboolean hcs_gate_write_record (const char *folder, const char *name, const char *data,
                                GError **error);

/* SIGKILLs every process of the cgroup whose members are listed in
 * @members_dir/cgroup.procs (v2's cgroup.kill where there is one; a v1
 * freezer, @freezer as in the gate, is thawed first: a frozen task dies
 * only once thawed) and waits up to 5 s for it to empty. */
gboolean hcs_gate_cgroup_kill_all (const char *members_dir, const char *freezer,
                                   int freezer_version, GError **error);
/* rmdir of each of @dirs, the sub-cgroups of each first; one just emptied
 * may stay busy a moment (EBUSY retried for 2 s); gone already is done. */
gboolean hcs_gate_cgroup_remove (const char *const *dirs, GError **error);
/* Removes the tree at @path, never following a link nor crossing into a
 * mount (G_FILE_ERROR_FAILED for a mount point); gone already is done. */
gboolean hcs_gate_remove_tree (const char *path, GError **error);

/* Field 22 of /proc/PID/stat; 0 for a process gone or a zombie. */
guint64 hcs_gate_process_start_time (int pid);

/* A pidfd of the gate's init, checked against its recorded start time, so
 * that it never names a process that reused the pid since: the descriptor,
 * or -1 with errno ESRCH when the init is gone, or pidfd_open's own errno
 * (ENOSYS: no pidfds on this kernel). */
int hcs_gate_open_init (const HcsGate *gate);
/* SIGKILLs the process when @name is in HCS_FAULT_POINT; SIGSTOPs it
 * when "@name:stop" is. */
void hcs_gate_fault_point (const char *name);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HcsGate, hcs_gate_clear)

G_END_DECLS
