import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from course_utils import gradients as gr  # noqa: E402
from tests._bad_input import ids, untried  # noqa: E402
from tests._figures import axes_width_share, overlapping_labels, renderer  # noqa: E402


def test_gradient_check_accepts_right_and_rejects_wrong():
    params = {"w": np.array([1.0, -2.0, 0.5])}
    loss = lambda: float((params["w"] ** 3).sum())  # noqa: E731
    right = gr.gradient_check(loss, params, {"w": 3 * params["w"] ** 2}, samples=None)
    wrong = gr.gradient_check(loss, params, {"w": 2 * params["w"]}, samples=2)
    assert right["w"] < 1e-8 < 0.1 < wrong["w"]
    assert params["w"].tolist() == [1.0, -2.0, 0.5]          # restored


@pytest.mark.parametrize("kwargs, error, word", [
    ({"loss": 3}, TypeError, "loss must be a function"),
    ({"eps": 0}, ValueError, "eps must be a positive number, got 0.0"),
    ({"samples": 0}, ValueError, "samples must be an integer >= 1"),
    ({"grads": {}}, TypeError, "grads must be a non-empty dict"),
    ({"grads": {"v": np.zeros(3)}}, ValueError, "grads has no entry for parameter 'w'"),
    ({"params": {"w": np.zeros(3, int)}, "grads": {"w": np.zeros(3)}}, TypeError,
     r"params\['w'\] must be a float NumPy array"),
    ({"grads": {"w": np.zeros(2)}}, ValueError, r"grads\['w'\] has shape \(2,\), expected")])
def test_gradient_check_bad_arguments(kwargs, error, word):
    args = {"loss": lambda: 0.0, "params": {"w": np.zeros(3)}, "grads": {"w": np.zeros(3)},
            **kwargs}
    with pytest.raises(error, match=word):
        gr.gradient_check(**args)


def test_relative_error_is_notations():
    """||a - b|| / max(||a||, ||b||), one number for the whole array, 0 when both are 0."""
    assert gr.relative_error(np.ones(2), np.ones(2)) == 0
    assert gr.relative_error(np.zeros(3), np.zeros(3)) == 0
    assert np.isclose(gr.relative_error([1.0], [3.0]), 2 / 3)
    assert np.isclose(gr.relative_error([3.0, 4.0], [0.0, 0.0]), 1.0)
    # not the largest elementwise error: a tiny entry that is wrong barely counts
    assert gr.relative_error([100.0, 1e-9], [100.0, 2e-9]) < 1e-10
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        gr.relative_error(np.ones(2), np.ones(3))
    with pytest.raises(TypeError, match="a must be a NumPy array"):
        gr.relative_error("x", np.ones(1))


def test_spectral_radius_and_errors():
    W = gr.matrix_with_spectral_radius(20, 1.3, seed=1)
    assert np.isclose(np.abs(np.linalg.eigvals(W)).max(), 1.3)
    assert np.linalg.norm(W, 2) > 1.3                  # s_max >= rho, here well above
    with pytest.raises(ValueError, match="radius"):
        gr.matrix_with_spectral_radius(3, -1)
    with pytest.raises(ValueError, match="size"):
        gr.matrix_with_spectral_radius(0, 1)
    with pytest.raises(TypeError, match="size must be an integer"):
        gr.matrix_with_spectral_radius(2.0, 1)


def test_gradient_norms_follow_the_spectral_radius():
    small = gr.gradient_norms(0.5, steps=50, activation="linear")
    big = gr.gradient_norms(1.5, steps=50, activation="linear")
    assert small[0] == pytest.approx(1) and small[-1] < 1e-8 and big[-1] > 1e5
    slope = np.polyfit(np.arange(20, 50), np.log(big[20:]), 1)[0]
    assert slope == pytest.approx(np.log(1.5), rel=0.1)
    assert gr.gradient_norms(1.5, steps=50)[-1] < big[-1]  # tanh' < 1 shrinks it
    with pytest.raises(ValueError, match="activation must be one of 'tanh', 'linear'"):
        gr.gradient_norms(1.0, activation="relu")
    with pytest.raises(ValueError, match="steps"):
        gr.gradient_norms(1.0, steps=0)
    with pytest.raises(ValueError, match="input_scale"):
        gr.gradient_norms(1.0, input_scale=-1)
    with pytest.raises(TypeError, match="radius must be a number"):
        gr.gradient_norms("1")
    with pytest.raises(TypeError, match="hidden_size"):
        gr.gradient_norms(1.0, hidden_size=None)


def test_mean_slope_measures_saturation():
    """The tanh panel vanishes because inputs N(0, 1) saturate the units: tanh' well below 1;
    with no input the state stays at 0, where tanh' = 1."""
    saturated = gr.mean_slope(1.5, input_scale=1.0)
    assert saturated < 0.7
    assert gr.mean_slope(1.5, input_scale=0.0) == 1.0
    assert gr.gradient_norms(1.5, input_scale=0.0)[-1] == pytest.approx(
        gr.gradient_norms(1.5, activation="linear", input_scale=0.0)[-1])


def test_plots_and_widget():
    ax = gr.plot_gradient_norms({0.9: gr.gradient_norms(0.9, steps=10),
                                 1.5: gr.gradient_norms(1.5, steps=10)}, hidden_size=64)
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("ρ = 0.9, s_max = ")
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()   # a cue besides colour
    with pytest.raises(ValueError, match="norms"):
        gr.plot_gradient_norms({})
    assert gr.plot_unrolled_bptt(3) is not None
    with pytest.raises(ValueError, match="steps must be an integer from 2 to 6"):
        gr.plot_unrolled_bptt(9)
    texts = " ".join(t.get_text() for t in gr.plot_unrolled_bptt(3).axes[0].texts)
    assert r"\boldsymbol{\ell}" in texts and "o_{" not in texts and r"\mathcal{L}" in texts
    widget = gr.gradient_norm_widget(radius=0.8, steps=20, hidden_size=8)
    radius_slider = widget.children[0].children[0]
    radius_slider.value = 2.0                               # redraws without error
    assert len(widget.children) == 3
    with pytest.raises(ValueError, match="radius"):
        gr.gradient_norm_widget(radius=5)


def test_bptt_memory_counts_each_saved_storage_once():
    """One state per step, B x H float32 numbers: the same h saved for W_hh and for tanh',
    W_hh saved at every step and slices of one input are not counted again."""
    full = gr.measure_bptt_cost([10, 40], hidden_size=16, batch_size=4, repeats=1)
    per_step = (full["saved_mb"][1] - full["saved_mb"][0]) * 2**20 / 30
    assert per_step == pytest.approx(4 * 16 * 4, rel=0.01)


def test_bptt_cost_grows_linearly_and_truncation_bounds_memory():
    full = gr.measure_bptt_cost([10, 40], hidden_size=16, batch_size=4, repeats=1)
    cut = gr.measure_bptt_cost([10, 40], hidden_size=16, batch_size=4, truncation=10, repeats=1)
    assert full["saved_mb"][1] == pytest.approx(41 / 11 * full["saved_mb"][0])  # T + 1 states
    assert cut["saved_mb"][1] == pytest.approx(cut["saved_mb"][0])
    assert (full["seconds"] > 0).all()
    assert gr.plot_bptt_cost(full, cut, 10) is not None
    with pytest.raises(ValueError, match="lengths"):
        gr.measure_bptt_cost([])
    with pytest.raises(ValueError, match="truncation"):
        gr.measure_bptt_cost([5], truncation=0)
    with pytest.raises(ValueError, match="repeats"):
        gr.measure_bptt_cost([5], repeats=0)
    with pytest.raises(TypeError, match=r"lengths\[1\] must be an integer"):
        gr.measure_bptt_cost([5, 2.5])
    with pytest.raises(ValueError, match="lengths must be a non-empty list"):
        gr.measure_bptt_cost("abc")
    with pytest.raises(ValueError, match="batch_size"):
        gr.measure_bptt_cost([5], batch_size=0)


def test_clipping_run_bounds_and_plot():
    ids = np.random.default_rng(0).integers(0, 5, 400)
    run = gr.clipping_run(ids, 5, max_norm=0.5, steps=3, hidden_size=8, seq_len=10,
                          batch_size=2)
    assert run["loss"].shape == run["grad_norm"].shape == (3,)
    assert gr.plot_clipping({"a": run}) is not None
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        gr.clipping_run(ids, 5, max_norm=-1)
    with pytest.raises(ValueError, match="ids has 5 elements"):
        gr.clipping_run(ids[:5], 5)
    with pytest.raises(ValueError, match="vocab_size must be an integer >= 5"):
        gr.clipping_run(ids, 3)
    with pytest.raises(TypeError, match="ids must hold integers"):
        gr.clipping_run(ids.astype(float), 5)
    with pytest.raises(ValueError, match="runs"):
        gr.plot_clipping({})


def test_clipping_legend_stays_clear_of_the_panel_titles():
    """Lecture 02 draws it at 12 x 3.8 in: the legend sat beside the right panel's title."""
    steps = np.arange(150)
    runs = {"no clipping": {"loss": 4 - np.log1p(steps) / 3, "grad_norm": 1 + np.exp(-steps / 9)},
            "clip norm to 1": {"loss": 4 - np.log1p(steps) / 2, "grad_norm": 1 + steps / 50}}
    fig = gr.plot_clipping(runs, figsize=(12, 3.8))
    r = renderer(fig)
    [legend] = fig.legends
    box = legend.get_window_extent(r)
    for ax in fig.axes:
        title, frame = ax.title.get_window_extent(r), ax.get_window_extent(r)
        assert box.y0 >= title.y1 or box.y1 <= frame.y0, \
            f"the legend shares a row with the title {ax.get_title()!r}"
        assert not box.overlaps(frame), "the legend covers a panel"
    assert overlapping_labels(fig) == []
    assert axes_width_share(fig) >= 0.9


def test_activation_html_colours_and_escapes():
    out = gr.activation_html("a<\n", [1.0, -1.0, 0.0], title="unit 3")
    # +1 orange with black text, -1 blue with white text, 0 white (tests/test_style.py checks
    # the contrast of every shade)
    assert "background:#e69f00;color:#000000" in out and "background:#0072b2;color:#ffffff" in out
    assert "background:#ffffff;color:#000000" in out
    assert "&lt;" in out and "↵" in out and "<br>" in out and "unit 3" in out
    with pytest.raises(ValueError, match="one value per character"):
        gr.activation_html("ab", [0.1])
    with pytest.raises(TypeError, match="text"):
        gr.activation_html(5, [0.1])
    with pytest.raises(ValueError, match="limit"):
        gr.activation_html("a", [0.1], limit=0)
    with pytest.raises(TypeError, match="activations must hold numbers"):
        gr.activation_html("a", ["x"])


def test_text_feature_and_unit_correlations():
    assert gr.text_feature("ab c").tolist() == [1, 2, 0, 1]
    assert gr.text_feature('a"bc"d', "inside quotes").tolist() == [0, 1, 1, 1, 0, 0]
    assert gr.text_feature("abcdef", cap=3).max() == 3
    states = np.c_[np.arange(5.0), -np.arange(5.0), np.ones(5)]
    assert np.allclose(gr.unit_correlations(states, np.arange(5.0)), [1, -1, 0])
    with pytest.raises(ValueError, match="name must be one of"):
        gr.text_feature("ab", "capitals")
    with pytest.raises(ValueError, match="text must be a non-empty str"):
        gr.text_feature("")
    with pytest.raises(ValueError, match=r"feature must have shape \(5\)"):
        gr.unit_correlations(states, np.arange(4.0))
    with pytest.raises(ValueError, match="states must have 2 dimensions"):
        gr.unit_correlations(np.zeros(5), np.zeros(5))


def test_first_input_memory_and_plot():
    import torch

    from course_utils import char_rnn as cr

    torch.manual_seed(0)
    model = cr.CharRNN(5, 8)
    ids = np.random.default_rng(0).integers(0, 5, 3000)
    run = gr.first_input_memory(model, ids[:2000], ids[2000:], length=12, n_fit=300, n_test=100)
    assert run["change"].shape == run["readout"].shape == run["control"].shape == (12,)
    assert run["readout"][0] > 0.9 > run["control"][0]      # h_1 has just read x_1
    assert run["change"][-1] < run["change"][0]              # an untrained, contracting RNN
    fig = gr.plot_first_input_memory({"untrained": run})
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    with pytest.raises(ValueError, match="fit_ids has 5 characters"):
        gr.first_input_memory(model, ids[:5], ids, length=12)
    with pytest.raises(ValueError, match="model must hold its recurrent layer"):
        gr.first_input_memory(torch.nn.Linear(2, 2), ids, ids)
    with pytest.raises(ValueError, match="runs must be a non-empty dict"):
        gr.plot_first_input_memory({})


def test_jacobian_product_order_and_the_rho_counterexample():
    """dh_T/dh_t = J_T J_{T-1} ... J_{t+1} (lecture 02), checked with autograd; the reversed
    product differs. And a tanh RNN with rho(W_hh) < 1 whose Jacobian product grows."""
    import torch

    rng = np.random.default_rng(0)
    H, steps = 4, 3
    W = torch.tensor(rng.standard_normal((H, H)))
    xs = torch.tensor(rng.standard_normal((steps, H)))

    def run(h):
        for x in xs:
            h = torch.tanh(W @ h + x)
        return h

    h0 = torch.tensor(rng.standard_normal(H))
    autograd = torch.autograd.functional.jacobian(run, h0).numpy()
    h, jacobians = h0, []
    for x in xs:
        h = torch.tanh(W @ h + x)
        jacobians.append(np.diag(1 - h.numpy() ** 2) @ W.numpy())   # J_s, s = 1 ... T
    in_order = jacobians[2] @ jacobians[1] @ jacobians[0]
    reversed_order = jacobians[0] @ jacobians[1] @ jacobians[2]
    assert np.allclose(autograd, in_order) and not np.allclose(autograd, reversed_order)

    W_hh = np.array([[1.8, 2.7], [-1.8, -2.25]])                     # the lecture's example
    J = np.diag(1 - np.tanh([0.0, 7.75]) ** 2) @ W_hh
    assert max(abs(np.linalg.eigvals(W_hh))) < 1 < np.linalg.norm(W_hh, 2)
    assert np.linalg.norm(np.linalg.matrix_power(J, 40), 2) > 1e9
    assert np.linalg.norm(np.linalg.matrix_power(W_hh, 40), 2) < 0.1


# --- bad input (issue 16): wrong types, wrong shapes, empty input --------------------------------
def _untrained_char_rnn():
    from course_utils import char_rnn as cr
    return cr.CharRNN(5, 8)


_IDS = np.zeros(200, dtype=int)
_BPTT = {"lengths": np.array([10, 20]), "seconds": np.ones(2), "saved_mb": np.ones(2)}
BAD_INPUT = [
    ("relative_error", "type", lambda: gr.relative_error("a", np.ones(2)), TypeError,
     "a must be a NumPy array, got str"),
    ("relative_error", "shape", lambda: gr.relative_error(np.ones(2), np.ones(3)), ValueError,
     r"a and b must have the same shape, got \(2,\) and \(3,\)"),
    ("gradient_check", "type", lambda: gr.gradient_check(3, {"w": np.zeros(3)}, {"w": np.zeros(3)}),
     TypeError, "loss must be a function of no arguments, got int"),
    ("gradient_check", "shape",
     lambda: gr.gradient_check(lambda: 0.0, {"w": np.zeros(3)}, {"w": np.zeros(2)}), ValueError,
     r"grads\['w'\] has shape \(2,\), expected \(3,\)"),
    ("gradient_check", "empty", lambda: gr.gradient_check(lambda: 0.0, {}, {"w": np.zeros(3)}),
     TypeError, r"params must be a non-empty dict of arrays, got \{\}"),
    ("matrix_with_spectral_radius", "type", lambda: gr.matrix_with_spectral_radius("4", 1.0),
     TypeError, "size must be an integer >= 1, got str '4'"),
    ("matrix_with_spectral_radius", "empty", lambda: gr.matrix_with_spectral_radius(0, 1.0),
     ValueError, "size must be an integer >= 1, got 0"),
    ("matrix_with_spectral_radius", "value", lambda: gr.matrix_with_spectral_radius(4, -1.0),
     ValueError, r"radius must be a number >= 0.0, got -1.0"),
    ("gradient_norms", "type", lambda: gr.gradient_norms("1"), TypeError,
     "radius must be a number, got str '1'"),
    ("gradient_norms", "shape", lambda: gr.gradient_norms(1.0, hidden_size=0), ValueError,
     "hidden_size must be an integer >= 1, got 0"),
    ("gradient_norms", "empty", lambda: gr.gradient_norms(1.0, steps=0), ValueError,
     "steps must be an integer >= 1, got 0"),
    ("gradient_norms", "value", lambda: gr.gradient_norms(1.0, activation="relu"), ValueError,
     "activation must be one of 'tanh', 'linear', got 'relu'"),
    ("mean_slope", "type", lambda: gr.mean_slope(1.0, input_scale="big"), TypeError,
     "input_scale must be a number, got str 'big'"),
    ("mean_slope", "shape", lambda: gr.mean_slope(1.0, hidden_size=0), ValueError,
     "hidden_size must be an integer >= 1, got 0"),
    ("mean_slope", "empty", lambda: gr.mean_slope(1.0, steps=0), ValueError,
     "steps must be an integer >= 1, got 0"),
    ("plot_gradient_norms", "type", lambda: gr.plot_gradient_norms([1.0, 2.0]), TypeError,
     r"norms must be a non-empty dict \{spectral radius: array of norms\}, got list"),
    ("plot_gradient_norms", "type", lambda: gr.plot_gradient_norms({"big": np.ones(3)}), TypeError,
     r"the keys of norms \(spectral radii\) must be a number, got str 'big'"),
    ("plot_gradient_norms", "shape", lambda: gr.plot_gradient_norms({1.0: np.ones((2, 3))}),
     ValueError, r"norms\[1.0\] must have 1 dimension, got shape \(2, 3\)"),
    ("plot_gradient_norms", "empty", lambda: gr.plot_gradient_norms({}), ValueError,
     "norms must be a non-empty dict"),
    ("plot_gradient_norms", "empty", lambda: gr.plot_gradient_norms({1.0: np.array([])}),
     ValueError, r"norms\[1.0\] is empty"),
    ("gradient_norm_widget", "type", lambda: gr.gradient_norm_widget("1"), TypeError,
     "radius must be a number, got str '1'"),
    ("gradient_norm_widget", "shape", lambda: gr.gradient_norm_widget(hidden_size=0), ValueError,
     "hidden_size must be an integer >= 1, got 0"),
    ("gradient_norm_widget", "empty", lambda: gr.gradient_norm_widget(steps=0), ValueError,
     "steps must be an integer >= 2, got 0"),
    ("plot_unrolled_bptt", "type", lambda: gr.plot_unrolled_bptt("4"), TypeError,
     "steps must be an integer from 2 to 6, got str '4'"),
    ("plot_unrolled_bptt", "shape", lambda: gr.plot_unrolled_bptt(9), ValueError,
     "steps must be an integer from 2 to 6, got 9"),
    ("plot_unrolled_bptt", "empty", lambda: gr.plot_unrolled_bptt(0), ValueError,
     "steps must be an integer from 2 to 6, got 0"),
    ("measure_bptt_cost", "type", lambda: gr.measure_bptt_cost(5), ValueError,
     "lengths must be a non-empty list of positive integers, got 5"),
    ("measure_bptt_cost", "type", lambda: gr.measure_bptt_cost([2], seed="a"), TypeError,
     "seed must be an integer >= 0, got str 'a'"),
    ("measure_bptt_cost", "shape", lambda: gr.measure_bptt_cost([[1, 2]]), TypeError,
     r"lengths\[0\] must be an integer >= 1, got list"),
    ("measure_bptt_cost", "empty", lambda: gr.measure_bptt_cost([]), ValueError,
     r"lengths must be a non-empty list of positive integers, got \[\]"),
    ("plot_bptt_cost", "type", lambda: gr.plot_bptt_cost(5), TypeError,
     "full must be a measure_bptt_cost result, a dict with keys 'lengths', 'seconds', "
     "'saved_mb', got int"),
    ("plot_bptt_cost", "type", lambda: gr.plot_bptt_cost(_BPTT, _BPTT, "ten"), TypeError,
     "truncation must be an integer >= 1, got str 'ten'"),
    ("plot_bptt_cost", "shape", lambda: gr.plot_bptt_cost({**_BPTT, "seconds": np.ones(3)}),
     ValueError, r"full must hold arrays of one length .*, got lengths \[2, 3, 2\]"),
    ("plot_bptt_cost", "empty", lambda: gr.plot_bptt_cost({}), TypeError,
     r"full must be a measure_bptt_cost result, .* got \[\]"),
    ("clipping_run", "type", lambda: gr.clipping_run("abc", 3), TypeError,
     "ids must be a NumPy array, got str"),
    ("clipping_run", "type", lambda: gr.clipping_run(np.zeros(200), 3), TypeError,
     "ids must hold integers, got dtype float64"),
    ("clipping_run", "type", lambda: gr.clipping_run(_IDS, 3, seed="a"), TypeError,
     "seed must be an integer >= 0, got str 'a'"),
    ("clipping_run", "shape", lambda: gr.clipping_run(np.zeros((3, 200), int), 3), ValueError,
     r"ids must have 1 dimension, got shape \(3, 200\)"),
    ("clipping_run", "empty", lambda: gr.clipping_run(np.array([], int), 3), ValueError,
     r"ids is empty \(shape \(0,\)\)"),
    ("plot_clipping", "type", lambda: gr.plot_clipping([1]), TypeError,
     r"runs must be a non-empty dict \{label: clipping_run result\}, got list"),
    ("plot_clipping", "shape", lambda: gr.plot_clipping({"a": {"loss": np.ones(3)}}), TypeError,
     r"runs\['a'\] must be a clipping_run result, a dict with keys 'loss', 'grad_norm', "
     r"got \['loss'\]"),
    ("plot_clipping", "empty", lambda: gr.plot_clipping({}), ValueError,
     r"runs must be a non-empty dict \{label: clipping_run result\}, got \{\}"),
    ("first_input_memory", "type", lambda: gr.first_input_memory("m", _IDS, _IDS), TypeError,
     "model must be an nn.Module, got str"),
    ("first_input_memory", "shape",
     lambda: gr.first_input_memory(_untrained_char_rnn(), _IDS.reshape(2, 100), _IDS), ValueError,
     r"fit_ids must have 1 dimension, got shape \(2, 100\)"),
    ("first_input_memory", "empty",
     lambda: gr.first_input_memory(_untrained_char_rnn(), _IDS[:0], _IDS), ValueError,
     r"fit_ids is empty"),
    ("first_input_memory", "value",
     lambda: gr.first_input_memory(_untrained_char_rnn(), _IDS + 9, _IDS, length=5), ValueError,
     r"fit_ids must hold character ids from 0 to 4 \(the model's vocabulary\), got 9 ... 9"),
    ("plot_first_input_memory", "type", lambda: gr.plot_first_input_memory([1]), TypeError,
     r"runs must be a non-empty dict \{label: first_input_memory result\}, got list"),
    ("plot_first_input_memory", "shape",
     lambda: gr.plot_first_input_memory({"a": {"T": [1, 2], "change": [1.0], "readout": [1.0],
                                               "control": [1.0]}}), ValueError,
     r"runs\['a'\] must hold arrays of one length .*, got lengths \[2, 1, 1, 1\]"),
    ("plot_first_input_memory", "empty", lambda: gr.plot_first_input_memory({}), ValueError,
     r"runs must be a non-empty dict \{label: first_input_memory result\}, got \{\}"),
    ("text_feature", "type", lambda: gr.text_feature(5), TypeError,
     "text must be a non-empty str, got int"),
    ("text_feature", "empty", lambda: gr.text_feature(""), ValueError,
     "text must be a non-empty str, got ''"),
    ("text_feature", "value", lambda: gr.text_feature("ab", "capitals"), ValueError,
     "name must be one of 'word position', 'inside quotes', got 'capitals'"),
    ("unit_correlations", "type", lambda: gr.unit_correlations("s", np.ones(3)), TypeError,
     "states must be a NumPy array, got str"),
    ("unit_correlations", "shape", lambda: gr.unit_correlations(np.ones((3, 2)), np.ones(4)),
     ValueError, r"feature must have shape \(3\), got \(4,\)"),
    ("unit_correlations", "empty", lambda: gr.unit_correlations(np.ones((0, 2)), np.ones(0)),
     ValueError, r"states is empty \(shape \(0, 2\)\)"),
    ("activation_html", "type", lambda: gr.activation_html(5, [1.0]), TypeError,
     "text must be a non-empty str, got int"),
    ("activation_html", "shape", lambda: gr.activation_html("ab", [1.0]), ValueError,
     r"activations must have one value per character: shape \(2,\), got \(1,\)"),
    ("activation_html", "empty", lambda: gr.activation_html("", []), ValueError,
     "text must be a non-empty str, got ''"),
]
# Two empty arrays agree exactly: their relative error is 0 by definition (NOTATION.md), as
# gradient_check needs for a parameter with no entries. A spectral radius is one number and a
# text one string: matrix_with_spectral_radius and text_feature have no shape to get wrong.
NOT_APPLICABLE = {("relative_error", "empty"), ("matrix_with_spectral_radius", "shape"),
                  ("text_feature", "shape")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(gr, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
