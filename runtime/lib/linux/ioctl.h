// SPDX-License-Identifier: MIT
// Linux ioctl request numbers (x86_64 values) that the runtime's descriptions answer: the
// terminal requests of a console and the generic file requests of every descriptor.
#pragma once

namespace uk {

// Terminals [ioctl_tty(2)].
inline constexpr unsigned long k_tcgets = 0x5401, k_tcsets = 0x5402, k_tcsetsw = 0x5403, k_tcsetsf = 0x5404,
                               k_tcsbrk = 0x5409, k_tcxonc = 0x540a, k_tcflsh = 0x540b, k_tiocsctty = 0x540e,
                               k_tiocgpgrp = 0x540f, k_tiocspgrp = 0x5410, k_tiocgwinsz = 0x5413,
                               k_tiocswinsz = 0x5414, k_tiocnotty = 0x5422;

// Any descriptor [ioctl(2), ioctl_fionread(2)].
inline constexpr unsigned long k_fionread = 0x541b, k_fionbio = 0x5421, k_fionclex = 0x5450, k_fioclex = 0x5451,
                               k_fioasync = 0x5452;

}
