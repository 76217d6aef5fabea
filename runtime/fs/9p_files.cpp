// SPDX-License-Identifier: MIT
// Open files and directories of a 9P share: reads and writes go to the server in pieces of up
// to the message size, directory streams come from Treaddir a page at a time.
#include "fs/9p_fs.h"
#include "fs/file_description.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/file_mapping.h"
#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

Result<u64> offset_from(u64 current, u64 size, i64 offset, Whence whence)
{
    i64 base;
    switch (whence) {
    case Whence::Set: base = 0; break;
    case Whence::Current: base = static_cast<i64>(current); break;
    case Whence::End: base = static_cast<i64>(size); break;
    default: return error(EINVAL);
    }
    i64 result;
    if (__builtin_add_overflow(base, offset, &result))
        return error(EOVERFLOW);
    if (result < 0)
        return error(EINVAL);
    return static_cast<u64>(result);
}

// What both kinds share: the file system, the node (referenced) and the open fid (owned).
class RemoteDescription : public FileDescription {
public:
    RemoteDescription(DescriptionKind kind, NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags)
        : FileDescription(kind, flags), m_fs(fs), m_node(node), m_fid(fid)
    {
    }
    Inode* inode() override { return &m_node; }

    // The open fid answers even for a file unlinked since (the server keeps it open).
    Result<void> stat(Stat& out) override
    {
        TRY(m_fs.fetch_attributes(m_node, m_fid));
        stat_inode(m_node, out);
        return {};
    }

    Result<void> sync() override { return m_fs.client().fsync(m_fid, false); }

protected:
    void release() override
    {
        m_fs.client().clunk(m_fid);
        fs::unref(m_node);
    }

    NinePFileSystem& m_fs;
    RemoteNode& m_node;
    u32 m_fid;
};

class RemoteFile final : public RemoteDescription {
public:
    RemoteFile(NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags)
        : RemoteDescription(DescriptionKind::RegularFile, fs, node, fid, flags)
    {
    }

    Result<size_t> read(void* buffer, size_t length) override
    {
        size_t n = TRY(pread(buffer, length, m_offset));
        m_offset += n;
        return n;
    }

    Result<size_t> write(const void* buffer, size_t length) override
    {
        // The server opened the file O_APPEND, so it appends whatever the offset; the size
        // before tells where the data lands.
        if (status_flags() & k_o_append) {
            TRY(m_fs.fetch_attributes(m_node, m_fid));
            m_offset = m_node.size;
        }
        size_t n = TRY(pwrite(buffer, length, m_offset));
        m_offset += n;
        return n;
    }

    Result<size_t> pread(void* buffer, size_t length, u64 offset) override
    {
        auto* out = static_cast<u8*>(buffer);
        size_t done = 0;
        u32 most = m_fs.client().max_read();
        while (done < length) {
            u32 chunk = length - done < most ? static_cast<u32>(length - done) : most;
            auto got = m_fs.client().read(m_fid, offset + done, out + done, chunk);
            if (got.is_error())
                return done ? Result<size_t>(done) : error(got.error_code());
            done += got.value();
            // A regular file's read comes back short only at its end.
            if (got.value() < chunk)
                break;
        }
        return done;
    }

    Result<size_t> pwrite(const void* buffer, size_t length, u64 offset) override
    {
        const auto* in = static_cast<const u8*>(buffer);
        size_t done = 0;
        u32 most = m_fs.client().max_write();
        while (done < length) {
            u32 chunk = length - done < most ? static_cast<u32>(length - done) : most;
            auto put = m_fs.client().write(m_fid, offset + done, in + done, chunk);
            if (put.is_error()) {
                if (done)
                    break;
                return error(put.error_code());
            }
            done += put.value();
            if (put.value() < chunk)
                break; // The server's disk is full: a short write, as on Linux.
        }
        m_node.attributes_epoch = 0;
        return done;
    }

    Result<u64> seek(i64 offset, Whence whence) override
    {
        if (whence == Whence::Set || whence == Whence::Current) {
            m_offset = TRY(offset_from(m_offset, 0, offset, whence));
            return m_offset;
        }
        TRY(m_fs.fetch_attributes(m_node, m_fid));
        if (whence == Whence::Data || whence == Whence::Hole) {
            // The whole file counts as data (allowed by lseek(2)).
            if (offset < 0 || static_cast<u64>(offset) >= m_node.size)
                return error(ENXIO);
            m_offset = whence == Whence::Data ? static_cast<u64>(offset) : m_node.size;
            return m_offset;
        }
        m_offset = TRY(offset_from(m_offset, m_node.size, offset, whence));
        return m_offset;
    }

    Result<void> truncate(u64 length) override
    {
        ninep::AttributeChanges change {};
        change.valid = ninep::k_setattr_size;
        change.size = length;
        TRY(m_fs.client().setattr(m_fid, change));
        m_node.attributes_epoch = 0;
        return {};
    }

    Result<u64> map(u64 hint, u64 length, u32 protection, u32 flags, u64 offset) override
    {
        // The data lives on the host: a shared mapping would need the host to see stores as they
        // happen. A private mapping is a copy, read now.
        if (flags & mm::k_map_shared)
            return error(ENODEV);
        auto fill = [](void* context, void* address, u64 at, u64 bytes) -> Result<void> {
            auto* self = static_cast<RemoteFile*>(context);
            TRY(self->pread(address, bytes, at));
            return {};
        };
        return mm::map_private_copy(hint, length, protection, flags, offset, k_max_file_size, fill, this);
    }
};

class RemoteDirectory final : public RemoteDescription {
public:
    RemoteDirectory(NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags)
        : RemoteDescription(DescriptionKind::Directory, fs, node, fid, flags)
    {
    }

    Result<size_t> read(void*, size_t) override { return error(EISDIR); }
    Result<size_t> pread(void*, size_t, u64) override { return error(EISDIR); }
    Result<size_t> write(const void*, size_t) override { return error(EISDIR); }

    Result<u64> seek(i64 offset, Whence whence) override
    {
        // Positions are the server's cookies (each entry's d_off): only those and rewinding
        // make sense, as for any directory.
        if (whence == Whence::Set && offset >= 0) {
            m_offset = static_cast<u64>(offset);
            m_length = m_position = 0;
            m_at_end = false;
            return m_offset;
        }
        if (whence == Whence::Current && offset == 0)
            return m_offset;
        return error(EINVAL);
    }

    Result<size_t> read_directory(void* buffer, size_t length) override
    {
        if (!m_entries) {
            m_entries = static_cast<u8*>(allocate_page());
            if (!m_entries)
                return error(ENOMEM);
        }
        auto* out = static_cast<u8*>(buffer);
        size_t used = 0;
        while (!m_at_end) {
            if (m_position == m_length) {
                u32 wanted = k_page_size < m_fs.client().max_read() ? k_page_size : m_fs.client().max_read();
                auto got = m_fs.client().readdir(m_fid, m_offset, m_entries, wanted);
                if (got.is_error())
                    return used ? Result<size_t>(used) : error(got.error_code());
                m_length = got.value();
                m_position = 0;
                if (m_length == 0) {
                    m_at_end = true;
                    break;
                }
            }
            size_t start = m_position;
            ninep::DirectoryEntries entries(m_entries + start, m_length - start);
            ninep::DirectoryEntry e;
            bool full = false;
            while (entries.next(e)) {
                // struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name.
                size_t record = align_up(19 + e.name_length + 1, 8);
                if (used + record > length) {
                    full = true;
                    break;
                }
                u8* r = out + used;
                fill_bytes(r, 0, record);
                copy_bytes(r, &e.qid.path, 8);
                copy_bytes(r + 8, &e.offset, 8);
                u16 reclen = static_cast<u16>(record);
                copy_bytes(r + 16, &reclen, 2);
                r[18] = e.type;
                copy_bytes(r + 19, e.name, e.name_length);
                used += record;
                m_offset = e.offset;
                m_position = start + entries.position();
            }
            if (entries.malformed()) {
                m_length = m_position = 0;
                return used ? Result<size_t>(used) : Result<size_t>(m_fs.client().malformed(ninep::k_treaddir));
            }
            if (full) {
                if (used == 0)
                    return error(EINVAL); // The buffer cannot hold even one entry.
                break;
            }
        }
        return used;
    }

protected:
    void release() override
    {
        if (m_entries)
            free_page(m_entries);
        RemoteDescription::release();
    }

private:
    u8* m_entries = nullptr; // One Rreaddir's entries.
    size_t m_length = 0;     // Bytes in m_entries.
    size_t m_position = 0;   // The first entry not passed on yet.
    bool m_at_end = false;   // The server said there is nothing after m_offset.
};

} // namespace

Result<FileDescription*> open_remote_file(NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags)
{
    auto* description = make<RemoteFile>(fs, node, fid, flags);
    if (!description) {
        fs.client().clunk(fid);
        unref(node);
        return error(ENOMEM);
    }
    return static_cast<FileDescription*>(description);
}

Result<FileDescription*> open_remote_directory(NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags)
{
    auto* description = make<RemoteDirectory>(fs, node, fid, flags);
    if (!description) {
        fs.client().clunk(fid);
        unref(node);
        return error(ENOMEM);
    }
    return static_cast<FileDescription*>(description);
}

}
