"""tools/bench.py and BENCHMARKS.md: every row comes from a run and names its reference."""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402

SPEC = bench.load_spec()
RUNS = bench.load_runs()
RECORD_CALL = re.compile(r"""record_result\(\s*(f?)"([^"]+)\"""")


def recorded_patterns(notebook: Path) -> list[re.Pattern]:
    """The keys a notebook records, f-string keys as patterns (``f"x_{name}"`` -> ``x_.+``)."""
    source = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
    return [re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(key)) if f else re.escape(key))
            for f, key in RECORD_CALL.findall(source)]


def fake_run(device: str = "cpu") -> dict:
    results = {key: {"value": 0.5, "unit": "fraction", "notebook": "solutions/01_rnn_from_scratch"}
               for key in bench.expected_keys(SPEC)}
    return {"date": "2026-01-01 00:00 UTC", "commit": "abc1234", "total_seconds": 300.0,
            "machine": {"cpu": "Test CPU", "cores": 2, "memory_gb": 24.0, "python": "3.11.7",
                        "torch": "2.13.0", "os": "Linux", "device": device,
                        **({"gpu": "Test GPU"} if device == "cuda" else {})},
            "notebooks": {"solutions/01_rnn_from_scratch": 5.0}, "results": results}


@pytest.mark.parametrize("row", SPEC["rows"], ids=[row["key"] for row in SPEC["rows"]])
def test_every_row_names_its_lab_reference_and_conditions(row):
    assert (ROOT / "solutions" / f"{row['lab']}.ipynb").exists(), row["lab"]
    for field in ("result", "reference", "conditions"):
        assert len(row.get(field, "").split()) >= 2, f"{row['key']}: {field} is missing or too short"


def test_each_row_key_is_recorded_by_its_lab():
    for row in SPEC["rows"]:
        patterns = recorded_patterns(ROOT / "solutions" / f"{row['lab']}.ipynb")
        assert any(p.fullmatch(row["key"]) for p in patterns), \
            f"solutions/{row['lab']}.ipynb never calls record_result({row['key']!r}, ...)"


def test_every_quoted_key_is_recorded_and_every_recorded_key_is_listed():
    patterns = [p for nb in sorted((ROOT / "solutions").glob("[0-9]*.ipynb")) for p in recorded_patterns(nb)]
    expected = bench.expected_keys(SPEC)
    for key in SPEC["quoted"]:
        assert any(p.fullmatch(key) for p in patterns), f"no solution records {key!r}"
    for pattern in patterns:
        assert any(pattern.fullmatch(key) for key in expected), \
            f"a solution records {pattern.pattern!r}, which tools/benchmarks.yml does not list"


def test_the_committed_cpu_run_has_every_result():
    assert "cpu" in RUNS, "benchmarks/cpu.json is missing: run `make bench`"
    assert bench.problems(SPEC, RUNS["cpu"]) == []


def test_benchmarks_md_is_rendered_from_the_runs_not_typed():
    assert (ROOT / "BENCHMARKS.md").read_text() == bench.render(SPEC, RUNS), \
        "BENCHMARKS.md differs from its data: run `python tools/bench.py --render-only`"


def test_missing_and_unknown_results_are_reported():
    run = fake_run()
    del run["results"]["addition_exact"]
    run["results"]["mystery_number"] = {"value": 1.0, "unit": "count", "notebook": "solutions/x"}
    found = bench.problems(SPEC, run)
    assert any("no notebook recorded 'addition_exact'" in p for p in found)
    assert any("solutions/x recorded 'mystery_number'" in p for p in found)


def test_a_reference_quoting_an_unknown_result_names_it():
    spec = copy.deepcopy(SPEC)
    spec["rows"][0]["reference"] = "compare with {no_such_result}"
    with pytest.raises(KeyError, match="no_such_result"):
        bench.render(spec, {"cpu": fake_run()})


def test_a_gpu_run_is_shown_beside_the_cpu_run():
    text = bench.render(SPEC, {"cuda": fake_run("cuda"), "cpu": fake_run()})
    assert text.index("## On CPU") < text.index("## On CUDA GPU: Test GPU")
    assert "No GPU run yet" not in text
    assert "No GPU run yet" in bench.render(SPEC, {"cpu": fake_run()})


def test_rows_quote_results_and_published_numbers():
    text = bench.render(SPEC, {"cpu": fake_run()})
    assert "CNN 94.0%" in text and "GRU 91.0%" in text          # from course_utils.mnist1d_data
    assert "0.167" in text                                     # the adding problem's baseline
    assert "{" not in text, "a placeholder was left unfilled"
    table = [line for line in text.splitlines() if line.startswith("| 0")]
    assert len(table) == len(SPEC["rows"]) and all(line.count(" | ") == 5 for line in table)


@pytest.mark.parametrize("unit, value, shown", [
    ("fraction", 0.9942, "99.42%"), ("fraction", 0.877, "87.7%"), ("count", 32000, "32,000"),
    ("ratio", 9.27, "9.3x"), ("bits/char", 2.154, "2.15 bits/char"), ("MSE", 0.00128, "0.00128"),
    ("RMSE", 27.84, "27.8"), ("RMSE", 19.01, "19.0"), ("MSE", 0.16, "0.160"),
])
def test_numbers_are_shown_in_their_units(unit, value, shown):
    assert bench.show({"value": value, "unit": unit}) == shown
