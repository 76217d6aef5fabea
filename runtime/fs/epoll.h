// SPDX-License-Identifier: MIT
// epoll instances: descriptions that watch other descriptions. Each registration is a
// ReadinessObserver on its target, so a change of readiness puts it on the instance's ready list
// and epoll_wait costs O(ready), not O(registered). [epoll(7)]
#pragma once

#include "fs/file_description.h"

namespace uk::fs {

// epoll event bits beyond the poll ones (Linux values).
enum EpollFlags : u32 {
    k_epoll_exclusive = 1u << 28,
    k_epoll_wakeup = 1u << 29,
    k_epoll_oneshot = 1u << 30,
    k_epoll_et = 1u << 31,
};

// struct epoll_event as x86_64 lays it out (packed: 12 bytes).
struct [[gnu::packed]] EpollEvent {
    u32 events;
    u64 data;
};
static_assert(sizeof(EpollEvent) == 12);

enum class EpollOperation { Add = 1, Delete = 2, Modify = 3 };

Result<FileDescription*> create_epoll();
// epoll_ctl on the epoll instance `epoll` for descriptor `fd`, which refers to `target`.
// `event` is null for Delete. Errors as Linux gives them: EINVAL (not an epoll instance, fd is the
// instance itself, bad flags), EPERM (the target cannot be polled: regular files, directories),
// EEXIST, ENOENT, ELOOP (epoll instances watching each other), ENOMEM.
Result<void> epoll_control(FileDescription& epoll, EpollOperation operation, int fd, FileDescription& target,
    const EpollEvent* event);
// Reports up to `capacity` ready registrations into `out`, sleeping until there is one, the
// monotonic deadline passes (0: no deadline; a deadline in the past: do not sleep), or a signal
// (EINTR). EINVAL if `epoll` is not an epoll instance.
Result<size_t> epoll_wait(FileDescription& epoll, EpollEvent* out, size_t capacity, u64 deadline_ns);

}
