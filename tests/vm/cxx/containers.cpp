// SPDX-License-Identifier: MIT
// Containers and algorithms under load: hundreds of thousands of elements through the sequence,
// associative and unordered containers, the sorting and searching algorithms, strings, smart
// pointers and polymorphic allocators, each checked against an independent computation.
#include "check.h"

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <memory_resource>
#include <numeric>
#include <queue>
#include <ranges>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

// A small deterministic generator, independent of <random>.
struct Lcg {
    std::uint64_t state;
    std::uint32_t next()
    {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33);
    }
};

constexpr int k_count = 200000;

std::vector<std::uint32_t> make_values(std::uint64_t seed, int count = k_count)
{
    Lcg lcg { seed };
    std::vector<std::uint32_t> values(count);
    for (auto& v : values)
        v = lcg.next() % 1000000;
    return values;
}

void test_vector_and_sorting()
{
    auto values = make_values(1);
    std::uint64_t sum = std::accumulate(values.begin(), values.end(), std::uint64_t(0));

    auto sorted = values;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::is_sorted(sorted.begin(), sorted.end()));
    CHECK_EQ(std::accumulate(sorted.begin(), sorted.end(), std::uint64_t(0)), sum);

    // Counting sort as the independent reference.
    std::vector<int> counts(1000000);
    for (auto v : values)
        ++counts[v];
    std::size_t at = 0;
    bool same = true;
    for (std::uint32_t v = 0; v < counts.size(); ++v)
        for (int k = 0; k < counts[v]; ++k)
            same = same && sorted[at++] == v;
    CHECK(same);

    // stable_sort keeps equal keys in their original order.
    std::vector<std::pair<std::uint32_t, int>> pairs;
    for (int i = 0; i < k_count; ++i)
        pairs.emplace_back(values[i] % 100, i);
    std::stable_sort(pairs.begin(), pairs.end(), [](auto& a, auto& b) { return a.first < b.first; });
    bool stable = true;
    for (std::size_t i = 1; i < pairs.size(); ++i)
        if (pairs[i - 1].first == pairs[i].first && pairs[i - 1].second > pairs[i].second)
            stable = false;
    CHECK(stable);

    auto nth = values;
    std::nth_element(nth.begin(), nth.begin() + k_count / 2, nth.end());
    CHECK_EQ(nth[k_count / 2], sorted[k_count / 2]);
    auto partial = values;
    std::partial_sort(partial.begin(), partial.begin() + 100, partial.end());
    CHECK(std::equal(partial.begin(), partial.begin() + 100, sorted.begin()));

    auto [low, high] = std::equal_range(sorted.begin(), sorted.end(), sorted[1234]);
    CHECK_EQ(high - low, counts[sorted[1234]]);
    CHECK(std::binary_search(sorted.begin(), sorted.end(), sorted.back()));

    auto unique = sorted;
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    std::size_t distinct = std::count_if(counts.begin(), counts.end(), [](int c) { return c > 0; });
    CHECK_EQ(unique.size(), distinct);

    auto heap = values;
    std::make_heap(heap.begin(), heap.end());
    std::sort_heap(heap.begin(), heap.end());
    CHECK(heap == sorted);

    // Ranges and views over the same data.
    auto evens = values | std::views::filter([](std::uint32_t v) { return v % 2 == 0; })
        | std::views::transform([](std::uint32_t v) { return std::uint64_t(v) * 2; });
    std::uint64_t even_sum = 0;
    for (auto v : evens)
        even_sum += v;
    std::uint64_t reference = 0;
    for (auto v : values)
        if (v % 2 == 0)
            reference += 2 * std::uint64_t(v);
    CHECK_EQ(even_sum, reference);
    auto ranged = values;
    std::ranges::sort(ranged, std::ranges::greater());
    CHECK(std::ranges::equal(ranged | std::views::reverse, sorted));
}

void test_associative()
{
    auto values = make_values(2);
    std::map<std::uint32_t, int> map;
    std::unordered_map<std::uint32_t, int> hash;
    std::multiset<std::uint32_t> multi;
    for (auto v : values) {
        ++map[v];
        ++hash[v];
        multi.insert(v);
    }
    CHECK_EQ(map.size(), hash.size());
    CHECK_EQ(multi.size(), values.size());
    bool agree = true;
    for (auto& [key, count] : map)
        agree = agree && hash.at(key) == count && multi.count(key) == static_cast<std::size_t>(count);
    CHECK(agree);

    // Erase every odd key from all three, then compare again.
    for (auto it = map.begin(); it != map.end();)
        it = it->first % 2 ? map.erase(it) : std::next(it);
    std::erase_if(hash, [](auto& kv) { return kv.first % 2 == 1; });
    std::erase_if(multi, [](std::uint32_t v) { return v % 2 == 1; });
    CHECK_EQ(map.size(), hash.size());
    std::size_t total = 0;
    for (auto& [key, count] : map)
        total += count;
    CHECK_EQ(total, multi.size());

    std::set<std::uint32_t> a(values.begin(), values.begin() + 5000);
    std::set<std::uint32_t> b(values.begin() + 2500, values.begin() + 7500);
    std::vector<std::uint32_t> both, either;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(either));
    CHECK_EQ(both.size() + either.size(), a.size() + b.size());

    // Strings as keys, with rehashing as the table grows.
    std::unordered_set<std::string> words;
    for (int i = 0; i < 50000; ++i)
        words.insert("word-" + std::to_string(i % 40000));
    CHECK_EQ(words.size(), 40000u);
    CHECK(words.contains("word-39999"));
    CHECK(!words.contains("word-40000"));
}

void test_sequences()
{
    std::deque<int> deque;
    for (int i = 0; i < k_count; ++i) {
        if (i % 2)
            deque.push_back(i);
        else
            deque.push_front(i);
    }
    CHECK_EQ(deque.size(), static_cast<std::size_t>(k_count));
    CHECK_EQ(deque.front(), k_count - 2);
    CHECK_EQ(deque.back(), k_count - 1);
    while (deque.size() > 10) {
        deque.pop_front();
        deque.pop_back();
    }
    CHECK_EQ(deque.size(), 10u);

    auto values = make_values(3, 50000);
    std::list<std::uint32_t> list(values.begin(), values.end());
    list.sort();
    CHECK(std::is_sorted(list.begin(), list.end()));
    list.unique();
    std::list<std::uint32_t> other { 5, 3, 1 };
    other.sort();
    list.merge(other);
    CHECK(std::is_sorted(list.begin(), list.end()));

    std::priority_queue<std::uint32_t> queue(values.begin(), values.end());
    std::uint32_t previous = queue.top();
    bool ordered = true;
    while (!queue.empty()) {
        ordered = ordered && queue.top() <= previous;
        previous = queue.top();
        queue.pop();
    }
    CHECK(ordered);

    std::string text;
    for (int i = 0; i < 100000; ++i)
        text += static_cast<char>('a' + i % 26);
    CHECK_EQ(text.size(), 100000u);
    CHECK_EQ(std::count(text.begin(), text.end(), 'z'), 3846);
    CHECK_EQ(text.find("xyzab"), 23u);
    CHECK_EQ(text.rfind("yz"), 99994u);
    std::string copy = text;
    std::reverse(copy.begin(), copy.end());
    CHECK(copy != text);
    std::reverse(copy.begin(), copy.end());
    CHECK(copy == text);

    std::span<std::uint32_t> view(values.data() + 10, 20);
    CHECK_EQ(view.size(), 20u);
    CHECK_EQ(view[0], values[10]);
}

struct Tree {
    int value;
    std::vector<std::shared_ptr<Tree>> children;
    std::weak_ptr<Tree> parent;
    static inline int alive = 0;
    explicit Tree(int v)
        : value(v)
    {
        ++alive;
    }
    ~Tree() { --alive; }
};

void test_smart_pointers_and_allocators()
{
    {
        auto root = std::make_shared<Tree>(0);
        std::vector<std::shared_ptr<Tree>> level { root };
        int made = 1;
        for (int depth = 0; depth < 6; ++depth) {
            std::vector<std::shared_ptr<Tree>> next;
            for (auto& node : level)
                for (int c = 0; c < 5; ++c) {
                    auto child = std::make_shared<Tree>(made++);
                    child->parent = node;
                    node->children.push_back(child);
                    next.push_back(child);
                }
            level = std::move(next);
        }
        CHECK_EQ(Tree::alive, made);
        CHECK_EQ(level.back()->parent.lock()->parent.lock()->children.size(), 5u);
        level.clear();
    }
    CHECK_EQ(Tree::alive, 0); // Weak parent links made no cycles.

    std::vector<std::unique_ptr<int>> owners;
    for (int i = 0; i < 100000; ++i)
        owners.push_back(std::make_unique<int>(i));
    std::erase_if(owners, [](auto& p) { return *p % 3 == 0; });
    CHECK_EQ(owners.size(), 66666u);

    // A monotonic buffer resource serving a pmr vector and map.
    std::pmr::monotonic_buffer_resource arena(1 << 20);
    std::pmr::vector<int> vec(&arena);
    std::pmr::map<int, std::pmr::string> names(&arena);
    for (int i = 0; i < 10000; ++i) {
        vec.push_back(i);
        names.emplace(i, "a name long enough to need the heap " + std::to_string(i));
    }
    CHECK_EQ(vec.size(), 10000u);
    CHECK_EQ(names.at(9999).substr(0, 6), "a name");
    CHECK(names.at(5).get_allocator().resource() == &arena);
}

} // namespace

int main()
{
    test_vector_and_sorting();
    test_associative();
    test_sequences();
    test_smart_pointers_and_allocators();
    return finish("containers");
}
