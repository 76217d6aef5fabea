#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks tests/vm/console/console.c through uk-run.

usage: console_check.py --runner UK_RUN [--runner-arg ARG]... interleave|flood|exit N IMAGE
interleave: stdout and stderr go to one pipe (as `2>&1` does); every line must arrive whole and
each stream's lines in order. flood/exit: stdout must be exactly the N pattern bytes (the crash
report, on stderr, comes after them), and the exit status 139 (flood) or 7 (exit).
"""
import argparse
import re
import subprocess
import sys


def pattern(n):
    chunk = bytes(ord("A") + i % 23 for i in range(65536 + 23))
    out = bytearray()
    done = 0
    step = 1
    while done < n:
        k = min(step % 9000 + 1, n - done)
        offset = done % 23
        out += chunk[offset:offset + k]
        done += k
        step = (step * 31 + 7) & 0xFFFFFFFFFFFFFFFF
    return bytes(out)



def guest_timeout(script_timeout):
    """uk-run's own --timeout, below the script's: a hung guest then prints its hang report (where
    each thread is) and the runner ends it, instead of the script killing everything silently."""
    return ["--timeout", str(max(10, int(script_timeout) - 20))]

def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("mode", choices=["interleave", "flood", "exit"])
    p.add_argument("count", type=int)
    p.add_argument("image")
    p.add_argument("--runner-arg", action="append", default=[])
    p.add_argument("--timeout", type=float, default=280)
    a = p.parse_args()
    argv = [a.runner] + guest_timeout(a.timeout) + a.runner_arg + [a.image, a.mode, str(a.count)]
    failures = []
    if a.mode == "interleave":
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=a.timeout)
        text = r.stdout.decode(errors="replace")
        expected = {"out": 0, "err": 0}
        for number, line in enumerate(text.splitlines(), 1):
            m = re.fullmatch(r"(out|err) (\d+) (o*|e*)", line)
            tag = m.group(1) if m else None
            if m and int(m.group(2)) == expected[tag] and len(m.group(3)) == int(m.group(2)) * 7919 % 3000 \
                    and (m.group(3) == "" or m.group(3)[0] == tag[0]):
                expected[tag] += 1
                continue
            if line.startswith("uk: "):
                continue  # The runtime's own messages.
            failures.append(f"line {number} is torn or out of order: {line[:100]!r}...")
            break
        if expected != {"out": a.count, "err": a.count}:
            failures.append(f"got {expected} whole lines, expected {a.count} of each")
        want_status = 0
    else:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=a.timeout)
        if r.stdout != pattern(a.count):
            failures.append(f"stdout has {len(r.stdout)} bytes, expected the {a.count} pattern bytes")
        text = r.stderr.decode(errors="replace")
        want_status = 139 if a.mode == "flood" else 7
        if a.mode == "flood" and "uk: backtrace:" not in text:
            failures.append("no crash report on stderr")
        sys.stdout.write(text[-3000:])
    if r.returncode != want_status:
        failures.append(f"exit status {r.returncode}, expected {want_status}")
    if failures:
        print("console_check.py: " + "; ".join(failures), file=sys.stderr)
        print("console_check.py: command: " + " ".join(argv), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
