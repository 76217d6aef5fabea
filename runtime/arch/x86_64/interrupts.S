/* SPDX-License-Identifier: MIT */
/* Interrupt and exception entry stubs.
 *
 * Machine state on entry (SDM 3A 6.14): the CPU pushed SS, RSP, RFLAGS, CS, RIP and, for some
 * exceptions, an error code, on the current stack or on the IST stack named by the IDT gate.
 * Each stub pushes a dummy error code where the CPU did not, then its vector number, and jumps to
 * uk_trap_common, which saves every general-purpose register as a TrapFrame and calls
 * uk_handle_trap(TrapFrame*). The runtime is built -mgeneral-regs-only, so the handler leaves
 * the interrupted code's SSE/AVX state alone.
 */
        .section .text.uk_traps, "ax", @progbits

.macro TRAP_NOERR vector
        .p2align 4
uk_trap_\vector:
        pushq   $0
        pushq   $\vector
        jmp     uk_trap_common
.endm

.macro TRAP_ERR vector
        .p2align 4
uk_trap_\vector:
        pushq   $\vector
        jmp     uk_trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR   21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR   29
TRAP_ERR   30
TRAP_NOERR 31

        /* Vectors 32-255 (device interrupts, the APIC timer, spurious vectors): one 16-byte stub each,
         * so stub N is at uk_irq_stubs + 16 * (N - 32). */
        .p2align 4
        .globl uk_irq_stubs
uk_irq_stubs:
        .set vector, 32
        .rept 224
        .p2align 4
        pushq   $0
        pushq   $vector
        jmp     uk_trap_common
        .set vector, vector + 1
        .endr

        .p2align 4
        /* The CFI describes the interrupt frame, so debuggers and unwinders walk from a trap
         * handler back into the interrupted code (like a signal frame). On entry the stack
         * holds: vector, error code, rip, cs, rflags, rsp, ss. */
uk_trap_common:
        .cfi_startproc simple
        .cfi_signal_frame
        .cfi_def_cfa %rsp, 56
        .cfi_offset %rip, -40
        .cfi_offset %rsp, -16
        pushq   %rax
        .cfi_adjust_cfa_offset 8
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbx, 0
        pushq   %rcx
        .cfi_adjust_cfa_offset 8
        pushq   %rdx
        .cfi_adjust_cfa_offset 8
        pushq   %rsi
        .cfi_adjust_cfa_offset 8
        pushq   %rdi
        .cfi_adjust_cfa_offset 8
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbp, 0
        pushq   %r8
        .cfi_adjust_cfa_offset 8
        pushq   %r9
        .cfi_adjust_cfa_offset 8
        pushq   %r10
        .cfi_adjust_cfa_offset 8
        pushq   %r11
        .cfi_adjust_cfa_offset 8
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r12, 0
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r13, 0
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r14, 0
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r15, 0
        cld
        mov     %rsp, %rdi
        mov     %rsp, %rbx                      /* Callee-saved: the frame survives the call. */
        .cfi_def_cfa_register %rbx
        and     $-16, %rsp
        call    uk_handle_trap
        mov     %rbx, %rsp
        .cfi_def_cfa_register %rsp
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
        .cfi_endproc

        .section .rodata.uk_trap_stubs, "a", @progbits
        .p2align 3
        .globl uk_trap_stubs
uk_trap_stubs:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad uk_trap_\v
        .endr

        /* enter_program(sp, entry): starts the program as the ELF ABI's process entry expects
         * (SysV x86_64 ABI 3.4.1): %rsp at argc, %rdx = 0 (no exit handler), %rbp = 0. */
        .section .text.uk_enter_program, "ax", @progbits
        .globl uk_enter_program
uk_enter_program:
        mov     %rdi, %rsp
        xor     %ebp, %ebp
        xor     %edx, %edx
        jmp     *%rsi

        .section .note.GNU-stack, "", @progbits
