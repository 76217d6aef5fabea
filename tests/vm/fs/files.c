/* SPDX-License-Identifier: MIT */
/* Files and directories through the system calls: create, read, write, sparse growth,
 * truncate, append, pread/pwrite/lseek edge cases, links, symlinks, rename, directory
 * iteration, timestamps, modes, the errno of every common failure, dup2 redirection, fcntl,
 * O_TMPFILE, statfs, mmap of files. Run with a scratch directory as argv[1] (default /tmp). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* musl 1.2.3 has no renameat2 wrapper. */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static char base[256];

static const char* at(const char* name)
{
    static char paths[8][512];
    static int next;
    char* p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", base, name);
    return p;
}

static void write_file(const char* path, const char* text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

static void test_read_write(void)
{
    int fd = open(at("rw"), O_RDWR | O_CREAT | O_EXCL, 0640);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello world", 11) == 11);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_size == 11 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == (0640 & ~022) && st.st_nlink == 1);
    char buf[64] = { 0 };
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(read(fd, buf, sizeof buf) == 11 && memcmp(buf, "hello world", 11) == 0);
    CHECK(read(fd, buf, sizeof buf) == 0);
    /* pread/pwrite leave the offset alone. */
    CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11);
    CHECK(pwrite(fd, "W", 1, 6) == 1);
    CHECK(pread(fd, buf, 11, 0) == 11 && memcmp(buf, "hello World", 11) == 0);
    CHECK(pread(fd, buf, 10, 100) == 0);
    CHECK_ERRNO(pread(fd, buf, 1, -1), EINVAL);
    CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERRNO(lseek(fd, 0, 42), EINVAL);
    CHECK(lseek(fd, -1, SEEK_END) == 10);
    CHECK(lseek(fd, 5, SEEK_CUR) == 15);
    /* Sparse growth: the gap reads as zeros. */
    CHECK(lseek(fd, 1 << 20, SEEK_SET) == 1 << 20);
    CHECK(write(fd, "x", 1) == 1);
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_size == (1 << 20) + 1);
    CHECK(st.st_blocks < 64); /* Holes take no space. */
    memset(buf, 1, sizeof buf);
    CHECK(pread(fd, buf, 16, 4096 * 10) == 16);
    for (int i = 0; i < 16; ++i)
        CHECK(buf[i] == 0);
    /* SEEK_DATA / SEEK_HOLE at least answer sensibly. */
    CHECK(lseek(fd, 0, SEEK_DATA) == 0);
    CHECK(lseek(fd, 0, SEEK_HOLE) <= (1 << 20) + 1);
    CHECK_ERRNO(lseek(fd, (1 << 20) + 1, SEEK_DATA), ENXIO);
    /* Truncate down then up: the cut part comes back as zeros. */
    CHECK_OK(ftruncate(fd, 3));
    CHECK_OK(ftruncate(fd, 8));
    CHECK(pread(fd, buf, 16, 0) == 8 && memcmp(buf, "hel\0\0\0\0\0", 8) == 0);
    CHECK_ERRNO(ftruncate(fd, -1), EINVAL);
    CHECK_OK(truncate(at("rw"), 100));
    CHECK_OK(stat(at("rw"), &st));
    CHECK(st.st_size == 100);
    close(fd);
    /* O_APPEND writes at the end whatever the offset. */
    fd = open(at("rw"), O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(write(fd, "END", 3) == 3);
    CHECK(lseek(fd, 0, SEEK_CUR) == 103);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY && (fcntl(fd, F_GETFL) & O_APPEND));
    CHECK_ERRNO(read(fd, buf, 1), EBADF);
    close(fd);
    fd = open(at("rw"), O_RDONLY);
    CHECK_ERRNO(write(fd, "x", 1), EBADF);
    CHECK_ERRNO(ftruncate(fd, 0), EINVAL);
    close(fd);
    /* O_TRUNC empties; readv/writev gather and scatter. */
    fd = open(at("rw"), O_RDWR | O_TRUNC);
    CHECK(fd >= 0);
    struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
    CHECK(writev(fd, iov, 3) == 5);
    char x[2], y[8];
    struct iovec in[2] = { { x, 2 }, { y, 8 } };
    CHECK(preadv(fd, in, 2, 0) == 5 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(readv(fd, in, 2) == 5);
    close(fd);
    CHECK_ERRNO(read(fd, buf, 1), EBADF);
    CHECK_ERRNO(close(fd), EBADF);
    CHECK_ERRNO(write(-1, "x", 1), EBADF);
    CHECK_ERRNO(fstat(12345, &st), EBADF);
}

static void test_errnos(void)
{
    struct stat st;
    write_file(at("file"), "data");
    CHECK_OK(mkdir(at("dir"), 0755));
    CHECK_ERRNO(open(at("missing"), O_RDONLY), ENOENT);
    CHECK_ERRNO(open(at("missing/x"), O_RDONLY | O_CREAT, 0644), ENOENT);
    CHECK_ERRNO(stat(at("missing"), &st), ENOENT);
    CHECK_ERRNO(stat("", &st), ENOENT);
    CHECK_ERRNO(mkdir(at("file"), 0755), EEXIST);
    CHECK_ERRNO(mkdir(at("dir"), 0755), EEXIST);
    CHECK_ERRNO(open(at("file"), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    CHECK_ERRNO(symlink("x", at("file")), EEXIST);
    CHECK_ERRNO(link(at("file"), at("dir")), EEXIST);
    CHECK_ERRNO(open(at("file/x"), O_RDONLY), ENOTDIR);
    CHECK_ERRNO(stat(at("file/"), &st), ENOTDIR);
    CHECK_ERRNO(mkdir(at("file/sub"), 0755), ENOTDIR);
    CHECK_ERRNO(rmdir(at("file")), ENOTDIR);
    CHECK_ERRNO(opendir(at("file")) ? 0 : -1, ENOTDIR);
    CHECK_ERRNO(open(at("file"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERRNO(chdir(at("file")), ENOTDIR);
    CHECK_ERRNO(open(at("dir"), O_WRONLY), EISDIR);
    CHECK_ERRNO(open(at("dir"), O_RDWR), EISDIR);
    CHECK_ERRNO(unlink(at("dir")), EISDIR);
    CHECK_ERRNO(rename(at("file"), at("dir")), EISDIR);
    int fd = open(at("dir"), O_RDONLY);
    char buf[8];
    CHECK_ERRNO(read(fd, buf, sizeof buf), EISDIR);
    close(fd);
    write_file(at("dir/inner"), "x");
    CHECK_ERRNO(rmdir(at("dir")), ENOTEMPTY);
    CHECK_OK(mkdir(at("dir2"), 0755));
    write_file(at("dir2/inner"), "x");
    CHECK_ERRNO(rename(at("dir"), at("dir2")), ENOTEMPTY);
    CHECK_ERRNO(rename(at("dir"), at("dir/inner/x")), ENOTDIR);
    CHECK_ERRNO(rename(at("dir"), at("dir/sub")), EINVAL);
    CHECK_ERRNO(rmdir(at("dir/.")), EINVAL);
    CHECK_ERRNO(close(-1), EBADF);
    CHECK_ERRNO(dup(999), EBADF);
    CHECK_ERRNO(dup2(999, 3), EBADF);
    CHECK_ERRNO(dup3(1, 1, 0), EINVAL);
    CHECK_ERRNO(lseek(999, 0, SEEK_SET), EBADF);
    CHECK_ERRNO(fcntl(999, F_GETFD), EBADF);
    CHECK_ERRNO(open(at("file"), O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
    CHECK_OK(symlink("file", at("sym")));
    CHECK_ERRNO(open(at("sym"), O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_OK(symlink("loop1", at("loop2")));
    CHECK_OK(symlink("loop2", at("loop1")));
    CHECK_ERRNO(open(at("loop1"), O_RDONLY), ELOOP);
    CHECK_ERRNO(readlink(at("file"), buf, sizeof buf), EINVAL);
    char longname[300];
    memset(longname, 'n', sizeof longname);
    longname[299] = 0;
    CHECK_ERRNO(open(at(longname), O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
    CHECK_ERRNO(link(at("dir"), at("dirlink")), EPERM);
    CHECK_ERRNO(pipe2(NULL, 0x12345678), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERRNO(pwrite(p[1], "x", 1, 0), ESPIPE);
    close(p[0]);
    close(p[1]);
}

static void test_links_and_rename(void)
{
    struct stat st, st2;
    write_file(at("orig"), "original");
    CHECK_OK(link(at("orig"), at("hard")));
    CHECK_OK(stat(at("orig"), &st));
    CHECK_OK(stat(at("hard"), &st2));
    CHECK(st.st_ino == st2.st_ino && st.st_nlink == 2);
    CHECK_OK(unlink(at("orig")));
    CHECK_OK(stat(at("hard"), &st));
    CHECK(st.st_nlink == 1 && st.st_size == 8);

    CHECK_OK(symlink("hard", at("soft")));
    CHECK_OK(symlink("/nonexistent/target", at("dangling")));
    char target[64] = { 0 };
    CHECK(readlink(at("soft"), target, sizeof target) == 4 && memcmp(target, "hard", 4) == 0);
    CHECK(readlink(at("soft"), target, 2) == 2);
    CHECK_OK(lstat(at("soft"), &st));
    CHECK(S_ISLNK(st.st_mode) && st.st_size == 4);
    CHECK_OK(stat(at("soft"), &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 8);
    struct stat dangling;
    CHECK_ERRNO(stat(at("dangling"), &dangling), ENOENT);
    CHECK_OK(lstat(at("dangling"), &dangling));
    /* O_CREAT through a dangling symlink creates its target... only where the target's
     * directory exists; here it does not. */
    CHECK_ERRNO(open(at("dangling"), O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_OK(symlink("created-through-link", at("to-new")));
    int fd = open(at("to-new"), O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    close(fd);
    CHECK_OK(stat(at("created-through-link"), &st));

    /* rename: over a file, within and across directories, directories, noop on same inode. */
    write_file(at("r1"), "one");
    write_file(at("r2"), "two");
    CHECK_OK(rename(at("r1"), at("r2")));
    CHECK_ERRNO(stat(at("r1"), &st), ENOENT);
    CHECK_OK(stat(at("r2"), &st));
    CHECK(st.st_size == 3);
    CHECK_OK(mkdir(at("rd"), 0755));
    CHECK_OK(mkdir(at("rd/sub"), 0755));
    CHECK_OK(rename(at("r2"), at("rd/sub/r3")));
    CHECK_OK(stat(at("rd"), &st));
    CHECK(st.st_nlink == 3);
    CHECK_OK(rename(at("rd/sub"), at("moved")));
    CHECK_OK(stat(at("rd"), &st));
    CHECK(st.st_nlink == 2);
    CHECK_OK(stat(at("moved/r3"), &st));
    CHECK_OK(mkdir(at("empty"), 0755));
    CHECK_OK(rename(at("moved"), at("empty"))); /* Over an empty directory. */
    CHECK_OK(stat(at("empty/r3"), &st));
    CHECK_OK(link(at("empty/r3"), at("r3link")));
    CHECK_OK(rename(at("empty/r3"), at("r3link"))); /* Same inode: nothing happens. */
    CHECK_OK(stat(at("empty/r3"), &st));
    CHECK(st.st_nlink == 2);
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, at("r3link"), AT_FDCWD, at("soft"), RENAME_EXCHANGE));
    CHECK_OK(lstat(at("r3link"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERRNO(syscall(SYS_renameat2, AT_FDCWD, at("r3link"), AT_FDCWD, at("soft"), RENAME_NOREPLACE), EEXIST);

    /* Unlinking an open file keeps its data until the last close. */
    fd = open(at("doomed"), O_RDWR | O_CREAT, 0644);
    CHECK(write(fd, "still here", 10) == 10);
    CHECK_OK(unlink(at("doomed")));
    char buf[16] = { 0 };
    CHECK(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "still here", 10) == 0);
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_nlink == 0);
    close(fd);
}

static int compare_names(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void test_directories(void)
{
    CHECK_OK(mkdir(at("list"), 0700));
    const char* names[] = { "a", "b", "c", "d", "e" };
    char path[300];
    for (int i = 0; i < 5; ++i) {
        snprintf(path, sizeof path, "%s/%s", at("list"), names[i]);
        write_file(path, "x");
    }
    DIR* d = opendir(at("list"));
    CHECK(d != NULL);
    char* seen[16];
    int count = 0, dots = 0;
    struct dirent* e;
    long position_after_two = -1;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            CHECK(e->d_type == DT_DIR);
            ++dots;
            continue;
        }
        CHECK(e->d_type == DT_REG);
        if (count < 16)
            seen[count] = strdup(e->d_name);
        if (++count == 2)
            position_after_two = telldir(d);
    }
    CHECK(dots == 2 && count == 5);
    qsort(seen, count, sizeof seen[0], compare_names);
    for (int i = 0; i < count && i < 5; ++i)
        CHECK(!strcmp(seen[i], names[i]));
    /* seekdir back, and removal during iteration does not disturb what is left. */
    seekdir(d, position_after_two);
    int rest = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            ++rest;
    CHECK(rest == 3);
    rewinddir(d);
    int total = 0;
    while ((e = readdir(d))) {
        ++total;
        if (!strcmp(e->d_name, "c")) {
            snprintf(path, sizeof path, "%s/%s", at("list"), "d");
            CHECK_OK(unlink(path));
        }
    }
    CHECK(total == 6 || total == 7);
    closedir(d);

    /* Working directory and *at() calls. */
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_OK(chdir(at("list")));
    char here[PATH_MAX];
    CHECK(getcwd(here, sizeof here) && !strcmp(here, at("list")));
    CHECK_ERRNO(getcwd(here, 2) ? 0 : -1, ERANGE);
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK_OK(mkdirat(dfd, "sub", 0755));
    int fd = openat(dfd, "sub/f", O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    close(fd);
    struct stat st;
    CHECK_OK(fstatat(dfd, "sub/f", &st, 0));
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_OK(unlinkat(dfd, "sub/f", 0));
    CHECK_OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
    CHECK_OK(chdir(".."));
    CHECK_OK(fchdir(dfd));
    CHECK(getcwd(here, sizeof here) && !strcmp(here, at("list")));
    close(dfd);
    CHECK_OK(chdir(cwd));
    /* A removed working directory. */
    CHECK_OK(mkdir(at("gone"), 0755));
    CHECK_OK(chdir(at("gone")));
    CHECK_OK(rmdir(at("gone")));
    CHECK_ERRNO(getcwd(here, sizeof here) ? 0 : -1, ENOENT);
    CHECK_ERRNO(open("new", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_OK(chdir(cwd));
}

static void test_metadata(void)
{
    struct stat st;
    write_file(at("meta"), "m");
    CHECK_OK(chmod(at("meta"), 0751));
    CHECK_OK(stat(at("meta"), &st));
    CHECK((st.st_mode & 07777) == 0751);
    int fd = open(at("meta"), O_RDONLY);
    CHECK_OK(fchmod(fd, 0600));
    CHECK_OK(fstat(fd, &st));
    CHECK((st.st_mode & 07777) == 0600);
    CHECK_OK(fchown(fd, 1000, 1000));
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_uid == 1000 && st.st_gid == 1000);
    CHECK_OK(chown(at("meta"), -1, 0));
    CHECK_OK(stat(at("meta"), &st));
    CHECK(st.st_uid == 1000 && st.st_gid == 0);
    struct timespec times[2] = { { 1000000000, 5 }, { 1500000000, 123456789 } };
    CHECK_OK(futimens(fd, times));
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 123456789);
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    CHECK_OK(utimensat(AT_FDCWD, at("meta"), omit, 0));
    CHECK_OK(stat(at("meta"), &st));
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1600000000);
    struct timespec bad[2] = { { 0, 2000000000 }, { 0, 0 } };
    CHECK_ERRNO(utimensat(AT_FDCWD, at("meta"), bad, 0), EINVAL);
    close(fd);
    /* A write moves mtime forward to about now (the clock is the real time). */
    time_t now = time(NULL);
    write_file(at("fresh"), "f");
    CHECK_OK(stat(at("fresh"), &st));
    CHECK(st.st_mtime >= now - 2 && st.st_mtime <= now + 2);
    CHECK(access(at("fresh"), F_OK) == 0 && access(at("fresh"), R_OK | W_OK) == 0);
    CHECK_ERRNO(access(at("fresh"), X_OK), EACCES);
    CHECK_ERRNO(access(at("nothing"), F_OK), ENOENT);
    CHECK_OK(chmod(at("fresh"), 0755));
    CHECK(access(at("fresh"), X_OK) == 0);
    /* umask applies to creation. */
    mode_t old = umask(077);
    write_file(at("masked"), "m");
    CHECK_OK(stat(at("masked"), &st));
    CHECK((st.st_mode & 0777) == 0600);
    umask(old);
    struct statfs sf;
    CHECK_OK(statfs(at(""), &sf));
    CHECK(sf.f_bsize > 0 && sf.f_blocks > 0 && sf.f_bavail <= sf.f_blocks);
}

static void test_descriptors(void)
{
    /* Lowest free descriptor; dup shares the offset; CLOEXEC per descriptor. */
    int a = open(at("fds"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    int b = open(at("fds"), O_RDONLY);
    CHECK(a >= 0 && b == a + 1);
    close(a);
    int c = open(at("fds"), O_RDONLY | O_CLOEXEC);
    CHECK(c == a);
    CHECK(fcntl(c, F_GETFD) == FD_CLOEXEC && fcntl(b, F_GETFD) == 0);
    int d = dup(b);
    CHECK(d > b && fcntl(d, F_GETFD) == 0);
    int e = fcntl(b, F_DUPFD_CLOEXEC, 100);
    CHECK(e == 100 && fcntl(e, F_GETFD) == FD_CLOEXEC);
    CHECK_OK(fcntl(e, F_SETFD, 0));
    CHECK(fcntl(e, F_GETFD) == 0);
    write_file(at("fds"), "0123456789");
    char ch;
    CHECK(read(b, &ch, 1) == 1 && ch == '0');
    CHECK(read(d, &ch, 1) == 1 && ch == '1'); /* Shared offset. */
    CHECK(dup3(b, 50, O_CLOEXEC) == 50 && fcntl(50, F_GETFD) == FD_CLOEXEC);
    CHECK(dup2(b, b) == b);
    CHECK_OK(fcntl(b, F_SETFL, O_NONBLOCK | O_APPEND));
    CHECK((fcntl(d, F_GETFL) & (O_NONBLOCK | O_APPEND)) == (O_NONBLOCK | O_APPEND));
    /* Record locks are granted (one process holds them all); a write lock needs a writable
     * descriptor. */
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK_ERRNO(fcntl(c, F_SETLK, &lock), EBADF);
    a = open(at("fds"), O_RDWR);
    CHECK_OK(fcntl(a, F_SETLK, &lock));
    CHECK_OK(fcntl(a, F_GETLK, &lock));
    CHECK(lock.l_type == F_UNLCK);
    CHECK_OK(flock(a, LOCK_EX));
    CHECK_OK(flock(a, LOCK_UN));
    CHECK_ERRNO(flock(a, 0), EINVAL);
    CHECK_OK(fsync(a));
    CHECK_OK(fdatasync(a));
    int opened[] = { a, b, c, d, e, 50 };
    for (int i = 0; i < 6; ++i)
        close(opened[i]);
}

static void test_redirect_stdout(void)
{
    /* dup2 a file onto stdout; printf output lands in the file. Opening /dev/stdout then opens
     * that file again, with an offset of its own (Linux reopens /proc/self/fd/1). */
    fflush(stdout);
    int saved = dup(1);
    int fd = open(at("captured"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(dup2(fd, 1) == 1);
    close(fd);
    printf("to the file %d\n", 42);
    fflush(stdout);
    int dev = open("/dev/stdout", O_WRONLY);
    CHECK(dev >= 0 && write(dev, "via /dev/stdout\n", 16) == 16);
    close(dev);
    CHECK(dup2(saved, 1) == 1);
    close(saved);
    char buf[64] = { 0 };
    fd = open(at("captured"), O_RDONLY);
    CHECK(read(fd, buf, sizeof buf - 1) == 16 && !strcmp(buf, "via /dev/stdout\n"));
    close(fd);
}

static void test_mmap(void)
{
    int fd = open(at("mapped"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(ftruncate(fd, 8192) == 0);
    CHECK(pwrite(fd, "file data", 9, 4096) == 9);
    char* shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(shared != MAP_FAILED);
    if (shared != MAP_FAILED) {
        CHECK(memcmp(shared + 4096, "file data", 9) == 0);
        memcpy(shared, "through the map", 15);
        char buf[16] = { 0 };
        CHECK(pread(fd, buf, 15, 0) == 15 && !memcmp(buf, "through the map", 15));
        CHECK(pwrite(fd, "WRITE", 5, 4096) == 5);
        CHECK(!memcmp(shared + 4096, "WRITEdata", 9));
        CHECK_OK(msync(shared, 8192, MS_SYNC));
        CHECK_OK(munmap(shared, 8192));
    }
    char* private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
    CHECK(private != MAP_FAILED);
    if (private != MAP_FAILED) {
        CHECK(!memcmp(private, "WRITEdata", 9));
        private[0] = 'w';
        char c;
        CHECK(pread(fd, &c, 1, 4096) == 1 && c == 'W');
        CHECK_OK(munmap(private, 4096));
    }
    int ro = open(at("mapped"), O_RDONLY);
    CHECK_ERRNO(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0, EACCES);
    CHECK_ERRNO(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 1) == MAP_FAILED ? -1 : 0, EINVAL);
    close(ro);
    /* The mapping outlives the descriptor and the name. */
    char* keep = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    CHECK_OK(unlink(at("mapped")));
    CHECK(keep != MAP_FAILED && !memcmp(keep, "through the map", 15));
    munmap(keep, 4096);
    int zero = open("/dev/zero", O_RDWR);
    int* z = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
    CHECK(z != MAP_FAILED && z[100] == 0);
    close(zero);
}

static void test_tmpfile(void)
{
    int fd = open(at(""), O_TMPFILE | O_RDWR, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, "anon", 4) == 4);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_nlink == 0 && st.st_size == 4);
    close(fd);
    FILE* f = tmpfile();
    CHECK(f != NULL);
    fputs("tmpfile", f);
    rewind(f);
    char buf[16] = { 0 };
    CHECK(fgets(buf, sizeof buf, f) && !strcmp(buf, "tmpfile"));
    fclose(f);
    char name[] = "/tmp/mkstempXXXXXX";
    fd = mkstemp(name);
    CHECK(fd >= 0);
    close(fd);
    CHECK_OK(unlink(name));
}

int main(int argc, char** argv)
{
    snprintf(base, sizeof base, "%s/files-test-%d", argc > 1 ? argv[1] : "/tmp", (int)getpid());
    if (mkdir(base, 0755) != 0) {
        perror(base);
        return 2;
    }
    test_read_write();
    test_errnos();
    test_links_and_rename();
    test_directories();
    test_metadata();
    test_descriptors();
    test_redirect_stdout();
    test_mmap();
    test_tmpfile();
    return finish("files");
}
