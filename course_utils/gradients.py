"""Gradients through time: a numerical gradient check, vanishing and exploding gradients measured,
the cost of BPTT measured, an interactive widget, and the colour-by-activation renderer.
"""
from __future__ import annotations

import html
import time
from typing import Callable, Sequence

import numpy as np

ACTIVATIONS = ("tanh", "linear")


# --- gradient checking -------------------------------------------------------------------------
def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, 1e-12), elementwise, as one number."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def gradient_check(loss: Callable[[], float], params: dict[str, np.ndarray],
                   grads: dict[str, np.ndarray], eps: float = 1e-5, samples: int | None = 20,
                   seed: int = 0) -> dict[str, float]:
    """Compare analytic gradients with central differences; return the relative error per name.

    ``loss()`` computes the loss from the arrays in ``params``, which are nudged in place by
    +-``eps`` (and restored). ``samples`` entries per array are checked, chosen at random
    (``None`` checks every entry). In float64 a correct gradient gives errors near 1e-7 or below.
    """
    if not callable(loss):
        raise TypeError(f"loss must be a function of no arguments, got {type(loss).__name__}.")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}.")
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise ValueError(f"samples must be a positive integer or None, got {samples!r}.")
    rng = np.random.default_rng(seed)
    errors = {}
    for name, value in params.items():
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
    """A random Gaussian (size, size) matrix rescaled so its largest |eigenvalue| is ``radius``."""
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}.")
    if not radius >= 0:
        raise ValueError(f"radius must be non-negative, got {radius!r}.")
    W = np.random.default_rng(seed).standard_normal((size, size))
    return W * (radius / np.max(np.abs(np.linalg.eigvals(W))))


def gradient_norms(radius: float, steps: int = 100, hidden_size: int = 64,
                   activation: str = "tanh", input_scale: float = 1.0, seed: int = 0
                   ) -> np.ndarray:
    """Measure ||dL_T/dh_t|| against the distance k = T - t for a random RNN.

    The RNN is h_t = phi(W_hh h_{t-1} + x_t) with W_hh of spectral radius ``radius`` and random
    inputs x_t ~ N(0, input_scale^2). The loss at the last step has a gradient of norm 1 in a
    random direction; BPTT carries it back with dL/dh_{t-1} = W_hh^T (phi'(a_t) * dL/dh_t).
    Returns an array of length ``steps``: entry k is the norm k steps back (entry 0 is 1).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}.")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    rng = np.random.default_rng(seed)
    W = matrix_with_spectral_radius(hidden_size, radius, seed)
    xs = rng.standard_normal((steps, hidden_size)) * input_scale
    hs = np.zeros((steps + 1, hidden_size))
    for t in range(steps):
        a = W @ hs[t] + xs[t]
        hs[t + 1] = np.tanh(a) if activation == "tanh" else a
    dh = rng.standard_normal(hidden_size)
    dh /= np.linalg.norm(dh)
    norms = np.empty(steps)
    for k in range(steps):                            # dh is dL/dh_{T-k}
        norms[k] = np.linalg.norm(dh)
        t = steps - k                                  # h_t = hs[t]
        dphi = 1.0 - hs[t] ** 2 if activation == "tanh" else 1.0
        dh = W.T @ (dphi * dh)
    return norms


def plot_gradient_norms(norms: dict[float, np.ndarray], ax=None, title: str | None = None):
    """Plot, on a log scale, each array of :func:`gradient_norms` keyed by its spectral radius."""
    import matplotlib.pyplot as plt

    if not isinstance(norms, dict) or not norms:
        raise ValueError("norms must be a non-empty dict {spectral radius: array of norms}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.2))
    colours = plt.cm.coolwarm(np.linspace(0, 1, len(norms)))
    for colour, (radius, values) in zip(colours, sorted(norms.items())):
        values = np.where(np.isfinite(values), values, np.nan)
        ax.semilogy(np.arange(len(values)), values, color=colour, lw=2,
                    label=f"ρ(W_hh) = {radius:g}")
    ax.set_xlabel("distance in time T - t (steps)")
    ax.set_ylabel("||∂L_T / ∂h_t||  (log scale)")
    ax.set_title(title or "Gradient norm k steps back through a tanh RNN (H = 64)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", ncol=3, fontsize=9, frameon=True)
    return ax


def gradient_norm_widget(radius: float = 1.0, steps: int = 100, hidden_size: int = 64):
    """An ipywidgets 7 widget: sliders for the spectral radius and the input scale, a choice of
    activation, and a live log-scale plot of the gradient norm against the distance in time.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display
    from course_utils.widgets import note_if_slideshow_cannot_show_widgets

    if not 0 < radius <= 3:
        raise ValueError(f"radius must be in (0, 3], got {radius!r}.")
    note_if_slideshow_cannot_show_widgets()
    radius_slider = widgets.FloatSlider(value=radius, min=0.1, max=3.0, step=0.05,
                                        description="ρ(W_hh)", continuous_update=False)
    scale_slider = widgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.1,
                                       description="input scale", continuous_update=False)
    activation = widgets.ToggleButtons(options=ACTIVATIONS, value="tanh", description="φ")
    out = widgets.Output()

    def redraw(*_):
        norms = gradient_norms(radius_slider.value, steps, hidden_size, activation.value,
                               scale_slider.value)
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(10, 3.6))
            with np.errstate(over="ignore", invalid="ignore"):
                plot_gradient_norms({radius_slider.value: norms}, ax=ax,
                                    title=f"{activation.value} RNN, H = {hidden_size}: "
                                          f"||∂L_T/∂h_t|| after {steps} steps = "
                                          f"{norms[-1]:.2g}")
            ax.set_ylim(1e-12, 1e12)
            plt.show()

    for control in (radius_slider, scale_slider, activation):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([radius_slider, scale_slider]), activation, out])


def plot_unrolled_bptt(steps: int = 4):
    """The unrolled graph of an RNN over ``steps`` steps: inputs, states, outputs and losses
    (black, forward) and the paths the gradient takes back (red, backward)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if not isinstance(steps, int) or not 2 <= steps <= 6:
        raise ValueError(f"steps must be an integer from 2 to 6, got {steps!r}.")
    fig, ax = plt.subplots(figsize=(11, 4.2))
    rows = {"x": 0.0, "h": 1.3, "o": 2.6, "L": 3.7}
    names = {"x": "x_{%s}", "h": "h_{%s}", "o": "o_{%s}", "L": "L_{%s}"}
    colours = {"x": "#dde8f6", "h": "#fde3c8", "o": "#e3f1dc", "L": "#f6dada"}

    def box(x, y, label, colour):
        ax.add_patch(FancyBboxPatch((x - 0.38, y - 0.28), 0.76, 0.56,
                                    boxstyle="round,pad=0.02", fc=colour, ec="black"))
        ax.text(x, y, f"${label}$", ha="center", va="center", fontsize=16)

    def arrow(x0, y0, x1, y1, colour="black", text=None, offset=(0.0, 0.0)):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.8))
        if text:
            ax.text((x0 + x1) / 2 + offset[0], (y0 + y1) / 2 + offset[1], text, color=colour,
                    fontsize=12, ha="center", va="center")

    ts = ["t-1", "t", "t+1", "t+2", "t+3", "t+4"][:steps]
    for i, t in enumerate(ts):
        x = 2.2 * i
        for key in rows:
            box(x, rows[key], names[key] % t, colours[key])
        arrow(x, rows["x"] + 0.3, x, rows["h"] - 0.3, text="$W_{xh}$", offset=(-0.45, 0))
        arrow(x, rows["h"] + 0.3, x, rows["o"] - 0.3, text="$W_{hy}$", offset=(-0.45, 0))
        arrow(x, rows["o"] + 0.3, x, rows["L"] - 0.3)
        arrow(x + 0.55, rows["o"] - 0.05, x + 0.55, rows["h"] + 0.25, colour="#c0392b",
              text=r"$W_{hy}^\top \frac{\partial L}{\partial o}$", offset=(0.5, 0))
        if i + 1 < steps:
            arrow(x + 0.4, rows["h"] + 0.08, x + 1.8, rows["h"] + 0.08, text="$W_{hh}$",
                  offset=(0, 0.22))
            arrow(x + 1.8, rows["h"] - 0.12, x + 0.4, rows["h"] - 0.12, colour="#c0392b",
                  text=r"$J_{t+1}^\top \frac{\partial L}{\partial h}$", offset=(0, -0.32))
    ax.text(2.2 * steps - 1.2, rows["L"], "$L = \\sum_t L_t$", fontsize=16, va="center")
    ax.set_xlim(-0.7, 2.2 * steps + 0.2)
    ax.set_ylim(-0.5, 4.2)
    ax.axis("off")
    ax.set_title("The unrolled graph: forward in black, the gradient flowing back in red",
                 fontsize=13)
    fig.tight_layout()
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
    tensors saved for backward)}.
    """
    import torch

    lengths = list(lengths)
    if not lengths or any(not isinstance(T, int) or T < 1 for T in lengths):
        raise ValueError(f"lengths must be a non-empty list of positive integers, got {lengths}.")
    if truncation is not None and (not isinstance(truncation, int) or truncation < 1):
        raise ValueError(f"truncation must be a positive integer or None, got {truncation!r}.")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}.")
    torch.manual_seed(seed)
    cell = torch.nn.RNNCell(hidden_size, hidden_size)
    seconds, saved_mb = [], []
    for T in lengths:
        x = torch.randn(T, batch_size, hidden_size)
        best, peak = np.inf, 0
        for _ in range(repeats):
            held = {"now": 0, "peak": 0}

            def pack(tensor):
                held["now"] += tensor.numel() * tensor.element_size()
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


def plot_bptt_cost(full: dict[str, np.ndarray], truncated: dict[str, np.ndarray] | None = None,
                   truncation: int | None = None):
    """Two panels: time and memory of BPTT against the sequence length (from
    :func:`measure_bptt_cost`), with truncated BPTT beside full BPTT if given."""
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.0))
    runs = [("full BPTT", full, "C0")]
    if truncated is not None:
        runs.append((f"truncated, k = {truncation}", truncated, "C1"))
    for label, run, colour in runs:
        ax_t.plot(run["lengths"], run["seconds"] * 1e3, "o-", color=colour, label=label)
        ax_m.plot(run["lengths"], run["saved_mb"], "o-", color=colour, label=label)
    ax_t.set(title="Time: forward + backward", xlabel="sequence length T (steps)",
             ylabel="milliseconds")
    ax_m.set(title="Memory kept for the backward pass", xlabel="sequence length T (steps)",
             ylabel="megabytes")
    for ax in (ax_t, ax_m):
        ax.grid(alpha=0.3)
        ax.legend(frameon=False)
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


# --- gradient clipping ---------------------------------------------------------------------------
def clipping_run(ids: np.ndarray, vocab_size: int, clip_norm: float | None = None,
                 radius: float = 2.0, lr: float = 2.0, steps: int = 150, hidden_size: int = 64,
                 seq_len: int = 100, batch_size: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    """Train a small character RNN with plain SGD from a recurrent matrix of spectral radius
    ``radius``, with or without clipping the global gradient norm to ``clip_norm``.

    Returns {"loss": training loss per step (nats/char), "grad_norm": the gradient norm per
    step before clipping}. With the defaults the unclipped run explodes and never recovers.
    """
    import torch
    from torch import nn

    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) <= seq_len + 1:
        raise ValueError(f"ids must be a 1-D array longer than seq_len + 1 = {seq_len + 1}.")
    if clip_norm is not None and not clip_norm > 0:
        raise ValueError(f"clip_norm must be positive or None, got {clip_norm!r}.")
    torch.manual_seed(seed)
    H = hidden_size
    embed, rnn, head = nn.Embedding(vocab_size, H), nn.RNN(H, H, batch_first=True), \
        nn.Linear(H, vocab_size)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.from_numpy(matrix_with_spectral_radius(H, radius, seed)))
    params = [*embed.parameters(), *rnn.parameters(), *head.parameters()]
    optimizer = torch.optim.SGD(params, lr=lr)
    text = torch.from_numpy(ids.astype(np.int64))
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
        norm = nn.utils.clip_grad_norm_(params, clip_norm if clip_norm else float("inf"))
        optimizer.step()
        losses.append(loss.item())
        norms.append(norm.item())
    return {"loss": np.array(losses), "grad_norm": np.array(norms)}


def plot_clipping(runs: dict[str, dict[str, np.ndarray]], figsize: tuple[float, float] = (11, 4.0)):
    """Loss and gradient norm per step for each run of :func:`clipping_run`, keyed by label."""
    import matplotlib.pyplot as plt

    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict {label: clipping_run result}.")
    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=figsize)
    for label, run in runs.items():
        ax_l.plot(run["loss"], label=label)
        ax_g.semilogy(run["grad_norm"], label=label)
    ax_l.set(title="Training loss", xlabel="SGD step", ylabel="cross-entropy (nats/char)")
    ax_g.set(title="Gradient norm before clipping", xlabel="SGD step",
             ylabel="||g||  (log scale)")
    for ax in (ax_l, ax_g):
        ax.grid(alpha=0.3)
        ax.legend(frameon=False)
    fig.tight_layout()
    return fig


# --- seeing inside: colour a passage by one unit's activation -------------------------------------
def activation_html(text: str, activations: Sequence[float] | np.ndarray, title: str = "",
                    limit: float = 1.0) -> str:
    """HTML for ``text`` with character i on a background coloured by ``activations[i]``.

    Blue is -``limit`` (or below), white is 0, red is +``limit`` (or above): tanh units live in
    [-1, 1]. Newlines are shown as ↵ and kept as line breaks. Display it with
    ``IPython.display.HTML``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    values = np.asarray(activations, dtype=float)
    if values.shape != (len(text),):
        raise ValueError(f"activations must have one value per character: shape "
                         f"({len(text)},), got {values.shape}.")
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}.")
    spans = []
    for ch, value in zip(text, np.clip(values / limit, -1.0, 1.0)):
        fade = int(round(255 * (1 - abs(value))))
        colour = f"rgb(255,{fade},{fade})" if value >= 0 else f"rgb({fade},{fade},255)"
        shown = "↵" if ch == "\n" else html.escape(ch)
        spans.append(f'<span style="background:{colour}" title="{value * limit:+.2f}">'
                     f"{shown}</span>" + ("<br>" if ch == "\n" else ""))
    head = f"<div style='font-weight:bold;margin-bottom:4px'>{html.escape(title)}</div>" \
        if title else ""
    return (f"<div style='font-family:monospace;font-size:19px;line-height:1.5;"
            f"white-space:pre-wrap;color:black'>{head}{''.join(spans)}</div>")
