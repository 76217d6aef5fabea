/* SPDX-License-Identifier: MIT */
/* uksdk: syscall() with a constant number calls that system call's runtime function directly.
 * Included by <unistd.h> (patch 0013) after its declaration of syscall(). The function syscall()
 * in libc takes any number and so goes through the runtime's table, which links every system
 * call into the program (the whole network stack with it); the macro below lets a call such as
 * syscall(SYS_futex, ...) (libc++abi's guard for function-local statics, libc++'s atomic waits,
 * a program's own) link only the handler it names. A number that is not a constant still calls
 * syscall(). Define __UK_NO_SYSCALL_MACRO before including <unistd.h> to turn this off (a
 * program that declares syscall itself, or takes its address with parentheses after it). */
#ifndef __UK_BITS_SYSCALL_H
#define __UK_BITS_SYSCALL_H

#define UK_SYSCALL(nr, name) long __uk_sys_##name(long, long, long, long, long, long);
#include <bits/uk_syscalls_list.h>
#undef UK_SYSCALL

int *__errno_location(void);

static __inline __attribute__((__always_inline__)) long __uk_syscall_inline(long __n, long __a1, long __a2,
	long __a3, long __a4, long __a5, long __a6)
{
	if (__builtin_constant_p(__n)) {
		long __r;
		switch (__n) {
#define UK_SYSCALL(nr, name) case nr: __r = __uk_sys_##name(__a1, __a2, __a3, __a4, __a5, __a6); break;
#include <bits/uk_syscalls_list.h>
#undef UK_SYSCALL
		default: return (syscall)(__n, __a1, __a2, __a3, __a4, __a5, __a6);
		}
		/* As libc's syscall() (__syscall_ret): -errno becomes -1 and errno. */
		if ((unsigned long)__r > -4096UL) {
			*__errno_location() = (int)-__r;
			return -1;
		}
		return __r;
	}
	return (syscall)(__n, __a1, __a2, __a3, __a4, __a5, __a6);
}

#define __UK_SYSCALL_PAD(n, a1, a2, a3, a4, a5, a6, ...) \
	__uk_syscall_inline((long)(n), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5), (long)(a6))
#define syscall(...) __UK_SYSCALL_PAD(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

#endif
