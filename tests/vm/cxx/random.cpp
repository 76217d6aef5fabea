// SPDX-License-Identifier: MIT
// <random>: the standard engines' required 10000th values, distributions' statistics, and
// std::random_device, which reads the CPU's RDSEED/RDRAND through getentropy(). With the argument
// "device" it only draws from random_device, so that a CPU without those instructions shows the
// failure (std::system_error, uncaught) instead of a constant.
#include "check.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

template <class Engine>
typename Engine::result_type ten_thousandth()
{
    Engine engine;
    engine.discard(9999);
    return engine();
}

void test_engines()
{
    // [rand.predef]: the 10000th consecutive invocation of a default-constructed engine.
    CHECK_EQ(ten_thousandth<std::minstd_rand0>(), 1043618065u);
    CHECK_EQ(ten_thousandth<std::minstd_rand>(), 399268537u);
    CHECK_EQ(ten_thousandth<std::mt19937>(), 4123659995u);
    CHECK_EQ(ten_thousandth<std::mt19937_64>(), 9981545732273789042ull);
    CHECK_EQ(ten_thousandth<std::ranlux24_base>(), 7937952u);
    CHECK_EQ(ten_thousandth<std::ranlux48_base>(), 61839128582725ull);
    CHECK_EQ(ten_thousandth<std::ranlux24>(), 9901578u);
    CHECK_EQ(ten_thousandth<std::ranlux48>(), 249142670248501ull);
    CHECK_EQ(ten_thousandth<std::knuth_b>(), 1112339016u);

    // Seeding is deterministic.
    std::seed_seq seq { 1, 2, 3 };
    std::mt19937 a(seq), b(seq);
    CHECK(a() == b());
    std::mt19937 c(7), d(7);
    d.discard(5);
    for (int i = 0; i < 5; ++i)
        c();
    CHECK(c == d);
}

void test_distributions()
{
    std::mt19937_64 engine(12345);
    constexpr int n = 100000;

    std::uniform_int_distribution<int> die(1, 6);
    std::vector<int> faces(7);
    for (int i = 0; i < n; ++i)
        ++faces.at(die(engine));
    CHECK_EQ(faces[0], 0);
    for (int f = 1; f <= 6; ++f)
        CHECK(std::abs(faces[f] - n / 6) < n / 60); // Within 10%.

    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double sum = 0, low = 1, high = 0;
    for (int i = 0; i < n; ++i) {
        double x = unit(engine);
        sum += x;
        low = std::min(low, x);
        high = std::max(high, x);
    }
    CHECK(std::abs(sum / n - 0.5) < 0.01);
    CHECK(low >= 0.0 && high < 1.0);

    std::normal_distribution<double> normal(10.0, 2.0);
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
        double x = normal(engine);
        s += x;
        s2 += x * x;
    }
    double mean = s / n;
    double sd = std::sqrt(s2 / n - mean * mean);
    CHECK(std::abs(mean - 10.0) < 0.05);
    CHECK(std::abs(sd - 2.0) < 0.05);

    std::bernoulli_distribution coin(0.25);
    int heads = 0;
    for (int i = 0; i < n; ++i)
        heads += coin(engine);
    CHECK(std::abs(heads - n / 4) < n / 100);

    std::poisson_distribution<int> poisson(4.0);
    double total = 0;
    for (int i = 0; i < n; ++i)
        total += poisson(engine);
    CHECK(std::abs(total / n - 4.0) < 0.05);

    std::discrete_distribution<int> weighted { 1, 0, 3 };
    std::vector<int> picks(3);
    for (int i = 0; i < n; ++i)
        ++picks.at(weighted(engine));
    CHECK_EQ(picks[1], 0);
    CHECK(std::abs(picks[2] - 3 * picks[0]) < n / 20);

    std::vector<int> deck(52);
    std::iota(deck.begin(), deck.end(), 0);
    std::shuffle(deck.begin(), deck.end(), engine);
    std::vector<int> sorted = deck;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted[0] == 0 && sorted[51] == 51 && std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    CHECK(deck != sorted);
}

void test_random_device()
{
    std::random_device device;
    CHECK_EQ(device.entropy(), 32.0);
    std::set<unsigned> distinct;
    long ones = 0;
    constexpr int draws = 2000;
    for (int i = 0; i < draws; ++i) {
        unsigned v = device();
        distinct.insert(v);
        ones += std::popcount(v);
    }
    // 2000 draws of 32 random bits: collisions are vanishingly rare, and about half the bits are
    // set (64000 bits, standard deviation ~179).
    CHECK(distinct.size() >= draws - 2);
    CHECK(std::abs(ones - draws * 16) < 1500);
    std::random_device named("/dev/urandom"); // The one token libc++ accepts for this source.
    (void)named();
    try {
        std::random_device other("/dev/random");
        CHECK(!"random_device accepted a token it does not support");
    } catch (const std::system_error&) {
    }
    // The usual way to seed an engine.
    std::mt19937 seeded(device());
    std::mt19937 seeded_again(device());
    CHECK(seeded() != seeded_again() || seeded() != seeded_again());
}

} // namespace

int main(int argc, char** argv)
{
    if (argc > 1 && std::string(argv[1]) == "device") {
        std::random_device device;
        std::cout << "random_device gave " << device() << std::endl;
        return 0;
    }
    test_engines();
    test_distributions();
    test_random_device();
    return finish("random");
}
