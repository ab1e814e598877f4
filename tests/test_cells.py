import numpy as np
import pytest
import torch
from torch import nn

from course_utils.cells import (PeepholeLSTM, ScratchGRU, ScratchLSTM, ScratchRNN, gru_cell,
                                lstm_cell, peephole_lstm_cell, rnn_cell, sigmoid, tanh, unroll,
                                weights_from_torch)

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


def test_bad_arguments():
    w = weights_from_torch(nn.GRU(D, H))
    with pytest.raises(ValueError, match="cell must be one of"):
        unroll("transformer", _x(), w)
    with pytest.raises(ValueError, match="x must have shape"):
        unroll("gru", torch.zeros(B, D), w)
    with pytest.raises(ValueError, match="W_ih must have 20 rows"):
        lstm_cell(torch.zeros(B, D), torch.zeros(B, H), torch.zeros(B, H), **w)
    with pytest.raises(ValueError, match="W_ih must have 5 rows"):
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
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, 4\)"):
        ScratchGRU(D, H)(torch.zeros(B, T, D + 1))
