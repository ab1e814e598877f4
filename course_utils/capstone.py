"""Data, metrics and a figure for the ECG capstone (Lab 07): a fixed window against a GRU.

Both models answer the same question, "is this beat's QRS widened?", and are scored on the
same beats:

* the **fixed-window** model sees the record cut into consecutive windows of ``width``
  samples (:func:`cut_windows`); a beat gets the decision of the window that holds its R peak
  (:func:`window_beat_predictions`);
* the **recurrent** model labels every sample (0: no QRS, 1: normal QRS, 2: widened QRS); a
  beat gets the class with the larger mean probability from its R peak to its QRS end
  (:func:`step_beat_predictions`), the part of the complex the GRU has read entirely by then.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from course_utils.ecg import NORMAL_QRS, WIDE_QRS, ECGRecord, generate_ecg

#: Heart-rate bands (bpm) of the lab: the training range and the two out-of-range test bands.
TRAIN_RATES: tuple[float, float] = (60.0, 100.0)
SLOW_RATES: tuple[float, float] = (40.0, 50.0)
FAST_RATES: tuple[float, float] = (130.0, 150.0)


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
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
        raise TypeError(f"{name} must be an ECGRecord, got {type(value).__name__}.")
    return value


def make_records(n: int, heart_rates: Sequence[float] = TRAIN_RATES, *, duration: float = 9.0,
                 sampling_rate: float = 125.0, wide_fraction: float = 0.3,
                 seed: int = 0) -> list[ECGRecord]:
    """Generate ``n`` labelled ECG records with a mix of normal and widened beats.

    Each record draws its mean heart rate uniformly from ``heart_rates`` (bpm), its normal QRS
    duration from 0.06-0.10 s and its widened one from 0.12-0.16 s; a beat is widened with
    probability ``wide_fraction``. Beat-to-beat variability (5%), baseline wander (0.05 mV) and
    noise (0.02 mV) make every record different. The same seed gives the same records.
    """
    n = _positive_int("n", n)
    low, high = _rates("heart_rates", heart_rates)
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    rng = np.random.default_rng(int(seed))
    records = []
    for i in range(n):
        records.append(generate_ecg(
            duration, heart_rate=float(rng.uniform(low, high)),
            qrs_duration=float(rng.uniform(*NORMAL_QRS)), sampling_rate=sampling_rate,
            hr_variability=0.05, wide_fraction=wide_fraction,
            wide_qrs_duration=float(rng.uniform(WIDE_QRS, 0.16)), baseline_wander=0.05,
            noise=0.02, seed=int(seed) * 100_003 + i))
    return records


def cut_windows(signal: torch.Tensor, width: int) -> torch.Tensor:
    """Cut a 1-D signal into consecutive, non-overlapping windows: (T,) -> (T // width, width).

    Window k holds samples k * width to (k + 1) * width - 1; a last, partial window is dropped.
    """
    if not isinstance(signal, torch.Tensor):
        raise TypeError(f"signal must be a torch.Tensor, got {type(signal).__name__}.")
    if signal.dim() != 1:
        raise ValueError(f"signal must be 1-D (T,), got shape {tuple(signal.shape)}.")
    width = _positive_int("width", width)
    n = len(signal) // width
    return signal[:n * width].reshape(n, width)


def window_labels(record: ECGRecord, width: int) -> torch.Tensor:
    """Class of every full window of ``width`` samples: -1 if no R peak lies in it, 1 if a
    widened beat's R peak does, else 0 (a normal beat only)."""
    record = _record("record", record)
    width = _positive_int("width", width)
    labels = torch.full((len(record.signal) // width,), -1, dtype=torch.long)
    for r, cls in zip(record.waves["R"], record.beat_class):
        k = int(r) // width
        if k < len(labels):
            labels[k] = max(int(labels[k]), int(cls))
    return labels


def window_beat_predictions(window_classes: torch.Tensor, record: ECGRecord,
                            width: int) -> np.ndarray:
    """Per-beat class from window decisions: each beat takes the class of the window holding
    its R peak. ``window_classes`` has one entry (0 or 1) per full window."""
    record = _record("record", record)
    width = _positive_int("width", width)
    classes = torch.as_tensor(window_classes).reshape(-1)
    index = record.waves["R"] // width
    if len(index) and index.max() >= len(classes):
        raise ValueError(f"window_classes has {len(classes)} windows, but the record's last R "
                         f"peak lies in window {int(index.max())}: pass one class per window.")
    return classes.numpy()[index].astype(np.int64)


class GRUTagger(torch.nn.Module):
    """Reference per-step tagger: a one-layer GRU over the signal and a linear layer to 3 logits
    (0 no QRS, 1 normal QRS, 2 widened QRS). ``forward(x)``: (B, T) in mV -> (B, T, 3)."""

    def __init__(self, hidden_size: int = 32):
        super().__init__()
        hidden_size = _positive_int("hidden_size", hidden_size)
        self.gru = torch.nn.GRU(1, hidden_size, batch_first=True)
        self.out = torch.nn.Linear(hidden_size, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.gru(x.unsqueeze(-1))
        return self.out(states)


def step_targets(records: Sequence[ECGRecord]) -> tuple[torch.Tensor, torch.Tensor]:
    """Signals (N, T) in mV and per-step labels (N, T) (0 none, 1 normal QRS, 2 widened QRS)
    of records of equal length, aligned sample by sample."""
    if not records:
        raise ValueError("records must hold at least one ECGRecord.")
    for i, rec in enumerate(records):
        _record(f"records[{i}]", rec)
        if len(rec.signal) != len(records[0].signal):
            raise ValueError(f"records must have equal lengths: records[0] has "
                             f"{len(records[0].signal)} samples, records[{i}] {len(rec.signal)}.")
    x = torch.tensor(np.stack([r.signal for r in records]), dtype=torch.float32)
    y = torch.tensor(np.stack([r.sample_labels() for r in records]), dtype=torch.long)
    return x, y


def step_beat_predictions(step_probs: torch.Tensor, record: ECGRecord) -> np.ndarray:
    """Per-beat class (0 normal, 1 widened) from per-step probabilities (T, 3): the larger of
    the mean probabilities of "normal QRS" and "widened QRS" from the R peak to the QRS end."""
    record = _record("record", record)
    probs = torch.as_tensor(step_probs)
    if probs.dim() != 2 or probs.shape != (len(record.signal), 3):
        raise ValueError(f"step_probs must have shape ({len(record.signal)}, 3), "
                         f"got {tuple(probs.shape)}.")
    out = []
    for r, off in zip(record.waves["R"], record.qrs_offset):
        part = probs[int(r):int(off) + 1]
        out.append(int(part[:, 2].mean() > part[:, 1].mean()))
    return np.asarray(out, dtype=np.int64)


def abnormal_beat_metrics(y_true, y_pred) -> dict[str, float]:
    """Accuracy, sensitivity and specificity for widened (abnormal, class 1) beats.

    Sensitivity = TP / (TP + FN): the share of widened beats called widened.
    Specificity = TN / (TN + FP): the share of normal beats called normal.
    """
    t, p = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {t.shape} and {p.shape}.")
    if len(t) == 0:
        raise ValueError("y_true must hold at least one beat.")
    for name, a in (("y_true", t), ("y_pred", p)):
        if not np.isin(a, (0, 1)).all():
            raise ValueError(f"{name} must hold classes 0 (normal) and 1 (widened) only.")
    tp, tn = int(((t == 1) & (p == 1)).sum()), int(((t == 0) & (p == 0)).sum())
    pos, neg = int((t == 1).sum()), int((t == 0).sum())
    return {"accuracy": (tp + tn) / len(t),
            "sensitivity": tp / pos if pos else float("nan"),
            "specificity": tn / neg if neg else float("nan")}


def plot_decisions(record: ECGRecord, window_classes: torch.Tensor, step_classes: torch.Tensor,
                   width: int, *, title: str = "", figsize: Sequence[float] = (11, 4.2)) -> Figure:
    """Draw a record with the true widened QRS complexes, the fixed-window model's decision
    per window (a bar under the trace) and the GRU's per-step decision (a bar above it)."""
    from matplotlib.patches import Patch

    from course_utils.plotting import _figure, _style
    record = _record("record", record)
    width = _positive_int("width", width)
    windows = torch.as_tensor(window_classes).reshape(-1).numpy()
    steps = torch.as_tensor(step_classes).reshape(-1).numpy()
    if len(steps) != len(record.signal):
        raise ValueError(f"step_classes must have one class per sample ({len(record.signal)}), "
                         f"got {len(steps)}.")
    if len(windows) != len(record.signal) // width:
        raise ValueError(f"window_classes must have one class per full window "
                         f"({len(record.signal) // width}), got {len(windows)}.")
    fig = _figure(figsize)
    ax = fig.add_subplot(1, 1, 1)
    t, fs = record.time, record.sampling_rate
    lo, hi = record.signal.min(), record.signal.max()
    for on, off, cls in zip(record.qrs_onset, record.qrs_offset, record.beat_class):
        if cls:
            ax.axvspan(on / fs, (off + 1) / fs, color="#f4a261", alpha=0.35, lw=0)
    ax.plot(t, record.signal, color="#264653", lw=1.0, label="ECG")
    colours = {0: "#2a9d8f", 1: "#e63946"}
    y_win, y_gru = lo - 0.25, hi + 0.15
    for k, cls in enumerate(windows):
        ax.plot([k * width / fs, (k + 1) * width / fs - 0.02], [y_win, y_win], lw=6,
                color=colours[int(cls)], solid_capstyle="butt")
    for cls, name in ((1, "GRU: normal QRS"), (2, "GRU: widened QRS")):
        mask = np.where(steps == cls, y_gru, np.nan)
        ax.plot(t, mask, lw=6, color=colours[cls - 1], solid_capstyle="butt", label=name)
    ax.plot([], [], lw=6, color=colours[0], label="window: normal")
    ax.plot([], [], lw=6, color=colours[1], label="window: widened")
    ax.set_ylim(lo - 0.45, hi + 0.35)
    ax.text(t[-1], y_win + 0.08, "fixed window ", ha="right", va="bottom", fontsize=9)
    ax.text(t[-1], y_gru + 0.06, "GRU ", ha="right", va="bottom", fontsize=9)
    _style(ax, title or f"Decisions on a {record.heart_rate:.0f} bpm test record",
           "time (s)", "voltage (mV)")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color="#f4a261", alpha=0.35))
    labels.append("true widened QRS")
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=9, ncol=6,
              frameon=False)
    return fig
