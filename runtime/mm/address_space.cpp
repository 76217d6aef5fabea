// SPDX-License-Identifier: MIT
// Anonymous memory for the program. Mappings are backed lazily, on first touch, but charged
// against physical memory when created (unless MAP_NORESERVE), so exhaustion shows up as ENOMEM
// from mmap (std::bad_alloc in C++), never as a crash on first use.
//
// Every CPU runs threads of the one address space: the regions, the break and the limits change
// and are read under the address-space lock (AddressSpaceGuard), which page faults take too, so
// that first touches on several CPUs proceed without the RuntimeLock. Runtime code that holds it
// may touch program memory (a fault then finds it held by its own CPU and goes on).
#include "mm/address_space.h"

#include "arch/arch.h"
#include "arch/spin_lock.h"
#include "lib/verify.h"
#include "mm/file_mapping.h"
#include "mm/frame_allocator.h"
#include "mm/region_map.h"

namespace uk::mm {

constinit arch::SpinLock g_address_space_lock { arch::LockRank::AddressSpace };
u32 g_address_space_sequence;

namespace {

RegionMap g_regions;
void (*g_release_listener)(u64 start, u64 end);

void announce_release(u64 start, u64 end)
{
    if (g_release_listener)
        g_release_listener(start, end);
}
u64 g_break = k_brk_base;
u64 g_data_limit = k_unlimited;
u64 g_address_space_limit = k_unlimited;
u64 g_main_stack_bottom; // Lowest byte of the main stack (its guard lies below).

u64 pages(u64 bytes) { return bytes / k_page_size; }

void free_released_frame(u64 frame, void*) { free_frame(frame); }

// Frees the frames of [start, end) within `region`, and the charge of those a page fault charged
// one by one (the region's own charge covers the frames of a committed region); the cost is
// what is populated, not the size of the range.
void release_frames(const Region& region, u64 start, u64 end)
{
    u64 faulted = arch::unmap_range(start, end, free_released_frame, nullptr);
    if (!(region.flags & k_region_committed))
        uncommit(faulted);
}

// Releases the frames behind a removed piece and returns its charge.
void release_piece(const Region& r)
{
    release_frames(r, r.start, r.end);
    if (r.flags & k_region_committed)
        uncommit(pages(r.end - r.start));
}

bool counts_as_data(u32 protection, u32 flags)
{
    return (protection & arch::k_prot_write) && !(flags & (k_region_shared | k_region_guard | k_region_stack));
}

// ENOMEM when `length` more bytes of mappings (data ones if `data`) would pass RLIMIT_AS or
// RLIMIT_DATA. The sums are taken only under a finite limit, so unlimited programs pay nothing.
Result<void> check_limits(u64 length, bool data)
{
    if (g_address_space_limit == k_unlimited && (g_data_limit == k_unlimited || !data))
        return {};
    u64 total = 0, data_total = 0;
    for (size_t i = 0; i < g_regions.count(); ++i) {
        const Region& r = g_regions.at(i);
        total += r.end - r.start;
        if (counts_as_data(r.protection, r.flags))
            data_total += r.end - r.start;
    }
    if (g_address_space_limit != k_unlimited && total + length > g_address_space_limit)
        return error(ENOMEM);
    if (data && g_data_limit != k_unlimited && data_total + length > g_data_limit)
        return error(ENOMEM);
    return {};
}

} // namespace

Result<u64> map_anonymous(u64 hint, u64 length, u32 protection, u32 flags)
{
    AddressSpaceGuard guard;
    if (length == 0 || length > k_user_end)
        return error(EINVAL);
    length = align_up(length, k_page_size);
    u32 type = flags & 0x3;
    if (type == 0)
        return error(EINVAL);
    if (!(flags & k_map_anonymous))
        return error(ENODEV);

    u64 start = 0;
    if (flags & (k_map_fixed | k_map_fixed_noreplace)) {
        if (hint % k_page_size)
            return error(EINVAL);
        if (hint < k_brk_limit || hint + length > k_user_end || hint + length < hint)
            return error(ENOMEM); // Below lies the runtime's identity map of physical memory.
        if (!g_regions.is_free(hint, hint + length)) {
            if (flags & k_map_fixed_noreplace)
                return error(EEXIST);
            TRY(unmap(hint, length));
        }
        start = hint;
    } else {
        u64 aligned = align_down(hint, k_page_size);
        if (aligned >= k_mmap_base && aligned + length <= k_mmap_end && g_regions.is_free(aligned, aligned + length))
            start = aligned;
        else
            start = g_regions.find_gap(length, k_mmap_base, k_mmap_end);
        if (!start)
            return error(ENOMEM);
    }

    TRY(check_limits(length, counts_as_data(protection, type == k_map_shared ? k_region_shared : 0u)));
    bool charge = protection != arch::k_prot_none && !(flags & k_map_noreserve);
    if (charge && !commit(pages(length)))
        return error(ENOMEM);
    u32 region_flags = (charge ? k_region_committed : 0u) | (type == k_map_shared ? k_region_shared : 0u)
        | ((flags & k_map_noreserve) ? k_region_noreserve : 0u);
    Region region { start, start + length, protection, region_flags };
    if (auto result = g_regions.insert(region); result.is_error()) {
        if (charge)
            uncommit(pages(length));
        return error(result.error_code());
    }
    if (flags & k_map_populate)
        (void)populate(start, start + length);
    return start;
}

Result<void> unmap(u64 address, u64 length)
{
    AddressSpaceGuard guard;
    if (address % k_page_size || length == 0)
        return error(EINVAL);
    u64 end = align_up(address + length, k_page_size);
    if (end < address || end > k_user_end)
        return error(EINVAL);
    if (overlaps_file_mapping(address, end)) {
        if (!may_change_file_mappings())
            return error(k_needs_runtime_lock);
        // Pages a shared file mapping borrowed go back to the file, not to the frame allocator.
        before_unmap(address, end);
    }
    return g_regions.remove(address, end, release_piece);
}

Result<void> protect(u64 address, u64 length, u32 protection)
{
    AddressSpaceGuard guard;
    if (address % k_page_size)
        return error(EINVAL);
    u64 end = align_up(address + length, k_page_size);
    if (end < address)
        return error(ENOMEM);
    if (length == 0)
        return {};
    if (!g_regions.is_covered(address, end))
        return error(ENOMEM);
    // Pages that become accessible for the first time are charged now.
    u64 to_charge = 0;
    if (protection != arch::k_prot_none) {
        g_regions.for_each_in(address, end, [&](const Region& r) {
            if (r.flags & (k_region_committed | k_region_noreserve))
                return;
            u64 s = r.start > address ? r.start : address;
            u64 e = r.end < end ? r.end : end;
            to_charge += pages(e - s);
        });
        if (!commit(to_charge))
            return error(ENOMEM);
    }
    auto result = g_regions.protect(address, end, protection, to_charge ? k_region_committed : 0u,
        [](const Region& piece, u32 new_protection) { arch::protect_range(piece.start, piece.end, new_protection); });
    if (result.is_error() && to_charge)
        uncommit(to_charge);
    return result;
}

Result<u64> remap(u64 address, u64 old_length, u64 new_length, u32 flags)
{
    AddressSpaceGuard guard;
    constexpr u32 k_mremap_maymove = 1;
    if (address % k_page_size || new_length == 0 || (flags & ~k_mremap_maymove))
        return error(EINVAL);
    old_length = align_up(old_length, k_page_size);
    new_length = align_up(new_length, k_page_size);
    if (overlaps_file_mapping(address, address + old_length)) {
        if (!may_change_file_mappings())
            return error(k_needs_runtime_lock);
        // Shared file mappings can shrink; moving or growing them is not supported.
        if (new_length > old_length)
            return error(EINVAL);
        if (new_length < old_length)
            TRY(unmap(address + new_length, old_length - new_length));
        return address;
    }
    const Region* region = g_regions.find(address);
    if (!region || region->end < address + old_length)
        return error(EFAULT);
    if (new_length <= old_length) {
        if (new_length < old_length)
            TRY(unmap(address + new_length, old_length - new_length));
        return address;
    }
    Region copy = *region;
    u64 extra = new_length - old_length;
    TRY(check_limits(extra, counts_as_data(copy.protection, copy.flags)));
    bool charge = copy.flags & k_region_committed;
    if (charge && !commit(pages(extra)))
        return error(ENOMEM);
    // Grow in place when the following address range is free.
    if (address + new_length <= k_user_end && g_regions.is_free(address + old_length, address + new_length)) {
        Region tail { address + old_length, address + new_length, copy.protection, copy.flags };
        if (auto r = g_regions.insert(tail); !r.is_error())
            return address;
    }
    if (!(flags & k_mremap_maymove)) {
        if (charge)
            uncommit(pages(extra));
        return error(ENOMEM);
    }
    u64 target = g_regions.find_gap(new_length, k_mmap_base, k_mmap_end);
    if (!target || g_regions.insert({ target, target + new_length, copy.protection, copy.flags }).is_error()) {
        if (charge)
            uncommit(pages(extra));
        return error(ENOMEM);
    }
    // Move the frames instead of copying the bytes.
    if (arch::move_range(address, target, old_length).is_error()) {
        (void)g_regions.remove(target, target + new_length, [](const Region&) {});
        if (charge)
            uncommit(pages(extra));
        return error(ENOMEM);
    }
    TRY(g_regions.remove(address, address + old_length, [](const Region&) {}));
    return target;
}

Result<void> populate(u64 start, u64 end)
{
    // Usually every page is there already (a buffer used again): found without the lock.
    u64 page = start;
    while (page < end && arch::is_mapped(page))
        page += k_page_size;
    if (page >= end)
        return {};
    start = page;
    AddressSpaceGuard guard;
    for (u64 page = start; page < end; page += k_page_size) {
        const Region* region = g_regions.find(page);
        // Pages the program cannot read (PROT_NONE, guards) stay as they are; so do present ones.
        if (!region || !(region->protection & arch::k_prot_read) || arch::is_mapped(page))
            continue;
        if (handle_page_fault(page, FaultAccess::Read, false) == FaultResult::OutOfMemory)
            return error(ENOMEM);
    }
    return {};
}

bool is_mapped_range(u64 start, u64 end)
{
    AddressSpaceGuard guard;
    return g_regions.is_covered(start, end);
}

Result<void> discard(u64 address, u64 length)
{
    AddressSpaceGuard guard;
    if (address % k_page_size)
        return error(EINVAL);
    u64 end = align_up(address + length, k_page_size);
    if (end < address || end > k_user_end)
        return error(EINVAL);
    if (length == 0)
        return {};
    g_regions.for_each_in(address, end, [&](const Region& r) {
        if (r.flags & (k_region_shared | k_region_guard))
            return;
        release_frames(r, r.start > address ? r.start : address, r.end < end ? r.end : end);
    });
    announce_release(address, end);
    // Like Linux: the mapped parts are discarded, and a hole in the range is reported.
    return g_regions.is_covered(address, end) ? Result<void>() : error(ENOMEM);
}

u64 set_break(u64 requested)
{
    AddressSpaceGuard guard;
    if (requested < k_brk_base || requested > k_brk_limit)
        return g_break;
    u64 old_end = align_up(g_break, k_page_size);
    u64 new_end = align_up(requested, k_page_size);
    if (new_end > old_end) {
        if (check_limits(new_end - old_end, true).is_error() || !commit(pages(new_end - old_end)))
            return g_break;
        Region grown { old_end, new_end, arch::k_prot_read | arch::k_prot_write, k_region_committed };
        if (g_regions.insert(grown).is_error()) {
            uncommit(pages(new_end - old_end));
            return g_break;
        }
    } else if (new_end < old_end) {
        if (unmap(new_end, old_end - new_end).is_error())
            return g_break;
    }
    g_break = requested;
    return g_break;
}

Result<u64> allocate_stack(u64 size, u64 guard_size)
{
    AddressSpaceGuard guard;
    size = align_up(size, k_page_size);
    guard_size = align_up(guard_size, k_page_size);
    // The runtime's stacks (kernel threads, each CPU's idle thread and interrupt stacks) go to the
    // top of the mapping area, first: program mappings start at its bottom and do not share page
    // tables with them (which would make, say, releasing a large reservation walk those tables).
    u64 base = g_regions.find_gap(size + guard_size, k_runtime_stacks_base, k_mmap_end);
    if (!base)
        base = g_regions.find_gap(size + guard_size, k_mmap_base, k_mmap_end);
    if (!base)
        return error(ENOMEM);
    TRY(g_regions.insert({ base, base + guard_size, arch::k_prot_none, k_region_guard }));
    // Stacks are not charged up front (like Linux's): most of a large stack is never touched.
    TRY(g_regions.insert({ base + guard_size, base + guard_size + size, arch::k_prot_read | arch::k_prot_write,
        k_region_noreserve | k_region_stack }));
    return base + guard_size + size;
}

Result<u64> allocate_main_stack(u64 size)
{
    AddressSpaceGuard guard;
    size = align_up(size, k_page_size);
    u64 bottom = k_main_stack_top - size;
    TRY(g_regions.insert({ bottom - k_main_stack_guard, bottom, arch::k_prot_none, k_region_guard }));
    TRY(g_regions.insert({ bottom, k_main_stack_top, arch::k_prot_read | arch::k_prot_write,
        k_region_noreserve | k_region_stack }));
    g_main_stack_bottom = bottom;
    return k_main_stack_top;
}

Result<void> set_main_stack_size(u64 size)
{
    AddressSpaceGuard guard;
    // The change below needs at most one more region, plus one for a split.
    if (g_regions.count() + 2 > RegionMap::k_capacity)
        return error(ENOMEM);
    constexpr u64 k_floor = k_brk_limit + k_main_stack_guard;
    u64 bottom = g_main_stack_bottom;
    u64 wanted = size >= k_main_stack_top - k_floor ? k_floor : align_down(k_main_stack_top - size, k_page_size);
    if (wanted > bottom) {
        // Pages already in use stay: the stack shrinks only down to the lowest touched one.
        u64 in_use = arch::lowest_populated(bottom, wanted);
        wanted = in_use < wanted ? in_use : wanted;
    } else if (wanted < bottom && !g_regions.is_free(wanted - k_main_stack_guard, bottom - k_main_stack_guard)) {
        return {}; // A mapping sits below: the stack cannot grow into it, as on Linux.
    }
    if (wanted == bottom)
        return {};
    // Remove the old guard and the stack pages that are given up (none of them populated).
    u64 keep_from = wanted > bottom ? wanted : bottom;
    (void)g_regions.remove(bottom - k_main_stack_guard, keep_from, release_piece);
    if (wanted < bottom)
        (void)g_regions.insert({ wanted, bottom, arch::k_prot_read | arch::k_prot_write, k_region_noreserve | k_region_stack });
    (void)g_regions.insert({ wanted - k_main_stack_guard, wanted, arch::k_prot_none, k_region_guard });
    g_main_stack_bottom = wanted;
    return {};
}

void set_release_listener(void (*listener)(u64 start, u64 end)) { g_release_listener = listener; }

void set_data_limit(u64 bytes)
{
    AddressSpaceGuard guard;
    g_data_limit = bytes;
}

void set_address_space_limit(u64 bytes)
{
    AddressSpaceGuard guard;
    g_address_space_limit = bytes;
}

FaultResult handle_page_fault(u64 address, FaultAccess access, bool page_present)
{
    AddressSpaceGuard guard;
    const Region* region = g_regions.find(address);
    if (!region)
        return FaultResult::NotMapped;
    if (region->flags & k_region_guard)
        return FaultResult::GuardPage;
    u32 needed = access == FaultAccess::Write ? arch::k_prot_write
        : access == FaultAccess::Execute    ? arch::k_prot_exec
                                            : arch::k_prot_read;
    if (!(region->protection & needed))
        return FaultResult::ProtectionViolation;
    u64 page = align_down(address, k_page_size);
    // Another CPU backed the page first, or this CPU's TLB held the entry an mprotect has since
    // widened (no shootdown is needed for that): the access succeeds when tried again.
    if (arch::page_permits(page, needed))
        return FaultResult::Handled;
    if (page_present)
        return FaultResult::ProtectionViolation;
    u64 phys = (region->flags & k_region_committed) ? allocate_committed_frame() : allocate_uncommitted_frame();
    if (!phys)
        return FaultResult::OutOfMemory;
    if (arch::map_page(page, phys, region->protection).is_error()) {
        free_frame(phys);
        return FaultResult::OutOfMemory;
    }
    return FaultResult::Handled;
}

}

namespace uk::mm {

namespace {

bool check_user_range(u64 address, u64 length, bool write)
{
    if (length == 0)
        return true;
    u64 end = address + length;
    if (end < address || end > k_user_end || address < k_page_size)
        return false;
    u64 at = address;
    while (at < end) {
        if (at < ram_end()) {
            if (!arch::is_mapped(at, write))
                return false;
            at = align_down(at, k_page_size) + k_page_size;
            continue;
        }
        const Region* region = g_regions.find(at);
        if (!region || (region->flags & k_region_guard))
            return false;
        u32 needed = write ? arch::k_prot_write : arch::k_prot_read;
        if (!(region->protection & needed))
            return false;
        if (region->end <= at)
            return false; // A region read while it changed (the caller tries again).
        at = region->end;
    }
    return true;
}

} // namespace

// Every system call checks its pointers: the regions are read without the lock (they change
// rarely), and read again if the address space's lock was taken meanwhile.
bool is_user_range(u64 address, u64 length, bool write)
{
    if (g_address_space_lock.is_held_here())
        return check_user_range(address, length, write);
    for (;;) {
        u32 sequence = __atomic_load_n(&g_address_space_sequence, __ATOMIC_ACQUIRE);
        if (sequence & 1) {
            arch::spin_wait();
            continue;
        }
        bool result = check_user_range(address, length, write);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&g_address_space_sequence, __ATOMIC_RELAXED) == sequence)
            return result;
    }
}

}
