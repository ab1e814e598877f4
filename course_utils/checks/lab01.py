"""Checks for Lab 01, an RNN from scratch in NumPy.

Each ``check_*`` function runs a student's function on seeded random cases, compares the
result with :mod:`course_utils.numpy_rnn` and either prints a one-line confirmation or
raises :class:`~course_utils.CheckFailed` with a message that says what is wrong and where.
When a result is wrong, the check also compares it with the usual mistakes (tanh for
sigmoid, a forgotten bias, a gradient not summed over time...) and names the one it matches.

The lab's functions (shapes as in :mod:`course_utils.numpy_rnn`):

    rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t               (N, H)
    rnn_forward(X, h0, params) -> (hs, ys)                       (T, N, H), (T, N, O)
    rnn_backward(X, Y, h0, hs, ys, params) -> grads              dict of 5 arrays
    numerical_gradient(f, x, eps=1e-5) -> grad                   x's shape
    train(params, history, steps, batch_size, lr, seed) -> None  params updated in place
"""
from __future__ import annotations

import copy
import time
from typing import Any, Callable

import numpy as np

from course_utils import binary
from course_utils import numpy_rnn as ref
from course_utils._feedback import CheckFailed, call_student, expect_shape, first_mismatch, passed

__all__ = [
    "check_rnn_step", "check_rnn_forward", "check_rnn_backward", "check_numerical_gradient",
    "check_gradients_agree", "check_training", "addition_accuracy", "predict_sums",
]

GRADIENT_TOLERANCE = 1e-7      # relative error allowed between BPTT and central differences


# --------------------------------------------------------------------------- helpers

def _random_params(rng: np.random.Generator, D: int, H: int, O: int, scale: float = 1.0):
    """Parameters with nonzero biases and a non-symmetric W_hh, so every mistake shows."""
    return {
        "W_xh": rng.normal(0.0, scale, (D, H)),
        "W_hh": rng.normal(0.0, scale, (H, H)),
        "b_h": rng.normal(0.0, scale, H),
        "W_hy": rng.normal(0.0, scale, (H, O)),
        "b_y": rng.normal(0.0, scale, O),
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
    if not np.all(np.isfinite(np.asarray(actual, dtype=float))):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(np.asarray(actual, dtype=float)))[0])
        return f"{what} contains {np.asarray(actual, dtype=float)[index]} at index {index}."
    mismatch = first_mismatch(actual, expected, atol=atol, rtol=rtol)
    if mismatch is None:
        return None
    index, yours, wanted = mismatch
    return (f"{what} differs at index {index}: yours {yours:.6g}, expected {wanted:.6g} "
            f"(error {abs(yours - wanted):.2g}).")


def _shape(check: str, what: str, value: Any, shape: tuple[int, ...], hint: str = "") -> np.ndarray:
    """expect_shape, plus a hint when the shape is the transpose or has one extra step."""
    try:
        return expect_shape(check, what, value, shape).astype(float)
    except CheckFailed as failure:
        actual = tuple(getattr(value, "shape", ()) or ())
        extra = hint
        if len(actual) == 2 and actual == shape[::-1] and actual != shape:
            extra = " It looks transposed." + extra
        raise CheckFailed(check, failure.message + extra) from None
    except (TypeError, ValueError):
        raise CheckFailed(check, f"{what} should be a numeric array of shape {shape}, got "
                          f"{type(value).__name__}.") from None


def _unchanged(check: str, func_name: str, originals: dict[str, np.ndarray],
               arguments: dict[str, Any]) -> None:
    """Fail if the student's function changed one of its array arguments in place."""
    for name, original in originals.items():
        if not np.array_equal(np.asarray(arguments[name]), original):
            raise CheckFailed(check, f"`{func_name}` changed its argument {name} in place. "
                              "Compute new arrays instead of writing into the ones you are given.")


def _student_params(check: str, params: Any) -> dict[str, np.ndarray]:
    try:
        return ref.check_params(params)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(check, str(exc)) from None


# --------------------------------------------------------------------------- exercise 1

def check_rnn_step(rnn_step: Callable) -> None:
    """Exercise 1: h_t = sigmoid(x_t @ W_xh + h_prev @ W_hh + b_h), shape (N, H)."""
    check = "rnn_step"
    rng = np.random.default_rng(101)
    for N, D, H in [(4, 2, 16), (1, 3, 5), (3, 2, 7)]:
        args = {"x_t": rng.integers(0, 2, (N, D)).astype(float) + rng.normal(0, 0.3, (N, D)),
                "h_prev": rng.uniform(0.05, 0.95, (N, H))}
        args.update({k: v for k, v in _random_params(rng, D, H, 1).items()
                     if k in ("W_xh", "W_hh", "b_h")})
        originals = {k: v.copy() for k, v in args.items()}
        result = call_student(check, rnn_step, *args.values())
        _unchanged(check, "rnn_step", originals, args)
        h_t = _shape(check, f"h_t for N={N} sequences and H={H} hidden units", result, (N, H))
        x, h, W_xh, W_hh, b = originals.values()
        expected = ref.sigmoid(x @ W_xh + h @ W_hh + b)
        problem = _difference("h_t", h_t, expected)
        if problem is None:
            continue
        variants = [
            (np.tanh(x @ W_xh + h @ W_hh + b),
             "It matches tanh: the hidden units of this lab use the sigmoid 1 / (1 + exp(-z))."),
            (ref.sigmoid(x @ W_xh + b),
             "Your rnn_step ignores the previous state h_prev: add h_prev @ W_hh inside the sigmoid."),
            (ref.sigmoid(x @ W_xh + h @ W_hh),
             "Your rnn_step ignores the bias b_h: add it inside the sigmoid."),
            (ref.sigmoid(h @ W_hh + b),
             "Your rnn_step ignores the input x_t: add x_t @ W_xh inside the sigmoid."),
            (ref.sigmoid(x @ W_xh + h @ W_hh.T + b),
             "It matches h_prev @ W_hh.T: W_hh is used transposed; with row vectors the "
             "recurrence is h_prev @ W_hh."),
            (x @ W_xh + h @ W_hh + b,
             "It matches the pre-activation z = x_t @ W_xh + h_prev @ W_hh + b_h: apply the "
             "sigmoid to it."),
            (np.maximum(x @ W_xh + h @ W_hh + b, 0.0),
             "It matches ReLU: the hidden units of this lab use the sigmoid."),
        ]
        hint = _hint(h_t, variants) or (" Expected h_t = sigmoid(x_t @ W_xh + h_prev @ W_hh + b_h).")
        raise CheckFailed(check, f"with N={N}, D={D}, H={H}: {problem}{hint}")
    passed(check, "h_t = sigmoid(x_t W_xh + h_prev W_hh + b_h) matches on 3 random cases "
           "(batches of 4, 1 and 3).")


# --------------------------------------------------------------------------- exercise 2

def _forward_variant(X, h0, params, *, act=ref.sigmoid, state="carry", start="h0", bias=True,
                     transpose=False, reverse=False):
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
        h = act(X[t] @ params["W_xh"] + h @ W_hh + b)
        hs[t] = h
    return hs


def check_rnn_forward(rnn_forward: Callable) -> None:
    """Exercise 2: hs (T, N, H) holds h_1..h_T and ys (T, N, O) holds sigmoid(h_t W_hy + b_y)."""
    check = "rnn_forward"
    rng = np.random.default_rng(202)
    for T, N, D, H, O in [(8, 4, 2, 16, 1), (5, 3, 3, 6, 2), (3, 1, 2, 4, 1)]:
        X = rng.integers(0, 2, (T, N, D)).astype(float)
        h0 = rng.uniform(0.05, 0.95, (N, H))
        params = _random_params(rng, D, H, O)
        arguments = {"X": X, "h0": h0, **{f"params['{k}']": v for k, v in params.items()}}
        originals = {k: v.copy() for k, v in arguments.items()}
        result = call_student(check, rnn_forward, X, h0, params)
        _unchanged(check, "rnn_forward", originals,
                   {"X": X, "h0": h0, **{f"params['{k}']": v for k, v in params.items()}})
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed(check, "rnn_forward should return two arrays, (hs, ys); got "
                              f"{type(result).__name__}"
                              + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
        where = f"with T={T}, N={N}, H={H}, O={O}"
        extra = (f" hs holds the T={T} states after each step, h_1..h_T; leave h0 out."
                 if np.shape(result[0]) == (T + 1, N, H) else "")
        hs = _shape(check, f"hs ({where})", result[0], (T, N, H), extra)
        ys = _shape(check, f"ys ({where})", result[1], (T, N, O))
        expected_hs, expected_ys = ref.rnn_forward(X, h0, params)
        problem = _difference("hs", hs, expected_hs)
        if problem is not None:
            variants = [
                (_forward_variant(X, h0, params, state="h0"),
                 "Your forward pass ignores the previous state: every step starts again from "
                 "h0. Pass the state the last step produced: h = rnn_step(X[t], h, ...)."),
                (_forward_variant(X, h0, params, state="zeros"),
                 "Your forward pass ignores the previous state: every step starts from zeros. "
                 "Pass the state the last step produced: h = rnn_step(X[t], h, ...)."),
                (_forward_variant(X, h0, params, start="zeros"),
                 "Your forward pass ignores h0: the first step must start from the h0 it is "
                 "given, not from zeros."),
                (_forward_variant(X, h0, params, bias=False),
                 "Your forward pass ignores the bias b_h."),
                (_forward_variant(X, h0, params, act=np.tanh),
                 "It matches tanh: the hidden units of this lab use the sigmoid."),
                (_forward_variant(X, h0, params, transpose=True),
                 "It matches W_hh used transposed: the recurrence is h_prev @ W_hh."),
                (_forward_variant(X, h0, params, reverse=True),
                 "It matches running through time backwards: step t = 0 comes first."),
                (np.concatenate([h0[None], expected_hs[:-1]]),
                 "hs is shifted by one step: hs[t] must be the state after reading X[t] "
                 "(hs[0] = h_1, not h0)."),
            ]
            raise CheckFailed(check, f"{where}: {problem}{_hint(hs, variants)}")
        problem = _difference("ys", ys, expected_ys)
        if problem is not None:
            logits = expected_hs @ params["W_hy"] + params["b_y"]
            before = np.concatenate([h0[None], expected_hs[:-1]])
            variants = [
                (logits, "ys holds the pre-activations h_t @ W_hy + b_y: apply the sigmoid."),
                (ref.sigmoid(expected_hs @ params["W_hy"]),
                 "Your forward pass ignores the output bias b_y."),
                (ref.sigmoid(before @ params["W_hy"] + params["b_y"]),
                 "ys[t] is computed from the state before step t: use the new state h_t."),
                (np.tanh(logits), "It matches tanh: the output unit uses the sigmoid."),
            ]
            raise CheckFailed(check, f"{where}: the states hs are right but {problem}"
                              f"{_hint(ys, variants)}")
    passed(check, "hs and ys match on 3 random sequences (T = 8, 5 and 3 steps), "
           "starting from a nonzero h0.")


# --------------------------------------------------------------------------- exercise 3

_GRAD_ORDER = ("W_hy", "b_y", "W_xh", "W_hh", "b_h")   # the order in which BPTT reaches them


def _gradient_variants(X, Y, h0, hs, ys, params, name: str) -> list[tuple[np.ndarray, str]]:
    N = X.shape[1]
    right = ref._backward(X, Y, h0, hs, ys, params)[name]

    def variant(**flags):
        return ref._backward(X, Y, h0, hs, ys, params, **flags)[name]

    variants = [
        (np.zeros_like(right), f"grads['{name}'] is all zeros: every parameter, the biases "
         "included, gets its gradient."),
        (-right, "It has the opposite sign: the gradient at the output is (yhat_t - y_t) / N, "
         "not (y_t - yhat_t) / N."),
        (right * N, f"It is N = {N} times too large: the loss averages over the N sequences, "
         "so dL/dz_y[t] = (yhat_t - y_t) / N."),
        (right / N, f"It is N = {N} times too small: divide by N once, not twice."),
        (variant(accumulate="first"),
         "Only time step t = 0 contributes: sum the contributions of all T steps "
         "(grads[...] += ...), don't overwrite them."),
        (variant(accumulate="last"),
         "Only the last time step contributes: sum the contributions of all T steps."),
        (variant(carry=False),
         "The gradient does not flow back through time: dL/dh_t must also include what "
         "comes back from step t+1, dh_next = dz_h[t+1] @ W_hh.T."),
        (variant(hidden_derivative=False),
         "The sigmoid derivative is missing: dz_h = dh * h_t * (1 - h_t)."),
        (variant(output_derivative=True),
         "You multiplied (yhat_t - y_t) by the sigmoid derivative yhat_t (1 - yhat_t) too; "
         "with cross-entropy the gradient at the output pre-activation is just (yhat_t - y_t) / N."),
        (variant(previous_state=False),
         "dW_hh pairs dz_h[t] with h_t; it needs the state before the step, h_{t-1} "
         "(h0 at t = 0)."),
        (variant(initial_state=False),
         "Step t = 0 is missing from dW_hh: its previous state is h0, not zeros."),
    ]
    if right.ndim == 2 and right.shape[0] == right.shape[1]:
        variants.insert(2, (right.T, f"It is the transpose of the right gradient: "
                            f"d{name} = h_prev.T @ dz_h, summed over t."))
    return variants


def _gradient_dict(check: str, grads: Any, params: dict[str, np.ndarray], who: str) -> dict:
    if not isinstance(grads, dict):
        raise CheckFailed(check, f"{who} should return a dict of gradients with keys "
                          f"{', '.join(ref.PARAM_NAMES)}; got {type(grads).__name__}.")
    missing = [name for name in ref.PARAM_NAMES if name not in grads]
    if missing:
        raise CheckFailed(check, f"the gradients returned by {who} have no entry for "
                          f"{', '.join(missing)}.")
    return {name: _shape(check, f"grads['{name}']", grads[name], params[name].shape,
                         f" Every gradient has the shape of its parameter.")
            for name in ref.PARAM_NAMES}


def check_rnn_backward(rnn_backward: Callable) -> None:
    """Exercise 3: BPTT gives the gradient of the loss for W_xh, W_hh, b_h, W_hy and b_y."""
    check = "rnn_backward"
    rng = np.random.default_rng(303)
    for T, N, D, H, O in [(6, 3, 2, 5, 1), (8, 4, 2, 16, 1), (4, 2, 3, 4, 2)]:
        X = rng.integers(0, 2, (T, N, D)).astype(float)
        Y = rng.integers(0, 2, (T, N, O)).astype(float)
        h0 = rng.uniform(0.05, 0.95, (N, H))
        params = _random_params(rng, D, H, O, scale=0.7)
        hs, ys = ref.rnn_forward(X, h0, params)
        arguments = {"X": X, "Y": Y, "h0": h0, "hs": hs, "ys": ys,
                     **{f"params['{k}']": v for k, v in params.items()}}
        originals = {k: v.copy() for k, v in arguments.items()}
        result = call_student(check, rnn_backward, X, Y, h0, hs, ys, params)
        _unchanged(check, "rnn_backward", originals, arguments)
        grads = _gradient_dict(check, result, params, "rnn_backward")
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
        raise CheckFailed(check, f"with T={T}, N={N}, H={H}: {problem}{hint}{others}{fine}")
    passed(check, "the gradients of W_xh, W_hh, b_h, W_hy and b_y match on 3 random cases.")


# --------------------------------------------------------------------------- exercise 4

def _numgrad_variant(f, x, eps, kind):
    """The usual finite-difference mistakes, computed correctly otherwise."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        if kind == "forward":
            grad[i] = (f(plus) - f(x)) / eps
        elif kind == "backward":
            grad[i] = (f(x) - f(minus)) / eps
        elif kind == "no_half":
            grad[i] = (f(plus) - f(minus)) / eps
    return grad


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
    rnn_loss = _loss_of(X, Y, h0, params, "W_hh")
    cases = [
        ("f(x) = sum(x**3)", cubic, rng.normal(0, 1, (3, 4)), 0.1),
        ("f(x) = sum(x sin x) + (sum x)**2", smooth, rng.normal(0, 1, 5), 1e-5),
        ("the RNN loss as a function of W_hh", rnn_loss, params["W_hh"].copy(), 1e-5),
    ]
    for label, f, x, eps in cases:
        original = x.copy()
        result = call_student(check, numerical_gradient, f, x, eps)
        if not np.array_equal(x, original):
            raise CheckFailed(check, f"for {label}, numerical_gradient changed x: after "
                              "perturbing an entry, put its old value back (or work on a copy).")
        extra = " Keep x's shape: don't flatten it." if np.size(result) == x.size else ""
        grad = _shape(check, f"the gradient of {label}", result, x.shape, extra)
        expected = ref.numerical_gradient(f, x, eps)
        problem = _difference(f"for {label} with eps={eps:g}, the gradient", grad, expected,
                              atol=1e-6, rtol=1e-5)
        if problem is None:
            continue
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
        ]
        if label.startswith("f(x) = sum(x**3)"):
            variants.append((3 * x ** 2, f"It matches the exact gradient 3 x**2, not the central "
                             f"difference with eps={eps:g} (which is 3 x**2 + eps**2): use the eps "
                             "you are given instead of your own."))
        computed = np.asarray(grad) != 0
        if computed.any() and not computed.all() and np.all(expected != 0):
            first_zero = tuple(int(i) for i in np.argwhere(~computed)[0])
            variants.append((grad, f"Entries from index {first_zero} on are 0: loop over every "
                             "index of x, e.g. `for i in np.ndindex(x.shape)`."))
        raise CheckFailed(check, f"{problem}{_hint(grad, variants)}")
    passed(check, "central differences match on a cubic, a smooth function and the RNN loss "
           "(W_hh).")


def check_gradients_agree(rnn_backward: Callable, numerical_gradient: Callable,
                          eps: float = 1e-5) -> None:
    """Gradient check: your BPTT against your central differences, for all five parameters.

    Prints the relative error ||bptt - numerical|| / (||bptt|| + ||numerical||) of every
    parameter; each must be below 1e-7 (one-sided differences give about 1e-6).
    """
    check = "gradient check"
    rng = np.random.default_rng(505)
    X, Y = binary.random_batch(4, rng)
    params = ref.init_params(seed=rng)
    h0 = np.zeros((4, params["W_hh"].shape[0]))
    hs, ys = ref.rnn_forward(X, h0, params)
    grads = _gradient_dict(check, call_student(check, rnn_backward, X, Y, h0, hs, ys, params),
                           params, "rnn_backward")
    expected = ref.rnn_backward(X, Y, h0, hs, ys, params)
    rows, bad = [], []
    for name in ref.PARAM_NAMES:
        f = _loss_of(X, Y, h0, params, name)
        numeric = _shape(check, f"numerical_gradient's result for {name}",
                         call_student(check, numerical_gradient, f, params[name].copy(), eps),
                         params[name].shape)
        error = ref.relative_error(grads[name], numeric)
        rows.append(f"  {name:<5} relative error {error:.1e}")
        if not error < GRADIENT_TOLERANCE:
            bad.append((name, error, numeric))
    print("\n".join(rows))
    if bad:
        name, error, numeric = bad[0]
        index, yours, theirs = first_mismatch(grads[name], numeric, atol=0.0, rtol=0.0) or ((), 0, 0)
        bptt_right = ref.relative_error(grads[name], expected[name]) < GRADIENT_TOLERANCE
        numeric_right = ref.relative_error(numeric, expected[name]) < GRADIENT_TOLERANCE
        if bptt_right and not numeric_right:
            culprit = "Your rnn_backward is right, so numerical_gradient is the one that is off."
        elif numeric_right and not bptt_right:
            culprit = "Your numerical_gradient is right, so rnn_backward is the one that is off."
        else:
            culprit = "Both disagree with the reference: re-run the checks of Exercises 3 and 4."
        others = f" Also above {GRADIENT_TOLERANCE:g}: {', '.join(b[0] for b in bad[1:])}." if len(bad) > 1 else ""
        raise CheckFailed(check, f"for {name} your BPTT and your numerical gradient disagree: "
                          f"relative error {error:.1e} (above {GRADIENT_TOLERANCE:g}); the "
                          f"largest difference is at index {index}: BPTT {yours:.6g}, "
                          f"numerical {theirs:.6g}. {culprit}{others}")
    passed(check, f"BPTT and central differences agree on all five parameters "
           f"(relative errors below {GRADIENT_TOLERANCE:g}).")


# --------------------------------------------------------------------------- exercise 5

def _forward_all(check: str, forward: Callable, params: dict[str, np.ndarray]):
    X, Y = binary.all_pairs()
    h0 = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    result = call_student(check, forward, X, h0, params)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(check, f"`{getattr(forward, '__name__', 'forward')}` should return "
                          "(hs, ys).")
    ys = _shape(check, "ys", result[1], Y.shape)
    return X, Y, ys


def predict_sums(forward: Callable, params: dict[str, np.ndarray], a, b) -> np.ndarray:
    """The sums your network writes for a + b: runs ``forward`` (your rnn_forward) -> ints (N,).

    ``a`` and ``b`` are ints or equal-length int arrays with entries in 0..127.
    """
    check = "predict_sums"
    params = _student_params(check, params)
    X, _ = binary.encode_pairs(a, b)
    h0 = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    result = call_student(check, forward, X, h0, params)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(check, "rnn_forward should return (hs, ys).")
    ys = _shape(check, "ys", result[1], (X.shape[0], X.shape[1], 1))
    return binary.decode_outputs(ys)


def addition_accuracy(forward: Callable, params: dict[str, np.ndarray]) -> float:
    """The fraction of all 16,384 sums a + b (a, b < 128) whose 8 output bits are all right.

    ``forward`` is your rnn_forward; it runs on the whole set at once (X (8, 16384, 2)).
    """
    check = "accuracy"
    params = _student_params(check, params)
    _, Y, ys = _forward_all(check, forward, params)
    return float(ref.bits_correct(ys, Y).mean())


def check_training(train: Callable, params: dict[str, np.ndarray], history: dict,
                   **settings: Any) -> None:
    """Exercise 5: run your ``train(params, history, **settings)``, then test every sum.

    ``train`` updates ``params`` in place with plain SGD and appends each step's loss and
    batch accuracy to ``history["loss"]`` and ``history["accuracy"]``. The check passes when
    the trained network (run with the reference forward pass) gets all 16,384 sums of two
    numbers below 128 right.
    """
    check = "training"
    params = _student_params(check, params)
    if not isinstance(history, dict) or not all(
            isinstance(history.get(key), list) for key in ("loss", "accuracy")):
        raise CheckFailed(check, "history must be a dict with two lists, "
                          "{'loss': [], 'accuracy': []}.")
    before = copy.deepcopy(params)
    start = time.perf_counter()
    call_student(check, train, params, history, may_modify=(0, 1), **settings)
    seconds = time.perf_counter() - start
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
    losses = history["loss"]
    if len(losses) == 0:
        raise CheckFailed(check, "history['loss'] is empty: append the loss of every step "
                          "(and the batch accuracy to history['accuracy']).")
    if len(history["accuracy"]) != len(losses):
        raise CheckFailed(check, f"history['loss'] has {len(losses)} entries but "
                          f"history['accuracy'] has {len(history['accuracy'])}: append both "
                          "at every step.")
    X, Y = binary.all_pairs()
    hs, ys = ref.rnn_forward(X, np.zeros((X.shape[1], params["W_hh"].shape[0])), params)
    right = ref.bits_correct(ys, Y)
    if right.all():
        passed(check, f"after {len(losses)} steps ({seconds:.1f} s) all {right.size:,} sums "
               f"come out right; last batch loss {float(losses[-1]):.4f}.")
        return
    window = max(1, len(losses) // 10)
    first, last = float(np.mean(losses[:window])), float(np.mean(losses[-window:]))
    a, b = binary.decode_inputs(X)
    wrong = np.flatnonzero(~right)
    n = int(wrong[len(wrong) // 2])
    written = int(binary.decode_outputs(ys[:, n:n + 1])[0])
    example = f"e.g. {a[n]} + {b[n]} = {a[n] + b[n]}, but your network writes {written}"
    if last > first:
        hint = (f" The loss went up, from {first:.3f} to {last:.3f}: gradient descent subtracts "
                "lr * grad (are you adding it?), or the learning rate is too large.")
    else:
        hint = (f" The loss went from {first:.3f} to {last:.3f}: train for more steps or try "
                "another learning rate.")
    raise CheckFailed(check, f"after {len(losses)} steps, {wrong.size:,} of {right.size:,} sums "
                      f"still come out wrong (accuracy {right.mean():.2%}); {example}.{hint}")
