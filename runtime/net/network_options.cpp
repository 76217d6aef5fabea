// SPDX-License-Identifier: MIT
// Parsing of the uk.ip/uk.netmask/uk.gw/uk.dns runtime options. Pure code: no lwIP, no I/O, so
// that an image without sockets pays only for this file, and the host can fuzz it.
#include "net/network_options.h"

#include "lib/string.h"

namespace uk::net {

namespace {

NetworkConfiguration g_configuration;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal number of 1-3 digits without a leading zero (except "0"), at most `max`.
bool parse_small_number(const char* text, size_t length, u32 max, u32& out)
{
    if (length == 0 || length > 3 || (length > 1 && text[0] == '0'))
        return false;
    u32 value = 0;
    for (size_t i = 0; i < length; ++i) {
        if (!is_digit(text[i]))
            return false;
        value = value * 10 + static_cast<u32>(text[i] - '0');
    }
    if (value > max)
        return false;
    out = value;
    return true;
}

// Addresses a host cannot have: 0.0.0.0/8, 127/8 (loopback is lo's), multicast and reserved
// (224/3), the limited broadcast.
bool is_unicast_host_address(u32 address)
{
    u32 first = address >> 24;
    return first != 0 && first != 127 && first < 224;
}

u32 prefix_netmask(int prefix_length)
{
    return prefix_length == 0 ? 0 : ~0u << (32 - prefix_length);
}

// Linux's ip= default when no mask is given: the address's class.
int classful_prefix_length(u32 address)
{
    u32 first = address >> 24;
    if (first < 128)
        return 8;
    if (first < 192)
        return 16;
    return 24;
}

OptionResult invalid(const char*& problem, const char* message)
{
    problem = message;
    return OptionResult::Invalid;
}

OptionResult parse_ip(const char* value, NetworkConfiguration& config, const char*& problem)
{
    if (strings_equal(value, "dhcp")) {
        config.static_address = false;
        config.address = 0;
        config.prefix_length = -1;
        return OptionResult::Accepted;
    }
    size_t length = string_length(value);
    size_t slash = length;
    for (size_t i = 0; i < length; ++i)
        if (value[i] == '/') {
            slash = i;
            break;
        }
    u32 address;
    if (!parse_ipv4(value, slash, address))
        return invalid(problem, "uk.ip: expected ADDR/PREFIX with a dotted IPv4 address (e.g. uk.ip=10.0.2.15/24) or dhcp");
    if (!is_unicast_host_address(address))
        return invalid(problem, "uk.ip: not a usable host address (0/8, 127/8, multicast and reserved addresses are not)");
    int prefix_length = -1;
    if (slash < length) {
        u32 prefix;
        if (!parse_small_number(value + slash + 1, length - slash - 1, 32, prefix) || prefix == 0)
            return invalid(problem, "uk.ip: the prefix length after '/' must be a number from 1 to 32");
        prefix_length = static_cast<int>(prefix);
    }
    config.static_address = true;
    config.address = address;
    config.prefix_length = prefix_length;
    return OptionResult::Accepted;
}

OptionResult parse_dns(const char* value, NetworkConfiguration& config, const char*& problem)
{
    const char* part = value;
    for (;;) {
        const char* end = part;
        while (*end && *end != ',')
            ++end;
        u32 address;
        if (!parse_ipv4(part, static_cast<size_t>(end - part), address) || address == 0)
            return invalid(problem, "uk.dns: expected dotted IPv4 addresses separated by commas (e.g. uk.dns=10.0.2.3)");
        if (config.dns_count == k_max_dns_servers)
            return invalid(problem, "uk.dns: at most 3 DNS servers");
        config.dns[config.dns_count++] = address;
        if (!*end)
            return OptionResult::Accepted;
        part = end + 1;
    }
}

} // namespace

bool parse_ipv4(const char* text, size_t length, u32& out)
{
    u32 address = 0;
    size_t start = 0;
    for (int part = 0; part < 4; ++part) {
        size_t end = start;
        while (end < length && text[end] != '.')
            ++end;
        if ((part < 3) != (end < length))
            return false; // Too few or too many dots.
        u32 value;
        if (!parse_small_number(text + start, end - start, 255, value))
            return false;
        address = address << 8 | value;
        start = end + 1;
    }
    out = address;
    return true;
}

int netmask_prefix_length(u32 netmask)
{
    int length = 0;
    while (length < 32 && (netmask & (0x80000000u >> length)))
        ++length;
    return prefix_netmask(length) == netmask ? length : -1;
}

OptionResult parse_network_option(const char* option, NetworkConfiguration& config, const char*& problem)
{
    problem = nullptr;
    if (starts_with(option, "uk.ip="))
        return parse_ip(option + 6, config, problem);
    if (starts_with(option, "uk.netmask=")) {
        const char* value = option + 11;
        u32 netmask;
        if (!parse_ipv4(value, string_length(value), netmask) || netmask_prefix_length(netmask) <= 0)
            return invalid(problem, "uk.netmask: expected a contiguous dotted netmask such as 255.255.255.0");
        config.netmask = netmask;
        config.has_netmask = true;
        return OptionResult::Accepted;
    }
    if (starts_with(option, "uk.gw=")) {
        const char* value = option + 6;
        u32 gateway;
        if (!parse_ipv4(value, string_length(value), gateway) || !is_unicast_host_address(gateway))
            return invalid(problem, "uk.gw: expected the gateway's dotted IPv4 address (e.g. uk.gw=10.0.2.2)");
        config.gateway = gateway;
        return OptionResult::Accepted;
    }
    if (starts_with(option, "uk.dns="))
        return parse_dns(option + 7, config, problem);
    return OptionResult::NotNetwork;
}

const char* finish_network_configuration(NetworkConfiguration& config)
{
    if (!config.static_address) {
        // DHCP's lease brings the netmask and the gateway; given ones are ignored (the runner
        // sends uk.gw with user networking, and `uk.ip=dhcp` after it chooses DHCP).
        config.gateway = 0;
        config.has_netmask = false;
        return nullptr;
    }
    if (config.has_netmask) {
        int from_mask = netmask_prefix_length(config.netmask);
        if (config.prefix_length >= 0 && config.prefix_length != from_mask)
            return "uk.netmask contradicts the prefix length given in uk.ip";
        config.prefix_length = from_mask;
    }
    if (config.prefix_length < 0)
        config.prefix_length = classful_prefix_length(config.address);
    u32 mask = prefix_netmask(config.prefix_length);
    if (config.prefix_length < 31 && ((config.address & ~mask) == 0 || (config.address | mask) == ~0u))
        return "uk.ip: the address is its subnet's network or broadcast address";
    if (config.gateway == config.address)
        return "uk.gw: the gateway is the guest's own address";
    return nullptr;
}

NetworkConfiguration& network_configuration() { return g_configuration; }

OptionResult set_network_option(const char* option, const char*& problem)
{
    return parse_network_option(option, g_configuration, problem);
}

const char* finish_network_options() { return finish_network_configuration(g_configuration); }

}
