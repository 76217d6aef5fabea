// SPDX-License-Identifier: MIT
// The exit statuses of a boot that stops before the program starts, one per cause, so that a
// script can tell them apart (docs/runner.md lists them; uk-run uses Memory too when the image
// cannot even be loaded). pvh_entry.S repeats Machine's value for the CPU check it makes in
// 32-bit mode.
#pragma once

namespace uk {

enum class BootFailure : int {
    Machine = 120, // Unsupported machine or CPU: no PVH start info, a CPU feature missing.
    Memory = 121,  // Too little RAM for this image (and its initrd).
    Archive = 122, // A corrupt or truncated initrd or embedded archive.
    Other = 127,   // Anything else: a malformed command line, arguments too large for the stack.
};

}
