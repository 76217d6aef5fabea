// SPDX-License-Identifier: MIT
// Character devices. Device numbers are Linux's (mem 1:3, 1:5, 1:7, 1:8, 1:9; tty 5:0, 5:1)
// so that programs checking st_rdev recognise them. /dev/stdin, /dev/stdout and /dev/stderr
// are devices of their own here (Linux makes them symlinks into /proc/self/fd): opening one
// shares the description of descriptor 0, 1 or 2, which is what a program writing to
// /dev/stdout after a dup2 redirection expects.
#include "fs/devices.h"

#include "arch/arch.h"
#include "fs/chacha20.h"
#include "fs/console_file.h"
#include "fs/fd_table.h"
#include "fs/file_description.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/runtime_options.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/clock.h"

namespace uk::fs {

namespace {

enum class Kind { Null, Zero, Full, Random };

Csprng g_random;

class MemoryDevice final : public FileDescription {
public:
    MemoryDevice(Inode& inode, u32 flags, Kind kind) : FileDescription(DescriptionKind::Device, flags), m_inode(inode), m_kind(kind) {}

    Result<size_t> read(void* buffer, size_t length) override { return pread(buffer, length, 0); }
    Result<size_t> write(const void* buffer, size_t length) override { return pwrite(buffer, length, 0); }

    Result<size_t> pread(void* buffer, size_t length, u64) override
    {
        switch (m_kind) {
        case Kind::Null:
            return static_cast<size_t>(0);
        case Kind::Zero:
        case Kind::Full:
            fill_bytes(buffer, 0, length);
            return length;
        case Kind::Random:
            g_random.fill(buffer, length);
            return length;
        }
        return static_cast<size_t>(0);
    }

    Result<size_t> pwrite(const void* buffer, size_t length, u64) override
    {
        if (m_kind == Kind::Full)
            return error(ENOSPC);
        if (m_kind == Kind::Random)
            g_random.add_entropy(buffer, length < 64 ? length : 64);
        return length;
    }

    // lseek on these devices succeeds and leaves the position at 0, as on Linux.
    Result<u64> seek(i64, Whence) override { return static_cast<u64>(0); }
    Result<void> truncate(u64) override { return {}; }
    Result<void> sync() override { return {}; }
    Inode* inode() override { return &m_inode; }

protected:
    void release() override { fs::unref(m_inode); }

private:
    Inode& m_inode;
    Kind m_kind;
};

template<Kind kind>
Result<FileDescription*> open_memory(Inode& inode, u32 flags)
{
    auto* device = make<MemoryDevice>(inode, flags, kind);
    if (!device) {
        unref(inode);
        return error(ENOMEM);
    }
    return static_cast<FileDescription*>(device);
}

Result<FileDescription*> open_terminal(Inode& inode, u32 flags)
{
    bool terminal = terminal_streams() & 3;
    return open_console(ConsoleRole::Terminal, flags, terminal, &inode);
}

template<int fd>
Result<FileDescription*> open_standard(Inode& inode, u32 flags)
{
    unref(inode);
    auto description = get(fd);
    if (description.is_error())
        return error(ENXIO);
    // A redirected stream that is a file is opened anew, with an offset of its own, as Linux's
    // reopening of /proc/self/fd/N does; consoles and pipes are shared.
    Inode* target = description.value()->inode();
    if (target && (target->is_regular() || target->is_directory())) {
        description.value()->unref();
        ref(*target);
        return open_inode_description(*target, flags);
    }
    return description.value();
}

const DeviceDriver k_null { "null", open_memory<Kind::Null> };
const DeviceDriver k_zero { "zero", open_memory<Kind::Zero> };
const DeviceDriver k_full { "full", open_memory<Kind::Full> };
const DeviceDriver k_random { "random", open_memory<Kind::Random> };
const DeviceDriver k_urandom { "urandom", open_memory<Kind::Random> };
const DeviceDriver k_tty { "tty", open_terminal };
const DeviceDriver k_console { "console", open_terminal };
const DeviceDriver k_stdin { "stdin", open_standard<0> };
const DeviceDriver k_stdout { "stdout", open_standard<1> };
const DeviceDriver k_stderr { "stderr", open_standard<2> };

struct DeviceNode {
    const DeviceDriver* driver;
    u32 number;
    u32 permissions;
};

const DeviceNode k_nodes[] = {
    { &k_null, device_number(1, 3), 0666 },
    { &k_zero, k_dev_zero, 0666 },
    { &k_full, device_number(1, 7), 0666 },
    { &k_random, device_number(1, 8), 0666 },
    { &k_urandom, device_number(1, 9), 0666 },
    { &k_tty, device_number(5, 0), 0666 },
    { &k_console, device_number(5, 1), 0600 },
    // Private major numbers (Linux's "local/experimental use" range 240-254).
    { &k_stdin, device_number(240, 0), 0620 },
    { &k_stdout, device_number(240, 1), 0620 },
    { &k_stderr, device_number(240, 2), 0620 },
};

void seed_random()
{
    u64 words[8];
    bool hardware = true;
    for (u64& word : words) {
        if (!arch::hardware_random(word)) {
            hardware = false;
            word = 0;
        }
    }
    if (!hardware) {
        // No RDSEED/RDRAND (-cpu qemu64): the clocks are all there is. Say so, since the output
        // is then predictable.
        printk("uk: warning: the CPU has no RDRAND/RDSEED; /dev/urandom is seeded from the clocks only\n");
        words[0] ^= arch::read_timestamp();
        words[1] ^= clock::realtime_ns();
    }
    g_random.add_entropy(words, sizeof(words));
    fill_bytes(words, 0, sizeof(words));
}

} // namespace

u32 terminal_streams() { return runtime_options().terminal_streams; }

Result<void> create_devices()
{
    seed_random();
    Inode* dev = TRY(make_directories("/dev"));
    for (const DeviceNode& node : k_nodes) {
        char path[32];
        format(path, sizeof(path), "/dev/%s", node.driver->name);
        Inode* inode = TRY(create_node(root(), path, k_mode_char_device | node.permissions, node.number));
        inode->mode = k_mode_char_device | node.permissions; // Not subject to the umask.
        inode->driver = node.driver;
    }
    (void)dev;
    TRY(make_directories("/dev/shm"));
    TRY(make_directories("/dev/pts"));
    return {};
}

Result<FileDescription*> open_device(Inode& inode, u32 flags)
{
    if (!inode.driver) {
        unref(inode);
        return error(ENXIO);
    }
    return inode.driver->open(inode, flags);
}

}
