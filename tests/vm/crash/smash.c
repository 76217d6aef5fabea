// A stack buffer overflow caught by the stack protector (issue 10): argv[1] bytes of 'A' go into
// a 16-byte buffer. Built twice: as every program is (-fstack-protector-strong), and with
// -fno-stack-protector, which must leave no canary check in the code (check_no_ssp.cmake).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int smash_buffer(size_t length)
{
    char buffer[16];
    memset(buffer, 'A', length);
    return printf("wrote %zu bytes into 16: %.4s\n", length, buffer);
}

int main(int argc, char** argv)
{
    size_t length = argc > 1 ? strtoul(argv[1], NULL, 10) : 8;
    int result = smash_buffer(length);
    printf("returned normally\n");
    return result < 0;
}
