"""Lab 01's checks accept the right implementation and name each planted mistake."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from course_utils import CheckFailed
from course_utils import numpy_rnn as ref
from course_utils.binary import random_batch, training_batch
from course_utils.checks import lab01
from tests._checks import Case, squash, to_float32, to_list

sigmoid = ref.sigmoid


_RUNS: dict[tuple, list[dict]] = {}   # (the arguments of lab01._replay) -> its rows


@pytest.fixture(autouse=True, scope="module")
def one_reference_run_per_input():
    """check_training reruns the lab's loop with the reference (lab01._replay), a pure function
    of its arguments; most training tests below ask for the same run (params of seed 0, 2000
    steps). Each distinct run is computed once per worker (_RUNS outlives this fixture, which
    `make test`'s scheduler may tear down between the module's tests) and handed out as a
    fresh copy."""
    replay, runs = lab01._replay, _RUNS

    def once(params, *args, **flags):
        if not all(isinstance(v, np.ndarray) for v in params.values()):
            return replay(params, *args, **flags)
        key = (tuple((k, v.dtype.str, v.shape, v.tobytes()) for k, v in sorted(params.items())),
               tuple(map(repr, args)), tuple(sorted((k, repr(v)) for k, v in flags.items())))
        if key not in runs:
            runs[key] = replay(params, *args, **flags)
        return copy.deepcopy(runs[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lab01, "_replay", once)
        yield


def stub(*args, **kwargs):
    raise NotImplementedError("replace this line with your code")


def failure(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return squash(info.value.message)


# --------------------------------------------------------------------------- rnn_step

def test_rnn_step_accepts_the_reference(capsys):
    lab01.check_rnn_step(ref.rnn_step)
    assert "✓ rnn_step" in capsys.readouterr().out


@pytest.mark.parametrize("planted, words", [
    (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh.T + b), ["tanh", "sigmoid"]),
    (lambda x, h, Wx, Wh, b: sigmoid(x @ Wx.T + b), ["ignores the previous state h_prev"]),
    (lambda x, h, Wx, Wh, b: sigmoid(x @ Wx.T + h @ Wh.T), ["ignores the bias b_h"]),
    (lambda x, h, Wx, Wh, b: sigmoid(h @ Wh.T + b), ["ignores the input x_t"]),
    (lambda x, h, Wx, Wh, b: sigmoid(x @ Wx.T + h @ Wh + b),
     ["h_prev @ W_hh, without the transpose", "W_hh is square"]),
    (lambda x, h, Wx, Wh, b: x @ Wx.T + h @ Wh.T + b, ["pre-activation", "apply the sigmoid"]),
    (lambda x, h, Wx, Wh, b: np.maximum(x @ Wx.T + h @ Wh.T + b, 0), ["ReLU"]),
])
def test_rnn_step_names_the_mistake(planted, words):
    message = failure(lab01.check_rnn_step, planted)
    assert "h_t differs at index (" in message and "expected" in message
    for word in words:
        assert word in message


def test_rnn_step_without_a_hint_says_what_differs():
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: sigmoid(x @ Wx.T + h @ Wh.T + 2 * b))
    assert "h_t differs at index (" in message and "Expected h_t = sigmoid(" in message


def test_rnn_step_wrong_shape_type_and_dtype():
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: ref.rnn_step(x, h, Wx, Wh, b).T)
    assert "shape (16, 4)" in message and "expected (4, 16)" in message and "transposed" in message
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: ref.rnn_step(x, h, Wx, Wh, b)[0])
    assert "shape (16,)" in message and "expected (4, 16)" in message
    message = failure(lab01.check_rnn_step,
                      lambda x, h, Wx, Wh, b: ref.rnn_step(x, h, Wx, Wh, b).astype(np.float32))
    assert "dtype float32, expected float64" in message and "1e-7" in message
    message = failure(lab01.check_rnn_step, lambda *a: ref.rnn_step(*a).tolist())
    assert "should be a NumPy array, got list" in message


def test_rnn_step_with_the_old_layout_is_told_about_the_transposes():
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: sigmoid(x @ Wx + h @ Wh + b))
    assert "raised ValueError" in message and "x_t @ W_xh.T + h_prev @ W_hh.T" in message


def test_rnn_step_in_place_update_is_reported():
    def in_place(x, h, Wx, Wh, b):
        h[:] = sigmoid(x @ Wx.T + h @ Wh.T + b)
        return h
    message = failure(lab01.check_rnn_step, in_place)
    assert "changed its argument `h` in place" in message


def test_rnn_step_stub_and_crash():
    assert "not implemented yet" in failure(lab01.check_rnn_step, stub)
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: x.undefined)
    assert "raised AttributeError" in message


# --------------------------------------------------------------------------- rnn_forward

def _forward(step=ref.rnn_step, *, restart=None, start_zero=False, out=sigmoid, use_by=True,
             keep_h0=False, shift=False):
    def forward(X, h0, params):
        h = np.zeros_like(h0) if start_zero else h0
        hs, ys = [h0] if keep_h0 else [], []
        for t in range(X.shape[0]):
            if restart == "h0":
                h = h0
            previous = h
            h = step(X[t], h, params["W_xh"], params["W_hh"], params["b_h"])
            hs.append(previous if shift else h)
            ys.append(out(h @ params["W_hy"].T + (params["b_y"] if use_by else 0.0)))
        return np.stack(hs), np.stack(ys)
    return forward


def _scaffold_forward(*, last=None, stop=0):
    """The lab's scaffold (hs, ys preallocated with zeros) with a slip: ys[t] read from
    hs[t - 1] while the loop runs (last="during") or after it (last="after"), or the loop
    stopping `stop` steps early."""
    def forward(X, h0, params):
        T, B, _ = X.shape
        hs, ys = np.zeros((T, B, params["W_hh"].shape[0])), np.zeros((T, B, 1))
        h = h0
        for t in range(T - stop):
            h = ref.rnn_step(X[t], h, params["W_xh"], params["W_hh"], params["b_h"])
            hs[t] = h
            if last != "after":
                state = hs[t - 1] if last == "during" else h
                ys[t] = sigmoid(state @ params["W_hy"].T + params["b_y"])
        if last == "after":
            for t in range(T):
                ys[t] = sigmoid(hs[t - 1] @ params["W_hy"].T + params["b_y"])
        return hs, ys
    return forward


def test_rnn_forward_accepts_the_reference(capsys):
    lab01.check_rnn_forward(ref.rnn_forward)
    lab01.check_rnn_forward(_forward())
    assert capsys.readouterr().out.count("✓ rnn_forward") == 2


@pytest.mark.parametrize("planted, words", [
    (_forward(restart="h0"), ["ignores the previous state", "every step starts again from h0"]),
    (_forward(start_zero=True), ["ignores h0"]),
    (_forward(step=lambda x, h, Wx, Wh, b: sigmoid(x @ Wx.T + h @ Wh.T)), ["ignores the bias b_h"]),
    (_forward(step=lambda x, h, Wx, Wh, b: np.tanh(x @ Wx.T + h @ Wh.T + b)), ["tanh"]),
    (_forward(step=lambda x, h, Wx, Wh, b: sigmoid(x @ Wx.T + h @ Wh + b)),
     ["h @ W_hh without the transpose"]),
    (_forward(shift=True), ["shifted by one step"]),
    (_forward(out=lambda z: z), ["the states hs are right", "ys differs at index", "logits",
                                 "apply the sigmoid"]),
    (_forward(use_by=False), ["ignores the output bias b_y"]),
    (_scaffold_forward(last="during"), ["the states hs are right", "ys[i] is computed from the "
                                        "state before the step", "still zeros when index 0 runs"]),
    (_scaffold_forward(last="after"), ["the states hs are right", "hs[-1], the LAST state"]),
    (_scaffold_forward(stop=1), ["hs differs at index (7,", "hs[7] is still zeros",
                                 "the last step is never computed", "range(T), not range(T - 1)"]),
])
def test_rnn_forward_names_the_mistake(planted, words):
    message = failure(lab01.check_rnn_forward, planted)
    for word in words:
        assert word in message


def test_rnn_forward_shapes_and_return_value():
    message = failure(lab01.check_rnn_forward, _forward(keep_h0=True))
    assert "shape (9, 4, 16)" in message and "expected (8, 4, 16)" in message
    assert "leave h0 out" in message
    message = failure(lab01.check_rnn_forward, lambda X, h0, p: ref.rnn_forward(X, h0, p)[0])
    assert "should return two arrays, (hs, ys)" in message
    message = failure(lab01.check_rnn_forward,
                      lambda X, h0, p: (ref.rnn_forward(X, h0, p)[0], ref.rnn_forward(X, h0, p)[1][-1]))
    assert "ys" in message and "shape (4, 1)" in message and "expected (8, 4, 1)" in message


def test_rnn_forward_stub():
    assert "not implemented yet" in failure(lab01.check_rnn_forward, stub)


# --------------------------------------------------------------------------- rnn_backward

def _backward(**flags):
    return lambda X, Y, h0, hs, ys, params: ref._backward(X, Y, h0, hs, ys, params, **flags)


def _edit(name, change):
    def backward(X, Y, h0, hs, ys, params):
        grads = ref.rnn_backward(X, Y, h0, hs, ys, params)
        grads[name] = change(grads[name], X.shape[1])
        return grads
    return backward


def _wrapping_backward(X, Y, h0, hs, ys, params):
    """BPTT as students write it, reading hs[t - 1] at every step, t = 0 included."""
    T, B, _ = X.shape
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dl = (ys[t] - Y[t]) / B
        grads["W_hy"] += dl.T @ hs[t]
        grads["b_y"] += dl.sum(axis=0)
        delta = (dl @ params["W_hy"] + dh_next) * hs[t] * (1 - hs[t])
        grads["W_xh"] += delta.T @ X[t]
        grads["W_hh"] += delta.T @ hs[t - 1]           # hs[-1] at t = 0: the last state
        grads["b_h"] += delta.sum(axis=0)
        dh_next = delta @ params["W_hh"]
    return grads


def test_rnn_backward_accepts_the_reference(capsys):
    lab01.check_rnn_backward(ref.rnn_backward)
    assert "✓ rnn_backward" in capsys.readouterr().out


@pytest.mark.parametrize("planted, words", [
    (_backward(accumulate="first"), ["W_hy", "Only index 0 (the first step) contributes",
                                     "sum the contributions of all T steps"]),
    (_backward(carry=False), ["W_xh", "does not flow back through time", "Also wrong: W_hh, b_h",
                              "(W_hy, b_y are right.)"]),
    (_edit("W_hh", lambda g, B: g.T), ["W_hh", "transpose"]),
    (_edit("b_h", lambda g, B: np.zeros_like(g)), ["b_h", "all zeros"]),
    (_edit("W_hy", lambda g, B: g * B), ["W_hy", "B = 3 times too large"]),
    (_backward(hidden_derivative=None), ["W_xh", "sigmoid derivative is missing"]),
    (_backward(hidden_derivative="tanh"), ["W_xh", "tanh derivative 1 - h_t**2", "(W_hy, b_y are "
                                           "right.)"]),
    (_backward(hidden_derivative="ys"), ["W_xh", "taken from the outputs, ys * (1 - ys)"]),
    (_backward(hidden_derivative="h_prev"), ["W_xh", "taken at the previous state",
                                             "not h_prev"]),
    (_backward(order="forward"), ["W_xh", "loop that runs forward", "for i in reversed(range(T))"]),
    (_backward(output_derivative=True), ["W_hy", "yhat_t (1 - yhat_t)"]),
    (_backward(previous_state=False), ["W_hh", "h_{t-1}"]),
    (_backward(initial_state="zeros"), ["W_hh", "The first step (index 0) is missing",
                                        "its previous state is h0, not zeros"]),
    (_wrapping_backward, ["the gradient for W_hh", "hs[i - 1] = hs[-1], the LAST state",
                          "h_prev = hs[i - 1] if i > 0 else h0", "(W_hy, b_y, W_xh, b_h are right.)"]),
    (_backward(carry_before_derivative=True), ["W_xh", "dh_next is taken before the sigmoid "
                                               "derivative", "not dh @ W_hh"]),
    (_backward(carry_transposed=True), ["W_xh", "dh_next uses W_hh transposed",
                                        "dh_next = delta @ W_hh"]),
])
def test_rnn_backward_names_parameter_index_and_error(planted, words):
    message = failure(lab01.check_rnn_backward, planted)
    assert "differs at index (" in message and "error" in message and "expected" in message
    for word in words:
        assert word in message


def test_rnn_backward_shape_error_gets_the_backward_hint():
    """A matmul that refuses its shapes in BPTT is told the backward products in rows."""
    def columns(X, Y, h0, hs, ys, params):
        grads = ref.rnn_backward(X, Y, h0, hs, ys, params)
        params["W_hy"] @ (ys[0] - Y[0])                      # W_hy^T dl written in columns
        return grads
    message = failure(lab01.check_rnn_backward, columns)
    assert "raised ValueError" in message and "matmul" in message
    assert "W_hy^T·dl becomes dl @ W_hy" in message and "W_hh^T·delta becomes delta @ W_hh" in message
    assert "x_t @ W_xh.T + h_prev @ W_hh.T" not in message     # not the forward step's hint


def test_rnn_backward_each_hint_is_given_only_for_its_own_mistake():
    """A gradient off in an unplanted way gets no hint: the message says what differs, where."""
    message = failure(lab01.check_rnn_backward, _edit("W_xh", lambda g, B: g + 0.01))
    assert "the gradient for W_xh differs at index" in message
    for hint in ("LAST state", "before the sigmoid", "transposed", "times too", "missing"):
        assert hint not in message


def test_rnn_backward_shape_keys_and_dtype():
    message = failure(lab01.check_rnn_backward, _edit("b_h", lambda g, B: g[None, :]))
    assert "grads['b_h'] has shape (1, 5)" in message and "expected (5,)" in message
    message = failure(lab01.check_rnn_backward, _edit("W_hy", lambda g, B: g.T))
    assert "grads['W_hy'] has shape (5, 1), expected (1, 5)" in message and "transposed" in message
    message = failure(lab01.check_rnn_backward, _edit("W_xh", lambda g, B: g.astype(np.float32)))
    assert "grads['W_xh'] has dtype float32, expected float64" in message

    def no_bias(X, Y, h0, hs, ys, params):
        grads = ref.rnn_backward(X, Y, h0, hs, ys, params)
        del grads["b_y"]
        return grads
    assert "no entry for b_y" in failure(lab01.check_rnn_backward, no_bias)
    assert "should return a dict" in failure(
        lab01.check_rnn_backward, lambda *a: list(ref.rnn_backward(*a).values()))


def test_rnn_backward_stub():
    assert "not implemented yet" in failure(lab01.check_rnn_backward, stub)


# --------------------------------------------------------------------------- numerical_gradient

def _numgrad(kind):
    def numerical_gradient(f, x, eps=1e-5):
        x = np.array(x, dtype=float)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            if kind == "first_row" and i[0] > 0:
                continue
            plus, minus = x.copy(), x.copy()
            plus[i] += eps
            minus[i] -= eps
            if kind == "forward":
                grad[i] = (f(plus) - f(x)) / eps
            elif kind == "no_half":
                grad[i] = (f(plus) - f(minus)) / eps
            elif kind == "flipped":
                grad[i] = (f(minus) - f(plus)) / (2 * eps)
            elif kind == "precedence":
                grad[i] = (f(plus) - f(minus)) / 2 * eps
            elif kind == "own_eps":
                plus[i], minus[i] = x[i] + 1e-6, x[i] - 1e-6
                grad[i] = (f(plus) - f(minus)) / 2e-6
            else:
                grad[i] = (f(plus) - f(minus)) / (2 * eps)
        return grad.ravel() if kind == "flat" else grad
    return numerical_gradient


def _all_at_once(f, x, eps=1e-5):
    return np.full(np.shape(x), (f(x + eps) - f(x - eps)) / (2 * eps))


def _no_restore_on_the_callers_x(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        grad[i] = (f_plus - f(x)) / (2 * eps)
    return grad


def _no_restore_on_a_copy(f, x, eps=1e-5):
    """The lab's scaffold copies x; this loop forgets `x[i] = old` inside the copy."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _aliased(*, call_between):
    """plus = x and minus = x without copying: with f called between the two nudges, f(minus)
    sees x itself; with both calls at the end, both see x."""
    def numerical_gradient(f, x, eps=1e-5):
        x = np.array(x, dtype=float)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            plus = x
            plus[i] += eps
            f_plus = f(plus) if call_between else None
            minus = x
            minus[i] -= eps
            if not call_between:
                f_plus = f(plus)
            grad[i] = (f_plus - f(minus)) / (2 * eps)
        return grad
    return numerical_gradient


def test_numerical_gradient_accepts_the_reference(capsys):
    lab01.check_numerical_gradient(ref.numerical_gradient)
    lab01.check_numerical_gradient(_numgrad("right"))
    assert capsys.readouterr().out.count("✓ numerical_gradient") == 2


@pytest.mark.parametrize("planted, words", [
    (_numgrad("forward"), ["eps=0.1", "one-sided difference", "(f(x + eps) - f(x - eps)) / (2 eps)"]),
    (_numgrad("no_half"), ["eps=0.1", "twice the right value", "2 * eps"]),
    (_all_at_once, ["eps=0.1", "same number", "one entry at a time"]),
    (_numgrad("own_eps"), ["eps=0.1", "use the eps you are given"]),
    (_numgrad("first_row"), ["eps=0.1", "Entries from index (1, 0) on are 0", "np.ndindex"]),
    (_no_restore_on_a_copy, ["eps=1e-05", "does not put x[i] back", "looks like rounding",
                             "x[i] = old"]),
    (_numgrad("flipped"), ["eps=0.1", "opposite sign", "the value at x + eps first"]),
    (_numgrad("precedence"), ["eps=0.1", "eps**2 = 0.01 times the right value", "/ (2 * eps)"]),
    (_aliased(call_between=True), ["eps=0.1", "half the one-sided difference",
                                   "assignment does not copy", "x.copy()"]),
    (_aliased(call_between=False), ["eps=0.1", "Every entry is 0", "grad[i] is never set",
                                    "assignment does not copy"]),
])
def test_numerical_gradient_names_the_mistake(planted, words):
    message = failure(lab01.check_numerical_gradient, planted)
    assert "differs at index (" in message
    for word in words:
        assert word in message


def test_numerical_gradient_mutation_shape_type_and_stub():
    assert "changed its argument `x`" in failure(lab01.check_numerical_gradient,
                                                 _no_restore_on_the_callers_x)
    message = failure(lab01.check_numerical_gradient, _numgrad("flat"))
    assert "shape (12,)" in message and "expected (3, 4)" in message and "flatten" in message
    message = failure(lab01.check_numerical_gradient, lambda f, x, eps: ref.numerical_gradient(f, x, eps).tolist())
    assert "should be a NumPy array, got list" in message
    assert "not implemented yet" in failure(lab01.check_numerical_gradient, stub)


# --------------------------------------------------------------------------- gradient check

def test_gradients_agree_accepts_the_reference(capsys):
    lab01.check_gradients_agree(ref.rnn_backward, ref.numerical_gradient)
    out = capsys.readouterr().out
    assert "✓ gradient check" in out and "W_hh  relative error" in out


def test_gradients_agree_blames_the_right_function():
    message = failure(lab01.check_gradients_agree, _backward(carry=False), ref.numerical_gradient)
    assert "for W_xh your BPTT and your numerical gradient disagree" in message
    assert "rnn_backward is the one that is off" in message and "Also above" in message
    message = failure(lab01.check_gradients_agree, ref.rnn_backward, _numgrad("forward"))
    assert "numerical_gradient is the one that is off" in message and "one-sided" in message
    message = failure(lab01.check_gradients_agree, ref.rnn_backward, _numgrad("no_half"))
    assert "relative error 5.0e-01" in message and "index (" in message   # ||g|| / ||2g||
    message = failure(lab01.check_gradients_agree, ref.rnn_backward, _no_restore_on_a_copy)
    assert "numerical_gradient is the one that is off" in message and "x[i] back" in message
    message = failure(lab01.check_gradients_agree, _backward(carry=False), _numgrad("no_half"))
    assert "Both disagree" in message


def test_gradients_agree_fails_two_functions_wrong_in_the_same_way():
    """BPTT negated and the difference taken the other way round agree with each other."""
    def negated(X, Y, h0, hs, ys, params):
        return {name: -g for name, g in ref.rnn_backward(X, Y, h0, hs, ys, params).items()}
    message = failure(lab01.check_gradients_agree, negated, _numgrad("flipped"))
    assert "agree with each other" in message and "both are wrong in the same way" in message.lower()
    assert "opposite sign" in message and "Exercises 3 and 4" in message
    message = failure(lab01.check_gradients_agree, _backward(hidden_derivative="tanh"),
                      ref.numerical_gradient)
    assert "disagree" in message and "rnn_backward is the one that is off" in message


def test_gradients_agree_backward_shape_error_gets_the_backward_hint():
    def columns(X, Y, h0, hs, ys, params):
        return {"W_hh": params["W_hh"] @ (ys[0] - Y[0])}
    message = failure(lab01.check_gradients_agree, columns, ref.numerical_gradient)
    assert "dl @ W_hy" in message and "delta @ W_hh" in message


def test_gradients_agree_stubs_and_float32():
    assert "`stub` is not implemented yet" in failure(lab01.check_gradients_agree, stub,
                                                      ref.numerical_gradient)
    assert "not implemented yet" in failure(lab01.check_gradients_agree, ref.rnn_backward, stub)
    message = failure(lab01.check_gradients_agree, ref.rnn_backward,
                      lambda f, x, eps: ref.numerical_gradient(f, x, eps).astype(np.float32))
    assert "numerical_gradient's result for W_xh has dtype float32, expected float64" in message


# --------------------------------------------------------------------------- training

def _train(*, sign=-1.0, skip=(), steps=2000, rebind=False, log=True, accuracy="per sum",
           one_batch=False, log_twice=False, draw=training_batch, carry_from=None, rate=None,
           loss_scale=1.0, log_after=False):
    """The lab's loop, with one planted slip at a time."""
    def train(params, history, steps=steps, batch_size=16, lr=0.5, seed=0):
        rng = np.random.default_rng(seed)
        zeros = np.zeros((batch_size, params["W_hh"].shape[0]))
        h0 = zeros
        X, Y = draw(batch_size, rng)                         # the first batch
        for step in range(steps):
            if step and not one_batch:
                X, Y = draw(batch_size, rng)
            hs, ys = ref.rnn_forward(X, h0, params)
            grads = ref.rnn_backward(X, Y, h0, hs, ys, params)
            for name, value in params.items():
                if rebind:
                    value = value + sign * (rate or lr) * grads[name]
                elif name not in skip:
                    value += sign * (rate or lr) * grads[name]
            after = ref.rnn_forward(X, h0, params)[1]        # the same batch after the update
            if log:
                right = ((after if log_after else ys) > 0.5) == (Y > 0.5)
                for _repeat in range(2 if log_twice else 1):
                    logged = after if log_after == "both" else ys
                    history["loss"].append(loss_scale * ref.bce_loss(logged, Y))
                    history["accuracy"].append({
                        "per sum": right.all(axis=(0, 2)).mean(), "per bit": right.mean(),
                        "per position": right.all(axis=(1, 2)).mean()}[accuracy])
            if carry_from is not None and step + 1 >= carry_from:
                h0 = hs[-1]                                  # the state carried to the next batch
    return train


def _run(planted, params=None, history=None, **settings):
    params = ref.init_params(seed=0) if params is None else params
    history = {"loss": [], "accuracy": []} if history is None else history
    return failure(lab01.check_training, planted, params, history, **settings)


def test_training_accepts_the_reference_and_a_lab_style_loop(capsys):
    history = {"loss": [], "accuracy": []}
    lab01.check_training(_train(), ref.init_params(seed=0), history, steps=2000)
    lab01.check_training(ref.train, ref.init_params(seed=0), {"loss": [], "accuracy": []},
                         steps=2000, batch_size=16, lr=0.5, seed=0)
    out = squash(capsys.readouterr().out)
    assert out.count("all 16,384 sums come out right") == 2
    assert out.count("each of your 2000 steps logs what the lab's loop logs") == 2
    assert len(history["loss"]) == 2000


@pytest.mark.parametrize("planted, words", [
    (_train(rebind=True), ["left every parameter unchanged", "in place"]),
    (_train(skip=("b_h", "b_y")), ["never changed b_h, b_y", "biases"]),
    (_train(sign=+1.0, steps=300), ["history['loss'][1]", "(index 0 agrees)",
                                    "moves params by +lr * grads", "subtracts"]),
    (_train(steps=20), ["after 20 steps", "of 16,384 sums still come out wrong",
                        "your network writes", "more steps"]),
    (_train(log=False, steps=5), ["history['loss'] is empty"]),
    (_train(accuracy="per bit"), ["history['accuracy'][0]", "fraction of BITS",
                                  "fraction of SUMS whose 8 bits are all right"]),
    (_train(accuracy="per position"), ["history['accuracy'][40]", "T bit positions",
                                       "axes are swapped", "axis=(0, 2)"]),
    (_train(log_after="accuracy"), ["history['accuracy'][", "accuracy measured after the update",
                                    "before the update"]),
    (_train(log_after="both"), ["history['loss'][0]", "loss measured after the update"]),
    (_train(one_batch=True, steps=300), ["history['loss'][1]", "draws one batch and reuses it"]),
    (_train(log_twice=True, steps=100), ["train logged 200 losses for steps=100",
                                         "one loss and one accuracy per step"]),
    (_train(rate=0.1), ["history['loss'][1]", "(index 0 agrees)", "moves params by -0.1 * grads",
                        "lr = 0.5", "use the lr argument"]),
    (_train(carry_from=1), ["history['loss'][1]", "carries the state from one batch to the next",
                            "starts from the zero state h0"]),
    (_train(draw=random_batch), ["history['loss'][0]", "random_batch", "held-out",
                                 "training_batch(batch_size, rng)"]),
    (_train(loss_scale=1 / 8), ["history['loss'][0]", "divided by T = 8", "mean over the T steps",
                                "bce_loss(ys, Y)"]),
    (_train(loss_scale=16), ["history['loss'][0]", "multiplied by B = 16", "sum over the B sums"]),
    (_train(loss_scale=1 / 128), ["history['loss'][0]", "divided by T·B = 128"]),
])
def test_training_names_the_mistake(planted, words):
    message = _run(planted)
    for word in words:
        assert word in message


def test_training_history_tolerance_leaves_room_for_rounding():
    """The rerun's tolerance (1e-6) is far above what rounding does over the lab's 2000 steps:
    initial weights changed by 1e-15 (relative) move no logged loss by more than 1e-9."""
    params = ref.init_params(seed=0)
    nudged = {name: value * (1 + 1e-15 * np.random.default_rng(1).standard_normal(value.shape))
              for name, value in params.items()}
    logs = [{"loss": [], "accuracy": []}, {"loss": [], "accuracy": []}]
    ref.train(params, logs[0])
    ref.train(nudged, logs[1])
    assert np.allclose(logs[0]["loss"], logs[1]["loss"], rtol=1e-9, atol=0)
    assert logs[0]["accuracy"] == logs[1]["accuracy"]


def test_training_a_scaled_loss_by_another_factor_gets_no_guess():
    message = _run(_train(loss_scale=0.3))
    assert "history['loss'][0] is" in message and "logs" in message
    for guess in ("divided by", "multiplied by", "random_batch", "carries", "reuses"):
        assert guess not in message


def test_training_that_cannot_be_rerun_is_not_told_to_train_longer_when_batches_go_well():
    """Batch accuracy high, all-sums accuracy low (the state carried across batches). With a
    Generator for a seed the reference cannot rerun the loop, so only the evidence after
    training can speak, and it must not say "more steps"."""
    message = _run(_train(carry_from=1), seed=np.random.default_rng(0))
    assert "does well on the batches it trained on" in message
    assert "start from the zero state h0" in message and "more steps" not in message


def test_training_per_bit_accuracy_is_caught_without_the_labs_batches():
    """A loop that draws its batches elsewhere still cannot log per-bit accuracy unnoticed."""
    def other_batches(params, history, steps=2000, batch_size=16, lr=0.5, seed=0):
        ref.train(params, history, steps, batch_size, lr, seed + 1)
        history["accuracy"][:] = [a + 1 / 128 if a < 1 else a for a in history["accuracy"]]
    message = _run(other_batches)
    assert "history['loss'][0]" in message and "generator" in message
    with pytest.raises(CheckFailed, match="not a whole number of sums out of batch_size=16"):
        lab01._check_whole_sums("training", [0.5, 0.5 + 1 / 128], 16)


def test_training_a_second_run_on_stale_state_says_to_rerun_the_cell():
    """Issue 16: the student fixes train but re-runs only the check cell."""
    params, history = ref.init_params(seed=0), {"loss": [], "accuracy": []}
    first = _run(_train(sign=+1.0, steps=300), params, history)
    assert "subtracts" in first
    message = _run(_train(), params, history)
    assert "history already holds 300 entries before this run" in message
    assert "may have changed params too" in message
    assert "Re-run the cell that creates params and history" in message
    assert "subtracts" not in message
    history = {"loss": [], "accuracy": []}
    params["W_hh"][0, 0] = np.nan
    message = _run(_train(), params, history)
    assert "params holds inf or nan before training" in message and "re-run the cell" in message


def test_training_stale_state_after_a_crash_counts_one_entry():
    """A train that crashed after logging one step: "1 entry", and params only "may" have changed."""
    def crashes(params, history, steps=2000, batch_size=16, lr=0.5, seed=0):
        history["loss"].append(1.0)
        raise RuntimeError("boom")
    params, history = ref.init_params(seed=0), {"loss": [], "accuracy": []}
    assert "raised RuntimeError" in _run(crashes, params, history)
    message = _run(_train(), params, history)
    assert "history already holds 1 entry before this run" in message
    assert "may have changed params" in message and "entries" not in message


def test_training_ignoring_the_seed_is_named():
    def own_rng(params, history, steps=2000, batch_size=16, lr=0.5, seed=0):
        ref.train(params, history, steps, batch_size, lr, seed=1234)
    message = _run(own_rng)
    assert "history['loss'][0]" in message and "np.random.default_rng(seed)" in message


def test_training_bad_arguments_and_stub():
    assert "history must be a dict" in failure(lab01.check_training, _train(), ref.init_params(), [])
    assert "params is missing" in failure(lab01.check_training, _train(),
                                          {"W_xh": np.zeros((3, 2))}, {"loss": [], "accuracy": []})
    assert "not implemented yet" in failure(lab01.check_training, stub, ref.init_params(),
                                            {"loss": [], "accuracy": []})


@pytest.fixture(scope="module")
def trained():
    params = ref.init_params(seed=0)
    ref.train(params, {"loss": [], "accuracy": []})
    return params


def test_accuracy_and_predictions(trained):
    assert lab01.addition_accuracy(ref.rnn_forward, trained) == 1.0
    assert lab01.addition_accuracy(ref.rnn_forward, ref.init_params(seed=3)) < 0.1
    assert list(lab01.predict_sums(ref.rnn_forward, trained, [11, 127, 0], [6, 127, 0])) == [17, 254, 0]
    assert "not implemented yet" in failure(lab01.addition_accuracy, stub, trained)
    assert "not implemented yet" in failure(lab01.predict_sums, stub, trained, 1, 2)
    message = failure(lab01.addition_accuracy, lambda X, h0, p: ref.rnn_forward(X, h0, p)[1], trained)
    assert "should return two arrays, (hs, ys)" in message
    with pytest.raises(ValueError, match="a must lie in 0..127"):
        lab01.predict_sums(ref.rnn_forward, trained, 128, 0)
    assert "params must be a dict" in failure(lab01.addition_accuracy, ref.rnn_forward, [1, 2])
    shapes = []

    def recording(X, h0, params):
        shapes.append(X.shape)
        return ref.rnn_forward(X, h0, params)
    assert lab01.addition_accuracy(recording, trained, held_out=True) == 1.0
    assert shapes == [(8, 2048, 2)]


@pytest.mark.parametrize("check", [lab01.check_rnn_step, lab01.check_rnn_forward,
                                   lab01.check_rnn_backward, lab01.check_numerical_gradient])
def test_checks_want_a_function(check):
    assert "expected a function, got int" in failure(check, 42)


# ------------------------------------------------------------------ the systematic layer
# Converters for results that are not a single array (the lab relies on float64 NumPy arrays).
def pair_as_lists(result):
    return result[0].tolist(), result[1].tolist()


def pair_as_float32(result):
    return result[0].astype(np.float32), result[1].astype(np.float32)


def grads_as_lists(grads):
    return {name: value.tolist() for name, value in grads.items()}


def grads_as_float32(grads):
    return {name: value.astype(np.float32) for name, value in grads.items()}


ARRAY_RETURNS = [(to_list, "should be a NumPy array, got list"), (to_float32, "expected float64")]

CASES = [
    Case(lab01.check_rnn_step, ref.rnn_step, mutable=(0, 1, 2, 3, 4), returns=ARRAY_RETURNS),
    Case(lab01.check_rnn_forward, ref.rnn_forward, mutable=(0, 1, 2),
         returns=[(pair_as_lists, "should be a NumPy array, got list"),
                  (pair_as_float32, "dtype float32, expected float64")]),
    Case(lab01.check_rnn_backward, ref.rnn_backward, mutable=(0, 1, 2, 3, 4, 5),
         returns=[(grads_as_lists, "should be a NumPy array, got list"),
                  (grads_as_float32, "dtype float32, expected float64")]),
    Case(lab01.check_numerical_gradient, ref.numerical_gradient, mutable=(1,), returns=ARRAY_RETURNS),
    Case(lab01.check_gradients_agree, ref.rnn_backward, mutable=(0, 1, 2, 3, 4, 5),
         returns=[(grads_as_float32, "dtype float32, expected float64")],
         run=lambda student: lab01.check_gradients_agree(student, ref.numerical_gradient),
         id="check_gradients_agree-backward"),
    Case(lab01.check_gradients_agree, ref.numerical_gradient, mutable=(1,), returns=ARRAY_RETURNS,
         run=lambda student: lab01.check_gradients_agree(ref.rnn_backward, student),
         id="check_gradients_agree-numerical"),
    # train changes params and history by design; it draws its batches from `seed`
    Case(lab01.check_training, ref.train, rng="seed", rng_words="generator",
         run=lambda student: lab01.check_training(student, ref.init_params(seed=0),
                                                  {"loss": [], "accuracy": []}, steps=2000,
                                                  batch_size=16, lr=0.5, seed=0)),
]
