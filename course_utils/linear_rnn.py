"""Linear recurrences and the parallel scan (unit 8).

The recurrence ``h_t = lam_t * h_{t-1} + u_t`` (elementwise, NOTATION.md "Linear recurrences")
is a composition of affine maps ``h -> lam_t * h + u_t``; composing two of them gives another,

    (lam_1, u_1) o (lam_2, u_2) = (lam_2 * lam_1, lam_2 * u_1 + u_2)    (first step 1, then 2),

and that composition is associative, so every prefix can be computed by a parallel prefix scan
(Hillis and Steele 1986, "Data parallel algorithms", CACM 29(12); Blelloch 1990, "Prefix sums
and their applications", CMU-CS-90-190). Tensors are batch-first: ``lam`` and ``u`` are
(B, T, H), ``h0`` is (B, H) and the states ``h_1 ... h_T`` come back as (B, T, H).

Also here: the log-space scan (Heinsen 2023, arXiv:2311.06281), minGRU (Feng et al. 2024,
"Were RNNs all we needed?", arXiv:2410.01201) written in the course's GRU convention, a layer
with a fixed (input-independent) decay for comparison, the selective copying task (Gu and Dao
2023, arXiv:2312.00752, section 3.1) and a character model that takes any of these layers.
"""
from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Callable

import numpy as np
import torch
from torch import nn

from course_utils import _arguments as arg

if TYPE_CHECKING:   # for annotations only: matplotlib is imported where a figure is drawn
    from matplotlib.figure import Figure

Combine = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
                   tuple[torch.Tensor, torch.Tensor]]


def _coefficients(lam: object, u: object, h0: object = None) -> None:
    for name, value in (("lam", lam), ("u", u)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor of shape (B, T, H), got "
                            f"{type(value).__name__}.")
        if value.ndim != 3:
            raise ValueError(f"{name} must have shape (B, T, H), got {tuple(value.shape)}.")
        if value.numel() == 0:
            raise ValueError(f"{name} is empty ({tuple(value.shape)}); it needs B, T, H >= 1.")
    if lam.shape != u.shape:
        raise ValueError(f"lam and u must have the same shape (B, T, H), got "
                         f"{tuple(lam.shape)} and {tuple(u.shape)}.")
    if h0 is not None:
        if not isinstance(h0, torch.Tensor):
            raise TypeError(f"h0 must be None or a torch.Tensor of shape (B, H), got "
                            f"{type(h0).__name__}.")
        wanted = (lam.shape[0], lam.shape[2])
        if tuple(h0.shape) != wanted:
            raise ValueError(f"h0 must have shape (B, H) = {wanted}, got {tuple(h0.shape)}.")


def combine(lam_1: torch.Tensor, u_1: torch.Tensor, lam_2: torch.Tensor, u_2: torch.Tensor
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """The associative operator: step (lam_1, u_1) first, then (lam_2, u_2).

    Returns (lam_2 * lam_1, lam_2 * u_1 + u_2), the affine map h -> lam_2 * (lam_1 * h + u_1)
    + u_2. Any broadcastable tensors of one shape; new tensors, the inputs unchanged.
    """
    for name, value in (("lam_1", lam_1), ("u_1", u_1), ("lam_2", lam_2), ("u_2", u_2)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}.")
    if not (lam_1.shape == u_1.shape == lam_2.shape == u_2.shape):
        raise ValueError("lam_1, u_1, lam_2 and u_2 must have one shape, got "
                         f"{[tuple(v.shape) for v in (lam_1, u_1, lam_2, u_2)]}.")
    return lam_2 * lam_1, lam_2 * u_1 + u_2


def scan_loop(lam: torch.Tensor, u: torch.Tensor, h0: torch.Tensor | None = None
              ) -> torch.Tensor:
    """The states of h_t = lam_t * h_{t-1} + u_t, one step after the other (T sequential steps).

    lam, u: (B, T, H); h0: (B, H) or None (zeros). Returns h_1 ... h_T, (B, T, H).
    """
    _coefficients(lam, u, h0)
    h = torch.zeros_like(u[:, 0]) if h0 is None else h0
    states = []
    for t in range(u.shape[1]):
        h = lam[:, t] * h + u[:, t]
        states.append(h)
    return torch.stack(states, dim=1)


def scan_parallel(lam: torch.Tensor, u: torch.Tensor, h0: torch.Tensor | None = None,
                  combine: Combine = combine) -> torch.Tensor:
    """The same states by the Hillis-Steele inclusive scan: ceil(log2 T) calls of ``combine``.

    Level d = 1, 2, 4, ... combines every position t >= d with position t - d, all positions at
    once (Hillis and Steele 1986): depth ceil(log2 T), work about T log2 T combines. After the
    scan, position t holds (lam_t ... lam_1, h_t computed from h_0 = 0); h0 enters as
    h_t = (lam_t ... lam_1) * h0 + that. Shapes as :func:`scan_loop`.
    """
    _coefficients(lam, u, h0)
    T = u.shape[1]
    A, U, d = lam, u, 1
    while d < T:
        A_late, U_late = combine(A[:, :-d], U[:, :-d], A[:, d:], U[:, d:])
        A = torch.cat([A[:, :d], A_late], dim=1)
        U = torch.cat([U[:, :d], U_late], dim=1)
        d *= 2
    return U if h0 is None else U + A * h0[:, None]


def scan_cumsum(lam: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """The closed form h_t = pi_t * sum_{s<=t} u_s / pi_s with pi_t = lam_1 ... lam_t, h_0 = 0.

    Exact in real numbers, and two library scans (cumprod, cumsum); in floating point, with
    lam < 1, the sum of u_s / pi_s overflows first (float32, lam = 0.5: inf from t = 127), then
    pi_t underflows to 0 (t = 150) and 0 * inf gives NaN: the reason for the log-space form
    (:func:`scan_log`). Shapes as :func:`scan_loop`.
    """
    _coefficients(lam, u)
    pi = torch.cumprod(lam, dim=1)
    return pi * torch.cumsum(u / pi, dim=1)


def scan_log(log_lam: torch.Tensor, log_u: torch.Tensor) -> torch.Tensor:
    """Heinsen's (2023) log-space scan for positive coefficients, h_0 = 0.

    With a*_t = sum_{s<=t} log lam_s, h_t = exp(a*_t + logcumsumexp_s<=t(log u_s - a*_s)):
    sums of logarithms instead of products, so nothing underflows (Heinsen 2023,
    arXiv:2311.06281). log_lam, log_u: (B, T, H) real; returns h (B, T, H), all > 0.
    """
    _coefficients(log_lam, log_u)
    a_star = torch.cumsum(log_lam, dim=1)
    return torch.exp(a_star + torch.logcumsumexp(log_u - a_star, dim=1))


def scan_levels(seq_len: int) -> int:
    """Levels (calls of combine) of the Hillis-Steele scan over ``seq_len`` steps: ceil(log2 T)."""
    T = arg.integer("seq_len", seq_len)
    return math.ceil(math.log2(T)) if T > 1 else 0


def scan_work(seq_len: int, algorithm: str) -> int:
    """Number of elementwise combines (per batch row and unit) each algorithm performs over T steps.

    "loop": T - 1. "hillis_steele": sum over levels d = 1, 2, 4, ... < T of (T - d), about
    T log2 T. "blelloch": the up-sweep and down-sweep of Blelloch (1990) on T rounded up to a
    power of two, 2 (T - 1) combines, an exclusive scan, in 2 log2 T levels.
    """
    T = arg.integer("seq_len", seq_len)
    algorithm = arg.one_of("algorithm", algorithm, ("loop", "hillis_steele", "blelloch"))
    if algorithm == "loop":
        return T - 1
    if algorithm == "hillis_steele":
        return sum(T - 2 ** k for k in range(scan_levels(T)))
    n = 2 ** scan_levels(T)
    return 2 * (n - 1)


class MinGRU(nn.Module):
    """minGRU (Feng et al. 2024, arXiv:2410.01201), in the course's GRU convention.

    z_t = sigmoid(W_xz x_t + b_z), h~_t = W_xh~ x_t + b_h~ (no activation, no h_{t-1} in either),
    h_t = (1 - z_t) * h~_t + z_t * h_{t-1}: the linear recurrence with lam_t = z_t and
    u_t = (1 - z_t) * h~_t. Feng et al. write z_t for the share of the *new* candidate,
    h_t = (1 - z_t) * h_{t-1} + z_t * h~_t: their z_t is our 1 - z_t.

    ``recurrence`` is :func:`scan_parallel` (default) or :func:`scan_loop`. ``forward(x, h=None)``
    takes x (B, T, D) and h (B, H) or None, and returns (output (B, T, H), h_T (B, H)).
    """

    def __init__(self, input_size: int, hidden_size: int,
                 recurrence: Callable[..., torch.Tensor] = scan_parallel):
        super().__init__()
        D = arg.integer("input_size", input_size)
        H = arg.integer("hidden_size", hidden_size)
        if not callable(recurrence):
            raise TypeError(f"recurrence must be a function such as scan_parallel, got "
                            f"{type(recurrence).__name__}.")
        self.linear_z = nn.Linear(D, H)
        self.linear_h = nn.Linear(D, H)
        self.recurrence = recurrence

    def coefficients(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(lam, u) of the recurrence for x (B, T, D), each (B, T, H)."""
        z = torch.sigmoid(self.linear_z(x))
        return z, (1 - z) * self.linear_h(x)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        lam, u = self.coefficients(x)
        out = self.recurrence(lam, u, h)
        return out, out[:, -1]


class FixedDecay(MinGRU):
    """minGRU with its decay made a parameter, one number per unit, the same at every step.

    lam = sigmoid(w) (H), u_t = (1 - lam) * (W_xh~ x_t + b_h~): a linear time-invariant
    recurrence (as in S4 and LRU), the control for selectivity. Same interface as MinGRU.
    """

    def __init__(self, input_size: int, hidden_size: int,
                 recurrence: Callable[..., torch.Tensor] = scan_parallel):
        super().__init__(input_size, hidden_size, recurrence)
        del self.linear_z
        # decays spread from 0.5 to 0.999: time constants from 2 to 1,000 steps
        self.decay_logit = nn.Parameter(torch.logit(torch.linspace(0.5, 0.999, hidden_size)))

    def coefficients(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        lam = torch.sigmoid(self.decay_logit).expand(*x.shape[:-1], -1)
        return lam, (1 - lam) * self.linear_h(x)


def selective_copy_task(n_samples: int, seq_len: int, *, n_symbols: int = 4, n_copy: int = 3,
                        seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Selective copying (Gu and Dao 2023, section 3.1, after Arjovsky et al.'s copying task).

    Each sequence of ``seq_len`` tokens is blank (token 0) except ``n_copy`` data tokens drawn
    from 1 ... n_symbols at random positions, in increasing order of position. The target is
    the data tokens in order. Returns (x (N, T) int64, y (N, n_copy) int64), seeded.
    """
    N = arg.integer("n_samples", n_samples)
    T = arg.integer("seq_len", seq_len)
    n_symbols = arg.integer("n_symbols", n_symbols)
    n_copy = arg.integer("n_copy", n_copy)
    if n_copy > T:
        raise ValueError(f"n_copy must be at most seq_len = {T}, got {n_copy}.")
    g = torch.Generator().manual_seed(arg.integer("seed", seed, minimum=0))
    positions = torch.rand(N, T, generator=g).argsort(dim=1)[:, :n_copy].sort(dim=1).values
    y = torch.randint(1, n_symbols + 1, (N, n_copy), generator=g)
    x = torch.zeros(N, T, dtype=torch.int64)
    x.scatter_(1, positions, y)
    return x, y


class CharModel(nn.Module):
    """A character model around one recurrent layer: one-hot input, the layer, a linear head.

    ``layer`` is "gru" (``nn.GRU``), "min_gru_loop" or "min_gru_scan" (:class:`MinGRU` with
    :func:`scan_loop` or :func:`scan_parallel`). ``forward(x, h=None)`` takes ids (B, T) and a
    state (B, H) or None, and returns (logits (B, T, V), the last state (B, H)), the interface
    of :func:`course_utils.char_rnn.train_tbptt` and :func:`~course_utils.char_rnn.bits_per_char`.
    """

    def __init__(self, vocab_size: int, hidden_size: int, layer: str = "gru",
                 min_gru: type[nn.Module] = MinGRU):
        super().__init__()
        V = arg.integer("vocab_size", vocab_size)
        H = arg.integer("hidden_size", hidden_size)
        self.kind = arg.one_of("layer", layer, ("gru", "min_gru_loop", "min_gru_scan"))
        if layer == "gru":
            self.rnn = nn.GRU(V, H, batch_first=True)
        else:
            self.rnn = min_gru(V, H, scan_loop if layer == "min_gru_loop" else scan_parallel)
        self.head = nn.Linear(H, V)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = nn.functional.one_hot(x, self.head.out_features).to(self.head.weight.dtype)
        if self.kind == "gru":
            out, h_n = self.rnn(inputs, None if h is None else h[None])
            return self.head(out), h_n[0]
        out, h_n = self.rnn(inputs, h)
        return self.head(out), h_n


def time_per_call(func: Callable[[], object], repeats: int = 5) -> float:
    """Median wall time of ``func()`` in seconds over ``repeats`` calls, after one warm-up call
    (waiting for the GPU to finish, where there is one)."""
    if not callable(func):
        raise TypeError(f"func must be a function of no arguments, got {type(func).__name__}.")
    repeats = arg.integer("repeats", repeats)
    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    func()
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        func()
        sync()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


# --- figures (the course's style: course_utils.plotting) -------------------------------------
FONT = 16  # points (style.NOTE): every label, tick and legend of this unit's figures


def _finish(ax, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=FONT + 2)
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

def _series_check(name: str, values: object, length: int) -> np.ndarray:
    array = np.asarray(values, dtype=float) if isinstance(values, (list, tuple, np.ndarray)) \
        else None
    if array is None or array.ndim != 1 or len(array) != length:
        raise ValueError(f"{name} must be a list of {length} numbers, got {values!r}.")
    return array


def plot_scan_timing(seq_lens: list[int], times_ms: dict[str, list[float]],
                     title: str = "The loop and the scan on this machine") -> "Figure":
    """Time per call (ms, log scale) against T (log scale), one line per method.

    ``seq_lens`` are the T measured; ``times_ms`` maps a method's name to its times, one per T.
    Each line has its own colour, marker and dash, so it reads without colour.
    """
    from course_utils import style
    from course_utils.plotting import _figure
    if not isinstance(seq_lens, (list, tuple)) or not seq_lens:
        raise ValueError(f"seq_lens must be a non-empty list of sequence lengths, got {seq_lens!r}.")
    if not isinstance(times_ms, dict) or not times_ms:
        raise ValueError("times_ms must be a non-empty dict {method: [ms per T]}, got "
                         f"{type(times_ms).__name__}.")
    fig = _figure(style.SLIDE_FIGSIZE)
    ax = fig.add_subplot()
    for i, (name, values) in enumerate(times_ms.items()):
        ax.loglog(seq_lens, _series_check(f"times_ms[{name!r}]", values, len(seq_lens)),
                  lw=2.4, ms=8, label=name, **style.series_style(i))
    ax.set_xticks(list(seq_lens), [str(T) for T in seq_lens])
    ax.minorticks_off()
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=FONT, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _finish(ax, title, "sequence length T (steps, log scale)", "time per call (ms, log scale)")
    style.set_alt(fig, f"{title}: time per call in milliseconds against the sequence length "
                  f"T = {seq_lens[0]} to {seq_lens[-1]}, both on log scales; " + "; ".join(
                      f"{name}: {v[0]:.3g} ms to {v[-1]:.3g} ms" for name, v in times_ms.items())
                  + ".")
    return fig



def plot_copy_accuracy(accuracy: dict[str, list[float]], chance: float,
                       title: str = "Selective copying: which tokens come back") -> "Figure":
    """Held-out accuracy (%) of each data token's position, one group of bars per model.

    ``accuracy`` maps a model's name to its accuracy (fractions) for tokens 1 ... n_copy;
    ``chance`` (a fraction) is drawn as a dashed line. Bars differ by colour and hatching.
    """
    from course_utils import style
    from course_utils.plotting import _figure
    if not isinstance(accuracy, dict) or not accuracy:
        raise ValueError("accuracy must be a non-empty dict {model: [fraction per token]}, got "
                         f"{type(accuracy).__name__}.")
    chance = arg.number("chance", chance, minimum=0.0, maximum=1.0)
    n_copy = len(next(iter(accuracy.values())))
    fig = _figure(style.SLIDE_FIGSIZE)
    ax = fig.add_subplot()
    width = 0.8 / len(accuracy)
    colours = [style.series_style(i)["color"] for i in range(len(accuracy))]
    hatches = ["//", "", "..", "xx", "\\\\", "oo"]
    for k, ((name, values), colour, hatch) in enumerate(
            zip(accuracy.items(), colours, hatches * 2)):
        values = _series_check(f"accuracy[{name!r}]", values, n_copy)
        ax.bar(np.arange(n_copy) + (k - (len(accuracy) - 1) / 2) * width, 100 * values, width,
               color=colour, hatch=hatch, edgecolor="#222222", label=name)
    ax.axhline(100 * chance, color="#222222", ls="--", lw=1.5, label=f"chance ({chance:.0%})")
    ax.set_xticks(range(n_copy), [f"token {i + 1}" for i in range(n_copy)])
    ax.set_ylim(0, 128)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylim(0, 105)
    ax.legend(fontsize=FONT, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _finish(ax, title, "data token, in order of its position in the sequence",
           "held-out accuracy (%)")
    style.set_alt(fig, f"{title}: grouped bars of the held-out accuracy (%) of each of the "
                  f"{n_copy} data tokens, one bar per model, and a dashed line at chance, "
                  f"{chance:.0%}; " + "; ".join(
                      f"{name}: " + ", ".join(f"{100 * float(v):.0f}%" for v in values)
                      for name, values in accuracy.items()) + ".")
    return fig



def plot_hillis_steele(seq_len: int = 8) -> "Figure":
    """The Hillis-Steele scan over ``seq_len`` steps at slide width: one row per level, an arrow
    from t - d to t.

    Level 0 holds the steps; at level d = 1, 2, 4, ... each position t > d combines the window
    ending at t - d with its own. Each box says which steps it has composed; a shaded box holds
    all of 1..t. Returns the Figure, with a default alternative text.
    """
    from course_utils import diagrams as D
    from course_utils import style

    T = arg.integer("seq_len", seq_len, minimum=2, maximum=16)
    levels = scan_levels(T)
    fig, ax = D._canvas(f"Hillis-Steele scan, $T = {T}$: {levels} levels of combines")
    left = 1.55
    dx = (11.75 - left) / T
    bw = min(1.0, dx - 0.08)
    two_lines = dx < 0.8                            # "10..11" fits a narrow box on two lines
    bh = 0.72 if two_lines else 0.44
    dy = min(1.1, 3.6 / levels)
    y_top = 4.4
    first = list(range(1, T + 1))                  # window start of each position, level by level
    for level in range(levels + 1):
        y = y_top - level * dy
        d = 2 ** (level - 1) if level else 0
        if level:
            new = [first[t - 1 - d] if t > d else first[t - 1] for t in range(1, T + 1)]
            for t in range(1, T + 1):
                x = left + (t - 0.5) * dx
                D._line(ax, [(x, y + dy - bh / 2), (x, y + bh / 2)], style.CONCEPT["baseline"], lw=1.2)
            for t in range(d + 1, T + 1):
                x, xs = left + (t - 0.5) * dx, left + (t - d - 0.5) * dx
                D._line(ax, [(xs + 0.05, y + dy - bh / 2), (x - 0.05, y + bh / 2)],
                        style.CONCEPT["input"], lw=1.8)
            first = new
        for t in range(1, T + 1):
            done = first[t - 1] == 1
            label = [f"{first[t - 1]}..", f"{t}"] if first[t - 1] < t else f"{t}"
            if not two_lines and first[t - 1] < t:
                label = "".join(label)
            D._box(ax, left + (t - 0.5) * dx, y, bw, bh, label, style.CONCEPT["state"],
                   fontsize=style.NOTE, fill=done)
        D._text(ax, 0.2, y, "steps" if not level else f"$d = {d}$", ha="left")
    D._text(ax, 6.0, 0.3, "blue: combine with the box $d$ back; grey: pass on; shaded: holds all of "
            "1..t", fontsize=style.NOTE)
    style.set_alt(fig, f"The Hillis-Steele scan over {T} steps drawn as {levels + 1} rows of boxes: "
                  f"the steps 1 to {T} on top, then one row per level d = 1, 2, 4 and so on. At "
                  "each level every position t greater than d combines its window with the box d "
                  "back (a blue arrow), the others pass on (grey); each box names the steps it has "
                  f"composed, and after {levels} levels every box holds all of 1 to t (shaded).")
    return fig


def plot_lru_eigenvalues(r_min: float = 0.9, r_max: float = 0.999, max_phase: float = math.pi / 10,
                         hidden_size: int = 256, seed: int = 0) -> "Figure":
    """LRU's initial eigenvalues (Orvieto et al. 2023, arXiv:2303.06349): uniform on the ring
    r_min <= |lambda| <= r_max, phases in [0, max_phase], in the complex plane."""
    from course_utils import style
    from course_utils.plotting import BLUE, GREY, _figure
    r_min = arg.number("r_min", r_min, minimum=0.0, maximum=1.0)
    r_max = arg.number("r_max", r_max, minimum=r_min, maximum=1.0)
    max_phase = arg.number("max_phase", max_phase, minimum=0.0, maximum=2 * math.pi)
    H = arg.integer("hidden_size", hidden_size)
    g = np.random.default_rng(arg.integer("seed", seed, minimum=0))
    modulus = np.sqrt(g.uniform(r_min ** 2, r_max ** 2, H))   # uniform over the ring's area
    phase = g.uniform(0, max_phase, H)
    fig = _figure(style.SLIDE_FIGSIZE)
    full, zoom = fig.subplots(1, 2)
    circle = np.linspace(0, 2 * np.pi, 400)
    for ax, limits in ((full, 1.1), (zoom, None)):
        ax.plot(np.cos(circle), np.sin(circle), color=GREY, ls="--", lw=1.8, label="unit circle")
        ax.scatter(modulus * np.cos(phase), modulus * np.sin(phase), s=20, color=BLUE,
                   marker="o", label=f"{H} eigenvalues")
        ax.set_aspect("equal")
        if limits:
            ax.set_xlim(-limits, limits)
            ax.set_ylim(-limits, limits)
        else:
            ax.set_xlim(r_min - 0.05, 1.02)
            ax.set_ylim(-0.02, math.sin(max_phase) + 0.05)
        _finish(ax, "whole plane" if limits else "zoomed in", "real part", "imaginary part")
    full.legend(fontsize=FONT, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    style.set_alt(fig, f"{H} initial LRU eigenvalues in the complex plane, inside the dashed unit "
                  f"circle: moduli from {modulus.min():.3f} to {modulus.max():.3f} (ring "
                  f"{r_min:g} to {r_max:g}), phases from 0 to {max_phase:.3f} rad. Left: the "
                  "whole plane, where they sit in a thin arc near 1; right: zoomed in on them.")
    return fig

