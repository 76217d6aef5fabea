// SPDX-License-Identifier: MIT
// 9P2000.L requests over a virtio-9p device: each takes a slot, encodes its T-message into the
// slot's pages, waits for the reply and decodes it.
#include "fs/9p_client.h"

#include "drivers/virtio/9p.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

namespace uk::fs {

using namespace ninep;

// One round trip on one slot.
class NinePCall {
public:
    explicit NinePCall(NinePClient& client) : m_client(client)
    {
        client.flush_clunks();
        m_slot = virtio::ninep_acquire(*client.m_device);
        if (m_slot)
            for (size_t i = 0; i < virtio::NinePSlot::k_pages; ++i)
                m_pieces[i] = { m_slot->pages[i], k_page_size };
    }
    ~NinePCall()
    {
        if (m_slot)
            virtio::ninep_release(*m_client.m_device, *m_slot);
    }
    NinePCall(const NinePCall&) = delete;
    NinePCall& operator=(const NinePCall&) = delete;

    bool ok() const { return m_slot; }
    u16 tag() const { return m_slot->tag; }
    Writer writer() { return Writer(m_pieces, virtio::NinePSlot::k_pages); }

    // Sends the `length` bytes written; the reader stands at the reply's start.
    Result<Reader> send(u32 length)
    {
        if (length == 0 || length > m_client.message_size())
            return error(ENAMETOOLONG); // Only names and targets can make a request too long.
        size_t first = virtio::ninep_reply_page(length);
        size_t capacity = (virtio::NinePSlot::k_pages - first) * k_page_size;
        if (capacity > m_client.message_size())
            capacity = m_client.message_size();
        u32 written = TRY(virtio::ninep_exchange(*m_client.m_device, *m_slot, length, capacity));
        return Reader(m_pieces + first, virtio::NinePSlot::k_pages - first, written);
    }

private:
    NinePClient& m_client;
    virtio::NinePSlot* m_slot = nullptr;
    Piece m_pieces[virtio::NinePSlot::k_pages];
};

namespace {

// The message size asked for: all of a slot but the page the other half of an exchange needs
// (a Twrite's reply, a Tread's request).
constexpr u32 k_wanted_message_size = (virtio::NinePSlot::k_pages - 1) * k_page_size;

const char* message_name(u8 type)
{
    switch (type) {
    case k_tversion: return "Tversion";
    case k_tattach: return "Tattach";
    case k_twalk: return "Twalk";
    case k_tgetattr: return "Tgetattr";
    case k_tsetattr: return "Tsetattr";
    case k_tlopen: return "Tlopen";
    case k_tlcreate: return "Tlcreate";
    case k_tread: return "Tread";
    case k_twrite: return "Twrite";
    case k_treaddir: return "Treaddir";
    case k_tmkdir: return "Tmkdir";
    case k_tmknod: return "Tmknod";
    case k_tsymlink: return "Tsymlink";
    case k_treadlink: return "Treadlink";
    case k_tlink: return "Tlink";
    case k_tunlinkat: return "Tunlinkat";
    case k_trenameat: return "Trenameat";
    case k_tstatfs: return "Tstatfs";
    case k_tfsync: return "Tfsync";
    case k_tclunk: return "Tclunk";
    default: return "a request";
    }
}

} // namespace

// Runs one request: `encode(writer, tag)` writes it, `decode(reader, written, tag)` reads the
// reply. Malformed replies are logged and become EIO.
template<typename T, typename Encode, typename Decode>
Result<T> NinePClient::call(u8 type, Encode&& encode, Decode&& decode)
{
    NinePCall call(*this);
    if (!call.ok())
        return error(EIO);
    Writer w = call.writer();
    u16 tag = call.tag();
    auto reader = TRY(call.send(encode(w, tag)));
    Result<T> result = decode(reader, static_cast<u32>(reader.remaining()), tag);
    if (result.is_error() && result.error_code() == EPROTO)
        return malformed(type);
    return result;
}

Error NinePClient::malformed(u8 request_type)
{
    if (!m_reported[request_type]) {
        m_reported[request_type] = true;
        printk("uk: %s: the server's reply to %s breaks the 9P2000.L protocol; the call fails with EIO\n", name(),
            message_name(request_type));
    }
    return error(EIO);
}

const char* NinePClient::name() const { return m_device ? virtio::ninep_name(*m_device) : "virtio-9p"; }

Result<void> NinePClient::connect(virtio::NinePDevice& device)
{
    m_device = &device;
    m_message_size = k_wanted_message_size;
    m_pending_clunks = static_cast<u32*>(allocate_page());
    if (!m_pending_clunks)
        return error(ENOMEM);
    static_assert(k_max_pending_clunks * sizeof(u32) <= k_page_size);
    NinePCall call(*this);
    if (!call.ok())
        return error(EIO);
    Writer w = call.writer();
    auto reader = TRY(call.send(encode_version(w, k_wanted_message_size)));
    auto size = decode_version(reader, static_cast<u32>(reader.remaining()), k_wanted_message_size);
    if (size.is_error()) {
        printk("uk: %s: the server does not speak 9P2000.L with messages of at least %u bytes\n", name(),
            k_min_message_size);
        return error(EIO);
    }
    m_message_size = size.value();
    return {};
}

Result<Qid> NinePClient::attach(u32 fid)
{
    return call<Qid>(
        k_tattach, [&](Writer& w, u16 tag) { return encode_attach(w, tag, fid, "root", 0); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_attach(reader, written, tag); });
}

Result<u16> NinePClient::walk(u32 fid, u32 new_fid, const Name* names, u16 count, Qid* qids)
{
    const char* chars[k_max_walk_names];
    size_t lengths[k_max_walk_names];
    if (count > k_max_walk_names)
        return error(EINVAL);
    for (u16 i = 0; i < count; ++i) {
        chars[i] = names[i].chars;
        lengths[i] = names[i].length;
    }
    return call<u16>(
        k_twalk, [&](Writer& w, u16 tag) { return encode_walk(w, tag, fid, new_fid, chars, lengths, count); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_walk(reader, written, tag, qids, count); });
}

Result<Attributes> NinePClient::getattr(u32 fid)
{
    return call<Attributes>(
        k_tgetattr, [&](Writer& w, u16 tag) { return encode_getattr(w, tag, fid, k_getattr_basic | 0x800); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_getattr(reader, written, tag); });
}

Result<void> NinePClient::setattr(u32 fid, const AttributeChanges& changes)
{
    return call<void>(
        k_tsetattr, [&](Writer& w, u16 tag) { return encode_setattr(w, tag, fid, changes); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_empty(reader, written, k_tsetattr, tag); });
}

Result<Qid> NinePClient::lopen(u32 fid, u32 flags)
{
    return call<Qid>(
        k_tlopen, [&](Writer& w, u16 tag) { return encode_lopen(w, tag, fid, flags); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_open(reader, written, k_tlopen, tag, nullptr); });
}

Result<Qid> NinePClient::lcreate(u32 fid, Name name, u32 flags, u32 mode)
{
    return call<Qid>(
        k_tlcreate,
        [&](Writer& w, u16 tag) {
            return encode_lcreate(w, tag, fid, name.chars, name.length, flags, mode, 0);
        },
        [&](Reader& reader, u32 written, u16 tag) {
            return decode_open(reader, written, k_tlcreate, tag, nullptr);
        });
}

Result<u32> NinePClient::read(u32 fid, u64 offset, void* out, u32 count)
{
    if (count > max_read())
        count = max_read();
    return call<u32>(
        k_tread, [&](Writer& w, u16 tag) { return encode_read(w, tag, fid, offset, count); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_read(reader, written, tag, out, count); });
}

Result<u32> NinePClient::write(u32 fid, u64 offset, const void* data, u32 count)
{
    if (count > max_write())
        count = max_write();
    return call<u32>(
        k_twrite, [&](Writer& w, u16 tag) { return encode_write(w, tag, fid, offset, data, count); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_write(reader, written, tag, count); });
}

Result<u32> NinePClient::readdir(u32 fid, u64 offset, void* out, u32 count)
{
    if (count > max_read())
        count = max_read();
    return call<u32>(
        k_treaddir, [&](Writer& w, u16 tag) { return encode_readdir(w, tag, fid, offset, count); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_readdir(reader, written, tag, out, count); });
}

Result<Qid> NinePClient::mkdir(u32 directory_fid, Name name, u32 mode)
{
    return call<Qid>(
        k_tmkdir,
        [&](Writer& w, u16 tag) {
            return encode_mkdir(w, tag, directory_fid, name.chars, name.length, mode, 0);
        },
        [&](Reader& reader, u32 written, u16 tag) {
            return decode_qid_reply(reader, written, k_tmkdir, tag);
        });
}

Result<Qid> NinePClient::mknod(u32 directory_fid, Name name, u32 mode, u32 device_number)
{
    // Linux's dev_t encoding, as fs/devices.h stores device numbers.
    u32 major = (device_number >> 8) & 0xfff, minor = (device_number & 0xff) | ((device_number >> 12) & 0xfff00);
    return call<Qid>(
        k_tmknod,
        [&](Writer& w, u16 tag) {
            return encode_mknod(w, tag, directory_fid, name.chars, name.length, mode, major, minor, 0);
        },
        [&](Reader& reader, u32 written, u16 tag) {
            return decode_qid_reply(reader, written, k_tmknod, tag);
        });
}

Result<Qid> NinePClient::symlink(u32 directory_fid, Name name, const char* target)
{
    return call<Qid>(
        k_tsymlink,
        [&](Writer& w, u16 tag) {
            return encode_symlink(w, tag, directory_fid, name.chars, name.length, target, string_length(target), 0);
        },
        [&](Reader& reader, u32 written, u16 tag) {
            return decode_qid_reply(reader, written, k_tsymlink, tag);
        });
}

Result<size_t> NinePClient::readlink(u32 fid, char* out, size_t capacity)
{
    return call<size_t>(
        k_treadlink, [&](Writer& w, u16 tag) { return encode_readlink(w, tag, fid); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_readlink(reader, written, tag, out, capacity); });
}

Result<void> NinePClient::link(u32 directory_fid, u32 fid, Name name)
{
    return call<void>(
        k_tlink, [&](Writer& w, u16 tag) { return encode_link(w, tag, directory_fid, fid, name.chars, name.length); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_empty(reader, written, k_tlink, tag); });
}

Result<void> NinePClient::unlinkat(u32 directory_fid, Name name, u32 flags)
{
    return call<void>(
        k_tunlinkat,
        [&](Writer& w, u16 tag) {
            return encode_unlinkat(w, tag, directory_fid, name.chars, name.length, flags);
        },
        [&](Reader& reader, u32 written, u16 tag) {
            return decode_empty(reader, written, k_tunlinkat, tag);
        });
}

Result<void> NinePClient::renameat(u32 old_directory_fid, Name old_name, u32 new_directory_fid, Name new_name)
{
    return call<void>(
        k_trenameat,
        [&](Writer& w, u16 tag) {
            return encode_renameat(w, tag, old_directory_fid, old_name.chars, old_name.length, new_directory_fid,
                new_name.chars, new_name.length);
        },
        [&](Reader& reader, u32 written, u16 tag) {
            return decode_empty(reader, written, k_trenameat, tag);
        });
}

Result<FileSystemStatus> NinePClient::statfs(u32 fid)
{
    return call<FileSystemStatus>(
        k_tstatfs, [&](Writer& w, u16 tag) { return encode_statfs(w, tag, fid); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_statfs(reader, written, tag); });
}

Result<void> NinePClient::fsync(u32 fid, bool data_only)
{
    return call<void>(
        k_tfsync, [&](Writer& w, u16 tag) { return encode_fsync(w, tag, fid, data_only); },
        [&](Reader& reader, u32 written, u16 tag) { return decode_empty(reader, written, k_tfsync, tag); });
}

void NinePClient::clunk(u32 fid)
{
    if (fid == k_no_fid)
        return;
    if (m_pending_count == k_max_pending_clunks) {
        // The server keeps the fid (a little memory of QEMU's) rather than the runtime sleeping
        // here, which a release from any context must not.
        return;
    }
    m_pending_clunks[m_pending_count++] = fid;
    flush_clunks();
}

void NinePClient::flush_clunks()
{
    while (m_pending_count) {
        virtio::NinePSlot* slot = virtio::ninep_try_acquire(*m_device);
        if (!slot)
            return;
        Piece pieces[1] = { { slot->pages[0], k_page_size } };
        Writer w(pieces, 1);
        u32 length = encode_clunk(w, slot->tag, m_pending_clunks[--m_pending_count]);
        virtio::ninep_post(*m_device, *slot, length, k_page_size);
    }
}

}
