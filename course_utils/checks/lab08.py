"""Checks for Lab 08, recurrences that train in parallel.

Each check runs the student's code on small random float32 inputs and compares it with the
reference in :mod:`course_utils.linear_rnn`: the states (forward), the gradients with respect to
every input (backward), both within 1e-5, and that no input was changed in place. The scan's
check also counts the calls of the ``combine`` it hands the student: a scan over T steps makes
ceil(log2 T) of them. The loop's check also runs lecture 08's T = 300 steps of lam = 0.5, where
the closed form with cumprod and cumsum gives inf and then NaN. The minGRU check also hands the
layer a recurrence whose states it can recognise (it must return them), and compares the
gradients of the output and of h_T with respect to both linear maps. Where the answer is
wrong, the usual mistakes are tried (h0 ignored, the states shifted by one step, combine's
arguments swapped, the paper's z_t for ours, ...) and named only when one of them reproduces
the student's numbers exactly.
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from course_utils._feedback import CheckFailed, call_student, expect_array, first_mismatch, passed
from course_utils.linear_rnn import (MinGRU, combine, scan_cumsum, scan_levels, scan_loop,
                                     scan_parallel)

B, H, D = 3, 4, 5
TOL = 1e-5


def _inputs(T: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    lam = 0.1 + 0.89 * torch.rand(B, T, H, generator=g)   # decays in (0.1, 0.99)
    return lam, torch.randn(B, T, H, generator=g), torch.randn(B, H, generator=g)


def _close(a: Any, b: torch.Tensor) -> bool:
    return isinstance(a, torch.Tensor) and a.shape == b.shape and \
        torch.allclose(a.detach().float(), b.detach().float(), atol=TOL, rtol=TOL)


def _where(check: str, what: str, actual: torch.Tensor, expected: torch.Tensor,
           index_names: str = "(b, t, unit)") -> CheckFailed:
    where = first_mismatch(actual.detach().numpy(), expected.detach().numpy(), atol=TOL, rtol=TOL)
    index, got, want = where if where is not None else ((), float("nan"), float("nan"))
    return CheckFailed(check, f"{what} differs from the reference at index {index} {index_names}: "
                       f"you give {got:.6f}, expected {want:.6f} (tolerance {TOL}).")


def _states(check: str, value: Any, like: torch.Tensor, what: str = "the states") -> torch.Tensor:
    return expect_array(check, what, value, library="torch", shape=tuple(like.shape),
                        dtype=like.dtype, hint="Return h_1 ... h_T as one (B, T, H) tensor in "
                        "the inputs' dtype (torch.stack over t, or the scan's result).")


def _forward_hints(check: str, out: torch.Tensor, lam: torch.Tensor, u: torch.Tensor,
                   h0: torch.Tensor, expected: torch.Tensor) -> None:
    """Name the mistake if one of the usual ones gives the student's numbers exactly."""
    shifted = torch.cat([h0[:, None], expected[:, :-1]], dim=1)
    suspects = [
        (scan_loop(lam, u), "your states ignore h0: they are what the recurrence gives from "
         "h_0 = 0. Start from h0 when it is given (zeros only when it is None)."),
        (shifted, "your states are shifted by one step: you return h_0 ... h_{T-1}. Return the "
         "state after each step, h_1 ... h_T (h_1 = lam_1 * h_0 + u_1)."),
        (scan_loop(lam, lam * u, h0), "you multiply u_t by lam_t as well: h_t = lam_t * "
         "(h_{t-1} + u_t). Only the old state decays: h_t = lam_t * h_{t-1} + u_t."),
        (scan_loop(u, lam, h0), "lam and u have swapped roles: h_t = u_t * h_{t-1} + lam_t. The "
         "decay lam_t multiplies the old state; u_t is added."),
    ]
    for candidate, message in suspects:
        if _close(out, candidate):
            raise CheckFailed(check, message)


def _student_grad(check: str, loss: torch.Tensor, inputs: list[torch.Tensor],
                  in_place_hint: str) -> tuple[torch.Tensor | None, ...]:
    """torch.autograd.grad through the student's code, its errors translated."""
    try:
        return torch.autograd.grad(loss, inputs, allow_unused=True)
    except RuntimeError as exc:
        if "modified by an inplace operation" in str(exc):
            raise CheckFailed(check, "autograd cannot compute your gradients: your code writes in "
                              "place into a tensor that the backward pass still needs "
                              f"({in_place_hint}). Build new tensors instead of writing into "
                              "old ones.") from None
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise CheckFailed(check, "computing the gradients of your result failed with "
                          f"RuntimeError: {first_line}") from None


def _gradients(check: str, run: Callable[..., Any], lam: torch.Tensor, u: torch.Tensor,
               h0: torch.Tensor, reference: Callable[..., torch.Tensor],
               in_place_hint: str) -> None:
    """Compare d(sum w * h)/d(lam, u, h0) of the student's states with the reference's."""
    weights = torch.randn(lam.shape, generator=torch.Generator().manual_seed(7))
    mine = [v.clone().requires_grad_(True) for v in (lam, u, h0)]
    ref = [v.clone().requires_grad_(True) for v in (lam, u, h0)]
    out = run(*mine)
    if not out.requires_grad:
        raise CheckFailed(check, "no gradient reaches your states: with lam, u and h0 requiring "
                          "gradients, your result does not. Compute it from them with tensor "
                          "operations (no .detach(), .item(), .numpy(), .data or torch.no_grad).")
    grads = _student_grad(check, (out * weights).sum(), mine, in_place_hint)
    expected = torch.autograd.grad((reference(*ref) * weights).sum(), ref)
    for name, got, want in zip(("lam", "u", "h0"), grads, expected):
        if got is None:
            raise CheckFailed(check, f"no gradient reaches {name}: your states do not depend on "
                              f"it through autograd (a .detach(), .item() or .data on the way?).")
        if not _close(got, want):
            raise _where(check, f"the gradient with respect to {name} (forward pass right)",
                         got, want)


def check_scan_loop(scan_loop_student: Callable[..., Any]) -> None:
    """The sequential loop: states, gradients, h0 optional, inputs untouched."""
    check = "check_scan_loop"
    for T, seed in ((1, 0), (7, 1), (30, 2)):
        lam, u, h0 = _inputs(T, seed)
        expected = scan_loop(lam, u, h0)
        out = _states(check, call_student(check, scan_loop_student, lam, u, h0), expected)
        if not _close(out, expected):
            _forward_hints(check, out, lam, u, h0, expected)
            raise _where(check, f"with T = {T}, your states", out, expected)
        without = call_student(check, scan_loop_student, lam, u)
        if not _close(without, scan_loop(lam, u)):
            raise CheckFailed(check, "called without h0, your function should start from h_0 = "
                              "0 (zeros of shape (B, H)); its states differ from that.")
        _gradients(check, lambda *a: call_student(check, scan_loop_student, *a), lam, u, h0,
                   scan_loop, "an in-place operation: `+=`, `mul_`, or `x[...] = ...`")
    _long_sequence(check, scan_loop_student)
    passed(check, "your loop gives the reference states and gradients for T = 1, 7 and 30, with "
           "and without h0, stays finite over lecture 08's 300 steps of lam = 0.5, and leaves "
           "its inputs as they were.")


def _long_sequence(check: str, scan_loop_student: Callable[..., Any]) -> None:
    """Lecture 08's case, T = 300, lam_t = 0.5, u_t = 1: the closed form gives inf, then NaN."""
    T = 300
    lam, u, h0 = torch.full((B, T, H), 0.5), torch.ones(B, T, H), torch.zeros(B, H)
    expected = scan_loop(lam, u, h0)
    out = _states(check, call_student(check, scan_loop_student, lam, u, h0), expected)
    if _close(out, expected):
        return
    broken = ~torch.isfinite(out.detach())
    if not broken.any():
        raise _where(check, f"with T = {T}, lam_t = 0.5 and u_t = 1, your states", out, expected)
    first = int(broken.any(dim=0).any(dim=-1).nonzero()[0]) + 1
    head = (f"with T = {T}, every lam_t = 0.5 and u_t = 1 (lecture 08's example), your states are "
            f"inf or NaN from t = {first}, where the loop's stay finite (they approach 2).")
    closed_form = scan_cumsum(lam, u)
    if torch.allclose(out.detach(), closed_form, atol=TOL, rtol=TOL, equal_nan=True):
        raise CheckFailed(check, f"{head} That is the closed form pi_t * cumsum(u_s / pi_s) with "
                          "pi_t = cumprod(lam): the sum overflows, then pi_t underflows to 0 and "
                          "0 * inf is NaN (lecture 08, 'Overflow, then underflow'). Compute the "
                          "states step by step: h_t = lam_t * h_{t-1} + u_t.")
    raise CheckFailed(check, head)


class _Counter:
    """``combine`` that counts its calls (the check hands this to the student's scan)."""

    def __init__(self, operator: Callable = combine):
        self.calls = 0
        self.empty = 0          # calls on slices holding no step: levels with d >= T
        self.first_length = None  # steps in the first call's later slice: T - 1 at d = 1
        self.operator = operator
        self.__name__ = "combine"

    def __call__(self, lam_1, u_1, lam_2, u_2):
        self.calls += 1
        self.empty += int(getattr(lam_1, "numel", lambda: 1)() == 0)
        if self.first_length is None and getattr(lam_2, "ndim", 0) >= 2:
            self.first_length = lam_2.shape[1]
        return self.operator(lam_1, u_1, lam_2, u_2)


def _levels_message(T: int, calls: int, empty: int, first_length: int | None) -> str:
    want = scan_levels(T)
    head = f"for T = {T} your scan called combine {calls} times; expected ceil(log2 T) = {want}"
    if calls == 0:
        return (f"{head}. Build the scan from the `combine` it is given (the check counts its "
                "calls), not from a loop or torch.cumprod of your own.")
    if T > 2 and calls == T - 1:
        return (f"{head}. T - 1 calls is the sequential loop, one step at a time. The scan "
                "combines all positions at once, one call per level d = 1, 2, 4, ... < T, on "
                "the slices [:, :-d] (earlier) and [:, d:] (later).")
    if calls == scan_levels(T + 1) != want and first_length == T:   # the check passes h0
        return (f"{head}. {calls} is ceil(log2(T + 1)), and your first level combined T steps: "
                "T + 1 steps were scanned, as when h0 is put in front of the sequence as a step "
                "0. Scan the T steps alone, from h_0 = 0, and fold h0 in afterwards: h_t = U_t + "
                "A_t * h0, where A_t = lam_t ... lam_1 is the scan's lam-part "
                "(U + A * h0[:, None]).")
    if calls == want + 1 and empty == 1:
        return (f"{head}: one level too many. Stop when the distance d reaches T (while d < T): "
                "at d >= T no position has a partner d steps back.")
    return (f"{head}: one call per level d = 1, 2, 4, ... < T, each on all positions at once "
            "(the Hillis-Steele scan this lab asks for).")


def check_parallel_scan(scan_student: Callable[..., Any]) -> None:
    """The Hillis-Steele scan: states and gradients as the loop, ceil(log2 T) combine calls."""
    check = "check_parallel_scan"
    for T, seed in ((1, 3), (2, 4), (8, 5), (9, 6), (100, 7)):
        lam, u, h0 = _inputs(T, seed)
        expected = scan_loop(lam, u, h0)
        counter = _Counter()
        out = _states(check, call_student(check, scan_student, lam, u, h0, combine=counter),
                      expected)
        if not _close(out, expected):
            swapped = scan_parallel(lam, u, h0, combine=lambda a, b, c, d: combine(c, d, a, b))
            if _close(out, swapped):
                raise CheckFailed(check, "you call combine with its two steps swapped. The "
                                  "operator is not commutative: the earlier step goes first, "
                                  "combine(lam[:, :-d], u[:, :-d], lam[:, d:], u[:, d:]).")
            _forward_hints(check, out, lam, u, h0, expected)
            raise _where(check, f"with T = {T}, your states", out, expected)
        if counter.calls != scan_levels(T):
            raise CheckFailed(check, _levels_message(T, counter.calls, counter.empty,
                                                    counter.first_length))
        if not _close(call_student(check, scan_student, lam, u), scan_loop(lam, u)):
            raise CheckFailed(check, "called without h0, your scan should start from h_0 = 0; "
                              "its states differ from that.")
        _gradients(check, lambda *a: call_student(check, scan_student, *a), lam, u, h0,
                   scan_loop, "an in-place operation such as A[:, d:] = ... or U[:, d:] = ..., "
                   "even on a clone of lam or u; build each level with torch.cat, as the "
                   "exercise says, never write into A or U")
    passed(check, "your scan gives the loop's states and gradients for T = 1, 2, 8, 9 and 100 "
           "within 1e-5, in ceil(log2 T) levels (7 for T = 100), and leaves its inputs as "
           "they were.")


def _reference_layer(seed: int) -> MinGRU:
    torch.manual_seed(seed)
    layer = MinGRU(D, H)
    with torch.no_grad():  # biases clearly non-zero, so that a dropped one shows
        for linear in (layer.linear_z, layer.linear_h):
            linear.bias.add_(0.5 * torch.randn(H))
    return layer


def _built(check: str, cls: Any, recurrence: Callable) -> nn.Module:
    layer = call_student(check, cls, D, H, recurrence=recurrence)
    if not isinstance(layer, nn.Module):
        raise CheckFailed(check, f"MinGRU({D}, {H}, recurrence=...) should build an nn.Module, "
                          f"got {type(layer).__name__}.")
    for name in ("linear_z", "linear_h"):
        part = getattr(layer, name, None)
        if not isinstance(part, nn.Linear) or (part.in_features, part.out_features) != (D, H):
            raise CheckFailed(check, f"the layer should have `self.{name} = nn.Linear(input_size, "
                              f"hidden_size)`, nn.Linear({D}, {H}) here; got {part!r}.")
        if part.bias is None:
            symbol = "b_z" if name == "linear_z" else "b_xh~"
            raise CheckFailed(check, f"self.{name} needs its bias ({symbol} in the equations): "
                              "build it as nn.Linear(input_size, hidden_size), without "
                              "bias=False.")
    extra = sum(p.numel() for p in layer.parameters()) - 2 * (D * H + H)
    if extra:
        raise CheckFailed(check, f"the layer has {extra} parameters beyond linear_z and "
                          "linear_h. minGRU has only these two maps of x_t: no weights on "
                          "h_{t-1} (that is what makes it scannable).")
    return layer


def _reference_forward(layer: nn.Module, x: torch.Tensor, h0: torch.Tensor,
                       detach_z_in_u: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    z = torch.sigmoid(layer.linear_z(x))
    out = scan_parallel(z, (1 - (z.detach() if detach_z_in_u else z)) * layer.linear_h(x), h0)
    return out, out[:, -1]


def _pair(check: str, result: Any,
          expected_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(check, f"forward should return a pair (output, h_T), got "
                          f"{type(result).__name__}.")
    out = _states(check, result[0], expected_out, "the output")
    last = expect_array(check, "h_T, the second result", result[1], library="torch",
                        shape=(B, H), dtype=torch.float32)
    return out, last


PARAMETERS = ("linear_z.weight", "linear_z.bias", "linear_h.weight", "linear_h.bias")


def _layer_gradients(check: str, layer: nn.Module, reference: nn.Module, x: torch.Tensor,
                     h0: torch.Tensor) -> None:
    """d(sum w * result)/d(parameters) of the output and of h_T, each as the reference's."""
    mine = dict(layer.named_parameters())
    mine = [mine[name] for name in PARAMETERS]
    theirs = dict(reference.named_parameters())
    theirs = [theirs[name] for name in PARAMETERS]
    g = torch.Generator().manual_seed(11)
    for index, what in ((0, "the output"), (1, "h_T, the second result")):
        result = call_student(check, layer.forward, x, h0)[index]
        if not result.requires_grad:
            raise CheckFailed(check, f"no gradient reaches the layer's weights from {what} (a "
                              ".detach() or torch.no_grad in forward?)" + (
                                  ": the models of sections 5 and 7 read only h_T, so they "
                                  "would not learn." if index else "."))
        weights = torch.randn(result.shape, generator=g)
        grads = _student_grad(check, (result * weights).sum(), mine,
                              "an in-place operation: `+=`, `mul_`, or `x[...] = ...`")
        expected = torch.autograd.grad((_reference_forward(reference, x, h0)[index] *
                                        weights).sum(), theirs)
        if all(_close(a, b) for a, b in zip(grads, expected)):
            continue
        detached = torch.autograd.grad((_reference_forward(reference, x, h0, True)[index] *
                                        weights).sum(), theirs)
        if all(_close(a, b) for a, b in zip(grads, detached)):
            raise CheckFailed(check, f"your forward pass is right but the gradients of {what} "
                              "are those of a layer whose u_t = (1 - z_t) * h~_t uses "
                              "z_t.detach(): no gradient reaches linear_z through u_t. Use z_t "
                              "itself in u_t.")
        for name, got, want in zip(PARAMETERS, grads, expected):
            if got is None:
                raise CheckFailed(check, f"no gradient reaches {name} from {what} (a .detach() "
                                  "on the way?).")
            if not _close(got, want):
                places = "(unit, input)" if name.endswith("weight") else "(unit,)"
                raise _where(check, f"the gradient of {what} with respect to {name} (forward "
                             "pass right)", got, want, places)


def _marked_recurrence(seen: list) -> Callable[..., torch.Tensor]:
    """A recurrence whose states the check can recognise: the reference's plus a known offset."""
    def recurrence(lam, u, h0=None):
        states = scan_parallel(lam, u, h0)
        offset = torch.linspace(1.0, 2.0, states.numel()).view(states.shape)
        seen.append(states + offset)
        return seen[-1]
    return recurrence


def check_min_gru(cls: Any) -> None:
    """minGRU: lam_t = z_t, u_t = (1 - z_t) * h~_t, through the recurrence it is given."""
    check = "check_min_gru"
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []

    def recurrence(lam, u, h0=None):
        seen.append((lam, u))
        return scan_parallel(lam, u, h0)

    layer = _built(check, cls, recurrence)
    reference = _reference_layer(0)
    layer.load_state_dict(reference.state_dict())
    g = torch.Generator().manual_seed(1)
    x, h0 = torch.randn(B, 12, D, generator=g), torch.randn(B, H, generator=g)
    expected_out, expected_last = reference(x, h0)
    out, last = _pair(check, call_student(check, layer.forward, x, h0), expected_out)
    if not seen:
        raise CheckFailed(check, "forward never called self.recurrence: hand it (lam, u, h) so "
                          "that the same layer runs as a loop or as a scan.")
    z = torch.sigmoid(reference.linear_z(x))
    candidate = reference.linear_h(x)
    lam, u = seen[-1]
    if not _close(out, expected_out):
        if _close(lam, 1 - z):
            raise CheckFailed(check, "your decay is 1 - z_t: that is Feng et al.'s convention, "
                              "where z_t is the share of the new candidate. The course follows "
                              "PyTorch's GRU: z_t is the share of the old state kept, lam_t = "
                              "z_t and u_t = (1 - z_t) * h~_t.")
        if _close(lam, z) and _close(u, (1 - z) * torch.tanh(candidate)):
            raise CheckFailed(check, "your candidate goes through tanh. minGRU's candidate is "
                              "linear: h~_t = linear_h(x_t), no activation (Feng et al. 2024, "
                              "arXiv:2410.01201).")
        if _close(lam, z) and _close(u, candidate):
            raise CheckFailed(check, "your u_t is h~_t: it should be (1 - z_t) * h~_t, so that "
                              "the new state is a weighted average of the old one and h~_t.")
        if _close(out, reference(x)[0]):
            raise CheckFailed(check, "your output ignores the initial state h: pass it on to "
                              "self.recurrence.")
        raise _where(check, "your output", out, expected_out)
    if not _close(last, expected_last):
        raise CheckFailed(check, "the second result should be the last state h_T, output[:, -1]; "
                          "yours differs from it.")
    marked: list[torch.Tensor] = []
    recognisable = _built(check, cls, _marked_recurrence(marked))
    recognisable.load_state_dict(reference.state_dict())
    out, last = _pair(check, call_student(check, recognisable.forward, x, h0), expected_out)
    if not marked or not _close(out, marked[-1]) or not _close(last, marked[-1][:, -1]):
        raise CheckFailed(check, "your layer does not return what self.recurrence returns: the "
                          "check handed it a recurrence whose states it can recognise, and "
                          "forward gave other numbers (states of its own?). Return the "
                          "recurrence's states as the output and their last step as h_T.")
    _layer_gradients(check, layer, reference, x, h0)
    passed(check, "your minGRU computes lam_t = z_t and u_t = (1 - z_t) * h~_t, runs them "
           "through the recurrence it is given and returns its states, starts from h, returns "
           "(output, h_T), and gradients reach both weights from both results as in the "
           "reference.")
