import numpy as np
import pytest

from course_utils import char_rnn as cr
from course_utils.gradients import gradient_check


def _case(T=8, K=6, H=5, seed=0):
    rng = np.random.default_rng(seed)
    params = cr.init_params(K, H, scale=0.5, seed=seed)
    params["bh"], params["by"] = rng.standard_normal(H), rng.standard_normal(K)
    return params, rng.integers(0, K, T).tolist(), rng.integers(0, K, T).tolist(), \
        np.tanh(rng.standard_normal(H))


def test_init_params_shapes_follow_pytorch():
    p = cr.init_params(7, 4)
    assert {k: v.shape for k, v in p.items()} == {"Wxh": (4, 7), "Whh": (4, 4), "Why": (7, 4),
                                                   "bh": (4,), "by": (7,)}
    assert not p["bh"].any() and np.isclose(p["Wxh"].std(), 0.01, rtol=0.5)


@pytest.mark.parametrize("kwargs, word", [({"vocab_size": 0}, "vocab_size"),
                                          ({"hidden_size": -1}, "hidden_size"),
                                          ({"scale": 0.0}, "scale"), ({"seed": 1.5}, "seed")])
def test_init_params_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        cr.init_params(**{"vocab_size": 5, **kwargs})


def test_one_hot_and_softmax():
    assert cr.one_hot(2, 4).tolist() == [0, 0, 1, 0]
    with pytest.raises(ValueError, match="index"):
        cr.one_hot(4, 4)
    with pytest.raises(ValueError, match="size"):
        cr.one_hot(0, 0)
    p = cr.softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3)]]))
    assert np.allclose(p, [[0.5, 0.5], [0.25, 0.75]])


def test_backward_matches_central_differences_and_by_learns():
    params, x, y, h0 = _case()
    loss, grads, h_last = cr.loss_and_grads(params, x, y, h0)
    errors = gradient_check(lambda: cr.rnn_forward(params, x, y, h0)[0], params, grads,
                            samples=None)
    assert max(errors.values()) < 1e-6
    assert np.abs(grads["by"]).sum() > 0          # the seed's bug: dby stayed zero
    assert h_last.shape == (5,)


def test_forward_bad_arguments():
    params, x, y, h0 = _case()
    with pytest.raises(ValueError, match="equally long"):
        cr.rnn_forward(params, x, y[:-1], h0)
    with pytest.raises(ValueError, match="h_prev"):
        cr.rnn_forward(params, x, y, np.zeros(3))
    with pytest.raises(ValueError, match="missing"):
        cr.rnn_forward({"Wxh": params["Wxh"]}, x, y, h0)


def test_batch_equals_mean_of_single_sequences():
    params, *_ = _case()
    rng = np.random.default_rng(1)
    X, Y, H0 = rng.integers(0, 6, (3, 8)), rng.integers(0, 6, (3, 8)), rng.random((3, 5))
    loss, grads, h_last = cr.batch_loss_and_grads(params, X, Y, H0)
    singles = [cr.loss_and_grads(params, X[b].tolist(), Y[b].tolist(), H0[b]) for b in range(3)]
    assert np.isclose(loss, np.mean([s[0] for s in singles]))
    for k in cr.PARAM_NAMES:
        assert np.allclose(grads[k], np.mean([s[1][k] for s in singles], axis=0))
    assert np.allclose(h_last, [s[2] for s in singles])


def test_clip_and_adagrad():
    g = {"w": np.array([-9.0, 0.5, 7.0])}
    assert cr.clip_gradients(g)["w"].tolist() == [-5.0, 0.5, 5.0] and g["w"][0] == -9.0
    params, memory = {"w": np.zeros(3)}, {"w": np.ones(3)}
    cr.adagrad_update(params, {"w": np.array([1.0, -2.0, 0.0])}, memory, lr=0.1)
    assert np.allclose(memory["w"], [2, 5, 1])
    assert np.allclose(params["w"], [-0.1 / np.sqrt(2), 0.2 / np.sqrt(5), 0])
    with pytest.raises(ValueError, match="limit"):
        cr.clip_gradients(g, 0)
    with pytest.raises(ValueError, match="lr"):
        cr.adagrad_update(params, g, memory, lr=-1)


def test_sample_draws_and_applies_temperature():
    K = 4
    params = {"Wxh": np.zeros((2, K)), "Whh": np.zeros((2, 2)), "bh": np.zeros(2),
              "Why": np.zeros((K, 2)), "by": np.array([1.0, 0.0, 0.0, 0.0])}
    cold = cr.sample(params, np.zeros(2), 0, 2000, 0.25, np.random.default_rng(0))
    hot = cr.sample(params, np.zeros(2), 0, 2000, 4.0, np.random.default_rng(0))
    assert len(set(hot)) == K                       # samples, not argmax
    assert cold.count(0) > 1700 > hot.count(0)
    with pytest.raises(ValueError, match="temperature"):
        cr.sample(params, np.zeros(2), 0, 3, 0.0)
    with pytest.raises(ValueError, match="n must"):
        cr.sample(params, np.zeros(2), 0, -1)


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
    with pytest.raises(ValueError, match="ids"):
        cr.bits_per_char(params, ids[:5], streams=4)


def test_sampling_widget_first_frame_and_errors():
    w = cr.sampling_widget(lambda s, t, seed: s + "xyz", seed_text="ab")
    assert "xyz" in w.children[1].value
    slider, box, button = w.children[0].children
    box.value = "q"
    assert "<b>q</b>xyz" in w.children[1].value
    bad = cr.sampling_widget(lambda s, t, seed: (_ for _ in ()).throw(ValueError("unknown 'é'")))
    assert "unknown" in bad.children[1].value
    with pytest.raises(TypeError, match="generate"):
        cr.sampling_widget("not a function")
    with pytest.raises(ValueError, match="temperature"):
        cr.sampling_widget(lambda *a: "", temperature=9)
