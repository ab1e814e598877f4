"""Checks for Lab 06: the encoder-decoder, teacher forcing, greedy decoding and exact match.

Each check runs the student's code on small inputs and compares it with the reference in
:mod:`course_utils.seq2seq` on the same weights: the checks build the student's model, copy
the reference's random weights into it (every weight nonzero, so that every parameter and the
state matter) and compare outputs. When they disagree, a check names the mistake only when
the evidence shows it (a decoder input not shifted, an encoder that returns its outputs
instead of its state, an encoder state detached so that no gradient reaches the encoder, a
loss that counts the padding, a decoder fed the ground truth at inference, answers scored
token by token or by membership in the whole list); otherwise it says what differs and where.
"""
from __future__ import annotations

import contextlib
import io
import numbers
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F

from course_utils._feedback import (CheckFailed, call_student, expect_array,
                                    first_mismatch, passed, student_or_reference)
from course_utils.seq2seq import CELLS, Seq2Seq, Vocab, masked_cross_entropy, shift_right

__all__ = ["check_shift_right", "check_embedding", "check_encoder", "check_decoder_step",
           "check_teacher_forcing", "check_encoder_decoder", "check_masked_loss",
           "check_greedy_decode", "check_exact_match", "student_or_reference"]

START, PAD = Vocab.start_id, Vocab.pad_id
V, H, E = 20, 16, 8          # the checks' model: small, and V, H, E, B, S, T all different
B, S, T = 3, 5, 4
LAYERS = ("embedding", "encoder", "decoder", "readout")


def _ids(*shape: int, seed: int, high: int = V - 2) -> torch.Tensor:
    """Token ids in 3..high-1: no special token, and below V - 1 (so that a one-hot made
    without ``num_classes`` comes out narrower than V)."""
    return torch.randint(3, high, shape, generator=torch.Generator().manual_seed(seed))


def _close(a: Any, b: Any, atol: float = 1e-5) -> bool:
    """Same structure (tensor, or tuple of tensors) and the same values, within ``atol``."""
    if isinstance(b, tuple):
        return (isinstance(a, (tuple, list)) and len(a) == len(b)
                and all(_close(x, y, atol) for x, y in zip(a, b)))
    return (isinstance(a, torch.Tensor) and a.shape == b.shape
            and torch.allclose(a.detach().float(), b.detach().float(), atol=atol))


def _name_the_mistake(check: str, got: Any, suspects: list[tuple[Any, str]]) -> None:
    """Fail with the message of the first suspect that ``got`` equals: a known mistake,
    recognised by reproducing it on the reference's weights."""
    for suspect, message in suspects:
        if _close(got, suspect):
            raise CheckFailed(check, message)


def _same_structure(got: Any, want: Any) -> bool:
    """A tensor of ``want``'s shape, or a pair of them where ``want`` is a pair."""
    if isinstance(want, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(_same_structure(g, w) for g, w in zip(got, want)))
    return isinstance(got, torch.Tensor) and got.shape == want.shape


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor {tuple(value.shape)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {', '.join(_describe(v) for v in value)}"
    return type(value).__name__


def _where(got: Any, want: Any) -> str:
    """Where two tensors (or pairs of tensors, as an LSTM's state) of one shape differ most."""
    if isinstance(want, tuple):
        name, got, want = next((f"{name} ", g, w) for name, g, w in zip("hc", got, want)
                               if not _close(g, w))
    else:
        name = ""
    index, value, expected = first_mismatch(got.detach().numpy(), want.detach().numpy(), atol=1e-5)
    return f"at {name}index {index} you have {value:.4f}, the reference {expected:.4f}"


# --------------------------------------------------------------------------- shift_right
def _targets() -> torch.Tensor:
    # three answers "596</s>", "81</s><pad>", "1998</s>" in ids, padded to T = 5
    return torch.tensor([[8, 12, 9, 2, 0], [11, 4, 2, 0, 0], [4, 12, 12, 11, 2]])


def check_shift_right(student_shift_right: Callable[..., Any]) -> None:
    """The decoder input at step t must be the target y_(t-1), with y_0 = <s>; int64 ids."""
    check = "check_shift_right"
    y = _targets()
    got = call_student(check, student_shift_right, y, START)
    rows, steps = y.shape
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (rows, steps + 1):
        raise CheckFailed(check, f"your decoder inputs have T + 1 = {steps + 1} steps: drop the "
                          "last target, which is never an input. Keep the shape (B, T).")
    floats = isinstance(got, torch.Tensor) and got.is_floating_point()
    expect_array(check, "your tensor of decoder inputs", got, library="torch", shape=(rows, steps),
                 dtype=y.dtype, hint="Token ids must keep the targets' integer dtype (the "
                 "embedding looks them up): build the start column with "
                 "torch.full_like(targets[:, :1], start_id)" + (", not from floats." if floats else
                                                               ", which keeps their dtype."))
    want = shift_right(y, START)
    if torch.equal(got, want):
        _check_start_id_is_used(check, student_shift_right, y)
        passed(check, f"<s>, then y_1, ..., y_(T-1); shape {tuple(got.shape)}, dtype {got.dtype}; "
               "any start_id.")
        return
    if torch.equal(got, y):
        raise CheckFailed(check, "your decoder input at step t is the target y_t itself, so the "
                          "model learns to copy its input instead of predicting the next token "
                          "(off by one). Shift right: <s>, y_1, ..., y_(T-1).")
    if torch.equal(got[:, :-1], y[:, 1:]):
        raise CheckFailed(check, "you shifted left: your input at step t is y_(t+1), the future "
                          "token. Shift right: <s>, y_1, ..., y_(T-1).")
    along_batch = torch.cat([torch.full_like(y[:1], START), y[:-1]], dim=0)
    if torch.equal(got, along_batch) or torch.equal(got[1:], y[:-1]):
        raise CheckFailed(check, "you shifted along the batch axis (dim 0): your row i is the "
                          "targets of row i - 1. Shift along time, dim 1: column 0 is <s>, then "
                          "targets[:, :-1].")
    if not torch.equal(got[:, 0], want[:, 0]):
        raise CheckFailed(check, f"the first input (column 0) must be the start token <s> (id "
                          f"{START}) in every row; you give {got[:, 0].tolist()}.")
    if torch.equal(got[:, 1:], y[:, 1:]):
        raise CheckFailed(check, "you put <s> over y_1 instead of shifting: after <s> the inputs "
                          "must be y_1, y_2, ... (off by one).")
    bad = (got != want).nonzero()[0].tolist()
    raise CheckFailed(check, f"at row {bad[0]}, column {bad[1]} you give {int(got[bad[0], bad[1]])}, "
                      f"expected {int(want[bad[0], bad[1]])} (the target in column {bad[1] - 1}).")


OTHER_START = 7   # a start id other than <s> = 1: a fixed 1 (torch.ones_like) must fail


def _check_start_id_is_used(check: str, student: Callable[..., Any], y: torch.Tensor) -> None:
    got = call_student(check, student, y, OTHER_START)
    if not (isinstance(got, torch.Tensor) and torch.equal(got, shift_right(y, OTHER_START))):
        first = got[:, 0].tolist() if isinstance(got, torch.Tensor) and got.ndim == 2 else got
        raise CheckFailed(check, f"with start_id={OTHER_START} your first column is {first}: you "
                          "write a fixed id (torch.ones_like gives 1) instead of the start_id "
                          "argument. Use torch.full_like(targets[:, :1], start_id).")


# --------------------------------------------------------------------------- the model
def _reference(cell: str = "GRU", one_hot: bool = False, seed: int = 0) -> Seq2Seq:
    """The reference model with random weights, every one of them nonzero."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = Seq2Seq(V, H, E, cell, one_hot)
        if model.embedding is not None:
            torch.nn.init.normal_(model.embedding.weight)  # the <pad> row too
    return model.eval()


def _build(check: str, cls: Any, cell: str = "GRU", one_hot: bool = False) -> torch.nn.Module:
    """The student's model for (V, H, E, cell, one_hot), carrying the reference's weights."""
    model = call_student(check, cls, V, H, E, cell, one_hot)
    if not isinstance(model, torch.nn.Module):
        raise CheckFailed(check, f"EncoderDecoder(...) must build an nn.Module, got "
                          f"{type(model).__name__}: subclass nn.Module and call super().__init__().")
    reference = _reference(cell, one_hot)
    for name in LAYERS:
        if not hasattr(model, name):
            raise CheckFailed(check, f"your model has no attribute `{name}`: name the layers "
                              "embedding, encoder, decoder and readout, as the exercise says (the "
                              "checks copy weights by these names and later cells read them).")
    if one_hot and model.embedding is not None:
        raise CheckFailed(check, "with one_hot=True the model has no embedding table: set "
                          "self.embedding = None (tokens enter as one-hot vectors; an unused "
                          f"table would add V x E = {V * E} parameters to the model's count).")
    kind = type(reference.encoder).__name__
    for name in ("encoder", "decoder"):
        layer = getattr(model, name)
        if type(layer) is not type(reference.encoder):
            raise CheckFailed(check, f"self.{name} is {type(layer).__name__}, expected nn.{kind} for "
                              f"cell={cell!r}: build it with getattr(nn, cell).")
        if not getattr(layer, "batch_first", False):
            raise CheckFailed(check, f"self.{name} is built without batch_first=True: it would read "
                              "(B, S, E) as S sequences of B steps, mixing the rows of a batch. "
                              "Our batches are batch-first.")
    if model.encoder is model.decoder:
        raise CheckFailed(check, "self.encoder and self.decoder are the same layer: give the "
                          "decoder its own RNN (its own weights).")
    _copy_reference_weights(check, model, reference, one_hot)
    return model.eval()


def _copy_reference_weights(check: str, model: torch.nn.Module, reference: Seq2Seq,
                            one_hot: bool) -> None:
    theirs, ours = model.state_dict(), reference.state_dict()
    extra = sorted(set(theirs) - set(ours))
    if extra:
        raise CheckFailed(check, f"your model has parameters the lab's model does not: {extra}. "
                          "It has one embedding table, shared by encoder and decoder, two RNNs and "
                          "one readout layer.")
    width = f"V = {V} (one-hot vectors)" if one_hot else f"E = {E} (the embedding size)"
    shapes = {"embedding.weight": f"(V, E) = {(V, E)}: nn.Embedding(vocab_size, embedding_dim)",
              "readout.weight": f"(V, H) = {(V, H)}: nn.Linear(hidden_size, vocab_size)",
              "readout.bias": f"(V,) = {(V,)}"}
    for key, value in ours.items():
        if key not in theirs:
            raise CheckFailed(check, f"your model has no parameter `{key}` (expected shape "
                              f"{tuple(value.shape)}).")
        if theirs[key].shape != value.shape:
            why = shapes.get(key, "")
            if key.endswith("weight_ih_l0"):
                why = f"the RNN reads vectors of width {width}, then has hidden size H = {H}"
            elif key.endswith("weight_hh_l0"):
                why = f"hidden size H = {H}"
            raise CheckFailed(check, f"`{key}` has shape {tuple(theirs[key].shape)}, expected "
                              f"{tuple(value.shape)}" + (f"; {why}." if why else "."))
    model.load_state_dict(ours)


def _patched(reference: Seq2Seq, **layers: Any) -> Seq2Seq:
    """A reference model on the same weights, with some layers swapped (to name a mistake)."""
    twin = _reference(type(reference.encoder).__name__, reference.one_hot)
    twin.load_state_dict(reference.state_dict())
    for name, layer in layers.items():
        setattr(twin, name, layer)
    return twin


def check_embedding(student_class: Callable[..., Any]) -> None:
    """``__init__`` builds the four layers; ``embed`` turns ids (B, T) into vectors (B, T, E), or
    into one-hot floats (B, T, V) when ``one_hot``."""
    check = "check_embedding"
    ids = _ids(B, S, seed=1)
    for one_hot in (False, True):
        model = _build(check, student_class, "GRU", one_hot)
        reference = _reference("GRU", one_hot)
        want = reference.embed(ids)
        with torch.no_grad():
            got = call_student(check, model.embed, ids)
        width = V if one_hot else E
        if not one_hot and isinstance(got, torch.Tensor) and got.shape == (B, S, V):
            raise CheckFailed(check, "with one_hot=False, embed must look the ids up in "
                              f"self.embedding (a learned table of width E = {E}), not build "
                              "one-hot vectors.")
        if one_hot and isinstance(got, torch.Tensor) and got.shape == (B, S, int(ids.max()) + 1):
            raise CheckFailed(check, f"your one-hot vectors have width {got.shape[-1]}, the largest "
                              f"id in the batch + 1, not V = {V}: F.one_hot(ids) guesses the "
                              "number of classes from the data; pass num_classes=self.vocab_size.")
        mode = "one_hot=True" if one_hot else "one_hot=False"
        expect_array(check, f"embed(ids) with {mode}", got, library="torch",
                     shape=(B, S, width), dtype=torch.float32,
                     hint="The RNN multiplies these vectors by float32 weights: one-hot vectors "
                     "need .float()." if one_hot else "")
        if _close(got, want):
            continue
        raise CheckFailed(check, f"embed(ids) with {mode} differs from the reference: "
                          f"{_where(got, want)}. Row v of the table is token v's vector"
                          + (": one 1 at position v, zeros elsewhere." if one_hot else
                             ": self.embedding(ids)."))
    passed(check, f"four layers under the expected names; embed gives (B, T, {E}) rows of the "
           f"table, or one-hot vectors (B, T, {V}) of float32.")


def _state_shape_words(cell: str) -> str:
    return "the pair (h, c), each (1, B, H)" if cell == "LSTM" else "a tensor (1, B, H)"


def check_encoder(student_class: Callable[..., Any]) -> None:
    """``encode(src)`` returns the encoder's final state, as the RNN returns it, for each cell."""
    check = "check_encoder"
    src = _ids(B, S, seed=2)
    for cell in CELLS:
        model = _build(check, student_class, cell)
        reference = _reference(cell)
        with torch.no_grad():
            want = reference.encode(src)
            got = call_student(check, model.encode, src)
            outputs, _ = reference.encoder(reference.embed(src))
            _, with_decoder = reference.decoder(reference.embed(src))
        if _close(got, want):
            continue
        if isinstance(got, torch.Tensor) and _close(got, outputs):
            raise CheckFailed(check, f"you return the encoder's outputs at every step, shape "
                              f"{tuple(got.shape)}; return its final state, the second value "
                              f"nn.{cell} returns: {_state_shape_words(cell)}.")
        last = want[0] if cell == "LSTM" else want
        if isinstance(got, torch.Tensor) and _close(got, last[0]):
            raise CheckFailed(check, f"you return the last state as (B, H) = {tuple(got.shape)}; "
                              "keep it as the RNN returns it, (num_layers, B, H) = "
                              f"{tuple(last.shape)}: the decoder takes exactly that as its initial "
                              "state.")
        if cell == "LSTM" and _close(got, want[0]):
            raise CheckFailed(check, "for an LSTM the state is the pair (h, c), and you return only "
                              "h: return both, so that the decoder starts from the encoder's cell "
                              "state too.")
        if _close(got, with_decoder):
            raise CheckFailed(check, "you run the source through self.decoder; the encoder has its "
                              "own RNN, self.encoder.")
        if not _same_structure(got, want):
            raise CheckFailed(check, f"with cell={cell!r} encode must return "
                              f"{_state_shape_words(cell)} = {tuple(last.shape)}; you return "
                              f"{_describe(got)}.")
        raise CheckFailed(check, f"with cell={cell!r} your final state differs from the "
                          f"reference's on the same weights: {_where(got, want)}. Embed the "
                          "source with self.embed and run self.encoder over all of it.")
    passed(check, "the final state of self.encoder, as RNN, GRU and LSTM return it.")


def _random_state(cell: str, seed: int):
    g = torch.Generator().manual_seed(seed)
    h = 0.5 * torch.randn(1, B, H, generator=g)
    return (h, 0.5 * torch.randn(1, B, H, generator=g)) if cell == "LSTM" else h


def _translate_step_error(check: str, error: CheckFailed) -> CheckFailed:
    if "unbatched" in error.message or "hx" in error.message:
        return CheckFailed(check, "self.decoder was given a 2-D input (B, E), which PyTorch reads "
                           "as one unbatched sequence of B steps. Give it a sequence of one step: "
                           "self.embed(tokens[:, None]) is (B, 1, E). (PyTorch said: "
                           f"{error.message.split('raised ', 1)[-1]})")
    return error


def check_decoder_step(student_class: Callable[..., Any]) -> None:
    """``step(tokens, state)`` reads one token per row from ``state`` and returns the logits
    (B, V) of the next token and the new state."""
    check = "check_decoder_step"
    tokens = _ids(B, seed=3)
    for cell in CELLS:
        model = _build(check, student_class, cell)
        reference = _reference(cell)
        state = _random_state(cell, seed=4)
        with torch.no_grad():
            try:
                got = call_student(check, model.step, tokens, state)
            except CheckFailed as error:
                raise _translate_step_error(check, error) from None
            want_logits, want_state = reference.step(tokens, state)
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise CheckFailed(check, "step must return two things, (logits, new_state); got "
                              f"{type(got).__name__}.")
        logits, new_state = got
        if isinstance(logits, torch.Tensor) and logits.shape == (B, 1, V):
            raise CheckFailed(check, f"your logits have shape {tuple(logits.shape)}: drop the time "
                              f"axis of length 1 (outputs[:, 0]) and return (B, V) = {(B, V)}.")
        if isinstance(logits, torch.Tensor) and logits.shape[-1] == H and logits.shape[0] == B:
            raise CheckFailed(check, f"your logits have shape {tuple(logits.shape)}, the decoder's "
                              f"hidden size: apply self.readout to get (B, V) = {(B, V)}.")
        expect_array(check, "your logits", logits, library="torch", shape=(B, V),
                     dtype=torch.float32)
        if not _close(logits, want_logits):
            with torch.no_grad():
                from_zero, _ = reference.step(tokens, None)
                twin = _patched(reference, decoder=reference.encoder)
                with_encoder, _ = twin.step(tokens, state)
            _name_the_mistake(check, logits, [
                (want_logits.softmax(-1), "you return probabilities (a softmax); return the "
                 "logits l_t = s_t W_hy^T + b_y: the loss and the argmax take logits."),
                (want_logits.log_softmax(-1), "you return log-probabilities (a log_softmax); "
                 "return the raw logits l_t = s_t W_hy^T + b_y, as self.readout gives them."),
                (from_zero, "your step ignores the state it is given (it starts from zeros): "
                 "pass state to self.decoder as its initial state."),
                (with_encoder, "you run the step through self.encoder; decoding uses self.decoder."),
            ])
            raise CheckFailed(check, f"with cell={cell!r} your logits differ from the reference's "
                              f"on the same weights: {_where(logits, want_logits)}.")
        if _close(new_state, state) and not _close(want_state, state):
            raise CheckFailed(check, "you return the state you were given; return the decoder's "
                              "new state, so that the next step continues from it.")
        if not _same_structure(new_state, want_state):
            raise CheckFailed(check, f"with cell={cell!r} step must return the decoder's new state "
                              f"as nn.{cell} returns it, {_state_shape_words(cell)}; you return "
                              f"{_describe(new_state)}.")
        if not _close(new_state, want_state):
            raise CheckFailed(check, f"with cell={cell!r} the state you return is not the "
                              f"decoder's new state: {_where(new_state, want_state)}.")
    passed(check, "logits (B, V) and the new state, for RNN, GRU and LSTM, from the given state.")


def check_teacher_forcing(student_class: Callable[..., Any]) -> None:
    """``forward(src, decoder_inputs)`` returns the logits (B, T, V) of every step at once, the
    decoder starting from the encoder's final state and reading ``decoder_inputs``."""
    check = "check_teacher_forcing"
    src = _ids(B, S, seed=5)
    decoder_inputs = torch.cat([torch.full((B, 1), START), _ids(B, T - 1, seed=6)], dim=1)
    for cell in ("GRU", "LSTM"):
        model = _build(check, student_class, cell)
        reference = _reference(cell)
        with torch.no_grad():
            got = call_student(check, model.forward, src, decoder_inputs)
            want = reference(src, decoder_inputs)
        if isinstance(got, torch.Tensor) and got.shape == (B, T, H):
            raise CheckFailed(check, f"your output has shape {tuple(got.shape)}, the decoder's "
                              "hidden size: apply self.readout to every step, (B, T, V) = "
                              f"{(B, T, V)}.")
        expect_array(check, "your logits", got, library="torch", shape=(B, T, V),
                     dtype=torch.float32)
        if _close(got, want):
            _check_gradients_reach_every_layer(check, model, src, decoder_inputs)
            continue
        with torch.no_grad():
            outputs, _ = reference.decoder(reference.embed(decoder_inputs))
            from_zero = reference.readout(outputs)
            shifted_twice = reference(src, shift_right(decoder_inputs, START))
            free_running = _free_running_logits(reference, src, T)
            twin = _patched(reference, decoder=reference.encoder)
            with_encoder = twin(src, decoder_inputs)
        _name_the_mistake(check, got, [
            (want.softmax(-1), "you return probabilities (a softmax); return the logits, as "
             "self.readout gives them."),
            (from_zero, "your decoder starts from zeros: give it the encoder's final state, "
             "self.encode(src), as its initial state. That state is the only path from the "
             "source to the answer."),
            (shifted_twice, "you shift decoder_inputs again inside forward: they arrive already "
             "shifted (<s>, y_1, ...); read them as they are."),
            (free_running, "your forward feeds the decoder its own predictions; under teacher "
             "forcing it reads decoder_inputs, the true previous tokens, all T steps in one call."),
            (with_encoder, "you decode with self.encoder; the decoder has its own RNN, "
             "self.decoder."),
        ])
        raise CheckFailed(check, f"with cell={cell!r} your logits differ from the reference's on "
                          f"the same weights: {_where(got, want)}.")
    passed(check, "teacher-forced logits (B, T, V), the decoder starting from the encoder's state; "
           "the loss's gradient reaches every layer.")


def _check_gradients_reach_every_layer(check: str, model: torch.nn.Module, src: torch.Tensor,
                                       decoder_inputs: torch.Tensor) -> None:
    """Backpropagate a loss of the student's logits (on the reference's weights) and require a
    nonzero gradient on every parameter: right values with a cut graph (an encoder state
    detached, a frozen table) cannot learn, since the state is the only path from the source."""
    targets = _ids(B, T, seed=7)
    model.zero_grad(set_to_none=True)
    logits = call_student(check, model.forward, src, decoder_inputs)
    if not logits.requires_grad:
        raise CheckFailed(check, "your logits carry no gradient: forward must run with autograd "
                          "on (no torch.no_grad(), .detach() or numpy inside), or the model cannot "
                          "learn.")
    F.cross_entropy(logits.transpose(1, 2), targets).backward()
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            layer = "the embedding table" if name.startswith("embedding") else f"`{name}`"
            raise CheckFailed(check, f"{layer} is frozen (requires_grad=False on `{name}`): "
                              "training would never change it. Leave every parameter trainable.")
    stuck = [name for name, parameter in model.named_parameters()
             if parameter.grad is None or not torch.any(parameter.grad != 0)]
    model.zero_grad(set_to_none=True)
    if stuck and all(name.startswith("encoder") for name in stuck):
        raise CheckFailed(check, "the loss sends no gradient to the encoder (" + ", ".join(stuck)
                          + "): you detach the encoder's state (in encode or forward), so the "
                          "encoder never learns and the decoder never learns to read the source. "
                          "Pass the state on as the RNN returns it.")
    if stuck:
        raise CheckFailed(check, "the loss sends no gradient to " + ", ".join(stuck) + ": "
                          "something in forward cuts the graph (.detach(), .data, torch.no_grad()) "
                          "before these layers, so training would never change them.")


def _free_running_logits(model: Seq2Seq, src: torch.Tensor, steps: int) -> torch.Tensor:
    state, token, out = model.encode(src), torch.full((len(src),), START), []
    for _ in range(steps):
        logits, state = model.step(token, state)
        token = logits.argmax(-1)
        out.append(logits)
    return torch.stack(out, 1)


def check_encoder_decoder(student_class: Callable[..., Any]) -> None:
    """All four checks of the model at once: the one ``student_or_reference`` uses to choose
    between your class and the reference :class:`course_utils.seq2seq.Seq2Seq`."""
    check = "check_encoder_decoder"
    for part in (check_embedding, check_encoder, check_decoder_step, check_teacher_forcing):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                part(student_class)
        except CheckFailed as error:
            raise CheckFailed(check, f"{part.__name__} fails: {error.message}") from None
    passed(check, "embedding, encoder, decoder step and teacher forcing all match the reference.")


# --------------------------------------------------------------------------- masked loss
def check_masked_loss(student_masked_loss: Callable[..., Any]) -> None:
    """The loss is the mean cross-entropy over the real (non-padding) target tokens only."""
    check = "check_masked_loss"
    g = torch.Generator().manual_seed(0)
    y = _targets()
    logits = torch.randn(*y.shape, 14, generator=g, requires_grad=True)
    try:
        got = call_student(check, student_masked_loss, logits, y, PAD)
    except CheckFailed as error:
        if "Expected target size" in error.message or "Expected input batch_size" in error.message:
            raise CheckFailed(check, "F.cross_entropy reads the classes from dimension 1, so it "
                              "took your (B, T, V) logits for B rows of T classes. Give it "
                              "logits.transpose(1, 2), shape (B, V, T), or flatten both: "
                              "logits.reshape(-1, V) and targets.reshape(-1).") from None
        raise
    if not isinstance(got, torch.Tensor) or got.numel() != 1:
        raise CheckFailed(check, "return the loss as a scalar tensor (one number), got "
                          f"{tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__}.")
    if not got.requires_grad:
        raise CheckFailed(check, "your loss carries no gradient: compute it with torch operations "
                          "on the logits (no .item(), .detach() or numpy).")
    want = masked_cross_entropy(logits, y, PAD)
    value = float(got.detach())
    if abs(value - float(want.detach())) < 1e-5:
        _check_pad_id_is_used(check, student_masked_loss, logits, y)
        passed(check, f"mean cross-entropy over the {int((y != PAD).sum())} real tokens "
               f"({value:.4f}); the padding is ignored, whatever pad_id is.")
        return
    per_token = F.cross_entropy(logits.detach().transpose(1, 2), y, reduction="none")
    mask = (y != PAD).float()
    if abs(value - float(per_token.mean())) < 1e-5:
        raise CheckFailed(check, f"your loss counts the padding: {int((y == PAD).sum())} of the "
                          f"{y.numel()} positions are <pad>, and the model is trained to predict "
                          "them. Ignore targets equal to pad_id (ignore_index, or a mask).")
    if abs(value - float((per_token * mask).sum() / y.numel())) < 1e-5:
        raise CheckFailed(check, "you zero the padding but divide by all B*T positions; divide by "
                          "the number of real (non-padding) tokens.")
    with torch.no_grad():
        from_probabilities = float(masked_cross_entropy(logits.softmax(-1), y, PAD))
    if abs(value - from_probabilities) < 1e-5:
        raise CheckFailed(check, "you give the cross-entropy probabilities (a softmax of the "
                          "logits); F.cross_entropy applies log_softmax itself, so pass it the raw "
                          "logits.")
    if abs(value - float((per_token * mask).sum())) < 1e-4:
        raise CheckFailed(check, "you sum the loss over tokens; take the mean over the real tokens "
                          "so the learning rate does not depend on the batch size.")
    raise CheckFailed(check, f"your loss is {value:.4f}, expected {float(want.detach()):.4f}: the mean "
                      "cross-entropy of the logits against the targets over non-padding positions.")


def _check_pad_id_is_used(check: str, student: Callable, logits: torch.Tensor,
                          y: torch.Tensor) -> None:
    """The same targets with another padding id (13) must give the same loss."""
    other = torch.where(y == PAD, torch.full_like(y, 13), y)
    got = call_student(check, student, logits, other, 13)
    want = float(masked_cross_entropy(logits, other, 13).detach())
    if not (isinstance(got, torch.Tensor) and got.numel() == 1
            and abs(float(got.detach()) - want) < 1e-5):
        raise CheckFailed(check, "with pad_id=13 (padding written as 13) your loss changes: you "
                          "skip a fixed id instead of the pad_id argument.")


# --------------------------------------------------------------------------- greedy decoding
class _Spy(torch.nn.Module):
    """Wraps a model and records what the decoder is fed at every step."""

    def __init__(self, model: Seq2Seq):
        super().__init__()
        self.model = model
        self.fed: list[torch.Tensor] = []
        self.predicted: list[torch.Tensor] = []
        self.states_in: list[Any] = []
        self.states_out: list[Any] = []
        self.encoded: Any = None

    def encode(self, src):
        self.encoded = self.model.encode(src)
        return self.encoded

    def step(self, tokens, state):
        self.fed.append(torch.as_tensor(tokens).detach().clone().reshape(-1))
        self.states_in.append(state)
        logits, new_state = self.model.step(tokens, state)
        self.predicted.append(logits.argmax(-1).detach().clone())
        self.states_out.append(new_state)
        return logits, new_state

    def forward(self, src, decoder_inputs):
        return self.model(src, decoder_inputs)


# False acceptance. A decoder that feeds the true token (for echo, src[:, t]) instead of its own
# prediction with probability p at a step is caught at the first such step where the two differ
# in some row. One call has MAX_LEN - 1 = 5 fed-back steps; the check makes ROUNDS = 10 calls for
# each of two cells, 100 steps in all. With one coin per step for the whole batch, such a decoder
# passes with probability (1 - p)^100 (3e-13 for p = 0.25, 3e-5 for p = 0.1), up to the rare
# steps where the true token equals the prediction in all 6 rows (untrained models, V = 20);
# with one coin per row and step it has 600 chances to be caught.
ROUNDS, MAX_LEN = 10, 6


def check_greedy_decode(student_greedy_decode: Callable[..., Any]) -> None:
    """Greedy decoding feeds back its own argmax and carries the decoder state forward."""
    check = "check_greedy_decode"
    rows = 6
    for cell in ("GRU", "LSTM"):
        for round_ in range(ROUNDS):
            # echo-style sources: the true target of step t is src[:, t]
            src = _ids(rows, MAX_LEN + 1, seed=10 + round_)
            spy = _Spy(_reference(cell, seed=round_))
            start = START if round_ % 2 == 0 else OTHER_START   # the start_id argument is used
            try:
                got = call_student(check, student_greedy_decode, spy, src, start, MAX_LEN)
            except CheckFailed as error:
                if "Expected hidden size" in error.message:
                    raise CheckFailed(check, "the tokens you fed model.step are not one per row "
                                      "of the batch, shape (B,): take the argmax over the "
                                      "vocabulary, the last axis (logits.argmax(-1)), not over the "
                                      "batch. (PyTorch said: "
                                      f"{error.message.split('raised ', 1)[-1]})") from None
                if cell == "LSTM" and "tuple" in error.message:
                    raise CheckFailed(check, "with an LSTM the state is a pair (h, c), and your "
                                      "code treats it as one tensor: pass the state on as "
                                      "model.step returns it. (Python said: "
                                      f"{error.message.split('raised ', 1)[-1]})") from None
                raise
            _check_one_decode(check, spy, src, got, rows, cell, start)
    passed(check, f"feeds back its own argmax for {MAX_LEN} steps and carries the state, "
           f"{2 * ROUNDS} runs with GRU and LSTM decoders, start ids {START} and {OTHER_START}.")


def _check_one_decode(check: str, spy: _Spy, src: torch.Tensor, got: Any, rows: int,
                      cell: str, start: int) -> None:
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (rows, MAX_LEN + 1):
        raise CheckFailed(check, f"you return {MAX_LEN + 1} steps: leave out the start token and "
                          f"return the {MAX_LEN} predicted tokens, shape (B, max_len).")
    expect_array(check, "your tensor of decoded ids", got, library="torch", shape=(rows, MAX_LEN),
                 dtype="integer", hint="Return the argmax token ids of every step, "
                 "torch.stack(..., dim=1).")
    if spy.encoded is None:
        raise CheckFailed(check, "you never call model.encode(src): the decoder must start from "
                          "the encoder's final state.")
    if not spy.fed:
        raise CheckFailed(check, "you never call model.step(tokens, state): decode one step at a time.")
    if not torch.all(spy.fed[0] == start):
        if torch.all(spy.fed[0] == START):
            raise CheckFailed(check, f"with start_id={start} you feed {START} first: you write a "
                              "fixed id instead of the start_id argument.")
        raise CheckFailed(check, f"the first token fed to the decoder must be the start token "
                          f"start_id (here {start}), you fed {spy.fed[0].tolist()}.")
    if not _close(spy.states_in[0], spy.encoded):
        raise CheckFailed(check, "the first decoder step must start from the encoder's state "
                          "(the value model.encode(src) returned).")
    for t in range(1, len(spy.fed)):
        if not torch.equal(spy.fed[t], spy.predicted[t - 1]):
            truth = src[:, t - 1]
            differs = spy.fed[t] != spy.predicted[t - 1]
            if torch.equal(spy.fed[t][differs], truth[differs]):
                raise CheckFailed(check, f"at step {t} you feed the decoder the true target "
                                  "(teacher forcing) instead of its own prediction; at inference "
                                  "there is no target: feed back the argmax of the previous logits, "
                                  "at every step.")
            if torch.all(spy.fed[t] == start):
                raise CheckFailed(check, f"at step {t} you feed <s> again; feed back the token "
                                  "the decoder predicted at the previous step.")
            raise CheckFailed(check, f"at step {t} the decoder reads {spy.fed[t].tolist()}, but it "
                              f"predicted {spy.predicted[t - 1].tolist()} at step {t - 1}: feed back "
                              "the argmax of the previous logits.")
        if not _close(spy.states_in[t], spy.states_out[t - 1]):
            raise CheckFailed(check, f"at step {t} you do not pass on the state returned by the "
                              f"previous model.step ({cell} decoder): carry the decoder state "
                              "forward.")
    if len(spy.fed) != MAX_LEN:
        raise CheckFailed(check, f"you call model.step {len(spy.fed)} times for max_len={MAX_LEN}.")
    if not torch.equal(got.long(), torch.stack(spy.predicted, dim=1)):
        raise CheckFailed(check, "the ids you return are not the argmax predictions you fed back; "
                          "return the predicted token of every step, in order.")


# --------------------------------------------------------------------------- exact match
# the two layouts the lab feeds: addition answers as strings, echo targets as rows of ids
_PREDICTED = ["596", "59", "1000", "7", "", "12", "997", "5960"]
_EXPECTED = ["596", "596", "1000", "8", "3", "12", "998", "596"]
_PREDICTED_ROWS = [(45, 67, 2), (45, 68, 2), (9, 9, 2), (4, 4, 2), (36, 60, 2), (12, 25, 2)]
_EXPECTED_ROWS = [(45, 67, 2), (45, 67, 2), (9, 9, 2), (4, 5, 2), (60, 36, 2), (12, 25, 2)]
# rotated answers: every wrong prediction is another row's expected answer, so a test of
# membership in the whole list (p in expected, or a set intersection) scores 3/3, not 1/3
_PREDICTED_ROTATED = ["12", "596", "7"]
_EXPECTED_ROTATED = ["596", "12", "7"]


def _as_fraction(check: str, value: Any) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CheckFailed(check, f"return a number (a fraction in [0, 1]), got "
                          f"{type(value).__name__} {value!r}.")
    return float(value)


def check_exact_match(student_exact_match: Callable[..., Any]) -> None:
    """A whole answer counts as right only if every token is right and nothing is missing,
    on both layouts the lab uses: lists of strings and lists of equal-length tuples of ids."""
    check = "check_exact_match"
    for predicted, expected, layout in ((_PREDICTED, _EXPECTED, "strings (addition answers)"),
                                        (_PREDICTED_ROWS, _EXPECTED_ROWS,
                                         "rows of token ids (echo: equal-length tuples)"),
                                        (_PREDICTED_ROTATED, _EXPECTED_ROTATED,
                                         "strings where a wrong answer is another row's answer")):
        value = _as_fraction(check, call_student(check, student_exact_match, list(predicted),
                                                 list(expected)))
        want = sum(p == e for p, e in zip(predicted, expected)) / len(expected)
        if abs(value - want) < 1e-9:
            continue
        members = sum(p in expected for p in predicted) / len(expected)
        if abs(value - members) < 1e-9 and abs(members - want) > 1e-9:
            raise CheckFailed(check, f"on predicted {predicted} and expected {expected} you return "
                              f"{value:.3f}, where {want:.3f} of the answers are right: you test "
                              "membership in the whole list, not row i against row i. An answer "
                              "counts only if it equals the expected answer of its own row: "
                              "zip(predicted, expected).")
        tokens = sum(sum(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected))
        if abs(value - tokens / sum(len(e) for e in expected)) < 1e-9:
            words = ("'997' for '998' is 2/3 right per character but a wrong sum" if
                     layout.startswith("strings") else
                     f"on {layout} you return {value:.3f}, the share of tokens right, where "
                     f"{want:.3f} of the rows are right (an elementwise == over the array of rows "
                     "compares token by token)")
            raise CheckFailed(check, f"you score tokens, not whole sequences: {words}. Count a "
                              "sequence only if it is equal as a whole (predicted == expected), "
                              "then divide by the number of sequences.")
        prefix = sum(all(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected))
        if abs(value - prefix / len(expected)) < 1e-9:
            raise CheckFailed(check, "you compare with zip(), which stops at the shorter string, so "
                              "'59' counts as right for '596' (and '' for anything). Compare whole "
                              "strings.")
        if abs(value - 100 * want) < 1e-6:
            raise CheckFailed(check, f"return a fraction in [0, 1], not a percentage ({value:g}).")
        if abs(value - want * len(expected)) < 1e-9:
            raise CheckFailed(check, "you return the number of right answers; divide by the number "
                              "of answers to get a fraction.")
        raise CheckFailed(check, f"on {layout} your function gives {value:.4f} where {want:.4f} of "
                          "the sequences are exactly right.")
    passed(check, "whole sequences counted, on lists of strings and on rows of ids (prefixes, "
           "near misses, partly right rows and another row's answer count as wrong).")
