/* SPDX-License-Identifier: MIT */
/* uksdk addition (not in musl 1.2.3): joined threads' stack mappings are kept for the next
 * pthread_create with the same size and guard, as glibc keeps them, instead of being unmapped
 * (patches/0015-pthread-stack-cache.patch). A new mapping costs an mmap, an mprotect for the
 * guard, a first-touch page fault for each page the thread uses (its TLS, the top of its stack)
 * and, on another CPU, a TLB shootdown when it is unmapped: under TCG most of what a
 * pthread_create+join costs. A kept mapping is unchanged, guard included (an overflow still hits
 * the PROT_NONE pages below the stack), and holds the pages the last thread touched, so the cache
 * is small: a few slots, for mappings of at most UK_STACK_CACHE_MAX_MAP bytes (a larger stack,
 * such as an 8 MiB one a thread filled, goes back at once). Stacks of detached threads are still
 * unmapped by the thread itself (__unmapself): nobody else knows when it is off its stack. */
#include <stddef.h>
#include <sys/mman.h>
#include "lock.h"
#include "pthread_impl.h"

#define UK_STACK_CACHE_SLOTS 4
#define UK_STACK_CACHE_MAX_MAP (512 * 1024)

static struct {
	unsigned char *map;
	size_t size, guard;
} slots[UK_STACK_CACHE_SLOTS];
static volatile int lock[1];

hidden unsigned char *__uk_stack_cache_take(size_t size, size_t guard)
{
	unsigned char *map = 0;
	LOCK(lock);
	for (int i = 0; i < UK_STACK_CACHE_SLOTS; i++) {
		if (slots[i].map && slots[i].size == size && slots[i].guard == guard) {
			map = slots[i].map;
			slots[i].map = 0;
			break;
		}
	}
	UNLOCK(lock);
	return map;
}

hidden void __uk_stack_cache_give(unsigned char *map, size_t size, size_t guard)
{
	int kept = 0;
	if (size <= UK_STACK_CACHE_MAX_MAP && guard) {
		LOCK(lock);
		for (int i = 0; i < UK_STACK_CACHE_SLOTS && !kept; i++) {
			if (!slots[i].map) {
				slots[i].map = map;
				slots[i].size = size;
				slots[i].guard = guard;
				kept = 1;
			}
		}
		UNLOCK(lock);
	}
	if (!kept) __munmap(map, size);
}
