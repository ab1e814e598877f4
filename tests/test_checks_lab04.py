"""Every Lab 04 check accepts the right answer and names each planted mistake."""
import math

import pytest
import torch
import torch.nn.functional as F

from course_utils._feedback import CheckFailed
from course_utils.checks import lab04


# ----------------------------------------------------------------- LSTM
def lstm_ok(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_swapped(x, h, c, W_ih, W_hh, b_ih, b_hh):
    f, i, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_keras_order(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, o, g = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_no_bias(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_sigmoid_g(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.sigmoid(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_sigmoid_c(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.sigmoid(c), c


def lstm_c_h(x, h, c, **w):
    return tuple(reversed(lstm_ok(x, h, c, **w)))


def lstm_forgets_c(x, h, c, **w):
    return lstm_ok(x, h, torch.zeros_like(c), **w)


def stub(*args, **kwargs):
    raise NotImplementedError("write this")


def test_lstm_check_accepts_the_right_cell(capsys):
    lab04.check_lstm_cell(lstm_ok)
    out = capsys.readouterr().out
    assert "✓ check_lstm_cell" in out and "match nn.LSTM" in out


@pytest.mark.parametrize("wrong, words", [
    (lstm_swapped, "input and forget gates are swapped"),
    (lstm_keras_order, "order i, f, o, g"),
    (lstm_no_bias, "ignores the bias b_ih"),
    (lstm_sigmoid_g, "main layer g uses sigmoid where tanh belongs"),
    (lstm_sigmoid_c, "sigmoid(c_t) where tanh belongs"),
    (lstm_c_h, "return (c, h)"),
    (lstm_forgets_c, "ignores the previous cell state"),
    (stub, "not implemented yet"),
])
def test_lstm_check_names_each_mistake(wrong, words):
    with pytest.raises(CheckFailed, match="check_lstm_cell") as info:
        lab04.check_lstm_cell(wrong)
    assert words in info.value.message


def test_lstm_check_reports_wrong_shapes_and_crashes():
    with pytest.raises(CheckFailed) as info:
        lab04.check_lstm_cell(lambda x, h, c, **w: (h[:1], c))
    assert "shape (1, 5), expected (3, 5)" in info.value.message
    with pytest.raises(CheckFailed) as info:
        lab04.check_lstm_cell(lambda x, h, c, **w: h)
    assert "pair (h, c)" in info.value.message
    with pytest.raises(CheckFailed) as info:
        lab04.check_lstm_cell(lambda *a, **k: 1 / 0)
    assert "ZeroDivisionError" in info.value.message


# ----------------------------------------------------------------- GRU
def _gru(x, h, W_ih, W_hh, b_ih, b_hh, mix="ok", act=torch.tanh, order="rz", reset="after"):
    H = h.shape[1]
    xr, xz, xn = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    hr, hz, hn = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    if order == "zr":
        r, z = z, r
    if reset == "before":
        n = act(xn + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
    else:
        n = act(xn + r * hn)
    return (1 - z) * n + z * h if mix == "ok" else z * n + (1 - z) * h


def gru_ok(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, b_ih, b_hh)


def gru_reversed(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, b_ih, b_hh, mix="reversed")


def gru_cho(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, b_ih, b_hh, reset="before")


def gru_sigmoid_n(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, b_ih, b_hh, act=torch.sigmoid)


def gru_swapped(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, b_ih, b_hh, order="zr")


def gru_no_bias(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, torch.zeros_like(b_ih), b_hh)


def gru_returns_pair(x, h, **w):
    return gru_ok(x, h, **w), h


def test_gru_check_accepts_the_right_cell(capsys):
    lab04.check_gru_cell(gru_ok)
    assert "match nn.GRU" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (gru_reversed, "interpolation is reversed"),
    (gru_cho, "reset h before the matrix"),
    (gru_sigmoid_n, "sigmoid where tanh belongs"),
    (gru_swapped, "reset and update gates are swapped"),
    (gru_no_bias, "ignores the bias b_ih"),
    (gru_returns_pair, "new h alone"),
    (lambda x, h, **w: gru_ok(x, torch.zeros_like(h), **w), "ignores the previous state"),
    (stub, "not implemented yet"),
])
def test_gru_check_names_each_mistake(wrong, words):
    with pytest.raises(CheckFailed, match="check_gru_cell") as info:
        lab04.check_gru_cell(wrong)
    assert words in info.value.message


# ----------------------------------------------------------------- peepholes
def _peep(x, h, c, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o, out_old=False, swap=False,
          skip_f=False):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    if swap:
        p_i, p_f = p_f, p_i
    i = torch.sigmoid(i + p_i * c)
    f = torch.sigmoid(f + (0 if skip_f else p_f) * c)
    c_new = f * c + i * torch.tanh(g)
    o = torch.sigmoid(o + p_o * (c if out_old else c_new))
    return o * torch.tanh(c_new), c_new


def peep_ok(*a, **k):
    return _peep(*a, **k)


def test_peephole_check_accepts_the_right_cell(capsys):
    lab04.check_peephole_lstm_cell(peep_ok)
    assert "✓ check_peephole_lstm_cell" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda *a, **k: _peep(*a, **k, out_old=True), "peeks at the old state c_{t-1}"),
    (lambda *a, **k: _peep(*a, **k, swap=True), "use each other's peephole weights"),
    (lambda *a, **k: _peep(*a, **k, skip_f=True), "ignores the forget gate's peephole weight p_f"),
    (lambda x, h, c, W_ih, W_hh, b_ih, b_hh, **p: lstm_swapped(x, h, c, W_ih, W_hh, b_ih, b_hh),
     "plain LSTM step"),
    (stub, "not implemented yet"),
])
def test_peephole_check_names_each_mistake(wrong, words):
    with pytest.raises(CheckFailed, match="check_peephole_lstm_cell") as info:
        lab04.check_peephole_lstm_cell(wrong)
    assert words in info.value.message


# ----------------------------------------------------------------- chrono initialisation
def chrono_ok(lstm, max_len):
    H = lstm.hidden_size
    with torch.no_grad():
        b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
        lstm.bias_ih_l0[:2 * H] = 0.0
        lstm.bias_hh_l0[H:2 * H] = b_f
        lstm.bias_hh_l0[:H] = -b_f


def chrono_into_input_rows(lstm, max_len):
    H = lstm.hidden_size
    with torch.no_grad():
        b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
        lstm.bias_ih_l0[:2 * H] = 0.0
        lstm.bias_hh_l0[:H] = b_f
        lstm.bias_hh_l0[H:2 * H] = -b_f


def chrono_keeps_bias_ih(lstm, max_len):
    H = lstm.hidden_size
    with torch.no_grad():
        b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
        lstm.bias_hh_l0[H:2 * H] = b_f
        lstm.bias_hh_l0[:H] = -b_f


def chrono_same_sign(lstm, max_len):
    H = lstm.hidden_size
    with torch.no_grad():
        b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
        lstm.bias_ih_l0[:2 * H] = 0.0
        lstm.bias_hh_l0[H:2 * H] = b_f
        lstm.bias_hh_l0[:H] = b_f


def chrono_constant(lstm, max_len):
    H = lstm.hidden_size
    with torch.no_grad():
        lstm.bias_ih_l0[:2 * H] = 0.0
        lstm.bias_hh_l0[H:2 * H] = math.log(max_len / 2)
        lstm.bias_hh_l0[:H] = -math.log(max_len / 2)


def chrono_all_rows(lstm, max_len):
    with torch.no_grad():
        lstm.bias_ih_l0.zero_()
        lstm.bias_hh_l0.copy_(torch.log(1 + torch.rand(lstm.bias_hh_l0.shape) * (max_len - 2)))


def test_chrono_check_accepts_the_right_init(capsys):
    lab04.check_chrono_init(chrono_ok)
    assert "✓ check_chrono_init" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (chrono_into_input_rows, "rows 0:H, which PyTorch uses for the input gate"),
    (chrono_keeps_bias_ih, "PyTorch adds bias_ih and bias_hh"),
    (chrono_same_sign, "input bias has the wrong sign"),
    (chrono_constant, "every unit got the same forget bias"),
    (chrono_all_rows, "you changed the main layer g's bias"),
    (lambda lstm, T: torch.nn.init.zeros_(lstm.weight_hh_l0), "you changed weight_hh_l0"),
    (stub, "not implemented yet"),
])
def test_chrono_check_names_each_mistake(wrong, words):
    with pytest.raises(CheckFailed, match="check_chrono_init") as info:
        lab04.check_chrono_init(wrong)
    assert words in info.value.message


# ----------------------------------------------------------------- gradient by distance
def grad_ok(model, x, y):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y), x)
    return grad.norm(dim=(0, 2))


def grad_reversed(model, x, y):
    return grad_ok(model, x, y).flip(0)


def grad_sum_loss(model, x, y):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y, reduction="sum"), x)
    return grad.norm(dim=(0, 2))


def grad_per_sequence(model, x, y):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y), x)
    return grad.norm(dim=2)


def grad_squared(model, x, y):
    return grad_ok(model, x, y) ** 2


def grad_of_output(model, x, y):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(x).sum(), x)
    return grad.norm(dim=(0, 2))


def grad_in_place(model, x, y):
    x.add_(1.0)
    return grad_ok(model, x, y)


def test_gradient_check_accepts_the_right_function(capsys):
    lab04.check_gradient_by_distance(grad_ok)
    assert "✓ check_gradient_by_distance" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (grad_reversed, "reverse order"),
    (grad_sum_loss, "times the expected ones"),
    (grad_per_sequence, "one norm per sequence and step"),
    (grad_squared, "squared"),
    (grad_of_output, "the norm at step t ="),
    (grad_in_place, "changed its argument `x` in place"),
    (stub, "not implemented yet"),
])
def test_gradient_check_names_each_mistake(wrong, words):
    with pytest.raises(CheckFailed, match="check_gradient_by_distance") as info:
        lab04.check_gradient_by_distance(wrong)
    assert words in info.value.message
