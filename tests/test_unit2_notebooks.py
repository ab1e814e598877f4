"""Unit 2's notebooks: budgets in steps, generators passed in, the corpus and names they rely on."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [ROOT / "lectures" / "02_training_rnns.ipynb", ROOT / "solutions" / "02_char_rnn.ipynb",
             ROOT / "labs" / "02_char_rnn.ipynb"]


def code(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name + "/" + p.stem for p in NOTEBOOKS])
def test_budgets_are_steps_and_generators_are_passed(path):
    source = code(path)
    assert "time_limit" not in source, "training budgets are counted in steps, never seconds"
    for line in source.splitlines():
        if line.lstrip().startswith("def "):
            assert not re.search(r"=\s*(np\.random\.default_rng|torch\.Generator)\(", line), \
                f"a default argument builds a generator once, when the function is defined: {line}"
    assert "pydoc_data" not in source, "the corpus comes from course_utils, the same on every Python"


def test_the_lab_asks_for_what_later_cells_use():
    lab = nbformat.read(ROOT / "labs" / "02_char_rnn.ipynb", as_version=4)
    text = "\n".join(c.source for c in lab.cells)
    assert "def sample(params, h, seed_ix, n, rng, temperature=1.0):" in text
    assert "`self.rnn`" in text and "`self.head`" in text           # asked for, and checked
    assert "def train_tbptt(model, chunks, optimizer, clip_value=5.0):" in text
