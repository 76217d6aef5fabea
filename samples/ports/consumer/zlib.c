// SPDX-License-Identifier: MIT
// Uses the installed zlib: compresses and inflates 100000 bytes.
#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    enum { size = 100000 };
    static unsigned char data[size], packed[size + 1000], unpacked[size];
    for (int i = 0; i < size; ++i)
        data[i] = (unsigned char)("unikernel"[i % 9] + i / 1000);
    uLongf packed_size = sizeof packed, unpacked_size = sizeof unpacked;
    if (compress2(packed, &packed_size, data, size, 9) != Z_OK)
        return 1;
    if (uncompress(unpacked, &unpacked_size, packed, packed_size) != Z_OK)
        return 1;
    printf("zlib %s: %d -> %lu -> %lu bytes, %s\n", zlibVersion(), size, (unsigned long)packed_size,
           (unsigned long)unpacked_size, memcmp(data, unpacked, size) == 0 ? "equal" : "DIFFERENT");
    return 0;
}
