#!/bin/sh
# test-glib-only.sh PROGRAM...: each program links GLib alone: none of
# GObject, GIO, GModule, json-glib or libhcs among its NEEDED libraries
# (what hcsctl's front and a program on hcs-base must never load).
set -eu

status=0
for program in "$@"; do
  needed=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
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
