/* test-xenon.c: plugins/xenon end to end, through the public API and hcsctl.
 *
 * One host is shared by the tests, in order, with its templates in the
 * suite's temporary folder and the guest's initramfs copied there (so
 * that a test can make the template stale by changing it). Each
 * container is a QEMU of its own (TCG here); the last test lets the
 * host go and checks nothing is left: no QEMU, no run folder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-common.h"
#include "test-vm-mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct
{
  char *temp_dir;
  char *templates_dir;
  char *initrd;
  HcsHost *host;
  char *first_template;
  char *layer_dir;
} shared;

/* Whether process @pid runs without transparent huge pages
 * (PR_SET_THP_DISABLE, inherited across exec). */
static gboolean
huge_pages_disabled (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "status", NULL);
  g_autofree char *status = NULL;

  return g_file_get_contents (path, &status, NULL, NULL) &&
         strstr (status, "\nTHP_enabled:\t0\n") != NULL;
}

/* How many of our QEMUs were restored from a template (-incoming, the
 * template's RAM mapped privately) rather than booted; with
 * @without_huge_pages, only those that run without transparent huge
 * pages. */
static guint
count_restored_full (gboolean without_huge_pages, gboolean under_kvm_only)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gboolean incoming = FALSE, private_ram = FALSE, kvm = FALSE;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &length, NULL) ||
          !g_str_has_prefix (cmdline, "qemu-system-"))
        continue;
      for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
        {
          incoming |= g_str_equal (cmdline + i, "-incoming");
          kvm |= g_str_equal (cmdline + i, "-accel") && i + strlen (cmdline + i) + 1 < length &&
                 g_str_has_prefix (cmdline + i + strlen (cmdline + i) + 1, "kvm");
          private_ram |= g_str_has_prefix (cmdline + i, "memory-backend-file,") &&
                         strstr (cmdline + i, shared.templates_dir) != NULL &&
                         g_str_has_suffix (cmdline + i, ",share=off");
        }
      if (incoming && private_ram && (!without_huge_pages || huge_pages_disabled (name)) &&
          (!under_kvm_only || kvm))
        count++;
    }
  return count;
}

static guint
count_restored (gboolean without_huge_pages)
{
  return count_restored_full (without_huge_pages, FALSE);
}

static guint
count_restored_qemus (void)
{
  return count_restored (FALSE);
}

/* The templates in the suite's folder: nothing else stays there (a
 * template's lock file goes once it is made). */
static GPtrArray *
list_templates (void)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (shared.templates_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".lock"))
        g_error ("a template's lock file is left behind: %s", name);
      g_ptr_array_add (names, g_strdup (name));
    }
  return names;
}

static HcsContainerConfig *
make_config (const char *script)
{
  HcsContainerConfig *config = hcs_container_config_new ();
  const char *argv[] = { "sh", "-c", script, NULL };

  config->owner = g_strdup ("test-xenon");
  /* No root file system: the guest's busybox image. */
  config->process = hcs_process_config_new ();
  config->process->command_args = g_strdupv ((char **) argv);
  config->process->create_stdout_pipe = TRUE;
  return config;
}

/* Runs @script as the init of a new container @id, gives its stdout and
 * checks its exit code is 0; the container is left for the caller. */
static HcsContainer *
run_config (HcsHost *host, const char *id, const HcsContainerConfig *config,
            GKeyFile *system_options, char **out)
{
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  int exit_code = -1;

  container = hcs_host_create_container (host, id, config, system_options, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  *out = test_read_all (hcs_process_get_stdout (init));
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 0);
  return g_steal_pointer (&container);
}

static HcsContainer *
run_script (const char *id, const char *script, GKeyFile *system_options, char **out)
{
  g_autoptr (HcsContainerConfig) config = make_config (script);

  return run_config (shared.host, id, config, system_options, out);
}

static void
remove_container (HcsContainer *container)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

#define IDENTITY_SCRIPT                                                                          \
  "cat /proc/sys/kernel/random/boot_id; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'; " \
  "echo; hostname"

/* Two containers restored from one template: one VM each, and neither
 * the random streams, nor the boot id, nor the host name are shared. */
static void
test_two_clones (void)
{
  g_autoptr (HcsContainer) first = NULL, second = NULL;
  g_autofree char *first_out = NULL, *second_out = NULL;
  g_auto (GStrv) first_lines = NULL, second_lines = NULL;
  g_autoptr (GPtrArray) templates = NULL;

  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  first = run_script ("xenon-a", IDENTITY_SCRIPT, NULL, &first_out);
  templates = list_templates ();
  /* The first create made the template. */
  g_assert_cmpuint (templates->len, ==, 1);
  shared.first_template = g_strdup (templates->pdata[0]);
  second = run_script ("xenon-b", IDENTITY_SCRIPT, NULL, &second_out);
  g_clear_pointer (&templates, g_ptr_array_unref);
  templates = list_templates ();
  g_assert_cmpuint (templates->len, ==, 1);
  /* A VM each, both restored from the template. */
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 2);
  g_assert_cmpuint (count_restored_qemus (), ==, 2);
  /* Under TCG their code buffers are not in 2 MiB pages (the PSS each
   * clone costs); KVM keeps huge pages. Which one runs is the QEMUs' own
   * -accel: a /dev/kvm without VMX or SVM (kvm_pvm) is TCG's. */
  g_assert_cmpuint (count_restored (TRUE), ==, 2 - count_restored_full (FALSE, TRUE));

  g_test_message ("first: %s", first_out);
  g_test_message ("second: %s", second_out);
  first_lines = g_strsplit (first_out, "\n", -1);
  second_lines = g_strsplit (second_out, "\n", -1);
  g_assert_cmpuint (g_strv_length (first_lines), ==, 4);
  g_assert_cmpuint (g_strv_length (second_lines), ==, 4);
  /* boot_id is made on its first read, after the agent reseeded. */
  g_assert_cmpuint (strlen (first_lines[0]), ==, 36);
  g_assert_cmpstr (first_lines[0], !=, second_lines[0]);
  g_assert_cmpuint (strlen (first_lines[1]), ==, 64);
  g_assert_cmpstr (first_lines[1], !=, second_lines[1]);
  g_assert_cmpstr (first_lines[2], ==, "xenon-a");
  g_assert_cmpstr (second_lines[2], ==, "xenon-b");

  remove_container (first);
  remove_container (second);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
}

/* Stdio both ways, an exec, a process list, statistics with QEMU's own
 * figures, terminate and remove. */
static void
test_exec_and_terminate (void)
{
  g_autoptr (HcsContainerConfig) config = make_config ("read line; echo got $line; exec sleep 1000");
  g_autoptr (HcsProcessConfig) process = hcs_process_config_new ();
  const char *argv[] = { "sh", "-c", "echo from exec; ps -o args; exit 3", NULL };
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL, exec = NULL;
  g_autoptr (HcsStatistics) stats = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  char line[64] = { 0 };
  gssize length;
  int exit_code = -1;

  config->process->create_stdin_pipe = TRUE;
  container = hcs_host_create_container (shared.host, "xenon-exec", config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (hcs_process_get_stdin (init), "ping\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  length = g_input_stream_read (hcs_process_get_stdout (init), line, sizeof line - 1, NULL,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpint (length, >, 0);
  g_assert_cmpstr (line, ==, "got ping\n");

  process->command_args = g_strdupv ((char **) argv);
  process->create_stdout_pipe = TRUE;
  exec = hcs_container_create_process (container, process, &error);
  g_assert_no_error (error);
  out = test_read_all (hcs_process_get_stdout (exec));
  g_assert_true (g_str_has_prefix (out, "from exec\n"));
  g_assert_nonnull (strstr (out, "sleep 1000"));
  g_assert_null (strstr (out, "hcs-gcs"));
  g_assert_true (hcs_process_wait_timeout (exec, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (exec, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 3);

  stats = hcs_container_get_statistics (container, &error);
  g_assert_no_error (error);
  /* QEMU's resident memory: at least the guest's kernel. */
  g_assert_cmpuint (stats->memory_usage_private_working_set_bytes, >, 1024 * 1024);
  g_assert_cmpuint (stats->processor_total_runtime_100ns, >, 0);
  props = hcs_container_get_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->isolation, ==, "hyperv");
  g_assert_cmpstr (props->state, ==, "Running");

  /* Paused: the vCPUs stop, the last properties say so. */
  g_assert_true (hcs_container_pause (container, &error));
  g_assert_no_error (error);
  g_clear_pointer (&props, hcs_container_properties_free);
  props = hcs_container_get_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Paused");
  g_assert_false (hcs_container_pause (container, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (hcs_container_resume (container, &error));
  g_assert_no_error (error);

  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_wait_timeout (init, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_process_get_exit_code (init, &exit_code, &error));
  g_assert_cmpint (exit_code, ==, 128 + SIGKILL);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  listed = hcs_host_list_containers (shared.host, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
}

static gpointer
create_fresh_thread (gpointer data)
{
  g_autofree char *out = NULL;
  HcsContainer *container = run_script (data, "echo fresh", NULL, &out);

  g_assert_cmpstr (out, ==, "fresh\n");
  return container;
}

/* A changed initramfs makes the template stale: the next creates make a
 * new one, once though two ask at the same time, and the old one goes. */
static void
test_stale_template (void)
{
  g_autoptr (HcsContainer) first = NULL, second = NULL;
  g_autoptr (GPtrArray) templates = NULL;
  GThread *threads[2];
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_nonnull (shared.first_template);
  /* Trailing zeros are padding to the kernel's unpacker: a valid
   * initramfs with another size and time. */
  g_assert_true (g_file_get_contents (shared.initrd, &contents, &length, &error));
  contents = g_realloc (contents, length + 4096);
  memset (contents + length, 0, 4096);
  g_assert_true (g_file_set_contents (shared.initrd, contents, length + 4096, &error));
  g_assert_no_error (error);

  threads[0] = g_thread_new ("create-1", create_fresh_thread, "xenon-stale-1");
  threads[1] = g_thread_new ("create-2", create_fresh_thread, "xenon-stale-2");
  first = g_thread_join (threads[0]);
  second = g_thread_join (threads[1]);
  /* Both restored from the one new template; the stale one is gone. */
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 2);
  g_assert_cmpuint (count_restored_qemus (), ==, 2);
  templates = list_templates ();
  g_assert_cmpuint (templates->len, ==, 1);
  g_assert_cmpstr (templates->pdata[0], !=, shared.first_template);
  remove_container (first);
  remove_container (second);
}

/* [xenon] template=false boots: no template is made or used. Asked for
 * as hcsshim's callers do: HvPartition in a host whose default is process
 * isolation, HvRuntime.ImagePath naming the kernel's folder. */
static void
test_cold_boot (void)
{
  g_autoptr (GKeyFile) options = test_make_options (shared.temp_dir);
  g_autoptr (GKeyFile) system_options = g_key_file_new ();
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = make_config ("echo cold; hostname");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GPtrArray) before = list_templates ();
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *image_dir = g_build_filename (shared.temp_dir, "image", NULL);
  g_autofree char *kernel = g_build_filename (image_dir, "vmlinux", NULL);
  g_autofree char *out = NULL;

  g_assert_cmpint (g_mkdir (image_dir, 0755), ==, 0);
  g_assert_cmpint (symlink (XENON_KERNEL, kernel), ==, 0);
  g_key_file_set_string (options, "host", "isolation", "process");
  g_key_file_set_string (options, "xenon", "initrd", shared.initrd);
  host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  config->hv_partition = TRUE;
  config->hv_runtime_image_path = g_strdup (image_dir);
  g_key_file_set_boolean (system_options, "xenon", "template", FALSE);
  container = run_config (host, "xenon-cold", config, system_options, &out);
  g_assert_cmpstr (out, ==, "cold\nxenon-cold\n");
  props = hcs_container_get_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->isolation, ==, "hyperv");
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 1);
  g_assert_cmpuint (count_restored_qemus (), ==, 0);
  after = list_templates ();
  g_assert_cmpuint (after->len, ==, before->len);
  remove_container (container);
  g_clear_object (&host);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
}

/* A QEMU killed under a running container: its wait ends with
 * UnexpectedExit, its properties say so, and nothing of the VM is left. */
static void
test_killed_qemu (void)
{
  g_autoptr (HcsContainerConfig) config = make_config ("exec sleep 1000");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *run_dir = NULL;
  gsize length = 0;
  GPid qemu = 0;

  container = hcs_host_create_container (shared.host, "xenon-doomed", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  /* Its run folder, from QEMU's command line (the QMP socket is in it). */
  cmdline_path = g_strdup_printf ("/proc/%d/cmdline", (int) qemu);
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, &length, NULL));
  for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
    if (g_str_has_prefix (cmdline + i, "file,id=console,path="))
      run_dir = g_path_get_dirname (cmdline + i + strlen ("file,id=console,path="));
  g_assert_nonnull (run_dir);
  g_assert_true (g_file_test (run_dir, G_FILE_TEST_IS_DIR));

  g_assert_cmpint (kill (qemu, SIGKILL), ==, 0);
  g_assert_false (hcs_container_wait_timeout (container, 120000, NULL, &error));
  g_assert_error (error, HCS_ERROR, HCS_ERROR_UNEXPECTED_EXIT);
  g_clear_error (&error);
  props = hcs_container_get_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_cmpstr (props->exit_type, ==, "UnexpectedExit");
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  /* No run folder, and no RAM of its own anywhere: the clone's RAM was
   * a private mapping of the template's file. */
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}

/* QEMU @pid's disk files: the file names of its -blockdev options. */
static GPtrArray *
qemu_disk_files (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *cmdline = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &cmdline, &length, NULL));
  for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
    {
      const char *file = strstr (cmdline + i, "file.filename=");

      if (g_str_has_prefix (cmdline + i, "driver=") && file != NULL)
        g_ptr_array_add (files, g_strdup (file + strlen ("file.filename=")));
    }
  return files;
}

static void
writer_add_file (HcsLayerWriter *writer, const char *path, guint32 mode, const char *source,
                 const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (source != NULL)
    g_assert_true (g_file_get_contents (source, &contents, &length, &error));
  else
    {
      contents = g_strdup (text);
      length = strlen (text);
    }
  g_assert_true (hcs_layer_writer_add (writer, path, S_IFREG | mode, 0, 0, 1700000000, length,
                                       NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_layer_writer_write (writer, contents, length, &error));
  g_assert_no_error (error);
}

/* Two layers in the host's store: busybox, and a file on top. */
static void
make_layers (HcsLayerStore *store)
{
  const char *applets[] = { "sh", "cat", "echo", "ls", NULL };
  g_autoptr (HcsLayerWriter) base = NULL;
  g_autoptr (HcsLayerWriter) top = NULL;
  g_autoptr (HcsLayerInfo) base_info = NULL;
  g_autoptr (HcsLayerInfo) top_info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *busybox = g_find_program_in_path ("busybox");

  g_assert_nonnull (busybox);
  base = hcs_layer_store_new_writer (store, "xenon-base", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_layer_writer_add (base, "bin", S_IFDIR | 0755, 0, 0, 1700000000, 0, NULL,
                                       &error));
  writer_add_file (base, "bin/busybox", 0755, busybox, NULL);
  for (guint i = 0; applets[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("bin/%s", applets[i]);

      g_assert_true (hcs_layer_writer_add (base, path, S_IFLNK | 0777, 0, 0, 1700000000, 0,
                                           "busybox", &error));
      g_assert_no_error (error);
    }
  writer_add_file (base, "motd", 0644, NULL, "from the base\n");
  base_info = hcs_layer_writer_commit (base, &error);
  g_assert_no_error (error);
  top = hcs_layer_store_new_writer (store, "xenon-top", "xenon-base", &error);
  g_assert_no_error (error);
  writer_add_file (top, "motd", 0644, NULL, "from the top\n");
  top_info = hcs_layer_writer_commit (top, &error);
  g_assert_no_error (error);
}

static HcsContainerConfig *
make_layers_config (const char *script, guint n_layers)
{
  HcsContainerConfig *config = make_config (script);

  config->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_layer_free);
  for (guint i = 0; i < n_layers; i++)
    {
      HcsLayer *layer = g_new0 (HcsLayer, 1);

      layer->id = g_strdup (i == 0 ? "xenon-top" : "xenon-base");
      g_ptr_array_add (config->layers, layer);
    }
  return config;
}

/* Layers of the host's store as the root, on the template's disk slots:
 * two clones at once, each its own scratch (one's write is not seen by
 * the other), the layer images made once and shared; each clone's
 * scratch goes with it. */
static void
test_layers (void)
{
  g_autoptr (HcsLayerStore) store = hcs_layer_store_new (shared.layer_dir, NULL);
  g_autoptr (HcsContainerConfig) writer = make_layers_config (
      "cat /motd; echo changed > /motd; cat /motd; ls /bin/busybox", 2);
  g_autoptr (HcsContainerConfig) reader = make_layers_config ("cat /motd", 2);
  g_autoptr (HcsContainer) first = NULL, second = NULL;
  g_autoptr (GPtrArray) files = NULL;
  g_autofree char *out = NULL;
  GPid qemu = 0;

  g_assert_nonnull (store);
  make_layers (store);
  first = run_config (shared.host, "xenon-layers-1", writer, NULL, &out);
  g_assert_cmpstr (out, ==, "from the top\nchanged\n/bin/busybox\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  /* Two layer images of the store's and a scratch of its own. */
  files = qemu_disk_files (qemu);
  g_assert_cmpuint (files->len, ==, 3);
  second = run_config (shared.host, "xenon-layers-2", reader, NULL, &out);
  g_assert_cmpstr (out, ==, "from the top\n");
  g_assert_cmpuint (count_restored_qemus (), ==, 2);
  remove_container (first);
  remove_container (second);
  for (guint i = 0; i < files->len; i++)
    g_assert_cmpint (g_file_test (files->pdata[i], G_FILE_TEST_EXISTS), ==,
                     strstr (files->pdata[i], shared.layer_dir) != NULL);
}

/* A root file system of the host's (VolumePath) runs, from its own image. */
static void
test_volume_path (void)
{
  g_autoptr (HcsContainerConfig) config = make_config ("ls /bin/busybox; echo root > /written");
  g_autoptr (HcsContainer) container = NULL;
  g_autofree char *out = NULL;
  g_autofree char *written = NULL;

  config->volume_path = g_strdup (test_get_busybox_rootfs ());
  container = run_config (shared.host, "xenon-volume", config, NULL, &out);
  g_assert_cmpstr (out, ==, "/bin/busybox\n");
  /* Written to its scratch, not to the host's folder. */
  written = g_build_filename (config->volume_path, "written", NULL);
  g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
  remove_container (container);
}

/* A console: the init's pty in the guest, relayed over its stdio ports,
 * its size the config's, then resized through the agent. */
static void
test_pty (void)
{
  g_autoptr (HcsContainerConfig) config =
      make_config ("stty size; read line; stty size; test -t 1 && echo tty");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  char buffer[256];
  gssize got;

  config->process->emulate_console = TRUE;
  config->process->console_height = 30;
  config->process->console_width = 100;
  container = hcs_host_create_container (shared.host, "xenon-pty", config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_null (hcs_process_get_stderr (init));
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  /* The whole line before any input: the guest's pty echoes input as it
   * comes, which can land between a line and its \r\n. */
  while (strstr (seen->str, "30 100\r\n") == NULL &&
         (got = g_input_stream_read (hcs_process_get_stdout (init), buffer, sizeof buffer, NULL,
                                     &error)) > 0)
    g_string_append_len (seen, buffer, got);
  g_assert_no_error (error);
  g_assert_true (hcs_process_resize_console (init, 120, 40, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (hcs_process_get_stdin (init), "go\n", 3, NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  while ((got = g_input_stream_read (hcs_process_get_stdout (init), buffer, sizeof buffer, NULL,
                                     &error)) > 0)
    g_string_append_len (seen, buffer, got);
  g_assert_no_error (error);
  {
    g_autofree char *escaped = g_strescape (seen->str, NULL);

    g_test_message ("the console showed: %s", escaped);
  }
  /* The pty's line discipline ends lines with \r\n. */
  g_assert_nonnull (strstr (seen->str, "30 100\r\n"));
  g_assert_nonnull (strstr (seen->str, "40 120\r\n"));
  g_assert_nonnull (strstr (seen->str, "tty\r\n"));
  remove_container (container);
}

/* runc's --console-socket in its VM (test-common.c). */
static void
test_console_socket (void)
{
  g_autoptr (HcsContainerConfig) config = make_config ("true");
  g_autofree char *socket_path = g_build_filename (shared.temp_dir, "console.sock", NULL);

  test_console_socket_api (shared.host, config, "xenon-console", socket_path);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
}

static HcsMappedDirectory *
map_directory (HcsContainerConfig *config, const char *host_path, const char *container_path,
               gboolean read_only)
{
  HcsMappedDirectory *mapped = g_new0 (HcsMappedDirectory, 1);

  if (config->mapped_directories == NULL)
    config->mapped_directories =
        g_ptr_array_new_with_free_func ((GDestroyNotify) hcs_mapped_directory_free);
  mapped->host_path = g_strdup (host_path);
  mapped->container_path = g_strdup (container_path);
  mapped->read_only = read_only;
  g_ptr_array_add (config->mapped_directories, mapped);
  return mapped;
}

#define SHARE_PREFIX "local,id=fs-hcs.rw,path="

/* The running container's folder on the host: the one behind its QEMU's
 * hcs.rw share. */
static char *
find_storage_dir (void)
{
  g_autofree char *cmdline_path = NULL, *cmdline = NULL;
  char *storage_dir = NULL;
  gsize length = 0;
  GPid qemu = 0;

  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  cmdline_path = g_strdup_printf ("/proc/%d/cmdline", (int) qemu);
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, &length, NULL));
  for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
    if (g_str_has_prefix (cmdline + i, SHARE_PREFIX))
      {
        const char *path = cmdline + i + strlen (SHARE_PREFIX);
        g_autofree char *share = g_strndup (path, strcspn (path, ","));

        g_free (storage_dir);
        storage_dir = g_path_get_dirname (share);
      }
  g_assert_nonnull (storage_dir);
  g_assert_true (g_file_test (storage_dir, G_FILE_TEST_IS_DIR));
  return storage_dir;
}

/* Mapped directories over the template's virtio-9p shares, restored with
 * this clone's folders behind them: the host's file read, a write through
 * a writable mapping seen on the host, one through a ReadOnly mapping
 * refused; the binds go with the container. */
static void
test_mapped_directories (void)
{
  g_autofree char *rw_dir = g_build_filename (shared.temp_dir, "mapped-rw", NULL);
  g_autofree char *ro_dir = g_build_filename (shared.temp_dir, "mapped-ro", NULL);
  g_autofree char *note = g_build_filename (ro_dir, "note", NULL);
  g_autofree char *written = g_build_filename (rw_dir, "written", NULL);
  g_autofree char *refused = g_build_filename (ro_dir, "refused", NULL);
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autoptr (HcsContainerConfig) config = make_config (
      "cat /ro/note; echo guest > /rw/written; echo no > /ro/refused 2>/dev/null || echo refused");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *storage_dir = NULL;
  g_autofree char *mountinfo = NULL;

  g_assert_cmpint (g_mkdir (rw_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (ro_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (note, "from the host\n", -1, &error));
  map_directory (config, rw_dir, "/rw", FALSE);
  map_directory (config, ro_dir, "/ro", TRUE);
  container = run_config (shared.host, "xenon-mapped", config, NULL, &out);
  g_assert_cmpstr (out, ==, "from the host\nrefused\n");
  g_assert_cmpuint (count_restored_qemus (), ==, 1);
  g_assert_true (g_file_get_contents (written, &text, NULL, &error));
  g_assert_cmpstr (text, ==, "guest\n");
  g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));
  storage_dir = find_storage_dir ();
  remove_container (container);
  /* Its binds and folders went with it. */
  g_assert_false (g_file_test (storage_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_null (strstr (mountinfo, storage_dir));
  g_assert_null (strstr (mountinfo, rw_dir));
}

static HcsContainerConfig *
make_true_config (void)
{
  return make_config ("true");
}

/* An OCI config's mounts in a restored clone, as podman gives them:
 * binds of host folders (read-write, read-only) and of a file through the
 * shares, a tmpfs the guest makes; another type and a missing source
 * refused before any VM starts, naming the mount. Nothing left after. */
static void
test_oci_mounts (void)
{
  g_autoptr (HcsContainerConfig) config = make_config (test_vm_mounts_argv[2]);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *storage_dir = NULL;
  g_autofree char *mountinfo = NULL;
  g_autofree char *out = NULL;
  TestVmMounts mounts = { 0 };

  test_vm_mounts_add (&mounts, shared.temp_dir, config);
  container = run_config (shared.host, "xenon-mounts", config, NULL, &out);
  test_vm_mounts_check (&mounts, out);
  g_assert_cmpuint (count_restored_qemus (), ==, 1);
  storage_dir = find_storage_dir ();
  remove_container (container);
  g_assert_false (g_file_test (storage_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_null (strstr (mountinfo, storage_dir));

  test_vm_mounts_check_refused (&mounts, shared.host, "xenon-mounts-refused", shared.temp_dir,
                                make_true_config);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  test_vm_mounts_clear (&mounts);
}

/* An init whose stdio are descriptors of the caller's (what a monitor
 * hands on for runc's create), pumped from the VM's ports: once its wait
 * returns, everything it wrote is in them, as with argon; remove leaves
 * the caller's descriptors as they were. */
static void
test_given_stdio_drained (void)
{
  g_autoptr (HcsContainerConfig) config = make_config ("seq 1 30000; echo to-stderr >&2");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out_path = g_build_filename (shared.temp_dir, "given-out", NULL);
  g_autofree char *err_path = g_build_filename (shared.temp_dir, "given-err", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;
  int in_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_fd = open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = open (err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (in_fd, >=, 0);
  g_assert_cmpint (out_fd, >=, 0);
  g_assert_cmpint (err_fd, >=, 0);
  config->process->create_stdout_pipe = FALSE;
  config->process->use_stdio_fds = TRUE;
  config->process->stdio_fds[0] = in_fd;
  config->process->stdio_fds[1] = out_fd;
  config->process->stdio_fds[2] = err_fd;
  container = hcs_host_create_container (shared.host, "xenon-given", config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_container_wait_timeout (container, -1, NULL, &error));
  g_assert_no_error (error);
  /* Read at once: no second chance for a pump still at work. */
  g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
  g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 30001);
  g_assert_cmpstr (lines[29999], ==, "30000");
  g_assert_cmpstr (err, ==, "to-stderr\n");
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
  /* The caller's descriptors are still its own. */
  g_assert_cmpint (fcntl (out_fd, F_GETFD), >=, 0);
  close (in_fd);
  close (out_fd);
  close (err_fd);
}

/* The taps hcs made in the test's network namespace. */
static guint
count_taps (void)
{
  /* Not /sys/class/net: sysfs shows the namespace of whoever mounted it. */
  struct if_nameindex *links = if_nameindex ();
  guint count = 0;

  g_assert_nonnull (links);
  for (struct if_nameindex *link = links; link->if_index != 0; link++)
    if (g_str_has_prefix (link->if_name, "hcst"))
      count++;
  if_freenameindex (links);
  return count;
}

static gpointer
accept_thread (gpointer data)
{
  GSocketListener *listener = data;
  g_autoptr (GSocketConnection) connection = NULL;
  char buffer[64] = { 0 };
  gsize length = 0;

  connection = g_socket_listener_accept (listener, NULL, NULL, NULL);
  if (connection == NULL)
    return NULL;
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                           sizeof buffer - 1, &length, NULL, NULL);
  return g_strndup (buffer, length);
}

/* An hns endpoint as a tap on its bridge behind the template's NIC: the
 * restored guest gives the NIC the endpoint's MAC (it had the
 * template's), and the container reaches the host side of its network
 * (ICMP and TCP to the gateway) with the network's DNS. The endpoint's
 * QoS reaches the tap (its policer), and goes with it. Nothing is left:
 * no tap, no rule, no link, no table. The suite runs in a network
 * namespace of its own (main). */
static void
test_network (void)
{
  g_autoptr (HcsNetworkConfig) network_config = hcs_network_config_from_json (
      "{\"Name\": \"xenon-net\", \"Type\": \"Internal\", \"DNSServerList\": \"10.233.7.53\", "
      "\"DNSSuffix\": \"xenon.test\", \"Subnets\": [{\"AddressPrefix\": \"10.233.7.0/24\", "
      "\"GatewayAddress\": \"10.233.7.1\"}]}",
      NULL);
  g_autoptr (HcsNetwork) network = NULL;
  g_autoptr (HcsEndpoint) endpoint = NULL;
  g_autoptr (HcsContainerConfig) config = NULL;
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GSocketAddress) gateway = g_inet_socket_address_new_from_string ("10.233.7.1", 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL, *out = NULL, *received = NULL, *address = NULL;
  g_autofree char *links = NULL, *tables = NULL, *mac = NULL;
  g_autofree char *list_table = NULL, *rules = NULL, *policer = NULL;
  GThread *acceptor;
  int status;

  g_assert_nonnull (network_config);
  network = hcs_host_create_network (shared.host, network_config, &error);
  g_assert_no_error (error);
  endpoint = hcs_network_create_endpoint (network, "xenon-endpoint", NULL, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("%s/24", hcs_endpoint_get_ip_address (endpoint));
  mac = g_ascii_strdown (hcs_endpoint_get_mac_address (endpoint), -1);
  g_strdelimit (mac, "-", ':');
  /* 10 MB/s: a ping and a line of TCP pass it. */
  g_assert_true (hcs_endpoint_set_bandwidth_limit (endpoint, 10000000, &error));
  g_assert_no_error (error);
  list_table = g_strdup_printf ("nft list table bridge hcs_%.8s", hcs_network_get_id (network));
  {
    g_autoptr (GString) tap = g_string_new ("hcst");

    for (const char *p = hcs_endpoint_get_id (endpoint); *p != '\0' && tap->len < 15; p++)
      if (g_ascii_isalnum (*p))
        g_string_append_c (tap, g_ascii_tolower (*p));
    policer = g_strdup_printf ("iifname \"%s\" limit rate over 10000000 bytes/second", tap->str);
  }
  g_assert_true (g_socket_listener_add_address (listener, gateway, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  acceptor = g_thread_new ("accept", accept_thread, listener);

  script = g_strdup_printf (
      "ip -o -4 addr show; cat /sys/class/net/eth0/address; cat /etc/resolv.conf; "
      "ping -c 1 -W 20 10.233.7.1 && echo PING-OK; "
      "echo hello-tcp | nc 10.233.7.1 %u && echo NC-OK",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  config = make_config (script);
  config->endpoint_list = g_new0 (char *, 2);
  config->endpoint_list[0] = g_strdup (hcs_endpoint_get_id (endpoint));
  container = run_config (shared.host, "xenon-network", config, NULL, &out);
  g_test_message ("the container said:\n%s", out);
  g_assert_cmpuint (count_restored_qemus (), ==, 1);
  g_assert_cmpuint (count_taps (), ==, 1);
  g_assert_nonnull (strstr (out, "eth0"));
  g_assert_nonnull (strstr (out, address));
  g_assert_nonnull (strstr (out, mac));
  g_assert_nonnull (strstr (out, "nameserver 10.233.7.53"));
  g_assert_nonnull (strstr (out, "search xenon.test"));
  g_assert_nonnull (strstr (out, "PING-OK"));
  g_assert_nonnull (strstr (out, "NC-OK"));
  received = g_thread_join (acceptor);
  g_assert_cmpstr (received, ==, "hello-tcp\n");
  g_assert_true (g_spawn_command_line_sync (list_table, &rules, NULL, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s:\n%s", list_table, rules);
  g_assert_nonnull (strstr (rules, policer));
  g_clear_pointer (&rules, g_free);
  remove_container (container);
  g_clear_object (&container);
  g_assert_cmpuint (count_taps (), ==, 0);
  g_assert_true (g_spawn_command_line_sync (list_table, &rules, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (rules, "hcs-port-"));
  g_socket_listener_close (listener);
  g_assert_true (hcs_endpoint_remove (endpoint, &error));
  g_assert_no_error (error);
  g_assert_true (hcs_network_remove (network, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_command_line_sync ("ip -o link show", &links, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (links, "hcs"));
  g_assert_true (g_spawn_command_line_sync ("nft list tables", &tables, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (tables, "hcs"));
}

/* More layers than the VM has disk slots, an endpoint that does not
 * exist: refused, no VM started. */
/* A guest that does not answer (its QEMU stopped with SIGSTOP) cannot
 * hold a terminate: after the guard QEMU is killed, and the container is
 * Stopped with ForcedExit and 137; nothing of the VM is left. */
static void
test_terminate_hung (void)
{
  g_autoptr (HcsContainerConfig) config = make_config ("echo up; exec sleep 1000");
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (HcsProcess) init = NULL;
  g_autoptr (HcsContainerProperties) props = NULL;
  g_autoptr (GError) error = NULL;
  char buffer[8];
  GPid qemu = 0;

  container = hcs_host_create_container (shared.host, "xenon-hung", config, NULL, &error);
  g_assert_no_error (error);
  init = hcs_container_get_init_process (container, &error);
  g_assert_no_error (error);
  g_assert_true (hcs_container_start (container, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_input_stream_read (hcs_process_get_stdout (init), buffer, 3, NULL, &error),
                   ==, 3);
  g_assert_cmpuint (test_find_child_qemus (&qemu), ==, 1);
  g_assert_cmpint (kill (qemu, SIGSTOP), ==, 0);
  g_assert_true (hcs_container_terminate (container, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  g_assert_true (hcs_container_wait_timeout (container, 0, NULL, &error));
  g_assert_no_error (error);
  props = hcs_container_get_properties (container, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (props->state, ==, "Stopped");
  g_assert_cmpstr (props->exit_type, ==, "ForcedExit");
  g_assert_cmpint (props->exit_code, ==, 128 + SIGKILL);
  g_assert_false (hcs_container_terminate (container, &error));
  g_assert_true (hcs_error_is_already_stopped (error));
  g_clear_error (&error);
  g_assert_true (hcs_container_remove (container, &error));
  g_assert_no_error (error);
}

static void
test_refused (void)
{
  g_autoptr (HcsContainerConfig) config = make_layers_config ("true", 5);
  g_autoptr (HcsContainer) container = NULL;
  g_autoptr (GError) error = NULL;

  container = hcs_host_create_container (shared.host, "xenon-refused", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "disk slots"));
  g_clear_error (&error);
  g_clear_pointer (&config, hcs_container_config_free);

  /* An endpoint that does not exist: no VM, no tap. */
  config = make_config ("true");
  config->endpoint_list = g_new0 (char *, 2);
  config->endpoint_list[0] = g_strdup ("5b9c2a1e-0000-4000-8000-000000000000");
  container = hcs_host_create_container (shared.host, "xenon-refused", config, NULL, &error);
  g_assert_null (container);
  g_assert_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "EndpointList[0]"));
  g_assert_cmpuint (count_taps (), ==, 0);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
}

static void
test_nothing_left (void)
{
  g_clear_object (&shared.host);
  g_assert_cmpuint (test_find_child_qemus (NULL), ==, 0);
  test_assert_no_leftovers (shared.temp_dir);
}

static void
test_hcsctl_run (void)
{
  const char *hcsctl = g_getenv ("HCSCTL");
  g_autofree char *options_file = g_build_filename (shared.temp_dir, "options.ini", NULL);
  g_autofree char *options_text = g_strdup_printf ("[xenon]\ntemplate-dir=%s\ninitrd=%s\n",
                                                   shared.templates_dir, shared.initrd);
  const char *argv[] = { hcsctl, "--options", options_file, "run", "--isolation", "hyperv",
                         "--", "sh", "-c", "echo hi; exit 3", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_nonnull (hcsctl);
  g_assert_true (g_file_set_contents (options_file, options_text, -1, &error));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("hcsctl said: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_assert_cmpstr (out, ==, "hi\n");
}

int
main (int argc, char **argv)
{
  g_autoptr (GKeyFile) options = NULL;
  g_autoptr (GError) error = NULL;
  const char *initrd = g_getenv ("HCS_XENON_INITRD");
  g_autofree char *contents = NULL;
  gsize length = 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Taps and bridges in a network namespace of the test's own: every
   * thread and QEMU made from now on is in it. */
  if (unshare (CLONE_NEWNET) < 0)
    g_error ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
  shared.temp_dir = test_make_temp_dir ("hcs-test-xenon");
  shared.templates_dir = g_build_filename (shared.temp_dir, "templates", NULL);
  shared.initrd = g_build_filename (shared.temp_dir, "hcs-gcs-initramfs.cpio", NULL);
  if (initrd == NULL || !g_file_get_contents (initrd, &contents, &length, &error) ||
      !g_file_set_contents (shared.initrd, contents, length, &error))
    g_error ("no guest initramfs (%s): run scripts/setup.sh, then reconfigure",
             error ? error->message : "HCS_XENON_INITRD is not set");
  g_clear_pointer (&contents, g_free);
  options = test_make_options (shared.temp_dir);
  g_key_file_set_string (options, "host", "isolation", "hyperv");
  g_key_file_set_string (options, "xenon", "template-dir", shared.templates_dir);
  g_key_file_set_string (options, "xenon", "initrd", shared.initrd);
  shared.layer_dir = g_build_filename (shared.temp_dir, "layers", NULL);
  g_key_file_set_string (options, "host", "layer-dir", shared.layer_dir);
  shared.host = hcs_host_new (options, &error);
  g_assert_no_error (error);
  g_test_add_func ("/xenon/two-clones", test_two_clones);
  g_test_add_func ("/xenon/exec-and-terminate", test_exec_and_terminate);
  g_test_add_func ("/xenon/stale-template", test_stale_template);
  g_test_add_func ("/xenon/cold-boot", test_cold_boot);
  g_test_add_func ("/xenon/killed-qemu", test_killed_qemu);
  g_test_add_func ("/xenon/layers", test_layers);
  g_test_add_func ("/xenon/volume-path", test_volume_path);
  g_test_add_func ("/xenon/pty", test_pty);
  g_test_add_func ("/xenon/console-socket", test_console_socket);
  g_test_add_func ("/xenon/mapped-directories", test_mapped_directories);
  g_test_add_func ("/xenon/oci-mounts", test_oci_mounts);
  g_test_add_func ("/xenon/given-stdio-drained", test_given_stdio_drained);
  g_test_add_func ("/xenon/network", test_network);
  g_test_add_func ("/xenon/terminate-hung", test_terminate_hung);
  g_test_add_func ("/xenon/refused", test_refused);
  g_test_add_func ("/xenon/nothing-left", test_nothing_left);
  g_test_add_func ("/xenon/hcsctl-run", test_hcsctl_run);
  status = g_test_run ();
  g_clear_object (&shared.host);
  test_cleanup_cgroup_parent ();
  test_remove_tree (shared.temp_dir);
  g_free (shared.temp_dir);
  g_free (shared.templates_dir);
  g_free (shared.initrd);
  g_free (shared.first_template);
  g_free (shared.layer_dir);
  return status;
}
