/* gcs-network.c: the guest's side of an lcow endpoint.
 *
 * The host hot-adds a virtio-net-pci NIC with the endpoint's MAC before
 * Create, whose ContainerConfig carries hcsshim's LCOWNetworkAdapter for
 * it in NetworkAdapters (docs/protocol.md). Here the NIC is found by that
 * MAC, moved into the container's network namespace and named ethN in
 * one rtnetlink request (a xenon clone's NIC, which has its template's
 * MAC, gets the adapter's first), then given its address, lo and eth up, and a
 * default route via the gateway from a thread that joined the namespace;
 * the DNS settings become the container's /etc/resolv.conf. A host
 * network namespace's interface (plugins/vm/vm-netns.h) brings its
 * further addresses (IPv6 ones too) and routes beside them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gcs-network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NET_DIR "/sys/class/net"
/* A guard against a NIC that never shows, not a timing: the hot-add was
 * answered before Create was sent; the kernel probes it in the meantime. */
#define NIC_WAIT_MS 30000
#define NIC_POLL_MS 20

typedef struct
{
  char *mac;
  struct in_addr address;
  struct in_addr netmask;
  struct in_addr gateway; /* 0: none */
  gboolean has_gateway;
  char *dns_suffix;
  char *dns_servers;
  /* A host network namespace's interface's further addresses and routes
   * (HcsAddresses, HcsRoutes: plugins/vm/vm-netns.h). */
  GArray *addresses; /* Prefix */
  GArray *routes;    /* Route */
} Adapter;

typedef struct
{
  int family;
  guint8 bytes[16];
  guint prefix_length;
} Prefix;

typedef struct
{
  Prefix destination;
  gboolean has_gateway;
  guint8 gateway[16];
} Route;

static void
adapter_clear (Adapter *adapter)
{
  g_free (adapter->mac);
  g_free (adapter->dns_suffix);
  g_free (adapter->dns_servers);
  g_clear_pointer (&adapter->addresses, g_array_unref);
  g_clear_pointer (&adapter->routes, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Adapter, adapter_clear)

static gboolean
invalid (GError **error, guint index, const char *field, const char *why)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "gcs: ContainerConfig.NetworkAdapters[%u].%s: %s", index, field, why);
  return FALSE;
}

/* "ADDRESS/PREFIX", IPv4 or IPv6. */
static gboolean
parse_prefix (const char *text, Prefix *prefix)
{
  g_auto (GStrv) parts = g_strsplit (text, "/", 2);
  guint64 length;

  if (parts[0] == NULL || parts[1] == NULL ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 128, &length, NULL))
    return FALSE;
  prefix->family = strchr (parts[0], ':') != NULL ? AF_INET6 : AF_INET;
  prefix->prefix_length = (guint) length;
  return inet_pton (prefix->family, parts[0], prefix->bytes) == 1 &&
         length <= (prefix->family == AF_INET ? 32 : 128);
}

static gboolean
extras_from_object (JsonObject *object, guint index, Adapter *adapter, GError **error)
{
  JsonNode *addresses = json_object_get_member (object, "HcsAddresses");
  JsonNode *routes = json_object_get_member (object, "HcsRoutes");

  adapter->addresses = g_array_new (FALSE, TRUE, sizeof (Prefix));
  adapter->routes = g_array_new (FALSE, TRUE, sizeof (Route));
  if (addresses != NULL && !JSON_NODE_HOLDS_ARRAY (addresses))
    return invalid (error, index, "HcsAddresses", "not an array");
  for (guint i = 0; addresses != NULL && i < json_array_get_length (json_node_get_array (addresses));
       i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (addresses), i);
      Prefix prefix = { 0 };

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
          !parse_prefix (json_node_get_string (node), &prefix))
        return invalid (error, index, "HcsAddresses", "not ADDRESS/PREFIX");
      g_array_append_val (adapter->addresses, prefix);
    }
  if (routes != NULL && !JSON_NODE_HOLDS_ARRAY (routes))
    return invalid (error, index, "HcsRoutes", "not an array");
  for (guint i = 0; routes != NULL && i < json_array_get_length (json_node_get_array (routes)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (routes), i);
      JsonObject *route_object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *destination = route_object ? json_object_get_string_member_with_default (
                                                   route_object, "Destination", "")
                                             : "";
      const char *gateway = route_object ? json_object_get_string_member_with_default (
                                               route_object, "Gateway", "")
                                         : "";
      Route route = { { 0 } };

      if (!parse_prefix (destination, &route.destination))
        return invalid (error, index, "HcsRoutes", "a Destination that is not ADDRESS/PREFIX");
      route.has_gateway = *gateway != '\0';
      if (route.has_gateway && inet_pton (route.destination.family, gateway, route.gateway) != 1)
        return invalid (error, index, "HcsRoutes", "a Gateway of another family");
      g_array_append_val (adapter->routes, route);
    }
  return TRUE;
}

static gboolean
adapter_from_object (JsonObject *object, guint index, Adapter *adapter, GError **error)
{
  const char *mac = json_object_get_string_member_with_default (object, "MacAddress", "");
  const char *address = json_object_get_string_member_with_default (object, "IPAddress", "");
  const char *gateway = json_object_get_string_member_with_default (object, "GatewayAddress", "");
  gint64 prefix_length = json_object_get_int_member_with_default (object, "PrefixLength", -1);

  if (strlen (mac) != 17)
    return invalid (error, index, "MacAddress", "not xx:xx:xx:xx:xx:xx");
  if (inet_pton (AF_INET, address, &adapter->address) != 1)
    return invalid (error, index, "IPAddress", "not an IPv4 address");
  if (prefix_length < 0 || prefix_length > 32)
    return invalid (error, index, "PrefixLength", "not between 0 and 32");
  adapter->has_gateway = *gateway != '\0';
  if (adapter->has_gateway && inet_pton (AF_INET, gateway, &adapter->gateway) != 1)
    return invalid (error, index, "GatewayAddress", "not an IPv4 address");
  adapter->netmask.s_addr =
      prefix_length == 0 ? 0 : htonl (0xffffffffu << (32 - (guint) prefix_length));
  adapter->mac = g_ascii_strdown (mac, -1);
  adapter->dns_suffix =
      g_strdup (json_object_get_string_member_with_default (object, "DNSSuffix", ""));
  adapter->dns_servers =
      g_strdup (json_object_get_string_member_with_default (object, "DNSServerList", ""));
  return extras_from_object (object, index, adapter, error);
}

/* The interface of the guest's own namespace whose MAC is @mac, or NULL. */
static char *
lookup_nic (const char *mac)
{
  g_autoptr (GDir) dir = g_dir_open (NET_DIR, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (NET_DIR, name, "address", NULL);
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) &&
          g_ascii_strncasecmp (g_strstrip (text), mac, 17) == 0)
        return g_strdup (name);
    }
  return NULL;
}

/* The same, waiting for the kernel to probe it. */
static char *
find_nic (const char *mac, GError **error)
{
  for (guint waited = 0; waited < NIC_WAIT_MS; waited += NIC_POLL_MS)
    {
      char *name = lookup_nic (mac);

      if (name != NULL)
        return name;
      g_usleep (NIC_POLL_MS * 1000);
    }
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
               "gcs: no NIC with MAC %s appeared (%d s)", mac, NIC_WAIT_MS / 1000);
  return NULL;
}

/* Gives the NIC @name the MAC @mac (its driver tells the device too). */
static gboolean
set_mac (const char *name, const char *mac, GError **error)
{
  struct ifreq request = { 0 };
  unsigned int bytes[6];
  int sock;
  gboolean ok;

  if (sscanf (mac, "%2x:%2x:%2x:%2x:%2x:%2x", &bytes[0], &bytes[1], &bytes[2], &bytes[3],
              &bytes[4], &bytes[5]) != 6 || strlen (name) >= IFNAMSIZ)
    return invalid (error, 0, "MacAddress", "not xx:xx:xx:xx:xx:xx");
  memcpy (request.ifr_name, name, strlen (name));
  request.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  for (guint i = 0; i < 6; i++)
    request.ifr_hwaddr.sa_data[i] = (char) bytes[i];
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ok = sock >= 0 && ioctl (sock, SIOCSIFHWADDR, &request) == 0;
  if (!ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "gcs: setting the MAC of %s to %s: %s", name, mac, g_strerror (saved_errno));
    }
  if (sock >= 0)
    close (sock);
  return ok;
}

/* The adapter's NIC. A VM restored from a template (xenon) has the NIC
 * with the template's MAC, HcsSlotMacAddress: it gets the adapter's
 * before anything uses it. */
static char *
adapter_nic (JsonObject *object, const Adapter *adapter, GError **error)
{
  const char *slot_mac =
      json_object_get_string_member_with_default (object, "HcsSlotMacAddress", NULL);
  char *nic;

  if (slot_mac == NULL)
    return find_nic (adapter->mac, error);
  /* Booted, not restored: the NIC has the adapter's MAC already. */
  nic = lookup_nic (adapter->mac);
  if (nic != NULL)
    return nic;
  nic = find_nic (slot_mac, error);
  if (nic != NULL && !set_mac (nic, adapter->mac, error))
    g_clear_pointer (&nic, g_free);
  return nic;
}

static void
add_attribute (struct nlmsghdr *header, gsize room, guint16 type, const void *data, gsize length)
{
  struct rtattr *attribute = (struct rtattr *) ((char *) header + NLMSG_ALIGN (header->nlmsg_len));

  g_assert (NLMSG_ALIGN (header->nlmsg_len) + RTA_SPACE (length) <= room);
  attribute->rta_type = type;
  attribute->rta_len = RTA_LENGTH (length);
  memcpy (RTA_DATA (attribute), data, length);
  header->nlmsg_len = NLMSG_ALIGN (header->nlmsg_len) + RTA_ALIGN (attribute->rta_len);
}

/* One RTM_NEWLINK: into the namespace of @netns_fd, renamed @new_name
 * (the kernel moves first, then renames in the new namespace). */
static gboolean
move_nic (const char *name, int netns_fd, const char *new_name, GError **error)
{
  struct
  {
    struct nlmsghdr header;
    struct ifinfomsg info;
    char attributes[128];
  } request = { 0 };
  struct
  {
    struct nlmsghdr header;
    struct nlmsgerr error;
    char rest[256];
  } reply;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  guint32 fd = (guint32) netns_fd;
  unsigned int index = if_nametoindex (name);
  int saved_errno = 0;
  ssize_t length;
  int sock;

  if (index == 0)
    {
      saved_errno = errno;
      goto fail;
    }
  request.header.nlmsg_len = NLMSG_LENGTH (sizeof request.info);
  request.header.nlmsg_type = RTM_NEWLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.header.nlmsg_seq = 1;
  request.info.ifi_family = AF_UNSPEC;
  request.info.ifi_index = (int) index;
  add_attribute (&request.header, sizeof request, IFLA_NET_NS_FD, &fd, sizeof fd);
  add_attribute (&request.header, sizeof request, IFLA_IFNAME, new_name, strlen (new_name) + 1);

  sock = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0)
    {
      saved_errno = errno;
      goto fail;
    }
  if (sendto (sock, &request, request.header.nlmsg_len, 0, (struct sockaddr *) &kernel,
              sizeof kernel) < 0)
    saved_errno = errno;
  else if ((length = recv (sock, &reply, sizeof reply, 0)) < 0)
    saved_errno = errno;
  else if ((gsize) length < sizeof reply.header + sizeof reply.error ||
           reply.header.nlmsg_type != NLMSG_ERROR)
    saved_errno = EPROTO;
  else
    saved_errno = -reply.error.error;
  close (sock);
  if (saved_errno == 0)
    return TRUE;
fail:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "gcs: moving NIC %s into the container's namespace as %s: %s", name, new_name,
               g_strerror (saved_errno));
  return FALSE;
}

typedef struct
{
  int netns_fd;
  const char *name;
  const Adapter *adapter;
  GError *error;
} Configure;

static gboolean
set_flags_up (int sock, const char *name, GError **error)
{
  struct ifreq request = { 0 };

  g_strlcpy (request.ifr_name, name, IFNAMSIZ);
  if (ioctl (sock, SIOCGIFFLAGS, &request) < 0 ||
      (request.ifr_flags |= IFF_UP, ioctl (sock, SIOCSIFFLAGS, &request) < 0))
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "gcs: %s up: %s",
                   name, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_inet (int sock, const char *name, unsigned long request_code, struct in_addr value,
          const char *what, GError **error)
{
  struct ifreq request = { 0 };
  struct sockaddr_in *inet = (struct sockaddr_in *) &request.ifr_addr;

  g_strlcpy (request.ifr_name, name, IFNAMSIZ);
  inet->sin_family = AF_INET;
  inet->sin_addr = value;
  if (ioctl (sock, request_code, &request) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "gcs: %s %s: %s",
                   name, what, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_default_route (int sock, const char *name, struct in_addr gateway, GError **error)
{
  struct rtentry route = { 0 };
  struct sockaddr_in *inet;

  inet = (struct sockaddr_in *) &route.rt_dst;
  inet->sin_family = AF_INET;
  inet = (struct sockaddr_in *) &route.rt_genmask;
  inet->sin_family = AF_INET;
  inet = (struct sockaddr_in *) &route.rt_gateway;
  inet->sin_family = AF_INET;
  inet->sin_addr = gateway;
  route.rt_flags = RTF_UP | RTF_GATEWAY;
  route.rt_dev = (char *) name;
  if (ioctl (sock, SIOCADDRT, &route) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "gcs: %s: default route: %s", name, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* One rtnetlink request on @sock, its acknowledgement awaited. */
static gboolean
netlink_call (int sock, struct nlmsghdr *request, const char *what, GError **error)
{
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  struct
  {
    struct nlmsghdr header;
    struct nlmsgerr error;
    char rest[256];
  } reply;
  ssize_t length;
  int saved_errno;

  if (sendto (sock, request, request->nlmsg_len, 0, (struct sockaddr *) &kernel,
              sizeof kernel) < 0)
    saved_errno = errno;
  else if ((length = recv (sock, &reply, sizeof reply, 0)) < 0)
    saved_errno = errno;
  else if ((gsize) length < sizeof reply.header + sizeof reply.error ||
           reply.header.nlmsg_type != NLMSG_ERROR)
    saved_errno = EPROTO;
  else
    saved_errno = -reply.error.error;
  if (saved_errno == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "gcs: %s: %s", what,
               g_strerror (saved_errno));
  return FALSE;
}

static gsize
address_size (int family)
{
  return family == AF_INET ? 4 : 16;
}

/* The further addresses and the routes of @adapter on @ifindex, in the
 * calling thread's namespace. IPv6 addresses without duplicate address
 * detection: the host's namespace had them already. */
static gboolean
add_extras (const Adapter *adapter, const char *name, GError **error)
{
  unsigned int ifindex = if_nametoindex (name);
  int sock;
  gboolean ok = TRUE;

  if (adapter->addresses->len == 0 && adapter->routes->len == 0)
    return TRUE;
  sock = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0 || ifindex == 0)
    {
      int saved_errno = errno;

      if (sock >= 0)
        close (sock);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "gcs: %s: %s", name,
                   g_strerror (saved_errno));
      return FALSE;
    }
  for (guint i = 0; ok && i < adapter->addresses->len; i++)
    {
      const Prefix *prefix = &g_array_index (adapter->addresses, Prefix, i);
      struct
      {
        struct nlmsghdr header;
        struct ifaddrmsg info;
        char attributes[64];
      } request = { 0 };

      request.header.nlmsg_len = NLMSG_LENGTH (sizeof request.info);
      request.header.nlmsg_type = RTM_NEWADDR;
      request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
      request.info.ifa_family = (guint8) prefix->family;
      request.info.ifa_prefixlen = (guint8) prefix->prefix_length;
      request.info.ifa_flags = prefix->family == AF_INET6 ? IFA_F_NODAD : 0;
      request.info.ifa_index = ifindex;
      add_attribute (&request.header, sizeof request, IFA_LOCAL, prefix->bytes,
                     address_size (prefix->family));
      add_attribute (&request.header, sizeof request, IFA_ADDRESS, prefix->bytes,
                     address_size (prefix->family));
      ok = netlink_call (sock, &request.header, "adding an address", error);
    }
  for (guint i = 0; ok && i < adapter->routes->len; i++)
    {
      const Route *route = &g_array_index (adapter->routes, Route, i);
      guint32 oif = ifindex;
      struct
      {
        struct nlmsghdr header;
        struct rtmsg info;
        char attributes[96];
      } request = { 0 };

      request.header.nlmsg_len = NLMSG_LENGTH (sizeof request.info);
      request.header.nlmsg_type = RTM_NEWROUTE;
      request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
      request.info.rtm_family = (guint8) route->destination.family;
      request.info.rtm_dst_len = (guint8) route->destination.prefix_length;
      request.info.rtm_table = RT_TABLE_MAIN;
      request.info.rtm_protocol = RTPROT_STATIC;
      request.info.rtm_scope = route->has_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
      request.info.rtm_type = RTN_UNICAST;
      if (route->destination.prefix_length > 0)
        add_attribute (&request.header, sizeof request, RTA_DST, route->destination.bytes,
                       address_size (route->destination.family));
      if (route->has_gateway)
        add_attribute (&request.header, sizeof request, RTA_GATEWAY, route->gateway,
                       address_size (route->destination.family));
      add_attribute (&request.header, sizeof request, RTA_OIF, &oif, sizeof oif);
      ok = netlink_call (sock, &request.header, "adding a route", error);
    }
  close (sock);
  return ok;
}

/* In a thread of its own that joins the container's namespace (a
 * thread's network namespace is its own; it ends with the thread). */
static gpointer
configure_thread (gpointer data)
{
  Configure *configure = data;
  const Adapter *adapter = configure->adapter;
  int sock;

  if (setns (configure->netns_fd, CLONE_NEWNET) < 0)
    {
      int saved_errno = errno;

      g_set_error (&configure->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "gcs: joining the container's network namespace: %s",
                   g_strerror (saved_errno));
      return NULL;
    }
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    {
      int saved_errno = errno;

      g_set_error (&configure->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "gcs: socket: %s", g_strerror (saved_errno));
      return NULL;
    }
  if (set_flags_up (sock, "lo", &configure->error) &&
      set_inet (sock, configure->name, SIOCSIFADDR, adapter->address, "address",
                &configure->error) &&
      set_inet (sock, configure->name, SIOCSIFNETMASK, adapter->netmask, "netmask",
                &configure->error) &&
      set_flags_up (sock, configure->name, &configure->error) &&
      (!adapter->has_gateway ||
       add_default_route (sock, configure->name, adapter->gateway, &configure->error)))
    add_extras (adapter, configure->name, &configure->error);
  close (sock);
  return NULL;
}

/* /etc/resolv.conf of the container whose init is @pid, resolved inside
 * its root (openat2 RESOLVE_IN_ROOT): an image's symlink stays inside. */
static gboolean
write_resolv_conf (guint32 pid, const Adapter *adapter, GError **error)
{
  g_autofree char *root_path = g_strdup_printf ("/proc/%u/root", pid);
  g_autoptr (GString) text = g_string_new ("# written by hcs-gcs from the network's DNS\n");
  g_auto (GStrv) servers = g_strsplit (adapter->dns_servers, ",", -1);
  struct open_how how = { .flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                          .mode = 0644,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int root, fd, saved_errno = 0;
  gboolean any = FALSE;

  for (guint i = 0; servers[i] != NULL; i++)
    {
      g_strstrip (servers[i]);
      if (*servers[i] == '\0' || strpbrk (servers[i], " \t\n") != NULL)
        continue;
      g_string_append_printf (text, "nameserver %s\n", servers[i]);
      any = TRUE;
    }
  if (*adapter->dns_suffix != '\0' && strpbrk (adapter->dns_suffix, " \t\n") == NULL)
    {
      g_string_append_printf (text, "search %s\n", adapter->dns_suffix);
      any = TRUE;
    }
  if (!any)
    return TRUE;
  root = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    saved_errno = errno;
  else
    {
      fd = (int) syscall (SYS_openat2, root, "etc/resolv.conf", &how, sizeof how);
      if (fd < 0)
        saved_errno = errno;
      else
        {
          if (write (fd, text->str, text->len) != (ssize_t) text->len)
            saved_errno = errno ? errno : EIO;
          close (fd);
        }
      close (root);
    }
  if (saved_errno == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "gcs: the container's /etc/resolv.conf: %s", g_strerror (saved_errno));
  return FALSE;
}

gboolean
gcs_network_setup (JsonNode *config_node, guint32 pid, GError **error)
{
  JsonObject *config = JSON_NODE_HOLDS_OBJECT (config_node) ? json_node_get_object (config_node)
                                                            : NULL;
  JsonNode *adapters_node = config ? json_object_get_member (config, "NetworkAdapters") : NULL;
  JsonArray *adapters;
  g_autofree char *netns_path = g_strdup_printf ("/proc/%u/ns/net", pid);
  int netns_fd;
  gboolean ok = TRUE;

  if (adapters_node == NULL || JSON_NODE_HOLDS_NULL (adapters_node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (adapters_node))
    return invalid (error, 0, "", "NetworkAdapters is not an array");
  adapters = json_node_get_array (adapters_node);
  if (json_array_get_length (adapters) == 0)
    return TRUE;
  netns_fd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (netns_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "gcs: %s: %s",
                   netns_path, g_strerror (saved_errno));
      return FALSE;
    }
  for (guint i = 0; ok && i < json_array_get_length (adapters); i++)
    {
      JsonNode *node = json_array_get_element (adapters, i);
      g_auto (Adapter) adapter = { 0 };
      g_autofree char *nic = NULL;
      g_autofree char *name = g_strdup_printf ("eth%u", i);
      Configure configure = { netns_fd, name, &adapter, NULL };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        ok = invalid (error, i, "", "not an object");
      else if (!adapter_from_object (json_node_get_object (node), i, &adapter, error) ||
               (nic = adapter_nic (json_node_get_object (node), &adapter, error)) == NULL ||
               !move_nic (nic, netns_fd, name, error))
        ok = FALSE;
      else
        {
          g_thread_join (g_thread_new ("gcs-network", configure_thread, &configure));
          if (configure.error != NULL)
            {
              g_propagate_error (error, configure.error);
              ok = FALSE;
            }
          else
            ok = write_resolv_conf (pid, &adapter, error);
        }
    }
  close (netns_fd);
  return ok;
}
