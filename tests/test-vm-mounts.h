/* test-vm-mounts.h: an OCI config's mounts in a VM's container, the same
 * checks for lcow and xenon (tests/test-lcow.c, tests/test-xenon.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs.h"

G_BEGIN_DECLS

typedef struct
{
  char *rw_dir;    /* bound read-write at /rw: the container writes "made" */
  char *ro_dir;    /* bound read-only at /ro: holds "hello", refuses writes */
  char *file;      /* bound (a file) at /etc/hcs-file: read, then appended to */
} TestVmMounts;

/* The container's command: writes through the rw bind, tries the ro one,
 * reads and appends to the file bind, and uses a tmpfs at /scratch. */
extern const char *const test_vm_mounts_argv[];

/* Makes the host's side under @temp_dir and adds the mounts (the three
 * binds, a tmpfs) to @config, as podman's config.json has them. */
void test_vm_mounts_add (TestVmMounts *mounts, const char *temp_dir,
                         HcsContainerConfig *config);
/* Checks the container's output and what it left on the host. */
void test_vm_mounts_check (TestVmMounts *mounts, const char *out);
/* Creates of configurations from @make on @host refused, naming the
 * mount, and leaving no bind: another type than a bind or a kernel file
 * system (after a bind of @mounts' folder, which is undone), a missing
 * source. */
void test_vm_mounts_check_refused (TestVmMounts *mounts, HcsHost *host, const char *id,
                                   const char *temp_dir, HcsContainerConfig *(*make) (void));
void test_vm_mounts_clear (TestVmMounts *mounts);

G_END_DECLS
