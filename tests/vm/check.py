#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots an image with uk-run and checks its exit status and output.

usage: check.py --runner UK_RUN [--exit N] [--expect REGEX]... [--reject REGEX]...
                [--count REGEX=N]... [--argv-echo] [--clock-within SECONDS]
                -- [runner options] IMAGE [ARGS...]
--expect/--reject/--count apply to stdout+stderr combined (multiline regexes);
--argv-echo expects the image to print each argument as `argv[i]=<hex>` and checks that every
argument arrived byte for byte; --clock-within expects a line `epoch=SECONDS` within that many
seconds of the host's clock.
"""
import argparse
import os
import re
import subprocess
import sys
import time



def guest_timeout(script_timeout):
    """uk-run's own --timeout, below the script's: a hung guest then prints its hang report (where
    each thread is) and the runner ends it, instead of the script killing everything silently."""
    return ["--timeout", str(max(10, int(script_timeout) - 20))]

def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--exit", type=int, default=0)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--count", action="append", default=[])
    p.add_argument("--argv-echo", action="store_true")
    p.add_argument("--clock-within", type=float)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    argv = [a.runner] + guest_timeout(a.timeout) + command
    started = time.time()
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=a.timeout)
    out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    failures = []
    if r.returncode != a.exit:
        failures.append(f"exit status {r.returncode}, expected {a.exit}")
    for rx in a.expect:
        if not re.search(rx, out, re.M):
            failures.append(f"output does not match: {rx}")
    for rx in a.reject:
        if re.search(rx, out, re.M):
            failures.append(f"output must not match: {rx}")
    for spec in a.count:
        rx, n = spec.rsplit("=", 1)
        found = len(re.findall(rx, out, re.M))
        if found != int(n):
            failures.append(f"{rx!r} matched {found} times, expected {n}")
    if a.argv_echo:
        # Program arguments are what follows the image (and an optional --).
        i = next(k for k, x in enumerate(command) if not x.startswith("-") and os.path.exists(x))
        args = command[i + 1:]
        if args[:1] == ["--"]:
            args = args[1:]
        expected = [f"argc={len(args) + 1}"] + [f"argv[{k + 1}]={os.fsencode(x).hex()}" for k, x in enumerate(args)]
        for line in expected:
            if line not in out.splitlines():
                failures.append(f"missing line: {line[:120]}")
                break
    if a.clock_within is not None:
        m = re.search(r"^epoch=(\d+)", out, re.M)
        if not m:
            failures.append("no epoch= line")
        elif abs(int(m.group(1)) - started) > a.clock_within:
            failures.append(f"guest clock {m.group(1)} differs from host {started:.0f} by more than {a.clock_within} s")
    sys.stdout.write(out)
    if failures:
        print("\ncheck.py: " + "; ".join(failures), file=sys.stderr)
        print("check.py: command: " + " ".join(argv), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
