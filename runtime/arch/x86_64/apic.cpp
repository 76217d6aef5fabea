// SPDX-License-Identifier: MIT
// The local APIC timer (TSC-deadline mode where the CPU has it, otherwise one-shot mode calibrated
// against the TSC) and the legacy PIC, which is remapped away from the exception vectors and
// masked. [SDM 3A 11.5.4]
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/local_apic.h"

namespace uk::arch {

namespace {

constexpr u32 k_msr_apic_base = 0x1b;
constexpr u32 k_reg_lvt_lint0 = 0x350, k_reg_lvt_lint1 = 0x360;
constexpr u32 k_lvt_delivery_nmi = 4u << 8, k_lvt_delivery_extint = 7u << 8;
constexpr u32 k_reg_id = 0x20, k_reg_tpr = 0x80, k_reg_eoi = 0xb0, k_reg_svr = 0xf0, k_reg_lvt_timer = 0x320,
              k_reg_initial_count = 0x380, k_reg_current_count = 0x390, k_reg_divide = 0x3e0;
constexpr u32 k_lvt_masked = 1u << 16;
constexpr u8 k_pic_base = 0xe0; // Legacy PIC vectors 0xe0-0xef: spurious IRQ 7/15 land there.

constexpr u32 k_msr_tsc_deadline = 0x6e0;
constexpr u32 k_lvt_tsc_deadline_mode = 2u << 17;

volatile u32* g_apic;
bool g_tsc_deadline; // [SDM 3A 11.5.4.1] TSC-deadline mode: the timer fires at a TSC value.
u64 g_tsc_hz;
u64 g_apic_hz; // Without TSC-deadline mode: the timer's count rate, calibrated at boot.

u32 read_register(u32 reg) { return g_apic[reg / 4]; }
void write_register(u32 reg, u32 value) { g_apic[reg / 4] = value; }

void mask_legacy_pic()
{
    out8(0x20, 0x11); // ICW1: initialise, ICW4 follows.
    out8(0xa0, 0x11);
    out8(0x21, k_pic_base);
    out8(0xa1, k_pic_base + 8);
    out8(0x21, 0x04); // ICW3: slave on IRQ 2.
    out8(0xa1, 0x02);
    out8(0x21, 0x01); // ICW4: 8086 mode.
    out8(0xa1, 0x01);
    out8(0x21, 0xff); // Mask everything.
    out8(0xa1, 0xff);
}

} // namespace

bool is_spurious_vector(u8 vector) { return vector == k_spurious_vector || (vector & 0xf0) == k_pic_base; }

void local_apic_init(u64 physical_base)
{
    mask_legacy_pic();
    u64 base = read_msr(k_msr_apic_base);
    if (physical_base == 0)
        physical_base = base & 0xfffff000;
    write_msr(k_msr_apic_base, (base & 0xfff) | physical_base | (1u << 11)); // Globally enabled.
    g_apic = reinterpret_cast<volatile u32*>(map_device(physical_base));
    write_register(k_reg_tpr, 0);
    write_register(k_reg_svr, 0x100 | k_spurious_vector); // Software-enabled.
    // [SDM 3A 11.5.1] What firmware sets up on a PC and a PVH boot may not have: LINT0 is the
    // (masked) legacy PIC, LINT1 the NMI line, which QEMU's `nmi` command (uk-run's hang report)
    // and watchdogs use.
    write_register(k_reg_lvt_lint0, k_lvt_masked | k_lvt_delivery_extint);
    write_register(k_reg_lvt_lint1, k_lvt_delivery_nmi);
}

u32 local_apic_id() { return g_apic ? read_register(k_reg_id) >> 24 : 0; }

void local_apic_init_secondary()
{
    write_register(k_reg_tpr, 0);
    write_register(k_reg_svr, 0x100 | k_spurious_vector);
    write_register(k_reg_lvt_lint0, k_lvt_masked | k_lvt_delivery_extint);
    write_register(k_reg_lvt_lint1, k_lvt_delivery_nmi);
    write_register(k_reg_divide, 0xb);
    if (g_tsc_deadline)
        write_register(k_reg_lvt_timer, k_lvt_tsc_deadline_mode | k_timer_vector);
    else
        write_register(k_reg_lvt_timer, k_timer_vector);
}

void send_interrupt_command(u32 apic_id, u32 command)
{
    constexpr u32 k_reg_icr_low = 0x300, k_reg_icr_high = 0x310;
    constexpr u32 k_delivery_pending = 1u << 12;
    write_register(k_reg_icr_high, apic_id << 24);
    write_register(k_reg_icr_low, command);
    for (int spin = 0; spin < 1'000'000 && (read_register(k_reg_icr_low) & k_delivery_pending); ++spin)
        asm volatile("pause");
}

void delay_us(u64 microseconds)
{
    u64 hz = g_tsc_hz ? g_tsc_hz : 2'000'000'000;
    u64 start = read_tsc();
    while (read_tsc() - start < hz / 1'000'000 * microseconds)
        asm volatile("pause");
}

void timer_init(u64 tsc_hz)
{
    g_tsc_hz = tsc_hz;
    if (!g_apic)
        local_apic_init(0);
    write_register(k_reg_divide, 0xb); // Divide by 1.
    g_tsc_deadline = cpuid(1).ecx & (1u << 24);
    if (g_tsc_deadline) {
        // The timer counts the TSC itself: nothing to calibrate (it took 250 us of every boot).
        write_register(k_reg_lvt_timer, k_lvt_tsc_deadline_mode | k_timer_vector);
        return;
    }

    // Calibrate against the TSC: five windows of about 50 us, each measured between two pairs of
    // back-to-back reads (APIC count, TSC), and the median taken. A host that deschedules the
    // vCPU in the middle of one window (a loaded machine) spoils that window only; a single
    // window timed from the count's start once made every sleep ~100x too long.
    write_register(k_reg_lvt_timer, k_lvt_masked | k_timer_vector);
    write_register(k_reg_initial_count, 0xffffffff);
    u64 ratios[5];
    for (u64& ratio : ratios) {
        u32 count0 = read_register(k_reg_current_count);
        u64 tsc0 = read_tsc();
        while (read_tsc() - tsc0 < tsc_hz / 20000)
            asm volatile("pause");
        u32 count1 = read_register(k_reg_current_count);
        u64 tsc1 = read_tsc();
        u64 ticks = count0 - count1; // Counts down; far from 0 in these few windows.
        ratio = tsc1 > tsc0 ? ticks * tsc_hz / (tsc1 - tsc0) : 0;
    }
    write_register(k_reg_initial_count, 0);
    for (int i = 1; i < 5; ++i) // Insertion sort: the median of five.
        for (int j = i; j > 0 && ratios[j - 1] > ratios[j]; --j) {
            u64 t = ratios[j];
            ratios[j] = ratios[j - 1];
            ratios[j - 1] = t;
        }
    g_apic_hz = ratios[2] ? ratios[2] : 1'000'000'000;
    write_register(k_reg_lvt_timer, k_timer_vector); // One-shot, unmasked.
}

namespace {
// Per CPU: the TSC value its timer was last armed for; 0 when disarmed or fired.
u64 g_armed_tsc[k_max_cpus];
}

void timer_fired() { g_armed_tsc[this_cpu()] = 0; }

void timer_arm(u64 deadline_tsc)
{
    if (!g_apic)
        return;
    // Every write to the timer is a VM exit (under TCG one that also wakes QEMU's main loop), and
    // the scheduler arms on every switch, mostly for a later deadline than the armed one: a
    // request of an HTTP server with one client cost six. An armed deadline that is still ahead
    // and no later than the wanted one is kept instead: its interrupt comes early, the handler
    // does only what is due and arms again, so nothing fires late. Disarming likewise leaves a
    // pending deadline to fire once for nothing.
    u64& armed = g_armed_tsc[this_cpu()];
    u64 now = read_tsc();
    if (armed > now && (deadline_tsc == 0 || deadline_tsc >= armed))
        return;
    if (deadline_tsc == 0 && armed == 0)
        return;
    armed = deadline_tsc;
    if (g_tsc_deadline) {
        // Writing 0 disarms; a deadline in the past fires at once.
        write_msr(k_msr_tsc_deadline, deadline_tsc);
        return;
    }
    if (deadline_tsc == 0) {
        write_register(k_reg_initial_count, 0);
        return;
    }
    u64 delta = deadline_tsc > now ? deadline_tsc - now : 0;
    u64 ticks = static_cast<u64>((static_cast<unsigned __int128>(delta) * g_apic_hz) / g_tsc_hz);
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffff)
        ticks = 0xffffffff; // The handler re-arms for the rest.
    write_register(k_reg_initial_count, static_cast<u32>(ticks));
}

void end_of_interrupt()
{
    if (g_apic)
        write_register(k_reg_eoi, 0);
}

}
