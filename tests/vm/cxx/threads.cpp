// SPDX-License-Identifier: MIT
// Threads through the C++ library: std::thread, mutexes and condition variables, std::async and
// futures (values and exceptions), atomics, call_once, jthread with stop tokens, latch, barrier
// and semaphores, and an exception thrown and caught on several threads at once.
#include "check.h"

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <queue>
#include <semaphore>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

void test_thread_and_mutex()
{
    CHECK(std::thread::hardware_concurrency() >= 1);
    constexpr int threads = 4, rounds = 20000;
    long counter = 0;
    std::mutex mutex;
    std::vector<std::thread> workers;
    std::set<std::thread::id> ids;
    std::mutex ids_mutex;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            {
                std::lock_guard lock(ids_mutex);
                ids.insert(std::this_thread::get_id());
            }
            for (int i = 0; i < rounds; ++i) {
                std::lock_guard lock(mutex);
                ++counter;
            }
        });
    for (auto& w : workers)
        w.join();
    CHECK_EQ(counter, static_cast<long>(threads) * rounds);
    CHECK_EQ(ids.size(), static_cast<std::size_t>(threads));
    CHECK(!ids.contains(std::this_thread::get_id()));

    std::atomic<long> atomic_counter = 0;
    std::vector<std::thread> adders;
    for (int t = 0; t < threads; ++t)
        adders.emplace_back([&] {
            for (int i = 0; i < rounds; ++i)
                atomic_counter.fetch_add(1, std::memory_order_relaxed);
        });
    for (auto& a : adders)
        a.join();
    CHECK_EQ(atomic_counter.load(), static_cast<long>(threads) * rounds);

    std::recursive_mutex recursive;
    std::scoped_lock outer(recursive);
    CHECK(recursive.try_lock());
    recursive.unlock();
    std::timed_mutex timed;
    timed.lock();
    std::thread contender([&] { CHECK(!timed.try_lock_for(20ms)); });
    contender.join();
    timed.unlock();
}

void test_condition_variable()
{
    std::mutex mutex;
    std::condition_variable ready;
    std::queue<int> queue;
    bool done = false;
    long consumed = 0;
    std::thread consumer([&] {
        std::unique_lock lock(mutex);
        for (;;) {
            ready.wait(lock, [&] { return !queue.empty() || done; });
            while (!queue.empty()) {
                consumed += queue.front();
                queue.pop();
            }
            if (done)
                return;
        }
    });
    for (int i = 1; i <= 1000; ++i) {
        {
            std::lock_guard lock(mutex);
            queue.push(i);
        }
        ready.notify_one();
    }
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    ready.notify_one();
    consumer.join();
    CHECK_EQ(consumed, 500500L);

    // A wait that times out.
    std::unique_lock lock(mutex);
    auto start = std::chrono::steady_clock::now();
    CHECK(ready.wait_for(lock, 30ms) == std::cv_status::timeout);
    CHECK(std::chrono::steady_clock::now() - start >= 30ms);
}

void test_async_and_futures()
{
    auto square = std::async(std::launch::async, [](int x) { return x * x; }, 12);
    auto deferred = std::async(std::launch::deferred, [] { return std::string("deferred"); });
    CHECK_EQ(square.get(), 144);
    CHECK_EQ(deferred.get(), "deferred");

    auto failing = std::async(std::launch::async, [] {
        throw std::runtime_error("from another thread");
        return 0;
    });
    try {
        failing.get();
        CHECK(!"the future did not rethrow");
    } catch (const std::runtime_error& e) {
        CHECK_EQ(std::string(e.what()), "from another thread");
    }

    std::promise<int> promise;
    std::future<int> future = promise.get_future();
    std::thread setter([&] {
        std::this_thread::sleep_for(10ms);
        promise.set_value(7);
    });
    CHECK(future.wait_for(1s) == std::future_status::ready);
    CHECK_EQ(future.get(), 7);
    setter.join();

    std::packaged_task<int(int, int)> task([](int a, int b) { return a + b; });
    auto sum = task.get_future();
    std::thread runner(std::move(task), 2, 3);
    CHECK_EQ(sum.get(), 5);
    runner.join();

    // Many futures at once.
    std::vector<std::future<long>> parts;
    for (int p = 0; p < 8; ++p)
        parts.push_back(std::async(std::launch::async, [p] {
            long s = 0;
            for (int i = p * 1000; i < (p + 1) * 1000; ++i)
                s += i;
            return s;
        }));
    long total = 0;
    for (auto& part : parts)
        total += part.get();
    CHECK_EQ(total, 7999L * 8000 / 2);
}

void test_once_jthread_and_sync()
{
    std::once_flag once;
    std::atomic<int> calls = 0;
    {
        std::vector<std::jthread> racers;
        for (int i = 0; i < 4; ++i)
            racers.emplace_back([&] { std::call_once(once, [&] { ++calls; }); });
    } // jthreads join on destruction.
    CHECK_EQ(calls.load(), 1);

    std::atomic<int> loops = 0;
    {
        std::jthread worker([&](std::stop_token stop) {
            while (!stop.stop_requested()) {
                ++loops;
                std::this_thread::sleep_for(1ms);
            }
        });
        std::this_thread::sleep_for(20ms);
        worker.request_stop();
    }
    CHECK(loops.load() > 0);

    constexpr int n = 4;
    std::latch started(n);
    std::barrier phase(n);
    std::atomic<int> after_barrier = 0;
    std::counting_semaphore<2> slots(2);
    std::atomic<int> inside = 0, most_inside = 0;
    std::shared_mutex shared;
    int shared_value = 0;
    {
        std::vector<std::jthread> group;
        for (int i = 0; i < n; ++i)
            group.emplace_back([&] {
                started.count_down();
                started.wait();
                phase.arrive_and_wait();
                ++after_barrier;
                slots.acquire();
                int now = ++inside;
                int seen = most_inside.load();
                while (now > seen && !most_inside.compare_exchange_weak(seen, now)) {
                }
                std::this_thread::sleep_for(2ms);
                --inside;
                slots.release();
                {
                    std::unique_lock write(shared);
                    ++shared_value;
                }
                std::shared_lock read(shared);
                (void)shared_value;
            });
    }
    CHECK_EQ(after_barrier.load(), n);
    CHECK(most_inside.load() <= 2);
    CHECK_EQ(shared_value, n);
}

void test_exceptions_on_threads()
{
    std::atomic<int> caught = 0;
    std::vector<std::thread> throwers;
    for (int t = 0; t < 4; ++t)
        throwers.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                try {
                    throw std::out_of_range("thread " + std::to_string(t));
                } catch (const std::logic_error& e) {
                    if (std::string(e.what()) == "thread " + std::to_string(t))
                        ++caught;
                }
            }
        });
    for (auto& t : throwers)
        t.join();
    CHECK_EQ(caught.load(), 800);
}

} // namespace

int main()
{
    test_thread_and_mutex();
    test_condition_variable();
    test_async_and_futures();
    test_once_jthread_and_sync();
    test_exceptions_on_threads();
    return finish("threads");
}
