/* hcs-runtime-seccomp.c: config.json's linux.seccomp, compiled by
 * libseccomp on the host when a container is made, into the classic BPF
 * program the helper loads as it loads the built-in one.
 *
 * Only a spec that gives linux.seccomp pays for this; every other
 * container keeps the filter compiled at build time
 * (hcs-runtime-seccomp-gen.c). Errors are HCS_ERROR_INVALID_DATA naming
 * the field, or HCS_ERROR_NOT_SUPPORTED for what hcs does not do
 * (SCMP_ACT_NOTIFY, flags other than the kernel's three).
 *
 * libseccomp itself is opened (GModule) at the first compile, not linked:
 * linked, every load of the argon plugin paid for it (about 0.4 ms of the
 * plugin's dlopen under load) though most configurations never use it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-seccomp.h"

#include "hcs-error.h"

#include <errno.h>
#include <gmodule.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

/* The libseccomp calls compiling uses, found in the library once opened. */
static struct {
  __typeof__ (seccomp_init) *init;
  __typeof__ (seccomp_release) *release;
  __typeof__ (seccomp_attr_set) *attr_set;
  __typeof__ (seccomp_arch_resolve_name) *arch_resolve_name;
  __typeof__ (seccomp_arch_add) *arch_add;
  __typeof__ (seccomp_syscall_resolve_name) *syscall_resolve_name;
  __typeof__ (seccomp_rule_add_array) *rule_add_array;
  __typeof__ (seccomp_export_bpf) *export_bpf;
} libseccomp;

/* Opens HCS_LIBSECCOMP_SONAME (made resident: its functions are kept)
 * and finds its functions; the first call's answer stands. */
static gboolean
open_libseccomp (GError **error)
{
  static gsize done = 0;
  static char *failure = NULL;

  if (g_once_init_enter (&done))
    {
      GModule *module = g_module_open (HCS_LIBSECCOMP_SONAME, G_MODULE_BIND_LOCAL);
      static const char *const names[] = {
        "seccomp_init", "seccomp_release", "seccomp_attr_set", "seccomp_arch_resolve_name",
        "seccomp_arch_add", "seccomp_syscall_resolve_name", "seccomp_rule_add_array",
        "seccomp_export_bpf",
      };
      gpointer *slots[] = {
        (gpointer *) &libseccomp.init, (gpointer *) &libseccomp.release,
        (gpointer *) &libseccomp.attr_set, (gpointer *) &libseccomp.arch_resolve_name,
        (gpointer *) &libseccomp.arch_add, (gpointer *) &libseccomp.syscall_resolve_name,
        (gpointer *) &libseccomp.rule_add_array, (gpointer *) &libseccomp.export_bpf,
      };

      G_STATIC_ASSERT (G_N_ELEMENTS (names) == G_N_ELEMENTS (slots));
      if (module == NULL)
        failure = g_strdup (g_module_error ());
      for (gsize i = 0; failure == NULL && i < G_N_ELEMENTS (names); i++)
        if (!g_module_symbol (module, names[i], slots[i]) || *slots[i] == NULL)
          failure = g_strdup_printf ("%s: no %s", HCS_LIBSECCOMP_SONAME, names[i]);
      if (failure == NULL)
        g_module_make_resident (module);
      else if (module != NULL)
        g_module_close (module);
      g_once_init_leave (&done, 1);
    }
  if (failure != NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "config.json: linux.seccomp needs libseccomp, which cannot be loaded: %s",
                   failure);
      return FALSE;
    }
  return TRUE;
}

static void
release_filter (scmp_filter_ctx filter)
{
  libseccomp.release (filter);
}

/* scmp_filter_ctx is a pointer already. */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, release_filter, NULL)

static gboolean
invalid (GError **error, const char *field, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError **error, const char *field, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA, "config.json: linux.seccomp.%s: %s",
               field, message);
  return FALSE;
}

/* "SCMP_ACT_ERRNO" and the errno given beside it (or @default_errno). */
static gboolean
parse_action (const char *name, gint64 errno_ret, const char *field, guint32 *action,
              GError **error)
{
  if (name == NULL)
    return invalid (error, field, "an action is needed");
  if (g_str_equal (name, "SCMP_ACT_ALLOW"))
    *action = SCMP_ACT_ALLOW;
  else if (g_str_equal (name, "SCMP_ACT_ERRNO"))
    *action = SCMP_ACT_ERRNO ((guint32) errno_ret);
  else if (g_str_equal (name, "SCMP_ACT_KILL") || g_str_equal (name, "SCMP_ACT_KILL_THREAD"))
    *action = SCMP_ACT_KILL_THREAD;
  else if (g_str_equal (name, "SCMP_ACT_KILL_PROCESS"))
    *action = SCMP_ACT_KILL_PROCESS;
  else if (g_str_equal (name, "SCMP_ACT_TRAP"))
    *action = SCMP_ACT_TRAP;
  else if (g_str_equal (name, "SCMP_ACT_TRACE"))
    *action = SCMP_ACT_TRACE ((guint32) errno_ret);
  else if (g_str_equal (name, "SCMP_ACT_LOG"))
    *action = SCMP_ACT_LOG;
  else if (g_str_equal (name, "SCMP_ACT_NOTIFY"))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "config.json: linux.seccomp.%s: SCMP_ACT_NOTIFY (a listener) is not "
                   "supported", field);
      return FALSE;
    }
  else
    return invalid (error, field, "unknown action '%s'", name);
  return TRUE;
}

static gboolean
parse_op (const char *name, const char *field, enum scmp_compare *op, GError **error)
{
  static const struct {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };

  for (gsize i = 0; name && i < G_N_ELEMENTS (ops); i++)
    if (g_str_equal (name, ops[i].name))
      {
        *op = ops[i].op;
        return TRUE;
      }
  return invalid (error, field, "unknown op '%s'", name ? name : "");
}

static gint64
int_member (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  return json_node_get_int (node);
}

static gboolean
add_syscalls (scmp_filter_ctx filter, JsonArray *syscalls, gint64 default_errno, GError **error)
{
  for (guint i = 0; i < json_array_get_length (syscalls); i++)
    {
      JsonObject *entry = json_array_get_object_element (syscalls, i);
      g_autofree char *field = g_strdup_printf ("syscalls[%u]", i);
      JsonArray *names, *args;
      struct scmp_arg_cmp comparisons[6];
      guint n_comparisons = 0;
      guint32 action;

      if (entry == NULL)
        return invalid (error, field, "expected an object");
      if (!parse_action (json_object_get_string_member_with_default (entry, "action", NULL),
                         int_member (entry, "errnoRet", default_errno), field, &action, error))
        return FALSE;
      names = json_object_has_member (entry, "names")
                  ? json_object_get_array_member (entry, "names")
                  : NULL;
      if (names == NULL || json_array_get_length (names) == 0)
        return invalid (error, field, "names: at least one syscall is needed");
      args = json_object_has_member (entry, "args") ? json_object_get_array_member (entry, "args")
                                                    : NULL;
      for (guint a = 0; args && a < json_array_get_length (args); a++)
        {
          JsonObject *arg = json_array_get_object_element (args, a);
          g_autofree char *arg_field = g_strdup_printf ("syscalls[%u].args[%u]", i, a);
          enum scmp_compare op = SCMP_CMP_EQ;
          gint64 index;

          if (arg == NULL || n_comparisons == G_N_ELEMENTS (comparisons))
            return invalid (error, arg_field, "at most 6 objects");
          index = int_member (arg, "index", -1);
          if (index < 0 || index > 5)
            return invalid (error, arg_field, "index must be between 0 and 5");
          if (!parse_op (json_object_get_string_member_with_default (arg, "op", NULL), arg_field,
                         &op, error))
            return FALSE;
          comparisons[n_comparisons].arg = (unsigned int) index;
          comparisons[n_comparisons].op = op;
          comparisons[n_comparisons].datum_a = (scmp_datum_t) int_member (arg, "value", 0);
          comparisons[n_comparisons].datum_b = (scmp_datum_t) int_member (arg, "valueTwo", 0);
          n_comparisons++;
        }
      for (guint n = 0; n < json_array_get_length (names); n++)
        {
          const char *name = json_array_get_string_element (names, n);
          int number, result;

          if (name == NULL)
            return invalid (error, field, "names[%u]: expected a string", n);
          number = libseccomp.syscall_resolve_name (name);
          /* Unknown here (another architecture, a newer kernel): skipped, as
           * runc and crun do, so one profile serves every machine. */
          if (number == __NR_SCMP_ERROR)
            continue;
          result = libseccomp.rule_add_array (filter, action, number, n_comparisons, comparisons);
          /* The default action given again for a syscall is no rule at all. */
          if (result == -EACCES || result == -EEXIST)
            continue;
          if (result < 0)
            return invalid (error, field, "%s: %s", name, g_strerror (-result));
        }
    }
  return TRUE;
}

static gboolean
add_architectures (scmp_filter_ctx filter, JsonArray *architectures, GError **error)
{
  for (guint i = 0; i < json_array_get_length (architectures); i++)
    {
      const char *name = json_array_get_string_element (architectures, i);
      g_autofree char *lower = NULL;
      guint32 arch;
      int result;

      if (name == NULL || !g_str_has_prefix (name, "SCMP_ARCH_"))
        return invalid (error, "architectures", "'%s' is not an SCMP_ARCH_ name",
                        name ? name : "");
      lower = g_ascii_strdown (name + strlen ("SCMP_ARCH_"), -1);
      arch = libseccomp.arch_resolve_name (lower);
      if (arch == 0)
        return invalid (error, "architectures", "unknown architecture '%s'", name);
      result = libseccomp.arch_add (filter, arch);
      if (result < 0 && result != -EEXIST)
        return invalid (error, "architectures", "%s: %s", name, g_strerror (-result));
    }
  return TRUE;
}

GBytes *
hcs_runtime_seccomp_compile (const char *json, guint32 *flags, GError **error)
{
  static const struct {
    const char *name;
    guint32 flag;
  } known_flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  };
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  g_auto (scmp_filter_ctx) filter = NULL;
  JsonObject *seccomp;
  JsonArray *array;
  gint64 default_errno;
  guint32 default_action;
  g_autofree char *bytes = NULL;
  off_t length;
  int fd, result;

  *flags = 0;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "", "expected an object"), NULL;
  if (!open_libseccomp (error))
    return NULL;
  seccomp = json_node_get_object (root);
  default_errno = int_member (seccomp, "defaultErrnoRet", EPERM);
  if (!parse_action (json_object_get_string_member_with_default (seccomp, "defaultAction", NULL),
                     default_errno, "defaultAction", &default_action, error))
    return NULL;
  filter = libseccomp.init (default_action);
  if (filter == NULL)
    return invalid (error, "defaultAction", "libseccomp refused it"), NULL;
  /* The kernel refuses a program it cannot check without no_new_privs;
   * the helper sets it itself where needed. */
  libseccomp.attr_set (filter, SCMP_FLTATR_CTL_NNP, 0);

  if (json_object_has_member (seccomp, "architectures") &&
      (array = json_object_get_array_member (seccomp, "architectures")) != NULL &&
      !add_architectures (filter, array, error))
    return NULL;
  if (json_object_has_member (seccomp, "flags") &&
      (array = json_object_get_array_member (seccomp, "flags")) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        const char *name = json_array_get_string_element (array, i);
        gsize k;

        for (k = 0; k < G_N_ELEMENTS (known_flags); k++)
          if (g_strcmp0 (name, known_flags[k].name) == 0)
            break;
        if (k == G_N_ELEMENTS (known_flags))
          {
            g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                         "config.json: linux.seccomp.flags: '%s' is not supported",
                         name ? name : "");
            return NULL;
          }
        *flags |= known_flags[k].flag;
      }
  if (json_object_has_member (seccomp, "syscalls") &&
      (array = json_object_get_array_member (seccomp, "syscalls")) != NULL &&
      !add_syscalls (filter, array, default_errno, error))
    return NULL;

  /* seccomp_export_bpf writes to an fd: a memfd takes it. */
  fd = memfd_create ("hcs-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return invalid (error, "", "a memfd: %s", g_strerror (errno)), NULL;
  result = libseccomp.export_bpf (filter, fd);
  if (result < 0)
    {
      close (fd);
      return invalid (error, "", "exporting the filter: %s", g_strerror (-result)), NULL;
    }
  length = lseek (fd, 0, SEEK_END);
  bytes = g_malloc (MAX (length, 1));
  if (length <= 0 || pread (fd, bytes, length, 0) != length)
    {
      close (fd);
      return invalid (error, "", "reading the exported filter back"), NULL;
    }
  close (fd);
  return g_bytes_new_take (g_steal_pointer (&bytes), length);
}
