/* hello.c: a container from the built-in busybox image runs one command.
 * cc hello.c $(pkg-config --cflags --libs hcs) && sudo ./a.out */
#include <hcs.h>

static int
fail (const GError *error)
{
  g_printerr ("hello: %s\n", error->message);
  return 1;
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = hcs_host_new (NULL, &error);
  if (!host)
    return fail (error);
  g_autoptr (HcsContainerConfig) config = hcs_container_config_from_json (
      "{\"VolumePath\": \"/var/lib/hcs/images/busybox\"}", NULL, &error);
  g_autoptr (HcsContainer) box = hcs_host_create_container (host, "hello", config, NULL, &error);
  if (!box || !hcs_container_start (box, &error))
    return fail (error);
  g_autoptr (HcsProcessConfig) echo = hcs_process_config_from_json (
      "{\"CommandLine\": \"echo hello from a container\"}", &error);
  echo->inherit_stdio = TRUE; /* our own stdin, stdout and stderr */
  g_autoptr (HcsProcess) process = hcs_container_create_process (box, echo, &error);
  int exit_code = -1;
  if (!process || !hcs_process_wait (process, NULL, &error)
      || !hcs_process_get_exit_code (process, &exit_code, &error))
    {
      fail (error);
      g_clear_error (&error);
    }
  hcs_container_terminate (box, NULL);
  if (!hcs_container_remove (box, &error))
    return fail (error);
  return exit_code;
}
