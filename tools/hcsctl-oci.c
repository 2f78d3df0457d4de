/* hcsctl-oci.c: runc's command line, so that callers built for runc
 * (conmon and podman, containerd's runc shim) drive hcs unchanged.
 *
 * `create` leaves the container's init to the caller, as runc does: it
 * becomes our child (CLONE_PARENT in the helper) and so, once we exit, the
 * child of the caller's subreaper, which reaps it and reads its exit code.
 * `start` releases it through the exec fifo of its state folder. The other
 * verbs open the system from its state folder, in any process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcsctl-private.h"
#include "hcs-gate.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#define OCI_VERSION HCSCTL_OCI_VERSION

/* --- shared ---------------------------------------------------------------------- */

/* runc's verbs, their help in runc's words where they mean the same. */
static const HcsctlHelp oci_help[] = {
  { "create", "<container-id>", "create a container",
    "The create command creates an instance of a container for a bundle. The\n"
    "bundle is a directory with a specification file named \"config.json\" and a\n"
    "root file system. The container's init waits until \"hcsctl start\" starts\n"
    "its process. The isolation (process, hyperv, lcow) comes from the runtime\n"
    "options (hcs-options(5)) or the annotation io.hcs.isolation (process, lcow,\n"
    "hyperv). Under lcow the utility VM is held by hcs-lcow-uvm so that the\n"
    "other verbs reach it; the bundle's root stays on the host (refused) unless\n"
    "io.hcs.lcow.rootfs is \"guest\": the guest's own image. Under hyperv a\n"
    "per-system monitor (hcs-monitor) holds the container's VM." },
  { "run", "<container-id>", "create and run a container",
    "The run command creates an instance of a container for a bundle and starts\n"
    "it. Without --detach, hcsctl stays its parent, wires its stdio to its own,\n"
    "exits with its exit code and deletes it (unless --keep).\n\n"
    "This is runc's form of run; \"hcsctl run [OPTION…] -- COMMAND\" is hcs's own\n"
    "(see hcsctl(1))." },
  { "start", "<container-id>", "executes the user defined process in a created container",
    "The start command executes the user defined process in a created container." },
  { "state", "<container-id>", "output the state of a container",
    "The state command outputs current state information for the instance of a\n"
    "container (the OCI state JSON)." },
  { "list", "", "lists containers started by hcsctl with the given root",
    "The list command lists containers of the state folder (--root or [host]\n"
    "state-dir of the runtime options)." },
  { "ps", "<container-id> [ps options]", "ps displays the processes running inside a container",
    NULL },
  { "kill", "<container-id> [signal]",
    "kill sends the specified signal (default: SIGTERM) to the container's init process",
    "The signal is a name (KILL, SIGKILL) or a number." },
  { "delete", "<container-id>", "delete any resources held by the container",
    "The delete command removes a stopped container: its processes, cgroups,\n"
    "mounts, network namespace and state. With --force a running one is killed\n"
    "first." },
  { "pause", "<container-id>", "pause suspends all processes inside the container",
    "The pause command suspends all processes in the instance of the container\n"
    "(the cgroup freezer; a VM's vCPUs for hyperv and lcow)." },
  { "resume", "<container-id>", "resumes all processes that have been previously paused",
    NULL },
  { "exec", "<container-id> <command> [command options]",
    "execute new process inside the container",
    "The exec command runs a new process inside a running container. Its exit\n"
    "code is the process's; 255 when hcsctl itself fails. Without --process it\n"
    "starts from the bundle's process as create saw it (env, user, cwd,\n"
    "capabilities, rlimits, ...), the options over it, as runc's does." },
  { "update", "<container-id>", "update container resource constraints", NULL },
  { "events", "<container-id>", "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    NULL },
  { "spec", "", "create a new specification file",
    "The spec command creates the new specification file named \"config.json\" for\n"
    "the bundle, with the built-in default image's conventions." },
  { "features", "", "show the enabled features",
    "The features command shows what this runtime supports (JSON), as runc's." },
  { "checkpoint", "<container-id>", "checkpoint a running container",
    "Not supported: hcs does not checkpoint containers (CRIU is not used). runc's\n"
    "options are accepted, so that a caller gets this refusal, exit code 1." },
  { "restore", "<container-id>", "restore a container from a previous checkpoint",
    "Not supported: hcs does not restore containers from CRIU images. runc's\n"
    "options are accepted, so that a caller gets this refusal, exit code 1." },
};

const HcsctlHelp *
hcsctl_oci_help (const char *verb)
{
  for (gsize i = 0; i < G_N_ELEMENTS (oci_help); i++)
    if (g_str_equal (oci_help[i].name, verb))
      return &oci_help[i];
  g_return_val_if_reached (NULL);
}

static gboolean
parse_args (const char *verb, const char *parameters, GOptionEntry *entries, int *argc,
            char ***argv, GStrv *rest, guint min_rest, guint max_rest)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameters);
  g_autoptr (GError) error = NULL;
  guint n;

  if (hcsctl_wants_help (*argc, *argv, entries))
    {
      /* As GLib's own --help does: nothing is made yet, so exit here. */
      hcsctl_print_help (hcsctl_oci_help (verb), entries);
      exit (0);
    }
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      hcsctl_log_error (verb, error->message);
      return FALSE;
    }
  n = *rest ? g_strv_length (*rest) : 0;
  if (n > 0 && g_str_equal ((*rest)[0], "--"))
    {
      GStrv shifted = g_strdupv (*rest + 1);
      g_strfreev (*rest);
      *rest = shifted;
      n--;
    }
  if (n < min_rest || n > max_rest)
    {
      g_autofree char *message =
          g_strdup_printf ("expected %s (see hcsctl %s --help)", parameters, verb);
      hcsctl_log_error (verb, message);
      return FALSE;
    }
  return TRUE;
}

/* --- the sentinel of a VM-isolated system ------------------------------------------------ */

/* Field 22 of /proc/PID/stat, the start time (after the comm, which may
 * hold spaces: from the last ')'). */
static char *
process_start_time (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return NULL;
  fields = g_strsplit (end + 1, " ", 0);
  /* fields[0] is "" (the space after ')'), fields[1] the state (field 3). */
  return g_strv_length (fields) > 20 ? g_strdup (fields[20]) : NULL;
}

static char *
sentinel_path (void)
{
  const char *path = g_getenv ("HCS_SENTINEL");
  return path ? g_strdup (path) : g_build_filename (HCS_LIBEXECDIR, "hcs-sentinel", NULL);
}

/* A VM-isolated system's process is the guest's: conmon and containerd's
 * shims waitpid() the pid of --pid-file as their (reparented) child. So
 * hcs-sentinel stands for it on the host (see its header). Spawned
 * through an intermediate child (no G_SPAWN_DO_NOT_REAP_CHILD), it is
 * reparented to the nearest subreaper at once; its folder is /, so it
 * keeps no bundle. An init's sentinel gets /dev/null as stdio: it keeps
 * none of the container's streams. An exec's (@exec_fd >= 0: its request
 * socket, its fd 3) gets ours when @inherit_stdio, to hand them over
 * with the process it makes. */
static GPid
spawn_sentinel (HcsctlGlobals *globals, const char *id, int exec_fd, gboolean inherit_stdio,
                GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) environment =
      g_environ_setenv (g_get_environ (), "G_SLICE", "always-malloc", FALSE);
  const int target_fd = 3;
  GPid pid = 0;

  g_ptr_array_add (argv, sentinel_path ());
  if (globals->options_file != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--options"));
      g_ptr_array_add (argv, g_canonicalize_filename (globals->options_file, NULL));
    }
  if (globals->root != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--root"));
      g_ptr_array_add (argv, g_canonicalize_filename (globals->root, NULL));
    }
  if (exec_fd >= 0)
    {
      g_ptr_array_add (argv, g_strdup ("--exec-fd"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", target_fd));
    }
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (id));
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_async_with_pipes_and_fds (
          "/", (const char *const *) argv->pdata, (const char *const *) environment,
          inherit_stdio ? G_SPAWN_CHILD_INHERITS_STDIN
                        : G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL |
                              G_SPAWN_STDERR_TO_DEV_NULL,
          NULL, NULL, -1, -1, -1, exec_fd >= 0 ? &exec_fd : NULL,
          exec_fd >= 0 ? &target_fd : NULL, exec_fd >= 0 ? 1 : 0, &pid, NULL, NULL, NULL,
          error))
    {
      g_prefix_error (error, "hcs-sentinel: ");
      return 0;
    }
  return pid;
}

/* The sentinel oci.json names, if it is still that process. */
static GPid
live_sentinel (JsonObject *info)
{
  GPid pid = (GPid) json_object_get_int_member_with_default (info, "sentinel", 0);
  g_autofree char *start = NULL;

  if (pid <= 0 || (start = process_start_time (pid)) == NULL ||
      !g_str_equal (start, json_object_get_string_member_with_default (info, "sentinelStart",
                                                                         "")))
    return 0;
  return pid;
}

/* After a delete: a sentinel still there (its wait not yet answered, or
 * the holder gone) goes as the container went, killed. */
static void
end_sentinel (JsonObject *info)
{
  GPid pid = live_sentinel (info);

  if (pid > 0)
    kill (pid, SIGKILL);
}

/* The pid runc's state gives: the sentinel's for a VM-isolated system. */
static int
oci_pid (JsonObject *info, const HcsContainerProperties *props)
{
  if (props->stopped)
    return 0;
  if (json_object_has_member (info, "sentinel"))
    return (int) json_object_get_int_member_with_default (info, "sentinel", 0);
  return props->init_process_id;
}

/* oci.json, a record in the system's folder (hcs-state) beside the
 * driver's: what runc's state output needs and the system itself does not
 * know (bundle, rootfs, annotations), and config.json's process as create
 * saw it ("ociProcess"), which an exec without --process makes its
 * defaults from. A create on hcsctl's front writes the same bytes with
 * GLib alone (hcsctl-front-create.c); records of earlier versions hold
 * the defaults made ("process", a ProcessConfig), still read. */
static gboolean
save_oci_info (HcsStateFolder *folder, const char *bundle, const char *rootfs,
               JsonNode *annotations, const char *oci_process, GPid sentinel, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bundle");
  json_builder_add_string_value (builder, bundle);
  json_builder_set_member_name (builder, "rootfs");
  json_builder_add_string_value (builder, rootfs ? rootfs : "");
  if (annotations != NULL)
    {
      json_builder_set_member_name (builder, "annotations");
      json_builder_add_value (builder, json_node_copy (annotations));
    }
  if (oci_process != NULL)
    {
      json_builder_set_member_name (builder, "ociProcess");
      json_builder_add_value (builder, json_from_string (oci_process, NULL));
    }
  if (sentinel > 0)
    {
      g_autofree char *start = process_start_time (sentinel);

      /* Its pid and start time: a pid reused since is not ours to kill. */
      json_builder_set_member_name (builder, "sentinel");
      json_builder_add_int_value (builder, sentinel);
      json_builder_set_member_name (builder, "sentinelStart");
      json_builder_add_string_value (builder, start ? start : "");
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return hcs_state_folder_write (folder, "oci.json", text, -1, error);
}

/* @node pretty-printed as print_json() prints it, without the braces of
 * its outermost object: its members as they appear at depth 1. */
static char *
render_members (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize length;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, &length);
  g_return_val_if_fail (length >= 4 && g_str_has_prefix (text, "{\n") &&
                            g_str_has_suffix (text, "\n}"), NULL);
  return g_strndup (text + 2, length - 4);
}

/* gate-oci (hcs-gate.h), for the front's `state` and `start`: what
 * state_node() takes from oci.json, pre-rendered, and whether the bundle
 * had the hooks that would make `start` and `delete` run something. */
static gboolean
save_gate_oci (HcsStateFolder *folder, const char *bundle, const char *rootfs,
               JsonNode *annotations, const HcsContainerConfig *config, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) members_node = NULL;
  g_autofree char *members = NULL, *annotations_text = NULL, *text = NULL;
  g_autofree char *config_path = NULL, *config_stamp = NULL;
  GPtrArray *poststart = config->oci_hooks[HCS_OCI_HOOK_POSTSTART];
  GPtrArray *poststop = config->oci_hooks[HCS_OCI_HOOK_POSTSTOP];

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bundle");
  json_builder_add_string_value (builder, bundle);
  json_builder_set_member_name (builder, "rootfs");
  json_builder_add_string_value (builder, rootfs ? rootfs : "");
  json_builder_end_object (builder);
  members_node = json_builder_get_root (builder);
  members = render_members (members_node);
  if (annotations != NULL)
    {
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr (JsonObject) object = json_object_new ();

      json_object_set_member (object, "annotations", json_node_copy (annotations));
      json_node_set_object (node, object);
      annotations_text = render_members (node);
    }
  config_path = g_build_filename (bundle, "config.json", NULL);
  config_stamp = hcs_gate_file_stamp (config_path);
  text = hcs_gate_format_oci (members, annotations_text, poststart != NULL && poststart->len > 0,
                              poststop != NULL && poststop->len > 0, config_path, config_stamp);
  return hcs_state_folder_write (folder, HCS_GATE_OCI_RECORD, text, -1, error);
}

static JsonObject *
load_oci_info (HcsHost *host, const char *id)
{
  g_autoptr (HcsStateFolder) folder = hcs_state_open (hcs_host_get_state (host), id, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize length;
  JsonNode *root;

  if (folder == NULL || (text = hcs_state_folder_read (folder, "oci.json", &length, NULL)) == NULL ||
      !json_parser_load_from_data (parser, text, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return json_object_new ();
  return json_object_ref (json_node_get_object (root));
}

static const char *
oci_status (const HcsContainerProperties *props)
{
  if (props->stopped)
    return "stopped";
  if (g_strcmp0 (props->state, "Created") == 0)
    return "created";
  if (g_strcmp0 (props->state, "Paused") == 0)
    return "paused";
  return "running";
}

/* runc's state JSON (runtime-spec "state" plus rootfs, created, owner). */
static JsonNode *
state_node (HcsHost *host, const HcsContainerProperties *props)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonObject) info = load_oci_info (host, props->id);
  g_autofree char *created = hcsctl_format_time (props->created);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ociVersion");
  json_builder_add_string_value (builder, OCI_VERSION);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, props->id);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, oci_pid (info, props));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, oci_status (props));
  json_builder_set_member_name (builder, "bundle");
  json_builder_add_string_value (builder,
                                 json_object_get_string_member_with_default (info, "bundle", ""));
  json_builder_set_member_name (builder, "rootfs");
  json_builder_add_string_value (builder,
                                 json_object_get_string_member_with_default (info, "rootfs", ""));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  if (json_object_has_member (info, "annotations"))
    {
      json_builder_set_member_name (builder, "annotations");
      json_builder_add_value (builder, json_node_copy (json_object_get_member (info, "annotations")));
    }
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_json (JsonNode *node, gboolean pretty)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static gboolean
write_pid_file (const char *path, int pid, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", pid);

  /* runc writes it whole or not at all, with no newline. */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* --- poststart and poststop hooks --------------------------------------------------- */

/* Waits for @pid at most @timeout seconds (0: no limit), killing it then.
 * Returns its wait status, or -1 when it timed out. */
static int
wait_hook (GPid pid, gint64 timeout)
{
  int pidfd = timeout > 0 ? (int) syscall (SYS_pidfd_open, pid, 0) : -1;
  gint64 deadline = g_get_monotonic_time () + timeout * G_USEC_PER_SEC;
  gboolean timed_out = FALSE;
  int status;

  while (pidfd >= 0)
    {
      struct pollfd poll_fd = { .fd = pidfd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      int ready = left_ms > 0 ? poll (&poll_fd, 1, (int) MIN (left_ms, G_MAXINT)) : 0;

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0)
        {
          timed_out = TRUE;
          kill (pid, SIGKILL);
        }
      break;
    }
  if (pidfd >= 0)
    close (pidfd);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return timed_out ? -1 : status;
}

/* Runs one hook with @state on stdin; FALSE with @error saying why. */
static gboolean
run_one_hook (const char *kind_name, const HcsOciHook *hook, const char *state, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *const no_env[] = { NULL };
  void (*old_sigpipe) (int);
  int stdin_fd = -1, status;
  GPid pid;
  gsize left = strlen (state);

  /* argv[0] of the hook may differ from its path: the runtime spec's args. */
  g_ptr_array_add (argv, hook->path);
  if (hook->args != NULL && hook->args[0] != NULL)
    for (guint i = 0; hook->args[i]; i++)
      g_ptr_array_add (argv, hook->args[i]);
  else
    g_ptr_array_add (argv, hook->path);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) argv->pdata,
                                         hook->env ? (const char *const *) hook->env : no_env,
                                         G_SPAWN_FILE_AND_ARGV_ZERO | G_SPAWN_DO_NOT_REAP_CHILD,
                                         NULL, NULL, -1, STDERR_FILENO, STDERR_FILENO, NULL,
                                         NULL, 0, &pid, &stdin_fd, NULL, NULL, error))
    {
      g_prefix_error (error, "%s hook %s: ", kind_name, hook->path);
      return FALSE;
    }
  /* A hook that does not read its state must not kill us with SIGPIPE. */
  old_sigpipe = signal (SIGPIPE, SIG_IGN);
  while (left > 0)
    {
      gssize n = write (stdin_fd, state, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      state += n;
      left -= n;
    }
  close (stdin_fd);
  signal (SIGPIPE, old_sigpipe);
  status = wait_hook (pid, hook->timeout);
  if (status == -1)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT,
                   "%s hook %s: timed out after %" G_GINT64_FORMAT " s", kind_name, hook->path,
                   hook->timeout);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s hook %s: ", kind_name, hook->path);
      return FALSE;
    }
  return TRUE;
}

/* The bundle's config.json if it has @kind hooks (NULL if not): most
 * bundles have none, and a look at the JSON is all they pay; the spec's
 * full parse (and its warnings) is for those that do. */
static HcsContainerConfig *
config_with_hooks (const char *verb, HcsOciHookKind kind, const char *bundle)
{
  const char *kind_name = hcs_oci_hook_kind_name (kind);
  g_autofree char *config_path = NULL, *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;
  JsonNode *root;

  if (bundle == NULL || *bundle == '\0')
    return NULL;
  config_path = g_build_filename (bundle, "config.json", NULL);
  /* No config.json any more: nothing to run (the bundle went first). */
  if (!g_file_get_contents (config_path, &text, &length, NULL))
    return NULL;
  if (json_parser_load_from_data (parser, text, (gssize) length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *hooks = json_object_get_member (object, "hooks");
      JsonNode *list = hooks != NULL && JSON_NODE_HOLDS_OBJECT (hooks)
                           ? json_object_get_member (json_node_get_object (hooks), kind_name)
                           : NULL;

      if (hooks == NULL || JSON_NODE_HOLDS_NULL (hooks) ||
          (JSON_NODE_HOLDS_OBJECT (hooks) &&
           (list == NULL || JSON_NODE_HOLDS_NULL (list) ||
            (JSON_NODE_HOLDS_ARRAY (list) && json_array_get_length (json_node_get_array (list)) == 0))))
        return NULL;
    }
  config = hcs_container_config_from_json (text, bundle, &error);
  if (config == NULL)
    {
      g_printerr ("hcsctl: %s: warning: %s hooks not run: %s\n", verb, kind_name, error->message);
      return NULL;
    }
  if (config->oci_hooks[kind] == NULL || config->oci_hooks[kind]->len == 0)
    return NULL;
  return g_steal_pointer (&config);
}

/* poststart and poststop, in the runtime's namespaces as the runtime spec
 * says, from the bundle's config.json: the spec makes their failures
 * warnings, so they are printed and the verb goes on. */
static void
run_caller_hooks (const char *verb, HcsOciHookKind kind, const HcsContainerConfig *config,
                  JsonNode *state)
{
  const char *kind_name = hcs_oci_hook_kind_name (kind);
  g_autofree char *state_text = json_to_string (state, FALSE);
  g_autoptr (GError) error = NULL;
  GPtrArray *hooks = config->oci_hooks[kind];

  for (guint i = 0; i < hooks->len; i++)
    if (!run_one_hook (kind_name, hooks->pdata[i], state_text, &error))
      {
        g_printerr ("hcsctl: %s: warning: %s\n", verb, error->message);
        g_clear_error (&error);
      }
}

static HcsContainer *
open_container (HcsctlGlobals *globals, const char *verb, const char *id, HcsHost **host_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcsctl_open_host (globals, &error);
  HcsContainer *container;

  if (host == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  container = hcs_host_open_container (host, id, &error);
  if (container == NULL)
    {
      if (hcs_error_is_not_exist (error))
        {
          /* runc's wording, which its callers match. */
          g_autofree char *message = g_strdup_printf ("container \"%s\" does not exist", id);
          hcsctl_log_error (verb, message);
        }
      else
        hcsctl_log_error (verb, error->message);
      return NULL;
    }
  if (host_out != NULL)
    *host_out = g_steal_pointer (&host);
  return container;
}

/* `VERB CONTAINER-ID`, the container opened (errors already logged). */
static HcsContainer *
open_from_arguments (HcsctlGlobals *globals, int argc, char **argv, const char *verb,
                     HcsHost **host_out)
{
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  if (!parse_args (verb, "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return NULL;
  return open_container (globals, verb, rest[0], host_out);
}

/* `VERB CONTAINER-ID` doing @action: start, pause, resume. */
static int
act_on_one (HcsctlGlobals *globals, int argc, char **argv, const char *verb,
            gboolean (*action) (HcsContainer *container, GError **error))
{
  g_autoptr (HcsContainer) container = open_from_arguments (globals, argc, argv, verb, NULL);
  g_autoptr (GError) error = NULL;

  if (container == NULL)
    return 1;
  if (!action (container, &error))
    return hcsctl_log_error (verb, error->message);
  return 0;
}

/* --- create, start, run -------------------------------------------------------------- */

typedef struct {
  char *bundle;
  char *pid_file;
  char *console_socket;
  gboolean no_pivot;
  gboolean no_new_keyring;
  gboolean detach;
  gboolean keep;
  int preserve_fds;
} CreateOptions;

static void
create_options_clear (CreateOptions *options)
{
  g_free (options->bundle);
  g_free (options->pid_file);
  g_free (options->console_socket);
}

/* The isolation a bundle asks for with the annotation io.hcs.isolation, as
 * per-system options (NULL: none asked, the runtime options decide). An
 * lcow system is held by a UVM holder: runc's verbs are separate
 * processes. Its root is the host's, made into an erofs image for the
 * guest; io.hcs.lcow.rootfs=guest runs it on the guest's own image instead. */
static GKeyFile *
isolation_from_annotations (JsonNode *annotations, HcsContainerConfig *config, GError **error)
{
  static const char *const isolations[] = { "process", "lcow", "hyperv", NULL };
  g_autoptr (GKeyFile) system_options = NULL;
  JsonObject *object;
  JsonNode *node;
  const char *isolation, *rootfs = NULL;

  if (annotations == NULL || !JSON_NODE_HOLDS_OBJECT (annotations))
    return NULL;
  object = json_node_get_object (annotations);
  node = json_object_get_member (object, "io.hcs.isolation");
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !g_strv_contains (isolations, (isolation = json_node_get_string (node))))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: annotations: io.hcs.isolation: expected process, lcow or "
                   "hyperv");
      return NULL;
    }
  system_options = g_key_file_new ();
  g_key_file_set_string (system_options, "host", "isolation", isolation);
  if (!g_str_equal (isolation, "lcow"))
    return g_steal_pointer (&system_options);
  g_key_file_set_boolean (system_options, "lcow", "uvm-holder", TRUE);
  node = json_object_get_member (object, "io.hcs.lcow.rootfs");
  if (node != NULL && (!JSON_NODE_HOLDS_VALUE (node) ||
                       json_node_get_value_type (node) != G_TYPE_STRING ||
                       !g_str_equal ((rootfs = json_node_get_string (node)), "guest")))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: annotations: io.hcs.lcow.rootfs: expected \"guest\"");
      return NULL;
    }
  if (rootfs != NULL)
    g_clear_pointer (&config->volume_path, g_free);
  return g_steal_pointer (&system_options);
}

/* Builds the system from BUNDLE/config.json. @detached: runc's model (the
 * init is the caller's); otherwise we stay its parent (run without -d). */
static HcsContainer *
create_from_bundle (HcsctlGlobals *globals, const char *verb, const char *id,
                    CreateOptions *options, gboolean detached, HcsHost **host_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autofree char *bundle = NULL, *config_path = NULL, *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GKeyFile) system_options = NULL;
  g_autoptr (HcsStateFolder) folder = NULL;
  JsonNode *annotations = NULL;
  g_autofree char *isolation = NULL;
  HcsContainer *container;
  GPid sentinel = 0;
  int pid;

  bundle = g_canonicalize_filename (options->bundle ? options->bundle : ".", NULL);
  config_path = g_build_filename (bundle, "config.json", NULL);
  if (!g_file_get_contents (config_path, &text, NULL, &error))
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  config = hcs_container_config_from_json (text, bundle, &error);
  if (config == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  if (config->process == NULL)
    {
      hcsctl_log_error (verb, "config.json: process: missing (an OCI container needs one)");
      return NULL;
    }
  /* The parser kept them as text: a few members, not config.json again. */
  if (config->oci_annotations != NULL &&
      json_parser_load_from_data (parser, config->oci_annotations, -1, NULL))
    annotations = json_parser_get_root (parser);

  system_options = isolation_from_annotations (annotations, config, &error);
  if (error != NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }

  /* runc's exec without --process starts from the process as it is now,
   * whatever config.json says later: the driver renders it (argon's
   * gate-exec) and oci.json keeps it for the full path's exec. */
  config->exec_defaults = hcs_process_config_new_exec_defaults (config->process);
  config->process->create_stdin_pipe = FALSE;
  config->process->create_stdout_pipe = FALSE;
  config->process->create_stderr_pipe = FALSE;
  config->process->detach = detached;
  if (config->process->emulate_console)
    {
      if (options->console_socket != NULL)
        config->process->console_socket = g_canonicalize_filename (options->console_socket, NULL);
      else if (detached)
        {
          hcsctl_log_error (verb, "cannot allocate a tty for a detached container without "
                                  "--console-socket");
          return NULL;
        }
    }
  else
    config->process->inherit_stdio = TRUE;

  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  /* A hyperv system's VM lives in the process that made it: runc's verbs
   * are separate processes, so a monitor holds it. */
  isolation = hcs_options_get_string (hcs_host_get_options (host), system_options, "host",
                                      "isolation", HCS_DEFAULT_ISOLATION);
  if (g_str_equal (isolation, "hyperv"))
    {
      if (system_options == NULL)
        system_options = g_key_file_new ();
      g_key_file_set_boolean (system_options, "host", "monitor", TRUE);
    }
  container = hcs_host_create_container (host, id, config, system_options, &error);
  if (container == NULL)
    {
      hcsctl_log_error (verb, error->message);
      return NULL;
    }
  {
    g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, &error);
    pid = props ? props->init_process_id : 0;
  }
  hcs_state_fault_point ("hcsctl-created");
  /* Detached (runc's model), the caller waits for the pid: a guest's is
   * none of the host's, so a sentinel stands for it. */
  if (detached && (g_str_equal (isolation, "lcow") || g_str_equal (isolation, "hyperv")))
    pid = sentinel = spawn_sentinel (globals, id, -1, FALSE, &error);
  /* The folder opened once for both records. */
  if (error == NULL)
    folder = hcs_state_open (hcs_host_get_state (host), id, &error);
  if (error != NULL ||
      !save_oci_info (folder, bundle, config->volume_path, annotations, config->oci_process,
                      sentinel, &error) ||
      !save_gate_oci (folder, bundle, config->volume_path, annotations, config, &error) ||
      (options->pid_file != NULL && !write_pid_file (options->pid_file, pid, &error)))
    {
      hcsctl_log_error (verb, error->message);
      if (sentinel > 0)
        kill (sentinel, SIGKILL);
      hcs_container_discard (container, NULL);
      g_object_unref (container);
      return NULL;
    }
  *host_out = g_steal_pointer (&host);
  return container;
}

#define CREATE_ENTRIES(options)                                                              \
  { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &(options).bundle,                              \
    "The bundle: the folder of config.json (default: the current folder)", "DIR" },          \
  { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &(options).pid_file,                            \
    "Write the init's pid to this file", "FILE" },                                           \
  { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &(options).console_socket,                \
    "A unix socket that receives the pty master (terminal: true)", "PATH" },                 \
  { "no-pivot", 0, 0, G_OPTION_ARG_NONE, &(options).no_pivot,                                \
    "Accepted for runc compatibility; pivot_root is always used", NULL },                    \
  { "no-new-keyring", 0, 0, G_OPTION_ARG_NONE, &(options).no_new_keyring,                    \
    "Accepted: no session keyring is made", NULL },                                          \
  { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &(options).preserve_fds,                         \
    "Accepted; extra descriptors are not passed on", "N" }

int
hcsctl_cmd_create (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  CreateOptions options = { 0 };
  GOptionEntry entries[] = {
    CREATE_ENTRIES (options),
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  int code = 1;

  if (parse_args ("create", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    {
      container = create_from_bundle (globals, "create", rest[0], &options, TRUE, &host);
      code = container ? 0 : 1;
    }
  create_options_clear (&options);
  return code;
}

/* After a start: the poststart hooks, if any, see the state as it is now. */
static void
poststart (HcsHost *host, HcsContainer *container)
{
  const char *id = hcs_container_get_id (container);
  g_autoptr (JsonObject) info = load_oci_info (host, id);
  g_autoptr (HcsContainerConfig) config =
      config_with_hooks ("start", HCS_OCI_HOOK_POSTSTART,
                         json_object_get_string_member_with_default (info, "bundle", NULL));
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (JsonNode) state = NULL;

  if (config == NULL || (props = hcs_container_query_properties (container, NULL)) == NULL)
    return;
  state = state_node (host, props);
  run_caller_hooks ("start", HCS_OCI_HOOK_POSTSTART, config, state);
}

/* Removes it; then its poststop hooks, with the state it had, "stopped".
 * Which hooks is read before the bundle may go, as is the state. */
static gboolean
remove_and_poststop (const char *verb, HcsHost *host, HcsContainer *container, GError **error)
{
  const char *id = hcs_container_get_id (container);
  g_autoptr (JsonObject) info = load_oci_info (host, id);
  g_autoptr (HcsContainerConfig) config =
      config_with_hooks (verb, HCS_OCI_HOOK_POSTSTOP,
                         json_object_get_string_member_with_default (info, "bundle", NULL));
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (JsonNode) state = NULL;

  if (config != NULL && (props = hcs_container_query_properties (container, NULL)) != NULL)
    {
      props->stopped = TRUE;
      state = state_node (host, props);
    }
  if (!hcs_container_remove (container, error))
    return FALSE;
  if (state != NULL)
    run_caller_hooks (verb, HCS_OCI_HOOK_POSTSTOP, config, state);
  return TRUE;
}

/* The runtime spec: start only what is created (runc's wording). */
int
hcsctl_cmd_start (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = open_from_arguments (globals, argc, argv, "start", &host);
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  const char *status;

  if (container == NULL)
    return 1;
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("start", error->message);
  status = oci_status (props);
  if (g_str_equal (status, "stopped"))
    return hcsctl_log_error ("start", "cannot start a container that has stopped");
  if (g_str_equal (status, "running"))
    return hcsctl_log_error ("start", "cannot start an already running container");
  if (!g_str_equal (status, "created"))
    {
      g_autofree char *message =
          g_strdup_printf ("cannot start a container in the %s state", status);
      return hcsctl_log_error ("start", message);
    }
  if (!hcs_container_start (container, &error))
    return hcsctl_log_error ("start", error->message);
  hcs_state_fault_point ("hcsctl-started");
  poststart (host, container);
  return 0;
}

/* runc run: create and start; in the foreground we stay the init's parent,
 * wire its stdio, and remove it after it exits. */
int
hcsctl_cmd_oci_run (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  CreateOptions options = { 0 };
  GOptionEntry entries[] = {
    CREATE_ENTRIES (options),
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &options.detach, "Leave it running", NULL },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &options.keep, "Do not delete it when it exits", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  int exit_code = 1;

  if (!parse_args ("run", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    goto out;
  container = create_from_bundle (globals, "run", rest[0], &options, options.detach, &host);
  if (container == NULL)
    goto out;
  if (options.detach)
    {
      if (!hcs_container_start (container, &error))
        {
          hcsctl_log_error ("run", error->message);
          hcs_container_discard (container, NULL);
          goto out;
        }
      poststart (host, container);
      exit_code = 0;
      goto out;
    }
  init = hcs_container_get_init_process (container, &error);
  if (init == NULL ||
      !hcsctl_attach_and_wait (container, init, hcs_process_get_stdout (init) != NULL &&
                                                    options.console_socket == NULL,
                               TRUE, &exit_code, &error))
    {
      hcsctl_log_error ("run", error->message);
      exit_code = exit_code == 0 ? 1 : exit_code;
      hcs_container_terminate (container, NULL);
      hcs_container_wait_timeout (container, 5000, NULL, NULL);
    }
  if (!options.keep)
    {
      g_clear_error (&error);
      if (!remove_and_poststop ("run", host, container, &error))
        hcsctl_log_error ("run", error->message);
    }

out:
  create_options_clear (&options);
  return exit_code;
}

/* --- state, list, ps ------------------------------------------------------------------ */

int
hcsctl_cmd_state (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = open_from_arguments (globals, argc, argv, "state", &host);
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (container == NULL)
    return 1;
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("state", error->message);
  node = state_node (host, props);
  print_json (node, TRUE);
  return 0;
}

int
hcsctl_cmd_list (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *format = NULL;
  gboolean quiet = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table (default) or json", "FORMAT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only the ids", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (GPtrArray) systems = NULL;
  gboolean json;

  if (!parse_args ("list", "", entries, &argc, &argv, &rest, 0, 0))
    return 1;
  json = format != NULL && g_str_equal (format, "json");
  if (format != NULL && !json && !g_str_equal (format, "table"))
    return hcsctl_log_error ("list", "--format: expected table or json");
  host = hcsctl_open_host (globals, &error);
  if (host == NULL || (systems = hcs_host_list_containers (host, NULL, &error)) == NULL)
    return hcsctl_log_error ("list", error->message);

  if (quiet)
    {
      for (guint i = 0; i < systems->len; i++)
        g_print ("%s\n", ((HcsContainerProperties *) systems->pdata[i])->id);
      return 0;
    }
  if (json)
    {
      g_autoptr (JsonNode) array = json_node_new (JSON_NODE_ARRAY);
      JsonArray *items = json_array_new ();

      for (guint i = 0; i < systems->len; i++)
        json_array_add_element (items, state_node (host, systems->pdata[i]));
      json_node_take_array (array, items);
      print_json (array, FALSE);
      return 0;
    }
  g_print ("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
  for (guint i = 0; i < systems->len; i++)
    {
      HcsContainerProperties *props = systems->pdata[i];
      g_autoptr (JsonObject) info = load_oci_info (host, props->id);
      g_autofree char *created = hcsctl_format_time (props->created);

      g_print ("%-20s %-8d %-10s %-40s %-30s %s\n", props->id, oci_pid (info, props),
               oci_status (props),
               json_object_get_string_member_with_default (info, "bundle", ""), created, "root");
    }
  return 0;
}

int
hcsctl_cmd_ps (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *format = NULL;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table (default) or json", "FORMAT" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GPtrArray) processes = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_args ("ps", "CONTAINER-ID [ps OPTIONS]", entries, &argc, &argv, &rest, 1, 64))
    return 1;
  container = open_container (globals, "ps", rest[0], NULL);
  if (container == NULL)
    return 1;
  processes = hcs_container_get_process_list (container, &error);
  if (processes == NULL)
    return hcsctl_log_error ("ps", error->message);
  if (format != NULL && g_str_equal (format, "json"))
    {
      g_autoptr (GString) out = g_string_new ("[");
      for (guint i = 0; i < processes->len; i++)
        g_string_append_printf (out, "%s%u", i ? "," : "",
                                ((HcsProcessListItem *) processes->pdata[i])->process_id);
      g_print ("%s]\n", out->str);
      return 0;
    }
  g_print ("%-8s %s\n", "PID", "CMD");
  for (guint i = 0; i < processes->len; i++)
    {
      HcsProcessListItem *item = processes->pdata[i];
      g_print ("%-8u %s\n", item->process_id, item->image_name ? item->image_name : "");
    }
  return 0;
}

/* --- kill, delete, pause, resume --------------------------------------------------------- */

int
hcsctl_cmd_kill (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean all = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Signal every process of the container", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  int signum = SIGTERM;

  if (!parse_args ("kill", "CONTAINER-ID [SIGNAL]", entries, &argc, &argv, &rest, 1, 2))
    return 1;
  if (rest[1] != NULL && (signum = hcsctl_parse_signal (rest[1])) < 0)
    {
      g_autofree char *message = g_strdup_printf ("unknown signal \"%s\"", rest[1]);
      return hcsctl_log_error ("kill", message);
    }
  container = open_container (globals, "kill", rest[0], NULL);
  if (container == NULL)
    return 1;
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("kill", error->message);
  if (props->stopped)
    return hcsctl_log_error ("kill", "container not running");

  if (all)
    {
      g_autoptr (GPtrArray) processes = hcs_container_get_process_list (container, &error);
      if (processes == NULL)
        return hcsctl_log_error ("kill", error->message);
      for (guint i = 0; i < processes->len; i++)
        {
          HcsProcessListItem *item = processes->pdata[i];
          g_autoptr (HcsProcess) process =
              hcs_container_open_process (container, (int) item->process_id, NULL);
          if (process != NULL)
            hcs_process_signal (process, signum, NULL);
        }
      return 0;
    }
  {
    g_autoptr (HcsProcess) init =
        hcs_container_open_process (container, props->init_process_id, &error);
    if (init == NULL || !hcs_process_signal (init, signum, &error))
      return hcsctl_log_error ("kill", error->message);
  }
  return 0;
}

int
hcsctl_cmd_delete (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      "Kill it first if it is running (and succeed if it does not exist)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_args ("delete", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_log_error ("delete", error->message);
  container = hcs_host_open_container (host, rest[0], &error);
  if (container == NULL)
    {
      g_autofree char *message = NULL;
      if (force && hcs_error_is_not_exist (error))
        return 0;
      message = hcs_error_is_not_exist (error)
                    ? g_strdup_printf ("container \"%s\" does not exist", rest[0])
                    : g_strdup (error->message);
      return hcsctl_log_error ("delete", message);
    }
  info = load_oci_info (host, rest[0]);
  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return hcsctl_log_error ("delete", error->message);
  /* The runtime spec: deleting what is not stopped (created included, where
   * runc kills it) is an error that leaves it as it is; --force kills it. */
  if (!props->stopped && !force)
    {
      g_autofree char *message =
          g_strdup_printf ("cannot delete container %s that is not stopped: %s", rest[0],
                           oci_status (props));
      return hcsctl_log_error ("delete", message);
    }
  if (!props->stopped)
    {
      if (!hcs_container_terminate (container, &error) && !hcs_error_is_already_stopped (error))
        return hcsctl_log_error ("delete", error->message);
      g_clear_error (&error);
      hcs_state_fault_point ("hcsctl-terminated");
    }
  if (!remove_and_poststop ("delete", host, container, &error))
    return hcsctl_log_error ("delete", error->message);
  end_sentinel (info);
  return 0;
}

int
hcsctl_cmd_pause (HcsctlGlobals *globals, int argc, char **argv)
{
  return act_on_one (globals, argc, argv, "pause", hcs_container_pause);
}

int
hcsctl_cmd_resume (HcsctlGlobals *globals, int argc, char **argv)
{
  return act_on_one (globals, argc, argv, "resume", hcs_container_resume);
}

/* --- exec ---------------------------------------------------------------------------------- */

/* runc's exec exits 255 when it fails itself: every other code is the
 * process's. */
static int
exec_failed (const char *message)
{
  hcsctl_log_error ("exec", message);
  return 255;
}

static gboolean
send_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = send (fd, data, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* The sentinel's answer, to its end (it closes its side once answered). */
static char *
read_answer (int fd)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buffer[4096];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      /* An error message, not a stream: the first 64 KiB say it. */
      if (n <= 0 || text->len > 65536)
        break;
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A sentinel that failed ends on its own; so that nothing of it is left
 * when we return, we see it gone (and kill one that lingers). */
static void
reap_failed_sentinel (GPid pid)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd ready = { .fd = pidfd, .events = POLLIN };

  if (pidfd < 0)
    return;
  if (poll (&ready, 1, 10 * 1000) <= 0)
    {
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      poll (&ready, 1, -1);
    }
  close (pidfd);
}

/* exec --detach --pid-file in a VM-isolated system: hcs-sentinel makes the
 * process through the system's holder or monitor (with our stdio, or the
 * console socket) and stands for it; its pid goes to the pid file. One
 * spawned after the process was made could miss a short one's exit. */
static int
exec_by_sentinel (HcsctlGlobals *globals, HcsContainer *container,
                  const HcsProcessConfig *config, const char *pid_file)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) request = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL, *reply = NULL;
  const char *id = hcs_container_get_id (container);
  guint64 guest_pid = 0;
  int pair[2];
  GPid pid;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ProcessParameters");
  json_builder_add_value (builder, hcs_process_config_to_node (config));
  json_builder_set_member_name (builder, "InheritStdio");
  json_builder_add_boolean_value (builder, config->inherit_stdio);
  if (config->console_socket != NULL)
    {
      json_builder_set_member_name (builder, "ConsoleSocket");
      json_builder_add_string_value (builder, config->console_socket);
    }
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  json_generator_set_root (generator, request);
  text = json_generator_to_data (generator, NULL);

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      g_autofree char *message =
          g_strdup_printf ("hcs-sentinel: socketpair: %s", g_strerror (errno));
      return exec_failed (message);
    }
  pid = spawn_sentinel (globals, id, pair[1], config->inherit_stdio, &error);
  close (pair[1]);
  if (pid == 0)
    {
      close (pair[0]);
      return exec_failed (error->message);
    }
  /* A sentinel that died unanswered shows as an empty answer. */
  if (send_all (pair[0], text, strlen (text)))
    shutdown (pair[0], SHUT_WR);
  reply = read_answer (pair[0]);
  close (pair[0]);
  if (!g_str_has_prefix (reply, "ok ") ||
      !g_ascii_string_to_unsigned (reply + 3, 10, 1, G_MAXINT32, &guest_pid, NULL))
    {
      reap_failed_sentinel (pid);
      if (g_str_has_prefix (reply, "error: "))
        return exec_failed (reply + strlen ("error: "));
      return exec_failed ("hcs-sentinel ended before it made the process");
    }
  hcs_state_fault_point ("hcsctl-exec-spawned");
  if (!write_pid_file (pid_file, pid, &error))
    {
      /* Nobody would wait for it: it goes, and its sentinel with it. */
      g_autoptr (HcsProcess) process =
          hcs_container_open_process (container, (int) guest_pid, NULL);

      if (process != NULL)
        hcs_process_kill (process, NULL);
      return exec_failed (error->message);
    }
  return 0;
}

/* The exec defaults of oci.json: made from config.json's process (what
 * create_from_bundle makes of it), or as a record of before kept them. */
static HcsProcessConfig *
exec_defaults_from_info (JsonNode *oci_process, JsonNode *defaults, GError **error)
{
  g_autoptr (HcsProcessConfig) process = NULL;
  g_autofree char *text = NULL;

  if (oci_process == NULL)
    return hcs_process_config_from_node (defaults, error);
  text = json_to_string (oci_process, FALSE);
  process = hcs_process_config_from_oci_json (text, error);
  if (process == NULL)
    return NULL;
  return hcs_process_config_new_exec_defaults (process);
}

int
hcsctl_cmd_exec (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean tty = FALSE, detach = FALSE, no_new_privs = FALSE, ignore_paused = FALSE;
  g_autofree char *process_file = NULL, *pid_file = NULL, *console_socket = NULL;
  g_autofree char *cwd = NULL, *user = NULL, *apparmor = NULL, *process_label = NULL;
  g_auto (GStrv) env = NULL, caps = NULL, rest = NULL, additional_gids = NULL, cgroups = NULL;
  int preserve_fds = 0;
  GOptionEntry entries[] = {
    { "tty", 't', 0, G_OPTION_ARG_NONE, &tty, "Give the process a terminal", NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &detach, "Do not wait for it", NULL },
    { "process", 'p', 0, G_OPTION_ARG_FILENAME, &process_file,
      "The process as an OCI \"process\" JSON object", "FILE" },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &pid_file, "Write its pid here", "FILE" },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &console_socket,
      "A unix socket that receives the pty master", "PATH" },
    { "cwd", 0, 0, G_OPTION_ARG_STRING, &cwd, "Working directory", "DIR" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, "NAME=VALUE", "NAME=VALUE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "uid[:gid]", "UID[:GID]" },
    { "cap", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &caps,
      "Add a capability to the process's bounding, effective, permitted, inheritable and "
      "ambient sets", "CAP" },
    { "no-new-privs", 0, 0, G_OPTION_ARG_NONE, &no_new_privs,
      "Set no_new_privs (otherwise the bundle's noNewPrivileges)", NULL },
    { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &preserve_fds, "Accepted", "N" },
    { "additional-gids", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &additional_gids,
      "A supplementary group of the process, after the bundle's (repeatable)", "GID" },
    { "apparmor", 0, 0, G_OPTION_ARG_STRING, &apparmor, "The AppArmor profile of the process",
      "PROFILE" },
    { "process-label", 0, 0, G_OPTION_ARG_STRING, &process_label,
      "The SELinux label of the process", "LABEL" },
    { "cgroup", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cgroups,
      "A sub-cgroup to run in: not supported (only the container's own, \"/\")",
      "[CONTROLLER:]PATH" },
    { "ignore-paused", 0, 0, G_OPTION_ARG_NONE, &ignore_paused,
      "Allow exec in a paused container (the process waits for resume)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (HcsProcessConfig) config = NULL;
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GArray) gids = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *base_user = NULL;
  int exit_code = 1;

  if (!parse_args ("exec", "CONTAINER-ID [COMMAND [ARG…]]", entries, &argc, &argv, &rest, 1,
                   G_MAXINT))
    return 255;
  if (process_file != NULL)
    {
      g_autofree char *text = NULL;
      if (!g_file_get_contents (process_file, &text, NULL, &error) ||
          (config = hcs_process_config_from_oci_json (text, &error)) == NULL)
        return exec_failed (error->message);
    }
  else if (rest[1] == NULL)
    return exec_failed ("no command given (or --process FILE)");
  /* The options are checked before the container is opened. */
  for (guint i = 0; env && env[i]; i++)
    {
      const char *equals = strchr (env[i], '=');
      if (equals == NULL || equals == env[i])
        return exec_failed ("--env: expected NAME=VALUE");
    }
  for (guint i = 0; additional_gids && additional_gids[i]; i++)
    {
      guint64 gid;

      if (!g_ascii_string_to_unsigned (additional_gids[i], 10, 0, G_MAXUINT32 - 1, &gid, NULL))
        {
          g_autofree char *message =
              g_strdup_printf ("--additional-gids: '%s' is not a group id", additional_gids[i]);
          return exec_failed (message);
        }
      if (gids == NULL)
        gids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_array_append_val (gids, (guint32) { gid });
    }
  for (guint i = 0; cgroups && cgroups[i]; i++)
    {
      const char *colon = strchr (cgroups[i], ':');
      const char *path = colon ? colon + 1 : cgroups[i];

      /* The container's own cgroup is where every exec'd process goes. */
      if (!g_str_equal (path, "/") && *path != '\0')
        {
          g_autofree char *message = g_strdup_printf (
              "--cgroup %s: a sub-cgroup is not supported: an exec'd process joins the "
              "container's own cgroup", cgroups[i]);
          return exec_failed (message);
        }
    }
  if ((config != NULL ? config->emulate_console : tty) && console_socket == NULL && detach)
    return exec_failed ("cannot allocate a tty for a detached process without "
                        "--console-socket");

  container = open_container (globals, "exec", rest[0], &host);
  if (container == NULL)
    return 255;
  if (config == NULL)
    {
      /* runc's exec without --process: the container's process as create
       * saw it (oci.json), the options over it; hcsctl's front does the
       * same over argon's gate-exec. A container without (hcs's own
       * documents) gets the runtime's defaults. */
      g_autoptr (JsonObject) info = load_oci_info (host, rest[0]);
      JsonNode *oci_process = json_object_get_member (info, "ociProcess");
      JsonNode *defaults = json_object_get_member (info, "process");

      if (oci_process != NULL || defaults != NULL)
        {
          config = exec_defaults_from_info (oci_process, defaults, &error);
          if (config == NULL)
            {
              g_autofree char *message =
                  g_strdup_printf ("the container's exec defaults (oci.json): %s",
                                   error->message);
              return exec_failed (message);
            }
          base_user = g_strdup (config->user);
        }
      else
        config = hcs_process_config_new ();
      config->command_args = g_strdupv (rest + 1);
      config->emulate_console = tty;
    }
  if (cwd != NULL)
    {
      g_free (config->working_directory);
      config->working_directory = g_strdup (cwd);
    }
  if (user != NULL)
    {
      g_free (config->user);
      config->user = hcs_gate_exec_user (base_user, user);
    }
  /* Appended, a later NAME= over an earlier one. */
  for (guint i = 0; env && env[i]; i++)
    {
      const char *equals = strchr (env[i], '=');

      if (config->environment == NULL)
        config->environment = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_replace (config->environment, g_strndup (env[i], equals - env[i]),
                            g_strdup (equals + 1));
    }
  if (caps != NULL && caps[0] != NULL)
    {
      /* Names are checked by the runtime, as those of a config.json. */
      g_strfreev (config->cap_added);
      config->cap_added = g_steal_pointer (&caps);
    }
  if (no_new_privs)
    {
      config->no_new_privileges_given = TRUE;
      config->no_new_privileges = TRUE;
    }
  /* Added to the process's own, as runc appends them. */
  if (gids != NULL)
    {
      if (config->additional_gids == NULL)
        config->additional_gids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_array_append_vals (config->additional_gids, gids->data, gids->len);
    }
  if (apparmor != NULL)
    {
      g_free (config->apparmor_profile);
      config->apparmor_profile = g_steal_pointer (&apparmor);
    }
  if (process_label != NULL)
    {
      g_free (config->selinux_label);
      config->selinux_label = g_steal_pointer (&process_label);
    }
  config->create_stdin_pipe = config->create_stdout_pipe = config->create_stderr_pipe = FALSE;
  config->detach = detach;
  /* In the foreground we wait for it ourselves: no helper in between. */
  config->reap_directly = !detach;
  if (config->emulate_console)
    {
      if (console_socket != NULL)
        config->console_socket = g_canonicalize_filename (console_socket, NULL);
      else if (detach)
        return exec_failed ("cannot allocate a tty for a detached process without "
                                         "--console-socket");
    }
  else
    config->inherit_stdio = TRUE;

  props = hcs_container_query_properties (container, &error);
  if (props == NULL)
    return exec_failed (error->message);
  /* runc's words: the process would wait in the frozen cgroup. */
  if (!ignore_paused && g_strcmp0 (props->state, "Paused") == 0)
    return exec_failed ("cannot exec in a paused container (use --ignore-paused to "
                        "override)");
  /* A guest's pid is none of the host's: the caller waits for a sentinel
   * that makes the process itself. */
  if (detach && pid_file != NULL &&
      (g_strcmp0 (props->isolation, "lcow") == 0 || g_strcmp0 (props->isolation, "hyperv") == 0))
    return exec_by_sentinel (globals, container, config, pid_file);
  if (!detach && !hcsctl_catch_signals_early (&error))
    return exec_failed (error->message);
  process = hcs_container_create_process (container, config, &error);
  if (process == NULL)
    return exec_failed (error->message);
  hcs_state_fault_point ("hcsctl-exec-spawned");
  if (pid_file != NULL && !write_pid_file (pid_file, hcs_process_get_pid (process), &error))
    return exec_failed (error->message);
  if (detach)
    return 0;
  if (!hcsctl_attach_and_wait (container, process,
                               config->emulate_console && console_socket == NULL, FALSE,
                               &exit_code, &error))
    return exec_failed (error->message);
  return exit_code;
}

/* --- update, events --------------------------------------------------------------------- */

static gboolean
parse_size (const char *text, gint64 *bytes)
{
  char *end;
  double value = g_ascii_strtod (text, &end);
  gint64 unit = 1;

  if (end == text || value < 0)
    return FALSE;
  switch (g_ascii_tolower (*end))
    {
    case 'k': unit = 1024; end++; break;
    case 'm': unit = 1024 * 1024; end++; break;
    case 'g': unit = 1024 * 1024 * 1024; end++; break;
    case '\0': break;
    default: return FALSE;
    }
  if (g_ascii_tolower (*end) == 'b')
    end++;
  if (*end != '\0')
    return FALSE;
  *bytes = (gint64) (value * unit);
  return TRUE;
}

int
hcsctl_cmd_update (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *memory = NULL, *memory_swap = NULL, *memory_reservation = NULL;
  g_autofree char *kernel_memory = NULL, *kernel_memory_tcp = NULL;
  g_autofree char *cpuset = NULL, *cpuset_mems = NULL, *resources_file = NULL;
  g_autofree char *cpu_idle = NULL, *l3_cache_schema = NULL, *mem_bw_schema = NULL;
  gint64 quota = 0, period = 0, shares = 0, pids = 0, rt_period = 0, rt_runtime = 0;
  gint64 blkio_weight = 0;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "resources", 'r', 0, G_OPTION_ARG_FILENAME, &resources_file,
      "OCI linux.resources JSON (- for stdin); the other options are then ignored", "FILE" },
    { "blkio-weight", 0, 0, G_OPTION_ARG_INT64, &blkio_weight,
      "Block IO weight (10-1000)", "N" },
    { "cpu-period", 0, 0, G_OPTION_ARG_INT64, &period, "CPU CFS period (µs)", "US" },
    { "cpu-quota", 0, 0, G_OPTION_ARG_INT64, &quota, "CPU CFS quota (µs)", "US" },
    { "cpu-share", 0, 0, G_OPTION_ARG_INT64, &shares, "CPU shares (relative weight)", "N" },
    { "cpu-shares", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &shares, NULL, NULL },
    { "cpu-rt-period", 0, 0, G_OPTION_ARG_INT64, &rt_period, "CPU realtime period (µs)", "US" },
    { "cpu-rt-runtime", 0, 0, G_OPTION_ARG_INT64, &rt_runtime, "CPU realtime runtime (µs)",
      "US" },
    { "cpuset-cpus", 0, 0, G_OPTION_ARG_STRING, &cpuset, "CPUs to use (0-3, 0,1)", "LIST" },
    { "cpuset-mems", 0, 0, G_OPTION_ARG_STRING, &cpuset_mems, "Memory nodes to use (0-3, 0,1)",
      "LIST" },
    { "cpu-idle", 0, 0, G_OPTION_ARG_STRING, &cpu_idle, "Not supported (cgroup v2 cpu.idle)",
      "N" },
    { "kernel-memory", 0, 0, G_OPTION_ARG_STRING, &kernel_memory, "Kernel memory limit",
      "SIZE" },
    { "kernel-memory-tcp", 0, 0, G_OPTION_ARG_STRING, &kernel_memory_tcp,
      "Kernel TCP buffer memory limit", "SIZE" },
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory,
      "Memory limit (bytes, or 512m, 1g; -1: none)", "SIZE" },
    { "memory-reservation", 0, 0, G_OPTION_ARG_STRING, &memory_reservation,
      "Memory soft limit", "SIZE" },
    { "memory-swap", 0, 0, G_OPTION_ARG_STRING, &memory_swap,
      "Memory plus swap limit (-1: none)", "SIZE" },
    { "pids-limit", 0, 0, G_OPTION_ARG_INT64, &pids,
      "Maximum number of processes (-1: none)", "N" },
    { "l3-cache-schema", 0, 0, G_OPTION_ARG_STRING, &l3_cache_schema,
      "Intel RDT L3 cache schema", "SCHEMA" },
    { "mem-bw-schema", 0, 0, G_OPTION_ARG_STRING, &mem_bw_schema,
      "Intel RDT memory bandwidth schema", "SCHEMA" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *resources_text = NULL, *wrapped = NULL;
  g_autoptr (HcsContainerConfig) parsed = NULL;
  HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;

  if (!parse_args ("update", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  /* What this host cannot do, in runc's words where it has them. */
  if ((l3_cache_schema != NULL || mem_bw_schema != NULL) &&
      !g_file_test ("/sys/fs/resctrl/schemata", G_FILE_TEST_EXISTS))
    return hcsctl_log_error ("update", l3_cache_schema != NULL
                                           ? "Intel RDT/CAT: l3 cache schema is not enabled"
                                           : "Intel RDT/MBA: memory bandwidth schema is not "
                                             "enabled");
  if (l3_cache_schema != NULL || mem_bw_schema != NULL)
    return hcsctl_log_error ("update", "updating a non-existent Intel RDT configuration is "
                                       "not supported");
  if (cpu_idle != NULL)
    return hcsctl_log_error ("update", "--cpu-idle: not supported (cgroup v2's cpu.idle is "
                                       "not written by this runtime)");

  if (resources_file != NULL)
    {
      /* As runc: the file replaces every other option. */
      if (g_str_equal (resources_file, "-"))
        {
          g_autoptr (GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
          g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
          if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
                                      &error) < 0)
            return hcsctl_log_error ("update", error->message);
          resources_text = g_strndup (
              g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
              g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
        }
      else if (!g_file_get_contents (resources_file, &resources_text, NULL, &error))
        return hcsctl_log_error ("update", error->message);
    }
  else
    {
      const struct {
        const char *option, *object, *member;
        const char *text;
      } sizes[] = {
        { "--memory", "memory", "limit", memory },
        { "--memory-swap", "memory", "swap", memory_swap },
        { "--memory-reservation", "memory", "reservation", memory_reservation },
        { "--kernel-memory", "memory", "kernel", kernel_memory },
        { "--kernel-memory-tcp", "memory", "kernelTCP", kernel_memory_tcp },
      };
      g_autoptr (JsonObject) resources = json_object_new ();
      JsonObject *memory_object = json_object_new (), *cpu_object = json_object_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);

      json_object_set_object_member (resources, "memory", memory_object);
      json_object_set_object_member (resources, "cpu", cpu_object);
      for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          gint64 bytes = -1;

          if (sizes[i].text == NULL)
            continue;
          if (!g_str_equal (sizes[i].text, "-1") && !parse_size (sizes[i].text, &bytes))
            {
              g_autofree char *message = g_strdup_printf (
                  "%s: expected a size such as 536870912, 512m or -1", sizes[i].option);
              return hcsctl_log_error ("update", message);
            }
          json_object_set_int_member (memory_object, sizes[i].member, bytes);
        }
      /* runc's rule: no memory limit, and no swap limit given, frees swap too. */
      if (memory != NULL && g_str_equal (memory, "-1") && memory_swap == NULL)
        json_object_set_int_member (memory_object, "swap", -1);
      /* A period or a quota alone leaves the other as it is (runc's rule:
       * each has its own file on v1; a quota alone keeps v2's period). */
      if (period != 0)
        json_object_set_int_member (cpu_object, "period", period);
      if (quota != 0)
        json_object_set_int_member (cpu_object, "quota", quota);
      if (shares != 0)
        json_object_set_int_member (cpu_object, "shares", shares);
      if (rt_period != 0)
        json_object_set_int_member (cpu_object, "realtimePeriod", rt_period);
      if (rt_runtime != 0)
        json_object_set_int_member (cpu_object, "realtimeRuntime", rt_runtime);
      if (cpuset != NULL)
        json_object_set_string_member (cpu_object, "cpus", cpuset);
      if (cpuset_mems != NULL)
        json_object_set_string_member (cpu_object, "mems", cpuset_mems);
      if (blkio_weight != 0)
        {
          JsonObject *blkio = json_object_new ();
          json_object_set_int_member (blkio, "weight", blkio_weight);
          json_object_set_object_member (resources, "blockIO", blkio);
        }
      if (pids != 0)
        {
          JsonObject *pids_object = json_object_new ();
          json_object_set_int_member (pids_object, "limit", pids);
          json_object_set_object_member (resources, "pids", pids_object);
        }
      json_node_set_object (root, resources);
      resources_text = json_to_string (root, FALSE);
    }

  /* Checked as config.json's linux.resources, before the container is opened. */
  wrapped = g_strdup_printf ("{\"ociVersion\":\"" OCI_VERSION "\",\"root\":{\"path\":\"/\"},"
                             "\"linux\":{\"resources\":%s}}", resources_text);
  parsed = hcs_container_config_from_json (wrapped, NULL, &error);
  if (parsed == NULL)
    return hcsctl_log_error ("update", error->message);
  if (parsed->oci_resources != NULL)
    {
      g_autoptr (JsonNode) node = json_from_string (parsed->oci_resources, NULL);

      /* runc's update never changes the device rules. */
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        json_object_remove_member (json_node_get_object (node), "devices");
      g_free (resources_text);
      resources_text = node ? json_to_string (node, FALSE) : NULL;
      update.oci_resources = resources_text;
    }
  /* pids.limit is the coarse PidsMaximum (<= 0: none). */
  if (parsed->pids_maximum != 0)
    update.pids_maximum = MAX (parsed->pids_maximum, 0);
  else if (pids < 0)
    update.pids_maximum = 0;

  container = open_container (globals, "update", rest[0], NULL);
  if (container == NULL)
    return 1;
  if (!hcs_container_modify (container, &update, &error))
    return hcsctl_log_error ("update", error->message);
  return 0;
}

static JsonNode *
stats_event (const char *id, const HcsStatistics *stats)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "stats");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cpu");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, stats->processor_total_runtime_100ns * 100);
  json_builder_set_member_name (builder, "user");
  json_builder_add_int_value (builder, stats->processor_runtime_user_100ns * 100);
  json_builder_set_member_name (builder, "kernel");
  json_builder_add_int_value (builder, stats->processor_runtime_kernel_100ns * 100);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "memory");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usage");
  json_builder_add_int_value (builder, stats->memory_usage_commit_bytes);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, stats->memory_usage_commit_peak_bytes);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

int
hcsctl_cmd_events (HcsctlGlobals *globals, int argc, char **argv)
{
  gboolean once = FALSE;
  g_autofree char *interval_text = NULL;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "stats", 0, 0, G_OPTION_ARG_NONE, &once, "Print the statistics once and exit", NULL },
    { "interval", 0, 0, G_OPTION_ARG_STRING, &interval_text,
      "Time between statistics (default 5s; ms, s, m)", "DURATION" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (HcsContainer) container = NULL;
  gint64 interval_ms = 5000;

  if (!parse_args ("events", "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  if (interval_text != NULL)
    {
      char *end;
      double value = g_ascii_strtod (interval_text, &end);
      double scale = g_str_equal (end, "ms") ? 1 : g_str_equal (end, "s") || *end == '\0' ? 1000
                     : g_str_equal (end, "m")                                             ? 60000
                                                                                          : -1;
      if (end == interval_text || value <= 0 || scale < 0)
        return hcsctl_log_error ("events", "--interval: expected a duration such as 5s or 500ms");
      interval_ms = MAX ((gint64) (value * scale), 1);
    }
  container = open_container (globals, "events", rest[0], NULL);
  if (container == NULL)
    return 1;
  for (gint64 next_stats = 0, oom_kills = -1;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HcsStatistics) stats = hcs_container_get_statistics (container, &error);
      gint64 now = g_get_monotonic_time () / 1000;

      if (stats == NULL)
        {
          if (hcs_error_is_already_stopped (error) && !once)
            return 0;
          return hcsctl_log_error ("events", error->message);
        }
      /* runc's "oom" event, once per kill the counter shows since we began. */
      for (gint64 i = oom_kills; i >= 0 && i < (gint64) stats->memory_oom_kill_count; i++)
        {
          g_autoptr (JsonNode) oom = json_from_string ("{\"type\":\"oom\"}", NULL);
          json_object_set_string_member (json_node_get_object (oom), "id", rest[0]);
          print_json (oom, FALSE);
        }
      oom_kills = stats->memory_oom_kill_count;
      if (now >= next_stats)
        {
          g_autoptr (JsonNode) event = stats_event (rest[0], stats);
          print_json (event, FALSE);
          next_stats = now + interval_ms;
        }
      fflush (stdout); /* each event as it comes, for a reader on a pipe */
      if (once)
        return 0;
      /* Ends when the container does: a wait that times out is the tick,
       * short enough for an oom to be told soon after it happened. */
      if (hcs_container_wait_timeout (container, MIN (interval_ms, 250), NULL, NULL))
        return 0;
    }
}

/* --- spec, features --------------------------------------------------------------------- */

static const char default_spec[] =
  "{\n"
  "  \"ociVersion\": \"" OCI_VERSION "\",\n"
  "  \"process\": {\n"
  "    \"terminal\": true,\n"
  "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
  "    \"args\": [ \"sh\" ],\n"
  "    \"env\": [\n"
  "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
  "      \"TERM=xterm\"\n"
  "    ],\n"
  "    \"cwd\": \"/\",\n"
  "    \"noNewPrivileges\": true\n"
  "  },\n"
  "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
  "  \"hostname\": \"hcs\",\n"
  "  \"mounts\": [\n"
  "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
  "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
  "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\" ] },\n"
  "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
  "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
  "  ],\n"
  "  \"linux\": {\n"
  "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
  "    \"namespaces\": [\n"
  "      { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
  "      { \"type\": \"uts\" }, { \"type\": \"mount\" }\n"
  "    ],\n"
  "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
  "      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
  "      \"/proc/scsi\" ],\n"
  "    \"readonlyPaths\": [ \"/proc/asound\", \"/proc/bus\", \"/proc/fs\", \"/proc/irq\",\n"
  "      \"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
  "  }\n"
  "}\n";

int
hcsctl_cmd_spec (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *bundle = NULL;
  gboolean rootless = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &bundle, "Where to write config.json", "DIR" },
    { "rootless", 0, 0, G_OPTION_ARG_NONE, &rootless, "Not supported: hcs runs as root", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  if (!parse_args ("spec", "", entries, &argc, &argv, &rest, 0, 0))
    return 1;
  if (rootless)
    return hcsctl_log_error ("spec", "--rootless: hcs runs containers as root only");
  path = g_build_filename (bundle ? bundle : ".", "config.json", NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf ("File %s exists. Remove it first", path);
      return hcsctl_log_error ("spec", message);
    }
  if (!g_file_set_contents_full (path, default_spec, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0666,
                                 &error))
    return hcsctl_log_error ("spec", error->message);
  return 0;
}

int
hcsctl_cmd_features (HcsctlGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  if (!parse_args ("features", "", entries, &argc, &argv, &rest, 0, 0))
    return 1;
  g_print ("{\n"
           "  \"ociVersionMin\": \"1.0.0\",\n"
           "  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
           "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", "
           "\"startContainer\", \"poststart\", \"poststop\"],\n"
           "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\", \"nosuid\", \"suid\", "
           "\"nodev\", \"dev\", \"noexec\", \"exec\", \"relatime\", \"norelatime\", "
           "\"strictatime\", \"noatime\", \"private\", \"rprivate\", \"slave\", \"rslave\", "
           "\"shared\", \"rshared\"],\n"
           "  \"linux\": {\n"
           "    \"namespaces\": [\"mount\", \"pid\", \"network\", \"ipc\", \"uts\", \"cgroup\", "
           "\"time\", \"user\"],\n"
           "    \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FSETID\", "
           "\"CAP_FOWNER\", \"CAP_MKNOD\", \"CAP_NET_RAW\", \"CAP_SETGID\", \"CAP_SETUID\", "
           "\"CAP_SETFCAP\", \"CAP_SETPCAP\", \"CAP_NET_BIND_SERVICE\", \"CAP_SYS_CHROOT\", "
           "\"CAP_KILL\", \"CAP_AUDIT_WRITE\"],\n"
           "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": false, "
           "\"systemdUser\": false },\n"
           "    \"seccomp\": { \"enabled\": true, \"actions\": [\"SCMP_ACT_ALLOW\", "
           "\"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", "
           "\"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_TRACE\", "
           "\"SCMP_ACT_TRAP\"] },\n"
           "    \"apparmor\": { \"enabled\": false },\n"
           "    \"selinux\": { \"enabled\": false }\n"
           "  },\n"
           "  \"annotations\": { \"io.github.hcs.version\": \"%s\" }\n"
           "}\n",
           HCS_VERSION);
  return 0;
}

/* --- checkpoint, restore ------------------------------------------------------------ */

/* runc's checkpoint and restore options, accepted so that the refusal is
 * what a caller reads, whatever it passed. */
static int
refuse_criu (const char *verb, int argc, char **argv)
{
  g_autofree char *image_path = NULL, *work_path = NULL, *parent_path = NULL;
  g_autofree char *page_server = NULL, *manage_cgroups_mode = NULL, *status_fd = NULL;
  g_autofree char *bundle = NULL, *pid_file = NULL, *console_socket = NULL;
  g_autofree char *lsm_profile = NULL, *lsm_mount_context = NULL;
  g_auto (GStrv) empty_ns = NULL, rest = NULL;
  gboolean flag = FALSE;
  GOptionEntry entries[] = {
    { "image-path", 0, 0, G_OPTION_ARG_FILENAME, &image_path, "Accepted", "PATH" },
    { "work-path", 0, 0, G_OPTION_ARG_FILENAME, &work_path, "Accepted", "PATH" },
    { "parent-path", 0, 0, G_OPTION_ARG_FILENAME, &parent_path, "Accepted", "PATH" },
    { "leave-running", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "tcp-established", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "ext-unix-sk", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "shell-job", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "lazy-pages", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "file-locks", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "pre-dump", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "auto-dedup", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "no-subreaper", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "no-pivot", 0, 0, G_OPTION_ARG_NONE, &flag, "Accepted", NULL },
    { "status-fd", 0, 0, G_OPTION_ARG_STRING, &status_fd, "Accepted", "FD" },
    { "page-server", 0, 0, G_OPTION_ARG_STRING, &page_server, "Accepted", "ADDRESS" },
    { "manage-cgroups-mode", 0, 0, G_OPTION_ARG_STRING, &manage_cgroups_mode, "Accepted",
      "MODE" },
    { "empty-ns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &empty_ns, "Accepted", "NS" },
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &bundle, "Accepted", "DIR" },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &pid_file, "Accepted", "FILE" },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &console_socket, "Accepted", "PATH" },
    { "lsm-profile", 0, 0, G_OPTION_ARG_STRING, &lsm_profile, "Accepted", "PROFILE" },
    { "lsm-mount-context", 0, 0, G_OPTION_ARG_STRING, &lsm_mount_context, "Accepted",
      "CONTEXT" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autofree char *message = NULL;

  if (!parse_args (verb, "CONTAINER-ID", entries, &argc, &argv, &rest, 1, 1))
    return 1;
  message = g_strdup_printf ("not supported: hcs does not %s containers (no CRIU)", verb);
  return hcsctl_log_error (verb, message);
}

int
hcsctl_cmd_checkpoint (HcsctlGlobals *globals, int argc, char **argv)
{
  return refuse_criu ("checkpoint", argc, argv);
}

int
hcsctl_cmd_restore (HcsctlGlobals *globals, int argc, char **argv)
{
  return refuse_criu ("restore", argc, argv);
}
