import math

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

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
    with pytest.raises(ValueError, match="input_size must be a positive integer"):
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
    (lambda: chrono_init_(nn.LSTM(2, 4), 10.0), ValueError, "max_len must be an integer >= 2"),
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
