"""A character-level RNN language model: min-char-rnn in NumPy, and the same model in PyTorch.

The model (NOTATION.md; one sequence, column vectors), for a vocabulary of V characters and a
state of H units; inputs are one-hot, so D = V, and the output size is K = V::

    a_t = W_xh x_t + W_hh h_{t-1} + b_h       x_t (V,) one-hot; a_t, h_t (H,)
    h_t = tanh(a_t)
    l_t = W_hy h_t + b_y                      l_t (K,): the logits
    y_hat_t = softmax(l_t)                    next-character probabilities
    L = sum_t -ln y_hat_t[y_t]                y_t the id of the character after x_t (nats)

Parameters are a dict with keys ``W_xh`` (H, V), ``W_hh`` (H, H), ``b_h`` (H,), ``W_hy`` (K, H),
``b_y`` (K,): PyTorch's shapes. Training is min-char-rnn's (Karpathy 2015, the seeds' second
half): chunks of 25 characters, BPTT, every gradient entry clipped to [-5, 5], Adagrad at 0.1.
Unlike the seeds' code, the output bias ``b_y`` gets its gradient and learns, and
:func:`sample` draws characters at random from the model's distribution.

:class:`CharRNN` is the same model in PyTorch (``nn.RNN`` on one-hot inputs with one hidden
bias, an ``nn.Linear`` head); :class:`Adagrad` is min-char-rnn's update rule; :func:`train_tbptt`
is truncated BPTT over consecutive chunks. With :func:`load_params` the PyTorch model computes
the same numbers as the NumPy functions.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn

from course_utils import _arguments as arg

Params = dict[str, np.ndarray]
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


# --- baselines ----------------------------------------------------------------------------------
def unigram_bits(train_ids: np.ndarray, held_ids: np.ndarray, vocab_size: int) -> float:
    """Held-out bits per character of the unigram model: P(c) = (n_c + 1) / (N + V), the
    add-one smoothed frequency of c among the N training characters."""
    V = arg.integer("vocab_size", vocab_size)
    train_ids, held_ids = _ids("train_ids", train_ids, V), _ids("held_ids", held_ids, V)
    counts = np.bincount(train_ids, minlength=V) + 1
    return float(-np.log2(counts[held_ids] / counts.sum()).mean())


# --- NumPy: min-char-rnn ------------------------------------------------------------------------
def init_params(vocab_size: int, hidden_size: int = 100, scale: float = 0.01,
                seed: int = 0) -> Params:
    """Small random weights (normal, standard deviation ``scale``) and zero biases.

    Returns a dict of float64 arrays: ``W_xh`` (H, V), ``W_hh`` (H, H), ``b_h`` (H,),
    ``W_hy`` (V, H), ``b_y`` (V,). min-char-rnn uses ``scale=0.01``.
    """
    V = arg.integer("vocab_size", vocab_size)
    H = arg.integer("hidden_size", hidden_size)
    scale = arg.number("scale", scale, positive=True)
    rng = np.random.default_rng(arg.integer("seed", seed, minimum=0))
    return {"W_xh": rng.standard_normal((H, V)) * scale,
            "W_hh": rng.standard_normal((H, H)) * scale,
            "b_h": np.zeros(H),
            "W_hy": rng.standard_normal((V, H)) * scale,
            "b_y": np.zeros(V)}


def check_params(params: Params) -> tuple[int, int]:
    """Check a parameter dict (keys, array types, consistent shapes); return (V, H).

    Raises ``TypeError`` or ``ValueError`` naming the entry and the shape it should have.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {', '.join(PARAM_NAMES)}, got "
                        f"{type(params).__name__}.")
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {list(PARAM_NAMES)}.")
    for name in PARAM_NAMES:
        if not isinstance(params[name], np.ndarray) or params[name].dtype.kind != "f":
            raise TypeError(f"params[{name!r}] must be a float NumPy array, got "
                            f"{type(params[name]).__name__}"
                            f"{' of dtype ' + str(params[name].dtype) if isinstance(params[name], np.ndarray) else ''}.")
    H, V = np.shape(params["W_xh"]) if np.ndim(params["W_xh"]) == 2 else (None, None)
    if H is None or H == 0 or V == 0:
        raise ValueError(f"params['W_xh'] must be 2-D (H, V) with H >= 1 and V >= 1, got shape "
                         f"{params['W_xh'].shape}.")
    shapes = {"W_hh": (H, H), "b_h": (H,), "W_hy": (V, H), "b_y": (V,)}
    for name, shape in shapes.items():
        if params[name].shape != shape:
            raise ValueError(f"params[{name!r}] has shape {params[name].shape}; with W_xh of "
                             f"shape (H, V) = {(H, V)} it must be {shape}.")
    return V, H


def one_hot(index: int, size: int) -> np.ndarray:
    """A float vector of shape (size,) with a 1 at ``index`` and 0 elsewhere."""
    size = arg.integer("size", size)
    index = arg.integer("index", index, minimum=0, maximum=size - 1)
    x = np.zeros(size)
    x[index] = 1.0
    return x


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax of ``logits`` (any shape, floats) along ``axis``."""
    logits = arg.array("logits", logits)
    axis = arg.integer("axis", axis, minimum=-logits.ndim, maximum=logits.ndim - 1)
    z = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def rnn_forward(params: Params, inputs: Sequence[int], targets: Sequence[int],
                h_prev: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Run one sequence forward. Return the summed loss (nats) and what backward needs.

    ``inputs`` and ``targets`` are T character ids each; ``h_prev`` (H,) is the state before
    the first input. The cache holds ``xs`` (T, V) one-hot inputs, ``hs`` (T + 1, H) states
    with ``hs[0] = h_prev``, and ``y_hat`` (T, K) next-character probabilities.
    """
    V, H = check_params(params)
    inputs, targets = _ids("inputs", inputs, V), _ids("targets", targets, V)
    if len(inputs) != len(targets):
        raise ValueError(f"inputs and targets must be equally long, got {len(inputs)} and "
                         f"{len(targets)}.")
    h_prev = arg.array("h_prev", h_prev, shape=(H,))
    T = len(inputs)
    xs, hs, y_hat = np.zeros((T, V)), np.zeros((T + 1, H)), np.zeros((T, V))
    hs[0] = h_prev
    loss = 0.0
    for t in range(T):
        xs[t] = one_hot(int(inputs[t]), V)
        hs[t + 1] = np.tanh(params["W_xh"] @ xs[t] + params["W_hh"] @ hs[t] + params["b_h"])
        y_hat[t] = softmax(params["W_hy"] @ hs[t + 1] + params["b_y"])
        loss += -np.log(y_hat[t, targets[t]])
    return float(loss), {"xs": xs, "hs": hs, "y_hat": y_hat}


def rnn_backward(params: Params, cache: dict[str, np.ndarray], targets: Sequence[int]) -> Params:
    """Backpropagation through time: the gradient of the summed loss for every parameter.

    With delta_t = dL/da_t (H,): dL/dl_t = y_hat_t - onehot(y_t);
    dL/dh_t = W_hy^T dL/dl_t + W_hh^T delta_{t+1}; delta_t = (1 - h_t^2) * dL/dh_t; each weight's
    gradient is a sum over t (the weights are shared by all steps).
    """
    V, H = check_params(params)
    if not isinstance(cache, dict) or any(k not in cache for k in ("xs", "hs", "y_hat")):
        raise ValueError("cache must be the dict rnn_forward returns, with 'xs', 'hs', 'y_hat'.")
    targets = _ids("targets", targets, V)
    xs, hs, y_hat = cache["xs"], cache["hs"], cache["y_hat"]
    if y_hat.shape != (len(targets), V) or hs.shape != (len(targets) + 1, H):
        raise ValueError(f"cache holds {len(y_hat)} steps but targets has {len(targets)}.")
    grads = {name: np.zeros_like(value, dtype=float) for name, value in params.items()
             if name in PARAM_NAMES}
    delta_next = np.zeros(H)
    for t in reversed(range(len(targets))):
        d_logits = y_hat[t].copy()
        d_logits[targets[t]] -= 1.0                  # dL/dl_t = y_hat_t - onehot(y_t)
        grads["W_hy"] += np.outer(d_logits, hs[t + 1])
        grads["b_y"] += d_logits                     # the output bias learns too
        dh = params["W_hy"].T @ d_logits + params["W_hh"].T @ delta_next
        delta = (1.0 - hs[t + 1] ** 2) * dh          # through tanh
        grads["b_h"] += delta
        grads["W_xh"] += np.outer(delta, xs[t])
        grads["W_hh"] += np.outer(delta, hs[t])
        delta_next = delta
    return grads


def loss_and_grads(params: Params, inputs: Sequence[int], targets: Sequence[int],
                   h_prev: np.ndarray) -> tuple[float, Params, np.ndarray]:
    """Forward and backward on one sequence: (loss, gradients, last hidden state (H,))."""
    loss, cache = rnn_forward(params, inputs, targets, h_prev)
    return loss, rnn_backward(params, cache, targets), cache["hs"][-1]


def clip_gradients(grads: Params, limit: float = 5.0) -> Params:
    """Every gradient entry clipped to [-limit, limit] (new arrays; ``grads`` is unchanged)."""
    limit = arg.number("limit", limit, positive=True)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}.")
    if not grads:
        raise ValueError("grads must be a non-empty dict of arrays, got {}.")
    return {name: np.clip(arg.array(f"grads[{name!r}]", g), -limit, limit)
            for name, g in grads.items()}


def adagrad_update(params: Params, grads: Params, memory: Params, lr: float = 0.1,
                   eps: float = 1e-8) -> None:
    """One Adagrad step, in place (Duchi, Hazan and Singer 2011, as in min-char-rnn)::

        G <- G + g**2,   theta <- theta - lr * g / sqrt(G + eps)

    ``memory`` holds G for each parameter (same keys and shapes as ``params``).
    """
    lr = arg.number("lr", lr, positive=True)
    eps = arg.number("eps", eps, positive=True)
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of float NumPy arrays (updated in "
                        f"place), got {params if isinstance(params, dict) else type(params).__name__}.")
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(f"params[{name!r}] must be a float NumPy array (updated in place), "
                            f"got {type(value).__name__}.")
    for what, value in (("grads", grads), ("memory", memory)):
        if not isinstance(value, dict):
            raise TypeError(f"{what} must be a dict with the keys of params: {list(params)}, got "
                            f"{type(value).__name__}.")
        if any(name not in value for name in params):
            raise ValueError(f"{what} must be a dict with the keys of params: {list(params)}.")
    for name in params:
        if not isinstance(memory[name], np.ndarray) or memory[name].dtype.kind != "f":
            raise TypeError(f"memory[{name!r}] must be a float NumPy array (updated in place), "
                            f"got {type(memory[name]).__name__}.")
        if np.shape(grads[name]) != params[name].shape or memory[name].shape != params[name].shape:
            raise ValueError(f"grads[{name!r}] and memory[{name!r}] must have shape "
                             f"{params[name].shape}.")
        memory[name] += grads[name] ** 2
        params[name] -= lr * grads[name] / np.sqrt(memory[name] + eps)


def update(params: Params, grads: Params, memory: Params, lr: float = 0.1) -> None:
    """min-char-rnn's update, in place: every gradient entry clipped to [-5, 5]
    (:func:`clip_gradients`), then one Adagrad step (:func:`adagrad_update`)."""
    adagrad_update(params, clip_gradients(grads), memory, lr=lr)


def sample(params: Params, h: np.ndarray, seed_ix: int, n: int, rng: np.random.Generator,
           temperature: float = 1.0) -> list[int]:
    """Draw ``n`` character ids from the model.

    ``h`` (H,) is the state that has read everything *before* ``seed_ix``; ``seed_ix`` is the
    next input. Each step reads the input, updates the state, and draws the next id with
    ``rng.choice(V, p=softmax(l_t / temperature))``; that id is the next input. A temperature
    below 1 sharpens the distribution (safer, more repetitive text), above 1 flattens it.
    Returns the ``n`` drawn ids as a list of ints (the seed is not part of it).
    """
    V, H = check_params(params)
    h = arg.array("h", h, shape=(H,))
    seed_ix = arg.integer("seed_ix", seed_ix, minimum=0, maximum=V - 1)
    n = arg.integer("n", n, minimum=0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}.")
    temperature = arg.number("temperature", temperature, positive=True)
    x, ids = one_hot(seed_ix, V), []
    for _ in range(n):
        h = np.tanh(params["W_xh"] @ x + params["W_hh"] @ h + params["b_h"])
        p = softmax((params["W_hy"] @ h + params["b_y"]) / temperature)
        ix = int(rng.choice(V, p=p))                 # a random draw, not the most likely id
        x = one_hot(ix, V)
        ids.append(ix)
    return ids


def batch_forward(params: Params, inputs: np.ndarray, h_prev: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Run B sequences at once: ``inputs`` (B, T) ids, ``h_prev`` (B, H).

    Returns (logits (B, T, K), states (B, T + 1, H) with ``states[:, 0] = h_prev``). One row per
    sequence: H_t = tanh(X_t W_xh^T + H_{t-1} W_hh^T + b_h), computed as a column lookup
    ``W_xh[:, ids].T`` since X_t is one-hot.
    """
    V, H = check_params(params)
    inputs = _ids("inputs", inputs, V, ndim=2)
    h_prev = arg.array("h_prev", h_prev, shape=(len(inputs), H))
    hs = _states(params, inputs, h_prev)
    return (hs[1:] @ params["W_hy"].T + params["b_y"]).transpose(1, 0, 2), hs.transpose(1, 0, 2)


def _states(params: Params, inputs: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
    """The states, time first (T + 1, B, H): each step's matrix product on contiguous rows."""
    B, T = inputs.shape
    hs = np.empty((T + 1, B, len(h_prev[0])))
    hs[0] = h_prev
    for t in range(T):
        hs[t + 1] = np.tanh(params["W_xh"][:, inputs[:, t]].T + hs[t] @ params["W_hh"].T
                            + params["b_h"])
    return hs


def batch_loss_and_grads(params: Params, inputs: np.ndarray, targets: np.ndarray,
                         h_prev: np.ndarray) -> tuple[float, Params, np.ndarray]:
    """Forward and backward on a batch of B sequences at once.

    ``inputs`` and ``targets`` are int arrays (B, T); ``h_prev`` is (B, H). The loss is summed
    over time and averaged over the batch, so its scale matches :func:`loss_and_grads`.
    Returns (loss in nats, gradients, last hidden states (B, H)).
    """
    V, H = check_params(params)
    inputs = _ids("inputs", inputs, V, ndim=2)
    targets = _ids("targets", targets, V, ndim=2)
    if targets.shape != inputs.shape:
        raise ValueError(f"targets must have the shape of inputs {inputs.shape}, got "
                         f"{targets.shape}.")
    B, T = inputs.shape
    hs = _states(params, inputs, arg.array("h_prev", h_prev, shape=(B, H)))
    y_hat = softmax(hs[1:] @ params["W_hy"].T + params["b_y"])      # (T, B, K)
    rows = np.arange(B)
    loss = -np.log(y_hat[np.arange(T)[:, None], rows, targets.T]).sum() / B
    grads = {name: np.zeros_like(params[name], dtype=float) for name in PARAM_NAMES}
    delta_next = np.zeros((B, H))
    for t in reversed(range(T)):
        d_logits = y_hat[t].copy()
        d_logits[rows, targets[:, t]] -= 1.0
        d_logits /= B
        grads["W_hy"] += d_logits.T @ hs[t + 1]
        grads["b_y"] += d_logits.sum(axis=0)
        delta = (1.0 - hs[t + 1] ** 2) * (d_logits @ params["W_hy"] + delta_next @ params["W_hh"])
        grads["b_h"] += delta.sum(axis=0)
        np.add.at(grads["W_xh"].T, inputs[:, t], delta)  # one-hot x_t: add to column x_t
        grads["W_hh"] += delta.T @ hs[t]
        delta_next = delta
    return float(loss), grads, hs[-1].copy()


def bits_per_char(model: Params | nn.Module, ids: np.ndarray, streams: int = 64,
                  chunk: int = 250) -> float:
    """Mean cross-entropy in bits per character of a model on the text ``ids``.

    ``model`` is a NumPy parameter dict or a PyTorch module whose ``forward(x, h)`` returns
    (logits, h). The text is read as ``streams`` contiguous streams in parallel, each from a
    zero state, carrying the state from one chunk of ``chunk`` characters to the next; the same
    characters are scored for both kinds of model.
    """
    ids = arg.array("ids", ids, ndim=1, kind="int")
    streams = arg.integer("streams", streams)
    chunk = arg.integer("chunk", chunk)
    if len(ids) < 2 * streams:
        raise ValueError(f"ids must have at least 2 * streams = {2 * streams} elements, got "
                         f"{len(ids)}.")
    per_row = (len(ids) - 1) // streams
    x = ids[:per_row * streams].reshape(streams, per_row)
    y = ids[1:per_row * streams + 1].reshape(streams, per_row)
    if isinstance(model, nn.Module):
        head = getattr(model, "head", None)
        if isinstance(head, nn.Linear):
            _ids("ids", ids, head.out_features)
        elif ids.min() < 0:
            raise ValueError(f"ids must hold character ids >= 0, got {int(ids.min())}.")
        return _module_bits(model, x, y, chunk)
    V, H = check_params(model)
    _ids("ids", ids, V)
    h, nats = np.zeros((streams, H)), 0.0
    for start in range(0, per_row, chunk):
        hs = _states(model, x[:, start:start + chunk], h)
        h = hs[-1]
        logits = (hs[1:] @ model["W_hy"].T + model["b_y"]).transpose(1, 0, 2)
        log_p = logits - logits.max(axis=-1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=-1, keepdims=True))
        part = y[:, start:start + chunk]
        nats -= np.take_along_axis(log_p, part[..., None], axis=-1).sum()
    return float(nats / (per_row * streams) / np.log(2))


def _module_bits(model: nn.Module, x: np.ndarray, y: np.ndarray, chunk: int) -> float:
    device = next(model.parameters()).device
    was_training, nats, h = model.training, 0.0, None
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, x.shape[1], chunk):
                xs = torch.from_numpy(x[:, start:start + chunk]).to(device)
                ys = torch.from_numpy(y[:, start:start + chunk]).to(device)
                logits, h = model(xs, h)
                nats += nn.functional.cross_entropy(logits.flatten(0, 1), ys.flatten(),
                                                    reduction="sum").item()
    finally:
        model.train(was_training)
    return nats / y.size / float(np.log(2))


def _ids(name: str, ids, vocab_size: int, ndim: int = 1) -> np.ndarray:
    ids = arg.array(name, ids, ndim=ndim, kind="int")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} must hold character ids from 0 to {vocab_size - 1}, got "
                         f"values from {int(ids.min())} to {int(ids.max())}.")
    return ids


# --- PyTorch: the same model --------------------------------------------------------------------
class CharRNN(nn.Module):
    """min-char-rnn's model in PyTorch: one-hot inputs, a tanh ``nn.RNN`` and a linear head.

    ``forward(x, h=None)`` takes ids ``x`` (B, T) (int64) and the state ``h`` (1, B, H) or None
    (zeros), and returns (logits (B, T, K), h_n (1, B, H)). ``nn.RNN`` adds two biases,
    ``bias_ih_l0 + bias_hh_l0``, where the NumPy model has one, b_h: ``bias_hh_l0`` is kept at
    zero and frozen, so that the two models have the same parameters and train alike.
    """

    def __init__(self, vocab_size: int, hidden_size: int = 100):
        super().__init__()
        V = arg.integer("vocab_size", vocab_size)
        H = arg.integer("hidden_size", hidden_size)
        self.rnn = nn.RNN(V, H, batch_first=True)
        self.head = nn.Linear(H, V)
        with torch.no_grad():
            self.rnn.bias_hh_l0.zero_()
        self.rnn.bias_hh_l0.requires_grad_(False)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = nn.functional.one_hot(x, self.head.out_features).to(self.head.weight.dtype)
        out, h = self.rnn(inputs, h)
        return self.head(out), h


def load_params(model: nn.Module, params: Params) -> nn.Module:
    """Copy NumPy parameters into a :class:`CharRNN`-like ``model`` (its ``rnn`` and ``head``),
    keeping each tensor's dtype; ``bias_hh_l0`` becomes zero. Returns ``model``."""
    V, H = check_params(params)
    rnn, head = _layers(model)
    expected = {"rnn.weight_ih_l0": (H, V), "rnn.weight_hh_l0": (H, H), "head.weight": (V, H)}
    got = {"rnn.weight_ih_l0": tuple(rnn.weight_ih_l0.shape),
           "rnn.weight_hh_l0": tuple(rnn.weight_hh_l0.shape), "head.weight": tuple(head.weight.shape)}
    for name, shape in expected.items():
        if got[name] != shape:
            raise ValueError(f"model.{name} has shape {got[name]}, but params need {shape} "
                             f"(V = {V}, H = {H}).")
    pairs = [(rnn.weight_ih_l0, "W_xh"), (rnn.weight_hh_l0, "W_hh"), (rnn.bias_ih_l0, "b_h"),
             (head.weight, "W_hy"), (head.bias, "b_y")]
    with torch.no_grad():
        for tensor, name in pairs:
            tensor.copy_(torch.from_numpy(params[name]))
        rnn.bias_hh_l0.zero_()
    return model


def params_from_model(model: nn.Module) -> Params:
    """The NumPy parameters of a :class:`CharRNN`-like ``model`` (float64 copies);
    b_h = bias_ih_l0 + bias_hh_l0."""
    rnn, head = _layers(model)
    numpy = lambda t: t.detach().cpu().double().numpy().copy()  # noqa: E731
    return {"W_xh": numpy(rnn.weight_ih_l0), "W_hh": numpy(rnn.weight_hh_l0),
            "b_h": numpy(rnn.bias_ih_l0) + numpy(rnn.bias_hh_l0),
            "W_hy": numpy(head.weight), "b_y": numpy(head.bias)}


def _layers(model: nn.Module) -> tuple[nn.RNN, nn.Linear]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}.")
    rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
    if not isinstance(rnn, nn.RNN) or not isinstance(head, nn.Linear):
        raise ValueError("model must hold its recurrent layer as `model.rnn` (an nn.RNN) and "
                         "its head as `model.head` (an nn.Linear), as CharRNN does.")
    return rnn, head


def hidden_states(model: nn.Module, ids: np.ndarray | torch.Tensor) -> np.ndarray:
    """The states h_1 ... h_T (T, H) of a :class:`CharRNN`-like model reading ``ids`` (T,)
    from a zero state, as a NumPy array (no gradient; the model's mode is left unchanged)."""
    rnn, head = _layers(model)
    ids = torch.as_tensor(_ids("ids", ids, head.out_features))
    with torch.no_grad():
        inputs = nn.functional.one_hot(ids[None], head.out_features).to(head.weight.dtype)
        out, _ = rnn(inputs.to(head.weight.device))
    return out[0].cpu().double().numpy()


class Adagrad(torch.optim.Optimizer):
    """min-char-rnn's Adagrad: G <- G + g**2, theta <- theta - lr * g / sqrt(G + eps).

    ``torch.optim.Adagrad`` adds eps outside the square root, g / (sqrt(G) + eps), which takes
    other steps for tiny gradients; this one computes exactly :func:`adagrad_update`.
    """

    def __init__(self, params: Iterable[torch.Tensor], lr: float = 0.1, eps: float = 1e-8):
        super().__init__(params, {"lr": arg.number("lr", lr, positive=True),
                                  "eps": arg.number("eps", eps, positive=True)})

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None):  # noqa: D102
        loss = None if closure is None else closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                memory = self.state[p].setdefault("sum", torch.zeros_like(p))
                memory.add_(p.grad ** 2)
                p.sub_(group["lr"] * p.grad / torch.sqrt(memory + group["eps"]))
        return loss


def chunk_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """min-char-rnn's loss for a batch: cross-entropy summed over time, averaged over the batch
    (nats). ``logits`` (B, T, K) floats, ``targets`` (B, T) int64 ids below K.

    Raises ``TypeError`` for a non-tensor or a wrong dtype, ``ValueError`` for an empty or
    mismatched shape or an id outside 0 ... K - 1."""
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError(f"logits must be a (B, T, K) float tensor, got "
                        f"{_type_name(logits)}.")
    if logits.ndim != 3 or logits.numel() == 0:
        raise ValueError(f"logits must be a non-empty (B, T, K) float tensor, got shape "
                         f"{tuple(logits.shape)}.")
    if not isinstance(targets, torch.Tensor) or targets.dtype != torch.long:
        raise TypeError(f"targets must be an int64 tensor of shape {tuple(logits.shape[:2])}, "
                        f"got {_type_name(targets)}.")
    if tuple(targets.shape) != tuple(logits.shape[:2]):
        raise ValueError(f"targets must be a tensor of shape {tuple(logits.shape[:2])}, got "
                         f"{tuple(targets.shape)}.")
    if targets.min() < 0 or targets.max() >= logits.shape[2]:
        raise ValueError(f"targets must hold character ids from 0 to {logits.shape[2] - 1}, got "
                         f"values from {int(targets.min())} to {int(targets.max())}.")
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(),
                                       reduction="sum") / len(logits)


def _type_name(value) -> str:
    return f"dtype {value.dtype}" if isinstance(value, torch.Tensor) else type(value).__name__


def train_tbptt(model: nn.Module, chunks: Iterable[tuple[torch.Tensor, torch.Tensor]],
                optimizer: torch.optim.Optimizer, clip_value: float = 5.0) -> list[float]:
    """Truncated BPTT over consecutive chunks: one update a chunk; return each chunk's loss.

    ``chunks`` yields (x, y), each (B, k) ids, row b of a chunk continuing row b of the one
    before (:func:`course_utils.text.stream_batches`). The state is carried from chunk to chunk
    and detached at each boundary; each update uses only its own chunk's gradient (reset
    before ``backward``), every gradient entry clipped to [-clip_value, clip_value]. The loss
    is :func:`chunk_loss`. Returns the losses (floats, nats per sequence of k characters).
    Raises ``TypeError`` for a model, optimizer or chunk of the wrong type, ``ValueError`` for
    chunks of mismatched or empty shapes, or no chunks at all.
    """
    clip_value = arg.number("clip_value", clip_value, positive=True)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}.")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got "
                        f"{type(optimizer).__name__}.")
    if not isinstance(chunks, Iterable) or isinstance(chunks, (str, torch.Tensor, np.ndarray)):
        raise TypeError(f"chunks must be an iterable of (x, y) pairs of (B, k) id tensors, got "
                        f"{type(chunks).__name__}.")
    parameters = [p for p in model.parameters() if p.requires_grad]
    losses, h = [], None
    for i, pair in enumerate(chunks):
        x, y = _chunk(i, pair)
        if h is not None:
            h = h.detach()                           # keep the value, cut the graph
        logits, h = model(x, h)
        loss = chunk_loss(logits, y)
        optimizer.zero_grad()                        # this chunk's gradient only
        loss.backward()
        nn.utils.clip_grad_value_(parameters, clip_value)
        optimizer.step()
        losses.append(loss.item())
    if not losses:
        raise ValueError("chunks must yield at least one (x, y) pair, got none.")
    return losses


def _chunk(i: int, pair) -> tuple[torch.Tensor, torch.Tensor]:
    """Chunk ``i`` of :func:`train_tbptt`: x and y, int64 tensors (B, k) of one shape."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(
            isinstance(t, torch.Tensor) and t.dtype == torch.long for t in pair):
        raise TypeError(f"chunk {i} must be a pair (x, y) of int64 tensors (B, k), got "
                        f"{type(pair).__name__}"
                        + (f" of {[_type_name(t) for t in pair]}" if isinstance(pair, (tuple, list))
                           else "") + ".")
    x, y = pair
    if x.ndim != 2 or x.shape != y.shape or x.numel() == 0:
        raise ValueError(f"chunk {i} must be a pair (x, y) of non-empty (B, k) id tensors of "
                         f"one shape, got shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    return x, y


# --- sampling widget ----------------------------------------------------------------------------
def sampling_widget(generate, seed_text: str = "The ", temperature: float = 0.8):
    """An ipywidgets 7 widget to draw samples: a temperature slider, a seed-text box and a
    "draw again" button. ``generate(seed_text, temperature, seed)`` returns the text to show.
    """
    import html

    import ipywidgets as widgets

    if not callable(generate):
        raise TypeError(f"generate must be a function (seed_text, temperature, seed) -> str, "
                        f"got {type(generate).__name__}.")
    if not isinstance(seed_text, str):
        raise TypeError(f"seed_text must be a str, got {type(seed_text).__name__}.")
    temperature = arg.number("temperature", temperature, minimum=0.05, maximum=3.0)
    slider = widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05,
                                 description="temperature", continuous_update=False)
    box = widgets.Text(value=seed_text, description="seed text")
    button = widgets.Button(description="draw again")
    shown = widgets.HTML()
    draw = {"seed": 0}

    def redraw(*_):
        if not box.value:          # a model cannot continue a text of length 0
            shown.value = ("<b style='color:#b00'>the seed text is empty: type at least one "
                           "character for the model to read first.</b>")
            return
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
