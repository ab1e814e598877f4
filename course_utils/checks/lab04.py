"""Checks for Lab 04, gates against forgetting.

Each check runs the student's function on small random inputs, compares it with the reference
in :mod:`course_utils.cells`, and, when they disagree, tries the usual mistakes (gates in
another order, a bias left out, sigmoid where tanh belongs, the GRU's interpolation reversed,
...) to say which one it is.
"""
from __future__ import annotations

import math
import re
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
    """Call a student's cell and translate the two shape errors a slip in the layout gives."""
    try:
        return call_student(check, cell, *args, **weights)
    except CheckFailed as error:
        hint = _layout_hint(error.message, args[0], args[1], weights["W_ih"], weights["W_hh"])
        if hint is None:
            raise
        raise CheckFailed(check, f"{error.message.rstrip('.')}. {hint}") from None


def _layout_hint(message: str, x: torch.Tensor, h: torch.Tensor, W_ih: torch.Tensor,
                 W_hh: torch.Tensor) -> str | None:
    """What PyTorch's shape error says about the student's layout, or None if it says nothing."""
    (batch, D), H = tuple(x.shape), h.shape[1]
    if "cannot be multiplied" in message:
        return (f"PyTorch stores W_ih as (gates x H, D) = {tuple(W_ih.shape)} and W_hh as "
                f"(gates x H, H) = {tuple(W_hh.shape)}, and x is (B, D) = {(batch, D)}: "
                "multiply by the transposes, x @ W_ih.T and h @ W_hh.T.")
    sizes = re.search(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)",
                      message)
    if sizes is None:
        return None
    widths = {int(sizes.group(1)), int(sizes.group(2))}
    if widths == {D, H}:
        return (f"One of your gate blocks is D = {D} columns wide where the state has H = {H}: "
                f"W_ih.shape[1] is the input size D. Take H from the state, H = h.shape[1], "
                "and give every block H columns.")
    if H in widths:
        return (f"A block of {(widths - {H}).pop()} columns met the state, which has H = {H}: "
                "split the (B, gates x H) pre-activations into blocks of H = h.shape[1] columns "
                "each.")
    return None


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
                  act_o=torch.sigmoid, drop=None, coupled=False, h_from_old_c=False, p=None,
                  peek="c", peep_after_sigmoid=False, out_peeks_old=False, out_peeks_tanh=False,
                  peep_swap=False):
    """A (possibly wrong) LSTM step; each keyword argument plants one mistake."""
    w = dict(w)
    if drop:
        w[drop] = torch.zeros_like(w[drop])
    a = x @ w["W_ih"].T + w["b_ih"] + h @ w["W_hh"].T + w["b_hh"]
    blocks = dict(zip(order, a.split(H, dim=1)))
    p_i, p_f, p_o = p if p is not None else (0.0, 0.0, 0.0)
    if peep_swap:
        p_i, p_f = p_f, p_i
    seen = h if peek == "h" else c          # what the input and forget gates peek at

    def gate(pre, peep, state):
        return (torch.sigmoid(pre) + peep * state if peep_after_sigmoid
                else torch.sigmoid(pre + peep * state))

    i, f = gate(blocks["i"], p_i, seen), gate(blocks["f"], p_f, seen)
    if coupled:
        i = 1 - f
    c_new = f * c + i * act_g(blocks["g"])
    o_seen = h if peek == "h" else c if out_peeks_old else torch.tanh(c_new) if out_peeks_tanh \
        else c_new
    o = gate(blocks["o"], p_o, o_seen) if act_o is torch.sigmoid else act_o(blocks["o"])
    return o * act_c(c if h_from_old_c else c_new), c_new


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
    (dict(drop="W_hh"), "your gates and candidate ignore the previous state h_{t-1}: every "
     "pre-activation is x @ W_ih.T + b_ih + h @ W_hh.T + b_hh."),
    (dict(drop="W_ih"), "your gates and candidate ignore the input x_t: every pre-activation is "
     "x @ W_ih.T + b_ih + h @ W_hh.T + b_hh."),
    (dict(act_g=torch.sigmoid), "the main layer g uses sigmoid where tanh belongs: "
     "g_t = tanh(...) so it can write negative values."),
    (dict(act_o=torch.tanh), "the output gate o uses tanh where sigmoid belongs: "
     "o_t = sigmoid(...), a share in (0, 1)."),
    (dict(act_c=torch.sigmoid), "h uses sigmoid(c_t) where tanh belongs: h_t = o_t * tanh(c_t)."),
    (dict(act_c=lambda v: v), "h reads c_t without squashing it: h_t = o_t * tanh(c_t)."),
    (dict(h_from_old_c=True), "your new h reads the old cell state: h_t = o_t * tanh(c_t) "
     "with the new c_t, so compute c_t first."),
    (dict(coupled=True), "you write with 1 - f_t where the input gate i_t belongs (the coupled "
     "variant); nn.LSTM has its own input gate: c_t = f_t * c_{t-1} + i_t * g_t."),
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
                 reset="after", b_hn="inside", b_in=True):
    """A (possibly wrong) GRU step; each keyword argument plants one mistake. ``reset`` is where
    r_t acts: "after" the matrix (PyTorch), "before" it (Cho et al. as published), "none",
    "whole" (the whole candidate pre-activation) or "with b_in" (b_in inside the reset too);
    ``b_hn`` is where that bias goes: "inside" the reset, "outside" it, or "none"."""
    w = dict(w)
    if drop:
        w[drop] = torch.zeros_like(w[drop])
    ax = dict(zip(order, (x @ w["W_ih"].T + w["b_ih"]).split(H, dim=1)))
    ah = dict(zip(order, (h @ w["W_hh"].T + w["b_hh"]).split(H, dim=1)))
    r = torch.sigmoid(ax["r"] + ah["r"])
    z = torch.sigmoid(ax["z"] + ah["z"])
    W_hn, bias_n = w["W_hh"][2 * H:], w["b_hh"][2 * H:]
    x_n = ax["n"] if b_in else ax["n"] - w["b_ih"][2 * H:]
    inside = bias_n if b_hn == "inside" else 0.0
    outside = bias_n if b_hn == "outside" else 0.0
    recurrent = {"after": lambda: r * (h @ W_hn.T + inside),
                 "before": lambda: (r * h) @ W_hn.T + r * inside,
                 "none": lambda: h @ W_hn.T + inside}
    if reset == "whole":
        n = act_n(r * (ax["n"] + ah["n"]))
    elif reset == "with b_in":
        n = act_n(x @ w["W_ih"][2 * H:].T + r * (ah["n"] + w["b_ih"][2 * H:]))
    else:
        n = act_n(x_n + recurrent[reset]() + outside)
    return z * n + (1 - z) * h if reversed_mix else (1 - z) * n + z * h


_RESET_BEFORE = ("you reset h before the matrix, W_hn (r_t * h_{t-1}), as the published Cho et "
                 "al. 2014 does; PyTorch applies r_t after it, to the whole recurrent term and "
                 "its bias: r_t * (W_hn h_{t-1} + b_hn).")
_GRU_MISTAKES = [
    (dict(reversed_mix=True), "your interpolation is reversed: PyTorch keeps the old state where "
     "z = 1, h_t = (1 - z_t) * h̃_t + z_t * h_{t-1} (h̃_t is the candidate, PyTorch's n_t)."),
    # reset before the matrix, whatever the student did with the candidate's two biases
    *[(dict(reset="before", b_hn=b_hn, b_in=b_in), _RESET_BEFORE)
      for b_hn in ("outside", "none", "inside") for b_in in (True, False)],
    (dict(b_hn="outside"), "your reset gate multiplies W_hn h_{t-1} but not b_hn: "
     "PyTorch's candidate is h̃_t = tanh(W_in x + b_in + r_t * (W_hn h_{t-1} + b_hn))."),
    (dict(reset="none"), "your candidate ignores the reset gate: h̃_t = tanh(W_in x_t + b_in + "
     "r_t * (W_hn h_{t-1} + b_hn))."),
    (dict(reset="whole"), "your reset gate multiplies the whole candidate pre-activation, the "
     "input term W_in x_t + b_in included; it scales only the recurrent term: h̃_t = "
     "tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))."),
    (dict(reset="with b_in"), "your reset gate also multiplies b_in; only the recurrent term "
     "and its bias sit inside it: h̃_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))."),
    (dict(order="zrn"), "your reset and update gates are swapped: PyTorch's rows 0:H are the "
     "reset gate r and rows H:2H the update gate z."),
    (dict(drop="b_ih"), "your output ignores the bias b_ih: add it to the input pre-activations."),
    (dict(drop="b_hh"), "your output ignores the bias b_hh (including b_hn inside the reset)."),
    (dict(drop="W_hh"), "your gates and candidate ignore the previous state h_{t-1}: compute "
     "h @ W_hh.T + b_hh and split it into the three blocks r, z, h̃."),
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
# {g}: the gate's letter, {gate}: its name, {state}: the cell state it should peek at
_PEEP_MISTAKES = [
    (dict(out_peeks_old=True), "your output gate peeks at the old state c_{{t-1}}; it should look "
     "at the new one: o_t = sigmoid(... + p_o * c_t), computed after c_t."),
    (dict(out_peeks_tanh=True), "your output gate peeks at tanh(c_t); the peephole reads the "
     "cell state itself: o_t = sigmoid(... + p_o * c_t)."),
    (dict(peep_swap=True), "your input and forget gates use each other's peephole weights: "
     "i_t takes p_i * c_{{t-1}}, f_t takes p_f * c_{{t-1}}."),
    (dict(peek="h"), "your {gate} gate peeks at h_{{t-1}}; a peephole looks at the cell state: "
     "{g}_t = sigmoid(... + p_{g} * {state})."),
    (dict(peep_after_sigmoid=True), "you add p_{g} * {state} after the sigmoid of the {gate} "
     "gate; it belongs inside, so that the gate stays in (0, 1): {g}_t = sigmoid(... + p_{g} * "
     "{state})."),
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
                raise CheckFailed(check, message.format(
                    g="ifo"[k], gate=gate, state="c_t" if k == 2 else "c_{t-1}"))
        if _close(got[0], lstm_cell(x, h, c, **w)[0]):
            raise CheckFailed(check, f"your cell ignores the {gate} gate's peephole weight "
                              f"p_{'ifo'[k]}.")
        raise _mismatch(check, f"with only the {gate} peephole non-zero, your new h",
                        got[0], want[0])
    passed(check, "zero peepholes give the plain LSTM, and p_i, p_f, p_o each act on the right "
           "state.")


# --------------------------------------------------------------------------- chrono init
# Chrono initialisation (Tallec and Ollivier 2018): b_f = log u with u ~ U(1, T_max - 1) drawn
# per unit, b_i = -b_f. PyTorch adds bias_ih and bias_hh, so "the bias" below is their sum:
# any split of the values between the two vectors computes the same layer and passes.
_CHRONO_UNITS = 256      # units per draw: enough for the distribution tests below
_CHRONO_MAX_LEN = 100    # the lab's sequence length
_KS_P_MIN = 1e-6         # a right answer fails the distribution test with probability 1e-6


def _chrono_run(check: str, student_init: Callable[..., Any], max_len: int, seed: int
                ) -> tuple[nn.LSTM, dict[str, torch.Tensor]]:
    """Apply the student's init to a fresh LSTM, seeding torch and NumPy (and restoring both)."""
    state = np.random.get_state()
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            np.random.seed(seed)
            lstm = nn.LSTM(2, _CHRONO_UNITS, batch_first=True)
            before = {k: v.detach().clone() for k, v in lstm.named_parameters()}
            call_student(check, student_init, lstm, max_len, may_modify=(0,))
    except CheckFailed as error:
        if "leaf Variable that requires grad" not in error.message:
            raise
        raise CheckFailed(check, f"{error.message.rstrip('.')}. Changing a parameter in place "
                          "needs `with torch.no_grad():` around the assignments: autograd "
                          "refuses to record an in-place change to a tensor whose gradient it "
                          "tracks.") from None
    finally:
        np.random.set_state(state)
    return lstm, before


def _chrono_biases(lstm: nn.LSTM) -> tuple[torch.Tensor, torch.Tensor]:
    H = _CHRONO_UNITS
    total = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().double()
    return total[:H], total[H:2 * H]


def _in_range(values: torch.Tensor, low: float, high: float) -> bool:
    return bool(((values >= low - 1e-5) & (values <= high + 1e-5)).all())


def _right_sums(b_i: torch.Tensor, b_f: torch.Tensor, max_len: int) -> bool:
    """Forget biases inside [log 1, log(max_len - 1)] and input biases their negatives."""
    return _in_range(b_f, 0.0, math.log(max_len - 1)) and torch.allclose(b_i, -b_f, atol=1e-5)


def _chrono_structure(check: str, lstm: nn.LSTM, before: dict[str, torch.Tensor]
                      ) -> tuple[bool, bool]:
    """What the student changed besides the forget and input biases; each message needs the
    evidence it names. Returns whether rows 0:2H of bias_ih_l0 and of bias_hh_l0 are exactly
    as PyTorch initialised them."""
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
    return ih_kept, hh_kept


def _two_vectors(check: str, lstm: nn.LSTM, ih_kept: bool, hh_kept: bool, T: int) -> None:
    """Name how the two bias vectors were combined, when the sums are wrong and the evidence
    shows it: one vector left at PyTorch's random values while the other alone is right, or
    the same right values written into both (so each counts twice)."""
    H = _CHRONO_UNITS
    bias_ih, bias_hh = lstm.bias_ih_l0.detach().double(), lstm.bias_hh_l0.detach().double()
    for kept, name, alone, other in ((ih_kept, "bias_ih_l0", bias_hh, "bias_hh_l0"),
                                     (hh_kept, "bias_hh_l0", bias_ih, "bias_ih_l0")):
        if kept and _right_sums(alone[:H], alone[H:2 * H], T):
            raise CheckFailed(check, f"rows 0:2H of {name} still hold PyTorch's random initial "
                              f"values, and PyTorch adds {name} to {other}: your values in "
                              f"{other} are right, so set rows 0:2H of {name} to 0.")
    doubled = torch.equal(bias_ih[:2 * H], bias_hh[:2 * H])
    if doubled and _right_sums(bias_hh[:H], bias_hh[H:2 * H], T):
        raise CheckFailed(check, "you wrote the same values into bias_ih_l0 and bias_hh_l0 "
                          "(rows 0:2H). PyTorch adds the two, so every bias counts twice: put "
                          "the values in one of them and set the same rows of the other to 0.")


def _wide_draw_hint(b_f_at_3: torch.Tensor) -> str:
    """What the forget biases drawn at max_len = 3 show about the range of u, or nothing.

    The right u = exp(b_f) fill [1, 2] there. Biases filling [log 2, log 3] come from u one
    too high at both ends (log(1 + u), or U(2, max_len)); biases from log 1 up past log 2 to at
    most log 3 come from U(1, max_len). 256 draws leave gaps of about 1/256 at the ends, so
    both patterns are unmistakable."""
    u = b_f_at_3.exp()
    low, high = u.min().item(), u.max().item()
    if low >= 2 - 1e-4 and high <= 3 + 1e-4:
        return (f" At max_len = 3 every u = exp(b_f) lies in [2, 3] (your smallest forget bias "
                f"is {b_f_at_3.min().item():.2f}, log 2 = 0.69): your u runs from 2 to max_len, "
                "one too high at both ends. Did you take log(1 + u)? Chrono initialisation "
                "sets b_f = log u with u ~ U(1, max_len - 1).")
    if low >= 1 - 1e-4 and 2 + 0.1 < high <= 3 + 1e-4:
        return (f" At max_len = 3 your u = exp(b_f) spans [{low:.2f}, {high:.2f}]: you draw u "
                "from U(1, max_len); chrono initialisation draws it from U(1, max_len - 1).")
    return ""


def check_chrono_init(student_init: Callable[..., Any]) -> None:
    """Check the chrono initialisation: b_f = log(u), u ~ U(1, T - 1), b_i = -b_f, rest kept.

    The bias draws are random, so the distribution is tested on 256 units (false acceptance
    probabilities are given at each test); the check seeds torch and NumPy and restores them.
    Only the sums bias_ih_l0 + bias_hh_l0 matter, so any split of the values passes.
    """
    check = "check_chrono_init"
    H, T = _CHRONO_UNITS, _CHRONO_MAX_LEN
    lstm, before = _chrono_run(check, student_init, T, seed=6)
    ih_kept, hh_kept = _chrono_structure(check, lstm, before)
    b_i, b_f = _chrono_biases(lstm)
    top = math.log(T - 1)
    right_inputs = torch.allclose(b_i, -b_f, atol=1e-5)
    if not _right_sums(b_i, b_f, T):
        _two_vectors(check, lstm, ih_kept, hh_kept, T)
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
                          f"[{b_f.min().item():.2f}, {b_f.max().item():.2f}], u = exp(b_f) from "
                          f"{b_f.min().exp().item():.3g} to {b_f.max().exp().item():.3g}."
                          + _wide_draw_hint(_forget_biases_at_3(check, student_init)))
    whole = ((b_f.exp() - b_f.exp().round()).abs() < 1e-3).double().mean().item()
    # a continuous u lands within 1e-3 of a whole number with probability 0.002: more than 90%
    # of 256 units doing so has a probability below 1e-500 (the false rejection probability)
    if whole > 0.9:
        raise CheckFailed(check, f"{whole:.0%} of your u = exp(b_f) are whole numbers: you drew "
                          "integers (torch.randint?). Chrono initialisation draws u from the "
                          "continuous U(1, max_len - 1), e.g. 1 + torch.rand(H) * (max_len - 2), "
                          "so that the memories 1 + u spread evenly between 2 and max_len.")
    _chrono_distribution(check, b_f, T)
    memory = (1 / (1 - torch.sigmoid(b_f))).mean().item()
    # U(1, max_len) instead of U(1, max_len - 1): at max_len = 3 the right u lie in [1, 2] and
    # half the wrong ones above 2; all 256 wrong draws stay at or below 2 with probability
    # 0.5 ** 256 < 1e-77 (the false acceptance probability of this test).
    b_f = _forget_biases_at_3(check, student_init)
    if b_f.max().item() > math.log(2) + 1e-5:
        raise CheckFailed(check, f"with max_len = 3 the forget biases should lie in [0, log 2] = "
                          f"[0, 0.69]; yours reach {b_f.max().item():.2f}." + _wide_draw_hint(b_f))
    passed(check, f"the forget biases are distributed as log U(1, max_len - 1) (tested on "
           f"{H} units at max_len = {T} and 3), the input biases are their negatives; at "
           f"max_len = {T} the mean memory 1/(1 - f) is {memory:.0f} steps.")


def _forget_biases_at_3(check: str, student_init: Callable[..., Any]) -> torch.Tensor:
    lstm, _ = _chrono_run(check, student_init, 3, seed=7)
    return _chrono_biases(lstm)[1]


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
    _no_parameter_gradients(check, model)
    # then as the lab calls it: x must come back unchanged, requires_grad included
    _compare_norms(check, _norms(check, student_fn, model, x, y, steps), want)
    _no_parameter_gradients(check, model)
    passed(check, f"{steps} norms match, and a second call gives the same; here the last step "
           f"gets {(want[-1] / want[0]).item():.0f}x the gradient of the first.")


def _no_parameter_gradients(check: str, model: nn.Module) -> None:
    """The model's parameters start without gradients; a measurement must leave them so."""
    written = [name for name, p in model.named_parameters()
               if p.grad is not None and bool(p.grad.ne(0).any())]
    if written:
        raise CheckFailed(check, f"your function left gradients in the model's parameters "
                          f"({', '.join(written[:2])}{', ...' if len(written) > 2 else ''} now "
                          "have a .grad): backward() stores dL/dθ in every parameter it reaches. "
                          "A measurement should leave the model as it found it, and a training "
                          "loop that does not zero .grad first would add these to its next "
                          "update. torch.autograd.grad(loss, x) returns dL/dx alone and writes "
                          "no .grad.")


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
