/* SPDX-License-Identifier: MIT */
/* Greets, then prints what the private helper library says. */
#include <stdio.h>

void greet(const char* who);
int helper_value(void);

void greet_and_help(const char* who)
{
    greet(who);
    printf("helper %d\n", helper_value());
}
