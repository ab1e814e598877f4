"""Helpers shared by the tests of the exercise checks.

Two layers:

- ``stub`` and ``rejects``: hand-written planted mistakes, one test each, asserting on the words
  of the message (``tests/test_checks_labNN.py``).
- The systematic layer: every lab's test module lists a :class:`Case` for **every** check in
  ``course_utils.checks.labNN`` (``CASES``), and ``tests/test_checks_systematic.py`` runs the same
  wrong versions against each: the right answer that also changes an argument in place, the
  right values in the wrong type or dtype, and (for functions that draw random numbers) the
  right code fed a different generator. A check that lets one through fails the suite.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pytest

from course_utils import CheckFailed


def stub(*args, **kwargs):
    """An exercise as handed out."""
    raise NotImplementedError("not implemented yet: replace this line with your code")


def rejects(check, wrong, *words: str) -> str:
    """Assert ``check`` fails on ``wrong`` with a message naming the check and holding ``words``."""
    with pytest.raises(CheckFailed, match=check.__name__) as info:
        check(wrong)
    for word in words:
        assert word in info.value.message, info.value.message
    return info.value.message


def squash(text: str) -> str:
    """``text`` with every run of whitespace made one space (messages are wrapped for notebooks)."""
    return " ".join(text.split())


@dataclass
class Case:
    """How the systematic layer exercises one check.

    check:    the check, called as ``run(student)``; ``run`` defaults to ``check`` itself.
    correct:  a right answer; the check must accept it.
    mutable:  arguments of the student's function (positions or names) that the student must
              leave unchanged; for each, a right answer that changes it in place is planted.
    returns:  ``(convert, words)`` pairs: a right answer whose result goes through ``convert``
              (to a list, to float32, to NumPy...) must be rejected with a message holding ``words``.
    rng:      the argument (position or name) holding a random generator, if the function draws
              random numbers: a right answer fed another generator must be rejected.
    rng_words: words the message for a replaced generator must hold.
    """

    check: Callable
    correct: Callable
    mutable: Sequence[int | str] = ()
    returns: Sequence[tuple[Callable[[Any], Any], str]] = ()
    rng: int | str | None = None
    rng_words: str = "generator"
    run: Callable | None = None
    id: str = ""
    extra: dict = field(default_factory=dict)

    def __call__(self, student: Callable) -> None:
        (self.run or self.check)(student)

    @property
    def name(self) -> str:
        return self.id or self.check.__name__


def _locate(func: Callable, args: tuple, kwargs: dict, where: int | str) -> tuple[str, Any]:
    """Find the argument ``where`` (a position or a name) of a call; ("", None) if absent."""
    try:
        bound = inspect.signature(func).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        bound = None
    if isinstance(where, int):
        if where < len(args):
            return f"position {where}", args[where]
        if bound is not None:
            names = list(inspect.signature(func).parameters)
            if where < len(names) and names[where] in kwargs:
                return names[where], kwargs[names[where]]
        return "", None
    if where in kwargs:
        return where, kwargs[where]
    if bound is not None and where in bound.arguments:
        return where, bound.arguments[where]
    return "", None


def _disturb(value: Any) -> bool:
    """Change ``value`` in place, as a careless student would; False if it cannot be changed."""
    import torch
    if isinstance(value, np.ndarray) and value.size and value.flags.writeable:
        value.flat[0] = value.flat[0] + 1 if value.dtype != bool else not value.flat[0]
        return True
    if isinstance(value, torch.Tensor) and value.numel():
        with torch.no_grad():
            if value.dtype == torch.bool:
                value.view(-1)[0] = ~value.view(-1)[0]
            else:
                value.view(-1)[0] += 1
        return True
    if isinstance(value, torch.nn.Module):
        params = list(value.parameters())
        if params:
            with torch.no_grad():
                params[0].view(-1)[0] += 1
            return True
        return False
    if isinstance(value, dict):
        return any(_disturb(v) for v in value.values()) or (value.update({"_extra": 0}) or True)
    if isinstance(value, list):
        if value and _disturb(value[0]):
            return True
        value.append(value[-1] if value else 0)
        return True
    return False


def mutating(correct: Callable, where: int | str) -> Callable:
    """A right answer that, after computing its result, changes argument ``where`` in place."""
    @functools.wraps(correct)
    def wrong(*args, **kwargs):
        result = correct(*args, **kwargs)
        _, value = _locate(correct, args, kwargs, where)
        _disturb(value)
        return result
    wrong.__name__ = f"{getattr(correct, '__name__', 'answer')}_changing_{where}"
    return wrong


def returning(correct: Callable, convert: Callable[[Any], Any]) -> Callable:
    """A right answer whose result goes through ``convert`` before it is returned."""
    @functools.wraps(correct)
    def wrong(*args, **kwargs):
        return convert(correct(*args, **kwargs))
    wrong.__name__ = f"{getattr(correct, '__name__', 'answer')}_returning_{convert.__name__}"
    return wrong


def other_generator(value: Any) -> Any:
    """A generator of the same kind as ``value``, seeded differently."""
    import torch
    if isinstance(value, np.random.Generator):
        return np.random.default_rng(987_654_321)
    if isinstance(value, torch.Generator):
        return torch.Generator().manual_seed(987_654_321)
    if isinstance(value, (int, np.integer)):  # a seed
        return 987_654_321
    raise TypeError(f"not a generator: {type(value).__name__}")


def ignoring_generator(correct: Callable, where: int | str) -> Callable:
    """A right answer that draws from its own generator instead of the one it is given."""
    @functools.wraps(correct)
    def wrong(*args, **kwargs):
        name, value = _locate(correct, args, kwargs, where)
        if value is None:
            return correct(*args, **kwargs)
        args, kwargs = list(args), dict(kwargs)
        if name.startswith("position "):
            args[int(name.split()[1])] = other_generator(value)
        else:
            kwargs[name] = other_generator(value)
        return correct(*args, **kwargs)
    wrong.__name__ = f"{getattr(correct, '__name__', 'answer')}_ignoring_its_generator"
    return wrong


# Conversions the systematic layer plants; each names what the message must say.
def to_list(value):
    return value.tolist() if hasattr(value, "tolist") else list(value)


def to_numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def to_torch(value):
    import torch
    return torch.as_tensor(np.asarray(value))


def to_float32(value):
    return value.astype(np.float32) if isinstance(value, np.ndarray) else value.float()


def to_float64(value):
    return value.astype(np.float64) if isinstance(value, np.ndarray) else value.double()


def to_int32(value):
    import torch
    return value.astype(np.int32) if isinstance(value, np.ndarray) else value.to(torch.int32)
