// SPDX-License-Identifier: MIT
// File-system start-up.
#include "fs/init.h"

#include "drivers/console.h"
#include "fs/console_file.h"
#include "fs/devices.h"
#include "fs/fd_table.h"
#include "fs/cpio.h"
#include "fs/initrd.h"
#include "fs/inode.h"
#include "fs/system_files.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/runtime_options.h"
#include "lib/verify.h"
#include "mm/frame_allocator.h"

// Defined by the object uksdk_embed_directory() links into the program; absent otherwise.
extern "C" const unsigned char uksdk_embedded_archive_start[] __attribute__((weak));
extern "C" const unsigned char uksdk_embedded_archive_end[] __attribute__((weak));

namespace uk::fs {

namespace {

char g_problem[512];
int g_error;

const char* failed(const char* what, int code)
{
    g_error = code;
    format(g_problem, sizeof(g_problem), "file system: %s (errno %d)", what, code);
    return g_problem;
}

const char* unpack(const char* what, const void* archive, size_t size)
{
    char problem[384];
    if (auto unpacked = unpack_archive(archive, size, problem, sizeof(problem)); unpacked.is_error()) {
        g_error = unpacked.error_code();
        format(g_problem, sizeof(g_problem), "%s: %s", what, problem);
        return g_problem;
    }
    return nullptr;
}

// The archive's own frames stay reserved until it is unpacked (see boot/start.cpp), so the
// unpacked copy needs room besides it: say so plainly instead of failing half-way.
const char* check_room(const void* archive, size_t size)
{
    CpioReader reader(archive, size);
    CpioEntry entry;
    u64 pages = 0;
    for (;;) {
        auto more = reader.next(entry);
        if (more.is_error() || !more.value())
            break; // Unpacking reports a corrupt archive with the details.
        // Data pages, plus a page's worth of inode, entry and tree nodes per entry at worst.
        pages += align_up(entry.size, k_page_size) / k_page_size + 1;
    }
    if (pages > mm::uncommitted_frames()) {
        g_error = ENOMEM;
        format(g_problem, sizeof(g_problem),
            "initrd: unpacking this %zu KiB archive needs about %lu KiB of memory, but only %lu KiB are free "
            "(give the machine more memory with uk-run -m)",
            size >> 10, pages * (k_page_size >> 10), mm::uncommitted_frames() * (k_page_size >> 10));
        return g_problem;
    }
    return nullptr;
}

// The standard tree: the directories every program may expect, /dev, /etc and /proc.
const char* create_standard_tree(const char* program_name)
{
    if (auto r = create_standard_directories(); r.is_error())
        return failed("cannot create the standard directories", r.error_code());
    if (auto r = create_devices(); r.is_error())
        return failed("cannot create /dev", r.error_code());
    if (auto r = create_etc_files(); r.is_error())
        return failed("cannot create /etc", r.error_code());
    if (auto r = create_proc_files(program_name); r.is_error())
        return failed("cannot create /proc", r.error_code());
    return nullptr;
}

// Without an archive to unpack over it, the standard tree is built when the program first uses
// a path (vfs.h defer_tree): under TCG building it is a few milliseconds of boot, mostly the
// translation of code that runs once, which a program that opens no file never needs. The
// frames it takes are committed at boot so that the program cannot use them up first, and its
// inputs are those of boot: the timestamps, the umask, the host name (sethostname builds the
// tree before it changes the name).
constexpr u64 k_deferred_tree_pages = 32; // It takes 10 (measured).

const char* g_program_name;
i64 g_boot_time_ns;
void (*g_on_failure)(const char* problem);

void build_deferred()
{
    mm::uncommit(k_deferred_tree_pages);
    set_fixed_time_ns(g_boot_time_ns);
    u32 umask = set_umask(k_default_umask);
    const char* problem = create_standard_tree(g_program_name);
    set_umask(umask);
    set_fixed_time_ns(0);
    if (problem) {
        g_on_failure(problem);
        VERIFY_NOT_REACHED();
    }
}

} // namespace

int init_error() { return g_error; }

const char* init(const mm::MemoryRange* modules, size_t module_count, const char* program_name,
    void (*on_failure)(const char* problem))
{
    console::set_input_framing(runtime_options().stdin_framed);
    if (!create_root())
        return failed("no memory for the root directory", ENOMEM);
    bool embedded = uksdk_embedded_archive_start && +uksdk_embedded_archive_end > +uksdk_embedded_archive_start;
    bool modules_present = false;
    for (size_t i = 0; i < module_count; ++i)
        modules_present |= modules[i].length != 0;
    if (!embedded && !modules_present && mm::commit(k_deferred_tree_pages)) {
        g_program_name = program_name;
        g_on_failure = on_failure;
        g_boot_time_ns = now_ns();
        defer_tree(build_deferred);
    } else if (const char* problem = create_standard_tree(program_name)) {
        return problem;
    }

    if (embedded) {
        if (const char* problem = unpack("embedded tree", uksdk_embedded_archive_start,
                static_cast<size_t>(uksdk_embedded_archive_end - uksdk_embedded_archive_start)))
            return problem;
    }
    for (size_t i = 0; i < module_count; ++i) {
        const mm::MemoryRange& module = modules[i];
        if (module.length == 0)
            continue;
        if (const char* problem = check_room(reinterpret_cast<const void*>(module.base), module.length))
            return problem;
        if (const char* problem = unpack("initrd", reinterpret_cast<const void*>(module.base), module.length))
            return problem;
    }

    u32 terminals = terminal_streams();
    const struct {
        ConsoleRole role;
        u32 flags;
    } streams[] = { { ConsoleRole::Input, k_o_rdonly }, { ConsoleRole::Output, k_o_wronly }, { ConsoleRole::Error, k_o_wronly } };
    for (int fd = 0; fd < 3; ++fd) {
        auto console = open_console(streams[fd].role, streams[fd].flags, terminals & (1u << fd));
        if (console.is_error())
            return failed("no memory for the standard streams", console.error_code());
        if (auto r = install_at(fd, console.value(), 0); r.is_error())
            return failed("cannot install the standard streams", r.error_code());
    }
    return nullptr;
}

}
