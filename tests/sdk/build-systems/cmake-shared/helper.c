/* SPDX-License-Identifier: MIT */
/* The static library the greet libraries depend on privately. */
int helper_value(void)
{
    return 42;
}
