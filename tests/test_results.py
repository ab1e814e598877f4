"""course_utils.results: what a lab reports to `make bench`."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from course_utils.results import RESULTS_ENV, record_result


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


@pytest.mark.parametrize("key, value, unit, error, words", [
    ("Echo exact", 0.9, "fraction", ValueError, "key must be a snake_case"),
    (3, 0.9, "fraction", ValueError, "key must be"),
    ("echo", "0.9", "fraction", TypeError, "value must be a number, got str"),
    ("echo", True, "fraction", TypeError, "got bool"),
    ("echo", float("nan"), "fraction", ValueError, "value must be finite"),
    ("echo", 0.9, "percent", ValueError, "unit must be one of fraction"),
])
def test_bad_arguments_are_named(key, value, unit, error, words):
    with pytest.raises(error, match=words):
        record_result(key, value, unit)
