/* SPDX-License-Identifier: MIT */
/* The benchmark floor: a do-nothing PVH kernel that powers off at once through isa-debug-exit.
 * [PVH] entry state: 32-bit protected mode, paging off. */
        .section .note.Xen, "a", @note
        .p2align 2
        .long 4, 8, 18
        .asciz "Xen"
        .p2align 2
        .quad floor_start
        .text
        .code32
        .globl floor_start
floor_start:
        mov     $0xf4, %dx
        xor     %eax, %eax
        out     %eax, %dx               /* QEMU exits with status 1. */
1:      hlt
        jmp     1b
