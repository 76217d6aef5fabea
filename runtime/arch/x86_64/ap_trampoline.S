/* SPDX-License-Identifier: MIT */
/* The application processors' first instructions: a blob that arch/x86_64/smp.cpp copies to the
 * low page k_trampoline_base before sending each AP its INIT-SIPI-SIPI.
 *
 * Machine state on entry ([SDM 3A 8.4.4.1] the startup IPI): 16-bit real mode, CS = vector << 8
 * (so CS:0 is the start of the page), IP = 0, interrupts off, paging off, the other segment
 * registers and every control register as after INIT.
 * Steps: load the blob's own GDT and enter 32-bit protected mode; enable PAE, SSE (CR4.OSFXSR,
 * OSXMMEXCPT), load the runtime's page tables (CR3 from the parameter block, below 4 GiB), set
 * EFER.LME and NXE, turn paging on (CR0.PG, WP, NE, MP); far-jump to 64-bit code; load the stack
 * pointer and call the 64-bit entry from the parameter block with its argument. The blob is
 * assembled for k_trampoline_base: its addresses are that base plus offsets into the blob.
 */
        .set k_trampoline_base, 0x8000

        .section .rodata.uk_ap_trampoline, "a", @progbits
        .p2align 4
        .globl uk_ap_trampoline_start
uk_ap_trampoline_start:
        .code16
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        lgdtl   (.Lgdt_pointer - uk_ap_trampoline_start)
        mov     %cr0, %eax
        or      $1, %eax                        /* PE */
        mov     %eax, %cr0
        ljmpl   $0x08, $(k_trampoline_base + .Lprotected - uk_ap_trampoline_start)

        .code32
.Lprotected:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        /* CR4: PAE (5), OSFXSR (9), OSXMMEXCPT (10), as the boot CPU's entry sets them. */
        mov     %cr4, %eax
        or      $((1 << 5) | (1 << 9) | (1 << 10)), %eax
        mov     %eax, %cr4
        mov     (k_trampoline_base + .Lcr3 - uk_ap_trampoline_start), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx               /* EFER: LME (8), NXE (11) */
        rdmsr
        or      $((1 << 8) | (1 << 11)), %eax
        wrmsr
        /* CR0: PG, WP, NE, MP; clear EM. */
        mov     %cr0, %eax
        and     $~(1 << 2), %eax
        or      $((1 << 31) | (1 << 16) | (1 << 5) | (1 << 1) | 1), %eax
        mov     %eax, %cr0
        ljmpl   $0x18, $(k_trampoline_base + .Llong - uk_ap_trampoline_start)

        .code64
.Llong:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        fninit
        mov     (k_trampoline_base + .Lstack - uk_ap_trampoline_start), %rsp
        mov     (k_trampoline_base + .Largument - uk_ap_trampoline_start), %rdi
        mov     (k_trampoline_base + .Lentry - uk_ap_trampoline_start), %rax
        xor     %ebp, %ebp                      /* Terminates backtraces. */
        call    *%rax
        ud2

        .p2align 3
.Lgdt:
        .quad 0
        .quad 0x00cf9a000000ffff                /* 0x08: 32-bit code. */
        .quad 0x00cf92000000ffff                /* 0x10: data. */
        .quad 0x00af9a000000ffff                /* 0x18: 64-bit code. */
.Lgdt_end:
.Lgdt_pointer:
        .word .Lgdt_end - .Lgdt - 1
        .long k_trampoline_base + .Lgdt - uk_ap_trampoline_start
        .p2align 3
        /* The parameter block smp.cpp fills in before each startup (offsets from the blob's end,
         * see ApParameters there). */
.Lcr3:          .quad 0
.Lstack:        .quad 0
.Lentry:        .quad 0
.Largument:     .quad 0
        .globl uk_ap_trampoline_end
uk_ap_trampoline_end:

        .section .note.GNU-stack, "", @progbits
