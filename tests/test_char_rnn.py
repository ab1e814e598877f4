import numpy as np
import pytest
import torch

from course_utils import char_rnn as cr
from course_utils.gradients import gradient_check
from tests._bad_input import ids, untried


def _case(T=8, V=6, H=5, seed=0):
    rng = np.random.default_rng(seed)
    params = cr.init_params(V, H, scale=0.5, seed=seed)
    params["b_h"], params["b_y"] = rng.standard_normal(H), rng.standard_normal(V)
    return params, rng.integers(0, V, T).tolist(), rng.integers(0, V, T).tolist(), \
        np.tanh(rng.standard_normal(H))


def test_init_params_shapes_follow_pytorch_and_notation():
    p = cr.init_params(7, 4)
    assert {k: v.shape for k, v in p.items()} == {"W_xh": (4, 7), "W_hh": (4, 4), "b_h": (4,),
                                                   "W_hy": (7, 4), "b_y": (7,)}
    assert tuple(p) == cr.PARAM_NAMES
    assert not p["b_h"].any() and np.isclose(p["W_xh"].std(), 0.01, rtol=0.5)
    assert cr.check_params(p) == (7, 4)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"vocab_size": 0}, ValueError, "vocab_size must be an integer >= 1, got 0"),
    ({"vocab_size": 2.5}, TypeError, "vocab_size must be an integer"),
    ({"hidden_size": -1}, ValueError, "hidden_size"),
    ({"hidden_size": True}, TypeError, "hidden_size"),
    ({"scale": 0.0}, ValueError, "scale must be a positive number"),
    ({"scale": "big"}, TypeError, "scale must be a number"),
    ({"seed": 1.5}, TypeError, "seed")])
def test_init_params_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        cr.init_params(**{"vocab_size": 5, **kwargs})


@pytest.mark.parametrize("params, error, words", [
    ([1, 2], TypeError, "params must be a dict"),
    ({"W_xh": np.zeros((2, 3))}, ValueError, "missing"),
    ({**cr.init_params(3, 2), "W_hh": [[0, 0], [0, 0]]}, TypeError, r"params\['W_hh'\] must be a float NumPy"),
    ({**cr.init_params(3, 2), "W_hy": np.zeros((2, 3))}, ValueError, r"params\['W_hy'\] has shape \(2, 3\)"),
    ({**cr.init_params(3, 2), "W_xh": np.zeros(3)}, ValueError, "must be 2-D")])
def test_check_params_names_the_entry(params, error, words):
    with pytest.raises(error, match=words):
        cr.check_params(params)


def test_unigram_bits_and_update():
    assert cr.unigram_bits(np.array([0, 0, 1]), np.array([0, 2]), 3) == pytest.approx(
        -(np.log2(3 / 6) + np.log2(1 / 6)) / 2)
    with pytest.raises(ValueError, match="held_ids must hold character ids from 0 to 2"):
        cr.unigram_bits(np.array([0]), np.array([3]), 3)
    with pytest.raises(ValueError, match="train_ids is empty"):
        cr.unigram_bits(np.array([], int), np.array([0]), 3)
    params, memory = {"w": np.zeros(2)}, {"w": np.zeros(2)}
    cr.update(params, {"w": np.array([9.0, -1.0])}, memory)
    assert np.allclose(memory["w"], [25, 1]) and np.allclose(params["w"], [-0.1, 0.1])


def test_one_hot_and_softmax():
    assert cr.one_hot(2, 4).tolist() == [0, 0, 1, 0]
    with pytest.raises(ValueError, match=r"index must be an integer from 0 to 3, got 4"):
        cr.one_hot(4, 4)
    with pytest.raises(ValueError, match="size"):
        cr.one_hot(0, 0)
    with pytest.raises(TypeError, match="index"):
        cr.one_hot(1.0, 3)
    p = cr.softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3)]]))
    assert np.allclose(p, [[0.5, 0.5], [0.25, 0.75]])
    with pytest.raises(TypeError, match="logits"):
        cr.softmax("abc")
    with pytest.raises(ValueError, match="logits is empty"):
        cr.softmax(np.array([]))
    with pytest.raises(ValueError, match="axis"):
        cr.softmax(np.zeros(3), axis=2)


def test_backward_matches_central_differences_and_b_y_learns():
    params, x, y, h0 = _case()
    loss, grads, h_last = cr.loss_and_grads(params, x, y, h0)
    errors = gradient_check(lambda: cr.rnn_forward(params, x, y, h0)[0], params, grads,
                            samples=None)
    assert max(errors.values()) < 1e-8
    assert np.abs(grads["b_y"]).sum() > 0          # the seeds' bug: db_y stayed zero
    assert h_last.shape == (5,)


@pytest.mark.parametrize("change, error, words", [
    ({"targets": [0]}, ValueError, "equally long"),
    ({"h_prev": np.zeros(3)}, ValueError, r"h_prev must have shape \(5\)"),
    ({"params": {"W_xh": np.zeros((5, 6))}}, ValueError, "missing"),
    ({"inputs": []}, ValueError, "inputs is empty"),
    ({"inputs": [0.5, 1.0]}, TypeError, "inputs must hold integers"),
    ({"inputs": [0, 9]}, ValueError, "inputs must hold character ids from 0 to 5"),
    ({"inputs": "abc"}, TypeError, "inputs must be a NumPy array"),
    ({"h_prev": None}, TypeError, "h_prev")])
def test_forward_bad_arguments(change, error, words):
    params, x, y, h0 = _case()
    args = {"params": params, "inputs": x, "targets": y, "h_prev": h0, **change}
    if "inputs" in change and "targets" not in change and len(change["inputs"]) != len(y):
        args["targets"] = y[:len(change["inputs"])] or [0]
    with pytest.raises(error, match=words):
        cr.rnn_forward(**args)


def test_backward_bad_arguments():
    params, x, y, h0 = _case()
    _, cache = cr.rnn_forward(params, x, y, h0)
    with pytest.raises(ValueError, match="cache must be the dict"):
        cr.rnn_backward(params, {"xs": cache["xs"]}, y)
    with pytest.raises(ValueError, match="cache holds 8 steps but targets has 3"):
        cr.rnn_backward(params, cache, y[:3])


def test_batch_equals_mean_of_single_sequences_and_batch_forward():
    params, *_ = _case()
    rng = np.random.default_rng(1)
    X, Y, H0 = rng.integers(0, 6, (3, 8)), rng.integers(0, 6, (3, 8)), rng.random((3, 5))
    loss, grads, h_last = cr.batch_loss_and_grads(params, X, Y, H0)
    singles = [cr.loss_and_grads(params, X[b].tolist(), Y[b].tolist(), H0[b]) for b in range(3)]
    assert np.isclose(loss, np.mean([s[0] for s in singles]))
    for k in cr.PARAM_NAMES:
        assert np.allclose(grads[k], np.mean([s[1][k] for s in singles], axis=0))
    assert np.allclose(h_last, [s[2] for s in singles])
    logits, states = cr.batch_forward(params, X, H0)
    assert logits.shape == (3, 8, 6) and states.shape == (3, 9, 5)
    assert np.allclose(states[:, -1], h_last) and np.allclose(states[:, 0], H0)


@pytest.mark.parametrize("change, error, words", [
    ({"inputs": np.zeros(4, int)}, ValueError, "inputs must have 2 dimensions"),
    ({"targets": np.zeros((2, 4), int)}, ValueError, "targets must have the shape of inputs"),
    ({"h_prev": np.zeros((3, 4))}, ValueError, r"h_prev must have shape \(3, 5\)"),
    ({"inputs": np.zeros((3, 4))}, TypeError, "inputs must hold integers")])
def test_batch_bad_arguments(change, error, words):
    params, *_ = _case()
    args = {"params": params, "inputs": np.zeros((3, 4), int), "targets": np.zeros((3, 4), int),
            "h_prev": np.zeros((3, 5)), **change}
    with pytest.raises(error, match=words):
        cr.batch_loss_and_grads(**args)


def test_clip_and_adagrad():
    g = {"w": np.array([-9.0, 0.5, 7.0])}
    assert cr.clip_gradients(g)["w"].tolist() == [-5.0, 0.5, 5.0] and g["w"][0] == -9.0
    params, memory = {"w": np.zeros(3)}, {"w": np.ones(3)}
    cr.adagrad_update(params, {"w": np.array([1.0, -2.0, 0.0])}, memory, lr=0.1)
    assert np.allclose(memory["w"], [2, 5, 1])
    assert np.allclose(params["w"], [-0.1 / np.sqrt(2), 0.2 / np.sqrt(5), 0])
    with pytest.raises(ValueError, match="limit must be a positive number"):
        cr.clip_gradients(g, 0)
    with pytest.raises(TypeError, match="grads must be a dict"):
        cr.clip_gradients([1.0])
    with pytest.raises(ValueError, match="lr"):
        cr.adagrad_update(params, g, memory, lr=-1)
    with pytest.raises(ValueError, match="grads must be a dict with the keys of params"):
        cr.adagrad_update(params, {}, memory)
    with pytest.raises(ValueError, match=r"grads\['w'\] and memory\['w'\] must have shape \(3,\)"):
        cr.adagrad_update(params, {"w": np.zeros(2)}, memory)


def test_sample_draws_applies_temperature_and_uses_its_generator():
    V = 4
    params = {"W_xh": np.zeros((2, V)), "W_hh": np.zeros((2, 2)), "b_h": np.zeros(2),
              "W_hy": np.zeros((V, 2)), "b_y": np.array([1.0, 0.0, 0.0, 0.0])}
    cold = cr.sample(params, np.zeros(2), 0, 2000, np.random.default_rng(0), 0.25)
    hot = cr.sample(params, np.zeros(2), 0, 2000, np.random.default_rng(0), 4.0)
    assert len(set(hot)) == V                       # samples, not argmax
    assert cold.count(0) > 1700 > hot.count(0)
    assert cr.sample(params, np.zeros(2), 0, 30, np.random.default_rng(3)) == \
        cr.sample(params, np.zeros(2), 0, 30, np.random.default_rng(3))
    with pytest.raises(ValueError, match="temperature"):
        cr.sample(params, np.zeros(2), 0, 3, np.random.default_rng(0), 0.0)
    with pytest.raises(ValueError, match="n must"):
        cr.sample(params, np.zeros(2), 0, -1, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        cr.sample(params, np.zeros(2), 0, 3, 42)
    with pytest.raises(ValueError, match="seed_ix must be an integer from 0 to 3"):
        cr.sample(params, np.zeros(2), 4, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"h must have shape \(2\)"):
        cr.sample(params, np.zeros(3), 0, 3, np.random.default_rng(0))


def test_sample_continues_from_the_state_that_read_the_text():
    """h has read everything before seed_ix: the first draw follows the distribution of the
    forward pass over the text plus seed_ix (the seed is read once, not twice)."""
    params, x, y, h0 = _case(seed=3)
    _, cache = cr.rnn_forward(params, x + [y[-1]], [0] * (len(x) + 1), h0)
    expected = cache["y_hat"][-1]
    _, cache_text = cr.rnn_forward(params, x, y, h0)
    draws = [cr.sample(params, cache_text["hs"][-1], y[-1], 1, np.random.default_rng(s))[0]
             for s in range(3000)]
    freq = np.bincount(draws, minlength=6) / 3000
    assert np.abs(freq - expected).max() < 0.04


def test_training_learns_and_bits_per_char():
    text = np.array(list("abcabcabcabd" * 60))
    ids = np.searchsorted(np.unique(text), text)
    params = cr.init_params(4, 16, scale=0.1)
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    before = cr.bits_per_char(params, ids, streams=4)
    h = np.zeros((4, 16))
    for _ in range(150):
        for start in range(0, 160, 16):
            X = ids[:680].reshape(4, 170)[:, start:start + 16]
            Y = ids[1:681].reshape(4, 170)[:, start:start + 16]
            _, g, h = cr.batch_loss_and_grads(params, X, Y, h)
            cr.adagrad_update(params, cr.clip_gradients(g), memory)
    assert before > 1.9 and cr.bits_per_char(params, ids, streams=4) < 0.8
    model = cr.load_params(cr.CharRNN(4, 16).double(), params)
    assert cr.bits_per_char(model, ids, streams=4, chunk=7) == pytest.approx(
        cr.bits_per_char(params, ids, streams=4, chunk=50), rel=1e-9)
    with pytest.raises(ValueError, match=r"ids must have at least 2 \* streams = 8 elements"):
        cr.bits_per_char(params, ids[:5], streams=4)
    with pytest.raises(ValueError, match="ids must hold character ids from 0 to 3, got values from 1 to 4"):
        cr.bits_per_char(params, ids + 1, streams=4)
    with pytest.raises(TypeError, match="ids must hold integers"):
        cr.bits_per_char(params, ids.astype(float), streams=4)


# --- the PyTorch model ---------------------------------------------------------------------------
def test_char_rnn_is_the_numpy_model():
    params, *_ = _case()
    model = cr.load_params(cr.CharRNN(6, 5).double(), params)
    assert not model.rnn.bias_hh_l0.requires_grad and not model.rnn.bias_hh_l0.any()
    rng = np.random.default_rng(2)
    x, h0 = rng.integers(0, 6, (3, 8)), np.tanh(rng.standard_normal((3, 5)))
    logits, h_n = model(torch.from_numpy(x), torch.from_numpy(h0)[None])
    expected, states = cr.batch_forward(params, x, h0)
    assert np.allclose(logits.detach().numpy(), expected, atol=1e-12)
    assert np.allclose(h_n[0].detach().numpy(), states[:, -1], atol=1e-12)
    assert all(np.array_equal(a, cr.params_from_model(model)[k]) for k, a in params.items())
    assert np.allclose(cr.hidden_states(model, x[0]), cr.batch_forward(params, x[:1],
                                                                       np.zeros((1, 5)))[1][0, 1:])


def test_train_tbptt_with_adagrad_takes_the_numpy_steps():
    """The same updates as batch_loss_and_grads + clip_gradients + adagrad_update (float64)."""
    from course_utils.text import stream_batches

    params = cr.init_params(6, 5, scale=0.5, seed=1)
    ids = np.random.default_rng(0).integers(0, 6, 400)
    chunks = list(stream_batches(ids, 4, 7))[:5]
    numpy_params = {k: v.copy() for k, v in params.items()}
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    h, numpy_losses = np.zeros((4, 5)), []
    for x, y in chunks:
        loss, grads, h = cr.batch_loss_and_grads(numpy_params, x, y, h)
        cr.adagrad_update(numpy_params, cr.clip_gradients(grads), memory)
        numpy_losses.append(loss)
    model = cr.load_params(cr.CharRNN(6, 5).double(), params)
    optimizer = cr.Adagrad([p for p in model.parameters() if p.requires_grad])
    losses = cr.train_tbptt(model, [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in chunks],
                            optimizer)
    assert np.allclose(losses, numpy_losses, rtol=1e-10)
    trained = cr.params_from_model(model)
    assert all(np.allclose(trained[k], numpy_params[k], atol=1e-10) for k in params)


def test_train_tbptt_resets_detaches_and_carries():
    """Against the mistakes issue 13 names: with lr = 0 each update's gradient must be its own
    chunk's, computed from the carried (detached) state."""
    params = cr.init_params(6, 5, scale=0.8, seed=2)
    ids = np.random.default_rng(1).integers(0, 6, 200)
    model = cr.load_params(cr.CharRNN(6, 5).double(), params)
    x = torch.from_numpy(ids[:30].reshape(2, 15))
    y = torch.from_numpy(ids[1:31].reshape(2, 15))
    chunks = [(x[:, i:i + 5], y[:, i:i + 5]) for i in (0, 5, 10)]
    cr.train_tbptt(model, chunks, torch.optim.SGD(model.parameters(), lr=0.0), clip_value=1e9)
    got = model.rnn.weight_hh_l0.grad.clone()
    fresh = cr.load_params(cr.CharRNN(6, 5).double(), params)
    with torch.no_grad():
        _, h = fresh(x[:, :10])
    logits, _ = fresh(x[:, 10:], h)
    cr.chunk_loss(logits, y[:, 10:]).backward()
    assert torch.allclose(got, fresh.rnn.weight_hh_l0.grad)


def test_torch_helpers_bad_arguments():
    with pytest.raises(ValueError, match="model.rnn"):
        cr.load_params(torch.nn.Linear(2, 2), cr.init_params(3, 2))
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        cr.params_from_model("model")
    with pytest.raises(ValueError, match=r"model.rnn.weight_ih_l0 has shape \(2, 4\)"):
        cr.load_params(cr.CharRNN(4, 2), cr.init_params(3, 2))
    with pytest.raises(ValueError, match="clip_value must be a positive number"):
        cr.train_tbptt(cr.CharRNN(3, 2), [], torch.optim.SGD(cr.CharRNN(3, 2).parameters(), 0.1),
                       clip_value=0)
    with pytest.raises(ValueError, match="logits must be a"):
        cr.chunk_loss(torch.zeros(3, 4), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"targets must be a tensor of shape \(2, 3\)"):
        cr.chunk_loss(torch.zeros(2, 3, 4), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="lr must be a positive number"):
        cr.Adagrad(cr.CharRNN(3, 2).parameters(), lr=0)
    with pytest.raises(TypeError, match="vocab_size must be an integer"):
        cr.CharRNN("a", 2)
    with pytest.raises(ValueError, match="ids is empty"):
        cr.hidden_states(cr.CharRNN(3, 2), np.array([], dtype=int))


def test_sampling_widget_first_frame_and_errors():
    w = cr.sampling_widget(lambda s, t, seed: s + "xyz", seed_text="ab")
    assert "xyz" in w.children[1].value
    slider, box, button = w.children[0].children
    box.value = "q"
    assert "<b>q</b>xyz" in w.children[1].value
    called = []
    empty = cr.sampling_widget(lambda s, t, seed: called.append(s) or s + "xyz", seed_text="ab")
    empty.children[0].children[1].value = ""       # the student clears the box
    assert "seed text is empty" in empty.children[1].value and "" not in called
    bad = cr.sampling_widget(lambda s, t, seed: (_ for _ in ()).throw(ValueError("unknown 'é'")))
    assert "unknown" in bad.children[1].value
    with pytest.raises(TypeError, match="generate"):
        cr.sampling_widget("not a function")
    with pytest.raises(ValueError, match="temperature"):
        cr.sampling_widget(lambda *a: "", temperature=9)
    with pytest.raises(TypeError, match="seed_text must be a str"):
        cr.sampling_widget(lambda *a: "", seed_text=3)


# --- bad input (issue 16): wrong types, wrong shapes, empty input --------------------------------
_P = cr.init_params(4, 3)
_H0 = np.zeros(3)


def _model():
    return cr.CharRNN(4, 3)


def _ids_t(*shape):
    return torch.zeros(*shape, dtype=torch.long)


def _sgd():
    return torch.optim.SGD(_model().parameters(), lr=0.1)


def _memory():
    return {name: np.zeros_like(value) for name, value in _P.items()}


BAD_INPUT = [
    ("unigram_bits", "type", lambda: cr.unigram_bits("ab", [0], 4), TypeError,
     "train_ids must be a NumPy array, got str"),
    ("unigram_bits", "shape", lambda: cr.unigram_bits(np.zeros((2, 2), int), [0], 4), ValueError,
     r"train_ids must have 1 dimension, got shape \(2, 2\)"),
    ("unigram_bits", "empty", lambda: cr.unigram_bits([0], [], 4), ValueError,
     r"held_ids is empty \(shape \(0,\)\)"),
    ("unigram_bits", "value", lambda: cr.unigram_bits([0, 7], [0], 4), ValueError,
     "train_ids must hold character ids from 0 to 3, got values from 0 to 7"),
    ("init_params", "type", lambda: cr.init_params("4"), TypeError,
     "vocab_size must be an integer >= 1, got str '4'"),
    ("init_params", "shape", lambda: cr.init_params(4, hidden_size=0), ValueError,
     "hidden_size must be an integer >= 1, got 0"),
    ("init_params", "empty", lambda: cr.init_params(0), ValueError,
     "vocab_size must be an integer >= 1, got 0"),
    ("check_params", "type", lambda: cr.check_params([1]), TypeError,
     "params must be a dict with keys W_xh, W_hh, b_h, W_hy, b_y, got list"),
    ("check_params", "type", lambda: cr.check_params({**_P, "W_hh": np.zeros((3, 3), int)}),
     TypeError, r"params\['W_hh'\] must be a float NumPy array, got ndarray of dtype int64"),
    ("check_params", "shape", lambda: cr.check_params({**_P, "b_h": np.zeros(4)}), ValueError,
     r"params\['b_h'\] has shape \(4,\); with W_xh of shape \(H, V\) = \(3, 4\) it must be \(3,\)"),
    ("check_params", "empty", lambda: cr.check_params({}), ValueError,
     r"params is missing \['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y'\]"),
    ("check_params", "empty", lambda: cr.check_params({k: np.zeros((0,) * v.ndim) for k, v in _P.items()}),
     ValueError, r"params\['W_xh'\] must be 2-D \(H, V\) with H >= 1 and V >= 1, got shape \(0, 0\)"),
    ("one_hot", "type", lambda: cr.one_hot(1.0, 4), TypeError,
     "index must be an integer from 0 to 3, got float 1.0"),
    ("one_hot", "shape", lambda: cr.one_hot(5, 4), ValueError,
     "index must be an integer from 0 to 3, got 5"),
    ("one_hot", "empty", lambda: cr.one_hot(0, 0), ValueError, "size must be an integer >= 1, got 0"),
    ("softmax", "type", lambda: cr.softmax("a"), TypeError, "logits must be a NumPy array, got str"),
    ("softmax", "shape", lambda: cr.softmax(np.ones(3), axis=1), ValueError,
     "axis must be an integer from -1 to 0, got 1"),
    ("softmax", "empty", lambda: cr.softmax([]), ValueError, r"logits is empty \(shape \(0,\)\)"),
    ("rnn_forward", "type", lambda: cr.rnn_forward(_P, "ab", [0, 1], _H0), TypeError,
     "inputs must be a NumPy array, got str"),
    ("rnn_forward", "shape", lambda: cr.rnn_forward(_P, [0, 1], [0, 1], np.zeros(4)), ValueError,
     r"h_prev must have shape \(3\), got \(4,\)"),
    ("rnn_forward", "shape", lambda: cr.rnn_forward(_P, [0, 1], [0], _H0), ValueError,
     "inputs and targets must be equally long, got 2 and 1"),
    ("rnn_forward", "empty", lambda: cr.rnn_forward(_P, [], [], _H0), ValueError,
     r"inputs is empty \(shape \(0,\)\)"),
    ("rnn_backward", "type", lambda: cr.rnn_backward(_P, [1], [0]), ValueError,
     "cache must be the dict rnn_forward returns, with 'xs', 'hs', 'y_hat'"),
    ("rnn_backward", "shape",
     lambda: cr.rnn_backward(_P, cr.rnn_forward(_P, [0, 1], [0, 1], _H0)[1], [0]), ValueError,
     "cache holds 2 steps but targets has 1"),
    ("rnn_backward", "empty",
     lambda: cr.rnn_backward(_P, cr.rnn_forward(_P, [0, 1], [0, 1], _H0)[1], []), ValueError,
     r"targets is empty \(shape \(0,\)\)"),
    ("loss_and_grads", "type", lambda: cr.loss_and_grads("p", [0], [0], _H0), TypeError,
     "params must be a dict with keys W_xh, W_hh, b_h, W_hy, b_y, got str"),
    ("loss_and_grads", "shape", lambda: cr.loss_and_grads(_P, [0], [0], np.zeros(5)), ValueError,
     r"h_prev must have shape \(3\), got \(5,\)"),
    ("loss_and_grads", "empty", lambda: cr.loss_and_grads(_P, [], [], _H0), ValueError,
     r"inputs is empty \(shape \(0,\)\)"),
    ("clip_gradients", "type", lambda: cr.clip_gradients({"w": "x"}), TypeError,
     r"grads\['w'\] must be a NumPy array, got str"),
    ("clip_gradients", "type", lambda: cr.clip_gradients([np.ones(2)]), TypeError,
     "grads must be a dict of arrays, got list"),
    ("clip_gradients", "empty", lambda: cr.clip_gradients({}), ValueError,
     r"grads must be a non-empty dict of arrays, got \{\}"),
    ("adagrad_update", "type", lambda: cr.adagrad_update(_P, [1], _memory()), TypeError,
     r"grads must be a dict with the keys of params: \['W_xh', .*\], got list"),
    ("adagrad_update", "type",
     lambda: cr.adagrad_update(_P, _P, {k: v.tolist() for k, v in _P.items()}), TypeError,
     r"memory\['W_xh'\] must be a float NumPy array \(updated in place\), got list"),
    ("adagrad_update", "shape", lambda: cr.adagrad_update(_P, {**_P, "b_h": np.zeros(4)}, _memory()),
     ValueError, r"grads\['b_h'\] and memory\['b_h'\] must have shape \(3,\)"),
    ("adagrad_update", "empty", lambda: cr.adagrad_update({}, {}, {}), TypeError,
     r"params must be a non-empty dict of float NumPy arrays \(updated in place\), got \{\}"),
    ("update", "type", lambda: cr.update("p", _P, _memory()), TypeError,
     "params must be a non-empty dict of float NumPy arrays .*, got str"),
    ("update", "shape", lambda: cr.update(_P, {**_P, "b_h": np.zeros(4)}, _memory()), ValueError,
     r"grads\['b_h'\] and memory\['b_h'\] must have shape \(3,\)"),
    ("update", "empty", lambda: cr.update(_P, {}, _memory()), ValueError,
     r"grads must be a non-empty dict of arrays, got \{\}"),
    ("sample", "type", lambda: cr.sample(_P, _H0, 0, 5, 0), TypeError,
     r"rng must be a numpy.random.Generator \(np.random.default_rng\(seed\)\), got int"),
    ("sample", "shape", lambda: cr.sample(_P, np.zeros(4), 0, 5, np.random.default_rng(0)),
     ValueError, r"h must have shape \(3\), got \(4,\)"),
    ("sample", "empty", lambda: cr.sample(_P, np.zeros(0), 0, 5, np.random.default_rng(0)),
     ValueError, r"h must have shape \(3\), got \(0,\)"),
    ("batch_forward", "type", lambda: cr.batch_forward(_P, "ab", np.zeros((1, 3))), TypeError,
     "inputs must be a NumPy array, got str"),
    ("batch_forward", "shape", lambda: cr.batch_forward(_P, np.zeros(3, int), np.zeros((1, 3))),
     ValueError, r"inputs must have 2 dimensions, got shape \(3,\)"),
    ("batch_forward", "empty", lambda: cr.batch_forward(_P, np.zeros((2, 0), int), np.zeros((2, 3))),
     ValueError, r"inputs is empty \(shape \(2, 0\)\)"),
    ("batch_loss_and_grads", "type",
     lambda: cr.batch_loss_and_grads(_P, np.zeros((2, 3)), np.zeros((2, 3), int), np.zeros((2, 3))),
     TypeError, "inputs must hold integers, got dtype float64"),
    ("batch_loss_and_grads", "shape",
     lambda: cr.batch_loss_and_grads(_P, np.zeros((2, 3), int), np.zeros((2, 4), int),
                                     np.zeros((2, 3))),
     ValueError, r"targets must have the shape of inputs \(2, 3\), got \(2, 4\)"),
    ("batch_loss_and_grads", "empty",
     lambda: cr.batch_loss_and_grads(_P, np.zeros((2, 0), int), np.zeros((2, 0), int),
                                     np.zeros((2, 3))),
     ValueError, r"inputs is empty \(shape \(2, 0\)\)"),
    ("bits_per_char", "type", lambda: cr.bits_per_char(_P, "abc"), TypeError,
     "ids must be a NumPy array, got str"),
    ("bits_per_char", "shape", lambda: cr.bits_per_char(_P, np.zeros((2, 200), int)), ValueError,
     r"ids must have 1 dimension, got shape \(2, 200\)"),
    ("bits_per_char", "empty", lambda: cr.bits_per_char(_P, np.zeros(0, int)), ValueError,
     r"ids is empty \(shape \(0,\)\)"),
    ("bits_per_char", "value", lambda: cr.bits_per_char(_model(), np.full(200, 9)), ValueError,
     "ids must hold character ids from 0 to 3, got values from 9 to 9"),
    ("bits_per_char", "value", lambda: cr.bits_per_char(_P, np.full(200, -1)), ValueError,
     "ids must hold character ids from 0 to 3, got values from -1 to -1"),
    ("load_params", "type", lambda: cr.load_params("m", _P), TypeError,
     "model must be an nn.Module, got str"),
    ("load_params", "shape", lambda: cr.load_params(_model(), cr.init_params(5, 3)), ValueError,
     r"model.rnn.weight_ih_l0 has shape \(3, 4\), but params need \(3, 5\) \(V = 5, H = 3\)"),
    ("load_params", "empty", lambda: cr.load_params(_model(), {}), ValueError,
     r"params is missing \['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y'\]"),
    ("params_from_model", "type", lambda: cr.params_from_model("m"), TypeError,
     "model must be an nn.Module, got str"),
    ("params_from_model", "shape", lambda: cr.params_from_model(torch.nn.Linear(2, 2)), ValueError,
     r"model must hold its recurrent layer as `model.rnn` \(an nn.RNN\) and its head as "
     r"`model.head` \(an nn.Linear\)"),
    ("hidden_states", "type", lambda: cr.hidden_states(_model(), "ab"), TypeError,
     "ids must be a NumPy array, got str"),
    ("hidden_states", "shape", lambda: cr.hidden_states(_model(), np.zeros((2, 2), int)),
     ValueError, r"ids must have 1 dimension, got shape \(2, 2\)"),
    ("hidden_states", "empty", lambda: cr.hidden_states(_model(), np.zeros(0, int)), ValueError,
     r"ids is empty \(shape \(0,\)\)"),
    ("hidden_states", "value", lambda: cr.hidden_states(_model(), np.full(3, 9)), ValueError,
     "ids must hold character ids from 0 to 3, got values from 9 to 9"),
    ("chunk_loss", "type", lambda: cr.chunk_loss([1], _ids_t(2, 3)), TypeError,
     r"logits must be a \(B, T, K\) float tensor, got list"),
    ("chunk_loss", "type", lambda: cr.chunk_loss(torch.zeros(2, 3, 4), torch.zeros(2, 3)),
     TypeError, r"targets must be an int64 tensor of shape \(2, 3\), got dtype torch.float32"),
    ("chunk_loss", "shape", lambda: cr.chunk_loss(torch.zeros(2, 3, 4), _ids_t(2, 4)), ValueError,
     r"targets must be a tensor of shape \(2, 3\), got \(2, 4\)"),
    ("chunk_loss", "empty", lambda: cr.chunk_loss(torch.zeros(0, 3, 4), _ids_t(0, 3)), ValueError,
     r"logits must be a non-empty \(B, T, K\) float tensor, got shape \(0, 3, 4\)"),
    ("chunk_loss", "value", lambda: cr.chunk_loss(torch.zeros(2, 3, 4), _ids_t(2, 3) + 7),
     ValueError, "targets must hold character ids from 0 to 3, got values from 7 to 7"),
    ("train_tbptt", "type", lambda: cr.train_tbptt("m", [(_ids_t(2, 3), _ids_t(2, 3))], _sgd()),
     TypeError, "model must be an nn.Module, got str"),
    ("train_tbptt", "type", lambda: cr.train_tbptt(_model(), [(_ids_t(2, 3),) * 2], "sgd"),
     TypeError, "optimizer must be a torch.optim.Optimizer, got str"),
    ("train_tbptt", "type",
     lambda: cr.train_tbptt(_model(), [(torch.zeros(2, 3), _ids_t(2, 3))], _sgd()), TypeError,
     r"chunk 0 must be a pair \(x, y\) of int64 tensors \(B, k\), got tuple of "
     r"\['dtype torch.float32', 'dtype torch.int64'\]"),
    ("train_tbptt", "shape", lambda: cr.train_tbptt(_model(), [(_ids_t(2, 3), _ids_t(2, 4))], _sgd()),
     ValueError, r"chunk 0 must be a pair \(x, y\) of non-empty \(B, k\) id tensors of one shape, "
     r"got shapes \(2, 3\) and \(2, 4\)"),
    ("train_tbptt", "empty", lambda: cr.train_tbptt(_model(), [], _sgd()), ValueError,
     r"chunks must yield at least one \(x, y\) pair, got none"),
    ("sampling_widget", "type", lambda: cr.sampling_widget(5), TypeError,
     r"generate must be a function \(seed_text, temperature, seed\) -> str, got int"),
    ("sampling_widget", "type", lambda: cr.sampling_widget(lambda *a: "x", seed_text=5), TypeError,
     "seed_text must be a str, got int"),
    ("sampling_widget", "value", lambda: cr.sampling_widget(lambda *a: "x", temperature=9),
     ValueError, "temperature must be a number from 0.05 to 3.0, got 9.0"),
]
# A model has no emptiness: params_from_model reads one. sampling_widget takes a function, a
# text and a number, no array; an empty seed text is answered inside the widget, in red
# ("type at least one character"), because the student can empty the box at any time.
NOT_APPLICABLE = {("clip_gradients", "shape"), ("params_from_model", "empty"),
                  ("sampling_widget", "shape"), ("sampling_widget", "empty")}
# clip_gradients clips each array whatever its shape: there is no shape to get wrong.


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(cr, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
