// SPDX-License-Identifier: MIT
// TSC-based clocks. The TSC frequency comes from CPUID when a leaf states it, otherwise from a
// short calibration against the PIT (under TCG no leaf does, and the TSC counts from vCPU reset).
#include "sched/clock.h"

#include "arch/arch.h"
#include "lib/format.h"

namespace uk::clock {

namespace {

using detail::g_realtime_at_start_ns;
using detail::g_scale;
using detail::g_scales;
using detail::monotonic_at;
using detail::Scale;

u64 g_boot_tsc; // TSC at the first instruction.

const Scale& scale() { return *__atomic_load_n(&g_scale, __ATOMIC_ACQUIRE); }
const char* g_source = "none";

constexpr u64 k_pit_hz = 1193182;

u16 read_pit_channel0();

u16 read_pit_channel0()
{
    arch::port_write8(0x43, 0x00); // Latch channel 0's count.
    u8 low = arch::port_read8(0x40);
    u8 high = arch::port_read8(0x40);
    return static_cast<u16>(low | (high << 8));
}

// The TSC frequency is measured against PIT channel 0 counting down (mode 2, full 16-bit period,
// read through latch commands: this needs only the PIT, not the PC speaker port that channel 2's
// output is read from, which microvm lacks). The measurement starts early in boot and ends just
// before the program starts, so the rest of boot overlaps the measurement window instead of
// spinning through it.
constexpr u64 k_window_pit_ticks = k_pit_hz / 1000; // 1 ms.
// The PIT period is 55 ms. Every x86_64 TSC runs at 1 GHz or more, so fewer TSC ticks than this
// between two readings means less than 27 ms passed and the PIT count cannot have wrapped unseen.
constexpr u64 k_max_unambiguous_tsc = 27'000'000;

u64 g_start_pit_tsc;
u16 g_start_pit_count;
u32 g_pit_elapsed;
u16 g_previous_pit_count;
u64 g_previous_pit_tsc;
bool g_pit_running; // From start_calibration() to finish_calibration(), unless a reading came too late.

void start_pit()
{
    arch::port_write8(0x43, 0x34); // Channel 0, lo/hi byte, mode 2, binary.
    arch::port_write8(0x40, 0x00);
    arch::port_write8(0x40, 0x00); // Reload value 0 = 65536.
    g_start_pit_count = g_previous_pit_count = read_pit_channel0();
    g_start_pit_tsc = g_previous_pit_tsc = arch::read_timestamp();
    g_pit_elapsed = 0;
}

// Adds the PIT ticks since the previous reading; false (and nothing added) if that reading is
// too old to tell how often the count wrapped since.
bool sample_pit(u64& tsc)
{
    u16 now = read_pit_channel0();
    tsc = arch::read_timestamp();
    if (tsc - g_previous_pit_tsc > k_max_unambiguous_tsc)
        return false;
    g_pit_elapsed += static_cast<u16>(g_previous_pit_count - now); // Counts down, wrapping.
    g_previous_pit_count = now;
    g_previous_pit_tsc = tsc;
    return true;
}

// Returns the TSC frequency, or 0 if no PIT answers.
u64 finish_pit()
{
    g_pit_running = false;
    for (u64 spin = 0; spin < 10'000'000; ++spin) {
        u64 tsc;
        if (!sample_pit(tsc)) {
            start_pit(); // Too long since the last reading to trust the count: measure afresh.
            continue;
        }
        if (g_pit_elapsed >= k_window_pit_ticks)
            return (tsc - g_start_pit_tsc) * k_pit_hz / g_pit_elapsed;
    }
    return 0;
}

// Refinement: the boot-time window is short (about 2 ms) and QEMU's PIT reads are slow enough to
// bias it by around 1%, so the measurement goes on after boot: the timer interrupt samples the
// PIT until 100 ms of PIT time have been seen (samples must come less than 27 ms apart so the
// 55 ms counter cannot wrap unseen), then the frequency is replaced without a jump in time.
constexpr u32 k_refine_pit_ticks = static_cast<u32>(k_pit_hz / 10);
constexpr u64 k_max_sample_gap_ns = 27'000'000;
bool g_refining;
u64 g_refine_start_tsc;
u64 g_refine_last_ns;
u32 g_refine_elapsed;
u16 g_refine_previous;

void start_refinement()
{
    g_refine_previous = read_pit_channel0();
    g_refine_start_tsc = arch::read_timestamp();
    g_refine_last_ns = monotonic_at(g_refine_start_tsc, scale());
    g_refine_elapsed = 0;
    g_refining = true;
}

} // namespace

namespace detail {
Scale g_scales[2];
const Scale* g_scale = &g_scales[0];
u64 g_realtime_at_start_ns;
}

void start_calibration(u64 boot_tsc)
{
    g_boot_tsc = boot_tsc;
    g_scales[0].start_tsc = boot_tsc;
    g_scales[0].hz = arch::tsc_frequency_from_cpuid();
    if (g_scales[0].hz) {
        g_source = "cpuid";
    } else {
        start_pit();
        g_pit_running = true;
    }
}

void calibration_checkpoint()
{
    u64 tsc;
    if (g_pit_running && !sample_pit(tsc))
        g_pit_running = false; // Lost: finish_pit() measures afresh.
}

void finish_calibration()
{
    Scale& s = g_scales[0];
    if (!s.hz) {
        s.hz = finish_pit();
        g_source = "pit";
    }
    if (!s.hz) {
        s.hz = 2'000'000'000;
        g_source = "assumed";
        printk("uk: warning: cannot determine the TSC frequency; assuming 2 GHz\n");
    }
    s.mult = (1'000'000'000ull << 32) / s.hz;
    if (g_source[0] == 'p') // "pit"
        start_refinement();
}

bool refining() { return g_refining; }

void refine_calibration()
{
    if (!g_refining)
        return;
    u16 count = read_pit_channel0();
    u64 tsc = arch::read_timestamp();
    u64 now = monotonic_at(tsc, scale());
    if (now - g_refine_last_ns > k_max_sample_gap_ns) {
        start_refinement(); // Too long since the last sample: the count may have wrapped.
        return;
    }
    g_refine_elapsed += static_cast<u16>(g_refine_previous - count);
    g_refine_previous = count;
    g_refine_last_ns = now;
    if (g_refine_elapsed < k_refine_pit_ticks)
        return;
    // Rebase so that time continues from `now` at the new rate.
    Scale& next = g_scales[1];
    next.hz = (tsc - g_refine_start_tsc) * k_pit_hz / g_refine_elapsed;
    next.base_ns = now;
    next.start_tsc = tsc;
    next.mult = (1'000'000'000ull << 32) / next.hz;
    __atomic_store_n(&g_scale, &next, __ATOMIC_RELEASE); // Published only once complete.
    g_refining = false;
}
u64 realtime_ns() { return g_realtime_at_start_ns + monotonic_ns(); }
void set_realtime_ns(u64 ns) { g_realtime_at_start_ns = ns - monotonic_ns(); }
u64 tsc_hz() { return scale().hz; }
u64 tsc_at_monotonic_ns(u64 ns)
{
    const Scale& s = scale();
    if (ns < s.base_ns)
        return s.start_tsc;
    return s.start_tsc + static_cast<u64>((static_cast<unsigned __int128>(ns - s.base_ns) * s.hz) / 1'000'000'000);
}
u64 since_entry_ns() { return monotonic_ns(); }
const char* tsc_source() { return g_source; }

}
