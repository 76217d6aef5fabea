// SPDX-License-Identifier: MIT
// epoll: registrations keyed by (descriptor number, description) in a hash table, a ready list fed
// by the targets' readiness notifications, and Linux's level-triggered, edge-triggered and
// one-shot reporting rules. The instance holds no reference on its targets: a target whose last
// descriptor closes drops its registrations (description_released), as Linux's epoll does.
//
// Everything here is also reached from interrupt context (a target's notification), so the
// registrations and the ready list change only with interrupts disabled.
#include "fs/epoll.h"

#include "lib/verify.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"

namespace uk::fs {

namespace {

struct ReadyTag;
class Epoll;

constexpr size_t k_buckets = k_page_size / sizeof(void*);
// Linux's EP_MAX_NESTS: how deep epoll instances may watch each other.
constexpr int k_max_nesting = 4;
constexpr u32 k_always_reported = k_poll_err | k_poll_hup;
// What EPOLL_CTL_ADD accepts with EPOLLEXCLUSIVE. [epoll_ctl(2)]
constexpr u32 k_exclusive_allowed = k_poll_in | k_poll_out | k_poll_err | k_poll_hup | k_poll_rdnorm | k_poll_wrnorm
    | k_epoll_wakeup | k_epoll_et | k_epoll_exclusive;

struct Registration final : public ReadinessObserver, public ListLink<ReadyTag> {
    Registration(Epoll& instance, FileDescription& target, int descriptor)
        : epoll(instance), file(&target), fd(descriptor) {}

    void readiness_changed(FileDescription&, u32 events) override;
    void description_released(FileDescription&) override;

    bool is_ready_listed() const { return static_cast<const ListLink<ReadyTag>&>(*this).is_linked(); }
    u32 wanted() const { return (events & ~(k_epoll_exclusive | k_epoll_wakeup | k_epoll_oneshot | k_epoll_et)) | k_always_reported; }

    Epoll& epoll;
    FileDescription* file;
    Registration* next_in_bucket = nullptr;
    int fd;
    u32 events = 0;
    u64 data = 0;
    bool disabled = false; // EPOLLONESHOT reported it; EPOLL_CTL_MOD re-arms.
    bool external = false; // The target can be woken by a device or timer.
};

class Epoll final : public FileDescription {
public:
    Epoll() : FileDescription(DescriptionKind::Epoll, k_o_rdwr) {}

    Result<void> control(EpollOperation operation, int fd, FileDescription& target, const EpollEvent* event)
    {
        if (&target == this)
            return error(EINVAL);
        sched::SchedulerGuard guard;
        Registration* existing = find(fd, target);
        switch (operation) {
        case EpollOperation::Add: {
            if (existing)
                return error(EEXIST);
            if ((event->events & k_epoll_exclusive)
                && ((event->events & ~k_exclusive_allowed) || target.kind() == DescriptionKind::Epoll))
                return error(EINVAL);
            if (target.kind() == DescriptionKind::Epoll && (reaches(static_cast<Epoll&>(target), this, 1)))
                return error(ELOOP);
            TRY(ensure_buckets());
            auto* r = make<Registration>(*this, target, fd);
            if (!r)
                return error(ENOMEM);
            r->events = event->events;
            r->data = event->data;
            r->external = target.readiness_queue().is_external();
            insert(*r);
            target.add_observer(*r);
            if (r->external && m_external++ == 0)
                readiness_queue().set_source(sched::WakeSource::External);
            queue_if_ready(*r);
            return {};
        }
        case EpollOperation::Modify:
            if (!existing)
                return error(ENOENT);
            // EPOLLEXCLUSIVE registrations cannot be modified, nor can MOD add it.
            if ((event->events & k_epoll_exclusive) || (existing->events & k_epoll_exclusive))
                return error(EINVAL);
            existing->events = event->events;
            existing->data = event->data;
            existing->disabled = false;
            queue_if_ready(*existing);
            return {};
        case EpollOperation::Delete:
            if (!existing)
                return error(ENOENT);
            target.remove_observer(*existing);
            forget(*existing);
            return {};
        }
        return error(EINVAL);
    }

    Result<size_t> wait(EpollEvent* out, size_t capacity, u64 deadline_ns)
    {
        for (;;) {
            size_t n = collect(out, capacity);
            if (n)
                return n;
            auto waited = readiness_queue().wait_until([&] { return has_candidates_locked(); }, deadline_ns);
            switch (waited) {
            case sched::WaitResult::Ready:
                continue; // Something was queued; it may not be ready any more: look.
            case sched::WaitResult::TimedOut:
                return collect(out, capacity);
            case sched::WaitResult::Interrupted:
                return error(EINTR);
            case sched::WaitResult::Deadlock:
                return error(EDEADLK);
            }
        }
    }

    u32 readiness() override
    {
        sched::SchedulerGuard guard;
        u32 events = 0;
        m_ready.for_each([&](Registration& r) {
            if (!events && !r.disabled && (r.file->readiness() & r.wanted()))
                events = k_poll_in | k_poll_rdnorm;
        });
        return events;
    }

    // A target's readiness changed (interrupts disabled, maybe interrupt context).
    void target_changed(Registration& r, u32 events)
    {
        if (r.disabled || !(events & r.wanted()))
            return;
        if (!r.is_ready_listed())
            m_ready.push_back(r);
        notify_readiness(k_poll_in | k_poll_rdnorm);
    }

    // The target's last reference is going away (interrupts disabled).
    void target_released(Registration& r) { forget(r); }

protected:
    void release() override
    {
        sched::SchedulerGuard guard;
        if (m_buckets) {
            for (size_t i = 0; i < k_buckets; ++i) {
                while (Registration* r = m_buckets[i]) {
                    r->file->remove_observer(*r);
                    forget(*r);
                }
            }
            free_page(m_buckets);
            m_buckets = nullptr;
        }
    }

private:
    // Whether `from` watches `to`, directly or through other instances (or nests too deep).
    static bool reaches(Epoll& from, Epoll* to, int depth)
    {
        if (&from == to || depth > k_max_nesting)
            return true;
        if (!from.m_buckets)
            return false;
        for (size_t i = 0; i < k_buckets; ++i)
            for (Registration* r = from.m_buckets[i]; r; r = r->next_in_bucket)
                if (r->file->kind() == DescriptionKind::Epoll && reaches(static_cast<Epoll&>(*r->file), to, depth + 1))
                    return true;
        return false;
    }

    Result<void> ensure_buckets()
    {
        if (!m_buckets) {
            m_buckets = static_cast<Registration**>(allocate_page());
            if (!m_buckets)
                return error(ENOMEM);
        }
        return {};
    }

    static size_t bucket_of(int fd) { return static_cast<u32>(fd) % k_buckets; }

    Registration* find(int fd, FileDescription& target)
    {
        if (!m_buckets)
            return nullptr;
        for (Registration* r = m_buckets[bucket_of(fd)]; r; r = r->next_in_bucket)
            if (r->fd == fd && r->file == &target)
                return r;
        return nullptr;
    }

    void insert(Registration& r)
    {
        Registration*& head = m_buckets[bucket_of(r.fd)];
        r.next_in_bucket = head;
        head = &r;
    }

    // Unlinks and frees a registration that no longer observes its target.
    void forget(Registration& r)
    {
        for (Registration** link = &m_buckets[bucket_of(r.fd)]; *link; link = &(*link)->next_in_bucket) {
            if (*link == &r) {
                *link = r.next_in_bucket;
                break;
            }
        }
        if (r.is_ready_listed())
            IntrusiveList<Registration, ReadyTag>::remove(r);
        if (r.external && --m_external == 0)
            readiness_queue().set_source(sched::WakeSource::ProgramThreads);
        destroy(&r);
    }

    void queue_if_ready(Registration& r)
    {
        if (r.disabled || !(r.file->readiness() & r.wanted()))
            return;
        if (!r.is_ready_listed())
            m_ready.push_back(r);
        notify_readiness(k_poll_in | k_poll_rdnorm);
    }

    bool has_candidates_locked() const { return !m_ready.empty(); }

    // Takes ready registrations off the list and reports those whose target is still ready:
    // level-triggered ones go back on the list (at the end, so that a full `out` does not starve
    // the others), edge-triggered ones wait for the next notification, one-shot ones for MOD.
    size_t collect(EpollEvent* out, size_t capacity)
    {
        sched::SchedulerGuard guard;
        IntrusiveList<Registration, ReadyTag> again;
        size_t n = 0;
        while (n < capacity) {
            Registration* r = m_ready.pop_front();
            if (!r)
                break;
            if (r->disabled)
                continue;
            u32 events = r->file->readiness() & r->wanted();
            if (!events)
                continue;
            out[n].events = events;
            out[n].data = r->data;
            ++n;
            if (r->events & k_epoll_oneshot)
                r->disabled = true;
            else if (!(r->events & k_epoll_et))
                again.push_back(*r);
        }
        while (Registration* r = again.pop_front())
            m_ready.push_back(*r);
        return n;
    }

    Registration** m_buckets = nullptr;
    IntrusiveList<Registration, ReadyTag> m_ready;
    size_t m_external = 0; // Registrations whose target a device or timer can wake.
};

void Registration::readiness_changed(FileDescription&, u32 changed) { epoll.target_changed(*this, changed); }
void Registration::description_released(FileDescription&) { epoll.target_released(*this); }

// Regular files and directories are always ready, so Linux refuses to watch them (EPERM); so are
// the memory devices, which have no poll method.
bool can_watch(FileDescription& target)
{
    switch (target.kind()) {
    case DescriptionKind::RegularFile:
    case DescriptionKind::Directory:
    case DescriptionKind::ProcFile:
    case DescriptionKind::PathOnly:
    case DescriptionKind::Device:
        return false;
    default:
        return true;
    }
}

Epoll* as_epoll(FileDescription& file)
{
    return file.kind() == DescriptionKind::Epoll ? static_cast<Epoll*>(&file) : nullptr;
}

} // namespace

Result<FileDescription*> create_epoll()
{
    auto* epoll = make<Epoll>();
    if (!epoll)
        return error(ENOMEM);
    return static_cast<FileDescription*>(epoll);
}

Result<void> epoll_control(FileDescription& epoll, EpollOperation operation, int fd, FileDescription& target,
    const EpollEvent* event)
{
    // Linux's order of checks: the target first, then the instance.
    if (!can_watch(target))
        return error(EPERM);
    Epoll* instance = as_epoll(epoll);
    if (!instance)
        return error(EINVAL);
    return instance->control(operation, fd, target, event);
}

Result<size_t> epoll_wait(FileDescription& epoll, EpollEvent* out, size_t capacity, u64 deadline_ns)
{
    Epoll* instance = as_epoll(epoll);
    if (!instance)
        return error(EINVAL);
    return instance->wait(out, capacity, deadline_ns);
}

}
