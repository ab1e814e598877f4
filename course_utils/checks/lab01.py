"""Checks for lab 01, an RNN from scratch in NumPy.

Each ``check_*`` function runs a student's function on seeded random cases, compares the
result with :mod:`course_utils.numpy_rnn` and either prints a one-line confirmation or
raises :class:`~course_utils.CheckFailed` with a message that says what is wrong and where.
When a result is wrong, the check recomputes it with each of the usual mistakes (tanh for
sigmoid, a forgotten bias, a gradient not summed over time, ``hs[i - 1]`` at index 0...)
and names a mistake only when it reproduces the student's numbers; otherwise it says what
differs and where, without guessing. Arrays count from 0: index i holds step t = i + 1 of
the maths, so messages speak of indices.

The lab's functions (PyTorch's shapes, one sequence per row, as in :mod:`course_utils.numpy_rnn`):

    rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t               (B, H)
    rnn_forward(X, h0, params) -> (hs, ys)                       (T, B, H), (T, B, K)
    rnn_backward(X, Y, h0, hs, ys, params) -> grads              dict of 5 arrays
    numerical_gradient(f, x, eps=1e-5) -> grad                   x's shape
    train(params, history, steps, batch_size, lr, seed) -> None  params updated in place

Every result the lab relies on must be a float64 NumPy array: the gradient check compares
numbers to 1e-7, which float32 (about 7 significant digits) cannot resolve.
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import io
from typing import Any, Callable

import numpy as np

from course_utils import binary
from course_utils import numpy_rnn as ref
from course_utils._feedback import CheckFailed, call_student, expect_array, first_mismatch, passed

__all__ = [
    "check_rnn_step", "check_rnn_forward", "check_rnn_backward", "check_numerical_gradient",
    "check_gradients_agree", "check_training", "addition_accuracy", "predict_sums",
]

GRADIENT_TOLERANCE = 1e-7      # relative error allowed between BPTT and central differences
FLOAT64 = ("Compute in float64, NumPy's default: the gradient check compares numbers to 1e-7, "
           "and float32 keeps only about 7 significant digits.")
ROWS = ("Weights are stored as PyTorch stores them, W_xh (H, D) and W_hh (H, H), and a batch "
        "holds one sequence per row, so a step is x_t @ W_xh.T + h_prev @ W_hh.T + b_h.")
BACKWARD_ROWS = ("Weights are stored as PyTorch stores them, W_hy (K, H) and W_hh (H, H), and a "
                 "batch holds one sequence per row, so in rows W_hy^T·dl becomes dl @ W_hy, "
                 "W_hh^T·delta becomes delta @ W_hh, and a weight's gradient sums delta.T @ "
                 "input (dl.T @ hs[i] for W_hy, shape (K, H)).")
REPLAY_STEPS = 16   # steps of evidence a rerun with a planted slip must match beyond the first mismatch


# --------------------------------------------------------------------------- helpers

def _random_params(rng: np.random.Generator, D: int, H: int, K: int, scale: float = 1.0):
    """Parameters with nonzero biases and a non-symmetric W_hh, so every mistake shows."""
    return {
        "W_xh": rng.normal(0.0, scale, (H, D)),
        "W_hh": rng.normal(0.0, scale, (H, H)),
        "b_h": rng.normal(0.0, scale, H),
        "W_hy": rng.normal(0.0, scale, (K, H)),
        "b_y": rng.normal(0.0, scale, K),
    }


def _same(actual: Any, candidate: np.ndarray) -> bool:
    """True when ``actual`` equals ``candidate`` to float precision (and has its shape)."""
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    return actual.shape == candidate.shape and bool(
        np.allclose(actual, candidate, rtol=1e-5, atol=1e-8))


def _hint(actual: np.ndarray, variants: list[tuple[np.ndarray, str]]) -> str:
    """The explanation of the first planted mistake that reproduces ``actual``, or ''."""
    for candidate, explanation in variants:
        if _same(actual, candidate):
            return " " + explanation
    return ""


def _difference(what: str, actual: np.ndarray, expected: np.ndarray,
                atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """'<what> differs at index (i, j): yours a, expected e (error d).' or None if they agree."""
    if not np.all(np.isfinite(actual)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(actual))[0])
        return f"{what} contains {actual[index]} at index {index}."
    mismatch = first_mismatch(actual, expected, atol=atol, rtol=rtol)
    if mismatch is None:
        return None
    index, yours, wanted = mismatch
    return (f"{what} differs at index {index}: yours {yours:.6g}, expected {wanted:.6g} "
            f"(error {abs(yours - wanted):.2g}).")


def _result(check: str, what: str, value: Any, shape: tuple[int, ...], hint: str = "") -> np.ndarray:
    """A float64 NumPy array of ``shape``, or a CheckFailed naming the type, shape or dtype.

    A wrong shape that is the transpose of the right one is named as transposed.
    """
    expect_array(check, what, value, hint="Return a NumPy array: the rest of the lab does "
                 "array arithmetic on it.")
    if tuple(value.shape) != tuple(shape) and len(shape) == 2 and tuple(value.shape) == shape[::-1]:
        hint = f" It looks transposed. {hint}"
    expect_array(check, what, value, shape=shape, hint=hint.strip())
    return expect_array(check, what, value, dtype=np.dtype("float64"), hint=FLOAT64)


def _student_params(check: str, params: Any) -> dict[str, np.ndarray]:
    try:
        return ref.check_params(params)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(check, str(exc)) from None


def _call(check: str, func: Callable, *args: Any, rows: str = ROWS, **kwargs: Any) -> Any:
    """call_student, and ``rows`` (a hint about transposes) when NumPy's matmul refuses the
    shapes."""
    try:
        return call_student(check, func, *args, **kwargs)
    except CheckFailed as failure:
        if "raised ValueError" in failure.message and "matmul" in failure.message:
            raise CheckFailed(check, f"{failure.message} {rows}") from None
        raise


# --------------------------------------------------------------------------- exercise 1

def check_rnn_step(rnn_step: Callable) -> None:
    """Exercise 1: h_t = sigmoid(x_t @ W_xh.T + h_prev @ W_hh.T + b_h), shape (B, H)."""
    check = "rnn_step"
    rng = np.random.default_rng(101)
    for B, D, H in [(4, 2, 16), (1, 3, 5), (3, 2, 7)]:
        x = rng.integers(0, 2, (B, D)).astype(float) + rng.normal(0, 0.3, (B, D))
        h = rng.uniform(0.05, 0.95, (B, H))
        params = _random_params(rng, D, H, 1)
        W_xh, W_hh, b = params["W_xh"], params["W_hh"], params["b_h"]
        result = _call(check, rnn_step, x, h, W_xh, W_hh, b)
        h_t = _result(check, f"h_t for B={B} sequences and H={H} hidden units", result, (B, H))
        expected = ref.sigmoid(x @ W_xh.T + h @ W_hh.T + b)
        problem = _difference("h_t", h_t, expected)
        if problem is None:
            continue
        a = x @ W_xh.T + h @ W_hh.T + b
        variants = [
            (np.tanh(a), "It matches tanh: the hidden units of this lab use the sigmoid "
             "1 / (1 + exp(-z))."),
            (ref.sigmoid(x @ W_xh.T + b), "Your rnn_step ignores the previous state h_prev: "
             "add h_prev @ W_hh.T inside the sigmoid."),
            (ref.sigmoid(x @ W_xh.T + h @ W_hh.T), "Your rnn_step ignores the bias b_h: add it "
             "inside the sigmoid."),
            (ref.sigmoid(h @ W_hh.T + b), "Your rnn_step ignores the input x_t: add "
             "x_t @ W_xh.T inside the sigmoid."),
            (ref.sigmoid(x @ W_xh.T + h @ W_hh + b), "It matches h_prev @ W_hh, without the "
             f"transpose (W_hh is square, so the shapes cannot tell). {ROWS}"),
            (a, "It matches the pre-activation a_t = x_t @ W_xh.T + h_prev @ W_hh.T + b_h: "
             "apply the sigmoid to it."),
            (np.maximum(a, 0.0), "It matches ReLU: the hidden units of this lab use the sigmoid."),
        ]
        hint = _hint(h_t, variants) or " Expected h_t = sigmoid(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)."
        raise CheckFailed(check, f"with B={B}, D={D}, H={H}: {problem}{hint}")
    passed(check, "h_t = sigmoid(x_t @ W_xh.T + h_prev @ W_hh.T + b_h) matches on 3 random "
           "cases (batches of 4, 1 and 3).")


# --------------------------------------------------------------------------- exercise 2

def _forward_variant(X, h0, params, *, act=ref.sigmoid, state="carry", start="h0", bias=True,
                     transpose=True, reverse=False):
    """Hidden states of the usual mistakes: state='h0'/'zeros' never carries the state."""
    W_hh = params["W_hh"].T if transpose else params["W_hh"]
    b = params["b_h"] if bias else 0.0
    h = h0 if start == "h0" else np.zeros_like(h0)
    order = range(X.shape[0] - 1, -1, -1) if reverse else range(X.shape[0])
    hs = np.empty((X.shape[0],) + h0.shape)
    for t in order:
        if state == "h0":
            h = h0
        elif state == "zeros":
            h = np.zeros_like(h0)
        h = act(X[t] @ params["W_xh"].T + h @ W_hh + b)
        hs[t] = h
    return hs


def _pair(check: str, result: Any, who: str) -> tuple[Any, Any]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        length = f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""
        raise CheckFailed(check, f"{who} should return two arrays, (hs, ys); got "
                          f"{type(result).__name__}{length}.")
    return result[0], result[1]


def check_rnn_forward(rnn_forward: Callable) -> None:
    """Exercise 2: hs (T, B, H) holds h_1..h_T and ys (T, B, K) holds sigmoid(h_t @ W_hy.T + b_y)."""
    check = "rnn_forward"
    rng = np.random.default_rng(202)
    for T, B, D, H, K in [(8, 4, 2, 16, 1), (5, 3, 3, 6, 2), (3, 1, 2, 4, 1)]:
        X = rng.integers(0, 2, (T, B, D)).astype(float)
        h0 = rng.uniform(0.05, 0.95, (B, H))
        params = _random_params(rng, D, H, K)
        hs_result, ys_result = _pair(check, _call(check, rnn_forward, X, h0, params), "rnn_forward")
        where = f"with T={T}, B={B}, H={H}, K={K}"
        extra = (f"hs holds the T={T} states after each step, h_1..h_T; leave h0 out."
                 if np.shape(hs_result) == (T + 1, B, H) else "")
        hs = _result(check, f"hs ({where})", hs_result, (T, B, H), extra)
        ys = _result(check, f"ys ({where})", ys_result, (T, B, K))
        expected_hs, expected_ys = ref.rnn_forward(X, h0, params)
        problem = _difference("hs", hs, expected_hs)
        if problem is not None:
            variants = [
                (_forward_variant(X, h0, params, state="h0"),
                 "Your forward pass ignores the previous state: every step starts again from "
                 "h0. Pass the state the last step produced: h = rnn_step(X[i], h, ...)."),
                (_forward_variant(X, h0, params, state="zeros"),
                 "Your forward pass ignores the previous state: every step starts from zeros. "
                 "Pass the state the last step produced: h = rnn_step(X[i], h, ...)."),
                (_forward_variant(X, h0, params, start="zeros"),
                 "Your forward pass ignores h0: the first step must start from the h0 it is "
                 "given, not from zeros."),
                (_forward_variant(X, h0, params, bias=False),
                 "Your forward pass ignores the bias b_h."),
                (_forward_variant(X, h0, params, act=np.tanh),
                 "It matches tanh: the hidden units of this lab use the sigmoid."),
                (_forward_variant(X, h0, params, transpose=False),
                 f"It matches h @ W_hh without the transpose. {ROWS}"),
                (_forward_variant(X, h0, params, reverse=True),
                 "It matches running through time backwards: the loop starts at index 0, "
                 "X[0], and moves forward."),
                (np.concatenate([h0[None], expected_hs[:-1]]),
                 "hs is shifted by one step: hs[i] must be the state after reading X[i] "
                 "(hs[0] = h_1, not h0)."),
            ]
            hint = _hint(hs, variants)
            if not hint and T > 1 and not hs[-1].any() and _same(hs[:-1], expected_hs[:-1]):
                hint = (f" hs[{T - 1}] is still zeros: the last step is never computed. Loop "
                        f"over every index, range(T), not range(T - 1).")
            raise CheckFailed(check, f"{where}: {problem}{hint}")
        problem = _difference("ys", ys, expected_ys)
        if problem is not None:
            logits = expected_hs @ params["W_hy"].T + params["b_y"]

            def read_from_previous(first):      # ys[i] from hs[i - 1], `first` at index 0
                states = np.concatenate([first[None], expected_hs[:-1]])
                return ref.sigmoid(states @ params["W_hy"].T + params["b_y"])

            earlier = ("ys[i] is computed from the state before the step, hs[i - 1]; at index 0 "
                       "that is {}. Compute ys[i] from the new state h = hs[i].")
            variants = [
                (logits, "ys holds the logits h_t @ W_hy.T + b_y: apply the sigmoid."),
                (ref.sigmoid(expected_hs @ params["W_hy"].T),
                 "Your forward pass ignores the output bias b_y."),
                (read_from_previous(h0), earlier.format("h0")),
                (read_from_previous(np.zeros_like(h0)),
                 earlier.format("hs[-1], the last row of hs, still zeros when index 0 runs")),
                (read_from_previous(expected_hs[-1]),
                 earlier.format("hs[-1], the LAST state (Python counts negative indices from "
                                "the end)")),
                (np.tanh(logits), "It matches tanh: the output unit uses the sigmoid."),
            ]
            if T > 1 and not ys[-1].any() and _same(ys[:-1], expected_ys[:-1]):
                variants.append((ys, f"ys[{T - 1}] is still zeros: the last output is never "
                                 "computed. Compute ys[i] at every index i of range(T)."))
            raise CheckFailed(check, f"{where}: the states hs are right but {problem}"
                              f"{_hint(ys, variants)}")
    passed(check, "hs and ys match on 3 random sequences (T = 8, 5 and 3 steps), "
           "starting from a nonzero h0.")


# --------------------------------------------------------------------------- exercise 3

_GRAD_ORDER = ("W_hy", "b_y", "W_xh", "W_hh", "b_h")   # the order in which BPTT reaches them


def _gradient_variants(X, Y, h0, hs, ys, params, name: str) -> list[tuple[np.ndarray, str]]:
    B = X.shape[1]
    right = ref._backward(X, Y, h0, hs, ys, params)[name]

    def variant(**flags):
        return ref._backward(X, Y, h0, hs, ys, params, **flags)[name]

    variants = [
        (np.zeros_like(right), f"grads['{name}'] is all zeros: every parameter, the biases "
         "included, gets its gradient."),
        (-right, "It has the opposite sign: the gradient at the logits is (yhat_t - y_t) / B, "
         "not (y_t - yhat_t) / B."),
        (right * B, f"It is B = {B} times too large: the loss averages over the B sequences, "
         "so dL/dl_t = (yhat_t - y_t) / B."),
        (right / B, f"It is B = {B} times too small: divide by B once, not twice."),
        (variant(accumulate="first"),
         "Only index 0 (the first step) contributes: sum the contributions of all T steps "
         "(grads[...] += ...), don't overwrite them."),
        (variant(accumulate="last"),
         f"Only index {X.shape[0] - 1} (the last step) contributes: sum the contributions of "
         "all T steps."),
        (variant(carry=False),
         "The gradient does not flow back through time: dL/dh_t must also include what "
         "comes back from step t+1, dh_next = delta_{t+1} @ W_hh."),
        (variant(hidden_derivative=None),
         "The sigmoid derivative is missing: delta = dh * h_t * (1 - h_t)."),
        (variant(hidden_derivative="tanh"),
         "It matches the tanh derivative 1 - h_t**2: the hidden units of this lab use the "
         "sigmoid, whose derivative is h_t * (1 - h_t)."),
        (variant(hidden_derivative="h_prev"),
         "The sigmoid derivative is taken at the previous state: delta = dh * h_t * (1 - h_t) "
         "uses the state of the same step, hs[i], not h_prev."),
        (variant(order="forward"),
         "It matches a loop that runs forward, over indices 0, 1, ..., T-1: BPTT starts at "
         "the last step, for i in reversed(range(T)), because dh_next must come from the "
         "step after t, which is processed first."),
        (variant(carry_before_derivative=True),
         "dh_next is taken before the sigmoid derivative: carry back delta = dh * h_t * "
         "(1 - h_t), dh_next = delta @ W_hh, not dh @ W_hh."),
        (variant(carry_transposed=True),
         "dh_next uses W_hh transposed: with one sequence per row, the gradient flows back "
         "as dh_next = delta @ W_hh (the row form of W_hh.T delta_t)."),
        (variant(output_derivative=True),
         "You multiplied (yhat_t - y_t) by the sigmoid derivative yhat_t (1 - yhat_t) too; "
         "with cross-entropy the gradient at the logits is just (yhat_t - y_t) / B."),
        (variant(previous_state=False),
         "dW_hh pairs delta_t with h_t; it needs the state before the step, h_{t-1} "
         "(h0 at index 0)."),
        (variant(initial_state="last"),
         "At index 0 your previous state is hs[i - 1] = hs[-1], the LAST state (Python "
         "counts negative indices from the end). Before the first step the state is h0: "
         "h_prev = hs[i - 1] if i > 0 else h0."),
        (variant(initial_state="zeros"),
         "The first step (index 0) is missing from dW_hh: its previous state is h0, not "
         "zeros."),
    ]
    if ys.shape[2] in (1, hs.shape[2]):         # shapes that let ys * (1 - ys) broadcast
        variants.append((variant(hidden_derivative="ys"),
                         "The derivative through the hidden units is taken from the outputs, "
                         "ys * (1 - ys): delta = dh * h_t * (1 - h_t) uses the hidden state "
                         "hs[i]."))
    if right.ndim == 2 and right.shape[0] == right.shape[1]:
        variants.insert(2, (right.T, "It is the transpose of the right gradient: with W_hh "
                            "stored (H, H) as PyTorch does, its gradient sums delta_t.T @ "
                            "h_prev over t."))
    return variants


def _gradient_dict(check: str, grads: Any, params: dict[str, np.ndarray], who: str) -> dict:
    if not isinstance(grads, dict):
        raise CheckFailed(check, f"{who} should return a dict of gradients with keys "
                          f"{', '.join(ref.PARAM_NAMES)}; got {type(grads).__name__}.")
    missing = [name for name in ref.PARAM_NAMES if name not in grads]
    if missing:
        raise CheckFailed(check, f"the gradients returned by {who} have no entry for "
                          f"{', '.join(missing)}.")
    return {name: _result(check, f"grads['{name}']", grads[name], params[name].shape,
                          "Every gradient has the shape of its parameter.")
            for name in ref.PARAM_NAMES}


def check_rnn_backward(rnn_backward: Callable) -> None:
    """Exercise 3: BPTT gives the gradient of the loss for W_xh, W_hh, b_h, W_hy and b_y."""
    check = "rnn_backward"
    rng = np.random.default_rng(303)
    for T, B, D, H, K in [(6, 3, 2, 5, 1), (8, 4, 2, 16, 1), (4, 2, 3, 4, 2)]:
        X = rng.integers(0, 2, (T, B, D)).astype(float)
        Y = rng.integers(0, 2, (T, B, K)).astype(float)
        h0 = rng.uniform(0.05, 0.95, (B, H))
        params = _random_params(rng, D, H, K, scale=0.7)
        hs, ys = ref.rnn_forward(X, h0, params)
        grads = _gradient_dict(check, _call(check, rnn_backward, X, Y, h0, hs, ys, params,
                                            rows=BACKWARD_ROWS), params, "rnn_backward")
        expected = ref.rnn_backward(X, Y, h0, hs, ys, params)
        wrong = [name for name in _GRAD_ORDER
                 if _difference(name, grads[name], expected[name], atol=1e-7) is not None]
        if not wrong:
            continue
        name = wrong[0]
        problem = _difference(f"the gradient for {name}", grads[name], expected[name], atol=1e-7)
        hint = _hint(grads[name], _gradient_variants(X, Y, h0, hs, ys, params, name))
        others = f" Also wrong: {', '.join(wrong[1:])}." if len(wrong) > 1 else ""
        right = [n for n in _GRAD_ORDER if n not in wrong]
        fine = f" ({', '.join(right)} {'is' if len(right) == 1 else 'are'} right.)" if right else ""
        raise CheckFailed(check, f"with T={T}, B={B}, H={H}: {problem}{hint}{others}{fine}")
    passed(check, "the gradients of W_xh, W_hh, b_h, W_hy and b_y match on 3 random cases.")


# --------------------------------------------------------------------------- exercise 4

def _numgrad_variant(f, x, eps, kind):
    """The usual finite-difference mistakes, computed correctly otherwise."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        if kind.startswith("no_restore"):          # x[i] is left moved after its two calls
            old = x[i]
            x[i] = old + eps
            f_plus = f(x)
            x[i] = old - eps
            f_minus = f(x)
            grad[i] = (f_plus - f_minus) / (2 * eps)
            x[i] = old + eps if kind == "no_restore_plus" else old - eps
            continue
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        if kind == "forward":
            grad[i] = (f(plus) - f(x)) / eps
        elif kind == "backward":
            grad[i] = (f(x) - f(minus)) / eps
        elif kind == "no_half":
            grad[i] = (f(plus) - f(minus)) / eps
        elif kind == "no_copy":                 # minus = x undoes plus[i] += eps: f(minus) = f(x)
            grad[i] = (f(plus) - f(x)) / (2 * eps)
    return grad


def _numgrad_hint(f, x, eps, grad, expected) -> str:
    """Name the finite-difference mistake that reproduces ``grad``, or ''."""
    variants = [
        (_numgrad_variant(f, x, eps, "forward"),
         "It matches the one-sided difference (f(x + eps) - f(x)) / eps: use the central "
         "difference (f(x + eps) - f(x - eps)) / (2 eps), whose error shrinks like eps**2 "
         "instead of eps."),
        (_numgrad_variant(f, x, eps, "backward"),
         "It matches the one-sided difference (f(x) - f(x - eps)) / eps: use the central "
         "difference (f(x + eps) - f(x - eps)) / (2 eps)."),
        (_numgrad_variant(f, x, eps, "no_half"),
         "It is twice the right value: divide by 2 * eps, the distance between x - eps "
         "and x + eps."),
        (np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps)),
         "Every entry holds the same number: you moved all entries of x at once. Perturb "
         "one entry at a time."),
        (-expected, "It has the opposite sign: the central difference is (f(x + eps e_i) - "
         "f(x - eps e_i)) / (2 eps), the value at x + eps first."),
        (expected * eps ** 2, f"It is eps**2 = {eps ** 2:g} times the right value: `/ 2 * eps` "
         "divides by 2 and then multiplies by eps (Python reads from left to right). Write "
         "`/ (2 * eps)`."),
        (_numgrad_variant(f, x, eps, "no_copy"),
         "It is half the one-sided difference, (f(x + eps e_i) - f(x)) / (2 eps): your f(x - "
         "eps e_i) was evaluated at x itself. That happens when `plus = x` and `minus = x` "
         "name the same array (assignment does not copy), so minus[i] -= eps undoes "
         "plus[i] += eps. Use copies: plus, minus = x.copy(), x.copy()."),
    ]
    restore = ("It matches a loop that does not put x[i] back after its two calls to f: x[i] "
               "stays moved by eps, so every later entry is measured at a shifted point. The "
               "error is small and looks like rounding, but it is a bug: set x[i] = old after "
               "computing f(x - eps).")
    variants += [(_numgrad_variant(f, x, eps, "no_restore_minus"), restore),
                 (_numgrad_variant(f, x, eps, "no_restore_plus"), restore)]
    computed = grad != 0
    if not computed.any() and expected.any():
        variants.append((grad, "Every entry is 0: either grad[i] is never set, or f(x + eps "
                         "e_i) and f(x - eps e_i) came out equal, which happens when `plus = x` "
                         "and `minus = x` name the same array as x (assignment does not "
                         "copy): both calls then see x itself. Use x.copy()."))
    if computed.any() and not computed.all() and np.all(expected != 0):
        first_zero = tuple(int(i) for i in np.argwhere(~computed)[0])
        variants.append((grad, f"Entries from index {first_zero} on are 0: loop over every "
                         "index of x, e.g. `for i in np.ndindex(x.shape)`."))
    return _hint(grad, variants)


def _loss_of(X, Y, h0, params, name):
    """The RNN loss as a function of one parameter array (the others fixed)."""
    def f(value):
        trial = dict(params)
        trial[name] = np.asarray(value, dtype=float)
        return ref.bce_loss(ref.rnn_forward(X, h0, trial)[1], Y)
    return f


def check_numerical_gradient(numerical_gradient: Callable) -> None:
    """Exercise 4: central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every i."""
    check = "numerical_gradient"
    rng = np.random.default_rng(404)

    def cubic(x):
        return float(np.sum(np.asarray(x) ** 3))

    def smooth(x):
        x = np.asarray(x)
        return float(np.sum(np.sin(x) * x) + np.sum(x) ** 2)

    X, Y = binary.random_batch(3, rng)
    h0 = rng.uniform(0.05, 0.95, (3, 4))
    params = _random_params(rng, 2, 4, 1)
    cases = [
        ("f(x) = sum(x**3)", cubic, rng.normal(0, 1, (3, 4)), 0.1),
        ("f(x) = sum(x sin x) + (sum x)**2", smooth, rng.normal(0, 1, 5), 1e-5),
        ("the RNN loss as a function of W_hh", _loss_of(X, Y, h0, params, "W_hh"),
         params["W_hh"].copy(), 1e-5),
    ]
    for label, f, x, eps in cases:
        result = call_student(check, numerical_gradient, f, x, eps)
        extra = "Keep x's shape: don't flatten it." if np.size(result) == x.size else ""
        grad = _result(check, f"the gradient of {label}", result, x.shape, extra)
        expected = ref.numerical_gradient(f, x, eps)
        problem = _difference(f"for {label} with eps={eps:g}, the gradient", grad, expected,
                              atol=1e-6, rtol=1e-5)
        if problem is None:
            continue
        hint = _numgrad_hint(f, x, eps, grad, expected)
        if not hint and label.startswith("f(x) = sum(x**3)") and _same(grad, 3 * x ** 2):
            hint = (f" It matches the exact gradient 3 x**2, not the central difference with "
                    f"eps={eps:g} (which is 3 x**2 + eps**2): use the eps you are given "
                    "instead of your own.")
        raise CheckFailed(check, f"{problem}{hint}")
    passed(check, "central differences match on a cubic, a smooth function and the RNN loss "
           "(W_hh).")


def check_gradients_agree(rnn_backward: Callable, numerical_gradient: Callable,
                          eps: float = 1e-5) -> None:
    """Gradient check: your BPTT against your central differences, for all five parameters.

    Prints the relative error ||bptt - numerical|| / max(||bptt||, ||numerical||) of every
    parameter (NOTATION.md's definition); each must be below 1e-7. Two functions wrong in
    the same way agree with each other, so on agreement the BPTT gradients are also compared
    with the reference.
    """
    check = "gradient check"
    rng = np.random.default_rng(505)
    X, Y = binary.random_batch(4, rng)
    params = ref.init_params(seed=rng)
    h0 = np.zeros((4, params["W_hh"].shape[0]))
    hs, ys = ref.rnn_forward(X, h0, params)
    grads = _gradient_dict(check, _call(check, rnn_backward, X, Y, h0, hs, ys, params,
                                        rows=BACKWARD_ROWS), params, "rnn_backward")
    expected = ref.rnn_backward(X, Y, h0, hs, ys, params)
    rows, bad = [], []
    for name in ref.PARAM_NAMES:
        f = _loss_of(X, Y, h0, params, name)
        x = params[name].copy()
        numeric = _result(check, f"numerical_gradient's result for {name}",
                          call_student(check, numerical_gradient, f, x, eps), x.shape)
        error = ref.relative_error(grads[name], numeric)
        rows.append(f"  {name:<5} relative error {error:.1e}")
        if not error < GRADIENT_TOLERANCE:
            bad.append((name, error, numeric, f, x))
    print("\n".join(rows))
    if not bad:
        _agree_with_the_reference(check, grads, expected)
        passed(check, f"BPTT and central differences agree on all five parameters "
               f"(relative errors below {GRADIENT_TOLERANCE:g}).")
        return
    name, error, numeric, f, x = bad[0]
    index, yours, theirs = first_mismatch(grads[name], numeric, atol=0.0, rtol=0.0) or ((), 0, 0)
    bptt_right = ref.relative_error(grads[name], expected[name]) < GRADIENT_TOLERANCE
    numeric_right = ref.relative_error(numeric, expected[name]) < GRADIENT_TOLERANCE
    if bptt_right and not numeric_right:
        culprit = ("Your rnn_backward is right, so numerical_gradient is the one that is off."
                   + _numgrad_hint(f, x, eps, numeric, ref.numerical_gradient(f, x, eps)))
    elif numeric_right and not bptt_right:
        culprit = "Your numerical_gradient is right, so rnn_backward is the one that is off."
    else:
        culprit = "Both disagree with the reference: re-run the checks of Exercises 3 and 4."
    others = f" Also above {GRADIENT_TOLERANCE:g}: {', '.join(b[0] for b in bad[1:])}." \
        if len(bad) > 1 else ""
    raise CheckFailed(check, f"for {name} your BPTT and your numerical gradient disagree: "
                      f"relative error {error:.1e} (above {GRADIENT_TOLERANCE:g}); the "
                      f"largest difference is at index {index}: BPTT {yours:.6g}, "
                      f"numerical {theirs:.6g}. {culprit}{others}")


def _agree_with_the_reference(check: str, grads: dict, expected: dict) -> None:
    """Fail when BPTT and the numerical gradient agree with each other but not with the truth."""
    off = [name for name in ref.PARAM_NAMES
           if not ref.relative_error(grads[name], expected[name]) < GRADIENT_TOLERANCE]
    if not off:
        return
    name = off[0]
    flipped = all(ref.relative_error(grads[n], -expected[n]) < GRADIENT_TOLERANCE for n in off)
    how = (" Both have the opposite sign: the gradient at the logits is (yhat_t - y_t) / B, and "
           "the central difference is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)."
           if flipped and len(off) == len(ref.PARAM_NAMES) else "")
    raise CheckFailed(check, f"your BPTT and your numerical gradient agree with each other, but "
                      f"both differ from the true gradient: for {name} the relative error to "
                      f"it is {ref.relative_error(grads[name], expected[name]):.1e}. Both are "
                      f"wrong in the same way.{how} Re-run the checks of Exercises 3 and 4.")


# --------------------------------------------------------------------------- exercise 5

def predict_sums(forward: Callable, params: dict[str, np.ndarray], a, b) -> np.ndarray:
    """The sums your network writes for a + b: runs ``forward`` (your rnn_forward) -> ints (B,).

    ``a`` and ``b`` are ints or equal-length int arrays with entries in 0..127.
    """
    check = "predict_sums"
    params = _student_params(check, params)
    X, _ = binary.encode_pairs(a, b)
    h0 = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    _, ys = _pair(check, _call(check, forward, X, h0, params), "rnn_forward")
    return binary.decode_outputs(_result(check, "ys", ys, (X.shape[0], X.shape[1], 1)))


def addition_accuracy(forward: Callable, params: dict[str, np.ndarray],
                      held_out: bool = False) -> float:
    """The fraction of the sums a + b (a, b < 128) whose 8 output bits are all right.

    ``forward`` is your rnn_forward; it runs on all the sums at once, from a zero state:
    all 16,384 (X (8, 16384, 2)), or with ``held_out=True`` only the 2,048 that
    ``binary.training_batch`` never draws (:func:`course_utils.binary.held_out_indices`).
    """
    check = "accuracy"
    params = _student_params(check, params)
    X, Y = binary.held_out_pairs() if held_out else binary.all_pairs()
    h0 = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    _, ys = _pair(check, _call(check, forward, X, h0, params), "rnn_forward")
    return float(ref.bits_correct(_result(check, "ys", ys, Y.shape), Y).mean())


def _run_settings(train: Callable, params, history, settings: dict) -> dict[str, Any]:
    """steps, batch_size, lr and seed of this call of ``train`` (given or defaults), where known."""
    try:
        bound = inspect.signature(train).bind(params, history, **settings)
        bound.apply_defaults()
        values = dict(bound.arguments)
    except (TypeError, ValueError):
        values = dict(settings)
    return {key: values.get(key) for key in ("steps", "batch_size", "lr", "seed")}


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _replayable(run: dict) -> bool:
    """Whether the reference can rerun this call: integer steps, batch size and seed, a number lr."""
    return (all(_is_int(run[key]) and run[key] >= 0 for key in ("steps", "batch_size", "seed"))
            and run["batch_size"] >= 1 and isinstance(run["lr"], (int, float, np.number))
            and not isinstance(run["lr"], bool) and float(run["lr"]) > 0)


def _replay(params: dict, steps: int, batch_size: int, lr: float, seed: int, *,
            draw: Callable = binary.training_batch, carry_state: bool = False,
            reuse: bool = False) -> list[dict[str, float]]:
    """The lab's loop, run by the reference on a copy of ``params``: what each step would log.

    Each row holds the loss and the per-sum accuracy the lab asks for, and what the common
    slips log instead: accuracy per bit, per position (index of the step), and both after
    the update. ``draw``, ``carry_state`` and ``reuse`` rerun the loop with a slip of its own
    (another batch function, the state carried across batches, one batch reused).
    """
    params = copy.deepcopy(params)
    rng = np.random.default_rng(seed)
    h0 = np.zeros((batch_size, params["W_hh"].shape[0]))
    rows, batch = [], None
    for _ in range(steps):
        if batch is None or not reuse:
            batch = draw(batch_size, rng)
        X, Y = batch
        hs, ys = ref.rnn_forward(X, h0, params)
        grads = ref.rnn_backward(X, Y, h0, hs, ys, params)
        right = (ys > 0.5) == (Y > 0.5)
        row = {"loss": ref.bce_loss(ys, Y), "per sum": float(right.all(axis=(0, 2)).mean()),
               "per bit": float(right.mean()), "per position": float(right.all(axis=(1, 2)).mean())}
        ref.sgd_step(params, grads, lr)
        _, after = ref.rnn_forward(X, h0, params)
        row["loss after"] = ref.bce_loss(after, Y)
        row["per sum after"] = float(ref.bits_correct(after, Y).mean())
        rows.append(row)
        if carry_state:
            h0 = hs[-1]
    return rows


def _column(rows: list[dict], key: str) -> np.ndarray:
    return np.array([row[key] for row in rows])


def _matches(logged: np.ndarray, expected: np.ndarray) -> bool:
    return logged.shape == expected.shape and bool(
        np.allclose(logged, expected, rtol=1e-6, atol=1e-9))


def _loss_scale_hint(logged: np.ndarray, expected: np.ndarray, T: int, B: int) -> str:
    """Name the factor when every logged loss is the lab's loss times T, B or T·B (or over it)."""
    if np.any(expected == 0):
        return ""
    ratio = logged / expected
    for factor, words in [
            (1 / T, f"divided by T = {T}: a mean over the T steps too (np.mean over all the "
                    "bits gives this), where the lab's loss sums over the steps"),
            (1 / (T * B), f"divided by T·B = {T * B}"),
            (B, f"multiplied by B = {B}: a sum over the B sums, where the lab's loss averages "
                "over them"),
            (T, f"multiplied by T = {T}"), (1 / B, f"divided by B = {B} once more"),
            (T * B, f"multiplied by T·B = {T * B}")]:
        if np.allclose(ratio, factor, rtol=1e-6):
            return (f" Every logged loss compared is the lab's loss {words}. Log "
                    "bce_loss(ys, Y), the loss the gradients belong to.")
    return ""


def _accuracy_hint(logged: np.ndarray, rows: list[dict]) -> str:
    if _matches(logged, _column(rows, "per bit")):
        return (" history['accuracy'] holds the fraction of BITS that are right; log the "
                "fraction of SUMS whose 8 bits are all right: np.all((ys > 0.5) == (Y > 0.5), "
                "axis=(0, 2)).mean().")
    if _matches(logged, _column(rows, "per position")):
        return (" It matches the fraction of the T bit positions at which every sum of the "
                "batch is right, np.all(..., axis=(1, 2)).mean(): the axes are swapped. Take "
                "np.all over the time and output axes, axis=(0, 2), then the mean over the B "
                "sums.")
    if _matches(logged, _column(rows, "per sum after")):
        return (" It matches the accuracy measured after the update (a second forward pass "
                "with the new params): log the accuracy of the forward pass that gave the "
                "loss, before the update.")
    return ""


def _learning_rate_hint(check: str, train: Callable, before: dict, run: dict,
                        settings: dict) -> str:
    """Run the student's train for one step on a copy; name the step size if it is not lr."""
    params, history = copy.deepcopy(before), {"loss": [], "accuracy": []}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            call_student(check, train, params, history, may_modify=(0, 1),
                         **{**settings, "steps": 1})
    except CheckFailed:
        return ""
    X, Y = binary.training_batch(run["batch_size"], np.random.default_rng(run["seed"]))
    h0 = np.zeros((X.shape[1], before["W_hh"].shape[0]))
    hs, ys = ref.rnn_forward(X, h0, before)
    grads = ref.rnn_backward(X, Y, h0, hs, ys, before)
    try:
        steps = {name: np.asarray(before[name], dtype=float) - np.asarray(params[name], dtype=float)
                 for name in ref.PARAM_NAMES}
    except (TypeError, ValueError, KeyError):
        return ""
    g = np.concatenate([grads[name].ravel() for name in ref.PARAM_NAMES])
    d = np.concatenate([steps[name].ravel() for name in ref.PARAM_NAMES])
    if d.shape != g.shape or not g.any():
        return ""
    rate = float(g @ d / (g @ g))
    lr = float(run["lr"])
    if not np.allclose(d, rate * g, rtol=1e-6, atol=1e-12) or np.isclose(rate, lr, rtol=1e-6):
        return ""
    if np.isclose(rate, -lr, rtol=1e-6):
        return (" Your first update moves params by +lr * grads: gradient descent subtracts, "
                "params[name] -= lr * grads[name].")
    return (f" Your first update moves params by -{rate:.6g} * grads, not by -lr * grads with "
            f"lr = {lr:g}: use the lr argument, params[name] -= lr * grads[name].")


def _trajectory_hint(logged_loss: np.ndarray, before: dict, run: dict) -> str:
    """Name a slip of the loop whose rerun by the reference logs exactly the student's losses."""
    args = (before, len(logged_loss), run["batch_size"], float(run["lr"]), run["seed"])
    slips = [
        (dict(draw=binary.random_batch),
         " It matches batches drawn with random_batch, which draws from all the sums, the "
         "held-out ones included: draw with training_batch(batch_size, rng), so the "
         "held-out sums stay unseen."),
        (dict(reuse=True),
         " It matches a loop that draws one batch and reuses it: draw a new batch inside "
         "the loop, at every step."),
        (dict(carry_state=True),
         " It matches a loop that carries the state from one batch to the next (h0 = hs[-1]): "
         "each batch holds new sums, so every batch starts from the zero state h0."),
    ]
    for flags, words in slips:
        if _matches(logged_loss, _column(_replay(*args, **flags), "loss")):
            return words
    return ""


def _compare_history(check: str, train: Callable, history: dict, before: dict, run: dict,
                     settings: dict) -> None:
    """Every logged entry equals a reference run of the lab's loop from the same params and seed.

    The whole run is compared: in the first steps every accuracy is 0, so slips in how it is
    measured show only later. Rounding stays far inside the tolerance of 1e-6: initial
    weights changed by 1e-15 move no logged loss of the lab's 2000 steps by more than 1e-9
    (tests/test_checks_lab01.py).
    """
    n = len(history["loss"])
    rows = _replay(before, n, run["batch_size"], float(run["lr"]), run["seed"])
    logged_loss = np.asarray(history["loss"][:n], dtype=float)
    logged_accuracy = np.asarray(history["accuracy"][:n], dtype=float)
    loss, accuracy = _column(rows, "loss"), _column(rows, "per sum")
    bad_loss = ~np.isclose(logged_loss, loss, rtol=1e-6, atol=1e-9)
    bad_accuracy = ~np.isclose(logged_accuracy, accuracy, rtol=0, atol=1e-9)
    if not (bad_loss.any() or bad_accuracy.any()):
        return
    step = int(np.flatnonzero(bad_loss | bad_accuracy)[0])
    agree = f" (indices 0 to {step - 1} agree)" if step > 1 else " (index 0 agrees)" if step else ""
    T = binary.NUM_BITS
    if bad_loss[step]:
        what = (f"history['loss'][{step}] is {logged_loss[step]:.6g}, but the lab's loop, run by "
                f"the reference from the same params and seed, logs {loss[step]:.6g} there"
                f"{agree}.")
        hint = (_loss_scale_hint(logged_loss, loss, T, run["batch_size"])
                or (_matches(logged_loss, _column(rows, "loss after")) and
                    " It matches the loss measured after the update (a second forward pass "
                    "with the new params): log the loss of the forward pass whose gradients "
                    "you use, before the update.")
                or _trajectory_hint(logged_loss[:step + REPLAY_STEPS], before, run))
        if not hint and step > 0:
            hint = _learning_rate_hint(check, train, before, run, settings)
        if not hint and step == 0:
            hint = (" At index 0 nothing has been updated yet, so either the first batch differs "
                    "(it is training_batch(batch_size, rng) with the generator rng = "
                    "np.random.default_rng(seed)) or the value logged is not bce_loss of that "
                    "batch's forward pass from the zero state.")
    else:
        what = (f"history['accuracy'][{step}] is {logged_accuracy[step]:.6g}, but the lab's "
                f"loop, run by the reference from the same params and seed, logs "
                f"{accuracy[step]:.6g} there, the fraction of that batch's sums whose 8 bits "
                f"are all right, before the update{agree}.")
        hint = _accuracy_hint(logged_accuracy, rows)
    raise CheckFailed(check, what + hint)


def _check_whole_sums(check: str, accuracy: list, batch_size: Any) -> None:
    """Every logged accuracy is a whole number of sums out of the batch."""
    try:
        logged = np.asarray(accuracy, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(check, "history['accuracy'] must hold numbers (one float per "
                          "step).") from None
    if not _is_int(batch_size) or batch_size < 1:
        return
    off = np.flatnonzero(np.abs(logged * batch_size - np.round(logged * batch_size)) > 1e-6)
    if off.size:
        step = int(off[0])
        raise CheckFailed(check, f"history['accuracy'][{step}] is {logged[step]:.6g}, which "
                          f"is not a whole number of sums out of batch_size={batch_size}: it "
                          "looks like the fraction of bits that are right. Log the fraction "
                          "of sums whose 8 bits are all right.")


def check_training(train: Callable, params: dict[str, np.ndarray], history: dict,
                   **settings: Any) -> None:
    """Exercise 5: run your ``train(params, history, **settings)``, then test every sum.

    ``train`` updates ``params`` in place with plain SGD on batches from
    ``binary.training_batch`` and appends each step's loss and batch accuracy (the fraction
    of the batch's sums with all 8 bits right) to ``history["loss"]`` and
    ``history["accuracy"]``. The check compares every entry of the history with the same
    loop run by the reference from the same params and seed (float64, to 1e-6), then passes when the trained network (run with the reference forward pass) gets all
    16,384 sums of two numbers below 128 right. ``params`` and ``history`` must be fresh: a
    check run twice on the same objects asks you to re-run the cell that makes them.
    """
    check = "training"
    params = _student_params(check, params)
    if not isinstance(history, dict) or not all(
            isinstance(history.get(key), list) for key in ("loss", "accuracy")):
        raise CheckFailed(check, "history must be a dict with two lists, "
                          "{'loss': [], 'accuracy': []}.")
    logged = max(len(history["loss"]), len(history["accuracy"]))
    if logged:
        entries = "1 entry" if logged == 1 else f"{logged} entries"
        raise CheckFailed(check, f"history already holds {entries} before this run: an earlier "
                          "run of train filled it, and may have changed params too. Re-run the "
                          "cell that creates params and history, then this cell.")
    if not all(np.all(np.isfinite(params[name])) for name in ref.PARAM_NAMES):
        raise CheckFailed(check, "params holds inf or nan before training (left by an earlier "
                          "run): re-run the cell that creates params and history, then this cell.")
    run = _run_settings(train, params, history, settings)
    before = copy.deepcopy(params)
    call_student(check, train, params, history, may_modify=(0, 1), **settings)
    params = _student_params(check, params)
    changed = [name for name in ref.PARAM_NAMES if not np.array_equal(params[name], before[name])]
    if not changed:
        raise CheckFailed(check, "train left every parameter unchanged: update the arrays in "
                          "the dict in place, params[name] -= lr * grads[name] (rebinding a "
                          "loop variable does not change the dict).")
    if len(changed) < len(ref.PARAM_NAMES):
        missing = [name for name in ref.PARAM_NAMES if name not in changed]
        raise CheckFailed(check, f"train never changed {', '.join(missing)}: every parameter, "
                          "the biases included, gets an update.")
    if not all(np.all(np.isfinite(params[name])) for name in ref.PARAM_NAMES):
        raise CheckFailed(check, "after training some parameters are inf or nan: the learning "
                          "rate is too large.")
    losses, steps = history["loss"], run["steps"]
    if len(losses) == 0:
        raise CheckFailed(check, "history['loss'] is empty: append the loss of every step "
                          "(and the batch accuracy to history['accuracy']).")
    if len(history["accuracy"]) != len(losses):
        raise CheckFailed(check, f"history['loss'] has {len(losses)} entries but "
                          f"history['accuracy'] has {len(history['accuracy'])}: append both "
                          "at every step.")
    if _is_int(steps) and len(losses) != steps:
        raise CheckFailed(check, f"train logged {len(losses)} losses for steps={steps}: append "
                          "one loss and one accuracy per step, no more, no fewer.")
    try:
        np.asarray(losses, dtype=float), np.asarray(history["accuracy"], dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(check, "history['loss'] and history['accuracy'] must hold numbers "
                          "(one float per step).") from None
    if _replayable(run):
        _compare_history(check, train, history, before, run, settings)
    X, Y = binary.all_pairs()
    _, ys = ref.rnn_forward(X, np.zeros((X.shape[1], params["W_hh"].shape[0])), params)
    right = ref.bits_correct(ys, Y)
    if not right.all():
        raise CheckFailed(check, _diagnose(X, ys, right, history))
    _check_whole_sums(check, history["accuracy"], run["batch_size"])
    compared = "each of your {} steps logs what the lab's loop logs, and after them ".format(
        len(losses)) if _replayable(run) else f"after {len(losses)} steps "
    passed(check, f"{compared}all {right.size:,} sums come out right; last batch loss "
           f"{float(losses[-1]):.4f}.")


def _diagnose(X, ys, right, history) -> str:
    """Why a trained network still gets sums wrong, as far as the evidence shows."""
    losses = np.asarray(history["loss"], dtype=float)
    a, b = binary.decode_inputs(X)
    wrong = np.flatnonzero(~right)
    n = int(wrong[len(wrong) // 2])
    written = int(binary.decode_outputs(ys[:, n:n + 1])[0])
    head = (f"after {len(losses)} steps, {wrong.size:,} of {right.size:,} sums still come out "
            f"wrong (accuracy {right.mean():.2%}); e.g. {a[n]} + {b[n]} = {a[n] + b[n]}, but "
            f"your network writes {written}.")
    window = max(1, len(losses) // 10)
    on_batches = float(np.mean(history["accuracy"][-window:]))
    # The batches are fresh sums from the same pairs, and the test runs every sum from the
    # zero state: a network that gets >= 90% of its last `window` batches right but 20 points
    # fewer of all sums was not tested the way it trained (the batches hold window * B sums,
    # so a gap of 20 points is far beyond sampling noise).
    if on_batches >= 0.9 and right.mean() < on_batches - 0.2:
        return (f"{head} Yet over the last {window} steps it got {on_batches:.0%} of its own "
                "batches' sums right: it does well on the batches it trained on, but not on "
                "fresh sums run from the zero state. Does every batch start from the zero state "
                "h0 (not the last state of the previous batch), and is every batch new?")
    start, end = float(np.mean(losses[:window])), float(np.mean(losses[-window:]))
    if end > start:
        return (f"{head} The loss went up, from {start:.3f} to {end:.3f}: gradient descent "
                "subtracts lr * grad (are you adding it?), or the learning rate is too large.")
    return (f"{head} The loss went from {start:.3f} to {end:.3f}: train for more steps or try "
            "another learning rate.")
