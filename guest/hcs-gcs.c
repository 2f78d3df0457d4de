/* hcs-gcs.c: the guest agent of a utility VM (hcsshim's GCS).
 *
 * Started as PID 1 by the initramfs's /init once it has moved the root
 * to a mount of its own (pivot_root, which the containers need, refuses
 * the initramfs's own root). It mounts what a Linux system needs (/proc,
 * /sys, /dev, cgroup v2), loads the kernel modules the bridge needs, and
 * serves the compute-system protocol (core/hcs-protocol-server.h) on the
 * virtio-serial port named "hcs.bridge", and on any hot-added port named
 * "hcs.bridge.*". What only containers need (the busybox image and argon,
 * then the other modules) is set up on a thread meanwhile, and creates
 * wait for what they use of it; the 9p shares are mounted by the first
 * create that maps one.
 *
 * Containers are built by an HcsHost of its own with the argon plugin and
 * the runtime helper, exactly as on a host: one code path for the
 * namespaces, cgroups, capabilities, seccomp and pty of a container,
 * wherever it runs. Stdio relay port N is the hot-added port
 * "hcs.stdio.N": the agent opens it when the kernel announces it (a
 * uevent) and hands it to the server as that port's stream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "gcs-network.h"
#include "gcs-storage.h"
#include "hcs-image.h"
#include "hcs-protocol-server.h"
#include "hcs-bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <linux/netlink.h>
#include <linux/random.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORTS_DIR "/sys/class/virtio-ports"
#define MODULES_DIR "/lib/modules"
#define IMAGES_DIR "/var/lib/hcs/images"
/* How long the boot bridge port may take to appear once modules load. */
#define BRIDGE_WAIT_MS 20000
/* A safety net under the uevents, which announce every port. */
#define RESCAN_INTERVAL_MS 1000

typedef struct
{
  GMainLoop *loop;
  HcsHost *host;
  HcsProtocolServer *server;
  GHashTable *opened;     /* port names handed to the server */
  GIOStream *boot_bridge; /* reopened when the server drops it */
  char *default_rootfs;
  GMutex storage_lock;    /* guards `storages`: creates run on worker threads */
  GHashTable *storages;   /* container id -> GcsStorage: roots built of disks */
  char *misbehave;        /* hcs.misbehave= of the kernel command line, for tests */
  gboolean timing;        /* hcs.timing on the kernel command line: each create's steps */
  gboolean blocks;        /* hcs.blocks: a console mark at each step, for bench/xenon-blocks.sh */
  gboolean kallsyms;      /* hcs.kallsyms: the kernel's symbols said once, likewise */
  char **modules;         /* /lib/modules/load-order */
  guint bridge_modules;   /* how many of `modules` PID 1 loaded before the bridge */
  GMutex setup_lock;      /* guards the four below: creates wait for the set-up */
  GCond setup_cond;
  guint setup_done;       /* SetupStage bits */
  GError *setup_error;    /* why the set-up failed, for every create */
  GError *devices_error;  /* why the devices' modules failed, for creates that use them */
  gboolean booted_with_devices; /* disks or NICs at boot: every create uses them */
  pid_t setup_tid;        /* the set-up thread, at the lowest priority until awaited */
  guint setup_awaited;    /* SetupStage bits a create waits for */
  guint creates_running;  /* creates past their wait: the devices' modules wait for them */
} Agent;

/* What the set-up thread does, in this order: a container with nothing
 * of the host's (no disk, share or NIC) needs only the first. */
typedef enum
{
  SETUP_CONTAINERS = 1 << 0, /* the busybox image and the host with argon */
  SETUP_DEVICES = 1 << 1,    /* the modules of disks, file systems, 9p and NICs */
} SetupStage;

static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Early output goes to the console (the host's console log). */
static void
say (const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("hcs-gcs: %s\n", text);
}

/* --- boot ------------------------------------------------------------------------- */

static gboolean
mount_one (const char *source, const char *target, const char *type, unsigned long flags,
           const char *data, GError **error)
{
  if (g_mkdir_with_parents (target, 0755) < 0)
    return hcs_set_error_from_errno (error, errno, "creating %s", target), FALSE;
  if (mount (source, target, type, flags, data) < 0 && errno != EBUSY)
    return hcs_set_error_from_errno (error, errno, "mounting %s on %s", type, target), FALSE;
  return TRUE;
}

static gboolean
mount_system (GError **error)
{
  const unsigned long nosuid = MS_NOSUID | MS_NODEV | MS_NOEXEC;

  return mount_one ("proc", "/proc", "proc", nosuid, NULL, error)
         && mount_one ("sysfs", "/sys", "sysfs", nosuid, NULL, error)
         && mount_one ("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", error)
         && mount_one ("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                       "newinstance,ptmxmode=0666,mode=0620", error)
         && mount_one ("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", error)
         && mount_one ("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", error)
         && mount_one ("cgroup2", "/sys/fs/cgroup", "cgroup2", nosuid, NULL, error);
}

/* The modules the bridge port needs (virtio-serial on PCI or MMIO); the
 * rest (disks, file systems, 9p, NICs) only containers need. */
static const char *const bridge_modules[] = { "virtio_console", "virtio_pci", "virtio_mmio",
                                               NULL };

/* The modules in /lib/modules/load-order, one a line, dependencies first
 * (made from modules.dep when the initramfs was built); an empty list
 * when there is none. */
static GStrv
read_load_order (GError **error)
{
  g_autofree char *order = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (MODULES_DIR "/load-order", &order, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_strv_builder_end (builder);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  lines = g_strsplit (order, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_strv_builder_add (builder, lines[i]);
  return g_strv_builder_end (builder);
}

/* How many modules of @names, from the first, the bridge needs: up to the
 * last bridge module listed, whose dependencies all come before it. */
static guint
bridge_modules_count (char **names)
{
  guint count = 0;

  for (guint i = 0; names[i] != NULL; i++)
    if (g_strv_contains ((const char *const *) bridge_modules, names[i]))
      count = i + 1;
  return count;
}

static gboolean
load_modules (char **names, guint from, guint to, GError **error)
{
  for (guint i = from; i < to; i++)
    {
      g_autofree char *path = g_strdup_printf (MODULES_DIR "/%s.ko", names[i]);
      int fd = open (path, O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        return hcs_set_error_from_errno (error, errno, "module %s", path), FALSE;
      if (syscall (SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
        {
          int saved_errno = errno;

          close (fd);
          return hcs_set_error_from_errno (error, saved_errno, "loading module %s", path), FALSE;
        }
      close (fd);
    }
  return TRUE;
}

/* --- ports ------------------------------------------------------------------------ */

/* A port's output, as a stream that is not pollable: GIO runs its async
 * writes on worker threads, so a host that reads a port slowly (a write
 * to a port blocks while its queue is full) holds up that port only,
 * never the agent's main loop.
 *
 * A stdio port is framed: each write is a u32 little-endian length and
 * that many bytes, and closing sends a zero length, the end of stream. A
 * port has no half-close of its own, and that the guest closed it (QEMU's
 * VSERPORT_CHANGE) may overtake data QEMU still holds; the end frame comes
 * behind the data on the same queue (docs/guest.md). */
#define GCS_TYPE_PORT_OUTPUT (gcs_port_output_get_type ())
G_DECLARE_FINAL_TYPE (GcsPortOutput, gcs_port_output, GCS, PORT_OUTPUT, GOutputStream)

struct _GcsPortOutput
{
  GOutputStream parent_instance;
  int fd;
  gboolean framed;
};

G_DEFINE_FINAL_TYPE (GcsPortOutput, gcs_port_output, G_TYPE_OUTPUT_STREAM)

/* A frame's payload at most, so that the length always fits. */
#define PORT_FRAME_MAX (1024 * 1024)

static gboolean
write_fully (int fd, const guint8 *data, gsize length, GError **error)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "writing to a port: %s",
                       g_strerror (errno));
          return FALSE;
        }
      data += written;
      length -= written;
    }
  return TRUE;
}

static gssize
gcs_port_output_write (GOutputStream *stream, const void *buffer, gsize count,
                       GCancellable *cancellable, GError **error)
{
  GcsPortOutput *self = GCS_PORT_OUTPUT (stream);
  guint32 header;

  if (!self->framed)
    {
      gssize written;

      do
        written = write (self->fd, buffer, count);
      while (written < 0 && errno == EINTR);
      if (written < 0)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "writing to a port: %s",
                     g_strerror (errno));
      return written;
    }
  count = MIN (count, PORT_FRAME_MAX);
  if (count == 0)
    return 0;
  header = GUINT32_TO_LE ((guint32)count);
  if (!write_fully (self->fd, (const guint8 *)&header, sizeof header, error)
      || !write_fully (self->fd, buffer, count, error))
    return -1;
  return count;
}

static gboolean
gcs_port_output_close (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  GcsPortOutput *self = GCS_PORT_OUTPUT (stream);
  int fd = self->fd;

  self->fd = -1;
  if (fd < 0)
    return TRUE;
  if (self->framed)
    {
      guint32 end = 0;

      /* Closing runs in the main loop: a host that does not read gets no
       * end frame rather than stalling the agent. */
      fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
      write_fully (fd, (const guint8 *)&end, sizeof end, NULL);
    }
  if (close (fd) < 0 && errno != EINTR)
    return hcs_set_error_from_errno (error, errno, "closing a port");
  return TRUE;
}

static void
gcs_port_output_finalize (GObject *object)
{
  GcsPortOutput *self = GCS_PORT_OUTPUT (object);

  if (self->fd >= 0)
    close (self->fd);
  G_OBJECT_CLASS (gcs_port_output_parent_class)->finalize (object);
}

static void
gcs_port_output_class_init (GcsPortOutputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gcs_port_output_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = gcs_port_output_write;
  G_OUTPUT_STREAM_CLASS (klass)->close_fn = gcs_port_output_close;
}

static void
gcs_port_output_init (GcsPortOutput *self)
{
  self->fd = -1;
}

/* Takes @fd. */
static GOutputStream *
gcs_port_output_new (int fd, gboolean framed)
{
  GcsPortOutput *self = g_object_new (GCS_TYPE_PORT_OUTPUT, NULL);

  self->fd = fd;
  self->framed = framed;
  return G_OUTPUT_STREAM (self);
}

/* A port's /dev node as a stream: two descriptors, so that input and
 * output close on their own and the port closes with the last. */
static GIOStream *
open_port (const char *device, gboolean framed, GError **error)
{
  g_autofree char *path = g_build_filename ("/dev", device, NULL);
  g_autoptr (GInputStream) input = NULL;
  g_autoptr (GOutputStream) output = NULL;
  int fd = open (path, O_RDWR | O_CLOEXEC | O_NOCTTY);
  int write_fd;

  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "opening %s", path), NULL;
  write_fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (write_fd < 0)
    {
      int saved_errno = errno;

      close (fd);
      return hcs_set_error_from_errno (error, saved_errno, "duplicating %s", path), NULL;
    }
  input = g_unix_input_stream_new (fd, TRUE);
  output = gcs_port_output_new (write_fd, framed);
  return g_simple_io_stream_new (input, output);
}

/* The stdio port number in "hcs.stdio.N", or 0. */
static guint32
stdio_port_number (const char *name)
{
  guint64 number = 0;

  if (!g_str_has_prefix (name, HCS_PROTOCOL_STDIO_PORT_PREFIX)
      || !g_ascii_string_to_unsigned (name + strlen (HCS_PROTOCOL_STDIO_PORT_PREFIX), 10, 1,
                                      G_MAXUINT32, &number, NULL))
    return 0;
  return (guint32)number;
}

static gboolean
is_bridge_port (const char *name)
{
  return g_str_equal (name, HCS_PROTOCOL_BRIDGE_PORT)
         || g_str_has_prefix (name, HCS_PROTOCOL_BRIDGE_PORT ".");
}

/* Hands every named port not yet handed over to the server. Ports the
 * agent has no use for are left closed. */
static void misbehave (Agent *agent, GIOStream *stream);
static gboolean wait_for_setup (Agent *agent, guint stages, GError **error);

static void
scan_ports (Agent *agent)
{
  g_autoptr (GDir) dir = g_dir_open (PORTS_DIR, 0, NULL);
  const char *device;

  while (dir != NULL && (device = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name_file = g_build_filename (PORTS_DIR, device, "name", NULL);
      g_autofree char *name = NULL;
      g_autoptr (GIOStream) stream = NULL;
      g_autoptr (GError) error = NULL;
      guint32 port;

      /* No name yet: its uevent will come when it has one. */
      if (!g_file_get_contents (name_file, &name, NULL, NULL))
        continue;
      g_strchomp (name);
      if (name[0] == '\0' || g_hash_table_contains (agent->opened, name))
        continue;
      port = stdio_port_number (name);
      if (port == 0 && !is_bridge_port (name))
        continue;
      stream = open_port (device, port != 0, &error);
      if (stream == NULL)
        {
          say ("port %s: %s", name, error->message);
          continue;
        }
      g_hash_table_add (agent->opened, g_strdup (name));
      if (port == 0 && agent->misbehave != NULL &&
          g_str_equal (name, HCS_PROTOCOL_BRIDGE_PORT))
        {
          misbehave (agent, stream);
          g_set_object (&agent->boot_bridge, stream);
        }
      else if (port != 0)
        hcs_protocol_server_add_stdio_stream (agent->server, port, stream);
      else
        {
          hcs_protocol_server_add_connection (agent->server, stream);
          if (g_str_equal (name, HCS_PROTOCOL_BRIDGE_PORT))
            g_set_object (&agent->boot_bridge, stream);
        }
    }
}

/* "stall": NegotiateProtocol is answered, so the host boots; every other
 * request is taken and never answered. */
static void
stall_request_cb (HcsBridge *bridge, guint type, guint64 id, JsonNode *body, gpointer data)
{
  if (type == HCS_PROTOCOL_NEGOTIATE_PROTOCOL)
    {
      g_autoptr (JsonNode) reply =
          json_from_string ("{\"Version\": 4, \"Capabilities\": {}}", NULL);

      hcs_bridge_respond (bridge, type, id, reply, NULL);
    }
  else
    say ("misbehaving: %s taken, never answered", hcs_protocol_message_name (type));
}

/* A hostile agent, for the host's tests ([lcow] boot-parameters
 * "hcs.misbehave=MODE"): on the bridge it sends garbage (no header), or
 * a header announcing an oversized message, or nothing at all ("silent"),
 * and never serves it; or it answers the negotiation and then stalls
 * every request ("stall"). The stream is kept open: the host must give
 * up on its own. */
static void
misbehave (Agent *agent, GIOStream *stream)
{
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  g_autoptr (GError) error = NULL;
  guint8 bytes[4096];

  say ("misbehaving on the bridge: %s", agent->misbehave);
  if (g_str_equal (agent->misbehave, "stall"))
    {
      HcsBridge *bridge = hcs_bridge_new (stream, HCS_BRIDGE_DEFAULT_MAX_MESSAGE);

      g_signal_connect (bridge, "request", G_CALLBACK (stall_request_cb), NULL);
      hcs_bridge_start (bridge);
      g_object_set_data_full (G_OBJECT (agent->server), "hcs-misbehaving-bridge", bridge,
                              g_object_unref);
      return;
    }
  /* After the host's first header: what a port carries before the host
   * connected its end is dropped by QEMU. */
  if (!g_str_equal (agent->misbehave, "silent") &&
      !g_input_stream_read_all (g_io_stream_get_input_stream (stream), bytes, 16, NULL, NULL,
                                &error))
    say ("misbehaving: %s", error->message);
  g_clear_error (&error);
  if (g_str_equal (agent->misbehave, "garbage"))
    {
      for (gsize i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8) g_random_int ();
      /* A response type's nibble never starts it: no chance of a frame. */
      bytes[3] = 0xff;
      g_output_stream_write_all (out, bytes, sizeof bytes, NULL, NULL, &error);
    }
  else if (g_str_equal (agent->misbehave, "oversize"))
    {
      guint32 header[4] = { GUINT32_TO_LE (0x20100b01), GUINT32_TO_LE (0x7ffffff0),
                            GUINT32_TO_LE (1), 0 };

      memset (bytes, '{', sizeof bytes);
      if (g_output_stream_write_all (out, header, sizeof header, NULL, NULL, &error))
        g_output_stream_write_all (out, bytes, sizeof bytes, NULL, NULL, &error);
    }
  if (error != NULL)
    say ("misbehaving: %s", error->message);
  g_object_set_data_full (G_OBJECT (agent->server), "hcs-misbehaving-bridge",
                          g_object_ref (stream), g_object_unref);
}

/* The value of @key ("hcs.misbehave=") on the kernel command line, ""
 * for a bare word @key ("hcs.timing"), or NULL. */
static char *
read_cmdline (const char *key)
{
  g_autofree char *cmdline = NULL;
  g_auto (GStrv) words = NULL;

  if (!g_file_get_contents ("/proc/cmdline", &cmdline, NULL, NULL))
    return NULL;
  words = g_strsplit_set (g_strstrip (cmdline), " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_has_prefix (words[i], key) &&
        (g_str_has_suffix (key, "=") || words[i][strlen (key)] == '\0'))
      return g_strdup (words[i] + strlen (key));
  return NULL;
}

static gboolean
uevent_cb (int fd, GIOCondition condition, gpointer data)
{
  Agent *agent = data;
  char buffer[8192];
  gboolean ports = FALSE;
  ssize_t length;

  /* Drain; only the virtio-ports subsystem matters. */
  while ((length = recv (fd, buffer, sizeof buffer - 1, MSG_DONTWAIT)) > 0)
    {
      buffer[length] = '\0';
      for (ssize_t i = 0; i < length; i += strlen (buffer + i) + 1)
        if (g_str_equal (buffer + i, "SUBSYSTEM=virtio-ports"))
          ports = TRUE;
    }
  if (ports)
    scan_ports (agent);
  return G_SOURCE_CONTINUE;
}

static gboolean
rescan_cb (gpointer data)
{
  Agent *agent = data;

  /* The boot bridge dropped (a frame the server refused): serve it anew,
   * so the host can speak again after its garbage. */
  if (agent->boot_bridge != NULL && g_io_stream_is_closed (agent->boot_bridge))
    {
      say ("the bridge connection was closed; reopening %s", HCS_PROTOCOL_BRIDGE_PORT);
      g_clear_object (&agent->boot_bridge);
      g_hash_table_remove (agent->opened, HCS_PROTOCOL_BRIDGE_PORT);
    }
  scan_ports (agent);
  return G_SOURCE_CONTINUE;
}

static int
open_uevents (GError **error)
{
  struct sockaddr_nl address = { .nl_family = AF_NETLINK, .nl_groups = 1 };
  int fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);

  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "uevent socket"), -1;
  if (bind (fd, (struct sockaddr *)&address, sizeof address) < 0)
    {
      int saved_errno = errno;

      close (fd);
      return hcs_set_error_from_errno (error, saved_errno, "binding the uevent socket"), -1;
    }
  return fd;
}

static gboolean
wait_for_bridge (Agent *agent, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + BRIDGE_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      scan_ports (agent);
      if (agent->boot_bridge != NULL)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND,
                       "no virtio-serial port named '%s' in " PORTS_DIR " after %d ms",
                       HCS_PROTOCOL_BRIDGE_PORT, BRIDGE_WAIT_MS);
          return FALSE;
        }
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

/* --- containers ------------------------------------------------------------------- */

/* The most entropy a seed may carry (a host sends 64 bytes). */
#define SEED_MAX_BYTES 512

/* A VM restored from a template (plugins/xenon) shares the template's
 * random generator state and clock with every other clone: the host's
 * Create carries HcsGuestSeed {Entropy (base64), RealTimeUs}, mixed in
 * (RNDADDENTROPY, then RNDRESEEDCRNG so that the next read comes from
 * the new state) and set before the container is built, so its workload
 * never sees the shared state; HostName names the VM as its container. Taken out of the document either way. */
static gboolean
apply_seed (JsonNode *config_node, GError **error)
{
  JsonObject *config = JSON_NODE_HOLDS_OBJECT (config_node) ? json_node_get_object (config_node)
                                                             : NULL;
  JsonObject *seed;
  const char *encoded;
  g_autofree guchar *entropy = NULL;
  gsize length = 0;
  gint64 real_time_us;
  const char *host_name;

  if (config == NULL || !json_object_has_member (config, "HcsGuestSeed"))
    return TRUE;
  seed = json_object_get_object_member (config, "HcsGuestSeed");
  encoded = seed ? json_object_get_string_member_with_default (seed, "Entropy", NULL) : NULL;
  real_time_us = seed ? json_object_get_int_member_with_default (seed, "RealTimeUs", 0) : 0;
  if (encoded != NULL)
    entropy = g_base64_decode (encoded, &length);
  if (length > 0 && length <= SEED_MAX_BYTES)
    {
      g_autofree struct rand_pool_info *info = g_malloc0 (sizeof *info + length);
      int fd = open ("/dev/urandom", O_WRONLY | O_CLOEXEC);

      info->entropy_count = length * 8;
      info->buf_size = length;
      memcpy (info->buf, entropy, length);
      memset (entropy, 0, length);
      if (fd < 0 || ioctl (fd, RNDADDENTROPY, info) < 0 || ioctl (fd, RNDRESEEDCRNG) < 0)
        {
          int saved_errno = errno;

          if (fd >= 0)
            close (fd);
          return hcs_set_error_from_errno (error, saved_errno, "HcsGuestSeed: reseeding"), FALSE;
        }
      close (fd);
      memset (info->buf, 0, length);
    }
  else if (encoded != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "HcsGuestSeed.Entropy: expected 1 to %d bytes in base64", SEED_MAX_BYTES);
      return FALSE;
    }
  if (real_time_us > 0)
    {
      struct timespec now = { real_time_us / G_USEC_PER_SEC,
                              (real_time_us % G_USEC_PER_SEC) * 1000 };

      if (clock_settime (CLOCK_REALTIME, &now) < 0)
        return hcs_set_error_from_errno (error, errno, "HcsGuestSeed: setting the clock"), FALSE;
    }
  host_name = seed ? json_object_get_string_member_with_default (seed, "HostName", NULL) : NULL;
  /* The VM's own name, which a container sharing the VM's UTS namespace
   * sees, is the container's rather than the template's. */
  if (host_name != NULL && sethostname (host_name, strnlen (host_name, 64)) < 0)
    return hcs_set_error_from_errno (error, errno, "HcsGuestSeed: setting the host name"), FALSE;
  json_object_remove_member (config, "HcsGuestSeed");
  return TRUE;
}

static gboolean
has_elements (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) &&
         json_array_get_length (json_node_get_array (node)) > 0;
}

/* Whether a create's configuration (schema1, as a VM host sends it) uses
 * a device the later modules drive: disks (GuestStorage), the 9p shares
 * (MappedDirectories) or NICs (NetworkAdapters). Anything else it names
 * fails as before, whatever this says. */
static gboolean
config_uses_devices (JsonNode *node)
{
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  return json_object_has_member (object, HCS_PROTOCOL_GUEST_STORAGE) ||
         has_elements (object, "MappedDirectories") || has_elements (object, "NetworkAdapters");
}

/* A create at work, which the devices' modules let run first (setup_thread). */
typedef struct
{
  Agent *agent;
} RunningCreate;

static RunningCreate
running_create_begin (Agent *agent)
{
  g_mutex_lock (&agent->setup_lock);
  agent->creates_running++;
  g_mutex_unlock (&agent->setup_lock);
  return (RunningCreate) { agent };
}

static void
running_create_clear (RunningCreate *running)
{
  Agent *agent = running->agent;

  if (agent == NULL)
    return;
  g_mutex_lock (&agent->setup_lock);
  agent->creates_running--;
  g_cond_broadcast (&agent->setup_cond);
  g_mutex_unlock (&agent->setup_lock);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunningCreate, running_create_clear)

/* With hcs.blocks: "mark STEP ID" on the console as a create's step begins.
 * bench/xenon-blocks.sh has QEMU log each translated block and each byte
 * the serial port is given in one file, so these lines cut the blocks
 * into steps. */
static void
mark_step (Agent *agent, const char *step, const char *id)
{
  if (agent->blocks)
    say ("mark %s %s", step, id);
}

/* With hcs.kallsyms, the kernel's functions ("ksym ADDRESS NAME"), once:
 * Debian ships no System.map, and the guest's /proc/kallsyms has the
 * running addresses. Said by a template's first create, before it is
 * saved, so its clones never say it again (the flag is in the saved
 * memory); some 2.6 MB on the serial console, 20 s of a TCG boot. */
static void
say_kernel_symbols (Agent *agent)
{
  static gsize said;
  g_autofree char *kallsyms = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  /* Creates run on worker threads: the first one says them. */
  if (!agent->kallsyms || !g_once_init_enter (&said))
    return;
  g_once_init_leave (&said, 1);
  if (!g_file_get_contents ("/proc/kallsyms", &kallsyms, NULL, NULL))
    return;
  lines = g_strsplit (kallsyms, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", 4);

      /* Text of the kernel itself: modules are said by name. */
      if (g_strv_length (fields) == 3 && (g_str_equal (fields[1], "t") ||
                                          g_str_equal (fields[1], "T")))
        g_string_append_printf (text, "hcs-gcs: ksym %s %s\n", fields[0], fields[2]);
    }
  g_printerr ("%s", text->str);
}

/* With hcs.blocks, after a create: the agent's executable mappings and
 * the modules' addresses, for bench/xenon-blocks.sh to say in which
 * binary or module a translated block lies. Said after the create's last
 * mark, so its own code is not counted in the create's. */
static void
say_code_layout (Agent *agent)
{
  g_autofree char *maps = NULL;
  g_autofree char *modules = NULL;
  g_auto (GStrv) lines = NULL;

  if (!agent->blocks)
    return;
  say_kernel_symbols (agent);
  if (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    {
      lines = g_strsplit (maps, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (strstr (lines[i], " r-xp ") != NULL)
          say ("map %s", lines[i]);
      g_clear_pointer (&lines, g_strfreev);
    }
  if (g_file_get_contents ("/proc/modules", &modules, NULL, NULL))
    {
      lines = g_strsplit (modules, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
          say ("module %s", lines[i]);
    }
}

/* On a worker thread of the server. A VM restored from a template is
 * reseeded first (apply_seed). A root built of the host's disks
 * (HCS_PROTOCOL_GUEST_STORAGE) is mounted first; a configuration with no
 * root of its own gets the guest's busybox image. */
static HcsContainer *
create_container_cb (const char *id, JsonNode *config_node, gpointer data, GError **error)
{
  Agent *agent = data;
  g_autoptr (JsonNode) node = json_node_copy (config_node);
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (GcsStorage) storage = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autofree char *rootfs = NULL;
  g_auto (RunningCreate) running = { NULL };
  /* With hcs.timing: when each step ended, in µs from the first. */
  gint64 steps[6] = { g_get_monotonic_time () };

  mark_step (agent, "set-up", id);
  if (!wait_for_setup (agent, SETUP_CONTAINERS | (config_uses_devices (node) ? SETUP_DEVICES : 0),
                       error))
    return NULL;
  running = running_create_begin (agent);
  steps[1] = g_get_monotonic_time ();
  mark_step (agent, "seed", id);
  if (!apply_seed (node, error))
    return NULL;
  steps[2] = g_get_monotonic_time ();
  mark_step (agent, "storage", id);
  if (JSON_NODE_HOLDS_OBJECT (node) &&
      json_object_has_member (json_node_get_object (node), HCS_PROTOCOL_GUEST_STORAGE))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *member = json_object_get_member (object, HCS_PROTOCOL_GUEST_STORAGE);

      if (!JSON_NODE_HOLDS_OBJECT (member))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "container '%s': ContainerConfig." HCS_PROTOCOL_GUEST_STORAGE
                       ": an object is needed", id);
          return NULL;
        }
      storage = gcs_storage_build (json_node_get_object (member), &rootfs, error);
      if (storage == NULL)
        {
          g_prefix_error (error, "container '%s': ", id);
          return NULL;
        }
      json_object_remove_member (object, HCS_PROTOCOL_GUEST_STORAGE);
    }
  steps[3] = g_get_monotonic_time ();
  mark_step (agent, "argon", id);
  config = hcs_container_config_from_node (node, NULL, error);
  if (config == NULL)
    return NULL;
  /* The shares are mounted when first needed: a template's VM, saved
   * before any container mapped a folder, must have none mounted. */
  if (gcs_storage_uses_shares (config) && !gcs_storage_mount_shares (error))
    return NULL;
  if (rootfs != NULL)
    {
      g_free (config->volume_path);
      config->volume_path = g_steal_pointer (&rootfs);
    }
  if (config->volume_path == NULL && config->layer_folder_path == NULL)
    config->volume_path = g_strdup (agent->default_rootfs);
  container = hcs_host_create_container (agent->host, id, config, NULL, error);
  if (container == NULL)
    return NULL;
  steps[4] = g_get_monotonic_time ();
  mark_step (agent, "network", id);
  /* Its NICs, hot-added by the host, into its namespace before it starts;
   * a system whose network cannot be set up is not left behind (nor is its
   * storage: `storage` is released with it). */
  props = hcs_container_query_properties (container, error);
  if (props == NULL || !gcs_network_setup (config_node, props->init_process_id, error))
    {
      hcs_container_discard (container, NULL);
      return NULL;
    }
  if (storage != NULL)
    {
      g_mutex_lock (&agent->storage_lock);
      g_hash_table_replace (agent->storages, g_strdup (id), g_steal_pointer (&storage));
      g_mutex_unlock (&agent->storage_lock);
    }
  steps[5] = g_get_monotonic_time ();
  mark_step (agent, "end", id);
  say_code_layout (agent);
  if (agent->timing)
    say ("create %s: set-up %.1f, seed %.1f, storage %.1f, argon %.1f, network %.1f ms", id,
         (steps[1] - steps[0]) / 1000.0, (steps[2] - steps[1]) / 1000.0,
         (steps[3] - steps[2]) / 1000.0, (steps[4] - steps[3]) / 1000.0,
         (steps[5] - steps[4]) / 1000.0);
  return g_steal_pointer (&container);
}

static void
container_deleted_cb (HcsProtocolServer *server, const char *id, gpointer data)
{
  Agent *agent = data;

  say ("container %s deleted", id);
  /* Its root goes before the host takes the disks away. */
  g_mutex_lock (&agent->storage_lock);
  g_hash_table_remove (agent->storages, id);
  g_mutex_unlock (&agent->storage_lock);
}

static GKeyFile *
make_options (void)
{
  GKeyFile *options = g_key_file_new ();

  g_key_file_set_string (options, "host", "state-dir", "/run/hcs");
  g_key_file_set_string (options, "host", "isolation", "process");
  g_key_file_set_boolean (options, "host", "no-installed-plugins", TRUE);
  g_key_file_set_string (options, "argon", "cgroup-parent", "hcs");
  /* The agent mounted it (main): argon need not look for it in
   * /proc/self/mountinfo at each create (~350 translated blocks of a
   * clone's create: bench/xenon-blocks.sh). */
  g_key_file_set_string (options, "argon", "cgroup-version", "2");
  g_key_file_set_string (options, "argon", "cgroup-root", "/sys/fs/cgroup");
  return options;
}

/* Whether the VM was booted with disks or NICs (virtio device ids 2 and
 * 1), as xenon's VMs are with their slots: then every container uses
 * them, and waits for their modules. lcow's UVM gets them hot-plugged for
 * the containers that ask. */
static gboolean
booted_with_devices (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/sys/bus/virtio/devices", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/sys/bus/virtio/devices", name, "device", NULL);
      g_autofree char *text = NULL;
      guint64 id;

      if (g_file_get_contents (path, &text, NULL, NULL) &&
          (id = g_ascii_strtoull (text, NULL, 16)) >= 1 && id <= 2)
        return TRUE;
    }
  return FALSE;
}

/* The guest's busybox image comes made in the initramfs (hcs-gcs
 * --make-image at build time) but for its busybox, linked here to the
 * initramfs's own: no copy of it in the initramfs, and no copy, `busybox
 * --list` or symbolic links at boot. Without it, hcs_image_ensure_default
 * makes the image. */
static gboolean
link_image_busybox (GError **error)
{
  if (!g_file_test (IMAGES_DIR "/busybox/bin", G_FILE_TEST_IS_DIR))
    return TRUE;
  if (link ("/bin/busybox", IMAGES_DIR "/busybox/bin/busybox") < 0 && errno != EEXIST)
    return hcs_set_error_from_errno (error, errno,
                                     "linking /bin/busybox into the busybox image"), FALSE;
  return TRUE;
}

static void
setup_stage_done (Agent *agent, SetupStage stage)
{
  g_mutex_lock (&agent->setup_lock);
  agent->setup_done |= stage;
  g_cond_broadcast (&agent->setup_cond);
  g_mutex_unlock (&agent->setup_lock);
}

/* What containers need and the bridge does not: the guest's busybox image
 * and the host with argon, then the other modules (disks, file systems,
 * 9p, NICs), which the first container, on the guest's image, does not
 * wait for (the 9p shares wait for the first create that maps a folder:
 * a template must have none mounted). On a thread of its own, at the
 * lowest priority, once the agent serves the bridge: the host's first
 * answer does not wait for it, a create waits for what it uses
 * (wait_for_setup). */
static gpointer
setup_thread (gpointer data)
{
  Agent *agent = data;
  g_autoptr (GKeyFile) options = make_options ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) devices_error = NULL;
  g_autofree char *rootfs = NULL;
  HcsHost *host = NULL;

  g_mutex_lock (&agent->setup_lock);
  agent->setup_tid = (pid_t) syscall (SYS_gettid);
  if (agent->setup_awaited == 0)
    setpriority (PRIO_PROCESS, (id_t) agent->setup_tid, 19);
  g_mutex_unlock (&agent->setup_lock);
  if (link_image_busybox (&error) &&
      (rootfs = hcs_image_ensure_default (IMAGES_DIR, "/bin/busybox", &error)) != NULL)
    host = hcs_host_new (options, &error);
  if (error != NULL)
    say ("setting up for containers: %s", error->message);
  else
    say ("set up for containers at %.3f s of uptime",
         g_get_monotonic_time () / (double) G_USEC_PER_SEC);
  g_mutex_lock (&agent->setup_lock);
  agent->default_rootfs = g_steal_pointer (&rootfs);
  agent->host = host;
  agent->setup_error = g_steal_pointer (&error);
  g_mutex_unlock (&agent->setup_lock);
  setup_stage_done (agent, SETUP_CONTAINERS);

  g_mutex_lock (&agent->setup_lock);
  if (!(agent->setup_awaited & SETUP_DEVICES))
    setpriority (PRIO_PROCESS, (id_t) agent->setup_tid, 19);
  g_mutex_unlock (&agent->setup_lock);

  /* One module at a time, none while a create that does not need them is
   * at work: a module's loading holds the vCPU in the kernel (its
   * signature checked, its relocations) however low our priority. */
  for (guint i = agent->bridge_modules; agent->modules[i] != NULL && devices_error == NULL; i++)
    {
      g_mutex_lock (&agent->setup_lock);
      while (agent->creates_running > 0 && !(agent->setup_awaited & SETUP_DEVICES))
        g_cond_wait (&agent->setup_cond, &agent->setup_lock);
      g_mutex_unlock (&agent->setup_lock);
      load_modules (agent->modules, i, i + 1, &devices_error);
    }
  if (devices_error != NULL)
    say ("loading the devices' modules: %s", devices_error->message);
  else
    say ("the devices' modules loaded at %.3f s of uptime",
         g_get_monotonic_time () / (double) G_USEC_PER_SEC);
  g_mutex_lock (&agent->setup_lock);
  agent->devices_error = g_steal_pointer (&devices_error);
  g_mutex_unlock (&agent->setup_lock);
  setup_stage_done (agent, SETUP_DEVICES);
  return NULL;
}

/* Waits for the set-up's @stages; a VM booted with its devices waits for
 * all of them. */
static gboolean
wait_for_setup (Agent *agent, guint stages, GError **error)
{
  const GError *failed;

  g_mutex_lock (&agent->setup_lock);
  if (agent->booted_with_devices)
    stages |= SETUP_DEVICES;
  /* A create waits for it now: it runs at the create's priority, not
   * behind the containers that run meanwhile. */
  if ((stages & ~agent->setup_done & ~agent->setup_awaited) != 0)
    {
      agent->setup_awaited |= stages & ~agent->setup_done;
      if (agent->setup_tid > 0)
        setpriority (PRIO_PROCESS, (id_t) agent->setup_tid, 0);
    }
  while ((agent->setup_done & stages) != stages)
    g_cond_wait (&agent->setup_cond, &agent->setup_lock);
  failed = agent->setup_error != NULL ? agent->setup_error
           : (stages & SETUP_DEVICES) ? agent->devices_error
                                      : NULL;
  if (failed != NULL)
    {
      g_propagate_error (error, g_error_copy (failed));
      g_prefix_error (error, "the guest agent could not set up for containers: ");
    }
  g_mutex_unlock (&agent->setup_lock);
  return failed == NULL;
}

static gboolean
agent_start (Agent *agent, GError **error)
{
  int uevent_fd;

  g_autofree char *timing = read_cmdline ("hcs.timing");
  g_autofree char *blocks = read_cmdline ("hcs.blocks");
  g_autofree char *kallsyms = read_cmdline ("hcs.kallsyms");

  agent->misbehave = read_cmdline ("hcs.misbehave=");
  agent->timing = timing != NULL;
  agent->blocks = blocks != NULL;
  agent->kallsyms = kallsyms != NULL;
  /* The bus was scanned when the bridge's modules loaded; before the
   * bridge is served, so before any create. */
  agent->booted_with_devices = booted_with_devices ();
  agent->server = hcs_protocol_server_new ();
  hcs_protocol_server_set_create_func (agent->server, create_container_cb, agent);
  g_signal_connect (agent->server, "container-deleted", G_CALLBACK (container_deleted_cb), agent);
  /* Listening first: no port announced while the bridge is awaited is lost. */
  uevent_fd = open_uevents (error);
  if (uevent_fd < 0)
    return FALSE;
  g_unix_fd_add (uevent_fd, G_IO_IN, uevent_cb, agent);
  if (!wait_for_bridge (agent, error))
    return FALSE;
  g_timeout_add (RESCAN_INTERVAL_MS, rescan_cb, agent);
  g_thread_unref (g_thread_new ("gcs-setup", setup_thread, agent));
  return TRUE;
}

static void
power_off (void)
{
  sync ();
  reboot (RB_POWER_OFF);
  _exit (1);
}

/* PID 1 stays a plain reaper of the orphans the containers leave (their
 * processes are reparented to it) and the agent runs as its child, so no
 * waitpid (-1) ever takes an exit status GLib is waiting for. When the
 * agent ends, so does the VM: the host sees QEMU exit. */
static void
fork_agent (void)
{
  pid_t agent = fork ();

  if (agent < 0)
    {
      say ("fork: %s", g_strerror (errno));
      power_off ();
    }
  if (agent == 0)
    return;
  for (;;)
    {
      int status = 0;
      pid_t pid = waitpid (-1, &status, 0);

      if (pid == agent || (pid < 0 && errno == ECHILD))
        {
          say ("the agent ended (status 0x%x): powering off", status);
          power_off ();
        }
    }
}

int
main (int argc, char **argv)
{
  Agent agent = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean init = getpid () == 1;

  /* At build time (guest/make-initramfs.sh): the busybox image made ahead
   * in IMAGES_DIR of the initramfs's tree (link_image_busybox). */
  if (!init && argc == 4 && g_str_equal (argv[1], "--make-image"))
    {
      g_autofree char *made = hcs_image_ensure_default (argv[2], argv[3], &error);

      if (made == NULL)
        {
          g_printerr ("hcs-gcs: --make-image: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  if (init)
    {
      /* The plugin and the helper are where the initramfs put them. */
      g_setenv ("HCS_PLUGIN_PATH", HCS_GUEST_PLUGIN_DIR, FALSE);
      g_setenv ("HCS_RUNTIME_HELPER", HCS_GUEST_RUNTIME_HELPER, FALSE);
      g_setenv ("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", FALSE);
      if (!mount_system (&error) || (agent.modules = read_load_order (&error)) == NULL)
        goto fail;
      agent.bridge_modules = bridge_modules_count (agent.modules);
      if (!load_modules (agent.modules, 0, agent.bridge_modules, &error))
        goto fail;
      say ("the bridge's modules loaded at %.3f s of uptime",
           g_get_monotonic_time () / (double)G_USEC_PER_SEC);
      fork_agent ();
    }
  else
    agent.modules = g_new0 (char *, 1);
  agent.opened = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&agent.storage_lock);
  g_mutex_init (&agent.setup_lock);
  g_cond_init (&agent.setup_cond);
  agent.storages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) gcs_storage_free);
  agent.loop = g_main_loop_new (NULL, FALSE);
  if (!agent_start (&agent, &error))
    goto fail;
  /* GLib's monotonic clock is the kernel's uptime: comparable with its log. */
  say ("ready: serving %s at %.3f s of uptime", HCS_PROTOCOL_BRIDGE_PORT,
       g_get_monotonic_time () / (double)G_USEC_PER_SEC);
  g_main_loop_run (agent.loop);
  return 0;

fail:
  say ("%s", error->message);
  /* PID 1 may not exit: power the VM off so the host sees it end. */
  if (getpid () == 1)
    power_off ();
  return 1;
}
