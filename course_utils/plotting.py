"""Figures for the lectures, sized for a 1280x720 slide.

Every function builds a fresh :class:`matplotlib.figure.Figure` (no pyplot state, so nothing
is shown twice or leaks between calls) at 100 dpi, no larger than ``MAX_FIGSIZE``, with a
title and labelled axes, and returns it. In a notebook a returned figure displays itself;
``tools/draw_images.py`` saves the diagram figures as PNG files in ``images/``.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_utils import diagrams as D
from course_utils._arrays import float_array
from course_utils.ecg import (QS_FRACTION, WIDE_QRS, ECGRecord, QRSReading,
                              fixed_window_reader, sequential_reader)

from course_utils import style

MAX_FIGSIZE = style.MAX_FIGSIZE
DPI = style.DPI
TITLE, LABEL, TICK, NOTE = style.TITLE, style.LABEL, style.TICK, style.NOTE

INK = style.INK
# Okabe-Ito (style.OKABE_ITO): every one of these is >= 3:1 on white, so it can be a line
BLUE, ORANGE, GREEN, RED = (style.OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green",
                                                          "vermillion"))
GREY = style.CONCEPT["baseline"]
QRS_FILL = "#fde0c5"
WAVE_COLOUR = {"P": style.OKABE_ITO["reddish_purple"], "Q": BLUE, "R": RED, "S": BLUE,
               "T": style.OKABE_ITO["reddish_purple"]}
#: Text in a series' colour: darkened to >= 4.5:1 on white and on the windows' blue shade
#: (WCAG 2.2 SC 1.4.3).
RIGHT, WRONG = style.readable(BLUE, "#dce9f5"), style.readable(RED, "#dce9f5")


# --------------------------------------------------------------------------- helpers
def _check_figsize(figsize: Sequence[float]) -> tuple[float, float]:
    try:
        w, h = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(f"figsize must be a pair of numbers (inches), got {figsize!r}.") from None
    if not (0 < w <= MAX_FIGSIZE[0] and 0 < h <= MAX_FIGSIZE[1]):
        raise ValueError(f"figsize must fit a slide: at most {MAX_FIGSIZE} inches, got {figsize!r}.")
    return w, h


def _figure(figsize: Sequence[float]) -> Figure:
    return Figure(figsize=_check_figsize(figsize), dpi=DPI, layout="constrained")


def _style(ax: Axes, title: str = "", xlabel: str = "", ylabel: str = "") -> None:
    if title:
        ax.set_title(title, fontsize=LABEL + 1)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=LABEL)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=LABEL)
    ax.tick_params(labelsize=TICK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _check_record(record, name: str = "record") -> ECGRecord:
    if not isinstance(record, ECGRecord):
        raise TypeError(f"{name} must be an ECGRecord (from course_utils.ecg.generate_ecg), "
                        f"got {type(record).__name__}.")
    return record


def _check_positive(name: str, value, *, integer: bool = False):
    ok = isinstance(value, (int, np.integer)) if integer else isinstance(value, (int, float, np.number))
    if isinstance(value, bool) or not ok:
        kind = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}.")
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}.")
    return value


def _check_seed(seed) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a non-negative integer, got {type(seed).__name__} {seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")


def _check_beat(beat, record: ECGRecord, name: str = "beat", which: str = "") -> int:
    """``beat`` as an index into ``record``'s labelled beats, or an error naming it."""
    if isinstance(beat, bool) or not isinstance(beat, (int, np.integer)):
        raise TypeError(f"{name} must be a beat index (an integer), got {type(beat).__name__} {beat!r}.")
    if not 0 <= beat < record.n_beats:
        raise ValueError(f"{name} must be between 0 and {record.n_beats - 1}{which} (the record "
                         f"has {record.n_beats} labelled beats), got {beat!r}.")
    return int(beat)


# --------------------------------------------------------------------------- sequences
@style.styled
def plot_order_matters(seed: int = 0, figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """Same values in another order: prices read backwards, pixels shuffled.

    The two price lines differ in line style and marker and are labelled at their ends, so
    the figure does not depend on telling two colours apart.
    """
    _check_seed(seed)
    rng = np.random.default_rng(seed)
    fig = _figure(figsize)
    a1, a2, a3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.7, 1, 1]})
    days = np.arange(1, 21)
    prices = 100 + np.cumsum(0.8 + rng.normal(0, 1.0, len(days)))
    forward, backward = style.series_style(0), style.series_style(1)
    a1.plot(days, prices, lw=2.4, ms=5, label="as it\nhappened", **forward)
    a1.plot(days, prices[::-1], lw=2.4, ms=5, label="reversed", **backward)
    a1.set_xticks([1, 5, 10, 15, 20])
    _style(a1, "Same prices: rally or crash?", "day", "price (€)")
    style.label_lines(a1)
    n = 22
    yy, xx = np.mgrid[1.3:-1.3:n * 1j, -1.3:1.3:n * 1j]
    heart = ((xx ** 2 + yy ** 2 - 1) ** 3 - xx ** 2 * yy ** 3 <= 0).astype(float)
    a2.imshow(heart, cmap="Greys", vmin=0, vmax=1.2)
    a3.imshow(rng.permutation(heart.ravel()).reshape(heart.shape), cmap="Greys", vmin=0, vmax=1.2)
    for ax, title in ((a2, f"A picture, {n}x{n}"), (a3, "Pixels shuffled")):
        ax.set_title(title, fontsize=LABEL)
        ax.axis("off")
    fig.suptitle("Order matters: identical as sets, different as sequences", fontsize=TITLE)
    style.set_alt(fig, f"Left: 20 daily prices that rise from {prices[0]:.0f} to "
                  f"{prices[-1]:.0f} euros (solid line, as it happened) and the same prices in "
                  f"reverse order, falling from {prices[-1]:.0f} to {prices[0]:.0f} (dashed line): "
                  f"a rally or a crash from one set of values. Middle: a {n}x{n}-pixel heart. "
                  "Right: the same pixels shuffled, in which no shape is left.")
    return fig


@style.styled
def plot_iid_vs_sequence(n: int = 200, seed: int = 0,
                         figsize: Sequence[float] = style.FIGSIZE_WITH_TEXT) -> Figure:
    """IID draws against a series whose points depend on the previous ones.

    Left: both series over time. Right: each value against the one before it (a lag plot),
    with the lag-1 correlation of each series in the legend.
    """
    _check_positive("n", n, integer=True)
    _check_seed(seed)
    if n < 10:
        raise ValueError(f"n must be at least 10 points, got {n}.")
    rng = np.random.default_rng(seed)
    iid = rng.standard_normal(n)
    dep = np.zeros(n)
    for t in range(2, n):
        dep[t] = 1.6 * dep[t - 1] - 0.8 * dep[t - 2] + 0.6 * rng.standard_normal()
    dep = (dep - dep.mean()) / dep.std()
    fig = _figure(figsize)
    a1, a2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.1, 1]})
    a1.plot(iid + 3.5, color=GREY, lw=1.3, ls="-", label="IID: each point drawn on its own")
    a1.plot(dep - 4.2, color=BLUE, lw=1.8, ls="-", label="sequence: depends on the last two")
    a1.text(n / 2, 7.2, "IID: each point drawn on its own", ha="center", fontsize=NOTE,
            color=GREY)
    a1.text(n / 2, -0.2, "sequence: each point depends on the last two", ha="center",
            fontsize=NOTE, color=style.readable(BLUE))
    a1.set_ylim(-9, 8.5)
    a1.set_yticks([])
    _style(a1, "Two series of standardised values", "time step t", "value (offset)")
    corr = {}
    for x, colour, marker, name in ((iid, GREY, "x", "IID"), (dep, BLUE, "o", "sequence")):
        corr[name] = np.corrcoef(x[:-1], x[1:])[0, 1]
        a2.scatter(x[:-1], x[1:], s=16, color=colour, marker=marker, alpha=0.8,
                   label=f"{name}: r = {corr[name]:.2f}")
    a2.legend(fontsize=NOTE, loc="upper left", bbox_to_anchor=(1.0, 1.0), handletextpad=0.1)
    _style(a2, "Does $x_{t-1}$ predict $x_t$?", "$x_{t-1}$", "$x_t$")
    fig.suptitle("IID data versus a sequence", fontsize=TITLE)
    style.set_alt(fig, f"Left: {n} independent standard-normal draws (grey) above a sequence of "
                  f"{n} standardised values in which each depends on the two before it (blue), "
                  "over time. Right: each value against the one before it: the IID points form "
                  f"a round cloud (lag-1 correlation {corr['IID']:.2f}), the sequence's points a "
                  f"diagonal band (correlation {corr['sequence']:.2f}).")
    return fig



# --------------------------------------------------------------------------- ECG
def _view(record: ECGRecord, start: float, stop: Optional[float]) -> tuple[int, int]:
    if not isinstance(start, (int, float)) or isinstance(start, bool):
        raise TypeError(f"start must be a number of seconds, got {start!r}.")
    stop = record.duration if stop is None else stop
    if not isinstance(stop, (int, float)) or isinstance(stop, bool):
        raise TypeError(f"stop must be a number of seconds, got {stop!r}.")
    if not 0 <= start < stop <= record.duration + 1e-9:
        raise ValueError(f"start and stop must satisfy 0 <= start < stop <= {record.duration:g} s "
                         f"(the record's length), got start={start!r}, stop={stop!r}.")
    fs = record.sampling_rate
    return int(round(start * fs)), min(int(round(stop * fs)), len(record.signal))


def _measured_span(reading: QRSReading, j: int) -> tuple[float, float]:
    """Onset and end (s) of the j-th measured QRS: 0.15 of its duration outside Q and S."""
    fs, d = reading.sampling_rate, reading.qrs_duration[j]
    margin = (1 - QS_FRACTION) / 2 * d
    return reading.q[j] / fs - margin, reading.s[j] / fs + margin


@style.styled
def plot_ecg(record: ECGRecord, start: float = 0.0, stop: Optional[float] = None,
             measure_beat: Optional[int] = None, ax: Optional[Axes] = None,
             title: Optional[str] = None, figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """Draw an ECG with its P, Q, R, S and T waves marked and every QRS shaded.

    ``measure_beat`` (an index into the record's labelled beats, or None for no measurement)
    gets a double arrow with the QRS duration that
    :func:`course_utils.ecg.sequential_reader` measures; its QRS must lie between ``start``
    and ``stop`` (s), or a ValueError says where it is. The label sits beside the arrow on
    the side with more room, inside the axes.
    """
    record = _check_record(record)
    a, b = _view(record, start, stop)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    if measure_beat is not None:
        if not isinstance(measure_beat, (int, np.integer)) or isinstance(measure_beat, bool):
            raise TypeError(f"measure_beat must be a beat index (an integer) or None, got "
                            f"{type(measure_beat).__name__} {measure_beat!r}.")
        if not 0 <= measure_beat < record.n_beats:
            raise ValueError(f"measure_beat must be between 0 and {record.n_beats - 1} "
                             f"(the record has {record.n_beats} labelled beats), got {measure_beat}.")
        on, off = record.qrs_onset[measure_beat], record.qrs_offset[measure_beat]
        if not (a <= on and off < b):
            raise ValueError(f"measure_beat={measure_beat} has its QRS at "
                             f"{record.time[on]:.2f}-{record.time[off]:.2f} s, outside the view "
                             f"from start={start!r} to stop={stop!r} s: choose a beat in view, "
                             "or None.")
    if ax is None:
        fig = _figure(figsize)
        ax = fig.subplots()
    else:
        fig = ax.figure
    t, x = record.time[a:b], record.signal[a:b]
    for on, off in zip(record.qrs_onset, record.qrs_offset):
        if a <= on and off < b:
            ax.axvspan(record.time[on], record.time[off], color=QRS_FILL, zorder=0, lw=0)
    ax.plot(t, x, color=INK, lw=1.4, zorder=2)
    top = x.max() if len(x) else 1.0
    for wave in ("P", "Q", "R", "S", "T"):
        for i in record.waves[wave]:
            if a <= i < b:
                above = wave in ("P", "R", "T")
                y = record.signal[i]
                ax.annotate(wave, (record.time[i], y), xytext=(0, 7 if above else -9),
                            textcoords="offset points", ha="center",
                            va="bottom" if above else "top", fontsize=NOTE,
                            color=style.readable(WAVE_COLOUR[wave], QRS_FILL), fontweight="bold")
    if measure_beat is not None:
        reading = sequential_reader(record)
        r_true = record.waves["R"][measure_beat]
        j = int(np.argmin(np.abs(reading.r - r_true)))
        t0, t1 = _measured_span(reading, j)
        y = record.signal[record.waves["S"][measure_beat]] - 0.28
        ax.annotate("", (t0, y), (t1, y), arrowprops=dict(arrowstyle="<|-|>", color=WRONG, lw=1.6,
                                                          shrinkA=0, shrinkB=0))
        pad = 0.03 * (t[-1] - t[0]) / 4
        room_right = t[-1] - t1 >= t0 - t[0]
        ax.text(t1 + pad if room_right else t0 - pad, y,
                f"QRS = {reading.qrs_duration[j]:.3f} s (measured)", va="center",
                ha="left" if room_right else "right", fontsize=NOTE, color=WRONG)
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(min(x.min(), -0.3) - 0.45, top + 0.35)
    if title is None:
        title = (f"Synthetic ECG at {record.heart_rate:g} bpm: P wave, QRS complex (shaded), "
                 "T wave")
    _style(ax, title, "time (s)", "voltage (mV)")
    n_qrs = sum(a <= on and off < b for on, off in zip(record.qrs_onset, record.qrs_offset))
    in_view = [f"{sum(a <= i < b for i in record.waves[w])} {w}" for w in "PQRST"]
    alt = (f"A synthetic ECG at {record.heart_rate:g} beats per minute from {t[0]:.1f} to "
           f"{t[-1]:.1f} s, voltage from {x.min():.1f} to {x.max():.1f} mV, with the waves in "
           f"the window marked ({', '.join(in_view[:-1])} and {in_view[-1]} waves) and its "
           f"{n_qrs} QRS complexes shaded")
    if measure_beat is not None:
        alt += f"; one QRS measured at {reading.qrs_duration[j]:.3f} s"
    if style.alt_text(fig) is None:
        style.set_alt(fig, alt + ".")
    return fig



@style.styled
def plot_qrs_comparison(normal: ECGRecord, widened: ECGRecord, beat: int = 0,
                        figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """Overlay one beat of each record, aligned at the R peak, with the measured QRS widths."""
    records = (_check_record(normal, "normal"), _check_record(widened, "widened"))
    fig = _figure(figsize)
    ax = fig.subplots()
    widths, labels = [], []
    for k, (rec, colour, name) in enumerate(zip(records, (BLUE, RED), ("normal", "widened"))):
        _check_beat(beat, rec, "beat", f" for the {name} record")
        fs = rec.sampling_rate
        r = rec.waves["R"][beat]
        a, b = max(r - int(0.3 * fs), 0), min(r + int(0.45 * fs), len(rec.signal))
        tt = (np.arange(a, b) - r) / fs
        reading = sequential_reader(rec)
        j = int(np.argmin(np.abs(reading.r - r)))
        t0, t1 = (v - r / fs for v in _measured_span(reading, j))
        d = reading.qrs_duration[j]
        verdict = " (≥ 0.12 s)" if d >= WIDE_QRS else ""
        widths.append(d)
        ax.plot(tt, rec.signal[a:b], lw=2.4, label=f"{name} beat: QRS {d:.3f} s{verdict}",
                **{**style.series_style(k), "color": colour, "marker": None})
        y = -0.6 - 0.3 * k
        ax.annotate("", (t0, y), (t1, y), arrowprops=dict(arrowstyle="<|-|>", color=colour,
                                                          lw=1.8, shrinkA=0, shrinkB=0))
        labels.append(ax.text(t1 + 0.01, y, f"{name} ({'solid' if k == 0 else 'dashed'}): "
                              f"QRS {d:.3f} s{verdict}", va="center", fontsize=NOTE,
                              color=style.readable(colour)))
    ax.set_ylim(-1.3, 1.5)
    ax.set_xlim(tt[0] - 0.02, tt[-1] + 0.02)
    _style(ax, "Normal and widened QRS, aligned at R: widths the reader measures",
           "time from the R peak (s)", "voltage (mV)")
    style._fit_labels_right(ax, labels)
    style.set_alt(fig, f"Two heartbeats overlaid and aligned at their R peak, from 0.3 s before "
                  f"to 0.45 s after it: a normal beat (solid line) whose QRS complex the reader "
                  f"measures at {widths[0]:.3f} s and a widened beat (dashed line) at "
                  f"{widths[1]:.3f} s, each width drawn as a double arrow below the beats.")
    return fig



def _verdicts(record: ECGRecord, reading: QRSReading, tolerance: float
              ) -> list[tuple[int, Optional[bool]]]:
    """For each measurement: (index, True/False if it matches a labelled beat, else None)."""
    out = []
    fs = record.sampling_rate
    for j, r in enumerate(reading.r):
        if record.n_beats == 0 or not record.qrs_onset[0] <= r <= record.qrs_offset[-1]:
            out.append((j, None))          # a beat cut by the record's edge: no label
            continue
        k = int(np.argmin(np.abs(record.waves["R"] - r)))
        if abs(record.waves["R"][k] - r) > max(1, 0.25 * record.qrs_duration[k] * fs):
            out.append((j, False))
        else:
            out.append((j, bool(abs(reading.qrs_duration[j] - record.qrs_duration[k]) <= tolerance)))
    return out


def _draw_windows(ax: Axes, record: ECGRecord, window: float, a: int, b: int,
                  tolerance: float) -> tuple[int, int]:
    """Shade the windows over [a, b), mark each window's reading; return (right, beats in view)."""
    fs = record.sampling_rate
    reading = fixed_window_reader(record, window)
    for k, (w0, w1) in enumerate(reading.windows):
        if w0 >= b:
            break
        ax.axvspan(w0 / fs, min(w1, b) / fs, color="#dce9f5" if k % 2 == 0 else "#eef4fa",
                   zorder=0, lw=0)
        ax.axvline(w0 / fs, color=BLUE, lw=1.2, ls="--", zorder=1)

    return _mark_readings(ax, record, reading, a, b, tolerance)


def _mark_readings(ax: Axes, record: ECGRecord, reading: QRSReading, a: int, b: int,
                   tolerance: float) -> tuple[int, int]:
    """Mark Q, R, S and the measured QRS of every beat read in [a, b), blue with ✓ and filled
    markers if right, vermillion with ✗ and hollow markers if wrong; return (beats in view
    measured right, beats in view)."""
    fs = record.sampling_rate
    verdict = dict(_verdicts(record, reading, tolerance))
    in_view = set(np.flatnonzero((record.waves["R"] >= a) & (record.waves["R"] < b)).tolist())
    n_in_view, right = len(in_view), 0
    top = record.signal[a:b].max()
    for j in range(len(reading)):
        if verdict[j] and record.n_beats:
            k = int(np.argmin(np.abs(record.waves["R"] - reading.r[j])))
            if k in in_view:
                right += 1
                in_view.discard(k)
        if not a <= reading.r[j] < b or verdict[j] is None:
            continue
        colour = RIGHT if verdict[j] else WRONG
        for idx, m in ((reading.q[j], "v"), (reading.r[j], "^"), (reading.s[j], "v")):
            ax.plot(idx / fs, record.signal[idx], m, color=colour, ms=8, zorder=4,
                    mfc=colour if verdict[j] else "white", mew=2)
        ax.text(reading.r[j] / fs, top + 0.12, f"{reading.qrs_duration[j]:.2f}"
                + ("✓" if verdict[j] else "✗"), ha="center", va="bottom", fontsize=NOTE,
                color=colour)

    return right, n_in_view


@style.styled
def plot_window_sliding(slow: ECGRecord, fast: ECGRecord, window: float = 1.0,
                        seconds: float = 4.0, tolerance: float = 0.02,
                        figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """A fixed window cut over a slow and a fast heartbeat, with what it measures.

    Dashed lines are window borders. In each window the highest sample is taken as R and
    the lowest samples before and after it as Q and S; the QRS width measured that way is
    written above (s), blue with ✓ when it is within ``tolerance`` seconds of the truth,
    vermillion with ✗ when it is not.
    """
    records = (_check_record(slow, "slow"), _check_record(fast, "fast"))
    _check_positive("window", window)
    _check_positive("seconds", seconds)
    fig = _figure(figsize)
    axes = fig.subplots(2, 1, sharex=True)
    scores = []
    for ax, rec in zip(axes, records):
        a, b = _view(rec, 0.0, min(seconds, rec.duration))
        ax.plot(rec.time[a:b], rec.signal[a:b], color=INK, lw=1.3, zorder=2)
        right, n = _draw_windows(ax, rec, window, a, b, tolerance)
        scores.append((rec.heart_rate, right, n))
        ax.set_ylim(rec.signal[a:b].min() - 0.2, rec.signal[a:b].max() + 0.85)
        _style(ax, f"{rec.heart_rate:g} bpm: the window measures {right} of {n} beats right",
               "", "mV")
        ax.title.set_fontsize(NOTE + 1)
    axes[1].set_xlabel("time (s)", fontsize=LABEL)
    axes[0].set_xlim(0, seconds)
    fig.suptitle(f"One fixed window of {window:g} s, a slow and a fast heartbeat", fontsize=TITLE)
    style.set_alt(fig, f"Two ECGs cut into fixed windows of {window:g} s (dashed borders), "
                  f"{seconds:g} s of each. " + " ".join(
                      f"At {hr:g} bpm the window measures the QRS width right on {r} of {n} "
                      "beats." for hr, r, n in scores)
                  + " Each measured width is written above its beat with a tick or a cross.")
    return fig



@style.styled
def plot_sequential_reader(record: ECGRecord, beat: int = 0,
                           figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """Zoom on one beat and show the reader's three steps: remember Q, see R, find S, count."""
    record = _check_record(record)
    _check_beat(beat, record)
    fs = record.sampling_rate
    reading = sequential_reader(record)
    j = int(np.argmin(np.abs(reading.r - record.waves["R"][beat])))
    q, r, s = int(reading.q[j]), int(reading.r[j]), int(reading.s[j])
    a, b = max(r - int(0.3 * fs), 0), min(r + int(0.45 * fs), len(record.signal))
    fig = _figure(figsize)
    ax = fig.subplots()
    ax.plot(record.time[a:b], record.signal[a:b], color=INK, lw=1.8)
    ax.plot(record.time[a:b], record.signal[a:b], ".", color=GREY, ms=3)
    x = record.signal
    # ② left of R, ③ up to the right of S: with ② on the right, ③ ran into it on a short figure
    steps = ((q, "① remember the last trough", RIGHT, (-230, 45), "left"),
             (r, f"② a rise of {x[r] - x[q]:.2f} mV:\nthat was R, so the trough was Q", WRONG,
              (-20, -20), "right"),
             (s, "③ the next trough: S", RIGHT, (120, 100), "left"))
    for idx, text, colour, off, ha in steps:
        ax.plot(idx / fs, x[idx], "o", color=colour, ms=8, zorder=4)
        ax.annotate(text, (idx / fs, x[idx]), xytext=off, textcoords="offset points",
                    fontsize=NOTE, color=colour, va="center", ha=ha,
                    arrowprops=dict(arrowstyle="-", color=colour, lw=1))
    y = min(x[q], x[s]) - 0.3
    ax.annotate("", (q / fs, y), (s / fs, y), arrowprops=dict(arrowstyle="<|-|>", color=INK,
                                                              lw=1.5, shrinkA=0, shrinkB=0))
    ax.text(s / fs + 0.015, y, f"④ count Q to S: {s - q} samples = {(s - q) / fs:.3f} s;\n"
            f"QRS = {(s - q) / fs:.3f} / {QS_FRACTION} = {reading.qrs_duration[j]:.3f} s",
            fontsize=NOTE, va="center")
    ax.set_ylim(y - 0.35, x[r] + 0.3)
    _style(ax, f"The sequential reader on one beat ({fs:g} samples per second)", "time (s)",
           "voltage (mV)")
    style.set_alt(fig, f"One heartbeat of an ECG sampled at {fs:g} Hz, with the reader's four "
                  f"steps marked: it remembers the last trough (Q), sees a rise of "
                  f"{x[r] - x[q]:.2f} mV (R), finds the next trough (S), and counts {s - q} "
                  f"samples from Q to S, {(s - q) / fs:.3f} s, which gives a QRS of "
                  f"{reading.qrs_duration[j]:.3f} s.")
    return fig



# --------------------------------------------------------------------------- models
@style.styled
def plot_autoregressive(series: np.ndarray, weights: Sequence[float], t_mark: Optional[int] = None,
                        figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """A series, the one-step predictions of the AR(2) model x_hat_t = w_0 + w_1 x_{t-1} +
    w_2 x_{t-2} (NOTATION.md: w_0 is the intercept), and one prediction's two inputs.
    weights: (w_0, w_1, w_2) in that order."""
    x = float_array("series", series, None, empty=True)
    if x.ndim != 1 or len(x) < 5:
        raise ValueError(f"series must be 1-D with at least 5 values, got shape {x.shape}.")
    w = float_array("weights", weights, None, empty=True)
    if w.shape != (3,):
        raise ValueError(f"weights must be (w_0, w_1, w_2), three numbers (intercept first), "
                         f"got shape {w.shape}.")
    pred = w[0] + w[1] * x[1:-1] + w[2] * x[:-2]
    t = np.arange(len(x))
    t_mark = len(x) // 2 if t_mark is None else int(t_mark)
    if not 2 <= t_mark < len(x):
        raise ValueError(f"t_mark must be between 2 and {len(x) - 1}, got {t_mark}.")
    fig = _figure(figsize)
    ax = fig.subplots()
    ax.plot(t, x, "o-", color=INK, lw=1.2, ms=3.5, label="series $x_t$")
    ax.plot(t[2:], pred, "--", color=ORANGE, lw=2.4,
            label=r"prediction $w_0 + w_1 x_{t-1} + w_2 x_{t-2}$")
    ax.plot([t_mark - 2, t_mark - 1], x[[t_mark - 2, t_mark - 1]], "o", ms=12, mfc="none",
            mec=BLUE, mew=2.4, label=f"the only inputs of the prediction at t = {t_mark}")
    ax.plot(t_mark, pred[t_mark - 2], "s", color=ORANGE, ms=10, label="its prediction")
    ax.legend(fontsize=NOTE, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2,
              borderaxespad=0.2)
    ax.set_ylim(x.min() - 0.1 * np.ptp(x), x.max() + 0.1 * np.ptp(x))
    def term(v: float) -> str:
        return f"{'−' if v < 0 else '+'} {abs(v):.2f}"

    _style(ax, "", "time step t", "value")
    fig.suptitle(f"AR(2) fitted: $\\hat{{x}}_t$ = {w[0]:.2f} {term(w[1])} $x_{{t-1}}$ "
                 f"{term(w[2])} $x_{{t-2}}$: it only ever sees two values", fontsize=TITLE - 2)
    style.set_alt(fig, f"A series of {len(x)} values from {x.min():.2f} to {x.max():.2f} (solid "
                  f"line with dots) and the one-step predictions of the fitted AR(2) model "
                  f"x_hat_t = {w[0]:.2f} {term(w[1])} x_(t-1) {term(w[2])} x_(t-2) (dashed line); "
                  f"at t = {t_mark} the two values it reads are circled and its prediction, "
                  f"{pred[t_mark - 2]:.2f}, is a square.")
    return fig


def plot_io_patterns(figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """The four ways a recurrent net maps inputs to outputs, as unrolled diagrams at slide width
    (inputs x_t, states h_t, outputs y_hat_t; time runs left to right)."""
    fig, ax = D._canvas("Input/output patterns of a recurrent net (time runs left to right)",
                        figsize=figsize)
    panels = (
        ("many-to-one: next value, sentiment of a review", [1, 1, 1, 1], [0, 0, 0, 1], 4),
        ("one-to-many: image captioning, music", [1, 0, 0, 0], [1, 1, 1, 1], 4),
        ("many-to-many: a label per step (ECG beats)", [1, 1, 1, 1], [1, 1, 1, 1], 4),
        ("encoder-decoder: translation, another length", [1, 1, 1, 0, 0, 0, 0],
         [0, 0, 0, 1, 1, 1, 1], 3),
    )
    dx, bw, bh = 0.74, 0.5, 0.4
    for p, (name, ins, outs, n_enc) in enumerate(panels):
        n = len(ins)
        left, top = (0.3 if p % 2 == 0 else 6.25), (4.85 if p < 2 else 2.45)
        xs = [left + 0.35 + bw / 2 + i * dx for i in range(n)]
        D._text(ax, left, top - 0.12, name, ha="left")
        y_out, y_h, y_in = top - 0.65, top - 1.3, top - 1.95
        for i, x in enumerate(xs):
            D._box(ax, x, y_h, bw, bh, rf"$\mathbf{{h}}_{{{i + 1}}}$", style.CONCEPT["state"],
                   fontsize=style.NOTE)
            if i:
                D._line(ax, [(x - dx + bw / 2, y_h), (x - bw / 2, y_h)], style.CONCEPT["state"])
            if ins[i]:
                D._box(ax, x, y_in, bw, bh, rf"$\mathbf{{x}}_{{{i + 1}}}$", style.CONCEPT["input"],
                       fontsize=style.NOTE)
                D._line(ax, [(x, y_in + bh / 2), (x, y_h - bh / 2)], style.CONCEPT["input"])
            if outs[i]:
                k = i + 1 - (n_enc if n_enc < n else 0)
                D._box(ax, x, y_out, bw, bh, rf"$\hat{{\mathbf{{y}}}}_{{{k}}}$",
                       style.CONCEPT["output"], fontsize=style.NOTE)
                D._line(ax, [(x, y_h + bh / 2), (x, y_out - bh / 2)], style.CONCEPT["output"])
    ax.plot([6.0, 6.0], [0.15, 4.7], color=style.CONCEPT["baseline"], lw=1)
    ax.plot([0.3, 11.7], [2.55, 2.55], color=style.CONCEPT["baseline"], lw=1)
    style.set_alt(fig, "Four unrolled diagrams, time running left to right, inputs x below, states "
                  "h in the middle, outputs y_hat above. Many-to-one: four inputs, one output at "
                  "the end (next value, sentiment of a review). One-to-many: one input, four outputs "
                  "(image captioning, generating music). Many-to-many: an output at every step "
                  "(per-beat ECG labels). Encoder-decoder: three inputs read, then four outputs "
                  "written, of another length (translation).")
    return fig


def plot_rnn_rolled_unrolled(n_steps: int = 4,
                             figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """A recurrent neuron drawn with its loop (rolled) and unrolled through ``n_steps`` steps
    (at most 6), at slide width: h_t = phi(w_xh x_t + w_hh h_{t-1} + b_h), y_hat_t from
    w_hy h_t + b_y, the same weights at every step."""
    _check_positive("n_steps", n_steps, integer=True)
    if n_steps > 6:
        raise ValueError(f"n_steps must be at most 6 to fit a slide, got {n_steps}.")
    fig, ax = D._canvas(r"A recurrent neuron: $h_t = \phi(w_{xh} x_t + w_{hh} h_{t-1} + b_h)$, "
              r"$\hat{y}_t$ from $w_{hy} h_t + b_y$", figsize=figsize)
    C = style.CONCEPT
    bw, bh = 0.66, 0.48
    y_x, y_h, y_y = 1.25, 2.65, 4.05

    def column(x, t, label_weights=True):
        D._box(ax, x, y_x, bw, bh, f"$x_{{{t}}}$", C["input"], fontsize=style.NOTE)
        D._box(ax, x, y_h, bw, bh, f"$h_{{{t}}}$", C["state"], fontsize=style.NOTE)
        D._box(ax, x, y_y, bw, bh, rf"$\hat{{y}}_{{{t}}}$", C["output"], fontsize=style.NOTE)
        D._line(ax, [(x, y_x + bh / 2), (x, y_h - bh / 2)], C["input"])
        D._line(ax, [(x, y_h + bh / 2), (x, y_y - bh / 2)], C["output"])
        if label_weights:
            D._text(ax, x - 0.1, (y_x + y_h) / 2, "$w_{xh}$", ha="right")
            D._text(ax, x - 0.1, (y_h + y_y) / 2, "$w_{hy}$", ha="right")

    # rolled: the loop leaves h_t, passes a one-step delay, and comes back
    column(1.2, "t")
    loop = [(1.2 + bw / 2, y_h + 0.1), (2.35, y_h + 0.1), (2.35, y_h - 0.75), (1.2 + 0.15, y_h - 0.75),
            (1.2 + 0.15, y_h - bh / 2)]
    D._line(ax, loop, C["state"], lw=2.4)
    D._box(ax, 2.35, y_h - 0.33, 0.44, 0.3, "", C["state"], fill=True, lw=1.5)
    D._text(ax, 2.65, y_h - 0.33, "delay", ha="left")
    D._text(ax, 2.65, y_h + 0.2, "$w_{hh}$", ha="left")
    D._text(ax, 1.2, 0.55, "rolled", fontsize=style.LABEL)
    D._line(ax, [(3.35, y_h), (4.1, y_h)], INK, lw=4)
    D._text(ax, 3.72, y_h + 0.32, "unroll")
    # unrolled
    dx = min(1.45, 6.3 / n_steps)
    x0 = 5.0
    D._box(ax, x0 - 0.1, y_h, bw, bh, "$h_0$", C["state"], fontsize=style.NOTE, fill=False)
    for t in range(1, n_steps + 1):
        x = x0 + t * dx
        column(x, t)
        D._line(ax, [(x - dx + bw / 2 - (0.1 if t == 1 else 0), y_h), (x - bw / 2, y_h)], C["state"],
                lw=2.4)
        D._text(ax, x - dx / 2 - (0.05 if t == 1 else 0), y_h + 0.28, "$w_{hh}$")
    D._text(ax, 11.8, 0.55, "unrolled: the same $w_{xh}$, $w_{hh}$, $w_{hy}$ and biases at every step",
            ha="right")
    style.set_alt(fig, "Left: a recurrent neuron, rolled: x_t feeds h_t through w_xh, h_t feeds "
                  "y_hat_t through w_hy, and a loop takes h_t through a one-step delay back into "
                  f"itself with weight w_hh. Right: the same neuron unrolled over {n_steps} time "
                  f"steps, h_0 to h_{n_steps}, with inputs x_1 to x_{n_steps} and outputs y_hat_1 "
                  f"to y_hat_{n_steps}, each state passing to the next through w_hh; the same "
                  "weights at every step.")
    return fig


def plot_minibatch_shapes(batch_size: int = 4, input_size: int = 3, hidden_size: int = 5,
                          figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """The shapes in H_t = phi(X_t W_xh^T + H_{t-1} W_hh^T + b_h), drawn as grids of cells.

    B = batch_size sequences (one per row), D = input_size, H = hidden_size; the weights are
    stored as PyTorch stores them, W_xh (H, D) and W_hh (H, H), so they appear transposed.
    """
    for name, v in (("batch_size", batch_size), ("input_size", input_size),
                    ("hidden_size", hidden_size)):
        _check_positive(name, v, integer=True)
        if v > 8:
            raise ValueError(f"{name} must be at most 8 to draw, got {v}.")
    B, Dn, H = batch_size, input_size, hidden_size
    fig, ax = D._canvas(r"$\mathbf{H}_t = \phi(\mathbf{X}_t \mathbf{W}_{xh}^\top + \mathbf{H}_{t-1}"
              r" \mathbf{W}_{hh}^\top + \mathbf{b}_h)$: the shapes", figsize=figsize)
    C = style.CONCEPT
    pieces = [(r"$\mathbf{X}_t$", "B", "D", C["input"]), ("·", None, None, None),
              (r"$\mathbf{W}_{xh}^\top$", "D", "H", C["input"]), ("+", None, None, None),
              (r"$\mathbf{H}_{t-1}$", "B", "H", C["state"]), ("·", None, None, None),
              (r"$\mathbf{W}_{hh}^\top$", "H", "H", C["state"]), ("+", None, None, None),
              (r"$\mathbf{b}_h$", "1", "H", style.CONCEPT["baseline"]), ("→", None, None, None),
              (r"$\mathbf{H}_t$", "B", "H", C["state"])]
    size = {"B": B, "D": Dn, "H": H, "1": 1}
    n_cells = sum(size[c] for _, _, c, col in pieces if col)
    cell = min(0.4, (11.4 - 5 * 0.55 - 0.2 * 6) / n_cells)
    x = 0.3
    mid = 2.75
    for label, r_name, c_name, colour in pieces:
        if colour is None:
            D._text(ax, x + 0.27, mid, label, fontsize=style.TITLE + 4)
            if label == "→":
                D._text(ax, x + 0.27, mid + 0.42, r"$\phi$", fontsize=style.TITLE)
            x += 0.55
            continue
        rows, cols = size[r_name], size[c_name]
        top = mid + rows * cell / 2
        for i in range(rows):
            for j in range(cols):
                ax.add_patch(Rectangle((x + j * cell, top - (i + 1) * cell), cell, cell,
                                       fc=D.tint(colour, 0.3), ec=colour, lw=1.2))
        centre = x + cols * cell / 2
        D._text(ax, centre, top + 0.28, label, fontsize=style.LABEL)
        D._text(ax, centre, mid - max(B, Dn, H) * cell / 2 - 0.3, f"{rows}×{cols}", va="center")
        D._text(ax, centre, mid - max(B, Dn, H) * cell / 2 - 0.68, f"${r_name} \\times {c_name}$",
                va="center")
        x += cols * cell + 0.2
    D._text(ax, 6.0, 0.45, f"$B = {B}$ sequences (one per row), $D = {Dn}$ inputs, $H = {H}$ hidden units;"
            r" $\mathbf{b}_h$ is added to every row", fontsize=style.NOTE)
    style.set_alt(fig, f"The shapes of one mini-batch step drawn as grids of cells: X_t (B by D, "
                  f"{B} by {Dn}) times W_xh transposed (D by H, {Dn} by {H}), plus H_(t-1) (B by H, "
                  f"{B} by {H}) times W_hh transposed (H by H, {H} by {H}), plus b_h (1 by H, added "
                  f"to every row), through phi, gives H_t (B by H, {B} by {H}).")
    return fig


# --------------------------------------------------------------------------- widget frames
@style.styled
def plot_window_detector_frame(record: ECGRecord, window: float, seconds: float = 5.0,
                               tolerance: float = 0.02,
                               figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """One frame of the window-detector widget: the fixed window's readings (top) and the
    sequential reader's (bottom) on the same record, each with its score."""
    record = _check_record(record)
    _check_positive("window", window)
    _check_positive("seconds", seconds)
    fig = _figure(figsize)
    top, bottom = fig.subplots(2, 1, sharex=True)
    a, b = _view(record, 0.0, min(seconds, record.duration))
    fs = record.sampling_rate
    for ax in (top, bottom):
        ax.plot(record.time[a:b], record.signal[a:b], color=INK, lw=1.2, zorder=2)
        ax.set_ylim(record.signal[a:b].min() - 0.2, record.signal[a:b].max() + 0.85)
    right, n = _draw_windows(top, record, window, a, b, tolerance)
    _style(top, f"fixed window of {window:g} s: {right}/{n} beats measured right", "", "mV")
    ok_count, _ = _mark_readings(bottom, record, sequential_reader(record), a, b, tolerance)
    _style(bottom, f"sequential reader: {ok_count}/{n} beats measured right", "time (s)", "mV")
    for ax in (top, bottom):
        ax.title.set_fontsize(NOTE + 1)
    bottom.set_xlim(0, b / fs)
    fig.suptitle(f"{record.heart_rate:g} bpm, true QRS {record.params['qrs_duration']:.2f} s",
                 fontsize=TITLE)
    style.set_alt(fig, f"The same {b / fs:.0f} s of ECG at {record.heart_rate:g} bpm read twice: "
                  f"top, cut into fixed windows of {window:g} s, which measure {right} of {n} "
                  f"beats right; bottom, read by the sequential reader, which measures "
                  f"{ok_count} of {n} right. Each measured QRS width is written above its beat "
                  "with a tick or a cross.")
    return fig



def plot_unrolled_state(inputs: Sequence[float], states: np.ndarray, step: int,
                        figsize: Sequence[float] = style.SLIDE_FIGSIZE) -> Figure:
    """One frame of the unrolled-RNN widget: steps up to ``step`` filled in, each state
    drawn as a column of coloured cells with its values, the later steps greyed out.

    Colours: -1 blue, 0 white, +1 vermillion (a diverging map); every value is also printed.
    """
    x = float_array("inputs", inputs, "(T,)")
    h = float_array("states", states, "(T, n_hidden)")
    if h.shape[0] != len(x):
        raise ValueError(f"inputs must be (T,) and states (T, n_hidden) with the same T, got "
                         f"{x.shape} and {h.shape}.")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be an integer from 1 to {len(x)}, got {type(step).__name__} {step!r}.")
    if not 1 <= step <= len(x):
        raise ValueError(f"step must be between 1 and {len(x)}, got {step!r}.")
    from matplotlib.colors import LinearSegmentedColormap

    # light ends, so the printed values (INK) keep at least 4.5:1 contrast on every cell
    cmap = LinearSegmentedColormap.from_list(
        "state", [D.tint(style.OKABE_ITO["blue"], 0.7), style.WHITE,
                  D.tint(style.OKABE_ITO["vermillion"], 0.7)])
    n_t, n_h = h.shape
    fig = Figure(figsize=D._figsize(figsize), dpi=style.DPI, layout="constrained")
    ax = fig.subplots()
    cell = 0.42
    y_state = 1.3
    for t in range(n_t + 1):
        done = t <= step
        alpha = 1.0 if done else 0.35
        ink = INK if done else style.CONCEPT["baseline"]     # later steps: grey, still 5:1
        if t > 0:
            ax.add_patch(Rectangle((t - 0.36, -0.25), 0.72, 0.5, fc=D.tint(style.CONCEPT["input"]),
                                   ec=style.CONCEPT["input"], alpha=alpha, lw=1.5))
            ax.text(t, 0, f"{x[t - 1]:+.1f}", ha="center", va="center", fontsize=style.NOTE,
                    color=ink)
            ax.text(t, -0.42, rf"$\mathbf{{x}}_{{{t}}}$", ha="center", va="top", fontsize=style.NOTE,
                    color=ink)
            if done:
                D._line(ax, [(t, 0.27), (t, y_state - n_h * cell / 2 - 0.05)], style.CONCEPT["input"])
        values = np.zeros(n_h) if t == 0 else h[t - 1]
        for i in range(n_h):
            y0 = y_state + n_h * cell / 2 - (i + 1) * cell
            colour = cmap((values[i] + 1) / 2) if done else "#eeeeee"
            ax.add_patch(Rectangle((t - 0.36, y0), 0.72, cell, fc=colour, ec=INK,
                                   lw=2.6 if t == step else 1.0, alpha=1.0 if done else 0.4))
            if done:
                ax.text(t, y0 + cell / 2, f"{values[i]:+.2f}", ha="center", va="center",
                        fontsize=style.NOTE, color=INK)
        ax.text(t, y_state + n_h * cell / 2 + 0.1, rf"$\mathbf{{h}}_{{{t}}}$", ha="center",
                va="bottom", fontsize=style.NOTE, color=ink)
        if 0 < t <= step:
            D._line(ax, [(t - 0.64, y_state), (t - 0.36, y_state)], style.CONCEPT["state"])
    ax.set_xlim(-0.6, n_t + 0.6)
    ax.set_ylim(-0.95, y_state + n_h * cell / 2 + 0.6)
    ax.axis("off")
    fig.suptitle(rf"Step {step}: $\mathbf{{h}}_{{{step}}} = \tanh(\mathbf{{W}}_{{xh}}\mathbf{{x}}_{{{step}}}"
                 rf" + \mathbf{{W}}_{{hh}}\mathbf{{h}}_{{{step - 1}}} + \mathbf{{b}}_h)$"
                 " (cells: -1 blue, 0 white, +1 vermillion)", fontsize=style.NOTE + 2, color=INK)
    shown = ", ".join(f"{v:+.1f}" for v in x)
    style.set_alt(fig, f"An RNN unrolled over {n_t} steps, filled in up to step {step}: inputs "
                  f"{shown} in boxes at the bottom, each state h_t above as a column of {n_h} "
                  f"cells coloured from blue (-1) through white (0) to vermillion (+1) with its "
                  f"value printed, the steps after {step} greyed out.")
    return fig
