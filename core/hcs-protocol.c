/* hcs-protocol.c: names and body helpers of the compute-system protocol.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-protocol.h"
#include "hcs-protocol-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hcs-error.h"

static const struct {
  guint32 type;
  const char *name;
} message_names[] = {
  { HCS_PROTOCOL_CREATE, "Create" },
  { HCS_PROTOCOL_START, "Start" },
  { HCS_PROTOCOL_SHUTDOWN_GRACEFUL, "ShutdownGraceful" },
  { HCS_PROTOCOL_SHUTDOWN_FORCED, "ShutdownForced" },
  { HCS_PROTOCOL_EXECUTE_PROCESS, "ExecuteProcess" },
  { HCS_PROTOCOL_WAIT_FOR_PROCESS, "WaitForProcess" },
  { HCS_PROTOCOL_SIGNAL_PROCESS, "SignalProcess" },
  { HCS_PROTOCOL_RESIZE_CONSOLE, "ResizeConsole" },
  { HCS_PROTOCOL_GET_PROPERTIES, "GetProperties" },
  { HCS_PROTOCOL_MODIFY_SETTINGS, "ModifySettings" },
  { HCS_PROTOCOL_NEGOTIATE_PROTOCOL, "NegotiateProtocol" },
  { HCS_PROTOCOL_DUMP_STACKS, "DumpStacks" },
  { HCS_PROTOCOL_DELETE_CONTAINER_STATE, "DeleteContainerState" },
  { HCS_PROTOCOL_UPDATE_CONTAINER, "UpdateContainer" },
  { HCS_PROTOCOL_PAUSE, "Pause" },
  { HCS_PROTOCOL_RESUME, "Resume" },
  { HCS_PROTOCOL_WAIT_FOR_CONTAINER, "WaitForContainer" },
  { HCS_PROTOCOL_OPEN_CONTAINER, "OpenContainer" },
  { HCS_PROTOCOL_STDIO_HELLO, "StdioHello" },
  { HCS_PROTOCOL_STDIO_DESCRIPTORS, "StdioDescriptors" },
  { HCS_PROTOCOL_SET_TERMINAL_MODES, "SetTerminalModes" },
  { HCS_PROTOCOL_LIFECYCLE_NOTIFICATION, "LifecycleNotification" },
};

/* --- SetTerminalModes ------------------------------------------------------------ */

typedef enum { INPUT_FLAGS, OUTPUT_FLAGS, LOCAL_FLAGS } FlagField;

/* What programs set on a terminal (stty's names): the line discipline's
 * behaviour, not the line's (speed, parity, which a pty has none of). */
static const struct {
  const char *name;
  FlagField field;
  tcflag_t flag;
} terminal_flags[] = {
  { "ICRNL", INPUT_FLAGS, ICRNL },   { "INLCR", INPUT_FLAGS, INLCR },
  { "IGNCR", INPUT_FLAGS, IGNCR },   { "ISTRIP", INPUT_FLAGS, ISTRIP },
  { "IXON", INPUT_FLAGS, IXON },     { "IXOFF", INPUT_FLAGS, IXOFF },
  { "IXANY", INPUT_FLAGS, IXANY },   { "IMAXBEL", INPUT_FLAGS, IMAXBEL },
  { "IUTF8", INPUT_FLAGS, IUTF8 },   { "OPOST", OUTPUT_FLAGS, OPOST },
  { "ONLCR", OUTPUT_FLAGS, ONLCR },  { "OCRNL", OUTPUT_FLAGS, OCRNL },
  { "ONOCR", OUTPUT_FLAGS, ONOCR },  { "ONLRET", OUTPUT_FLAGS, ONLRET },
  { "ISIG", LOCAL_FLAGS, ISIG },     { "ICANON", LOCAL_FLAGS, ICANON },
  { "ECHO", LOCAL_FLAGS, ECHO },     { "ECHOE", LOCAL_FLAGS, ECHOE },
  { "ECHOK", LOCAL_FLAGS, ECHOK },   { "ECHONL", LOCAL_FLAGS, ECHONL },
  { "ECHOCTL", LOCAL_FLAGS, ECHOCTL }, { "ECHOKE", LOCAL_FLAGS, ECHOKE },
  { "NOFLSH", LOCAL_FLAGS, NOFLSH }, { "TOSTOP", LOCAL_FLAGS, TOSTOP },
  { "IEXTEN", LOCAL_FLAGS, IEXTEN },
};

static const struct {
  const char *name;
  guint index;
} terminal_chars[] = {
  { "VINTR", VINTR },   { "VQUIT", VQUIT },     { "VERASE", VERASE }, { "VKILL", VKILL },
  { "VEOF", VEOF },     { "VEOL", VEOL },       { "VEOL2", VEOL2 },   { "VSTART", VSTART },
  { "VSTOP", VSTOP },   { "VSUSP", VSUSP },     { "VREPRINT", VREPRINT },
  { "VWERASE", VWERASE }, { "VLNEXT", VLNEXT }, { "VDISCARD", VDISCARD },
};

static tcflag_t *
flag_field (struct termios *termios, FlagField field)
{
  switch (field)
    {
    case INPUT_FLAGS: return &termios->c_iflag;
    case OUTPUT_FLAGS: return &termios->c_oflag;
    default: return &termios->c_lflag;
    }
}

JsonNode *
hcs_protocol_terminal_modes_diff (const struct termios *before, const struct termios *after)
{
  g_autoptr (JsonObject) flags = json_object_new ();
  g_autoptr (JsonObject) chars = json_object_new ();
  JsonObject *modes;
  JsonNode *node;

  for (gsize i = 0; i < G_N_ELEMENTS (terminal_flags); i++)
    {
      tcflag_t was = *flag_field ((struct termios *) before, terminal_flags[i].field);
      tcflag_t is = *flag_field ((struct termios *) after, terminal_flags[i].field);

      if ((was ^ is) & terminal_flags[i].flag)
        json_object_set_boolean_member (flags, terminal_flags[i].name,
                                        (is & terminal_flags[i].flag) != 0);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (terminal_chars); i++)
    if (before->c_cc[terminal_chars[i].index] != after->c_cc[terminal_chars[i].index])
      json_object_set_int_member (chars, terminal_chars[i].name,
                                  after->c_cc[terminal_chars[i].index]);
  if (json_object_get_size (flags) == 0 && json_object_get_size (chars) == 0)
    return NULL;
  modes = json_object_new ();
  json_object_set_object_member (modes, "Flags", g_steal_pointer (&flags));
  json_object_set_object_member (modes, "ControlChars", g_steal_pointer (&chars));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, modes);
  return node;
}

static gboolean
modes_error (GError **error, const char *what, const char *name)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "protocol: SetTerminalModes: %s%s%s",
               what, name ? ": " : "", name ? name : "");
  return FALSE;
}

static JsonObject *
modes_member (JsonObject *modes, const char *name, GError **error)
{
  JsonNode *node = json_object_get_member (modes, name);

  if (node == NULL)
    return json_object_new ();
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return modes_error (error, "expected an object", name), NULL;
  return json_object_ref (json_node_get_object (node));
}

gboolean
hcs_protocol_terminal_modes_apply (JsonNode *node, struct termios *termios, GError **error)
{
  g_autoptr (JsonObject) flags = NULL;
  g_autoptr (JsonObject) chars = NULL;
  struct termios changed = *termios;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  JsonObject *modes;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return modes_error (error, "Modes: expected an object", NULL);
  modes = json_node_get_object (node);
  json_object_iter_init (&iter, modes);
  while (json_object_iter_next (&iter, &name, &value))
    if (!g_str_equal (name, "Flags") && !g_str_equal (name, "ControlChars"))
      return modes_error (error, "Modes: unknown member", name);
  if ((flags = modes_member (modes, "Flags", error)) == NULL ||
      (chars = modes_member (modes, "ControlChars", error)) == NULL)
    return FALSE;

  json_object_iter_init (&iter, flags);
  while (json_object_iter_next (&iter, &name, &value))
    {
      gsize i;

      for (i = 0; i < G_N_ELEMENTS (terminal_flags); i++)
        if (g_str_equal (name, terminal_flags[i].name))
          break;
      if (i == G_N_ELEMENTS (terminal_flags))
        return modes_error (error, "Flags: unknown flag", name);
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        return modes_error (error, "Flags: expected a boolean", name);
      if (json_node_get_boolean (value))
        *flag_field (&changed, terminal_flags[i].field) |= terminal_flags[i].flag;
      else
        *flag_field (&changed, terminal_flags[i].field) &= ~terminal_flags[i].flag;
    }
  json_object_iter_init (&iter, chars);
  while (json_object_iter_next (&iter, &name, &value))
    {
      gsize i;
      gint64 byte;

      for (i = 0; i < G_N_ELEMENTS (terminal_chars); i++)
        if (g_str_equal (name, terminal_chars[i].name))
          break;
      if (i == G_N_ELEMENTS (terminal_chars))
        return modes_error (error, "ControlChars: unknown control character", name);
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
          (byte = json_node_get_int (value)) < 0 || byte > 255)
        return modes_error (error, "ControlChars: expected an integer 0..255", name);
      changed.c_cc[terminal_chars[i].index] = (cc_t) byte;
    }
  *termios = changed;
  return TRUE;
}

const char *
hcs_protocol_message_name (guint32 type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (message_names); i++)
    if (message_names[i].type == type)
      return message_names[i].name;
  return NULL;
}

/* json_node_init_object() would take a reference of its own. */
static JsonNode *
new_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

JsonNode *
hcs_protocol_request_new (const char *container_id)
{
  JsonNode *node = new_object_node ();

  json_object_set_string_member (json_node_get_object (node), "ContainerId",
                                 container_id ? container_id : "");
  return node;
}

void
hcs_protocol_set_document (JsonObject *object, const char *member, JsonNode *document)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, document);
  text = json_generator_to_data (generator, NULL);
  json_object_set_string_member (object, member, text);
}

JsonNode *
hcs_protocol_get_document (JsonObject *object, const char *member, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_ref (node);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: %s: missing, or not a JSON document in a string", member);
      return NULL;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json_node_get_string (node), -1, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_JSON, "protocol: %s: not a JSON object%s%s",
                   member, local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

const char *
hcs_protocol_get_string (JsonObject *object, const char *what, const char *member,
                         GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: %s: %s is missing or not a string", what, member);
      return NULL;
    }
  return json_node_get_string (node);
}

gboolean
hcs_protocol_get_uint (JsonObject *object, const char *what, const char *member, guint64 max,
                       guint64 *value, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 number;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: %s: %s is missing or not an integer", what, member);
      return FALSE;
    }
  number = json_node_get_int (node);
  if (number < 0 || (guint64) number > max)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "protocol: %s: %s %" G_GINT64_FORMAT " is out of range (0-%" G_GUINT64_FORMAT
                   ")", what, member, number, max);
      return FALSE;
    }
  *value = (guint64) number;
  return TRUE;
}

static const char *const stdio_members[3] = { "StdIn", "StdOut", "StdErr" };

void
hcs_protocol_stdio_relay_to_object (const HcsProtocolStdioRelay *relay, JsonObject *object)
{
  for (int i = 0; i < 3; i++)
    if (relay->ports[i] != 0)
      json_object_set_int_member (object, stdio_members[i], relay->ports[i]);
}

gboolean
hcs_protocol_stdio_relay_from_object (JsonObject *object, HcsProtocolStdioRelay *relay,
                                      GError **error)
{
  *relay = (HcsProtocolStdioRelay) { { 0 } };
  for (int i = 0; object != NULL && i < 3; i++)
    {
      guint64 port;

      if (!json_object_has_member (object, stdio_members[i]))
        continue;
      if (!hcs_protocol_get_uint (object, "VsockStdioRelaySettings", stdio_members[i],
                                  G_MAXUINT32, &port, error))
        return FALSE;
      relay->ports[i] = (guint32) port;
      for (int j = 0; j < i; j++)
        if (port != 0 && relay->ports[j] == port)
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                         "protocol: VsockStdioRelaySettings: %s and %s are both port %u",
                         stdio_members[j], stdio_members[i], (guint32) port);
            return FALSE;
          }
    }
  return TRUE;
}

JsonNode *
hcs_protocol_properties_query_new (const char *const *property_types)
{
  JsonNode *node = new_object_node ();
  JsonArray *types = json_array_new ();

  for (gsize i = 0; property_types != NULL && property_types[i] != NULL; i++)
    json_array_add_string_element (types, property_types[i]);
  json_object_set_array_member (json_node_get_object (node), "PropertyTypes", types);
  return node;
}

JsonNode *
hcs_protocol_lifecycle_notification_new (const char *container_id, JsonNode *event)
{
  JsonNode *node = hcs_protocol_request_new (container_id);
  JsonObject *object = json_node_get_object (node);
  JsonObject *details = json_node_get_object (event);
  const char *name = json_object_get_string_member_with_default (details, "Event", "");
  /* hcsshim's NotificationType and ActiveOperation for each event. */
  static const struct {
    const char *event, *type, *operation;
  } kinds[] = {
    { "create", "Constructed", "Construct" }, { "start", "Started", "Start" },
    { "pause", "Paused", "Pause" },           { "resume", "None", "Resume" },
    { "exit", "UnexpectedExit", "None" },     { "delete", "None", "None" },
  };
  const char *type = "Unknown", *operation = "None";

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].event, name))
      {
        type = kinds[i].type;
        operation = kinds[i].operation;
      }
  json_object_set_string_member (object, "Type", type);
  json_object_set_string_member (object, "Operation", operation);
  /* As hcsshim's guest: an exit's code is the notification's Result. */
  json_object_set_int_member (object, "Result",
                              json_object_get_int_member_with_default (details, "ExitCode", 0));
  json_object_set_int_member (object, "Sequence",
                              json_object_get_int_member_with_default (details, "Sequence", 0));
  json_object_set_string_member (object, "Event", name);
  json_object_set_int_member (object, "Time",
                              json_object_get_int_member_with_default (details, "Time", 0));
  if (json_object_has_member (details, "ExitCode"))
    json_object_set_int_member (object, "ExitCode",
                                json_object_get_int_member (details, "ExitCode"));
  return node;
}

gboolean
hcs_protocol_check_stdio_fd (int fd, guint stream, GError **error)
{
  static const char *const names[] = { "stdin", "stdout", "stderr" };
  struct stat st;
  int flags, mode;
  const char *what = NULL;

  g_return_val_if_fail (stream < 3, FALSE);
  if (fstat (fd, &st) < 0 || (flags = fcntl (fd, F_GETFL)) < 0)
    what = "not an open descriptor";
  else if ((flags & O_PATH) == O_PATH)
    what = "an O_PATH descriptor";
  else if (!S_ISFIFO (st.st_mode) && !S_ISSOCK (st.st_mode) && !S_ISCHR (st.st_mode) &&
           !S_ISREG (st.st_mode))
    what = S_ISDIR (st.st_mode) ? "a folder" : S_ISBLK (st.st_mode) ? "a block device"
                                                                      : "of an unknown type";
  else if ((mode = flags & O_ACCMODE) != O_RDWR &&
           mode != (stream == 0 ? O_RDONLY : O_WRONLY))
    what = stream == 0 ? "not open for reading" : "not open for writing";
  if (what == NULL)
    return TRUE;
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
               "protocol: StdioDescriptors: the %s descriptor is %s", names[stream], what);
  return FALSE;
}

typedef struct {
  guint stream;
  int from, to;
} Pump;

gboolean
hcs_protocol_write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

static gpointer
pump_main (gpointer data)
{
  Pump *pump = data;
  g_autofree char *buffer = g_malloc (65536);
  struct pollfd fds[2] = { { pump->from, POLLIN, 0 }, { pump->to, 0, 0 } };
  sigset_t all;

  /* A reader of @to that went makes write() fail with EPIPE here, never
   * a SIGPIPE that ends the process. */
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, NULL);
  for (;;)
    {
      ssize_t n;

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      /* The other side hung up: nobody reads what would come. */
      if (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL))
        break;
      if (fds[0].revents == 0)
        continue;
      n = read (pump->from, buffer, 65536);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0 || !hcs_protocol_write_all (pump->to, buffer, n))
        break;
    }
  if (pump->stream == 0)
    shutdown (pump->to, SHUT_WR);
  close (pump->from);
  close (pump->to);
  g_free (pump);
  return NULL;
}

void
hcs_protocol_stdio_pump_start (guint stream, int given, int relayed)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->stream = stream;
  pump->from = stream == 0 ? given : relayed;
  pump->to = stream == 0 ? relayed : given;
  g_thread_unref (g_thread_new ("hcs-stdio-pump", pump_main, pump));
}
