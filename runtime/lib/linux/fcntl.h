// SPDX-License-Identifier: MIT
// Linux open(2) flags, descriptor flags, the *at() calls' AT_* values and fcntl(2) commands
// (x86_64 values).
#pragma once

#include "lib/types.h"

namespace uk {

enum OpenFlags : u32 {
    k_o_accmode = 03,
    k_o_rdonly = 00,
    k_o_wronly = 01,
    k_o_rdwr = 02,
    k_o_creat = 0100,
    k_o_excl = 0200,
    k_o_noctty = 0400,
    k_o_trunc = 01000,
    k_o_append = 02000,
    k_o_nonblock = 04000,
    k_o_dsync = 010000,
    k_o_async = 020000,
    k_o_direct = 040000,
    k_o_largefile = 0100000,
    k_o_directory = 0200000,
    k_o_nofollow = 0400000,
    k_o_noatime = 01000000,
    k_o_cloexec = 02000000,
    k_o_sync = 04010000,
    k_o_path = 010000000,
    k_o_tmpfile = 020200000,
};

// The one descriptor flag (F_GETFD/F_SETFD).
inline constexpr u32 k_fd_cloexec = 1;

// The *at() calls: the directory argument that means "the working directory", and flags.
inline constexpr int k_at_fdcwd = -100;
enum AtFlags : u32 {
    k_at_symlink_nofollow = 0x100,
    k_at_removedir = 0x200,
    k_at_eaccess = 0x200,
    k_at_symlink_follow = 0x400,
    k_at_no_automount = 0x800,
    k_at_empty_path = 0x1000,
    k_at_statx_sync_type = 0x6000,
};

// fcntl(2) commands.
inline constexpr long k_f_dupfd = 0, k_f_getfd = 1, k_f_setfd = 2, k_f_getfl = 3, k_f_setfl = 4, k_f_getlk = 5,
                      k_f_setlk = 6, k_f_setlkw = 7, k_f_setown = 8, k_f_getown = 9, k_f_setsig = 10,
                      k_f_getsig = 11, k_f_setown_ex = 15, k_f_getown_ex = 16, k_f_ofd_getlk = 36,
                      k_f_ofd_setlk = 37, k_f_ofd_setlkw = 38, k_f_setlease = 1024, k_f_getlease = 1025,
                      k_f_notify = 1026, k_f_dupfd_cloexec = 1030, k_f_setpipe_sz = 1031, k_f_getpipe_sz = 1032,
                      k_f_add_seals = 1033, k_f_get_seals = 1034;
// struct flock's l_type.
inline constexpr short k_f_rdlck = 0, k_f_wrlck = 1, k_f_unlck = 2;

}
