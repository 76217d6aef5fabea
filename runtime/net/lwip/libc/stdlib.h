/* SPDX-License-Identifier: MIT */
/* What lwIP's sources take from <stdlib.h> (netif_find's atoi, which the runtime never calls). */
#ifndef UK_LWIP_LIBC_STDLIB_H
#define UK_LWIP_LIBC_STDLIB_H

#ifdef __cplusplus
extern "C" {
#endif
int atoi(const char* s);
#ifdef __cplusplus
}
#endif

#endif
