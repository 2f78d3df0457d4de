/* vm-boot.c: boots a VM through the VM library to its init and says so.
 *
 *   hcs-bench-vm-boot KERNEL INITRD q35|microvm   prints "ready" once the
 *       guest's init has written its line on the control port, then shuts
 *       the VM down (quit) and exits
 *   hcs-bench-vm-boot --tsc-khz                    prints the host's TSC kHz
 *
 * HCS_BENCH_VM_CONSOLE=FILE keeps the guest's console there.
 *
 * bench/vm-boot.sh times it against the same boot by plain qemu-system.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vm-machine.h"

#include <stdio.h>
#include <stdlib.h>

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

int
main (int argc, char **argv)
{
  g_autoptr (VmConfig) config = vm_config_new ();
  g_autoptr (VmMachine) vm = NULL;
  g_autoptr (GAsyncResult) started = NULL;
  g_autoptr (GAsyncResult) read = NULL;
  g_autoptr (GAsyncResult) stopped = NULL;
  g_autoptr (GDataInputStream) control = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  if (argc == 2 && g_str_equal (argv[1], "--tsc-khz"))
    {
      printf ("%u\n", vm_host_tsc_khz ());
      return 0;
    }
  if (argc != 4)
    {
      fprintf (stderr, "usage: hcs-bench-vm-boot KERNEL INITRD q35|microvm\n");
      return 2;
    }
  config->kernel = g_strdup (argv[1]);
  config->initrd = g_strdup (argv[2]);
  config->machine_type = g_str_equal (argv[3], "microvm") ? VM_MACHINE_TYPE_MICROVM
                                                          : VM_MACHINE_TYPE_Q35;
  config->append = g_strdup ("quiet panic=-1");
  /* To look at the guest's side of a boot: keep its console. */
  config->console_log = g_strdup (g_getenv ("HCS_BENCH_VM_CONSOLE"));
  g_ptr_array_add (config->boot_ports, g_strdup ("org.hcs.test.control"));

  vm = vm_machine_new (config, NULL);
  vm_machine_start_async (vm, NULL, result_cb, &started);
  if (!vm_machine_start_finish (vm, wait_for (&started), &error))
    {
      fprintf (stderr, "hcs-bench-vm-boot: %s\n", error->message);
      return 1;
    }
  control = g_data_input_stream_new (
    g_io_stream_get_input_stream (vm_machine_get_port (vm, "org.hcs.test.control")));
  g_data_input_stream_read_line_async (control, G_PRIORITY_DEFAULT, NULL, result_cb, &read);
  line = g_data_input_stream_read_line_finish_utf8 (control, wait_for (&read), NULL, &error);
  if (line == NULL)
    {
      fprintf (stderr, "hcs-bench-vm-boot: no line from the guest: %s\n",
               error ? error->message : "end of stream");
      vm_machine_kill (vm);
    }
  else
    {
      printf ("ready\n");
      fflush (stdout);
    }
  vm_machine_shutdown_async (vm, 0, NULL, result_cb, &stopped);
  vm_machine_shutdown_finish (vm, wait_for (&stopped), NULL);
  return line ? 0 : 1;
}
