"""A vanilla RNN in NumPy with backpropagation through time by hand: the reference of lab 01.

Shapes follow NOTATION.md, which follows PyTorch: a weight is stored as ``nn.RNN`` stores it
(``W_xh`` maps x to h and has shape (H, D)), and a mini-batch holds one sequence per **row**,
so the weights are transposed on the right. One step, for B sequences at once::

    H_t    = sigmoid(X_t @ W_xh.T + H_{t-1} @ W_hh.T + b_h)        (B, H)
    Yhat_t = sigmoid(H_t @ W_hy.T + b_y)                            (B, K)

which is, for one sequence written as a column, h_t = sigma(W_xh x_t + W_hh h_{t-1} + b_h)
and yhat_t = sigma(l_t) with the logits l_t = W_hy h_t + b_y. The hidden units use the
logistic sigmoid here (NOTATION.md's phi, "tanh unless stated": this module states it).

Sequences are time-major, as ``nn.RNN`` with ``batch_first=False``:

    X      (T, B, D)   T steps of B sequences of D inputs
    h0     (B, H)      the state before the first step (zeros for a fresh sequence)
    W_xh   (H, D)      input to hidden          (PyTorch: weight_ih_l0)
    W_hh   (H, H)      hidden to hidden         (PyTorch: weight_hh_l0)
    b_h    (H,)        hidden bias              (PyTorch: bias_ih_l0 + bias_hh_l0)
    W_hy   (K, H)      hidden to output         (PyTorch: nn.Linear(H, K).weight)
    b_y    (K,)        output bias              (PyTorch: nn.Linear(H, K).bias)
    hs     (T, B, H)   the states h_1 .. h_T (h0 is not included)
    ys     (T, B, K)   the outputs yhat_1 .. yhat_T, probabilities in (0, 1)
    Y      (T, B, K)   the targets, 0 or 1

The loss is the binary cross-entropy summed over the steps and outputs and averaged over the
B sequences. With a sigmoid output its gradient at the logits is (yhat_t - y_t) / B, the
two-class form of Goodfellow, Bengio and Courville (2016), *Deep Learning*, eq. 10.18 (the
softmax case); the backward pass is their section 10.2.2, "Computing the gradient in a
recurrent neural network", with sigmoid hidden units where they use tanh.

Every public function checks its arguments and raises TypeError or ValueError naming the
argument and the value it expects.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from course_utils._arrays import float_array as _array
from course_utils.gradients import relative_error  # noqa: F401  re-exported: lab 01 calls numpy_rnn.relative_error

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
PARAM_SHAPES = {"W_xh": "(H, D)", "W_hh": "(H, H)", "b_h": "(H,)", "W_hy": "(K, H)",
                "b_y": "(K,)"}
_EPS_LOG = 1e-12


# --------------------------------------------------------------------------- argument checks
def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 1, got {type(value).__name__} {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def _positive_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}.")
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a non-negative integer or a numpy Generator, got "
                        f"{type(seed).__name__} {seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}.")
    return np.random.default_rng(int(seed))


def _same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {name_a} "
                         f"{a.shape} and {name_b} {b.shape}.")


def _keyed(name: str, value: Any) -> dict:
    """``value`` if it is a dict holding every name of :data:`PARAM_NAMES`, else raise."""
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict with keys {', '.join(PARAM_NAMES)}, "
                        f"got {type(value).__name__}.")
    missing = [key for key in PARAM_NAMES if key not in value]
    if missing:
        raise ValueError(f"{name} is missing {', '.join(missing)}; expected keys "
                         f"{', '.join(PARAM_NAMES)}.")
    return value


def check_params(params: Any) -> dict[str, np.ndarray]:
    """Validate a parameter dict and return it unchanged; raise naming what is wrong.

    ``params`` must hold the five arrays of :data:`PARAM_NAMES` with PyTorch's shapes:
    W_xh (H, D), W_hh (H, H), b_h (H,), W_hy (K, H), b_y (K,). A weight stored the other
    way round, as (D, H), is named as transposed.
    """
    _keyed("params", params)
    arrays = {name: _array(f"params['{name}']", params[name], PARAM_SHAPES[name])
              for name in PARAM_NAMES}
    H, D = arrays["W_xh"].shape
    rows, columns = arrays["W_hy"].shape
    K = columns if columns != H and rows == H else rows      # K from W_hy, even if transposed
    expected = {"W_hh": (H, H), "b_h": (H,), "W_hy": (K, H), "b_y": (K,)}
    for name, shape in expected.items():
        actual = arrays[name].shape
        if actual != shape:
            turned = (" It looks transposed: weights are stored as PyTorch stores them, "
                      f"{name} {PARAM_SHAPES[name]}." if actual == shape[::-1] else "")
            raise ValueError(f"params['{name}'] must have shape {PARAM_SHAPES[name]} = {shape} "
                             f"(H = {H} from params['W_xh'] {(H, D)}, K = {K} from "
                             f"params['W_hy']), got {actual}.{turned}")
    return params


def _sizes(params: dict[str, np.ndarray]) -> tuple[int, int, int]:
    """(D, H, K) of a checked parameter dict."""
    H, D = np.shape(params["W_xh"])
    return D, H, np.shape(params["W_hy"])[0]


# --------------------------------------------------------------------------- the model
def sigmoid(z: Any) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), elementwise: any shape in, same shape out.

    An empty array gives an empty array. Raises TypeError for text or None.
    """
    if z is None or isinstance(z, (str, bytes, dict, set)):
        raise TypeError(f"z must be a number or an array of numbers, got {type(z).__name__}.")
    try:
        z = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"z must be a number or an array of numbers, got "
                        f"{type(z).__name__}.") from None
    # exp of a large positive number overflows; clip where the result is 0 or 1 anyway
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))


def init_params(input_size: int = 2, hidden_size: int = 16, output_size: int = 1,
                seed: int | np.random.Generator = 0, scale: float = 1.0) -> dict[str, np.ndarray]:
    """Weights drawn uniformly from [-scale, scale], zero biases, in PyTorch's shapes.

    Returns W_xh (H, D), W_hh (H, H), b_h (H,), W_hy (K, H), b_y (K,) with D = input_size,
    H = hidden_size, K = output_size. ``seed`` is an integer or a NumPy ``Generator``.
    """
    D = _positive_int("input_size", input_size)
    H = _positive_int("hidden_size", hidden_size)
    K = _positive_int("output_size", output_size)
    scale = _positive_number("scale", scale)
    rng = _rng(seed)
    return {
        "W_xh": rng.uniform(-scale, scale, (H, D)),
        "W_hh": rng.uniform(-scale, scale, (H, H)),
        "b_h": np.zeros(H),
        "W_hy": rng.uniform(-scale, scale, (K, H)),
        "b_y": np.zeros(K),
    }


def rnn_step(x_t: Any, h_prev: Any, W_xh: Any, W_hh: Any, b_h: Any) -> np.ndarray:
    """One step for a batch: H_t = sigmoid(X_t @ W_xh.T + H_{t-1} @ W_hh.T + b_h).

    x_t (B, D), h_prev (B, H), W_xh (H, D), W_hh (H, H), b_h (H,)  ->  h_t (B, H).
    """
    x_t = _array("x_t", x_t, "(B, D)")
    h_prev = _array("h_prev", h_prev, "(B, H)")
    W_xh = _array("W_xh", W_xh, "(H, D)")
    W_hh = _array("W_hh", W_hh, "(H, H)")
    b_h = _array("b_h", b_h, "(H,)")
    B, D = x_t.shape
    H = W_hh.shape[0]
    if W_hh.shape != (H, H):
        raise ValueError(f"W_hh must be square, (H, H), got shape {W_hh.shape}.")
    if W_xh.shape != (H, D):
        turned = " It looks transposed: W_xh is (H, D), as PyTorch stores it." \
            if W_xh.shape == (D, H) else ""
        raise ValueError(f"W_xh must have shape (H, D) = {(H, D)} (H from W_hh, D from x_t), "
                         f"got {W_xh.shape}.{turned}")
    if h_prev.shape != (B, H):
        raise ValueError(f"h_prev must have shape (B, H) = {(B, H)}, got {h_prev.shape}.")
    if b_h.shape != (H,):
        raise ValueError(f"b_h must have shape (H,) = {(H,)}, got {b_h.shape}.")
    return sigmoid(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)


def rnn_forward(X: Any, h0: Any, params: Any) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN over a whole batch of sequences.

    X (T, B, D), h0 (B, H), params as in :func:`init_params`
    ->  hs (T, B, H) the states h_1..h_T, ys (T, B, K) the outputs yhat_1..yhat_T.
    """
    check_params(params)
    X = _array("X", X, "(T, B, D)")
    h0 = _array("h0", h0, "(B, H)")
    T, B, D = X.shape
    D_params, H, K = _sizes(params)
    if D != D_params:
        raise ValueError(f"X has D = {D} inputs per step but params['W_xh'] (H, D) = "
                         f"{np.shape(params['W_xh'])} expects D = {D_params}.")
    if h0.shape != (B, H):
        raise ValueError(f"h0 must have shape (B, H) = {(B, H)}, got {h0.shape}.")
    W_hy, b_y = np.asarray(params["W_hy"], dtype=float), np.asarray(params["b_y"], dtype=float)
    hs, ys = np.empty((T, B, H)), np.empty((T, B, K))
    h = h0
    for t in range(T):
        h = rnn_step(X[t], h, params["W_xh"], params["W_hh"], params["b_h"])
        hs[t] = h
        ys[t] = sigmoid(h @ W_hy.T + b_y)
    return hs, ys


def bce_loss(ys: Any, Y: Any) -> float:
    """Binary cross-entropy, summed over the steps and outputs, averaged over the batch.

    ys (T, B, K) predicted probabilities, Y (T, B, K) targets in [0, 1]  ->  a float:
    L = -(1/B) sum_{t, b, k} [Y log ys + (1 - Y) log(1 - ys)].
    """
    ys = _array("ys", ys, "(T, B, K)")
    Y = _array("Y", Y, "(T, B, K)")
    _same_shape("ys", ys, "Y", Y)
    for name, value in (("ys", ys), ("Y", Y)):
        if not np.all((value >= 0) & (value <= 1)):
            raise ValueError(f"{name} must hold probabilities in [0, 1], got values from "
                             f"{np.nanmin(value):.3g} to {np.nanmax(value):.3g}.")
    p = np.clip(ys, _EPS_LOG, 1.0 - _EPS_LOG)
    return float(-np.sum(Y * np.log(p) + (1.0 - Y) * np.log(1.0 - p)) / Y.shape[1])


def rnn_backward(X: Any, Y: Any, h0: Any, hs: Any, ys: Any, params: Any) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`bce_loss` of :func:`rnn_forward`'s outputs.

    X (T, B, D), Y (T, B, K), h0 (B, H), hs (T, B, H), ys (T, B, K) from the forward pass
    ->  the gradient of the loss for every parameter, each shaped like it:
    W_xh (H, D), W_hh (H, H), b_h (H,), W_hy (K, H), b_y (K,).
    """
    check_params(params)
    X = _array("X", X, "(T, B, D)")
    Y = _array("Y", Y, "(T, B, K)")
    hs = _array("hs", hs, "(T, B, H)")
    ys = _array("ys", ys, "(T, B, K)")
    h0 = _array("h0", h0, "(B, H)")
    D, H, K = _sizes(params)
    T, B, _ = X.shape
    for name, value, shape in (("X", X, (T, B, D)), ("Y", Y, (T, B, K)), ("hs", hs, (T, B, H)),
                               ("ys", ys, (T, B, K)), ("h0", h0, (B, H))):
        if value.shape != shape:
            raise ValueError(f"{name} must have shape {shape} (T = {T}, B = {B} from X, D, H, K "
                             f"from params), got {value.shape}.")
    return _backward(X, Y, h0, hs, ys, params)


def _backward(X, Y, h0, hs, ys, params, *, carry=True, hidden_derivative="sigmoid",
              output_derivative=False, accumulate="all", previous_state=True,
              initial_state="h0", batch_mean=True, carry_before_derivative=False,
              carry_transposed=False, order="backward") -> dict[str, np.ndarray]:
    """BPTT, with switches that reproduce the common mistakes (the checks use them as hints).

    Array indices count from 0: index i holds step t = i + 1.
    carry=False: the gradient does not flow from step t+1 back to step t.
    hidden_derivative: "sigmoid" (right); None: left out; "tanh": 1 - h_t**2; "ys": taken
        from the outputs, ys * (1 - ys) (shapes allow it only when K = 1 or K = H);
        "h_prev": taken from the previous state.
    output_derivative=True: the output gradient is also multiplied by yhat (1 - yhat).
    accumulate="first"/"last": only index 0 / index T-1 contributes to the weight gradients.
    previous_state=False: dW_hh uses h_t instead of h_{t-1}.
    initial_state="zeros": the state before index 0 is taken as zeros instead of h0;
        "last": as hs[-1], what ``hs[t - 1]`` gives at index 0.
    batch_mean=False: the 1/B of the loss is forgotten.
    carry_before_derivative=True: dh_next = dh @ W_hh, before the sigmoid derivative.
    carry_transposed=True: dh_next = delta @ W_hh.T, the wrong way round for rows.
    order="forward": the loop runs over the indices 0, 1, ..., T-1 instead of backwards.
    """
    T, B, _ = X.shape
    W_hh, W_hy = np.asarray(params["W_hh"], dtype=float), np.asarray(params["W_hy"], dtype=float)
    grads = {name: np.zeros(np.shape(params[name])) for name in PARAM_NAMES}
    dh_next = np.zeros_like(h0, dtype=float)               # dL/dh_t arriving from step t+1
    before = {"h0": h0, "zeros": np.zeros_like(h0), "last": hs[-1]}[initial_state]
    for t in (reversed(range(T)) if order == "backward" else range(T)):
        h_prev = before if t == 0 else hs[t - 1]
        dl = ys[t] - Y[t]                                  # dL/dl_t, sigmoid + BCE, (B, K)
        if output_derivative:
            dl = dl * ys[t] * (1.0 - ys[t])
        if batch_mean:
            dl = dl / B
        dh = dl @ W_hy + (dh_next if carry else 0.0)       # dL/dh_t, (B, H)
        slope = {"sigmoid": hs[t] * (1.0 - hs[t]), None: 1.0, "tanh": 1.0 - hs[t] ** 2,
                 "ys": ys[t] * (1.0 - ys[t]) if hidden_derivative == "ys" else None,
                 "h_prev": h_prev * (1.0 - h_prev)}[hidden_derivative]
        delta = dh * slope                                 # dL/da_t, (B, H)
        if accumulate == "all" or (accumulate == "first" and t == 0) or (
                accumulate == "last" and t == T - 1):
            grads["W_hy"] += dl.T @ hs[t]
            grads["b_y"] += dl.sum(axis=0)
            grads["W_xh"] += delta.T @ X[t]
            grads["W_hh"] += delta.T @ (h_prev if previous_state else hs[t])
            grads["b_h"] += delta.sum(axis=0)
        carried = dh if carry_before_derivative else delta
        dh_next = carried @ (W_hh.T if carry_transposed else W_hh)
    return grads


def loss_and_grads(X: Any, Y: Any, params: Any, h0: Any = None) -> tuple[float, dict[str, np.ndarray]]:
    """Forward pass, loss and BPTT in one call: X (T, B, D), Y (T, B, K) -> (loss, grads).

    ``h0`` (B, H) defaults to zeros.
    """
    check_params(params)
    X = _array("X", X, "(T, B, D)")
    if h0 is None:
        h0 = np.zeros((X.shape[1], _sizes(params)[1]))
    hs, ys = rnn_forward(X, h0, params)
    return bce_loss(ys, Y), rnn_backward(X, Y, h0, hs, ys, params)


def sgd_step(params: Any, grads: Any, lr: float) -> None:
    """Plain gradient descent in place: params[name] -= lr * grads[name] for every parameter."""
    check_params(params)
    _keyed("grads", grads)
    for name in PARAM_NAMES:
        grad = _array(f"grads['{name}']", grads[name], PARAM_SHAPES[name])
        if grad.shape != np.shape(params[name]):
            raise ValueError(f"grads['{name}'] must have the shape of params['{name}'], "
                             f"{np.shape(params[name])}, got {grad.shape}.")
    lr = _positive_number("lr", lr)
    for name in PARAM_NAMES:
        params[name] -= lr * np.asarray(grads[name], dtype=float)


def bits_correct(ys: Any, Y: Any) -> np.ndarray:
    """Per sequence: are all its outputs right once rounded at 0.5? ys, Y (T, B, K) -> (B,) bool."""
    ys = _array("ys", ys, "(T, B, K)")
    Y = _array("Y", Y, "(T, B, K)")
    _same_shape("ys", ys, "Y", Y)
    return np.all((ys > 0.5) == (Y > 0.5), axis=(0, 2))


def train(params: Any, history: Any, steps: int = 2000, batch_size: int = 16, lr: float = 0.5,
          seed: int = 0) -> None:
    """Lab 01's training loop: plain SGD on random 8-bit sums, ``params`` updated in place.

    Each step draws ``batch_size`` sums with ``binary.training_batch(batch_size, rng)``
    from ``rng = np.random.default_rng(seed)`` (a Generator is used as it is), so the
    held-out sums of :func:`course_utils.binary.held_out_indices` are never drawn. Every
    batch runs from the zero state; the batch's loss goes to ``history["loss"]`` and the
    fraction of its sums with all bits right to ``history["accuracy"]``, both before the
    update.
    """
    from course_utils.binary import training_batch   # binary needs nothing from this module

    check_params(params)
    if not isinstance(history, dict) or not all(
            isinstance(history.get(key), list) for key in ("loss", "accuracy")):
        raise TypeError("history must be a dict of two lists, {'loss': [], 'accuracy': []}, "
                        f"got {type(history).__name__}.")
    steps, batch_size = _positive_int("steps", steps), _positive_int("batch_size", batch_size)
    lr = _positive_number("lr", lr)
    rng = _rng(seed)
    h0 = np.zeros((batch_size, _sizes(params)[1]))
    for _ in range(steps):
        X, Y = training_batch(batch_size, rng)
        hs, ys = rnn_forward(X, h0, params)
        history["loss"].append(bce_loss(ys, Y))
        history["accuracy"].append(float(bits_correct(ys, Y).mean()))
        sgd_step(params, rnn_backward(X, Y, h0, hs, ys, params), lr)


# --------------------------------------------------------------------------- gradient checking
def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, eps: float = 1e-5) -> np.ndarray:
    """Central-difference estimate of the gradient of a scalar function ``f`` at ``x``.

    grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every index i of x, where e_i
    is 1 at index i and 0 elsewhere. x is a non-empty float array of any shape (it is not
    modified); the result has x's shape. The error of the estimate shrinks like eps**2
    (a one-sided difference: like eps).
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one array returning a float, got "
                        f"{type(f).__name__}.")
    x = _array("x", x, None).copy()        # our own copy: the caller's x stays
    eps = _positive_number("eps", eps)
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
