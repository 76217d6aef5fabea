/* SPDX-License-Identifier: MIT */
/* Checks a tree unpacked at boot. `tree initrd` checks make_tree.py's tree (passed with
 * uk-run --initrd); `tree embedded` checks tests/vm/fs/embedded (sealed into the image with
 * uksdk_embed_directory); `tree both` checks both, with the initrd's override.txt winning. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int file_is(const char* path, const char* text)
{
    char buf[256] = { 0 };
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n == (ssize_t)strlen(text) && !memcmp(buf, text, n);
}

static void check_initrd(void)
{
    struct stat st;
    CHECK(file_is("/a/b/c/deep.txt", "deep\n"));
    CHECK(file_is("/etc/app.conf", "key=value\n"));
    CHECK(file_is("/secret", "s3cret\n"));
    CHECK(file_is("/name with spaces.txt", "spaces\n"));
    CHECK(stat("/empty", &st) == 0 && st.st_size == 0 && S_ISREG(st.st_mode));
    CHECK(stat("/secret", &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK(stat("/run.sh", &st) == 0 && (st.st_mode & 07777) == 0755 && access("/run.sh", X_OK) == 0);
    CHECK(stat("/etc/app.conf", &st) == 0 && st.st_mtime == 1500000000);
    CHECK(stat("/a/b", &st) == 0 && S_ISDIR(st.st_mode) && st.st_mtime == 1600000000);
    CHECK(stat("/emptydir", &st) == 0 && S_ISDIR(st.st_mode));
    /* Symlinks stay symlinks. */
    char target[64] = { 0 };
    CHECK(readlink("/link-to-deep", target, sizeof target) == 14 && !strcmp(target, "a/b/c/deep.txt"));
    CHECK(file_is("/link-to-deep", "deep\n"));
    CHECK(file_is("/abs-dir-link/c/deep.txt", "deep\n"));
    CHECK(lstat("/dangling", &st) == 0 && S_ISLNK(st.st_mode) && stat("/dangling", &st) == -1);
    /* The hard link is one inode with two names. */
    struct stat h1, h2;
    CHECK(stat("/hardlink", &h1) == 0 && stat("/a/b/c/deep.txt", &h2) == 0);
    CHECK(h1.st_ino == h2.st_ino && h1.st_nlink == 2);
    /* The 10 MiB file, byte for byte. */
    int fd = open("/big.bin", O_RDONLY);
    CHECK(fd >= 0);
    static unsigned char buf[1 << 16];
    uint32_t at = 0, bad = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; ++i)
            bad += buf[i] != (unsigned char)(((uint32_t)((at + i) % 65536) * 2654435761u) >> 24);
        at += n;
    }
    close(fd);
    CHECK(at == (10u << 20) && bad == 0);
    /* The runtime's own /etc files are still there next to the archive's. */
    CHECK(access("/etc/passwd", R_OK) == 0 && access("/tmp", W_OK) == 0);
    /* Everything unpacked is writable. */
    fd = open("/a/b/c/deep.txt", O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "more\n", 5) == 5);
    close(fd);
    CHECK(file_is("/hardlink", "deep\nmore\n"));
}

static void check_embedded(int initrd_too)
{
    CHECK(file_is("/config/settings.ini", "embedded=yes\n"));
    CHECK(file_is("/config/nested/note.txt", "sealed into the image\n"));
    CHECK(file_is("/settings-link", "embedded=yes\n"));
    CHECK(file_is("/override.txt", initrd_too ? "from the initrd\n" : "from the image\n"));
}

static int compare_names(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

/* Prints one line per node under `path` (relative names, sorted): "d NAME MODE",
 * "f NAME MODE SIZE CHECKSUM", "l NAME -> TARGET". compare_listing.py prints the same for the
 * host directory the initrd came from; the two must be equal. */
static void list(const char* root, const char* relative)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", root, *relative ? "/" : "", relative);
    DIR* d = opendir(path);
    if (!d) {
        printf("FAIL cannot open %s\n", path);
        return;
    }
    char* names[256];
    int count = 0;
    struct dirent* e;
    while ((e = readdir(d)) && count < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[count++] = strdup(e->d_name);
    closedir(d);
    qsort(names, count, sizeof names[0], compare_names);
    for (int i = 0; i < count; ++i) {
        char name[1024], full[2048];
        snprintf(name, sizeof name, "%s%s%s", relative, *relative ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", root, name);
        struct stat st;
        lstat(full, &st);
        if (S_ISLNK(st.st_mode)) {
            char target[256] = { 0 };
            readlink(full, target, sizeof target - 1);
            printf("l %s -> %s\n", name, target);
        } else if (S_ISDIR(st.st_mode)) {
            printf("d %s %o\n", name, (unsigned)(st.st_mode & 07777));
            list(root, name);
        } else {
            uint32_t sum = 0;
            FILE* f = fopen(full, "rb");
            int c;
            while (f && (c = fgetc(f)) != EOF)
                sum = sum * 31 + (unsigned char)c;
            if (f)
                fclose(f);
            printf("f %s %o %lld %08x\n", name, (unsigned)(st.st_mode & 07777), (long long)st.st_size, sum);
        }
        free(names[i]);
    }
}

int main(int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "initrd";
    if (!strcmp(mode, "list")) {
        list(argc > 2 ? argv[2] : "/data", "");
        return 0;
    }
    if (!strcmp(mode, "initrd"))
        check_initrd();
    else if (!strcmp(mode, "embedded"))
        check_embedded(0);
    else if (!strcmp(mode, "both"))
        check_embedded(1);
    else if (!strcmp(mode, "none"))
        CHECK(access("/config", F_OK) == -1 && access("/big.bin", F_OK) == -1);
    return finish(mode);
}
