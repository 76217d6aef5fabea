// SPDX-License-Identifier: MIT
// Built with -fno-exceptions -fno-rtti: the library still works, and an error that would throw
// ends the program with libc++'s message and the runtime's abort report. With the argument "at",
// an out-of-range vector::at.
#include <cstdio>
#include <format>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#if defined(__cpp_exceptions) || defined(__cpp_rtti)
#error "this test must be built with -fno-exceptions -fno-rtti"
#endif

__attribute__((noinline)) int element(const std::vector<int>& v, std::size_t i) { return v.at(i); }

int main(int argc, char** argv)
{
    std::vector<int> values { 3, 1, 2 };
    std::map<std::string, int> names { { "one", 1 }, { "two", 2 } };
    if (argc > 1) {
        std::printf("element %d\n", element(values, values.size()));
        return 2;
    }
    std::cout << std::format("{} values, {} names, two={}", values.size(), names.size(), names["two"]) << std::endl;
    std::cout << "no-exceptions ok" << std::endl;
    return 0;
}
