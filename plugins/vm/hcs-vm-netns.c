/* hcs-vm-netns.c: a tap in a network namespace the host made, mirrored
 * with its interface, for a VM to put behind a NIC (vm-netns.h).
 *
 *   hcs-vm-netns attach NETNS_PATH TAP       (fd 3: a unix socket)
 *   hcs-vm-netns detach NETNS_PATH IFNAME MADE_QDISC
 *
 * A short-lived helper because joining a namespace is no work for a
 * threaded host process (DESIGN.md): it joins the namespace, picks its
 * interface (the first, by index, of type Ethernet with an IPv4 address;
 * its further addresses, IPv6 ones and its routes are reported too),
 * makes the tap there (not persistent: it goes with the last descriptor,
 * so with QEMU), and mirrors the two with tc, as Kata's "tcfilter" model
 * does: an ingress qdisc on each and a match-all u32 filter whose mirred action
 * redirects every frame to the other's egress. The tap's descriptor goes
 * to fd 3 (SCM_RIGHTS), what the VM's NIC needs (the interface's MAC,
 * address, gateway, MTU) to stdout as JSON. detach takes the interface's
 * filter back, and its ingress qdisc when attach made it.
 *
 * Exit status: 0 done; 2 the namespace cannot be used (not one, the
 * host's own, no interface to mirror); 3 its interface is mirrored into a
 * VM already; 1 anything else. The reason on stderr, one line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/addr.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/route.h>
#include <netlink/route/tc.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Our filters' priority on an ingress qdisc: how detach and a later
 * attach (after a killed host) tell them from anyone else's. */
#define MIRROR_PRIO 0xc0de
#define INGRESS_HANDLE TC_HANDLE (0xffff, 0)

enum { EXIT_UNUSABLE = 2, EXIT_IN_USE = 3 };

static int exit_code = EXIT_FAILURE;

static G_GNUC_PRINTF (2, 3) gboolean
fail (int code, const char *format, ...)
{
  va_list args;

  exit_code = code;
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  return FALSE;
}

/* Opens @path and checks it is a network namespace and not our own. */
static int
open_netns (const char *path)
{
  struct statfs fs;
  struct stat ours, theirs;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      fail (EXIT_UNUSABLE, "network namespace %s: %s", path, g_strerror (errno));
      return -1;
    }
  if (fstatfs (fd, &fs) < 0 || fs.f_type != NSFS_MAGIC ||
      ioctl (fd, NS_GET_NSTYPE) != CLONE_NEWNET)
    {
      close (fd);
      fail (EXIT_UNUSABLE, "%s is not a network namespace", path);
      return -1;
    }
  if (stat ("/proc/self/ns/net", &ours) == 0 && fstat (fd, &theirs) == 0 &&
      ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
    {
      close (fd);
      fail (EXIT_UNUSABLE, "%s is the host's own network namespace: its interface cannot "
            "be given to a VM", path);
      return -1;
    }
  return fd;
}

static gboolean
join_netns (const char *path)
{
  int fd = open_netns (path);
  int saved_errno;

  if (fd < 0)
    return FALSE;
  if (setns (fd, CLONE_NEWNET) < 0)
    {
      saved_errno = errno;
      close (fd);
      return fail (EXIT_FAILURE, "joining the network namespace %s: %s", path,
                   g_strerror (saved_errno));
    }
  close (fd);
  return TRUE;
}

static struct nl_sock *
route_socket (void)
{
  struct nl_sock *sock = nl_socket_alloc ();
  int err;

  if (sock == NULL)
    return NULL;
  if ((err = nl_connect (sock, NETLINK_ROUTE)) < 0)
    {
      fail (EXIT_FAILURE, "netlink: %s", nl_geterror (err));
      nl_socket_free (sock);
      return NULL;
    }
  return sock;
}

/* The interface to mirror and what the VM's NIC takes from it. */
typedef struct
{
  int ifindex;
  char name[IFNAMSIZ];
  char mac[18];
  guint mtu;
  char address[INET_ADDRSTRLEN];
  guint prefix_length;
  char gateway[INET_ADDRSTRLEN]; /* "": none */
  GPtrArray *addresses; /* "ADDRESS/PREFIX": its others, IPv4 and IPv6 (global) */
  GPtrArray *routes;    /* "DESTINATION/PREFIX GATEWAY-or-empty": its other routes */
} Mirrored;

typedef struct
{
  Mirrored *chosen;
  struct nl_cache *links;
} AddressSearch;

static void
find_address_cb (struct nl_object *object, void *data)
{
  AddressSearch *search = data;
  struct rtnl_addr *addr = (struct rtnl_addr *) object;
  struct nl_addr *local = rtnl_addr_get_local (addr);
  struct rtnl_link *link;
  struct nl_addr *mac;
  int ifindex = rtnl_addr_get_ifindex (addr);

  if (local == NULL || rtnl_addr_get_family (addr) != AF_INET ||
      rtnl_addr_get_scope (addr) != RT_SCOPE_UNIVERSE)
    return;
  /* The first by index: the same answer however the kernel lists them. */
  if (search->chosen->ifindex != 0 && search->chosen->ifindex <= ifindex)
    return;
  link = rtnl_link_get (search->links, ifindex);
  if (link == NULL)
    return;
  mac = rtnl_link_get_addr (link);
  if (rtnl_link_get_arptype (link) == ARPHRD_ETHER && mac != NULL &&
      nl_addr_get_len (mac) == ETH_ALEN && (rtnl_link_get_flags (link) & IFF_LOOPBACK) == 0 &&
      rtnl_link_get_name (link) != NULL && strlen (rtnl_link_get_name (link)) < IFNAMSIZ)
    {
      const guint8 *bytes = nl_addr_get_binary_addr (mac);

      search->chosen->ifindex = ifindex;
      g_strlcpy (search->chosen->name, rtnl_link_get_name (link), IFNAMSIZ);
      g_snprintf (search->chosen->mac, sizeof search->chosen->mac,
                  "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3],
                  bytes[4], bytes[5]);
      search->chosen->mtu = rtnl_link_get_mtu (link);
      inet_ntop (AF_INET, nl_addr_get_binary_addr (local), search->chosen->address,
                 sizeof search->chosen->address);
      search->chosen->prefix_length = rtnl_addr_get_prefixlen (addr);
    }
  rtnl_link_put (link);
}

/* The IPv4 default route through the chosen interface: the gateway. */
static void
find_gateway_cb (struct nl_object *object, void *data)
{
  Mirrored *chosen = data;
  struct rtnl_route *route = (struct rtnl_route *) object;
  struct nl_addr *dst = rtnl_route_get_dst (route);
  struct rtnl_nexthop *hop;
  struct nl_addr *gateway;

  if (rtnl_route_get_family (route) != AF_INET || rtnl_route_get_table (route) != RT_TABLE_MAIN ||
      (dst != NULL && nl_addr_get_prefixlen (dst) != 0) || chosen->gateway[0] != '\0' ||
      rtnl_route_get_nnexthops (route) < 1)
    return;
  hop = rtnl_route_nexthop_n (route, 0);
  gateway = rtnl_route_nh_get_gateway (hop);
  if (rtnl_route_nh_get_ifindex (hop) == chosen->ifindex && gateway != NULL &&
      nl_addr_get_len (gateway) == 4)
    inet_ntop (AF_INET, nl_addr_get_binary_addr (gateway), chosen->gateway,
               sizeof chosen->gateway);
}

static char *
format_prefix (struct nl_addr *addr)
{
  char text[INET6_ADDRSTRLEN];

  if (inet_ntop (nl_addr_get_family (addr), nl_addr_get_binary_addr (addr), text,
                 sizeof text) == NULL)
    return NULL;
  return g_strdup_printf ("%s/%u", text, nl_addr_get_prefixlen (addr));
}

/* Its addresses beyond the first IPv4 one: further IPv4 ones and the
 * global IPv6 ones (link-local ones the guest makes itself). */
static void
collect_address_cb (struct nl_object *object, void *data)
{
  Mirrored *chosen = data;
  struct rtnl_addr *addr = (struct rtnl_addr *) object;
  struct nl_addr *local = rtnl_addr_get_local (addr);
  char *text;

  if (local == NULL || rtnl_addr_get_ifindex (addr) != chosen->ifindex ||
      rtnl_addr_get_scope (addr) != RT_SCOPE_UNIVERSE)
    return;
  nl_addr_set_prefixlen (local, rtnl_addr_get_prefixlen (addr));
  text = format_prefix (local);
  if (text == NULL)
    return;
  if (rtnl_addr_get_family (addr) == AF_INET &&
      g_str_has_prefix (text, chosen->address) && text[strlen (chosen->address)] == '/')
    g_free (text);
  else
    g_ptr_array_add (chosen->addresses, text);
}

/* Its routes beyond the kernel's own (an address's prefix) and the IPv4
 * default one (GatewayAddress): static ones a CNI plugin or netavark
 * added, IPv6's default. */
static void
collect_route_cb (struct nl_object *object, void *data)
{
  Mirrored *chosen = data;
  struct rtnl_route *route = (struct rtnl_route *) object;
  struct nl_addr *dst = rtnl_route_get_dst (route);
  struct rtnl_nexthop *hop;
  struct nl_addr *gateway;
  int family = rtnl_route_get_family (route);
  char via[INET6_ADDRSTRLEN] = "";
  g_autofree char *destination = NULL;

  if ((family != AF_INET && family != AF_INET6) ||
      rtnl_route_get_table (route) != RT_TABLE_MAIN ||
      rtnl_route_get_protocol (route) == RTPROT_KERNEL ||
      rtnl_route_get_type (route) != RTN_UNICAST || rtnl_route_get_nnexthops (route) != 1)
    return;
  hop = rtnl_route_nexthop_n (route, 0);
  if (rtnl_route_nh_get_ifindex (hop) != chosen->ifindex)
    return;
  if (family == AF_INET && (dst == NULL || nl_addr_get_prefixlen (dst) == 0))
    return;
  gateway = rtnl_route_nh_get_gateway (hop);
  if (gateway != NULL)
    inet_ntop (family, nl_addr_get_binary_addr (gateway), via, sizeof via);
  if (dst == NULL || nl_addr_get_len (dst) == 0)
    destination = g_strdup (family == AF_INET6 ? "::/0" : "0.0.0.0/0");
  else
    destination = format_prefix (dst);
  if (destination != NULL)
    g_ptr_array_add (chosen->routes, g_strdup_printf ("%s %s", destination, via));
}

static gboolean
choose_interface (struct nl_sock *sock, const char *netns_path, Mirrored *chosen)
{
  struct nl_cache *links = NULL, *addresses = NULL, *routes = NULL;
  AddressSearch search = { chosen, NULL };
  int err;

  if ((err = rtnl_link_alloc_cache (sock, AF_UNSPEC, &links)) < 0 ||
      (err = rtnl_addr_alloc_cache (sock, &addresses)) < 0 ||
      (err = rtnl_route_alloc_cache (sock, AF_UNSPEC, 0, &routes)) < 0)
    {
      fail (EXIT_FAILURE, "%s: listing its interfaces: %s", netns_path, nl_geterror (err));
      goto out;
    }
  search.links = links;
  nl_cache_foreach (addresses, find_address_cb, &search);
  if (chosen->ifindex != 0)
    {
      nl_cache_foreach (routes, find_gateway_cb, chosen);
      nl_cache_foreach (addresses, collect_address_cb, chosen);
      nl_cache_foreach (routes, collect_route_cb, chosen);
    }
  else
    fail (EXIT_UNUSABLE, "%s has no interface with an address to mirror into the VM "
          "(an Ethernet interface with an IPv4 address)", netns_path);
out:
  if (routes)
    nl_cache_free (routes);
  if (addresses)
    nl_cache_free (addresses);
  if (links)
    nl_cache_free (links);
  return chosen->ifindex != 0;
}

/* The tap, up, with the interface's MTU and no IPv6 of its own (its
 * stack would talk to the guest); not persistent. */
static int
make_tap (const char *name, guint mtu)
{
  struct ifreq request = { 0 };
  g_autofree char *ipv6 = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
  int tun, control = -1, saved_errno;
  const char *what;

  if (strlen (name) >= IFNAMSIZ)
    {
      fail (EXIT_FAILURE, "tap %s: the name is too long", name);
      return -1;
    }
  tun = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  what = "opening /dev/net/tun";
  if (tun < 0)
    goto error;
  memcpy (request.ifr_name, name, strlen (name));
  request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
  what = "TUNSETIFF";
  if (ioctl (tun, TUNSETIFF, &request) < 0)
    goto error;
  g_file_set_contents (ipv6, "1", 1, NULL);
  control = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  what = "socket";
  if (control < 0)
    goto error;
  request.ifr_mtu = (int) mtu;
  what = "setting its MTU";
  if (mtu > 0 && ioctl (control, SIOCSIFMTU, &request) < 0)
    goto error;
  what = "setting it up";
  if (ioctl (control, SIOCGIFFLAGS, &request) < 0)
    goto error;
  request.ifr_flags |= IFF_UP;
  if (ioctl (control, SIOCSIFFLAGS, &request) < 0)
    goto error;
  close (control);
  return tun;

error:
  saved_errno = errno;
  if (control >= 0)
    close (control);
  if (tun >= 0)
    close (tun);
  fail (EXIT_FAILURE, "tap %s: %s: %s", name, what, g_strerror (saved_errno));
  return -1;
}

/* An ingress qdisc on @ifindex; *made says whether it is ours. */
static gboolean
add_ingress (struct nl_sock *sock, int ifindex, const char *name, gboolean *made)
{
  struct rtnl_qdisc *qdisc = rtnl_qdisc_alloc ();
  int err;

  rtnl_tc_set_ifindex (TC_CAST (qdisc), ifindex);
  rtnl_tc_set_parent (TC_CAST (qdisc), TC_H_INGRESS);
  rtnl_tc_set_handle (TC_CAST (qdisc), INGRESS_HANDLE);
  rtnl_tc_set_kind (TC_CAST (qdisc), "ingress");
  err = rtnl_qdisc_add (sock, qdisc, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_qdisc_put (qdisc);
  *made = err >= 0;
  if (err < 0 && err != -NLE_EXIST)
    return fail (EXIT_FAILURE, "%s: adding an ingress qdisc: %s", name, nl_geterror (err));
  return TRUE;
}

static void
delete_ingress (struct nl_sock *sock, int ifindex)
{
  struct rtnl_qdisc *qdisc = rtnl_qdisc_alloc ();

  rtnl_tc_set_ifindex (TC_CAST (qdisc), ifindex);
  rtnl_tc_set_parent (TC_CAST (qdisc), TC_H_INGRESS);
  rtnl_tc_set_handle (TC_CAST (qdisc), INGRESS_HANDLE);
  rtnl_tc_set_kind (TC_CAST (qdisc), "ingress");
  rtnl_qdisc_delete (sock, qdisc);
  rtnl_qdisc_put (qdisc);
}

/* Every frame that comes in on @from leaves by @to: a u32 filter that
 * matches all (one key, mask 0; as Kata's) whose one action is a mirred
 * egress redirect. Not matchall: kernels built without it are common
 * (this machine's), u32 is everywhere tc is. */
static gboolean
add_mirror (struct nl_sock *sock, int from, const char *from_name, int to)
{
  struct rtnl_cls *cls = rtnl_cls_alloc ();
  struct rtnl_act *act = rtnl_act_alloc ();
  int err = -NLE_NOMEM;

  if (cls == NULL || act == NULL)
    goto out;
  rtnl_tc_set_ifindex (TC_CAST (cls), from);
  rtnl_tc_set_parent (TC_CAST (cls), INGRESS_HANDLE);
  rtnl_cls_set_prio (cls, MIRROR_PRIO);
  rtnl_cls_set_protocol (cls, ETH_P_ALL);
  if ((err = rtnl_tc_set_kind (TC_CAST (cls), "u32")) < 0 ||
      (err = rtnl_tc_set_kind (TC_CAST (act), "mirred")) < 0)
    goto out;
  rtnl_mirred_set_action (act, TCA_EGRESS_REDIR);
  rtnl_mirred_set_policy (act, TC_ACT_STOLEN);
  rtnl_mirred_set_ifindex (act, (uint32_t) to);
  if ((err = rtnl_u32_add_key_uint8 (cls, 0, 0, 0, 0)) < 0 ||
      (err = rtnl_u32_set_cls_terminal (cls)) < 0 || (err = rtnl_u32_add_action (cls, act)) < 0)
    goto out;
  err = rtnl_cls_add (sock, cls, NLM_F_CREATE | NLM_F_EXCL);
out:
  if (act != NULL)
    rtnl_act_put (act);
  if (cls != NULL)
    rtnl_cls_put (cls);
  if (err < 0)
    return fail (EXIT_FAILURE, "%s: adding the mirroring filter: %s", from_name,
                 nl_geterror (err));
  return TRUE;
}

/* Our filters on @ifindex's ingress (all of our priority). TRUE when
 * there were some. */
static gboolean
delete_mirror (struct nl_sock *sock, int ifindex)
{
  struct tcmsg header = { .tcm_family = AF_UNSPEC,
                          .tcm_ifindex = ifindex,
                          .tcm_parent = INGRESS_HANDLE,
                          .tcm_info = TC_H_MAKE ((guint32) MIRROR_PRIO << 16, htons (ETH_P_ALL)) };
  struct nl_msg *msg = nlmsg_alloc_simple (RTM_DELTFILTER, NLM_F_ACK);
  int err = -NLE_NOMEM;

  if (msg != NULL && nlmsg_append (msg, &header, sizeof header, NLMSG_ALIGNTO) >= 0 &&
      nla_put_string (msg, TCA_KIND, "u32") >= 0 && (err = nl_send_auto (sock, msg)) >= 0)
    err = nl_wait_for_ack (sock);
  nlmsg_free (msg);
  return err >= 0;
}

static gboolean
send_fd (int fd)
{
  char byte = 't';
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec vector = { &byte, 1 };
  struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1,
                            .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *header = CMSG_FIRSTHDR (&message);

  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (header), &fd, sizeof (int));
  if (sendmsg (3, &message, MSG_NOSIGNAL) != 1)
    return fail (EXIT_FAILURE, "handing the tap over: %s", g_strerror (errno));
  return TRUE;
}

static void
print_json (const Mirrored *chosen, const char *tap, gboolean made_qdisc)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Interface");
  json_builder_add_string_value (builder, chosen->name);
  json_builder_set_member_name (builder, "Tap");
  json_builder_add_string_value (builder, tap);
  json_builder_set_member_name (builder, "MacAddress");
  json_builder_add_string_value (builder, chosen->mac);
  json_builder_set_member_name (builder, "Mtu");
  json_builder_add_int_value (builder, chosen->mtu);
  json_builder_set_member_name (builder, "IPAddress");
  json_builder_add_string_value (builder, chosen->address);
  json_builder_set_member_name (builder, "PrefixLength");
  json_builder_add_int_value (builder, chosen->prefix_length);
  json_builder_set_member_name (builder, "GatewayAddress");
  json_builder_add_string_value (builder, chosen->gateway);
  json_builder_set_member_name (builder, "Addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < chosen->addresses->len; i++)
    json_builder_add_string_value (builder, chosen->addresses->pdata[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Routes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < chosen->routes->len; i++)
    json_builder_add_string_value (builder, chosen->routes->pdata[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "MadeQdisc");
  json_builder_add_boolean_value (builder, made_qdisc);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

static gboolean
attach (const char *netns_path, const char *tap_name)
{
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) routes = g_ptr_array_new_with_free_func (g_free);
  Mirrored chosen = { .addresses = addresses, .routes = routes };
  struct nl_sock *sock;
  gboolean made_qdisc = FALSE, made_tap_qdisc = FALSE, ok = FALSE;
  int tap_fd = -1, tap_index;

  if (!join_netns (netns_path) || (sock = route_socket ()) == NULL)
    return FALSE;
  if (if_nametoindex (tap_name) != 0)
    {
      fail (EXIT_IN_USE, "%s: its interface is mirrored into a VM already (%s exists)",
            netns_path, tap_name);
      goto out;
    }
  if (!choose_interface (sock, netns_path, &chosen))
    goto out;
  /* A filter of ours without its tap: a killed host's. */
  delete_mirror (sock, chosen.ifindex);
  tap_fd = make_tap (tap_name, chosen.mtu);
  if (tap_fd < 0)
    goto out;
  tap_index = (int) if_nametoindex (tap_name);
  if (!add_ingress (sock, chosen.ifindex, chosen.name, &made_qdisc) ||
      !add_ingress (sock, tap_index, tap_name, &made_tap_qdisc) ||
      !add_mirror (sock, tap_index, tap_name, chosen.ifindex) ||
      !add_mirror (sock, chosen.ifindex, chosen.name, tap_index) || !send_fd (tap_fd))
    {
      /* The tap, with its qdisc and filter, goes with its descriptor. */
      delete_mirror (sock, chosen.ifindex);
      if (made_qdisc)
        delete_ingress (sock, chosen.ifindex);
      goto out;
    }
  print_json (&chosen, tap_name, made_qdisc);
  ok = TRUE;
out:
  if (tap_fd >= 0)
    close (tap_fd);
  nl_socket_free (sock);
  return ok;
}

static gboolean
detach (const char *netns_path, const char *ifname, gboolean made_qdisc)
{
  struct nl_sock *sock;
  int ifindex;

  if (!join_netns (netns_path) || (sock = route_socket ()) == NULL)
    return FALSE;
  /* Gone with its namespace's owner's change: nothing of ours is left. */
  ifindex = (int) if_nametoindex (ifname);
  if (ifindex != 0)
    {
      delete_mirror (sock, ifindex);
      if (made_qdisc)
        delete_ingress (sock, ifindex);
    }
  nl_socket_free (sock);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gboolean ok;

  if (argc == 4 && strcmp (argv[1], "attach") == 0)
    ok = attach (argv[2], argv[3]);
  else if (argc == 5 && strcmp (argv[1], "detach") == 0)
    ok = detach (argv[2], argv[3], strcmp (argv[4], "1") == 0);
  else
    {
      fprintf (stderr, "usage: %s attach NETNS_PATH TAP (fd 3: a unix socket)\n"
               "       %s detach NETNS_PATH IFNAME MADE_QDISC\n", argv[0], argv[0]);
      return EXIT_FAILURE;
    }
  return ok ? EXIT_SUCCESS : exit_code;
}
