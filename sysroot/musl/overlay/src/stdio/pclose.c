/* SPDX-License-Identifier: MIT */
/* uksdk replacement for musl's pclose(). popen() never succeeds, so no stream is ever a popen
 * stream: like musl's own pclose() given a stream popen did not create, it closes the stream and
 * fails with ECHILD, [POSIX pclose] "the status of the child process could not be obtained".
 * A null stream is EINVAL rather than a crash. */
#include <errno.h>
#include <stdio.h>

int pclose(FILE *f)
{
	if (!f) {
		errno = EINVAL;
		return -1;
	}
	fclose(f);
	errno = ECHILD;
	return -1;
}
