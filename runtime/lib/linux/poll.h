// SPDX-License-Identifier: MIT
// poll(2) event bits (Linux values): what a description reports as its readiness.
#pragma once

#include "lib/types.h"

namespace uk {

enum PollEvents : u32 {
    k_poll_in = 0x001,
    k_poll_pri = 0x002,
    k_poll_out = 0x004,
    k_poll_err = 0x008,
    k_poll_hup = 0x010,
    k_poll_nval = 0x020,
    k_poll_rdnorm = 0x040,
    k_poll_rdband = 0x080,
    k_poll_wrnorm = 0x100,
    k_poll_wrband = 0x200,
    k_poll_rdhup = 0x2000,
    k_poll_all = 0xffffffff, // A change that may concern any event (notify_readiness's hint).
};

}
