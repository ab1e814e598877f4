"""course_utils.results: what a lab reports to `make bench`."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from course_utils import results
from course_utils.results import RESULTS_ENV, record_result
from tests._bad_input import ids, untried


def test_without_the_benchmark_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(RESULTS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert record_result("echo_best_exact", 0.99, "fraction") is None
    assert list(tmp_path.iterdir()) == []


def test_results_accumulate_in_the_named_file(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "lab.json"
    monkeypatch.setenv(RESULTS_ENV, str(target))
    record_result("adding_gru_mse", np.float32(0.0013), "MSE")
    record_result("mnist1d_accuracy", torch.tensor(0.969), "fraction")
    record_result("adding_gru_mse", 0.002, "MSE")            # a rerun replaces the value
    saved = json.loads(target.read_text())
    assert saved["adding_gru_mse"] == {"value": 0.002, "unit": "MSE"}
    assert saved["mnist1d_accuracy"]["value"] == pytest.approx(0.969)
    assert isinstance(saved["mnist1d_accuracy"]["value"], float)


def test_a_one_element_array_is_a_number(tmp_path, monkeypatch):
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "r.json"))
    record_result("echo", np.array([[0.25]]), "fraction")
    assert json.loads((tmp_path / "r.json").read_text())["echo"]["value"] == 0.25


# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("record_result", "type", lambda: record_result(3, 0.9, "fraction"), TypeError,
     "key must be a snake_case string such as 'mnist1d_accuracy', got int 3"),
    ("record_result", "type", lambda: record_result("echo", "0.9", "fraction"), TypeError,
     "value must be a number, got str for 'echo'"),
    ("record_result", "type", lambda: record_result("echo", True, "fraction"), TypeError,
     "value must be a number, got bool"),
    ("record_result", "shape", lambda: record_result("echo", np.array([0.9, 0.8]), "fraction"),
     ValueError, r"value must be a single number, got an array of shape \(2,\) for 'echo'"),
    ("record_result", "shape", lambda: record_result("echo", torch.ones(3), "fraction"),
     ValueError, r"value must be a single number, got an array of shape \(3,\)"),
    ("record_result", "empty", lambda: record_result("", 0.9, "fraction"), ValueError,
     "key must be a snake_case string such as 'mnist1d_accuracy', got ''"),
    ("record_result", "empty", lambda: record_result("echo", np.array([]), "fraction"), ValueError,
     r"value must be a single number, got an array of shape \(0,\)"),
    ("record_result", "value", lambda: record_result("Echo exact", 0.9, "fraction"), ValueError,
     "key must be a snake_case string"),
    ("record_result", "value", lambda: record_result("echo", float("nan"), "fraction"), ValueError,
     "value must be finite"),
    ("record_result", "value", lambda: record_result("echo", 0.9, "percent"), ValueError,
     "unit must be one of fraction, bits/char"),
]
NOT_APPLICABLE: set = set()


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(results, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
