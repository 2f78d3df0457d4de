/* hello-host.c: runs `echo` in a compute system of the isolation that the
 * runtime options file (argv[1]) selects, on the built-in image (argv[2]).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <hcs/hcs.h>

#define CHECK(ok) do { if (!(ok)) return g_printerr ("hello-host: %s\n", error->message), 1; } while (0)

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsContainerConfig) config = hcs_container_config_new ();
  g_autoptr (HcsProcessConfig) echo = NULL;
  g_autoptr (HcsContainer) system = NULL;
  g_autoptr (HcsProcess) process = NULL;
  char output[256] = "";
  int exit_code = -1;

  if (argc != 3)
    return g_printerr ("usage: hello-host OPTIONS-FILE IMAGE-DIR\n"), 2;
  CHECK ((host = hcs_host_new_from_file (argv[1], &error)));
  CHECK ((config->volume_path = hcs_image_ensure_default (argv[2], NULL, &error)));
  CHECK ((system = hcs_host_create_container (host, "hello", config, NULL, &error)));
  CHECK (hcs_container_start (system, &error));
  CHECK ((echo = hcs_process_config_from_json (
              "{\"CommandLine\": \"echo hello from hcs\", \"CreateStdOutPipe\": true}", &error)));
  CHECK ((process = hcs_container_create_process (system, echo, &error)));
  CHECK (g_input_stream_read_all (hcs_process_get_stdout (process), output, sizeof output - 1,
                                  NULL, NULL, &error));
  CHECK (hcs_process_wait (process, NULL, &error));
  CHECK (hcs_process_get_exit_code (process, &exit_code, &error));
  g_print ("%s(exit code %d)\n", output, exit_code);
  CHECK (hcs_container_discard (system, &error));
  return exit_code;
}
