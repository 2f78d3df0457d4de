/* fuzz-layer-import.c: a layer archive, compressed or not, imported into
 * a store of its own: decompression (every stream's checks), the tar
 * reader and the unpacker's path, link and whiteout rules. An import
 * either succeeds and its layer is removed again, or fails and leaves
 * nothing; nothing is ever written outside the store.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "hcs-layer-private.h"

#include <glib/gstdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static HcsLayerStore *store;
static char *store_dir;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *top = g_dir_make_tmp ("hcs-fuzz-layers-XXXXXX", &error);

  g_assert (top != NULL);
  store_dir = g_build_filename (top, "store", NULL);
  store = hcs_layer_store_new (store_dir, &error);
  g_assert (store != NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HcsLayerInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  int fd = memfd_create ("layer", MFD_CLOEXEC);

  g_assert (fd >= 0);
  g_assert (size == 0 || write (fd, data, size) == (gssize) size);
  /* As given: it may import, and is then removed again. */
  g_assert (lseek (fd, 0, SEEK_SET) == 0);
  info = hcs_layer_import_fd (store, "fuzzed", NULL, "fuzzed.tar", fd, NULL, 0, NULL, NULL, NULL,
                              &error);
  if (info != NULL)
    g_assert (hcs_layer_store_destroy (store, "fuzzed", TRUE, NULL));
  g_assert ((info != NULL) != (error != NULL));
  g_clear_pointer (&info, hcs_layer_info_free);
  g_clear_error (&error);
  /* With a digest that never matches, so the formats that carry no check
   * of their own are unpacked too, to the end, and then refused. */
  g_assert (lseek (fd, 0, SEEK_SET) == 0);
  info = hcs_layer_import_fd (store, "fuzzed", NULL, "fuzzed.tar", fd, "sha256:0", 0, NULL, NULL,
                              NULL, &error);
  g_assert (info == NULL && error != NULL);
  close (fd);
  /* Whatever failed left nothing: the store holds no folder. */
  {
    g_autoptr (GDir) dir = g_dir_open (store_dir, 0, NULL);
    g_assert (dir != NULL && g_dir_read_name (dir) == NULL);
  }
  return 0;
}
