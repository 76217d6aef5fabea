// SPDX-License-Identifier: MIT
// The guest's network configuration from the runtime options on the command line
// (docs/networking.md "Address options"): uk.ip=ADDR[/PREFIX] | dhcp, uk.netmask=MASK, uk.gw=ADDR,
// uk.dns=ADDR[,ADDR...] (repeatable). Parsing is pure (host-tested and fuzzed); boot feeds every
// option through set_network_option() and stops with the message of the first bad one.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::net {

// At most this many DNS servers, like musl's resolver (MAXNS).
inline constexpr size_t k_max_dns_servers = 3;

// IPv4 addresses in host byte order (10.0.2.15 is 0x0a00020f).
struct NetworkConfiguration {
    bool static_address = false; // uk.ip=ADDR: no DHCP.
    u32 address = 0;
    int prefix_length = -1;      // From /PREFIX; -1 when not given.
    u32 netmask = 0;             // From uk.netmask=; valid when has_netmask.
    bool has_netmask = false;
    u32 gateway = 0;             // 0: none.
    u32 dns[k_max_dns_servers] = {};
    size_t dns_count = 0;
};

// Outcome of one option: not a network option (the caller goes on looking), taken, or bad (with
// a message for the boot failure).
enum class OptionResult { NotNetwork, Accepted, Invalid };

// Applies one command-line option ("uk.ip=10.0.2.15/24") to `config`. On Invalid, `problem` says
// what is wrong (a static string).
OptionResult parse_network_option(const char* option, NetworkConfiguration& config, const char*& problem);
// Checks the options together once all are in (a netmask that contradicts the prefix, an address
// that is its subnet's broadcast...) and fills in prefix_length (the address's class when neither
// /PREFIX nor uk.netmask gives one, as Linux's ip= does); with DHCP, uk.gw and uk.netmask are
// dropped. Null when the configuration is usable, else what is wrong.
const char* finish_network_configuration(NetworkConfiguration& config);

// Parses a dotted IPv4 address ("10.0.2.15": exactly four decimal parts 0-255, no leading
// zeros beyond "0"); false if `text` is anything else.
bool parse_ipv4(const char* text, size_t length, u32& out);
// The prefix length of a contiguous netmask (255.255.255.0 -> 24), or -1.
int netmask_prefix_length(u32 netmask);

// The configuration boot parsed (used when the stack starts).
NetworkConfiguration& network_configuration();
// Boot's entry points: one option at a time, then once after all of them.
OptionResult set_network_option(const char* option, const char*& problem);
const char* finish_network_options();

}
