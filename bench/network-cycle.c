/* network-cycle.c: endpoint create + attach + detach + remove, N times,
 * in one host process that holds an HcsHost, as a host application (or
 * HNS, which is a service) does; prints the mean in µs. bench/network.sh
 * runs it beside the CNI bridge plugin.
 *
 *   hcs-bench-network-cycle OPTIONS NETWORK NETNS RUNS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs.h"

#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HcsHost) host = NULL;
  g_autoptr (HcsNetwork) network = NULL;
  gint64 runs, start;

  if (argc != 5 || (runs = g_ascii_strtoll (argv[4], NULL, 10)) <= 0)
    {
      fprintf (stderr, "usage: %s OPTIONS NETWORK NETNS RUNS\n", argv[0]);
      return 2;
    }
  host = hcs_host_new_from_file (argv[1], &error);
  if (host != NULL)
    {
      /* By name (its id is the name's GUID, as hcsctl makes it), or by id. */
      g_autofree char *by_name = hcs_name_to_guid (argv[2]);
      network = hcs_host_open_network (host, by_name, NULL);
      if (network == NULL)
        network = hcs_host_open_network (host, argv[2], &error);
    }
  if (host == NULL || network == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  start = g_get_monotonic_time ();
  for (gint64 i = 0; i < runs; i++)
    {
      g_autoptr (HcsEndpoint) endpoint = NULL;
      gint64 t0 = g_get_monotonic_time (), t1, t2, t3;
      gboolean ok;

      endpoint = hcs_network_create_endpoint (network, "cycle", NULL, &error);
      t1 = g_get_monotonic_time ();
      ok = endpoint != NULL && hcs_endpoint_attach (endpoint, argv[3], &error);
      t2 = g_get_monotonic_time ();
      ok = ok && hcs_endpoint_detach (endpoint, &error);
      t3 = g_get_monotonic_time ();
      ok = ok && hcs_endpoint_remove (endpoint, &error);
      if (!ok)
        {
          fprintf (stderr, "run %" G_GINT64_FORMAT ": %s\n", i, error->message);
          return 1;
        }
      /* HCS_BENCH_STEPS=1: where the time goes, on stderr. */
      if (g_getenv ("HCS_BENCH_STEPS"))
        fprintf (stderr, "create %" G_GINT64_FORMAT " attach %" G_GINT64_FORMAT
                 " detach %" G_GINT64_FORMAT " remove %" G_GINT64_FORMAT " µs\n",
                 t1 - t0, t2 - t1, t3 - t2, g_get_monotonic_time () - t3);
    }
  printf ("%" G_GINT64_FORMAT "\n", (g_get_monotonic_time () - start) / runs);
  return 0;
}
