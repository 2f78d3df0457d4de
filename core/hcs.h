/* hcs.h: the public API of libhcs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hcs-error.h"
#include "hcs-state.h"
#include "hcs-bridge.h"
#include "hcs-documents.h"
#include "hcs-process.h"
#include "hcs-container.h"
#include "hcs-network.h"
#include "hcs-driver.h"
#include "hcs-host.h"
#include "hcs-image.h"
#include "hcs-layer-store.h"
#include "hcs-protocol.h"
#include "hcs-protocol-client.h"
#include "hcs-protocol-server.h"
