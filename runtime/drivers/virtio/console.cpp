// SPDX-License-Identifier: MIT
// The virtio-console driver: the multiport handshake over the control queues, output from a
// pool of pages, input straight from the receive buffers [virtio-1.2 5.3].
#include "drivers/virtio/console.h"

#include "lib/runtime_options.h"
#include "drivers/virtio/discovery.h"
#include "drivers/virtio/split_virtqueue.h"
#include "drivers/virtio/virtio.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "sched/clock.h"
#include "sched/locks.h"
#include "sched/wait_queue.h"

namespace uk::virtio {

namespace {

constexpr const char* k_driver = "virtio-console";

// [virtio-1.2 5.3.3] Feature bits.
constexpr u64 k_feature_multiport = 1ull << 1;
// [virtio-1.2 5.3.4] Configuration: cols, rows (u16 each), then max_nr_ports.
constexpr u32 k_config_max_ports = 4;

// [virtio-1.2 5.3.6.2] Control messages: struct virtio_console_control { le32 id; le16 event;
// le16 value; }, a PORT_NAME message followed by the name.
struct ControlMessage {
    u32 id;
    u16 event;
    u16 value;
};
static_assert(sizeof(ControlMessage) == 8);
enum ControlEvent : u16 {
    k_device_ready = 0,
    k_port_add = 1,
    k_port_remove = 2,
    k_port_ready = 3,
    k_console_port = 4,
    k_resize = 5,
    k_port_open = 6,
    k_port_name = 7,
};

// [virtio-1.2 5.3.2] Queues: port 0 has 0 and 1, the control queues are 2 and 3, port N > 0
// has 2 + 2N and 3 + 2N.
constexpr u16 k_control_receive = 2, k_control_transmit = 3;
u16 receive_queue(u32 port) { return static_cast<u16>(port == 0 ? 0 : 2 + 2 * port); }
u16 transmit_queue(u32 port) { return static_cast<u16>(receive_queue(port) + 1); }

// uk-run's device has 4 ports (0, unused, and the three streams); more are not looked at.
constexpr u32 k_max_ports = 4;
constexpr u16 k_port_queue_size = 16;
constexpr size_t k_control_buffer_size = 128;
constexpr size_t k_control_buffers = k_page_size / k_control_buffer_size;
constexpr size_t k_control_slots = 8;
constexpr size_t k_output_buffers = 8;
constexpr size_t k_input_buffers = 16;
constexpr size_t k_buffer_size = k_page_size;
// Every byte the driver gives the device is static (about 108 KiB of the image's .bss): the
// console never competes with the program for heap memory, whenever it starts, and cannot fail
// for want of it.
constexpr size_t k_queue_memory = 8192;
alignas(k_page_size) u8 g_buffers[k_output_buffers + k_input_buffers][k_buffer_size];
alignas(k_page_size) u8 g_control_buffers[k_control_buffers][k_control_buffer_size];
alignas(16) u8 g_queue_memory[k_queue_memory];
constinit DeviceMemoryArea g_queue_area { g_queue_memory, g_queue_memory + k_queue_memory };
// How long console_start() waits for the device to name its ports.
constexpr u64 k_handshake_timeout_ns = 200'000'000;
constexpr u64 k_handshake_quiet_ns = 2'000'000;

const char* const k_port_names[] = { "uk.stdin", "uk.stdout", "uk.stderr" };
constexpr ConsolePort k_output_streams[] = { ConsolePort::Output, ConsolePort::Error };

struct Port {
    bool queues_ready = false;
    bool added = false;
    bool named = false;
    SplitVirtqueue receive;
    SplitVirtqueue transmit;
};

struct ControlSlot {
    ControlMessage message;
    bool busy;
};

Transport* g_transport;
bool g_started;
bool g_broken;
bool g_needs_reset; // Set by the interrupt handler, acted on by runtime code.
u32 g_port_count;
// constinit: the runtime's globals must need no constructor. The program's own static
// constructors may write to the console, and a dynamic initializer of the runtime, run among
// them in no set order, could wipe a console started already.
constinit Port g_ports[k_max_ports];
constinit SplitVirtqueue g_control_receive;
constinit SplitVirtqueue g_control_transmit;
ControlSlot g_control_slots[k_control_slots];
// The port id of each stream (ConsolePort order), -1 when the device has none.
int g_stream_port[3] = { -1, -1, -1 };
u8* g_output_free[k_output_buffers];
size_t g_output_free_count;
// The receive buffer being read, once the device has handed it back.
u8* g_input_buffer;
size_t g_input_length, g_input_offset;
void (*g_input_handler)();
constinit sched::WaitQueue g_output_waiters(sched::WakeSource::External);
u64 g_last_message_ns;

int stream_port(ConsolePort port) { return g_stream_port[static_cast<int>(port)]; }

// Interrupts disabled (or before the device is live).
void fail(const char* reason)
{
    if (g_broken)
        return;
    g_broken = true;
    for (int& port : g_stream_port)
        port = -1;
    fail_device(*g_transport, k_driver, reason);
    g_output_waiters.wake_all();
}

void fail_queue(const SplitVirtqueue& queue, const char* which)
{
    char reason[200];
    format(reason, sizeof(reason), "%s queue: %s", which, queue.problem());
    fail(reason);
}

void publish(SplitVirtqueue& queue, u16 index)
{
    if (queue.publish())
        g_transport->notify(index);
}

void reclaim_control_locked()
{
    void* cookie;
    u32 written;
    SplitVirtqueue::Take r;
    while ((r = g_control_transmit.take(cookie, written)) == SplitVirtqueue::Take::Taken)
        static_cast<ControlSlot*>(cookie)->busy = false;
    if (r == SplitVirtqueue::Take::Broken)
        fail_queue(g_control_transmit, "control transmit");
}

// Queues one control message; false when every slot is still with the device.
bool send_control_locked(u32 id, u16 event, u16 value)
{
    reclaim_control_locked();
    if (g_broken)
        return true; // Nothing more will be sent; callers must not wait for slots.
    for (size_t i = 0; i < k_control_slots; ++i) {
        ControlSlot& slot = g_control_slots[i];
        if (slot.busy)
            continue;
        slot.message = { id, event, value };
        Segment segment { reinterpret_cast<u64>(&slot.message), sizeof(ControlMessage) };
        if (g_control_transmit.add(&segment, 1, 0, &slot).is_error())
            return false;
        slot.busy = true;
        publish(g_control_transmit, k_control_transmit);
        return true;
    }
    return false;
}

// Sends a control message, polling for a free slot until `deadline_ns`.
void send_control(u32 id, u16 event, u16 value, u64 deadline_ns)
{
    for (;;) {
        {
            sched::SchedulerGuard guard;
            if (send_control_locked(id, event, value))
                return;
        }
        if (clock::monotonic_ns() > deadline_ns) {
            sched::SchedulerGuard guard;
            fail("the device does not take control messages");
            return;
        }
    }
}

void handle_control_message(const u8* buffer, u32 length)
{
    ControlMessage m;
    copy_bytes(&m, buffer, sizeof(m));
    g_last_message_ns = clock::monotonic_ns();
    if (m.event == k_device_ready || m.event == k_port_ready)
        return; // Only the driver sends these.
    // A port this driver set no queues up for (port 0, or beyond the first few) stays unready:
    // left unanswered rather than refused, which QEMU would report as a guest failure.
    if (m.id >= g_port_count || !g_ports[m.id].queues_ready)
        return;
    Port& port = g_ports[m.id];
    switch (m.event) {
    case k_port_add:
        port.added = true;
        send_control_locked(m.id, k_port_ready, 1);
        break;
    case k_port_remove:
        port.added = false;
        for (int& stream : g_stream_port)
            if (stream == static_cast<int>(m.id))
                stream = -1;
        break;
    case k_port_name: {
        port.named = true;
        char name[16];
        u32 name_length = length - sizeof(ControlMessage);
        if (name_length >= sizeof(name))
            break;
        copy_bytes(name, buffer + sizeof(ControlMessage), name_length);
        name[name_length] = 0;
        for (int stream = 0; stream < 3; ++stream)
            if (strings_equal(name, k_port_names[stream]))
                g_stream_port[stream] = static_cast<int>(m.id);
        break;
    }
    default:
        // CONSOLE_PORT, RESIZE, PORT_OPEN (the host side opened or closed): nothing to do.
        break;
    }
}

void process_control_locked()
{
    void* cookie;
    u32 written;
    SplitVirtqueue::Take r;
    while ((r = g_control_receive.take(cookie, written)) == SplitVirtqueue::Take::Taken) {
        if (written >= sizeof(ControlMessage))
            handle_control_message(static_cast<const u8*>(cookie), written);
        Segment segment { reinterpret_cast<u64>(cookie), k_control_buffer_size };
        (void)g_control_receive.add(&segment, 0, 1, cookie);
    }
    if (r == SplitVirtqueue::Take::Broken) {
        fail_queue(g_control_receive, "control receive");
        return;
    }
    publish(g_control_receive, k_control_receive);
}

bool handshake_settled()
{
    bool all_streams = true;
    bool any_added = false, all_named = true;
    for (int port : g_stream_port)
        all_streams &= port >= 0;
    for (u32 i = 0; i < g_port_count; ++i) {
        any_added |= g_ports[i].added;
        all_named &= !g_ports[i].added || g_ports[i].named;
    }
    // Every stream found; or every port the device added has told its name and nothing else
    // came for a while (a device whose ports are not all the runtime's). A device that has
    // added no port at all gets longer: it may just be slow to answer DEVICE_READY.
    u64 quiet = any_added ? k_handshake_quiet_ns : k_handshake_quiet_ns * 25;
    return all_streams || (all_named && clock::monotonic_ns() - g_last_message_ns > quiet);
}

void on_interrupt(void*, u8 causes)
{
    sched::SchedulerGuard guard; // What interrupt handlers share with threads is under it.
    if ((causes & k_cause_config) && (g_transport->status() & k_status_needs_reset))
        g_needs_reset = true;
    if ((causes & k_cause_queue) && g_input_handler)
        g_input_handler();
    g_output_waiters.wake_all();
}

void reclaim_output_locked()
{
    for (ConsolePort stream : k_output_streams) {
        int id = stream_port(stream);
        if (id < 0)
            continue;
        SplitVirtqueue& queue = g_ports[id].transmit;
        void* cookie;
        u32 written;
        SplitVirtqueue::Take r;
        while ((r = queue.take(cookie, written)) == SplitVirtqueue::Take::Taken)
            g_output_free[g_output_free_count++] = static_cast<u8*>(cookie);
        if (r == SplitVirtqueue::Take::Broken) {
            fail_queue(queue, "transmit");
            return;
        }
    }
}

bool stream_port_idle_locked(int id) { return g_ports[id].transmit.outstanding() == 0; }

bool output_used_locked()
{
    for (ConsolePort stream : k_output_streams)
        if (int id = stream_port(stream); id >= 0 && g_ports[id].transmit.has_used())
            return true;
    return false;
}

void check_reset_request_locked()
{
    if (g_needs_reset)
        fail("the device set DEVICE_NEEDS_RESET");
}

void setup_port_queues(bool event_index)
{
    // Port 0 is where QEMU puts a virtconsole (hvc) device, which the runtime does not use: no
    // queues for it, so the device will be told the port cannot be readied.
    for (u32 i = 1; i < g_port_count; ++i) {
        Port& port = g_ports[i];
        port.queues_ready
            = !setup_queue(*g_transport, receive_queue(i), k_port_queue_size, event_index, port.receive, &g_queue_area)
                   .is_error()
            && !setup_queue(*g_transport, transmit_queue(i), k_port_queue_size, event_index, port.transmit,
                &g_queue_area)
                    .is_error();
        // Transmit completions are collected when buffers are needed, not announced.
        if (port.queues_ready)
            port.transmit.disable_interrupts();
    }
}

} // namespace

bool console_start()
{
    if (g_started)
        return g_transport && !g_broken;
    g_started = true;
    Transport* t = claim_device(k_device_console);
    if (!t)
        return false;
    g_transport = t;
    auto features = negotiate_features(*t, k_driver, k_feature_multiport | k_feature_event_index);
    if (features.is_error()) {
        g_transport = nullptr;
        return false;
    }
    if (!(features.value() & k_feature_multiport)) {
        fail("the device has no named ports (no VIRTIO_CONSOLE_F_MULTIPORT)");
        return false;
    }
    bool event_index = features.value() & k_feature_event_index;
    u32 ports = t->read_config32(k_config_max_ports);
    g_port_count = ports < k_max_ports ? ports : k_max_ports;
    if (t->set_interrupt_handler(on_interrupt, nullptr).is_error()) {
        fail("no interrupt could be routed");
        return false;
    }
    if (setup_queue(*t, k_control_receive, k_control_buffers, event_index, g_control_receive, &g_queue_area).is_error()
        || setup_queue(*t, k_control_transmit, k_control_slots, event_index, g_control_transmit, &g_queue_area)
               .is_error()) {
        fail("the control queues could not be set up");
        return false;
    }
    // The handshake polls the control queues: no interrupt for each message.
    g_control_transmit.disable_interrupts();
    g_control_receive.disable_interrupts();
    setup_port_queues(event_index);
    finish_initialization(*t);

    u64 deadline = clock::monotonic_ns() + k_handshake_timeout_ns;
    g_last_message_ns = clock::monotonic_ns();
    {
        sched::SchedulerGuard guard;
        for (size_t i = 0; i < g_control_receive.size() && i < k_control_buffers; ++i) {
            u8* buffer = g_control_buffers[i];
            Segment segment { reinterpret_cast<u64>(buffer), k_control_buffer_size };
            (void)g_control_receive.add(&segment, 0, 1, buffer);
        }
        publish(g_control_receive, k_control_receive);
    }
    // [virtio-1.2 5.3.6.2] DEVICE_READY; the device answers with PORT_ADD for each port, each
    // PORT_READY with the port's name.
    send_control(0, k_device_ready, 1, deadline);
    for (;;) {
        {
            sched::SchedulerGuard guard;
            process_control_locked();
            if (g_broken || handshake_settled())
                break;
        }
        if (clock::monotonic_ns() > deadline)
            break;
    }
    if (g_broken)
        return false;

    for (size_t i = 0; i < k_output_buffers; ++i)
        g_output_free[g_output_free_count++] = g_buffers[i];
    // Opening a port tells the device the driver listens: only then does it deliver input.
    for (int id : g_stream_port)
        if (id >= 0)
            send_control(static_cast<u32>(id), k_port_open, 1, deadline + k_handshake_timeout_ns);
    // The input buffers come after the port is open: their notification is what makes QEMU look
    // at its input again (a port that was closed when it last looked got nothing).
    if (int id = stream_port(ConsolePort::Input); id >= 0) {
        sched::SchedulerGuard guard;
        for (size_t i = 0; i < k_input_buffers; ++i) {
            u8* buffer = g_buffers[k_output_buffers + i];
            Segment segment { reinterpret_cast<u64>(buffer), k_buffer_size };
            if (g_ports[id].receive.add(&segment, 0, 1, buffer).is_error())
                break;
        }
        publish(g_ports[id].receive, receive_queue(id));
    }
    if (runtime_options().verbose)
        printk("uk: %s (%s, %s): ports stdin %d, stdout %d, stderr %d\n", k_driver, t->location(), t->interrupt_kind(),
            stream_port(ConsolePort::Input), stream_port(ConsolePort::Output), stream_port(ConsolePort::Error));
    return !g_broken;
}

bool console_has_port(ConsolePort port) { return !g_broken && stream_port(port) >= 0; }

Result<size_t> console_write(ConsolePort port, const void* data, size_t length)
{
    const auto* bytes = static_cast<const u8*>(data);
    size_t done = 0;
    while (done < length) {
        u8* buffer = nullptr;
        {
            sched::SchedulerGuard guard;
            check_reset_request_locked();
            reclaim_output_locked();
            int id = stream_port(port);
            if (id < 0)
                return done ? Result<size_t>(done) : error(EIO);
            if (g_output_free_count > 0 && g_ports[id].transmit.free_descriptors() > 0) {
                buffer = g_output_free[--g_output_free_count];
            } else {
                // Every buffer is with the device: ask for completions to be announced.
                bool used = false;
                for (ConsolePort stream : k_output_streams)
                    if (int other = stream_port(stream); other >= 0)
                        used |= g_ports[other].transmit.enable_interrupts();
                if (used)
                    continue;
            }
        }
        if (!buffer) {
            auto waited = g_output_waiters.wait_until([] { return g_broken || g_needs_reset || output_used_locked(); });
            for (ConsolePort stream : k_output_streams)
                if (int other = stream_port(stream); other >= 0) {
                    sched::SchedulerGuard guard;
                    g_ports[other].transmit.disable_interrupts();
                }
            if (waited == sched::WaitResult::Interrupted)
                return done ? Result<size_t>(done) : error(EINTR);
            continue;
        }
        size_t chunk = length - done < k_buffer_size ? length - done : k_buffer_size;
        // Outside the guard: the program's memory may need paging in.
        copy_bytes(buffer, bytes + done, chunk);
        sched::SchedulerGuard guard;
        int id = stream_port(port);
        Segment segment { reinterpret_cast<u64>(buffer), static_cast<u32>(chunk) };
        if (id < 0 || g_ports[id].transmit.add(&segment, 1, 0, buffer).is_error()) {
            g_output_free[g_output_free_count++] = buffer;
            return done ? Result<size_t>(done) : error(EIO);
        }
        publish(g_ports[id].transmit, transmit_queue(static_cast<u32>(id)));
        done += chunk;
    }
    return done;
}

bool console_write_now(ConsolePort port, const void* data, size_t length, u64 deadline_ns)
{
    if (length > k_buffer_size || !console_has_port(port))
        return false;
    ConsolePort other = port == ConsolePort::Output ? ConsolePort::Error : ConsolePort::Output;
    for (;;) {
        sched::SchedulerGuard guard;
        reclaim_output_locked();
        int id = stream_port(port);
        int other_id = stream_port(other);
        if (id < 0)
            return false;
        if ((other_id < 0 || stream_port_idle_locked(other_id)) && g_output_free_count > 0
            && g_ports[id].transmit.free_descriptors() > 0) {
            u8* buffer = g_output_free[--g_output_free_count];
            copy_bytes(buffer, data, length);
            Segment segment { reinterpret_cast<u64>(buffer), static_cast<u32>(length) };
            if (g_ports[id].transmit.add(&segment, 1, 0, buffer).is_error()) {
                g_output_free[g_output_free_count++] = buffer;
                return false;
            }
            publish(g_ports[id].transmit, transmit_queue(static_cast<u32>(id)));
            return true;
        }
        if (clock::monotonic_ns() > deadline_ns)
            return false;
    }
}

bool console_wait_output(u64 deadline_ns)
{
    if (!g_transport)
        return true;
    for (;;) {
        {
            sched::SchedulerGuard guard;
            reclaim_output_locked();
            bool idle = true;
            for (ConsolePort stream : k_output_streams)
                if (int id = stream_port(stream); id >= 0)
                    idle &= g_ports[id].transmit.outstanding() == 0;
            if (idle || g_broken)
                return idle;
        }
        if (clock::monotonic_ns() > deadline_ns)
            return false;
    }
}

Result<void> console_wait_idle(ConsolePort port)
{
    int id = stream_port(port);
    if (id < 0)
        return {};
    auto idle = [id] {
        reclaim_output_locked();
        return g_broken || g_needs_reset || stream_port_idle_locked(id);
    };
    {
        sched::SchedulerGuard guard;
        if (idle())
            return g_broken ? Result<void>(error(EIO)) : Result<void>();
        g_ports[id].transmit.enable_interrupts();
    }
    auto waited = g_output_waiters.wait_until(idle);
    sched::SchedulerGuard guard;
    g_ports[id].transmit.disable_interrupts();
    if (waited == sched::WaitResult::Interrupted)
        return error(EINTR);
    return g_broken ? Result<void>(error(EIO)) : Result<void>();
}

InputChunk console_input_peek_locked()
{
    int id = stream_port(ConsolePort::Input);
    if (id < 0)
        return {};
    check_reset_request_locked();
    SplitVirtqueue& queue = g_ports[id].receive;
    while (!g_input_buffer) {
        void* cookie;
        u32 written;
        auto r = queue.take(cookie, written);
        if (r == SplitVirtqueue::Take::Broken) {
            fail_queue(queue, "receive");
            return {};
        }
        if (r == SplitVirtqueue::Take::Empty)
            return {};
        g_input_buffer = static_cast<u8*>(cookie);
        g_input_length = written;
        g_input_offset = 0;
        if (written == 0)
            console_input_consume_locked(0);
    }
    return { g_input_buffer + g_input_offset, g_input_length - g_input_offset };
}

void console_input_consume_locked(size_t count)
{
    VERIFY(g_input_buffer && count <= g_input_length - g_input_offset);
    g_input_offset += count;
    if (g_input_offset < g_input_length)
        return;
    // Used up: back to the device.
    int id = stream_port(ConsolePort::Input);
    u8* buffer = g_input_buffer;
    g_input_buffer = nullptr;
    if (id < 0)
        return;
    Segment segment { reinterpret_cast<u64>(buffer), k_buffer_size };
    (void)g_ports[id].receive.add(&segment, 0, 1, buffer);
    publish(g_ports[id].receive, receive_queue(static_cast<u32>(id)));
}

void console_set_input_handler(void (*handler)()) { g_input_handler = handler; }

}
