/* test-console-relay.c: the console relay (core/hcs-console-relay.c) on
 * its own, without a VM: a real pty pair and watcher, the two ports as
 * socket pairs whose far ends the test holds, and a process of the test's
 * own that records what the relay asks of it (resizes, signals) and can
 * hold a resize to order the relay's threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "hcs-protocol.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Against a hang only, as test-common.c's console guard. */
#define GUARD_US (G_GINT64_CONSTANT (90) * G_USEC_PER_SEC)

/* --- a process that records ------------------------------------------------------------ */

#define RECORDING_TYPE_PROCESS (recording_process_get_type ())
G_DECLARE_FINAL_TYPE (RecordingProcess, recording_process, RECORDING, PROCESS, GObject)

struct _RecordingProcess
{
  GObject parent_instance;

  GMutex lock;
  GCond changed;
  GArray *signals;       /* int: every signal the relay sent, in order */
  guint16 rows, columns; /* the last size the relay sent */
  guint resizes;
  gboolean hold_resize; /* a resize waits in the relay's thread until cleared */
  gboolean resize_held; /* one waits now */
};

static void recording_process_iface_init (HcsProcessInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RecordingProcess, recording_process, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HCS_TYPE_PROCESS,
                                                      recording_process_iface_init))

static void
recording_process_finalize (GObject *object)
{
  RecordingProcess *self = RECORDING_PROCESS (object);

  g_array_unref (self->signals);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->changed);
  G_OBJECT_CLASS (recording_process_parent_class)->finalize (object);
}

static void
recording_process_class_init (RecordingProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = recording_process_finalize;
}

static void
recording_process_init (RecordingProcess *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->changed);
  self->signals = g_array_new (FALSE, FALSE, sizeof (int));
}

static int
recording_process_get_pid (HcsProcess *process)
{
  return 4242;
}

static gboolean
recording_process_signal (HcsProcess *process, int signum, GError **error)
{
  RecordingProcess *self = RECORDING_PROCESS (process);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  g_array_append_val (self->signals, signum);
  g_cond_broadcast (&self->changed);
  return TRUE;
}

static gboolean
recording_process_resize_console (HcsProcess *process, guint16 width, guint16 height,
                                  GError **error)
{
  RecordingProcess *self = RECORDING_PROCESS (process);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  self->resize_held = self->hold_resize;
  g_cond_broadcast (&self->changed);
  while (self->hold_resize)
    g_cond_wait (&self->changed, &self->lock);
  self->resize_held = FALSE;
  self->rows = height;
  self->columns = width;
  self->resizes++;
  g_cond_broadcast (&self->changed);
  return TRUE;
}

static gboolean
recording_process_wait_timeout (HcsProcess *process, gint64 timeout_ms, GCancellable *cancellable,
                                GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "a recording process never exits");
  return FALSE;
}

static void
recording_process_wait_async (HcsProcess *process, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_task_report_new_error (process, callback, user_data, recording_process_wait_async, HCS_ERROR,
                           HCS_ERROR_NOT_SUPPORTED, "a recording process never exits");
}

static gboolean
recording_process_wait_finish (HcsProcess *process, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
recording_process_get_exit_code (HcsProcess *process, int *exit_code, GError **error)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE, "a recording process never exits");
  return FALSE;
}

static GOutputStream *
recording_process_no_input (HcsProcess *process)
{
  return NULL;
}

static GInputStream *
recording_process_no_output (HcsProcess *process)
{
  return NULL;
}

static gboolean
recording_process_done (HcsProcess *process, GError **error)
{
  return TRUE;
}

static void
recording_process_iface_init (HcsProcessInterface *iface)
{
  iface->get_pid = recording_process_get_pid;
  iface->signal = recording_process_signal;
  iface->resize_console = recording_process_resize_console;
  iface->wait_timeout = recording_process_wait_timeout;
  iface->wait_async = recording_process_wait_async;
  iface->wait_finish = recording_process_wait_finish;
  iface->get_exit_code = recording_process_get_exit_code;
  iface->get_stdin = recording_process_no_input;
  iface->get_stdout = recording_process_no_output;
  iface->get_stderr = recording_process_no_output;
  iface->close_stdin = recording_process_done;
  iface->close = recording_process_done;
}

/* Until @rows x @columns was sent (under the guard). */
static void
expect_size (RecordingProcess *self, guint16 rows, guint16 columns)
{
  gint64 deadline = g_get_monotonic_time () + GUARD_US;
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  while (self->rows != rows || self->columns != columns)
    if (!g_cond_wait_until (&self->changed, &self->lock, deadline))
      g_error ("console relay: the size %ux%u never reached the process (it has %ux%u)", columns,
               rows, self->columns, self->rows);
}

static guint
count_signals (RecordingProcess *self, int signum)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  guint count = 0;

  for (guint i = 0; i < self->signals->len; i++)
    count += g_array_index (self->signals, int, i) == signum;
  return count;
}

/* --- a relay with the test at its far ends ------------------------------------------- */

typedef struct
{
  char *temp_dir;
  char *socket_path;
  int listener;
  int master;      /* the receiver's end (conmon's) */
  int input_peer;  /* what the relay writes to the process's stdin arrives here */
  int output_peer; /* what is written here is the process's output */
  RecordingProcess *process;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->temp_dir = g_dir_make_tmp ("hcs-test-console-relay-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->socket_path = g_build_filename (fixture->temp_dir, "console.sock", NULL);
  fixture->listener = test_console_socket_listen (fixture->socket_path);
  fixture->master = fixture->input_peer = fixture->output_peer = -1;
  fixture->process = g_object_new (RECORDING_TYPE_PROCESS, NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->master >= 0)
    close (fixture->master);
  if (fixture->input_peer >= 0)
    close (fixture->input_peer);
  if (fixture->output_peer >= 0)
    close (fixture->output_peer);
  close (fixture->listener);
  /* Its threads and watcher gone, no pty left open in this process. */
  test_assert_no_console_relays ();
  g_clear_object (&fixture->process);
  g_assert_cmpint (unlink (fixture->socket_path), ==, 0);
  g_assert_cmpint (rmdir (fixture->temp_dir), ==, 0);
  g_free (fixture->socket_path);
  g_free (fixture->temp_dir);
}

/* The relay made (its master arrived), not started. */
static HcsProtocolConsoleRelay *
relay_new (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  HcsProtocolConsoleRelay *relay
      = hcs_protocol_console_relay_new (fixture->socket_path, 24, 80, &error);

  g_assert_no_error (error);
  g_assert_nonnull (relay);
  fixture->master = test_console_socket_receive (fixture->listener, NULL);
  return relay;
}

static void
relay_start (Fixture *fixture, HcsProtocolConsoleRelay *relay)
{
  g_autoptr (GError) error = NULL;
  int input[2], output[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input), ==, 0);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, output), ==, 0);
  fixture->input_peer = input[1];
  fixture->output_peer = output[1];
  g_assert_true (hcs_protocol_console_relay_start (relay, input[0], output[0],
                                                   HCS_PROCESS (fixture->process), &error));
  g_assert_no_error (error);
}

/* Reads @fd until its end of stream (under the guard): all of it. */
static char *
read_to_end (int fd, const char *what)
{
  g_autoptr (GString) all = g_string_new (NULL);
  char buffer[4096];

  for (;;)
    {
      struct pollfd ready = { fd, POLLIN, 0 };
      gssize n;

      if (poll (&ready, 1, GUARD_US / 1000) != 1)
        g_error ("console relay: %s never ended (after %s)", what, all->str);
      n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (all, buffer, n);
    }
  return g_string_free (g_steal_pointer (&all), FALSE);
}

/* This process's threads named @name. */
static guint
count_threads (const char *name)
{
  g_autoptr (GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *task;
  guint count = 0;

  while (tasks != NULL && (task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strstrip (comm), name))
        count++;
    }
  return count;
}

/* --- the tests ------------------------------------------------------------------------ */

/* Output both ways; the process's output ending is the terminal's end
 * (EIO on the master) and no hang-up. */
static void
test_relays_until_output_ends (Fixture *fixture, gconstpointer data)
{
  HcsProtocolConsoleRelay *relay = relay_new (fixture);
  g_autofree char *input = NULL, *output = NULL;

  relay_start (fixture, relay);
  g_assert_cmpint (write (fixture->output_peer, "hello\r\n", 7), ==, 7);
  g_free (test_console_socket_expect (fixture->master, "hello"));
  g_assert_cmpint (write (fixture->master, "typed", 5), ==, 5);
  input = test_console_socket_expect (fixture->input_peer, "typed");
  g_assert_cmpstr (input, ==, "typed");
  g_assert_cmpint (shutdown (fixture->output_peer, SHUT_WR), ==, 0);
  output = test_console_socket_read_to_end (fixture->master);
  g_assert_cmpstr (output, ==, "");
  g_free (read_to_end (fixture->input_peer, "the process's input"));
  g_assert_cmpuint (count_signals (fixture->process, SIGHUP), ==, 0);
}

/* A size set before the relay runs, and one right after its start (before
 * its watcher can be the terminal's session), reach the process with no
 * input after them; so does one long after. */
static void
test_sizes_without_input (Fixture *fixture, gconstpointer data)
{
  HcsProtocolConsoleRelay *relay = relay_new (fixture);

  test_console_socket_set_size (fixture->master, 30, 100);
  relay_start (fixture, relay);
  expect_size (fixture->process, 30, 100);
  test_console_socket_set_size (fixture->master, 40, 120);
  expect_size (fixture->process, 40, 120);
  g_usleep (300 * 1000);
  test_console_socket_set_size (fixture->master, 50, 132);
  expect_size (fixture->process, 50, 132);

  /* Right after a start. */
  close (fixture->master);
  fixture->master = -1;
  g_assert_cmpint (shutdown (fixture->output_peer, SHUT_WR), ==, 0);
  g_free (read_to_end (fixture->input_peer, "the first process's input"));
  close (fixture->input_peer);
  close (fixture->output_peer);
  relay = relay_new (fixture);
  relay_start (fixture, relay);
  test_console_socket_set_size (fixture->master, 41, 121);
  expect_size (fixture->process, 41, 121);
  g_assert_cmpint (shutdown (fixture->output_peer, SHUT_WR), ==, 0);
  g_free (test_console_socket_read_to_end (fixture->master));
}

/* The master closed: SIGHUP once, and the end of the process's input. */
static void
test_hang_up (Fixture *fixture, gconstpointer data)
{
  HcsProtocolConsoleRelay *relay = relay_new (fixture);

  relay_start (fixture, relay);
  close (fixture->master);
  fixture->master = -1;
  g_free (read_to_end (fixture->input_peer, "the process's input"));
  g_assert_cmpuint (count_signals (fixture->process, SIGHUP), ==, 1);
  g_assert_cmpint (shutdown (fixture->output_peer, SHUT_WR), ==, 0);
}

/* The master closed while output is on its way, and the output thread
 * sees it first: its write to the hung-up slave fails and it ends the
 * relay before the input thread read the hang-up (held in a resize
 * here). The process must still get its SIGHUP: without it, a process
 * that waits for its terminal (a shell) runs for ever. This was
 * /lcow/console-socket's hang under load. */
static void
test_hang_up_behind_output (Fixture *fixture, gconstpointer data)
{
  HcsProtocolConsoleRelay *relay = relay_new (fixture);
  RecordingProcess *process = fixture->process;
  struct pollfd ended = { -1, POLLIN, 0 };
  gint64 deadline = g_get_monotonic_time () + GUARD_US;

  relay_start (fixture, relay);
  g_mutex_lock (&process->lock);
  process->hold_resize = TRUE;
  g_mutex_unlock (&process->lock);
  /* A new size, no input (nothing else the input thread would read): it
   * goes to send the size on the watcher's word, its first or a SIGWINCH;
   * the watcher has then closed what it inherited, so the master closed
   * below is the last copy. */
  test_console_socket_set_size (fixture->master, 40, 120);
  g_mutex_lock (&process->lock);
  while (!process->resize_held)
    if (!g_cond_wait_until (&process->changed, &process->lock, deadline))
      g_error ("console relay: the resize never came");
  g_mutex_unlock (&process->lock);

  /* The receiver goes; then output comes, and the output thread ends:
   * the relay closes the output port (its peer reads the end), and the
   * thread is gone once it also told the input thread. */
  close (fixture->master);
  fixture->master = -1;
  g_assert_cmpint (write (fixture->output_peer, "late\r\n", 6), ==, 6);
  ended.fd = fixture->output_peer;
  g_assert_cmpint (poll (&ended, 1, GUARD_US / 1000), ==, 1);
  g_assert_cmpint (ended.revents & (POLLIN | POLLHUP), !=, 0);
  while (count_threads ("hcs-console-out") > 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("console relay: its output thread never ended");
      g_usleep (10 * 1000);
    }

  /* The input thread goes on: both ends at once. */
  g_mutex_lock (&process->lock);
  process->hold_resize = FALSE;
  g_cond_broadcast (&process->changed);
  g_mutex_unlock (&process->lock);
  g_free (read_to_end (fixture->input_peer, "the process's input"));
  g_assert_cmpuint (count_signals (process, SIGHUP), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, function)                                                                        \
  g_test_add ("/console-relay/" path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)
  ADD ("until-output-ends", test_relays_until_output_ends);
  ADD ("sizes-without-input", test_sizes_without_input);
  ADD ("hang-up", test_hang_up);
  ADD ("hang-up-behind-output", test_hang_up_behind_output);
#undef ADD
  return g_test_run ();
}
