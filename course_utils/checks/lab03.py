"""Checks for Lab 03, sequence classification on MNIST-1D.

Each check builds the student's model (or calls their function) on a small seeded batch,
computes the right answer from the model's own layers, and, when the student's result
differs, tries the usual mistakes (the batch read as time, ``view`` instead of
``transpose``, ``output[:, -1]`` instead of ``h_n``, the padding read as data, labels left in
the old order...) and names the one it matches.

The lab's pieces:

    RecurrentClassifier(channels, hidden, n_classes).forward(x)        x (B, T) -> (B, K)
        self.conv: (B, 1, T) -> (B, C, T/4);  self.gru: bidirectional, batch_first;
        self.head: Linear(2H, K) applied to [forward final state, backward final state]
    collate(signals, labels) -> (padded, lengths, labels)                (B, T_max), (B,), (B,)
        padded at the end with zeros, sorted by decreasing length, labels in the same order
    VariableLengthClassifier(channels, hidden, n_classes, pack).forward(x, lengths)
        the GRU must read only the first lengths // 4 steps of each sequence (packing)
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_utils._feedback import CheckFailed, call_student, first_mismatch, passed

__all__ = ["check_classifier", "check_collate", "check_packed_forward"]

TOL = 1e-5
LENGTHS_HINT = ("pack_padded_sequence got lengths in samples; after the front-end a sequence "
                "has lengths // 4 steps (the variable `steps`).")
B, T, C, H, K = 5, 40, 8, 6, 10     # batch, samples, channels, hidden units, classes


# --------------------------------------------------------------------------- helpers

def _build(check: str, cls: Any, **kwargs: Any) -> nn.Module:
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise CheckFailed(check, f"pass the class itself (an nn.Module subclass), got "
                          f"{type(cls).__name__}.")
    torch.manual_seed(0)
    model = call_student(check, cls, **kwargs)
    for name in ("conv", "gru", "head"):
        if not isinstance(getattr(model, name, None), nn.Module):
            raise CheckFailed(check, f"the model has no layer `self.{name}`: keep the layers "
                              "that __init__ creates and write only the forward pass.")
    with torch.no_grad():  # give every bias a clear value so that a skipped layer shows
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model.eval()


def _call_forward(check: str, model: nn.Module, *args: torch.Tensor,
                  hints: dict[str, str]) -> Any:
    """Run model.forward through call_student; add a hint when the error text is a known one."""
    try:
        with torch.no_grad():
            return call_student(check, model.forward, *args)
    except CheckFailed as failure:
        for needle, hint in hints.items():
            if needle in failure.message:
                raise CheckFailed(check, f"{failure.message} {hint}") from None
        raise


def _same(a: Any, b: torch.Tensor) -> bool:
    return (isinstance(a, torch.Tensor) and a.shape == b.shape
            and torch.allclose(a.float(), b, atol=TOL, rtol=1e-4))


def _logits(check: str, logits: Any, rows: int, hint_by_shape: dict[tuple, str]) -> torch.Tensor:
    if not isinstance(logits, torch.Tensor):
        raise CheckFailed(check, f"forward should return a tensor of logits of shape ({rows}, {K}), "
                          f"got {type(logits).__name__}.")
    if tuple(logits.shape) != (rows, K):
        hint = hint_by_shape.get(tuple(logits.shape), "")
        raise CheckFailed(check, f"the logits have shape {tuple(logits.shape)}, expected "
                          f"({rows}, {K}) (batch, classes).{(' ' + hint) if hint else ''}")
    return logits


def _mismatch(check: str, logits: torch.Tensor, expected: torch.Tensor,
              variants: list[tuple[torch.Tensor, str]]) -> None:
    if _same(logits, expected):
        return
    for candidate, explanation in variants:
        if _same(logits, candidate):
            raise CheckFailed(check, explanation)
    index, yours, wanted = first_mismatch(logits.detach().numpy(), expected.numpy(),
                                          atol=TOL, rtol=1e-4)
    raise CheckFailed(check, f"the logits differ at (example, class) {index}: yours {yours:.5g}, "
                      f"expected {wanted:.5g}. Follow the steps in the docstring: features "
                      "from self.conv, then self.gru, then self.head on the final states.")


# --------------------------------------------------------------------------- exercise 1

def _classifier_variants(model: nn.Module, x: torch.Tensor):
    with torch.no_grad():
        features = model.conv(x.unsqueeze(1))                      # (B, C, T')
        seq = features.transpose(1, 2)                             # (B, T', C)
        output, h_n = model.gru(seq)
        expected = model.head(torch.cat([h_n[0], h_n[1]], dim=1))
        n = model.gru.hidden_size
        variants = [
            (model.head(output[:, -1]),
             "you read output[:, -1]. Its forward half is the forward final state, but its "
             "backward half is the backward direction after ONE step (it runs from the end). "
             "Use h_n: h_n[0] is the forward final state, h_n[1] the backward one."),
            (model.head(torch.cat([h_n[1], h_n[0]], dim=1)),
             "the two final states are concatenated in the wrong order: h_n[0] (forward) comes "
             "first, then h_n[1] (backward), matching the layout of `output`."),
        ]
        _, h_bad = model.gru(features.reshape(x.shape[0], features.shape[2], features.shape[1]))
        variants.append((model.head(torch.cat([h_bad[0], h_bad[1]], dim=1)),
                         "the conv features (B, C, T') were reshaped with view/reshape into "
                         "(B, T', C): that scrambles channels and time. Use .transpose(1, 2)."))
        variants.append((model.head(torch.cat([output.max(1).values[:, :n],
                                               output.max(1).values[:, n:]], dim=1)),
                         "you max-pooled `output` over time; this exercise reads the final "
                         "states h_n[0] and h_n[1]."))
    return expected, variants


def check_classifier(RecurrentClassifier: type) -> None:
    """Check ``RecurrentClassifier.forward``: conv features -> bidirectional GRU -> head."""
    check = "RecurrentClassifier"
    model = _build(check, RecurrentClassifier, channels=C, hidden=H, n_classes=K)
    if not (model.gru.batch_first and model.gru.bidirectional):
        raise CheckFailed(check, "self.gru must be bidirectional with batch_first=True, as "
                          "__init__ creates it.")
    torch.manual_seed(1)
    x = torch.randn(B, T)
    steps = T // 4
    logits = _call_forward(check, model, x, hints={
        "channels": "self.conv wants (B, 1, T): add the channel axis with x.unsqueeze(1).",
        "input.size(-1) must be equal to input_size":
            "the GRU got the conv features as (B, C, T'); it wants (B, T', C): "
            "transpose(1, 2) first.",
        "mat1 and mat2 shapes cannot be multiplied":
            f"self.head expects the two final states side by side (2H = {2 * H} features): "
            "torch.cat([h_n[0], h_n[1]], dim=1).",
    })
    logits = _logits(check, logits, B, {
        (steps, K): "The first dimension is the number of time steps: the GRU read time as "
                    "the batch. With batch_first=True it expects (B, T', C), not (T', B, C).",
        (B, 2 * H): "You returned the final states; apply self.head to get class scores.",
        (2, B, K): "Concatenate h_n[0] and h_n[1] along the feature axis (dim=1) before the head.",
    })
    expected, variants = _classifier_variants(model, x)
    _mismatch(check, logits, expected, variants)
    passed(check, f"logits of shape ({B}, {K}) match the reference on a random batch: "
           "conv features, transposed to (B, T', C), read by the bidirectional GRU, "
           "[h_n[0], h_n[1]] into the head.")


# --------------------------------------------------------------------------- exercise 2

def _collate_case() -> tuple[list[torch.Tensor], torch.Tensor]:
    g = torch.Generator().manual_seed(3)
    lengths = [12, 28, 20, 28, 8]
    signals = [torch.randn(n, generator=g) + 3.0 for n in lengths]  # never exactly 0
    return signals, torch.tensor([4, 1, 7, 2, 9])


def _find(row: torch.Tensor, signals: list[torch.Tensor]) -> tuple[int, str] | None:
    """Which signal sits in ``row``, and where ('start' or 'end')?"""
    for i, s in enumerate(signals):
        if len(s) <= len(row):
            if torch.equal(row[:len(s)], s):
                return i, "start"
            if torch.equal(row[len(row) - len(s):], s):
                return i, "end"
    return None


def check_collate(collate: Callable) -> None:
    """Check ``collate(signals, labels) -> (padded, lengths, labels)``."""
    check = "collate"
    signals, labels = _collate_case()
    originals = [s.clone() for s in signals]
    result = call_student(check, collate, signals, labels.clone())
    if any(not torch.equal(a, b) for a, b in zip(signals, originals)):
        raise CheckFailed(check, "collate changed the input signals in place; build a new tensor.")
    if not isinstance(result, tuple) or len(result) != 3:
        raise CheckFailed(check, "collate should return a tuple (padded, lengths, labels), got "
                          f"{type(result).__name__}"
                          f"{' of length ' + str(len(result)) if isinstance(result, tuple) else ''}.")
    padded, lengths, out_labels = result
    n, longest = len(signals), max(len(s) for s in signals)
    for name, value in (("padded", padded), ("lengths", lengths), ("labels", out_labels)):
        if not isinstance(value, torch.Tensor):
            raise CheckFailed(check, f"{name} should be a torch.Tensor, got {type(value).__name__}.")
    if tuple(padded.shape) != (n, longest):
        hint = {(longest, n): " It looks transposed: make it batch-first, (B, T_max)."}.get(
            tuple(padded.shape), " Pad to the longest signal of this batch.")
        raise CheckFailed(check, f"padded has shape {tuple(padded.shape)}, expected ({n}, {longest}) "
                          f"for {n} signals whose longest has {longest} samples.{hint}")
    if tuple(lengths.shape) != (n,) or tuple(out_labels.shape) != (n,):
        raise CheckFailed(check, f"lengths and labels should both have shape ({n},), got "
                          f"{tuple(lengths.shape)} and {tuple(out_labels.shape)}.")
    if lengths.dtype != torch.int64:
        raise CheckFailed(check, f"lengths should be int64 (torch.long), got {lengths.dtype}.")
    for b in range(n):
        found = _find(padded[b], signals)
        if found is None:
            raise CheckFailed(check, f"row {b} of padded is none of the input signals followed "
                              "by zeros: copy each signal into the start of its row.")
        i, where = found
        if where == "end" and len(signals[i]) < longest:
            raise CheckFailed(check, f"row {b} holds signal {i} at the END of the row, after "
                              "the padding. Pad at the end: the real samples come first, which "
                              "is what pack_padded_sequence expects.")
        if int(lengths[b]) != len(signals[i]):
            raise CheckFailed(check, f"lengths[{b}] is {int(lengths[b])}, but row {b} holds "
                              f"signal {i}, which has {len(signals[i])} samples.")
        if torch.any(padded[b, len(signals[i]):] != 0):
            raise CheckFailed(check, f"row {b} has non-zero values after its {len(signals[i])} "
                              "real samples; the padding must be zeros.")
        if int(out_labels[b]) != int(labels[i]):
            raise CheckFailed(check, f"row {b} holds signal {i}, whose label is {int(labels[i])}, "
                              f"but labels[{b}] is {int(out_labels[b])}: reorder the labels "
                              "with the same permutation as the signals.")
    if torch.any(lengths[1:] > lengths[:-1]):
        raise CheckFailed(check, f"lengths {lengths.tolist()} are not in decreasing order. Sort "
                          "the batch longest first (pack_padded_sequence's default "
                          "enforce_sorted=True requires it) and keep the labels aligned.")
    passed(check, f"{n} signals of lengths {[len(s) for s in signals]} -> padded ({n}, {longest}), "
           f"sorted by decreasing length {lengths.tolist()}, labels aligned.")


# --------------------------------------------------------------------------- exercise 3

def check_packed_forward(VariableLengthClassifier: type) -> None:
    """Check the packed branch of ``VariableLengthClassifier.forward(x, lengths)``."""
    check = "VariableLengthClassifier"
    model = _build(check, VariableLengthClassifier, channels=C, hidden=H, n_classes=K, pack=True)
    if not model.gru.batch_first or model.gru.bidirectional:
        raise CheckFailed(check, "self.gru must be unidirectional with batch_first=True, as "
                          "__init__ creates it.")
    torch.manual_seed(2)
    lengths = torch.tensor([40, 32, 24, 16])
    x = torch.randn(len(lengths), T)
    x[torch.arange(T)[None, :] >= lengths[:, None]] = 0.0       # zero padding
    logits = _call_forward(check, model, x, lengths.clone(), hints={
        "Length of all samples has to be between": LENGTHS_HINT,
        "exceeds dimension size": LENGTHS_HINT,
        "to be equal to batch_size":
            "pack_padded_sequence read the features as (T', B, C): pass batch_first=True.",
        "must be sorted in decreasing order":
            "the check's batch is sorted; did you reorder or pass something else as lengths?",
        "expected to be a 1D CPU int64":
            "lengths must be a 1-D int64 tensor on the CPU: steps.cpu().",
    })
    logits = _logits(check, logits, len(lengths), {})
    steps = lengths // 4
    with torch.no_grad():
        features = model.conv(x.unsqueeze(1)).transpose(1, 2)
        expected = torch.cat([model.head(model.gru(features[b:b + 1, :s])[1][-1])
                              for b, s in enumerate(steps.tolist())])
        _, h_pad = model.gru(features)
        out_packed, _ = model.gru(pack_padded_sequence(features, steps, batch_first=True))
        out_padded, _ = pad_packed_sequence(out_packed, batch_first=True,
                                            total_length=features.shape[1])
        variants = [
            (model.head(h_pad[-1]),
             "your logits are those of the GRU run over the padding too: h_n is the state "
             "after the zeros, not after each sequence's last real step. Pack the features "
             "with pack_padded_sequence(features, steps, batch_first=True) before the GRU."),
            (model.head(out_padded[:, -1]),
             "you read output[:, -1] after unpacking: for every sequence shorter than the "
             "batch, that step is padding, filled with zeros. Read h_n[-1], which packing "
             "makes the state at each sequence's own last step."),
        ]
    if _same(logits, expected):
        passed(check, "each sequence's logits come from the GRU's state at its own last real "
               f"step (lengths {lengths.tolist()} samples -> {steps.tolist()} steps).")
        return
    for candidate, explanation in variants:
        if _same(logits, candidate):
            raise CheckFailed(check, explanation)
    agree = [b for b in range(len(lengths)) if torch.allclose(logits[b], expected[b], atol=TOL)]
    wrong = [b for b in range(len(lengths)) if b not in agree]
    raise CheckFailed(check, f"the logits are right for the sequences {agree} and wrong for "
                      f"{wrong} (lengths {lengths[wrong].tolist()} samples). Each sequence must "
                      "be read for exactly lengths // 4 steps: pack with those lengths, then "
                      "read h_n[-1].")
