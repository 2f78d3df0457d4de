/* hns-nft.c: a network's nftables rules.
 *
 * Each network owns one table, `ip hcs_XXXXXXXX`, so its rules are added
 * and removed as a whole and never touch anyone else's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hns-private.h"

#include <nftables/libnftables.h>
#include <string.h>

char *
hns_table_name (const char *network_id)
{
  return g_strdup_printf ("hcs_%.8s", network_id);
}

static char *
hns_ruleset_subnet (const HnsSubnet *subnet)
{
  g_autofree char *network = hns_address_to_string (subnet->network);
  return g_strdup_printf ("%s/%u", network, subnet->prefix_length);
}

char *
hns_nft_ruleset (HnsKind kind, const char *network_id, const HnsSubnet *subnet,
                 const char *owner)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *bridge = hns_bridge_name (network_id);
  g_autofree char *cidr = hns_ruleset_subnet (subnet);
  GString *rules = g_string_new (NULL);

  g_string_append_printf (rules, "table ip %s {\n", table);
  if (owner != NULL)
    g_string_append_printf (rules, "  comment \"hcs: %s\"\n", owner);
  if (kind == HNS_KIND_NAT)
    {
      /* Out: the subnet masqueraded behind the host; in: replies, and the
       * port mappings (maps of external port to endpoint address.port). */
      g_string_append_printf (rules,
                              "  map tcp_ports {\n"
                              "    type inet_service : ipv4_addr . inet_service\n"
                              "  }\n"
                              "  map udp_ports {\n"
                              "    type inet_service : ipv4_addr . inet_service\n"
                              "  }\n"
                              "  chain prerouting {\n"
                              "    type nat hook prerouting priority dstnat; policy accept;\n"
                              "    iifname != \"%s\" dnat ip to tcp dport map @tcp_ports\n"
                              "    iifname != \"%s\" dnat ip to udp dport map @udp_ports\n"
                              "  }\n"
                              "  chain output {\n"
                              "    type nat hook output priority -100; policy accept;\n"
                              "    fib daddr type local dnat ip to tcp dport map @tcp_ports\n"
                              "    fib daddr type local dnat ip to udp dport map @udp_ports\n"
                              "  }\n"
                              "  chain postrouting {\n"
                              "    type nat hook postrouting priority srcnat; policy accept;\n"
                              "    ip saddr %s oifname != \"%s\" masquerade\n"
                              "  }\n"
                              "  chain forward {\n"
                              "    type filter hook forward priority filter; policy accept;\n"
                              "    iifname \"%s\" accept\n"
                              "    oifname \"%s\" ct state established,related accept\n"
                              "    oifname \"%s\" ct status dnat accept\n"
                              "    oifname \"%s\" drop\n"
                              "  }\n",
                              bridge, bridge, cidr, bridge, bridge, bridge, bridge, bridge);
    }
  else
    {
      /* Internal: endpoints reach each other and the host, nothing else. */
      g_string_append_printf (rules,
                              "  chain forward {\n"
                              "    type filter hook forward priority filter; policy accept;\n"
                              "    iifname \"%s\" oifname != \"%s\" drop\n"
                              "    oifname \"%s\" iifname != \"%s\" drop\n"
                              "  }\n",
                              bridge, bridge, bridge, bridge);
    }
  g_string_append (rules, "}\n");
  return g_string_free (rules, FALSE);
}

/* One libnftables context for the process, made at first use: making one
 * costs more than most commands run through it. It is not thread-safe,
 * hence the lock. It checks the kernel's ruleset generation before each
 * command, so changes made by other processes are seen. */
static GMutex nft_lock;
static struct nft_ctx *shared_nft;
static char *tables_snapshot;   /* "list tables" output, dropped at every change */

/* Runs @command with @output_flags; returns its exit status, and its
 * output and error text when asked. Call with nft_lock held. */
static int
nft_run_locked (const char *command, unsigned int output_flags, char **output, char **error_text)
{
  int result;

  if (shared_nft == NULL)
    {
      shared_nft = nft_ctx_new (NFT_CTX_DEFAULT);
      if (shared_nft == NULL)
        return -1;
      nft_ctx_buffer_output (shared_nft);
      nft_ctx_buffer_error (shared_nft);
    }
  nft_ctx_output_set_flags (shared_nft, output_flags);
  result = nft_run_cmd_from_buffer (shared_nft, command);
  /* Reading the buffers also empties them for the next command. */
  if (output != NULL)
    *output = g_strdup (nft_ctx_get_output_buffer (shared_nft));
  else
    nft_ctx_get_output_buffer (shared_nft);
  if (error_text != NULL)
    *error_text = g_strdup (nft_ctx_get_error_buffer (shared_nft));
  else
    nft_ctx_get_error_buffer (shared_nft);
  return result;
}

static gboolean
run_nft (const char *commands, GError **error)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&nft_lock);
  g_autofree char *message = NULL;
  int result;

  g_clear_pointer (&tables_snapshot, g_free);
  result = nft_run_locked (commands, 0, NULL, &message);
  if (result != 0)
    g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "hns: nftables: %s",
                 result < 0 ? "cannot create a context"
                 : message && *message ? message
                                       : "the ruleset was refused");
  return result == 0;
}

/* Runs a listing command; its output, or NULL when nft refused it (a
 * table that does not exist, say). */
char *
hns_nft_list (const char *command)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&nft_lock);
  char *output = NULL;

  if (nft_run_locked (command, 0, &output, NULL) != 0)
    g_clear_pointer (&output, g_free);
  return output;
}

/* Whether "table FAMILY NAME" exists, from one listing of every table that
 * is kept until something changes. */
static gboolean
table_listed (const char *family, const char *network_id)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&nft_lock);
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *line = g_strdup_printf ("table %s %s\n", family, table);
  g_autofree char *inner_line = g_strconcat ("\n", line, NULL);

  if (tables_snapshot == NULL && nft_run_locked ("list tables", 0, &tables_snapshot, NULL) != 0)
    g_clear_pointer (&tables_snapshot, g_free);
  return tables_snapshot != NULL &&
         (g_str_has_prefix (tables_snapshot, line) ||
          strstr (tables_snapshot, inner_line) != NULL);
}

gboolean
hns_nft_table_exists (const char *network_id)
{
  return table_listed ("ip", network_id);
}

gboolean
hns_nft_bridge_table_exists (const char *network_id)
{
  return table_listed ("bridge", network_id);
}

gboolean
hns_nft_apply (const char *ruleset, GError **error)
{
  return run_nft (ruleset, error);
}

gboolean
hns_nft_delete_table (const char *network_id, GError **error)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *command = g_strdup_printf ("delete table ip %s\n", table);

  return run_nft (command, error);
}

gboolean
hns_nft_port_mapping (const char *network_id, gboolean add, const char *protocol,
                      guint16 external_port, guint32 address, guint16 internal_port,
                      GError **error)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *target = hns_address_to_string (address);
  g_autofree char *command = g_strdup_printf ("%s element ip %s %s_ports { %u : %s . %u }\n",
                                              add ? "add" : "delete", table, protocol,
                                              external_port, target, internal_port);

  return run_nft (command, error);
}

/* The network's bridge-family table. Router advertisements and redirects
 * from an endpoint reach neither the host (input) nor the other endpoints
 * (forward): an endpoint is no router. DisableICC: its set holds the host
 * ends of the endpoints that must not talk to their neighbours; traffic
 * to the gateway (the host) is not bridged, so it still flows. */
char *
hns_nft_icc_ruleset (const char *network_id)
{
  g_autofree char *table = hns_table_name (network_id);

  return g_strdup_printf ("table bridge %s {\n"
                          "  set no_icc {\n"
                          "    type ifname\n"
                          "  }\n"
                          "  chain forward {\n"
                          "    type filter hook forward priority filter; policy accept;\n"
                          "    iifname \"hcsv*\" icmpv6 type { nd-router-advert, nd-redirect } drop\n"
                          "    iifname @no_icc oifname \"hcsv*\" drop\n"
                          "    oifname @no_icc iifname \"hcsv*\" drop\n"
                          "  }\n"
                          "  chain input {\n"
                          "    type filter hook input priority filter; policy accept;\n"
                          "    iifname \"hcsv*\" icmpv6 type { nd-router-advert, nd-redirect } drop\n"
                          "  }\n"
                          "}\n",
                          table);
}

gboolean
hns_nft_icc (const char *network_id, const char *host_link, gboolean disable, GError **error)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *command = g_strdup_printf ("%s element bridge %s no_icc { \"%s\" }\n",
                                              disable ? "add" : "delete", table, host_link);

  return run_nft (command, error);
}

gboolean
hns_nft_delete_bridge_table (const char *network_id, GError **error)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *command = g_strdup_printf ("delete table bridge %s\n", table);

  return run_nft (command, error);
}

/* ACL rules of an endpoint: at the top of the forward chain, each with the
 * comment "hcs-ep-XXXXXXXX" so the endpoint's removal finds them again. */
gboolean
hns_nft_add_acl (const char *network_id, const char *endpoint_id, guint32 address,
                 gboolean allow, gboolean outgoing, const char *protocol, guint16 port,
                 const char *remote, GError **error)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *self = hns_address_to_string (address);
  g_autoptr (GString) rule = g_string_new (NULL);

  g_string_append_printf (rule, "insert rule ip %s forward ip %s %s", table,
                          outgoing ? "saddr" : "daddr", self);
  if (remote != NULL)
    g_string_append_printf (rule, " ip %s %s", outgoing ? "daddr" : "saddr", remote);
  if (protocol != NULL && port != 0)
    g_string_append_printf (rule, " %s dport %u", protocol, port);
  else if (protocol != NULL)
    g_string_append_printf (rule, " ip protocol %s", protocol);
  g_string_append_printf (rule, " %s comment \"hcs-ep-%.8s\"\n", allow ? "accept" : "drop",
                          endpoint_id);
  return run_nft (rule->str, error);
}

void
hns_nft_remove_acls (const char *network_id, const char *endpoint_id)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *marker = g_strdup_printf ("\"hcs-ep-%.8s\"", endpoint_id);
  g_autofree char *command = g_strdup_printf ("list chain ip %s forward", table);
  g_autofree char *output = NULL;
  g_auto (GStrv) lines = NULL;

  g_mutex_lock (&nft_lock);
  if (nft_run_locked (command, NFT_CTX_OUTPUT_HANDLE, &output, NULL) == 0 && output != NULL)
    lines = g_strsplit (output, "\n", -1);
  g_mutex_unlock (&nft_lock);
  for (guint i = 0; lines && lines[i]; i++)
    {
      const char *handle = strstr (lines[i], "# handle ");
      if (handle != NULL && strstr (lines[i], marker) != NULL)
        {
          g_autofree char *delete = g_strdup_printf ("delete rule ip %s forward handle %s\n",
                                                     table, handle + strlen ("# handle "));
          run_nft (delete, NULL);
        }
    }
}

/* The rules that make @port (an interface someone else made, such as a
 * VM's tap) one of the endpoints' ports in the network's bridge table, as
 * the "hcsv*" pattern does for the veths: no router advertisements from
 * it, DisableICC between it and the set's ports (the set holds it too
 * when its endpoint has DisableICC), and the endpoint's QoS as a policer
 * on what it sends. A tap's sends arrive on the host as its ingress, where
 * no token-bucket qdisc shapes, hence the nft limit. Each rule carries
 * the comment "hcs-port-PORT", which hns_nft_remove_port_rules() finds.
 * One transaction: all of them or none. */
gboolean
hns_nft_add_port_rules (const char *network_id, const char *port, guint64 max_bytes_per_second,
                        GError **error)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autoptr (GString) rules = g_string_new (NULL);

  g_string_append_printf (rules,
                          "insert rule bridge %s forward iifname \"%s\" icmpv6 type "
                          "{ nd-router-advert, nd-redirect } drop comment \"hcs-port-%s\"\n"
                          "add rule bridge %s forward iifname @no_icc oifname \"%s\" drop "
                          "comment \"hcs-port-%s\"\n"
                          "add rule bridge %s forward oifname @no_icc iifname \"%s\" drop "
                          "comment \"hcs-port-%s\"\n"
                          "insert rule bridge %s input iifname \"%s\" icmpv6 type "
                          "{ nd-router-advert, nd-redirect } drop comment \"hcs-port-%s\"\n",
                          table, port, port, table, port, port, table, port, port, table, port,
                          port);
  if (max_bytes_per_second > 0)
    {
      /* Bursts as the veth's token bucket allows them: a tenth of a
       * second, at least 16 KiB. */
      guint64 burst = MAX (max_bytes_per_second / 10, 16 * 1024);

      g_string_append_printf (rules,
                              "add chain bridge %s prerouting { type filter hook prerouting "
                              "priority filter; policy accept; }\n"
                              "add rule bridge %s prerouting iifname \"%s\" limit rate over "
                              "%" G_GUINT64_FORMAT " bytes/second burst %" G_GUINT64_FORMAT
                              " bytes drop comment \"hcs-port-%s\"\n",
                              table, table, port, max_bytes_per_second, burst, port);
    }
  if (!run_nft (rules->str, error))
    {
      g_prefix_error (error, "port %s: ", port);
      return FALSE;
    }
  return TRUE;
}

/* Takes out every rule marked for @port, whichever chain holds it; best
 * effort, as the endpoint's ACLs go. */
void
hns_nft_remove_port_rules (const char *network_id, const char *port)
{
  g_autofree char *table = hns_table_name (network_id);
  g_autofree char *marker = g_strdup_printf ("comment \"hcs-port-%s\"", port);
  g_autofree char *command = g_strdup_printf ("list table bridge %s", table);
  g_autofree char *output = NULL;
  g_autoptr (GString) deletes = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;
  g_autofree char *chain = NULL;
  gboolean has_policers = FALSE;
  guint policers_kept = 0;

  g_mutex_lock (&nft_lock);
  if (nft_run_locked (command, NFT_CTX_OUTPUT_HANDLE, &output, NULL) == 0 && output != NULL)
    lines = g_strsplit (output, "\n", -1);
  g_mutex_unlock (&nft_lock);
  for (guint i = 0; lines && lines[i]; i++)
    {
      const char *line = g_strchug (lines[i]);
      const char *handle = strstr (line, "# handle ");

      if (g_str_has_prefix (line, "chain "))
        {
          g_free (chain);
          chain = g_strndup (line + strlen ("chain "), strcspn (line + strlen ("chain "), " "));
          has_policers = has_policers || g_str_equal (chain, "prerouting");
        }
      else if (chain != NULL && handle != NULL && !g_str_has_prefix (line, "set ") &&
               !g_str_has_prefix (line, "table "))
        {
          if (strstr (line, marker) != NULL)
            g_string_append_printf (deletes, "delete rule bridge %s %s handle %s\n", table, chain,
                                    handle + strlen ("# handle "));
          else if (g_str_equal (chain, "prerouting"))
            policers_kept++;
        }
    }
  /* The policers' chain goes with its last rule (deleting a chain takes
   * its rules with it: only when none is another port's). */
  if (has_policers && policers_kept == 0)
    g_string_append_printf (deletes, "delete chain bridge %s prerouting\n", table);
  if (deletes->len > 0)
    run_nft (deletes->str, NULL);
}
