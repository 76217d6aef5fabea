// SPDX-License-Identifier: MIT
// Parsing of the virtio_mmio.device= command-line entries.
#include "drivers/virtio/transport/mmio_option.h"

namespace uk::virtio {

namespace {

int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

// A C-style unsigned number (0x hex, leading-0 octal, else decimal); false on no digits or
// overflow. `p` is left after the number.
bool parse_number(const char*& p, u64& out)
{
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && digit_value(p[1]) < 8) {
        base = 8;
        ++p;
    }
    if (digit_value(*p) >= static_cast<int>(base))
        return false;
    u64 value = 0;
    for (; digit_value(*p) < static_cast<int>(base); ++p) {
        u64 digit = static_cast<u64>(digit_value(*p));
        if (value > (~0ull - digit) / base)
            return false;
        value = value * base + digit;
    }
    out = value;
    return true;
}

} // namespace

bool parse_mmio_device_option(const char* value, MmioDeviceOption& out)
{
    const char* p = value;
    u64 size, base, irq;
    if (!parse_number(p, size))
        return false;
    unsigned shift = 0;
    switch (*p) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    default: break;
    }
    if (shift) {
        if (size > (~0ull >> shift))
            return false;
        size <<= shift;
        ++p;
    }
    if (*p++ != '@' || !parse_number(p, base) || *p++ != ':' || !parse_number(p, irq))
        return false;
    // An optional platform device id follows; the runtime has no use for it.
    if (*p == ':') {
        ++p;
        u64 id;
        if (!parse_number(p, id))
            return false;
    }
    if (*p != 0 || size < 0x100 || base + size < base || irq > 255)
        return false;
    out = { base, size, static_cast<u32>(irq) };
    return true;
}

}
