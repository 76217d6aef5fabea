// SPDX-License-Identifier: MIT
// Parsing of the RSDP, RSDT/XSDT and MADT. Every length read from a table is checked against the
// bytes actually read before it is used: a firmware bug gives an error, never a wild read.
#include "arch/x86_64/acpi_tables.h"


namespace uk::arch {

namespace {

constexpr size_t k_header_size = 36; // [ACPI 6.5 5.2.6] System Description Table header.
constexpr size_t k_max_table_size = 16384;

u32 read32(const u8* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<u32>(p[3]) << 24); }
u64 read64(const u8* p) { return read32(p) | (static_cast<u64>(read32(p + 4)) << 32); }
u16 read16(const u8* p) { return static_cast<u16>(p[0] | (p[1] << 8)); }

bool checksum_ok(const u8* bytes, size_t length)
{
    u8 sum = 0;
    for (size_t i = 0; i < length; ++i)
        sum = static_cast<u8>(sum + bytes[i]);
    return sum == 0;
}

bool signature_is(const u8* bytes, const char* signature, size_t length)
{
    for (size_t i = 0; i < length; ++i)
        if (bytes[i] != static_cast<u8>(signature[i]))
            return false;
    return true;
}

// One table, read whole into `buffer` (header first, to learn its length). ENOENT if the
// signature differs, EINVAL if it is unreadable, too long or its checksum is wrong.
Result<size_t> read_table(u64 address, const char* signature, PhysicalReader read, u8* buffer)
{
    if (!read(address, buffer, k_header_size))
        return error(EINVAL);
    if (!signature_is(buffer, signature, 4))
        return error(ENOENT);
    u32 length = read32(buffer + 4);
    if (length < k_header_size || length > k_max_table_size)
        return error(EINVAL);
    if (!read(address, buffer, length))
        return error(EINVAL);
    if (!checksum_ok(buffer, length))
        return error(EINVAL);
    return static_cast<size_t>(length);
}

void parse_madt(const u8* madt, size_t length, MachineTopology& out)
{
    out.local_apic_address = read32(madt + k_header_size);
    out.has_legacy_pics = read32(madt + k_header_size + 4) & 1;
    for (size_t at = k_header_size + 8; at + 2 <= length;) {
        u8 type = madt[at];
        u8 entry_length = madt[at + 1];
        if (entry_length < 2 || at + entry_length > length)
            break; // A malformed entry ends the walk; what came before stays valid.
        const u8* e = madt + at;
        switch (type) {
        case 0: // Processor Local APIC: uid, APIC id, flags (enabled, online capable).
            if (entry_length >= 8 && (read32(e + 4) & 3) && out.cpu_count < MachineTopology::k_max_cpus)
                out.cpu_apic_ids[out.cpu_count++] = e[3];
            break;
        case 1: // I/O APIC: id, reserved, address, GSI base.
            if (entry_length >= 12 && out.ioapic_count < MachineTopology::k_max_ioapics)
                out.ioapics[out.ioapic_count++] = { e[2], read32(e + 4), read32(e + 8) };
            break;
        case 2: // Interrupt Source Override: bus (0 = ISA), source IRQ, GSI, flags.
            if (entry_length >= 10 && e[2] == 0 && out.override_count < MachineTopology::k_max_overrides)
                out.overrides[out.override_count++] = { e[3], read32(e + 4), read16(e + 8) };
            break;
        case 5: // Local APIC Address Override.
            if (entry_length >= 12)
                out.local_apic_address = read64(e + 4);
            break;
        case 9: // Processor Local x2APIC: reserved, x2APIC id, flags, uid.
            if (entry_length >= 16 && (read32(e + 8) & 3) && out.cpu_count < MachineTopology::k_max_cpus)
                out.cpu_apic_ids[out.cpu_count++] = read32(e + 4);
            break;
        default:
            break;
        }
        at += entry_length;
    }
}

} // namespace

u64 find_rsdp(const u8* memory, size_t length, u64 base)
{
    for (size_t at = 0; at + 20 <= length; at += 16) {
        const u8* p = memory + at;
        if (signature_is(p, "RSD PTR ", 8) && checksum_ok(p, 20))
            return base + at;
    }
    return 0;
}

u64 find_mp_pointer(const u8* memory, size_t length, u64 base)
{
    for (size_t at = 0; at + 16 <= length; at += 16) {
        const u8* p = memory + at;
        if (signature_is(p, "_MP_", 4) && p[8] == 1 && checksum_ok(p, 16))
            return base + at;
    }
    return 0;
}

Result<void> read_mp_topology(u64 pointer, PhysicalReader read, MachineTopology& out)
{
    u8 floating[16];
    if (!read(pointer, floating, sizeof(floating)) || !signature_is(floating, "_MP_", 4) || !checksum_ok(floating, 16))
        return error(EINVAL);
    u64 table = read32(floating + 4);
    if (table == 0)
        return error(ENOENT); // A default configuration (feature byte 1): no table to read.
    static u8 s_table[k_max_table_size];
    constexpr size_t k_mp_header = 44;
    if (!read(table, s_table, k_mp_header) || !signature_is(s_table, "PCMP", 4))
        return error(EINVAL);
    size_t length = read16(s_table + 4);
    if (length < k_mp_header || length > k_max_table_size || !read(table, s_table, length) || !checksum_ok(s_table, length))
        return error(EINVAL);
    out.local_apic_address = read32(s_table + 36);
    // The entry count; QEMU's microvm firmware leaves it 0, so the table's length bounds the walk.
    size_t entries = read16(s_table + 34);
    if (entries == 0)
        entries = length;
    size_t at = k_mp_header;
    for (size_t n = 0; n < entries && at < length; ++n) {
        u8 type = s_table[at];
        size_t size = type == 0 ? 20 : 8;
        if (at + size > length)
            return error(EINVAL);
        const u8* e = s_table + at;
        if (type == 0 && (e[3] & 1) && out.cpu_count < MachineTopology::k_max_cpus) {
            // Processor: the bootstrap processor (flag bit 1) first, as the MADT lists it.
            if ((e[3] & 2) && out.cpu_count > 0) {
                out.cpu_apic_ids[out.cpu_count++] = out.cpu_apic_ids[0];
                out.cpu_apic_ids[0] = e[1];
            } else {
                out.cpu_apic_ids[out.cpu_count++] = e[1];
            }
        } else if (type == 2 && (e[3] & 1) && out.ioapic_count < MachineTopology::k_max_ioapics) {
            // I/O APIC: GSIs are numbered in table order, 24 inputs each unless its version says
            // otherwise (the register read at start-up corrects the count).
            u32 base = 0;
            for (size_t i = 0; i < out.ioapic_count; ++i)
                base += 24;
            out.ioapics[out.ioapic_count++] = { e[1], read32(e + 4), base };
        } else if (type > 4) {
            return error(EINVAL); // Entry sizes past type 4 are unknown: stop rather than guess.
        }
        at += size;
    }
    return {};
}

Result<void> read_topology(u64 rsdp, PhysicalReader read, MachineTopology& out)
{
    u8 pointer[36];
    if (!read(rsdp, pointer, 20) || !signature_is(pointer, "RSD PTR ", 8) || !checksum_ok(pointer, 20))
        return error(EINVAL);
    u64 root = read32(pointer + 16);
    size_t entry_size = 4;
    const char* root_signature = "RSDT";
    // [ACPI 6.5 5.2.5.3] Revision 2 and later add the XSDT, which is preferred when present.
    if (pointer[15] >= 2 && read(rsdp, pointer, 36) && checksum_ok(pointer, 36) && read64(pointer + 24)) {
        root = read64(pointer + 24);
        entry_size = 8;
        root_signature = "XSDT";
    }
    static u8 s_root[k_max_table_size];
    static u8 s_table[k_max_table_size];
    size_t root_length = TRY(read_table(root, root_signature, read, s_root));
    for (size_t at = k_header_size; at + entry_size <= root_length; at += entry_size) {
        u64 address = entry_size == 8 ? read64(s_root + at) : read32(s_root + at);
        auto madt = read_table(address, "APIC", read, s_table);
        if (madt.is_error()) {
            if (madt.error_code() == ENOENT)
                continue;
            return error(madt.error_code());
        }
        if (madt.value() < k_header_size + 8)
            return error(EINVAL);
        parse_madt(s_table, madt.value(), out);
        return {};
    }
    return error(ENOENT);
}

}
