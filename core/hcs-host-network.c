/* hcs-host-network.c: routing network requests to the network drivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-host.h"
#include "hcs-error.h"

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
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "HNSNetwork.Type: '%s' is not provided by any loaded plugin (loaded: %s)",
               config->network_type, known->len ? known->str : "none");
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
  props = hcs_container_get_properties (container, error);
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
