#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the guest's clock keeps pace with the host's: over 5 s of guest sleep, the guest's
elapsed CLOCK_REALTIME and the host's elapsed time (measured when the lines arrive) agree within 2%.
usage: clock_agreement.py UK_RUN IMAGE"""
import subprocess, sys, time

runner, image = sys.argv[1:3]
p = subprocess.Popen([runner, image, "--", "clock"], stdout=subprocess.PIPE, text=True)
stamps = {}
for line in p.stdout:
    print(line, end="")
    if line.startswith(("t0 ", "t1 ")):
        stamps[line[:2]] = (int(line.split()[1]) / 1e9, time.monotonic())
p.wait(timeout=60)
if p.returncode != 0 or len(stamps) != 2:
    sys.exit(f"guest failed (status {p.returncode})")
guest = stamps["t1"][0] - stamps["t0"][0]
host = stamps["t1"][1] - stamps["t0"][1]
print(f"guest {guest:.3f} s, host {host:.3f} s, ratio {guest / host:.4f}")
sys.exit(0 if abs(guest / host - 1) <= 0.02 else 1)
