#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host unit tests of uk-run's pure parts: option parsing (UKSDK_RUN_OPTIONS included), the
network options and the QEMU arguments they make, the guest command-line encoding, the initrd
archive, backtrace-line matching, the terminate message's demangling, how host-port and QEMU
forwarding failures are reported, and the --guestfwd relay (on real sockets).

usage: test_uk_run.py [unittest options]   (UK_RUN=path overrides the runner under test)
"""
import importlib.machinery
import importlib.util
import io
import os
import random
import shutil
import socket
import stat
import subprocess
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
UK_RUN = os.environ.get("UK_RUN") or os.path.join(HERE, "..", "..", "scripts", "uk-run")


def load_runner():
    loader = importlib.machinery.SourceFileLoader("uk_run", UK_RUN)
    spec = importlib.util.spec_from_loader("uk_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


uk = load_runner()
QEMU = os.environ.get("UKSDK_QEMU") or "qemu-system-x86_64"


def parse(*argv, environment=()):
    return uk.parse_args(list(argv), list(environment))


def run_runner(args, env_updates=None, runner=UK_RUN, stdin=b""):
    """Runs uk-run as a program, through its own #! interpreter."""
    env = dict(os.environ)
    env.pop("UKSDK_RUN_OPTIONS", None)
    env.update(env_updates or {})
    return subprocess.run([runner, *args], env=env, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)


def imported_modules(stderr):
    """Module names in the output of python -X importtime."""
    return {line.split("|")[-1].strip() for line in stderr.decode().splitlines()
            if line.startswith("import time:")}


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ParseArgs(unittest.TestCase):
    def test_defaults(self):
        o = parse("img")
        self.assertEqual((o.image, o.args, o.env), ("img", [], []))
        self.assertEqual((o.memory, o.cpus, o.machine, o.accel), ("1G", 1, "microvm", "auto"))
        self.assertEqual((o.timeout, o.timeout_text, o.verbose, o.gdb_port), (600.0, "600", False, None))
        self.assertEqual((o.qemu_args, o.symbolize, o.initrd), ([], True, None))
        self.assertEqual((o.net, o.publish, o.guestfwd), ("none", [], []))

    def test_value_option_forms(self):
        cases = [
            (["-e", "A=1"], "env", ["A=1"]),
            (["-eA=1"], "env", ["A=1"]),
            (["--env", "A=1"], "env", ["A=1"]),
            (["--env=A=b=c"], "env", ["A=b=c"]),
            (["-e", "EMPTY="], "env", ["EMPTY="]),
            (["-m", "2G"], "memory", "2G"),
            (["-m2G"], "memory", "2G"),
            (["--memory", "512M"], "memory", "512M"),
            (["--memory=64M"], "memory", "64M"),
            (["--cpus", "2"], "cpus", 2),
            (["--cpus=3"], "cpus", 3),
            (["--machine", "q35"], "machine", "q35"),
            (["--machine=pc"], "machine", "pc"),
            (["--accel", "tcg"], "accel", "tcg"),
            (["--accel=kvm"], "accel", "kvm"),
            (["--timeout", "2.5"], "timeout", 2.5),
            (["--timeout=0"], "timeout", 0.0),
            (["--qemu-arg", "-S"], "qemu_args", ["-S"]),
            (["--qemu-arg=-cpu", "--qemu-arg", "max"], "qemu_args", ["-cpu", "max"]),
            (["--initrd", "dir"], "initrd", "dir"),
            (["--initrd=a.cpio"], "initrd", "a.cpio"),
            (["-v"], "verbose", True),
            (["--verbose"], "verbose", True),
            (["--gdb"], "gdb_port", 1234),
            (["--gdb=9000"], "gdb_port", 9000),
            (["--no-symbolize"], "symbolize", False),
            (["--no-symbolize", "--symbolize"], "symbolize", True),
            (["-p", "8080:80"], "publish", [("tcp", "127.0.0.1", 8080, 80)]),
            (["-p8080:80/udp"], "publish", [("udp", "127.0.0.1", 8080, 80)]),
            (["--publish=0.0.0.0:1:65535/tcp"], "publish", [("tcp", "0.0.0.0", 1, 65535)]),
            (["--guestfwd", "80:127.0.0.1:8000"], "guestfwd", [(80, "127.0.0.1", 8000)]),
            (["--guestfwd=5432:db.local:15432"], "guestfwd", [(5432, "db.local", 15432)]),
            (["--net", "user"], "net", "user"),
            (["--net=tap=tap0"], "tap", "tap0"),
            (["--net", "tap=tap0", "--ip", "192.168.7.2/24"], "ip", "192.168.7.2/24"),
            (["--net", "tap=tap0", "--ip", "10.1.2.3/8", "--gw=10.0.0.1"], "gw", "10.0.0.1"),
            (["--net", "tap=t", "--ip", "10.1.2.3/8", "--dns", "10.0.0.53"], "dns", "10.0.0.53"),
        ]
        for argv, attr, expected in cases:
            with self.subTest(argv=argv):
                o = parse(*argv, "img", "arg")
                self.assertEqual(getattr(o, attr), expected)
                self.assertEqual((o.image, o.args), ("img", ["arg"]))

    def test_later_value_wins(self):
        o = parse("-m", "1G", "-m", "2G", "--timeout", "5", "--timeout=7", "img")
        self.assertEqual((o.memory, o.timeout_text), ("2G", "7"))

    def test_env_last_value_of_a_key_wins(self):
        self.assertEqual(parse("-e", "A=1", "-e", "B=2", "-e", "A=3", "img").env, ["B=2", "A=3"])

    def test_pass_env_forwards_the_environment_under_the_e_options(self):
        environ = {"FOO": "bar", "A": "host", "UKSDK_RUN": "/x", "LS_COLORS": "di=1", "PATH": "/bin"}
        with mock.patch.dict(os.environ, environ, clear=True):
            self.assertEqual(uk.passed_environment(parse("-e", "A=1", "img")), [])
            o = parse("--pass-env", "-e", "A=1", "img")
            passed = uk.passed_environment(o)
        self.assertEqual(sorted(passed), ["FOO=bar", "PATH=/bin"])
        self.assertEqual(o.env, ["A=1"])

    def test_image_and_program_arguments(self):
        cases = [
            (["img", "-m", "2G"], "img", ["-m", "2G"]),
            (["img", "--", "-x"], "img", ["-x"]),
            (["img", "--", "--", "x"], "img", ["--", "x"]),
            (["img", "x", "--"], "img", ["x", "--"]),
            (["--", "-odd-name", "a"], "-odd-name", ["a"]),
            (["-v", "--", "img"], "img", []),
            (["-"], "-", []),
            (["img", ""], "img", [""]),
        ]
        for argv, image, args in cases:
            with self.subTest(argv=argv):
                o = parse(*argv)
                self.assertEqual((o.image, o.args), (image, args))
        self.assertEqual(parse("img", "-m", "2G").memory, "1G")

    def test_errors(self):
        cases = [
            ([], "missing IMAGE"),
            (["-v"], "missing IMAGE"),
            (["--"], "missing IMAGE"),
            (["-x", "img"], "unknown option '-x'"),
            (["--frobnicate", "img"], "unknown option '--frobnicate'"),
            (["-vx", "img"], "unknown option '-vx'"),
            (["-m"], "--memory needs a value"),
            (["img", "-m"], None),  # after IMAGE: an argument, not an error
            (["--verbose=1", "img"], "--verbose takes no value"),
            (["--no-symbolize=yes", "img"], "takes no value"),
            (["-e", "NOEQUALS", "img"], "--env expects KEY=VALUE"),
            (["-e", "=x", "img"], "--env expects KEY=VALUE"),
            (["-m", "", "img"], "--memory: empty size"),
            (["--cpus", "0", "img"], "--cpus must be 1 to 64"),
            (["--cpus", "65", "img"], "--cpus must be 1 to 64"),
            (["--cpus", "two", "img"], "not a number"),
            (["--machine", "virt", "img"], "--machine must be microvm, q35 or pc"),
            (["--accel", "hvf", "img"], "--accel must be auto, kvm or tcg"),
            (["--timeout", "-1", "img"], "must be a finite number"),
            (["--timeout", "nan", "img"], "must be a finite number"),
            (["--timeout", "inf", "img"], "must be a finite number"),
            (["--gdb=0", "img"], "--gdb: bad port"),
            (["--gdb=70000", "img"], "--gdb: bad port"),
            (["--initrd=", "img"], "--initrd: empty path"),
        ]
        for argv, message in cases:
            with self.subTest(argv=argv):
                if message is None:
                    parse(*argv)
                    continue
                with self.assertRaises(uk.UsageError) as cm:
                    parse(*argv)
                self.assertIn(message, str(cm.exception))

    def test_help(self):
        r = run_runner(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(b"usage: uk-run"))
        for option in (b"--publish", b"--guestfwd", b"--net", b"--ip", b"UKSDK_RUN_OPTIONS"):
            self.assertIn(option, r.stdout)

    def test_dry_run_prints_the_command_without_running_it(self):
        with tempfile.TemporaryDirectory() as d:
            image = os.path.join(d, "img")
            with open(image, "wb") as f:
                f.write(b"\x7fELF")  # Never booted: a dry run only checks that it is an ELF.
            # A QEMU that would fail loudly if it were started.
            r = run_runner(["--dry-run", "--machine", "q35", "-p", f"{free_port()}:80", image, "--", "a b"],
                           {"UKSDK_QEMU": "/nonexistent-qemu"})
            self.assertEqual((r.returncode, r.stderr), (0, b""))
            import shlex
            words = shlex.split(r.stdout.decode())
            qemu = words.index("/nonexistent-qemu")
            self.assertTrue(all("=" in w for w in words[:qemu]))  # Only environment words before it.
            self.assertEqual(words[words.index("-M") + 1], "q35")
            self.assertEqual(words[words.index("-kernel") + 1], image)
            self.assertTrue(words[words.index("-append") + 1].endswith('-- "a b"'))
            self.assertEqual(os.listdir(d), ["img"])

    def test_usage_error_exits_125(self):
        r = run_runner(["--machine", "virt", "img"])
        self.assertEqual(r.returncode, 125)
        self.assertEqual(r.stderr, b"uk-run: --machine must be microvm, q35 or pc, not 'virt'\n"
                                   b"try 'uk-run --help'\n")


class Publish(unittest.TestCase):
    def test_valid(self):
        cases = {
            "8080:80": ("tcp", "127.0.0.1", 8080, 80),
            "8080:80/tcp": ("tcp", "127.0.0.1", 8080, 80),
            "5353:53/udp": ("udp", "127.0.0.1", 5353, 53),
            "0.0.0.0:80:8080": ("tcp", "0.0.0.0", 80, 8080),
            "192.168.1.20:1:65535/udp": ("udp", "192.168.1.20", 1, 65535),
            "10.0.0.1:443:443": ("tcp", "10.0.0.1", 443, 443),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(uk.parse_publish(text), expected)

    def test_invalid(self):
        cases = {
            "": "expects [HOSTIP:]HOSTPORT:GUESTPORT",
            "80": "expects [HOSTIP:]HOSTPORT:GUESTPORT",
            "1:2:3:4": "expects [HOSTIP:]HOSTPORT:GUESTPORT",
            "[::1]:80:80": "expects [HOSTIP:]HOSTPORT:GUESTPORT",
            "8080:80/sctp": "protocol must be tcp or udp",
            "8080:80/": "protocol must be tcp or udp",
            "8080:80/TCP": "protocol must be tcp or udp",
            "0:80": "bad port '0'",
            "8080:0": "bad port '0'",
            "65536:80": "bad port '65536'",
            "http:80": "bad port 'http'",
            "+80:80": "bad port '+80'",
            " 80:80": "bad port ' 80'",
            ":80": "bad port ''",
            "８０:80": "bad port",  # full-width digits are digits to str.isdigit()
            "localhost:80:80": "not an IPv4 address: 'localhost'",
            "1.2.3:80:80": "not an IPv4 address",
            "256.1.1.1:80:80": "not an IPv4 address",
            "01.2.3.4:80:80": "not an IPv4 address",
            ":8080:80": "not an IPv4 address: ''",
        }
        for text, message in cases.items():
            with self.subTest(text=text):
                with self.assertRaises(uk.UsageError) as cm:
                    uk.parse_publish(text)
                self.assertIn(message, str(cm.exception))

    def test_same_host_port_twice(self):
        with self.assertRaises(uk.UsageError) as cm:
            parse("-p", "8080:80", "-p", "127.0.0.1:8080:81", "img")
        self.assertIn("host port 127.0.0.1:8080/tcp given twice", str(cm.exception))
        # Another protocol or another host address is another port.
        o = parse("-p", "8080:80", "-p", "8080:80/udp", "-p", "0.0.0.0:8080:81", "img")
        self.assertEqual(len(o.publish), 3)

    def test_guestfwd(self):
        self.assertEqual(uk.parse_guestfwd("80:127.0.0.1:8000"), (80, "127.0.0.1", 8000))
        self.assertEqual(uk.parse_guestfwd("1:my-host.example:2"), (1, "my-host.example", 2))
        cases = {
            "80:8000": "expects GUESTPORT:HOSTADDR:HOSTPORT",
            "80:a:b:8000": "expects GUESTPORT:HOSTADDR:HOSTPORT",
            "80::8000": "bad host address ''",
            "80:a,b:8000": "bad host address 'a,b'",
            "80:a b:8000": "bad host address",
            "0:host:8000": "bad port '0'",
            "80:host:99999": "bad port '99999'",
        }
        for text, message in cases.items():
            with self.subTest(text=text):
                with self.assertRaises(uk.UsageError) as cm:
                    uk.parse_guestfwd(text)
                self.assertIn(message, str(cm.exception))
        with self.assertRaises(uk.UsageError) as cm:
            parse("--guestfwd", "80:a:1", "--guestfwd", "80:b:2", "img")
        self.assertIn("guest port 80 given twice", str(cm.exception))

    def test_net_and_addresses(self):
        self.assertEqual(uk.parse_net("none"), ("none", None))
        self.assertEqual(uk.parse_net("tap=tap0"), ("tap", "tap0"))
        self.assertEqual(uk.parse_net("tap=a23456789012345"), ("tap", "a23456789012345"))
        for bad in ("tap", "tap=", "tap=a234567890123456", "tap=a/b", "tap=a:b", "tap=a,b",
                    "tap=a b", "tap=..", "bridge=br0", "User", ""):
            with self.subTest(net=bad), self.assertRaises(uk.UsageError):
                uk.parse_net(bad)
        self.assertEqual(uk.parse_ip_prefix("10.0.0.2/08"), "10.0.0.2/8")
        for bad in ("10.0.0.2", "10.0.0.2/", "10.0.0.2/0", "10.0.0.2/33", "10.0.0/24", "x/24"):
            with self.subTest(ip=bad), self.assertRaises(uk.UsageError):
                uk.parse_ip_prefix(bad)


class Network(unittest.TestCase):
    def qemu(self, *argv):
        o = parse(*argv, "img")
        return o, uk.qemu_command(o, "tcg", "CMDLINE", "/tmp/ctl")

    def test_no_network_by_default(self):
        o, cmd = self.qemu()
        self.assertEqual(o.net, "none")
        self.assertNotIn("-netdev", cmd)
        # ACPI off for the virtio console's virtio_mmio.device= entry, not for a network.
        self.assertEqual(cmd[cmd.index("-M") + 1], "microvm,rtc=on,pit=on,acpi=off")
        self.assertEqual(uk.network_runtime_options(o), [])
        o, cmd = self.qemu("--console", "uart")
        self.assertEqual(cmd[cmd.index("-M") + 1], "microvm,rtc=on,pit=on")

    def test_virtio_console(self):
        def after(cmd, word):
            return [cmd[i + 1] for i, w in enumerate(cmd) if w == word]
        for machine, bus in (("microvm", "virtio-serial-device,max_ports=4"),
                             ("q35", "virtio-serial-pci,disable-legacy=on,disable-modern=off,ioeventfd=off,max_ports=4"),
                             ("pc", "virtio-serial-pci,disable-legacy=on,disable-modern=off,ioeventfd=off,max_ports=4")):
            with self.subTest(machine=machine):
                o, cmd = self.qemu("--machine", machine)
                devices = after(cmd, "-device")
                chardevs = after(cmd, "-chardev")
                self.assertIn(bus, devices)
                self.assertIn("virtserialport,chardev=con0,name=uk.stdin,nr=1", devices)
                self.assertIn("virtserialport,chardev=ukout,name=uk.stdout,nr=2", devices)
                self.assertIn("virtserialport,chardev=ukerr,name=uk.stderr,nr=3", devices)
                self.assertIn("stdio,id=con0,signal=off", chardevs)
                self.assertIn("file,id=ukout,path=/dev/fd/1", chardevs)
                self.assertIn("file,id=ukerr,path=/dev/fd/3", chardevs)
                # COM1 keeps stdout (for a guest without the driver) but not stdin.
                self.assertEqual(after(cmd, "-serial"), ["chardev:com1"])
                self.assertIn("file,id=com1,path=/dev/fd/1", chardevs)
                self.assertEqual("virtio-mmio.force-legacy=false" in after(cmd, "-global"),
                                 machine == "microvm")
        o, cmd = self.qemu("--console", "uart")
        self.assertEqual(after(cmd, "-serial"), ["chardev:con0"])
        self.assertFalse(any(d.startswith("virtserialport") for d in after(cmd, "-device")))
        self.assertNotIn("-global", cmd)
        with self.assertRaises(uk.UsageError):
            parse("--console", "vga", "img")

    def test_several_cpus_run_multithreaded_tcg(self):
        # One vCPU: the command line as before; several: one host thread each, asked for.
        o, cmd = self.qemu()
        self.assertEqual(cmd[cmd.index("-accel") + 1], "tcg")
        self.assertEqual(cmd[cmd.index("-smp") + 1], "1")
        o, cmd = self.qemu("--cpus", "4")
        self.assertEqual(cmd[cmd.index("-accel") + 1], "tcg,thread=multi")
        self.assertEqual(cmd[cmd.index("-smp") + 1], "4")
        self.assertEqual(uk.qemu_command(o, "kvm", "CMDLINE", "/tmp/ctl")[4], "kvm")

    def test_publish_implies_user_networking(self):
        for argv in (["-p", "8080:80"], ["--guestfwd", "80:127.0.0.1:8000"], ["--net", "user"]):
            with self.subTest(argv=argv):
                self.assertEqual(parse(*argv, "img").net, "user")

    def test_user_networking_on_microvm(self):
        o, cmd = self.qemu("-p", "8080:80", "-p", "0.0.0.0:5353:53/udp",
                           "--guestfwd", "7000:127.0.0.1:17000")
        self.assertEqual(cmd[cmd.index("-M") + 1], "microvm,rtc=on,pit=on,acpi=off")
        self.assertEqual(cmd[cmd.index("-netdev") + 1],
                         "user,id=net0,restrict=on"
                         ",hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80"
                         ",hostfwd=udp:0.0.0.0:5353-10.0.2.15:53"
                         ",guestfwd=tcp:10.0.2.100:7000-cmd:"
                         + uk.guestfwd_relay_command("127.0.0.1", 17000, os.getpid()))
        self.assertEqual(cmd[cmd.index("-netdev") + 2:cmd.index("-netdev") + 4],
                         ["-device", "virtio-net-device,netdev=net0,mac=52:54:00:12:34:56"])
        self.assertEqual(uk.network_runtime_options(o),
                         ["uk.ip=10.0.2.15/24", "uk.gw=10.0.2.2", "uk.dns=10.0.2.3"])

    def test_user_networking_on_pci_machines(self):
        for machine in ("q35", "pc"):
            with self.subTest(machine=machine):
                _, cmd = self.qemu("--machine", machine, "--net", "user")
                self.assertEqual(cmd[cmd.index("-M") + 1], machine)
                self.assertEqual(cmd[cmd.index("-netdev") + 1], "user,id=net0,restrict=on")
                self.assertEqual(cmd[cmd.index("-netdev") + 3],
                                 "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56,"
                                 "disable-legacy=on,disable-modern=off,romfile=")

    def test_tap(self):
        o, cmd = self.qemu("--net", "tap=uk0")
        self.assertEqual(cmd[cmd.index("-netdev") + 1], "tap,id=net0,ifname=uk0,script=no,downscript=no")
        self.assertEqual(uk.network_runtime_options(o), [])  # DHCP
        o, _ = self.qemu("--net", "tap=uk0", "--ip", "192.168.7.2/24", "--gw", "192.168.7.1",
                         "--dns", "192.168.7.53")
        self.assertEqual(uk.network_runtime_options(o),
                         ["uk.ip=192.168.7.2/24", "uk.gw=192.168.7.1", "uk.dns=192.168.7.53"])
        o, _ = self.qemu("--net", "tap=uk0", "--ip", "192.168.7.2/24")
        self.assertEqual(uk.network_runtime_options(o), ["uk.ip=192.168.7.2/24"])

    def test_runtime_options_reach_the_command_line_before_the_arguments(self):
        o = parse("-p", "8080:80", "-e", "A=1", "img", "x")
        line = uk.guest_cmdline(o.image, o.env, o.args, uk.network_runtime_options(o))
        self.assertEqual(line, '"uk.argv0=img" "uk.ip=10.0.2.15/24" "uk.gw=10.0.2.2" '
                               '"uk.dns=10.0.2.3" "A=1" -- "x"')

    def test_conflicts(self):
        cases = [
            (["--net", "none", "-p", "8080:80"], "need user networking, not --net none"),
            (["-p", "8080:80", "--net", "none"], "need user networking, not --net none"),
            (["--net", "none", "--guestfwd", "80:h:1"], "need user networking"),
            (["--net", "tap=t0", "-p", "8080:80"], "not --net tap"),
            (["--ip", "10.0.0.2/24"], "go with --net tap"),
            (["--net", "user", "--ip", "10.0.0.2/24"], "go with --net tap"),
            (["-p", "1:2", "--dns", "10.0.0.3"], "go with --net tap"),
            (["--net", "tap=t0", "--gw", "10.0.0.1"], "need --ip"),
            (["--net", "tap=t0", "--dns", "10.0.0.1"], "need --ip"),
            (["--net", "bridge"], "--net must be none, user or tap=IFNAME"),
        ]
        for argv, message in cases:
            with self.subTest(argv=argv):
                with self.assertRaises(uk.UsageError) as cm:
                    parse(*argv, "img")
                self.assertIn(message, str(cm.exception))

    def test_cli_usage_error_for_net_none_with_publish(self):
        r = run_runner(["--net", "none", "-p", "8080:80", "no-such-image"])
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"--net none", r.stderr)


class Shares(unittest.TestCase):
    """--share, --share-cwd and the 9p devices and runtime options they make."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        for name in ("a", "b", "a/inner", "with:colon", "comma,dir"):
            os.makedirs(os.path.join(self.tmp, name), exist_ok=True)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def resolve(self, *argv, cwd=None, environ=None):
        o = parse(*argv, "img")
        with mock.patch.dict(os.environ, environ or {}):
            if cwd is None:
                uk.resolve_shares(o)
            else:
                with mock.patch.object(uk.os, "getcwd", return_value=cwd):
                    uk.resolve_shares(o)
        return o

    def test_parse_share(self):
        self.assertEqual(uk.parse_share("/x"), ("/x", None, False))
        self.assertEqual(uk.parse_share("/x:/y"), ("/x", "/y", False))
        self.assertEqual(uk.parse_share("/x:/y,ro"), ("/x", "/y", True))
        self.assertEqual(uk.parse_share("rel,ro"), ("rel", None, True))
        self.assertEqual(uk.parse_share("/a:b"), ("/a:b", None, False))  # no absolute GUESTDIR
        self.assertEqual(uk.parse_share("/a:b:/g"), ("/a:b", "/g", False))
        with self.assertRaises(uk.UsageError):
            uk.parse_share(":/g")

    def test_defaults_and_paths(self):
        a = os.path.join(self.tmp, "a")
        o = self.resolve("--share", a, "--share", os.path.join(self.tmp, "b") + ":/data/b/,ro")
        self.assertEqual(o.resolved_shares, [(a, a, False), (os.path.join(self.tmp, "b"), "/data/b", True)])
        self.assertIsNone(o.initial_directory)
        self.assertEqual(uk.share_runtime_options(o), [f"uk.mount=uk.share0:{a}", "uk.mount=uk.share1,ro:/data/b"])
        # Relative HOSTDIRs are taken from the working directory.
        with mock.patch.object(uk.os, "getcwd", return_value=self.tmp):
            o = self.resolve("--share", "a:/x")
        self.assertEqual(o.resolved_shares, [(a, "/x", False)])

    def test_qemu_arguments(self):
        comma = os.path.join(self.tmp, "comma,dir")
        for machine, device in (("microvm", "virtio-9p-device,fsdev=ukfs0,mount_tag=uk.share0"),
                                ("q35", "virtio-9p-pci,fsdev=ukfs0,mount_tag=uk.share0,disable-legacy=on,"
                                        "disable-modern=off")):
            with self.subTest(machine=machine):
                o = self.resolve("--machine", machine, "--console", "uart", "--share", comma + ":/c,ro")
                cmd = uk.qemu_command(o, "tcg", "CMDLINE", "/tmp/ctl")
                fsdev = cmd[cmd.index("-fsdev") + 1]
                self.assertEqual(fsdev, f"local,id=ukfs0,path={comma.replace(',', ',,')},security_model=none,"
                                        "multidevs=remap,readonly=on")
                self.assertEqual(cmd[cmd.index("-fsdev") + 3], device)
                if machine == "microvm":
                    # The only virtio device: microvm must still list it on the command line.
                    self.assertEqual(cmd[cmd.index("-M") + 1], "microvm,rtc=on,pit=on,acpi=off")
                    self.assertIn("virtio-mmio.force-legacy=false", cmd)
        o = self.resolve()
        self.assertNotIn("-fsdev", uk.qemu_command(o, "tcg", "CMDLINE", "/tmp/ctl"))

    def test_share_cwd(self):
        a = os.path.join(self.tmp, "a")
        o = self.resolve("--share-cwd", cwd=a)
        self.assertEqual(o.resolved_shares, [(a, a, False)])
        self.assertEqual(o.initial_directory, a)
        self.assertEqual(uk.share_runtime_options(o), [f"uk.mount=uk.share0:{a}", f"uk.cwd={a}"])
        # The opt-outs.
        for value in ("0", "no", "off", "false", "OFF"):
            o = self.resolve("--share-cwd", cwd=a, environ={"UKSDK_SHARE_CWD": value})
            self.assertEqual((o.resolved_shares, o.initial_directory), ([], None))
        o = self.resolve("--share-cwd", "--no-share-cwd", cwd=a)
        self.assertEqual((o.resolved_shares, o.initial_directory), ([], None))
        # From / or the guest's own /proc nothing is shared.
        for cwd in ("/", "/proc/self"):
            o = self.resolve("--share-cwd", cwd=cwd)
            self.assertEqual((o.resolved_shares, o.initial_directory), ([], None))

    def test_share_cwd_inside_a_share(self):
        a, inner = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "a", "inner")
        # Already visible through --share at the same path: one share, the guest starts inside.
        o = self.resolve("--share", a, "--share-cwd", cwd=inner)
        self.assertEqual(o.resolved_shares, [(a, a, False)])
        self.assertEqual(o.initial_directory, inner)
        # A share inside the working directory at its own path is covered by the working
        # directory's share.
        o = self.resolve("--share", inner, "--share-cwd", cwd=a)
        self.assertEqual(o.resolved_shares, [(a, a, False)])
        # Elsewhere in the guest: the working directory cannot be mounted too (shares do not
        # nest); a warning, and the guest starts in /.
        with mock.patch.object(uk, "err") as err:
            o = self.resolve("--share", a + ":" + inner, "--share-cwd", cwd=inner)
        self.assertEqual(o.resolved_shares, [(a, inner, False)])
        self.assertIsNone(o.initial_directory)
        self.assertIn("not shared", err.call_args[0][0])

    def test_errors(self):
        a = os.path.join(self.tmp, "a")
        for argv, message in ((["--share", a + ":/"], "cannot be the guest's /"),
                              (["--share", "/"], "cannot be the guest's /"),
                              (["--share", a + ":/dev/x"], "own /dev or /proc"),
                              (["--share", a + ":/d", "--share", os.path.join(self.tmp, "b") + ":/d/e"],
                               "shares cannot be nested"),
                              (["--share", a + ":/d", "--share", os.path.join(self.tmp, "b") + ":/d"],
                               "shares cannot be nested"),
                              ([arg for i in range(9) for arg in ("--share", f"{a}:/s{i}")], "at most 8"),
                              ([arg for i in range(8) for arg in ("--share", f"{a}:/s{i}")],
                               "at most 7 shared directories")):
            with self.subTest(argv=argv):
                with self.assertRaises(uk.UsageError) as cm:
                    self.resolve(*argv)
                self.assertIn(message, str(cm.exception))
        with self.assertRaises(uk.RunnerError) as cm:
            self.resolve("--share", os.path.join(self.tmp, "missing"))
        self.assertIn("No such file or directory", str(cm.exception))
        with self.assertRaises(uk.RunnerError):
            self.resolve("--share", os.path.join(self.tmp, "a", "..", "..", "etc", "hostname"))
        self.resolve("--machine", "q35", *[arg for i in range(8) for arg in ("--share", f"{a}:/s{i}")])

    def test_from_environment(self):
        a = os.path.join(self.tmp, "a")
        o = parse("--share", "/x:/y", "img", environment=["--share", a, "--share-cwd"])
        self.assertEqual(o.shares, [(a, None, False), ("/x", "/y", False)])
        self.assertTrue(o.share_cwd)


class RunOptions(unittest.TestCase):
    """UKSDK_RUN_OPTIONS: options read before the command line's, which override them."""

    def env_words(self, text):
        with mock.patch.dict(os.environ, {"UKSDK_RUN_OPTIONS": text}):
            return uk.environment_options()

    def test_splitting(self):
        self.assertEqual(self.env_words("-m 1G  --timeout 900"), ["-m", "1G", "--timeout", "900"])
        self.assertEqual(self.env_words("-e 'A=x y' -e B=\"q\\\"\""), ["-e", "A=x y", "-e", 'B=q"'])
        self.assertEqual(self.env_words(""), [])
        self.assertEqual(self.env_words("  \t"), [])
        with mock.patch.dict(os.environ):
            os.environ.pop("UKSDK_RUN_OPTIONS", None)
            self.assertEqual(uk.environment_options(), [])
        with self.assertRaises(uk.UsageError) as cm:
            self.env_words("-e 'A=x")
        self.assertIn("UKSDK_RUN_OPTIONS: No closing quotation", str(cm.exception))

    def test_command_line_wins(self):
        o = parse("-m", "2G", "img", environment=["-m", "1G", "--timeout", "900"])
        self.assertEqual((o.memory, o.timeout), ("2G", 900.0))
        o = parse("img", environment=["-m", "1G"])
        self.assertEqual(o.memory, "1G")
        o = parse("--machine", "q35", "--symbolize", "img",
                  environment=["--machine=pc", "--no-symbolize", "-v", "--cpus", "2"])
        self.assertEqual((o.machine, o.symbolize, o.verbose, o.cpus), ("q35", True, True, 2))

    def test_environment_variables_merge_by_key(self):
        o = parse("-e", "A=3", "img", environment=["-e", "A=1", "-e", "B=2"])
        self.assertEqual(o.env, ["B=2", "A=3"])

    def test_qemu_args_accumulate(self):
        o = parse("--qemu-arg", "-y", "img", environment=["--qemu-arg=-x"])
        self.assertEqual(o.qemu_args, ["-x", "-y"])

    def test_networking_options_replace_the_environment_ones(self):
        o = parse("img", environment=["-p", "8080:80", "--guestfwd", "1:h:2"])
        self.assertEqual((o.net, len(o.publish), len(o.guestfwd)), ("user", 1, 1))
        o = parse("-p", "9090:90", "img", environment=["-p", "8080:80", "--guestfwd", "1:h:2"])
        self.assertEqual((o.publish, o.guestfwd), ([("tcp", "127.0.0.1", 9090, 90)], []))
        # The same port in both places is no duplicate: the command line's replaces it.
        o = parse("-p", "8080:81", "img", environment=["-p", "8080:80"])
        self.assertEqual(o.publish, [("tcp", "127.0.0.1", 8080, 81)])
        o = parse("-p", "8080:80", "img", environment=["--net", "none"])
        self.assertEqual(o.net, "user")
        o = parse("--net", "none", "img", environment=["-p", "8080:80"])
        self.assertEqual((o.net, o.publish), ("none", []))
        o = parse("--net", "user", "img",
                  environment=["--net", "tap=t0", "--ip", "10.0.0.2/24", "--gw", "10.0.0.1"])
        self.assertEqual((o.net, o.ip, o.gw), ("user", None, None))

    def test_errors_name_the_variable(self):
        cases = [
            (["img"], "UKSDK_RUN_OPTIONS may hold only options, not 'img'"),
            (["-m", "1G", "--"], "UKSDK_RUN_OPTIONS may hold only options, not '--'"),
            (["--", "img"], "UKSDK_RUN_OPTIONS may hold only options, not '--'"),
            (["-m"], "UKSDK_RUN_OPTIONS: --memory needs a value"),
            (["--bogus"], "UKSDK_RUN_OPTIONS: unknown option '--bogus'"),
            (["-p", "8080:80", "-p", "8080:81"], "UKSDK_RUN_OPTIONS: -p: host port"),
            (["-h"], "UKSDK_RUN_OPTIONS: --help belongs on the command line"),
        ]
        for environment, message in cases:
            with self.subTest(environment=environment):
                with self.assertRaises(uk.UsageError) as cm:
                    parse("-m", "2G", "img", environment=environment)
                self.assertIn(message, str(cm.exception))
        # A value option at the end of the variable does not take the command line's first word.
        with self.assertRaises(uk.UsageError):
            parse("2G", "img", environment=["-m"])

    def test_through_the_runner(self):
        r = run_runner(["-v", "no-such-image"], {"UKSDK_RUN_OPTIONS": "--machine virt"})
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"uk-run: UKSDK_RUN_OPTIONS: --machine must be", r.stderr)
        r = run_runner(["no-such-image"], {"UKSDK_RUN_OPTIONS": "-m 1G"})
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"cannot read image 'no-such-image'", r.stderr)

    def test_lazy_imports(self):
        """The normal path imports nothing slow; shlex and socket only when they are needed."""
        with open(UK_RUN, "rb") as f:
            interpreter = f.readline()[2:].split()
        baseline = imported_modules(subprocess.run(
            [*interpreter, "-X", "importtime", "-c", "pass"], stderr=subprocess.PIPE).stderr)

        def imported(args, env=None):
            r = run_runner(args, dict(env or {}, PYTHONPROFILEIMPORTTIME="1"))
            self.assertEqual(r.returncode, 125, r.stderr)
            return imported_modules(r.stderr) - baseline

        slow = {"re", "subprocess", "argparse", "tempfile", "shlex", "socket", "signal", "enum"}
        self.assertEqual(imported(["no-such-image"]) & slow, set())
        self.assertEqual(imported(["-p", "8080:80", "no-such-image"]) & slow, set())
        self.assertIn("shlex", imported(["no-such-image"], {"UKSDK_RUN_OPTIONS": "-m 1G"}))


class GuestCommandLine(unittest.TestCase):
    def test_quote_token(self):
        cases = [
            (b"", b'""'),
            (b"plain", b'"plain"'),
            (b"a b", b'"a b"'),
            (b'say "hi"', b'"say \\"hi\\""'),
            (b"back\\slash", b'"back\\\\slash"'),
            (b"tab\tnl\n", b'"tab\\x09nl\\x0a"'),
            (b"\x00\x1f\x7f\x80\xff", b'"\\x00\\x1f\\x7f\\x80\\xff"'),
            (b"'--' =", b"\"'--' =\""),
            ("é".encode(), b'"\\xc3\\xa9"'),
        ]
        for raw, quoted in cases:
            with self.subTest(raw=raw):
                self.assertEqual(uk.quote_token(raw), quoted)

    def test_guest_cmdline(self):
        self.assertEqual(uk.guest_cmdline("/some/dir/app", ["A=1"], ["x y", "", "--"],
                                          ["uk.stdin=framed", "uk.tty="]),
                         '"uk.argv0=app" "uk.stdin=framed" "uk.tty=" "A=1" -- "x y" "" "--"')
        self.assertEqual(uk.guest_cmdline("app", [], []), '"uk.argv0=app" --')
        self.assertEqual(uk.guest_cmdline("app", [], [os.fsdecode(b"\xff\xfe")]),
                         '"uk.argv0=app" -- "\\xff\\xfe"')

    @staticmethod
    def decode(line):
        """The guest's reading of the runner's encoding (docs/runner.md): (entries, arguments)."""
        data = line.encode("ascii")
        tokens, pos = [], 0
        while pos < len(data):
            if data[pos:pos + 1] == b" ":
                pos += 1
            elif data[pos:pos + 2] == b"--" and data[pos + 2:pos + 3] in (b"", b" "):
                tokens.append(None)
                pos += 2
            else:
                assert data[pos:pos + 1] == b'"', line
                pos += 1
                token = bytearray()
                while data[pos:pos + 1] != b'"':
                    c = data[pos:pos + 1]
                    if c == b"\\":
                        if data[pos + 1:pos + 2] == b"x":
                            token.append(int(data[pos + 2:pos + 4], 16))
                            pos += 4
                            continue
                        c = data[pos + 1:pos + 2]
                        pos += 1
                    assert 0x20 <= c[0] < 0x7f, line
                    token += c
                    pos += 1
                tokens.append(bytes(token))
                pos += 1
        split = tokens.index(None)
        return tokens[:split], tokens[split + 1:]

    def test_round_trip(self):
        rng = random.Random(1234)
        for _ in range(300):
            args = [bytes(rng.randrange(256) for _ in range(rng.randrange(12)))
                    for _ in range(rng.randrange(6))]
            env = ["K%d=%s" % (k, os.fsdecode(bytes(rng.randrange(1, 256) for _ in range(5))))
                   for k in range(rng.randrange(3))]
            line = uk.guest_cmdline("app", env, [os.fsdecode(a) for a in args], ["uk.tty=1"])
            self.assertTrue(line.isascii())
            entries, decoded = self.decode(line)
            self.assertEqual(decoded, args)
            self.assertEqual(entries, [b"uk.argv0=app", b"uk.tty=1"] + [os.fsencode(e) for e in env])


class Cpio(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="uk-run-test-")
        self.addCleanup(shutil.rmtree, self.work)
        root = self.root = os.path.join(self.work, "tree")
        os.makedirs(os.path.join(root, "dir", "sub"))
        self.write("dir/file.txt", b"hello\n")
        self.write("dir/sub/big.bin", bytes(range(256)) * 700 + b"odd")
        self.write("empty", b"")
        self.write("z-last", b"z")
        self.write(os.fsdecode(b"name with spaces \xc3\xa9"), b"x")
        os.chmod(os.path.join(root, "dir", "file.txt"), 0o640)
        os.link(os.path.join(root, "dir", "file.txt"), os.path.join(root, "hard"))
        os.symlink("dir/file.txt", os.path.join(root, "link"))
        os.symlink("/nowhere", os.path.join(root, "dangling"))
        os.mkfifo(os.path.join(root, "fifo"))
        with socket.socket(socket.AF_UNIX) as s:  # sockets are skipped
            s.bind(os.path.join(root, "sock"))

    def write(self, name, data):
        with open(os.path.join(self.root, name), "wb") as f:
            f.write(data)

    def archive(self):
        out = io.BytesIO()
        uk.write_cpio(self.root, out)
        return out.getvalue()

    @staticmethod
    def entries(data):
        """Parses a newc archive strictly: [(name, fields, body)] up to the trailer, checking
        magic, 4-byte alignment and that only zero padding follows the trailer."""
        out, pos = [], 0
        while True:
            assert pos % 4 == 0
            header = data[pos:pos + 110]
            assert header[:6] == b"070701", (pos, header[:6])
            fields = [int(header[6 + 8 * k:14 + 8 * k], 16) for k in range(13)]
            names = ("ino", "mode", "uid", "gid", "nlink", "mtime", "size", "devmajor",
                     "devminor", "rdevmajor", "rdevminor", "namesize", "check")
            f = dict(zip(names, fields))
            name_end = pos + 110 + f["namesize"]
            name = data[pos + 110:name_end]
            assert name.endswith(b"\0")
            name = name[:-1]
            body_start = name_end + (-name_end % 4)
            assert data[name_end:body_start] == b"\0" * (body_start - name_end)
            body = data[body_start:body_start + f["size"]]
            assert len(body) == f["size"]
            pos = body_start + f["size"]
            pos += -pos % 4
            if name == b"TRAILER!!!":
                assert data[pos:].strip(b"\0") == b"" and len(data) % 512 == 0
                return out
            out.append((name, f, body))

    def test_structure(self):
        data = self.archive()
        entries = self.entries(data)
        names = [e[0] for e in entries]
        self.assertEqual(names, [b".", b"dangling", b"dir", b"dir/file.txt", b"dir/sub",
                                 b"dir/sub/big.bin", b"empty", b"fifo", b"hard", b"link",
                                 b"name with spaces \xc3\xa9", b"z-last"])
        by_name = {name: (f, body) for name, f, body in entries}
        f, body = by_name[b"dir/file.txt"]
        self.assertEqual((stat.S_IMODE(f["mode"]), f["nlink"], body), (0o640, 2, b"hello\n"))
        self.assertTrue(stat.S_ISREG(f["mode"]))
        hard, hard_body = by_name[b"hard"]
        self.assertEqual((hard["ino"], hard["size"], hard_body), (f["ino"], 0, b""))
        self.assertEqual(by_name[b"dir/sub/big.bin"][1], bytes(range(256)) * 700 + b"odd")
        self.assertTrue(stat.S_ISLNK(by_name[b"link"][0]["mode"]))
        self.assertEqual(by_name[b"link"][1], b"dir/file.txt")
        self.assertEqual(by_name[b"dangling"][1], b"/nowhere")
        self.assertTrue(stat.S_ISFIFO(by_name[b"fifo"][0]["mode"]))
        self.assertTrue(stat.S_ISDIR(by_name[b"dir"][0]["mode"]))
        for name, f, _ in entries:
            self.assertEqual((f["uid"], f["gid"], f["check"]), (0, 0, 0), name)
        inodes = [f["ino"] for name, f, _ in entries if name != b"hard"]
        self.assertEqual(sorted(inodes), list(range(1, len(inodes) + 1)))

    def test_deterministic(self):
        self.assertEqual(self.archive(), self.archive())

    def test_gnu_cpio_reads_it(self):
        data = self.archive()
        listing = subprocess.run(["cpio", "-t", "--quiet"], input=data, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, check=True).stdout.splitlines()
        self.assertEqual(listing, [e[0] for e in self.entries(data)])
        out = os.path.join(self.work, "out")
        os.mkdir(out)
        subprocess.run(["cpio", "-i", "-d", "--quiet", "--no-absolute-filenames"], input=data,
                       cwd=out, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for name in ("dir/file.txt", "hard", "dir/sub/big.bin", "empty", "z-last"):
            with open(os.path.join(self.root, name), "rb") as a, \
                    open(os.path.join(out, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)
        self.assertEqual(os.stat(os.path.join(out, "hard")).st_ino,
                         os.stat(os.path.join(out, "dir", "file.txt")).st_ino)
        self.assertEqual(os.readlink(os.path.join(out, "link")), "dir/file.txt")
        self.assertTrue(stat.S_ISFIFO(os.lstat(os.path.join(out, "fifo")).st_mode))
        self.assertFalse(os.path.lexists(os.path.join(out, "sock")))

    def test_pack_command(self):
        output = os.path.join(self.work, "packed.cpio")
        r = run_runner(["--pack", self.root, output])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(output, "rb") as f:
            self.assertEqual(f.read(), self.archive())
        r = run_runner(["--pack", os.path.join(self.work, "missing"), output])
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"--pack: cannot read", r.stderr)


class Frames(unittest.TestCase):
    FRAMES = [b"#0 0x0000000000203161", b"  #1 0x20307e", b"\t#12 0xABCdef  ", b"#3 0x1\r"]

    def test_parse_frame(self):
        self.assertEqual(uk.parse_frame(b"  #3 0x00ff"), (b"  ", b"3", b"00ff"))
        self.assertEqual(uk.parse_frame(b"#0 0xabc \r"), (b"", b"0", b"abc"))
        self.assertEqual(uk.parse_frame(b"\t#12 0xABCdef"), (b"\t", b"12", b"ABCdef"))
        for line in (b"", b"#", b"#1", b"#1 0x", b"#1 0xzz", b"# 0x1", b"#x 0x1", b"#1  0x1",
                     b"#1 1", b"x #1 0x1", b"#1 0x1 in f", b"#-1 0x1", b"#1 0X1", b"##1 0x1"):
            with self.subTest(line=line):
                self.assertIsNone(uk.parse_frame(line))

    def test_could_become_frame(self):
        for partial in (b"", b"  ", b"#", b"#12", b"#12 ", b"#12 0", b"#12 0x", b"#12 0x1f",
                        b"#12 0x1f  ", b" \t#0 0xA"):
            with self.subTest(partial=partial):
                self.assertTrue(uk.could_become_frame(partial))
        for partial in (b"x", b"#a", b"# ", b"#1 1", b"#1 0y", b"#12 0x1g", b"#1 0x1 i",
                        b"uk: backtrace:", b"  hello"):
            with self.subTest(partial=partial):
                self.assertFalse(uk.could_become_frame(partial))

    def test_every_prefix_of_a_frame_could_become_one(self):
        for line in self.FRAMES:
            self.assertIsNotNone(uk.parse_frame(line), line)
            for k in range(len(line) + 1):
                self.assertTrue(uk.could_become_frame(line[:k]), line[:k])

    def test_random_lines(self):
        """A line parse_frame accepts is never given up early by could_become_frame."""
        rng = random.Random(99)
        alphabet = b"# 0x1aZ\t"
        for _ in range(20000):
            line = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 10)))
            if uk.parse_frame(line) is not None:
                for k in range(len(line) + 1):
                    self.assertTrue(uk.could_become_frame(line[:k]), (line, k))


@unittest.skipUnless(shutil.which(uk.DEMANGLER), f"{uk.DEMANGLER} is not installed")
class TerminateMessage(unittest.TestCase):
    """libc++abi prints the uncaught exception's mangled type name; the runner demangles it."""
    PREFIX = b"terminate called after throwing an instance of '"

    def feed(self, pieces, symbolize=True):
        """What a Console writes for the guest output given in pieces."""
        written = []
        console = uk.Console(object() if symbolize else None, 2)
        with mock.patch.object(uk, "write_all", lambda fd, data: written.append(data)):
            for piece in pieces:
                console.feed(piece)
            console.close()
        return b"".join(written)

    def test_demangled(self):
        for mangled, readable in ((b"NSt3__113runtime_errorE", b"std::runtime_error"),
                                  (b"N12_GLOBAL__N_14OopsE", b"(anonymous namespace)::Oops"),
                                  (b"i", b"int"), (b"PKc", b"char const*"),
                                  (b"NSt3__16vectorIiNS_9allocatorIiEEEE",
                                   b"std::vector<int, std::allocator<int>>")):
            for end in (b"\n", b"\r\n"):
                with self.subTest(mangled=mangled, end=end):
                    self.assertEqual(uk.demangled_terminate_line(self.PREFIX + mangled + b"'" + end),
                                     self.PREFIX + readable + b"'" + end)

    def test_other_lines_are_left_alone(self):
        for line in (b"terminate called without an active exception\n",
                     self.PREFIX + b"std::runtime_error'\n",  # already readable: not a mangled name
                     self.PREFIX + b"'\n", self.PREFIX + b"NSt3__113runtime_errorE\n",
                     self.PREFIX + b"-help'\n", self.PREFIX + b"i j'\n",
                     b"  " + self.PREFIX + b"i'\n", b"hello\n"):
            with self.subTest(line=line):
                self.assertIsNone(uk.demangled_terminate_line(line))

    def test_could_become_terminate_line(self):
        line = self.PREFIX + b"NSt3__113runtime_errorE'"
        for k in range(len(line) + 1):
            self.assertTrue(uk.could_become_terminate_line(line[:k]), line[:k])
        for partial in (b"terminate called without", b"uk: backtrace:", b"x"):
            self.assertFalse(uk.could_become_terminate_line(partial), partial)

    def test_console_demangles_the_line_however_it_arrives(self):
        output = (b"before\n" + self.PREFIX + b"NSt3__113runtime_errorE'\n  what():  boom\n"
                  b"uk: program aborted (SIGABRT)\n")
        expected = (b"before\n" + self.PREFIX + b"std::runtime_error'\n  what():  boom\n"
                    b"uk: program aborted (SIGABRT)\n")
        self.assertEqual(self.feed([output]), expected)
        self.assertEqual(self.feed([output[k:k + 1] for k in range(len(output))]), expected)
        self.assertEqual(self.feed([output[:30], output[30:60], output[60:]]), expected)

    def test_no_symbolize_leaves_the_output_as_printed(self):
        output = self.PREFIX + b"NSt3__113runtime_errorE'\n"
        self.assertEqual(self.feed([output], symbolize=False), output)


class HostPorts(unittest.TestCase):
    def test_free_ports_pass(self):
        uk.check_host_ports([("tcp", "127.0.0.1", free_port(), 80),
                             ("udp", "127.0.0.1", free_port(socket.SOCK_DGRAM), 53)])
        uk.check_host_ports([])

    def assert_refused(self, publish, message):
        with self.assertRaises(uk.RunnerError) as cm:
            uk.check_host_ports(publish)
        self.assertEqual(str(cm.exception), message)

    def test_taken_tcp_port(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            self.assert_refused([("tcp", "127.0.0.1", port, 80)],
                                f"host port 127.0.0.1:{port}/tcp is already in use (-p)")
            self.assert_refused([("tcp", "0.0.0.0", port, 80)],
                                f"host port 0.0.0.0:{port}/tcp is already in use (-p)")

    def test_taken_udp_port(self):
        # A UDP port whose TCP namesake is free too (other tests on a busy host may hold it).
        for _ in range(50):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    try:
                        t.bind(("127.0.0.1", port))
                    except OSError:
                        continue
                self.assert_refused([("udp", "127.0.0.1", port, 53)],
                                    f"host port 127.0.0.1:{port}/udp is already in use (-p)")
                uk.check_host_ports([("tcp", "127.0.0.1", port, 53)])  # TCP's port of that number
                return
        self.fail("no UDP port with a free TCP namesake in 50 tries")

    def test_time_wait_port_is_free(self):
        """A port whose connection is in TIME_WAIT is free to QEMU (SO_REUSEADDR), so here too."""
        with socket.socket() as listener:
            # Set by slirp on its own listening sockets, whose connections this case stands for.
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            client = socket.create_connection(("127.0.0.1", port))
            accepted, _ = listener.accept()
            accepted.close()  # the side that closes first keeps TIME_WAIT on the server port
            client.recv(1)
            client.close()
        uk.check_host_ports([("tcp", "127.0.0.1", port, 80)])

    def test_foreign_address(self):
        self.assert_refused([("tcp", "192.0.2.1", 8080, 80)],
                            "host port 192.0.2.1:8080/tcp: 192.0.2.1 is not an address of this "
                            "host (-p)")


class QemuMessages(unittest.TestCase):
    """QEMU's own forwarding errors become one line of the runner's (QEMU really run)."""

    def feed(self, stderr):
        written = []
        parser = uk.QemuStderr()
        with mock.patch.object(uk, "write_all", lambda fd, data: written.append((fd, data))):
            parser.feed(stderr)
            parser.flush()
        return parser, written

    def qemu_stderr(self, netdev):
        r = subprocess.run([QEMU, "-M", "microvm", "-accel", "tcg", "-display", "none",
                            "-nodefaults", "-no-user-config", "-S", "-netdev", netdev,
                            "-device", "virtio-net-device,netdev=net0"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        return r.stderr

    def test_host_forwarding_failure(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            stderr = self.qemu_stderr(
                f"user,id=net0,restrict=on,hostfwd=udp:127.0.0.1:1-10.0.2.15:1,"
                f"hostfwd=tcp:127.0.0.1:{port}-10.0.2.15:80")
        parser, written = self.feed(stderr)
        self.assertTrue(parser.network_failed)
        self.assertEqual(written, [(2, f"uk-run: host port 127.0.0.1:{port}/tcp is already in "
                                       "use or cannot be bound (-p; QEMU could not forward "
                                       "it)\n".encode())])

    def test_other_messages_pass_through(self):
        parser, written = self.feed(b"qemu-system-x86_64: warning: something\npartial")
        self.assertFalse(parser.network_failed)
        self.assertEqual(written, [(2, b"uk-run: qemu: qemu-system-x86_64: warning: something\n"),
                                   (2, b"uk-run: qemu: partial\n")])


# A stand-in for QEMU: finds the control file on its command line and acts out $FAKE_QEMU.
FAKE_QEMU = r"""#!/bin/sh
for a; do case $a in file,id=ukctl,path=*) ctl=${a#file,id=ukctl,path=};; esac; done
case $FAKE_QEMU in
exit7) echo out; echo err >&3; printf 'exit 7\n' >"$ctl"; exit 15;;
closed-early) printf 'exit 7\n' >"$ctl"; exec >&- 2>&- 3>&- <&-; sleep 0.3; exit 15;;
pipes-outlive) printf 'exit 7\n' >"$ctl"; (sleep 2; echo late) & exit 15;;
stdin) head -c 5; printf 'exit 0\n' >"$ctl"; exit 1;;
esac
exit 99
"""


class GuestfwdRelay(unittest.TestCase):
    """uk-run --guestfwd-relay, which QEMU runs for each guest connection of a --guestfwd rule
    (with the connection as descriptors 0-2), run here on one end of a socket pair."""

    def test_command_survives_qemu_and_shell_quoting(self):
        # QEMU undoubles the commas of a -netdev option; g_shell_parse_argv splits like a POSIX
        # shell, as shlex does.
        import shlex
        for argv0 in (UK_RUN, "/tmp/a b,c'd/uk-run"):
            with self.subTest(argv0=argv0), mock.patch.object(uk.sys, "argv", [argv0]):
                command = uk.guestfwd_relay_command("db.local", 5432, 123)
                self.assertNotIn(",", command.replace(",,", ""))
                self.assertEqual(shlex.split(command.replace(",,", ",")),
                                 [os.path.realpath(uk.sys.executable), "-S", os.path.realpath(argv0),
                                  "--guestfwd-relay", "db.local", "5432", "123"])

    def start_relay(self, port, runner_pid):
        guest, relay_end = socket.socketpair()
        relay = subprocess.Popen([UK_RUN, "--guestfwd-relay", "127.0.0.1", str(port), str(runner_pid)],
                                 stdin=relay_end, stdout=relay_end, stderr=relay_end)
        relay_end.close()
        self.addCleanup(guest.close)
        self.addCleanup(lambda: relay.poll() is None and relay.kill())
        guest.settimeout(30)
        return guest, relay

    def runner_stand_in(self):
        """A process with its own standard error (a file) whose exit the relay watches."""
        log = tempfile.TemporaryFile()
        runner = subprocess.Popen(["sleep", "60"], stderr=log)
        self.addCleanup(lambda: (runner.kill(), runner.wait(), log.close()))
        return runner, log

    def test_copies_both_ways_with_half_close(self):
        import threading
        service = socket.socket()
        service.bind(("127.0.0.1", 0))
        service.listen()
        self.addCleanup(service.close)
        payload = random.Random(5).randbytes(3 << 20)
        got = {}

        def serve():
            conn, _ = service.accept()
            with conn:
                data = bytearray()
                while chunk := conn.recv(1 << 16):
                    data += chunk
                got["service"] = bytes(data)
                conn.sendall(bytes(reversed(data)))  # only after the guest's half-close

        t = threading.Thread(target=serve)
        t.start()
        runner, _ = self.runner_stand_in()
        guest, relay = self.start_relay(service.getsockname()[1], runner.pid)
        guest.sendall(payload)
        guest.shutdown(socket.SHUT_WR)
        back = bytearray()
        while chunk := guest.recv(1 << 16):
            back += chunk
        t.join(30)
        self.assertEqual(got["service"], payload)
        self.assertEqual(bytes(back), bytes(reversed(payload)))
        self.assertEqual(relay.wait(30), 0)

    def test_refused_is_reported_on_the_runners_stderr(self):
        runner, log = self.runner_stand_in()
        port = free_port()
        guest, relay = self.start_relay(port, runner.pid)
        self.assertEqual(guest.recv(100), b"")  # the guest's connection ends, with nothing on it
        self.assertEqual(relay.wait(30), 1)
        log.seek(0)
        self.assertEqual(log.read(), f"uk-run: --guestfwd: cannot connect to the host service 127.0.0.1:{port}: "
                                     "Connection refused (the guest's connection is closed)\n".encode())

    def test_ends_when_the_runner_does(self):
        service = socket.socket()
        service.bind(("127.0.0.1", 0))
        service.listen()
        self.addCleanup(service.close)
        runner, _ = self.runner_stand_in()
        guest, relay = self.start_relay(service.getsockname()[1], runner.pid)
        conn, _ = service.accept()  # a service that never answers nor closes
        self.addCleanup(conn.close)
        guest.sendall(b"x")
        self.assertEqual(conn.recv(1), b"x")
        runner.kill()
        self.assertEqual(relay.wait(30), 0)


class FakeQemu(unittest.TestCase):
    """The run loop against a scripted QEMU: exit status from the control file, output, the end
    of QEMU told by its pid (not by its pipes), and standard input over the virtio console."""

    runner = UK_RUN

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.qemu = os.path.join(self.dir.name, "qemu")
        with open(self.qemu, "w") as f:
            f.write(FAKE_QEMU)
        os.chmod(self.qemu, 0o755)
        self.image = os.path.join(self.dir.name, "img")
        with open(self.image, "wb") as f:
            f.write(b"\x7fELF")

    def tearDown(self):
        self.dir.cleanup()

    def run_fake(self, mode, stdin=b"", args=()):
        return run_runner([*args, self.image], {"UKSDK_QEMU": self.qemu, "FAKE_QEMU": mode},
                          runner=self.runner, stdin=stdin)

    def test_status_and_streams(self):
        r = self.run_fake("exit7")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (7, b"out\n", b"err\n"))

    def test_pipes_closed_before_exit(self):
        r = self.run_fake("closed-early")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (7, b"", b""))

    def test_pipes_outlive_qemu(self):
        """A process QEMU left behind still holds its pipes: uk-run forwards what it writes until
        they close, without spinning once QEMU has been reaped."""
        import resource
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = self.run_fake("pipes-outlive")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.assertEqual((r.returncode, r.stdout), (7, b"late\n"))
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        # Waiting takes a few ms of CPU; a loop spinning for the 2 s gets far more than this
        # even on a loaded machine (0.36 s per second measured at a load of 10 on two cores).
        self.assertLess(cpu, 0.3, "uk-run kept the CPU busy while the pipes stayed open for 2 s")

    def test_virtio_console_input_needs_no_ready_line(self):
        """The fake never writes "input ready": over the virtio console the input (framed, with
        its end) is passed at once."""
        r = self.run_fake("stdin", stdin=b"abc")
        self.assertEqual((r.returncode, r.stdout), (0, b"abc\xffD"))


@unittest.skipUnless(os.environ.get("UKSDK_SDK"), "UKSDK_SDK names no SDK tree")
class InstalledRunner(FakeQemu):
    """The SDK's bin/uk-run: the same runner, run from the bytecode the build wrote, never from
    stale bytecode; and the FakeQemu cases through it (exit status through the stub)."""

    sdk = os.environ.get("UKSDK_SDK", "")
    runner = os.path.join(sdk, "bin", "uk-run")
    module = os.path.join(sdk, "libexec", "uksdk", "uk_run.py")

    def test_module_is_the_runner(self):
        with open(self.module, "rb") as installed, open(UK_RUN, "rb") as source:
            self.assertEqual(installed.read(), source.read())

    def test_runs_from_bytecode(self):
        r = run_runner(["--help"], {"PYTHONVERBOSE": "1"}, runner=self.runner)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(b"usage: uk-run"))
        self.assertRegex(r.stderr.decode(),
                         r"code object from '[^']*/libexec/uksdk/__pycache__/uk_run\.[^']*\.pyc'")

    def test_edited_runner_is_not_run_stale(self):
        copy = os.path.join(self.dir.name, "sdk")
        os.makedirs(os.path.join(copy, "bin"))
        shutil.copy2(self.runner, os.path.join(copy, "bin"))
        shutil.copytree(os.path.dirname(self.module), os.path.join(copy, "libexec", "uksdk"))
        module = os.path.join(copy, "libexec", "uksdk", "uk_run.py")
        with open(module, "rb") as f:
            text = f.read()
        stat_before = os.stat(module)
        with open(module, "wb") as f:
            f.write(text.replace(b"usage: uk-run", b"usage: UK-RUN"))
        # Same size and time as before: only the source's hash tells the bytecode is stale.
        os.utime(module, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns))
        r = run_runner(["--help"], runner=os.path.join(copy, "bin", "uk-run"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(b"usage: UK-RUN"), r.stdout[:40])

    def test_copy_without_the_module_says_so(self):
        lone = os.path.join(self.dir.name, "bin", "uk-run")
        os.makedirs(os.path.dirname(lone))
        shutil.copy2(self.runner, lone)
        r = run_runner([self.image], runner=lone)
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"uk-run: the runner is missing: ", r.stderr)


if __name__ == "__main__":
    unittest.main()
