// SPDX-License-Identifier: MIT
// NinePClient: a 9P2000.L session with one file server, reached through a virtio-9p device:
// typed requests (one round trip each, the caller sleeping meanwhile), fid numbers, and clunks
// that never sleep. fs/9p_fs.cpp builds the file system on it, fs/9p_files.cpp the open files.
#pragma once

#include "fs/9p_protocol.h"
#include "fs/inode.h"

namespace uk::virtio {
class NinePDevice;
}

namespace uk::fs {

class NinePClient {
public:
    // Tversion: agrees on the message size. EIO (with a log line) when the server does not
    // speak 9P2000.L.
    Result<void> connect(virtio::NinePDevice& device);

    const char* name() const;
    u32 message_size() const { return m_message_size; }
    // The most data one Tread or Twrite carries.
    u32 max_read() const { return m_message_size - ninep::k_read_overhead; }
    u32 max_write() const { return m_message_size - ninep::k_write_overhead; }
    // Fid numbers are never reused (2^32 of them outlast any program here), so a fid whose
    // clunk is still in flight can never be confused with a new one.
    u32 new_fid() { return m_next_fid++; }

    Result<ninep::Qid> attach(u32 fid);
    // Walks `count` names (up to 16) from `fid` to `new_fid`; returns how many the server
    // walked (new_fid exists only when that is all of them).
    Result<u16> walk(u32 fid, u32 new_fid, const Name* names, u16 count, ninep::Qid* qids);
    Result<ninep::Attributes> getattr(u32 fid);
    Result<void> setattr(u32 fid, const ninep::AttributeChanges& changes);
    Result<ninep::Qid> lopen(u32 fid, u32 flags);
    Result<ninep::Qid> lcreate(u32 fid, Name name, u32 flags, u32 mode);
    // At most max_read() / max_write() bytes; `out` and `data` may be program memory.
    Result<u32> read(u32 fid, u64 offset, void* out, u32 count);
    Result<u32> write(u32 fid, u64 offset, const void* data, u32 count);
    Result<u32> readdir(u32 fid, u64 offset, void* out, u32 count);
    Result<ninep::Qid> mkdir(u32 directory_fid, Name name, u32 mode);
    Result<ninep::Qid> mknod(u32 directory_fid, Name name, u32 mode, u32 device_number);
    Result<ninep::Qid> symlink(u32 directory_fid, Name name, const char* target);
    Result<size_t> readlink(u32 fid, char* out, size_t capacity);
    Result<void> link(u32 directory_fid, u32 fid, Name name);
    Result<void> unlinkat(u32 directory_fid, Name name, u32 flags);
    Result<void> renameat(u32 old_directory_fid, Name old_name, u32 new_directory_fid, Name new_name);
    Result<ninep::FileSystemStatus> statfs(u32 fid);
    Result<void> fsync(u32 fid, bool data_only);
    // Tclunk without waiting for the answer: sent now if a slot is free, else as soon as one is.
    void clunk(u32 fid);
    // Logs a reply that broke the protocol (once per message type); the error to fail with (EIO).
    Error malformed(u8 request_type);

private:
    friend class NinePCall;
    template<typename T, typename Encode, typename Decode>
    Result<T> call(u8 type, Encode&& encode, Decode&& decode);
    void flush_clunks();

    virtio::NinePDevice* m_device = nullptr;
    u32 m_message_size = 0;
    u32 m_next_fid = 1;
    // Clunks that found no free slot.
    static constexpr size_t k_max_pending_clunks = 1024;
    u32* m_pending_clunks = nullptr;
    size_t m_pending_count = 0;
    bool m_reported[256] = {};
};

}
