// SPDX-License-Identifier: MIT
// The 9P2000.L protocol: encoding the requests (T-messages) the runtime sends and decoding,
// with every length checked, the replies (R-messages) a 9P server sends back. Messages live in a
// list of separate buffers (a virtio driver's pages), so nothing here assumes they are
// contiguous. Portable code: host unit tests and a fuzzer of the reply decoders run it.
//
// [9P2000.L] The protocol as Linux's v9fs and QEMU's 9pfs speak it (Linux's
// Documentation/filesystems/9p.rst and include/net/9p/9p.h; the message formats of the
// diod project's protocol.md). Every integer is little-endian; a string is a u16 length and
// that many bytes, without a terminator; a qid is type[1] version[4] path[8].
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::ninep {

// Message types (the reply to T is T + 1).
enum MessageType : u8 {
    k_rlerror = 7,
    k_tstatfs = 8,
    k_tlopen = 12,
    k_tlcreate = 14,
    k_tsymlink = 16,
    k_tmknod = 18,
    k_treadlink = 22,
    k_tgetattr = 24,
    k_tsetattr = 26,
    k_treaddir = 40,
    k_tfsync = 50,
    k_tlink = 70,
    k_tmkdir = 72,
    k_trenameat = 74,
    k_tunlinkat = 76,
    k_tversion = 100,
    k_tattach = 104,
    k_tflush = 108,
    k_twalk = 110,
    k_tread = 116,
    k_twrite = 118,
    k_tclunk = 120,
};

inline constexpr u16 k_no_tag = 0xffff;
inline constexpr u32 k_no_fid = 0xffffffff;
// size[4] type[1] tag[2]
inline constexpr u32 k_header_size = 7;
// Twrite: header, fid[4] offset[8] count[4]; Rread: header, count[4].
inline constexpr u32 k_write_overhead = k_header_size + 16;
inline constexpr u32 k_read_overhead = k_header_size + 4;
// At most this many names per Twalk [9P2000 walk(5): MAXWELEM].
inline constexpr u32 k_max_walk_names = 16;
// The smallest msize the runtime accepts: a page of data and its header.
inline constexpr u32 k_min_message_size = 4096 + k_write_overhead;

// qid.type bits.
inline constexpr u8 k_qid_directory = 0x80;
inline constexpr u8 k_qid_symlink = 0x02;

struct Qid {
    u8 type;
    u32 version;
    u64 path;
};

// Tgetattr request_mask / Rgetattr valid bits.
inline constexpr u64 k_getattr_basic = 0x000007ff; // mode ... blocks
// Tsetattr valid bits.
enum SetattrBits : u32 {
    k_setattr_mode = 1u << 0,
    k_setattr_uid = 1u << 1,
    k_setattr_gid = 1u << 2,
    k_setattr_size = 1u << 3,
    k_setattr_atime = 1u << 4,
    k_setattr_mtime = 1u << 5,
    k_setattr_ctime = 1u << 6,
    k_setattr_atime_set = 1u << 7, // Use the given atime, not the server's clock.
    k_setattr_mtime_set = 1u << 8,
};
// Tunlinkat flags: Linux's AT_REMOVEDIR.
inline constexpr u32 k_unlink_directory = 0x200;

struct Attributes {
    u64 valid;
    Qid qid;
    u32 mode, uid, gid;
    u64 nlink, rdev, size, block_size, blocks;
    i64 atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, btime_sec, btime_nsec;
    u64 generation, data_version;
};

struct AttributeChanges {
    u32 valid; // SetattrBits
    u32 mode, uid, gid;
    u64 size;
    i64 atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct FileSystemStatus {
    u32 type, block_size;
    u64 blocks, blocks_free, blocks_available, files, files_free, fsid;
    u32 name_length;
};

// One buffer of a message: the driver's pages, or any memory in tests.
struct Piece {
    u8* data;
    size_t length;
};

// Writes one T-message into pieces. Running out of room is remembered: finish() then says 0.
class Writer {
public:
    Writer(const Piece* pieces, size_t count) : m_pieces(pieces), m_count(count) {}

    // Starts a message: room for size[4], then type and tag.
    void begin(u8 type, u16 tag);
    void put_u8(u8 value) { put(&value, 1); }
    void put_u16(u16 value) { put(&value, 2); }
    void put_u32(u32 value) { put(&value, 4); }
    void put_u64(u64 value) { put(&value, 8); }
    // A string; names longer than 65535 bytes cannot be encoded (the message is then refused).
    void put_string(const char* chars, size_t length);
    // Raw bytes (a Twrite's data; the source may be program memory).
    void put(const void* bytes, size_t length);
    // Writes the size field; the message's length, or 0 if it did not fit.
    u32 finish();
    size_t position() const { return m_position; }

private:
    u8* at(size_t offset, size_t& room);
    const Piece* m_pieces;
    size_t m_count;
    size_t m_position = 0;
    bool m_overflow = false;
};

// Reads one R-message out of pieces; every read checks the bytes are there. A failed read is
// remembered (ok() turns false) and later reads return zeros.
class Reader {
public:
    Reader() = default; // Reads nothing (Result<Reader> needs a default).
    Reader(const Piece* pieces, size_t count, size_t length);

    u8 get_u8();
    u16 get_u16();
    u32 get_u32();
    u64 get_u64();
    Qid get_qid();
    // Copies `length` bytes out (into program memory for Rread).
    void get(void* out, size_t length);
    void skip(size_t length);
    // A string into `out` (NUL-terminated); fails when it is longer than capacity - 1 or holds
    // a NUL byte. Returns its length.
    size_t get_string(char* out, size_t capacity);
    bool ok() const { return !m_failed; }
    size_t remaining() const { return m_failed ? 0 : m_length - m_position; }
    void fail() { m_failed = true; }

private:
    const Piece* m_pieces = nullptr;
    size_t m_count = 0;
    size_t m_length = 0;
    size_t m_position = 0;
    bool m_failed = false;
};

// Requests. Each writes a whole message with `tag`; the return value is the message's length
// (0: it does not fit the pieces, or a name is too long to encode).
u32 encode_version(Writer& w, u32 message_size);
u32 encode_attach(Writer& w, u16 tag, u32 fid, const char* user, u32 uid);
u32 encode_walk(Writer& w, u16 tag, u32 fid, u32 new_fid, const char* const* names, const size_t* lengths, u16 count);
u32 encode_getattr(Writer& w, u16 tag, u32 fid, u64 mask);
u32 encode_setattr(Writer& w, u16 tag, u32 fid, const AttributeChanges& changes);
u32 encode_lopen(Writer& w, u16 tag, u32 fid, u32 flags);
u32 encode_lcreate(Writer& w, u16 tag, u32 fid, const char* name, size_t length, u32 flags, u32 mode, u32 gid);
u32 encode_read(Writer& w, u16 tag, u32 fid, u64 offset, u32 count);
u32 encode_write(Writer& w, u16 tag, u32 fid, u64 offset, const void* data, u32 count);
u32 encode_readdir(Writer& w, u16 tag, u32 fid, u64 offset, u32 count);
u32 encode_mkdir(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, u32 mode, u32 gid);
u32 encode_mknod(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, u32 mode, u32 major,
    u32 minor, u32 gid);
u32 encode_symlink(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, const char* target,
    size_t target_length, u32 gid);
u32 encode_readlink(Writer& w, u16 tag, u32 fid);
u32 encode_link(Writer& w, u16 tag, u32 directory_fid, u32 fid, const char* name, size_t length);
u32 encode_unlinkat(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, u32 flags);
u32 encode_renameat(Writer& w, u16 tag, u32 old_directory_fid, const char* old_name, size_t old_length,
    u32 new_directory_fid, const char* new_name, size_t new_length);
u32 encode_statfs(Writer& w, u16 tag, u32 fid);
u32 encode_fsync(Writer& w, u16 tag, u32 fid, bool data_only);
u32 encode_clunk(Writer& w, u16 tag, u32 fid);

// Replies. `written` is how many bytes the transport says the server wrote; the message's own
// size must equal it. Each decoder checks the header (type, tag), turns Rlerror into its errno,
// and refuses with EPROTO anything malformed: lengths running past the message, counts larger
// than asked for, bytes left over, an Rlerror code that is no errno.
//
// The first step of every decoder: after it the reader stands at the reply's body.
Result<void> check_reply(Reader& r, u32 written, u8 request_type, u16 tag);

Result<u32> decode_version(Reader& r, u32 written, u32 requested_size); // The server's msize.
Result<Qid> decode_attach(Reader& r, u32 written, u16 tag);
// Rwalk: fills up to `count` qids; returns how many the server walked (fewer than asked when a
// name after the first is missing).
Result<u16> decode_walk(Reader& r, u32 written, u16 tag, Qid* qids, u16 count);
Result<Attributes> decode_getattr(Reader& r, u32 written, u16 tag);
Result<void> decode_empty(Reader& r, u32 written, u8 request_type, u16 tag); // setattr, fsync, clunk, ...
Result<Qid> decode_open(Reader& r, u32 written, u8 request_type, u16 tag, u32* io_unit); // lopen, lcreate
Result<Qid> decode_qid_reply(Reader& r, u32 written, u8 request_type, u16 tag); // mkdir, mknod, symlink
// Rread: copies the data (at most `requested` bytes) to `out`.
Result<u32> decode_read(Reader& r, u32 written, u16 tag, void* out, u32 requested);
Result<u32> decode_write(Reader& r, u32 written, u16 tag, u32 sent);
// Rreaddir: copies the entries' bytes (at most `requested`) to `out`; parse them with
// DirectoryEntries.
Result<u32> decode_readdir(Reader& r, u32 written, u16 tag, void* out, u32 requested);
Result<size_t> decode_readlink(Reader& r, u32 written, u16 tag, char* out, size_t capacity);
Result<FileSystemStatus> decode_statfs(Reader& r, u32 written, u16 tag);

// The entries of an Rreaddir: qid[13] offset[8] type[1] name[s] each.
struct DirectoryEntry {
    Qid qid;
    u64 offset; // Where the next Treaddir continues after this entry.
    u8 type;    // d_type (DT_*).
    const char* name; // Points into the buffer; not terminated.
    size_t name_length;
};

class DirectoryEntries {
public:
    DirectoryEntries(const u8* data, size_t length) : m_data(data), m_length(length) {}
    // The next entry; false at the end. A malformed entry (a name of length 0, containing '/' or
    // NUL, longer than 255, or running past the data) ends the list and sets malformed().
    bool next(DirectoryEntry& out);
    bool malformed() const { return m_malformed; }
    // The position just after the last entry next() returned.
    size_t position() const { return m_position; }

private:
    const u8* m_data;
    size_t m_length;
    size_t m_position = 0;
    bool m_malformed = false;
};

// True when `ecode` from an Rlerror is an errno the runtime may pass on.
bool is_errno(u32 ecode);

}
