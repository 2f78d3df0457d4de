/* lcow-network.c: an hns endpoint as a NIC of the utility VM.
 *
 * The host makes a persistent tap on the endpoint's bridge (the one its
 * HNSEndpoint names in BridgeName), QEMU opens it by name as the netdev of
 * a hot-added virtio-net-pci whose MAC is the endpoint's, and the guest
 * agent finds that NIC by its MAC, moves it into the container's network
 * namespace as eth0 and sets it up from the LCOWNetworkAdapter the host
 * sends in Create (docs/protocol.md). Here: the tap and the adapter; the
 * hot-add is the driver's, in the UVM's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "lcow-private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

void
lcow_nic_free (LcowNic *nic)
{
  g_free (nic->container_id);
  g_free (nic->endpoint_id);
  g_free (nic->name);
  g_free (nic->tap);
  g_free (nic->bridge);
  g_free (nic->mac);
  g_clear_pointer (&nic->adapter, json_object_unref);
  g_free (nic);
}

/* "hcst" and the endpoint id's first 11 letters or digits: an interface
 * name (15 at most) that says whose it is. */
static char *
tap_name_for (const char *endpoint_id)
{
  GString *name = g_string_new ("hcst");

  for (const char *p = endpoint_id; *p != '\0' && name->len < 15; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (name, g_ascii_tolower (*p));
  return g_string_free (name, FALSE);
}

static gboolean
valid_bridge_name (const char *name)
{
  return name != NULL && *name != '\0' && strlen (name) < IFNAMSIZ &&
         strchr (name, '/') == NULL && strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

LcowNic *
lcow_nic_new (const char *container_id, HcsEndpoint *endpoint, GError **error)
{
  g_autoptr (JsonNode) shown = hcs_endpoint_to_json (endpoint);
  JsonObject *object = shown != NULL && JSON_NODE_HOLDS_OBJECT (shown)
                           ? json_node_get_object (shown)
                           : NULL;
  const char *id = hcs_endpoint_get_id (endpoint);
  const char *bridge, *address, *gateway;
  guint64 mac = 0;
  gint64 prefix_length;
  LcowNic *nic;

  bridge = object ? json_object_get_string_member_with_default (object, "BridgeName", NULL) : NULL;
  address = hcs_endpoint_get_ip_address (endpoint);
  gateway = object ? json_object_get_string_member_with_default (object, "GatewayAddress", "")
                   : "";
  prefix_length = object ? json_object_get_int_member_with_default (object, "PrefixLength", -1)
                         : -1;
  if (!valid_bridge_name (bridge))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "lcow: endpoint %s: its network names no bridge a tap can join", id);
      return NULL;
    }
  if (!hcs_parse_mac (hcs_endpoint_get_mac_address (endpoint), &mac))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "lcow: endpoint %s: MAC '%s'", id,
                   hcs_endpoint_get_mac_address (endpoint));
      return NULL;
    }
  if (address == NULL || *address == '\0' || prefix_length < 0 || prefix_length > 32)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "lcow: endpoint %s: no IPv4 address and prefix length", id);
      return NULL;
    }

  nic = g_new0 (LcowNic, 1);
  nic->container_id = g_strdup (container_id);
  nic->endpoint_id = g_strdup (id);
  nic->tap = tap_name_for (id);
  /* The VM's device: named after the tap, unique as it is. */
  nic->name = g_strdup (nic->tap);
  nic->bridge = g_strdup (bridge);
  nic->mac = g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", (guint) (mac >> 40) & 0xff,
                              (guint) (mac >> 32) & 0xff, (guint) (mac >> 24) & 0xff,
                              (guint) (mac >> 16) & 0xff, (guint) (mac >> 8) & 0xff,
                              (guint) mac & 0xff);
  /* hcsshim's LCOWNetworkAdapter. */
  nic->adapter = json_object_new ();
  json_object_set_string_member (nic->adapter, "ID", id);
  json_object_set_string_member (nic->adapter, "MacAddress", nic->mac);
  json_object_set_string_member (nic->adapter, "IPAddress", address);
  json_object_set_int_member (nic->adapter, "PrefixLength", prefix_length);
  json_object_set_string_member (nic->adapter, "GatewayAddress", gateway);
  json_object_set_string_member (nic->adapter, "DNSSuffix",
                                 hcs_endpoint_get_dns_suffix (endpoint)
                                     ? hcs_endpoint_get_dns_suffix (endpoint)
                                     : "");
  json_object_set_string_member (nic->adapter, "DNSServerList",
                                 hcs_endpoint_get_dns_server_list (endpoint)
                                     ? hcs_endpoint_get_dns_server_list (endpoint)
                                     : "");
  return nic;
}

static gboolean
ifreq_set_name (struct ifreq *request, const char *name)
{
  memset (request, 0, sizeof *request);
  if (strlen (name) >= IFNAMSIZ)
    return FALSE;
  memcpy (request->ifr_name, name, strlen (name));
  return TRUE;
}

static gboolean
fail_errno (GError **error, int saved_errno, const char *tap, const char *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "lcow: tap %s: %s: %s",
               tap, what, g_strerror (saved_errno));
  return FALSE;
}

/* An endpoint's host side is no router's client: no RAs, autoconf or
 * redirects taken on it (as hns does for its veths). */
static void
quiet_ipv6 (const char *tap)
{
  static const char *const keys[] = { "accept_ra", "autoconf", "accept_redirects" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/%s", tap, keys[i]);

      /* Absent without IPv6: nothing to quiet then. */
      g_file_set_contents (path, "0", 1, NULL);
    }
}

/* The tap, persistent, on the bridge, up; nothing left on an error. */
static gboolean
tap_create (const LcowNic *nic, int tun, int control, GError **error)
{
  struct ifreq request;
  unsigned int index;

  if (tun < 0)
    return fail_errno (error, errno, nic->tap, "/dev/net/tun");
  /* A tap of this name that exists is another UVM's (held open) or one a
   * crashed host left: that one is deleted and made again, never shared. */
  for (guint attempt = 0;; attempt++)
    {
      if (!ifreq_set_name (&request, nic->tap))
        return fail_errno (error, ENAMETOOLONG, nic->tap, "name");
      request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
      if (ioctl (tun, TUNSETIFF, &request) == 0)
        break;
      if (errno != EBUSY)
        return fail_errno (error, errno, nic->tap, "TUNSETIFF");
      if (attempt > 0 || !lcow_tap_delete (nic->tap))
        return fail_errno (error, EBUSY, nic->tap, "held by another VM (the endpoint is in use)");
    }
  /* It stays once we close it, for QEMU to open by name. */
  if (ioctl (tun, TUNSETPERSIST, 1) < 0)
    return fail_errno (error, errno, nic->tap, "TUNSETPERSIST");
  if (control < 0)
    return fail_errno (error, errno, nic->tap, "socket");
  index = if_nametoindex (nic->tap);
  if (index == 0)
    return fail_errno (error, errno, nic->tap, "if_nametoindex");
  quiet_ipv6 (nic->tap);
  ifreq_set_name (&request, nic->bridge);
  request.ifr_ifindex = (int) index;
  if (ioctl (control, SIOCBRADDIF, &request) < 0)
    {
      int saved_errno = errno;
      g_autofree char *what = g_strdup_printf ("joining bridge %s", nic->bridge);

      return fail_errno (error, saved_errno, nic->tap, what);
    }
  ifreq_set_name (&request, nic->tap);
  if (ioctl (control, SIOCGIFFLAGS, &request) < 0)
    return fail_errno (error, errno, nic->tap, "SIOCGIFFLAGS");
  request.ifr_flags |= IFF_UP;
  if (ioctl (control, SIOCSIFFLAGS, &request) < 0)
    return fail_errno (error, errno, nic->tap, "up");
  return TRUE;
}

gboolean
lcow_tap_create (const LcowNic *nic, GError **error)
{
  int tun = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  int control = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  gboolean ok = tap_create (nic, tun, control, error);

  if (tun >= 0)
    close (tun);
  if (control >= 0)
    close (control);
  if (!ok)
    lcow_tap_delete (nic->tap);
  return ok;
}

/* Takes the persistence back: the tap goes with our descriptor (once
 * QEMU has let it go; QEMU's exit does that too). */
gboolean
lcow_tap_delete (const char *tap)
{
  struct ifreq request;
  gboolean ok;
  int tun;

  if (if_nametoindex (tap) == 0)
    return TRUE;
  if (!ifreq_set_name (&request, tap) || (tun = open ("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0)
    return FALSE;
  request.ifr_flags = IFF_TAP | IFF_NO_PI;
  ok = ioctl (tun, TUNSETIFF, &request) == 0 && ioctl (tun, TUNSETPERSIST, 0) == 0;
  close (tun);
  return ok;
}
