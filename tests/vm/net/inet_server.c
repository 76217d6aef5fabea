// SPDX-License-Identifier: MIT
// The guest side of the tests that reach the guest through the NIC (inet_host.py drives them):
//   serve     one edge-triggered epoll loop: TCP echo and UDP echo on port 7000, a tiny HTTP/1.1
//             server on 8080 (for wrk; "Connection: close" closes after the response, the
//             server first, as HTTP servers do), a control port 7001 ("stats" answers the lowest
//             free descriptor and free memory, "udp" the datagrams received so far: count, bytes
//             and a hash of their contents in order, "peer" the address and port of the last HTTP
//             client, "quit" exits 0)
//   threaded  a thread per TCP echo connection on 7000, control on 7001
//   client P N [C]  opens C connections (default 1) to 10.0.2.100:P (the runner's --guestfwd),
//             sends N bytes of a pattern on each while reading the echo back, and checks it
//   interfaces  prints eth0's IPv4 address, netmask and flags, and /etc/resolv.conf
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { k_echo_port = 7000, k_control_port = 7001, k_http_port = 8080 };

static uint8_t pattern(size_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

static int tcp_listener(int port, int nonblocking)
{
    // Dual stack: the runner's forwards arrive over IPv4.
    int l = socket(AF_INET6, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
    if (l < 0 || bind(l, (struct sockaddr*)&a, sizeof a) < 0 || listen(l, 1024) < 0) {
        perror("listener");
        exit(1);
    }
    return l;
}

static long mem_free_kb(void)
{
    FILE* f = fopen("/proc/meminfo", "r");
    char line[128];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static int next_fd(void)
{
    int fd = dup(0);
    close(fd);
    return fd;
}

// What the UDP port received (QEMU's user networking with restrict=on drops every datagram the
// guest sends except DHCP's, so the host cannot see the echo; it asks for this instead).
static unsigned long g_udp_count, g_udp_bytes;
static uint64_t g_udp_hash = 14695981039346656037ull;

static void udp_received(const char* data, size_t length)
{
    ++g_udp_count;
    g_udp_bytes += length;
    for (size_t i = 0; i < length; ++i)
        g_udp_hash = (g_udp_hash ^ (uint8_t)data[i]) * 1099511628211ull; // FNV-1a
}

static char g_http_peer[INET6_ADDRSTRLEN + 8] = "none"; // The last HTTP client, for "peer".

// A control command; returns 1 to quit.
static int control(int fd, const char* command)
{
    char reply[128];
    if (!strncmp(command, "udp", 3)) {
        int n = snprintf(reply, sizeof reply, "udp %lu %lu %016llx\n", g_udp_count, g_udp_bytes,
            (unsigned long long)g_udp_hash);
        send(fd, reply, n, MSG_NOSIGNAL);
        return 0;
    }
    if (!strncmp(command, "stats", 5)) {
        int n = snprintf(reply, sizeof reply, "fd %d mem %ld\n", next_fd(), mem_free_kb());
        send(fd, reply, n, MSG_NOSIGNAL);
        return 0;
    }
    if (!strncmp(command, "peer", 4)) {
        int n = snprintf(reply, sizeof reply, "peer %s\n", g_http_peer);
        send(fd, reply, n, MSG_NOSIGNAL);
        return 0;
    }
    if (!strncmp(command, "quit", 4))
        return 1;
    send(fd, "?\n", 2, MSG_NOSIGNAL);
    return 0;
}

// ---- serve: one edge-triggered epoll loop ----

enum kind { k_listener, k_echo, k_http, k_control, k_udp };

struct conn {
    enum kind kind;
    int fd;
    int listen_kind; // For listeners: the kind of their connections.
    char* pending;   // Output not yet written (echo, http).
    size_t pending_length;
    size_t pending_capacity;
    char request[4096]; // http: a request not complete yet; control: a line.
    size_t request_length;
    int close_after_output; // http: the request said "Connection: close"; echo: the client's EOF came.
};

static int g_epoll;

static struct conn* add(enum kind kind, int fd, int listen_kind)
{
    struct conn* c = calloc(1, sizeof *c);
    c->kind = kind;
    c->fd = fd;
    c->listen_kind = listen_kind;
    struct epoll_event e = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
    if (epoll_ctl(g_epoll, EPOLL_CTL_ADD, fd, &e) < 0) {
        perror("epoll_ctl");
        exit(1);
    }
    return c;
}

static void drop(struct conn* c)
{
    close(c->fd); // Closing removes it from the epoll set.
    free(c->pending);
    free(c);
}

static void queue_output(struct conn* c, const char* data, size_t length)
{
    if (c->pending_length + length > c->pending_capacity) {
        c->pending_capacity = (c->pending_length + length) * 2;
        c->pending = realloc(c->pending, c->pending_capacity);
    }
    memcpy(c->pending + c->pending_length, data, length);
    c->pending_length += length;
}

// Writes what is pending; -1 when the connection broke.
static int flush(struct conn* c)
{
    size_t done = 0;
    while (done < c->pending_length) {
        ssize_t n = send(c->fd, c->pending + done, c->pending_length - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN)
                break;
            return -1;
        }
        done += n;
    }
    memmove(c->pending, c->pending + done, c->pending_length - done);
    c->pending_length -= done;
    // All written after "Connection: close": the server closes first (its side goes to TIME_WAIT).
    if (c->close_after_output && c->pending_length == 0)
        return -1;
    return 0;
}

static const char k_http_response[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world\n";

// Reads all there is (edge-triggered); returns -1 to drop the connection, 1 to quit.
static int readable(struct conn* c)
{
    char buf[65536];
    for (;;) {
        if (c->kind == k_echo && c->pending_length > (1 << 20))
            return 0; // Back-pressure: wait for EPOLLOUT before reading more.
        if (c->close_after_output)
            return 0; // The response is still being written; then the connection closes.
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n == 0 && c->pending_length) {
            // The client is done sending, but not all of its echo went out yet (the send buffer
            // was full): the connection closes once it has (flush()).
            c->close_after_output = 1;
            return 0;
        }
        if (n == 0)
            return -1;
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        if (c->kind == k_echo) {
            queue_output(c, buf, n);
            if (flush(c) < 0)
                return -1;
            continue;
        }
        for (ssize_t i = 0; i < n; ++i) {
            if (c->request_length == sizeof c->request)
                return -1;
            c->request[c->request_length++] = buf[i];
            if (c->kind == k_control && buf[i] == '\n') {
                c->request[c->request_length] = 0;
                c->request_length = 0;
                if (control(c->fd, c->request))
                    return 1;
            } else if (c->kind == k_http && c->request_length >= 4
                && !memcmp(c->request + c->request_length - 4, "\r\n\r\n", 4)) {
                static const char k_close[] = "\r\nConnection: close\r\n";
                if (memmem(c->request, c->request_length, k_close, sizeof k_close - 1)) {
                    c->close_after_output = 1;
                    i = n; // Nothing after this request counts.
                }
                c->request_length = 0;
                queue_output(c, k_http_response, sizeof k_http_response - 1);
            }
        }
        if (c->kind == k_http && flush(c) < 0)
            return -1;
    }
}

static int serve(void)
{
    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    add(k_listener, tcp_listener(k_echo_port, 1), k_echo);
    add(k_listener, tcp_listener(k_control_port, 1), k_control);
    add(k_listener, tcp_listener(k_http_port, 1), k_http);
    int udp = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(k_echo_port) };
    if (bind(udp, (struct sockaddr*)&a, sizeof a) < 0) {
        perror("udp bind");
        return 1;
    }
    add(k_udp, udp, 0);
    puts("serving");
    fflush(stdout);
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(g_epoll, events, 64, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; ++i) {
            struct conn* c = events[i].data.ptr;
            if (c->kind == k_listener) {
                for (;;) {
                    struct sockaddr_in6 peer;
                    socklen_t peer_length = sizeof peer;
                    int s = accept4(c->fd, (struct sockaddr*)&peer, &peer_length, SOCK_NONBLOCK);
                    if (s < 0)
                        break;
                    if (c->listen_kind == k_http) {
                        int one = 1;
                        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                        char address[INET6_ADDRSTRLEN];
                        inet_ntop(AF_INET6, &peer.sin6_addr, address, sizeof address);
                        snprintf(g_http_peer, sizeof g_http_peer, "%s %d", address, ntohs(peer.sin6_port));
                    }
                    struct conn* added = add(c->listen_kind, s, 0);
                    // Data may have come with the connection: the edge was before the add.
                    int r = readable(added);
                    if (r == 1)
                        return 0;
                    if (r < 0)
                        drop(added);
                }
                continue;
            }
            if (c->kind == k_udp) {
                char buf[65536];
                for (;;) {
                    struct sockaddr_storage from;
                    socklen_t len = sizeof from;
                    ssize_t r = recvfrom(c->fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &len);
                    if (r < 0)
                        break;
                    udp_received(buf, r);
                    sendto(c->fd, buf, r, 0, (struct sockaddr*)&from, len);
                }
                continue;
            }
            int broken = 0;
            if (events[i].events & EPOLLOUT)
                broken = flush(c) < 0;
            if (!broken && (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
                int r = readable(c);
                if (r == 1)
                    return 0;
                broken = r < 0;
            }
            if (broken)
                drop(c);
        }
    }
}

// ---- threaded: a thread per echo connection ----

static void* echo_thread(void* arg)
{
    int fd = (int)(long)arg;
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = send(fd, buf + done, n - done, MSG_NOSIGNAL);
            if (w <= 0)
                goto out;
            done += w;
        }
    }
out:
    close(fd);
    return NULL;
}

static void* echo_acceptor(void* arg)
{
    int l = (int)(long)arg;
    for (;;) {
        int s = accept(l, NULL, NULL);
        if (s < 0)
            continue;
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 256 << 10);
        pthread_create(&t, &attr, echo_thread, (void*)(long)s);
        pthread_detach(t);
    }
    return NULL;
}

static int threaded(void)
{
    int echo = tcp_listener(k_echo_port, 0);
    int ctl = tcp_listener(k_control_port, 0);
    pthread_t t;
    pthread_create(&t, NULL, echo_acceptor, (void*)(long)echo);
    puts("serving");
    fflush(stdout);
    for (;;) {
        int s = accept(ctl, NULL, NULL);
        char line[128];
        size_t length = 0;
        ssize_t n;
        while ((n = recv(s, line + length, 1, 0)) == 1) {
            if (line[length] == '\n') {
                line[length] = 0;
                length = 0;
                if (control(s, line))
                    return 0;
            } else if (++length == sizeof line - 1) {
                break;
            }
        }
        close(s);
    }
}

// ---- client: the guest connects out through --guestfwd ----

// One connection of client(): its own pattern (shifted by its index), so that streams that the
// host side mixed up, or that arrived on another connection, fail the check.
struct ClientConnection {
    int fd;
    size_t sent, received, shift;
    int bad, done;
};

static int client(int port, size_t bytes, int connections)
{
    struct ClientConnection c[16];
    struct pollfd p[16];
    if (connections < 1 || connections > 16) {
        fprintf(stderr, "client: 1 to 16 connections\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "10.0.2.100", &a.sin_addr);
    for (int i = 0; i < connections; ++i) {
        c[i] = (struct ClientConnection) { .fd = socket(AF_INET, SOCK_STREAM, 0), .shift = i * 7919u };
        if (connect(c[i].fd, (struct sockaddr*)&a, sizeof a) < 0) {
            perror("connect to 10.0.2.100");
            return 1;
        }
        fcntl(c[i].fd, F_SETFL, O_NONBLOCK);
    }
    char out[16384], in[16384];
    for (int open = connections; open > 0;) {
        for (int i = 0; i < connections; ++i)
            p[i] = (struct pollfd) { c[i].done ? -1 : c[i].fd, POLLIN | (c[i].sent < bytes ? POLLOUT : 0), 0 };
        if (poll(p, connections, 60000) <= 0) {
            printf("FAIL: no progress in 60 s\n");
            return 1;
        }
        for (int i = 0; i < connections; ++i) {
            struct ClientConnection* k = &c[i];
            if ((p[i].revents & POLLOUT) && k->sent < bytes) {
                size_t n = bytes - k->sent < sizeof out ? bytes - k->sent : sizeof out;
                for (size_t j = 0; j < n; ++j)
                    out[j] = pattern(k->shift + k->sent + j);
                ssize_t w = send(k->fd, out, n, MSG_NOSIGNAL);
                if (w > 0)
                    k->sent += w;
            }
            if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t r = recv(k->fd, in, sizeof in, 0);
                for (ssize_t j = 0; j < r; ++j)
                    k->bad |= (uint8_t)in[j] != pattern(k->shift + k->received + j);
                if (r > 0)
                    k->received += r;
                if ((r <= 0 && !(r < 0 && errno == EAGAIN)) || k->received >= bytes) {
                    k->done = 1;
                    --open;
                }
            }
        }
    }
    int failed = 0;
    for (int i = 0; i < connections; ++i) {
        close(c[i].fd);
        printf("client %d: sent %zu, received %zu, %s\n", i, c[i].sent, c[i].received, c[i].bad ? "corrupted" : "intact");
        failed |= c[i].received != bytes || c[i].bad;
    }
    if (failed)
        return 1;
    puts("client ok");
    return 0;
}

static int interfaces(void)
{
    struct ifaddrs* list;
    if (getifaddrs(&list) < 0) {
        perror("getifaddrs");
        return 1;
    }
    for (struct ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        char address[32], mask[32];
        inet_ntop(AF_INET, &((struct sockaddr_in*)i->ifa_addr)->sin_addr, address, sizeof address);
        inet_ntop(AF_INET, &((struct sockaddr_in*)i->ifa_netmask)->sin_addr, mask, sizeof mask);
        printf("%s %s %s%s%s\n", i->ifa_name, address, mask, (i->ifa_flags & IFF_UP) ? " up" : "",
            (i->ifa_flags & IFF_RUNNING) ? " running" : "");
    }
    freeifaddrs(list);
    printf("if_nametoindex eth0 %u\n", if_nametoindex("eth0"));
    FILE* f = fopen("/etc/resolv.conf", "r");
    char line[128];
    while (f && fgets(line, sizeof line, f))
        printf("resolv.conf: %s", line);
    return 0;
}

int main(int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "serve"))
        return serve();
    if (!strcmp(mode, "threaded"))
        return threaded();
    if (!strcmp(mode, "client") && (argc == 4 || argc == 5))
        return client(atoi(argv[2]), strtoul(argv[3], NULL, 0), argc == 5 ? atoi(argv[4]) : 1);
    if (!strcmp(mode, "interfaces"))
        return interfaces();
    fprintf(stderr, "usage: inet_server serve|threaded|client PORT BYTES [CONNECTIONS]|interfaces\n");
    return 2;
}
