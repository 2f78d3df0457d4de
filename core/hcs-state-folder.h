/* hcs-state-folder.h: a compute system's folder in the state directory,
 * with GLib alone: no GObject, GIO or json-glib, so that a process linking
 * nothing else (hcsctl's front, for a create) claims, writes, commits and
 * removes a folder exactly as libhcs does. hcs-state.h says what lies where
 * and why; HcsState and HcsStateFolder there are libhcs's objects over this.
 * Not installed: libhcs builds it in (none of it exported), and the
 * GLib-only library hcs-base holds it with hcs-gate.c and the HCS_ERROR
 * domain (hcs-error-base.c).
 *
 * Errors are HCS_ERROR's, with the same codes and messages as libhcs's.
 * Fault points are hcs_gate_fault_point()'s (hcs-gate.h), with the names
 * hcs-state.h lists. An HcsSystemFolder is used from one thread at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HcsSystemFolder HcsSystemFolder;

/* The values of HcsStateFolderStatus and HcsStateLockMode (hcs-state.h). */
typedef enum {
  HCS_SYSTEM_FOLDER_CREATED,   /* committed by its creator */
  HCS_SYSTEM_FOLDER_CREATING,  /* its creator is still at work */
  HCS_SYSTEM_FOLDER_ABANDONED, /* its creator died before it committed */
} HcsSystemFolderStatus;

typedef enum {
  HCS_SYSTEM_FOLDER_LOCK_SHARED,
  HCS_SYSTEM_FOLDER_LOCK_EXCLUSIVE,
} HcsSystemFolderLockMode;

/* HcsStateGate's fields (hcs-state.h says what each is). */
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
} HcsSystemFolderGate;

/* 1-128 letters, digits, '-', '_', '.', starting with a letter or digit:
 * HCS_ERROR_INVALID_DATA otherwise (hcs_state_validate_id()). */
gboolean hcs_system_id_validate (const char *id, GError **error);

/* STATE_DIR/systems, where the folders are. */
char *hcs_system_folder_build_systems_dir (const char *state_dir);

/* Claims @id for @owner (a plain name) in @state_dir (absolute,
 * canonical): the folder locked exclusively and marked creating, or
 * HCS_ERROR_ALREADY_EXISTS; fault points "state-claim" and
 * "state-claimed" (hcs_state_claim()). */
HcsSystemFolder *hcs_system_folder_claim (const char *state_dir, const char *id,
                                          const char *owner, GError **error);
/* An existing folder, unlocked: HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST
 * when there is none (hcs_state_open()). */
HcsSystemFolder *hcs_system_folder_open (const char *state_dir, const char *id,
                                         GError **error);
/* The ids of every folder, sorted, sweeping what dead claimers and
 * removers left (hcs_state_list()). */
GPtrArray *hcs_system_folder_list_ids (const char *state_dir, GError **error);
/* Releases the lock, if held, and the memory; the folder stays. */
void hcs_system_folder_free (HcsSystemFolder *self);

const char *hcs_system_folder_get_id (HcsSystemFolder *self);
const char *hcs_system_folder_get_owner (HcsSystemFolder *self);
const char *hcs_system_folder_get_path (HcsSystemFolder *self);
char *hcs_system_folder_build_path (HcsSystemFolder *self, const char *name);
HcsSystemFolderStatus hcs_system_folder_get_status (HcsSystemFolder *self);
gboolean hcs_system_folder_commit (HcsSystemFolder *self, GError **error);

gboolean hcs_system_folder_lock (HcsSystemFolder *self, HcsSystemFolderLockMode mode,
                                 gboolean wait, GError **error);
void hcs_system_folder_unlock (HcsSystemFolder *self);

gboolean hcs_system_folder_write (HcsSystemFolder *self, const char *name, const char *data,
                                  gssize length, GError **error);
gboolean hcs_system_folder_append (HcsSystemFolder *self, const char *name, const char *line,
                                   GError **error);
char *hcs_system_folder_read (HcsSystemFolder *self, const char *name, gsize *length,
                              GError **error);
gboolean hcs_system_folder_has (HcsSystemFolder *self, const char *name);
gboolean hcs_system_folder_remove_record (HcsSystemFolder *self, const char *name,
                                          GError **error);
gboolean hcs_system_folder_remove (HcsSystemFolder *self, GError **error);

/* The records of the start gate (hcs-gate.h). */
gboolean hcs_system_folder_write_gate (HcsSystemFolder *self, const HcsSystemFolderGate *gate,
                                       GError **error);
gboolean hcs_system_folder_write_gate_exec (HcsSystemFolder *self, GBytes *spec,
                                            gboolean exec_defaults, GError **error);
gint64 hcs_system_folder_get_gate_started (HcsSystemFolder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsSystemFolder, hcs_system_folder_free)

G_END_DECLS
