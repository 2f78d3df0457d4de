/* hcs-state.c: the state directory and the systems' folders in it
 * (hcs-state.h says what lies where and why).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-state.h"

#include <string.h>

#include "hcs-error.h"
#include "hcs-gate.h"
#include "hcs-state-folder.h"

/* The folders themselves are hcs-state-folder.c's, GLib alone (hcsctl's
 * front links it without libhcs); these objects hold one each. */

#define SYSTEMS_NAME "systems"

/* --- HcsState ------------------------------------------------------------------------ */

struct _HcsState
{
  GObject parent_instance;

  char *state_dir;
  char *layer_dir;
  char *systems_dir;
};

G_DEFINE_FINAL_TYPE (HcsState, hcs_state, G_TYPE_OBJECT)

static void
hcs_state_finalize (GObject *object)
{
  HcsState *self = HCS_STATE (object);

  g_free (self->state_dir);
  g_free (self->layer_dir);
  g_free (self->systems_dir);
  G_OBJECT_CLASS (hcs_state_parent_class)->finalize (object);
}

static void
hcs_state_class_init (HcsStateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_state_finalize;
}

static void
hcs_state_init (HcsState *self)
{
}

HcsState *
hcs_state_new (const char *state_dir, const char *layer_dir, GError **error)
{
  HcsState *self;

  g_return_val_if_fail (state_dir != NULL && layer_dir != NULL, NULL);
  if (!g_path_is_absolute (state_dir))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "runtime options: [host] state-dir: '%s' is not an absolute path", state_dir);
      return NULL;
    }
  if (!g_path_is_absolute (layer_dir))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "runtime options: [host] layer-dir: '%s' is not an absolute path", layer_dir);
      return NULL;
    }
  self = g_object_new (HCS_TYPE_STATE, NULL);
  self->state_dir = g_canonicalize_filename (state_dir, NULL);
  self->layer_dir = g_canonicalize_filename (layer_dir, NULL);
  self->systems_dir = hcs_system_folder_build_systems_dir (self->state_dir);
  return self;
}

static char *
option_or_default (GKeyFile *options, const char *key, const char *default_value)
{
  char *value = options ? g_key_file_get_string (options, "host", key, NULL) : NULL;

  if (value != NULL && *g_strstrip (value) != '\0')
    return value;
  g_free (value);
  return g_strdup (default_value);
}

HcsState *
hcs_state_new_from_options (GKeyFile *options, GError **error)
{
  g_autofree char *state_dir = option_or_default (options, "state-dir", HCS_DEFAULT_STATE_DIR);
  g_autofree char *layer_dir = option_or_default (options, "layer-dir", HCS_DEFAULT_LAYER_DIR);

  return hcs_state_new (state_dir, layer_dir, error);
}

const char *
hcs_state_get_state_dir (HcsState *self)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return self->state_dir;
}

const char *
hcs_state_get_layer_dir (HcsState *self)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return self->layer_dir;
}

/* A name of one path component that is none of ours to hide: no '/', no
 * leading '.' (temporary files), not empty. */
static gboolean
is_plain_name (const char *name)
{
  return name != NULL && *name != '\0' && *name != '.' && strchr (name, '/') == NULL &&
         strlen (name) <= 255;
}

char *
hcs_state_get_plugin_dir (HcsState *self, const char *name)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  g_return_val_if_fail (is_plain_name (name) && !g_str_equal (name, SYSTEMS_NAME), NULL);
  return g_build_filename (self->state_dir, name, NULL);
}

char *
hcs_state_get_system_path (HcsState *self, const char *id)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  if (!hcs_state_validate_id (id, NULL))
    return NULL;
  return g_build_filename (self->systems_dir, id, NULL);
}

gboolean
hcs_state_validate_id (const char *id, GError **error)
{
  return hcs_system_id_validate (id, error);
}

guint64
hcs_process_start_time (int pid)
{
  return hcs_gate_process_start_time (pid);
}

void
hcs_state_fault_point (const char *name)
{
  hcs_gate_fault_point (name);
}

/* --- HcsStateFolder -------------------------------------------------------------------- */

struct _HcsStateFolder
{
  GObject parent_instance;

  HcsSystemFolder *folder;
};

G_DEFINE_FINAL_TYPE (HcsStateFolder, hcs_state_folder, G_TYPE_OBJECT)

static void
hcs_state_folder_finalize (GObject *object)
{
  HcsStateFolder *self = HCS_STATE_FOLDER (object);

  g_clear_pointer (&self->folder, hcs_system_folder_free);
  G_OBJECT_CLASS (hcs_state_folder_parent_class)->finalize (object);
}

static void
hcs_state_folder_class_init (HcsStateFolderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hcs_state_folder_finalize;
}

static void
hcs_state_folder_init (HcsStateFolder *self)
{
}

static HcsStateFolder *
folder_wrap (HcsSystemFolder *folder)
{
  HcsStateFolder *self;

  if (folder == NULL)
    return NULL;
  self = g_object_new (HCS_TYPE_STATE_FOLDER, NULL);
  self->folder = folder;
  return self;
}

HcsStateFolder *
hcs_state_claim (HcsState *self, const char *id, const char *owner, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return folder_wrap (hcs_system_folder_claim (self->state_dir, id, owner, error));
}

HcsStateFolder *
hcs_state_open (HcsState *self, const char *id, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return folder_wrap (hcs_system_folder_open (self->state_dir, id, error));
}

GPtrArray *
hcs_state_list (HcsState *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE (self), NULL);
  return hcs_system_folder_list_ids (self->state_dir, error);
}

const char *
hcs_state_folder_get_id (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return hcs_system_folder_get_id (self->folder);
}

const char *
hcs_state_folder_get_owner (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return hcs_system_folder_get_owner (self->folder);
}

const char *
hcs_state_folder_get_path (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return hcs_system_folder_get_path (self->folder);
}

char *
hcs_state_folder_build_path (HcsStateFolder *self, const char *name)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return hcs_system_folder_build_path (self->folder, name);
}

G_STATIC_ASSERT ((int) HCS_STATE_FOLDER_CREATED == (int) HCS_SYSTEM_FOLDER_CREATED);
G_STATIC_ASSERT ((int) HCS_STATE_FOLDER_CREATING == (int) HCS_SYSTEM_FOLDER_CREATING);
G_STATIC_ASSERT ((int) HCS_STATE_FOLDER_ABANDONED == (int) HCS_SYSTEM_FOLDER_ABANDONED);

HcsStateFolderStatus
hcs_state_folder_get_status (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), HCS_STATE_FOLDER_ABANDONED);
  return (HcsStateFolderStatus) hcs_system_folder_get_status (self->folder);
}

gboolean
hcs_state_folder_commit (HcsStateFolder *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_commit (self->folder, error);
}

gboolean
hcs_state_folder_lock (HcsStateFolder *self, HcsStateLockMode mode, gboolean wait,
                       GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_lock (self->folder,
                                 mode == HCS_STATE_LOCK_EXCLUSIVE
                                     ? HCS_SYSTEM_FOLDER_LOCK_EXCLUSIVE
                                     : HCS_SYSTEM_FOLDER_LOCK_SHARED,
                                 wait, error);
}

void
hcs_state_folder_unlock (HcsStateFolder *self)
{
  g_return_if_fail (HCS_IS_STATE_FOLDER (self));
  hcs_system_folder_unlock (self->folder);
}

gboolean
hcs_state_folder_write (HcsStateFolder *self, const char *name, const char *data,
                        gssize length, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_write (self->folder, name, data, length, error);
}

gboolean
hcs_state_folder_append (HcsStateFolder *self, const char *name, const char *line,
                         GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_append (self->folder, name, line, error);
}

char *
hcs_state_folder_read (HcsStateFolder *self, const char *name, gsize *length, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), NULL);
  return hcs_system_folder_read (self->folder, name, length, error);
}

gboolean
hcs_state_folder_has (HcsStateFolder *self, const char *name)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_has (self->folder, name);
}

gboolean
hcs_state_folder_remove_record (HcsStateFolder *self, const char *name, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_remove_record (self->folder, name, error);
}

gboolean
hcs_state_folder_remove (HcsStateFolder *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_remove (self->folder, error);
}

/* --- the start gate (hcs-gate.h) ---------------------------------------------------- */

gboolean
hcs_state_folder_write_gate (HcsStateFolder *self, const HcsStateGate *gate, GError **error)
{
  HcsSystemFolderGate fields;

  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  g_return_val_if_fail (gate != NULL, FALSE);
  fields = (HcsSystemFolderGate){
    .pid = gate->pid,
    .pid_start_time = gate->pid_start_time,
    .created = gate->created,
    .start_fifo = gate->start_fifo,
    .freezer = gate->freezer,
    .freezer_version = gate->freezer_version,
    .cgroups = gate->cgroups,
    .cgroup_members = gate->cgroup_members,
    .helper_pid = gate->helper_pid,
    .helper_start_time = gate->helper_start_time,
  };
  return hcs_system_folder_write_gate (self->folder, &fields, error);
}

gboolean
hcs_state_folder_write_gate_exec (HcsStateFolder *self, GBytes *spec, gboolean exec_defaults,
                                  GError **error)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), FALSE);
  return hcs_system_folder_write_gate_exec (self->folder, spec, exec_defaults, error);
}

gint64
hcs_state_folder_get_gate_started (HcsStateFolder *self)
{
  g_return_val_if_fail (HCS_IS_STATE_FOLDER (self), 0);
  return hcs_system_folder_get_gate_started (self->folder);
}
