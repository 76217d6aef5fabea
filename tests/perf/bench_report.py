# SPDX-License-Identifier: MIT
"""Writes docs/performance.md and its SVG charts (gnuplot) from scripts/bench's results."""
import os
import subprocess

KIB = 1024
MIB = 1024 * 1024


def num(x):
    if x is None:
        return "—"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(s, scale=1.0):
    """median (min–max) of a summary."""
    if not s:
        return "—"
    return f"{num(s['median'] * scale)} ({num(s['min'] * scale)}–{num(s['max'] * scale)})"


def med(s):
    return s["median"] if s else None


def kib(n):
    return f"{n / KIB:,.1f} KiB" if n is not None else "—"


def size_text(n):
    if n is None:
        return "—"
    return f"{n / MIB:,.1f} MiB" if n >= 4 * MIB else f"{n / KIB:,.1f} KiB"


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def bar_chart(svg_dir, name, title, ylabel, categories, series, value, log=False):
    """A grouped bar chart with min–max error bars; value(category, series) -> summary or None.
    Returns the markdown image line, or a note when gnuplot is missing."""
    os.makedirs(svg_dir, exist_ok=True)
    data_path = os.path.join(svg_dir, name + ".dat")
    with open(data_path, "w") as f:
        for c in categories:
            row = ['"' + c.replace('"', "'") + '"']
            for s in series:
                v = value(c, s)
                row += [f"{v['median']:.6g} {v['min']:.6g} {v['max']:.6g}" if v else "? ? ?"]
            f.write(" ".join(row) + "\n")
    svg = os.path.join(svg_dir, name + ".svg")
    plots = []
    for i, s in enumerate(series):
        base = 2 + 3 * i
        plots.append(f"'{data_path}' using {base}:{base + 1}:{base + 2}:xtic(1) title \"{s}\"")
    script = f"""
set terminal svg size 960,440 dynamic font "sans,12" background rgb "white"
set output '{svg}'
set datafile missing "?"
set title "{title}"
set ylabel "{ylabel}"
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border rgb "black"
set key outside right top
set grid ytics
set xtics rotate by -25 noenhanced
set yrange [{'*' if log else '0'}:*]
{'set logscale y' if log else ''}
plot {', '.join(plots)}
"""
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True, stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError) as e:
        detail = getattr(e, "stderr", b"") or b""
        return f"*(chart {name}.svg not drawn: gnuplot failed or is missing — apt-get install gnuplot-nox; {detail.decode(errors='replace')[-200:]})*\n"
    finally:
        os.unlink(data_path)
    return f"![{title}](performance/{name}.svg)\n"


def machine_text(m):
    return (f"{m['cpu']}, {m['cores']} cores; {m['qemu']}; accelerator **{m['accel'].upper()}** "
            f"(/dev/kvm {m['kvm']}); host kernel {m['host_kernel']}"
            + (f"; Linux VM kernel Debian {m['linux_vm_kernel']}" if m.get("linux_vm_kernel") else "")
            + f"; measured {m['date']}")


def section_header(r, name):
    if name not in r:
        return None
    f = r[name]
    if name == "sizes":
        return f"*Sizes are measured once (they do not vary between runs). Machine: {machine_text(f['machine'])}.*\n\n"
    load = f.get("load")
    load_text = (f"Host load average (1 min) during the rounds: {num(load['median'])} "
                 f"({num(load['min'])}–{num(load['max'])}) on {f['machine']['cores']} cores. ") if load else ""
    return (f"*{f['runs']} runs per variant, interleaved in shuffled order; median (min–max). {load_text}"
            f"{'QUICK RUN (--quick): fewer runs and variants. ' if f.get('quick') else ''}"
            f"Took {f['seconds']:.0f} s. Machine: {machine_text(f['machine'])}.*\n\n")


def goals(r):
    rows = []

    def row(goal, measured, ok, note=""):
        rows.append((goal, measured, "yes" if ok else ("no" if ok is not None else "—"), note))

    boot = r.get("boot", {}).get("variants", {})
    floor = med(boot.get("floor", {}).get("microvm", {}).get("ms"))
    ukrun = med(boot.get("hello uk-run", {}).get("microvm", {}).get("ms"))
    raw = med(boot.get("hello raw", {}).get("microvm", {}).get("ms"))
    q = ratio(ukrun, floor)
    row("`uk-run hello` whole process ≤ 1.15× the raw-QEMU floor (microvm)",
        f"{num(q)}× ({num(ukrun)} ms vs floor {num(floor)} ms; raw QEMU hello {num(ratio(raw, floor))}×)" if q else "—",
        q <= 1.15 if q else None)
    main = med(boot.get("hello main", {}).get("microvm", {}).get("main_ms"))
    row("guest entry → `main` ≤ 1 ms (hello, microvm, TCG)", f"{num(main)} ms" if main else "—",
        main <= 1.0 if main else None)
    sizes = r.get("sizes", {}).get("uksdk", {})
    for sample, goal in (("hello", 64 * KIB), ("hello-cpp", 512 * KIB), ("httpd", MIB)):
        s = sizes.get(sample, {}).get("stripped")
        row(f"{sample} ≤ {size_text(goal)} stripped", size_text(s), s <= goal if s else None)
    mem = r.get("memory", {})
    h = mem.get("httpd", {}).get("min_mib")
    row("httpd serving in ≤ 16 MiB of guest RAM", f"{h} MiB" if h else "—", h <= 16 if h else None)
    h = mem.get("hello", {}).get("min_mib")
    row("hello in ≤ 4 MiB of guest RAM", f"{h} MiB" if h else "—", h <= 4 if h else None)
    micro = r.get("micro", {}).get("data", {})
    uk, vm = micro.get("uksdk", {}), micro.get("Linux VM", {})
    q = ratio(med(vm.get("getpid")), med(uk.get("getpid")))
    row("getpid-class calls ≥ 20× cheaper than the Linux VM", f"getpid {num(q)}× cheaper" if q else "—",
        q >= 20 if q else None)
    worse = [n for n in r.get("micro", {}).get("names", []) if med(uk.get(n)) and med(vm.get(n)) and med(uk.get(n)) > med(vm.get(n))]
    if uk and vm:
        row("no call in the list slower than in the Linux VM",
            "slower: " + ", ".join(f"{n} ({num(ratio(med(uk[n]), med(vm[n])))}×)" for n in worse) if worse else "none slower",
            not worse)
    q = ratio(med(vm.get("pthread_create_join")), 1)
    u = med(uk.get("pthread_create_join"))
    row("pthread_create+join ≤ 40 µs (DESIGN.md §7)", f"{num(u / 1000)} µs" if u else "—", u <= 40000 if u else None)
    http = r.get("http", {}).get("data", {})
    for config, net, suffix in [(c, n, x) for n, x in (("user networking", ""), ("tap", " tap"))
                                for c in r.get("http", {}).get("configs", [])]:
        a = http.get("uksdk" + suffix, {}).get(config, {})
        b = http.get("Linux VM" + suffix, {}).get(config, {})
        if not a or not b:
            continue
        q = ratio(med(a.get("rps")), med(b.get("rps")))
        p_ok = med(a.get("p99_ms")) <= med(b.get("p99_ms")) if med(a.get("p99_ms")) and med(b.get("p99_ms")) else None
        row(f"HTTP ≥ 3× the Linux VM's req/s, p99 no worse ({config}, {net})",
            f"{num(q)}× ({num(med(a.get('rps')))} vs {num(med(b.get('rps')))} req/s); p99 {num(med(a.get('p99_ms')))} vs {num(med(b.get('p99_ms')))} ms" if q else "—",
            (q >= 3 and bool(p_ok)) if q else None)
    return table(("goal (issue 12)", "measured", "met"), [r_[:3] for r_ in rows])


def boot_section(r, svg_dir):
    f = r["boot"]
    v = f["variants"]
    machines = f["machines"]
    order = ["floor", "hello raw", "hello uk-run", "hello-cpp raw", "hello-cpp uk-run", "httpd raw", "httpd uk-run",
             "Linux VM hello", "Linux VM httpd"]
    what = {
        "floor": "do-nothing PVH kernel, uk-run's QEMU command",
        "hello raw": "samples/hello, the QEMU command uk-run runs",
        "hello uk-run": "samples/hello through uk-run",
        "hello-cpp raw": "samples/hello-cpp, raw QEMU command",
        "hello-cpp uk-run": "samples/hello-cpp through uk-run",
        "httpd raw": "samples/httpd, raw QEMU command (-p): spawn → first 200 / → exit after POST /api/shutdown",
        "httpd uk-run": "samples/httpd through `uk-run -p`: spawn → first 200 / → exit after shutdown",
        "Linux VM hello": "Debian kernel (PVH vmlinux) + static musl hello as init's child, power-off by isa-debug-exit",
        "Linux VM httpd": "Debian kernel + static glibc httpd, virtio-net modules, user networking",
    }
    out = [section_header(r, "boot")]
    out.append("Whole process: wall time from spawning the command to its exit, seen by the benchmark's "
               "Python harness (QEMU's start-up, firmware, the guest's boot, the program, power-off; the "
               "harness's own spawn cost is the same for every variant). *Entry → main*: the "
               "guest's own CLOCK_MONOTONIC read first thing in `main` (`tests/perf/main_clock.c`, linked "
               "with `-Wl,--wrap=main`): on uksdk it counts from the image's first instruction; on Linux from "
               "the kernel's timekeeping start, a little after its first instruction. For httpd, *first "
               "response* is the time until `GET /` first answers 200 through the forwarded port.\n")
    for m in machines:
        rows = []
        floor = med(v.get("floor", {}).get(m, {}).get("ms"))
        for name in order:
            e = v.get(name, {}).get(m)
            if not e:
                continue
            # Entry → main comes from the same program with main wrapped, booted by uk-run.
            main = e.get("main_ms") or v.get(name.replace(" uk-run", " main"), {}).get(m, {}).get("main_ms") if name.endswith(" uk-run") or name.startswith("Linux") else None
            rows.append((name, what[name], cell(e.get("ms")), num(ratio(med(e.get("ms")), floor)) + "×" if med(e.get("ms")) and floor else "—",
                         cell(main), cell(e.get("first_ms"))))
        out.append(f"\n**{m}** (ms)\n\n")
        out.append(table(("variant", "what", "whole process", "× floor", "entry → main", "first response"), rows))
    cats = [n for n in order if any(m in v.get(n, {}) and v[n][m].get("ms") for m in machines)]
    out.append("\n" + bar_chart(svg_dir, "boot", "Boot and exit, whole process (TCG)", "ms (log)", cats, machines,
                                lambda c, s: v.get(c, {}).get(s, {}).get("ms"), log=True))
    cats = [n for n in ("hello main", "hello-cpp main", "httpd main", "Linux VM hello") if n in v]
    out.append("\n" + bar_chart(svg_dir, "boot-main", "Guest clock at main (TCG)", "ms (log)", cats, machines,
                                lambda c, s: v.get(c, {}).get(s, {}).get("main_ms"), log=True))
    return "".join(out)


def imagesize_section(r, svg_dir):
    f = r["imagesize"]
    out = [section_header(r, "imagesize")]
    out.append("The same program (samples/hello with main wrapped) with 0, 1, 10 and 100 MB of random bytes "
               "sealed in by `uksdk_embed_directory` (unpacked into the ramfs at boot), booted by uk-run on "
               "microvm; the Linux VM boots the same program with the same payload in its initramfs "
               "(uncompressed cpio, unpacked by the kernel). Image = the ELF for uksdk, vmlinuz + initramfs "
               "for Linux.\n\n")
    rows = []
    for mb in f["payloads"]:
        for who in ("uksdk", "Linux VM"):
            e = f["data"].get(who, {}).get(str(mb))
            if e:
                rows.append((f"{mb} MB", who, size_text(e["image_bytes"]), cell(e["ms"]), cell(e["main_ms"])))
    out.append(table(("payload", "who", "image", "whole process (ms)", "entry → main (ms)"), rows))
    out.append("\n" + bar_chart(svg_dir, "imagesize", "Boot time against image size (microvm, TCG)", "ms (log)",
                                [f"{mb} MB" for mb in f["payloads"]], ["uksdk", "Linux VM"],
                                lambda c, s: f["data"].get(s, {}).get(c.split()[0], {}).get("ms"), log=True))
    return "".join(out)


def sizes_section(r, svg_dir):
    f = r["sizes"]
    out = [section_header(r, "sizes")]
    goals_ = {"hello": 64 * KIB, "hello-cpp": 512 * KIB, "httpd": MIB}
    rows = []
    for name, e in f["uksdk"].items():
        rows.append((name, f"{e['bytes']:,}", f"{e['stripped']:,}", size_text(e["stripped"]),
                     size_text(goals_.get(name)) if name in goals_ else ""))
    out.append("uksdk images (MinSizeRel, as `scripts/demo` builds the samples; the SDK's libraries carry "
               "debug information, so the stripped size is what shipping costs):\n\n")
    out.append(table(("image", "bytes", "stripped bytes", "stripped", "goal"), rows))
    libs = sorted({lib for e in f["uksdk"].values() for lib in e.get("libraries", {})})
    if libs:
        out.append("\nWhere the bytes go: allocated input sections per library, from each sample's link map "
                   "(`-Wl,-Map`; sums of section sizes, before alignment padding and ELF headers):\n\n")
        rows = []
        for lib in sorted(libs, key=lambda l: -max(e.get("libraries", {}).get(l, 0) for e in f["uksdk"].values())):
            rows.append([lib] + [kib(f["uksdk"][s].get("libraries", {}).get(lib)) if f["uksdk"][s].get("libraries", {}).get(lib) else "—"
                                 for s in ("hello", "hello-cpp", "httpd")])
        rows.append(["**total**"] + [kib(sum(f["uksdk"][s].get("libraries", {}).values())) for s in ("hello", "hello-cpp", "httpd")])
        out.append(table(("library", "hello", "hello-cpp", "httpd"), rows))
    out.append("\nThe same sources built for Linux (stripped), and the Linux VM:\n\n")
    out.append(table(("Linux", "bytes", "size"), [(k, f"{v:,}", size_text(v)) for k, v in f["linux"].items()]))
    series = {"uksdk hello": f["uksdk"]["hello"]["stripped"], "uksdk hello-cpp": f["uksdk"]["hello-cpp"]["stripped"],
              "uksdk httpd": f["uksdk"]["httpd"]["stripped"],
              "hello static musl": f["linux"].get("hello (static musl)"),
              "hello static glibc": f["linux"].get("hello (static glibc)"),
              "httpd static glibc": f["linux"].get("httpd (static glibc, libstdc++)"),
              "Linux VM vmlinuz+initramfs": f["linux"]["Linux VM kernel (vmlinuz, bzImage)"] + f["linux"]["Linux VM initramfs with hello"]}
    out.append("\n" + bar_chart(svg_dir, "sizes", "Image sizes, stripped", "KiB (log)", list(series), ["size"],
                                lambda c, s: {"median": series[c] / KIB, "min": series[c] / KIB, "max": series[c] / KIB} if series[c] else None,
                                log=True))
    return "".join(out)


def memory_section(r):
    f = r["memory"]
    out = [section_header(r, "memory")]
    out.append("The smallest `-m` (whole MiB) with which each program does its job: hello prints its line and "
               "exits 0; httpd serves `GET /` and `/api/status` through `uk-run -p` and shuts down; the Linux VM "
               "boots the same programs from its initramfs (httpd with the network modules). Found by bisection "
               "between 1 and 512 MiB; the result must then do its job twice more, else the next MiB up is tried "
               "(\"bisection found\" differs when a size worked once but not reliably).\n\n")
    rows = []
    for who, e in f.items():
        if who in ("runs", "machine", "quick", "seconds"):
            continue
        bisected = e.get("bisected_mib")
        rows.append((who, f"{e['min_mib']} MiB" if e.get("min_mib") else e.get("note", "—"),
                     f"{bisected} MiB" if bisected else "—",
                     {True: "yes", False: "**no**"}.get(e.get("confirmed"), "—")))
    out.append(table(("program", "smallest -m", "bisection found", "confirmed"), rows))
    return "".join(out)


def micro_section(r, svg_dir):
    f = r["micro"]
    d = f["data"]
    out = [section_header(r, "micro")]
    out.append("One program, `tests/perf/micro.c`, built for uksdk, statically with musl for the Linux VM, and "
               "for the host with its cc; each benchmark repeats until it has run 40 ms and prints ns per "
               "operation. The uksdk and Linux VM figures are under the same TCG; the host figure is native "
               "(another order of magnitude, shown for scale). *futex* and *epoll* are round trips between two "
               "threads (one vCPU in both VMs; the host has two cores).\n\n")
    rows = []
    for n in f["names"]:
        uk, vm, host = d.get("uksdk", {}).get(n), d.get("Linux VM", {}).get(n), d.get("host", {}).get(n)
        rows.append((n, cell(uk), cell(vm), cell(host), num(ratio(med(vm), med(uk))) + "×" if med(uk) and med(vm) else "—"))
    out.append(table(("ns per operation", "uksdk", "Linux VM", "host process", "Linux VM ÷ uksdk"), rows))
    out.append("\n" + bar_chart(svg_dir, "micro", "In-guest call costs (uksdk and Linux VM under TCG; host native)",
                                "ns per operation (log)", f["names"], ["uksdk", "Linux VM", "host"],
                                lambda c, s: d.get(s, {}).get(c), log=True))
    return "".join(out)


def http_section(r, svg_dir):
    f = r["http"]
    d = f["data"]
    out = [section_header(r, "http")]
    out.append(f"samples/httpd (one thread, edge-triggered epoll) serving `GET /` (its index.html) to `wrk` on "
               f"the host, {f.get('wrk_seconds', '?')} s per run: `keep-alive` reuses connections, `close` sends "
               "`Connection: close` (a TCP connection per request). uksdk through `uk-run -p` and the Linux VM "
               "(Debian kernel, virtio-net, the same source built with static glibc) both through QEMU user "
               "networking with the same listen-backlog library preloaded into QEMU; the host runs the same "
               "source as a process on loopback. *tap* rows: the same guests on tap interfaces (see below).\n\n")
    rows = []
    servers = [w for w in ("uksdk", "Linux VM", "uksdk tap", "Linux VM tap", "host") if w in d]
    for c in f["configs"]:
        for who in servers:
            e = d.get(who, {}).get(c)
            if not e:
                continue
            notes = []
            if e.get("errors"):
                notes.append("socket errors: " + "; ".join(e["errors"]))
            if e.get("non2xx"):
                notes.append(f"{e['non2xx']} non-2xx")
            rows.append((c, who, cell(e["rps"]), cell(e["p99_ms"]), " ".join(notes)))
    out.append(table(("connections", "server", "requests/s", "p99 latency (ms)", ""), rows))
    out.append("\n" + bar_chart(svg_dir, "http", "HTTP requests/s (wrk)", "requests/s (log)", f["configs"],
                                servers, lambda c, s: d.get(s, {}).get(c, {}).get("rps"), log=True))
    out.append(f"\n**tap**: {f.get('tap')}.\n")
    out.append("\n**`close` on tap varies widely for uksdk (a run can drop to a few hundred requests/s)**, and the "
               "cause is on the client's side of the comparison (measured by hand on 2026-11-30 with `ss` and `nstat` "
               "in the benchmark's kind of namespace, not by this script, so these counts are not regenerated). "
               "uksdk's httpd sends its response and its FIN in "
               "two segments (lwIP sends the data at `write`, the FIN at `close`). wrk then often closes before the "
               "FIN arrives, which makes the host the first to close and leaves the TIME_WAIT on the host: 3,809 "
               "of 6,548 connections in one second, measured, against 104 of 975 for the Linux VM (whose FIN "
               "mostly travels with the response, presumably Linux's autocorking). When about 14,000 of them are kept (about half of the host's 28,232 "
               "ephemeral ports; Linux's `connect` tries one parity of them first), wrk spends its time in the kernel's port search (5.1 s of system time in "
               "3 s, with the guest idle), and the runs that follow are slow until the host's TIME_WAITs expire "
               "(60 s). Through user networking QEMU is the client, so this does not happen there. Sending the "
               "FIN with the response is not done yet.\n")
    return "".join(out)


def scale_section(r):
    f = r["scale"]
    d = f["data"]
    out = [section_header(r, "scale")]
    out.append("`tests/perf/scale.c` in one process per run (uksdk: uk-run; Linux VM: its /init's child; host: a "
               "process, files in /dev/shm): N eventfds in one epoll set (cost of `epoll_ctl(ADD)`, then of one "
               "`epoll_wait` that finds the one ready descriptor among N); N files in one directory of the "
               "in-memory file system, created in stages (create, then `stat` and `open`+`close` of random "
               "names at that size; a stage that takes more than its budget ends the figure); N threads "
               "blocked on a condition variable (create cost, memory from /proc/meminfo, wake-and-join); "
               "1,000 idle TCP connections from the host to a server in the guest through user networking "
               "(guest memory in use before and after, from /proc/meminfo).\n\n")
    keys = []
    for who in ("uksdk", "Linux VM", "host", "uksdk conns", "Linux VM conns"):
        keys += [k for k in d.get(who, {}) if k not in keys]
    rows = []
    for k in keys:
        def v(who):
            x = d.get(who, {}).get(k, d.get(who + " conns", {}).get(k))
            if isinstance(x, dict):
                return cell(x)
            if isinstance(x, str):
                return "fails: " + x.replace("_", " ")
            return "—"
        unit = "KiB" if "kib" in k else ("ms" if k.endswith("_ms_per_100") else "ns")
        rows.append((k.replace(" fail", " (failure)"), unit, v("uksdk"), v("Linux VM"), v("host")))
    out.append(table(("figure", "unit", "uksdk", "Linux VM", "host"), rows))
    return "".join(out)


def write(results, output, svg_dir):
    parts = ["<!-- Generated by scripts/bench from its measurements: edit the script, not this file. -->\n",
             "# Performance\n\n",
             "Every figure is measured by `./scripts/bench` (see the README), which builds the benchmark programs "
             "and the baselines itself and writes this page. Compared variants run interleaved, round by round in "
             "a shuffled order, on the same machine in the same run: the absolute numbers drift with the machine's "
             "load, the ratios hold. Baselines: the **floor** (a do-nothing PVH kernel, `tests/perf/floor.S`, on "
             "the QEMU command uk-run runs), a **Linux VM** (Debian's kernel booted through its PVH note, with a "
             "static musl `/init` that runs the same benchmark source, `tests/perf/vminit.c`) and the **host** "
             "(the same source as a Linux process). Rerun one figure with `./scripts/bench --only FIGURE`.\n\n"]
    any_machine = next((f["machine"] for f in results.values() if isinstance(f, dict) and "machine" in f), None)
    if any_machine:
        parts.append(f"Machine: {machine_text(any_machine)}.\n\n")
    parts.append("## Goals\n\n")
    parts.append(goals(results))
    sections = [("boot", "Boot to main and boot+exit", lambda: boot_section(results, svg_dir)),
                ("imagesize", "Boot time against image size", lambda: imagesize_section(results, svg_dir)),
                ("sizes", "Image sizes", lambda: sizes_section(results, svg_dir)),
                ("memory", "Smallest guest RAM", lambda: memory_section(results)),
                ("micro", "In-guest call costs", lambda: micro_section(results, svg_dir)),
                ("http", "HTTP throughput", lambda: http_section(results, svg_dir)),
                ("scale", "Scaling", lambda: scale_section(results))]
    for key, title, render in sections:
        parts.append(f"\n## {title}\n\n")
        parts.append(render() if key in results else f"*Not measured yet: `./scripts/bench --only {key}`.*\n")
    parts.append(NOTES)
    with open(output, "w") as f:
        f.write("".join(parts))


NOTES = """
## What is not measured, and why

- **KVM**: this machine's /dev/kvm is a software-nested KVM without vmx/svm, about 2,000 times
  slower than TCG; every figure here is TCG, for uksdk and the Linux VM alike. Ratios between
  the two VMs are what carries over to other machines, not the absolute times.
- **hello-cpp outside uksdk**: Debian 12's g++ 12 has no `<format>`, so the C++ sample is not built
  for the host or the Linux VM; the Linux VM's boot figures use samples/hello (static musl) and
  samples/httpd (static glibc and libstdc++).
- **epoll with 10,000 descriptors on uksdk**: the runtime's descriptor table has 1,024 entries
  (`k_max_descriptors`), so the figure fails with EMFILE; it is measured at 1,000 for all three.
- **100,000 files**: each stage of the files figure stops after its time budget; where a row says
  *stopped at N files*, the `..._in_100000` figures are taken at N files.
- **Linux VM entry → main** counts from the kernel's timekeeping start, not from its first
  instruction (an underestimate of a few milliseconds at most, next to seconds).
- **Linux VM on q35 and pc**: only hello (httpd on microvm only), to keep the run near 30 minutes.
- **Memory figures on the host** (threads, connections): the host's /proc/meminfo moves with every
  other process on the machine, so they are left out; the VMs' are their own.
"""
