/* hcsctl-front-exec.c: `exec` of an argon container on hcsctl's front,
 * without GIO, json-glib, libhcs or the plugin's load (docs/performance.md).
 *
 * At create, argon wrote the exec template (hcs-gate.h, gate-exec): the
 * helper's spec of `hcsctl exec ID /bin/true` as the full path makes it
 * (the init's pid, its cgroup files, the container's seccomp program, the
 * process: the container's exec defaults, the bundle's process as create
 * saw it, when it has some). The front substitutes the command line, and
 * --env, --cwd and --user where given, as hcs_runtime_spec_set_process()
 * would have put them over the same defaults; checks the init is the recorded one and running; execs
 * the helper from its read-only view exactly as the full path does
 * (hcs-runtime-spawn.c, the same code); and waits for the process, its
 * own child as in the full path's foreground exec, forwarding SIGINT,
 * SIGTERM and SIGHUP. It exits with the process's code, 128+N for a death
 * by signal N, as the full path does.
 *
 * The full path keeps no record of a foreground exec'd process beyond
 * the hcsctl process's own memory: `ps`, `kill --all` and `delete` find
 * it in the container's cgroup, which it joins here the same way.
 *
 * Everything else is the full path's: a terminal, --detach, --process,
 * --pid-file and every other option; a container created, paused or
 * stopped (for its error); a gate or template missing or of another
 * version; HCSCTL_FRONT=0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-runtime-spawn.h"
#include "hcsctl-front.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  const char *id;
  GPtrArray *env;   /* "NAME=VALUE" as given, or NULL */
  const char *cwd;
  const char *user;
  char **args;
} FrontExec;

/* --- the command line --------------------------------------------------------------- */

/* "--NAME VALUE", "--NAME=VALUE" or "-S VALUE" at argv[*index]. */
static gboolean
option_value (int argc, char **argv, int *index, const char *name, const char *short_name,
              const char **value)
{
  const char *arg = argv[*index];
  gsize length = strlen (name);

  if (strncmp (arg, name, length) == 0 && arg[length] == '=')
    {
      *value = arg + length + 1;
      return TRUE;
    }
  if ((g_str_equal (arg, name) || (short_name != NULL && g_str_equal (arg, short_name))) &&
      *index + 1 < argc)
    {
      *value = argv[++*index];
      return TRUE;
    }
  return FALSE;
}

/* The options the front serves, before the id (runc's order, and the full
 * path's: it parses strictly, as POSIX does). FALSE: the full path's. */
static gboolean
parse_command_line (int argc, char **argv, FrontExec *exec)
{
  int i = 1;

  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *value = NULL;

      if (g_str_equal (argv[i], "--"))
        {
          i++;
          break;
        }
      if (option_value (argc, argv, &i, "--env", "-e", &value))
        {
          const char *equals = strchr (value, '=');

          /* A bad one is the full path's to refuse, in its words. */
          if (equals == NULL || equals == value)
            return FALSE;
          if (exec->env == NULL)
            exec->env = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (exec->env, g_strdup (value));
        }
      else if (option_value (argc, argv, &i, "--cwd", NULL, &value) && *value != '\0')
        exec->cwd = value;
      else if (option_value (argc, argv, &i, "--user", "-u", &value) && *value != '\0')
        exec->user = value;
      else
        return FALSE;
    }
  /* The id and a command; an option after the id is the command's, but
   * a "--" there is the full path's to read. */
  if (i + 1 >= argc || g_str_equal (argv[i + 1], "--"))
    return FALSE;
  exec->id = argv[i];
  exec->args = argv + i + 1;
  /* Our stdio is the process's; one closed is the full path's to word. */
  for (int fd = 0; fd < 3; fd++)
    if (fcntl (fd, F_GETFD) < 0)
      return FALSE;
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
add_by_name (GHashTable *by_name, const char *entry)
{
  g_hash_table_replace (by_name, g_strndup (entry, strchr (entry, '=') - entry), (char *) entry);
}

/* hcs_process_config_get_envp() and hcs_runtime_spec_set_process() of
 * the full path's process: each name once (the last given wins), sorted,
 * PATH's default when none. Over the container's exec defaults, the
 * template's @base (which has a PATH already) is where --env starts, as
 * the full path starts from their environment; over the runtime's, --env
 * alone. */
static GVariant *
build_env (GVariant *base, GPtrArray *given)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  g_autofree const char **base_entries = NULL;
  gboolean has_path = FALSE;
  GHashTableIter iter;
  gpointer entry;

  if (base != NULL)
    {
      base_entries = g_variant_get_strv (base, NULL);
      for (guint i = 0; base_entries[i] != NULL; i++)
        if (strchr (base_entries[i], '=') != NULL)
          add_by_name (by_name, base_entries[i]);
    }
  for (guint i = 0; i < given->len; i++)
    add_by_name (by_name, given->pdata[i]);
  g_hash_table_iter_init (&iter, by_name);
  while (g_hash_table_iter_next (&iter, NULL, &entry))
    g_ptr_array_add (entries, entry);
  g_ptr_array_sort (entries, compare_strings);
  for (guint i = 0; i < entries->len; i++)
    has_path |= g_str_has_prefix (entries->pdata[i], "PATH=");
  if (!has_path)
    g_ptr_array_add (entries, HCS_GATE_DEFAULT_PATH);
  return g_variant_new_strv ((const char *const *) entries->pdata, entries->len);
}

/* The template's process with the exec's command line substituted: over
 * @exec_defaults, --env and --user edit the template's as the full path
 * edits the container's exec defaults. */
static GVariant *
fill_process (GVariant *template_process, const FrontExec *exec, gboolean exec_defaults)
{
  GVariantBuilder process;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  g_variant_builder_init (&process, G_VARIANT_TYPE_VARDICT);
  g_variant_iter_init (&iter, template_process);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      if (g_str_equal (name, "args"))
        g_variant_builder_add (&process, "{sv}", name,
                               g_variant_new_strv ((const char *const *) exec->args, -1));
      else if (g_str_equal (name, "env") && exec->env != NULL &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        g_variant_builder_add (&process, "{sv}", name,
                               build_env (exec_defaults ? value : NULL, exec->env));
      else if (g_str_equal (name, "cwd") && exec->cwd != NULL)
        g_variant_builder_add (&process, "{sv}", name, g_variant_new_string (exec->cwd));
      else if (g_str_equal (name, "user") && exec->user != NULL &&
               g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          g_autofree char *user = hcs_gate_exec_user (
              exec_defaults ? g_variant_get_string (value, NULL) : NULL, exec->user);

          g_variant_builder_add (&process, "{sv}", name, g_variant_new_string (user));
        }
      else
        g_variant_builder_add (&process, "{sv}", name, value);
      g_variant_unref (value);
    }
  return g_variant_builder_end (&process);
}

/* The spec the helper reads: the template, its process filled, and
 * die_with_parent as the full path's settings say now. NULL: a template
 * not of the shape the front knows (no process, another init). */
static GBytes *
fill_spec (GVariant *template, gboolean exec_defaults, const FrontExec *exec, int init_pid,
           gboolean die_with_parent)
{
  g_autoptr (GVariant) process = NULL, spec = NULL;
  gint64 pid = 0;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  process = g_variant_lookup_value (template, "process", G_VARIANT_TYPE_VARDICT);
  if (process == NULL || !g_variant_lookup (template, "pid", "x", &pid) || pid != init_pid)
    return NULL;
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_iter_init (&iter, template);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      if (g_str_equal (name, "process"))
        g_variant_builder_add (&builder, "{sv}", name,
                               fill_process (process, exec, exec_defaults));
      else if (!g_str_equal (name, "die_with_parent"))
        g_variant_builder_add (&builder, "{sv}", name, value);
      g_variant_unref (value);
    }
  if (die_with_parent)
    g_variant_builder_add (&builder, "{sv}", "die_with_parent", g_variant_new_boolean (TRUE));
  spec = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_get_data_as_bytes (spec);
}

/* --- the runtime options the full path's argon reads for an exec --------------------- */

/* hcs_options_get_string() of the host options alone: an opened
 * container's settings take no system options (argon_driver_get_settings). */
static char *
option_string (GKeyFile *options, const char *group, const char *key)
{
  char *value = options ? g_key_file_get_string (options, group, key, NULL) : NULL;

  return value ? g_strstrip (value) : NULL;
}

/* hcs_options_get_boolean(): -1 when unset or not a boolean. */
static int
option_boolean (GKeyFile *options, const char *group, const char *key)
{
  g_autofree char *value = option_string (options, group, key);

  if (value == NULL)
    return -1;
  return hcs_gate_boolean_value (value);
}

/* argon_driver_get_settings(): the helper and die-with-creator. FALSE:
 * the options file is the full path's to complain about. */
static gboolean
read_settings (HcsctlGlobals *globals, char **helper_path, gboolean *die_with_creator)
{
  g_autoptr (GKeyFile) options = NULL;
  const char *env_helper = g_getenv ("HCS_RUNTIME_HELPER") ? g_getenv ("HCS_RUNTIME_HELPER")
                                                             : g_getenv ("HCS_ARGON_HELPER");
  int host_die, argon_die;

  if (globals->options_file != NULL)
    {
      options = g_key_file_new ();
      if (!g_key_file_load_from_file (options, globals->options_file, G_KEY_FILE_NONE, NULL))
        return FALSE;
    }
  *helper_path = option_string (options, "argon", "helper");
  if (*helper_path == NULL)
    *helper_path = env_helper ? g_strdup (env_helper)
                              : g_build_filename (HCS_LIBEXECDIR, "hcs-runtime-helper", NULL);
  host_die = option_boolean (options, "host", "die-with-creator");
  argon_die = option_boolean (options, "argon", "die-with-creator");
  *die_with_creator = host_die >= 0 ? host_die : argon_die >= 0 ? argon_die : FALSE;
  return TRUE;
}

/* --- signals ------------------------------------------------------------------------- */

/* A caught signal sent on to the process (@data: its pidfd); one that has
 * exited is no error. */
static void
forward_to_process (int signum, gpointer data)
{
  int pidfd = GPOINTER_TO_INT (data);

  if (syscall (SYS_pidfd_send_signal, pidfd, signum, NULL, 0) < 0 && errno != ESRCH)
    g_printerr ("hcsctl: exec: forwarding signal %d: %s\n", signum, g_strerror (errno));
}

/* --- exec ---------------------------------------------------------------------------- */

static int
exec_failed (const char *id, const char *what)
{
  g_autofree char *message =
      g_strdup_printf ("argon: a process of container '%s': %s", id, what);

  hcsctl_log_error ("exec", message);
  return 255;
}

static void
kill_and_reap (GPid pid)
{
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* Spawns the helper with @spec, our stdio as the process's; its pid, or
 * 0 with an exit code in *code after saying why. */
static int
launch (const char *id, const char *helper_path, GBytes *spec, int *code)
{
  const char *argv[] = { helper_path, "exec", NULL };
  const int stdio[3] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
  int spec_pipe[2] = { -1, -1 }, status_pipe[2] = { -1, -1 };
  int source_fds[2], target_fds[2] = { 3, 4 };
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  int helper, wait_status, read_errno, pid = 0;
  HcsRuntimeStatus status;
  GPid helper_pid;
  gboolean spawned;

  if (pipe2 (spec_pipe, O_CLOEXEC) < 0 || pipe2 (status_pipe, O_CLOEXEC) < 0)
    {
      g_autofree char *what =
          g_strdup_printf ("creating the helper's pipes: %s", g_strerror (errno));
      for (int i = 0; i < 2; i++)
        {
          if (spec_pipe[i] >= 0)
            close (spec_pipe[i]);
          if (status_pipe[i] >= 0)
            close (status_pipe[i]);
        }
      *code = exec_failed (id, what);
      return 0;
    }
  source_fds[0] = spec_pipe[0];
  source_fds[1] = status_pipe[1];
  helper = hcs_runtime_spawn_open_helper (helper_path, &error);
  spawned = helper >= 0 && hcs_runtime_spawn_helper (helper, argv, stdio, source_fds, target_fds,
                                                     2, &helper_pid, &error);
  close (spec_pipe[0]);
  close (status_pipe[1]);
  if (spawned)
    hcs_gate_fault_point ("hcsctl-exec-helper"); /* it waits for its spec */
  if (!spawned)
    {
      g_autofree char *what = g_strdup_printf ("starting %s: %s", helper_path, error->message);

      if (helper >= 0)
        close (helper);
      close (spec_pipe[1]);
      close (status_pipe[0]);
      *code = exec_failed (id, what);
      return 0;
    }
  hcs_runtime_spawn_write_all (spec_pipe[1], g_bytes_get_data (spec, NULL),
                               g_bytes_get_size (spec));
  close (spec_pipe[1]);
  status = hcs_runtime_spawn_read_status (status_pipe[0], &pid, &message);
  read_errno = errno;
  /* After the report, as the full path's exec: the view's last close
   * waits for an RCU grace period, which the helper's start need not. */
  close (helper);
  close (status_pipe[0]);
  if (status != HCS_RUNTIME_STATUS_PID)
    {
      g_autofree char *what = NULL;

      kill_and_reap (helper_pid);
      switch (status)
        {
        case HCS_RUNTIME_STATUS_ERROR:
          *code = exec_failed (id, message ? message : "unknown helper error");
          return 0;
        case HCS_RUNTIME_STATUS_NONE:
          what = g_strdup ("the helper exited without reporting");
          break;
        case HCS_RUNTIME_STATUS_UNREADABLE:
          what = g_strdup_printf ("the helper sent an unreadable status: %s", message);
          break;
        case HCS_RUNTIME_STATUS_TOO_LONG:
          what = g_strdup ("the helper's status line is too long");
          break;
        default:
          what = g_strdup_printf ("reading the helper's status: %s", g_strerror (read_errno));
          break;
        }
      /* The full path words these without naming the process. */
      {
        g_autofree char *text = g_strdup_printf ("argon: %s", what);

        hcsctl_log_error ("exec", text);
      }
      *code = 255;
      return 0;
    }
  /* Detached: the helper leaves once it reported, and the process is our
   * child (CLONE_PARENT), reaped by us as the full path reaps it. */
  while (waitpid (helper_pid, &wait_status, 0) < 0 && errno == EINTR)
    ;
  return pid;
}

/* Waits for our child @pid, forwarding the signals @signals caught: its
 * exit code, 128+N for a death by signal N. */
static int
wait_forwarding (int pid, HcsctlFrontSignals *signals)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  siginfo_t info = { 0 };

  if (pidfd < 0)
    {
      int wait_status;

      /* Not here since 5.3; without it the signals wait for the exit. */
      while (waitpid (pid, &wait_status, 0) < 0 && errno == EINTR)
        ;
      return WIFEXITED (wait_status)     ? WEXITSTATUS (wait_status)
             : WIFSIGNALED (wait_status) ? 128 + WTERMSIG (wait_status)
                                         : 255;
    }
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = signals->pipe_fds[0], .events = POLLIN },
                               { .fd = pidfd, .events = POLLIN } };

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[0].revents & POLLIN)
        hcsctl_front_signals_forward (signals, forward_to_process, GINT_TO_POINTER (pidfd));
      if (fds[1].revents & (POLLIN | POLLHUP))
        break;
    }
  while (waitid (P_PIDFD, pidfd, &info, WEXITED) < 0 && errno == EINTR)
    ;
  close (pidfd);
  if (info.si_code == CLD_EXITED)
    return info.si_status;
  if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED)
    return 128 + info.si_status;
  return 255;
}

int
hcsctl_front_exec (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (GPtrArray) env = NULL;
  FrontExec exec = { 0 };
  g_auto (HcsGate) gate = { 0 };
  g_autoptr (GVariant) template = NULL;
  g_autoptr (GBytes) spec = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *helper_path = NULL;
  gboolean die_with_creator = FALSE, exec_defaults = FALSE;
  HcsctlFrontSignals signals = HCSCTL_FRONT_SIGNALS_INIT;
  int init_pidfd, pid, code = 255;

  if (!parse_command_line (argc, argv, &exec))
    {
      g_clear_pointer (&exec.env, g_ptr_array_unref);
      return HCSCTL_FRONT_DECLINED;
    }
  env = exec.env;
  if (!hcsctl_front_open_gate (globals, exec.id, &gate) ||
      hcs_gate_get_status (&gate) != HCS_GATE_RUNNING ||
      !read_settings (globals, &helper_path, &die_with_creator))
    return HCSCTL_FRONT_DECLINED;
  template = hcs_gate_load_exec (&gate, &exec_defaults, &error);
  if (template == NULL)
    {
      if (globals->debug)
        g_printerr ("hcsctl: the full path for '%s': %s\n", exec.id, error->message);
      return HCSCTL_FRONT_DECLINED;
    }
  spec = fill_spec (template, exec_defaults, &exec, gate.pid, die_with_creator);
  if (spec == NULL)
    return HCSCTL_FRONT_DECLINED;

  /* The init through a pidfd checked against its start time, as `kill`
   * does: a pid reused since the init exited is never joined. Without
   * pidfds, or stopped, the full path knows what to do and says it. */
  init_pidfd = hcs_gate_open_init (&gate);
  if (init_pidfd < 0)
    return HCSCTL_FRONT_DECLINED;

  /* Caught from before the spawn: a signal meanwhile waits in the pipe
   * for the process (the helper starts with default dispositions). */
  if (!hcsctl_front_signals_catch (&signals, NULL))
    {
      close (init_pidfd);
      return HCSCTL_FRONT_DECLINED;
    }

  pid = launch (exec.id, helper_path, spec, &code);
  close (init_pidfd);
  if (pid > 0)
    {
      hcs_gate_fault_point ("hcsctl-exec-spawned");
      code = wait_forwarding (pid, &signals);
    }
  hcsctl_front_signals_release (&signals);
  return code;
}
