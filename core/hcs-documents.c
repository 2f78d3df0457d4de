/* hcs-documents.c: hcsshim's JSON documents, parsed and written with
 * json-glib. Member names match exactly, or else case-insensitively (as
 * Go's encoding/json does); unknown members are ignored; a known member of
 * the wrong type or out of range is an error naming it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-documents.h"
#include "hcs-error.h"
#include "hcs-gate.h"

#include <errno.h>
#include <string.h>

#define MAX_DOCUMENT_SIZE (4 * 1024 * 1024)

/* --- reading helpers --------------------------------------------------- */

static JsonNode *
find_member (JsonObject *object, const char *name)
{
  g_autoptr (GList) members = NULL;
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      members = json_object_get_members (object);
      for (GList *l = members; l; l = l->next)
        if (g_ascii_strcasecmp (l->data, name) == 0)
          {
            node = json_object_get_member (object, l->data);
            break;
          }
    }
  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
type_error (GError **error, const char *doc, const char *name, const char *expected,
            JsonNode *node)
{
  const char *got = JSON_NODE_HOLDS_OBJECT (node)  ? "an object"
                    : JSON_NODE_HOLDS_ARRAY (node) ? "an array"
                    : json_node_get_value_type (node) == G_TYPE_STRING  ? "a string"
                    : json_node_get_value_type (node) == G_TYPE_BOOLEAN ? "a boolean"
                                                                        : "a number";
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.%s: expected %s, got %s", doc, name,
               expected, got);
  return FALSE;
}

static gboolean
read_string (JsonObject *object, const char *doc, const char *name, char **out, GError **error)
{
  JsonNode *node = find_member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return type_error (error, doc, name, "a string", node);
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_boolean (JsonObject *object, const char *doc, const char *name, gboolean *out,
              GError **error)
{
  JsonNode *node = find_member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return type_error (error, doc, name, "a boolean", node);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
node_to_int (JsonNode *node, const char *doc, const char *name, gint64 *out, GError **error)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return type_error (error, doc, name, "an integer", node);
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);
      if (value != (double) (gint64) value)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "%s.%s: expected an integer, got %g", doc, name, value);
          return FALSE;
        }
      *out = (gint64) value;
    }
  else
    return type_error (error, doc, name, "an integer", node);
  return TRUE;
}

/* Present values must lie in [min, max]. */
static gboolean
read_int (JsonObject *object, const char *doc, const char *name, gint64 min, gint64 max,
          gint64 *out, GError **error)
{
  JsonNode *node = find_member (object, name);
  gint64 value;

  if (node == NULL)
    return TRUE;
  if (!node_to_int (node, doc, name, &value, error))
    return FALSE;
  if (value < min || value > max)
    {
      if (max == G_MAXINT64)
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "%s.%s: must be >= %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT, doc, name,
                     min, value);
      else
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "%s.%s: must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                     ", got %" G_GINT64_FORMAT,
                     doc, name, min, max, value);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
read_strv (JsonObject *object, const char *doc, const char *name, GStrv *out, GError **error)
{
  JsonNode *node = find_member (object, name);
  g_autoptr (GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return type_error (error, doc, name, "an array of strings", node);
  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_autofree char *indexed = g_strdup_printf ("%s[%u]", name, i);
          return type_error (error, doc, indexed, "a string", element);
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  g_strfreev (*out);
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
check_absolute (const char *doc, const char *name, const char *path, GError **error)
{
  if (path != NULL && !g_path_is_absolute (path))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.%s: '%s' is not an absolute path", doc, name, path);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
parse_text (const char *json, const char *doc, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  gsize length;

  if (json == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "%s: no document", doc);
      return NULL;
    }
  length = strlen (json);
  if (length > MAX_DOCUMENT_SIZE)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s: the document is %" G_GSIZE_FORMAT " bytes, over the %d byte limit", doc,
                   length, MAX_DOCUMENT_SIZE);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "%s: malformed JSON: %s", doc,
                   local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "%s: empty document", doc);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
expect_object (JsonNode *node, const char *doc, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: expected a JSON object", doc);
      return NULL;
    }
  return json_node_get_object (node);
}

/* --- writing helpers ------------------------------------------------------ */

static void
write_string (JsonBuilder *builder, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
write_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
write_boolean (JsonBuilder *builder, const char *name, gboolean value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
write_strv (JsonBuilder *builder, const char *name, GStrv strv)
{
  if (strv == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
write_time (JsonBuilder *builder, const char *name, gint64 unix_usec)
{
  g_autoptr (GDateTime) seconds = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) time =
      seconds ? g_date_time_add (seconds, unix_usec % G_USEC_PER_SEC) : NULL;
  g_autofree char *text = time ? g_date_time_format_iso8601 (time) : NULL;

  write_string (builder, name, text);
}

static gboolean
read_time (JsonObject *object, const char *doc, const char *name, gint64 *out, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GDateTime) time = NULL;

  if (!read_string (object, doc, name, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.%s: '%s' is not an RFC 3339 time", doc, name, text);
      return FALSE;
    }
  *out = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

char *
hcs_json_node_to_string (JsonNode *node, gboolean pretty)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  return json_generator_to_data (generator, NULL);
}

/* --- ProcessConfig ----------------------------------------------------------- */

/* The OCI fields of a ProcessConfig and a ContainerConfig have no schema1
 * names: they travel under "Oci" with config.json's own names (so that
 * they reach a monitor, or a guest, as they left the caller), and are read
 * back by the OCI parser's own functions, defined with it below. */
static gboolean parse_oci_process_extra (JsonObject *object, HcsProcessConfig *process,
                                         GError **error);
static gboolean parse_oci_user_extra (JsonObject *user, HcsProcessConfig *process,
                                      GError **error);

static void
write_oci_process (JsonBuilder *builder, const HcsProcessConfig *config)
{
  if (!config->capabilities_given && config->cap_added == NULL && config->rlimits == NULL &&
      config->additional_gids == NULL && !config->has_umask && !config->has_oom_score_adj &&
      !config->no_new_privileges_given && config->apparmor_profile == NULL &&
      config->selinux_label == NULL)
    return;
  json_builder_set_member_name (builder, "Oci");
  json_builder_begin_object (builder);
  if (config->capabilities_given)
    {
      json_builder_set_member_name (builder, "capabilities");
      json_builder_begin_object (builder);
      write_strv (builder, "bounding", config->cap_bounding);
      write_strv (builder, "effective", config->cap_effective);
      write_strv (builder, "permitted", config->cap_permitted);
      write_strv (builder, "inheritable", config->cap_inheritable);
      write_strv (builder, "ambient", config->cap_ambient);
      json_builder_end_object (builder);
    }
  write_strv (builder, "capAdded", config->cap_added);
  if (config->rlimits != NULL)
    {
      json_builder_set_member_name (builder, "rlimits");
      json_builder_begin_array (builder);
      for (guint i = 0; i < config->rlimits->len; i++)
        {
          const HcsRlimit *rlimit = config->rlimits->pdata[i];
          json_builder_begin_object (builder);
          write_string (builder, "type", rlimit->type);
          /* The int64 of the same bits (RLIM_INFINITY: -1), exactly what
           * read_uint64 takes back. */
          write_int (builder, "soft", (gint64) rlimit->soft);
          write_int (builder, "hard", (gint64) rlimit->hard);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  if (config->additional_gids != NULL)
    {
      json_builder_set_member_name (builder, "additionalGids");
      json_builder_begin_array (builder);
      for (guint i = 0; i < config->additional_gids->len; i++)
        json_builder_add_int_value (builder, g_array_index (config->additional_gids, guint32, i));
      json_builder_end_array (builder);
    }
  if (config->has_umask)
    write_int (builder, "umask", config->umask);
  if (config->has_oom_score_adj)
    write_int (builder, "oomScoreAdj", config->oom_score_adj);
  if (config->no_new_privileges_given)
    write_boolean (builder, "noNewPrivileges", config->no_new_privileges);
  write_string (builder, "apparmorProfile", config->apparmor_profile);
  write_string (builder, "selinuxLabel", config->selinux_label);
  json_builder_end_object (builder);
}

static gboolean
read_oci_process (JsonObject *object, HcsProcessConfig *config, GError **error)
{
  JsonNode *node = find_member (object, "Oci");
  JsonObject *oci;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return type_error (error, "ProcessConfig", "Oci", "an object", node);
  oci = json_node_get_object (node);
  if (!parse_oci_process_extra (oci, config, error) || !parse_oci_user_extra (oci, config, error) ||
      !read_strv (oci, "ProcessConfig.Oci", "capAdded", &config->cap_added, error))
    {
      g_prefix_error (error, "ProcessConfig.Oci: ");
      return FALSE;
    }
  /* Absent here is "not given", not config.json's false. */
  config->no_new_privileges_given = find_member (oci, "noNewPrivileges") != NULL;
  return TRUE;
}

G_DEFINE_BOXED_TYPE (HcsProcessConfig, hcs_process_config, hcs_process_config_copy,
                     hcs_process_config_free)

HcsProcessConfig *
hcs_process_config_new (void)
{
  return g_new0 (HcsProcessConfig, 1);
}

static GHashTable *
new_environment (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
hcs_rlimit_free (HcsRlimit *rlimit)
{
  if (rlimit == NULL)
    return;
  g_free (rlimit->type);
  g_free (rlimit);
}

HcsProcessConfig *
hcs_process_config_copy (const HcsProcessConfig *config)
{
  HcsProcessConfig *copy;

  if (config == NULL)
    return NULL;
  copy = g_memdup2 (config, sizeof *config);
  copy->application_name = g_strdup (config->application_name);
  copy->command_line = g_strdup (config->command_line);
  copy->command_args = g_strdupv (config->command_args);
  copy->user = g_strdup (config->user);
  copy->working_directory = g_strdup (config->working_directory);
  copy->console_socket = g_strdup (config->console_socket);
  copy->cap_bounding = g_strdupv (config->cap_bounding);
  copy->cap_effective = g_strdupv (config->cap_effective);
  copy->cap_permitted = g_strdupv (config->cap_permitted);
  copy->cap_inheritable = g_strdupv (config->cap_inheritable);
  copy->cap_ambient = g_strdupv (config->cap_ambient);
  copy->cap_added = g_strdupv (config->cap_added);
  copy->rlimits = NULL;
  if (config->rlimits != NULL)
    {
      copy->rlimits = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_rlimit_free);
      for (guint i = 0; i < config->rlimits->len; i++)
        {
          HcsRlimit *rlimit = g_memdup2 (config->rlimits->pdata[i], sizeof *rlimit);
          rlimit->type = g_strdup (rlimit->type);
          g_ptr_array_add (copy->rlimits, rlimit);
        }
    }
  copy->additional_gids = config->additional_gids ? g_array_copy (config->additional_gids) : NULL;
  copy->apparmor_profile = g_strdup (config->apparmor_profile);
  copy->selinux_label = g_strdup (config->selinux_label);
  copy->environment = NULL;
  if (config->environment != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      copy->environment = new_environment ();
      g_hash_table_iter_init (&iter, config->environment);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->environment, g_strdup (key), g_strdup (value));
    }
  return copy;
}

void
hcs_process_config_free (HcsProcessConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->application_name);
  g_free (config->command_line);
  g_strfreev (config->command_args);
  g_free (config->user);
  g_free (config->working_directory);
  g_free (config->console_socket);
  g_clear_pointer (&config->environment, g_hash_table_unref);
  g_strfreev (config->cap_bounding);
  g_strfreev (config->cap_effective);
  g_strfreev (config->cap_permitted);
  g_strfreev (config->cap_inheritable);
  g_strfreev (config->cap_ambient);
  g_strfreev (config->cap_added);
  g_clear_pointer (&config->rlimits, g_ptr_array_unref);
  g_clear_pointer (&config->additional_gids, g_array_unref);
  g_free (config->apparmor_profile);
  g_free (config->selinux_label);
  g_free (config);
}

HcsProcessConfig *
hcs_process_config_from_node (JsonNode *node, GError **error)
{
  const char *doc = "ProcessConfig";
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  JsonObject *object = expect_object (node, doc, error);
  JsonNode *member;

  if (object == NULL)
    return NULL;
  if (!read_string (object, doc, "ApplicationName", &config->application_name, error) ||
      !read_string (object, doc, "CommandLine", &config->command_line, error) ||
      !read_strv (object, doc, "CommandArgs", &config->command_args, error) ||
      !read_string (object, doc, "User", &config->user, error) ||
      !read_string (object, doc, "WorkingDirectory", &config->working_directory, error) ||
      !read_boolean (object, doc, "EmulateConsole", &config->emulate_console, error) ||
      !read_boolean (object, doc, "CreateStdInPipe", &config->create_stdin_pipe, error) ||
      !read_boolean (object, doc, "CreateStdOutPipe", &config->create_stdout_pipe, error) ||
      !read_boolean (object, doc, "CreateStdErrPipe", &config->create_stderr_pipe, error))
    return NULL;

  member = find_member (object, "Environment");
  if (member != NULL)
    {
      JsonObject *env;
      g_autoptr (GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return type_error (error, doc, "Environment", "an object of strings", member), NULL;
      env = json_node_get_object (member);
      names = json_object_get_members (env);
      config->environment = new_environment ();
      for (GList *l = names; l; l = l->next)
        {
          JsonNode *value = json_object_get_member (env, l->data);
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            {
              g_autofree char *field = g_strdup_printf ("Environment.%s", (char *) l->data);
              return type_error (error, doc, field, "a string", value), NULL;
            }
          if (*(char *) l->data == '\0' || strchr (l->data, '='))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "%s.Environment: invalid variable name '%s'", doc, (char *) l->data);
              return NULL;
            }
          g_hash_table_insert (config->environment, g_strdup (l->data),
                               g_strdup (json_node_get_string (value)));
        }
    }

  member = find_member (object, "ConsoleSize");
  if (member != NULL)
    {
      JsonArray *array;
      gint64 height, width;

      if (!JSON_NODE_HOLDS_ARRAY (member) ||
          json_array_get_length ((array = json_node_get_array (member))) != 2)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "%s.ConsoleSize: expected [height, width]", doc);
          return NULL;
        }
      if (!node_to_int (json_array_get_element (array, 0), doc, "ConsoleSize[0]", &height, error) ||
          !node_to_int (json_array_get_element (array, 1), doc, "ConsoleSize[1]", &width, error))
        return NULL;
      if (height < 0 || height > G_MAXUINT16 || width < 0 || width > G_MAXUINT16)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "%s.ConsoleSize: each must be between 0 and 65535", doc);
          return NULL;
        }
      config->console_height = height;
      config->console_width = width;
    }
  if (!read_oci_process (object, config, error))
    return NULL;
  return g_steal_pointer (&config);
}

HcsProcessConfig *
hcs_process_config_from_json (const char *json, GError **error)
{
  g_autoptr (JsonNode) node = parse_text (json, "ProcessConfig", error);

  return node ? hcs_process_config_from_node (node, error) : NULL;
}

JsonNode *
hcs_process_config_to_node (const HcsProcessConfig *config)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  write_string (builder, "ApplicationName", config->application_name);
  write_string (builder, "CommandLine", config->command_line);
  write_strv (builder, "CommandArgs", config->command_args);
  write_string (builder, "User", config->user);
  write_string (builder, "WorkingDirectory", config->working_directory);
  if (config->environment != NULL)
    {
      g_auto (GStrv) envp = hcs_process_config_get_envp (config);
      json_builder_set_member_name (builder, "Environment");
      json_builder_begin_object (builder);
      for (guint i = 0; envp[i]; i++)
        {
          char *equals = strchr (envp[i], '=');
          *equals = '\0';
          json_builder_set_member_name (builder, envp[i]);
          json_builder_add_string_value (builder, equals + 1);
        }
      json_builder_end_object (builder);
    }
  write_boolean (builder, "EmulateConsole", config->emulate_console);
  write_boolean (builder, "CreateStdInPipe", config->create_stdin_pipe);
  write_boolean (builder, "CreateStdOutPipe", config->create_stdout_pipe);
  write_boolean (builder, "CreateStdErrPipe", config->create_stderr_pipe);
  if (config->console_height || config->console_width)
    {
      json_builder_set_member_name (builder, "ConsoleSize");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, config->console_height);
      json_builder_add_int_value (builder, config->console_width);
      json_builder_end_array (builder);
    }
  write_oci_process (builder, config);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GStrv
hcs_process_config_get_argv (const HcsProcessConfig *config, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GStrv argv = NULL;

  if (config->command_args != NULL && config->command_args[0] != NULL)
    return g_strdupv (config->command_args);
  if (config->command_line != NULL && *config->command_line != '\0')
    {
      if (!g_shell_parse_argv (config->command_line, NULL, &argv, &local_error))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "ProcessConfig.CommandLine: %s", local_error->message);
          return NULL;
        }
      return argv;
    }
  if (config->application_name != NULL && *config->application_name != '\0')
    {
      argv = g_new0 (char *, 2);
      argv[0] = g_strdup (config->application_name);
      return argv;
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "ProcessConfig: no CommandLine, CommandArgs or ApplicationName");
  return NULL;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GStrv
hcs_process_config_get_envp (const HcsProcessConfig *config)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  GHashTableIter iter;
  gpointer key, value;

  if (config->environment != NULL)
    {
      g_hash_table_iter_init (&iter, config->environment);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_ptr_array_add (entries, g_strdup_printf ("%s=%s", (char *) key, (char *) value));
    }
  g_ptr_array_sort (entries, compare_strings);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&entries), FALSE);
}

HcsProcessConfig *
hcs_process_config_new_exec_defaults (const HcsProcessConfig *process)
{
  HcsProcessConfig *defaults = hcs_process_config_copy (process);

  /* The exec's own, every time. */
  g_clear_pointer (&defaults->application_name, g_free);
  g_clear_pointer (&defaults->command_line, g_free);
  g_clear_pointer (&defaults->command_args, g_strfreev);
  g_clear_pointer (&defaults->console_socket, g_free);
  g_clear_pointer (&defaults->cap_added, g_strfreev);
  defaults->emulate_console = FALSE;
  defaults->console_height = defaults->console_width = 0;
  defaults->create_stdin_pipe = defaults->create_stdout_pipe = FALSE;
  defaults->create_stderr_pipe = FALSE;
  defaults->inherit_stdio = defaults->use_stdio_fds = FALSE;
  defaults->reap_directly = defaults->detach = FALSE;
  /* The runtime's own defaults, written out (hcs_runtime_spec_set_process
   * would add the same). */
  if (defaults->environment == NULL)
    defaults->environment = new_environment ();
  if (!g_hash_table_contains (defaults->environment, "PATH"))
    g_hash_table_insert (defaults->environment, g_strdup ("PATH"),
                         g_strdup (HCS_GATE_DEFAULT_PATH_VALUE));
  if (defaults->user == NULL || *defaults->user == '\0')
    {
      g_free (defaults->user);
      defaults->user = g_strdup ("0:0");
    }
  return defaults;
}

/* --- ContainerConfig --------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (HcsContainerConfig, hcs_container_config, hcs_container_config_copy,
                     hcs_container_config_free)

void
hcs_layer_free (HcsLayer *layer)
{
  if (layer == NULL)
    return;
  g_free (layer->id);
  g_free (layer->path);
  g_free (layer);
}

void
hcs_mapped_directory_free (HcsMappedDirectory *dir)
{
  if (dir == NULL)
    return;
  g_free (dir->host_path);
  g_free (dir->container_path);
  g_free (dir);
}

void
hcs_mount_free (HcsMount *mount)
{
  if (mount == NULL)
    return;
  g_free (mount->destination);
  g_free (mount->type);
  g_free (mount->source);
  g_strfreev (mount->options);
  g_free (mount);
}

/* --- OCI hooks --------------------------------------------------------------- */

const char *
hcs_oci_hook_kind_name (HcsOciHookKind kind)
{
  static const char *const names[] = { "prestart",       "createRuntime", "createContainer",
                                       "startContainer", "poststart",     "poststop" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == HCS_OCI_HOOK_N_KINDS);
  g_return_val_if_fail (kind < HCS_OCI_HOOK_N_KINDS, NULL);
  return names[kind];
}

void
hcs_oci_hook_free (HcsOciHook *hook)
{
  if (hook == NULL)
    return;
  g_free (hook->path);
  g_strfreev (hook->args);
  g_strfreev (hook->env);
  g_free (hook);
}

static gpointer
copy_oci_hook (gpointer data)
{
  const HcsOciHook *hook = data;
  HcsOciHook *copy = g_new0 (HcsOciHook, 1);

  copy->path = g_strdup (hook->path);
  copy->args = g_strdupv (hook->args);
  copy->env = g_strdupv (hook->env);
  copy->timeout = hook->timeout;
  return copy;
}

HcsContainerConfig *
hcs_container_config_new (void)
{
  return g_new0 (HcsContainerConfig, 1);
}

static GPtrArray *
copy_array (GPtrArray *array, GBoxedCopyFunc copy_one, GDestroyNotify free_one)
{
  GPtrArray *copy;

  if (array == NULL)
    return NULL;
  copy = g_ptr_array_new_full (array->len, free_one);
  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, copy_one (array->pdata[i]));
  return copy;
}

static gpointer
copy_layer (gpointer data)
{
  const HcsLayer *layer = data;
  HcsLayer *copy = g_new0 (HcsLayer, 1);

  copy->id = g_strdup (layer->id);
  copy->path = g_strdup (layer->path);
  return copy;
}

static gpointer
copy_mapped_directory (gpointer data)
{
  const HcsMappedDirectory *dir = data;
  HcsMappedDirectory *copy = g_new0 (HcsMappedDirectory, 1);

  copy->host_path = g_strdup (dir->host_path);
  copy->container_path = g_strdup (dir->container_path);
  copy->read_only = dir->read_only;
  return copy;
}

static gpointer
copy_mount (gpointer data)
{
  const HcsMount *mount = data;
  HcsMount *copy = g_new0 (HcsMount, 1);

  copy->destination = g_strdup (mount->destination);
  copy->type = g_strdup (mount->type);
  copy->source = g_strdup (mount->source);
  copy->options = g_strdupv (mount->options);
  return copy;
}

HcsContainerConfig *
hcs_container_config_copy (const HcsContainerConfig *config)
{
  HcsContainerConfig *copy;

  if (config == NULL)
    return NULL;
  copy = g_memdup2 (config, sizeof *config);
  copy->system_type = g_strdup (config->system_type);
  copy->name = g_strdup (config->name);
  copy->owner = g_strdup (config->owner);
  copy->hostname = g_strdup (config->hostname);
  copy->volume_path = g_strdup (config->volume_path);
  copy->layer_folder_path = g_strdup (config->layer_folder_path);
  copy->layers = copy_array (config->layers, copy_layer, (GDestroyNotify) hcs_layer_free);
  copy->mapped_directories = copy_array (config->mapped_directories, copy_mapped_directory,
                                         (GDestroyNotify) hcs_mapped_directory_free);
  copy->mounts = copy_array (config->mounts, copy_mount, (GDestroyNotify) hcs_mount_free);
  copy->endpoint_list = g_strdupv (config->endpoint_list);
  copy->network_shared_container_name = g_strdup (config->network_shared_container_name);
  copy->hv_runtime_image_path = g_strdup (config->hv_runtime_image_path);
  copy->network_namespace.path = g_strdup (config->network_namespace.path);
  copy->uts_namespace.path = g_strdup (config->uts_namespace.path);
  copy->ipc_namespace.path = g_strdup (config->ipc_namespace.path);
  copy->process = hcs_process_config_copy (config->process);
  copy->oci_version = g_strdup (config->oci_version);
  for (guint kind = 0; kind < HCS_OCI_HOOK_N_KINDS; kind++)
    copy->oci_hooks[kind] = copy_array (config->oci_hooks[kind], copy_oci_hook,
                                        (GDestroyNotify) hcs_oci_hook_free);
  copy->oci_bundle = g_strdup (config->oci_bundle);
  copy->oci_annotations = g_strdup (config->oci_annotations);
  copy->oci_process = g_strdup (config->oci_process);
  copy->pid_namespace.path = g_strdup (config->pid_namespace.path);
  copy->cgroup_namespace.path = g_strdup (config->cgroup_namespace.path);
  copy->time_namespace.path = g_strdup (config->time_namespace.path);
  copy->user_namespace.path = g_strdup (config->user_namespace.path);
  copy->mount_namespace.path = g_strdup (config->mount_namespace.path);
  if (config->oci_uid_mappings != NULL)
    copy->oci_uid_mappings = g_array_copy (config->oci_uid_mappings);
  if (config->oci_gid_mappings != NULL)
    copy->oci_gid_mappings = g_array_copy (config->oci_gid_mappings);
  copy->oci_resources = g_strdup (config->oci_resources);
  copy->oci_cgroups_path = g_strdup (config->oci_cgroups_path);
  copy->oci_devices = g_strdup (config->oci_devices);
  copy->oci_seccomp = g_strdup (config->oci_seccomp);
  copy->domainname = g_strdup (config->domainname);
  copy->masked_paths = g_strdupv (config->masked_paths);
  copy->readonly_paths = g_strdupv (config->readonly_paths);
  copy->sysctl = g_strdupv (config->sysctl);
  copy->rootfs_propagation = g_strdup (config->rootfs_propagation);
  copy->exec_defaults = hcs_process_config_copy (config->exec_defaults);
  return copy;
}

void
hcs_container_config_free (HcsContainerConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->system_type);
  g_free (config->name);
  g_free (config->owner);
  g_free (config->hostname);
  g_free (config->volume_path);
  g_free (config->layer_folder_path);
  g_clear_pointer (&config->layers, g_ptr_array_unref);
  g_clear_pointer (&config->mapped_directories, g_ptr_array_unref);
  g_clear_pointer (&config->mounts, g_ptr_array_unref);
  g_strfreev (config->endpoint_list);
  g_free (config->network_shared_container_name);
  g_free (config->hv_runtime_image_path);
  g_free (config->network_namespace.path);
  g_free (config->uts_namespace.path);
  g_free (config->ipc_namespace.path);
  hcs_process_config_free (config->process);
  g_free (config->oci_version);
  for (guint kind = 0; kind < HCS_OCI_HOOK_N_KINDS; kind++)
    g_clear_pointer (&config->oci_hooks[kind], g_ptr_array_unref);
  g_free (config->oci_bundle);
  g_free (config->oci_annotations);
  g_free (config->pid_namespace.path);
  g_free (config->cgroup_namespace.path);
  g_free (config->time_namespace.path);
  g_free (config->user_namespace.path);
  g_free (config->mount_namespace.path);
  g_clear_pointer (&config->oci_uid_mappings, g_array_unref);
  g_clear_pointer (&config->oci_gid_mappings, g_array_unref);
  g_free (config->oci_resources);
  g_free (config->oci_cgroups_path);
  g_free (config->oci_devices);
  g_free (config->oci_seccomp);
  g_free (config->domainname);
  g_strfreev (config->masked_paths);
  g_strfreev (config->readonly_paths);
  g_strfreev (config->sysctl);
  g_free (config->rootfs_propagation);
  hcs_process_config_free (config->exec_defaults);
  g_free (config->oci_process);
  g_free (config);
}

static gboolean
check_name (const char *doc, const char *field, const char *value, gsize max, GError **error)
{
  if (value == NULL)
    return TRUE;
  if (*value == '\0' || strlen (value) > max || strchr (value, '/') != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.%s: '%s' must be 1 to %" G_GSIZE_FORMAT " characters without '/'", doc,
                   field, value, max);
      return FALSE;
    }
  return TRUE;
}

/* Walks an array member of objects, calling @parse_one for each. */
typedef gboolean (*ParseElementFunc) (JsonObject *object, const char *doc, gpointer *out,
                                      GError **error);

static gboolean
read_object_array (JsonObject *object, const char *doc, const char *name,
                   ParseElementFunc parse_one, GDestroyNotify free_one, GPtrArray **out,
                   GError **error)
{
  JsonNode *node = find_member (object, name);
  g_autoptr (GPtrArray) result = NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return type_error (error, doc, name, "an array", node);
  array = json_node_get_array (node);
  result = g_ptr_array_new_with_free_func (free_one);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *element_doc = g_strdup_printf ("%s.%s[%u]", doc, name, i);
      gpointer parsed = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: expected an object",
                       element_doc);
          return FALSE;
        }
      /* A parser hands back what it made even when it fails part way. */
      if (!parse_one (json_node_get_object (element), element_doc, &parsed, error))
        {
          if (parsed != NULL)
            free_one (parsed);
          return FALSE;
        }
      g_ptr_array_add (result, parsed);
    }
  *out = g_steal_pointer (&result);
  return TRUE;
}

static gboolean
parse_layer (JsonObject *object, const char *doc, gpointer *out, GError **error)
{
  HcsLayer *layer = g_new0 (HcsLayer, 1);

  *out = layer;
  if (!read_string (object, doc, "ID", &layer->id, error) ||
      !read_string (object, doc, "Path", &layer->path, error))
    return FALSE;
  /* A layer with only an ID is looked up in the host's layer store. */
  if (layer->path == NULL && layer->id == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: needs an ID or a Path", doc);
      return FALSE;
    }
  return check_absolute (doc, "Path", layer->path, error);
}

static gboolean
parse_mapped_directory (JsonObject *object, const char *doc, gpointer *out, GError **error)
{
  HcsMappedDirectory *dir = g_new0 (HcsMappedDirectory, 1);

  *out = dir;
  if (!read_string (object, doc, "HostPath", &dir->host_path, error) ||
      !read_string (object, doc, "ContainerPath", &dir->container_path, error) ||
      !read_boolean (object, doc, "ReadOnly", &dir->read_only, error))
    return FALSE;
  if (dir->host_path == NULL || dir->container_path == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: %s is missing", doc,
                   dir->host_path == NULL ? "HostPath" : "ContainerPath");
      return FALSE;
    }
  return check_absolute (doc, "HostPath", dir->host_path, error) &&
         check_absolute (doc, "ContainerPath", dir->container_path, error);
}

static gboolean
parse_oci_mount (JsonObject *object, const char *doc, gpointer *out, GError **error)
{
  HcsMount *mount = g_new0 (HcsMount, 1);

  *out = mount;
  if (!read_string (object, doc, "destination", &mount->destination, error) ||
      !read_string (object, doc, "type", &mount->type, error) ||
      !read_string (object, doc, "source", &mount->source, error) ||
      !read_strv (object, doc, "options", &mount->options, error))
    return FALSE;
  if (mount->destination == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.destination: missing", doc);
      return FALSE;
    }
  if (mount->type == NULL)
    mount->type = g_strdup ("bind");
  return check_absolute (doc, "destination", mount->destination, error);
}

static gboolean parse_oci_linux_filesystem (JsonObject *linux_object,
                                            HcsContainerConfig *config, GError **error);
static gboolean parse_oci_namespaces (JsonObject *linux_object, HcsContainerConfig *config,
                                      GError **error);
static gboolean parse_oci_hooks (JsonObject *hooks, HcsContainerConfig *config, GError **error);
static gboolean check_oci_version (const char *version, GError **error);

/* linux.namespaces as config.json gives them (a type absent is the host's)
 * and the id mappings. */
static void
write_oci_namespaces (JsonBuilder *builder, const HcsContainerConfig *config)
{
  const char *const types[] = { "network", "uts", "ipc", "pid",
                                "cgroup", "time", "user", "mount" };
  const HcsNamespace *const namespaces[] = {
    &config->network_namespace, &config->uts_namespace, &config->ipc_namespace,
    &config->pid_namespace, &config->cgroup_namespace, &config->time_namespace,
    &config->user_namespace, &config->mount_namespace,
  };
  const char *const map_names[] = { "uidMappings", "gidMappings" };
  GArray *const maps[] = { config->oci_uid_mappings, config->oci_gid_mappings };

  json_builder_set_member_name (builder, "namespaces");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      if (namespaces[i]->mode == HCS_NAMESPACE_MODE_HOST)
        continue;
      json_builder_begin_object (builder);
      write_string (builder, "type", types[i]);
      if (namespaces[i]->mode == HCS_NAMESPACE_MODE_JOIN)
        write_string (builder, "path", namespaces[i]->path);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  for (gsize i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      if (maps[i] == NULL)
        continue;
      json_builder_set_member_name (builder, map_names[i]);
      json_builder_begin_array (builder);
      for (guint j = 0; j < maps[i]->len; j++)
        {
          const HcsIdMapping *mapping = &g_array_index (maps[i], HcsIdMapping, j);

          json_builder_begin_object (builder);
          write_int (builder, "containerID", mapping->container_id);
          write_int (builder, "hostID", mapping->host_id);
          write_int (builder, "size", mapping->size);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
}

/* hooks as config.json gives them. */
static void
write_oci_hooks (JsonBuilder *builder, const HcsContainerConfig *config)
{
  gboolean any = FALSE;

  for (guint kind = 0; kind < HCS_OCI_HOOK_N_KINDS; kind++)
    any = any || config->oci_hooks[kind] != NULL;
  if (!any)
    return;
  json_builder_set_member_name (builder, "hooks");
  json_builder_begin_object (builder);
  for (guint kind = 0; kind < HCS_OCI_HOOK_N_KINDS; kind++)
    {
      GPtrArray *hooks = config->oci_hooks[kind];

      if (hooks == NULL)
        continue;
      json_builder_set_member_name (builder, hcs_oci_hook_kind_name (kind));
      json_builder_begin_array (builder);
      for (guint i = 0; i < hooks->len; i++)
        {
          const HcsOciHook *hook = hooks->pdata[i];

          json_builder_begin_object (builder);
          write_string (builder, "path", hook->path);
          write_strv (builder, "args", hook->args);
          write_strv (builder, "env", hook->env);
          if (hook->timeout > 0)
            write_int (builder, "timeout", hook->timeout);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}
static gboolean parse_oci_resources (JsonObject *resources, HcsContainerConfig *config,
                                     GError **error);

/* ContainerConfig's OCI fields under "Oci" (see write_oci_process). */
static void
write_oci_container (JsonBuilder *builder, const HcsContainerConfig *config)
{
  if (config->domainname == NULL && config->masked_paths == NULL &&
      config->readonly_paths == NULL && config->sysctl == NULL &&
      config->rootfs_propagation == NULL && config->oci_cgroups_path == NULL &&
      config->oci_resources == NULL && config->oci_devices == NULL &&
      config->oci_seccomp == NULL && config->oci_version == NULL &&
      config->exec_defaults == NULL && (config->mounts == NULL || config->mounts->len == 0))
    return;
  json_builder_set_member_name (builder, "Oci");
  json_builder_begin_object (builder);
  /* config.json's mounts as config.json has them: a monitor, a holder or
   * a guest agent makes the same container from this document. */
  if (config->mounts != NULL && config->mounts->len > 0)
    {
      json_builder_set_member_name (builder, "mounts");
      json_builder_begin_array (builder);
      for (guint i = 0; i < config->mounts->len; i++)
        {
          const HcsMount *mount = config->mounts->pdata[i];

          json_builder_begin_object (builder);
          write_string (builder, "destination", mount->destination);
          write_string (builder, "type", mount->type);
          write_string (builder, "source", mount->source);
          write_strv (builder, "options", mount->options);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  /* An OCI config's namespaces, hooks and their state's bundle and
   * annotations, so that a monitor makes the same container. */
  if (config->oci_version != NULL)
    {
      write_string (builder, "ociVersion", config->oci_version);
      write_oci_namespaces (builder, config);
      write_oci_hooks (builder, config);
      write_string (builder, "bundle", config->oci_bundle);
      if (config->oci_annotations != NULL)
        {
          JsonNode *annotations = json_from_string (config->oci_annotations, NULL);

          if (annotations != NULL)
            {
              json_builder_set_member_name (builder, "annotations");
              json_builder_add_value (builder, annotations);
            }
        }
    }
  if (config->exec_defaults != NULL)
    {
      json_builder_set_member_name (builder, "execDefaults");
      json_builder_add_value (builder, hcs_process_config_to_node (config->exec_defaults));
    }
  write_string (builder, "domainname", config->domainname);
  write_strv (builder, "maskedPaths", config->masked_paths);
  write_strv (builder, "readonlyPaths", config->readonly_paths);
  write_string (builder, "rootfsPropagation", config->rootfs_propagation);
  write_string (builder, "cgroupsPath", config->oci_cgroups_path);
  /* Kept as config.json's own JSON: the runtime reads them from that. */
  {
    const char *const names[] = { "resources", "devices", "seccomp" };
    const char *const texts[] = { config->oci_resources, config->oci_devices,
                                  config->oci_seccomp };

    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      {
        JsonNode *node = texts[i] ? json_from_string (texts[i], NULL) : NULL;

        if (node == NULL)
          continue;
        json_builder_set_member_name (builder, names[i]);
        json_builder_add_value (builder, node);
      }
  }
  if (config->sysctl != NULL)
    {
      json_builder_set_member_name (builder, "sysctl");
      json_builder_begin_object (builder);
      for (guint i = 0; config->sysctl[i]; i++)
        {
          g_auto (GStrv) pair = g_strsplit (config->sysctl[i], "=", 2);
          json_builder_set_member_name (builder, pair[0]);
          json_builder_add_string_value (builder, pair[1] ? pair[1] : "");
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

static gboolean
read_oci_container (JsonObject *object, HcsContainerConfig *config, GError **error)
{
  JsonNode *node = find_member (object, "Oci");
  JsonObject *oci;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return type_error (error, "ContainerConfig", "Oci", "an object", node);
  oci = json_node_get_object (node);
  if (!read_string (oci, "ContainerConfig.Oci", "domainname", &config->domainname, error) ||
      !check_name ("ContainerConfig.Oci", "domainname", config->domainname, 64, error) ||
      !read_string (oci, "ContainerConfig.Oci", "cgroupsPath", &config->oci_cgroups_path,
                    error) ||
      !parse_oci_linux_filesystem (oci, config, error) ||
      !read_string (oci, "ContainerConfig.Oci", "ociVersion", &config->oci_version, error) ||
      !read_string (oci, "ContainerConfig.Oci", "bundle", &config->oci_bundle, error) ||
      !read_object_array (oci, "ContainerConfig.Oci", "mounts", parse_oci_mount,
                          (GDestroyNotify) hcs_mount_free, &config->mounts, error))
    return FALSE;
  if (config->oci_version != NULL)
    {
      if (!check_oci_version (config->oci_version, error) ||
          !parse_oci_namespaces (oci, config, error))
        return FALSE;
    }
  node = find_member (oci, "hooks");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, "ContainerConfig.Oci", "hooks", "an object", node);
      if (!parse_oci_hooks (json_node_get_object (node), config, error))
        return FALSE;
    }
  node = find_member (oci, "annotations");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, "ContainerConfig.Oci", "annotations", "an object", node);
      config->oci_annotations = json_to_string (node, FALSE);
    }
  node = find_member (oci, "resources");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, "ContainerConfig.Oci", "resources", "an object", node);
      if (!parse_oci_resources (json_node_get_object (node), config, error))
        return FALSE;
      config->oci_resources = json_to_string (node, FALSE);
    }
  node = find_member (oci, "devices");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return type_error (error, "ContainerConfig.Oci", "devices", "an array", node);
      config->oci_devices = json_to_string (node, FALSE);
    }
  node = find_member (oci, "seccomp");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, "ContainerConfig.Oci", "seccomp", "an object", node);
      config->oci_seccomp = json_to_string (node, FALSE);
    }
  node = find_member (oci, "execDefaults");
  if (node != NULL)
    {
      config->exec_defaults = hcs_process_config_from_node (node, error);
      if (config->exec_defaults == NULL)
        {
          g_prefix_error (error, "ContainerConfig.Oci.execDefaults: ");
          return FALSE;
        }
    }
  return TRUE;
}

/* HvRuntime {ImagePath}: where a hyperv container's VM image is. */
static gboolean
read_hv_runtime (JsonObject *object, HcsContainerConfig *config, GError **error)
{
  JsonNode *node = find_member (object, "HvRuntime");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return type_error (error, "ContainerConfig", "HvRuntime", "an object", node);
  return read_string (json_node_get_object (node), "ContainerConfig.HvRuntime", "ImagePath",
                      &config->hv_runtime_image_path, error) &&
         check_absolute ("ContainerConfig.HvRuntime", "ImagePath",
                         config->hv_runtime_image_path, error);
}

static HcsContainerConfig *
parse_schema1 (JsonObject *object, GError **error)
{
  const char *doc = "ContainerConfig";
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  JsonNode *process;

  if (!read_string (object, doc, "SystemType", &config->system_type, error) ||
      !read_string (object, doc, "Name", &config->name, error) ||
      !read_string (object, doc, "Owner", &config->owner, error) ||
      !read_string (object, doc, "HostName", &config->hostname, error) ||
      !read_string (object, doc, "VolumePath", &config->volume_path, error) ||
      !read_string (object, doc, "LayerFolderPath", &config->layer_folder_path, error) ||
      !read_object_array (object, doc, "Layers", parse_layer, (GDestroyNotify) hcs_layer_free,
                          &config->layers, error) ||
      !read_object_array (object, doc, "MappedDirectories", parse_mapped_directory,
                          (GDestroyNotify) hcs_mapped_directory_free,
                          &config->mapped_directories, error) ||
      !read_int (object, doc, "ProcessorCount", 1, 1024, &config->processor_count, error) ||
      !read_int (object, doc, "ProcessorWeight", 0, 10000, &config->processor_weight, error) ||
      !read_int (object, doc, "ProcessorMaximum", 0, 10000, &config->processor_maximum, error) ||
      !read_int (object, doc, "MemoryMaximumInMB", 1, G_MAXINT64 / (1024 * 1024),
                 &config->memory_maximum_in_mb, error) ||
      !read_int (object, doc, "StorageIOPSMaximum", 0, G_MAXINT64,
                 &config->storage_iops_maximum, error) ||
      !read_int (object, doc, "StorageBandwidthMaximum", 0, G_MAXINT64,
                 &config->storage_bandwidth_maximum, error) ||
      !read_strv (object, doc, "EndpointList", &config->endpoint_list, error) ||
      !read_string (object, doc, "NetworkSharedContainerName",
                    &config->network_shared_container_name, error) ||
      !read_boolean (object, doc, "HvPartition", &config->hv_partition, error))
    return NULL;

  if (!check_name (doc, "Name", config->name, 256, error) ||
      !check_name (doc, "HostName", config->hostname, 64, error) ||
      !check_absolute (doc, "VolumePath", config->volume_path, error) ||
      !check_absolute (doc, "LayerFolderPath", config->layer_folder_path, error) ||
      !read_oci_container (object, config, error) ||
      !read_hv_runtime (object, config, error))
    return NULL;

  process = find_member (object, "Process");
  if (process != NULL)
    {
      config->process = hcs_process_config_from_node (process, error);
      if (config->process == NULL)
        {
          g_prefix_error (error, "%s.", doc);
          return NULL;
        }
    }
  return g_steal_pointer (&config);
}

/* OCI runtime spec (config.json). */

/* OCI process fields beyond argv, env, cwd, user and terminal. */

static gboolean
parse_oci_user_extra (JsonObject *user, HcsProcessConfig *process, GError **error)
{
  const char *doc = "config.json: process.user";
  JsonNode *node;

  node = find_member (user, "additionalGids");
  if (node != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return type_error (error, doc, "additionalGids", "an array of integers", node);
      array = json_node_get_array (node);
      process->additional_gids = g_array_new (FALSE, FALSE, sizeof (guint32));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *name = g_strdup_printf ("additionalGids[%u]", i);
          gint64 gid;
          guint32 value;

          if (!node_to_int (json_array_get_element (array, i), doc, name, &gid, error))
            return FALSE;
          if (gid < 0 || gid >= G_MAXUINT32)
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "%s.%s: %" G_GINT64_FORMAT " is not a gid", doc, name, gid);
              return FALSE;
            }
          value = (guint32) gid;
          g_array_append_val (process->additional_gids, value);
        }
    }
  if (find_member (user, "umask") != NULL)
    {
      gint64 umask = 0;

      if (!read_int (user, doc, "umask", 0, 0777, &umask, error))
        return FALSE;
      process->has_umask = TRUE;
      process->umask = (guint32) umask;
    }
  return TRUE;
}

static gboolean
parse_oci_capabilities (JsonNode *node, HcsProcessConfig *process, GError **error)
{
  const char *doc = "config.json: process.capabilities";
  JsonObject *sets;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return type_error (error, "config.json: process", "capabilities", "an object", node);
  sets = json_node_get_object (node);
  process->capabilities_given = TRUE;
  /* Names are checked against the kernel's list by the runtime. */
  return read_strv (sets, doc, "bounding", &process->cap_bounding, error) &&
         read_strv (sets, doc, "effective", &process->cap_effective, error) &&
         read_strv (sets, doc, "permitted", &process->cap_permitted, error) &&
         read_strv (sets, doc, "inheritable", &process->cap_inheritable, error) &&
         read_strv (sets, doc, "ambient", &process->cap_ambient, error);
}

/* A uint64 of config.json (RLIM_INFINITY is 2^64-1). json-glib reads a
 * number above G_MAXINT64 as the int64 of the same bits (so -1 is taken as
 * RLIM_INFINITY too), and one beyond 64 bits as a double. Required. */
static gboolean
read_uint64 (JsonObject *object, const char *doc, const char *name, guint64 *out,
             GError **error)
{
  JsonNode *node = find_member (object, name);
  gint64 value;

  if (node == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.%s: missing", doc, name);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE &&
      json_node_get_double (node) >= 9.2e18)
    {
      *out = json_node_get_double (node) >= 1.8e19 ? G_MAXUINT64
                                                   : (guint64) json_node_get_double (node);
      return TRUE;
    }
  if (!node_to_int (node, doc, name, &value, error))
    return FALSE;
  *out = (guint64) value;
  return TRUE;
}

static gboolean
parse_oci_rlimit (JsonObject *object, const char *doc, gpointer *out, GError **error)
{
  HcsRlimit *rlimit = g_new0 (HcsRlimit, 1);

  *out = rlimit;
  if (!read_string (object, doc, "type", &rlimit->type, error))
    return FALSE;
  if (rlimit->type == NULL || !g_str_has_prefix (rlimit->type, "RLIMIT_"))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.type: '%s' is not an RLIMIT_ name", doc, rlimit->type ? rlimit->type : "");
      return FALSE;
    }
  if (!read_uint64 (object, doc, "soft", &rlimit->soft, error) ||
      !read_uint64 (object, doc, "hard", &rlimit->hard, error))
    return FALSE;
  if (rlimit->soft > rlimit->hard)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s: soft %" G_GUINT64_FORMAT " is above hard %" G_GUINT64_FORMAT, doc,
                   rlimit->soft, rlimit->hard);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_oci_process_extra (JsonObject *object, HcsProcessConfig *process, GError **error)
{
  const char *doc = "config.json: process";
  JsonNode *node;

  node = find_member (object, "capabilities");
  if (node != NULL && !parse_oci_capabilities (node, process, error))
    return FALSE;
  if (!read_object_array (object, doc, "rlimits", parse_oci_rlimit,
                          (GDestroyNotify) hcs_rlimit_free, &process->rlimits, error))
    return FALSE;
  for (guint i = 0; process->rlimits && i < process->rlimits->len; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (((HcsRlimit *) process->rlimits->pdata[i])->type,
                       ((HcsRlimit *) process->rlimits->pdata[j])->type))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "%s.rlimits[%u]: %s is given twice", doc, i,
                       ((HcsRlimit *) process->rlimits->pdata[i])->type);
          return FALSE;
        }
  if (find_member (object, "oomScoreAdj") != NULL)
    {
      gint64 adj = 0;
      if (!read_int (object, doc, "oomScoreAdj", -1000, 1000, &adj, error))
        return FALSE;
      process->has_oom_score_adj = TRUE;
      process->oom_score_adj = (gint32) adj;
    }
  /* OCI: absent means false. */
  process->no_new_privileges_given = TRUE;
  process->no_new_privileges = FALSE;
  return read_boolean (object, doc, "noNewPrivileges", &process->no_new_privileges, error) &&
         read_string (object, doc, "apparmorProfile", &process->apparmor_profile, error) &&
         read_string (object, doc, "selinuxLabel", &process->selinux_label, error);
}

static gboolean
parse_oci_process (JsonObject *object, HcsContainerConfig *config, GError **error)
{
  const char *doc = "config.json: process";
  HcsProcessConfig *process = hcs_process_config_new ();
  g_auto (GStrv) env = NULL;
  JsonNode *node;

  config->process = process;
  process->create_stdin_pipe = process->create_stdout_pipe = process->create_stderr_pipe = TRUE;
  if (!read_strv (object, doc, "args", &process->command_args, error) ||
      !read_strv (object, doc, "env", &env, error) ||
      !read_string (object, doc, "cwd", &process->working_directory, error) ||
      !read_boolean (object, doc, "terminal", &process->emulate_console, error))
    return FALSE;
  if (process->command_args == NULL || process->command_args[0] == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s.args: must not be empty", doc);
      return FALSE;
    }
  if (env != NULL)
    {
      process->environment = new_environment ();
      for (guint i = 0; env[i]; i++)
        {
          const char *equals = strchr (env[i], '=');
          if (equals == NULL || equals == env[i])
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "%s.env[%u]: '%s' is not NAME=VALUE", doc, i, env[i]);
              return FALSE;
            }
          g_hash_table_replace (process->environment, g_strndup (env[i], equals - env[i]),
                                g_strdup (equals + 1));
        }
    }

  node = find_member (object, "user");
  if (node != NULL)
    {
      JsonObject *user;
      gint64 uid = 0, gid = 0;
      g_autofree char *username = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "user", "an object", node);
      user = json_node_get_object (node);
      if (!read_int (user, "config.json: process.user", "uid", 0, G_MAXUINT32 - 1, &uid, error) ||
          !read_int (user, "config.json: process.user", "gid", 0, G_MAXUINT32 - 1, &gid, error) ||
          !read_string (user, "config.json: process.user", "username", &username, error) ||
          !parse_oci_user_extra (user, process, error))
        return FALSE;
      process->user = username ? g_steal_pointer (&username)
                               : g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, uid, gid);
    }

  node = find_member (object, "consoleSize");
  if (node != NULL)
    {
      gint64 height = 0, width = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "consoleSize", "an object", node);
      if (!read_int (json_node_get_object (node), "config.json: process.consoleSize", "height", 0,
                     G_MAXUINT16, &height, error) ||
          !read_int (json_node_get_object (node), "config.json: process.consoleSize", "width", 0,
                     G_MAXUINT16, &width, error))
        return FALSE;
      process->console_height = height;
      process->console_width = width;
    }
  return parse_oci_process_extra (object, process, error);
}

HcsProcessConfig *
hcs_process_config_from_oci_json (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "OCI process: %s",
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "OCI process: not a JSON object");
      return NULL;
    }
  if (!parse_oci_process (json_node_get_object (root), config, error))
    return NULL;
  return g_steal_pointer (&config->process);
}

/* "0-3,6" -> 5 */
static gboolean
count_cpus (const char *list, gint64 *count, GError **error)
{
  g_auto (GStrv) ranges = g_strsplit (list, ",", -1);

  *count = 0;
  for (guint i = 0; ranges[i]; i++)
    {
      guint64 first, last;
      char *end;

      first = g_ascii_strtoull (ranges[i], &end, 10);
      if (end == ranges[i])
        goto invalid;
      last = first;
      if (*end == '-')
        {
          const char *start = end + 1;
          last = g_ascii_strtoull (start, &end, 10);
          if (end == start)
            goto invalid;
        }
      if (*end != '\0' || last < first || last > 4096)
        goto invalid;
      *count += last - first + 1;
    }
  return TRUE;

invalid:
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "config.json: linux.resources.cpu.cpus: '%s' is not a cpu list", list);
  return FALSE;
}

static gboolean
parse_oci_resources (JsonObject *resources, HcsContainerConfig *config, GError **error)
{
  JsonNode *node;

  node = find_member (resources, "memory");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      gint64 limit = 0;
      if (!read_int (json_node_get_object (node), "config.json: linux.resources.memory", "limit",
                     -1, G_MAXINT64, &limit, error))
        return FALSE;
      if (limit > 0)
        config->memory_maximum_in_mb = (limit + 1024 * 1024 - 1) / (1024 * 1024);
    }

  node = find_member (resources, "cpu");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *cpu = json_node_get_object (node);
      const char *doc = "config.json: linux.resources.cpu";
      gint64 shares = 0, quota = 0, period = 0;
      g_autofree char *cpus = NULL;

      if (!read_int (cpu, doc, "shares", 0, G_MAXINT64, &shares, error) ||
          !read_int (cpu, doc, "quota", -1, G_MAXINT64, &quota, error) ||
          !read_int (cpu, doc, "period", 0, G_MAXINT64, &period, error) ||
          !read_string (cpu, doc, "cpus", &cpus, error))
        return FALSE;
      if (shares > 0)
        config->processor_weight = CLAMP (shares * 100 / 1024, 1, 10000);
      if (quota > 0)
        {
          if (period == 0)
            period = 100000;
          config->processor_maximum =
              CLAMP (quota * 10000 / period / (gint64) g_get_num_processors (), 1, 10000);
        }
      if (cpus != NULL && *cpus != '\0' && !count_cpus (cpus, &config->processor_count, error))
        return FALSE;
    }

  node = find_member (resources, "pids");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      gint64 limit = 0;
      if (!read_int (json_node_get_object (node), "config.json: linux.resources.pids", "limit",
                     -1, G_MAXINT64, &limit, error))
        return FALSE;
      if (limit > 0)
        config->pids_maximum = limit;
    }
  return TRUE;
}

/* linux.uidMappings or gidMappings: [{containerID, hostID, size}]. */
static gboolean
read_id_mappings (JsonObject *linux_object, const char *name, GArray **out, GError **error)
{
  JsonNode *node = find_member (linux_object, name);
  g_autoptr (GArray) mappings = NULL;
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return type_error (error, "config.json: linux", name, "an array", node);
  array = json_node_get_array (node);
  mappings = g_array_new (FALSE, TRUE, sizeof (HcsIdMapping));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *doc = g_strdup_printf ("config.json: linux.%s[%u]", name, i);
      gint64 container_id = -1, host_id = -1, size = -1;
      HcsIdMapping mapping;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: expected an object", doc);
          return FALSE;
        }
      if (!read_int (json_node_get_object (element), doc, "containerID", 0, G_MAXUINT32 - 1,
                     &container_id, error) ||
          !read_int (json_node_get_object (element), doc, "hostID", 0, G_MAXUINT32 - 1,
                     &host_id, error) ||
          !read_int (json_node_get_object (element), doc, "size", 1, G_MAXUINT32, &size, error))
        return FALSE;
      if (container_id < 0 || host_id < 0 || size < 0)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "%s: needs containerID, hostID and size", doc);
          return FALSE;
        }
      mapping.container_id = container_id;
      mapping.host_id = host_id;
      mapping.size = size;
      g_array_append_val (mappings, mapping);
    }
  *out = g_steal_pointer (&mappings);
  return TRUE;
}

/* linux.namespaces and the id mappings: every type given is new or joined
 * by path, every other one the host's. */
static gboolean
parse_oci_namespaces (JsonObject *linux_object, HcsContainerConfig *config, GError **error)
{
  JsonNode *node;

  guint seen = 0;

  /* OCI: a namespace type that is absent is shared with the host. */
  config->network_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->uts_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->ipc_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->pid_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->mount_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->cgroup_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->time_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->user_namespace.mode = HCS_NAMESPACE_MODE_HOST;

  node = find_member (linux_object, "namespaces");
  if (node != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return type_error (error, "config.json: linux", "namespaces", "an array", node);
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autofree char *doc = g_strdup_printf ("config.json: linux.namespaces[%u]", i);
          g_autofree char *type = NULL, *path = NULL;
          HcsNamespace *ns = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s: expected an object", doc);
              return FALSE;
            }
          if (!read_string (json_node_get_object (element), doc, "type", &type, error) ||
              !read_string (json_node_get_object (element), doc, "path", &path, error))
            return FALSE;
          {
            static const char *const types[] = { "network", "uts", "ipc", "pid",
                                                  "cgroup", "time", "user", "mount", NULL };
            HcsNamespace *const targets[] = {
              &config->network_namespace, &config->uts_namespace, &config->ipc_namespace,
              &config->pid_namespace, &config->cgroup_namespace, &config->time_namespace,
              &config->user_namespace, &config->mount_namespace,
            };
            guint index;

            for (index = 0; types[index] && g_strcmp0 (type, types[index]) != 0; index++)
              ;
            if (types[index] == NULL)
              {
                g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                             "%s.type: unknown namespace type '%s'", doc, type ? type : "");
                return FALSE;
              }
            if (seen & (1u << index))
              {
                g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                             "%s.type: the %s namespace is given twice", doc, type);
                return FALSE;
              }
            seen |= 1u << index;
            ns = targets[index];
          }
          if (path != NULL && *path != '\0')
            {
              if (!check_absolute (doc, "path", path, error))
                return FALSE;
              ns->mode = HCS_NAMESPACE_MODE_JOIN;
              ns->path = g_steal_pointer (&path);
            }
          else
            ns->mode = HCS_NAMESPACE_MODE_NEW;
        }
    }

  if (!read_id_mappings (linux_object, "uidMappings", &config->oci_uid_mappings, error) ||
      !read_id_mappings (linux_object, "gidMappings", &config->oci_gid_mappings, error))
    return FALSE;
  if ((config->oci_uid_mappings != NULL || config->oci_gid_mappings != NULL) &&
      config->user_namespace.mode != HCS_NAMESPACE_MODE_NEW)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.uidMappings/gidMappings: given without a new user "
                   "namespace in linux.namespaces");
      return FALSE;
    }
  if (config->user_namespace.mode == HCS_NAMESPACE_MODE_NEW &&
      (config->oci_uid_mappings == NULL || config->oci_gid_mappings == NULL))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.namespaces: a new user namespace needs "
                   "linux.uidMappings and linux.gidMappings");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_oci_linux (JsonObject *linux_object, HcsContainerConfig *config, GError **error)
{
  JsonNode *node;

  if (!parse_oci_namespaces (linux_object, config, error))
    return FALSE;

  node = find_member (linux_object, "seccomp");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, "config.json: linux", "seccomp", "an object", node);
      config->oci_seccomp = json_to_string (node, FALSE);
    }

  node = find_member (linux_object, "devices");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return type_error (error, "config.json: linux", "devices", "an array", node);
      config->oci_devices = json_to_string (node, FALSE);
    }

  node = find_member (linux_object, "cgroupsPath");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return type_error (error, "config.json: linux", "cgroupsPath", "a string", node);
      if (*json_node_get_string (node) != '\0')
        config->oci_cgroups_path = g_strdup (json_node_get_string (node));
    }

  node = find_member (linux_object, "resources");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, "config.json: linux", "resources", "an object", node);
      if (!parse_oci_resources (json_node_get_object (node), config, error))
        return FALSE;
      config->oci_resources = json_to_string (node, FALSE);
    }
  return TRUE;
}

static gboolean
parse_oci_hook (JsonObject *object, const char *doc, gpointer *out, GError **error)
{
  g_autoptr (HcsOciHook) hook = g_new0 (HcsOciHook, 1);

  if (!read_string (object, doc, "path", &hook->path, error) ||
      !read_strv (object, doc, "args", &hook->args, error) ||
      !read_strv (object, doc, "env", &hook->env, error) ||
      !read_int (object, doc, "timeout", 1, G_MAXINT32, &hook->timeout, error))
    return FALSE;
  if (hook->path == NULL || !g_path_is_absolute (hook->path))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.path: '%s' is not an absolute path", doc, hook->path ? hook->path : "");
      return FALSE;
    }
  for (guint i = 0; hook->env && hook->env[i]; i++)
    if (strchr (hook->env[i], '=') == NULL)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "%s.env[%u]: '%s' is not NAME=VALUE", doc, i, hook->env[i]);
        return FALSE;
      }
  *out = g_steal_pointer (&hook);
  return TRUE;
}

static gboolean
parse_oci_hooks (JsonObject *hooks, HcsContainerConfig *config, GError **error)
{
  for (guint kind = 0; kind < HCS_OCI_HOOK_N_KINDS; kind++)
    if (!read_object_array (hooks, "config.json: hooks", hcs_oci_hook_kind_name (kind),
                            parse_oci_hook, (GDestroyNotify) hcs_oci_hook_free,
                            &config->oci_hooks[kind], error))
      return FALSE;
  return TRUE;
}

/* linux.maskedPaths, readonlyPaths, rootfsPropagation and sysctl. */
static gboolean
parse_oci_linux_filesystem (JsonObject *linux_object, HcsContainerConfig *config,
                            GError **error)
{
  const char *doc = "config.json: linux";
  static const char *const propagations[] = { "private", "rprivate", "shared", "rshared",
                                              "slave", "rslave", "unbindable", "runbindable",
                                              NULL };
  JsonNode *node;

  if (!read_strv (linux_object, doc, "maskedPaths", &config->masked_paths, error) ||
      !read_strv (linux_object, doc, "readonlyPaths", &config->readonly_paths, error) ||
      !read_string (linux_object, doc, "rootfsPropagation", &config->rootfs_propagation, error))
    return FALSE;
  for (guint i = 0; config->masked_paths && config->masked_paths[i]; i++)
    if (!check_absolute (doc, "maskedPaths[]", config->masked_paths[i], error))
      return FALSE;
  for (guint i = 0; config->readonly_paths && config->readonly_paths[i]; i++)
    if (!check_absolute (doc, "readonlyPaths[]", config->readonly_paths[i], error))
      return FALSE;
  if (config->rootfs_propagation != NULL && *config->rootfs_propagation != '\0' &&
      !g_strv_contains (propagations, config->rootfs_propagation))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "%s.rootfsPropagation: '%s' is not one of private, shared, slave, "
                   "unbindable (or their r- forms)", doc, config->rootfs_propagation);
      return FALSE;
    }

  node = find_member (linux_object, "sysctl");
  if (node != NULL)
    {
      g_autoptr (GList) keys = NULL;
      g_autoptr (GStrvBuilder) entries = g_strv_builder_new ();
      JsonObject *sysctl;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "sysctl", "an object of strings", node);
      sysctl = json_node_get_object (node);
      keys = g_list_sort (json_object_get_members (sysctl), (GCompareFunc) g_strcmp0);
      for (GList *l = keys; l; l = l->next)
        {
          JsonNode *value = json_object_get_member (sysctl, l->data);
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            {
              g_autofree char *field = g_strdup_printf ("sysctl.%s", (char *) l->data);
              return type_error (error, doc, field, "a string", value);
            }
          if (strchr (l->data, '=') != NULL)
            {
              g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                           "%s.sysctl: key '%s' has '='", doc, (char *) l->data);
              return FALSE;
            }
          /* Key and value are checked by the runtime, which knows the
           * container's namespaces. */
          {
            g_autofree char *entry = g_strdup_printf ("%s=%s", (char *) l->data,
                                                      json_node_get_string (value));
            g_strv_builder_add (entries, entry);
          }
        }
      config->sysctl = g_strv_builder_end (entries);
    }
  return TRUE;
}

/* ociVersion is the runtime spec's SemVer: 1.MINOR.PATCH, with an
 * optional -pre-release or +build (what runc and crun read as 1.x). */
static gboolean
check_oci_version (const char *version, GError **error)
{
  g_autoptr (GRegex) semver =
      g_regex_new ("^1\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)([-+][0-9A-Za-z.+-]+)?$", 0, 0, NULL);

  if (version != NULL && g_regex_match (semver, version, 0, NULL))
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "config.json: ociVersion: '%s' is not a 1.x runtime spec version (1.MINOR.PATCH)",
               version ? version : "");
  return FALSE;
}

static HcsContainerConfig *
parse_oci (JsonObject *object, const char *bundle_dir, GError **error)
{
  const char *doc = "config.json";
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  JsonNode *node;

  config->system_type = g_strdup ("Container");
  /* Shared unless linux.namespaces asks otherwise; pid stays new (today's
   * behaviour) when there is no "linux" at all. */
  config->cgroup_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->time_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  config->user_namespace.mode = HCS_NAMESPACE_MODE_HOST;
  if (!read_string (object, doc, "ociVersion", &config->oci_version, error) ||
      !read_string (object, doc, "hostname", &config->hostname, error) ||
      !read_string (object, doc, "domainname", &config->domainname, error) ||
      !read_object_array (object, doc, "mounts", parse_oci_mount, (GDestroyNotify) hcs_mount_free,
                          &config->mounts, error))
    return NULL;
  if (!check_name (doc, "hostname", config->hostname, 64, error) ||
      !check_name (doc, "domainname", config->domainname, 64, error) ||
      !check_oci_version (config->oci_version, error))
    return NULL;

  node = find_member (object, "root");
  if (node != NULL)
    {
      g_autofree char *path = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "root", "an object", node), NULL;
      if (!read_string (json_node_get_object (node), "config.json: root", "path", &path, error) ||
          !read_boolean (json_node_get_object (node), "config.json: root", "readonly",
                         &config->root_read_only, error))
        return NULL;
      if (path != NULL && !g_path_is_absolute (path))
        {
          g_autofree char *base = bundle_dir ? g_strdup (bundle_dir) : g_get_current_dir ();
          config->volume_path = g_canonicalize_filename (path, base);
        }
      else
        config->volume_path = g_steal_pointer (&path);
    }

  node = find_member (object, "process");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "process", "an object", node), NULL;
      if (!parse_oci_process (json_node_get_object (node), config, error))
        return NULL;
      config->oci_process = json_to_string (node, FALSE);
    }

  node = find_member (object, "linux");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "linux", "an object", node), NULL;
      if (!parse_oci_linux (json_node_get_object (node), config, error) ||
          !parse_oci_linux_filesystem (json_node_get_object (node), config, error))
        return NULL;
    }

  node = find_member (object, "hooks");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "hooks", "an object", node), NULL;
      if (!parse_oci_hooks (json_node_get_object (node), config, error))
        return NULL;
    }
  node = find_member (object, "annotations");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return type_error (error, doc, "annotations", "an object", node), NULL;
      config->oci_annotations = json_to_string (node, FALSE);
    }
  config->oci_bundle = bundle_dir ? g_strdup (bundle_dir) : g_get_current_dir ();
  return g_steal_pointer (&config);
}

HcsContainerConfig *
hcs_container_config_from_node (JsonNode *node, const char *bundle_dir, GError **error)
{
  JsonObject *object = expect_object (node, "ContainerConfig", error);

  if (object == NULL)
    return NULL;
  if (json_object_has_member (object, "ociVersion"))
    return parse_oci (object, bundle_dir, error);
  return parse_schema1 (object, error);
}

HcsContainerConfig *
hcs_container_config_from_json (const char *json, const char *bundle_dir, GError **error)
{
  g_autoptr (JsonNode) node = parse_text (json, "ContainerConfig", error);

  return node ? hcs_container_config_from_node (node, bundle_dir, error) : NULL;
}

HcsContainerConfig *
hcs_container_config_from_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL, *bundle_dir = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, HCS_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                       ? HCS_ERROR_ELEMENT_NOT_FOUND
                       : HCS_ERROR_INVALID_DATA,
                   "%s", local_error->message);
      return NULL;
    }
  if (strlen (contents) != length)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "%s: contains a NUL byte", path);
      return NULL;
    }
  bundle_dir = g_path_get_dirname (path);
  {
    g_autofree char *absolute = g_canonicalize_filename (bundle_dir, NULL);
    HcsContainerConfig *config = hcs_container_config_from_json (contents, absolute, error);
    if (config == NULL)
      g_prefix_error (error, "%s: ", path);
    return config;
  }
}

JsonNode *
hcs_container_config_to_node (const HcsContainerConfig *config)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  write_string (builder, "SystemType", config->system_type ? config->system_type : "Container");
  write_string (builder, "Name", config->name);
  write_string (builder, "Owner", config->owner);
  write_string (builder, "HostName", config->hostname);
  write_string (builder, "VolumePath", config->volume_path);
  write_string (builder, "LayerFolderPath", config->layer_folder_path);
  if (config->layers != NULL)
    {
      json_builder_set_member_name (builder, "Layers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < config->layers->len; i++)
        {
          HcsLayer *layer = config->layers->pdata[i];
          json_builder_begin_object (builder);
          write_string (builder, "ID", layer->id);
          write_string (builder, "Path", layer->path);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  if (config->mapped_directories != NULL)
    {
      json_builder_set_member_name (builder, "MappedDirectories");
      json_builder_begin_array (builder);
      for (guint i = 0; i < config->mapped_directories->len; i++)
        {
          HcsMappedDirectory *dir = config->mapped_directories->pdata[i];
          json_builder_begin_object (builder);
          write_string (builder, "HostPath", dir->host_path);
          write_string (builder, "ContainerPath", dir->container_path);
          write_boolean (builder, "ReadOnly", dir->read_only);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  if (config->processor_count)
    write_int (builder, "ProcessorCount", config->processor_count);
  if (config->processor_weight)
    write_int (builder, "ProcessorWeight", config->processor_weight);
  if (config->processor_maximum)
    write_int (builder, "ProcessorMaximum", config->processor_maximum);
  if (config->memory_maximum_in_mb)
    write_int (builder, "MemoryMaximumInMB", config->memory_maximum_in_mb);
  if (config->storage_iops_maximum)
    write_int (builder, "StorageIOPSMaximum", config->storage_iops_maximum);
  if (config->storage_bandwidth_maximum)
    write_int (builder, "StorageBandwidthMaximum", config->storage_bandwidth_maximum);
  write_strv (builder, "EndpointList", config->endpoint_list);
  write_string (builder, "NetworkSharedContainerName", config->network_shared_container_name);
  write_boolean (builder, "HvPartition", config->hv_partition);
  if (config->hv_runtime_image_path != NULL)
    {
      json_builder_set_member_name (builder, "HvRuntime");
      json_builder_begin_object (builder);
      write_string (builder, "ImagePath", config->hv_runtime_image_path);
      json_builder_end_object (builder);
    }
  if (config->process != NULL)
    {
      json_builder_set_member_name (builder, "Process");
      json_builder_add_value (builder, hcs_process_config_to_node (config->process));
    }
  write_oci_container (builder, config);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* --- Statistics ------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (HcsStatistics, hcs_statistics, hcs_statistics_copy, hcs_statistics_free)

static void
network_statistics_free (HcsNetworkStatistics *net)
{
  g_free (net->endpoint_id);
  g_free (net);
}

HcsStatistics *
hcs_statistics_new (void)
{
  HcsStatistics *stats = g_new0 (HcsStatistics, 1);

  stats->network = g_ptr_array_new_with_free_func ((GDestroyNotify) network_statistics_free);
  return stats;
}

HcsStatistics *
hcs_statistics_copy (const HcsStatistics *stats)
{
  HcsStatistics *copy;

  if (stats == NULL)
    return NULL;
  copy = g_memdup2 (stats, sizeof *stats);
  copy->network = g_ptr_array_new_with_free_func ((GDestroyNotify) network_statistics_free);
  for (guint i = 0; i < stats->network->len; i++)
    {
      HcsNetworkStatistics *net = g_memdup2 (stats->network->pdata[i], sizeof *net);
      net->endpoint_id = g_strdup (net->endpoint_id);
      g_ptr_array_add (copy->network, net);
    }
  return copy;
}

void
hcs_statistics_free (HcsStatistics *stats)
{
  if (stats == NULL)
    return;
  g_ptr_array_unref (stats->network);
  g_free (stats);
}

JsonNode *
hcs_statistics_to_node (const HcsStatistics *stats)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  write_time (builder, "Timestamp", stats->timestamp);
  write_time (builder, "ContainerStartTime", stats->container_start_time);
  write_int (builder, "Uptime100ns", stats->uptime_100ns);
  json_builder_set_member_name (builder, "Memory");
  json_builder_begin_object (builder);
  write_int (builder, "UsageCommitBytes", stats->memory_usage_commit_bytes);
  write_int (builder, "UsageCommitPeakBytes", stats->memory_usage_commit_peak_bytes);
  write_int (builder, "UsagePrivateWorkingSetBytes", stats->memory_usage_private_working_set_bytes);
  if (stats->memory_oom_kill_count != 0)
    write_int (builder, "OomKillCount", stats->memory_oom_kill_count);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Processor");
  json_builder_begin_object (builder);
  write_int (builder, "TotalRuntime100ns", stats->processor_total_runtime_100ns);
  write_int (builder, "RuntimeUser100ns", stats->processor_runtime_user_100ns);
  write_int (builder, "RuntimeKernel100ns", stats->processor_runtime_kernel_100ns);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Storage");
  json_builder_begin_object (builder);
  write_int (builder, "ReadCountNormalized", stats->storage_read_count_normalized);
  write_int (builder, "ReadSizeBytes", stats->storage_read_size_bytes);
  write_int (builder, "WriteCountNormalized", stats->storage_write_count_normalized);
  write_int (builder, "WriteSizeBytes", stats->storage_write_size_bytes);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "Network");
  json_builder_begin_array (builder);
  for (guint i = 0; i < stats->network->len; i++)
    {
      HcsNetworkStatistics *net = stats->network->pdata[i];
      json_builder_begin_object (builder);
      write_string (builder, "EndpointId", net->endpoint_id);
      write_int (builder, "BytesReceived", net->bytes_received);
      write_int (builder, "BytesSent", net->bytes_sent);
      write_int (builder, "PacketsReceived", net->packets_received);
      write_int (builder, "PacketsSent", net->packets_sent);
      write_int (builder, "DroppedPacketsIncoming", net->dropped_packets_incoming);
      write_int (builder, "DroppedPacketsOutgoing", net->dropped_packets_outgoing);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (stats->vm_processor_total_runtime_ns != 0 || stats->vm_memory_working_set_bytes != 0)
    {
      json_builder_set_member_name (builder, "VirtualMachine");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Processor");
      json_builder_begin_object (builder);
      write_int (builder, "TotalRuntimeNS", stats->vm_processor_total_runtime_ns);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "Memory");
      json_builder_begin_object (builder);
      write_int (builder, "WorkingSetBytes", stats->vm_memory_working_set_bytes);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
read_u64 (JsonObject *object, const char *doc, const char *name, guint64 *out, GError **error)
{
  gint64 value = 0;

  if (!read_int (object, doc, name, 0, G_MAXINT64, &value, error))
    return FALSE;
  *out = value;
  return TRUE;
}

static JsonObject *
sub_object (JsonObject *object, const char *name)
{
  JsonNode *node = find_member (object, name);

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

HcsStatistics *
hcs_statistics_from_node (JsonNode *node, GError **error)
{
  const char *doc = "Statistics";
  g_autoptr (HcsStatistics) stats = hcs_statistics_new ();
  JsonObject *object = expect_object (node, doc, error), *part;
  JsonNode *network;

  if (object == NULL)
    return NULL;
  if (!read_time (object, doc, "Timestamp", &stats->timestamp, error) ||
      !read_time (object, doc, "ContainerStartTime", &stats->container_start_time, error) ||
      !read_u64 (object, doc, "Uptime100ns", &stats->uptime_100ns, error))
    return NULL;
  if ((part = sub_object (object, "Memory")) != NULL &&
      (!read_u64 (part, "Statistics.Memory", "UsageCommitBytes", &stats->memory_usage_commit_bytes, error) ||
       !read_u64 (part, "Statistics.Memory", "UsageCommitPeakBytes", &stats->memory_usage_commit_peak_bytes, error) ||
       !read_u64 (part, "Statistics.Memory", "UsagePrivateWorkingSetBytes",
                  &stats->memory_usage_private_working_set_bytes, error) ||
       !read_u64 (part, "Statistics.Memory", "OomKillCount", &stats->memory_oom_kill_count,
                  error)))
    return NULL;
  if ((part = sub_object (object, "Processor")) != NULL &&
      (!read_u64 (part, "Statistics.Processor", "TotalRuntime100ns", &stats->processor_total_runtime_100ns, error) ||
       !read_u64 (part, "Statistics.Processor", "RuntimeUser100ns", &stats->processor_runtime_user_100ns, error) ||
       !read_u64 (part, "Statistics.Processor", "RuntimeKernel100ns", &stats->processor_runtime_kernel_100ns, error)))
    return NULL;
  if ((part = sub_object (object, "Storage")) != NULL &&
      (!read_u64 (part, "Statistics.Storage", "ReadCountNormalized", &stats->storage_read_count_normalized, error) ||
       !read_u64 (part, "Statistics.Storage", "ReadSizeBytes", &stats->storage_read_size_bytes, error) ||
       !read_u64 (part, "Statistics.Storage", "WriteCountNormalized", &stats->storage_write_count_normalized, error) ||
       !read_u64 (part, "Statistics.Storage", "WriteSizeBytes", &stats->storage_write_size_bytes, error)))
    return NULL;
  if ((part = sub_object (object, "VirtualMachine")) != NULL)
    {
      JsonObject *vm_part;

      if ((vm_part = sub_object (part, "Processor")) != NULL &&
          !read_u64 (vm_part, "Statistics.VirtualMachine.Processor", "TotalRuntimeNS",
                     &stats->vm_processor_total_runtime_ns, error))
        return NULL;
      if ((vm_part = sub_object (part, "Memory")) != NULL &&
          !read_u64 (vm_part, "Statistics.VirtualMachine.Memory", "WorkingSetBytes",
                     &stats->vm_memory_working_set_bytes, error))
        return NULL;
    }
  network = find_member (object, "Network");
  if (network != NULL && JSON_NODE_HOLDS_ARRAY (network))
    {
      JsonArray *array = json_node_get_array (network);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          HcsNetworkStatistics *net;
          const char *ndoc = "Statistics.Network";

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          net = g_new0 (HcsNetworkStatistics, 1);
          g_ptr_array_add (stats->network, net);
          part = json_node_get_object (element);
          if (!read_string (part, ndoc, "EndpointId", &net->endpoint_id, error) ||
              !read_u64 (part, ndoc, "BytesReceived", &net->bytes_received, error) ||
              !read_u64 (part, ndoc, "BytesSent", &net->bytes_sent, error) ||
              !read_u64 (part, ndoc, "PacketsReceived", &net->packets_received, error) ||
              !read_u64 (part, ndoc, "PacketsSent", &net->packets_sent, error) ||
              !read_u64 (part, ndoc, "DroppedPacketsIncoming", &net->dropped_packets_incoming, error) ||
              !read_u64 (part, ndoc, "DroppedPacketsOutgoing", &net->dropped_packets_outgoing, error))
            return NULL;
        }
    }
  return g_steal_pointer (&stats);
}

/* --- ProcessListItem ---------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (HcsProcessListItem, hcs_process_list_item, hcs_process_list_item_copy,
                     hcs_process_list_item_free)

HcsProcessListItem *
hcs_process_list_item_new (void)
{
  return g_new0 (HcsProcessListItem, 1);
}

HcsProcessListItem *
hcs_process_list_item_copy (const HcsProcessListItem *item)
{
  HcsProcessListItem *copy;

  if (item == NULL)
    return NULL;
  copy = g_memdup2 (item, sizeof *item);
  copy->image_name = g_strdup (item->image_name);
  return copy;
}

void
hcs_process_list_item_free (HcsProcessListItem *item)
{
  if (item == NULL)
    return;
  g_free (item->image_name);
  g_free (item);
}

JsonNode *
hcs_process_list_item_to_node (const HcsProcessListItem *item)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  write_int (builder, "ProcessId", item->process_id);
  write_string (builder, "ImageName", item->image_name ? item->image_name : "");
  write_time (builder, "CreateTimestamp", item->create_timestamp);
  write_int (builder, "UserTime100ns", item->user_time_100ns);
  write_int (builder, "KernelTime100ns", item->kernel_time_100ns);
  write_int (builder, "MemoryCommitBytes", item->memory_commit_bytes);
  write_int (builder, "MemoryWorkingSetPrivateBytes", item->memory_working_set_private_bytes);
  write_int (builder, "MemoryWorkingSetSharedBytes", item->memory_working_set_shared_bytes);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
hcs_process_list_to_node (GPtrArray *items)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; items && i < items->len; i++)
    json_array_add_element (array, hcs_process_list_item_to_node (items->pdata[i]));
  json_node_take_array (node, array);
  return node;
}

/* --- ContainerProperties ------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (HcsContainerProperties, hcs_container_properties,
                     hcs_container_properties_copy, hcs_container_properties_free)

HcsContainerProperties *
hcs_container_properties_new (void)
{
  return g_new0 (HcsContainerProperties, 1);
}

HcsContainerProperties *
hcs_container_properties_copy (const HcsContainerProperties *props)
{
  HcsContainerProperties *copy;

  if (props == NULL)
    return NULL;
  copy = g_memdup2 (props, sizeof *props);
  copy->id = g_strdup (props->id);
  copy->name = g_strdup (props->name);
  copy->system_type = g_strdup (props->system_type);
  copy->owner = g_strdup (props->owner);
  copy->runtime_os_type = g_strdup (props->runtime_os_type);
  copy->isolation = g_strdup (props->isolation);
  copy->state = g_strdup (props->state);
  copy->exit_type = g_strdup (props->exit_type);
  copy->statistics = hcs_statistics_copy (props->statistics);
  copy->process_list = copy_array (props->process_list,
                                   (GBoxedCopyFunc) hcs_process_list_item_copy,
                                   (GDestroyNotify) hcs_process_list_item_free);
  return copy;
}

void
hcs_container_properties_free (HcsContainerProperties *props)
{
  if (props == NULL)
    return;
  g_free (props->id);
  g_free (props->name);
  g_free (props->system_type);
  g_free (props->owner);
  g_free (props->runtime_os_type);
  g_free (props->isolation);
  g_free (props->state);
  g_free (props->exit_type);
  hcs_statistics_free (props->statistics);
  g_clear_pointer (&props->process_list, g_ptr_array_unref);
  g_free (props);
}

JsonNode *
hcs_container_properties_to_node (const HcsContainerProperties *props)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  write_string (builder, "Id", props->id);
  write_string (builder, "Name", props->name);
  write_string (builder, "SystemType", props->system_type);
  write_string (builder, "Owner", props->owner);
  write_string (builder, "RuntimeOsType", props->runtime_os_type);
  write_string (builder, "Isolation", props->isolation);
  write_string (builder, "State", props->state);
  write_boolean (builder, "Stopped", props->stopped);
  write_string (builder, "ExitType", props->exit_type);
  write_int (builder, "ExitCode", props->exit_code);
  write_int (builder, "InitProcessId", props->init_process_id);
  write_time (builder, "Created", props->created);
  if (props->statistics != NULL)
    {
      json_builder_set_member_name (builder, "Statistics");
      json_builder_add_value (builder, hcs_statistics_to_node (props->statistics));
    }
  if (props->process_list != NULL)
    {
      json_builder_set_member_name (builder, "ProcessList");
      json_builder_add_value (builder, hcs_process_list_to_node (props->process_list));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

HcsContainerProperties *
hcs_container_properties_from_node (JsonNode *node, GError **error)
{
  const char *doc = "ContainerProperties";
  g_autoptr (HcsContainerProperties) props = hcs_container_properties_new ();
  JsonObject *object = expect_object (node, doc, error);
  JsonNode *member;
  gint64 exit_code = 0, pid = 0;

  if (object == NULL)
    return NULL;
  if (!read_string (object, doc, "Id", &props->id, error) ||
      !read_string (object, doc, "Name", &props->name, error) ||
      !read_string (object, doc, "SystemType", &props->system_type, error) ||
      !read_string (object, doc, "Owner", &props->owner, error) ||
      !read_string (object, doc, "RuntimeOsType", &props->runtime_os_type, error) ||
      !read_string (object, doc, "Isolation", &props->isolation, error) ||
      !read_string (object, doc, "State", &props->state, error) ||
      !read_boolean (object, doc, "Stopped", &props->stopped, error) ||
      !read_string (object, doc, "ExitType", &props->exit_type, error) ||
      !read_int (object, doc, "ExitCode", G_MININT, G_MAXINT, &exit_code, error) ||
      !read_int (object, doc, "InitProcessId", 0, G_MAXUINT32, &pid, error) ||
      !read_time (object, doc, "Created", &props->created, error))
    return NULL;
  props->exit_code = exit_code;
  props->init_process_id = pid;
  member = find_member (object, "Statistics");
  if (member != NULL && (props->statistics = hcs_statistics_from_node (member, error)) == NULL)
    return NULL;
  return g_steal_pointer (&props);
}

/* --- ComputeSystemQuery --------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (HcsComputeSystemQuery, hcs_compute_system_query,
                     hcs_compute_system_query_copy, hcs_compute_system_query_free)

HcsComputeSystemQuery *
hcs_compute_system_query_new (void)
{
  return g_new0 (HcsComputeSystemQuery, 1);
}

HcsComputeSystemQuery *
hcs_compute_system_query_copy (const HcsComputeSystemQuery *query)
{
  HcsComputeSystemQuery *copy;

  if (query == NULL)
    return NULL;
  copy = hcs_compute_system_query_new ();
  copy->ids = g_strdupv (query->ids);
  copy->names = g_strdupv (query->names);
  copy->types = g_strdupv (query->types);
  copy->owners = g_strdupv (query->owners);
  return copy;
}

void
hcs_compute_system_query_free (HcsComputeSystemQuery *query)
{
  if (query == NULL)
    return;
  g_strfreev (query->ids);
  g_strfreev (query->names);
  g_strfreev (query->types);
  g_strfreev (query->owners);
  g_free (query);
}

HcsComputeSystemQuery *
hcs_compute_system_query_from_json (const char *json, GError **error)
{
  const char *doc = "ComputeSystemQuery";
  g_autoptr (JsonNode) node = parse_text (json, doc, error);
  g_autoptr (HcsComputeSystemQuery) query = hcs_compute_system_query_new ();
  JsonObject *object;

  if (node == NULL || (object = expect_object (node, doc, error)) == NULL)
    return NULL;
  if (!read_strv (object, doc, "IDs", &query->ids, error) ||
      !read_strv (object, doc, "Names", &query->names, error) ||
      !read_strv (object, doc, "Types", &query->types, error) ||
      !read_strv (object, doc, "Owners", &query->owners, error))
    return NULL;
  return g_steal_pointer (&query);
}

JsonNode *
hcs_compute_system_query_to_node (const HcsComputeSystemQuery *query)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  write_strv (builder, "IDs", query->ids);
  write_strv (builder, "Names", query->names);
  write_strv (builder, "Types", query->types);
  write_strv (builder, "Owners", query->owners);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
filter_matches (GStrv filter, const char *value)
{
  return filter == NULL || filter[0] == NULL ||
         (value != NULL && g_strv_contains ((const char *const *) filter, value));
}

gboolean
hcs_compute_system_query_matches (const HcsComputeSystemQuery *query,
                                  const HcsContainerProperties *props)
{
  if (query == NULL)
    return TRUE;
  return filter_matches (query->ids, props->id) && filter_matches (query->names, props->name) &&
         filter_matches (query->types, props->system_type) &&
         filter_matches (query->owners, props->owner);
}

/* --- resource updates ------------------------------------------------------------- */

gboolean
hcs_resource_update_from_json (const char *json, HcsResourceUpdate *update, GError **error)
{
  const char *doc = "ResourceUpdate";
  g_autoptr (JsonNode) node = parse_text (json, doc, error);
  JsonObject *object;
  HcsResourceUpdate result = HCS_RESOURCE_UPDATE_INIT;

  if (node == NULL || (object = expect_object (node, doc, error)) == NULL)
    return FALSE;
  if (!read_int (object, doc, "MemoryMaximumInMB", 0, G_MAXINT64 / (1024 * 1024),
                 &result.memory_maximum_in_mb, error) ||
      !read_int (object, doc, "ProcessorCount", 0, 1024, &result.processor_count, error) ||
      !read_int (object, doc, "ProcessorWeight", 0, 10000, &result.processor_weight, error) ||
      !read_int (object, doc, "ProcessorMaximum", 0, 10000, &result.processor_maximum, error) ||
      !read_int (object, doc, "StorageIOPSMaximum", 0, G_MAXINT64, &result.storage_iops_maximum,
                 error) ||
      !read_int (object, doc, "StorageBandwidthMaximum", 0, G_MAXINT64,
                 &result.storage_bandwidth_maximum, error) ||
      !read_int (object, doc, "PidsMaximum", 0, G_MAXINT64, &result.pids_maximum, error))
    return FALSE;
  *update = result;
  return TRUE;
}
