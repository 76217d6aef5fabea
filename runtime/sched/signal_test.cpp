// SPDX-License-Identifier: MIT
// Signals on the fake machine, as far as the host can take them: a signal ends another thread's
// blocking call with EINTR and its handler runs at the system call's exit (SA_RESTART decides
// whether the call restarts), blocked signals wait, sigtimedwait-style waits, process-directed
// signals pick a thread that does not block them, and delivery at an interrupt's return to
// program code through a signal frame.
#include "host/threads.h"

#include "fs/pipe.h"
#include "sched/locks.h"
#include "sched/signal.h"

namespace {

using namespace uk;
using namespace uk::host;
using namespace uk::sched;

constexpr u64 k_ms = 1'000'000;

int g_handled;
int g_last_signal;
u64 g_mask_in_handler;

void count_handler(int signal)
{
    ++g_handled;
    g_last_signal = signal;
    g_mask_in_handler = blocked_signals();
}

void info_handler(int signal, void* info, void* context)
{
    EXPECT_NE(info, nullptr);
    EXPECT_NE(context, nullptr);
    count_handler(signal);
}

class SignalTest : public MachineTest {
protected:
    void SetUp() override
    {
        MachineTest::SetUp();
        g_handled = 0;
        g_last_signal = 0;
        g_mask_in_handler = 0;
    }
    void TearDown() override
    {
        SignalAction default_action {};
        for (int s : { k_sigusr1, k_sigusr2 })
            EXPECT_FALSE(set_signal_action(s, &default_action, nullptr).is_error());
        EXPECT_EQ(blocked_signals(), 0u);
        MachineTest::TearDown();
    }
    static void handle(int signal, u64 flags, void* handler = reinterpret_cast<void*>(count_handler))
    {
        SignalAction action { reinterpret_cast<uptr>(handler), flags, 0, 0 };
        ASSERT_FALSE(set_signal_action(signal, &action, nullptr).is_error());
    }
};

// A reader blocked on an empty pipe, then what a system call's exit does with its signals.
struct BlockedReader {
    fs::FileDescription* ends[2] {};
    int error = 0;
    bool restart = false;
    BlockedReader() { VERIFY(!fs::create_pipe(ends, 0).is_error()); }
    ~BlockedReader()
    {
        ends[0]->unref();
        ends[1]->unref();
    }
    void run()
    {
        char byte;
        auto r = in_runtime([&] { return ends[0]->read(&byte, 1); });
        error = r.is_error() ? r.error_code() : 0;
        restart = deliver_at_system_call_exit(0);
    }
};

TEST_F(SignalTest, SignalEndsAnotherThreadsBlockingCallAndItsHandlerRunsAtTheExit)
{
    handle(k_sigusr1, 0);
    BlockedReader reader;
    ProgramThread thread([&] { reader.run(); });
    sched::yield();
    ASSERT_FALSE(send_signal_to_thread(thread.tid(), k_sigusr1).is_error());
    thread.join();
    EXPECT_EQ(reader.error, EINTR);
    EXPECT_EQ(g_handled, 1);
    EXPECT_EQ(g_last_signal, k_sigusr1);
    EXPECT_TRUE(g_mask_in_handler & signal_bit(k_sigusr1)) << "the signal is blocked while its handler runs";
    EXPECT_FALSE(reader.restart) << "no SA_RESTART";
}

TEST_F(SignalTest, SaRestartLetsTheCallStartAgain)
{
    handle(k_sigusr1, k_sa_restart);
    BlockedReader reader;
    ProgramThread thread([&] { reader.run(); });
    sched::yield();
    ASSERT_FALSE(send_signal_to_thread(thread.tid(), k_sigusr1).is_error());
    thread.join();
    EXPECT_EQ(reader.error, EINTR);
    EXPECT_TRUE(reader.restart);
}

TEST_F(SignalTest, BlockedSignalsWaitAndSigtimedwaitTakesThem)
{
    handle(k_sigusr1, 0);
    bool slept_through = false;
    int waited = 0;
    ProgramThread thread([&] {
        ASSERT_FALSE(change_signal_mask(MaskChange::Block, signal_bit(k_sigusr1)).is_error());
        slept_through = in_runtime([] { return sleep_until(machine::now_ns() + 5 * k_ms); });
        EXPECT_TRUE(pending_signals() & signal_bit(k_sigusr1));
        EXPECT_EQ(take_pending_signal(signal_bit(k_sigusr1)), k_sigusr1);
        // sigtimedwait: the signal is blocked, and its arrival ends the wait.
        WaitResult r = in_runtime([] {
            sched::SchedulerGuard guard;
            return block_for_signal_locked(signal_bit(k_sigusr1), 0);
        });
        EXPECT_EQ(r, WaitResult::Ready);
        waited = take_pending_signal(signal_bit(k_sigusr1));
    });
    sched::yield();
    ASSERT_FALSE(send_signal_to_thread(thread.tid(), k_sigusr1).is_error());
    machine::run_for(6 * k_ms); // The sleeper is not interrupted.
    sched::yield();
    ASSERT_FALSE(send_signal_to_thread(thread.tid(), k_sigusr1).is_error());
    thread.join();
    EXPECT_TRUE(slept_through);
    EXPECT_EQ(waited, k_sigusr1);
    EXPECT_EQ(g_handled, 0);
}

TEST_F(SignalTest, ProcessSignalGoesToAThreadThatDoesNotBlockIt)
{
    handle(k_sigusr1, 0);
    ASSERT_FALSE(change_signal_mask(MaskChange::Block, signal_bit(k_sigusr1)).is_error());
    bool slept_through = true;
    ProgramThread thread([&] {
        ASSERT_FALSE(change_signal_mask(MaskChange::Unblock, signal_bit(k_sigusr1)).is_error());
        slept_through = in_runtime([] { return sleep_until(machine::now_ns() + 1000 * k_ms); });
        deliver_at_system_call_exit(0);
    });
    sched::yield();
    u64 start = machine::now_ns();
    ASSERT_FALSE(send_signal_to_process(k_sigusr1).is_error());
    thread.join();
    EXPECT_FALSE(slept_through);
    EXPECT_EQ(machine::now_ns(), start);
    EXPECT_EQ(g_handled, 1);
    EXPECT_EQ(pending_signals(), 0u) << "main, which blocks it, did not get it";
    ASSERT_FALSE(change_signal_mask(MaskChange::Set, 0).is_error());
}

// Program code that never enters the runtime still gets its signals: at the return of an
// interrupt, the runtime builds a signal frame and redirects the return into the handler; the
// handler's return restores the mask (rt_sigreturn).
TEST_F(SignalTest, InterruptReturnDeliversToProgramCode)
{
    handle(k_sigusr2, k_sa_siginfo, reinterpret_cast<void*>(info_handler));
    struct Device {
        static void on_interrupt(void*) {}
    };
    u8 vector = arch::register_msi(Device::on_interrupt, nullptr).value().vector;
    u64 frames = machine::signal_frames_run();
    EXPECT_FALSE(in_runtime([] { return raise_signal(k_sigusr2); }).is_error()); // Pending: no system-call exit.
    EXPECT_EQ(g_handled, 0);
    machine::raise(vector);
    EXPECT_EQ(g_handled, 1);
    EXPECT_EQ(g_last_signal, k_sigusr2);
    EXPECT_TRUE(g_mask_in_handler & signal_bit(k_sigusr2));
    EXPECT_EQ(machine::signal_frames_run(), frames + 1);
    EXPECT_EQ(blocked_signals(), 0u) << "rt_sigreturn restored the mask";
    EXPECT_EQ(pending_signals(), 0u);
}

}
