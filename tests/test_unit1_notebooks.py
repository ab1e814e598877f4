"""Unit 1's notebooks: what lecture 01 says about lab 09, and what lab 01 tells a stuck student."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_utils import numpy_rnn

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "lectures" / "01_sequences_and_the_recurrent_neuron.ipynb"
LAB = ROOT / "solutions" / "01_rnn_from_scratch.ipynb"
CAPSTONE = ROOT / "solutions" / "09_ecg_capstone.ipynb"


def cells(path: Path) -> dict[str, nbformat.NotebookNode]:
    return {cell.id: cell for cell in nbformat.read(path, as_version=4).cells}


def plain(text: str) -> str:
    """Dashes and runs of whitespace made plain, for comparing prose."""
    return " ".join(re.sub("[\u2013\u2014]", "-", text).split())


def test_lecture_01_quotes_lab_09s_finding_as_lab_09_states_it():
    """The lecture points forward to what lab 09 measured; every number it quotes is lab 09's."""
    lecture = cells(LECTURE)
    slide, notes = plain(lecture["cd4b1fa7"].source), plain(lecture["2b28a79a"].source)
    assert "56 ms does as well as a GRU or better" in slide and "lab 09" in slide
    assert "never saw in training" in slide     # what lab 09 measured, not a cause it cannot single out
    capstone = plain(" ".join(c.source for c in cells(CAPSTONE).values()))
    for quoted in ("40-75% at 160-180 bpm", "93% or more in every band", "56 ms", "248 ms",
                   "97% sensitivity and 100% specificity", "2 points of balanced accuracy",
                   "own labels"):
        assert quoted in capstone, f"lab 09 no longer says {quoted!r}"
        assert quoted.split(" or more")[0] in notes, f"lecture 01's notes do not quote {quoted!r}"


def test_lecture_01_does_not_say_the_recurrent_reader_wins():
    text = plain(" ".join(c.source for c in cells(LECTURE).values() if c.cell_type == "markdown"))
    for claim in ("a reader with state does not", "with memory does not",
                  "Whether training finds such a state is what lab 09 measures"):
        assert claim not in text


def _run_cells(notebook: dict, ids: list[str], namespace: dict) -> None:
    for cell_id in ids:
        exec(compile(notebook[cell_id].source, f"cell {cell_id}", "exec"), namespace)


def test_lab_01_every_sum_cell_sends_a_student_with_an_untrained_network_to_exercise_5():
    """Exercises 1-4 done, train not: the headline cell's assert points to Exercise 5."""
    lab = cells(LAB)
    namespace: dict = {}
    _run_cells(lab, ["5af3a9e1"], namespace)                       # the imports
    namespace.update(rnn_forward=numpy_rnn.rnn_forward, STEPS=20, BATCH_SIZE=16,
                     params=numpy_rnn.init_params(seed=0))        # never trained
    with pytest.raises(AssertionError, match="Exercise 5"):
        _run_cells(lab, ["b1d0c5a2", "6fdac255"], namespace)
    assert 0 <= namespace["held_out_accuracy"] < 0.1


def test_lab_01_counts_the_different_sums_its_training_drew():
    namespace: dict = {}
    lab = cells(LAB)
    _run_cells(lab, ["5af3a9e1"], namespace)
    namespace["BATCH_SIZE"] = 16
    _run_cells(lab, ["b1d0c5a2"], namespace)
    count = namespace["distinct_sums_drawn"]
    rng, drawn = np.random.default_rng(0), set()
    for _ in range(30):
        a, b = namespace["decode_inputs"](namespace["training_batch"](16, rng)[0])
        drawn |= set(zip(a.tolist(), b.tolist()))
    assert count(30) == len(drawn) and count(1) <= 16 and count(30, seed=1) != count(30)
