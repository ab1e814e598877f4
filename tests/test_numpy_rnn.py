"""The reference NumPy RNN behind lab 01: PyTorch's shapes, BPTT right, bad input named."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import numpy_rnn as rnn
from course_utils.binary import all_pairs
from tests._bad_input import ids, untried


def _problem(T=5, B=3, D=2, H=4, K=1, seed=0):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(D, H, K, seed=seed)
    params["b_h"] = rng.normal(size=H)
    params["b_y"] = rng.normal(size=K)
    X = rng.integers(0, 2, (T, B, D)).astype(float)
    Y = rng.integers(0, 2, (T, B, K)).astype(float)
    h0 = rng.uniform(0, 1, (B, H))
    return X, Y, h0, params


def test_sigmoid_values_and_extremes():
    assert rnn.sigmoid(0.0) == 0.5
    assert np.allclose(rnn.sigmoid(np.array([-1.0, 1.0])), [0.26894142, 0.73105858])
    with np.errstate(over="raise"):
        assert rnn.sigmoid(-1e4) < 1e-200 and rnn.sigmoid(1e4) == 1.0
    assert rnn.sigmoid(np.zeros((0, 3))).shape == (0, 3)   # elementwise: empty in, empty out


def test_init_params_has_pytorchs_shapes_seed_and_scale():
    params = rnn.init_params(3, 7, 2, seed=5, scale=0.5)
    assert {k: v.shape for k, v in params.items()} == {
        "W_xh": (7, 3), "W_hh": (7, 7), "b_h": (7,), "W_hy": (2, 7), "b_y": (2,)}
    layer, head = torch.nn.RNN(3, 7), torch.nn.Linear(7, 2)
    assert params["W_xh"].shape == tuple(layer.weight_ih_l0.shape)
    assert params["W_hh"].shape == tuple(layer.weight_hh_l0.shape)
    assert params["W_hy"].shape == tuple(head.weight.shape)
    assert np.abs(params["W_hh"]).max() <= 0.5 and not params["b_h"].any()
    again = rnn.init_params(3, 7, 2, seed=np.random.default_rng(5), scale=0.5)
    assert all(np.array_equal(params[k], again[k]) for k in rnn.PARAM_NAMES)


def test_rnn_step_is_the_row_form_of_the_column_update():
    X, _, h0, p = _problem()
    rows = rnn.rnn_step(X[0], h0, p["W_xh"], p["W_hh"], p["b_h"])
    for b in range(X.shape[1]):        # h_t = sigma(W_xh x_t + W_hh h_{t-1} + b_h), one sequence
        column = 1 / (1 + np.exp(-(p["W_xh"] @ X[0, b] + p["W_hh"] @ h0[b] + p["b_h"])))
        assert np.allclose(rows[b], column)


def test_rnn_forward_stores_weights_as_pytorch_does():
    """F.linear(x, W) = x @ W.T is how nn.RNN and nn.Linear apply a weight stored (out, in)."""
    F = torch.nn.functional
    X, _, h0, p = _problem(T=6, B=3, D=2, H=5, K=2, seed=4)
    hs, ys = rnn.rnn_forward(X, h0, p)
    assert hs.shape == (6, 3, 5) and ys.shape == (6, 3, 2)
    w = {k: torch.as_tensor(v) for k, v in p.items()}
    h = torch.as_tensor(h0)
    for t in range(6):
        h = torch.sigmoid(F.linear(torch.as_tensor(X[t]), w["W_xh"], w["b_h"])
                          + F.linear(h, w["W_hh"]))
        y = torch.sigmoid(F.linear(h, w["W_hy"], w["b_y"]))
        assert np.allclose(hs[t], h.numpy()) and np.allclose(ys[t], y.numpy())


def test_bce_loss_value():
    ys = np.array([[[0.9]], [[0.2]]])
    Y = np.array([[[1.0]], [[0.0]]])
    assert np.isclose(rnn.bce_loss(ys, Y), -np.log(0.9) - np.log(0.8))
    assert np.isfinite(rnn.bce_loss(np.zeros((1, 1, 1)), np.ones((1, 1, 1))))


@pytest.mark.parametrize("shape", [(5, 3, 2, 4, 1), (3, 2, 3, 5, 2), (1, 1, 2, 3, 1)])
def test_rnn_backward_equals_central_differences(shape):
    X, Y, h0, params = _problem(*shape, seed=sum(shape))
    hs, ys = rnn.rnn_forward(X, h0, params)
    grads = rnn.rnn_backward(X, Y, h0, hs, ys, params)
    for name in rnn.PARAM_NAMES:
        def loss(value, name=name):
            return rnn.bce_loss(rnn.rnn_forward(X, h0, {**params, name: value})[1], Y)
        numeric = rnn.numerical_gradient(loss, params[name])
        assert grads[name].shape == params[name].shape
        assert rnn.relative_error(grads[name], numeric) < 1e-7, name


def test_rnn_backward_equals_autograd():
    X, Y, h0, p = _problem(T=7, B=4, D=3, H=6, K=2, seed=9)
    weights = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    h, loss = torch.as_tensor(h0), 0.0
    for t in range(7):
        h = torch.sigmoid(torch.as_tensor(X[t]) @ weights["W_xh"].T + h @ weights["W_hh"].T
                          + weights["b_h"])
        logits = h @ weights["W_hy"].T + weights["b_y"]
        loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
            logits, torch.as_tensor(Y[t]), reduction="sum") / 4
    loss.backward()
    hs, ys = rnn.rnn_forward(X, h0, p)
    assert np.isclose(rnn.bce_loss(ys, Y), loss.item())
    grads = rnn.rnn_backward(X, Y, h0, hs, ys, p)
    for name in rnn.PARAM_NAMES:
        assert np.allclose(grads[name], weights[name].grad.numpy()), name


@pytest.mark.parametrize("mistake", [dict(carry=False), dict(hidden_derivative=None),
                                     dict(hidden_derivative="tanh"), dict(hidden_derivative="ys"),
                                     dict(hidden_derivative="h_prev"), dict(order="forward"),
                                     dict(initial_state="last"), dict(initial_state="zeros"),
                                     dict(carry_before_derivative=True),
                                     dict(carry_transposed=True), dict(previous_state=False)])
def test_each_planted_mistake_changes_the_gradient(mistake):
    X, Y, h0, p = _problem(T=6, B=3, D=2, H=5, seed=2)
    hs, ys = rnn.rnn_forward(X, h0, p)
    right, wrong = rnn.rnn_backward(X, Y, h0, hs, ys, p), rnn._backward(X, Y, h0, hs, ys, p, **mistake)
    assert not np.allclose(right["W_hh"], wrong["W_hh"], rtol=1e-5, atol=1e-8)


def test_loss_and_grads_matches_the_parts():
    X, Y, _, params = _problem()
    loss, grads = rnn.loss_and_grads(X, Y, params)
    hs, ys = rnn.rnn_forward(X, np.zeros((3, 4)), params)
    assert loss == rnn.bce_loss(ys, Y)
    assert np.allclose(grads["W_hh"], rnn.rnn_backward(X, Y, np.zeros((3, 4)), hs, ys, params)["W_hh"])


def test_numerical_gradient_is_central_and_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = rnn.numerical_gradient(lambda v: float(np.sum(v ** 3)), x, eps=0.1)
    assert np.allclose(grad, 3 * x ** 2 + 0.01)          # central difference of x**3: 3x^2 + eps^2
    assert np.array_equal(x, before)


def test_relative_error_is_the_notation_definition():
    """||a - b|| / max(||a||, ||b||), NOTATION.md; not the sum of the norms. One function for
    the course: lab 01's module reuses unit 2's (whose bad-input tests cover it)."""
    from course_utils import gradients
    assert rnn.relative_error is gradients.relative_error
    assert rnn.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rnn.relative_error([1.0, 0.0], [-1.0, 0.0]) == 2.0
    assert rnn.relative_error([3.0, 0.0], [0.0, 4.0]) == 5.0 / 4.0
    assert rnn.relative_error([2.0], [1.0]) == 0.5         # the sum of norms would give 1/3
    assert np.isclose(rnn.relative_error([1.0], [1.0 + 1e-9]), 1e-9 / (1.0 + 1e-9), rtol=1e-6)


def test_sgd_step_and_bits_correct():
    X, Y, _, params = _problem()
    before = {k: v.copy() for k, v in params.items()}
    _, grads = rnn.loss_and_grads(X, Y, params)
    rnn.sgd_step(params, grads, 0.1)
    assert all(np.allclose(params[k], before[k] - 0.1 * grads[k]) for k in rnn.PARAM_NAMES)
    assert rnn.bits_correct(np.array([[[0.7], [0.2]]]), np.array([[[1.0], [1.0]]])).tolist() == [True, False]


def test_train_learns_every_sum_and_logs_each_step():
    params, history = rnn.init_params(seed=0), {"loss": [], "accuracy": []}
    rnn.train(params, history, steps=800, batch_size=16, lr=0.5, seed=0)
    assert len(history["loss"]) == len(history["accuracy"]) == 800
    assert all(a * 16 == round(a * 16) for a in history["accuracy"])   # a fraction of 16 sums
    X, Y = all_pairs()
    _, ys = rnn.rnn_forward(X, np.zeros((X.shape[1], 16)), params)
    assert rnn.bits_correct(ys, Y).mean() == 1.0


# ------------------------------------------------------------------ bad input, named
X0, Y0, H0, P0 = _problem()
S0 = rnn.rnn_forward(X0, H0, P0)[0]
E3 = np.zeros((0, 3, 2))


def _params(**change):
    return {**P0, **change}


# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("sigmoid", "type", lambda: rnn.sigmoid("1"), TypeError, "z must be a number or an array"),
    ("sigmoid", "type", lambda: rnn.sigmoid(None), TypeError, "z must be a number"),
    ("init_params", "type", lambda: rnn.init_params(2, 1.5), TypeError,
     r"hidden_size must be an integer >= 1"),
    ("init_params", "type", lambda: rnn.init_params(seed="0"), TypeError,
     "seed must be a non-negative integer or a numpy Generator"),
    ("init_params", "empty", lambda: rnn.init_params(0), ValueError,
     "input_size must be an integer >= 1, got 0"),
    ("init_params", "shape", lambda: rnn.init_params(2, 4, -1), ValueError,
     "output_size must be an integer >= 1"),
    ("init_params", "value", lambda: rnn.init_params(scale=0), ValueError,
     "scale must be a positive number"),
    ("init_params", "value", lambda: rnn.init_params(seed=-1), ValueError, "seed must be a non-negative"),
    ("check_params", "type", lambda: rnn.check_params([1]), TypeError,
     "params must be a dict with keys W_xh, W_hh, b_h, W_hy, b_y"),
    ("check_params", "type", lambda: rnn.check_params(_params(W_hh="weights")), TypeError,
     r"params\['W_hh'\] must be a float array of shape \(H, H\)"),
    ("check_params", "shape", lambda: rnn.check_params(_params(b_h=np.zeros(5))), ValueError,
     r"params\['b_h'\] must have shape \(H,\) = \(4,\)"),
    ("check_params", "shape", lambda: rnn.check_params(_params(W_hy=P0["W_hy"].T)), ValueError,
     r"params\['W_hy'\] must have shape \(K, H\) = \(1, 4\).*It looks transposed"),
    ("check_params", "empty", lambda: rnn.check_params({}), ValueError,
     "params is missing W_xh, W_hh, b_h, W_hy, b_y"),
    ("check_params", "empty", lambda: rnn.check_params(_params(b_y=np.zeros(0))), ValueError,
     r"params\['b_y'\] must not be empty: expected a float array of shape \(K,\)"),
    ("rnn_step", "type", lambda: rnn.rnn_step(X0[0], None, P0["W_xh"], P0["W_hh"], P0["b_h"]),
     TypeError, r"h_prev must be a float array of shape \(B, H\), got NoneType"),
    ("rnn_step", "shape", lambda: rnn.rnn_step(X0[0, 0], H0, P0["W_xh"], P0["W_hh"], P0["b_h"]),
     ValueError, r"x_t must be a float array of shape \(B, D\) \(2 dimensions\), got shape \(2,\)"),
    ("rnn_step", "shape", lambda: rnn.rnn_step(X0[0], H0[:, :2], P0["W_xh"], P0["W_hh"], P0["b_h"]),
     ValueError, r"h_prev must have shape \(B, H\) = \(3, 4\)"),
    ("rnn_step", "shape", lambda: rnn.rnn_step(X0[0], H0, P0["W_xh"].T, P0["W_hh"], P0["b_h"]),
     ValueError, r"W_xh must have shape \(H, D\) = \(4, 2\).*looks transposed"),
    ("rnn_step", "shape", lambda: rnn.rnn_step(X0[0], H0, P0["W_xh"], P0["W_hh"][:2], P0["b_h"]),
     ValueError, r"W_hh must be square, \(H, H\)"),
    ("rnn_step", "shape", lambda: rnn.rnn_step(X0[0], H0, P0["W_xh"], P0["W_hh"], P0["b_h"][:2]),
     ValueError, r"b_h must have shape \(H,\) = \(4,\)"),
    ("rnn_step", "empty", lambda: rnn.rnn_step(np.zeros((0, 2)), H0, P0["W_xh"], P0["W_hh"],
                                               P0["b_h"]), ValueError,
     r"x_t must not be empty: expected a float array of shape \(B, D\)"),
    ("rnn_forward", "type", lambda: rnn.rnn_forward(X0, H0, "params"), TypeError,
     "params must be a dict"),
    ("rnn_forward", "type", lambda: rnn.rnn_forward("X", H0, P0), TypeError,
     r"X must be a float array of shape \(T, B, D\)"),
    ("rnn_forward", "shape", lambda: rnn.rnn_forward(X0[0], H0, P0), ValueError,
     r"X must be a float array of shape \(T, B, D\) \(3 dimensions\)"),
    ("rnn_forward", "shape", lambda: rnn.rnn_forward(X0, H0[:2], P0), ValueError,
     r"h0 must have shape \(B, H\) = \(3, 4\)"),
    ("rnn_forward", "shape", lambda: rnn.rnn_forward(np.zeros((5, 3, 3)), H0, P0), ValueError,
     r"X has D = 3 inputs per step but params\['W_xh'\] \(H, D\) = \(4, 2\) expects D = 2"),
    ("rnn_forward", "empty", lambda: rnn.rnn_forward(E3, H0, P0), ValueError,
     r"X must not be empty: expected a float array of shape \(T, B, D\)"),
    ("bce_loss", "type", lambda: rnn.bce_loss(None, Y0), TypeError, r"ys must be a float array of shape \(T, B, K\)"),
    ("bce_loss", "shape", lambda: rnn.bce_loss(Y0, Y0[:2]), ValueError,
     r"ys and Y must have the same shape, got ys \(5, 3, 1\) and Y \(2, 3, 1\)"),
    ("bce_loss", "shape", lambda: rnn.bce_loss(Y0[0], Y0[0]), ValueError, r"ys must be .* \(3 dimensions\)"),
    ("bce_loss", "empty", lambda: rnn.bce_loss(np.zeros((0, 1, 1)), np.zeros((0, 1, 1))), ValueError,
     "ys must not be empty"),
    ("bce_loss", "value", lambda: rnn.bce_loss(Y0 * 3 - 1, Y0), ValueError,
     r"ys must hold probabilities in \[0, 1\]"),
    ("rnn_backward", "type", lambda: rnn.rnn_backward(X0, Y0, H0, S0, "ys", P0), TypeError,
     r"ys must be a float array of shape \(T, B, K\)"),
    ("rnn_backward", "shape", lambda: rnn.rnn_backward(X0, Y0, H0, S0, Y0[:2], P0), ValueError,
     r"ys must have shape \(5, 3, 1\) \(T = 5, B = 3 from X"),
    ("rnn_backward", "shape", lambda: rnn.rnn_backward(X0, Y0, H0[:, :2], S0, Y0, P0), ValueError,
     r"h0 must have shape \(3, 4\)"),
    ("rnn_backward", "empty", lambda: rnn.rnn_backward(E3, Y0, H0, S0, Y0, P0), ValueError,
     r"X must not be empty"),
    ("loss_and_grads", "type", lambda: rnn.loss_and_grads(X0, Y0, None), TypeError, "params must be a dict"),
    ("loss_and_grads", "shape", lambda: rnn.loss_and_grads(X0, Y0[:, :2], P0), ValueError,
     r"ys and Y must have the same shape, got ys \(5, 3, 1\) and Y \(5, 2, 1\)"),
    ("loss_and_grads", "empty", lambda: rnn.loss_and_grads(E3, Y0, P0), ValueError, "X must not be empty"),
    ("sgd_step", "type", lambda: rnn.sgd_step(P0, [1], 0.1), TypeError, "grads must be a dict with keys"),
    ("sgd_step", "type", lambda: rnn.sgd_step(P0, P0, "0.1"), TypeError, "lr must be a positive number"),
    ("sgd_step", "shape", lambda: rnn.sgd_step(P0, _params(W_hh=np.zeros((2, 2))), 0.1), ValueError,
     r"grads\['W_hh'\] must have the shape of params\['W_hh'\], \(4, 4\)"),
    ("sgd_step", "empty", lambda: rnn.sgd_step(P0, {}, 0.1), ValueError,
     "grads is missing W_xh, W_hh, b_h, W_hy, b_y"),
    ("sgd_step", "value", lambda: rnn.sgd_step(P0, P0, -1.0), ValueError, "lr must be a positive number"),
    ("bits_correct", "type", lambda: rnn.bits_correct(Y0, "Y"), TypeError, r"Y must be a float array of shape \(T, B, K\)"),
    ("bits_correct", "shape", lambda: rnn.bits_correct(Y0, Y0[:1]), ValueError, "ys and Y must have the same shape"),
    ("bits_correct", "empty", lambda: rnn.bits_correct(np.zeros((8, 0, 1)), np.zeros((8, 0, 1))),
     ValueError, "ys must not be empty"),
    ("train", "type", lambda: rnn.train(P0, [], steps=1), TypeError,
     r"history must be a dict of two lists, \{'loss': \[\], 'accuracy': \[\]\}"),
    ("train", "type", lambda: rnn.train(P0, {"loss": [], "accuracy": []}, steps=2.0), TypeError,
     "steps must be an integer >= 1"),
    ("train", "shape", lambda: rnn.train(rnn.init_params(3), {"loss": [], "accuracy": []}, steps=1),
     ValueError, r"X has D = 2 inputs per step but params\['W_xh'\] \(H, D\) = \(16, 3\) expects D = 3"),
    ("train", "empty", lambda: rnn.train(P0, {"loss": [], "accuracy": []}, batch_size=0), ValueError,
     "batch_size must be an integer >= 1, got 0"),
    ("numerical_gradient", "type", lambda: rnn.numerical_gradient(3, np.zeros(2)), TypeError,
     "f must be a function of one array returning a float"),
    ("numerical_gradient", "type", lambda: rnn.numerical_gradient(np.sum, "x"), TypeError,
     "x must be a float array of any shape, got str"),
    ("numerical_gradient", "shape", lambda: rnn.numerical_gradient(np.sum, [[1.0], [1.0, 2.0]]),
     TypeError, "x must be a float array of any shape, got list that does not convert"),
    ("numerical_gradient", "empty", lambda: rnn.numerical_gradient(np.sum, np.zeros((2, 0))), ValueError,
     r"x must not be empty: expected a float array of any shape with at least one entry, got shape \(2, 0\)"),
    ("numerical_gradient", "value", lambda: rnn.numerical_gradient(np.sum, np.zeros(2), eps=0),
     ValueError, "eps must be a positive number"),
]
# Kinds that do not apply, with the reason (sigmoid is elementwise: any shape, empty included).
NOT_APPLICABLE = {("sigmoid", "shape"), ("sigmoid", "empty")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(rnn, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
