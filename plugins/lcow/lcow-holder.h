/* lcow-holder.h: what a UVM holder (hcs-lcow-uvm) and the plugin that
 * finds it agree on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* The holders' folders: STATE_DIR/lcow/uvm-XXXXXX. */
#define LCOW_HOLDERS_DIR "lcow"
/* A held system's record in its state folder: its holder's socket. */
#define LCOW_HOLDER_RECORD "lcow-holder"
