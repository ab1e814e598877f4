"""Every Lab 08 check accepts right answers and names each planted mistake (issue 15)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.checks import lab08
from course_utils.linear_rnn import combine as reference_combine
from tests._checks import Case, rejects, squash, stub, to_float64, to_list, to_numpy


def _words(words):
    return (words,) if isinstance(words, str) else words


# ----------------------------------------------------------------- the loop
def loop_ok(lam, u, h0=None):
    h = torch.zeros_like(u[:, 0]) if h0 is None else h0
    states = []
    for t in range(u.shape[1]):
        h = lam[:, t] * h + u[:, t]
        states.append(h)
    return torch.stack(states, dim=1)


def loop_ignoring_h0(lam, u, h0=None):
    return loop_ok(lam, u)


def loop_shifted(lam, u, h0=None):
    h = torch.zeros_like(u[:, 0]) if h0 is None else h0
    states = []
    for t in range(u.shape[1]):
        states.append(h)
        h = lam[:, t] * h + u[:, t]
    return torch.stack(states, dim=1)


def loop_decaying_u(lam, u, h0=None):
    return loop_ok(lam, lam * u, h0)


def loop_swapped(lam, u, h0=None):
    return loop_ok(u, lam, h0)


def loop_detached(lam, u, h0=None):
    return loop_ok(lam.detach(), u.detach(), None if h0 is None else h0.detach())


def loop_detaching_lam(lam, u, h0=None):
    return loop_ok(lam.detach(), u, h0)


def loop_in_place(lam, u, h0=None):
    h = torch.zeros_like(u[:, 0]) if h0 is None else h0
    for t in range(u.shape[1]):          # writes the states into u
        with torch.no_grad():
            u[:, t] = lam[:, t] * h + u[:, t]
        h = u[:, t]
    return u.clone()


def loop_float64(lam, u, h0=None):
    return loop_ok(lam.double(), u.double(), None if h0 is None else h0.double())


def loop_wrong_start(lam, u, h0=None):
    return loop_ok(lam, u, torch.ones_like(u[:, 0]) if h0 is None else h0)


def loop_closed_form(lam, u, h0=None):
    """Right in real numbers (lecture 08's cumprod/cumsum form); inf, then NaN, in float32."""
    A = torch.cumprod(lam, dim=1)
    h = A * torch.cumsum(u / A, dim=1)
    return h if h0 is None else h + A * h0[:, None]


def loop_into_u_clone(lam, u, h0=None):
    """Writes each state into a clone of u; h, a view of it, is saved for backward, then
    changed."""
    h, U = (torch.zeros_like(u[:, 0]) if h0 is None else h0), u.clone()
    for t in range(u.shape[1]):
        U[:, t] = lam[:, t] * h + U[:, t]
        h = U[:, t]
    return U


def test_loop_check_accepts_the_right_loop(capsys):
    lab08.check_scan_loop(loop_ok)
    assert "✓ check_scan_loop" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (stub, "not implemented yet"),
    (loop_ignoring_h0, "ignore h0"),
    (loop_shifted, "shifted by one step"),
    (loop_decaying_u, "multiply u_t by lam_t as well"),
    (loop_swapped, "swapped roles"),
    (loop_detached, "no gradient reaches your states"),
    (loop_detaching_lam, "no gradient reaches lam"),
    (loop_in_place, "changed its argument `u` in place"),
    (loop_float64, "expected torch.float32"),
    (loop_wrong_start, "start from h_0 = 0"),
    (loop_closed_form, ("inf or NaN from t = 127", "closed form pi_t * cumsum(u_s / pi_s)")),
    (loop_into_u_clone, ("autograd cannot compute your gradients", "in-place operation")),
    (lambda lam, u, h0=None: loop_ok(lam, u, h0)[:, :-1], "has shape"),
    (lambda lam, u, h0=None: loop_ok(lam, u, h0).tolist(), "should be a torch.Tensor"),
])
def test_loop_check_names_the_mistake(wrong, words):
    rejects(lab08.check_scan_loop, wrong, *_words(words))


def test_loop_check_names_where_values_differ():
    def off(lam, u, h0=None):
        out = loop_ok(lam, u, h0)
        return out + (torch.arange(out.shape[1]) == 5).float()[None, :, None] * 0.1
    message = squash(rejects(lab08.check_scan_loop, off, "differs from the reference"))
    assert "(b, t, unit)" in message and ", 5, " in message


# ----------------------------------------------------------------- the scan
def scan_ok(lam, u, h0=None, combine=reference_combine):
    A, U, d, T = lam, u, 1, u.shape[1]
    while d < T:
        A_late, U_late = combine(A[:, :-d], U[:, :-d], A[:, d:], U[:, d:])
        A = torch.cat([A[:, :d], A_late], dim=1)
        U = torch.cat([U[:, :d], U_late], dim=1)
        d *= 2
    return U if h0 is None else U + A * h0[:, None]


def scan_as_loop(lam, u, h0=None, combine=reference_combine):
    A, U = [lam[:, 0]], [u[:, 0]]
    for t in range(1, u.shape[1]):
        a, b = combine(A[-1], U[-1], lam[:, t], u[:, t])
        A.append(a)
        U.append(b)
    A, U = torch.stack(A, 1), torch.stack(U, 1)
    return U if h0 is None else U + A * h0[:, None]


def scan_one_level_too_many(lam, u, h0=None, combine=reference_combine):
    A, U, d, T = lam, u, 1, u.shape[1]
    while d <= T:
        A_late, U_late = combine(A[:, :-d] if d < T else A[:, :0], U[:, :-d] if d < T else
                                 U[:, :0], A[:, d:], U[:, d:])
        A = torch.cat([A[:, :d], A_late], dim=1)
        U = torch.cat([U[:, :d], U_late], dim=1)
        d *= 2
    return U if h0 is None else U + A * h0[:, None]


def scan_swapped(lam, u, h0=None, combine=reference_combine):
    return scan_ok(lam, u, h0, combine=lambda a, b, c, d: combine(c, d, a, b))


def scan_without_combine(lam, u, h0=None, combine=reference_combine):
    return loop_ok(lam, u, h0)


def scan_ignoring_h0(lam, u, h0=None, combine=reference_combine):
    return scan_ok(lam, u, None, combine)


def scan_detached(lam, u, h0=None, combine=reference_combine):
    with torch.no_grad():
        return scan_ok(lam, u, h0, combine)


def scan_in_place(lam, u, h0=None, combine=reference_combine):
    out = scan_ok(lam, u, h0, combine)
    with torch.no_grad():
        lam.clamp_(max=0.5)
    return out


def scan_into_clones(lam, u, h0=None, combine=reference_combine):
    """Right values, but each level writes into clones of lam and u that autograd still needs."""
    A, U, d, T = lam.clone(), u.clone(), 1, u.shape[1]
    while d < T:
        A_late, U_late = combine(A[:, :-d], U[:, :-d], A[:, d:], U[:, d:])
        A[:, d:], U[:, d:] = A_late, U_late
        d *= 2
    return U if h0 is None else U + A * h0[:, None]


def scan_h0_as_step0(lam, u, h0=None, combine=reference_combine):
    """Right values: h0 put in front as a step 0 (u_0 = h0), scanned over T + 1 steps."""
    if h0 is None:
        return scan_ok(lam, u, None, combine)
    lam = torch.cat([torch.ones_like(lam[:, :1]), lam], dim=1)
    u = torch.cat([h0[:, None], u], dim=1)
    return scan_ok(lam, u, None, combine)[:, 1:]


def test_scan_check_accepts_the_right_scan(capsys):
    lab08.check_parallel_scan(scan_ok)
    assert "✓ check_parallel_scan" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (stub, "not implemented yet"),
    (scan_as_loop, "T - 1 calls is the sequential loop"),
    (scan_one_level_too_many, "one level too many"),
    (scan_swapped, "not commutative: the earlier step goes first"),
    (scan_without_combine, "called combine 0 times"),
    (scan_ignoring_h0, "ignore h0"),
    (scan_detached, "no gradient reaches your states"),
    (scan_in_place, "changed its argument `lam` in place"),
    (scan_into_clones, ("autograd cannot compute your gradients", "build each level with "
                        "torch.cat", "never write into A or U")),
    (scan_h0_as_step0, ("ceil(log2(T + 1))", "fold h0 in afterwards")),
])
def test_scan_check_names_the_mistake(wrong, words):
    rejects(lab08.check_parallel_scan, wrong, *_words(words))


def test_scan_check_reports_blelloch_level_counts():
    """A scan with twice the levels (as Blelloch's) is not the one asked for."""
    def twice(lam, u, h0=None, combine=reference_combine):
        out = scan_ok(lam, u, h0, combine)
        scan_ok(lam, u, h0, combine)
        return out
    message = squash(rejects(lab08.check_parallel_scan, twice, "expected ceil(log2 T)"))
    assert "T = 2" in message and "one call per level" in message


# ----------------------------------------------------------------- minGRU
class MinGRUOk(nn.Module):
    def __init__(self, input_size, hidden_size, recurrence=None):
        super().__init__()
        self.linear_z = nn.Linear(input_size, hidden_size)
        self.linear_h = nn.Linear(input_size, hidden_size)
        self.recurrence = recurrence

    def coefficients(self, x):
        z = torch.sigmoid(self.linear_z(x))
        return z, (1 - z) * self.linear_h(x)

    def forward(self, x, h=None):
        lam, u = self.coefficients(x)
        out = self.recurrence(lam, u, h)
        return out, out[:, -1]


class PaperConvention(MinGRUOk):
    def coefficients(self, x):
        z = torch.sigmoid(self.linear_z(x))
        return 1 - z, z * self.linear_h(x)


class TanhCandidate(MinGRUOk):
    def coefficients(self, x):
        z = torch.sigmoid(self.linear_z(x))
        return z, (1 - z) * torch.tanh(self.linear_h(x))


class UngatedInput(MinGRUOk):
    def coefficients(self, x):
        return torch.sigmoid(self.linear_z(x)), self.linear_h(x)


class IgnoresState(MinGRUOk):
    def forward(self, x, h=None):
        return super().forward(x, None)


class OwnLoop(MinGRUOk):
    def forward(self, x, h=None):
        lam, u = self.coefficients(x)
        out = loop_ok(lam, u, h)
        return out, out[:, -1]


class FirstState(MinGRUOk):
    def forward(self, x, h=None):
        out, _ = super().forward(x, h)
        return out, out[:, 0]


class WithRecurrentWeights(MinGRUOk):
    def __init__(self, input_size, hidden_size, recurrence=None):
        super().__init__(input_size, hidden_size, recurrence)
        self.linear_hz = nn.Linear(hidden_size, hidden_size, bias=False)


class OtherNames(MinGRUOk):
    def __init__(self, input_size, hidden_size, recurrence=None):
        super().__init__(input_size, hidden_size, recurrence)
        self.gate = self.linear_z
        del self.linear_z


class Detached(MinGRUOk):
    def forward(self, x, h=None):
        out, last = super().forward(x, h)
        return out.detach(), last.detach()


class ChangesInput(MinGRUOk):
    def forward(self, x, h=None):
        result = super().forward(x, h)
        with torch.no_grad():
            x.mul_(2)
        return result


class LastDetached(MinGRUOk):
    def forward(self, x, h=None):
        out, last = super().forward(x, h)
        return out, last.detach()


class ZDetachedInU(MinGRUOk):
    def coefficients(self, x):
        z = torch.sigmoid(self.linear_z(x))
        return z, (1 - z.detach()) * self.linear_h(x)


class ZDetached(MinGRUOk):
    def coefficients(self, x):
        z = torch.sigmoid(self.linear_z(x)).detach()
        return z, (1 - z) * self.linear_h(x)


class CallsThenOwnLoop(MinGRUOk):
    def forward(self, x, h=None):
        lam, u = self.coefficients(x)
        self.recurrence(lam, u, h)
        out = loop_ok(lam, u, h)
        return out, out[:, -1]


class NoCandidateBias(MinGRUOk):
    def __init__(self, input_size, hidden_size, recurrence=None):
        super().__init__(input_size, hidden_size, recurrence)
        self.linear_h = nn.Linear(input_size, hidden_size, bias=False)


class ChangesState(MinGRUOk):
    def forward(self, x, h=None):
        if h is not None:
            with torch.no_grad():
                h.zero_()
        return super().forward(x, h)


def test_min_gru_check_accepts_the_right_layer(capsys):
    lab08.check_min_gru(MinGRUOk)
    assert "✓ check_min_gru" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (stub, "not implemented yet"),
    (PaperConvention, "Feng et al.'s convention"),
    (TanhCandidate, "goes through tanh"),
    (UngatedInput, "should be (1 - z_t) * h~_t"),
    (IgnoresState, "ignores the initial state h"),
    (OwnLoop, "never called self.recurrence"),
    (FirstState, "the last state h_T"),
    (WithRecurrentWeights, "parameters beyond linear_z and linear_h"),
    (OtherNames, "self.linear_z = nn.Linear"),
    (Detached, "no gradient reaches"),
    (ChangesInput, "changed its argument `x`"),
    (ChangesState, "changed its argument `h`"),
    (LastDetached, ("no gradient reaches the layer's weights from h_T", "read only h_T")),
    (ZDetachedInU, "uses z_t.detach()"),
    (ZDetached, "no gradient reaches linear_z.weight from the output"),
    (CallsThenOwnLoop, "does not return what self.recurrence returns"),
    (NoCandidateBias, "self.linear_h needs its bias"),
])
def test_min_gru_check_names_the_mistake(wrong, words):
    rejects(lab08.check_min_gru, wrong, *_words(words))


CASES = [
    Case(lab08.check_scan_loop, loop_ok, mutable=(0, 1, 2),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_list, "should be a torch.Tensor"),
                  (to_float64, "expected torch.float32")]),
    Case(lab08.check_parallel_scan, scan_ok, mutable=(0, 1, 2),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_list, "should be a torch.Tensor"),
                  (to_float64, "expected torch.float32")]),
    # the student writes a class: the systematic layer's wrappers apply to functions; its
    # forward changing x in place and its results' types are planted by hand above
    # (ChangesInput, FirstState, Detached)
    Case(lab08.check_min_gru, MinGRUOk),
]
