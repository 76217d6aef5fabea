/* SPDX-License-Identifier: MIT */
/* uksdk's replacement for musl's src/thread/x86_64/syscall_cp.s: a cancellable system call that
 * calls the system call's runtime handler instead of executing `syscall`, which a unikernel does
 * not have.
 *
 * long __syscall_cp_asm(volatile int *cancel, long (*handler)(long, long, long, long, long, long),
 *                       long u, long v, long w, long x, long y, long z)
 * Entry (SysV x86_64 call): %rdi = &self->cancel, %rsi = the handler (__uk_sys_NAME, never null:
 *   __syscall_cp_c looks it up; see patch 0012), %rdx/%rcx/%r8/%r9 = u/v/w/x, 8(%rsp) = y,
 *   16(%rsp) = z, (%rsp) = return address, %rsp + 8 16-byte aligned.
 * Does: sets up a %rbp frame (the runtime's backtraces walk frame pointers), then if *cancel is
 *   set jumps to __cancel as a tail call; otherwise returns handler(u, v, w, x, y, z) in %rax, the
 *   result or -errno. Clobbers what a C call clobbers.
 *
 * Contract with pthread_cancel.c's SIGCANCEL handler, as on Linux: [__cp_begin, __cp_end) runs
 * with the frame fully set up (%rsp = %rbp) and covers the check of *cancel up to and including
 * the call instruction, which is at __uk_cp_call; __cp_end is that call's return address (the
 * runtime recognises a call from here by it). A runtime that runs a signal handler while a call
 * made from here is blocked and has not completed must report, like Linux does for a restartable
 * `syscall`, the call instruction (__uk_cp_call) as the interrupted %rip, with %rsp, %rbp and the
 * other callee-saved registers as they were at that instruction. A call that has completed
 * reports __cp_end, so its result is never thrown away. The handler may move %rip to
 * __cp_cancel, which unwinds this frame and tail-calls __cancel: that either exits the thread or
 * returns -ECANCELED straight to our caller.
 *
 * musl's build adds CFI to this file with tools/add-cfi.x86_64.awk (we build with -g). That script
 * tracks push/pop/add/sub of %rsp but not `leave`, so the epilogue uses pop, and the CFI is exact
 * everywhere except at the `leave` of __cp_cancel. */

.text
.global __cp_begin
.hidden __cp_begin
.global __cp_end
.hidden __cp_end
.global __uk_cp_call
.hidden __uk_cp_call
.global __cp_cancel
.hidden __cp_cancel
.hidden __cancel
.global __syscall_cp_asm
.hidden __syscall_cp_asm
.type   __syscall_cp_asm,@function
__syscall_cp_asm:
	push %rbp
	mov %rsp,%rbp           /* %rsp is 16-byte aligned here: the call below needs nothing more */

__cp_begin:
	mov (%rdi),%eax
	test %eax,%eax
	jnz __cp_cancel
	mov %rsi,%rax           /* the handler */
	mov %rdx,%rdi           /* u */
	mov %rcx,%rsi           /* v */
	mov %r8,%rdx            /* w */
	mov %r9,%rcx            /* x */
	mov 16(%rbp),%r8        /* y */
	mov 24(%rbp),%r9        /* z */
__uk_cp_call:
	call *%rax
__cp_end:
	pop %rbp
	ret

__cp_cancel:
	leave
	jmp __cancel
.size __syscall_cp_asm,.-__syscall_cp_asm
