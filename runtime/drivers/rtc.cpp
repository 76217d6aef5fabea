// SPDX-License-Identifier: MIT
// Reads the MC146818-compatible CMOS RTC at ports 0x70/0x71.
#include "drivers/rtc.h"

#include "arch/arch.h"

namespace uk::rtc {

namespace {

u8 read_register(u8 index)
{
    arch::port_write8(0x70, index | 0x80); // Bit 7 keeps NMIs disabled while we talk to the RTC.
    return arch::port_read8(0x71);
}

struct Reading {
    u8 second, minute, hour, day, month, year, century;
    bool operator==(const Reading&) const = default;
};

Reading read_once()
{
    // Wait out an update in progress (register A bit 7) so the fields are consistent.
    for (int i = 0; i < 100000 && (read_register(0x0a) & 0x80); ++i) { }
    return { read_register(0x00), read_register(0x02), read_register(0x04), read_register(0x07),
        read_register(0x08), read_register(0x09), read_register(0x32) };
}

unsigned from_bcd(u8 v) { return (v & 0x0f) + (v >> 4) * 10; }

} // namespace

i64 days_from_civil(i64 y, unsigned m, unsigned d)
{
    // Howard Hinnant's days_from_civil algorithm.
    y -= m <= 2;
    i64 era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = static_cast<unsigned>(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<i64>(doe) - 719468;
}

u64 read_epoch_seconds()
{
    Reading a = read_once(), b = read_once();
    for (int i = 0; i < 5 && !(a == b); ++i)
        a = b, b = read_once();
    u8 status_b = read_register(0x0b);
    bool binary = status_b & 0x04;
    bool hour24 = status_b & 0x02;
    auto value = [&](u8 v) { return binary ? v : from_bcd(v); };
    unsigned hour = value(b.hour & 0x7f);
    // In 12-hour mode the register counts 12, 1, ..., 11 with bit 7 set after noon.
    if (!hour24)
        hour = (hour % 12) + ((b.hour & 0x80) ? 12 : 0);
    unsigned century = b.century ? value(b.century) : 20;
    if (century < 19 || century > 30)
        century = 20;
    i64 year = century * 100 + value(b.year);
    unsigned month = value(b.month), day = value(b.day);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return 0;
    i64 days = days_from_civil(year, month, day);
    return static_cast<u64>(days * 86400 + hour * 3600 + value(b.minute) * 60 + value(b.second));
}

}
