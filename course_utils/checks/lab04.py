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

from course_utils._feedback import (CheckFailed, call_student, expect_array, first_mismatch,
                                   passed)
from course_utils.cells import (gradient_by_distance, gru_cell, lstm_cell, peephole_lstm_cell,
                                weights_from_torch)

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


def _call_cell(check: str, cell: Callable[..., Any], *args: Any, **weights: Any) -> Any:
    """Call a student's cell; a matrix product with mismatched shapes gets the transpose hint."""
    try:
        return call_student(check, cell, *args, **weights)
    except CheckFailed as error:
        if "cannot be multiplied" not in error.message:
            raise
        W_ih, W_hh = weights["W_ih"], weights["W_hh"]
        raise CheckFailed(check, f"{error.message}. PyTorch stores W_ih as (gates x H, D) = "
                          f"{tuple(W_ih.shape)} and W_hh as (gates x H, H) = {tuple(W_hh.shape)}, "
                          f"and x is (B, D) = {tuple(args[0].shape)}: multiply by the transposes, "
                          "x @ W_ih.T and h @ W_hh.T.") from None


def _state(check: str, what: str, value: Any, like: torch.Tensor) -> torch.Tensor:
    return expect_array(check, what, value, library="torch", shape=tuple(like.shape),
                        dtype=like.dtype, hint="The lab stacks the states over time with "
                        "torch.stack, so return tensors in the inputs' dtype.")


def _as_pair(check: str, out: Any, what: str, like: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(check, f"{what} should return a pair (h, c), got "
                          f"{type(out).__name__}.")
    return _state(check, "the new h", out[0], like), _state(check, "the new c", out[1], like)


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
    (dict(order="ifog"), "your gate blocks are in the order i, f, o, g; PyTorch stores them as "
     "i, f, g, o: rows 2H:3H are the candidate g and rows 3H:4H the output gate o."),
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
    out = _call_cell(check, student_lstm_cell, x, h, c, **w)
    got_h, got_c = _as_pair(check, out, "lstm_cell", h)
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
                h, c = _as_pair(check, _call_cell(check, cell, x[:, t], h, c, **w),
                                "lstm_cell", h)
            else:
                h = _state(check, "the new h", _call_cell(check, cell, x[:, t], h, **w), h)
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
     "z = 1, h_t = (1 - z_t) * h̃_t + z_t * h_{t-1} (h̃_t is the candidate, PyTorch's n_t)."),
    (dict(reset_before=True), "you reset h before the matrix, W_hn (r_t * h_{t-1}), as the "
     "published Cho et al. 2014 does; PyTorch applies r_t after it: r_t * (W_hn h_{t-1} + b_hn)."),
    (dict(reset_bias_outside=True), "your reset gate multiplies W_hn h_{t-1} but not b_hn: "
     "PyTorch's candidate is h̃_t = tanh(W_in x + b_in + r_t * (W_hn h_{t-1} + b_hn))."),
    (dict(order="zrn"), "your reset and update gates are swapped: PyTorch's rows 0:H are the "
     "reset gate r and rows H:2H the update gate z."),
    (dict(drop="b_ih"), "your output ignores the bias b_ih: add it to the input pre-activations."),
    (dict(drop="b_hh"), "your output ignores the bias b_hh (including b_hn inside the reset)."),
    (dict(act_n=torch.sigmoid), "the candidate h̃_t (PyTorch's n_t) uses sigmoid where tanh "
     "belongs: h̃_t = tanh(...)."),
]


def check_gru_cell(student_gru_cell: Callable[..., Any]) -> None:
    """Compare a GRU step with the reference, then run it over a sequence against nn.GRU."""
    check = "check_gru_cell"
    w, x, h, _ = _inputs("gru", 2)
    got = _call_cell(check, student_gru_cell, x, h, **w)
    if isinstance(got, (tuple, list)) and len(got) == 2 and all(
            isinstance(v, torch.Tensor) for v in got):
        raise CheckFailed(check, "gru_cell should return the new h alone (a GRU has no c), "
                          f"got a {type(got).__name__} of {len(got)}.")
    got = _state(check, "the new h", got, h)
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
    got = _as_pair(check, _call_cell(check, student_cell, x, h, c, **w,
                                     p_i=zero, p_f=zero, p_o=zero), "peephole_lstm_cell", h)
    want = lstm_cell(x, h, c, **w)
    if not (_close(got[0], want[0]) and _close(got[1], want[1])):
        raise CheckFailed(check, "with all peephole weights zero your cell should compute the "
                          "plain LSTM step, and it does not: get lstm_cell right first, then "
                          "add p_i * c_{t-1}, p_f * c_{t-1} and p_o * c_t.")
    g = torch.Generator().manual_seed(5)
    peeps = tuple(torch.randn(H, generator=g) for _ in range(3))
    for gate, k in (("input", 0), ("forget", 1), ("output", 2)):
        only = tuple(p if j == k else zero for j, p in enumerate(peeps))
        got = _as_pair(check, _call_cell(check, student_cell, x, h, c, **w, p_i=only[0],
                                         p_f=only[1], p_o=only[2]), "peephole_lstm_cell", h)
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
# Chrono initialisation (Tallec and Ollivier 2018): b_f = log u with u ~ U(1, T_max - 1) drawn
# per unit, b_i = -b_f. PyTorch adds bias_ih and bias_hh, so "the bias" below is their sum.
_CHRONO_UNITS = 256      # units per draw: enough for the distribution tests below
_CHRONO_MAX_LEN = 100    # the lab's sequence length
_KS_P_MIN = 1e-6         # a right answer fails the distribution test with probability 1e-6
_WIDE_RANGE = (" You draw u from U(1, max_len); chrono initialisation draws it from "
               "U(1, max_len - 1).")


def _chrono_run(check: str, student_init: Callable[..., Any], max_len: int, seed: int
                ) -> tuple[nn.LSTM, dict[str, torch.Tensor]]:
    """Apply the student's init to a fresh LSTM, seeding torch and NumPy (and restoring both)."""
    state = np.random.get_state()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        np.random.seed(seed)
        lstm = nn.LSTM(2, _CHRONO_UNITS, batch_first=True)
        before = {k: v.detach().clone() for k, v in lstm.named_parameters()}
        call_student(check, student_init, lstm, max_len, may_modify=(0,))
    np.random.set_state(state)
    return lstm, before


def _chrono_biases(lstm: nn.LSTM) -> tuple[torch.Tensor, torch.Tensor]:
    H = _CHRONO_UNITS
    total = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().double()
    return total[:H], total[H:2 * H]


def _in_range(values: torch.Tensor, low: float, high: float) -> bool:
    return bool(((values >= low - 1e-5) & (values <= high + 1e-5)).all())


def _chrono_structure(check: str, lstm: nn.LSTM, before: dict[str, torch.Tensor]
                      ) -> tuple[bool, bool]:
    """What the student changed besides the forget and input biases, and how the two bias
    vectors were combined; each message needs the evidence it names. Returns whether rows 0:2H
    of bias_ih_l0 and of bias_hh_l0 are exactly as PyTorch initialised them."""
    H = _CHRONO_UNITS
    for name in ("weight_ih_l0", "weight_hh_l0"):
        if not torch.equal(getattr(lstm, name).detach(), before[name]):
            raise CheckFailed(check, f"you changed {name}; chrono initialisation only sets biases.")
    bias_ih, bias_hh = lstm.bias_ih_l0.detach(), lstm.bias_hh_l0.detach()
    for block, rows in (("main layer g", slice(2 * H, 3 * H)), ("output gate o", slice(3 * H, None))):
        if not (torch.equal(bias_ih[rows], before["bias_ih_l0"][rows])
                and torch.equal(bias_hh[rows], before["bias_hh_l0"][rows])):
            raise CheckFailed(check, f"you changed the {block}'s bias (rows {rows.start}:"
                              f"{rows.stop or 4 * H} of bias_ih_l0 or bias_hh_l0); set only the "
                              "input and forget rows, 0:2H.")
    ih_kept = torch.equal(bias_ih[:2 * H], before["bias_ih_l0"][:2 * H])
    hh_kept = torch.equal(bias_hh[:2 * H], before["bias_hh_l0"][:2 * H])
    if ih_kept and hh_kept:
        raise CheckFailed(check, "the input and forget biases of the LSTM you were given are "
                          "unchanged: chrono_init_ must change the layer in place (set its "
                          "bias_ih_l0 and bias_hh_l0 rows 0:2H inside torch.no_grad()), not "
                          "build or return a new one.")
    if torch.equal(bias_ih[:2 * H], bias_hh[:2 * H]):
        raise CheckFailed(check, "you wrote the same values into bias_ih_l0 and bias_hh_l0 "
                          "(rows 0:2H). PyTorch adds the two, so every bias counts twice: put "
                          "the values in one of them and set the same rows of the other to 0.")
    return ih_kept, hh_kept


def check_chrono_init(student_init: Callable[..., Any]) -> None:
    """Check the chrono initialisation: b_f = log(u), u ~ U(1, T - 1), b_i = -b_f, rest kept.

    The bias draws are random, so the distribution is tested on 256 units (false acceptance
    probabilities are given at each test); the check seeds torch and NumPy and restores them.
    """
    check = "check_chrono_init"
    H, T = _CHRONO_UNITS, _CHRONO_MAX_LEN
    lstm, before = _chrono_run(check, student_init, T, seed=6)
    ih_kept, hh_kept = _chrono_structure(check, lstm, before)
    b_i, b_f = _chrono_biases(lstm)
    top = math.log(T - 1)
    right_inputs = torch.allclose(b_i, -b_f, atol=1e-5)
    if not _in_range(b_f, 0.0, top) or not right_inputs:
        # evidence for one bias vector left at PyTorch's random values: those rows are exactly
        # as initialised and the other vector's rows alone would be right
        for kept, name, other in ((ih_kept, "bias_ih_l0", "bias_hh_l0"),
                                  (hh_kept, "bias_hh_l0", "bias_ih_l0")):
            alone = getattr(lstm, other).detach().double()
            if kept and _in_range(alone[H:2 * H], 0.0, top) and torch.allclose(
                    alone[:H], -alone[H:2 * H], atol=1e-5):
                raise CheckFailed(check, f"rows 0:2H of {name} still hold PyTorch's random initial "
                                  f"values, and PyTorch adds {name} to {other}: your values in "
                                  f"{other} are right, so set rows 0:2H of {name} to 0.")
    if not _in_range(b_f, 0.0, top) and _in_range(b_i, 0.0, top) and torch.allclose(
            b_f, -b_i, atol=1e-5):
        raise CheckFailed(check, "you wrote the forget bias into rows 0:H, which PyTorch uses "
                          "for the input gate; the forget gate's rows are H:2H.")
    if right_inputs and _in_range(b_f, 1.0, T - 1) and b_f.max().item() > top + 1e-3:
        raise CheckFailed(check, f"your forget biases lie in [1, T - 1] = [1, {T - 1}]: you set "
                          "b_f = u. Chrono initialisation takes its logarithm, b_f = log(u), "
                          f"so that f = sigmoid(b_f) = u / (1 + u) (at most {T - 1}/{T}).")
    if b_f.std().item() < 1e-3:
        raise CheckFailed(check, "every unit got the same forget bias; draw u ~ U(1, T - 1) once "
                          "per unit so the units remember over different time scales.")
    if not right_inputs:
        if torch.allclose(b_i, b_f, atol=1e-5):
            raise CheckFailed(check, "the input bias has the wrong sign: b_i = -b_f.")
        off = (b_i + b_f).abs().max().item()
        raise CheckFailed(check, f"the input bias (rows 0:H of bias_ih_l0 + bias_hh_l0) should be "
                          f"-b_f, the negative of the forget bias (rows H:2H); b_i + b_f is off "
                          f"from 0 by up to {off:.3g}.")
    if not _in_range(b_f, 0.0, top):
        raise CheckFailed(check, f"the forget bias (rows H:2H of bias_ih_l0 + bias_hh_l0) should "
                          f"lie in [log 1, log(T - 1)] = [0, {top:.2f}] for T = {T}; yours spans "
                          f"[{b_f.min().item():.2f}, {b_f.max().item():.2f}]."
                          + (_WIDE_RANGE if _in_range(b_f, 0.0, math.log(T)) else ""))
    _chrono_distribution(check, b_f, T)
    memory = (1 / (1 - torch.sigmoid(b_f))).mean().item()
    # U(1, max_len) instead of U(1, max_len - 1): at max_len = 3 the right u lie in [1, 2] and
    # half the wrong ones above 2; all 256 wrong draws stay at or below 2 with probability
    # 0.5 ** 256 < 1e-77 (the false acceptance probability of this test).
    lstm, _ = _chrono_run(check, student_init, 3, seed=7)
    b_f = _chrono_biases(lstm)[1]
    if b_f.max().item() > math.log(2) + 1e-5:
        raise CheckFailed(check, f"with max_len = 3 the forget biases should lie in [0, log 2] = "
                          f"[0, 0.69]; yours reach {b_f.max().item():.2f}."
                          + (_WIDE_RANGE if b_f.max().item() <= math.log(3) + 1e-5 else ""))
    passed(check, f"the forget biases are distributed as log U(1, max_len - 1) (tested on "
           f"{H} units at max_len = {T} and 3), the input biases are their negatives; at "
           f"max_len = {T} the mean memory 1/(1 - f) is {memory:.0f} steps.")


def _chrono_distribution(check: str, b_f: torch.Tensor, T: int) -> None:
    """Kolmogorov-Smirnov test of u = exp(b_f) against U(1, T - 1). A right answer fails with
    probability _KS_P_MIN; b_f drawn uniformly in [0, log(T - 1)] (a wrong answer) passes with
    probability below 1e-15 at 256 units (its KS distance is about 0.46 against a threshold of
    0.17; Dvoretzky-Kiefer-Wolfowitz bounds the chance of that gap by 2 exp(-2 n 0.29^2))."""
    from scipy import stats

    u = b_f.exp().numpy()
    p = stats.kstest(u, stats.uniform(loc=1, scale=T - 2).cdf).pvalue
    if p >= _KS_P_MIN:
        return
    log_uniform = stats.kstest(b_f.numpy(), stats.uniform(loc=0, scale=math.log(T - 1)).cdf).pvalue
    hint = (" They look uniform in [0, log(T - 1)]: draw u uniformly in [1, T - 1] first and then "
            "take b_f = log(u), which gives most units a long memory." if log_uniform >= _KS_P_MIN
            else "")
    raise CheckFailed(check, f"u = exp(b_f) should be uniform in [1, T - 1] = [1, {T - 1}], but "
                      f"its distribution over your {b_f.numel()} units is not (Kolmogorov-Smirnov "
                      f"p = {p:.1e}).{hint}")


# --------------------------------------------------------------------------- gradients
class _LastStep(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(2, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


def _norms(check: str, student_fn: Callable[..., Any], model: nn.Module, x: torch.Tensor,
           y: torch.Tensor, steps: int, may_modify: tuple[int, ...] = ()) -> torch.Tensor:
    got = call_student(check, student_fn, model, x, y, may_modify=may_modify)
    if isinstance(got, torch.Tensor) and got.ndim == 2 and got.shape == (x.shape[0], steps):
        raise CheckFailed(check, f"you return one norm per sequence and step, shape "
                          f"{tuple(got.shape)}; take the norm over the batch and the features "
                          "too: shape (T,).")
    if isinstance(got, torch.Tensor) and got.ndim == 2 and got.shape == (steps, x.shape[2]):
        raise CheckFailed(check, f"you return shape {tuple(got.shape)}; take the norm over the "
                          "features too: one number per time step, shape (T,).")
    expect_array(check, "your gradient norms", got, library="torch", shape=(steps,),
                 dtype=x.dtype, hint="The lab plots and divides these norms as a tensor.")
    return got.detach()


def check_gradient_by_distance(student_fn: Callable[..., Any]) -> None:
    """Check the per-step gradient norms ||dL/dx_t|| (t = 1..T) of a small RNN's MSE loss.

    Two calls on the same inputs must agree (a function that reads ``x.grad`` after
    ``backward()`` without clearing it returns twice the first answer the second time), and
    the result must be a tensor of shape (T,) in x's dtype, as the lab uses it.
    """
    check = "check_gradient_by_distance"
    torch.manual_seed(7)
    model, steps = _LastStep(), 12
    g = torch.Generator().manual_seed(8)
    x, y = torch.rand(16, steps, 2, generator=g), torch.rand(16, 1, generator=g)
    want = gradient_by_distance(model, x, y)
    # The same x twice, first allowing changes to it so that a function reading x.grad after
    # backward() shows what it does: its second answer is twice the first.
    twice = x.clone()
    first = _norms(check, student_fn, model, twice, y, steps, may_modify=(1,))
    second = _norms(check, student_fn, model, twice, y, steps, may_modify=(1,))
    if torch.equal(twice.detach(), x) and not torch.allclose(second, first, rtol=1e-4, atol=1e-8):
        ratio = (second / first.clamp_min(1e-30)).median().item()
        cause = ("x.grad accumulates: backward() adds to it. Call torch.autograd.grad(loss, x) "
                 "on a fresh copy, x = x.detach().clone().requires_grad_(True): it returns the "
                 "gradient without storing it and leaves the caller's x alone."
                 if abs(ratio - 2) < 1e-3 else "your function keeps state between calls.")
        raise CheckFailed(check, f"called twice on the same x, your function returned "
                          f"{ratio:.3g} times its first answer the second time: {cause}")
    # then as the lab calls it: x must come back unchanged, requires_grad included
    _compare_norms(check, _norms(check, student_fn, model, x, y, steps), want)
    passed(check, f"{steps} norms match, and a second call gives the same; here the last step "
           f"gets {(want[-1] / want[0]).item():.0f}x the gradient of the first.")


def _compare_norms(check: str, got: torch.Tensor, want: torch.Tensor) -> None:
    if torch.allclose(got, want, rtol=1e-4, atol=1e-8):
        return
    if torch.allclose(got, want.flip(0), rtol=1e-4, atol=1e-8):
        raise CheckFailed(check, "your norms are in reverse order: entry t should belong to "
                          "input x_t (t = 1..T), so the last entry is the final step.")
    if torch.allclose(got.pow(2), want, rtol=1e-3) or torch.allclose(got, want.pow(2), rtol=1e-3):
        raise CheckFailed(check, "your norms are squared (or square-rooted) versions of the "
                          "expected ones: use the Euclidean norm, grad.norm(dim=(0, 2)).")
    ratio = (got / want).mean().item()
    if torch.allclose(got, ratio * want, rtol=1e-3, atol=1e-9):
        batch = 16
        cause = (f"a loss summed over the batch of {batch} (reduction='sum') is {batch} times "
                 "the mean: use F.mse_loss with its default mean." if abs(ratio - batch) < 1e-2
                 else "check the loss: the mean squared error of model(x) against y, "
                 "F.mse_loss(model(x), y).")
        raise CheckFailed(check, f"your norms are {ratio:.3g} times the expected ones at every "
                          f"step: {cause}")
    index, actual, expected = first_mismatch(got.numpy(), want.numpy(), atol=1e-8, rtol=1e-4)
    raise CheckFailed(check, f"the norm at step t = {index[0] + 1} is {actual:.3g}, expected "
                      f"{expected:.3g}: differentiate the MSE of model(x) against y with respect "
                      "to x and take the norm over batch and features.")


__all__ = ["check_lstm_cell", "check_gru_cell", "check_peephole_lstm_cell", "check_chrono_init",
           "check_gradient_by_distance"]
