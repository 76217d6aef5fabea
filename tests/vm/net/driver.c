/* SPDX-License-Identifier: MIT */
/* The network driver without a network stack: `driver N` asks the runtime's self-test
 * (runtime/drivers/network_self_test.cpp) to send N ARP requests for the user-mode network's
 * gateway and a nearly full-size ping through the NetworkDevice interface, and prints its report.
 * `driver none` expects no network device. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long uk_network_self_test(uint32_t own_ip, uint32_t gateway_ip, uint32_t arp_requests, char* report,
                          size_t report_size);

int main(int argc, char** argv)
{
    char report[256] = "";
    const uint32_t guest = 0x0a00020f, gateway = 0x0a000202; /* 10.0.2.15, 10.0.2.2 */
    if (argc > 1 && !strcmp(argv[1], "none")) {
        long r = uk_network_self_test(guest, gateway, 1, report, sizeof report);
        printf("self-test: %ld\n", r);
        return r == -19 /* ENODEV */ ? 0 : 1;
    }
    long r = uk_network_self_test(guest, gateway, argc > 1 ? (uint32_t)atoi(argv[1]) : 1, report, sizeof report);
    printf("self-test: %ld %s\n", r, report);
    return r == 0 ? 0 : 1;
}
