// SPDX-License-Identifier: MIT
// Console streams on the virtio console's ports or the UARTs, input decoding, and printk.
#include "drivers/console.h"

#include <stdarg.h>

#include "arch/arch.h"
#include "arch/spin_lock.h"
#include "drivers/serial.h"
#include "drivers/virtio/console.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "sched/clock.h"
#include "sched/locks.h"
#include "sched/wait_queue.h"

namespace uk {

namespace console {

namespace {

constexpr u8 k_escape = 0xff;
constexpr u8 k_end_of_input = 'D';
// Without a receive interrupt (no I/O APIC answered), a waiting reader polls.
constexpr u64 k_min_poll_interval_ns = 20'000;
constexpr u64 k_max_poll_interval_ns = 2'000'000;
u64 g_poll_interval_ns = k_min_poll_interval_ns;

bool g_has_com2;
bool g_framed;
bool g_interrupt_driven;
// Everything below is shared with the receive interrupt: touched only with interrupts disabled.
bool g_escape_pending;
bool g_end_of_input;
// Decoded input waiting for a reader. Large enough that a fast writer on the host side (a pipe
// into uk-run) is not throttled to the UART's 16-byte FIFO.
u8 g_input[64 * 1024];
size_t g_input_head, g_input_count;
sched::WaitQueue g_input_waiters(sched::WakeSource::External);
void (*g_input_listener)();
// How often a reader blocked on the UART looks at it without an interrupt (see read()).
constexpr u64 k_uart_recheck_ns = 100'000'000;
// Bytes that arrived before the UART was programmed (see init()).
u8 g_early[16];
size_t g_early_count, g_early_taken;

// The virtio console, once tried (at boot, by start_devices()).
bool g_virtio_tried;
bool g_virtio_input;
// Program writes are whole: one write() call's bytes reach the host before another's begin,
// whichever stream each goes to (a write may sleep while the device is busy).
bool g_writing;
constinit sched::WaitQueue g_writers(sched::WakeSource::External);
Stream g_last_stream = Stream::Output;
// A crash report is being written: everything goes to the UART from now on.
bool g_crash;
// Whole writes on the UARTs: the CPUs' messages and writes do not mix within a line. Interrupts
// are disabled while it is held (printk runs anywhere, interrupt handlers included).
constinit arch::SpinLock g_uart_lock { arch::LockRank::Console };

bool next_byte(u8& byte)
{
    if (g_early_taken < g_early_count) {
        byte = g_early[g_early_taken++];
        return true;
    }
    return serial::try_read(serial::Port::Com1, byte);
}

// Decodes one received byte into g_input (room for it is the caller's check). Interrupts
// disabled.
void take_byte_locked(u8 byte)
{
    if (g_framed) {
        if (g_escape_pending) {
            g_escape_pending = false;
            if (byte == k_end_of_input) {
                g_end_of_input = true;
                return;
            }
            if (byte != k_escape)
                return; // Unknown escapes are reserved; ignore them.
        } else if (byte == k_escape) {
            g_escape_pending = true;
            return;
        }
    }
    g_input[(g_input_head + g_input_count) % sizeof(g_input)] = byte;
    ++g_input_count;
}

// Moves what the UART holds into g_input, decoding the framing; true if anything changed.
// Interrupts disabled.
bool drain_uart_locked()
{
    u8 byte;
    bool changed = false;
    while (g_input_count < sizeof(g_input) && !g_end_of_input && next_byte(byte)) {
        take_byte_locked(byte);
        changed = true;
    }
    return changed;
}

// Decodes received bytes into g_input as far as it has room; returns how many were used.
// Runs of plain bytes are copied whole. Interrupts disabled.
size_t take_bytes_locked(const u8* data, size_t length)
{
    size_t used = 0;
    while (used < length && g_input_count < sizeof(g_input) && !g_end_of_input) {
        if (g_framed && (g_escape_pending || data[used] == k_escape)) {
            take_byte_locked(data[used++]);
            continue;
        }
        size_t tail = (g_input_head + g_input_count) % sizeof(g_input);
        size_t run = length - used;
        if (run > sizeof(g_input) - g_input_count)
            run = sizeof(g_input) - g_input_count;
        if (run > sizeof(g_input) - tail)
            run = sizeof(g_input) - tail;
        if (g_framed)
            for (size_t i = 0; i < run; ++i)
                if (data[used + i] == k_escape) {
                    run = i;
                    break;
                }
        copy_bytes(g_input + tail, data + used, run);
        g_input_count += run;
        used += run;
    }
    return used;
}

// The same from the virtio console's receive buffers.
bool drain_virtio_locked()
{
    bool changed = false;
    while (g_input_count < sizeof(g_input) && !g_end_of_input) {
        auto chunk = virtio::console_input_peek_locked();
        if (chunk.length == 0)
            break;
        virtio::console_input_consume_locked(take_bytes_locked(chunk.data, chunk.length));
        changed = true;
    }
    return changed;
}

bool drain_locked()
{
    // A virtio console that broke (it said so) gives the input back to the UART.
    if (g_virtio_input && !virtio::console_has_port(virtio::ConsolePort::Input))
        g_virtio_input = false;
    return g_virtio_input ? drain_virtio_locked() : drain_uart_locked();
}

// Drains the UART and, if input arrived or ended, wakes readers and tells the listener.
void drain_and_notify_locked()
{
    if (drain_locked()) {
        g_input_waiters.wake_all_locked();
        if (g_input_listener)
            g_input_listener();
    }
}

bool input_ready_locked()
{
    drain_and_notify_locked();
    return g_input_count > 0 || g_end_of_input;
}

// The COM1 receive interrupt: moves the bytes into the ring and wakes readers and pollers.
void on_receive(void*)
{
    sched::SchedulerGuard guard;
    drain_and_notify_locked();
}

// The virtio console's receive interrupt.
void on_virtio_input() { drain_and_notify_locked(); }

// Starts the virtio console (once; not from an interrupt handler or a critical section).
void start_virtio()
{
    if (g_virtio_tried || arch::in_interrupt() || !arch::interrupts_enabled())
        return;
    g_virtio_tried = true;
    if (!virtio::console_start() || !virtio::console_has_port(virtio::ConsolePort::Input))
        return;
    sched::SchedulerGuard guard;
    virtio::console_set_input_handler(on_virtio_input);
    g_virtio_input = true;
    // Bytes the UART decoder took already (none under uk-run) stay in g_input; the framing
    // state carries over, as both sources carry the same stream.
}

virtio::ConsolePort port_of(Stream stream)
{
    return stream == Stream::Error ? virtio::ConsolePort::Error : virtio::ConsolePort::Output;
}

void write_uart(Stream stream, const char* data, size_t length)
{
    bool error_port = stream == Stream::Error && g_has_com2;
    serial::Port port = error_port ? serial::Port::Com2 : serial::Port::Com1;
    if (g_crash) {
        // The CPU that held the lock may be stopped for good (or be this one, crashing in the
        // middle of a write): wait a while once, then write without it.
        static bool s_abandoned;
        u64 saved = arch::save_and_disable_interrupts();
        bool locked = false;
        if (!s_abandoned && !g_uart_lock.is_held_here()) {
            for (int spin = 0; spin < 1'000'000 && !(locked = g_uart_lock.try_lock()); ++spin)
                arch::spin_wait();
            s_abandoned = !locked;
        }
        serial::write(port, data, length);
        if (locked)
            g_uart_lock.unlock();
        arch::restore_interrupts(saved);
        return;
    }
    arch::IrqLockGuard guard(g_uart_lock);
    serial::write(port, data, length);
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
    // The machine's exit flushes queued output first; a crash report switches to the UART.
    arch::set_output_hooks({ flush_output, begin_crash_report });
}

void start_devices() { start_virtio(); }

void start_input_interrupt()
{
    auto line = arch::isa_interrupt_line(serial::isa_irq(serial::Port::Com1));
    if (arch::register_interrupt(line, on_receive, nullptr).is_error()) {
        printk("uk: warning: no interrupt for COM1; standard input is polled\n");
        return;
    }
    g_interrupt_driven = true;
    serial::enable_receive_interrupt(serial::Port::Com1);
}

void set_input_listener(void (*listener)()) { g_input_listener = listener; }

bool has_separate_error_port() { return g_has_com2; }

Result<size_t> write(Stream stream, const char* data, size_t length)
{
    start_virtio();
    if (!virtio::console_has_port(port_of(stream))) {
        write_uart(stream, data, length);
        return length;
    }
    if (g_writers.wait_until([] { return !g_writing; }) == sched::WaitResult::Interrupted)
        return error(EINTR);
    g_writing = true;
    // The other stream's bytes must have left first: the two ports are separate queues, and
    // the host would otherwise be free to interleave a line of one with the other's.
    Result<size_t> written = static_cast<size_t>(0);
    if (stream != g_last_stream) {
        auto idle = virtio::console_wait_idle(port_of(g_last_stream));
        if (idle.is_error() && idle.error_code() == EINTR)
            written = error(EINTR);
    }
    if (!written.is_error()) {
        g_last_stream = stream;
        written = virtio::console_write(port_of(stream), data, length);
        if (written.is_error() && written.error_code() == EIO) {
            // The device broke (it said so on the UART): the rest goes to the UART.
            write_uart(stream, data, length);
            written = length;
        }
    }
    g_writing = false;
    g_writers.wake_one();
    return written;
}

void write_message(const char* data, size_t length)
{
    // On the error port when that can be done without sleeping: one buffer is one write on the
    // host, so the line arrives whole, in order with the program's output. Otherwise (early
    // boot, interrupt handlers, critical sections, a program write in progress, a crash) on the
    // UART, after the program's queued output (bounded: a message must always get out).
    bool virtio_usable = g_virtio_tried && !g_crash && !arch::in_interrupt() && arch::interrupts_enabled();
    if (virtio_usable && !g_writing
        && virtio::console_write_now(virtio::ConsolePort::Error, data, length, clock::monotonic_ns() + 100'000'000)) {
        g_last_stream = Stream::Error;
        return;
    }
    if (virtio_usable)
        virtio::console_wait_output(clock::monotonic_ns() + 100'000'000);
    write_uart(Stream::Error, data, length);
}

void flush_output()
{
    if (g_virtio_tried && !g_crash && !arch::in_interrupt())
        virtio::console_wait_output(clock::monotonic_ns() + 10'000'000'000);
}

void begin_crash_report()
{
    if (g_crash)
        return;
    // Set first: if flushing the console is what crashes, the nested report (and its exit)
    // goes straight to the UART.
    g_crash = true;
    if (g_virtio_tried)
        virtio::console_wait_output(clock::monotonic_ns() + 1'000'000'000);
}

void set_input_framing(bool framed) { g_framed = framed; }

bool input_ready()
{
    start_virtio();
    sched::SchedulerGuard guard;
    return input_ready_locked();
}

size_t input_pending()
{
    start_virtio();
    sched::SchedulerGuard guard;
    drain_and_notify_locked();
    return g_input_count;
}

Result<size_t> read(void* buffer, size_t length, bool nonblocking)
{
    if (length == 0)
        return static_cast<size_t>(0);
    start_virtio();
    // The copy below runs under the SchedulerLock, where program memory must not fault.
    u64 start = reinterpret_cast<u64>(buffer);
    TRY(mm::populate(align_down(start, k_page_size), align_up(start + length, k_page_size)));
    sched::SchedulerGuard guard;
    if (!input_ready_locked()) {
        if (nonblocking)
            return error(EAGAIN);
        if (g_virtio_input) {
            if (g_input_waiters.wait_until([] { return input_ready_locked(); }) == sched::WaitResult::Interrupted)
                return error(EINTR);
        } else if (g_interrupt_driven) {
            // The receive interrupt wakes the reader; a reader also looks again every
            // k_uart_recheck_ns, so that input already in the UART is never left there if an
            // interrupt edge is missed (the ISA line is edge-triggered and stays high while the
            // ring is full). That costs nothing while input flows.
            for (;;) {
                auto waited = g_input_waiters.wait_until([] { return input_ready_locked(); },
                    clock::monotonic_ns() + k_uart_recheck_ns);
                if (waited == sched::WaitResult::Interrupted)
                    return error(EINTR);
                if (waited == sched::WaitResult::Ready || input_ready_locked())
                    break;
            }
        } else {
            // QEMU refills the 16-byte FIFO only while the vCPU is not running, so a poller
            // sleeps briefly and looks again, backing off towards 2 ms while nothing comes.
            while (!input_ready_locked()) {
                auto waited = g_input_waiters.wait_until([] { return input_ready_locked(); },
                    clock::monotonic_ns() + g_poll_interval_ns);
                if (waited == sched::WaitResult::Interrupted)
                    return error(EINTR);
                if (waited != sched::WaitResult::Ready && g_poll_interval_ns < k_max_poll_interval_ns)
                    g_poll_interval_ns *= 2;
            }
            g_poll_interval_ns = k_min_poll_interval_ns;
        }
    }
    auto* out = static_cast<u8*>(buffer);
    size_t done = 0;
    while (done < length && g_input_count > 0) {
        size_t chunk = sizeof(g_input) - g_input_head;
        if (chunk > g_input_count)
            chunk = g_input_count;
        if (chunk > length - done)
            chunk = length - done;
        copy_bytes(out + done, g_input + g_input_head, chunk);
        done += chunk;
        g_input_head = (g_input_head + chunk) % sizeof(g_input);
        g_input_count -= chunk;
        if (g_input_count == 0)
            drain_locked();
    }
    // Room was made: take in what waits in the UART, which also lets its next edge through.
    drain_and_notify_locked();
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
    console::write_message(buffer, n < sizeof(buffer) ? n : sizeof(buffer) - 1);
}

}
