// SPDX-License-Identifier: MIT
// Result<T>: a value or a Linux errno, propagated with TRY(); only the system-call wrappers
// (syscalls/syscall.h) turn it into the raw -errno a musl system call expects.
#pragma once

#include "lib/errno.h"
#include "lib/types.h"
#include "lib/verify.h"

namespace uk {

struct Error {
    int code; // A positive Linux errno value.
};

inline constexpr Error error(int code) { return Error { code }; }

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(value), m_error(0) {}
    Result(Error e) : m_value(), m_error(e.code) {}

    // A Result of another type whose values convert to T. Implicit when every U fits in T
    // (int or u32 into long, Derived* into Base*); explicit between integers when the conversion
    // narrows (size_t or u64 into long), so that a value that might not fit is a visible
    // decision. Nothing else converts (no pointer downcasts, no pointers to integers).
    template<typename U>
        requires(requires(U u) { T { u }; } || (is_integer<T> && is_integer<U>))
    explicit(!requires(U u) { T { u }; }) Result(const Result<U>& other)
        : m_value(other.is_error() ? T() : static_cast<T>(other.value())), m_error(other.error_code())
    {
    }

    bool is_error() const { return m_error != 0; }
    int error_code() const { return m_error; }
    // Asking an error for its value is a bug in the caller, not a recoverable error.
    T value() const
    {
        VERIFY(!is_error());
        return m_value;
    }
    T release_value()
    {
        VERIFY(!is_error());
        return m_value;
    }

private:
    T m_value;
    int m_error;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() : m_error(0) {}
    Result(Error e) : m_error(e.code) {}
    bool is_error() const { return m_error != 0; }
    int error_code() const { return m_error; }
    void release_value() { VERIFY(!is_error()); }

private:
    int m_error;
};

} // namespace uk

// TRY(expr): evaluates to the value of a Result, or returns its error from the enclosing function.
#define TRY(expr)                                                                         \
    ({                                                                                    \
        auto _try_result = (expr);                                                        \
        if (_try_result.is_error()) [[unlikely]]                                          \
            return ::uk::error(_try_result.error_code());                                 \
        _try_result.release_value();                                                      \
    })
