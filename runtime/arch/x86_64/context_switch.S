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

        /* void uk_call_on_stack_returning(uint64_t stack_top, void (*fn)(void *), void *arg): runs
         * fn(arg) on another stack (16-byte aligned top) and comes back. %rbp keeps pointing at
         * this frame, so backtraces from fn walk back onto the original stack. */
        .globl uk_call_on_stack_returning
        .type uk_call_on_stack_returning, @function
uk_call_on_stack_returning:
        push    %rbp
        mov     %rsp, %rbp
        push    %rbx
        push    %rbx                            /* Keeps %rsp 16-byte aligned below. */
        mov     %rsp, %rbx
        mov     %rdi, %rsp
        mov     %rdx, %rdi
        call    *%rsi
        mov     %rbx, %rsp
        pop     %rbx
        pop     %rbx
        pop     %rbp
        ret
        .size uk_call_on_stack_returning, . - uk_call_on_stack_returning

        /* void uk_probe_page(const void *address): reads one byte at `address`. Entry: any state.
         * If the read faults on a page that cannot be made present, the page-fault handler resumes
         * at uk_probe_page_done instead (arch::probe_stack). */
        .globl uk_probe_page, uk_probe_page_load, uk_probe_page_done
        .type uk_probe_page, @function
uk_probe_page:
uk_probe_page_load:
        movb    (%rdi), %al
uk_probe_page_done:
        ret
        .size uk_probe_page, . - uk_probe_page

        /* void uk_resume_trap(const TrapFrame *frame): continues the context `frame` describes
         * (rt_sigreturn). Entry: interrupts disabled; the frame is a copy anywhere in memory that
         * stays intact until the iretq, which loads %rsp, %rflags and %rip from it. */
        .globl uk_resume_trap
        .type uk_resume_trap, @function
uk_resume_trap:
        mov     %rdi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        add     $16, %rsp                       /* Vector and error code. */
        iretq
        .size uk_resume_trap, . - uk_resume_trap

        /* uk_signal_return_trampoline: a signal handler's return address when its sigaction gave no
         * restorer. Entry: the handler's `ret` popped this address, so %rsp points at the ucontext
         * (as for musl's __restore_rt). Calls uk_signal_return_handler(%rsp), which never returns. */
        .globl uk_signal_return_trampoline
        .type uk_signal_return_trampoline, @function
uk_signal_return_trampoline:
        mov     %rsp, %rdi
        call    *uk_signal_return_handler(%rip)
        ud2
        .size uk_signal_return_trampoline, . - uk_signal_return_trampoline

        .section .note.GNU-stack, "", @progbits
