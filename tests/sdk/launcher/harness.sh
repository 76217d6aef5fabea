#!/bin/sh
# SPDX-License-Identifier: MIT
# A test harness of the kind real projects have: it runs the program under test itself (here the
# image, as a Linux program) and judges stdout, stderr and the exit status.
set -eu
image=$1
out=$(printf 'line one\nline two\n' | "$image" --cat --stderr on-stderr --exit 7 2>/dev/null) && status=0 || status=$?
err=$("$image" --stderr on-stderr 2>&1 >/dev/null)
[ "$status" = 7 ] || { echo "exit status $status, expected 7"; exit 1; }
case $out in *"sysname=uksdk"*"line one"*"line two"*) ;; *) echo "unexpected stdout: $out"; exit 1 ;; esac
if printf '%s\n' "$out" | grep -qx on-stderr; then echo "stderr leaked into stdout"; exit 1; fi
[ "$err" = on-stderr ] || { echo "unexpected stderr: $err"; exit 1; }
echo "harness ok"
