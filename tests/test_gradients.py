import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from course_utils import gradients as gr  # noqa: E402


def test_gradient_check_accepts_right_and_rejects_wrong():
    params = {"w": np.array([1.0, -2.0, 0.5])}
    loss = lambda: float((params["w"] ** 3).sum())  # noqa: E731
    right = gr.gradient_check(loss, params, {"w": 3 * params["w"] ** 2}, samples=None)
    wrong = gr.gradient_check(loss, params, {"w": 2 * params["w"]}, samples=2)
    assert right["w"] < 1e-8 < 0.1 < wrong["w"]
    assert params["w"].tolist() == [1.0, -2.0, 0.5]          # restored


@pytest.mark.parametrize("kwargs, error, word", [
    ({"loss": 3}, TypeError, "loss"), ({"eps": 0}, ValueError, "eps"),
    ({"samples": 0}, ValueError, "samples"), ({"grads": {}}, ValueError, "grads"),
    ({"grads": {"w": np.zeros(2)}}, ValueError, "shape")])
def test_gradient_check_bad_arguments(kwargs, error, word):
    args = {"loss": lambda: 0.0, "params": {"w": np.zeros(3)}, "grads": {"w": np.zeros(3)},
            **kwargs}
    with pytest.raises(error, match=word):
        gr.gradient_check(**args)


def test_relative_error():
    assert gr.relative_error(np.ones(2), np.ones(2)) == 0
    assert np.isclose(gr.relative_error([1.0], [3.0]), 0.5)
    with pytest.raises(ValueError, match="shape"):
        gr.relative_error(np.ones(2), np.ones(3))


def test_spectral_radius_and_errors():
    W = gr.matrix_with_spectral_radius(20, 1.3, seed=1)
    assert np.isclose(np.abs(np.linalg.eigvals(W)).max(), 1.3)
    with pytest.raises(ValueError, match="radius"):
        gr.matrix_with_spectral_radius(3, -1)
    with pytest.raises(ValueError, match="size"):
        gr.matrix_with_spectral_radius(0, 1)


def test_gradient_norms_follow_the_spectral_radius():
    small = gr.gradient_norms(0.5, steps=50, activation="linear")
    big = gr.gradient_norms(1.5, steps=50, activation="linear")
    assert small[0] == pytest.approx(1) and small[-1] < 1e-8 and big[-1] > 1e5
    slope = np.polyfit(np.arange(20, 50), np.log(big[20:]), 1)[0]
    assert slope == pytest.approx(np.log(1.5), rel=0.1)
    assert gr.gradient_norms(1.5, steps=50)[-1] < big[-1]  # tanh' < 1 shrinks it
    with pytest.raises(ValueError, match="activation"):
        gr.gradient_norms(1.0, activation="relu")
    with pytest.raises(ValueError, match="steps"):
        gr.gradient_norms(1.0, steps=0)


def test_plots_and_widget():
    ax = gr.plot_gradient_norms({0.9: gr.gradient_norms(0.9, steps=10)})
    assert ax.get_yscale() == "log" and ax.get_xlabel()
    with pytest.raises(ValueError, match="norms"):
        gr.plot_gradient_norms({})
    assert gr.plot_unrolled_bptt(3) is not None
    with pytest.raises(ValueError, match="steps"):
        gr.plot_unrolled_bptt(9)
    widget = gr.gradient_norm_widget(radius=0.8, steps=20, hidden_size=8)
    radius_slider = widget.children[0].children[0]
    radius_slider.value = 2.0                               # redraws without error
    assert len(widget.children) == 3
    with pytest.raises(ValueError, match="radius"):
        gr.gradient_norm_widget(radius=5)


def test_bptt_cost_grows_linearly_and_truncation_bounds_memory():
    full = gr.measure_bptt_cost([10, 40], hidden_size=16, batch_size=4, repeats=1)
    cut = gr.measure_bptt_cost([10, 40], hidden_size=16, batch_size=4, truncation=10, repeats=1)
    assert full["saved_mb"][1] == pytest.approx(4 * full["saved_mb"][0], rel=0.05)
    assert cut["saved_mb"][1] == pytest.approx(cut["saved_mb"][0])
    assert (full["seconds"] > 0).all()
    assert gr.plot_bptt_cost(full, cut, 10) is not None
    with pytest.raises(ValueError, match="lengths"):
        gr.measure_bptt_cost([])
    with pytest.raises(ValueError, match="truncation"):
        gr.measure_bptt_cost([5], truncation=0)
    with pytest.raises(ValueError, match="repeats"):
        gr.measure_bptt_cost([5], repeats=0)


def test_clipping_run_bounds_and_plot():
    ids = np.random.default_rng(0).integers(0, 5, 400)
    run = gr.clipping_run(ids, 5, clip_norm=0.5, steps=3, hidden_size=8, seq_len=10,
                          batch_size=2)
    assert run["loss"].shape == run["grad_norm"].shape == (3,)
    assert gr.plot_clipping({"a": run}) is not None
    with pytest.raises(ValueError, match="clip_norm"):
        gr.clipping_run(ids, 5, clip_norm=-1)
    with pytest.raises(ValueError, match="ids"):
        gr.clipping_run(ids[:5], 5)
    with pytest.raises(ValueError, match="runs"):
        gr.plot_clipping({})


def test_activation_html_colours_and_escapes():
    out = gr.activation_html("a<\n", [1.0, -1.0, 0.0], title="unit 3")
    assert "rgb(255,0,0)" in out and "rgb(0,0,255)" in out and "rgb(255,255,255)" in out
    assert "&lt;" in out and "↵" in out and "<br>" in out and "unit 3" in out
    with pytest.raises(ValueError, match="one value per character"):
        gr.activation_html("ab", [0.1])
    with pytest.raises(TypeError, match="text"):
        gr.activation_html(5, [0.1])
    with pytest.raises(ValueError, match="limit"):
        gr.activation_html("a", [0.1], limit=0)
