// Crashes of every kind, chosen by argv[1].
#undef NDEBUG // assert() must stay in release builds of this test.
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int crash_null(int* volatile p) { return *p; }
__attribute__((noinline)) static void crash_ud2(void) { __builtin_trap(); }
__attribute__((noinline)) static int crash_divide(volatile int d) { return 100 / d; }
__attribute__((noinline)) static int recurse(volatile int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    return recurse(depth + 1) + pad[0];
}
__attribute__((noinline)) static void crash_abort(void) { abort(); }
__attribute__((noinline)) static void crash_assert(int x) { assert(x == 42); }

// The image's own pages keep their segment's permissions (the link driver packs segments without
// padding the file to page boundaries): code and constants are read-only, data is not executable.
static const char k_constant[] = "constant";
unsigned char g_data_code[] = { 0xc3 }; // ret; external, so that it stays writable data
__attribute__((noinline)) static void write_rodata(void) { *(volatile char*)k_constant = 'C'; }
__attribute__((noinline)) static void write_text(void) { *(volatile unsigned char*)(void*)&write_rodata = 0xc3; }
__attribute__((noinline)) static void execute_data(void) { ((void (*)(void))(void*)g_data_code)(); }

static void on_signal(int sig) { printf("handler ran for signal %d\n", sig); }

int main(int argc, char** argv)
{
    const char* what = argc > 1 ? argv[1] : "";
    // Results are printed so that the calls are not tail calls: main must appear in backtraces.
    int result = 0;
    if (!strcmp(what, "null"))
        result = crash_null(NULL);
    if (!strcmp(what, "ud2"))
        crash_ud2();
    if (!strcmp(what, "divide"))
        result = crash_divide(0);
    if (!strcmp(what, "overflow"))
        result = recurse(0);
    if (!strcmp(what, "abort"))
        crash_abort();
    if (!strcmp(what, "assert"))
        crash_assert(7);
    if (!strcmp(what, "write-rodata"))
        write_rodata();
    if (!strcmp(what, "write-text"))
        write_text();
    if (!strcmp(what, "execute-data"))
        execute_data();
    if (!strcmp(what, "handler")) {
        signal(SIGUSR1, on_signal);
        raise(SIGUSR1);
        return 0;
    }
    printf("unknown crash kind '%s' (result %d)\n", what, result);
    return 2;
}
