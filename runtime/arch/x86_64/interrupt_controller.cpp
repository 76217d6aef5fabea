// SPDX-License-Identifier: MIT
// Device interrupt routing: the I/O APICs (found through the ACPI MADT), the vector table that
// maps each vector to its handlers, MSI messages, and the dispatch of vectors 32-255.
// [SDM 3A 11] [82093AA I/O APIC data sheet] [ACPI 6.5 5.2.12] [PCI 3.0 6.8 MSI]
#include "arch/arch.h"
#include "arch/spin_lock.h"
#include "arch/x86_64/acpi_tables.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/local_apic.h"
#include "arch/x86_64/per_cpu.h"
#include "lib/format.h"
#include "lib/string.h"

namespace uk::arch {

namespace {

// Vectors: 32 is the APIC timer, 0x30-0xdf are handed out to devices, 0xe0-0xef catch the masked
// legacy PICs' spurious IRQs, 0xff is the APIC's spurious vector.
constexpr u8 k_first_device_vector = 0x30;
constexpr u8 k_last_device_vector = 0xdf;
constexpr size_t k_handlers_per_vector = 4;

// I/O APIC registers, reached through an index (IOREGSEL) and a window (IOWIN).
constexpr u32 k_ioapic_version = 0x01;
constexpr u32 k_ioapic_redirection = 0x10;
constexpr u64 k_redirection_masked = 1ull << 16;
constexpr u64 k_redirection_level = 1ull << 15;
constexpr u64 k_redirection_active_low = 1ull << 13;
constexpr u64 k_default_ioapic_address = 0xfec00000;

struct IoApic {
    volatile u32* registers;
    u32 gsi_base;
    u32 inputs;
};

struct Handler {
    InterruptHandler function;
    void* context;
};

struct Vector {
    Handler handlers[k_handlers_per_vector];
    size_t count;
    bool routed;   // An I/O APIC input (not MSI) delivers it.
    u32 gsi;
    Trigger trigger;
};

MachineTopology g_topology;
IoApic g_ioapics[MachineTopology::k_max_ioapics];
size_t g_ioapic_count;
Vector g_vectors[256];
u8 g_next_vector = k_first_device_vector;
void (*g_return_hook)(TrapFrame&);
u64 g_unexpected_interrupts;
// Registration may happen on any CPU while others take interrupts: the vector table and the
// I/O APICs' index/window pairs change under this lock; dispatch reads a vector's handlers
// without it (a handler is written before the count that publishes it).
constinit SpinLock g_routing_lock { LockRank::Devices };
const char* g_source = "no MADT or MP table (standard PC assumed)";

u32 ioapic_read(const IoApic& io, u32 reg)
{
    io.registers[0] = reg;
    return io.registers[4];
}

void ioapic_write(const IoApic& io, u32 reg, u32 value)
{
    io.registers[0] = reg;
    io.registers[4] = value;
}

void write_redirection(const IoApic& io, u32 input, u64 entry)
{
    // The high half (destination) first, so the entry is never live with a stale destination.
    ioapic_write(io, k_ioapic_redirection + 2 * input + 1, static_cast<u32>(entry >> 32));
    ioapic_write(io, k_ioapic_redirection + 2 * input, static_cast<u32>(entry));
}

IoApic* ioapic_for(u32 gsi)
{
    for (size_t i = 0; i < g_ioapic_count; ++i)
        if (gsi >= g_ioapics[i].gsi_base && gsi < g_ioapics[i].gsi_base + g_ioapics[i].inputs)
            return &g_ioapics[i];
    return nullptr;
}

void add_ioapic(u64 address, u32 gsi_base)
{
    if (g_ioapic_count == MachineTopology::k_max_ioapics)
        return;
    IoApic& io = g_ioapics[g_ioapic_count];
    io.registers = reinterpret_cast<volatile u32*>(map_device(address));
    io.gsi_base = gsi_base;
    // [82093AA 3.2.2] Bits 16-23 of the version register: the highest redirection entry.
    u32 version = ioapic_read(io, k_ioapic_version);
    if (version == 0xffffffff)
        return; // Nothing answers at that address.
    io.inputs = ((version >> 16) & 0xff) + 1;
    for (u32 input = 0; input < io.inputs; ++input)
        write_redirection(io, input, k_redirection_masked);
    ++g_ioapic_count;
}

// Copies physical memory for the ACPI parser, mapping firmware areas read-only as needed.
bool read_physical(u64 address, void* out, size_t length)
{
    if (address == 0 || address + length < address || address + length > (1ull << 46))
        return false;
    map_firmware(address, length);
    copy_bytes(out, reinterpret_cast<const void*>(address), length);
    return true;
}

// [ACPI 6.5 5.2.5.1] Without a pointer from the boot loader, the RSDP is on a 16-byte boundary in
// the first KiB of the EBDA or in the BIOS read-only area 0xe0000-0xfffff.
u64 search_rsdp()
{
    constexpr u64 k_bios_area = 0xe0000, k_bios_area_size = 0x20000;
    constexpr u64 k_typical_ebda = 0x9fc00, k_ebda_size = 0x400;
    map_firmware(k_typical_ebda, k_ebda_size);
    if (u64 found = find_rsdp(reinterpret_cast<const u8*>(k_typical_ebda), k_ebda_size, k_typical_ebda))
        return found;
    map_firmware(k_bios_area, k_bios_area_size);
    return find_rsdp(reinterpret_cast<const u8*>(k_bios_area), k_bios_area_size, k_bios_area);
}

// [MP 1.4 4] The MP floating pointer: in the first KiB of the EBDA, or the BIOS area.
u64 search_mp_pointer()
{
    constexpr u64 k_bios_area = 0xe0000, k_bios_area_size = 0x20000;
    constexpr u64 k_typical_ebda = 0x9fc00, k_ebda_size = 0x400;
    map_firmware(k_typical_ebda, k_ebda_size);
    if (u64 found = find_mp_pointer(reinterpret_cast<const u8*>(k_typical_ebda), k_ebda_size, k_typical_ebda))
        return found;
    map_firmware(k_bios_area, k_bios_area_size);
    return find_mp_pointer(reinterpret_cast<const u8*>(k_bios_area), k_bios_area_size, k_bios_area);
}

Result<u8> allocate_vector()
{
    if (g_next_vector > k_last_device_vector)
        return error(ENOSPC);
    return g_next_vector++;
}

Result<void> add_handler(Vector& v, InterruptHandler handler, void* context)
{
    if (v.count == k_handlers_per_vector)
        return error(ENOSPC);
    v.handlers[v.count] = { handler, context };
    __atomic_store_n(&v.count, v.count + 1, __ATOMIC_RELEASE);
    return {};
}

} // namespace

void interrupts_init(u64 rsdp)
{
    if (rsdp == 0)
        rsdp = search_rsdp();
    bool have_tables = false;
    if (rsdp) {
        auto topology = read_topology(rsdp, read_physical, g_topology);
        if (topology.is_error())
            printk("uk: warning: unusable ACPI MADT (error %d); assuming a standard PC's interrupt controllers\n",
                topology.error_code());
        else
            have_tables = true;
    }
    if (!have_tables) {
        // No MADT (microvm with acpi=off): the MP table still lists the processors.
        if (u64 mp = search_mp_pointer()) {
            MachineTopology from_mp;
            if (read_mp_topology(mp, read_physical, from_mp).is_error())
                printk("uk: warning: unusable MP table; assuming one CPU\n");
            else {
                g_topology = from_mp;
                g_source = "MP table";
            }
        }
    } else {
        g_source = "ACPI MADT";
    }
    local_apic_init(have_tables || g_topology.cpu_count ? g_topology.local_apic_address : 0);
    for (size_t i = 0; i < g_topology.ioapic_count; ++i)
        add_ioapic(g_topology.ioapics[i].address, g_topology.ioapics[i].gsi_base);
    if (g_ioapic_count == 0)
        add_ioapic(k_default_ioapic_address, 0);
    if (g_topology.cpu_count == 0)
        g_topology.cpu_apic_ids[g_topology.cpu_count++] = local_apic_id();
}

u32 cpu_apic_id(u32 index) { return g_topology.cpu_apic_ids[index]; }

void describe_interrupts()
{
    printk("uk: interrupts: %s, %zu CPU(s), %zu I/O APIC(s), %zu ISA override(s)\n", g_source,
        g_topology.cpu_count, g_ioapic_count, g_topology.override_count);
}

size_t cpu_count() { return g_topology.cpu_count ? g_topology.cpu_count : 1; }

InterruptLine isa_interrupt_line(u8 irq)
{
    InterruptLine line { irq, Trigger::Edge, Polarity::ActiveHigh };
    for (size_t i = 0; i < g_topology.override_count; ++i) {
        const InterruptOverride& o = g_topology.overrides[i];
        if (o.isa_irq != irq)
            continue;
        line.gsi = o.gsi;
        // [ACPI 6.5 Table 5.50] MPS INTI flags: polarity in bits 0-1 (3 = active low), trigger
        // mode in bits 2-3 (3 = level); 0 means "as the bus does" (ISA: high, edge).
        if ((o.flags & 3) == 3)
            line.polarity = Polarity::ActiveLow;
        if (((o.flags >> 2) & 3) == 3)
            line.trigger = Trigger::Level;
    }
    return line;
}

InterruptLine pci_interrupt_line(u8 irq)
{
    // [PCI 3.0 2.2.6] INTx# is level-sensitive, asserted low. QEMU's I/O APIC ignores the
    // polarity bit (its lines carry "asserted"), so only real firmware's word matters here.
    InterruptLine line { irq, Trigger::Level, Polarity::ActiveLow };
    for (size_t i = 0; i < g_topology.override_count; ++i) {
        const InterruptOverride& o = g_topology.overrides[i];
        if (o.isa_irq != irq)
            continue;
        line.gsi = o.gsi;
        if ((o.flags & 3) == 1)
            line.polarity = Polarity::ActiveHigh;
    }
    return line;
}

Result<u8> register_interrupt(const InterruptLine& line, InterruptHandler handler, void* context)
{
    IrqLockGuard guard(g_routing_lock);
    IoApic* io = ioapic_for(line.gsi);
    if (!io)
        return error(ENODEV);
    for (u32 v = k_first_device_vector; v < g_next_vector; ++v) {
        if (g_vectors[v].routed && g_vectors[v].gsi == line.gsi) {
            TRY(add_handler(g_vectors[v], handler, context));
            return static_cast<u8>(v);
        }
    }
    u8 vector = TRY(allocate_vector());
    Vector& v = g_vectors[vector];
    v.routed = true;
    v.gsi = line.gsi;
    v.trigger = line.trigger;
    TRY(add_handler(v, handler, context));
    // [82093AA 3.2.4] Fixed delivery, physical destination: this CPU's local APIC.
    u64 entry = vector | (static_cast<u64>(local_apic_id()) << 56);
    if (line.trigger == Trigger::Level)
        entry |= k_redirection_level;
    if (line.polarity == Polarity::ActiveLow)
        entry |= k_redirection_active_low;
    write_redirection(*io, line.gsi - io->gsi_base, entry);
    return vector;
}

Result<MsiMessage> register_msi(InterruptHandler handler, void* context)
{
    IrqLockGuard guard(g_routing_lock);
    u8 vector = TRY(allocate_vector());
    TRY(add_handler(g_vectors[vector], handler, context));
    // [SDM 3A 11.11.1] Address: 0xfee, destination APIC id in bits 12-19. [11.11.2] Data: the
    // vector, fixed delivery mode, edge-triggered.
    return MsiMessage { 0xfee00000ull | (static_cast<u64>(local_apic_id() & 0xff) << 12), vector, vector };
}

namespace {

InterruptHandler g_timer_handler;
void* g_timer_context;

void on_timer(void*)
{
    timer_fired();
    g_timer_handler(g_timer_context);
}

}

void set_timer_handler(InterruptHandler handler, void* context)
{
    g_timer_handler = handler;
    g_timer_context = context;
    g_vectors[k_timer_vector].handlers[0] = { on_timer, nullptr };
    g_vectors[k_timer_vector].count = 1;
}


void set_interrupt_return_hook(void (*hook)(TrapFrame&)) { g_return_hook = hook; }

void dispatch_interrupt(u8 vector, TrapFrame& frame)
{
    if (is_spurious_vector(vector))
        return;
    // Handlers take the SchedulerLock, under which no page may fault: the interrupted thread's
    // stack must be present for what they and the return hook use (arch.h, probe_stack). Not
    // while the interrupted code changes the regions or the page tables, which the fault handler
    // reads: its system call's own probe covers what the interrupt uses then.
    if (per_cpu(this_cpu()).no_fault_depth == 0) {
        u64 sp = current_stack_pointer();
        probe_stack(sp - 2 * k_page_size, sp);
    }
    Vector& v = g_vectors[vector];
    u32& depth = per_cpu(this_cpu()).interrupt_depth;
    ++depth;
    size_t count = __atomic_load_n(&v.count, __ATOMIC_ACQUIRE);
    if (vector == k_tlb_shootdown_vector)
        service_tlb_shootdown();
    else if (vector == k_reschedule_vector)
        handle_reschedule_ipi();
    for (size_t i = 0; i < count; ++i)
        v.handlers[i].function(v.handlers[i].context);
    --depth;
    if (count == 0 && vector != k_tlb_shootdown_vector && vector != k_reschedule_vector
        && __atomic_fetch_add(&g_unexpected_interrupts, 1, __ATOMIC_RELAXED) == 0)
        printk("uk: warning: interrupt on vector %u, which has no handler\n", vector);
    end_of_interrupt();
    if (g_return_hook)
        g_return_hook(frame);
}

}
