/* vm-template.c: saved VMs to start from instead of booting (vm-template.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-template.h"

#include "hcs-error.h"
#include "vm-guest.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file's identity for the key: its size and modification time (reading
 * a 14 MB initramfs on every create would cost more than it saves). */
static gboolean
add_file (GChecksum *checksum, const char *what, const char *path, GError **error)
{
  struct stat st;
  g_autofree char *line = NULL;

  if (stat (path, &st) < 0)
    return hcs_set_error_from_errno (error, errno, "vm template: %s %s", what, path), FALSE;
  line = g_strdup_printf ("%s %s %lld %lld.%09ld\n", what, path, (long long) st.st_size,
                          (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  g_checksum_update (checksum, (const guchar *) line, -1);
  return TRUE;
}

static void
add_text (GChecksum *checksum, const char *what, const char *text)
{
  g_autofree char *line = g_strdup_printf ("%s %s\n", what, text ? text : "");

  g_checksum_update (checksum, (const guchar *) line, -1);
}

static char *
short_digest (GChecksum *checksum)
{
  return g_strndup (g_checksum_get_string (checksum), 16);
}

char *
vm_template_name (const VmConfig *config, GError **error)
{
  g_autoptr (GChecksum) shape = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr (GChecksum) contents = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *qemu = NULL;
  g_autofree char *numbers = NULL;
  g_autofree char *shape_digest = NULL;
  g_autofree char *contents_digest = NULL;
  VmAccel accel;

  if (!vm_config_validate (config, error) || !vm_accel_resolve (config->accel, &accel, error))
    return NULL;
  qemu = g_find_program_in_path (config->qemu ? config->qemu : "qemu-system-x86_64");
  if (qemu == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "vm template: %s is not installed",
                   config->qemu ? config->qemu : "qemu-system-x86_64");
      return NULL;
    }
  add_text (shape, "kernel", config->kernel);
  add_text (shape, "initrd", config->initrd);
  add_text (shape, "append", config->append);
  numbers = g_strdup_printf ("%d %u %u", config->machine_type, config->memory_mb,
                             config->processors);
  add_text (shape, "machine memory processors", numbers);
  for (guint i = 0; i < config->boot_ports->len; i++)
    add_text (shape, "port", config->boot_ports->pdata[i]);
  /* Devices, not what is behind them: a clone puts its own files behind
   * the template's disks and shares. Nothing is added when there are none,
   * so templates made before disks existed keep their names. */
  for (guint i = 0; i < config->disks->len; i++)
    {
      const VmDisk *disk = config->disks->pdata[i];
      g_autofree char *line = g_strdup_printf ("%s %s %" G_GUINT64_FORMAT, disk->name,
                                               disk->read_only ? "ro" : "rw", disk->size);

      add_text (shape, "disk", line);
    }
  for (guint i = 0; i < config->nics->len; i++)
    add_text (shape, "nic", ((VmNic *) config->nics->pdata[i])->name);
  for (guint i = 0; i < config->shares->len; i++)
    {
      const VmShare *share = config->shares->pdata[i];
      g_autofree char *line = g_strdup_printf ("%s %s", share->tag,
                                               share->read_only ? "ro" : "rw");

      add_text (shape, "share", line);
    }

  add_text (contents, "accel", accel == VM_ACCEL_KVM ? "kvm" : "tcg");
  /* What the library adds for the accelerator: a template booted with
   * other parameters or another CPU model is stale. */
  add_text (contents, "cpu", vm_accel_cpu_model (accel));
  add_text (contents, "guest parameters", vm_accel_guest_parameters (accel));
  if (!add_file (contents, "qemu", qemu, error) ||
      !add_file (contents, "kernel", config->kernel, error) ||
      (config->initrd != NULL && !add_file (contents, "initrd", config->initrd, error)))
    return NULL;
  shape_digest = short_digest (shape);
  contents_digest = short_digest (contents);
  return g_strdup_printf ("%s-%s", shape_digest, contents_digest);
}

VmConfig *
vm_template_clone_config (const VmConfig *config, const char *template_dir)
{
  VmConfig *clone = vm_config_copy (config);

  g_free (clone->memory_path);
  clone->memory_path = g_build_filename (template_dir, VM_TEMPLATE_RAM, NULL);
  clone->memory_shared = FALSE;
  clone->incoming = TRUE;
  /* The guest unpacked it long ago, in the template's RAM: QEMU would
   * read it and hold it in fw_cfg (its heap: resident in every clone)
   * for nothing. The kernel stays: it decides the option ROM, a RAM
   * block the saved state names. */
  g_clear_pointer (&clone->initrd, g_free);
  return clone;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

/* Templates of the same shape made from other contents are stale; one in
 * use by a clone is mapped already and stays valid for it. */
static void
remove_stale (const char *templates_dir, const char *name)
{
  g_autoptr (GDir) dir = g_dir_open (templates_dir, 0, NULL);
  g_autofree char *prefix = g_strndup (name, strcspn (name, "-") + 1);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (entry, prefix) || g_str_has_prefix (entry, name) ||
          g_str_has_suffix (entry, ".lock"))
        continue;
      path = g_build_filename (templates_dir, entry, NULL);
      remove_tree (path);
    }
}

static gboolean
make_template (const char *templates_dir, const char *name, const VmConfig *config,
               const char *label, guint timeout_s, VmTemplateWarmFunc warm, gpointer warm_data,
               GError **error)
{
  g_autofree char *pattern = g_strdup_printf (".%s-XXXXXX", name);
  g_autofree char *work = g_build_filename (templates_dir, pattern, NULL);
  g_autofree char *final = g_build_filename (templates_dir, name, NULL);
  g_autofree char *state = NULL;
  g_autoptr (VmConfig) template_config = vm_config_copy (config);
  g_autoptr (VmGuest) guest = NULL;

  if (g_mkdtemp (work) == NULL)
    return hcs_set_error_from_errno (error, errno, "vm template: creating %s", work), FALSE;
  g_free (template_config->memory_path);
  template_config->memory_path = g_build_filename (work, VM_TEMPLATE_RAM, NULL);
  template_config->memory_shared = TRUE;
  template_config->incoming = FALSE;
  state = g_build_filename (work, VM_TEMPLATE_STATE, NULL);
  guest = vm_guest_start (template_config, label, NULL, timeout_s, error);
  if (guest == NULL || (warm != NULL && !warm (guest, warm_data, error)) ||
      !vm_guest_save (guest, state, error))
    {
      g_prefix_error (error, "vm template %s: ", name);
      if (guest != NULL)
        vm_guest_stop (guest, 0);
      remove_tree (work);
      return FALSE;
    }
  /* Saved and stopped: the RAM is in its file, nothing else is needed. */
  vm_guest_stop (guest, 0);
  if (g_rename (work, final) < 0)
    {
      int saved_errno = errno;

      remove_tree (work);
      return hcs_set_error_from_errno (error, saved_errno, "vm template: renaming %s to %s",
                                       work, final), FALSE;
    }
  remove_stale (templates_dir, name);
  return TRUE;
}

static gboolean
template_complete (const char *path)
{
  g_autofree char *state = g_build_filename (path, VM_TEMPLATE_STATE, NULL);
  g_autofree char *ram = g_build_filename (path, VM_TEMPLATE_RAM, NULL);

  return g_file_test (state, G_FILE_TEST_IS_REGULAR) && g_file_test (ram, G_FILE_TEST_IS_REGULAR);
}

/* Locks @lock_path, made if need be. The file goes once the template is
 * there (vm_template_ensure unlinks it under the lock): a waiter that
 * then gets the lock of the unlinked file finds it is no longer the
 * path's, and takes the path's own, which a newcomer may have made. */
static int
lock_template (const char *lock_path, GError **error)
{
  for (;;)
    {
      struct stat held, named;
      int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

      if (fd < 0)
        return hcs_set_error_from_errno (error, errno, "vm template: opening %s", lock_path), -1;
      while (flock (fd, LOCK_EX) < 0 && errno == EINTR)
        ;
      if (fstat (fd, &held) == 0 && stat (lock_path, &named) == 0 &&
          held.st_dev == named.st_dev && held.st_ino == named.st_ino)
        return fd;
      close (fd);
    }
}

char *
vm_template_ensure (const char *templates_dir, const VmConfig *config, const char *label,
                    guint timeout_s, VmTemplateWarmFunc warm, gpointer warm_data, gboolean *made,
                    GError **error)
{
  g_autofree char *name = vm_template_name (config, error);
  g_autofree char *path = NULL;
  g_autofree char *lock_path = NULL;
  int lock_fd;
  gboolean ok = TRUE;

  if (made != NULL)
    *made = FALSE;
  if (name == NULL)
    return NULL;
  path = g_build_filename (templates_dir, name, NULL);
  if (template_complete (path))
    return g_steal_pointer (&path);
  if (g_mkdir_with_parents (templates_dir, 0700) < 0)
    return hcs_set_error_from_errno (error, errno, "vm template: creating %s", templates_dir),
           NULL;
  lock_path = g_strdup_printf ("%s.lock", path);
  lock_fd = lock_template (lock_path, error);
  if (lock_fd < 0)
    return NULL;
  /* Another create may have made it while this one waited. */
  if (!template_complete (path))
    {
      ok = make_template (templates_dir, name, config, label, timeout_s, warm, warm_data, error);
      if (ok && made != NULL)
        *made = TRUE;
    }
  /* Made or not, nothing is left to wait for: no lock file stays. */
  g_unlink (lock_path);
  close (lock_fd);
  if (!ok)
    return NULL;
  return g_steal_pointer (&path);
}
