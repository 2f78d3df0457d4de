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
#include "argon-record.h"
#include "hcs-runtime-cgroup-oci.h"
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
  char *cgroup_name;          /* NULL: the container's id (linux.cgroupsPath sets both) */
  HcsRuntimeCgroupVersion cgroup_version;
  char *cgroup_root;          /* NULL: found from mountinfo */
  gint64 shutdown_timeout_ms;
  char *layer_dir;            /* [host] layer-dir: where Layers by ID are */
  gboolean die_with_creator;  /* [host] or [argon] die-with-creator: helpers die with us */
} ArgonSettings;

void argon_settings_clear (ArgonSettings *settings);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgonSettings, argon_settings_clear)

/* Reads [argon] of the host options, overridden by @system_options. */
void argon_driver_get_settings (ArgonDriver *self, GKeyFile *system_options,
                                ArgonSettings *settings);
void argon_driver_forget_container (ArgonDriver *self, const char *id);
HcsState *argon_driver_get_state (ArgonDriver *self);

/* --- state on disk (argon-state.c; the records' text: argon-record.h) ------- */

gboolean argon_state_save (HcsStateFolder *folder, const ArgonStateFile *state, GError **error);
/* HCS_ERROR_ELEMENT_NOT_FOUND without a record (a claim killed before it
 * wrote one), HCS_ERROR_INVALID_DATA for a corrupt one. @half_created: a
 * record of a create that has not finished may have no pid. */
gboolean argon_state_load (HcsStateFolder *folder, gboolean half_created, ArgonStateFile *state,
                           GError **error);
/* A record of one process: "PID START-TIME". */
gboolean argon_state_save_pid (HcsStateFolder *folder, const char *record, int pid,
                               guint64 start_time, GError **error);
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
/* Told the helper's pid as soon as it runs, before it reads its spec: the
 * create records it, so that a creator killed then leaves it findable. */
typedef void (*ArgonSpawnedFunc) (GPid helper_pid, gpointer data);
ArgonProcess *argon_process_spawn_full (const char *helper_path, ArgonProcessMode mode,
                                        const HcsRuntimeSpec *spec, const HcsProcessConfig *config,
                                        const char *what, ArgonSpawnedFunc spawned,
                                        gpointer spawned_data, GError **error);
/* A process of the container that hcs did not start: signal, kill and
 * wait work (through a pidfd), its exit code is not known. */
ArgonProcess *argon_process_open_foreign (int pid, const char *what, GError **error);
/* create mode: lets the init exec its workload. */
gboolean argon_process_release (ArgonProcess *self, GError **error);
gboolean argon_process_has_exited (ArgonProcess *self);

G_END_DECLS
