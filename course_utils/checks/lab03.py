"""Checks for Lab 03, sequence classification on MNIST-1D.

Each check runs the student's code on a small seeded case, computes the right answer from the
student's own layers with the references of :mod:`course_utils.sequences`, and, when the two
differ, names the usual mistake it matches. Hints come from evidence: the shapes that reached
the GRU and the head (recorded by forward pre-hooks) and the outputs of the known wrong
versions, never from a guess.

The lab's pieces (NOTATION.md: B batch, T length, D input size, H hidden size, K classes,
n_dir directions, L layers):

    final_state(h_n, bidirectional) -> (B, n_dir * H)      h_n: (L * n_dir, B, H)
    RecurrentClassifier(hidden_size, bidirectional, channels).forward(x)   (B, T) -> (B, K)
    random_shift(x, max_shift, generator) -> (B, T)        each row rolled by its own shift
    collate(signals, labels) -> (padded, lengths, labels)  sorted by decreasing length
    MaskedFrontEnd(channels).forward(x, lengths) -> (features (B, C, T'), steps (B,))
    VariableLengthClassifier(channels, hidden_size).forward(x, lengths)    (B, T) -> (B, K)
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from course_utils import sequences as ref
from course_utils._feedback import (CheckFailed, call_student, evaluating, expect_array,
                                    first_mismatch, passed)

__all__ = ["check_final_state", "check_classifier", "check_random_shift", "check_collate",
           "check_masked_front_end", "check_packed_classifier"]

TOL = 1e-5            # float32 agreement of two computations of the same logits
K = 10
LOG_PROBABILITIES = ("you return log-probabilities (log_softmax of the logits): return the "
                     "logits, the head's output. F.cross_entropy applies the log-softmax "
                     "itself, so the model's output should be the scores before it.")


# --------------------------------------------------------------------------- helpers

def _same(a: Any, b: torch.Tensor, atol: float = TOL) -> bool:
    return (isinstance(a, torch.Tensor) and tuple(a.shape) == tuple(b.shape)
            and torch.allclose(a.detach().double(), b.detach().double(), atol=atol, rtol=1e-4))


def _differs(check: str, what: str, yours: torch.Tensor, expected: torch.Tensor,
             axes: str) -> CheckFailed:
    index, mine, wanted = first_mismatch(yours.detach().double().numpy(),
                                         expected.detach().double().numpy(), atol=TOL, rtol=1e-4)
    return CheckFailed(check, f"{what} differ at {axes} {index}: yours {mine:.5g}, expected "
                       f"{wanted:.5g}.")


def _build(check: str, cls: Any, layers: tuple[str, ...], **kwargs: Any) -> nn.Module:
    """Instantiate the student's class with a fixed seed, then give every parameter (biases
    included) a clear random value, so that a skipped layer or a read padding always shows."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise CheckFailed(check, "pass the class itself (an nn.Module subclass), got "
                          f"{type(cls).__name__}.")
    torch.manual_seed(0)
    model = call_student(check, cls, **kwargs)
    for name in layers:
        if not hasattr(model, name):
            raise CheckFailed(check, f"the model has no attribute `self.{name}`: keep what "
                              "__init__ creates and write only the forward pass.")
        value = getattr(model, name)
        if not isinstance(value, nn.Module) and not (name == "front_end" and value is None):
            raise CheckFailed(check, f"self.{name} should be the layer __init__ creates, got "
                              f"{type(value).__name__}: keep __init__ as it is.")
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=g))
    return model


class _Recorder:
    """Forward pre-hooks that record what reached ``model.gru`` and ``model.head``."""

    def __init__(self, model: nn.Module):
        self.gru_input: Any = None
        self.head_input: Any = None
        self.handles = [model.gru.register_forward_pre_hook(self._gru),
                        model.head.register_forward_pre_hook(self._head)]

    def _gru(self, module, args):
        self.gru_input = args[0] if args else None

    def _head(self, module, args):
        self.head_input = args[0] if args else None

    def close(self) -> None:
        for handle in self.handles:
            handle.remove()


def _run_forward(check: str, model: nn.Module, *args: torch.Tensor,
                 explain: Callable[[_Recorder, str], str | None]) -> tuple[Any, _Recorder]:
    """Call model.forward through call_student in eval mode (dropout off) without gradients;
    if it fails, add what the recorded shapes (or PyTorch's own words) show to the message."""
    recorder = _Recorder(model)
    try:
        with evaluating(model), torch.no_grad():
            result = call_student(check, model.forward, *args)
    except CheckFailed as failure:
        hint = explain(recorder, failure.message)
        if hint:
            raise CheckFailed(check, f"{failure.message} {hint}") from None
        raise
    finally:
        recorder.close()
    return result, recorder


def _logits(check: str, logits: Any, rows: int, what: str = "forward") -> torch.Tensor:
    expect_array(check, f"the result of {what}", logits, library="torch")
    if logits.dim() == 3 and logits.shape[0] == rows and logits.shape[2] == K:
        raise CheckFailed(check, f"the logits have shape {tuple(logits.shape)}, expected "
                          f"({rows}, {K}): you applied the head to the output of every step. "
                          "Classify each sequence once, from its final state.")
    if tuple(logits.shape) != (rows, K):
        raise CheckFailed(check, f"the logits have shape {tuple(logits.shape)}, expected "
                          f"({rows}, {K}) (B, K): one row of class scores per sequence.")
    expect_array(check, "the logits", logits, library="torch", dtype=torch.float32,
                 hint="Keep the model's float32.")
    return logits


def _head_hint(model: nn.Module, recorder: _Recorder) -> str | None:
    """What the head's input shape says, if it is wrong."""
    got = recorder.head_input
    n_dir = 2 if model.gru.bidirectional else 1
    wanted = n_dir * model.gru.hidden_size
    if isinstance(got, torch.Tensor) and got.shape[-1] != wanted:
        if n_dir == 2 and got.shape[-1] == model.gru.hidden_size:
            return (f"The head received {tuple(got.shape)}: one direction's state. A "
                    "bidirectional layer has two final states in its top layer, h_n[-2] "
                    f"(forward) and h_n[-1] (backward): the head wants both, {wanted} features.")
        return (f"The head received features of shape {tuple(got.shape)}; it expects "
                f"(B, {wanted}), the final state of the top layer (n_dir * H = {wanted}).")
    return None


# --------------------------------------------------------------------------- final_state

def _final_state_cases():
    g = torch.Generator().manual_seed(5)
    B, H = 3, 4
    for layers in (1, 2):
        for bidirectional in (False, True):
            n_dir = 2 if bidirectional else 1
            yield layers, bidirectional, torch.randn(layers * n_dir, B, H, generator=g)


def _final_state_mistake(result: torch.Tensor, h_n: torch.Tensor,
                         bidirectional: bool) -> str | None:
    """Name the mistake that produced ``result`` from ``h_n``, if it is a known one."""
    B, H = h_n.shape[1:]
    layers = len(h_n) // (2 if bidirectional else 1)
    candidates: list[tuple[torch.Tensor, str]] = []
    if bidirectional:
        candidates += [
            (h_n[-1], "you returned h_n[-1] only: for a bidirectional layer that is the "
                      "backward direction alone (it read the sequence from the end back to "
                      "step 1). The top layer's two final states are h_n[-2] (forward) and "
                      "h_n[-1] (backward): put both side by side."),
            (h_n[-2], "you returned h_n[-2] only: the forward direction alone. Put h_n[-2] "
                      "(forward) and h_n[-1] (backward) side by side."),
            (torch.cat([h_n[-1], h_n[-2]], 1),
             "the two directions are swapped: the forward state h_n[-2] comes first, then the "
             "backward state h_n[-1], as in the layout of `output`."),
            (h_n[-2] + h_n[-1], "you added the two directions; keep them side by side "
                                "(torch.cat along dim=1), so the head sees each one."),
        ]
        if layers > 1:
            candidates.append((torch.cat([h_n[0], h_n[1]], 1),
                               "you concatenated h_n[0] and h_n[1]: with 2 layers these are "
                               "the FIRST layer's two directions. The top layer's are the "
                               "last two, h_n[-2] and h_n[-1]."))
    if layers > 1:
        candidates.append((h_n[0], "you returned h_n[0], a state of the FIRST layer. h_n holds "
                                   "every layer, bottom first: the top layer's final state is "
                                   "at the end (h_n[-1], and h_n[-2] for the forward direction "
                                   "of a bidirectional layer)."))
        candidates.append((h_n.transpose(0, 1).reshape(B, -1),
                           f"you kept every layer's states ({len(h_n)} of them): classify "
                           "from the TOP layer only, the last entries of h_n."))
    if len(h_n) > 1:
        candidates += [
            (h_n.reshape(B, -1), "you reshaped h_n to (B, -1): h_n's first axis is layers x "
                                 "directions, not the batch, so that mixes different "
                                 "sequences into one row. Select the entries of h_n you need."),
            (h_n.reshape(-1, H), "you stacked the states along the batch axis; put them side "
                                 "by side along the feature axis: torch.cat([...], dim=1)."),
            (h_n.mean(0), "you averaged over the layers and directions; take the top layer's "
                          "final state(s) instead."),
        ]
    expected = ref.final_state(h_n, bidirectional)
    for candidate, message in candidates:
        if not _same(candidate, expected, atol=0) and _same(result, candidate, atol=1e-7):
            return message
    return None


def check_final_state(final_state: Callable) -> None:
    """Check ``final_state(h_n, bidirectional) -> (B, n_dir * H)`` on 1 and 2 layers, one and
    two directions."""
    check = "final_state"
    for layers, bidirectional, h_n in _final_state_cases():
        where = (f"for h_n of shape {tuple(h_n.shape)} (num_layers={layers}, "
                 f"bidirectional={bidirectional})")
        result = call_student(check, final_state, h_n, bidirectional)
        expected = ref.final_state(h_n, bidirectional)
        expect_array(check, f"the result {where}", result, library="torch")
        if (tuple(result.shape) == tuple(expected.shape) and result.dtype == expected.dtype
                and torch.equal(result, expected)):
            continue
        mistake = _final_state_mistake(result, h_n, bidirectional)
        if mistake:
            raise CheckFailed(check, f"{where}: {mistake}")
        expect_array(check, f"the result {where}", result, library="torch",
                     shape=tuple(expected.shape),
                     hint=f"One row per sequence, n_dir * H = {expected.shape[1]} columns.")
        expect_array(check, f"the result {where}", result, library="torch", dtype=h_n.dtype,
                     hint="Keep h_n's dtype.")
        raise _differs(check, f"the values {where}", result, expected, "(sequence, feature)")
    passed(check, "the top layer's final state, [forward, backward] side by side, for 1 and 2 "
           "layers and one and two directions.")


# --------------------------------------------------------------------------- the classifier

def _classifier_hint(model: nn.Module, recorder: _Recorder, B: int, T: int) -> str | None:
    """What the shape that reached self.gru says about a wrong forward pass, if anything."""
    got = recorder.gru_input
    if not isinstance(got, torch.Tensor):
        return _head_hint(model, recorder)
    has_front_end = getattr(model, "front_end", None) is not None
    D = model.gru.input_size
    if got.dim() != 3:
        return (f"self.gru received a tensor of shape {tuple(got.shape)}; it wants "
                f"(B, T, D) with D = {D} (batch_first=True).")
    if has_front_end and got.shape[-1] == 1 and got.shape[1] == T:
        return ("self.gru received the raw samples, (B, T, 1): this model has a front-end "
                f"(channels={D}), and your forward skips it. Pass x.unsqueeze(1) through "
                "self.front_end, then put time second with .transpose(1, 2).")
    if has_front_end and got.shape[1] == D and got.shape[-1] != D:
        return ("self.gru received the conv features as (B, C, T'); with batch_first=True "
                "it wants (B, T', C): transpose(1, 2) first.")
    if not has_front_end and got.shape[1] == 1 and got.shape[-1] == T:
        return ("self.gru received (B, 1, T): one step of T numbers. Without a front-end "
                "each step is one sample: x.unsqueeze(-1) gives (B, T, 1).")
    if got.shape[-1] == D and got.shape[1] == B and got.shape[0] != B:
        return (f"self.gru received {tuple(got.shape)}: time first. With batch_first=True it "
                "wants the batch first, (B, T, D).")
    return _head_hint(model, recorder)


def _classifier_variants(model: nn.Module, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Logits of the usual wrong forward passes, computed with the model's own layers."""
    B = len(x)
    with torch.no_grad():
        if model.front_end is None:
            gru_input = x.unsqueeze(-1)
            scrambled = None
        else:
            features = model.front_end(x.unsqueeze(1))                     # (B, C, T')
            gru_input = features.transpose(1, 2)
            scrambled = features.reshape(B, features.shape[2], features.shape[1])
        output, h_n = model.gru(gru_input)
        bi = model.gru.bidirectional
        variants = [
            (model.head(ref.final_state(h_n, bi)).softmax(-1),
             "you return probabilities (a softmax of the logits): return the logits, "
             "F.cross_entropy applies the log-softmax itself."),
            (model.head(ref.final_state(h_n, bi)).log_softmax(-1), LOG_PROBABILITIES),
            (model.head(output.max(1).values),
             "you max-pooled `output` over time; this classifier reads the final state "
             "(final_state(h_n, ...))."),
            (model.head(output.mean(1)),
             "you averaged `output` over time; this classifier reads the final state "
             "(final_state(h_n, ...))."),
        ]
        if bi:
            variants.insert(0, (model.head(output[:, -1]),
                                "you classified from output[:, -1]. Its forward half is the "
                                "forward final state, but its backward half is the backward "
                                "direction after ONE step (it runs from the end). Use "
                                "final_state(h_n, True)."))
        if scrambled is not None:
            _, h_bad = model.gru(scrambled)
            variants.append((model.head(ref.final_state(h_bad, bi)),
                             "the conv features (B, C, T') were reshaped with view/reshape "
                             "into (B, T', C): that scrambles channels and time. Use "
                             ".transpose(1, 2)."))
    return variants


def _classifier_configs():
    return [dict(hidden_size=5, bidirectional=False, channels=0),
            dict(hidden_size=5, bidirectional=True, channels=0),
            dict(hidden_size=5, bidirectional=True, channels=4)]


def check_classifier(RecurrentClassifier: type) -> None:
    """Check ``RecurrentClassifier.forward`` without a front-end (one and two directions) and
    with one: the logits must equal the reference computed from the model's own layers."""
    check = "RecurrentClassifier"
    g = torch.Generator().manual_seed(2)
    B, T = 6, 40
    x = torch.randn(B, T, generator=g)
    for config in _classifier_configs():
        model = _build(check, RecurrentClassifier, ("front_end", "gru", "head"), **config)
        where = ("without a front-end" if not config["channels"] else
                 f"with a front-end of {config['channels']} channels") + \
                (", bidirectional" if config["bidirectional"] else ", one direction")
        if not isinstance(model.gru, nn.GRU) or not model.gru.batch_first:
            raise CheckFailed(check, "self.gru must be the nn.GRU with batch_first=True that "
                              "__init__ creates.")
        try:
            logits, recorder = _run_forward(check, model, x,
                                            explain=lambda r, _: _classifier_hint(model, r, B, T))
        except CheckFailed as failure:
            raise CheckFailed(check, f"{where}: {failure.message}") from None
        hint = _classifier_hint(model, recorder, B, T)
        if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (B, K):
            try:
                _logits(check, logits, B)
            except CheckFailed as failure:
                raise CheckFailed(check, f"{where}: {failure.message}"
                                  f"{(' ' + hint) if hint else ''}") from None
        _logits(check, logits, B)
        with torch.no_grad(), evaluating(model):
            expected = ref.RecurrentClassifier.forward(model, x)
        if _same(logits, expected):
            continue
        with evaluating(model):
            for candidate, explanation in _classifier_variants(model, x):
                if _same(logits, candidate):
                    raise CheckFailed(check, f"{where}: {explanation}")
        if hint:
            raise CheckFailed(check, f"{where}: the logits are wrong. {hint}")
        failure = _differs(check, "the logits", logits, expected, "(sequence, class)")
        raise CheckFailed(check, f"{where}: {failure.message} Follow the shapes: x (B, T) -> "
                          "the GRU's input (B, T', D) -> self.gru -> final_state(h_n, ...) -> self.head.")
    passed(check, "logits (B, K) equal the reference without a front-end (one and two "
           "directions) and with the conv front-end.")


# --------------------------------------------------------------------------- random_shift

def _shift_case() -> tuple[torch.Tensor, int]:
    B, T = 700, 12          # 700 rows: each of the 7 shifts appears about 100 times
    rows = 1000.0 * torch.arange(1, B + 1)[:, None]
    return rows + torch.arange(T, dtype=torch.float32)[None, :], 3


def check_random_shift(random_shift: Callable) -> None:
    """Check ``random_shift(x, max_shift, generator)``: each row rolled by its own shift, the
    shifts drawn from ``generator`` exactly as the lab says.

    The draws are compared with the reference's from the same seed over 700 rows, so a
    version that draws anything else passes with probability at most 7 ** -700 (nil)."""
    check = "random_shift"
    x, max_shift = _shift_case()
    B, T = x.shape
    torch.manual_seed(12345)                        # the global generator differs from ours
    result = call_student(check, random_shift, x, max_shift,
                          torch.Generator().manual_seed(7))
    expect_array(check, "the result", result, library="torch", shape=(B, T),
                 hint="One shifted row per row of x.")
    expect_array(check, "the result", result, library="torch", dtype=x.dtype,
                 hint="Keep x's dtype.")
    result = result.detach().cpu()
    row_of = torch.div(result, 1000, rounding_mode="floor") - 1          # which row of x
    if not torch.equal(row_of, torch.arange(B)[:, None].expand(B, T)):
        if torch.all(row_of == row_of[:, :1]) and not torch.equal(row_of[:, 0], torch.arange(B)):
            raise CheckFailed(check, "the rows come out in another order: you shifted along "
                              "the batch axis. Roll each row along time (dim 1).")
        bad = int((row_of != torch.arange(B)[:, None]).any(1).nonzero()[0])
        raise CheckFailed(check, f"row {bad} of the result holds values that are not in "
                          f"x[{bad}] (zeros?): a shift must wrap around (torch.roll), not pad.")
    start = (result[:, 0] - x[:, 0]).long() % T             # result[b, 0] = x[b, start]
    shifts = (-start) % T
    shifts = torch.where(shifts > T // 2, shifts - T, shifts)
    rolled = torch.stack([torch.roll(x[b], int(shifts[b])) for b in range(B)])
    if not torch.equal(result, rolled):
        bad = int((result != rolled).any(1).nonzero()[0])
        raise CheckFailed(check, f"row {bad} is not x[{bad}] rolled in time: its values are "
                          "there but in another order. Roll each row as a whole.")
    if int(shifts.abs().max()) > max_shift:
        raise CheckFailed(check, f"some rows moved by {int(shifts.abs().max())} steps; "
                          f"max_shift is {max_shift}.")
    if torch.all(shifts == 0):
        raise CheckFailed(check, "no row was rolled along time: every row of the result is its "
                          "row of x, unchanged. Roll each row along its time axis (dim 1 of x, "
                          "or the only axis of x[b]); rolling a (1, T) view along dims=0 moves "
                          "nothing.")
    if torch.all(shifts == shifts[0]):
        raise CheckFailed(check, f"every row moved by the same {int(shifts[0])} steps: draw "
                          "one shift per row, shape (B,).")
    missing = [end for end in (-max_shift, max_shift) if not torch.any(shifts == end)]
    if missing:
        advice = []
        if -max_shift in missing:
            advice.append("the draw must start at -max_shift (torch.randint's lower bound "
                          "is included)")
        if max_shift in missing:
            advice.append("torch.randint's upper bound is excluded: use max_shift + 1")
        raise CheckFailed(check, f"no row moved by {' or by '.join(f'{e:+d}' for e in missing)} "
                          f"in {B} rows: the shifts must cover -max_shift..max_shift, so "
                          f"{'; and '.join(advice)}.")
    drawn = torch.randint(-max_shift, max_shift + 1, (B,),
                          generator=torch.Generator().manual_seed(7))
    if not (torch.equal(shifts, drawn) or torch.equal(shifts, -drawn)):
        raise CheckFailed(check, "the shifts are not the ones drawn from `generator`: draw them "
                          "once per call, exactly as shifts = torch.randint(-max_shift, "
                          "max_shift + 1, (len(x),), generator=generator), so that a seed "
                          "gives the same augmentation on every machine.")
    passed(check, f"{B} rows, each rolled by its own shift in -{max_shift}..{max_shift}, drawn "
           "from the generator you were given; x left unchanged.")


# --------------------------------------------------------------------------- collate

def _collate_case() -> tuple[list[torch.Tensor], torch.Tensor]:
    g = torch.Generator().manual_seed(3)
    lengths = [12, 28, 20, 28, 8]
    signals = [torch.randn(n, generator=g) + 3.0 for n in lengths]
    signals[2][5] = 0.0      # a real sample can be 0: lengths are not a count of non-zeros
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
    result = call_student(check, collate, signals, labels)
    if not isinstance(result, tuple) or len(result) != 3:
        raise CheckFailed(check, "collate should return a tuple (padded, lengths, labels), got "
                          f"{type(result).__name__}"
                          f"{' of length ' + str(len(result)) if isinstance(result, tuple) else ''}.")
    padded, lengths, out_labels = result
    n, longest = len(signals), max(len(s) for s in signals)
    for name, value in (("padded", padded), ("lengths", lengths), ("labels", out_labels)):
        expect_array(check, name, value, library="torch")
    if tuple(padded.shape) != (n, longest):
        hint = {(longest, n): " It looks transposed: make it batch-first, (B, T_max)."}.get(
            tuple(padded.shape), " Pad to the longest signal of this batch.")
        raise CheckFailed(check, f"padded has shape {tuple(padded.shape)}, expected ({n}, {longest}) "
                          f"for {n} signals whose longest has {longest} samples.{hint}")
    expect_array(check, "padded", padded, library="torch", dtype=signals[0].dtype,
                 hint="Keep the signals' dtype.")
    if tuple(lengths.shape) != (n,) or tuple(out_labels.shape) != (n,):
        raise CheckFailed(check, f"lengths and labels should both have shape ({n},), got "
                          f"{tuple(lengths.shape)} and {tuple(out_labels.shape)}.")
    expect_array(check, "lengths", lengths, library="torch", dtype=torch.int64,
                 hint=LENGTHS_INT64)
    expect_array(check, "labels", out_labels, library="torch", dtype=labels.dtype,
                 hint="cross_entropy wants int64 class indices: keep the labels' dtype.")
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
            if int(lengths[b]) == int((padded[b] != 0).sum()):
                raise CheckFailed(check, f"lengths[{b}] is {int(lengths[b])}, the number of "
                                  f"non-zero values in row {b}, but signal {i} has "
                                  f"{len(signals[i])} samples: a real sample can be 0.0 (this "
                                  "one has one). Take each signal's len(), not a count of "
                                  "non-zeros.")
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


# --------------------------------------------------------------------------- the front-end

LENGTHS_INT64 = ("lengths are counts, and the lab's contract is int64 (torch.long): what "
                 "torch.tensor makes of Python ints and what the course's reference returns, so "
                 "that yours and the reference are interchangeable in the cells that follow "
                 "(pack_padded_sequence itself would accept other types on the CPU).")

#: Lengths the variable-length checks use: not multiples of 4, so that lengths // 4 is wrong.
VAR_LENGTHS = (40, 37, 29, 24, 13)
VAR_PADDED = 48          # the batch is padded beyond its longest signal, as a longer batch-mate would
PAD_VALUE = 3.0          # padding that is not zero, for the front-end check


def _padded_case(pad_value: float) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(4)
    lengths = torch.tensor(VAR_LENGTHS)
    x = torch.randn(len(lengths), VAR_PADDED, generator=g)
    x[torch.arange(VAR_PADDED)[None, :] >= lengths[:, None]] = pad_value
    return x, lengths


def _front_end_variants(convs, x: torch.Tensor, lengths: torch.Tensor):
    """Features of the usual wrong front-ends, computed with the student's convolutions."""

    def run(mask_input: bool, mask_each: bool, mask_last: bool):
        h, n = x, lengths
        if mask_input:
            h = h.masked_fill(~ref.length_mask(n, h.shape[-1])[:, None], 0.0)
        for i, conv in enumerate(convs):
            h = torch.relu(conv(h))
            n = ref.conv_output_lengths(n, conv)
            if mask_each or (mask_last and i == len(convs) - 1):
                h = h.masked_fill(~ref.length_mask(n, h.shape[-1])[:, None], 0.0)
        return h

    only_last = ("you set the features to zero only after the LAST convolution. The second "
                 "convolution still reads the first one's outputs on the padding, which are not "
                 "zero (ReLU of a bias): zero the input, and every ReLU's output past the new "
                 "lengths.")
    with torch.no_grad():
        return [
            (run(False, False, False), "your front-end reads the padding: nothing is set to zero "
             "past each sequence's end, so the last real steps of a short sequence depend on "
             "what its batch was padded with. Zero the input past each length, and each "
             "ReLU's output past the new lengths."),
            (run(True, False, True), only_last),
            (run(False, False, True), only_last),
            (run(True, False, False), "you zero the input past each length, but not the "
             "convolutions' outputs: the second convolution reads the first one's outputs on "
             "the padding, which are not zero (ReLU of a bias). Zero them after every ReLU, "
             "past the new lengths."),
            (run(False, True, False), f"the padding values ({PAD_VALUE:g} in this check) reach "
             "the first convolution: zero the input past each sequence's length before it."),
        ]


def _steps_message(steps: torch.Tensor, expected: torch.Tensor, lengths: torch.Tensor) -> str:
    if torch.equal(steps, lengths // 4):
        b = int((steps != expected).nonzero()[0])
        return (f"steps is lengths // 4, which is wrong for lengths that are not multiples of "
                f"4: a {int(lengths[b])}-sample signal gives {int(expected[b])} steps here "
                f"(the convolutions pad), not {int(steps[b])}. Update the lengths after every "
                "convolution with conv_output_lengths(lengths, conv).")
    if torch.equal(steps, lengths):
        return ("you returned the input lengths; return the number of steps each sequence has "
                "after the convolutions: conv_output_lengths(lengths, conv) after each one.")
    return (f"steps is {steps.tolist()}, expected {expected.tolist()} for lengths "
            f"{lengths.tolist()}: conv_output_lengths(lengths, conv) after each convolution.")


def check_masked_front_end(MaskedFrontEnd: type) -> None:
    """Check ``MaskedFrontEnd.forward(x, lengths)``: the features of each signal in a padded
    batch equal those of the same signal alone, and are zero past its steps."""
    check = "MaskedFrontEnd"
    front_end = _build(check, MaskedFrontEnd, ("convs",), channels=4)
    convs = list(front_end.convs)
    x, lengths = _padded_case(PAD_VALUE)
    x = x[:, None]                                              # (B, 1, T)
    try:
        with torch.no_grad():
            result = call_student(check, front_end.forward, x, lengths)
    except CheckFailed as failure:
        short_mask = (f"size of tensor a ({int(lengths.max())}) must match the size of tensor "
                      f"b ({VAR_PADDED})")
        if short_mask in failure.message:
            raise CheckFailed(check, f"{failure.message.rstrip('.')}. A mask from "
                              "length_mask(lengths) is "
                              f"only as long as the longest sequence ({int(lengths.max())} "
                              f"samples here), but the batch is padded to {VAR_PADDED}: pass "
                              "the padded length, length_mask(lengths, x.shape[-1]), and "
                              "likewise after each convolution.") from None
        raise
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(check, "forward should return a tuple (features, steps), got "
                          f"{type(result).__name__}.")
    features, steps = result
    expected_steps = lengths
    for conv in convs:
        expected_steps = ref.conv_output_lengths(expected_steps, conv)
    expected = ref.MaskedFrontEnd.forward(front_end, x, lengths)[0].detach()
    expect_array(check, "features", features, library="torch", shape=tuple(expected.shape),
                 hint="(B, C, T'): the last convolution's output, padded like the batch.")
    expect_array(check, "features", features, library="torch", dtype=torch.float32)
    expect_array(check, "steps", steps, library="torch", shape=(len(lengths),))
    expect_array(check, "steps", steps, library="torch", dtype=torch.int64,
                 hint=LENGTHS_INT64)
    if not torch.equal(steps, expected_steps):
        raise CheckFailed(check, _steps_message(steps, expected_steps, lengths))
    if _same(features, expected):
        passed(check, f"each signal's features are the same alone and in a batch padded to "
               f"{VAR_PADDED} samples with {PAD_VALUE:g}s, and zero past its "
               f"{expected_steps.tolist()} steps.")
        return
    for candidate, explanation in _front_end_variants(convs, x, lengths):
        if _same(features, candidate):
            raise CheckFailed(check, explanation)
    past = ~ref.length_mask(expected_steps, features.shape[-1])
    if torch.any(features.detach().transpose(1, 2)[past] != 0):
        b = int(past.logical_and(features.detach().abs().sum(1) != 0).any(1).nonzero()[0])
        raise CheckFailed(check, f"the features of sequence {b} are not zero past its "
                          f"{int(expected_steps[b])} steps: set every position at or past "
                          "each sequence's new length to zero after each ReLU.")
    raise _differs(check, "the features", features, expected, "(sequence, channel, step)")


# --------------------------------------------------------------------------- packing

def _packed_lengths(packed: Any) -> list[int] | None:
    """The per-sequence lengths a PackedSequence holds (in its sorted order)."""
    if not isinstance(packed, PackedSequence):
        return None
    sizes = packed.batch_sizes
    return [int((sizes > b).sum()) for b in range(int(sizes[0]))]


#: PyTorch's own words for the mistakes made before the GRU is reached, and what they mean.
PACKING_ERRORS = {
    "to be equal to batch_size": "pack_padded_sequence read the features as (T', B, C): pass "
                                 "batch_first=True.",
    "1D CPU int64": "pack_padded_sequence wants the lengths on the CPU (a tensor there, or a "
                    "list): pass steps.cpu().",
    "sorted in decreasing order": "pack_padded_sequence got lengths that are not in decreasing "
                                  "order: pass the steps in the batch's order (collate sorts "
                                  "the batch).",
}


def _packed_hint(model: nn.Module, recorder: _Recorder, steps: torch.Tensor,
                 lengths: torch.Tensor, error: str = "") -> str | None:
    got = recorder.gru_input
    if got is None:
        return next((hint for words, hint in PACKING_ERRORS.items() if words in error), None)
    if isinstance(got, PackedSequence) and got.data.shape[-1] != model.gru.input_size:
        return (f"self.gru received packed steps of {got.data.shape[-1]} numbers; it wants "
                f"C = {model.gru.input_size}, one number per channel: the features were packed "
                "as (B, C, T'). Transpose them to (B, T', C) before packing.")
    read = _packed_lengths(got)
    if read is not None and sorted(read, reverse=True) != sorted(steps.tolist(), reverse=True):
        if sorted(read, reverse=True) == sorted((lengths // 4).tolist(), reverse=True):
            return (f"The GRU read {read} steps: lengths // 4, but the front-end gives "
                    f"{steps.tolist()} steps for these lengths. Pack with the steps that "
                    "self.front_end returns.")
        return (f"The GRU read {read} steps per sequence; the front-end gives "
                f"{steps.tolist()}: pack with the steps that self.front_end returns.")
    if isinstance(got, torch.Tensor) and got.dim() == 3 and got.shape[1] == model.gru.input_size:
        return ("self.gru received the features as (B, C, T'); with batch_first=True it "
                "wants (B, T', C): transpose(1, 2) before packing.")
    return _head_hint(model, recorder)


def _packed_variants(model: nn.Module, x: torch.Tensor, lengths: torch.Tensor):
    convs = list(model.front_end.convs)
    bi = model.gru.bidirectional
    with torch.no_grad():
        features, steps = ref.MaskedFrontEnd.forward(model.front_end, x.unsqueeze(1), lengths)
        seq = features.transpose(1, 2)
        packed = pack_padded_sequence(seq, steps, batch_first=True)
        out_packed, h_packed = model.gru(packed)
        out_padded, _ = pad_packed_sequence(out_packed, batch_first=True)
        out_total, _ = pad_packed_sequence(out_packed, batch_first=True,
                                           total_length=seq.shape[1])
        _, h_pad = model.gru(seq)
        raw = x.unsqueeze(1)
        for conv in convs:
            raw = torch.relu(conv(raw))
        _, h_raw = model.gru(pack_padded_sequence(raw.transpose(1, 2), steps, batch_first=True))
        return [
            (model.head(ref.final_state(h_pad, bi)),
             "your logits are those of the GRU run over the padding too (no packing): the "
             "forward direction's h_n is the state after the padded steps, and the backward "
             "direction starts in the padding. Pack the features with "
             "pack_padded_sequence(features, steps.cpu(), batch_first=True)."),
            *[(model.head(out[:, -1]),
               "the head read output[:, -1] after unpacking: that is the last PADDED step, all "
               "zeros for every sequence shorter than the batch (and for the backward direction "
               "a state after one step). Classify from final_state(h_n, ...), which packing "
               "makes each sequence's own final state.") for out in (out_padded, out_total)],
            (model.head(ref.final_state(h_raw, bi)),
             "your features come from the convolutions without the masks, so the front-end "
             "reads the padding. Call self.front_end(x.unsqueeze(1), lengths), which masks "
             "after each convolution and returns the steps."),
            (model.head(ref.final_state(h_packed, bi)).softmax(-1),
             "you return probabilities (a softmax of the logits): return the logits, "
             "F.cross_entropy applies the log-softmax itself."),
            (model.head(ref.final_state(h_packed, bi)).log_softmax(-1), LOG_PROBABILITIES),
            *[(model.head(out.mean(1)),
               "you averaged the unpacked `output` over all its steps, the padded ones "
               "included: they are zeros, so the mean depends on how much padding the batch "
               "has. Classify from final_state(h_n, ...).") for out in (out_padded, out_total)],
            *([(model.head(ref.last_real_step(out_padded, steps)),
                "you read `output` at each sequence's last real step (last_real_step): right "
                "for the forward half, but the backward half there is the backward direction "
                "after ONE step (it starts at the end). Classify from final_state(h_n, ...), "
                "where both directions have read the whole sequence.")] if bi else []),
        ]


def check_packed_classifier(VariableLengthClassifier: type) -> None:
    """Check ``VariableLengthClassifier.forward(x, lengths)``, the whole model, front-end
    included: each signal classified alone and inside a padded batch of longer signals must
    get the same logits (to float precision, 1e-5), and those of the reference."""
    check = "VariableLengthClassifier"
    model = _build(check, VariableLengthClassifier, ("front_end", "gru", "head"),
                   channels=4, hidden_size=3, bidirectional=True)
    if not isinstance(model.gru, nn.GRU) or not model.gru.batch_first:
        raise CheckFailed(check, "self.gru must be the nn.GRU with batch_first=True that "
                          "__init__ creates.")
    x, lengths = _padded_case(0.0)
    B = len(lengths)
    with torch.no_grad(), evaluating(model):
        try:
            features, steps = model.front_end(x.unsqueeze(1), lengths)
            good, good_steps = ref.MaskedFrontEnd.forward(model.front_end, x.unsqueeze(1), lengths)
            front_end_ok = _same(features, good) and torch.equal(steps, good_steps)
        except Exception:                                # noqa: BLE001 - reported just below
            front_end_ok, good_steps = False, None
    if not front_end_ok:
        raise CheckFailed(check, "self.front_end does not give the features of "
                          "check_masked_front_end's reference: fix MaskedFrontEnd first (its "
                          "check says what differs), then come back to this one.")

    def explain(rows: slice) -> Callable[[_Recorder, str], str | None]:
        return lambda recorder, error: _packed_hint(model, recorder, good_steps[rows],
                                                    lengths[rows], error)

    alone = []
    for b, n in enumerate(lengths.tolist()):
        logits, _ = _run_forward(check, model, x[b:b + 1, :n].clone(), lengths[b:b + 1].clone(),
                                 explain=explain(slice(b, b + 1)))
        alone.append(_logits(check, logits, 1, "forward on one signal alone"))
    alone = torch.cat(alone)
    batch, recorder = _run_forward(check, model, x, lengths, explain=explain(slice(None)))
    batch = _logits(check, batch, B)
    with torch.no_grad(), evaluating(model):
        expected = ref.VariableLengthClassifier.forward(model, x, lengths)
    if _same(batch, expected) and _same(alone, expected):
        passed(check, f"the same logits for each signal alone and inside a batch padded to "
               f"{VAR_PADDED} samples (lengths {lengths.tolist()} -> {good_steps.tolist()} "
               "steps): front-end, packing and both directions' final states.")
        return
    with evaluating(model):
        variants = _packed_variants(model, x, lengths)
    for candidate, explanation in variants:
        if _same(batch, candidate):
            raise CheckFailed(check, explanation)
    again, _ = _run_forward(check, model, x, lengths, explain=explain(slice(None)))
    if not _same(again, batch, atol=0):
        gap = float((again - batch).abs().max())
        raise CheckFailed(check, f"two calls of forward on the same batch, in eval mode, give "
                          f"different logits (by up to {gap:.3g}): your forward pass is "
                          "random, it draws new numbers at every call. Keep it deterministic "
                          "(for example, leave h_0 out: it defaults to zeros).")
    hint = _packed_hint(model, recorder, good_steps, lengths)
    agree = [b for b in range(B) if torch.allclose(batch[b], alone[b], atol=TOL, rtol=1e-4)]
    if len(agree) < B:
        wrong = [b for b in range(B) if b not in agree]
        gap = float((batch - alone).abs().max())
        if hint is None and _packed_lengths(recorder.gru_input) is not None:
            hint = ("self.gru received the features packed with the right steps, so the "
                    "difference arises before packing (something that mixes in the other "
                    "signals of the batch) or after the GRU (something that reads the padded "
                    "output).")
        raise CheckFailed(check, f"the same signal gets different logits alone and in the padded "
                          f"batch: sequences {wrong} (lengths {lengths[wrong].tolist()} samples) "
                          f"differ by up to {gap:.3g}, so padding changes the answer. "
                          f"{hint or ''}".strip())
    failure = _differs(check, "the logits", batch, expected, "(sequence, class)")
    raise CheckFailed(check, f"{failure.message} They do not depend on the padding, but they are "
                      f"not the reference's. {hint or ''}".strip())
