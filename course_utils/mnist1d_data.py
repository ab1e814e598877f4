"""MNIST-1D, generated offline: 4,000 training and 1,000 test signals of 40 steps, 10 classes.

MNIST-1D (Greydanus, "Scaling down deep learning", 2020, arXiv:2011.14439) turns ten
hand-drawn 1-D digit templates into noisy signals by padding, scaling, translating,
shearing, adding correlated and white noise and resampling to 40 steps. The
``mnist1d`` package builds it procedurally; we call its generator with the default
arguments and seed, and never its download path.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Test accuracy on the default split, from the MNIST-1D paper and README (Greydanus 2020).
PUBLISHED_ACCURACY: dict[str, float] = {
    "logistic regression": 0.32,
    "MLP": 0.68,
    "CNN": 0.94,
    "GRU": 0.91,
    "human expert": 0.96,
}

#: Parameter counts of the paper's models (the mnist1d repository's notebooks/models.py):
#: a linear layer; an MLP with two hidden layers of 100; a CNN of three strided conv layers
#: of 25 channels and a linear read-out; a bidirectional GRU of 6 hidden units whose 40
#: outputs all feed a linear read-out.
PUBLISHED_PARAMETERS: dict[str, int] = {"logistic regression": 410, "MLP": 15_210,
                                         "CNN": 5_210, "GRU": 5_134}

CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class MNIST1D:
    """The default MNIST-1D split as float32 signals and int64 labels."""

    x_train: np.ndarray  #: (4000, 40) signals, zero mean and unit variance overall
    y_train: np.ndarray  #: (4000,) digits 0-9
    x_test: np.ndarray   #: (1000, 40)
    y_test: np.ndarray   #: (1000,)
    t: np.ndarray        #: (40,) the sampling positions the generator used

    @property
    def length(self) -> int:
        """The number of time steps of every signal (40)."""
        return int(self.x_train.shape[1])


def _require_mnist1d():
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching
        raise ImportError("MNIST-1D needs the `mnist1d` package: run `pip install mnist1d` "
                          "(it generates the data offline; nothing is downloaded).") from exc
    return get_dataset_args, make_dataset


@lru_cache(maxsize=1)
def _generate() -> MNIST1D:
    get_dataset_args, make_dataset = _require_mnist1d()
    np_state, py_state = np.random.get_state(), random.getstate()
    try:  # the generator reseeds NumPy's and Python's global RNGs; leave them as we found them
        data = make_dataset(get_dataset_args())  # procedural: default args, seed 42
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    arrays = (data["x"].astype(np.float32), data["y"].astype(np.int64),
              data["x_test"].astype(np.float32), data["y_test"].astype(np.int64),
              np.asarray(data["t"], dtype=np.float32))
    for array in arrays:
        array.setflags(write=False)
    return MNIST1D(*arrays)


def load_mnist1d() -> MNIST1D:
    """Generate MNIST-1D's default split (4,000 train / 1,000 test) offline, in seconds.

    The data are identical on every call and every machine (the package's default seed);
    the result is cached in memory for the session and its arrays are read-only. Raises
    ``ImportError`` with the install command if the ``mnist1d`` package is missing.
    """
    return _generate()


def variable_length_signals(signals: np.ndarray, *, min_length: int = 24, max_length: int = 40,
                            multiple: int = 4, seed: int = 0) -> list:
    """The same signals drawn at random speeds: each resampled to its own length.

    Every signal of ``signals`` ``(N, T)`` is linearly interpolated to a length drawn
    uniformly from the multiples of ``multiple`` in ``[min_length, max_length]``, so the
    whole digit is still there, only stretched or squeezed. Returns a list of N float32
    1-D tensors (a batch of them needs padding). Seeded: the same call gives the same lengths.
    """
    import torch

    signals = np.asarray(signals, dtype=np.float64)
    if signals.ndim != 2:
        raise ValueError(f"signals must have shape (N, T), got {signals.shape}.")
    for name, value in (("min_length", min_length), ("max_length", max_length),
                        ("multiple", multiple), ("seed", seed)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}.")
    if multiple < 1 or min_length < multiple or min_length % multiple:
        raise ValueError(f"min_length must be a positive multiple of multiple={multiple}, "
                         f"got {min_length}.")
    if max_length < min_length or max_length % multiple:
        raise ValueError(f"max_length must be a multiple of {multiple} and >= min_length="
                         f"{min_length}, got {max_length}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}.")
    rng = np.random.default_rng(seed)
    lengths = multiple * rng.integers(min_length // multiple, max_length // multiple + 1,
                                      len(signals))
    source = np.linspace(0.0, 1.0, signals.shape[1])
    return [torch.from_numpy(np.interp(np.linspace(0.0, 1.0, n), source, x).astype(np.float32))
            for x, n in zip(signals, lengths)]
