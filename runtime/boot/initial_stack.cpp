// SPDX-License-Identifier: MIT
// Builds the initial process stack (portable: host-tested).
#include "boot/initial_stack.h"

#include "lib/string.h"

namespace uk {

u64 build_initial_stack(u64 top, u64 limit, const InitialStackInput& in)
{
    u64 sp = top;
    bool overflow = false;
    auto push_bytes = [&](const void* data, size_t n) -> u64 {
        if (sp - limit < n) {
            overflow = true;
            return 0;
        }
        sp -= n;
        copy_bytes(reinterpret_cast<void*>(sp), data, n);
        return sp;
    };
    auto push_string = [&](const char* s) { return push_bytes(s, string_length(s) + 1); };

    u64 random = push_bytes(in.random, sizeof(in.random));
    u64 platform = push_string("x86_64");
    u64 execfn = push_string(in.argument_count ? in.arguments[0] : "");

    // String pointers are recorded into a scratch area below the strings, then copied into place.
    constexpr size_t k_max_pointers = 16384;
    size_t pointer_count = in.argument_count + in.environment_count;
    if (pointer_count > k_max_pointers)
        return 0;
    static u64 s_pointers[k_max_pointers];
    for (size_t i = 0; i < in.argument_count; ++i)
        s_pointers[i] = push_string(in.arguments[i]);
    for (size_t i = 0; i < in.environment_count; ++i)
        s_pointers[in.argument_count + i] = push_string(in.environment[i]);
    if (overflow)
        return 0;

    size_t auxv_words = 2 * (in.auxv_count + 4);
    size_t words = 1 + (in.argument_count + 1) + (in.environment_count + 1) + auxv_words;
    u64 bytes = words * 8;
    if (sp - limit < bytes + 16)
        return 0;
    sp = (sp - bytes) & ~u64(15);
    auto* out = reinterpret_cast<u64*>(sp);
    size_t w = 0;
    out[w++] = in.argument_count;
    for (size_t i = 0; i < in.argument_count; ++i)
        out[w++] = s_pointers[i];
    out[w++] = 0;
    for (size_t i = 0; i < in.environment_count; ++i)
        out[w++] = s_pointers[in.argument_count + i];
    out[w++] = 0;
    for (size_t i = 0; i < in.auxv_count; ++i) {
        out[w++] = in.auxv[i][0];
        out[w++] = in.auxv[i][1];
    }
    out[w++] = k_at_random;
    out[w++] = random;
    out[w++] = k_at_platform;
    out[w++] = platform;
    out[w++] = k_at_execfn;
    out[w++] = execfn;
    out[w++] = k_at_null;
    out[w++] = 0;
    return sp;
}

}
