// SPDX-License-Identifier: MIT
// Uses the installed {fmt}.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

int main() {
    std::vector<int> values{1, 2, 3};
    fmt::print("fmt {}: {:.2f} {} {:#x}\n", FMT_VERSION / 10000, 3.14159, values, 42);
}
