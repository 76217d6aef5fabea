// SPDX-License-Identifier: MIT
// A small, allocation-free printf for runtime messages and crash reports.
#include "lib/format.h"

namespace uk {

namespace {

struct Sink {
    char* buf;
    size_t capacity;
    size_t length;

    void put(char c)
    {
        if (length + 1 < capacity)
            buf[length] = c;
        ++length;
    }
};

void put_number(Sink& out, u64 value, unsigned base, bool upper, bool negative, int width, bool zero_pad,
    bool left)
{
    char digits[24];
    int n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[value % base];
        value /= base;
    } while (value);
    int total = n + (negative ? 1 : 0);
    if (!left && !zero_pad)
        for (int i = total; i < width; ++i)
            out.put(' ');
    if (negative)
        out.put('-');
    if (!left && zero_pad)
        for (int i = total; i < width; ++i)
            out.put('0');
    while (n)
        out.put(digits[--n]);
    if (left)
        for (int i = total; i < width; ++i)
            out.put(' ');
}

} // namespace

size_t vformat(char* buf, size_t capacity, const char* fmt, va_list ap)
{
    Sink out { buf, capacity, 0 };
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        bool left = false, zero_pad = false;
        for (;; ++p) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                zero_pad = true;
            else
                break;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        int longs = 0;
        bool size = false;
        for (;; ++p) {
            if (*p == 'l')
                ++longs;
            else if (*p == 'z')
                size = true;
            else
                break;
        }
        auto fetch_unsigned = [&]() -> u64 {
            if (longs || size)
                return va_arg(ap, unsigned long);
            return va_arg(ap, unsigned int);
        };
        switch (*p) {
        case 'd':
        case 'i': {
            i64 v = (longs || size) ? va_arg(ap, long) : va_arg(ap, int);
            bool negative = v < 0;
            put_number(out, negative ? 0 - static_cast<u64>(v) : static_cast<u64>(v), 10, false, negative,
                width, zero_pad, left);
            break;
        }
        case 'u':
            put_number(out, fetch_unsigned(), 10, false, false, width, zero_pad, left);
            break;
        case 'x':
        case 'X':
            put_number(out, fetch_unsigned(), 16, *p == 'X', false, width, zero_pad, left);
            break;
        case 'p':
            out.put('0');
            out.put('x');
            put_number(out, reinterpret_cast<uptr>(va_arg(ap, void*)), 16, false, false, 16, true, false);
            break;
        case 'c':
            if (!left)
                for (int i = 1; i < width; ++i)
                    out.put(' ');
            out.put(static_cast<char>(va_arg(ap, int)));
            if (left)
                for (int i = 1; i < width; ++i)
                    out.put(' ');
            break;
        case 's': {
            const char* s = va_arg(ap, const char*);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len])
                ++len;
            if (!left)
                for (int i = len; i < width; ++i)
                    out.put(' ');
            for (int i = 0; i < len; ++i)
                out.put(s[i]);
            if (left)
                for (int i = len; i < width; ++i)
                    out.put(' ');
            break;
        }
        case '%':
            out.put('%');
            break;
        case 0:
            --p;
            break;
        default:
            out.put('%');
            out.put(*p);
            break;
        }
    }
    if (capacity)
        buf[out.length < capacity ? out.length : capacity - 1] = 0;
    return out.length;
}

size_t format(char* buf, size_t capacity, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buf, capacity, fmt, ap);
    va_end(ap);
    return n;
}

} // namespace uk
