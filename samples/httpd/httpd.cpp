// SPDX-License-Identifier: MIT
// samples/httpd: a small HTTP/1.1 server, written as for Linux (it builds and runs there too).
//
//   GET  /...            static files from /www (sealed into the image; ./rootfs/www on Linux)
//   GET  /api/status     a JSON document: uptime, requests served, open connections
//   POST /api/echo       the request body back
//   POST /api/shutdown   answers, then the server closes every connection and exits 0
//
// One thread, one edge-triggered epoll instance, non-blocking sockets, keep-alive (HTTP/1.1 by
// default, HTTP/1.0 with "Connection: keep-alive"), pipelined requests, request bodies by
// Content-Length. SIGTERM and SIGINT shut it down like /api/shutdown.
//
// usage: httpd [PORT] [ROOT]      (defaults 8080 and /www, or ./rootfs/www when /www does not exist)
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t k_max_request = 64 * 1024;
constexpr size_t k_max_body = 64 * 1024 * 1024;

struct File {
    std::string content;
    std::string type;
};

std::unordered_map<std::string, File> g_files; // By URL path.
volatile sig_atomic_t g_stop;
unsigned long g_requests;
unsigned g_connections;
timespec g_started;

std::string_view content_type(std::string_view path)
{
    static const std::map<std::string_view, std::string_view> types = {
        { ".html", "text/html; charset=utf-8" }, { ".css", "text/css" }, { ".js", "text/javascript" },
        { ".json", "application/json" }, { ".txt", "text/plain; charset=utf-8" }, { ".png", "image/png" },
        { ".svg", "image/svg+xml" }, { ".ico", "image/x-icon" },
    };
    size_t dot = path.rfind('.');
    if (dot != std::string_view::npos)
        if (auto it = types.find(path.substr(dot)); it != types.end())
            return it->second;
    return "application/octet-stream";
}

// Loads every file under `directory` into memory once: the site is small and never changes.
void load_files(const std::string& directory, const std::string& prefix)
{
    DIR* dir = opendir(directory.c_str());
    if (!dir)
        return;
    while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == "..")
            continue;
        std::string path = directory + "/" + name;
        struct stat st;
        if (stat(path.c_str(), &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            load_files(path, prefix + "/" + name);
            continue;
        }
        FILE* f = fopen(path.c_str(), "rb");
        if (!f)
            continue;
        std::string content(static_cast<size_t>(st.st_size), '\0');
        size_t got = fread(content.data(), 1, content.size(), f);
        fclose(f);
        content.resize(got);
        std::string url = prefix + "/" + name;
        g_files[url] = { std::move(content), std::string(content_type(url)) };
        if (name == "index.html")
            g_files[prefix.empty() ? "/" : prefix + "/"] = g_files[url];
    }
    closedir(dir);
}

struct Connection {
    int fd;
    std::string input;
    std::string output;
    size_t sent = 0;
    bool close_after_output = false;
};

std::string response(int status, std::string_view reason, std::string_view type, std::string_view body, bool keep_alive)
{
    char head[256];
    int n = std::snprintf(head, sizeof head,
        "HTTP/1.1 %d %.*s\r\nServer: uksdk-httpd\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\n"
        "Connection: %s\r\n\r\n",
        status, static_cast<int>(reason.size()), reason.data(), static_cast<int>(type.size()), type.data(), body.size(),
        keep_alive ? "keep-alive" : "close");
    std::string r(head, static_cast<size_t>(n));
    r.append(body);
    return r;
}

std::string_view header(std::string_view headers, std::string_view name)
{
    // Case-insensitive search for "\r\nName:" in the header block.
    for (size_t at = headers.find("\r\n"); at != std::string_view::npos; at = headers.find("\r\n", at + 2)) {
        std::string_view line = headers.substr(at + 2);
        line = line.substr(0, line.find("\r\n"));
        if (line.size() > name.size() && line[name.size()] == ':'
            && strncasecmp(line.data(), name.data(), name.size()) == 0) {
            std::string_view value = line.substr(name.size() + 1);
            while (!value.empty() && value.front() == ' ')
                value.remove_prefix(1);
            return value;
        }
    }
    return {};
}

double uptime_seconds()
{
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec - g_started.tv_sec) + static_cast<double>(now.tv_nsec - g_started.tv_nsec) / 1e9;
}

// Handles every complete request in c.input; false when the connection must close now (bad request).
bool handle_requests(Connection& c)
{
    for (;;) {
        size_t end = c.input.find("\r\n\r\n");
        if (end == std::string::npos)
            return c.input.size() <= k_max_request;
        std::string_view head(c.input.data(), end);
        size_t line_end = head.find("\r\n");
        std::string_view request_line = head.substr(0, line_end);
        size_t sp1 = request_line.find(' ');
        size_t sp2 = request_line.rfind(' ');
        if (sp1 == std::string_view::npos || sp2 == sp1) {
            c.output += response(400, "Bad Request", "text/plain", "bad request line\n", false);
            c.close_after_output = true;
            return true;
        }
        std::string_view method = request_line.substr(0, sp1);
        std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
        std::string_view version = request_line.substr(sp2 + 1);
        std::string_view connection = header(head, "Connection");
        bool keep_alive = version == "HTTP/1.1" ? strncasecmp(connection.data(), "close", connection.size()) != 0 || connection.empty()
                                                : strncasecmp(connection.data(), "keep-alive", connection.size()) == 0 && !connection.empty();
        size_t body_length = 0;
        if (auto length = header(head, "Content-Length"); !length.empty())
            body_length = std::strtoull(std::string(length).c_str(), nullptr, 10);
        if (body_length > k_max_body) {
            c.output += response(413, "Payload Too Large", "text/plain", "too large\n", false);
            c.close_after_output = true;
            return true;
        }
        if (c.input.size() < end + 4 + body_length)
            return true; // The body is still coming.
        std::string_view body(c.input.data() + end + 4, body_length);
        std::string_view path = target.substr(0, target.find('?'));
        ++g_requests;
        if (method == "GET" && path == "/api/status") {
            char json[160];
            std::snprintf(json, sizeof json,
                "{\"server\":\"uksdk-httpd\",\"uptime_seconds\":%.3f,\"requests\":%lu,\"connections\":%u}\n",
                uptime_seconds(), g_requests, g_connections);
            c.output += response(200, "OK", "application/json", json, keep_alive);
        } else if (method == "POST" && path == "/api/echo") {
            c.output += response(200, "OK", "application/octet-stream", body, keep_alive);
        } else if (method == "POST" && path == "/api/shutdown") {
            c.output += response(200, "OK", "application/json", "{\"shutting_down\":true}\n", false);
            c.close_after_output = true;
            g_stop = 1;
        } else if (method == "GET" || method == "HEAD") {
            auto it = g_files.find(std::string(path));
            if (it == g_files.end()) {
                c.output += response(404, "Not Found", "text/plain", "not found\n", keep_alive);
            } else {
                std::string r = response(200, "OK", it->second.type, it->second.content, keep_alive);
                if (method == "HEAD")
                    r.resize(r.find("\r\n\r\n") + 4);
                c.output += r;
            }
        } else {
            c.output += response(405, "Method Not Allowed", "text/plain", "method not allowed\n", keep_alive);
        }
        c.input.erase(0, end + 4 + body_length);
        if (!keep_alive) {
            c.close_after_output = true;
            return true;
        }
    }
}

// Writes what it can; false when the connection is finished (error, or closing after output).
bool flush(Connection& c)
{
    while (c.sent < c.output.size()) {
        ssize_t n = send(c.fd, c.output.data() + c.sent, c.output.size() - c.sent, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR;
        c.sent += static_cast<size_t>(n);
    }
    c.output.clear();
    c.sent = 0;
    return !c.close_after_output;
}

void on_signal(int) { g_stop = 1; }

} // namespace

int main(int argc, char** argv)
{
    int port = argc > 1 ? std::atoi(argv[1]) : 8080;
    std::string root = argc > 2 ? argv[2] : (access("/www", R_OK) == 0 ? "/www" : "rootfs/www");
    clock_gettime(CLOCK_MONOTONIC, &g_started);
    load_files(root, "");
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) {
        std::perror("httpd: socket");
        return 1;
    }
    int on = 1, off = 0;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off); // IPv4 too.
    sockaddr_in6 address {};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(static_cast<uint16_t>(port));
    address.sin6_addr = in6addr_any;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 1024) != 0) {
        std::perror("httpd: bind/listen");
        return 1;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event e {};
    e.events = EPOLLIN;
    e.data.ptr = nullptr; // The listener.
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &e);
    std::printf("httpd: serving %zu files from %s on port %d\n", g_files.size(), root.c_str(), port);
    std::fflush(stdout);

    std::vector<epoll_event> events(256);
    while (!g_stop) {
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
        if (n < 0 && errno != EINTR) {
            std::perror("httpd: epoll_wait");
            break;
        }
        for (int i = 0; i < n; ++i) {
            if (!events[i].data.ptr) {
                for (;;) {
                    int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0)
                        break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    auto* c = new Connection { fd, {}, {}, 0, false };
                    epoll_event ce {};
                    ce.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
                    ce.data.ptr = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
                    ++g_connections;
                }
                continue;
            }
            auto* c = static_cast<Connection*>(events[i].data.ptr);
            bool open = true;
            if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                char buffer[16384];
                for (;;) {
                    ssize_t got = recv(c->fd, buffer, sizeof buffer, 0);
                    if (got > 0) {
                        c->input.append(buffer, static_cast<size_t>(got));
                        continue;
                    }
                    if (got == 0 || (errno != EAGAIN && errno != EINTR))
                        open = false; // The peer closed (or reset): finish what is owed first.
                    break;
                }
                if (!handle_requests(*c))
                    c->close_after_output = true, open = false;
            }
            bool keep = flush(*c) && open;
            if (!keep) {
                close(c->fd); // Also removes it from the epoll set.
                --g_connections;
                delete c;
            }
        }
    }
    std::printf("httpd: shutting down after %lu requests\n", g_requests);
    close(listener);
    close(ep);
    return 0;
}
