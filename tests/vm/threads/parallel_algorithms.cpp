// SPDX-License-Identifier: MIT
// The C++17 parallel algorithms (libc++'s std_thread backend, patched to use several threads:
// sysroot/libcxx/patches/0005): right answers for every range size around the split points, and
// with N vCPUs, N threads at work on a large range. Usage: parallel_algorithms EXPECTED_THREADS
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <execution>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>
#include <vector>

#include "../check.h"

int main(int argc, char** argv)
{
    unsigned expected_threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 1;
    CHECK(std::thread::hardware_concurrency() == expected_threads, "hardware_concurrency %u", std::thread::hardware_concurrency());

    // Every size around the split points: nothing lost, nothing counted twice, init counted once.
    for (long n : { 0L, 1L, 2L, 255L, 256L, 511L, 512L, 513L, 767L, 1024L, 1025L, 4097L, 100'003L }) {
        std::vector<long> v(static_cast<size_t>(n));
        std::iota(v.begin(), v.end(), 1);
        long sum = n * (n + 1) / 2;
        CHECK(std::reduce(std::execution::par, v.begin(), v.end(), 7L) == sum + 7, "n = %ld", n);
        CHECK(std::transform_reduce(std::execution::par, v.begin(), v.end(), 3L, std::plus<>(),
                  [](long x) { return 2 * x; })
            == 2 * sum + 3,
            "n = %ld", n);
        CHECK(std::transform_reduce(std::execution::par_unseq, v.begin(), v.end(), v.begin(), 0L)
            == n * (n + 1) * (2 * n + 1) / 6, "n = %ld", n);
        std::vector<long> doubled(v.size());
        std::transform(std::execution::par, v.begin(), v.end(), doubled.begin(), [](long x) { return 2 * x; });
        for (long i = 0; i < n; ++i)
            CHECK(doubled[static_cast<size_t>(i)] == 2 * (i + 1), "n = %ld", n);
        std::for_each(std::execution::par, v.begin(), v.end(), [](long& x) { x = -x; });
        CHECK(std::reduce(std::execution::par, v.begin(), v.end()) == -sum, "n = %ld", n);
        std::fill(std::execution::par, v.begin(), v.end(), 5L);
        CHECK(std::count(v.begin(), v.end(), 5L) == n, "n = %ld", n);
        if (n > 0) {
            v[static_cast<size_t>(n - 1)] = 9;
            CHECK(std::find(std::execution::par, v.begin(), v.end(), 9L) == v.end() - 1, "n = %ld", n);
            CHECK(std::any_of(std::execution::par, v.begin(), v.end(), [](long x) { return x == 9; }), "n = %ld", n);
            CHECK(!std::all_of(std::execution::par, v.begin(), v.end(), [](long x) { return x == 5; }), "n = %ld", n);
        }
    }

    // A large range: every vCPU takes part (the threads are told apart by their ids).
    std::vector<long> v(1'000'000, 1);
    std::mutex mutex;
    std::set<std::thread::id> workers;
    std::for_each(std::execution::par, v.begin(), v.end(), [&](long& x) {
        x = 2;
        if (&x - v.data() == 0 || (&x - v.data()) % 1000 == 999) {
            std::lock_guard lock(mutex);
            workers.insert(std::this_thread::get_id());
        }
    });
    CHECK(std::reduce(std::execution::par, v.begin(), v.end(), 0L) == 2'000'000, "a million elements");
    std::printf("threads %zu\n", workers.size());
    CHECK(workers.size() == expected_threads, "%zu threads took part", workers.size());

    // Parallel algorithms inside a parallel algorithm.
    std::vector<std::vector<long>> rows(8, std::vector<long>(10'000, 3));
    std::vector<long> row_sums(rows.size());
    std::transform(std::execution::par, rows.begin(), rows.end(), row_sums.begin(),
        [](const std::vector<long>& row) { return std::reduce(std::execution::par, row.begin(), row.end()); });
    CHECK(std::reduce(row_sums.begin(), row_sums.end()) == 8 * 30'000, "nested");

    std::printf("parallel-algorithms ok\n");
    return 0;
}
