"""Variable-length sequences and sequence classifiers: padding, batching, scoring, plots.

Conventions: a batch is batch-first, ``(B, T, ...)``; ``lengths`` is a 1-D int64 tensor of
the real lengths ``L_b`` (``1 <= L_b <= T``); padding sits at the end of each sequence.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
import torch

__all__ = ["pad_batch", "length_mask", "last_real_step", "variable_length_batches",
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
    if len(lengths) and int(lengths.min()) < 1:
        raise ValueError(f"lengths must be >= 1, got {int(lengths.min())}.")
    if max_length is not None and len(lengths) and int(lengths.max()) > max_length:
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
        max_length = int(lengths.max()) if len(lengths) else 0
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
    n = len(sequences)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size].tolist()
        index.sort(key=lambda i: -len(sequences[i]))  # stable: ties keep their order
        padded, lengths = pad_batch([sequences[i] for i in index], padding_value)
        yield padded, lengths, labels[index]


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
    with torch.no_grad():
        for start in range(0, len(inputs), batch_size):
            part = [inputs[start:start + batch_size].to(device)]
            part += [t[start:start + batch_size] for t in extra]
            out.append(model(*part).argmax(-1).cpu())
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
    """Counts ``C[i, j]``: examples of true class ``i`` predicted as class ``j``.

    Rows are true classes, columns predicted classes; ``C.trace() / C.sum()`` is the accuracy.
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


def plot_confusion_matrix(counts: np.ndarray, class_names: Sequence[str] | None = None, *,
                          title: str = "Confusion matrix (test set)", ax=None):
    """Draw a confusion matrix as a heat map of row-normalised rates with the counts written in.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be a square (K, K) matrix, got shape {counts.shape}.")
    k = counts.shape[0]
    if class_names is None:
        class_names = [str(i) for i in range(k)]
    if len(class_names) != k:
        raise ValueError(f"class_names must have {k} entries, got {len(class_names)}.")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 4.4))
    fig = ax.figure
    rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), class_names)
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of the true class")
    return fig


def plot_misclassified(signals: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray,
                       predictions: torch.Tensor | np.ndarray, *, n: int = 8,
                       lengths: torch.Tensor | np.ndarray | None = None,
                       title: str = "Misclassified test sequences"):
    """Plot up to ``n`` sequences whose prediction is wrong, each titled "true 3 → said 8".

    ``signals`` is ``(N, T)`` (or ``(N, T, 1)``); with ``lengths`` only the real steps are
    drawn. Returns the matplotlib Figure (with a note instead of panels if none is wrong).
    """
    import matplotlib.pyplot as plt

    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if isinstance(signals, torch.Tensor):
        signals = signals.detach().cpu().numpy()
    signals = np.asarray(signals, dtype=float)
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
    fig, axes = plt.subplots(rows, cols, figsize=(11, 1.9 * rows + 0.6), squeeze=False,
                             sharey=True)
    for ax in axes.flat:
        ax.set_visible(False)
    if len(wrong) == 0:
        axes[0, 0].set_visible(True)
        axes[0, 0].text(0.5, 0.5, "no misclassified sequence", ha="center", va="center")
        axes[0, 0].set_axis_off()
    for ax, i in zip(axes.flat, wrong):
        ax.set_visible(True)
        ax.plot(np.arange(lengths[i]), signals[i, :lengths[i]], color="C3", lw=1.6)
        ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        ax.set_title(f"#{i}: true {targets[i]} → said {predictions[i]}", fontsize=10)
        ax.set_xlim(0, signals.shape[1] - 1)
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    for ax in axes[:, 0]:
        ax.set_ylabel("signal")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
