"""Argument checks shared by the NumPy modules of lab 01 (``numpy_rnn``, ``binary``)."""
from __future__ import annotations

from typing import Any

import numpy as np


def float_array(name: str, value: Any, shape: str | None, *, empty: bool = False) -> np.ndarray:
    """``value`` as a float64 array, or a TypeError/ValueError naming ``name`` and ``shape``.

    ``shape`` is the expected shape in words, e.g. "(T, B, D)": the array must have that many
    dimensions; None accepts any shape. An array with no entries is refused unless ``empty``.
    The result may be ``value`` itself: copy it before writing into it.
    """
    expected = "a float array of " + (f"shape {shape}" if shape else "any shape")
    if value is None or isinstance(value, (str, bytes, dict, set, bool)):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} that does "
                        "not convert to numbers.") from None
    ndim = None if shape is None else len([s for s in shape.strip("()").split(",") if s.strip()])
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {expected} ({ndim} dimension"
                         f"{'s' if ndim != 1 else ''}), got shape {array.shape}.")
    if array.size == 0 and not empty:
        raise ValueError(f"{name} must not be empty: expected {expected} with at least one "
                         f"entry, got shape {array.shape}.")
    return array
