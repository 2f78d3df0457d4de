/* hcs-protocol.h: the compute-system protocol, hcsshim's GCS message set
 * addressed by container, declared once for the host and the guest agent.
 *
 * Every message travels in a bridge frame (hcs-bridge.h). The message type
 * is hcsshim's: kind in the top nibble (1 request, 2 response, 3
 * notification), category 0x01 (compute system), then the procedure and
 * version 1, so that ExecuteProcess is 0x10100501 and its response
 * 0x20100501 (internal/gcs/protocol.go, internal/guest/prot/protocol.go).
 *
 * Bodies are JSON objects with hcsshim's field names. Every request names
 * its system in "ContainerId"; ProcessParameters, ContainerConfig, Query
 * and Properties are JSON documents carried as strings, as hcsshim does.
 * A failed call answers with hcsshim's "Result" (the HRESULT) and
 * "ErrorMessage", plus "Error"/"ErrorCode" (the HcsError) so that errors
 * cross intact (hcs_bridge_respond_error()).
 *
 * What hcsshim's GCS has no message for (pause, resume, waiting for a
 * system, opening one, the stdio hello) is an hcs extension numbered in
 * the same scheme from procedure 0x40 up, far above hcsshim's last
 * (0x0f, LifecycleNotification). docs/protocol.md tells who sends what.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <termios.h>

#include "hcs-documents.h"
#include "hcs-process.h"

G_BEGIN_DECLS

/* hcsshim's protocol version 4 (PvV4) is the only one spoken. */
#define HCS_PROTOCOL_VERSION 4

#define HCS_PROTOCOL_REQUEST_TYPE(procedure) (0x10100001u | ((guint32) (procedure) << 8))

typedef enum {
  /* hcsshim's procedures, (n << 8) | 1 */
  HCS_PROTOCOL_CREATE = 0x10100101,                 /* ContainerConfig (string) */
  HCS_PROTOCOL_START = 0x10100201,
  HCS_PROTOCOL_SHUTDOWN_GRACEFUL = 0x10100301,
  HCS_PROTOCOL_SHUTDOWN_FORCED = 0x10100401,
  HCS_PROTOCOL_EXECUTE_PROCESS = 0x10100501,        /* Settings {ProcessParameters (string),
                                                     * VsockStdioRelaySettings {StdIn, StdOut,
                                                     * StdErr}} -> {ProcessId} */
  HCS_PROTOCOL_WAIT_FOR_PROCESS = 0x10100601,       /* ProcessId, TimeoutInMs -> {ExitCode} */
  HCS_PROTOCOL_SIGNAL_PROCESS = 0x10100701,         /* ProcessId, Options {Signal} */
  HCS_PROTOCOL_RESIZE_CONSOLE = 0x10100801,         /* ProcessId, Height, Width */
  HCS_PROTOCOL_GET_PROPERTIES = 0x10100901,         /* Query (string) -> Properties (string) */
  HCS_PROTOCOL_MODIFY_SETTINGS = 0x10100a01,        /* Request */
  HCS_PROTOCOL_NEGOTIATE_PROTOCOL = 0x10100b01,     /* MinimumVersion, MaximumVersion
                                                     * -> {Version, Capabilities} */
  HCS_PROTOCOL_DUMP_STACKS = 0x10100c01,            /* not served */
  HCS_PROTOCOL_DELETE_CONTAINER_STATE = 0x10100d01,
  HCS_PROTOCOL_UPDATE_CONTAINER = 0x10100e01,       /* Resources (ResourceUpdate) */

  /* hcs extensions, procedures from 0x40 */
  HCS_PROTOCOL_PAUSE = 0x10104001,
  HCS_PROTOCOL_RESUME = 0x10104101,
  HCS_PROTOCOL_WAIT_FOR_CONTAINER = 0x10104201,     /* TimeoutInMs -> {ExitCode} */
  HCS_PROTOCOL_OPEN_CONTAINER = 0x10104301,         /* -> {Events: [...]}: subscribes */
  HCS_PROTOCOL_STDIO_HELLO = 0x10104401,            /* Port: the first and only message
                                                     * of a stdio connection, unanswered;
                                                     * raw bytes follow */
  HCS_PROTOCOL_STDIO_DESCRIPTORS = 0x10104501,      /* Port: the first message of a
                                                     * connection, then one byte carrying
                                                     * the caller's stdin, stdout, stderr
                                                     * (SCM_RIGHTS); answered there */
  HCS_PROTOCOL_SET_TERMINAL_MODES = 0x10104601,     /* ProcessId, Modes {Flags {NAME: bool},
                                                     * ControlChars {NAME: 0..255}}: what
                                                     * changed on a host console's master */

  /* hcsshim's container notification (msgTypeNotify | notifyContainer):
   * ContainerId, Type, Operation, Result (an exit's code), and hcs's own
   * Event, Sequence, Time, ExitCode. */
  HCS_PROTOCOL_LIFECYCLE_NOTIFICATION = 0x30100101,
} HcsProtocolMessage;

/* In a utility VM, where there is no vsock: the virtio-serial port the
 * guest agent serves the bridge on, further bridge ports (hot-added; each
 * one connection) named with this prefix and a suffix, and the port of
 * stdio relay port N, named "hcs.stdio.N". A port has no half-close: what
 * the guest writes on a stdio port is framed, a u32 little-endian length
 * and that many bytes, and a zero length ends it (docs/guest.md). */
#define HCS_PROTOCOL_BRIDGE_PORT "hcs.bridge"
#define HCS_PROTOCOL_STDIO_PORT_PREFIX "hcs.stdio."
/* A utility VM host's member of Create's ContainerConfig for its agent:
 * {"Layers": [disk serial, top first], "Scratch": disk serial}, the
 * container's root built from hot-added disks (docs/guest.md). */
#define HCS_PROTOCOL_GUEST_STORAGE "GuestStorage"

/* StdioDescriptors: exactly this many descriptors, stdin, stdout, stderr,
 * in one SCM_RIGHTS message beside one byte (docs/protocol.md). */
#define HCS_PROTOCOL_STDIO_DESCRIPTORS_COUNT 3

/* WaitFor*'s TimeoutInMs for "no limit", as hcsshim's INFINITE. */
#define HCS_PROTOCOL_INFINITE 0xffffffffu

/**
 * hcs_protocol_message_name:
 * @type: type
 *
 * The message's name ("ExecuteProcess"), or NULL for a type not listed.
 *
 * Returns: (transfer none): the message's name
 */
const char *hcs_protocol_message_name (guint32 type);

/**
 * hcs_protocol_request_new:
 * @container_id: container id
 *
 * A request body naming @container_id (may be NULL: NegotiateProtocol).
 *
 * Returns: (transfer full): the request body
 */
JsonNode *hcs_protocol_request_new (const char *container_id);

/**
 * hcs_protocol_set_document:
 * @object: object
 * @member: member
 * @document: document
 *
 * A JSON document carried as a string member (hcsshim's anyInString).
 */
void hcs_protocol_set_document (JsonObject *object, const char *member, JsonNode *document);
/**
 * hcs_protocol_get_document:
 * @object: object
 * @member: member
 * @error: return location for a #GError
 *
 * The document in @member: a string holding JSON, or (leniently) the
 * object itself; HCS_ERROR_INVALID_DATA naming the member otherwise.
 *
 * Returns: (transfer full): the document, or %NULL on error
 */
JsonNode *hcs_protocol_get_document (JsonObject *object, const char *member, GError **error);

/**
 * hcs_protocol_get_string:
 * @object: object
 * @what: what
 * @member: member
 * @error: return location for a #GError
 *
 * The required non-empty string member @member of a message @what.
 *
 * Returns: (transfer none): the string, or %NULL on error
 */
const char *hcs_protocol_get_string (JsonObject *object, const char *what, const char *member,
                                     GError **error);
/**
 * hcs_protocol_get_uint:
 * @object: object
 * @what: what
 * @member: member
 * @max: max
 * @value: (out): the value
 * @error: return location for a #GError
 *
 * The required member @member in [0, @max] (a process id, a port).
 *
 * Returns: %TRUE on success
 */
gboolean hcs_protocol_get_uint (JsonObject *object, const char *what, const char *member,
                                guint64 max, guint64 *value, GError **error);

/* The three relay ports (StdIn, StdOut, StdErr; 0 for none). */
typedef struct {
  guint32 ports[3];
} HcsProtocolStdioRelay;

/**
 * hcs_protocol_stdio_relay_to_object:
 * @relay: relay
 * @object: object
 */
void hcs_protocol_stdio_relay_to_object (const HcsProtocolStdioRelay *relay, JsonObject *object);
/**
 * hcs_protocol_stdio_relay_from_object:
 * @object: object
 * @relay: (out caller-allocates): the relay
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean hcs_protocol_stdio_relay_from_object (JsonObject *object, HcsProtocolStdioRelay *relay,
                                               GError **error);

/**
 * hcs_protocol_properties_query_new:
 * @property_types: (array zero-terminated=1) (nullable): the PropertyTypes
 *
 * The GetProperties query: which parts beside the properties
 * ("Statistics", "ProcessList"), as hcsshim's schema1 PropertyQuery.
 *
 * Returns: (transfer full): the query
 */
JsonNode *hcs_protocol_properties_query_new (const char *const *property_types);

/**
 * hcs_protocol_lifecycle_notification_new:
 * @container_id: container id
 * @event: event
 *
 * The notification of lifecycle event @event ({Sequence, Event, Time,
 * ExitCode}) of system @container_id, with hcsshim's Type and Operation
 * for it.
 *
 * Returns: (transfer full): the notification body
 */
JsonNode *hcs_protocol_lifecycle_notification_new (const char *container_id, JsonNode *event);

/**
 * hcs_protocol_terminal_modes_diff: (skip)
 * @before: the modes a terminal had
 * @after: the modes it has now
 *
 * SetTerminalModes' Modes for what changed from @before to @after among
 * the fields the message carries (the line discipline's input, output and
 * local flags that a program sets — ICANON, ECHO, ISIG, OPOST, ONLCR,
 * ICRNL, ... —, and the control characters VINTR, VQUIT, VERASE, VKILL,
 * VEOF and their kin), by name, so that both ends need not share the
 * values of the bits.
 *
 * Returns: (transfer full) (nullable): the Modes object, %NULL when
 *     nothing carried changed
 */
JsonNode *hcs_protocol_terminal_modes_diff (const struct termios *before,
                                            const struct termios *after);

/**
 * hcs_protocol_terminal_modes_apply: (skip)
 * @modes: a SetTerminalModes' Modes, from a peer
 * @termios: (inout): the modes to change
 * @error: return location for a #GError
 *
 * Checks @modes whole (an object with Flags, an object of known flag
 * names with booleans, and ControlChars, one of known names with integers
 * 0..255; nothing else), then sets what it names in @termios.
 * HCS_ERROR_INVALID_DATA naming the member otherwise, @termios untouched.
 *
 * Returns: %TRUE when applied
 */
gboolean hcs_protocol_terminal_modes_apply (JsonNode *modes, struct termios *termios,
                                            GError **error);

/**
 * hcs_protocol_check_stdio_fd:
 * @fd: a descriptor a peer gave
 * @stream: 0 (stdin), 1 (stdout) or 2 (stderr)
 * @error: return location for a #GError
 *
 * Whether @fd can be stream @stream of a process: a pipe, a socket, a
 * character device (a terminal, /dev/null) or a regular file, open for
 * reading (stdin) or writing (stdout, stderr), not an O_PATH descriptor.
 * HCS_ERROR_INVALID_DATA naming the stream and what @fd is otherwise.
 *
 * Returns: %TRUE when it can
 */
gboolean hcs_protocol_check_stdio_fd (int fd, guint stream, GError **error);

/**
 * hcs_protocol_stdio_pump_start:
 * @stream: 0 (stdin: @given is read, @relayed written), 1 or 2 (the other
 *     way round)
 * @given: (transfer full): a descriptor given for the stream (a caller's)
 * @relayed: (transfer full): a socket relayed to the process's stream
 *     (a VM's stdio port, hcs_protocol_client_set_stdio_opener)
 *
 * Copies between the two on a thread of its own, with blocking reads and
 * writes, so that a slow reader of @given stalls only this stream. It
 * ends, closing both, at the end of what it reads, a failed write, or the
 * other side's hang-up (the relay ended: the process exited); stdin's end
 * shuts @relayed's write side down, which ends the process's input.
 */
void hcs_protocol_stdio_pump_start (guint stream, int given, int relayed);

/**
 * HcsProtocolConsoleRelay: (skip)
 *
 * A host terminal whose master went to a console socket (runc's
 * --console-socket) and whose slave is relayed to a process's console in a
 * VM: its stdin and stdout streams, and ResizeConsole (hcs-console-relay.c).
 */
typedef struct _HcsProtocolConsoleRelay HcsProtocolConsoleRelay;

/**
 * hcs_protocol_console_relay_new: (skip)
 * @console_socket: an absolute path: the unix socket of the caller's
 *     receiver (never one a guest named)
 * @rows: the initial window size (ConsoleSize[0]), or 0
 * @columns: ConsoleSize[1], or 0
 * @error: return location for a #GError
 *
 * Makes a host pty pair (raw: the guest's pty is the terminal), sends its
 * master over @console_socket with runc's message and keeps no copy of it.
 * Done before the process is made, so that a console that cannot be
 * handed over fails the create with nothing to undo in the guest.
 *
 * Returns: (transfer full) (nullable): the relay, to be started or freed
 */
HcsProtocolConsoleRelay *hcs_protocol_console_relay_new (const char *console_socket,
                                                         guint16 rows, guint16 columns,
                                                         GError **error);

/**
 * hcs_protocol_console_relay_start: (skip)
 * @relay: (transfer full): from hcs_protocol_console_relay_new()
 * @stdin_port: (transfer full): the process's console input stream
 * @stdout_port: (transfer full): its console output stream
 * @process: the process, resized (hcs_process_resize_console()) when the
 *     master's window size changes, and sent SIGHUP when the master closes
 * @error: return location for a #GError
 *
 * Relays, on threads of its own, until the process's output ends; then
 * every descriptor of the terminal is closed, so the master's reader sees
 * the end, and @relay is freed. On error @relay and the ports are closed.
 *
 * Returns: %TRUE when it runs
 */
gboolean hcs_protocol_console_relay_start (HcsProtocolConsoleRelay *relay, int stdin_port,
                                           int stdout_port, HcsProcess *process,
                                           GError **error);

/**
 * hcs_protocol_console_relay_free: (skip)
 * @relay: (nullable): a relay never started
 *
 * Closes the terminal: the receiver of its master sees its end.
 */
void hcs_protocol_console_relay_free (HcsProtocolConsoleRelay *relay);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HcsProtocolConsoleRelay, hcs_protocol_console_relay_free)

G_END_DECLS
