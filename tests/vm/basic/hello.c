#include <stdio.h>

int main(int argc, char** argv)
{
    printf("Hello from uksdk!\n");
    printf("argv[0]=%s argc=%d\n", argv[0], argc);
    return 0;
}
