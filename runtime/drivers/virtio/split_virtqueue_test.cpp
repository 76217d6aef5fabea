// SPDX-License-Identifier: MIT
// Host tests of the split virtqueue against a fake device that follows [virtio-1.2 2.7] (or, on
// purpose, breaks it), and of the virtio_mmio.device= parser.
#include "drivers/virtio/split_virtqueue.h"
#include "drivers/virtio/transport/mmio_option.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

using namespace uk;
using namespace uk::virtio;

namespace {

struct UsedElement {
    u32 id;
    u32 length;
};

// A queue with its memory, and the device's side of it.
class Fixture {
public:
    explicit Fixture(u16 size, bool event_index = false)
        : m_size(size)
        , m_descriptors(SplitVirtqueue::descriptor_table_bytes(size) / 16)
        , m_available(SplitVirtqueue::available_ring_bytes(size) / 2 + 1)
        , m_used(SplitVirtqueue::used_ring_bytes(size) / 4 + 1)
        , m_state(SplitVirtqueue::state_bytes(size) / 8)
    {
        queue.init(size, m_descriptors.data(), m_available.data(), m_used.data(), m_state.data(), event_index);
    }

    SplitVirtqueue queue;

    // Device side.
    u16 available_index() const { return m_available[1]; }
    u16 available_flags() const { return m_available[0]; }
    u16 used_event() const { return m_available[2 + m_size]; }
    u16* used_words() { return reinterpret_cast<u16*>(m_used.data()); }
    void set_used_flags(u16 flags) { used_words()[0] = flags; }
    void set_available_event(u16 value) { reinterpret_cast<u16*>(reinterpret_cast<u8*>(m_used.data()) + 4 + 8 * m_size)[0] = value; }
    void set_used_index(u16 value) { used_words()[1] = value; }
    u16 used_index() { return used_words()[1]; }
    UsedElement& element(u16 index) { return reinterpret_cast<UsedElement*>(reinterpret_cast<u8*>(m_used.data()) + 4)[index % m_size]; }

    struct Chain {
        u16 head;
        std::vector<Descriptor> descriptors;
    };
    // Takes the next available chain, as a device would.
    bool pop(Chain& chain)
    {
        if (m_last_available == available_index())
            return false;
        chain.head = m_available[2 + (m_last_available % m_size)];
        chain.descriptors.clear();
        u16 index = chain.head;
        for (;;) {
            EXPECT_LT(index, m_size);
            const Descriptor& d = m_descriptors[index];
            chain.descriptors.push_back(d);
            if (!(d.flags & k_descriptor_next))
                break;
            index = d.next;
            EXPECT_LE(chain.descriptors.size(), m_size) << "descriptor loop";
        }
        ++m_last_available;
        return true;
    }
    // Returns a chain to the driver.
    void push(u16 head, u32 length)
    {
        element(m_used_index) = { head, length };
        ++m_used_index;
        set_used_index(m_used_index);
    }

private:
    u16 m_size;
    std::vector<Descriptor> m_descriptors;
    std::vector<u16> m_available;
    std::vector<u32> m_used;
    std::vector<u64> m_state;
    u16 m_last_available = 0;
    u16 m_used_index = 0;
};

void* cookie(uintptr_t n) { return reinterpret_cast<void*>(n); }

} // namespace

TEST(SplitVirtqueue, ChainGoesOutAndComesBack)
{
    Fixture f(8);
    u8 header[12], data[100], reply[64];
    Segment segments[] = { { reinterpret_cast<u64>(header), sizeof header }, { reinterpret_cast<u64>(data), sizeof data },
        { reinterpret_cast<u64>(reply), sizeof reply } };
    ASSERT_FALSE(f.queue.add(segments, 2, 1, cookie(42)).is_error());
    EXPECT_EQ(f.queue.free_descriptors(), 5);
    EXPECT_EQ(f.available_index(), 0) << "nothing is visible before publish()";
    EXPECT_TRUE(f.queue.publish());
    EXPECT_EQ(f.available_index(), 1);

    Fixture::Chain chain;
    ASSERT_TRUE(f.pop(chain));
    ASSERT_EQ(chain.descriptors.size(), 3u);
    EXPECT_EQ(chain.descriptors[0].address, reinterpret_cast<u64>(header));
    EXPECT_EQ(chain.descriptors[0].length, 12u);
    EXPECT_EQ(chain.descriptors[0].flags, k_descriptor_next);
    EXPECT_EQ(chain.descriptors[1].flags, k_descriptor_next);
    EXPECT_EQ(chain.descriptors[2].flags, k_descriptor_write);
    EXPECT_EQ(chain.descriptors[2].length, 64u);

    void* taken;
    u32 written;
    EXPECT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Empty);
    f.push(chain.head, 64);
    EXPECT_TRUE(f.queue.has_used());
    ASSERT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Taken);
    EXPECT_EQ(taken, cookie(42));
    EXPECT_EQ(written, 64u);
    EXPECT_EQ(f.queue.free_descriptors(), 8);
    EXPECT_EQ(f.queue.outstanding(), 0);
    EXPECT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Empty);
}

TEST(SplitVirtqueue, FullQueueSaysNoSpaceUntilBuffersComeBack)
{
    Fixture f(4);
    Segment s { 0x1000, 10 };
    Segment two[] = { s, s };
    ASSERT_FALSE(f.queue.add(two, 2, 0, cookie(1)).is_error());
    ASSERT_FALSE(f.queue.add(two, 1, 1, cookie(2)).is_error());
    EXPECT_EQ(f.queue.add(&s, 1, 0, cookie(3)).error_code(), ENOSPC);
    f.queue.publish();
    Fixture::Chain chain;
    ASSERT_TRUE(f.pop(chain));
    f.push(chain.head, 0);
    void* taken;
    u32 written;
    ASSERT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Taken);
    EXPECT_EQ(taken, cookie(1));
    EXPECT_FALSE(f.queue.add(two, 2, 0, cookie(3)).is_error());
}

TEST(SplitVirtqueue, BadArgumentsAreRefused)
{
    Fixture f(4);
    Segment s { 0x1000, 10 };
    EXPECT_EQ(f.queue.add(&s, 0, 0, cookie(1)).error_code(), EINVAL);
    EXPECT_EQ(f.queue.add(&s, 1, 0, nullptr).error_code(), EINVAL);
    Segment huge[] = { { 0x1000, 0xffffffffu }, { 0x2000, 2 } };
    EXPECT_EQ(f.queue.add(huge, 0, 2, cookie(1)).error_code(), EINVAL) << "writable bytes past 4 GiB";
    EXPECT_EQ(f.queue.free_descriptors(), 4);
}

TEST(SplitVirtqueue, OutOfOrderCompletion)
{
    Fixture f(8);
    Segment s { 0x1000, 100 };
    for (uintptr_t i = 1; i <= 3; ++i)
        ASSERT_FALSE(f.queue.add(&s, 0, 1, cookie(i)).is_error());
    f.queue.publish();
    Fixture::Chain chains[3];
    for (auto& c : chains)
        ASSERT_TRUE(f.pop(c));
    f.push(chains[2].head, 3);
    f.push(chains[0].head, 1);
    f.push(chains[1].head, 2);
    for (uintptr_t expected : { 3, 1, 2 }) {
        void* taken;
        u32 written;
        ASSERT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Taken);
        EXPECT_EQ(taken, cookie(expected));
        EXPECT_EQ(written, expected);
    }
}

TEST(SplitVirtqueue, IndexesWrapAround)
{
    Fixture f(4, true);
    Segment segments[] = { { 0x1000, 8 }, { 0x2000, 8 } };
    for (uintptr_t i = 1; i <= 70000; ++i) {
        ASSERT_FALSE(f.queue.add(segments, 1, 1, cookie(i)).is_error()) << i;
        f.queue.publish();
        Fixture::Chain chain;
        ASSERT_TRUE(f.pop(chain));
        f.push(chain.head, 8);
        void* taken;
        u32 written;
        ASSERT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Taken) << i << ": " << f.queue.problem();
        ASSERT_EQ(taken, cookie(i));
    }
    EXPECT_EQ(f.queue.free_descriptors(), 4);
}

TEST(SplitVirtqueue, NotificationFlagIsHonoured)
{
    Fixture f(4);
    Segment s { 0x1000, 8 };
    ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(1)).is_error());
    EXPECT_TRUE(f.queue.publish());
    EXPECT_FALSE(f.queue.publish()) << "nothing new";
    f.set_used_flags(k_used_no_notify);
    ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(2)).is_error());
    EXPECT_FALSE(f.queue.publish());
}

TEST(SplitVirtqueue, EventIndexDecidesNotifications)
{
    Fixture f(8, true);
    Segment s { 0x1000, 8 };
    // The device wants to hear when the available index passes 2 (avail_event = 2).
    f.set_available_event(2);
    ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(1)).is_error());
    EXPECT_FALSE(f.queue.publish()) << "0 -> 1 does not pass 2";
    ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(2)).is_error());
    EXPECT_FALSE(f.queue.publish()) << "1 -> 2 does not pass 2";
    ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(3)).is_error());
    ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(4)).is_error());
    EXPECT_TRUE(f.queue.publish()) << "2 -> 4 passes 2";
}

TEST(SplitVirtqueue, InterruptSuppression)
{
    Fixture plain(4);
    plain.queue.disable_interrupts();
    EXPECT_EQ(plain.available_flags(), k_available_no_interrupt);
    EXPECT_FALSE(plain.queue.enable_interrupts());
    EXPECT_EQ(plain.available_flags(), 0);

    Fixture f(4, true);
    Segment s { 0x1000, 8 };
    ASSERT_FALSE(f.queue.add(&s, 0, 1, cookie(1)).is_error());
    ASSERT_FALSE(f.queue.add(&s, 0, 1, cookie(2)).is_error());
    f.queue.publish();
    Fixture::Chain a, b;
    ASSERT_TRUE(f.pop(a));
    ASSERT_TRUE(f.pop(b));
    f.push(a.head, 1);
    void* taken;
    u32 written;
    ASSERT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Taken);
    EXPECT_EQ(f.used_event(), 1) << "take() asks for an interrupt at the next entry";
    f.queue.disable_interrupts();
    EXPECT_EQ(f.used_event(), 0) << "one behind: passed only after a full wrap";
    f.push(b.head, 1);
    EXPECT_TRUE(f.queue.enable_interrupts()) << "a buffer was used while interrupts were off";
    EXPECT_EQ(f.used_event(), 1);
}

TEST(SplitVirtqueue, CountsWhatTheDeviceHolds)
{
    // What the virtio-net driver decides receive notifications by: buffers added but not yet
    // published, and published ones the device has not used.
    Fixture f(8, true);
    Segment s { 0x1000, 8 };
    for (uintptr_t i = 1; i <= 3; ++i)
        ASSERT_FALSE(f.queue.add(&s, 0, 1, cookie(i)).is_error());
    EXPECT_EQ(f.queue.unpublished(), 3);
    EXPECT_EQ(f.queue.device_held(), 0);
    f.queue.publish();
    EXPECT_EQ(f.queue.unpublished(), 0);
    EXPECT_EQ(f.queue.device_held(), 3);
    Fixture::Chain a;
    ASSERT_TRUE(f.pop(a));
    f.push(a.head, 1);
    EXPECT_EQ(f.queue.device_held(), 2) << "a used buffer counts as given back before it is taken";
    ASSERT_FALSE(f.queue.add(&s, 0, 1, cookie(4)).is_error());
    EXPECT_EQ(f.queue.unpublished(), 1);
    EXPECT_EQ(f.queue.device_held(), 2);
    f.set_used_index(200);
    EXPECT_EQ(f.queue.device_held(), 0) << "a used index past what was published means nothing held";
}

TEST(SplitVirtqueue, ReclaimAllAfterReset)
{
    Fixture f(8);
    Segment s { 0x1000, 8 };
    for (uintptr_t i = 1; i <= 3; ++i)
        ASSERT_FALSE(f.queue.add(&s, 1, 0, cookie(i)).is_error());
    f.queue.publish();
    std::vector<uintptr_t> seen;
    f.queue.reclaim_all([&](void* c) { seen.push_back(reinterpret_cast<uintptr_t>(c)); });
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<uintptr_t> { 1, 2, 3 }));
    EXPECT_EQ(f.queue.free_descriptors(), 8);
    EXPECT_EQ(f.queue.outstanding(), 0);
}

// A device that breaks the protocol: each case must mark the queue broken, say why, and never
// hand out a cookie.
class BrokenDevice : public ::testing::Test {
protected:
    BrokenDevice() : f(8)
    {
        Segment chain[] = { { 0x1000, 16 }, { 0x2000, 32 } };
        EXPECT_FALSE(f.queue.add(chain, 1, 1, cookie(1)).is_error());
        EXPECT_FALSE(f.queue.add(chain, 1, 1, cookie(2)).is_error());
        f.queue.publish();
        EXPECT_TRUE(f.pop(first));
        EXPECT_TRUE(f.pop(second));
    }

    void expect_broken(const char* why)
    {
        void* taken = nullptr;
        u32 written = 0;
        EXPECT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Broken);
        EXPECT_EQ(taken, nullptr);
        EXPECT_TRUE(f.queue.is_broken());
        EXPECT_NE(std::strstr(f.queue.problem(), why), nullptr) << f.queue.problem();
        // Broken for good.
        EXPECT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Broken);
        Segment s { 0x1000, 8 };
        EXPECT_EQ(f.queue.add(&s, 1, 0, cookie(9)).error_code(), EIO);
        EXPECT_FALSE(f.queue.publish());
        EXPECT_FALSE(f.queue.has_used());
    }

    Fixture f;
    Fixture::Chain first, second;
};

TEST_F(BrokenDevice, UsedIndexRunsAhead)
{
    f.element(0) = { first.head, 1 };
    f.set_used_index(3);
    expect_broken("ahead");
}

TEST_F(BrokenDevice, IdOutOfRange)
{
    f.push(8, 1);
    expect_broken("names descriptor 8 of 8");
}

TEST_F(BrokenDevice, IdOfADescriptorInsideAChain)
{
    f.push(static_cast<u16>(first.head + 1), 1);
    expect_broken("does not hold");
}

TEST_F(BrokenDevice, SameBufferTwice)
{
    f.push(first.head, 1);
    void* taken;
    u32 written;
    ASSERT_EQ(f.queue.take(taken, written), SplitVirtqueue::Take::Taken);
    f.push(first.head, 1);
    expect_broken("does not hold");
}

TEST_F(BrokenDevice, LengthPastTheWritableBytes)
{
    f.push(first.head, 33);
    expect_broken("33 bytes were written to a buffer of 32");
}

TEST_F(BrokenDevice, BufferNotYetPublished)
{
    Segment s { 0x3000, 8 };
    ASSERT_FALSE(f.queue.add(&s, 0, 1, cookie(3)).is_error());
    // Descriptor 4 is that buffer's head (0-1 and 2-3 hold the first two chains).
    f.push(4, 1);
    expect_broken("does not hold");
}

TEST(MmioDeviceOption, LinuxSyntax)
{
    MmioDeviceOption o {};
    ASSERT_TRUE(parse_mmio_device_option("512@0xfeb00e00:12", o));
    EXPECT_EQ(o.size, 512u);
    EXPECT_EQ(o.base, 0xfeb00e00u);
    EXPECT_EQ(o.irq, 12u);
    ASSERT_TRUE(parse_mmio_device_option("4K@0xd0000000:5:3", o));
    EXPECT_EQ(o.size, 4096u);
    EXPECT_EQ(o.irq, 5u);
    ASSERT_TRUE(parse_mmio_device_option("1M@4096:0x10", o));
    EXPECT_EQ(o.size, 1u << 20);
    EXPECT_EQ(o.base, 4096u);
    EXPECT_EQ(o.irq, 16u);
}

TEST(MmioDeviceOption, Malformed)
{
    MmioDeviceOption o {};
    for (const char* bad : { "", "512", "512@", "512@0xfeb00e00", "512@0xfeb00e00:", "x@1:2", "512@0xfeb00e00:12x",
             "512@0xfeb00e00:256", "255@0x1000:1", "512@0xfffffffffffffff0:1", "99999999999999999999@0:1",
             "512@0x:1", "16E@0:1", "512@0xfeb00e00:12:" }) {
        EXPECT_FALSE(parse_mmio_device_option(bad, o)) << bad;
    }
}
