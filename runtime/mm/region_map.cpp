// SPDX-License-Identifier: MIT
// Sorted-array implementation of RegionMap; the region count stays small (merging keeps
// malloc's arenas to a few entries), so linear moves are cheap.
#include "mm/region_map.h"

namespace uk::mm {

namespace {
bool mergeable(const Region& a, const Region& b)
{
    return a.end == b.start && a.protection == b.protection && a.flags == b.flags;
}
}

size_t RegionMap::lower_index(u64 address) const
{
    size_t low = 0, high = m_count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (m_regions[mid].end <= address)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

const Region* RegionMap::find(u64 address) const
{
    size_t i = lower_index(address);
    if (i < m_count && m_regions[i].start <= address)
        return &m_regions[i];
    return nullptr;
}

u64 RegionMap::find_gap(u64 length, u64 low, u64 high) const
{
    if (length == 0 || length > high - low)
        return 0;
    u64 candidate = low;
    for (size_t i = lower_index(low); i < m_count; ++i) {
        if (m_regions[i].start >= candidate + length)
            break;
        if (m_regions[i].end > candidate)
            candidate = m_regions[i].end;
    }
    if (candidate + length > high || candidate + length < candidate)
        return 0;
    return candidate;
}

bool RegionMap::is_free(u64 start, u64 end) const
{
    size_t i = lower_index(start);
    return i == m_count || m_regions[i].start >= end;
}

bool RegionMap::is_covered(u64 start, u64 end) const
{
    u64 at = start;
    for (size_t i = lower_index(start); i < m_count && at < end; ++i) {
        if (m_regions[i].start > at)
            return false;
        at = m_regions[i].end;
    }
    return at >= end;
}

Result<void> RegionMap::insert(const Region& region)
{
    if (region.start >= region.end || !is_free(region.start, region.end))
        return error(EINVAL);
    size_t i = lower_index(region.start);
    bool merge_left = i > 0 && mergeable(m_regions[i - 1], region);
    bool merge_right = i < m_count && mergeable(region, m_regions[i]);
    if (merge_left && merge_right) {
        m_regions[i - 1].end = m_regions[i].end;
        erase(i, 1);
        return {};
    }
    if (merge_left) {
        m_regions[i - 1].end = region.end;
        return {};
    }
    if (merge_right) {
        m_regions[i].start = region.start;
        return {};
    }
    if (m_count == k_capacity)
        return error(ENOMEM);
    for (size_t j = m_count; j > i; --j)
        m_regions[j] = m_regions[j - 1];
    m_regions[i] = region;
    ++m_count;
    return {};
}

Result<void> RegionMap::split_at(u64 address)
{
    size_t i = lower_index(address);
    if (i == m_count || m_regions[i].start >= address)
        return {};
    if (m_count == k_capacity)
        return error(ENOMEM);
    for (size_t j = m_count; j > i; --j)
        m_regions[j] = m_regions[j - 1];
    ++m_count;
    m_regions[i].end = address;
    m_regions[i + 1].start = address;
    return {};
}

Result<void> RegionMap::reserve_splits(u64 start, u64 end) const
{
    size_t needed = 0;
    const u64 ends[] = { start, end };
    for (u64 address : ends) {
        const Region* r = find(address);
        if (r && r->start < address)
            ++needed;
    }
    // One region straddling both ends needs two new slots; that case is counted twice above.
    if (m_count + needed > k_capacity)
        return error(ENOMEM);
    return {};
}

void RegionMap::erase(size_t index, size_t count)
{
    for (size_t j = index; j + count < m_count; ++j)
        m_regions[j] = m_regions[j + count];
    m_count -= count;
}

void RegionMap::merge_around(u64 start, u64 end)
{
    size_t i = lower_index(start);
    if (i > 0)
        --i;
    while (i + 1 < m_count && m_regions[i].start <= end) {
        if (mergeable(m_regions[i], m_regions[i + 1])) {
            m_regions[i].end = m_regions[i + 1].end;
            erase(i + 1, 1);
        } else {
            ++i;
        }
    }
}

}
