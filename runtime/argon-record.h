/* argon-record.h: the records argon keeps in a system's folder, as text,
 * with GLib alone: the plugin writes them through its HcsStateFolder, and
 * a program linking GLib alone (hcsctl's front, for a create) can write the
 * same bytes through hcs-state-folder.h. Reading argon.json back stays the
 * plugin's (argon-state.c, json-glib). Kept in runtime/, not in the
 * plugin's folder: a tool links the runtime, never a plugin's code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ARGON_STATE_OWNER "argon"
#define ARGON_RECORD "argon.json"
#define ARGON_HELPER_RECORD "argon-helper"
#define ARGON_INIT_RECORD "argon-init"
/* The container's own seccomp program (linux.seccomp, compiled; empty: no
 * filter, a config.json without one), which what is exec'd into it gets
 * too: its seccomp() flags (gint64, host order), then the program. No
 * record: the built-in filter. */
#define ARGON_SECCOMP_RECORD "argon-seccomp"

/* The record argon keeps in its folder (hcs-state), "argon.json". A create
 * writes it with pid 0 before it makes the cgroup, then the helper's and
 * the init's pids as records of their own (argon-state.c says why), so
 * that a creator killed at any instant leaves what undoing the system
 * needs; load merges them. */
typedef struct {
  char *id, *name, *owner;
  int pid;                    /* the init, host pid; 0 while being created */
  guint64 pid_start_time;     /* its start time: tells a reused pid apart */
  int helper_pid;             /* the create's helper, until the init is known */
  guint64 helper_start_time;
  gint64 created, started;    /* unix µs; started 0 while created */
  gboolean detached;          /* the init is the caller's to reap (runc's model) */
  gboolean has_own_init;
  int creator_pid;            /* the process that holds the init's helper */
  char *exit_type;            /* set by shutdown/terminate */
  char *cgroup_parent;
  char *cgroup_name;          /* NULL or "": the id */
  int cgroup_version;         /* 0: auto, resolved the same way again */
  char *cgroup_root;          /* NULL: found from mountinfo */
} ArgonStateFile;

void argon_state_clear (ArgonStateFile *state);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgonStateFile, argon_state_clear)

/* argon.json's text for @state: one line of JSON, no newline. */
char *argon_state_format (const ArgonStateFile *state);
/* A record of one process (argon-helper, argon-init): "PID START-TIME\n". */
char *argon_state_format_pid (int pid, guint64 start_time);
/* ARGON_SECCOMP_RECORD's bytes for @program (the spec's seccomp_program)
 * and its seccomp() @flags. */
GBytes *argon_record_format_seccomp (GBytes *program, gint64 flags);
/* The program (transfer full) and flags back from ARGON_SECCOMP_RECORD's
 * @length bytes; FALSE when they are no such record. */
gboolean argon_record_parse_seccomp (const char *record, gsize length, GBytes **program,
                                     gint64 *flags);

G_END_DECLS
