#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The host side of uk-run's networking, with real QEMU and real host sockets (no guest network
is needed): published ports are bound by QEMU on the right host address, a port already in use
is one clear error with exit 125 (caught by uk-run itself, or reported by QEMU), and --guestfwd
puts uk-run's relay in QEMU's command and touches the host service only when the guest connects.

usage: net_ports.py CASE UK_RUN HELLO SPIN
CASE: taken-tcp, taken-udp, taken-by-qemu, listens, guestfwd, guestfwd-not-listening
"""
import os
import signal
import socket
import subprocess
import sys

TIMEOUT = 120  # seconds for anything to happen; generous, only a hang reaches it


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(runner, *args):
    env = dict(os.environ)
    env.pop("UKSDK_RUN_OPTIONS", None)
    r = subprocess.run([runner, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, env=env)
    sys.stdout.write(f"$ uk-run {' '.join(args)}\nexit {r.returncode}\n"
                     f"stdout: {r.stdout!r}\nstderr: {r.stderr!r}\n")
    return r


def expect_one_line_error(r, *lines):
    """Exit 125, no guest output, and stderr is exactly one of `lines`."""
    failures = []
    if r.returncode != 125:
        failures.append(f"exit {r.returncode}, expected 125")
    if r.stdout:
        failures.append("the guest ran")
    if r.stderr.decode() not in [line + "\n" for line in lines]:
        failures.append(f"stderr is not exactly one of {lines!r}")
    return failures


def listening(proto, port):
    """Local addresses ('127.0.0.1') bound to `port` in /proc/net/{tcp,udp} (TCP: LISTEN only)."""
    found = set()
    with open(f"/proc/net/{proto}") as f:
        next(f)
        for line in f:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if int(hex_port, 16) != port or (proto == "tcp" and fields[3] != "0A"):
                continue
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def case_taken(runner, hello, kind, proto):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        if kind == socket.SOCK_STREAM:
            s.listen()
        port = s.getsockname()[1]
        r = run(runner, "-p", f"{port}:80/{proto}", hello)
    return expect_one_line_error(r, f"uk-run: host port 127.0.0.1:{port}/{proto} is already in use (-p)")


def case_taken_by_qemu(runner, hello):
    # Each port is free on its own, so uk-run's check passes; QEMU then binds one of 0.0.0.0:P
    # and 127.0.0.1:P and cannot bind the other beside it (QEMU 7.2 sets the rules up last
    # first): its message must become uk-run's one line.
    port = free_port()
    r = run(runner, "-p", f"0.0.0.0:{port}:80", "-p", f"127.0.0.1:{port}:81", hello)
    return expect_one_line_error(
        r, *(f"uk-run: host port {address}:{port}/tcp is already in use or cannot be bound "
             "(-p; QEMU could not forward it)" for address in ("0.0.0.0", "127.0.0.1")))


def case_listens(runner, spin):
    """While the guest runs, QEMU holds each published port on the requested host address."""
    tcp, udp, public = free_port(), free_port(socket.SOCK_DGRAM), free_port()
    env = dict(os.environ)
    env.pop("UKSDK_RUN_OPTIONS", None)
    process = subprocess.Popen([runner, "-p", f"{tcp}:80", "-p", f"{udp}:53/udp",
                                "-p", f"0.0.0.0:{public}:8080", spin],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    failures = []
    try:
        first = process.stdout.readline()  # "spinning": QEMU set up its network long before
        if first != b"spinning\n":
            failures.append(f"guest printed {first!r}")
        seen = (listening("tcp", tcp), listening("udp", udp), listening("tcp", public))
        print(f"bound: tcp {tcp} {seen[0]}, udp {udp} {seen[1]}, tcp {public} {seen[2]}")
        if seen != ({"127.0.0.1"}, {"127.0.0.1"}, {"0.0.0.0"}):
            failures.append(f"host sockets {seen}")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=TIMEOUT)
        sys.stdout.write(f"exit {process.returncode}\nstderr: {err!r}\n")
    if process.returncode != 128 + signal.SIGTERM:
        failures.append(f"exit {process.returncode} after SIGTERM")
    if any(listening("tcp", p) for p in (tcp, public)) or listening("udp", udp):
        failures.append("ports still bound after the run")
    return failures


def case_guestfwd(runner, hello):
    """--guestfwd connects to the host service only when the guest connects (QEMU runs uk-run's
    relay for each guest connection): hello, which makes none, leaves the service alone."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(1)
        port = server.getsockname()[1]
        r = run(runner, "-v", "--guestfwd", f"8000:127.0.0.1:{port}", hello)
        failures = []
        if r.returncode != 0 or b"Hello from uksdk!" not in r.stdout:
            failures.append(f"exit {r.returncode}")
        if f"guestfwd=tcp:10.0.2.100:8000-cmd:".encode() not in r.stderr \
                or f" --guestfwd-relay 127.0.0.1 {port} ".encode() not in r.stderr:
            failures.append("no guestfwd relay rule in the QEMU command")
        try:
            connection, peer = server.accept()
            connection.close()
            failures.append(f"something connected to the host service from {peer}")
        except socket.timeout:
            pass
    return failures


def case_guestfwd_not_listening(runner, hello):
    """A host service that is not listening is no error until the guest connects to it (then the
    guest's connection ends and uk-run says why: vm.net.inet.guest-client-refused)."""
    port = free_port()
    r = run(runner, "--guestfwd", f"8000:127.0.0.1:{port}", hello)
    sys.stdout.write(f"exit {r.returncode}\nstderr: {r.stderr!r}\n")
    if r.returncode != 0 or b"Hello from uksdk!" not in r.stdout or r.stderr:
        return [f"exit {r.returncode}, stderr {r.stderr!r}"]
    return []


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    case, runner, hello, spin = sys.argv[1:]
    cases = {
        "taken-tcp": lambda: case_taken(runner, hello, socket.SOCK_STREAM, "tcp"),
        "taken-udp": lambda: case_taken(runner, hello, socket.SOCK_DGRAM, "udp"),
        "taken-by-qemu": lambda: case_taken_by_qemu(runner, hello),
        "listens": lambda: case_listens(runner, spin),
        "guestfwd": lambda: case_guestfwd(runner, hello),
        "guestfwd-not-listening": lambda: case_guestfwd_not_listening(runner, hello),
    }
    if case not in cases:
        sys.stderr.write(__doc__)
        return 2
    failures = cases[case]()
    if failures:
        print("net_ports.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    print(f"net_ports.py: {case} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
