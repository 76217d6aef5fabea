// SPDX-License-Identifier: MIT
// std::filesystem and fstreams on the unikernel's file tree: the calls a C++ program uses to
// write, reread and clean up a scratch tree, with the results Linux gives. Builds for the host
// too (g++ -std=c++20 filesystem.cpp) to check the expectations.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

static int g_failures;
#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            std::cout << "FAIL line " << __LINE__ << ": " #cond << std::endl;               \
            ++g_failures;                                                                   \
        }                                                                                   \
    } while (0)

static std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int main()
{
    fs::path tmp = fs::temp_directory_path();
    CHECK(tmp == "/tmp" || fs::is_directory(tmp));
    fs::path root = tmp / ("fs-cxx-" + std::to_string(getpid()));
    CHECK(fs::create_directories(root / "a/b/c"));
    CHECK(!fs::create_directories(root / "a/b/c")); // Already there.
    CHECK(fs::is_directory(root / "a/b"));

    {
        std::ofstream out(root / "a/data.txt");
        out << "line one\n" << 42 << '\n';
    }
    {
        std::ofstream append(root / "a/data.txt", std::ios::app);
        append << "appended\n";
    }
    CHECK(slurp(root / "a/data.txt") == "line one\n42\nappended\n");
    CHECK(fs::file_size(root / "a/data.txt") == 21);
    {
        std::ifstream in(root / "a/data.txt");
        std::string word;
        int number = 0;
        std::getline(in, word);
        in >> number;
        CHECK(word == "line one" && number == 42);
    }
    {
        std::fstream both(root / "a/data.txt", std::ios::in | std::ios::out);
        both.seekp(5);
        both << "ONE";
        both.seekg(0);
        std::string first;
        std::getline(both, first);
        CHECK(first == "line ONE");
    }
    std::ofstream(root / "a/b/c/deep.bin", std::ios::binary).write("\0\1\2\3", 4);
    CHECK(fs::file_size(root / "a/b/c/deep.bin") == 4);

    fs::copy_file(root / "a/data.txt", root / "copy.txt");
    CHECK(slurp(root / "copy.txt") == slurp(root / "a/data.txt"));
    std::error_code ec;
    CHECK(!fs::copy_file(root / "a/data.txt", root / "copy.txt", ec) && ec == std::errc::file_exists);

    fs::create_symlink("a/data.txt", root / "link");
    CHECK(fs::is_symlink(root / "link") && fs::read_symlink(root / "link") == "a/data.txt");
    CHECK(fs::equivalent(root / "link", root / "a/data.txt"));
    CHECK(fs::canonical(root / "a/b/../data.txt") == root / "a/data.txt");
    fs::create_hard_link(root / "copy.txt", root / "hard.txt");
    CHECK(fs::hard_link_count(root / "copy.txt") == 2);

    std::set<std::string> seen;
    for (auto& entry : fs::recursive_directory_iterator(root))
        seen.insert(entry.path().lexically_relative(root).string());
    std::set<std::string> expected = { "a", "a/b", "a/b/c", "a/b/c/deep.bin", "a/data.txt", "copy.txt", "hard.txt",
        "link" };
    CHECK(seen == expected);
    if (seen != expected)
        for (auto& s : seen)
            std::cout << "seen " << s << std::endl;
    int files = 0;
    for (auto& entry : fs::directory_iterator(root / "a"))
        files += entry.is_regular_file();
    CHECK(files == 1);

    fs::rename(root / "a/b", root / "moved");
    CHECK(!fs::exists(root / "a/b") && fs::exists(root / "moved/c/deep.bin"));
    // Onto another name of the same file: POSIX says nothing happens, both names stay.
    fs::rename(root / "copy.txt", root / "hard.txt");
    CHECK(fs::exists(root / "hard.txt") && fs::exists(root / "copy.txt"));

    fs::permissions(root / "hard.txt", fs::perms::owner_read | fs::perms::owner_write);
    CHECK((fs::status(root / "hard.txt").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
    fs::permissions(root / "hard.txt", fs::perms::group_read, fs::perm_options::add);
    CHECK((fs::status(root / "hard.txt").permissions() & fs::perms::group_read) != fs::perms::none);

    auto when = fs::file_time_type::clock::now() - std::chrono::hours(24);
    fs::last_write_time(root / "hard.txt", when);
    auto got = fs::last_write_time(root / "hard.txt");
    CHECK(std::chrono::abs(got - when) < std::chrono::seconds(1));

    fs::resize_file(root / "hard.txt", 1 << 20);
    CHECK(fs::file_size(root / "hard.txt") == 1 << 20);
    auto space = fs::space(root);
    CHECK(space.capacity > 0 && space.available <= space.capacity);

    auto old = fs::current_path();
    fs::current_path(root / "moved");
    CHECK(fs::current_path() == root / "moved");
    CHECK(fs::exists("c/deep.bin"));
    fs::current_path(old);

    CHECK(!fs::remove(root / "nothing-here"));
    CHECK(fs::remove(root / "link"));
    CHECK(fs::exists(root / "a/data.txt"));
    try {
        fs::remove(root / "moved");
        CHECK(!"removing a non-empty directory must throw");
    } catch (const fs::filesystem_error& e) {
        CHECK(e.code() == std::errc::directory_not_empty);
    }
    try {
        (void)fs::file_size(root / "missing");
        CHECK(!"file_size of a missing file must throw");
    } catch (const fs::filesystem_error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
    auto removed = fs::remove_all(root);
    CHECK(removed == 8);
    if (removed != 8)
        std::cout << "removed " << removed << std::endl;
    CHECK(!fs::exists(root));

    if (g_failures) {
        std::cout << "filesystem: " << g_failures << " failures" << std::endl;
        return 1;
    }
    std::cout << "filesystem ok" << std::endl;
    return 0;
}
