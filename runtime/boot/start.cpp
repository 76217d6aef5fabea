// SPDX-License-Identifier: MIT
// uk_boot: from the PVH entry to the program's own _start, in order.
#include "arch/arch.h"
#include "boot/boot_info.h"
#include "boot/cmdline.h"
#include "boot/boot_failure.h"
#include "boot/initial_stack.h"
#include "boot/memory_check.h"
#include "drivers/console.h"
#include "drivers/rtc.h"
#include "fs/init.h"
#include "fs/mount.h"
#include "lib/format.h"
#include "lib/runtime_options.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/address_space.h"
#include "mm/file_mapping.h"
#include "mm/frame_allocator.h"
#include "net/network_options.h"
#include "net/stack.h"
#include "sched/clock.h"
#include "sched/locks.h"
#include "sched/scheduler.h"

extern "C" const unsigned char __ehdr_start[];
extern "C" char _end[];
extern "C" uk::u64 uk_boot_tsc;
extern "C" void _start(); // musl's crt1.o
// The stack protector's canary, in musl (src/env/__stack_chk_fail.c): the runtime, musl and the
// program are compiled with -fstack-protector-strong and share it.
extern "C" uintptr_t __stack_chk_guard;

namespace uk {

namespace {

BootInfo g_boot_info;
CommandLine g_command_line;
char g_command_line_storage[2 * BootInfo::k_max_command_line + 2];
u8 g_random[16]; // AT_RANDOM.

// Boot phases for uk.verbose: the TSC at the end of each (converted once the clock is calibrated).
struct BootPhase {
    const char* name;
    u64 tsc;
};
BootPhase g_phases[16];
size_t g_phase_count;

void phase_done(const char* name)
{
    clock::calibration_checkpoint();
    if (g_phase_count < sizeof(g_phases) / sizeof(g_phases[0]))
        g_phases[g_phase_count++] = { name, arch::read_timestamp() };
}

void print_boot_phases()
{
    char line[512];
    size_t used = format(line, sizeof(line), "uk: boot phases (us):");
    u64 previous = uk_boot_tsc;
    for (size_t i = 0; i < g_phase_count && used < sizeof(line); ++i) {
        u64 us = (g_phases[i].tsc - previous) * 1'000'000 / clock::tsc_hz();
        used += format(line + used, sizeof(line) - used, " %s %lu", g_phases[i].name, us);
        previous = g_phases[i].tsc;
    }
    printk("%s\n", line);
}

// Draws AT_RANDOM (RDSEED/RDRAND, mixed with the TSC when the CPU has neither) and makes the
// stack protector's canary from it exactly as musl's __init_ssp will: the first 8 bytes with the
// second one zeroed (a string overflow then cannot copy the canary). So the canary never changes
// once set; a change would fail every protected function that was running across it.
[[gnu::no_stack_protector]] void draw_random_and_set_canary()
{
    for (size_t i = 0; i < sizeof(g_random); i += 8) {
        u64 word = arch::read_timestamp() * 0x9e3779b97f4a7c15ull;
        arch::hardware_random(word);
        copy_bytes(g_random + i, &word, 8);
    }
    uintptr_t canary;
    copy_bytes(&canary, g_random, sizeof(canary));
    canary &= ~static_cast<uintptr_t>(0xff00);
    __stack_chk_guard = canary;
}


[[noreturn]] void boot_failure(const char* what, BootFailure kind = BootFailure::Other);

void apply_runtime_options(const CommandLine& cmdline)
{
    RuntimeOptions& options = runtime_options();
    for (size_t i = 0; i < cmdline.option_count; ++i) {
        const char* o = cmdline.options[i];
        const char* problem = nullptr;
        net::OptionResult network = net::set_network_option(o, problem);
        if (network == net::OptionResult::Invalid) {
            printk("uk: bad runtime option '%s'\n", o);
            boot_failure(problem);
        }
        if (network == net::OptionResult::Accepted)
            continue;
        if (starts_with(o, "uk.hostname=")) {
            copy_string(options.hostname, sizeof(options.hostname), o + 12);
        } else if (strings_equal(o, "uk.verbose") || starts_with(o, "uk.verbose=")) {
            options.verbose = !strings_equal(o, "uk.verbose=0");
        } else if (starts_with(o, "uk.stdin=")) {
            options.stdin_framed = strings_equal(o + 9, "framed");
        } else if (starts_with(o, "uk.tty=")) {
            // A list of the stream numbers that are terminals, e.g. "uk.tty=012" or "uk.tty=".
            options.terminal_streams = 0;
            for (const char* c = o + 7; *c; ++c)
                if (*c >= '0' && *c <= '2')
                    options.terminal_streams |= 1u << (*c - '0');
        } else if (starts_with(o, "uk.net.rxbuf=")) {
            unsigned size = 0;
            for (const char* c = o + 13; *c >= '0' && *c <= '9' && size < 65536; ++c)
                size = size * 10 + static_cast<unsigned>(*c - '0');
            if (size >= 256 && size <= 2048 && (size & (size - 1)) == 0)
                options.net_receive_buffer = size;
            else
                printk("uk: warning: '%s' ignored (a power of two from 256 to 2048)\n", o);
        } else if (starts_with(o, "uk.mount=")) {
            if (options.mount_count < RuntimeOptions::k_max_mounts)
                options.mounts[options.mount_count++] = o + 9;
            else
                printk("uk: warning: more than %u shares; '%s' ignored\n", RuntimeOptions::k_max_mounts, o);
        } else if (starts_with(o, "uk.cwd=")) {
            options.initial_directory = o + 7;
        } else if (starts_with(o, "virtio_mmio.device=")) {
            if (options.virtio_mmio_count < RuntimeOptions::k_max_virtio_mmio)
                options.virtio_mmio[options.virtio_mmio_count++] = o + 19;
            else
                printk("uk: warning: more than %u virtio-mmio devices; '%s' ignored\n",
                    RuntimeOptions::k_max_virtio_mmio, o);
        } else if (!starts_with(o, "uk.argv0=")) {
            printk("uk: warning: unknown runtime option '%s' ignored\n", o);
        }
    }
    if (const char* problem = net::finish_network_options())
        boot_failure(problem);
}

// Starts every processor the firmware reports, each with its record, interrupt stacks (touched
// now: they must never fault) and first stack. Returns how many run, the boot CPU included.
size_t start_application_processors()
{
    size_t online = 1;
    if (arch::cpu_count() > arch::k_max_cpus)
        printk("uk: warning: the machine has %zu CPUs; the runtime uses the first %zu\n", arch::cpu_count(),
            arch::k_max_cpus);
    for (u32 index = 1; index < arch::cpu_count() && index < arch::k_max_cpus; ++index) {
        u64 record = mm::allocate_kernel_frame();
        auto stacks = mm::allocate_stack(arch::k_cpu_interrupt_stacks, k_page_size);
        auto stack = mm::allocate_stack(16 * 1024, k_page_size);
        if (!record || stacks.is_error() || stack.is_error() || sched::prepare_application_processor(index).is_error()) {
            printk("uk: warning: no memory to start CPU %u\n", index);
            break;
        }
        u64 stacks_base = stacks.value() - arch::k_cpu_interrupt_stacks;
        fill_bytes(reinterpret_cast<void*>(stacks_base), 0, arch::k_cpu_interrupt_stacks);
        fill_bytes(reinterpret_cast<void*>(stack.value() - 16 * 1024), 0, 16 * 1024);
        if (!arch::start_cpu(index, { record, stacks_base, stack.value() }, sched::run_application_processor)) {
            printk("uk: warning: CPU %u did not start\n", index);
            continue;
        }
        ++online;
    }
    return online;
}

[[noreturn]] void boot_failure(const char* what, BootFailure kind)
{
    printk("uk: boot failed: %s\n", what);
    arch::machine_exit(static_cast<int>(kind));
}

// The file tree could not be built: at boot, or on the first use of a path when that builds it.
[[noreturn]] void file_system_failure(const char* problem)
{
    int code = fs::init_error();
    boot_failure(problem, code == ENOMEM || code == ENOSPC ? BootFailure::Memory : BootFailure::Archive);
}

// "3 MiB", or "3000 KiB" when not a whole number of MiB.
const char* size_text(u64 bytes, char* buffer, size_t size)
{
    if (bytes % (1ull << 20) == 0)
        format(buffer, size, "%lu MiB", bytes >> 20);
    else
        format(buffer, size, "%lu KiB", bytes >> 10);
    return buffer;
}

void check_memory_or_fail(const mm::MemoryRange* modules, size_t module_count)
{
    u64 image_start = align_down(reinterpret_cast<u64>(__ehdr_start), k_page_size);
    MemoryLayout layout { g_boot_info.ram, g_boot_info.ram_count,
        { image_start, reinterpret_cast<u64>(_end) - image_start }, modules, module_count };
    MemoryVerdict verdict = check_memory(layout);
    if (verdict.enough)
        return;
    char needed[32], machine[32], message[160];
    format(message, sizeof(message), "this image needs at least %s of RAM, the machine has %s",
        size_text(align_up(verdict.needed_bytes, 1ull << 20), needed, sizeof(needed)),
        size_text(verdict.machine_bytes, machine, sizeof(machine)));
    boot_failure(message, BootFailure::Memory);
}

} // namespace

// Not protected itself: it runs from before the canary is set to the program's entry.
extern "C" [[noreturn, gnu::no_stack_protector]] void uk_boot(u32 start_info)
{
    arch::set_boot_cpu_record();
    sched::early_init();
    draw_random_and_set_canary();
    console::init();
    arch::cpu_init();
    clock::start_calibration(uk_boot_tsc);
    phase_done("cpu");
    auto boot = read_boot_info(start_info, g_boot_info);
    if (boot.is_error())
        boot_failure(boot.error_code() == ENODATA ? "the hypervisor passed no memory map (PVH start info version 0)"
                                                  : "no PVH start info (boot the image with qemu -kernel)",
            BootFailure::Machine);
    if (g_boot_info.ram_count == 0)
        boot_failure("no usable RAM in the memory map", BootFailure::Memory);

    // The command line is copied out of low memory first: from here on all RAM outside the
    // image and the boot modules belongs to the frame allocator.
    auto parsed = parse_command_line(g_boot_info.command_line, g_boot_info.command_line_length,
        g_command_line_storage, sizeof(g_command_line_storage), g_command_line);
    if (parsed.is_error())
        boot_failure(parsed.error_code() == E2BIG ? "too many command-line arguments"
                                                  : "malformed command line (unterminated quote or bad \\x escape)");
    apply_runtime_options(g_command_line);
    phase_done("cmdline");

    // Boot modules (the initrd) keep their frames until the file system has unpacked them.
    mm::MemoryRange reserved[BootInfo::k_max_modules + 2];
    for (size_t i = 0; i < g_boot_info.module_count; ++i)
        reserved[i] = { g_boot_info.modules[i].address, g_boot_info.modules[i].size };
    check_memory_or_fail(reserved, g_boot_info.module_count);
    u64 image_start = align_down(reinterpret_cast<u64>(__ehdr_start), k_page_size);
    reserved[g_boot_info.module_count] = { image_start, reinterpret_cast<u64>(_end) - image_start };
    // The page the application processors start from (below 1 MiB) is never handed out: starting
    // one copies the trampoline there (with little RAM it would otherwise hold a page table).
    reserved[g_boot_info.module_count + 1] = { arch::k_ap_trampoline_page, k_page_size };
    mm::frames_init(g_boot_info.ram, g_boot_info.ram_count, reserved, g_boot_info.module_count + 2);
    arch::paging_init(g_boot_info.ram, g_boot_info.ram_count);
    phase_done("memory");
    arch::interrupts_init(g_boot_info.rsdp);
    console::start_input_interrupt();
    phase_done("interrupts");

    auto stack_top = mm::allocate_main_stack(mm::k_default_main_stack_size);
    if (stack_top.is_error())
        boot_failure("no memory for the main stack", BootFailure::Memory);

    static const char* s_arguments[CommandLine::k_max_arguments + 1];
    s_arguments[0] = g_command_line.option("uk.argv0", "app");
    // Linux names a process's first thread after its executable file.
    sched::set_thread_name(sched::current_thread(), file_name_of(s_arguments[0]));
    for (size_t i = 0; i < g_command_line.argument_count; ++i)
        s_arguments[i + 1] = g_command_line.arguments[i];

    u64 phoff = *reinterpret_cast<const u64*>(__ehdr_start + 32);
    u16 phnum = *reinterpret_cast<const u16*>(__ehdr_start + 56);
    const u64 auxv[][2] = {
        { k_at_phdr, reinterpret_cast<u64>(__ehdr_start) + phoff },
        { k_at_phent, 56 },
        { k_at_phnum, phnum },
        { k_at_pagesz, k_page_size },
        { k_at_entry, reinterpret_cast<u64>(&_start) },
        { k_at_uid, 0 }, { k_at_euid, 0 }, { k_at_gid, 0 }, { k_at_egid, 0 },
        { k_at_secure, 0 },
        { k_at_clktck, 100 },
        { k_at_hwcap, 0 },
    };
    InitialStackInput input {};
    input.arguments = s_arguments;
    input.argument_count = g_command_line.argument_count + 1;
    input.environment = g_command_line.environment;
    input.environment_count = g_command_line.environment_count;
    input.auxv = auxv;
    input.auxv_count = sizeof(auxv) / sizeof(auxv[0]);
    copy_bytes(input.random, g_random, sizeof(g_random));
    u64 sp = build_initial_stack(stack_top.value(), stack_top.value() - mm::k_default_main_stack_size, input);
    if (!sp)
        boot_failure("arguments and environment do not fit on the main stack");
    phase_done("stack");
    clock::finish_calibration();
    // The RTC has whole seconds only; the wall clock reads it now, not at the first instruction.
    clock::set_realtime_ns(rtc::read_epoch_seconds() * 1'000'000'000ull);
    phase_done("clock");
    // After calibration, so that the files made at boot get true timestamps.
    if (const char* problem = fs::init(reserved, g_boot_info.module_count, s_arguments[0], file_system_failure))
        file_system_failure(problem);
    for (size_t i = 0; i < g_boot_info.module_count; ++i)
        mm::release_boot_range(reserved[i]);
    // musl's resolver reads /etc/resolv.conf before it opens any socket: the servers given on
    // the command line must be there from the start (DHCP's arrive with the lease).
    if (const net::NetworkConfiguration& network = net::network_configuration(); network.dns_count)
        net::write_resolver_file(network.dns, network.dns_count);
    phase_done("files");
    sched::init();
    // The mmap family changes file mappings only under the RuntimeLock (mm/file_mapping.h).
    mm::set_file_mapping_permit([] { return arch::cpus_online() == 1 || sched::g_runtime_lock.is_held_here(); });
    size_t cpus = start_application_processors();
    phase_done("scheduler");

    sched::start();
    {
        sched::RuntimeGuard runtime_guard;
        console::start_devices();
        phase_done("devices");
        // Shares need the scheduler (their requests sleep until the host answers).
        if (const char* problem = fs::mount_shares())
            boot_failure(problem);
        fs::enter_initial_directory();
        phase_done("shares");
    }
    if (runtime_options().verbose) {
        arch::describe_interrupts();
        printk("uk: %zu of %zu CPU(s) started\n", cpus, arch::cpu_count());
        printk("uk: %lu MiB RAM, TSC %lu MHz (%s), %zu arguments, %zu environment entries\n",
            mm::total_frames() * k_page_size >> 20, clock::tsc_hz() / 1'000'000, clock::tsc_source(),
            input.argument_count, input.environment_count);
        print_boot_phases();
        printk("uk: boot took %lu us from the first instruction to the program's entry\n",
            clock::since_entry_ns() / 1000);
    }
    arch::enter_program(sp, reinterpret_cast<u64>(&_start));
}

}

// C++ static destructors register with __cxa_atexit(fn, arg, &__dso_handle). In a dynamic world
// each shared object has its own; a unikernel image is one object, and the runtime (always linked)
// provides the one handle, as crtbegin.o would.
extern "C" __attribute__((visibility("hidden"))) void* __dso_handle = &__dso_handle;
