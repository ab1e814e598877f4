"""Checks for lab 02, a character-level language model. Each compares the student's function
with the reference in :mod:`course_utils.char_rnn` on small cases and says what differs, where.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from course_utils import char_rnn as ref
from course_utils._feedback import CheckFailed, call_student, expect_shape, first_mismatch, passed

_K, _H, _T = 7, 5, 6


def _case(seed: int = 0, scale: float = 0.5):
    rng = np.random.default_rng(seed)
    params = ref.init_params(_K, _H, scale=scale, seed=seed)
    params["bh"] = rng.standard_normal(_H) * scale
    params["by"] = rng.standard_normal(_K) * scale
    inputs = [int(i) for i in rng.integers(0, _K, _T)]
    targets = [int(i) for i in rng.integers(0, _K, _T)]
    return params, inputs, targets, np.tanh(rng.standard_normal(_H))


def _copy(params):
    return {name: value.copy() for name, value in params.items()}


def _where(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


# --- baselines ---------------------------------------------------------------------------------
def check_unigram_bits(unigram_bits: Callable) -> None:
    """``unigram_bits(train_ids, held_ids, vocab_size)``: held-out bits/char of the add-one
    smoothed unigram frequencies of the training text."""
    name = "unigram_bits"
    train = np.array([0, 0, 0, 1, 1, 2, 0, 1])      # character 3 never occurs in training
    held = np.array([0, 1, 3, 3, 2, 0])
    counts = np.bincount(train, minlength=4) + 1
    expected = float(-np.log2(counts[held] / counts.sum()).mean())
    got = call_student(name, unigram_bits, train.copy(), held.copy(), 4)
    if not np.isscalar(got) and np.ndim(got) != 0:
        raise CheckFailed(name, f"return one number (bits per character), got {type(got).__name__}.")
    got = float(got)
    if not np.isfinite(got):
        raise CheckFailed(name, "the result is infinite: a character that never occurs in the "
                          "training text gets probability 0. Add 1 to every count (add-one "
                          "smoothing) before normalising.")
    if np.isclose(got, expected * np.log(2)):
        raise CheckFailed(name, f"got {got:.4f}, which is in nats: use log base 2 for bits "
                          f"(expected {expected:.4f}).")
    held_counts = np.bincount(held, minlength=4) + 1
    if np.isclose(got, -np.log2(held_counts[held] / held_counts.sum()).mean()):
        raise CheckFailed(name, "the frequencies come from the held-out text: estimate them "
                          "from train_ids only, then score held_ids.")
    if np.isclose(got, np.log2(4)):
        raise CheckFailed(name, "got log2(vocab_size), the uniform baseline: use the "
                          "character counts of the training text.")
    if not np.isclose(got, expected, atol=1e-6):
        raise CheckFailed(name, f"got {got:.4f} bits/char, expected {expected:.4f} on a small "
                          "case: mean of -log2 p(c) over the held-out characters, with "
                          "p(c) = (count(c) + 1) / (N + K).")
    passed(name, f"{expected:.4f} bits/char on the small case, matches.")


# --- the NumPy model ----------------------------------------------------------------------------
def check_rnn_forward(rnn_forward: Callable) -> None:
    """``rnn_forward(params, inputs, targets, h_prev) -> (loss, cache)``."""
    name = "rnn_forward"
    params, inputs, targets, h_prev = _case(1)
    loss_ref, cache_ref = ref.rnn_forward(params, inputs, targets, h_prev)
    result = call_student(name, rnn_forward, _copy(params), list(inputs), list(targets),
                          h_prev.copy())
    if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[1], dict):
        raise CheckFailed(name, "return a tuple (loss, cache) where cache is a dict with "
                          "'xs', 'hs' and 'ps'.")
    loss, cache = result
    for key in ("xs", "hs", "ps"):
        if key not in cache:
            raise CheckFailed(name, f"cache has no {key!r}; it needs 'xs', 'hs' and 'ps'.")
    xs = expect_shape(name, "cache['xs']", cache["xs"], (_T, _K))
    hs = expect_shape(name, "cache['hs'] (h_prev first, then one state a step)", cache["hs"],
                      (_T + 1, _H))
    ps = expect_shape(name, "cache['ps']", cache["ps"], (_T, _K))
    if first_mismatch(xs, cache_ref["xs"]):
        raise CheckFailed(name, "cache['xs'] is not the one-hot encoding of inputs: row t "
                          "should be 1 at inputs[t] and 0 elsewhere.")
    if first_mismatch(hs[0], h_prev):
        raise CheckFailed(name, "cache['hs'][0] should be h_prev, the state before step 0.")
    bad = first_mismatch(hs, cache_ref["hs"])
    if bad:
        t = bad[0][0]
        no_state = _copy(params)
        no_state["Whh"] = np.zeros_like(params["Whh"])
        _, cache_ns = ref.rnn_forward(no_state, inputs, targets, h_prev)
        if not first_mismatch(hs[1:], cache_ns["hs"][1:]):
            raise CheckFailed(name, "your forward pass ignores the previous state: h_t must "
                              "include Whh @ h_{t-1}.")
        raise CheckFailed(name, f"hidden state hs[{t}] (after step {t - 1}) differs at unit "
                          f"{bad[0][1]}: got {bad[1]:.4f}, expected {bad[2]:.4f}. "
                          "h_t = tanh(Wxh @ x_t + Whh @ h_{t-1} + bh).")
    sums = ps.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        t = int(np.argmax(np.abs(sums - 1)))
        raise CheckFailed(name, f"ps[{t}] sums to {sums[t]:.4f}, not 1: apply a softmax to the "
                          "logits Why @ h_t + by.")
    bad = first_mismatch(ps, cache_ref["ps"])
    if bad:
        no_by = ref.softmax(cache_ref["hs"][1:] @ params["Why"].T)
        hint = (" (it looks like the output bias by is missing)"
                if not first_mismatch(ps, no_by) else "")
        raise CheckFailed(name, f"probabilities ps{_where(bad[0])} = {bad[1]:.4f}, expected "
                          f"{bad[2]:.4f}{hint}: p_t = softmax(Why @ h_t + by).")
    loss = float(np.asarray(loss))
    if np.isclose(loss, loss_ref / _T):
        raise CheckFailed(name, "loss is the mean over steps; min-char-rnn sums it: "
                          "loss = sum_t -log p_t[targets[t]].")
    if np.isclose(loss, loss_ref / np.log(2)):
        raise CheckFailed(name, "loss is in bits; use the natural log (nats), as backward "
                          "assumes.")
    if not np.isclose(loss, loss_ref):
        raise CheckFailed(name, f"loss = {loss:.4f}, expected {loss_ref:.4f}: "
                          "sum over t of -log ps[t, targets[t]].")
    passed(name, f"states, probabilities and loss ({loss_ref:.4f} nats over {_T} steps) match.")


def check_rnn_backward(rnn_backward: Callable) -> None:
    """``rnn_backward(params, cache, targets) -> grads`` with keys Wxh, Whh, Why, bh, by."""
    name = "rnn_backward"
    params, inputs, targets, h_prev = _case(2)
    _, cache = ref.rnn_forward(params, inputs, targets, h_prev)
    expected = ref.rnn_backward(params, cache, targets)
    grads = call_student(name, rnn_backward, _copy(params),
                         {k: v.copy() for k, v in cache.items()}, list(targets))
    if not isinstance(grads, dict):
        raise CheckFailed(name, f"return a dict of gradients, got {type(grads).__name__}.")
    missing = [k for k in ref.PARAM_NAMES if k not in grads]
    if missing:
        raise CheckFailed(name, f"grads is missing {missing}: return one gradient for each of "
                          f"{list(ref.PARAM_NAMES)}.")
    for key in ref.PARAM_NAMES:
        expect_shape(name, f"grads[{key!r}]", grads[key], params[key].shape)
    if not np.any(grads["by"]):
        raise CheckFailed(name, "grads['by'] is all zeros, so the output bias never learns: "
                          "add dL/do_t = p_t - onehot(y_t) to dby at every step.")
    # no flow back through time: only the step's own output reaches h_t
    params_local = _copy(params)
    local = _backward_without_time(params_local, cache, targets)
    recurrent = ("Wxh", "Whh", "bh")
    if all(not first_mismatch(grads[k], local[k]) for k in recurrent):
        raise CheckFailed(name, "the gradient does not flow back through time: dL/dh_t must add "
                          "Whh.T @ (dL/da_{t+1}) from the next step (dh_next).")
    for key in ("by", "Why", "bh", "Wxh", "Whh"):
        bad = first_mismatch(grads[key], expected[key])
        if bad:
            hint = {
                "by": "dby = sum_t (p_t - onehot(y_t)).",
                "Why": "dWhy = sum_t outer(p_t - onehot(y_t), h_t).",
                "bh": "dbh = sum_t (1 - h_t**2) * dL/dh_t; check the tanh derivative.",
                "Wxh": "dWxh = sum_t outer((1 - h_t**2) * dL/dh_t, x_t).",
                "Whh": "dWhh = sum_t outer((1 - h_t**2) * dL/dh_t, h_{t-1}): the previous "
                       "state, hs[t] in the cache.",
            }[key]
            raise CheckFailed(name, f"grads[{key!r}]{_where(bad[0])} = {bad[1]:.5f}, expected "
                              f"{bad[2]:.5f}. {hint}")
    passed(name, "all five gradients match BPTT on a 6-step sequence.")


def _backward_without_time(params, cache, targets):
    """BPTT with dh_next always zero: the mistake of forgetting the recurrence."""
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    xs, hs, ps = cache["xs"], cache["hs"], cache["ps"]
    for t in reversed(range(len(targets))):
        do = ps[t].copy()
        do[targets[t]] -= 1
        da = (1 - hs[t + 1] ** 2) * (params["Why"].T @ do)
        grads["bh"] += da
        grads["Wxh"] += np.outer(da, xs[t])
        grads["Whh"] += np.outer(da, hs[t])
    return grads


def check_update(update: Callable) -> None:
    """``update(params, grads, memory, lr)``: clip every gradient to [-5, 5], then one Adagrad
    step in place."""
    name = "update"
    params, *_ = _case(3)
    rng = np.random.default_rng(3)
    grads = {k: rng.standard_normal(v.shape) * 4 for k, v in params.items()}
    memory = {k: rng.random(v.shape) for k, v in params.items()}
    exp_params, exp_memory = _copy(params), _copy(memory)
    ref.adagrad_update(exp_params, ref.clip_gradients(grads), exp_memory, lr=0.1)
    got_params, got_memory = _copy(params), _copy(memory)
    call_student(name, update, got_params, {k: v.copy() for k, v in grads.items()}, got_memory,
                 0.1, may_modify=(0, 1, 2))
    if all(not first_mismatch(got_params[k], params[k]) for k in params):
        raise CheckFailed(name, "params did not change: update them in place "
                          "(params[k] -= ...), do not rebind a local name.")
    if all(not first_mismatch(got_memory[k], memory[k]) for k in memory):
        raise CheckFailed(name, "memory did not change: accumulate the squared (clipped) "
                          "gradients, memory[k] += g**2, before the step.")
    unclipped_memory = {k: memory[k] + grads[k] ** 2 for k in memory}
    if all(not first_mismatch(got_memory[k], unclipped_memory[k]) for k in memory):
        raise CheckFailed(name, "gradients are not clipped: clip every entry to [-5, 5] "
                          "(np.clip) before updating memory and params.")
    for k in params:
        bad = first_mismatch(got_memory[k], exp_memory[k])
        if bad:
            raise CheckFailed(name, f"memory[{k!r}]{_where(bad[0])} = {bad[1]:.4f}, expected "
                              f"{bad[2]:.4f}: memory += g**2 with the clipped gradient g.")
    step = {k: got_params[k] - params[k] for k in params}
    exp_step = {k: exp_params[k] - params[k] for k in params}
    if all(not first_mismatch(step[k], -exp_step[k]) for k in params):
        raise CheckFailed(name, "parameters moved uphill: subtract the step, "
                          "theta <- theta - lr * g / sqrt(G + eps).")
    for k in params:
        bad = first_mismatch(got_params[k], exp_params[k])
        if bad:
            raise CheckFailed(name, f"params[{k!r}]{_where(bad[0])} = {bad[1]:.5f}, expected "
                              f"{bad[2]:.5f}: theta <- theta - lr * g / sqrt(G + 1e-8), with G "
                              "the updated memory.")
    passed(name, "clipping to [-5, 5] and the Adagrad step match.")


def check_sample(sample: Callable) -> None:
    """``sample(params, h, seed_ix, n, temperature, rng) -> list of n ids``."""
    name = "sample"
    K = H = 4
    # a model whose next character is (previous + 1) mod K, almost surely
    chain = {"Wxh": np.eye(H) * 5.0, "Whh": np.zeros((H, H)), "bh": np.zeros(H),
             "Why": np.roll(np.eye(K), 1, axis=0) * 40.0, "by": np.zeros(K)}
    ids = call_student(name, sample, _copy(chain), np.zeros(H), 0, 6, 1.0,
                       np.random.default_rng(0))
    ids = [int(i) for i in np.asarray(ids).reshape(-1)] if ids is not None else None
    if ids is None or len(ids) != 6:
        raise CheckFailed(name, f"return a list of n = 6 ids, got {ids!r}.")
    if ids == [1, 1, 1, 1, 1, 1]:
        raise CheckFailed(name, "every step sees the seed character: feed the character you "
                          "just sampled back in as the next input.")
    if ids != [1, 2, 3, 0, 1, 2]:
        raise CheckFailed(name, f"on a model that always predicts the next id, got {ids}, "
                          "expected [1, 2, 3, 0, 1, 2] (the seed itself is not part of the "
                          "output).")
    # a model whose output ignores the state: p = softmax(by / temperature)
    logits = np.array([1.0, 0.5, 0.0, -1.0])
    flat = {"Wxh": np.zeros((H, K)), "Whh": np.zeros((H, H)), "bh": np.zeros(H),
            "Why": np.zeros((K, H)), "by": logits}
    n, temperature = 4000, 0.5
    ids = call_student(name, sample, _copy(flat), np.zeros(H), 0, n, temperature,
                       np.random.default_rng(1))
    freq = np.bincount(np.asarray(ids, dtype=int), minlength=K)[:K] / n
    if freq[0] == 1.0:
        raise CheckFailed(name, "every sample is the most likely character: draw at random "
                          "from p (rng.choice(K, p=p)) instead of taking the argmax.")
    expected = ref.softmax(logits / temperature)
    if np.allclose(freq, ref.softmax(logits), atol=0.03):
        raise CheckFailed(name, "the temperature is ignored: divide the logits by the "
                          "temperature before the softmax.")
    if np.allclose(freq, ref.softmax(logits * temperature), atol=0.03):
        raise CheckFailed(name, "the logits are multiplied by the temperature; divide them.")
    if not np.allclose(freq, expected, atol=0.03):
        raise CheckFailed(name, f"at temperature {temperature} the sample frequencies "
                          f"{np.round(freq, 2).tolist()} differ from softmax(logits / T) = "
                          f"{np.round(expected, 2).tolist()}.")
    passed(name, "feeds samples back, draws at random, and applies the temperature.")


def check_batch_loss_and_grads(batch_loss_and_grads: Callable) -> None:
    """``batch_loss_and_grads(params, inputs (B, T), targets (B, T), h_prev (B, H))``."""
    name = "batch_loss_and_grads"
    B = 3
    params, *_ = _case(4)
    rng = np.random.default_rng(4)
    inputs, targets = rng.integers(0, _K, (B, _T)), rng.integers(0, _K, (B, _T))
    h_prev = np.tanh(rng.standard_normal((B, _H)))
    loss_ref, grads_ref, h_ref = ref.batch_loss_and_grads(params, inputs, targets, h_prev)
    result = call_student(name, batch_loss_and_grads, _copy(params), inputs.copy(),
                          targets.copy(), h_prev.copy())
    if not isinstance(result, tuple) or len(result) != 3:
        raise CheckFailed(name, "return a tuple (loss, grads, h_last).")
    loss, grads, h_last = result
    h_last = expect_shape(name, "h_last", h_last, (B, _H))
    bad = first_mismatch(h_last, h_ref)
    if bad:
        raise CheckFailed(name, f"h_last{_where(bad[0])} = {bad[1]:.4f}, expected {bad[2]:.4f}:"
                          " row b is the last state of sequence b, "
                          "tanh(Wxh[:, x].T + h @ Whh.T + bh) at every step.")
    loss = float(np.asarray(loss))
    if np.isclose(loss, loss_ref * B):
        raise CheckFailed(name, f"loss is {B} times too large: sum over time, average over the "
                          "batch, so it matches one sequence's loss.")
    if not np.isclose(loss, loss_ref):
        raise CheckFailed(name, f"loss = {loss:.4f}, expected {loss_ref:.4f} (summed over "
                          "time, averaged over the batch).")
    if not isinstance(grads, dict) or any(k not in grads for k in ref.PARAM_NAMES):
        raise CheckFailed(name, f"grads must be a dict with keys {list(ref.PARAM_NAMES)}.")
    for key in ("by", "Why", "bh", "Wxh", "Whh"):
        got = expect_shape(name, f"grads[{key!r}]", grads[key], params[key].shape)
        if np.allclose(got, grads_ref[key] * B) and np.any(grads_ref[key]):
            raise CheckFailed(name, f"grads[{key!r}] is {B} times too large: divide dL/do by "
                              "the batch size, like the loss.")
        bad = first_mismatch(got, grads_ref[key])
        if bad:
            raise CheckFailed(name, f"grads[{key!r}]{_where(bad[0])} = {bad[1]:.5f}, expected "
                              f"{bad[2]:.5f}; it should equal the mean over the batch of the "
                              "one-sequence gradients.")
    passed(name, f"loss, gradients and final states match on a batch of {B} sequences.")


# --- the PyTorch model --------------------------------------------------------------------------
def check_char_model(CharModel: Callable) -> None:
    """``CharModel(vocab_size, hidden_size, cell)``; ``forward(x (B, T) ids, state=None)``
    returns (logits (B, T, K), state)."""
    import torch

    name = "CharModel"
    K, H, B, T = 11, 8, 3, 10
    for cell in ("rnn", "lstm"):
        torch.manual_seed(0)
        model = call_student(name, CharModel, K, H, cell)
        if not isinstance(model, torch.nn.Module):
            raise CheckFailed(name, f"CharModel(...) should be an nn.Module, got "
                              f"{type(model).__name__}.")
        layers = [type(m).__name__ for m in model.modules()]
        wanted = {"rnn": "RNN", "lstm": "LSTM"}[cell]
        if wanted not in layers:
            raise CheckFailed(name, f"cell={cell!r} should build an nn.{wanted}; the model "
                              f"holds {layers[1:]}.")
        x = torch.randint(0, K, (B, T), generator=torch.Generator().manual_seed(1))
        out = call_student(name, model, x)
        if not isinstance(out, tuple) or len(out) != 2:
            raise CheckFailed(name, "forward should return (logits, state).")
        logits, state = out
        if tuple(logits.shape) != (B, T, K):
            raise CheckFailed(name, f"logits have shape {tuple(logits.shape)}, expected "
                              f"(batch, time, vocab) = {(B, T, K)}; use batch_first=True.")
        if torch.allclose(logits.softmax(-1).sum(-1), torch.ones(B, T)) and \
                torch.allclose(logits.sum(-1), torch.ones(B, T), atol=1e-5):
            raise CheckFailed(name, "forward returns probabilities; return the logits (the "
                              "loss, cross_entropy, applies the log-softmax itself).")
        if cell == "lstm" and not isinstance(state, tuple):
            raise CheckFailed(name, "an LSTM's state is the tuple (h, c); return it as is.")
        with torch.no_grad():
            alone, _ = call_student(name, model, x[-1:])
            if not torch.allclose(alone, logits[-1:], atol=1e-5):
                raise CheckFailed(name, f"cell={cell!r}: the last sequence gets other logits "
                                  "alone than in a batch: rows of x are sequences, so build "
                                  "the recurrent layer with batch_first=True.")
            first, state1 = call_student(name, model, x[:, :4])
            second, _ = call_student(name, model, x[:, 4:], state1)
            restart, _ = call_student(name, model, x[:, 4:])
        if not torch.allclose(torch.cat([first, second], 1), logits, atol=1e-5):
            if torch.allclose(second, restart, atol=1e-6):
                raise CheckFailed(name, f"cell={cell!r}: forward ignores `state`: pass it to "
                                  "the recurrent layer, so a long text can be read in chunks.")
            raise CheckFailed(name, f"cell={cell!r}: reading the sequence in two chunks (with "
                              "the state carried over) gives other logits than reading it at "
                              "once.")
        with torch.no_grad():
            x2 = x.clone()
            x2[:, 0] = (x2[:, 0] + 1) % K
            changed, _ = call_student(name, model, x2)
        if torch.allclose(changed[:, -1], logits[:, -1].detach(), atol=1e-7):
            raise CheckFailed(name, f"cell={cell!r}: the last logits do not depend on the first "
                              "character: each step must feed the recurrent layer's output, "
                              "not just the current character, to the head.")
    passed(name, "both cells give (batch, time, vocab) logits and carry their state.")
