// SPDX-License-Identifier: MIT
// libFuzzer target: the uk.ip/uk.netmask/uk.gw/uk.dns parser on arbitrary option strings. Input:
// options separated by '\n', each applied in turn, then the configuration finished. Checks that
// the parser never reads past an option, and that an accepted configuration is consistent.
#include "net/network_options.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    uk::net::NetworkConfiguration config;
    size_t start = 0;
    for (size_t i = 0; i <= size; ++i) {
        if (i < size && data[i] != '\n')
            continue;
        // Exactly the option's bytes in a buffer of its size (plus the terminator), so that
        // ASan catches a read past it.
        std::vector<char> option(data + start, data + i);
        option.push_back('\0');
        const char* problem = nullptr;
        auto r = uk::net::parse_network_option(option.data(), config, problem);
        if (r == uk::net::OptionResult::Invalid && (!problem || !*problem))
            abort();
        if (r != uk::net::OptionResult::Invalid && problem)
            abort();
        start = i + 1;
    }
    if (!uk::net::finish_network_configuration(config) && config.static_address) {
        if (config.prefix_length < 1 || config.prefix_length > 32)
            abort();
        if ((config.address >> 24) == 0 || (config.address >> 24) == 127 || (config.address >> 24) >= 224)
            abort();
    }
    if (config.dns_count > uk::net::k_max_dns_servers)
        abort();
    return 0;
}
