"""Argument checks shared by the unit 2 modules (``text``, ``char_rnn``, ``gradients``).

Each raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong value)
with a message that names the argument and the value expected, and returns the value
converted to what the caller computes with.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def integer(name: str, value: Any, minimum: int | None = 1, maximum: int | None = None) -> int:
    """``value`` as an int in [minimum, maximum] (bounds optional); bools are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{_range(minimum, maximum)}, got "
                        f"{type(value).__name__} {value!r}.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer{_range(minimum, maximum)}, got {value!r}.")
    return int(value)


def number(name: str, value: Any, *, positive: bool = False, minimum: float | None = None,
           maximum: float | None = None) -> float:
    """``value`` as a finite float (optionally > 0, or within [minimum, maximum])."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
    value = float(value)
    bad = (not np.isfinite(value) or (positive and not value > 0)
           or (minimum is not None and value < minimum) or (maximum is not None and value > maximum))
    if bad:
        wanted = "a positive number" if positive else "a finite number"
        if minimum is not None or maximum is not None:
            wanted = f"a number{_range(minimum, maximum)}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}.")
    return value


def array(name: str, value: Any, *, ndim: int | None = None, shape: tuple | None = None,
          kind: str = "float", allow_empty: bool = False) -> np.ndarray:
    """``value`` as a NumPy array of ``kind`` "float" (float64) or "int" (integers).

    ``shape`` may hold None for a free dimension. Lists are accepted; strings, dicts and
    tensors with ``requires_grad`` are not.
    """
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise TypeError(f"{name} must be a NumPy array, got {type(value).__name__}.")
    try:
        result = np.asarray(value)
    except Exception:  # ragged lists, tensors that need grad
        raise TypeError(f"{name} must be a NumPy array, got {type(value).__name__}.") from None
    if result.dtype == object:
        raise TypeError(f"{name} must be a NumPy array of numbers, got {type(value).__name__} "
                        "holding objects of mixed types or lengths.")
    if kind == "int":
        if result.size and not np.issubdtype(result.dtype, np.integer):
            raise TypeError(f"{name} must hold integers, got dtype {result.dtype}.")
        result = result.astype(np.int64, copy=False)
    else:
        if not (np.issubdtype(result.dtype, np.number) or result.dtype == bool):
            raise TypeError(f"{name} must hold numbers, got dtype {result.dtype}.")
        result = result.astype(float, copy=False)
    if ndim is not None and result.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension{'s' if ndim != 1 else ''}, got "
                         f"shape {result.shape}.")
    if shape is not None and (result.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(result.shape, shape))):
        wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {wanted}, got {result.shape}.")
    if not allow_empty and result.size == 0:
        raise ValueError(f"{name} is empty (shape {result.shape}); it needs at least one element.")
    return result


def one_of(name: str, value: Any, choices: tuple) -> Any:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}.")
    return value


def _range(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""
