#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots tests/vm/net/driver.c with a network device and checks the driver from both sides: the
runtime's log line (device, interrupt, MAC, negotiated features, link) and the self-test's report
in the guest, and, on the host, the frames QEMU saw (a filter-dump capture of net0): the guest's
ARP requests and ping, and the answers it received.

usage: check_driver.py --runner UK_RUN --machine M [--interrupt REGEX] [--requests N]
                       [--rxbuf BYTES] [--runner-arg ARG]... IMAGE
--rxbuf makes the receive buffers that small (uk.net.rxbuf): the ping's reply then spans several.
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile

GUEST_MAC = bytes.fromhex("525400123456")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_pcap(path):
    """The frames of a classic libpcap file (what QEMU's filter-dump writes)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    endian = "<" if magic == 0xa1b2c3d4 else ">"
    frames = []
    offset = 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack_from(endian + "IIII", data, offset)
        offset += 16
        frames.append(data[offset:offset + captured])
        offset += captured
    return frames


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("--machine", required=True)
    p.add_argument("--interrupt", default=r"gsi \d+|msi-x|intx gsi \d+")
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--rxbuf", type=int)
    p.add_argument("--runner-arg", action="append", default=[])
    p.add_argument("image")
    a = p.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as work:
        pcap = os.path.join(work, "net0.pcap")
        # -p proves the device also works with a forwarding rule; nothing connects to it.
        argv = [a.runner, "--machine", a.machine, "-p", f"127.0.0.1:{free_port()}:80", "-e", "uk.verbose=1",
                "--qemu-arg", "-object", "--qemu-arg", f"filter-dump,id=dump0,netdev=net0,file={pcap}"]
        if a.rxbuf:
            argv += ["-e", f"uk.net.rxbuf={a.rxbuf}"]
        argv += a.runner_arg + [a.image, str(a.requests)]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=280)
        out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
        sys.stdout.write(out)
        if r.returncode != 0:
            failures.append(f"exit status {r.returncode}")
        location = r"virtio-mmio@0x[0-9a-f]+" if a.machine == "microvm" else r"virtio-pci [0-9a-f]{2}:[0-9a-f]{2}\.\d"
        log = (rf"^uk: virtio-net \({location}, (?:{a.interrupt})\): mac 52:54:00:12:34:56, features mac status"
               rf" mrg_rxbuf( csum)?( guest_csum)? event_idx, link up, \d+ receive buffers of {a.rxbuf or 2048} bytes$")
        if not re.search(log, out, re.M):
            failures.append(f"no log line matching {log}")
        n = a.requests
        report = (rf"^self-test: 0 mac 52:54:00:12:34:56 link up; arp requests {n} replies {n}; ping 1400 bytes"
                  rf" intact; frames sent {n + 1} reclaimed {n + 1}; sleeps \d+$")
        if not re.search(report, out, re.M):
            failures.append(f"no report matching {report}")
        frames = read_pcap(pcap) if os.path.exists(pcap) else []
        sent = [f for f in frames if f[6:12] == GUEST_MAC]
        received = [f for f in frames if f[0:6] == GUEST_MAC]
        arp_requests = [f for f in sent if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01"
                        and f[22:28] == GUEST_MAC and f[28:32] == bytes([10, 0, 2, 15])
                        and f[38:42] == bytes([10, 0, 2, 2])]
        arp_replies = [f for f in received if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02"]
        pings = [f for f in sent if f[12:14] == b"\x08\x00" and len(f) == 14 + 20 + 8 + 1400 and f[23] == 1
                 and f[34] == 8]
        echoes = [f for f in received if f[12:14] == b"\x08\x00" and len(f) >= 14 + 20 + 8 + 1400 and f[34] == 0]
        print(f"check_driver.py: capture: {len(frames)} frames; from the guest {len(arp_requests)} ARP requests,"
              f" {len(pings)} pings; to the guest {len(arp_replies)} ARP replies, {len(echoes)} echo replies")
        if len(arp_requests) != n or len(pings) != 1:
            failures.append(f"the capture shows {len(arp_requests)} ARP requests and {len(pings)} pings from the "
                            f"guest, expected {n} and 1")
        if len(arp_replies) != n or len(echoes) != 1:
            failures.append(f"the capture shows {len(arp_replies)} ARP replies and {len(echoes)} echo replies to "
                            f"the guest, expected {n} and 1")
    if failures:
        print("check_driver.py: " + "; ".join(failures), file=sys.stderr)
        print("check_driver.py: command: " + " ".join(argv), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
