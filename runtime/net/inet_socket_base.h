// SPDX-License-Identifier: MIT
// InetSocket: what TCP and UDP sockets share: the family (AF_INET, or AF_INET6 with its
// IPV6_V6ONLY choice), the IPPROTO_IP/IPPROTO_IPV6 options, the SOL_SOCKET options lwIP's pcbs
// carry (mirrored from Socket's, which stores and reports them all), blocking with the CoreLock
// released, and FIONREAD/SIOCOUTQ.
//
// Locking (docs/architecture.md, "Locking on many CPUs"): an inet socket's reads and writes run
// without the RuntimeLock. Everything they touch is under the CoreLock (every field of the socket
// and its kind, Socket's options, lwIP's pcb), atomic (the pending error, the description's status
// flags and reference count), under the SchedulerLock (the readiness queue and observers) or fixed
// at creation (family, type, protocol). readiness() alone reads without the CoreLock: single
// fields that every change is announced for by notify_readiness(), never the pcb (TCP keeps a copy
// of what it needs). Every other socket call still runs under the RuntimeLock, and takes the
// CoreLock as well.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "net/core_lock.h"
#include "net/inet_address.h"
#include "net/socket.h"
#include "sched/wait_queue.h"

namespace uk::net {

inline constexpr int k_ipproto_ip = 0;
inline constexpr int k_ipproto_tcp = 6;
inline constexpr int k_ipproto_udp = 17;
inline constexpr int k_ipproto_ipv6 = 41;

enum IpOption : int {
    k_ip_tos = 1,
    k_ip_ttl = 2,
    k_ip_mtu_discover = 10,
    k_ip_recverr = 11,
};

enum Ipv6Option : int {
    k_ipv6_unicast_hops = 16,
    k_ipv6_recverr = 25,
    k_ipv6_v6only = 26,
    k_ipv6_tclass = 67,
};

class InetSocket : public Socket {
public:
    Result<void> get_option(int level, int name, void* value, u32& length) override;
    Result<void> set_option(int level, int name, const void* value, u32 length) override;
    Result<long> ioctl(unsigned long request, long argument) override;

    bool v6only() const { return m_v6only; }
    bool runs_without_runtime_lock() const override { return true; }

protected:
    InetSocket(int family, int type, int protocol, u32 status_flags);

    // The pcb's address type for this socket: IPv4, IPv6 only, or both (a dual-stack AF_INET6).
    u8 pcb_address_type() const;

    // Waits within `limit` until `ready()` holds (the caller re-checks its state afterwards):
    // EAGAIN (no waiting allowed, or the deadline passed), EINTR. `ready()` looks at the socket
    // under the CoreLock, which only the sleep releases; the thread is queued on the readiness
    // queue before each look, so a change made after it (under the CoreLock, then announced by
    // notify_readiness()) wakes the sleep (WaitSet's protocol, with one queue).
    template<typename Ready>
    Result<void> block(CoreLock& lock, const WaitLimit& limit, Ready&& ready)
    {
        if (ready())
            return {};
        if (!limit.may_wait)
            return error(EAGAIN);
        sched::Waiter storage;
        sched::WaitSet waits(&storage, 1);
        waits.prepare();
        waits.add(readiness_queue());
        for (;;) {
            if (ready())
                return {};
            note_readiness_locked();
            sched::WaitResult result = lock.unlocked([&] { return waits.wait(limit.deadline_ns); });
            waits.prepare();
            if (result != sched::WaitResult::Ready)
                return ready() ? Result<void>() : wait_result(result);
        }
    }
    // Brings what readiness() reads up to date with lwIP's state (under the CoreLock).
    virtual void note_readiness_locked() {}

    // Per-kind options at other levels; IPPROTO_IP and IPPROTO_IPV6 here. Under the CoreLock.
    virtual Result<void> get_protocol_option(int level, int name, void* value, u32& length);
    virtual Result<void> set_protocol_option(int level, int name, const void* value, u32 length);
    // An option the pcb carries changed (SO_REUSEADDR, SO_KEEPALIVE, IP_TTL, IPV6_V6ONLY, ...).
    virtual void apply_socket_options() {}
    // Whether the socket has a local address already (IPV6_V6ONLY may change only before).
    // (Not pure virtual: a vtable naming __cxa_pure_virtual would need libc++abi in C programs.)
    virtual bool is_bound() const { return false; }
    // Bytes a read would return now (FIONREAD), and bytes not yet acknowledged (SIOCOUTQ).
    virtual Result<int> readable_bytes() { return 0; }
    virtual int unsent_bytes() { return 0; }

    // Copies of Socket's SOL_SOCKET options that lwIP's pcbs need.
    bool m_reuse_address = false;
    bool m_reuse_port = false;
    bool m_keepalive = false;
    bool m_broadcast = false;
    int m_linger_seconds = -1; // SO_LINGER: -1 when off.
    // IPPROTO_IP / IPPROTO_IPV6.
    u8 m_ttl = 0; // 0: lwIP's default.
    u8 m_tos = 0;
    bool m_v6only = false;
    bool m_recverr = false;
    int m_mtu_discover = 1; // IP_PMTUDISC_WANT.
};

// Option values in and out, with Linux's length rules.
Result<int> option_int(const void* value, u32 length);
Result<void> put_option_int(void* value, u32& length, int v);

}
