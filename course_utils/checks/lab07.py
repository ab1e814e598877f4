"""Checks for Lab 07: additive attention, piece by piece, and decoding with it.

Each check runs the student's code on small inputs and compares it with the reference in
:mod:`course_utils.attention` on the same weights. The checks' sizes all differ (B, S, H, A,
V, E), except that the attention size A equals the width 2H of the encoder states, so that a
context computed from the wrong states (the keys U_a h_j) has the right shape and can be
named. Sources are padded, with rows of different lengths, so that padding must be masked.
When a result disagrees, a check names the mistake only when it reproduces it on the
reference's weights (softmax over the batch axis, padding not masked, the context from the
keys or from the fixed summary, the true target fed back at inference); otherwise it says
what differs and where. Where the values agree, the first four checks also backpropagate the
same random weighting of both outputs and compare the gradients on the inputs and weights:
a result cut from the autograd graph (.detach()) has the right values and trains nothing.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from course_utils._feedback import (CheckFailed, call_student, evaluating, expect_array,
                                    first_mismatch, passed, student_or_reference)
from course_utils.attention import (AttentionSeq2Seq, EncoderMemory, additive_scores,
                                    attention_context, attentive_step, masked_softmax)
from course_utils.seq2seq import Vocab

__all__ = ["check_additive_scores", "check_masked_softmax", "check_attention_context",
           "check_attentive_step", "check_greedy_decode", "student_or_reference"]

START = Vocab.start_id
V, E, H, A = 23, 5, 6, 12          # A = 2H: the keys U_a h_j have the shape of the states h_j
B, S = 4, 7
LENGTHS = (7, 4, 6, 2)             # source lengths of the checks' batch: rows padded at the end


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _source(seed: int, lengths: tuple[int, ...] = LENGTHS) -> torch.Tensor:
    """Source ids (B, S) in 3..V-1, padded with 0 after each row's length."""
    src = torch.randint(3, V, (len(lengths), max(lengths)), generator=_generator(seed))
    for i, n in enumerate(lengths):
        src[i, n:] = 0
    return src


def _mask(lengths: tuple[int, ...] = LENGTHS) -> torch.Tensor:
    return torch.arange(max(lengths))[None, :] < torch.tensor(lengths)[:, None]


def _reference(seed: int = 0) -> AttentionSeq2Seq:
    """The reference model with random weights, none of them zero (every one matters)."""
    torch.manual_seed(seed)
    model = AttentionSeq2Seq(V, hidden_size=H, embedding_dim=E, attention_size=A)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand(p.shape, generator=_generator(seed + p.numel())) - 0.5)
            p.add_(torch.sign(p) * 0.05)
    return model.eval()


def _close(a: Any, b: torch.Tensor, atol: float = 1e-5) -> bool:
    return (isinstance(a, torch.Tensor) and a.shape == b.shape
            and torch.allclose(a.detach().double(), b.detach().double(), atol=atol))


def _name_the_mistake(check: str, got: torch.Tensor, suspects: list[tuple[torch.Tensor, str]]) -> None:
    for suspect, message in suspects:
        if _close(got, suspect):
            raise CheckFailed(check, message)


def _where(got: torch.Tensor, want: torch.Tensor, what: str) -> str:
    index, value, expected = first_mismatch(got.detach().double().numpy(),
                                            want.detach().double().numpy(), atol=1e-5)
    return f"{what} differs from the reference: at index {index} you have {value:.4f}, the reference {expected:.4f}."


def _translate_shape_error(check: str, error: CheckFailed, hint: str) -> CheckFailed:
    if "shape" in error.message or "size" in error.message:
        return CheckFailed(check, f"{error.message} {hint}")
    return error


def _call_student(check: str, func: Callable[..., Any], *args: Any) -> Any:
    """call_student, with the error PyTorch raises when the student changes an input that
    requires grad in place translated (the checks' inputs require grad, as in training)."""
    try:
        return call_student(check, func, *args)
    except CheckFailed as error:
        if "leaf Variable that requires grad" in error.message:
            raise CheckFailed(check, "you change an input in place (e.g. scores[~mask] = ... or "
                              "masked_fill_): in training, the inputs are part of the autograd "
                              "graph and must stay as they are. Use the out-of-place form, "
                              "which returns a new tensor (masked_fill, not masked_fill_).") from None
        raise


def _check_gradients(check: str, got, want, inputs: dict[str, torch.Tensor], what: str) -> None:
    """Backpropagate the same random weighting of the student's outputs and the reference's and
    compare the gradients on each of ``inputs`` (name -> tensor requiring grad). Training
    learns only through these gradients: a result detached from the graph (.detach(),
    torch.no_grad(), .data, NumPy) has the right values and trains nothing."""
    got = got if isinstance(got, (tuple, list)) else (got,)
    want = want if isinstance(want, (tuple, list)) else (want,)
    weights = [torch.randn(w.shape, generator=_generator(99 + i)) for i, w in enumerate(want)]
    names, tensors = list(inputs), list(inputs.values())
    reference = torch.autograd.grad(sum((w * r).sum() for w, r in zip(want, weights)), tensors,
                                    allow_unused=True)
    attached = [(g * r).sum() for g, r in zip(got, weights) if g.requires_grad]
    if attached:
        grads = torch.autograd.grad(sum(attached), tensors, allow_unused=True)
    else:
        grads = [None] * len(tensors)
    for name, tensor, grad, ref in zip(names, tensors, grads, reference):
        grad = torch.zeros_like(tensor) if grad is None else grad
        ref = torch.zeros_like(tensor) if ref is None else ref
        if torch.allclose(grad, ref, atol=1e-5):
            continue
        if not grad.abs().max() > 0:
            raise CheckFailed(check, f"{what} has the right values, but no gradient reaches "
                              f"{name} through it: part of your computation is cut from the "
                              "autograd graph (.detach(), torch.no_grad(), .data or a NumPy "
                              "round trip), so training would never update what it depends on. "
                              "Compute it with torch operations only.")
        raise CheckFailed(check, f"{what} has the right values, but its gradient with respect "
                          f"to {name} differs from the reference's: "
                          + _where(grad, ref, f"d(output)/d({name})"))


# --------------------------------------------------------------------------- scores
def _score_inputs(seed: int):
    g = _generator(seed)
    return (torch.randn(B, H, generator=g), torch.randn(B, S, A, generator=g),
            torch.randn(A, H, generator=g), torch.randn(A, generator=g))


def check_additive_scores(student_additive_scores: Callable[..., Any]) -> None:
    """e_tj = v_a^T tanh(W_a s_(t-1) + U_a h_j) for a batch: s_prev (B, H), keys (B, S, A),
    W_a (A, H), v_a (A,) -> (B, S), on three random draws."""
    check = "check_additive_scores"
    for seed in range(3):
        s_prev, keys, W_a, v_a = (x.requires_grad_() for x in _score_inputs(seed))
        try:
            got = _call_student(check, student_additive_scores, s_prev, keys, W_a, v_a)
        except CheckFailed as error:
            raise _translate_shape_error(check, error, f"W_a is (A, H) = {(A, H)} and the states "
                                         "are rows: W_a s_(t-1) for a batch is s_prev @ W_a.T, "
                                         "(B, A), added to every source position of keys "
                                         "(B, S, A) through a new axis: [:, None, :].") from None
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (B, S, 1):
            raise CheckFailed(check, f"your scores have shape {(B, S, 1)}: one score per source "
                              f"position is (B, S) = {(B, S)}; multiply by the vector v_a (A,), "
                              "not a (A, 1) matrix, or squeeze the last axis.")
        expect_array(check, "your scores", got, library="torch", shape=(B, S), dtype=s_prev.dtype)
        want = additive_scores(s_prev, keys, W_a, v_a)
        if _close(got, want):
            _check_gradients(check, got, want, {"W_a": W_a, "v_a": v_a, "s_prev": s_prev,
                                                "keys": keys}, "your scores")
            continue
        s_prev, keys, W_a, v_a = (x.detach() for x in (s_prev, keys, W_a, v_a))
        query = (s_prev @ W_a.T)[:, None, :]
        _name_the_mistake(check, got, [
            ((keys + query) @ v_a, "you left out the tanh: e_tj = v_a^T tanh(W_a s_(t-1) + "
             "U_a h_j); without it the scores are linear in s_(t-1) + ... and v_a^T W_a s_(t-1) "
             "is the same for every j, so it cancels in the softmax."),
            (torch.tanh((keys + query) @ v_a), "you applied tanh after v_a: the tanh acts on the "
             "A numbers W_a s_(t-1) + U_a h_j, then v_a^T sums them into one score."),
            (torch.tanh(keys) @ v_a, "your scores do not depend on s_prev: add W_a s_(t-1) (for "
             "rows, s_prev @ W_a.T) to every key before the tanh. Without the decoder state, "
             "every output step would attend to the same positions."),
            (torch.tanh(keys - query) @ v_a, "you subtract W_a s_(t-1) from the keys: add it."),
        ])
        raise CheckFailed(check, _where(got, want, "your scores (B, S)"))
    passed(check, f"scores (B, S) = {(B, S)} match the reference on 3 random draws "
           f"(H = {H}, A = {A}).")


# --------------------------------------------------------------------------- masked softmax
def _softmax_inputs(seed: int):
    scores = torch.randn(B, S, generator=_generator(seed)) * 3
    scores[0, 1] = 95.0     # large scores: a softmax written with exp() overflows in float32
    return scores, _mask()


def check_masked_softmax(student_masked_softmax: Callable[..., Any]) -> None:
    """alpha_tj: a softmax over the source positions j (the last axis), padded positions
    weighted exactly 0, each row summing to 1; rows of lengths 7, 4, 6 and 2."""
    check = "check_masked_softmax"
    for seed in range(3):
        scores, mask = _softmax_inputs(seed)
        scores.requires_grad_()
        got = _call_student(check, student_masked_softmax, scores, mask)
        expect_array(check, "your weights", got, library="torch", shape=(B, S), dtype=scores.dtype)
        want = masked_softmax(scores, mask)
        if _close(got, want, atol=1e-6):
            _check_gradients(check, got, want, {"scores": scores}, "your weights")
            continue
        scores = scores.detach()
        inverted = scores.masked_fill(mask, float("-inf")).softmax(dim=-1)
        padded_rows = ~mask.all(dim=1)      # rows 1-3; row 0 has no padding
        on_real = got.detach()[padded_rows][mask[padded_rows]]
        if _close(got, inverted) or (torch.isfinite(on_real).all() and on_real.abs().max() < 1e-6):
            raise CheckFailed(check, "your mask is inverted: you set the scores of the real "
                              "positions to -inf and keep the padding. mask is True at real "
                              "tokens (B, S); fill where it is False: scores.masked_fill(~mask, "
                              "float('-inf')).")
        if not torch.isfinite(got).all():
            raise CheckFailed(check, "your weights hold nan or inf where the scores are large "
                              "(one score is 95): exp(95) overflows float32. Use torch.softmax "
                              "(it subtracts each row's maximum first) on the scores with padded "
                              "positions set to -inf.")
        pads = got.detach()[~mask]
        if pads.abs().max() > 1e-6:
            row, col = [int(i) for i in (~mask).nonzero()[int(pads.abs().argmax())]]
            over_batch = scores.masked_fill(~mask, float("-inf")).softmax(dim=0)
            if _close(got, scores.softmax(dim=0)) or _close(got, over_batch):
                raise CheckFailed(check, "you take the softmax over the batch axis (dim=0): each "
                                  "column sums to 1 across the sequences of the batch. The "
                                  "weights of one output step are a distribution over the "
                                  "source positions j: softmax over the last axis, dim=-1.")
            raise CheckFailed(check, f"padding not masked: row {row} has {LENGTHS[row]} real "
                              f"positions, yet position {col} (padding) gets weight "
                              f"{float(got.detach()[row, col]):.4f}. Set the scores of padded positions "
                              "to -inf before the softmax (scores.masked_fill(~mask, "
                              "float('-inf'))), so their weights are exactly 0.")
        if _close(got, scores.masked_fill(~mask, float("-inf")).softmax(dim=0)):
            raise CheckFailed(check, "you take the softmax over the batch axis (dim=0): take it "
                              "over the source positions, dim=-1.")
        sums = got.detach().sum(dim=1)
        if not torch.allclose(sums, torch.ones(B), atol=1e-5):
            raise CheckFailed(check, f"your rows sum to {[round(float(x), 4) for x in sums]}, "
                              "not 1: zeroing the padded weights after the softmax leaves the "
                              "rest unnormalised. Mask the scores with -inf before the softmax.")
        raise CheckFailed(check, _where(got, want, "your weights (B, S)"))
    passed(check, "softmax over the source positions, padding weighted 0, rows summing to 1, "
           "large scores included (3 draws, rows of lengths 7, 4, 6, 2).")


# --------------------------------------------------------------------------- context
def check_attention_context(student_attention_context: Callable[..., Any]) -> None:
    """ctx_t = sum_j alpha_tj h_j for a batch: alpha (B, S), states (B, S, 2H) -> (B, 2H)."""
    check = "check_attention_context"
    for seed in range(3):
        g = _generator(10 + seed)
        alpha = masked_softmax(torch.randn(B, S, generator=g), _mask()).requires_grad_()
        states = torch.randn(B, S, 2 * H, generator=g).requires_grad_()
        got = _call_student(check, student_attention_context, alpha, states)
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (B, 1, 2 * H):
            raise CheckFailed(check, f"your context has shape {(B, 1, 2 * H)}: one vector per "
                              f"sequence is (B, 2H) = {(B, 2 * H)}; squeeze the middle axis of "
                              "the batched product.")
        expect_array(check, "your context", got, library="torch", shape=(B, 2 * H),
                     dtype=states.dtype, hint="Weight each state h_j by alpha_tj and sum over "
                     "the source positions j (axis 1 of states).")
        want = attention_context(alpha, states)
        if _close(got, want):
            _check_gradients(check, got, want, {"alpha": alpha, "states": states}, "your context")
            continue
        alpha, states = alpha.detach(), states.detach()
        _name_the_mistake(check, got, [
            (states.mean(dim=1), "you average the states without the weights: ctx_t = "
             "sum_j alpha_tj h_j weights each position by alpha_tj."),
            (states.sum(dim=1), "you sum the states without the weights alpha_tj."),
            (states[:, -1], "you return the last position's state: the context is the weighted "
             "sum of all positions' states."),
        ])
        raise CheckFailed(check, _where(got, want, "your context (B, 2H)"))
    passed(check, f"ctx (B, 2H) = {(B, 2 * H)} matches the reference on 3 random draws.")


# --------------------------------------------------------------------------- the decoder step
def _step_inputs(seed: int):
    model = _reference(seed)
    with torch.no_grad():
        memory, _ = model.encode(_source(20 + seed))
    # leaves that require grad, so that the check can follow gradients into the encoder's side
    memory = memory._replace(states=memory.states.requires_grad_(),
                             keys=memory.keys.requires_grad_())
    g = _generator(30 + seed)
    tokens = torch.randint(3, V, (B,), generator=g)
    s_prev = torch.randn(B, H, generator=g).requires_grad_()
    return model, tokens, s_prev, memory


def _step_suspects(model: AttentionSeq2Seq, tokens, s_prev, memory: EncoderMemory):
    """The reference step, with one piece done wrong: (logits, state, alpha, message)."""
    def run(ctx_from=None, mask=True, order="emb-ctx", context_readout=True, read_prev=False,
            twice=False):
        e = additive_scores(s_prev, memory.keys, model.W_a.weight, model.v_a)
        alpha = masked_softmax(e, memory.mask) if mask else e.softmax(dim=-1)
        ctx = attention_context(alpha, memory.states) if ctx_from is None else ctx_from(alpha)
        emb = model.embedding(tokens)
        x = torch.cat([emb, ctx] if order == "emb-ctx" else [ctx, emb], dim=-1)
        state = model.decoder(x, s_prev)
        state = model.decoder(x, state) if twice else state
        logits = (model.readout(s_prev if read_prev else state)
                  + (model.context_readout(ctx) if context_readout else 0))
        return logits, state, alpha
    return [
        (run(ctx_from=lambda a: attention_context(a, memory.keys)),
         "your context is computed from the wrong states: the keys U_a h_j (memory.keys). The "
         "keys only score the positions; the context sums the encoder states themselves, "
         "ctx_t = sum_j alpha_tj h_j with h_j = memory.states."),
        (run(ctx_from=lambda a: memory.summary),
         "your context is the fixed summary of the source (memory.summary), the same at every "
         "step: that is the model without attention. Use ctx_t = sum_j alpha_tj h_j."),
        (run(mask=False),
         "padding not masked: your weights put weight on padded source positions. Pass "
         "memory.mask to the masked softmax."),
        (run(order="ctx-emb"),
         "the decoder's input is [embedding; ctx_t] in that order (the model's GRUCell was "
         "built for it); you concatenate [ctx_t; embedding]."),
        (run(ctx_from=lambda a: memory.states.mean(dim=1)),
         "your context averages the states without the weights: ctx_t = sum_j alpha_tj h_j "
         "weights each position by alpha_tj (and padded positions get none)."),
        (run(read_prev=True),
         "your logits read the previous state s_(t-1): l_t = W_hy s_t + b_y + W_cy ctx_t reads "
         "the new state s_t, the GRUCell's output."),
        (run(twice=True),
         "you apply the GRUCell twice: one step is one call, s_t = model.decoder(x, s_prev)."),
        (run(context_readout=False),
         "your logits leave out the context: l_t = W_hy s_t + b_y + W_cy ctx_t, i.e. "
         "model.readout(s_t) + model.context_readout(ctx_t)."),
    ]


def check_attentive_step(student_attentive_step: Callable[..., Any]) -> None:
    """One decoder step with additive attention: (model, tokens (B,), s_prev (B, H), memory)
    -> logits (B, V), s_t (B, H), alpha_t (B, S), against the reference on the same weights."""
    check = "check_attentive_step"
    for seed in range(2):
        model, tokens, s_prev, memory = _step_inputs(seed)
        with evaluating(model):
            try:
                got = _call_student(check, student_attentive_step, model, tokens, s_prev, memory)
            except CheckFailed as error:
                raise _translate_shape_error(check, error, "The decoder's GRUCell reads "
                                             "[W_emb[y_(t-1)]; ctx_t] of width E + 2H and the "
                                             "state s_(t-1) (B, H).") from None
            if not (isinstance(got, (tuple, list)) and len(got) == 3):
                raise CheckFailed(check, "return three things: the logits (B, V), the new state "
                                  "s_t (B, H) and the weights alpha_t (B, S).")
            for what, value, shape in zip(("logits", "state s_t", "weights alpha_t"), got,
                                          ((B, V), (B, H), (B, S))):
                expect_array(check, f"your {what}", value, library="torch", shape=shape,
                             dtype=torch.float32)
            with torch.no_grad():
                want = attentive_step(model, tokens, s_prev, memory)
                suspects = _step_suspects(model, tokens, s_prev, memory)
        if all(_close(g, w) for g, w in zip(got, want)):
            with evaluating(model):
                want = attentive_step(model, tokens, s_prev, memory)
            _check_gradients(check, got[:2], want[:2], {
                "model.W_a.weight": model.W_a.weight, "model.v_a": model.v_a,
                "memory.keys": memory.keys, "memory.states": memory.states, "s_prev": s_prev,
                "model.decoder.weight_ih": model.decoder.weight_ih}, "your step's logits and state")
            continue
        for suspect, message in suspects:
            if all(_close(g, w) for g, w in zip(got, suspect)):
                raise CheckFailed(check, message)
        if not _close(got[2], want[2]):
            raise CheckFailed(check, _where(got[2], want[2], "your weights alpha_t (B, S)") +
                              " Score with the previous state s_(t-1), the keys memory.keys, "
                              "model.W_a.weight and model.v_a; mask with memory.mask.")
        what = "state s_t" if not _close(got[1], want[1]) else "logits"
        index = 1 if what.startswith("state") else 0
        raise CheckFailed(check, _where(got[index], want[index], f"your {what}"))
    passed(check, "logits, s_t and alpha_t match the reference on the same weights (2 models, "
           "padded sources of lengths 7, 4, 6, 2).")


# --------------------------------------------------------------------------- greedy decoding
class _Spy(torch.nn.Module):
    """Wraps a model and records what its decoder is fed at every step."""

    def __init__(self, model: AttentionSeq2Seq):
        super().__init__()
        self.model = model
        self.fed, self.predicted, self.alphas = [], [], []
        self.states_in, self.states_out, self.encoded = [], [], None

    def encode(self, src):
        self.encoded = self.model.encode(src)
        return self.encoded

    def step(self, tokens, state, memory):
        self.fed.append(torch.as_tensor(tokens).detach().clone().reshape(-1))
        self.states_in.append(state)
        logits, new_state, alpha = self.model.step(tokens, state, memory)
        self.predicted.append(logits.argmax(-1).detach().clone())
        self.states_out.append(new_state)
        self.alphas.append(alpha.detach().clone())
        return logits, new_state, alpha

    def forward(self, src, decoder_inputs):
        return self.model(src, decoder_inputs)


# False acceptance. The sources are reversal problems: the true output of step t is the
# (t+1)-th character from the end. A decoder that feeds the true token instead of its own
# prediction with probability p at a step is caught at the first such step where the two
# differ in some row: ROUNDS * (MAX_LEN - 1) = 50 fed-back steps, so it passes with
# probability at most (1 - p)^50 (6e-7 for p = 0.25) up to steps where truth and prediction
# agree in all 4 rows (rare with an untrained model and V = 23).
ROUNDS, MAX_LEN = 10, 6


def _truth(src: torch.Tensor, t: int) -> torch.Tensor:
    """The reversal target of step t (0-based) for each row: src[i, length_i - 1 - t]."""
    lengths = (src != 0).sum(dim=1)
    index = (lengths - 1 - t).clamp(min=0)
    return src.gather(1, index[:, None])[:, 0]


def check_greedy_decode(student_greedy_decode: Callable[..., Any]) -> None:
    """Greedy decoding with attention: (model, src (B, S), max_len) -> ids (B, max_len) and
    weights (B, max_len, S); feeds back its own argmax and carries the state."""
    check = "check_greedy_decode"
    for round_ in range(ROUNDS):
        src = _source(40 + round_, lengths=(7, 7, 6, 7))
        spy = _Spy(_reference(round_))
        got = _call_student(check, student_greedy_decode, spy, src, MAX_LEN)
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise CheckFailed(check, "return two things: the ids (B, max_len) and the weights "
                              "(B, max_len, S).")
        ids, alphas = got
        expect_array(check, "your ids", ids, library="torch", shape=(B, MAX_LEN), dtype="integer",
                     hint="Return the argmax token of every step, torch.stack(..., dim=1).")
        if isinstance(alphas, torch.Tensor) and tuple(alphas.shape) == (B, S, MAX_LEN):
            raise CheckFailed(check, f"your weights have shape {(B, S, MAX_LEN)}: stack the "
                              "steps' weights on axis 1, (B, max_len, S).")
        expect_array(check, "your weights", alphas, library="torch", shape=(B, MAX_LEN, S),
                     dtype=torch.float32, hint="Stack alpha_t of every step on axis 1.")
        if spy.encoded is None or not spy.fed:
            raise CheckFailed(check, "call model.encode(src) once, then model.step(token, state, "
                              "memory) once per output step.")
        memory, s_0 = spy.encoded
        if not torch.all(spy.fed[0] == START):
            raise CheckFailed(check, f"the first token fed to the decoder must be <s> (id {START}), "
                              f"you fed {spy.fed[0].tolist()}.")
        if not _close(spy.states_in[0], s_0):
            raise CheckFailed(check, "the first step must start from s_0, the state model.encode "
                              "returned with the memory.")
        for t in range(1, len(spy.fed)):
            if not torch.equal(spy.fed[t], spy.predicted[t - 1]):
                differs = spy.fed[t] != spy.predicted[t - 1]
                if torch.equal(spy.fed[t][differs], _truth(src, t - 1)[differs]):
                    raise CheckFailed(check, f"at step {t} you feed the decoder the true target "
                                      "(teacher forcing) instead of its own prediction; at "
                                      "inference there is no target: feed back the argmax of "
                                      "the previous logits at every step.")
                if torch.all(spy.fed[t] == START):
                    raise CheckFailed(check, f"at step {t} you feed <s> again; feed back the "
                                      "token the decoder predicted at the previous step.")
                raise CheckFailed(check, f"at step {t} the decoder reads {spy.fed[t].tolist()}, "
                                  f"but it predicted {spy.predicted[t - 1].tolist()}: feed back "
                                  "the argmax of the previous logits.")
            if not _close(spy.states_in[t], spy.states_out[t - 1]):
                raise CheckFailed(check, f"at step {t} you do not pass on the state the previous "
                                  "model.step returned: carry the decoder state forward.")
        if len(spy.fed) != MAX_LEN:
            raise CheckFailed(check, f"you call model.step {len(spy.fed)} times for "
                              f"max_len={MAX_LEN}.")
        if not torch.equal(ids.long(), torch.stack(spy.predicted, dim=1)):
            raise CheckFailed(check, "the ids you return are not the argmax predictions you fed "
                              "back; return the predicted token of every step, in order.")
        if not _close(alphas, torch.stack(spy.alphas, dim=1)):
            raise CheckFailed(check, "the weights you return are not those model.step returned "
                              "at each step, in order (alphas[:, t] is the weights of step t).")
    passed(check, f"feeds back its own argmax for {MAX_LEN} steps, carries the state and "
           f"returns each step's weights ({ROUNDS} runs).")
