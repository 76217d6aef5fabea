// SPDX-License-Identifier: MIT
// Generated system files. /etc files are ordinary ramfs files written at boot (an initrd may
// replace them); /proc files are synthetic: their content is produced when they are opened, so
// /proc/meminfo shows the memory of that moment.
#include "fs/system_files.h"

#include "arch/arch.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/page_tree.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/runtime_options.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"
#include "mm/kmalloc.h"
#include "sched/clock.h"
#include "sched/scheduler.h"

namespace uk::fs {

namespace {

Result<void> write_text(const char* path, const char* text, u32 mode = 0644)
{
    Inode* inode = TRY(write_file(path, text, string_length(text), mode));
    inode->mode = k_mode_regular | mode;
    return {};
}

Result<void> make_directory(const char* path, u32 mode)
{
    Inode* inode = TRY(make_directories(path));
    inode->mode = k_mode_directory | mode;
    return {};
}

size_t generate_meminfo(char* buffer, size_t capacity)
{
    u64 total = mm::total_frames() * 4;
    u64 free = mm::free_frames() * 4;
    u64 available = mm::uncommitted_frames() * 4;
    u64 files = PageTree::total_data_pages() * 4;
    u64 runtime_heap = kernel_heap_pages() * 4;
    return format(buffer, capacity,
        "MemTotal:       %8lu kB\n"
        "MemFree:        %8lu kB\n"
        "MemAvailable:   %8lu kB\n"
        "Buffers:        %8lu kB\n"
        "Cached:         %8lu kB\n"
        "SwapCached:     %8lu kB\n"
        "Shmem:          %8lu kB\n"
        "Slab:           %8lu kB\n"
        "SwapTotal:      %8lu kB\n"
        "SwapFree:       %8lu kB\n",
        total, free, available, 0ul, files, 0ul, files, runtime_heap, 0ul, 0ul);
}

// One entry per CPU that runs threads, as many as the page holds (16 or more).
size_t generate_cpuinfo(char* buffer, size_t capacity)
{
    char brand[64];
    arch::cpu_vendor_and_brand(brand, sizeof(brand));
    u64 khz = clock::tsc_hz() / 1000;
    size_t cpus = sched::cpus_running();
    u64 mask = sched::running_cpus_mask();
    size_t length = 0;
    for (u32 index = 0; index < arch::k_max_cpus; ++index) {
        if (!(mask & (1ull << index)))
            continue;
        char entry[512];
        size_t n = format(entry, sizeof(entry),
            "processor\t: %u\n"
            "model name\t: %s\n"
            "cpu MHz\t\t: %lu.%03lu\n"
            "physical id\t: 0\n"
            "siblings\t: %zu\n"
            "core id\t\t: %u\n"
            "cpu cores\t: %zu\n"
            "apicid\t\t: %u\n"
            "bogomips\t: %lu.%02lu\n"
            "clflush size\t: 64\n"
            "cache_alignment\t: 64\n"
            "address sizes\t: 48 bits virtual\n"
            "\n",
            index, brand, khz / 1000, khz % 1000, cpus, index, cpus, index, khz * 2 / 1000, (khz * 2 / 10) % 100);
        if (length + n > capacity)
            break;
        copy_bytes(buffer + length, entry, n);
        length += n;
    }
    return length;
}

// /sys/devices/system/cpu/online and /possible: the CPUs as a list of ranges ("0-3").
size_t generate_cpu_list(char* buffer, size_t capacity)
{
    u64 mask = sched::running_cpus_mask();
    size_t length = 0;
    for (u32 index = 0; index < arch::k_max_cpus;) {
        if (!(mask & (1ull << index))) {
            ++index;
            continue;
        }
        u32 last = index;
        while (last + 1 < arch::k_max_cpus && (mask & (1ull << (last + 1))))
            ++last;
        const char* separator = length ? "," : "";
        length += last == index ? format(buffer + length, capacity - length, "%s%u", separator, index)
                                : format(buffer + length, capacity - length, "%s%u-%u", separator, index, last);
        index = last + 1;
    }
    length += format(buffer + length, capacity - length, "\n");
    return length;
}

size_t generate_mounts(char* buffer, size_t capacity)
{
    size_t length = format(buffer, capacity, "rootfs / ramfs rw 0 0\n");
    return length + describe_mounts(buffer + length, length < capacity ? capacity - length : 0);
}

size_t generate_uptime(char* buffer, size_t capacity)
{
    u64 ns = clock::monotonic_ns();
    return format(buffer, capacity, "%lu.%02lu 0.00\n", ns / 1'000'000'000, ns / 10'000'000 % 100);
}

Result<void> synthetic(const char* path, Generator generator)
{
    Inode* inode = TRY(create_node(root(), path, k_mode_regular | 0444));
    inode->mode = k_mode_regular | 0444;
    inode->generator = generator;
    return {};
}

} // namespace

Result<void> create_standard_directories()
{
    TRY(make_directory("/tmp", 01777));
    TRY(make_directory("/var/tmp", 01777));
    TRY(make_directory("/root", 0700));
    TRY(make_directory("/home", 0755));
    TRY(make_directory("/etc", 0755));
    return {};
}

Result<void> create_etc_files()
{
    const char* hostname = runtime_options().hostname;
    char text[256];
    format(text, sizeof(text), "%s\n", hostname);
    TRY(write_text("/etc/hostname", text));
    format(text, sizeof(text),
        "127.0.0.1\tlocalhost\n"
        "::1\t\tlocalhost ip6-localhost ip6-loopback\n"
        "127.0.1.1\t%s\n",
        hostname);
    TRY(write_text("/etc/hosts", text));
    TRY(write_text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"));
    TRY(write_text("/etc/group", "root:x:0:\nnogroup:x:65534:\n"));
    TRY(write_text("/etc/shadow", "root:*:19000:0:99999:7:::\n", 0600));
    TRY(write_text("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n"));
    return {};
}

Result<void> create_proc_files(const char* program_name)
{
    TRY(make_directory("/proc/self", 0555));
    Inode* proc = TRY(make_directories("/proc"));
    proc->mode = k_mode_directory | 0555;
    const char* base = file_name_of(program_name);
    char target[k_name_max + 2];
    format(target, sizeof(target), "/%s", *base ? base : "app");
    TRY(create_symlink(root(), "/proc/self/exe", target));
    TRY(synthetic("/proc/meminfo", generate_meminfo));
    TRY(synthetic("/proc/cpuinfo", generate_cpuinfo));
    TRY(synthetic("/proc/mounts", generate_mounts));
    TRY(synthetic("/proc/self/mounts", generate_mounts));
    TRY(synthetic("/proc/uptime", generate_uptime));
    // Where glibc's get_nprocs() and some runtimes (Go, Java, .NET) count the CPUs.
    Inode* cpu = TRY(make_directories("/sys/devices/system/cpu"));
    cpu->mode = k_mode_directory | 0555;
    TRY(synthetic("/sys/devices/system/cpu/online", generate_cpu_list));
    TRY(synthetic("/sys/devices/system/cpu/possible", generate_cpu_list));
    TRY(synthetic("/sys/devices/system/cpu/present", generate_cpu_list));
    return {};
}

}
