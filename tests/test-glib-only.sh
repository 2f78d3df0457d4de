#!/bin/sh
# test-glib-only.sh PROGRAM...: each program links GLib alone: none of
# GObject, GIO, GModule, json-glib or libhcs among its NEEDED libraries,
# or, linked statically, among its code (what hcsctl's front and a
# program on hcs-base must never load).
set -eu

status=0
for program in "$@"; do
  needed=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if [ -z "$needed" ] && ! readelf -l "$program" | grep -q INTERP; then
    # Static (hcsctl's front): GLib's code is in it, and nothing of
    # GObject, GIO, GModule, json-glib or libhcs may be.
    defined=$(nm --defined-only "$program" | awk '{print $3}')
    echo "# $(basename "$program"): static"
    if ! echo "$defined" | grep -qx 'g_main_context_new'; then
      echo "$(basename "$program") has no GLib in it: not the program meant"; status=1
    fi
    unwanted=$(echo "$defined" |
      grep -xE 'g_type_register_static|g_object_new|g_file_new_for_path|g_module_open|json_parser_new|hcs_host_new' || true)
    if [ -n "$unwanted" ]; then
      echo "$(basename "$program") holds more than GLib:"; echo "$unwanted"; status=1
    fi
    continue
  fi
  echo "# $(basename "$program"): $(echo $needed)"
  if ! echo "$needed" | grep -qx 'libglib-2\.0\.so\.0'; then
    echo "$(basename "$program") does not link GLib: not the program meant"; status=1
  fi
  unwanted=$(echo "$needed" | grep -E '^lib(gobject|gio|gmodule|json-glib|hcs)[-.]' || true)
  if [ -n "$unwanted" ]; then
    echo "$(basename "$program") needs more than GLib:"; echo "$unwanted"; status=1
  fi
done
[ $status -eq 0 ] && echo "ok"
exit $status
