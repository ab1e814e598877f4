"""The capstone's data, per-beat decisions, metrics and figure."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_utils import capstone
from course_utils.capstone import (FAST_RATES, abnormal_beat_metrics, cut_windows, make_records,
                                   plot_decisions, step_beat_predictions, step_targets,
                                   window_beat_predictions, window_labels)
from course_utils.ecg import generate_ecg


@pytest.fixture(scope="module")
def records():
    return make_records(3, seed=5)


def test_make_records_is_seeded_and_in_band(records):
    again = make_records(3, seed=5)
    assert all(np.array_equal(a.signal, b.signal) for a, b in zip(records, again))
    assert all(60 <= r.heart_rate <= 100 for r in records)
    fast = make_records(4, FAST_RATES, seed=1)
    assert all(130 <= r.heart_rate <= 150 for r in fast)
    assert {len(r.signal) for r in fast} == {1125}
    assert any(r.beat_class.any() for r in fast) and any((r.beat_class == 0).any() for r in fast)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=0), ValueError, "n must be a positive integer"),
    (dict(n=2.5), TypeError, "n must be an integer"),
    (dict(n=2, heart_rates=(100, 60)), ValueError, "heart_rates must satisfy"),
    (dict(n=2, heart_rates=60), TypeError, "heart_rates must be a pair"),
    (dict(n=2, seed=-1), ValueError, "seed must be a non-negative integer"),
])
def test_make_records_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        make_records(**kwargs)


def test_cut_windows_is_consecutive_and_drops_the_partial_window():
    w = cut_windows(torch.arange(11.0), 3)
    assert w.shape == (3, 3) and w[1].tolist() == [3.0, 4.0, 5.0]
    with pytest.raises(TypeError, match="signal must be a torch.Tensor"):
        cut_windows(np.arange(5.0), 2)
    with pytest.raises(ValueError, match=r"signal must be 1-D"):
        cut_windows(torch.zeros(2, 5), 2)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        cut_windows(torch.zeros(5), 0)


def test_window_labels_follow_the_r_peaks():
    rec = generate_ecg(6, 60, 0.08, 125, wide_fraction=0.5, wide_qrs_duration=0.14, seed=3)
    labels = window_labels(rec, 125)                      # one window per second = per beat
    assert labels.shape == (6,)
    for r, cls in zip(rec.waves["R"], rec.beat_class):
        assert labels[r // 125] == cls
    assert set(labels.tolist()) <= {-1, 0, 1}
    with pytest.raises(TypeError, match="record must be an ECGRecord"):
        window_labels(rec.signal, 125)


def test_window_beat_predictions_take_the_window_of_the_r_peak(records):
    rec = records[0]
    width = 75
    truth = window_labels(rec, width).clamp(min=0)
    predicted = window_beat_predictions(truth, rec, width)    # a window is widened if any beat is
    assert predicted.shape == (rec.n_beats,) and np.all(predicted >= rec.beat_class)
    ones = torch.ones(len(rec.signal) // width, dtype=torch.long)
    assert window_beat_predictions(ones, rec, width).tolist() == [1] * rec.n_beats
    with pytest.raises(ValueError, match="one class per window"):
        window_beat_predictions(ones[:2], rec, width)


def test_step_targets_align_with_the_signal(records):
    x, y = step_targets(records)
    assert x.shape == y.shape == (3, 1125) and x.dtype == torch.float32
    assert np.array_equal(y[1].numpy(), records[1].sample_labels())
    assert torch.equal(x[2], torch.tensor(records[2].signal, dtype=torch.float32))
    with pytest.raises(ValueError, match="at least one"):
        step_targets([])
    with pytest.raises(ValueError, match="equal lengths"):
        step_targets([records[0], generate_ecg(4, 60, 0.08, 125)])


def test_step_beat_predictions_read_perfect_labels(records):
    rec = records[0]
    probs = torch.nn.functional.one_hot(torch.tensor(rec.sample_labels()), 3).float()
    assert np.array_equal(step_beat_predictions(probs, rec), rec.beat_class)
    with pytest.raises(ValueError, match="step_probs must have shape"):
        step_beat_predictions(probs[:, :2], rec)


def test_abnormal_beat_metrics_counts_widened_beats_as_positives():
    m = abnormal_beat_metrics([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 1, 1])
    assert m == pytest.approx({"accuracy": 0.7, "sensitivity": 0.75, "specificity": 4 / 6})
    assert np.isnan(abnormal_beat_metrics([0, 0], [0, 1])["sensitivity"])
    with pytest.raises(ValueError, match="same length"):
        abnormal_beat_metrics([0, 1], [0])
    with pytest.raises(ValueError, match="at least one beat"):
        abnormal_beat_metrics([], [])
    with pytest.raises(ValueError, match="y_pred must hold classes 0"):
        abnormal_beat_metrics([0, 1], [0, 2])


def test_plot_decisions_draws_and_validates(records):
    rec = records[0]
    windows = torch.zeros(len(rec.signal) // 75, dtype=torch.long)
    steps = torch.tensor(rec.sample_labels())
    fig = plot_decisions(rec, windows, steps, 75)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() == "time (s)" and "mV" in ax.get_ylabel()
    assert "true widened QRS" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="one class per sample"):
        plot_decisions(rec, windows, steps[:-1], 75)
    with pytest.raises(ValueError, match="one class per full window"):
        plot_decisions(rec, windows[:-1], steps, 75)
    with pytest.raises(ValueError, match="figsize must fit a slide"):
        plot_decisions(rec, windows, steps, 75, figsize=(20, 5))


def test_rate_bands_are_disjoint():
    assert capstone.SLOW_RATES[1] < capstone.TRAIN_RATES[0] < capstone.TRAIN_RATES[1] < FAST_RATES[0]


def test_reference_tagger_labels_every_step():
    model = capstone.GRUTagger(4)
    assert model(torch.zeros(2, 7)).shape == (2, 7, 3)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        capstone.GRUTagger(0)
