"""The class sizing in the README is the rendering of a measured run (tools/class_size.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import class_size  # noqa: E402


def test_the_readme_shows_the_measured_run_not_typed_numbers():
    measured = json.loads((ROOT / "benchmarks" / "class_size.json").read_text())
    readme = (ROOT / "README.md").read_text()
    block = readme.split(class_size.BEGIN, 1)[1].split(class_size.END, 1)[0].strip()
    assert block == class_size.markdown(measured).strip(), "run `make classsize`"
    labs = {p.stem for p in (ROOT / "solutions").glob("[0-9]*.ipynb")}
    assert set(measured["labs"]) == labs, "a lab was added or renamed since: run `make classsize`"
    bench = json.loads((ROOT / "benchmarks" / "cpu.json").read_text())
    assert (measured["bench_date"], measured["bench_commit"]) == (bench["date"], bench["commit"]), \
        "the sizing is from an older make bench: run `make classsize`"
    assert measured["labs"] == {name.split("/", 1)[1]: kernel for name, kernel in
                                bench["kernels"].items() if name.startswith("solutions/")}


def test_students_per_machine_is_the_smaller_of_the_cpu_and_memory_bounds():
    # 2 cores for 120 s = 240 CPU s; 60 s a student -> 4; (24 - 2) GB / 1 GB -> 22
    assert class_size.students_per_machine(2, 24.0, 60.0, 1.0) == \
        {"cores": 2, "ram_gb": 24.0, "by_cpu": 4, "by_memory": 22, "students": 4}
    assert class_size.students_per_machine(64, 24.0, 1.0, 2.0)["students"] == 11
