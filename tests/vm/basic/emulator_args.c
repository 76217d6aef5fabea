// Run by ctest through CMAKE_CROSSCOMPILING_EMULATOR: checks its own arguments.
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv)
{
    if (argc != 4 || strcmp(argv[1], "one") || strcmp(argv[2], "two words") || strcmp(argv[3], "")) {
        printf("unexpected arguments (argc=%d)\n", argc);
        return 1;
    }
    printf("arguments ok\n");
    return 0;
}
