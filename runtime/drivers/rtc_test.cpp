// SPDX-License-Identifier: MIT
// Unit tests of the CMOS RTC driver: the calendar arithmetic, and reading the clock through the
// fake CMOS in host/fakes.cpp.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "drivers/rtc.h"

#include <gtest/gtest.h>

// The fake CMOS's controls (host/fakes.cpp).
namespace uk::host::cmos {
void reset();
void set_register(u8 index, u8 value);
void fill_registers(u8 value);
void set_busy_reads(unsigned reads);
void schedule_write(unsigned after_reads, u8 index, u8 value);
unsigned data_reads();
bool nmi_was_enabled();
}

namespace uk::rtc {
namespace {

namespace cmos = host::cmos;

// [MC146818] register numbers; 0x32 is the century byte the ACPI FADT usually names.
constexpr u8 k_seconds = 0x00;
constexpr u8 k_minutes = 0x02;
constexpr u8 k_hours = 0x04;
constexpr u8 k_day = 0x07;
constexpr u8 k_month = 0x08;
constexpr u8 k_year = 0x09;
constexpr u8 k_status_b = 0x0b;
constexpr u8 k_century = 0x32;

constexpr u8 k_binary = 0x04;
constexpr u8 k_24_hour = 0x02;
constexpr u8 k_pm = 0x80;

u8 bcd(unsigned v) { return static_cast<u8>((v / 10) << 4 | v % 10); }

struct Time {
    unsigned century, year, month, day, hour, minute, second;
};

// Loads the clock registers; `hour_register` is written as given (it carries the PM bit).
void load(const Time& t, u8 status_b, u8 hour_register)
{
    bool binary = status_b & k_binary;
    auto encode = [&](unsigned v) { return binary ? static_cast<u8>(v) : bcd(v); };
    cmos::reset();
    cmos::set_register(k_status_b, status_b);
    cmos::set_register(k_seconds, encode(t.second));
    cmos::set_register(k_minutes, encode(t.minute));
    cmos::set_register(k_hours, hour_register);
    cmos::set_register(k_day, encode(t.day));
    cmos::set_register(k_month, encode(t.month));
    cmos::set_register(k_year, encode(t.year));
    cmos::set_register(k_century, encode(t.century));
}

// 2026-11-27 12:34:56 UTC; `date -ud @1795782896` agrees.
constexpr Time k_time { 20, 26, 11, 27, 12, 34, 56 };
constexpr u64 k_epoch = 1795782896;

TEST(DaysFromCivil, KnownDates)
{
    EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
    EXPECT_EQ(days_from_civil(2000, 2, 29), 11016);
    EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
    EXPECT_EQ(days_from_civil(2024, 2, 29), 19782);
    EXPECT_EQ(days_from_civil(2026, 11, 27), 20784);
    EXPECT_EQ(days_from_civil(2100, 1, 1), 47482);
    EXPECT_EQ(days_from_civil(1600, 3, 1), -135080);
}

bool is_leap(i64 y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(i64 y, unsigned m)
{
    constexpr unsigned k_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : k_days[m - 1];
}

// Walks the calendar day by day, through the 1700/1800/1900/2100 non-leap and 2000 leap years.
TEST(DaysFromCivil, ConsecutiveDatesAreOneDayApart)
{
    i64 expected = days_from_civil(1600, 1, 1);
    for (i64 y = 1600; y <= 2400; ++y)
        for (unsigned m = 1; m <= 12; ++m)
            for (unsigned d = 1; d <= days_in_month(y, m); ++d)
                ASSERT_EQ(days_from_civil(y, m, d), expected++) << y << '-' << m << '-' << d;
    EXPECT_EQ(expected, days_from_civil(2401, 1, 1));
}

TEST(ReadEpochSeconds, Bcd24Hour)
{
    load(k_time, k_24_hour, bcd(12));
    EXPECT_EQ(read_epoch_seconds(), k_epoch);
    EXPECT_FALSE(cmos::nmi_was_enabled()); // Every index write keeps bit 7 (NMI disable) set.
}

TEST(ReadEpochSeconds, Binary24Hour)
{
    load(k_time, k_binary | k_24_hour, 12);
    EXPECT_EQ(read_epoch_seconds(), k_epoch);
}

TEST(ReadEpochSeconds, Bcd12HourAfternoon)
{
    load(k_time, 0, k_pm | bcd(12)); // 12 PM is noon.
    EXPECT_EQ(read_epoch_seconds(), k_epoch);
    load(k_time, 0, k_pm | bcd(1));
    EXPECT_EQ(read_epoch_seconds(), k_epoch + 3600);
    load(k_time, 0, k_pm | bcd(11));
    EXPECT_EQ(read_epoch_seconds(), k_epoch + 11 * 3600);
}

TEST(ReadEpochSeconds, Binary12HourAfternoon)
{
    load(k_time, k_binary, k_pm | 12);
    EXPECT_EQ(read_epoch_seconds(), k_epoch);
    load(k_time, k_binary, k_pm | 1);
    EXPECT_EQ(read_epoch_seconds(), k_epoch + 3600);
}

TEST(ReadEpochSeconds, Bcd12HourMorning)
{
    load(k_time, 0, bcd(1));
    EXPECT_EQ(read_epoch_seconds(), k_epoch - 11 * 3600);
    load(k_time, 0, bcd(11));
    EXPECT_EQ(read_epoch_seconds(), k_epoch - 3600);
}

// Regression: in 12-hour mode, 12 AM (hour register 0x12 without the PM bit) read as hour 12,
// making the clock 12 hours fast between midnight and 1 AM.
TEST(ReadEpochSeconds, TwelveHourMidnightIsHourZero)
{
    load(k_time, 0, bcd(12));
    EXPECT_EQ(read_epoch_seconds(), k_epoch - 12 * 3600);
    load(k_time, k_binary, 12);
    EXPECT_EQ(read_epoch_seconds(), k_epoch - 12 * 3600);
}

TEST(ReadEpochSeconds, CenturyRegister)
{
    load({ 19, 99, 12, 31, 23, 59, 59 }, k_24_hour, bcd(23));
    EXPECT_EQ(read_epoch_seconds(), 946684799u);

    // No century byte (zero): assume the 2000s.
    load(k_time, k_24_hour, bcd(12));
    cmos::set_register(k_century, 0);
    EXPECT_EQ(read_epoch_seconds(), k_epoch);

    // A century byte out of range is garbage: assume the 2000s.
    load(k_time, k_24_hour, bcd(12));
    cmos::set_register(k_century, bcd(45));
    EXPECT_EQ(read_epoch_seconds(), k_epoch);
}

TEST(ReadEpochSeconds, NoRtcReadsAsZero)
{
    cmos::reset();
    cmos::fill_registers(0xff); // A floating bus.
    EXPECT_EQ(read_epoch_seconds(), 0u);

    load(k_time, k_24_hour, bcd(12));
    cmos::set_register(k_month, 0);
    EXPECT_EQ(read_epoch_seconds(), 0u);
    load(k_time, k_24_hour, bcd(12));
    cmos::set_register(k_day, bcd(32));
    EXPECT_EQ(read_epoch_seconds(), 0u);
}

TEST(ReadEpochSeconds, WaitsOutAnUpdateInProgress)
{
    load(k_time, k_24_hour, bcd(12));
    cmos::set_busy_reads(5);
    EXPECT_EQ(read_epoch_seconds(), k_epoch);
    EXPECT_GE(cmos::data_reads(), 5u + 8 + 8); // The busy polls, then two readings of 8 registers.
}

// One reading makes 8 data reads: status A, then seconds, minutes, hours, day, month, year and
// century. A tick from 12:34:59 to 12:35:00 landing between seconds and minutes makes that
// reading say 12:35:59, a minute fast.
void tick_during_reading(unsigned reading)
{
    load({ 20, 26, 11, 27, 12, 34, 59 }, k_24_hour, bcd(12));
    cmos::schedule_write(8 * reading + 2, k_seconds, bcd(0));
    cmos::schedule_write(8 * reading + 2, k_minutes, bcd(35));
}

TEST(ReadEpochSeconds, TickDuringTheFirstReading)
{
    tick_during_reading(0);
    EXPECT_EQ(read_epoch_seconds(), k_epoch + 4); // 12:35:00
}

TEST(ReadEpochSeconds, TickDuringTheSecondReadingRereads)
{
    tick_during_reading(1);
    EXPECT_EQ(read_epoch_seconds(), k_epoch + 4);
}

} // namespace
} // namespace uk::rtc
