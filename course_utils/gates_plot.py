"""Figures and the widget of Unit 4 (gated cells).

* :func:`draw_lstm_cell`, :func:`draw_gru_cell`: cell diagrams drawn with matplotlib.
* :func:`plot_gradient_by_distance`: gradient norm against the distance in time, log scale.
* :func:`plot_learning_curves`: validation curves of several models against a baseline.
* :func:`memory_trace` and :func:`gate_memory_widget`: what an LSTM cell state keeps when the
  student sets its gates (ipywidgets 7, works in JupyterLab and in the RISE slideshow).
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

CELL_COLORS = {"RNN": "#7f7f7f", "vanilla RNN": "#7f7f7f", "LSTM": "#1f77b4",
               "GRU": "#d62728", "peephole LSTM": "#2ca02c"}
_PATH = "#ff7f0e"      # the additive state path
_GATE = "#dbe9f6"      # sigmoid layers
_MAIN = "#fde0c5"      # tanh layers


# ------------------------------------------------------------------ diagram primitives
def _box(ax: Axes, x: float, y: float, text: str, label: str, color: str) -> None:
    ax.add_patch(FancyBboxPatch((x - 0.64, y - 0.4), 1.28, 0.8, boxstyle="round,pad=0.02",
                                fc=color, ec="black", lw=1.2, zorder=3))
    ax.text(x, y + 0.17, label, ha="center", va="center", fontsize=9.5, zorder=4)
    ax.text(x, y - 0.17, text, ha="center", va="center", fontsize=12, zorder=4)


def _op(ax: Axes, x: float, y: float, symbol: str, color: str = "white") -> None:
    ax.add_patch(Circle((x, y), 0.22, fc=color, ec="black", lw=1.2, zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=12, zorder=4)


def _path(ax: Axes, points: Sequence[tuple[float, float]], color: str = "black",
          lw: float = 1.5, arrow: bool = True, shrink: float = 12) -> None:
    xs, ys = zip(*points)
    ax.plot(xs[:-1] if arrow else xs, ys[:-1] if arrow else ys, color=color, lw=lw, zorder=1,
            solid_capstyle="round")
    if arrow:
        ax.annotate("", xy=points[-1], xytext=points[-2], zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, shrinkA=0, shrinkB=shrink))


def _canvas(ax: Axes | None, title: str) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.4, 4.2))
    else:
        fig = ax.figure
    ax.set_xlim(-0.2, 10.6)
    ax.set_ylim(-0.2, 6.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=13)
    return fig, ax


def draw_lstm_cell(ax: Axes | None = None, peepholes: bool = False) -> Figure:
    """Draw one LSTM cell: the c-path on top, the four layers below, h at the bottom.

    With ``peepholes=True`` the dashed peephole connections from the cell state to the three
    gates are drawn too (Gers and Schmidhuber 2000).
    """
    title = "LSTM cell" + (" with peepholes" if peepholes else "") + \
        " (orange: the additive long-term path)"
    fig, ax = _canvas(ax, title)
    top, bus, layer = 5.0, 0.8, 2.4
    xf, xi, xg, xo, xc = 2.2, 3.6, 5.0, 6.6, 8.0
    # long-term state: c_{t-1} -> (x f) -> (+ i*g) -> c_t
    _path(ax, [(0.0, top), (xf, top)], _PATH, 3)
    _path(ax, [(xf, top), (xg, top)], _PATH, 3)
    _path(ax, [(xg, top), (10.2, top)], _PATH, 3)
    ax.text(0.0, top + 0.3, r"$c_{t-1}$", fontsize=13, ha="left")
    ax.text(10.2, top + 0.3, r"$c_t$", fontsize=13, ha="right")
    # inputs: h_{t-1} and x_t meet on the bus
    _path(ax, [(0.0, bus), (xo, bus)], arrow=False)
    ax.text(0.0, bus + 0.25, r"$h_{t-1}$", fontsize=13, ha="left")
    _path(ax, [(1.1, -0.1), (1.1, bus)], shrink=0)
    ax.text(1.25, -0.1, r"$x_t$", fontsize=13, ha="left", va="bottom")
    for x in (xf, xi, xg, xo):
        _path(ax, [(x, bus), (x, layer - 0.4)])
    _box(ax, xf, layer, r"$\sigma$: $f_t$", "forget", _GATE)
    _box(ax, xi, layer, r"$\sigma$: $i_t$", "input", _GATE)
    _box(ax, xg, layer, r"tanh: $g_t$", "main", _MAIN)
    _box(ax, xo, layer, r"$\sigma$: $o_t$", "output", _GATE)
    # forget: f * c_{t-1}
    _path(ax, [(xf, layer + 0.4), (xf, top)])
    _op(ax, xf, top, r"$\times$")
    # write: i * g, added to the state
    _path(ax, [(xi, layer + 0.4), (xi, 3.8), (xg, 3.8)])
    _path(ax, [(xg, layer + 0.4), (xg, 3.8)])
    _op(ax, xg, 3.8, r"$\times$")
    _path(ax, [(xg, 3.8), (xg, top)])
    _op(ax, xg, top, "+", "#ffe3c7")
    # read: h_t = o * tanh(c_t)
    _path(ax, [(xc, top), (xc, 3.75)])
    ax.add_patch(FancyBboxPatch((xc - 0.4, 3.45), 0.8, 0.5, boxstyle="round,pad=0.02",
                                fc="white", ec="black", lw=1.0, zorder=3))
    ax.text(xc, 3.7, "tanh", ha="center", va="center", fontsize=11, zorder=4)
    _path(ax, [(xc, 3.45), (xc, layer)])
    _path(ax, [(xo + 0.64, layer), (xc, layer)])
    _op(ax, xc, layer, r"$\times$")
    _path(ax, [(xc, layer), (xc, bus), (10.2, bus)])
    ax.text(10.2, bus + 0.25, r"$h_t$", fontsize=13, ha="right")
    if peepholes:
        kw = dict(color="#2ca02c", lw=1.3, ls="--", zorder=1)
        ax.plot([1.4, 1.4, xf - 0.64], [top, layer, layer], **kw)
        ax.plot([1.4, 1.4, xi - 0.64], [layer, layer + 0.25, layer + 0.25], **kw)
        ax.plot([9.0, 9.0, xo + 0.2, xo + 0.2], [top, 3.1, 3.1, layer + 0.3], **kw)
        ax.text(9.1, 3.2, "peepholes", color="#2ca02c", fontsize=10, ha="left")
    return fig


def draw_gru_cell(ax: Axes | None = None) -> Figure:
    """Draw one GRU cell in PyTorch's form: h_t = (1 - z) * n + z * h_{t-1}."""
    fig, ax = _canvas(ax, "GRU cell (orange: the interpolated state path)")
    top, bus, layer = 5.0, 0.8, 2.4
    xz, xr, xn = 2.4, 4.2, 7.8
    _path(ax, [(0.0, top), (xz, top)], _PATH, 3)
    _path(ax, [(xz, top), (xn, top)], _PATH, 3)
    _path(ax, [(xn, top), (10.2, top)], _PATH, 3)
    ax.text(0.0, top + 0.3, r"$h_{t-1}$", fontsize=13, ha="left")
    ax.text(10.2, top + 0.3, r"$h_t$", fontsize=13, ha="right")
    _path(ax, [(0.9, top), (0.9, bus), (xn, bus)], arrow=False)
    _path(ax, [(1.3, -0.1), (1.3, bus)], shrink=0)
    ax.text(1.45, -0.1, r"$x_t$", fontsize=13, ha="left", va="bottom")
    for x in (xz, xr, xn):
        _path(ax, [(x, bus), (x, layer - 0.4)])
    _box(ax, xz, layer, r"$\sigma$: $z_t$", "update", _GATE)
    _box(ax, xr, layer, r"$\sigma$: $r_t$", "reset", _GATE)
    _box(ax, xn, layer, r"tanh: $n_t$", "candidate", _MAIN)
    # z * h_{t-1}
    _path(ax, [(xz, layer + 0.4), (xz, top)])
    _op(ax, xz, top, r"$\times$")
    # (1 - z) * n
    _path(ax, [(xz, 3.8), (5.8, 3.8)])
    ax.add_patch(Circle((5.8, 3.8), 0.3, fc="white", ec="black", lw=1.2, zorder=3))
    ax.text(5.8, 3.8, "1−", ha="center", va="center", fontsize=11, zorder=4)
    _path(ax, [(5.8, 3.8), (xn, 3.8)])
    _path(ax, [(xn, layer + 0.4), (xn, 3.8)])
    _op(ax, xn, 3.8, r"$\times$")
    _path(ax, [(xn, 3.8), (xn, top)])
    _op(ax, xn, top, "+", "#ffe3c7")
    # the reset gate scales W_hn h + b_hn inside the candidate
    _path(ax, [(xr + 0.64, layer), (xn - 0.64, layer)], shrink=0)
    ax.text((xr + xn) / 2, layer - 0.3, r"$r_t$ scales $W_{hn} h_{t-1} + b_{hn}$",
            ha="center", va="top", fontsize=10)
    return fig


# ------------------------------------------------------------------ measured plots
def plot_gradient_by_distance(norms: Mapping[str, Any], ax: Axes | None = None,
                              title: str = "Gradient reaching input $x_t$ from the loss at step T",
                              ylabel: str = r"$\|\partial L / \partial x_t\|$") -> Figure:
    """Plot gradient norms against the distance T - t on a log scale, one line per cell.

    ``norms`` maps a cell's name to a sequence of T norms, ordered by t = 1..T (the last entry
    is the final step, distance 0). Zeros are drawn as gaps (a log scale has no 0).
    """
    if not isinstance(norms, Mapping) or not norms:
        raise TypeError("norms must be a non-empty mapping from a cell name to T gradient norms.")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8))
    for name, values in norms.items():
        values = np.asarray(getattr(values, "detach", lambda: values)(), dtype=float).ravel()
        if values.size < 2:
            raise ValueError(f"norms[{name!r}] must hold at least 2 values, got {values.size}.")
        distance = np.arange(values.size)[::-1]           # T - t for t = 1..T
        ax.semilogy(distance, np.where(values > 0, values, np.nan), lw=2, label=name,
                    color=CELL_COLORS.get(name))
    return _finish(ax, "distance in time T − t (steps)", ylabel, title)


def _finish(ax: Axes, xlabel: str, ylabel: str, title: str) -> Figure:
    """Label a log-scale plot, add its grid and legend, and return its tidied figure."""
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def plot_learning_curves(curves: Mapping[str, Sequence[float]], baseline: float | None = None,
                         ax: Axes | None = None, xlabel: str = "epoch",
                         ylabel: str = "validation MSE",
                         title: str = "Adding problem, T = 100") -> Figure:
    """Plot validation curves (one per model) on a log scale, with an optional baseline line."""
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves must be a non-empty mapping from a model name to its scores.")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8))
    for name, values in curves.items():
        values = list(values)
        if not values:
            raise ValueError(f"curves[{name!r}] is empty.")
        ax.semilogy(range(1, len(values) + 1), values, "o-", ms=3, lw=2, label=name,
                    color=CELL_COLORS.get(name))
    if baseline is not None:
        ax.axhline(baseline, color="black", ls="--", lw=1,
                   label=f"predict 1.0: {baseline:.3f}")
    return _finish(ax, xlabel, ylabel, title)


# ------------------------------------------------------------------ the gate widget
def memory_trace(forget: float, write: float, read: float, steps: int = 40,
                 store_at: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    """Run one LSTM unit with fixed gates and return what its state holds at each step.

    At step ``store_at`` the cell stores the value 1.0 (its input gate fully open there). At
    every other step a distractor g_t ~ U(-1, 1) arrives and is written with the input gate
    value ``write``. ``forget`` is the forget gate f, ``read`` the output gate o, all in [0, 1].
    Returns arrays of length ``steps``: ``"c"`` (cell state), ``"h"`` = o * tanh(c),
    ``"g"`` (the candidates) and ``"kept"`` = f^(t - store_at), the share of the stored value
    still in c (0 before ``store_at``).
    """
    for name, value in (("forget", forget), ("write", write), ("read", read)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a gate value in [0, 1], got {value!r}.")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}.")
    if not isinstance(store_at, int) or isinstance(store_at, bool) or not 0 <= store_at < steps:
        raise ValueError(f"store_at must be an integer in [0, {steps}), got {store_at!r}.")
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


def _draw_memory(ax: Axes, forget: float, write: float, read: float, steps: int) -> str:
    trace = memory_trace(forget, write, read, steps)
    t = np.arange(1, steps + 1)
    ax.bar(t, trace["g"], color="#cccccc", width=0.6, label="input $g_t$ (distractors)")
    ax.bar([4], [1.0], color=_PATH, width=0.6, label="value stored at t = 4")
    ax.plot(t, trace["c"], color=CELL_COLORS["LSTM"], lw=2.5, label="cell state $c_t$")
    ax.plot(t, trace["h"], color="black", lw=1.2, ls="--", label="output $h_t = o\\,\\tanh(c_t)$")
    ax.plot(t, trace["kept"], color=_PATH, lw=1.5, ls=":", label="share kept $f^{\\,t-4}$")
    ax.set_ylim(-1.6, 2.6)
    ax.set_xlim(0.3, steps + 0.7)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9, ncol=3)
    bias = math.log(forget / (1 - forget)) if 0 < forget < 1 else math.copysign(math.inf, forget - 0.5)
    left = trace["kept"][-1]
    ax.set_title(f"f = {forget:.2f} (forget-gate bias b_f = {bias:.2f}): after {steps - 4} steps "
                 f"c keeps {100 * left:.1f}% of the stored value", fontsize=11)
    return f"{left:.3f}"


def gate_memory_widget(steps: int = 40, figsize: tuple[float, float] = (10, 3.6)) -> Any:
    """Sliders for the forget, input and output gates of one LSTM unit, and the memory they give.

    Returns an ipywidgets 7 ``VBox`` (sliders above a plot) sized for a 1280x720 slide. The
    first frame (f = 0.9, i = 0.1, o = 1) already shows a memory fading over the sequence.
    """
    import ipywidgets as widgets
    from IPython.display import display
    from course_utils.widgets import note_if_slideshow_cannot_show_widgets

    if not isinstance(steps, int) or isinstance(steps, bool) or not 8 <= steps <= 200:
        raise ValueError(f"steps must be an integer in [8, 200], got {steps!r}.")
    note_if_slideshow_cannot_show_widgets()
    style = {"description_width": "150px"}
    layout = widgets.Layout(width="400px")
    forget = widgets.FloatSlider(0.9, min=0.0, max=1.0, step=0.01, description="forget gate f",
                                 style=style, layout=layout, continuous_update=False)
    write = widgets.FloatSlider(0.1, min=0.0, max=1.0, step=0.05,
                                description="input gate i (others)", style=style, layout=layout,
                                continuous_update=False)
    read = widgets.FloatSlider(1.0, min=0.0, max=1.0, step=0.05, description="output gate o",
                               style=style, layout=layout, continuous_update=False)
    out = widgets.Output(layout=widgets.Layout(width="100%"))

    def redraw(*_: Any) -> None:
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=figsize)
            _draw_memory(ax, forget.value, write.value, read.value, steps)
            fig.tight_layout()
            display(fig)
            plt.close(fig)

    for slider in (forget, write, read):
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([forget, write, read],
                                      layout=widgets.Layout(flex_flow="row wrap")), out])


__all__ = ["draw_lstm_cell", "draw_gru_cell", "plot_gradient_by_distance",
           "plot_learning_curves", "memory_trace", "gate_memory_widget", "CELL_COLORS"]
