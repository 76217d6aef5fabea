// SPDX-License-Identifier: MIT
// What lwIP needs from the system (NO_SYS): the time, random numbers, assertions, and memory.
// Memory comes from the runtime heap (kmalloc up to its largest block, whole pages above), within
// the network's budget: a share of guest RAM fixed when the stack starts, so that a flood of
// packets or connections ends in dropped packets and refused connections, never in the program
// running out of memory.
#include "net/lwip_port.h"

#include "arch/arch.h"
#include "fs/chacha20.h"
#include "lib/format.h"
#include "lib/verify.h"
#include "mm/frame_allocator.h"
#include "mm/kmalloc.h"
#include "sched/clock.h"

extern "C" {
#include <lwip/ip_addr.h>
}

namespace uk::net {

namespace {

// Every allocation starts with this header, which keeps the payload 16-byte aligned.
struct alignas(16) AllocationHeader {
    u64 size; // Payload bytes asked for.
    u64 total;
};
static_assert(sizeof(AllocationHeader) == 16);

constexpr size_t k_largest_slab_block = 2016;
constexpr u64 k_minimum_budget = 4ull << 20;

u64 g_budget;
u64 g_in_use;
u64 g_peak;

fs::Csprng g_random;
u32 g_isn_key[8];

void seed_random()
{
    u64 seed[4];
    for (u64& word : seed) {
        word = arch::read_timestamp() * 0x9e3779b97f4a7c15ull;
        u64 hardware;
        if (arch::hardware_random(hardware))
            word ^= hardware;
    }
    g_random.add_entropy(seed, sizeof(seed));
    g_random.fill(g_isn_key, sizeof(g_isn_key));
}

} // namespace

void port_init()
{
    // A quarter of RAM: 1,000 idle connections need about 1 MiB, a busy one up to its windows
    // (512 KiB), so a small guest still serves many connections while keeping most RAM for the
    // program.
    u64 ram = mm::total_frames() * k_page_size;
    g_budget = ram / 4 > k_minimum_budget ? ram / 4 : k_minimum_budget;
    seed_random();
}

MemoryUse memory_use() { return { g_in_use, g_peak, g_budget }; }

}

using namespace uk;
using namespace uk::net;

extern "C" {

void* uk_lwip_malloc(unsigned long size)
{
    u64 total = size + sizeof(AllocationHeader);
    if (total > k_page_size || g_in_use + size > g_budget)
        return nullptr;
    void* memory = total <= k_largest_slab_block ? kmalloc(total) : allocate_page();
    if (!memory)
        return nullptr;
    auto* header = static_cast<AllocationHeader*>(memory);
    header->size = size;
    header->total = total;
    g_in_use += size;
    if (g_in_use > g_peak)
        g_peak = g_in_use;
    return header + 1;
}

void* uk_lwip_calloc(unsigned long count, unsigned long size)
{
    unsigned long bytes;
    if (__builtin_mul_overflow(count, size, &bytes))
        return nullptr;
    return uk_lwip_malloc(bytes); // The runtime heap hands out zeroed memory.
}

void uk_lwip_free(void* pointer)
{
    if (!pointer)
        return;
    auto* header = static_cast<AllocationHeader*>(pointer) - 1;
    VERIFY(header->size <= g_in_use && header->total == header->size + sizeof(AllocationHeader));
    g_in_use -= header->size;
    if (header->total <= k_largest_slab_block)
        kfree(header);
    else
        free_page(header);
}

u32_t sys_now(void) { return static_cast<u32_t>(clock::monotonic_ns() / 1'000'000); }

unsigned int uk_lwip_rand(void)
{
    if (!g_random.is_seeded())
        seed_random();
    unsigned int value;
    g_random.fill(&value, sizeof(value));
    return value;
}

void uk_lwip_assert(const char* message, const char* file, int line)
{
    panic("lwIP assertion \"%s\" failed at %s:%d", message, file, line);
}

// [RFC 6528 3] ISN = M + F(localip, localport, remoteip, remoteport, secretkey): M a 4 µs
// clock, F a keyed pseudo-random function (ChaCha20 with a key drawn when the stack starts).
u32_t uk_lwip_tcp_isn(const void* local_ip, u16_t local_port, const void* remote_ip, u16_t remote_port)
{
    auto fold = [](const void* address) {
        const auto* ip = static_cast<const ip_addr_t*>(address);
        if (IP_IS_V6(ip)) {
            const u32* words = ip_2_ip6(ip)->addr;
            return words[0] ^ words[1] ^ words[2] ^ words[3];
        }
        return ip_2_ip4(ip)->addr;
    };
    u32 nonce[3] = { fold(local_ip), fold(remote_ip), static_cast<u32>(local_port) << 16 | remote_port };
    u8 block[64];
    fs::chacha20_block(g_isn_key, 0, nonce, block);
    u32 f = static_cast<u32>(block[0]) | static_cast<u32>(block[1]) << 8 | static_cast<u32>(block[2]) << 16
        | static_cast<u32>(block[3]) << 24;
    return f + static_cast<u32>(clock::monotonic_ns() / 4000);
}

}
