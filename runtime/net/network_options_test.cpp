// SPDX-License-Identifier: MIT
// Unit tests of the uk.ip/uk.netmask/uk.gw/uk.dns option parser.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "net/network_options.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace uk::net {
namespace {

// Applies the options in order, then finishes; returns the first problem ("" if none).
std::string configure(std::initializer_list<const char*> options, NetworkConfiguration& config)
{
    config = NetworkConfiguration {};
    for (const char* o : options) {
        const char* problem = nullptr;
        OptionResult r = parse_network_option(o, config, problem);
        if (r == OptionResult::Invalid)
            return problem;
        if (r == OptionResult::NotNetwork)
            return std::string("not a network option: ") + o;
    }
    const char* problem = finish_network_configuration(config);
    return problem ? problem : "";
}

TEST(NetworkOptions, StaticAddressWithPrefix)
{
    NetworkConfiguration c;
    EXPECT_EQ(configure({ "uk.ip=10.0.2.15/24", "uk.gw=10.0.2.2", "uk.dns=10.0.2.3" }, c), "");
    EXPECT_TRUE(c.static_address);
    EXPECT_EQ(c.address, 0x0a00020fu);
    EXPECT_EQ(c.prefix_length, 24);
    EXPECT_EQ(c.gateway, 0x0a000202u);
    ASSERT_EQ(c.dns_count, 1u);
    EXPECT_EQ(c.dns[0], 0x0a000203u);
}

TEST(NetworkOptions, NetmaskInsteadOfPrefix)
{
    NetworkConfiguration c;
    EXPECT_EQ(configure({ "uk.ip=192.168.1.7", "uk.netmask=255.255.255.128" }, c), "");
    EXPECT_EQ(c.prefix_length, 25);
    EXPECT_EQ(configure({ "uk.ip=192.168.1.7/24", "uk.netmask=255.255.255.0" }, c), "");
    EXPECT_NE(configure({ "uk.ip=192.168.1.7/24", "uk.netmask=255.255.0.0" }, c), "");
}

TEST(NetworkOptions, ClassfulDefaultLikeLinuxIpEquals)
{
    NetworkConfiguration c;
    EXPECT_EQ(configure({ "uk.ip=10.1.2.3" }, c), "");
    EXPECT_EQ(c.prefix_length, 8);
    EXPECT_EQ(configure({ "uk.ip=172.16.0.9" }, c), "");
    EXPECT_EQ(c.prefix_length, 16);
    EXPECT_EQ(configure({ "uk.ip=192.168.0.9" }, c), "");
    EXPECT_EQ(c.prefix_length, 24);
}

TEST(NetworkOptions, DhcpIgnoresGatewayAndNetmaskButKeepsDns)
{
    NetworkConfiguration c;
    EXPECT_EQ(configure({ "uk.ip=10.0.2.15/24", "uk.gw=10.0.2.2", "uk.dns=10.0.2.3", "uk.ip=dhcp" }, c), "");
    EXPECT_FALSE(c.static_address);
    EXPECT_EQ(c.gateway, 0u);
    EXPECT_EQ(c.dns_count, 1u);
    EXPECT_EQ(configure({}, c), "");
    EXPECT_FALSE(c.static_address);
}

TEST(NetworkOptions, SeveralDnsServers)
{
    NetworkConfiguration c;
    EXPECT_EQ(configure({ "uk.dns=1.1.1.1,8.8.8.8", "uk.dns=9.9.9.9" }, c), "");
    ASSERT_EQ(c.dns_count, 3u);
    EXPECT_EQ(c.dns[2], 0x09090909u);
    EXPECT_NE(configure({ "uk.dns=1.1.1.1,8.8.8.8,9.9.9.9,4.4.4.4" }, c), "");
}

TEST(NetworkOptions, RejectsMalformedAddresses)
{
    NetworkConfiguration c;
    for (const char* bad : { "uk.ip=", "uk.ip=10.0.2", "uk.ip=10.0.2.15.1", "uk.ip=10.0.2.256/24", "uk.ip=10.0.2.015/24",
             "uk.ip=10.0.2.15/", "uk.ip=10.0.2.15/0", "uk.ip=10.0.2.15/33", "uk.ip=10.0.2.15/2x", "uk.ip= 10.0.2.15",
             "uk.ip=0.0.0.0/8", "uk.ip=127.0.0.1/8", "uk.ip=224.0.0.1/4", "uk.ip=255.255.255.255/32", "uk.ip=10..2.15",
             "uk.gw=10.0.2", "uk.gw=0.0.0.0", "uk.netmask=255.0.255.0", "uk.netmask=0.0.0.0", "uk.dns=",
             "uk.dns=10.0.2.3,", "uk.dns=0.0.0.0", "uk.dns=a.b.c.d" }) {
        EXPECT_NE(configure({ bad }, c), "") << bad;
    }
}

TEST(NetworkOptions, RejectsContradictions)
{
    NetworkConfiguration c;
    EXPECT_NE(configure({ "uk.ip=10.0.2.0/24" }, c), "");   // The network's own address.
    EXPECT_NE(configure({ "uk.ip=10.0.2.255/24" }, c), ""); // Its broadcast address.
    EXPECT_EQ(configure({ "uk.ip=10.0.2.255/31" }, c), ""); // Point-to-point /31: no broadcast.
    EXPECT_NE(configure({ "uk.ip=10.0.2.15/24", "uk.gw=10.0.2.15" }, c), "");
}

TEST(NetworkOptions, OtherOptionsAreNotNetworkOptions)
{
    NetworkConfiguration c;
    const char* problem = nullptr;
    EXPECT_EQ(parse_network_option("uk.hostname=x", c, problem), OptionResult::NotNetwork);
    EXPECT_EQ(parse_network_option("uk.ipx=1", c, problem), OptionResult::NotNetwork);
    EXPECT_EQ(parse_network_option("ip=10.0.2.15", c, problem), OptionResult::NotNetwork);
}

TEST(NetworkOptions, Ipv4Parser)
{
    u32 a = 0;
    EXPECT_TRUE(parse_ipv4("0.0.0.0", 7, a));
    EXPECT_EQ(a, 0u);
    EXPECT_TRUE(parse_ipv4("255.255.255.255", 15, a));
    EXPECT_EQ(a, 0xffffffffu);
    EXPECT_TRUE(parse_ipv4("1.2.3.4xyz", 7, a)); // Only `length` bytes count.
    EXPECT_EQ(a, 0x01020304u);
    EXPECT_FALSE(parse_ipv4("1.2.3.4", 6, a));
    EXPECT_FALSE(parse_ipv4("1.2.3.-4", 8, a));
    EXPECT_FALSE(parse_ipv4("", 0, a));
    EXPECT_EQ(netmask_prefix_length(0xffffff00u), 24);
    EXPECT_EQ(netmask_prefix_length(0), 0);
    EXPECT_EQ(netmask_prefix_length(0xff00ff00u), -1);
}

}
}
