/* vm-guest.h: a VM whose guest agent (guest/hcs-gcs) serves the
 * compute-system protocol on its bridge port, in a thread of its own.
 *
 * A VmGuest owns one VmMachine and the thread whose context it does its
 * I/O in, the HcsProtocolClient over the bridge port and the stdio relays:
 * each stream of a process is a virtio-serial port hot-added for it (on
 * q35 and microvm alike), relayed to a socket pair whose other end the
 * client's proxy hands out. What the agent writes on a port is framed
 * (u32 LE length, bytes; a zero length ends it), what the host writes for
 * stdin is raw, ended by a half-close (docs/guest.md).
 *
 * Every call is synchronous and may come from any thread; the VM's thread
 * does the work. QEMU is tied to that thread (die_with_parent), so a host
 * that crashes leaves no QEMU.
 *
 * A VmGuest boots cold, or restores a saved state (VmConfig.incoming):
 * then the migration is taken in before the agent is spoken to. A booted
 * guest can be saved (vm_guest_save) for templates (plugins/vm/vm-template.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-protocol-client.h"
#include "vm-machine.h"

G_BEGIN_DECLS

#define VM_TYPE_GUEST (vm_guest_get_type ())
G_DECLARE_FINAL_TYPE (VmGuest, vm_guest, VM, GUEST, GObject)

/* Starts a VM from @config (its boot ports must include
 * HCS_PROTOCOL_BRIDGE_PORT) and returns once its agent answered
 * NegotiateProtocol, or @timeout_s passed (a guard against a guest that
 * never comes up). With config->incoming, @incoming_state is the saved
 * state file taken in first (with x-ignore-shared: the RAM is
 * config->memory_path's). @label names the VM in errors ("xenon: container
 * 'web'"). Failing leaves nothing: no QEMU, no run folder, no thread. */
VmGuest *vm_guest_start (const VmConfig *config, const char *label,
                         const char *incoming_state, guint timeout_s, GError **error);

/* (transfer none) */
HcsProtocolClient *vm_guest_get_client (VmGuest *self);
/* QEMU's pid, 0 once it is gone. */
GPid vm_guest_get_pid (VmGuest *self);
/* QEMU runs (not a zombie yet). */
gboolean vm_guest_is_alive (VmGuest *self);
/* The serial console's log file (gone with the run folder). */
char *vm_guest_dup_console_log (VmGuest *self);

/* Hot-adds stdio port @port (HCS_PROTOCOL_STDIO_PORT_PREFIX "N") and
 * relays it to a socket whose fd is returned (the caller's): @stream 0 is
 * stdin (written; its close ends the input), 1 and 2 stdout and stderr
 * (read to their end). What the client's proxies use for their processes;
 * a creator opens the init's itself, before the Create that names them. */
int vm_guest_open_stdio (VmGuest *self, guint32 port, guint stream, GError **error);
/* Ends the relay of a port opened but never used, and removes the port. */
void vm_guest_close_stdio (VmGuest *self, guint32 port);

/* Runs a QMP command in the VM's thread; the reply when @reply is given. */
gboolean vm_guest_qmp (VmGuest *self, const char *command, JsonObject *arguments,
                       JsonNode **reply, GError **error);

/* Runs @func in the VM's thread and returns what it returns: for what a
 * user does to the machine beyond this API (hot-plugging disks and NICs).
 * @vm is NULL once the VM was stopped, and may have exited on its own
 * (vm_machine_is_running); @context is the thread's, which @func iterates
 * to wait for the machine's async calls (other jobs may run meanwhile). */
typedef gboolean (*VmGuestFunc) (VmGuest *self, VmMachine *vm, GMainContext *context,
                                 gpointer data, GError **error);
gboolean vm_guest_run (VmGuest *self, VmGuestFunc func, gpointer data, GError **error);

/* What QEMU costs the host (vm_machine_get_host_usage). */
gboolean vm_guest_get_host_usage (VmGuest *self, guint64 *cpu_ns, guint64 *rss_bytes,
                                  GError **error);

/* Saves the running VM's state to @state_path with the x-ignore-shared
 * capability (the RAM stays in config->memory_path, which must be
 * shared): the guest is stopped when this returns. */
gboolean vm_guest_save (VmGuest *self, const char *state_path, GError **error);

/* Ends the VM: with @grace_ms the guest is asked first, else QEMU is
 * killed; returns once QEMU is reaped and its run folder removed. The
 * client is closed (its proxies' next calls fail). Idempotent. */
void vm_guest_stop (VmGuest *self, guint grace_ms);

/* SIGKILL to QEMU, nothing waited for (a test's crash). */
void vm_guest_kill (VmGuest *self);

/* Called in the VM's thread once QEMU has exited, whoever ended it. */
typedef void (*VmGuestExitedFunc) (VmGuest *self, gpointer user_data);
void vm_guest_set_exited_func (VmGuest *self, VmGuestExitedFunc func, gpointer user_data);

G_END_DECLS
