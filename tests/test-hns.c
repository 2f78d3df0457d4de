/* test-hns.c: host networking through HcsHost and plugins/hns.
 *
 * The whole binary runs in a network namespace of its own (made in
 * main()), and each "container" is a child process in one more: no link,
 * address, route or rule of the host's is ever touched, and only test
 * addresses (10.231.x.x) are used.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *temp_dir;
  HcsHost *host;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;

  fixture->temp_dir = test_make_temp_dir ("hcs-test-hns");
  options = test_make_options (fixture->temp_dir);
  fixture->host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  for (const char *const *e = hcs_host_get_plugin_errors (fixture->host); *e; e++)
    g_test_message ("%s", *e);
}

static char *
run_capture (const char *command, int *status)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_spawn_command_line_sync (command, &out, &err, status, &error));
  g_assert_no_error (error);
  return g_strconcat (out, err, NULL);
}

/* No link or table of ours in the test's namespace. */
static void
assert_network_clean (void)
{
  int status;
  g_autofree char *links = run_capture ("ip -o link show", &status);
  g_autofree char *tables = run_capture ("nft list tables", &status);

  if (strstr (links, "hcs") != NULL)
    g_error ("links left behind:\n%s", links);
  if (strstr (tables, "hcs_") != NULL)
    g_error ("nftables tables left behind:\n%s", tables);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->host);
  assert_network_clean ();
  test_assert_no_leftovers (fixture->temp_dir);
  test_remove_tree (fixture->temp_dir);
  g_free (fixture->temp_dir);
}

/* A "container": a child in a network namespace of its own, until killed. */
typedef struct {
  pid_t pid;
  char *netns;
} Sandbox;

static Sandbox
sandbox_start (void)
{
  int ready[2];
  Sandbox sandbox;
  char byte;

  g_assert_cmpint (pipe (ready), ==, 0);
  sandbox.pid = fork ();
  g_assert_cmpint (sandbox.pid, >=, 0);
  if (sandbox.pid == 0)
    {
      /* Gone with the test, even when an assertion aborts it. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (unshare (CLONE_NEWNET) < 0)
        _exit (1);
      if (write (ready[1], "r", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  sandbox.netns = g_strdup_printf ("/proc/%d/ns/net", sandbox.pid);
  return sandbox;
}

static void
sandbox_stop (Sandbox *sandbox)
{
  kill (sandbox->pid, SIGKILL);
  waitpid (sandbox->pid, NULL, 0);
  g_free (sandbox->netns);
}

static int
ping_from (Sandbox *sandbox, const char *address)
{
  g_autofree char *command = g_strdup_printf ("nsenter --net=%s ping -c 1 -W 2 %s",
                                              sandbox->netns, address);
  g_autofree char *output = NULL;
  int status;

  output = run_capture (command, &status);
  g_test_message ("%s: %s", command, output);
  return status;
}

static HcsNetworkConfig *
make_config (const char *name, const char *type, const char *prefix)
{
  g_autofree char *json = g_strdup_printf ("{\"Name\": \"%s\", \"Type\": \"%s\", \"Subnets\": "
                                           "[{\"AddressPrefix\": \"%s\"}]}",
                                           name, type, prefix);
  g_autoptr (GError) error = NULL;
  HcsNetworkConfig *config = hcs_network_config_from_json (json, &error);

  g_assert_no_error (error);
  return config;
}

static void
test_nat_network_endpoints (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-nat", "NAT", "10.231.1.0/24");
  g_autoptr (HcsNetwork) network = NULL, opened = NULL;
  g_autoptr (HcsEndpoint) first = NULL, second = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *links = NULL, *tables = NULL, *bridge = NULL;
  Sandbox one = sandbox_start (), two = sandbox_start ();
  int status;

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_network_get_network_type (network), ==, "NAT");
  bridge = g_strdup_printf ("hcs%.8s", hcs_network_get_id (network));
  links = run_capture ("ip -o addr show", &status);
  g_assert_nonnull (strstr (links, bridge));
  g_assert_nonnull (strstr (links, "10.231.1.1/24"));
  tables = run_capture ("nft list ruleset", &status);
  g_assert_nonnull (strstr (tables, "masquerade"));

  opened = hcs_host_open_network (fixture->host, hcs_network_get_id (network), &error);
  g_assert_no_error (error);
  g_assert_true (opened == network);
  listed = hcs_host_list_networks (fixture->host, &error);
  g_assert_cmpuint (listed->len, ==, 1);

  /* The same name again, and an overlapping subnet, are refused. */
  g_assert_null (hcs_host_create_network (fixture->host, config, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  {
    g_autoptr (HcsNetworkConfig) overlapping = make_config ("other", "NAT", "10.231.1.128/25");
    g_assert_null (hcs_host_create_network (fixture->host, overlapping, &error));
    g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "overlaps"));
    g_clear_error (&error);
  }

  first = hcs_network_create_endpoint (network, "one", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_endpoint_get_ip_address (first), ==, "10.231.1.2");
  second = hcs_network_create_endpoint (network, "two", "10.231.1.50", &error);
  g_assert_no_error (error);
  g_assert_null (hcs_network_create_endpoint (network, "three", "10.231.1.50", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_null (hcs_network_create_endpoint (network, "four", "10.99.0.5", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  hcs_endpoint_attach (first, one.netns, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (second, two.netns, &error);
  g_assert_no_error (error);

  /* Real traffic: to the gateway, and from one endpoint to the other. */
  g_assert_cmpint (ping_from (&one, "10.231.1.1"), ==, 0);
  g_assert_cmpint (ping_from (&one, "10.231.1.50"), ==, 0);
  g_assert_cmpint (ping_from (&two, "10.231.1.2"), ==, 0);

  /* DisableICC: no more neighbour traffic, the gateway still answers. */
  hcs_endpoint_set_disable_icc (first, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, "10.231.1.50"), !=, 0);
  g_assert_cmpint (ping_from (&two, "10.231.1.2"), !=, 0);
  g_assert_cmpint (ping_from (&one, "10.231.1.1"), ==, 0);
  hcs_endpoint_set_disable_icc (first, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, "10.231.1.50"), ==, 0);

  /* A network with endpoints is not removed unless forced. */
  g_assert_false (hcs_network_remove (network, FALSE, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_assert_nonnull (strstr (error->message, "still has 2 endpoints"));
  g_clear_error (&error);

  /* Detach takes eth0 out of the namespace. */
  hcs_endpoint_detach (first, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, "10.231.1.1"), !=, 0);

  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  sandbox_stop (&one);
  sandbox_stop (&two);
}

static void
test_internal_network (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-internal", "Internal", "10.231.2.0/24");
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ruleset = NULL;
  Sandbox one = sandbox_start ();
  int status;

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  ruleset = run_capture ("nft list ruleset", &status);
  g_assert_null (strstr (ruleset, "masquerade"));
  g_assert_nonnull (strstr (ruleset, "drop"));
  endpoint = hcs_network_create_endpoint (network, "one", NULL, &error);
  g_assert_no_error (error);
  /* QoS: 1 Mbit/s out of the endpoint, a token bucket on its eth0. */
  hcs_endpoint_set_bandwidth_limit (endpoint, 125000, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (endpoint, one.netns, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, "10.231.2.1"), ==, 0);
  {
    g_autofree char *command = g_strdup_printf ("nsenter --net=%s tc qdisc show dev eth0", one.netns);
    g_autofree char *qdisc = run_capture (command, &status);
    g_test_message ("%s", qdisc);
    g_assert_nonnull (strstr (qdisc, "tbf"));
    g_assert_nonnull (strstr (qdisc, "rate 1Mbit"));
  }
  g_assert_false (hcs_endpoint_set_bandwidth_limit (endpoint, 1000, &error));
  g_assert_true (hcs_error_is_operation_invalid_state (error));
  g_clear_error (&error);
  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  sandbox_stop (&one);
}

static void
test_bad_requests (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsNetworkConfig) config = NULL;
  const struct {
    const char *json;
    const char *expected;
  } cases[] = {
    { "{\"Name\": ", "malformed JSON" },
    { "[]", "expected a JSON object" },
    { "{\"Type\": \"NAT\"}", "HNSNetwork.Name: missing" },
    { "{\"Name\": \"x\", \"Subnets\": {}}", "HNSNetwork.Subnets: expected an array" },
    { "{\"Name\": \"x\", \"DNSServerList\": \"10.0.0.1,nameserver\"}", "HNSNetwork.DNSServerList" },
    { "{\"Name\": \"x\", \"DNSSuffix\": \"a b\"}", "HNSNetwork.DNSSuffix" },
    { "{\"Name\": \"x\", \"MacPools\": [{\"StartMacAddress\": \"00-15-5D-52-C0-09\","
      " \"EndMacAddress\": \"00-15-5D-52-C0-00\"}]}", "HNSNetwork.MacPools[0]" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_null (hcs_network_config_from_json (cases[i].json, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, cases[i].expected));
      g_clear_error (&error);
    }

  config = make_config ("bad-type", "Overlay", "10.231.3.0/24");
  g_assert_null (hcs_host_create_network (fixture->host, config, &error));
  g_assert_true (hcs_error_is_not_supported (error));
  g_assert_nonnull (strstr (error->message, "HNSNetwork.Type: 'Overlay'"));
  g_clear_error (&error);
  g_clear_pointer (&config, hcs_network_config_free);

  config = make_config ("bad-prefix", "NAT", "10.231.3.0/33");
  g_assert_null (hcs_host_create_network (fixture->host, config, &error));
  g_assert_nonnull (strstr (error->message, "AddressPrefix"));
  g_clear_error (&error);

  g_assert_null (hcs_host_open_network (fixture->host, "no-such-network", &error));
  g_assert_true (hcs_error_is_not_exist (error));
}

static int
run_status (const char *command)
{
  g_autofree char *output = NULL;
  int status;

  output = run_capture (command, &status);
  g_test_message ("%s: %s", command, output);
  return status;
}

/* The outside world of the test: a client namespace behind a veth pair,
 * the host side 10.232.0.1, the client 10.232.0.2. NAT masquerades the
 * endpoints' traffic to it, and a port mapping reaches an endpoint from it. */
static void
test_nat_outside (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-outside", "NAT", "10.231.5.0/24");
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *command = NULL, *reply = NULL;
  Sandbox server = sandbox_start (), client = sandbox_start ();
  GPid listener = 0;
  int status = -1;

  command = g_strdup_printf ("ip link add hcsup0 type veth peer name hcsup1 netns %d", client.pid);
  g_assert_cmpint (run_status (command), ==, 0);
  g_assert_cmpint (run_status ("ip addr add 10.232.0.1/24 dev hcsup0"), ==, 0);
  g_assert_cmpint (run_status ("ip link set hcsup0 up"), ==, 0);
  g_free (command);
  command = g_strdup_printf ("nsenter --net=%s sh -c 'ip addr add 10.232.0.2/24 dev hcsup1 && "
                             "ip link set hcsup1 up && ip link set lo up'", client.netns);
  g_assert_cmpint (run_status (command), ==, 0);

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  endpoint = hcs_network_create_endpoint (network, "server", NULL, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (endpoint, server.netns, &error);
  g_assert_no_error (error);

  /* Out: the client has no route to 10.231.5.0/24; only masquerading lets
   * the reply find its way. */
  g_assert_cmpint (ping_from (&server, "10.232.0.2"), ==, 0);

  /* ACL: outgoing ICMP to the client blocked; a later Allow wins. */
  g_assert_false (hcs_endpoint_add_acl (endpoint, "Deny", "Out", NULL, 0, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (hcs_endpoint_add_acl (endpoint, "Block", "Out", "icmp", 0, "10.232.0.300", &error));
  g_assert_nonnull (strstr (error->message, "RemoteAddresses"));
  g_clear_error (&error);
  hcs_endpoint_add_acl (endpoint, "Block", "Out", "icmp", 0, "10.232.0.2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&server, "10.232.0.2"), !=, 0);
  hcs_endpoint_add_acl (endpoint, "Allow", "Out", "icmp", 0, "10.232.0.0/24", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&server, "10.232.0.2"), ==, 0);

  /* In: client -> 10.232.0.1:8080 -> the endpoint's port 80. */
  g_assert_false (hcs_endpoint_add_port_mapping (endpoint, "sctp", 80, 8080, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  hcs_endpoint_add_port_mapping (endpoint, "tcp", 80, 8080, &error);
  g_assert_no_error (error);
  {
    g_autofree char *listen = g_strdup_printf (
        "nsenter --net=%s sh -c 'echo mapped | busybox nc -l -p 80'", server.netns);
    g_auto (GStrv) argv = NULL;
    g_assert_true (g_shell_parse_argv (listen, NULL, &argv, NULL));
    g_assert_true (g_spawn_async (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &listener, &error));
    g_assert_no_error (error);
  }
  g_free (command);
  command = g_strdup_printf ("nsenter --net=%s busybox nc -w 2 10.232.0.1 8080", client.netns);
  for (int tries = 0; tries < 50; tries++)
    {
      g_free (reply);
      reply = run_capture (command, &status);
      if (strstr (reply, "mapped") != NULL)
        break;
      g_usleep (100000); /* the listener may not be up yet */
    }
  g_assert_nonnull (strstr (reply, "mapped"));
  kill (listener, SIGKILL);
  waitpid (listener, NULL, 0);

  /* And from the host itself, to one of its own addresses. */
  {
    g_autofree char *listen = g_strdup_printf (
        "nsenter --net=%s sh -c 'echo local | busybox nc -l -p 80'", server.netns);
    g_auto (GStrv) argv = NULL;
    g_assert_true (g_shell_parse_argv (listen, NULL, &argv, NULL));
    g_assert_true (g_spawn_async (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &listener, &error));
    g_assert_no_error (error);
  }
  for (int tries = 0; tries < 50; tries++)
    {
      g_free (reply);
      reply = run_capture ("busybox nc -w 2 10.232.0.1 8080", &status);
      if (strstr (reply, "local") != NULL)
        break;
      g_usleep (100000);
    }
  g_assert_nonnull (strstr (reply, "local"));
  kill (listener, SIGKILL);
  waitpid (listener, NULL, 0);

  /* Removing the endpoint takes its rules with it. */
  {
    g_autofree char *rules = NULL;
    hcs_endpoint_remove (endpoint, &error);
    g_assert_no_error (error);
    rules = run_capture ("nft list ruleset", &status);
    g_assert_null (strstr (rules, "hcs-ep-"));
  }
  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_status ("ip link del hcsup0"), ==, 0);
  sandbox_stop (&server);
  sandbox_stop (&client);
}

/* Networks outlive the host object: a new host reloads them, remakes
 * what the kernel lost and drops stale tables of its own state folder. */
static void
test_persistence (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-persist", "NAT", "10.231.6.0/24");
  g_autoptr (HcsNetwork) network = NULL, reloaded = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL, endpoint_again = NULL;
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autoptr (HcsHost) second_host = NULL, third_host = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *state = g_build_filename (fixture->temp_dir, "state", "hns", NULL);
  g_autofree char *id = NULL, *endpoint_id = NULL, *command = NULL, *tables = NULL;
  g_autofree char *corrupt = g_build_filename (state, "corrupt.json", NULL);
  g_autofree char *bridge = NULL, *links = NULL, *ruleset = NULL;
  int status;

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  id = g_strdup (hcs_network_get_id (network));
  bridge = g_strdup_printf ("hcs%.8s", id);
  endpoint = hcs_network_create_endpoint (network, "kept", NULL, &error);
  g_assert_no_error (error);
  endpoint_id = g_strdup (hcs_endpoint_get_id (endpoint));
  hcs_endpoint_add_port_mapping (endpoint, "tcp", 80, 8081, &error);
  g_assert_no_error (error);
  hcs_endpoint_add_acl (endpoint, "Block", "Out", "tcp", 25, "10.231.99.0/24", &error);
  g_assert_no_error (error);
  g_clear_object (&endpoint);
  g_clear_object (&network);
  g_clear_object (&fixture->host);

  /* What a crash or an administrator may do meanwhile. */
  command = g_strdup_printf ("ip link del %s", bridge);
  g_assert_cmpint (run_status (command), ==, 0);
  g_free (command);
  command = g_strdup_printf ("nft 'add table ip hcs_deadbeef { comment \"hcs: %s\"; }'", state);
  g_assert_cmpint (run_status (command), ==, 0);
  g_assert_cmpint (run_status ("nft add table ip hcs_cafebabe"), ==, 0);
  g_assert_true (g_file_set_contents (corrupt, "{ not json", -1, NULL));

  second_host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  reloaded = hcs_host_open_network (second_host, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_network_get_name (reloaded), ==, "test-persist");
  links = run_capture ("ip -o addr show", &status);
  g_assert_nonnull (strstr (links, "10.231.6.1/24"));
  tables = run_capture ("nft list tables", &status);
  g_assert_null (strstr (tables, "hcs_deadbeef"));
  g_assert_nonnull (strstr (tables, "hcs_cafebabe")); /* not ours: left alone */
  endpoint_again = hcs_network_get_endpoint (reloaded, endpoint_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_endpoint_get_ip_address (endpoint_again), ==, "10.231.6.2");
  ruleset = run_capture ("nft list ruleset", &status);
  g_assert_nonnull (strstr (ruleset, "8081 : 10.231.6.2 . 80"));
  /* Reloading found its table and added no rule twice; the ACL came
   * back once, and HNS's JSON shows it. */
  {
    guint count = 0, acls = 0;
    g_autofree char *marker = g_strdup_printf ("hcs-ep-%.8s", endpoint_id);
    g_autoptr (JsonNode) shown = hcs_endpoint_to_json (endpoint_again);
    g_autofree char *shown_text = hcs_json_node_to_string (shown, FALSE);

    for (const char *p = ruleset; (p = strstr (p, "masquerade")) != NULL; p++)
      count++;
    for (const char *p = ruleset; (p = strstr (p, marker)) != NULL; p++)
      acls++;
    g_assert_cmpuint (count, ==, 1);
    g_assert_cmpuint (acls, ==, 1);
    g_assert_nonnull (strstr (ruleset, "10.231.99.0/24"));
    g_assert_nonnull (strstr (shown_text, "\"Type\":\"ACL\",\"Action\":\"Block\""));
  }

  hcs_network_remove (reloaded, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_status ("nft delete table ip hcs_cafebabe"), ==, 0);
  g_unlink (corrupt);
  g_clear_object (&endpoint_again);
  g_clear_object (&reloaded);

  /* Removed networks do not come back. */
  third_host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_host_open_network (third_host, id, &error));
  g_assert_true (hcs_error_is_not_exist (error));
}

/* L2Bridge: endpoints bridged onto a host adapter (one end of a veth
 * pair of the test's: this kernel has no dummy links). */
static void
test_l2bridge (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = NULL, missing = NULL;
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) first = NULL, second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *link = NULL, *master = NULL;
  Sandbox one = sandbox_start (), two = sandbox_start ();
  int status;

  config = hcs_network_config_from_json (
      "{\"Name\": \"test-l2\", \"Type\": \"L2Bridge\", \"NetworkAdapterName\": \"hcsnic0\","
      " \"Subnets\": [{\"AddressPrefix\": \"10.231.10.0/24\", \"GatewayAddress\": \"10.231.10.254\"}]}",
      &error);
  g_assert_no_error (error);

  /* No such adapter yet. */
  g_assert_null (hcs_host_create_network (fixture->host, config, &error));
  g_assert_nonnull (strstr (error->message, "NetworkAdapterName"));
  g_clear_error (&error);

  g_assert_cmpint (run_status ("ip link add hcsnic0 type veth peer name hcsnic1"), ==, 0);
  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  master = g_strdup_printf ("master hcs%.8s", hcs_network_get_id (network));
  link = run_capture ("ip -o link show hcsnic0", &status);
  g_assert_nonnull (strstr (link, master));

  first = hcs_network_create_endpoint (network, "one", NULL, &error);
  g_assert_no_error (error);
  second = hcs_network_create_endpoint (network, "two", NULL, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (first, one.netns, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (second, two.netns, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (second)), ==, 0);
  /* The uplink is the network's, no endpoint's port. */
  g_assert_false (hcs_endpoint_attach_port (first, "hcsnic0", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "adapter"));
  g_clear_error (&error);

  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  g_free (link);
  link = run_capture ("ip -o link show hcsnic0", &status);
  g_assert_null (strstr (link, "master"));
  g_assert_cmpint (run_status ("ip link del hcsnic0"), ==, 0);
  sandbox_stop (&one);
  sandbox_stop (&two);
}

/* MacPools: endpoint MACs from the pool, and an error once it runs out. */
static void
test_mac_pool (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = NULL;
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) first = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *command = NULL, *link = NULL;
  Sandbox one = sandbox_start ();
  int status;

  config = hcs_network_config_from_json (
      "{\"Name\": \"test-macs\", \"Type\": \"Internal\", \"MacPools\": [{\"StartMacAddress\":"
      " \"00-15-5D-52-C0-00\", \"EndMacAddress\": \"00-15-5D-52-C0-02\"}],"
      " \"Subnets\": [{\"AddressPrefix\": \"10.231.13.0/24\"}]}",
      &error);
  g_assert_no_error (error);
  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  first = hcs_network_create_endpoint (network, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hcs_endpoint_get_mac_address (first), ==, "00:15:5d:52:c0:02");
  g_assert_null (hcs_network_create_endpoint (network, "b", NULL, &error));
  g_assert_nonnull (strstr (error->message, "MacPool"));
  g_clear_error (&error);

  hcs_endpoint_attach (first, one.netns, &error);
  g_assert_no_error (error);
  command = g_strdup_printf ("nsenter --net=%s ip link show eth0", one.netns);
  link = run_capture (command, &status);
  g_assert_nonnull (strstr (link, "00:15:5d:52:c0:02"));

  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  sandbox_stop (&one);
}

typedef struct {
  HcsNetwork *network;
  GPtrArray *endpoints;
  GMutex *lock;
} IpamJob;

static gpointer
create_endpoints_thread (gpointer data)
{
  IpamJob *job = data;

  for (int i = 0; i < 10; i++)
    {
      g_autoptr (GError) error = NULL;
      HcsEndpoint *endpoint = hcs_network_create_endpoint (job->network, NULL, NULL, &error);
      g_assert_no_error (error);
      g_mutex_lock (job->lock);
      g_ptr_array_add (job->endpoints, endpoint);
      g_mutex_unlock (job->lock);
    }
  return NULL;
}

/* IPAM under parallel creation never hands out one address twice. */
static void
test_parallel_ipam (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-ipam", "Internal", "10.231.12.0/24");
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (GPtrArray) endpoints = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) error = NULL;
  GMutex lock;
  GThread *threads[4];
  IpamJob job;

  g_mutex_init (&lock);
  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  job = (IpamJob){ network, endpoints, &lock };
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("ipam", create_endpoints_thread, &job);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (endpoints->len, ==, 40);
  for (guint i = 0; i < endpoints->len; i++)
    g_assert_true (g_hash_table_add (seen, (gpointer) hcs_endpoint_get_ip_address (endpoints->pdata[i])));

  /* A released address is handed out again only after its release. */
  {
    g_autofree char *released = g_strdup (hcs_endpoint_get_ip_address (endpoints->pdata[0]));
    g_autoptr (HcsEndpoint) again = NULL;
    hcs_endpoint_remove (endpoints->pdata[0], &error);
    g_assert_no_error (error);
    again = hcs_network_create_endpoint (network, NULL, released, &error);
    g_assert_no_error (error);
  }
  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  g_mutex_clear (&lock);
}

/* Runs each of @commands (shell lines) at once, each in a process of its
 * own, and returns how many exited 0; their outputs go to @outputs. */
static guint
run_all_at_once (GPtrArray *commands, GPtrArray *outputs)
{
  g_autofree GPid *pids = g_new0 (GPid, commands->len);
  g_autofree int *out_fds = g_new0 (int, commands->len);
  guint succeeded = 0;

  for (guint i = 0; i < commands->len; i++)
    {
      const char *argv[] = { "/bin/sh", "-c", commands->pdata[i], NULL };
      g_autoptr (GError) error = NULL;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                               G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pids[i],
                                               NULL, &out_fds[i], NULL, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < commands->len; i++)
    {
      GString *output = g_string_new (NULL);
      char buffer[4096];
      gssize n;
      int status;

      while ((n = read (out_fds[i], buffer, sizeof buffer)) > 0)
        g_string_append_len (output, buffer, n);
      close (out_fds[i]);
      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
        succeeded++;
      else
        g_test_message ("%s: failed: %s", (char *) commands->pdata[i], output->str);
      g_ptr_array_add (outputs, g_string_free (output, FALSE));
    }
  return succeeded;
}

/* Thirty hcsctl processes creating endpoints on one network at once get
 * thirty addresses and thirty saved endpoints; thirty create, attach,
 * detach and remove cycles at once all succeed and leave nothing. */
static void
test_concurrent_processes (Fixture *fixture, gconstpointer data)
{
  const guint n = 30;
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autofree char *options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_autofree char *hcsctl = NULL, *command = NULL, *listing = NULL;
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) outputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) addresses = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree Sandbox *sandboxes = g_new0 (Sandbox, n);
  int status;

  g_assert_true (g_key_file_save_to_file (options, options_file, NULL));
  hcsctl = g_strdup_printf ("%s --options %s", g_getenv ("HCSCTL"), options_file);
  command = g_strdup_printf ("%s network create --type Internal --subnet 10.231.40.0/24 crowd",
                             hcsctl);
  g_assert_cmpint (run_status (command), ==, 0);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (commands, g_strdup_printf ("%s endpoint create crowd e%u", hcsctl, i));
  g_assert_cmpuint (run_all_at_once (commands, outputs), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) fields = g_strsplit (g_strstrip (outputs->pdata[i]), " ", 2);
      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      g_assert_true (g_hash_table_add (addresses, g_strdup (fields[1])));
    }
  g_assert_cmpuint (g_hash_table_size (addresses), ==, n);
  {
    g_autofree char *ls = g_strdup_printf ("%s endpoint ls --format json", hcsctl);
    g_autoptr (JsonNode) node = NULL;

    listing = run_capture (ls, &status);
    g_assert_cmpint (status, ==, 0);
    node = json_from_string (listing, NULL);
    g_assert_nonnull (node);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, n);
  }
  g_hash_table_foreach (addresses, (GHFunc) (void (*) (void)) g_free, NULL);

  /* The cycles, each with a namespace of its own to attach to. */
  g_ptr_array_set_size (commands, 0);
  g_ptr_array_set_size (outputs, 0);
  for (guint i = 0; i < n; i++)
    {
      sandboxes[i] = sandbox_start ();
      g_ptr_array_add (commands, g_strdup_printf (
          "set -e; out=$(%s endpoint create crowd c%u); id=${out%%%% *}; "
          "%s endpoint attach $id %s; %s endpoint detach $id; %s endpoint rm $id",
          hcsctl, i, hcsctl, sandboxes[i].netns, hcsctl, hcsctl));
    }
  g_assert_cmpuint (run_all_at_once (commands, outputs), ==, n);
  for (guint i = 0; i < n; i++)
    sandbox_stop (&sandboxes[i]);
  /* Only the first thirty are left, and no veth of the cycles. */
  {
    g_autofree char *ls = g_strdup_printf ("%s endpoint ls --format json", hcsctl);
    g_autofree char *links = run_capture ("ip -o link show", &status);
    g_autoptr (JsonNode) node = NULL;

    g_free (listing);
    listing = run_capture (ls, &status);
    node = json_from_string (listing, NULL);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, n);
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *name = g_strdup_printf ("\"c%u\"", i);
        g_assert_null (strstr (listing, name));
      }
    /* The first thirty were never attached: no veth at all. */
    if (strstr (links, "hcsv") != NULL || strstr (links, "hcsp") != NULL)
      g_error ("veths left behind by the cycles:\n%s", links);
  }
  g_free (command);
  command = g_strdup_printf ("%s network rm --force crowd", hcsctl);
  g_assert_cmpint (run_status (command), ==, 0);
}

/* From inside @netns, as a container with CAP_NET_RAW can: @count router
 * advertisements to all nodes on eth0, from the link-local fe80::bad,
 * announcing a default route and the SLAAC prefix 2001:db8:bad::/64. */
static void
send_router_advertisements (const char *netns, guint count)
{
  g_autofree char *add_source = g_strdup_printf (
      "nsenter --net=%s ip -6 addr add fe80::bad/64 dev eth0 nodad", netns);
  pid_t pid;
  int status;

  g_assert_cmpint (run_status (add_source), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct {
        struct nd_router_advert header;
        struct nd_opt_prefix_info prefix;
      } packet = { 0 };
      struct sockaddr_in6 source = { .sin6_family = AF_INET6 };
      struct sockaddr_in6 all_nodes = { .sin6_family = AF_INET6 };
      int fd = open (netns, O_RDONLY | O_CLOEXEC), hops = 255, sock;

      if (fd < 0 || setns (fd, CLONE_NEWNET) < 0)
        _exit (10);
      sock = socket (AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
      source.sin6_scope_id = all_nodes.sin6_scope_id = if_nametoindex ("eth0");
      inet_pton (AF_INET6, "fe80::bad", &source.sin6_addr);
      inet_pton (AF_INET6, "ff02::1", &all_nodes.sin6_addr);
      /* Receivers take an RA only with hop limit 255, from a link-local. */
      if (sock < 0 || bind (sock, (struct sockaddr *) &source, sizeof source) < 0 ||
          setsockopt (sock, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0)
        _exit (11);
      packet.header.nd_ra_type = ND_ROUTER_ADVERT;
      packet.header.nd_ra_curhoplimit = 64;
      packet.header.nd_ra_router_lifetime = htons (1800);
      packet.prefix.nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
      packet.prefix.nd_opt_pi_len = 4;
      packet.prefix.nd_opt_pi_prefix_len = 64;
      packet.prefix.nd_opt_pi_flags_reserved =
          ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
      packet.prefix.nd_opt_pi_valid_time = htonl (86400);
      packet.prefix.nd_opt_pi_preferred_time = htonl (14400);
      inet_pton (AF_INET6, "2001:db8:bad::", &packet.prefix.nd_opt_pi_prefix);
      for (guint i = 0; i < count; i++)
        if (sendto (sock, &packet, sizeof packet, 0, (struct sockaddr *) &all_nodes,
                    sizeof all_nodes) != sizeof packet)
          _exit (12);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
assert_no_ipv6_from_router_advertisement (const char *where, const char *prefix)
{
  g_autofree char *routes_command = g_strdup_printf ("%sip -6 route show", prefix);
  g_autofree char *addresses_command = g_strdup_printf ("%sip -6 addr show", prefix);
  g_autofree char *routes = NULL, *addresses = NULL;
  int status;

  routes = run_capture (routes_command, &status);
  g_assert_cmpint (status, ==, 0);
  addresses = run_capture (addresses_command, &status);
  g_assert_cmpint (status, ==, 0);
  g_test_message ("%s: routes:\n%s\naddresses:\n%s", where, routes, addresses);
  if (strstr (routes, "fe80::bad") != NULL || strstr (routes, "2001:db8:bad") != NULL)
    g_error ("%s took a route from an endpoint's router advertisement:\n%s", where, routes);
  if (strstr (addresses, "2001:db8:bad") != NULL)
    g_error ("%s took an address from an endpoint's router advertisement:\n%s", where,
             addresses);
}

/* An endpoint is no router: its router advertisements configure neither
 * the host (the bridge and host links take none, and they are dropped on
 * the bridge) nor the other endpoints (dropped on the bridge). */
static void
test_router_advertisements (Fixture *fixture, gconstpointer data)
{
  const char *const kinds[] = { "NAT", "Internal" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *name = g_strdup_printf ("ra-%s", kinds[k]);
      g_autoptr (HcsNetworkConfig) config = make_config (name, kinds[k], "10.231.41.0/24");
      g_autoptr (HcsNetwork) network = NULL;
      g_autoptr (HcsEndpoint) sender = NULL, neighbour = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *bridge = NULL, *in_neighbour = NULL;
      Sandbox router = sandbox_start (), victim = sandbox_start ();

      network = hcs_host_create_network (fixture->host, config, &error);
      g_assert_no_error (error);
      bridge = g_strdup_printf ("hcs%.8s", hcs_network_get_id (network));
      sender = hcs_network_create_endpoint (network, "router", NULL, &error);
      g_assert_no_error (error);
      neighbour = hcs_network_create_endpoint (network, "victim", NULL, &error);
      g_assert_no_error (error);
      g_assert_true (hcs_endpoint_attach (sender, router.netns, &error));
      g_assert_true (hcs_endpoint_attach (neighbour, victim.netns, &error));
      g_assert_no_error (error);

      /* The host's links hcs made take no RA, whatever reaches them. */
      {
        g_autofree char *host_link = g_strdup_printf ("hcsv%.8s", hcs_endpoint_get_id (sender));
        const char *const links[] = { bridge, host_link };
        for (guint i = 0; i < G_N_ELEMENTS (links); i++)
          for (guint j = 0; j < 2; j++)
            {
              g_autofree char *path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/%s", links[i],
                                                       j == 0 ? "accept_ra" : "autoconf");
              g_autofree char *value = NULL;
              g_assert_true (g_file_get_contents (path, &value, NULL, NULL));
              g_assert_cmpstr (g_strstrip (value), ==, "0");
            }
      }

      send_router_advertisements (router.netns, 3);
      /* Traffic sent after the RAs, through the same links, has arrived:
       * so have the RAs, had they not been dropped. */
      g_assert_cmpint (ping_from (&router, "10.231.41.1"), ==, 0);
      g_assert_cmpint (ping_from (&router, hcs_endpoint_get_ip_address (neighbour)), ==, 0);

      assert_no_ipv6_from_router_advertisement ("the host", "");
      in_neighbour = g_strdup_printf ("nsenter --net=%s ", victim.netns);
      assert_no_ipv6_from_router_advertisement ("another endpoint", in_neighbour);
      {
        g_autofree char *listing = NULL;
        g_autofree char *command =
            g_strdup_printf ("nft list chain bridge hcs_%.8s input", hcs_network_get_id (network));
        int status;
        listing = run_capture (command, &status);
        g_test_message ("%s", listing);
        g_assert_nonnull (strstr (listing, "nd-router-advert"));
      }

      sandbox_stop (&router);
      sandbox_stop (&victim);
      hcs_network_remove (network, TRUE, &error);
      g_assert_no_error (error);
    }
}

/* hcsctl @arguments, with $HCS_HNS_KILL_AT=@kill_at when not NULL. */
static int
run_killable (const char *kill_at, const char *arguments, char **out)
{
  g_autofree char *command = g_strdup_printf ("env %s%s %s %s", kill_at ? "HCS_HNS_KILL_AT=" : "",
                                              kill_at ? kill_at : "", g_getenv ("HCSCTL"),
                                              arguments);
  g_autofree char *output = NULL;
  int status;

  output = run_capture (command, &status);
  g_test_message ("%s: %s", command, output);
  if (out != NULL)
    *out = g_steal_pointer (&output);
  return status;
}

static char *
listed_endpoint_ids (const char *options)
{
  g_autofree char *arguments = g_strdup_printf ("--options %s endpoint ls --format json", options);
  g_autofree char *listing = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GString) ids = g_string_new (NULL);
  JsonArray *array;

  g_assert_cmpint (run_killable (NULL, arguments, &listing), ==, 0);
  node = json_from_string (listing, NULL);
  g_assert_nonnull (node);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (ids, "%s ", json_object_get_string_member (
                                            json_array_get_object_element (array, i), "Id"));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
assert_no_endpoint_links (void)
{
  int status;
  g_autofree char *links = run_capture ("ip -o link show", &status);

  if (strstr (links, "hcsv") != NULL || strstr (links, "hcsp") != NULL)
    g_error ("endpoint links left behind:\n%s", links);
}

/* hcsctl endpoint create and attach killed at each of their steps leave
 * something `endpoint ls` shows (or nothing at all, when killed before
 * the endpoint was saved), and `endpoint rm` removes it completely. */
static void
test_killed_endpoint (Fixture *fixture, gconstpointer data)
{
  static const char *const create_points[] = { "create-before-save", "create-after-save" };
  static const char *const attach_points[] = { "attach-before-configure", "attach-after-link",
                                               "attach-after-save" };
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autofree char *options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_autofree char *arguments = NULL;
  int status;

  g_assert_true (g_key_file_save_to_file (options, options_file, NULL));
  arguments = g_strdup_printf ("--options %s network create --type Internal --subnet "
                               "10.231.42.0/24 killed", options_file);
  g_assert_cmpint (run_killable (NULL, arguments, NULL), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (create_points); i++)
    {
      g_autofree char *create = g_strdup_printf ("--options %s endpoint create killed e%u",
                                                 options_file, i);
      g_autofree char *ids = NULL;

      status = run_killable (create_points[i], create, NULL);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      ids = listed_endpoint_ids (options_file);
      if (i == 0)
        g_assert_cmpstr (ids, ==, "");
      else
        {
          g_auto (GStrv) listed = g_strsplit (g_strstrip (ids), " ", -1);
          g_autofree char *rm = NULL;

          g_assert_cmpuint (g_strv_length (listed), ==, 1);
          rm = g_strdup_printf ("--options %s endpoint rm %s", options_file, listed[0]);
          g_assert_cmpint (run_killable (NULL, rm, NULL), ==, 0);
          g_free (ids);
          ids = listed_endpoint_ids (options_file);
          g_assert_cmpstr (ids, ==, "");
        }
      assert_no_endpoint_links ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (attach_points); i++)
    {
      g_autofree char *create = g_strdup_printf ("--options %s endpoint create killed a%u",
                                                 options_file, i);
      g_autofree char *out = NULL, *attach = NULL, *rm = NULL, *ids = NULL, *detach = NULL;
      g_auto (GStrv) fields = NULL;
      Sandbox sandbox = sandbox_start ();

      g_assert_cmpint (run_killable (NULL, create, &out), ==, 0);
      fields = g_strsplit (g_strstrip (out), " ", 2);
      attach = g_strdup_printf ("--options %s endpoint attach %s %s", options_file, fields[0],
                                sandbox.netns);
      status = run_killable (attach_points[i], attach, NULL);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      ids = listed_endpoint_ids (options_file);
      g_assert_nonnull (strstr (ids, fields[0]));
      /* Attaching again works, whatever the killed attach left. */
      if (i < 2)
        g_assert_cmpint (run_killable (NULL, attach, NULL), ==, 0);
      g_assert_cmpint (ping_from (&sandbox, "10.231.42.1"), ==, 0);
      detach = g_strdup_printf ("--options %s endpoint detach %s", options_file, fields[0]);
      g_assert_cmpint (run_killable (NULL, detach, NULL), ==, 0);
      status = run_killable ("attach-after-link", attach, NULL);
      g_assert_true (WIFSIGNALED (status));
      rm = g_strdup_printf ("--options %s endpoint rm %s", options_file, fields[0]);
      g_assert_cmpint (run_killable (NULL, rm, NULL), ==, 0);
      g_free (ids);
      ids = listed_endpoint_ids (options_file);
      g_assert_cmpstr (ids, ==, "");
      assert_no_endpoint_links ();
      sandbox_stop (&sandbox);
    }
  g_free (arguments);
  arguments = g_strdup_printf ("--options %s network rm killed", options_file);
  g_assert_cmpint (run_killable (NULL, arguments, NULL), ==, 0);
}

/* VLANs on the bridge: endpoints meet only their own VLAN. */
static void
test_vlan (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-vlan", "Internal", "10.231.11.0/24");
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) a = NULL, b = NULL, c = NULL;
  g_autoptr (GError) error = NULL;
  Sandbox one = sandbox_start (), two = sandbox_start (), three = sandbox_start ();

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  a = hcs_network_create_endpoint (network, "a", NULL, &error);
  b = hcs_network_create_endpoint (network, "b", NULL, &error);
  c = hcs_network_create_endpoint (network, "c", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (hcs_endpoint_set_vlan (a, 4095, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  if (!hcs_endpoint_set_vlan (a, 10, &error) && hcs_error_is_not_supported (error))
    {
      /* Some kernels (this machine's among them) are built without it. */
      g_test_skip (error->message);
      g_clear_error (&error);
      hcs_network_remove (network, TRUE, &error);
      g_assert_no_error (error);
      sandbox_stop (&one);
      sandbox_stop (&two);
      sandbox_stop (&three);
      return;
    }
  g_assert_no_error (error);
  hcs_endpoint_set_vlan (b, 10, &error);
  g_assert_no_error (error);
  hcs_endpoint_set_vlan (c, 20, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (a, one.netns, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (b, two.netns, &error);
  g_assert_no_error (error);
  hcs_endpoint_attach (c, three.netns, &error);
  g_assert_no_error (error);

  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (b)), ==, 0);
  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (c)), !=, 0);
  g_assert_cmpint (ping_from (&three, hcs_endpoint_get_ip_address (b)), !=, 0);

  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  sandbox_stop (&one);
  sandbox_stop (&two);
  sandbox_stop (&three);
}

/* Whether @haystack holds @needle; for rules and link listings. */
static gboolean
output_has (const char *command, const char *needle)
{
  int status;
  g_autofree char *output = run_capture (command, &status);

  g_test_message ("%s:\n%s", command, output);
  return strstr (output, needle) != NULL;
}

/* A host interface someone else made (a VM's tap) taken as an endpoint's
 * port: on the bridge, under the endpoint's policies, given back whole. A
 * tap carries no traffic without a VM at its other end, so the traffic
 * check takes a veth as the port, its peer in a sandbox with the
 * endpoint's address: the way through the bridge is the same. */
static void
test_endpoint_port (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = make_config ("test-port", "NAT", "10.231.20.0/24");
  g_autoptr (HcsNetwork) network = NULL, reloaded = NULL;
  g_autoptr (HcsEndpoint) a = NULL, b = NULL;
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autoptr (HcsHost) second_host = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *bridge = NULL, *table = NULL, *command = NULL, *b_link = NULL;
  g_autofree char *list_table = NULL;
  gboolean vlan;
  Sandbox one = sandbox_start (), two = sandbox_start ();

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  bridge = g_strdup_printf ("hcs%.8s", hcs_network_get_id (network));
  table = g_strdup_printf ("hcs_%.8s", hcs_network_get_id (network));
  list_table = g_strdup_printf ("nft list table bridge %s", table);
  a = hcs_network_create_endpoint (network, "vm", NULL, &error);
  g_assert_no_error (error);
  b = hcs_network_create_endpoint (network, "neighbour", NULL, &error);
  g_assert_no_error (error);
  b_link = g_strdup_printf ("hcsv%.8s", hcs_endpoint_get_id (b));
  hcs_endpoint_attach (b, two.netns, &error);
  g_assert_no_error (error);

  /* Policies set before the port exists reach it when it comes. */
  hcs_endpoint_set_disable_icc (a, TRUE, &error);
  g_assert_no_error (error);
  hcs_endpoint_set_bandwidth_limit (a, 125000, &error);
  g_assert_no_error (error);
  vlan = hcs_endpoint_set_vlan (a, 10, &error);
  if (!vlan)
    {
      /* This machine's kernel has no bridge VLAN filtering. */
      g_assert_true (hcs_error_is_not_supported (error));
      g_test_message ("no VLAN check: %s", error->message);
      g_clear_error (&error);
    }

  g_assert_cmpint (run_status ("ip tuntap add dev hcsttest1 mode tap"), ==, 0);
  hcs_endpoint_attach_port (a, "hcsttest1", &error);
  g_assert_no_error (error);
  command = g_strdup_printf ("ip -o link show dev hcsttest1");
  g_assert_true (output_has (command, bridge));
  g_assert_true (output_has (list_table, "oifname \"hcsttest1\""));
  g_assert_true (output_has (list_table, "iifname \"hcsttest1\" icmpv6 type"));
  g_assert_true (output_has (list_table,
                             "iifname \"hcsttest1\" limit rate over 125000 bytes/second"));
  g_assert_true (output_has (list_table, "elements = { \"hcsttest1\""));
  if (vlan)
    g_assert_true (output_has ("bridge vlan show dev hcsttest1", "10 PVID"));
  /* Taking it again changes nothing. */
  hcs_endpoint_attach_port (a, "hcsttest1", &error);
  g_assert_no_error (error);

  /* Bad requests, each named. */
  g_assert_false (hcs_endpoint_attach_port (a, "hcsnosuch0", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hcsnosuch0"));
  g_clear_error (&error);
  g_assert_false (hcs_endpoint_attach_port (b, "hcsttest1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, hcs_endpoint_get_id (a)));
  g_assert_nonnull (strstr (error->message, "hcsttest1"));
  g_clear_error (&error);
  g_assert_false (hcs_endpoint_attach_port (a, b_link, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "veth"));
  g_clear_error (&error);
  g_assert_false (hcs_endpoint_attach_port (a, bridge, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (hcs_endpoint_attach_port (a, "tap\" accept", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "not an interface name"));
  g_clear_error (&error);
  g_assert_cmpint (run_status ("ip link add hcsxbr0 type bridge"), ==, 0);
  g_assert_cmpint (run_status ("ip tuntap add dev hcsttest2 mode tap"), ==, 0);
  g_assert_cmpint (run_status ("ip link set hcsttest2 master hcsxbr0"), ==, 0);
  g_assert_false (hcs_endpoint_attach_port (a, "hcsttest2", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "hcsxbr0"));
  g_clear_error (&error);
  g_assert_false (output_has (list_table, "hcsttest2"));
  g_assert_cmpint (run_status ("ip link del hcsttest2"), ==, 0);
  g_assert_cmpint (run_status ("ip link del hcsxbr0"), ==, 0);
  g_assert_false (hcs_endpoint_detach_port (b, "hcsttest1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);

  /* Real traffic through a port: a veth whose peer plays the VM's NIC
   * with the endpoint's MAC and address. DisableICC keeps it from the
   * neighbour and lets it reach the gateway; turned off later, the port
   * follows. */
  g_free (command);
  command = g_strdup_printf ("ip link add hcsxport0 type veth peer name eth0 netns %d", one.pid);
  g_assert_cmpint (run_status (command), ==, 0);
  g_free (command);
  command = g_strdup_printf ("nsenter --net=%s sh -c 'ip link set eth0 address %s && "
                             "ip addr add %s/24 dev eth0 && ip link set eth0 up && "
                             "ip link set lo up && ip route add default via 10.231.20.1'",
                             one.netns, hcs_endpoint_get_mac_address (a),
                             hcs_endpoint_get_ip_address (a));
  g_assert_cmpint (run_status (command), ==, 0);
  hcs_endpoint_attach_port (a, "hcsxport0", &error);
  g_assert_no_error (error);
  /* The policer lets a ping through; ICC does not. */
  g_assert_cmpint (ping_from (&one, "10.231.20.1"), ==, 0);
  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (b)), !=, 0);
  g_assert_cmpint (ping_from (&two, hcs_endpoint_get_ip_address (a)), !=, 0);
  hcs_endpoint_set_disable_icc (a, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (b)), ==, 0);
  g_assert_false (output_has (list_table, "elements = { \"hcs"));
  hcs_endpoint_set_disable_icc (a, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (b)), !=, 0);
  /* A later QoS change reaches the ports. */
  hcs_endpoint_set_bandwidth_limit (a, 250000, &error);
  g_assert_no_error (error);
  g_assert_true (output_has (list_table,
                             "iifname \"hcsttest1\" limit rate over 250000 bytes/second"));
  g_assert_false (output_has (list_table, "125000"));

  /* A crash or an administrator took the bridge table: a reload puts
   * the ports' rules back. */
  g_free (command);
  command = g_strdup_printf ("nft delete table bridge %s", table);
  g_assert_cmpint (run_status (command), ==, 0);
  second_host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  reloaded = hcs_host_open_network (second_host, hcs_network_get_id (network), &error);
  g_assert_no_error (error);
  g_assert_true (output_has (list_table, "iifname @no_icc oifname \"hcsttest1\" drop"));
  g_assert_true (output_has (list_table, "iifname @no_icc oifname \"hcsxport0\" drop"));
  g_assert_true (output_has (list_table, "limit rate over 250000"));
  g_assert_cmpint (ping_from (&one, hcs_endpoint_get_ip_address (b)), !=, 0);
  g_assert_cmpint (ping_from (&one, "10.231.20.1"), ==, 0);

  /* A tap made anew under its old name (its maker crashed and came
   * back) and taken again gets the policies again. */
  g_assert_cmpint (run_status ("ip link del hcsttest1"), ==, 0);
  g_assert_cmpint (run_status ("ip tuntap add dev hcsttest1 mode tap"), ==, 0);
  g_assert_false (output_has ("ip -o link show dev hcsttest1", bridge));
  hcs_endpoint_attach_port (a, "hcsttest1", &error);
  g_assert_no_error (error);
  g_assert_true (output_has ("ip -o link show dev hcsttest1", bridge));
  g_assert_true (output_has (list_table, "iifname \"hcsttest1\" limit rate over 250000"));

  /* Detach gives the tap back whole: off the bridge, no rule, no set
   * element, no policer chain. */
  hcs_endpoint_detach_port (a, "hcsttest1", &error);
  g_assert_no_error (error);
  g_assert_false (output_has ("ip -o link show dev hcsttest1", bridge));
  g_assert_false (output_has (list_table, "hcsttest1"));
  g_assert_false (hcs_endpoint_detach_port (a, "hcsttest1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hcsttest1"));
  g_clear_error (&error);

  /* The endpoint's removal gives its ports back; a removed endpoint
   * takes none. */
  hcs_endpoint_attach_port (a, "hcsttest1", &error);
  g_assert_no_error (error);
  hcs_endpoint_remove (a, &error);
  g_assert_no_error (error);
  g_assert_false (output_has ("ip -o link show dev hcsttest1", bridge));
  g_assert_false (output_has ("ip -o link show dev hcsxport0", bridge));
  g_assert_false (output_has (list_table, "hcs-port-"));
  g_assert_false (output_has (list_table, "prerouting"));
  g_assert_false (output_has (list_table, "hcsttest1"));
  g_assert_false (hcs_endpoint_attach_port (a, "hcsttest1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "removed"));
  g_clear_error (&error);

  g_assert_cmpint (run_status ("ip link del hcsttest1"), ==, 0);
  g_assert_cmpint (run_status ("ip link del hcsxport0"), ==, 0);
  g_clear_object (&reloaded);
  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
  sandbox_stop (&one);
  sandbox_stop (&two);
}

/* The same through hcsctl, as a user runs it. */
static void
test_hcsctl_network (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GKeyFile) options = test_make_options (fixture->temp_dir);
  g_autofree char *options_file = g_build_filename (fixture->temp_dir, "options.ini", NULL);
  g_autofree char *image_dir = g_build_filename (fixture->temp_dir, "images", NULL);
  g_autofree char *out = NULL, *command = NULL;
  const char *hcsctl = g_getenv ("HCSCTL");
  int status;

  g_key_file_set_string (options, "host", "image-dir", image_dir);
  g_assert_true (g_key_file_save_to_file (options, options_file, NULL));

  command = g_strdup_printf ("%s --options %s network create --subnet 10.231.7.0/24 cli-net",
                             hcsctl, options_file);
  g_assert_cmpint (run_status (command), ==, 0);
  g_free (command);
  command = g_strdup_printf ("%s --options %s network ls --format json", hcsctl, options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"cli-net\""));
  g_clear_pointer (&out, g_free);
  g_free (command);
  command = g_strdup_printf ("%s --options %s network inspect cli-net", hcsctl, options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"10.231.7.0/24\""));
  g_clear_pointer (&out, g_free);
  g_free (command);
  command = g_strdup_printf ("%s --options %s hns GET /networks/", hcsctl, options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"Success\":true"));
  g_clear_pointer (&out, g_free);
  g_free (command);
  command = g_strdup_printf ("%s --options %s hns GET /networks/nosuch", hcsctl, options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (out, "\"Success\":false"));
  g_clear_pointer (&out, g_free);

  /* A container on the network reaches its gateway; its endpoint goes
   * with it. */
  g_free (command);
  command = g_strdup_printf ("%s --options %s run --network cli-net -- sh -c "
                             "'ping -c 1 -W 2 10.231.7.1 >/dev/null && echo reached'",
                             hcsctl, options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "reached"));
  g_clear_pointer (&out, g_free);

  /* -p maps a host port for the container's life. */
  g_free (command);
  command = g_strdup_printf ("%s --options %s run --network cli-net -p 8086:80/tcp -- true",
                             hcsctl, options_file);
  g_assert_cmpint (run_status (command), ==, 0);
  g_free (command);
  command = g_strdup_printf ("%s --options %s run --network cli-net -p 80 -- true", hcsctl,
                             options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (out, "HOST:CONTAINER"));
  g_clear_pointer (&out, g_free);

  g_free (command);
  command = g_strdup_printf ("%s --options %s network create --type Overlay --subnet "
                             "10.231.8.0/24 bad", hcsctl, options_file);
  out = run_capture (command, &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (out, "HNSNetwork.Type"));
  g_clear_pointer (&out, g_free);

  g_free (command);
  command = g_strdup_printf ("%s --options %s network rm cli-net", hcsctl, options_file);
  g_assert_cmpint (run_status (command), ==, 0);
}

static JsonObject *
hns_call (Fixture *fixture, const char *method, const char *path, const char *body,
          gboolean expect_success)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *response = hcs_host_hns_request (fixture->host, method, path, body, &error);
  g_autoptr (JsonNode) node = json_from_string (response, NULL);
  JsonObject *object;

  g_test_message ("%s %s -> %s", method, path, response);
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_cmpint (json_object_get_boolean_member (object, "Success"), ==, expect_success);
  if (expect_success)
    g_assert_no_error (error);
  else
    {
      g_assert_nonnull (error);
      g_assert_cmpstr (json_object_get_string_member (object, "Error"), ==, error->message);
    }
  return json_object_ref (object);
}

/* HNS's JSON API with hcsshim's shape and field names. */
static void
test_hns_request (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) created = NULL, listed = NULL, endpoint = NULL, fetched = NULL;
  g_autoptr (JsonObject) failed = NULL, endpoints = NULL;
  g_autofree char *network_id = NULL, *endpoint_id = NULL, *endpoint_body = NULL;
  g_autofree char *network_path = NULL, *endpoint_path = NULL;
  JsonObject *network, *output, *subnet, *policy;
  JsonArray *array;
  gboolean found = FALSE;

  created = hns_call (fixture, "POST", "/networks/",
                      "{\"Name\": \"api-net\", \"Type\": \"NAT\", \"DNSSuffix\": \"api.test\","
                      " \"Subnets\": [{\"AddressPrefix\": \"10.231.9.0/24\","
                      " \"GatewayAddress\": \"10.231.9.1\"}]}", TRUE);
  network = json_object_get_object_member (created, "Output");
  network_id = g_strdup (json_object_get_string_member (network, "Id"));
  g_assert_cmpstr (json_object_get_string_member (network, "Name"), ==, "api-net");
  g_assert_cmpstr (json_object_get_string_member (network, "Type"), ==, "NAT");
  subnet = json_array_get_object_element (json_object_get_array_member (network, "Subnets"), 0);
  g_assert_cmpstr (json_object_get_string_member (subnet, "AddressPrefix"), ==, "10.231.9.0/24");
  g_assert_cmpstr (json_object_get_string_member (subnet, "GatewayAddress"), ==, "10.231.9.1");

  listed = hns_call (fixture, "GET", "/networks/", NULL, TRUE);
  array = json_object_get_array_member (listed, "Output");
  for (guint i = 0; i < json_array_get_length (array); i++)
    found |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (array, i),
                                                       "Id"), network_id) == 0;
  g_assert_true (found);

  endpoint_body = g_strdup_printf (
      "{\"VirtualNetwork\": \"%s\", \"Name\": \"api-ep\", \"Policies\": [{\"Type\": \"NAT\","
      " \"Protocol\": \"tcp\", \"InternalPort\": 80, \"ExternalPort\": 8089}]}", network_id);
  endpoint = hns_call (fixture, "POST", "/endpoints/", endpoint_body, TRUE);
  output = json_object_get_object_member (endpoint, "Output");
  endpoint_id = g_strdup (json_object_get_string_member (output, "Id"));
  g_assert_cmpstr (json_object_get_string_member (output, "VirtualNetwork"), ==, network_id);
  g_assert_cmpstr (json_object_get_string_member (output, "VirtualNetworkName"), ==, "api-net");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (output, "IPAddress"),
                                   "10.231.9."));
  g_assert_cmpint (json_object_get_int_member (output, "PrefixLength"), ==, 24);
  g_assert_cmpstr (json_object_get_string_member (output, "GatewayAddress"), ==, "10.231.9.1");
  g_assert_cmpstr (json_object_get_string_member (output, "DNSSuffix"), ==, "api.test");
  g_assert_cmpuint (strlen (json_object_get_string_member (output, "MacAddress")), ==, 17);
  policy = json_array_get_object_element (json_object_get_array_member (output, "Policies"), 0);
  g_assert_cmpstr (json_object_get_string_member (policy, "Type"), ==, "NAT");
  g_assert_cmpint (json_object_get_int_member (policy, "ExternalPort"), ==, 8089);

  endpoint_path = g_strdup_printf ("/endpoints/%s", endpoint_id);
  fetched = hns_call (fixture, "GET", endpoint_path, NULL, TRUE);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (fetched, "Output"),
                                                  "IPAddress"), ==,
                   json_object_get_string_member (output, "IPAddress"));

  /* Bad requests: clear errors, and nothing kept. */
  g_clear_pointer (&failed, json_object_unref);
  {
    g_autofree char *bad_policy = g_strdup_printf (
        "{\"VirtualNetwork\": \"%s\", \"Policies\": [{\"Type\": \"Bogus\"}]}", network_id);
    failed = hns_call (fixture, "POST", "/endpoints/", bad_policy, FALSE);
    g_assert_nonnull (strstr (json_object_get_string_member (failed, "Error"), "unknown Type"));
  }
  endpoints = hns_call (fixture, "GET", "/endpoints/", NULL, TRUE);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (endpoints, "Output")), ==, 1);
  json_object_unref (hns_call (fixture, "GET", "/networks/0000", NULL, FALSE));
  json_object_unref (hns_call (fixture, "PUT", "/networks/", "{}", FALSE));
  json_object_unref (hns_call (fixture, "GET", "/compartments/", NULL, FALSE));
  json_object_unref (hns_call (fixture, "POST", "/endpoints/", "{not json", FALSE));
  json_object_unref (hns_call (fixture, "POST", "/networks/", "{\"Name\": \"x\", \"Type\": "
                               "\"Overlay\", \"Subnets\": [{\"AddressPrefix\": \"10.231.10.0/24\"}]}",
                               FALSE));

  /* A network with an endpoint is not deleted; then it is. */
  network_path = g_strdup_printf ("/networks/%s", network_id);
  json_object_unref (hns_call (fixture, "DELETE", network_path, NULL, FALSE));
  json_object_unref (hns_call (fixture, "DELETE", endpoint_path, NULL, TRUE));
  json_object_unref (hns_call (fixture, "GET", endpoint_path, NULL, FALSE));
  json_object_unref (hns_call (fixture, "DELETE", network_path, NULL, TRUE));
}

/* Runs @command in @container; its stdout. */
static char *
exec_output (HcsContainer *container, const char *command)
{
  g_autoptr (HcsProcessConfig) config = hcs_process_config_new ();
  g_autoptr (HcsProcess) process = NULL;
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;

  config->command_line = g_strdup (command);
  config->create_stdout_pipe = TRUE;
  process = hcs_container_create_process (container, config, &error);
  g_assert_no_error (error);
  g_output_stream_splice (memory, hcs_process_get_stdout (process),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  hcs_process_wait_timeout (process, 10000, NULL, &error);
  g_assert_no_error (error);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));
}

/* Endpoints added to and removed from a running container: with modify
 * (hcsshim's Network Add/Remove) and with HNS's attach/detach requests. */
static void
test_hot_endpoints (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = hcs_network_config_from_json (
      "{\"Name\": \"test-hot\", \"Type\": \"NAT\","
      " \"Subnets\": [{\"AddressPrefix\": \"10.231.11.0/24\"}]}", NULL);
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) first = NULL, second = NULL;
  g_autoptr (HcsContainerConfig) container_config = hcs_container_config_new ();
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *request = NULL, *links = NULL, *path = NULL, *response = NULL;
  const char *ids[2] = { NULL, NULL };

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  first = hcs_network_create_endpoint (network, "first", NULL, &error);
  second = hcs_network_create_endpoint (network, "second", NULL, &error);
  g_assert_no_error (error);
  ids[0] = hcs_endpoint_get_id (first);
  container_config->volume_path = g_strdup (test_get_busybox_rootfs ());
  container_config->endpoint_list = g_strdupv ((char **) ids);
  container_config->process = hcs_process_config_new ();
  container_config->process->command_line = g_strdup ("sleep 1000");
  container = hcs_host_create_container (fixture->host, "hot", container_config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));

  /* Removing what is not attached here is refused. */
  request = g_strdup_printf ("{\"Resource\": \"Network\", \"Request\": \"Remove\", \"Data\": \"%s\"}",
                             hcs_endpoint_get_id (second));
  g_assert_false (hcs_host_modify_container (fixture->host, container, request, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_free (request);
  request = g_strdup_printf ("{\"Resource\": \"Network\", \"Request\": \"Add\", \"Data\": \"%s\"}",
                             hcs_endpoint_get_id (second));
  g_assert_true (hcs_host_modify_container (fixture->host, container, request, &error));
  g_assert_no_error (error);
  links = exec_output (container, "sh -c 'ls /sys/class/net | tr \"\\n\" \" \"; "
                                  "ip -4 route show default | grep -c eth0'");
  g_assert_cmpstr (links, ==, "eth0 eth1 lo 1\n");
  g_clear_pointer (&links, g_free);

  g_free (request);
  request = g_strdup_printf ("{\"Resource\": \"Network\", \"Request\": \"Remove\", \"Data\": \"%s\"}",
                             hcs_endpoint_get_id (second));
  g_assert_true (hcs_host_modify_container (fixture->host, container, request, &error));
  g_assert_no_error (error);
  links = exec_output (container, "ls /sys/class/net");
  g_assert_cmpstr (links, ==, "eth0\nlo\n");
  g_clear_pointer (&links, g_free);

  /* The same through HNS's request API. */
  path = g_strdup_printf ("/endpoints/%s/attach", hcs_endpoint_get_id (second));
  response = hcs_host_hns_request (fixture->host, "POST", path, "{\"ContainerId\": \"hot\"}",
                                   &error);
  g_assert_no_error (error);
  links = exec_output (container, "ls /sys/class/net");
  g_assert_cmpstr (links, ==, "eth0\neth1\nlo\n");
  g_clear_pointer (&links, g_free);
  g_free (path);
  g_free (response);
  path = g_strdup_printf ("/endpoints/%s/detach", hcs_endpoint_get_id (second));
  response = hcs_host_hns_request (fixture->host, "POST", path, NULL, &error);
  g_assert_no_error (error);

  /* NetworkSharedContainerName: another system in this one's namespace. */
  {
    g_autoptr (HcsContainerConfig) sharing = hcs_container_config_new ();
    g_autoptr (HcsContainer) sidecar = NULL;
    g_autoptr (HcsProcess) init = NULL;
    g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
    g_autofree char *inside = exec_output (container, "cat /sys/class/net/eth0/address");

    sharing->volume_path = g_strdup (test_get_busybox_rootfs ());
    sharing->network_shared_container_name = g_strdup ("hot");
    sharing->process = hcs_process_config_new ();
    sharing->process->command_line = g_strdup ("cat /sys/class/net/eth0/address");
    sharing->process->create_stdout_pipe = TRUE;
    sidecar = hcs_host_create_container (fixture->host, "sidecar", sharing, NULL, &error);
    g_assert_no_error (error);
    init = hcs_container_get_init_process (sidecar, &error);
    g_assert_true (hcs_container_start (sidecar, &error));
    g_output_stream_splice (memory, hcs_process_get_stdout (init),
                            G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (hcs_container_wait_timeout (sidecar, 10000, NULL, &error));
    g_test_message ("sidecar sees %.*s, the container %s",
                    (int) g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)),
                    (char *) g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                    inside);
    g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                     g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)),
                     inside, strlen (inside));
    g_assert_true (hcs_container_remove (sidecar, &error));
    g_free (sharing->network_shared_container_name);
    sharing->network_shared_container_name = g_strdup ("no-such-system");
    g_assert_null (hcs_host_create_container (fixture->host, "orphan-sidecar", sharing, NULL,
                                              &error));
    g_assert_nonnull (strstr (error->message, "NetworkSharedContainerName"));
    g_clear_error (&error);
  }

  /* A resource update goes through the same entry point. */
  g_assert_true (hcs_host_modify_container (fixture->host, container,
                                            "{\"MemoryMaximumInMB\": 64}", &error));
  g_assert_no_error (error);
  g_assert_false (hcs_host_modify_container (fixture->host, container,
                                             "{\"Resource\": \"Gpu\"}", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  hcs_container_terminate (container, NULL);
  hcs_container_wait_timeout (container, 10000, NULL, NULL);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_true (hcs_network_remove (network, TRUE, &error));
  g_assert_no_error (error);
}

/* A container whose EndpointList names an endpoint gets it as eth0 and
 * reaches its gateway. */
static void
test_container_endpoint (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HcsNetworkConfig) config = hcs_network_config_from_json (
      "{\"Name\": \"test-container\", \"Type\": \"NAT\", \"DNSSuffix\": \"test.internal\","
      " \"DNSServerList\": \"10.231.4.53, 10.231.4.54\","
      " \"Subnets\": [{\"AddressPrefix\": \"10.231.4.0/24\"}]}",
      NULL);
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  g_autoptr (HcsContainerConfig) container_config = hcs_container_config_new ();
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  const char *ids[2] = { NULL, NULL };
  int exit_code = -1;

  network = hcs_host_create_network (fixture->host, config, &error);
  g_assert_no_error (error);
  endpoint = hcs_network_create_endpoint (network, "web", NULL, &error);
  g_assert_no_error (error);
  ids[0] = hcs_endpoint_get_id (endpoint);

  container_config->volume_path = g_strdup (test_get_busybox_rootfs ());
  container_config->endpoint_list = g_strdupv ((char **) ids);
  container_config->process = hcs_process_config_new ();
  container_config->process->command_line = g_strdup (
      "/bin/sh -c 'ip -4 addr show eth0 | grep -o 10.231.4.2/24; "
      "ping -c 1 -W 2 10.231.4.1 >/dev/null && echo reached; grep -v ^# /etc/resolv.conf'");
  container_config->process->create_stdout_pipe = TRUE;
  container = hcs_host_create_container (fixture->host, "networked", container_config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  hcs_container_start (container, &error);
  g_assert_no_error (error);
  g_output_stream_splice (memory, hcs_process_get_stdout (init), G_OUTPUT_STREAM_SPLICE_NONE,
                          NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write (memory, "", 1, NULL, NULL);
  g_output_stream_close (memory, NULL, NULL);
  hcs_container_wait_timeout (container, 20000, NULL, &error);
  g_assert_no_error (error);
  hcs_container_get_exit_code (container, &exit_code, &error);
  g_assert_cmpint (exit_code, ==, 0);
  g_assert_cmpstr (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)), ==,
                   "10.231.4.2/24\nreached\nsearch test.internal\n"
                   "nameserver 10.231.4.53\nnameserver 10.231.4.54\n");
  hcs_container_remove (container, &error);
  g_assert_no_error (error);

  /* An endpoint that does not exist fails the create and leaves nothing. */
  g_clear_object (&container);
  g_strfreev (container_config->endpoint_list);
  ids[0] = "no-such-endpoint";
  container_config->endpoint_list = g_strdupv ((char **) ids);
  container = hcs_host_create_container (fixture->host, "unnetworked", container_config, NULL,
                                         &error);
  g_assert_null (container);
  g_assert_nonnull (strstr (error->message, "EndpointList[0]"));
  g_clear_error (&error);

  hcs_network_remove (network, TRUE, &error);
  g_assert_no_error (error);
}

/* The generated rules, against golden files in tests/data/hns. */
static void
test_golden_rules (Fixture *fixture, gconstpointer data)
{
  const char *const kinds[] = { "NAT", "Internal" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("golden-%s", kinds[i]);
      g_autoptr (HcsNetworkConfig) config = make_config (name, kinds[i], "10.231.9.0/24");
      g_autoptr (HcsNetwork) network = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *ruleset = NULL, *golden_path = NULL, *golden = NULL, *expected = NULL;
      g_autofree char *command = NULL, *table = NULL, *bridge = NULL;
      int status;

      network = hcs_host_create_network (fixture->host, config, &error);
      g_assert_no_error (error);
      table = g_strdup_printf ("hcs_%.8s", hcs_network_get_id (network));
      bridge = g_strdup_printf ("hcs%.8s", hcs_network_get_id (network));
      command = g_strdup_printf ("nft list table ip %s", table);
      ruleset = run_capture (command, &status);
      g_assert_cmpint (status, ==, 0);
      golden_path = g_test_build_filename (G_TEST_DIST, "data", "hns",
                                           i == 0 ? "nat.nft" : "internal.nft", NULL);
      g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));
      {
        /* The golden files say TABLE and BRIDGE for the names made from ids. */
        g_autoptr (GString) text = g_string_new (golden);
        g_autofree char *state = g_build_filename (fixture->temp_dir, "state", "hns", NULL);
        g_string_replace (text, "TABLE", table, 0);
        g_string_replace (text, "STATE", state, 0);
        g_string_replace (text, "BRIDGE", bridge, 0);
        expected = g_string_free (g_steal_pointer (&text), FALSE);
      }
      g_assert_cmpstr (ruleset, ==, expected);
      hcs_network_remove (network, TRUE, &error);
      g_assert_no_error (error);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("networking needs root");
      return 0;
    }
  /* Everything below happens in a namespace of the test's own. */
  if (unshare (CLONE_NEWNET) < 0)
    g_error ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  g_free (run_capture ("ip link set lo up", &status));

#define ADD(path, func) \
  g_test_add ("/hns/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("nat-network-endpoints", test_nat_network_endpoints);
  ADD ("internal-network", test_internal_network);
  ADD ("bad-requests", test_bad_requests);
  ADD ("golden-rules", test_golden_rules);
  ADD ("container-endpoint", test_container_endpoint);
  ADD ("nat-outside", test_nat_outside);
  ADD ("persistence", test_persistence);
  ADD ("hcsctl-network", test_hcsctl_network);
  ADD ("l2bridge", test_l2bridge);
  ADD ("vlan", test_vlan);
  ADD ("parallel-ipam", test_parallel_ipam);
  ADD ("concurrent-processes", test_concurrent_processes);
  ADD ("router-advertisements", test_router_advertisements);
  ADD ("killed-endpoint", test_killed_endpoint);
  ADD ("mac-pool", test_mac_pool);
  ADD ("hns-request", test_hns_request);
  ADD ("hot-endpoints", test_hot_endpoints);
  ADD ("endpoint-port", test_endpoint_port);
#undef ADD
  status = g_test_run ();
  test_cleanup_cgroup_parent ();
  return status;
}
