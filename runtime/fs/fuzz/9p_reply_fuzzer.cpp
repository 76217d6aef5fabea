// SPDX-License-Identifier: MIT
// libFuzzer target: a 9P server answering with arbitrary bytes. Whatever a reply holds, every
// decoder either refuses it or returns values that respect what was asked (no more data than
// requested, no more qids than names, strings that fit and hold no NUL), and never reads or
// writes outside the message's pieces. The reply is spread over pieces of a size the input picks,
// as a virtio driver's pages would hold it.
#include "fs/9p_protocol.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace uk;
using namespace uk::ninep;

#define CHECK(cond)                                                                                                \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            fprintf(stderr, "9p_reply_fuzzer: check failed: %s (line %d)\n", #cond, __LINE__);                    \
            abort();                                                                                               \
        }                                                                                                          \
    } while (0)

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size)
{
    if (size < 3)
        return 0;
    size_t piece = 1 + data[0] % 64;
    u32 requested = 1 + data[1] * 16u;
    // The claimed length may differ from the bytes there by a little either way.
    int slack = static_cast<int>(data[2] % 5) - 2;
    data += 3;
    size -= 3;
    // Each piece a separate allocation, so ASan sees any read past one.
    std::vector<std::vector<u8>> buffers;
    std::vector<Piece> pieces;
    for (size_t at = 0; at < size || buffers.empty(); at += piece) {
        size_t n = size - at < piece ? size - at : piece;
        buffers.emplace_back(data + at, data + at + n);
    }
    for (auto& b : buffers)
        pieces.push_back({ b.data(), b.size() });
    u32 written = static_cast<u32>(static_cast<int>(size) + slack < 0 ? 0 : static_cast<int>(size) + slack);
    auto reader = [&] { return Reader(pieces.data(), pieces.size(), written); };
    u16 tag = 1;
    if (size >= 7)
        memcpy(&tag, data + 5, 2); // Let the tag match often.

    {
        Reader r = reader();
        auto v = decode_version(r, written, 135168);
        if (!v.is_error())
            CHECK(v.value() <= 135168 && v.value() >= k_min_message_size);
    }
    {
        Reader r = reader();
        (void)decode_attach(r, written, tag);
    }
    {
        Qid qids[16];
        for (u16 count : { 0, 1, 3, 16 }) {
            Reader r = reader();
            auto w = decode_walk(r, written, tag, qids, count);
            if (!w.is_error())
                CHECK(w.value() <= count);
        }
    }
    {
        Reader r = reader();
        auto a = decode_getattr(r, written, tag);
        if (!a.is_error())
            CHECK(a.value().mtime_nsec >= 0 && a.value().mtime_nsec < 1'000'000'000);
    }
    for (u8 type : { k_tclunk, k_tsetattr, k_tfsync, k_tunlinkat, k_trenameat, k_tlink }) {
        Reader r = reader();
        (void)decode_empty(r, written, type, tag);
    }
    {
        Reader r = reader();
        u32 unit = 0;
        (void)decode_open(r, written, k_tlopen, tag, &unit);
        Reader r2 = reader();
        (void)decode_qid_reply(r2, written, k_tmkdir, tag);
    }
    {
        std::vector<u8> out(requested);
        Reader r = reader();
        auto n = decode_read(r, written, tag, out.data(), requested);
        if (!n.is_error())
            CHECK(n.value() <= requested);
        Reader r2 = reader();
        auto d = decode_readdir(r2, written, tag, out.data(), requested);
        if (!d.is_error()) {
            CHECK(d.value() <= requested);
            DirectoryEntries entries(out.data(), d.value());
            DirectoryEntry e;
            size_t seen = 0;
            while (entries.next(e)) {
                CHECK(e.name_length > 0 && e.name_length <= 255);
                CHECK(e.name >= reinterpret_cast<const char*>(out.data())
                    && e.name + e.name_length <= reinterpret_cast<const char*>(out.data()) + d.value());
                CHECK(!memchr(e.name, '/', e.name_length) && !memchr(e.name, 0, e.name_length));
                ++seen;
            }
            CHECK(entries.position() <= d.value());
        }
    }
    {
        Reader r = reader();
        auto w = decode_write(r, written, tag, requested);
        if (!w.is_error())
            CHECK(w.value() <= requested);
    }
    {
        char target[64];
        Reader r = reader();
        auto n = decode_readlink(r, written, tag, target, sizeof(target));
        if (!n.is_error()) {
            CHECK(n.value() > 0 && n.value() < sizeof(target));
            CHECK(strlen(target) == n.value());
        }
    }
    {
        Reader r = reader();
        (void)decode_statfs(r, written, tag);
    }
    // The raw bytes as a directory listing too.
    {
        DirectoryEntries entries(data, size);
        DirectoryEntry e;
        while (entries.next(e))
            CHECK(e.name + e.name_length <= reinterpret_cast<const char*>(data) + size);
    }
    return 0;
}
