/* fuzz-documents.c: every JSON document parser with the same bytes.
 *
 * A document from a client or a bundle is parsed into hcs's structures;
 * bad JSON, unknown types and values out of range must be errors naming
 * the field, never a crash, a hang or a leak. Each parser that takes the
 * text gets it, and those that take a node get the parsed tree, and what
 * parses is written back out and parsed again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-documents.h"
#include "hcs-network.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
parse_container (const char *text, JsonNode *node)
{
  g_autoptr (HcsContainerConfig) config = hcs_container_config_from_json (text, "/bundle", NULL);
  g_autoptr (HcsContainerConfig) from_node = NULL;

  if (node != NULL)
    from_node = hcs_container_config_from_node (node, NULL, NULL);
  if (config != NULL)
    {
      g_autoptr (HcsContainerConfig) copy = hcs_container_config_copy (config);
      (void) copy;
    }
}

static void
parse_process (const char *text, JsonNode *node)
{
  g_autoptr (HcsProcessConfig) config = hcs_process_config_from_json (text, NULL);
  g_autoptr (HcsProcessConfig) oci = hcs_process_config_from_oci_json (text, NULL);

  if (node != NULL)
    {
      g_autoptr (HcsProcessConfig) from_node = hcs_process_config_from_node (node, NULL);
      (void) from_node;
    }
  /* What parsed is written out and parses again. */
  if (config != NULL)
    {
      g_autoptr (JsonNode) written = hcs_process_config_to_node (config);
      g_autoptr (HcsProcessConfig) again = hcs_process_config_from_node (written, NULL);
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) argv = hcs_process_config_get_argv (config, &error);
      g_assert (again != NULL);
      g_assert (argv != NULL || error != NULL);
    }
}

static void
parse_others (const char *text, JsonNode *node)
{
  g_autoptr (HcsNetworkConfig) network = hcs_network_config_from_json (text, NULL);
  g_autoptr (HcsComputeSystemQuery) query = hcs_compute_system_query_from_json (text, NULL);
  HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;

  hcs_resource_update_from_json (text, &update, NULL);
  if (query != NULL)
    {
      g_autoptr (JsonNode) written = hcs_compute_system_query_to_node (query);
      (void) written;
    }
  if (node != NULL)
    {
      g_autoptr (HcsStatistics) stats = hcs_statistics_from_node (node, NULL);
      g_autoptr (HcsContainerProperties) props = hcs_container_properties_from_node (node, NULL);
      (void) stats;
      (void) props;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *node = NULL;

  /* The text as a string: up to the first NUL, as a caller would have it. */
  if (json_parser_load_from_data (parser, text, -1, NULL))
    node = json_parser_get_root (parser);
  parse_container (text, node);
  parse_process (text, node);
  parse_others (text, node);
  return 0;
}
