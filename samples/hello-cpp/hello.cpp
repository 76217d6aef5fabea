// SPDX-License-Identifier: MIT
// The C++ sample: iostreams, std::format and a standard container in a bootable image.
#include <format>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv)
{
    std::cout << "Hello from uksdk, in C++!\n";

    std::vector<std::string_view> args(argv + 1, argv + argc);
    std::cout << std::format("{} argument{}\n", args.size(), args.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < args.size(); ++i)
        std::cout << std::format("  argv[{}] = \"{}\"\n", i + 1, args[i]);

    // Word lengths of the arguments, counted in a sorted container.
    std::map<std::size_t, int> lengths;
    for (auto arg : args)
        ++lengths[arg.size()];
    for (auto [length, count] : lengths)
        std::cout << std::format("{:>4} byte{:<2}{:*>{}}\n", length, length == 1 ? "" : "s", "", count);

    std::cout << std::format("pi is about {:.5f}, {:#x} is {}\n", 3.14159265358979, 48879, 48879);
    return 0;
}
