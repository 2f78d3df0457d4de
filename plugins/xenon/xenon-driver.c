/* xenon-driver.c: the "hyperv" isolation driver: one VM per container.
 *
 * Each container gets a QEMU microvm (virtio-mmio devices, the PVH
 * kernel, KVM where /dev/kvm is usable, TCG otherwise) whose guest agent
 * (guest/hcs-gcs) runs exactly that container, reached through the
 * compute-system protocol on the VM's bridge port (plugins/vm/vm-guest.h).
 *
 * The VM is started from a template rather than booted
 * (plugins/vm/vm-template.h): one VM per kernel, initramfs, memory and
 * processors is booted to its agent's first answer and saved once; each
 * container's VM maps that RAM copy-on-write and takes the saved devices
 * in. A template that cannot be made or restored falls back to a cold
 * boot, as does [xenon] template=false.
 *
 * Clones share everything the template had, the random generator's
 * state included: the Create sent to the agent carries fresh entropy and
 * the host's time (HcsGuestSeed), which the agent mixes in and sets
 * before it builds the container (docs/xenon.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-protocol-client.h"
#include "vm-settings.h"
#include "vm-template.h"
#include "xenon-private.h"
#include "xenon-storage.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Guards against a guest that never comes up, not a timing: TCG under load
 * boots in 5-20 s. */
#define XENON_BOOT_TIMEOUT_S 240
/* Entropy handed to each guest: a full reseed of its generator. */
#define XENON_SEED_BYTES 64

struct _XenonDriver
{
  GObject parent_instance;

  GKeyFile *options;
  HcsState *state;          /* the host's (hcs_driver_get_state), from init on */

  GMutex lock;              /* guards `containers` */
  GHashTable *containers;   /* id -> XenonContainer (weak: the caller owns it) */
};

static void xenon_driver_isolation_iface_init (HcsIsolationDriverInterface *iface);
static void xenon_driver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (
    XenonDriver, xenon_driver, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (HCS_TYPE_ISOLATION_DRIVER, xenon_driver_isolation_iface_init)
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, xenon_driver_initable_iface_init))

/* --- settings ------------------------------------------------------------------ */

typedef struct
{
  char *kernel;
  char *initrd;
  char *boot_parameters;
  guint memory_mb;
  guint processors;
  gboolean template;
  char *template_dir;
} XenonSettings;

static void
xenon_settings_clear (XenonSettings *settings)
{
  g_clear_pointer (&settings->kernel, g_free);
  g_clear_pointer (&settings->initrd, g_free);
  g_clear_pointer (&settings->boot_parameters, g_free);
  g_clear_pointer (&settings->template_dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (XenonSettings, xenon_settings_clear)

static void
xenon_driver_get_settings (XenonDriver *self, GKeyFile *system_options, XenonSettings *settings)
{
  const VmSettingsDefaults defaults = {
    XENON_DEFAULT_KERNEL, vm_settings_default_initrd (XENON_BUILD_INITRD, XENON_INSTALLED_INITRD),
    XENON_DEFAULT_BOOT_PARAMETERS, "256",
  };

  vm_settings_read (self->options, system_options, "xenon", &defaults, &settings->kernel,
                    &settings->initrd, &settings->boot_parameters, &settings->memory_mb,
                    &settings->processors);
  settings->template =
      hcs_options_get_boolean (self->options, system_options, "xenon", "template", TRUE);
  settings->template_dir = hcs_options_get_string (self->options, system_options, "xenon",
                                                   "template-dir", XENON_DEFAULT_TEMPLATE_DIR);
}

/* HvRuntime.ImagePath: a folder with the VM's kernel (vmlinux) and the
 * agent's initramfs (hcs-gcs-initramfs.cpio); either missing there is
 * taken from the options. */
static gboolean
apply_image_path (const char *id, const char *image_path, XenonSettings *settings,
                  GError **error)
{
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;

  if (image_path == NULL || *image_path == '\0')
    return TRUE;
  if (!g_path_is_absolute (image_path) || !g_file_test (image_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "xenon: compute system '%s': HvRuntime.ImagePath: '%s' is not an absolute "
                   "path to a folder", id, image_path);
      return FALSE;
    }
  kernel = g_build_filename (image_path, "vmlinux", NULL);
  initrd = g_build_filename (image_path, "hcs-gcs-initramfs.cpio", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_IS_REGULAR) && !g_file_test (initrd, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "xenon: compute system '%s': HvRuntime.ImagePath: '%s' has neither vmlinux "
                   "nor hcs-gcs-initramfs.cpio", id, image_path);
      return FALSE;
    }
  if (g_file_test (kernel, G_FILE_TEST_IS_REGULAR))
    {
      g_free (settings->kernel);
      settings->kernel = g_steal_pointer (&kernel);
    }
  if (g_file_test (initrd, G_FILE_TEST_IS_REGULAR))
    {
      g_free (settings->initrd);
      settings->initrd = g_steal_pointer (&initrd);
    }
  return TRUE;
}

static VmConfig *
make_vm_config (const XenonSettings *settings)
{
  VmConfig *config = vm_config_new ();

  config->machine_type = VM_MACHINE_TYPE_MICROVM;
  config->kernel = g_strdup (settings->kernel);
  config->initrd = g_strdup (settings->initrd);
  config->append = g_strdup (settings->boot_parameters);
  config->memory_mb = settings->memory_mb;
  config->processors = settings->processors;
  config->die_with_parent = TRUE;
  /* Stdio ports are hot-added per process: virtio-serial ports hot-plug
   * on virtio-mmio as on PCI (only disks and NICs cannot). */
  g_ptr_array_add (config->boot_ports, g_strdup (HCS_PROTOCOL_BRIDGE_PORT));
  /* Every VM has every slot: one template serves every container. */
  xenon_storage_add_slots (config);
  return config;
}

/* Before a template is saved: one container created, run and removed in
 * it, so that each clone's first container finds the agent's argon
 * plugin loaded and the runtime helper's pages in memory (3-4 s less
 * under TCG here). Its id is never a clone's: the agent forgot it. */
static gboolean
warm_template (VmGuest *guest, gpointer user_data, GError **error)
{
  const char *argv[] = { "true", NULL };
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (JsonNode) request = hcs_protocol_request_new ("xenon-template-warm-up");
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (HcsContainer) proxy = NULL;
  HcsProtocolClient *client = vm_guest_get_client (guest);
  HcsProtocolStdioRelay relay = { { 0 } };
  g_autoptr (JsonNode) document = NULL;
  JsonObject *relay_object = json_object_new ();

  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  document = hcs_container_config_to_node (config);
  hcs_protocol_set_document (json_node_get_object (request), "ContainerConfig", document);
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (json_node_get_object (request), "InitStdioRelay", relay_object);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_CREATE, request, NULL, error);
  if (reply == NULL)
    return g_prefix_error (error, "xenon: warming the template: "), FALSE;
  proxy = hcs_protocol_client_open_container (client, "xenon-template-warm-up", error);
  if (proxy == NULL || !hcs_container_start (proxy, error) ||
      !hcs_container_wait_timeout (proxy, -1, NULL, error) || !hcs_container_remove (proxy, error))
    return g_prefix_error (error, "xenon: warming the template: "), FALSE;
  return TRUE;
}

/* The VM for system @id: restored from its template, or booted; with
 * @storage's files behind its disk slots. */
static VmGuest *
start_vm (const char *id, const XenonSettings *settings, XenonStorage *storage, GError **error)
{
  g_autoptr (VmConfig) config = make_vm_config (settings);
  g_autofree char *label = g_strdup_printf ("xenon: compute system '%s'", id);
  g_autoptr (GError) template_error = NULL;

  /* A template made now has this container's share folders: its guest
   * never mounts them, and the clones have their own. */
  xenon_storage_add_shares (storage, config);
  if (settings->template)
    {
      g_autofree char *template_dir = vm_template_ensure (
          settings->template_dir, config, "xenon: template", XENON_BOOT_TIMEOUT_S, warm_template,
          NULL, NULL, &template_error);

      g_debug ("xenon: compute system '%s': template %s", id,
               template_dir ? template_dir : "none");
      if (template_dir != NULL)
        {
          g_autoptr (VmConfig) clone = vm_template_clone_config (config, template_dir);
          g_autofree char *state = g_build_filename (template_dir, VM_TEMPLATE_STATE, NULL);
          VmGuest *guest;

          xenon_storage_fill_slots (storage, clone);
          guest = vm_guest_start (clone, label, state, XENON_BOOT_TIMEOUT_S, &template_error);
          if (guest != NULL)
            return guest;
        }
      /* A cold boot still gives the container its VM; the reason is for
       * whoever debugs a slow start. */
      g_debug ("xenon: compute system '%s': booting, not from a template: %s", id,
               template_error->message);
    }
  xenon_storage_fill_slots (storage, config);
  return vm_guest_start (config, label, NULL, XENON_BOOT_TIMEOUT_S, error);
}

/* --- GObject ------------------------------------------------------------------- */

static void container_finalized_cb (gpointer data, GObject *where_the_object_was);

static void
xenon_driver_finalize (GObject *object)
{
  XenonDriver *self = XENON_DRIVER (object);
  GHashTableIter iter;
  gpointer value;

  /* Containers the caller still holds no longer tell us they went. */
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_object_weak_unref (value, container_finalized_cb, self);
  g_clear_pointer (&self->options, g_key_file_unref);
  g_hash_table_unref (self->containers);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (xenon_driver_parent_class)->finalize (object);
}

static void
xenon_driver_class_init (XenonDriverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xenon_driver_finalize;
}

static void
xenon_driver_init (XenonDriver *self)
{
  g_mutex_init (&self->lock);
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Refuses a host that cannot start the VMs, saying what is missing. */
static gboolean
xenon_driver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  XenonDriver *self = XENON_DRIVER (initable);
  g_auto (XenonSettings) settings = { 0 };

  self->options = g_key_file_ref (hcs_driver_get_options (self));
  self->state = hcs_driver_get_state (self, error);
  if (self->state == NULL)
    return FALSE;
  /* An endpoint is the VM's NIC, set up by the guest: the host has no
   * namespace of the container's to put it in. */
  hcs_driver_set_takes_endpoints (self, TRUE);
  xenon_driver_get_settings (self, NULL, &settings);
  return vm_settings_check_host ("xenon", settings.kernel, settings.initrd, error);
}

static void
xenon_driver_initable_iface_init (GInitableIface *iface)
{
  iface->init = xenon_driver_initable_init;
}

/* --- HcsIsolationDriver -------------------------------------------------------- */

static const char *
xenon_driver_get_isolation (HcsIsolationDriver *driver)
{
  return "hyperv";
}

static void
container_finalized_cb (gpointer data, GObject *where_the_object_was)
{
  XenonDriver *self = data;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == (gpointer) where_the_object_was)
      g_hash_table_iter_remove (&iter);
  g_mutex_unlock (&self->lock);
}

/* What does not reach the VM yet is refused, not dropped. */
static gboolean
check_config (const char *id, const HcsContainerConfig *config, GError **error)
{
  const char *what = NULL;

  if (config->layer_folder_path != NULL)
    what = "LayerFolderPath (give its Layers, or its VolumePath)";
  if (what == NULL)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "xenon: compute system '%s': %s: not supported in its VM yet", id, what);
  return FALSE;
}

/* What a clone of a template must not share with its siblings: the
 * random generator's state (fresh entropy, mixed in and reseeded by the
 * agent) and the clock (the template's stopped when it was saved). */
static JsonObject *
make_seed (const char *id, const HcsContainerConfig *config, GError **error)
{
  guint8 entropy[XENON_SEED_BYTES];
  g_autofree char *encoded = NULL;
  JsonObject *seed;

  if (getrandom (entropy, sizeof entropy, 0) != sizeof entropy)
    return hcs_set_error_from_errno (error, errno, "xenon: getrandom"), NULL;
  encoded = g_base64_encode (entropy, sizeof entropy);
  memset (entropy, 0, sizeof entropy);
  seed = json_object_new ();
  json_object_set_string_member (seed, "Entropy", encoded);
  json_object_set_int_member (seed, "RealTimeUs", g_get_real_time ());
  /* The container's name as argon gives it. */
  json_object_set_string_member (seed, "HostName", config->hostname ? config->hostname
                                                   : config->name   ? config->name
                                                                    : id);
  return seed;
}

static HcsContainer *
create_in_vm (XenonDriver *self, const char *id, const HcsContainerConfig *config,
              VmGuest *guest, XenonStorage *storage, XenonPumps *pumps, GError **error)
{
  const HcsProcessConfig *process = config->process;
  /* The caller's descriptors as the init's stdio (a monitor's creator's,
   * or this process's own): every stream, pumped to its port. A console
   * is relayed as the proxy's exec does: the pty's master is stdin and
   * stdout in the guest, no stderr; resized with ResizeConsole. With a
   * console socket those two end in a host terminal whose master goes
   * there (hcs_protocol_console_relay_new). */
  gboolean console = process && process->emulate_console;
  g_autoptr (HcsProtocolConsoleRelay) console_relay = NULL;
  gboolean given = process && !console && (process->use_stdio_fds || process->inherit_stdio);
  gboolean want[3] = { given || (process && (process->create_stdin_pipe || console)),
                       given || (process && (process->create_stdout_pipe || console)),
                       given || (process && process->create_stderr_pipe && !console) };
  HcsProtocolStdioRelay relay = { { 0 } };
  int fds[3] = { -1, -1, -1 };
  g_autoptr (JsonNode) request = hcs_protocol_request_new (id);
  g_autoptr (HcsContainerConfig) in_guest = hcs_container_config_copy (config);
  g_autoptr (JsonNode) document = NULL;
  g_autoptr (JsonNode) reply = NULL;
  HcsContainer *proxy = NULL;
  HcsProtocolClient *client = vm_guest_get_client (guest);
  JsonObject *relay_object;
  JsonObject *seed;

  /* In the VM the container is a process-isolated one: HvPartition would
   * ask the agent's host for a VM of its own. */
  in_guest->hv_partition = FALSE;
  g_clear_pointer (&in_guest->hv_runtime_image_path, g_free);
  if (given)
    {
      /* In the guest they are the relayed ports' pipes. */
      in_guest->process->create_stdin_pipe = in_guest->process->create_stdout_pipe =
          in_guest->process->create_stderr_pipe = TRUE;
      in_guest->process->inherit_stdio = in_guest->process->use_stdio_fds = FALSE;
    }
  /* The scratch's file system was made while the VM started. */
  if (!xenon_storage_finish (storage, error))
    return NULL;
  document = hcs_container_config_to_node (in_guest);
  /* No host path reaches the guest: its root is the disk slots', its
   * mapped folders are in the shares. */
  xenon_storage_set_guest_config (storage, json_node_get_object (document));
  seed = make_seed (id, config, error);
  if (seed == NULL)
    return NULL;
  /* Unknown members are ignored by the document parser; the agent takes
   * this one out before it parses. */
  json_object_set_object_member (json_node_get_object (document), "HcsGuestSeed", seed);
  if (console && process->console_socket != NULL)
    {
      /* runc's create hands the master over before it returns; one that
       * cannot be is an error before anything is made in the guest. */
      console_relay = hcs_protocol_console_relay_new (process->console_socket,
                                                      process->console_height,
                                                      process->console_width, error);
      if (console_relay == NULL)
        return NULL;
    }
  /* The init's streams: ports hot-added before the request that names them. */
  for (int i = 0; i < 3; i++)
    if (want[i])
      {
        relay.ports[i] = hcs_protocol_client_new_port (client);
        fds[i] = vm_guest_open_stdio (guest, relay.ports[i], i, error);
        if (fds[i] < 0)
          goto out;
      }
  g_debug ("xenon: compute system '%s': stdio ports added", id);
  hcs_protocol_set_document (json_node_get_object (request), "ContainerConfig", document);
  relay_object = json_object_new ();
  hcs_protocol_stdio_relay_to_object (&relay, relay_object);
  json_object_set_object_member (json_node_get_object (request), "InitStdioRelay", relay_object);
  reply = hcs_protocol_client_call_sync (client, HCS_PROTOCOL_CREATE, request, NULL, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "xenon: ");
      goto out;
    }
  g_debug ("xenon: compute system '%s': created in its VM", id);
  proxy = hcs_protocol_client_open_container (client, id, error);
  if (proxy == NULL)
    goto out;
  hcs_protocol_container_set_isolation (proxy, "hyperv");
  if (given)
    {
      for (int i = 0; i < 3; i++)
        {
          int caller_fd = process->use_stdio_fds ? process->stdio_fds[i] : i;

          if (!xenon_held_pump_stdio (id, caller_fd, g_steal_fd (&fds[i]), i, pumps, error))
            {
              hcs_container_remove (proxy, NULL);
              g_clear_object (&proxy);
              goto out;
            }
        }
      goto out;
    }
  if (console_relay != NULL)
    {
      g_autoptr (HcsProcess) init = hcs_container_get_init_process (proxy, error);

      if (init == NULL ||
          !hcs_protocol_console_relay_start (g_steal_pointer (&console_relay),
                                             g_steal_fd (&fds[0]), g_steal_fd (&fds[1]), init,
                                             error))
        {
          hcs_container_remove (proxy, NULL);
          g_clear_object (&proxy);
        }
      goto out;
    }
  {
    g_autoptr (GOutputStream) in = want[0] ? g_unix_output_stream_new (g_steal_fd (&fds[0]), TRUE)
                                           : NULL;
    g_autoptr (GInputStream) out = want[1] ? g_unix_input_stream_new (g_steal_fd (&fds[1]), TRUE)
                                           : NULL;
    g_autoptr (GInputStream) err = want[2] ? g_unix_input_stream_new (g_steal_fd (&fds[2]), TRUE)
                                           : NULL;

    hcs_protocol_container_set_init_stdio (proxy, in, out, err);
  }

out:
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0)
      {
        /* Never used: its port goes now. */
        close (fds[i]);
        vm_guest_close_stdio (guest, relay.ports[i]);
      }
  return proxy;
}

static HcsContainer *
xenon_driver_create_container (HcsIsolationDriver *driver, const char *id,
                               const HcsContainerConfig *config, GKeyFile *system_options,
                               GError **error)
{
  XenonDriver *self = XENON_DRIVER (driver);
  g_auto (XenonSettings) settings = { 0 };
  g_autoptr (VmGuest) guest = NULL;
  g_autoptr (HcsStateFolder) folder = NULL;
  g_autoptr (XenonStorage) storage = NULL;
  g_autoptr (XenonPumps) pumps = xenon_pumps_new ();
  g_autoptr (GError) local_error = NULL;
  HcsContainer *proxy = NULL;
  XenonContainer *container;
  XenonContainer *existing;
  gint64 start = g_get_monotonic_time ();

  if (!check_config (id, config, error))
    return NULL;
  xenon_driver_get_settings (self, system_options, &settings);
  if (!apply_image_path (id, config->hv_runtime_image_path, &settings, error))
    return NULL;
  g_mutex_lock (&self->lock);
  existing = g_hash_table_lookup (self->containers, id);
  if (existing != NULL && xenon_container_is_removed (existing))
    {
      /* Removed: its id is free again. */
      g_object_weak_unref (G_OBJECT (existing), container_finalized_cb, self);
      g_hash_table_remove (self->containers, id);
    }
  if (g_hash_table_contains (self->containers, id))
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS,
                   "xenon: compute system '%s' already exists", id);
      return NULL;
    }
  /* Claimed while its VM starts, so that a second create of it fails. */
  g_hash_table_insert (self->containers, g_strdup (id), NULL);
  g_mutex_unlock (&self->lock);

  /* And in the state folder: one system of that id across processes, and
   * what a process that outlives this one finds of it (xenon-held.c). */
  folder = hcs_state_claim (self->state, id, XENON_STATE_OWNER, &local_error);
  if (folder != NULL)
    {
      g_autofree char *layer_dir =
          hcs_options_get_string (self->options, NULL, "host", "layer-dir", HCS_DEFAULT_LAYER_DIR);

      storage = xenon_storage_prepare (id, config, layer_dir, &local_error);
    }
  for (guint i = 0; storage != NULL && config->endpoint_list != NULL &&
                    config->endpoint_list[i] != NULL; i++)
    {
      g_autoptr (HcsEndpoint) endpoint =
          hcs_driver_open_endpoint (self, config->endpoint_list[i], &local_error);

      if (endpoint == NULL || !xenon_storage_add_endpoint (storage, endpoint, &local_error))
        {
          g_prefix_error (&local_error,
                          "xenon: compute system '%s': ContainerConfig.EndpointList[%u]: ", id, i);
          g_clear_pointer (&storage, xenon_storage_free);
        }
    }
  if (storage != NULL && config->network_namespace.mode == HCS_NAMESPACE_MODE_JOIN &&
      !xenon_storage_add_netns (storage, config->network_namespace.path, &local_error))
    g_clear_pointer (&storage, xenon_storage_free);
  if (storage != NULL && xenon_storage_write_record (storage, folder, &local_error) &&
      xenon_held_write_record (folder, id, config, NULL, &local_error))
    {
      g_debug ("xenon: compute system '%s': storage ready at %.0f ms", id,
               (g_get_monotonic_time () - start) / 1000.0);
      guest = start_vm (id, &settings, storage, &local_error);
    }
  if (guest != NULL && xenon_held_write_record (folder, id, config, guest, &local_error))
    {
      g_autoptr (HcsContainerConfig) guest_config = hcs_container_config_copy (config);

      /* A network namespace of the host's is not the guest's: the
       * container gets a new one there, with the NIC mirrored from it. */
      if (guest_config->network_namespace.mode == HCS_NAMESPACE_MODE_JOIN)
        {
          guest_config->network_namespace.mode = HCS_NAMESPACE_MODE_NEW;
          g_clear_pointer (&guest_config->network_namespace.path, g_free);
        }
      proxy = create_in_vm (self, id, guest_config, guest, storage, pumps, &local_error);
    }
  if (proxy != NULL && !hcs_state_folder_commit (folder, &local_error))
    {
      hcs_container_remove (proxy, NULL);
      g_clear_object (&proxy);
    }
  if (proxy == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      /* QEMU first: it holds the storage's files. */
      if (guest != NULL)
        vm_guest_stop (guest, 0);
      if (folder != NULL)
        hcs_state_folder_remove (folder, NULL);
      g_clear_pointer (&storage, xenon_storage_free);
      g_mutex_lock (&self->lock);
      g_hash_table_remove (self->containers, id);
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  hcs_state_folder_unlock (folder);
  container = xenon_container_new (id, g_steal_pointer (&guest), proxy);
  xenon_container_set_state_folder (container, g_steal_pointer (&folder));
  xenon_container_set_storage (container, g_steal_pointer (&storage));
  xenon_container_set_init_pumps (container, pumps);
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->containers, g_strdup (id), container);
  g_object_weak_ref (G_OBJECT (container), container_finalized_cb, self);
  g_mutex_unlock (&self->lock);
  return HCS_CONTAINER (container);
}

static HcsContainer *
xenon_driver_open_container (HcsIsolationDriver *driver, const char *id, GError **error)
{
  XenonDriver *self = XENON_DRIVER (driver);
  HcsContainer *container = NULL;

  g_mutex_lock (&self->lock);
  container = g_hash_table_lookup (self->containers, id);
  if (container != NULL && !xenon_container_is_removed (XENON_CONTAINER (container)))
    g_object_ref (container);
  else
    container = NULL;
  g_mutex_unlock (&self->lock);
  if (container != NULL)
    return container;
  /* Held by a monitor that answers: core's host opened it there. Here
   * is what is left of one whose holder died. */
  return xenon_remains_open (self->state, id, error);
}

/* A system held by another process's monitor, through its socket (core's
 * STATE_DIR/systems/ID/monitor.sock, hcs-monitor-private.h); NULL when
 * nobody answers there. */
static HcsContainerProperties *
query_held (XenonDriver *self, const char *id)
{
  g_autofree char *folder = hcs_state_get_system_path (self->state, id);
  g_autofree char *socket_path = g_build_filename (folder, "monitor.sock", NULL);
  g_autoptr (HcsProtocolClient) client = NULL;
  g_autoptr (HcsContainer) proxy = NULL;

  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS) ||
      (client = hcs_protocol_client_new (socket_path, NULL)) == NULL ||
      (proxy = hcs_protocol_client_open_container (client, id, NULL)) == NULL)
    return NULL;
  return hcs_container_query_properties (proxy, NULL);
}

static GPtrArray *
xenon_driver_list_containers (HcsIsolationDriver *driver, GError **error)
{
  XenonDriver *self = XENON_DRIVER (driver);
  g_autoptr (GPtrArray) result =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_container_properties_free);
  g_autoptr (GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value != NULL)
      g_ptr_array_add (containers, g_object_ref (value));
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < containers->len; i++)
    {
      HcsContainerProperties *props = hcs_container_get_properties (containers->pdata[i], NULL);

      if (props != NULL) /* removed or closed: no longer listed */
        g_ptr_array_add (result, props);
    }
  /* And those of other processes: held by their monitors, or left by a
   * holder that died. */
  {
    g_autoptr (GPtrArray) ids = hcs_state_list (self->state, error);

    if (ids == NULL)
      return NULL;
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr (HcsStateFolder) folder = hcs_state_open (self->state, ids->pdata[i], NULL);
        g_autoptr (HcsContainer) remains = NULL;
        g_autoptr (GError) local_error = NULL;
        HcsContainerProperties *props;
        gboolean seen = FALSE;

        if (folder == NULL ||
            !g_str_equal (hcs_state_folder_get_owner (folder), XENON_STATE_OWNER))
          continue;
        for (guint j = 0; j < result->len && !seen; j++)
          seen = g_strcmp0 (((HcsContainerProperties *) result->pdata[j])->id,
                            ids->pdata[i]) == 0;
        if (seen)
          continue;
        props = query_held (self, ids->pdata[i]);
        if (props == NULL && (remains = xenon_remains_open (self->state, ids->pdata[i],
                                                             &local_error)) != NULL)
          props = hcs_container_query_properties (remains, NULL);
        else if (props == NULL && !hcs_error_is_not_exist (local_error))
          /* A corrupt record is reported, and the others still listed. */
          g_message ("%s", local_error->message);
        if (props != NULL)
          g_ptr_array_add (result, props);
      }
  }
  return g_steal_pointer (&result);
}

static void
xenon_driver_isolation_iface_init (HcsIsolationDriverInterface *iface)
{
  iface->get_isolation = xenon_driver_get_isolation;
  iface->create_container = xenon_driver_create_container;
  iface->open_container = xenon_driver_open_container;
  iface->list_containers = xenon_driver_list_containers;
}
