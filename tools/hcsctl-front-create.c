/* hcsctl-front-create.c: runc's detached `create [-b|--bundle DIR]
 * [--pid-file FILE] ID` on hcsctl's front, linking GLib alone: no GIO,
 * json-glib, GObject, libhcs or plugin load (docs/performance.md, "A
 * create and a run without GIO").
 *
 * It does what the full path does, in the same order and with the same
 * records, fault points and undo: hcsctl-oci.c's create_from_bundle and
 * argon's create (plugins/argon/argon-container.c). config.json becomes
 * the helper's spec by hcs_runtime_spec_new_for_oci_config, which declines
 * what it does not translate exactly; the folder is claimed and written
 * through hcs-state-folder.h, argon's records through argon-record.h; the
 * cgroup is made and its devices set by hcs-runtime-cgroup.h; the helper
 * is launched by hcs-runtime-launch.c, the full path's own code; the exec
 * template is hcs_runtime_spec_new_oci_exec_template's; oci.json and gate-oci
 * hold the bytes hcsctl-oci.c's json-glib writes (hcs-json's writers).
 *
 * Everything it is unsure of goes the full path, before anything is made:
 * any other option (--console-socket, --no-pivot, ...), an id, bundle or
 * config.json the full path would refuse or that needs more than the
 * translation takes, runtime options other than those read here or with
 * values it cannot read as the full path does, another isolation than
 * process or a monitor, a helper or argon plugin not found, a closed
 * standard stream, a claim refused (the folder exists: the full path says
 * so), HCSCTL_FRONT=0. After the claim its errors are its own, worded as
 * the full path words them, with everything made undone.
 *
 * With --debug it says on stderr that it served the create, or why not.
 *
 * The front's run (hcsctl-front-run.c) makes its container with the same
 * code, hcsctl_front_container_create(): detached with -d; otherwise as
 * argon makes it for a creator that stays (no start fifo, the helper
 * kept as the init's parent, its start and status pipes held), with
 * what such a run needs after it (the release, the signals, the exit,
 * the removal) beside the undo and the discard a create has. hcs's own
 * bare run makes its container with the same code from another spec
 * (hcsctl_front_container_create_for_command(): no config.json, no
 * exec defaults, no records of hcsctl's own).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "argon-record.h"
#include "hcs-error.h"
#include "hcs-image.h"
#include "hcs-json.h"
#include "hcs-runtime-cgroup.h"
#include "hcs-runtime-launch.h"
#include "hcs-runtime-oci-spec.h"
#include "hcs-state-folder.h"
#include "hcsctl-front.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* hcsctl-oci.c's limit on config.json, and the full path's default state
 * folder. */
#define MAX_CONFIG_LENGTH (4 * 1024 * 1024)
#define DEFAULT_STATE_DIR "/run/hcs"

/* argon_driver_get_settings() and what hcs_host_new() reads, for a
 * process-isolated system without per-system options. */
typedef struct {
  char *state_dir;
  char *image_dir;            /* [host] image-dir: hcs's own run's default root */
  char *helper_path;
  char *cgroup_parent;
  char *cgroup_name;          /* NULL: the id */
  char *cgroup_root;          /* NULL: found from mountinfo */
  HcsRuntimeCgroupVersion cgroup_version;
  gboolean die_with_creator;
} Settings;

static void
settings_clear (Settings *settings)
{
  g_free (settings->state_dir);
  g_free (settings->image_dir);
  g_free (settings->helper_path);
  g_free (settings->cgroup_parent);
  g_free (settings->cgroup_name);
  g_free (settings->cgroup_root);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Settings, settings_clear)

/* The reason the full path takes the create, printed with --debug. */
static int G_GNUC_PRINTF (3, 4)
decline (HcsctlGlobals *globals, const char *verb, const char *format, ...)
{
  if (globals->debug)
    {
      g_autoptr (GString) reason = g_string_new (NULL);
      va_list args;

      va_start (args, format);
      g_string_append_vprintf (reason, format, args);
      va_end (args);
      /* One line, whatever config.json's strings hold. */
      g_string_replace (reason, "\n", "\\n", 0);
      g_printerr ("hcsctl: the full path for %s: %s\n", verb, reason->str);
    }
  return HCSCTL_FRONT_DECLINED;
}

/* --- the command line --------------------------------------------------------------- */

gboolean
hcsctl_front_option_value (int argc, char **argv, int *index, const char *name,
                           const char *short_name, const char **value)
{
  const char *arg = argv[*index];
  gsize length = strlen (name);

  if (strncmp (arg, name, length) == 0 && arg[length] == '=')
    *value = arg + length + 1;
  else if ((g_str_equal (arg, name) || (short_name != NULL && g_str_equal (arg, short_name))) &&
           *index + 1 < argc)
    *value = argv[++*index];
  else
    return FALSE;
  return **value != '\0';
}

gboolean
hcsctl_front_parse_bundle_args (int argc, char **argv, gboolean with_detach,
                                HcsctlFrontBundleArgs *args)
{
  int i = 1;

  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if (with_detach && (g_str_equal (argv[i], "-d") || g_str_equal (argv[i], "--detach")))
        args->detach = TRUE;
      else if (!hcsctl_front_option_value (argc, argv, &i, "--bundle", "-b", &args->bundle) &&
               !hcsctl_front_option_value (argc, argv, &i, "--pid-file", NULL, &args->pid_file))
        return FALSE;
    }
  if (i + 1 != argc)
    return FALSE;
  args->id = argv[i];
  return TRUE;
}

/* --- the runtime options ------------------------------------------------------------- */

typedef enum {
  VALUE_STRING,
  VALUE_PATH,       /* absolute */
  VALUE_PATH_LIST,  /* ';'-separated, each absolute or empty */
  VALUE_BOOLEAN,
  VALUE_TIMEOUT,    /* shutdown-timeout-ms: 1 ms to a day */
  VALUE_CGROUP_VERSION,
} ValueKind;

typedef struct {
  const char *group, *key;
  ValueKind kind;
} KnownKey;

/* The keys a create reads or may leave alone; every other is declined, so
 * that the full path checks it against the plugins it loads. */
static const KnownKey known_keys[] = {
  { "host", "state-dir", VALUE_PATH },
  { "host", "image-dir", VALUE_PATH },
  { "host", "plugin-dirs", VALUE_PATH_LIST },
  { "host", "no-installed-plugins", VALUE_BOOLEAN },
  { "host", "isolation", VALUE_STRING },
  { "host", "die-with-creator", VALUE_BOOLEAN },
  { "host", "monitor", VALUE_BOOLEAN },
  { "argon", "helper", VALUE_PATH },
  { "argon", "cgroup-parent", VALUE_STRING },
  { "argon", "cgroup-version", VALUE_CGROUP_VERSION },
  { "argon", "cgroup-root", VALUE_PATH },
  { "argon", "shutdown-timeout-ms", VALUE_TIMEOUT },
  { "argon", "die-with-creator", VALUE_BOOLEAN },
};

/* Whether @value passes hcs-options.c's check of its kind. */
static gboolean
value_fits (ValueKind kind, const char *value)
{
  gint64 number;

  switch (kind)
    {
    case VALUE_STRING:
      return TRUE;
    case VALUE_PATH:
      return g_path_is_absolute (value);
    case VALUE_PATH_LIST:
      {
        g_auto (GStrv) paths = g_strsplit (value, ";", -1);

        for (guint i = 0; paths[i] != NULL; i++)
          if (*g_strstrip (paths[i]) != '\0' && !g_path_is_absolute (paths[i]))
            return FALSE;
        return TRUE;
      }
    case VALUE_BOOLEAN:
      return hcs_gate_boolean_value (value) >= 0;
    case VALUE_TIMEOUT:
      return g_ascii_string_to_signed (value, 10, 1, 24 * 3600 * 1000, &number, NULL);
    case VALUE_CGROUP_VERSION:
      return g_strv_contains ((const char *const[]){ "auto", "1", "2", NULL }, value);
    }
  return FALSE;
}

/* Every group and key of @options known, and each value read as the full
 * path reads it (hcs_options_get_string(): GKeyFile's unescaping, then
 * stripped). NULL with the reason otherwise. */
static char *
check_options (GKeyFile *options)
{
  g_auto (GStrv) groups = g_key_file_get_groups (options, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto (GStrv) keys = NULL;

      if (!g_str_equal (groups[i], "host") && !g_str_equal (groups[i], "argon"))
        return g_strdup_printf ("runtime options: [%s]: not read here", groups[i]);
      keys = g_key_file_get_keys (options, groups[i], NULL, NULL);
      for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
        {
          g_autofree char *value = g_key_file_get_string (options, groups[i], keys[j], NULL);
          const KnownKey *known = NULL;

          for (gsize k = 0; k < G_N_ELEMENTS (known_keys) && known == NULL; k++)
            if (g_str_equal (known_keys[k].group, groups[i]) &&
                g_str_equal (known_keys[k].key, keys[j]))
              known = &known_keys[k];
          if (known == NULL || value == NULL || !value_fits (known->kind, g_strstrip (value)))
            return g_strdup_printf ("runtime options: [%s] %s: not read here", groups[i],
                                    keys[j]);
        }
    }
  return NULL;
}

/* hcs_options_get_string() of the host's options alone. */
static char *
option_string (GKeyFile *options, const char *group, const char *key, const char *default_value)
{
  char *value = options ? g_key_file_get_string (options, group, key, NULL) : NULL;

  return value ? g_strstrip (value) : g_strdup (default_value);
}

static gboolean
option_boolean (GKeyFile *options, const char *group, const char *key, gboolean default_value)
{
  g_autofree char *value = option_string (options, group, key, NULL);

  return value ? hcs_gate_boolean_value (value) > 0 : default_value;
}

/* Whether the host would load argon's plugin: the folders hcs_host_new()
 * searches, in its order, have its module. */
static gboolean
argon_plugin_found (GKeyFile *options)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) configured = NULL;
  const char *env_path = g_getenv ("HCS_PLUGIN_PATH");

  if (options != NULL)
    configured = g_key_file_get_string_list (options, "host", "plugin-dirs", NULL, NULL);
  for (guint i = 0; configured != NULL && configured[i] != NULL; i++)
    if (*g_strstrip (configured[i]) != '\0')
      g_ptr_array_add (dirs, g_strdup (configured[i]));
  if (env_path != NULL)
    {
      g_auto (GStrv) env_dirs = g_strsplit (env_path, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; env_dirs[i] != NULL; i++)
        if (*env_dirs[i] != '\0')
          g_ptr_array_add (dirs, g_strdup (env_dirs[i]));
    }
  if (!option_boolean (options, "host", "no-installed-plugins", FALSE))
    g_ptr_array_add (dirs, g_strdup (HCS_PLUGIN_DIR));
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *module = g_build_filename (dirs->pdata[i], "hcs-plugin-argon.so", NULL);

      if (g_file_test (module, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    }
  return FALSE;
}

/* The settings of the create, or NULL with the reason the full path takes
 * it. */
static char *
read_settings (HcsctlGlobals *globals, Settings *settings)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autofree char *isolation = NULL, *version = NULL, *reason = NULL;
  const char *env_helper = g_getenv ("HCS_RUNTIME_HELPER") ? g_getenv ("HCS_RUNTIME_HELPER")
                                                             : g_getenv ("HCS_ARGON_HELPER");
  g_autofree char *default_helper =
      env_helper ? g_strdup (env_helper)
                 : g_build_filename (HCS_LIBEXECDIR, "hcs-runtime-helper", NULL);

  if (globals->options_file != NULL)
    {
      options = g_key_file_new ();
      if (!g_key_file_load_from_file (options, globals->options_file, G_KEY_FILE_NONE, NULL))
        return g_strdup ("runtime options: not readable here");
      if ((reason = check_options (options)) != NULL)
        return g_steal_pointer (&reason);
    }
  /* argon's driver refuses to load otherwise: the full path's error. */
  if (geteuid () != 0)
    return g_strdup ("not root");
  isolation = option_string (options, "host", "isolation", "process");
  if (!g_str_equal (isolation, "process"))
    return g_strdup_printf ("the isolation is %s", isolation);
  if (option_boolean (options, "host", "monitor", FALSE))
    return g_strdup ("a monitor holds the system");
  if (!argon_plugin_found (options))
    return g_strdup ("argon's plugin is not where the host looks");

  /* --root over [host] state-dir over the default, each canonical. */
  if (globals->root != NULL)
    settings->state_dir = g_canonicalize_filename (globals->root, NULL);
  else
    {
      g_autofree char *state_dir = option_string (options, "host", "state-dir", NULL);

      settings->state_dir = g_canonicalize_filename (
          state_dir != NULL && *state_dir != '\0' ? state_dir : DEFAULT_STATE_DIR, NULL);
    }
  settings->image_dir = option_string (options, "host", "image-dir", HCS_DEFAULT_IMAGE_DIR);
  settings->helper_path = option_string (options, "argon", "helper", default_helper);
  /* argon's driver refuses to load without it: the full path's error. */
  if (!g_file_test (settings->helper_path, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup_printf ("the helper %s is not executable", settings->helper_path);
  settings->cgroup_parent = option_string (options, "argon", "cgroup-parent", "hcs");
  settings->cgroup_root = option_string (options, "argon", "cgroup-root", NULL);
  if (settings->cgroup_root != NULL && *settings->cgroup_root == '\0')
    g_clear_pointer (&settings->cgroup_root, g_free);
  version = option_string (options, "argon", "cgroup-version", "auto");
  settings->cgroup_version = g_str_equal (version, "1")   ? HCS_RUNTIME_CGROUP_VERSION_1
                             : g_str_equal (version, "2") ? HCS_RUNTIME_CGROUP_VERSION_2
                                                          : HCS_RUNTIME_CGROUP_VERSION_AUTO;
  settings->die_with_creator = option_boolean (
      options, "host", "die-with-creator",
      option_boolean (options, "argon", "die-with-creator", FALSE));
  return NULL;
}

/* --- what is made, and its undo ------------------------------------------------------ */

struct _HcsctlFrontContainer {
  char *id;
  char *what;                  /* "container 'ID'", as argon names it */
  gboolean detached;           /* runc's model: the init is our caller's */
  Settings settings;
  HcsSystemFolder *folder;
  gint64 created, started;
  HcsRuntimeCgroup *cgroup;
  int helper_pid;
  guint64 helper_start_time;
  int pid;                     /* the init, once reported */
  guint64 init_start_time;
  int init_pidfd;
  /* Not detached, the helper stays the init's parent and mirrors its
   * exit (hcs-runtime-helper.c): our child, its status pipe (held open so
   * that it never sees EPIPE) and the pipe whose byte releases the init. */
  int helper_pidfd;
  int status_fd;
  int start_fd;
  /* Written while the init sets up (init_cloned()): the exec template,
   * and for a bundle oci.json's text and gate-oci's members (borrowed). */
  HcsRuntimeSpec *exec;
  gboolean has_exec_defaults;
  char *oci_info;
  const char *bundle, *rootfs;
  const HcsJsonNode *annotations;
};

typedef HcsctlFrontContainer Create;

static Create *
create_new (const char *id, gboolean detached)
{
  Create *create = g_new0 (Create, 1);

  create->id = g_strdup (id);
  create->what = g_strdup_printf ("container '%s'", id);
  create->detached = detached;
  create->init_pidfd = create->helper_pidfd = create->status_fd = create->start_fd = -1;
  return create;
}

/* Closing the start pipe of an init never released abandons it: the
 * helper kills it and leaves. */
void
hcsctl_front_container_free (HcsctlFrontContainer *create)
{
  int *fds[] = { &create->init_pidfd, &create->helper_pidfd, &create->status_fd,
                 &create->start_fd };

  for (gsize i = 0; i < G_N_ELEMENTS (fds); i++)
    if (*fds[i] >= 0)
      close (*fds[i]);
  g_clear_pointer (&create->folder, hcs_system_folder_free);
  g_clear_pointer (&create->cgroup, hcs_runtime_cgroup_free);
  settings_clear (&create->settings);
  g_free (create->oci_info);
  g_free (create->id);
  g_free (create->what);
  g_free (create);
}

/* argon's save_state(): argon.json of a create under way. */
static gboolean
save_state (Create *create, GError **error)
{
  g_auto (ArgonStateFile) state = { 0 };
  g_autofree char *text = NULL;

  state.id = g_strdup (create->id);
  state.name = g_strdup (create->id);
  state.pid = create->pid;
  state.pid_start_time = create->init_start_time;
  state.helper_pid = create->helper_pid;
  state.helper_start_time = create->helper_start_time;
  state.created = create->created;
  state.started = create->started;
  state.detached = create->detached;
  state.has_own_init = TRUE;
  state.creator_pid = getpid ();
  state.cgroup_parent = g_strdup (create->settings.cgroup_parent);
  state.cgroup_name = g_strdup (create->settings.cgroup_name);
  state.cgroup_version = create->cgroup ? (int) hcs_runtime_cgroup_get_version (create->cgroup)
                                        : (int) create->settings.cgroup_version;
  state.cgroup_root = g_strdup (create->settings.cgroup_root);
  text = argon_state_format (&state);
  return hcs_system_folder_write (create->folder, ARGON_RECORD, text, -1, error);
}

static gboolean
save_pid (Create *create, const char *record, int pid, guint64 start_time, GError **error)
{
  g_autofree char *text = argon_state_format_pid (pid, start_time);

  return hcs_system_folder_write (create->folder, record, text, -1, error);
}

/* argon's helper_spawned_cb(): the helper recorded before it reads its
 * spec. */
static void
helper_spawned (GPid helper_pid, gpointer data)
{
  Create *create = data;
  g_autoptr (GError) error = NULL;

  create->helper_pid = helper_pid;
  create->helper_start_time = hcs_gate_process_start_time (helper_pid);
  if (!save_pid (create, ARGON_HELPER_RECORD, helper_pid, create->helper_start_time, &error))
    g_debug ("argon: %s: %s", create->what, error->message);
  hcs_gate_fault_point ("argon-helper");
}

static gpointer
close_view (gpointer data)
{
  close (GPOINTER_TO_INT (data));
  return NULL;
}

/* argon's release_helper_view(): the helper's read-only view closed off
 * the create's way. Its last close dissolves a detached mount and waits
 * for an RCU grace period (0.2 to 2.5 ms: hcs-runtime-launch.h), which a
 * thread waits for while the helper sets the container up; the closed
 * mount is gone before we exit, or our exit waits for it as argon's
 * process would. */
static void
release_view (int view_fd, gpointer data)
{
  GThread *thread = g_thread_try_new ("hcsctl-view", close_view, GINT_TO_POINTER (view_fd), NULL);

  if (thread == NULL)
    close (view_fd);
  else
    g_thread_unref (thread);
}

/* The helper, our child, reaped once its pidfd said it exited: its exit
 * code as argon's child_exited_cb() reads it (the helper mirrors the
 * init's, 128+N for a death by signal N). */
static int
reap_helper (Create *create)
{
  siginfo_t info = { 0 };
  int exit_code = 255;

  while (waitid (P_PIDFD, create->helper_pidfd, &info, WEXITED) < 0 && errno == EINTR)
    ;
  if (info.si_code == CLD_EXITED)
    exit_code = info.si_status;
  else if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED)
    exit_code = 128 + info.si_status;
  close (create->helper_pidfd);
  create->helper_pidfd = -1;
  return exit_code;
}

/* hcs_process_wait_timeout() of argon's init, at most @timeout_ms: a
 * detached (foreign) init's pidfd readable once it exited; otherwise its
 * helper's, which is reaped then. FALSE: still there. */
static gboolean
wait_init (Create *create, int timeout_ms)
{
  int watched = create->detached ? create->init_pidfd : create->helper_pidfd;
  struct pollfd fd = { .fd = watched, .events = POLLIN };
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (watched < 0)
    return TRUE;
  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      int ready = poll (&fd, 1, (int) MAX (left, 0));

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        return FALSE;
      if (!create->detached)
        reap_helper (create);
      return TRUE;
    }
}

/* argon's create's undo: the processes, the cgroup, the folder. */
static void
undo (Create *create)
{
  g_autoptr (GError) cleanup_error = NULL;

  if (create->cgroup != NULL)
    {
      hcs_runtime_cgroup_kill_all (create->cgroup, NULL);
      wait_init (create, 10000);
      if (!hcs_runtime_cgroup_destroy (create->cgroup, &cleanup_error))
        g_warning ("argon: %s: %s", create->what, cleanup_error->message);
    }
  hcs_system_folder_remove (create->folder, NULL);
}

gboolean
hcsctl_front_container_remove (HcsctlFrontContainer *create, GError **error)
{
  g_autoptr (GError) lock_error = NULL;

  /* argon's lock_for_remove(): the folder gone is another remover's
   * work done. */
  if (!hcs_system_folder_lock (create->folder, HCS_SYSTEM_FOLDER_LOCK_EXCLUSIVE, TRUE,
                               &lock_error))
    {
      if (lock_error->domain == HCS_ERROR &&
          (lock_error->code == HCS_ERROR_COMPUTE_SYSTEM_DOES_NOT_EXIST ||
           lock_error->code == HCS_ERROR_ELEMENT_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&lock_error));
      return FALSE;
    }
  /* Exec'd processes die with the pid namespace; anything that escaped it
   * but stayed in the cgroup is killed here. */
  if (!hcs_runtime_cgroup_kill_all (create->cgroup, error) ||
      !hcs_runtime_cgroup_destroy (create->cgroup, error))
    {
      hcs_system_folder_unlock (create->folder);
      return FALSE;
    }
  hcs_gate_fault_point ("argon-remove-cgroup");
  if (!hcs_system_folder_remove (create->folder, error))
    {
      hcs_system_folder_unlock (create->folder);
      return FALSE;
    }
  hcs_system_folder_unlock (create->folder);
  return TRUE;
}

/* hcs_container_discard() of the committed system (terminate, wait,
 * remove). */
void
hcsctl_front_container_discard (HcsctlFrontContainer *create)
{
  if (create->init_pidfd >= 0)
    syscall (SYS_pidfd_send_signal, create->init_pidfd, SIGKILL, NULL, 0);
  wait_init (create, 10000);
  hcsctl_front_container_remove (create, NULL);
}

void
hcsctl_front_container_terminate (HcsctlFrontContainer *create, int timeout_ms)
{
  hcs_runtime_cgroup_kill_all (create->cgroup, NULL);
  wait_init (create, timeout_ms);
}

/* argon_container_start() of a container not detached: argon_process_
 * release()'s byte, then the start recorded in argon.json. */
gboolean
hcsctl_front_container_release (HcsctlFrontContainer *create, GError **error)
{
  struct pollfd helper = { .fd = create->helper_pidfd, .events = POLLIN };
  gssize written;

  g_return_val_if_fail (!create->detached, FALSE);
  if (create->start_fd < 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "argon: %s was already started",
                   create->what);
      return FALSE;
    }
  if (poll (&helper, 1, 0) > 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_STOPPED, "argon: %s has already exited",
                   create->what);
      return FALSE;
    }
  do
    written = write (create->start_fd, "s", 1);
  while (written < 0 && errno == EINTR);
  if (written != 1)
    return hcs_set_error_from_errno (error, written < 0 ? errno : EIO,
                                     "argon: %s: starting the init", create->what);
  close (create->start_fd);
  create->start_fd = -1;
  hcs_gate_fault_point ("argon-started");
  create->started = g_get_real_time ();
  return save_state (create, error);
}

gboolean
hcsctl_front_container_signal (HcsctlFrontContainer *create, int signum, GError **error)
{
  if (syscall (SYS_pidfd_send_signal, create->init_pidfd, signum, NULL, 0) == 0)
    return TRUE;
  if (errno == ESRCH)
    g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_ALREADY_STOPPED,
                 "argon: %s has already exited", create->what);
  else
    hcs_set_error_from_errno (error, errno, "argon: %s: sending signal %d", create->what,
                              signum);
  return FALSE;
}

int
hcsctl_front_container_get_exit_fd (HcsctlFrontContainer *create)
{
  return create->init_pidfd;
}

int
hcsctl_front_container_reap (HcsctlFrontContainer *create)
{
  g_return_val_if_fail (!create->detached && create->helper_pidfd >= 0, 255);
  return reap_helper (create);
}

const char *
hcsctl_front_container_get_id (HcsctlFrontContainer *create)
{
  return create->id;
}

/* argon's apply of linux.resources (devices alone here: the translation
 * takes no other member) after the limits, as argon_container_create. */
static gboolean
apply_resources (Create *create, const HcsRuntimeSpec *spec, const HcsJsonNode *config,
                 GError **error)
{
  const HcsJsonNode *linux_object = config ? hcs_json_object_lookup (config, "linux") : NULL;
  const HcsJsonNode *resources = NULL, *rules = NULL;
  gboolean v2 = hcs_runtime_cgroup_get_version (create->cgroup) == HCS_RUNTIME_CGROUP_VERSION_2;
  gboolean reset = FALSE, devices_changed = FALSE;
  g_autoptr (GArray) planned = NULL;

  if (spec->oci_resources != NULL && linux_object != NULL)
    resources = hcs_json_object_lookup (linux_object, "resources");
  if (resources != NULL)
    rules = hcs_json_object_lookup (resources, "devices");
  /* The rules as the translation checked them: objects of known members,
   * each of its type. */
  planned = g_array_new (FALSE, TRUE, sizeof (HcsRuntimeDeviceRule));
  for (guint i = 0; rules != NULL && i < hcs_json_node_get_length (rules); i++)
    {
      const HcsJsonNode *entry = hcs_json_array_get_element (rules, i);
      const HcsJsonNode *member;
      HcsRuntimeDeviceRule rule = { FALSE, "a", -1, -1, "rwm" };

      if ((member = hcs_json_object_lookup (entry, "allow")) != NULL)
        rule.allow = hcs_json_node_get_boolean (member);
      if ((member = hcs_json_object_lookup (entry, "type")) != NULL)
        rule.type = hcs_json_node_get_string (member);
      if ((member = hcs_json_object_lookup (entry, "access")) != NULL)
        rule.access = hcs_json_node_get_string (member);
      if ((member = hcs_json_object_lookup (entry, "major")) != NULL)
        rule.major = hcs_json_node_get_integer (member);
      if ((member = hcs_json_object_lookup (entry, "minor")) != NULL)
        rule.minor = hcs_json_node_get_integer (member);
      g_array_append_val (planned, rule);
    }
  /* hcs_runtime_oci_resources_reset_devices(): v1's first devices write
   * is "deny all". */
  if (planned->len > 0)
    {
      const HcsRuntimeDeviceRule *first = &g_array_index (planned, HcsRuntimeDeviceRule, 0);

      reset = !first->allow && g_str_equal (first->type, "a");
    }
  if (reset ? !hcs_runtime_cgroup_apply_limits (create->cgroup, &spec->resources, error)
            : !hcs_runtime_cgroup_apply_resources (create->cgroup, &spec->resources, error))
    return FALSE;
  if (spec->oci_resources == NULL)
    return TRUE;
  /* hcs_runtime_cgroup_apply_oci(): planned whole, then written. */
  {
    g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < planned->len; i++)
      {
        char *file, *value;

        if (!hcs_runtime_device_rule_plan (&g_array_index (planned, HcsRuntimeDeviceRule, i), v2,
                                           &file, &value, error))
          return FALSE;
        if (file == NULL)
          continue;
        g_ptr_array_add (files, file);
        g_ptr_array_add (values, value);
      }
    for (guint i = 0; i < files->len; i++)
      {
        if (!hcs_runtime_cgroup_write_oci (create->cgroup, "devices", "devices",
                                           files->pdata[i], values->pdata[i], error))
          return FALSE;
        devices_changed = TRUE;
      }
  }
  if (devices_changed)
    return hcs_runtime_cgroup_allow_default_devices (create->cgroup, error);
  return TRUE;
}

/* argon's gate_cgroups() and write_gate(). */
static gboolean
write_gate (Create *create, GError **error)
{
  const char *freezer_dir = hcs_runtime_cgroup_get_path (create->cgroup, "freezer");
  gboolean v2 = hcs_runtime_cgroup_get_version (create->cgroup) == HCS_RUNTIME_CGROUP_VERSION_2;
  g_auto (GStrv) procs = hcs_runtime_cgroup_get_procs_files (create->cgroup);
  g_auto (GStrv) dirs = g_new0 (char *, g_strv_length (procs) + 1);
  g_autofree char *freezer = NULL;
  HcsSystemFolderGate gate = { 0 };

  for (guint i = 0; procs[i] != NULL; i++)
    dirs[i] = g_path_get_dirname (procs[i]);
  gate.cgroup_members = hcs_runtime_cgroup_get_path (create->cgroup, "pids");
  if (gate.cgroup_members == NULL)
    gate.cgroup_members = hcs_runtime_cgroup_get_path (create->cgroup, "memory");
  if (gate.cgroup_members == NULL || v2)
    gate.cgroup_members = dirs[0];
  if (freezer_dir != NULL)
    freezer = g_build_filename (freezer_dir, v2 ? "cgroup.events" : "freezer.state", NULL);
  gate.cgroups = (const char *const *) dirs;
  gate.helper_pid = create->helper_pid;
  gate.helper_start_time = create->helper_start_time;
  gate.pid = create->pid;
  gate.pid_start_time = create->init_start_time;
  gate.created = create->created;
  gate.start_fifo = create->detached ? "exec.fifo" : NULL;
  gate.freezer = freezer;
  gate.freezer_version = v2 ? 2 : 1;
  return hcs_system_folder_write_gate (create->folder, &gate, error);
}

/* argon's ARGON_SECCOMP_RECORD: a config.json's container has no filter,
 * and what is exec'd into it none either; hcs's own run has the built-in
 * one, and no record. */
static gboolean
save_seccomp (Create *create, const HcsRuntimeSpec *spec, GError **error)
{
  g_autoptr (GBytes) record = NULL;

  if (spec->seccomp_program == NULL)
    return TRUE;
  record = argon_record_format_seccomp (spec->seccomp_program, spec->seccomp_flags);
  return hcs_system_folder_write (create->folder, ARGON_SECCOMP_RECORD,
                                  g_bytes_get_data (record, NULL), g_bytes_get_size (record),
                                  error);
}

/* argon's write_exec_gate(): from the container's exec defaults when it
 * has some (an OCI bundle's process: hcs_runtime_spec_new_oci_exec_template),
 * a bare ProcessConfig's otherwise (hcs's own run); the container's
 * seccomp program (none: an empty one) comes with the first. @exec is the
 * template made before anything was. */
static gboolean
write_exec_gate (Create *create, HcsRuntimeSpec *exec, gboolean has_exec_defaults,
                 GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  exec->pid = create->pid;
  hcs_runtime_spec_set_cgroup (exec, create->cgroup);
  exec->detach = TRUE;
  exec->die_with_parent = create->settings.die_with_creator;
  bytes = hcs_runtime_spec_serialize (exec);
  return hcs_system_folder_write_gate_exec (create->folder, bytes, has_exec_defaults, error);
}

static gboolean init_cloned (int pid, gpointer data, GError **error);

/* The helper started, waiting for its spec: the first half of argon's
 * argon_process_spawn_full() for a create with inherited stdio, made
 * before the cgroups so that the helper's start overlaps them. */
static gboolean
start_helper (Create *create, HcsRuntimeLaunch *launch, GError **error)
{
  int stdio[3] = { -1, -1, -1 };
  gboolean started;

  for (int i = 0; i < 3; i++)
    if ((stdio[i] = fcntl (i, F_DUPFD_CLOEXEC, 3)) < 0)
      {
        hcs_set_error_from_errno (error, errno, "argon: standard stream %d", i);
        for (int j = 0; j < i; j++)
          close (stdio[j]);
        return FALSE;
      }
  launch->spawned = helper_spawned;
  launch->release_view = release_view;
  launch->cloned = init_cloned;
  launch->spawned_data = create;
  started = hcs_runtime_launch_start (create->settings.helper_path, HCS_RUNTIME_LAUNCH_CREATE,
                                      FALSE, stdio, create->what, launch, error);
  for (int i = 0; i < 3; i++)
    close (stdio[i]);
  if (!started)
    g_prefix_error (error, "argon: ");
  return started;
}

/* The second half: the spec sent, the init's records written while it
 * sets up (init_cloned()), its report and, detached, the init left to our
 * caller (argon_process_open_foreign()). */
static gboolean
spawn_init (Create *create, HcsRuntimeLaunch *launch, const HcsRuntimeSpec *spec,
            GError **error)
{
  int wait_status;

  if (!hcs_runtime_launch_finish (launch, spec, create->what, error))
    {
      g_prefix_error (error, "argon: ");
      return FALSE;
    }
  if (create->detached)
    {
      /* The helper leaves once it reported; the init is our child
       * (CLONE_PARENT), the caller's to reap once we exit. */
      while (waitpid (launch->helper_pid, &wait_status, 0) < 0 && errno == EINTR)
        ;
    }
  else
    {
      /* The helper stays the init's parent, waiting for the start byte,
       * then mirroring its exit: our child, watched through a pidfd. */
      create->status_fd = g_steal_fd (&launch->status_fd);
      create->start_fd = g_steal_fd (&launch->start_fd);
      create->helper_pidfd = (int) syscall (SYS_pidfd_open, launch->helper_pid, 0);
      if (create->helper_pidfd < 0)
        {
          hcs_set_error_from_errno (error, errno, "argon: %s: opening process %d", create->what,
                                    launch->helper_pid);
          return FALSE;
        }
    }
  return TRUE;
}

/* --- hcsctl's records ------------------------------------------------------------------ */

/* save_oci_info()'s oci.json: compact, as json-glib's generator writes it. */
static char *
format_oci_info (const char *bundle, const char *rootfs, const HcsJsonNode *annotations,
                 const HcsJsonNode *process)
{
  GString *text = g_string_new ("{\"bundle\":");

  hcs_json_append_string (text, bundle);
  g_string_append (text, ",\"rootfs\":");
  hcs_json_append_string (text, rootfs);
  if (annotations != NULL)
    {
      g_string_append (text, ",\"annotations\":");
      hcs_json_node_append_text (annotations, text);
    }
  g_string_append (text, ",\"ociProcess\":");
  hcs_json_node_append_text (process, text);
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

/* save_gate_oci()'s gate-oci: bundle and rootfs, then the annotations,
 * as render_members() renders them (pretty, at depth 1). No hooks: the
 * translation takes none. */
static gboolean
save_gate_oci (HcsSystemFolder *folder, const char *bundle, const char *rootfs,
               const HcsJsonNode *annotations, GError **error)
{
  g_autoptr (GString) members = g_string_new ("  \"bundle\" : ");
  g_autoptr (GString) annotations_text = NULL;
  g_autofree char *config_path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *config_stamp = hcs_gate_file_stamp (config_path);
  g_autofree char *text = NULL;

  hcs_json_append_string (members, bundle);
  g_string_append (members, ",\n  \"rootfs\" : ");
  hcs_json_append_string (members, rootfs);
  if (annotations != NULL)
    {
      annotations_text = g_string_new ("  \"annotations\" : ");
      hcs_json_node_append_pretty (annotations, 1, annotations_text);
    }
  text = hcs_gate_format_oci (members->str, annotations_text ? annotations_text->str : NULL,
                              FALSE, FALSE, config_path, config_stamp);
  return hcs_system_folder_write (folder, HCS_GATE_OCI_RECORD, text, -1, error);
}

/* write_pid_file(): whole or not at all, no newline. */
static gboolean
write_pid_file (const char *path, int pid, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", pid);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* The init exists and sets itself up in the helper: what records it is
 * written meanwhile, in the folder not committed yet (readers pass it
 * by), rather than between its report and its release: argon's
 * argon-init, gate and gate-exec, then hcsctl's oci.json and gate-oci. */
static gboolean
init_cloned (int pid, gpointer data, GError **error)
{
  Create *create = data;

  create->pid = pid;
  create->init_pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (create->init_pidfd < 0)
    {
      if (errno == ESRCH)
        g_set_error (error, HCS_ERROR, HCS_ERROR_PROCESS_NOT_FOUND, "argon: %s: no process %d",
                     create->what, pid);
      else
        hcs_set_error_from_errno (error, errno, "argon: %s: opening process %d", create->what,
                                  pid);
      return FALSE;
    }
  hcs_gate_fault_point ("argon-spawned");
  create->init_start_time = hcs_gate_process_start_time (pid);
  if (!save_pid (create, ARGON_INIT_RECORD, pid, create->init_start_time, error) ||
      !write_gate (create, error) ||
      !write_exec_gate (create, create->exec, create->has_exec_defaults, error))
    return FALSE;
  hcs_gate_fault_point ("argon-saved");
  if (create->oci_info != NULL &&
      (!hcs_system_folder_write (create->folder, "oci.json", create->oci_info, -1, error) ||
       !save_gate_oci (create->folder, create->bundle, create->rootfs, create->annotations,
                       error)))
    return FALSE;
  return TRUE;
}

/* --- the verb ------------------------------------------------------------------------ */

static int
failed (const char *verb, const char *message)
{
  hcsctl_log_error (verb, message);
  return 1;
}

/* What both ways in check before anything: the id, the standard streams
 * the init inherits, the runtime options, pidfds. 0, or
 * HCSCTL_FRONT_DECLINED. */
static int
check_before_create (HcsctlGlobals *globals, const char *verb, Create *create)
{
  g_autofree char *reason = NULL;

  if (!hcs_system_id_validate (create->id, NULL))
    return decline (globals, verb, "the id '%s'", create->id);
  /* Inherited by the init: a closed one is the full path's to word. */
  for (int fd = 0; fd < 3; fd++)
    if (fcntl (fd, F_GETFD) < 0)
      return decline (globals, verb, "standard stream %d is closed", fd);
  if ((reason = read_settings (globals, &create->settings)) != NULL)
    return decline (globals, verb, "%s", reason);
  /* The init (and, not detached, its helper) is watched through pidfds;
   * where there are none (Linux before 5.3, valgrind) argon's child
   * watch does it. */
  {
    int probe = (int) syscall (SYS_pidfd_open, getpid (), 0);

    if (probe < 0)
      return decline (globals, verb, "no pidfds here: %s", g_strerror (errno));
    close (probe);
  }
  return 0;
}

/* The container's cgroup made and its linux.resources written: what
 * make_container() has a thread do while it spawns the helper. */
typedef struct {
  Create *create;
  const HcsRuntimeSpec *spec;
  const HcsJsonNode *config;
  GError *error;
} CgroupWork;

static gpointer
make_cgroup (gpointer data)
{
  CgroupWork *work = data;
  Create *create = work->create;
  Settings *settings = &create->settings;
  HcsRuntimeCgroup *cgroup =
      hcs_runtime_cgroup_create (settings->cgroup_parent,
                                 settings->cgroup_name ? settings->cgroup_name : create->id,
                                 settings->cgroup_version, settings->cgroup_root, &work->error);

  if (cgroup == NULL)
    return NULL;
  create->cgroup = cgroup;
  hcs_gate_fault_point ("argon-cgroup");
  apply_resources (create, work->spec, work->config, &work->error);
  return NULL;
}

/* argon_container_create() from the spec on: claimed, each resource made
 * after the record that undoing it needs, committed. @config is
 * config.json's root for its linux.resources (NULL: none), @exec the exec
 * template. 0; 1 when it failed after the claim (logged, everything
 * undone); HCSCTL_FRONT_DECLINED when the claim is refused. */
static int
make_container (HcsctlGlobals *globals, const char *verb, Create *create, HcsRuntimeSpec *spec,
                const HcsJsonNode *config, HcsRuntimeSpec *exec, gboolean has_exec_defaults)
{
  g_autoptr (GError) error = NULL;
  g_auto (HcsRuntimeLaunch) launch = HCS_RUNTIME_LAUNCH_INIT;
  Settings *settings = &create->settings;
  const char *id = create->id;

  /* A claim refused is the full path's to report (the folder exists, or
   * the state folder is not ours to write). */
  create->created = g_get_real_time ();
  create->folder = hcs_system_folder_claim (settings->state_dir, id, ARGON_STATE_OWNER, &error);
  if (create->folder == NULL)
    return decline (globals, verb, "the claim: %s", error->message);
  if (globals->debug)
    g_printerr ("hcsctl: front: %s '%s'\n", verb, id);
  if (!save_state (create, &error) || !save_seccomp (create, spec, &error))
    {
      hcs_system_folder_remove (create->folder, NULL);
      return failed (verb, error->message);
    }
  hcs_gate_fault_point ("argon-recorded");
  /* The cgroup on a thread and the helper here, at once: the vfork waits
   * for the helper's exec, and the helper's start-up (libc's CPU probing)
   * runs on while the cgroup is made (0.8 ms of a run). The helper waits
   * for its spec; if we die before sending it, it reads the pipe's end
   * and exits. */
  {
    CgroupWork work = { create, spec, config, NULL };
    GThread *thread = g_thread_try_new ("hcsctl-cgroup", make_cgroup, &work, NULL);
    gboolean started = start_helper (create, &launch, &error);

    if (thread != NULL)
      g_thread_join (thread);
    else
      make_cgroup (&work);
    if (started && work.error != NULL)
      g_propagate_error (&error, g_steal_pointer (&work.error));
    g_clear_error (&work.error);
    if (error != NULL && create->cgroup == NULL)
      {
        hcs_runtime_launch_abandon (&launch);
        hcs_system_folder_remove (create->folder, NULL);
        return failed (verb, error->message);
      }
    if (error != NULL)
      goto fail;
  }
  hcs_runtime_spec_set_cgroup (spec, create->cgroup);
  spec->detach = create->detached;
  if (create->detached)
    {
      spec->start_fifo = hcs_system_folder_build_path (create->folder, "exec.fifo");
      /* Writable by others (runc's 0622): the init reopens it as the
       * container's user. Only root reaches it, in the 0700 folder. */
      if (mkfifo (spec->start_fifo, 0600) < 0 || chmod (spec->start_fifo, 0622) < 0)
        {
          hcs_set_error_from_errno (&error, errno, "argon: %s: creating %s", create->what,
                                    spec->start_fifo);
          goto fail;
        }
    }
  create->exec = exec;
  create->has_exec_defaults = has_exec_defaults;
  spec->report_cloned = TRUE;
  if (!spawn_init (create, &launch, spec, &error))
    goto fail;
  if (!hcs_system_folder_commit (create->folder, &error))
    goto fail;
  hcs_system_folder_unlock (create->folder);
  return 0;

fail:
  /* Nothing of a failed create survives: its processes (a helper still
   * waiting for its spec too), cgroup and state. */
  if (launch.spec_fd >= 0)
    hcs_runtime_launch_abandon (&launch);
  undo (create);
  return failed (verb, error->message);
}

int
hcsctl_front_container_create (HcsctlGlobals *globals, const char *verb, const char *id,
                               const char *bundle_arg, const char *pid_file, gboolean detached,
                               HcsctlFrontContainer **made)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsJsonDocument) document = NULL;
  g_autoptr (HcsRuntimeSpec) spec = NULL, exec = NULL;
  g_autofree char *bundle = NULL, *config_path = NULL, *text = NULL, *reason = NULL;
  const HcsJsonNode *config, *linux_object, *member, *annotations, *process;
  const char *cgroups_path = NULL, *rootfs;
  g_autoptr (HcsctlFrontContainer) create = create_new (id, detached);
  Settings *settings = &create->settings;
  gsize length;
  int code;

  if ((code = check_before_create (globals, verb, create)) != 0)
    return code;

  /* config.json read as hcs_container_config_from_json() reads it. */
  bundle = g_canonicalize_filename (bundle_arg ? bundle_arg : ".", NULL);
  config_path = g_build_filename (bundle, "config.json", NULL);
  if (!g_file_get_contents (config_path, &text, &length, NULL) || length > MAX_CONFIG_LENGTH ||
      strlen (text) != length)
    return decline (globals, verb, "%s: not read here", config_path);
  document = hcs_json_document_parse (text, length, MAX_CONFIG_LENGTH, &error);
  if (document == NULL)
    return decline (globals, verb, "%s: %s", config_path, error->message);
  config = hcs_json_document_get_root (document);
  spec = hcs_runtime_spec_new_for_oci_config (id, config, bundle, &reason);
  if (spec == NULL)
    return decline (globals, verb, "config.json: %s", reason);
  process = hcs_json_object_lookup (config, "process");
  if (spec->process == NULL || process == NULL)
    return decline (globals, verb, "config.json: process: missing");
  spec->die_with_parent = settings->die_with_creator;
  rootfs = spec->rootfs != NULL ? spec->rootfs : "";
  annotations = hcs_json_object_lookup (config, "annotations");
  exec = hcs_runtime_spec_new_oci_exec_template (spec);

  /* linux.cgroupsPath replaces PARENT/ID, as runc reads it; empty, it is
   * none (hcs-documents.c keeps no oci_cgroups_path). */
  linux_object = hcs_json_object_lookup (config, "linux");
  if (linux_object != NULL && (member = hcs_json_object_lookup (linux_object, "cgroupsPath")) &&
      hcs_json_node_get_type (member) == HCS_JSON_STRING &&
      *hcs_json_node_get_string (member) != '\0')
    cgroups_path = hcs_json_node_get_string (member);
  if (cgroups_path != NULL)
    {
      g_autofree char *parent = NULL;

      if (!hcs_runtime_cgroup_split_path (cgroups_path, settings->cgroup_version, &parent,
                                          &settings->cgroup_name, &error))
        return decline (globals, verb, "linux.cgroupsPath: %s", error->message);
      g_free (settings->cgroup_parent);
      settings->cgroup_parent = g_steal_pointer (&parent);
    }

  /* create_from_bundle()'s records beside argon's, written with them. */
  create->oci_info = format_oci_info (bundle, rootfs, annotations, process);
  create->bundle = bundle;
  create->rootfs = rootfs;
  create->annotations = annotations;
  if ((code = make_container (globals, verb, create, spec, config, exec, TRUE)) != 0)
    return code;
  hcs_gate_fault_point ("hcsctl-created");

  if (pid_file != NULL && !write_pid_file (pid_file, create->pid, &error))
    {
      failed (verb, error->message);
      hcsctl_front_container_discard (create);
      return 1;
    }
  *made = g_steal_pointer (&create);
  return 0;
}

int
hcsctl_front_container_create_for_command (HcsctlGlobals *globals, const char *id,
                                           const char *name, const char *rootfs_arg,
                                           const char *const *args,
                                           HcsctlFrontContainer **made)
{
  g_autoptr (HcsRuntimeSpec) spec = NULL, exec = NULL;
  g_autofree char *rootfs = NULL, *reason = NULL;
  g_autoptr (HcsctlFrontContainer) create = create_new (id, FALSE);
  int code;

  if ((code = check_before_create (globals, "run", create)) != 0)
    return code;
  /* hcsctl_cmd_run's root: --rootfs made canonical, or the built-in image
   * as hcs_image_ensure_default() finds it unpacked (it unpacks it
   * otherwise: the full path's to do). */
  if (rootfs_arg != NULL)
    rootfs = g_canonicalize_filename (rootfs_arg, NULL);
  else
    {
      g_autofree char *marker = NULL;

      rootfs = g_build_filename (create->settings.image_dir, "busybox", NULL);
      marker = g_build_filename (rootfs, "bin", "busybox", NULL);
      if (!g_file_test (marker, G_FILE_TEST_IS_EXECUTABLE))
        return decline (globals, "run", "the built-in image is not unpacked in %s",
                        create->settings.image_dir);
    }
  spec = hcs_runtime_spec_new_for_command (id, name, rootfs, args, &reason);
  if (spec == NULL)
    return decline (globals, "run", "%s", reason);
  spec->die_with_parent = create->settings.die_with_creator;
  exec = hcs_runtime_spec_new_exec_template (id);
  if ((code = make_container (globals, "run", create, spec, NULL, exec, FALSE)) != 0)
    return code;
  *made = g_steal_pointer (&create);
  return 0;
}

int
hcsctl_front_create (HcsctlGlobals *globals, int argc, char **argv)
{
  HcsctlFrontBundleArgs args = { 0 };
  g_autoptr (HcsctlFrontContainer) made = NULL;

  if (!hcsctl_front_parse_bundle_args (argc, argv, FALSE, &args))
    return decline (globals, "create", "its options");
  return hcsctl_front_container_create (globals, "create", args.id, args.bundle, args.pid_file,
                                        TRUE, &made);
}
