"""Checks for lab 02, a character-level language model.

Each check runs the student's code on small seeded cases where every parameter matters
(nonzero recurrence, head, biases and initial state), compares it with the reference in
:mod:`course_utils.char_rnn`, and says what differs and where. When a result is wrong, it is
also compared with the usual mistakes (computed by the reference with that one mistake); a
hint names a mistake only when the result matches it.

The lab's functions (NOTATION.md; parameter dicts with keys W_xh, W_hh, b_h, W_hy, b_y):

    unigram_bits(train_ids, held_ids, vocab_size) -> float
    rnn_forward(params, inputs, targets, h_prev) -> (loss, {"xs", "hs", "y_hat"})
    rnn_backward(params, cache, targets) -> grads
    update(params, grads, memory, lr) -> None                  params, memory changed in place
    sample(params, h, seed_ix, n, rng, temperature) -> list of n ids
    batch_loss_and_grads(params, inputs, targets, h_prev) -> (loss, grads, h_last)
    CharRNN(vocab_size, hidden_size): forward(x, h=None) -> (logits, h_n)
    train_tbptt(model, chunks, optimizer, clip_value) -> list of losses
"""
from __future__ import annotations

import itertools
import numbers
from typing import Any, Callable

import numpy as np

from course_utils import char_rnn as ref
from course_utils._feedback import (CheckFailed, call_student, evaluating, expect_array,
                                    first_mismatch, passed)

__all__ = ["check_unigram_bits", "check_rnn_forward", "check_rnn_backward", "check_update",
           "check_sample", "check_batch_loss_and_grads", "check_char_rnn", "check_train_tbptt"]

_V, _H, _T = 7, 5, 6


def _case(seed: int = 0, scale: float = 0.5):
    """Parameters, inputs, targets and a nonzero initial state where every parameter matters."""
    rng = np.random.default_rng(seed)
    params = ref.init_params(_V, _H, scale=scale, seed=seed)
    params["b_h"] = rng.standard_normal(_H) * scale
    params["b_y"] = rng.standard_normal(_V) * scale
    inputs = [int(i) for i in rng.integers(0, _V, _T)]
    targets = [int(i) for i in rng.integers(0, _V, _T)]
    return params, inputs, targets, np.tanh(rng.standard_normal(_H))


def _copy(params):
    return {name: value.copy() for name, value in params.items()}


def _where(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def _same(actual: Any, expected: np.ndarray) -> bool:
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    return actual.shape == np.shape(expected) and not first_mismatch(actual, expected)


def _number(check: str, what: str, value: Any, hint: str = "") -> float:
    """A real number (Python or NumPy scalar); arrays and tensors are refused."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating)):
        kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
        kind = type(value).__name__ if kind.startswith("builtins.") else kind
        raise CheckFailed(check, f"{what} should be one number (a float), got {kind}. {hint}"
                          .strip())
    return float(value)


def _float_arrays(check: str, what: str, arrays: dict, shapes: dict) -> None:
    for key, shape in shapes.items():
        expect_array(check, f"{what}[{key!r}]", arrays[key], shape=shape, dtype=np.float64,
                     hint="Keep float64 NumPy arrays: the gradient check needs their precision.")


# --- baselines ---------------------------------------------------------------------------------
def check_unigram_bits(unigram_bits: Callable) -> None:
    """``unigram_bits(train_ids, held_ids, vocab_size)``: held-out bits/char of the add-one
    smoothed unigram frequencies of the training text (int64 id arrays, as the lab passes)."""
    name = "unigram_bits"
    train = np.array([0, 0, 0, 1, 1, 2, 0, 1], dtype=np.int64)  # character 3 never occurs
    held = np.array([0, 1, 3, 3, 2, 0], dtype=np.int64)
    counts = np.bincount(train, minlength=4) + 1
    expected = float(-np.log2(counts[held] / counts.sum()).mean())
    got = _number(name, "the result", call_student(name, unigram_bits, train, held, 4),
                  "Return the mean bits per character, e.g. float(...).")
    if not np.isfinite(got):
        raise CheckFailed(name, "the result is infinite: a character that never occurs in the "
                          "training text gets probability 0. Add 1 to every count (add-one "
                          "smoothing) before normalising.")
    if np.isclose(got, expected * np.log(2)):
        raise CheckFailed(name, f"got {got:.4f}, which is in nats: use log base 2 for bits "
                          f"(expected {expected:.4f}).")
    both_counts = np.bincount(np.concatenate([train, held]), minlength=4) + 1
    if np.isclose(got, -np.log2(both_counts[held] / both_counts.sum()).mean()):
        raise CheckFailed(name, "the frequencies count the held-out text too (train and held "
                          "together): a baseline that has seen the text it is scored on is "
                          "not held-out. Count train_ids only.")
    held_counts = np.bincount(held, minlength=4) + 1
    if np.isclose(got, -np.log2(held_counts[held] / held_counts.sum()).mean()):
        raise CheckFailed(name, "the frequencies come from the held-out text: estimate them "
                          "from train_ids only, then score held_ids.")
    if np.isclose(got, np.log2(4)):
        raise CheckFailed(name, "got log2(vocab_size), the uniform baseline: use the "
                          "character counts of the training text.")
    if not np.isclose(got, expected, atol=1e-6):
        raise CheckFailed(name, f"got {got:.4f} bits/char, expected {expected:.4f} on a small "
                          "case: mean of -log2 P(c) over the held-out characters, with "
                          "P(c) = (count(c) + 1) / (N + V).")
    passed(name, f"{expected:.4f} bits/char on the small case, matches.")


# --- the NumPy model ----------------------------------------------------------------------------
def check_rnn_forward(rnn_forward: Callable) -> None:
    """``rnn_forward(params, inputs, targets, h_prev) -> (loss, cache)``."""
    name = "rnn_forward"
    params, inputs, targets, h_prev = _case(1)
    loss_ref, cache_ref = ref.rnn_forward(params, inputs, targets, h_prev)
    result = call_student(name, rnn_forward, params, inputs, targets, h_prev)
    if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[1], dict):
        raise CheckFailed(name, "return a tuple (loss, cache) where cache is a dict with "
                          "'xs', 'hs' and 'y_hat'.")
    loss, cache = result
    for key in ("xs", "hs", "y_hat"):
        if key not in cache:
            raise CheckFailed(name, f"cache has no {key!r}; it needs 'xs', 'hs' and 'y_hat'.")
    _float_arrays(name, "cache", cache, {"xs": (_T, _V), "hs": (_T + 1, _H), "y_hat": (_T, _V)})
    xs, hs, y_hat = cache["xs"], cache["hs"], cache["y_hat"]
    if first_mismatch(xs, cache_ref["xs"]):
        raise CheckFailed(name, "cache['xs'] is not the one-hot encoding of inputs: row t "
                          "should be 1 at inputs[t] and 0 elsewhere.")
    if first_mismatch(hs[0], h_prev):
        raise CheckFailed(name, "cache['hs'][0] should be h_prev, the state before the first "
                          "input.")
    bad = first_mismatch(hs, cache_ref["hs"])
    if bad:
        no_state = {**params, "W_hh": np.zeros_like(params["W_hh"])}
        if _same(hs[1:], ref.rnn_forward(no_state, inputs, targets, h_prev)[1]["hs"][1:]):
            raise CheckFailed(name, "your forward pass ignores the previous state: h_t must "
                              "include W_hh @ h_{t-1}.")
        if _same(hs[1:], ref.rnn_forward(params, inputs, targets, np.zeros(_H))[1]["hs"][1:]):
            raise CheckFailed(name, "the states start from zeros: the first step must read "
                              "h_prev (hs[0]), the state the previous chunk ended in.")
        t = bad[0][0]
        raise CheckFailed(name, f"hidden state hs[{t}] (after input {t - 1}) differs at unit "
                          f"{bad[0][1]}: got {bad[1]:.4f}, expected {bad[2]:.4f}. "
                          "h_t = tanh(W_xh @ x_t + W_hh @ h_{t-1} + b_h).")
    sums = y_hat.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        t = int(np.argmax(np.abs(sums - 1)))
        raise CheckFailed(name, f"y_hat[{t}] sums to {sums[t]:.4f}, not 1: apply a softmax to "
                          "the logits W_hy @ h_t + b_y.")
    bad = first_mismatch(y_hat, cache_ref["y_hat"])
    if bad:
        no_bias = ref.softmax(cache_ref["hs"][1:] @ params["W_hy"].T)
        hint = (" (it looks like the output bias b_y is missing)" if _same(y_hat, no_bias)
                else "")
        raise CheckFailed(name, f"probabilities y_hat{_where(bad[0])} = {bad[1]:.4f}, expected "
                          f"{bad[2]:.4f}{hint}: y_hat_t = softmax(W_hy @ h_t + b_y).")
    loss = _number(name, "loss", loss, "Return the summed loss as a float.")
    if np.isclose(loss, loss_ref / _T):
        raise CheckFailed(name, "loss is the mean over steps; min-char-rnn sums it: "
                          "loss = sum_t -ln y_hat[t, targets[t]].")
    if np.isclose(loss, loss_ref / np.log(2)):
        raise CheckFailed(name, "loss is in bits; use the natural log (nats), as backward "
                          "assumes.")
    if not np.isclose(loss, loss_ref):
        raise CheckFailed(name, f"loss = {loss:.4f}, expected {loss_ref:.4f}: "
                          "the sum over t of -ln y_hat[t, targets[t]].")
    passed(name, f"states, probabilities and loss ({loss_ref:.4f} nats over {_T} steps) match.")


def _backward_variant(params, cache, targets, mistake):
    """BPTT with one usual mistake (the reference when ``mistake`` is None)."""
    xs, hs, y_hat = cache["xs"], cache["hs"], cache["y_hat"]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    delta_next = np.zeros(hs.shape[1])
    W_hh = params["W_hh"] if mistake == "W_hh not transposed" else params["W_hh"].T
    steps = range(len(targets))
    for t in (steps if mistake == "forward order" else reversed(steps)):
        # h_t and h_{t-1}; read one step early, hs[-1] wraps to the last state at t = 0
        h_t, h_prev = (hs[t], hs[t - 1]) if mistake == "hs off by one" else (hs[t + 1], hs[t])
        d_logits = y_hat[t].copy()
        d_logits[targets[t]] -= 1
        grads["W_hy"] += np.outer(d_logits, h_prev if mistake == "W_hy with h_{t-1}" else h_t)
        if mistake != "no b_y":
            grads["b_y"] += d_logits
        carried = 0.0 if mistake == "no time" else W_hh @ delta_next
        dh = params["W_hy"].T @ d_logits + carried
        slope = {"no tanh'": 1.0, "tanh' of h_{t-1}": 1 - h_prev ** 2}.get(mistake, 1 - h_t ** 2)
        delta = slope * dh
        grads["b_h"] += delta
        grads["W_xh"] += np.outer(delta, xs[t])
        grads["W_hh"] += np.outer(delta, h_t if mistake == "W_hh with h_t" else h_prev)
        delta_next = dh if mistake == "dh carried before tanh'" else delta
    return grads


_BACKWARD_HINTS = {
    "no b_y": "grads['b_y'] stays zero, so the output bias never learns (the seeds' bug): add "
              "dL/dl_t = y_hat_t - onehot(y_t) to it at every step.",
    "no time": "the gradient does not flow back through time: dL/dh_t must add "
               "W_hh.T @ delta_{t+1} from the next step.",
    "W_hh not transposed": "the gradient from the next step uses W_hh @ delta_{t+1}; it must be "
                           "W_hh.T @ delta_{t+1} (a_{t+1} = W_hh h_t + ..., so dh_t gets W_hh.T).",
    "no tanh'": "delta_t is dL/dh_t without the tanh derivative: delta_t = (1 - h_t**2) * dL/dh_t.",
    "tanh' of h_{t-1}": "the tanh derivative uses the previous state: delta_t = (1 - h_t**2) * "
                        "dL/dh_t with h_t = hs[t + 1], the state step t produced.",
    "W_hh with h_t": "dW_hh uses h_t; it must use the previous state: sum_t outer(delta_t, "
                     "h_{t-1}), hs[t] in the cache.",
    "W_hy with h_{t-1}": "dW_hy uses the previous state; it must be sum_t outer(y_hat_t - "
                         "onehot(y_t), h_t) with h_t = hs[t + 1].",
    "dh carried before tanh'": "what you carry to the step before is dL/dh_t, taken before the "
                               "tanh derivative; carry delta_t = (1 - h_t**2) * dL/dh_t.",
    "forward order": "your loop runs forward in time (t = 0, 1, ...): BPTT runs from the last "
                     "step back to the first, since dL/dh_t needs delta_{t+1}, which the step "
                     "after must compute first: for t in reversed(range(T)).",
    "hs off by one": "you read h_t as hs[t] and h_{t-1} as hs[t-1], one step early (at t = 0, "
                     "hs[-1] wraps to the last state): the cache starts with hs[0] = h_prev, so "
                     "step t reads hs[t] and produces hs[t + 1].",
}


def _clip_limit(grads: dict, expected: dict) -> float | None:
    """c if ``grads`` is ``expected`` with every entry clipped to [-c, c] (c below the largest
    entry, so the clipping changed something), else None."""
    c = max(float(np.max(np.abs(grads[k]))) for k in expected)
    if not 0 < c < max(float(np.max(np.abs(v))) for v in expected.values()) - 1e-6:
        return None
    return c if all(_same(grads[k], np.clip(expected[k], -c, c)) for k in expected) else None


def check_rnn_backward(rnn_backward: Callable) -> None:
    """``rnn_backward(params, cache, targets) -> grads`` with keys W_xh, W_hh, b_h, W_hy, b_y:
    the exact gradient, checked on two 6-step sequences; on the second some entries exceed 5,
    so a backward that clips (as the seeds' lossFun did) is caught here."""
    name = "rnn_backward"
    for params, inputs, targets, h_prev in (_case(2), _case(3, scale=1.5)):
        _, cache = ref.rnn_forward(params, inputs, targets, h_prev)
        expected = ref.rnn_backward(params, cache, targets)
        grads = call_student(name, rnn_backward, params, cache, targets)
        if not isinstance(grads, dict):
            raise CheckFailed(name, f"return a dict of gradients, got {type(grads).__name__}.")
        missing = [k for k in ref.PARAM_NAMES if k not in grads]
        if missing:
            raise CheckFailed(name, f"grads is missing {missing}: return one gradient for each "
                              f"of {list(ref.PARAM_NAMES)}.")
        _float_arrays(name, "grads", grads, {k: params[k].shape for k in ref.PARAM_NAMES})
        if all(_same(grads[k], expected[k]) for k in ref.PARAM_NAMES):
            continue
        limit = _clip_limit(grads, expected)
        if limit is not None:
            raise CheckFailed(name, f"your gradients are clipped to [-{limit:g}, {limit:g}]: "
                              "rnn_backward returns the exact gradient (the gradient check "
                              "compares it with central differences); clipping belongs in "
                              "update.")
        if all(_same(grads[k], expected[k] / len(targets)) for k in ref.PARAM_NAMES):
            raise CheckFailed(name, f"every gradient is {len(targets)} times too small, the "
                              "gradient of the mean over steps: the loss is the sum over steps "
                              "(as rnn_forward returns it), so each gradient is a sum over t.")
        for mistake, hint in _BACKWARD_HINTS.items():
            variant = _backward_variant(params, cache, targets, mistake)
            if all(_same(grads[k], variant[k]) for k in ref.PARAM_NAMES):
                raise CheckFailed(name, hint)
        for key in ("b_y", "W_hy", "b_h", "W_xh", "W_hh"):
            bad = first_mismatch(grads[key], expected[key])
            if not bad:
                continue
            if key == "W_hh" and _same(grads[key], expected[key].T):
                raise CheckFailed(name, "grads['W_hh'] is transposed: dW_hh = sum_t "
                                  "outer(delta_t, h_{t-1}): a row for each unit that receives, "
                                  "a column for each unit that sends.")
            formula = {
                "b_y": "db_y = sum_t (y_hat_t - onehot(y_t)).",
                "W_hy": "dW_hy = sum_t outer(y_hat_t - onehot(y_t), h_t).",
                "b_h": "db_h = sum_t delta_t, delta_t = (1 - h_t**2) * dL/dh_t.",
                "W_xh": "dW_xh = sum_t outer(delta_t, x_t).",
                "W_hh": "dW_hh = sum_t outer(delta_t, h_{t-1}).",
            }[key]
            raise CheckFailed(name, f"grads[{key!r}]{_where(bad[0])} = {bad[1]:.5f}, expected "
                              f"{bad[2]:.5f}. {formula}")
    passed(name, "all five gradients match BPTT on two 6-step sequences, one with entries "
           "above 5.")


def _update_case():
    """Parameters, gradients (some above 5) and an Adagrad memory G. The first entry of every
    array has G = 0 and a gradient of 1e-5: there the constant 1e-8 decides the step, so its
    place (inside the square root, as in min-char-rnn) and its value show."""
    params, *_ = _case(3)
    rng = np.random.default_rng(3)
    grads = {k: rng.standard_normal(v.shape) * 4 for k, v in params.items()}
    memory = {k: rng.random(v.shape) for k, v in params.items()}
    for k in params:
        grads[k].flat[0], memory[k].flat[0] = 1e-5 * (-1) ** len(k), 0.0
    return params, grads, memory


def _adagrad_variant(params, grads, memory, lr, mistake=None):
    """The expected (params, memory) after one update, with one usual mistake."""
    params, memory = _copy(params), _copy(memory)
    for k in params:
        grad = np.clip(grads[k], -5, 5)
        memory[k] += grad ** 2
        root = np.sqrt(memory[k]) + 1e-8 if mistake == "eps outside" else np.sqrt(memory[k] + 1e-8)
        params[k] -= lr * grad / root
    return params, memory


def _digits(value: float) -> str:
    """Enough digits to show where two nearby numbers differ."""
    return f"{value:.8g}"


def check_update(update: Callable) -> None:
    """``update(params, grads, memory, lr)``: clip every gradient entry to [-5, 5], then one
    Adagrad step, G <- G + grad**2, theta <- theta - lr * grad / sqrt(G + 1e-8); ``params``
    and ``memory`` (G) change in place, ``grads`` does not."""
    name = "update"
    params, grads, memory = _update_case()
    lr = 0.05                                      # not the default 0.1: the argument must count
    exp_params, exp_memory = _adagrad_variant(params, grads, memory, lr)
    old_params, old_memory = _copy(params), _copy(memory)
    call_student(name, update, params, grads, memory, lr, may_modify=(0, 2))
    if all(not first_mismatch(params[k], old_params[k]) for k in params):
        raise CheckFailed(name, "params did not change: update them in place "
                          "(params[k] -= ...), do not rebind a local name.")
    if all(not first_mismatch(memory[k], old_memory[k]) for k in memory):
        raise CheckFailed(name, "memory did not change: accumulate the squared (clipped) "
                          "gradients, memory[k] += grad**2, before the step.")
    unclipped_memory = {k: old_memory[k] + grads[k] ** 2 for k in memory}
    if all(_same(memory[k], unclipped_memory[k]) for k in memory):
        raise CheckFailed(name, "gradients are not clipped: clip every entry to [-5, 5] "
                          "(np.clip) before updating memory and params.")
    for k in params:
        bad = first_mismatch(memory[k], exp_memory[k])
        if bad:
            raise CheckFailed(name, f"memory[{k!r}]{_where(bad[0])} = {_digits(bad[1])}, "
                              f"expected {_digits(bad[2])}: memory += grad**2 with the clipped "
                              "gradient grad.")
    step = {k: params[k] - old_params[k] for k in params}
    exp_step = {k: exp_params[k] - old_params[k] for k in params}
    if all(_same(step[k], -exp_step[k]) for k in params):
        raise CheckFailed(name, "parameters moved uphill: subtract the step, "
                          "theta <- theta - lr * grad / sqrt(G + 1e-8).")
    if all(_same(step[k], exp_step[k] * 0.1 / lr) for k in params):
        raise CheckFailed(name, f"the step ignores the argument lr (called with lr = {lr}, your "
                          "step is the one for 0.1): use lr, not a fixed number.")
    outside, _ = _adagrad_variant(old_params, grads, old_memory, lr, mistake="eps outside")
    if all(_same(params[k], outside[k]) for k in params):
        raise CheckFailed(name, "1e-8 belongs inside the square root: theta <- theta - lr * "
                          "grad / sqrt(G + 1e-8), as min-char-rnn writes it (you add it outside, "
                          "grad / (sqrt(G) + 1e-8), which with G = 0 and a gradient of 1e-5 "
                          "takes a step 10 times too large).")
    eps = _fitted_eps(step, grads, memory, lr)
    if eps is not None and not np.isclose(eps, 1e-8, rtol=0.01) and all(
            _same(step[k], -lr * np.clip(grads[k], -5, 5) / np.sqrt(memory[k] + eps))
            for k in params):
        raise CheckFailed(name, f"your step is lr * grad / sqrt(G + eps) with eps = {eps:.2g}; "
                          "min-char-rnn's constant is eps = 1e-8 (it matters where G is 0 and "
                          "the gradient tiny).")
    for k in params:
        bad = first_mismatch(params[k], exp_params[k])
        if bad:
            raise CheckFailed(name, f"params[{k!r}]{_where(bad[0])} = {_digits(bad[1])}, "
                              f"expected {_digits(bad[2])} (off by {bad[1] - bad[2]:.2g}): "
                              "theta <- theta - lr * grad / sqrt(G + 1e-8), with G the updated "
                              "memory.")
    passed(name, "clipping to [-5, 5] and the Adagrad step match, 1e-8 inside the square root; "
           "grads left unchanged.")


def _fitted_eps(step, grads, memory, lr) -> float | None:
    """The eps of lr * grad / sqrt(G + eps) that explains the student's steps on the entries
    where G = 0 and the gradient is 1e-5 (the first of every array), if one eps explains all."""
    fitted = []
    for k in step:
        moved = step[k].flat[0]
        if moved == 0:
            return None
        fitted.append((lr * grads[k].flat[0] / -moved) ** 2 - memory[k].flat[0])
    fitted = np.array(fitted)
    if fitted.min() <= 0 or fitted.max() > 1.01 * fitted.min():
        return None
    return float(np.median(fitted))


# --- sampling ------------------------------------------------------------------------------------
def _sample_variant(params, h, seed_ix, n, rng, temperature=1.0, mistake=None):
    """The reference sampler with one usual mistake (the reference when ``mistake`` is None)."""
    V = params["W_xh"].shape[1]
    h = np.zeros_like(h) if mistake == "zeros" else h
    if mistake == "seed twice":                  # h has read the seed already, then reads it again
        h = np.tanh(params["W_xh"][:, seed_ix] + params["W_hh"] @ h + params["b_h"])
    h0, x, ids = h, ref.one_hot(seed_ix, V), []
    for _ in range(n):
        h_new = np.tanh(params["W_xh"] @ x + params["W_hh"] @ h + params["b_h"])
        h = h0 if mistake == "no carry" else h_new
        logits = params["W_hy"] @ h_new + params["b_y"]
        logits = {"no temperature": logits, "times": logits * temperature}.get(
            mistake, logits / temperature)
        ix = int(rng.choice(V, p=ref.softmax(logits)))
        if mistake != "no feedback":
            x = ref.one_hot(ix, V)
        ids.append(ix)
    return ids


_SAMPLE_HINTS = {
    "no carry": "your sampler does not carry the hidden state from one character to the next: "
                "every step starts again from the initial h (a bigram model). Assign the new "
                "state, h = tanh(...), so the next step reads it.",
    "seed twice": "your sampler reads the seed character twice: h has already read the text "
                  "before seed_ix, and you step it on seed_ix once before the loop that reads "
                  "seed_ix again. The first step of the loop reads it, once.",
    "zeros": "your sampler ignores its argument h and starts from zeros: start from h, the "
             "state that has read the text before the seed character.",
    "no feedback": "every step reads the seed character: feed the character you just drew "
                   "back in as the next input.",
    "no temperature": "the temperature is ignored: divide the logits by the temperature "
                      "before the softmax.",
    "times": "the logits are multiplied by the temperature; divide them.",
    "T on h": "the temperature divides the state h, so it scales W_hy @ h but not b_y: divide "
              "the whole logits, (W_hy @ h + b_y) / temperature, before the softmax.",
}
# Sharp models: every draw is the most likely id (tests/test_checks_lab02.py checks the margins).
# On the first, reading the seed twice and starting from zeros draw the same ids; on the second
# the reference and the four mistakes all draw different ids, so a hint needs both to match.
_SHARP_SEEDS = (178, 1287)
_STEP_MISTAKES = ("no carry", "seed twice", "zeros", "no feedback")


def _sample_model(seed: int, scale: float):
    """Parameters where every one matters: nonzero recurrence, head, biases; a nonzero h."""
    rng = np.random.default_rng(seed)
    V, H = 5, 4
    params = {"W_xh": rng.standard_normal((H, V)) * 1.5, "W_hh": rng.standard_normal((H, H)) * 1.5,
              "b_h": rng.standard_normal(H), "W_hy": rng.standard_normal((V, H)) * scale,
              "b_y": rng.standard_normal(V) * scale / 4}
    return params, np.tanh(rng.standard_normal(H) * 2)


def _flat_model():
    """A model whose distribution does not depend on the inputs: h = tanh(b_h) at every step,
    logits = W_hy @ h + b_y with both parts nonzero, so a temperature applied to h alone, to
    nothing, or as a product all give other frequencies (at least 0.14 apart at T = 0.5)."""
    from_h = np.array([1.4, 1.0, -0.2, 1.2, 0.9])          # W_hy @ h
    b_y = np.array([-1.4, -1.2, 0.9, 0.3, -0.8])
    b_h = np.array([np.arctanh(0.5), 0.0, 0.0, 0.0])          # h = (0.5, 0, 0, 0)
    W_hy = np.zeros((5, 4))
    W_hy[:, 0] = from_h / 0.5
    params = {"W_xh": np.zeros((4, 5)), "W_hh": np.zeros((4, 4)), "b_h": b_h, "W_hy": W_hy,
              "b_y": b_y}
    return params, from_h, b_y


def _flat_candidates(temperature: float) -> dict[str, np.ndarray]:
    """The right distribution of :func:`_flat_model` at ``temperature`` and the mistakes'."""
    _, from_h, b_y = _flat_model()
    logits = from_h + b_y
    return {"right": ref.softmax(logits / temperature),
            "no temperature": ref.softmax(logits),
            "times": ref.softmax(logits * temperature),
            "T on h": ref.softmax(from_h / temperature + b_y)}


def _ids_list(check: str, ids: Any, n: int) -> list[int]:
    if isinstance(ids, np.ndarray) and ids.ndim == 1 and np.issubdtype(ids.dtype, np.integer):
        ids = ids.tolist()
    if not isinstance(ids, (list, tuple)):
        raise CheckFailed(check, f"return a list of n integer ids, got {type(ids).__name__}.")
    wrong = [i for i in ids if isinstance(i, bool) or not isinstance(i, numbers.Integral)]
    if wrong:
        raise CheckFailed(check, f"return a list of n integer ids, got a list holding "
                          f"{type(wrong[0]).__name__} values such as {wrong[0]!r}.")
    if len(ids) != n:
        raise CheckFailed(check, f"return n = {n} ids, got {len(ids)}.")
    return [int(i) for i in ids]


def check_sample(sample: Callable) -> None:
    """``sample(params, h, seed_ix, n, rng, temperature) -> list of n ids``, drawn with
    ``rng.choice(V, p=p)`` from the generator it is given."""
    name = "sample"
    # 1. The dynamics, on two models so sharp that every draw is its most likely id (the chance
    #    of another id is below 1e-13 a draw: tests/test_checks_lab02.py checks the margins).
    n, seed_ix, runs = 12, 2, []
    for seed in _SHARP_SEEDS:
        params, h = _sample_model(seed=seed, scale=100.0)
        got = _ids_list(name, call_student(name, sample, params, h, seed_ix, n,
                                           rng=np.random.default_rng(0), temperature=1.0), n)
        runs.append((params, h, got))
    for params, h, got in runs:
        expected = _sample_variant(params, h, seed_ix, n, np.random.default_rng(0))
        if got == expected:
            continue
        for mistake in _STEP_MISTAKES:
            if all(ids == _sample_variant(p, h0, seed_ix, n, np.random.default_rng(0),
                                          mistake=mistake) for p, h0, ids in runs):
                raise CheckFailed(name, _SAMPLE_HINTS[mistake])
        if got[1:] == expected[:-1] and got[0] == seed_ix:
            raise CheckFailed(name, "the seed character is part of the output: return only "
                              f"the n = {n} ids you drew.")
        bad = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
        raise CheckFailed(name, f"on a model whose every draw is almost surely its most likely "
                          f"id, draw {bad} is {got[bad]}, expected {expected[bad]} (yours "
                          f"{got}, expected {expected}): each step computes "
                          "h = tanh(W_xh @ x + W_hh @ h + b_h) from the previous h, then "
                          "p = softmax((W_hy @ h + b_y) / temperature).")
    # 2. The distribution and the temperature, where the output does not depend on the state.
    flat, _, _ = _flat_model()
    n, temperature = 4000, 0.5
    draws = _ids_list(name, call_student(name, sample, flat, np.zeros(4), 0, n,
                                         rng=np.random.default_rng(1), temperature=temperature), n)
    freq = np.bincount(draws, minlength=5)[:5] / n
    # The candidates are at least 0.14 apart in some entry; a frequency moves by more than 0.03
    # with probability below 1e-3 (4,000 draws, sd <= 0.008).
    candidates = _flat_candidates(temperature)
    right = candidates.pop("right")
    if not np.allclose(freq, right, atol=0.03):
        if len(set(draws)) == 1 and right[draws[0]] == right.max():
            raise CheckFailed(name, f"all {n} draws are id {draws[0]}, the most likely one: the "
                              "draws are not random. Draw each id with rng.choice(V, p=p) from "
                              "the generator `rng` you are given; taking the argmax, or drawing "
                              "from a generator created anew at every step, gives the same id "
                              "every time.")
        for mistake, p in candidates.items():
            if np.allclose(freq, p, atol=0.03):
                raise CheckFailed(name, _SAMPLE_HINTS[mistake])
        if len(set(draws)) == 1:
            raise CheckFailed(name, f"all {n} draws are id {draws[0]}, which p gives "
                              f"probability {right[draws[0]]:.2f}: the draws are not random. A "
                              "generator created anew at every step (np.random.default_rng(seed) "
                              "inside the loop) repeats its first number; draw every id from "
                              "the generator `rng` you are given.")
        raise CheckFailed(name, f"at temperature {temperature} the frequencies of the ids "
                          f"{np.round(freq, 2).tolist()} differ from softmax(logits / T) = "
                          f"{np.round(right, 2).tolist()}.")
    # 3. The generator: the same seed must give the reference's draws on a soft model.
    params, h = _sample_model(seed=5, scale=1.0)
    n, temperature = 40, 0.8
    expected = _sample_variant(params, h, 1, n, np.random.default_rng(7), temperature)
    got = _ids_list(name, call_student(name, sample, params, h, 1, n,
                                       rng=np.random.default_rng(7), temperature=temperature), n)
    if got != expected:
        again = _ids_list(name, call_student(name, sample, params, h, 1, n,
                                             rng=np.random.default_rng(7),
                                             temperature=temperature), n)
        bad = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
        if again != got:
            raise CheckFailed(name, "two calls with generators seeded alike drew different "
                              "ids: you draw from another generator (np.random or one you "
                              "create). Draw every id from the generator `rng` you are given, "
                              "rng.choice(V, p=p).")
        raise CheckFailed(name, f"with the same generator the reference draws {expected[bad]} "
                          f"at position {bad}, you draw {got[bad]}; the steps above are right, "
                          "so the draws differ: draw each id with rng.choice(V, p=p) from the "
                          "generator `rng` you are given, one call per character.")
    passed(name, "carries the state from h, feeds each draw back, applies the temperature, "
           "and draws with the generator it is given.")


def _batch_case():
    """A batch of B = 3 sequences; at the last step two rows read the same id (6), so a
    gradient that adds a repeated id once shows."""
    params, *_ = _case(4)
    rng = np.random.default_rng(4)
    inputs, targets = rng.integers(0, _V, (3, _T)), rng.integers(0, _V, (3, _T))
    return params, inputs, targets, np.tanh(rng.standard_normal((3, _H)))


def _batch_variant(params, inputs, targets, h_prev, mistake=None):
    """(last states, gradients) of the batched model with one usual mistake."""
    B, T = inputs.shape
    W_hh = params["W_hh"]
    hs = np.empty((T + 1, B, W_hh.shape[0]))
    hs[0] = h_prev
    for t in range(T):
        recurrent = hs[t] @ (W_hh if mistake == "forward W_hh" else W_hh.T)
        hs[t + 1] = np.tanh(params["W_xh"][:, inputs[:, t]].T + recurrent + params["b_h"])
    y_hat = ref.softmax(hs[1:] @ params["W_hy"].T + params["b_y"])
    grads = {k: np.zeros_like(params[k]) for k in ref.PARAM_NAMES}
    delta_next, rows = np.zeros((B, W_hh.shape[0])), np.arange(B)
    for t in reversed(range(T)):
        d_logits = y_hat[t].copy()
        d_logits[rows, targets[:, t]] -= 1
        d_logits /= B
        grads["W_hy"] += d_logits.T @ hs[t + 1]
        grads["b_y"] += d_logits.sum(axis=0)
        back = W_hh.T if mistake == "backward W_hh" else W_hh
        delta = (1 - hs[t + 1] ** 2) * (d_logits @ params["W_hy"] + delta_next @ back)
        grads["b_h"] += delta.sum(axis=0)
        if mistake == "fancy index":
            grads["W_xh"][:, inputs[:, t]] += delta.T
        else:
            np.add.at(grads["W_xh"].T, inputs[:, t], delta)
        grads["W_hh"] += delta.T @ hs[t]
        delta_next = delta
    return hs[-1], grads


_BATCH_HINTS = {
    "forward W_hh": "the states use h @ W_hh; with one sequence a row the recurrence is "
                    "h @ W_hh.T (H_t = tanh(X_t W_xh^T + H_{t-1} W_hh^T + b_h), NOTATION.md).",
    "backward W_hh": "the gradient carried back is delta_{t+1} @ W_hh.T; with one sequence a row "
                     "it is delta_{t+1} @ W_hh, the row form of W_hh.T @ delta_{t+1}.",
    "fancy index": "grads['W_xh'] counts a repeated character once: grads['W_xh'][:, ids] += ... "
                   "adds only one row to a column whose id appears in several rows at the same "
                   "step. np.add.at(grads['W_xh'].T, inputs[:, t], delta) adds every row.",
}


def check_batch_loss_and_grads(batch_loss_and_grads: Callable) -> None:
    """``batch_loss_and_grads(params, inputs (B, T), targets (B, T), h_prev (B, H))``."""
    name = "batch_loss_and_grads"
    params, inputs, targets, h_prev = _batch_case()
    B = len(inputs)
    loss_ref, grads_ref, h_ref = ref.batch_loss_and_grads(params, inputs, targets, h_prev)
    result = call_student(name, batch_loss_and_grads, params, inputs, targets, h_prev)
    if not isinstance(result, tuple) or len(result) != 3:
        raise CheckFailed(name, "return a tuple (loss, grads, h_last).")
    loss, grads, h_last = result
    expect_array(name, "h_last", h_last, shape=(B, _H), dtype=np.float64,
                 hint="Row b is the last state of sequence b.")
    bad = first_mismatch(h_last, h_ref)
    if bad:
        if _same(h_last, _batch_variant(params, inputs, targets, h_prev, "forward W_hh")[0]):
            raise CheckFailed(name, _BATCH_HINTS["forward W_hh"])
        states = ref.batch_forward(params, inputs, h_prev)[1]
        earlier = [k for k in range(inputs.shape[1]) if _same(h_last, states[:, k])]
        if earlier:
            raise CheckFailed(name, f"h_last is the state after {earlier[0]} of the "
                              f"{inputs.shape[1]} steps"
                              + (" (h_prev, the state you were given)" if earlier[0] == 0 else "")
                              + ": return the state after the last step.")
        raise CheckFailed(name, f"h_last{_where(bad[0])} = {bad[1]:.4f}, expected {bad[2]:.4f}:"
                          " row b is the last state of sequence b, "
                          "tanh(W_xh[:, x].T + h @ W_hh.T + b_h) at every step.")
    loss = _number(name, "loss", loss)
    if np.isclose(loss, loss_ref * B):
        raise CheckFailed(name, f"loss is {B} times too large: sum over time, average over the "
                          "batch, so it matches one sequence's loss.")
    if np.isclose(loss, loss_ref / inputs.shape[1]):
        raise CheckFailed(name, f"loss is the mean over the {inputs.shape[1]} steps too: sum "
                          "over time, average over the batch only.")
    if not np.isclose(loss, loss_ref):
        raise CheckFailed(name, f"loss = {loss:.4f}, expected {loss_ref:.4f} (summed over "
                          "time, averaged over the batch).")
    if not isinstance(grads, dict) or any(k not in grads for k in ref.PARAM_NAMES):
        raise CheckFailed(name, f"grads must be a dict with keys {list(ref.PARAM_NAMES)}.")
    _float_arrays(name, "grads", grads, {k: params[k].shape for k in ref.PARAM_NAMES})
    if not all(_same(grads[k], grads_ref[k]) for k in ref.PARAM_NAMES):
        for mistake in ("backward W_hh", "fancy index"):
            variant = _batch_variant(params, inputs, targets, h_prev, mistake)[1]
            if all(_same(grads[k], variant[k]) for k in ref.PARAM_NAMES):
                raise CheckFailed(name, _BATCH_HINTS[mistake])
    for key in ("b_y", "W_hy", "b_h", "W_xh", "W_hh"):
        got = grads[key]
        if np.any(grads_ref[key]) and _same(got, grads_ref[key] * B):
            raise CheckFailed(name, f"grads[{key!r}] is {B} times too large: divide dL/dl by "
                              "the batch size, like the loss.")
        if key == "W_hh" and _same(got, grads_ref[key].T):
            raise CheckFailed(name, "grads['W_hh'] is transposed: with one sequence a row it is "
                              "sum_t delta_t.T @ H_{t-1}, (H, B) @ (B, H).")
        bad = first_mismatch(got, grads_ref[key])
        if bad:
            raise CheckFailed(name, f"grads[{key!r}]{_where(bad[0])} = {bad[1]:.5f}, expected "
                              f"{bad[2]:.5f}; it should equal the mean over the batch of the "
                              "one-sequence gradients.")
    passed(name, f"loss, gradients and final states match on a batch of {B} sequences.")


# --- the PyTorch model --------------------------------------------------------------------------
def _torch_case(seed: int, V: int = 6, H: int = 5, B: int = 3, T: int = 7):
    """NumPy parameters, ids (B, T) and a nonzero state (1, B, H) as float64 tensors."""
    import torch

    rng = np.random.default_rng(seed)
    params = {"W_xh": rng.standard_normal((H, V)), "W_hh": rng.standard_normal((H, H)) * 0.8,
              "b_h": rng.standard_normal(H) * 0.5, "W_hy": rng.standard_normal((V, H)),
              "b_y": rng.standard_normal(V) * 0.5}
    x = torch.from_numpy(rng.integers(0, V, (B, T)))
    h0 = torch.from_numpy(np.tanh(rng.standard_normal((1, B, H))))
    return params, x, h0


_ROLES = {"rnn.weight_ih_l0": "W_xh", "rnn.weight_hh_l0": "W_hh",
          "rnn.bias_ih_l0": "b_h, the hidden bias", "head.weight": "W_hy",
          "head.bias": "b_y, the output bias (the seeds' min-char-rnn never updated it)"}


def _check_trainable(check: str, model) -> None:
    """The five parameters of min-char-rnn train; only rnn.bias_hh_l0 is frozen."""
    for attr, role in _ROLES.items():
        layer, field = attr.split(".")
        if not getattr(getattr(model, layer), field).requires_grad:
            raise CheckFailed(check, f"model.{attr} is frozen (requires_grad=False), but it is "
                              f"{role}: it must learn. Freeze only rnn.bias_hh_l0.")


def _load(check: str, model, params) -> None:
    try:
        ref.load_params(model, params)
    except (TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise CheckFailed(check, f"the NumPy weights do not load into your model: {exc}") from None


def _forward(check: str, model, x, h, precision: str, fixed: str):
    """The student's forward, with PyTorch's dtype and input-size errors translated."""
    try:
        return call_student(check, model, x, h)
    except CheckFailed as failure:
        if "input_size" in failure.message:
            raise CheckFailed(check, "forward fails on ids that leave out the largest id, "
                              "vocab_size - 1 (as most chunks of the lab's text do): one_hot(x) "
                              "makes x.max() + 1 columns. Pass num_classes=vocab_size, "
                              "one_hot(x, vocab_size). PyTorch said: " + failure.message) from None
        if any(word in failure.message for word in ("Double", "dtype", "scalar type")):
            raise CheckFailed(check, f"in {precision} forward fails on a dtype: convert the "
                              "one-hot inputs to the weights' dtype, .to(self.head.weight.dtype), "
                              f"not to a fixed one such as {fixed}. PyTorch said: "
                              f"{failure.message}") from None
        raise


def check_char_rnn(CharRNN: Callable) -> None:
    """``CharRNN(vocab_size, hidden_size)``: min-char-rnn's model in PyTorch, with attributes
    ``rnn`` (an ``nn.RNN`` on one-hot inputs, ``batch_first=True``, ``bias_hh_l0`` zero and
    frozen, every other parameter trainable) and ``head`` (an ``nn.Linear`` with its bias);
    ``forward(x (B, T), h=None)`` returns (logits (B, T, K), h_n (1, B, H)), in float64 after
    ``.double()`` and in float32 as built, on ids that need not hold every id."""
    import torch
    from torch import nn

    name = "CharRNN"
    V, H, B, T = 6, 5, 3, 7
    model = call_student(name, CharRNN, V, H)
    if not isinstance(model, nn.Module):
        raise CheckFailed(name, f"CharRNN(...) should be an nn.Module, got "
                          f"{type(model).__name__}.")
    rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
    if not isinstance(rnn, nn.RNN) or not isinstance(head, nn.Linear):
        raise CheckFailed(name, "keep the recurrent layer as self.rnn (an nn.RNN) and the head "
                          "as self.head (an nn.Linear): later cells read model.rnn (to see "
                          "inside) and load weights through both. The model holds "
                          f"{[type(m).__name__ for m in model.children()]}.")
    settings = {"input_size": (rnn.input_size, V, "one-hot inputs of size vocab_size"),
                "hidden_size": (rnn.hidden_size, H, "hidden_size"),
                "num_layers": (rnn.num_layers, 1, "one layer"),
                "nonlinearity": (rnn.nonlinearity, "tanh", "tanh, as min-char-rnn"),
                "bidirectional": (rnn.bidirectional, False, "one direction"),
                "batch_first": (rnn.batch_first, True, "x is (B, T): rows are sequences")}
    for field, (got, wanted, why) in settings.items():
        if got != wanted:
            raise CheckFailed(name, f"self.rnn has {field}={got!r}; it needs {field}={wanted!r} "
                              f"({why}).")
    if (head.in_features, head.out_features) != (H, V):
        raise CheckFailed(name, f"self.head maps {head.in_features} to {head.out_features} "
                          f"numbers; it must map hidden_size = {H} to vocab_size = {V}.")
    if head.bias is None:
        raise CheckFailed(name, "self.head has no bias: the logits are W_hy @ h_t + b_y, so keep "
                          "nn.Linear(hidden_size, vocab_size) with its bias (bias=True, the "
                          "default); b_y is what learns the character frequencies.")
    if not rnn.bias or rnn.bias_hh_l0.requires_grad or torch.any(rnn.bias_hh_l0 != 0):
        raise CheckFailed(name, "nn.RNN has two hidden biases, bias_ih_l0 + bias_hh_l0, where "
                          "min-char-rnn has one, b_h: keep bias_ih_l0 and set bias_hh_l0 to "
                          "zero and frozen (zero_() under torch.no_grad(), then "
                          "requires_grad_(False)), so both models train alike.")
    _check_trainable(name, model)
    params, x, h0 = _torch_case(seed=6, V=V, H=H, B=B, T=T)
    model.double()
    _load(name, model, params)
    logits_ref, states = ref.batch_forward(params, x.numpy(), h0[0].numpy())
    in_float64 = "float64 (model.double(), as the next cells use it)"
    with evaluating(model):
        out = _forward(name, model, x, h0, in_float64, ".float()")
        if not isinstance(out, tuple) or len(out) != 2:
            raise CheckFailed(name, "forward should return a tuple (logits, h_n).")
        logits, h_n = out
        expect_array(name, "logits", logits, library="torch")
        shape = tuple(logits.shape)
        if shape == (B, V) and _same(logits.detach(), logits_ref[:, -1]):
            raise CheckFailed(name, f"logits have shape {shape}: the head reads only the last "
                              "step. Apply it to the output of every step, out (B, T, H), to "
                              "get (B, T, K) logits: one prediction per character.")
        if shape != (B, T, V):
            raise CheckFailed(name, f"logits have shape {shape}, expected (batch, time, vocab) "
                              f"= {(B, T, V)}.")
        logits = logits.detach().numpy()
        if h_n is None:
            raise CheckFailed(name, "forward returns None as the state: return h_n, the "
                              "second result of self.rnn(...), so the next chunk can start "
                              "from it.")
        expect_array(name, "h_n", h_n, library="torch", shape=(1, B, H))
        if not _same(logits, logits_ref):
            zero_ref, _ = ref.batch_forward(params, x.numpy(), np.zeros((B, H)))
            if _same(logits, zero_ref):
                raise CheckFailed(name, "forward ignores its argument h: the logits are those "
                                  "of a zero initial state. Pass h to self.rnn(inputs, h).")
            if _same(logits, ref.softmax(logits_ref)):
                raise CheckFailed(name, "forward returns probabilities; return the logits (the "
                                  "loss, cross_entropy, applies the log-softmax itself).")
            log_p = logits_ref - np.log(np.exp(logits_ref).sum(-1, keepdims=True))
            if _same(logits, log_p):
                raise CheckFailed(name, "forward returns log-probabilities (a log_softmax); "
                                  "return the logits: cross_entropy applies the log-softmax "
                                  "itself, and the sampler divides the logits by the "
                                  "temperature.")
            bad = first_mismatch(logits, logits_ref)
            raise CheckFailed(name, f"with the same weights as the NumPy model, logits"
                              f"{_where(bad[0])} = {bad[1]:.4f}, expected {bad[2]:.4f}: the "
                              "input is one_hot(x, vocab_size) as floats, then self.rnn, then "
                              "self.head on every step.")
        if not _same(h_n.detach(), states[:, -1][None]):
            raise CheckFailed(name, "h_n is not the last state of each sequence: return the "
                              "state self.rnn returns.")
        first, h1 = _forward(name, model, x[:, :3], h0, in_float64, ".float()")
        second, _ = _forward(name, model, x[:, 3:], h1, in_float64, ".float()")
        if not _same(torch.cat([first, second], 1).detach(), logits_ref):
            raise CheckFailed(name, "reading the sequence in two chunks, the state carried "
                              "over, gives other logits than reading it at once.")
        short = x % (V - 1)                       # no id V - 1, as most chunks of a text
        logits_short, _ = _forward(name, model, short, h0, in_float64, ".float()")
        if not _same(logits_short.detach(), ref.batch_forward(params, short.numpy(),
                                                             h0[0].numpy())[0]):
            raise CheckFailed(name, "on ids that leave out the largest id the logits differ "
                              "from the NumPy model's: one_hot needs num_classes=vocab_size.")
    with torch.no_grad():
        training = [_forward(name, model, x, h0, in_float64, ".float()")[0] for _ in range(2)]
    if any(not _same(t.numpy(), logits_ref) for t in training):
        raise CheckFailed(name, "in training mode the model gives other logits than in eval "
                          "mode (dropout?): min-char-rnn's model has no dropout, and the "
                          "comparison with the NumPy model needs none.")
    fresh = call_student(name, CharRNN, V, H)      # float32, as the lab's later cells train it
    _load(name, fresh, params)
    with evaluating(fresh), torch.no_grad():
        logits32 = _forward(name, fresh, x, h0.float(), "float32 (a new CharRNN, as the lab "
                            "trains it)", ".double()")[0]
    if not np.allclose(logits32.double().numpy(), logits_ref, atol=1e-4, rtol=1e-4):
        raise CheckFailed(name, "a new CharRNN (float32) with the NumPy weights gives other "
                          "logits than the NumPy model: compute in the weights' dtype.")
    passed(name, "same logits and states as the NumPy model in float64 and float32, state "
           "carried across chunks, the right parameters trainable.")


def _tbptt_variant(model, chunks, optimizer, clip_value, mistake=None):
    """Truncated BPTT with one usual mistake (the reference when ``mistake`` is None). A
    mistake ``("reset", {i, ...})`` starts chunks i, ... from a zero state."""
    from torch import nn

    parameters = [p for p in model.parameters() if p.requires_grad]
    reset = mistake[1] if isinstance(mistake, tuple) else set()
    losses, h = [], None
    for i, (x, y) in enumerate(chunks):
        if i in reset:
            h = None
        elif h is not None:
            h = h.detach()
        logits, h = model(x, h)
        if mistake == "mean":
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        elif mistake == "sum":
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum")
        elif mistake == "divide by k":
            loss = ref.chunk_loss(logits, y) * len(x) / x.shape[1]
        else:
            loss = ref.chunk_loss(logits, y)
        if mistake != "no reset":
            optimizer.zero_grad()
        loss.backward()
        if mistake == "by norm":
            nn.utils.clip_grad_norm_(parameters, clip_value)
        elif mistake == "clip at 5":
            nn.utils.clip_grad_value_(parameters, 5.0)
        elif mistake != "no clip":
            nn.utils.clip_grad_value_(parameters, clip_value)
        optimizer.step()
        losses.append(loss.item())
    return losses


_TBPTT_HINTS = {
    "no reset": "gradients pile up from chunk to chunk: call optimizer.zero_grad() before "
                "each backward, so each update uses only its own chunk's gradient.",
    "no clip": "the gradients are not clipped (or clipped where it has no effect): call "
               "nn.utils.clip_grad_value_(parameters, clip_value) after backward and before "
               "optimizer.step().",
    "clip at 5": "the gradients are clipped at 5, not at clip_value: use the argument.",
    "by norm": "the gradient is clipped by its norm (as lecture 02's loop does, with "
               "clip_grad_norm_); this exercise clips each entry to [-clip_value, clip_value], "
               "as min-char-rnn does, so that the PyTorch model takes the NumPy model's steps: "
               "nn.utils.clip_grad_value_.",
    "mean": "the loss is the mean over all B * k characters (lecture 02's loop reports that "
            "mean); this exercise uses min-char-rnn's loss, summed over time and averaged over "
            "the batch, so that the PyTorch model takes the NumPy model's steps: "
            "cross_entropy(..., reduction='sum') / B.",
    "sum": "the loss is summed over the whole batch; average it over the batch (divide by B), "
           "as batch_loss_and_grads did.",
    "divide by k": "the loss is divided by k = x.shape[1], the chunk length; min-char-rnn's "
                   "loss sums over time and averages over the batch: divide by B = len(x).",
}
_ERASED = ("when optimizer.step() ran the gradients were gone: a zero_grad between "
           "loss.backward() and step erases what backward computed. Call optimizer.zero_grad() "
           "before backward: zero_grad, backward, clip, step.")


def _reset_hint(reset: set, count: int) -> str:
    if reset == set(range(1, count)):
        return ("every chunk starts from a zero state: carry the state returned by the model "
                "into the next chunk (detached), since row b of a chunk continues row b of "
                "the one before.")
    which = " and ".join(str(i + 1) for i in sorted(reset))
    return (f"chunk{'s' if len(reset) > 1 else ''} {which} (of {count}) start"
            f"{'' if len(reset) > 1 else 's'} from a zero state: carry the state returned by "
            "the model into every next chunk (detached), since row b of a chunk continues row b "
            "of the one before.")


def _recording_sgd(model, lr: float, log: list):
    """SGD on the trainable parameters of ``model`` that writes to ``log`` the order of
    ``backward`` (seen through gradient hooks), ``zero_grad`` and ``step``, and whether the
    gradients were there at each step."""
    import torch

    class RecordingSGD(torch.optim.SGD):
        def zero_grad(self, set_to_none: bool = True) -> None:
            log.append("zero_grad")
            super().zero_grad(set_to_none)

        def step(self, closure=None):
            grads = [p.grad for group in self.param_groups for p in group["params"]]
            there = any(g is not None and bool(g.any()) for g in grads)
            log.append("step" if there else "step without gradients")
            return super().step(closure)

    parameters = [p for p in model.parameters() if p.requires_grad]

    def seen(_):
        if not log or log[-1] != "backward":
            log.append("backward")

    for p in parameters:
        p.register_post_accumulate_grad_hook(seen)
    return RecordingSGD(parameters, lr=lr)


def _erased(log: list, crashed: bool = False) -> bool:
    """True if a zero_grad came after the last backward before the first step that found no
    gradients (or before the end of the log, when the loop crashed before its step)."""
    if "step without gradients" in log:
        before = log[:log.index("step without gradients")]
    elif crashed:
        before = log
    else:
        return False
    if "backward" not in before:
        return False
    last = len(before) - 1 - before[::-1].index("backward")
    return "zero_grad" in before[last:]


def _tbptt_case(V: int, H: int, B: int = 3, k: int = 5, count: int = 4):
    """Parameters and ``count`` consecutive chunks (x, y) of B streams, k steps each; W_hy is
    large enough that some gradient entries exceed 5 (so clipping at 5 is not clipping at
    clip_value, and not clipping at all is different again)."""
    import torch

    params, _, _ = _torch_case(seed=8, V=V, H=H)
    params["W_hy"] = params["W_hy"] * 5
    stream = np.random.default_rng(8).integers(0, V, (B, count * k + 1))
    chunks = [(torch.from_numpy(stream[:, i:i + k].copy()),
               torch.from_numpy(stream[:, i + 1:i + k + 1].copy()))
              for i in range(0, count * k, k)]
    return params, chunks


def check_train_tbptt(train_tbptt: Callable) -> None:
    """``train_tbptt(model, chunks, optimizer, clip_value) -> list of losses``: truncated BPTT
    with the state carried and detached, gradients reset and clipped, one update a chunk."""
    import torch

    name = "train_tbptt"
    V, H = 6, 5
    params, chunks = _tbptt_case(V, H)
    clip_value, lr = 0.05, 0.5

    def fresh():
        model = ref.load_params(ref.CharRNN(V, H).double(), params)
        return model, torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)

    def run(mistake=None):
        model, optimizer = fresh()
        losses = _tbptt_variant(model, chunks, optimizer, clip_value, mistake)
        return losses, ref.params_from_model(model)

    model, log = ref.load_params(ref.CharRNN(V, H).double(), params), []
    optimizer = _recording_sgd(model, lr, log)
    try:
        losses = call_student(name, train_tbptt, model, chunks, optimizer, clip_value,
                              may_modify=(0, 2))
    except CheckFailed as failure:
        clip_failed = "nested_tensorlist" in failure.message or "empty()" in failure.message
        if clip_failed and _erased(log, crashed=True):
            raise CheckFailed(name, _ERASED.replace("optimizer.step() ran",
                                                    "clip_grad_value_ ran")) from None
        if clip_failed:
            raise CheckFailed(name, "clip_grad_value_ found no gradients to clip: clip after "
                              "loss.backward() (the gradients exist only then) and before "
                              "optimizer.step().") from None
        if ("backward through the graph a second time" in failure.message
                or "modified by an inplace operation" in failure.message):
            raise CheckFailed(name, "the state is not detached at the chunk boundary, so "
                              "backward reaches into the previous chunk's graph (PyTorch: "
                              "\"Trying to backward through the graph a second time\" or "
                              "\"modified by an inplace operation\"). Before each chunk, "
                              "h = h.detach(): keep its value, cut the graph.") from None
        raise
    if not isinstance(losses, list):
        raise CheckFailed(name, f"return a list with one loss a chunk, got "
                          f"{type(losses).__name__}.")
    if len(losses) != len(chunks):
        raise CheckFailed(name, f"return one loss a chunk: {len(chunks)} chunks, got "
                          f"{len(losses)} losses.")
    if any(isinstance(loss, torch.Tensor) for loss in losses):
        raise CheckFailed(name, "the losses are tensors: append loss.item(), a float. A tensor "
                          "keeps its chunk's whole graph alive in memory.")
    if not all(isinstance(loss, (float, np.floating)) for loss in losses):
        raise CheckFailed(name, "return the losses as floats (loss.item()).")
    if _erased(log):
        raise CheckFailed(name, _ERASED)
    if not model.training:
        raise CheckFailed(name, "the model comes back in eval mode: it was given in training "
                          "mode and the lab's later cells train it further. Leave its mode as "
                          "it was (or call model.train() before returning).")
    got = ref.params_from_model(model)
    start = ref.params_from_model(fresh()[0])
    if all(_same(got[key], start[key]) for key in got):
        raise CheckFailed(name, "the model's parameters did not change: call optimizer.step() "
                          "after backward, once a chunk.")
    expected_losses, expected = run()
    if not all(_same(got[key], expected[key]) for key in got):
        for mistake, hint in _TBPTT_HINTS.items():
            variant_losses, variant = run(mistake)
            if all(_same(got[key], variant[key]) for key in got):
                raise CheckFailed(name, hint)
        for size in range(len(chunks) - 1, 0, -1):   # chunks that start from a zero state
            for reset in itertools.combinations(range(1, len(chunks)), size):
                variant = run(("reset", set(reset)))[1]
                if all(_same(got[key], variant[key]) for key in got):
                    raise CheckFailed(name, _reset_hint(set(reset), len(chunks)))
        key = next(key for key in got if not _same(got[key], expected[key]))
        bad = first_mismatch(got[key], expected[key])
        raise CheckFailed(name, f"after {len(chunks)} chunks (SGD, lr {lr}, clip_value "
                          f"{clip_value}) the parameter {key}{_where(bad[0])} is {bad[1]:.5f}, "
                          f"expected {bad[2]:.5f}. Each chunk: detach the carried state, "
                          "forward, loss, zero_grad, backward, clip_grad_value_, step.")
    if not _same(losses, expected_losses):
        raise CheckFailed(name, f"the model trains right, but the losses you return "
                          f"{np.round(losses, 4).tolist()} differ from "
                          f"{np.round(expected_losses, 4).tolist()}: return each chunk's loss "
                          "(loss.item()), summed over time and averaged over the batch.")
    passed(name, f"{len(chunks)} chunks: state carried and detached, gradients reset and "
           "clipped, same parameters and losses as the reference.")
