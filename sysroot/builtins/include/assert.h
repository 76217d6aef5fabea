/* SPDX-License-Identifier: MIT */
/* Stand-in <assert.h> for building compiler-rt's builtins before any libc exists. */

/*
 * cpu_model/x86.c includes <assert.h> for three range checks and for C11 static_assert. The
 * builtins are compiled with -nostdlibinc (the host's glibc headers must never leak in), so
 * this header supplies both. A failed check traps instead of calling a libc's __assert_fail:
 * the builtins must not depend on anything but memory and trap primitives.
 */
#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#define assert(expr) ((expr) ? (void)0 : __builtin_trap())
#endif

#if !defined(__cplusplus) && __STDC_VERSION__ >= 201112L && __STDC_VERSION__ < 202311L
#define static_assert _Static_assert
#endif
