/* SPDX-License-Identifier: MIT */
/* uksdk's replacement for musl's src/signal/x86_64/restore.s, which executes `syscall`: the signal
 * return trampoline calls the runtime's rt_sigreturn instead. (musl's x86_64 ksigaction.h defines
 * __restore as __restore_rt, so this one symbol serves both.)
 *
 * void __restore_rt(void)
 * Entry: reached by the `ret` that ends a signal handler, so %rsp points where Linux's
 *   rt_sigreturn looks for the signal frame (struct rt_sigframe without its return-address slot:
 *   the ucontext, then the siginfo), and %rsp is 16-byte aligned.
 * Does: calls __uk_sys_rt_sigreturn with that %rsp as its first argument (Linux's rt_sigreturn
 *   takes none; the runtime may use it to find the frame). The runtime restores the interrupted
 *   context and never returns here; ud2 traps if it ever does. */

.text
.global __restore_rt
.hidden __restore_rt
.type __restore_rt,@function
__restore_rt:
	mov %rsp,%rdi
	call __uk_sys_rt_sigreturn
	ud2
.size __restore_rt,.-__restore_rt
