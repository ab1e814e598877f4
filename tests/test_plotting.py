import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import plotting  # noqa: E402
from course_utils.ecg import generate_ecg  # noqa: E402


@pytest.fixture(scope="module")
def records():
    kw = dict(sampling_rate=500, hr_variability=0.02, noise=0.015, seed=1)
    return {"slow": generate_ecg(6, 60, 0.08, **kw), "fast": generate_ecg(6, 150, 0.08, **kw),
            "wide": generate_ecg(6, 60, 0.14, **kw)}


def _all_figures(records):
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=30))
    return {
        "order_matters": plotting.plot_order_matters(),
        "iid_vs_sequence": plotting.plot_iid_vs_sequence(),
        "ecg": plotting.plot_ecg(records["slow"], 0, 3, measure_beat=1),
        "qrs_comparison": plotting.plot_qrs_comparison(records["slow"], records["wide"]),
        "window_sliding": plotting.plot_window_sliding(records["slow"], records["fast"], 1.0),
        "sequential_reader": plotting.plot_sequential_reader(records["slow"], 1),
        "autoregressive": plotting.plot_autoregressive(x, [0.9, 0.05, 0.1]),
        "io_patterns": plotting.plot_io_patterns(),
        "rnn_rolled_unrolled": plotting.plot_rnn_rolled_unrolled(),
        "minibatch_shapes": plotting.plot_minibatch_shapes(),
        "window_frame": plotting.plot_window_detector_frame(records["fast"], 0.4),
        "unrolled_state": plotting.plot_unrolled_state([1, 0, -1], np.zeros((3, 2)), 2),
    }


def test_every_public_plot_function_is_covered(records):
    public = {n for n in dir(plotting) if n.startswith("plot_")}
    assert len(public) == len(_all_figures(records))


def test_every_figure_has_a_title_labelled_axes_and_fits_a_slide(records):
    for name, fig in _all_figures(records).items():
        assert isinstance(fig, Figure), name
        w, h = fig.get_size_inches()
        assert w <= 11 and h <= 4.2, f"{name} is {w}x{h} inches"
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        assert any(t.strip() for t in titles), f"{name} has no title"
        for ax in fig.axes:
            if not ax.axison or ax.images:
                continue           # a diagram or a picture: no data axes to label
            assert ax.get_ylabel(), f"{name}: an axes has no y label"
            shares_x = ax.get_shared_x_axes().get_siblings(ax)
            assert any(a.get_xlabel() for a in shares_x), f"{name}: an axes has no x label"
        fig.canvas.draw()          # renders without errors (mathtext included)


def test_ecg_figure_states_the_measured_qrs(records):
    fig = plotting.plot_ecg(records["slow"], 0, 3, measure_beat=1)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("QRS = 0.08") and "measured" in t for t in texts)
    for wave in "PQRST":
        assert wave in texts


@pytest.mark.parametrize("beat, start, stop", [(1, 0, 3), (0, 0, 1.4), (4, 3.2, 4.7)])
def test_ecg_measurement_label_stays_inside_the_axes(records, beat, start, stop):
    """Near either edge of the view, the "(measured)" label is drawn inside the axes."""
    fig = plotting.plot_ecg(records["slow"], start, stop, measure_beat=beat)
    fig.canvas.draw()
    box = fig.axes[0].get_window_extent()
    label = next(t for t in fig.axes[0].texts if "measured" in t.get_text())
    extent = label.get_window_extent()
    assert box.x0 <= extent.x0 and extent.x1 <= box.x1, (extent, box)


def test_ecg_measures_no_beat_unless_asked_and_refuses_one_out_of_view(records):
    fig = plotting.plot_ecg(records["slow"], 2, 4)
    assert not any("measured" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match=r"measure_beat=0 has its QRS at 0\.4.*outside the view"):
        plotting.plot_ecg(records["slow"], 2, 4, measure_beat=0)


def test_window_sliding_reports_success_slow_and_failure_fast(records):
    fig = plotting.plot_window_sliding(records["slow"], records["fast"], 1.0, seconds=4)
    slow_title, fast_title = (ax.get_title() for ax in fig.axes)
    assert slow_title.startswith("60 bpm: the window measures 4 of 4 beats right")
    right, of = (int(v) for v in fast_title.split("measures ")[1].split(" beats")[0].split(" of "))
    assert right < of / 2


def test_plot_functions_reject_bad_arguments(records):
    slow = records["slow"]
    with pytest.raises(TypeError, match="record"):
        plotting.plot_ecg(slow.signal)
    with pytest.raises(ValueError, match="start and stop"):
        plotting.plot_ecg(slow, 3, 2)
    with pytest.raises(ValueError, match="measure_beat"):
        plotting.plot_ecg(slow, measure_beat=99)
    with pytest.raises(ValueError, match="figsize"):
        plotting.plot_ecg(slow, figsize=(16, 9))
    with pytest.raises(TypeError, match="figsize"):
        plotting.plot_io_patterns(figsize="big")
    with pytest.raises(TypeError, match="slow"):
        plotting.plot_window_sliding(None, records["fast"])
    with pytest.raises(ValueError, match="window"):
        plotting.plot_window_sliding(slow, records["fast"], window=-1)
    with pytest.raises(ValueError, match="beat"):
        plotting.plot_sequential_reader(slow, beat=-1)
    with pytest.raises(ValueError, match="beat"):
        plotting.plot_qrs_comparison(slow, records["wide"], beat=50)
    with pytest.raises(ValueError, match="weights"):
        plotting.plot_autoregressive(np.arange(10.0), [1, 2])
    with pytest.raises(ValueError, match="series"):
        plotting.plot_autoregressive(np.arange(3.0), [1, 2, 3])
    with pytest.raises(ValueError, match="n_steps"):
        plotting.plot_rnn_rolled_unrolled(n_steps=9)
    with pytest.raises(TypeError, match="n_steps"):
        plotting.plot_rnn_rolled_unrolled(n_steps=2.5)
    with pytest.raises(ValueError, match="hidden_size"):
        plotting.plot_minibatch_shapes(hidden_size=0)
    with pytest.raises(ValueError, match="seed"):
        plotting.plot_order_matters(seed=-1)
    with pytest.raises(ValueError, match="n must be at least"):
        plotting.plot_iid_vs_sequence(n=5)
    with pytest.raises(ValueError, match="step"):
        plotting.plot_unrolled_state([1, 2], np.zeros((2, 3)), 3)
    with pytest.raises(ValueError, match="inputs must be"):
        plotting.plot_unrolled_state([1, 2], np.zeros((3, 3)), 1)
