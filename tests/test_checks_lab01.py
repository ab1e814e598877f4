"""Lab 01's checks accept the right implementation and name each planted mistake."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import CheckFailed
from course_utils import numpy_rnn as ref
from course_utils.binary import random_batch
from course_utils.checks import lab01

sigmoid = ref.sigmoid


def stub(*args, **kwargs):
    raise NotImplementedError("replace this line with your code")


def failure(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return info.value.message


# --------------------------------------------------------------------------- rnn_step

def test_rnn_step_accepts_the_reference(capsys):
    lab01.check_rnn_step(ref.rnn_step)
    assert "✓ rnn_step" in capsys.readouterr().out


@pytest.mark.parametrize("planted, words", [
    (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b), ["tanh", "sigmoid"]),
    (lambda x, h, Wx, Wh, b: sigmoid(x @ Wx + b), ["ignores the previous state h_prev"]),
    (lambda x, h, Wx, Wh, b: sigmoid(x @ Wx + h @ Wh), ["ignores the bias b_h"]),
    (lambda x, h, Wx, Wh, b: sigmoid(h @ Wh + b), ["ignores the input x_t"]),
    (lambda x, h, Wx, Wh, b: sigmoid(x @ Wx + h @ Wh.T + b), ["W_hh is used transposed"]),
    (lambda x, h, Wx, Wh, b: x @ Wx + h @ Wh + b, ["pre-activation", "apply the sigmoid"]),
])
def test_rnn_step_names_the_mistake(planted, words):
    message = failure(lab01.check_rnn_step, planted)
    assert "h_t differs at index (" in message and "expected" in message
    for word in words:
        assert word in message


def test_rnn_step_wrong_shape_names_both_shapes():
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: ref.rnn_step(x, h, Wx, Wh, b).T)
    assert "shape (16, 4)" in message and "expected (4, 16)" in message and "transposed" in message
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: ref.rnn_step(x, h, Wx, Wh, b)[0])
    assert "shape (16,)" in message and "expected (4, 16)" in message


def test_rnn_step_in_place_update_is_reported():
    def in_place(x, h, Wx, Wh, b):
        h[:] = sigmoid(x @ Wx + h @ Wh + b)
        return h
    message = failure(lab01.check_rnn_step, in_place)
    assert "changed its argument `h` in place" in message


def test_rnn_step_stub_and_crash():
    assert "not implemented yet" in failure(lab01.check_rnn_step, stub)
    message = failure(lab01.check_rnn_step, lambda x, h, Wx, Wh, b: Wx @ x)
    assert "raised ValueError" in message


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
            ys.append(out(h @ params["W_hy"] + (params["b_y"] if use_by else 0.0)))
        return np.stack(hs), np.stack(ys)
    return forward


def test_rnn_forward_accepts_the_reference(capsys):
    lab01.check_rnn_forward(ref.rnn_forward)
    lab01.check_rnn_forward(_forward())
    assert capsys.readouterr().out.count("✓ rnn_forward") == 2


@pytest.mark.parametrize("planted, words", [
    (_forward(restart="h0"), ["ignores the previous state", "every step starts again from h0"]),
    (_forward(start_zero=True), ["ignores h0"]),
    (_forward(step=lambda x, h, Wx, Wh, b: sigmoid(x @ Wx + h @ Wh)), ["ignores the bias b_h"]),
    (_forward(step=lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b)), ["tanh"]),
    (_forward(shift=True), ["shifted by one step"]),
    (_forward(out=lambda z: z), ["the states hs are right", "ys differs at index",
                                 "pre-activations", "apply the sigmoid"]),
    (_forward(use_by=False), ["ignores the output bias b_y"]),
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


def test_rnn_backward_accepts_the_reference(capsys):
    lab01.check_rnn_backward(ref.rnn_backward)
    assert "✓ rnn_backward" in capsys.readouterr().out


@pytest.mark.parametrize("planted, words", [
    (_backward(accumulate="first"), ["W_hy", "Only time step t = 0 contributes",
                                     "sum the contributions of all T steps"]),
    (_backward(carry=False), ["W_xh", "does not flow back through time", "Also wrong: W_hh, b_h",
                              "(W_hy, b_y are right.)"]),
    (_edit("W_hh", lambda g, N: g.T), ["W_hh", "transpose"]),
    (_edit("b_h", lambda g, N: np.zeros_like(g)), ["b_h", "all zeros"]),
    (_edit("W_hy", lambda g, N: g * N), ["W_hy", "N = 3 times too large"]),
    (_backward(hidden_derivative=False), ["W_xh", "sigmoid derivative is missing"]),
    (_backward(output_derivative=True), ["W_hy", "yhat_t (1 - yhat_t)"]),
    (_backward(previous_state=False), ["W_hh", "h_{t-1}"]),
    (_backward(initial_state=False), ["W_hh", "its previous state is h0"]),
])
def test_rnn_backward_names_parameter_index_and_error(planted, words):
    message = failure(lab01.check_rnn_backward, planted)
    assert "differs at index (" in message and "error" in message and "expected" in message
    for word in words:
        assert word in message


def test_rnn_backward_shape_and_keys():
    message = failure(lab01.check_rnn_backward, _edit("b_h", lambda g, N: g[None, :]))
    assert "grads['b_h'] has shape (1, 5)" in message and "expected (5,)" in message

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
            elif kind == "own_eps":
                plus[i], minus[i] = x[i] + 1e-6, x[i] - 1e-6
                grad[i] = (f(plus) - f(minus)) / 2e-6
            else:
                grad[i] = (f(plus) - f(minus)) / (2 * eps)
        return grad.ravel() if kind == "flat" else grad
    return numerical_gradient


def _all_at_once(f, x, eps=1e-5):
    return np.full(np.shape(x), (f(x + eps) - f(x - eps)) / (2 * eps))


def _no_restore(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        grad[i] = (f_plus - f(x)) / (2 * eps)
    return grad


def test_numerical_gradient_accepts_the_reference(capsys):
    lab01.check_numerical_gradient(ref.numerical_gradient)
    lab01.check_numerical_gradient(_numgrad("right"))
    assert capsys.readouterr().out.count("✓ numerical_gradient") == 2


@pytest.mark.parametrize("planted, words", [
    (_numgrad("forward"), ["one-sided difference", "(f(x + eps) - f(x - eps)) / (2 eps)"]),
    (_numgrad("no_half"), ["twice the right value", "2 * eps"]),
    (_all_at_once, ["same number", "one entry at a time"]),
    (_numgrad("own_eps"), ["use the eps you are given"]),
    (_numgrad("first_row"), ["Entries from index (1, 0) on are 0", "np.ndindex"]),
])
def test_numerical_gradient_names_the_mistake(planted, words):
    message = failure(lab01.check_numerical_gradient, planted)
    assert "differs at index (" in message and "eps=0.1" in message
    for word in words:
        assert word in message


def test_numerical_gradient_mutation_shape_and_stub():
    assert "changed its argument `x`" in failure(lab01.check_numerical_gradient, _no_restore)
    message = failure(lab01.check_numerical_gradient, _numgrad("flat"))
    assert "shape (12,)" in message and "expected (3, 4)" in message and "flatten" in message
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
    assert "numerical_gradient is the one that is off" in message
    message = failure(lab01.check_gradients_agree, ref.rnn_backward, _numgrad("no_half"))
    assert "relative error 3.3e-01" in message and "index (" in message
    message = failure(lab01.check_gradients_agree, _backward(carry=False), _numgrad("no_half"))
    assert "Both disagree" in message


def test_gradients_agree_stubs():
    assert "`stub` is not implemented yet" in failure(lab01.check_gradients_agree, stub,
                                                      ref.numerical_gradient)
    assert "not implemented yet" in failure(lab01.check_gradients_agree, ref.rnn_backward, stub)


# --------------------------------------------------------------------------- training

def _train(*, sign=-1.0, skip=(), steps=2000, rebind=False, log=True):
    def train(params, history, steps=steps, batch_size=16, lr=0.5, seed=0):
        rng = np.random.default_rng(seed)
        h0 = np.zeros((batch_size, params["W_hh"].shape[0]))
        for _ in range(steps):
            X, Y = random_batch(batch_size, rng)
            hs, ys = ref.rnn_forward(X, h0, params)
            grads = ref.rnn_backward(X, Y, h0, hs, ys, params)
            for name, value in params.items():
                if rebind:
                    value = value + sign * lr * grads[name]
                elif name not in skip:
                    value += sign * lr * grads[name]
            if log:
                history["loss"].append(ref.bce_loss(ys, Y))
                history["accuracy"].append(ref.bits_correct(ys, Y).mean())
    return train


@pytest.fixture(scope="module")
def trained():
    params = ref.init_params(seed=0)
    _train()(params, {"loss": [], "accuracy": []})
    return params


def test_training_accepts_the_reference(capsys):
    history = {"loss": [], "accuracy": []}
    lab01.check_training(_train(), ref.init_params(seed=0), history, steps=2000)
    assert "all 16,384 sums come out right" in capsys.readouterr().out
    assert len(history["loss"]) == 2000


@pytest.mark.parametrize("planted, words", [
    (_train(rebind=True), ["left every parameter unchanged", "in place"]),
    (_train(skip=("b_h", "b_y")), ["never changed b_h, b_y", "biases"]),
    (_train(sign=+1.0, steps=300), ["still come out wrong", "loss went up", "subtracts"]),
    (_train(steps=20), ["after 20 steps", "of 16,384 sums still come out wrong",
                        "your network writes", "more steps"]),
    (_train(log=False, steps=5), ["history['loss'] is empty"]),
])
def test_training_names_the_mistake(planted, words):
    message = failure(lab01.check_training, planted, ref.init_params(seed=0),
                      {"loss": [], "accuracy": []})
    for word in words:
        assert word in message


def test_training_bad_arguments_and_stub():
    assert "history must be a dict" in failure(lab01.check_training, _train(), ref.init_params(), [])
    assert "params is missing" in failure(lab01.check_training, _train(), {"W_xh": np.zeros((2, 3))},
                                          {"loss": [], "accuracy": []})
    assert "not implemented yet" in failure(lab01.check_training, stub, ref.init_params(),
                                            {"loss": [], "accuracy": []})


def test_accuracy_and_predictions(trained):
    assert lab01.addition_accuracy(ref.rnn_forward, trained) == 1.0
    assert lab01.addition_accuracy(ref.rnn_forward, ref.init_params(seed=3)) < 0.1
    assert list(lab01.predict_sums(ref.rnn_forward, trained, [11, 127, 0], [6, 127, 0])) == [17, 254, 0]
    assert "not implemented yet" in failure(lab01.addition_accuracy, stub, trained)
    assert "not implemented yet" in failure(lab01.predict_sums, stub, trained, 1, 2)
    message = failure(lab01.addition_accuracy, lambda X, h0, p: ref.rnn_forward(X, h0, p)[1], trained)
    assert "should return (hs, ys)" in message
    with pytest.raises(ValueError, match="a must lie in 0..127"):
        lab01.predict_sums(ref.rnn_forward, trained, 128, 0)
    assert "params must be a dict" in failure(lab01.addition_accuracy, ref.rnn_forward, [1, 2])


@pytest.mark.parametrize("check", [lab01.check_rnn_step, lab01.check_rnn_forward,
                                   lab01.check_rnn_backward, lab01.check_numerical_gradient])
def test_checks_want_a_function(check):
    assert "expected a function, got int" in failure(check, 42)


# ------------------------------------------------------------------ the systematic layer
from tests._checks import Case  # noqa: E402

CASES = [
    Case(lab01.check_rnn_step, ref.rnn_step, mutable=(0, 1, 2, 3, 4)),
]
