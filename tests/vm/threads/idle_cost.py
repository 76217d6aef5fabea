#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that a guest waiting for several seconds (sleeping, or in poll, select or epoll_wait with
a timeout and nothing ready) costs the host less than 5% of one core: the CPU time of the runner
and its children (QEMU) over the whole run, boot included, against the wall time.
usage: idle_cost.py UK_RUN IMAGE [CASE]   (CASE defaults to "idle"; the image must print "idle ok")"""
import os, resource, subprocess, sys, time

runner, image = sys.argv[1:3]
case = sys.argv[3] if len(sys.argv) > 3 else "idle"
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.monotonic()
r = subprocess.run([runner, image, "--", case], stdout=subprocess.PIPE, text=True)
wall = time.monotonic() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(r.stdout, end="")
print(f"wall {wall:.2f} s, host CPU {cpu:.3f} s ({100 * cpu / wall:.1f}% of one core)")
sys.exit(0 if r.returncode == 0 and "idle ok" in r.stdout and cpu < 0.05 * wall else 1)
