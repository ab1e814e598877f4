"""Reference recurrent cells written from their equations, in PyTorch's weight layout.

Every step function works on NumPy arrays *and* on torch tensors: it only uses ``@``,
``.T``, slicing and the sigmoid/tanh of the array's own library. Shapes (B = batch,
D = input size, H = hidden size; weights exactly as ``nn.LSTM`` / ``nn.GRU`` store them):

=============  ==================  ======================================================
cell           ``W_ih`` / ``W_hh``  rows, top to bottom
=============  ==================  ======================================================
vanilla RNN    (H, D) / (H, H)     one layer
LSTM           (4H, D) / (4H, H)   i (input gate), f (forget gate), g (main layer), o (output gate)
GRU            (3H, D) / (3H, H)   r (reset gate), z (update gate), n (candidate state)
=============  ==================  ======================================================

``b_ih`` and ``b_hh`` have as many entries as their matrix has rows. PyTorch keeps two bias
vectors where one would do; only their sum matters, except in the GRU's candidate, where the
reset gate multiplies ``W_hn h + b_hn`` and so ``b_hn`` sits *inside* the product.

:class:`ScratchRNN`, :class:`ScratchLSTM`, :class:`PeepholeLSTM` and :class:`ScratchGRU` wrap
the step functions as ``nn.Module`` layers with the calling convention of ``nn.LSTM``
(``batch_first=True``); ``from_torch`` copies the weights of a built-in layer into them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch
from torch import nn

Array = Any  # a NumPy array or a torch tensor


def _is_torch(a: Array) -> bool:
    return isinstance(a, torch.Tensor)


def sigmoid(a: Array) -> Array:
    """The logistic function 1 / (1 + exp(-a)) for a NumPy array or a torch tensor."""
    if _is_torch(a):
        return torch.sigmoid(a)
    a = np.asarray(a, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # overflow-free form of 1 / (1 + e^-a)


def tanh(a: Array) -> Array:
    """tanh for a NumPy array or a torch tensor."""
    return torch.tanh(a) if _is_torch(a) else np.tanh(a)


def _check_rows(name: str, weight: Array, rows: int) -> None:
    if weight.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows (one block per gate), "
                         f"got shape {tuple(weight.shape)}.")


def _gates(x: Array, h: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array) -> Array:
    """x W_ih^T + b_ih + h W_hh^T + b_hh, shape (B, rows of W_ih)."""
    return x @ W_ih.T + b_ih + h @ W_hh.T + b_hh


def rnn_cell(x: Array, h: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array) -> Array:
    """One step of a vanilla (Elman) RNN: h_t = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    ``x``: (B, D), ``h``: (B, H) -> new ``h``: (B, H).
    """
    _check_rows("W_ih", W_ih, h.shape[-1])
    return tanh(_gates(x, h, W_ih, W_hh, b_ih, b_hh))


def lstm_cell(x: Array, h: Array, c: Array, W_ih: Array, W_hh: Array, b_ih: Array,
              b_hh: Array) -> tuple[Array, Array]:
    """One LSTM step (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    ``x``: (B, D); ``h``, ``c``: (B, H). Returns the new short-term state ``h`` and long-term
    state ``c``, both (B, H)::

        i = sigmoid(...)  f = sigmoid(...)  g = tanh(...)  o = sigmoid(...)   # PyTorch's order
        c' = f * c + i * g
        h' = o * tanh(c')
    """
    H = h.shape[-1]
    _check_rows("W_ih", W_ih, 4 * H)
    a = _gates(x, h, W_ih, W_hh, b_ih, b_hh)
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c + i * g
    return o * tanh(c), c


def peephole_lstm_cell(x: Array, h: Array, c: Array, W_ih: Array, W_hh: Array, b_ih: Array,
                       b_hh: Array, p_i: Array, p_f: Array, p_o: Array) -> tuple[Array, Array]:
    """One step of an LSTM with peephole connections (Gers and Schmidhuber 2000).

    As :func:`lstm_cell`, but the gates also look at the long-term state through diagonal
    weights ``p_i``, ``p_f``, ``p_o`` of shape (H,): the input and forget gates see the old
    state c_{t-1}, the output gate sees the new state c_t::

        i = sigmoid(a_i + p_i * c)    f = sigmoid(a_f + p_f * c)    g = tanh(a_g)
        c' = f * c + i * g
        o = sigmoid(a_o + p_o * c')   h' = o * tanh(c')

    With all three peepholes zero this is exactly :func:`lstm_cell`.
    """
    H = h.shape[-1]
    _check_rows("W_ih", W_ih, 4 * H)
    a = _gates(x, h, W_ih, W_hh, b_ih, b_hh)
    i = sigmoid(a[:, :H] + p_i * c)
    f = sigmoid(a[:, H:2 * H] + p_f * c)
    g = tanh(a[:, 2 * H:3 * H])
    c = f * c + i * g
    o = sigmoid(a[:, 3 * H:] + p_o * c)
    return o * tanh(c), c


def gru_cell(x: Array, h: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array) -> Array:
    """One GRU step (Cho et al. 2014) in PyTorch's form.

    ``x``: (B, D), ``h``: (B, H) -> new ``h``: (B, H)::

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)          # reset gate
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)          # update gate
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))       # candidate
        h' = (1 - z) * n + z * h                                # z = 1 keeps the old state

    Cho et al. apply r to h *before* the matrix (W_hn (r * h)); PyTorch (and cuDNN) apply it
    after, to W_hn h + b_hn. The two are different functions of the same weights.
    """
    H = h.shape[-1]
    _check_rows("W_ih", W_ih, 3 * H)
    a_x = x @ W_ih.T + b_ih                     # (B, 3H)
    a_h = h @ W_hh.T + b_hh                     # (B, 3H)
    r = sigmoid(a_x[:, :H] + a_h[:, :H])
    z = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])
    n = tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])
    return (1 - z) * n + z * h


CELLS: dict[str, Callable[..., Any]] = {"rnn": rnn_cell, "lstm": lstm_cell,
                                        "peephole_lstm": peephole_lstm_cell, "gru": gru_cell}
_HAS_C = {"rnn": False, "lstm": True, "peephole_lstm": True, "gru": False}


def unroll(cell: str, x: Array, weights: dict[str, Array],
           state: Array | tuple[Array, Array] | None = None) -> tuple[Array, Any]:
    """Run ``cell`` ("rnn", "lstm", "peephole_lstm" or "gru") over a whole sequence.

    ``x``: (B, T, D), batch first. ``weights``: the keyword arguments of the step function
    (``W_ih``, ``W_hh``, ``b_ih``, ``b_hh`` and, for the peephole LSTM, ``p_i``, ``p_f``,
    ``p_o``), e.g. from :func:`weights_from_torch`. ``state``: ``h`` (B, H), or ``(h, c)`` for
    the LSTMs; zeros when None. Returns the outputs (B, T, H) and the final state.
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}.")
    if getattr(x, "ndim", None) != 3:
        raise ValueError(f"x must have shape (batch, time, features), got "
                         f"{getattr(x, 'shape', type(x).__name__)}.")
    B, T = x.shape[0], x.shape[1]
    H = weights["W_hh"].shape[1]
    if state is None:
        zeros = (torch.zeros(B, H, dtype=x.dtype) if _is_torch(x)
                 else np.zeros((B, H), dtype=np.asarray(x).dtype))
        state = (zeros, zeros) if _HAS_C[cell] else zeros
    step, outputs = CELLS[cell], []
    for t in range(T):
        state = step(x[:, t], *state, **weights) if _HAS_C[cell] else step(x[:, t], state, **weights)
        outputs.append(state[0] if _HAS_C[cell] else state)
    stack = torch.stack if _is_torch(x) else np.stack
    return stack(outputs, 1), state


def weights_from_torch(layer: nn.RNN | nn.LSTM | nn.GRU, layer_index: int = 0,
                       numpy: bool = False) -> dict[str, Array]:
    """The weights of one layer of a built-in ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``.

    Returns ``{"W_ih", "W_hh", "b_ih", "b_hh"}`` as detached tensors (copies), or as float64
    NumPy arrays when ``numpy=True``, ready for the step functions and :func:`unroll`.
    """
    if not isinstance(layer, (nn.RNN, nn.LSTM, nn.GRU)):
        raise TypeError(f"layer must be an nn.RNN, nn.LSTM or nn.GRU, got {type(layer).__name__}.")
    if isinstance(layer, nn.RNN) and layer.nonlinearity != "tanh":
        raise ValueError("layer.nonlinearity must be 'tanh' to match rnn_cell.")
    if not layer.bias:
        raise ValueError("layer must have biases (bias=True).")
    if getattr(layer, "proj_size", 0):
        raise ValueError("layer.proj_size must be 0: projected LSTMs are not supported.")
    if not isinstance(layer_index, int) or not 0 <= layer_index < layer.num_layers:
        raise ValueError(f"layer_index must be an integer in [0, {layer.num_layers}), "
                         f"got {layer_index!r}.")
    names = {"W_ih": "weight_ih", "W_hh": "weight_hh", "b_ih": "bias_ih", "b_hh": "bias_hh"}
    out = {k: getattr(layer, f"{v}_l{layer_index}").detach().clone() for k, v in names.items()}
    if numpy:
        out = {k: v.double().numpy() for k, v in out.items()}
    return out


# --------------------------------------------------------------------------------------------
# nn.Module versions: trainable layers with nn.LSTM's calling convention (batch_first=True)
# --------------------------------------------------------------------------------------------
class _ScratchLayer(nn.Module):
    cell = "rnn"
    gates = 1
    torch_class: type = nn.RNN

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        self.input_size, self.hidden_size = input_size, hidden_size
        rows, bound = self.gates * hidden_size, hidden_size ** -0.5
        self.W_ih = nn.Parameter(torch.empty(rows, input_size).uniform_(-bound, bound))
        self.W_hh = nn.Parameter(torch.empty(rows, hidden_size).uniform_(-bound, bound))
        self.b_ih = nn.Parameter(torch.empty(rows).uniform_(-bound, bound))
        self.b_hh = nn.Parameter(torch.empty(rows).uniform_(-bound, bound))

    def _weights(self) -> dict[str, torch.Tensor]:
        return {"W_ih": self.W_ih, "W_hh": self.W_hh, "b_ih": self.b_ih, "b_hh": self.b_hh}

    def forward(self, x: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """``x``: (B, T, input_size) -> outputs (B, T, hidden_size) and the final state."""
        if x.ndim != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape (batch, time, {self.input_size}), "
                             f"got {tuple(x.shape)}.")
        return unroll(self.cell, x, self._weights(), state)

    @classmethod
    def from_torch(cls, layer: nn.Module) -> "_ScratchLayer":
        """A copy of a one-layer built-in layer of the matching kind, with its weights."""
        if type(layer) is not cls.torch_class:
            raise TypeError(f"layer must be an {cls.torch_class.__name__}, "
                            f"got {type(layer).__name__}.")
        if layer.num_layers != 1 or layer.bidirectional:
            raise ValueError("layer must have num_layers=1 and bidirectional=False.")
        new = cls(layer.input_size, layer.hidden_size)
        with torch.no_grad():
            for name, value in weights_from_torch(layer).items():
                getattr(new, name).copy_(value)
        return new

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class ScratchRNN(_ScratchLayer):
    """A vanilla tanh RNN layer built on :func:`rnn_cell` (parameters as in ``nn.RNN``)."""

    cell, gates, torch_class = "rnn", 1, nn.RNN


class ScratchLSTM(_ScratchLayer):
    """An LSTM layer built on :func:`lstm_cell` (parameters as in ``nn.LSTM``)."""

    cell, gates, torch_class = "lstm", 4, nn.LSTM


class ScratchGRU(_ScratchLayer):
    """A GRU layer built on :func:`gru_cell` (parameters as in ``nn.GRU``)."""

    cell, gates, torch_class = "gru", 3, nn.GRU


class PeepholeLSTM(ScratchLSTM):
    """An LSTM layer with peephole weights ``p_i``, ``p_f``, ``p_o`` (H,), which PyTorch lacks.

    The peepholes start at zero, so a fresh layer (or one made by ``from_torch``) computes
    exactly what the plain LSTM computes.
    """

    cell = "peephole_lstm"

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        self.p_i = nn.Parameter(torch.zeros(hidden_size))
        self.p_f = nn.Parameter(torch.zeros(hidden_size))
        self.p_o = nn.Parameter(torch.zeros(hidden_size))

    def _weights(self) -> dict[str, torch.Tensor]:
        return {**super()._weights(), "p_i": self.p_i, "p_f": self.p_f, "p_o": self.p_o}


__all__ = ["sigmoid", "tanh", "rnn_cell", "lstm_cell", "peephole_lstm_cell", "gru_cell",
           "unroll", "weights_from_torch", "ScratchRNN", "ScratchLSTM", "ScratchGRU",
           "PeepholeLSTM", "CELLS"]
