// SPDX-License-Identifier: MIT
// Host tests of the ACPI (RSDP, RSDT/XSDT, MADT) and MP table parsers against table images built
// here, including the malformed ones firmware has been known to produce.
#include "arch/x86_64/acpi_tables.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

using namespace uk;
using namespace uk::arch;

namespace {

// Physical memory for the parser: a few regions at chosen addresses.
std::map<u64, std::vector<u8>> g_memory;

bool read_fake(u64 address, void* out, size_t length)
{
    for (auto& [base, bytes] : g_memory) {
        if (address >= base && address + length <= base + bytes.size()) {
            std::memcpy(out, bytes.data() + (address - base), length);
            return true;
        }
    }
    return false;
}

void put32(std::vector<u8>& b, size_t at, u32 v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<u8>(v >> (8 * i));
}
void put64(std::vector<u8>& b, size_t at, u64 v)
{
    put32(b, at, static_cast<u32>(v));
    put32(b, at + 4, static_cast<u32>(v >> 32));
}
void put16(std::vector<u8>& b, size_t at, u16 v)
{
    b[at] = static_cast<u8>(v);
    b[at + 1] = static_cast<u8>(v >> 8);
}

// Sets byte `at` so that bytes [from, to) sum to zero.
void fix_checksum(std::vector<u8>& b, size_t at, size_t from, size_t to)
{
    b[at] = 0;
    u8 sum = 0;
    for (size_t i = from; i < to; ++i)
        sum = static_cast<u8>(sum + b[i]);
    b[at] = static_cast<u8>(-sum);
}

std::vector<u8> table(const char* signature, std::vector<u8> body)
{
    std::vector<u8> t(36, 0);
    std::memcpy(t.data(), signature, 4);
    t.insert(t.end(), body.begin(), body.end());
    put32(t, 4, static_cast<u32>(t.size()));
    fix_checksum(t, 9, 0, t.size());
    return t;
}

std::vector<u8> madt_body()
{
    std::vector<u8> body(8, 0);
    put32(body, 0, 0xfee00000);
    body[4] = 1; // PCAT_COMPAT
    auto add = [&](std::vector<u8> entry) { body.insert(body.end(), entry.begin(), entry.end()); };
    add({ 0, 8, 0, 0, 1, 0, 0, 0 });    // CPU, APIC id 0, enabled.
    add({ 0, 8, 1, 2, 1, 0, 0, 0 });    // CPU, APIC id 2, enabled.
    add({ 0, 8, 2, 4, 0, 0, 0, 0 });    // CPU, APIC id 4, disabled: not counted.
    add({ 1, 12, 5, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 }); // I/O APIC 5 at 0xfec00000, GSI 0.
    add({ 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 });             // IRQ 0 -> GSI 2.
    add({ 2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0 });          // IRQ 9: level, active high.
    add({ 9, 16, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 }); // x2APIC id 7, enabled.
    return body;
}

u64 install_acpi(bool use_xsdt, std::vector<u8> madt)
{
    g_memory.clear();
    constexpr u64 rsdp_at = 0xf0000, root_at = 0x100000, madt_at = 0x101000;
    g_memory[madt_at] = madt;
    std::vector<u8> rsdp(36, 0);
    std::memcpy(rsdp.data(), "RSD PTR ", 8);
    if (use_xsdt) {
        std::vector<u8> entries(8);
        put64(entries, 0, madt_at);
        g_memory[root_at] = table("XSDT", entries);
        rsdp[15] = 2;
        put32(rsdp, 20, 36);
        put64(rsdp, 24, root_at);
    } else {
        std::vector<u8> entries(4);
        put32(entries, 0, static_cast<u32>(madt_at));
        g_memory[root_at] = table("RSDT", entries);
        put32(rsdp, 16, static_cast<u32>(root_at));
    }
    fix_checksum(rsdp, 8, 0, 20);
    fix_checksum(rsdp, 32, 0, 36);
    g_memory[rsdp_at] = rsdp;
    return rsdp_at;
}

TEST(AcpiTables, ReadsTheMadtThroughTheXsdtAndTheRsdt)
{
    for (bool xsdt : { true, false }) {
        MachineTopology t;
        ASSERT_FALSE(read_topology(install_acpi(xsdt, table("APIC", madt_body())), read_fake, t).is_error());
        ASSERT_EQ(t.cpu_count, 3u);
        EXPECT_EQ(t.cpu_apic_ids[0], 0u);
        EXPECT_EQ(t.cpu_apic_ids[1], 2u);
        EXPECT_EQ(t.cpu_apic_ids[2], 7u);
        ASSERT_EQ(t.ioapic_count, 1u);
        EXPECT_EQ(t.ioapics[0].address, 0xfec00000u);
        ASSERT_EQ(t.override_count, 2u);
        EXPECT_EQ(t.overrides[0].gsi, 2u);
        EXPECT_EQ(t.overrides[1].flags, 0x0d);
        EXPECT_TRUE(t.has_legacy_pics);
    }
}

TEST(AcpiTables, RejectsBadChecksumsAndLengths)
{
    auto madt = table("APIC", madt_body());
    madt[40] ^= 1; // Checksum no longer matches.
    MachineTopology t;
    EXPECT_EQ(read_topology(install_acpi(true, madt), read_fake, t).error_code(), EINVAL);

    madt = table("APIC", madt_body());
    put32(madt, 4, 1u << 20); // Claims more than can be read.
    fix_checksum(madt, 9, 0, madt.size());
    EXPECT_EQ(read_topology(install_acpi(true, madt), read_fake, t).error_code(), EINVAL);

    EXPECT_EQ(read_topology(0x12345, read_fake, t).error_code(), EINVAL); // No RSDP there.
    EXPECT_EQ(read_topology(install_acpi(true, table("FACP", {})), read_fake, t).error_code(), ENOENT);
}

TEST(AcpiTables, StopsAtAMalformedMadtEntry)
{
    auto body = madt_body();
    body.push_back(0);
    body.push_back(1); // Length 1: cannot be an entry.
    body.push_back(0xaa);
    MachineTopology t;
    ASSERT_FALSE(read_topology(install_acpi(true, table("APIC", body)), read_fake, t).is_error());
    EXPECT_EQ(t.cpu_count, 3u); // What came before is kept.
}

TEST(AcpiTables, FindsTheRsdpOnA16ByteBoundary)
{
    std::vector<u8> area(0x100, 0);
    std::memcpy(area.data() + 0x31, "RSD PTR ", 8); // Not aligned: ignored.
    EXPECT_EQ(find_rsdp(area.data(), area.size(), 0xe0000), 0u);
    std::memcpy(area.data() + 0x40, "RSD PTR ", 8);
    fix_checksum(area, 0x48, 0x40, 0x54);
    EXPECT_EQ(find_rsdp(area.data(), area.size(), 0xe0000), 0xe0040u);
}

// An MP table as QEMU's microvm firmware writes it: the entry count left 0.
std::vector<u8> mp_table(u16 entry_count)
{
    std::vector<u8> t(44, 0);
    std::memcpy(t.data(), "PCMP", 4);
    t[6] = 4;
    put16(t, 34, entry_count);
    put32(t, 36, 0xfee00000);
    auto add = [&](std::vector<u8> entry) { t.insert(t.end(), entry.begin(), entry.end()); };
    std::vector<u8> cpu(20, 0);
    cpu[0] = 0, cpu[1] = 1, cpu[3] = 1;
    add(cpu); // APIC id 1, enabled.
    cpu[1] = 0, cpu[3] = 3;
    add(cpu); // APIC id 0, enabled, the bootstrap processor: listed first.
    add({ 1, 0, 'I', 'S', 'A', ' ', ' ', ' ' });
    add({ 2, 3, 0x14, 1, 0, 0, 0xc0, 0xfe });
    add({ 3, 0, 0, 0, 0, 1, 3, 1 });
    add({ 4, 3, 0, 0, 0, 0, 0xff, 1 });
    put16(t, 4, static_cast<u16>(t.size()));
    fix_checksum(t, 7, 0, t.size());
    return t;
}

u64 install_mp(std::vector<u8> config)
{
    g_memory.clear();
    constexpr u64 pointer_at = 0x9fc00, table_at = 0x9fc10;
    std::vector<u8> pointer(16, 0);
    std::memcpy(pointer.data(), "_MP_", 4);
    put32(pointer, 4, static_cast<u32>(table_at));
    pointer[8] = 1;
    pointer[9] = 4;
    fix_checksum(pointer, 10, 0, 16);
    g_memory[pointer_at] = pointer;
    g_memory[table_at] = config;
    return pointer_at;
}

TEST(MpTable, ReadsProcessorsAndIoApicsWhateverTheEntryCount)
{
    for (u16 count : { u16(0), u16(6) }) {
        MachineTopology t;
        ASSERT_FALSE(read_mp_topology(install_mp(mp_table(count)), read_fake, t).is_error());
        ASSERT_EQ(t.cpu_count, 2u);
        EXPECT_EQ(t.cpu_apic_ids[0], 0u) << "the bootstrap processor comes first";
        EXPECT_EQ(t.cpu_apic_ids[1], 1u);
        ASSERT_EQ(t.ioapic_count, 1u);
        EXPECT_EQ(t.ioapics[0].address, 0xfec00000u);
    }
}

TEST(MpTable, RejectsMalformedTables)
{
    auto config = mp_table(0);
    config[50] ^= 0x40; // Checksum.
    MachineTopology t;
    EXPECT_EQ(read_mp_topology(install_mp(config), read_fake, t).error_code(), EINVAL);
    config = mp_table(0);
    config.push_back(9); // An unknown entry type: its size is unknown.
    for (int i = 0; i < 7; ++i)
        config.push_back(0);
    put16(config, 4, static_cast<u16>(config.size()));
    fix_checksum(config, 7, 0, config.size());
    EXPECT_EQ(read_mp_topology(install_mp(config), read_fake, t).error_code(), EINVAL);
    std::vector<u8> area(0x40, 0);
    std::memcpy(area.data() + 0x10, "_MP_", 4);
    area[0x18] = 1;
    EXPECT_EQ(find_mp_pointer(area.data(), area.size(), 0), 0u) << "bad checksum";
    fix_checksum(area, 0x1a, 0x10, 0x20);
    EXPECT_EQ(find_mp_pointer(area.data(), area.size(), 0x9fc00), 0x9fc10u);
}

} // namespace
