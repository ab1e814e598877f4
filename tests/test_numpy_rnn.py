"""The reference NumPy RNN behind Lab 01's checks."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import numpy_rnn as rnn
from course_utils.binary import all_pairs, random_batch


def _problem(T=5, N=3, D=2, H=4, O=1, seed=0):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(D, H, O, seed=seed)
    params["b_h"] = rng.normal(size=H)
    params["b_y"] = rng.normal(size=O)
    X = rng.integers(0, 2, (T, N, D)).astype(float)
    Y = rng.integers(0, 2, (T, N, O)).astype(float)
    h0 = rng.uniform(0, 1, (N, H))
    return X, Y, h0, params


def test_sigmoid_values_and_extremes():
    assert rnn.sigmoid(0.0) == 0.5
    assert np.allclose(rnn.sigmoid(np.array([-1.0, 1.0])), [0.26894142, 0.73105858])
    with np.errstate(over="raise"):
        assert rnn.sigmoid(-1e4) < 1e-200 and rnn.sigmoid(1e4) == 1.0


def test_init_params_shapes_seed_and_scale():
    params = rnn.init_params(3, 7, 2, seed=5, scale=0.5)
    assert {k: v.shape for k, v in params.items()} == {
        "W_xh": (3, 7), "W_hh": (7, 7), "b_h": (7,), "W_hy": (7, 2), "b_y": (2,)}
    assert np.abs(params["W_hh"]).max() <= 0.5 and not params["b_h"].any()
    again = rnn.init_params(3, 7, 2, seed=np.random.default_rng(5), scale=0.5)
    assert all(np.array_equal(params[k], again[k]) for k in rnn.PARAM_NAMES)


def test_rnn_step_formula():
    X, _, h0, p = _problem()
    expected = 1 / (1 + np.exp(-(X[0] @ p["W_xh"] + h0 @ p["W_hh"] + p["b_h"])))
    assert np.allclose(rnn.rnn_step(X[0], h0, p["W_xh"], p["W_hh"], p["b_h"]), expected)


def test_rnn_forward_threads_the_state():
    X, _, h0, p = _problem()
    hs, ys = rnn.rnn_forward(X, h0, p)
    assert hs.shape == (5, 3, 4) and ys.shape == (5, 3, 1)
    h1 = rnn.rnn_step(X[0], h0, p["W_xh"], p["W_hh"], p["b_h"])
    h2 = rnn.rnn_step(X[1], h1, p["W_xh"], p["W_hh"], p["b_h"])
    assert np.allclose(hs[1], h2)
    assert np.allclose(ys[1], rnn.sigmoid(h2 @ p["W_hy"] + p["b_y"]))


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


def test_relative_error():
    assert rnn.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rnn.relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0
    assert rnn.relative_error([1.0], [1.0 + 1e-9]) < 1e-9


def test_sgd_step_and_bits_correct():
    X, Y, _, params = _problem()
    before = {k: v.copy() for k, v in params.items()}
    _, grads = rnn.loss_and_grads(X, Y, params)
    rnn.sgd_step(params, grads, 0.1)
    assert all(np.allclose(params[k], before[k] - 0.1 * grads[k]) for k in rnn.PARAM_NAMES)
    assert rnn.bits_correct(np.array([[[0.7], [0.2]]]), np.array([[[1.0], [1.0]]])).tolist() == [True, False]


def test_sgd_training_learns_addition_quickly():
    params = rnn.init_params(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(800):
        X, Y = random_batch(16, rng)
        _, grads = rnn.loss_and_grads(X, Y, params)
        rnn.sgd_step(params, grads, 0.5)
    X, Y = all_pairs()
    _, ys = rnn.rnn_forward(X, np.zeros((X.shape[1], 16)), params)
    assert rnn.bits_correct(ys, Y).mean() == 1.0


X0, Y0, H0, P0 = _problem()


@pytest.mark.parametrize("call, error, argument", [
    (lambda: rnn.sigmoid("1"), TypeError, "z"),
    (lambda: rnn.init_params(0), ValueError, "input_size"),
    (lambda: rnn.init_params(2, 1.5), TypeError, "hidden_size"),
    (lambda: rnn.init_params(2, 4, -1), ValueError, "output_size"),
    (lambda: rnn.init_params(seed=-1), ValueError, "seed"),
    (lambda: rnn.init_params(scale=0), ValueError, "scale"),
    (lambda: rnn.check_params([1]), TypeError, "params must be a dict"),
    (lambda: rnn.check_params({"W_xh": np.zeros((2, 4))}), ValueError, "params is missing"),
    (lambda: rnn.check_params({**P0, "b_h": np.zeros(5)}), ValueError, r"params\['b_h'\]"),
    (lambda: rnn.rnn_step(X0[0, 0], H0, P0["W_xh"], P0["W_hh"], P0["b_h"]), ValueError, "x_t"),
    (lambda: rnn.rnn_step(X0[0], H0[:, :2], P0["W_xh"], P0["W_hh"], P0["b_h"]), ValueError, "h_prev"),
    (lambda: rnn.rnn_step(X0[0], H0, P0["W_xh"].T, P0["W_hh"], P0["b_h"]), ValueError, "W_xh"),
    (lambda: rnn.rnn_step(X0[0], H0, P0["W_xh"], P0["W_hh"][:2], P0["b_h"]), ValueError, "W_hh"),
    (lambda: rnn.rnn_step(X0[0], H0, P0["W_xh"], P0["W_hh"], P0["b_h"][:2]), ValueError, "b_h"),
    (lambda: rnn.rnn_step(X0[0], None, P0["W_xh"], P0["W_hh"], P0["b_h"]), TypeError, "h_prev"),
    (lambda: rnn.rnn_forward(X0[0], H0, P0), ValueError, "X must have 3"),
    (lambda: rnn.rnn_forward(X0, H0[:2], P0), ValueError, "h0"),
    (lambda: rnn.rnn_forward(np.zeros((5, 3, 3)), H0, P0), ValueError, "W_xh"),
    (lambda: rnn.rnn_forward(X0, H0, "params"), TypeError, "params"),
    (lambda: rnn.bce_loss(Y0, Y0[:2]), ValueError, "ys and Y"),
    (lambda: rnn.bce_loss(Y0[0], Y0[0]), ValueError, "ys must have 3"),
    (lambda: rnn.rnn_backward(X0, Y0, H0, np.zeros((5, 3, 4)), Y0[:2], P0), ValueError, "must agree"),
    (lambda: rnn.rnn_backward(X0, Y0, H0[:, :2], np.zeros((5, 3, 4)), Y0, P0), ValueError, "h0"),
    (lambda: rnn.loss_and_grads(X0, Y0, {}), ValueError, "params is missing"),
    (lambda: rnn.numerical_gradient(3, np.zeros(2)), TypeError, "f must be a function"),
    (lambda: rnn.numerical_gradient(np.sum, "x"), TypeError, "x must be"),
    (lambda: rnn.numerical_gradient(np.sum, np.zeros(2), eps=0), ValueError, "eps"),
    (lambda: rnn.relative_error(np.zeros(2), np.zeros(3)), ValueError, "a and b"),
    (lambda: rnn.sgd_step(P0, {}, 0.1), ValueError, "grads"),
    (lambda: rnn.sgd_step(P0, P0, -1.0), ValueError, "lr"),
    (lambda: rnn.bits_correct(Y0, Y0[:1]), ValueError, "ys and Y"),
])
def test_bad_arguments_name_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()
