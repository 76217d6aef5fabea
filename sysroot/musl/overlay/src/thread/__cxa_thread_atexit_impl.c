/* SPDX-License-Identifier: MIT */
/* uksdk addition (not in musl 1.2.3): __cxa_thread_atexit_impl, which libc++abi uses to register
 * C++ thread_local destructors. They run when the thread exits, and for the main thread at the
 * start of exit(), before atexit handlers and static destructors, in reverse order of
 * registration, as with glibc (see patches/0002-cxa-thread-atexit-order.patch). */
#include <stdlib.h>

struct thread_dtor {
	void (*fn)(void *);
	void *object;
	struct thread_dtor *next;
};

static __thread struct thread_dtor *thread_dtors;

int __cxa_thread_atexit_impl(void (*fn)(void *), void *object, void *dso_handle)
{
	(void)dso_handle;
	struct thread_dtor *d = malloc(sizeof *d);
	if (!d) return -1;
	d->fn = fn;
	d->object = object;
	d->next = thread_dtors;
	thread_dtors = d;
	return 0;
}

void __run_thread_dtors(void)
{
	/* A destructor may construct (and so register) further thread_local objects: loop until
	 * the list stays empty. */
	while (thread_dtors) {
		struct thread_dtor *d = thread_dtors;
		thread_dtors = d->next;
		d->fn(d->object);
		free(d);
	}
}
