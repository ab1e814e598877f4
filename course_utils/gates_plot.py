"""Figures and the widget of Unit 4 (gated cells).

* :func:`draw_lstm_cell`, :func:`draw_gru_cell`: cell diagrams drawn with matplotlib.
* :func:`plot_gradient_by_distance`: gradient norm against the distance in time, log scale.
* :func:`plot_learning_curves`: validation curves of several models against reference levels.
* :func:`plot_gradient_before_after`: the gradient by distance at initialisation and after
  training, side by side.
* :func:`memory_trace` and :func:`gate_memory_widget`: what an LSTM cell state keeps when the
  student sets its gates (ipywidgets 7, works in JupyterLab and in the RISE slideshow).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course_utils import style
from course_utils.diagrams import _box as _dbox, _canvas, _line as _dline, _op, _text
from course_utils.style import CONCEPT, INK, LABEL, NOTE

#: Okabe-Ito colours per cell (style.OKABE_ITO), each >= 3:1 on white; SERIES_STYLES adds a
#: marker and a line style to each.
CELL_COLORS = {"RNN": style.CONCEPT["baseline"], "vanilla RNN": style.CONCEPT["baseline"],
               "LSTM": style.OKABE_ITO["blue"], "GRU": style.OKABE_ITO["vermillion"],
               "peephole LSTM": style.OKABE_ITO["bluish_green"]}


# ------------------------------------------------------------------ diagrams
_PATH = CONCEPT["cell"]         # the additive state path (c for the LSTM, h for the GRU)
_GATE = CONCEPT["gate"]         # sigmoid layers
_MAIN = CONCEPT["state"]        # tanh layers (the candidate)
_LSTM_PARTS = ("the cell state: a path from $\\mathbf{c}_{t-1}$ to $\\mathbf{c}_t$",
               r"$\mathbf{f}_t = \sigma(\mathbf{W}_{xf}\mathbf{x}_t + \mathbf{W}_{hf}\mathbf{h}_{t-1}"
               r" + \mathbf{b}_f)$ scales $\mathbf{c}_{t-1}$",
               r"$\mathbf{c}_t = \mathbf{f}_t \odot \mathbf{c}_{t-1} + \mathbf{i}_t \odot \mathbf{g}_t$",
               r"$\mathbf{c}_t = \mathbf{f}_t \odot \mathbf{c}_{t-1} + \mathbf{i}_t \odot \mathbf{g}_t$,"
               r"   $\mathbf{h}_t = \mathbf{o}_t \odot \tanh(\mathbf{c}_t)$")
_GRU_PARTS = (r"$\tilde{\mathbf{h}}_t = \tanh(\mathbf{W}_{x\tilde h}\mathbf{x}_t + \mathbf{b}_{x\tilde h}"
              r" + \mathbf{r}_t \odot (\mathbf{W}_{h\tilde h}\mathbf{h}_{t-1} + \mathbf{b}_{h\tilde h}))$",
              r"$\mathbf{z}_t = \sigma(\mathbf{W}_{xz}\mathbf{x}_t + \mathbf{W}_{hz}\mathbf{h}_{t-1}"
              r" + \mathbf{b}_z)$",
              r"$\mathbf{h}_t = (1 - \mathbf{z}_t) \odot \tilde{\mathbf{h}}_t + \mathbf{z}_t \odot"
              r" \mathbf{h}_{t-1}$")


def _check_parts(parts: Any, n: int) -> int:
    if isinstance(parts, bool) or not isinstance(parts, numbers.Integral):
        raise TypeError(f"parts must be an integer from 1 to {n}, got {type(parts).__name__} {parts!r}.")
    if not 1 <= parts <= n:
        raise ValueError(f"parts must be an integer from 1 to {n}, got {parts!r}.")
    return int(parts)


def _gate(ax: Axes, x: float, y: float, name: str, formula: str, colour: str) -> None:
    _dbox(ax, x, y, 1.4, 0.9, [name, formula], colour)


def draw_lstm_cell(ax: Axes | None = None, peepholes: bool = False, parts: int = 4) -> Figure:
    """Draw one LSTM cell at slide width: the cell path on top, the four layers in the middle,
    the inputs on the bus below, h_t leaving at the bottom right.

    ``parts`` (1 to 4) draws the cell built up one part at a time, the same drawing each time:
    1 the cell path c_{t-1} -> c_t; 2 + the forget gate; 3 + the input gate and the candidate
    g_t; 4 + the output gate and h_t = o_t * tanh(c_t). With ``peepholes=True`` (and
    ``parts=4``) the dashed peephole connections are drawn: c_{t-1} into the forget and input
    gates, c_t into the output gate (Gers and Schmidhuber 2000). The equations are lecture 04's
    (PyTorch's nn.LSTM). ``TypeError`` names ``ax`` (a matplotlib Axes or None), ``peepholes``
    (True or False) or ``parts``; ``ValueError`` names ``parts`` outside 1..4.
    """
    if not isinstance(peepholes, bool):
        raise TypeError(f"peepholes must be True or False, got {peepholes!r}.")
    parts = _check_parts(parts, 4)
    _check_ax(ax)
    title = ("LSTM cell with peepholes" if peepholes else "LSTM cell") + \
        ": the cell path $\\mathbf{c}$ on top (orange), gates below it"
    fig, ax = _canvas(title, ax, pyplot=True)
    Y_C, Y_G, Y_B = 4.25, 2.65, 1.25
    xf, xi, xg, xo, xc = 2.9, 4.5, 6.0, 7.9, 9.5
    gates = [xf, xi, xg, xo][:[0, 1, 3, 4][parts - 1]]
    cell = CONCEPT["cell"]
    # the cell path, split by the operations present
    stops = [1.0] + ([xf] if parts >= 2 else []) + ([xg] if parts >= 3 else []) + [11.0]
    for a, b in zip(stops, stops[1:]):
        _dline(ax, [(a, Y_C), (b, Y_C)], cell, lw=4, arrow=b == 11.0)
    _text(ax, 0.55, Y_C, r"$\mathbf{c}_{t-1}$", fontsize=LABEL)
    _text(ax, 11.45, Y_C, r"$\mathbf{c}_t$", fontsize=LABEL)
    if gates:       # the inputs: h_{t-1} and x_t join on the bus
        _dline(ax, [(1.0, Y_B), (gates[-1], Y_B)], INK, arrow=False)
        _dline(ax, [(1.6, 0.2), (1.6, Y_B)], CONCEPT["input"], arrow=False)
        _text(ax, 0.55, Y_B, r"$\mathbf{h}_{t-1}$", fontsize=LABEL)
        _text(ax, 1.25, 0.35, r"$\mathbf{x}_t$", fontsize=LABEL)
        for x in gates:
            _dline(ax, [(x, Y_B), (x, Y_G - 0.45)])
    if parts >= 2:  # forget: f_t * c_{t-1}
        _gate(ax, xf, Y_G, "forget", r"$\sigma$: $\mathbf{f}_t$", _GATE)
        _dline(ax, [(xf, Y_G + 0.45), (xf, Y_C - 0.22)])
        _op(ax, xf, Y_C, r"$\times$", cell)
    if parts >= 3:  # write: i_t * g_t, added to the cell state
        _gate(ax, xi, Y_G, "input", r"$\sigma$: $\mathbf{i}_t$", _GATE)
        _gate(ax, xg, Y_G, "main", r"tanh: $\mathbf{g}_t$", _MAIN)
        _dline(ax, [(xi, Y_G + 0.45), (xi, 3.5), (xg - 0.22, 3.5)])
        _dline(ax, [(xg, Y_G + 0.45), (xg, 3.5 - 0.22)])
        _op(ax, xg, 3.5, r"$\times$")
        _dline(ax, [(xg, 3.5 + 0.22), (xg, Y_C - 0.22)])
        _op(ax, xg, Y_C, "+", cell)
    if parts >= 4:  # read: h_t = o_t * tanh(c_t)
        _gate(ax, xo, Y_G, "output", r"$\sigma$: $\mathbf{o}_t$", _GATE)
        _dline(ax, [(xc, Y_C), (xc, 3.72)], cell)
        _dbox(ax, xc, 3.5, 0.8, 0.44, "tanh", INK, fontsize=NOTE, fill=False)
        _dline(ax, [(xc, 3.28), (xc, Y_G + 0.22)])
        _dline(ax, [(xo + 0.7, Y_G), (xc - 0.22, Y_G)])
        _op(ax, xc, Y_G, r"$\times$")
        _dline(ax, [(xc, Y_G - 0.22), (xc, Y_B), (11.0, Y_B)], CONCEPT["state"], lw=3)
        _text(ax, 11.45, Y_B, r"$\mathbf{h}_t$", fontsize=LABEL)
    if peepholes and parts == 4:
        # c_{t-1} is tapped before the forget product; c_t after the sum
        xp = 1.95
        _dline(ax, [(xp, Y_C), (xp, Y_G), (xf - 0.7, Y_G)], cell, dashed=True)
        _dline(ax, [(xp, 3.75), (xi - 0.35, 3.75), (xi - 0.35, Y_G + 0.45)], cell, dashed=True)
        _dline(ax, [(xo - 0.35, Y_C), (xo - 0.35, Y_G + 0.45)], cell, dashed=True)
        _text(ax, xp - 0.3, 3.2, r"$\mathbf{p}_f$")
        _text(ax, (xf + xi) / 2 - 0.1, 3.97, r"$\mathbf{p}_i$")
        _text(ax, xo - 0.05, 3.5, r"$\mathbf{p}_o$", ha="left")
        caption = (r"dashed: $\mathbf{f}_t$ adds $\mathbf{p}_f \odot \mathbf{c}_{t-1}$, "
                   r"$\mathbf{i}_t$ adds $\mathbf{p}_i \odot \mathbf{c}_{t-1}$, "
                   r"$\mathbf{o}_t$ adds $\mathbf{p}_o \odot \mathbf{c}_t$")
    else:
        caption = _LSTM_PARTS[parts - 1]
    _text(ax, 6.6, 0.35, caption, fontsize=LABEL)
    shown = ["the cell path from c_{t-1} to c_t along the top"]
    if parts >= 2:
        shown.append("a forget gate box, sigma: f_t, fed by h_{t-1} and x_t from the bus below, "
                     "multiplying the cell path (times)")
    if parts >= 3:
        shown.append("an input gate box, sigma: i_t, and a main layer box, tanh: g_t, whose product "
                     "is added to the cell path, giving c_t = f_t times c_{t-1} plus i_t times g_t")
    if parts >= 4:
        shown.append("an output gate box, sigma: o_t, multiplying tanh(c_t) to give h_t, which "
                     "leaves at the bottom right")
    if peepholes and parts == 4:
        shown.append("dashed orange peephole lines from c_{t-1} into the forget and input gates (weights "
                     "p_f, p_i) and from c_t into the output gate (p_o)")
    built = f", part {parts} of 4 (the next parts are not drawn yet)" if parts < 4 else ""
    style.set_alt(fig, f"LSTM cell diagram{built}: " + "; ".join(shown) + ".")
    return fig


def draw_gru_cell(ax: Axes | None = None, parts: int = 3) -> Figure:
    """Draw one GRU cell in PyTorch's form at slide width: the state path on top, the gates in
    the middle, the inputs on the bus below.

    The reset gate acts *after* the matrix, r_t * (W_hh~ h_{t-1} + b_hh~), as nn.GRU computes it,
    and h_t = (1 - z_t) * h~_t + z_t * h_{t-1} (the candidate h~_t is PyTorch's n_t). ``parts``
    (1 to 3) draws it built up: 1 the reset gate and the candidate; 2 + the update gate; 3 + the
    interpolation to h_t. ``TypeError`` unless ``ax`` is a matplotlib Axes or None, or for
    ``parts`` not an integer; ``ValueError`` for ``parts`` outside 1..3.
    """
    parts = _check_parts(parts, 3)
    _check_ax(ax)
    fig, ax = _canvas("GRU cell, PyTorch's form: the state path $\\mathbf{h}$ on top (orange)", ax,
                      pyplot=True)
    Y_C, Y_G, Y_B = 4.25, 2.75, 1.05
    xz, xr, xw, xn = 2.5, 4.3, 6.5, 9.0
    path = CONCEPT["cell"]
    _text(ax, 0.5, Y_C, r"$\mathbf{h}_{t-1}$", fontsize=LABEL)
    if parts < 3:
        _dline(ax, [(0.95, Y_C), (1.5, Y_C)], path, lw=4, arrow=False)
    else:
        _dline(ax, [(0.95, Y_C), (xz, Y_C)], path, lw=4, arrow=False)
        _dline(ax, [(xz, Y_C), (xn, Y_C)], path, lw=4, arrow=False)
        _dline(ax, [(xn, Y_C), (11.0, Y_C)], path, lw=4)
        _text(ax, 11.45, Y_C, r"$\mathbf{h}_t$", fontsize=LABEL)
    _dline(ax, [(1.0, Y_C), (1.0, Y_B)], INK, arrow=False)
    _dline(ax, [(1.0, Y_B), (xn, Y_B)], INK, arrow=False)
    _dline(ax, [(1.5, 0.2), (1.5, Y_B)], CONCEPT["input"], arrow=False)
    _text(ax, 1.15, 0.35, r"$\mathbf{x}_t$", fontsize=LABEL)
    # part 1: the reset gate scales W_hh~ h_{t-1} + b_hh~; the candidate adds W_xh~ x_t + b_xh~
    _gate(ax, xr, Y_G, "reset", r"$\sigma$: $\mathbf{r}_t$", _GATE)
    _dline(ax, [(xr, Y_B), (xr, Y_G - 0.45)])
    _dbox(ax, xw, 1.75, 2.5, 0.46, r"$\mathbf{W}_{h\tilde h}\mathbf{h}_{t-1} + \mathbf{b}_{h\tilde h}$",
          INK, fontsize=NOTE, fill=False)
    _dline(ax, [(xw, Y_B), (xw, 1.75 - 0.23)])
    _dline(ax, [(xw, 1.75 + 0.23), (xw, Y_G - 0.22)])
    _dline(ax, [(xr + 0.7, Y_G), (xw - 0.22, Y_G)])
    _op(ax, xw, Y_G, r"$\times$")
    _dline(ax, [(xw + 0.22, Y_G), (xn - 0.7, Y_G)])
    _gate(ax, xn, Y_G, "candidate", r"tanh: $\tilde{\mathbf{h}}_t$", _MAIN)
    _dline(ax, [(xn, Y_B), (xn, Y_G - 0.45)])
    _text(ax, xn + 0.15, 1.75, r"$\mathbf{W}_{x\tilde h}\mathbf{x}_t + \mathbf{b}_{x\tilde h}$", ha="left")
    if parts >= 2:
        _gate(ax, xz, Y_G, "update", r"$\sigma$: $\mathbf{z}_t$", _GATE)
        _dline(ax, [(xz, Y_B), (xz, Y_G - 0.45)])
    if parts >= 3:  # h_t = (1 - z_t) * h~_t + z_t * h_{t-1}
        _dline(ax, [(xz, Y_G + 0.45), (xz, Y_C - 0.22)])
        _op(ax, xz, Y_C, r"$\times$", path)
        _dline(ax, [(xz, 3.7), (5.9 - 0.27, 3.7)], arrow=True)
        _op(ax, 5.9, 3.7, "1−", r=0.27)
        _dline(ax, [(5.9 + 0.27, 3.7), (xn - 0.22, 3.7)])
        _dline(ax, [(xn, Y_G + 0.45), (xn, 3.7 - 0.22)])
        _op(ax, xn, 3.7, r"$\times$")
        _dline(ax, [(xn, 3.7 + 0.22), (xn, Y_C - 0.22)])
        _op(ax, xn, Y_C, "+", path)
    _text(ax, 6.8, 0.35, _GRU_PARTS[parts - 1], fontsize=LABEL if parts > 1 else NOTE)
    shown = ["h_{t-1} enters at the top left and drops to the bus below, where x_t joins it",
             "a reset gate box, sigma: r_t, multiplies W_hh~ h_{t-1} + b_hh~ (after the matrix, as "
             "PyTorch computes it), and the product enters the candidate box, tanh: h~_t, which "
             "also reads W_xh~ x_t + b_xh~"]
    if parts >= 2:
        shown.append("an update gate box, sigma: z_t, fed from the bus")
    if parts >= 3:
        shown.append("the state path along the top: z_t multiplies h_{t-1}, 1 - z_t multiplies "
                     "the candidate, and their sum is h_t = (1 - z_t) times h~_t plus z_t times "
                     "h_{t-1}")
    built = f", part {parts} of 3 (the next parts are not drawn yet)" if parts < 3 else ""
    style.set_alt(fig, f"GRU cell diagram{built}: " + "; ".join(shown) + ".")
    return fig


# ------------------------------------------------------------------ measured plots
def _check_ax(ax: Any) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")


def _check_text(**texts: Any) -> None:
    for name, value in texts.items():
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}.")


def _series(where: str, values: Any, minimum: int = 2) -> np.ndarray:
    """``values`` (a sequence, array or tensor of numbers) as a 1-D float array, or a clear error."""
    if values is None or isinstance(values, (str, bytes, Mapping)):
        raise TypeError(f"{where} must be a sequence of numbers, got {type(values).__name__}.")
    values = getattr(values, "detach", lambda: values)()
    values = getattr(values, "cpu", lambda: values)()
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{where} must be a sequence of numbers, got "
                        f"{type(values).__name__}.") from None
    if array.ndim != 1:
        raise ValueError(f"{where} must be one-dimensional (one number per step or epoch), "
                         f"got shape {array.shape}.")
    if array.size < minimum:
        raise ValueError(f"{where} must hold at least {minimum} value{'s' if minimum != 1 else ''}, "
                         f"got {array.size}.")
    if np.isnan(array).any() or (array < 0).any():
        raise ValueError(f"{where} must hold non-negative numbers (norms or losses), got "
                         f"{array.min() if not np.isnan(array).any() else 'NaN'}.")
    return array


def _named_series(argument: str, mapping: Any, minimum: int = 2) -> dict[str, np.ndarray]:
    if not isinstance(mapping, Mapping) or not mapping:
        raise TypeError(f"{argument} must be a non-empty mapping from a name to its values, got "
                        f"{type(mapping).__name__ if not isinstance(mapping, Mapping) else 'an empty one'}.")
    return {str(name): _series(f"{argument}[{name!r}]", values, minimum)
            for name, values in mapping.items()}


@style.styled
def plot_gradient_by_distance(norms: Mapping[str, Any], ax: Axes | None = None,
                              title: str = r"Gradient reaching input $\mathbf{x}_t$ from the loss at step T",
                              ylabel: str = r"$\|\partial\mathcal{L} / \partial\mathbf{x}_t\|$"
                              ) -> Figure:
    """Plot gradient norms against the distance T - t on a log scale, one line per cell.

    ``norms`` maps a cell's name to a 1-D sequence of T >= 2 non-negative norms, ordered by
    t = 1..T (the last entry is the final step, distance 0). Zeros (an underflow) are drawn as
    gaps: a log scale has no 0. Each cell has its colour, marker and line style
    (:data:`SERIES_STYLES`); the legend sits right of the axes. ``TypeError`` / ``ValueError``
    name the argument at fault.
    """
    series = _named_series("norms", norms)
    _check_ax(ax)
    _check_text(title=title, ylabel=ylabel)
    if ax is None:
        _, ax = plt.subplots(figsize=style.SLIDE_FIGSIZE)
    for index, (name, values) in enumerate(series.items()):
        distance = np.arange(values.size)[::-1]           # T - t for t = 1..T
        ax.semilogy(distance, np.where(values > 0, values, np.nan), lw=2.4, label=name,
                    markevery=max(1, values.size // 8), **_style(name, index))
    fig = _finish(ax, "distance in time T − t (steps)", ylabel, title)
    if style.alt_text(fig) is None:
        style.set_alt(fig, f"{_plain(title)}: gradient norm on a log scale against the distance "
                      "in time T − t, one line per cell; " + _ranges(series) + ".")
    return fig


def _plain(text: str) -> str:
    """``text`` without mathtext markup (for alternative text)."""
    import re
    return re.sub(r"\\[a-zA-Z]+\{?|[${}\\]", "", text).replace("  ", " ").strip()


def _ranges(series: Mapping[str, np.ndarray]) -> str:
    return "; ".join(f"{name} from {values[-1]:.2g} at distance 0 to {values[0]:.2g} at distance "
                     f"{values.size - 1}" for name, values in series.items())


def _finish(ax: Axes, xlabel: str, ylabel: str, title: str) -> Figure:
    """Label a log-scale plot, add its grid and a legend right of the axes, and return its
    tidied figure."""
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.figure.tight_layout()
    return ax.figure


# Lab 04's figures: Okabe and Ito's colour-blind-safe palette (style.OKABE_ITO, every colour
# >= 3:1 on white), each model also with its own line style and marker; text from style.
FONT_SIZE = style.NOTE
_OI = style.OKABE_ITO
SERIES_STYLES = {
    "vanilla RNN": dict(color="#000000", ls=":", marker="s"),
    "RNN": dict(color="#000000", ls=":", marker="s"),
    "LSTM, PyTorch init": dict(color=_OI["reddish_purple"], ls="-.", marker="v"),
    "LSTM, chrono init": dict(color=_OI["blue"], ls="-", marker="o"),
    "LSTM": dict(color=_OI["blue"], ls="-", marker="o"),
    "GRU": dict(color=_OI["vermillion"], ls="--", marker="D"),
    "peephole LSTM": dict(color=_OI["bluish_green"], ls="-.", marker="^"),
}
_SPARE_STYLES = [dict(color=_OI["bluish_green"], ls="-", marker="^"),
                 dict(color=_OI["reddish_purple"], ls="--", marker="P"),
                 dict(color=style.SERIES[5]["color"], ls="-.", marker="X")]
_REFERENCE_DASHES = [(0, (8, 3)), (0, (2, 2)), (0, (8, 2, 2, 2))]


def _style(name: str, index: int) -> dict[str, Any]:
    return SERIES_STYLES.get(name, _SPARE_STYLES[index % len(_SPARE_STYLES)])


def _references(references: Any) -> dict[str, float]:
    if references is None:
        return {}
    if not isinstance(references, Mapping):
        raise TypeError(f"references must be a mapping from a label to a level, or None, got "
                        f"{type(references).__name__}.")
    for label, level in references.items():
        if isinstance(level, bool) or not isinstance(level, numbers.Real):
            raise TypeError(f"references[{label!r}] must be a number, got {type(level).__name__}.")
        if not 0 < level < math.inf:
            raise ValueError(f"references[{label!r}] must be a positive finite number (a log "
                             f"scale), got {level}.")
    return {str(label): float(level) for label, level in references.items()}


def plot_learning_curves(curves: Mapping[str, Sequence[float]],
                         references: Mapping[str, float] | None = None,
                         ax: Axes | None = None,
                         xlabel: str = "epoch (32 updates of 64 sequences)",
                         ylabel: str = "validation MSE (log scale)",
                         title: str = "Adding problem, T = 100") -> Figure:
    """Validation curves, one per model, on a log scale, with horizontal reference lines.

    ``curves`` maps a model's name to its score after each epoch (epoch 1 first); the names
    in :data:`SERIES_STYLES` get their colour, line style and marker. ``references`` maps a
    label (e.g. "remember nothing: predict 1.0") to a positive level, drawn as a grey
    horizontal line with its own dash pattern and listed in the legend with its value. ``TypeError`` / ``ValueError`` name the argument at fault.
    """
    series = _named_series("curves", curves, minimum=1)
    refs = _references(references)
    _check_ax(ax)
    _check_text(xlabel=xlabel, ylabel=ylabel, title=title)
    with style.use():
        if ax is None:
            _, ax = plt.subplots(figsize=style.SLIDE_FIGSIZE)
        for index, (name, values) in enumerate(series.items()):
            ax.semilogy(range(1, values.size + 1), values, lw=2.4, ms=7, label=name,
                        **_style(name, index))
        for (label, level), dashes in zip(refs.items(), _REFERENCE_DASHES * len(refs)):
            ax.axhline(level, color="0.4", lw=1.6, ls=dashes, zorder=0, label=f"{label}: {level:.3f}")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
        ax.figure.tight_layout()
    if style.alt_text(ax.figure) is None:
        style.set_alt(ax.figure, f"{_plain(title)}: {_plain(ylabel)} after each epoch, one line "
                      "per model; " + "; ".join(
                          f"{name} from {v[0]:.3g} to {v[-1]:.3g} (best {v.min():.3g})"
                          for name, v in series.items())
                      + "".join(f"; reference {label}: {level:.3g}" for label, level in refs.items())
                      + ".")
    return ax.figure


def plot_gradient_before_after(before: Mapping[str, Any], after: Mapping[str, Any],
                               title: str = r"Gradient of the final loss reaching input $\mathbf{x}_t$"
                               ) -> Figure:
    """Two panels side by side: gradient norms against the distance T - t, at initialisation
    (``before``) and after training (``after``), on one log scale.

    Both map the same model names to 1-D sequences of T >= 2 non-negative norms ordered by
    t = 1..T, as :func:`plot_gradient_by_distance` takes them. A norm of exactly 0 (below
    float32's smallest number) is a gap in its line. ``TypeError`` / ``ValueError`` name the
    argument at fault.
    """
    first, second = _named_series("before", before), _named_series("after", after)
    if set(first) != set(second):
        raise ValueError(f"before and after must name the same models, got {sorted(first)} "
                         f"and {sorted(second)}.")
    _check_text(title=title)
    with style.use():
        fig, axes = plt.subplots(1, 2, figsize=style.SLIDE_FIGSIZE, sharey=True)
        for ax, series, when in ((axes[0], first, "at initialisation"),
                                 (axes[1], second, "after training")):
            for index, (name, values) in enumerate(series.items()):
                distance = np.arange(values.size)[::-1]
                ax.semilogy(distance, np.where(values > 0, values, np.nan), lw=2.4, ms=7,
                            markevery=max(1, values.size // 8), label=name, **_style(name, index))
            ax.set(title=when, xlabel="distance T − t (steps)")
            ax.grid(True, which="major", alpha=0.3)
        axes[0].set_ylabel(r"$\|\partial\mathcal{L} / \partial\mathbf{x}_t\|$ (log scale)")
        axes[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))   # outside: covers no line
        fig.suptitle(title, fontsize=style.TITLE)
        fig.tight_layout()
    style.set_alt(fig, f"{_plain(title)}, on a log scale against the distance in time T − t, "
                  f"one line per model. At initialisation: {_ranges(first)}. After training: "
                  f"{_ranges(second)}.")
    return fig


# ------------------------------------------------------------------ the gate widget
def memory_trace(forget: float, write: float, read: float, steps: int = 40,
                 store_at: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    """Run one LSTM unit with fixed gates and return what its state holds at each step.

    At step ``store_at`` the cell stores the value 1.0 (its input gate fully open there). At
    every other step a distractor g_t ~ U(-1, 1) arrives and is written with the input gate
    value ``write``. ``forget`` is the forget gate f, ``read`` the output gate o, all in [0, 1].
    Returns arrays of length ``steps``: ``"c"`` (cell state), ``"h"`` = o * tanh(c),
    ``"g"`` (the candidates) and ``"kept"`` = f^(t - store_at), the share of the stored value
    still in c (0 before ``store_at``). ``TypeError`` for an argument of the wrong type,
    ``ValueError`` for one out of range; both name the argument.
    """
    for name, value in (("forget", forget), ("write", write), ("read", read)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{name} must be a gate value in [0, 1], got {type(value).__name__} "
                            f"{value!r}.")
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be a gate value in [0, 1], got {value!r}.")
    for name, value, wanted in (("steps", steps, "an integer >= 2"),
                                ("store_at", store_at, "an integer in [0, steps)"),
                                ("seed", seed, "a non-negative integer")):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"{name} must be {wanted}, got {type(value).__name__} {value!r}.")
    if steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}.")
    if not 0 <= store_at < steps:
        raise ValueError(f"store_at must be an integer in [0, {steps}), got {store_at!r}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    rng = np.random.default_rng(seed)
    g = rng.uniform(-1, 1, steps)
    g[store_at] = 1.0
    c, cs = 0.0, []
    for t in range(steps):
        i = 1.0 if t == store_at else write
        c = forget * c + i * g[t]
        cs.append(c)
    c_arr = np.array(cs)
    t = np.arange(steps)
    kept = np.where(t >= store_at, float(forget) ** np.clip(t - store_at, 0, None), 0.0)
    return {"c": c_arr, "h": read * np.tanh(c_arr), "g": g, "kept": kept}


def _memory_limits(steps: int) -> tuple[float, float]:
    """y limits that hold every curve the gate widget can draw: c_t, h_t, g_t and the share
    kept over every slider position (forget 0..1 by 0.01, input 0..1 by 0.05; h_t lies in
    [-1, 1] for any output gate), with a margin of 0.15."""
    low, high = -1.0, 1.0
    for forget in np.linspace(0, 1, 101):
        for write in np.linspace(0, 1, 21):
            c = memory_trace(float(forget), float(write), 1.0, steps)["c"]
            low, high = min(low, c.min()), max(high, c.max())
    return low - 0.15, high + 0.15


def _draw_memory(ax: Axes, forget: float, write: float, read: float, steps: int,
                 limits: tuple[float, float] = (-1.6, 2.6)) -> str:
    trace = memory_trace(forget, write, read, steps)
    t = np.arange(1, steps + 1)
    cell = style.CONCEPT["cell"]
    ax.bar(t, trace["g"], color="#d0d0d0", width=0.6, label="input $g_t$ (distractors)")
    ax.bar([4], [1.0], color=cell, width=0.6, hatch="//", edgecolor=style.INK,
           label="value stored at t = 4")
    ax.plot(t, trace["c"], color=CELL_COLORS["LSTM"], lw=2.6, label="cell state $c_t$")
    ax.plot(t, trace["h"], color="black", lw=1.6, ls="--", label="output $h_t = o\\,\\tanh(c_t)$")
    ax.plot(t, trace["kept"], color=style.readable(cell, minimum=3), lw=2.2, ls=":",
            label="share kept $f^{\\,t-4}$")
    ax.set_ylim(*limits)
    ax.set_xlim(0.3, steps + 0.7)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bias = math.log(forget / (1 - forget)) if 0 < forget < 1 else math.copysign(math.inf, forget - 0.5)
    left = trace["kept"][-1]
    # one unit: its gates and states are scalars, in italics (NOTATION.md, "for one neuron")
    ax.set_title(f"$f$ = {forget:.2f} (bias $b_f$ = {bias:.2f}): after {steps - 4} steps $c$ "
                 f"keeps {100 * left:.1f}% of the stored value", fontsize=style.LABEL, loc="left")
    return f"{left:.3f}"


def gate_memory_widget(steps: int = 40,
                       figsize: tuple[float, float] = (style.SLIDE_FIGSIZE[0], 4.6)) -> Any:
    """Sliders for the forget, input and output gates of one LSTM unit, and the memory they give.

    Returns an ipywidgets 7 ``VBox`` (sliders above a plot) sized for a 1280x720 slide. The
    first frame (f = 0.9, i = 0.1, o = 1) already shows a memory fading over the sequence. The
    y axis is the same for every slider position and holds every curve (:func:`_memory_limits`).
    ``TypeError`` / ``ValueError`` name ``steps`` (an integer in [8, 200]) or ``figsize`` at fault.
    """
    import ipywidgets as widgets
    from IPython.display import display
    from course_utils.widgets import note_if_slideshow_cannot_show_widgets

    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool):
        raise TypeError(f"steps must be an integer in [8, 200], got {type(steps).__name__} "
                        f"{steps!r}.")
    if not 8 <= steps <= 200:
        raise ValueError(f"steps must be an integer in [8, 200], got {steps!r}.")
    if not isinstance(figsize, (tuple, list)):
        raise TypeError(f"figsize must be a pair of positive numbers (width, height) in inches, "
                        f"got {type(figsize).__name__} {figsize!r}.")
    if (len(figsize) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                       for v in figsize)):
        raise ValueError(f"figsize must be a pair of positive numbers (width, height) in inches, "
                         f"got {figsize!r}.")
    note_if_slideshow_cannot_show_widgets()
    label = {"description_width": "initial"}
    layout = widgets.Layout(width="400px")
    forget = widgets.FloatSlider(0.9, min=0.0, max=1.0, step=0.01, description="forget gate f",
                                 style=label, layout=layout, continuous_update=False)
    write = widgets.FloatSlider(0.1, min=0.0, max=1.0, step=0.05,
                                description="input gate i (others)", style=label, layout=layout,
                                continuous_update=False)
    read = widgets.FloatSlider(1.0, min=0.0, max=1.0, step=0.05, description="output gate o",
                               style=label, layout=layout, continuous_update=False)
    out = widgets.Output(layout=widgets.Layout(width="100%"))
    limits = _memory_limits(steps)

    def redraw(*_: Any) -> None:
        with out:
            out.clear_output(wait=True)
            with style.use():
                fig, ax = plt.subplots(figsize=figsize)
                _draw_memory(ax, forget.value, write.value, read.value, steps, limits)
                fig.tight_layout()
                style.set_alt(fig, f"One LSTM unit over {steps} steps with forget gate "
                              f"{forget.value:.2f}, input gate {write.value:.2f} and output gate "
                              f"{read.value:.2f}: the cell state keeps "
                              f"{100 * forget.value ** (steps - 4):.1f}% of the value stored at "
                              "step 4, among random distractor inputs.")
                display(fig)
            plt.close(fig)

    for slider in (forget, write, read):
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([forget, write, read],
                                      layout=widgets.Layout(flex_flow="row wrap")), out])


__all__ = ["draw_lstm_cell", "draw_gru_cell", "plot_gradient_by_distance",
           "plot_learning_curves", "plot_gradient_before_after", "memory_trace",
           "gate_memory_widget", "CELL_COLORS", "SERIES_STYLES"]
