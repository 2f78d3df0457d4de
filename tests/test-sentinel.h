/* test-sentinel.h: hcs-sentinel under a subreaper, as conmon has it: the
 * same checks for lcow and xenon (tests/test-lcow-held.c,
 * tests/test-xenon-held.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* runc's verbs through $HCSCTL --options @options_path on bundles under
 * @temp_dir whose annotation io.hcs.isolation is @isolation: create
 * --pid-file gives a host process reparented to us (a subreaper) that
 * `state` reports; it exits 7 as the workload does, is WIFSIGNALED by
 * SIGKILL after `kill KILL`, forwards a SIGTERM sent to it, ends with a
 * delete --force. exec --detach --pid-file gives one too, which made the
 * process (its code, a short one's, a forwarded SIGTERM; a missing binary
 * fails leaving none). No sentinel is left. */
void test_sentinel_lifecycle (const char *options_path, const char *temp_dir,
                              const char *isolation);

G_END_DECLS
