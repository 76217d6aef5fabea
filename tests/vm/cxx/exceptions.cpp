// SPDX-License-Identifier: MIT
// Exceptions: deep unwinding with destructors, catching by base class, rethrow, exception_ptr,
// nested exceptions, exceptions from the members of static objects, the standard library's own
// exceptions. With an argument, one way of ending in std::terminate (see main).
#include "check.h"

#include <any>
#include <cstring>
#include <functional>
#include <link.h>
#include <map>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <typeinfo>
#include <variant>
#include <vector>

namespace {

// Depth of the frames that are unwound, and the order their destructors ran in.
std::vector<int> g_unwound;

struct Guard {
    int depth;
    ~Guard() { g_unwound.push_back(depth); }
};

struct BaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct MiddleError : BaseError {
    using BaseError::BaseError;
};
struct DeepError final : MiddleError {
    DeepError(int d)
        : MiddleError("thrown at depth " + std::to_string(d))
        , depth(d)
    {
    }
    int depth;
};

__attribute__((noinline)) int descend(int depth, int bottom)
{
    Guard guard { depth };
    if (depth == bottom)
        throw DeepError(depth);
    // Not a tail call: the guard must be destroyed after the call returns.
    return descend(depth + 1, bottom) + 1;
}

void test_deep_unwinding()
{
    g_unwound.clear();
    try {
        descend(1, 25);
        CHECK(!"descend returned");
    } catch (const BaseError& e) { // Caught through two levels of base class.
        CHECK_EQ(std::string(e.what()), "thrown at depth 25");
        const auto* deep = dynamic_cast<const DeepError*>(&e);
        CHECK(deep != nullptr);
        if (deep)
            CHECK_EQ(deep->depth, 25);
    }
    CHECK_EQ(g_unwound.size(), 25u);
    for (std::size_t i = 0; i < g_unwound.size(); ++i)
        CHECK_EQ(g_unwound[i], static_cast<int>(25 - i)); // Innermost frame first.
}

void test_rethrow()
{
    const void* first = nullptr;
    const void* second = nullptr;
    int handlers = 0;
    try {
        try {
            throw MiddleError("rethrown");
        } catch (const std::exception& e) {
            first = &e;
            ++handlers;
            throw; // The same object, not a copy.
        }
    } catch (const MiddleError& e) {
        second = &e;
        ++handlers;
        CHECK_EQ(std::string(e.what()), "rethrown");
    }
    CHECK_EQ(handlers, 2);
    CHECK(first == second);

    // A catch (...) that rethrows, and a non-class exception.
    try {
        try {
            throw 42;
        } catch (...) {
            throw;
        }
    } catch (int value) {
        CHECK_EQ(value, 42);
    }
}

__attribute__((noinline)) std::exception_ptr capture()
{
    try {
        throw std::out_of_range("captured");
    } catch (...) {
        return std::current_exception();
    }
}

void test_exception_ptr()
{
    std::exception_ptr p = capture();
    CHECK(p != nullptr);
    CHECK(std::current_exception() == nullptr); // No handler is active any more.
    std::exception_ptr copy = p;
    for (int round = 0; round < 2; ++round) {
        try {
            std::rethrow_exception(copy);
        } catch (const std::logic_error& e) { // out_of_range's base.
            CHECK_EQ(std::string(e.what()), "captured");
            CHECK(typeid(e) == typeid(std::out_of_range));
        }
    }
    std::exception_ptr made = std::make_exception_ptr(std::string("a string"));
    try {
        std::rethrow_exception(made);
    } catch (const std::string& s) {
        CHECK_EQ(s, "a string");
    }
}

[[noreturn]] void open_file() { throw std::runtime_error("file missing"); }

[[noreturn]] void load_config()
{
    try {
        open_file();
    } catch (...) {
        std::throw_with_nested(std::runtime_error("config unreadable"));
    }
}

[[noreturn]] void start_service()
{
    try {
        load_config();
    } catch (...) {
        std::throw_with_nested(std::logic_error("service failed"));
    }
}

void unwrap(const std::exception& e, std::string& out)
{
    out += e.what();
    try {
        std::rethrow_if_nested(e);
    } catch (const std::exception& inner) {
        out += " <- ";
        unwrap(inner, out);
    }
}

void test_nested()
{
    try {
        start_service();
    } catch (const std::exception& e) {
        std::string chain;
        unwrap(e, chain);
        CHECK_EQ(chain, "service failed <- config unreadable <- file missing");
        CHECK(dynamic_cast<const std::nested_exception*>(&e) != nullptr);
    }
}

// A static object whose middle member's constructor throws: the members before it are destroyed,
// the one after it is never built, and the static is initialised again on the next pass.
std::string g_member_log;
bool g_member_should_throw = true;

struct Member {
    char name;
    explicit Member(char n)
        : name(n)
    {
        g_member_log += std::string("+") + name;
    }
    ~Member() { g_member_log += std::string("-") + name; }
};
struct Throwing {
    Throwing()
    {
        if (g_member_should_throw)
            throw std::invalid_argument("member constructor failed");
    }
};
struct StaticHolder {
    Member a { 'a' };
    Throwing t;
    Member b { 'b' };
};

StaticHolder& holder()
{
    static StaticHolder instance;
    return instance;
}

void test_static_member_constructors()
{
    try {
        holder();
        CHECK(!"the first initialisation succeeded");
    } catch (const std::invalid_argument& e) {
        CHECK_EQ(std::string(e.what()), "member constructor failed");
    }
    CHECK_EQ(g_member_log, "+a-a");
    g_member_should_throw = false;
    StaticHolder& h = holder(); // Initialisation is attempted again.
    CHECK_EQ(g_member_log, "+a-a+a+b");
    CHECK(&h == &holder());
    CHECK_EQ(g_member_log, "+a-a+a+b");
}

// A namespace-scope static whose constructor throws and catches before main runs: unwinding works
// during static initialisation.
struct EarlyThrower {
    std::string caught;
    EarlyThrower()
    {
        try {
            descend(1, 3);
        } catch (const DeepError& e) {
            caught = e.what();
        }
    }
};
EarlyThrower g_early;

void test_standard_exceptions()
{
    std::vector<int> v(3);
    try {
        v.at(3) = 1;
        CHECK(!"vector::at did not throw");
    } catch (const std::out_of_range&) {
    }
    try {
        (void)std::stoi("not a number");
        CHECK(!"stoi did not throw");
    } catch (const std::invalid_argument&) {
    }
    try {
        std::map<int, int> m;
        (void)m.at(7);
        CHECK(!"map::at did not throw");
    } catch (const std::out_of_range&) {
    }
    try {
        std::optional<int> none;
        (void)none.value();
        CHECK(!"optional::value did not throw");
    } catch (const std::bad_optional_access&) {
    }
    try {
        std::variant<int, std::string> var = 1;
        (void)std::get<std::string>(var);
        CHECK(!"get did not throw");
    } catch (const std::bad_variant_access&) {
    }
    try {
        std::function<void()> empty;
        empty();
        CHECK(!"an empty function ran");
    } catch (const std::bad_function_call&) {
    }
    try {
        std::any a = 1;
        (void)std::any_cast<double>(a);
        CHECK(!"any_cast did not throw");
    } catch (const std::bad_any_cast&) {
    }
    try {
        throw std::system_error(ENOENT, std::generic_category(), "opening");
    } catch (const std::system_error& e) {
        CHECK_EQ(std::string(e.what()), "opening: No such file or directory");
        CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
    // Far more than the guest's RAM: operator new reports it with bad_alloc, never a crash.
    try {
        std::size_t huge = std::size_t(1) << 40;
        char* volatile p = new char[huge];
        p[0] = 1;
        CHECK(!"a 1 TiB allocation succeeded");
        delete[] p;
    } catch (const std::bad_alloc&) {
    }
    try {
        std::vector<int> big;
        big.reserve(big.max_size());
        CHECK(!"reserve(max_size) succeeded");
    } catch (const std::length_error&) {
    } catch (const std::bad_alloc&) {
    }
}

// libunwind finds the unwind tables through dl_iterate_phdr, from the auxv the runtime provides.
void test_eh_frame_visible()
{
    int eh_frames = 0;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* data) {
            for (int i = 0; i < info->dlpi_phnum; ++i)
                if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME)
                    ++*static_cast<int*>(data);
            return 0;
        },
        &eh_frames);
    CHECK_EQ(eh_frames, 1);
}

struct Oops {
    int code;
};

__attribute__((noinline)) void throw_runtime_error(int depth)
{
    if (depth == 0)
        throw std::runtime_error("nobody catches this");
    throw_runtime_error(depth - 1);
    std::cout << "unreachable\n";
}

__attribute__((noinline)) void violate_noexcept() noexcept
{
    // The throw happens in a callee the compiler cannot see through, as in real code.
    std::function<void()> f = [] { throw Oops { 7 }; };
    f();
}

__attribute__((noinline)) void throw_int() { throw 42; }

// Not a tail call, so that main stays in the backtrace.
__attribute__((noinline)) int call_terminate()
{
    std::terminate();
}

} // namespace

int main(int argc, char** argv)
{
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "uncaught")
        throw_runtime_error(3);
    if (mode == "noexcept")
        violate_noexcept();
    if (mode == "terminate")
        return call_terminate();
    if (mode == "int")
        throw_int();
    if (!mode.empty()) {
        std::cout << "unknown mode " << mode << "\n";
        return 2;
    }

    CHECK_EQ(g_early.caught, "thrown at depth 3");
    test_deep_unwinding();
    test_rethrow();
    test_exception_ptr();
    test_nested();
    test_static_member_constructors();
    test_standard_exceptions();
    test_eh_frame_visible();
    return finish("exceptions");
}
