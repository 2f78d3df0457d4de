/* vm-tap.c: persistent taps on bridges (vm-tap.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-tap.h"

#include "hcs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

char *
vm_tap_name_for (const char *endpoint_id)
{
  GString *name = g_string_new ("hcst");

  for (const char *p = endpoint_id; *p != '\0' && name->len < IFNAMSIZ - 1; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (name, g_ascii_tolower (*p));
  return g_string_free (name, FALSE);
}

static gboolean
request_for (struct ifreq *request, const char *name)
{
  memset (request, 0, sizeof *request);
  if (name == NULL || *name == '\0' || strlen (name) >= IFNAMSIZ)
    return FALSE;
  memcpy (request->ifr_name, name, strlen (name));
  return TRUE;
}

static gboolean
tap_error (GError **error, int code, const char *name, const char *what)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_FAILED, "vm: tap %s: %s: %s", name, what,
               g_strerror (code));
  return FALSE;
}

gboolean
vm_tap_delete (const char *name)
{
  struct ifreq request;
  gboolean deleted;
  int tun;

  if (if_nametoindex (name) == 0)
    return TRUE;
  if (!request_for (&request, name) || (tun = open ("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0)
    return FALSE;
  request.ifr_flags = IFF_TAP | IFF_NO_PI;
  /* Attaching fails (EBUSY) while a QEMU holds it: it stays then. */
  deleted = ioctl (tun, TUNSETIFF, &request) == 0 && ioctl (tun, TUNSETPERSIST, 0) == 0;
  close (tun);
  return deleted;
}

/* No router advertisements, autoconfiguration or redirects taken on an
 * endpoint's host side. Absent without IPv6: nothing to do then. */
static void
quiet_ipv6 (const char *name)
{
  static const char *const keys[] = { "accept_ra", "autoconf", "accept_redirects" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/%s", name, keys[i]);

      g_file_set_contents (path, "0", 1, NULL);
    }
}

static gboolean
make_tap (const char *name, const char *bridge, int tun, int control, GError **error)
{
  struct ifreq request;
  unsigned int index;

  if (tun < 0)
    return tap_error (error, errno, name, "opening /dev/net/tun");
  if (control < 0)
    return tap_error (error, errno, name, "socket");
  for (guint attempt = 0;; attempt++)
    {
      if (!request_for (&request, name))
        return tap_error (error, ENAMETOOLONG, name, "its name");
      request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
      if (ioctl (tun, TUNSETIFF, &request) == 0)
        break;
      if (errno != EBUSY)
        return tap_error (error, errno, name, "TUNSETIFF");
      if (attempt > 0 || !vm_tap_delete (name))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                       "vm: tap %s is held by another VM (its endpoint is in use)", name);
          return FALSE;
        }
    }
  if (ioctl (tun, TUNSETPERSIST, 1) < 0)
    return tap_error (error, errno, name, "TUNSETPERSIST");
  index = if_nametoindex (name);
  if (index == 0)
    return tap_error (error, errno, name, "if_nametoindex");
  quiet_ipv6 (name);
  if (!request_for (&request, bridge))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "vm: tap %s: bridge '%s' is not "
                   "an interface name", name, bridge ? bridge : "(null)");
      return FALSE;
    }
  request.ifr_ifindex = (int) index;
  if (ioctl (control, SIOCBRADDIF, &request) < 0)
    {
      g_autofree char *what = g_strdup_printf ("joining the bridge %s", bridge);

      return tap_error (error, errno, name, what);
    }
  request_for (&request, name);
  if (ioctl (control, SIOCGIFFLAGS, &request) < 0)
    return tap_error (error, errno, name, "SIOCGIFFLAGS");
  request.ifr_flags |= IFF_UP;
  if (ioctl (control, SIOCSIFFLAGS, &request) < 0)
    return tap_error (error, errno, name, "setting it up");
  return TRUE;
}

gboolean
vm_tap_create (const char *name, const char *bridge, GError **error)
{
  int tun = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  int control = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  gboolean made = make_tap (name, bridge, tun, control, error);

  if (tun >= 0)
    close (tun);
  if (control >= 0)
    close (control);
  if (!made)
    vm_tap_delete (name);
  return made;
}
