"""What a class needs: CPU and memory per active student, and machines for 50 to 1,000 students.

    python tools/class_size.py [--run benchmarks/cpu.json]   # make classsize (after make bench)

Reads, from the latest ``make bench`` run, each lab's solution run top to bottom in the
course's kernel (one student doing the whole lab): the kernel's CPU seconds (user + sys) and
its peak resident memory (VmHWM); measures the resident memory of one idle Jupyter server.
From those it computes, and writes into README's "Teaching a class" (between its class-size
markers) and benchmarks/class_size.json:

* students per machine: the notebooks are single-threaded, so N students starting the longest
  lab at the same moment on C cores finish after about N * cpu_max / C seconds; it stays under
  TARGET_S (two minutes) while N <= C * TARGET_S / cpu_max. Memory allows
  N <= (RAM - RESERVED_GB) / (kernel peak + server). The smaller bound is the answer.
* a Zero to JupyterHub sizing for 50, 200 and 1,000 students, all working at once (the worst
  case of a lab session), on nodes of NODE_CORES cores and NODE_RAM_GB: nodes = ceil(students /
  students per node), with per-user guarantees (a node's cores shared by its students; memory
  above the largest measured need) and limits.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 120            # the longest lab must finish within two minutes
RESERVED_GB = 2.0         # the operating system, the hub and the proxy
MACHINE = (2, 24.0)       # cores, GB: the machine the issue asks about
NODE_CORES, NODE_RAM_GB = 8, 32.0   # a common cloud node (e.g. 8 vCPU, 32 GB)
CLASSES = (50, 200, 1000)
BEGIN, END = "<!-- class-size: begin -->", "<!-- class-size: end -->"


def idle_server_mb() -> float:
    """Resident memory (MiB) of one idle Jupyter server with the course's extensions."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
            "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={ROOT}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2)
                break
            except OSError:
                time.sleep(1)
        time.sleep(2)
        status = Path(f"/proc/{server.pid}/status").read_text()
        return int(next(l for l in status.splitlines() if l.startswith("VmRSS:")).split()[1]) / 1024
    finally:
        server.terminate()
        server.wait(30)


def students_per_machine(cores: int, ram_gb: float, cpu_max: float, student_gb: float) -> dict:
    by_cpu = math.floor(cores * TARGET_S / cpu_max)
    by_memory = math.floor((ram_gb - RESERVED_GB) / student_gb)
    return {"cores": cores, "ram_gb": ram_gb, "by_cpu": by_cpu, "by_memory": by_memory,
            "students": min(by_cpu, by_memory)}


def measure(run: dict) -> dict:
    """The sizing from a bench run's ``kernels`` (see tools/bench.py) and an idle server."""
    labs = {name.split("/", 1)[1]: measures for name, measures in run.get("kernels", {}).items()
            if name.startswith("solutions/")}
    if not labs:
        raise SystemExit("error: the bench run has no kernel measures: run `make bench` first")
    server_mb = idle_server_mb()
    cpu_max = max(v["cpu_seconds"] for v in labs.values())
    student_gb = (max(v["peak_rss_mb"] for v in labs.values()) + server_mb) / 1024
    node = students_per_machine(NODE_CORES, NODE_RAM_GB, cpu_max, student_gb)
    return {
        "bench_date": run["date"], "bench_commit": run["commit"], "labs": labs,
        "server_mb": round(server_mb), "cpu_max": cpu_max, "student_gb": round(student_gb, 2),
        "machine_2x24": students_per_machine(*MACHINE, cpu_max, student_gb),
        "node": node,
        "classes": {n: math.ceil(n / node["students"]) for n in CLASSES},
        # each student's share of a node's cores, and memory above the largest measured need
        "cpu_guarantee": round(NODE_CORES / node["students"], 2),
        "memory_guarantee": f"{math.ceil(student_gb * 4) / 4:g}G",
        "memory_limit": f"{2 * math.ceil(student_gb * 4) / 4:g}G",
    }


def markdown(m: dict) -> str:
    rows = ["| lab | CPU s (user+sys) | peak kernel memory (MiB) |", "|---|---:|---:|"]
    rows += [f"| {lab} | {v['cpu_seconds']:.1f} | {v['peak_rss_mb']} |" for lab, v in m["labs"].items()]
    one, node = m["machine_2x24"], m["node"]
    rows += ["", f"From `make bench` of {m['bench_date']} (commit {m['bench_commit']}). One idle Jupyter server: {m['server_mb']} MiB. One active student: at most "
             f"{m['student_gb']:.2f} GB (largest kernel + server) and {m['cpu_max']:.1f} CPU s for the "
             "longest lab.", "",
             f"A {one['cores']}-core, {one['ram_gb']:.0f} GB machine: {one['by_cpu']} students by CPU "
             f"({one['cores']} x {TARGET_S} s / {m['cpu_max']:.1f} s), {one['by_memory']} by memory "
             f"(({one['ram_gb']:.0f} - {RESERVED_GB:.0f}) GB / {m['student_gb']:.2f} GB): "
             f"**{one['students']} students** running the longest lab at once.", "",
             f"| students working at once | nodes of {NODE_CORES} cores, {NODE_RAM_GB:.0f} GB "
             f"({node['students']} students each) |", "|---:|---:|"]
    rows += [f"| {n} | {nodes} |" for n, nodes in m["classes"].items()]
    rows += ["", "Zero to JupyterHub's `config.yaml` for such nodes:", "", "```yaml", "singleuser:",
             "  image: {name: <registry>/rnn-course, tag: <commit>}", "  defaultUrl: /lab",
             f"  cpu: {{guarantee: {m['cpu_guarantee']}, limit: 1}}      # single-threaded notebooks",
             f"  memory: {{guarantee: {m['memory_guarantee']}, limit: {m['memory_limit']}}}",
             "  extraEnv:                   # nbgitpuller keeps edited notebooks whole",
             '    GIT_CONFIG_COUNT: "1"', "    GIT_CONFIG_KEY_0: core.attributesFile",
             "    GIT_CONFIG_VALUE_0: /srv/conda/envs/notebook/etc/rnn-course.gitattributes", "```"]
    return "\n".join(rows)


def write_readme(m: dict, readme: Path = ROOT / "README.md") -> None:
    """Put :func:`markdown` between README's class-size markers."""
    text = readme.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{markdown(m)}\n{END}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=ROOT / "benchmarks" / "cpu.json",
                        help="the make bench run to read (its CPU run: what a class's hub has)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "class_size.json")
    args = parser.parse_args(argv)
    result = measure(json.loads(args.run.read_text()))
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    write_readme(result)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
