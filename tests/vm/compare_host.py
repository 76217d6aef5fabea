#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a program as a Linux process and as a unikernel and checks that both print the same.

usage: compare_host.py --runner UK_RUN --source FILE.c --image IMAGE [--cc CC] [-- ARGS...]
The source is compiled for the host with CC (default cc) and -pthread; both runs must exit 0 and
their standard output must be identical. This is how the tests hold the runtime to Linux's
behaviour rather than to expectations written down by hand.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--timeout", type=float, default=240,
                   help="seconds each run may take; the guest gets it as uk-run's --timeout, so a hang "
                        "still shows what the guest printed")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    with tempfile.TemporaryDirectory() as tmp:
        host_binary = os.path.join(tmp, "host")
        subprocess.run([a.cc, "-O1", "-pthread", "-o", host_binary, a.source], check=True)
        host = subprocess.run([host_binary] + args, stdout=subprocess.PIPE, timeout=a.timeout)
    guest = subprocess.run([a.runner, "--timeout", str(a.timeout), a.image, "--"] + args, stdout=subprocess.PIPE,
                           timeout=a.timeout + 30)
    print("--- Linux process (exit %d)" % host.returncode)
    sys.stdout.write(host.stdout.decode(errors="replace"))
    print("--- unikernel (exit %d)" % guest.returncode)
    sys.stdout.write(guest.stdout.decode(errors="replace"))
    failures = []
    if host.returncode != 0:
        failures.append(f"the Linux process exited {host.returncode}")
    if guest.returncode != host.returncode:
        failures.append(f"the unikernel exited {guest.returncode}, the Linux process {host.returncode}")
    if guest.stdout != host.stdout:
        failures.append("the outputs differ")
    if failures:
        print("compare_host.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
