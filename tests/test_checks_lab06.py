"""Every Lab 06 check accepts the right answer and names each planted mistake."""
import pytest
import torch
import torch.nn.functional as F

from course_utils import seq2seq
from course_utils.checks import lab06
from tests._checks import rejects as _fails, stub


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


def test_shift_check_accepts_the_right_shift(capsys):
    lab06.check_shift_right(shift_ok)
    assert "✓ check_shift_right" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (shift_none, "is the target y_t itself"),
    (shift_left, "you shifted left"),
    (shift_keeps_last, "T + 1 = 6 steps"),
    (shift_overwrites, "instead of shifting"),
    (shift_pad_start, "must be the start token <s>"),
    (stub, "not implemented yet"),
])
def test_shift_check_names_each_mistake(wrong, words):
    _fails(lab06.check_shift_right, wrong, words)


# ----------------------------------------------------------------- masked loss
def loss_ok(logits, targets, pad_id):
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=pad_id)


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


def test_loss_check_accepts_the_masked_mean(capsys):
    lab06.check_masked_loss(loss_ok)
    assert "padding is ignored" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("wrong, words", [
    (loss_counts_padding, "your loss counts the padding"),
    (loss_divides_by_all, "divide by the number of real"),
    (loss_sums, "you sum the loss"),
    (loss_detached, "carries no gradient"),
    (loss_item, "scalar tensor"),
    (stub, "not implemented yet"),
])
def test_loss_check_names_each_mistake(wrong, words):
    _fails(lab06.check_masked_loss, wrong, words)


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


def greedy_keeps_start(model, src, start_id, max_len):
    out = greedy_ok(model, src, start_id, max_len)
    return torch.cat([torch.full((len(src), 1), start_id), out], 1)


def greedy_no_encoder(model, src, start_id, max_len):
    token = torch.full((len(src),), start_id)
    state = torch.zeros(1, len(src), 16)
    out = []
    for _ in range(max_len):
        logits, state = model.step(token, state)
        token = logits.argmax(-1)
        out.append(token)
    return torch.stack(out, 1)


def test_greedy_check_accepts_the_reference_and_ours(capsys):
    lab06.check_greedy_decode(greedy_ok)
    lab06.check_greedy_decode(lambda m, s, a, n: seq2seq.greedy_decode(m, s, a, n))
    assert capsys.readouterr().out.count("✓ check_greedy_decode") == 2


@pytest.mark.parametrize("wrong, words", [
    (greedy_ground_truth, "true target (teacher forcing)"),
    (greedy_restarts_state, "carry the decoder state forward"),
    (greedy_always_start, "you feed <s> again"),
    (greedy_keeps_start, "leave out the start token"),
    (greedy_no_encoder, "never call model.encode"),
    (stub, "not implemented yet"),
])
def test_greedy_check_names_each_mistake(wrong, words):
    _fails(lab06.check_greedy_decode, wrong, words)


# ----------------------------------------------------------------- exact match
def exact_ok(predicted, expected):
    return sum(p == e for p, e in zip(predicted, expected)) / len(expected)


def exact_per_char(predicted, expected):
    right = sum(sum(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected))
    return right / sum(len(e) for e in expected)


def exact_zip(predicted, expected):
    return sum(all(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected)) / len(expected)


def exact_percent(predicted, expected):
    return 100 * exact_ok(predicted, expected)


def exact_count(predicted, expected):
    return sum(p == e for p, e in zip(predicted, expected))


def test_exact_match_check_accepts_whole_answers(capsys):
    lab06.check_exact_match(exact_ok)
    lab06.check_exact_match(seq2seq.exact_match)
    assert capsys.readouterr().out.count("✓ check_exact_match") == 2


@pytest.mark.parametrize("wrong, words", [
    (exact_per_char, "you score characters, not answers"),
    (exact_zip, "stops at the shorter string"),
    (exact_percent, "not a percentage"),
    (exact_count, "number of right answers"),
    (stub, "not implemented yet"),
])
def test_exact_match_check_names_each_mistake(wrong, words):
    _fails(lab06.check_exact_match, wrong, words)


# ----------------------------------------------------------------- fallback
def test_student_or_reference_falls_back_and_says_why(capsys):
    assert lab06.student_or_reference(lab06.check_exact_match, exact_ok, seq2seq.exact_match) is exact_ok
    chosen = lab06.student_or_reference(lab06.check_exact_match, stub, seq2seq.exact_match)
    assert chosen is seq2seq.exact_match
    assert "using the reference exact_match" in capsys.readouterr().out
