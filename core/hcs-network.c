/* hcs-network.c: the HcsNetwork interface (filled by plugins/hns).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-network.h"

G_DEFINE_INTERFACE (HcsNetwork, hcs_network, G_TYPE_OBJECT)

static void
hcs_network_default_init (HcsNetworkInterface *iface)
{
}

const char *
hcs_network_get_id (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_id (self);
}

const char *
hcs_network_get_name (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_name (self);
}

const char *
hcs_network_get_network_type (HcsNetwork *self)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), NULL);
  return HCS_NETWORK_GET_IFACE (self)->get_network_type (self);
}

gboolean
hcs_network_remove (HcsNetwork *self, GError **error)
{
  g_return_val_if_fail (HCS_IS_NETWORK (self), FALSE);
  return HCS_NETWORK_GET_IFACE (self)->remove (self, error);
}
