#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the tree the initrd tests pass with --initrd, and archives of it, corrupt ones too.

usage: make_tree.py UK_RUN OUTPUT_DIRECTORY
Creates OUTPUT_DIRECTORY/override (one file replacing the embedded tree's), OUTPUT_DIRECTORY/tree (nested directories, symlinks, a hard link, a 10 MiB file, odd
names and modes) and, packed with `uk-run --pack`: tree.cpio, truncated.cpio (cut inside the
big file's data), bad-magic.cpio and trailing-garbage-free short.cpio (cut inside a header).
"""
import os
import shutil
import subprocess
import sys

BIG = 10 << 20


def pattern(size):
    # Byte i is (i * 2654435761 >> 24) & 0xff, as tree.c recomputes it.
    return bytes(((i * 2654435761) >> 24) & 0xff for i in range(size))


def main():
    runner, out = sys.argv[1], sys.argv[2]
    tree = os.path.join(out, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "a/b/c"))
    os.makedirs(os.path.join(tree, "etc"))
    os.makedirs(os.path.join(tree, "emptydir"))
    def write(name, data, mode=0o644):
        path = os.path.join(tree, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
    write("a/b/c/deep.txt", b"deep\n")
    write("etc/app.conf", b"key=value\n")
    write("empty", b"")
    write("secret", b"s3cret\n", 0o600)
    write("run.sh", b"#!/bin/sh\n", 0o755)
    write("name with spaces.txt", b"spaces\n")
    block = pattern(1 << 16)
    with open(os.path.join(tree, "big.bin"), "wb") as f:
        for _ in range(BIG // len(block)):
            f.write(block)
    os.link(os.path.join(tree, "a/b/c/deep.txt"), os.path.join(tree, "hardlink"))
    os.symlink("a/b/c/deep.txt", os.path.join(tree, "link-to-deep"))
    os.symlink("/a/b", os.path.join(tree, "abs-dir-link"))
    os.symlink("nowhere", os.path.join(tree, "dangling"))
    for name in ("a", "a/b", "a/b/c", "etc", "emptydir"):
        os.utime(os.path.join(tree, name), (1600000000, 1600000000))
    os.utime(os.path.join(tree, "etc/app.conf"), (1500000000, 1500000000))

    override = os.path.join(out, "override")
    shutil.rmtree(override, ignore_errors=True)
    os.makedirs(override)
    with open(os.path.join(override, "override.txt"), "wb") as f:
        f.write(b"from the initrd\n")

    # A copy of the tree (without the big file) one level down, for the listing comparison:
    # unpacked at /data, it does not mix with the runtime's own /etc.
    wrapped = os.path.join(out, "wrapped")
    shutil.rmtree(wrapped, ignore_errors=True)
    shutil.copytree(tree, os.path.join(wrapped, "data"), symlinks=True,
                    ignore=lambda d, names: ["big.bin"] if d == tree else [])
    for name in ("a", "a/b", "etc"):
        os.chmod(os.path.join(wrapped, "data", name), 0o750)

    archive = os.path.join(out, "tree.cpio")
    subprocess.run([runner, "--pack", tree, archive], check=True)
    data = open(archive, "rb").read()
    big_at = data.index(b"big.bin\0")
    with open(os.path.join(out, "truncated.cpio"), "wb") as f:
        f.write(data[:big_at + 4096])
    with open(os.path.join(out, "bad-magic.cpio"), "wb") as f:
        f.write(b"070707" + data[6:])
    with open(os.path.join(out, "short.cpio"), "wb") as f:
        f.write(data[:50])


if __name__ == "__main__":
    main()
