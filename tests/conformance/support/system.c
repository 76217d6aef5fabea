// SPDX-License-Identifier: MIT
// system() for libc++'s test harness inside a uksdk guest: the three shell commands that the
// filesystem tests' scoped_test_env (libcxx/test/support/filesystem_test_helper.h) runs to set up
// and remove their scratch directory, done with file system calls. A unikernel has no shell and
// the SDK's libc has no system(); anything else returns the shell's "command not found" status.
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { k_exit_failure = 1 << 8, k_command_not_found = 127 << 8 };

static const char* after_prefix(const char* command, const char* prefix) {
    size_t n = strlen(prefix);
    return strncmp(command, prefix, n) == 0 && command[n] != '\0' ? command + n : NULL;
}

// `mkdir -p PATH`: every missing component, like the shell command.
static int mkdir_p(const char* path) {
    char buf[4096];
    size_t len = strlen(path);
    if (len >= sizeof buf)
        return k_exit_failure;
    memcpy(buf, path, len + 1);
    for (char* p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return k_exit_failure;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return k_exit_failure;
    return 0;
}

// Without FTW_DEPTH a directory is visited before its entries are read, so a directory the test
// made unreadable becomes readable before nftw descends into it, as with `chmod -R`.
static int make_writable(const char* path, const struct stat* st, int type, struct FTW* ftw) {
    (void)st, (void)ftw;
    if (type != FTW_SL && type != FTW_SLN)
        chmod(path, 0777);
    return 0;
}

static int remove_entry(const char* path, const struct stat* st, int type, struct FTW* ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int system(const char* command) {
    const char* path;
    if (command == NULL)
        return 0; // [POSIX system] zero: no command processor is available.
    if ((path = after_prefix(command, "mkdir -p ")))
        return mkdir_p(path);
    if ((path = after_prefix(command, "chmod -R 777 ")))
        return nftw(path, make_writable, 16, FTW_PHYS) == 0 ? 0 : k_exit_failure;
    if ((path = after_prefix(command, "rm -rf "))) {
        struct stat st;
        if (lstat(path, &st) != 0 && errno == ENOENT)
            return 0;
        return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : k_exit_failure;
    }
    fprintf(stderr, "system: no shell in a unikernel: %s\n", command);
    return k_command_not_found;
}
