/* test-vm-netns.c: a network namespace the host made (OCI's network
 * namespace path, as podman and CNI give) handed to a VM-isolated
 * container (plugins/vm/vm-netns.h).
 *
 * The test makes two network namespaces joined by a veth pair, 10.88.0.2
 * and fd88::2 in the "container" one (the path it gives, with a default
 * and a static route), 10.88.0.1 and fd88::1 in the "peer" one; the
 * container in the VM pings the peer and the peer pings the container
 * (IPv4 and IPv6), then nothing of ours is left in the namespace: no tap, no
 * filter, no qdisc. One lcow host (one UVM) for the suite, one hyperv
 * container (a clone of the template other suites share); the whole test
 * in a network namespace of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONTAINER_ADDRESS "10.88.0.2"
#define PEER_ADDRESS "10.88.0.1"
#define CONTAINER_ADDRESS6 "fd88::2"
#define PEER_ADDRESS6 "fd88::1"

static struct
{
  char *temp_dir;
  HcsHost *host;
  char *container_ns; /* names under /run/netns */
  char *peer_ns;
  char *empty_ns;
} shared;

static char *
run (const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (command, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("'%s' failed: %s%s", command, out, err);
  return out;
}

static char *
netns_path (const char *name)
{
  return g_strdup_printf ("/run/netns/%s", name);
}

static void
make_namespaces (void)
{
  g_autofree char *commands = NULL;
  pid_t pid = getpid ();

  shared.container_ns = g_strdup_printf ("hcs-test-vmnet-%d-c", (int) pid);
  shared.peer_ns = g_strdup_printf ("hcs-test-vmnet-%d-p", (int) pid);
  shared.empty_ns = g_strdup_printf ("hcs-test-vmnet-%d-e", (int) pid);
  commands = g_strdup_printf (
      "sh -ec 'ip netns add %1$s; ip netns add %2$s; ip netns add %3$s; "
      "ip -n %1$s link add vc0 type veth peer name vp0 netns %2$s; "
      "ip -n %1$s addr add " CONTAINER_ADDRESS "/24 dev vc0; "
      "ip -n %2$s addr add " PEER_ADDRESS "/24 dev vp0; "
      "ip -n %1$s link set vc0 up; ip -n %2$s link set vp0 up; "
      "ip -n %1$s route add default via " PEER_ADDRESS "; "
      /* IPv6 and a static route: carried into the guest too. */
      "ip -n %1$s addr add " CONTAINER_ADDRESS6 "/64 dev vc0 nodad; "
      "ip -n %2$s addr add " PEER_ADDRESS6 "/64 dev vp0 nodad; "
      "ip -n %1$s route add 10.99.0.0/16 via " PEER_ADDRESS "'",
      shared.container_ns, shared.peer_ns, shared.empty_ns);
  g_free (run (commands));
}

static void
remove_namespaces (void)
{
  const char *names[] = { shared.container_ns, shared.peer_ns, shared.empty_ns };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i] != NULL)
      {
        g_autofree char *command = g_strdup_printf ("ip netns del %s", names[i]);

        g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
      }
}

/* Nothing of ours in the container's namespace: no tap, no qdisc or
 * filter on its interface. */
static void
assert_namespace_clean (void)
{
  g_autofree char *links = NULL, *qdiscs = NULL, *filters = NULL, *command = NULL;

  command = g_strdup_printf ("ip -n %s -o link show", shared.container_ns);
  links = run (command);
  g_free (command);
  command = g_strdup_printf ("tc -n %s qdisc show", shared.container_ns);
  qdiscs = run (command);
  g_free (command);
  command = g_strdup_printf ("tc -n %s filter show dev vc0 ingress", shared.container_ns);
  filters = run (command);
  g_assert_null (strstr (links, "hcsvm"));
  g_assert_null (strstr (qdiscs, "ingress"));
  g_assert_cmpstr (filters, ==, "");
  /* Its own interface and address are the caller's still. */
  g_assert_nonnull (strstr (links, "vc0"));
}

static HcsContainerConfig *
make_config (const char *script, const char *netns)
{
  HcsContainerConfig *config = hcs_container_config_new ();

  config->owner = g_strdup ("test-vm-netns");
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strsplit ("sh -c", " ", -1);
  config->process->command_args = g_realloc_n (config->process->command_args, 4, sizeof (char *));
  config->process->command_args[2] = g_strdup (script);
  config->process->command_args[3] = NULL;
  config->process->create_stdout_pipe = TRUE;
  config->network_namespace.mode = HCS_NAMESPACE_MODE_JOIN;
  config->network_namespace.path = g_strdup (netns);
  return config;
}

static void
read_until (GInputStream *stream, GString *seen, const char *marker)
{
  while (strstr (seen->str, marker) == NULL)
    {
      char buffer[4096];
      g_autoptr (GError) error = NULL;
      gssize length = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      if (length == 0)
        g_error ("the stream ended before '%s'; it said:\n%s", marker, seen->str);
      g_string_append_len (seen, buffer, length);
    }
}

/* The container answers for the namespace's interface: its MAC and
 * address, a default route via the namespace's gateway; it reaches the
 * peer and the peer reaches it. Removed, it leaves the namespace as it
 * was. */
static void
ping_both_ways (HcsHost *host, const char *id)
{
  g_autofree char *path = netns_path (shared.container_ns);
  g_autofree char *mac = NULL, *command = NULL, *ping = NULL;
  g_autoptr (HcsContainerConfig) config = make_config (
      "ip -o addr show eth0; ip -o link show eth0; ip route; ip -6 route; "
      "ping -c 1 -W 30 " PEER_ADDRESS " && echo PING-OK; echo DONE; exec sleep 1000",
      path);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  command = g_strdup_printf ("ip netns exec %s cat /sys/class/net/vc0/address",
                             shared.container_ns);
  mac = g_strstrip (run (command));
  container = hcs_host_create_container (host, id, config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  read_until (hcs_process_get_stdout (init), seen, "DONE");
  g_test_message ("the container said:\n%s", seen->str);
  g_assert_nonnull (strstr (seen->str, CONTAINER_ADDRESS "/24"));
  g_assert_nonnull (strstr (seen->str, mac));
  g_assert_nonnull (strstr (seen->str, "default via " PEER_ADDRESS));
  g_assert_nonnull (strstr (seen->str, "PING-OK"));
  g_assert_nonnull (strstr (seen->str, CONTAINER_ADDRESS6 "/64"));
  g_assert_nonnull (strstr (seen->str, "10.99.0.0/16 via " PEER_ADDRESS));

  /* And over IPv6. */
  g_free (command);
  command = g_strdup_printf ("ip netns exec %s ping -6 -c 1 -W 30 " CONTAINER_ADDRESS6,
                             shared.peer_ns);
  g_free (ping);
  ping = run (command);
  g_test_message ("the peer over IPv6: %s", ping);
  g_assert_nonnull (strstr (ping, "1 received"));

  /* The peer reaches the container: answered in the VM. */
  g_free (command);
  command = g_strdup_printf ("ip netns exec %s ping -c 1 -W 30 " CONTAINER_ADDRESS,
                             shared.peer_ns);
  ping = run (command);
  g_test_message ("the peer: %s", ping);
  g_assert_nonnull (strstr (ping, "1 received"));

  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_clear_object (&init);
  g_clear_object (&container);
  assert_namespace_clean ();
}

static void
assert_refused_by (HcsHost *host, const char *id, const char *netns, const char *expected)
{
  g_autoptr (HcsContainerConfig) config = make_config ("true", netns);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;

  container = hcs_host_create_container (host, id, config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_test_message ("%s: %s", netns, error->message);
  g_assert_nonnull (strstr (error->message, netns));
  g_assert_nonnull (strstr (error->message, expected));
}

static void
assert_refused (const char *id, const char *netns, const char *expected)
{
  assert_refused_by (shared.host, id, netns, expected);
}

static void
test_ping_both_ways (void)
{
  ping_both_ways (shared.host, "vmnet-ping");
}

/* The same under hyperv: the tap is the VM's NIC from its start (a
 * clone of the suite's template, or a cold boot). */
static void
test_hyperv_ping_both_ways (void)
{
  g_autoptr (GKeyFile) options = test_make_options (shared.temp_dir);
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (GError) error = NULL;
  const char *templates = g_getenv ("HCS_XENON_TEMPLATE_DIR");
  const char *initrd = g_getenv ("HCS_XENON_INITRD");

  g_key_file_set_string (options, "host", "isolation", "hyperv");
  if (templates != NULL)
    g_key_file_set_string (options, "xenon", "template-dir", templates);
  if (initrd != NULL)
    g_key_file_set_string (options, "xenon", "initrd", initrd);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  ping_both_ways (host, "vmnet-hyperv");
  assert_refused_by (host, "vmnet-hyperv-file", "/etc/hostname", "is not a network namespace");
  g_clear_object (&host);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  assert_namespace_clean ();
}

/* Paths that are no usable namespace: a clear error naming the path. */
static void
test_refused (void)
{
  g_autofree char *empty = netns_path (shared.empty_ns);
  g_autofree char *missing = g_build_filename (shared.temp_dir, "no-such-netns", NULL);

  assert_refused ("vmnet-file", "/etc/hostname", "is not a network namespace");
  assert_refused ("vmnet-uts", "/proc/self/ns/uts", "is not a network namespace");
  assert_refused ("vmnet-missing", missing, "No such file");
  assert_refused ("vmnet-empty", empty, "has no interface with an address");
  /* The test's own namespace is the host's for the driver. */
  assert_refused ("vmnet-host", "/proc/self/ns/net", "the host's own network namespace");
  assert_namespace_clean ();
}

/* A killed QEMU: the container stops; once the host lets the UVM go,
 * nothing of ours is left in the namespace. */
static void
test_killed_qemu (void)
{
  g_autofree char *path = netns_path (shared.container_ns);
  g_autoptr (HcsContainerConfig) config = make_config ("exec sleep 1000", path);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *filters = NULL, *command = NULL;
  GPid qemu = 0;

  container = hcs_host_create_container (shared.host, "vmnet-killed", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  command = g_strdup_printf ("tc -n %s filter show dev vc0 ingress", shared.container_ns);
  filters = run (command);
  g_assert_nonnull (strstr (filters, "mirred"));
  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  g_assert_cmpint (kill (qemu, SIGKILL), ==, 0);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&container);
  g_clear_object (&shared.host);
  assert_namespace_clean ();
}

/* Last: no QEMU, mount, cgroup or namespace of the suite's is left, and
 * no link of ours in the test's own namespace. */
static void
test_nothing_left (void)
{
  g_autofree char *namespaces = NULL, *links = NULL;

  g_assert_null (shared.host);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  remove_namespaces ();
  namespaces = run ("ip netns list");
  g_assert_null (strstr (namespaces, "hcs-test-vmnet"));
  g_clear_pointer (&shared.container_ns, g_free);
  g_clear_pointer (&shared.peer_ns, g_free);
  g_clear_pointer (&shared.empty_ns, g_free);
  links = run ("ip -o link show");
  g_assert_null (strstr (links, "hcs"));
  test_assert_no_leftovers (shared.temp_dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* QEMU and the helpers in a network namespace of the test's own. */
  if (unshare (CLONE_NEWNET) < 0)
    g_error ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  shared.temp_dir = test_make_temp_dir ("hcs-test-vm-netns");
  options = test_make_options (shared.temp_dir);
  g_key_file_set_string (options, "host", "isolation", "lcow");
  shared.host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  make_namespaces ();
  g_test_add_func ("/vm-netns/lcow/ping-both-ways", test_ping_both_ways);
  g_test_add_func ("/vm-netns/lcow/refused", test_refused);
  g_test_add_func ("/vm-netns/lcow/killed-qemu", test_killed_qemu);
  g_test_add_func ("/vm-netns/hyperv/ping-both-ways", test_hyperv_ping_both_ways);
  g_test_add_func ("/vm-netns/end/nothing-left", test_nothing_left);
  status = g_test_run ();
  g_clear_object (&shared.host);
  remove_namespaces ();
  test_cleanup_cgroup_parent ();
  test_remove_tree (shared.temp_dir);
  g_free (shared.temp_dir);
  g_free (shared.container_ns);
  g_free (shared.peer_ns);
  g_free (shared.empty_ns);
  return status;
}
