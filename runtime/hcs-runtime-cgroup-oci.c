/* hcs-runtime-cgroup-oci.c: config.json's linux.resources, applied as
 * given (ContainerConfig's limits are coarser: MB, 1/100 % of the
 * machine), to the files of cgroup v1 or their v2 equivalents.
 *
 * The object is read once into a list of writes (controller, file,
 * value) for one cgroup version; a check builds both lists and writes
 * nothing, so a bad value is refused before anything is made. Errors
 * are HCS_ERROR_INVALID_DATA naming the field, or HCS_ERROR_NOT_SUPPORTED
 * for what this host's cgroups cannot do (a controller it has not
 * mounted, realtime or swappiness on v2).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-cgroup-oci.h"

#include "hcs-error.h"

#include <string.h>

typedef struct {
  const char *controller;     /* a hierarchy of v1; on v2 only where it must exist */
  char *file;
  char *value;
  const char *field;          /* for the error */
} CgroupWrite;

static void
cgroup_write_free (CgroupWrite *write)
{
  g_free (write->file);
  g_free (write->value);
  g_free (write);
}

static void
add_write (GPtrArray *writes, const char *controller, const char *field, const char *file,
           char *value)
{
  CgroupWrite *write = g_new0 (CgroupWrite, 1);

  write->controller = controller;
  write->field = field;
  write->file = g_strdup (file);
  write->value = value;
  g_ptr_array_add (writes, write);
}

static gboolean
invalid (GError **error, const char *field, const char *what)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "config.json: linux.resources.%s: %s",
               field, what);
  return FALSE;
}

static gboolean
unsupported (GError **error, const char *field, const char *what)
{
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "config.json: linux.resources.%s: %s",
               field, what);
  return FALSE;
}

/* An integer member of @object, or FALSE without error when absent. */
static gboolean
get_int (JsonObject *object, const char *name, const char *field, gint64 min, gint64 *out,
         gboolean *present, GError **error)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  *present = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 &&
       json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_autofree char *message = g_strdup_printf ("%s: expected an integer", name);
      return invalid (error, field, message);
    }
  *out = json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node)
                                                          : (gint64) json_node_get_double (node);
  if (*out < min)
    {
      g_autofree char *message = g_strdup_printf ("%s: must be >= %" G_GINT64_FORMAT, name, min);
      return invalid (error, field, message);
    }
  *present = TRUE;
  return TRUE;
}

static JsonObject *
get_object (JsonObject *parent, const char *name, GError **error, gboolean *ok)
{
  JsonNode *node = json_object_get_member (parent, name);

  *ok = TRUE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      *ok = invalid (error, name, "expected an object");
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *parent, const char *name, const char *field, GError **error, gboolean *ok)
{
  JsonNode *node = parent ? json_object_get_member (parent, name) : NULL;

  *ok = TRUE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      *ok = invalid (error, field, "expected an array");
      return NULL;
    }
  return json_node_get_array (node);
}

static gboolean
plan_memory (JsonObject *memory, gboolean v2, GPtrArray *writes, GError **error)
{
  gint64 limit = 0, swap = 0, reservation = 0, swappiness = 0, kernel = 0, kernel_tcp = 0;
  gboolean has_limit, has_swap, has_reservation, has_swappiness, has_kernel, has_kernel_tcp;
  JsonNode *oom;

  if (!get_int (memory, "limit", "memory.limit", -1, &limit, &has_limit, error) ||
      !get_int (memory, "swap", "memory.swap", -1, &swap, &has_swap, error) ||
      !get_int (memory, "reservation", "memory.reservation", -1, &reservation, &has_reservation,
                error) ||
      !get_int (memory, "swappiness", "memory.swappiness", 0, &swappiness, &has_swappiness,
                error) ||
      !get_int (memory, "kernel", "memory.kernel", -1, &kernel, &has_kernel, error) ||
      !get_int (memory, "kernelTCP", "memory.kernelTCP", -1, &kernel_tcp, &has_kernel_tcp, error))
    return FALSE;
  if (has_swappiness && swappiness > 100)
    return invalid (error, "memory.swappiness", "must be between 0 and 100");
  if (has_swap && swap > 0 && has_limit && limit > 0 && swap < limit)
    return invalid (error, "memory.swap", "the limit of memory and swap together must be at "
                                          "least memory.limit");
  oom = json_object_get_member (memory, "disableOOMKiller");
  if (oom != NULL && !JSON_NODE_HOLDS_NULL (oom) &&
      (!JSON_NODE_HOLDS_VALUE (oom) || json_node_get_value_type (oom) != G_TYPE_BOOLEAN))
    return invalid (error, "memory.disableOOMKiller", "expected a boolean");

  if (!v2)
    {
      if (has_limit)
        add_write (writes, "memory", "memory.limit", "memory.limit_in_bytes",
                   g_strdup_printf ("%" G_GINT64_FORMAT, limit));
      if (has_swap)
        add_write (writes, "memory", "memory.swap", "memory.memsw.limit_in_bytes",
                   g_strdup_printf ("%" G_GINT64_FORMAT, swap));
      if (has_reservation)
        add_write (writes, "memory", "memory.reservation", "memory.soft_limit_in_bytes",
                   g_strdup_printf ("%" G_GINT64_FORMAT, reservation));
      if (has_swappiness)
        add_write (writes, "memory", "memory.swappiness", "memory.swappiness",
                   g_strdup_printf ("%" G_GINT64_FORMAT, swappiness));
      if (oom != NULL && JSON_NODE_HOLDS_VALUE (oom) && json_node_get_boolean (oom))
        add_write (writes, "memory", "memory.disableOOMKiller", "memory.oom_control",
                   g_strdup ("1"));
      /* Kernels since 5.16 accept kmem.limit_in_bytes and enforce nothing
       * (the spec deprecates it); the TCP buffer limit still holds. */
      if (has_kernel)
        add_write (writes, "memory", "memory.kernel", "memory.kmem.limit_in_bytes",
                   g_strdup_printf ("%" G_GINT64_FORMAT, kernel));
      if (has_kernel_tcp)
        add_write (writes, "memory", "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes",
                   g_strdup_printf ("%" G_GINT64_FORMAT, kernel_tcp));
      return TRUE;
    }
  if (has_limit)
    add_write (writes, "memory", "memory.limit", "memory.max",
               limit < 0 ? g_strdup ("max") : g_strdup_printf ("%" G_GINT64_FORMAT, limit));
  /* v2 counts swap apart: what swap allows beyond the limit. */
  if (has_swap)
    add_write (writes, "memory", "memory.swap", "memory.swap.max",
               swap < 0 || !has_limit || limit < 0
                   ? g_strdup ("max")
                   : g_strdup_printf ("%" G_GINT64_FORMAT, swap - limit));
  if (has_reservation)
    add_write (writes, "memory", "memory.reservation", "memory.low",
               reservation < 0 ? g_strdup ("max")
                               : g_strdup_printf ("%" G_GINT64_FORMAT, reservation));
  if (has_swappiness)
    return unsupported (error, "memory.swappiness", "cgroup v2 has no swappiness");
  if (has_kernel)
    return unsupported (error, "memory.kernel", "cgroup v2 has no kernel memory limit");
  if (has_kernel_tcp)
    return unsupported (error, "memory.kernelTCP", "cgroup v2 has no TCP buffer limit");
  if (oom != NULL && JSON_NODE_HOLDS_VALUE (oom) && json_node_get_boolean (oom))
    return unsupported (error, "memory.disableOOMKiller", "cgroup v2 cannot disable the OOM "
                                                          "killer");
  return TRUE;
}

static gboolean
plan_cpu (JsonObject *cpu, gboolean v2, GPtrArray *writes, GError **error)
{
  gint64 shares = 0, quota = 0, period = 0, rt_runtime = 0, rt_period = 0;
  gboolean has_shares, has_quota, has_period, has_rt_runtime, has_rt_period;
  const char *cpus = json_object_get_string_member_with_default (cpu, "cpus", NULL);
  const char *mems = json_object_get_string_member_with_default (cpu, "mems", NULL);

  if (!get_int (cpu, "shares", "cpu.shares", 2, &shares, &has_shares, error) ||
      !get_int (cpu, "quota", "cpu.quota", -1, &quota, &has_quota, error) ||
      !get_int (cpu, "period", "cpu.period", 1000, &period, &has_period, error) ||
      !get_int (cpu, "realtimeRuntime", "cpu.realtimeRuntime", -1, &rt_runtime, &has_rt_runtime,
                error) ||
      !get_int (cpu, "realtimePeriod", "cpu.realtimePeriod", 1, &rt_period, &has_rt_period,
                error))
    return FALSE;
  if (has_shares && shares > 262144)
    return invalid (error, "cpu.shares", "must be between 2 and 262144");
  if (has_quota && quota > 0 && quota < 1000)
    return invalid (error, "cpu.quota", "must be at least 1000 (µs), or -1");

  if (!v2)
    {
      if (has_shares)
        add_write (writes, "cpu", "cpu.shares", "cpu.shares",
                   g_strdup_printf ("%" G_GINT64_FORMAT, shares));
      /* The period first: a quota is checked against the period in place. */
      if (has_period)
        add_write (writes, "cpu", "cpu.period", "cpu.cfs_period_us",
                   g_strdup_printf ("%" G_GINT64_FORMAT, period));
      if (has_quota)
        add_write (writes, "cpu", "cpu.quota", "cpu.cfs_quota_us",
                   g_strdup_printf ("%" G_GINT64_FORMAT, quota));
      if (has_rt_period)
        add_write (writes, "cpu", "cpu.realtimePeriod", "cpu.rt_period_us",
                   g_strdup_printf ("%" G_GINT64_FORMAT, rt_period));
      if (has_rt_runtime)
        add_write (writes, "cpu", "cpu.realtimeRuntime", "cpu.rt_runtime_us",
                   g_strdup_printf ("%" G_GINT64_FORMAT, rt_runtime));
    }
  else
    {
      if (has_rt_runtime || has_rt_period)
        return unsupported (error, "cpu.realtimeRuntime",
                            "cgroup v2 has no realtime bandwidth per cgroup");
      /* runc's conversion of shares (2..262144) to weight (1..10000). */
      if (has_shares)
        add_write (writes, "cpu", "cpu.shares", "cpu.weight",
                   g_strdup_printf ("%" G_GINT64_FORMAT, 1 + ((shares - 2) * 9999) / 262142));
      if (has_quota || has_period)
        {
          g_autofree char *quota_text = !has_quota || quota < 0
                                            ? g_strdup ("max")
                                            : g_strdup_printf ("%" G_GINT64_FORMAT, quota);
          add_write (writes, "cpu", "cpu.quota", "cpu.max",
                     g_strdup_printf ("%s %" G_GINT64_FORMAT, quota_text,
                                      has_period ? period : 100000));
        }
    }
  if (cpus != NULL && *cpus != '\0')
    add_write (writes, "cpuset", "cpu.cpus", "cpuset.cpus", g_strdup (cpus));
  if (mems != NULL && *mems != '\0')
    add_write (writes, "cpuset", "cpu.mems", "cpuset.mems", g_strdup (mems));
  return TRUE;
}

/* "major:minor", each -1 or absent being "*". */
static char *
device_numbers (JsonObject *entry, const char *field, GError **error)
{
  gint64 major = -1, minor = -1;
  gboolean has_major, has_minor;

  if (!get_int (entry, "major", field, -1, &major, &has_major, error) ||
      !get_int (entry, "minor", field, -1, &minor, &has_minor, error))
    return NULL;
  g_autofree char *major_text = NULL, *minor_text = NULL;

  major_text = has_major && major >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, major)
                                       : g_strdup ("*");
  minor_text = has_minor && minor >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, minor)
                                       : g_strdup ("*");
  return g_strdup_printf ("%s:%s", major_text, minor_text);
}

static gboolean
plan_blkio (JsonObject *blkio, gboolean v2, GPtrArray *writes, GError **error)
{
  static const struct {
    const char *member, *v1_file, *v2_key;
  } throttles[] = {
    { "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps" },
    { "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps" },
    { "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops" },
    { "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops" },
  };
  gint64 weight = 0, leaf_weight = 0;
  gboolean has_weight, has_leaf_weight, ok;
  JsonArray *devices;

  if (!get_int (blkio, "weight", "blockIO.weight", 10, &weight, &has_weight, error) ||
      !get_int (blkio, "leafWeight", "blockIO.leafWeight", 10, &leaf_weight, &has_leaf_weight,
                error))
    return FALSE;
  if ((has_weight && weight > 1000) || (has_leaf_weight && leaf_weight > 1000))
    return invalid (error, "blockIO.weight", "must be between 10 and 1000");
  if (has_weight)
    add_write (writes, v2 ? "io" : "blkio", "blockIO.weight", v2 ? "io.weight" : "blkio.weight",
               v2 ? g_strdup_printf ("default %" G_GINT64_FORMAT, 1 + (weight - 10) * 9999 / 990)
                  : g_strdup_printf ("%" G_GINT64_FORMAT, weight));
  if (has_leaf_weight)
    {
      if (v2)
        return unsupported (error, "blockIO.leafWeight", "cgroup v2 has no leaf weight");
      add_write (writes, "blkio", "blockIO.leafWeight", "blkio.leaf_weight",
                 g_strdup_printf ("%" G_GINT64_FORMAT, leaf_weight));
    }
  devices = get_array (blkio, "weightDevice", "blockIO.weightDevice", error, &ok);
  if (!ok)
    return FALSE;
  for (guint i = 0; devices && i < json_array_get_length (devices); i++)
    {
      JsonObject *entry = json_array_get_object_element (devices, i);
      g_autofree char *numbers = NULL;
      gint64 device_weight = 0;
      gboolean has_device_weight;

      if (entry == NULL)
        return invalid (error, "blockIO.weightDevice", "expected objects");
      numbers = device_numbers (entry, "blockIO.weightDevice", error);
      if (numbers == NULL ||
          !get_int (entry, "weight", "blockIO.weightDevice", 10, &device_weight,
                    &has_device_weight, error))
        return FALSE;
      if (has_device_weight)
        add_write (writes, v2 ? "io" : "blkio", "blockIO.weightDevice",
                   v2 ? "io.weight" : "blkio.weight_device",
                   g_strdup_printf ("%s %" G_GINT64_FORMAT, numbers,
                                    v2 ? 1 + (device_weight - 10) * 9999 / 990 : device_weight));
    }
  for (gsize t = 0; t < G_N_ELEMENTS (throttles); t++)
    {
      devices = get_array (blkio, throttles[t].member, "blockIO", error, &ok);
      if (!ok)
        return FALSE;
      for (guint i = 0; devices && i < json_array_get_length (devices); i++)
        {
          JsonObject *entry = json_array_get_object_element (devices, i);
          g_autofree char *numbers = NULL;
          gint64 rate = 0;
          gboolean has_rate;

          if (entry == NULL)
            return invalid (error, "blockIO", "expected objects in the throttle lists");
          numbers = device_numbers (entry, "blockIO", error);
          if (numbers == NULL || !get_int (entry, "rate", "blockIO", 0, &rate, &has_rate, error))
            return FALSE;
          add_write (writes, v2 ? "io" : "blkio", "blockIO",
                     v2 ? "io.max" : throttles[t].v1_file,
                     v2 ? g_strdup_printf ("%s %s=%" G_GINT64_FORMAT, numbers, throttles[t].v2_key,
                                           rate)
                        : g_strdup_printf ("%s %" G_GINT64_FORMAT, numbers, rate));
        }
    }
  return TRUE;
}

static gboolean
plan_hugetlb (JsonArray *limits, gboolean v2, GPtrArray *writes, GError **error)
{
  for (guint i = 0; i < json_array_get_length (limits); i++)
    {
      JsonObject *entry = json_array_get_object_element (limits, i);
      const char *size = entry ? json_object_get_string_member_with_default (entry, "pageSize",
                                                                             NULL)
                               : NULL;
      gint64 limit = 0;
      gboolean has_limit;
      g_autofree char *file = NULL;

      if (size == NULL || *size == '\0' || strchr (size, '/') != NULL)
        return invalid (error, "hugepageLimits", "each needs a pageSize such as \"2MB\"");
      if (!get_int (entry, "limit", "hugepageLimits", 0, &limit, &has_limit, error))
        return FALSE;
      file = g_strdup_printf (v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", size);
      add_write (writes, "hugetlb", "hugepageLimits", file,
                 g_strdup_printf ("%" G_GINT64_FORMAT, limit));
    }
  return TRUE;
}

static gboolean
plan_network (JsonObject *network, gboolean v2, GPtrArray *writes, GError **error)
{
  gint64 class_id = 0;
  gboolean has_class_id, ok;
  JsonArray *priorities;

  if (!get_int (network, "classID", "network.classID", 0, &class_id, &has_class_id, error))
    return FALSE;
  priorities = get_array (network, "priorities", "network.priorities", error, &ok);
  if (!ok)
    return FALSE;
  if (v2 && (has_class_id || priorities != NULL))
    return unsupported (error, "network", "cgroup v2 has no net_cls or net_prio");
  if (has_class_id)
    add_write (writes, "net_cls", "network.classID", "net_cls.classid",
               g_strdup_printf ("%" G_GINT64_FORMAT, class_id));
  for (guint i = 0; priorities && i < json_array_get_length (priorities); i++)
    {
      JsonObject *entry = json_array_get_object_element (priorities, i);
      const char *name = entry ? json_object_get_string_member_with_default (entry, "name", NULL)
                               : NULL;
      gint64 priority = 0;
      gboolean has_priority;

      if (name == NULL || *name == '\0' ||
          !get_int (entry, "priority", "network.priorities", 0, &priority, &has_priority, error))
        return error && *error ? FALSE
                               : invalid (error, "network.priorities", "each needs a name");
      add_write (writes, "net_prio", "network.priorities", "net_prio.ifpriomap",
                 g_strdup_printf ("%s %" G_GINT64_FORMAT, name, priority));
    }
  return TRUE;
}

/* v1's devices allow-list, in order; on v2 (eBPF, not done) only the
 * usual leading "deny all" is accepted (hcs_runtime_device_rule_plan). */
static gboolean
plan_devices (JsonArray *devices, gboolean v2, GPtrArray *writes, GError **error)
{
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *entry = json_array_get_object_element (devices, i);
      HcsRuntimeDeviceRule rule = { 0 };
      gboolean has_major, has_minor;
      char *file, *value;

      if (entry == NULL)
        return invalid (error, "devices", "expected objects");
      rule.allow = json_object_get_boolean_member_with_default (entry, "allow", FALSE);
      rule.type = json_object_get_string_member_with_default (entry, "type", "a");
      rule.access = json_object_get_string_member_with_default (entry, "access", "rwm");
      rule.major = rule.minor = -1;
      if (!get_int (entry, "major", "devices", -1, &rule.major, &has_major, error) ||
          !get_int (entry, "minor", "devices", -1, &rule.minor, &has_minor, error))
        return FALSE;
      if (!hcs_runtime_device_rule_plan (&rule, v2, &file, &value, error))
        return FALSE;
      if (file != NULL)
        {
          add_write (writes, "devices", "devices", file, value);
          g_free (file);
        }
    }
  return TRUE;
}

static GPtrArray *
plan (const char *json, gboolean v2, GError **error)
{
  g_autoptr (GPtrArray) writes =
      g_ptr_array_new_with_free_func ((GDestroyNotify) cgroup_write_free);
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  JsonObject *resources, *object;
  JsonArray *array;
  gboolean ok;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "", "expected an object"), NULL;
  resources = json_node_get_object (root);
  if ((object = get_object (resources, "memory", error, &ok)) != NULL &&
      !plan_memory (object, v2, writes, error))
    return NULL;
  if (!ok || ((object = get_object (resources, "cpu", error, &ok)) != NULL &&
              !plan_cpu (object, v2, writes, error)))
    return NULL;
  if (!ok || ((object = get_object (resources, "blockIO", error, &ok)) != NULL &&
              !plan_blkio (object, v2, writes, error)))
    return NULL;
  if (!ok || ((object = get_object (resources, "network", error, &ok)) != NULL &&
              !plan_network (object, v2, writes, error)))
    return NULL;
  if (!ok || ((array = get_array (resources, "hugepageLimits", "hugepageLimits", error, &ok)) !=
                  NULL &&
              !plan_hugetlb (array, v2, writes, error)))
    return NULL;
  if (!ok || ((array = get_array (resources, "devices", "devices", error, &ok)) != NULL &&
              !plan_devices (array, v2, writes, error)))
    return NULL;
  if (!ok)
    return NULL;
  return g_steal_pointer (&writes);
}

GStrv
hcs_runtime_oci_resources_plan (const char *json, gboolean v2, GError **error)
{
  g_autoptr (GPtrArray) writes = plan (json, v2, error);
  g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();

  if (writes == NULL)
    return NULL;
  for (guint i = 0; i < writes->len; i++)
    {
      const CgroupWrite *planned = writes->pdata[i];
      g_autofree char *line = g_strdup_printf ("%s/%s=%s", planned->controller, planned->file,
                                               planned->value);
      g_strv_builder_add (lines, line);
    }
  return g_strv_builder_end (lines);
}

gboolean
hcs_runtime_oci_resources_check (const char *json, GError **error)
{
  g_autoptr (GPtrArray) v1 = NULL;
  g_autoptr (GError) v2_error = NULL;
  g_autoptr (GPtrArray) v2 = NULL;

  if ((v1 = plan (json, FALSE, error)) == NULL)
    return FALSE;
  /* What v2 cannot do is told at apply time, on a v2 host only. */
  v2 = plan (json, TRUE, &v2_error);
  if (v2 == NULL && g_error_matches (v2_error, HCS_ERROR, HCS_ERROR_INVALID_DATA))
    {
      g_propagate_error (error, g_steal_pointer (&v2_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
hcs_runtime_cgroup_apply_oci (HcsRuntimeCgroup *cgroup, const char *json, GError **error)
{
  gboolean v2 = hcs_runtime_cgroup_get_version (cgroup) == HCS_RUNTIME_CGROUP_VERSION_2;
  g_autoptr (GPtrArray) writes = plan (json, v2, error);
  gboolean devices_changed = FALSE;

  if (writes == NULL)
    return FALSE;
  for (guint i = 0; i < writes->len; i++)
    {
      const CgroupWrite *planned = writes->pdata[i];

      if (!hcs_runtime_cgroup_write_oci (cgroup, planned->controller, planned->field,
                                         planned->file, planned->value, error))
        return FALSE;
      devices_changed |= g_str_equal (planned->controller, "devices");
    }
  /* The OCI default devices come after the config's rules, as in runc:
   * a leading "deny all" must not take /dev/null away. */
  if (devices_changed)
    return hcs_runtime_cgroup_allow_default_devices (cgroup, error);
  return TRUE;
}

gboolean
hcs_runtime_oci_resources_reset_devices (const char *json)
{
  g_autoptr (GPtrArray) writes = plan (json, FALSE, NULL);

  if (writes == NULL)
    return FALSE;
  for (guint i = 0; i < writes->len; i++)
    {
      const CgroupWrite *planned = writes->pdata[i];

      if (g_str_equal (planned->controller, "devices"))
        return g_str_equal (planned->file, "devices.deny") && g_str_equal (planned->value, "a");
    }
  return FALSE;
}

gboolean
hcs_runtime_cgroup_apply (HcsRuntimeCgroup *cgroup, const HcsResourceUpdate *update,
                          GError **error)
{
  const HcsRuntimeCgroupLimits limits = {
    .memory_maximum_in_mb = update->memory_maximum_in_mb,
    .processor_count = update->processor_count,
    .processor_weight = update->processor_weight,
    .processor_maximum = update->processor_maximum,
    .storage_iops_maximum = update->storage_iops_maximum,
    .storage_bandwidth_maximum = update->storage_bandwidth_maximum,
    .pids_maximum = update->pids_maximum,
  };

  return hcs_runtime_cgroup_set_limits (cgroup, &limits, error);
}
