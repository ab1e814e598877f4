"""Checks for Lab 06, echo and addition.

Each check runs the student's function on small inputs, compares it with the reference in
:mod:`course_utils.seq2seq`, and, when they disagree, names the usual mistake: a decoder input
that is not shifted (or shifted the wrong way), a loss that counts the padding, a decoder fed
the ground truth at inference, answers scored character by character.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from course_utils._feedback import (CheckFailed, call_student, expect_shape, passed,
                                    student_or_reference)
from course_utils.seq2seq import Seq2Seq, Vocab, masked_cross_entropy, shift_right

START, PAD = Vocab.start_id, Vocab.pad_id


# --------------------------------------------------------------------------- shift_right
def _targets() -> torch.Tensor:
    # three answers "596</s>", "81</s><pad>", "1998</s>" in ids, padded to T = 5
    return torch.tensor([[8, 12, 9, 2, 0], [11, 4, 2, 0, 0], [4, 12, 12, 11, 2]])


def check_shift_right(student_shift_right: Callable[..., Any]) -> None:
    """The decoder input at step t must be the target at t - 1, and <s> at step 0."""
    check = "check_shift_right"
    y = _targets()
    got = call_student(check, student_shift_right, y.clone(), START)
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(check, f"return a tensor of token ids, got {type(got).__name__}.")
    B, T = y.shape
    if tuple(got.shape) == (B, T + 1):
        raise CheckFailed(check, f"your decoder inputs have T + 1 = {T + 1} steps: drop the last "
                          "target, which is never an input. Keep the shape (B, T).")
    expect_shape(check, "your decoder inputs", got, (B, T))
    want = shift_right(y, START)
    if torch.equal(got, want):
        passed(check, f"<s> then y_0 .. y_(T-2), shape {tuple(got.shape)}.")
        return
    if torch.equal(got, y):
        raise CheckFailed(check, "your decoder input at step t is the target y_t itself, so the "
                          "model learns to copy its input instead of predicting the next token "
                          "(off by one). Shift right: <s>, y_0, ..., y_(T-2).")
    if torch.equal(got[:, :-1], y[:, 1:]):
        raise CheckFailed(check, "you shifted left: your input at step t is y_(t+1), the future "
                          "token. Shift right: <s>, y_0, ..., y_(T-2).")
    if not torch.equal(got[:, 0], want[:, 0]):
        raise CheckFailed(check, f"step 0 must be the start token <s> (id {START}) in every row; "
                          f"you give {got[:, 0].tolist()}.")
    if torch.equal(got[:, 1:], y[:, 1:]):
        raise CheckFailed(check, "you put <s> over y_0 instead of shifting: after <s> the inputs "
                          "must be y_0, y_1, ... (off by one).")
    bad = (got != want).nonzero()[0].tolist()
    raise CheckFailed(check, f"at row {bad[0]}, step {bad[1]} you give {int(got[bad[0], bad[1]])}, "
                      f"expected {int(want[bad[0], bad[1]])} (the target at step {bad[1] - 1}).")


# --------------------------------------------------------------------------- masked loss
def check_masked_loss(student_masked_loss: Callable[..., Any]) -> None:
    """The loss is the mean cross-entropy over the real (non-padding) target tokens only."""
    check = "check_masked_loss"
    g = torch.Generator().manual_seed(0)
    y = _targets()
    logits = torch.randn(*y.shape, 14, generator=g, requires_grad=True)
    got = call_student(check, student_masked_loss, logits, y.clone(), PAD)
    if not isinstance(got, torch.Tensor) or got.numel() != 1:
        raise CheckFailed(check, "return the loss as a scalar tensor (one number), got "
                          f"{tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__}.")
    if not got.requires_grad:
        raise CheckFailed(check, "your loss carries no gradient: compute it with torch operations "
                          "on the logits (no .item(), .detach() or numpy).")
    want = masked_cross_entropy(logits, y, PAD)
    value = float(got.detach())
    if abs(value - float(want.detach())) < 1e-5:
        passed(check, f"mean cross-entropy over the {int((y != PAD).sum())} real tokens "
               f"({value:.4f}); the padding is ignored.")
        return
    per_token = torch.nn.functional.cross_entropy(logits.detach().transpose(1, 2), y, reduction="none")
    mask = (y != PAD).float()
    if abs(value - float(per_token.mean())) < 1e-5:
        raise CheckFailed(check, f"your loss counts the padding: {int((y == PAD).sum())} of the "
                          f"{y.numel()} positions are <pad>, and the model is trained to predict "
                          "them. Ignore targets equal to pad_id (ignore_index, or a mask).")
    if abs(value - float((per_token * mask).sum() / y.numel())) < 1e-5:
        raise CheckFailed(check, "you zero the padding but divide by all B*T positions; divide by "
                          "the number of real (non-padding) tokens.")
    if abs(value - float((per_token * mask).sum())) < 1e-4:
        raise CheckFailed(check, "you sum the loss over tokens; take the mean over the real tokens "
                          "so the learning rate does not depend on the batch size.")
    raise CheckFailed(check, f"your loss is {value:.4f}, expected {float(want.detach()):.4f}: the mean "
                      "cross-entropy of the logits against the targets over non-padding positions.")


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


def check_greedy_decode(student_greedy_decode: Callable[..., Any]) -> None:
    """Greedy decoding feeds back its own argmax and carries the decoder state forward."""
    check = "check_greedy_decode"
    torch.manual_seed(0)
    model = Seq2Seq(vocab_size=20, hidden_size=16, embedding_dim=8).eval()
    spy = _Spy(model)
    # echo-style sources: the true target of step t is src[:, t]
    src = torch.randint(3, 20, (6, 5), generator=torch.Generator().manual_seed(1))
    max_len = 4
    got = call_student(check, student_greedy_decode, spy, src.clone(), START, max_len)
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(check, f"return a tensor of token ids (B, max_len), got {type(got).__name__}.")
    if tuple(got.shape) == (len(src), max_len + 1):
        raise CheckFailed(check, f"you return {max_len + 1} steps: leave out the start token and "
                          f"return the {max_len} predicted tokens, shape (B, max_len).")
    expect_shape(check, "your decoded ids", got, (len(src), max_len))
    if spy.encoded is None:
        raise CheckFailed(check, "you never call model.encode(src): the decoder must start from "
                          "the encoder's final state.")
    if not spy.fed:
        raise CheckFailed(check, "you never call model.step(tokens, state): decode one step at a time.")
    if not torch.all(spy.fed[0] == START):
        raise CheckFailed(check, f"the first token fed to the decoder must be <s> (id {START}), "
                          f"you fed {spy.fed[0].tolist()}.")
    if spy.states_in[0] is not spy.encoded:
        raise CheckFailed(check, "the first decoder step must start from the encoder's state "
                          "(the value model.encode(src) returned).")
    for t in range(1, len(spy.fed)):
        if not torch.equal(spy.fed[t], spy.predicted[t - 1]):
            truth = src[:, t - 1] if t - 1 < src.shape[1] else None
            if truth is not None and torch.equal(spy.fed[t], truth):
                raise CheckFailed(check, f"at step {t} you feed the decoder the true target "
                                  "(teacher forcing) instead of its own prediction; at inference "
                                  "there is no target: feed back the argmax of the previous logits.")
            if torch.all(spy.fed[t] == START):
                raise CheckFailed(check, f"at step {t} you feed <s> again; feed back the token "
                                  "the decoder predicted at the previous step.")
            raise CheckFailed(check, f"at step {t} the decoder reads {spy.fed[t].tolist()}, but it "
                              f"predicted {spy.predicted[t - 1].tolist()} at step {t - 1}: feed back "
                              "the argmax of the previous logits.")
        if spy.states_in[t] is not spy.states_out[t - 1]:
            raise CheckFailed(check, f"at step {t} you do not pass the state returned by the "
                              "previous model.step: carry the decoder state forward.")
    if len(spy.fed) != max_len:
        raise CheckFailed(check, f"you call model.step {len(spy.fed)} times for max_len={max_len}.")
    want = torch.stack(spy.predicted, dim=1)
    if not torch.equal(got.long(), want):
        raise CheckFailed(check, "the ids you return are not the argmax predictions you fed back; "
                          "return the predicted token of every step, in order.")
    passed(check, f"feeds back its own argmax for {max_len} steps, state carried forward.")


# --------------------------------------------------------------------------- exact match
_PREDICTED = ["596", "59", "1000", "7", "", "12", "997", "5960"]
_EXPECTED = ["596", "596", "1000", "8", "3", "12", "998", "596"]


def check_exact_match(student_exact_match: Callable[..., Any]) -> None:
    """A whole answer counts as right only if every character is right and nothing is missing."""
    check = "check_exact_match"
    got = call_student(check, student_exact_match, list(_PREDICTED), list(_EXPECTED))
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise CheckFailed(check, f"return a number (a fraction in [0, 1]), got {type(got).__name__}.") \
            from None
    want = sum(p == e for p, e in zip(_PREDICTED, _EXPECTED)) / len(_EXPECTED)
    if abs(value - want) < 1e-9:
        passed(check, f"{want:.3f} of the answers are exactly right on the test list "
               "(prefixes and near misses count as wrong).")
        return
    chars = sum(sum(a == b for a, b in zip(p, e)) for p, e in zip(_PREDICTED, _EXPECTED))
    if abs(value - chars / sum(len(e) for e in _EXPECTED)) < 1e-9:
        raise CheckFailed(check, "you score characters, not answers: '997' for '998' is 2/3 right "
                          "per character but a wrong sum. Count an answer only if it is equal "
                          "as a whole.")
    prefix = sum(all(a == b for a, b in zip(p, e)) for p, e in zip(_PREDICTED, _EXPECTED))
    if abs(value - prefix / len(_EXPECTED)) < 1e-9:
        raise CheckFailed(check, "you compare with zip(), which stops at the shorter string, so "
                          "'59' counts as right for '596' (and '' for anything). Compare whole strings.")
    if abs(value - 100 * want) < 1e-6:
        raise CheckFailed(check, f"return a fraction in [0, 1], not a percentage ({value:g}).")
    if abs(value - want * len(_EXPECTED)) < 1e-9:
        raise CheckFailed(check, "you return the number of right answers; divide by the number of "
                          "answers to get a fraction.")
    raise CheckFailed(check, f"your function gives {value:.4f} on a test list where {want:.4f} of "
                      "the answers are exactly right.")
