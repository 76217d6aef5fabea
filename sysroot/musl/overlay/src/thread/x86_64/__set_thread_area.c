/* SPDX-License-Identifier: MIT */
/* uksdk's replacement for musl's src/thread/x86_64/__set_thread_area.s, which executes `syscall`:
 * sets the thread pointer (%fs base) through the runtime's arch_prctl, as a plain C call. */
#include "pthread_impl.h"

/* From Linux's asm/prctl.h, which musl does not ship. */
#define ARCH_SET_FS 0x1002

int __set_thread_area(void *p)
{
	return __syscall(SYS_arch_prctl, ARCH_SET_FS, p);
}
