"""Unit 4's notebooks say what they measured, and no more (review u4)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "lectures" / "04_gated_cells.ipynb"
SOLUTION = ROOT / "solutions" / "04_gates_against_forgetting.ipynb"


def cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def text(path: Path, kind: str = "markdown") -> str:
    return "\n".join(c.source for c in cells(path) if c.cell_type == kind)


def squash(words: str) -> str:
    return " ".join(words.split())


def test_every_lecture_slide_starts_with_a_title():
    """Review u4, item 15: the gradient plot's subslide had no title."""
    for index, cell in enumerate(cells(LECTURE)):
        if "title" in cell.metadata.get("tags", []):   # the title slide (tools/title_slides.py)
            continue
        if cell.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide"):
            assert cell.cell_type == "markdown" and cell.source.startswith("#"), (index, cell.source[:80])


def test_the_lstm_slide_names_the_forget_gates_paper():
    """Review u4, item 15: the diagram shows the forget gate of 2000, not the 1997 cell."""
    titles = [c.source.splitlines()[0] for c in cells(LECTURE) if c.source.startswith("## The LSTM cell")]
    assert titles and "Gers" in titles[0] and "2000" in titles[0]


def test_the_gradient_claims_of_the_lecture_are_printed_and_checked():
    """Review u4, items 8 and 9: the numbers the slide and its notes give come from a cell whose
    output nbval compares."""
    printed = [c for c in cells(LECTURE) if c.cell_type == "code" and "direct path {" in c.source]
    assert len(printed) == 1 and "nbval-check-output" in printed[0].metadata.get("tags", [])
    output = "".join(o.get("text", "") for o in printed[0].outputs)
    notes = squash(text(LECTURE))
    for number in ("0.53", "0.63", "0.96", "223"):
        assert number in output and number in notes, number
    assert "amplify" in notes and "clip" in notes
    assert "s_T" not in "".join(c.source for c in cells(LECTURE))          # s is the decoder state


@pytest.mark.parametrize("claim", [
    "cannot learn that an input 50 steps ago mattered",          # item 12: too absolute
    "initialise the forget gate to remember, clip gradients",   # item 13: a GRU has none
    "tells a student which one they fell into",                 # item 5 (now: names either one)
])
def test_the_lecture_no_longer_says(claim):
    assert claim not in squash(text(LECTURE))


def test_which_cell_when_names_the_gru_update_gate():
    slide = next(c.source for c in cells(LECTURE) if c.source.startswith("## Which cell when"))
    assert "update gate" in slide


@pytest.mark.parametrize("claim", [
    "ends in the same verdicts",                                # item 1
    "learning can use $a$ from the first update",               # item 2
    "The gradient measurements say why",                        # item 2
    "most later papers use",                                    # item 3: uncited
    "never leave the line",                                     # item 14
    "two orders of magnitude",                                  # item 14
    "900 updates",                                              # item 18
])
def test_the_lab_no_longer_says(claim):
    assert claim not in squash(text(SOLUTION))


def test_the_adding_problem_says_how_it_differs_from_the_1997_task_and_cites_its_form():
    """Review u4, item 3."""
    import course_utils.memory_tasks as memory_tasks

    for words in (squash(text(SOLUTION)), squash(memory_tasks.__doc__)):
        assert "first ten" in words and "T/2 - 1" in words.replace("−", "-")
        assert "Arjovsky, Shah and Bengio" in words and "amarshah/complex_RNN" in words
        assert "most later papers" not in words


def test_the_lab_measures_the_larger_budget_and_who_learns_first():
    """Review u4, items 1 and 2: 48 epochs are run and printed; the order of learning is
    asserted, not assumed from the gradients at initialisation."""
    source = text(SOLUTION, "code")
    assert "train_more(run, name, MORE)" in source and "MORE = 2 * EPOCHS" in source
    assert re.search(r"first_epoch_below\(curves\[\"GRU\"\], one_number\) < first_epoch_below\(",
                     source)
    checked = [c for c in cells(SOLUTION) if "nbval-check-output" in c.metadata.get("tags", [])
               and "after {len(curve)} epochs" in c.source]
    assert len(checked) == 1
    output = "".join(o.get("text", "") for o in checked[0].outputs)
    assert "LSTM, PyTorch init  after 48 epochs: uses both numbers" in output
    assert "vanilla RNN         after 48 epochs: no better than remembering nothing" in output


def test_course_yml_states_the_budget_of_the_unit_4_outcome():
    """Review u4, item 2: "fail" without a budget told a budget effect as a property of the cell."""
    units = yaml.safe_load((ROOT / "course.yml").read_text())["units"]
    unit = next(u for u in units if u["number"] == 4)
    outcome = next(o for o in unit["outcomes"] if "adding problem" in o)
    assert "within 16 epochs" in outcome and "fail" not in outcome
