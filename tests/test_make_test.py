"""`make test` is what CI runs, and it runs each notebook once, on three workers (issue 16)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests._browser import unavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import conftest  # noqa: E402


def _dry_run(*args: str) -> str:
    if shutil.which("make") is None:
        unavailable("make", "install it (sudo apt-get install make)")
    return subprocess.run(["make", "-n", "-o", ".venv/.installed", "-o", "node_modules/.installed",
                           "-o", "chromium", "test", *args], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def test_ci_runs_the_readme_command():
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")
    assert "make test   #" in (ROOT / "README.md").read_text()


def test_each_lecture_runs_once_and_the_tests_run_on_three_workers():
    commands = [line for line in _dry_run().splitlines() if line.strip()]
    assert not any("export_slides.py" in line for line in commands), \
        "make test exports the decks apart from the tests: every lecture would run twice"
    pytest_line = next(line for line in commands if "-m pytest" in line)
    assert re.search(r"-n 3 --dist loadscope --no-loadscope-reorder --nbval-lax tests solutions$",
                     pytest_line), pytest_line
    assert " lectures" not in pytest_line, "nbval would run the lectures a second time"


def test_xdist_is_pinned():
    assert "pytest-xdist==3.8.0" in (ROOT / "requirements.txt").read_text().splitlines()


@pytest.mark.parametrize("nodeid, unit", [
    ("tests/test_lectures.py::test_lecture_runs_checks_its_outputs_and_exports_its_deck[01_x]",
     "tests/test_lectures.py"),
    ("tests/test_slides_browser.py::test_deck_opens[01_x]", "tests/test_slides_browser.py"),
    ("tests/test_handouts.py::test_one_page_per_slide", "tests/test_handouts.py"),
    ("tests/test_rise_live.py::test_lecture_presents_live[02]", "tests/test_rise_live.py"),
    ("tests/test_export_slides.py::test_built_decks_keep_every_executed_lecture", "tests/test_export_slides.py"),
    ("solutions/03_sequence_classification.ipynb::Cell 7", "solutions/03_sequence_classification.ipynb"),
    ("tests/test_make_lab.py::test_a_second_make_lab_reuses_the_running_server", "tests/test_make_lab.py"),
    ("tests/test_labs.py::test_handed_out_lab_fails_only_at_exercises_and_says_not_implemented[03_x]",
     "tests/test_labs.py::test_handed_out_lab_fails_only_at_exercises_and_says_not_implemented[03_x]"),
])
def test_work_units_keep_a_notebook_and_each_deck_module_together(nodeid, unit):
    assert conftest.work_unit(nodeid) == unit


def test_the_budget_counts_a_lecture_run_by_the_export_and_a_notebook_run_by_nbval():
    lecture = SimpleNamespace(nodeid="tests/test_lectures.py::test_x[02]", when="call", duration=50.0,
                              user_properties=[("notebook", "lectures/02.ipynb"),
                                               ("kernel_cpu_s", 12.5), ("notebook_wall_s", 40.0)])
    cell = SimpleNamespace(nodeid="solutions/02.ipynb::Cell 3", when="call", duration=2.0,
                           user_properties=[("kernel_cpu_s", 95.0)])
    assert conftest.notebook_of(lecture) == "lectures/02.ipynb"
    assert conftest.notebook_of(cell) == "solutions/02.ipynb"
    conftest.pytest_runtest_logreport(lecture)
    conftest.pytest_runtest_logreport(cell)
    try:
        assert conftest._spent("lectures/02.ipynb") == 12.5
        assert conftest._spent("solutions/02.ipynb") == 95.0 > conftest.NOTEBOOK_BUDGET_S
    finally:
        for path in ("lectures/02.ipynb", "solutions/02.ipynb"):
            conftest._wall.pop(path, None)
            conftest._cpu.pop(path, None)
