/* SPDX-License-Identifier: MIT */
/* A library function for the build-system test projects (built into a static library by each). */
#include <stdio.h>
#include <sys/utsname.h>

void greet(const char* who)
{
    struct utsname u;
    uname(&u);
    printf("hello %s from sysname=%s\n", who, u.sysname);
}
