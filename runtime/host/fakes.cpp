// SPDX-License-Identifier: MIT
// Host stand-ins for the machine and the console, so the runtime's portable parts link into the
// unit tests: panic() aborts (death tests match its message), printk() writes to stderr, the port
// I/O functions emulate the CMOS RTC at ports 0x70/0x71, and one CPU's per-CPU record holds what
// the locks and the scheduler keep there (arch/arch.h). The interrupt flag is the fake machine's
// (host/machine.cpp) where a test links it; elsewhere these weak stand-ins keep none.
//
// The runtime headers come before the C library's: lib/errno.h declares the errno names as
// enumerators, which <cerrno>'s macros would otherwise rewrite into numbers.
#include "arch/arch.h"
#include "lib/format.h"
#include "lib/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

namespace uk {

void panic(const char* fmt, ...) noexcept
{
    va_list ap;
    va_start(ap, fmt);
    fputs("runtime panic: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void printk(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

} // namespace uk

// The CMOS fake. Tests declare this interface themselves (drivers/rtc_test.cpp), since it exists
// only in the host build.
namespace uk::host::cmos {

namespace {

constexpr u16 k_index_port = 0x70;
constexpr u16 k_data_port = 0x71;
constexpr u8 k_status_a = 0x0a;
constexpr u8 k_update_in_progress = 0x80;

struct ScheduledWrite {
    unsigned after_reads;
    u8 index;
    u8 value;
};

u8 g_registers[128];
u8 g_index;
bool g_nmi_enabled_by_a_write;
unsigned g_data_reads;
unsigned g_busy_reads; // Reads of status register A that still report an update in progress.
ScheduledWrite g_scheduled[16];
unsigned g_scheduled_count;

} // namespace

// Every register zero, no pending events.
void reset()
{
    for (auto& r : g_registers)
        r = 0;
    g_index = 0;
    g_nmi_enabled_by_a_write = false;
    g_data_reads = 0;
    g_busy_reads = 0;
    g_scheduled_count = 0;
}

void set_register(u8 index, u8 value) { g_registers[index & 0x7f] = value; }
u8 get_register(u8 index) { return g_registers[index & 0x7f]; }
void fill_registers(u8 value)
{
    for (auto& r : g_registers)
        r = value;
}

// The next `reads` reads of status register A report an update in progress (bit 7).
void set_busy_reads(unsigned reads) { g_busy_reads = reads; }

// Once `after_reads` reads of the data port have completed, `index` changes to `value`: a clock
// tick landing in the middle of the driver's reading.
void schedule_write(unsigned after_reads, u8 index, u8 value)
{
    VERIFY(g_scheduled_count < sizeof(g_scheduled) / sizeof(g_scheduled[0]));
    g_scheduled[g_scheduled_count++] = { after_reads, index, value };
}

unsigned data_reads() { return g_data_reads; }
// True if any index write had bit 7 clear, which would have re-enabled NMIs.
bool nmi_was_enabled() { return g_nmi_enabled_by_a_write; }

u8 read_data()
{
    for (unsigned i = 0; i < g_scheduled_count; ++i)
        if (g_scheduled[i].after_reads == g_data_reads)
            g_registers[g_scheduled[i].index & 0x7f] = g_scheduled[i].value;
    ++g_data_reads;
    u8 value = g_registers[g_index];
    if (g_index == k_status_a && g_busy_reads) {
        --g_busy_reads;
        value |= k_update_in_progress;
    }
    return value;
}

} // namespace uk::host::cmos

namespace uk::arch {

void port_write8(u16 port, u8 value)
{
    if (port == host::cmos::k_index_port) {
        host::cmos::g_index = value & 0x7f;
        if (!(value & 0x80))
            host::cmos::g_nmi_enabled_by_a_write = true;
    } else if (port == host::cmos::k_data_port) {
        host::cmos::g_registers[host::cmos::g_index] = value;
    }
}

u8 port_read8(u16 port)
{
    if (port == host::cmos::k_data_port)
        return host::cmos::read_data();
    return 0xff; // Nothing decodes other ports, so the bus floats high.
}

namespace {
void* g_cpu_slot;
void* g_cpu_current;
u32 g_cpu_held_locks;
}

u32 this_cpu() { return 0; }
void* this_cpu_slot() { return g_cpu_slot; }
void set_this_cpu_slot(void* slot) { g_cpu_slot = slot; }
void* this_cpu_current() { return g_cpu_current; }
void set_this_cpu_current(void* thread) { g_cpu_current = thread; }
u32& this_cpu_held_locks() { return g_cpu_held_locks; }
void spin_wait() { panic("host: a lock is held by another CPU, but the host tests have one"); }
size_t cpus_online() { return 1; }

[[gnu::weak]] u64 save_and_disable_interrupts() { return 0; }
[[gnu::weak]] void restore_interrupts(u64) {}

} // namespace uk::arch
