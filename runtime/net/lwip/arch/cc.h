/* SPDX-License-Identifier: MIT */
/* lwIP's compiler and platform abstraction for the runtime: freestanding clang, x86_64, no libc
 * headers (the runtime is built before musl), assertions that panic. */
#ifndef UK_LWIP_ARCH_CC_H
#define UK_LWIP_ARCH_CC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN

/* clang's freestanding <inttypes.h> only forwards to a C library's, which the runtime does not
 * have: the format macros are ours (used by lwIP's debug output only). */
#define LWIP_NO_INTTYPES_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* lwIP's own isdigit() and friends instead of <ctype.h>. */
#define LWIP_NO_CTYPE_H 1
/* No <unistd.h>: ssize_t is defined here with its Linux x86_64 width. */
#define LWIP_NO_UNISTD_H 1
#ifndef SSIZE_MAX
typedef long ssize_t;
#define SSIZE_MAX LONG_MAX
#endif

#define PACK_STRUCT_FIELD(x) x
#define PACK_STRUCT_STRUCT __attribute__((packed))
#define PACK_STRUCT_BEGIN
#define PACK_STRUCT_END

/* Byte swaps compile to one instruction. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_ntohs(x) lwip_htons(x)
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))
#define lwip_ntohl(x) lwip_htonl(x)

#ifdef __cplusplus
extern "C" {
#endif
/* net/lwip_port.cpp */
__attribute__((noreturn)) void uk_lwip_assert(const char* message, const char* file, int line);
unsigned int uk_lwip_rand(void);
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_ASSERT(x) uk_lwip_assert((x), __FILE__, __LINE__)
/* Diagnostics exist only in LWIP_DEBUG builds, which the runtime does not make. */
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_RAND() ((u32_t)uk_lwip_rand())

#endif
