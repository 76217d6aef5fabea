// SPDX-License-Identifier: MIT
// Console descriptions. Whether a console descriptor is a terminal is decided by the runner,
// which knows whether its own stdin/stdout/stderr are terminals (uk.tty=...); a program whose
// output goes to a file must see isatty(1) == 0 so that stdio buffers fully, as on Linux.
#include "fs/console_file.h"

#include "arch/arch.h"
#include "drivers/console.h"
#include "lib/intrusive_list.h"
#include "fs/inode.h"
#include "lib/linux/ioctl.h"
#include "lib/linux/process.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"

namespace uk::fs {

namespace {

// struct termios as the kernel's TCGETS writes it.
struct KernelTermios {
    u32 iflag, oflag, cflag, lflag;
    u8 line;
    u8 cc[19];
};
static_assert(sizeof(KernelTermios) == 36);

// What a Linux terminal reports in its default cooked mode: ICRNL|IXON, OPOST|ONLCR,
// B38400|CS8|CREAD, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN.
KernelTermios g_termios = { 0x500, 0x5, 0xbf, 0x8a3b, 0,
    { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0 } };
u16 g_window[4] = { 24, 80, 0, 0 };

// ioctl arguments point into the program's memory.
Result<void> put(long address, const void* value, size_t size)
{
    if (!mm::is_user_range(static_cast<u64>(address), size, true))
        return error(EFAULT);
    copy_bytes(reinterpret_cast<void*>(address), value, size);
    return {};
}

Result<void> get(void* value, long address, size_t size)
{
    if (!mm::is_user_range(static_cast<u64>(address), size, false))
        return error(EFAULT);
    copy_bytes(value, reinterpret_cast<const void*>(address), size);
    return {};
}

class Console;
// The descriptions that read console input, told by the driver when input arrives.
IntrusiveList<Console> g_readers;

bool reads_input(ConsoleRole role) { return role == ConsoleRole::Input || role == ConsoleRole::Terminal; }

void input_arrived();

class Console final : public FileDescription, public ListLink<> {
public:
    Console(ConsoleRole role, u32 flags, bool terminal, Inode* inode)
        : FileDescription(DescriptionKind::Console, flags,
              reads_input(role) ? sched::WakeSource::External : sched::WakeSource::ProgramThreads)
        , m_role(role)
        , m_terminal(terminal)
        , m_inode(inode)
    {
        if (reads_input(role)) {
            sched::SchedulerGuard guard;
            static bool s_listening;
            if (!s_listening) {
                console::set_input_listener(input_arrived);
                s_listening = true;
            }
            g_readers.push_back(*this);
        }
    }

    Result<size_t> read(void* buffer, size_t length) override
    {
        if (m_role == ConsoleRole::Output || m_role == ConsoleRole::Error)
            return error(EBADF);
        return console::read(buffer, length, is_nonblocking());
    }

    Result<size_t> write(const void* buffer, size_t length) override
    {
        return console::write(m_role == ConsoleRole::Error ? console::Stream::Error : console::Stream::Output,
            static_cast<const char*>(buffer), length);
    }

    Result<long> ioctl(unsigned long request, long argument) override
    {
        switch (request) {
        case k_fionread: {
            int pending = static_cast<int>(console::input_pending());
            TRY(put(argument, &pending, sizeof(pending)));
            return 0;
        }
        case k_fionbio: {
            int on;
            TRY(get(&on, argument, sizeof(on)));
            set_status_flags(on ? status_flags() | k_o_nonblock : status_flags() & ~k_o_nonblock);
            return 0;
        }
        default:
            break;
        }
        if (!m_terminal)
            return error(ENOTTY);
        switch (request) {
        case k_tcgets:
            TRY(put(argument, &g_termios, sizeof(g_termios)));
            return 0;
        case k_tcsets:
        case k_tcsetsw:
        case k_tcsetsf:
            // Accepted and remembered; the line discipline itself is the host terminal's.
            TRY(get(&g_termios, argument, sizeof(g_termios)));
            return 0;
        case k_tiocgwinsz:
            TRY(put(argument, g_window, sizeof(g_window)));
            return 0;
        case k_tiocswinsz:
            TRY(get(g_window, argument, sizeof(g_window)));
            return 0;
        case k_tiocgpgrp: {
            int group = k_process_id;
            TRY(put(argument, &group, sizeof(group)));
            return 0;
        }
        case k_tiocspgrp:
        case k_tiocsctty:
        case k_tiocnotty:
        case k_tcflsh:
        case k_tcxonc:
        case k_tcsbrk:
            return 0;
        default:
            return error(EINVAL);
        }
    }

    Result<void> stat(Stat& out) override
    {
        if (m_inode) {
            stat_inode(*m_inode, out);
            return {};
        }
        fill_bytes(&out, 0, sizeof(out));
        out.mode = k_mode_char_device | 0620;
        out.rdev = (136 << 8) | 0; // /dev/pts/0, like a terminal's standard streams.
        out.dev = 0x16;
        out.ino = 3;
        out.nlink = 1;
        out.blksize = 1024;
        if (!m_terminal) {
            // Redirected streams are pipes from the program's point of view.
            out.mode = k_mode_fifo | 0600;
            out.rdev = 0;
            out.blksize = k_page_size;
        }
        return {};
    }

    Result<void> sync() override { return error(EINVAL); }
    Inode* inode() override { return m_inode; }
    bool is_terminal() const override { return m_terminal; }

    u32 readiness() override
    {
        u32 events = k_poll_out | k_poll_wrnorm;
        if (reads_input(m_role) && console::input_ready())
            events |= k_poll_in | k_poll_rdnorm;
        return events;
    }

protected:
    void release() override
    {
        if (reads_input(m_role)) {
            sched::SchedulerGuard guard;
            IntrusiveList<Console>::remove(*this);
        }
        if (m_inode)
            fs::unref(*m_inode);
    }

private:
    ConsoleRole m_role;
    bool m_terminal;
    Inode* m_inode;
};

void input_arrived()
{
    g_readers.for_each([](Console& console) { console.notify_readiness(); });
}

} // namespace

Result<FileDescription*> open_console(ConsoleRole role, u32 flags, bool terminal, Inode* inode)
{
    auto* console = make<Console>(role, flags, terminal, inode);
    if (!console) {
        if (inode)
            fs::unref(*inode);
        return error(ENOMEM);
    }
    return static_cast<FileDescription*>(console);
}

}
