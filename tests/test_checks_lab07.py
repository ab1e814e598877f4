"""Every Lab 07 check accepts right answers and names each planted mistake."""
from __future__ import annotations

import random

import pytest
import torch

from course_utils import attention
from course_utils.checks import lab07
from tests._checks import Case, rejects as _fails, stub, to_float64, to_list, to_numpy


# ----------------------------------------------------------------- scores
def scores_ok(s_prev, keys, W_a, v_a):
    return torch.tanh(keys + (s_prev @ W_a.T)[:, None, :]) @ v_a


def scores_einsum(s_prev, keys, W_a, v_a):
    """Right, written another way."""
    return torch.einsum("bsa,a->bs", torch.tanh(keys + torch.einsum("ah,bh->ba", W_a, s_prev)[:, None]), v_a)


def scores_no_tanh(s_prev, keys, W_a, v_a):
    return (keys + (s_prev @ W_a.T)[:, None, :]) @ v_a


def scores_tanh_last(s_prev, keys, W_a, v_a):
    return torch.tanh((keys + (s_prev @ W_a.T)[:, None, :]) @ v_a)


def scores_no_state(s_prev, keys, W_a, v_a):
    return torch.tanh(keys) @ v_a


def scores_untransposed(s_prev, keys, W_a, v_a):
    return torch.tanh(keys + (s_prev @ W_a)[:, None, :]) @ v_a


def scores_column(s_prev, keys, W_a, v_a):
    return torch.tanh(keys + (s_prev @ W_a.T)[:, None, :]) @ v_a[:, None]


def test_scores_check_accepts_right_answers(capsys):
    for right in (scores_ok, scores_einsum, attention.additive_scores):
        lab07.check_additive_scores(right)
    assert capsys.readouterr().out.count("✓ check_additive_scores") == 3


@pytest.mark.parametrize("wrong, words", [
    (scores_no_tanh, "left out the tanh"),
    (scores_tanh_last, "tanh after v_a"),
    (scores_no_state, "do not depend on s_prev"),
    (scores_untransposed, "s_prev @ W_a.T"),
    (scores_column, "(4, 7, 1)"),
    (stub, "not implemented yet"),
])
def test_scores_check_names_each_mistake(wrong, words):
    _fails(lab07.check_additive_scores, wrong, words)


# ----------------------------------------------------------------- masked softmax
def softmax_ok(scores, mask):
    return scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)


def softmax_where(scores, mask):
    """Right: a large negative number in place of -inf, then the softmax."""
    return torch.where(mask, scores, torch.tensor(-1e9)).softmax(dim=1)


def softmax_wrong_axis(scores, mask):
    return scores.masked_fill(~mask, float("-inf")).softmax(dim=0)


def softmax_unmasked(scores, mask):
    return scores.softmax(dim=-1)


def softmax_masked_with_zero(scores, mask):
    return scores.masked_fill(~mask, 0.0).softmax(dim=-1)


def softmax_zeroed_after(scores, mask):
    return scores.softmax(dim=-1) * mask


def softmax_by_hand(scores, mask):
    e = torch.exp(scores) * mask
    return e / e.sum(dim=-1, keepdim=True)


def test_softmax_check_accepts_right_answers(capsys):
    for right in (softmax_ok, softmax_where, attention.masked_softmax):
        lab07.check_masked_softmax(right)
    assert capsys.readouterr().out.count("✓ check_masked_softmax") == 3


@pytest.mark.parametrize("wrong, words", [
    (softmax_wrong_axis, "over the batch axis (dim=0)"),
    (softmax_unmasked, "padding not masked"),
    (softmax_masked_with_zero, "padding not masked"),
    (softmax_zeroed_after, "not 1"),
    (softmax_by_hand, "overflows float32"),
    (stub, "not implemented yet"),
])
def test_softmax_check_names_each_mistake(wrong, words):
    _fails(lab07.check_masked_softmax, wrong, words)


# ----------------------------------------------------------------- context
def context_ok(alpha, states):
    return (alpha[:, :, None] * states).sum(dim=1)


def context_bmm(alpha, states):
    return torch.bmm(alpha[:, None, :], states)[:, 0]


def context_mean(alpha, states):
    return states.mean(dim=1)


def context_last(alpha, states):
    return states[:, -1]


def context_unsqueezed(alpha, states):
    return torch.bmm(alpha[:, None, :], states)


def context_wrong_axis(alpha, states):
    return (alpha[:, :, None] * states).sum(dim=2)


def test_context_check_accepts_right_answers(capsys):
    for right in (context_ok, context_bmm, attention.attention_context):
        lab07.check_attention_context(right)
    assert capsys.readouterr().out.count("✓ check_attention_context") == 3


@pytest.mark.parametrize("wrong, words", [
    (context_mean, "without the weights"),
    (context_last, "last position"),
    (context_unsqueezed, "squeeze"),
    (context_wrong_axis, "shape (4, 7)"),
    (stub, "not implemented yet"),
])
def test_context_check_names_each_mistake(wrong, words):
    _fails(lab07.check_attention_context, wrong, words)


# ----------------------------------------------------------------- the attentive step
def step_ok(model, tokens, s_prev, memory):
    e = scores_ok(s_prev, memory.keys, model.W_a.weight, model.v_a)
    alpha = softmax_ok(e, memory.mask)
    ctx = context_ok(alpha, memory.states)
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, alpha


def _step(ctx_of=None, mask=True, order=True, readout=True, query=None):
    def step(model, tokens, s_prev, memory):
        e = scores_ok(s_prev if query is None else query(s_prev), memory.keys, model.W_a.weight, model.v_a)
        alpha = softmax_ok(e, memory.mask) if mask else e.softmax(-1)
        ctx = context_ok(alpha, memory.states if ctx_of is None else ctx_of(memory))
        emb = model.embedding(tokens)
        state = model.decoder(torch.cat([emb, ctx] if order else [ctx, emb], dim=-1), s_prev)
        return model.readout(state) + (model.context_readout(ctx) if readout else 0), state, alpha
    return step


step_keys = _step(ctx_of=lambda m: m.keys)
step_unmasked = _step(mask=False)
step_swapped = _step(order=False)
step_no_context_readout = _step(readout=False)
step_zero_query = _step(query=torch.zeros_like)


def step_summary(model, tokens, s_prev, memory):
    e = scores_ok(s_prev, memory.keys, model.W_a.weight, model.v_a)
    alpha = softmax_ok(e, memory.mask)
    ctx = memory.summary
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, alpha


def step_two_values(model, tokens, s_prev, memory):
    return step_ok(model, tokens, s_prev, memory)[:2]


def test_step_check_accepts_right_answers(capsys):
    for right in (step_ok, attention.attentive_step):
        lab07.check_attentive_step(right)
    assert capsys.readouterr().out.count("✓ check_attentive_step") == 2


@pytest.mark.parametrize("wrong, words", [
    (step_keys, "computed from the wrong states"),
    (step_summary, "fixed summary"),
    (step_unmasked, "padding not masked"),
    (step_swapped, "[embedding; ctx_t] in that order"),
    (step_no_context_readout, "leave out the context"),
    (step_zero_query, "your weights alpha_t"),
    (step_two_values, "return three things"),
    (stub, "not implemented yet"),
])
def test_step_check_names_each_mistake(wrong, words):
    _fails(lab07.check_attentive_step, wrong, words)


def test_a_trained_model_uses_the_students_step():
    """The lab builds AttentionSeq2Seq(step=student's step): the same logits as the reference."""
    torch.manual_seed(0)
    mine = attention.AttentionSeq2Seq(20, hidden_size=6, embedding_dim=5, attention_size=7, step=step_ok)
    reference = attention.AttentionSeq2Seq(20, hidden_size=6, embedding_dim=5, attention_size=7)
    reference.load_state_dict(mine.state_dict())
    src, inputs = torch.randint(3, 20, (3, 5)), torch.randint(3, 20, (3, 4))
    src[1, 3:] = 0
    assert torch.allclose(mine(src, inputs), reference(src, inputs), atol=1e-6)


# ----------------------------------------------------------------- greedy decoding
def greedy_ok(model, src, max_len):
    memory, state = model.encode(src)
    token = torch.full((len(src),), 1)
    ids, alphas = [], []
    for _ in range(max_len):
        logits, state, alpha = model.step(token, state, memory)
        token = logits.argmax(-1)
        ids.append(token)
        alphas.append(alpha)
    return torch.stack(ids, 1), torch.stack(alphas, 1)


def _greedy(feed):
    def greedy(model, src, max_len):
        memory, state = model.encode(src)
        token = torch.full((len(src),), 1)
        ids, alphas = [], []
        for t in range(max_len):
            logits, new_state, alpha = model.step(token, state, memory)
            token, state = feed(t, logits, src, state, new_state)
            ids.append(logits.argmax(-1))
            alphas.append(alpha)
        return torch.stack(ids, 1), torch.stack(alphas, 1)
    return greedy


def _true_token(t, src):
    return lab07._truth(src, t)


greedy_teacher_forcing = _greedy(lambda t, l, src, s, new: (_true_token(t, src), new))
greedy_sometimes_truth = _greedy(lambda t, l, src, s, new: (
    _true_token(t, src) if random.random() < 0.5 else l.argmax(-1), new))
greedy_restarts_state = _greedy(lambda t, l, src, s, new: (l.argmax(-1), s))
greedy_always_start = _greedy(lambda t, l, src, s, new: (torch.full_like(l[:, 0], 1).long(), new))


def greedy_weights_transposed(model, src, max_len):
    ids, alphas = greedy_ok(model, src, max_len)
    return ids, alphas.transpose(1, 2)


def greedy_without_weights(model, src, max_len):
    return greedy_ok(model, src, max_len)[0]


def test_greedy_check_accepts_right_answers(capsys):
    lab07.check_greedy_decode(greedy_ok)
    lab07.check_greedy_decode(attention.greedy_decode)
    assert capsys.readouterr().out.count("✓ check_greedy_decode") == 2


@pytest.mark.parametrize("wrong, words", [
    (greedy_teacher_forcing, "teacher forcing"),
    (greedy_sometimes_truth, "teacher forcing"),
    (greedy_restarts_state, "carry the decoder state forward"),
    (greedy_always_start, "feed <s> again"),
    (greedy_weights_transposed, "stack the steps' weights on axis 1"),
    (greedy_without_weights, "return two things"),
    (stub, "not implemented yet"),
])
def test_greedy_check_names_each_mistake(wrong, words):
    random.seed(0)
    _fails(lab07.check_greedy_decode, wrong, words)


# ----------------------------------------------------------------- the systematic layer
def pair_to_numpy(value):
    return tuple(to_numpy(v) for v in value)


def first_to_list(value):
    return (to_list(value[0]),) + tuple(value[1:])


def alpha_to_float64(value):
    return tuple(value[:-1]) + (to_float64(value[-1]),)


CASES = [
    Case(lab07.check_additive_scores, scores_ok, mutable=(0, 1, 2, 3),
         returns=[(to_numpy, "torch.Tensor"), (to_float64, "dtype torch.float64")]),
    Case(lab07.check_masked_softmax, softmax_ok, mutable=(0, 1),
         returns=[(to_numpy, "torch.Tensor"), (to_float64, "dtype torch.float64")]),
    Case(lab07.check_attention_context, context_ok, mutable=(0, 1),
         returns=[(to_numpy, "torch.Tensor"), (to_list, "torch.Tensor")]),
    Case(lab07.check_attentive_step, step_ok, mutable=(0, 1, 2),
         returns=[(pair_to_numpy, "torch.Tensor"), (alpha_to_float64, "dtype torch.float64")]),
    Case(lab07.check_greedy_decode, greedy_ok, mutable=(0, 1),
         returns=[(first_to_list, "torch.Tensor"), (pair_to_numpy, "torch.Tensor")]),
]


# ----------------------------------------------------------------- detached results and an inverted mask
# Review u7, Wrong 2 and 3: each of these passed the checks before gradients were compared
# (a step that detaches alpha trains to about half the exact match) or got the overflow hint.
def scores_detached(s_prev, keys, W_a, v_a):
    return scores_ok(s_prev, keys, W_a, v_a).detach()


def scores_numpy_round_trip(s_prev, keys, W_a, v_a):
    return torch.from_numpy(scores_ok(s_prev, keys, W_a, v_a).detach().numpy().copy())


def softmax_detached(scores, mask):
    return softmax_ok(scores, mask).detach()


def softmax_inverted_mask(scores, mask):
    return scores.masked_fill(mask, float("-inf")).softmax(dim=-1)


def softmax_inverted_mask_large_negative(scores, mask):
    return scores.masked_fill(mask, -1e9).softmax(dim=-1)


def context_detached(alpha, states):
    return context_ok(alpha, states).detach()


def context_detached_weights(alpha, states):
    return context_ok(alpha.detach(), states)


def step_detached_alpha(model, tokens, s_prev, memory):
    alpha = softmax_ok(scores_ok(s_prev, memory.keys, model.W_a.weight, model.v_a), memory.mask)
    ctx = context_ok(alpha.detach(), memory.states)
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, alpha


def step_detached_context(model, tokens, s_prev, memory):
    alpha = softmax_ok(scores_ok(s_prev, memory.keys, model.W_a.weight, model.v_a), memory.mask)
    ctx = context_ok(alpha, memory.states).detach()
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, alpha


def step_detached_scores(model, tokens, s_prev, memory):
    e = scores_ok(s_prev, memory.keys, model.W_a.weight.detach(), model.v_a)
    alpha = softmax_ok(e, memory.mask)
    ctx = context_ok(alpha, memory.states)
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, alpha


@pytest.mark.parametrize("check, wrong, words", [
    (lab07.check_additive_scores, scores_detached, "no gradient reaches W_a"),
    (lab07.check_additive_scores, scores_numpy_round_trip, "cut from the autograd graph"),
    (lab07.check_masked_softmax, softmax_detached, "no gradient reaches scores"),
    (lab07.check_masked_softmax, softmax_inverted_mask, "your mask is inverted"),
    (lab07.check_masked_softmax, softmax_inverted_mask_large_negative, "your mask is inverted"),
    (lab07.check_attention_context, context_detached, "no gradient reaches alpha"),
    (lab07.check_attention_context, context_detached_weights, "no gradient reaches alpha"),
    (lab07.check_attentive_step, step_detached_alpha, "no gradient reaches model.W_a.weight"),
    (lab07.check_attentive_step, step_detached_context, "no gradient reaches model.W_a.weight"),
    (lab07.check_attentive_step, step_detached_scores, "no gradient reaches model.W_a.weight"),
])
def test_checks_follow_the_gradients_and_name_an_inverted_mask(check, wrong, words):
    _fails(check, wrong, words)


def test_a_detached_step_fails_only_on_its_gradients():
    """The planted detached step has the reference's values: only the gradients tell."""
    model, tokens, s_prev, memory = lab07._step_inputs(0)
    got = step_detached_alpha(model, tokens, s_prev, memory)
    want = attention.attentive_step(model, tokens, s_prev, memory)
    assert all(torch.allclose(g, w) for g, w in zip(got, want))


def softmax_in_place(scores, mask):
    scores[~mask] = float("-inf")
    return scores.softmax(dim=-1)


def test_an_in_place_change_of_an_input_is_named():
    _fails(lab07.check_masked_softmax, softmax_in_place, "change an input in place")


def step_mean_context(model, tokens, s_prev, memory):
    return _step(ctx_of=lambda m: m.states.mean(dim=1, keepdim=True).expand_as(m.states))(
        model, tokens, s_prev, memory)


def step_logits_from_s_prev(model, tokens, s_prev, memory):
    _, state, alpha = step_ok(model, tokens, s_prev, memory)
    ctx = context_ok(alpha, memory.states)
    return model.readout(s_prev) + model.context_readout(ctx), state, alpha


def step_gru_twice(model, tokens, s_prev, memory):
    alpha = softmax_ok(scores_ok(s_prev, memory.keys, model.W_a.weight, model.v_a), memory.mask)
    ctx = context_ok(alpha, memory.states)
    x = torch.cat([model.embedding(tokens), ctx], dim=-1)
    state = model.decoder(x, model.decoder(x, s_prev))
    return model.readout(state) + model.context_readout(ctx), state, alpha


@pytest.mark.parametrize("wrong, words", [
    (step_mean_context, "averages the states without the weights"),
    (step_logits_from_s_prev, "read the previous state s_(t-1)"),
    (step_gru_twice, "GRUCell twice"),
])
def test_step_check_names_more_mistakes(wrong, words):
    _fails(lab07.check_attentive_step, wrong, words)
