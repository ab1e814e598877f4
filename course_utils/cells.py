"""Reference recurrent cells written from their equations, in PyTorch's weight layout.

Every step function works on NumPy arrays *and* on torch tensors: it only uses ``@``,
``.T``, slicing and the sigmoid/tanh of the array's own library. Shapes (B = batch,
D = input size, H = hidden size; weights exactly as ``nn.LSTM`` / ``nn.GRU`` store them):

=============  ==================  ======================================================
cell           ``W_ih`` / ``W_hh``  rows, top to bottom
=============  ==================  ======================================================
vanilla RNN    (H, D) / (H, H)     one layer
LSTM           (4H, D) / (4H, H)   i (input gate), f (forget gate), g (main layer), o (output gate)
GRU            (3H, D) / (3H, H)   r (reset gate), z (update gate), n (candidate h~_t)
=============  ==================  ======================================================

``b_ih`` and ``b_hh`` have as many entries as their matrix has rows. PyTorch keeps two bias
vectors where one would do; only their sum matters, except in the GRU's candidate, where the
reset gate multiplies ``W_hn h + b_hn`` and so ``b_hn`` sits *inside* the product.

:func:`chrono_init_` (the chrono initialisation of an LSTM's gate biases) and
:func:`gradient_by_distance` (how much gradient reaches each input step) are Lab 04's
references. :class:`ScratchRNN`, :class:`ScratchLSTM`, :class:`PeepholeLSTM` and
:class:`ScratchGRU` wrap the step functions as ``nn.Module`` layers with the calling convention
of ``nn.LSTM`` (``batch_first=True``); ``from_torch`` copies the weights of a built-in layer
into them.

The code works on a batch, one sequence per row (``x @ W_ih.T``); the course's equations
(NOTATION.md) write the same step for one sequence as column vectors, W x.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

Array = Any  # a NumPy array or a torch tensor


def _is_torch(a: Array) -> bool:
    return isinstance(a, torch.Tensor)


def _as_numeric(name: str, a: Any) -> Array:
    """``a`` itself if it is a tensor, else a float NumPy array; a clear TypeError otherwise."""
    if _is_torch(a):
        if not (a.is_floating_point() or a.is_complex()):
            raise TypeError(f"{name} must be a floating-point tensor, got dtype {a.dtype}.")
        return a
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"{name} must be a NumPy array, a torch tensor or a number, "
                        f"got {type(a).__name__}.")
    try:
        return np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a NumPy array, a torch tensor or a number, "
                        f"got {type(a).__name__}.") from None


def sigmoid(a: Array) -> Array:
    """The logistic function 1 / (1 + exp(-a)), elementwise, for a NumPy array or a torch tensor.

    Returns the same shape (a tensor for a tensor, a float array otherwise); ``TypeError``
    for anything that is not numeric.
    """
    a = _as_numeric("a", a)
    if _is_torch(a):
        return torch.sigmoid(a)
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # overflow-free form of 1 / (1 + e^-a)


def tanh(a: Array) -> Array:
    """tanh, elementwise, for a NumPy array or a torch tensor (same shape; ``TypeError`` for
    anything that is not numeric)."""
    a = _as_numeric("a", a)
    return torch.tanh(a) if _is_torch(a) else np.tanh(a)


def _shape(a: Array) -> tuple[int, ...]:
    return tuple(a.shape)


def _check_step(blocks: int, x: Array, h: Array, **others: Array) -> None:
    """Check the arguments of one step: their library, dtype and shapes, and name the culprit.

    ``blocks`` is the number of stacked gate blocks (1 RNN, 4 LSTM, 3 GRU). Expected: ``x``
    (B, D), ``h`` and ``c`` (B, H), ``W_ih`` (blocks H, D), ``W_hh`` (blocks H, H), ``b_ih``
    and ``b_hh`` (blocks H,), peepholes ``p_*`` (H,).
    """
    args = {"x": x, "h": h, **others}
    for name, value in args.items():
        if not (_is_torch(value) or isinstance(value, np.ndarray)):
            raise TypeError(f"{name} must be a NumPy array or a torch tensor, "
                            f"got {type(value).__name__}.")
        numeric = (value.is_floating_point() if _is_torch(value)
                   else np.issubdtype(value.dtype, np.number) or value.dtype == bool)
        if not numeric:
            kind = "a floating-point tensor" if _is_torch(value) else "an array of numbers"
            raise TypeError(f"{name} must be {kind}, got dtype {value.dtype}.")
    kinds = {name: "a torch tensor" if _is_torch(v) else "a NumPy array" for name, v in args.items()}
    if len(set(kinds.values())) > 1:
        odd = next(n for n, k in kinds.items() if k != kinds["x"])
        raise TypeError(f"{odd} is {kinds[odd]} but x is {kinds['x']}: pass all arguments as "
                        "NumPy arrays or all as torch tensors.")
    if _is_torch(x):
        odd = next((n for n, v in args.items() if v.dtype != x.dtype), None)
        if odd is not None:
            raise TypeError(f"{odd} has dtype {args[odd].dtype} but x has {x.dtype}: "
                            "give every tensor the same dtype.")
    if len(_shape(x)) != 2 or 0 in _shape(x):
        raise ValueError(f"x must have shape (batch, input_size), both at least 1, "
                         f"got {_shape(x)}.")
    if len(_shape(h)) != 2 or _shape(h)[0] != _shape(x)[0] or _shape(h)[1] < 1:
        raise ValueError(f"h must have shape (batch, hidden_size) = ({_shape(x)[0]}, H) to "
                         f"match x {_shape(x)}, got {_shape(h)}.")
    B, D, H = _shape(x)[0], _shape(x)[1], _shape(h)[1]
    rows = blocks * H
    expected = {"c": (B, H), "W_ih": (rows, D), "W_hh": (rows, H), "b_ih": (rows,),
                "b_hh": (rows,), "p_i": (H,), "p_f": (H,), "p_o": (H,)}
    for name, value in args.items():
        if name in expected and _shape(value) != expected[name]:
            what = f" ({blocks} gate blocks of H = {H} rows)" if name[0] in "Wb" and blocks > 1 else ""
            raise ValueError(f"{name} must have shape {expected[name]}{what} for x {_shape(x)} "
                             f"and h {_shape(h)}, got {_shape(value)}.")


def _gates(x: Array, h: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array) -> Array:
    """x W_ih^T + b_ih + h W_hh^T + b_hh, shape (B, rows of W_ih)."""
    return x @ W_ih.T + b_ih + h @ W_hh.T + b_hh


def rnn_cell(x: Array, h: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array) -> Array:
    """One step of a vanilla (Elman) RNN: h_t = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    ``x``: (B, D), ``h``: (B, H) -> new ``h``: (B, H). ``TypeError`` or ``ValueError`` naming the
    argument for a wrong type, dtype or shape.
    """
    _check_step(1, x, h, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh)
    return tanh(_gates(x, h, W_ih, W_hh, b_ih, b_hh))


def lstm_cell(x: Array, h: Array, c: Array, W_ih: Array, W_hh: Array, b_ih: Array,
              b_hh: Array) -> tuple[Array, Array]:
    """One LSTM step (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    ``x``: (B, D); ``h``, ``c``: (B, H). Returns the new short-term state ``h`` and long-term
    state ``c``, both (B, H)::

        i = sigmoid(...)  f = sigmoid(...)  g = tanh(...)  o = sigmoid(...)   # PyTorch's order
        c' = f * c + i * g
        h' = o * tanh(c')

    ``TypeError`` or ``ValueError`` naming the argument for a wrong type, dtype or shape.
    """
    _check_step(4, x, h, c=c, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh)
    H = h.shape[-1]
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
    _check_step(4, x, h, c=c, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh, p_i=p_i, p_f=p_f, p_o=p_o)
    H = h.shape[-1]
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

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)          # reset gate r_t
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)          # update gate z_t
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))       # candidate h~_t (PyTorch's n_t)
        h' = (1 - z) * n + z * h                                # z = 1 keeps the old state

    The names are PyTorch's (``torch.nn.GRU``'s documentation). Cho et al. 2014 as published
    (arXiv 1406.1078v3) apply r to h *before* the matrix, W_hn (r * h); PyTorch and cuDNN apply
    it after, to W_hn h + b_hn, as the first arXiv version did (Keras's ``GRU(reset_after=...)``
    documents both). The two are different functions of the same weights. ``TypeError`` or
    ``ValueError`` naming the argument for a wrong type, dtype or shape.
    """
    _check_step(3, x, h, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh)
    H = h.shape[-1]
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
    ``TypeError`` or ``ValueError`` naming the argument for a wrong type or shape, a missing
    weight or an empty sequence.
    """
    if not isinstance(cell, str):
        raise TypeError(f"cell must be one of {sorted(CELLS)}, got {type(cell).__name__}.")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}.")
    if not (_is_torch(x) or isinstance(x, np.ndarray)):
        raise TypeError(f"x must be a NumPy array or a torch tensor of shape (batch, time, "
                        f"features), got {type(x).__name__}.")
    if x.ndim != 3 or 0 in tuple(x.shape):
        raise ValueError(f"x must have shape (batch, time, features), each at least 1, got "
                         f"{tuple(x.shape)}.")
    needed = {"W_ih", "W_hh", "b_ih", "b_hh"} | ({"p_i", "p_f", "p_o"} if cell == "peephole_lstm"
                                                 else set())
    if not isinstance(weights, dict):
        raise TypeError(f"weights must be a dict with the keys {sorted(needed)} for cell "
                        f"{cell!r}, got {type(weights).__name__}.")
    if set(weights) != needed:
        got = sorted(weights)
        raise ValueError(f"weights must be a dict with exactly the keys {sorted(needed)} for "
                         f"cell {cell!r}, got {got}.")
    W_hh = weights["W_hh"]
    if not (_is_torch(W_hh) or isinstance(W_hh, np.ndarray)):
        raise TypeError(f"weights['W_hh'] must be a NumPy array or a torch tensor, got "
                        f"{type(W_hh).__name__}.")
    if W_hh.ndim != 2:
        raise ValueError(f"weights['W_hh'] must have shape (gate blocks x H, H), got "
                         f"{tuple(W_hh.shape)}.")
    B, T = x.shape[0], x.shape[1]
    H = W_hh.shape[-1]
    if state is None:
        zeros = (torch.zeros(B, H, dtype=x.dtype, device=x.device) if _is_torch(x)
                 else np.zeros((B, H), dtype=np.result_type(x.dtype, np.float32)))
        state = (zeros, zeros) if _HAS_C[cell] else zeros
    elif _HAS_C[cell] and not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise TypeError(f"state must be a pair (h, c) for cell {cell!r}, got "
                        f"{type(state).__name__}.")
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
    if isinstance(layer_index, bool) or not isinstance(layer_index, numbers.Integral):
        raise TypeError(f"layer_index must be an integer in [0, {layer.num_layers}), "
                        f"got {type(layer_index).__name__} {layer_index!r}.")
    if not 0 <= layer_index < layer.num_layers:
        raise ValueError(f"layer_index must be an integer in [0, {layer.num_layers}), "
                         f"got {layer_index!r}.")
    if not isinstance(numpy, bool):
        raise TypeError(f"numpy must be True or False, got {type(numpy).__name__}.")
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
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be a positive integer, got "
                                f"{type(value).__name__} {value!r}.")
            if value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        rows, bound = self.gates * hidden_size, hidden_size ** -0.5
        self.W_ih = nn.Parameter(torch.empty(rows, input_size).uniform_(-bound, bound))
        self.W_hh = nn.Parameter(torch.empty(rows, hidden_size).uniform_(-bound, bound))
        self.b_ih = nn.Parameter(torch.empty(rows).uniform_(-bound, bound))
        self.b_hh = nn.Parameter(torch.empty(rows).uniform_(-bound, bound))

    def _weights(self) -> dict[str, torch.Tensor]:
        return {"W_ih": self.W_ih, "W_hh": self.W_hh, "b_ih": self.b_ih, "b_hh": self.b_hh}

    def forward(self, x: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """``x``: (B, T, input_size) -> outputs (B, T, hidden_size) and the final state."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor of shape (batch, time, {self.input_size}), "
                            f"got {type(x).__name__}.")
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


# --------------------------------------------------------------------------------------------
# Initialisation and measurement (Lab 04's references)
# --------------------------------------------------------------------------------------------
def chrono_init_(lstm: nn.LSTM, max_len: int,
                 generator: torch.Generator | None = None) -> nn.LSTM:
    """Chrono initialisation (Tallec and Ollivier 2018, "Can recurrent neural networks warp
    time?", ICLR) of an ``nn.LSTM``, in place; returns the layer.

    For every unit of every layer draw u ~ U(1, max_len - 1) and set the forget-gate bias
    b_f = log u and the input-gate bias b_i = -b_f: the forget gate then starts at
    f = u / (1 + u), a memory of about 1 / (1 - f) = 1 + u steps, spread over the units from 2
    to ``max_len`` steps. PyTorch adds ``bias_ih`` and ``bias_hh``, so the values go into
    ``bias_hh_l*`` and rows 0:2H of ``bias_ih_l*`` become 0; nothing else changes. ``max_len``
    (an integer >= 2) is the longest dependency expected; ``generator`` makes the draws
    reproducible. ``TypeError`` / ``ValueError`` name the argument at fault.
    """
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"lstm must be an nn.LSTM, got {type(lstm).__name__}.")
    if not lstm.bias:
        raise ValueError("lstm must have biases (bias=True).")
    if isinstance(max_len, bool) or not isinstance(max_len, numbers.Integral):
        raise TypeError(f"max_len must be an integer >= 2, got {type(max_len).__name__} "
                        f"{max_len!r}.")
    if max_len < 2:
        raise ValueError(f"max_len must be an integer >= 2, got {max_len!r}.")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got "
                        f"{type(generator).__name__}.")
    H = lstm.hidden_size
    with torch.no_grad():
        for name in lstm._flat_weights_names:
            if not name.startswith("bias_ih"):
                continue
            bias_ih, bias_hh = getattr(lstm, name), getattr(lstm, name.replace("_ih", "_hh"))
            u = 1 + torch.rand(H, generator=generator, dtype=torch.float64) * (max_len - 2)
            b_f = torch.log(u).to(bias_hh.dtype)
            bias_ih[:2 * H] = 0.0
            bias_hh[H:2 * H] = b_f
            bias_hh[:H] = -b_f
    return lstm


def gradient_by_distance(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """How much gradient of the final loss reaches each input step: ||dL/dx_t|| for t = 1..T.

    ``model`` maps ``x`` (B, T, D), batch first, to a prediction of ``y``'s shape; L is the
    mean squared error ``F.mse_loss(model(x), y)``. Returns a tensor of shape (T,) in x's dtype:
    the Euclidean norm of dL/dx_t over the batch and the features, ordered t = 1..T (the last
    entry is the final step). Uses ``torch.autograd.grad`` on a copy of ``x``, so neither
    ``x`` nor any ``.grad`` changes. ``TypeError`` / ``ValueError`` name the argument at fault.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    for name, value in (("x", x), ("y", y)):
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor, got "
                            f"{type(value).__name__}.")
    if x.ndim != 3 or 0 in tuple(x.shape):
        raise ValueError(f"x must have shape (batch, time, features), each at least 1, got "
                         f"{tuple(x.shape)}.")
    x = x.detach().clone().requires_grad_(True)
    try:
        prediction = model(x)
    except RuntimeError as error:  # e.g. x's features do not fit the model's input size
        raise ValueError(f"x of shape {tuple(x.shape)} does not fit model: model(x) raised "
                         f"{error}") from None
    if not isinstance(prediction, torch.Tensor):
        raise TypeError(f"model must return one tensor, of y's shape {tuple(y.shape)}, got "
                        f"{type(prediction).__name__}.")
    if prediction.shape != y.shape:
        raise ValueError(f"y must have the shape of model(x), "
                         f"{tuple(getattr(prediction, 'shape', ()))}, got {tuple(y.shape)}.")
    (grad,) = torch.autograd.grad(torch.nn.functional.mse_loss(prediction, y), x)
    return grad.norm(dim=(0, 2))


__all__ = ["sigmoid", "tanh", "rnn_cell", "lstm_cell", "peephole_lstm_cell", "gru_cell",
           "unroll", "weights_from_torch", "chrono_init_", "gradient_by_distance", "ScratchRNN",
           "ScratchLSTM", "ScratchGRU", "PeepholeLSTM", "CELLS"]
