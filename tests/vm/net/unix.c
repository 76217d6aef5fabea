/* SPDX-License-Identifier: MIT */
/* AF_UNIX sockets, case by case: bulk transfers between threads, blocking calls woken from other
 * threads and by signals, descriptor passing, edge-triggered epoll with producer threads, names in
 * the file tree, many connections without growth. Each case prints "<case> ok" or FAIL lines;
 * the same source builds for the host (cc -pthread unix.c), where every case passes on Linux
 * too (the unikernel-only checks are marked). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../fs/check.h"

static void sleep_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) { }
}

static uint32_t next_random(uint32_t* state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static uint64_t fnv(uint64_t h, const void* data, size_t n)
{
    const unsigned char* p = data;
    for (size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static socklen_t path_address(struct sockaddr_un* a, const char* path)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

/* A directory of our own: several runs may share a Linux host. */
static char g_dir[64];
static void enter_directory(void)
{
    strcpy(g_dir, "/tmp/uk-unix-case-XXXXXX");
    CHECK(mkdtemp(g_dir) != NULL);
    CHECK_OK(chdir(g_dir));
}

static void leave_directory(void)
{
    CHECK_OK(chdir("/"));
    char command[128];
    snprintf(command, sizeof(command), "%s", g_dir);
    rmdir(command);
}

/* --- stream-bulk: 16 MiB in random pieces, written by one thread, read by another. */
struct bulk {
    int fd;
    size_t total;
    uint64_t hash;
    int vectors;
};

static void* bulk_writer(void* arg)
{
    struct bulk* b = arg;
    static unsigned char buffer[100000];
    uint32_t state = 12345;
    size_t sent = 0;
    uint64_t h = 0xcbf29ce484222325ull;
    while (sent < b->total) {
        size_t n = next_random(&state) % sizeof(buffer) + 1;
        if (n > b->total - sent)
            n = b->total - sent;
        for (size_t i = 0; i < n; ++i)
            buffer[i] = (unsigned char)next_random(&state);
        h = fnv(h, buffer, n);
        size_t done = 0;
        while (done < n) {
            ssize_t w;
            if (b->vectors) {
                struct iovec v[2] = { { buffer + done, (n - done) / 2 }, { buffer + done + (n - done) / 2, n - done - (n - done) / 2 } };
                w = writev(b->fd, v, 2);
            } else {
                w = write(b->fd, buffer + done, n - done);
            }
            CHECK(w > 0);
            if (w <= 0)
                return NULL;
            done += (size_t)w;
        }
        sent += n;
    }
    b->hash = h;
    CHECK_OK(shutdown(b->fd, SHUT_WR));
    return NULL;
}

static int case_stream_bulk(void)
{
    for (int vectors = 0; vectors < 2; ++vectors) {
        int sv[2];
        CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        struct bulk b = { sv[0], 16u << 20, 0, vectors };
        pthread_t t;
        pthread_create(&t, NULL, bulk_writer, &b);
        static unsigned char buffer[70000];
        uint32_t state = 999;
        size_t received = 0;
        uint64_t h = 0xcbf29ce484222325ull;
        for (;;) {
            size_t want = next_random(&state) % sizeof(buffer) + 1;
            ssize_t n = recv(sv[1], buffer, want, (want & 1) ? MSG_WAITALL : 0);
            CHECK(n >= 0);
            if (n <= 0)
                break;
            h = fnv(h, buffer, (size_t)n);
            received += (size_t)n;
        }
        pthread_join(t, NULL);
        CHECK(received == b.total);
        CHECK(h == b.hash);
        close(sv[0]);
        close(sv[1]);
    }
    return finish("stream-bulk");
}

/* --- dgram-bulk: 20000 datagrams of varied sizes to a bound socket; the writer blocks on the
 * receiver's full queue (10 datagrams) and is woken as the reader drains it. */
static void* dgram_writer(void* arg)
{
    int fd = *(int*)arg;
    static unsigned char buffer[9000];
    uint32_t state = 777;
    for (int i = 0; i < 20000; ++i) {
        size_t n = next_random(&state) % sizeof(buffer);
        if (n < sizeof(int))
            n = sizeof(int);
        memcpy(buffer, &i, sizeof(i));
        for (size_t k = sizeof(int); k < n; ++k)
            buffer[k] = (unsigned char)(i + k);
        ssize_t w = send(fd, buffer, n, 0);
        CHECK(w == (ssize_t)n);
        if (w != (ssize_t)n)
            return NULL;
    }
    return NULL;
}

static int case_dgram_bulk(void)
{
    enter_directory();
    struct sockaddr_un a;
    socklen_t l = path_address(&a, "sink");
    int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_OK(bind(r, (struct sockaddr*)&a, l));
    CHECK_OK(connect(w, (struct sockaddr*)&a, l));
    pthread_t t;
    pthread_create(&t, NULL, dgram_writer, &w);
    static unsigned char buffer[10000];
    uint32_t state = 777;
    int in_order = 1, intact = 1;
    for (int i = 0; i < 20000; ++i) {
        size_t n = next_random(&state) % 9000;
        if (n < sizeof(int))
            n = sizeof(int);
        ssize_t got = recv(r, buffer, sizeof(buffer), 0);
        if (got != (ssize_t)n) {
            CHECK(got == (ssize_t)n);
            break;
        }
        int number;
        memcpy(&number, buffer, sizeof(number));
        in_order &= number == i;
        for (size_t k = sizeof(int); k < n; ++k)
            intact &= buffer[k] == (unsigned char)(i + k);
    }
    pthread_join(t, NULL);
    CHECK(in_order);
    CHECK(intact);
    close(r);
    close(w);
    unlink("sink");
    leave_directory();
    return finish("dgram-bulk");
}

/* --- blocking: every blocking call is woken by another thread, or by a signal. */
struct waker {
    int fd;
    int action;
    int delay_ms;
    struct sockaddr_un address;
    socklen_t length;
    long result;
};

enum { k_send, k_drain, k_accept, k_connect, k_shutdown, k_recv };

static void* wake_later(void* arg)
{
    struct waker* w = arg;
    static char buffer[1 << 20];
    sleep_ms(w->delay_ms);
    switch (w->action) {
    case k_send: w->result = send(w->fd, "wake", 4, 0); break;
    case k_drain: {
        long total = 0;
        ssize_t n;
        while ((n = recv(w->fd, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0)
            total += n;
        w->result = total;
        break;
    }
    case k_accept: w->result = accept(w->fd, NULL, NULL); break;
    case k_connect: {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        w->result = connect(c, (struct sockaddr*)&w->address, w->length) == 0 ? c : -1;
        break;
    }
    case k_shutdown: w->result = shutdown(w->fd, SHUT_RDWR); break;
    case k_recv: w->result = recv(w->fd, buffer, sizeof(buffer), 0); break;
    }
    return NULL;
}

static void on_signal(int s) { (void)s; }

static void* signal_later(void* arg)
{
    sleep_ms(100);
    pthread_kill(*(pthread_t*)arg, SIGUSR1);
    return NULL;
}

static int case_blocking(void)
{
    enter_directory();
    int sv[2];
    pthread_t t;
    char c[8];
    /* recv woken by a send. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct waker w = { .fd = sv[1], .action = k_send, .delay_ms = 50 };
    pthread_create(&t, NULL, wake_later, &w);
    CHECK(recv(sv[0], c, sizeof(c), 0) == 4);
    pthread_join(t, NULL);
    /* send to a full stream woken by the reader. */
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    static char big[1 << 16];
    while (send(sv[1], big, sizeof(big), 0) > 0) { }
    CHECK(errno == EAGAIN);
    fcntl(sv[1], F_SETFL, 0);
    w = (struct waker) { .fd = sv[0], .action = k_drain, .delay_ms = 50 };
    pthread_create(&t, NULL, wake_later, &w);
    CHECK(send(sv[1], big, 100, 0) == 100);
    pthread_join(t, NULL);
    CHECK(w.result > 0);
    /* recv woken by shutdown from another thread. */
    w = (struct waker) { .fd = sv[0], .action = k_shutdown, .delay_ms = 50 };
    while (recv(sv[0], big, sizeof(big), MSG_DONTWAIT) > 0) { }
    pthread_create(&t, NULL, wake_later, &w);
    CHECK(recv(sv[0], c, sizeof(c), 0) == 0);
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
    /* accept woken by a connect; connect to a full backlog woken by an accept. */
    struct sockaddr_un a;
    socklen_t l = path_address(&a, "listener");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(s, (struct sockaddr*)&a, l));
    CHECK_OK(listen(s, 0));
    w = (struct waker) { .fd = s, .action = k_connect, .delay_ms = 50, .address = a, .length = l };
    pthread_create(&t, NULL, wake_later, &w);
    int d = accept(s, NULL, NULL);
    CHECK(d >= 0);
    pthread_join(t, NULL);
    CHECK(w.result >= 0);
    close(d);
    close((int)w.result);
    int c1 = socket(AF_UNIX, SOCK_STREAM, 0), c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(connect(c1, (struct sockaddr*)&a, l));
    w = (struct waker) { .fd = s, .action = k_accept, .delay_ms = 50 };
    pthread_create(&t, NULL, wake_later, &w);
    CHECK_OK(connect(c2, (struct sockaddr*)&a, l));
    pthread_join(t, NULL);
    CHECK(w.result >= 0);
    close((int)w.result);
    close(c1);
    close(c2);
    close(s);
    unlink("listener");
    /* A datagram sender blocked on a full queue, woken by a read. */
    l = path_address(&a, "dsink");
    int r = socket(AF_UNIX, SOCK_DGRAM, 0), u = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_OK(bind(r, (struct sockaddr*)&a, l));
    int queued = 0;
    while (sendto(u, "x", 1, MSG_DONTWAIT, (struct sockaddr*)&a, l) == 1)
        ++queued;
    CHECK(queued == 11);
    w = (struct waker) { .fd = r, .action = k_recv, .delay_ms = 50 };
    pthread_create(&t, NULL, wake_later, &w);
    CHECK(sendto(u, "y", 1, 0, (struct sockaddr*)&a, l) == 1);
    pthread_join(t, NULL);
    CHECK(w.result == 1);
    close(r);
    close(u);
    unlink("dsink");
    /* A signal interrupts a blocking recv (no SA_RESTART) and a blocking accept. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    pthread_t self = pthread_self();
    pthread_create(&t, NULL, signal_later, &self);
    errno = 0;
    CHECK(recv(sv[0], c, sizeof(c), 0) == -1 && errno == EINTR);
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
    s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    l = path_address(&a, "sq");
    CHECK_OK(bind(s, (struct sockaddr*)&a, l));
    CHECK_OK(listen(s, 1));
    pthread_create(&t, NULL, signal_later, &self);
    errno = 0;
    CHECK(accept(s, NULL, NULL) == -1 && errno == EINTR);
    pthread_join(t, NULL);
    close(s);
    unlink("sq");
    leave_directory();
    return finish("blocking");
}

/* --- rights: descriptors passed through sockets stay usable, go where they fit, and close
 * when they do not. */
static int send_fds(int socket, const int* fds, int count)
{
    char control[CMSG_SPACE(64 * sizeof(int))];
    memset(control, 0, sizeof(control));
    struct iovec io = { "R", 1 };
    struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = control,
        .msg_controllen = CMSG_SPACE((size_t)count * sizeof(int)) };
    struct cmsghdr* h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN((size_t)count * sizeof(int));
    memcpy(CMSG_DATA(h), fds, (size_t)count * sizeof(int));
    return (int)sendmsg(socket, &m, 0);
}

static int receive_fds(int socket, int* fds, int capacity, int* flags)
{
    char control[CMSG_SPACE(64 * sizeof(int))];
    char data;
    struct iovec io = { &data, 1 };
    struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = control,
        .msg_controllen = CMSG_SPACE((size_t)capacity * sizeof(int)) };
    if (recvmsg(socket, &m, 0) != 1)
        return -1;
    *flags = m.msg_flags;
    struct cmsghdr* h = CMSG_FIRSTHDR(&m);
    if (!h)
        return 0;
    int n = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    memcpy(fds, CMSG_DATA(h), (size_t)n * sizeof(int));
    return n;
}

static int open_descriptors(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; ++fd)
        if (fcntl(fd, F_GETFD) >= 0)
            ++n;
    return n;
}

static int case_rights(void)
{
    enter_directory();
    int before = open_descriptors();
    int carrier[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, carrier));
    /* Pass one end of a stream pair; it works after the sender closed its own copy. */
    int pair[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
    CHECK(send_fds(carrier[0], &pair[1], 1) == 1);
    close(pair[1]);
    int got[64], flags = 0;
    CHECK(receive_fds(carrier[1], got, 8, &flags) == 1);
    CHECK(write(got[0], "across", 6) == 6);
    char buffer[16];
    CHECK(read(pair[0], buffer, sizeof(buffer)) == 6);
    close(got[0]);
    CHECK(read(pair[0], buffer, sizeof(buffer)) == 0);
    close(pair[0]);
    /* A listening socket passed on accepts through its new descriptor. */
    struct sockaddr_un a;
    socklen_t l = path_address(&a, "passed");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(s, (struct sockaddr*)&a, l));
    CHECK_OK(listen(s, 4));
    CHECK(send_fds(carrier[0], &s, 1) == 1);
    close(s);
    CHECK(receive_fds(carrier[1], got, 8, &flags) == 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr*)&a, l));
    int d = accept(got[0], NULL, NULL);
    CHECK(d >= 0);
    close(d);
    close(c);
    close(got[0]);
    unlink("passed");
    /* 60 descriptors at once, 20 of which fit: the rest are closed (MSG_CTRUNC). */
    int pipes[30][2], ends[60];
    for (int i = 0; i < 30; ++i) {
        CHECK_OK(pipe(pipes[i]));
        ends[2 * i] = pipes[i][0];
        ends[2 * i + 1] = pipes[i][1];
    }
    CHECK(send_fds(carrier[0], ends, 60) == 1);
    for (int i = 0; i < 60; ++i)
        close(ends[i]);
    int n = receive_fds(carrier[1], got, 20, &flags);
    CHECK(n == 20);
    CHECK(flags & MSG_CTRUNC);
    /* Pairs 0..9 arrived whole: each still carries data end to end. */
    for (int i = 0; i < 10; ++i) {
        CHECK(write(got[2 * i + 1], "p", 1) == 1);
        CHECK(read(got[2 * i], buffer, 1) == 1);
    }
    for (int i = 0; i < n; ++i)
        close(got[i]);
    /* A full descriptor table: what does not fit is dropped, the message still arrives. */
    struct rlimit lim;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &lim));
    if (lim.rlim_cur > 1024) {
        lim.rlim_cur = 1024;
        CHECK_OK(setrlimit(RLIMIT_NOFILE, &lim));
    }
    int p[2];
    CHECK_OK(pipe(p));
    CHECK(send_fds(carrier[0], p, 2) == 1);
    close(p[1]);
    int fillers[1100], filled = 0;
    while (filled < 1100) {
        int f = dup(carrier[0]);
        if (f < 0)
            break;
        fillers[filled++] = f;
    }
    CHECK(errno == EMFILE);
    close(fillers[--filled]);
    n = receive_fds(carrier[1], got, 8, &flags);
    CHECK(n == 1);
    CHECK(flags & MSG_CTRUNC);
    for (int i = 0; i < filled; ++i)
        close(fillers[i]);
    if (n == 1) {
        /* The write end that did not fit was closed: its reader sees the end. */
        CHECK(read(got[0], buffer, 1) == 0);
        close(got[0]);
    }
    close(p[0]);
    /* A message with descriptors that is never received gives them back on close. */
    CHECK_OK(pipe(p));
    CHECK(send_fds(carrier[0], p, 2) == 1);
    close(p[1]);
    close(carrier[1]);
    close(carrier[0]);
    char x;
    CHECK(read(p[0], &x, 1) == 0);
    close(p[0]);
    CHECK(open_descriptors() == before);
    leave_directory();
    return finish("rights");
}

/* --- epoll-et: four producer threads, one consumer in edge-triggered epoll. */
struct producer {
    int fd;
    int id;
};

static void* produce(void* arg)
{
    struct producer* p = arg;
    char m[64];
    for (int i = 0; i < 2000; ++i) {
        int n = snprintf(m, sizeof(m), "%d:%d;", p->id, i);
        CHECK(send(p->fd, m, (size_t)n, 0) == n);
        if (i % 13 == 0)
            sched_yield();
    }
    close(p->fd);
    return NULL;
}

static int case_epoll_et(void)
{
    int ep = epoll_create1(0);
    int readers[4];
    pthread_t threads[4];
    struct producer producers[4];
    for (int i = 0; i < 4; ++i) {
        int sv[2];
        CHECK_OK(socketpair(AF_UNIX, (i % 2 ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_NONBLOCK, 0, sv));
        fcntl(sv[0], F_SETFL, 0);
        readers[i] = sv[1];
        struct epoll_event e = { EPOLLIN | EPOLLRDHUP | EPOLLET, { .u32 = (uint32_t)i } };
        CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e));
        producers[i] = (struct producer) { sv[0], i };
    }
    for (int i = 0; i < 4; ++i)
        pthread_create(&threads[i], NULL, produce, &producers[i]);
    int next[4] = { 0 }, ended = 0, ordered = 1;
    static char partial[4][64];
    static size_t partial_length[4];
    while (ended < 4) {
        struct epoll_event out[4];
        int n = epoll_wait(ep, out, 4, 5000);
        CHECK(n > 0);
        if (n <= 0)
            break;
        for (int k = 0; k < n; ++k) {
            int i = (int)out[k].data.u32;
            /* Edge-triggered: read until EAGAIN, or the data is never reported again. */
            for (;;) {
                char buffer[512];
                ssize_t r = recv(readers[i], buffer, sizeof(buffer), 0);
                if (r < 0) {
                    CHECK(errno == EAGAIN);
                    break;
                }
                if (r == 0) {
                    ++ended;
                    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, readers[i], NULL));
                    break;
                }
                for (ssize_t j = 0; j < r; ++j) {
                    char ch = buffer[j];
                    if (ch != ';') {
                        if (partial_length[i] < sizeof(partial[i]) - 1)
                            partial[i][partial_length[i]++] = ch;
                        continue;
                    }
                    partial[i][partial_length[i]] = 0;
                    int id, number;
                    if (sscanf(partial[i], "%d:%d", &id, &number) != 2 || id != i || number != next[i])
                        ordered = 0;
                    ++next[i];
                    partial_length[i] = 0;
                }
            }
        }
    }
    for (int i = 0; i < 4; ++i) {
        pthread_join(threads[i], NULL);
        CHECK(next[i] == 2000);
        close(readers[i]);
    }
    CHECK(ordered);
    close(ep);
    return finish("epoll-et");
}

/* --- names: socket files in the tree (rename, symlink, unlink while listening). */
static int case_names(void)
{
    enter_directory();
    struct sockaddr_un a;
    socklen_t l = path_address(&a, "first");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(s, (struct sockaddr*)&a, l));
    CHECK_OK(listen(s, 8));
    struct stat st;
    CHECK_OK(lstat("first", &st));
    CHECK(S_ISSOCK(st.st_mode));
    /* The socket file keeps the socket under a new name, and through a symlink. */
    CHECK_OK(rename("first", "second"));
    CHECK_OK(symlink("second", "link"));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    l = path_address(&a, "first");
    CHECK_ERRNO(connect(c, (struct sockaddr*)&a, l), ENOENT);
    l = path_address(&a, "second");
    CHECK_OK(connect(c, (struct sockaddr*)&a, l));
    int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    l = path_address(&a, "link");
    CHECK_OK(connect(c2, (struct sockaddr*)&a, l));
    /* Binding over a symlink is EADDRINUSE, like any existing name. */
    int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_ERRNO(bind(s2, (struct sockaddr*)&a, l), EADDRINUSE);
    /* getsockname still tells the name it was bound to. */
    struct sockaddr_un n;
    socklen_t nl = sizeof(n);
    CHECK_OK(getsockname(s, (struct sockaddr*)&n, &nl));
    CHECK(strcmp(n.sun_path, "first") == 0);
    /* Unlinked while listening: nobody new finds it, the connections it has go on. */
    CHECK_OK(unlink("second"));
    CHECK_OK(unlink("link"));
    int d = accept(s, NULL, NULL);
    CHECK(d >= 0);
    CHECK(send(c, "still", 5, 0) == 5);
    char buffer[8];
    CHECK(recv(d, buffer, sizeof(buffer), 0) == 5);
    int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
    l = path_address(&a, "second");
    CHECK_ERRNO(connect(c3, (struct sockaddr*)&a, l), ENOENT);
    /* A relative name is found from the working directory it is used in. */
    CHECK_OK(mkdir("sub", 0755));
    l = path_address(&a, "sub/sock");
    CHECK_OK(bind(s2, (struct sockaddr*)&a, l));
    CHECK_OK(listen(s2, 1));
    CHECK_OK(chdir("sub"));
    l = path_address(&a, "sock");
    CHECK_OK(connect(c3, (struct sockaddr*)&a, l));
    CHECK_OK(chdir(".."));
    CHECK_OK(unlink("sub/sock"));
    CHECK_OK(rmdir("sub"));
    close(c);
    close(c2);
    close(c3);
    close(d);
    close(s);
    close(s2);
    leave_directory();
    return finish("names");
}

/* --- many: 1000 connections one after the other, then 300 waiting at once, with no growth in
 * descriptors or (in the unikernel) runtime memory. */
static long runtime_heap_kb(void)
{
    FILE* f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[128];
    long kb = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Slab: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static int case_many(void)
{
    enter_directory();
    struct sockaddr_un a;
    socklen_t l = path_address(&a, "many");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(s, (struct sockaddr*)&a, l));
    CHECK_OK(listen(s, 512));
    int descriptors = open_descriptors();
    long heap = 0;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 1000; ++i) {
            int c = socket(AF_UNIX, SOCK_STREAM, 0);
            if (connect(c, (struct sockaddr*)&a, l) != 0) {
                CHECK(!"connect");
                close(c);
                break;
            }
            int d = accept(s, NULL, NULL);
            CHECK(send(c, "ping", 4, 0) == 4);
            char b[4];
            CHECK(recv(d, b, 4, 0) == 4);
            close(c);
            close(d);
        }
        int clients[300];
        for (int i = 0; i < 300; ++i) {
            clients[i] = socket(AF_UNIX, SOCK_STREAM, 0);
            CHECK_OK(connect(clients[i], (struct sockaddr*)&a, l));
            CHECK(send(clients[i], "x", 1, 0) == 1);
        }
        for (int i = 0; i < 300; ++i) {
            int d = accept(s, NULL, NULL);
            char b;
            CHECK(recv(d, &b, 1, 0) == 1);
            close(d);
            close(clients[i]);
        }
        /* The first round warms the runtime's caches; the second must not grow. */
        if (round == 0)
            heap = runtime_heap_kb();
    }
    CHECK(open_descriptors() == descriptors);
#ifdef __unikernel__
    long after = runtime_heap_kb();
    if (after > heap + 64)
        printf("runtime heap grew from %ld to %ld kB\n", heap, after);
    CHECK(after <= heap + 64);
#else
    (void)heap;
#endif
    close(s);
    unlink("many");
    leave_directory();
    return finish("many");
}

/* --- sigpipe: a write on a broken stream without a handler ends the program. */
static int case_sigpipe(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[1]);
    CHECK_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    printf("writing to a broken stream\n");
    fflush(stdout);
    write(sv[0], "x", 1);
    printf("FAIL: still running after SIGPIPE\n");
    return 1;
}

int main(int argc, char** argv)
{
    if (argc < 2) {
        printf("usage: unix CASE\n");
        return 2;
    }
    const char* c = argv[1];
    if (!strcmp(c, "stream-bulk")) return case_stream_bulk();
    if (!strcmp(c, "dgram-bulk")) return case_dgram_bulk();
    if (!strcmp(c, "blocking")) return case_blocking();
    if (!strcmp(c, "rights")) return case_rights();
    if (!strcmp(c, "epoll-et")) return case_epoll_et();
    if (!strcmp(c, "names")) return case_names();
    if (!strcmp(c, "many")) return case_many();
    if (!strcmp(c, "sigpipe")) return case_sigpipe();
    printf("unknown case %s\n", c);
    return 2;
}
