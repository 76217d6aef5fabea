#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs uk-run with a given standard input and checks stdout and stderr separately.

usage: stdio_check.py --runner UK_RUN [--stdin-text TEXT | --stdin-bytes N | --stdin-lines N] [--exit N]
                      [--stdout RE]... [--stderr RE]... [--stdout-not RE]... [--stderr-not RE]...
                      [--stdout-equals-stdin] -- [runner options] IMAGE [ARGS...]
--stdin-bytes N feeds N pseudo-random bytes (every byte value, including 0xff, which the runner
must escape); --stdin-lines N feeds the lines "1" to "N". Regexes are multiline.
"""
import argparse
import random
import re
import subprocess
import sys


def run_on_pty(argv, typed, timeout):
    """Runs argv with a pseudo-terminal as stdin, stdout and stderr; types `typed` into it once
    the program is running. Returns a CompletedProcess whose stdout is the terminal output."""
    import os
    import select
    import time
    master, slave = os.openpty()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + timeout
    typed_at = time.monotonic() + 1.0  # after boot; the terminal buffers what comes earlier anyway
    while time.monotonic() < deadline:
        if typed is not None and time.monotonic() >= typed_at:
            os.write(master, typed)
            typed = None
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every process closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None and typed is None:
            break
    process.wait(timeout=max(1, deadline - time.monotonic()))
    os.close(master)
    return subprocess.CompletedProcess(argv, process.returncode, output.replace(b"\r\n", b"\n"), b"")



def guest_timeout(script_timeout):
    """uk-run's own --timeout, below the script's: a hung guest then prints its hang report (where
    each thread is) and the runner ends it, instead of the script killing everything silently."""
    return ["--timeout", str(max(10, int(script_timeout) - 20))]

def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--stdin-text")
    p.add_argument("--stdin-bytes", type=int)
    p.add_argument("--stdin-lines", type=int)
    p.add_argument("--exit", type=int, default=0)
    p.add_argument("--stdout", action="append", default=[])
    p.add_argument("--stderr", action="append", default=[])
    p.add_argument("--stdout-not", action="append", default=[])
    p.add_argument("--stderr-not", action="append", default=[])
    p.add_argument("--stdout-equals-stdin", action="store_true")
    p.add_argument("--pty", action="store_true",
                   help="run on a pseudo-terminal (stdin, stdout and stderr); the input is typed "
                        "into it and the terminal's output is checked as stdout")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if a.stdin_bytes is not None:
        data = random.Random(5).randbytes(a.stdin_bytes) + b"\xff\xff\xffD\xff"
    elif a.stdin_lines is not None:
        data = "".join(f"{k}\n" for k in range(1, a.stdin_lines + 1)).encode()
    elif a.stdin_text is not None:
        data = a.stdin_text.encode().decode("unicode_escape").encode("latin-1")
    else:
        data = b""
    if a.pty:
        r = run_on_pty([a.runner] + guest_timeout(a.timeout) + command, data, a.timeout)
    else:
        r = subprocess.run([a.runner] + guest_timeout(a.timeout) + command, input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=a.timeout)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    failures = []
    if r.returncode != a.exit:
        failures.append(f"exit status {r.returncode}, expected {a.exit}")
    for stream, text, wanted, unwanted in (("stdout", out, a.stdout, a.stdout_not),
                                           ("stderr", err, a.stderr, a.stderr_not)):
        for rx in wanted:
            if not re.search(rx, text, re.M):
                failures.append(f"{stream} does not match: {rx}")
        for rx in unwanted:
            if re.search(rx, text, re.M):
                failures.append(f"{stream} must not match: {rx}")
    if a.stdout_equals_stdin and r.stdout != data:
        failures.append(f"stdout ({len(r.stdout)} bytes) differs from stdin ({len(data)} bytes)")
    sys.stdout.write("--- stdout\n" + out[:4000] + "\n--- stderr\n" + err[:4000] + "\n")
    if failures:
        print("stdio_check.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
