"""Every lab 02 check accepts the reference, rejects planted mistakes with the right words,
and calls a stub "not implemented yet"; CASES feeds the systematic layer."""
import re

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import char_rnn as ref
from course_utils.checks import lab02
from course_utils._feedback import CheckFailed
from tests._checks import Case, squash, stub, to_numpy, to_torch

CHECKS = (lab02.check_unigram_bits, lab02.check_rnn_forward, lab02.check_rnn_backward,
          lab02.check_update, lab02.check_sample, lab02.check_batch_loss_and_grads,
          lab02.check_char_rnn, lab02.check_train_tbptt)


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_stubs_are_not_implemented_yet(check):
    rejects(check, stub, "not implemented yet")


def rejects(check, wrong, *words):
    """``check`` rejects ``wrong`` with a CheckFailed whose message holds ``words``.

    (tests._checks.rejects wants the check function's name, ``check_...``, in the message;
    a student sees the exercise's name instead, as in lab 01.)"""
    with pytest.raises(CheckFailed) as info:
        check(wrong)
    for word in words:
        assert word in info.value.message, info.value.message
    return info.value.message


def says(check, wrong, *words):
    """``check`` rejects ``wrong`` with a message holding ``words`` (whitespace squashed)."""
    message = rejects(check, wrong)
    for word in words:
        assert squash(word) in squash(message), message
    return message


# --- unigram_bits --------------------------------------------------------------------------------
def unigram(train, held, K, log=np.log2, smooth=1, fit_on=None):
    counts = np.bincount(train if fit_on is None else held, minlength=K) + smooth
    with np.errstate(divide="ignore"):
        return float(-log(counts[held] / counts.sum()).mean())


def test_unigram_bits(capsys):
    lab02.check_unigram_bits(unigram)
    assert "✓ unigram_bits" in capsys.readouterr().out
    check = lab02.check_unigram_bits
    says(check, lambda a, b, K: unigram(a, b, K, log=np.log), "nats")
    says(check, lambda a, b, K: unigram(a, b, K, smooth=0), "probability 0", "Add 1")
    says(check, lambda a, b, K: unigram(a, b, K, fit_on="held"), "held-out text")
    says(check, lambda a, b, K: unigram(np.concatenate([a, b]), b, K), "held-out text too",
         "train_ids only")
    says(check, lambda a, b, K: np.log2(K), "uniform")
    says(check, lambda a, b, K: unigram(a, b, K, smooth=0.5), "expected")
    says(check, lambda a, b, K: np.array([unigram(a, b, K)]), "one number", "numpy.ndarray")


# --- rnn_forward ---------------------------------------------------------------------------------
def forward(params, inputs, targets, h_prev, state=True, bias=True, softmax=True, mean=False,
            zeros=False, bits=False):
    p = dict(params)
    if not state:
        p["W_hh"] = np.zeros_like(p["W_hh"])
    if not bias:
        p["b_y"] = np.zeros_like(p["b_y"])
    loss, cache = ref.rnn_forward(p, inputs, targets, np.zeros_like(h_prev) if zeros else h_prev)
    if zeros:
        cache["hs"][0] = h_prev
    if not softmax:
        cache["y_hat"] = np.exp(cache["y_hat"]) * 3
    loss = loss / len(inputs) if mean else loss
    return (loss / np.log(2) if bits else loss), cache


def test_rnn_forward(capsys):
    check = lab02.check_rnn_forward
    check(forward)
    assert "✓ rnn_forward" in capsys.readouterr().out
    says(check, lambda *a: forward(*a, state=False), "ignores the previous state")
    says(check, lambda *a: forward(*a, zeros=True), "start from zeros", "h_prev")
    says(check, lambda *a: forward(*a, bias=False), "output bias b_y is missing")
    says(check, lambda *a: forward(*a, softmax=False), "softmax", "y_hat[")
    says(check, lambda *a: forward(*a, mean=True), "mean over steps")
    says(check, lambda *a: forward(*a, bits=True), "bits", "natural log")
    says(check, lambda *a: forward(*a)[1], "tuple (loss, cache)")

    def no_h0(params, inputs, targets, h_prev):
        loss, cache = ref.rnn_forward(params, inputs, targets, h_prev)
        cache["hs"] = cache["hs"][1:]
        return loss, cache
    says(check, no_h0, "shape (6, 5)", "(7, 5)")


# --- rnn_backward --------------------------------------------------------------------------------
def backward(params, cache, targets, mistake=None):
    """BPTT written out again (independently of the check's variants), with one mistake."""
    xs, hs, y_hat = cache["xs"], cache["hs"], cache["y_hat"]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    carried = np.zeros(hs.shape[1])
    order = range(len(targets)) if mistake == "forward order" else reversed(range(len(targets)))
    for t in order:
        dl = y_hat[t].copy()
        dl[targets[t]] -= 1
        g["W_hy"] += np.outer(dl, hs[t] if mistake == "W_hy h_{t-1}" else hs[t + 1])
        if mistake != "no b_y":
            g["b_y"] += dl
        if mistake == "no time":
            back = 0
        elif mistake == "not transposed":
            back = params["W_hh"] @ carried
        else:
            back = params["W_hh"].T @ carried
        dh = params["W_hy"].T @ dl + back
        slope = {"no tanh'": 1.0, "old h in tanh'": 1 - hs[t] ** 2}.get(mistake, 1 - hs[t + 1] ** 2)
        delta = slope * dh
        g["b_h"] += delta * (2 if mistake == "b_h twice" else 1)
        g["W_xh"] += np.outer(delta, xs[t])
        if mistake == "outer swapped":
            g["W_hh"] += np.outer(hs[t], delta)
        else:
            g["W_hh"] += np.outer(delta, hs[t + 1] if mistake == "W_hh h_t" else hs[t])
        carried = dh if mistake == "dh before tanh'" else delta
    if mistake in ("clip at 5", "clip at 1"):     # the seeds' lossFun clipped here, at 5
        limit = 5.0 if mistake == "clip at 5" else 1.0
        g = {k: np.clip(v, -limit, limit) for k, v in g.items()}
    if mistake == "mean over steps":
        g = {k: v / len(targets) for k, v in g.items()}
    return g


def backward_hs_early(params, cache, targets):
    """A student who takes hs[t] for h_t: every state one step early, hs[-1] at t = 0."""
    xs, hs, y_hat = cache["xs"], cache["hs"], cache["y_hat"]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    carried = np.zeros(hs.shape[1])
    for t in range(len(targets) - 1, -1, -1):
        dl = y_hat[t] - np.eye(len(y_hat[t]))[targets[t]]
        g["W_hy"] += np.outer(dl, hs[t])
        g["b_y"] += dl
        delta = (1 - hs[t] ** 2) * (params["W_hy"].T @ dl + params["W_hh"].T @ carried)
        g["b_h"] += delta
        g["W_xh"] += np.outer(delta, xs[t])
        g["W_hh"] += np.outer(delta, hs[t - 1])
        carried = delta
    return g


def test_rnn_backward_names_states_read_one_step_early():
    says(lab02.check_rnn_backward, backward_hs_early, "one step early", "hs[-1] wraps")


@pytest.mark.parametrize("mistake, words", [
    ("forward order", ["runs forward in time", "reversed(range(T))"]),
    ("no b_y", ["b_y", "never learns"]),
    ("no time", ["does not flow back through time"]),
    ("not transposed", ["W_hh @ delta_{t+1}", "W_hh.T"]),
    ("no tanh'", ["without the tanh derivative"]),
    ("old h in tanh'", ["tanh derivative uses the previous state"]),
    ("W_hh h_t", ["dW_hh uses h_t", "hs[t]"]),
    ("W_hy h_{t-1}", ["dW_hy uses the previous state"]),
    ("dh before tanh'", ["before the tanh derivative"]),
    ("b_h twice", ["grads['b_h']", "db_h = sum_t delta_t"]),
    ("clip at 5", ["clipped to [-5, 5]", "clipping belongs in update"]),
    ("clip at 1", ["clipped to [-1, 1]", "clipping belongs in update"]),
    ("mean over steps", ["6 times too small", "sum over t"]),
    ("outer swapped", ["grads['W_hh'] is transposed", "outer(delta_t, h_{t-1})"]),
])
def test_rnn_backward_names_each_mistake(mistake, words):
    message = says(lab02.check_rnn_backward, lambda *a: backward(*a, mistake=mistake), *words)
    if mistake == "b_h twice":   # no recognised mistake: the message must not guess one
        assert "tanh derivative" not in message.split("db_h")[0], message


def test_rnn_backward_case_has_entries_above_the_clip():
    """A backward that clips at 5, as the seeds' lossFun, changes the second case's gradients."""
    params, inputs, targets, h_prev = lab02._case(3, scale=1.5)
    grads = ref.rnn_backward(params, ref.rnn_forward(params, inputs, targets, h_prev)[1], targets)
    assert max(np.abs(g).max() for g in grads.values()) > 10


def test_rnn_backward(capsys):
    check = lab02.check_rnn_backward
    check(backward)
    assert "✓ rnn_backward" in capsys.readouterr().out
    assert ref.rnn_backward is not backward
    says(check, lambda p, c, t: {k: v for k, v in backward(p, c, t).items() if k != "b_y"},
         "missing ['b_y']")
    says(check, lambda *a: [backward(*a)], "dict of gradients")


# --- update --------------------------------------------------------------------------------------
def update(params, grads, memory, lr=0.1, clip=True, sign=-1, sqrt=True, accumulate=True,
           in_place=True, fixed_lr=False, clip_in_place=False, eps=1e-8, eps_outside=False,
           sgd=False):
    lr = 0.1 if fixed_lr else lr
    for k in params:
        if clip_in_place:
            np.clip(grads[k], -5, 5, out=grads[k])
        g = np.clip(grads[k], -5, 5) if clip else grads[k]
        if accumulate:
            memory[k] += g ** 2
        if eps_outside:                      # torch.optim.Adagrad's form
            step = lr * g / (np.sqrt(memory[k]) + eps)
        elif sgd:
            step = lr * g
        else:
            step = lr * g / (np.sqrt(memory[k] + eps) if sqrt else memory[k] + eps)
        if in_place:
            params[k] += sign * step
        else:
            params = {**params, k: params[k] + sign * step}


def test_update(capsys):
    check = lab02.check_update
    check(update)
    assert "✓ update" in capsys.readouterr().out
    says(check, lambda *a: update(*a, clip=False), "not clipped", "[-5, 5]")
    says(check, lambda *a: update(*a, sign=+1), "uphill")
    says(check, lambda *a: update(*a, sqrt=False), "sqrt(G + 1e-8)")
    says(check, lambda *a: update(*a, accumulate=False), "memory did not change")
    says(check, lambda *a: update(*a, in_place=False), "params did not change")
    says(check, lambda *a: update(*a, fixed_lr=True), "ignores the argument lr")
    says(check, lambda *a: update(*a, clip_in_place=True), "changed its argument", "in place")
    says(check, lambda *a: update(*a, eps_outside=True), "1e-8 belongs inside the square root")
    says(check, lambda *a: update(*a, eps=1e-4), "eps = 0.0001", "1e-8")
    message = says(check, lambda *a: update(*a, sgd=True), "expected", "off by")
    assert "eps =" not in message, message                # plain SGD is no Adagrad with an eps


def test_update_case_makes_eps_matter():
    """Every array has an entry with G = 0 and a gradient of 1e-5, where eps decides the step."""
    params, grads, memory = lab02._update_case()
    for k in params:
        assert memory[k].flat[0] == 0 and abs(grads[k].flat[0]) == 1e-5
    inside = 1e-5 / np.sqrt(1e-10 + 1e-8)
    outside = 1e-5 / (1e-5 + 1e-8)
    assert outside > 5 * inside


def test_update_message_shows_the_digits_that_differ():
    """A step 1.00005 times too long: the two numbers of the message differ (the old message
    printed -0.08660 twice)."""
    message = rejects(lab02.check_update, lambda p, g, m, lr: update(p, g, m, lr * 1.00005))
    numbers = re.findall(r"= (-?[0-9.]+), expected (-?[0-9.]+)", message)
    assert numbers and numbers[0][0] != numbers[0][1], message


# --- sample --------------------------------------------------------------------------------------
def sample(params, h, seed_ix, n, rng, temperature=1.0, mistake=None):
    """A sampler written out again, with one mistake."""
    V = params["W_xh"].shape[1]
    if mistake == "zeros":
        h = np.zeros_like(h)
    if mistake == "seed twice":      # h has read the seed already; the loop reads it again
        h = np.tanh(params["W_xh"][:, seed_ix] + params["W_hh"] @ h + params["b_h"])
    x, ids, h0 = ref.one_hot(seed_ix, V), [], h
    for _ in range(n):
        new_h = np.tanh(params["W_xh"] @ x + params["W_hh"] @ h + params["b_h"])
        if mistake != "bigram":       # the new state is computed but never assigned back
            h = new_h
        logits = params["W_hy"] @ new_h + params["b_y"]
        logits = {"no temperature": logits, "times": logits * temperature}.get(
            mistake, logits / temperature)
        if mistake == "T on h":
            logits = params["W_hy"] @ (new_h / temperature) + params["b_y"]
        p = ref.softmax(logits)
        if mistake == "argmax":
            ix = int(np.argmax(p))
        elif mistake == "new generator":
            ix = int(np.random.default_rng(0).choice(V, p=p))
        elif mistake == "new generator 3":
            ix = int(np.random.default_rng(3).choice(V, p=p))
        elif mistake == "global":
            ix = int(np.random.choice(V, p=p))
        elif mistake == "multinomial":
            ix = int(rng.multinomial(1, p).argmax())
        else:
            ix = int(rng.choice(V, p=p))
        if mistake != "no feedback":
            x = ref.one_hot(ix, V)
        ids.append(ix)
    assert h0 is not None
    if mistake == "with seed":
        return [seed_ix] + ids[:-1]
    if mistake == "floats":
        return [float(i) for i in ids]
    return ids


@pytest.mark.parametrize("mistake, words", [
    ("bigram", ["does not carry the hidden state", "bigram"]),
    ("zeros", ["ignores its argument h", "zeros"]),
    ("no feedback", ["feed the character you just drew"]),
    ("argmax", ["most likely", "not random"]),
    ("seed twice", ["reads the seed character twice"]),
    ("T on h", ["divides the state h", "(W_hy @ h + b_y) / temperature"]),
    ("new generator", ["not random", "generator created anew"]),
    ("new generator 3", ["which p gives probability", "generator created anew"]),
    ("no temperature", ["temperature is ignored"]),
    ("times", ["multiplied"]),
    ("with seed", ["seed character is part of the output"]),
    ("global", ["two calls", "generator `rng`"]),
    ("multinomial", ["rng.choice(V, p=p)", "generator"]),
    ("floats", ["integer ids", "float"]),
])
def test_sample_names_each_mistake(mistake, words):
    message = says(lab02.check_sample, lambda *a, **k: sample(*a, **k, mistake=mistake), *words)
    if mistake == "seed twice":     # on the first sharp model it draws what "zeros" draws
        assert "zeros" not in message, message


def test_sample_accepts_right_answers(capsys):
    lab02.check_sample(sample)
    lab02.check_sample(ref.sample)
    lab02.check_sample(lambda *a, **k: np.array(ref.sample(*a, **k)))   # an int array is fine
    assert capsys.readouterr().out.count("✓ sample") == 3


def _smallest_margin(params, h, mistake):
    """The smallest lead of the most likely id over the next, along the path of ``mistake``."""
    if mistake == "seed twice":
        h = np.tanh(params["W_xh"][:, 2] + params["W_hh"] @ h + params["b_h"])
    h = np.zeros_like(h) if mistake == "zeros" else h
    x, margins = ref.one_hot(2, 5), []
    for _ in range(12):
        new_h = np.tanh(params["W_xh"] @ x + params["W_hh"] @ h + params["b_h"])
        h = h if mistake == "no carry" else new_h
        logits = params["W_hy"] @ new_h + params["b_y"]
        top = np.sort(logits)
        margins.append(top[-1] - top[-2])
        if mistake != "no feedback":
            x = ref.one_hot(int(np.argmax(logits)), 5)
    return min(margins)


def test_sample_check_cannot_be_passed_by_luck():
    # Step 1: every draw of the two sharp models, on the reference's path and the mistakes'
    # paths, has its most likely id ahead of the next by a margin m: another id has
    # probability below (V - 1) * exp(-m) < 1e-13.
    mistakes = (None,) + lab02._STEP_MISTAKES
    for seed in lab02._SHARP_SEEDS:
        params, h = lab02._sample_model(seed=seed, scale=100.0)
        for mistake in mistakes:
            margin = _smallest_margin(params, h, mistake)
            assert 4 * np.exp(-margin) < 1e-13, (seed, mistake, margin)
    # On the second sharp model the reference and the four mistakes of step 1 draw five paths.
    paths = {m: tuple(lab02._sample_variant(params, h, 2, 12, np.random.default_rng(0), mistake=m))
             for m in mistakes}
    assert len(set(paths.values())) == 5
    # Step 2: the candidates are at least 0.14 apart, so 0.03 of noise cannot confuse them.
    candidates = list(lab02._flat_candidates(0.5).values())
    assert min(np.abs(a - b).max() for i, a in enumerate(candidates)
               for b in candidates[i + 1:]) > 0.14
    flat, from_h, b_y = lab02._flat_model()
    h_flat = np.tanh(flat["b_h"])
    assert np.allclose(flat["W_hy"] @ h_flat, from_h) and np.any(b_y)
    # Step 3: another generator reproduces the reference's 40 draws with probability at most
    # the product of the largest probabilities along the path.
    params, h = lab02._sample_model(seed=5, scale=1.0)
    ids = ref.sample(params, h, 1, 40, np.random.default_rng(7), 0.8)
    x, worst = ref.one_hot(1, 5), 0.0
    for ix in ids:
        h = np.tanh(params["W_xh"] @ x + params["W_hh"] @ h + params["b_h"])
        worst += np.log(ref.softmax((params["W_hy"] @ h + params["b_y"]) / 0.8).max())
        x = ref.one_hot(ix, 5)
    assert np.exp(worst) < 1e-6


# --- batch_loss_and_grads ------------------------------------------------------------------------
def batched(params, inputs, targets, h_prev, mistake=None):
    loss, grads, h = ref.batch_loss_and_grads(params, inputs, targets, h_prev)
    B = len(inputs)
    if mistake == "sum":
        return loss * B, {k: g * B for k, g in grads.items()}, h
    if mistake == "grads sum":
        return loss, {k: g * B for k, g in grads.items()}, h
    if mistake == "h":
        return loss, grads, h.T
    if mistake == "wxh":
        grads["W_xh"] = grads["W_xh"] * 0
    if mistake == "float32":
        grads = {k: g.astype(np.float32) for k, g in grads.items()}
    if mistake == "mean per char":
        loss = loss / inputs.shape[1]
    if mistake == "h before last":
        h = ref.batch_forward(params, inputs, h_prev)[1][:, -2]
    if mistake == "dW_hh transposed":
        grads["W_hh"] = grads["W_hh"].T
    return loss, grads, h


def batched_by_hand(params, inputs, targets, h_prev, mistake=None):
    """The batched BPTT written out again, with one mistake in the recurrence or W_xh."""
    B, T = inputs.shape
    W_hh = params["W_hh"]
    hs = [h_prev]
    for t in range(T):
        rec = hs[-1] @ (W_hh if mistake == "forward W_hh" else W_hh.T)
        hs.append(np.tanh(params["W_xh"][:, inputs[:, t]].T + rec + params["b_h"]))
    y = [ref.softmax(h @ params["W_hy"].T + params["b_y"]) for h in hs[1:]]
    loss = -sum(np.log(y[t][np.arange(B), targets[:, t]]).sum() for t in range(T)) / B
    g = {k: np.zeros_like(v) for k, v in params.items()}
    carried = np.zeros_like(h_prev)
    for t in reversed(range(T)):
        dl = y[t].copy()
        dl[np.arange(B), targets[:, t]] -= 1
        dl /= B
        g["W_hy"] += dl.T @ hs[t + 1]
        g["b_y"] += dl.sum(0)
        delta = (1 - hs[t + 1] ** 2) * (dl @ params["W_hy"]
                                        + carried @ (W_hh.T if mistake == "backward W_hh" else W_hh))
        g["b_h"] += delta.sum(0)
        if mistake == "fancy index":
            g["W_xh"][:, inputs[:, t]] += delta.T
        else:
            g["W_xh"] += delta.T @ np.eye(params["W_xh"].shape[1])[inputs[:, t]]
        g["W_hh"] += delta.T @ hs[t]
        carried = delta
    return float(loss), g, hs[-1]


def test_batch_loss_and_grads(capsys):
    check = lab02.check_batch_loss_and_grads
    check(batched)
    assert "✓ batch_loss_and_grads" in capsys.readouterr().out
    says(check, lambda *a: batched(*a, mistake="sum"), "3 times too large", "average")
    says(check, lambda *a: batched(*a, mistake="grads sum"), "grads['b_y'] is 3 times")
    says(check, lambda *a: batched(*a, mistake="h"), "h_last", "(5, 3)")
    says(check, lambda *a: batched(*a, mistake="wxh"), "grads['W_xh']", "mean over the batch")
    says(check, lambda *a: batched(*a, mistake="float32"), "float32", "float64")
    says(check, lambda *a: batched(*a, mistake="mean per char"), "mean over the 6 steps")
    says(check, lambda *a: batched(*a, mistake="h before last"), "after 5 of the 6 steps")
    says(check, lambda *a: batched(*a, mistake="dW_hh transposed"), "grads['W_hh'] is transposed")
    check(batched_by_hand)
    says(check, lambda *a: batched_by_hand(*a, mistake="forward W_hh"), "h @ W_hh.T")
    says(check, lambda *a: batched_by_hand(*a, mistake="backward W_hh"), "delta_{t+1} @ W_hh,")
    says(check, lambda *a: batched_by_hand(*a, mistake="fancy index"), "repeated character once",
         "np.add.at")


def test_batch_case_repeats_an_id_at_one_step():
    _, inputs, _, _ = lab02._batch_case()
    assert any(len(set(column)) < len(column) for column in inputs.T)


# --- CharRNN -------------------------------------------------------------------------------------
class Dropout(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        self.drop = nn.Dropout(0.5)

    def forward(self, x, h=None):
        logits, h = super().forward(x, h)
        return self.drop(logits), h


class NoState(ref.CharRNN):
    def forward(self, x, h=None):
        return super().forward(x, h)[0], None


class LastStep(ref.CharRNN):
    def forward(self, x, h=None):
        inputs = nn.functional.one_hot(x, self.head.out_features).to(self.head.weight.dtype)
        out, h = self.rnn(inputs, h)
        return self.head(out[:, -1]), h


class IgnoresH(ref.CharRNN):
    def forward(self, x, h=None):
        return super().forward(x, None)


class Probabilities(ref.CharRNN):
    def forward(self, x, h=None):
        logits, h = super().forward(x, h)
        return logits.softmax(-1), h


class TimeFirst(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        self.rnn.batch_first = False


class TwoBiases(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        self.rnn.bias_hh_l0.requires_grad_(True)


class Embedded(nn.Module):          # the old lab's model: an embedding, and other names
    def __init__(self, V, H):
        super().__init__()
        self.embed = nn.Embedding(V, 4)
        self.lstm = nn.RNN(4, H, batch_first=True)
        self.out = nn.Linear(H, V)

    def forward(self, x, h=None):
        out, h = self.lstm(self.embed(x), h)
        return self.out(out), h


class EmbeddingInput(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        self.rnn = nn.RNN(4, H, batch_first=True)


class Float32Inputs(ref.CharRNN):
    def forward(self, x, h=None):
        out, h = self.rnn(nn.functional.one_hot(x, self.head.out_features).float(), h)
        return self.head(out), h


class DoubleInputs(ref.CharRNN):     # float64 hard-coded: the float32 model then fails
    def forward(self, x, h=None):
        out, h = self.rnn(nn.functional.one_hot(x, self.head.out_features).double(), h)
        return self.head(out), h


class NoNumClasses(ref.CharRNN):     # one_hot(x): as wide as the largest id in x
    def forward(self, x, h=None):
        out, h = self.rnn(nn.functional.one_hot(x).to(self.head.weight.dtype), h)
        return self.head(out), h


class FreezeRNNBiases(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        for bias in (self.rnn.bias_ih_l0, self.rnn.bias_hh_l0):
            with torch.no_grad():
                bias.zero_()
            bias.requires_grad_(False)


class FreezeHeadBias(ref.CharRNN):   # the seeds' bug in PyTorch: b_y never learns
    def __init__(self, V, H):
        super().__init__(V, H)
        self.head.bias.requires_grad_(False)


class FreezeWhh(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        self.rnn.weight_hh_l0.requires_grad_(False)


class HeadWithoutBias(ref.CharRNN):
    def __init__(self, V, H):
        super().__init__(V, H)
        self.head = nn.Linear(H, V, bias=False)


class LogProbabilities(ref.CharRNN):
    def forward(self, x, h=None):
        logits, h = super().forward(x, h)
        return logits.log_softmax(-1), h


def char_rnn(vocab_size, hidden_size):
    return ref.CharRNN(vocab_size, hidden_size)


@pytest.mark.parametrize("model, words, not_words", [
    (Dropout, ["training mode", "dropout"], ["batch_first"]),
    (NoState, ["returns None as the state"], ["ignores"]),
    (LastStep, ["reads only the last step", "every step"], ["batch_first"]),
    (IgnoresH, ["ignores its argument h"], []),
    (Probabilities, ["probabilities"], []),
    (TimeFirst, ["batch_first=False", "batch_first=True"], []),
    (TwoBiases, ["bias_hh_l0", "frozen"], []),
    (Embedded, ["self.rnn", "self.head", "model.rnn"], []),
    (EmbeddingInput, ["input_size=4", "one-hot"], []),
    (Float32Inputs, ["weights' dtype", ".float()"], []),
    (DoubleInputs, ["float32", "weights' dtype", ".double()"], []),
    (NoNumClasses, ["num_classes=vocab_size", "largest id"], []),
    (FreezeRNNBiases, ["model.rnn.bias_ih_l0 is frozen", "b_h"], []),
    (FreezeHeadBias, ["model.head.bias is frozen", "b_y"], []),
    (FreezeWhh, ["model.rnn.weight_hh_l0 is frozen", "W_hh"], []),
    (HeadWithoutBias, ["self.head has no bias", "b_y"], ["AttributeError"]),
    (LogProbabilities, ["log-probabilities"], []),
])
def test_char_rnn_names_each_mistake(model, words, not_words):
    message = says(lab02.check_char_rnn, model, *words)
    for word in not_words:
        assert word not in message, message


def test_char_rnn_accepts_the_reference(capsys):
    lab02.check_char_rnn(ref.CharRNN)
    lab02.check_char_rnn(char_rnn)
    assert capsys.readouterr().out.count("✓ CharRNN") == 2


# --- train_tbptt ---------------------------------------------------------------------------------
def tbptt(model, chunks, optimizer, clip_value=5.0, mistake=None):
    """Truncated BPTT written out again, with one mistake."""
    losses, h = [], None
    params = [p for p in model.parameters() if p.requires_grad]
    for x, y in chunks:
        if mistake == "no carry" or (mistake == "every other" and len(losses) % 2 == 0):
            h = None
        elif h is not None and mistake not in ("no detach", "retain"):
            h = h.detach()
        logits, h = model(x, h)
        B = len(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                           reduction="mean" if mistake == "mean" else "sum")
        loss = loss if mistake in ("mean", "sum") else loss / B
        if mistake == "divide by k":
            loss = loss * B / x.shape[1]
        if mistake == "clip before backward":
            nn.utils.clip_grad_value_(params, clip_value)
        if mistake not in ("no reset", "zero_grad before clip", "zero_grad before step",
                           "zero_grad after step", "model.zero_grad"):
            optimizer.zero_grad()
        if mistake == "model.zero_grad":
            model.zero_grad()
        loss.backward(retain_graph=mistake == "retain")
        if mistake == "zero_grad before clip":
            optimizer.zero_grad()
        if mistake == "by norm":
            nn.utils.clip_grad_norm_(params, clip_value)
        elif mistake == "clip at 5":
            nn.utils.clip_grad_value_(params, 5.0)
        elif mistake not in ("no clip", "clip before backward"):
            nn.utils.clip_grad_value_(params, clip_value)
        if mistake == "zero_grad before step":
            optimizer.zero_grad()
        if mistake != "no step":
            optimizer.step()
        if mistake == "eval":
            model.eval()
        if mistake == "zero_grad after step":
            optimizer.zero_grad()
        losses.append(loss if mistake == "tensors" else loss.item())
    if mistake == "array":
        return np.array(losses)
    return losses[:-1] if mistake == "short" else losses


@pytest.mark.parametrize("mistake, words", [
    ("no detach", ["not detached", "h.detach()"]),
    ("retain", ["not detached", "h.detach()"]),
    ("no reset", ["pile up", "zero_grad"]),
    ("no carry", ["zero state", "carry"]),
    ("no clip", ["not clipped", "clip_grad_value_"]),
    ("clip before backward", ["no gradients to clip", "after loss.backward()"]),
    ("clip at 5", ["clipped at 5", "clip_value"]),
    ("by norm", ["by its norm", "clip_grad_value_"]),
    ("mean", ["mean over all", "reduction='sum'"]),
    ("sum", ["summed over the whole batch", "divide by B"]),
    ("no step", ["did not change", "optimizer.step()"]),
    ("tensors", ["loss.item()", "graph"]),
    ("array", ["list", "ndarray"]),
    ("short", ["one loss a chunk"]),
    ("zero_grad before clip", ["gradients were gone", "zero_grad() before backward"]),
    ("zero_grad before step", ["gradients were gone", "zero_grad() before backward"]),
    ("divide by k", ["divided by k", "divide by B"]),
    ("eval", ["comes back in eval mode", "model.train()"]),
    ("every other", ["chunk 3 (of 4) starts from a zero state"]),
    ("mean", ["lecture 02's loop"]),
    ("by norm", ["lecture 02's loop"]),
])
def test_train_tbptt_names_each_mistake(mistake, words):
    says(lab02.check_train_tbptt, lambda *a: tbptt(*a, mistake=mistake), *words)


def test_train_tbptt_accepts_right_answers(capsys):
    lab02.check_train_tbptt(tbptt)
    lab02.check_train_tbptt(ref.train_tbptt)
    lab02.check_train_tbptt(lambda *a: tbptt(*a, mistake="zero_grad after step"))
    lab02.check_train_tbptt(lambda *a: tbptt(*a, mistake="model.zero_grad"))
    assert capsys.readouterr().out.count("✓ train_tbptt") == 4


def test_train_tbptt_variants_all_differ_from_the_reference():
    """Each mistake the check can name changes the trained parameters, so none passes."""
    V, H = 6, 5
    params, chunks = lab02._tbptt_case(V, H)

    def trained(mistake):
        model = ref.load_params(ref.CharRNN(V, H).double(), params)
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
        lab02._tbptt_variant(model, chunks, optimizer, 0.05, mistake)
        return np.concatenate([v.ravel() for v in ref.params_from_model(model).values()])

    right = trained(None)
    for mistake in [*lab02._TBPTT_HINTS, ("reset", {2}), ("reset", {1, 2, 3})]:
        assert np.abs(trained(mistake) - right).max() > 1e-4, mistake


# --- the systematic layer -------------------------------------------------------------------------
def cache_float32(result):
    loss, cache = result
    return loss, {k: v.astype(np.float32) for k, v in cache.items()}


def cache_lists(result):
    loss, cache = result
    return loss, {k: v.tolist() for k, v in cache.items()}


def grads_float32(grads):
    return {k: v.astype(np.float32) for k, v in grads.items()}


def ids_as_floats(ids):
    return [float(i) for i in ids]


def batch_float32(result):
    loss, grads, h = result
    return loss, grads_float32(grads), h


def batch_h_torch(result):
    loss, grads, h = result
    return loss, grads, torch.from_numpy(h)


def logits_numpy(model):
    forward = model.forward
    model.forward = lambda x, h=None: tuple(t.detach().numpy() for t in forward(x, h))
    return model


def losses_as_tensors(losses):
    return [torch.tensor(loss) for loss in losses]


CASES = [
    Case(lab02.check_unigram_bits, unigram, mutable=(0, 1),
         returns=[(to_torch, "one number"), (to_numpy, "one number")]),
    Case(lab02.check_rnn_forward, ref.rnn_forward, mutable=(0, 1, 2, 3),
         returns=[(cache_float32, "float64"), (cache_lists, "NumPy array")]),
    Case(lab02.check_rnn_backward, ref.rnn_backward, mutable=(0, 1, 2),
         returns=[(grads_float32, "float64")]),
    Case(lab02.check_update, lambda params, grads, memory, lr: update(params, grads, memory, lr),
         mutable=(1,)),
    Case(lab02.check_sample, ref.sample, mutable=(0, 1),
         returns=[(ids_as_floats, "integer ids"), (to_torch, "list")], rng="rng"),
    Case(lab02.check_batch_loss_and_grads, ref.batch_loss_and_grads, mutable=(0, 1, 2, 3),
         returns=[(batch_float32, "float64"), (batch_h_torch, "NumPy array")]),
    Case(lab02.check_char_rnn, char_rnn, returns=[(logits_numpy, "torch.Tensor")]),
    Case(lab02.check_train_tbptt, ref.train_tbptt, mutable=(1,),
         returns=[(losses_as_tensors, "loss.item()"), (to_numpy, "list")]),
]
