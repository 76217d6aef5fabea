/* SPDX-License-Identifier: MIT */
/* Links one of the greet libraries and uses it, including what it took from its dependency. */
void greet_and_help(const char* who);

int main(int argc, char** argv)
{
    greet_and_help(argc > 1 ? argv[1] : "cmake");
    return 0;
}
