"""Data, models, decisions and metrics of the ECG capstone (Lab 09).

The question, for every beat of a record: is its QRS complex widened (>= 0.12 s)? Every model
is scored on the same beats, located at their annotated R peaks (as beat-classification
benchmarks do), and every per-beat decision reads only the model's own outputs and the R
peak's position, never a class-dependent label such as the true QRS end.

Two kinds of model:

* a **window classifier** sees the record cut into fixed, non-overlapping windows
  (:func:`cut_windows`) and gives one answer per window (:func:`window_labels` are its
  targets): a dense layer over the whole window (:class:`WindowNet`) or the conv tagger's
  layers with a maximum over the window (:class:`PooledWindowNet`); a beat takes the score
  of the window that holds its R peak (:func:`window_beat_scores`);
* a **tagger** labels every sample (0 no QRS, 1 normal QRS, 2 widened QRS; the targets are
  :meth:`course_utils.ecg.ECGRecord.sample_labels`): a GRU (:class:`GRUTagger`), a causal
  1-D conv net (:class:`ConvTagger`), or a conv tagger that sees one fixed window at a time
  (:class:`WindowedTagger`). A beat's score is the share of "widened" in the probability of
  "QRS" within a fixed span around its R peak (:func:`beat_scores`).

A beat is called widened when its score is at least a threshold chosen on validation
records only (:func:`select_and_score`). All models train with one recipe (:func:`train`).
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from course_utils import style
from course_utils.ecg import NORMAL_QRS, WIDE_BEATS, WIDE_QRS, ECGRecord, generate_ecg

#: Heart-rate bands (bpm) of the lab: the training range and the bands outside it.
TRAIN_RATES: tuple[float, float] = (60.0, 100.0)
SLOW_RATES: tuple[float, float] = (40.0, 50.0)
FAST_RATES: tuple[float, float] = (130.0, 150.0)
BANDS: dict[str, tuple[float, float]] = {
    "40-50 bpm": SLOW_RATES, "60-100 bpm": TRAIN_RATES, "110-125 bpm": (110.0, 125.0),
    "130-150 bpm": FAST_RATES, "160-180 bpm": (160.0, 180.0)}
#: Half-width (samples) of the span around an R peak that :func:`beat_scores` reads: 12
#: samples = 96 ms at 125 Hz, enough for any QRS of the lab (at most 80 ms on each side of
#: R) and short of the next beat's QRS up to 180 bpm.
HALF_WIDTH: int = 12


# --------------------------------------------------------------------------- argument checks
def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"seed must be a non-negative integer, got {type(value).__name__} "
                        f"{value!r}.")
    if value < 0:
        raise ValueError(f"seed must be a non-negative integer, got {value!r}.")
    return int(value)


def _rates(name: str, value) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(
            isinstance(v, Real) and not isinstance(v, bool) for v in value):
        raise TypeError(f"{name} must be a pair (low, high) of numbers in bpm, got {value!r}.")
    low, high = float(value[0]), float(value[1])
    if not 20 <= low <= high <= 300:
        raise ValueError(f"{name} must satisfy 20 <= low <= high <= 300 bpm, got {value!r}.")
    return low, high


def _record(name: str, value) -> ECGRecord:
    if not isinstance(value, ECGRecord):
        raise TypeError(f"{name} must be an ECGRecord (from make_records or generate_ecg), "
                        f"got {type(value).__name__}.")
    return value


def _records(name: str, value) -> list[ECGRecord]:
    if isinstance(value, ECGRecord) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of ECGRecord, got {type(value).__name__}.")
    if not value:
        raise ValueError(f"{name} must hold at least one ECGRecord.")
    for i, rec in enumerate(value):
        _record(f"{name}[{i}]", rec)
    return list(value)


def _array(name: str, value, *, ndim: int, dtype=float) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if not isinstance(value, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be an array, got {type(value).__name__}.")
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers, got {value!r:.60}.") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}.")
    return array


def _one_window(what: str, length: int, width: int) -> None:
    if length < width:
        raise ValueError(f"{what} has {length} samples, fewer than one window of width = {width}: "
                         "give a width of at most that many samples.")


def _signals(x, *, min_length: int = 1) -> torch.Tensor:
    """The input of a model: a floating-point tensor (B, T) of signals in mV."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of signals (B, T), got {type(x).__name__}.")
    if x.dim() != 2 or x.shape[1] < min_length:
        raise ValueError(f"x must have shape (B, T) with T >= {min_length}: one signal per row, "
                         f"got shape {tuple(x.shape)}.")
    if not x.is_floating_point():
        raise TypeError(f"x must hold floats (mV), got dtype {x.dtype}.")
    return x


def _truth_and_scores(prefix: str, scores, truth) -> tuple[np.ndarray, np.ndarray]:
    s = _array(f"{prefix}_scores", scores, ndim=1)
    t = _array(f"{prefix}_truth", truth, ndim=1)
    if s.shape != t.shape:
        raise ValueError(f"{prefix}_scores and {prefix}_truth must have one entry per beat, got "
                         f"{len(s)} and {len(t)}.")
    if not len(t):
        raise ValueError(f"{prefix}_truth must hold at least one beat.")
    if not np.isin(t, (0, 1)).all():
        raise ValueError(f"{prefix}_truth must hold classes 0 (normal) and 1 (widened) only.")
    if not np.isfinite(s).all():
        raise ValueError(f"{prefix}_scores must be finite.")
    return s, t.astype(np.int64)


# --------------------------------------------------------------------------- records
def make_records(n: int, heart_rates: Sequence[float] = TRAIN_RATES, *, duration: float = 9.0,
                 sampling_rate: float = 125.0, wide_fraction: float = 0.3,
                 wide_beats: str = "random", seed: int = 0) -> list[ECGRecord]:
    """Generate ``n`` labelled ECG records with a mix of normal and widened beats.

    Each record draws its mean heart rate uniformly from ``heart_rates`` (bpm), its normal QRS
    duration from 0.06-0.10 s and its widened one from 0.12-0.16 s; a beat is widened with
    probability ``wide_fraction``, as ``wide_beats`` says (see
    :func:`course_utils.ecg.generate_ecg`: "random" widens beats independently, "pvc" makes
    them premature ventricular complexes). Beat-to-beat variability (5%), baseline wander
    (0.05 mV) and noise (0.02 mV) make every record different. The same seed gives the same
    records.

    Raises:
        TypeError, ValueError: an argument of the wrong type or out of range, named.
    """
    n = _positive_int("n", n)
    low, high = _rates("heart_rates", heart_rates)
    seed = _seed(seed)
    if wide_beats not in WIDE_BEATS:
        raise ValueError(f"wide_beats must be one of {WIDE_BEATS}, got {wide_beats!r}.")
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n):
        records.append(generate_ecg(
            duration, heart_rate=float(rng.uniform(low, high)),
            qrs_duration=float(rng.uniform(*NORMAL_QRS)), sampling_rate=sampling_rate,
            hr_variability=0.05, wide_fraction=wide_fraction,
            wide_qrs_duration=float(rng.uniform(WIDE_QRS, 0.16)), wide_beats=wide_beats,
            baseline_wander=0.05, noise=0.02, seed=seed * 100_003 + i))
    return records


def dense_labels(record: ECGRecord) -> np.ndarray:
    """Per-sample labels (T,) int64 of one record: 0 outside any QRS, 1 inside a normal QRS,
    2 inside a widened one, for every QRS in the record (:meth:`ECGRecord.sample_labels`)."""
    return _record("record", record).sample_labels()


def step_targets(records: Sequence[ECGRecord]) -> tuple[torch.Tensor, torch.Tensor]:
    """Signals (N, T) float32 in mV and per-sample labels (N, T) int64 (0 no QRS, 1 normal
    QRS, 2 widened QRS, from :meth:`ECGRecord.sample_labels`) of records of equal length."""
    records = _records("records", records)
    for i, rec in enumerate(records):
        if len(rec.signal) != len(records[0].signal):
            raise ValueError(f"records must have equal lengths: records[0] has "
                             f"{len(records[0].signal)} samples, records[{i}] {len(rec.signal)}.")
    x = torch.tensor(np.stack([r.signal for r in records]), dtype=torch.float32)
    y = torch.tensor(np.stack([r.sample_labels() for r in records]), dtype=torch.long)
    return x, y


# --------------------------------------------------------------------------- fixed windows
def cut_windows(signal: torch.Tensor, width: int) -> torch.Tensor:
    """Cut a 1-D signal into consecutive, non-overlapping windows: (T,) -> (T // width, width).

    Window i holds samples i * width to (i + 1) * width - 1; a last, partial window is dropped.
    """
    if not isinstance(signal, torch.Tensor):
        raise TypeError(f"signal must be a torch.Tensor, got {type(signal).__name__}.")
    if signal.dim() != 1:
        raise ValueError(f"signal must be 1-D (T,), got shape {tuple(signal.shape)}.")
    width = _positive_int("width", width)
    n = len(signal) // width
    return signal[:n * width].reshape(n, width)


def window_labels(record: ECGRecord, width: int) -> torch.Tensor:
    """One label per full window of ``width`` samples, int64: -1 if no R peak lies in it
    (left out of training), 1 if a widened beat's R peak does, else 0 (normal beats only)."""
    record = _record("record", record)
    width = _positive_int("width", width)
    labels = torch.full((len(record.signal) // width,), -1, dtype=torch.long)
    for r, cls in zip(record.waves["R"], record.beat_class):
        k = int(r) // width
        if k < len(labels):
            labels[k] = max(int(labels[k]), int(cls))
    return labels


def window_beat_scores(window_scores, record: ECGRecord, width: int) -> np.ndarray:
    """Per-beat score (n_beats,) from one score per full window (the probability that the
    window is widened): each beat takes the score of the window holding its R peak. A beat
    whose R peak lies in the dropped partial window takes the last full window's score."""
    record = _record("record", record)
    width = _positive_int("width", width)
    _one_window("record", len(record.signal), width)
    scores = _array("window_scores", window_scores, ndim=1)
    if len(scores) != len(record.signal) // width:
        raise ValueError(f"window_scores must have one score per full window "
                         f"({len(record.signal) // width}), got {len(scores)}.")
    return scores[np.minimum(record.waves["R"] // width, len(scores) - 1)]


def shares_window(r_peaks, width: int) -> np.ndarray:
    """For each R peak (sample indices, in time order): True if another R peak of the same
    record lies in the same fixed window of ``width`` samples (window = index // width)."""
    r = _array("r_peaks", r_peaks, ndim=1)
    if not np.array_equal(r, np.round(r)):
        raise TypeError(f"r_peaks must hold integer sample indices, got {r[r != np.round(r)][0]!r}.")
    r = r.astype(np.int64)
    width = _positive_int("width", width)
    if (r < 0).any():
        raise ValueError("r_peaks must be sample indices (>= 0).")
    window = r // width
    return np.bincount(window)[window] > 1 if len(r) else np.zeros(0, dtype=bool)


# --------------------------------------------------------------------------- models
class WindowNet(torch.nn.Module):
    """The fixed-window classifier: two convolutions of kernel 5 with max pooling, then a
    linear layer over the whole window to 2 logits (normal, widened).
    ``forward(x)``: (B, width) in mV -> logits (B, 2). Its last layers have one weight per
    position, so it is built for one window length."""

    def __init__(self, width: int, channels: int = 16):
        super().__init__()
        width, channels = _positive_int("width", width), _positive_int("channels", channels)
        if width < 4:
            raise ValueError(f"width must be at least 4 samples (two poolings), got {width}.")
        self.width = width
        self.features = torch.nn.Sequential(
            torch.nn.Conv1d(1, channels, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool1d(2),
            torch.nn.Conv1d(channels, channels, 5, padding=2), torch.nn.ReLU(),
            torch.nn.MaxPool1d(2))
        self.classify = torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(channels * (width // 4), 32), torch.nn.ReLU(),
            torch.nn.Linear(32, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _signals(x)
        if x.shape[1] != self.width:
            raise ValueError(f"x must hold windows of {self.width} samples, got {x.shape[1]}.")
        return self.classify(self.features(x.unsqueeze(1)))


class PooledWindowNet(torch.nn.Module):
    """A window classifier built from the conv tagger's layers: the causal dilated convolutions
    of :class:`ConvTagger` (``channels``, ``kernel_size``, ``dilations``), a 1x1 convolution to
    2 logits (normal, widened) per sample, and the maximum of each logit over the window
    (max pooling over time, as in multiple-instance learning).
    ``forward(x)``: (B, width) in mV -> logits (B, 2). It has no weight tied to a position in
    the window (unlike :class:`WindowNet`'s dense layer), so it reads windows of any length."""

    def __init__(self, channels: int = 16, kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2, 4)):
        super().__init__()
        self.tagger = ConvTagger(channels, kernel_size, dilations)
        self.tagger.out = torch.nn.Conv1d(self.tagger.convs[-1].out_channels, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.tagger(x).amax(dim=1)


class GRUTagger(torch.nn.Module):
    """A per-sample tagger: a one-layer GRU over the signal and a linear layer to 3 logits
    (0 no QRS, 1 normal QRS, 2 widened QRS). ``forward(x)``: (B, T) in mV -> (B, T, 3).
    Causal: the output at step t reads samples 0..t only."""

    def __init__(self, hidden_size: int = 32):
        super().__init__()
        hidden_size = _positive_int("hidden_size", hidden_size)
        self.gru = torch.nn.GRU(1, hidden_size, batch_first=True)
        self.out = torch.nn.Linear(hidden_size, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.gru(_signals(x).unsqueeze(-1))
        return self.out(states)


class ConvTagger(torch.nn.Module):
    """A causal 1-D conv tagger: ``len(dilations)`` convolutions of ``kernel_size`` with
    ReLU, the i-th dilated by ``dilations[i]`` and padded on the left only, then a 1x1
    convolution to 3 logits. ``forward(x)``: (B, T) -> (B, T, 3); the output at step t reads
    samples t - receptive_field + 1 .. t (van den Oord et al. 2016, WaveNet's causal dilated
    convolutions)."""

    def __init__(self, channels: int = 16, kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2, 4)):
        super().__init__()
        channels = _positive_int("channels", channels)
        self.kernel_size = _positive_int("kernel_size", kernel_size)
        if not isinstance(dilations, (tuple, list)) or not dilations:
            raise TypeError(f"dilations must be a non-empty tuple of positive integers, got "
                            f"{dilations!r}.")
        self.dilations = tuple(_positive_int(f"dilations[{i}]", d) for i, d in enumerate(dilations))
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv1d(1 if i == 0 else channels, channels, self.kernel_size, dilation=d)
            for i, d in enumerate(self.dilations))
        self.out = torch.nn.Conv1d(channels, 3, 1)

    @property
    def receptive_field(self) -> int:
        """Samples each output reads: 1 + (kernel_size - 1) * sum(dilations)."""
        return 1 + (self.kernel_size - 1) * sum(self.dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = _signals(x).unsqueeze(1)
        for conv, d in zip(self.convs, self.dilations):
            h = torch.relu(conv(F.pad(h, ((self.kernel_size - 1) * d, 0))))
        return self.out(h).transpose(1, 2)


class WindowedTagger(torch.nn.Module):
    """A tagger that sees one fixed window at a time: the input (B, T) is cut into
    consecutive windows of ``width`` samples (and a last, shorter one), ``tagger`` labels
    each window on its own, and the outputs are put back in order: (B, T, 3). Nothing
    crosses a window border, as in the window classifier, but every sample gets a label."""

    def __init__(self, tagger: torch.nn.Module, width: int):
        super().__init__()
        if not isinstance(tagger, torch.nn.Module):
            raise TypeError(f"tagger must be a torch.nn.Module, got {type(tagger).__name__}.")
        self.tagger = tagger
        self.width = _positive_int("width", width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T = _signals(x).shape
        n = T // self.width
        out = self.tagger(x[:, :n * self.width].reshape(B * n, self.width)).reshape(
            B, n * self.width, -1)
        if T > n * self.width:
            out = torch.cat([out, self.tagger(x[:, n * self.width:])], dim=1)
        return out


# --------------------------------------------------------------------------- training
def random_crops(x: torch.Tensor, y: torch.Tensor, batch_size: int = 32, length: int = 250
                 ) -> Callable[[torch.Generator], tuple[torch.Tensor, torch.Tensor]]:
    """A batch sampler for taggers: ``sample(generator)`` returns ``batch_size`` random crops
    of ``length`` samples, (B, length) signals and (B, length) labels, from rows of x, y."""
    _pair(x, y, 2)
    batch_size, length = _positive_int("batch_size", batch_size), _positive_int("length", length)
    if length > x.shape[1]:
        raise ValueError(f"length must be at most the records' length {x.shape[1]}, got {length}.")

    def sample(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        rows = torch.randint(0, len(x), (batch_size,), generator=generator)
        start = int(torch.randint(0, x.shape[1] - length + 1, (1,), generator=generator))
        return x[rows, start:start + length], y[rows, start:start + length]
    return sample


def random_rows(x: torch.Tensor, y: torch.Tensor, batch_size: int = 32
                ) -> Callable[[torch.Generator], tuple[torch.Tensor, torch.Tensor]]:
    """A batch sampler for the window classifier: ``sample(generator)`` returns
    ``batch_size`` random rows of x (N, width) and y (N,)."""
    _pair(x, y, 1)
    batch_size = _positive_int("batch_size", batch_size)

    def sample(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        rows = torch.randint(0, len(x), (batch_size,), generator=generator)
        return x[rows], y[rows]
    return sample


def _pair(x, y, y_dim: int) -> None:
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}.")
    if x.dim() != 2 or y.dim() != y_dim or y.shape != x.shape[:y_dim] or not len(x):
        raise ValueError(f"x must be (N, T) and y {'(N, T)' if y_dim == 2 else '(N,)'} with "
                         f"N > 0, got {tuple(x.shape)} and {tuple(y.shape)}.")
    if not x.is_floating_point():
        raise TypeError(f"x must hold floats (the signals in mV), got dtype {x.dtype}.")
    if y.dtype != torch.long:
        raise TypeError(f"y must hold int64 class labels, got dtype {y.dtype}.")


def train(model: torch.nn.Module, sample: Callable[[torch.Generator], tuple], steps: int = 400,
          *, lr: float = 1e-2, class_weight: Sequence[float] | None = None,
          clip_norm: float = 1.0, seed: int = 0) -> list[float]:
    """Train ``model`` with the lab's one recipe and return the loss of every step.

    Each step draws a batch ``sample(generator)`` -> (x, y), computes the cross-entropy of
    the logits ``model(x)`` (..., K) against y (...), weighted per class by ``class_weight``,
    clips the gradient norm at ``clip_norm`` and takes an Adam step; the learning rate
    decays from ``lr`` to 0 on a cosine over ``steps`` (Loshchilov and Hutter 2017). The
    batches come from a generator seeded with ``seed``; the model ends in eval mode on the
    device of its parameters. Raises ``TypeError`` or ``ValueError`` naming the argument: a
    sample that does not return (x, y) with int64 y, a ``class_weight`` that is not one
    non-negative number per class, a model without parameters.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    if not callable(sample):
        raise TypeError(f"sample must be a function generator -> (x, y), got "
                        f"{type(sample).__name__}.")
    steps, seed = _positive_int("steps", steps), _seed(seed)
    for name, value in (("lr", lr), ("clip_norm", clip_norm)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a positive number, got {type(value).__name__} "
                            f"{value!r}.")
        if not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}.")
    if class_weight is not None and (
            not isinstance(class_weight, (tuple, list)) or not class_weight or not all(
                isinstance(w, Real) and not isinstance(w, bool) and w >= 0 for w in class_weight)):
        raise TypeError(f"class_weight must be a list of non-negative numbers, one per class, "
                        f"got {class_weight!r}.")
    parameters = list(model.parameters())
    if not parameters:
        raise ValueError("model has no parameters to train.")
    device = parameters[0].device
    weight = None if class_weight is None else torch.tensor(class_weight, dtype=torch.float32,
                                                            device=device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    losses = []
    for _ in range(steps):
        batch = sample(generator)
        if not isinstance(batch, tuple) or len(batch) != 2 or not all(
                isinstance(t, torch.Tensor) for t in batch) or batch[1].dtype != torch.long:
            raise TypeError(f"sample(generator) must return a pair (x, y) of tensors, y of "
                            f"int64 class labels, got {_describe(batch)}.")
        x, y = (t.to(device) for t in batch)
        logits = model(x)
        if weight is not None and len(weight) != logits.shape[-1]:
            raise ValueError(f"class_weight must hold one weight per class: the model gives "
                             f"{logits.shape[-1]} classes, class_weight {len(weight)}.")
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), weight=weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()
    return losses


def _describe(batch) -> str:
    if isinstance(batch, tuple):
        return "(" + ", ".join(f"tensor of dtype {t.dtype}" if isinstance(t, torch.Tensor)
                               else type(t).__name__ for t in batch) + ")"
    return type(batch).__name__


# --------------------------------------------------------------------------- per-beat decisions
def beat_scores(step_probs, record: ECGRecord, half_width: int = HALF_WIDTH) -> np.ndarray:
    """Per-beat score (n_beats,) from a tagger's per-sample probabilities (T, 3).

    For each beat, the span from ``half_width`` samples before its R peak to ``half_width``
    after it (clipped to the record) is read; the score is the sum of P(widened QRS) over
    the span divided by the sum of P(normal QRS) + P(widened QRS): the share of "widened" in
    what the model calls QRS there. The span is the same for every beat, so the decision
    reads only the model's outputs and the R peak's position, never the beat's class or
    its true QRS boundaries.
    """
    record = _record("record", record)
    probs = _array("step_probs", step_probs, ndim=2)
    if probs.shape != (len(record.signal), 3):
        raise ValueError(f"step_probs must have shape ({len(record.signal)}, 3): one row of 3 "
                         f"probabilities per sample, got {probs.shape}.")
    half_width = _positive_int("half_width", half_width)
    scores = np.empty(record.n_beats)
    for i, r in enumerate(record.waves["R"]):
        span = probs[max(int(r) - half_width, 0):int(r) + half_width + 1]
        scores[i] = span[:, 2].sum() / max(span[:, 1:].sum(), 1e-12)
    return scores


def abnormal_beat_metrics(y_true, y_pred) -> dict[str, float]:
    """Accuracy, sensitivity and specificity for widened (abnormal, class 1) beats.

    Sensitivity = TP / (TP + FN): the share of widened beats called widened.
    Specificity = TN / (TN + FP): the share of normal beats called normal.
    ``y_pred`` may be 0/1 or bool. NaN when a class is absent.
    """
    for name, value in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(value, (np.ndarray, list, tuple, torch.Tensor)):
            raise TypeError(f"{name} must be an array of 0/1 classes, one per beat, got "
                            f"{type(value).__name__}.")
    t, p = (np.asarray(v.detach().cpu() if isinstance(v, torch.Tensor) else v).reshape(-1)
            for v in (y_true, y_pred))
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {t.shape} and {p.shape}.")
    if len(t) == 0:
        raise ValueError("y_true must hold at least one beat.")
    for name, a in (("y_true", t), ("y_pred", p)):
        if not np.isin(a, (0, 1)).all():
            raise ValueError(f"{name} must hold classes 0 (normal) and 1 (widened) only.")
    t, p = t.astype(np.int64), p.astype(np.int64)
    tp, tn = int(((t == 1) & (p == 1)).sum()), int(((t == 0) & (p == 0)).sum())
    pos, neg = int((t == 1).sum()), int((t == 0).sum())
    return {"accuracy": (tp + tn) / len(t),
            "sensitivity": tp / pos if pos else float("nan"),
            "specificity": tn / neg if neg else float("nan")}


def balanced_accuracy(scores, truth, threshold: float) -> float:
    """(sensitivity + specificity) / 2 of the decisions ``scores >= threshold``."""
    s, t = _truth_and_scores("beat", scores, truth)
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or math.isnan(threshold):
        raise TypeError(f"threshold must be a number, got {threshold!r}.")
    m = abnormal_beat_metrics(t, s >= threshold)
    return (m["sensitivity"] + m["specificity"]) / 2


def choose_threshold(scores, truth) -> float:
    """The threshold that maximises (sensitivity + specificity) / 2 of ``scores >= threshold``
    on the given beats (both classes needed). Candidates lie halfway between consecutive
    distinct scores (and beyond both ends); of several best ones, the middle one."""
    s, t = _truth_and_scores("beat", scores, truth)
    if t.min() == t.max():
        raise ValueError("truth must hold both classes (normal and widened beats) to choose a "
                         "threshold.")
    u = np.unique(s)
    candidates = np.concatenate([[u[0] - 1.0], (u[1:] + u[:-1]) / 2, [u[-1] + 1.0]])
    sens = np.array([(s[t == 1] >= c).mean() for c in candidates])
    spec = np.array([(s[t == 0] < c).mean() for c in candidates])
    best = np.flatnonzero(np.isclose(sens + spec, (sens + spec).max(), rtol=0, atol=1e-12))
    return float(candidates[best[len(best) // 2]])


def select_and_score(val_scores, val_truth, test_scores, test_truth
                     ) -> tuple[float, dict[str, float]]:
    """Choose the threshold on the validation beats only (:func:`choose_threshold`), then
    score the test beats with it: (threshold, metrics of ``test_scores >= threshold``)."""
    vs, vt = _truth_and_scores("val", val_scores, val_truth)
    ts, tt = _truth_and_scores("test", test_scores, test_truth)
    threshold = choose_threshold(vs, vt)
    return threshold, abnormal_beat_metrics(tt, ts >= threshold)


# --------------------------------------------------------------------------- figures
_FONT = 16   # points (style.NOTE): every text of the lab's figures


def _big_fonts(ax, size: int) -> None:
    ax.title.set_fontsize(size + 1)
    ax.xaxis.label.set_fontsize(size)
    ax.yaxis.label.set_fontsize(size)
    ax.tick_params(labelsize=size)


@style.styled
def plot_beat_decisions(record: ECGRecord, calls: Mapping[str, np.ndarray],
                        width: int | None = None, *, start: float = 0.0,
                        stop: float | None = None, title: str = "",
                        figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """A record with every model's call on every beat, right or wrong.

    Top: the ECG (mV) with the true widened QRS complexes hatched and, if ``width`` is given,
    the borders of the fixed windows dotted. Below: one row per model (``calls[name]`` holds
    0/1 or bool per beat): a circle where the call is right, a cross where it is wrong,
    filled when the model calls the beat widened, hollow when it calls it normal. A beat
    that the record's start or end cuts (its QRS drawn, not in the per-beat arrays) is not
    scored and gets no marker; the legend says so.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from course_utils.plotting import _figure, _style
    record = _record("record", record)
    if not isinstance(calls, Mapping) or not calls:
        raise TypeError("calls must be a non-empty dict {model name: one call per beat}.")
    rows = {}
    for name, c in calls.items():
        c = _array(f"calls[{name!r}]", c, ndim=1)
        if len(c) != record.n_beats or not np.isin(c, (0, 1)).all():
            raise ValueError(f"calls[{name!r}] must hold one 0/1 call per beat "
                             f"({record.n_beats}), got {len(c)} values.")
        rows[name] = c.astype(int)
    if width is not None:
        width = _positive_int("width", width)
    fs, t = record.sampling_rate, record.time
    stop = record.duration if stop is None else stop
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a time in seconds, got {type(value).__name__} "
                            f"{value!r}.")
    if not 0 <= start < stop <= record.duration + 1e-9:
        raise ValueError(f"start and stop must satisfy 0 <= start < stop <= {record.duration:g} s, "
                         f"got {start!r} and {stop!r}.")
    a, b = int(round(start * fs)), int(round(stop * fs))
    fig = _figure(figsize)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2.2, 0.45 * len(rows) + 0.6))
    for on, off, cls in record.qrs_spans:
        if cls and on < b and off >= a:
            top.axvspan(on / fs, (off + 1) / fs, facecolor="#E69F00", alpha=0.35, hatch="///",
                        edgecolor="#7a5200", lw=0)
    top.plot(t[a:b], record.signal[a:b], color="#222222", lw=1.2)
    if width is not None:
        for k in range(a // width + 1, b // width + 1):
            for ax in (top, bottom):
                ax.axvline(k * width / fs, color="#777777", ls=":", lw=1.2)
    beats = (record.waves["R"] >= a) & (record.waves["R"] < b)
    truth = record.beat_class
    for i, (name, c) in enumerate(rows.items()):
        y = len(rows) - 1 - i
        for right, marker, colour in ((True, "o", "#0072B2"), (False, "X", "#D55E00")):
            for called, fill in ((1, colour), (0, "none")):
                sel = beats & ((c == truth) == right) & (c == called)
                bottom.scatter(record.waves["R"][sel] / fs, np.full(sel.sum(), y), s=110,
                               marker=marker, facecolors=fill, edgecolors=colour, linewidths=2)
    bottom.set_yticks(range(len(rows)), list(rows)[::-1])
    bottom.set_ylim(-0.6, len(rows) - 0.4)
    bottom.set_xlim(start, stop)
    _style(top, title, "", "voltage (mV)")
    _style(bottom, "", "time (s)", "")
    for ax in (top, bottom):
        _big_fonts(ax, _FONT)
    handles = [Patch(facecolor="#E69F00", alpha=0.35, hatch="///", edgecolor="#7a5200",
                     label="true widened QRS"),
               Line2D([], [], ls="", marker="o", ms=10, color="#0072B2", label="right call"),
               Line2D([], [], ls="", marker="X", ms=10, color="#D55E00", label="wrong call"),
               Line2D([], [], ls="", marker="o", ms=10, mfc="none", color="#555555",
                      label="hollow: called normal"),
               Line2D([], [], ls="", label="no marker: a beat cut by the record's start or end (not scored)")]
    if width is not None:
        handles.append(Line2D([], [], color="#777777", ls=":", label=f"window border ({width} samples)"))
    fig.legend(handles=handles, fontsize=_FONT, ncol=3, frameon=False, loc="outside upper center",
               handletextpad=0.3, columnspacing=1.2)
    scored = beats.sum()
    style.set_alt(fig, (f"{title}: " if title else "") + f"An ECG from {start:g} to {stop:g} s "
                  f"with its true widened QRS complexes hatched, and below it one row per model "
                  f"with a mark on each of the {scored} beats: a circle where the call is right, a "
                  f"cross where it is wrong, filled for a call of widened. " + "; ".join(
                      f"{name}: {int(((c == truth) & beats).sum())} of {scored} right"
                      for name, c in rows.items()) + ".")
    return fig



#: Okabe and Ito's colour-blind-safe palette, with a marker and a line style per model.
_STYLES = [(s["color"], s["marker"], s["linestyle"]) for s in style.SERIES]


@style.styled
def plot_comparison(table: Mapping[str, Mapping[str, Mapping[str, float]]], *,
                    train_band: str = "60-100 bpm",
                    figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """Sensitivity and specificity of every model at every heart-rate band, side by side.

    ``table[model][band]`` is a dict with "sensitivity" and "specificity" (fractions). Each
    model has its own colour (Okabe-Ito), marker and line style; the training band is shaded.
    """
    from course_utils.plotting import _figure, _style
    if not isinstance(table, Mapping) or not table:
        raise TypeError("table must be a non-empty dict {model: {band: metrics}}.")
    if len(table) > len(_STYLES):
        raise ValueError(f"table may hold at most {len(_STYLES)} models, got {len(table)}.")
    if not isinstance(train_band, str):
        raise TypeError(f"train_band must be a band name (str), got {type(train_band).__name__}.")
    bands = list(next(iter(table.values())) or [])
    if not bands:
        raise ValueError(f"table[{next(iter(table))!r}] must hold at least one band "
                         "{band: {'sensitivity': ..., 'specificity': ...}}.")
    for model, rows in table.items():
        if not isinstance(rows, Mapping) or list(rows) != bands:
            raise ValueError(f"table[{model!r}] must have the bands {bands} in that order.")
        for band, m in rows.items():
            if not isinstance(m, Mapping) or not {"sensitivity", "specificity"} <= set(m):
                raise ValueError(f"table[{model!r}][{band!r}] must be a dict with "
                                 "'sensitivity' and 'specificity'.")
            for metric in ("sensitivity", "specificity"):
                if isinstance(m[metric], bool) or not isinstance(m[metric], Real):
                    raise TypeError(f"table[{model!r}][{band!r}][{metric!r}] must be a "
                                    f"fraction (a number), got {m[metric]!r}.")
    fig = _figure(figsize)
    axes = fig.subplots(1, 2, sharey=True)
    x = np.arange(len(bands))
    for ax, metric in zip(axes, ("sensitivity", "specificity")):
        if train_band in bands:
            k = bands.index(train_band)
            ax.axvspan(k - 0.4, k + 0.4, color="#dddddd", lw=0, zorder=0)
            ax.text(k, 2, "trained", ha="center", va="bottom", fontsize=_FONT)
        for (model, rows), (colour, marker, dash) in zip(table.items(), _STYLES):
            ax.plot(x, [100 * rows[b][metric] for b in bands], color=colour, marker=marker,
                    linestyle=dash, lw=2, ms=8, label=model)
        ax.set_xticks(x, [b.replace(" bpm", "") for b in bands])
        ax.set_ylim(0, 105)
        _style(ax, metric, "heart rate of the test records (bpm)",
               f"% of {'widened' if metric == 'sensitivity' else 'normal'} beats")
        _big_fonts(ax, _FONT)
        ax.grid(axis="y", color="#cccccc", lw=0.6)
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=_FONT, frameon=False, ncol=3,
               loc="outside lower center", columnspacing=1.2)
    style.set_alt(fig, f"Sensitivity (left) and specificity (right), in % of widened and of "
                  f"normal beats, at each heart-rate band from {bands[0]} to {bands[-1]}, one "
                  f"line per model, the training band {train_band} shaded. " + "; ".join(
                      f"{model}: sensitivity {100 * min(r[b]['sensitivity'] for b in bands):.0f}"
                      f"-{100 * max(r[b]['sensitivity'] for b in bands):.0f}%, specificity "
                      f"{100 * min(r[b]['specificity'] for b in bands):.0f}-"
                      f"{100 * max(r[b]['specificity'] for b in bands):.0f}%"
                      for model, r in table.items()) + ".")
    return fig

