"""A vanilla RNN in NumPy: the reference implementation behind Lab 01's checks.

The network reads a sequence one step at a time and emits one output per step::

    h_t   = sigmoid(x_t @ W_xh + h_{t-1} @ W_hh + b_h)      (N, H)
    yhat_t = sigmoid(h_t @ W_hy + b_y)                       (N, O)

Shapes (time-major, row vectors, so a mini-batch is just more rows):

    X      (T, N, D)   T time steps, N sequences, D input features
    h0     (N, H)      the state before the first step (zeros for a fresh sequence)
    W_xh   (D, H)      input -> hidden
    W_hh   (H, H)      hidden -> hidden (the recurrence)
    b_h    (H,)        hidden bias
    W_hy   (H, O)      hidden -> output
    b_y    (O,)        output bias
    hs     (T, N, H)   the states h_1 .. h_T (h0 is not included)
    ys     (T, N, O)   the outputs yhat_1 .. yhat_T, probabilities in (0, 1)
    Y      (T, N, O)   the targets, 0 or 1

The loss is binary cross-entropy summed over the time steps and averaged over the
sequences of the batch. With a sigmoid output its gradient with respect to the output
pre-activation z_t = h_t @ W_hy + b_y is simply (yhat_t - y_t) / N.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
_EPS_LOG = 1e-12


def _array(name: str, value, ndim: int) -> np.ndarray:
    """Return ``value`` as a float array with ``ndim`` dimensions, or raise naming ``name``."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise TypeError(f"{name} must be a NumPy array with {ndim} dimension(s), "
                        f"got {type(value).__name__}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric NumPy array, got {type(value).__name__}.") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}.")
    return array


def _size(name: str, value, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_params(params) -> dict[str, np.ndarray]:
    """Validate a parameter dict and return it; raise ValueError/TypeError naming what is wrong.

    ``params`` must hold the five arrays of :data:`PARAM_NAMES` with shapes W_xh (D, H),
    W_hh (H, H), b_h (H,), W_hy (H, O) and b_y (O,).
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {', '.join(PARAM_NAMES)}, "
                        f"got {type(params).__name__}.")
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}; expected keys "
                         f"{', '.join(PARAM_NAMES)}.")
    W_xh = _array("params['W_xh']", params["W_xh"], 2)
    hidden = W_xh.shape[1]
    W_hy = _array("params['W_hy']", params["W_hy"], 2)
    expected = {"W_hh": (hidden, hidden), "b_h": (hidden,), "W_hy": (hidden, W_hy.shape[1]),
                "b_y": (W_hy.shape[1],)}
    for name, shape in expected.items():
        actual = np.shape(params[name])
        if tuple(actual) != shape:
            raise ValueError(f"params['{name}'] must have shape {shape} (from W_xh {W_xh.shape} "
                             f"and W_hy {W_hy.shape}), got {tuple(actual)}.")
    return params


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise; any shape in, same shape out."""
    if isinstance(z, (str, bytes)) or z is None:
        raise TypeError(f"z must be a number or a numeric array, got {type(z).__name__}.")
    z = np.asarray(z, dtype=float)
    # exp of a large positive number overflows; clip where the result is 0 or 1 anyway
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))


def init_params(input_size: int = 2, hidden_size: int = 16, output_size: int = 1,
                seed: int | np.random.Generator = 0, scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random weights drawn uniformly from [-scale, scale] and zero biases.

    Returns a dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, O), b_y (O,), where
    D = input_size, H = hidden_size, O = output_size. ``seed`` is an integer or a NumPy
    ``Generator``.
    """
    D = _size("input_size", input_size)
    H = _size("hidden_size", hidden_size)
    O = _size("output_size", output_size)
    rng = _rng(seed)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}.")
    return {
        "W_xh": rng.uniform(-scale, scale, (D, H)),
        "W_hh": rng.uniform(-scale, scale, (H, H)),
        "b_h": np.zeros(H),
        "W_hy": rng.uniform(-scale, scale, (H, O)),
        "b_y": np.zeros(O),
    }


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}.")
    return np.random.default_rng(int(seed))


def rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> np.ndarray:
    """One step of the recurrence: h_t = sigmoid(x_t @ W_xh + h_prev @ W_hh + b_h).

    x_t (N, D), h_prev (N, H), W_xh (D, H), W_hh (H, H), b_h (H,)  ->  h_t (N, H).
    """
    x_t = _array("x_t", x_t, 2)
    h_prev = _array("h_prev", h_prev, 2)
    W_xh = _array("W_xh", W_xh, 2)
    W_hh = _array("W_hh", W_hh, 2)
    b_h = _array("b_h", b_h, 1)
    N, D = x_t.shape
    H = W_hh.shape[0]
    if W_hh.shape != (H, H):
        raise ValueError(f"W_hh must be square (H, H), got shape {W_hh.shape}.")
    if W_xh.shape != (D, H):
        raise ValueError(f"W_xh must have shape (D, H) = {(D, H)}, got {W_xh.shape}.")
    if h_prev.shape != (N, H):
        raise ValueError(f"h_prev must have shape (N, H) = {(N, H)}, got {h_prev.shape}.")
    if b_h.shape != (H,):
        raise ValueError(f"b_h must have shape (H,) = {(H,)}, got {b_h.shape}.")
    return sigmoid(x_t @ W_xh + h_prev @ W_hh + b_h)


def rnn_forward(X, h0, params) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN over a whole sequence.

    X (T, N, D), h0 (N, H), params as in :func:`init_params`
    ->  hs (T, N, H) the states h_1..h_T, ys (T, N, O) the outputs yhat_1..yhat_T.
    """
    check_params(params)
    X = _array("X", X, 3)
    h0 = _array("h0", h0, 2)
    T, N, D = X.shape
    H = params["W_hh"].shape[0]
    if params["W_xh"].shape[0] != D:
        raise ValueError(f"X has D = {D} features but params['W_xh'] expects "
                         f"{params['W_xh'].shape[0]}.")
    if h0.shape != (N, H):
        raise ValueError(f"h0 must have shape (N, H) = {(N, H)}, got {h0.shape}.")
    hs = np.empty((T, N, H))
    ys = np.empty((T, N, params["W_hy"].shape[1]))
    h = h0
    for t in range(T):
        h = rnn_step(X[t], h, params["W_xh"], params["W_hh"], params["b_h"])
        hs[t] = h
        ys[t] = sigmoid(h @ params["W_hy"] + params["b_y"])
    return hs, ys


def bce_loss(ys, Y) -> float:
    """Binary cross-entropy, summed over time steps and outputs, averaged over the batch.

    ys (T, N, O) predicted probabilities, Y (T, N, O) targets in {0, 1}  ->  a float:
    L = -(1/N) sum_{t, n, o} [Y log ys + (1 - Y) log(1 - ys)].
    """
    ys = _array("ys", ys, 3)
    Y = _array("Y", Y, 3)
    if ys.shape != Y.shape:
        raise ValueError(f"ys and Y must have the same shape, got ys {ys.shape} and Y {Y.shape}.")
    p = np.clip(ys, _EPS_LOG, 1.0 - _EPS_LOG)
    return float(-np.sum(Y * np.log(p) + (1.0 - Y) * np.log(1.0 - p)) / Y.shape[1])


def rnn_backward(X, Y, h0, hs, ys, params) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`bce_loss` of :func:`rnn_forward`'s outputs.

    X (T, N, D), Y (T, N, O), h0 (N, H), hs (T, N, H), ys (T, N, O) from the forward pass
    ->  a dict with the gradient of the loss for every parameter, each shaped like it:
    W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, O), b_y (O,).
    """
    check_params(params)
    X, Y, hs, ys = (_array(n, v, 3) for n, v in (("X", X), ("Y", Y), ("hs", hs), ("ys", ys)))
    h0 = _array("h0", h0, 2)
    T, N, _ = X.shape
    if hs.shape[:2] != (T, N) or ys.shape != Y.shape or Y.shape[:2] != (T, N):
        raise ValueError(f"X {X.shape}, Y {Y.shape}, hs {hs.shape} and ys {ys.shape} must "
                         "agree on the first two dimensions (T, N).")
    if h0.shape != hs.shape[1:]:
        raise ValueError(f"h0 must have shape (N, H) = {hs.shape[1:]}, got {h0.shape}.")
    return _backward(X, Y, h0, hs, ys, params)


def _backward(X, Y, h0, hs, ys, params, *, carry=True, hidden_derivative=True,
              output_derivative=False, accumulate="all", previous_state=True,
              initial_state=True, batch_mean=True) -> dict[str, np.ndarray]:
    """BPTT, with switches that reproduce the common mistakes (the checks use them as hints).

    carry=False: the gradient does not flow from step t+1 back to step t.
    hidden_derivative=False: the sigmoid derivative of the hidden units is left out.
    output_derivative=True: the output delta is also multiplied by yhat (1 - yhat).
    accumulate="first"/"last": only step 0 / step T-1 contributes to the weight gradients.
    previous_state=False: dW_hh uses h_t instead of h_{t-1}.
    initial_state=False: dW_hh takes the state before step 0 as zeros instead of h0.
    batch_mean=False: the 1/N of the loss is forgotten.
    """
    T, N, _ = X.shape
    grads = {name: np.zeros_like(params[name], dtype=float) for name in PARAM_NAMES}
    dh_next = np.zeros_like(h0, dtype=float)               # dL/dh_t arriving from step t+1
    for t in reversed(range(T)):
        h_prev = (h0 if initial_state else np.zeros_like(h0)) if t == 0 else hs[t - 1]
        dz_y = ys[t] - Y[t]                                # dL/dz_y for sigmoid + BCE, (N, O)
        if output_derivative:
            dz_y = dz_y * ys[t] * (1.0 - ys[t])
        if batch_mean:
            dz_y = dz_y / N
        dh = dz_y @ params["W_hy"].T + (dh_next if carry else 0.0)   # (N, H)
        dz_h = dh * hs[t] * (1.0 - hs[t]) if hidden_derivative else dh
        contributes = accumulate == "all" or (accumulate == "first" and t == 0) or (
            accumulate == "last" and t == T - 1)
        if contributes:
            grads["W_hy"] += hs[t].T @ dz_y
            grads["b_y"] += dz_y.sum(axis=0)
            grads["W_xh"] += X[t].T @ dz_h
            grads["W_hh"] += (h_prev if previous_state else hs[t]).T @ dz_h
            grads["b_h"] += dz_h.sum(axis=0)
        dh_next = dz_h @ params["W_hh"].T
    return grads


def loss_and_grads(X, Y, params, h0=None) -> tuple[float, dict[str, np.ndarray]]:
    """Forward pass, loss and BPTT in one call: X (T, N, D), Y (T, N, O) -> (loss, grads).

    ``h0`` (N, H) defaults to zeros.
    """
    check_params(params)
    X = _array("X", X, 3)
    if h0 is None:
        h0 = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    hs, ys = rnn_forward(X, h0, params)
    return bce_loss(ys, Y), rnn_backward(X, Y, h0, hs, ys, params)


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-5) -> np.ndarray:
    """Central-difference estimate of the gradient of a scalar function ``f`` at ``x``.

    grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every index i of x.
    x is any float array (it is not modified); the result has x's shape. The error of the
    estimate shrinks like eps**2 (a one-sided difference: like eps).
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one array returning a float, got {type(f).__name__}.")
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"x must be a numeric NumPy array, got {type(x).__name__}.")
    x = np.array(x, dtype=float)                           # a copy: the caller's x stays as it is
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}.")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b) -> float:
    """||a - b|| / (||a|| + ||b||), Euclidean norms over all entries: 0 when a == b, 1 at worst.

    Gradient checks compare this with a threshold (about 1e-7 is good for float64 central
    differences). Two all-zero arrays give 0.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}.")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def sgd_step(params, grads, lr: float) -> None:
    """Plain gradient descent in place: params[name] -= lr * grads[name] for every parameter."""
    check_params(params)
    if not isinstance(grads, dict) or any(name not in grads for name in PARAM_NAMES):
        raise ValueError(f"grads must be a dict with keys {', '.join(PARAM_NAMES)}.")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}.")
    for name in PARAM_NAMES:
        params[name] -= lr * grads[name]


def bits_correct(ys, Y) -> np.ndarray:
    """Per sequence: are all its outputs right once rounded at 0.5? ys, Y (T, N, O) -> (N,) bool."""
    ys = _array("ys", ys, 3)
    Y = _array("Y", Y, 3)
    if ys.shape != Y.shape:
        raise ValueError(f"ys and Y must have the same shape, got ys {ys.shape} and Y {Y.shape}.")
    return np.all((ys > 0.5) == (Y > 0.5), axis=(0, 2))
