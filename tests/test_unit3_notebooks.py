"""Unit 3's notebooks: statements the review found false stay corrected, and the lab's seed is
one constant."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "lectures" / "03_rnns_in_pytorch.ipynb"
LAB = ROOT / "solutions" / "03_sequence_classification.ipynb"


def text(path: Path, kind: str | None = None) -> str:
    """Every cell's source (of one kind, if given), with runs of whitespace made one space."""
    cells = nbformat.read(path, as_version=4).cells
    return " ".join(" ".join(c.source.split()) for c in cells if kind in (None, c.cell_type))


def test_lecture_03_says_keras_bidirectional_default_is_right_and_where_the_trap_is():
    notes = text(LECTURE, "markdown")
    assert "the same trap as `output[:, -1]`" not in notes
    for words in ("go_backwards=True", "the default is right", "`return_sequences=True` followed by "
                  "`[:, -1]`", "keras/src/layers/rnn/bidirectional.py"):
        assert words in notes, words


def test_lecture_03_says_padding_convergence_holds_for_contracting_layers_only():
    lecture = text(LECTURE)
    assert "pulls every final state to the same point" not in lecture
    assert "the direction is general" not in lecture
    assert "orthogonal" in lecture and "it is not the state after the last real step" in lecture
    assert "After 100 zero steps" in lecture                # the nbval-checked measurement


def test_lecture_03_does_not_say_lengths_must_be_int64():
    lecture = text(LECTURE, "markdown")
    assert "must be a 1-D int64" not in lecture and "requires a CPU int64" not in lecture
    assert "must be on the CPU if provided as a tensor" in lecture


def test_lecture_03_row_reader_uses_pytorchs_names_and_the_initialisations_are_cited():
    lecture = text(LECTURE)
    assert "def __init__(self, input_size=8, hidden_size=64" in lecture
    assert "Glorot and Bengio 2010" in lecture and "He, Zhang, Ren and Sun 2015" in lecture
    assert "One digit, eight steps" in lecture


def test_lab_03_has_one_seed_constant_and_no_hard_coded_seed():
    code = text(LAB, "code")
    assert "SEED = 0" in code
    for hard_coded in ("seed_everything(0)", "seed=0)", "seed=0,", "random_state=0"):
        assert hard_coded not in code, hard_coded
    assert "`SEED` (first code cell) sets" in text(LAB, "markdown")


def test_lab_03_cites_the_preprint_and_the_icml_paper_and_the_repositorys_rerun():
    prose = text(LAB, "markdown")
    assert "arXiv:2011.14439" in prose and "Greydanus and Kobak 2024" in prose
    assert "ICML 2024" in prose
    assert "notebooks/mnist1d-classification.ipynb" in prose and "89.1%" in prose
    assert "short budget" not in prose


def test_lab_03_trains_the_papers_cnn_with_its_own_recipe_and_reports_it():
    code = text(LAB, "code")
    assert 'published_model("CNN")' in code
    assert 'record_result("mnist1d_paper_cnn_accuracy"' in code
    assert "paper CNN, rebuilt, our recipe" in code


def test_lab_03_states_unmeasured_reasons_as_guesses_and_the_schedules_momentum():
    prose = text(LAB, "markdown")
    assert "20 epochs are not enough to profit" not in prose
    assert "We did not measure why" in prose
    assert "cycle_momentum=True" in prose
    assert "the whole digit is still there" not in prose and "no low-pass filter" in prose
    assert re.search(r"still the same digit", prose) is None
