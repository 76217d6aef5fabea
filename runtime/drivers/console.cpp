// SPDX-License-Identifier: MIT
// Console output (COM1) and printk.
#include "drivers/console.h"

#include <stdarg.h>

#include "drivers/serial.h"
#include "lib/format.h"

namespace uk {

namespace console {
void init() { serial::init(); }
void write(const char* data, size_t length) { serial::write(data, length); }
}

void printk(const char* fmt, ...)
{
    char buffer[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buffer, sizeof(buffer), fmt, ap);
    va_end(ap);
    console::write(buffer, n < sizeof(buffer) ? n : sizeof(buffer) - 1);
}

}
