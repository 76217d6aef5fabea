// SPDX-License-Identifier: MIT
// Descriptions and observers for tests of the readiness machinery: a description whose readiness a
// test sets (and which counts how often it is asked), and an observer that records notifications.
#pragma once

#include "fs/file_description.h"
#include "mm/kmalloc.h"

#include <utility>
#include <vector>

namespace uk::host {

// Made with make<TestFile>() (unref() frees it with kfree).
class TestFile final : public fs::FileDescription {
public:
    explicit TestFile(fs::DescriptionKind kind = fs::DescriptionKind::Socket, int* released = nullptr,
        sched::WakeSource source = sched::WakeSource::ProgramThreads)
        : FileDescription(kind, fs::k_o_rdwr, source)
        , m_released(released)
    {
    }
    u32 readiness() override
    {
        ++asked;
        return ready;
    }
    // Changes the readiness and notifies as a description does.
    void set_ready(u32 events, u32 hint)
    {
        ready = events;
        notify_readiness(hint);
    }

    u32 ready = 0;
    u64 asked = 0;

protected:
    void release() override
    {
        if (m_released)
            ++*m_released;
    }

private:
    int* m_released;
};

inline TestFile* make_test_file(fs::DescriptionKind kind = fs::DescriptionKind::Socket, int* released = nullptr,
    sched::WakeSource source = sched::WakeSource::ProgramThreads)
{
    return make<TestFile>(kind, released, source);
}

class RecordingObserver final : public fs::ReadinessObserver {
public:
    void readiness_changed(fs::FileDescription& description, u32 events) override
    {
        notifications.emplace_back(&description, events);
    }
    void description_released(fs::FileDescription& description) override { released.push_back(&description); }

    std::vector<std::pair<fs::FileDescription*, u32>> notifications;
    std::vector<fs::FileDescription*> released;
};

}
