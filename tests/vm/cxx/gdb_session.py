#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drives gdb against a guest started with `uk-run --gdb` and checks what gdb prints.

usage: gdb_session.py --runner UK_RUN [--gdb GDB] [--timeout SECONDS] IMAGE

IMAGE is tests/vm/cxx/debuggee.cpp built with -O0 -g. The guest starts halted; gdb connects,
sets a hardware breakpoint in demo::report, continues, prints the parameter `value` and, one frame
up, the local `local` of demo::compute (both 42), prints the backtrace and kills the guest.
Whatever happens, nothing outlives the test: gdb runs under a timeout, and the runner and its
QEMU (a process group of their own) are terminated, then killed, at the end.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time


def free_port():
    # A port nothing listens on right now. Another process could take it before QEMU does; QEMU
    # then fails to start, gdb cannot connect, and the test fails rather than hanging.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(process, grace):
    """Ends the runner and everything it started: SIGTERM (uk-run ends QEMU), then SIGKILL."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            pass


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--gdb", default="gdb")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("image")
    a = p.parse_args()

    port = free_port()
    runner = subprocess.Popen([a.runner, f"--gdb={port}", a.image], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    gdb_command = [
        a.gdb, "-nx", "-batch",
        "-ex", "set pagination off",
        "-ex", "set confirm off",
        # gdb retries a refused connection for this long while QEMU starts listening.
        "-ex", "set tcp connect-timeout 30",
        "-ex", f"target remote 127.0.0.1:{port}",
        "-ex", "hbreak demo::report",
        "-ex", "continue",
        "-ex", "print value",
        "-ex", "up",
        "-ex", "print local",
        "-ex", "bt",
        "-ex", "kill",
        a.image,
    ]
    failures = []
    gdb_output = ""
    try:
        started = time.monotonic()
        result = subprocess.run(gdb_command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=a.timeout)
        gdb_output = result.stdout.decode("utf-8", "replace")
        print(f"gdb finished in {time.monotonic() - started:.1f} s with status {result.returncode}")
    except subprocess.TimeoutExpired as e:
        gdb_output = (e.stdout or b"").decode("utf-8", "replace")
        failures.append(f"gdb did not finish within {a.timeout:.0f} s")
    finally:
        stop_group(runner, grace=10)
    guest_output = runner.stdout.read().decode("utf-8", "replace")
    print("--- gdb:\n" + gdb_output + "--- uk-run:\n" + guest_output + "---")

    expected = [
        (r"Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file .*debuggee\.cpp", "the breakpoint was set"),
        (r"Breakpoint 1, demo::report \(value=42\) at .*debuggee\.cpp:\d+", "the guest stopped in report"),
        (r"^\$1 = 42$", "print value gave 42"),
        (r"^#1 .*demo::compute \(n=7\) at .*debuggee\.cpp:\d+", "up went to compute"),
        (r"^\$2 = 42$", "print local gave 42"),
        (r"^#0 +demo::report \(value=42\) at .*debuggee\.cpp:\d+\n"
         r"#1 +0x[0-9a-f]+ in demo::compute \(n=7\) at .*debuggee\.cpp:\d+\n"
         r"#2 +0x[0-9a-f]+ in main \(.*\) at .*debuggee\.cpp:\d+", "the backtrace"),
    ]
    for regex, what in expected:
        if not re.search(regex, gdb_output, re.M):
            failures.append(f"{what}: no match for {regex}")
    if failures:
        print("gdb_session.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    print("gdb session ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
