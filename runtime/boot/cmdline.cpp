// SPDX-License-Identifier: MIT
// Boot command line tokenizer and classifier (portable: unit-tested and fuzzed on the host).
#include "boot/cmdline.h"

#include "lib/string.h"

namespace uk {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool contains(const char* s, char c)
{
    for (; *s; ++s)
        if (*s == c)
            return true;
    return false;
}

template<size_t N>
Result<void> push(const char* (&table)[N], size_t& count, const char* value)
{
    if (count == N)
        return error(E2BIG);
    table[count++] = value;
    return {};
}

} // namespace

const char* CommandLine::option(const char* key, const char* fallback) const
{
    size_t key_length = string_length(key);
    for (size_t i = option_count; i-- > 0;) {
        const char* o = options[i];
        if (!starts_with(o, key))
            continue;
        if (o[key_length] == '=')
            return o + key_length + 1;
        if (o[key_length] == 0)
            return "";
    }
    return fallback;
}

Result<void> parse_command_line(const char* text, size_t length, char* storage, size_t storage_size,
    CommandLine& out)
{
    if (storage_size < 2 * length + 2)
        return error(EINVAL);
    out.argument_count = out.environment_count = out.option_count = 0;
    size_t pos = 0;
    size_t used = 0;
    bool in_arguments = false;
    while (true) {
        while (pos < length && is_space(text[pos]))
            ++pos;
        if (pos >= length || text[pos] == 0)
            break;
        char* token = storage + used;
        bool quoted = false;
        while (pos < length && text[pos] && !is_space(text[pos])) {
            char c = text[pos++];
            if (c == '"') {
                quoted = true;
                while (true) {
                    if (pos >= length || text[pos] == 0)
                        return error(EINVAL);
                    c = text[pos++];
                    if (c == '"')
                        break;
                    if (c == '\\') {
                        if (pos >= length || text[pos] == 0)
                            return error(EINVAL);
                        c = text[pos++];
                        if (c == 'x') {
                            if (pos + 2 > length)
                                return error(EINVAL);
                            int hi = hex_value(text[pos]), lo = hex_value(text[pos + 1]);
                            if (hi < 0 || lo < 0)
                                return error(EINVAL);
                            c = static_cast<char>(hi * 16 + lo);
                            pos += 2;
                        }
                    }
                    storage[used++] = c;
                }
            } else if (c == '\'') {
                quoted = true;
                while (true) {
                    if (pos >= length || text[pos] == 0)
                        return error(EINVAL);
                    c = text[pos++];
                    if (c == '\'')
                        break;
                    storage[used++] = c;
                }
            } else if (c == '\\') {
                if (pos >= length || text[pos] == 0)
                    return error(EINVAL);
                storage[used++] = text[pos++];
            } else {
                storage[used++] = c;
            }
        }
        storage[used++] = 0;

        if (!quoted && starts_with(token, "virtio_mmio.device=")) {
            TRY(push(out.options, out.option_count, token));
        } else if (in_arguments) {
            TRY(push(out.arguments, out.argument_count, token));
        } else if (!quoted && strings_equal(token, "--")) {
            in_arguments = true;
        } else if (starts_with(token, "uk.")) {
            TRY(push(out.options, out.option_count, token));
        } else if (contains(token, '=')) {
            TRY(push(out.environment, out.environment_count, token));
        } else {
            TRY(push(out.arguments, out.argument_count, token));
        }
    }
    return {};
}

} // namespace uk
