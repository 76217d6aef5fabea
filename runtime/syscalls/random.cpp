// SPDX-License-Identifier: MIT
// getrandom: bytes straight from the CPU's RDSEED/RDRAND.
#include "arch/arch.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "syscalls/syscall.h"

using namespace uk;

UK_SYSCALL_HANDLER(getrandom)
{
    size_t length = static_cast<size_t>(a1);
    if (!mm::is_user_range(static_cast<u64>(a0), length, true))
        return error(EFAULT);
    auto* out = user_pointer<u8>(a0);
    for (size_t done = 0; done < length;) {
        u64 word;
        if (!arch::hardware_random(word)) {
            static bool s_warned;
            if (!s_warned) {
                printk("uk: getrandom: the CPU offers neither RDSEED nor RDRAND; run with -cpu max or -cpu host\n");
                s_warned = true;
            }
            if (!done)
                return error(EIO);
            return static_cast<long>(done);
        }
        size_t n = length - done < 8 ? length - done : 8;
        copy_bytes(out + done, &word, n);
        done += n;
    }
    return static_cast<long>(length);
}
