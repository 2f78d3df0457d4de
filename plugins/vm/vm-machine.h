/* vm-machine.h: one QEMU process: start, ports, pause, shut-down, kill.
 *
 * A VmMachine owns a run folder (given, or made under /tmp) that holds
 * every file of the VM: the QMP socket, the virtio-serial port sockets,
 * QEMU's stderr and, unless the config names another place, the serial
 * console. When QEMU has exited and been reaped, the folder is removed
 * and "exited" is emitted.
 *
 * A VmMachine lives (its QEMU's wait holds a reference) until QEMU has
 * exited: shut it down or kill it; config->die_with_parent ties QEMU to
 * the starting thread for programs that must leave nothing if they crash.
 *
 * Threading: as VmQmp, everything happens in the thread-default main
 * context of the thread that called vm_machine_start_async.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vm-command.h"
#include "vm-qmp.h"

G_BEGIN_DECLS

#define VM_TYPE_MACHINE (vm_machine_get_type ())
G_DECLARE_FINAL_TYPE (VmMachine, vm_machine, VM, MACHINE, GObject)

/* A copy of @config is kept. @run_dir (nullable) must not exist: it is
 * made at start (0700) and removed when QEMU has gone; NULL makes one
 * under the temporary folder. */
VmMachine *vm_machine_new (const VmConfig *config, const char *run_dir);

/* Starts QEMU and returns once QMP is ready (not when the guest is: that
 * is the guest's own protocol, over a boot port). The boot ports are
 * connected by then. With config->incoming_state, the start takes that
 * saved state in too (migrate-incoming of the inherited file, with
 * x-ignore-shared when the RAM is a file: vm-template.h), the commands
 * queued before QEMU has even read its greeting, and returns once QEMU
 * has resumed the guest; a state that QEMU refuses fails the start. A
 * QEMU that fails to start is an error carrying its stderr, and leaves
 * nothing behind. Cancelling @cancellable before QMP is ready kills
 * QEMU; the start then fails with G_IO_ERROR_CANCELLED
 * once QEMU is reaped and the run folder removed. */
void vm_machine_start_async (VmMachine *vm, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_start_finish (VmMachine *vm, GAsyncResult *result, GError **error);

const char *vm_machine_get_run_dir (VmMachine *vm);
/* The console log, where the kernel and the guest's early output go. */
const char *vm_machine_get_console_log (VmMachine *vm);
/* QEMU's pid; 0 before start and once it has been reaped. */
GPid vm_machine_get_pid (VmMachine *vm);
/* (transfer none) (nullable): NULL before start and after exit. */
VmQmp *vm_machine_get_qmp (VmMachine *vm);
/* migrate-set-capabilities' arguments turning x-ignore-shared on (a
 * new object, transfer full): the RAM, a file of its own, is left out of
 * a saved state and of its restore (vm-template.h). */
JsonObject *vm_machine_ignore_shared_arguments (void);
gboolean vm_machine_is_running (VmMachine *vm);

/* What QEMU itself uses on the host (the VM's cost, as HCS reports a
 * utility VM's): CPU time of all its threads in ns and resident memory
 * in bytes, from /proc/PID/stat and statm. */
gboolean vm_machine_get_host_usage (VmMachine *vm, guint64 *cpu_ns, guint64 *rss_bytes,
                                    GError **error);

/* The host end of a port (boot or hot-added); (transfer none) (nullable). */
GIOStream *vm_machine_get_port (VmMachine *vm, const char *name);

/* Hot-adds a virtio-serial port named @name, backed by a unix socket
 * chardev in the run folder (chardev-add and device_add sent together,
 * one round trip; the chardev is taken back when the device cannot be
 * added, the device when the chardev could not be) and connects to it.
 * The guest sees /sys/class/virtio-ports/vportNpM/name = @name. */
void vm_machine_add_port_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
GIOStream *vm_machine_add_port_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* Shuts the host end down (a reader that holds it sees its end), removes
 * the device (device_del, waiting for
 * DEVICE_DELETED), then the chardev and its socket. */
void vm_machine_remove_port_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_remove_port_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* Hot-adds the image file at @path (absolute) as a virtio-blk-pci disk
 * in a free PCIe root port of a q35 machine (config->hotplug_slots),
 * read-only or not (QEMU opens it so: the guest cannot write through).
 * @name ([A-Za-z0-9._-], at most 20) is the disk's serial: the guest
 * finds it as /sys/block/vdX/serial. The block node is taken back when
 * the device cannot be added. No free slot is HCS_ERROR_NOT_SUPPORTED. */
void vm_machine_add_disk_async (VmMachine *vm, const char *name, const char *path,
                                gboolean read_only, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_add_disk_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* Removes a hot-added disk: device_del, then, once the guest has let the
 * device go (DEVICE_DELETED, within 10 s), its block node; the slot is
 * free again. */
void vm_machine_remove_disk_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_remove_disk_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* Hot-adds a virtio-net-pci NIC named @name with the MAC @mac
 * ("xx:xx:xx:xx:xx:xx", unicast) in a free PCIe root port (shared with
 * the disks), on a tap netdev that opens the existing tap @tap_ifname
 * (script=no: the caller made the tap, put it on its bridge, and deletes
 * it after the NIC is removed). The netdev is taken back when the device
 * cannot be added. No free slot is HCS_ERROR_NOT_SUPPORTED. */
void vm_machine_add_nic_async (VmMachine *vm, const char *name, const char *tap_ifname,
                               const char *mac, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
/* The same on a tap the caller opened (one in another network namespace,
 * vm-netns.h): @tap_fd is copied to QEMU (getfd) and the netdev takes it;
 * the tap goes when QEMU and the caller have closed it. */
void vm_machine_add_nic_fd_async (VmMachine *vm, const char *name, int tap_fd, const char *mac,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean vm_machine_add_nic_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* Removes a hot-added NIC: device_del, then, once the guest has let it go
 * (DEVICE_DELETED), its netdev (QEMU closes the tap); the slot is free. */
void vm_machine_remove_nic_async (VmMachine *vm, const char *name, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_remove_nic_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* Shuts the VM down: with @grace_ms > 0 the guest is asked first (ACPI
 * system_powerdown) and given that long; then QEMU is told to quit and,
 * should it not exit within a few seconds, killed. Returns once QEMU is
 * reaped and the run folder removed. */
void vm_machine_shutdown_async (VmMachine *vm, guint grace_ms, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_shutdown_finish (VmMachine *vm, GAsyncResult *result, GError **error);

/* SIGKILL. "exited" follows once QEMU is reaped and the folder removed. */
void vm_machine_kill (VmMachine *vm);

/* Returns once QEMU has exited, been reaped and the folder removed. */
void vm_machine_wait_async (VmMachine *vm, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
gboolean vm_machine_wait_finish (VmMachine *vm, GAsyncResult *result, GError **error);

G_END_DECLS
