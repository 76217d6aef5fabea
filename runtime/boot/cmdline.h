// SPDX-License-Identifier: MIT
// Splits the boot command line into runtime options, environment entries and program arguments.
//
// Grammar: tokens are separated by spaces, tabs or newlines. Inside a token, "..." quotes with the
// escapes \\ \" \xHH (any byte), '...' quotes literally, and a backslash outside quotes takes the
// next byte literally. The first unquoted `--` ends the runtime part; before it, `uk.KEY[=VALUE]`
// tokens are runtime options, other tokens with '=' are environment entries and the rest are
// program arguments (the Linux kernel's convention for init). After it every token is a program
// argument, except unquoted `virtio_mmio.device=` tokens, which QEMU's microvm appends.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk {

struct CommandLine {
    static constexpr size_t k_max_arguments = 8192;
    static constexpr size_t k_max_environment = 1024;
    static constexpr size_t k_max_options = 256;

    const char* arguments[k_max_arguments]; // argv[1...]; argv[0] comes from uk.argv0.
    size_t argument_count = 0;
    const char* environment[k_max_environment];
    size_t environment_count = 0;
    const char* options[k_max_options]; // Runtime options, `uk.` prefix kept.
    size_t option_count = 0;

    // Returns the value of runtime option `key` ("uk.argv0"), `fallback` if absent, "" for a bare key.
    const char* option(const char* key, const char* fallback) const;
};

// Parses `text` (length `length`, need not be terminated). Decoded tokens are stored in `storage`,
// which must hold at least 2 * length + 2 bytes. EINVAL for an unterminated quote or a bad \x
// escape, E2BIG when a table is full.
Result<void> parse_command_line(const char* text, size_t length, char* storage, size_t storage_size,
    CommandLine& out);

}
