// SPDX-License-Identifier: MIT
// The 9P2000.L codec: requests encode to the bytes the protocol defines (whatever the pieces'
// sizes), and replies decode only when every length in them is right.
#include "fs/9p_protocol.h"

#include <gtest/gtest.h>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace uk;
using namespace uk::ninep;

using Bytes = std::vector<u8>;

// Splits a buffer into pieces of `size` bytes (the last may be shorter).
struct Split {
    Split(Bytes& bytes, size_t size)
    {
        for (size_t at = 0; at < bytes.size(); at += size)
            pieces.push_back({ bytes.data() + at, std::min(size, bytes.size() - at) });
    }
    std::vector<Piece> pieces;
};

// Builds a message: the size is filled in by done().
struct Message {
    Bytes bytes;
    Message(u8 type, u16 tag)
    {
        u32(0);
        u8v(type);
        u16v(tag);
    }
    Message& u8v(uint8_t v) { bytes.push_back(v); return *this; }
    Message& u16v(uint16_t v) { return raw(&v, 2); }
    Message& u32(uint32_t v) { return raw(&v, 4); }
    Message& u64(uint64_t v) { return raw(&v, 8); }
    Message& str(const std::string& s) { u16v(static_cast<uint16_t>(s.size())); return raw(s.data(), s.size()); }
    Message& qid(uint8_t type, uint64_t path) { u8v(type); u32(7); return u64(path); }
    Message& raw(const void* p, size_t n)
    {
        auto* b = static_cast<const uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
        return *this;
    }
    Bytes done()
    {
        uint32_t size = static_cast<uint32_t>(bytes.size());
        memcpy(bytes.data(), &size, 4);
        return bytes;
    }
};

template<typename Decode>
auto decode(Bytes bytes, size_t piece, Decode&& d)
{
    Split split(bytes, piece);
    Reader r(split.pieces.data(), split.pieces.size(), bytes.size());
    return d(r, static_cast<uint32_t>(bytes.size()));
}

Bytes encode(size_t piece, size_t room, u32 (*encoder)(Writer&))
{
    Bytes buffer(room, 0xcc);
    Split split(buffer, piece);
    Writer w(split.pieces.data(), split.pieces.size());
    u32 length = encoder(w);
    buffer.resize(length);
    return buffer;
}

TEST(NinePEncode, VersionBytes)
{
    Bytes got = encode(4096, 4096, [](Writer& w) { return encode_version(w, 135168); });
    Bytes want = Message(k_tversion, k_no_tag).u32(135168).str("9P2000.L").done();
    EXPECT_EQ(got, want);
    EXPECT_EQ(got.size(), 21u);
}

TEST(NinePEncode, PiecesOfAnySizeGiveTheSameBytes)
{
    auto walk = [](Writer& w) {
        const char* names[] = { "usr", "a-longer-name" };
        size_t lengths[] = { 3, 13 };
        return encode_walk(w, 3, 10, 11, names, lengths, 2);
    };
    Bytes whole = encode(4096, 4096, walk);
    Bytes want = Message(k_twalk, 3).u32(10).u32(11).u16v(2).str("usr").str("a-longer-name").done();
    EXPECT_EQ(whole, want);
    for (size_t piece : { 1, 2, 3, 5, 7, 13 })
        EXPECT_EQ(encode(piece, 4096, walk), want) << piece;
}

TEST(NinePEncode, WriteCarriesItsData)
{
    static const char data[] = "hello, host";
    Bytes got = encode(6, 4096, [](Writer& w) { return encode_write(w, 1, 42, 1ull << 40, data, 11); });
    Bytes want = Message(k_twrite, 1).u32(42).u64(1ull << 40).u32(11).raw(data, 11).done();
    EXPECT_EQ(got, want);
}

TEST(NinePEncode, SetattrLayout)
{
    AttributeChanges c {};
    c.valid = k_setattr_mode | k_setattr_mtime | k_setattr_mtime_set;
    c.mode = 0640;
    c.mtime_sec = 1700000000;
    c.mtime_nsec = 5;
    static AttributeChanges s_changes;
    s_changes = c;
    Bytes got = encode(4096, 4096, [](Writer& w) { return encode_setattr(w, 2, 9, s_changes); });
    Bytes want = Message(k_tsetattr, 2).u32(9).u32(c.valid).u32(0640).u32(0).u32(0).u64(0).u64(0).u64(0)
                     .u64(1700000000).u64(5).done();
    EXPECT_EQ(got, want);
}

TEST(NinePEncode, OverflowIsRefused)
{
    Bytes got = encode(8, 16, [](Writer& w) { return encode_version(w, 8192); });
    EXPECT_TRUE(got.empty());
    std::string name(70000, 'x');
    static std::string s_name;
    s_name = name;
    got = encode(4096, 1 << 20, [](Writer& w) { return encode_unlinkat(w, 1, 2, s_name.data(), s_name.size(), 0); });
    EXPECT_TRUE(got.empty()) << "a name longer than 65535 bytes cannot be encoded";
}

TEST(NinePDecode, VersionChecks)
{
    auto version = [](Bytes b) {
        return decode(b, 4096, [](Reader& r, u32 n) { return decode_version(r, n, 135168); });
    };
    auto ok = version(Message(101, k_no_tag).u32(65536).str("9P2000.L").done());
    ASSERT_FALSE(ok.is_error());
    EXPECT_EQ(ok.value(), 65536u);
    EXPECT_EQ(version(Message(101, k_no_tag).u32(200000).str("9P2000.L").done()).error_code(), EPROTO)
        << "the server may not raise msize";
    EXPECT_EQ(version(Message(101, k_no_tag).u32(512).str("9P2000.L").done()).error_code(), EPROTO);
    EXPECT_EQ(version(Message(101, k_no_tag).u32(65536).str("unknown").done()).error_code(), EPROTO);
    EXPECT_EQ(version(Message(101, 0).u32(65536).str("9P2000.L").done()).error_code(), EPROTO) << "wrong tag";
}

TEST(NinePDecode, GetattrAcrossPieces)
{
    Message m(k_tgetattr + 1, 4);
    m.u64(0x7ff).qid(0, 1234).u32(0100644).u32(1000).u32(1000).u64(1).u64(0).u64(12345).u64(4096).u64(32);
    for (int i = 0; i < 8; ++i)
        m.u64(i % 2 ? 999 : 1700000000 + i);
    m.u64(0).u64(0);
    Bytes bytes = m.done();
    for (size_t piece : { 1, 3, 64, 4096 }) {
        auto a = decode(bytes, piece, [](Reader& r, u32 n) { return decode_getattr(r, n, 4); });
        ASSERT_FALSE(a.is_error()) << piece;
        EXPECT_EQ(a.value().qid.path, 1234u);
        EXPECT_EQ(a.value().mode, 0100644u);
        EXPECT_EQ(a.value().size, 12345u);
        EXPECT_EQ(a.value().mtime_sec, 1700000002);
        EXPECT_EQ(a.value().mtime_nsec, 999);
    }
    // Cut short, or with a byte too many: refused.
    Bytes cut(bytes.begin(), bytes.end() - 1);
    uint32_t size = static_cast<uint32_t>(cut.size());
    memcpy(cut.data(), &size, 4);
    EXPECT_EQ(decode(cut, 4096, [](Reader& r, u32 n) { return decode_getattr(r, n, 4); }).error_code(), EPROTO);
    Bytes longer = bytes;
    longer.push_back(0);
    size = static_cast<uint32_t>(longer.size());
    memcpy(longer.data(), &size, 4);
    EXPECT_EQ(decode(longer, 4096, [](Reader& r, u32 n) { return decode_getattr(r, n, 4); }).error_code(), EPROTO);
}

TEST(NinePDecode, SizeMustMatchWhatWasWritten)
{
    Bytes bytes = Message(k_tclunk + 1, 1).done();
    Split split(bytes, 4096);
    Reader r(split.pieces.data(), split.pieces.size(), bytes.size());
    EXPECT_EQ(decode_empty(r, static_cast<u32>(bytes.size() + 1), k_tclunk, 1).error_code(), EPROTO);
    Reader again(split.pieces.data(), split.pieces.size(), bytes.size());
    EXPECT_FALSE(decode_empty(again, static_cast<u32>(bytes.size()), k_tclunk, 1).is_error());
    // A transport claiming more bytes than the buffers hold gets nothing read.
    Reader beyond(split.pieces.data(), split.pieces.size(), bytes.size() + 100);
    EXPECT_EQ(decode_empty(beyond, static_cast<u32>(bytes.size() + 100), k_tclunk, 1).error_code(), EPROTO);
}

TEST(NinePDecode, LerrorCarriesTheErrno)
{
    auto clunk = [](Bytes b) {
        return decode(b, 4096, [](Reader& r, u32 n) { return decode_empty(r, n, k_tclunk, 1); });
    };
    EXPECT_EQ(clunk(Message(k_rlerror, 1).u32(ENOENT).done()).error_code(), ENOENT);
    EXPECT_EQ(clunk(Message(k_rlerror, 1).u32(ENOTEMPTY).done()).error_code(), ENOTEMPTY);
    EXPECT_EQ(clunk(Message(k_rlerror, 1).u32(0).done()).error_code(), EPROTO);
    EXPECT_EQ(clunk(Message(k_rlerror, 1).u32(100000).done()).error_code(), EPROTO);
    EXPECT_EQ(clunk(Message(k_rlerror, 1).u32(ENOENT).u8v(0).done()).error_code(), EPROTO);
    EXPECT_EQ(clunk(Message(k_twalk + 1, 1).u16v(0).done()).error_code(), EPROTO) << "a reply to another request";
}

TEST(NinePDecode, ReadCountIsBounded)
{
    std::string data(100, 'd');
    char out[200];
    auto read = [&](Bytes b, u32 requested) {
        Split split(b, 7);
        Reader r(split.pieces.data(), split.pieces.size(), b.size());
        return decode_read(r, static_cast<u32>(b.size()), 5, out, requested);
    };
    auto ok = read(Message(k_tread + 1, 5).u32(100).raw(data.data(), 100).done(), 150);
    ASSERT_FALSE(ok.is_error());
    EXPECT_EQ(ok.value(), 100u);
    EXPECT_EQ(std::string(out, 100), data);
    EXPECT_EQ(read(Message(k_tread + 1, 5).u32(100).raw(data.data(), 100).done(), 99).error_code(), EPROTO)
        << "more than asked for";
    EXPECT_EQ(read(Message(k_tread + 1, 5).u32(101).raw(data.data(), 100).done(), 150).error_code(), EPROTO)
        << "count past the message";
    EXPECT_EQ(read(Message(k_tread + 1, 5).u32(50).raw(data.data(), 100).done(), 150).error_code(), EPROTO)
        << "bytes after the data";
}

TEST(NinePDecode, WalkAndWrite)
{
    Qid qids[2];
    Bytes two = Message(k_twalk + 1, 2).u16v(2).qid(0x80, 5).qid(0, 6).done();
    auto walked = decode(two, 4096, [&](Reader& r, u32 n) { return decode_walk(r, n, 2, qids, 2); });
    ASSERT_FALSE(walked.is_error());
    EXPECT_EQ(walked.value(), 2);
    EXPECT_EQ(qids[0].type, 0x80);
    EXPECT_EQ(qids[1].path, 6u);
    EXPECT_EQ(decode(two, 4096, [&](Reader& r, u32 n) { return decode_walk(r, n, 2, qids, 1); }).error_code(), EPROTO)
        << "more qids than names";
    Bytes wrote = Message(k_twrite + 1, 3).u32(10).done();
    EXPECT_EQ(decode(wrote, 4096, [](Reader& r, u32 n) { return decode_write(r, n, 3, 10); }).value(), 10u);
    EXPECT_EQ(decode(wrote, 4096, [](Reader& r, u32 n) { return decode_write(r, n, 3, 9); }).error_code(), EPROTO);
}

TEST(NinePDecode, Readlink)
{
    char out[16];
    auto readlink = [&](Bytes b) {
        return decode(b, 3, [&](Reader& r, u32 n) { return decode_readlink(r, n, 1, out, sizeof(out)); });
    };
    auto ok = readlink(Message(k_treadlink + 1, 1).str("../target").done());
    ASSERT_FALSE(ok.is_error());
    EXPECT_STREQ(out, "../target");
    EXPECT_EQ(readlink(Message(k_treadlink + 1, 1).str("").done()).error_code(), EPROTO);
    EXPECT_EQ(readlink(Message(k_treadlink + 1, 1).str(std::string("a\0b", 3)).done()).error_code(), EPROTO);
    EXPECT_EQ(readlink(Message(k_treadlink + 1, 1).str(std::string(16, 'x')).done()).error_code(), EPROTO)
        << "longer than the buffer";
}

TEST(NinePDecode, DirectoryEntries)
{
    Message m(0, 0);
    Bytes entries;
    auto entry = [&](uint8_t type, uint64_t path, uint64_t offset, const std::string& name) {
        Message e(0, 0);
        e.bytes.clear();
        e.qid(type, path).u64(offset).u8v(type == 0x80 ? 4 : 8).str(name);
        entries.insert(entries.end(), e.bytes.begin(), e.bytes.end());
    };
    entry(0x80, 1, 1, ".");
    entry(0x80, 2, 2, "..");
    entry(0, 3, 3, "file.txt");
    DirectoryEntries list(entries.data(), entries.size());
    DirectoryEntry e;
    std::vector<std::string> names;
    while (list.next(e))
        names.push_back(std::string(e.name, e.name_length));
    EXPECT_FALSE(list.malformed());
    EXPECT_EQ(names, (std::vector<std::string> { ".", "..", "file.txt" }));
    EXPECT_EQ(list.position(), entries.size());

    for (std::string bad : { std::string("a/b"), std::string("a\0b", 3), std::string() }) {
        entries.clear();
        entry(0, 3, 3, "ok");
        entry(0, 4, 4, bad);
        DirectoryEntries broken(entries.data(), entries.size());
        EXPECT_TRUE(broken.next(e));
        EXPECT_FALSE(broken.next(e));
        EXPECT_TRUE(broken.malformed());
    }
    entries.clear();
    entry(0, 3, 3, "truncated");
    DirectoryEntries cut(entries.data(), entries.size() - 1);
    EXPECT_FALSE(cut.next(e));
    EXPECT_TRUE(cut.malformed());
}

TEST(NinePDecode, ReaddirAndStatfs)
{
    u8 out[64];
    Bytes data(40, 7);
    Bytes reply = Message(k_treaddir + 1, 1).u32(40).raw(data.data(), 40).done();
    EXPECT_EQ(decode(reply, 5, [&](Reader& r, u32 n) { return decode_readdir(r, n, 1, out, 64); }).value(), 40u);
    EXPECT_EQ(decode(reply, 5, [&](Reader& r, u32 n) { return decode_readdir(r, n, 1, out, 39); }).error_code(),
        EPROTO);
    Bytes statfs = Message(k_tstatfs + 1, 1).u32(0x01021997).u32(4096).u64(100).u64(50).u64(40).u64(10).u64(5)
                       .u64(77).u32(255).done();
    auto s = decode(statfs, 4096, [](Reader& r, u32 n) { return decode_statfs(r, n, 1); });
    ASSERT_FALSE(s.is_error());
    EXPECT_EQ(s.value().blocks_available, 40u);
    EXPECT_EQ(s.value().name_length, 255u);
}

}
