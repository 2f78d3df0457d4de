/* vm-command.c: VmConfig and the QEMU command line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-command.h"

#include "hcs-error.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

static void vm_share_free (gpointer data);
static void vm_disk_free (gpointer data);
static void vm_nic_free (gpointer data);

VmConfig *
vm_config_new (void)
{
  VmConfig *config = g_new0 (VmConfig, 1);

  config->machine_type = VM_MACHINE_TYPE_Q35;
  config->accel = VM_ACCEL_AUTO;
  config->memory_mb = 256;
  config->processors = 1;
  config->boot_ports = g_ptr_array_new_with_free_func (g_free);
  config->shares = g_ptr_array_new_with_free_func (vm_share_free);
  config->disks = g_ptr_array_new_with_free_func (vm_disk_free);
  config->nics = g_ptr_array_new_with_free_func (vm_nic_free);
  return config;
}

static void
vm_nic_free (gpointer data)
{
  VmNic *nic = data;

  g_free (nic->name);
  g_free (nic->mac);
  g_free (nic->tap);
  if (nic->tap_fd > 0)
    close (nic->tap_fd);
  g_free (nic);
}

static gpointer
copy_nic (gconstpointer data, gpointer user_data)
{
  const VmNic *nic = data;
  VmNic *copy = g_new0 (VmNic, 1);

  copy->name = g_strdup (nic->name);
  copy->mac = g_strdup (nic->mac);
  copy->tap = g_strdup (nic->tap);
  copy->tap_fd = nic->tap_fd > 0 ? fcntl (nic->tap_fd, F_DUPFD_CLOEXEC, 3) : 0;
  return copy;
}

void
vm_config_add_nic (VmConfig *config, const char *name, const char *mac, const char *tap)
{
  VmNic nic = { (char *) name, (char *) mac, (char *) tap, 0 };

  g_ptr_array_add (config->nics, copy_nic (&nic, NULL));
}

VmNic *
vm_config_find_nic (const VmConfig *config, const char *name)
{
  for (guint i = 0; i < config->nics->len; i++)
    if (g_str_equal (((VmNic *) config->nics->pdata[i])->name, name))
      return config->nics->pdata[i];
  return NULL;
}

static void
vm_disk_free (gpointer data)
{
  VmDisk *disk = data;

  g_free (disk->name);
  g_free (disk->path);
  g_free (disk);
}

static gpointer
copy_disk (gconstpointer data, gpointer user_data)
{
  const VmDisk *disk = data;
  VmDisk *copy = g_memdup2 (disk, sizeof *disk);

  copy->name = g_strdup (disk->name);
  copy->path = g_strdup (disk->path);
  return copy;
}

void
vm_config_add_disk (VmConfig *config, const char *name, const char *path, guint64 size,
                    gboolean read_only)
{
  VmDisk disk = { (char *) name, (char *) path, size, read_only };

  g_ptr_array_add (config->disks, copy_disk (&disk, NULL));
}

VmDisk *
vm_config_find_disk (const VmConfig *config, const char *name)
{
  for (guint i = 0; i < config->disks->len; i++)
    if (g_str_equal (((VmDisk *) config->disks->pdata[i])->name, name))
      return config->disks->pdata[i];
  return NULL;
}

static void
vm_share_free (gpointer data)
{
  VmShare *share = data;

  g_free (share->tag);
  g_free (share->path);
  g_free (share);
}

static gpointer
copy_share (gconstpointer data, gpointer user_data)
{
  const VmShare *share = data;
  VmShare *copy = g_new0 (VmShare, 1);

  copy->tag = g_strdup (share->tag);
  copy->path = g_strdup (share->path);
  copy->read_only = share->read_only;
  return copy;
}

void
vm_config_add_share (VmConfig *config, const char *tag, const char *path, gboolean read_only)
{
  VmShare share = { (char *) tag, (char *) path, read_only };

  g_ptr_array_add (config->shares, copy_share (&share, NULL));
}

static gpointer
copy_string (gconstpointer string, gpointer user_data)
{
  return g_strdup (string);
}

VmConfig *
vm_config_copy (const VmConfig *config)
{
  VmConfig *copy = g_memdup2 (config, sizeof *config);

  copy->qemu = g_strdup (config->qemu);
  copy->kernel = g_strdup (config->kernel);
  copy->initrd = g_strdup (config->initrd);
  copy->append = g_strdup (config->append);
  copy->console_log = g_strdup (config->console_log);
  copy->memory_path = g_strdup (config->memory_path);
  copy->incoming_state = g_strdup (config->incoming_state);
  copy->boot_ports = g_ptr_array_copy (config->boot_ports, copy_string, NULL);
  g_ptr_array_set_free_func (copy->boot_ports, g_free);
  copy->shares = g_ptr_array_copy (config->shares, copy_share, NULL);
  g_ptr_array_set_free_func (copy->shares, vm_share_free);
  copy->disks = g_ptr_array_copy (config->disks, copy_disk, NULL);
  g_ptr_array_set_free_func (copy->disks, vm_disk_free);
  copy->nics = g_ptr_array_copy (config->nics, copy_nic, NULL);
  g_ptr_array_set_free_func (copy->nics, vm_nic_free);
  return copy;
}

void
vm_config_free (VmConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->qemu);
  g_free (config->kernel);
  g_free (config->initrd);
  g_free (config->append);
  g_free (config->console_log);
  g_free (config->memory_path);
  g_free (config->incoming_state);
  g_clear_pointer (&config->boot_ports, g_ptr_array_unref);
  g_clear_pointer (&config->shares, g_ptr_array_unref);
  g_clear_pointer (&config->disks, g_ptr_array_unref);
  g_clear_pointer (&config->nics, g_ptr_array_unref);
  g_free (config);
}

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Sets an HCS_ERROR_INVALID_DATA error; FALSE, for a return. */
static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HCS_ERROR, HCS_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

gboolean
vm_port_name_validate (const char *name, GError **error)
{
  if (name == NULL || *name == '\0' || strlen (name) > VM_PORT_NAME_MAX ||
      strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
        strlen (name) || name[0] == '.')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "vm: port name '%s': must be 1 to %d of [A-Za-z0-9._-], not starting with '.'",
                   name ? name : "(null)", VM_PORT_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}

gboolean
vm_config_validate (const VmConfig *config, GError **error)
{
  if (config->kernel == NULL || *config->kernel == '\0')
    return invalid (error, "vm: kernel: missing");
  if (!g_file_test (config->kernel, G_FILE_TEST_IS_REGULAR))
    return invalid (error, "vm: kernel: '%s' is not a file", config->kernel);
  if (config->initrd != NULL && !g_file_test (config->initrd, G_FILE_TEST_IS_REGULAR))
    return invalid (error, "vm: initrd: '%s' is not a file", config->initrd);
  if (config->memory_mb < 32 || config->memory_mb > 1024 * 1024)
    return invalid (error, "vm: memory-mb: %u is not between 32 and 1048576", config->memory_mb);
  if (config->processors < 1 || config->processors > 255)
    return invalid (error, "vm: processors: %u is not between 1 and 255", config->processors);
  for (guint i = 0; i < config->shares->len; i++)
    {
      const VmShare *share = config->shares->pdata[i];

      if (!vm_port_name_validate (share->tag, NULL))
        return invalid (error, "vm: share tag '%s': must be 1 to %d of [A-Za-z0-9._-]",
                        share->tag, VM_PORT_NAME_MAX);
      if (share->path == NULL || !g_path_is_absolute (share->path) ||
          !g_file_test (share->path, G_FILE_TEST_IS_DIR) || strchr (share->path, ',') != NULL)
        return invalid (error, "vm: share '%s': '%s' is not a folder given by its absolute "
                        "path (without commas)", share->tag, share->path);
    }
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VmDisk *disk = config->disks->pdata[i];

      if (!vm_port_name_validate (disk->name, NULL) || strlen (disk->name) > VM_DISK_NAME_MAX)
        return invalid (error, "vm: disk name '%s': must be 1 to %d of [A-Za-z0-9._-]",
                        disk->name ? disk->name : "(null)", VM_DISK_NAME_MAX);
      if (disk->path != NULL && !g_path_is_absolute (disk->path))
        return invalid (error, "vm: disk '%s': '%s' is not an absolute path", disk->name,
                        disk->path);
      if (disk->path == NULL && disk->size == 0)
        return invalid (error, "vm: disk '%s': a placeholder needs a size", disk->name);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (disk->name, ((VmDisk *) config->disks->pdata[j])->name))
          return invalid (error, "vm: disk '%s' is named twice", disk->name);
    }
  for (guint i = 0; i < config->nics->len; i++)
    {
      const VmNic *nic = config->nics->pdata[i];
      static const char hex[] = "0123456789abcdefABCDEF";
      gboolean mac_ok = nic->mac != NULL && strlen (nic->mac) == 17;

      for (guint j = 0; mac_ok && j < 17; j++)
        mac_ok = j % 3 == 2 ? nic->mac[j] == ':' : strchr (hex, nic->mac[j]) != NULL;
      if (!vm_port_name_validate (nic->name, NULL))
        return invalid (error, "vm: NIC name '%s': must be 1 to %d of [A-Za-z0-9._-]",
                        nic->name ? nic->name : "(null)", VM_PORT_NAME_MAX);
      if (!mac_ok)
        return invalid (error, "vm: NIC '%s': MAC '%s' is not xx:xx:xx:xx:xx:xx", nic->name,
                        nic->mac ? nic->mac : "(null)");
      if (nic->tap != NULL && (*nic->tap == '\0' || strlen (nic->tap) >= 16 ||
                               strpbrk (nic->tap, "/,= ") != NULL))
        return invalid (error, "vm: NIC '%s': '%s' is not an interface name", nic->name,
                        nic->tap);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (nic->name, ((VmNic *) config->nics->pdata[j])->name))
          return invalid (error, "vm: NIC '%s' is named twice", nic->name);
    }
  if (config->hotplug_slots > 32)
    return invalid (error, "vm: hotplug-slots: %u is more than 32", config->hotplug_slots);
  if (config->hotplug_slots > 0 && config->machine_type != VM_MACHINE_TYPE_Q35)
    return invalid (error, "vm: hotplug-slots: only a q35 machine has PCIe root ports");
  if (config->memory_path != NULL && !g_path_is_absolute (config->memory_path))
    return invalid (error, "vm: memory-path: '%s' is not absolute", config->memory_path);
  if (config->append != NULL && strchr (config->append, '\n') != NULL)
    return invalid (error, "vm: append: the kernel command line has a newline");
  for (guint i = 0; i < config->boot_ports->len; i++)
    {
      const char *name = config->boot_ports->pdata[i];

      if (!vm_port_name_validate (name, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (name, config->boot_ports->pdata[j]))
          return invalid (error, "vm: boot port '%s' is named twice", name);
    }
  return TRUE;
}

/* VMX (Intel: leaf 1, ECX bit 5) or SVM (AMD: leaf 0x80000001, ECX bit
 * 2) in this CPU's CPUID: what KVM needs to run an unmodified guest. */
static gboolean
cpu_has_hardware_virtualization (void)
{
  unsigned int eax, ebx, ecx, edx;

  if (__get_cpuid (1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5)))
    return TRUE;
  return __get_cpuid (0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 2));
}

/* /dev/kvm answers, and runs unmodified guests. A /dev/kvm can be served
 * without VMX or SVM: kvm_pvm (seen on machines of this kind, guests of a
 * Firecracker host) runs only kernels built as PVM guests, and Debian's
 * hangs there in its first memset, before its console says a word. Such a
 * /dev/kvm is no KVM for our guests: TCG runs them. */
static gboolean
kvm_usable (void)
{
  int fd;
  gboolean usable;

  if (!cpu_has_hardware_virtualization ())
    return FALSE;
  fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  usable = ioctl (fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
  close (fd);
  return usable;
}

gboolean
vm_accel_resolve (VmAccel requested, VmAccel *resolved, GError **error)
{
  switch (requested)
    {
    case VM_ACCEL_TCG:
      *resolved = VM_ACCEL_TCG;
      return TRUE;
    case VM_ACCEL_KVM:
      if (!kvm_usable ())
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                       "vm: accel kvm: /dev/kvm is missing or not usable here (KVM needs VMX or SVM)");
          return FALSE;
        }
      *resolved = VM_ACCEL_KVM;
      return TRUE;
    case VM_ACCEL_AUTO:
    default:
      *resolved = kvm_usable () ? VM_ACCEL_KVM : VM_ACCEL_TCG;
      return TRUE;
    }
}

/* What /proc/cpuinfo says, for when the TSC cannot be read here. */
static guint
cpuinfo_khz (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL) ||
      (line = strstr (text, "cpu MHz")) == NULL || (line = strchr (line, ':')) == NULL)
    return 0;
  return (guint) (g_ascii_strtod (line + 1, NULL) * 1000);
}

#if defined(__x86_64__) || defined(__i386__)
static guint64
monotonic_raw_ns (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC_RAW, &now);
  return now.tv_sec * G_GUINT64_CONSTANT (1000000000) + now.tv_nsec;
}

/* A TSC reading and the time it was taken: of a few tries, the one
 * whose clock readings around it are closest, so that a preemption in
 * between (this machine may be busy) does not skew it. */
static void
sample_tsc (guint64 *ns, guint64 *cycles)
{
  guint64 best_window = G_MAXUINT64;

  for (guint i = 0; i < 8; i++)
    {
      guint64 before = monotonic_raw_ns ();
      guint64 tsc = __rdtsc ();
      guint64 after = monotonic_raw_ns ();

      if (after - before < best_window)
        {
          best_window = after - before;
          *ns = before + (after - before) / 2;
          *cycles = tsc;
        }
    }
}
#endif

static guint
measure_tsc_khz (void)
{
#if defined(__x86_64__) || defined(__i386__)
  guint64 ns_start, ns_end, cycles_start, cycles_end, khz;

  sample_tsc (&ns_start, &cycles_start);
  g_usleep (10000);
  sample_tsc (&ns_end, &cycles_end);
  khz = (cycles_end - cycles_start) * G_GUINT64_CONSTANT (1000000) / (ns_end - ns_start);
  /* A sane TSC runs between 100 MHz and 10 GHz. */
  if (khz >= 100000 && khz <= 10000000)
    return (guint) khz;
#endif
  return 0;
}

guint
vm_host_tsc_khz (void)
{
  static gsize once = 0;
  static guint khz;

  if (g_once_init_enter (&once))
    {
      khz = measure_tsc_khz ();
      if (khz == 0)
        khz = cpuinfo_khz ();
      if (khz == 0)
        khz = 2000000;
      g_once_init_leave (&once, 1);
    }
  return khz;
}

const char *
vm_accel_cpu_model (VmAccel accel)
{
  return accel == VM_ACCEL_KVM ? "host" : "max";
}

const char *
vm_accel_guest_parameters (VmAccel accel)
{
  return accel == VM_ACCEL_KVM ? "" : "tsc=reliable";
}

/* QEMU's option syntax doubles a comma inside a value. */
static char *
escape_option_value (const char *value)
{
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);

  return g_strjoinv (",,", parts);
}

static void
add (GPtrArray *argv, const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

static void
add_printf (GPtrArray *argv, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
add_printf (GPtrArray *argv, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (argv, g_strdup_vprintf (format, args));
  va_end (args);
}

GStrv
vm_command_line_build (const VmConfig *config, VmAccel accel, const VmCommandFds *fds,
                       const char *console_log, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) append = g_string_new ("console=ttyS0");
  g_autofree char *log = NULL;
  gboolean q35 = config->machine_type == VM_MACHINE_TYPE_Q35;

  if (!vm_config_validate (config, error))
    return NULL;
  g_return_val_if_fail (accel == VM_ACCEL_KVM || accel == VM_ACCEL_TCG, NULL);

  add (argv, config->qemu ? config->qemu : "qemu-system-x86_64");
  add (argv, "-nodefaults");
  add (argv, "-no-user-config");
  add (argv, "-nographic");
  /* A guest that reboots has ended: QEMU exits and the owner sees it. */
  add (argv, "-no-reboot");
  add (argv, "-machine");
  add (argv, q35 ? "q35" : "microvm");
  add (argv, "-accel");
  add (argv, accel == VM_ACCEL_KVM ? "kvm" : "tcg,thread=multi");
  add (argv, "-cpu");
  add (argv, vm_accel_cpu_model (accel));
  add (argv, "-m");
  add_printf (argv, "%u", config->memory_mb);
  add (argv, "-smp");
  add_printf (argv, "%u", config->processors);

  add (argv, "-kernel");
  add (argv, config->kernel);
  if (config->initrd != NULL)
    {
      add (argv, "-initrd");
      add (argv, config->initrd);
    }
  /* Under TCG the guest's TSC is the host's; calibrating it against the
   * emulated PIT is slow and unreliable. A guest restored from a saved
   * state booted long ago with its template's command line: measuring
   * the TSC for it (10 ms in each new process) would be for nothing. */
  if (accel == VM_ACCEL_TCG && !config->incoming)
    g_string_append_printf (append, " tsc_early_khz=%u %s",
                            config->tsc_khz ? config->tsc_khz : vm_host_tsc_khz (),
                            vm_accel_guest_parameters (accel));
  if (config->append != NULL && *config->append != '\0')
    g_string_append_printf (append, " %s", config->append);
  add (argv, "-append");
  add (argv, append->str);

  log = escape_option_value (console_log);
  add (argv, "-chardev");
  add_printf (argv, "file,id=console,path=%s", log);
  add (argv, "-serial");
  add (argv, "chardev:console");

  add (argv, "-chardev");
  add_printf (argv, "socket,id=qmp,fd=%d,server=on,wait=off", fds->qmp_fd);
  add (argv, "-mon");
  add (argv, "chardev=qmp,mode=control");

  for (guint i = 0; q35 && i < config->hotplug_slots; i++)
    {
      add (argv, "-device");
      add_printf (argv, "pcie-root-port,id=hotplug%u,chassis=%u,bus=pcie.0", i, i + 1);
    }

  for (guint i = 0; i < config->shares->len; i++)
    {
      const VmShare *share = config->shares->pdata[i];

      /* multidevs=remap: a share holds other file systems (bind mounts);
       * their inode numbers must not collide in the guest. */
      add (argv, "-fsdev");
      add_printf (argv, "local,id=fs-%s,path=%s,security_model=none,multidevs=remap%s",
                  share->tag, share->path, share->read_only ? ",readonly=on" : "");
      add (argv, "-device");
      add_printf (argv, "%s,fsdev=fs-%s,mount_tag=%s",
                  q35 ? "virtio-9p-pci" : "virtio-9p-device", share->tag, share->tag);
    }

  for (guint i = 0; i < config->disks->len; i++)
    {
      const VmDisk *disk = config->disks->pdata[i];
      const char *read_only = disk->read_only ? "on" : "off";

      add (argv, "-blockdev");
      if (disk->path != NULL)
        {
          g_autofree char *path = escape_option_value (disk->path);

          add_printf (argv, "driver=raw,node-name=disk-%s,read-only=%s,file.driver=file,"
                      "file.filename=%s", disk->name, read_only, path);
        }
      else
        add_printf (argv, "driver=null-co,node-name=disk-%s,read-only=%s,read-zeroes=on,"
                    "size=%" G_GUINT64_FORMAT, disk->name, read_only, disk->size);
      add (argv, "-device");
      add_printf (argv, "%s,drive=disk-%s,id=disk-%s,serial=%s",
                  q35 ? "virtio-blk-pci" : "virtio-blk-device", disk->name, disk->name,
                  disk->name);
    }

  for (guint i = 0; i < config->nics->len; i++)
    {
      const VmNic *nic = config->nics->pdata[i];
      g_autofree char *netdev = NULL;

      if (nic->tap_fd > 0 && fds->nic_fds != NULL)
        {
          /* QEMU takes the vnet header from the tap's flags (vm-netns.c
           * makes it without one) and refuses vnet_hdr= beside fd=. */
          add (argv, "-netdev");
          add_printf (argv, "tap,id=net-%s,fd=%d", nic->name, fds->nic_fds[i]);
          netdev = g_strdup_printf (",netdev=net-%s", nic->name);
        }
      else if (nic->tap != NULL)
        {
          add (argv, "-netdev");
          add_printf (argv, "tap,id=net-%s,ifname=%s,script=no,downscript=no,vnet_hdr=off",
                      nic->name, nic->tap);
          netdev = g_strdup_printf (",netdev=net-%s", nic->name);
        }
      add (argv, "-device");
      add_printf (argv, "%s,id=%s,mac=%s%s", q35 ? "virtio-net-pci" : "virtio-net-device",
                  nic->name, nic->mac, netdev ? netdev : "");
    }

  add (argv, "-device");
  add (argv, q35 ? "virtio-serial-pci,id=serial0" : "virtio-serial-device,id=serial0");
  for (guint i = 0; i < config->boot_ports->len; i++)
    {
      const char *name = config->boot_ports->pdata[i];

      add (argv, "-chardev");
      add_printf (argv, "socket,id=port-%s,fd=%d,server=on,wait=off", name, fds->port_fds[i]);
      add (argv, "-device");
      add_printf (argv, "virtserialport,bus=serial0.0,chardev=port-%s,id=port-%s,name=%s", name,
                  name, name);
    }

  if (config->memory_path != NULL)
    {
      g_autofree char *path = escape_option_value (config->memory_path);

      /* QEMU merges -machine options: this one adds the backend. */
      add (argv, "-object");
      add_printf (argv, "memory-backend-file,id=ram,size=%uM,mem-path=%s,share=%s",
                  config->memory_mb, path, config->memory_shared ? "on" : "off");
      add (argv, "-machine");
      add (argv, "memory-backend=ram");
    }
  if (config->incoming)
    {
      add (argv, "-incoming");
      add (argv, "defer");
    }

  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}
