/* vm-command.h: what a VM is made of, and the QEMU command line for it.
 *
 * The VM library (plugins/vm) is shared by the VM plugins (xenon, lcow).
 * VmConfig is a plain description a plugin fills in; the command line is
 * built from it and the file descriptors VmMachine hands QEMU. Building
 * does no I/O except probing /dev/kvm when the accelerator is AUTO.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VM_MACHINE_TYPE_Q35,     /* PCIe root ports: devices can be hot-added (lcow) */
  VM_MACHINE_TYPE_MICROVM, /* virtio-mmio, fastest boot, no disk hot-plug (xenon) */
} VmMachineType;

typedef enum {
  VM_ACCEL_AUTO, /* KVM when /dev/kvm is usable, TCG otherwise */
  VM_ACCEL_KVM,
  VM_ACCEL_TCG,
} VmAccel;

/* The longest port name; names are [A-Za-z0-9._-] so that they can be
 * chardev ids, device ids and file names as they are. */
#define VM_PORT_NAME_MAX 64

/* A host folder the guest mounts over virtio-9p (mount_tag @tag). QEMU
 * cannot hot-add a 9p file system device (there is no QMP command for
 * its -fsdev), so shares are present from boot; their users put what they
 * share below @path (bind mounts, for example). */
typedef struct {
  char *tag;             /* [A-Za-z0-9._-], at most VM_PORT_NAME_MAX */
  char *path;            /* absolute, an existing folder */
  gboolean read_only;    /* QEMU refuses every write (readonly=on) */
} VmShare;

/* A virtio-blk disk present from boot (microvm cannot hot-plug one).
 * @name ([A-Za-z0-9._-], at most VM_DISK_NAME_MAX) is its QEMU id and its
 * serial: the guest finds it as /sys/block/vdX/serial. With @path NULL
 * the disk is a placeholder of @size bytes that reads zeros (QEMU's
 * null-co, no file): a template's slot, behind which each clone puts a
 * file of its own with the same device (the saved state names devices,
 * not files). The guest keeps the size it saw at boot, so a placeholder
 * is as large as any file put behind it. */
#define VM_DISK_NAME_MAX 20
typedef struct {
  char *name;
  char *path;            /* nullable: a placeholder */
  guint64 size;          /* a placeholder's size in bytes */
  gboolean read_only;    /* QEMU refuses every write */
} VmDisk;

/* A virtio-net NIC present from boot, id @name. With @tap, its netdev
 * opens that existing tap by name (script=no: the caller made it and
 * deletes it once QEMU is gone); without, the NIC has no backend (a
 * template's slot, a clone without a network). No vnet header on the
 * tap: the NIC then offers the guest the same features with or without
 * one, so a clone's matches its template's saved state. */
typedef struct {
  char *name;
  char *mac;             /* xx:xx:xx:xx:xx:xx */
  char *tap;             /* nullable */
  /* > 0: an open tap QEMU inherits instead (one in another network
   * namespace, vm-netns.h); the config's own, closed with it. */
  int tap_fd;
} VmNic;

typedef struct {
  char *qemu;            /* NULL: qemu-system-x86_64 from PATH */
  VmMachineType machine_type;
  VmAccel accel;
  char *kernel;          /* an uncompressed vmlinux (PVH entry) or a bzImage */
  char *initrd;          /* nullable */
  char *append;          /* nullable: the kernel command line, without console/tsc */
  guint memory_mb;
  guint processors;
  guint tsc_khz;         /* 0: the host's TSC frequency (TCG only) */
  guint hotplug_slots;   /* q35: empty PCIe root ports for hot-added devices */
  char *console_log;     /* nullable: keep the serial console here (else in the run dir) */
  gboolean die_with_parent; /* QEMU gets SIGKILL when the thread that started it ends */
  GPtrArray *boot_ports; /* (element-type utf8): virtio-serial ports present at boot */
  GPtrArray *shares;     /* (element-type VmShare): virtio-9p-pci devices present at boot */
  GPtrArray *disks;      /* (element-type VmDisk): virtio-blk devices present at boot */
  GPtrArray *nics;       /* (element-type VmNic): virtio-net devices present at boot */
  /* Guest RAM in a file (nullable: anonymous memory), mapped shared (a
   * template's RAM, which stays in the file) or private (a clone's:
   * copy-on-write over a template's). */
  char *memory_path;
  gboolean memory_shared;
  /* Waits for an incoming migration (-incoming defer): QEMU starts with
   * the guest stopped and takes the state from migrate-incoming. The
   * kernel command line is then the caller's only (the guest booted with
   * its template's: no TSC measured). */
  gboolean incoming;
  /* Nullable, with @incoming: the saved state to restore, which the
   * library opens, QEMU inherits and vm_machine_start_async takes in
   * (migrate-incoming of the inherited descriptor): no shell and `cat`
   * spawned by QEMU to read it. */
  char *incoming_state;
} VmConfig;

/* Adds a share to @config (copies the strings). */
void vm_config_add_share (VmConfig *config, const char *tag, const char *path,
                          gboolean read_only);

/* Adds a disk to @config (copies the strings); @path NULL: a placeholder. */
void vm_config_add_disk (VmConfig *config, const char *name, const char *path, guint64 size,
                         gboolean read_only);
/* (transfer none) (nullable): the disk named @name. */
VmDisk *vm_config_find_disk (const VmConfig *config, const char *name);

/* Adds a NIC to @config (copies the strings); @tap nullable. */
void vm_config_add_nic (VmConfig *config, const char *name, const char *mac, const char *tap);
/* (transfer none) (nullable): the NIC named @name. */
VmNic *vm_config_find_nic (const VmConfig *config, const char *name);

VmConfig *vm_config_new (void);
VmConfig *vm_config_copy (const VmConfig *config);
void vm_config_free (VmConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmConfig, vm_config_free)

/* Checks @config before anything is started: every field that is wrong
 * is named in the HCS_ERROR_INVALID_DATA error. */
gboolean vm_config_validate (const VmConfig *config, GError **error);

/* Checks a virtio-serial port name (boot or hot-added). */
gboolean vm_port_name_validate (const char *name, GError **error);

/* KVM when asked or when AUTO finds /dev/kvm usable (it opens and answers
 * KVM_GET_API_VERSION); asking for KVM where it is not usable is an
 * HCS_ERROR_NOT_SUPPORTED error. */
gboolean vm_accel_resolve (VmAccel requested, VmAccel *resolved, GError **error);

/* The host's TSC frequency in kHz, measured once per process against
 * CLOCK_MONOTONIC_RAW (under TCG the guest's TSC is the host's; the
 * kernel is told with tsc_early_khz= rather than calibrating it against
 * an emulated PIT). */
guint vm_host_tsc_khz (void);

/* The -cpu model a guest gets under @accel (resolved: KVM or TCG). */
const char *vm_accel_cpu_model (VmAccel accel);

/* What a guest's kernel is told under @accel (resolved) besides its TSC
 * frequency and the caller's parameters: "" under KVM; under TCG, that
 * its TSC is reliable (it is the host's, read by QEMU: no watchdog against
 * an emulated timer that a loaded host delays, which otherwise marks it
 * unstable at random and leaves the guest on jiffies, ticking at HZ even
 * when idle). Both are part of a template's key: a clone must match. */
const char *vm_accel_guest_parameters (VmAccel accel);

/* The file descriptors QEMU inherits, as numbered in the child: listening
 * unix sockets for QMP and for each of config->boot_ports, in order. */
typedef struct {
  int qmp_fd;
  const int *port_fds;
  const int *nic_fds;    /* nullable: the fd of each NIC with a tap_fd, by index */
} VmCommandFds;

/* The argv (NULL-terminated) that starts @config with @accel (resolved:
 * KVM or TCG) and @fds, its serial console written to @console_log. */
GStrv vm_command_line_build (const VmConfig *config, VmAccel accel, const VmCommandFds *fds,
                             const char *console_log, GError **error);

G_END_DECLS
