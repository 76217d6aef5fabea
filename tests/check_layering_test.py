#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of tests/check-layering: tiny runtime trees built in a temporary directory, each with
one kind of crossing, must fail with that rule at that file:line; clean trees must pass."""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

CHECKER = Path(__file__).resolve().parent / "check-layering"

# A minimal tree in which every layer includes only what it may.
CLEAN = {
    "lib/types.h": "#pragma once\n",
    "lib/linux/signal.h": '#pragma once\n#include "lib/types.h"\n',
    "arch/arch.h": '#pragma once\n#include "lib/types.h"\n',
    "arch/x86_64/cpu.h": '#pragma once\n#include "arch/arch.h"\n',
    "arch/x86_64/entry.S": '#include "arch/x86_64/cpu.h"\n',
    "mm/frames.h": '#pragma once\n#include "arch/arch.h"\n',
    "sched/thread.h": '#pragma once\n#include "mm/frames.h"\n',
    "drivers/uart.cpp": '#include "sched/thread.h"\nint f() { return 0; }\n',
    "fs/file.h": '#pragma once\n#include "lib/linux/signal.h"\n',
    "net/socket.cpp": '#include "fs/file.h"\n',
    "syscalls/read.cpp": ('#include "fs/file.h"\n#include "net/socket.h"\n'
                          'extern "C" long __uk_sys_read(long, long, long, long, long, long) { return 0; }\n'),
    "net/socket.h": "#pragma once\n",
    "boot/start.cpp": '#include "syscalls/table.h"\n#include "arch/arch.h"\n',
    "syscalls/table.h": "#pragma once\n",
    "host/fakes.cpp": '#include "arch/arch.h"\n#include "boot/start.h"\n',
    "boot/start.h": "#pragma once\n",
    # Comments and strings that mention forbidden things are not code.
    "fs/notes.cpp": ('// Unlike __uk_sys_write, this is plain fs code; asm stays in arch/.\n'
                     '/* #include "syscalls/table.h" */\nconst char* s = "__uk_sys_kill and asm";\n'),
    # Tests may include whatever they test.
    "mm/frames_test.cpp": '#include "mm/frames.h"\n#include "fs/file.h"\n#include "host/fakes.h"\n',
    "host/fakes.h": "#pragma once\n",
}


def run(files, extra=()):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runtime"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        result = subprocess.run([sys.executable, str(CHECKER), "--root", str(root), *extra],
                                capture_output=True, text=True)
        return result.returncode, result.stdout, result.stderr


def with_file(name, text):
    files = dict(CLEAN)
    files[name] = text
    return files


class CheckLayering(unittest.TestCase):
    def assert_violation(self, files, where, rule):
        code, out, err = run(files)
        self.assertEqual(code, 1, out + err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertTrue(lines[0].startswith(f"runtime/{where}: "), lines[0])
        self.assertIn(rule, lines[0])

    def test_clean_tree_passes(self):
        code, out, err = run(CLEAN)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(out, "")
        self.assertIn("0 violations", err)

    def test_upward_include_fails(self):
        self.assert_violation(with_file("mm/frames.h", '#pragma once\n#include "lib/types.h"\n#include "fs/file.h"\n'),
                              "mm/frames.h:3", "mm/ may not include fs/")

    def test_lib_includes_only_lib(self):
        self.assert_violation(with_file("lib/crash.cpp", '#include "arch/arch.h"\n'), "lib/crash.cpp:1",
                              "lib/ may not include arch/")

    def test_sched_may_not_include_drivers(self):
        self.assert_violation(with_file("sched/clock.cpp", '\n#  include "drivers/uart.cpp"\n'), "sched/clock.cpp:2",
                              "sched/ may not include drivers/")

    def test_fs_may_not_include_net(self):
        self.assert_violation(with_file("fs/pipe.cpp", '#include "net/socket.h"\n'), "fs/pipe.cpp:1",
                              "fs/ may not include net/")

    def test_x86_64_headers_stay_in_arch(self):
        self.assert_violation(with_file("boot/start.cpp", '#include "arch/x86_64/cpu.h"\n'), "boot/start.cpp:1",
                              "nothing outside arch/ includes arch/x86_64/")

    def test_runtime_never_includes_host_fakes(self):
        self.assert_violation(with_file("drivers/uart.cpp", '#include "host/fakes.h"\n'), "drivers/uart.cpp:1",
                              "host/ holds test fakes")

    def test_system_call_entry_outside_syscalls_fails(self):
        self.assert_violation(with_file("sched/signal.cpp", 'void f() {\n    __uk_sys_kill(1, 13, 0, 0, 0, 0);\n}\n'),
                              "sched/signal.cpp:2", "__uk_sys_kill outside syscalls/")

    def test_handler_definition_outside_syscalls_fails(self):
        self.assert_violation(with_file("fs/pipe2.cpp", "UK_SYSCALL_HANDLER(pipe2) { return 0; }\n"),
                              "fs/pipe2.cpp:1", "UK_SYSCALL_HANDLER outside syscalls/")

    def test_inline_asm_outside_arch_fails(self):
        self.assert_violation(with_file("sched/idle.cpp", 'void idle() { asm volatile("hlt"); }\n'),
                              "sched/idle.cpp:1", "inline asm belongs in arch/")

    def test_assembly_file_outside_arch_fails(self):
        self.assert_violation(with_file("boot/entry.S", "ret\n"), "boot/entry.S:1", "assembly belongs in arch/")

    def test_unknown_directory_fails(self):
        self.assert_violation(with_file("misc/util.cpp", "int x;\n"), "misc/util.cpp:1", "'misc' is not a layer")

    def test_missing_include_fails(self):
        self.assert_violation(with_file("fs/file.cpp", '#include "fs/nonexistent.h"\n'), "fs/file.cpp:1",
                              "names no file")

    def test_design_exception_passes_only_for_its_file(self):
        code, out, err = run(with_file("arch/x86_64/traps.cpp", '#include "mm/address_space.h"\n')
                             | {"mm/address_space.h": "#pragma once\n"})
        self.assertEqual(code, 0, out + err)
        self.assert_violation(with_file("arch/x86_64/apic.cpp", '#include "mm/address_space.h"\n')
                              | {"mm/address_space.h": "#pragma once\n"},
                              "arch/x86_64/apic.cpp:1", "arch/ may not include mm/")

    # The real allowlist is empty: these tests give the checker an entry on its command line.
    ALLOW = ("--allow", "mm/file_mapping.cpp:fs/inode.h")

    def test_allowlisted_violation_passes_and_is_reported(self):
        files = with_file("mm/file_mapping.cpp", '#include "fs/inode.h"\n') | {"fs/inode.h": "#pragma once\n"}
        code, out, err = run(files, self.ALLOW)
        self.assertEqual(code, 0, out + err)
        self.assertIn("allowed for now: runtime/mm/file_mapping.cpp -> fs/inode.h", err)
        # Without the entry it is a violation.
        code, out, err = run(files)
        self.assertEqual(code, 1, out + err)
        # The same include elsewhere is not allowed.
        files["mm/heap.cpp"] = '#include "fs/inode.h"\n'
        code, out, err = run(files, self.ALLOW)
        self.assertEqual(code, 1, out + err)
        self.assertIn("runtime/mm/heap.cpp:1: #include \"fs/inode.h\"", out)

    def test_fixed_allowlist_entry_is_noted(self):
        code, out, err = run(with_file("mm/file_mapping.cpp", "void f() {}\n"), self.ALLOW)
        self.assertEqual(code, 0, out + err)
        self.assertIn("allowlist entry mm/file_mapping.cpp -> fs/inode.h no longer matches", err)

    def test_empty_tree_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run([sys.executable, str(CHECKER), "--root", tmp], capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)


if __name__ == "__main__":
    unittest.main()
