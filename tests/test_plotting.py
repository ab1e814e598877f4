import matplotlib

matplotlib.use("Agg")

from functools import lru_cache  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import plotting, style  # noqa: E402
from course_utils.ecg import generate_ecg  # noqa: E402
from tests._bad_input import ids, untried  # noqa: E402
from tests._figures import axes_width_share, labels_outside_axes, overlapping_labels  # noqa: E402


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
        assert w <= style.MAX_FIGSIZE[0] and h <= style.MAX_FIGSIZE[1], f"{name} is {w}x{h} inches"
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


@pytest.mark.parametrize("start, stop", [(0, 3), (0.3, 2.2), (1.1, 1.5)])
def test_ecg_alt_text_counts_only_the_waves_in_the_window(records, start, stop):
    """A beat's T wave (or P wave) can fall outside the window: the alt text counts what is drawn."""
    fig = plotting.plot_ecg(records["slow"], start, stop)
    drawn = [t.get_text() for t in fig.axes[0].texts]
    for wave in "PQRST":
        assert f"{drawn.count(wave)} {wave}" in style.alt_text(fig), (wave, style.alt_text(fig))
    assert "each beat's" not in style.alt_text(fig)


def test_ecg_measures_no_beat_unless_asked_and_refuses_one_out_of_view(records):
    fig = plotting.plot_ecg(records["slow"], 2, 4)
    assert not any("measured" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match=r"measure_beat=0 has its QRS at 0\.4.*outside the view"):
        plotting.plot_ecg(records["slow"], 2, 4, measure_beat=0)


@pytest.fixture(scope="module")
def lecture01():
    """Lecture 01's two records (its cells 'slow = generate_ecg(...)' and 'wide = ...')."""
    kw = dict(heart_rate=60, sampling_rate=500, hr_variability=0.02, baseline_wander=0.05,
              noise=0.015, seed=1)
    return generate_ecg(10, qrs_duration=0.08, **kw), generate_ecg(10, qrs_duration=0.14, **kw)


@pytest.mark.parametrize("figsize", [(11, 3.8), style.SLIDE_FIGSIZE])
def test_sequential_reader_labels_overlap_neither_each_other_nor_leave_the_axes(lecture01, figsize):
    """Lecture 01 draws it at 11 x 3.8 in: the label of step 3 was written over step 2's."""
    fig = plotting.plot_sequential_reader(lecture01[0], beat=1, figsize=figsize)
    assert overlapping_labels(fig) == []
    assert labels_outside_axes(fig.axes[0]) == []


@pytest.mark.parametrize("figsize", [(10, 3.6), style.SLIDE_FIGSIZE])
def test_qrs_comparison_fills_its_figure_and_keeps_its_labels_inside(lecture01, figsize):
    """Lecture 01 draws it at 10 x 3.6 in: the labels ran past the axes, which kept only the
    left half of the figure."""
    fig = plotting.plot_qrs_comparison(*lecture01, beat=1, figsize=figsize)
    assert axes_width_share(fig) >= 0.8
    assert labels_outside_axes(fig.axes[0]) == []
    assert overlapping_labels(fig) == []
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for width in ("0.077 s", "0.143 s"):       # the widths the reader measures, still written
        assert width in texts and width in style.alt_text(fig)


def test_autoregressive_weights_follow_notation_intercept_first():
    """NOTATION.md: x_hat_t = w_0 + w_1 x_{t-1} + w_2 x_{t-2}; w_0 is the intercept."""
    x = np.arange(10.0) ** 2
    fig = plotting.plot_autoregressive(x, [0.5, 1.0, -2.0])
    pred = next(line for line in fig.axes[0].lines if line.get_linestyle() == "--")
    np.testing.assert_allclose(pred.get_ydata(), 0.5 + x[1:-1] - 2.0 * x[:-2])
    assert "0.50 + 1.00 x_(t-1) − 2.00 x_(t-2)" in style.alt_text(fig)


def test_window_sliding_reports_success_slow_and_failure_fast(records):
    fig = plotting.plot_window_sliding(records["slow"], records["fast"], 1.0, seconds=4)
    slow_title, fast_title = (ax.get_title() for ax in fig.axes)
    assert slow_title.startswith("60 bpm: the window measures 4 of 4 beats right")
    right, of = (int(v) for v in fast_title.split("measures ")[1].split(" beats")[0].split(" of "))
    assert right < of / 2


# ------------------------------------------------------------------ bad input, named
@lru_cache(maxsize=None)
def _ecg(heart_rate=60, qrs=0.08):
    return generate_ecg(6, heart_rate, qrs, sampling_rate=500, hr_variability=0.02, noise=0.015, seed=1)


SLOW = lambda: _ecg()                                                     # noqa: E731
FAST = lambda: _ecg(150)                                                  # noqa: E731
RECORD = r"must be an ECGRecord \(from course_utils.ecg.generate_ecg\), got"
FIGSIZE = r"figsize must be a pair of numbers \(inches\), got"
FITS = r"figsize must fit a slide: at most \(12.0, 5.6\) inches"

# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("plot_order_matters", "type", lambda: plotting.plot_order_matters(seed="0"), TypeError,
     "seed must be a non-negative integer, got str"),
    ("plot_order_matters", "shape", lambda: plotting.plot_order_matters(figsize=(11, 3, 1)), TypeError, FIGSIZE),
    ("plot_order_matters", "empty", lambda: plotting.plot_order_matters(figsize=()), TypeError, FIGSIZE),
    ("plot_order_matters", "value", lambda: plotting.plot_order_matters(seed=-1), ValueError,
     "seed must be a non-negative integer, got -1"),
    ("plot_iid_vs_sequence", "type", lambda: plotting.plot_iid_vs_sequence(n=2.5), TypeError,
     "n must be an integer, got float 2.5"),
    ("plot_iid_vs_sequence", "shape", lambda: plotting.plot_iid_vs_sequence(figsize=(16, 9)), ValueError, FITS),
    ("plot_iid_vs_sequence", "empty", lambda: plotting.plot_iid_vs_sequence(n=0), ValueError,
     "n must be positive, got 0"),
    ("plot_iid_vs_sequence", "value", lambda: plotting.plot_iid_vs_sequence(n=5), ValueError,
     "n must be at least 10 points, got 5"),
    ("plot_ecg", "type", lambda: plotting.plot_ecg(SLOW().signal), TypeError, "record " + RECORD + " ndarray"),
    ("plot_ecg", "type", lambda: plotting.plot_ecg(SLOW(), ax="left"), TypeError,
     "ax must be a matplotlib Axes or None, got str"),
    ("plot_ecg", "type", lambda: plotting.plot_ecg(SLOW(), measure_beat=1.0), TypeError,
     r"measure_beat must be a beat index \(an integer\) or None, got float"),
    ("plot_ecg", "shape", lambda: plotting.plot_ecg(SLOW(), figsize=(16, 9)), ValueError, FITS),
    ("plot_ecg", "empty", lambda: plotting.plot_ecg(SLOW(), 2, 2), ValueError,
     r"start and stop must satisfy 0 <= start < stop <= 6 s \(the record's length\), got start=2, stop=2"),
    ("plot_ecg", "value", lambda: plotting.plot_ecg(SLOW(), measure_beat=99), ValueError,
     r"measure_beat must be between 0 and 5 \(the record has 6 labelled beats\), got 99"),
    ("plot_qrs_comparison", "type", lambda: plotting.plot_qrs_comparison(None, SLOW()), TypeError,
     "normal " + RECORD + " NoneType"),
    ("plot_qrs_comparison", "type", lambda: plotting.plot_qrs_comparison(SLOW(), SLOW(), beat="0"),
     TypeError, r"beat must be a beat index \(an integer\), got str"),
    ("plot_qrs_comparison", "shape", lambda: plotting.plot_qrs_comparison(SLOW(), SLOW(), figsize=(5,)),
     TypeError, FIGSIZE),
    ("plot_qrs_comparison", "empty", lambda: plotting.plot_qrs_comparison(SLOW(), SLOW(), figsize=[]),
     TypeError, FIGSIZE),
    ("plot_qrs_comparison", "value", lambda: plotting.plot_qrs_comparison(SLOW(), SLOW(), beat=50),
     ValueError, "beat must be between 0 and 5 for the normal record"),
    ("plot_window_sliding", "type", lambda: plotting.plot_window_sliding(SLOW(), "fast"), TypeError,
     "fast " + RECORD + " str"),
    ("plot_window_sliding", "type", lambda: plotting.plot_window_sliding(SLOW(), FAST(), window="1"),
     TypeError, "window must be a number, got str"),
    ("plot_window_sliding", "shape", lambda: plotting.plot_window_sliding(SLOW(), FAST(), figsize=(11, 9)),
     ValueError, FITS),
    ("plot_window_sliding", "empty", lambda: plotting.plot_window_sliding(SLOW(), FAST(), seconds=0),
     ValueError, "seconds must be positive, got 0"),
    ("plot_window_sliding", "value", lambda: plotting.plot_window_sliding(SLOW(), FAST(), window=-1),
     ValueError, "window must be positive, got -1"),
    ("plot_sequential_reader", "type", lambda: plotting.plot_sequential_reader(SLOW(), beat=None),
     TypeError, r"beat must be a beat index \(an integer\), got NoneType"),
    ("plot_sequential_reader", "shape", lambda: plotting.plot_sequential_reader(SLOW(), figsize=(1, 2, 3)),
     TypeError, FIGSIZE),
    ("plot_sequential_reader", "empty", lambda: plotting.plot_sequential_reader([]), TypeError,
     "record " + RECORD + " list"),
    ("plot_sequential_reader", "value", lambda: plotting.plot_sequential_reader(SLOW(), beat=-1),
     ValueError, "beat must be between 0 and 5"),
    ("plot_autoregressive", "type", lambda: plotting.plot_autoregressive("series", [1, 2, 3]), TypeError,
     "series must be a float array of any shape, got str"),
    ("plot_autoregressive", "shape", lambda: plotting.plot_autoregressive(np.arange(10.0), [1, 2]),
     ValueError, r"weights must be \(w_0, w_1, w_2\), three numbers \(intercept first\), got shape \(2,\)"),
    ("plot_autoregressive", "shape", lambda: plotting.plot_autoregressive(np.ones((5, 2)), [1, 2, 3]),
     ValueError, r"series must be 1-D with at least 5 values, got shape \(5, 2\)"),
    ("plot_autoregressive", "empty", lambda: plotting.plot_autoregressive([], [1, 2, 3]), ValueError,
     r"series must be 1-D with at least 5 values, got shape \(0,\)"),
    ("plot_autoregressive", "value", lambda: plotting.plot_autoregressive(np.arange(10.0), [1, 2, 3], t_mark=1),
     ValueError, "t_mark must be between 2 and 9, got 1"),
    ("plot_io_patterns", "type", lambda: plotting.plot_io_patterns(figsize="big"), TypeError, FIGSIZE),
    ("plot_io_patterns", "shape", lambda: plotting.plot_io_patterns(figsize=(20, 4)), ValueError,
     r"figsize must fit a slide: at most \(12.0, 5.6\) inches"),
    ("plot_io_patterns", "empty", lambda: plotting.plot_io_patterns(figsize=()), TypeError, FIGSIZE),
    ("plot_rnn_rolled_unrolled", "type", lambda: plotting.plot_rnn_rolled_unrolled(n_steps=2.5), TypeError,
     "n_steps must be an integer, got float 2.5"),
    ("plot_rnn_rolled_unrolled", "shape", lambda: plotting.plot_rnn_rolled_unrolled(n_steps=9), ValueError,
     "n_steps must be at most 6 to fit a slide, got 9"),
    ("plot_rnn_rolled_unrolled", "empty", lambda: plotting.plot_rnn_rolled_unrolled(n_steps=0), ValueError,
     "n_steps must be positive, got 0"),
    ("plot_minibatch_shapes", "type", lambda: plotting.plot_minibatch_shapes(input_size="3"), TypeError,
     "input_size must be an integer, got str"),
    ("plot_minibatch_shapes", "shape", lambda: plotting.plot_minibatch_shapes(hidden_size=9), ValueError,
     "hidden_size must be at most 8 to draw, got 9"),
    ("plot_minibatch_shapes", "empty", lambda: plotting.plot_minibatch_shapes(batch_size=0), ValueError,
     "batch_size must be positive, got 0"),
    ("plot_window_detector_frame", "type", lambda: plotting.plot_window_detector_frame(SLOW(), "0.4"),
     TypeError, "window must be a number, got str"),
    ("plot_window_detector_frame", "shape", lambda: plotting.plot_window_detector_frame(SLOW(), 0.4, figsize=(13, 3)),
     ValueError, FITS),
    ("plot_window_detector_frame", "empty", lambda: plotting.plot_window_detector_frame(SLOW(), 0.4, seconds=0),
     ValueError, "seconds must be positive, got 0"),
    ("plot_window_detector_frame", "value", lambda: plotting.plot_window_detector_frame(None, 0.4),
     TypeError, "record " + RECORD + " NoneType"),
    ("plot_unrolled_state", "type", lambda: plotting.plot_unrolled_state("abc", np.zeros((3, 2)), 1),
     TypeError, r"inputs must be a float array of shape \(T,\), got str"),
    ("plot_unrolled_state", "type", lambda: plotting.plot_unrolled_state([1, 0], np.zeros((2, 2)), 1.0),
     TypeError, "step must be an integer from 1 to 2, got float"),
    ("plot_unrolled_state", "shape", lambda: plotting.plot_unrolled_state([1, 2], np.zeros((3, 3)), 1),
     ValueError, r"inputs must be \(T,\) and states \(T, n_hidden\) with the same T, got \(2,\) and \(3, 3\)"),
    ("plot_unrolled_state", "shape", lambda: plotting.plot_unrolled_state([1, 2], np.zeros(2), 1),
     ValueError, r"states must be a float array of shape \(T, n_hidden\) \(2 dimensions\), got shape \(2,\)"),
    ("plot_unrolled_state", "empty", lambda: plotting.plot_unrolled_state([], np.zeros((0, 2)), 1),
     ValueError, r"inputs must not be empty: expected a float array of shape \(T,\)"),
    ("plot_unrolled_state", "value", lambda: plotting.plot_unrolled_state([1, 2], np.zeros((2, 3)), 3),
     ValueError, "step must be between 1 and 2, got 3"),
]
NOT_APPLICABLE: set = set()


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(plotting, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
