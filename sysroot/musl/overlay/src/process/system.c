/* SPDX-License-Identifier: MIT */
/* uksdk replacement for musl's system(): a unikernel has no command processor (no /bin/sh and no
 * processes to run one in).
 *   system(NULL) returns 0, ISO C's answer for "no command processor is available"
 *   [C17 7.22.4.8]; POSIX's CX shading requires non-zero, but only of systems that have a shell.
 *   system(command) returns -1 with errno ENOSYS: [POSIX system] "If a child process cannot be
 *   created ... system() shall return -1 and set errno". glibc on a machine without /bin/sh
 *   instead returns 127 << 8 (a shell that exited with 127) with errno ENOENT; -1 says more
 *   plainly that nothing ran. docs/porting.md describes both.
 * It stays a cancellation point, as POSIX lists it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

int system(const char *cmd)
{
	pthread_testcancel();
	if (!cmd) return 0;
	errno = ENOSYS;
	return -1;
}
