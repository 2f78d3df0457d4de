/* hcs-runtime-oci-spec.c: config.json to the helper's spec without
 * libhcs (hcs-runtime-oci-spec.h). Each step names the full path's code it
 * stands for; where that code applies a default or refuses a value, this
 * one applies the same default or declines.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-oci-spec.h"
#include "hcs-runtime-oci.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  HcsRuntimeSpec *spec;
  char *declined;
} Translation;

/* Records why the config goes to the full path; the first reason stays. */
G_GNUC_PRINTF (2, 3) static gboolean
decline (Translation *t, const char *format, ...)
{
  va_list args;

  if (t->declined == NULL)
    {
      va_start (args, format);
      t->declined = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return FALSE;
}

/* "process" + "user" -> "process.user"; the root's members have no prefix. */
static char *
member_path (const char *parent, const char *name)
{
  return *parent ? g_strdup_printf ("%s.%s", parent, name) : g_strdup (name);
}

/* @node must be an object whose members are all in @allowed. A null value
 * is declined too: the full path reads some as absent and checks others.
 * Called for every object of the config: the path is made only to decline. */
static gboolean
check_members (Translation *t, const HcsJsonNode *node, const char *path,
               const char *const *allowed)
{
  if (hcs_json_node_get_type (node) != HCS_JSON_OBJECT)
    return decline (t, "%s: expected an object, got %s", *path ? path : "config.json",
                    hcs_json_type_describe (hcs_json_node_get_type (node)));
  for (guint i = 0; i < hcs_json_node_get_length (node); i++)
    {
      const char *name = hcs_json_object_get_name (node, i);
      const char *why = NULL;

      if (!g_strv_contains (allowed, name))
        why = "not translated here";
      else if (hcs_json_node_get_type (hcs_json_object_get_value (node, i)) == HCS_JSON_NULL)
        why = "null";
      if (why != NULL)
        {
          g_autofree char *where = member_path (path, name);
          return decline (t, "%s: %s", where, why);
        }
    }
  return TRUE;
}

static gboolean
expect_type (Translation *t, const HcsJsonNode *node, HcsJsonType type, const char *path,
             const char *name)
{
  if (hcs_json_node_get_type (node) == type)
    return TRUE;
  return decline (t, "%s%s%s: expected %s, got %s", path, *path ? "." : "", name,
                  hcs_json_type_describe (type),
                  hcs_json_type_describe (hcs_json_node_get_type (node)));
}

/* The getters below leave *out alone when the member is absent. */
static gboolean
get_string (Translation *t, const HcsJsonNode *object, const char *path, const char *name,
            const char **out)
{
  const HcsJsonNode *node = hcs_json_object_lookup (object, name);

  if (node == NULL)
    return TRUE;
  if (!expect_type (t, node, HCS_JSON_STRING, path, name))
    return FALSE;
  *out = hcs_json_node_get_string (node);
  return TRUE;
}

static gboolean
get_boolean (Translation *t, const HcsJsonNode *object, const char *path, const char *name,
             gboolean *out)
{
  const HcsJsonNode *node = hcs_json_object_lookup (object, name);

  if (node == NULL)
    return TRUE;
  if (!expect_type (t, node, HCS_JSON_BOOLEAN, path, name))
    return FALSE;
  *out = hcs_json_node_get_boolean (node);
  return TRUE;
}

/* An integer in [min, max]. The full path also takes a double without a
 * fraction ("uid": 0.0); that rare spelling is declined. */
static gboolean
get_integer (Translation *t, const HcsJsonNode *object, const char *path, const char *name,
             gint64 min, gint64 max, gint64 *out)
{
  const HcsJsonNode *node = hcs_json_object_lookup (object, name);
  gint64 value;

  if (node == NULL)
    return TRUE;
  if (!expect_type (t, node, HCS_JSON_INTEGER, path, name))
    return FALSE;
  value = hcs_json_node_get_integer (node);
  if (value < min || value > max)
    return decline (t, "%s.%s: %" G_GINT64_FORMAT " is out of range", path, name, value);
  *out = value;
  return TRUE;
}

/* An array of strings, as read_strv makes it: [] is an empty list, not NULL. */
static gboolean
get_strv (Translation *t, const HcsJsonNode *object, const char *path, const char *name,
          GStrv *out)
{
  const HcsJsonNode *node = hcs_json_object_lookup (object, name);
  g_autoptr (GStrvBuilder) builder = NULL;

  if (node == NULL)
    return TRUE;
  if (!expect_type (t, node, HCS_JSON_ARRAY, path, name))
    return FALSE;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < hcs_json_node_get_length (node); i++)
    {
      const HcsJsonNode *element = hcs_json_array_get_element (node, i);

      if (hcs_json_node_get_type (element) != HCS_JSON_STRING)
        return decline (t, "%s.%s[%u]: expected a string, got %s", path, name, i,
                        hcs_json_type_describe (hcs_json_node_get_type (element)));
      g_strv_builder_add (builder, hcs_json_node_get_string (element));
    }
  g_strfreev (*out);
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* --- top level ----------------------------------------------------------------- */

/* As check_oci_version's expression, ^1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)
 * ([-+][0-9A-Za-z.+-]+)?$, without compiling a GRegex at each create. Its
 * "$" also takes a version ending in a newline, which this declines. */
static gboolean
skip_version_number (const char **p)
{
  if (**p == '0')
    {
      (*p)++;
      return TRUE;
    }
  if (**p < '1' || **p > '9')
    return FALSE;
  while (g_ascii_isdigit (**p))
    (*p)++;
  return TRUE;
}

static gboolean
is_oci_version (const char *version)
{
  const char *p = version;

  if (p[0] != '1' || p[1] != '.')
    return FALSE;
  p += 2;
  if (!skip_version_number (&p) || *p++ != '.' || !skip_version_number (&p))
    return FALSE;
  if (*p == '\0')
    return TRUE;
  if ((*p != '-' && *p != '+') || p[1] == '\0')
    return FALSE;
  for (p++; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '+' && *p != '-')
      return FALSE;
  return TRUE;
}

/* check_name's rule for hostname and domainname. */
static gboolean
check_name (Translation *t, const char *field, const char *value)
{
  if (value == NULL || (*value != '\0' && strlen (value) <= 64 && strchr (value, '/') == NULL))
    return TRUE;
  return decline (t, "%s: '%s' must be 1 to 64 characters without '/'", field, value);
}

/* parse_oci's root, then set_root's check of the directory. */
static gboolean
set_root (Translation *t, const HcsJsonNode *config, const char *bundle_dir)
{
  static const char *const allowed[] = { "path", "readonly", NULL };
  const HcsJsonNode *root = hcs_json_object_lookup (config, "root");
  const char *path = NULL;
  g_autofree char *absolute = NULL;

  if (root == NULL)
    return decline (t, "root: missing");
  if (!check_members (t, root, "root", allowed) || !get_string (t, root, "root", "path", &path) ||
      !get_boolean (t, root, "root", "readonly", &t->spec->rootfs_readonly))
    return FALSE;
  if (path == NULL)
    return decline (t, "root.path: missing");
  if (g_path_is_absolute (path))
    absolute = g_strdup (path);
  else
    {
      g_autofree char *base = bundle_dir ? g_strdup (bundle_dir) : g_get_current_dir ();
      absolute = g_canonicalize_filename (path, base);
    }
  if (!g_file_test (absolute, G_FILE_TEST_IS_DIR))
    return decline (t, "root.path: '%s' is not a directory", absolute);
  t->spec->rootfs = g_steal_pointer (&absolute);
  return TRUE;
}

/* --- mounts -------------------------------------------------------------------- */

/* parse_oci_mount and add_mounts, one mount. */
static gboolean
add_mount (Translation *t, const HcsJsonNode *entry, guint index)
{
  static const char *const allowed[] = { "destination", "type", "source", "options", NULL };
  g_autofree char *path = g_strdup_printf ("mounts[%u]", index);
  const char *destination = NULL, *type = "bind", *source = NULL;
  g_auto (GStrv) options = NULL;
  g_auto (HcsRuntimeMountOptions) parsed = { 0 };
  g_autoptr (GError) error = NULL;
  HcsRuntimeMount *made;

  if (!check_members (t, entry, path, allowed) ||
      !get_string (t, entry, path, "destination", &destination) ||
      !get_string (t, entry, path, "type", &type) ||
      !get_string (t, entry, path, "source", &source) ||
      !get_strv (t, entry, path, "options", &options))
    return FALSE;
  if (destination == NULL || !g_path_is_absolute (destination))
    return decline (t, "%s.destination: an absolute path is needed", path);
  if (!hcs_runtime_mount_options_parse ((const char *const *) options, type, &parsed, &error))
    return decline (t, "%s.options: %s", path, error->message);
  made = hcs_runtime_mount_new_for_oci (destination, type, source,
                                        (const char *const *) options);
  if (made != NULL)
    g_ptr_array_add (t->spec->mounts, made);
  return TRUE;
}

static gboolean
add_mounts (Translation *t, const HcsJsonNode *config)
{
  const HcsJsonNode *mounts = hcs_json_object_lookup (config, "mounts");

  if (mounts == NULL)
    return TRUE;
  if (!expect_type (t, mounts, HCS_JSON_ARRAY, "", "mounts"))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (mounts); i++)
    if (!add_mount (t, hcs_json_array_get_element (mounts, i), i))
      return FALSE;
  return TRUE;
}

/* --- process ------------------------------------------------------------------- */

/* Of two entries of a GPtrArray or a GStrv, by their text. */
static int
compare_entries (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* parse_oci_process's env into a table (a name given twice keeps its last
 * value), then hcs_process_config_get_envp (sorted) and
 * hcs_runtime_spec_set_process (the runtime's defaults). */
static gboolean
set_env (Translation *t, HcsRuntimeProcess *process, const HcsJsonNode *object)
{
  g_auto (GStrv) env = NULL;
  g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  GHashTableIter iter;
  gpointer name, value;

  if (!get_strv (t, object, "process", "env", &env))
    return FALSE;
  for (guint i = 0; env && env[i]; i++)
    {
      const char *equals = strchr (env[i], '=');

      if (equals == NULL || equals == env[i])
        return decline (t, "process.env[%u]: '%s' is not NAME=VALUE", i, env[i]);
      g_hash_table_replace (table, g_strndup (env[i], equals - env[i]), g_strdup (equals + 1));
    }
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_ptr_array_add (entries, g_strdup_printf ("%s=%s", (char *) name, (char *) value));
  g_ptr_array_sort (entries, compare_entries);
  process->env = hcs_runtime_env_with_defaults ((const char *const *) entries->pdata, FALSE);
  return TRUE;
}

/* parse_oci_process's user, and parse_oci_user_extra. */
static gboolean
set_user (Translation *t, HcsRuntimeProcess *process, const HcsJsonNode *object)
{
  static const char *const allowed[] = { "uid", "gid", "additionalGids", "umask", NULL };
  const char *path = "process.user";
  const HcsJsonNode *user = hcs_json_object_lookup (object, "user");
  const HcsJsonNode *gids;
  gint64 uid = 0, gid = 0, umask = -1;

  if (user == NULL)
    {
      process->user = g_strdup ("0:0");
      return TRUE;
    }
  if (!check_members (t, user, path, allowed) ||
      !get_integer (t, user, path, "uid", 0, G_MAXUINT32 - 1, &uid) ||
      !get_integer (t, user, path, "gid", 0, G_MAXUINT32 - 1, &gid) ||
      !get_integer (t, user, path, "umask", 0, 0777, &umask))
    return FALSE;
  process->user = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, uid, gid);
  process->umask = umask;

  gids = hcs_json_object_lookup (user, "additionalGids");
  if (gids == NULL)
    return TRUE;
  if (!expect_type (t, gids, HCS_JSON_ARRAY, path, "additionalGids"))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (gids); i++)
    {
      const HcsJsonNode *element = hcs_json_array_get_element (gids, i);
      guint32 value;

      if (hcs_json_node_get_type (element) != HCS_JSON_INTEGER ||
          hcs_json_node_get_integer (element) < 0 ||
          hcs_json_node_get_integer (element) >= G_MAXUINT32)
        return decline (t, "%s.additionalGids[%u]: not a gid", path, i);
      value = (guint32) hcs_json_node_get_integer (element);
      if (process->additional_gids == NULL)
        process->additional_gids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_array_append_val (process->additional_gids, value);
    }
  return TRUE;
}

/* One capability set of known names, as set_oci_process keeps it (each
 * name once); absent: empty. */
static gboolean
get_capability_set (Translation *t, const HcsJsonNode *sets, const char *name, GStrv *out)
{
  g_auto (GStrv) given = NULL;

  if (!get_strv (t, sets, "process.capabilities", name, &given))
    return FALSE;
  for (guint i = 0; given && given[i]; i++)
    if (hcs_runtime_capability_from_name (given[i]) < 0)
      return decline (t, "process.capabilities.%s[%u]: unknown capability '%s'", name, i,
                      given[i]);
  *out = hcs_runtime_capabilities_union ((const char *const *) given, NULL);
  return TRUE;
}

static gboolean
set_capabilities (Translation *t, HcsRuntimeProcess *process, const HcsJsonNode *object)
{
  static const char *const allowed[] = { "bounding", "effective", "permitted", "inheritable",
                                         "ambient", NULL };
  const HcsJsonNode *sets = hcs_json_object_lookup (object, "capabilities");

  if (sets == NULL)
    return TRUE;
  process->capabilities_given = TRUE;
  return check_members (t, sets, "process.capabilities", allowed) &&
         get_capability_set (t, sets, "bounding", &process->cap_bounding) &&
         get_capability_set (t, sets, "effective", &process->cap_effective) &&
         get_capability_set (t, sets, "permitted", &process->cap_permitted) &&
         get_capability_set (t, sets, "inheritable", &process->cap_inheritable) &&
         get_capability_set (t, sets, "ambient", &process->cap_ambient);
}

/* read_uint64 of an integer: its 64 bits as they are (-1 is RLIM_INFINITY
 * there too). The doubles it also reads are declined. */
static gboolean
get_rlimit_value (Translation *t, const HcsJsonNode *entry, const char *path, const char *name,
                  guint64 *out)
{
  const HcsJsonNode *node = hcs_json_object_lookup (entry, name);

  if (node == NULL)
    return decline (t, "%s.%s: missing", path, name);
  if (!expect_type (t, node, HCS_JSON_INTEGER, path, name))
    return FALSE;
  *out = (guint64) hcs_json_node_get_integer (node);
  return TRUE;
}

/* parse_oci_rlimit, and set_oci_process's check of the name. */
static gboolean
set_rlimits (Translation *t, HcsRuntimeProcess *process, const HcsJsonNode *object)
{
  static const char *const allowed[] = { "type", "soft", "hard", NULL };
  const HcsJsonNode *rlimits = hcs_json_object_lookup (object, "rlimits");

  if (rlimits == NULL)
    return TRUE;
  if (!expect_type (t, rlimits, HCS_JSON_ARRAY, "process", "rlimits"))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (rlimits); i++)
    {
      const HcsJsonNode *entry = hcs_json_array_get_element (rlimits, i);
      g_autofree char *path = g_strdup_printf ("process.rlimits[%u]", i);
      const char *type = NULL;
      HcsRuntimeRlimit rlimit = { 0 };

      if (!check_members (t, entry, path, allowed) || !get_string (t, entry, path, "type", &type))
        return FALSE;
      if (type == NULL || !g_str_has_prefix (type, "RLIMIT_") ||
          hcs_runtime_rlimit_from_name (type) < 0)
        return decline (t, "%s.type: unknown resource '%s'", path, type ? type : "");
      if (!get_rlimit_value (t, entry, path, "soft", &rlimit.soft) ||
          !get_rlimit_value (t, entry, path, "hard", &rlimit.hard))
        return FALSE;
      if (rlimit.soft > rlimit.hard)
        return decline (t, "%s: soft is above hard", path);
      if (process->rlimits == NULL)
        {
          process->rlimits = g_array_new (FALSE, TRUE, sizeof (HcsRuntimeRlimit));
          g_array_set_clear_func (process->rlimits, hcs_runtime_rlimit_clear);
        }
      for (guint j = 0; j < process->rlimits->len; j++)
        if (g_str_equal (g_array_index (process->rlimits, HcsRuntimeRlimit, j).type, type))
          return decline (t, "%s: %s is given twice", path, type);
      rlimit.type = g_strdup (type);
      g_array_append_val (process->rlimits, rlimit);
    }
  return TRUE;
}

/* parse_oci_process and parse_oci_process_extra, then
 * hcs_runtime_spec_set_process, for a process without a terminal. */
static gboolean
set_process (Translation *t, const HcsJsonNode *config)
{
  static const char *const allowed[] = { "terminal", "consoleSize", "user", "args", "env",
                                         "cwd", "capabilities", "rlimits", "noNewPrivileges",
                                         "oomScoreAdj", NULL };
  static const char *const console_allowed[] = { "height", "width", NULL };
  const HcsJsonNode *object = hcs_json_object_lookup (config, "process");
  const HcsJsonNode *console;
  g_autoptr (HcsRuntimeProcess) process = hcs_runtime_process_new ();
  gboolean terminal = FALSE;
  const char *cwd = NULL;
  gint64 oom_score_adj = G_MININT64, size = 0;

  /* hcsctl's create: an OCI container needs one. */
  if (object == NULL)
    return decline (t, "process: missing");
  if (!check_members (t, object, "process", allowed) ||
      !get_boolean (t, object, "process", "terminal", &terminal))
    return FALSE;
  /* A pty made inside, its master sent to --console-socket. */
  if (terminal)
    return decline (t, "process.terminal: true (a console) is not translated here");
  console = hcs_json_object_lookup (object, "consoleSize");
  if (console != NULL &&
      (!check_members (t, console, "process.consoleSize", console_allowed) ||
       !get_integer (t, console, "process.consoleSize", "height", 0, G_MAXUINT16, &size) ||
       !get_integer (t, console, "process.consoleSize", "width", 0, G_MAXUINT16, &size)))
    return FALSE;

  if (!get_strv (t, object, "process", "args", &process->args))
    return FALSE;
  if (process->args == NULL || process->args[0] == NULL)
    return decline (t, "process.args: must not be empty");
  if (!set_env (t, process, object) || !get_string (t, object, "process", "cwd", &cwd))
    return FALSE;
  process->cwd = g_strdup (cwd && *cwd ? cwd : "/");
  if (!set_user (t, process, object) || !set_capabilities (t, process, object) ||
      !set_rlimits (t, process, object))
    return FALSE;
  /* OCI: absent is false (the runtime's own default is true). */
  process->no_new_privileges = FALSE;
  if (!get_boolean (t, object, "process", "noNewPrivileges", &process->no_new_privileges) ||
      !get_integer (t, object, "process", "oomScoreAdj", -1000, 1000, &oom_score_adj))
    return FALSE;
  if (oom_score_adj != G_MININT64)
    {
      process->has_oom_score_adj = TRUE;
      process->oom_score_adj = oom_score_adj;
    }
  t->spec->process = g_steal_pointer (&process);
  return TRUE;
}

/* --- linux --------------------------------------------------------------------- */

typedef enum {
  NAMESPACE_NEW,
  NAMESPACE_HOST,
  NAMESPACE_JOIN,
} NamespaceMode;

/* parse_oci_namespaces's types, in its order. */
enum {
  NS_NETWORK, NS_UTS, NS_IPC, NS_PID, NS_CGROUP, NS_TIME, NS_USER, NS_MOUNT, NS_COUNT
};
static const char *const namespace_types[] = { "network", "uts", "ipc", "pid",
                                               "cgroup", "time", "user", "mount", NULL };

typedef struct {
  NamespaceMode mode[NS_COUNT];
  const char *path[NS_COUNT];
} Namespaces;

static char *
namespace_value (const Namespaces *namespaces, guint type)
{
  switch (namespaces->mode[type])
    {
    case NAMESPACE_HOST:
      return g_strdup ("host");
    case NAMESPACE_JOIN:
      return g_strdup (namespaces->path[type]);
    case NAMESPACE_NEW:
    default:
      return g_strdup ("new");
    }
}

/* parse_oci_namespaces: a type absent is the host's, one given is new or
 * joined by its path. A new user namespace needs id mappings, which are
 * declined. */
static gboolean
read_namespaces (Translation *t, const HcsJsonNode *linux_object, Namespaces *namespaces)
{
  static const char *const allowed[] = { "type", "path", NULL };
  const HcsJsonNode *array = hcs_json_object_lookup (linux_object, "namespaces");
  guint seen = 0;

  for (guint type = 0; type < NS_COUNT; type++)
    namespaces->mode[type] = NAMESPACE_HOST;
  if (array == NULL)
    return TRUE;
  if (!expect_type (t, array, HCS_JSON_ARRAY, "linux", "namespaces"))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (array); i++)
    {
      const HcsJsonNode *entry = hcs_json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("linux.namespaces[%u]", i);
      const char *type_name = NULL, *join = NULL;
      guint type;

      if (!check_members (t, entry, path, allowed) ||
          !get_string (t, entry, path, "type", &type_name) ||
          !get_string (t, entry, path, "path", &join))
        return FALSE;
      for (type = 0; namespace_types[type] && g_strcmp0 (type_name, namespace_types[type]) != 0;
           type++)
        ;
      if (namespace_types[type] == NULL)
        return decline (t, "%s.type: unknown namespace type '%s'", path,
                        type_name ? type_name : "");
      if (seen & (1u << type))
        return decline (t, "%s.type: the %s namespace is given twice", path, type_name);
      seen |= 1u << type;
      if (type == NS_USER)
        return decline (t, "%s: a user namespace (and its id mappings) is not translated here",
                        path);
      if (join != NULL && *join != '\0')
        {
          if (!g_path_is_absolute (join))
            return decline (t, "%s.path: '%s' is not an absolute path", path, join);
          namespaces->mode[type] = NAMESPACE_JOIN;
          namespaces->path[type] = join;
        }
      else
        namespaces->mode[type] = NAMESPACE_NEW;
    }
  return TRUE;
}

/* hcs_runtime_spec_new_for_container's net, uts and ipc, then
 * set_oci_namespaces. */
static void
set_namespaces (HcsRuntimeSpec *spec, const Namespaces *namespaces)
{
  g_free (spec->net);
  spec->net = namespace_value (namespaces, NS_NETWORK);
  g_free (spec->uts);
  spec->uts = namespace_value (namespaces, NS_UTS);
  g_free (spec->ipc);
  spec->ipc = namespace_value (namespaces, NS_IPC);
  g_free (spec->pid_ns);
  spec->pid_ns = namespace_value (namespaces, NS_PID);
  if (namespaces->mode[NS_CGROUP] != NAMESPACE_HOST)
    spec->cgroup_ns = namespace_value (namespaces, NS_CGROUP);
  if (namespaces->mode[NS_TIME] != NAMESPACE_HOST)
    spec->time_ns = namespace_value (namespaces, NS_TIME);
  if (namespaces->mode[NS_MOUNT] != NAMESPACE_NEW)
    spec->mnt_ns = namespace_value (namespaces, NS_MOUNT);
}

/* hcs_runtime_oci_resources_check's rules for linux.resources.devices,
 * on cgroup v1 and v2 alike (v2 refuses an allow rule only when applied,
 * as the full path does). */
static gboolean
check_device_rules (Translation *t, const HcsJsonNode *rules)
{
  static const char *const allowed[] = { "allow", "type", "major", "minor", "access", NULL };

  if (!expect_type (t, rules, HCS_JSON_ARRAY, "linux.resources", "devices"))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (rules); i++)
    {
      const HcsJsonNode *rule = hcs_json_array_get_element (rules, i);
      g_autofree char *path = g_strdup_printf ("linux.resources.devices[%u]", i);
      const char *type = "a", *access = "rwm";
      gboolean allow = FALSE;
      gint64 number = 0;

      if (!check_members (t, rule, path, allowed) ||
          !get_boolean (t, rule, path, "allow", &allow) ||
          !get_string (t, rule, path, "type", &type) ||
          !get_string (t, rule, path, "access", &access) ||
          !get_integer (t, rule, path, "major", -1, G_MAXINT64, &number) ||
          !get_integer (t, rule, path, "minor", -1, G_MAXINT64, &number))
        return FALSE;
      if (!g_str_equal (type, "a") && !g_str_equal (type, "b") && !g_str_equal (type, "c"))
        return decline (t, "%s.type: must be a, b or c", path);
      if (*access == '\0' || strspn (access, "rwm") != strlen (access))
        return decline (t, "%s.access: must be made of r, w and m", path);
    }
  return TRUE;
}

/* linux.resources with devices alone: the full path keeps it as text for
 * the host to apply (spec->oci_resources), compact as json-glib writes it. */
static gboolean
set_resources (Translation *t, const HcsJsonNode *linux_object)
{
  static const char *const allowed[] = { "devices", NULL };
  const HcsJsonNode *resources = hcs_json_object_lookup (linux_object, "resources");
  const HcsJsonNode *rules;
  g_autoptr (GString) text = NULL;

  if (resources == NULL)
    return TRUE;
  if (!check_members (t, resources, "linux.resources", allowed))
    return FALSE;
  rules = hcs_json_object_lookup (resources, "devices");
  if (rules != NULL && !check_device_rules (t, rules))
    return FALSE;
  text = g_string_new (NULL);
  hcs_json_node_append_text (resources, text);
  t->spec->oci_resources = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* linux.cgroupsPath places the cgroup, the caller's to make: taken when
 * hcs_runtime_cgroup_split_path surely takes it without reading the host
 * (absolute, no '.', '..', ':' or newline, not the root). */
static gboolean
check_cgroups_path (Translation *t, const HcsJsonNode *linux_object)
{
  const char *cgroups_path = NULL;
  g_auto (GStrv) parts = NULL;
  gboolean named = FALSE;

  if (!get_string (t, linux_object, "linux", "cgroupsPath", &cgroups_path))
    return FALSE;
  if (cgroups_path == NULL || *cgroups_path == '\0')
    return TRUE;
  if (*cgroups_path != '/')
    return decline (t, "linux.cgroupsPath: '%s': only an absolute path is translated here",
                    cgroups_path);
  parts = g_strsplit (cgroups_path, "/", -1);
  for (guint i = 0; parts[i]; i++)
    {
      if (g_str_equal (parts[i], "..") || g_str_equal (parts[i], ".") ||
          strpbrk (parts[i], "\n:") != NULL)
        return decline (t, "linux.cgroupsPath: '%s': '.', '..', ':' and newlines are refused",
                        cgroups_path);
      named |= *parts[i] != '\0';
    }
  if (!named)
    return decline (t, "linux.cgroupsPath: '%s' is the cgroup root", cgroups_path);
  return TRUE;
}

/* parse_oci_linux_filesystem's maskedPaths and readonlyPaths. */
static gboolean
get_absolute_paths (Translation *t, const HcsJsonNode *linux_object, const char *name, GStrv *out)
{
  if (!get_strv (t, linux_object, "linux", name, out))
    return FALSE;
  for (guint i = 0; *out && (*out)[i]; i++)
    if (!g_path_is_absolute ((*out)[i]))
      return decline (t, "linux.%s[%u]: '%s' is not an absolute path", name, i, (*out)[i]);
  return TRUE;
}

static gboolean
set_linux (Translation *t, const HcsJsonNode *config)
{
  static const char *const allowed[] = { "namespaces", "maskedPaths", "readonlyPaths",
                                         "resources", "cgroupsPath", NULL };
  const HcsJsonNode *linux_object = hcs_json_object_lookup (config, "linux");
  Namespaces namespaces = { { 0 } };

  /* Without "linux" every namespace stays the spec's default: new ones,
   * but cgroup, time and user (parse_oci). */
  if (linux_object == NULL)
    return TRUE;
  if (!check_members (t, linux_object, "linux", allowed) ||
      !read_namespaces (t, linux_object, &namespaces) ||
      !get_absolute_paths (t, linux_object, "maskedPaths", &t->spec->masked_paths) ||
      !get_absolute_paths (t, linux_object, "readonlyPaths", &t->spec->readonly_paths) ||
      !set_resources (t, linux_object) || !check_cgroups_path (t, linux_object))
    return FALSE;
  set_namespaces (t->spec, &namespaces);
  return TRUE;
}

/* --- the rest of the root -------------------------------------------------------- */

/* Annotations reach no spec without hooks (which are declined); hcs's own
 * choose the isolation and the root (hcsctl's isolation_from_annotations). */
static gboolean
check_annotations (Translation *t, const HcsJsonNode *config)
{
  const HcsJsonNode *annotations = hcs_json_object_lookup (config, "annotations");

  if (annotations == NULL)
    return TRUE;
  if (!expect_type (t, annotations, HCS_JSON_OBJECT, "", "annotations"))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (annotations); i++)
    {
      const char *name = hcs_json_object_get_name (annotations, i);

      if (g_str_has_prefix (name, "io.hcs."))
        return decline (t, "annotations.%s: hcs's own annotations are not translated here",
                        name);
      if (!expect_type (t, hcs_json_object_get_value (annotations, i), HCS_JSON_STRING,
                        "annotations", name))
        return FALSE;
    }
  return TRUE;
}

/* Hooks are not translated, but an empty list of each kind (what some
 * generators write) makes none: set_hooks adds nothing for them. */
static gboolean
check_hooks (Translation *t, const HcsJsonNode *config)
{
  static const char *const kinds[] = { "prestart", "createRuntime", "createContainer",
                                       "startContainer", "poststart", "poststop", NULL };
  const HcsJsonNode *hooks = hcs_json_object_lookup (config, "hooks");

  if (hooks == NULL)
    return TRUE;
  if (!check_members (t, hooks, "hooks", kinds))
    return FALSE;
  for (guint i = 0; i < hcs_json_node_get_length (hooks); i++)
    {
      const HcsJsonNode *list = hcs_json_object_get_value (hooks, i);
      const char *kind = hcs_json_object_get_name (hooks, i);

      if (!expect_type (t, list, HCS_JSON_ARRAY, "hooks", kind))
        return FALSE;
      if (hcs_json_node_get_length (list) > 0)
        return decline (t, "hooks.%s: hooks are not translated here", kind);
    }
  return TRUE;
}

/* check_without_mount_namespace: in the host's mount table nothing of the
 * container may be mounted. */
static gboolean
check_mount_namespace (Translation *t)
{
  const char *field = hcs_runtime_spec_needs_mount_namespace (t->spec);

  if (field == NULL)
    return TRUE;
  return decline (t, "%s: needs a mount namespace of the container's own, and "
                     "linux.namespaces has no \"mount\"", field);
}

static gboolean
translate (Translation *t, const HcsJsonNode *config, const char *bundle_dir)
{
  static const char *const allowed[] = { "ociVersion", "process", "root", "hostname",
                                         "domainname", "mounts", "annotations", "linux",
                                         "hooks", NULL };
  const char *version = NULL, *hostname = NULL, *domainname = NULL;

  if (!check_members (t, config, "", allowed))
    return FALSE;
  /* Without ociVersion the full path reads hcsshim's ContainerConfig. */
  if (!get_string (t, config, "", "ociVersion", &version))
    return FALSE;
  if (version == NULL)
    return decline (t, "ociVersion: missing");
  if (!is_oci_version (version))
    return decline (t, "ociVersion: '%s' is not a 1.x runtime spec version", version);
  if (!get_string (t, config, "", "hostname", &hostname) ||
      !get_string (t, config, "", "domainname", &domainname) ||
      !check_name (t, "hostname", hostname) || !check_name (t, "domainname", domainname))
    return FALSE;
  t->spec->hostname = g_strdup (hostname ? hostname : t->spec->id);
  if (!set_root (t, config, bundle_dir) || !add_mounts (t, config) || !set_linux (t, config) ||
      !set_process (t, config) || !check_annotations (t, config) || !check_hooks (t, config))
    return FALSE;
  /* set_oci_container: a domain name needs a uts namespace of its own. */
  if (domainname != NULL)
    {
      if (g_str_equal (t->spec->uts, "host"))
        return decline (t, "domainname: needs a uts namespace of its own");
      t->spec->domainname = g_strdup (domainname);
    }
  return check_mount_namespace (t);
}

HcsRuntimeSpec *
hcs_runtime_spec_new_for_oci_config (const char *id, const HcsJsonNode *config,
                                     const char *bundle_dir, char **declined)
{
  g_autoptr (HcsRuntimeSpec) spec = NULL;
  Translation t = { 0 };

  g_return_val_if_fail (id != NULL && config != NULL, NULL);
  g_return_val_if_fail (declined != NULL && *declined == NULL, NULL);

  spec = hcs_runtime_spec_new (id);
  t.spec = spec;
  if (!translate (&t, config, bundle_dir))
    {
      *declined = t.declined;
      return NULL;
    }
  /* hcs_runtime_spec_new_for_container's for a config.json without
   * linux.seccomp (one with it is declined): no filter, as runc. */
  spec->seccomp_program = g_bytes_new (NULL, 0);
  return g_steal_pointer (&spec);
}

/* write_exec_gate's process: hcs_process_config_new_exec_defaults copies
 * the create's, its PATH written into the environment, and the exec's
 * hcs_runtime_spec_set_process sorts it all, PATH included (the create's
 * only appended it); the command is "/bin/true". */
HcsRuntimeSpec *
hcs_runtime_spec_new_oci_exec_template (const HcsRuntimeSpec *spec)
{
  g_autoptr (HcsRuntimeSpec) exec = NULL;
  HcsRuntimeProcess *process;

  g_return_val_if_fail (spec != NULL && spec->process != NULL, NULL);

  exec = hcs_runtime_spec_new (spec->id);
  exec->process = process = hcs_runtime_process_copy (spec->process);
  g_strfreev (process->args);
  process->args = g_strdupv ((char *[]) { "/bin/true", NULL });
  qsort (process->env, g_strv_length (process->env), sizeof (char *), compare_entries);
  /* The container's filter (none) holds for what is exec'd into it. */
  hcs_runtime_spec_inherit_seccomp (exec, spec);
  return g_steal_pointer (&exec);
}

HcsRuntimeSpec *
hcs_runtime_spec_new_for_command (const char *id, const char *name, const char *rootfs,
                                  const char *const *args, char **declined)
{
  static const char *const no_env[] = { NULL };
  g_autoptr (HcsRuntimeSpec) spec = NULL;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (declined != NULL && *declined == NULL, NULL);

  /* set_root()'s check of a VolumePath. */
  if (rootfs == NULL || !g_path_is_absolute (rootfs) || !g_file_test (rootfs, G_FILE_TEST_IS_DIR))
    {
      *declined = g_strdup_printf ("VolumePath: '%s' is not a directory given by its "
                                   "absolute path", rootfs ? rootfs : "");
      return NULL;
    }
  if (args == NULL || args[0] == NULL)
    {
      *declined = g_strdup ("ProcessConfig: no command");
      return NULL;
    }
  spec = hcs_runtime_spec_new (id);
  spec->rootfs = g_strdup (rootfs);
  spec->hostname = g_strdup (name ? name : id);
  /* A ProcessConfig's environment, none given, is an empty list. */
  spec->process = hcs_runtime_process_new_with_defaults (args, no_env, FALSE, NULL, NULL);
  return g_steal_pointer (&spec);
}

HcsRuntimeSpec *
hcs_runtime_spec_new_exec_template (const char *id)
{
  static const char *const no_env[] = { NULL };
  static const char *const true_args[] = { "/bin/true", NULL };
  HcsRuntimeSpec *exec = hcs_runtime_spec_new (id);

  exec->process = hcs_runtime_process_new_with_defaults (true_args, no_env, FALSE, NULL, NULL);
  return exec;
}
