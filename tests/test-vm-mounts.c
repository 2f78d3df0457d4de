/* test-vm-mounts.c: an OCI config's mounts in a VM's container
 * (test-vm-mounts.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-vm-mounts.h"

#include <glib/gstdio.h>
#include <string.h>

const char *const test_vm_mounts_argv[] = {
  "sh", "-c",
  "echo from-guest > /rw/made; cat /ro/hello; "
  "if echo no > /ro/denied; then echo wrote; else echo refused; fi; "
  "cat /etc/hcs-file; echo appended >> /etc/hcs-file; "
  "grep -q '^tmpfs /scratch tmpfs' /proc/mounts && echo x > /scratch/y && echo tmpfs",
  NULL
};

static void
add_mount (HcsContainerConfig *config, const char *destination, const char *type,
           const char *source, const char *const *options)
{
  HcsMount *mount = g_new0 (HcsMount, 1);

  if (config->mounts == NULL)
    config->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mount_free);
  mount->destination = g_strdup (destination);
  mount->type = g_strdup (type);
  mount->source = g_strdup (source);
  mount->options = g_strdupv ((char **) options);
  g_ptr_array_add (config->mounts, mount);
}

void
test_vm_mounts_add (TestVmMounts *mounts, const char *temp_dir, HcsContainerConfig *config)
{
  /* As podman writes them: "-v DIR:/rw", "-v DIR:/ro:ro", its /etc files
   * (type bind), a tmpfs. */
  const char *const rw_options[] = { "rbind", "rprivate", NULL };
  const char *const ro_options[] = { "ro", "rbind", "rprivate", NULL };
  const char *const file_options[] = { "bind", "rprivate", NULL };
  const char *const tmpfs_options[] = { "rw", "nosuid", "nodev", "size=1m", NULL };
  g_autofree char *hello = NULL;

  mounts->rw_dir = g_build_filename (temp_dir, "mounts-rw", NULL);
  mounts->ro_dir = g_build_filename (temp_dir, "mounts-ro", NULL);
  mounts->file = g_build_filename (temp_dir, "mounts-file", NULL);
  hello = g_build_filename (mounts->ro_dir, "hello", NULL);
  g_assert_cmpint (g_mkdir (mounts->rw_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (mounts->ro_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (hello, "hello from the host\n", -1, NULL));
  g_assert_true (g_file_set_contents (mounts->file, "a file of the host\n", -1, NULL));
  add_mount (config, "/rw", "bind", mounts->rw_dir, rw_options);
  add_mount (config, "/ro", "bind", mounts->ro_dir, ro_options);
  add_mount (config, "/etc/hcs-file", "bind", mounts->file, file_options);
  add_mount (config, "/scratch", "tmpfs", "tmpfs", tmpfs_options);
}

void
test_vm_mounts_check (TestVmMounts *mounts, const char *out)
{
  g_autofree char *made = g_build_filename (mounts->rw_dir, "made", NULL);
  g_autofree char *denied = g_build_filename (mounts->ro_dir, "denied", NULL);
  g_autofree char *made_text = NULL;
  g_autofree char *file_text = NULL;

  g_assert_cmpstr (out, ==, "hello from the host\nrefused\na file of the host\ntmpfs\n");
  g_assert_true (g_file_get_contents (made, &made_text, NULL, NULL));
  g_assert_cmpstr (made_text, ==, "from-guest\n");
  g_assert_false (g_file_test (denied, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (mounts->file, &file_text, NULL, NULL));
  g_assert_cmpstr (file_text, ==, "a file of the host\nappended\n");
}

static void
assert_refused (HcsHost *host, const char *id, HcsContainerConfig *config, const char *what)
{
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;

  container = hcs_host_create_container (host, id, config, NULL, &error);
  g_assert_null (container);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, what));
}

void
test_vm_mounts_check_refused (TestVmMounts *mounts, HcsHost *host, const char *id,
                              const char *temp_dir, HcsContainerConfig *(*make) (void))
{
  g_autoptr (HcsContainerConfig) other_type = make ();
  g_autoptr (HcsContainerConfig) missing_source = make ();
  g_autofree char *missing = g_build_filename (temp_dir, "no-such-source", NULL);
  g_autofree char *mountinfo = NULL;

  add_mount (other_type, "/m", "bind", mounts->rw_dir, NULL);
  add_mount (other_type, "/n", "ext4", "/dev/vda", NULL);
  assert_refused (host, id, other_type, "mounts[1] (/n): type 'ext4'");
  add_mount (missing_source, "/m", "bind", missing, NULL);
  assert_refused (host, id, missing_source, missing);
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_null (strstr (mountinfo, mounts->rw_dir));
}

void
test_vm_mounts_clear (TestVmMounts *mounts)
{
  g_clear_pointer (&mounts->rw_dir, g_free);
  g_clear_pointer (&mounts->ro_dir, g_free);
  g_clear_pointer (&mounts->file, g_free);
}
