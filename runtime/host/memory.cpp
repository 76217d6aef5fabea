// SPDX-License-Identifier: MIT
// Host stand-ins for the address space the scheduler and descriptions use: runtime stacks from
// the C heap (announced to the fake machine), munmap of them, and the checks of program memory.
// The host has no page tables, so every address from 4096 up to the end of the program's half
// of the address space counts as mapped: only null-page pointers and kernel-half addresses fail.
#include "arch/arch.h"
#include "host/machine.h"
#include "lib/verify.h"
#include "mm/address_space.h"

#include <stdlib.h>
#include <string.h>

namespace uk::host::memory {

namespace {
struct Allocation {
    u64 base, length, stack_base;
};
constexpr size_t k_max_allocations = 256;
Allocation g_allocations[k_max_allocations];
size_t g_allocation_count;
u64 g_last_unmap_base, g_last_unmap_length;
}

// The last munmap of memory that mm::allocate_stack did not hand out (a thread's own stack,
// unmapped as it exits): tests check it.
u64 last_unmap_base() { return g_last_unmap_base; }
u64 last_unmap_length() { return g_last_unmap_length; }

} // namespace uk::host::memory

namespace uk::mm {

using namespace host::memory;

Result<u64> allocate_stack(u64 size, u64 guard_size)
{
    if (g_allocation_count == k_max_allocations)
        return error(ENOMEM);
    u64 length = size + guard_size;
    void* memory = aligned_alloc(k_page_size, length);
    if (!memory)
        return error(ENOMEM);
    memset(memory, 0, length);
    u64 base = reinterpret_cast<u64>(memory);
    g_allocations[g_allocation_count++] = { base, length, base + guard_size };
    host::machine::add_stack(base + guard_size, size);
    return base + length;
}

Result<void> unmap(u64 address, u64 length)
{
    for (size_t i = 0; i < g_allocation_count; ++i) {
        if (g_allocations[i].base == address && g_allocations[i].length == length) {
            host::machine::remove_stack(g_allocations[i].stack_base);
            free(reinterpret_cast<void*>(address));
            g_allocations[i] = g_allocations[--g_allocation_count];
            return {};
        }
    }
    g_last_unmap_base = address;
    g_last_unmap_length = length;
    return {};
}

bool is_user_range(u64 address, u64 length, bool)
{
    u64 end;
    return address >= k_page_size && !__builtin_add_overflow(address, length, &end) && end <= k_user_end;
}

// Host memory is always present.
Result<void> populate(u64, u64) { return {}; }
void set_release_listener(void (*)(u64, u64)) {}

} // namespace uk::mm

namespace uk::arch {
bool is_mapped(u64 virt, bool) { return virt >= k_page_size && virt < mm::k_user_end; }
}
