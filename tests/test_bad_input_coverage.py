"""Every public function of every course_utils module is called with bad input by some test.

Each module ``course_utils/NAME.py`` has its table in ``tests/test_NAME.py``: ``BAD_INPUT``
and ``NOT_APPLICABLE`` (see tests/_bad_input.py), run by that file's
``test_bad_arguments_name_the_argument_and_the_expected_value``. This test fails for a module
without a table, a table that is never run, and a public function the table leaves out.

``PENDING`` lists the modules whose tables their units' engineers are writing (issue 16),
each with its owner; it is a strict xfail, so a module whose table lands turns into an
XPASS failure until its line here is removed. The lead shrinks it to nothing.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import course_utils
from tests._bad_input import untried

ROOT = Path(__file__).resolve().parents[1]
RUNNER = "test_bad_arguments_name_the_argument_and_the_expected_value"
# Shared modules (training, device, results, plotting, widgets) and unit 1's (numpy_rnn,
# binary) have their tables; these are written by the units that own them.
PENDING: dict[str, str] = {}
MODULES = sorted(info.name for info in pkgutil.iter_modules(course_utils.__path__)
                 if not info.name.startswith("_") and not info.ispkg)


def _cases():
    for name in MODULES:
        marks = [pytest.mark.xfail(strict=True, reason=f"{PENDING[name]} writes this table")] \
            if name in PENDING else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_cases()))
def test_every_public_function_meets_bad_input_in_some_test(name):
    module = importlib.import_module(f"course_utils.{name}")
    test_file = ROOT / "tests" / f"test_{name}.py"
    assert test_file.exists(), f"course_utils/{name}.py has no tests/test_{name}.py"
    tests = importlib.import_module(f"tests.test_{name}")
    assert hasattr(tests, "BAD_INPUT") and hasattr(tests, "NOT_APPLICABLE"), \
        f"tests/test_{name}.py has no BAD_INPUT / NOT_APPLICABLE table (see tests/_bad_input.py)"
    assert callable(getattr(tests, RUNNER, None)), f"tests/test_{name}.py never runs its table ({RUNNER})"
    missing = untried(module, tests.BAD_INPUT, tests.NOT_APPLICABLE)
    assert missing == [], f"course_utils.{name}: no bad-input test for {missing}"


def test_the_pending_list_names_only_modules_that_exist():
    assert set(PENDING) <= set(MODULES)


def test_the_checks_are_covered_by_their_own_planted_mistakes():
    """course_utils.checks.labNN take the student's functions: tests/test_checks_labNN.py and
    the systematic layer try them with wrong answers, so they are not in this table."""
    labs = sorted(info.name for info in pkgutil.iter_modules(
        importlib.import_module("course_utils.checks").__path__) if info.name.startswith("lab"))
    assert labs and all((ROOT / "tests" / f"test_checks_{lab}.py").exists() for lab in labs)
