// SPDX-License-Identifier: MIT
// TSC-based clocks. The TSC frequency comes from CPUID when a leaf states it, otherwise from a
// short calibration against the PIT (under TCG no leaf does, and the TSC counts from vCPU reset).
#include "sched/clock.h"

#include "arch/arch.h"
#include "drivers/rtc.h"
#include "lib/format.h"

namespace uk::clock {

namespace {

u64 g_hz;
u64 g_mult;        // Nanoseconds per tick, in 32.32 fixed point.
u64 g_boot_tsc;    // TSC at the first instruction.
u64 g_start_tsc;   // TSC when the monotonic clock read 0.
u64 g_realtime_at_start_ns;
const char* g_source = "none";

constexpr u64 k_pit_hz = 1193182;

u16 read_pit_channel0()
{
    arch::port_write8(0x43, 0x00); // Latch channel 0's count.
    u8 low = arch::port_read8(0x40);
    u8 high = arch::port_read8(0x40);
    return static_cast<u16>(low | (high << 8));
}

// Counts TSC ticks across `ms` milliseconds of PIT channel 0 counting down (mode 2, full 16-bit
// period), read through latch commands: this needs only the PIT, not the PC speaker port that
// channel 2's output is read from (microvm has none). Returns 0 if no PIT answers.
u64 measure_with_pit(unsigned ms)
{
    arch::port_write8(0x43, 0x34); // Channel 0, lo/hi byte, mode 2, binary.
    arch::port_write8(0x40, 0x00);
    arch::port_write8(0x40, 0x00); // Reload value 0 = 65536.
    u32 wanted = static_cast<u32>(k_pit_hz * ms / 1000);
    u16 previous = read_pit_channel0();
    u64 start = arch::read_timestamp();
    u32 elapsed = 0;
    for (u64 spin = 0; spin < 10'000'000; ++spin) {
        u16 now = read_pit_channel0();
        elapsed += static_cast<u16>(previous - now); // Counts down, wrapping at 65536.
        previous = now;
        if (elapsed >= wanted) {
            u64 ticks = arch::read_timestamp() - start;
            return ticks * wanted / elapsed;
        }
    }
    return 0;
}

u64 to_ns(u64 ticks) { return static_cast<u64>((static_cast<unsigned __int128>(ticks) * g_mult) >> 32); }

} // namespace

void init(u64 boot_tsc)
{
    g_boot_tsc = boot_tsc;
    if (u64 hz = arch::tsc_frequency_from_cpuid()) {
        g_hz = hz;
        g_source = "cpuid";
    } else if (u64 ticks = measure_with_pit(2)) {
        g_hz = ticks * 500; // 2 ms window.
        g_source = "pit";
    } else {
        g_hz = 2'000'000'000;
        g_source = "assumed";
        printk("uk: warning: cannot determine the TSC frequency; assuming 2 GHz\n");
    }
    g_mult = (1'000'000'000ull << 32) / g_hz;
    g_start_tsc = boot_tsc;
    g_realtime_at_start_ns = rtc::read_epoch_seconds() * 1'000'000'000ull;
    // The RTC has whole seconds only; anchor it to now rather than to the first instruction.
    g_realtime_at_start_ns -= to_ns(arch::read_timestamp() - g_start_tsc);
}

u64 monotonic_ns() { return to_ns(arch::read_timestamp() - g_start_tsc); }
u64 realtime_ns() { return g_realtime_at_start_ns + monotonic_ns(); }
void set_realtime_ns(u64 ns) { g_realtime_at_start_ns = ns - monotonic_ns(); }
u64 tsc_hz() { return g_hz; }
u64 since_entry_ns() { return to_ns(arch::read_timestamp() - g_boot_tsc); }
const char* tsc_source() { return g_source; }

}
