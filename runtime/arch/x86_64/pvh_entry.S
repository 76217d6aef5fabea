/* SPDX-License-Identifier: MIT */
/* PVH entry: the first instructions of every uksdk image.
 *
 * [PVH] Machine state on entry (xen/include/public/arch-x86/hvm/start_info.h):
 *   32-bit protected mode, paging off, flat 4 GiB CS/DS/ES/SS, interrupts off,
 *   %ebx = physical address of struct hvm_start_info, no usable stack.
 * We check that the CPU has what the image needs, build identity page tables for the first 1 GiB
 * with 2 MiB pages, enable SSE, PAE, NX and long mode, switch to a boot stack and call
 * uk_boot(start_info) in C++, which never returns.
 */

        .section .note.Xen, "a", @note
        .p2align 2
        /* [PVH] XEN_ELFNOTE_PHYS32_ENTRY (18): the 32-bit entry point. A `.quad` descriptor in a
         * 4-byte aligned note: QEMU refuses the image if the section is 8-byte aligned. */
        .long 2f - 1f
        .long 4f - 3f
        .long 18
1:      .asciz "Xen"
2:      .p2align 2
3:      .quad uk_pvh_start
4:      .p2align 2

        .section .text.uk_pvh_start, "ax", @progbits
        .code32
        .globl uk_pvh_start
        .type uk_pvh_start, @function
uk_pvh_start:
        cli
        cld
        mov     %ebx, %esi                      /* Keep the start info pointer. */
        mov     $uk_boot_stack_top, %esp        /* The image lies below 4 GiB: a 32-bit stack. */

        /* [SDM 2A CPUID] What this code and the runtime rely on, checked before it is used:
         * long mode, NX, PAE (the page tables below), FXSR and SSE/SSE2 (compiled code, FPU
         * state), TSC, MSRs and a local APIC (time and the timer). A missing one is reported
         * by name instead of a triple fault. */
        mov     $1, %eax
        cpuid
        mov     $uk_cpu_tsc, %edi
        bt      $4, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_msr, %edi
        bt      $5, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_pae, %edi
        bt      $6, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_apic, %edi
        bt      $9, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_fxsr, %edi
        bt      $24, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_sse2, %edi
        bt      $26, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_long_mode, %edi
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      uk_cpu_missing
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     uk_cpu_missing
        mov     $uk_cpu_nx, %edi
        bt      $20, %edx
        jnc     uk_cpu_missing
        rdtsc                                   /* Boot-time measurements start here. */
        mov     %eax, uk_boot_tsc
        mov     %edx, uk_boot_tsc + 4

        /* Identity map 0..1 GiB with 2 MiB pages: PML4[0] -> PDPT[0] -> PD. */
        mov     $uk_boot_pd, %edi
        mov     $0x83, %eax                     /* Present, writable, 2 MiB page. */
        mov     $512, %ecx
1:      mov     %eax, (%edi)
        movl    $0, 4(%edi)
        add     $0x200000, %eax
        add     $8, %edi
        loop    1b
        mov     $uk_boot_pd, %eax
        or      $0x3, %eax
        mov     %eax, uk_boot_pdpt
        mov     $uk_boot_pdpt, %eax
        or      $0x3, %eax
        mov     %eax, uk_boot_pml4

        /* CR4: PAE (bit 5), OSFXSR (9), OSXMMEXCPT (10): long mode needs PAE; compiled code uses SSE. */
        mov     %cr4, %eax
        or      $((1 << 5) | (1 << 9) | (1 << 10)), %eax
        mov     %eax, %cr4
        mov     $uk_boot_pml4, %eax
        mov     %eax, %cr3

        /* EFER: LME (bit 8) and NXE (bit 11). */
        mov     $0xc0000080, %ecx
        rdmsr
        or      $((1 << 8) | (1 << 11)), %eax
        wrmsr

        /* CR0: PG, WP (ring 0 honours read-only pages), NE, MP; clear EM so SSE works. */
        mov     %cr0, %eax
        and     $~(1 << 2), %eax
        or      $((1 << 31) | (1 << 16) | (1 << 5) | (1 << 1) | 1), %eax
        mov     %eax, %cr0

        lgdt    uk_boot_gdt_pointer
        ljmp    $0x08, $1f

        .code64
1:      mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        fninit
        lea     uk_boot_stack_top(%rip), %rsp
        xor     %ebp, %ebp                      /* Terminates crash backtraces. */
        mov     %esi, %edi                      /* uk_boot(const hvm_start_info*) */
        call    uk_boot
        ud2
        .size uk_pvh_start, . - uk_pvh_start

        .code32
/* A CPU feature is missing; %edi names it. Reports it like the runtime's boot failures: one line
 * on the error console, the status on the control channel, then isa-debug-exit (status 120,
 * BootFailure::Machine in boot/boot_failure.h) or, without that device, a triple fault. */
uk_cpu_missing:
        mov     %edi, %ebx
        mov     $uk_cpu_message, %edi
        call    uk_early_print
        mov     %ebx, %edi
        call    uk_early_print
        mov     $uk_cpu_message_end, %edi
        call    uk_early_print
        mov     $uk_cpu_exit_line, %esi
        mov     $0xe9, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        out     %al, %dx
        jmp     1b
2:      mov     $120, %eax
        mov     $0xf4, %dx
        out     %eax, %dx
        lidt    uk_cpu_no_idt
        int3
        .size uk_cpu_missing, . - uk_cpu_missing

/* Writes the string at %edi to the error console: COM2 when it exists (the runtime's choice too,
 * see drivers/console.cpp; its scratch register keeps a value), else COM1. The UART needs no
 * set-up to transmit. Clobbers %eax, %ecx, %edx, %edi. */
uk_early_print:
        mov     $0x2ff, %dx
        mov     $0xa5, %al
        out     %al, %dx
        in      %dx, %al
        mov     $0x2f8, %ecx
        cmp     $0xa5, %al
        je      1f
        mov     $0x3f8, %ecx
1:      movzbl  (%edi), %eax
        test    %al, %al
        jz      3f
        lea     5(%ecx), %edx                   /* Line status: wait for an empty transmitter. */
2:      in      %dx, %al
        test    $0x20, %al
        jz      2b
        mov     %ecx, %edx
        movzbl  (%edi), %eax
        out     %al, %dx
        inc     %edi
        jmp     1b
3:      ret
        .size uk_early_print, . - uk_early_print

        .section .rodata.uk_cpu_check, "a", @progbits
uk_cpu_message:         .asciz "uk: boot failed: unsupported CPU: it lacks "
uk_cpu_message_end:     .asciz "; uksdk images need x86-64 long mode with NX and PAE, SSE2, FXSR, a TSC, MSRs and a local APIC\n"
uk_cpu_exit_line:       .asciz "exit 120\n"
uk_cpu_tsc:             .asciz "the time-stamp counter (TSC)"
uk_cpu_msr:             .asciz "model-specific registers (MSR)"
uk_cpu_pae:             .asciz "physical address extension (PAE)"
uk_cpu_apic:            .asciz "a local APIC"
uk_cpu_fxsr:            .asciz "FXSAVE/FXRSTOR (FXSR)"
uk_cpu_sse2:            .asciz "SSE2"
uk_cpu_long_mode:       .asciz "64-bit long mode (LM)"
uk_cpu_nx:              .asciz "no-execute pages (NX)"
        .p2align 2
uk_cpu_no_idt:          .word 0
                        .long 0

        .section .rodata.uk_boot_gdt, "a", @progbits
        .p2align 3
uk_boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff                /* 0x08: 64-bit code, ring 0. */
        .quad 0x00cf92000000ffff                /* 0x10: data, ring 0. */
uk_boot_gdt_end:
uk_boot_gdt_pointer:
        .word uk_boot_gdt_end - uk_boot_gdt - 1
        .long uk_boot_gdt

        .section .bss.uk_boot_tsc, "aw", @nobits
        .p2align 3
        .globl uk_boot_tsc
uk_boot_tsc:    .skip 8

        .section .bss.uk_boot, "aw", @nobits
        .p2align 12
uk_boot_pml4:   .skip 4096
uk_boot_pdpt:   .skip 4096
uk_boot_pd:     .skip 4096
        .globl uk_boot_stack_bottom
uk_boot_stack_bottom:
        .skip 65536
        .globl uk_boot_stack_top
uk_boot_stack_top:

        .section .note.GNU-stack, "", @progbits
