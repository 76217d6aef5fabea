/* SPDX-License-Identifier: MIT */
/* The Meson project's program: greets with its first argument. */
void greet(const char* who);

int main(int argc, char** argv)
{
    greet(argc > 1 ? argv[1] : "meson");
    return 0;
}
