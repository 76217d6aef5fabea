// SPDX-License-Identifier: MIT
// IntrusiveList<T, Tag>: a doubly-linked list threaded through ListLink<Tag> bases of its
// elements, so queues of threads, timers and files never allocate.
#pragma once

#include "lib/verify.h"

namespace uk {

template<typename Tag = void>
struct ListLink {
    ListLink* prev = nullptr;
    ListLink* next = nullptr;
    bool is_linked() const { return next != nullptr; }
};

template<typename T, typename Tag = void>
class IntrusiveList {
public:
    using Link = ListLink<Tag>;

    // Constant-initialized (all zero), so global lists work before static constructors run: the
    // head links itself on first use.
    constexpr IntrusiveList() = default;
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const { return m_head.next == nullptr || m_head.next == &m_head; }
    T* front() const { return empty() ? nullptr : owner(m_head.next); }
    T* back() const { return empty() ? nullptr : owner(m_head.prev); }
    // The element before / after `item` (an element of this list), or null.
    T* previous(T& item) const
    {
        Link* link = static_cast<Link&>(item).prev;
        return link == &m_head ? nullptr : owner(link);
    }
    T* next(T& item) const
    {
        Link* link = static_cast<Link&>(item).next;
        return link == &m_head ? nullptr : owner(link);
    }

    void push_back(T& item) { insert_before(m_head, item); }
    void push_front(T& item)
    {
        ensure_linked();
        insert_before(*m_head.next, item);
    }
    // Inserts `item` before `position` (an element of this list).
    void insert_before(T& position, T& item) { insert_before(static_cast<Link&>(position), item); }
    void insert_after(T& position, T& item) { insert_before(*static_cast<Link&>(position).next, item); }

    static void remove(T& item)
    {
        Link& link = item;
        VERIFY(link.is_linked());
        link.prev->next = link.next;
        link.next->prev = link.prev;
        link.prev = link.next = nullptr;
    }

    T* pop_front()
    {
        T* item = front();
        if (item)
            remove(*item);
        return item;
    }

    // Iteration that tolerates removal of the current element.
    template<typename Visit>
    void for_each(Visit&& visit)
    {
        if (empty())
            return;
        for (Link* l = m_head.next; l != &m_head;) {
            Link* next = l->next;
            visit(*owner(l));
            l = next;
        }
    }

    // First element for which `predicate` holds, or null.
    template<typename Predicate>
    T* find_first(Predicate&& predicate) const
    {
        if (empty())
            return nullptr;
        for (Link* l = m_head.next; l != &m_head; l = l->next)
            if (predicate(*owner(l)))
                return owner(l);
        return nullptr;
    }

private:
    static T* owner(const Link* link) { return static_cast<T*>(const_cast<Link*>(link)); }

    void ensure_linked() const
    {
        if (!m_head.next)
            m_head.prev = m_head.next = &m_head;
    }

    void insert_before(Link& position, T& item)
    {
        ensure_linked();
        Link& link = item;
        VERIFY(!link.is_linked());
        link.next = &position;
        link.prev = position.prev;
        position.prev->next = &link;
        position.prev = &link;
    }

    mutable Link m_head;
};

}
