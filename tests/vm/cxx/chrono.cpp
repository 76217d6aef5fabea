// SPDX-License-Identifier: MIT
// <chrono>: system_clock follows the host's wall clock (the test compares the printed epoch
// with the host's), steady_clock measures sleeps at the right speed and never goes back,
// and durations and calendar dates compute and format as specified.
#include "check.h"

#include <chrono>
#include <ctime>
#include <format>
#include <thread>

namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

void test_system_clock()
{
    auto now = system_clock::now();
    auto seconds = duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    std::cout << "epoch=" << seconds << std::endl;
    // Agrees with the C library's clock.
    std::time_t c_now = std::time(nullptr);
    CHECK(std::abs(system_clock::to_time_t(now) - c_now) <= 1);
    // After 2024-01-01 and before 2100.
    CHECK(now > sys_days { 2024y / January / 1 });
    CHECK(now < sys_days { 2100y / January / 1 });
    year_month_day today { floor<days>(now) };
    CHECK(today.ok());
    std::cout << std::format("today is {:%Y-%m-%d} (UTC)", floor<days>(now)) << std::endl;
}

void test_steady_clock()
{
    CHECK(steady_clock::is_steady);
    auto start = steady_clock::now();
    std::this_thread::sleep_for(50ms);
    auto slept = steady_clock::now() - start;
    CHECK(slept >= 50ms);
    CHECK(slept < 500ms);
    // Monotonic over many reads.
    auto previous = steady_clock::now();
    bool monotonic = true;
    for (int i = 0; i < 100000; ++i) {
        auto t = steady_clock::now();
        monotonic = monotonic && t >= previous;
        previous = t;
    }
    CHECK(monotonic);
    auto hr = high_resolution_clock::now().time_since_epoch();
    CHECK(hr.count() > 0);
    auto until = steady_clock::now() + 20ms;
    std::this_thread::sleep_until(until);
    CHECK(steady_clock::now() >= until);
}

void test_durations_and_calendar()
{
    CHECK_EQ(duration_cast<milliseconds>(1min + 30s).count(), 90000);
    CHECK_EQ(std::format("{}", 1500ms), "1500ms");
    CHECK_EQ(std::format("{}", 42s), "42s");
    CHECK_EQ(std::format("{:%H:%M:%S}", 3h + 25min + 7s), "03:25:07");
    hh_mm_ss split { 12345678ms };
    CHECK_EQ(split.hours().count(), 3);
    CHECK_EQ(split.minutes().count(), 25);
    CHECK_EQ(split.seconds().count(), 45);
    CHECK_EQ(split.subseconds().count(), 678);

    year_month_day leap { 2024y / February / 29 };
    CHECK(leap.ok());
    CHECK(!(2023y / February / 29).ok());
    CHECK_EQ(static_cast<unsigned>(year_month_day { sys_days { leap } + days { 1 } }.month()), 3u);
    CHECK(weekday { sys_days { 2024y / July / 19 } } == Friday);
    CHECK_EQ((sys_days { 2025y / January / 1 } - sys_days { 2024y / January / 1 }).count(), 366);
    CHECK_EQ(std::format("{:%F %a}", sys_days { 2000y / March / 1 }), "2000-03-01 Wed");
    CHECK_EQ(std::format("{:%Y-%m-%d %H:%M:%S}", sys_seconds { 1700000000s }), "2023-11-14 22:13:20");
    CHECK_EQ(duration_cast<seconds>(sys_days { 1970y / January / 2 }.time_since_epoch()).count(), 86400);
}

} // namespace

int main()
{
    test_system_clock();
    test_steady_clock();
    test_durations_and_calendar();
    return finish("chrono");
}
