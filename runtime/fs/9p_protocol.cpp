// SPDX-License-Identifier: MIT
// 9P2000.L messages: request encoding and checked reply decoding.
#include "fs/9p_protocol.h"

#include "lib/string.h"

namespace uk::ninep {

namespace {

constexpr size_t k_qid_size = 13;
constexpr size_t k_max_name = 255;

} // namespace

u8* Writer::at(size_t offset, size_t& room)
{
    for (size_t i = 0; i < m_count; ++i) {
        if (offset < m_pieces[i].length) {
            room = m_pieces[i].length - offset;
            return m_pieces[i].data + offset;
        }
        offset -= m_pieces[i].length;
    }
    room = 0;
    return nullptr;
}

void Writer::put(const void* bytes, size_t length)
{
    const auto* in = static_cast<const u8*>(bytes);
    while (length && !m_overflow) {
        size_t room;
        u8* out = at(m_position, room);
        if (!out) {
            m_overflow = true;
            return;
        }
        size_t n = length < room ? length : room;
        copy_bytes(out, in, n);
        in += n;
        length -= n;
        m_position += n;
    }
}

void Writer::begin(u8 type, u16 tag)
{
    m_position = 0;
    m_overflow = false;
    put_u32(0);
    put_u8(type);
    put_u16(tag);
}

void Writer::put_string(const char* chars, size_t length)
{
    if (length > 0xffff) {
        m_overflow = true;
        return;
    }
    put_u16(static_cast<u16>(length));
    put(chars, length);
}

u32 Writer::finish()
{
    if (m_overflow || m_position > 0xffffffffu)
        return 0;
    u32 size = static_cast<u32>(m_position);
    size_t end = m_position;
    m_position = 0;
    put_u32(size);
    m_position = end;
    return m_overflow ? 0 : size;
}

Reader::Reader(const Piece* pieces, size_t count, size_t length) : m_pieces(pieces), m_count(count), m_length(length)
{
    size_t total = 0;
    for (size_t i = 0; i < count; ++i)
        total += pieces[i].length;
    if (length > total)
        m_failed = true;
}

void Reader::get(void* out, size_t length)
{
    auto* bytes = static_cast<u8*>(out);
    if (m_failed || length > m_length - m_position) {
        m_failed = true;
        fill_bytes(out, 0, length);
        return;
    }
    if (length == 0)
        return;
    size_t offset = m_position;
    size_t i = 0;
    // The constructor checked that the pieces hold m_length bytes.
    while (i < m_count && offset >= m_pieces[i].length) {
        offset -= m_pieces[i].length;
        ++i;
    }
    size_t done = 0;
    while (done < length && i < m_count) {
        size_t n = m_pieces[i].length - offset;
        if (n > length - done)
            n = length - done;
        copy_bytes(bytes + done, m_pieces[i].data + offset, n);
        done += n;
        offset = 0;
        ++i;
    }
    m_position += length;
}

void Reader::skip(size_t length)
{
    if (m_failed || length > m_length - m_position) {
        m_failed = true;
        return;
    }
    m_position += length;
}

u8 Reader::get_u8()
{
    u8 v;
    get(&v, 1);
    return v;
}

u16 Reader::get_u16()
{
    u16 v;
    get(&v, 2);
    return v;
}

u32 Reader::get_u32()
{
    u32 v;
    get(&v, 4);
    return v;
}

u64 Reader::get_u64()
{
    u64 v;
    get(&v, 8);
    return v;
}

Qid Reader::get_qid()
{
    Qid q;
    q.type = get_u8();
    q.version = get_u32();
    q.path = get_u64();
    return q;
}

size_t Reader::get_string(char* out, size_t capacity)
{
    u16 length = get_u16();
    if (m_failed || capacity == 0 || length >= capacity) {
        m_failed = true;
        if (capacity)
            out[0] = 0;
        return 0;
    }
    get(out, length);
    out[m_failed ? 0 : length] = 0;
    for (size_t i = 0; i < length && !m_failed; ++i)
        if (out[i] == 0)
            m_failed = true;
    return m_failed ? 0 : length;
}

bool is_errno(u32 ecode) { return ecode > 0 && ecode < 4096; }

// ---- requests ----------------------------------------------------------------------------------

u32 encode_version(Writer& w, u32 message_size)
{
    w.begin(k_tversion, k_no_tag);
    w.put_u32(message_size);
    w.put_string("9P2000.L", 8);
    return w.finish();
}

u32 encode_attach(Writer& w, u16 tag, u32 fid, const char* user, u32 uid)
{
    w.begin(k_tattach, tag);
    w.put_u32(fid);
    w.put_u32(k_no_fid); // afid: no authentication.
    w.put_string(user, string_length(user));
    w.put_string("", 0); // aname: the export's root.
    w.put_u32(uid);
    return w.finish();
}

u32 encode_walk(Writer& w, u16 tag, u32 fid, u32 new_fid, const char* const* names, const size_t* lengths, u16 count)
{
    if (count > k_max_walk_names)
        return 0;
    w.begin(k_twalk, tag);
    w.put_u32(fid);
    w.put_u32(new_fid);
    w.put_u16(count);
    for (u16 i = 0; i < count; ++i)
        w.put_string(names[i], lengths[i]);
    return w.finish();
}

u32 encode_getattr(Writer& w, u16 tag, u32 fid, u64 mask)
{
    w.begin(k_tgetattr, tag);
    w.put_u32(fid);
    w.put_u64(mask);
    return w.finish();
}

u32 encode_setattr(Writer& w, u16 tag, u32 fid, const AttributeChanges& c)
{
    w.begin(k_tsetattr, tag);
    w.put_u32(fid);
    w.put_u32(c.valid);
    w.put_u32(c.mode);
    w.put_u32(c.uid);
    w.put_u32(c.gid);
    w.put_u64(c.size);
    w.put_u64(static_cast<u64>(c.atime_sec));
    w.put_u64(static_cast<u64>(c.atime_nsec));
    w.put_u64(static_cast<u64>(c.mtime_sec));
    w.put_u64(static_cast<u64>(c.mtime_nsec));
    return w.finish();
}

u32 encode_lopen(Writer& w, u16 tag, u32 fid, u32 flags)
{
    w.begin(k_tlopen, tag);
    w.put_u32(fid);
    w.put_u32(flags);
    return w.finish();
}

u32 encode_lcreate(Writer& w, u16 tag, u32 fid, const char* name, size_t length, u32 flags, u32 mode, u32 gid)
{
    w.begin(k_tlcreate, tag);
    w.put_u32(fid);
    w.put_string(name, length);
    w.put_u32(flags);
    w.put_u32(mode);
    w.put_u32(gid);
    return w.finish();
}

u32 encode_read(Writer& w, u16 tag, u32 fid, u64 offset, u32 count)
{
    w.begin(k_tread, tag);
    w.put_u32(fid);
    w.put_u64(offset);
    w.put_u32(count);
    return w.finish();
}

u32 encode_write(Writer& w, u16 tag, u32 fid, u64 offset, const void* data, u32 count)
{
    w.begin(k_twrite, tag);
    w.put_u32(fid);
    w.put_u64(offset);
    w.put_u32(count);
    w.put(data, count);
    return w.finish();
}

u32 encode_readdir(Writer& w, u16 tag, u32 fid, u64 offset, u32 count)
{
    w.begin(k_treaddir, tag);
    w.put_u32(fid);
    w.put_u64(offset);
    w.put_u32(count);
    return w.finish();
}

u32 encode_mkdir(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, u32 mode, u32 gid)
{
    w.begin(k_tmkdir, tag);
    w.put_u32(directory_fid);
    w.put_string(name, length);
    w.put_u32(mode);
    w.put_u32(gid);
    return w.finish();
}

u32 encode_mknod(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, u32 mode, u32 major,
    u32 minor, u32 gid)
{
    w.begin(k_tmknod, tag);
    w.put_u32(directory_fid);
    w.put_string(name, length);
    w.put_u32(mode);
    w.put_u32(major);
    w.put_u32(minor);
    w.put_u32(gid);
    return w.finish();
}

u32 encode_symlink(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, const char* target,
    size_t target_length, u32 gid)
{
    w.begin(k_tsymlink, tag);
    w.put_u32(directory_fid);
    w.put_string(name, length);
    w.put_string(target, target_length);
    w.put_u32(gid);
    return w.finish();
}

u32 encode_readlink(Writer& w, u16 tag, u32 fid)
{
    w.begin(k_treadlink, tag);
    w.put_u32(fid);
    return w.finish();
}

u32 encode_link(Writer& w, u16 tag, u32 directory_fid, u32 fid, const char* name, size_t length)
{
    w.begin(k_tlink, tag);
    w.put_u32(directory_fid);
    w.put_u32(fid);
    w.put_string(name, length);
    return w.finish();
}

u32 encode_unlinkat(Writer& w, u16 tag, u32 directory_fid, const char* name, size_t length, u32 flags)
{
    w.begin(k_tunlinkat, tag);
    w.put_u32(directory_fid);
    w.put_string(name, length);
    w.put_u32(flags);
    return w.finish();
}

u32 encode_renameat(Writer& w, u16 tag, u32 old_directory_fid, const char* old_name, size_t old_length,
    u32 new_directory_fid, const char* new_name, size_t new_length)
{
    w.begin(k_trenameat, tag);
    w.put_u32(old_directory_fid);
    w.put_string(old_name, old_length);
    w.put_u32(new_directory_fid);
    w.put_string(new_name, new_length);
    return w.finish();
}

u32 encode_statfs(Writer& w, u16 tag, u32 fid)
{
    w.begin(k_tstatfs, tag);
    w.put_u32(fid);
    return w.finish();
}

u32 encode_fsync(Writer& w, u16 tag, u32 fid, bool data_only)
{
    w.begin(k_tfsync, tag);
    w.put_u32(fid);
    w.put_u32(data_only ? 1 : 0);
    return w.finish();
}

u32 encode_clunk(Writer& w, u16 tag, u32 fid)
{
    w.begin(k_tclunk, tag);
    w.put_u32(fid);
    return w.finish();
}

// ---- replies -----------------------------------------------------------------------------------

namespace {

// The body must have been read exactly.
Result<void> finished(const Reader& r)
{
    if (!r.ok() || r.remaining() != 0)
        return error(EPROTO);
    return {};
}

} // namespace

Result<void> check_reply(Reader& r, u32 written, u8 request_type, u16 tag)
{
    if (written < k_header_size)
        return error(EPROTO);
    u32 size = r.get_u32();
    u8 type = r.get_u8();
    u16 reply_tag = r.get_u16();
    if (!r.ok() || size != written || reply_tag != tag)
        return error(EPROTO);
    if (type == k_rlerror) {
        u32 ecode = r.get_u32();
        if (!r.ok() || r.remaining() != 0 || !is_errno(ecode))
            return error(EPROTO);
        return error(static_cast<int>(ecode));
    }
    if (type != request_type + 1)
        return error(EPROTO);
    return {};
}

Result<u32> decode_version(Reader& r, u32 written, u32 requested_size)
{
    TRY(check_reply(r, written, k_tversion, k_no_tag));
    u32 size = r.get_u32();
    char version[16];
    r.get_string(version, sizeof(version));
    TRY(finished(r));
    // The server may lower msize, never raise it; "unknown" means it speaks no dialect we do.
    if (size > requested_size || size < k_min_message_size || !strings_equal(version, "9P2000.L"))
        return error(EPROTO);
    return size;
}

Result<Qid> decode_attach(Reader& r, u32 written, u16 tag)
{
    TRY(check_reply(r, written, k_tattach, tag));
    Qid qid = r.get_qid();
    TRY(finished(r));
    return qid;
}

Result<u16> decode_walk(Reader& r, u32 written, u16 tag, Qid* qids, u16 count)
{
    TRY(check_reply(r, written, k_twalk, tag));
    u16 walked = r.get_u16();
    if (walked > count)
        return error(EPROTO);
    for (u16 i = 0; i < walked; ++i)
        qids[i] = r.get_qid();
    TRY(finished(r));
    return walked;
}

Result<Attributes> decode_getattr(Reader& r, u32 written, u16 tag)
{
    TRY(check_reply(r, written, k_tgetattr, tag));
    Attributes a;
    a.valid = r.get_u64();
    a.qid = r.get_qid();
    a.mode = r.get_u32();
    a.uid = r.get_u32();
    a.gid = r.get_u32();
    a.nlink = r.get_u64();
    a.rdev = r.get_u64();
    a.size = r.get_u64();
    a.block_size = r.get_u64();
    a.blocks = r.get_u64();
    a.atime_sec = static_cast<i64>(r.get_u64());
    a.atime_nsec = static_cast<i64>(r.get_u64());
    a.mtime_sec = static_cast<i64>(r.get_u64());
    a.mtime_nsec = static_cast<i64>(r.get_u64());
    a.ctime_sec = static_cast<i64>(r.get_u64());
    a.ctime_nsec = static_cast<i64>(r.get_u64());
    a.btime_sec = static_cast<i64>(r.get_u64());
    a.btime_nsec = static_cast<i64>(r.get_u64());
    a.generation = r.get_u64();
    a.data_version = r.get_u64();
    TRY(finished(r));
    // Nanoseconds out of range would turn into nonsense timestamps.
    if (a.atime_nsec < 0 || a.atime_nsec >= 1'000'000'000 || a.mtime_nsec < 0 || a.mtime_nsec >= 1'000'000'000
        || a.ctime_nsec < 0 || a.ctime_nsec >= 1'000'000'000)
        return error(EPROTO);
    return a;
}

Result<void> decode_empty(Reader& r, u32 written, u8 request_type, u16 tag)
{
    TRY(check_reply(r, written, request_type, tag));
    return finished(r);
}

Result<Qid> decode_open(Reader& r, u32 written, u8 request_type, u16 tag, u32* io_unit)
{
    TRY(check_reply(r, written, request_type, tag));
    Qid qid = r.get_qid();
    u32 unit = r.get_u32();
    TRY(finished(r));
    if (io_unit)
        *io_unit = unit;
    return qid;
}

Result<Qid> decode_qid_reply(Reader& r, u32 written, u8 request_type, u16 tag)
{
    TRY(check_reply(r, written, request_type, tag));
    Qid qid = r.get_qid();
    TRY(finished(r));
    return qid;
}

Result<u32> decode_read(Reader& r, u32 written, u16 tag, void* out, u32 requested)
{
    TRY(check_reply(r, written, k_tread, tag));
    u32 count = r.get_u32();
    if (!r.ok() || count > requested || count != r.remaining())
        return error(EPROTO);
    r.get(out, count);
    TRY(finished(r));
    return count;
}

Result<u32> decode_write(Reader& r, u32 written, u16 tag, u32 sent)
{
    TRY(check_reply(r, written, k_twrite, tag));
    u32 count = r.get_u32();
    TRY(finished(r));
    if (count > sent)
        return error(EPROTO);
    return count;
}

Result<u32> decode_readdir(Reader& r, u32 written, u16 tag, void* out, u32 requested)
{
    TRY(check_reply(r, written, k_treaddir, tag));
    u32 count = r.get_u32();
    if (!r.ok() || count > requested || count != r.remaining())
        return error(EPROTO);
    r.get(out, count);
    TRY(finished(r));
    return count;
}

Result<size_t> decode_readlink(Reader& r, u32 written, u16 tag, char* out, size_t capacity)
{
    TRY(check_reply(r, written, k_treadlink, tag));
    size_t length = r.get_string(out, capacity);
    TRY(finished(r));
    if (length == 0)
        return error(EPROTO); // An empty target cannot exist on Linux.
    return length;
}

Result<FileSystemStatus> decode_statfs(Reader& r, u32 written, u16 tag)
{
    TRY(check_reply(r, written, k_tstatfs, tag));
    FileSystemStatus s;
    s.type = r.get_u32();
    s.block_size = r.get_u32();
    s.blocks = r.get_u64();
    s.blocks_free = r.get_u64();
    s.blocks_available = r.get_u64();
    s.files = r.get_u64();
    s.files_free = r.get_u64();
    s.fsid = r.get_u64();
    s.name_length = r.get_u32();
    TRY(finished(r));
    return s;
}

bool DirectoryEntries::next(DirectoryEntry& out)
{
    if (m_malformed || m_position >= m_length)
        return false;
    size_t left = m_length - m_position;
    if (left < k_qid_size + 8 + 1 + 2) {
        m_malformed = true;
        return false;
    }
    const u8* p = m_data + m_position;
    out.qid.type = p[0];
    copy_bytes(&out.qid.version, p + 1, 4);
    copy_bytes(&out.qid.path, p + 5, 8);
    copy_bytes(&out.offset, p + 13, 8);
    out.type = p[21];
    u16 length;
    copy_bytes(&length, p + 22, 2);
    size_t size = k_qid_size + 8 + 1 + 2 + length;
    if (length == 0 || length > k_max_name || size > left) {
        m_malformed = true;
        return false;
    }
    out.name = reinterpret_cast<const char*>(p + 24);
    out.name_length = length;
    for (size_t i = 0; i < length; ++i)
        if (out.name[i] == 0 || out.name[i] == '/') {
            m_malformed = true;
            return false;
        }
    m_position += size;
    return true;
}

}
