"""Variable-length sequences and sequence classifiers: padding, batching, models, scoring, plots.

Conventions (NOTATION.md): a batch is batch-first, ``(B, T, ...)``; ``lengths`` is a 1-D int64
tensor of the real lengths (``1 <= lengths[b] <= T``); padding sits at the end of each
sequence. ``D`` is the input size, ``H`` the hidden size, ``K`` the number of classes and
``n_dir`` the number of directions (2 when bidirectional, else 1).

The models are the references of lab 03: :func:`final_state`, :class:`RecurrentClassifier`,
:func:`random_shift`, :class:`MaskedFrontEnd` and :class:`VariableLengthClassifier`.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from course_utils import style

__all__ = ["pad_batch", "length_mask", "last_real_step", "collate", "variable_length_batches",
           "final_state", "conv_front_end", "RecurrentClassifier", "random_shift",
           "conv_output_lengths", "MaskedFrontEnd", "VariableLengthClassifier",
           "predict_classes", "accuracy", "confusion_matrix", "plot_confusion_matrix",
           "plot_misclassified"]


def _as_int_tensor(name: str, value: object) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, (np.ndarray, list, tuple)):
        tensor = torch.as_tensor(np.asarray(value))
    else:
        raise TypeError(f"{name} must be a tensor, array or list of integers, "
                        f"got {type(value).__name__}.")
    if tensor.dtype.is_floating_point or tensor.dtype == torch.bool or tensor.is_complex():
        raise TypeError(f"{name} must hold integers, got dtype {tensor.dtype}.")
    return tensor.long()


def _check_lengths(lengths: object, batch: int | None = None,
                   max_length: int | None = None) -> torch.Tensor:
    lengths = _as_int_tensor("lengths", lengths)
    if lengths.dim() != 1:
        raise ValueError(f"lengths must be 1-D (one length per sequence), got shape "
                         f"{tuple(lengths.shape)}.")
    if batch is not None and len(lengths) != batch:
        raise ValueError(f"lengths has {len(lengths)} entries, expected {batch} "
                         "(one per sequence in the batch).")
    if len(lengths) == 0:
        raise ValueError("lengths is empty: it needs one length per sequence, at least one.")
    if int(lengths.min()) < 1:
        raise ValueError(f"lengths must be >= 1, got {int(lengths.min())}.")
    if max_length is not None and int(lengths.max()) > max_length:
        raise ValueError(f"lengths must be <= {max_length} (the padded length), "
                         f"got {int(lengths.max())}.")
    return lengths


def pad_batch(sequences: Sequence[torch.Tensor],
              padding_value: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack sequences of different lengths into one batch-first tensor, padded at the end.

    ``sequences`` are tensors of shape ``(L_b, *features)`` sharing their feature shape.
    Returns ``(padded, lengths)``: ``padded`` has shape ``(B, max L_b, *features)``,
    ``lengths`` is int64 ``(B,)``. The order of the sequences is kept.
    """
    if isinstance(sequences, torch.Tensor) or not isinstance(sequences, Sequence):
        raise TypeError("sequences must be a list or tuple of tensors, got "
                        f"{type(sequences).__name__}.")
    if len(sequences) == 0:
        raise ValueError("sequences must hold at least one tensor.")
    for i, seq in enumerate(sequences):
        if not isinstance(seq, torch.Tensor):
            raise TypeError(f"sequences[{i}] must be a torch.Tensor, got {type(seq).__name__}.")
        if seq.dim() == 0 or len(seq) == 0:
            raise ValueError(f"sequences[{i}] must have at least one time step, "
                             f"got shape {tuple(seq.shape)}.")
        if seq.shape[1:] != sequences[0].shape[1:]:
            raise ValueError(f"sequences[{i}] has feature shape {tuple(seq.shape[1:])}, "
                             f"sequences[0] has {tuple(sequences[0].shape[1:])}.")
    lengths = torch.tensor([len(seq) for seq in sequences], dtype=torch.long)
    padded = sequences[0].new_full((len(sequences), int(lengths.max()),
                                    *sequences[0].shape[1:]), padding_value)
    for b, seq in enumerate(sequences):
        padded[b, :len(seq)] = seq
    return padded, lengths


def length_mask(lengths: torch.Tensor, max_length: int | None = None) -> torch.Tensor:
    """Boolean mask ``(B, T)``: True at the real steps ``t < L_b``, False on the padding."""
    lengths = _check_lengths(lengths)
    if max_length is None:
        max_length = int(lengths.max())
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 0:
        raise ValueError(f"max_length must be a non-negative integer, got {max_length!r}.")
    _check_lengths(lengths, max_length=max_length)
    return torch.arange(max_length, device=lengths.device)[None, :] < lengths[:, None]


def last_real_step(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Pick ``output[b, L_b - 1]`` for every sequence of a batch-first ``(B, T, H)`` output.

    This is the state after each sequence's last real step; ``output[:, -1]`` would be the
    state after the padding for every sequence shorter than ``T``.
    """
    if not isinstance(output, torch.Tensor) or output.dim() != 3:
        raise ValueError("output must be a batch-first tensor of shape (B, T, H), got "
                         f"{tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__}.")
    lengths = _check_lengths(lengths, batch=output.shape[0], max_length=output.shape[1])
    index = (lengths.to(output.device) - 1).view(-1, 1, 1).expand(-1, 1, output.shape[2])
    return output.gather(1, index).squeeze(1)


def collate(signals: Sequence[torch.Tensor],
            labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One mini-batch from sequences of different lengths, longest first (lab 03's reference).

    ``signals``: B tensors ``(L_b, *features)``; ``labels``: ``(B,)``. Returns ``(padded,
    lengths, labels)``: ``padded`` ``(B, max L_b, *features)`` zero-padded at the end (see
    :func:`pad_batch`), int64 ``lengths`` in decreasing order (what
    ``pack_padded_sequence(..., enforce_sorted=True)`` requires) and the labels in the same
    order as the rows. A stable sort: sequences of equal length keep their order.
    """
    if not isinstance(labels, torch.Tensor) or labels.dim() != 1:
        raise TypeError("labels must be a 1-D torch.Tensor, one label per sequence, got "
                        f"{type(labels).__name__}"
                        f"{' of shape ' + str(tuple(labels.shape)) if isinstance(labels, torch.Tensor) else ''}.")
    padded, lengths = pad_batch(signals)
    if len(labels) != len(lengths):
        raise ValueError(f"signals and labels must have the same length, got {len(lengths)} "
                         f"and {len(labels)}.")
    order = torch.sort(lengths, descending=True, stable=True).indices
    return padded[order], lengths[order], labels[order]


def variable_length_batches(sequences: Sequence[torch.Tensor], labels: torch.Tensor, *,
                            batch_size: int, shuffle: bool = True,
                            generator: torch.Generator | None = None,
                            padding_value: float = 0.0
                            ) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Yield ``(padded, lengths, labels)`` mini-batches from sequences of different lengths.

    Each batch is padded only to its own longest sequence (see :func:`pad_batch`) and
    sorted by decreasing length, so ``pack_padded_sequence`` accepts it even with
    ``enforce_sorted=True``; the labels are reordered with the sequences.
    """
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a torch.Tensor, got {type(labels).__name__}.")
    if isinstance(sequences, torch.Tensor) or not isinstance(sequences, Sequence):
        raise TypeError("sequences must be a list or tuple of tensors, got "
                        f"{type(sequences).__name__}.")
    if len(sequences) != len(labels):
        raise ValueError(f"sequences and labels must have the same length, got "
                         f"{len(sequences)} and {len(labels)}.")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if len(sequences) == 0:
        raise ValueError("sequences is empty: there is nothing to batch.")
    n = len(sequences)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size].tolist()
        index.sort(key=lambda i: -len(sequences[i]))  # stable: ties keep their order
        padded, lengths = pad_batch([sequences[i] for i in index], padding_value)
        yield padded, lengths, labels[index]


# --------------------------------------------------------------------------- models

def _check_sizes(*, bidirectional: object, **sizes: object) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if not isinstance(bidirectional, bool):
        raise TypeError(f"bidirectional must be True or False, got {bidirectional!r}.")


def _check_signals(x: object, shape: str, dims: int) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != dims or not x.is_floating_point():
        got = (f"{tuple(x.shape)} {x.dtype}" if isinstance(x, torch.Tensor)
               else type(x).__name__)
        raise ValueError(f"x must be a floating-point tensor of shape {shape}, got {got}.")


def final_state(h_n: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """The top layer's final state of a recurrent layer, one row per sequence: ``(B, n_dir * H)``.

    ``h_n`` is what ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` return (the LSTM's ``h_n``, not
    ``c_n``): shape ``(L * n_dir, B, H)`` whatever ``batch_first`` says, ordered layer by layer,
    forward before backward (PyTorch's ``nn.GRU`` documentation). Unidirectional: ``h_n[-1]``,
    the state after step T. Bidirectional: ``[h_n[-2], h_n[-1]]`` side by side, the forward
    direction after step T and the backward direction after reading back to step 1, in the
    order of ``output``'s last axis. With packed input each sequence stops at its own length.
    Raises ``TypeError``/``ValueError`` for anything else.
    """
    if not isinstance(h_n, torch.Tensor) or h_n.dim() != 3:
        raise ValueError("h_n must be a tensor of shape (L * n_dir, B, H), got "
                         f"{tuple(h_n.shape) if isinstance(h_n, torch.Tensor) else type(h_n).__name__}.")
    if 0 in h_n.shape:
        raise ValueError(f"h_n must not be empty, got shape {tuple(h_n.shape)}.")
    if not isinstance(bidirectional, bool):
        raise TypeError(f"bidirectional must be True or False, got {bidirectional!r}.")
    n_dir = 2 if bidirectional else 1
    if len(h_n) % n_dir:
        raise ValueError(f"a bidirectional layer's h_n has an even first dimension (L * 2), "
                         f"got {len(h_n)}.")
    return torch.cat(list(h_n[-n_dir:]), dim=1)


def conv_front_end(channels: int, kernel_size: int = 5, stride: int = 2,
                   layers: int = 2) -> nn.Sequential:
    """``layers`` blocks of ``Conv1d`` + ReLU: ``(B, 1, T)`` -> ``(B, channels, T')``.

    Each convolution pads with ``kernel_size // 2`` zeros on both sides, so with the defaults
    T' = ceil(ceil(T / 2) / 2) (10 steps for MNIST-1D's 40 samples), each step computed from
    13 neighbouring samples. Lengths: :func:`conv_output_lengths`.
    """
    for name, value in (("channels", channels), ("kernel_size", kernel_size),
                        ("stride", stride), ("layers", layers)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    blocks: list[nn.Module] = []
    for i in range(layers):
        blocks += [nn.Conv1d(1 if i == 0 else channels, channels, kernel_size, stride=stride,
                             padding=kernel_size // 2), nn.ReLU()]
    return nn.Sequential(*blocks)


class RecurrentClassifier(nn.Module):
    """Classify whole sequences: ``x`` ``(B, T)`` -> logits ``(B, K)`` (lab 03's reference).

    Without a front-end (``channels=0``) the GRU reads the raw samples, one number per step
    (D = 1); with ``channels=C`` it reads the ``(B, T', C)`` features of
    :func:`conv_front_end`. The head maps :func:`final_state` ``(B, n_dir * H)`` to K logits.
    """

    def __init__(self, hidden_size: int = 38, bidirectional: bool = False, channels: int = 0,
                 n_classes: int = 10):
        super().__init__()
        if not isinstance(channels, int) or isinstance(channels, bool) or channels < 0:
            raise ValueError(f"channels must be 0 (no front-end) or a positive integer, "
                             f"got {channels!r}.")
        _check_sizes(hidden_size=hidden_size, n_classes=n_classes, bidirectional=bidirectional)
        self.front_end = conv_front_end(channels) if channels else None
        self.gru = nn.GRU(channels or 1, hidden_size, batch_first=True,
                          bidirectional=bidirectional)
        self.head = nn.Linear((2 if bidirectional else 1) * hidden_size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_signals(x, "(B, T)", 2)
        if self.front_end is None:
            gru_input = x.unsqueeze(-1)                                    # (B, T, 1)
        else:
            gru_input = self.front_end(x.unsqueeze(1)).transpose(1, 2)     # (B, T', C)
        _, h_n = self.gru(gru_input)
        return self.head(final_state(h_n, self.gru.bidirectional))


def random_shift(x: torch.Tensor, max_shift: int,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Roll each row of ``x`` ``(B, T)`` in time by its own number of steps (augmentation).

    The shifts are drawn as ``torch.randint(-max_shift, max_shift + 1, (B,),
    generator=generator)``, uniform on ``-max_shift .. max_shift``; row ``b`` of the result
    is ``torch.roll(x[b], shifts[b])``: circular, as MNIST-1D's own generator translates its
    digits (``mnist1d.transform.translate``). Returns a new tensor; ``x`` is left unchanged.
    """
    if not isinstance(x, torch.Tensor) or x.dim() != 2:
        raise ValueError("x must be a tensor of shape (B, T), got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}.")
    if not isinstance(max_shift, int) or isinstance(max_shift, bool) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative integer, got {max_shift!r}.")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got "
                        f"{type(generator).__name__}.")
    shifts = torch.randint(-max_shift, max_shift + 1, (len(x),), generator=generator)
    index = (torch.arange(x.shape[1]) - shifts[:, None]) % x.shape[1]
    return x.gather(1, index.to(x.device))


def conv_output_lengths(lengths: torch.Tensor, conv: nn.Conv1d) -> torch.Tensor:
    """How many output steps ``conv`` computes from sequences of ``lengths`` input steps.

    ``floor((T + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1`` for each length
    ``T``: the shape formula of PyTorch's ``nn.Conv1d`` documentation (which writes L for T).
    Returns int64 ``(B,)``.
    Raises ``ValueError`` if a sequence is too short to give one output step.
    """
    lengths = _check_lengths(lengths)
    if not isinstance(conv, nn.Conv1d):
        raise TypeError(f"conv must be an nn.Conv1d, got {type(conv).__name__}.")
    (k,), (s,), (d,) = conv.kernel_size, conv.stride, conv.dilation
    if isinstance(conv.padding, str):
        p = 0 if conv.padding == "valid" else None
        if p is None:                                   # "same" (stride 1 only)
            return lengths.clone()
    else:
        (p,) = conv.padding
    out = torch.div(lengths + 2 * p - d * (k - 1) - 1, s, rounding_mode="floor") + 1
    if len(out) and int(out.min()) < 1:
        raise ValueError(f"a sequence of {int(lengths[out.argmin()])} steps is too short for "
                         f"this convolution (kernel_size {k}, padding {p}): it gives no output.")
    return out


class MaskedFrontEnd(nn.Module):
    """A conv front-end whose features for a sequence do not depend on its padding.

    ``forward(x, lengths)``: ``x`` ``(B, 1, T)`` padded signals (the padding may hold any
    value), ``lengths`` ``(B,)`` real samples -> ``(features (B, C, T'), steps (B,))``.
    Before the first convolution and after each ReLU, every position at or past a sequence's
    own length is set to zero, so the next convolution reads there exactly the zeros it would
    pad a lone sequence with: each sequence's features equal those of the same signal run
    alone, and are zero past ``steps[b]``. The convolutions must pad with zeros.
    """

    def __init__(self, channels: int = 16, kernel_size: int = 5, stride: int = 2,
                 layers: int = 2):
        super().__init__()
        blocks = conv_front_end(channels, kernel_size, stride, layers)
        self.convs = nn.ModuleList(m for m in blocks if isinstance(m, nn.Conv1d))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_signals(x, "(B, 1, T)", 3)
        lengths = _check_lengths(lengths, batch=len(x), max_length=x.shape[-1])
        x = x.masked_fill(~length_mask(lengths, x.shape[-1]).to(x.device)[:, None], 0.0)
        for conv in self.convs:
            x = torch.relu(conv(x))
            lengths = conv_output_lengths(lengths, conv)
            x = x.masked_fill(~length_mask(lengths, x.shape[-1]).to(x.device)[:, None], 0.0)
        return x, lengths


class VariableLengthClassifier(nn.Module):
    """Classify padded sequences of different lengths, each read only to its own end.

    ``forward(x, lengths)``: ``x`` ``(B, T)`` padded signals, ``lengths`` ``(B,)`` int64 real
    samples, sorted in decreasing order -> logits ``(B, K)``. The :class:`MaskedFrontEnd`
    makes ``steps[b]`` features per sequence, ``pack_padded_sequence`` makes the GRU stop at
    each sequence's last real step (both directions), and the head reads :func:`final_state`.
    The logits of a signal are the same alone and in any padded batch, to float precision.
    """

    def __init__(self, channels: int = 16, hidden_size: int = 16, bidirectional: bool = True,
                 n_classes: int = 10):
        super().__init__()
        _check_sizes(hidden_size=hidden_size, n_classes=n_classes, bidirectional=bidirectional)
        self.front_end = MaskedFrontEnd(channels)
        self.gru = nn.GRU(channels, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear((2 if bidirectional else 1) * hidden_size, n_classes)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        _check_signals(x, "(B, T)", 2)
        lengths = _check_lengths(lengths, batch=len(x), max_length=x.shape[-1])
        if torch.any(lengths[1:] > lengths[:-1]):
            raise ValueError(f"lengths must be in decreasing order (sort the batch, as collate "
                             f"does), got {lengths.tolist()}.")
        features, steps = self.front_end(x.unsqueeze(1), lengths)
        packed = pack_padded_sequence(features.transpose(1, 2), steps.cpu(), batch_first=True)
        _, h_n = self.gru(packed)
        return self.head(final_state(h_n, self.gru.bidirectional))


def predict_classes(model: torch.nn.Module, inputs: torch.Tensor, *extra: torch.Tensor,
                    batch_size: int = 1000) -> torch.Tensor:
    """The arg-max class of ``model(inputs[i:j], *extra[i:j])``, in eval mode, without grad.

    Returns an int64 tensor of shape ``(N,)`` on the CPU. ``extra`` tensors (for example
    the lengths) are sliced along with the inputs.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a torch.Tensor, got {type(inputs).__name__}.")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    for i, t in enumerate(extra):
        if not isinstance(t, torch.Tensor) or len(t) != len(inputs):
            raise ValueError(f"extra[{i}] must be a tensor with {len(inputs)} rows, like inputs.")
    was_training = model.training
    model.eval()
    device = next(model.parameters(), torch.empty(0)).device
    out = []
    try:
        with torch.no_grad():
            for start in range(0, len(inputs), batch_size):
                part = [inputs[start:start + batch_size].to(device)]
                part += [t[start:start + batch_size] for t in extra]
                try:
                    out.append(model(*part).argmax(-1).cpu())
                except RuntimeError as error:
                    raise ValueError(f"the model could not read inputs of shape "
                                     f"{tuple(part[0].shape)} (a batch of inputs {tuple(inputs.shape)}):"
                                     f" {error}") from None
    finally:
        model.train(was_training)
    return torch.cat(out) if out else torch.empty(0, dtype=torch.long)


def _as_labels(name: str, value: object) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one class per example), got shape {array.shape}.")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integer classes, got dtype {array.dtype}.")
    return array.astype(np.int64)


def accuracy(predictions: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray) -> float:
    """The fraction of examples whose predicted class equals the target.

    ``predictions`` are classes ``(N,)`` or scores ``(N, K)`` (then their arg-max is used).
    """
    if isinstance(predictions, torch.Tensor):
        predictions = predictions.detach().cpu().numpy()
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = predictions.argmax(-1)
    predictions = _as_labels("predictions", predictions)
    targets = _as_labels("targets", targets)
    if len(predictions) != len(targets):
        raise ValueError(f"predictions and targets must have the same length, got "
                         f"{len(predictions)} and {len(targets)}.")
    if len(targets) == 0:
        raise ValueError("targets is empty: accuracy needs at least one example.")
    return float((predictions == targets).mean())


def confusion_matrix(predictions: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray,
                     n_classes: int) -> np.ndarray:
    """Counts ``counts[i, j]``: examples of true class ``i`` predicted as class ``j``.

    Rows are true classes, columns predicted classes; ``counts.trace() / counts.sum()`` is the
    accuracy.
    """
    if not isinstance(n_classes, int) or isinstance(n_classes, bool) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}.")
    predictions = _as_labels("predictions", predictions)
    targets = _as_labels("targets", targets)
    if len(predictions) != len(targets):
        raise ValueError(f"predictions and targets must have the same length, got "
                         f"{len(predictions)} and {len(targets)}.")
    for name, labels in (("predictions", predictions), ("targets", targets)):
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got values from "
                             f"{labels.min()} to {labels.max()}.")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (targets, predictions), 1)
    return counts


@style.styled
def plot_confusion_matrix(counts: np.ndarray, class_names: Sequence[str] | None = None, *,
                          title: str = "Confusion matrix (test set)", ax=None,
                          alt: str | None = None):
    """Draw a confusion matrix as a heat map of row-normalised rates with the counts written in.

    Each count is black or white, whichever contrasts more with its cell. ``alt``: the figure's
    alternative text (``style.set_alt``); by default one written from the counts, unless the
    figure of a given ``ax`` already has one. Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.size == 0:
        raise ValueError(f"counts must be a non-empty square (K, K) matrix, got shape "
                         f"{counts.shape}.")
    k = counts.shape[0]
    if class_names is None:
        class_names = [str(i) for i in range(k)]
    if len(class_names) != k:
        raise ValueError(f"class_names must have {k} entries, got {len(class_names)}.")
    if ax is None:
        side = min(style.SLIDE_FIGSIZE[1], 1.6 + 0.55 * k)
        fig, ax = plt.subplots(figsize=(style.SLIDE_FIGSIZE[0] / 2 + 0.6, side),
                               layout="constrained")
    fig = ax.figure
    rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(k):
        for j in range(k):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=style.NOTE,
                        color=style.text_on(image.cmap(image.norm(rates[i, j]))))
    ax.set_xticks(range(k), class_names)
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of the true class")
    total = counts.sum()
    correct = np.trace(counts)
    worst = np.unravel_index(np.argmax(counts - np.diag(np.diag(counts))), counts.shape)
    if alt is not None:
        style.set_alt(fig, alt)
    elif style.alt_text(fig) is None:
        style.set_alt(fig, f"{title}: a {k}x{k} grid of counts, true class by row and predicted "
                      f"class by column, shaded by the share of the true class; {correct} of "
                      f"{total} on the diagonal (right)" + (
                          f", the most frequent mistake {counts[worst]} times true "
                          f"{class_names[worst[0]]} called {class_names[worst[1]]}."
                          if total > correct else "."))
    return fig



@style.styled
def plot_misclassified(signals: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray,
                       predictions: torch.Tensor | np.ndarray, *, n: int = 8,
                       lengths: torch.Tensor | np.ndarray | None = None,
                       title: str = "Misclassified test sequences", alt: str | None = None):
    """Plot up to ``n`` sequences whose prediction is wrong, each titled "true 3 → said 8".

    ``signals`` is ``(N, T)`` (or ``(N, T, 1)``); with ``lengths`` only the real steps are
    drawn. ``alt``: the figure's alternative text (``style.set_alt``); by default one that
    lists the sequences drawn. Returns the matplotlib Figure (with a note instead of panels if
    none is wrong).
    """
    import matplotlib.pyplot as plt

    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if isinstance(signals, torch.Tensor):
        signals = signals.detach().cpu().numpy()
    try:
        signals = np.asarray(signals, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("signals must be an array of numbers of shape (N, T), got "
                        f"{type(signals).__name__}.") from None
    if signals.ndim == 3 and signals.shape[2] == 1:
        signals = signals[..., 0]
    if signals.ndim != 2:
        raise ValueError(f"signals must have shape (N, T) or (N, T, 1), got {signals.shape}.")
    targets, predictions = _as_labels("targets", targets), _as_labels("predictions", predictions)
    if not len(signals) == len(targets) == len(predictions):
        raise ValueError(f"signals, targets and predictions must have the same length, got "
                         f"{len(signals)}, {len(targets)} and {len(predictions)}.")
    if lengths is None:
        lengths = np.full(len(signals), signals.shape[1])
    else:
        lengths = _check_lengths(lengths, batch=len(signals), max_length=signals.shape[1]).numpy()
    wrong = np.flatnonzero(predictions != targets)[:n]
    cols = min(4, max(len(wrong), 1))
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, squeeze=False, sharey=True,
                             figsize=(style.SLIDE_FIGSIZE[0],
                                      min(style.MAX_FIGSIZE[1], 2.3 * rows + 0.9)))
    for ax in axes.flat:
        ax.set_visible(False)
    if len(wrong) == 0:
        axes[0, 0].set_visible(True)
        axes[0, 0].text(0.5, 0.5, "no misclassified sequence", ha="center", va="center")
        axes[0, 0].set_axis_off()
    for ax, i in zip(axes.flat, wrong):
        ax.set_visible(True)
        ax.plot(np.arange(lengths[i]), signals[i, :lengths[i]], color=style.CONCEPT["input"],
                lw=1.8)
        ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        ax.set_title(f"#{i}: true {targets[i]} → said {predictions[i]}", fontsize=style.NOTE)
        ax.set_xlim(0, signals.shape[1] - 1)
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    for ax in axes[:, 0]:
        ax.set_ylabel("signal")
    fig.suptitle(title)
    fig.tight_layout()
    shown = ", ".join(f"#{i} (true {targets[i]}, said {predictions[i]})" for i in wrong)
    if alt is not None:
        style.set_alt(fig, alt)
    else:
        style.set_alt(fig, f"{title}: " + (f"{len(wrong)} sequences drawn as line plots over "
                                           f"time, each titled with its true and predicted "
                                           f"class: {shown}." if len(wrong)
                                           else "no sequence is misclassified."))
    return fig

