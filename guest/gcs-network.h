/* gcs-network.h: the guest's side of an lcow endpoint (gcs-network.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Sets up the NICs @config_node's NetworkAdapters name (hcsshim's
 * LCOWNetworkAdapter) in the network namespace of the container whose
 * init is @pid: found by MAC, moved in as eth0, eth1, ..., addressed,
 * routed via the gateway, DNS in its /etc/resolv.conf. None: TRUE. */
gboolean gcs_network_setup (JsonNode *config_node, guint32 pid, GError **error);

G_END_DECLS
