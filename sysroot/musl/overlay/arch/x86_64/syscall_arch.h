/* SPDX-License-Identifier: MIT */
/* uksdk's replacement for musl's arch/x86_64/syscall_arch.h. A unikernel has no `syscall`
 * instruction: every kernel entry is a plain function call into the SDK's runtime, linked into the
 * same program. A call whose number is a compile-time constant (nearly all of musl's) compiles to
 * a direct call of that system call's runtime function, __uk_sys_NAME, so the linker pulls in only
 * the runtime functions a program really uses. Any other number goes through the runtime's table,
 * __uk_syscall. Both return the result or -errno, exactly like the raw Linux system call.
 * There is no vDSO, so VDSO_USEFUL and the VDSO_* symbol names are deliberately not defined:
 * clock_gettime then calls the runtime directly, which never exits to the VMM. */

#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

/* uk_syscalls.def is the runtime's runtime/syscalls/linux_syscalls.def, copied into this directory
 * by sysroot/musl/build-musl: one UK_SYSCALL(number, name) line per x86_64 Linux system call. */
#define UK_SYSCALL(nr, name) long __uk_sys_##name(long, long, long, long, long, long);
#include "uk_syscalls.def"
#undef UK_SYSCALL

long __uk_syscall(long, long, long, long, long, long, long);

/* A system call's runtime handler, as __syscall_cp passes it (src/internal/syscall.h, patch
 * 0012). __uk_syscall_handler(n) folds a constant number to its handler, so that cancellable calls
 * link only the handlers they use; a number that is not a constant is looked up in the runtime's
 * table (__uk_syscall_table_handler, 0 for an unknown number) there, at the call site, so only
 * such call sites link the table and with it every handler. */
typedef long (*__uk_syscall_handler_t)(long, long, long, long, long, long);
__uk_syscall_handler_t __uk_syscall_table_handler(long);

/* Everything below must be inlined into its caller: only there is the number a constant that
 * __builtin_constant_p can see, and only there does the switch fold away to one call. */
#define __UK_SYSCALL_INLINE static __inline __attribute__((__always_inline__))

__UK_SYSCALL_INLINE long __uk_syscall_dispatch(long n, long a1, long a2, long a3,
                                               long a4, long a5, long a6)
{
	if (__builtin_constant_p(n)) {
		switch (n) {
#define UK_SYSCALL(nr, name) case nr: return __uk_sys_##name(a1, a2, a3, a4, a5, a6);
#include "uk_syscalls.def"
#undef UK_SYSCALL
		}
	}
	return __uk_syscall(n, a1, a2, a3, a4, a5, a6);
}

__UK_SYSCALL_INLINE __uk_syscall_handler_t __uk_syscall_handler(long n)
{
	if (__builtin_constant_p(n)) {
		switch (n) {
#define UK_SYSCALL(nr, name) case nr: return __uk_sys_##name;
#include "uk_syscalls.def"
#undef UK_SYSCALL
		}
	}
	return __uk_syscall_table_handler(n);
}

/* Unused arguments are passed as 0: the runtime functions all take six, and zero is what a
 * kernel handler would see from a well-behaved caller. */
__UK_SYSCALL_INLINE long __syscall0(long n)
{
	return __uk_syscall_dispatch(n, 0, 0, 0, 0, 0, 0);
}

__UK_SYSCALL_INLINE long __syscall1(long n, long a1)
{
	return __uk_syscall_dispatch(n, a1, 0, 0, 0, 0, 0);
}

__UK_SYSCALL_INLINE long __syscall2(long n, long a1, long a2)
{
	return __uk_syscall_dispatch(n, a1, a2, 0, 0, 0, 0);
}

__UK_SYSCALL_INLINE long __syscall3(long n, long a1, long a2, long a3)
{
	return __uk_syscall_dispatch(n, a1, a2, a3, 0, 0, 0);
}

__UK_SYSCALL_INLINE long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return __uk_syscall_dispatch(n, a1, a2, a3, a4, 0, 0);
}

__UK_SYSCALL_INLINE long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	return __uk_syscall_dispatch(n, a1, a2, a3, a4, a5, 0);
}

__UK_SYSCALL_INLINE long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return __uk_syscall_dispatch(n, a1, a2, a3, a4, a5, a6);
}

#undef __UK_SYSCALL_INLINE

#define IPC_64 0
