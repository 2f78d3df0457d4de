/* hcs-console-relay.c: a terminal for runc's --console-socket whose
 * other side is a process's console in a VM (hcs-protocol.h).
 *
 * runc hands the console socket the master of the container's own pty. A
 * process in a VM has its pty in the guest, which the host reaches only
 * as two relayed byte streams (its stdin and stdout ports) and a
 * ResizeConsole request. So the host makes a pty pair of its own: the
 * master goes over the console socket (SCM_RIGHTS, runc's message: the
 * pty's name as the payload) and this process keeps no copy of it; the
 * slave is pumped to and from the two ports:
 *
 *   receiver (conmon) <-> master | slave <-> ports <-> the guest's pty
 *
 * Terminal modes. The guest's pty does the line discipline (echo, line
 * editing, signal keys, output translation), so the host's must do none
 * of it, yet the receiver should read and set the modes as on runc's pty.
 * So the slave keeps a fresh pty's modes, the guest pty's own at the
 * start, plus EXTPROC (the kernel then takes input as it comes: no echo,
 * no signals, no line buffering or CR translation, whatever the flags
 * say) and minus OPOST (the guest's output was processed there already).
 * What the receiver changes on its master lands on the slave; the relay
 * compares the slave's modes (tcgetattr: cheap) with what the guest has
 * before it forwards any input, so that input typed after a change is
 * read under it, and every 200 ms, and sends the difference to the guest
 * (SetTerminalModes). OPOST always reads off on the host: setting it is
 * forwarded, clearing it cannot be seen.
 *
 * Window sizes. Whoever holds the master sets the size there
 * (TIOCSWINSZ); the kernel then signals SIGWINCH to the foreground
 * process group of the session whose controlling terminal the slave is.
 * A relay serving many terminals can be the session of none, so each
 * terminal gets a watcher: a child forked from the relay's thread that
 * starts a session, makes the slave its controlling terminal, closes every
 * descriptor (the slave too: it holds the terminal as its session's, not
 * open, so a master's reader still sees the end when the relay closes its
 * own) and writes a byte on a pipe at each SIGWINCH. The relay then reads
 * the size (TIOCGWINSZ) and sends it to the guest. It reads it also
 * before it forwards any input, so that a size set before a write reaches
 * the guest before that write does (the first one: the size the receiver
 * set once it had the master). The watcher ends when the relay closes the
 * pipe (POLLERR on its end), at a hang-up of the terminal, or with the
 * relay's thread (PR_SET_PDEATHSIG); the relay reaps it.
 *
 * The ends, as runc's: the process's output ending (it exited, or its
 * system went) closes every slave descriptor, so the master's reader gets
 * EIO; the master closed (the receiver went) is a hang-up: SIGHUP to the
 * process, as the kernel sends it to a session leader whose terminal hung
 * up, and the end of its input. The output thread can see the hang-up
 * first (its write to the slave fails) and end the relay before the input
 * thread read it; so the end of the output is a hang-up too when the slave
 * says so (POLLHUP), or the process would never learn of it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-config.h"

#include "hcs-protocol.h"
#include "hcs-protocol-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hcs-error.h"

#define RELAY_BUFFER_SIZE 65536

struct _HcsProtocolConsoleRelay
{
  int slave;            /* the host pty's other side, raw; the input thread's */
  int output_slave;     /* a copy the output thread writes to */
  int stdin_port;       /* the process's stdin stream: input is written here */
  int stdout_port;      /* its stdout stream (the guest's pty master's output) */
  int stop[2];          /* the output thread tells the input thread it ended */
  HcsProcess *process;  /* resized and hung up through it */
  guint16 rows, columns; /* the size the guest has (given at create, or sent) */
  struct termios guest; /* the modes the guest's pty has, as far as we set them */
  GThread *output;
};

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

void
hcs_protocol_console_relay_free (HcsProtocolConsoleRelay *relay)
{
  if (relay == NULL)
    return;
  close_fd (&relay->slave);
  close_fd (&relay->output_slave);
  close_fd (&relay->stdin_port);
  close_fd (&relay->stdout_port);
  close_fd (&relay->stop[0]);
  close_fd (&relay->stop[1]);
  g_clear_object (&relay->process);
  g_free (relay);
}

/* runc's message: the pty's name as the payload, the master beside it. */
static gboolean
send_master (const char *console_socket, int master, const char *name, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec data = { (void *) name, strlen (name) };
  struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control,
                            .msg_controllen = sizeof control };
  struct cmsghdr *header = CMSG_FIRSTHDR (&message);
  int sock;
  ssize_t sent;

  if (strlen (console_socket) >= sizeof address.sun_path)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "the console socket path %s is too long", console_socket);
      return FALSE;
    }
  strcpy (address.sun_path, console_socket);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return hcs_set_error_from_errno (error, errno, "the console socket %s", console_socket);
  if (connect (sock, (struct sockaddr *) &address, sizeof address) < 0)
    {
      hcs_set_error_from_errno (error, errno, "connecting to the console socket %s",
                                console_socket);
      close (sock);
      return FALSE;
    }
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (header), &master, sizeof (int));
  do
    sent = sendmsg (sock, &message, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent < 0)
    {
      hcs_set_error_from_errno (error, errno, "sending the console to %s", console_socket);
      close (sock);
      return FALSE;
    }
  close (sock);
  return TRUE;
}

HcsProtocolConsoleRelay *
hcs_protocol_console_relay_new (const char *console_socket, guint16 rows, guint16 columns,
                                GError **error)
{
  g_autoptr (HcsProtocolConsoleRelay) relay = g_new0 (HcsProtocolConsoleRelay, 1);
  struct winsize size = { .ws_row = rows, .ws_col = columns };
  struct termios passing;
  g_autofree char *name = NULL;
  unsigned int number;
  int master;

  relay->slave = relay->output_slave = relay->stdin_port = relay->stdout_port = -1;
  relay->stop[0] = relay->stop[1] = -1;
  if (!g_path_is_absolute (console_socket))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "the console socket %s: not an absolute path", console_socket);
      return NULL;
    }
  /* Never this process's controlling terminal, nor a child's by accident. */
  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return hcs_set_error_from_errno (error, errno, "a terminal for %s: posix_openpt",
                                     console_socket), NULL;
  if (grantpt (master) < 0 || unlockpt (master) < 0 || ioctl (master, TIOCGPTN, &number) < 0 ||
      (relay->slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    {
      hcs_set_error_from_errno (error, errno, "a terminal for %s: its slave", console_socket);
      close (master);
      return NULL;
    }
  name = g_strdup_printf ("/dev/pts/%u", number);
  /* Bytes pass as they are (the guest's pty is the terminal), under the
   * modes the guest's fresh pty has too. */
  if (tcgetattr (relay->slave, &relay->guest) < 0 ||
      (passing = relay->guest, passing.c_lflag |= EXTPROC, passing.c_oflag &= ~OPOST,
       tcsetattr (relay->slave, TCSANOW, &passing)) < 0 ||
      ((rows != 0 || columns != 0) && ioctl (relay->slave, TIOCSWINSZ, &size) < 0))
    {
      hcs_set_error_from_errno (error, errno, "setting up the terminal %s", name);
      close (master);
      return NULL;
    }
  relay->rows = rows;
  relay->columns = columns;
  if (!send_master (console_socket, master, name, error))
    {
      close (master);
      return NULL;
    }
  /* The receiver's now; ours would keep the terminal from ever ending. */
  close (master);
  return g_steal_pointer (&relay);
}

/* --- the watcher ----------------------------------------------------------------------- */

/* In the child of a threaded process: system calls only until _exit. */
static G_NORETURN void
watcher_main (int slave, int notify, pid_t parent)
{
  sigset_t signals;
  int signals_fd;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (0);
  /* The descriptors it needs at 0, 1, 2; none of the process's others
   * (another terminal's slave kept open here would hide that one's end). */
  if (dup2 (slave, 0) < 0 || dup2 (notify, 1) < 0)
    _exit (1);
  sigemptyset (&signals);
  sigaddset (&signals, SIGWINCH);
  sigaddset (&signals, SIGHUP);
  sigaddset (&signals, SIGTERM);
  sigprocmask (SIG_BLOCK, &signals, NULL);
  signals_fd = signalfd (-1, &signals, 0);
  if (signals_fd < 0 || dup2 (signals_fd, 2) < 0)
    _exit (1);
  close_range (3, ~0U, 0);
  if (setsid () < 0 || ioctl (0, TIOCSCTTY, 0) < 0)
    _exit (1);
  close (0);
  fcntl (1, F_SETFL, O_NONBLOCK);
  /* Once for a size set before the terminal was ours. */
  if (write (1, "w", 1) < 0 && errno != EAGAIN)
    _exit (0);
  for (;;)
    {
      struct pollfd fds[2] = { { 2, POLLIN, 0 }, { 1, 0, 0 } };
      struct signalfd_siginfo info;

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          _exit (1);
        }
      /* The relay closed its end, or went. */
      if (fds[1].revents & (POLLERR | POLLHUP | POLLNVAL))
        _exit (0);
      if (!(fds[0].revents & POLLIN))
        continue;
      if (read (2, &info, sizeof info) != sizeof info)
        continue;
      if (info.ssi_signo != SIGWINCH)
        _exit (0);
      /* A byte pending says it all: a full pipe is no loss. */
      if (write (1, "w", 1) < 0 && errno != EAGAIN)
        _exit (0);
    }
}

/* -1 when it could not start: the size then follows the input only. */
static pid_t
start_watcher (HcsProtocolConsoleRelay *relay, int *notify_out)
{
  int notify[2];
  pid_t parent = getpid ();
  pid_t child;

  if (pipe2 (notify, O_CLOEXEC) < 0)
    return -1;
  child = fork ();
  if (child == 0)
    watcher_main (relay->slave, notify[1], parent);
  close (notify[1]);
  if (child < 0)
    {
      g_debug ("console relay: no watcher of window sizes: fork: %s", g_strerror (errno));
      close (notify[0]);
      return -1;
    }
  *notify_out = notify[0];
  return child;
}

/* --- the relay ----------------------------------------------------------------------- */

/* The size on the slave, sent to the guest when it changed. FALSE: one
 * did not go (the process not there yet, or gone), to be tried again. */
static gboolean
sync_size (HcsProtocolConsoleRelay *relay)
{
  struct winsize size;
  g_autoptr (GError) error = NULL;

  if (ioctl (relay->slave, TIOCGWINSZ, &size) < 0 ||
      (size.ws_row == relay->rows && size.ws_col == relay->columns))
    return TRUE;
  if (!hcs_process_resize_console (relay->process, size.ws_col, size.ws_row, &error))
    {
      g_debug ("console relay: process %d: resizing to %ux%u: %s",
               hcs_process_get_pid (relay->process), size.ws_col, size.ws_row, error->message);
      return FALSE;
    }
  relay->rows = size.ws_row;
  relay->columns = size.ws_col;
  return TRUE;
}

/* The modes the receiver set on the slave, sent to the guest when they
 * differ from the guest's; the slave then gets EXTPROC and -OPOST back if
 * they went. FALSE: a change did not go, to be tried again. */
static gboolean
sync_modes (HcsProtocolConsoleRelay *relay)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) changes = NULL;
  struct termios now, wanted;

  if (tcgetattr (relay->slave, &now) < 0)
    return TRUE;
  wanted = now;
  /* The slave's OPOST is always off: only setting it says something. */
  if (!(now.c_oflag & OPOST))
    wanted.c_oflag = (wanted.c_oflag & ~OPOST) | (relay->guest.c_oflag & OPOST);
  if (!(now.c_lflag & EXTPROC) || (now.c_oflag & OPOST))
    {
      struct termios passing = now;

      passing.c_lflag |= EXTPROC;
      passing.c_oflag &= ~OPOST;
      tcsetattr (relay->slave, TCSANOW, &passing);
    }
  changes = hcs_protocol_terminal_modes_diff (&relay->guest, &wanted);
  if (changes == NULL)
    return TRUE;
  if (!hcs_protocol_process_set_terminal_modes (relay->process, changes, &error))
    {
      g_debug ("console relay: process %d: terminal modes: %s",
               hcs_process_get_pid (relay->process), error->message);
      return FALSE;
    }
  relay->guest = wanted;
  return TRUE;
}

/* The guest's output to the terminal, to its end. */
static gpointer
output_main (gpointer data)
{
  HcsProtocolConsoleRelay *relay = data;
  g_autofree char *buffer = g_malloc (RELAY_BUFFER_SIZE);

  for (;;)
    {
      ssize_t n = read (relay->stdout_port, buffer, RELAY_BUFFER_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      /* A failed write: the terminal hung up, and nobody reads. */
      if (n <= 0 || !hcs_protocol_write_all (relay->output_slave, buffer, n))
        break;
    }
  close_fd (&relay->output_slave);
  close_fd (&relay->stdout_port);
  close_fd (&relay->stop[1]);
  return NULL;
}

/* The master closed: the kernel marks the slave so (POLLHUP), whichever
 * thread of the relay noticed first. */
static gboolean
terminal_hung_up (HcsProtocolConsoleRelay *relay)
{
  struct pollfd slave = { relay->slave, POLLIN, 0 };

  return poll (&slave, 1, 0) == 1 && (slave.revents & POLLHUP);
}

/* SIGHUP, as the kernel sends it to a session leader whose terminal hung up. */
static void
hang_up (HcsProtocolConsoleRelay *relay)
{
  g_autoptr (GError) error = NULL;

  if (!hcs_process_signal (relay->process, SIGHUP, &error))
    g_debug ("console relay: process %d: hang-up: %s", hcs_process_get_pid (relay->process),
             error->message);
}

/* The terminal's input to the guest, the sizes, and the end of it all. */
static gpointer
input_main (gpointer data)
{
  HcsProtocolConsoleRelay *relay = data;
  g_autofree char *buffer = g_malloc (RELAY_BUFFER_SIZE);
  int notify = -1;
  pid_t watcher = start_watcher (relay, &notify);
  gboolean hung_up = FALSE, size_pending = FALSE;

  for (;;)
    {
      struct pollfd fds[3] = { { relay->stop[0], POLLIN, 0 },
                               { hung_up ? -1 : relay->slave, POLLIN, 0 },
                               { notify, POLLIN, 0 } };
      /* Every 200 ms the modes are looked at (a change with no input after
       * it still reaches the guest), and, without a watcher (it could not
       * start, or went) or with a size that did not go, the size: a resize
       * with no input after it is never lost. */
      int ready = poll (fds, 3, !hung_up || notify < 0 || size_pending ? 200 : -1);
      ssize_t n;

      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (ready == 0)
        {
          if (notify < 0 || size_pending)
            size_pending = !sync_size (relay);
          if (!hung_up)
            sync_modes (relay);
          continue;
        }
      /* The output ended: the process exited, or its system went; or the
       * output thread's write failed on a master closed before we read the
       * slave's end here, a hang-up all the same. */
      if (fds[0].revents != 0)
        {
          if (!hung_up && terminal_hung_up (relay))
            {
              g_debug ("console relay: process %d: its terminal hung up as its output ended",
                       hcs_process_get_pid (relay->process));
              hang_up (relay);
            }
          break;
        }
      if (fds[2].revents & POLLIN)
        {
          char bytes[64];

          if (read (notify, bytes, sizeof bytes) > 0)
            size_pending = !sync_size (relay);
        }
      else if (fds[2].revents != 0)
        close_fd (&notify);
      if (fds[1].revents == 0)
        continue;
      n = read (relay->slave, buffer, RELAY_BUFFER_SIZE);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n > 0)
        {
          /* The size and modes first: they were set before this was
           * written. */
          size_pending = !sync_size (relay);
          sync_modes (relay);
          if (hcs_protocol_write_all (relay->stdin_port, buffer, n))
            continue;
        }
      /* EIO: the master is closed, the receiver gone; its output then has
       * nowhere to go. */
      if (n <= 0)
        hang_up (relay);
      hung_up = TRUE;
      shutdown (relay->stdin_port, SHUT_WR);
    }
  close_fd (&notify);
  if (watcher > 0)
    {
      /* It ends at the pipe's closing. */
      while (waitpid (watcher, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  /* The last slave goes: the master's reader sees the end. */
  close_fd (&relay->slave);
  shutdown (relay->stdin_port, SHUT_WR);
  g_thread_join (relay->output);
  relay->output = NULL;
  hcs_protocol_console_relay_free (relay);
  return NULL;
}

gboolean
hcs_protocol_console_relay_start (HcsProtocolConsoleRelay *relay, int stdin_port,
                                  int stdout_port, HcsProcess *process, GError **error)
{
  sigset_t all, saved;

  relay->stdin_port = stdin_port;
  relay->stdout_port = stdout_port;
  relay->process = g_object_ref (process);
  if (pipe2 (relay->stop, O_CLOEXEC) < 0 ||
      (relay->output_slave = fcntl (relay->slave, F_DUPFD_CLOEXEC, 3)) < 0)
    {
      hcs_set_error_from_errno (error, errno, "relaying the console of process %d",
                                hcs_process_get_pid (process));
      hcs_protocol_console_relay_free (relay);
      return FALSE;
    }
  /* The threads take no signal (a write to a closed reader fails with
   * EPIPE, never SIGPIPE); the watcher starts from this mask too. */
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, &saved);
  relay->output = g_thread_new ("hcs-console-out", output_main, relay);
  g_thread_unref (g_thread_new ("hcs-console-in", input_main, relay));
  pthread_sigmask (SIG_SETMASK, &saved, NULL);
  return TRUE;
}
