"""Feedback for students: the exception a check raises and the small helpers checks share.

A check never lets a library traceback reach the student. It raises :class:`CheckFailed`,
which IPython renders as a short message (through ``_render_traceback_``), or it prints a
one-line confirmation through :func:`passed`.
"""
from __future__ import annotations

import contextlib
import io
from typing import Any, Callable

import numpy as np

NOT_IMPLEMENTED = "not implemented yet"


class CheckFailed(AssertionError):
    """A check found a mistake. The message says what is wrong and where."""

    def __init__(self, check: str, message: str):
        self.check = check
        self.message = message
        super().__init__(f"{check}: {message}")

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [f"\x1b[1;31m✗ {self.check}\x1b[0m: {self.message}"]


def passed(check: str, detail: str) -> None:
    """Print the confirmation a student sees when a check accepts their code."""
    print(f"✓ {check}: {detail}")


def call_student(check: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a student's function; turn a stub or a crash into a CheckFailed that names it."""
    name = getattr(func, "__name__", "your function")
    if not callable(func):
        raise CheckFailed(check, f"expected a function, got {type(func).__name__}.")
    try:
        return func(*args, **kwargs)
    except NotImplementedError as exc:
        stub = _innermost_function(exc) or name  # the stub may sit in a function `func` calls
        raise CheckFailed(check, f"`{stub}` is {NOT_IMPLEMENTED}: replace the "
                          "`raise NotImplementedError` line with your code.") from None
    except Exception as exc:  # the student's own error: report it in one line
        raise CheckFailed(check, f"calling `{name}` raised {type(exc).__name__}: {exc}") from None


def _innermost_function(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name if tb is not None else None


def expect_shape(check: str, what: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Fail with the expected and the actual shape unless ``value`` is an array of ``shape``."""
    array = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple, float, int)) else value
    actual = getattr(array, "shape", None)
    if actual is None:
        raise CheckFailed(check, f"{what} should be an array of shape {shape}, "
                          f"got {type(value).__name__}.")
    if tuple(actual) != tuple(shape):
        raise CheckFailed(check, f"{what} has shape {tuple(actual)}, expected {tuple(shape)}.")
    return np.asarray(array)


def first_mismatch(actual: np.ndarray, expected: np.ndarray, atol: float = 1e-6,
                   rtol: float = 1e-5) -> tuple[tuple[int, ...], float, float] | None:
    """Return (index, actual, expected) of the largest disagreement, or None if all agree."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    bad = ~np.isclose(actual, expected, atol=atol, rtol=rtol)
    if not bad.any():
        return None
    error = np.where(bad, np.abs(actual - expected), -1.0)
    index = np.unravel_index(int(np.argmax(error)), error.shape)
    return tuple(int(i) for i in index), float(actual[index]), float(expected[index])


def student_or_reference(check: Callable[[Callable], None], student: Callable,
                         reference: Callable) -> Callable:
    """Return ``student`` if ``check`` accepts it, else ``reference`` (saying so), so the rest
    of a lab runs while an exercise is unfinished."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(student)
        return student
    except CheckFailed as error:
        print(f"(using the reference {reference.__name__}: {error.message})")
        return reference
