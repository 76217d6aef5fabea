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
        if (__atomic_fetch_or(&g_reported[number / 64], bit, __ATOMIC_RELAXED) & bit)
            return error(ENOSYS);
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

extern "C" long __uk_syscall(long n, long a, long b, long c, long d, long e, long f) noexcept
{
    if (n < 0 || n >= uk::k_table_size || !g_table.entries[n]) {
        char name[32];
        uk::format(name, sizeof(name), "number %ld", n);
        return uk::to_syscall_result(uk::unsupported(static_cast<int>(n), name));
    }
    return g_table.entries[n](a, b, c, d, e, f);
}

// musl's cancellable calls whose number is not a constant (musl patch 0012): the handler to call,
// or null for a number the table does not have (musl then calls __uk_syscall, which reports it).
extern "C" Handler __uk_syscall_table_handler(long n) noexcept
{
    if (n < 0 || n >= uk::k_table_size)
        return nullptr;
    return g_table.entries[n];
}
