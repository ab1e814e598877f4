"""The systematic layer: every check of every lab meets the same planted wrong versions.

Each ``tests/test_checks_labNN.py`` lists a :class:`tests._checks.Case` per check in ``CASES``.
Here each case must accept its right answer and reject: the right answer that changes an
argument in place; the right values returned in another type or dtype; and, where the function
draws random numbers, the right code fed another generator. A check without a case fails.
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from course_utils import CheckFailed
from tests._checks import ignoring_generator, mutating, returning, squash

TESTS = Path(__file__).parent
LABS = sorted(p.stem.removeprefix("test_checks_lab") for p in TESTS.glob("test_checks_lab*.py"))


def _cases(lab: str):
    return getattr(importlib.import_module(f"tests.test_checks_lab{lab}"), "CASES", [])


def _all():
    return [(lab, case) for lab in LABS for case in _cases(lab)]


def _ids(items):
    return [f"lab{lab}-{case.name}" for lab, case in items]


def _expand(kind):
    items = []
    for lab, case in _all():
        for variant in {"mutable": case.mutable, "returns": case.returns,
                        "rng": [case.rng] if case.rng is not None else []}[kind]:
            items.append((lab, case, variant))
    return items


def _variant_id(kind):
    def name(item):
        lab, case, variant = item
        label = variant[0].__name__ if kind == "returns" else variant
        return f"lab{lab}-{case.name}-{label}"
    return [name(item) for item in _expand(kind)]


@pytest.mark.parametrize("lab", LABS)
def test_every_check_has_a_case(lab):
    module = importlib.import_module(f"course_utils.checks.lab{lab}")
    checks = {name for name, obj in inspect.getmembers(module, inspect.isfunction)
              if name.startswith("check_") and obj.__module__ == module.__name__}
    covered = {case.check.__name__ for case in _cases(lab)}
    assert checks <= covered, f"lab {lab}: no systematic Case for {sorted(checks - covered)}"


@pytest.mark.parametrize("lab, case", _all(), ids=_ids(_all()))
def test_accepts_the_right_answer(lab, case, capsys):
    case(case.correct)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("lab, case, where", _expand("mutable"), ids=_variant_id("mutable"))
def test_rejects_changing_an_argument(lab, case, where):
    with pytest.raises(CheckFailed) as info:
        case(mutating(case.correct, where))
    assert "in place" in info.value.message, info.value.message


@pytest.mark.parametrize("lab, case, conversion", _expand("returns"), ids=_variant_id("returns"))
def test_rejects_the_wrong_type(lab, case, conversion):
    convert, words = conversion
    with pytest.raises(CheckFailed) as info:
        case(returning(case.correct, convert))
    assert words in squash(info.value.message), info.value.message


@pytest.mark.parametrize("lab, case, where", _expand("rng"), ids=_variant_id("rng"))
def test_rejects_ignoring_the_generator(lab, case, where):
    with pytest.raises(CheckFailed) as info:
        case(ignoring_generator(case.correct, where))
    assert case.rng_words in squash(info.value.message), info.value.message


def test_a_rejected_in_place_change_is_undone():
    """A check's data survive a student's in-place mistake, so the next try is judged fairly."""
    import numpy as np
    import torch

    from course_utils._feedback import call_student

    def clobber(a, t, d, items):
        a[0] = 99.0
        t.add_(1.0)
        t.requires_grad_(True)
        d["w"][1] = -1.0
        d["new"] = 0
        items.append(5)
        items[0][0] = 7.0

    a, t = np.arange(3.0), torch.zeros(2)
    d, items = {"w": np.ones(2)}, [np.zeros(1)]
    with pytest.raises(CheckFailed, match="in place"):
        call_student("demo", clobber, a, t, d, items)
    assert a.tolist() == [0.0, 1.0, 2.0] and t.tolist() == [0.0, 0.0] and not t.requires_grad
    assert list(d) == ["w"] and d["w"].tolist() == [1.0, 1.0]
    assert len(items) == 1 and items[0].tolist() == [0.0]
