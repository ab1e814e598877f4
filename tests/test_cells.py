import math

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from tests._bad_input import ids, untried

from course_utils.cells import (PeepholeLSTM, ScratchGRU, ScratchLSTM, ScratchRNN, chrono_init_,
                                gradient_by_distance, gru_cell, lstm_cell, peephole_lstm_cell,
                                rnn_cell, sigmoid, tanh, unroll, weights_from_torch)

B, T, D, H = 3, 12, 4, 5


def _x(seed=0):
    return torch.randn(B, T, D, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("kind, cell", [("RNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru")])
def test_unroll_matches_torch_over_a_sequence(kind, cell):
    torch.manual_seed(0)
    layer = getattr(nn, kind)(D, H, batch_first=True)
    x = _x()
    expected, _ = layer(x)
    with torch.no_grad():
        out, _ = unroll(cell, x, weights_from_torch(layer))
    assert (out - expected).abs().max().item() < 1e-6


@pytest.mark.parametrize("kind, cell", [("RNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru")])
def test_numpy_version_matches_torch(kind, cell):
    torch.manual_seed(1)
    layer = getattr(nn, kind)(D, H, batch_first=True)
    x = _x(1)
    expected = layer(x)[0].detach().double().numpy()
    out, _ = unroll(cell, x.double().numpy(), weights_from_torch(layer, numpy=True))
    assert isinstance(out, np.ndarray) and out.shape == (B, T, H)
    assert np.abs(out - expected).max() < 1e-6


def test_lstm_final_state_matches_torch_with_initial_state():
    torch.manual_seed(2)
    layer = nn.LSTM(D, H, batch_first=True)
    h0, c0 = torch.randn(B, H), torch.randn(B, H)
    _, (hT, cT) = layer(_x(), (h0[None], c0[None]))
    with torch.no_grad():
        _, (h, c) = unroll("lstm", _x(), weights_from_torch(layer), (h0, c0))
    assert torch.allclose(h, hT[0], atol=1e-6) and torch.allclose(c, cT[0], atol=1e-6)


def test_peephole_with_zero_peepholes_is_the_lstm_and_peepholes_matter():
    torch.manual_seed(3)
    w = weights_from_torch(nn.LSTM(D, H))
    x, h, c = torch.randn(B, D), torch.randn(B, H), torch.randn(B, H)
    zero = torch.zeros(H)
    h1, c1 = lstm_cell(x, h, c, **w)
    h2, c2 = peephole_lstm_cell(x, h, c, **w, p_i=zero, p_f=zero, p_o=zero)
    assert torch.equal(h1, h2) and torch.equal(c1, c2)
    # the output gate peeks at the new state c_t: check one unit by hand
    p_o = torch.ones(H)
    h3, c3 = peephole_lstm_cell(x, h, c, **w, p_i=zero, p_f=zero, p_o=p_o)
    a_o = (x @ w["W_ih"].T + w["b_ih"] + h @ w["W_hh"].T + w["b_hh"])[:, 3 * H:]
    assert torch.allclose(c3, c1)
    assert torch.allclose(h3, torch.sigmoid(a_o + c3) * torch.tanh(c3), atol=1e-6)


def test_gru_resets_after_the_matrix_not_before():
    torch.manual_seed(4)
    w = weights_from_torch(nn.GRU(D, H))
    x, h = torch.randn(B, D), torch.randn(B, H)
    a_x = x @ w["W_ih"].T + w["b_ih"]
    r = torch.sigmoid(a_x[:, :H] + (h @ w["W_hh"].T + w["b_hh"])[:, :H])
    cho = torch.tanh(a_x[:, 2 * H:] + (r * h) @ w["W_hh"][2 * H:].T + w["b_hh"][2 * H:])
    z = torch.sigmoid(a_x[:, H:2 * H] + (h @ w["W_hh"].T + w["b_hh"])[:, H:2 * H])
    assert not torch.allclose(gru_cell(x, h, **w), (1 - z) * cho + z * h, atol=1e-4)


@pytest.mark.parametrize("cls, kind", [(ScratchRNN, "RNN"), (ScratchLSTM, "LSTM"),
                                       (ScratchGRU, "GRU"), (PeepholeLSTM, "LSTM")])
def test_modules_load_from_torch_and_train(cls, kind):
    torch.manual_seed(5)
    layer = getattr(nn, kind)(D, H, batch_first=True)
    mine = cls.from_torch(layer)
    out, _ = mine(_x())
    assert torch.allclose(out, layer(_x())[0], atol=1e-6)
    out.sum().backward()
    assert mine.W_hh.grad is not None and mine.W_hh.grad.abs().sum() > 0
    fresh = cls(D, H)
    assert sum(p.numel() for p in fresh.parameters()) == (
        sum(p.numel() for p in layer.parameters()) + (3 * H if cls is PeepholeLSTM else 0))


def test_sigmoid_and_tanh_work_on_numpy_and_torch():
    a = np.array([-1000.0, 0.0, 1000.0])
    assert np.allclose(sigmoid(a), [0.0, 0.5, 1.0])
    assert torch.allclose(sigmoid(torch.zeros(2)), torch.full((2,), 0.5))
    assert np.allclose(tanh(np.zeros(2)), 0.0)


def _lstm_args(**change):
    w = weights_from_torch(nn.LSTM(D, H))
    args = dict(x=torch.zeros(B, D), h=torch.zeros(B, H), c=torch.zeros(B, H), **w)
    args.update(change)
    return args


@pytest.mark.parametrize("change, error, match", [
    (dict(x=[[0.0] * D] * B), TypeError, "x must be a NumPy array or a torch tensor, got list"),
    (dict(h=None), TypeError, "h must be a NumPy array or a torch tensor, got NoneType"),
    (dict(c=np.zeros((B, H))), TypeError, "c is a NumPy array but x is a torch tensor"),
    (dict(b_hh=torch.zeros(4 * H, dtype=torch.float64)), TypeError,
     "b_hh has dtype torch.float64 but x has torch.float32"),
    (dict(x=torch.zeros(B, 1, D)), ValueError, r"x must have shape \(batch, input_size\)"),
    (dict(x=torch.zeros(0, D), h=torch.zeros(0, H), c=torch.zeros(0, H)), ValueError,
     r"x must have shape \(batch, input_size\), both at least 1, got \(0, 4\)"),
    (dict(h=torch.zeros(B + 1, H)), ValueError, r"h must have shape \(batch, hidden_size\) = \(3, H\)"),
    (dict(c=torch.zeros(B, H + 1)), ValueError, r"c must have shape \(3, 5\)"),
    (dict(W_ih=torch.zeros(4 * H, D + 1)), ValueError, r"W_ih must have shape \(20, 4\) \(4 gate blocks"),
    (dict(W_hh=torch.zeros(4 * H, H).T), ValueError, r"W_hh must have shape \(20, 5\)"),
    (dict(b_ih=torch.zeros(4 * H, 1)), ValueError, r"b_ih must have shape \(20,\)"),
])
def test_step_functions_name_the_bad_argument(change, error, match):
    with pytest.raises(error, match=match):
        lstm_cell(**_lstm_args(**change))


def test_every_step_function_checks_its_weights():
    gru = weights_from_torch(nn.GRU(D, H))
    rnn = weights_from_torch(nn.RNN(D, H))
    x, h = torch.zeros(B, D), torch.zeros(B, H)
    with pytest.raises(ValueError, match=r"W_ih must have shape \(15, 4\) \(3 gate blocks"):
        gru_cell(x, h, **{**gru, "W_ih": rnn["W_ih"]})
    with pytest.raises(ValueError, match=r"W_ih must have shape \(5, 4\) for x"):
        rnn_cell(x, h, **gru)
    with pytest.raises(ValueError, match=r"W_ih must have shape \(20, 4\)"):
        lstm_cell(x, h, h, **gru)
    zero = torch.zeros(H)
    with pytest.raises(ValueError, match=r"p_o must have shape \(5,\)"):
        peephole_lstm_cell(x, h, h, **weights_from_torch(nn.LSTM(D, H)), p_i=zero, p_f=zero,
                           p_o=torch.zeros(H + 1))


@pytest.mark.parametrize("call, error, match", [
    (lambda: sigmoid("0.5"), TypeError, "a must be a NumPy array, a torch tensor or a number, got str"),
    (lambda: tanh(None), TypeError, "a must be a NumPy array"),
    (lambda: sigmoid(torch.zeros(2, dtype=torch.long)), TypeError, "a must be a floating-point tensor"),
    (lambda: tanh([[1.0], [2.0, 3.0]]), TypeError, "a must be a NumPy array"),
])
def test_activations_reject_what_is_not_numeric(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_activations_accept_numbers_and_lists():
    assert sigmoid(0.0) == pytest.approx(0.5) and np.allclose(tanh([0.0, 0.0]), 0.0)


def test_bad_arguments():
    w = weights_from_torch(nn.GRU(D, H))
    with pytest.raises(ValueError, match="cell must be one of"):
        unroll("transformer", _x(), w)
    with pytest.raises(TypeError, match="x must be a NumPy array or a torch tensor"):
        unroll("gru", [[[0.0]]], w)
    with pytest.raises(ValueError, match="x must have shape"):
        unroll("gru", torch.zeros(B, D), w)
    with pytest.raises(ValueError, match=r"each at least 1, got \(3, 0, 4\)"):
        unroll("gru", torch.zeros(B, 0, D), w)
    with pytest.raises(ValueError, match=r"weights must be a dict with exactly the keys"):
        unroll("gru", _x(), {k: v for k, v in w.items() if k != "b_hh"})
    with pytest.raises(ValueError, match=r"\['W_hh', 'W_ih', 'b_hh', 'b_ih', 'p_f', 'p_i', 'p_o'\]"):
        unroll("peephole_lstm", _x(), weights_from_torch(nn.LSTM(D, H)))
    with pytest.raises(TypeError, match=r"state must be a pair \(h, c\)"):
        unroll("lstm", _x(), weights_from_torch(nn.LSTM(D, H)), torch.zeros(B, H))
    with pytest.raises(ValueError, match=r"W_ih must have shape \(20, 4\)"):
        lstm_cell(torch.zeros(B, D), torch.zeros(B, H), torch.zeros(B, H), **w)
    with pytest.raises(ValueError, match=r"W_ih must have shape \(5, 4\)"):
        rnn_cell(torch.zeros(B, D), torch.zeros(B, H), **w)
    with pytest.raises(TypeError, match="layer must be an nn.RNN"):
        weights_from_torch(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="layer_index"):
        weights_from_torch(nn.GRU(D, H), layer_index=1)
    with pytest.raises(ValueError, match="nonlinearity"):
        weights_from_torch(nn.RNN(D, H, nonlinearity="relu"))
    with pytest.raises(ValueError, match="bias"):
        weights_from_torch(nn.GRU(D, H, bias=False))
    with pytest.raises(TypeError, match="layer must be an LSTM"):
        ScratchLSTM.from_torch(nn.GRU(D, H))
    with pytest.raises(ValueError, match="num_layers=1"):
        ScratchGRU.from_torch(nn.GRU(D, H, num_layers=2))
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        ScratchGRU(D, 0)
    with pytest.raises(TypeError, match="input_size must be a positive integer"):
        ScratchGRU(2.5, H)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, 4\)"):
        ScratchGRU(D, H)(torch.zeros(B, T, D + 1))
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor of shape \(batch, time, 4\)"):
        ScratchGRU(D, H)(np.zeros((B, T, D)))
    with pytest.raises(ValueError, match=r"h must have shape \(batch, hidden_size\)"):
        ScratchGRU(D, H)(_x(), torch.zeros(B + 1, H))


def test_unroll_numpy_float32_keeps_a_float_state():
    w = weights_from_torch(nn.GRU(D, H), numpy=True)
    out, h = unroll("gru", np.zeros((B, T, D), dtype=np.float32), w)
    assert out.shape == (B, T, H) and h.dtype.kind == "f"


# ------------------------------------------------------------------ chrono initialisation
def test_chrono_init_sets_only_the_input_and_forget_biases_as_log_uniform():
    lstm = nn.LSTM(2, 512, num_layers=2)
    before = {k: v.detach().clone() for k, v in lstm.named_parameters()}
    assert chrono_init_(lstm, 100, generator=torch.Generator().manual_seed(0)) is lstm
    H = 512
    for layer in (0, 1):
        total = (getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")).detach()
        b_i, b_f = total[:H], total[H:2 * H]
        assert torch.allclose(b_i, -b_f) and b_f.min() >= 0 and b_f.max() <= math.log(99) + 1e-6
        u = b_f.exp().double().numpy()
        assert stats.kstest(u, stats.uniform(loc=1, scale=98).cdf).pvalue > 1e-3
        for name in (f"weight_ih_l{layer}", f"weight_hh_l{layer}"):
            assert torch.equal(getattr(lstm, name), before[name])
        for bias in (f"bias_ih_l{layer}", f"bias_hh_l{layer}"):
            assert torch.equal(getattr(lstm, bias)[2 * H:], before[bias][2 * H:])


def test_chrono_init_is_reproducible_with_a_generator_and_passes_the_lab_check(capsys):
    a, b = nn.LSTM(2, 8), nn.LSTM(2, 8)
    chrono_init_(a, 50, generator=torch.Generator().manual_seed(3))
    chrono_init_(b, 50, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.bias_hh_l0[:16], b.bias_hh_l0[:16])
    from course_utils.checks.lab04 import check_chrono_init
    check_chrono_init(chrono_init_)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("call, error, match", [
    (lambda: chrono_init_(nn.GRU(2, 4), 10), TypeError, "lstm must be an nn.LSTM, got GRU"),
    (lambda: chrono_init_(nn.LSTM(2, 4, bias=False), 10), ValueError, "lstm must have biases"),
    (lambda: chrono_init_(nn.LSTM(2, 4), 1), ValueError, "max_len must be an integer >= 2, got 1"),
    (lambda: chrono_init_(nn.LSTM(2, 4), 10.0), TypeError, "max_len must be an integer >= 2"),
    (lambda: chrono_init_(nn.LSTM(2, 4), 10, generator=0), TypeError, "generator must be a torch.Generator"),
])
def test_chrono_init_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ gradient by distance
class _Last(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(2, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


def test_gradient_by_distance_matches_autograd_and_leaves_x_alone():
    torch.manual_seed(0)
    model, x, y = _Last(), torch.rand(5, 7, 2), torch.rand(5, 1)
    norms = gradient_by_distance(model, x, y)
    assert norms.shape == (7,) and norms.dtype == torch.float32
    assert not x.requires_grad and x.grad is None
    leaf = x.clone().requires_grad_(True)
    torch.nn.functional.mse_loss(model(leaf), y).backward()
    assert torch.allclose(norms, leaf.grad.norm(dim=(0, 2)))
    assert torch.equal(gradient_by_distance(model, x, y), norms)       # no state kept


@pytest.mark.parametrize("call, error, match", [
    (lambda m, x, y: gradient_by_distance(lambda v: v, x, y), TypeError, "model must be a torch.nn.Module"),
    (lambda m, x, y: gradient_by_distance(m, x.numpy(), y), TypeError, "x must be a floating-point"),
    (lambda m, x, y: gradient_by_distance(m, x, y.long()), TypeError, "y must be a floating-point"),
    (lambda m, x, y: gradient_by_distance(m, x[0], y), ValueError, r"x must have shape \(batch, time"),
    (lambda m, x, y: gradient_by_distance(m, x[:, :0], y), ValueError, "each at least 1"),
    (lambda m, x, y: gradient_by_distance(m, x, y[:, 0]), ValueError, r"y must have the shape of model\(x\), \(5, 1\)"),
])
def test_gradient_by_distance_bad_arguments(call, error, match):
    torch.manual_seed(0)
    with pytest.raises(error, match=match):
        call(_Last(), torch.rand(5, 7, 2), torch.rand(5, 1))


# ------------------------------------------------------------------ bad-input table (issue 16)
def _step(cell, **change):
    """The arguments of one step of ``cell`` with torch weights, some of them changed."""
    kind = {"rnn": nn.RNN, "gru": nn.GRU}.get(cell, nn.LSTM)
    args = dict(x=torch.zeros(B, D), h=torch.zeros(B, H), **weights_from_torch(kind(D, H)))
    if cell in ("lstm", "peephole_lstm"):
        args["c"] = torch.zeros(B, H)
    if cell == "peephole_lstm":
        args.update(p_i=torch.zeros(H), p_f=torch.zeros(H), p_o=torch.zeros(H))
    args.update(change)
    return args


_EMPTY_BATCH = dict(x=torch.zeros(0, D), h=torch.zeros(0, H))
_STEPS = {"rnn_cell": rnn_cell, "lstm_cell": lstm_cell, "peephole_lstm_cell": peephole_lstm_cell,
          "gru_cell": gru_cell}
BAD_INPUT = [
    ("sigmoid", "type", lambda: sigmoid("0.5"), TypeError,
     "a must be a NumPy array, a torch tensor or a number, got str"),
    ("sigmoid", "type", lambda: sigmoid(torch.zeros(2, dtype=torch.long)), TypeError,
     "a must be a floating-point tensor, got dtype torch.int64"),
    ("tanh", "type", lambda: tanh(None), TypeError,
     "a must be a NumPy array, a torch tensor or a number, got NoneType"),
    ("tanh", "type", lambda: tanh([[1.0], [2.0, 3.0]]), TypeError, "a must be a NumPy array"),
]
for _name, _cell in (("rnn_cell", "rnn"), ("lstm_cell", "lstm"),
                     ("peephole_lstm_cell", "peephole_lstm"), ("gru_cell", "gru")):
    _f = _STEPS[_name]
    _c = dict(c=torch.zeros(0, H)) if "lstm" in _name else {}
    BAD_INPUT += [
        (_name, "type", lambda f=_f, c=_cell: f(**_step(c, x=[[0.0] * D] * B)), TypeError,
         "x must be a NumPy array or a torch tensor, got list"),
        (_name, "type", lambda f=_f, c=_cell: f(**_step(c, x=torch.zeros(B, D, dtype=torch.long))),
         TypeError, "x must be a floating-point tensor, got dtype torch.int64"),
        (_name, "type", lambda f=_f, c=_cell: f(**_step(c, W_hh=None)), TypeError,
         "W_hh must be a NumPy array or a torch tensor, got NoneType"),
        (_name, "type", lambda f=_f, c=_cell: f(**_step(c, h=np.zeros((B, H)))), TypeError,
         "h is a NumPy array but x is a torch tensor"),
        (_name, "shape", lambda f=_f, c=_cell: f(**_step(c, x=torch.zeros(B, 1, D))), ValueError,
         r"x must have shape \(batch, input_size\), both at least 1, got \(3, 1, 4\)"),
        (_name, "shape", lambda f=_f, c=_cell: f(**_step(c, W_ih=torch.zeros(7, D))), ValueError,
         r"W_ih must have shape \(\d+, 4\)"),
        (_name, "empty", lambda f=_f, c=_cell, e=_c: f(**_step(c, **_EMPTY_BATCH, **e)), ValueError,
         r"x must have shape \(batch, input_size\), both at least 1, got \(0, 4\)"),
        (_name, "empty", lambda f=_f, c=_cell: f(**_step(c, h=torch.zeros(B, 0))), ValueError,
         r"h must have shape \(batch, hidden_size\) = \(3, H\) to match x \(3, 4\), got \(3, 0\)"),
    ]
BAD_INPUT += [
    ("rnn_cell", "type",
     lambda: rnn_cell(**{k: np.asarray(v.numpy()) for k, v in _step("rnn").items()}
                                          | {"x": np.full((B, D), "a")}), TypeError,
     "x must be an array of numbers, got dtype <U1"),
    ("lstm_cell", "type", lambda: lstm_cell(**_step("lstm", c=None)), TypeError,
     "c must be a NumPy array or a torch tensor, got NoneType"),
    ("lstm_cell", "shape", lambda: lstm_cell(**_step("lstm", c=torch.zeros(B, H + 1))), ValueError,
     r"c must have shape \(3, 5\)"),
    ("peephole_lstm_cell", "shape",
     lambda: peephole_lstm_cell(**_step("peephole_lstm", p_o=torch.zeros(H + 1))), ValueError,
     r"p_o must have shape \(5,\) for x \(3, 4\) and h \(3, 5\), got \(6,\)"),
    ("peephole_lstm_cell", "type",
     lambda: peephole_lstm_cell(**_step("peephole_lstm", p_i=[0.0] * H)), TypeError,
     "p_i must be a NumPy array or a torch tensor, got list"),
    ("gru_cell", "type",
     lambda: gru_cell(**_step("gru", b_hh=torch.zeros(3 * H, dtype=torch.float64))),
     TypeError, "b_hh has dtype torch.float64 but x has torch.float32"),
    ("unroll", "type", lambda: unroll(3, _x(), weights_from_torch(nn.GRU(D, H))), TypeError,
     r"cell must be one of \['gru', 'lstm', 'peephole_lstm', 'rnn'\], got int"),
    ("unroll", "type",
     lambda: unroll("gru", [[[0.0]]], weights_from_torch(nn.GRU(D, H))), TypeError,
     r"x must be a NumPy array or a torch tensor of shape \(batch, time, features\), got list"),
    ("unroll", "type", lambda: unroll("gru", _x(), [1]), TypeError,
     r"weights must be a dict with the keys \['W_hh', 'W_ih', 'b_hh', 'b_ih'\] for cell 'gru', got list"),
    ("unroll", "type",
     lambda: unroll("gru", _x(), {**weights_from_torch(nn.GRU(D, H)), "W_hh": "W"}),
     TypeError, r"weights\['W_hh'\] must be a NumPy array or a torch tensor, got str"),
    ("unroll", "type",
     lambda: unroll("gru", _x().long(), weights_from_torch(nn.GRU(D, H))), TypeError,
     "x must be a floating-point tensor, got dtype torch.int64"),
    ("unroll", "type",
     lambda: unroll("lstm", _x(), weights_from_torch(nn.LSTM(D, H)), torch.zeros(B, H)),
     TypeError, r"state must be a pair \(h, c\) for cell 'lstm', got Tensor"),
    ("unroll", "type", lambda: unroll("lstm", _x(), weights_from_torch(nn.LSTM(D, H)),
                                      (torch.zeros(B, H), None)), TypeError,
     "c must be a NumPy array or a torch tensor, got NoneType"),
    ("unroll", "shape", lambda: unroll("gru", torch.zeros(B, D), weights_from_torch(nn.GRU(D, H))),
     ValueError, r"x must have shape \(batch, time, features\), each at least 1, got \(3, 4\)"),
    ("unroll", "shape", lambda: unroll("gru", _x(), {**weights_from_torch(nn.GRU(D, H)),
                                                     "W_hh": torch.zeros(3 * H)}), ValueError,
     r"weights\['W_hh'\] must have shape \(gate blocks x H, H\), got \(15,\)"),
    ("unroll", "shape", lambda: unroll("gru", _x(), weights_from_torch(nn.GRU(D, H)),
                                       torch.zeros(B + 1, H)), ValueError,
     r"h must have shape \(batch, hidden_size\) = \(3, H\) to match x \(3, 4\), got \(4, 5\)"),
    ("unroll", "empty",
     lambda: unroll("gru", torch.zeros(B, 0, D), weights_from_torch(nn.GRU(D, H))),
     ValueError, r"x must have shape \(batch, time, features\), each at least 1, got \(3, 0, 4\)"),
    ("unroll", "empty", lambda: unroll("gru", _x(), {}), ValueError,
     r"weights must be a dict with exactly the keys \['W_hh', 'W_ih', 'b_hh', 'b_ih'\] for cell 'gru', got \[\]"),
    ("unroll", "value", lambda: unroll("transformer", _x(), {}), ValueError,
     r"cell must be one of \['gru', 'lstm', 'peephole_lstm', 'rnn'\], got 'transformer'"),
    ("weights_from_torch", "type", lambda: weights_from_torch(nn.Linear(2, 2)), TypeError,
     "layer must be an nn.RNN, nn.LSTM or nn.GRU, got Linear"),
    ("weights_from_torch", "type", lambda: weights_from_torch(nn.GRU(D, H), 0.0), TypeError,
     r"layer_index must be an integer in \[0, 1\), got float 0.0"),
    ("weights_from_torch", "type", lambda: weights_from_torch(nn.GRU(D, H), numpy="yes"), TypeError,
     "numpy must be True or False, got str"),
    ("weights_from_torch", "value",
     lambda: weights_from_torch(nn.GRU(D, H), layer_index=1), ValueError,
     r"layer_index must be an integer in \[0, 1\), got 1"),
    ("weights_from_torch", "value", lambda: weights_from_torch(nn.RNN(D, H, nonlinearity="relu")),
     ValueError, "layer.nonlinearity must be 'tanh'"),
    ("weights_from_torch", "value",
     lambda: weights_from_torch(nn.GRU(D, H, bias=False)), ValueError,
     r"layer must have biases \(bias=True\)"),
    ("chrono_init_", "type", lambda: chrono_init_(nn.GRU(2, 4), 10), TypeError,
     "lstm must be an nn.LSTM, got GRU"),
    ("chrono_init_", "type", lambda: chrono_init_(nn.LSTM(2, 4), "10"), TypeError,
     "max_len must be an integer >= 2, got str '10'"),
    ("chrono_init_", "type", lambda: chrono_init_(nn.LSTM(2, 4), 10, generator=0), TypeError,
     "generator must be a torch.Generator or None, got int"),
    ("chrono_init_", "value", lambda: chrono_init_(nn.LSTM(2, 4), 1), ValueError,
     "max_len must be an integer >= 2, got 1"),
    ("chrono_init_", "value", lambda: chrono_init_(nn.LSTM(2, 4, bias=False), 10), ValueError,
     r"lstm must have biases \(bias=True\)"),
    ("gradient_by_distance", "type",
     lambda: gradient_by_distance(lambda v: v, _x(), _x()), TypeError,
     "model must be a torch.nn.Module, got function"),
    ("gradient_by_distance", "type",
     lambda: gradient_by_distance(_Last(), _x().numpy(), torch.zeros(B, 1)),
     TypeError, "x must be a floating-point torch.Tensor, got ndarray"),
    ("gradient_by_distance", "type",
     lambda: gradient_by_distance(_Last(), torch.rand(5, 7, 2), None),
     TypeError, "y must be a floating-point torch.Tensor, got NoneType"),
    ("gradient_by_distance", "type",
     lambda: gradient_by_distance(nn.RNN(2, 3, batch_first=True), torch.rand(5, 7, 2), torch.rand(5, 7, 3)),
     TypeError, r"model must return one tensor, of y's shape \(5, 7, 3\), got tuple"),
    ("gradient_by_distance", "shape",
     lambda: gradient_by_distance(_Last(), torch.rand(7, 2), torch.rand(5, 1)),
     ValueError, r"x must have shape \(batch, time, features\), each at least 1, got \(7, 2\)"),
    ("gradient_by_distance", "shape",
     lambda: gradient_by_distance(_Last(), torch.rand(5, 7, 3), torch.rand(5, 1)),
     ValueError, r"x of shape \(5, 7, 3\) does not fit model"),
    ("gradient_by_distance", "shape",
     lambda: gradient_by_distance(_Last(), torch.rand(5, 7, 2), torch.rand(5)),
     ValueError, r"y must have the shape of model\(x\), \(5, 1\), got \(5,\)"),
    ("gradient_by_distance", "empty",
     lambda: gradient_by_distance(_Last(), torch.rand(5, 0, 2), torch.rand(5, 1)),
     ValueError, r"x must have shape \(batch, time, features\), each at least 1, got \(5, 0, 2\)"),
]
# Kinds that do not apply, with the reason: sigmoid and tanh are elementwise, so any shape is
# right and an empty input gives an empty output (tested below); weights_from_torch and
# chrono_init_ take a layer, not an array, so they have no shape to get wrong and nothing
# to be empty (a layer with no units cannot be built: nn.LSTM(2, 0) raises).
NOT_APPLICABLE = {("sigmoid", "shape"), ("sigmoid", "empty"), ("tanh", "shape"), ("tanh", "empty"),
                  ("weights_from_torch", "shape"), ("weights_from_torch", "empty"),
                  ("chrono_init_", "shape"), ("chrono_init_", "empty")}


def test_empty_and_any_shape_where_they_make_sense():
    assert sigmoid(np.zeros((2, 0, 3))).shape == (2, 0, 3) and tanh([]).shape == (0,)
    assert sigmoid(torch.zeros(0)).shape == (0,)


def test_the_scratch_layers_name_their_bad_arguments():
    with pytest.raises(TypeError, match="hidden_size must be a positive integer, got str '5'"):
        ScratchGRU(D, "5")
    with pytest.raises(ValueError, match="hidden_size must be a positive integer, got 0"):
        ScratchLSTM(D, 0)
    assert ScratchRNN(np.int64(D), H).input_size == D


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    import course_utils.cells as cells
    assert untried(cells, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
