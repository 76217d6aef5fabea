// C++ threading on the unikernel: std::thread, std::async fan-out/fan-in, std::shared_mutex,
// std::condition_variable, thread_local with destructors at thread exit, atomics,
// hardware_concurrency. Each case prints "<case> ok".
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <numeric>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            std::printf("FAILED: %s (line %d)\n", #cond, __LINE__);                               \
            std::exit(1);                                                                         \
        }                                                                                         \
    } while (0)

namespace {

// The vCPUs the runner gives the guest (argv[2] of the atomics case; uk-run's default is 1).
unsigned g_expected_cpus = 1;

void async_fan_out()
{
    std::vector<std::future<long>> parts;
    for (long part = 0; part < 32; ++part)
        parts.push_back(std::async(std::launch::async, [part] {
            long sum = 0;
            for (long i = part * 10000; i < (part + 1) * 10000; ++i)
                sum += i;
            return sum;
        }));
    long total = 0;
    for (auto& f : parts)
        total += f.get();
    CHECK(total == 320000L * 319999L / 2);
    std::promise<std::string> promise;
    auto future = promise.get_future();
    std::thread producer([&] { promise.set_value("from another thread"); });
    CHECK(future.get() == "from another thread");
    producer.join();
}

void shared_mutex_readers_writer()
{
    std::shared_mutex mutex;
    std::vector<int> data(100, 0);
    std::atomic<int> readers_inside { 0 }, max_readers { 0 };
    std::atomic<bool> torn { false };
    std::vector<std::thread> threads;
    for (int r = 0; r < 6; ++r)
        threads.emplace_back([&] {
            for (int i = 0; i < 300; ++i) {
                std::shared_lock lock(mutex);
                int inside = ++readers_inside;
                int seen = max_readers.load();
                while (inside > seen && !max_readers.compare_exchange_weak(seen, inside)) { }
                int first = data[0];
                for (int v : data)
                    if (v != first)
                        torn = true;
                if (i % 50 == 0)
                    std::this_thread::yield();
                --readers_inside;
            }
        });
    threads.emplace_back([&] {
        for (int i = 1; i <= 200; ++i) {
            std::unique_lock lock(mutex);
            for (int& v : data)
                v = i;
            CHECK(readers_inside == 0);
        }
    });
    for (auto& t : threads)
        t.join();
    CHECK(!torn);
    std::printf("readers inside at once: up to %d\n", max_readers.load());
}

std::atomic<int> g_constructed, g_destroyed;
struct PerThread {
    int value;
    PerThread() : value(0) { ++g_constructed; }
    ~PerThread() { ++g_destroyed; }
};
thread_local PerThread t_state;

void thread_local_destructors()
{
    std::vector<std::thread> threads;
    for (int i = 1; i <= 8; ++i)
        threads.emplace_back([i] {
            t_state.value = i;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            CHECK(t_state.value == i);
        });
    for (auto& t : threads)
        t.join();
    CHECK(g_constructed == 8);
    CHECK(g_destroyed == 8); // Each ran at its thread's exit.
}

void condition_variable_ping_pong()
{
    std::mutex mutex;
    std::condition_variable cv;
    int turn = 0;
    constexpr int rounds = 2000;
    std::thread other([&] {
        for (int i = 0; i < rounds; ++i) {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return turn == 1; });
            turn = 0;
            cv.notify_one();
        }
    });
    for (int i = 0; i < rounds; ++i) {
        std::unique_lock lock(mutex);
        turn = 1;
        cv.notify_one();
        cv.wait(lock, [&] { return turn == 0; });
    }
    other.join();
    std::unique_lock lock(mutex);
    auto start = std::chrono::steady_clock::now();
    bool woken = cv.wait_for(lock, std::chrono::milliseconds(30), [] { return false; });
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(!woken && waited >= std::chrono::milliseconds(30) && waited < std::chrono::milliseconds(300));
}

void atomics_and_hardware()
{
    std::atomic<long> counter { 0 };
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 50000; ++k)
                counter.fetch_add(1, std::memory_order_relaxed);
        });
    for (auto& t : threads)
        t.join();
    CHECK(counter == 400000);
    std::printf("hardware_concurrency %u\n", std::thread::hardware_concurrency());
    CHECK(std::thread::hardware_concurrency() == g_expected_cpus); // uk-run's default: one vCPU.
}

} // namespace

int main(int argc, char** argv)
{
    std::string what = argc > 1 ? argv[1] : "";
    if (argc > 2)
        g_expected_cpus = static_cast<unsigned>(std::atoi(argv[2]));
    if (what == "async")
        async_fan_out();
    else if (what == "shared-mutex")
        shared_mutex_readers_writer();
    else if (what == "thread-local")
        thread_local_destructors();
    else if (what == "condvar")
        condition_variable_ping_pong();
    else if (what == "atomics")
        atomics_and_hardware();
    else {
        std::printf("unknown case %s\n", what.c_str());
        return 2;
    }
    std::printf("%s ok\n", what.c_str());
    return 0;
}
