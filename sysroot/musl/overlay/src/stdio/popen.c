/* SPDX-License-Identifier: MIT */
/* uksdk replacement for musl's popen(): there is no command processor to start, so it always
 * fails, with EINVAL for a mode other than "r"/"w" (as musl checks first) and ENOSYS otherwise.
 * [POSIX popen] allows a null pointer with errno set when the stream or the process cannot be
 * created. It exists, rather than being absent like fork, because programs that merely offer a
 * "run a command" feature (lua's io.popen, the sqlite3 shell) should link and report the error. */
#include <errno.h>
#include <stdio.h>

FILE *popen(const char *cmd, const char *mode)
{
	(void)cmd;
	if (*mode != 'r' && *mode != 'w') {
		errno = EINVAL;
		return 0;
	}
	errno = ENOSYS;
	return 0;
}
