/* hns-util.c: subnets and names.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hns-private.h"

#include <arpa/inet.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

void
hns_fault_point (const char *name)
{
  const char *wanted = g_getenv ("HCS_HNS_KILL_AT");

  if (G_UNLIKELY (wanted != NULL) && g_str_equal (wanted, name))
    kill (getpid (), SIGKILL);
}

char *
hns_address_to_string (guint32 address)
{
  struct in_addr in = { htonl (address) };
  char text[INET_ADDRSTRLEN];

  return g_strdup (inet_ntop (AF_INET, &in, text, sizeof text));
}

static gboolean
parse_address (const char *text, guint32 *address)
{
  struct in_addr in;

  if (text == NULL || inet_pton (AF_INET, text, &in) != 1)
    return FALSE;
  *address = ntohl (in.s_addr);
  return TRUE;
}

gboolean
hns_subnet_parse (const char *prefix, const char *gateway, HnsSubnet *subnet, GError **error)
{
  g_auto (GStrv) parts = NULL;
  guint64 length;
  guint32 mask;

  if (prefix == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "HNSNetwork.Subnets[0].AddressPrefix: missing");
      return FALSE;
    }
  parts = g_strsplit (prefix, "/", 2);
  if (parts[1] == NULL || !parse_address (parts[0], &subnet->network) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 8, 30, &length, NULL))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "HNSNetwork.Subnets[0].AddressPrefix: '%s' is not an IPv4 prefix with a "
                   "length of 8 to 30", prefix);
      return FALSE;
    }
  subnet->prefix_length = length;
  mask = 0xffffffffu << (32 - length);
  subnet->network &= mask;
  if (gateway == NULL)
    subnet->gateway = subnet->network + 1;
  else if (!parse_address (gateway, &subnet->gateway) ||
           (subnet->gateway & mask) != subnet->network || subnet->gateway == subnet->network ||
           subnet->gateway == (subnet->network | ~mask))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "HNSNetwork.Subnets[0].GatewayAddress: '%s' is not a host of %s", gateway,
                   prefix);
      return FALSE;
    }
  return TRUE;
}

char *
hns_bridge_name (const char *network_id)
{
  return g_strdup_printf ("hcs%.8s", network_id);
}
