/* hcs-runtime-console.h: a pty master sent over a unix socket, as runc's
 * --console-socket protocol has it (one message whose data is the pty's
 * name and whose SCM_RIGHTS carries the master). Shared by the plugin and
 * the statically linked helper, so header-only and libc-only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <string.h>
#include <sys/socket.h>

/* Returns what sendmsg returns (errno set on failure). */
static inline ssize_t
hcs_runtime_console_send (int sock, int master_fd, const char *name)
{
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int))];
  } control;
  struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen (name) };
  struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = control.buffer,
                            .msg_controllen = sizeof control.buffer };
  struct cmsghdr *cmsg;

  memset (&control, 0, sizeof control);
  cmsg = CMSG_FIRSTHDR (&message);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &master_fd, sizeof (int));
  return sendmsg (sock, &message, MSG_NOSIGNAL);
}
