/* hcsctl-layer.c: `hcsctl layer`, the layer store from the command line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcsctl-private.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static HcsLayerStore *
open_store (HcsctlGlobals *globals, GError **error)
{
  g_autoptr (HcsHost) host = hcsctl_open_host (globals, error);

  if (host == NULL)
    return NULL;
  return hcs_layer_store_new (hcs_state_get_layer_dir (hcs_host_get_state (host)), error);
}

static JsonNode *
info_to_node (const HcsLayerInfo *info, const char *path)
{
  JsonNode *node = hcs_layer_info_to_node (info);

  if (path != NULL)
    json_object_set_string_member (json_node_get_object (node), "Path", path);
  return node;
}

typedef struct {
  gint64 start;
  gboolean shown;
} Progress;

/* "\r  42.0 MB, 1234 entries (12.3 MB/s, 456 entries/s)" on a terminal. */
static void
show_progress (guint64 bytes, guint64 entries, gpointer data)
{
  Progress *progress = data;
  double seconds = MAX ((g_get_monotonic_time () - progress->start) / 1e6, 0.001);

  fprintf (stderr, "\r  %.1f MB, %" G_GUINT64_FORMAT " entries (%.1f MB/s, %.0f entries/s)   ",
           bytes / 1e6, entries, bytes / 1e6 / seconds, entries / seconds);
  progress->shown = TRUE;
}

static int
layer_usage (FILE *stream, int code)
{
  fprintf (stream,
           "Usage: hcsctl layer COMMAND ...\n\n"
           "  import [--parent ID] [--digest sha256:…] [--allow-devices] ID ARCHIVE\n"
           "                         import an OCI layer tar (plain, gzip, zstd, …)\n"
           "  export ID FILE         write the layer as an OCI layer tar\n"
           "  create [--parent ID] ID    an empty read-only layer\n"
           "  ls [--format table|json]   list the layers\n"
           "  inspect [--format json|table] ID   one layer, with the folder of its files\n"
           "  chain ID               the file folders of ID and its parents, top first\n"
           "  scratch [--parent ID] [--size MB] ID\n"
           "                         a writable scratch layer, size-limited with --size\n"
           "  expand ID MB           grow a size-limited scratch layer (ExpandSandboxSize)\n"
           "  mount ID               activate a scratch layer; prints its folder\n"
           "  unmount ID             release one activation\n"
           "  rm [--force] ID        remove a layer (not a parent, unless --force)\n"
           "  gc [KEEP_ID…]          remove every layer not kept, not a parent of a kept\n"
           "                         one and not mounted\n\n"
           "The store is [host] layer-dir of the runtime options (default "
           HCS_DEFAULT_LAYER_DIR ").\n");
  return code;
}

static const HcsctlSubcommand layer_commands[] = {
  { { "layer import", "ID ARCHIVE", "import an OCI layer tar (plain, gzip, zstd, …)",
      "Imports the archive as layer ID, whiteouts applied over --parent, and\n"
      "prints the id and the diff id (sha256 of the uncompressed tar)." },
    "parent digest allow-devices" },
  { { "layer export", "ID FILE", "write the layer as an OCI layer tar", NULL }, NULL },
  { { "layer create", "ID", "make an empty read-only layer", NULL }, "parent" },
  { { "layer ls", "", "list the layers", NULL }, "format" },
  { { "layer inspect", "ID", "show one layer, with the folder of its files", NULL }, "format" },
  { { "layer chain", "ID", "print the file folders of ID and its parents, top first", NULL },
    NULL },
  { { "layer scratch", "ID", "make a writable scratch layer",
      "A scratch layer is a container's writable top; --size limits it." },
    "parent size" },
  { { "layer expand", "ID MB", "grow a size-limited scratch layer (ExpandSandboxSize)", NULL },
    NULL },
  { { "layer mount", "ID", "activate a scratch layer and print its folder", NULL }, NULL },
  { { "layer unmount", "ID", "release one activation of a layer", NULL }, NULL },
  { { "layer rm", "ID", "remove a layer (not a parent, unless --force)", NULL }, "force" },
  { { "layer gc", "[KEEP-ID…]", "remove every layer not kept",
      "Removes every layer that is not kept, not a parent of a kept one and not\n"
      "mounted, and prints what it removed." },
    NULL },
};

int
hcsctl_cmd_layer (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsLayerStore) store = NULL;
  g_autofree char *parent = NULL, *digest = NULL, *format = NULL;
  gboolean allow_devices = FALSE, force = FALSE;
  gint64 size_mb = 0;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "parent", 0, 0, G_OPTION_ARG_STRING, &parent, "Parent layer", "ID" },
    { "digest", 0, 0, G_OPTION_ARG_STRING, &digest, "Expected diff id", "sha256:…" },
    { "allow-devices", 0, 0, G_OPTION_ARG_NONE, &allow_devices, "Keep device nodes", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "table or json", "FORMAT" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Remove even a parent", NULL },
    { "size", 0, 0, G_OPTION_ARG_INT64, &size_mb, "Scratch size limit in MiB", "MB" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = NULL;
  const char *verb;
  guint n;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    return layer_usage (argc < 2 ? stderr : stdout, argc < 2 ? 2 : 0);
  verb = argv[1];
  if (hcsctl_wants_help_anywhere (argc - 1, argv + 1, entries))
    {
      const HcsctlSubcommand *command =
          hcsctl_find_subcommand (layer_commands, G_N_ELEMENTS (layer_commands), verb);
      if (command == NULL)
        {
          g_printerr ("hcsctl: layer: unknown command '%s'\n", verb);
          return layer_usage (stderr, 2);
        }
      hcsctl_print_subcommand_help (command, entries);
      return 0;
    }
  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, FALSE);
  argv[1] = argv[0];
  argc--;
  argv++;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("hcsctl: layer %s: %s\n", verb, error->message);
      return 2;
    }
  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "table"))
    {
      g_printerr ("hcsctl: layer %s: --format: '%s' is neither table nor json\n", verb, format);
      return 2;
    }
  n = rest ? g_strv_length (rest) : 0;

  store = open_store (globals, &error);
  if (store == NULL)
    return hcsctl_fail ("layer", error);

  if (g_str_equal (verb, "import") && n == 2)
    {
      /* A progress line only for a person at a terminal. */
      Progress progress = { g_get_monotonic_time (), FALSE };
      g_autoptr (HcsLayerInfo) info = hcs_layer_store_import_with_progress (
          store, rest[0], parent, rest[1], digest,
          allow_devices ? HCS_LAYER_IMPORT_ALLOW_DEVICES : HCS_LAYER_IMPORT_NONE,
          isatty (STDERR_FILENO) ? show_progress : NULL, &progress, &error);
      if (progress.shown)
        fputc ('\n', stderr);
      if (info == NULL)
        return hcsctl_fail ("layer import", error);
      g_print ("%s %s\n", info->id, info->diff_id);
      return 0;
    }
  if (g_str_equal (verb, "export") && n == 2)
    {
      Progress progress = { g_get_monotonic_time (), FALSE };
      gboolean ok = hcs_layer_store_export_with_progress (
          store, rest[0], rest[1], isatty (STDERR_FILENO) ? show_progress : NULL, &progress,
          &error);
      if (progress.shown)
        fputc ('\n', stderr);
      return ok ? 0 : hcsctl_fail ("layer export", error);
    }
  if (g_str_equal (verb, "expand") && n == 2)
    {
      guint64 mb;
      if (!g_ascii_string_to_unsigned (rest[1], 10, 1, G_MAXUINT32, &mb, NULL))
        {
          g_printerr ("hcsctl: layer expand: '%s' is not a size in MiB\n", rest[1]);
          return 2;
        }
      return hcs_layer_store_expand_scratch (store, rest[0], mb * 1024 * 1024, &error)
                 ? 0
                 : hcsctl_fail ("layer expand", error);
    }
  if (g_str_equal (verb, "create") && n == 1)
    {
      g_autoptr (HcsLayerWriter) writer = hcs_layer_store_new_writer (store, rest[0], parent, &error);
      g_autoptr (HcsLayerInfo) info = writer ? hcs_layer_writer_commit (writer, &error) : NULL;
      if (info == NULL)
        return hcsctl_fail ("layer create", error);
      g_print ("%s %s\n", info->id, info->diff_id);
      return 0;
    }
  if (g_str_equal (verb, "scratch") && n == 1)
    {
      g_autoptr (HcsLayerInfo) info = NULL;
      if (size_mb < 0)
        {
          g_printerr ("hcsctl: layer scratch: --size must not be negative\n");
          return 2;
        }
      info = hcs_layer_store_create_scratch (store, rest[0], parent,
                                             (guint64) size_mb * 1024 * 1024, &error);
      return info ? 0 : hcsctl_fail ("layer scratch", error);
    }
  if (g_str_equal (verb, "mount") && n == 1)
    {
      g_autofree char *folder = hcs_layer_store_activate (store, rest[0], &error);
      if (folder == NULL)
        return hcsctl_fail ("layer mount", error);
      g_print ("%s\n", folder);
      return 0;
    }
  if (g_str_equal (verb, "unmount") && n == 1)
    return hcs_layer_store_deactivate (store, rest[0], &error)
               ? 0
               : hcsctl_fail ("layer unmount", error);
  if (g_str_equal (verb, "gc"))
    {
      g_auto (GStrv) removed = NULL;
      if (!hcs_layer_store_collect_garbage (store, (const char *const *) rest, &removed, &error))
        return hcsctl_fail ("layer gc", error);
      for (guint i = 0; removed[i]; i++)
        g_print ("removed %s\n", removed[i]);
      return 0;
    }
  if (g_str_equal (verb, "rm") && n == 1)
    return hcs_layer_store_destroy (store, rest[0], force, &error)
               ? 0
               : hcsctl_fail ("layer rm", error);
  if (g_str_equal (verb, "chain") && n == 1)
    {
      g_auto (GStrv) chain = hcs_layer_store_get_chain_paths (store, rest[0], &error);
      if (chain == NULL)
        return hcsctl_fail ("layer chain", error);
      for (guint i = 0; chain[i]; i++)
        g_print ("%s\n", chain[i]);
      return 0;
    }
  if (g_str_equal (verb, "inspect") && n == 1)
    {
      g_autoptr (HcsLayerInfo) info = hcs_layer_store_inspect (store, rest[0], &error);
      g_autofree char *path = NULL, *text = NULL;
      g_autoptr (JsonNode) node = NULL;

      if (info == NULL)
        return hcsctl_fail ("layer inspect", error);
      path = hcs_layer_store_get_mount_path (store, info->id);
      if (g_strcmp0 (format, "table") == 0)
        {
          g_print ("Id:      %s\nParent:  %s\nDiffId:  %s\nSize:    %" G_GUINT64_FORMAT
                   "\nPath:    %s\n",
                   info->id, info->parent ? info->parent : "-", info->diff_id, info->size, path);
          return 0;
        }
      node = info_to_node (info, path);
      text = hcs_json_node_to_string (node, TRUE);
      g_print ("%s\n", text);
      return 0;
    }
  if (g_str_equal (verb, "ls") && n == 0)
    {
      g_autoptr (GPtrArray) layers = hcs_layer_store_list (store, &error);
      g_auto (GStrv) interrupted = hcs_layer_store_list_interrupted (store);

      if (layers == NULL)
        return hcsctl_fail ("layer ls", error);
      if (g_strcmp0 (format, "json") == 0)
        {
          g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
          JsonArray *array = json_array_new ();
          g_autofree char *text = NULL;

          for (guint i = 0; i < layers->len; i++)
            json_array_add_element (array, info_to_node (layers->pdata[i], NULL));
          /* Imports killed part way, until `layer rm ID` removes them. */
          for (guint i = 0; interrupted[i]; i++)
            {
              JsonObject *object = json_object_new ();
              json_object_set_string_member (object, "Id", interrupted[i]);
              json_object_set_boolean_member (object, "Interrupted", TRUE);
              json_array_add_object_element (array, object);
            }
          json_node_take_array (node, array);
          text = hcs_json_node_to_string (node, TRUE);
          g_print ("%s\n", text);
          return 0;
        }
      g_print ("%-24s %-24s %-20s %s\n", "ID", "PARENT", "SIZE", "DIFF ID");
      for (guint i = 0; i < layers->len; i++)
        {
          HcsLayerInfo *info = layers->pdata[i];
          g_print ("%-24s %-24s %-20" G_GUINT64_FORMAT " %s\n", info->id,
                   info->parent ? info->parent : "-", info->size, info->diff_id);
        }
      for (guint i = 0; interrupted[i]; i++)
        g_print ("%-24s %-24s %-20s %s\n", interrupted[i], "-", "-",
                 "(interrupted import: hcsctl layer rm removes it)");
      return 0;
    }
  g_printerr ("hcsctl: layer: unknown command or wrong arguments: '%s'\n", verb);
  return layer_usage (stderr, 2);
}
