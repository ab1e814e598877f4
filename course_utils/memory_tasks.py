"""Long-range memory tasks: sequences whose answer depends on something seen long ago.

* :func:`adding_problem`: a sequence of T numbers from U(0, 1), two of them marked, one in each
  half; the target is the sum a + b of the two. This is the form of Arjovsky, Shah and Bengio
  (2016, "Unitary evolution recurrent neural networks", ICML; ``generate_data`` in their code,
  github.com/amarshah/complex_RNN, adding_problem.py). Hochreiter and Schmidhuber (1997), who
  introduced the task, mark one of the first ten steps and one of the first T/2 - 1, so both
  numbers are old at the end; their numbers lie in [-1, 1], the length is drawn from
  [T, T + T/10], the first and last steps carry a -1 marker and the target is rescaled to
  [0, 1] (idsia.ch/~juergen/nipslstm/node4.html). The one-number shortcut below exists only
  because the second mark here is in the second half. Predicting the constant
  1.0 scores a mean squared error of Var(a + b) = 2/12 = 1/6 ≈ 0.167
  (:data:`ADDING_BASELINE_MSE`). Remembering only one of the two numbers and predicting it
  plus 0.5 scores Var(a) = 1/12 ≈ 0.083 (:data:`ADDING_ONE_NUMBER_MSE`): the second number
  is at most T/2 - 1 steps old at the end, so beating 1/6 needs only that short memory; going
  below 1/12 needs the first number too, seen T/2 to T - 1 steps before the end.
  :func:`marked_values` returns the two numbers, to compute these references on any data.
* :func:`copy_task` (Hochreiter and Schmidhuber 1997; Graves et al. 2014): read a few symbols,
  wait, then write them back after a "go" marker. A cell without memory can do no better than
  guess the symbols: :func:`copy_task_baseline`.

Everything is generated from a seed, so the same call returns the same data.
"""
from __future__ import annotations

import math
import numbers

import torch

ADDING_BASELINE_MSE = 1.0 / 6.0
"""MSE of always predicting 1.0 on the adding problem: Var(a + b) for a, b ~ U(0, 1)."""

ADDING_ONE_NUMBER_MSE = 1.0 / 12.0
"""MSE of the best prediction from one of the two numbers alone, b + 0.5: Var(a) = 1/12."""

BLANK = 0
"""The copy task's blank token; symbols are 1..n_symbols and the "go" marker n_symbols + 1."""


def _positive_int(name: str, value: object, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def _generator(seed: int) -> torch.Generator:
    seed = _positive_int("seed", seed, minimum=0)
    if seed >= 2 ** 63:  # torch.Generator.manual_seed takes a signed 64-bit integer
        raise ValueError(f"seed must be below 2**63, got {seed}.")
    return torch.Generator().manual_seed(seed)


def adding_problem(n_samples: int, seq_len: int, *, seed: int = 0
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """Make ``n_samples`` sequences of the adding problem of length ``seq_len``.

    Returns ``x`` of shape (n_samples, seq_len, 2), float32, and ``y`` of shape
    (n_samples, 1). Channel 0 of ``x`` holds numbers drawn from U(0, 1); channel 1 is 1.0 at
    two positions and 0.0 elsewhere: one position in the first half of the sequence, one in
    the second. ``y`` is the sum of the two marked numbers. ``seq_len`` must be at least 2.
    ``TypeError`` for a size or ``seed`` that is not an integer, ``ValueError`` for one out of
    range; both name the argument.
    """
    n_samples = _positive_int("n_samples", n_samples)
    seq_len = _positive_int("seq_len", seq_len, minimum=2)
    g = _generator(seed)
    values = torch.rand(n_samples, seq_len, generator=g)
    half = seq_len // 2
    first = torch.randint(0, half, (n_samples,), generator=g)
    second = torch.randint(half, seq_len, (n_samples,), generator=g)
    marks = torch.zeros(n_samples, seq_len)
    rows = torch.arange(n_samples)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    x = torch.stack([values, marks], dim=-1)
    y = (values * marks).sum(dim=1, keepdim=True)
    return x, y


def marked_values(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The two marked numbers of each adding-problem sequence: ``(first, second)``.

    ``x``: (n_samples, seq_len, 2) as made by :func:`adding_problem`. Returns two tensors of
    shape (n_samples, 1): the number marked in the first half and the one marked in the
    second half, so ``first + second`` is the target. ``second + 0.5`` is the best prediction
    of a model that remembers only the most recent number (MSE 1/12 in expectation).
    Raises ``TypeError`` unless ``x`` is a floating-point tensor and ``ValueError`` unless it
    has that shape with exactly one mark in each half of every sequence.
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a floating-point torch.Tensor of shape (n_samples, seq_len, 2), "
                        f"got {type(x).__name__}"
                        f"{' of dtype ' + str(x.dtype) if isinstance(x, torch.Tensor) else ''}.")
    if x.ndim != 3 or x.shape[-1] != 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise ValueError(f"x must have shape (n_samples >= 1, seq_len >= 2, 2), got {tuple(x.shape)}.")
    half = x.shape[1] // 2
    marks = x[..., 1]
    if not (torch.all(marks[:, :half].sum(1) == 1) and torch.all(marks[:, half:].sum(1) == 1)
            and torch.all((marks == 0) | (marks == 1))):
        raise ValueError("x[..., 1] must mark exactly one step (1.0) in each half of every "
                         "sequence, as adding_problem makes it.")
    values = x[..., 0] * marks
    return values[:, :half].sum(1, keepdim=True), values[:, half:].sum(1, keepdim=True)


def _check_copy_sizes(seq_len: int, n_symbols: int, n_copy: int) -> tuple[int, int, int]:
    n_symbols = _positive_int("n_symbols", n_symbols)
    n_copy = _positive_int("n_copy", n_copy)
    seq_len = _positive_int("seq_len", seq_len)
    if seq_len < 2 * n_copy + 1:
        raise ValueError(f"seq_len must be at least 2 * n_copy + 1 = {2 * n_copy + 1} "
                         f"(symbols, the go marker, the answer), got {seq_len}.")
    return seq_len, n_symbols, n_copy


def copy_task(n_samples: int, seq_len: int, *, n_symbols: int = 8, n_copy: int = 5,
              seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Make ``n_samples`` sequences of the copy task, as integer tokens.

    Returns ``x`` and ``y``, both int64 of shape (n_samples, seq_len). ``x`` starts with
    ``n_copy`` random symbols in 1..n_symbols, then blanks (0), with the "go" marker
    ``n_symbols + 1`` at position ``seq_len - n_copy - 1``. ``y`` is blank everywhere except its
    last ``n_copy`` positions, which repeat the symbols in order. The gap between reading a
    symbol and writing it back is ``seq_len - n_copy`` steps, so ``seq_len`` must be at least
    ``2 * n_copy + 1``. One-hot encode with ``torch.nn.functional.one_hot(x, n_symbols + 2)``.
    ``TypeError`` for a size or ``seed`` that is not an integer, ``ValueError`` for one out of
    range; both name the argument.
    """
    n_samples = _positive_int("n_samples", n_samples)
    seq_len, n_symbols, n_copy = _check_copy_sizes(seq_len, n_symbols, n_copy)
    g = _generator(seed)
    symbols = torch.randint(1, n_symbols + 1, (n_samples, n_copy), generator=g)
    x = torch.full((n_samples, seq_len), BLANK, dtype=torch.long)
    y = torch.full((n_samples, seq_len), BLANK, dtype=torch.long)
    x[:, :n_copy] = symbols
    x[:, seq_len - n_copy - 1] = n_symbols + 1
    y[:, seq_len - n_copy:] = symbols
    return x, y


def copy_task_baseline(seq_len: int, *, n_symbols: int = 8, n_copy: int = 5) -> float:
    """Mean cross-entropy per step (nats) of the best model with no memory on :func:`copy_task`.

    It predicts the blanks perfectly and guesses uniformly among the ``n_symbols`` on the
    ``n_copy`` answer steps: ``n_copy * ln(n_symbols) / seq_len``. Sizes are checked as in
    :func:`copy_task`.
    """
    seq_len, n_symbols, n_copy = _check_copy_sizes(seq_len, n_symbols, n_copy)
    return n_copy * math.log(n_symbols) / seq_len


__all__ = ["ADDING_BASELINE_MSE", "ADDING_ONE_NUMBER_MSE", "BLANK", "adding_problem", "copy_task",
           "copy_task_baseline", "marked_values"]
