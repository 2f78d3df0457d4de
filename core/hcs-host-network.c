/* hcs-host-network.c: routing network requests to the network drivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-host.h"
#include "hcs-error.h"
#include "hcs-plugin-private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

HcsNetwork *
hcs_host_create_network (HcsHost *self, const HcsNetworkConfig *config, GError **error)
{
  GPtrArray *drivers = hcs_host_get_network_drivers (self);
  g_autoptr (GString) known = g_string_new (NULL);
  g_autofree char *id = NULL;
  g_autofree char *refused = NULL;

  g_return_val_if_fail (config != NULL && config->name != NULL, NULL);
  id = hcs_name_to_guid (config->name);
  for (guint i = 0; i < drivers->len; i++)
    {
      const char *const *types = hcs_network_driver_get_network_types (drivers->pdata[i]);
      for (guint j = 0; types && types[j]; j++)
        {
          if (g_ascii_strcasecmp (types[j], config->network_type) == 0)
            return hcs_network_driver_create_network (drivers->pdata[i], id, config, error);
          g_string_append_printf (known, "%s%s", known->len ? ", " : "", types[j]);
        }
    }
  refused = hcs_host_describe_refused_plugins (self);
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "HNSNetwork.Type: '%s' is not provided by any loaded plugin (loaded: %s)%s",
               config->network_type, known->len ? known->str : "none", refused);
  return NULL;
}

HcsNetwork *
hcs_host_open_network (HcsHost *self, const char *id, GError **error)
{
  GPtrArray *drivers = hcs_host_get_network_drivers (self);

  for (guint i = 0; i < drivers->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      HcsNetwork *network = hcs_network_driver_open_network (drivers->pdata[i], id, &local_error);
      if (network != NULL)
        return network;
      if (!hcs_error_is_not_exist (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "network '%s' does not exist",
               id ? id : "");
  return NULL;
}

GPtrArray *
hcs_host_list_networks (HcsHost *self, GError **error)
{
  GPtrArray *drivers = hcs_host_get_network_drivers (self);
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < drivers->len; i++)
    {
      g_autoptr (GPtrArray) listed = hcs_network_driver_list_networks (drivers->pdata[i], error);
      if (listed == NULL)
        return NULL;
      for (guint j = 0; j < listed->len; j++)
        g_ptr_array_add (all, g_object_ref (listed->pdata[j]));
    }
  return g_steal_pointer (&all);
}

HcsEndpoint *
hcs_host_open_endpoint (HcsHost *self, const char *id, GError **error)
{
  g_autoptr (GPtrArray) networks = hcs_host_list_networks (self, error);

  if (networks == NULL)
    return NULL;
  for (guint i = 0; i < networks->len; i++)
    {
      HcsEndpoint *endpoint = hcs_network_get_endpoint (networks->pdata[i], id, NULL);
      if (endpoint != NULL)
        return endpoint;
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "endpoint '%s' does not exist",
               id ? id : "");
  return NULL;
}

/* Writes /etc/resolv.conf of the container whose init is @pid, resolved
 * inside its root (openat2 RESOLVE_IN_ROOT): a symlink in the image can
 * never send the write to the host. */
static gboolean
write_resolv_conf (guint32 pid, HcsEndpoint *endpoint, GError **error)
{
  const char *servers = hcs_endpoint_get_dns_server_list (endpoint);
  const char *suffix = hcs_endpoint_get_dns_suffix (endpoint);
  g_autofree char *root_path = g_strdup_printf ("/proc/%u/root", pid);
  g_autoptr (GString) text = g_string_new ("# written by hcs from the network's DNS settings\n");
  g_auto (GStrv) list = NULL;
  struct open_how how = { .flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                          .mode = 0644,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int root, fd;
  gboolean ok;

  if (servers == NULL && suffix == NULL)
    return TRUE;
  if (suffix != NULL)
    g_string_append_printf (text, "search %s\n", suffix);
  list = servers ? g_strsplit (servers, ",", -1) : NULL;
  for (guint i = 0; list && list[i]; i++)
    g_string_append_printf (text, "nameserver %s\n", g_strstrip (list[i]));

  root = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return hcs_set_error_from_errno (error, errno, "opening the root of process %u", pid);
  fd = (int) syscall (SYS_openat2, root, "etc/resolv.conf", &how, sizeof how);
  close (root);
  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "writing /etc/resolv.conf of process %u", pid);
  ok = write (fd, text->str, text->len) == (gssize) text->len;
  close (fd);
  if (!ok)
    return hcs_set_error_from_errno (error, errno, "writing /etc/resolv.conf of process %u", pid);
  return TRUE;
}

gboolean
hcs_host_attach_endpoints (HcsHost *self, HcsContainer *container, const char *const *endpoint_ids,
                           GError **error)
{
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autofree char *netns = NULL;

  if (endpoint_ids == NULL || endpoint_ids[0] == NULL)
    return TRUE;
  props = hcs_container_query_properties (container, error);
  if (props == NULL)
    return FALSE;
  netns = g_strdup_printf ("/proc/%u/ns/net", props->init_process_id);
  for (guint i = 0; endpoint_ids[i]; i++)
    {
      g_autoptr (HcsEndpoint) endpoint = hcs_host_open_endpoint (self, endpoint_ids[i], error);
      if (endpoint == NULL || !hcs_endpoint_attach (endpoint, netns, error) ||
          !write_resolv_conf (props->init_process_id, endpoint, error))
        {
          g_prefix_error (error, "ContainerConfig.EndpointList[%u]: ", i);
          return FALSE;
        }
    }
  return TRUE;
}

/* A system whose driver takes endpoints itself (a VM's NICs) has no
 * namespace of the host's to put them in: its init's pid is a guest's. */
static gboolean
check_host_namespace (HcsHost *self, HcsContainer *container, GError **error)
{
  g_autoptr (HcsContainerProperties) props = hcs_container_query_properties (container, NULL);
  HcsIsolationDriver *driver = props != NULL && props->isolation != NULL
                                   ? hcs_host_get_isolation_driver (self, props->isolation, NULL)
                                   : NULL;

  if (driver == NULL || !hcs_driver_get_takes_endpoints (driver))
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "Network: compute system '%s' (isolation %s) takes its endpoints at create only",
               hcs_container_get_id (container), props->isolation);
  return FALSE;
}

gboolean
hcs_host_modify_container (HcsHost *self, HcsContainer *container, const char *request,
                           GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) node = json_from_string (request ? request : "", &local_error);
  JsonObject *object;
  const char *resource, *operation, *endpoint_id;

  g_return_val_if_fail (HCS_IS_HOST (self), FALSE);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "modify request: not a JSON object%s%s",
                   local_error ? ": " : "", local_error ? local_error->message : "");
      return FALSE;
    }
  object = json_node_get_object (node);
  resource = json_object_get_string_member_with_default (object, "Resource", NULL);
  if (resource == NULL)
    {
      /* Not a resource request: the limits of a resource update. */
      HcsResourceUpdate update = HCS_RESOURCE_UPDATE_INIT;
      return hcs_resource_update_from_json (request, &update, error) &&
             hcs_container_modify (container, &update, error);
    }
  if (g_ascii_strcasecmp (resource, "Network") != 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "modify request: Resource '%s' (Network, or a resource update)", resource);
      return FALSE;
    }
  if (!check_host_namespace (self, container, error))
    {
      g_prefix_error (error, "modify request: ");
      return FALSE;
    }
  operation = json_object_get_string_member_with_default (object, "Request", "");
  endpoint_id = json_object_get_string_member_with_default (object, "Data", NULL);
  if (endpoint_id == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "modify request: Data (the endpoint id) is missing");
      return FALSE;
    }
  if (g_ascii_strcasecmp (operation, "Add") == 0)
    {
      const char *ids[2] = { endpoint_id, NULL };
      return hcs_host_attach_endpoints (self, container, ids, error);
    }
  if (g_ascii_strcasecmp (operation, "Remove") == 0)
    {
      g_autoptr (HcsEndpoint) endpoint = hcs_host_open_endpoint (self, endpoint_id, error);
      g_autoptr (HcsContainerProperties) props = NULL;
      g_autoptr (JsonNode) shown = NULL;
      g_autofree char *netns = NULL;
      const char *attached;

      if (endpoint == NULL || (props = hcs_container_query_properties (container, error)) == NULL)
        return FALSE;
      netns = g_strdup_printf ("/proc/%u/ns/net", props->init_process_id);
      shown = hcs_endpoint_to_json (endpoint);
      attached = json_object_get_string_member_with_default (json_node_get_object (shown),
                                                             "Namespace", NULL);
      if (g_strcmp0 (attached, netns) != 0)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE,
                       "modify request: endpoint %s is not attached to compute system '%s'",
                       endpoint_id, hcs_container_get_id (container));
          return FALSE;
        }
      return hcs_endpoint_detach (endpoint, error);
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "modify request: Request '%s' (Add or Remove)", operation);
  return FALSE;
}

/* --- HNS's JSON request API ---------------------------------------------------------- */

static JsonNode *
parse_request_body (const char *method, const char *path, const char *request, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  JsonNode *node;

  if (request == NULL || *request == '\0')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "%s %s: a request body is needed",
                   method, path);
      return NULL;
    }
  node = json_from_string (request, &local_error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON,
                   "%s %s: the body is not a JSON object%s%s", method, path,
                   local_error ? ": " : "", local_error ? local_error->message : "");
      g_clear_pointer (&node, json_node_unref);
      return NULL;
    }
  return node;
}

static JsonNode *
array_node (JsonArray *array)
{
  JsonNode *node = json_node_init_array (json_node_alloc (), array);

  json_array_unref (array);
  return node;
}

static JsonNode *
list_output (HcsHost *self, gboolean endpoints, GError **error)
{
  g_autoptr (GPtrArray) networks = hcs_host_list_networks (self, error);
  JsonArray *array;

  if (networks == NULL)
    return NULL;
  array = json_array_new ();
  for (guint i = 0; i < networks->len; i++)
    {
      g_autoptr (GPtrArray) members = NULL;

      if (!endpoints)
        {
          json_array_add_element (array, hcs_network_to_json (networks->pdata[i]));
          continue;
        }
      members = hcs_network_list_endpoints (networks->pdata[i]);
      for (guint j = 0; j < members->len; j++)
        json_array_add_element (array, hcs_endpoint_to_json (members->pdata[j]));
    }
  return array_node (array);
}

static JsonNode *
create_endpoint (HcsHost *self, JsonObject *request, GError **error)
{
  const char *network_id = json_object_get_string_member_with_default (request, "VirtualNetwork",
                                                                       NULL);
  const char *network_name =
      json_object_get_string_member_with_default (request, "VirtualNetworkName", NULL);
  const char *ip = json_object_get_string_member_with_default (request, "IPAddress", NULL);
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  JsonNode *policies = json_object_get_member (request, "Policies");

  if (network_id == NULL && network_name != NULL)
    {
      g_autofree char *by_name = hcs_name_to_guid (network_name);
      network = hcs_host_open_network (self, by_name, error);
    }
  else if (network_id != NULL)
    network = hcs_host_open_network (self, network_id, error);
  else
    g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                 "HNSEndpoint: VirtualNetwork (or VirtualNetworkName) is needed");
  if (network == NULL)
    return NULL;
  if (policies != NULL && !JSON_NODE_HOLDS_ARRAY (policies))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "HNSEndpoint.Policies: not an array");
      return NULL;
    }
  endpoint = hcs_network_create_endpoint (
      network, json_object_get_string_member_with_default (request, "Name", ""),
      ip && *ip ? ip : NULL, error);
  if (endpoint == NULL)
    return NULL;
  /* All or nothing: an endpoint whose policies fail is not kept. */
  if ((json_object_get_boolean_member_with_default (request, "DisableICC", FALSE) &&
       !hcs_endpoint_set_disable_icc (endpoint, TRUE, error)) ||
      (policies != NULL &&
       !hcs_endpoint_apply_policies (endpoint, json_node_get_array (policies), error)))
    {
      hcs_endpoint_remove (endpoint, NULL);
      return NULL;
    }
  return hcs_endpoint_to_json (endpoint);
}

/* Attach or detach by container, as hcsshim's HotAttach does. */
static gboolean
endpoint_attach (HcsHost *self, HcsEndpoint *endpoint, JsonObject *request, gboolean attach,
                 GError **error)
{
  const char *container_id;
  g_autoptr (HcsContainer) container = NULL;
  const char *ids[2] = { hcs_endpoint_get_id (endpoint), NULL };

  if (!attach)
    return hcs_endpoint_detach (endpoint, error);
  container_id = json_object_get_string_member_with_default (request, "ContainerId", NULL);
  if (container_id == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "EndpointAttachRequest: ContainerId is needed");
      return FALSE;
    }
  container = hcs_host_open_container (self, container_id, error);
  return container != NULL && check_host_namespace (self, container, error) &&
         hcs_host_attach_endpoints (self, container, ids, error);
}

static JsonNode *
dispatch (HcsHost *self, const char *method, const char *path, const char *request,
          GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (JsonNode) body = NULL;
  guint n;
  gboolean get = g_ascii_strcasecmp (method, "GET") == 0;
  gboolean post = g_ascii_strcasecmp (method, "POST") == 0;
  gboolean delete = g_ascii_strcasecmp (method, "DELETE") == 0;

  if (!get && !post && !delete)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "HNS request: method '%s' (GET, POST or DELETE)", method);
      return NULL;
    }
  /* "/networks/", "/networks/ID", "/endpoints/ID/attach" ... */
  parts = g_strsplit (path[0] == '/' ? path + 1 : path, "/", -1);
  n = g_strv_length (parts);
  if (n > 0 && *parts[n - 1] == '\0')
    {
      g_free (parts[n - 1]);
      parts[--n] = NULL;
    }

  if (n >= 1 && g_str_equal (parts[0], "networks") && n <= 2)
    {
      g_autoptr (HcsNetwork) network = NULL;

      if (n == 1 && get)
        return list_output (self, FALSE, error);
      if (n == 1 && post)
        {
          g_autoptr (HcsNetworkConfig) config = NULL;

          if (request == NULL || *request == '\0')
            return parse_request_body (method, path, request, error);
          config = hcs_network_config_from_json (request, error);
          if (config == NULL)
            return NULL;
          network = hcs_host_create_network (self, config, error);
          return network ? hcs_network_to_json (network) : NULL;
        }
      if (n == 2 && (get || delete))
        {
          network = hcs_host_open_network (self, parts[1], error);
          if (network == NULL)
            return NULL;
          if (get)
            return hcs_network_to_json (network);
          return hcs_network_remove (network, FALSE, error) ? json_node_new (JSON_NODE_NULL)
                                                           : NULL;
        }
    }
  else if (n >= 1 && g_str_equal (parts[0], "endpoints") && n <= 3)
    {
      g_autoptr (HcsEndpoint) endpoint = NULL;

      if (n == 1 && get)
        return list_output (self, TRUE, error);
      if (n == 1 && post)
        {
          body = parse_request_body (method, path, request, error);
          return body ? create_endpoint (self, json_node_get_object (body), error) : NULL;
        }
      if (n >= 2)
        {
          endpoint = hcs_host_open_endpoint (self, parts[1], error);
          if (endpoint == NULL)
            return NULL;
        }
      if (n == 2 && get)
        return hcs_endpoint_to_json (endpoint);
      if (n == 2 && delete)
        return hcs_endpoint_remove (endpoint, error) ? json_node_new (JSON_NODE_NULL) : NULL;
      if (n == 3 && post && (g_str_equal (parts[2], "attach") || g_str_equal (parts[2], "detach")))
        {
          gboolean attach = g_str_equal (parts[2], "attach");

          body = attach ? parse_request_body (method, path, request, error)
                        : json_node_init_object (json_node_alloc (), NULL);
          if (body == NULL ||
              !endpoint_attach (self, endpoint,
                                attach ? json_node_get_object (body) : NULL, attach, error))
            return NULL;
          return hcs_endpoint_to_json (endpoint);
        }
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "HNS request: %s %s: no such request (GET, POST /networks/, GET, DELETE "
               "/networks/ID, GET, POST /endpoints/, GET, DELETE /endpoints/ID, POST "
               "/endpoints/ID/attach|detach)", method, path);
  return NULL;
}

char *
hcs_host_hns_request (HcsHost *self, const char *method, const char *path, const char *request,
                      GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonNode *output;

  g_return_val_if_fail (HCS_IS_HOST (self), NULL);
  g_return_val_if_fail (method != NULL && path != NULL, NULL);

  output = dispatch (self, method, path, request, &local_error);
  /* hcsshim's hnsResponse: {"Success", "Error", "Output"}. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Success");
  json_builder_add_boolean_value (builder, output != NULL);
  if (output == NULL)
    {
      json_builder_set_member_name (builder, "Error");
      json_builder_add_string_value (builder, local_error->message);
    }
  else
    {
      json_builder_set_member_name (builder, "Output");
      json_builder_add_value (builder, output);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return json_to_string (root, FALSE);
}
