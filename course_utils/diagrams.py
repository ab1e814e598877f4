"""The course's diagrams: boxes and arrows drawn at full slide width in the course style.

Every diagram is a :class:`matplotlib.figure.Figure` of ``style.SLIDE_FIGSIZE`` (1200 x 540 px
at ``style.DPI``) whose one axes covers the whole figure with **data units in inches**, so a
box's size and a label's size are measured in the same unit and every label fits its box.
Text is ``style.INK`` at ``style.NOTE`` (16 pt) or larger; colour only marks the concept
(``style.CONCEPT``: input, state, output, gradient, cell path, gates). Every function sets a
default alternative text with ``style.set_alt``.

A label drawn inside a box carries the box's id (``Text.get_gid() == "in:" + box gid``), so a
test can check that the label lies inside its box and that no two labels overlap
(``tests/test_diagrams.py``).
"""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from course_utils import style
from course_utils.style import CONCEPT, INK, LABEL, NOTE, TITLE

_ids = itertools.count()


# ------------------------------------------------------------------ primitives
def tint(colour: str, share: float = 0.22) -> tuple[float, float, float]:
    """``colour`` mixed with white: ``share`` of the colour (a light fill that keeps INK legible)."""
    r, g, b = to_rgb(colour)
    return (1 - share * (1 - r), 1 - share * (1 - g), 1 - share * (1 - b))


def _canvas(title: str, ax: Axes | None = None, figsize: Sequence[float] | None = None,
            pyplot: bool = False) -> tuple[Figure, Axes]:
    """A figure whose axes spans it, in slide inches (12 x 5.4 data units, drawn at ``figsize``,
    checked to fit a slide, default ``style.SLIDE_FIGSIZE``); the title inside the top 0.5 inch.
    ``pyplot=True`` makes a pyplot figure, for callers whose notebooks show it with
    ``plt.show()`` or a trailing ``;``."""
    w, h = style.SLIDE_FIGSIZE
    if ax is None:
        size = _figsize((w, h) if figsize is None else figsize)
        if pyplot:
            import matplotlib.pyplot as plt
            fig = plt.figure(figsize=size, dpi=style.DPI)
        else:
            fig = Figure(figsize=size, dpi=style.DPI)
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=TITLE, color=INK, y=(h - 0.42) / h, va="center")
    return fig, ax


def _box(ax: Axes, x: float, y: float, w: float, h: float, lines: Sequence[str] | str,
         colour: str, fontsize: float = LABEL, fill: bool = True, lw: float = 2.0,
         square: bool = False) -> FancyBboxPatch:
    """A box centred at (x, y), w x h inches, with its label lines inside (top to bottom)."""
    gid = f"box{next(_ids)}"
    style_ = "square,pad=0" if square else "round,pad=0,rounding_size=0.1"
    patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style_,
                           fc=(tint(colour, 0.1 if colour == CONCEPT["target"] else 0.22) if fill
                               else "white"), ec=colour, lw=lw, zorder=3,
                           gid=gid)
    ax.add_patch(patch)
    lines = [lines] if isinstance(lines, str) else list(lines)
    n = len(lines)
    for k, text in enumerate(lines):
        dy = (n - 1) / 2 * 0.36 - k * 0.36
        ax.text(x, y + dy, text, ha="center", va="center", fontsize=fontsize if k == n - 1 or n == 1
                else NOTE, color=INK, zorder=4, gid="in:" + gid)
    return patch


def _op(ax: Axes, x: float, y: float, symbol: str, colour: str = INK, r: float = 0.22) -> Circle:
    """A pointwise operation (x, +, 1-) drawn as a circle with its symbol inside."""
    gid = f"box{next(_ids)}"
    patch = Circle((x, y), r, fc="white", ec=colour, lw=2.0, zorder=3, gid=gid)
    ax.add_patch(patch)
    ax.text(x, y, symbol, ha="center", va="center", fontsize=LABEL, color=INK, zorder=4,
            gid="in:" + gid)
    return patch


def _line(ax: Axes, points: Sequence[tuple[float, float]], colour: str = INK, lw: float = 2.0,
          arrow: bool = True, dashed: bool = False, zorder: float = 1) -> FancyArrowPatch:
    """A polyline through ``points``, with an arrowhead at the last point unless ``arrow=False``."""
    codes = [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
    patch = FancyArrowPatch(path=Path(points, codes), arrowstyle="-|>" if arrow else "-",
                            mutation_scale=20, color=colour, lw=lw, zorder=zorder,
                            linestyle=(0, (4, 2.5)) if dashed else "-", joinstyle="miter",
                            capstyle="butt")
    ax.add_patch(patch)
    return patch


def _text(ax: Axes, x: float, y: float, text: str, fontsize: float = NOTE, ha: str = "center",
          va: str = "center", **kw):
    return ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=INK, zorder=5, **kw)


def _figsize(figsize) -> tuple[float, float]:
    try:
        w, h = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(f"figsize must be a pair of numbers (inches), got {figsize!r}.") from None
    if not (0 < w <= style.MAX_FIGSIZE[0] and 0 < h <= style.MAX_FIGSIZE[1]):
        raise ValueError(f"figsize must fit a slide: at most {style.MAX_FIGSIZE} inches, "
                         f"got {figsize!r}.")
    return w, h


def _words(values: Sequence[int]) -> str:
    """1, 2 and 3: a list for alternative text (no brackets, which markdown image text avoids)."""
    values = [str(v) for v in values]
    return ", ".join(values[:-1]) + " and " + values[-1] if len(values) > 1 else values[0]


# ------------------------------------------------------------------ lecture 01
def rnn_full_network(input_size: int = 3, hidden_size: int = 4, output_size: int = 2) -> Figure:
    """The whole network of lecture 01 as layers of units: x_t (D) -> W_xh -> h_t (H), the
    recurrent W_hh loop (one step of delay), h_t -> W_hy -> logits -> softmax -> y_hat_t (K).

    Sizes are the ones drawn (each at most 6). Shapes as NOTATION.md: W_xh (H, D), W_hh (H, H),
    W_hy (K, H).
    """
    D, H, K = (_count(n, v, 1, 6) for n, v in (("input_size", input_size),
                                                  ("hidden_size", hidden_size),
                                                  ("output_size", output_size)))
    fig, ax = _canvas("The whole recurrent network at step $t$: three weight matrices, shared by all steps")
    cols = {"x": (1.6, D, CONCEPT["input"]), "h": (5.6, H, CONCEPT["state"]),
            "y": (10.0, K, CONCEPT["output"])}
    centre, gap, r = 2.75, 0.52, 0.17
    units = {}
    for key, (x, n, colour) in cols.items():
        ys = [centre + (n - 1) / 2 * gap - i * gap for i in range(n)]
        units[key] = [(x, y) for y in ys]
        ax.add_patch(FancyBboxPatch((x - 0.42, ys[-1] - 0.38), 0.84, ys[0] - ys[-1] + 0.76,
                                    boxstyle="round,pad=0,rounding_size=0.12", fc=tint(colour),
                                    ec=colour, lw=2, zorder=1))
        for (ux, uy) in units[key]:
            ax.add_patch(Circle((ux, uy), r, fc="white", ec=colour, lw=2, zorder=3))
    for a, b, colour in (("x", "h", CONCEPT["input"]), ("h", "y", CONCEPT["output"])):
        for (x0, y0) in units[a]:
            for (x1, y1) in units[b]:
                ax.plot([x0 + r, x1 - r], [y0, y1], color=colour, lw=0.9, alpha=0.7, zorder=2)
    # the recurrent loop: out of the state layer's top, back into it, through a delay
    top = units["h"][0][1] + 0.38
    loop = [(5.6 + 0.2, top), (5.6 + 0.2, 4.1), (5.6 - 1.5, 4.1), (5.6 - 1.5, top - 0.2),
            (5.6 - 0.42, top - 0.2)]
    _line(ax, loop, CONCEPT["state"], lw=2.4)
    _box(ax, 5.6 - 0.65, 4.1, 0.95, 0.42, "delay", CONCEPT["state"], fontsize=NOTE, fill=False)
    _text(ax, 5.6, 4.62, r"$\mathbf{W}_{hh}$ $(H, H)$: $\mathbf{h}_{t-1} \to \mathbf{h}_t$")
    _text(ax, 3.0, 3.95, r"$\mathbf{W}_{xh}$ $(H, D)$", va="bottom")
    _text(ax, 7.9, 3.95, r"$\mathbf{W}_{hy}$ $(K, H)$", va="bottom")
    _line(ax, [(3.0, 3.9), (3.0, 3.4)], CONCEPT["input"], lw=1.5)
    _line(ax, [(7.9, 3.9), (7.9, 3.2)], CONCEPT["output"], lw=1.5)
    bottom = centre - max(D, H, K) / 2 * gap - 0.25
    for key, name, size in (("x", r"input $\mathbf{x}_t$", f"$(D)$, $D = {D}$"),
                            ("h", r"state $\mathbf{h}_t$", f"$(H)$, $H = {H}$"),
                            ("y", r"output $\hat{\mathbf{y}}_t$", f"$(K)$, $K = {K}$")):
        x = cols[key][0]
        _text(ax, x, bottom - 0.05, name, fontsize=LABEL, va="top")
        _text(ax, x, bottom - 0.45, size, va="top")
    _text(ax, 6.0, 0.3, r"$\mathbf{h}_t = \tanh(\mathbf{W}_{xh}\mathbf{x}_t + \mathbf{W}_{hh}\mathbf{h}_{t-1}"
          r" + \mathbf{b}_h)$,   $\boldsymbol{\ell}_t = \mathbf{W}_{hy}\mathbf{h}_t + \mathbf{b}_y$,   "
          r"$\hat{\mathbf{y}}_t = \mathrm{softmax}(\boldsymbol{\ell}_t)$", fontsize=LABEL)
    style.set_alt(fig, f"The recurrent network as three layers of units: {D} input units x_t on the "
                  f"left, fully connected through W_xh (shape H by D) to {H} state units h_t in the "
                  f"middle, which loop back to themselves through a one-step delay with W_hh (H by H), "
                  f"and connect through W_hy (K by H) to {K} output units, the softmax of the logits, "
                  "y_hat_t. Below: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h), "
                  "logits = W_hy h_t + b_y, y_hat_t = softmax(logits).")
    return fig


def _count(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer from {low} to {high}, got "
                        f"{type(value).__name__} {value!r}.")
    if not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}.")
    return int(value)


# ------------------------------------------------------------------ lecture 02
def truncated_bptt_chunks(seq_len: int = 12, chunk: int = 4) -> Figure:
    """Truncated BPTT as lecture 02's ``train_tbptt`` runs it: the sequence cut into chunks of
    k = ``chunk`` steps; the state's value is carried into the next chunk, its graph is cut
    (``h.detach()``), so each chunk's loss sends gradient back only inside its own chunk.
    """
    T = _count("seq_len", seq_len, 2, 12)
    k = _count("chunk", chunk, 1, T)
    fig, ax = _canvas(f"Truncated BPTT, $k = {k}$: the state goes on, the gradient stops")
    step = 0.88
    x0 = 0.85
    xs = [x0 + t * step for t in range(T + 1)]          # xs[0] is h_0
    Y_X, Y_H, Y_L = 1.45, 2.75, 4.15
    w = 0.46
    state, grad = CONCEPT["state"], CONCEPT["gradient"]
    n_chunks = -(-T // k)
    for c in range(n_chunks):
        a, b = c * k + 1, min((c + 1) * k, T)
        left, right = xs[a] - w / 2 - 0.08, xs[b] + w / 2 + 0.08
        ax.add_patch(Rectangle((left, Y_X - 0.42), right - left, Y_L + 0.33 - (Y_X - 0.42),
                               fc=tint(grad, 0.08), ec="none", zorder=0))
        _box(ax, (left + right) / 2, Y_L, right - left - 0.1, 0.5,
             f"loss of chunk {c + 1}", CONCEPT["output"], fontsize=NOTE)
    _box(ax, xs[0], Y_H, w, 0.5, r"$\mathbf{h}_0$", state, fontsize=NOTE, fill=False)
    for t in range(1, T + 1):
        _box(ax, xs[t], Y_X, w, 0.5, rf"$\mathbf{{x}}_{{{t}}}$", CONCEPT["input"], fontsize=NOTE)
        _box(ax, xs[t], Y_H, w, 0.5, rf"$\mathbf{{h}}_{{{t}}}$", state, fontsize=NOTE)
        _line(ax, [(xs[t], Y_X + 0.25), (xs[t], Y_H - 0.25)], CONCEPT["input"], lw=1.6)
        _line(ax, [(xs[t], Y_H + 0.25), (xs[t], Y_L - 0.25)], CONCEPT["output"], lw=1.2)
        boundary = (t - 1) % k == 0 and t > 1
        # forward: the value always flows on
        _line(ax, [(xs[t - 1] + w / 2, Y_H + 0.09), (xs[t] - w / 2, Y_H + 0.09)], state, lw=2.2)
        if not boundary and t > 1:   # backward inside a chunk
            _line(ax, [(xs[t] - w / 2, Y_H - 0.11), (xs[t - 1] + w / 2, Y_H - 0.11)], grad, lw=2.2,
                  dashed=True)
        if boundary:
            xb = (xs[t - 1] + xs[t]) / 2
            ax.plot([xb, xb], [Y_X - 0.42, Y_L + 0.33], color=INK, lw=1.6, ls=(0, (2, 2)), zorder=2)
    _text(ax, 6.0, 0.62, r"solid vermillion: $\mathbf{h}$ carried forward (value)    "
          r"dashed bluish green: gradient, back to the chunk's first step", fontsize=NOTE)
    _text(ax, 6.0, 0.22, "per chunk: loss.backward(), step; at each dotted line h = h.detach()",
          fontsize=NOTE)
    style.set_alt(fig, f"Truncated BPTT over {T} steps in chunks of k = {k}: inputs x_1 to x_{T} "
                  f"feed states h_1 to h_{T}, starting from h_0. Solid vermillion forward arrows "
                  f"carry the state from every step to the next, across the chunk boundaries too. "
                  f"Dashed bluish green gradient arrows run backward only inside each chunk; at the {n_chunks - 1} "
                  "dotted boundaries h is detached, so no gradient crosses them. Each chunk has its "
                  "own loss, backward pass and optimizer step.")
    return fig


# ------------------------------------------------------------------ lecture 03
def _cell(ax, x, y, w, h, text, colour, fill=True, fontsize=NOTE, hatch=None):
    gid = f"box{next(_ids)}"
    share = 0.1 if colour == CONCEPT["target"] else 0.25
    ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, fc=tint(colour, share) if fill else "white",
                           ec=colour if fill else "#8a8a8a", lw=1.4, zorder=3, gid=gid,
                           hatch=hatch))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=INK, zorder=4,
                gid="in:" + gid)


def packing_batch_sizes(lengths: Sequence[int] = (5, 2, 3, 2)) -> Figure:
    """A padded batch and what ``pack_padded_sequence(..., enforce_sorted=False)`` makes of it:
    the real steps only, time-major, grouped by step, with the real ``batch_sizes`` (computed
    here with PyTorch and printed in the picture)."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence

    if isinstance(lengths, (str, bytes)) or not hasattr(lengths, "__len__"):
        raise TypeError(f"lengths must be a sequence of integers, got {type(lengths).__name__}.")
    lengths = [_count("lengths[i]", n, 1, 6) for n in lengths]
    if not 2 <= len(lengths) <= 5:
        raise ValueError(f"lengths must hold 2 to 5 sequence lengths, got {len(lengths)}.")
    B, T = len(lengths), max(lengths)
    # entry (b, t) holds 10 * b + t, so the packed data say where each element came from
    x = torch.tensor([[[10.0 * b + t] for t in range(T)] for b in range(B)])
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    batch_sizes = packed.batch_sizes.tolist()
    order = [(int(v) // 10, int(v) % 10) for v in packed.data[:, 0].tolist()]
    fig, ax = _canvas("Packing keeps only the real steps, time-major")
    cw, ch = 0.82, 0.44
    top = 4.3
    _text(ax, 0.3, top + 0.42, f"padded batch $(B, T) = ({B}, {T})$, lengths = {lengths}",
          ha="left")
    for b in range(B):
        y = top - b * ch
        _text(ax, 0.55, y, f"seq {b + 1}", ha="center")
        for t in range(T):
            real = t < lengths[b]
            _cell(ax, 1.4 + t * cw, y, cw, ch, rf"$\mathbf{{x}}^{{({b + 1})}}_{{{t + 1}}}$" if real else
                  "pad", CONCEPT["input"] if real else "#8a8a8a", fill=real)
    y_p = 1.35
    n = len(order)
    pw = min(0.74, 9.6 / n)
    xs = [2.1 + pw / 2 + i * pw for i in range(n)]
    _text(ax, 0.3, y_p + 0.9, f"packed.data: the {n} real steps, step 1 of every running "
          "sequence, then step 2, ...", ha="left")
    _text(ax, 0.3, y_p, "data", ha="left", family="monospace")
    _text(ax, 0.3, y_p - 0.55, "batch_sizes", ha="left", family="monospace")
    start = 0
    for t, size in enumerate(batch_sizes):
        for i in range(start, start + size):
            b, tt = order[i]
            _cell(ax, xs[i], y_p, pw, ch, rf"$\mathbf{{x}}^{{({b + 1})}}_{{{tt + 1}}}$",
                  CONCEPT["input"])
        mid = (xs[start] + xs[start + size - 1]) / 2
        ax.plot([xs[start] - pw / 2 + 0.04, xs[start + size - 1] + pw / 2 - 0.04],
                [y_p - 0.31] * 2, color=INK, lw=1.6)
        _text(ax, mid, y_p + 0.42, f"$t = {t + 1}$")
        _text(ax, mid, y_p - 0.55, f"{size}", fontsize=LABEL)
        start += size
    sorted_rows = packed.sorted_indices.tolist()
    _text(ax, 0.3, 0.3, f"packed.batch_sizes = {batch_sizes}: sequences still running at each step",
          ha="left", fontsize=LABEL)
    grid_right = 1.4 + (T - 0.5) * cw
    _text(ax, grid_right + 0.35, top - (B - 1) * ch / 2,
          "pack_padded_sequence(x, lengths,\n    batch_first=True, enforce_sorted=False)",
          ha="left", family="monospace")
    _text(ax, grid_right + 0.35, top - (B - 1) * ch / 2 - 0.75,
          f"sorted_indices = {sorted_rows}: longest first\n(seq "
          + ", ".join(str(i + 1) for i in sorted_rows) + ")", ha="left")
    style.set_alt(fig, f"Packing a padded batch of {B} sequences with lengths {_words(lengths)}: "
                  f"on top, a {B} by {T} grid of steps, the steps past each sequence's length "
                  f"marked pad. Below, packed.data: the {n} real steps in time-major order, the "
                  f"longest sequences first, grouped by step, and the group sizes, "
                  f"packed.batch_sizes: {_words(batch_sizes)}; sorted_indices: "
                  f"{_words(sorted_rows)}.")
    return fig


_TARGETS = (["Je", "bois", "du", "lait", "</s>", "<pad>"],
            ["Il", "dort", "</s>", "<pad>", "<pad>", "<pad>"],
            ["Elle", "lit", "un", "bon", "livre", "</s>"])


def padding_mask() -> Figure:
    """The padding mask M = (targets != pad_id), (B, T), and the loss it makes: a mean over the
    real tokens only (lecture 03's targets, padded with ``<pad>`` after ``</s>``)."""
    B, T = len(_TARGETS), len(_TARGETS[0])
    fig, ax = _canvas(r"The padding mask $\mathbf{M}$: 1 for a real token, 0 for <pad>")
    cw, ch = 0.86, 0.5
    top = 3.9
    left_grid, right_grid = 0.75, 6.75
    _text(ax, left_grid + T * cw / 2 - cw / 2, top + 0.55, f"targets $(B, T) = ({B}, {T})$")
    _text(ax, right_grid + T * cw / 2 - cw / 2, top + 0.55, r"$\mathbf{M}$ = (targets != pad_id)")
    mask = [[int(tok != "<pad>") for tok in row] for row in _TARGETS]
    for b, row in enumerate(_TARGETS):
        y = top - b * ch
        for t, tok in enumerate(row):
            pad = tok == "<pad>"
            _cell(ax, left_grid + t * cw, y, cw, ch, tok, CONCEPT["target"] if not pad else "#8a8a8a",
                  fill=not pad, fontsize=NOTE if len(tok) < 5 else NOTE)
            _cell(ax, right_grid + t * cw, y, cw, ch, str(mask[b][t]),
                  CONCEPT["target"] if mask[b][t] else "#8a8a8a", fill=bool(mask[b][t]))
    mid_y = top - (B - 1) * ch / 2
    _line(ax, [(left_grid + (T - 0.5) * cw + 0.15, mid_y), (right_grid - cw / 2 - 0.15, mid_y)], INK,
          lw=2.4)
    n_real = sum(map(sum, mask))
    _text(ax, 6.0, 1.6, r"$\mathcal{L} = \sum_{b,t} M_{bt}\,\mathcal{L}_t^{(b)} \;/\; \sum_{b,t} M_{bt}$"
          f"   (here {n_real} real tokens of {B * T})", fontsize=LABEL)
    _text(ax, 6.0, 0.85, "in code: F.cross_entropy(logits.flatten(0, 1), targets.flatten(), "
          "ignore_index=pad_id)", family="monospace")
    _text(ax, 6.0, 0.35, "</s> is a real token (the model must learn to stop); <pad> is not",
          fontsize=NOTE)
    style.set_alt(fig, f"Left: a batch of {B} target sequences of {T} tokens, French words ending "
                  "in the end token and filled up with the padding token. An arrow leads to the "
                  "right: the mask M, 1 where the target is a real token (the end token "
                  "included), 0 where it is padding. "
                  f"Below: the loss is the sum of M times the per-token loss over the sum of M, "
                  f"{n_real} real tokens of {B * T}, which cross_entropy with ignore_index=pad_id "
                  "computes.")
    return fig


_BUCKET_LENGTHS = (2, 9, 3, 8, 4, 7, 3, 8)


def bucketing(batch_size: int = 4) -> Figure:
    """Padding with and without bucketing: the same 8 sequences in batches of ``batch_size``,
    in arrival order (left) and sorted by length into buckets (right); the padded cells are
    counted in the picture."""
    B = _count("batch_size", batch_size, 2, 4)
    lengths = list(_BUCKET_LENGTHS)
    fig, ax = _canvas("Bucketing: batch sequences of similar length, and little padding is left")
    cw, ch = 0.5, 0.36
    panels = (("arrival order", list(range(len(lengths))), 0.45),
              ("bucketed: sorted by length, then batched", sorted(range(len(lengths)),
                                                                   key=lambda i: lengths[i]), 6.45))
    for title, order, x0 in panels:
        pads = 0
        y = 4.45
        _text(ax, x0, y + 0.05, title, ha="left", fontsize=LABEL)
        y -= 0.45
        for start in range(0, len(order), B):
            batch = order[start:start + B]
            longest = max(lengths[i] for i in batch)
            for i in batch:
                _text(ax, x0 + 0.2, y, f"{lengths[i]}", ha="center")
                for t in range(longest):
                    real = t < lengths[i]
                    pads += not real
                    _cell(ax, x0 + 0.65 + t * cw, y, cw, ch, "", CONCEPT["input"] if real else
                          "#8a8a8a", fill=real, hatch=None if real else "///")
                y -= ch
            y -= 0.18
        total = sum(lengths)
        _text(ax, x0, 0.42, f"{pads} padded cells for {total} real steps", ha="left",
              fontsize=LABEL)
    style.set_alt(fig, f"The same {len(lengths)} sequences with lengths {_words(lengths)}, drawn as rows "
                  f"of cells, in batches of {B}, each batch padded (hatched cells) to its longest "
                  "sequence. Left, in arrival order, short and long sequences share batches and "
                  "much is padding. Right, sorted by length into buckets first, each batch holds "
                  "sequences of similar length and little padding is left; the padded cells are "
                  "counted under each panel.")
    return fig


# ------------------------------------------------------------------ lecture 05
def _layer_grid(ax: Axes, L: int, T: int, dropout: bool) -> None:
    """Layers x time: x_t at the bottom, h_t^(l) in rows, the head's forecasts x_hat_{t+1} on top."""
    state, inp, out = CONCEPT["state"], CONCEPT["input"], CONCEPT["output"]
    dx, x0 = 1.9, 3.3
    y_x, y_top = 0.9, 4.5
    dy = (y_top - y_x) / (L + 1)
    ys = [y_x + (l + 1) * dy for l in range(L)]
    y_out = y_top
    w, h = 0.95, 0.46
    for t in range(1, T + 1):
        x = x0 + (t - 1) * dx
        _box(ax, x, y_x, w, h, rf"$\mathbf{{x}}_{{{t}}}$", inp, fontsize=NOTE)
        below = y_x
        for l, y in enumerate(ys, start=1):
            _box(ax, x, y, w, h, rf"$\mathbf{{h}}_{{{t}}}^{{({l})}}$", state, fontsize=NOTE)
            colour = inp if l == 1 else state
            if dropout and l > 1:       # dropout on the output of layer l - 1, between layers
                mid = (below + y) / 2
                _line(ax, [(x, below + h / 2), (x, mid - 0.17)], colour, arrow=False)
                _op(ax, x, mid, "D", CONCEPT["gradient"], r=0.17)
                _line(ax, [(x, mid + 0.17), (x, y - h / 2)], colour)
            else:
                _line(ax, [(x, below + h / 2), (x, y - h / 2)], colour)
            if t > 1:
                _line(ax, [(x - dx + w / 2, y), (x - w / 2, y)], state, lw=2.4)
            below = y
        # lecture 05's head forecasts the next value (NOTATION.md: x_hat_{t+m}, made at step t)
        _box(ax, x, y_out, w, h, rf"$\hat{{x}}_{{{t + 1}}}$", out, fontsize=NOTE)
        _line(ax, [(x, ys[-1] + h / 2), (x, y_out - h / 2)], out)
    for l, y in enumerate(ys, start=1):
        _text(ax, 0.2, y, f"layer {l}", ha="left")
        _box(ax, 1.75, y, 0.8, h, rf"$\mathbf{{h}}_0^{{({l})}}$", state, fontsize=NOTE, fill=False)
        _line(ax, [(1.75 + 0.4, y), (x0 - w / 2, y)], state, lw=2.4)
    _text(ax, 0.2, y_x, "input", ha="left")
    _text(ax, 0.2, y_out, "head", ha="left")
    if dropout:
        right = x0 + (T - 1) * dx + w / 2 + 0.3
        _text(ax, right, (ys[-1] + y_out) / 2, "no dropout", ha="left")
        _text(ax, right, (y_x + ys[0]) / 2, "no dropout", ha="left")
        for l in range(1, L):
            _text(ax, right, (ys[l - 1] + ys[l]) / 2, "dropout", ha="left")


def deep_rnn_grid(num_layers: int = 3, seq_len: int = 4) -> Figure:
    """A stacked RNN as a layers x time grid: layer l reads layer l-1's state at the same step
    (layer 1 reads x_t) and its own state one step back; the head reads the top layer and
    forecasts the next value, x_hat_{t+1} at step t (lecture 05's forecaster, NOTATION.md)."""
    L = _count("num_layers", num_layers, 2, 3)
    T = _count("seq_len", seq_len, 2, 5)
    fig, ax = _canvas(f"A deep RNN, $L = {L}$ layers: each layer's states are the next one's inputs")
    _layer_grid(ax, L, T, dropout=False)
    _text(ax, 6.0, 0.25, r"$\mathbf{h}_t^{(l)} = \tanh(\mathbf{W}_{xh}^{(l)}\mathbf{h}_t^{(l-1)} + "
          r"\mathbf{W}_{hh}^{(l)}\mathbf{h}_{t-1}^{(l)} + \mathbf{b}_h^{(l)})$,  "
          r"$\mathbf{h}_t^{(0)} = \mathbf{x}_t$", fontsize=NOTE)
    style.set_alt(fig, f"A grid of {L} layers by {T} time steps. Inputs x_1 to x_{T} at the bottom; "
                  "in each layer l, boxes h_t^(l), each with an arrow from the box below it at the "
                  "same step (layer 1 from x_t) and an arrow from its left neighbour, the same layer "
                  "one step back, starting from h_0^(l). The top layer's states feed the head, "
                  f"whose outputs are the forecasts of the next value, x_hat_2 to x_hat_{T + 1} "
                  "(x_hat_{t+1} at step t). Below: h_t^(l) = tanh(W_xh^(l) h_t^(l-1) + W_hh^(l) h_{t-1}^(l) "
                  "+ b_h^(l)), with h_t^(0) = x_t.")
    return fig


def dropout_between_layers(num_layers: int = 3, seq_len: int = 4) -> Figure:
    """Where ``nn.LSTM(..., num_layers=L, dropout=...)`` applies dropout: on the outputs of every
    layer except the last, i.e. on the arrows between layers; never on the input, on the
    recurrent arrows, or on the last layer's output (PyTorch's documentation of nn.LSTM)."""
    L = _count("num_layers", num_layers, 2, 3)
    T = _count("seq_len", seq_len, 2, 5)
    fig, ax = _canvas(f"nn.LSTM(..., num_layers={L}, dropout > 0): dropout between layers only")
    _layer_grid(ax, L, T, dropout=True)
    which = "layer 1" if L == 2 else "layers 1 and 2"
    _text(ax, 6.0, 0.25, f"D: dropout on the outputs of {which}; none on $\\mathbf{{x}}_t$, on the "
          "recurrent arrows, or on the last layer", fontsize=NOTE)
    style.set_alt(fig, f"The grid of {L} layers by {T} steps with the places nn.LSTM's dropout "
                  f"argument acts marked D: on every vertical arrow from layer l to layer l+1 "
                  f"(the outputs of {which}), and nowhere else: not on the arrows from "
                  "the inputs x_t into layer 1, not on the horizontal recurrent arrows between "
                  "steps, and not on the last layer's output.")
    return fig


# ------------------------------------------------------------------ lecture 06
def teacher_forcing_vs_free_running(steps: int = 3) -> Figure:
    """Two decoders side by side. Teacher forcing (training): step t reads the true previous
    token, <s>, y_1, y_2, ... Free running (inference): step t reads the decoder's own previous
    prediction, <s>, y_hat_1, y_hat_2, ..., so a mistake is fed back."""
    n = _count("steps", steps, 2, 4)
    fig, ax = _canvas("The decoder's inputs: the true tokens in training, its own outputs at test")
    state, inp, out, tgt = CONCEPT["state"], CONCEPT["input"], CONCEPT["output"], CONCEPT["target"]
    dx, w = 1.5, 0.9
    Y_IN, Y_S, Y_OUT = 1.3, 2.55, 3.8
    for panel, (title, x0) in enumerate((("teacher forcing (training)", 0.95),
                                         ("free running (inference)", 6.75))):
        _text(ax, x0 + (n - 1) * dx / 2 + 0.55, 4.6, title, fontsize=LABEL)
        _box(ax, x0, Y_S, 0.75, 0.5, r"$\mathbf{s}_0$", state, fontsize=NOTE, fill=False)
        for t in range(1, n + 1):
            x = x0 + t * dx - 0.35
            prev = "<s>" if t == 1 else (rf"$y_{{{t - 1}}}$" if panel == 0 else
                                        rf"$\hat{{y}}_{{{t - 1}}}$")
            _box(ax, x, Y_IN, w, 0.5, prev, tgt if (panel == 0 or t == 1) else out, fontsize=NOTE)
            _box(ax, x, Y_S, w, 0.5, rf"$\mathbf{{s}}_{{{t}}}$", state, fontsize=NOTE)
            _box(ax, x, Y_OUT, w, 0.5, rf"$\hat{{y}}_{{{t}}}$", out, fontsize=NOTE)
            _line(ax, [(x, Y_IN + 0.25), (x, Y_S - 0.25)], inp)
            _line(ax, [(x, Y_S + 0.25), (x, Y_OUT - 0.25)], out)
            left = x0 + 0.375 if t == 1 else x - dx + w / 2
            _line(ax, [(left, Y_S), (x - w / 2, Y_S)], state, lw=2.4)
            if panel == 1 and t > 1:   # the previous prediction becomes this input
                xp = x - dx
                _line(ax, [(xp + w / 2, Y_OUT), (xp + w / 2 + 0.14, Y_OUT), (xp + w / 2 + 0.14, Y_IN),
                           (x - w / 2, Y_IN)], out, lw=1.8, dashed=True)
    _text(ax, 3.0, 0.45, "inputs: <s>, then the targets $y_1, y_2$, ...", fontsize=NOTE)
    _text(ax, 9.0, 0.45, r"inputs: <s>, then its own $\hat{y}_1, \hat{y}_2$, ... (dashed)",
          fontsize=NOTE)
    ax.plot([6.35, 6.35], [0.7, 4.9], color="#8a8a8a", lw=1.2)
    toks = ", ".join(["the start token"] + [f"y_{t}" for t in range(1, n)])
    own = ", ".join(["the start token"] + [f"y_hat_{t}" for t in range(1, n)])
    style.set_alt(fig, f"Two decoders of {n} steps side by side, each starting from the state s_0 "
                  f"from the encoder, with states s_1 to s_{n} and outputs y_hat_1 to y_hat_{n}. "
                  f"Left, teacher forcing in training: the inputs are {toks}, the true previous "
                  f"tokens. Right, free running at inference: the inputs are {own}; a dashed arrow "
                  "carries each output to the next step's input.")
    return fig
