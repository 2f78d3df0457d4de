/* hcs-runtime-cgroup.c: one container's cgroup, on cgroup v1 or v2.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hcs-runtime-cgroup.h"
#include "hcs-error.h"
#include "hcs-gate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CPU_PERIOD_US 100000
#define STATE_CHANGE_TIMEOUT_US (5 * G_USEC_PER_SEC)

/* The v1 controllers the runtime uses; "name=systemd" and the rest are left alone. */
static const char *const v1_controllers[] = {
  "cpu", "cpuacct", "cpuset", "memory", "blkio", "pids", "freezer", "devices", NULL,
};

/* Controllers enabled for the children of the containers' parent on v2. */
static const char *const v2_controllers[] = { "cpu", "cpuset", "memory", "io", "pids", NULL };

struct _HcsRuntimeCgroup
{
  HcsRuntimeCgroupVersion version;
  char *what;              /* "cgroup 'PARENT/ID'" */
  char *relative;          /* "/PARENT/ID": each directory is its hierarchy's root + this */
  GHashTable *paths;       /* v1: controller -> the container's directory */
  GPtrArray *directories;  /* the distinct directories, v2: one */
};

void
hcs_runtime_cgroup_free (HcsRuntimeCgroup *cgroup)
{
  if (cgroup == NULL)
    return;
  g_free (cgroup->what);
  g_free (cgroup->relative);
  g_hash_table_unref (cgroup->paths);
  g_ptr_array_unref (cgroup->directories);
  g_free (cgroup);
}

/* --- files ----------------------------------------------------------------- */

static gboolean
write_file (HcsRuntimeCgroup *cgroup, const char *dir, const char *file, const char *value,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  gsize length = strlen (value);
  int fd;
  gssize written;

  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return hcs_set_error_from_errno (error, errno, "%s: opening %s", cgroup->what, path);
  written = write (fd, value, length);
  if (written != (gssize) length)
    {
      int saved_errno = written < 0 ? errno : EIO;
      close (fd);
      return hcs_set_error_from_errno (error, saved_errno, "%s: writing '%s' to %s",
                                       cgroup->what, value, path);
    }
  close (fd);
  return TRUE;
}

static char *
read_file (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static guint64
read_number (const char *dir, const char *file)
{
  g_autofree char *text = dir ? read_file (dir, file) : NULL;

  return text ? g_ascii_strtoull (text, NULL, 10) : 0;
}

/* "KEY VALUE" lines, as in memory.stat or cpu.stat. */
static guint64
read_keyed (const char *dir, const char *file, const char *key)
{
  g_autofree char *text = dir ? read_file (dir, file) : NULL;
  g_auto (GStrv) lines = NULL;
  gsize key_length = strlen (key);

  if (text == NULL)
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (strncmp (lines[i], key, key_length) == 0 && lines[i][key_length] == ' ')
      return g_ascii_strtoull (lines[i] + key_length + 1, NULL, 10);
  return 0;
}

/* --- discovery ---------------------------------------------------------------- */

typedef struct {
  char *v2_root;            /* a cgroup2 mount at the cgroup root */
  GHashTable *v1_roots;     /* controller -> mount point */
} CgroupMounts;

static void
cgroup_mounts_clear (CgroupMounts *mounts)
{
  g_clear_pointer (&mounts->v2_root, g_free);
  g_clear_pointer (&mounts->v1_roots, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgroupMounts, cgroup_mounts_clear)

static void
find_mounts (CgroupMounts *mounts)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  mounts->v1_roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (fields), dash;

      for (dash = 6; dash < n && !g_str_equal (fields[dash], "-"); dash++)
        ;
      if (dash + 3 >= n)
        continue;
      if (g_str_equal (fields[dash + 1], "cgroup2"))
        {
          if (g_str_equal (fields[4], "/sys/fs/cgroup") && mounts->v2_root == NULL)
            mounts->v2_root = g_strdup (fields[4]);
        }
      else if (g_str_equal (fields[dash + 1], "cgroup"))
        {
          g_auto (GStrv) options = g_strsplit (fields[dash + 3], ",", -1);
          for (guint j = 0; options[j]; j++)
            if (g_strv_contains (v1_controllers, options[j]) &&
                !g_hash_table_contains (mounts->v1_roots, options[j]))
              g_hash_table_insert (mounts->v1_roots, g_strdup (options[j]),
                                   g_strdup (fields[4]));
        }
    }
}

static HcsRuntimeCgroup *
cgroup_new (const char *parent, const char *id, HcsRuntimeCgroupVersion version,
            const char *root_override, GError **error)
{
  g_auto (CgroupMounts) mounts = { 0 };
  HcsRuntimeCgroup *cgroup;
  g_autofree char *relative = NULL;

  if (parent == NULL || *parent == '\0' || strstr (parent, "..") || id == NULL || *id == '\0' ||
      strchr (id, '/') || strstr (id, ".."))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "cgroup '%s/%s': invalid name", parent ? parent : "",
                   id ? id : "");
      return NULL;
    }
  relative = g_build_filename ("/", parent, id, NULL);

  /* A v2 root given needs no search: reading mountinfo costs a guest
   * agent's create (under TCG, code a restored VM translates anew). */
  if (root_override == NULL || version == HCS_RUNTIME_CGROUP_VERSION_1)
    find_mounts (&mounts);
  if (root_override != NULL)
    {
      if (version == HCS_RUNTIME_CGROUP_VERSION_AUTO)
        version = HCS_RUNTIME_CGROUP_VERSION_2;
      if (version == HCS_RUNTIME_CGROUP_VERSION_2)
        {
          g_free (mounts.v2_root);
          mounts.v2_root = g_strdup (root_override);
        }
    }
  if (version == HCS_RUNTIME_CGROUP_VERSION_AUTO)
    version = mounts.v2_root != NULL ? HCS_RUNTIME_CGROUP_VERSION_2 : HCS_RUNTIME_CGROUP_VERSION_1;

  cgroup = g_new0 (HcsRuntimeCgroup, 1);
  cgroup->version = version;
  cgroup->what = g_strdup_printf ("cgroup '%s'", relative + (*parent != '/'));
  cgroup->relative = g_strdup (relative);
  cgroup->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cgroup->directories = g_ptr_array_new_with_free_func (g_free);

  if (version == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      if (mounts.v2_root == NULL)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                       "%s: no cgroup v2 hierarchy is mounted at /sys/fs/cgroup", cgroup->what);
          hcs_runtime_cgroup_free (cgroup);
          return NULL;
        }
      g_ptr_array_add (cgroup->directories, g_build_filename (mounts.v2_root, relative, NULL));
      return cgroup;
    }

  for (guint i = 0; v1_controllers[i]; i++)
    {
      const char *root = g_hash_table_lookup (mounts.v1_roots, v1_controllers[i]);
      g_autofree char *dir = NULL;

      if (root == NULL)
        continue;
      dir = g_build_filename (root, relative, NULL);
      g_hash_table_insert (cgroup->paths, g_strdup (v1_controllers[i]), g_strdup (dir));
      /* Co-mounted controllers (cpu,cpuacct) share one directory. */
      if (!g_ptr_array_find_with_equal_func (cgroup->directories, dir, g_str_equal, NULL))
        g_ptr_array_add (cgroup->directories, g_steal_pointer (&dir));
    }
  if (cgroup->directories->len == 0)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: no cgroup hierarchy is mounted", cgroup->what);
      hcs_runtime_cgroup_free (cgroup);
      return NULL;
    }
  return cgroup;
}

/* The caller's own cgroup, as /proc/self/cgroup gives it: v2's "0::" line,
 * or on v1 the pids hierarchy's (memory's, else the first's). */
static char *
own_cgroup (gboolean v2)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  const char *wanted[] = { v2 ? "" : "pids", v2 ? NULL : "memory", NULL };
  char *first = NULL;

  if (!g_file_get_contents ("/proc/self/cgroup", &contents, NULL, NULL))
    return g_strdup ("/");
  lines = g_strsplit (contents, "\n", -1);
  for (guint w = 0; wanted[w]; w++)
    for (guint i = 0; lines[i]; i++)
      {
        g_auto (GStrv) fields = g_strsplit (lines[i], ":", 3);
        g_auto (GStrv) controllers = NULL;

        if (g_strv_length (fields) != 3)
          continue;
        if (first == NULL && !v2 && *fields[1] != '\0')
          first = g_strdup (fields[2]);
        controllers = g_strsplit (fields[1], ",", -1);
        if (v2 ? *fields[1] == '\0'
               : g_strv_contains ((const char *const *) controllers, wanted[w]))
          {
            g_free (first);
            return g_strdup (fields[2]);
          }
      }
  return first != NULL ? first : g_strdup ("/");
}

gboolean
hcs_runtime_cgroup_split_path (const char *cgroups_path, HcsRuntimeCgroupVersion version,
                               char **parent, char **name, GError **error)
{
  g_autofree char *path = NULL;
  g_auto (GStrv) parts = NULL;

  if (cgroups_path == NULL || *cgroups_path == '\0')
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.cgroupsPath: empty");
      return FALSE;
    }
  parts = g_strsplit (cgroups_path, "/", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_str_equal (parts[i], "..") || g_str_equal (parts[i], ".") ||
        strpbrk (parts[i], "\n:") != NULL)
      {
        g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                     "config.json: linux.cgroupsPath: '%s': '.', '..', ':' and newlines are "
                     "not allowed (an absolute path is taken from the cgroup root, a "
                     "relative one from the runtime's own cgroup)", cgroups_path);
        return FALSE;
      }
  if (*cgroups_path == '/')
    path = g_build_filename ("/", cgroups_path, NULL);
  else
    {
      gboolean v2 = version == HCS_RUNTIME_CGROUP_VERSION_2 ||
                    (version == HCS_RUNTIME_CGROUP_VERSION_AUTO &&
                     g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS));
      g_autofree char *own = own_cgroup (v2);

      path = g_build_filename ("/", own, cgroups_path, NULL);
    }
  while (g_str_has_suffix (path, "/") && path[1] != '\0')
    path[strlen (path) - 1] = '\0';
  if (g_str_equal (path, "/"))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.cgroupsPath: '%s' is the cgroup root", cgroups_path);
      return FALSE;
    }
  *name = g_path_get_basename (path);
  *parent = g_path_get_dirname (path);
  return TRUE;
}

HcsRuntimeCgroupVersion
hcs_runtime_cgroup_get_version (HcsRuntimeCgroup *cgroup)
{
  return cgroup->version;
}

const char *
hcs_runtime_cgroup_get_path (HcsRuntimeCgroup *cgroup, const char *controller)
{
  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    return cgroup->directories->pdata[0];
  return g_hash_table_lookup (cgroup->paths, controller);
}

GStrv
hcs_runtime_cgroup_get_procs_files (HcsRuntimeCgroup *cgroup)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < cgroup->directories->len; i++)
    {
      g_autofree char *path = g_build_filename (cgroup->directories->pdata[i], "cgroup.procs", NULL);
      g_strv_builder_add (builder, path);
    }
  return g_strv_builder_end (builder);
}

/* --- create, open, destroy -------------------------------------------------------- */

/* What a create knows of a v1 cpuset level's own values. */
typedef struct {
  char *values[2]; /* cpuset.cpus, cpuset.mems */
} CpusetValues;

static void
cpuset_values_clear (CpusetValues *cpuset)
{
  g_clear_pointer (&cpuset->values[0], g_free);
  g_clear_pointer (&cpuset->values[1], g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CpusetValues, cpuset_values_clear)

/* A new v1 cpuset starts empty and takes no task until it has cpus and
 * mems: copy them from the parent. @known holds the values of the
 * level above, when this create read or wrote them, and gets this level's:
 * a level made by this create (@made) is known empty and its parent's
 * values are known, so a create reads each file once, not three times. */
static gboolean
fill_cpuset (HcsRuntimeCgroup *cgroup, const char *dir, gboolean made, CpusetValues *known,
             GError **error)
{
  char **inherited = known->values;
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  g_autofree char *parent = g_path_get_dirname (dir);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *current = made ? NULL : read_file (dir, files[i]);

      if (current != NULL && *g_strstrip (current) != '\0')
        {
          g_free (inherited[i]);
          inherited[i] = g_steal_pointer (&current);
          continue;
        }
      if (!made || inherited[i] == NULL)
        {
          g_free (inherited[i]);
          inherited[i] = read_file (parent, files[i]);
          if (inherited[i] != NULL)
            g_strstrip (inherited[i]);
        }
      if (inherited[i] == NULL || *inherited[i] == '\0')
        continue;
      if (!write_file (cgroup, dir, files[i], inherited[i], error))
        return FALSE;
    }
  return TRUE;
}

static void
enable_v2_controllers (HcsRuntimeCgroup *cgroup, const char *root, const char *parent_dir)
{
  g_autofree char *relative = g_strdup (parent_dir + strlen (root));
  g_autofree char *dir = g_strdup (root);
  g_auto (GStrv) parts = g_strsplit (relative, "/", -1);

  /* Each level from the root down to the parent must hand the controllers
   * on; a controller the level does not have is skipped. */
  for (guint i = 0;; i++)
    {
      g_autofree char *available = read_file (dir, "cgroup.controllers");
      g_auto (GStrv) names = available ? g_strsplit_set (g_strstrip (available), " ", -1) : NULL;

      for (guint j = 0; v2_controllers[j]; j++)
        if (names && g_strv_contains ((const char *const *) names, v2_controllers[j]))
          {
            g_autofree char *value = g_strdup_printf ("+%s", v2_controllers[j]);
            write_file (cgroup, dir, "cgroup.subtree_control", value, NULL);
          }

      while (parts[i] && *parts[i] == '\0')
        i++;
      if (parts[i] == NULL)
        break;
      {
        char *next = g_build_filename (dir, parts[i], NULL);
        g_free (dir);
        dir = next;
      }
    }
}

/* @made, if given, says whether this call made the directory. */
static gboolean
make_directory (HcsRuntimeCgroup *cgroup, const char *dir, gboolean must_be_new, gboolean *made,
                GError **error)
{
  if (made != NULL)
    *made = FALSE;
  if (mkdir (dir, 0755) == 0)
    {
      if (made != NULL)
        *made = TRUE;
      return TRUE;
    }
  if (errno == EEXIST && !must_be_new)
    return TRUE;
  if (errno == EEXIST)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ALREADY_EXISTS, "%s: %s already exists",
                   cgroup->what, dir);
      return FALSE;
    }
  return hcs_set_error_from_errno (error, errno, "%s: creating %s", cgroup->what, dir);
}

HcsRuntimeCgroup *
hcs_runtime_cgroup_create (const char *parent, const char *id, HcsRuntimeCgroupVersion version,
                           const char *root_override, GError **error)
{
  g_autoptr (HcsRuntimeCgroup) cgroup = cgroup_new (parent, id, version, root_override, error);
  guint made = 0;

  if (cgroup == NULL)
    return NULL;

  for (; made < cgroup->directories->len; made++)
    {
      const char *dir = cgroup->directories->pdata[made];
      g_autofree char *parent_dir = g_path_get_dirname (dir);
      gboolean is_cpuset = cgroup->version == HCS_RUNTIME_CGROUP_VERSION_1 &&
                           g_strcmp0 (g_hash_table_lookup (cgroup->paths, "cpuset"), dir) == 0;
      g_auto (CpusetValues) cpuset = { { NULL, NULL } };
      gboolean made_now = FALSE;

      g_autofree char *root = g_strdup (dir);

      /* dir = ROOT/PARENT/ID: the parent's levels are made one by one (a
       * cgroupsPath may name several), cpuset's filled on the way down. */
      if (g_str_has_suffix (root, cgroup->relative))
        root[strlen (root) - strlen (cgroup->relative)] = '\0';
      else
        g_clear_pointer (&root, g_free);
      if (root == NULL)
        {
          if (!make_directory (cgroup, parent_dir, FALSE, &made_now, error) ||
              (is_cpuset && !fill_cpuset (cgroup, parent_dir, made_now, &cpuset, error)))
            goto fail;
        }
      else
        {
          g_auto (GStrv) levels = g_strsplit (parent_dir + strlen (root), "/", -1);
          g_autofree char *level = g_strdup (root);

          for (guint i = 0; levels[i]; i++)
            {
              char *next;

              if (*levels[i] == '\0')
                continue;
              next = g_build_filename (level, levels[i], NULL);
              g_free (level);
              level = next;
              if (!make_directory (cgroup, level, FALSE, &made_now, error) ||
                  (is_cpuset && !fill_cpuset (cgroup, level, made_now, &cpuset, error)))
                goto fail;
            }
          if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
            enable_v2_controllers (cgroup, root, parent_dir);
        }
      if (!make_directory (cgroup, dir, TRUE, NULL, error))
        goto fail;
      if (is_cpuset && !fill_cpuset (cgroup, dir, TRUE, &cpuset, error))
        {
          made++;
          goto fail;
        }
    }
  return g_steal_pointer (&cgroup);

fail:
  /* Undo only what this call made. */
  while (made-- > 0)
    rmdir (cgroup->directories->pdata[made]);
  return NULL;
}

HcsRuntimeCgroup *
hcs_runtime_cgroup_open (const char *parent, const char *id, HcsRuntimeCgroupVersion version,
                         const char *root_override, GError **error)
{
  g_autoptr (HcsRuntimeCgroup) cgroup = cgroup_new (parent, id, version, root_override, error);

  if (cgroup == NULL)
    return NULL;
  /* Any hierarchy will do: a remove killed half-way through its rmdirs
   * leaves the later hierarchies' folders, which the next remove must
   * still find and take away. */
  for (guint i = 0; i < cgroup->directories->len; i++)
    if (g_file_test (cgroup->directories->pdata[i], G_FILE_TEST_IS_DIR))
      return g_steal_pointer (&cgroup);
  g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "%s does not exist", cgroup->what);
  return NULL;
}

/* Where to read the member list: any hierarchy has it on v1; prefer pids. */
static const char *
procs_dir (HcsRuntimeCgroup *cgroup)
{
  const char *dir;

  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    return cgroup->directories->pdata[0];
  if ((dir = g_hash_table_lookup (cgroup->paths, "pids")) != NULL ||
      (dir = g_hash_table_lookup (cgroup->paths, "memory")) != NULL)
    return dir;
  return cgroup->directories->pdata[0];
}

static int
compare_pids (gconstpointer a, gconstpointer b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return x < y ? -1 : x > y;
}

GArray *
hcs_runtime_cgroup_get_pids (HcsRuntimeCgroup *cgroup, GError **error)
{
  g_autofree char *path = g_build_filename (procs_dir (cgroup), "cgroup.procs", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "%s: %s", cgroup->what,
                   local_error->message);
      g_array_unref (pids);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i] != '\0')
      {
        pid_t pid = (pid_t) g_ascii_strtoll (lines[i], NULL, 10);
        g_array_append_val (pids, pid);
      }
  g_array_sort (pids, compare_pids);
  return pids;
}

gboolean
hcs_runtime_cgroup_add_pid (HcsRuntimeCgroup *cgroup, pid_t pid, GError **error)
{
  g_autofree char *value = g_strdup_printf ("%d", (int) pid);

  for (guint i = 0; i < cgroup->directories->len; i++)
    if (!write_file (cgroup, cgroup->directories->pdata[i], "cgroup.procs", value, error))
      return FALSE;
  return TRUE;
}

/* The errors of hcs-gate.c's removal (GLib only, shared with hcsctl's
 * front) in HCS_ERROR's terms; G_FILE_ERROR_FAILED is a cgroup that stays
 * busy: @busy_code. */
static gboolean
gate_failed (HcsRuntimeCgroup *cgroup, const GError *gate_error, HcsError busy_code,
             GError **error)
{
  HcsError code = HCS_ERROR_FAILED;

  if (gate_error->code == G_FILE_ERROR_FAILED)
    code = busy_code;
  else if (gate_error->code == G_FILE_ERROR_ACCES || gate_error->code == G_FILE_ERROR_PERM)
    code = HCS_ERROR_ACCESS_DENIED;
  g_set_error (error, HCS_ERROR, code, "%s: %s", cgroup->what, gate_error->message);
  return FALSE;
}

gboolean
hcs_runtime_cgroup_destroy (HcsRuntimeCgroup *cgroup, GError **error)
{
  g_autofree const char **dirs = g_new0 (const char *, cgroup->directories->len + 1);
  g_autoptr (GError) gate_error = NULL;

  for (guint i = 0; i < cgroup->directories->len; i++)
    dirs[i] = cgroup->directories->pdata[i];
  if (hcs_gate_cgroup_remove (dirs, &gate_error))
    return TRUE;
  return gate_failed (cgroup, gate_error, HCS_ERROR_INVALID_STATE, error);
}

/* --- limits ------------------------------------------------------------------- */

static gboolean
set_memory (HcsRuntimeCgroup *cgroup, gint64 megabytes, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "memory");
  g_autofree char *value = NULL;
  g_autofree char *memsw = NULL;

  if (dir == NULL)
    goto missing;
  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      value = megabytes > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, megabytes * 1024 * 1024)
                            : g_strdup ("max");
      return write_file (cgroup, dir, "memory.max", value, error);
    }

  value = megabytes > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, megabytes * 1024 * 1024)
                        : g_strdup ("-1");
  memsw = read_file (dir, "memory.memsw.limit_in_bytes");
  if (memsw == NULL)
    return write_file (cgroup, dir, "memory.limit_in_bytes", value, error);
  /* memsw must never be below the memory limit: raise it first, lower it
   * last. No swap: both get the same value. */
  if (megabytes <= 0 || (guint64) megabytes * 1024 * 1024 > g_ascii_strtoull (memsw, NULL, 10))
    return write_file (cgroup, dir, "memory.memsw.limit_in_bytes", value, error) &&
           write_file (cgroup, dir, "memory.limit_in_bytes", value, error);
  return write_file (cgroup, dir, "memory.limit_in_bytes", value, error) &&
         write_file (cgroup, dir, "memory.memsw.limit_in_bytes", value, error);

missing:
  g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
               "%s: MemoryMaximumInMB: no memory controller", cgroup->what);
  return FALSE;
}

/* The first @count cpus of a list like "0-3,8-11". */
static char *
first_cpus (const char *list, gint64 count)
{
  g_auto (GStrv) ranges = g_strsplit (list, ",", -1);
  g_autoptr (GString) result = g_string_new (NULL);

  for (guint i = 0; ranges[i] && count > 0; i++)
    {
      char *end;
      guint64 first = g_ascii_strtoull (ranges[i], &end, 10), last = first;

      if (end == ranges[i])
        continue;
      if (*end == '-')
        last = g_ascii_strtoull (end + 1, NULL, 10);
      if ((gint64) (last - first + 1) > count)
        last = first + count - 1;
      count -= last - first + 1;
      if (result->len > 0)
        g_string_append_c (result, ',');
      if (first == last)
        g_string_append_printf (result, "%" G_GUINT64_FORMAT, first);
      else
        g_string_append_printf (result, "%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, first, last);
    }
  return g_string_free (g_steal_pointer (&result), FALSE);
}

static gboolean
set_processor_count (HcsRuntimeCgroup *cgroup, gint64 count, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "cpuset");
  g_autofree char *parent = NULL, *available = NULL, *cpus = NULL, *file = NULL;

  file = dir ? g_build_filename (dir, "cpuset.cpus", NULL) : NULL;
  if (file == NULL || !g_file_test (file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: ProcessorCount: no cpuset controller", cgroup->what);
      return FALSE;
    }
  parent = g_path_get_dirname (dir);
  available = read_file (parent, cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2
                                     ? "cpuset.cpus.effective"
                                     : "cpuset.cpus");
  if (available == NULL || *g_strstrip (available) == '\0')
    {
      g_free (available);
      available = read_file ("/sys/devices/system/cpu", "online");
      if (available == NULL)
        return hcs_set_error_from_errno (error, ENOENT, "%s: reading the online cpus",
                                         cgroup->what);
      g_strstrip (available);
    }
  cpus = count > 0 ? first_cpus (available, count) : g_strdup (available);
  return write_file (cgroup, dir, "cpuset.cpus", cpus, error);
}

/* hcsshim's ProcessorWeight is 1..10000 with 100 as the default share;
 * v1 cpu.shares default to 1024 (2..262144), v2 cpu.weight to 100
 * (1..10000): v1 = weight * 1024 / 100, v2 = weight. 0 restores the
 * default. */
static gboolean
set_processor_weight (HcsRuntimeCgroup *cgroup, gint64 weight, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "cpu");
  g_autofree char *value = NULL;

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: ProcessorWeight: no cpu controller", cgroup->what);
      return FALSE;
    }
  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      value = g_strdup_printf ("%" G_GINT64_FORMAT, weight > 0 ? CLAMP (weight, 1, 10000) : 100);
      return write_file (cgroup, dir, "cpu.weight", value, error);
    }
  value = g_strdup_printf ("%" G_GINT64_FORMAT,
                           weight > 0 ? CLAMP (weight * 1024 / 100, 2, 262144) : 1024);
  return write_file (cgroup, dir, "cpu.shares", value, error);
}

/* ProcessorMaximum: 1..10000 hundredths of a percent of the whole machine. */
static gboolean
set_processor_maximum (HcsRuntimeCgroup *cgroup, gint64 maximum, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "cpu");
  gint64 quota = (gint64) CPU_PERIOD_US * g_get_num_processors () * maximum / 10000;
  g_autofree char *value = NULL;

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: ProcessorMaximum: no cpu controller", cgroup->what);
      return FALSE;
    }
  quota = MAX (quota, 1000);
  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      value = maximum > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT " %d", quota, CPU_PERIOD_US)
                          : g_strdup_printf ("max %d", CPU_PERIOD_US);
      return write_file (cgroup, dir, "cpu.max", value, error);
    }
  value = maximum > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, quota) : g_strdup ("-1");
  return write_file (cgroup, dir, "cpu.cfs_period_us", G_STRINGIFY (CPU_PERIOD_US), error) &&
         write_file (cgroup, dir, "cpu.cfs_quota_us", value, error);
}

/* MAJ:MIN of every whole disk with a size (loop and ram disks aside). */
static GPtrArray *
list_block_devices (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/sys/block", 0, NULL);
  GPtrArray *devices = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *block = g_build_filename ("/sys/block", name, NULL);
      g_autofree char *numbers = NULL;

      if (g_str_has_prefix (name, "loop") || g_str_has_prefix (name, "ram") ||
          read_number (block, "size") == 0 || (numbers = read_file (block, "dev")) == NULL)
        continue;
      g_ptr_array_add (devices, g_strdup (g_strstrip (numbers)));
    }
  return devices;
}

static gboolean
set_io_limits (HcsRuntimeCgroup *cgroup, gint64 iops, gint64 bandwidth, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (
      cgroup, cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2 ? "io" : "blkio");
  g_autoptr (GPtrArray) devices = list_block_devices ();
  g_autoptr (GError) first_error = NULL;
  guint written = 0;

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "%s: StorageIOPSMaximum/StorageBandwidthMaximum: no blkio controller",
                   cgroup->what);
      return FALSE;
    }
  for (guint i = 0; i < devices->len; i++)
    {
      const char *device = devices->pdata[i];
      g_autoptr (GError) local_error = NULL;
      gboolean ok = TRUE;

      if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
        {
          g_autoptr (GString) line = g_string_new (device);
          if (iops >= 0)
            {
              g_autofree char *v = iops > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, iops)
                                            : g_strdup ("max");
              g_string_append_printf (line, " riops=%s wiops=%s", v, v);
            }
          if (bandwidth >= 0)
            {
              g_autofree char *v = bandwidth > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, bandwidth)
                                                 : g_strdup ("max");
              g_string_append_printf (line, " rbps=%s wbps=%s", v, v);
            }
          ok = write_file (cgroup, dir, "io.max", line->str, &local_error);
        }
      else
        {
          if (iops >= 0)
            {
              g_autofree char *line = g_strdup_printf ("%s %" G_GINT64_FORMAT, device, iops);
              ok = write_file (cgroup, dir, "blkio.throttle.read_iops_device", line, &local_error) &&
                   write_file (cgroup, dir, "blkio.throttle.write_iops_device", line, &local_error);
            }
          if (ok && bandwidth >= 0)
            {
              g_autofree char *line = g_strdup_printf ("%s %" G_GINT64_FORMAT, device, bandwidth);
              ok = write_file (cgroup, dir, "blkio.throttle.read_bps_device", line, &local_error) &&
                   write_file (cgroup, dir, "blkio.throttle.write_bps_device", line, &local_error);
            }
        }
      if (ok)
        written++;
      else if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  /* Some devices refuse throttling (e.g. ones without a request queue);
   * one that takes it is enough. */
  if (written == 0 && first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
hcs_runtime_cgroup_set_limits (HcsRuntimeCgroup *cgroup, const HcsRuntimeCgroupLimits *limits,
                               GError **error)
{
  if (limits->memory_maximum_in_mb >= 0 &&
      !set_memory (cgroup, limits->memory_maximum_in_mb, error))
    return FALSE;
  if (limits->processor_count >= 0 && !set_processor_count (cgroup, limits->processor_count, error))
    return FALSE;
  if (limits->processor_weight >= 0 &&
      !set_processor_weight (cgroup, limits->processor_weight, error))
    return FALSE;
  if (limits->processor_maximum >= 0 &&
      !set_processor_maximum (cgroup, limits->processor_maximum, error))
    return FALSE;
  if ((limits->storage_iops_maximum >= 0 || limits->storage_bandwidth_maximum >= 0) &&
      !set_io_limits (cgroup, limits->storage_iops_maximum, limits->storage_bandwidth_maximum,
                      error))
    return FALSE;
  if (limits->pids_maximum >= 0 &&
      !hcs_runtime_cgroup_set_pids_max (cgroup, limits->pids_maximum, error))
    return FALSE;
  return TRUE;
}

gboolean
hcs_runtime_cgroup_set_pids_max (HcsRuntimeCgroup *cgroup, gint64 max, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "pids");
  g_autofree char *value = max > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, max) : g_strdup ("max");

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: pids limit: no pids controller",
                   cgroup->what);
      return FALSE;
    }
  return write_file (cgroup, dir, "pids.max", value, error);
}

gboolean
hcs_runtime_cgroup_set_default_devices (HcsRuntimeCgroup *cgroup, GError **error)
{
  const char *dir;

  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2 ||
      (dir = g_hash_table_lookup (cgroup->paths, "devices")) == NULL)
    return TRUE;
  return write_file (cgroup, dir, "devices.deny", "a", error) &&
         hcs_runtime_cgroup_allow_default_devices (cgroup, error);
}

gboolean
hcs_runtime_cgroup_allow_default_devices (HcsRuntimeCgroup *cgroup, GError **error)
{
  /* The OCI default allow-list, as runc applies it. */
  static const char *const allowed[] = {
    "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
    "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", NULL,
  };
  const char *dir;

  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2 ||
      (dir = g_hash_table_lookup (cgroup->paths, "devices")) == NULL)
    return TRUE;
  for (guint i = 0; allowed[i]; i++)
    if (!write_file (cgroup, dir, "devices.allow", allowed[i], error))
      return FALSE;
  return TRUE;
}

gboolean
hcs_runtime_cgroup_allow_devices (HcsRuntimeCgroup *cgroup, GPtrArray *devices, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "devices");

  if (hcs_runtime_cgroup_get_version (cgroup) == HCS_RUNTIME_CGROUP_VERSION_2 || dir == NULL)
    return TRUE;
  for (guint i = 0; devices && i < devices->len; i++)
    {
      const HcsRuntimeDevice *device = devices->pdata[i];
      g_autofree char *path = g_build_filename (dir, "devices.allow", NULL);
      g_autofree char *rule = NULL;
      g_autoptr (GError) local_error = NULL;

      if (device->type == 'p')
        continue; /* a fifo is no device to the cgroup */
      rule = g_strdup_printf ("%c %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT " rwm",
                              device->type == 'u' ? 'c' : device->type, device->major,
                              device->minor);
      if (!g_file_set_contents_full (path, rule, -1, G_FILE_SET_CONTENTS_NONE, 0644,
                                     &local_error))
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                       "config.json: linux.devices[%u]: allowing %s: %s", i, device->path,
                       local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
hcs_runtime_cgroup_apply_resources (HcsRuntimeCgroup *cgroup,
                                    const HcsRuntimeResources *resources, GError **error)
{
  return hcs_runtime_cgroup_set_default_devices (cgroup, error) &&
         hcs_runtime_cgroup_apply_limits (cgroup, resources, error);
}

gboolean
hcs_runtime_cgroup_apply_limits (HcsRuntimeCgroup *cgroup, const HcsRuntimeResources *resources,
                                 GError **error)
{
  HcsRuntimeCgroupLimits update = HCS_RUNTIME_CGROUP_LIMITS_INIT;

  /* 0 in a spec is "not asked for"; in an update it would be "unlimited". */
  if (resources->memory_maximum_in_mb > 0)
    update.memory_maximum_in_mb = resources->memory_maximum_in_mb;
  if (resources->processor_count > 0)
    update.processor_count = resources->processor_count;
  if (resources->processor_weight > 0)
    update.processor_weight = resources->processor_weight;
  if (resources->processor_maximum > 0)
    update.processor_maximum = resources->processor_maximum;
  if (resources->storage_iops_maximum > 0)
    update.storage_iops_maximum = resources->storage_iops_maximum;
  if (resources->storage_bandwidth_maximum > 0)
    update.storage_bandwidth_maximum = resources->storage_bandwidth_maximum;
  if (resources->pids_maximum > 0)
    update.pids_maximum = resources->pids_maximum;
  return hcs_runtime_cgroup_set_limits (cgroup, &update, error);
}

/* --- freezer and kill -------------------------------------------------------------- */

static gboolean
frozen_now (HcsRuntimeCgroup *cgroup, gboolean *frozen)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "freezer");
  g_autofree char *text = NULL;

  if (dir == NULL)
    return FALSE;
  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      text = read_file (dir, "cgroup.events");
      if (text == NULL)
        return FALSE;
      *frozen = strstr (text, "frozen 1") != NULL;
      return TRUE;
    }
  text = read_file (dir, "freezer.state");
  if (text == NULL)
    return FALSE;
  *frozen = g_str_equal (g_strstrip (text), "FROZEN");
  return TRUE;
}

gboolean
hcs_runtime_cgroup_is_frozen (HcsRuntimeCgroup *cgroup)
{
  gboolean frozen = FALSE;

  return frozen_now (cgroup, &frozen) && frozen;
}

static gboolean
set_frozen (HcsRuntimeCgroup *cgroup, gboolean freeze, GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, "freezer");
  gint64 deadline = g_get_monotonic_time () + STATE_CHANGE_TIMEOUT_US;
  gboolean v2 = cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2;

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: no freezer", cgroup->what);
      return FALSE;
    }
  for (;;)
    {
      gboolean frozen = !freeze;

      /* v1 may stay FREEZING while a task is in an uninterruptible sleep:
       * writing again retries the freeze. */
      if (!write_file (cgroup, dir, v2 ? "cgroup.freeze" : "freezer.state",
                       v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED"), error))
        return FALSE;
      if (frozen_now (cgroup, &frozen) && frozen == freeze)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, HCS_ERROR, HCS_ERROR_TIMEOUT, "%s: timed out %s", cgroup->what,
                       freeze ? "freezing" : "thawing");
          return FALSE;
        }
      g_usleep (1000);
    }
}

gboolean
hcs_runtime_cgroup_freeze (HcsRuntimeCgroup *cgroup, GError **error)
{
  return set_frozen (cgroup, TRUE, error);
}

gboolean
hcs_runtime_cgroup_thaw (HcsRuntimeCgroup *cgroup, GError **error)
{
  return set_frozen (cgroup, FALSE, error);
}

gboolean
hcs_runtime_cgroup_kill_all (HcsRuntimeCgroup *cgroup, GError **error)
{
  const char *freezer_dir = hcs_runtime_cgroup_get_path (cgroup, "freezer");
  gboolean v2 = cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2;
  g_autofree char *freezer = NULL;
  g_autoptr (GError) gate_error = NULL;

  /* hcs-gate.c's, which hcsctl's front uses for a delete too. */
  if (freezer_dir != NULL)
    freezer = g_build_filename (freezer_dir, v2 ? "cgroup.events" : "freezer.state", NULL);
  if (hcs_gate_cgroup_kill_all (procs_dir (cgroup), freezer, v2 ? 2 : 1, &gate_error))
    return TRUE;
  return gate_failed (cgroup, gate_error, HCS_ERROR_TIMEOUT, error);
}

/* --- statistics ----------------------------------------------------------------------- */

/* Sums "MAJ:MIN Read N" (v1 blkio) lines of one operation. */
static guint64
sum_blkio (const char *dir, const char *file, const char *operation)
{
  g_autofree char *text = dir ? read_file (dir, file) : NULL;
  g_auto (GStrv) lines = NULL;
  guint64 total = 0;

  if (text == NULL)
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char device[32], op[16];
      guint64 value;
      if (sscanf (lines[i], "%31s %15s %" G_GUINT64_FORMAT, device, op, &value) == 3 &&
          g_str_equal (op, operation))
        total += value;
    }
  return total;
}

/* Sums "KEY=N" fields of v2 io.stat. */
static guint64
sum_io_stat (const char *dir, const char *key)
{
  g_autofree char *text = read_file (dir, "io.stat");
  g_autofree char *needle = g_strdup_printf (" %s=", key);
  guint64 total = 0;

  for (const char *p = text; p && (p = strstr (p, needle)) != NULL; p += strlen (needle))
    total += g_ascii_strtoull (p + strlen (needle), NULL, 10);
  return total;
}

gboolean
hcs_runtime_cgroup_get_stats (HcsRuntimeCgroup *cgroup, HcsRuntimeCgroupStats *stats,
                              GError **error)
{
  memset (stats, 0, sizeof *stats);

  if (!g_file_test (cgroup->directories->pdata[0], G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "%s does not exist",
                   cgroup->what);
      return FALSE;
    }

  if (cgroup->version == HCS_RUNTIME_CGROUP_VERSION_2)
    {
      const char *dir = cgroup->directories->pdata[0];

      stats->memory_usage_bytes = read_number (dir, "memory.current");
      stats->memory_max_usage_bytes = read_number (dir, "memory.peak");
      stats->memory_private_bytes = read_keyed (dir, "memory.stat", "anon");
      stats->cpu_usage_ns = read_keyed (dir, "cpu.stat", "usage_usec") * 1000;
      stats->cpu_user_ns = read_keyed (dir, "cpu.stat", "user_usec") * 1000;
      stats->cpu_system_ns = read_keyed (dir, "cpu.stat", "system_usec") * 1000;
      stats->io_read_bytes = sum_io_stat (dir, "rbytes");
      stats->io_write_bytes = sum_io_stat (dir, "wbytes");
      stats->io_read_ops = sum_io_stat (dir, "rios");
      stats->io_write_ops = sum_io_stat (dir, "wios");
      stats->oom_kills = read_keyed (dir, "memory.events", "oom_kill");
      return TRUE;
    }

  {
    const char *memory = g_hash_table_lookup (cgroup->paths, "memory");
    const char *cpuacct = g_hash_table_lookup (cgroup->paths, "cpuacct");
    const char *blkio = g_hash_table_lookup (cgroup->paths, "blkio");
    guint64 ticks_ns = G_USEC_PER_SEC * 1000 / sysconf (_SC_CLK_TCK);

    stats->memory_usage_bytes = read_number (memory, "memory.usage_in_bytes");
    stats->memory_max_usage_bytes = read_number (memory, "memory.max_usage_in_bytes");
    stats->memory_private_bytes = read_keyed (memory, "memory.stat", "total_rss");
    stats->oom_kills = read_keyed (memory, "memory.oom_control", "oom_kill");
    stats->cpu_usage_ns = read_number (cpuacct, "cpuacct.usage");
    stats->cpu_user_ns = read_keyed (cpuacct, "cpuacct.stat", "user") * ticks_ns;
    stats->cpu_system_ns = read_keyed (cpuacct, "cpuacct.stat", "system") * ticks_ns;
    stats->io_read_bytes = sum_blkio (blkio, "blkio.throttle.io_service_bytes", "Read");
    stats->io_write_bytes = sum_blkio (blkio, "blkio.throttle.io_service_bytes", "Write");
    stats->io_read_ops = sum_blkio (blkio, "blkio.throttle.io_serviced", "Read");
    stats->io_write_ops = sum_blkio (blkio, "blkio.throttle.io_serviced", "Write");
  }
  return TRUE;
}

char *
hcs_runtime_cgroup_read (HcsRuntimeCgroup *cgroup, const char *controller, const char *file,
                         GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, controller);
  g_autofree char *path = NULL;
  g_autoptr (GError) local_error = NULL;
  char *contents = NULL;

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED, "%s: no %s controller",
                   cgroup->what, controller);
      return NULL;
    }
  path = g_build_filename (dir, file, NULL);
  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_ELEMENT_NOT_FOUND, "%s: %s", cgroup->what,
                   local_error->message);
      return NULL;
    }
  return contents;
}

/* --- config.json's linux.resources, the GLib-only part ---------------------------- */

gboolean
hcs_runtime_cgroup_write_oci (HcsRuntimeCgroup *cgroup, const char *controller,
                              const char *field, const char *file, const char *value,
                              GError **error)
{
  const char *dir = hcs_runtime_cgroup_get_path (cgroup, controller);
  g_autofree char *path = NULL;
  gssize length = strlen (value), written;
  int fd;

  if (dir == NULL)
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "config.json: linux.resources.%s: this host has no %s controller for the "
                   "container", field, controller);
      return FALSE;
    }
  path = g_build_filename (dir, file, NULL);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, HCS_ERROR,
                   saved_errno == ENOENT ? HCS_ERROR_NOT_SUPPORTED : HCS_ERROR_INVALID_DATA,
                   "config.json: linux.resources.%s: %s: %s", field, path,
                   saved_errno == ENOENT ? "not on this host" : g_strerror (saved_errno));
      return FALSE;
    }
  written = write (fd, value, length);
  if (written != length)
    {
      int saved_errno = written < 0 ? errno : EIO;
      close (fd);
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.resources.%s: writing '%s' to %s: %s", field, value, path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
hcs_runtime_device_rule_plan (const HcsRuntimeDeviceRule *rule, gboolean v2, char **file,
                              char **value, GError **error)
{
  g_autofree char *major = NULL, *minor = NULL;

  *file = *value = NULL;
  if (!g_strv_contains ((const char *const[]){ "a", "b", "c", NULL }, rule->type))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.resources.devices: type must be a, b or c");
      return FALSE;
    }
  if (*rule->access == '\0' || strspn (rule->access, "rwm") != strlen (rule->access))
    {
      g_set_error (error, HCS_ERROR, HCS_ERROR_INVALID_DATA,
                   "config.json: linux.resources.devices: access must be made of r, w and m");
      return FALSE;
    }
  if (v2)
    {
      /* eBPF, not done: only the usual leading "deny all" is taken. */
      if (!rule->allow)
        return TRUE;
      g_set_error (error, HCS_ERROR, HCS_ERROR_NOT_SUPPORTED,
                   "config.json: linux.resources.devices: device rules on cgroup v2 need eBPF, "
                   "which hcs does not load");
      return FALSE;
    }
  *file = g_strdup (rule->allow ? "devices.allow" : "devices.deny");
  if (g_str_equal (rule->type, "a"))
    {
      *value = g_strdup ("a");
      return TRUE;
    }
  major = rule->major >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, rule->major) : g_strdup ("*");
  minor = rule->minor >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, rule->minor) : g_strdup ("*");
  *value = g_strdup_printf ("%s %s:%s %s", rule->type, major, minor, rule->access);
  return TRUE;
}
