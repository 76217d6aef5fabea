// SPDX-License-Identifier: MIT
// Fixed-width integer names for freestanding runtime code.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uk {
using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using uptr = uintptr_t;

// The built-in integer types (the freestanding runtime has no <type_traits>).
template<typename T> inline constexpr bool is_integer = false;
template<> inline constexpr bool is_integer<bool> = true;
template<> inline constexpr bool is_integer<char> = true;
template<> inline constexpr bool is_integer<signed char> = true;
template<> inline constexpr bool is_integer<unsigned char> = true;
template<> inline constexpr bool is_integer<short> = true;
template<> inline constexpr bool is_integer<unsigned short> = true;
template<> inline constexpr bool is_integer<int> = true;
template<> inline constexpr bool is_integer<unsigned> = true;
template<> inline constexpr bool is_integer<long> = true;
template<> inline constexpr bool is_integer<unsigned long> = true;
template<> inline constexpr bool is_integer<long long> = true;
template<> inline constexpr bool is_integer<unsigned long long> = true;

inline constexpr u64 k_page_size = 4096;
inline constexpr u64 align_down(u64 v, u64 a) { return v & ~(a - 1); }
inline constexpr u64 align_up(u64 v, u64 a) { return (v + a - 1) & ~(a - 1); }
}
