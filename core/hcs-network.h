/* hcs-network.h: a host network (hcsshim's HNSNetwork); filled by plugins/hns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HCS_TYPE_NETWORK (hcs_network_get_type ())
G_DECLARE_INTERFACE (HcsNetwork, hcs_network, HCS, NETWORK, GObject)

struct _HcsNetworkInterface
{
  GTypeInterface parent_iface;

  const char *(*get_id) (HcsNetwork *self);
  const char *(*get_name) (HcsNetwork *self);
  const char *(*get_network_type) (HcsNetwork *self);
  gboolean (*remove) (HcsNetwork *self, GError **error);
};

const char *hcs_network_get_id (HcsNetwork *self);
const char *hcs_network_get_name (HcsNetwork *self);
const char *hcs_network_get_network_type (HcsNetwork *self);
gboolean hcs_network_remove (HcsNetwork *self, GError **error);

G_END_DECLS
