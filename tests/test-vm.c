/* test-vm.c: the VM library (plugins/vm) against a real QEMU booting
 * Debian's kernel (scripts/vm-kernel.sh) and a test initramfs made here
 * (scripts/vm-initramfs.sh: busybox-static, virtio_console and what it
 * depends on, tests/data/vm/init). One VM is booted under the machine's
 * accelerator and shared by the /vm/boot tests, in order; it is shut down
 * by the last of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"
#include "vm-layers.h"
#include "vm-machine.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A guard against a hang, not a timing: TCG boots in seconds. */
#define BOOT_TIMEOUT_S 180
#define REPLY_TIMEOUT_S 60

#define CONTROL_PORT "org.hcs.test.control"

static struct {
  char *temp_dir;
  char *initrd;
  VmMachine *vm;
  GDataInputStream *control;
  GPid pid;
  char *run_dir;
} shared;

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* One line from @input, or NULL with @error after @timeout_s. */
static char *
read_line (GDataInputStream *input, guint timeout_s, GError **error)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  guint timeout = g_timeout_add_seconds (timeout_s, cancel_cb, cancellable);
  char *line;

  g_data_input_stream_read_line_async (input, G_PRIORITY_DEFAULT, cancellable, result_cb, &result);
  line = g_data_input_stream_read_line_finish_utf8 (input, wait_for (&result), NULL, error);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);
  if (line == NULL && error != NULL && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "end of stream");
  return line;
}

static void
write_text (GIOStream *stream, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), text, strlen (text), NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

static JsonNode *
qmp_execute (VmQmp *qmp, const char *command, JsonObject *arguments, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_qmp_execute_async (qmp, command, arguments, NULL, result_cb, &result);
  return vm_qmp_execute_finish (qmp, wait_for (&result), error);
}

static const char *
cache_dir (void)
{
  const char *dir = g_getenv ("HCS_VM_CACHE_DIR");

  return dir ? dir : VM_CACHE_DIR;
}

static VmConfig *
make_config (const char *initrd)
{
  VmConfig *config = vm_config_new ();

  config->kernel = g_build_filename (cache_dir (), "vmlinux", NULL);
  config->initrd = g_strdup (initrd);
  config->append = g_strdup ("quiet panic=-1");
  config->memory_mb = 256;
  config->processors = 1;
  config->hotplug_slots = 2;
  config->die_with_parent = TRUE;
  g_ptr_array_add (config->boot_ports, g_strdup (CONTROL_PORT));
  return config;
}

static gboolean
strv_has (GStrv argv, const char *arg)
{
  return g_strv_contains ((const char *const *) argv, arg);
}

static const char *
arg_after (GStrv argv, const char *option)
{
  for (guint i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++)
    if (g_str_equal (argv[i], option))
      return argv[i + 1];
  return NULL;
}

static void
test_command_tcg (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  int port_fds[] = { 4, 5 };
  VmCommandFds fds = { 3, port_fds };

  config->kernel = g_strdup ("/proc/self/exe");
  config->append = g_strdup ("quiet");
  config->memory_mb = 512;
  config->processors = 2;
  config->hotplug_slots = 2;
  config->tsc_khz = 2100000;
  g_ptr_array_add (config->boot_ports, g_strdup ("bridge"));
  g_ptr_array_add (config->boot_ports, g_strdup ("log"));
  argv = vm_command_line_build (config, VM_ACCEL_TCG, &fds, "/run/x/console,log", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (argv[0], ==, "qemu-system-x86_64");
  g_assert_true (strv_has (argv, "-nodefaults"));
  g_assert_true (strv_has (argv, "-no-user-config"));
  g_assert_true (strv_has (argv, "-nographic"));
  g_assert_cmpstr (arg_after (argv, "-accel"), ==, "tcg,thread=multi");
  g_assert_cmpstr (arg_after (argv, "-cpu"), ==, "max");
  g_assert_cmpstr (arg_after (argv, "-machine"), ==, "q35");
  g_assert_cmpstr (arg_after (argv, "-m"), ==, "512");
  g_assert_cmpstr (arg_after (argv, "-smp"), ==, "2");
  g_assert_cmpstr (arg_after (argv, "-kernel"), ==, "/proc/self/exe");
  g_assert_null (arg_after (argv, "-initrd"));
  g_assert_cmpstr (arg_after (argv, "-append"), ==, "console=ttyS0 tsc_early_khz=2100000 tsc=reliable quiet");
  /* A comma in a path is doubled in QEMU's option syntax. */
  g_assert_true (strv_has (argv, "file,id=console,path=/run/x/console,,log"));
  g_assert_true (strv_has (argv, "socket,id=qmp,fd=3,server=on,wait=off"));
  g_assert_true (strv_has (argv, "chardev=qmp,mode=control"));
  g_assert_true (strv_has (argv, "pcie-root-port,id=hotplug0,chassis=1,bus=pcie.0"));
  g_assert_true (strv_has (argv, "pcie-root-port,id=hotplug1,chassis=2,bus=pcie.0"));
  g_assert_true (strv_has (argv, "virtio-serial-pci,id=serial0"));
  g_assert_true (strv_has (argv, "socket,id=port-bridge,fd=4,server=on,wait=off"));
  g_assert_true (strv_has (argv, "virtserialport,bus=serial0.0,chardev=port-log,id=port-log,name=log"));
  g_assert_true (strv_has (argv, "socket,id=port-log,fd=5,server=on,wait=off"));
}

/* Shares are 9p devices from boot; the read-only one is QEMU's to hold. */
static void
test_command_shares (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (VmConfig) copy = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  VmCommandFds fds = { 3, NULL };

  config->kernel = g_strdup ("/proc/self/exe");
  vm_config_add_share (config, "hcs.rw", "/proc", FALSE);
  vm_config_add_share (config, "hcs.ro", "/sys", TRUE);
  copy = vm_config_copy (config);
  argv = vm_command_line_build (copy, VM_ACCEL_TCG, &fds, "/tmp/console.log", &error);
  g_assert_no_error (error);
  g_assert_true (strv_has (argv, "local,id=fs-hcs.rw,path=/proc,security_model=none,"
                                 "multidevs=remap"));
  g_assert_true (strv_has (argv, "local,id=fs-hcs.ro,path=/sys,security_model=none,"
                                 "multidevs=remap,readonly=on"));
  g_assert_true (strv_has (argv, "virtio-9p-pci,fsdev=fs-hcs.rw,mount_tag=hcs.rw"));
  g_assert_true (strv_has (argv, "virtio-9p-pci,fsdev=fs-hcs.ro,mount_tag=hcs.ro"));
}

typedef struct
{
  const char *layer_dir;
  gboolean made;
  char *image;
} ImageMaker;

static gpointer
make_image_thread (gpointer data)
{
  ImageMaker *maker = data;
  g_autoptr (GError) error = NULL;

  maker->image = vm_layer_image_ensure (maker->layer_dir, &maker->made, &error);
  g_assert_no_error (error);
  return NULL;
}

/* A layer's erofs image: made once however many ask at the same time,
 * whole (erofs's magic), and refused for what is not a folder. */
static void
test_layer_image (void)
{
  g_autofree char *temp = g_dir_make_tmp ("hcs-test-vm-layers-XXXXXX", NULL);
  g_autofree char *layer_dir = g_build_filename (temp, "layer-1", NULL);
  g_autofree char *files = g_build_filename (layer_dir, "fs", NULL);
  g_autofree char *hello = g_build_filename (files, "hello", NULL);
  g_autofree char *metadata = g_build_filename (layer_dir, "layer.json", NULL);
  g_autofree char *found = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *not_made = g_build_filename (temp, "never.erofs", NULL);
  g_autoptr (GError) error = NULL;
  ImageMaker makers[3] = { { layer_dir }, { layer_dir }, { layer_dir } };
  GThread *threads[G_N_ELEMENTS (makers)];
  guint made = 0;
  gsize length = 0;
  guint32 magic;

  g_assert_nonnull (temp);
  g_assert_cmpint (g_mkdir_with_parents (files, 0755), ==, 0);
  g_assert_true (g_file_set_contents (hello, "hello\n", -1, NULL));
  g_assert_true (g_file_set_contents (metadata, "{}", -1, NULL));
  found = vm_layer_dir_from_files (files);
  g_assert_cmpstr (found, ==, layer_dir);
  g_assert_null (vm_layer_dir_from_files (layer_dir));

  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    threads[i] = g_thread_new ("maker", make_image_thread, &makers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    {
      g_assert_nonnull (makers[i].image);
      g_assert_cmpstr (makers[i].image, ==, makers[0].image);
      made += makers[i].made;
    }
  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    g_free (makers[i].image);
  g_assert_cmpuint (made, ==, 1);
  {
    g_autofree char *image = g_build_filename (layer_dir, VM_LAYER_IMAGE_NAME, NULL);

    g_assert_true (g_file_get_contents (image, &contents, &length, NULL));
    g_assert_cmpuint (length, >, 1028);
    memcpy (&magic, contents + 1024, sizeof magic);
    g_assert_cmphex (GUINT32_FROM_LE (magic), ==, 0xE0F5E1E2);
    g_assert_cmpint (g_unlink (image), ==, 0);
  }
  /* Only the image beside the files: no temporary left. */
  {
    g_autoptr (GDir) dir = g_dir_open (layer_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_true (g_str_equal (name, "fs") || g_str_equal (name, "layer.json") ||
                     g_str_equal (name, VM_LAYER_IMAGE_NAME));
  }

  g_assert_false (vm_erofs_image_make ("relative/folder", not_made, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (vm_erofs_image_make (hello, not_made, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_false (g_file_test (not_made, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (hello), ==, 0);
  g_assert_cmpint (g_unlink (metadata), ==, 0);
  g_assert_cmpint (g_rmdir (files), ==, 0);
  g_assert_cmpint (g_rmdir (layer_dir), ==, 0);
  g_assert_cmpint (g_rmdir (temp), ==, 0);
}

static void
test_command_kvm_microvm (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  VmCommandFds fds = { 3, NULL };

  config->kernel = g_strdup ("/proc/self/exe");
  config->initrd = g_strdup ("/proc/self/exe");
  config->machine_type = VM_MACHINE_TYPE_MICROVM;
  argv = vm_command_line_build (config, VM_ACCEL_KVM, &fds, "/tmp/console.log", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arg_after (argv, "-accel"), ==, "kvm");
  g_assert_cmpstr (arg_after (argv, "-cpu"), ==, "host");
  g_assert_cmpstr (arg_after (argv, "-machine"), ==, "microvm");
  g_assert_cmpstr (arg_after (argv, "-initrd"), ==, "/proc/self/exe");
  /* KVM keeps its own TSC: no tsc_early_khz. */
  g_assert_cmpstr (arg_after (argv, "-append"), ==, "console=ttyS0");
  g_assert_true (strv_has (argv, "virtio-serial-device,id=serial0"));
  g_assert_false (strv_has (argv, "virtio-serial-pci,id=serial0"));
}

/* xenon's templates: RAM in a file, shared (a template) or private (a
 * clone waiting for the template's state). */
static void
test_command_memory_file (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (VmConfig) copy = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  g_auto (GStrv) clone_argv = NULL;
  VmCommandFds fds = { 3, NULL };

  config->kernel = g_strdup ("/proc/self/exe");
  config->machine_type = VM_MACHINE_TYPE_MICROVM;
  config->memory_mb = 256;
  config->memory_path = g_strdup ("/var/t,1/ram");
  config->memory_shared = TRUE;
  argv = vm_command_line_build (config, VM_ACCEL_TCG, &fds, "/tmp/console.log", &error);
  g_assert_no_error (error);
  g_assert_true (
      strv_has (argv, "memory-backend-file,id=ram,size=256M,mem-path=/var/t,,1/ram,share=on"));
  g_assert_true (strv_has (argv, "memory-backend=ram"));
  g_assert_null (arg_after (argv, "-incoming"));

  copy = vm_config_copy (config);
  copy->memory_shared = FALSE;
  copy->incoming = TRUE;
  clone_argv = vm_command_line_build (copy, VM_ACCEL_TCG, &fds, "/tmp/console.log", &error);
  g_assert_no_error (error);
  g_assert_true (strv_has (clone_argv,
                           "memory-backend-file,id=ram,size=256M,mem-path=/var/t,,1/ram,share=off"));
  g_assert_cmpstr (arg_after (clone_argv, "-incoming"), ==, "defer");
  /* Its guest booted with the template's: no TSC measured for it. */
  g_assert_cmpstr (arg_after (clone_argv, "-append"), ==, "console=ttyS0");

  g_free (copy->memory_path);
  copy->memory_path = g_strdup ("relative/ram");
  g_assert_false (vm_config_validate (copy, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "memory-path"));
}

static void
test_command_tsc (void)
{
  guint khz = vm_host_tsc_khz ();

  g_assert_cmpuint (khz, >=, 100000);
  g_assert_cmpuint (khz, <=, 10000000);
  g_assert_cmpuint (vm_host_tsc_khz (), ==, khz);
}

static void
test_command_accel (void)
{
  g_autoptr (GError) error = NULL;
  gboolean kvm = g_file_test ("/dev/kvm", G_FILE_TEST_EXISTS);
  g_autofree char *cpuinfo = NULL;
  VmAccel accel;

  /* A /dev/kvm without VMX or SVM (kvm_pvm) runs no unmodified guest. */
  if (kvm && g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL) &&
      !g_regex_match_simple ("^flags\\s*:.*\\b(vmx|svm)\\b", cpuinfo, G_REGEX_MULTILINE, 0))
    kvm = FALSE;
  g_assert_true (vm_accel_resolve (VM_ACCEL_TCG, &accel, &error));
  g_assert_cmpint (accel, ==, VM_ACCEL_TCG);
  g_assert_true (vm_accel_resolve (VM_ACCEL_AUTO, &accel, &error));
  if (!kvm)
    {
      g_assert_cmpint (accel, ==, VM_ACCEL_TCG);
      g_assert_false (vm_accel_resolve (VM_ACCEL_KVM, &accel, &error));
      g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "/dev/kvm"));
    }
}

static void
assert_invalid (VmConfig *config, const char *expected)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (vm_config_validate (config, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  if (strstr (error->message, expected) == NULL)
    g_error ("'%s' does not name '%s'", error->message, expected);
}

static void
test_command_invalid (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();

  assert_invalid (config, "kernel: missing");
  config->kernel = g_strdup ("/nonexistent/vmlinux");
  assert_invalid (config, "kernel: '/nonexistent/vmlinux' is not a file");
  g_free (config->kernel);
  config->kernel = g_strdup ("/proc/self/exe");
  config->memory_mb = 0;
  assert_invalid (config, "memory-mb: 0");
  config->memory_mb = 128;
  config->processors = 0;
  assert_invalid (config, "processors: 0");
  config->processors = 1;
  config->machine_type = VM_MACHINE_TYPE_MICROVM;
  config->hotplug_slots = 1;
  assert_invalid (config, "hotplug-slots");
  config->hotplug_slots = 0;
  g_ptr_array_add (config->boot_ports, g_strdup ("../escape"));
  assert_invalid (config, "port name '../escape'");
  g_ptr_array_set_size (config->boot_ports, 0);
  g_ptr_array_add (config->boot_ports, g_strdup ("a"));
  g_ptr_array_add (config->boot_ports, g_strdup ("a"));
  assert_invalid (config, "boot port 'a' is named twice");
  g_ptr_array_set_size (config->boot_ports, 0);
  vm_config_add_share (config, "../share", "/proc", FALSE);
  assert_invalid (config, "share tag '../share'");
  g_ptr_array_set_size (config->shares, 0);
  vm_config_add_share (config, "share", "relative", TRUE);
  assert_invalid (config, "share 'share': 'relative' is not a folder");
}

/* A scratch made in two halves: the file is there at its full size
 * while mkfs runs (a QEMU may open it), an ext4 once finished; a path
 * that exists is refused and left as it was. */
static void
test_scratch_image (void)
{
  g_autofree char *temp = g_dir_make_tmp ("hcs-test-vm-scratch-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (temp, "scratch.ext4", NULL);
  g_autoptr (GSubprocess) mkfs = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  guint8 superblock[1024 + 64];
  GStatBuf st;
  int fd;

  g_assert_nonnull (temp);
  mkfs = vm_scratch_image_start (path, 64 * 1024 * 1024, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mkfs);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 64 * 1024 * 1024);
  g_assert_true (vm_scratch_image_finish (mkfs, path, &error));
  g_assert_no_error (error);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, superblock, sizeof superblock, 0), ==, sizeof superblock);
  close (fd);
  /* s_magic, 56 bytes into the superblock at 1024. */
  g_assert_cmphex (superblock[1024 + 56] | superblock[1024 + 57] << 8, ==, 0xEF53);

  g_assert_null (vm_scratch_image_start (path, 1024 * 1024, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 64 * 1024 * 1024);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (temp), ==, 0);
}

/* A scripted QMP server on the other end of a socket pair, for what a
 * real QEMU will not do on demand: replies out of order, garbage, a
 * connection lost in the middle of a command. */
typedef struct {
  GIOStream *server;
  GDataInputStream *server_input;
  VmQmp *qmp;
  GError *closed_error;
} FakeQmp;

static GIOStream *
stream_from_fd (int fd)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

/* The next command the client sent; gives its id. */
static char *
fake_expect (FakeQmp *fake, const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = read_line (fake->server_input, REPLY_TIMEOUT_S, &error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "execute"), ==, command);
  return g_strdup (json_object_get_string_member (object, "id"));
}

static void
fake_closed_cb (VmQmp *qmp, GError *error, gpointer user_data)
{
  FakeQmp *fake = user_data;

  fake->closed_error = g_error_copy (error);
}

static void
fake_qmp_start (FakeQmp *fake)
{
  g_autoptr (GIOStream) client = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *reply = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  client = stream_from_fd (fds[0]);
  fake->server = stream_from_fd (fds[1]);
  fake->server_input = g_data_input_stream_new (g_io_stream_get_input_stream (fake->server));
  vm_qmp_new_async (client, NULL, result_cb, &result);
  write_text (fake->server, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
  id = fake_expect (fake, "qmp_capabilities");
  reply = g_strdup_printf ("{\"return\": {}, \"id\": \"%s\"}\r\n", id);
  write_text (fake->server, reply);
  fake->qmp = vm_qmp_new_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  g_signal_connect (fake->qmp, "closed", G_CALLBACK (fake_closed_cb), fake);
}

static void
fake_qmp_clear (FakeQmp *fake)
{
  vm_qmp_close (fake->qmp);
  g_clear_object (&fake->qmp);
  g_clear_object (&fake->server_input);
  g_clear_object (&fake->server);
  g_clear_error (&fake->closed_error);
}

static void
test_qmp_fake_replies (void)
{
  FakeQmp fake = { 0 };
  g_autoptr (GAsyncResult) result_a = NULL;
  g_autoptr (GAsyncResult) result_b = NULL;
  g_autoptr (GAsyncResult) timed_out = NULL;
  g_autoptr (GAsyncResult) deleted = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply_a = NULL;
  g_autoptr (JsonNode) reply_b = NULL;
  g_autoptr (JsonObject) data = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  g_autofree char *text = NULL;

  fake_qmp_start (&fake);
  vm_qmp_execute_async (fake.qmp, "command-a", NULL, NULL, result_cb, &result_a);
  vm_qmp_execute_async (fake.qmp, "command-b", NULL, NULL, result_cb, &result_b);
  id_a = fake_expect (&fake, "command-a");
  id_b = fake_expect (&fake, "command-b");
  g_assert_cmpstr (id_a, !=, id_b);
  /* b is answered first; each reply reaches its own command. */
  text = g_strdup_printf ("{\"return\": {\"answer\": 42}, \"id\": \"%s\"}\r\n"
                          "{\"error\": {\"class\": \"GenericError\", \"desc\": \"nope\"}, "
                          "\"id\": \"%s\"}\r\n", id_b, id_a);
  write_text (fake.server, text);
  reply_b = vm_qmp_execute_finish (fake.qmp, wait_for (&result_b), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply_b), "answer"), ==, 42);
  reply_a = vm_qmp_execute_finish (fake.qmp, wait_for (&result_a), &error);
  g_assert_null (reply_a);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "QMP command-a: nope (GenericError)");
  g_clear_error (&error);

  /* An event that never comes times out; one for another device does
   * not end a wait for this one. */
  vm_qmp_wait_event_async (fake.qmp, "NEVER", NULL, NULL, 10, result_cb, &timed_out);
  g_assert_null (vm_qmp_wait_event_finish (fake.qmp, wait_for (&timed_out), &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT);
  g_clear_error (&error);
  vm_qmp_wait_event_async (fake.qmp, "DEVICE_DELETED", "device", "port-b", REPLY_TIMEOUT_S * 1000,
                           result_cb, &deleted);
  write_text (fake.server, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"port-a\"}}\r\n"
                           "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"port-b\"}}\r\n");
  data = vm_qmp_wait_event_finish (fake.qmp, wait_for (&deleted), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (data, "device"), ==, "port-b");
  g_assert_false (vm_qmp_is_closed (fake.qmp));
  fake_qmp_clear (&fake);
}

static void
test_qmp_fake_garbage (void)
{
  FakeQmp fake = { 0 };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) after = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;

  fake_qmp_start (&fake);
  vm_qmp_execute_async (fake.qmp, "query-status", NULL, NULL, result_cb, &result);
  id = fake_expect (&fake, "query-status");
  write_text (fake.server, "this is not JSON\r\n");
  g_assert_null (vm_qmp_execute_finish (fake.qmp, wait_for (&result), &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (error->message, "QMP query-status: "));
  g_assert_true (vm_qmp_is_closed (fake.qmp));
  g_assert_error (fake.closed_error, HCS_ERROR, HCS_ERROR_INVALID_JSON);
  g_clear_error (&error);

  vm_qmp_execute_async (fake.qmp, "cont", NULL, NULL, result_cb, &after);
  g_assert_null (vm_qmp_execute_finish (fake.qmp, wait_for (&after), &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_CLOSED);
  g_assert_nonnull (strstr (error->message, "QMP cont: "));
  fake_qmp_clear (&fake);
}

static void
test_qmp_fake_lost (void)
{
  FakeQmp fake = { 0 };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;

  fake_qmp_start (&fake);
  vm_qmp_execute_async (fake.qmp, "stop", NULL, NULL, result_cb, &result);
  id = fake_expect (&fake, "stop");
  g_io_stream_close (fake.server, NULL, NULL);
  g_assert_null (vm_qmp_execute_finish (fake.qmp, wait_for (&result), &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (error->message, "QMP stop: "));
  g_assert_nonnull (fake.closed_error);
  fake_qmp_clear (&fake);
}

/* A client given at once: what it is asked before QEMU has greeted goes
 * out behind qmp_capabilities, in order, with no answer waited for, and
 * an event a queued command causes reaches a wait made then. */
static void
test_qmp_fake_early (void)
{
  FakeQmp fake = { 0 };
  g_autoptr (GIOStream) client = NULL;
  g_autoptr (GAsyncResult) ready = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) resumed = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmQmp) ready_qmp = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autofree char *caps_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  client = stream_from_fd (fds[0]);
  fake.server = stream_from_fd (fds[1]);
  fake.server_input = g_data_input_stream_new (g_io_stream_get_input_stream (fake.server));
  fake.qmp = vm_qmp_new_early (client, NULL, result_cb, &ready);
  vm_qmp_wait_event_async (fake.qmp, "RESUME", NULL, NULL, REPLY_TIMEOUT_S * 1000, result_cb,
                           &resumed);
  vm_qmp_execute_async (fake.qmp, "migrate-incoming", NULL, NULL, result_cb, &result);
  /* Both wait in the socket before any greeting. */
  caps_id = fake_expect (&fake, "qmp_capabilities");
  id = fake_expect (&fake, "migrate-incoming");
  text = g_strdup_printf ("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n"
                          "{\"return\": {}, \"id\": \"%s\"}\r\n"
                          "{\"return\": {}, \"id\": \"%s\"}\r\n"
                          "{\"event\": \"RESUME\"}\r\n", caps_id, id);
  write_text (fake.server, text);
  ready_qmp = vm_qmp_new_finish (wait_for (&ready), &error);
  g_assert_no_error (error);
  g_assert_true (ready_qmp == fake.qmp);
  reply = vm_qmp_execute_finish (fake.qmp, wait_for (&result), &error);
  g_assert_no_error (error);
  event = vm_qmp_wait_event_finish (fake.qmp, wait_for (&resumed), &error);
  g_assert_no_error (error);
  g_assert_false (vm_qmp_is_closed (fake.qmp));
  fake_qmp_clear (&fake);
}

/* No QEMU process still runs with this run folder on its command line. */
static void
assert_no_qemu_for (const char *run_dir, GPid pid)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  g_assert_true (kill (pid, 0) < 0 && errno == ESRCH);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize length;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, run_dir) != NULL)
        g_error ("process %s still runs with %s: %s", name, run_dir, cmdline);
    }
}

static void
assert_gone (const char *run_dir, GPid pid)
{
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
  assert_no_qemu_for (run_dir, pid);
}

static gboolean
have_shared_vm (void)
{
  if (shared.vm == NULL || shared.control == NULL)
    {
      g_test_fail_printf ("the shared VM did not boot (see /vm/boot/init)");
      return FALSE;
    }
  return TRUE;
}

static const char *const share_names[] = { "test.rw", "test.ro", NULL };

static void
test_boot_init (void)
{
  g_autofree char *kernel = g_build_filename (cache_dir (), "vmlinux", NULL);
  g_autofree char *modules = g_build_filename (cache_dir (), "modules", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "scripts",
                                                   "vm-initramfs.sh", NULL);
  g_autofree char *init = g_test_build_filename (G_TEST_DIST, "data", "vm", "init", NULL);
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");
  g_autofree char *run_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autoptr (VmConfig) config = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "sh", script, NULL, modules, init, "virtio_console", "virtio_pci",
                         "virtio_mmio", "virtio_blk", "9pnet_virtio", "9p", NULL };
  GIOStream *port;
  int status;

  /* Missing pieces fail the suite, with what to do: CI installs them. */
  if (qemu == NULL)
    {
      g_rmdir (shared.temp_dir);
      g_error ("qemu-system-x86_64 is not installed: run scripts/setup.sh");
    }
  if (!g_file_test (kernel, G_FILE_TEST_IS_REGULAR) || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_rmdir (shared.temp_dir);
      g_error ("no kernel in %s: run scripts/vm-kernel.sh (scripts/setup.sh does)", cache_dir ());
    }

  shared.initrd = g_build_filename (shared.temp_dir, "initramfs.cpio", NULL);
  argv[2] = shared.initrd;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_unlink (shared.initrd);
      g_rmdir (shared.temp_dir);
      g_error ("making the test initramfs failed: %s%s", out, err);
    }

  config = make_config (shared.initrd);
  /* Two shares for /vm/boot/9p-shares, each with a note from the host. */
  for (guint i = 0; share_names[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (shared.temp_dir, share_names[i], NULL);
      g_autofree char *note = g_build_filename (dir, "note", NULL);

      g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
      g_assert_true (g_file_set_contents (note, "from the host\n", -1, NULL));
      vm_config_add_share (config, share_names[i], dir, g_str_equal (share_names[i], "test.ro"));
    }
  run_dir = g_build_filename (shared.temp_dir, "vm", NULL);
  shared.vm = vm_machine_new (config, run_dir);
  vm_machine_start_async (shared.vm, NULL, result_cb, &result);
  if (!vm_machine_start_finish (shared.vm, wait_for (&result), &error))
    g_error ("starting the VM: %s", error->message);
  shared.pid = vm_machine_get_pid (shared.vm);
  shared.run_dir = g_strdup (vm_machine_get_run_dir (shared.vm));
  g_assert_cmpstr (shared.run_dir, ==, run_dir);
  g_assert_cmpint (shared.pid, >, 0);
  g_assert_nonnull (vm_machine_get_qmp (shared.vm));

  port = vm_machine_get_port (shared.vm, CONTROL_PORT);
  g_assert_nonnull (port);
  shared.control = g_data_input_stream_new (g_io_stream_get_input_stream (port));
  line = read_line (shared.control, BOOT_TIMEOUT_S, &error);
  if (line == NULL)
    {
      g_autofree char *console = NULL;

      g_file_get_contents (vm_machine_get_console_log (shared.vm), &console, NULL, NULL);
      g_error ("the guest's init said nothing on its port: %s\nconsole:\n%s", error->message,
               console ? console : "(none)");
    }
  g_assert_cmpstr (line, ==, "hcs-vm-test: init reached");
}

static char *
query_status (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = qmp_execute (vm_machine_get_qmp (shared.vm), "query-status", NULL,
                                            &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply));
  return g_strdup (json_object_get_string_member (json_node_get_object (reply), "status"));
}

static gboolean qom_has_device (const char *id);

static void
test_qmp_status (void)
{
  g_autofree char *status = NULL;
  g_autoptr (GError) error = NULL;
  guint64 cpu_ns = 0, rss_bytes = 0;

  if (!have_shared_vm ())
    return;
  status = query_status ();
  g_assert_cmpstr (status, ==, "running");
  /* q35 with two empty PCIe root ports for hot-added disks and NICs. */
  g_assert_true (qom_has_device ("hotplug0"));
  g_assert_true (qom_has_device ("hotplug1"));
  g_assert_false (qom_has_device ("hotplug2"));

  /* QEMU booted a kernel: it has used CPU time, and memory. */
  g_assert_true (vm_machine_get_host_usage (shared.vm, &cpu_ns, &rss_bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cpu_ns, >, 0);
  g_assert_cmpuint (rss_bytes, >, 16 * 1024 * 1024);
}

static void
test_qmp_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonObject) arguments = json_object_new ();

  if (!have_shared_vm ())
    return;
  reply = qmp_execute (vm_machine_get_qmp (shared.vm), "no-such-command", NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "QMP no-such-command: "));
  g_clear_error (&error);

  json_object_set_string_member (arguments, "id", "no-such-device");
  reply = qmp_execute (vm_machine_get_qmp (shared.vm), "device_del", arguments, &error);
  g_assert_null (reply);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "QMP device_del: "));
  g_assert_nonnull (strstr (error->message, "no-such-device"));
}

static JsonObject *
execute_and_wait_event (const char *command, const char *event)
{
  VmQmp *qmp = vm_machine_get_qmp (shared.vm);
  g_autoptr (GAsyncResult) event_result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *data;

  vm_qmp_wait_event_async (qmp, event, NULL, NULL, REPLY_TIMEOUT_S * 1000, result_cb,
                           &event_result);
  reply = qmp_execute (qmp, command, NULL, &error);
  g_assert_no_error (error);
  data = vm_qmp_wait_event_finish (qmp, wait_for (&event_result), &error);
  g_assert_no_error (error);
  return data;
}

static void
test_qmp_stop_cont (void)
{
  g_autoptr (JsonObject) stopped = NULL;
  g_autoptr (JsonObject) resumed = NULL;
  g_autofree char *paused = NULL;
  g_autofree char *running = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GError) error = NULL;

  if (!have_shared_vm ())
    return;
  stopped = execute_and_wait_event ("stop", "STOP");
  paused = query_status ();
  g_assert_cmpstr (paused, ==, "paused");
  resumed = execute_and_wait_event ("cont", "RESUME");
  running = query_status ();
  g_assert_cmpstr (running, ==, "running");

  /* The guest runs on: it still answers on its control port. */
  write_text (vm_machine_get_port (shared.vm, CONTROL_PORT), "nonsense\n");
  line = read_line (shared.control, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "error: unknown command nonsense");
}

static GIOStream *
add_port (const char *name, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_add_port_async (shared.vm, name, NULL, result_cb, &result);
  return vm_machine_add_port_finish (shared.vm, wait_for (&result), error);
}

static gboolean
remove_port (const char *name, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_remove_port_async (shared.vm, name, NULL, result_cb, &result);
  return vm_machine_remove_port_finish (shared.vm, wait_for (&result), error);
}

static gboolean qom_has_device (const char *id);

static void
test_port_hot_add (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (GDataInputStream) input = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *echo = NULL;
  g_autofree char *big_echo = NULL;
  g_autoptr (GString) big = g_string_new (NULL);

  if (!have_shared_vm ())
    return;
  stream = add_port ("stdio-1", &error);
  g_assert_no_error (error);
  g_assert_true (vm_machine_get_port (shared.vm, "stdio-1") == stream);
  socket_path = g_build_filename (shared.run_dir, "port-stdio-1.sock", NULL);
  g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));

  write_text (vm_machine_get_port (shared.vm, CONTROL_PORT), "echo stdio-1\n");
  reply = read_line (shared.control, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "ok echo stdio-1");

  /* Guest to host first, then host to guest and back. */
  input = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  hello = read_line (input, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hello, ==, "hello stdio-1");
  write_text (stream, "ping from the host\n");
  echo = read_line (input, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echo, ==, "ping from the host");

  /* More than one virtqueue buffer's worth (a port's buffers are 4 KiB). */
  for (guint i = 0; big->len < 64 * 1024; i++)
    g_string_append_printf (big, "%u,", i);
  g_string_append_c (big, '\n');
  write_text (stream, big->str);
  big_echo = read_line (input, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_string_truncate (big, big->len - 1);
  g_assert_cmpstr (big_echo, ==, big->str);

  /* A second port with the same name is refused and changes nothing. */
  g_assert_null (add_port ("stdio-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_null (add_port ("../stdio", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* chardev-add and device_add go out together: a chardev of the port's
   * id that QEMU has already (not the library's) fails the add, and the
   * device that took it goes again. */
  {
    g_autoptr (JsonObject) arguments = json_object_new ();
    g_autoptr (JsonObject) backend = json_object_new ();
    g_autoptr (JsonNode) reply = NULL;

    json_object_set_string_member (arguments, "id", "port-ghost");
    json_object_set_string_member (backend, "type", "null");
    json_object_set_object_member (backend, "data", json_object_new ());
    json_object_set_object_member (arguments, "backend", json_object_ref (backend));
    reply = qmp_execute (vm_machine_get_qmp (shared.vm), "chardev-add", arguments, &error);
    g_assert_no_error (error);
    g_assert_null (add_port ("ghost", &error));
    g_assert_error (error, HCS_ERROR, HCS_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "vm: port 'ghost': "));
    g_clear_error (&error);
    g_assert_false (qom_has_device ("port-ghost"));
    g_clear_pointer (&reply, json_node_unref);
    g_clear_pointer (&arguments, json_object_unref);
    arguments = json_object_new ();
    json_object_set_string_member (arguments, "id", "port-ghost");
    reply = qmp_execute (vm_machine_get_qmp (shared.vm), "chardev-remove", arguments, &error);
    g_assert_no_error (error);
  }
}

static gboolean
qom_has_device (const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) arguments = json_object_new ();
  g_autoptr (JsonNode) reply = NULL;
  JsonArray *children;

  json_object_set_string_member (arguments, "path", "/machine/peripheral");
  reply = qmp_execute (vm_machine_get_qmp (shared.vm), "qom-list", arguments, &error);
  g_assert_no_error (error);
  children = json_node_get_array (reply);
  for (guint i = 0; i < json_array_get_length (children); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (children, i),
                                                  "name"), id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_port_hot_remove (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *socket_path = NULL;
  g_autoptr (GIOStream) again = NULL;

  if (!have_shared_vm ())
    return;
  g_assert_true (qom_has_device ("port-stdio-1"));
  g_assert_true (remove_port ("stdio-1", &error));
  g_assert_no_error (error);
  g_assert_false (qom_has_device ("port-stdio-1"));
  g_assert_null (vm_machine_get_port (shared.vm, "stdio-1"));
  socket_path = g_build_filename (shared.run_dir, "port-stdio-1.sock", NULL);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));

  g_assert_false (remove_port ("stdio-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);

  /* The name can be used again: chardev and device are both gone. */
  again = add_port ("stdio-1", &error);
  g_assert_no_error (error);
  g_assert_true (remove_port ("stdio-1", &error));
  g_assert_no_error (error);
}

static void
exited_cb (VmMachine *vm, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
add_disk (const char *name, const char *path, gboolean read_only, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_add_disk_async (shared.vm, name, path, read_only, NULL, result_cb, &result);
  return vm_machine_add_disk_finish (shared.vm, wait_for (&result), error);
}

static gboolean
remove_disk (const char *name, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_remove_disk_async (shared.vm, name, NULL, result_cb, &result);
  return vm_machine_remove_disk_finish (shared.vm, wait_for (&result), error);
}

static char *
make_image (const char *name, const char *first_line)
{
  g_autofree char *path = g_build_filename (shared.temp_dir, name, NULL);
  g_autofree char *contents = g_malloc0 (64 * 1024);
  g_autoptr (GError) error = NULL;

  memcpy (contents, first_line, strlen (first_line));
  g_file_set_contents (path, contents, 64 * 1024, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* A read-only and a writable disk in the q35 VM's two root ports: the
 * guest reads each by its serial; a third finds no slot; removed, the
 * guest sees them go and the slots serve again. */
/* The guest's root mounts both shares read-write: QEMU's readonly=on is
 * what refuses the write to the read-only one. */
static void
test_9p_shares (void)
{
  g_autoptr (GError) error = NULL;
  GIOStream *control;

  if (!have_shared_vm ())
    return;
  control = vm_machine_get_port (shared.vm, CONTROL_PORT);
  for (guint i = 0; share_names[i] != NULL; i++)
    {
      gboolean read_only = g_str_equal (share_names[i], "test.ro");
      g_autofree char *command = g_strdup_printf ("share %s\n", share_names[i]);
      g_autofree char *expected = g_strdup_printf ("share %s: from the host write=%s",
                                                   share_names[i], read_only ? "refused" : "ok");
      g_autofree char *written = g_build_filename (shared.temp_dir, share_names[i], "written",
                                                   NULL);
      g_autofree char *line = NULL;
      g_autofree char *text = NULL;

      write_text (control, command);
      line = read_line (shared.control, REPLY_TIMEOUT_S, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, expected);
      if (read_only)
        g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
      else
        {
          g_assert_true (g_file_get_contents (written, &text, NULL, NULL));
          g_assert_cmpstr (text, ==, "guest\n");
        }
    }
}

static void
test_disk_hot_plug (void)
{
  g_autofree char *layer = NULL;
  g_autofree char *scratch = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GError) error = NULL;
  GIOStream *control;

  if (!have_shared_vm ())
    return;
  control = vm_machine_get_port (shared.vm, CONTROL_PORT);
  layer = make_image ("layer.img", "layer image\n");
  scratch = make_image ("scratch.img", "scratch image\n");

  g_assert_true (add_disk ("layer-1", layer, TRUE, &error));
  g_assert_no_error (error);
  write_text (control, "disk layer-1\n");
  line = read_line (shared.control, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "disk layer-1: layer image ro=1");
  g_assert_true (add_disk ("scratch-1", scratch, FALSE, &error));
  g_assert_no_error (error);
  write_text (control, "disk scratch-1\n");
  g_clear_pointer (&line, g_free);
  line = read_line (shared.control, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "disk scratch-1: scratch image ro=0");
  g_assert_true (qom_has_device ("disk-layer-1"));

  g_assert_false (add_disk ("layer-2", layer, TRUE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "no free hot-plug slot"));
  g_clear_error (&error);
  g_assert_false (add_disk ("layer-1", layer, TRUE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_assert_false (add_disk ("rel", "layer.img", TRUE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (add_disk ("a-name-longer-than-20", layer, TRUE, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_true (remove_disk ("layer-1", &error));
  g_assert_no_error (error);
  g_assert_false (qom_has_device ("disk-layer-1"));
  g_assert_true (remove_disk ("scratch-1", &error));
  g_assert_no_error (error);
  /* The guest reports each disk gone, in either order. */
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&line, g_free);
      line = read_line (shared.control, REPLY_TIMEOUT_S, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_equal (line, "disk layer-1 gone") ||
                     g_str_equal (line, "disk scratch-1 gone"));
    }
  g_assert_false (remove_disk ("layer-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);

  /* The slot and the node name serve again. */
  g_assert_true (add_disk ("layer-1", layer, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (remove_disk ("layer-1", &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_unlink (layer), ==, 0);
  g_assert_cmpint (g_unlink (scratch), ==, 0);
}

static gboolean
add_nic (const char *name, const char *tap, const char *mac, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_add_nic_async (shared.vm, name, tap, mac, NULL, result_cb, &result);
  return vm_machine_add_nic_finish (shared.vm, wait_for (&result), error);
}

static gboolean
remove_nic (const char *name, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  vm_machine_remove_nic_async (shared.vm, name, NULL, result_cb, &result);
  return vm_machine_remove_nic_finish (shared.vm, wait_for (&result), error);
}

/* A virtio-net-pci on a tap (made here, in the test's own network
 * namespace: main) in a root port the disks gave back: bad names and
 * MACs refused, added once, removed with its netdev, so QEMU lets the
 * tap go (its owner can delete it then). */
static void
test_nic_hot_plug (void)
{
  g_autoptr (GError) error = NULL;
  int status = -1;

  if (!have_shared_vm ())
    return;
  g_assert_true (g_spawn_command_line_sync ("ip tuntap add dev hcsvmtap0 mode tap", NULL, NULL,
                                            &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  g_assert_false (add_nic ("net-1", "hcsvmtap0", "01:15:5d:00:00:01", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (add_nic ("net-1", "hcsvmtap0", "00:15:5d:00:00", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (add_nic ("net-1", "a/tap", "00:15:5d:00:00:01", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (add_nic ("net-1", "a-tap-name-too-long", "00:15:5d:00:00:01", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_true (add_nic ("net-1", "hcsvmtap0", "00:15:5d:00:00:01", &error));
  g_assert_no_error (error);
  g_assert_true (qom_has_device ("nic-net-1"));
  g_assert_false (add_nic ("net-1", "hcsvmtap0", "00:15:5d:00:00:01", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);

  g_assert_true (remove_nic ("net-1", &error));
  g_assert_no_error (error);
  g_assert_false (qom_has_device ("nic-net-1"));
  g_assert_false (remove_nic ("net-1", &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_clear_error (&error);

  /* The netdev is gone too: the name serves again. */
  g_assert_true (add_nic ("net-1", "hcsvmtap0", "00:15:5d:00:00:02", &error));
  g_assert_no_error (error);
  g_assert_true (remove_nic ("net-1", &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_command_line_sync ("ip tuntap del dev hcsvmtap0 mode tap", NULL, NULL,
                                            &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (if_nametoindex ("hcsvmtap0"), ==, 0);
}

static void
test_boot_shutdown (void)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gboolean exited = FALSE;
  guint64 cpu_ns, rss_bytes;

  if (!have_shared_vm ())
    return;
  g_signal_connect (shared.vm, "exited", G_CALLBACK (exited_cb), &exited);
  /* The test's init has no ACPI daemon and ignores system_powerdown:
   * after the grace, quit. */
  vm_machine_shutdown_async (shared.vm, 300, NULL, result_cb, &result);
  g_assert_true (vm_machine_shutdown_finish (shared.vm, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_true (exited);
  g_assert_false (vm_machine_is_running (shared.vm));
  g_assert_cmpint (vm_machine_get_pid (shared.vm), ==, 0);
  g_assert_false (vm_machine_get_host_usage (shared.vm, &cpu_ns, &rss_bytes, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_null (vm_machine_get_port (shared.vm, CONTROL_PORT));
  assert_gone (shared.run_dir, shared.pid);
}

/* A second VM, on microvm (xenon's machine: virtio-mmio), booted to its
 * init, given a port, and killed. */
static void
test_kill (void)
{
  g_autoptr (VmConfig) config = NULL;
  g_autoptr (VmMachine) vm = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) waited = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) added = NULL;
  g_autoptr (GDataInputStream) control = NULL;
  g_autoptr (GDataInputStream) port_input = NULL;
  g_autoptr (GIOStream) port = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *line = NULL;
  GPid pid;

  if (shared.initrd == NULL)
    {
      g_test_fail_printf ("no initramfs (see /vm/boot/init)");
      return;
    }
  config = make_config (shared.initrd);
  config->machine_type = VM_MACHINE_TYPE_MICROVM;
  config->hotplug_slots = 0;
  vm = vm_machine_new (config, NULL);
  vm_machine_start_async (vm, NULL, result_cb, &result);
  g_assert_true (vm_machine_start_finish (vm, wait_for (&result), &error));
  g_assert_no_error (error);
  run_dir = g_strdup (vm_machine_get_run_dir (vm));
  g_assert_true (g_file_test (run_dir, G_FILE_TEST_IS_DIR));
  pid = vm_machine_get_pid (vm);

  control = g_data_input_stream_new (
    g_io_stream_get_input_stream (vm_machine_get_port (vm, CONTROL_PORT)));
  line = read_line (control, BOOT_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "hcs-vm-test: init reached");

  /* Ports are hot-added on virtio-mmio as on PCI. */
  vm_machine_add_port_async (vm, "stdio-m", NULL, result_cb, &added);
  port = vm_machine_add_port_finish (vm, wait_for (&added), &error);
  g_assert_no_error (error);
  write_text (vm_machine_get_port (vm, CONTROL_PORT), "echo stdio-m\n");
  g_clear_pointer (&line, g_free);
  line = read_line (control, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ok echo stdio-m");
  port_input = g_data_input_stream_new (g_io_stream_get_input_stream (port));
  g_clear_pointer (&line, g_free);
  line = read_line (port_input, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "hello stdio-m");
  write_text (port, "to the microvm\n");
  g_clear_pointer (&line, g_free);
  line = read_line (port_input, REPLY_TIMEOUT_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "to the microvm");

  vm_machine_wait_async (vm, NULL, result_cb, &waited);
  vm_machine_kill (vm);
  g_assert_true (vm_machine_wait_finish (vm, wait_for (&waited), &error));
  g_assert_no_error (error);
  g_assert_false (vm_machine_is_running (vm));
  g_assert_true (vm_qmp_is_closed (vm_machine_get_qmp (vm)));
  assert_gone (run_dir, pid);
  /* The reader that still holds the port's host end sees its end. */
  g_clear_pointer (&line, g_free);
  line = read_line (control, REPLY_TIMEOUT_S, &error);
  g_assert_null (line);
}

static void
test_start_failure (void)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (VmMachine) vm = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *run_dir = g_build_filename (shared.temp_dir, "bad", NULL);
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");

  /* A kernel QEMU cannot load: it exits at once, and says why. */
  config->kernel = g_strdup ("/proc/self/cmdline");
  config->qemu = g_strdup (qemu ? qemu : "qemu-system-x86_64");
  vm = vm_machine_new (config, run_dir);
  vm_machine_start_async (vm, NULL, result_cb, &result);
  g_assert_false (vm_machine_start_finish (vm, wait_for (&result), &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_assert_nonnull (strstr (error->message, "QEMU exited with status 1 while starting"));
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
  g_clear_object (&vm);
  g_clear_pointer (&result, g_object_unref);
  g_clear_error (&error);

  /* A run folder that exists already is not taken over. */
  g_assert_cmpint (g_mkdir (run_dir, 0700), ==, 0);
  g_free (config->kernel);
  config->kernel = g_strdup ("/proc/self/exe");
  vm = vm_machine_new (config, run_dir);
  vm_machine_start_async (vm, NULL, result_cb, &result);
  g_assert_false (vm_machine_start_finish (vm, wait_for (&result), &error));
  g_assert_nonnull (strstr (error->message, run_dir));
  g_assert_true (g_file_test (run_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (g_rmdir (run_dir), ==, 0);
}

/* A start cancelled while QEMU comes up kills it and leaves nothing. */
static void
test_start_cancelled (void)
{
  g_autoptr (VmConfig) config = NULL;
  g_autoptr (VmMachine) vm = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *run_dir = g_build_filename (shared.temp_dir, "cancelled", NULL);

  if (shared.initrd == NULL)
    {
      g_test_fail_printf ("no initramfs (see /vm/boot/init)");
      return;
    }
  config = make_config (shared.initrd);
  vm = vm_machine_new (config, run_dir);
  vm_machine_start_async (vm, cancellable, result_cb, &result);
  g_assert_true (vm_machine_is_running (vm));
  g_cancellable_cancel (cancellable);
  g_assert_false (vm_machine_start_finish (vm, wait_for (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The task ends once QEMU is reaped and its folder gone. */
  g_assert_false (vm_machine_is_running (vm));
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Cancelled before it is called, nothing is started at all. */
  g_clear_object (&vm);
  g_clear_object (&result);
  vm = vm_machine_new (config, run_dir);
  vm_machine_start_async (vm, cancellable, result_cb, &result);
  g_assert_false (vm_machine_start_finish (vm, wait_for (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}

/* Last: no QEMU child of this process remains, and the suite's folder
 * holds nothing but the initramfs it made. */
static void
test_leftovers (void)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autoptr (GDir) temp = g_dir_open (shared.temp_dir, 0, NULL);
  g_autofree char *self = g_strdup_printf ("%d", getpid ());
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;
      const char *after_comm;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL) ||
          (after_comm = strrchr (stat, ')')) == NULL)
        continue;
      fields = g_strsplit (after_comm + 2, " ", 3);
      if (g_strv_length (fields) >= 2 && g_str_equal (fields[1], self))
        g_error ("a child of the suite remains: %s", stat);
    }
  /* The shares' folders are the suite's own, as the initramfs is. */
  while ((name = g_dir_read_name (temp)) != NULL)
    if (!g_str_equal (name, "initramfs.cpio") &&
        !g_strv_contains ((const char *const *) share_names, name))
      g_error ("%s/%s was left behind", shared.temp_dir, name);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The NIC test's tap in a network namespace of the test's own. */
  if (unshare (CLONE_NEWNET) < 0)
    g_error ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  shared.temp_dir = g_dir_make_tmp ("hcs-test-vm-XXXXXX", NULL);
  g_assert_nonnull (shared.temp_dir);

  g_test_add_func ("/vm/command/tcg", test_command_tcg);
  g_test_add_func ("/vm/command/kvm-microvm", test_command_kvm_microvm);
  g_test_add_func ("/vm/command/memory-file", test_command_memory_file);
  g_test_add_func ("/vm/command/tsc", test_command_tsc);
  g_test_add_func ("/vm/command/accel", test_command_accel);
  g_test_add_func ("/vm/command/invalid", test_command_invalid);
  g_test_add_func ("/vm/command/shares", test_command_shares);
  g_test_add_func ("/vm/layers/image", test_layer_image);
  g_test_add_func ("/vm/layers/scratch", test_scratch_image);
  g_test_add_func ("/vm/qmp/replies-and-events", test_qmp_fake_replies);
  g_test_add_func ("/vm/qmp/garbage", test_qmp_fake_garbage);
  g_test_add_func ("/vm/qmp/connection-lost", test_qmp_fake_lost);
  g_test_add_func ("/vm/qmp/early", test_qmp_fake_early);
  /* These run in this order on the one VM booted by the first. */
  g_test_add_func ("/vm/boot/init", test_boot_init);
  g_test_add_func ("/vm/boot/qmp-status", test_qmp_status);
  g_test_add_func ("/vm/boot/qmp-errors", test_qmp_errors);
  g_test_add_func ("/vm/boot/stop-cont", test_qmp_stop_cont);
  g_test_add_func ("/vm/boot/port-hot-add", test_port_hot_add);
  g_test_add_func ("/vm/boot/port-hot-remove", test_port_hot_remove);
  g_test_add_func ("/vm/boot/disk-hot-plug", test_disk_hot_plug);
  g_test_add_func ("/vm/boot/9p-shares", test_9p_shares);
  g_test_add_func ("/vm/boot/nic-hot-plug", test_nic_hot_plug);
  g_test_add_func ("/vm/boot/shutdown", test_boot_shutdown);
  g_test_add_func ("/vm/machine/microvm-kill", test_kill);
  g_test_add_func ("/vm/machine/start-failure", test_start_failure);
  g_test_add_func ("/vm/machine/start-cancelled", test_start_cancelled);
  g_test_add_func ("/vm/machine/leftovers", test_leftovers);

  status = g_test_run ();

  if (shared.vm != NULL && vm_machine_is_running (shared.vm))
    vm_machine_kill (shared.vm);
  g_clear_object (&shared.control);
  g_clear_object (&shared.vm);
  if (shared.initrd != NULL)
    g_unlink (shared.initrd);
  for (guint i = 0; share_names[i] != NULL; i++)
    {
      const char *files[] = { "note", "written" };
      g_autofree char *dir = g_build_filename (shared.temp_dir, share_names[i], NULL);

      for (guint j = 0; j < G_N_ELEMENTS (files); j++)
        {
          g_autofree char *file = g_build_filename (dir, files[j], NULL);

          g_unlink (file);
        }
      g_rmdir (dir);
    }
  g_rmdir (shared.temp_dir);
  g_free (shared.initrd);
  g_free (shared.run_dir);
  g_free (shared.temp_dir);
  return status;
}
