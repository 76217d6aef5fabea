// SPDX-License-Identifier: MIT
// Turns gcc-style link arguments into one ld.lld-19 command line (see link_driver.h).
#include "link_driver.h"

#include <cstdint>
#include <initializer_list>
#include <utility>

namespace uk::link {

namespace {

constexpr std::string_view k_error_prefix = "uk-link: error: ";
// The Linux launcher (runtime/arch/x86_64/linux_launcher.S). PVH boot does not use e_entry: it
// starts at the XEN_ELFNOTE_PHYS32_ENTRY note, so e_entry is free for running the image on Linux.
constexpr std::string_view k_default_entry = "uk_linux_launcher";

constexpr std::string_view k_shared_library_message =
    "shared libraries are not supported: a unikernel image is one static program; "
    "build a static library (.a) instead";

bool starts_with(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> candidates)
{
    for (auto candidate : candidates)
        if (s == candidate)
            return true;
    return false;
}

std::string_view basename(std::string_view path)
{
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string quoted(std::string_view s)
{
    return "'" + std::string(s) + "'";
}

// `libfoo.so` and versioned names such as `libfoo.so.1.2`.
bool is_shared_library_name(std::string_view path)
{
    auto name = basename(path);
    return ends_with(name, ".so") || name.find(".so.") != std::string_view::npos;
}

// A piece of the user's part of the command line, kept in its original position.
struct UserItem {
    enum class Kind {
        Plain,
        // The -lc++ that -lstdc++ or -lc++ became: libc++abi and libunwind follow it unless the
        // C++ default libraries are added anyway.
        CxxLibrary,
    };
    std::string text;
    Kind kind = Kind::Plain;
};

// What the arguments ask for, before it is laid out as a command line.
struct Request {
    std::vector<UserItem> user_items;
    std::string output = "a.out";
    std::optional<std::string> sysroot;
    std::string error; // The first error found; empty if none.
    bool relocatable = false;
    bool strip = false;
    bool verbose = false;
    bool help = false;
    bool entry_given = false;
    bool no_start_files = false;
    bool no_default_libs = false;
    bool no_cxx_default_libs = false;
    bool no_libc = false;
    bool has_inputs = false;
    // -Wl,--version (or -v): lld prints its version and links nothing. Build systems ask this
    // way which linker the compiler uses (Meson, libtool), without input files.
    bool linker_version = false;
};

// Whether an option's value may be glued to it ("-LDIR") or must be the next argument.
enum class Joined {
    Allowed,
    Forbidden,
};

class ArgumentParser {
public:
    explicit ArgumentParser(std::vector<std::string> const& arguments)
        : m_arguments(arguments)
    {
    }

    Request parse();

private:
    void parse_one(std::string const& argument);
    bool parse_option_with_value(std::string const& argument);
    bool parse_flag(std::string_view argument);
    bool parse_rejected(std::string_view argument);
    static bool is_ignored(std::string_view argument);

    // The value of `flag` if `argument` is that option: glued on, the next argument, or after
    // '=' for a long option. Records an error if the value is missing.
    std::optional<std::string> value_of(std::string_view flag, std::string const& argument, Joined joined);

    void add_input(std::string const& path);
    void add_library(std::string_view name, std::string_view as_written);
    void add_linker_argument(std::string const& argument);
    void add_item(std::string text, UserItem::Kind kind = UserItem::Kind::Plain);
    void fail(std::string message);

    std::vector<std::string> const& m_arguments;
    size_t m_index = 0;
    Request m_request;
    bool m_linker_expects_entry = false; // The previous -Wl/-Xlinker word was -e or --entry.
};

Request ArgumentParser::parse()
{
    // Parsing goes on after an error so that --help anywhere still wins, as with gcc.
    for (m_index = 0; m_index < m_arguments.size(); ++m_index)
        parse_one(m_arguments[m_index]);
    if (!m_request.has_inputs && !m_request.linker_version)
        fail("no input files");
    return std::move(m_request);
}

void ArgumentParser::parse_one(std::string const& argument)
{
    if (argument.empty()) {
        fail("empty argument on the command line");
        return;
    }
    if (argument[0] != '-') {
        add_input(argument);
        return;
    }
    if (parse_option_with_value(argument) || parse_flag(argument) || parse_rejected(argument))
        return;
    if (is_ignored(argument))
        return;
    fail("unsupported link option " + quoted(argument)
        + "; pass options meant for ld.lld-19 with -Wl,OPTION (see --help for what is accepted)");
}

std::optional<std::string> ArgumentParser::value_of(std::string_view flag, std::string const& argument, Joined joined)
{
    if (argument == flag) {
        if (m_index + 1 >= m_arguments.size()) {
            fail("missing argument after " + quoted(flag));
            return std::string();
        }
        std::string const& value = m_arguments[++m_index];
        if (value.empty())
            fail("empty argument after " + quoted(flag));
        return value;
    }
    if (starts_with(flag, "--")) {
        if (!starts_with(argument, std::string(flag) + "="))
            return std::nullopt;
        if (argument.size() == flag.size() + 1)
            fail("empty argument after " + quoted(flag));
        return argument.substr(flag.size() + 1);
    }
    if (joined == Joined::Allowed && starts_with(argument, flag))
        return argument.substr(flag.size());
    return std::nullopt;
}

bool ArgumentParser::parse_option_with_value(std::string const& argument)
{
    if (auto value = value_of("-o", argument, Joined::Allowed)) {
        m_request.output = *value;
        return true;
    }
    if (auto value = value_of("-l", argument, Joined::Allowed)) {
        add_library(*value, argument);
        return true;
    }
    if (auto value = value_of("-L", argument, Joined::Allowed)) {
        add_item("-L" + *value);
        return true;
    }
    // A glued -T, -u or -z goes to lld exactly as written: gcc passes `-Ttext=ADDR` that way, and
    // lld reads `-Tscript.ld`, `-usym` and `-znow` like their separate forms.
    for (auto flag : { "-T", "-u", "-z" }) {
        if (auto value = value_of(flag, argument, Joined::Allowed)) {
            if (argument == flag) {
                add_item(flag);
                add_item(*value);
            } else {
                add_item(argument);
            }
            return true;
        }
    }
    // Clang rejects a glued -eSYM, and gcc would forward `-export-dynamic` as one: separate only.
    for (auto flag : { "-e", "--entry" }) {
        if (auto value = value_of(flag, argument, Joined::Forbidden)) {
            m_request.entry_given = true;
            add_item("-e");
            add_item(*value);
            return true;
        }
    }
    if (auto value = value_of("-Xlinker", argument, Joined::Forbidden)) {
        if (!value->empty())
            add_linker_argument(*value);
        return true;
    }
    if (auto value = value_of("--sysroot", argument, Joined::Forbidden)) {
        m_request.sysroot = *value;
        return true;
    }
    if (starts_with(argument, "-Wl,")) {
        std::string_view list = std::string_view(argument).substr(4);
        while (!list.empty()) {
            auto comma = list.find(',');
            auto piece = list.substr(0, comma);
            if (!piece.empty())
                add_linker_argument(std::string(piece));
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
        return true;
    }
    return false;
}

bool ArgumentParser::parse_flag(std::string_view argument)
{
    if (argument == "-nostdlib") {
        m_request.no_start_files = true;
        m_request.no_default_libs = true;
    } else if (argument == "-nostartfiles") {
        m_request.no_start_files = true;
    } else if (argument == "-nodefaultlibs") {
        m_request.no_default_libs = true;
    } else if (argument == "-nostdlib++") {
        m_request.no_cxx_default_libs = true;
    } else if (argument == "-nolibc") {
        m_request.no_libc = true;
    } else if (argument == "-r") {
        m_request.relocatable = true;
    } else if (argument == "-s") {
        m_request.strip = true;
    } else if (argument == "-v") {
        m_request.verbose = true;
    } else if (argument == "-h" || argument == "--help") {
        m_request.help = true;
    } else {
        return false;
    }
    return true;
}

bool ArgumentParser::parse_rejected(std::string_view argument)
{
    std::string option = quoted(argument);
    if (argument == "-shared") {
        fail(std::string(k_shared_library_message));
    } else if (argument == "-dynamic") {
        fail("dynamic linking is not supported: a unikernel image is one static program with no "
             "dynamic loader; remove -dynamic");
    } else if (argument == "-m32" || argument == "-mx32") {
        fail(option + " is not supported: the SDK builds x86_64 images only; use -m64 or nothing");
    } else if (starts_with(argument, "-fsanitize")) {
        fail(option + " is not supported yet: the SDK ships no sanitizer runtimes; "
                      "link without -fsanitize");
    } else if (starts_with(argument, "-fprofile") || argument == "--coverage" || argument == "-coverage") {
        // Clang forwards -coverage with one dash as the user wrote it.
        fail(option + " is not supported yet: the SDK ships no profiling runtime; "
                      "link without profiling or coverage options");
    } else if (starts_with(argument, "-flto")) {
        fail(option + " is not supported yet: link-time optimisation is not wired up; "
                      "build and link without -flto");
    } else {
        return false;
    }
    return true;
}

// Options that change nothing here: the image is always one static, non-PIE ELF at a fixed
// address, linked by ld.lld-19. Some build systems also repeat -g and -O at link time.
bool ArgumentParser::is_ignored(std::string_view argument)
{
    if (is_one_of(argument,
            { "-m64", "-static", "-static-pie", "-pie", "-no-pie", "-nopie", "-pthread", "-rdynamic",
                "-static-libgcc", "-static-libstdc++", "-shared-libgcc", "-fuse-ld=lld", "-fPIC",
                "-fpic", "-fPIE", "-fpie" }))
        return true;
    return starts_with(argument, "-g") || starts_with(argument, "-O");
}

void ArgumentParser::add_input(std::string const& path)
{
    if (is_shared_library_name(path)) {
        fail("cannot link " + quoted(path) + ": " + std::string(k_shared_library_message));
        return;
    }
    m_request.has_inputs = true;
    add_item(path);
}

void ArgumentParser::add_library(std::string_view name, std::string_view as_written)
{
    if (name.empty())
        return; // value_of() has reported it.
    // `-l:libfoo.so.1` names a file directly.
    if (name[0] == ':' && is_shared_library_name(name.substr(1))) {
        fail("cannot link " + quoted(as_written) + ": " + std::string(k_shared_library_message));
        return;
    }
    m_request.has_inputs = true;
    if (name == "stdc++" || name == "c++") {
        add_item("-lc++", UserItem::Kind::CxxLibrary);
        return;
    }
    // The SDK's compiler-rt builtins and libunwind provide what these hold for gcc.
    if (is_one_of(name, { "gcc", "gcc_s", "gcc_eh", "atomic" }))
        return;
    // musl's -lm, -lpthread, -lrt, -ldl, -lutil, -lcrypt and -lxnet are empty archives in the
    // sysroot, so they pass through like any other library.
    add_item("-l" + std::string(name));
}

void ArgumentParser::add_linker_argument(std::string const& argument)
{
    // -Wl and -Xlinker are the escape hatch to lld and pass unchanged, except a request for a
    // shared object, which can never make a bootable image.
    if (is_one_of(argument, { "-shared", "--shared", "-Bshareable" })) {
        fail(std::string(k_shared_library_message));
        return;
    }
    if (m_linker_expects_entry) {
        m_linker_expects_entry = false;
    } else if (is_one_of(argument, { "--version", "-version", "-v" })) {
        m_request.linker_version = true;
    } else if (is_one_of(argument, { "-e", "--entry", "-entry" })) {
        m_request.entry_given = true;
        m_linker_expects_entry = true;
    } else if (starts_with(argument, "--entry=") || starts_with(argument, "-entry=")) {
        m_request.entry_given = true;
    } else if (argument[0] != '-') {
        // Probably a file (`-Wl,--whole-archive,libfoo.a`); lld reports it if not.
        m_request.has_inputs = true;
    }
    add_item(argument);
}

void ArgumentParser::add_item(std::string text, UserItem::Kind kind)
{
    m_request.user_items.push_back({ std::move(text), kind });
}

void ArgumentParser::fail(std::string message)
{
    if (m_request.error.empty())
        m_request.error = std::move(message);
}

Result failure(std::string const& message)
{
    Result result;
    result.action = Action::Fail;
    result.message = std::string(k_error_prefix) + message;
    return result;
}

std::string without_trailing_slashes(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

void append(std::vector<std::string>& command, std::initializer_list<std::string_view> words)
{
    for (auto word : words)
        command.emplace_back(word);
}

bool is_set(EnvironmentLookup const& environment, std::string_view name)
{
    if (!environment)
        return false;
    auto value = environment(name);
    return value && !value->empty() && *value != "0";
}

} // namespace

Result translate(Invocation const& invocation)
{
    Request request = ArgumentParser(invocation.arguments).parse();
    if (request.help) {
        Result result;
        result.action = Action::PrintHelp;
        result.message = usage_text();
        return result;
    }
    if (!request.error.empty())
        return failure(request.error);

    std::string sysroot = without_trailing_slashes(request.sysroot.value_or(
        without_trailing_slashes(invocation.sdk_root) + "/sysroot"));
    std::string library_directory = (sysroot == "/" ? "" : sysroot) + "/lib";

    bool start_files = !request.relocatable && !request.no_start_files;
    bool default_libs = !request.relocatable && !request.no_default_libs;
    bool cxx_default_libs = default_libs && invocation.mode == Mode::Cxx && !request.no_cxx_default_libs
        && !is_set(invocation.environment, k_no_cxx_stdlib_variable);

    Result result;
    result.action = Action::Link;
    result.verbose = request.verbose || is_set(invocation.environment, k_verbose_variable);

    auto& command = result.command;
    std::optional<std::string> linker;
    if (invocation.environment)
        linker = invocation.environment(k_linker_variable);
    command.push_back(linker && !linker->empty() ? *linker : std::string(k_default_linker));
    append(command, { "-m", "elf_x86_64" });
    if (request.relocatable) {
        command.emplace_back("-r");
    } else {
        // Each PT_LOAD segment starts on a page of its own in memory (lld advances the address
        // to the next page), so the runtime can map text read-only and data NX from the
        // segments' flags (arch/x86_64/paging.cpp). noseparate-code lets a segment share the
        // file's page with the one before it (at an address congruent to its offset), instead of
        // padding the file to a page boundary twice: about 5 KiB less per image. The loader
        // (QEMU's PVH ELF loader) copies only each segment's file bytes, so no code page holds
        // the neighbouring segment's bytes. Pages are pinned at 4 KiB to keep images small.
        append(command,
            { "-static", "-z", "noexecstack", "-z", "noseparate-code", "-z", "max-page-size=4096",
                "--eh-frame-hdr", "--gc-sections" });
        if (!request.entry_given)
            append(command, { "-e", k_default_entry });
    }
    if (request.strip)
        command.emplace_back("--strip-all");
    append(command, { "-o", request.output });

    if (start_files) {
        command.push_back(library_directory + "/crt1.o");
        command.push_back(library_directory + "/crti.o");
    }
    for (auto const& item : request.user_items) {
        command.push_back(item.text);
        if (item.kind == UserItem::Kind::CxxLibrary && !cxx_default_libs)
            append(command, { "-lc++abi", "-lunwind" });
    }
    if (!request.relocatable) {
        // Like a gcc cross compiler: <sysroot>/lib holds the SDK's libraries, <sysroot>/usr/lib
        // what users install there (`make install DESTDIR=<sysroot>` with prefix /usr).
        command.push_back("-L" + library_directory);
        command.push_back("-L" + (sysroot == "/" ? "" : sysroot) + "/usr/lib");
    }
    if (default_libs) {
        if (cxx_default_libs)
            append(command, { "-lc++", "-lc++abi", "-lunwind" });
        // libc, the runtime and the builtins call each other both ways: one group resolves that.
        command.emplace_back("--start-group");
        if (!request.no_libc)
            command.emplace_back("-lc");
        append(command, { "-lukrt", "-lclang_rt.builtins", "--end-group" });
    }
    if (start_files)
        command.push_back(library_directory + "/crtn.o");

    // The launcher lives in the runtime, so only an image that links the runtime needs the path.
    if (default_libs) {
        std::optional<std::string> runner;
        if (invocation.environment)
            runner = invocation.environment(k_runner_variable);
        result.runner_path = runner ? *runner : without_trailing_slashes(invocation.sdk_root) + "/bin/uk-run";
    }
    return result;
}

Mode mode_from_program_name(std::string_view argv0)
{
    return ends_with(basename(argv0), "++") ? Mode::Cxx : Mode::C;
}

std::string shell_quote(std::vector<std::string> const& words)
{
    auto is_safe = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
    };
    std::string line;
    for (auto const& word : words) {
        if (!line.empty())
            line += ' ';
        bool safe = !word.empty();
        for (char c : word)
            safe = safe && is_safe(c);
        if (safe) {
            line += word;
            continue;
        }
        line += '\'';
        for (char c : word) {
            if (c == '\'')
                line += "'\\''";
            else
                line += c;
        }
        line += '\'';
    }
    return line;
}

namespace {

// [ELF gABI 4] The few constants a relocatable object with one data section and one symbol needs.
constexpr unsigned k_elf_header_size = 64;
constexpr unsigned k_section_header_size = 64;
constexpr unsigned k_symbol_size = 24;
constexpr uint16_t k_et_rel = 1;
constexpr uint16_t k_em_x86_64 = 62;
constexpr uint32_t k_sht_progbits = 1;
constexpr uint32_t k_sht_symtab = 2;
constexpr uint32_t k_sht_strtab = 3;
constexpr uint64_t k_shf_alloc = 2;
constexpr uint8_t k_stb_global_stt_object = (1 << 4) | 1;

// Little-endian field writers: ELF64 for x86-64 is little-endian whatever the host is.
void put(std::string& out, uint64_t value, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; ++i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

void pad_to(std::string& out, size_t alignment)
{
    while (out.size() % alignment)
        out += '\0';
}

struct SectionHeader {
    uint32_t name = 0;
    uint32_t type = 0;
    uint64_t flags = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
    uint32_t link = 0;
    uint32_t info = 0;
    uint64_t alignment = 0;
    uint64_t entry_size = 0;
};

void put_section_header(std::string& out, SectionHeader const& header)
{
    put(out, header.name, 4);
    put(out, header.type, 4);
    put(out, header.flags, 8);
    put(out, 0, 8); // sh_addr: not loaded yet.
    put(out, header.offset, 8);
    put(out, header.size, 8);
    put(out, header.link, 4);
    put(out, header.info, 4);
    put(out, header.alignment, 8);
    put(out, header.entry_size, 8);
}

} // namespace

std::string runner_path_object(std::string_view path)
{
    // Section indices: 0 null, 1 the path, 2 .symtab, 3 .strtab, 4 .shstrtab.
    // Every string table starts with an empty string (a NUL). std::string(1, '\0'), not "\0":
    // a C string literal would stop at its first NUL.
    std::string const string_table = std::string(1, '\0') + std::string(k_runner_symbol) + '\0';
    std::string const section_names = std::string(1, '\0') + std::string(k_runner_section) + '\0' + ".symtab"
        + '\0' + ".strtab" + '\0' + ".shstrtab" + '\0';
    uint32_t const runner_name = 1;
    uint32_t const symtab_name = runner_name + static_cast<uint32_t>(k_runner_section.size()) + 1;
    uint32_t const strtab_name = symtab_name + 8;
    uint32_t const shstrtab_name = strtab_name + 8;

    std::string body(k_elf_header_size, '\0');
    uint64_t const data_offset = body.size();
    body += path;
    body += '\0';
    uint64_t const data_size = body.size() - data_offset;

    pad_to(body, 8);
    uint64_t const symtab_offset = body.size();
    body.append(k_symbol_size, '\0'); // The null symbol.
    put(body, 1, 4); // st_name: the symbol's name in .strtab.
    put(body, k_stb_global_stt_object, 1);
    put(body, 0, 1); // st_other: default visibility.
    put(body, 1, 2); // st_shndx: the path's section.
    put(body, 0, 8); // st_value: its start.
    put(body, data_size, 8);
    uint64_t const symtab_size = body.size() - symtab_offset;

    uint64_t const strtab_offset = body.size();
    body += string_table;
    uint64_t const shstrtab_offset = body.size();
    body += section_names;

    pad_to(body, 8);
    uint64_t const section_headers_offset = body.size();
    put_section_header(body, {});
    put_section_header(body,
        { runner_name, k_sht_progbits, k_shf_alloc, data_offset, data_size, 0, 0, 1, 0 });
    // sh_link: the string table; sh_info: the index of the first global symbol.
    put_section_header(body,
        { symtab_name, k_sht_symtab, 0, symtab_offset, symtab_size, 3, 1, 8, k_symbol_size });
    put_section_header(body, { strtab_name, k_sht_strtab, 0, strtab_offset, string_table.size(), 0, 0, 1, 0 });
    put_section_header(body,
        { shstrtab_name, k_sht_strtab, 0, shstrtab_offset, section_names.size(), 0, 0, 1, 0 });

    std::string header;
    header += "\x7f" "ELF";
    header += '\2'; // ELFCLASS64
    header += '\1'; // ELFDATA2LSB
    header += '\1'; // EV_CURRENT
    header.append(9, '\0'); // OS ABI (System V), ABI version, padding.
    put(header, k_et_rel, 2);
    put(header, k_em_x86_64, 2);
    put(header, 1, 4); // e_version
    put(header, 0, 8); // e_entry
    put(header, 0, 8); // e_phoff: no program headers.
    put(header, section_headers_offset, 8);
    put(header, 0, 4); // e_flags
    put(header, k_elf_header_size, 2);
    put(header, 0, 2); // e_phentsize
    put(header, 0, 2); // e_phnum
    put(header, k_section_header_size, 2);
    put(header, 5, 2); // e_shnum
    put(header, 4, 2); // e_shstrndx
    body.replace(0, header.size(), header);
    return body;
}

namespace {

// lld colours "error:" when asked to; matching looks at the text only.
std::string without_escape_sequences(std::string_view line)
{
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
            i += 2;
            while (i < line.size() && !(line[i] >= '@' && line[i] <= '~'))
                ++i;
            continue;
        }
        text += line[i];
    }
    return text;
}

// What musl has and libc.a leaves out (sysroot/musl/remove.txt): creating, replacing and reaping
// processes, and the functions built on them.
bool is_process_function(std::string_view name)
{
    return is_one_of(name,
               { "fork", "vfork", "_Fork", "forkpty", "daemon", "execve", "execv", "execl", "execle",
                   "execlp", "execvp", "execvpe", "fexecve", "posix_spawn", "posix_spawnp", "wait",
                   "waitpid", "waitid", "wait3", "wait4", "wordexp", "wordfree" })
        || starts_with(name, "posix_spawn_file_actions_") || starts_with(name, "posix_spawnattr_");
}

} // namespace

std::string explain_linker_line(std::string_view line, std::string_view porting_guide)
{
    constexpr std::string_view marker = ": error: undefined symbol: ";
    std::string text = without_escape_sequences(line);
    auto at = text.find(marker);
    if (at == std::string::npos)
        return std::string(line);
    std::string_view symbol = std::string_view(text).substr(at + marker.size());
    if (!is_process_function(symbol))
        return std::string(line);
    return std::string(k_error_prefix) + "undefined symbol: " + std::string(symbol)
        + ": a unikernel image is one program with no other processes, so its libc has no fork, exec*, "
          "posix_spawn* or wait*; see "
        + std::string(porting_guide) + " (\"Processes\")";
}

std::string usage_text()
{
    return R"(usage: gcc|g++ [options] inputs...   (uksdk link driver, run by clang-19 through -B)

Links a unikernel image with ld.lld-19: PVH start files, the inputs and libraries in the order
given, then the SDK's libraries (libc++, libc++abi and libunwind when run as g++; libc, the
runtime and the compiler-rt builtins always). Libraries come from <SDK>/sysroot/lib, then
<SDK>/sysroot/usr/lib. The ELF entry point is the runtime's Linux launcher (uk_linux_launcher),
which boots the image with uk-run when it is executed on a Linux host; the image records the path
of this SDK's bin/uk-run for it. Undefined references to fork, exec*, posix_spawn* and wait* get
a line saying why they do not exist.

Options:
  -o FILE            output image (default a.out)
  -L DIR, -l NAME    library search directory and library (-lstdc++ means -lc++)
  -T SCRIPT, -u SYM, -e SYM, -z KEYWORD   passed to the linker in place
  -Wl,A,B,...        pass A B ... to the linker; -Xlinker A passes A
  -nostdlib          no start files and no default libraries
  -nostartfiles      no start files (crt1.o, crti.o, crtn.o)
  -nodefaultlibs     no default libraries
  -nostdlib++        no C++ default libraries (libc++, libc++abi, libunwind); libc and the
                     rest stay. An explicit -lc++ or -lstdc++ still brings its runtime
  -nolibc            default libraries without libc
  -r                 relocatable link: only the inputs, nothing added
  -s                 strip all symbols
  --sysroot=DIR      take start files and libraries from DIR/lib
  -v                 print the linker command on stderr, then link
  -h, --help         this text

Accepted and ignored: -m64 -static -static-pie -pie -no-pie -nopie -pthread -rdynamic
-static-libgcc -static-libstdc++ -shared-libgcc -fuse-ld=lld -fPIC -fpic -fPIE -fpie -g* -O*.
Rejected: -shared, -dynamic, shared library inputs (.so), -m32, -mx32, -flto*, -fsanitize*,
-fprofile*, --coverage, and any other option.

Environment:
  UKSDK_LLD            the linker to run (default ld.lld-19, searched on PATH)
  UKSDK_LINK_VERBOSE   set (and not 0) to act as if -v were given; clang does not pass -v on
  UKSDK_LINK_NOSTDLIBXX  set (and not 0) to act as if -nostdlib++ were given; clang-19 does not
                       pass -nostdlib++ (nor -nodefaultlibs, -nolibc) on
  UKSDK_LINK_RUNNER    the uk-run path to record in the image (default <SDK>/bin/uk-run); set but
                       empty records none, and the image then finds uk-run on PATH
)";
}

}
