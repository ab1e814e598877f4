"""A character-level RNN language model in NumPy: the reference the lab's checks compare with.

The model, for a vocabulary of K characters and a hidden state of H units::

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)      x_t (K,) one-hot, h_t (H,)
    o_t = Why h_t + by                          o_t (K,) logits
    p_t = softmax(o_t)                          p_t (K,) next-character probabilities
    L   = sum_t -log p_t[y_t]                   y_t the id of the character after x_t

Shapes follow PyTorch's ``nn.RNN``: Wxh (H, K), Whh (H, H), bh (H,), Why (K, H), by (K,).
Training is min-char-rnn's: sequences of 25, BPTT, every gradient clipped to [-5, 5], Adagrad.
Unlike the seed notebook, the output bias ``by`` gets its gradient and learns, and
:func:`sample` draws characters at random from the model's distribution (it does not take the
most likely one).
"""
from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]
PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")


def init_params(vocab_size: int, hidden_size: int = 100, scale: float = 0.01,
                seed: int = 0) -> Params:
    """Small random weights (normal, standard deviation ``scale``) and zero biases."""
    for arg, value in (("vocab_size", vocab_size), ("hidden_size", hidden_size),
                       ("seed", seed)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{arg} must be a non-negative integer, got {value!r}.")
    if vocab_size < 1 or hidden_size < 1:
        raise ValueError("vocab_size and hidden_size must be at least 1, got "
                         f"{vocab_size} and {hidden_size}.")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}.")
    rng = np.random.default_rng(seed)
    H, K = hidden_size, vocab_size
    return {"Wxh": rng.standard_normal((H, K)) * scale,
            "Whh": rng.standard_normal((H, H)) * scale,
            "Why": rng.standard_normal((K, H)) * scale,
            "bh": np.zeros(H), "by": np.zeros(K)}


def one_hot(index: int, size: int) -> np.ndarray:
    """A float vector of shape (size,) with a 1 at ``index`` and 0 elsewhere."""
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}.")
    if not isinstance(index, (int, np.integer)) or not 0 <= index < size:
        raise ValueError(f"index must be an integer in [0, {size}), got {index!r}.")
    x = np.zeros(size)
    x[index] = 1.0
    return x


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis``."""
    z = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def rnn_forward(params: Params, inputs: list[int], targets: list[int], h_prev: np.ndarray
                ) -> tuple[float, dict[str, np.ndarray]]:
    """Run one sequence forward. Return the summed loss (nats) and what backward needs.

    The cache holds ``xs`` (T, K) one-hot inputs, ``hs`` (T + 1, H) hidden states with
    ``hs[0] = h_prev``, and ``ps`` (T, K) next-character probabilities.
    """
    _check_sequence(params, inputs, targets, h_prev)
    K, T = params["Wxh"].shape[1], len(inputs)
    xs, hs, ps = np.zeros((T, K)), np.zeros((T + 1, len(h_prev))), np.zeros((T, K))
    hs[0] = h_prev
    loss = 0.0
    for t in range(T):
        xs[t] = one_hot(inputs[t], K)
        hs[t + 1] = np.tanh(params["Wxh"] @ xs[t] + params["Whh"] @ hs[t] + params["bh"])
        ps[t] = softmax(params["Why"] @ hs[t + 1] + params["by"])
        loss += -np.log(ps[t, targets[t]])
    return float(loss), {"xs": xs, "hs": hs, "ps": ps}


def rnn_backward(params: Params, cache: dict[str, np.ndarray], targets: list[int]) -> Params:
    """Backpropagation through time: the gradient of the summed loss for every parameter."""
    xs, hs, ps = cache["xs"], cache["hs"], cache["ps"]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dh_next = np.zeros(hs.shape[1])
    for t in reversed(range(len(targets))):
        do = ps[t].copy()
        do[targets[t]] -= 1.0                        # dL/do_t = p_t - onehot(y_t)
        grads["Why"] += np.outer(do, hs[t + 1])
        grads["by"] += do                            # the output bias learns too
        dh = params["Why"].T @ do + dh_next          # from the output and from step t + 1
        da = (1.0 - hs[t + 1] ** 2) * dh             # through tanh
        grads["bh"] += da
        grads["Wxh"] += np.outer(da, xs[t])
        grads["Whh"] += np.outer(da, hs[t])
        dh_next = params["Whh"].T @ da
    return grads


def loss_and_grads(params: Params, inputs: list[int], targets: list[int], h_prev: np.ndarray
                   ) -> tuple[float, Params, np.ndarray]:
    """Forward and backward on one sequence: (loss, gradients, last hidden state)."""
    loss, cache = rnn_forward(params, inputs, targets, h_prev)
    return loss, rnn_backward(params, cache, targets), cache["hs"][-1]


def clip_gradients(grads: Params, limit: float = 5.0) -> Params:
    """Every gradient entry clipped to [-limit, limit] (new arrays; ``grads`` is unchanged)."""
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}.")
    return {name: np.clip(g, -limit, limit) for name, g in grads.items()}


def adagrad_update(params: Params, grads: Params, memory: Params, lr: float = 0.1,
                   eps: float = 1e-8) -> None:
    """One Adagrad step, in place: G <- G + g**2, theta <- theta - lr * g / sqrt(G + eps)."""
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}.")
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= lr * grads[name] / np.sqrt(memory[name] + eps)


def sample(params: Params, h: np.ndarray, seed_ix: int, n: int, temperature: float = 1.0,
           rng: np.random.Generator | None = None) -> list[int]:
    """Draw ``n`` character ids from the model, starting from state ``h`` and character ``seed_ix``.

    Each id is drawn at random from softmax(o_t / temperature): a temperature below 1 sharpens
    the distribution (safer, more repetitive text), above 1 flattens it (more surprising text).
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}.")
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}.")
    rng = np.random.default_rng() if rng is None else rng
    K = params["Wxh"].shape[1]
    x, ids = one_hot(seed_ix, K), []
    for _ in range(n):
        h = np.tanh(params["Wxh"] @ x + params["Whh"] @ h + params["bh"])
        p = softmax((params["Why"] @ h + params["by"]) / temperature)
        ix = int(rng.choice(K, p=p))                 # sample: not the most likely character
        x = one_hot(ix, K)
        ids.append(ix)
    return ids


def batch_loss_and_grads(params: Params, inputs: np.ndarray, targets: np.ndarray,
                         h_prev: np.ndarray) -> tuple[float, Params, np.ndarray]:
    """Forward and backward on a batch of B sequences at once.

    ``inputs`` and ``targets`` are int arrays (B, T); ``h_prev`` is (B, H). The loss is summed
    over time and averaged over the batch, so its scale matches :func:`loss_and_grads`.
    Returns (loss, gradients, last hidden states (B, H)).
    """
    B, T = inputs.shape
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    hs = np.zeros((T + 1, B, Whh.shape[0]))
    hs[0] = h_prev
    ps = np.zeros((T, B, Why.shape[0]))
    rows = np.arange(B)
    loss = 0.0
    for t in range(T):                               # Wxh[:, ids].T is one-hot @ Wxh.T
        hs[t + 1] = np.tanh(Wxh[:, inputs[:, t]].T + hs[t] @ Whh.T + params["bh"])
        ps[t] = softmax(hs[t + 1] @ Why.T + params["by"])
        loss += -np.log(ps[t, rows, targets[:, t]]).sum()
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dh_next = np.zeros_like(h_prev, dtype=float)
    for t in reversed(range(T)):
        do = ps[t].copy()
        do[rows, targets[:, t]] -= 1.0
        do /= B
        grads["Why"] += do.T @ hs[t + 1]
        grads["by"] += do.sum(axis=0)
        da = (1.0 - hs[t + 1] ** 2) * (do @ Why + dh_next)
        grads["bh"] += da.sum(axis=0)
        np.add.at(grads["Wxh"].T, inputs[:, t], da)  # one-hot x_t: add da to column x_t
        grads["Whh"] += da.T @ hs[t]
        dh_next = da @ Whh
    return float(loss / B), grads, hs[-1]


def bits_per_char(params: Params, ids: np.ndarray, streams: int = 64) -> float:
    """Mean cross-entropy in bits per character of the model on ``ids``.

    The text is read as ``streams`` contiguous streams in parallel, each from a zero state.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < 2 * streams:
        raise ValueError(f"ids must be 1-D with at least {2 * streams} elements, got shape "
                         f"{ids.shape}.")
    per_row = (len(ids) - 1) // streams
    x = ids[:per_row * streams].reshape(streams, per_row)
    y = ids[1:per_row * streams + 1].reshape(streams, per_row)
    h = np.zeros((streams, params["Whh"].shape[0]))
    rows, nats = np.arange(streams), 0.0
    for t in range(per_row):
        h = np.tanh(params["Wxh"][:, x[:, t]].T + h @ params["Whh"].T + params["bh"])
        logits = h @ params["Why"].T + params["by"]
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        nats -= log_p[rows, y[:, t]].sum()
    return float(nats / (per_row * streams) / np.log(2))


def _check_sequence(params: Params, inputs: list[int], targets: list[int],
                    h_prev: np.ndarray) -> None:
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {PARAM_NAMES}.")
    if len(inputs) != len(targets) or len(inputs) == 0:
        raise ValueError(f"inputs and targets must be non-empty and equally long, got "
                         f"{len(inputs)} and {len(targets)}.")
    H = params["Whh"].shape[0]
    if np.shape(h_prev) != (H,):
        raise ValueError(f"h_prev must have shape ({H},), got {np.shape(h_prev)}.")


def sampling_widget(generate, seed_text: str = "The ", temperature: float = 0.8):
    """An ipywidgets 7 widget to draw samples: a temperature slider, a seed-text box and a
    "draw again" button. ``generate(seed_text, temperature, seed)`` returns the text to show.
    """
    import html

    import ipywidgets as widgets

    if not callable(generate):
        raise TypeError(f"generate must be a function (seed_text, temperature, seed) -> str, "
                        f"got {type(generate).__name__}.")
    if not 0.05 <= temperature <= 3.0:
        raise ValueError(f"temperature must be in [0.05, 3], got {temperature!r}.")
    slider = widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05,
                                 description="temperature", continuous_update=False)
    box = widgets.Text(value=seed_text, description="seed text")
    button = widgets.Button(description="draw again")
    shown = widgets.HTML()
    draw = {"seed": 0}

    def redraw(*_):
        try:
            sample_text = generate(box.value, slider.value, draw["seed"])
        except ValueError as exc:  # e.g. a character the vocabulary does not know
            shown.value = f"<b style='color:#b00'>{html.escape(str(exc))}</b>"
            return
        shown.value = ("<pre style='white-space:pre-wrap;font-size:14px;line-height:1.35'>"
                       f"<b>{html.escape(box.value)}</b>"
                       f"{html.escape(sample_text[len(box.value):])}</pre>")

    def again(_):
        draw["seed"] += 1
        redraw()

    slider.observe(redraw, names="value")
    box.observe(redraw, names="value")
    button.on_click(again)
    redraw()
    return widgets.VBox([widgets.HBox([slider, box, button]), shown])
