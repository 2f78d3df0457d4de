/* vm-tap.h: a persistent tap on a bridge, for QEMU to open by name
 * (VmNic.tap): an hns endpoint's host side for a VM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "hcst" and @endpoint_id's first 11 letters or digits: an interface name
 * (15 at most) that says whose it is. */
char *vm_tap_name_for (const char *endpoint_id);

/* Makes the tap @name, persistent (it stays when we close it), joins it
 * to the bridge @bridge and sets it up; IPv6 autoconfiguration is off on
 * it (no router's client). A tap of that name no one holds (a crashed
 * host's) is deleted and made again; one a running QEMU holds is
 * HCS_ERROR_ALREADY_EXISTS (the endpoint is in use). Nothing is left on
 * an error. */
gboolean vm_tap_create (const char *name, const char *bridge, GError **error);

/* Takes the persistence back: the tap goes (once no QEMU holds it). TRUE
 * when it is gone or was never there. */
gboolean vm_tap_delete (const char *name);

G_END_DECLS
