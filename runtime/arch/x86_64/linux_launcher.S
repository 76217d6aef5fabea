/* SPDX-License-Identifier: MIT */
/* The Linux launcher: the ELF entry point (e_entry) of every uksdk image. Executed as a Linux
 * program (`./app` in a shell, ctest's old-form add_test, a harness spawning the image), it
 * re-executes the image through uk-run, so the program runs in a unikernel instead of dying with
 * SIGSEGV on the first ring-0 instruction. QEMU, Firecracker and cloud-hypervisor never come here:
 * PVH boot starts at the XEN_ELFNOTE_PHYS32_ENTRY note (pvh_entry.S), not at e_entry.
 *
 * Machine state on entry, as Linux's ELF loader leaves it for a static executable (System V
 * x86-64 psABI 3.4.1): 64-bit mode, ring 3, %rsp -> argc, followed by argv[0..argc-1], NULL,
 * envp..., NULL, auxv; %rdx = 0 (no dynamic linker); all other registers undefined. No libc is
 * usable: musl's system calls are calls into the runtime, which only works in ring 0. So this file
 * talks to Linux directly, and it is the only code in the SDK that contains a `syscall`
 * instruction (tests/sdk/check-no-syscall allows it in this function and nowhere else).
 *
 * What it executes:
 *   RUNNER [OPTION]... [-e KEY=VALUE]... IMAGE -- argv[1] ... argv[argc-1]
 * with the same environment, standard streams, working directory and signal dispositions;
 * execve() keeps the process, so uk-run's exit status (the guest's) is the program's.
 *   RUNNER: $UKSDK_RUN if set and not empty (a path, or a name searched on PATH); else the uk-run
 *           of the SDK that linked the image (uk_launcher_runner_path, recorded by the link
 *           driver); else `uk-run` on PATH; else one line on stderr saying how to run the image,
 *           exit status 127 (the shell's "command not found").
 *   OPTION: the fixed list .Lrunner_options below (--share-cwd).
 *   IMAGE:  readlink("/proc/self/exe"), so the path is right whatever the working directory and
 *           argv[0]; argv[0] if /proc is missing and argv[0] contains a '/'.
 *   -e:     every environment entry, so ctest's ENVIRONMENT property and `VAR=x ./app` reach the
 *           program, except UKSDK_* (settings of the SDK's host tools, such as UKSDK_RUN; uk-run
 *           still sees them in its own environment), LS_COLORS (a table for the host's ls, often
 *           several KiB of the guest's command line) and malformed entries without a '='.
 */

        .set k_sys_write, 1
        .set k_sys_execve, 59
        .set k_sys_readlink, 89
        .set k_sys_exit_group, 231
        .set k_e2big, 7
        .set k_path_max, 4096
        .set k_max_runner_options, 8
        .set k_exit_cannot_run, 127

        /* Frame below the initial stack: two path buffers, then the runner's argv. */
        .set k_image_buffer, 0
        .set k_candidate_buffer, k_path_max
        .set k_new_argv, 2 * k_path_max

        /* Written by the link driver into a small object of its own (toolchain/link-driver);
         * weak, so an image linked without it is still an image (and looks on PATH). */
        .weak uk_launcher_runner_path

        .section .text.uk_linux_launcher, "ax", @progbits
        .code64
        .globl uk_linux_launcher
        .type uk_linux_launcher, @function
        /* Registers for the whole function: %r12 argc, %r13 argv, %r14 envp, %r15 frame base,
         * %rbx the image path, then scratch. The local subroutines (.L*) below keep the first four
         * and say what else they change. */
uk_linux_launcher:
        xor     %ebp, %ebp
        mov     (%rsp), %r12
        lea     8(%rsp), %r13
        lea     8(%r13,%r12,8), %r14            /* envp starts after argv's NULL. */

        /* The runner's argv needs 2 words per environment entry, argc - 1 arguments, up to
         * k_max_runner_options and 4 more (runner, IMAGE, "--", NULL):
         * reserve 8 * (2 * entries + argc + 4 + k_max_runner_options) bytes. */
        mov     %r14, %rdi
1:      cmpq    $0, (%rdi)
        je      2f
        add     $8, %rdi
        jmp     1b
2:      sub     %r14, %rdi                      /* 8 * entries */
        lea     (%rdi,%rdi), %rax
        lea     8 * (4 + k_max_runner_options)(%rax,%r12,8), %rax
        add     $k_new_argv, %rax
        sub     %rax, %rsp
        and     $-16, %rsp
        mov     %rsp, %r15

        /* IMAGE: this very file. */
        mov     $k_sys_readlink, %eax
        lea     .Lproc_self_exe(%rip), %rdi
        lea     k_image_buffer(%r15), %rsi
        mov     $k_path_max - 1, %edx
        syscall
        test    %rax, %rax
        jle     3f
        cmp     $k_path_max - 1, %rax
        jae     3f                              /* Possibly truncated. */
        movb    $0, k_image_buffer(%r15,%rax)
        lea     k_image_buffer(%r15), %rbx
        jmp     4f
3:      mov     (%r13), %rbx
        test    %rbx, %rbx
        jz      .Lno_image
        mov     %rbx, %rdi
        mov     $'/', %esi
        call    .Lfind_char
        test    %rax, %rax
        jz      .Lno_image

        /* The runner's argv, from slot 1 on; slot 0 is the runner, filled in per attempt. */
4:      lea     k_new_argv + 8(%r15), %r8
        lea     .Lrunner_options(%rip), %r9
12:     mov     (%r9), %rax
        test    %rax, %rax
        jz      13f
        mov     %rax, (%r8)
        add     $8, %r8
        add     $8, %r9
        jmp     12b
13:     mov     %r14, %r9
5:      mov     (%r9), %rdi
        test    %rdi, %rdi
        jz      6f
        add     $8, %r9
        call    .Lpasses_to_guest
        test    %eax, %eax
        jz      5b
        lea     .Ldash_e(%rip), %rax
        mov     %rax, (%r8)
        mov     %rdi, 8(%r8)
        add     $16, %r8
        jmp     5b
6:      mov     %rbx, (%r8)
        lea     .Ldash_dash(%rip), %rax
        mov     %rax, 8(%r8)
        add     $16, %r8
        mov     $1, %ecx
7:      cmp     %r12, %rcx
        jae     8f
        mov     (%r13,%rcx,8), %rax
        mov     %rax, (%r8)
        add     $8, %r8
        inc     %rcx
        jmp     7b
8:      movq    $0, (%r8)

        /* 1. $UKSDK_RUN: what the user asked for, or an error; no silent fallback. */
        lea     .Luksdk_run_prefix(%rip), %rsi
        call    .Lgetenv
        test    %rax, %rax
        jz      9f
        cmpb    $0, (%rax)
        je      9f
        mov     %rax, %rbp                      /* Kept for the message: no subroutine changes it. */
        mov     %rax, %rdi
        mov     $'/', %esi
        call    .Lfind_char
        mov     %rbp, %rdi
        test    %rax, %rax
        jz      10f
        call    .Ltry_exec
        jmp     .Luksdk_run_failed
10:     call    .Lsearch_path
        jmp     .Luksdk_run_failed

        /* 2. The uk-run of the SDK that linked this image. */
9:      movabs  $uk_launcher_runner_path, %rdi
        test    %rdi, %rdi
        jz      11f
        cmpb    $0, (%rdi)
        je      11f
        call    .Ltry_exec

        /* 3. uk-run on PATH. */
11:     lea     .Luk_run(%rip), %rdi
        call    .Lsearch_path

        /* 4. Nothing to run the image with. */
        call    .Lwrite_program_name
        lea     .Lno_runner_message(%rip), %rdi
        call    .Lwrite_string
        jmp     .Lexit_cannot_run

.Luksdk_run_failed:
        call    .Lwrite_program_name
        lea     .Luksdk_run_message(%rip), %rdi
        call    .Lwrite_string
        mov     %rbp, %rdi
        call    .Lwrite_string
        lea     .Luksdk_run_message_end(%rip), %rdi
        call    .Lwrite_string
        jmp     .Lexit_cannot_run

.Lno_image:
        call    .Lwrite_program_name
        lea     .Lno_image_message(%rip), %rdi
        call    .Lwrite_string
        jmp     .Lexit_cannot_run

.Ltoo_big:
        call    .Lwrite_program_name
        lea     .Ltoo_big_message(%rip), %rdi
        call    .Lwrite_string

.Lexit_cannot_run:
        mov     $k_sys_exit_group, %eax
        mov     $k_exit_cannot_run, %edi
        syscall
        ud2

        /* execve(%rdi, new argv with %rdi as argv[0], envp). Returns only on failure, with
         * %rax = -errno. An argument list too long for one runner is too long for all of them:
         * that ends the search with its own message. Clobbers %rax %rcx %rdx %rsi %r11. */
.Ltry_exec:
        lea     k_new_argv(%r15), %rsi
        mov     %rdi, (%rsi)
        mov     %r14, %rdx
        mov     $k_sys_execve, %eax
        syscall
        cmp     $-k_e2big, %rax
        je      .Ltoo_big
        ret

        /* Tries DIRECTORY/%rdi for each directory of $PATH (execvp's default path when unset,
         * "." for an empty entry), in order, like execvp(). Leaves %rbp = %rdi. Clobbers %rax %rcx
         * %rdx %rsi %rdi %r9-%r11 %rbx. */
.Lsearch_path:
        mov     %rdi, %rbp
        lea     .Lpath_prefix(%rip), %rsi
        call    .Lgetenv
        test    %rax, %rax
        jnz     1f
        lea     .Ldefault_path(%rip), %rax
1:      mov     %rax, %rbx                      /* The next directory in the list. */
2:      lea     k_candidate_buffer(%r15), %rdi
        lea     k_candidate_buffer + k_path_max - 1(%r15), %r10 /* Room for the final NUL. */
        xor     %r9d, %r9d                      /* Set when the candidate does not fit. */
3:      movzbl  (%rbx), %eax
        test    %eax, %eax
        jz      4f
        cmp     $':', %eax
        je      4f
        inc     %rbx
        call    .Lappend_byte
        jmp     3b
4:      lea     k_candidate_buffer(%r15), %rax
        cmp     %rax, %rdi
        jne     5f
        mov     $'.', %eax
        call    .Lappend_byte
5:      mov     $'/', %eax
        call    .Lappend_byte
        mov     %rbp, %rsi
6:      movzbl  (%rsi), %eax
        test    %eax, %eax
        jz      7f
        inc     %rsi
        call    .Lappend_byte
        jmp     6b
7:      test    %r9d, %r9d
        jnz     8f
        movb    $0, (%rdi)
        lea     k_candidate_buffer(%r15), %rdi
        call    .Ltry_exec
8:      cmpb    $':', (%rbx)
        jne     9f
        inc     %rbx
        jmp     2b
9:      ret

        /* Stores %al at (%rdi)++ unless %rdi reached %r10; then sets %r9d instead. */
.Lappend_byte:
        cmp     %r10, %rdi
        jae     1f
        mov     %al, (%rdi)
        inc     %rdi
        ret
1:      mov     $1, %r9d
        ret

        /* %rax = the value of the first environment entry starting with %rsi ("NAME="), or 0.
         * Clobbers %rax %rcx %rdx %rdi. */
.Lgetenv:
        mov     %r14, %rdx
1:      mov     (%rdx), %rdi
        test    %rdi, %rdi
        jz      2f
        add     $8, %rdx
        call    .Lstarts_with
        test    %rax, %rax
        jz      1b
        add     %rdi, %rax
        ret
2:      xor     %eax, %eax
        ret

        /* %eax = 1 if environment entry %rdi goes to the guest (see the top of the file).
         * Clobbers %rax %rcx %rsi. */
.Lpasses_to_guest:
        cmpb    $'=', (%rdi)
        je      1f
        mov     $'=', %esi
        call    .Lfind_char
        test    %rax, %rax
        jz      1f
        lea     .Luksdk_prefix(%rip), %rsi
        call    .Lstarts_with
        test    %rax, %rax
        jnz     1f
        lea     .Lls_colors_prefix(%rip), %rsi
        call    .Lstarts_with
        test    %rax, %rax
        jnz     1f
        mov     $1, %eax
        ret
1:      xor     %eax, %eax
        ret

        /* %rax = length of %rsi if string %rdi starts with it, else 0 (%rsi is never empty).
         * Clobbers %rax %rcx. */
.Lstarts_with:
        xor     %ecx, %ecx
1:      movzbl  (%rsi,%rcx), %eax
        test    %eax, %eax
        jz      2f
        cmpb    %al, (%rdi,%rcx)
        jne     3f
        inc     %rcx
        jmp     1b
2:      mov     %rcx, %rax
        ret
3:      xor     %eax, %eax
        ret

        /* %rax = address of the first byte %sil in string %rdi, or 0. Clobbers %rax. */
.Lfind_char:
        mov     %rdi, %rax
1:      cmpb    %sil, (%rax)
        je      2f
        cmpb    $0, (%rax)
        je      3f
        inc     %rax
        jmp     1b
2:      ret
3:      xor     %eax, %eax
        ret

        /* write(2, %rdi, strlen(%rdi)). Clobbers %rax %rcx %rdx %rsi %rdi %r11. */
.Lwrite_string:
        mov     %rdi, %rsi
        xor     %edx, %edx
1:      cmpb    $0, (%rsi,%rdx)
        je      2f
        inc     %rdx
        jmp     1b
2:      mov     $2, %edi
        mov     $k_sys_write, %eax
        syscall
        ret

        /* argv[0], or a description when there is none, then ": ". */
.Lwrite_program_name:
        mov     (%r13), %rdi
        test    %rdi, %rdi
        jnz     1f
        lea     .Lunnamed_image(%rip), %rdi
1:      call    .Lwrite_string
        lea     .Lcolon(%rip), %rdi
        jmp     .Lwrite_string
        .size uk_linux_launcher, . - uk_linux_launcher

        .section .rodata.uk_linux_launcher, "a", @progbits
        /* Options the launcher gives every runner before the environment (at most
         * k_max_runner_options), for what a run from the host needs and `uk-run IMAGE` alone
         * does not do; NULL-terminated. --share-cwd: the program sees the directory it was
         * started in and starts there, as a host program would (UKSDK_SHARE_CWD=0 in the
         * environment turns it off; docs/runner.md). */
        .p2align 3
.Lrunner_options:
        .quad   .Lshare_cwd
        .quad   0
.Lshare_cwd:            .asciz "--share-cwd"
.Lproc_self_exe:        .asciz "/proc/self/exe"
.Ldash_e:               .asciz "-e"
.Ldash_dash:            .asciz "--"
.Luk_run:               .asciz "uk-run"
.Lpath_prefix:          .asciz "PATH="
.Ldefault_path:         .asciz "/usr/local/bin:/bin:/usr/bin"
.Luksdk_run_prefix:     .asciz "UKSDK_RUN="
.Luksdk_prefix:         .asciz "UKSDK_"
.Lls_colors_prefix:     .asciz "LS_COLORS="
.Lunnamed_image:        .asciz "uksdk image"
.Lcolon:                .asciz ": "
.Lno_runner_message:
        .asciz "this is a uksdk unikernel image and no uk-run was found to boot it: set UKSDK_RUN to uk-run's path, or put the SDK's bin directory on PATH\n"
.Luksdk_run_message:    .asciz "cannot run UKSDK_RUN='"
.Luksdk_run_message_end:
        .asciz "': not found or not executable\n"
.Lno_image_message:
        .asciz "cannot find this image's own path (no /proc/self/exe): run it with uk-run IMAGE\n"
.Ltoo_big_message:
        .asciz "the arguments and environment are too long to pass on to uk-run (E2BIG)\n"

        .section .note.GNU-stack, "", @progbits
