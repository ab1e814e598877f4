"""Gradients through time: a numerical gradient check, vanishing and exploding gradients measured,
the cost of BPTT measured, gradient clipping at work, how long a state remembers its first input,
and the tools of "seeing inside" (one unit's activation, character by character).

Symbols follow NOTATION.md: J_t = diag(phi'(a_t)) W_hh is the Jacobian of one step, and
dh_T/dh_t = J_T J_{T-1} ... J_{t+1}; rho(W_hh) is the spectral radius, s_max(W_hh) the largest
singular value.
"""
from __future__ import annotations

import html
import time
from typing import Callable, Sequence

import numpy as np

from course_utils import _arguments as arg
from course_utils import style

ACTIVATIONS = ("tanh", "linear")
FEATURES = ("word position", "inside quotes")


def _result(name: str, run, keys: tuple[str, ...], what: str) -> dict:
    """``run``, a result of ``what``: a dict of 1-D arrays of one length under ``keys``."""
    if not isinstance(run, dict) or any(key not in run for key in keys):
        raise TypeError(f"{name} must be a {what} result, a dict with keys "
                        f"{', '.join(map(repr, keys))}, got "
                        f"{sorted(run) if isinstance(run, dict) else type(run).__name__}.")
    lengths = [len(arg.array(f"{name}[{key!r}]", run[key], ndim=1)) for key in keys]
    if len(set(lengths)) > 1:
        raise ValueError(f"{name} must hold arrays of one length under "
                         f"{', '.join(map(repr, keys))}, got lengths {lengths}.")
    return run


def _results(name: str, runs, keys: tuple[str, ...], what: str) -> dict:
    """``runs``, a non-empty dict {label: result of ``what``} (see :func:`_result`)."""
    if not isinstance(runs, dict):
        raise TypeError(f"{name} must be a non-empty dict {{label: {what} result}}, got "
                        f"{type(runs).__name__}.")
    if not runs:
        raise ValueError(f"{name} must be a non-empty dict {{label: {what} result}}, got {{}}.")
    for label, run in runs.items():
        _result(f"{name}[{label!r}]", run, keys, what)
    return runs


# --- gradient checking -------------------------------------------------------------------------
def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The relative error of NOTATION.md: ||a - b||_2 / max(||a||_2, ||b||_2), one number for
    the whole array, 0 when both are zero. Raises ``ValueError`` if the shapes differ."""
    a, b = arg.array("a", a, allow_empty=True), arg.array("b", b, allow_empty=True)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def gradient_check(loss: Callable[[], float], params: dict[str, np.ndarray],
                   grads: dict[str, np.ndarray], eps: float = 1e-5, samples: int | None = 20,
                   seed: int = 0) -> dict[str, float]:
    """Compare analytic gradients with central differences; return the relative error per name.

    ``loss()`` computes the loss from the float arrays in ``params``, which are nudged in place
    by +-``eps`` (and restored): (L(theta + eps) - L(theta - eps)) / (2 eps). ``samples``
    entries per array are checked, chosen at random (``None`` checks every entry); the
    relative error (:func:`relative_error`) compares the two vectors of those entries. In
    float64 a correct gradient gives errors near 1e-8 or below.
    """
    if not callable(loss):
        raise TypeError(f"loss must be a function of no arguments, got {type(loss).__name__}.")
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, dict) or not value:
            raise TypeError(f"{name} must be a non-empty dict of arrays, got "
                            f"{'{}' if isinstance(value, dict) else type(value).__name__}.")
    eps = arg.number("eps", eps, positive=True)
    if samples is not None:
        samples = arg.integer("samples", samples)
    rng = np.random.default_rng(arg.integer("seed", seed, minimum=0))
    errors = {}
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(f"params[{name!r}] must be a float NumPy array (nudged in place), "
                            f"got {type(value).__name__}.")
        if name not in grads:
            raise ValueError(f"grads has no entry for parameter {name!r}.")
        if np.shape(grads[name]) != value.shape:
            raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])}, expected "
                             f"{value.shape}.")
        flat = value.reshape(-1)                      # a view: nudges reach the array
        index = (np.arange(flat.size) if samples is None or samples >= flat.size
                 else rng.choice(flat.size, samples, replace=False))
        numeric = np.empty(len(index))
        for j, i in enumerate(index):
            old = flat[i]
            flat[i] = old + eps
            plus = loss()
            flat[i] = old - eps
            minus = loss()
            flat[i] = old
            numeric[j] = (plus - minus) / (2 * eps)
        errors[name] = relative_error(np.asarray(grads[name]).reshape(-1)[index], numeric)
    return errors


# --- vanishing and exploding gradients -----------------------------------------------------------
def matrix_with_spectral_radius(size: int, radius: float, seed: int = 0) -> np.ndarray:
    """A random Gaussian (size, size) matrix rescaled so its largest |eigenvalue| is ``radius``.

    Its largest singular value is larger: about twice ``radius`` for large ``size`` (the
    eigenvalues of a Gaussian matrix fill a disc of radius sigma sqrt(n), its singular values
    reach 2 sigma sqrt(n)).
    """
    size = arg.integer("size", size)
    radius = arg.number("radius", radius, minimum=0.0)
    W = np.random.default_rng(arg.integer("seed", seed, minimum=0)).standard_normal((size, size))
    return W * (radius / np.max(np.abs(np.linalg.eigvals(W))))


def _trajectory(radius, steps, hidden_size, activation, input_scale, seed):
    """W_hh, the states (steps + 1, H) and phi'(a_t) (steps, H) of a random RNN
    h_t = phi(W_hh h_{t-1} + x_t), x_t ~ N(0, input_scale^2)."""
    arg.one_of("activation", activation, ACTIVATIONS)
    steps = arg.integer("steps", steps)
    hidden_size = arg.integer("hidden_size", hidden_size)
    input_scale = arg.number("input_scale", input_scale, minimum=0.0)
    rng = np.random.default_rng(arg.integer("seed", seed, minimum=0))
    W = matrix_with_spectral_radius(hidden_size, radius, seed)
    xs = rng.standard_normal((steps, hidden_size)) * input_scale
    hs, slopes = np.zeros((steps + 1, hidden_size)), np.ones((steps, hidden_size))
    for t in range(steps):
        a = W @ hs[t] + xs[t]
        hs[t + 1] = np.tanh(a) if activation == "tanh" else a
        if activation == "tanh":
            slopes[t] = 1.0 - hs[t + 1] ** 2
    return W, hs, slopes, rng


def gradient_norms(radius: float, steps: int = 100, hidden_size: int = 64,
                   activation: str = "tanh", input_scale: float = 1.0, seed: int = 0
                   ) -> np.ndarray:
    """Measure ||dL_T/dh_t|| against the distance T - t for a random RNN.

    The RNN is h_t = phi(W_hh h_{t-1} + x_t) with W_hh of spectral radius ``radius``
    (:func:`matrix_with_spectral_radius`) and random inputs x_t ~ N(0, input_scale^2). The loss
    at the last step has a gradient of norm 1 in a random direction; BPTT carries it back with
    dL/dh_{t-1} = J_t^T dL/dh_t, J_t = diag(phi'(a_t)) W_hh. Returns an array of length
    ``steps``: entry ``T - t`` is the norm at step t, ``T - t`` steps back (entry 0 is 1). With
    tanh, large inputs saturate the units (phi' near 0, see :func:`mean_slope`), which shrinks
    the gradient.
    """
    W, _, slopes, rng = _trajectory(radius, steps, hidden_size, activation, input_scale, seed)
    dh = rng.standard_normal(len(W))
    dh /= np.linalg.norm(dh)
    norms = np.empty(len(slopes))
    for back in range(len(slopes)):                      # dh is dL/dh_t, t = T - back
        norms[back] = np.linalg.norm(dh)
        dh = W.T @ (slopes[len(slopes) - 1 - back] * dh)  # J_t^T dh
    return norms


def mean_slope(radius: float, steps: int = 100, hidden_size: int = 64, input_scale: float = 1.0,
               seed: int = 0) -> float:
    """The mean of tanh'(a_t) over the units and steps of the trajectory :func:`gradient_norms`
    uses: 1 means no saturation, near 0 means saturated units (the gradient shrinks)."""
    return float(_trajectory(radius, steps, hidden_size, "tanh", input_scale, seed)[2].mean())


@style.styled
def plot_gradient_norms(norms: dict[float, np.ndarray], ax=None, title: str | None = None,
                        hidden_size: int | None = None, seed: int = 0):
    """Plot, on a log scale, each array of :func:`gradient_norms` keyed by its spectral radius.

    With ``hidden_size`` the legend also gives s_max(W_hh) of each matrix (same ``seed``).
    Each radius has its own colour, line style and marker (``style.series_style``); the legend
    sits outside the axes, right of them. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(norms, dict):
        raise TypeError("norms must be a non-empty dict {spectral radius: array of norms}, got "
                        f"{type(norms).__name__}.")
    if not norms:
        raise ValueError("norms must be a non-empty dict {spectral radius: array of norms}.")
    norms = {arg.number("the keys of norms (spectral radii)", radius, minimum=0.0):
             arg.array(f"norms[{radius!r}]", values, ndim=1) for radius, values in norms.items()}
    if ax is None:
        _, ax = plt.subplots(figsize=style.SLIDE_FIGSIZE, layout="constrained")
    finals = []
    for i, (radius, values) in enumerate(sorted(norms.items())):
        values = np.where(np.isfinite(values), values, np.nan)
        label = f"ρ = {radius:g}"
        if hidden_size is not None:
            s_max = np.linalg.norm(matrix_with_spectral_radius(hidden_size, radius, seed), 2)
            label += f", s_max = {s_max:.1f}"
        ax.semilogy(np.arange(len(values)), values, lw=2.4, label=label,
                    markevery=max(1, len(values) // 8), **style.series_style(i))
        finals.append(f"{label}: {values[-1]:.2g}")
    ax.set_xlabel("distance in time T − t (steps)", fontsize=style.LABEL)
    ax.set_ylabel("‖∂L_T / ∂h_t‖ (log scale)", fontsize=style.LABEL)
    ax.tick_params(labelsize=style.TICK)
    ax.set_title(title or "Gradient norm back through a tanh RNN (H = 64)", fontsize=style.TITLE)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=style.NOTE)
    if style.alt_text(ax.figure) is None:
        style.set_alt(ax.figure, f"{ax.get_title()}: the norm of the gradient on a log scale "
                      f"against the distance in time, 0 to {len(values) - 1} steps back, one "
                      f"line per spectral radius; the norm at the farthest step: "
                      + "; ".join(finals) + ".")
    return ax


def _norm_limits(steps: int, hidden_size: int) -> tuple[float, float]:
    """Log-scale y limits that hold every curve the widget can draw: the norms at the corners
    of its sliders (radius 0.1 and 3, input scale 0, 1 and 3, both activations), widened by a
    factor of 10, clipped to [1e-300, 1e300] (float64's range: beyond, the norm is inf or 0)."""
    low, high = 1.0, 1.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for radius in (0.1, 1.0, 3.0):
            for scale in (0.0, 1.0, 3.0):
                for activation in ACTIVATIONS:
                    values = gradient_norms(radius, steps, hidden_size, activation, scale)
                    values = values[np.isfinite(values) & (values > 0)]
                    if values.size:
                        low, high = min(low, values.min()), max(high, values.max())
    return max(low / 10, 1e-300), min(high * 10, 1e300)


def gradient_norm_widget(radius: float = 1.0, steps: int = 100, hidden_size: int = 64):
    """An ipywidgets 7 widget: sliders for the spectral radius and the input scale, a choice of
    activation, and a live log-scale plot of the gradient norm against the distance in time.

    The y axis is fixed for every setting (:func:`_norm_limits`), so moving a slider moves the
    curve, not the axis, and every curve stays inside it.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from course_utils.widgets import note_if_slideshow_cannot_show_widgets

    radius = arg.number("radius", radius, minimum=0.1, maximum=3.0)
    steps = arg.integer("steps", steps, minimum=2)
    hidden_size = arg.integer("hidden_size", hidden_size)
    note_if_slideshow_cannot_show_widgets()
    label = {"description_width": "initial"}
    radius_slider = widgets.FloatSlider(value=radius, min=0.1, max=3.0, step=0.05,
                                        description="spectral radius ρ(W_hh)", style=label,
                                        continuous_update=False,
                                        layout=widgets.Layout(width="420px"))
    scale_slider = widgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.1,
                                       description="input scale", style=label,
                                       continuous_update=False,
                                       layout=widgets.Layout(width="340px"))
    activation = widgets.ToggleButtons(options=ACTIVATIONS, value="tanh",
                                       description="activation φ", style=label)
    limits = _norm_limits(steps, hidden_size)
    out = widgets.Output()

    def redraw(*_):
        norms = gradient_norms(radius_slider.value, steps, hidden_size, activation.value,
                               scale_slider.value)
        with out:
            out.clear_output(wait=True)
            with style.use():
                fig, ax = plt.subplots(figsize=(style.SLIDE_FIGSIZE[0], 4.2), layout="constrained")
                with np.errstate(over="ignore", invalid="ignore"):
                    plot_gradient_norms({radius_slider.value: norms}, ax=ax,
                                        title=f"{activation.value} RNN, H = {hidden_size}: "
                                              f"‖∂L_T/∂h_t‖ after {steps} steps = "
                                              f"{norms[-1]:.2g}")
                ax.set_ylim(*limits)
                ax.set_xlim(0, steps - 1)
                plt.show()

    for control in (radius_slider, scale_slider, activation):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([radius_slider, scale_slider]), activation, out])


def plot_unrolled_bptt(steps: int = 4):
    """The unrolled graph of an RNN over ``steps`` steps at slide width: inputs, states, logits
    and losses with the forward arrows (solid), and the gradient flowing back (dashed bluish green):
    into each state from its own loss, dL_t/dh_t = W_hy^T dL/dl_t, and from the next state,
    J_{t+1}^T dL/dh_{t+1} (lecture 02's recursion). Returns the Figure; its default alternative
    text says what it shows."""
    from course_utils import style
    from course_utils.diagrams import _box, _canvas, _line, _text
    from course_utils.style import CONCEPT, NOTE

    T = arg.integer("steps", steps, minimum=2, maximum=6)
    fig, ax = _canvas("Backpropagation through time: forward (solid), the gradient back (dashed)",
                      pyplot=True)
    dx = min(2.55, 10.4 / T)
    xs = [1.45 + dx * i for i in range(T)]
    rows = {"x": 0.95, "h": 2.2, "l": 3.35, "L": 4.35}
    colours = {"x": CONCEPT["input"], "h": CONCEPT["state"], "l": CONCEPT["output"],
               "L": CONCEPT["output"]}
    names = {"x": r"$\mathbf{x}_{%d}$", "h": r"$\mathbf{h}_{%d}$", "l": r"$\boldsymbol{\ell}_{%d}$",
             "L": r"$\mathcal{L}_{%d}$"}
    grad, w, h = CONCEPT["gradient"], 0.62, 0.46
    _box(ax, 0.45, rows["h"], 0.62, h, r"$\mathbf{h}_0$", CONCEPT["state"], fontsize=NOTE,
         fill=False)
    for i, x in enumerate(xs):
        t = i + 1
        for key, y in rows.items():
            _box(ax, x, y, w, h, names[key] % t, colours[key], fontsize=NOTE)
        _line(ax, [(x, rows["x"] + h / 2), (x, rows["h"] - h / 2)], CONCEPT["input"])
        _line(ax, [(x - 0.12, rows["h"] + h / 2), (x - 0.12, rows["l"] - h / 2)], CONCEPT["output"])
        _line(ax, [(x, rows["l"] + h / 2), (x, rows["L"] - h / 2)], CONCEPT["output"])
        _line(ax, [(x + 0.12, rows["l"] - h / 2), (x + 0.12, rows["h"] + h / 2)], grad, dashed=True)
        _text(ax, x + 0.2, (rows["h"] + rows["l"]) / 2,
              r"$\partial\mathcal{L}_{%d}/\partial\mathbf{h}_{%d}$" % (t, t), ha="left")
        left = xs[i - 1] + w / 2 if i else 0.45 + 0.31
        _line(ax, [(left, rows["h"] + 0.09), (x - w / 2, rows["h"] + 0.09)], CONCEPT["state"])
        if i:
            _line(ax, [(x - w / 2, rows["h"] - 0.11), (xs[i - 1] + w / 2, rows["h"] - 0.11)], grad,
                  dashed=True)
            _text(ax, (x + xs[i - 1]) / 2, rows["h"] - 0.45,
                  r"$\mathbf{J}_{%d}^\top\,\partial\mathcal{L}/\partial\mathbf{h}_{%d}$" % (t, t))
    _text(ax, 6.0, 0.3, r"$\partial\mathcal{L}/\partial\mathbf{h}_t = \mathbf{W}_{hy}^\top\,"
          r"\partial\mathcal{L}/\partial\boldsymbol{\ell}_t + \mathbf{J}_{t+1}^\top\,"
          r"\partial\mathcal{L}/\partial\mathbf{h}_{t+1}$,   $\mathcal{L} = \sum_t \mathcal{L}_t$",
          fontsize=NOTE + 2)
    style.set_alt(fig, f"The RNN unrolled over {T} steps: inputs x_1 to x_{T} at the bottom feed "
                  f"states h_1 to h_{T} (from h_0), each state feeds its logits and its loss L_t "
                  "above, and the next state. Dashed gradient arrows run back: from each logit down "
                  "to its state, labelled dL_t/dh_t, and from each state to the one before, "
                  "labelled J_t transposed times dL/dh_t. Below: dL/dh_t = W_hy transposed dL/dl_t "
                  "+ J_{t+1} transposed dL/dh_{t+1}, and L is the sum of the L_t.")
    return fig


# --- the cost of BPTT ----------------------------------------------------------------------------
def measure_bptt_cost(lengths: Sequence[int], hidden_size: int = 128, batch_size: int = 32,
                      truncation: int | None = None, repeats: int = 3, seed: int = 0
                      ) -> dict[str, np.ndarray]:
    """Time a forward and backward pass of a tanh RNN cell run in a loop, for each length T,
    and measure the memory autograd keeps for the backward pass.

    With ``truncation`` = k the sequence is processed in chunks of k steps, carrying the
    state forward but detaching it (truncated BPTT), so only one chunk's activations are held.
    Returns {"lengths", "seconds" (best of ``repeats``), "saved_mb" (peak megabytes of
    distinct storage saved for backward)}. Autograd saves the same tensor several times (the
    state h_t for the product with W_hh and for tanh', W_hh at every step, slices of one input
    tensor): each storage is counted once, and the parameters and the input sequence, which
    exist whether or not anything is saved, are left out.
    """
    import torch

    seed = arg.integer("seed", seed, minimum=0)
    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence) or not lengths:
        raise ValueError(f"lengths must be a non-empty list of positive integers, got {lengths!r}.")
    lengths = [arg.integer(f"lengths[{i}]", T) for i, T in enumerate(lengths)]
    hidden_size = arg.integer("hidden_size", hidden_size)
    batch_size = arg.integer("batch_size", batch_size)
    if truncation is not None:
        truncation = arg.integer("truncation", truncation)
    repeats = arg.integer("repeats", repeats)
    torch.manual_seed(seed)
    cell = torch.nn.RNNCell(hidden_size, hidden_size)
    seconds, saved_mb = [], []
    for T in lengths:
        x = torch.randn(T, batch_size, hidden_size)
        best, peak = np.inf, 0
        for _ in range(repeats):
            held = {"now": 0, "peak": 0}
            seen = {x.untyped_storage().data_ptr()} | {
                p.untyped_storage().data_ptr() for p in cell.parameters()}

            def pack(tensor):
                storage = tensor.untyped_storage()
                if storage.data_ptr() not in seen:
                    seen.add(storage.data_ptr())
                    held["now"] += storage.nbytes()
                    held["peak"] = max(held["peak"], held["now"])
                return tensor

            def unpack(tensor):
                return tensor

            start = time.perf_counter()
            h = torch.zeros(batch_size, hidden_size)
            chunk = truncation or T
            with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
                for s in range(0, T, chunk):
                    h = h.detach()
                    held["now"] = 0
                    loss = 0.0
                    for t in range(s, min(s + chunk, T)):
                        h = cell(x[t], h)
                        loss = loss + h.pow(2).mean()
                    loss.backward()
            best = min(best, time.perf_counter() - start)
            peak = held["peak"]
            cell.zero_grad()
        seconds.append(best)
        saved_mb.append(peak / 2**20)
    return {"lengths": np.array(lengths), "seconds": np.array(seconds),
            "saved_mb": np.array(saved_mb)}


@style.styled
def plot_bptt_cost(full: dict[str, np.ndarray], truncated: dict[str, np.ndarray] | None = None,
                   truncation: int | None = None,
                   figsize: tuple[float, float] = style.SLIDE_FIGSIZE):
    """Two panels: time and memory of BPTT against the sequence length (from
    :func:`measure_bptt_cost`), with truncated BPTT beside full BPTT if given."""
    import matplotlib.pyplot as plt

    keys = ("lengths", "seconds", "saved_mb")
    _result("full", full, keys, "measure_bptt_cost")
    if truncated is not None:
        _result("truncated", truncated, keys, "measure_bptt_cost")
        truncation = arg.integer("truncation", truncation)
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    runs = [("full BPTT", full)]
    if truncated is not None:
        runs.append((f"truncated, k = {truncation}", truncated))
    for i, (label, run) in enumerate(runs):
        look = style.series_style(i)
        ax_t.plot(run["lengths"], run["seconds"] * 1e3, label=label, **look)
        ax_m.plot(run["lengths"], run["saved_mb"], label=label, **look)
    ax_t.set(title="Time: forward + backward", xlabel="sequence length T (steps)",
             ylabel="milliseconds")
    ax_m.set(title="Memory kept for backward", xlabel="sequence length T (steps)",
             ylabel="megabytes")
    for ax in (ax_t, ax_m):
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    fig.legend(*ax_t.get_legend_handles_labels(), loc="outside lower center", ncol=len(runs))
    lengths = full["lengths"]
    described = "; ".join(
        f"{label}: {run['seconds'][0] * 1e3:.3g} to {run['seconds'][-1] * 1e3:.3g} ms and "
        f"{run['saved_mb'][0]:.3g} to {run['saved_mb'][-1]:.3g} MB" for label, run in runs)
    style.set_alt(fig, f"Time (left) and memory kept for the backward pass (right) against the "
                  f"sequence length, T = {lengths[0]} to {lengths[-1]} steps. {described}.")
    return fig


# --- gradient clipping ---------------------------------------------------------------------------
def clipping_run(ids: np.ndarray, vocab_size: int, max_norm: float | None = None,
                 radius: float = 2.0, lr: float = 2.0, steps: int = 150, hidden_size: int = 64,
                 seq_len: int = 100, batch_size: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    """Train a small character RNN with plain SGD from a recurrent matrix of spectral radius
    ``radius``, with or without clipping the global gradient norm to ``max_norm``
    (``clip_grad_norm_``, Pascanu, Mikolov and Bengio 2013, Algorithm 1).

    ``ids`` is a 1-D integer array of character ids below ``vocab_size``; each step reads
    ``batch_size`` random windows of ``seq_len`` characters (an embedding, an ``nn.RNN``, a
    linear head). Returns {"loss": training loss per step (nats/char), "grad_norm": the
    gradient norm per step before clipping}. With the defaults the unclipped run explodes.
    """
    import torch
    from torch import nn

    ids = arg.array("ids", ids, ndim=1, kind="int")
    vocab_size = arg.integer("vocab_size", vocab_size, minimum=int(ids.max()) + 1)
    if max_norm is not None:
        max_norm = arg.number("max_norm", max_norm, positive=True)
    lr = arg.number("lr", lr, positive=True)
    radius = arg.number("radius", radius, minimum=0.0)
    seed = arg.integer("seed", seed, minimum=0)
    steps, H = arg.integer("steps", steps), arg.integer("hidden_size", hidden_size)
    seq_len, batch_size = arg.integer("seq_len", seq_len), arg.integer("batch_size", batch_size)
    if len(ids) <= seq_len + 1:
        raise ValueError(f"ids has {len(ids)} elements; it must be longer than seq_len + 1 = "
                         f"{seq_len + 1}.")
    torch.manual_seed(seed)
    embed, rnn, head = nn.Embedding(vocab_size, H), nn.RNN(H, H, batch_first=True), \
        nn.Linear(H, vocab_size)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.from_numpy(matrix_with_spectral_radius(H, radius, seed)))
    params = [*embed.parameters(), *rnn.parameters(), *head.parameters()]
    optimizer = torch.optim.SGD(params, lr=lr)
    text = torch.from_numpy(ids)
    generator = torch.Generator().manual_seed(seed)
    losses, norms = [], []
    for _ in range(steps):
        starts = torch.randint(0, len(text) - seq_len - 1, (batch_size,), generator=generator)
        index = starts[:, None] + torch.arange(seq_len)
        out, _ = rnn(embed(text[index]))
        loss = nn.functional.cross_entropy(head(out).reshape(-1, vocab_size),
                                           text[index + 1].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(params, max_norm if max_norm else float("inf"))
        optimizer.step()
        losses.append(loss.item())
        norms.append(norm.item())
    return {"loss": np.array(losses), "grad_norm": np.array(norms)}


@style.styled
def plot_clipping(runs: dict[str, dict[str, np.ndarray]],
                  figsize: tuple[float, float] = style.SLIDE_FIGSIZE):
    """Loss and gradient norm per step for each run of :func:`clipping_run`, keyed by label."""
    import matplotlib.pyplot as plt

    _results("runs", runs, ("loss", "grad_norm"), "clipping_run")
    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    for i, (label, run) in enumerate(runs.items()):
        look = {**style.series_style(i), "markevery": max(1, len(run["loss"]) // 8)}
        ax_l.plot(run["loss"], label=label, **look)
        ax_g.semilogy(run["grad_norm"], label=label, **look)
    ax_l.set(title="Training loss", xlabel="SGD step", ylabel="cross-entropy (nats/char)")
    ax_g.set(title="‖g‖ before clipping", xlabel="SGD step",
             ylabel="‖g‖ (log scale)")
    for ax in (ax_l, ax_g):
        ax.grid(alpha=0.3)
    # one row above both panels: beside them, the legend crowded the right panel's title
    fig.legend(*ax_l.get_legend_handles_labels(), loc="outside upper center", ncol=len(runs))
    described = "; ".join(
        f"{label}: loss from {run['loss'][0]:.2f}, between {np.nanmin(run['loss']):.2f} and "
        f"{np.nanmax(run['loss']):.2f}, {run['loss'][-1]:.2f} at the end, gradient norm up to "
        f"{np.nanmax(run['grad_norm']):.3g}"
        for label, run in runs.items())
    style.set_alt(fig, f"Training loss (left) and gradient norm on a log scale (right) over "
                  f"{max(len(r['loss']) for r in runs.values())} SGD steps, one line per run. "
                  f"{described}.")
    return fig


# --- memory fades: how much h_T still holds of x_1 -------------------------------------------------
def first_input_memory(model, fit_ids: np.ndarray, test_ids: np.ndarray, length: int = 50,
                       n_fit: int = 4000, n_test: int = 1000, seed: int = 0
                       ) -> dict[str, np.ndarray]:
    """How much the state h_T of a :class:`course_utils.char_rnn.CharRNN` still depends on, and
    still tells about, the first character x_1, for T = 1 ... ``length``.

    Two measurements on windows of ``length + 1`` characters drawn at random from the texts:

    * ``"change"``: the mean ||h_T - h'_T|| over ``n_test`` held-out windows, where h'_T reads the
      same window with x_1 replaced by another character (random);
    * ``"readout"``: the accuracy of a linear read-out (least squares on one-hot targets,
      fitted on ``n_fit`` windows of ``fit_ids``, scored on ``test_ids``) that names x_1 from
      h_T; ``"control"``: the same read-out from the state that read x_2 ... x_{T+1}, one as
      long but never saw x_1 (what the rest of the text alone tells about x_1).

    Returns those three arrays (index T - 1) and ``"T"``.
    """
    import torch

    from course_utils.char_rnn import _layers

    rnn, head = _layers(model)
    V = head.out_features
    length = arg.integer("length", length)
    n_fit, n_test = arg.integer("n_fit", n_fit, minimum=2), arg.integer("n_test", n_test)
    rng = np.random.default_rng(arg.integer("seed", seed, minimum=0))
    fit_ids = arg.array("fit_ids", fit_ids, ndim=1, kind="int")
    test_ids = arg.array("test_ids", test_ids, ndim=1, kind="int")
    for name, ids in (("fit_ids", fit_ids), ("test_ids", test_ids)):
        if ids.min() < 0 or ids.max() >= V:
            raise ValueError(f"{name} must hold character ids from 0 to {V - 1} (the model's "
                             f"vocabulary), got {ids.min()} ... {ids.max()}.")
        if len(ids) < length + 2:
            raise ValueError(f"{name} has {len(ids)} characters; windows need length + 2 = "
                             f"{length + 2}.")

    def windows(ids, n):
        starts = rng.integers(0, len(ids) - length - 1, n)
        return ids[starts[:, None] + np.arange(length + 1)]

    def states(x):
        with torch.no_grad():
            inputs = torch.nn.functional.one_hot(torch.from_numpy(x), V).to(head.weight.dtype)
            return rnn(inputs.to(head.weight.device))[0].cpu().double().numpy()

    fit, test = windows(fit_ids, n_fit), windows(test_ids, n_test)
    changed = test.copy()
    changed[:, 0] = (changed[:, 0] + rng.integers(1, V, n_test)) % V
    change = np.linalg.norm(states(test[:, :-1]) - states(changed[:, :-1]), axis=-1).mean(0)
    readout, control = np.empty(length), np.empty(length)
    for result, offset in ((readout, 0), (control, 1)):
        h_fit, h_test = states(fit[:, offset:offset + length]), states(test[:, offset:offset + length])
        targets = np.eye(V)[fit[:, 0]]
        for T in range(1, length + 1):
            A = np.c_[h_fit[:, T - 1], np.ones(n_fit)]
            W = np.linalg.solve(A.T @ A + 1e-3 * np.eye(A.shape[1]), A.T @ targets)
            guess = (np.c_[h_test[:, T - 1], np.ones(n_test)] @ W).argmax(axis=1)
            result[T - 1] = np.mean(guess == test[:, 0])
    return {"T": np.arange(1, length + 1), "change": change, "readout": readout,
            "control": control}


@style.styled
def plot_first_input_memory(runs: dict[str, dict[str, np.ndarray]],
                            figsize: tuple[float, float] = style.SLIDE_FIGSIZE):
    """Two panels from :func:`first_input_memory`, one line per run (keyed by label): how far
    h_T moves when x_1 changes, and how often a linear read-out of h_T names x_1. Dotted
    lines: the same read-out from a state that never saw x_1."""
    import matplotlib.pyplot as plt

    _results("runs", runs, ("T", "change", "readout", "control"), "first_input_memory")
    fig, (ax_c, ax_r) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    for i, (label, run) in enumerate(runs.items()):
        look = {**style.series_style(i), "markevery": max(1, len(run["T"]) // 8)}
        ax_c.semilogy(run["T"], run["change"], label=label, **look)
        ax_r.plot(run["T"], 100 * run["readout"], **look)
        ax_r.plot(run["T"], 100 * run["control"], color=look["color"], linestyle=":", lw=1.8,
                  label="dotted: a state that never saw x_1" if i == 0 else None)
    ax_c.set_xlabel("T (characters read)", fontsize=style.LABEL)
    ax_c.set_ylabel("mean ‖h_T − h′_T‖ (log)", fontsize=style.LABEL)
    ax_c.set_title("Change x_1: how far h_T moves", fontsize=style.TITLE)
    ax_r.set_xlabel("T (characters read)", fontsize=style.LABEL)
    ax_r.set_ylabel("x_1 named from h_T (%)", fontsize=style.LABEL)
    ax_r.set_title("A linear read-out of h_T", fontsize=style.TITLE)
    ax_r.set_ylim(0, 100)
    for ax in (ax_c, ax_r):
        ax.tick_params(labelsize=style.TICK)
        ax.grid(alpha=0.3)
    handles = ax_c.get_legend_handles_labels()
    extra = ax_r.get_legend_handles_labels()
    fig.legend(handles[0] + extra[0], handles[1] + extra[1], loc="outside lower center",
               ncol=len(handles[0]) + 1, fontsize=style.NOTE)
    described = "; ".join(
        f"{label}: h_T moves {run['change'][0]:.2g} at T = {run['T'][0]} and "
        f"{run['change'][-1]:.2g} at T = {run['T'][-1]}, the read-out names x_1 "
        f"{100 * run['readout'][0]:.0f}% then {100 * run['readout'][-1]:.0f}% of the time "
        f"(a state that never saw it: {100 * run['control'][-1]:.0f}%)"
        for label, run in runs.items())
    style.set_alt(fig, "How long the state remembers its first input, against the number of "
                  f"characters read. {described}.")
    return fig


# --- seeing inside: colour a passage by one unit's activation -------------------------------------
def text_feature(text: str, name: str = "word position", cap: int = 10) -> np.ndarray:
    """A number per character of ``text`` that a unit may track (float array (len(text),)).

    ``"word position"``: how many letters of the current word have been read, counting this
    character (0 on a non-letter), capped at ``cap``: a counter, which needs memory.
    ``"inside quotes"``: 1 between a double quote and the next one, else 0 (Karpathy, Johnson
    and Fei-Fei 2015 found LSTM cells that track it).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a non-empty str, got {type(text).__name__}.")
    if not text:
        raise ValueError("text must be a non-empty str, got ''.")
    arg.one_of("name", name, FEATURES)
    cap = arg.integer("cap", cap)
    if name == "inside quotes":
        return (np.cumsum([ch == '"' for ch in text]) % 2 == 1).astype(float)
    values, count = np.zeros(len(text)), 0
    for i, ch in enumerate(text):
        count = count + 1 if ch.isalpha() else 0
        values[i] = min(count, cap)
    return values


def unit_correlations(states: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson correlation of each unit's activation with ``feature``: ``states`` (T, H),
    ``feature`` (T,); returns (H,), 0 for a unit (or feature) that never changes."""
    states = arg.array("states", states, ndim=2)
    feature = arg.array("feature", feature, shape=(len(states),))
    a = states - states.mean(axis=0)
    f = feature - feature.mean()
    scale = np.linalg.norm(a, axis=0) * np.linalg.norm(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, (a * f[:, None]).sum(axis=0) / scale, 0.0)


#: The two ends of activation_html's diverging scale: Okabe-Ito blue (-limit) and orange
#: (+limit), told apart under every colour-vision deficiency (tests/test_style.py).
NEGATIVE, POSITIVE = style.OKABE_ITO["blue"], style.OKABE_ITO["orange"]


def _activation_colour(value: float) -> tuple[str, str]:
    """(background, text colour) for a value in [-1, 1]: white at 0, NEGATIVE at -1, POSITIVE at
    +1, linear in between; the text black or white, whichever reaches more contrast (>= 4.58:1,
    WCAG 2.2 SC 1.4.3)."""
    from matplotlib.colors import to_hex, to_rgb

    end = np.asarray(to_rgb(NEGATIVE if value < 0 else POSITIVE))
    background = to_hex(1 + abs(value) * (end - 1))
    return background, style.text_on(background)


def _cell(shown: str, value: float, title: str) -> str:
    background, colour = _activation_colour(value)
    return (f'<span style="background:{background};color:{colour}" title="{title}">'
            f"{shown}</span>")


def activation_html(text: str, activations: Sequence[float] | np.ndarray, title: str = "",
                    limit: float = 1.0) -> str:
    """HTML for ``text`` with character i on a background coloured by ``activations[i]``.

    A diverging scale that colour-blind readers can read: blue is -``limit`` (or below), white
    is 0, orange is +``limit`` (or above) (tanh units live in [-1, 1]); each character is black
    or white, whichever contrasts more with its own background (at least 4.5:1). Newlines are
    shown as ↵ and kept as line breaks; hovering a character shows its value. A legend under
    the passage shows the scale, and a caption says what the passage shows (for screen
    readers too). Display it with ``IPython.display.HTML``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a non-empty str, got {type(text).__name__}.")
    if not text:
        raise ValueError("text must be a non-empty str, got ''.")
    values = arg.array("activations", activations, allow_empty=True)
    if values.shape != (len(text),):
        raise ValueError(f"activations must have one value per character: shape "
                         f"({len(text)},), got {values.shape}.")
    limit = arg.number("limit", limit, positive=True)
    spans = []
    for ch, value in zip(text, np.clip(values / limit, -1.0, 1.0)):
        shown = "↵" if ch == "\n" else html.escape(ch)
        spans.append(_cell(shown, value, f"{value * limit:+.2f}") + ("<br>" if ch == "\n" else ""))
    head = f"<div style='font-weight:bold;margin-bottom:4px'>{html.escape(title)}</div>" \
        if title else ""
    steps = (-1.0, -0.5, 0.0, 0.5, 1.0)
    scale = "".join(_cell(f"&nbsp;{v * limit:+g}&nbsp;".replace("-", "−").replace("+0&", "0&"), v,
                          f"{v * limit:+g}")
                    for v in steps)
    described = (f"{len(text)} characters, each on a background coloured by one unit's "
                 f"activation: blue for negative, white for 0, orange for positive (from "
                 f"{values.min():+.2f} to {values.max():+.2f}, scale limit ±{limit:g}).")
    legend = (f"<figcaption style='font-family:sans-serif;font-size:18px;margin-top:6px'>"
              f"<span style='font-family:monospace'>{scale}</span> activation "
              f"(blue −{limit:g}, white 0, orange +{limit:g}). "
              f"<span style='position:absolute;left:-10000px'>{html.escape(described)}</span>"
              f"</figcaption>")
    return (f"<figure style='margin:0' aria-label='{html.escape(title or 'unit activation', quote=True)}'>"
            f"<div style='font-family:monospace;font-size:19px;line-height:1.5;"
            f"white-space:pre-wrap;color:#000000'>{head}{''.join(spans)}</div>{legend}</figure>")
