/* hns-netlink.c: links, addresses and routes through rtnetlink (libnl).
 *
 * Work inside another network namespace runs on a thread of its own that
 * joins the namespace with setns(): a namespace switch belongs to one
 * thread, so the host application's other threads never see it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hns-private.h"

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/route.h>
#include <netlink/route/tc.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

typedef struct nl_sock NlSocket;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NlSocket, nl_socket_free)
typedef struct rtnl_link RtnlLink;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtnlLink, rtnl_link_put)

static gboolean
netlink_error (GError **error, int result, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
netlink_error (GError **error, int result, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, HCS_ERROR, result == -NLE_EXIST ? HCS_ERROR_ALREADY_EXISTS : HCS_ERROR_FAILED,
               "hns: %s: %s", what, nl_geterror (result));
  return FALSE;
}

static NlSocket *
open_route_socket (GError **error)
{
  g_autoptr (NlSocket) sock = nl_socket_alloc ();
  int result;

  if (sock == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "hns: netlink: out of memory");
      return NULL;
    }
  if ((result = nl_connect (sock, NETLINK_ROUTE)) < 0)
    return netlink_error (error, result, "connecting to rtnetlink"), NULL;
  return g_steal_pointer (&sock);
}

static gboolean
set_up (NlSocket *sock, const char *name, int master_index, const char *new_name,
        const char *mac, GError **error)
{
  g_autoptr (RtnlLink) link = NULL, change = rtnl_link_alloc ();
  int result;

  if ((result = rtnl_link_get_kernel (sock, 0, name, &link)) < 0)
    return netlink_error (error, result, "finding link %s", name);
  if (master_index > 0)
    rtnl_link_set_master (change, master_index);
  if (new_name != NULL)
    rtnl_link_set_name (change, new_name);
  if (mac != NULL)
    {
      struct nl_addr *address = NULL;
      if ((result = nl_addr_parse (mac, AF_LLC, &address)) < 0)
        return netlink_error (error, result, "MAC address %s", mac);
      rtnl_link_set_addr (change, address);
      nl_addr_put (address);
    }
  rtnl_link_set_flags (change, IFF_UP);
  if ((result = rtnl_link_change (sock, link, change, 0)) < 0)
    return netlink_error (error, result, "bringing up %s", name);
  return TRUE;
}

static gboolean
add_address (NlSocket *sock, const char *name, guint32 address, guint prefix_length,
             GError **error)
{
  g_autofree char *address_text = hns_address_to_string (address);
  g_autofree char *text = g_strdup_printf ("%s/%u", address_text, prefix_length);
  struct rtnl_addr *addr = rtnl_addr_alloc ();
  struct nl_addr *local = NULL;
  int result;

  {
    g_autoptr (RtnlLink) link = NULL;
    if ((result = rtnl_link_get_kernel (sock, 0, name, &link)) < 0)
      {
        rtnl_addr_put (addr);
        return netlink_error (error, result, "finding link %s", name);
      }
    rtnl_addr_set_ifindex (addr, rtnl_link_get_ifindex (link));
  }
  nl_addr_parse (text, AF_INET, &local);
  rtnl_addr_set_local (addr, local);
  result = rtnl_addr_add (sock, addr, 0);
  nl_addr_put (local);
  rtnl_addr_put (addr);
  if (result < 0)
    return netlink_error (error, result, "adding %s to %s", text, name);
  return TRUE;
}

gboolean
hns_netlink_link_exists (const char *name)
{
  g_autoptr (NlSocket) sock = open_route_socket (NULL);
  g_autoptr (RtnlLink) link = NULL;

  return sock != NULL && rtnl_link_get_kernel (sock, 0, name, &link) == 0;
}

gboolean
hns_netlink_get_master (const char *name, char **master, GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) link = NULL;
  char master_name[IFNAMSIZ];
  int result, master_index;

  *master = NULL;
  if (sock == NULL)
    return FALSE;
  if ((result = rtnl_link_get_kernel (sock, 0, name, &link)) < 0)
    {
      if (result == -NLE_OBJ_NOTFOUND || result == -NLE_NODEV)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                       "hns: no interface '%s' on the host", name);
          return FALSE;
        }
      return netlink_error (error, result, "finding link %s", name);
    }
  master_index = rtnl_link_get_master (link);
  if (master_index > 0)
    *master = g_strdup (if_indextoname ((unsigned int) master_index, master_name));
  return TRUE;
}

/* A link hcs makes on the host takes no router advertisement, makes no
 * SLAAC address and follows no redirect: whatever an endpoint sends, it
 * cannot give the host a route or an address. Set before the link is up,
 * so nothing arrives first; a host without IPv6 has nothing to set. */
gboolean
hns_sysctl_refuse_router_advertisements (const char *name, GError **error)
{
  static const char *const keys[] = { "accept_ra", "autoconf", "accept_redirects" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/%s", name, keys[i]);
      int fd = open (path, O_WRONLY | O_CLOEXEC);

      if (fd < 0 && errno == ENOENT)
        return TRUE;
      if (fd < 0 || write (fd, "0", 1) != 1)
        {
          int saved_errno = errno;
          if (fd >= 0)
            close (fd);
          return hcs_set_error_from_errno (error, saved_errno, "hns: %s: setting %s to 0", name,
                                           path);
        }
      close (fd);
    }
  return TRUE;
}

gboolean
hns_netlink_create_bridge (const char *name, guint32 address, guint prefix_length,
                           GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) bridge = rtnl_link_bridge_alloc ();
  int result;

  if (sock == NULL)
    return FALSE;
  rtnl_link_set_name (bridge, name);
  if ((result = rtnl_link_add (sock, bridge, NLM_F_CREATE | NLM_F_EXCL)) < 0)
    return netlink_error (error, result, "creating bridge %s", name);
  if (!hns_sysctl_refuse_router_advertisements (name, error) ||
      (address != 0 && !add_address (sock, name, address, prefix_length, error)) ||
      !set_up (sock, name, 0, NULL, NULL, error))
    {
      hns_netlink_delete_link (name, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
hns_netlink_delete_link (const char *name, GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) link = NULL;
  int result;

  if (sock == NULL)
    return FALSE;
  if ((result = rtnl_link_get_kernel (sock, 0, name, &link)) < 0)
    return result == -NLE_NODEV || result == -NLE_OBJ_NOTFOUND
               ? TRUE
               : netlink_error (error, result, "finding link %s", name);
  if ((result = rtnl_link_delete (sock, link)) < 0)
    return netlink_error (error, result, "deleting link %s", name);
  return TRUE;
}

/* The pair @name (on @bridge, up) and @peer, the peer born in the
 * namespace at @netns_fd (-1: this one), as the CNI bridge plugin makes
 * it: moving a link between namespaces later costs the kernel an RCU grace
 * period or two. */
static gboolean
create_veth_into (NlSocket *sock, const char *name, const char *peer, const char *bridge,
                  int netns_fd, GError **error)
{
  g_autoptr (RtnlLink) bridge_link = NULL;
  g_autoptr (RtnlLink) link = rtnl_link_veth_alloc ();
  struct rtnl_link *peer_link;
  int result;

  if ((result = rtnl_link_get_kernel (sock, 0, bridge, &bridge_link)) < 0)
    return netlink_error (error, result, "finding bridge %s", bridge);
  peer_link = rtnl_link_veth_get_peer (link);
  rtnl_link_set_name (link, name);
  rtnl_link_set_name (peer_link, peer);
  if (netns_fd >= 0)
    rtnl_link_set_ns_fd (peer_link, netns_fd);
  rtnl_link_put (peer_link);
  if ((result = rtnl_link_add (sock, link, NLM_F_CREATE | NLM_F_EXCL)) < 0)
    return netlink_error (error, result, "creating veth %s/%s", name, peer);
  if (!hns_sysctl_refuse_router_advertisements (name, error) ||
      !set_up (sock, name, rtnl_link_get_ifindex (bridge_link), NULL, NULL, error))
    {
      hns_netlink_delete_link (name, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
hns_netlink_create_veth (const char *name, const char *peer, const char *bridge,
                         GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);

  return sock != NULL && create_veth_into (sock, name, peer, bridge, -1, error);
}


typedef struct {
  const char *peer;
  const char *mac;
  int netns_fd;
  guint32 address;
  guint prefix_length;
  guint32 gateway;
  guint64 max_bytes_per_second; /* 0: no limit */
  GError *error;
} AttachJob;

/* Runs inside the target namespace, on a thread of its own. */
static gpointer
configure_in_namespace (gpointer data)
{
  AttachJob *job = data;
  g_autoptr (NlSocket) sock = NULL;
  g_autoptr (RtnlLink) eth0 = NULL;
  struct rtnl_route *route;
  struct rtnl_nexthop *hop;
  struct nl_addr *gateway = NULL, *destination = NULL;
  g_autofree char *gateway_text = NULL;
  char ifname[IFNAMSIZ];
  gboolean first = TRUE;
  int result;

  if (setns (job->netns_fd, CLONE_NEWNET) < 0)
    {
      hcs_set_error_from_errno (&job->error, errno, "hns: joining the network namespace");
      return NULL;
    }
  sock = open_route_socket (&job->error);
  if (sock == NULL)
    return NULL;
  if (!set_up (sock, "lo", 0, NULL, NULL, &job->error))
    return NULL;
  /* A link must be down to be renamed: the peer arrives down. The first
   * endpoint is eth0; one added to a running container takes the next
   * free ethN and leaves the default route to the first. */
  {
    g_autoptr (RtnlLink) link = NULL, change = rtnl_link_alloc ();
    for (guint n = 0; n < 64; n++)
      {
        g_autoptr (RtnlLink) existing = NULL;
        g_snprintf (ifname, sizeof ifname, "eth%u", n);
        if (rtnl_link_get_kernel (sock, 0, ifname, &existing) < 0)
          break;
        first = FALSE;
      }
    if ((result = rtnl_link_get_kernel (sock, 0, job->peer, &link)) < 0)
      return netlink_error (&job->error, result, "finding %s in the namespace", job->peer), NULL;
    rtnl_link_set_name (change, ifname);
    if ((result = rtnl_link_change (sock, link, change, 0)) < 0)
      return netlink_error (&job->error, result, "renaming %s to %s", job->peer, ifname), NULL;
  }
  if (!set_up (sock, ifname, 0, NULL, job->mac, &job->error) ||
      !add_address (sock, ifname, job->address, job->prefix_length, &job->error))
    return NULL;
  if ((result = rtnl_link_get_kernel (sock, 0, ifname, &eth0)) < 0)
    return netlink_error (&job->error, result, "finding %s", ifname), NULL;

  /* QoS: a token bucket on the interface caps what the endpoint sends. */
  if (job->max_bytes_per_second > 0)
    {
      struct rtnl_qdisc *qdisc = rtnl_qdisc_alloc ();
      guint64 rate = MIN (job->max_bytes_per_second, (guint64) G_MAXINT);

      rtnl_tc_set_ifindex (TC_CAST (qdisc), rtnl_link_get_ifindex (eth0));
      rtnl_tc_set_parent (TC_CAST (qdisc), TC_H_ROOT);
      rtnl_tc_set_kind (TC_CAST (qdisc), "tbf");
      rtnl_qdisc_tbf_set_rate (qdisc, (int) rate, MAX ((int) (rate / 10), 16 * 1024), 0);
      rtnl_qdisc_tbf_set_limit (qdisc, MAX ((int) (rate / 4), 32 * 1024));
      result = rtnl_qdisc_add (sock, qdisc, NLM_F_CREATE);
      rtnl_qdisc_put (qdisc);
      if (result < 0)
        return netlink_error (&job->error, result, "limiting %s to %" G_GUINT64_FORMAT " B/s",
                              ifname, job->max_bytes_per_second),
               NULL;
    }
  if (!first)
    return NULL;

  gateway_text = hns_address_to_string (job->gateway);
  nl_addr_parse (gateway_text, AF_INET, &gateway);
  nl_addr_parse ("0.0.0.0/0", AF_INET, &destination);
  route = rtnl_route_alloc ();
  hop = rtnl_route_nh_alloc ();
  rtnl_route_nh_set_gateway (hop, gateway);
  rtnl_route_nh_set_ifindex (hop, rtnl_link_get_ifindex (eth0));
  rtnl_route_add_nexthop (route, hop);
  rtnl_route_set_family (route, AF_INET);
  rtnl_route_set_dst (route, destination);
  rtnl_route_set_table (route, RT_TABLE_MAIN);
  result = rtnl_route_add (sock, route, 0);
  rtnl_route_put (route);
  nl_addr_put (gateway);
  nl_addr_put (destination);
  if (result < 0)
    netlink_error (&job->error, result, "adding the default route via %s", gateway_text);
  return NULL;
}

gboolean
hns_netlink_attach_peer (const char *peer, const char *netns_path, const char *mac,
                         guint32 address, guint prefix_length, guint32 gateway,
                         guint64 max_bytes_per_second, const char *create_host_link,
                         const char *bridge, GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) link = NULL, change = NULL;
  AttachJob job = { peer, mac, -1, address, prefix_length, gateway, max_bytes_per_second, NULL };
  int result;

  if (sock == NULL)
    return FALSE;
  job.netns_fd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (job.netns_fd < 0)
    return hcs_set_error_from_errno (error, errno, "hns: opening the network namespace %s",
                                     netns_path);
  if (create_host_link != NULL)
    {
      if (!create_veth_into (sock, create_host_link, peer, bridge, job.netns_fd, error))
        {
          close (job.netns_fd);
          return FALSE;
        }
      hns_fault_point ("attach-before-configure");
    }
  else if ((result = rtnl_link_get_kernel (sock, 0, peer, &link)) < 0)
    {
      close (job.netns_fd);
      return netlink_error (error, result, "finding %s", peer);
    }
  else
    {
      change = rtnl_link_alloc ();
      rtnl_link_set_ns_fd (change, job.netns_fd);
      if ((result = rtnl_link_change (sock, link, change, 0)) < 0)
        {
          close (job.netns_fd);
          return netlink_error (error, result, "moving %s into %s", peer, netns_path);
        }
    }
  g_thread_join (g_thread_new ("hns-netns", configure_in_namespace, &job));
  close (job.netns_fd);
  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }
  return TRUE;
}

/* Per network namespace: the calling thread's. */
gboolean
hns_sysctl_enable_forwarding (GError **error)
{
  int fd = open ("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, "1", 1) != 1)
    {
      int saved_errno = errno;
      if (fd >= 0)
        close (fd);
      return hcs_set_error_from_errno (error, saved_errno, "hns: enabling IPv4 forwarding");
    }
  close (fd);
  return TRUE;
}

gboolean
hns_netlink_set_master (const char *name, const char *bridge, GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) link = NULL, bridge_link = NULL, change = rtnl_link_alloc ();
  int result;

  if (sock == NULL)
    return FALSE;
  if ((result = rtnl_link_get_kernel (sock, 0, name, &link)) < 0)
    return netlink_error (error, result, "finding the adapter %s", name);
  if (bridge != NULL)
    {
      if ((result = rtnl_link_get_kernel (sock, 0, bridge, &bridge_link)) < 0)
        return netlink_error (error, result, "finding bridge %s", bridge);
      rtnl_link_set_master (change, rtnl_link_get_ifindex (bridge_link));
      rtnl_link_set_flags (change, IFF_UP);
    }
  else
    rtnl_link_set_master (change, 0);
  if ((result = rtnl_link_change (sock, link, change, 0)) < 0)
    return netlink_error (error, result, "%s %s", bridge ? "bridging" : "releasing", name);
  return TRUE;
}

/* A bridge with no address of its own: the adapter's network is the one
 * the endpoints join. */
gboolean
hns_netlink_create_plain_bridge (const char *name, GError **error)
{
  return hns_netlink_create_bridge (name, 0, 0, error);
}

/* --- VLANs on the bridge (raw rtnetlink: libnl has no setter for them) --- */

static gboolean
send_link_request (NlSocket *sock, int type, int family, int ifindex, struct nl_msg *payload_owner,
                   GError **error, const char *what)
{
  int result = nl_send_auto (sock, payload_owner);

  if (result >= 0)
    result = nl_wait_for_ack (sock);
  if (result < 0)
    return netlink_error (error, result, "%s", what);
  return TRUE;
}

gboolean
hns_netlink_enable_vlan_filtering (const char *bridge, GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) link = NULL;
  struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
  struct nl_msg *msg;
  struct nlattr *linkinfo, *data;
  gboolean ok;
  int result;

  if (sock == NULL)
    return FALSE;
  if ((result = rtnl_link_get_kernel (sock, 0, bridge, &link)) < 0)
    return netlink_error (error, result, "finding bridge %s", bridge);
  info.ifi_index = rtnl_link_get_ifindex (link);
  msg = nlmsg_alloc_simple (RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  nlmsg_append (msg, &info, sizeof info, NLMSG_ALIGNTO);
  linkinfo = nla_nest_start (msg, IFLA_LINKINFO);
  nla_put_string (msg, IFLA_INFO_KIND, "bridge");
  data = nla_nest_start (msg, IFLA_INFO_DATA);
  nla_put_u8 (msg, IFLA_BR_VLAN_FILTERING, 1);
  nla_nest_end (msg, data);
  nla_nest_end (msg, linkinfo);
  result = nl_send_auto (sock, msg);
  if (result >= 0)
    result = nl_wait_for_ack (sock);
  nlmsg_free (msg);
  if (result == -NLE_OPNOTSUPP)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "hns: VlanPolicy: this kernel has no bridge VLAN filtering "
                   "(CONFIG_BRIDGE_VLAN_FILTERING)");
      return FALSE;
    }
  ok = result >= 0 || netlink_error (error, result, "turning on VLAN filtering on %s", bridge);
  return ok;
}

static gboolean
port_vlan (NlSocket *sock, int ifindex, int type, guint16 vid, guint16 flags, GError **error)
{
  struct ifinfomsg info = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
  struct bridge_vlan_info vlan = { .flags = flags, .vid = vid };
  struct nl_msg *msg = nlmsg_alloc_simple (type, NLM_F_REQUEST | NLM_F_ACK);
  struct nlattr *spec;
  g_autofree char *what = g_strdup_printf ("%s VLAN %u on port %d",
                                           type == RTM_SETLINK ? "adding" : "removing", vid,
                                           ifindex);
  gboolean ok;

  nlmsg_append (msg, &info, sizeof info, NLMSG_ALIGNTO);
  spec = nla_nest_start (msg, IFLA_AF_SPEC);
  nla_put (msg, IFLA_BRIDGE_VLAN_INFO, sizeof vlan, &vlan);
  nla_nest_end (msg, spec);
  ok = send_link_request (sock, type, AF_BRIDGE, ifindex, msg, error, what);
  nlmsg_free (msg);
  return ok;
}

/* The port's untagged VLAN becomes @vid, and the default VLAN 1 leaves
 * it, so it meets only the ports of the same VLAN. */
gboolean
hns_netlink_set_port_vlan (const char *port, guint16 vid, GError **error)
{
  g_autoptr (NlSocket) sock = open_route_socket (error);
  g_autoptr (RtnlLink) link = NULL;
  int result;

  if (sock == NULL)
    return FALSE;
  if ((result = rtnl_link_get_kernel (sock, 0, port, &link)) < 0)
    return netlink_error (error, result, "finding port %s", port);
  if (!port_vlan (sock, rtnl_link_get_ifindex (link), RTM_SETLINK, vid,
                  BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED, error))
    return FALSE;
  if (vid != 1 && !port_vlan (sock, rtnl_link_get_ifindex (link), RTM_DELLINK, 1, 0, error))
    return FALSE;
  return TRUE;
}
