// SPDX-License-Identifier: MIT
// The identity of the one process, as the system calls report it: the program is process 1
// (as in a container's namespace), its own group and session leader, with no parent.
#pragma once

namespace uk {

inline constexpr int k_process_id = 1;
inline constexpr int k_parent_process_id = 0;

}
