// SPDX-License-Identifier: MIT
// The ramfs tree through fs/vfs: path resolution, link counts, rename, lifetimes, running out
// of memory, and unpacking archives.
#include "fs/vfs.h"

#include "fs/cpio_test_archive.h"
#include "fs/directory.h"
#include "fs/file_description.h"
#include "fs/initrd.h"

#include <gtest/gtest.h>
#include <string>

namespace uk::host::frames {
void set_limit(u64 limit);
u64 in_use();
}

namespace {

using namespace uk;
using namespace uk::fs;

int error_of(Result<Inode*> r) { return r.is_error() ? r.error_code() : 0; }
int error_of(Result<void> r) { return r.is_error() ? r.error_code() : 0; }

Inode* node(const char* path, u32 flags = k_resolve_follow)
{
    auto r = resolve(root(), path, flags);
    return r.is_error() ? nullptr : r.value();
}

std::string read_all(const char* path)
{
    Inode* inode = node(path);
    if (!inode)
        return "<missing>";
    std::string out(inode->size, '\0');
    read_data(*inode, 0, out.data(), out.size());
    return out;
}

// Removes everything under `directory` (depth first), as a cleanup and as a test of removal.
void remove_tree(Inode& directory)
{
    while (DirEntry* e = directory.entries.front()) {
        std::string name(e->name, e->name_length);
        if (e->inode->is_directory())
            remove_tree(*e->inode);
        remove_entry(directory, *e);
    }
}

// Link counts agree with the tree: 2 + subdirectories for directories, entries for the rest.
void check_link_counts(Inode& directory)
{
    u32 subdirectories = 0;
    directory.entries.for_each([&](DirEntry& e) {
        if (e.inode->is_directory()) {
            ++subdirectories;
            EXPECT_EQ(e.inode->parent, &directory);
            check_link_counts(*e.inode);
        }
    });
    EXPECT_EQ(directory.link_count, 2 + subdirectories);
}

struct VfsTest : testing::Test {
    void SetUp() override
    {
        host::frames::set_limit(~0ull);
        ASSERT_TRUE(create_root());
        set_working_directory(root());
        baseline = inode_count();
    }
    void TearDown() override
    {
        host::frames::set_limit(~0ull);
        set_working_directory(root());
        remove_tree(root());
        check_link_counts(root());
        EXPECT_EQ(inode_count(), baseline); // Nothing leaked.
    }
    u64 baseline = 0;
};

// fs/init.cpp defers the standard tree to the first use of a path: the builder runs once, before
// that use looks, and itself makes the tree through paths.
int g_tree_builds;
void build_test_tree()
{
    ++g_tree_builds;
    EXPECT_EQ(error_of(make_directories("/etc")), 0);
    EXPECT_EQ(error_of(write_file("/etc/hostname", "box\n", 4, 0644)), 0);
}

TEST_F(VfsTest, DeferredTreeIsBuiltOnceBeforeItsFirstUse)
{
    g_tree_builds = 0;
    defer_tree(build_test_tree);
    EXPECT_EQ(g_tree_builds, 0);
    EXPECT_EQ(read_all("/etc/hostname"), "box\n"); // Through root().
    EXPECT_EQ(g_tree_builds, 1);
    EXPECT_EQ(read_all("/etc/hostname"), "box\n");
    build_deferred_tree();
    EXPECT_EQ(g_tree_builds, 1);
    // Relative paths start from the working directory; the helpers start from the root.
    remove_tree(root());
    defer_tree(build_test_tree);
    auto relative = resolve(working_directory(), "etc/hostname", 0);
    EXPECT_FALSE(relative.is_error());
    EXPECT_EQ(g_tree_builds, 2);
    remove_tree(root());
    defer_tree(build_test_tree);
    EXPECT_EQ(error_of(write_file("/f", "x", 1, 0644)), 0);
    EXPECT_EQ(g_tree_builds, 3);
    EXPECT_EQ(read_all("/etc/hostname"), "box\n");
    remove_tree(root());
    defer_tree(build_test_tree);
    EXPECT_EQ(error_of(make_directories("/a/b")), 0);
    EXPECT_EQ(g_tree_builds, 4);
    EXPECT_NE(node("/etc/hostname"), nullptr);
    check_link_counts(root());
}

TEST_F(VfsTest, CreateAndResolve)
{
    ASSERT_EQ(error_of(create_node(root(), "/a", k_mode_directory | 0755)), 0);
    ASSERT_EQ(error_of(create_node(root(), "/a/b", k_mode_directory | 0755)), 0);
    ASSERT_EQ(error_of(write_file("/a/b/f", "data", 4, 0644)), 0);
    EXPECT_EQ(read_all("/a/b/f"), "data");
    EXPECT_EQ(read_all("//a///b/./f"), "data");
    EXPECT_EQ(read_all("/a/b/../b/f"), "data");
    EXPECT_EQ(read_all("/../../a/b/f"), "data"); // ".." at the root stays there.
    EXPECT_EQ(node("/a/b/"), node("/a/b"));
    EXPECT_EQ(node("/a/b/f/"), nullptr);
    EXPECT_EQ(error_of(resolve(root(), "/a/b/f/", k_resolve_follow)), ENOTDIR);
    EXPECT_EQ(error_of(resolve(root(), "/a/b/f/x", k_resolve_follow)), ENOTDIR);
    EXPECT_EQ(error_of(resolve(root(), "/a/missing/x", k_resolve_follow)), ENOENT);
    EXPECT_EQ(error_of(resolve(root(), "", k_resolve_follow)), ENOENT);
    EXPECT_EQ(error_of(create_node(root(), "/a", k_mode_directory | 0755)), EEXIST);
    EXPECT_EQ(error_of(create_node(root(), "/", k_mode_directory | 0755)), EEXIST);
    EXPECT_EQ(error_of(create_node(root(), "/a/..", k_mode_directory | 0755)), EEXIST);
    std::string long_name(256, 'x');
    EXPECT_EQ(error_of(create_node(root(), ("/" + long_name).c_str(), k_mode_regular | 0644)), ENAMETOOLONG);
    std::string long_path(5000, 'a');
    EXPECT_EQ(error_of(resolve(root(), long_path.c_str(), 0)), ENAMETOOLONG);
    // Relative to a base directory.
    EXPECT_EQ(read_all("/a/b/f"), "data");
    auto rel = resolve(*node("/a"), "b/f", 0);
    ASSERT_FALSE(rel.is_error());
    EXPECT_EQ(rel.value(), node("/a/b/f"));
    check_link_counts(root());
}

// A large directory gets an index by name; creating, finding, unlinking and re-creating through
// it must agree with the list, including after the index is dropped with the last entry.
TEST_F(VfsTest, LargeDirectoryIndex)
{
    ASSERT_EQ(error_of(create_node(root(), "/big", k_mode_directory | 0755)), 0);
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 2000; ++i)
            ASSERT_EQ(error_of(create_node(root(), ("/big/f" + std::to_string(i)).c_str(), k_mode_regular | 0644)), 0);
        EXPECT_EQ(error_of(create_node(root(), "/big/f1999", k_mode_regular | 0644)), EEXIST);
        for (int i = 0; i < 2000; ++i)
            ASSERT_NE(node(("/big/f" + std::to_string(i)).c_str()), nullptr) << i;
        EXPECT_EQ(node("/big/f2000"), nullptr);
        for (int i = 0; i < 2000; i += 2)
            ASSERT_EQ(error_of(unlink(root(), ("/big/f" + std::to_string(i)).c_str())), 0);
        for (int i = 0; i < 2000; ++i)
            ASSERT_EQ(node(("/big/f" + std::to_string(i)).c_str()) != nullptr, i % 2 == 1) << i;
        for (int i = 1; i < 2000; i += 2)
            ASSERT_EQ(error_of(unlink(root(), ("/big/f" + std::to_string(i)).c_str())), 0);
        EXPECT_TRUE(node("/big")->entries.empty());
    }
    check_link_counts(root());
}

// Renaming a directory takes its old entry out of the index too (the path fuzzer found a lookup
// that followed a freed entry still chained there).
TEST_F(VfsTest, RenamingDirectoriesInALargeDirectory)
{
    ASSERT_EQ(error_of(create_node(root(), "/big", k_mode_directory | 0755)), 0);
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(error_of(create_node(root(), ("/big/d" + std::to_string(i)).c_str(), k_mode_directory | 0755)), 0);
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(error_of(rename(root(), ("/big/d" + std::to_string(i)).c_str(), root(),
                      ("/big/e" + std::to_string(i)).c_str(), 0)), 0);
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(node(("/big/d" + std::to_string(i)).c_str()), nullptr) << i;
        ASSERT_NE(node(("/big/e" + std::to_string(i)).c_str()), nullptr) << i;
        // The old name is free again, in the index as in the list.
        ASSERT_EQ(error_of(create_node(root(), ("/big/d" + std::to_string(i)).c_str(), k_mode_regular | 0644)), 0);
    }
    check_link_counts(root());
}

TEST_F(VfsTest, Symlinks)
{
    ASSERT_EQ(error_of(make_directories("/d/e")), 0);
    ASSERT_EQ(error_of(write_file("/d/e/f", "x", 1, 0644)), 0);
    ASSERT_EQ(error_of(create_symlink(root(), "/rel", "d/e")), 0);
    ASSERT_EQ(error_of(create_symlink(root(), "/abs", "/d/e/f")), 0);
    ASSERT_EQ(error_of(create_symlink(root(), "/d/up", "../d/e")), 0);
    ASSERT_EQ(error_of(create_symlink(root(), "/dangling", "/nowhere/x")), 0);
    ASSERT_EQ(error_of(create_symlink(root(), "/loop", "/loop")), 0);
    EXPECT_EQ(node("/rel/f"), node("/d/e/f"));
    EXPECT_EQ(node("/abs"), node("/d/e/f"));
    EXPECT_TRUE(node("/abs", 0)->is_symlink());
    EXPECT_EQ(node("/d/up/f"), node("/d/e/f"));
    EXPECT_EQ(node("/rel/"), node("/d/e")); // A trailing slash follows the link.
    EXPECT_EQ(error_of(resolve(root(), "/abs/", 0)), ENOTDIR);
    EXPECT_EQ(error_of(resolve(root(), "/dangling", k_resolve_follow)), ENOENT);
    EXPECT_EQ(error_of(resolve(root(), "/loop", k_resolve_follow)), ELOOP);
    EXPECT_EQ(error_of(resolve(root(), "/loop/x", 0)), ELOOP);
    // A chain of 40 links resolves; 41 is ELOOP.
    for (int i = 0; i < 41; ++i) {
        std::string name = "/chain" + std::to_string(i);
        std::string target = i == 0 ? "/d/e/f" : "/chain" + std::to_string(i - 1);
        ASSERT_EQ(error_of(create_symlink(root(), name.c_str(), target.c_str())), 0);
    }
    EXPECT_EQ(node("/chain39"), node("/d/e/f"));
    EXPECT_EQ(error_of(resolve(root(), "/chain40", k_resolve_follow)), ELOOP);
    // open with O_CREAT through a dangling link creates the target.
    ASSERT_EQ(error_of(create_symlink(root(), "/to-new", "/d/new")), 0);
    auto created = open_inode(root(), "/to-new", k_o_creat | k_o_wronly, 0644);
    ASSERT_FALSE(created.is_error());
    unref(*created.value());
    EXPECT_NE(node("/d/new"), nullptr);
    char target[16];
    auto n = read_link(root(), "/rel", target, sizeof target);
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(target, n.value()), "d/e");
}

TEST_F(VfsTest, UnlinkKeepsOpenFilesAlive)
{
    ASSERT_EQ(error_of(write_file("/f", "contents", 8, 0644)), 0);
    auto opened = open_inode(root(), "/f", k_o_rdonly, 0);
    ASSERT_FALSE(opened.is_error());
    Inode* inode = opened.value();
    u64 before = inode_count();
    ASSERT_EQ(error_of(unlink(root(), "/f")), 0);
    EXPECT_EQ(node("/f"), nullptr);
    EXPECT_EQ(inode->link_count, 0u);
    EXPECT_EQ(inode_count(), before); // Still alive: the open reference.
    char buf[8];
    EXPECT_EQ(read_data(*inode, 0, buf, 8), 8u);
    unref(*inode);
    EXPECT_EQ(inode_count(), before - 1);
}

TEST_F(VfsTest, RenameKeepsCountsRight)
{
    ASSERT_EQ(error_of(make_directories("/x/y/z")), 0);
    ASSERT_EQ(error_of(make_directories("/w")), 0);
    ASSERT_EQ(error_of(write_file("/x/y/file", "1", 1, 0644)), 0);
    ASSERT_EQ(error_of(rename(root(), "/x/y", root(), "/w/y2", 0)), 0);
    EXPECT_NE(node("/w/y2/z"), nullptr);
    EXPECT_EQ(node("/w/y2")->parent, node("/w"));
    check_link_counts(root());
    EXPECT_EQ(error_of(rename(root(), "/w", root(), "/w/y2/z/inside", 0)), EINVAL);
    EXPECT_EQ(error_of(rename(root(), "/w/y2/file", root(), "/x", 0)), EISDIR);
    EXPECT_EQ(error_of(rename(root(), "/x", root(), "/w/y2/file", 0)), ENOTDIR);
    EXPECT_EQ(error_of(rename(root(), "/x", root(), "/w", 0)), ENOTEMPTY);
    ASSERT_EQ(error_of(make_directories("/empty")), 0);
    ASSERT_EQ(error_of(rename(root(), "/x", root(), "/empty", 0)), 0);
    EXPECT_EQ(node("/x"), nullptr);
    check_link_counts(root());
    ASSERT_EQ(error_of(write_file("/a", "A", 1, 0644)), 0);
    ASSERT_EQ(error_of(write_file("/b", "B", 1, 0644)), 0);
    ASSERT_EQ(error_of(rename(root(), "/a", root(), "/b", 0)), 0);
    EXPECT_EQ(read_all("/b"), "A");
    ASSERT_EQ(error_of(write_file("/c", "C", 1, 0644)), 0);
    ASSERT_EQ(error_of(rename(root(), "/b", root(), "/c", k_rename_exchange)), 0);
    EXPECT_EQ(read_all("/b"), "C");
    EXPECT_EQ(read_all("/c"), "A");
    EXPECT_EQ(error_of(rename(root(), "/b", root(), "/c", k_rename_noreplace)), EEXIST);
    ASSERT_EQ(error_of(rename(root(), "/empty", root(), "/w/y2", k_rename_exchange)), 0);
    check_link_counts(root());
}

TEST_F(VfsTest, HardLinks)
{
    ASSERT_EQ(error_of(write_file("/one", "shared", 6, 0644)), 0);
    ASSERT_EQ(error_of(create_link(root(), "/one", root(), "/two", 0)), 0);
    EXPECT_EQ(node("/one"), node("/two"));
    EXPECT_EQ(node("/one")->link_count, 2u);
    ASSERT_EQ(error_of(unlink(root(), "/one")), 0);
    EXPECT_EQ(read_all("/two"), "shared");
    ASSERT_EQ(error_of(make_directories("/dir")), 0);
    EXPECT_EQ(error_of(create_link(root(), "/dir", root(), "/dir2", 0)), EPERM);
    EXPECT_EQ(error_of(remove_directory(root(), "/dir/.")), EINVAL);
    EXPECT_EQ(error_of(remove_directory(root(), "/two")), ENOTDIR);
    EXPECT_EQ(error_of(unlink(root(), "/dir")), EISDIR);
    EXPECT_EQ(error_of(remove_directory(root(), "/")), EBUSY);
}

TEST_F(VfsTest, SparseFilesAndTruncate)
{
    auto made = create_node(root(), "/sparse", k_mode_regular | 0644);
    ASSERT_FALSE(made.is_error());
    Inode& f = *made.value();
    ASSERT_FALSE(write_data(f, 10 << 20, "end", 3).is_error());
    EXPECT_EQ(f.size, (10u << 20) + 3);
    EXPECT_EQ(f.pages.page_count(), 1u);
    char buf[4] = { 1, 1, 1, 1 };
    EXPECT_EQ(read_data(f, 5 << 20, buf, 4), 4u);
    EXPECT_EQ(std::string(buf, 4), std::string(4, '\0'));
    ASSERT_FALSE(write_data(f, 0, "abcdef", 6).is_error());
    ASSERT_FALSE(set_size(f, 2).is_error());
    ASSERT_FALSE(set_size(f, 6).is_error());
    EXPECT_EQ(read_data(f, 0, buf, 4), 4u);
    EXPECT_EQ(std::string(buf, 4), std::string("ab\0\0", 4));
    EXPECT_EQ(error_of(set_size(f, k_max_file_size + 1)), EFBIG);
}

TEST_F(VfsTest, OutOfMemoryIsEnospcAndRecoverable)
{
    host::frames::set_limit(host::frames::in_use() + 40);
    auto made = create_node(root(), "/big", k_mode_regular | 0644);
    ASSERT_FALSE(made.is_error());
    std::string block(4096, 'z');
    u64 written = 0;
    Result<size_t> r = static_cast<size_t>(0);
    while (!(r = write_data(*made.value(), written, block.data(), block.size())).is_error() && r.value() == block.size())
        written += r.value();
    EXPECT_TRUE(r.is_error());
    EXPECT_EQ(r.error_code(), ENOSPC);
    EXPECT_GT(written, 0u);
    EXPECT_EQ(made.value()->size, written); // No partial garbage beyond what was written.
    // Creating more also fails cleanly.
    for (int i = 0; i < 100; ++i) {
        auto more = create_node(root(), ("/n" + std::to_string(i)).c_str(), k_mode_directory | 0755);
        if (more.is_error()) {
            EXPECT_TRUE(more.error_code() == ENOSPC || more.error_code() == ENOMEM);
            break;
        }
    }
    ASSERT_EQ(error_of(unlink(root(), "/big")), 0);
    EXPECT_FALSE(write_file("/after", block.data(), block.size(), 0644).is_error());
    check_link_counts(root());
}

TEST_F(VfsTest, UnpackArchive)
{
    test_support::Archive a;
    a.directory("./etc", 0700);
    a.file("etc/conf", "x=1\n", 0600, 1500000000);
    a.file("deep/er/file", "nested\n"); // Parents not listed.
    a.symlink("link", "etc/conf");
    a.file("h1", "linked", 0644, 0, 77, 2);
    a.file("h2", "", 0644, 0, 77, 2);
    a.file("etc/conf", "replaced\n"); // A later entry wins.
    a.trailer();
    char problem[256];
    ASSERT_FALSE(unpack_archive(a.data(), a.size(), problem, sizeof problem).is_error()) << problem;
    EXPECT_EQ(read_all("/etc/conf"), "replaced\n");
    EXPECT_EQ(node("/etc")->mode & 07777, 0700u);
    EXPECT_EQ(read_all("/deep/er/file"), "nested\n");
    EXPECT_EQ(read_all("/link"), "replaced\n");
    EXPECT_EQ(node("/h1"), node("/h2"));
    EXPECT_EQ(read_all("/h2"), "linked");
    check_link_counts(root());
}

TEST_F(VfsTest, CorruptArchiveNamesTheProblem)
{
    test_support::Archive a;
    a.file("good", "1");
    a.file("victim", "0123456789");
    std::vector<unsigned char> cut(a.bytes().begin(), a.bytes().end() - 8);
    char problem[256];
    auto r = unpack_archive(cut.data(), cut.size(), problem, sizeof problem);
    ASSERT_TRUE(r.is_error());
    EXPECT_NE(std::string(problem).find("file data runs past the end of the archive"), std::string::npos) << problem;
    EXPECT_NE(std::string(problem).find("'victim'"), std::string::npos) << problem;
    unsigned char gzip[] = { 0x1f, 0x8b, 8, 0 };
    ASSERT_TRUE(unpack_archive(gzip, sizeof gzip, problem, sizeof problem).is_error());
    EXPECT_NE(std::string(problem).find("gzip"), std::string::npos);
}

}
