/* argon-private.h: the argon plugin's types.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "hcs.h"
#include "hcs-runtime-cgroup.h"
#include "hcs-runtime-config.h"
#include "hcs-runtime-launch.h"

G_BEGIN_DECLS

/* Closes *fd if open and marks it closed (g_clear_fd needs GLib 2.76). */
static inline void
argon_clear_fd (int *fd)
{
  if (*fd >= 0)
    {
      int saved_errno = errno;
      close (*fd);
      errno = saved_errno;
    }
  *fd = -1;
}

/* An fd closed when it goes out of scope (g_autofd needs GLib 2.76). */
#define argon_autofd __attribute__ ((cleanup (argon_clear_fd)))

#define ARGON_TYPE_DRIVER (argon_driver_get_type ())
G_DECLARE_FINAL_TYPE (ArgonDriver, argon_driver, ARGON, DRIVER, GObject)

#define ARGON_TYPE_CONTAINER (argon_container_get_type ())
G_DECLARE_FINAL_TYPE (ArgonContainer, argon_container, ARGON, CONTAINER, GObject)

#define ARGON_TYPE_PROCESS (argon_process_get_type ())
G_DECLARE_FINAL_TYPE (ArgonProcess, argon_process, ARGON, PROCESS, GObject)

/* --- driver ------------------------------------------------------------- */

typedef struct {
  char *helper_path;
  char *cgroup_parent;
  HcsRuntimeCgroupVersion cgroup_version;
  char *cgroup_root;          /* NULL: found from mountinfo */
  gint64 shutdown_timeout_ms;
  char *layer_dir;            /* [host] layer-dir: where Layers by ID are */
  char *state_dir;            /* [host] state-dir: systems/ID per container */
  gboolean die_with_creator;  /* [argon] die-with-creator: helpers die with us */
} ArgonSettings;

void argon_settings_clear (ArgonSettings *settings);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgonSettings, argon_settings_clear)

/* Reads [argon] of the host options, overridden by @system_options. */
void argon_driver_get_settings (ArgonDriver *self, GKeyFile *system_options,
                                ArgonSettings *settings);
void argon_driver_forget_container (ArgonDriver *self, const char *id);

/* --- state on disk (argon-state.c) ------------------------------------------ */

typedef struct {
  char *id, *name, *owner;
  int pid;                    /* the init, host pid */
  guint64 pid_start_time;     /* its start time: tells a reused pid apart */
  gint64 created, started;    /* unix µs; started 0 while created */
  gboolean detached;          /* the init is the caller's to reap (runc's model) */
  gboolean has_own_init;
  int creator_pid;            /* the process that holds the init's helper */
  char *exit_type;            /* set by shutdown/terminate */
  char *cgroup_parent;
  int cgroup_version;
  char *cgroup_root;          /* NULL: found from mountinfo */
} ArgonStateFile;

void argon_state_clear (ArgonStateFile *state);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgonStateFile, argon_state_clear)
char *argon_state_folder (const char *state_dir, const char *id);
/* mkdir of the folder: HCS_ERROR_ALREADY_EXISTS when another has the id. */
gboolean argon_state_reserve (const char *folder, const char *id, GError **error);
gboolean argon_state_save (const char *folder, const ArgonStateFile *state, GError **error);
/* HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST without a state file,
 * HCS_ERROR_INVALID_DATA for a corrupt one. */
gboolean argon_state_load (const char *folder, ArgonStateFile *state, GError **error);
gboolean argon_state_remove (const char *folder, GError **error);
GPtrArray *argon_state_list_ids (const char *state_dir);
guint64 argon_process_start_time (int pid);

/* --- container ------------------------------------------------------------ */

ArgonContainer *argon_container_create (ArgonDriver *driver, const char *id,
                                        const HcsContainerConfig *config,
                                        GKeyFile *system_options, GError **error);
/* A container created by another process (or by this one and forgotten),
 * from its state folder. */
ArgonContainer *argon_container_load (ArgonDriver *driver, const char *id, GError **error);

/* --- process --------------------------------------------------------------- */

typedef enum {
  ARGON_PROCESS_MODE_CREATE, /* the init of a new container */
  ARGON_PROCESS_MODE_EXEC,   /* a further process in a running one */
} ArgonProcessMode;

/* Spawns the helper with @spec and the stdio that @config asks for
 * (@config NULL: /dev/null). Returns once the helper reported the
 * workload's pid, or its error. */
ArgonProcess *argon_process_spawn (const char *helper_path, ArgonProcessMode mode,
                                   const HcsRuntimeSpec *spec, const HcsProcessConfig *config,
                                   const char *what, GError **error);
/* A process of the container that hcs did not start: signal, kill and
 * wait work (through a pidfd), its exit code is not known. */
ArgonProcess *argon_process_open_foreign (int pid, const char *what, GError **error);
/* create mode: lets the init exec its workload. */
gboolean argon_process_release (ArgonProcess *self, GError **error);
gboolean argon_process_has_exited (ArgonProcess *self);

G_END_DECLS
