#include <stdio.h>
#include <sys/utsname.h>
#include <time.h>

int main(int argc, char** argv)
{
    struct utsname u;
    uname(&u);
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    printf("Hello from a %s %s unikernel, %s.\n", u.sysname, u.machine, when);
    for (int i = 1; i < argc; ++i)
        printf("argument %d: %s\n", i, argv[i]);
    return 0;
}
