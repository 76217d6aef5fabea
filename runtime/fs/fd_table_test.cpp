// SPDX-License-Identifier: MIT
// The descriptor table: lowest-free allocation, dup and dup2 sharing one description (with
// close-on-exec per descriptor), EMFILE and EBADF, closing a descriptor while another thread
// still uses its description, and releases that use the table (no reference is dropped under the
// table's lock).
#include "host/threads.h"

#include "fs/fd_table.h"
#include "fs/pipe.h"
#include "host/test_descriptions.h"
#include "sched/signal.h"

#include <vector>

namespace {

using namespace uk;
using namespace uk::fs;
using namespace uk::host;

class FdTableTest : public MachineTest {
protected:
    void TearDown() override
    {
        EXPECT_EQ(open_count(), 0) << "a test left descriptors open";
        MachineTest::TearDown();
    }
};

int error_of(Result<void> r) { return r.is_error() ? r.error_code() : 0; }

TEST_F(FdTableTest, InstallTakesTheLowestFreeDescriptor)
{
    int released = 0;
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0).value(), 0);
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0).value(), 1);
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0).value(), 2);
    EXPECT_EQ(error_of(fs::close(1)), 0);
    EXPECT_EQ(released, 1);
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0).value(), 1);
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0, 10).value(), 10) << "F_DUPFD's minimum";
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0, 3).value(), 3);
    EXPECT_EQ(open_count(), 5);
    for (int fd : { 0, 1, 2, 3, 10 })
        EXPECT_EQ(error_of(fs::close(fd)), 0);
    EXPECT_EQ(released, 6);
}

TEST_F(FdTableTest, DupSharesTheDescriptionButNotCloseOnExec)
{
    int released = 0;
    int fd = install(make_test_file(DescriptionKind::Socket, &released), k_fd_cloexec).value();
    FileDescription* description = get(fd).value(); // A reference for the duplicate.
    int copy = install(description, 0).value();
    EXPECT_NE(copy, fd);
    EXPECT_EQ(fd_flags(fd).value(), k_fd_cloexec);
    EXPECT_EQ(fd_flags(copy).value(), 0u);
    FileDescription* seen = get(copy).value();
    EXPECT_EQ(seen, description);
    seen->unref();
    description->set_status_flags(k_o_nonblock); // Status flags belong to the description.
    DescriptionRef through_fd(get(fd).value());
    EXPECT_TRUE(through_fd->is_nonblocking());

    EXPECT_EQ(error_of(fs::close(fd)), 0);
    EXPECT_EQ(released, 0) << "the duplicate still refers to it";

    // dup2 onto the duplicate's number drops the last descriptor reference; ours keeps it.
    int other_released = 0;
    EXPECT_EQ(error_of(install_at(copy, make_test_file(DescriptionKind::Socket, &other_released), k_fd_cloexec)), 0);
    EXPECT_EQ(released, 0);
    EXPECT_EQ(fd_flags(copy).value(), k_fd_cloexec);
    EXPECT_EQ(error_of(fs::close(copy)), 0);
    EXPECT_EQ(other_released, 1);
    EXPECT_EQ(error_of(install_at(-1, make_test_file(DescriptionKind::Socket, &other_released), 0)), EBADF);
    EXPECT_EQ(other_released, 2) << "a refused install drops the reference it was given";
}

TEST_F(FdTableTest, BadDescriptorsAndAFullTable)
{
    EXPECT_EQ(get(-1).error_code(), EBADF);
    EXPECT_EQ(get(k_max_descriptors).error_code(), EBADF);
    EXPECT_EQ(get(5).error_code(), EBADF);
    EXPECT_EQ(error_of(fs::close(5)), EBADF);
    EXPECT_EQ(fd_flags(5).error_code(), EBADF);
    EXPECT_EQ(error_of(set_fd_flags(5, k_fd_cloexec)), EBADF);

    int released = 0;
    int limit = descriptor_limit();
    for (int i = 0; i < limit; ++i)
        ASSERT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0).value(), i);
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0).error_code(), EMFILE);
    EXPECT_EQ(released, 1) << "the refused description was dropped";
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0, limit).error_code(), EMFILE);
    EXPECT_EQ(install(make_test_file(DescriptionKind::Socket, &released), 0, -1).error_code(), EINVAL);
    EXPECT_EQ(released, 3);
    for (int i = 0; i < limit; ++i)
        ASSERT_EQ(error_of(fs::close(i)), 0);
    EXPECT_EQ(released, 3 + limit);
}

// A thread blocked in read() holds a reference on the description; another thread closes the
// descriptor. The number is free at once, the description lives until the reader is done, and
// only then does the pipe lose its reader.
TEST_F(FdTableTest, CloseWhileAnotherThreadUsesTheDescription)
{
    FileDescription* ends[2];
    ASSERT_FALSE(create_pipe(ends, 0).is_error());
    int rfd = install(ends[0], 0).value();
    int wfd = install(ends[1], 0).value();
    long got = -1;
    char buffer[16] = {};
    ProgramThread reader([&] {
        auto file = get(rfd);
        ASSERT_FALSE(file.is_error());
        DescriptionRef ref(file.value());
        auto r = in_runtime([&] { return ref->read(buffer, sizeof(buffer)); });
        got = r.is_error() ? -r.error_code() : static_cast<long>(r.value());
    });
    sched::yield(); // Blocked in read.
    EXPECT_EQ(error_of(fs::close(rfd)), 0);
    int reused = install(make_test_file(), 0).value();
    EXPECT_EQ(reused, rfd) << "the number is free at once";
    DescriptionRef writer(get(wfd).value());
    EXPECT_EQ(writer->readiness() & k_poll_err, 0u) << "the reader's description still lives";
    EXPECT_EQ(in_runtime([&] { return writer->write("hello", 5); }).value(), 5u);
    reader.join();
    EXPECT_EQ(got, 5);
    EXPECT_STREQ(buffer, "hello");
    EXPECT_NE(writer->readiness() & k_poll_err, 0u) << "the last reference went with the reader";
    EXPECT_EQ(error_of(fs::close(reused)), 0);
    EXPECT_EQ(error_of(fs::close(wfd)), 0);
}

// A description whose release() uses the descriptor table, as releasing a description can (an
// AF_UNIX socket's queued SCM_RIGHTS messages close what they carry): close, dup2 and a refused
// install drop their reference after letting go of the table's lock, or the table would be taken
// again by the CPU holding it (the host's spin_wait() reports that).
class TableUsingFile final : public FileDescription {
public:
    TableUsingFile(int* closed) : FileDescription(DescriptionKind::Socket, k_o_rdwr), m_closed(closed) {}
    int carried = -1; // A descriptor the release closes.

protected:
    void release() override
    {
        if (carried >= 0 && !fs::close(carried).is_error())
            ++*m_closed;
    }

private:
    int* m_closed;
};

TEST_F(FdTableTest, ReleaseMayUseTheTable)
{
    int closed = 0;
    int released = 0;
    auto* first = make<TableUsingFile>(&closed);
    int fd = install(first, 0).value();
    first->carried = install(make_test_file(DescriptionKind::Socket, &released), 0).value();
    EXPECT_EQ(error_of(fs::close(fd)), 0);
    EXPECT_EQ(closed, 1) << "close";
    EXPECT_EQ(released, 1);

    auto* second = make<TableUsingFile>(&closed);
    fd = install(second, 0).value();
    second->carried = install(make_test_file(DescriptionKind::Socket, &released), 0).value();
    EXPECT_EQ(error_of(install_at(fd, make_test_file(DescriptionKind::Socket, &released), 0)), 0);
    EXPECT_EQ(closed, 2) << "dup2 over it";
    EXPECT_EQ(error_of(fs::close(fd)), 0);
    EXPECT_EQ(released, 3);

    auto* third = make<TableUsingFile>(&closed);
    third->carried = install(make_test_file(DescriptionKind::Socket, &released), 0).value();
    EXPECT_EQ(install(third, 0, -1).error_code(), EINVAL);
    EXPECT_EQ(closed, 3) << "a refused install";
    EXPECT_EQ(released, 4);
}

// The reference count is atomic (calls without the RuntimeLock take and drop references): a
// description outlives any number of get()s until each is matched, whatever the order.
TEST_F(FdTableTest, ReferencesFromGetOutliveTheDescriptor)
{
    int released = 0;
    int fd = install(make_test_file(DescriptionKind::Socket, &released), 0).value();
    std::vector<FileDescription*> held;
    for (int i = 0; i < 100; ++i)
        held.push_back(get(fd).value());
    EXPECT_EQ(error_of(fs::close(fd)), 0);
    EXPECT_EQ(get(fd).error_code(), EBADF);
    for (FileDescription* d : held) {
        EXPECT_EQ(released, 0);
        d->unref();
    }
    EXPECT_EQ(released, 1);
}

}
