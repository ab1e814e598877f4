"""Headline results a notebook reports to `make bench`.

A lab calls ``record_result("addition_exact", 0.9942, unit="fraction")`` next to the line that
prints the number. When the environment variable ``COURSE_RESULTS`` names a JSON file (the
benchmark runner sets it for each notebook it executes), the result is added to that file;
otherwise nothing is written, so a student running the lab leaves no files behind.
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

RESULTS_ENV = "COURSE_RESULTS"
UNITS = ("fraction", "bits/char", "nats/char", "MSE", "RMSE", "seconds", "ms", "ratio", "count")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def record_result(key: str, value: float, unit: str) -> None:
    """Record one headline result in the benchmark file, if ``make bench`` is running.

    ``key`` is a snake_case name unique across the course (``"mnist1d_accuracy"``), ``value``
    a finite number and ``unit`` one of ``UNITS`` (fractions are stored as fractions, shown as
    percentages by the report).
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be a snake_case string such as 'mnist1d_accuracy', got "
                        f"{type(key).__name__} {key!r}.")
    if not _KEY.match(key):
        raise ValueError(f"key must be a snake_case string such as 'mnist1d_accuracy', got {key!r}.")
    if isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        raise TypeError(f"value must be a number, got {type(value).__name__} for {key!r}.")
    shape = tuple(getattr(value, "shape", ()))
    if shape and math.prod(shape) != 1:
        raise ValueError(f"value must be a single number, got an array of shape {shape} for {key!r}.")
    if shape:
        value = value.item()   # a one-element array or tensor
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value!r} for {key!r}.")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}.")
    target = os.environ.get(RESULTS_ENV)
    if not target:
        return None
    path = Path(target)
    results = json.loads(path.read_text()) if path.exists() else {}
    results[key] = {"value": value, "unit": unit}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    return None
