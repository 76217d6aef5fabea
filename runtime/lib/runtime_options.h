// SPDX-License-Identifier: MIT
// Runtime settings taken from `uk.` command-line options: boot/start.cpp parses them, and the
// layers that each setting concerns read them (plain data, so it sits in lib/ below them all).
#pragma once

namespace uk {

struct RuntimeOptions {
    char hostname[65] = "uksdk";
    bool verbose = false;
    // uk.stdin=framed: console input uses uk-run's framing, which can signal end of input.
    bool stdin_framed = false;
    // uk.tty=...: which standard streams are terminals on the runner's side (bit 0 stdin,
    // bit 1 stdout, bit 2 stderr), so isatty() answers as it would for the program on the host.
    unsigned terminal_streams = 0;
    // uk.net.rxbuf=BYTES: virtio-net receive buffer size when the device merges buffers (a power
    // of two, 256-2048; frames then span several buffers). For tests of that path; 0: 2048.
    unsigned net_receive_buffer = 0;
    // uk.mount=TAG[,ro]:GUESTDIR: a virtio-9p share (found by its mount tag) to mount at GUESTDIR
    // (fs/mount.cpp); uk-run --share passes them.
    static constexpr unsigned k_max_mounts = 8;
    const char* mounts[k_max_mounts] = {};
    unsigned mount_count = 0;
    // uk.cwd=PATH: the program's working directory at start (once the shares are mounted).
    const char* initial_directory = nullptr;
    // The values of the virtio_mmio.device= entries QEMU's microvm appends to the command line
    // (drivers/virtio finds its MMIO devices there).
    static constexpr unsigned k_max_virtio_mmio = 16;
    const char* virtio_mmio[k_max_virtio_mmio] = {};
    unsigned virtio_mmio_count = 0;
};

RuntimeOptions& runtime_options();

}
