"""Every Lab 04 check accepts right answers and names each planted mistake (issue 15)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from course_utils.checks import lab04
from tests._checks import Case, rejects, stub, to_float64, to_list, to_numpy


def pair(convert):
    """A converter applied to each state of an (h, c) pair, named after ``convert``."""
    def convert_pair(out):
        return tuple(convert(v) for v in out)
    convert_pair.__name__ = f"pair_{convert.__name__}"
    return convert_pair


# ----------------------------------------------------------------- LSTM
def lstm_ok(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def _lstm(x, h, c, W_ih, W_hh, b_ih, b_hh, order="ifgo", act_g=torch.tanh, act_c=torch.tanh):
    blocks = dict(zip(order, (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)))
    c = torch.sigmoid(blocks["f"]) * c + torch.sigmoid(blocks["i"]) * act_g(blocks["g"])
    return torch.sigmoid(blocks["o"]) * act_c(c), c


def _lstm_pre(x, h, W_ih, W_hh, b_ih, b_hh):
    return (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)


def lstm_ignores_h(x, h, c, W_ih, W_hh, b_ih, b_hh):        # review u4, item 7
    i, f, g, o = (x @ W_ih.T + b_ih + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_ignores_x(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_h_from_old_c(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = _lstm_pre(x, h, W_ih, W_hh, b_ih, b_hh)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c_new


def lstm_tanh_output_gate(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = _lstm_pre(x, h, W_ih, W_hh, b_ih, b_hh)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.tanh(o) * torch.tanh(c), c


def lstm_coupled_gates(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = _lstm_pre(x, h, W_ih, W_hh, b_ih, b_hh)
    f = torch.sigmoid(f)
    c = f * c + (1 - f) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_H_from_W_ih(x, h, c, W_ih, W_hh, b_ih, b_hh):      # review u4, item 6: H is D here
    H = W_ih.shape[1]
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:4 * H]
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_three_blocks(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(3, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.tanh(c), c


def lstm_right_slices(x, h, c, W_ih, W_hh, b_ih, b_hh):     # right, written another way
    H = h.shape[1]
    a = x @ W_ih.T + h @ W_hh.T + (b_ih + b_hh)
    c = torch.addcmul(torch.sigmoid(a[:, H:2 * H]) * c, torch.sigmoid(a[:, :H]),
                      torch.tanh(a[:, 2 * H:3 * H]))
    return torch.sigmoid(a[:, 3 * H:]) * torch.tanh(c), c


def lstm_W_hh_not_transposed(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh + b_hh).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


@pytest.mark.parametrize("right", [lstm_ok, lstm_right_slices])
def test_lstm_check_accepts_the_right_cell(right, capsys):
    lab04.check_lstm_cell(right)
    out = capsys.readouterr().out
    assert "✓ check_lstm_cell" in out and "match nn.LSTM" in out


@pytest.mark.parametrize("wrong, words", [
    (lambda *a, **w: _lstm(*a, **w, order="figo"), "input and forget gates are swapped"),
    (lambda *a, **w: _lstm(*a, **w, order="ifog"), "order i, f, o, g"),
    (lambda *a, **w: _lstm(*a, **w, order="igfo"), "forget gate and main layer are swapped"),
    (lambda x, h, c, W_ih, W_hh, b_ih, b_hh: lstm_ok(x, h, c, W_ih, W_hh, 0 * b_ih, b_hh),
     "ignores the bias b_ih"),
    (lambda *a, **w: _lstm(*a, **w, act_g=torch.sigmoid), "main layer g uses sigmoid where tanh"),
    (lambda *a, **w: _lstm(*a, **w, act_c=torch.sigmoid), "sigmoid(c_t) where tanh belongs"),
    (lambda *a, **w: _lstm(*a, **w, act_c=lambda v: v), "reads c_t without squashing it"),
    (lambda *a, **w: tuple(reversed(lstm_ok(*a, **w))), "return (c, h)"),
    (lambda x, h, c, **w: lstm_ok(x, h, torch.zeros_like(c), **w), "ignores the previous cell state"),
    (lstm_W_hh_not_transposed, "multiply by the transposes, x @ W_ih.T and h @ W_hh.T"),
    (lstm_ignores_h, "ignore the previous state h_{t-1}: every pre-activation is"),
    (lstm_ignores_x, "ignore the input x_t"),
    (lstm_h_from_old_c, "your new h reads the old cell state"),
    (lstm_tanh_output_gate, "the output gate o uses tanh where sigmoid belongs"),
    (lstm_coupled_gates, "you write with 1 - f_t where the input gate i_t belongs"),
    (lstm_H_from_W_ih, ("One of your gate blocks is D = 4 columns wide where the state has H = 5",
                        "Take H from the state, H = h.shape[1]")),
    (lstm_three_blocks, ("A block of 7 columns met the state, which has H = 5",
                         "blocks of H = h.shape[1] columns")),
    (lambda *a, **w: pair(to_numpy)(lstm_ok(*a, **w)), "should be a torch.Tensor, got numpy.ndarray"),
    (lambda *a, **w: pair(to_float64)(lstm_ok(*a, **w)), "dtype torch.float64, expected torch.float32"),
    (lambda x, h, c, **w: (lstm_ok(x, h, c, **w)[0][:1], c), "shape (1, 5), expected (3, 5)"),
    (lambda x, h, c, **w: lstm_ok(x, h, c, **w)[0], "should return a pair (h, c)"),
    (lambda *a, **w: 1 / 0, "ZeroDivisionError"),
    (stub, "not implemented yet"),
])
def test_lstm_check_names_each_mistake(wrong, words):
    rejects(lab04.check_lstm_cell, wrong, *words if isinstance(words, tuple) else (words,))


def test_a_shape_error_is_not_blamed_on_anything_else():
    message = rejects(lab04.check_lstm_cell, lstm_W_hh_not_transposed, "W_hh as (gates x H, H)")
    assert "derivative" not in message and "tanh" not in message


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
    elif reset == "before, as published":      # Cho et al.'s candidate literally: no b_hn
        n = act(xn + (r * h) @ W_hh[2 * H:].T)
    elif reset == "before, no biases":
        n = act(x @ W_ih[2 * H:].T + (r * h) @ W_hh[2 * H:].T)
    elif reset == "none":
        n = act(xn + hn)
    elif reset == "whole":
        n = act(r * (xn + hn))
    elif reset == "with b_in":
        n = act(x @ W_ih[2 * H:].T + r * (hn + b_ih[2 * H:]))
    elif reset == "matrix only":
        n = act(xn + r * (h @ W_hh[2 * H:].T) + b_hh[2 * H:])
    else:
        n = act(xn + r * hn)
    return (1 - z) * n + z * h if mix == "ok" else z * n + (1 - z) * h


def gru_ok(x, h, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h, W_ih, W_hh, b_ih, b_hh)


def gru_right_per_gate(x, h, W_ih, W_hh, b_ih, b_hh):     # right, written another way
    H = h.shape[1]
    r = torch.sigmoid(x @ W_ih[:H].T + b_ih[:H] + h @ W_hh[:H].T + b_hh[:H])
    z = torch.sigmoid(x @ W_ih[H:2 * H].T + b_ih[H:2 * H] + h @ W_hh[H:2 * H].T + b_hh[H:2 * H])
    n = torch.tanh(x @ W_ih[2 * H:].T + b_ih[2 * H:] + r * (h @ W_hh[2 * H:].T + b_hh[2 * H:]))
    return h + (1 - z) * (n - h)


def gru_ignores_W_hh(x, h, W_ih, W_hh, b_ih, b_hh):
    xr, xz, xn = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    hr, hz, hn = b_hh.chunk(3)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    return (1 - z) * torch.tanh(xn + r * hn) + z * h


@pytest.mark.parametrize("right", [gru_ok, gru_right_per_gate])
def test_gru_check_accepts_the_right_cell(right, capsys):
    lab04.check_gru_cell(right)
    assert "match nn.GRU" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda *a, **w: _gru(*a, **w, mix="reversed"), "interpolation is reversed"),
    (lambda *a, **w: _gru(*a, **w, reset="before"), "reset h before the matrix"),
    # review u4, item 5: the trap is named whatever the student does with the biases
    (lambda *a, **w: _gru(*a, **w, reset="before, as published"), "reset h before the matrix"),
    (lambda *a, **w: _gru(*a, **w, reset="before, no biases"), "reset h before the matrix"),
    # review u4, item 7
    (lambda *a, **w: _gru(*a, **w, reset="none"), "your candidate ignores the reset gate"),
    (lambda *a, **w: _gru(*a, **w, reset="whole"), "multiplies the whole candidate pre-activation"),
    (lambda *a, **w: _gru(*a, **w, reset="with b_in"), "your reset gate also multiplies b_in"),
    (gru_ignores_W_hh, "ignore the previous state h_{t-1}: compute h @ W_hh.T + b_hh"),
    (lambda *a, **w: _gru(*a, **w, reset="matrix only"), "multiplies W_hn h_{t-1} but not b_hn"),
    (lambda *a, **w: _gru(*a, **w, act=torch.sigmoid), "sigmoid where tanh belongs"),
    (lambda *a, **w: _gru(*a, **w, order="zr"), "reset and update gates are swapped"),
    (lambda x, h, W_ih, W_hh, b_ih, b_hh: gru_ok(x, h, W_ih, W_hh, 0 * b_ih, b_hh),
     "ignores the bias b_ih"),
    (lambda x, h, **w: (gru_ok(x, h, **w), h), "new h alone"),
    (lambda x, h, **w: gru_ok(x, torch.zeros_like(h), **w), "ignores the previous state"),
    (lambda x, h, W_ih, W_hh, b_ih, b_hh: gru_ok(x, h, W_ih.T, W_hh, b_ih, b_hh),
     "x @ W_ih.T and h @ W_hh.T"),
    (lambda *a, **w: gru_ok(*a, **w).numpy(), "should be a torch.Tensor"),
    (lambda *a, **w: gru_ok(*a, **w).tolist(), "should be a torch.Tensor, got list"),
    (stub, "not implemented yet"),
])
def test_gru_check_names_each_mistake(wrong, words):
    rejects(lab04.check_gru_cell, wrong, words)


# ----------------------------------------------------------------- peepholes
def _peep(x, h, c, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o, out_old=False, swap=False,
          skip_f=False, peek_at_h=False, after_sigmoid=False, out_tanh=False,
          out_after_sigmoid=False):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    o_pre = o
    if swap:
        p_i, p_f = p_f, p_i
    seen = h if peek_at_h else c

    def gate(pre, peep, state):
        if after_sigmoid:
            return torch.sigmoid(pre) + peep * state
        return torch.sigmoid(pre + peep * state)

    i = gate(i, p_i, seen)
    f = gate(f, 0 if skip_f else p_f, seen)
    c_new = f * c + i * torch.tanh(g)
    o = gate(o, p_o, c if out_old else torch.tanh(c_new) if out_tanh else c_new)
    if out_after_sigmoid:
        o = torch.sigmoid(o_pre) + p_o * c_new
    return o * torch.tanh(c_new), c_new


def peep_ok(x, h, c, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o):
    return _peep(x, h, c, W_ih, W_hh, b_ih, b_hh, p_i, p_f, p_o)


def test_peephole_check_accepts_the_right_cell(capsys):
    lab04.check_peephole_lstm_cell(peep_ok)
    assert "✓ check_peephole_lstm_cell" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda *a, **k: _peep(*a, **k, out_old=True), "peeks at the old state c_{t-1}"),
    (lambda *a, **k: _peep(*a, **k, swap=True), "use each other's peephole weights"),
    (lambda *a, **k: _peep(*a, **k, skip_f=True), "ignores the forget gate's peephole weight p_f"),
    # review u4, item 7: each names the gate where it first shows
    (lambda *a, **k: _peep(*a, **k, peek_at_h=True),
     "your input gate peeks at h_{t-1}; a peephole looks at the cell state: i_t = sigmoid(... + "
     "p_i * c_{t-1})"),
    (lambda *a, **k: _peep(*a, **k, after_sigmoid=True),
     "you add p_i * c_{t-1} after the sigmoid of the input gate; it belongs inside"),
    (lambda *a, **k: _peep(*a, **k, out_tanh=True), "your output gate peeks at tanh(c_t)"),
    (lambda *a, **k: _peep(*a, **k, out_after_sigmoid=True),
     "you add p_o * c_t after the sigmoid of the output gate"),
    (lambda x, h, c, W_ih, W_hh, b_ih, b_hh, **p: _lstm(x, h, c, W_ih, W_hh, b_ih, b_hh,
                                                        order="figo"), "plain LSTM step"),
    (lambda *a, **k: pair(to_numpy)(peep_ok(*a, **k)), "should be a torch.Tensor"),
    (stub, "not implemented yet"),
])
def test_peephole_check_names_each_mistake(wrong, words):
    rejects(lab04.check_peephole_lstm_cell, wrong, words)


# ----------------------------------------------------------------- chrono initialisation
def _set(lstm, b_f, b_i=None, into="hh"):
    """Write b_f (forget rows) and b_i (input rows, default -b_f) into one bias vector and zero
    the same rows of the other, as the exercise asks."""
    H = lstm.hidden_size
    with torch.no_grad():
        target, other = ((lstm.bias_hh_l0, lstm.bias_ih_l0) if into == "hh"
                         else (lstm.bias_ih_l0, lstm.bias_hh_l0))
        other[:2 * H] = 0.0
        target[H:2 * H] = b_f
        target[:H] = -b_f if b_i is None else b_i


def chrono_ok(lstm, max_len):
    _set(lstm, torch.log(1 + torch.rand(lstm.hidden_size) * (max_len - 2)))


def chrono_ok_uniform_(lstm, max_len):
    _set(lstm, torch.empty(lstm.hidden_size).uniform_(1, max_len - 1).log(), into="ih")


def chrono_ok_numpy(lstm, max_len):
    u = np.random.uniform(1, max_len - 1, size=lstm.hidden_size)
    _set(lstm, torch.as_tensor(np.log(u), dtype=torch.float32))


def chrono_one_too_wide(lstm, max_len):           # U(1, max_len): issue 15
    _set(lstm, torch.empty(lstm.hidden_size).uniform_(1, max_len).log())


def chrono_log_one_plus_u(lstm, max_len):        # review u4, item 4a: u right, log(1 + u)
    _set(lstm, torch.log(1 + torch.empty(lstm.hidden_size).uniform_(1, max_len - 1)))


def chrono_wide_for_short_lengths(lstm, max_len):  # right at max_len = 100, U(1, max_len) at 3
    top = max_len if max_len < 10 else max_len - 1
    _set(lstm, torch.empty(lstm.hidden_size).uniform_(1, top).log())


def chrono_integers(lstm, max_len):               # review u4, item 16
    _set(lstm, torch.randint(1, max_len - 1, (lstm.hidden_size,)).float().log())


def chrono_integers_to_max_len(lstm, max_len):
    _set(lstm, torch.randint(1, max_len, (lstm.hidden_size,)).float().log())


def chrono_without_no_grad(lstm, max_len):        # review u4, item 6
    H = lstm.hidden_size
    b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
    lstm.bias_ih_l0[:2 * H] = 0.0
    lstm.bias_hh_l0[H:2 * H] = b_f
    lstm.bias_hh_l0[:H] = -b_f


def chrono_half_in_each(lstm, max_len):           # right sums, split: review u4, item 4b
    H = lstm.hidden_size
    b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
    with torch.no_grad():
        for bias in (lstm.bias_ih_l0, lstm.bias_hh_l0):
            bias[H:2 * H] = b_f / 2
            bias[:H] = -b_f / 2


def chrono_split_by_gate(lstm, max_len):          # right sums: b_i in bias_ih, b_f in bias_hh
    H = lstm.hidden_size
    b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
    with torch.no_grad():
        lstm.bias_ih_l0[:H], lstm.bias_hh_l0[:H] = -b_f, 0.0
        lstm.bias_ih_l0[H:2 * H], lstm.bias_hh_l0[H:2 * H] = 0.0, b_f


def chrono_without_log(lstm, max_len):            # issue 15: was told about bias_hh
    _set(lstm, 1 + torch.rand(lstm.hidden_size) * (max_len - 2))


def chrono_log_uniform(lstm, max_len):
    _set(lstm, torch.rand(lstm.hidden_size) * math.log(max_len - 1))


def chrono_into_input_rows(lstm, max_len):
    b = torch.log(1 + torch.rand(lstm.hidden_size) * (max_len - 2))
    _set(lstm, -b, b_i=b)


def chrono_keeps_bias_ih(lstm, max_len):
    H = lstm.hidden_size
    b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
    with torch.no_grad():
        lstm.bias_hh_l0[H:2 * H] = b_f
        lstm.bias_hh_l0[:H] = -b_f


def chrono_keeps_bias_hh(lstm, max_len):
    H = lstm.hidden_size
    b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
    with torch.no_grad():
        lstm.bias_ih_l0[H:2 * H] = b_f
        lstm.bias_ih_l0[:H] = -b_f


def chrono_in_both(lstm, max_len):
    H = lstm.hidden_size
    b_f = torch.log(1 + torch.rand(H) * (max_len - 2))
    with torch.no_grad():
        for bias in (lstm.bias_ih_l0, lstm.bias_hh_l0):
            bias[H:2 * H] = b_f
            bias[:H] = -b_f


def chrono_same_sign(lstm, max_len):
    b = torch.log(1 + torch.rand(lstm.hidden_size) * (max_len - 2))
    _set(lstm, b, b_i=b)


def chrono_input_zero(lstm, max_len):
    _set(lstm, torch.log(1 + torch.rand(lstm.hidden_size) * (max_len - 2)), b_i=0.0)


def chrono_constant(lstm, max_len):
    _set(lstm, torch.full((lstm.hidden_size,), math.log(max_len / 2)))


def chrono_all_rows(lstm, max_len):
    with torch.no_grad():
        lstm.bias_ih_l0.zero_()
        lstm.bias_hh_l0.copy_(torch.log(1 + torch.rand(lstm.bias_hh_l0.shape) * (max_len - 2)))


def chrono_new_module(lstm, max_len):
    fresh = torch.nn.LSTM(lstm.input_size, lstm.hidden_size, batch_first=True)
    chrono_ok(fresh, max_len)
    return fresh


@pytest.mark.parametrize("right", [chrono_ok, chrono_ok_uniform_, chrono_ok_numpy,
                                   chrono_half_in_each, chrono_split_by_gate])
def test_chrono_check_accepts_right_inits(right, capsys):
    lab04.check_chrono_init(right)
    assert "✓ check_chrono_init" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (chrono_one_too_wide, "you draw u from U(1, max_len); chrono initialisation draws it from "
                          "U(1, max_len - 1)"),
    (chrono_wide_for_short_lengths, "with max_len = 3 the forget biases should lie in [0, log 2] "
                                    "= [0, 0.69]; yours reach 1.09. At max_len = 3 your u = "
                                    "exp(b_f) spans [1.01, 2.98]: you draw u from U(1, max_len)"),
    (chrono_log_one_plus_u, "At max_len = 3 every u = exp(b_f) lies in [2, 3]"),
    (chrono_integers, "100% of your u = exp(b_f) are whole numbers: you drew integers"),
    (chrono_integers_to_max_len, "are whole numbers: you drew integers"),
    (chrono_without_no_grad, "Changing a parameter in place needs `with torch.no_grad():`"),
    (chrono_without_log, "you set b_f = u"),
    (chrono_log_uniform, "They look uniform in [0, log(T - 1)]"),
    (chrono_into_input_rows, "rows 0:H, which PyTorch uses for the input gate"),
    (chrono_keeps_bias_ih, "rows 0:2H of bias_ih_l0 still hold PyTorch's random initial values"),
    (chrono_keeps_bias_hh, "rows 0:2H of bias_hh_l0 still hold PyTorch's random initial values"),
    (chrono_in_both, "same values into bias_ih_l0 and bias_hh_l0"),
    (chrono_same_sign, "input bias has the wrong sign"),
    (chrono_input_zero, "should be -b_f, the negative of the forget bias"),
    (chrono_constant, "every unit got the same forget bias"),
    (chrono_all_rows, "you changed the main layer g's bias"),
    (chrono_new_module, "must change the layer in place"),
    (lambda lstm, T: torch.nn.init.zeros_(lstm.weight_hh_l0), "you changed weight_hh_l0"),
    (stub, "not implemented yet"),
])
def test_chrono_check_names_each_mistake(wrong, words):
    rejects(lab04.check_chrono_init, wrong, words)


def test_a_shifted_draw_is_not_blamed_on_U_1_max_len():
    """log(1 + u) fills [log 2, log 3] at max_len = 3: no bias below log 2, so the evidence
    does not support "you draw u from U(1, max_len)" (review u4, item 4a)."""
    message = rejects(lab04.check_chrono_init, chrono_log_one_plus_u, "log(1 + u)")
    assert "U(1, max_len);" not in message


def test_chrono_without_log_is_not_blamed_on_the_two_biases():
    message = rejects(lab04.check_chrono_init, chrono_without_log, "take")
    assert "bias_hh" not in message and "adds" not in message


def test_one_too_wide_is_caught_for_every_draw():
    """U(1, max_len) must fail whatever the draws: the max_len = 3 test alone rejects it unless
    all 256 draws of U(1, 3) stay below 2 (probability 0.5 ** 256)."""
    for seed in range(20):
        torch.manual_seed(seed)
        lstm = torch.nn.LSTM(2, 256)
        chrono_one_too_wide(lstm, 3)
        b_f = (lstm.bias_ih_l0 + lstm.bias_hh_l0)[256:512]
        assert b_f.max().item() > math.log(2) + 1e-5


def test_distribution_test_accepts_right_draws_and_rejects_log_uniform_ones():
    """The Kolmogorov-Smirnov test over many draws: right draws pass (each fails with
    probability 1e-6), log-uniform draws always fail (the check's comment bounds it)."""
    T = 100
    for seed in range(100):
        g = torch.Generator().manual_seed(seed)
        right = torch.log(1 + torch.rand(256, generator=g, dtype=torch.float64) * (T - 2))
        lab04._chrono_distribution("c", right, T)
        wrong = torch.rand(256, generator=g, dtype=torch.float64) * math.log(T - 1)
        with pytest.raises(lab04.CheckFailed, match="They look uniform"):
            lab04._chrono_distribution("c", wrong, T)
    assert stats.uniform(loc=1, scale=T - 2).cdf(T - 1) == 1.0


def test_chrono_check_leaves_the_global_random_state_alone():
    torch.manual_seed(0)
    np.random.seed(0)
    expected = torch.rand(3), np.random.rand(3)
    torch.manual_seed(0)
    np.random.seed(0)
    lab04.check_chrono_init(chrono_ok)
    assert torch.equal(torch.rand(3), expected[0]) and np.array_equal(np.random.rand(3), expected[1])


# ----------------------------------------------------------------- gradient by distance
def grad_ok(model, x, y):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y), x)
    return grad.norm(dim=(0, 2))


def grad_reads_x_grad(model, x, y):               # issue 15: a second call returns twice
    x.requires_grad_(True)
    F.mse_loss(model(x), y).backward()
    return x.grad.norm(dim=(0, 2))


def grad_flips_requires_grad(model, x, y):
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y), x)
    return grad.norm(dim=(0, 2))


def grad_sum_loss(model, x, y):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y, reduction="sum"), x)
    return grad.norm(dim=(0, 2))


def grad_per_sequence(model, x, y):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.mse_loss(model(x), y), x)
    return grad.norm(dim=2)


def grad_of_output(model, x, y):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(x).sum(), x)
    return grad.norm(dim=(0, 2))


def grad_backward_on_a_copy(model, x, y):         # review u4, item 17: writes the model's .grad
    x = x.detach().clone().requires_grad_(True)
    F.mse_loss(model(x), y).backward()
    return x.grad.norm(dim=(0, 2))


def grad_backward_then_cleared(model, x, y):      # right: leaves no .grad behind
    norms = grad_backward_on_a_copy(model, x, y)
    model.zero_grad(set_to_none=True)
    return norms


def grad_in_place(model, x, y):
    x.add_(1.0)
    return grad_ok(model, x, y)


@pytest.mark.parametrize("right", [grad_ok, grad_backward_then_cleared])
def test_gradient_check_accepts_the_right_function(right, capsys):
    lab04.check_gradient_by_distance(right)
    assert "✓ check_gradient_by_distance" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (grad_reads_x_grad, "returned 2 times its first answer the second time: x.grad accumulates"),
    (grad_flips_requires_grad, "changed its argument `x` in place (requires_grad went from False"),
    (lambda *a: grad_ok(*a).flip(0), "reverse order"),
    (grad_sum_loss, "summed over the batch of 16 (reduction='sum')"),
    (lambda *a: 3 * grad_ok(*a), "3 times the expected ones"),
    (grad_per_sequence, "one norm per sequence and step"),
    (lambda *a: grad_ok(*a) ** 2, "squared"),
    (grad_of_output, "the norm at step t ="),
    (grad_in_place, "changed its argument `x` in place"),
    (grad_backward_on_a_copy, "left gradients in the model's parameters (rnn.weight_ih_l0, "
                              "rnn.weight_hh_l0, ... now have a .grad)"),
    (lambda *a: grad_ok(*a).tolist(), "should be a torch.Tensor, got list"),
    (lambda *a: grad_ok(*a).double(), "dtype torch.float64, expected torch.float32"),
    (stub, "not implemented yet"),
])
def test_gradient_check_names_each_mistake(wrong, words):
    rejects(lab04.check_gradient_by_distance, wrong, words)


@pytest.mark.parametrize("check", [lab04.check_lstm_cell, lab04.check_gru_cell,
                                   lab04.check_peephole_lstm_cell, lab04.check_chrono_init,
                                   lab04.check_gradient_by_distance])
def test_checks_want_a_function(check):
    rejects(check, 42, "expected a function, got int")


# ------------------------------------------------------------------ the systematic layer
_WEIGHTS = ("W_ih", "W_hh", "b_ih", "b_hh")
_STATE_TYPE = [(pair(to_numpy), "should be a torch.Tensor"),
               (pair(to_float64), "expected torch.float32")]

CASES = [
    Case(lab04.check_lstm_cell, lstm_ok, mutable=(0, 1, 2, *_WEIGHTS), returns=_STATE_TYPE),
    Case(lab04.check_gru_cell, gru_ok, mutable=(0, 1, *_WEIGHTS),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_list, "should be a torch.Tensor"),
                  (to_float64, "expected torch.float32")]),
    Case(lab04.check_peephole_lstm_cell, peep_ok,
         mutable=(0, 1, 2, *_WEIGHTS, "p_i", "p_f", "p_o"), returns=_STATE_TYPE),
    # chrono_init_ is asked to change its LSTM in place and takes no generator: the draws are
    # tested by their distribution (see check_chrono_init); nothing else to plant here
    Case(lab04.check_chrono_init, chrono_ok),
    Case(lab04.check_gradient_by_distance, grad_ok, mutable=(0, 1, 2),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_list, "should be a torch.Tensor"),
                  (to_float64, "expected torch.float32")]),
]
