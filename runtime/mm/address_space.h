// SPDX-License-Identifier: MIT
// The program's virtual memory: mmap, munmap, mprotect, mremap, brk, demand paging and stacks.
#pragma once

#include "arch/spin_lock.h"
#include "lib/result.h"
#include "lib/types.h"

namespace uk::mm {

// Where program mappings live; below is the identity map of RAM the runtime itself uses.
inline constexpr u64 k_brk_base = 0x0000080000000000ull;
inline constexpr u64 k_brk_limit = 0x0000080040000000ull; // 1 GiB of brk heap at most.
inline constexpr u64 k_mmap_base = 0x0000100000000000ull;
inline constexpr u64 k_mmap_end = 0x00007ff000000000ull;
// Where allocate_stack() puts the runtime's own stacks (the last 512 GiB of the mapping area).
inline constexpr u64 k_runtime_stacks_base = k_mmap_end - (512ull << 30);
inline constexpr u64 k_user_end = 0x0000800000000000ull;

// mmap's flags (Linux x86_64 values).
enum MapFlags : u32 {
    k_map_shared = 0x01,
    k_map_private = 0x02,
    k_map_fixed = 0x10,
    k_map_anonymous = 0x20,
    k_map_noreserve = 0x4000,
    k_map_populate = 0x8000,
    k_map_fixed_noreplace = 0x100000,
};

Result<u64> map_anonymous(u64 hint, u64 length, u32 protection, u32 flags);
Result<void> unmap(u64 address, u64 length);
Result<void> protect(u64 address, u64 length, u32 protection);
Result<u64> remap(u64 address, u64 old_length, u64 new_length, u32 flags);
// Backs every readable page of [start, end) now (MAP_POPULATE, mlock); ENOMEM when memory runs out.
Result<void> populate(u64 start, u64 end);
// True when every page of [start, end) belongs to a mapping.
bool is_mapped_range(u64 start, u64 end);
// MADV_DONTNEED: private pages of [address, address + length) are dropped and read as zeros
// when next touched; MAP_SHARED pages keep their contents (as Linux's shared memory does).
Result<void> discard(u64 address, u64 length);
u64 set_break(u64 requested);

// A runtime stack of `size` bytes with a guard region below it; returns its top.
Result<u64> allocate_stack(u64 size, u64 guard_size);

// The main thread's stack ends where program mappings begin and can grow down to the brk area's
// end when RLIMIT_STACK is raised, as Linux's grows up to the limit.
inline constexpr u64 k_main_stack_top = k_mmap_base;
inline constexpr u64 k_main_stack_guard = 64ull << 10;
inline constexpr u64 k_default_main_stack_size = 8ull << 20; // RLIMIT_STACK's default, as Linux's.
// The main stack at boot: `size` bytes below k_main_stack_top; returns its top.
Result<u64> allocate_main_stack(u64 size);
// RLIMIT_STACK: the main stack's size. Growing takes free address space below it (as far as
// another mapping allows); shrinking keeps the pages already in use, as a grown Linux stack does.
Result<void> set_main_stack_size(u64 size);

// RLIMIT_DATA (brk plus private writable mappings, as Linux counts since 4.7) and RLIMIT_AS
// (every program mapping), in bytes; ~0 is unlimited. Growing past them is ENOMEM.
inline constexpr u64 k_unlimited = ~0ull;
void set_data_limit(u64 bytes);
void set_address_space_limit(u64 bytes);

// Holds the address-space lock for a scope, unless this CPU holds it already (the functions above
// take it themselves; file mappings take it around their own page-table changes).
// The sequence is odd while the lock is held: is_user_range() reads the regions without the lock
// and tries again when a holder may have changed them meanwhile (a sequence lock).
extern arch::SpinLock g_address_space_lock;
extern u32 g_address_space_sequence;
class AddressSpaceGuard {
public:
    UK_LOCK_INLINE AddressSpaceGuard() : m_taken(!g_address_space_lock.is_held_here())
    {
        if (m_taken) {
            arch::enter_no_fault_section(); // An interrupt's stack probe must not read the regions now.
            g_address_space_lock.lock();
            __atomic_store_n(&g_address_space_sequence, g_address_space_sequence + 1, __ATOMIC_RELAXED);
            __atomic_thread_fence(__ATOMIC_RELEASE);
        }
    }
    UK_LOCK_INLINE ~AddressSpaceGuard()
    {
        if (m_taken) {
            __atomic_store_n(&g_address_space_sequence, g_address_space_sequence + 1, __ATOMIC_RELEASE);
            g_address_space_lock.unlock();
            arch::leave_no_fault_section();
        }
    }
    AddressSpaceGuard(const AddressSpaceGuard&) = delete;
    AddressSpaceGuard& operator=(const AddressSpaceGuard&) = delete;

private:
    bool m_taken;
};

// Called with each range whose pages MADV_DONTNEED took away (the scheduler forgets which thread
// stacks it knew to be present there; a stack that is unmapped has no thread left on it).
void set_release_listener(void (*listener)(u64 start, u64 end));

enum class FaultAccess { Read, Write, Execute };
enum class FaultResult { Handled, NotMapped, ProtectionViolation, GuardPage, OutOfMemory };
FaultResult handle_page_fault(u64 address, FaultAccess access, bool page_present);

}

namespace uk::mm {
// True when the program may read (or write) every byte of [address, address + length): the
// image and RAM the runtime maps, or program mappings with the right protection, touched or not.
bool is_user_range(u64 address, u64 length, bool write);
}
