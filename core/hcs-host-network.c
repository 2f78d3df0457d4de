/* hcs-host-network.c: routing network requests to the network drivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-host.h"
#include "hcs-error.h"

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
