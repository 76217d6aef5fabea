// A parallel CPU-bound workload and a thread pipeline, for SMP: (1) a reduction over 2^k items of an
// integer-heavy function, split over hardware_concurrency() threads (or argv[2] of them); (2) a
// four-stage pipeline whose stages pass items through bounded queues under a mutex and two
// condition variables. Both answers are the same whatever the number of threads and CPUs; the
// time of the CPU-bound part is printed for tests/perf/smp-bench. Usage: parallel [SCALE [THREADS]]
// (SCALE: log2 of the reduction's items, default 24).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// Integer work per item, enough that the memory system does not matter: 64 rounds of a
// xorshift-multiply mix.
std::uint64_t item_value(std::uint64_t i)
{
    std::uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;
    for (int round = 0; round < 64; ++round) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 29;
    }
    return x;
}

std::uint64_t reduce(std::uint64_t items, unsigned threads)
{
    std::vector<std::uint64_t> partial(threads);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            std::uint64_t sum = 0;
            // Interleaved, so every thread gets the same mix of work.
            for (std::uint64_t i = t; i < items; i += threads)
                sum += item_value(i);
            partial[t] = sum;
        });
    }
    std::uint64_t total = 0;
    for (unsigned t = 0; t < threads; ++t) {
        workers[t].join();
        total += partial[t];
    }
    return total;
}

// A bounded queue: push blocks while full, pop while empty; pop returns false once closed and
// drained.
class Queue {
public:
    void push(std::uint64_t value)
    {
        std::unique_lock lock(m_mutex);
        m_not_full.wait(lock, [&] { return m_items.size() < k_capacity; });
        m_items.push_back(value);
        m_not_empty.notify_one();
    }
    bool pop(std::uint64_t& value)
    {
        std::unique_lock lock(m_mutex);
        m_not_empty.wait(lock, [&] { return !m_items.empty() || m_closed; });
        if (m_items.empty())
            return false;
        value = m_items.front();
        m_items.pop_front();
        m_not_full.notify_one();
        return true;
    }
    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_not_empty.notify_all();
    }

private:
    static constexpr std::size_t k_capacity = 16;
    std::mutex m_mutex;
    std::condition_variable m_not_empty, m_not_full;
    std::deque<std::uint64_t> m_items;
    bool m_closed = false;
};

std::uint64_t square_mod(std::uint64_t v) { return v * v % 1000000007ull; }
std::uint64_t add_remainder(std::uint64_t v) { return v + (v % 97); }

// Source -> square mod p -> add a remainder -> sink, each stage a thread (two of them for the
// middle stages, so items overtake each other; the sink's sum does not depend on their order).
std::uint64_t pipeline(std::uint64_t items)
{
    Queue first, second, third;
    std::uint64_t sum = 0, count = 0;
    std::thread source([&] {
        for (std::uint64_t i = 1; i <= items; ++i)
            first.push(i);
        first.close();
    });
    auto stage = [](Queue& in, Queue& out, std::uint64_t (*f)(std::uint64_t)) {
        std::uint64_t v;
        while (in.pop(v))
            out.push(f(v));
    };
    std::vector<std::thread> squares, adders;
    for (int i = 0; i < 2; ++i)
        squares.emplace_back(stage, std::ref(first), std::ref(second), square_mod);
    for (int i = 0; i < 2; ++i)
        adders.emplace_back(stage, std::ref(second), std::ref(third), add_remainder);
    std::thread sink([&] {
        std::uint64_t v;
        while (third.pop(v)) {
            sum += v;
            ++count;
        }
    });
    source.join();
    for (auto& t : squares)
        t.join();
    second.close();
    for (auto& t : adders)
        t.join();
    third.close();
    sink.join();
    if (count != items) {
        std::printf("FAIL: the pipeline delivered %llu of %llu items\n", static_cast<unsigned long long>(count),
            static_cast<unsigned long long>(items));
        std::exit(1);
    }
    return sum;
}

} // namespace

int main(int argc, char** argv)
{
    int scale = argc > 1 ? std::atoi(argv[1]) : 24;
    unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : std::thread::hardware_concurrency();
    if (scale < 4 || scale > 40 || threads < 1 || threads > 256) {
        std::printf("usage: parallel [SCALE 4-40 [THREADS 1-256]]\n");
        return 2;
    }
    auto start = std::chrono::steady_clock::now();
    std::uint64_t total = reduce(1ull << scale, threads);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("reduction %llu\n", static_cast<unsigned long long>(total));
    std::printf("pipeline %llu\n", static_cast<unsigned long long>(pipeline(20000)));
    std::printf("cpu-bound %.3f s with %u thread(s)\n", seconds, threads);
    return 0;
}
