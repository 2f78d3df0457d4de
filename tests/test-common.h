/* test-common.h: what every suite shares: temporary folders, the busybox
 * root, and the check that nothing of a test is left on the machine.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

/* A fresh folder under /tmp, removed (after unmounting nothing: a test
 * that leaves a mount there fails) by test_remove_tree. */
char *test_make_temp_dir (const char *prefix);
void test_remove_tree (const char *path);
/* The busybox root, built once per run in a folder shared by the suite. */
const char *test_get_busybox_rootfs (void);
/* Runtime options for a test: [host] state-dir in a temp folder, [argon]
 * cgroup-parent "hcs-test-PID" so the test's cgroups are its own. */
GKeyFile *test_make_options (const char *temp_dir);
const char *test_get_cgroup_parent (void);
/* A v2 hierarchy to test on: the root itself on a v2 host, the unified
 * mount of a hybrid one. NULL when there is none. */
const char *test_find_v2_root (void);
/* Fails the test when a mount below @path, or a cgroup of this run's
 * parent with children, remains. */
void test_assert_no_leftovers (const char *path);
/* Every system was removed: @state_root's "systems" folder is missing or
 * empty. */
void test_assert_no_state_folders (const char *state_root);
/* Removes this run's (empty) cgroup parent directories. */
void test_cleanup_cgroup_parent (void);
/* Everything up to @stream's end, NUL-terminated; "" for no stream. */
char *test_read_all (GInputStream *stream);
/* How many QEMU processes are this process's live children; @pid_out
 * (nullable) gets one of them. */
guint test_find_child_qemus (GPid *pid_out);

/* runc's --console-socket from the receiving side (conmon's): a unix
 * socket listening at @path. */
int test_console_socket_listen (const char *path);
/* The pty master that arrived on @listener (runc's message), its name in
 * @name_out (nullable). */
int test_console_socket_receive (int listener, char **name_out);
/* Sets the window size on @master, as a receiver does (TIOCSWINSZ). */
void test_console_socket_set_size (int master, guint16 rows, guint16 columns);
/* Reads @master until @needle appeared (a guard of minutes against a
 * hang, no timing): all read so far. */
char *test_console_socket_expect (int master, const char *needle);
/* Reads @master to its end (EIO: no slave open any more): all of it. */
char *test_console_socket_read_to_end (int master);
/* Waits for @subprocess to end (a guard of minutes against a hang: past
 * it the test fails naming @what); its exit status, -1 for a signal. */
int test_subprocess_wait_guarded (GSubprocess *subprocess, const char *what);
/* The console relays of this process (hcs-console-relay.c): their
 * threads and forked window-size watchers, once they ended (a guard of
 * minutes); then whether any descriptor of this process is a pty. */
void test_assert_no_console_relays (void);
/* A console socket through the API (hcs-console-relay.c): the init of a
 * new system @id from @config (its process replaced) and processes exec'd
 * in it send their terminals to @socket_path; sizes, input, output, a
 * hang-up, exit codes; a socket nobody listens on fails; the system is
 * removed and nothing of the relays is left in this process. */
void test_console_socket_api (HcsHost *host, HcsContainerConfig *config, const char *id,
                              const char *socket_path);
/* runc's verbs with a terminal, each an hcsctl of its own as podman and
 * conmon drive them: create --console-socket (the master arrives before
 * create returns), start, input and sizes through the master, exec -t
 * --console-socket in the foreground (its exit code), kill, the init's
 * console ending, delete. @annotations: config.json's, a JSON object. */
void test_console_socket_runc_verbs (const char *options_path, const char *bundle,
                                     const char *annotations, const char *id,
                                     GFunc while_running, gpointer data);
