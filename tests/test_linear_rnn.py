"""course_utils.linear_rnn: the scans agree with the loop, minGRU is the linear recurrence it says,
the selective copying data are what the docstring says, and bad input is named."""
from __future__ import annotations

import math

import pytest
import torch

from course_utils import linear_rnn
from course_utils.linear_rnn import (CharModel, FixedDecay, MinGRU, combine, plot_copy_accuracy,
                                     plot_hillis_steele, plot_lru_eigenvalues, plot_scan_timing, scan_cumsum, scan_levels, scan_log,
                                     scan_loop, scan_parallel, scan_work, selective_copy_task,
                                     time_per_call)
from tests._bad_input import ids, untried


def _coefficients(B=2, T=13, H=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(B, T, H, generator=g), torch.randn(B, T, H, generator=g), \
        torch.randn(B, H, generator=g)


def test_loop_is_the_recurrence_written_out():
    lam, u, h0 = _coefficients()
    out = scan_loop(lam, u, h0)
    assert torch.allclose(out[:, 0], lam[:, 0] * h0 + u[:, 0])
    assert torch.allclose(out[:, 5], lam[:, 5] * out[:, 4] + u[:, 5])
    assert torch.allclose(scan_loop(lam, u)[:, 0], u[:, 0])


@pytest.mark.parametrize("T", [1, 2, 3, 7, 8, 9, 100])
def test_scan_equals_the_loop_in_values_and_gradients(T):
    lam, u, h0 = (v.requires_grad_(True) for v in _coefficients(T=T, seed=T))
    weights = torch.randn(lam.shape)
    a, b = scan_loop(lam, u, h0), scan_parallel(lam, u, h0)
    assert torch.allclose(a, b, atol=1e-6)
    ga = torch.autograd.grad((a * weights).sum(), (lam, u, h0))
    gb = torch.autograd.grad((b * weights).sum(), (lam, u, h0))
    for x, y in zip(ga, gb):
        assert torch.allclose(x, y, atol=1e-5)


@pytest.mark.parametrize("T, levels", [(1, 0), (2, 1), (3, 2), (8, 3), (9, 4), (100, 7), (1024, 10)])
def test_the_scan_makes_ceil_log2_T_calls_of_combine(T, levels):
    calls = []

    def counted(*args):
        calls.append(1)
        return combine(*args)
    lam, u, _ = _coefficients(T=T)
    scan_parallel(lam, u, combine=counted)
    assert len(calls) == levels == scan_levels(T)


def test_combine_is_associative_not_commutative_and_composes_two_steps():
    lam, u, h0 = _coefficients(B=1, T=3, H=4)
    steps = [(lam[:, t], u[:, t]) for t in range(3)]
    left = combine(*combine(*steps[0], *steps[1]), *steps[2])
    right = combine(*steps[0], *combine(*steps[1], *steps[2]))
    assert all(torch.allclose(a, b) for a, b in zip(left, right))
    assert not torch.allclose(combine(*steps[0], *steps[1])[1], combine(*steps[1], *steps[0])[1])
    two = combine(*steps[0], *steps[1])
    assert torch.allclose(two[0] * h0 + two[1], scan_loop(lam[:, :2], u[:, :2], h0)[:, 1])


def test_cumsum_form_fails_where_the_log_form_holds():
    lam, u = torch.full((1, 300, 1), 0.5), torch.ones(1, 300, 1)
    exact = scan_loop(lam, u)
    assert torch.allclose(scan_cumsum(lam, u)[:, :50], exact[:, :50])
    assert not torch.isfinite(scan_cumsum(lam, u)).all()        # pi_t underflows, u / pi_t overflows
    assert torch.allclose(scan_log(lam.log(), u.log()), exact, rtol=1e-5)


def test_work_counts():
    assert scan_work(100, "loop") == 99
    assert scan_work(8, "hillis_steele") == 7 + 6 + 4
    assert scan_work(8, "blelloch") == 14
    assert scan_work(5, "blelloch") == 14   # rounded up to 8


def test_min_gru_is_the_linear_recurrence_in_pytorchs_gru_convention():
    torch.manual_seed(0)
    layer = MinGRU(3, 4)
    x, h0 = torch.randn(2, 6, 3), torch.randn(2, 4)
    out, last = layer(x, h0)
    z = torch.sigmoid(layer.linear_z(x))
    h = h0
    for t in range(6):
        h = (1 - z[:, t]) * layer.linear_h(x[:, t]) + z[:, t] * h
    assert torch.allclose(out[:, -1], h, atol=1e-6) and torch.equal(last, out[:, -1])
    looped = MinGRU(3, 4, scan_loop)
    looped.load_state_dict(layer.state_dict())
    assert torch.allclose(looped(x, h0)[0], out, atol=1e-6)


def test_fixed_decay_is_the_same_at_every_step():
    layer = FixedDecay(3, 4)
    lam, _ = layer.coefficients(torch.randn(2, 5, 3))
    assert torch.equal(lam[0, 0], lam[1, 4])
    assert sum(p.numel() for p in layer.parameters()) == 3 * 4 + 4 + 4


def test_selective_copy_task_places_the_targets_in_order():
    x, y = selective_copy_task(50, 20, n_symbols=4, n_copy=3, seed=1)
    assert x.shape == (50, 20) and y.shape == (50, 3) and x.dtype == torch.int64
    assert ((x > 0).sum(1) == 3).all() and y.min() >= 1 and y.max() <= 4
    assert torch.equal(x[x > 0].view(50, 3), y)
    assert torch.equal(selective_copy_task(50, 20, seed=1)[0], x)


@pytest.mark.parametrize("kind", ["gru", "min_gru_loop", "min_gru_scan"])
def test_char_model_carries_its_state(kind):
    torch.manual_seed(0)
    model = CharModel(7, 5, kind)
    ids_ = torch.randint(0, 7, (2, 9))
    whole, _ = model(ids_)
    first, h = model(ids_[:, :4])
    second, _ = model(ids_[:, 4:], h)
    assert torch.allclose(torch.cat([first, second], 1), whole, atol=1e-5)


def test_time_per_call_returns_seconds():
    assert 0 <= time_per_call(lambda: None, repeats=3) < 1


def test_lecture_figures_draw():
    assert len(plot_hillis_steele(8).axes) == 1
    assert len(plot_lru_eigenvalues(hidden_size=16).axes) == 2


def test_figures_label_their_axes():
    fig = plot_scan_timing([16, 64], {"loop": [1.0, 2.0], "scan": [1.5, 2.5]})
    ax = fig.axes[0]
    assert "(ms" in ax.get_ylabel() and "T" in ax.get_xlabel()
    fig = plot_copy_accuracy({"a": [0.5, 0.9], "b": [1.0, 1.0]}, chance=0.25)
    assert "%" in fig.axes[0].get_ylabel()


L3 = torch.zeros(2, 3, 4)
BAD_INPUT = [
    ("combine", "type", lambda: combine([1.0], L3, L3, L3), TypeError, "lam_1 must be a torch.Tensor"),
    ("combine", "shape", lambda: combine(L3, L3[:, :2], L3, L3), ValueError, "must have one shape"),
    ("combine", "empty", lambda: combine(torch.zeros(0), L3, L3, L3), ValueError, "must have one shape"),
    ("scan_loop", "type", lambda: scan_loop(L3.numpy(), L3), TypeError, r"lam must be a torch.Tensor of shape \(B, T, H\)"),
    ("scan_loop", "shape", lambda: scan_loop(L3, L3, torch.zeros(2, 5)), ValueError, r"h0 must have shape \(B, H\) = \(2, 4\)"),
    ("scan_loop", "empty", lambda: scan_loop(torch.zeros(2, 0, 4), torch.zeros(2, 0, 4)), ValueError, "lam is empty"),
    ("scan_parallel", "type", lambda: scan_parallel(L3, "u"), TypeError, "u must be a torch.Tensor"),
    ("scan_parallel", "shape", lambda: scan_parallel(L3, L3[0]), ValueError, r"u must have shape \(B, T, H\)"),
    ("scan_parallel", "empty", lambda: scan_parallel(L3[:, :0], L3[:, :0]), ValueError, "lam is empty"),
    ("scan_cumsum", "type", lambda: scan_cumsum(1.0, L3), TypeError, "lam must be a torch.Tensor"),
    ("scan_cumsum", "shape", lambda: scan_cumsum(L3, L3[:, :2]), ValueError, "lam and u must have the same shape"),
    ("scan_cumsum", "empty", lambda: scan_cumsum(L3[:0], L3[:0]), ValueError, "lam is empty"),
    ("scan_log", "type", lambda: scan_log(L3, None), TypeError, "u must be a torch.Tensor"),
    ("scan_log", "shape", lambda: scan_log(L3[0], L3[0]), ValueError, r"lam must have shape \(B, T, H\)"),
    ("scan_log", "empty", lambda: scan_log(L3[:, :, :0], L3[:, :, :0]), ValueError, "lam is empty"),
    ("scan_levels", "type", lambda: scan_levels(2.5), TypeError, "seq_len must be an integer"),
    ("scan_levels", "empty", lambda: scan_levels(0), ValueError, "seq_len must be an integer"),
    ("scan_work", "type", lambda: scan_work("8", "loop"), TypeError, "seq_len must be an integer"),
    ("scan_work", "value", lambda: scan_work(8, "tree"), ValueError, "algorithm must be one of"),
    ("scan_work", "empty", lambda: scan_work(0, "loop"), ValueError, "seq_len must be an integer"),
    ("selective_copy_task", "type", lambda: selective_copy_task(10, 8.0), TypeError, "seq_len must be an integer"),
    ("selective_copy_task", "shape", lambda: selective_copy_task(10, 2, n_copy=3), ValueError, "n_copy must be at most seq_len = 2"),
    ("selective_copy_task", "empty", lambda: selective_copy_task(0, 8), ValueError, "n_samples must be an integer"),
    ("time_per_call", "type", lambda: time_per_call(3), TypeError, "func must be a function of no arguments"),
    ("time_per_call", "empty", lambda: time_per_call(lambda: None, repeats=0), ValueError, "repeats must be an integer"),
    ("plot_scan_timing", "type", lambda: plot_scan_timing([16], [1.0]), ValueError, r"times_ms must be a non-empty dict"),
    ("plot_scan_timing", "shape", lambda: plot_scan_timing([16, 32], {"loop": [1.0]}), ValueError, r"times_ms\['loop'\] must be a list of 2 numbers"),
    ("plot_scan_timing", "empty", lambda: plot_scan_timing([], {"loop": []}), ValueError, "seq_lens must be a non-empty list"),
    ("plot_copy_accuracy", "type", lambda: plot_copy_accuracy({"a": [0.5]}, chance="1/4"), TypeError, "chance must be a number"),
    ("plot_copy_accuracy", "shape", lambda: plot_copy_accuracy({"a": [0.5], "b": [0.5, 0.6]}, 0.25), ValueError, r"accuracy\['b'\] must be a list of 1 numbers"),
    ("plot_copy_accuracy", "empty", lambda: plot_copy_accuracy({}, 0.25), ValueError, "accuracy must be a non-empty dict"),
    ("plot_hillis_steele", "type", lambda: plot_hillis_steele("8"), TypeError, "seq_len must be an integer"),
    ("plot_hillis_steele", "value", lambda: plot_hillis_steele(40), ValueError, "seq_len must be an integer from 2 to 16"),
    ("plot_hillis_steele", "empty", lambda: plot_hillis_steele(1), ValueError, "seq_len must be an integer from 2 to 16"),
    ("plot_lru_eigenvalues", "type", lambda: plot_lru_eigenvalues(r_min="0.9"), TypeError, "r_min must be a number"),
    ("plot_lru_eigenvalues", "value", lambda: plot_lru_eigenvalues(r_min=0.99, r_max=0.9), ValueError, "r_max must be a number"),
    ("plot_lru_eigenvalues", "empty", lambda: plot_lru_eigenvalues(hidden_size=0), ValueError, "hidden_size must be an integer"),
]
# a single integer has no shape to get wrong
NOT_APPLICABLE = {("scan_levels", "shape"), ("scan_work", "shape"), ("time_per_call", "shape"),
                  ("plot_hillis_steele", "shape"), ("plot_lru_eigenvalues", "shape")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(linear_rnn, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("make, error, words", [
    (lambda: MinGRU(3.0, 4), TypeError, "input_size must be an integer"),
    (lambda: MinGRU(3, 4, recurrence="scan"), TypeError, "recurrence must be a function"),
    (lambda: CharModel(7, 5, "lstm"), ValueError, "layer must be one of"),
])
def test_bad_layer_arguments_are_named(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_levels_formula():
    assert all(scan_levels(T) == math.ceil(math.log2(T)) for T in range(2, 300))
