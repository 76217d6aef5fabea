// Prints every argument as hex (so check.py can verify them byte for byte) and the environment.
#include <stdio.h>
#include <string.h>

extern char** environ;

int main(int argc, char** argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; ++i) {
        printf("argv[%d]=", i);
        for (const unsigned char* p = (const unsigned char*)argv[i]; *p; ++p)
            printf("%02x", *p);
        printf("\n");
    }
    for (char** e = environ; *e; ++e)
        printf("env %s\n", *e);
    return 0;
}
