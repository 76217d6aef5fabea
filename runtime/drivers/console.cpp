// SPDX-License-Identifier: MIT
// Console streams on the UARTs, input decoding, and printk.
#include "drivers/console.h"

#include <stdarg.h>

#include "arch/arch.h"
#include "drivers/serial.h"
#include "lib/format.h"
#include "sched/clock.h"
#include "sched/wait_queue.h"

namespace uk {

namespace console {

namespace {

constexpr u8 k_escape = 0xff;
constexpr u8 k_end_of_input = 'D';
// Interrupt-driven input needs the I/O APIC; until then a waiting reader polls (see read()).
constexpr u64 k_min_poll_interval_ns = 20'000;
constexpr u64 k_max_poll_interval_ns = 2'000'000;
u64 g_poll_interval_ns = k_min_poll_interval_ns;

bool g_has_com2;
bool g_framed;
bool g_escape_pending;
bool g_end_of_input;
// Decoded input waiting for a reader.
u8 g_input[256];
size_t g_input_head, g_input_count;
sched::WaitQueue g_input_waiters;
// Bytes that arrived before the UART was programmed (see init()).
u8 g_early[16];
size_t g_early_count, g_early_taken;

bool next_byte(u8& byte)
{
    if (g_early_taken < g_early_count) {
        byte = g_early[g_early_taken++];
        return true;
    }
    return serial::try_read(serial::Port::Com1, byte);
}

// Moves what the UART holds into g_input, decoding the framing.
void drain_uart()
{
    u8 byte;
    while (g_input_count < sizeof(g_input) && !g_end_of_input && next_byte(byte)) {
        if (g_framed) {
            if (g_escape_pending) {
                g_escape_pending = false;
                if (byte == k_end_of_input) {
                    g_end_of_input = true;
                    break;
                }
                if (byte != k_escape)
                    continue; // Unknown escapes are reserved; ignore them.
            } else if (byte == k_escape) {
                g_escape_pending = true;
                continue;
            }
        }
        g_input[(g_input_head + g_input_count) % sizeof(g_input)] = byte;
        ++g_input_count;
    }
}

} // namespace

void init()
{
    // QEMU hands the UART input as soon as the machine exists, and enabling the FIFOs (which
    // serial::init does) empties the receive buffer: keep what is already there.
    u8 byte;
    while (g_early_count < sizeof(g_early) && serial::try_read(serial::Port::Com1, byte))
        g_early[g_early_count++] = byte;
    serial::init(serial::Port::Com1);
    // Even so, a byte that lands between the read above and the FIFO's enabling is lost, so
    // uk-run sends no input before this line on the control channel (docs/runner.md).
    arch::control_message("input ready");
    g_has_com2 = serial::init(serial::Port::Com2);
}

bool has_separate_error_port() { return g_has_com2; }

void write(const char* data, size_t length) { serial::write(serial::Port::Com1, data, length); }

void write(Stream stream, const char* data, size_t length)
{
    bool error_port = stream == Stream::Error && g_has_com2;
    serial::write(error_port ? serial::Port::Com2 : serial::Port::Com1, data, length);
}

void set_input_framing(bool framed) { g_framed = framed; }

bool input_ready()
{
    drain_uart();
    return g_input_count > 0 || g_end_of_input;
}

size_t input_pending()
{
    drain_uart();
    return g_input_count;
}

Result<size_t> read(void* buffer, size_t length, bool nonblocking)
{
    if (length == 0)
        return static_cast<size_t>(0);
    // Without a receive interrupt, a waiting reader sleeps and looks again. QEMU refills the
    // 16-byte FIFO only while the vCPU is not running (its I/O thread needs the lock a busy
    // vCPU holds), so spinning does not help; sleeping briefly does. The interval starts short,
    // for streamed input, and backs off towards 2 ms while nothing comes (an idle terminal).
    while (!input_ready()) {
        if (nonblocking)
            return error(EAGAIN);
        auto waited = g_input_waiters.wait_until([] { return input_ready(); }, clock::monotonic_ns() + g_poll_interval_ns);
        if (waited == sched::WaitResult::Interrupted)
            return error(EINTR);
        if (waited != sched::WaitResult::Ready && g_poll_interval_ns < k_max_poll_interval_ns)
            g_poll_interval_ns *= 2;
    }
    g_poll_interval_ns = k_min_poll_interval_ns;
    auto* out = static_cast<u8*>(buffer);
    size_t done = 0;
    while (done < length && g_input_count > 0) {
        out[done++] = g_input[g_input_head];
        g_input_head = (g_input_head + 1) % sizeof(g_input);
        --g_input_count;
        if (g_input_count == 0)
            drain_uart();
    }
    return done;
}

}

void printk(const char* fmt, ...)
{
    char buffer[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buffer, sizeof(buffer), fmt, ap);
    va_end(ap);
    console::write(console::Stream::Error, buffer, n < sizeof(buffer) ? n : sizeof(buffer) - 1);
}

}
