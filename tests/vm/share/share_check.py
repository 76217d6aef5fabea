#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Shares a host directory with a guest running share.c and checks both sides.

usage: share_check.py --runner UK_RUN --image IMAGE [--machine M] MODE
MODE rw: a fresh fixture directory shared read-write at another guest path; after the guest
         exits, the host must see exactly what the guest did (and nothing else changed).
MODE ro: the same directory shared read-only: every write fails with EROFS, nothing changes.
MODE cwd: uk-run --share-cwd from inside the fixture directory: the guest starts there.
MODE errors: the failing calls of `share errors` give the same errnos in the guest (in a shared
         directory) as in a Linux process (in an identical host directory).
"""
import argparse
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile

TEXT = b"The quick brown fox\njumps over the lazy dog\n"


def large_bytes(length):
    # share.c's large_bytes(): the top byte of i * 2654435761 (mod 2^32).
    return bytes(((i * 2654435761) & 0xffffffff) >> 24 for i in range(length))


def make_fixtures(root):
    def write(name, data, mode=0o644):
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)

    write("text.txt", TEXT)
    write("binary.bin", bytes((i * 31 + 7) & 0xff for i in range(65536)))
    write("large.bin", large_bytes(8 << 20))
    for i in range(300):
        write(f"many/f{i:03d}.txt", f"file {i}\n".encode())
    write("sub/dir/deep.txt", b"deep\n")
    write("trunc.txt", b"a" * 1000)
    write("ftrunc.txt", b"b" * 1000)
    write("rename-me.txt", b"rename\n")
    write("delete-me.txt", b"delete\n")
    write("append.txt", b"line1\n")
    write("mode.txt", b"mode\n")
    write("times.txt", b"times\n")
    write("nonempty/keep.txt", b"keep\n")
    os.mkdir(os.path.join(root, "rmdir-me"))
    os.symlink("text.txt", os.path.join(root, "link-in-host"))
    os.symlink("sub", os.path.join(root, "dirlink"))
    os.symlink("loop2", os.path.join(root, "loop1"))
    os.symlink("loop1", os.path.join(root, "loop2"))
    os.mkfifo(os.path.join(root, "host-fifo"))


def snapshot(root):
    """Every path under root with its type, mode, size, link target and content hash."""
    state = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            st = os.lstat(path)
            relative = os.path.relpath(path, root)
            if os.path.islink(path):
                state[relative] = ("link", os.readlink(path))
            elif stat.S_ISFIFO(st.st_mode):
                state[relative] = ("fifo", st.st_mode & 0o7777)
            elif os.path.isdir(path):
                state[relative] = ("dir", st.st_mode & 0o7777)
            else:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                state[relative] = ("file", st.st_mode & 0o7777, st.st_size, digest, int(st.st_mtime))
    return state


def run_guest(a, options, args, cwd=None):
    command = [a.runner, "--machine", a.machine, "--timeout", "240"] + options + [a.image, "--"] + args
    r = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd, timeout=300)
    output = r.stdout.decode(errors="replace")
    sys.stdout.write(output)
    return r.returncode, output


class Failures:
    def __init__(self):
        self.items = []

    def check(self, condition, what):
        if not condition:
            self.items.append(what)

    def read(self, root, name):
        try:
            with open(os.path.join(root, name), "rb") as f:
                return f.read()
        except OSError as e:
            return f"<{e.strerror}>".encode()


def check_rw(a, work):
    root = os.path.join(work, "host-dir")
    os.mkdir(root)
    make_fixtures(root)
    before = snapshot(root)
    guest_dir = "/mnt/shared data"  # not the host's path, and with a space
    status, output = run_guest(a, ["--share", f"{root}:{guest_dir}"], ["rw", guest_dir])
    f = Failures()
    f.check(status == 0, f"exit status {status}")
    f.check("share ok" in output, "no 'share ok' line")
    f.check(f.read(root, "new.txt") == b"hello host\n", "new.txt")
    f.check(f.read(root, "append.txt") == b"line1\nline2\nline3\n", "append.txt")
    f.check(f.read(root, "trunc.txt") == b"a" * 10, "trunc.txt")
    f.check(f.read(root, "ftrunc.txt") == b"bbbbb" + b"\0" * 5 + b"XY", "ftrunc.txt")
    f.check(f.read(root, "rw.bin") == b"\0" * 100 + b"abc", "rw.bin")
    f.check(f.read(root, "written.bin") == bytes((i * 13 + 5) & 0xff for i in range(3 << 20)), "written.bin")
    f.check(f.read(root, "renamed.txt") == b"rename\n", "renamed.txt")
    for gone in ("rename-me.txt", "delete-me.txt", "rmdir-me", "newdir/nested", "doomed.txt", "fifo"):
        f.check(not os.path.lexists(os.path.join(root, gone)), f"{gone} still exists")
    f.check(os.path.isdir(os.path.join(root, "newdir")), "newdir")
    f.check(os.path.isdir(os.path.join(root, "moved-nested")), "moved-nested")
    f.check(os.stat(os.path.join(root, "moved-nested")).st_mode & 0o777 == 0o700, "moved-nested mode")
    f.check(f.read(root, "newdir/late.txt") == b"x", "newdir/late.txt")
    f.check(os.path.islink(os.path.join(root, "guest-link"))
            and os.readlink(os.path.join(root, "guest-link")) == "text.txt", "guest-link")
    f.check(os.stat(os.path.join(root, "hard.txt")).st_ino == os.stat(os.path.join(root, "text.txt")).st_ino,
            "hard.txt is not a hard link of text.txt")
    f.check(os.stat(os.path.join(root, "mode.txt")).st_mode & 0o7777 == 0o600, "mode.txt mode")
    f.check(int(os.stat(os.path.join(root, "times.txt")).st_mtime) == 1234567890, "times.txt mtime")
    f.check(f.read(root, "text.txt") == TEXT, "text.txt changed (a private mapping wrote through?)")
    f.check(not os.path.exists(os.path.join(root, "from-tmp.txt")), "from-tmp.txt")
    # Nothing else changed.
    after = snapshot(root)
    touched = {"new.txt", "append.txt", "trunc.txt", "ftrunc.txt", "rw.bin", "written.bin", "renamed.txt",
               "rename-me.txt", "delete-me.txt", "rmdir-me", "newdir", "newdir/late.txt", "moved-nested",
               "guest-link", "hard.txt", "mode.txt", "times.txt", "text.txt"}
    for name in set(before) | set(after):
        if name not in touched:
            f.check(before.get(name) == after.get(name), f"{name} changed: {before.get(name)} -> {after.get(name)}")
    return f.items


def check_ro(a, work):
    root = os.path.join(work, "host-dir")
    os.mkdir(root)
    make_fixtures(root)
    before = snapshot(root)
    status, output = run_guest(a, ["--share", f"{root},ro"], ["ro", root])
    f = Failures()
    f.check(status == 0, f"exit status {status}")
    f.check("share ok" in output, "no 'share ok' line")
    f.check(snapshot(root) == before, "the read-only share changed")
    return f.items


def check_cwd(a, work):
    root = os.path.join(work, "cwd dir")
    os.mkdir(root)
    with open(os.path.join(root, "text.txt"), "wb") as out:
        out.write(TEXT)
    status, output = run_guest(a, ["--share-cwd"], ["cwd", root], cwd=root)
    f = Failures()
    f.check(status == 0 and "cwd ok" in output, f"exit status {status}")
    f.check(f.read(root, "from-guest.txt") == b"made in the guest\n", "from-guest.txt")
    # UKSDK_SHARE_CWD=0 turns --share-cwd off: the guest starts in its own /.
    env = dict(os.environ, UKSDK_SHARE_CWD="0")
    r = subprocess.run([a.runner, "--machine", a.machine, "--share-cwd", a.image, "--", "cwd", root],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=root, env=env, timeout=300)
    f.check(r.returncode == 1 and b"cwd FAILED" in r.stdout, "UKSDK_SHARE_CWD=0 still shared")
    return f.items


def check_errors(a, work):
    host_root = os.path.join(work, "host-run")
    guest_root = os.path.join(work, "guest-run")
    for root in (host_root, guest_root):
        os.mkdir(root)
        make_fixtures(root)
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "share.c")
    binary = os.path.join(work, "share-host")
    subprocess.run([os.environ.get("CC", "cc"), "-O1", "-pthread", "-o", binary, source], check=True)
    host = subprocess.run([binary, "errors"], stdout=subprocess.PIPE, cwd=host_root, timeout=60)
    print("--- Linux process (exit %d)" % host.returncode)
    sys.stdout.write(host.stdout.decode(errors="replace"))
    print("--- unikernel")
    status, output = run_guest(a, ["--share-cwd"], ["errors"], cwd=guest_root)
    f = Failures()
    f.check(host.returncode == 0 and status == 0, f"exit status: host {host.returncode}, guest {status}")
    guest_lines = [line for line in output.splitlines() if not line.startswith("uk")]
    host_lines = host.stdout.decode(errors="replace").splitlines()
    for h, g in zip(host_lines, guest_lines):
        f.check(h == g, f"host: {h!r} guest: {g!r}")
    f.check(len(host_lines) == len(guest_lines),
            f"{len(host_lines)} lines on the host, {len(guest_lines)} in the guest")
    return f.items


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--machine", default="microvm")
    p.add_argument("mode", choices=["rw", "ro", "cwd", "errors"])
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="uk-share-")
    try:
        failures = {"rw": check_rw, "ro": check_ro, "cwd": check_cwd, "errors": check_errors}[a.mode](a, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("share_check.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
