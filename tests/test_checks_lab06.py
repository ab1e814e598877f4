"""Every Lab 06 check accepts right answers and names each planted mistake."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import seq2seq
from course_utils.checks import lab06
from tests._checks import (Case, rejects as _fails, squash, stub, to_float32, to_float64,
                           to_list, to_numpy)


# ----------------------------------------------------------------- shift_right
def shift_ok(targets, start_id):
    start = torch.full_like(targets[:, :1], start_id)
    return torch.cat([start, targets[:, :-1]], dim=1)


def shift_none(targets, start_id):
    return targets


def shift_left(targets, start_id):
    return torch.cat([targets[:, 1:], torch.zeros_like(targets[:, :1])], dim=1)


def shift_keeps_last(targets, start_id):
    return torch.cat([torch.full_like(targets[:, :1], start_id), targets], dim=1)


def shift_overwrites(targets, start_id):
    out = targets.clone()
    out[:, 0] = start_id
    return out


def shift_pad_start(targets, start_id):
    return torch.cat([torch.zeros_like(targets[:, :1]), targets[:, :-1]], dim=1)


def shift_float_start(targets, start_id):
    """Issue 15: the start column built from floats; torch.cat promotes the result to float."""
    start = torch.ones(len(targets), 1) * start_id
    return torch.cat([start, targets[:, :-1]], dim=1)


def test_shift_check_accepts_the_right_shift(capsys):
    lab06.check_shift_right(shift_ok)
    lab06.check_shift_right(seq2seq.shift_right)
    assert capsys.readouterr().out.count("✓ check_shift_right") == 2


def shift_ones_start(targets, start_id):
    """Review u6 finding 10: right only while start_id happens to be 1."""
    return torch.cat([torch.ones_like(targets[:, :1]), targets[:, :-1]], dim=1)


def shift_int32(targets, start_id):
    return shift_ok(targets, start_id).int()


def shift_along_batch(targets, start_id):
    """Review u6 finding 15: rows shifted instead of steps."""
    return torch.cat([torch.full_like(targets[:1], start_id), targets[:-1]], dim=0)


@pytest.mark.parametrize("wrong, words", [
    (shift_ones_start, "with start_id=7 your first column is [1, 1, 1]"),
    (shift_int32, "which keeps their dtype"),
    (shift_along_batch, "you shifted along the batch axis (dim 0)"),
    (shift_none, "is the target y_t itself"),
    (shift_left, "you shifted left"),
    (shift_keeps_last, "T + 1 = 6 steps"),
    (shift_overwrites, "instead of shifting"),
    (shift_pad_start, "must be the start token <s>"),
    (shift_float_start, "dtype torch.float32, expected torch.int64"),
    (stub, "not implemented yet"),
])
def test_shift_check_names_each_mistake(wrong, words):
    _fails(lab06.check_shift_right, wrong, words)


# ----------------------------------------------------------------- the encoder-decoder
class Good(nn.Module):
    """The lab's solution, as a student writes it."""

    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__()
        self.vocab_size, self.one_hot = vocab_size, one_hot
        width = vocab_size if one_hot else embedding_dim
        self.embedding = None if one_hot else nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.encoder = getattr(nn, cell)(width, hidden_size, batch_first=True)
        self.decoder = getattr(nn, cell)(width, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def embed(self, ids):
        if self.one_hot:
            return F.one_hot(ids, self.vocab_size).float()
        return self.embedding(ids)

    def encode(self, src):
        _, state = self.encoder(self.embed(src))
        return state

    def step(self, tokens, state):
        outputs, state = self.decoder(self.embed(tokens[:, None]), state)
        return self.readout(outputs[:, 0]), state

    def forward(self, src, decoder_inputs):
        outputs, _ = self.decoder(self.embed(decoder_inputs), self.encode(src))
        return self.readout(outputs)


class StepByStepTeacherForcing(Good):
    """Right, only slower: teacher forcing one step at a time."""

    def forward(self, src, decoder_inputs):
        state, logits = self.encode(src), []
        for t in range(decoder_inputs.shape[1]):
            step_logits, state = self.step(decoder_inputs[:, t], state)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)


class StubbedInit(Good):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stub()


# embedding and __init__
class OneHotWithoutNumClasses(Good):
    def embed(self, ids):
        return F.one_hot(ids).float() if self.one_hot else self.embedding(ids)


class OneHotIntegers(Good):
    def embed(self, ids):
        return F.one_hot(ids, self.vocab_size) if self.one_hot else self.embedding(ids)


class OneHotAlways(Good):
    def embed(self, ids):
        return F.one_hot(ids, self.vocab_size).float()


class OtherNames(Good):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output = self.readout
        del self.readout


class TableTransposed(Good):
    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__(vocab_size, hidden_size, embedding_dim, cell, one_hot)
        if not one_hot:
            self.embedding = nn.Embedding(embedding_dim, vocab_size)


class TableKeptForOneHot(Good):
    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__(vocab_size, hidden_size, embedding_dim, cell, one_hot)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)


class EncoderReadsVocabSize(Good):
    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__(vocab_size, hidden_size, embedding_dim, cell, one_hot)
        self.encoder = getattr(nn, cell)(vocab_size, hidden_size, batch_first=True)


class NotBatchFirst(Good):
    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__(vocab_size, hidden_size, embedding_dim, cell, one_hot)
        width = vocab_size if one_hot else embedding_dim
        self.encoder = getattr(nn, cell)(width, hidden_size)


class AlwaysGRU(Good):
    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__(vocab_size, hidden_size, embedding_dim, "GRU", one_hot)


class OneRNN(Good):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decoder = self.encoder


class SeparateDecoderTable(Good):
    def __init__(self, vocab_size, hidden_size=128, embedding_dim=32, cell="GRU", one_hot=False):
        super().__init__(vocab_size, hidden_size, embedding_dim, cell, one_hot)
        self.target_embedding = nn.Embedding(vocab_size, embedding_dim)


def test_model_checks_accept_the_solution_the_reference_and_step_by_step(capsys):
    for check in (lab06.check_embedding, lab06.check_encoder, lab06.check_decoder_step,
                  lab06.check_teacher_forcing, lab06.check_encoder_decoder):
        for right in (Good, seq2seq.Seq2Seq, StepByStepTeacherForcing):
            check(right)
    assert capsys.readouterr().out.count("✓") == 15


@pytest.mark.parametrize("wrong, words", [
    (OneHotWithoutNumClasses, "pass num_classes=self.vocab_size"),
    (OneHotIntegers, "need .float()"),
    (OneHotAlways, "must look the ids up in self.embedding"),
    (OtherNames, "no attribute `readout`"),
    (TableTransposed, "`embedding.weight` has shape (8, 20), expected (20, 8)"),
    (TableKeptForOneHot, "set self.embedding = None"),
    (EncoderReadsVocabSize, "width E = 8 (the embedding size)"),
    (NotBatchFirst, "without batch_first=True"),
    (OneRNN, "the same layer"),
    (SeparateDecoderTable, "one embedding table, shared"),
    (StubbedInit, "not implemented yet"),
])
def test_embedding_check_names_each_mistake(wrong, words):
    _fails(lab06.check_embedding, wrong, words)


# encoder
class ReturnsOutputs(Good):
    def encode(self, src):
        outputs, _ = self.encoder(self.embed(src))
        return outputs


class ReturnsLastOutput(Good):
    def encode(self, src):
        outputs, _ = self.encoder(self.embed(src))
        return outputs[:, -1]


class DropsCellState(Good):
    def encode(self, src):
        _, state = self.encoder(self.embed(src))
        return state[0] if isinstance(state, tuple) else state


class EncodesWithDecoder(Good):
    def encode(self, src):
        _, state = self.decoder(self.embed(src))
        return state


class EncodesReversed(Good):
    def encode(self, src):
        _, state = self.encoder(self.embed(src.flip(1)))
        return state


class StubbedEncode(Good):
    def encode(self, src):
        stub()


@pytest.mark.parametrize("wrong, words", [
    (ReturnsOutputs, "outputs at every step"),
    (ReturnsLastOutput, "as (B, H) = (3, 16)"),
    (DropsCellState, "the pair (h, c), and you return only h"),
    (EncodesWithDecoder, "through self.decoder"),
    (EncodesReversed, "differs from the reference's on the same weights"),
    (AlwaysGRU, "expected nn.RNN for cell='RNN'"),
    (StubbedEncode, "not implemented yet"),
])
def test_encoder_check_names_each_mistake(wrong, words):
    _fails(lab06.check_encoder, wrong, words)


# decoder step
class IgnoresState(Good):
    def step(self, tokens, state):
        outputs, state = self.decoder(self.embed(tokens[:, None]))
        return self.readout(outputs[:, 0]), state


class ReturnsOldState(Good):
    def step(self, tokens, state):
        outputs, _ = self.decoder(self.embed(tokens[:, None]), state)
        return self.readout(outputs[:, 0]), state


class StepSoftmax(Good):
    def step(self, tokens, state):
        logits, state = super().step(tokens, state)
        return logits.softmax(-1), state


class StepWithoutTimeAxis(Good):
    def step(self, tokens, state):
        outputs, state = self.decoder(self.embed(tokens), state)
        return self.readout(outputs), state


class StepWithoutReadout(Good):
    def step(self, tokens, state):
        outputs, state = self.decoder(self.embed(tokens[:, None]), state)
        return outputs[:, 0], state


class StepKeepsTimeAxis(Good):
    def step(self, tokens, state):
        outputs, state = self.decoder(self.embed(tokens[:, None]), state)
        return self.readout(outputs), state


class StepWithEncoder(Good):
    def step(self, tokens, state):
        outputs, state = self.encoder(self.embed(tokens[:, None]), state)
        return self.readout(outputs[:, 0]), state


class StubbedStep(Good):
    def step(self, tokens, state):
        stub()


@pytest.mark.parametrize("wrong, words", [
    (IgnoresState, "ignores the state it is given"),
    (ReturnsOldState, "you return the state you were given"),
    (StepSoftmax, "you return probabilities"),
    (StepWithoutTimeAxis, "tokens[:, None]"),
    (StepWithoutReadout, "apply self.readout"),
    (StepKeepsTimeAxis, "drop the time axis"),
    (StepWithEncoder, "through self.encoder"),
    (StubbedStep, "not implemented yet"),
])
def test_decoder_step_check_names_each_mistake(wrong, words):
    message = _fails(lab06.check_decoder_step, wrong)
    assert words in squash(message), message


# teacher forcing
class DecoderFromZeros(Good):
    def forward(self, src, decoder_inputs):
        outputs, _ = self.decoder(self.embed(decoder_inputs))
        return self.readout(outputs)


class ShiftsAgain(Good):
    def forward(self, src, decoder_inputs):
        return super().forward(src, seq2seq.shift_right(decoder_inputs, 1))


class FreeRunning(Good):
    def forward(self, src, decoder_inputs):
        state, token, logits = self.encode(src), decoder_inputs[:, 0], []
        for _ in range(decoder_inputs.shape[1]):
            step_logits, state = self.step(token, state)
            token = step_logits.argmax(-1)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)


class ForwardWithoutReadout(Good):
    def forward(self, src, decoder_inputs):
        outputs, _ = self.decoder(self.embed(decoder_inputs), self.encode(src))
        return outputs


class DecodesWithEncoder(Good):
    def forward(self, src, decoder_inputs):
        outputs, _ = self.encoder(self.embed(decoder_inputs), self.encode(src))
        return self.readout(outputs)


class ForwardSoftmax(Good):
    def forward(self, src, decoder_inputs):
        return super().forward(src, decoder_inputs).softmax(-1)


class StubbedForward(Good):
    def forward(self, src, decoder_inputs):
        stub()


class DetachesInEncode(Good):
    """Review u6 finding 1: right values, but no gradient reaches the encoder (cannot learn)."""

    def encode(self, src):
        state = super().encode(src)
        return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class DetachesInForward(Good):
    def forward(self, src, decoder_inputs):
        state = self.encode(src)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        outputs, _ = self.decoder(self.embed(decoder_inputs), state)
        return self.readout(outputs)


class FrozenTable(Good):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.embedding is not None:
            self.embedding.weight.requires_grad_(False)


class ForwardWithoutGrad(Good):
    def forward(self, src, decoder_inputs):
        with torch.no_grad():
            return super().forward(src, decoder_inputs)


class DetachedReadoutInput(Good):
    def forward(self, src, decoder_inputs):
        outputs, _ = self.decoder(self.embed(decoder_inputs), self.encode(src))
        return self.readout(outputs.detach())


@pytest.mark.parametrize("wrong, words", [
    (DetachesInEncode, "you detach the encoder's state"),
    (DetachesInForward, "you detach the encoder's state"),
    (FrozenTable, "the embedding table is frozen"),
    (ForwardWithoutGrad, "your logits carry no gradient"),
    (DetachedReadoutInput, "no gradient to embedding.weight, encoder.weight_ih_l0"),
    (DecoderFromZeros, "your decoder starts from zeros"),
    (ShiftsAgain, "you shift decoder_inputs again"),
    (FreeRunning, "feeds the decoder its own predictions"),
    (ForwardWithoutReadout, "apply self.readout to every step"),
    (DecodesWithEncoder, "you decode with self.encoder"),
    (ForwardSoftmax, "you return probabilities"),
    (StubbedForward, "not implemented yet"),
])
def test_teacher_forcing_check_names_each_mistake(wrong, words):
    _fails(lab06.check_teacher_forcing, wrong, words)


@pytest.mark.parametrize("wrong, words", [
    (StubbedInit, "check_embedding fails"),
    (DropsCellState, "check_encoder fails"),
    (IgnoresState, "check_decoder_step fails"),
    (ShiftsAgain, "check_teacher_forcing fails"),
    (DetachesInEncode, "you detach the encoder's state"),
    (FrozenTable, "the embedding table is frozen"),
])
def test_the_whole_model_check_names_the_failing_part(wrong, words):
    _fails(lab06.check_encoder_decoder, wrong, words)


# ----------------------------------------------------------------- masked loss
def loss_ok(logits, targets, pad_id):
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=pad_id)


def loss_flattened(logits, targets, pad_id):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=pad_id)


def loss_with_a_mask(logits, targets, pad_id):
    per = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    mask = targets != pad_id
    return (per * mask).sum() / mask.sum()


def loss_counts_padding(logits, targets, pad_id):
    return F.cross_entropy(logits.transpose(1, 2), targets)


def loss_divides_by_all(logits, targets, pad_id):
    per = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    return (per * (targets != pad_id)).sum() / targets.numel()


def loss_sums(logits, targets, pad_id):
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=pad_id, reduction="sum")


def loss_detached(logits, targets, pad_id):
    return loss_ok(logits, targets, pad_id).detach()


def loss_item(logits, targets, pad_id):
    return loss_ok(logits, targets, pad_id).item()


def loss_not_transposed(logits, targets, pad_id):
    """Issue 15: PyTorch's own error ("Expected target size ...") must not reach the student."""
    return F.cross_entropy(logits, targets, ignore_index=pad_id)


def loss_probabilities(logits, targets, pad_id):
    """Review u6 finding 15: a softmax before F.cross_entropy (which applies log_softmax)."""
    return loss_ok(logits.softmax(-1), targets, pad_id)


def loss_fixed_pad(logits, targets, pad_id):
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=0)


def test_loss_check_accepts_the_masked_mean_three_ways(capsys):
    for right in (loss_ok, loss_flattened, loss_with_a_mask, seq2seq.masked_cross_entropy):
        lab06.check_masked_loss(right)
    assert squash(capsys.readouterr().out).count("padding is ignored") == 4


@pytest.mark.parametrize("wrong, words", [
    (loss_counts_padding, "your loss counts the padding"),
    (loss_divides_by_all, "divide by the number of real"),
    (loss_sums, "you sum the loss"),
    (loss_detached, "carries no gradient"),
    (loss_item, "scalar tensor"),
    (loss_fixed_pad, "instead of the pad_id argument"),
    (loss_probabilities, "you give the cross-entropy probabilities"),
    (stub, "not implemented yet"),
])
def test_loss_check_names_each_mistake(wrong, words):
    _fails(lab06.check_masked_loss, wrong, words)


def test_loss_check_translates_pytorchs_shape_error():
    message = _fails(lab06.check_masked_loss, loss_not_transposed)
    assert "logits.transpose(1, 2)" in message and "Expected target size" not in message


# ----------------------------------------------------------------- greedy decoding
def greedy_ok(model, src, start_id, max_len):
    state = model.encode(src)
    token = torch.full((len(src),), start_id)
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        token = logits.argmax(-1)
        out.append(token)
    return torch.stack(out, 1)


def _detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def greedy_detaching(model, src, start_id, max_len):
    """Right (issue 15): detaching the state changes nothing at inference."""
    state = _detach(model.encode(src))
    token = torch.full((len(src),), start_id)
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        state = _detach(state)
        token = logits.argmax(-1).detach()
        out.append(token)
    return torch.stack(out, 1)


def greedy_detaching_a_tensor_only(model, src, start_id, max_len):
    state = model.encode(src).detach()
    token = torch.full((len(src),), start_id)
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        token = logits.argmax(-1)
        out.append(token)
    return torch.stack(out, 1)


def greedy_ground_truth(model, src, start_id, max_len):
    """Teacher forcing at inference: for echo the true target of step t is src[:, t]."""
    state = model.encode(src)
    token = torch.full((len(src),), start_id)
    out = []
    for t in range(max_len):
        logits, state = model.step(token, state)
        out.append(logits.argmax(-1))
        token = src[:, t]
    return torch.stack(out, 1)


def greedy_sometimes_ground_truth(model, src, start_id, max_len, p=0.5):
    """Issue 15: the true previous token fed at random (a coin per step, for the whole batch)."""
    state = model.encode(src)
    token = torch.full((len(src),), start_id)
    out = []
    for t in range(max_len):
        logits, state = model.step(token, state)
        out.append(logits.argmax(-1))
        token = src[:, t] if random.random() < p else logits.argmax(-1)
    return torch.stack(out, 1)


def greedy_restarts_state(model, src, start_id, max_len):
    encoded = model.encode(src)
    token = torch.full((len(src),), start_id)
    out = []
    for _ in range(max_len):
        logits, _ = model.step(token, encoded)
        token = logits.argmax(-1)
        out.append(token)
    return torch.stack(out, 1)


def greedy_always_start(model, src, start_id, max_len):
    state = model.encode(src)
    token = torch.full((len(src),), start_id)
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        out.append(logits.argmax(-1))
    return torch.stack(out, 1)


def greedy_fixed_start(model, src, start_id, max_len):
    """Review u6 finding 10: right only while start_id happens to be 1."""
    return greedy_ok(model, src, 1, max_len)


def greedy_argmax_over_batch(model, src, start_id, max_len):
    state, token, out = model.encode(src), torch.full((len(src),), start_id), []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        token = logits.argmax(0)
        out.append(token)
    return torch.stack(out, 1)


def greedy_keeps_start(model, src, start_id, max_len):
    out = greedy_ok(model, src, start_id, max_len)
    return torch.cat([torch.full((len(src), 1), start_id), out], 1)


def greedy_no_encoder(model, src, start_id, max_len):
    token = torch.full((len(src),), start_id)
    state = None
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        token = logits.argmax(-1)
        out.append(token)
    return torch.stack(out, 1)


def greedy_probabilities(model, src, start_id, max_len):
    state = model.encode(src)
    token = torch.full((len(src),), start_id)
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        token = logits.argmax(-1)
        out.append(logits.softmax(-1).max(-1).values)
    return torch.stack(out, 1)


def test_greedy_check_accepts_the_reference_and_a_detaching_decoder(capsys):
    for right in (greedy_ok, greedy_detaching, seq2seq.greedy_decode):
        lab06.check_greedy_decode(right)
    assert capsys.readouterr().out.count("✓ check_greedy_decode") == 3


@pytest.mark.parametrize("wrong, words", [
    (greedy_ground_truth, "true target (teacher forcing)"),
    (greedy_sometimes_ground_truth, "true target (teacher forcing)"),
    (lambda m, s, a, n: greedy_sometimes_ground_truth(m, s, a, n, p=0.25),
     "true target (teacher forcing)"),
    (greedy_restarts_state, "carry the decoder state forward"),
    (greedy_always_start, "you feed <s> again"),
    (greedy_keeps_start, "leave out the start token"),
    (greedy_fixed_start, "with start_id=7 you feed 1 first"),
    (greedy_argmax_over_batch, "not over the batch"),
    (greedy_no_encoder, "never call model.encode"),
    (greedy_detaching_a_tensor_only, "the state is a pair (h, c)"),
    (greedy_probabilities, "expected an integer dtype"),
    (stub, "not implemented yet"),
])
def test_greedy_check_names_each_mistake(wrong, words):
    message = _fails(lab06.check_greedy_decode, wrong)
    assert words in squash(message), message


def test_random_teacher_forcing_never_passes_by_luck():
    """Issue 15: the false-acceptance probability stated in lab06 is (1 - p)^100."""
    random.seed(0)
    for _ in range(20):
        _fails(lab06.check_greedy_decode,
               lambda m, s, a, n: greedy_sometimes_ground_truth(m, s, a, n, p=0.25))


# ----------------------------------------------------------------- exact match
def exact_ok(predicted, expected):
    return sum(p == e for p, e in zip(predicted, expected)) / len(expected)


def exact_numpy_rows(predicted, expected):
    return float(np.mean([np.array_equal(p, e) for p, e in zip(predicted, expected)]))


def exact_elementwise(predicted, expected):
    """Issue 15: right on strings, per-token accuracy on equal-length rows of ids."""
    return float(np.mean(np.array(predicted) == np.array(expected)))


def exact_per_char(predicted, expected):
    right = sum(sum(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected))
    return right / sum(len(e) for e in expected)


def exact_zip(predicted, expected):
    return sum(all(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected)) / len(expected)


def exact_membership(predicted, expected):
    """Review u6 finding 2: 1.0 on the lab's rotated answers, where 0.001 are right."""
    return sum(p in expected for p in predicted) / len(expected)


def exact_set_intersection(predicted, expected):
    return len(set(predicted) & set(expected)) / len(expected)


def exact_percent(predicted, expected):
    return 100 * exact_ok(predicted, expected)


def exact_count(predicted, expected):
    return sum(p == e for p, e in zip(predicted, expected))


def exact_text(predicted, expected):
    return f"{exact_ok(predicted, expected):.3f}"


def test_exact_match_check_accepts_whole_answers(capsys):
    for right in (exact_ok, exact_numpy_rows, seq2seq.exact_match):
        lab06.check_exact_match(right)
    assert capsys.readouterr().out.count("✓ check_exact_match") == 3


@pytest.mark.parametrize("wrong, words", [
    (exact_elementwise, "the share of tokens right"),
    (exact_per_char, "you score tokens, not whole sequences"),
    (exact_zip, "stops at the shorter string"),
    (exact_membership, "you test membership in the whole list, not row i against row i"),
    (exact_set_intersection, "you test membership in the whole list, not row i against row i"),
    (exact_percent, "not a percentage"),
    (exact_count, "number of right answers"),
    (exact_text, "return a number"),
    (stub, "not implemented yet"),
])
def test_exact_match_check_names_each_mistake(wrong, words):
    message = _fails(lab06.check_exact_match, wrong)
    assert words in squash(message), message


def test_the_elementwise_mistake_is_rejected_on_the_lab_layout_where_it_misleads():
    rows_p, rows_e = lab06._PREDICTED_ROWS, lab06._EXPECTED_ROWS
    assert exact_elementwise(lab06._PREDICTED, lab06._EXPECTED) == exact_ok(lab06._PREDICTED, lab06._EXPECTED)
    assert exact_elementwise(rows_p, rows_e) == pytest.approx(14 / 18)
    assert exact_ok(rows_p, rows_e) == pytest.approx(3 / 6)


# ----------------------------------------------------------------- fallback
def test_student_or_reference_falls_back_and_says_why(capsys):
    assert lab06.student_or_reference(lab06.check_exact_match, exact_ok, seq2seq.exact_match) is exact_ok
    chosen = lab06.student_or_reference(lab06.check_exact_match, stub, seq2seq.exact_match)
    assert chosen is seq2seq.exact_match
    assert "using the reference exact_match" in capsys.readouterr().out
    model = lab06.student_or_reference(lab06.check_encoder_decoder, StubbedEncode, seq2seq.Seq2Seq)
    assert model is seq2seq.Seq2Seq
    assert "using the reference Seq2Seq" in squash(capsys.readouterr().out)
    assert lab06.student_or_reference(lab06.check_encoder_decoder, Good, seq2seq.Seq2Seq) is Good


# ----------------------------------------------------------------- the systematic layer
def with_method(name):
    """Run a model check on the solution class with one method replaced by the student's."""
    check = {"embed": lab06.check_embedding, "encode": lab06.check_encoder,
             "step": lab06.check_decoder_step, "forward": lab06.check_teacher_forcing}[name]
    return lambda method: check(type(f"With{name.title()}", (Good,), {name: method}))


def state_to_numpy(state):
    return tuple(to_numpy(s) for s in state) if isinstance(state, tuple) else to_numpy(state)


def logits_to_numpy(output):
    return to_numpy(output[0]), output[1]


def logits_to_probabilities(output):
    return output[0].softmax(-1), output[1]


def to_probabilities(logits):
    return logits.softmax(-1)


def to_float(value):
    return value.item()


def to_text(value):
    return f"{value}"


CASES = [
    Case(lab06.check_shift_right, shift_ok, mutable=(0,),
         returns=[(to_float32, "dtype torch.float32"), (to_numpy, "torch.Tensor"),
                  (to_list, "torch.Tensor")]),
    Case(lab06.check_embedding, Good.embed, mutable=(1,), run=with_method("embed"),
         returns=[(to_numpy, "torch.Tensor"), (to_float64, "dtype torch.float64")]),
    Case(lab06.check_encoder, Good.encode, mutable=(1,), run=with_method("encode"),
         returns=[(state_to_numpy, "encode must return")]),
    Case(lab06.check_decoder_step, Good.step, mutable=(1, 2), run=with_method("step"),
         returns=[(logits_to_numpy, "torch.Tensor"), (logits_to_probabilities, "probabilities")]),
    Case(lab06.check_teacher_forcing, Good.forward, mutable=(1, 2), run=with_method("forward"),
         returns=[(to_numpy, "torch.Tensor"), (to_probabilities, "probabilities")]),
    Case(lab06.check_encoder_decoder, Good),
    Case(lab06.check_masked_loss, loss_ok, mutable=(0, 1),
         returns=[(to_numpy, "scalar tensor"), (to_float, "scalar tensor")]),
    Case(lab06.check_greedy_decode, greedy_ok, mutable=(0, 1),
         returns=[(to_float32, "integer dtype"), (to_list, "torch.Tensor"),
                  (to_numpy, "torch.Tensor")]),
    Case(lab06.check_exact_match, exact_ok, mutable=(0, 1), returns=[(to_text, "return a number")]),
]
