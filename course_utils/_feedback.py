"""Feedback for students: the exception a check raises and the small helpers checks share.

A check never lets a library traceback reach the student. It raises :class:`CheckFailed`,
which IPython renders as a short message (through ``_render_traceback_``), or it prints a
one-line confirmation through :func:`passed`.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import sys
import textwrap
from typing import Any, Callable, Iterable, Iterator

import numpy as np

NOT_IMPLEMENTED = "not implemented yet"
WIDTH = 88  # JupyterLab breaks long output lines anywhere, even inside a number: wrap ourselves


def wrap(text: str, indent: str = "  ") -> str:
    """``text`` broken at spaces into lines of at most :data:`WIDTH` characters (words and
    numbers are never split); continuation lines start with ``indent``."""
    return "\n".join(textwrap.fill(part, WIDTH, subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False) for part in text.split("\n"))


class CheckFailed(AssertionError):
    """A check found a mistake. The message says what is wrong and where."""

    def __init__(self, check: str, message: str):
        self.check = check
        self.message = message
        super().__init__(f"{check}: {message}")

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        text = wrap(f"✗ {self.check}: {self.message}")
        head = f"✗ {self.check}"
        return [f"\x1b[1;31m{head}\x1b[0m{text[len(head):]}"]


def passed(check: str, detail: str) -> None:
    """Print the confirmation a student sees when a check accepts their code."""
    print(wrap(f"✓ {check}: {detail}"))


def call_student(check: str, func: Callable[..., Any], *args: Any,
                 may_modify: Iterable[int | str] = (), **kwargs: Any) -> Any:
    """Call a student's function the way every check does and return its result.

    A stub or a crash becomes a :class:`CheckFailed` that names it. So does a function that
    changes one of its arguments in place (an array's values, a tensor's values, dtype or
    ``requires_grad`` flag, a module's parameters, the entries of a dict or list), unless the
    exercise asks for that: ``may_modify`` lists those arguments by position or by name.
    """
    name = getattr(func, "__name__", "your function")
    if not callable(func):
        raise CheckFailed(check, f"expected a function, got {type(func).__name__}.")
    allowed = set(may_modify)
    watched = [(where, value, _snapshot(value)) for where, value in _arguments(args, kwargs)
               if where[0] not in allowed and where[1] not in allowed]
    try:
        result = func(*args, **kwargs)
    except NotImplementedError as exc:
        stub = _innermost_function(exc) or name  # the stub may sit in a function `func` calls
        raise CheckFailed(check, f"`{stub}` is {NOT_IMPLEMENTED}: replace the "
                          "`raise NotImplementedError` line with your code.") from None
    except CheckFailed:
        raise
    except Exception as exc:  # the student's own error: report it in one line
        raise CheckFailed(check, f"calling `{name}` raised {type(exc).__name__}: {exc}") from None
    for (position, keyword), value, before in watched:
        change = _changed(before, value)
        if change:
            for _, watched_value, watched_before in watched:  # the check's data stay intact
                _restore(watched_before, watched_value)       # for the student's next try
            label = keyword or _parameter_name(func, position)
            raise CheckFailed(check, f"`{name}` changed its argument `{label}` in place "
                              f"({change}). Leave your inputs as they are: work on a copy "
                              "(`.copy()` for NumPy, `.clone()` for PyTorch) or build a new "
                              "result.")
    return result


def _arguments(args: tuple, kwargs: dict) -> Iterator[tuple[tuple[int | None, str | None], Any]]:
    for position, value in enumerate(args):
        yield (position, None), value
    for keyword, value in kwargs.items():
        yield (None, keyword), value


def _parameter_name(func: Callable, position: int | None) -> str:
    try:
        names = [p.name for p in inspect.signature(func).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if position is not None and position < len(names):
        return names[position]
    return f"argument {position + 1 if position is not None else '?'}"


def _torch():
    return sys.modules.get("torch")  # never import torch for a NumPy-only lab


def _snapshot(value: Any) -> Any:
    """A copy of what ``value`` holds, for :func:`_changed`; None for what we do not watch."""
    torch = _torch()
    if isinstance(value, np.ndarray):
        return ("array", value.copy())
    if torch is not None and isinstance(value, torch.Tensor):
        return ("tensor", value.detach().clone(), value.requires_grad)
    if torch is not None and isinstance(value, torch.nn.Module):
        return ("module", {k: v.detach().clone() for k, v in value.state_dict().items()})
    if isinstance(value, dict):
        return ("dict", {k: _snapshot(v) for k, v in value.items()}, list(value), dict(value))
    if isinstance(value, (list, tuple)):
        return ("list", [_snapshot(v) for v in value], len(value), list(value))
    if isinstance(value, (int, float, str, bool, type(None), np.generic)):
        return ("plain", value)
    return None


def _same_values(a: Any, b: Any) -> bool:
    torch = _torch()
    if torch is not None and isinstance(a, torch.Tensor):
        return (a.dtype == b.dtype and a.shape == b.shape
                and bool(torch.equal(a, b) or (a.is_floating_point()
                                               and torch.allclose(a, b, equal_nan=True))))
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def _changed(before: Any, value: Any) -> str | None:
    """How ``value`` differs from its snapshot ``before``, in words, or None."""
    if before is None:
        return None
    kind = before[0]
    if kind == "array":
        if not isinstance(value, np.ndarray) or not _same_values(value, before[1]):
            return "its values, shape or dtype changed"
    elif kind == "tensor":
        if value.requires_grad != before[2]:
            return f"requires_grad went from {before[2]} to {value.requires_grad}"
        if not _same_values(value.detach(), before[1]):
            return "its values, shape or dtype changed"
    elif kind == "module":
        now = value.state_dict()
        for key, old in before[1].items():
            if key not in now or not _same_values(now[key].detach(), old):
                return f"its parameter or buffer `{key}` changed"
    elif kind == "dict":
        if list(value) != before[2]:
            return "keys were added or removed"
        for key, snap in before[1].items():
            change = _changed(snap, value[key])
            if change:
                return f"entry {key!r}: {change}"
    elif kind == "list":
        if len(value) != before[2]:
            return f"its length went from {before[2]} to {len(value)}"
        for index, (snap, item) in enumerate(zip(before[1], value)):
            change = _changed(snap, item)
            if change:
                return f"item {index}: {change}"
    elif kind == "plain" and not _plain_equal(before[1], value):
        return f"item went from {before[1]!r} to {value!r}"
    return None


def _restore(before: Any, value: Any) -> None:
    """Put back, in place, what ``value`` held when ``before`` was taken (as far as possible)."""
    if before is None:
        return
    kind = before[0]
    torch = _torch()
    try:
        if kind == "array" and isinstance(value, np.ndarray):
            if value.shape == before[1].shape:
                value[...] = before[1]
        elif kind == "tensor":
            with torch.no_grad():
                if value.shape == before[1].shape and value.dtype == before[1].dtype:
                    value.copy_(before[1])
            if value.is_leaf and value.requires_grad != before[2]:
                value.requires_grad_(before[2])
            if value.grad is not None and not before[2]:
                value.grad = None
        elif kind == "module":
            value.load_state_dict(before[1])
        elif kind == "dict":
            if list(value) != before[2]:
                value.clear()
                value.update(before[3])
            for key, snap in before[1].items():
                _restore(snap, value[key])
        elif kind == "list" and isinstance(value, list):
            if len(value) != before[2] or any(a is not b for a, b in zip(value, before[3])):
                value[:] = before[3]
            for snap, item in zip(before[1], value):
                _restore(snap, item)
    except Exception:  # restoring is a courtesy: never hide the student's mistake behind our error
        pass


def _plain_equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # an element-wise comparison: not a plain value after all
        return False


def expect_array(check: str, what: str, value: Any, *, library: str = "numpy",
                 shape: tuple[int, ...] | None = None, dtype: Any = None,
                 hint: str = "") -> Any:
    """Fail unless ``value`` is a ``library`` ("numpy" or "torch") array of ``shape`` and ``dtype``.

    ``dtype`` is a NumPy or torch dtype, or one of the kinds "integer", "floating", "bool".
    The message names the expected and the actual type, dtype or shape, then ``hint``.
    """
    torch = _torch()
    if library == "torch":
        wanted, ok = "a torch.Tensor", torch is not None and isinstance(value, torch.Tensor)
    else:
        wanted, ok = "a NumPy array", isinstance(value, np.ndarray)
    if not ok:
        got = type(value).__module__.split(".")[0] + "." + type(value).__name__
        if got.startswith("builtins."):
            got = type(value).__name__
        raise CheckFailed(check, f"{what} should be {wanted}, got {got}. {hint}".strip())
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailed(check, f"{what} has shape {tuple(value.shape)}, expected "
                          f"{tuple(shape)}. {hint}".strip())
    if dtype is not None and not _dtype_matches(value.dtype, dtype):
        raise CheckFailed(check, f"{what} has dtype {value.dtype}, expected "
                          f"{_dtype_words(dtype)}. {hint}".strip())
    return value


def _dtype_matches(actual: Any, wanted: Any) -> bool:
    torch = _torch()
    if isinstance(wanted, str):
        if torch is not None and isinstance(actual, torch.dtype):
            return {"integer": not actual.is_floating_point and not actual.is_complex
                    and actual != torch.bool, "floating": actual.is_floating_point,
                    "bool": actual == torch.bool}[wanted]
        return {"integer": np.issubdtype(actual, np.integer),
                "floating": np.issubdtype(actual, np.floating),
                "bool": actual == np.bool_}[wanted]
    return actual == wanted


def _dtype_words(wanted: Any) -> str:
    return {"integer": "an integer dtype", "floating": "a floating-point dtype",
            "bool": "bool"}.get(wanted, str(wanted)) if isinstance(wanted, str) else str(wanted)


@contextlib.contextmanager
def evaluating(*models: Any) -> Iterator[None]:
    """Put ``models`` in eval mode (dropout off) for a comparison, then restore each one's mode,
    so a check never blames randomness from dropout on something else."""
    modes = [(model, model.training) for model in models if hasattr(model, "training")]
    try:
        for model, _ in modes:
            model.eval()
        yield
    finally:
        for model, mode in modes:
            model.train(mode)


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
