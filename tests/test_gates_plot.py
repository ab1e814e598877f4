import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils import gates_plot as gp  # noqa: E402


@pytest.mark.parametrize("draw", [gp.draw_lstm_cell, lambda: gp.draw_lstm_cell(peepholes=True),
                                  gp.draw_gru_cell])
def test_diagrams_fit_a_slide(draw):
    fig = draw()
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4.2
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "$" in texts and fig.axes[0].get_title()
    plt.close(fig)


def test_lstm_diagram_names_all_four_layers_and_gru_its_three():
    lstm = " ".join(t.get_text() for t in gp.draw_lstm_cell().axes[0].texts)
    gru = " ".join(t.get_text() for t in gp.draw_gru_cell().axes[0].texts)
    assert all(w in lstm for w in ("forget", "input", "main", "output"))
    assert all(w in gru for w in ("update", "reset", "candidate"))
    plt.close("all")


def test_gradient_plot_puts_the_last_step_at_distance_zero():
    fig = gp.plot_gradient_by_distance({"GRU": torch.tensor([1e-3, 1e-2, 1.0])})
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [2, 1, 0] and fig.axes[0].get_yscale() == "log"
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    plt.close(fig)


def test_learning_curves_with_baseline():
    fig = gp.plot_learning_curves({"LSTM": [0.2, 0.1], "GRU": [0.2, 0.01]}, baseline=1 / 6)
    assert len(fig.axes[0].lines) == 3 and "0.167" in fig.axes[0].get_legend().texts[-1].get_text()
    plt.close(fig)


@pytest.mark.parametrize("call, error, match", [
    (lambda: gp.plot_gradient_by_distance({}), TypeError, "non-empty mapping"),
    (lambda: gp.plot_gradient_by_distance({"a": [1.0]}), ValueError, "at least 2 values"),
    (lambda: gp.plot_learning_curves([0.1]), TypeError, "non-empty mapping"),
    (lambda: gp.plot_learning_curves({"a": []}), ValueError, "is empty"),
    (lambda: gp.memory_trace(1.2, 0.1, 1.0), ValueError, r"forget must be a gate value in \[0, 1\]"),
    (lambda: gp.memory_trace(0.9, -0.1, 1.0), ValueError, "write must be"),
    (lambda: gp.memory_trace(0.9, 0.1, 1.0, steps=1), ValueError, "steps must be"),
    (lambda: gp.memory_trace(0.9, 0.1, 1.0, steps=5, store_at=5), ValueError, "store_at"),
    (lambda: gp.gate_memory_widget(steps=3), ValueError, "steps must be an integer in"),
])
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_memory_trace_keeps_f_to_the_k():
    trace = gp.memory_trace(1.0, 0.0, 1.0, steps=20, store_at=3)
    assert np.allclose(trace["c"][3:], 1.0) and np.allclose(trace["kept"][3:], 1.0)
    trace = gp.memory_trace(0.5, 0.0, 0.5, steps=10, store_at=0)
    assert np.allclose(trace["c"], 0.5 ** np.arange(10))
    assert np.allclose(trace["h"], 0.5 * np.tanh(trace["c"]))
    assert np.allclose(gp.memory_trace(0.0, 0.0, 1.0)["c"][4:], 0.0)


def test_widget_builds_and_redraws():
    import ipywidgets

    box = gp.gate_memory_widget(steps=30)
    assert isinstance(box, ipywidgets.VBox)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["forget gate f", "input gate i (others)",
                                                "output gate o"]
    sliders[0].value = 0.99     # triggers a redraw without error
    assert box.children[1].outputs or True
    plt.close("all")
