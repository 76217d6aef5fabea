// SPDX-License-Identifier: MIT
// The system-call table: a weak ENOSYS stub for every Linux system call (a real handler elsewhere
// in the runtime overrides it), and the dispatcher for calls whose number is not a constant.
#include "syscalls/syscall.h"

#include "lib/format.h"

namespace uk {

namespace {
constexpr int k_table_size = 512;
u64 g_reported[k_table_size / 64];
}

Result<long> unsupported(int number, const char* name)
{
    if (number >= 0 && number < k_table_size) {
        u64 bit = 1ull << (number % 64);
        if (g_reported[number / 64] & bit)
            return error(ENOSYS);
        g_reported[number / 64] |= bit;
    }
    printk("uk: unsupported system call %s (%d): returning ENOSYS\n", name, number);
    return error(ENOSYS);
}

}

#define UK_SYSCALL(number, name)                                                                       \
    extern "C" __attribute__((weak)) long __uk_sys_##name(long, long, long, long, long, long) noexcept \
    {                                                                                                  \
        return uk::to_syscall_result(uk::unsupported(number, #name));                                  \
    }
#include "syscalls/linux_syscalls.def"
#undef UK_SYSCALL

namespace {

using Handler = long (*)(long, long, long, long, long, long) noexcept;

struct Table {
    Handler entries[uk::k_table_size] {};
    constexpr Table()
    {
#define UK_SYSCALL(number, name) entries[number] = __uk_sys_##name;
#include "syscalls/linux_syscalls.def"
#undef UK_SYSCALL
    }
};

const Table g_table;

}

// The return address of musl's cancellable call (see syscalls/signal.cpp).
extern "C" const char __cp_end[] __attribute__((weak));

extern "C" long __uk_syscall(long n, long a, long b, long c, long d, long e, long f) noexcept
{
    if (n < 0 || n >= uk::k_table_size || !g_table.entries[n]) {
        char name[32];
        uk::format(name, sizeof(name), "number %ld", n);
        return uk::to_syscall_result(uk::unsupported(static_cast<int>(n), name));
    }
    if (__builtin_return_address(0) != __cp_end) [[likely]]
        return g_table.entries[n](a, b, c, d, e, f);
    // From a cancellation point: signal delivery at the call's end must know (see signal.cpp).
    uk::sched::Thread& self = uk::sched::current_thread();
    bool outer = self.in_cancellation_point;
    self.in_cancellation_point = true;
    long result = g_table.entries[n](a, b, c, d, e, f);
    self.in_cancellation_point = outer;
    return result;
}
