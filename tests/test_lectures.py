"""Every lecture executed once, for both its checks and its deck (issue 16).

Each lecture runs top to bottom in the course's kernel exactly as `make slides` runs it
(tools/export_slides.py: the same code, the same per-cell timeout) and its deck is written to
build/slides. The executed notebook is then checked as nbval --nbval-lax checks a notebook:
no cell raises, and every cell tagged nbval-check-output prints what is committed (nbval's own
stream handling and comparison keys). conftest.py counts the kernel's CPU time against the
notebook budget. The browser tests (decks, handouts, RISE) read the same decks: whichever test
needs a deck first in a run exports it, once, on any xdist worker (tests/_decks.py), and the test
here checks that export.
"""
from __future__ import annotations

import copy
import sys
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import coalesce_streams, transform_streams_for_comparison

from tests import _decks

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402

SLIDES = ROOT / "build" / "slides"
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
CHECK_TAG = "nbval-check-output"
# What nbval leaves out of a comparison (IPyNbFile.skip_compare, without --nbdime).
SKIP = ("metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
        "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg")
pytestmark = pytest.mark.slow


def comparable(outputs: list) -> dict[str, list]:
    """Outputs as nbval compares them: streams merged, one list of values per key."""
    flat: dict[str, list] = defaultdict(list)
    for output in transform_streams_for_comparison(coalesce_streams(copy.deepcopy(outputs))):
        for key, value in output.items():
            if key == "data":
                for mime, data in value.items():
                    if mime not in SKIP:
                        flat[mime].append(data)
            elif key not in SKIP:
                flat[key].append(value)
    return dict(flat)


def check_outputs(reference: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> list[str]:
    """What differs, cell by cell, between the committed outputs of nbval-check-output cells
    and the executed ones (an empty list when nothing does)."""
    problems = []
    for index, (ref, run) in enumerate(zip(reference.cells, executed.cells)):
        if ref.cell_type != "code":
            continue
        if "nbval-skip" in ref.metadata.get("tags", []):
            problems.append(f"cell {index} is tagged nbval-skip: lectures run every cell")
        if CHECK_TAG not in ref.metadata.get("tags", []):
            continue
        if ref.execution_count is None:
            problems.append(f"cell {index} is tagged {CHECK_TAG} but has no execution count, "
                            "so nbval would not compare it")
        elif comparable(run.outputs) != comparable(ref.outputs):
            problems.append(f"cell {index} printed {comparable(run.outputs)}, "
                            f"committed {comparable(ref.outputs)}")
    return problems


@pytest.mark.parametrize("lecture", LECTURES, ids=[p.stem for p in LECTURES])
def test_lecture_runs_checks_its_outputs_and_exports_its_deck(lecture, record_property):
    record_property("notebook", f"lectures/{lecture.name}")
    export = _decks.deck(lecture)
    assert export["error"] is None, export["error"]
    record_property("kernel_cpu_s", export["cpu_s"])
    record_property("notebook_wall_s", export["wall_s"])
    for message in export.get("messages", []):   # a kernel replaced on the way: in the JUnit report
        record_property("kernel_message", message)
    executed = nbformat.read(SLIDES / export_slides.EXECUTED / lecture.name, as_version=4)
    assert check_outputs(nbformat.read(lecture, as_version=4), executed) == []
    assert (SLIDES / export["deck"]).stat().st_size > 10_000


def test_course_home_links_and_no_page_loads_from_the_network():
    assert _decks.failed(_decks.all_decks()) == []
    decks = sorted(p.name for p in SLIDES.glob("*.slides.html"))
    assert decks == [f"{p.stem}.slides.html" for p in LECTURES]
    assert export_slides.offline_problems(SLIDES) == []


def test_a_changed_checked_output_is_caught():
    reference = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)", metadata={"tags": [CHECK_TAG]})
    cell.execution_count = 1
    cell.outputs = [nbformat.v4.new_output("stream", text="accuracy 100.00%\n")]
    reference.cells = [cell]
    executed = copy.deepcopy(reference)
    assert check_outputs(reference, executed) == []
    executed.cells[0].outputs = [nbformat.v4.new_output("stream", text="accuracy 99.90%\n")]
    assert "cell 0 printed" in check_outputs(reference, executed)[0]
    executed.cells[0].outputs = [nbformat.v4.new_output("stream", text="accuracy "),
                                 nbformat.v4.new_output("stream", text="100.00%\n")]
    assert check_outputs(reference, executed) == [], "streams are merged, as nbval merges them"
