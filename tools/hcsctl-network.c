/* hcsctl-network.c: `hcsctl network` and `hcsctl endpoint`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcsctl-private.h"

#include <stdio.h>
#include <string.h>

/* A network by id or by name (the id is the name's GUID). */
HcsNetwork *
hcsctl_find_network (HcsHost *host, const char *id_or_name, GError **error)
{
  g_autofree char *by_name = hcs_name_to_guid (id_or_name);
  HcsNetwork *network = hcs_host_open_network (host, by_name, NULL);

  return network ? network : hcs_host_open_network (host, id_or_name, error);
}

static int
network_usage (FILE *stream, int code)
{
  fprintf (stream,
           "Usage: hcsctl network COMMAND ...\n\n"
           "  create [--type NAT|Internal] --subnet PREFIX [--gateway ADDRESS] NAME\n"
           "  create --file HNS.json     an HNS network request\n"
           "  ls [--format table|json]\n"
           "  inspect ID|NAME            the network as HNS shows it (JSON)\n"
           "  rm [--force] ID|NAME       the network (with --force, its endpoints too)\n");
  return code;
}

static const HcsctlSubcommand network_commands[] = {
  { { "network create", "NAME", "create a host network",
      "Makes a bridge with the subnet's gateway address on it; NAT networks also\n"
      "masquerade their traffic (nftables). --file takes an HNS network request\n"
      "instead (then NAME is not given). Prints the network's id." },
    "type subnet gateway file" },
  { { "network ls", "", "list the networks", NULL }, "format" },
  { { "network inspect", "ID|NAME", "print the network as HNS shows it (JSON)", NULL }, NULL },
  { { "network rm", "ID|NAME", "remove a network (with --force, its endpoints too)", NULL },
    "force" },
};

int
hcsctl_cmd_network (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autofree char *type = NULL, *subnet = NULL, *gateway = NULL, *file = NULL, *format = NULL;
  gboolean force = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, "NAT (default) or Internal", "TYPE" },
    { "subnet", 0, 0, G_OPTION_ARG_STRING, &subnet, "Address prefix", "PREFIX" },
    { "gateway", 0, 0, G_OPTION_ARG_STRING, &gateway, "Gateway address", "ADDRESS" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "HNS network JSON", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "table or json", "FORMAT" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Remove its endpoints too", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  const char *verb;
  guint n;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    return network_usage (argc < 2 ? stderr : stdout, argc < 2 ? 2 : 0);
  verb = argv[1];
  if (hcsctl_wants_help_anywhere (argc - 1, argv + 1, entries))
    {
      const HcsctlSubcommand *command =
          hcsctl_find_subcommand (network_commands, G_N_ELEMENTS (network_commands), verb);
      if (command == NULL)
        {
          g_printerr ("hcsctl: network: unknown command '%s'\n", verb);
          return network_usage (stderr, 2);
        }
      hcsctl_print_subcommand_help (command, entries);
      return 0;
    }
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, FALSE);
  argv[1] = argv[0];
  argc--;
  argv++;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("hcsctl: network %s: %s\n", verb, error->message);
      return 2;
    }
  n = rest ? g_strv_length (rest) : 0;
  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_fail ("network", error);

  if (g_str_equal (verb, "create") && (n == 1 || (n == 0 && file != NULL)))
    {
      g_autoptr (HcsNetworkConfig) config = NULL;
      g_autoptr (HcsNetwork) network = NULL;
      g_autofree char *json = NULL;

      if (file != NULL)
        {
          if (!g_file_get_contents (file, &json, NULL, &error))
            return hcsctl_fail ("network create", error);
        }
      else
        {
          g_autoptr (JsonBuilder) builder = json_builder_new ();
          g_autoptr (JsonNode) root = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "Name");
          json_builder_add_string_value (builder, rest[0]);
          json_builder_set_member_name (builder, "Type");
          json_builder_add_string_value (builder, type ? type : "NAT");
          json_builder_set_member_name (builder, "Subnets");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          if (subnet)
            {
              json_builder_set_member_name (builder, "AddressPrefix");
              json_builder_add_string_value (builder, subnet);
            }
          if (gateway)
            {
              json_builder_set_member_name (builder, "GatewayAddress");
              json_builder_add_string_value (builder, gateway);
            }
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          json = json_to_string (root, FALSE);
        }
      config = hcs_network_config_from_json (json, &error);
      if (config == NULL)
        return hcsctl_fail ("network create", error);
      network = hcs_host_create_network (host, config, &error);
      if (network == NULL)
        return hcsctl_fail ("network create", error);
      g_print ("%s\n", hcs_network_get_id (network));
      return 0;
    }
  if (g_str_equal (verb, "ls") && n == 0)
    {
      g_autoptr (GPtrArray) networks = hcs_host_list_networks (host, &error);
      if (networks == NULL)
        return hcsctl_fail ("network ls", error);
      if (g_strcmp0 (format, "json") == 0)
        {
          g_autoptr (JsonBuilder) builder = json_builder_new ();
          g_autoptr (JsonNode) root = NULL;
          g_autofree char *text = NULL;

          json_builder_begin_array (builder);
          for (guint i = 0; i < networks->len; i++)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "Id");
              json_builder_add_string_value (builder, hcs_network_get_id (networks->pdata[i]));
              json_builder_set_member_name (builder, "Name");
              json_builder_add_string_value (builder, hcs_network_get_name (networks->pdata[i]));
              json_builder_set_member_name (builder, "Type");
              json_builder_add_string_value (builder,
                                             hcs_network_get_network_type (networks->pdata[i]));
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
          root = json_builder_get_root (builder);
          text = hcs_json_node_to_string (root, TRUE);
          g_print ("%s\n", text);
          return 0;
        }
      g_print ("%-38s %-20s %s\n", "ID", "NAME", "TYPE");
      for (guint i = 0; i < networks->len; i++)
        g_print ("%-38s %-20s %s\n", hcs_network_get_id (networks->pdata[i]),
                 hcs_network_get_name (networks->pdata[i]),
                 hcs_network_get_network_type (networks->pdata[i]));
      return 0;
    }
  if (g_str_equal (verb, "inspect") && n == 1)
    {
      g_autoptr (HcsNetwork) network = hcsctl_find_network (host, rest[0], &error);
      g_autoptr (JsonNode) node = NULL;
      g_autofree char *text = NULL;

      if (network == NULL)
        return hcsctl_fail ("network inspect", error);
      node = hcs_network_to_json (network);
      text = hcs_json_node_to_string (node, TRUE);
      g_print ("%s\n", text);
      return 0;
    }
  if (g_str_equal (verb, "rm") && n == 1)
    {
      g_autoptr (HcsNetwork) network = hcsctl_find_network (host, rest[0], &error);
      if (network == NULL || !hcs_network_remove (network, force, &error))
        return hcsctl_fail ("network rm", error);
      return 0;
    }
  g_printerr ("hcsctl: network: unknown command or wrong arguments: '%s'\n", verb);
  return network_usage (stderr, 2);
}

static int
endpoint_usage (FILE *stream, int code)
{
  fprintf (stream,
           "Usage: hcsctl endpoint COMMAND ...\n\n"
           "  create [--ip ADDRESS] NETWORK NAME   prints the endpoint id and address\n"
           "  ls [--format table|json]\n"
           "  inspect ID                           the endpoint as HNS shows it (JSON)\n"
           "  attach ID NETNS_PATH                 as eth0 in that network namespace\n"
           "  detach ID\n"
           "  portmap ID tcp|udp INTERNAL EXTERNAL (NAT networks)\n"
           "  rm ID\n");
  return code;
}

/* Parsed by hand below; declared for the help. */
static const GOptionEntry endpoint_entries[] = {
  { "ip", 0, 0, G_OPTION_ARG_STRING, NULL, "Address to give it (default: the next free one)",
    "ADDRESS" },
  { "format", 0, 0, G_OPTION_ARG_STRING, NULL, "table or json", "FORMAT" },
  { NULL },
};

static const HcsctlSubcommand endpoint_commands[] = {
  { { "endpoint create", "NETWORK NAME", "create an endpoint of a network",
      "Prints the endpoint's id and address." },
    "ip" },
  { { "endpoint ls", "", "list the endpoints", NULL }, "format" },
  { { "endpoint inspect", "ID", "print the endpoint as HNS shows it (JSON)", NULL }, NULL },
  { { "endpoint attach", "ID NETNS-PATH", "move the endpoint into a network namespace as eth0",
      NULL },
    NULL },
  { { "endpoint detach", "ID", "take the endpoint out of its network namespace", NULL }, NULL },
  { { "endpoint portmap", "ID tcp|udp INTERNAL EXTERNAL",
      "map a host port to the endpoint's port (NAT networks)", NULL },
    NULL },
  { { "endpoint rm", "ID", "remove an endpoint", NULL }, NULL },
};

int
hcsctl_cmd_endpoint (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  const char *ip = NULL;
  int first = 2;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    return endpoint_usage (argc < 2 ? stderr : stdout, argc < 2 ? 2 : 0);
  if (hcsctl_wants_help_anywhere (argc - 1, argv + 1, endpoint_entries))
    {
      const HcsctlSubcommand *command =
          hcsctl_find_subcommand (endpoint_commands, G_N_ELEMENTS (endpoint_commands), argv[1]);
      if (command == NULL)
        {
          g_printerr ("hcsctl: endpoint: unknown command '%s'\n", argv[1]);
          return endpoint_usage (stderr, 2);
        }
      hcsctl_print_subcommand_help (command, endpoint_entries);
      return 0;
    }
  for (int i = 2; i < argc; i++)
    if (argv[i][0] == '-' && !g_str_equal (argv[i], "--ip") && !g_str_equal (argv[i], "--format"))
      {
        g_printerr ("hcsctl: endpoint %s: unknown option '%s'\n", argv[1], argv[i]);
        return 2;
      }
  if (argc > 3 && g_str_equal (argv[2], "--ip"))
    {
      ip = argv[3];
      first = 4;
    }
  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_fail ("endpoint", error);

  if (g_str_equal (argv[1], "create") && argc - first == 2)
    {
      g_autoptr (HcsNetwork) network = hcsctl_find_network (host, argv[first], &error);
      if (network == NULL)
        return hcsctl_fail ("endpoint create", error);
      endpoint = hcs_network_create_endpoint (network, argv[first + 1], ip, &error);
      if (endpoint == NULL)
        return hcsctl_fail ("endpoint create", error);
      g_print ("%s %s\n", hcs_endpoint_get_id (endpoint), hcs_endpoint_get_ip_address (endpoint));
      return 0;
    }
  if (g_str_equal (argv[1], "ls"))
    {
      gboolean json = argc == 4 && g_str_equal (argv[2], "--format") && g_str_equal (argv[3], "json");
      g_autofree char *response = NULL;
      g_autoptr (JsonNode) parsed = NULL;
      JsonArray *endpoints;

      if (argc != 2 && !json)
        return endpoint_usage (stderr, 2);
      response = hcs_host_hns_request (host, "GET", "/endpoints/", NULL, &error);
      if (error != NULL)
        return hcsctl_fail ("endpoint ls", error);
      parsed = json_from_string (response, NULL);
      endpoints = json_object_get_array_member (json_node_get_object (parsed), "Output");
      if (json)
        {
          g_autofree char *text = hcs_json_node_to_string (
              json_object_get_member (json_node_get_object (parsed), "Output"), TRUE);
          g_print ("%s\n", text);
          return 0;
        }
      g_print ("%-38s %-16s %-16s %-18s %s\n", "ID", "NAME", "IP", "MAC", "NETWORK");
      for (guint i = 0; i < json_array_get_length (endpoints); i++)
        {
          JsonObject *e = json_array_get_object_element (endpoints, i);
          g_print ("%-38s %-16s %-16s %-18s %s\n",
                   json_object_get_string_member_with_default (e, "Id", ""),
                   json_object_get_string_member_with_default (e, "Name", ""),
                   json_object_get_string_member_with_default (e, "IPAddress", ""),
                   json_object_get_string_member_with_default (e, "MacAddress", ""),
                   json_object_get_string_member_with_default (e, "VirtualNetworkName", ""));
        }
      return 0;
    }
  if (argc < 3)
    return endpoint_usage (stderr, 2);
  endpoint = hcs_host_open_endpoint (host, argv[2], &error);
  if (endpoint == NULL)
    return hcsctl_fail ("endpoint", error);
  if (g_str_equal (argv[1], "inspect") && argc == 3)
    {
      g_autoptr (JsonNode) node = hcs_endpoint_to_json (endpoint);
      g_autofree char *text = hcs_json_node_to_string (node, TRUE);
      g_print ("%s\n", text);
      return 0;
    }
  if (g_str_equal (argv[1], "attach") && argc == 4)
    return hcs_endpoint_attach (endpoint, argv[3], &error) ? 0 : hcsctl_fail ("endpoint attach", error);
  if (g_str_equal (argv[1], "detach") && argc == 3)
    return hcs_endpoint_detach (endpoint, &error) ? 0 : hcsctl_fail ("endpoint detach", error);
  if (g_str_equal (argv[1], "rm") && argc == 3)
    return hcs_endpoint_remove (endpoint, &error) ? 0 : hcsctl_fail ("endpoint rm", error);
  if (g_str_equal (argv[1], "portmap") && argc == 6)
    {
      guint64 internal_port, external_port;
      if (!g_ascii_string_to_unsigned (argv[4], 10, 1, 65535, &internal_port, &error) ||
          !g_ascii_string_to_unsigned (argv[5], 10, 1, 65535, &external_port, &error))
        return hcsctl_fail ("endpoint portmap", error);
      return hcs_endpoint_add_port_mapping (endpoint, argv[3], internal_port, external_port, &error)
                 ? 0
                 : hcsctl_fail ("endpoint portmap", error);
    }
  g_printerr ("hcsctl: endpoint: unknown command or wrong arguments: '%s'\n", argv[1]);
  return endpoint_usage (stderr, 2);
}

/* `hcsctl hns METHOD PATH [BODY|-]`: HNS's JSON API as hcsshim calls it. */
int
hcsctl_cmd_hns (HcsctlGlobals *globals, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autofree char *body = NULL, *response = NULL;

  static const HcsctlHelp help = {
    "hns", "METHOD PATH [BODY|-]", "send a request to HNS's JSON API",
    "HNS's JSON request API (hcsshim's hnsCall): GET|POST|DELETE on /networks/,\n"
    "/networks/ID, /endpoints/, /endpoints/ID, POST /endpoints/ID/attach\n"
    "({\"ContainerId\": ...}) and /endpoints/ID/detach. BODY - reads the body from\n"
    "stdin. Prints the hnsResponse {\"Success\", \"Error\", \"Output\"}; exits 1 when\n"
    "Success is false."
  };

  if (hcsctl_wants_help_anywhere (argc, argv, NULL))
    {
      hcsctl_print_help (&help, NULL);
      return 0;
    }
  if (argc > 1 && argv[1][0] == '-')
    {
      g_printerr ("hcsctl: hns: unknown option '%s'\n", argv[1]);
      return 2;
    }
  if (argc < 3 || argc > 4)
    {
      g_printerr ("hcsctl: hns: expected METHOD PATH [BODY|-] (see hcsctl hns --help)\n");
      return 2;
    }
  if (argc == 4 && g_str_equal (argv[3], "-"))
    {
      g_autoptr (GString) text = g_string_new (NULL);
      char buffer[4096];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        g_string_append_len (text, buffer, n);
      body = g_string_free (g_steal_pointer (&text), FALSE);
    }
  else if (argc == 4)
    body = g_strdup (argv[3]);
  host = hcsctl_open_host (globals, &error);
  if (host == NULL)
    return hcsctl_fail ("hns", error);
  response = hcs_host_hns_request (host, argv[1], argv[2], body, &error);
  g_print ("%s\n", response);
  return error == NULL ? 0 : 1;
}
