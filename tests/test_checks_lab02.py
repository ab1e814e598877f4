"""Every lab 02 check accepts the reference, rejects planted mistakes with the right words,
and calls a stub "not implemented yet"."""
import numpy as np
import pytest
import torch
from torch import nn

from course_utils import char_rnn as ref
from course_utils._feedback import CheckFailed
from course_utils.checks import lab02


def stub(*args, **kwargs):
    raise NotImplementedError


def rejects(check, func, *words):
    with pytest.raises(CheckFailed) as info:
        check(func)
    for word in words:
        assert word in info.value.message, info.value.message


def test_stubs_are_not_implemented_yet():
    for check in (lab02.check_unigram_bits, lab02.check_rnn_forward, lab02.check_rnn_backward,
                  lab02.check_update, lab02.check_sample, lab02.check_batch_loss_and_grads,
                  lab02.check_char_model):
        rejects(check, stub, "not implemented yet")


# --- unigram_bits --------------------------------------------------------------------------------
def unigram(train, held, K, log=np.log2, smooth=1, fit_on=None):
    counts = np.bincount(train if fit_on is None else held, minlength=K) + smooth
    with np.errstate(divide="ignore"):
        return float(-log(counts[held] / counts.sum()).mean())


def test_unigram_bits(capsys):
    lab02.check_unigram_bits(unigram)
    assert "✓ unigram_bits" in capsys.readouterr().out
    rejects(lab02.check_unigram_bits, lambda a, b, K: unigram(a, b, K, log=np.log), "nats")
    rejects(lab02.check_unigram_bits, lambda a, b, K: unigram(a, b, K, smooth=0),
            "probability 0", "Add 1")
    rejects(lab02.check_unigram_bits, lambda a, b, K: unigram(a, b, K, fit_on="held"),
            "held-out text")
    rejects(lab02.check_unigram_bits, lambda a, b, K: np.log2(K), "uniform")
    rejects(lab02.check_unigram_bits, lambda a, b, K: unigram(a, b, K, smooth=0.5), "expected")


# --- rnn_forward ---------------------------------------------------------------------------------
def forward(params, inputs, targets, h_prev, state=True, bias=True, softmax=True, mean=False):
    p = dict(params)
    if not state:
        p["Whh"] = np.zeros_like(p["Whh"])
    if not bias:
        p["by"] = np.zeros_like(p["by"])
    loss, cache = ref.rnn_forward(p, inputs, targets, h_prev)
    if not softmax:
        cache["ps"] = np.exp(cache["ps"]) * 3
    return (loss / len(inputs) if mean else loss), cache


def test_rnn_forward(capsys):
    lab02.check_rnn_forward(forward)
    assert "✓ rnn_forward" in capsys.readouterr().out
    rejects(lab02.check_rnn_forward, lambda *a: forward(*a, state=False), "ignores the previous state")
    rejects(lab02.check_rnn_forward, lambda *a: forward(*a, bias=False), "output bias by is missing")
    rejects(lab02.check_rnn_forward, lambda *a: forward(*a, softmax=False), "softmax", "ps[")
    rejects(lab02.check_rnn_forward, lambda *a: forward(*a, mean=True), "mean over steps")
    rejects(lab02.check_rnn_forward, lambda *a: forward(*a)[1], "tuple (loss, cache)")

    def no_h0(params, inputs, targets, h_prev):
        loss, cache = ref.rnn_forward(params, inputs, targets, h_prev)
        cache["hs"] = cache["hs"][1:]
        return loss, cache
    rejects(lab02.check_rnn_forward, no_h0, "shape (6, 5)", "(7, 5)")


# --- rnn_backward --------------------------------------------------------------------------------
def backward(params, cache, targets, mistake=None):
    if mistake == "no time":
        grads = lab02._backward_without_time(params, cache, targets)
        grads["Why"] = ref.rnn_backward(params, cache, targets)["Why"]
        grads["by"] = ref.rnn_backward(params, cache, targets)["by"]
        return grads
    grads = ref.rnn_backward(params, cache, targets)
    if mistake == "seed":
        grads["by"] = np.zeros_like(grads["by"])
    if mistake == "whh":                      # outer with h_t instead of h_{t-1}
        grads["Whh"] = sum(np.outer((1 - cache["hs"][t + 1] ** 2), cache["hs"][t + 1])
                           for t in range(len(targets)))
    if mistake == "tanh":
        grads["bh"] = grads["bh"] * 2
    return grads


def test_rnn_backward(capsys):
    lab02.check_rnn_backward(backward)
    assert "✓ rnn_backward" in capsys.readouterr().out
    rejects(lab02.check_rnn_backward, lambda *a: backward(*a, mistake="seed"),
            "grads['by'] is all zeros", "never learns")
    rejects(lab02.check_rnn_backward, lambda *a: backward(*a, mistake="no time"),
            "does not flow back through time")
    rejects(lab02.check_rnn_backward, lambda *a: backward(*a, mistake="whh"),
            "grads['Whh']", "h_{t-1}")
    rejects(lab02.check_rnn_backward, lambda *a: backward(*a, mistake="tanh"),
            "grads['bh']", "tanh derivative")
    rejects(lab02.check_rnn_backward, lambda p, c, t: {k: v for k, v in backward(p, c, t).items()
                                                        if k != "by"}, "missing ['by']")


# --- update --------------------------------------------------------------------------------------
def update(params, grads, memory, lr=0.1, clip=True, sign=-1, sqrt=True, accumulate=True,
           in_place=True):
    for k in params:
        g = np.clip(grads[k], -5, 5) if clip else grads[k]
        if accumulate:
            memory[k] += g ** 2
        step = lr * g / (np.sqrt(memory[k] + 1e-8) if sqrt else memory[k] + 1e-8)
        if in_place:
            params[k] += sign * step
        else:
            params = {**params, k: params[k] + sign * step}


def test_update(capsys):
    lab02.check_update(update)
    assert "✓ update" in capsys.readouterr().out
    rejects(lab02.check_update, lambda *a: update(*a, clip=False), "not clipped", "[-5, 5]")
    rejects(lab02.check_update, lambda *a: update(*a, sign=+1), "uphill")
    rejects(lab02.check_update, lambda *a: update(*a, sqrt=False), "sqrt(G + 1e-8)")
    rejects(lab02.check_update, lambda *a: update(*a, accumulate=False), "memory did not change")
    rejects(lab02.check_update, lambda *a: update(*a, in_place=False), "params did not change")


# --- sample --------------------------------------------------------------------------------------
def sample(params, h, seed_ix, n, temperature=1.0, rng=None, mistake=None):
    K = params["Wxh"].shape[1]
    x, ids = ref.one_hot(seed_ix, K), []
    for _ in range(n):
        h = np.tanh(params["Wxh"] @ x + params["Whh"] @ h + params["bh"])
        o = params["Why"] @ h + params["by"]
        o = {"no temperature": o, "times": o * temperature}.get(mistake, o / temperature)
        p = ref.softmax(o)
        ix = int(np.argmax(p)) if mistake == "argmax" else int(rng.choice(K, p=p))
        if mistake != "no feedback":
            x = ref.one_hot(ix, K)
        ids.append(ix)
    return ids


def test_sample(capsys):
    lab02.check_sample(sample)
    assert "✓ sample" in capsys.readouterr().out
    rejects(lab02.check_sample, lambda *a: sample(*a, mistake="argmax"), "most likely", "at random")
    rejects(lab02.check_sample, lambda *a: sample(*a, mistake="no temperature"),
            "temperature is ignored")
    rejects(lab02.check_sample, lambda *a: sample(*a, mistake="times"), "multiplied")
    rejects(lab02.check_sample, lambda *a: sample(*a, mistake="no feedback"), "seed character")
    rejects(lab02.check_sample, lambda *a: [a[2]] + sample(*a)[:-1], "expected [1, 2, 3, 0, 1, 2]")


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
        grads["Wxh"] = grads["Wxh"] * 0
    return loss, grads, h


def test_batch_loss_and_grads(capsys):
    lab02.check_batch_loss_and_grads(batched)
    assert "✓ batch_loss_and_grads" in capsys.readouterr().out
    check = lab02.check_batch_loss_and_grads
    rejects(check, lambda *a: batched(*a, mistake="sum"), "3 times too large", "average")
    rejects(check, lambda *a: batched(*a, mistake="grads sum"), "grads['by'] is 3 times")
    rejects(check, lambda *a: batched(*a, mistake="h"), "h_last", "(5, 3)")
    rejects(check, lambda *a: batched(*a, mistake="wxh"), "grads['Wxh']", "mean over the batch")


# --- CharModel -----------------------------------------------------------------------------------
class Model(nn.Module):
    def __init__(self, K, H, cell="rnn", mistake=None):
        super().__init__()
        self.mistake = mistake
        self.embed = nn.Embedding(K, 6)
        layer = nn.RNN if mistake == "always rnn" else {"rnn": nn.RNN, "lstm": nn.LSTM}[cell]
        self.rnn = layer(6, H, batch_first=mistake != "time first")
        self.head = nn.Linear(H, K)

    def forward(self, x, state=None):
        if self.mistake == "no state":
            state = None
        if self.mistake == "no recurrence":
            out = self.head(torch.tanh(self.rnn.weight_ih_l0[:self.head.in_features]
                                       @ self.embed(x).unsqueeze(-1)).squeeze(-1))
            return out, state
        out, state = self.rnn(self.embed(x), state)
        logits = self.head(out)
        return (logits.softmax(-1) if self.mistake == "probs" else logits), state


def test_char_model(capsys):
    lab02.check_char_model(Model)
    assert "✓ CharModel" in capsys.readouterr().out
    rejects(lab02.check_char_model, lambda *a: Model(*a, mistake="no state"), "ignores `state`")
    rejects(lab02.check_char_model, lambda *a: Model(*a, mistake="always rnn"), "nn.LSTM")
    rejects(lab02.check_char_model, lambda *a: Model(*a, mistake="probs"), "probabilities")
    rejects(lab02.check_char_model, lambda *a: Model(*a, mistake="time first"),
            "batch_first=True")
    rejects(lab02.check_char_model, lambda *a: Model(*a, mistake="no recurrence"),
            "do not depend on the first")
