#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots IMAGE with --initrd PARENT (PARENT holds DIRECTORY's basename) and checks that the
guest's listing of /BASENAME (`tree list /BASENAME`: types, modes, sizes, checksums, symlink
targets) is exactly what the host sees in DIRECTORY.

usage: compare_listing.py --runner UK_RUN --directory DIRECTORY IMAGE
"""
import argparse
import os
import stat
import subprocess
import sys


def checksum(data):
    value = 0
    for byte in data:
        value = (value * 31 + byte) & 0xffffffff
    return value


def listing(root, relative=""):
    lines = []
    path = os.path.join(root, relative) if relative else root
    for name in sorted(os.listdir(path), key=os.fsencode):
        rel = f"{relative}/{name}" if relative else name
        full = os.path.join(root, rel)
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            lines.append(f"l {rel} -> {os.readlink(full)}")
        elif stat.S_ISDIR(st.st_mode):
            lines.append(f"d {rel} {st.st_mode & 0o7777:o}")
            lines += listing(root, rel)
        else:
            with open(full, "rb") as f:
                data = f.read()
            lines.append(f"f {rel} {st.st_mode & 0o7777:o} {len(data)} {checksum(data):08x}")
    return lines


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--directory", required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("image")
    a = p.parse_args()
    directory = os.path.abspath(a.directory)
    name = os.path.basename(directory)
    r = subprocess.run([a.runner, "--initrd", os.path.dirname(directory), a.image, "list", "/" + name],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=a.timeout)
    guest = r.stdout.decode("utf-8", "replace").splitlines()
    host = listing(directory)
    if r.returncode != 0 or guest != host:
        print("host:\n  " + "\n  ".join(host))
        print("guest (exit %d):\n  " % r.returncode + "\n  ".join(guest))
        print(r.stderr.decode("utf-8", "replace"))
        print("compare_listing.py: the guest's tree differs from the host's", file=sys.stderr)
        return 1
    print("\n".join(guest))
    print(f"{len(host)} entries identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
