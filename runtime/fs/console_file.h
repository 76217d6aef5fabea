// SPDX-License-Identifier: MIT
// Descriptions of the console: standard input, output and error, /dev/console and /dev/tty.
#pragma once

#include "fs/file_description.h"

namespace uk::fs {

enum class ConsoleRole { Input, Output, Error, Terminal };

// `terminal`: whether isatty() is true for it (the runner's matching stdio is a terminal).
Result<FileDescription*> open_console(ConsoleRole role, u32 flags, bool terminal, Inode* inode = nullptr);

}
