"""MNIST-1D, generated offline: 4,000 training and 1,000 test signals of 40 steps, 10 classes.

MNIST-1D (Greydanus, "Scaling down deep learning", 2020, arXiv:2011.14439; published as
Greydanus and Kobak, "Scaling Down Deep Learning with MNIST-1D", ICML 2024) turns ten
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

#: Test accuracy on the default split, from the MNIST-1D paper and README (Greydanus 2020;
#: Greydanus and Kobak 2024).
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
#: outputs all feed a linear read-out. :func:`published_model` rebuilds each one, and the
#: tests count their parameters against this table.
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


def published_model(name: str):
    """The paper's model ``name`` (a key of :data:`PUBLISHED_ACCURACY` but the human expert),
    rebuilt from the layer sizes of the mnist1d repository's ``notebooks/models.py``.

    Each maps signals ``(B, 40)`` to logits ``(B, 10)``: "logistic regression" is one linear
    layer; "MLP" two hidden layers of 100 ReLU units, the second added to the first (a
    residual connection, as in the repository); "CNN" three convolutions of 25 channels
    (kernel sizes 5, 3, 3, stride 2, one zero of padding) and a linear layer on the 125
    flattened features; "GRU" a bidirectional GRU of 6 units whose 40 outputs, flattened to
    480 numbers, feed one linear layer. Freshly initialised by PyTorch's defaults.
    """
    from torch import nn

    class Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(40, 10)

        def forward(self, x):
            return self.linear(x)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1, self.linear2 = nn.Linear(40, 100), nn.Linear(100, 100)
            self.linear3 = nn.Linear(100, 10)

        def forward(self, x):
            h = self.linear1(x).relu()
            return self.linear3(h + self.linear2(h).relu())

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([nn.Conv1d(1, 25, 5, stride=2, padding=1),
                                        nn.Conv1d(25, 25, 3, stride=2, padding=1),
                                        nn.Conv1d(25, 25, 3, stride=2, padding=1)])
            self.linear = nn.Linear(125, 10)

        def forward(self, x):
            h = x.unsqueeze(1)                      # (B, 1, 40) -> 19 -> 10 -> 5 steps
            for conv in self.convs:
                h = conv(h).relu()
            return self.linear(h.flatten(1))

    class GRU(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(1, 6, batch_first=True, bidirectional=True)
            self.linear = nn.Linear(2 * 6 * 40, 10)

        def forward(self, x):
            output, _ = self.gru(x.unsqueeze(-1))   # (B, 40, 12): every step, both directions
            return self.linear(output.flatten(1))

    models = {"logistic regression": Logistic, "MLP": MLP, "CNN": CNN, "GRU": GRU}
    if name not in models:
        raise ValueError(f"name must be one of {sorted(models)}, got {name!r}.")
    return models[name]()


def variable_length_signals(signals: np.ndarray, *, min_length: int = 24, max_length: int = 40,
                            multiple: int = 4, seed: int = 0) -> list:
    """The same signals drawn at random speeds: each resampled to its own length.

    Every signal of ``signals`` ``(N, T)`` is linearly interpolated to a length drawn
    uniformly from the multiples of ``multiple`` in ``[min_length, max_length]``, so the
    whole digit is still there, only stretched or squeezed. Returns a list of N float32
    1-D tensors (a batch of them needs padding). Seeded: the same call gives the same lengths.
    """
    import torch

    try:
        signals = np.asarray(signals, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("signals must be an array of numbers of shape (N, T), got "
                        f"{type(signals).__name__}.") from None
    if signals.ndim != 2 or signals.size == 0:
        raise ValueError(f"signals must have shape (N, T) with N, T >= 1, got {signals.shape}.")
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
