/* vm-netns.c: a host network namespace given to a VM (vm-netns.h), the
 * host's side: runs hcs-vm-netns and takes what it hands back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "vm-netns.h"

#include "hcs-error.h"

#include <errno.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The helper's exit statuses (hcs-vm-netns.c). */
#define HELPER_UNUSABLE 2
#define HELPER_IN_USE 3

static const char *
helper_path (void)
{
  const char *path = g_getenv ("HCS_VM_NETNS");

  if (path != NULL && path[0] != '\0')
    return path;
  if (VM_BUILD_NETNS_HELPER[0] != '\0' &&
      g_file_test (VM_BUILD_NETNS_HELPER, G_FILE_TEST_IS_EXECUTABLE))
    return VM_BUILD_NETNS_HELPER;
  return HCS_LIBEXECDIR "/hcs-vm-netns";
}

void
vm_netns_tap_free (VmNetnsTap *tap)
{
  if (tap == NULL)
    return;
  g_free (tap->netns_path);
  g_free (tap->interface);
  g_free (tap->tap);
  if (tap->tap_fd >= 0)
    close (tap->tap_fd);
  g_free (tap->mac);
  g_free (tap->address);
  g_free (tap->gateway);
  g_strfreev (tap->addresses);
  g_strfreev (tap->routes);
  g_free (tap);
}

/* Runs the helper with @argv; @fd_end (taken, nullable) becomes its fd 3.
 * Its stdout in @out. A failure is a GError with the helper's reason. */
static gboolean
run_helper (const char *const *argv, int fd_end, char **out, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) helper = NULL;
  g_autofree char *err = NULL;
  int status;
  HcsError code;

  if (fd_end >= 0)
    g_subprocess_launcher_take_fd (launcher, fd_end, 3);
  helper = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (helper == NULL)
    {
      g_prefix_error (error, "vm: %s: ", argv[0]);
      return FALSE;
    }
  if (!g_subprocess_communicate_utf8 (helper, NULL, NULL, out, &err, error))
    {
      g_prefix_error (error, "vm: %s: ", argv[0]);
      return FALSE;
    }
  status = g_subprocess_get_status (helper);
  if (g_subprocess_get_if_exited (helper) && g_subprocess_get_exit_status (helper) == 0)
    return TRUE;
  code = !g_subprocess_get_if_exited (helper) ? HCS_ERROR_FAILED
         : g_subprocess_get_exit_status (helper) == HELPER_UNUSABLE ? HCS_ERROR_INVALID_DATA
         : g_subprocess_get_exit_status (helper) == HELPER_IN_USE   ? HCS_ERROR_ALREADY_EXISTS
                                                                    : HCS_ERROR_FAILED;
  g_strchomp (err);
  if (*err != '\0')
    g_set_error (error, HCS_ERROR, code, "%s", err);
  else
    g_set_error (error, HCS_ERROR, code, "vm: %s ended with status %d", argv[0], status);
  return FALSE;
}

static int
receive_fd (int sock)
{
  char byte;
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec vector = { &byte, 1 };
  struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1,
                            .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *header;
  int fd = -1;

  if (recvmsg (sock, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
    return -1;
  header = CMSG_FIRSTHDR (&message);
  if (header != NULL && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS &&
      header->cmsg_len == CMSG_LEN (sizeof (int)))
    memcpy (&fd, CMSG_DATA (header), sizeof (int));
  return fd;
}

static GStrv
strings_member (JsonObject *object, const char *name)
{
  JsonArray *array = json_object_has_member (object, name) &&
                             JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, name))
                         ? json_object_get_array_member (object, name)
                         : NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (node));
    }
  return g_strv_builder_end (builder);
}

void
vm_netns_tap_fill_adapter (const VmNetnsTap *tap, JsonObject *adapter)
{
  JsonArray *addresses = json_array_new ();
  JsonArray *routes = json_array_new ();

  json_object_set_string_member (adapter, "MacAddress", tap->mac);
  json_object_set_string_member (adapter, "IPAddress", tap->address);
  json_object_set_int_member (adapter, "PrefixLength", tap->prefix_length);
  json_object_set_string_member (adapter, "GatewayAddress", tap->gateway);
  /* DNS: the bundle's /etc/resolv.conf, mounted as the caller set it. */
  json_object_set_string_member (adapter, "DNSSuffix", "");
  json_object_set_string_member (adapter, "DNSServerList", "");
  for (guint i = 0; tap->addresses != NULL && tap->addresses[i] != NULL; i++)
    json_array_add_string_element (addresses, tap->addresses[i]);
  for (guint i = 0; tap->routes != NULL && tap->routes[i] != NULL; i++)
    {
      g_auto (GStrv) parts = g_strsplit (tap->routes[i], " ", 2);
      JsonObject *route = json_object_new ();

      json_object_set_string_member (route, "Destination", parts[0]);
      json_object_set_string_member (route, "Gateway", parts[0] && parts[1] ? parts[1] : "");
      json_array_add_object_element (routes, route);
    }
  json_object_set_array_member (adapter, "HcsAddresses", addresses);
  json_object_set_array_member (adapter, "HcsRoutes", routes);
}

VmNetnsTap *
vm_netns_tap_attach (const char *netns_path, const char *tap_name, GError **error)
{
  const char *argv[] = { helper_path (), "attach", netns_path, tap_name, NULL };
  g_autoptr (VmNetnsTap) tap = g_new0 (VmNetnsTap, 1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *object;
  int pair[2];

  tap->tap_fd = -1;
  tap->netns_path = g_strdup (netns_path);
  if (netns_path == NULL || !g_path_is_absolute (netns_path))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "network namespace '%s': not an absolute path", netns_path ? netns_path : "");
      return NULL;
    }
  if (socketpair (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "vm: socketpair: %s",
                   g_strerror (saved_errno));
      return NULL;
    }
  if (!run_helper (argv, pair[1], &out, error))
    {
      /* A tap it handed over before it failed goes with the socket. */
      close (pair[0]);
      return NULL;
    }
  tap->tap_fd = receive_fd (pair[0]);
  close (pair[0]);
  if (!json_parser_load_from_data (parser, out, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      /* Not what the helper writes: nothing to tell what it made. */
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "vm: %s: no description came back",
                   argv[0]);
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  tap->interface = g_strdup (json_object_get_string_member_with_default (object, "Interface", ""));
  tap->tap = g_strdup (json_object_get_string_member_with_default (object, "Tap", tap_name));
  tap->mac = g_strdup (json_object_get_string_member_with_default (object, "MacAddress", ""));
  tap->mtu = (guint) json_object_get_int_member_with_default (object, "Mtu", 0);
  tap->address = g_strdup (json_object_get_string_member_with_default (object, "IPAddress", ""));
  tap->prefix_length = (guint) json_object_get_int_member_with_default (object, "PrefixLength", 0);
  tap->gateway = g_strdup (json_object_get_string_member_with_default (object, "GatewayAddress",
                                                                       ""));
  tap->made_qdisc = json_object_get_boolean_member_with_default (object, "MadeQdisc", FALSE);
  tap->addresses = strings_member (object, "Addresses");
  tap->routes = strings_member (object, "Routes");
  if (tap->tap_fd < 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "vm: %s: no tap came back", argv[0]);
      /* Its filter goes; its tap went with the helper. */
      vm_netns_tap_detach (tap, NULL);
      return NULL;
    }
  return g_steal_pointer (&tap);
}

gboolean
vm_netns_tap_detach (const VmNetnsTap *tap, GError **error)
{
  const char *argv[] = { helper_path (), "detach", tap->netns_path, tap->interface,
                         tap->made_qdisc ? "1" : "0", NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) local_error = NULL;

  if (tap->interface == NULL || *tap->interface == '\0')
    return TRUE;
  if (run_helper (argv, -1, &out, &local_error))
    return TRUE;
  /* The namespace went (its owner deleted it): nothing of ours is left. */
  if (!g_file_test (tap->netns_path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
