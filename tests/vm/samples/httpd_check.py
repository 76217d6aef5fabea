#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots samples/httpd with a published port and checks it as a client would: static pages,
/api/status, 200 concurrent requests (no connection refused or lost), a 20 MB upload to
/api/echo coming back byte for byte, and /api/shutdown ending the guest with exit status 0.

usage: httpd_check.py --runner UK_RUN IMAGE"""
import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), data


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("--runner", required=True)
    p.add_argument("image")
    a = p.parse_args()
    port = free_port()
    guest = subprocess.Popen([a.runner, "-p", f"{port}:8080", "--timeout", "500", a.image],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = []
    threading.Thread(target=lambda: output.extend(guest.stdout), daemon=True).start()
    failures = []
    deadline = time.monotonic() + 120
    while not any(b"httpd: serving" in line for line in output):
        if guest.poll() is not None or time.monotonic() > deadline:
            failures.append("the server never said it was serving")
            break
        time.sleep(0.05)
    if not failures:
        status, kind, page = request(port, "GET", "/")
        if status != 200 or b"Hello from a unikernel" not in page or not kind.startswith("text/html"):
            failures.append(f"GET / gave {status} {kind}")
        status, _, _ = request(port, "GET", "/missing")
        if status != 404:
            failures.append(f"GET /missing gave {status}")
        status, kind, doc = request(port, "GET", "/api/status")
        if status != 200 or kind != "application/json" or json.loads(doc)["server"] != "uksdk-httpd":
            failures.append(f"GET /api/status gave {status} {kind} {doc[:80]!r}")
        # 200 clients at once, each with its own connection.
        results = []

        def client(i):
            try:
                s, _, body = request(port, "POST", "/api/echo", body=f"client {i}".encode())
                results.append(s == 200 and body == f"client {i}".encode())
            except OSError as e:
                results.append(False)
                print(f"client {i}: {e}", file=sys.stderr)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(200)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"200 concurrent requests: {sum(results)} answered in {time.monotonic() - started:.2f} s")
        if sum(results) != 200:
            failures.append(f"{200 - sum(results)} of 200 concurrent requests failed")
        # A 20 MB upload, echoed.
        upload = os.urandom(20 * 1024 * 1024)
        started = time.monotonic()
        status, _, back = request(port, "POST", "/api/echo", body=upload, timeout=300)
        print(f"20 MB upload echoed in {time.monotonic() - started:.2f} s")
        if status != 200 or hashlib.sha256(back).digest() != hashlib.sha256(upload).digest():
            failures.append(f"the 20 MB echo came back as {status}, {len(back)} bytes, different")
        status, _, _ = request(port, "POST", "/api/shutdown")
        if status != 200:
            failures.append(f"POST /api/shutdown gave {status}")
    try:
        code = guest.wait(timeout=120)
    except subprocess.TimeoutExpired:
        guest.kill()
        code = guest.wait()
    time.sleep(0.2)
    sys.stdout.write(b"".join(output).decode(errors="replace"))
    if code != 0:
        failures.append(f"the guest exited {code}")
    if failures:
        print("httpd_check.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    print("httpd ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
