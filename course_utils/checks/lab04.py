"""Checks for Lab 04, gates against forgetting.

Each check runs the student's function on small random inputs, compares it with the reference
in :mod:`course_utils.cells`, and, when they disagree, tries the usual mistakes (gates in
another order, a bias left out, sigmoid where tanh belongs, the GRU's interpolation reversed,
...) to say which one it is.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from course_utils._feedback import CheckFailed, call_student, expect_shape, first_mismatch, passed
from course_utils.cells import gru_cell, lstm_cell, peephole_lstm_cell, unroll, weights_from_torch

B, D, H, T = 3, 4, 5, 30
TOL = 1e-5


def _inputs(kind: str, seed: int) -> tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor,
                                           torch.Tensor]:
    torch.manual_seed(seed)
    layer = nn.LSTM(D, H) if kind == "lstm" else nn.GRU(D, H)
    w = weights_from_torch(layer)
    with torch.no_grad():  # make every bias block clearly non-zero so a dropped one shows
        w["b_ih"] += 0.5 * torch.randn_like(w["b_ih"])
        w["b_hh"] += 0.5 * torch.randn_like(w["b_hh"])
    g = torch.Generator().manual_seed(seed + 1)
    return w, torch.randn(B, D, generator=g), torch.randn(B, H, generator=g), \
        torch.randn(B, H, generator=g)


def _close(a: Any, b: Any) -> bool:
    return a is not None and b is not None and torch.allclose(a, b, atol=TOL, rtol=1e-4)


def _as_pair(check: str, out: Any, what: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(check, f"{what} should return a pair (h, c), got "
                          f"{type(out).__name__}.")
    h, c = (torch.as_tensor(v) for v in out)
    expect_shape(check, "the new h", h, (B, H))
    expect_shape(check, "the new c", c, (B, H))
    return h, c


def _mismatch(check: str, what: str, actual: torch.Tensor, expected: torch.Tensor) -> CheckFailed:
    where = first_mismatch(actual.detach().numpy(), expected.detach().numpy(), atol=TOL)
    if where is None:
        return CheckFailed(check, f"{what} is off by more than {TOL}.")
    index, got, want = where
    return CheckFailed(check, f"{what} differs from the reference: at index {index} you give "
                       f"{got:.5f}, expected {want:.5f}. Compare your code with the equations "
                       "line by line.")


# --------------------------------------------------------------------------- LSTM
def _lstm_variant(x, h, c, w, order="ifgo", act_g=torch.tanh, act_c=torch.tanh,
                  drop=None, p=None, out_peeks_old=False, peep_swap=False):
    """A (possibly wrong) LSTM step; the keyword arguments plant one mistake."""
    w = dict(w)
    if drop:
        w[drop] = torch.zeros_like(w[drop])
    a = x @ w["W_ih"].T + w["b_ih"] + h @ w["W_hh"].T + w["b_hh"]
    blocks = dict(zip(order, a.split(H, dim=1)))
    p_i, p_f, p_o = p if p is not None else (0.0, 0.0, 0.0)
    if peep_swap:
        p_i, p_f = p_f, p_i
    i = torch.sigmoid(blocks["i"] + p_i * c)
    f = torch.sigmoid(blocks["f"] + p_f * c)
    g = act_g(blocks["g"])
    c_new = f * c + i * g
    o = torch.sigmoid(blocks["o"] + p_o * (c if out_peeks_old else c_new))
    return o * act_c(c_new), c_new


_LSTM_MISTAKES = [
    (dict(order="ifog"), "your gate blocks are in the order i, f, o, g (Keras'); PyTorch stores "
     "them as i, f, g, o: rows 2H:3H are the main layer g and rows 3H:4H the output gate o."),
    (dict(order="figo"), "your input and forget gates are swapped: PyTorch's rows 0:H are the "
     "input gate i and rows H:2H the forget gate f."),
    (dict(order="fiog"), "your gate blocks are in another order; PyTorch's is i, f, g, o "
     "(rows 0:H, H:2H, 2H:3H, 3H:4H)."),
    (dict(order="ofgi"), "your gate blocks are in another order; PyTorch's is i, f, g, o."),
    (dict(order="igfo"), "your forget gate and main layer are swapped: rows H:2H are f, rows "
     "2H:3H are g."),
    (dict(drop="b_ih"), "your output ignores the bias b_ih: add it to the pre-activations."),
    (dict(drop="b_hh"), "your output ignores the bias b_hh: PyTorch adds both b_ih and b_hh."),
    (dict(act_g=torch.sigmoid), "the main layer g uses sigmoid where tanh belongs: "
     "g_t = tanh(...) so it can write negative values."),
    (dict(act_c=torch.sigmoid), "h uses sigmoid(c_t) where tanh belongs: h_t = o_t * tanh(c_t)."),
    (dict(act_c=lambda v: v), "h reads c_t without squashing it: h_t = o_t * tanh(c_t)."),
]


def check_lstm_cell(student_lstm_cell: Callable[..., Any]) -> None:
    """Compare an LSTM step with the reference, then run it over a sequence against nn.LSTM."""
    check = "check_lstm_cell"
    w, x, h, c = _inputs("lstm", 0)
    out = call_student(check, student_lstm_cell, x, h, c, **w)
    got_h, got_c = _as_pair(check, out, "lstm_cell")
    want_h, want_c = lstm_cell(x, h, c, **w)
    if _close(got_h, want_c) and _close(got_c, want_h):
        raise CheckFailed(check, "you return (c, h); return the short-term state first: (h, c).")
    if not (_close(got_h, want_h) and _close(got_c, want_c)):
        for kwargs, message in _LSTM_MISTAKES:
            wrong_h, wrong_c = _lstm_variant(x, h, c, w, **kwargs)
            if _close(got_h, wrong_h) and _close(got_c, wrong_c):
                raise CheckFailed(check, message)
        if _close(got_h, want_h):
            raise _mismatch(check, "your new c", got_c, want_c)
        if _close(got_c, want_c):
            raise _mismatch(check, "your new h (o_t * tanh(c_t))", got_h, want_h)
        if _close(got_c, _lstm_variant(x, h, torch.zeros_like(c), w)[1]):
            raise CheckFailed(check, "your new c ignores the previous cell state c: "
                              "c_t = f_t * c_{t-1} + i_t * g_t.")
        raise _mismatch(check, "your new h", got_h, want_h)
    error = _sequence_error(check, "lstm", student_lstm_cell, seed=1)
    passed(check, f"one step matches the reference, and {T} steps match nn.LSTM "
           f"(max difference {error:.1e}).")


def _sequence_error(check: str, kind: str, cell: Callable[..., Any], seed: int) -> float:
    torch.manual_seed(seed)
    layer = (nn.LSTM if kind == "lstm" else nn.GRU)(D, H, batch_first=True)
    x = torch.randn(B, T, D, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        expected, _ = layer(x)
        w = weights_from_torch(layer)
        h = torch.zeros(B, H)
        c = torch.zeros(B, H)
        outs = []
        for t in range(T):
            if kind == "lstm":
                h, c = call_student(check, cell, x[:, t], h, c, **w)
            else:
                h = call_student(check, cell, x[:, t], h, **w)
            outs.append(h)
    error = (torch.stack(outs, 1) - expected).abs().max().item()
    if not error < TOL:
        raise CheckFailed(check, f"one step is right, but over {T} steps your outputs drift "
                          f"from nn.{kind.upper()}'s by {error:.2e} (tolerance {TOL}).")
    return error


# --------------------------------------------------------------------------- GRU
def _gru_variant(x, h, w, order="rzn", act_n=torch.tanh, drop=None, reversed_mix=False,
                 reset_before=False, reset_bias_outside=False):
    w = dict(w)
    if drop:
        w[drop] = torch.zeros_like(w[drop])
    ax = dict(zip(order, (x @ w["W_ih"].T + w["b_ih"]).split(H, dim=1)))
    ah = dict(zip(order, (h @ w["W_hh"].T + w["b_hh"]).split(H, dim=1)))
    r = torch.sigmoid(ax["r"] + ah["r"])
    z = torch.sigmoid(ax["z"] + ah["z"])
    W_hn, b_hn = w["W_hh"][2 * H:], w["b_hh"][2 * H:]
    if reset_before:
        n = act_n(ax["n"] + (r * h) @ W_hn.T + b_hn)
    elif reset_bias_outside:
        n = act_n(ax["n"] + r * (h @ W_hn.T) + b_hn)
    else:
        n = act_n(ax["n"] + r * ah["n"])
    return z * n + (1 - z) * h if reversed_mix else (1 - z) * n + z * h


_GRU_MISTAKES = [
    (dict(reversed_mix=True), "your interpolation is reversed: PyTorch keeps the old state where "
     "z = 1, h_t = (1 - z_t) * n_t + z_t * h_{t-1}."),
    (dict(reset_before=True), "you reset h before the matrix, W_hn (r_t * h_{t-1}) as in Cho et al. "
     "2014; PyTorch applies r_t after it: r_t * (W_hn h_{t-1} + b_hn)."),
    (dict(reset_bias_outside=True), "your reset gate multiplies W_hn h_{t-1} but not b_hn: "
     "PyTorch's candidate is tanh(W_in x + b_in + r_t * (W_hn h_{t-1} + b_hn))."),
    (dict(order="zrn"), "your reset and update gates are swapped: PyTorch's rows 0:H are the "
     "reset gate r and rows H:2H the update gate z."),
    (dict(drop="b_ih"), "your output ignores the bias b_ih: add it to the input pre-activations."),
    (dict(drop="b_hh"), "your output ignores the bias b_hh (including b_hn inside the reset)."),
    (dict(act_n=torch.sigmoid), "the candidate n uses sigmoid where tanh belongs: "
     "n_t = tanh(...)."),
]


def check_gru_cell(student_gru_cell: Callable[..., Any]) -> None:
    """Compare a GRU step with the reference, then run it over a sequence against nn.GRU."""
    check = "check_gru_cell"
    w, x, h, _ = _inputs("gru", 2)
    got = call_student(check, student_gru_cell, x, h, **w)
    if isinstance(got, (tuple, list)):
        raise CheckFailed(check, "gru_cell should return the new h alone (a GRU has no c), "
                          f"got a {type(got).__name__} of {len(got)}.")
    expect_shape(check, "the new h", got, (B, H))
    got = torch.as_tensor(got)
    want = gru_cell(x, h, **w)
    if not _close(got, want):
        for kwargs, message in _GRU_MISTAKES:
            if _close(got, _gru_variant(x, h, w, **kwargs)):
                raise CheckFailed(check, message)
        if _close(got, _gru_variant(x, torch.zeros_like(h), w)):
            raise CheckFailed(check, "your new h ignores the previous state h.")
        raise _mismatch(check, "your new h", got, want)
    error = _sequence_error(check, "gru", student_gru_cell, seed=3)
    passed(check, f"one step matches the reference, and {T} steps match nn.GRU "
           f"(max difference {error:.1e}).")


# --------------------------------------------------------------------------- peepholes
_PEEP_MISTAKES = [
    (dict(out_peeks_old=True), "your output gate peeks at the old state c_{t-1}; it should look "
     "at the new one: o_t = sigmoid(... + p_o * c_t), computed after c_t."),
    (dict(peep_swap=True), "your input and forget gates use each other's peephole weights: "
     "i_t takes p_i * c_{t-1}, f_t takes p_f * c_{t-1}."),
]


def check_peephole_lstm_cell(student_cell: Callable[..., Any]) -> None:
    """Check the peephole LSTM: zero peepholes give the plain LSTM, each peephole acts right."""
    check = "check_peephole_lstm_cell"
    w, x, h, c = _inputs("lstm", 4)
    zero = torch.zeros(H)
    got = _as_pair(check, call_student(check, student_cell, x, h, c, **w,
                                       p_i=zero, p_f=zero, p_o=zero), "peephole_lstm_cell")
    want = lstm_cell(x, h, c, **w)
    if not (_close(got[0], want[0]) and _close(got[1], want[1])):
        raise CheckFailed(check, "with all peephole weights zero your cell should compute the "
                          "plain LSTM step, and it does not: get lstm_cell right first, then "
                          "add p_i * c_{t-1}, p_f * c_{t-1} and p_o * c_t.")
    g = torch.Generator().manual_seed(5)
    peeps = tuple(torch.randn(H, generator=g) for _ in range(3))
    for gate, k in (("input", 0), ("forget", 1), ("output", 2)):
        only = tuple(p if j == k else zero for j, p in enumerate(peeps))
        got = _as_pair(check, call_student(check, student_cell, x, h, c, **w, p_i=only[0],
                                           p_f=only[1], p_o=only[2]), "peephole_lstm_cell")
        want = peephole_lstm_cell(x, h, c, **w, p_i=only[0], p_f=only[1], p_o=only[2])
        if _close(got[0], want[0]) and _close(got[1], want[1]):
            continue
        for kwargs, message in _PEEP_MISTAKES:
            wrong = _lstm_variant(x, h, c, w, p=only, **kwargs)
            if _close(got[0], wrong[0]) and _close(got[1], wrong[1]):
                raise CheckFailed(check, message)
        if _close(got[0], lstm_cell(x, h, c, **w)[0]):
            raise CheckFailed(check, f"your cell ignores the {gate} gate's peephole weight "
                              f"p_{'ifo'[k]}.")
        raise _mismatch(check, f"with only the {gate} peephole non-zero, your new h",
                        got[0], want[0])
    passed(check, "zero peepholes give the plain LSTM, and p_i, p_f, p_o each act on the right "
           "state.")


# --------------------------------------------------------------------------- chrono init
def check_chrono_init(student_init: Callable[..., Any]) -> None:
    """Check the chrono initialisation: b_f = log(u), u ~ U(1, T - 1), b_i = -b_f, rest kept."""
    check = "check_chrono_init"
    hidden, max_len = 64, 100
    torch.manual_seed(6)
    lstm = nn.LSTM(2, hidden, batch_first=True)
    before = {k: v.detach().clone() for k, v in lstm.named_parameters()}
    call_student(check, student_init, lstm, max_len, may_modify=(0,))
    bias = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    b_i, b_f = bias[:hidden], bias[hidden:2 * hidden]
    top = math.log(max_len - 1)
    for name in ("weight_ih_l0", "weight_hh_l0"):
        if not torch.equal(getattr(lstm, name).detach(), before[name]):
            raise CheckFailed(check, f"you changed {name}; chrono initialisation only sets biases.")
    old = before["bias_ih_l0"] + before["bias_hh_l0"]
    for block, rows in (("main layer g", slice(2 * hidden, 3 * hidden)),
                        ("output gate o", slice(3 * hidden, None))):
        if not torch.allclose(bias[rows], old[rows]):
            raise CheckFailed(check, f"you changed the {block}'s bias (rows {rows.start}:"
                              f"{rows.stop or 4 * hidden}); set only the forget and input rows.")
    in_range = bool(((b_f >= -1e-6) & (b_f <= top + 1e-6)).all())
    if not in_range and bool(((b_i >= -1e-6) & (b_i <= top + 1e-6)).all()):
        raise CheckFailed(check, "you wrote the forget bias into rows 0:H, which PyTorch uses "
                          "for the input gate; the forget gate's rows are H:2H.")
    if not in_range:
        low, high = b_f.min().item(), b_f.max().item()
        raise CheckFailed(check, f"the forget bias b_ih + b_hh (rows H:2H) should lie in "
                          f"[0, log(T - 1)] = [0, {top:.2f}], yours spans [{low:.2f}, {high:.2f}]; "
                          "remember that PyTorch adds bias_ih and bias_hh: set one of them to 0.")
    if b_f.std().item() < 0.1:
        raise CheckFailed(check, "every unit got the same forget bias; draw u ~ U(1, T - 1) per "
                          "unit so the units remember over different time scales.")
    if not torch.allclose(b_i, -b_f, atol=1e-5):
        if torch.allclose(b_i, b_f, atol=1e-5):
            raise CheckFailed(check, "the input bias has the wrong sign: b_i = -b_f.")
        off = (b_i + b_f).abs().max().item()
        if off < 0.5:
            raise CheckFailed(check, f"b_i + b_f should be 0 but is off by up to {off:.3f}: "
                              "PyTorch adds bias_ih and bias_hh, so set the forget and input "
                              "rows of one of them to 0.")
        raise CheckFailed(check, "the input bias (rows 0:H of b_ih + b_hh) should be -b_f.")
    passed(check, f"forget biases span [{b_f.min().item():.2f}, {b_f.max().item():.2f}] "
           f"(mean memory 1/(1 - f) ≈ {(1 / (1 - torch.sigmoid(b_f))).mean().item():.0f} "
           "steps), input biases are their negatives.")


# --------------------------------------------------------------------------- gradients
def _reference_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    loss = nn.functional.mse_loss(model(x), y)
    (grad,) = torch.autograd.grad(loss, x)
    return grad.norm(dim=(0, 2))


class _LastStep(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(2, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


def check_gradient_by_distance(student_fn: Callable[..., Any]) -> None:
    """Check the per-step gradient norms ||dL/dx_t|| (t = 1..T) of a small RNN's MSE loss."""
    check = "check_gradient_by_distance"
    torch.manual_seed(7)
    model, steps = _LastStep(), 12
    g = torch.Generator().manual_seed(8)
    x, y = torch.rand(16, steps, 2, generator=g), torch.rand(16, 1, generator=g)
    x_before = x.clone()
    got = call_student(check, student_fn, model, x, y)
    if not isinstance(got, torch.Tensor):
        got = torch.as_tensor(np.asarray(got, dtype=np.float32))
    if got.ndim == 2 and got.shape == (16, steps):
        raise CheckFailed(check, f"you return one norm per sequence and step, shape {tuple(got.shape)}; "
                          "take the norm over the batch and the features too: shape (T,).")
    if got.ndim == 2 and got.shape == (steps, 2):
        raise CheckFailed(check, f"you return shape {tuple(got.shape)}; take the norm over the "
                          "features too: one number per time step, shape (T,).")
    expect_shape(check, "your gradient norms", got, (steps,))
    if not torch.equal(x, x_before):
        raise CheckFailed(check, "your function changed x in place; work on a copy.")
    got = got.detach().float()
    want = _reference_gradient(model, x, y)
    if torch.allclose(got, want, rtol=1e-4, atol=1e-8):
        passed(check, f"{steps} norms match; here the last step gets "
               f"{(want[-1] / want[0]).item():.0f}x the gradient of the first.")
        return
    if torch.allclose(got, want.flip(0), rtol=1e-4, atol=1e-8):
        raise CheckFailed(check, "your norms are in reverse order: entry t should belong to "
                          "input x_t (t = 1..T), so the last entry is the final step.")
    ratio = (got / want).mean().item()
    if torch.allclose(got, ratio * want, rtol=1e-3, atol=1e-9):
        raise CheckFailed(check, f"your norms are {ratio:.3g} times the expected ones: use the "
                          "mean squared error over the batch (F.mse_loss) as the loss.")
    if torch.allclose(got.pow(2), want, rtol=1e-3) or torch.allclose(got, want.pow(2), rtol=1e-3):
        raise CheckFailed(check, "your norms are squared (or square-rooted) versions of the "
                          "expected ones: use the Euclidean norm, grad.norm(dim=(0, 2)).")
    index, actual, expected = first_mismatch(got.numpy(), want.numpy(), atol=1e-8, rtol=1e-4)
    raise CheckFailed(check, f"the norm at step t = {index[0] + 1} is {actual:.3g}, expected "
                      f"{expected:.3g}: differentiate the MSE of model(x) against y with respect "
                      "to x and take the norm over batch and features.")


__all__ = ["check_lstm_cell", "check_gru_cell", "check_peephole_lstm_cell", "check_chrono_init",
           "check_gradient_by_distance"]
