// SPDX-License-Identifier: MIT
// A host directory shared with the guest (uk-run --share / --share-cwd), driven by share_check.py,
// which makes the fixtures before the run and checks the host's side after it.
//   share rw DIR     reads, lists, creates, writes, appends, truncates, renames, unlinks, makes
//                    directories and links in DIR, and checks what only a unikernel shows
//                    (EXDEV to its own /tmp, EBUSY for the mount point, mmap, statfs)
//   share ro DIR     every write to a read-only share fails with EROFS
//   share cwd PATH   the guest starts in PATH and relative names work there
//   share errors     failing calls in the working directory, one line each: the same program
//                    as a Linux process prints the same lines (share_check.py compares)
//   share bench DIR  read throughput of DIR/big.bin and open+stat cost of DIR/small/*
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#ifndef ST_RDONLY
#define ST_RDONLY 1 // <sys/statvfs.h>'s, which glibc's <sys/statfs.h> does not define
#endif

static int failures;

#define CHECK(cond)                                                                                            \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            printf("FAIL line %d: %s (errno %d: %s)\n", __LINE__, #cond, errno, strerror(errno));             \
            ++failures;                                                                                        \
        }                                                                                                      \
    } while (0)

#define CHECK_ERRNO(call, expected)                                                                            \
    do {                                                                                                       \
        errno = 0;                                                                                             \
        long result_ = (long)(call);                                                                           \
        if (result_ != -1 || errno != (expected)) {                                                            \
            printf("FAIL line %d: %s returned %ld, errno %d (%s); expected %s\n", __LINE__, #call, result_,    \
                errno, strerror(errno), #expected);                                                            \
            ++failures;                                                                                        \
        }                                                                                                      \
    } while (0)

static const char k_text[] = "The quick brown fox\njumps over the lazy dog\n";

static uint8_t binary_byte(size_t i) { return (uint8_t)(i * 31 + 7); }
static uint8_t written_byte(size_t i) { return (uint8_t)(i * 13 + 5); }

// large.bin: the bytes of a linear congruential generator, as share_check.py writes them.
static void large_bytes(uint8_t* out, size_t offset, size_t length)
{
    for (size_t i = 0; i < length; ++i) {
        uint32_t x = (uint32_t)(offset + i) * 2654435761u;
        out[i] = (uint8_t)(x >> 24);
    }
}

// The whole file, read to its end (/proc files report size 0, as on Linux).
static char* read_file(const char* path, size_t* length)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t capacity = 4096, done = 0;
    char* data = malloc(capacity + 1);
    for (;;) {
        if (done == capacity) {
            capacity *= 2;
            data = realloc(data, capacity + 1);
        }
        ssize_t n = read(fd, data + done, capacity - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    data[done] = 0;
    *length = done;
    return data;
}

static int write_file(const char* path, const void* data, size_t length)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, length);
    close(fd);
    return n == (ssize_t)length ? 0 : -1;
}

static void reads(void)
{
    size_t length;
    char* text = read_file("text.txt", &length);
    CHECK(text && length == strlen(k_text) && !memcmp(text, k_text, length));
    free(text);

    // stdio, line by line.
    FILE* f = fopen("text.txt", "r");
    CHECK(f);
    char line[64];
    CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "The quick brown fox\n"));
    CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "jumps over the lazy dog\n"));
    CHECK(f && !fgets(line, sizeof(line), f) && feof(f));
    if (f)
        fclose(f);

    char* binary = read_file("binary.bin", &length);
    CHECK(binary && length == 65536);
    for (size_t i = 0; binary && i < length; ++i)
        if ((uint8_t)binary[i] != binary_byte(i)) {
            CHECK(!"binary.bin differs");
            break;
        }
    free(binary);

    // 8 MiB in 1 MiB reads, then pread at odd places and the end.
    int fd = open("large.bin", O_RDONLY);
    CHECK(fd >= 0);
    size_t chunk = 1 << 20;
    uint8_t* got = malloc(chunk);
    uint8_t* want = malloc(chunk);
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, got, chunk);
        CHECK(n >= 0);
        if (n <= 0)
            break;
        large_bytes(want, total, (size_t)n);
        if (memcmp(got, want, (size_t)n)) {
            CHECK(!"large.bin differs");
            break;
        }
        total += (size_t)n;
    }
    CHECK(total == 8u << 20);
    CHECK(lseek(fd, 0, SEEK_END) == 8 << 20);
    CHECK(read(fd, got, 10) == 0);
    size_t offsets[] = { 12345, (8u << 20) - 100, 1 << 20 };
    for (int i = 0; i < 3; ++i) {
        CHECK(pread(fd, got, 100, (off_t)offsets[i]) == 100);
        large_bytes(want, offsets[i], 100);
        CHECK(!memcmp(got, want, 100));
    }
    CHECK(pread(fd, got, 200, (8 << 20) - 50) == 50);
    close(fd);
    free(got);
    free(want);

    // Many files: listed, then each opened.
    DIR* d = opendir("many");
    CHECK(d);
    int seen[300] = { 0 };
    int count = 0;
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        int n = -1;
        CHECK(sscanf(e->d_name, "f%03d.txt", &n) == 1 && n >= 0 && n < 300);
        CHECK(e->d_type == DT_REG);
        if (n >= 0 && n < 300)
            ++seen[n];
        ++count;
    }
    if (d)
        closedir(d);
    CHECK(count == 300);
    for (int i = 0; i < 300; ++i) {
        CHECK(seen[i] == 1);
        char path[64], expected[32];
        snprintf(path, sizeof(path), "many/f%03d.txt", i);
        snprintf(expected, sizeof(expected), "file %d\n", i);
        char* content = read_file(path, &length);
        CHECK(content && !strcmp(content, expected));
        free(content);
    }

    // Deeper paths, relative names after chdir, and ".." back out.
    char* deep = read_file("sub/dir/deep.txt", &length);
    CHECK(deep && !strcmp(deep, "deep\n"));
    free(deep);
    char base[4096], cwd[4096], expected[4200];
    CHECK(getcwd(base, sizeof(base)));
    CHECK(chdir("sub/dir") == 0);
    CHECK(getcwd(cwd, sizeof(cwd)));
    snprintf(expected, sizeof(expected), "%s/sub/dir", base);
    CHECK(!strcmp(cwd, expected));
    deep = read_file("deep.txt", &length);
    CHECK(deep && !strcmp(deep, "deep\n"));
    free(deep);
    deep = read_file("../../text.txt", &length);
    CHECK(deep && length == strlen(k_text));
    free(deep);
    CHECK(chdir("../..") == 0);
    CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, base));

    // Symlinks made on the host: to a file and to a directory.
    char target[64];
    ssize_t n = readlink("link-in-host", target, sizeof(target));
    CHECK(n == 8 && !memcmp(target, "text.txt", 8));
    struct stat st, lst;
    CHECK(stat("link-in-host", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == (off_t)strlen(k_text));
    CHECK(lstat("link-in-host", &lst) == 0 && S_ISLNK(lst.st_mode) && lst.st_size == 8);
    deep = read_file("dirlink/dir/deep.txt", &length);
    CHECK(deep && !strcmp(deep, "deep\n"));
    free(deep);
}

static void writes(void)
{
    static const char hello[] = "hello host\n";
    CHECK(write_file("new.txt", hello, strlen(hello)) == 0);
    size_t length;
    char* back = read_file("new.txt", &length);
    CHECK(back && !strcmp(back, hello));
    free(back);

    // O_APPEND appends whatever the offset says.
    int fd = open("append.txt", O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK(write(fd, "line2\n", 6) == 6);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(write(fd, "line3\n", 6) == 6);
    CHECK(lseek(fd, 0, SEEK_CUR) == 18);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 18);
    close(fd);

    CHECK(truncate("trunc.txt", 10) == 0);
    CHECK(stat("trunc.txt", &st) == 0 && st.st_size == 10);
    fd = open("ftrunc.txt", O_RDWR);
    CHECK(fd >= 0 && ftruncate(fd, 5) == 0);
    CHECK(pwrite(fd, "XY", 2, 10) == 2);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 12);
    close(fd);

    // Reads and writes at offsets.
    fd = open("rw.bin", O_CREAT | O_RDWR, 0644);
    CHECK(fd >= 0);
    CHECK(pwrite(fd, "abc", 3, 100) == 3);
    char three[3];
    CHECK(pread(fd, three, 3, 100) == 3 && !memcmp(three, "abc", 3));
    CHECK(pread(fd, three, 3, 0) == 3 && !memcmp(three, "\0\0\0", 3));
    CHECK(lseek(fd, 0, SEEK_END) == 103);
    CHECK(fsync(fd) == 0);
    CHECK(fdatasync(fd) == 0);
    close(fd);

    // 3 MiB in one write(): it travels in many 9P messages.
    size_t big = 3u << 20;
    uint8_t* data = malloc(big);
    for (size_t i = 0; i < big; ++i)
        data[i] = written_byte(i);
    CHECK(write_file("written.bin", data, big) == 0);
    free(data);

    // The tree's shape.
    CHECK(rename("rename-me.txt", "renamed.txt") == 0);
    CHECK_ERRNO(stat("rename-me.txt", &st), ENOENT);
    CHECK(unlink("delete-me.txt") == 0);
    CHECK_ERRNO(open("delete-me.txt", O_RDONLY), ENOENT);
    CHECK(mkdir("newdir", 0755) == 0 && mkdir("newdir/nested", 0700) == 0);
    CHECK(stat("newdir/nested", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    CHECK(rename("newdir/nested", "moved-nested") == 0);
    CHECK(rmdir("rmdir-me") == 0);
    CHECK(symlink("text.txt", "guest-link") == 0);
    char target[32];
    CHECK(readlink("guest-link", target, sizeof(target)) == 8 && !memcmp(target, "text.txt", 8));
    CHECK(link("text.txt", "hard.txt") == 0);
    struct stat a, b;
    CHECK(stat("text.txt", &a) == 0 && stat("hard.txt", &b) == 0 && a.st_ino == b.st_ino && a.st_nlink == 2);
    CHECK(chmod("mode.txt", 0600) == 0);
    CHECK(stat("mode.txt", &st) == 0 && (st.st_mode & 07777) == 0600);
    struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
    CHECK(utimensat(AT_FDCWD, "times.txt", times, 0) == 0);
    CHECK(stat("times.txt", &st) == 0 && st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000);

    // A FIFO in a share (made on the host: QEMU 7.2 refuses to make one, ENXIO) is the guest's
    // own, as on Linux's v9fs: its data stays in the guest.
    CHECK_ERRNO(mkfifo("fifo", 0644), ENXIO);
    CHECK(stat("host-fifo", &st) == 0 && S_ISFIFO(st.st_mode));
    fd = open("host-fifo", O_RDWR | O_NONBLOCK);
    CHECK(fd >= 0 && write(fd, "through", 7) == 7);
    char piped[8] = { 0 };
    CHECK(read(fd, piped, sizeof(piped)) == 7 && !strcmp(piped, "through"));
    close(fd);

    // An open file keeps working after its name is gone.
    fd = open("doomed.txt", O_CREAT | O_RDWR, 0644);
    CHECK(fd >= 0 && write(fd, "still here", 10) == 10);
    CHECK(unlink("doomed.txt") == 0);
    char still[10];
    CHECK(pread(fd, still, 10, 0) == 10 && !memcmp(still, "still here", 10));
    close(fd);

    // A directory's stream sees a file made meanwhile only after a rewind, as on Linux when the
    // stream has read that far; here it simply must list what is there at the rewind.
    DIR* d = opendir("newdir");
    CHECK(d);
    int names = 0;
    struct dirent* e;
    while (d && (e = readdir(d)))
        ++names;
    CHECK(names == 2); // "." and ".."
    CHECK(write_file("newdir/late.txt", "x", 1) == 0);
    if (d) {
        rewinddir(d);
        names = 0;
        while ((e = readdir(d)))
            names += !strcmp(e->d_name, "late.txt");
        CHECK(names == 1);
        closedir(d);
    }
}

// Several threads at once: each has requests in flight while the others wait for theirs.
static void* worker(void* argument)
{
    int id = (int)(intptr_t)argument;
    char name[64], data[10000], back[10000];
    for (int i = 0; i < 40; ++i) {
        snprintf(name, sizeof(name), "thread-%d-%d.tmp", id, i);
        for (size_t j = 0; j < sizeof(data); ++j)
            data[j] = (char)(id * 7 + i + j);
        if (write_file(name, data, sizeof(data)) != 0)
            return (void*)"write";
        int fd = open(name, O_RDONLY);
        if (fd < 0 || read(fd, back, sizeof(back)) != (ssize_t)sizeof(back) || memcmp(data, back, sizeof(data))) {
            if (fd >= 0)
                close(fd);
            return (void*)"read back";
        }
        close(fd);
        struct stat st;
        if (stat(name, &st) || st.st_size != (off_t)sizeof(data) || unlink(name))
            return (void*)"stat/unlink";
    }
    return NULL;
}

static void* large_reader(void* unused)
{
    (void)unused;
    size_t length;
    for (int i = 0; i < 3; ++i) {
        char* data = read_file("large.bin", &length);
        uint8_t head[64];
        large_bytes(head, 0, sizeof(head));
        int ok = data && length == 8u << 20 && !memcmp(data, head, sizeof(head));
        free(data);
        if (!ok)
            return (void*)"large.bin";
    }
    return NULL;
}

static void threads(void)
{
    pthread_t t[5];
    for (int i = 0; i < 4; ++i)
        CHECK(pthread_create(&t[i], NULL, worker, (void*)(intptr_t)i) == 0);
    CHECK(pthread_create(&t[4], NULL, large_reader, NULL) == 0);
    for (int i = 0; i < 5; ++i) {
        void* problem = NULL;
        pthread_join(t[i], &problem);
        if (problem)
            printf("FAIL thread %d: %s (errno %d: %s)\n", i, (const char*)problem, errno, strerror(errno));
        failures += problem != NULL;
    }
}

static void unikernel_only(const char* dir)
{
    struct stat st;
    // Across file systems: the share and the guest's own /tmp.
    CHECK_ERRNO(rename("text.txt", "/tmp/moved.txt"), EXDEV);
    CHECK_ERRNO(link("text.txt", "/tmp/linked.txt"), EXDEV);
    CHECK(write_file("/tmp/local.txt", "x", 1) == 0);
    CHECK_ERRNO(rename("/tmp/local.txt", "from-tmp.txt"), EXDEV);
    // The mount point itself.
    CHECK_ERRNO(rmdir(dir), EBUSY);
    CHECK_ERRNO(rename(dir, "/tmp/elsewhere"), EBUSY);
    // No unnamed files and no fallocate over 9P (Linux's v9fs answers the same).
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDWR, 0600), EOPNOTSUPP);
    int fd = open("rw.bin", O_RDWR);
    CHECK(fd >= 0);
    errno = 0;
    CHECK(fallocate(fd, 0, 0, 4096) == -1 && errno == EOPNOTSUPP);
    close(fd);

    struct statfs fs;
    CHECK(statfs(dir, &fs) == 0 && fs.f_type == 0x01021997);
    CHECK(statfs("/tmp", &fs) == 0 && fs.f_type == 0x01021994);
    struct stat root, shared, above;
    CHECK(stat("/", &root) == 0 && stat(dir, &shared) == 0);
    CHECK(root.st_dev != shared.st_dev);
    char parent[4200];
    snprintf(parent, sizeof(parent), "%s/..", dir);
    CHECK(stat(parent, &above) == 0 && above.st_dev == root.st_dev);

    // mmap: a private copy, never a shared mapping.
    fd = open("text.txt", O_RDWR);
    CHECK(fd >= 0);
    char* map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(map != MAP_FAILED);
    if (map != MAP_FAILED) {
        CHECK(!memcmp(map, k_text, strlen(k_text)) && map[strlen(k_text)] == 0);
        map[0] = 't'; // The file stays as it was (share_check.py looks).
        munmap(map, 4096);
    }
    CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == ENODEV);
    close(fd);

    CHECK(access("text.txt", R_OK | W_OK) == 0);
    CHECK_ERRNO(access("missing", F_OK), ENOENT);

    // /proc/mounts names the share.
    size_t length;
    char* mounts = read_file("/proc/mounts", &length);
    // Linux's escapes for blanks in mount paths.
    char expected[4200];
    size_t at = (size_t)snprintf(expected, sizeof(expected), " ");
    for (const char* c = dir; *c && at + 8 < sizeof(expected); ++c)
        at += (size_t)(*c == ' ' ? snprintf(expected + at, 5, "\\040") : snprintf(expected + at, 2, "%c", *c));
    snprintf(expected + at, sizeof(expected) - at, " 9p rw,");
    CHECK(mounts && strstr(mounts, expected));
    free(mounts);
    (void)st;
}

static void read_only(void)
{
    size_t length;
    char* text = read_file("text.txt", &length);
    CHECK(text && length == strlen(k_text));
    free(text);
    struct timespec times[2] = { { 1, 0 }, { 2, 0 } };
    CHECK_ERRNO(open("text.txt", O_WRONLY), EROFS);
    CHECK_ERRNO(open("text.txt", O_RDONLY | O_TRUNC), EROFS);
    CHECK_ERRNO(open("created.txt", O_CREAT | O_WRONLY, 0644), EROFS);
    CHECK_ERRNO(mkdir("made", 0755), EROFS);
    CHECK_ERRNO(unlink("text.txt"), EROFS);
    CHECK_ERRNO(rmdir("rmdir-me"), EROFS);
    CHECK_ERRNO(rename("text.txt", "renamed.txt"), EROFS);
    CHECK_ERRNO(chmod("text.txt", 0600), EROFS);
    CHECK_ERRNO(truncate("text.txt", 0), EROFS);
    CHECK_ERRNO(symlink("text.txt", "made-link"), EROFS);
    CHECK_ERRNO(link("text.txt", "made-hard"), EROFS);
    CHECK_ERRNO(utimensat(AT_FDCWD, "text.txt", times, 0), EROFS);
    // Existence is still reported first where Linux does.
    CHECK_ERRNO(mkdir("sub", 0755), EEXIST);
    struct statfs fs;
    CHECK(statfs(".", &fs) == 0 && (fs.f_flags & ST_RDONLY));
}

static const char* errno_name(int e)
{
    switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    case EBUSY: return "EBUSY";
    case EACCES: return "EACCES";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "other";
    }
}

#define REPORT(call)                                                                                           \
    do {                                                                                                       \
        errno = 0;                                                                                             \
        long result_ = (long)(call);                                                                           \
        printf("%-48s %s\n", #call, result_ == -1 ? errno_name(errno) : "ok");                                 \
    } while (0)

static void errors(void)
{
    struct stat st;
    char buffer[64];
    REPORT(open("missing", O_RDONLY));
    REPORT(open("missing/x", O_RDONLY));
    REPORT(open("text.txt/x", O_RDONLY));
    REPORT(open("text.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    REPORT(open("sub", O_WRONLY));
    REPORT(open("sub", O_RDWR));
    REPORT(open("text.txt", O_RDONLY | O_DIRECTORY));
    REPORT(open("new-dir/", O_CREAT | O_WRONLY, 0644));
    REPORT(open("link-in-host", O_RDONLY | O_NOFOLLOW));
    REPORT(open("loop1", O_RDONLY));
    REPORT(mkdir("sub", 0755));
    REPORT(mkdir("text.txt", 0755));
    REPORT(mkdir("missing/x", 0755));
    REPORT(mkdir("text.txt/x", 0755));
    REPORT(rmdir("nonempty"));
    REPORT(rmdir("text.txt"));
    REPORT(rmdir("missing"));
    REPORT(rmdir("sub/."));
    REPORT(rmdir("sub/.."));
    REPORT(unlink("sub"));
    REPORT(unlink("missing"));
    REPORT(unlink("text.txt/"));
    REPORT(rename("missing", "x"));
    REPORT(rename("sub", "text.txt"));
    REPORT(rename("text.txt", "sub"));
    REPORT(rename("sub", "nonempty"));
    REPORT(rename("sub", "sub/dir/inside"));
    REPORT(rename("text.txt", "missing/x"));
    REPORT(link("sub", "sublink"));
    REPORT(link("missing", "x"));
    REPORT(link("text.txt", "sub"));
    REPORT(symlink("x", "text.txt"));
    REPORT(readlink("text.txt", buffer, sizeof(buffer)));
    REPORT(readlink("missing", buffer, sizeof(buffer)));
    REPORT(truncate("sub", 0));
    REPORT(truncate("missing", 0));
    REPORT(chdir("text.txt"));
    REPORT(stat("text.txt/", &st));
    REPORT(stat("link-in-host/", &st));
    REPORT(stat("loop1", &st));
    REPORT(lstat("loop1", &st));
    REPORT(access("missing", F_OK));
    REPORT(access("text.txt", F_OK));
    REPORT(opendir("text.txt") ? 0 : -1);
    // And what succeeds, with what it changes.
    REPORT(mkdir("made", 0750));
    REPORT(stat("made", &st));
    printf("made: dir %d mode %o nlink %ld\n", S_ISDIR(st.st_mode), st.st_mode & 07777, (long)st.st_nlink);
    REPORT(rename("made", "made2"));
    REPORT(rmdir("made2"));
    REPORT(stat("text.txt", &st));
    printf("text.txt: size %ld nlink %ld\n", (long)st.st_size, (long)st.st_nlink);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void bench(const char* dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/big.bin", dir);
    size_t chunk = 1 << 20;
    char* buffer = malloc(chunk);
    for (int round = 0; round < 3; ++round) {
        int fd = open(path, O_RDONLY);
        CHECK(fd >= 0);
        double start = seconds();
        size_t total = 0;
        ssize_t n;
        while ((n = read(fd, buffer, chunk)) > 0)
            total += (size_t)n;
        double took = seconds() - start;
        close(fd);
        printf("read %zu MB in %.3f s: %.0f MB/s\n", total >> 20, took, (total >> 20) / took);
    }
    free(buffer);
    for (int round = 0; round < 3; ++round) {
        double start = seconds();
        int files = 0;
        for (int i = 0; i < 1000; ++i) {
            snprintf(path, sizeof(path), "%s/small/s%04d", dir, i);
            int fd = open(path, O_RDONLY);
            struct stat st;
            if (fd < 0 || fstat(fd, &st) || close(fd) || stat(path, &st))
                CHECK(!"open+stat failed");
            else
                ++files;
        }
        double took = seconds() - start;
        printf("open+fstat+close+stat of %d files in %.3f s: %.1f us per file\n", files, took, took * 1e6 / files);
    }
}

int main(int argc, char** argv)
{
    if (argc < 2)
        return 2;
    const char* mode = argv[1];
    if (!strcmp(mode, "errors")) {
        errors();
        return 0;
    }
    if (argc < 3)
        return 2;
    if (!strcmp(mode, "bench")) {
        bench(argv[2]);
        return failures ? 1 : 0;
    }
    if (!strcmp(mode, "cwd")) {
        char cwd[4096];
        CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, argv[2]));
        size_t length;
        char* text = read_file("text.txt", &length);
        CHECK(text && length == strlen(k_text));
        free(text);
        CHECK(write_file("from-guest.txt", "made in the guest\n", 18) == 0);
        printf(failures ? "cwd FAILED\n" : "cwd ok\n");
        return failures ? 1 : 0;
    }
    CHECK(chdir(argv[2]) == 0);
    if (!strcmp(mode, "rw")) {
        reads();
        writes();
        threads();
        unikernel_only(argv[2]);
    } else if (!strcmp(mode, "ro")) {
        read_only();
    } else {
        return 2;
    }
    printf(failures ? "share FAILED\n" : "share ok\n");
    return failures ? 1 : 0;
}
