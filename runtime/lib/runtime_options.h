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
};

RuntimeOptions& runtime_options();

}
