"""Execute the whole course, record each notebook's time and each lab's headline results,
and write BENCHMARKS.md with every result beside the reference it is compared with.

    python tools/bench.py                 # run every lecture and solution, then write the report
    python tools/bench.py --render-only   # rewrite BENCHMARKS.md from benchmarks/*.json

A run saves its raw data to benchmarks/<device>.json (cpu or cuda): the machine, the date,
the commit, every notebook's wall time and every result the notebooks recorded with
``course_utils.results.record_result``. BENCHMARKS.md is rendered from those files and the
references in tools/benchmarks.yml, so no number in it is typed by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_kernel import CELL_TIMEOUT, KernelDidNotAnswer, NotebookFailed  # noqa: E402
from course_kernel import run_notebook as run_in_kernel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPEC = Path(__file__).resolve().parent / "benchmarks.yml"
RUNS = ROOT / "benchmarks"
REPORT = ROOT / "BENCHMARKS.md"
SCRATCH = ROOT / "build" / "bench"
BUDGET_S = 90.0
DEVICE_NAMES = {"cpu": "CPU", "cuda": "CUDA GPU"}
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


# --- running ----------------------------------------------------------------------------

def notebooks() -> list[Path]:
    return sorted((ROOT / "lectures").glob("[0-9]*.ipynb")) + sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))


def run_notebook(path: Path, results_file: Path, timeout: int):
    """Execute ``path`` in its folder, its results going to ``results_file``; return the wall
    seconds and the kernel's measures (course_kernel.Execution: CPU seconds, peak memory)."""
    nb = nbformat.read(path, as_version=4)
    results_file.unlink(missing_ok=True)
    os.environ["COURSE_RESULTS"] = str(results_file.resolve())   # the kernel inherits it
    start = time.perf_counter()
    try:
        execution = run_in_kernel(nb, path.parent, f"{path.parent.name}/{path.name}",
                                  cell_timeout=timeout)
    finally:
        os.environ.pop("COURSE_RESULTS", None)
    return time.perf_counter() - start, execution


def machine(device: str) -> dict:
    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                      if line.startswith("MemTotal")), 0)
    info = {"cpu": cpu, "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "memory_gb": round(memory_kb / 2**20, 1), "python": platform.python_version(),
            "torch": torch.__version__, "os": platform.platform(terse=True), "device": device}
    if device == "cuda":
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def commit() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_course(device: str, timeout: int) -> dict:
    """Execute every notebook on ``device``; return the run's raw data."""
    os.environ["COURSE_DEVICE"] = device
    SCRATCH.mkdir(parents=True, exist_ok=True)
    run = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit(),
           "machine": machine(device), "notebooks": {}, "kernels": {}, "results": {}}
    start = time.perf_counter()
    for path in notebooks():
        name = f"{path.parent.name}/{path.stem}"
        print(f"running {name} ...", flush=True)
        results_file = SCRATCH / f"{path.parent.name}-{path.stem}.json"
        try:
            seconds, execution = run_notebook(path, results_file, timeout)
        except (NotebookFailed, KernelDidNotAnswer) as error:
            raise SystemExit(f"error: {name} failed, so the benchmark stops:\n{error}") from None
        run["notebooks"][name] = round(seconds, 1)
        if execution.cpu_seconds is not None:      # tools/class_size.py sizes a class from these
            run["kernels"][name] = {"cpu_seconds": round(execution.cpu_seconds, 1),
                                    "peak_rss_mb": round(execution.peak_rss_mb)}
        recorded = json.loads(results_file.read_text()) if results_file.exists() else {}
        for key, result in recorded.items():
            run["results"][key] = {**result, "notebook": name}
        print(f"  {seconds:5.1f} s, {len(recorded)} result(s)", flush=True)
    run["total_seconds"] = round(time.perf_counter() - start, 1)
    return run


# --- reporting --------------------------------------------------------------------------

def load_spec(path: Path = SPEC) -> dict:
    return yaml.safe_load(path.read_text())


def expected_keys(spec: dict) -> set[str]:
    return {row["key"] for row in spec["rows"]} | set(spec.get("quoted", []))


def problems(spec: dict, run: dict) -> list[str]:
    """What is wrong with a run's results against the spec (missing or unknown keys)."""
    recorded = set(run["results"])
    found = [f"no notebook recorded {key!r} (tools/benchmarks.yml expects it)"
             for key in sorted(expected_keys(spec) - recorded)]
    found += [f"{run['results'][key]['notebook']} recorded {key!r}, which tools/benchmarks.yml does not list"
              for key in sorted(recorded - expected_keys(spec))]
    return found


def published() -> dict:
    """Published constants a reference may quote, taken from course_utils (never retyped)."""
    from course_utils.memory_tasks import ADDING_BASELINE_MSE
    from course_utils.mnist1d_data import PUBLISHED_ACCURACY as acc

    return {"published_logistic": {"value": acc["logistic regression"], "unit": "fraction"},
            "published_mlp": {"value": acc["MLP"], "unit": "fraction"},
            "published_cnn": {"value": acc["CNN"], "unit": "fraction"},
            "published_gru": {"value": acc["GRU"], "unit": "fraction"},
            "adding_baseline_theory": {"value": ADDING_BASELINE_MSE, "unit": "MSE"}}


def show(result: dict) -> str:
    """A result as the report prints it: fractions as percentages, units spelled out."""
    value, unit = result["value"], result["unit"]
    if unit == "fraction":
        return f"{100 * value:.2f}%" if value > 0.99 else f"{100 * value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "ratio":
        return f"{value:.1f}x"
    if unit == "seconds":
        return f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.3g} ms"
    if unit in ("bits/char", "nats/char"):
        return f"{value:.2f} {unit}"
    return f"{value:#.3g}"


def fill(text: str, values: dict) -> str:
    def one(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"tools/benchmarks.yml quotes {{{match.group(1)}}}, which no run recorded")
        return show(values[match.group(1)])
    return PLACEHOLDER.sub(one, " ".join(text.split()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_run(spec: dict, run: dict) -> list[str]:
    values = {**published(), **run["results"]}
    m = run["machine"]
    device = DEVICE_NAMES.get(m["device"], m["device"])
    lines = [f"## On {device}{': ' + m['gpu'] if 'gpu' in m else ''}", "",
             f"- **Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory; "
             f"{m['os']}; Python {m['python']}, PyTorch {m['torch']}.",
             f"- **Run:** {run['date']}, commit `{run['commit']}`, device `{m['device']}`.",
             f"- **Whole course:** {len(run['notebooks'])} notebooks executed one after another in "
             f"**{run['total_seconds'] / 60:.1f} min** ({run['total_seconds']:.0f} s, kernel start-ups included).",
             "", "| lab | result | ours | lab's time | reference | reference's conditions |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in spec["rows"]:
        result = run["results"][row["key"]]
        lines.append("| " + " | ".join(_cell(part) for part in (
            row["lab"][:2], fill(row["result"], values), f"**{show(result)}**",
            f"{run['notebooks'][result['notebook']]:.0f} s", fill(row["reference"], values),
            fill(row["conditions"], values))) + " |")
    kernels = run.get("kernels", {})
    lines += ["", "| notebook | wall time | kernel CPU time | within the 90 s budget |",
              "| --- | --- | --- | --- |"]
    for name, seconds in run["notebooks"].items():
        cpu = kernels.get(name, {}).get("cpu_seconds")
        spent = seconds if cpu is None else cpu      # make test counts the kernel's CPU time
        lines.append(f"| `{name}` | {seconds:.1f} s | {'-' if cpu is None else f'{cpu:.1f} s'} | "
                     f"{'yes' if spent <= BUDGET_S else '**no**'} |")
    return lines + [""]


def render(spec: dict, runs: dict[str, dict]) -> str:
    """BENCHMARKS.md for ``runs`` (device name -> run data), CPU first."""
    lines = ["# Benchmarks", "",
             "Written by `make bench` (`tools/bench.py`) from a real run: every notebook in "
             "`lectures/` and `solutions/` executed top to bottom, each lab recording its headline "
             "numbers with `course_utils.results.record_result`. The raw data is in `benchmarks/`, "
             "the references and their conditions in `tools/benchmarks.yml`. Do not edit this "
             "file by hand; run `make bench`.", "",
             "A time is the whole notebook's wall time, data generation and every model in it "
             "included; it grows when other work shares the machine. The 90 s budget is judged, "
             "as `make test` judges it, on the kernel's CPU time (user + sys), which does not. "
             "Notebooks set `torch.set_num_threads(1)`: on 2 cores, one thread was "
             "faster for these small recurrent models.", ""]
    for device in sorted(runs, key=lambda d: (d != "cpu", d)):
        lines += render_run(spec, runs[device])
    if "cuda" not in runs:
        lines += ["No GPU run yet: on a machine with CUDA, `make bench` adds one "
                  "(`benchmarks/cuda.json`) and this file shows both.", ""]
    return "\n".join(lines)


def load_runs(folder: Path = RUNS) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))
            if path.stem in ("cpu", "cuda")}      # class_size.json is tools/class_size.py's


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="where the notebooks train (auto: CUDA when PyTorch sees a GPU)")
    parser.add_argument("--render-only", action="store_true",
                        help="do not run anything; rewrite BENCHMARKS.md from benchmarks/*.json")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    args = parser.parse_args(argv)
    spec = load_spec()
    if not args.render_only:
        import torch

        device = args.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            print("error: --device cuda, but PyTorch sees no GPU", file=sys.stderr)
            return 2
        run = run_course(device, args.timeout)
        found = problems(spec, run)
        for problem in found:
            print(f"error: {problem}", file=sys.stderr)
        if found:
            return 1
        RUNS.mkdir(exist_ok=True)
        (RUNS / f"{device}.json").write_text(json.dumps(run, indent=1) + "\n")
        print(f"whole course: {run['total_seconds']:.0f} s; saved benchmarks/{device}.json")
    runs = load_runs()
    if not runs:
        print("error: no run in benchmarks/; run `make bench`", file=sys.stderr)
        return 2
    REPORT.write_text(render(spec, runs))
    print(f"wrote {REPORT.relative_to(ROOT)} ({', '.join(runs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
