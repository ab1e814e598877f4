"""A compact training loop with a progress bar, for notebooks and terminals alike."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import torch
from tqdm.auto import tqdm

Batch = tuple[torch.Tensor, ...]

#: Widest progress line in characters when the bar is text: a notebook output area's width,
#: as for the checks' messages. A notebook's widget bar takes the area's width and wraps.
PROGRESS_WIDTH = 88


def _epoch_bar(epochs: int, desc: str, progress: bool):
    """A progress bar over the epochs that never runs past the right edge of the output."""
    from tqdm.notebook import tqdm as notebook_tqdm

    if issubclass(tqdm, notebook_tqdm):
        # dynamic_ncols: the widget is 100% of the output area wide and wraps (tqdm.notebook)
        return tqdm(range(epochs), desc=desc, disable=not progress, leave=True,
                    dynamic_ncols=True)
    if len(desc) > 30:                  # leave the line's room to the bar, the loss and val
        desc = desc[:29] + "…"
    return tqdm(range(epochs), desc=desc, disable=not progress, leave=True,
                ncols=PROGRESS_WIDTH, bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} "
                                                 "[{elapsed}{postfix}]")


@dataclass
class History:
    """What :func:`fit` measured: mean training loss and validation score per epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_score: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("train_loss", "val_score"):
            value = getattr(self, name)
            if not isinstance(value, list) or any(
                    isinstance(v, bool) or not isinstance(v, (int, float)) for v in value):
                raise TypeError(f"{name} must be a list of floats, one per epoch, "
                                f"got {type(value).__name__} {value!r:.60}.")
        if isinstance(self.seconds, bool) or not isinstance(self.seconds, (int, float)):
            raise TypeError(f"seconds must be a number of seconds, got {type(self.seconds).__name__}.")
        if self.seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {self.seconds!r}.")

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def batches(*tensors: torch.Tensor, batch_size: int, shuffle: bool = True,
            generator: torch.Generator | None = None) -> Iterator[Batch]:
    """Yield aligned mini-batches of ``tensors`` along their first dimension.

    Faster than a DataLoader for data that already sits in memory as tensors. The arguments
    are checked when it is called; the rows are shuffled (with ``generator``) when iteration
    starts. Raises TypeError or ValueError naming the argument and what it must be.
    """
    if not tensors:
        raise ValueError("tensors must be at least one torch.Tensor, as in "
                         "batches(X, Y, batch_size=32); got none.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be a positive integer, got {type(batch_size).__name__} "
                        f"{batch_size!r}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}.")
    for i, t in enumerate(tensors):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"tensors[{i}] must be a torch.Tensor, got {type(t).__name__}.")
        if t.dim() == 0:
            raise ValueError(f"tensors[{i}] must have a first dimension (one row per example), "
                             "got a 0-d tensor.")
    n = len(tensors[0])
    if n == 0:
        raise ValueError("tensors must hold at least one row: their first dimension is 0.")
    for i, t in enumerate(tensors):
        if len(t) != n:
            raise ValueError(f"tensors must share their first dimension: tensors[0] has {n}, "
                             f"tensors[{i}] has {len(t)}.")
    return _batches(tensors, n, batch_size, shuffle, generator)


def _batches(tensors: tuple[torch.Tensor, ...], n: int, batch_size: int, shuffle: bool,
             generator: torch.Generator | None) -> Iterator[Batch]:
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        yield tuple(t[index] for t in tensors)


def fit(model: torch.nn.Module,
        train_batches: Callable[[], Iterable[Batch]] | Iterable[Batch],
        compute_loss: Callable[[torch.nn.Module, Batch], torch.Tensor],
        optimizer: torch.optim.Optimizer,
        epochs: int,
        *,
        evaluate: Callable[[torch.nn.Module], float] | None = None,
        clip_norm: float | None = None,
        scheduler: object | None = None,
        progress: bool = True,
        desc: str = "training") -> History:
    """Train ``model`` for ``epochs`` and return its :class:`History`.

    ``train_batches`` is a re-iterable (a list, a DataLoader) or a function returning a fresh
    iterable each epoch. ``compute_loss(model, batch)`` returns the scalar loss of one batch.
    ``evaluate(model)``, if given, runs after every epoch in ``eval`` mode without gradients
    and returns a validation score. ``clip_norm`` clips the global gradient norm.
    ``scheduler.step()`` is called after every optimiser step. The budget is ``epochs``,
    never seconds, so a run is the same on any machine; ``History.seconds`` only reports
    how long it took.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    if isinstance(train_batches, (torch.Tensor, str)) or not (
            callable(train_batches) or isinstance(train_batches, Iterable)):
        raise TypeError("train_batches must be a list of batches (tuples of tensors), a DataLoader, "
                        "or a function returning one each epoch, such as "
                        f"lambda: batches(X, Y, batch_size=32); got {type(train_batches).__name__}.")
    if not callable(compute_loss):
        raise TypeError("compute_loss must be a function (model, batch) -> scalar loss tensor, "
                        f"got {type(compute_loss).__name__}.")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError("optimizer must be a torch.optim.Optimizer, such as "
                        f"torch.optim.Adam(model.parameters()), got {type(optimizer).__name__}.")
    if evaluate is not None and not callable(evaluate):
        raise TypeError(f"evaluate must be a function (model) -> float or None, got "
                        f"{type(evaluate).__name__}.")
    if isinstance(epochs, bool) or not isinstance(epochs, int):
        raise TypeError(f"epochs must be a positive integer, got {type(epochs).__name__} {epochs!r}.")
    if epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    if clip_norm is not None and not clip_norm > 0:
        raise ValueError(f"clip_norm must be positive or None, got {clip_norm!r}.")
    history = History()
    start = time.perf_counter()
    bar = _epoch_bar(epochs, desc, progress)
    for _ in bar:
        model.train()
        total, count = 0.0, 0
        for batch in (train_batches() if callable(train_batches) else train_batches):
            loss = _scalar_loss(compute_loss(model, batch))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total, count = total + loss.item(), count + 1
        if count == 0:
            raise ValueError("train_batches yielded no batch: it must give at least one batch "
                             "each epoch (is the data empty?).")
        history.train_loss.append(total / count)
        postfix = {"loss": f"{history.train_loss[-1]:.4f}"}
        if evaluate is not None:
            model.eval()
            with torch.no_grad():
                history.val_score.append(float(evaluate(model)))
            postfix["val"] = f"{history.val_score[-1]:.4f}"
        bar.set_postfix(postfix)
    history.seconds = time.perf_counter() - start
    return history


def _scalar_loss(loss: object) -> torch.Tensor:
    """compute_loss's result, checked: a tensor holding one number."""
    if not isinstance(loss, torch.Tensor):
        raise TypeError("compute_loss must return a scalar loss tensor (such as "
                        f"F.cross_entropy(...)), got {type(loss).__name__}.")
    if loss.numel() != 1:
        raise ValueError("compute_loss must return a scalar loss tensor (one number), got shape "
                         f"{tuple(loss.shape)}: average it with .mean().")
    return loss


def count_parameters(model: torch.nn.Module) -> int:
    """The number of trainable parameters of ``model``."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
