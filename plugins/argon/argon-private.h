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
#include "argon-cgroup.h"

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
  ArgonCgroupVersion cgroup_version;
  char *cgroup_root;          /* NULL: found from mountinfo */
  gint64 shutdown_timeout_ms;
  char *layer_dir;            /* [host] layer-dir: where Layers by ID are */
} ArgonSettings;

void argon_settings_clear (ArgonSettings *settings);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgonSettings, argon_settings_clear)

/* Reads [argon] of the host options, overridden by @system_options. */
void argon_driver_get_settings (ArgonDriver *self, GKeyFile *system_options,
                                ArgonSettings *settings);
void argon_driver_forget_container (ArgonDriver *self, const char *id);

/* --- container ------------------------------------------------------------ */

ArgonContainer *argon_container_create (ArgonDriver *driver, const char *id,
                                        const HcsContainerConfig *config,
                                        GKeyFile *system_options, GError **error);

/* --- process --------------------------------------------------------------- */

typedef enum {
  ARGON_PROCESS_MODE_CREATE, /* the init of a new container */
  ARGON_PROCESS_MODE_EXEC,   /* a further process in a running one */
} ArgonProcessMode;

/* Spawns the helper with @spec (the helper's a{sv} dictionary) and the stdio
 * that @config asks for (@config NULL: /dev/null). Returns once the helper
 * reported the workload's pid, or its error. */
ArgonProcess *argon_process_spawn (const char *helper_path, ArgonProcessMode mode,
                                   GVariant *spec, const HcsProcessConfig *config,
                                   const char *what, GError **error);
/* A process of the container that hcs did not start: signal, kill and
 * wait work (through a pidfd), its exit code is not known. */
ArgonProcess *argon_process_open_foreign (int pid, const char *what, GError **error);
/* create mode: lets the init exec its workload. */
gboolean argon_process_release (ArgonProcess *self, GError **error);
gboolean argon_process_has_exited (ArgonProcess *self);

G_END_DECLS
