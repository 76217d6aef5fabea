// SPDX-License-Identifier: MIT
// Scaling benchmarks, one source for uksdk, the Linux VM (static musl) and the host. Prints
// "scale NAME VALUE" lines (times in ns per operation, memory in KiB); what cannot be done is a
// "scale NAME fail REASON" line, and the program goes on with the next figure.
//   scale epoll N            N eventfds in one epoll set: epoll_ctl(ADD) cost, then epoll_wait
//                            with one ready descriptor among the N
//   scale files N SECONDS [DIR]
//                            N empty files in one directory of DIR (default /tmp: ramfs or tmpfs), in stages of
//                            1,000 / 10,000 / 100,000: create, stat and open+close per operation;
//                            a stage whose creation takes longer than SECONDS ends early (the
//                            stat and open figures are then taken at the size reached)
//   scale threads N          N threads blocked on a condition variable: create cost, memory per
//                            thread, then wake-and-join cost
//   scale conns N PORT       listens on PORT, accepts N TCP connections and leaves them idle:
//                            guest memory before and after, then waits for the peers to close
// Several figures may follow each other on one command line.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

// "MemTotal" or "MemAvailable" from /proc/meminfo, in KiB; -1 if unreadable.
static long meminfo(const char* key)
{
    FILE* f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[128];
    long value = -1;
    size_t length = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, length) && line[length] == ':')
            value = atol(line + length + 1);
    fclose(f);
    return value;
}

static long used_kib(void) { return meminfo("MemTotal") - meminfo("MemAvailable"); }

// Enough descriptors for `count` more (root may raise the hard limit; uksdk has a fixed table).
static void want_descriptors(long count)
{
    struct rlimit r = { (rlim_t)count + 64, (rlim_t)count + 64 };
    struct rlimit old;
    if (getrlimit(RLIMIT_NOFILE, &old) == 0 && old.rlim_cur >= r.rlim_cur)
        return;
    setrlimit(RLIMIT_NOFILE, &r);
}

static uint64_t g_random = 88172645463325252ull;

static uint64_t next_random(void)
{
    g_random ^= g_random << 13;
    g_random ^= g_random >> 7;
    g_random ^= g_random << 17;
    return g_random;
}

static int epoll_figure(long n)
{
    want_descriptors(n);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int* fds = calloc((size_t)n, sizeof *fds);
    if (ep < 0 || !fds) {
        printf("scale epoll_%ld fail %s\n", n, strerror(errno));
        return 1;
    }
    double add_ns = 0;
    for (long i = 0; i < n; ++i) {
        fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fds[i] < 0) {
            printf("scale epoll_%ld fail %s_at_%ld\n", n, errno == EMFILE ? "EMFILE" : strerror(errno), i);
            for (long j = 0; j < i; ++j)
                close(fds[j]);
            close(ep);
            free(fds);
            return 1;
        }
        struct epoll_event e = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
        double t0 = now_ns();
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) != 0) {
            printf("scale epoll_%ld fail epoll_ctl_%s\n", n, strerror(errno));
            return 1;
        }
        add_ns += now_ns() - t0;
    }
    printf("scale epoll_ctl_add_%ld %.1f\n", n, add_ns / (double)n);
    // One descriptor made ready, found, drained: the cost of a wait that must not scan the set.
    long rounds = 20000;
    struct epoll_event events[64];
    double t0 = now_ns();
    for (long r = 0; r < rounds; ++r) {
        long i = (long)(next_random() % (uint64_t)n);
        uint64_t one = 1;
        if (write(fds[i], &one, sizeof one) != sizeof one || epoll_wait(ep, events, 64, 0) != 1
            || events[0].data.u64 != (uint64_t)i || read(fds[i], &one, sizeof one) != sizeof one) {
            printf("scale epoll_%ld fail wait\n", n);
            return 1;
        }
    }
    printf("scale epoll_wait_one_of_%ld %.1f\n", n, (now_ns() - t0) / (double)rounds);
    for (long i = 0; i < n; ++i)
        close(fds[i]);
    close(ep);
    free(fds);
    return 0;
}

static void file_name(char* out, size_t size, const char* dir, long i) { snprintf(out, size, "%s/f%07ld", dir, i); }

static int files_figure(long n, double budget_s, const char* parent)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/scale-files-%d", parent, (int)getpid());
    if (mkdir(dir, 0700) != 0) {
        printf("scale files fail mkdir_%s\n", strerror(errno));
        return 1;
    }
    char path[160];
    long made = 0;
    for (long stage = 1000; stage <= n; stage *= 10) {
        long first = made;
        double t0 = now_ns();
        double elapsed = 0;
        for (; made < stage; ++made) {
            file_name(path, sizeof path, dir, made);
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0) {
                printf("scale files fail create_%s_at_%ld\n", strerror(errno), made);
                return 1;
            }
            close(fd);
            // Over budget: this stage ends here, at the size reached (a directory whose cost
            // grows with its size would otherwise take minutes to reach the next stage).
            if (made % 500 == 499 && (elapsed = now_ns() - t0) > budget_s * 1e9) {
                ++made;
                break;
            }
        }
        elapsed = now_ns() - t0;
        if (made < stage)
            printf("scale files fail stopped_at_%ld_files_after_%.1f_s\n", made, elapsed / 1e9);
        printf("scale create_in_%ld %.1f\n", stage, elapsed / (double)(made - first));
        long lookups = 2000;
        struct stat st;
        t0 = now_ns();
        for (long i = 0; i < lookups; ++i) {
            file_name(path, sizeof path, dir, (long)(next_random() % (uint64_t)made));
            if (stat(path, &st) != 0) {
                printf("scale files fail stat_%s\n", strerror(errno));
                return 1;
            }
        }
        printf("scale stat_in_%ld %.1f\n", stage, (now_ns() - t0) / (double)lookups);
        t0 = now_ns();
        for (long i = 0; i < lookups; ++i) {
            file_name(path, sizeof path, dir, (long)(next_random() % (uint64_t)made));
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                printf("scale files fail open_%s\n", strerror(errno));
                return 1;
            }
            close(fd);
        }
        printf("scale open_close_in_%ld %.1f\n", stage, (now_ns() - t0) / (double)lookups);
        fflush(stdout);
        if (made < stage)
            break;
    }
    for (long i = 0; i < made; ++i) {
        file_name(path, sizeof path, dir, i);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_go = PTHREAD_COND_INITIALIZER;
static int g_released;

static void* blocked(void* arg)
{
    pthread_mutex_lock(&g_lock);
    while (!g_released)
        pthread_cond_wait(&g_go, &g_lock);
    pthread_mutex_unlock(&g_lock);
    return arg;
}

static int threads_figure(long n)
{
    pthread_t* threads = calloc((size_t)n, sizeof *threads);
    long before = used_kib();
    double t0 = now_ns();
    long made = 0;
    for (; made < n; ++made) {
        int e = pthread_create(&threads[made], NULL, blocked, NULL);
        if (e) {
            printf("scale threads fail create_%s_at_%ld\n", strerror(e), made);
            break;
        }
    }
    double create = now_ns() - t0;
    long after = used_kib();
    if (made == n) {
        printf("scale thread_create_%ld %.1f\n", n, create / (double)n);
        printf("scale thread_memory_kib %.1f\n", (double)(after - before) / (double)n);
    }
    t0 = now_ns();
    pthread_mutex_lock(&g_lock);
    g_released = 1;
    pthread_cond_broadcast(&g_go);
    pthread_mutex_unlock(&g_lock);
    for (long i = 0; i < made; ++i)
        pthread_join(threads[i], NULL);
    if (made == n)
        printf("scale thread_wake_join_%ld %.1f\n", n, (now_ns() - t0) / (double)n);
    free(threads);
    return made == n ? 0 : 1;
}

static int conns_figure(long n, int port)
{
    want_descriptors(n);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (listener < 0 || bind(listener, (struct sockaddr*)&a, sizeof a) != 0 || listen(listener, 4096) != 0) {
        printf("scale conns fail listen_%s\n", strerror(errno));
        return 1;
    }
    long before = used_kib();
    printf("scale listening %d\n", port);
    printf("scale conns_used_before_kib %ld\n", before);
    fflush(stdout);
    int* fds = calloc((size_t)n, sizeof *fds);
    for (long i = 0; i < n; ++i) {
        fds[i] = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fds[i] < 0) {
            printf("scale conns fail accept_%s_at_%ld\n", strerror(errno), i);
            fflush(stdout);
            return 1;
        }
    }
    long after = used_kib();
    printf("scale conns_used_after_kib %ld\n", after);
    printf("scale conn_memory_kib %.2f\n", (double)(after - before) / (double)n);
    printf("scale conns_done %ld\n", n);
    fflush(stdout);
    // The client closes its ends once it has read conns_done; then this side closes too.
    char c;
    for (long i = 0; i < n; ++i) {
        while (read(fds[i], &c, 1) > 0) {
        }
        close(fds[i]);
    }
    close(listener);
    free(fds);
    return 0;
}

int main(int argc, char** argv)
{
    // Several figures may follow one another: "scale epoll 1000 threads 1000 ...".
    int status = 0;
    int i = 1;
    while (i < argc) {
        if (!strcmp(argv[i], "epoll") && i + 1 < argc) {
            status |= epoll_figure(atol(argv[i + 1]));
            i += 2;
        } else if (!strcmp(argv[i], "files") && i + 2 < argc) {
            // An optional directory, told from the next figure's name by its leading slash.
            int has_dir = i + 3 < argc && argv[i + 3][0] == '/';
            status |= files_figure(atol(argv[i + 1]), atof(argv[i + 2]), has_dir ? argv[i + 3] : "/tmp");
            i += has_dir ? 4 : 3;
        } else if (!strcmp(argv[i], "threads") && i + 1 < argc) {
            status |= threads_figure(atol(argv[i + 1]));
            i += 2;
        } else if (!strcmp(argv[i], "conns") && i + 2 < argc) {
            status |= conns_figure(atol(argv[i + 1]), atoi(argv[i + 2]));
            i += 3;
        } else {
            fprintf(stderr, "usage: scale [epoll N | files N SECONDS [DIR] | threads N | conns N PORT]...\n");
            return 2;
        }
        fflush(stdout);
    }
    return status;
}
