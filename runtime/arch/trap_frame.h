// SPDX-License-Identifier: MIT
// TrapFrame, for the code outside arch/ that must hold one (signal delivery and rt_sigreturn):
// the machine's own layout, reached through this header so nothing outside arch/ includes
// arch/x86_64/ directly.
#pragma once

#include "arch/x86_64/trap_frame.h"
