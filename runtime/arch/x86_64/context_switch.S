/* SPDX-License-Identifier: MIT */
/* Thread context switching: threads run in ring 0 on their own stacks, so a switch saves the
 * callee-saved registers (SysV x86_64 ABI 3.2.1) on the current stack and moves %rsp.
 * Interrupts are off across a switch (the scheduler disables them); FPU/SSE state is saved
 * separately by the scheduler with XSAVE/FXSAVE. */
        .section .text.uk_switch_context, "ax", @progbits

        /* void uk_switch_context(uint64_t *save_sp, uint64_t new_sp)
         * Entry: %rdi = where to store this thread's %rsp, %rsi = the next thread's saved %rsp. */
        .globl uk_switch_context
        .type uk_switch_context, @function
uk_switch_context:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        mov     %rsp, (%rdi)
        mov     %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size uk_switch_context, . - uk_switch_context

        /* A new thread's first switch "returns" here (its initial frame is built by
         * arch::prepare_thread_stack): %r12 = entry function, %r13 = its argument. %rbp is zero,
         * ending crash backtraces at the thread's entry. */
        .globl uk_thread_trampoline
        .type uk_thread_trampoline, @function
uk_thread_trampoline:
        mov     %r13, %rdi
        call    *%r12
        ud2
        .size uk_thread_trampoline, . - uk_thread_trampoline

        /* void uk_call_on_stack(uint64_t stack_top, void (*fn)(void *), void *arg): runs fn(arg)
         * on another stack; fn must not return. */
        .globl uk_call_on_stack
        .type uk_call_on_stack, @function
uk_call_on_stack:
        mov     %rdi, %rsp
        xor     %ebp, %ebp
        mov     %rdx, %rdi
        call    *%rsi
        ud2
        .size uk_call_on_stack, . - uk_call_on_stack

        .section .note.GNU-stack, "", @progbits
