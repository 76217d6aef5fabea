// SPDX-License-Identifier: MIT
// The files a Linux program expects to find: /etc (hostname, hosts, passwd, group, ...), /proc
// (self/exe, cpuinfo, meminfo, mounts, uptime) and the standard directories (/tmp, /root, ...).
#pragma once

#include "lib/result.h"

namespace uk::fs {

Result<void> create_standard_directories();
Result<void> create_etc_files();
// `program_name` is argv[0]; /proc/self/exe points at /<program_name>.
Result<void> create_proc_files(const char* program_name);

}
