"""Binary addition as a sequence task: the data of Lab 01.

Two numbers a and b are written in binary, least significant bit first, and read one bit
pair per time step: at step t = 1, ..., T the input holds the bits of a and b worth
2**(t - 1), and the target is the bit of a + b worth 2**(t - 1). Reading from the least
significant end is what makes the task learnable step by step: the carry flows forward in
time, so the network only needs to remember one bit of state.

With operands below 128 (7 bits) every sum fits in 8 bits, so T = 8 steps suffice.

Shapes (time-major, as in :mod:`course_utils.numpy_rnn` and ``nn.RNN``; B sums in a batch).
Arrays count from 0, so step t is index i = t - 1:

    X  (T, B, 2)   X[i, n] = (the bits worth 2**i of a_n and of b_n)
    Y  (T, B, 1)   Y[i, n, 0] = the bit worth 2**i of a_n + b_n

Held-out sums: :func:`held_out_indices` fixes a seeded eighth of all pairs (2,048 of the
16,384 for 8 bits) that :func:`training_batch` never draws, so a lab can measure accuracy
on sums its network has never seen. :func:`random_batch` draws from all pairs.

Every public function checks its arguments and raises TypeError or ValueError naming the
argument and the value it expects.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from course_utils._arrays import float_array

NUM_BITS = 8
OPERAND_LIMIT = 2 ** (NUM_BITS - 1)    # 128: operands are 0..127, so a + b <= 254 fits in 8 bits
NUM_PAIRS = OPERAND_LIMIT ** 2         # 16,384
HELD_OUT_SEED = 128                    # seeds the choice of the held-out sums
NUM_HELD_OUT = NUM_PAIRS // 8          # 2,048 sums that training_batch never draws


def _num_bits(num_bits) -> int:
    if isinstance(num_bits, bool) or not isinstance(num_bits, (int, np.integer)):
        raise TypeError(f"num_bits must be an integer between 1 and 62, got {num_bits!r}.")
    if not 1 <= num_bits <= 62:
        raise ValueError(f"num_bits must be an integer between 1 and 62, got {num_bits!r}.")
    return int(num_bits)


def _integers(name: str, values, upper: int) -> np.ndarray:
    """``values`` as an int64 array, every entry in [0, upper); raise naming ``name`` otherwise."""
    if isinstance(values, (str, bytes, bool)) or values is None:
        raise TypeError(f"{name} must be an integer in 0..{upper - 1} or an array of them, "
                        f"got {type(values).__name__}.")
    array = np.asarray(values)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise TypeError(f"{name} must hold integers in 0..{upper - 1}, got dtype {array.dtype}.")
    array = array.astype(np.int64)
    if array.size and (array.min() < 0 or array.max() >= upper):
        raise ValueError(f"{name} must lie in 0..{upper - 1}, got values from {array.min()} "
                         f"to {array.max()}.")
    return array


def _single_integer(name: str, value, upper: int) -> int:
    """``value`` as one Python int in [0, upper), or raise naming ``name``."""
    array = _integers(name, value, upper)
    if array.ndim != 0:
        raise TypeError(f"{name} must be a single integer in 0..{upper - 1}, got an array of "
                        f"shape {array.shape}.")
    return int(array)


def int_to_bits(values, num_bits: int = NUM_BITS) -> np.ndarray:
    """The binary digits of ``values``, least significant bit first.

    values: an int or an int array of any shape (empty included), each in 0..2**num_bits - 1
    ->  an int64 array of shape values.shape + (num_bits,) holding 0s and 1s.
    Example: int_to_bits(6, 4) -> [0, 1, 1, 0] (6 = 0*1 + 1*2 + 1*4 + 0*8).
    """
    num_bits = _num_bits(num_bits)
    values = _integers("values", values, 2 ** num_bits)
    return (values[..., None] >> np.arange(num_bits)) & 1


def bits_to_int(bits) -> np.ndarray | int:
    """Inverse of :func:`int_to_bits`: bits (..., num_bits), least significant first -> ints (...).

    Entries must be 0 or 1 (floats equal to 0.0 or 1.0 are accepted). A single bit
    vector gives a Python int; bits of shape (0, num_bits) give an empty int64 array.
    """
    if isinstance(bits, (str, bytes, dict, set)) or bits is None:
        raise TypeError(f"bits must be an array of 0s and 1s, got {type(bits).__name__}.")
    array = np.asarray(bits)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"bits must be an array of 0s and 1s, got dtype {array.dtype}.")
    if array.ndim == 0 or array.shape[-1] == 0:
        raise ValueError(f"bits must have at least one dimension holding the bits, got shape "
                         f"{array.shape}.")
    if array.shape[-1] > 62:
        raise ValueError(f"bits must hold at most 62 bits on its last axis, got {array.shape[-1]}.")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError("bits must contain only 0s and 1s; round probabilities first "
                         "(e.g. ys > 0.5).")
    result = (array.astype(np.int64) << np.arange(array.shape[-1])).sum(axis=-1)
    return int(result) if result.ndim == 0 else result


def encode_pairs(a, b, num_bits: int = NUM_BITS) -> tuple[np.ndarray, np.ndarray]:
    """The sequences for the sums a + b: inputs X (T, B, 2) and targets Y (T, B, 1), T = num_bits.

    a, b: ints or 1-D int arrays of the same length B >= 1, each in 0..2**(num_bits - 1) - 1
    (so that a + b fits in num_bits bits). Bits are least significant first, as float64.
    """
    num_bits = _num_bits(num_bits)
    limit = 2 ** (num_bits - 1)
    a = np.atleast_1d(_integers("a", a, limit))
    b = np.atleast_1d(_integers("b", b, limit))
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"a and b must be ints or 1-D arrays of the same length, got shapes "
                         f"{a.shape} and {b.shape}.")
    if a.size == 0:
        raise ValueError("a and b must hold at least one number each, got two empty arrays.")
    bits_a = int_to_bits(a, num_bits).T                      # (T, B)
    bits_b = int_to_bits(b, num_bits).T
    X = np.stack([bits_a, bits_b], axis=-1).astype(float)    # (T, N, 2)
    Y = int_to_bits(a + b, num_bits).T[..., None].astype(float)   # (T, N, 1)
    return X, Y


def _batch(name: str, value, last: int) -> np.ndarray:
    """``value`` as a float array of shape (T, B, last) with T, B >= 1, or raise naming ``name``."""
    shape = f"(T, B, {last})"
    array = float_array(name, value, shape)
    if array.shape[2] != last:
        raise ValueError(f"{name} must be a float array of shape {shape}, got shape {array.shape}.")
    return array


def decode_inputs(X) -> tuple[np.ndarray, np.ndarray]:
    """The operands of a batch: X (T, B, 2) of 0s and 1s -> (a, b), two int arrays of shape (B,)."""
    array = _batch("X", X, 2)
    if not np.all((array == 0) | (array == 1)):
        raise ValueError("X must hold only 0s and 1s (the operands' bits).")
    return bits_to_int(array[:, :, 0].T), bits_to_int(array[:, :, 1].T)


def decode_outputs(ys, threshold: float = 0.5) -> np.ndarray:
    """The numbers a network wrote: ys (T, B, 1) probabilities (or targets) -> ints (B,).

    Each output is read as bit 1 when it is above ``threshold``.
    """
    array = _batch("ys", ys, 1)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise ValueError(f"threshold must be a number strictly between 0 and 1, got {threshold!r}.")
    return bits_to_int((array[:, :, 0] > threshold).T.astype(np.int64))


def _generator(rng) -> np.random.Generator:
    """``rng`` if it is a NumPy Generator, a new one if it is a non-negative integer seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be a numpy Generator or a non-negative integer seed, "
                        f"got {type(rng).__name__} {rng!r}.")
    if rng < 0:
        raise ValueError(f"rng must be a numpy Generator or a non-negative integer seed, "
                         f"got {rng!r}.")
    return np.random.default_rng(int(rng))


def _batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    return int(batch_size)


def random_batch(batch_size: int, rng: np.random.Generator | int = 0,
                 num_bits: int = NUM_BITS) -> tuple[np.ndarray, np.ndarray]:
    """B = batch_size random sums with operands in 0..2**(num_bits-1) - 1 -> (X (T, B, 2), Y (T, B, 1)).

    Draws from **all** pairs, the held-out ones included (to train, use
    :func:`training_batch`). ``rng`` is a NumPy Generator (pass the same one on every call
    to get fresh batches) or an integer seed.
    """
    batch_size = _batch_size(batch_size)
    rng = _generator(rng)
    num_bits = _num_bits(num_bits)
    limit = 2 ** (num_bits - 1)
    a = rng.integers(0, limit, size=batch_size)
    b = rng.integers(0, limit, size=batch_size)
    return encode_pairs(a, b, num_bits)


@lru_cache(maxsize=None)
def _split(num_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(held-out indices, training indices) of all pairs, both sorted and read-only."""
    pairs = 4 ** (num_bits - 1)
    held = np.sort(np.random.default_rng(HELD_OUT_SEED).choice(pairs, pairs // 8, replace=False))
    kept = np.setdiff1d(np.arange(pairs), held)
    for array in (held, kept):
        array.flags.writeable = False
    return held, kept


def _pair_count(num_bits) -> int:
    """``num_bits`` checked for a split of all pairs: 3 to 15 (16 to 4**14 pairs, an eighth held out)."""
    num_bits = _num_bits(num_bits)
    if not 3 <= num_bits <= 15:
        raise ValueError(f"num_bits must be between 3 and 15 for held-out sums (an eighth of "
                         f"4**(num_bits-1) pairs), got {num_bits}.")
    return num_bits


def held_out_indices(num_bits: int = NUM_BITS) -> np.ndarray:
    """The sums training never draws: a sorted int64 array of pair indices, (N_held,).

    Index i stands for a + b with a = i // 2**(num_bits - 1) and b = i % 2**(num_bits - 1),
    the order of :func:`all_pairs`. They are an eighth of all pairs (2,048 of 16,384 for
    8 bits), chosen uniformly at random with seed :data:`HELD_OUT_SEED`, so every run and
    every machine holds out the same sums. The array is read-only.
    """
    return _split(_pair_count(num_bits))[0]


def held_out_pairs(num_bits: int = NUM_BITS) -> tuple[np.ndarray, np.ndarray]:
    """The held-out sums as one batch: X (T, N_held, 2), Y (T, N_held, 1), N_held = 2,048 for 8 bits."""
    num_bits = _pair_count(num_bits)
    a, b = np.divmod(_split(num_bits)[0], 2 ** (num_bits - 1))
    return encode_pairs(a, b, num_bits)


def training_batch(batch_size: int, rng: np.random.Generator | int = 0,
                   num_bits: int = NUM_BITS) -> tuple[np.ndarray, np.ndarray]:
    """B = batch_size sums drawn from the training pairs only -> (X (T, B, 2), Y (T, B, 1)).

    Each sum is drawn uniformly, with replacement, from the pairs that
    :func:`held_out_indices` does not hold out (14,336 for 8 bits), with one call
    ``rng.integers(0, N_train, size=B)``. ``rng`` is a NumPy Generator (pass the same one on
    every call to get fresh batches) or an integer seed.
    """
    batch_size = _batch_size(batch_size)
    rng = _generator(rng)
    num_bits = _pair_count(num_bits)
    kept = _split(num_bits)[1]
    a, b = np.divmod(kept[rng.integers(0, len(kept), size=batch_size)], 2 ** (num_bits - 1))
    return encode_pairs(a, b, num_bits)


def all_pairs(num_bits: int = NUM_BITS) -> tuple[np.ndarray, np.ndarray]:
    """Every sum a + b with a, b in 0..127: X (8, 16384, 2), Y (8, 16384, 1).

    Sum i of the batch is a + b with a = i // 128 and b = i % 128. (Other ``num_bits`` give the same for
    operands below 2**(num_bits - 1).)
    """
    num_bits = _num_bits(num_bits)
    if num_bits > 15:
        raise ValueError(f"num_bits must be at most 15 for all_pairs (4**(num_bits-1) pairs), "
                         f"got {num_bits}.")
    limit = 2 ** (num_bits - 1)
    a, b = np.divmod(np.arange(limit * limit), limit)
    return encode_pairs(a, b, num_bits)


def format_sum(a: int, b: int, predicted: int | None = None, num_bits: int = NUM_BITS) -> str:
    """The sum a + b written out in bits, least significant bit first, for printing.

    With ``predicted`` (the number a network wrote) a fourth line shows its bits and
    whether they are right.
    """
    num_bits = _num_bits(num_bits)
    limit = 2 ** (num_bits - 1)
    a = _single_integer("a", a, limit)
    b = _single_integer("b", b, limit)
    width = len(str(2 ** num_bits - 1))

    def row(label: str, value: int) -> str:
        bits = " ".join(str(bit) for bit in int_to_bits(value, num_bits))
        return f"{label:>9} = {value:>{width}}  ->  {bits}"

    lines = [f"{'':>9}   {'':>{width}}      " + " ".join(str(i % 10) for i in range(num_bits))
             + "   (index i: the bit worth 2**i, least significant first)",
             row("a", a), row("b", b), row("a + b", a + b)]
    if predicted is not None:
        predicted = _single_integer("predicted", predicted, 2 ** num_bits)
        mark = "right" if predicted == a + b else "WRONG"
        lines.append(row("network", predicted) + f"   {mark}")
    return "\n".join(lines)
