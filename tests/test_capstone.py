"""The capstone's data, models, per-beat decisions (which read no label), metrics and figures."""
import dataclasses

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_utils import capstone
from course_utils.capstone import (BANDS, FAST_RATES, HALF_WIDTH, ConvTagger, GRUTagger,
                                   PooledWindowNet, WindowedTagger, WindowNet, abnormal_beat_metrics,
                                   balanced_accuracy, beat_scores, choose_threshold, cut_windows,
                                   dense_labels, make_records, plot_beat_decisions,
                                   plot_comparison, random_crops, random_rows, select_and_score,
                                   shares_window, step_targets, train, window_beat_scores,
                                   window_labels)
from course_utils.ecg import generate_ecg
from tests._bad_input import ids, untried


@pytest.fixture(scope="module")
def records():
    return make_records(3, seed=5)


# ----------------------------------------------------------------- records and labels
def test_make_records_is_seeded_and_in_band(records):
    again = make_records(3, seed=5)
    assert all(np.array_equal(a.signal, b.signal) for a, b in zip(records, again))
    assert all(60 <= r.heart_rate <= 100 for r in records)
    fast = make_records(4, FAST_RATES, seed=1)
    assert all(130 <= r.heart_rate <= 150 for r in fast)
    assert {len(r.signal) for r in fast} == {1125}
    assert any(r.beat_class.any() for r in fast) and any((r.beat_class == 0).any() for r in fast)
    pvc = make_records(2, wide_beats="pvc", seed=1)
    assert all(r.params["wide_beats"] == "pvc" for r in pvc)
    assert any((r.waves["P"] == -1).any() for r in pvc)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=0), ValueError, "n must be a positive integer"),
    (dict(n=2.5), TypeError, "n must be an integer"),
    (dict(n=2, heart_rates=(100, 60)), ValueError, "heart_rates must satisfy"),
    (dict(n=2, heart_rates=60), TypeError, "heart_rates must be a pair"),
    (dict(n=2, seed=-1), ValueError, "seed must be a non-negative integer"),
    (dict(n=2, wide_beats="bbb"), ValueError, "wide_beats must be one of"),
])
def test_make_records_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        make_records(**kwargs)


def test_rate_bands_are_disjoint_and_ordered():
    bands = list(BANDS.values())
    assert all(a[1] < b[0] for a, b in zip(bands, bands[1:]))
    assert capstone.TRAIN_RATES in bands and capstone.SLOW_RATES in bands and FAST_RATES in bands


def test_dense_labels_and_step_targets_align_with_the_signal(records):
    x, y = step_targets(records)
    assert x.shape == y.shape == (3, 1125) and x.dtype == torch.float32 and y.dtype == torch.long
    assert np.array_equal(y[1].numpy(), dense_labels(records[1]))
    assert torch.equal(x[2], torch.tensor(records[2].signal, dtype=torch.float32))
    with pytest.raises(TypeError, match="record must be an ECGRecord"):
        dense_labels(records[0].signal)


@pytest.mark.parametrize("bad, error, words", [
    ([], ValueError, "at least one ECGRecord"),
    ("records", TypeError, "records must be a list of ECGRecord"),
    ([np.zeros(5)], TypeError, r"records\[0\] must be an ECGRecord"),
])
def test_step_targets_rejects_bad_input(bad, error, words):
    with pytest.raises(error, match=words):
        step_targets(bad)


def test_step_targets_rejects_unequal_lengths(records):
    with pytest.raises(ValueError, match="equal lengths"):
        step_targets([records[0], generate_ecg(4, 60, 0.08, 125)])


# ----------------------------------------------------------------- fixed windows
def test_cut_windows_is_consecutive_and_drops_the_partial_window():
    w = cut_windows(torch.arange(11.0), 3)
    assert w.shape == (3, 3) and w[1].tolist() == [3.0, 4.0, 5.0]
    with pytest.raises(TypeError, match="signal must be a torch.Tensor"):
        cut_windows(np.arange(5.0), 2)
    with pytest.raises(ValueError, match=r"signal must be 1-D"):
        cut_windows(torch.zeros(2, 5), 2)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        cut_windows(torch.zeros(5), 0)
    assert cut_windows(torch.zeros(0), 3).shape == (0, 3)


def test_window_labels_follow_the_r_peaks():
    rec = generate_ecg(6, 60, 0.08, 125, wide_fraction=0.5, wide_qrs_duration=0.14, seed=3)
    labels = window_labels(rec, 125)                      # one window per second = per beat
    assert labels.shape == (6,) and labels.dtype == torch.long
    for r, cls in zip(rec.waves["R"], rec.beat_class):
        assert labels[r // 125] == cls
    assert set(labels.tolist()) <= {-1, 0, 1}
    slow = generate_ecg(6, 40, 0.08, 125, seed=3)
    assert (window_labels(slow, 50) == -1).any()        # windows between two beats
    with pytest.raises(TypeError, match="record must be an ECGRecord"):
        window_labels(rec.signal, 125)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        window_labels(rec, -3)


def test_a_window_with_a_normal_and_a_widened_beat_is_widened():
    rec = generate_ecg(4.5, 150, 0.08, 125, wide_fraction=0.4, wide_qrs_duration=0.14,
                       hr_variability=0.03, seed=5)
    labels = window_labels(rec, 75)
    window = rec.waves["R"] // 75
    mixed = [k for k in set(window.tolist()) if len(set(rec.beat_class[window == k])) == 2]
    assert mixed and all(labels[k] == 1 for k in mixed)


def test_window_beat_scores_take_the_window_of_the_r_peak(records):
    rec, width = records[0], 75
    n = len(rec.signal) // width
    scores = np.arange(n) / n
    got = window_beat_scores(scores, rec, width)
    assert got.shape == (rec.n_beats,)
    assert np.allclose(got, scores[np.minimum(rec.waves["R"] // width, n - 1)])
    assert np.allclose(window_beat_scores(torch.tensor(scores), rec, width), got)
    with pytest.raises(ValueError, match="one score per full window"):
        window_beat_scores(scores[:2], rec, width)
    with pytest.raises(ValueError, match="window_scores must be 1-D"):
        window_beat_scores(scores[None], rec, width)
    with pytest.raises(TypeError, match="window_scores must be an array"):
        window_beat_scores("0.5", rec, width)


def test_shares_window_marks_beats_with_company():
    r = np.array([10, 60, 80, 299, 300])
    assert shares_window(r, 75).tolist() == [True, True, False, False, False]
    assert shares_window(np.array([], dtype=int), 75).shape == (0,)
    with pytest.raises(ValueError, match="r_peaks must be 1-D"):
        shares_window(np.zeros((2, 2)), 75)
    with pytest.raises(ValueError, match="sample indices"):
        shares_window(np.array([-5, 3]), 75)
    with pytest.raises(TypeError, match="width must be an integer"):
        shares_window(r, 7.5)
    with pytest.raises(TypeError, match="r_peaks must hold numbers"):
        shares_window(["a"], 75)


# ----------------------------------------------------------------- models
def test_window_net_gives_two_logits_per_window():
    assert WindowNet(75)(torch.zeros(4, 75)).shape == (4, 2)
    with pytest.raises(ValueError, match="width must be at least 4"):
        WindowNet(3)
    with pytest.raises(TypeError, match="channels must be an integer"):
        WindowNet(75, channels=2.5)


def test_pooled_window_net_takes_the_maximum_over_the_window():
    torch.manual_seed(0)
    model = PooledWindowNet(8).eval()
    x = torch.randn(3, 75)
    with torch.no_grad():
        out = model(x)
        per_sample = model.tagger(x)
    assert out.shape == (3, 2) and model(torch.zeros(2, 40)).shape == (2, 2)
    assert torch.equal(out, per_sample.amax(dim=1))
    assert per_sample.shape == (3, 75, 2)
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())  # no weight per position


def _future_leak(model, T=60, s=30):
    x = torch.randn(2, T, generator=torch.Generator().manual_seed(0))
    x2 = x.clone()
    x2[:, s] += 3
    with torch.no_grad():
        changed = (model(x2) - model(x)).abs().amax(dim=(0, 2)) > 1e-6
    return changed


@pytest.mark.parametrize("model", [GRUTagger(4), ConvTagger(), ConvTagger(8, 3, (1, 1, 1))],
                         ids=["gru", "conv rf 29", "conv rf 7"])
def test_taggers_are_causal_and_label_every_step(model):
    assert model(torch.zeros(2, 7)).shape == (2, 7, 3)
    changed = _future_leak(model)
    assert not changed[:30].any() and changed[30]


def test_conv_tagger_reads_exactly_its_receptive_field():
    torch.manual_seed(0)
    for k, d in ((5, (1, 2, 4)), (3, (1, 1, 1)), (2, (1,))):
        model = ConvTagger(8, k, d)
        changed = _future_leak(model)
        assert model.receptive_field == 1 + (k - 1) * sum(d)
        assert np.flatnonzero(changed.numpy())[-1] - 30 + 1 == model.receptive_field


@pytest.mark.parametrize("build, error, words", [
    (lambda: GRUTagger(0), ValueError, "hidden_size must be a positive integer"),
    (lambda: ConvTagger(dilations=()), TypeError, "dilations must be a non-empty tuple"),
    (lambda: ConvTagger(dilations=(1, 0)), ValueError, r"dilations\[1\] must be a positive"),
    (lambda: ConvTagger(kernel_size=2.0), TypeError, "kernel_size must be an integer"),
    (lambda: WindowedTagger("conv", 75), TypeError, "tagger must be a torch.nn.Module"),
    (lambda: WindowedTagger(ConvTagger(), 0), ValueError, "width must be a positive integer"),
    (lambda: PooledWindowNet(0), ValueError, "channels must be a positive integer"),
    (lambda: PooledWindowNet(dilations=()), TypeError, "dilations must be a non-empty tuple"),
])
def test_models_reject_bad_arguments(build, error, words):
    with pytest.raises(error, match=words):
        build()


@pytest.mark.parametrize("model", [GRUTagger(4), ConvTagger(4), WindowNet(8),
                                   WindowedTagger(ConvTagger(4), 8), PooledWindowNet(4)],
                         ids=["gru", "conv", "window net", "windowed", "pooled window net"])
@pytest.mark.parametrize("x, error, words", [
    (np.zeros((2, 8), dtype=np.float32), TypeError, "x must be a torch.Tensor"),
    (torch.zeros(2, 8, 1), ValueError, r"x must have shape \(B, T\)"),
    (torch.zeros(8), ValueError, r"x must have shape \(B, T\)"),
    (torch.zeros(2, 0), ValueError, "T >= 1"),
    (torch.zeros(2, 8, dtype=torch.long), TypeError, "x must hold floats"),
])
def test_models_reject_bad_input(model, x, error, words):
    with pytest.raises(error, match=words):
        model(x)


def test_window_net_needs_its_window_length():
    with pytest.raises(ValueError, match="windows of 75 samples, got 70"):
        WindowNet(75)(torch.zeros(2, 70))


def test_windowed_tagger_sees_one_window_at_a_time():
    torch.manual_seed(0)
    inner = ConvTagger(8)
    model = WindowedTagger(inner, 10)
    x = torch.randn(2, 35)
    with torch.no_grad():
        out = model(x)
        assert out.shape == (2, 35, 3)
        assert torch.allclose(out[:, 10:20], inner(x[:, 10:20]))
        assert torch.allclose(out[:, 30:], inner(x[:, 30:]))           # the partial window
        x2 = x.clone()
        x2[:, 9] += 5                                                   # last sample of window 0
        assert torch.equal(model(x2)[:, 10:], out[:, 10:])              # nothing crosses a border


# ----------------------------------------------------------------- training
def test_random_crops_and_rows_are_seeded_and_shaped():
    x, y = torch.randn(5, 40), torch.randint(0, 3, (5, 40))
    sample = random_crops(x, y, batch_size=4, length=10)
    a, b = sample(torch.Generator().manual_seed(1)), sample(torch.Generator().manual_seed(1))
    assert a[0].shape == a[1].shape == (4, 10) and torch.equal(a[0], b[0])
    rows = random_rows(x, y[:, 0], batch_size=3)(torch.Generator().manual_seed(2))
    assert rows[0].shape == (3, 40) and rows[1].shape == (3,)


@pytest.mark.parametrize("call, error, words", [
    (lambda x, y: random_crops(x.numpy(), y), TypeError, "x must be a torch.Tensor"),
    (lambda x, y: random_crops(x, y[:, :5]), ValueError, "x must be"),
    (lambda x, y: random_crops(x, y, length=41), ValueError, "length must be at most"),
    (lambda x, y: random_crops(x, y, batch_size=0), ValueError, "batch_size must be a positive"),
    (lambda x, y: random_rows(x, y), ValueError, r"y \(N,\)"),
    (lambda x, y: random_crops(x[:0], y[:0]), ValueError, "N > 0"),
])
def test_samplers_reject_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call(torch.randn(5, 40), torch.randint(0, 3, (5, 40)))


def test_train_lowers_the_loss_and_leaves_eval_mode():
    torch.manual_seed(0)
    x = torch.randn(64, 20)
    y = (x > 0).long() + (x > 1).long()               # a per-sample rule a tagger can learn
    model = ConvTagger(8, 3, (1,))
    losses = train(model, random_crops(x, y, 16, 20), 150, lr=0.02, class_weight=(1, 1, 1))
    assert len(losses) == 150 and np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])
    assert not model.training


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(model="net"), TypeError, "model must be a torch.nn.Module"),
    (dict(sample=[1, 2]), TypeError, "sample must be a function"),
    (dict(steps=0), ValueError, "steps must be a positive integer"),
    (dict(lr=-1.0), ValueError, "lr must be a positive number"),
    (dict(seed=-2), ValueError, "seed must be a non-negative integer"),
])
def test_train_rejects_bad_arguments(kwargs, error, words):
    x, y = torch.randn(4, 20), torch.zeros(4, 20, dtype=torch.long)
    args = dict(model=ConvTagger(4), sample=random_crops(x, y, 2, 10), steps=2)
    args.update(kwargs)
    with pytest.raises(error, match=words):
        train(args.pop("model"), args.pop("sample"), **args)


# ----------------------------------------------------------------- per-beat decisions
def test_beat_scores_read_perfect_labels(records):
    rec = records[0]
    probs = torch.nn.functional.one_hot(torch.tensor(rec.sample_labels()), 3).float().numpy()
    assert np.array_equal(beat_scores(probs, rec) >= 0.5, rec.beat_class == 1)
    assert np.allclose(beat_scores(torch.tensor(probs), rec), beat_scores(probs, rec))


def _scrambled_labels(record, rng):
    """The record with every class-dependent label changed: QRS boundaries, durations, classes,
    spans and the Q, S, P, T positions. Only the R peaks (the beat's location) stay."""
    n = len(record.signal)
    spans = record.qrs_spans.copy()
    spans[:, 0] = np.clip(spans[:, 0] - rng.integers(1, 6, len(spans)), 0, n - 1)
    spans[:, 1] = np.clip(spans[:, 1] + rng.integers(1, 6, len(spans)), 0, n - 1)
    spans[:, 2] = 1 - spans[:, 2]
    waves = {w: (v if w == "R" else v + rng.integers(-3, 4, len(v))) for w, v in record.waves.items()}
    return dataclasses.replace(
        record, qrs_onset=record.qrs_onset - rng.integers(1, 6, record.n_beats),
        qrs_offset=record.qrs_offset + rng.integers(1, 6, record.n_beats),
        qrs_duration=rng.permutation(record.qrs_duration), beat_class=1 - record.beat_class,
        qrs_spans=spans, waves=waves)


def _decisions(record, tagger, window_net):
    """The lab's per-beat scores of a tagger and of the window classifier."""
    with torch.no_grad():
        x = torch.tensor(record.signal, dtype=torch.float32)
        probs = tagger(x[None])[0].softmax(-1).numpy()
        p_window = window_net(cut_windows(x, 75)).softmax(-1)[:, 1].numpy()
    return beat_scores(probs, record), window_beat_scores(p_window, record, 75)


def test_decisions_never_read_class_dependent_labels():
    """Issue 14: scramble every QRS boundary, duration and class; the R peaks stay. The per-beat
    decisions must not move."""
    torch.manual_seed(0)
    tagger, window_net = GRUTagger(8).eval(), WindowNet(75).eval()
    rng = np.random.default_rng(0)
    for record in make_records(3, FAST_RATES, seed=11):
        original = _decisions(record, tagger, window_net)
        for _ in range(3):
            scrambled = _decisions(_scrambled_labels(record, rng), tagger, window_net)
            for a, b in zip(original, scrambled):
                assert np.array_equal(a, b)


def test_the_old_decision_would_fail_the_leakage_test():
    """The earlier capstone averaged from the R peak to the true QRS end: the same test catches it."""
    def old_rule(probs, record):
        return np.array([probs[r:off + 1, 2].mean() for r, off in
                         zip(record.waves["R"], record.qrs_offset)])
    record = make_records(1, seed=3)[0]
    probs = np.random.default_rng(1).dirichlet((1, 1, 1), size=len(record.signal))
    scrambled = _scrambled_labels(record, np.random.default_rng(2))
    assert not np.array_equal(old_rule(probs, record), old_rule(probs, scrambled))
    assert np.array_equal(beat_scores(probs, record), beat_scores(probs, scrambled))


@pytest.mark.parametrize("probs, kwargs, error, words", [
    (np.zeros((10, 3)), {}, ValueError, "step_probs must have shape"),
    (np.zeros(1125), {}, ValueError, "step_probs must be 2-D"),
    ("probs", {}, TypeError, "step_probs must be an array"),
    (np.zeros((1125, 3)), dict(half_width=0), ValueError, "half_width must be a positive"),
])
def test_beat_scores_reject_bad_input(records, probs, kwargs, error, words):
    with pytest.raises(error, match=words):
        beat_scores(probs, records[0], **kwargs)


def test_half_width_spans_the_longest_qrs_and_stops_before_the_next():
    fs = 125
    assert HALF_WIDTH / fs >= 0.16 / 2                       # the longest QRS of the lab, from R
    assert HALF_WIDTH / fs < 60 / 180 * 0.875 - 0.16 / 2      # next QRS at 180 bpm, RR -12.5%


# ----------------------------------------------------------------- metrics and thresholds
def test_abnormal_beat_metrics_counts_widened_beats_as_positives():
    m = abnormal_beat_metrics([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 1, 1])
    assert m == pytest.approx({"accuracy": 0.7, "sensitivity": 0.75, "specificity": 4 / 6})
    assert abnormal_beat_metrics(np.array([1, 0]), np.array([True, False]))["accuracy"] == 1.0
    assert np.isnan(abnormal_beat_metrics([0, 0], [0, 1])["sensitivity"])
    with pytest.raises(ValueError, match="same length"):
        abnormal_beat_metrics([0, 1], [0])
    with pytest.raises(ValueError, match="at least one beat"):
        abnormal_beat_metrics([], [])
    with pytest.raises(ValueError, match="y_pred must hold classes 0"):
        abnormal_beat_metrics([0, 1], [0, 2])


def test_choose_threshold_maximises_balanced_accuracy():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 200)
    scores = np.clip(0.3 * truth + rng.normal(0.3, 0.15, 200), 0, 1)
    t = choose_threshold(scores, truth)
    best = max(balanced_accuracy(scores, truth, c) for c in np.r_[scores, 2.0])
    assert balanced_accuracy(scores, truth, t) == pytest.approx(best)
    separable = choose_threshold([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])
    assert separable == pytest.approx(0.5)                     # halfway across the gap


def test_balanced_accuracy_checks_its_threshold():
    assert balanced_accuracy([0.2, 0.8], [0, 1], 0.5) == 1.0
    with pytest.raises(TypeError, match="threshold must be a number"):
        balanced_accuracy([0.2, 0.8], [0, 1], "0.5")
    with pytest.raises(ValueError, match="beat_scores and beat_truth must have one entry"):
        balanced_accuracy([0.2], [0, 1], 0.5)


def test_select_and_score_never_looks_at_the_test_beats():
    val_s, val_t = np.array([0.1, 0.3, 0.35, 0.9]), np.array([0, 0, 1, 1])
    t1, m1 = select_and_score(val_s, val_t, np.array([0.2, 0.6]), np.array([0, 1]))
    t2, m2 = select_and_score(val_s, val_t, np.array([0.95, 0.01, 0.4]), np.array([0, 1, 1]))
    assert t1 == t2 == pytest.approx(0.325)
    assert m1["sensitivity"] == 1 and m2["sensitivity"] == 0.5


@pytest.mark.parametrize("args, error, words", [
    (([0.1, 0.2], [0, 0], [0.1], [1]), ValueError, "both classes"),
    (([0.1, 0.2], [0, 1, 1], [0.1], [1]), ValueError, "one entry per beat"),
    (([0.1, np.nan], [0, 1], [0.1], [1]), ValueError, "val_scores must be finite"),
    (([0.1, 0.2], [0, 2], [0.1], [1]), ValueError, "val_truth must hold classes"),
    (([0.1, 0.2], [0, 1], [], []), ValueError, "test_truth must hold at least one beat"),
    (("ab", [0, 1], [0.1], [1]), TypeError, "val_scores must be an array"),
])
def test_select_and_score_rejects_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        select_and_score(*args)


# ----------------------------------------------------------------- figures
def _table(models=("a", "b")):
    return {m: {b: {"sensitivity": 0.9, "specificity": 0.8} for b in BANDS} for m in models}


def _texts(fig):
    return [t for ax in fig.axes for t in ax.texts + [ax.title, ax.xaxis.label, ax.yaxis.label]
            + ax.get_xticklabels() + ax.get_yticklabels()] + [
        t for legend in fig.legends for t in legend.get_texts()]


def test_plot_comparison_labels_axes_with_units_and_large_text():
    fig = plot_comparison(_table())
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert all("bpm" in ax.get_xlabel() and "%" in ax.get_ylabel() for ax in fig.axes)
    assert all(t.get_fontsize() >= 14 for t in _texts(fig) if t.get_text())
    lines = fig.axes[0].get_lines()
    assert len({(l.get_marker(), str(l.get_linestyle())) for l in lines}) == len(lines)


@pytest.mark.parametrize("table, error, words", [
    ({}, TypeError, "non-empty dict"),
    (_table("abcdefg"), ValueError, "at most 6 models"),
    ({"a": {"40-50 bpm": {"sensitivity": 1}}}, ValueError, "must be a dict with"),
    ({"a": {"x": {"sensitivity": 1, "specificity": 1}},
      "b": {"y": {"sensitivity": 1, "specificity": 1}}}, ValueError, "must have the bands"),
])
def test_plot_comparison_rejects_bad_tables(table, error, words):
    with pytest.raises(error, match=words):
        plot_comparison(table)


def test_plot_beat_decisions_draws_right_and_wrong_calls(records):
    rec = records[0]
    calls = {"perfect": rec.beat_class.copy(), "inverted": 1 - rec.beat_class}
    fig = plot_beat_decisions(rec, calls, 75, stop=4.0)
    top, bottom = fig.axes
    assert top.get_ylabel() == "voltage (mV)" and bottom.get_xlabel() == "time (s)"
    assert [t.get_text() for t in bottom.get_yticklabels()] == ["inverted", "perfect"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("not scored" in t for t in legend), legend   # edge QRS hatched without a call
    assert all(t.get_fontsize() >= 14 for t in _texts(fig) if t.get_text())
    with pytest.raises(ValueError, match="one 0/1 call per beat"):
        plot_beat_decisions(rec, {"short": [0, 1]})
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_beat_decisions(rec, [])
    with pytest.raises(ValueError, match="start and stop"):
        plot_beat_decisions(rec, calls, stop=20.0)
    with pytest.raises(TypeError, match="record must be an ECGRecord"):
        plot_beat_decisions(rec.signal, calls)


# --- bad input (issue 16): wrong types, wrong shapes, empty input --------------------------------
def _rec():
    return generate_ecg(duration=4.0, sampling_rate=125.0, seed=1)


def _batch(_generator=None):
    return torch.zeros(2, 2), torch.zeros(2, dtype=torch.long)


def _train(**kwargs):
    return train(torch.nn.Linear(2, 3), kwargs.pop("sample", _batch), **{"steps": 1, **kwargs})


_METRICS = {"sensitivity": 1.0, "specificity": 1.0}
BAD_INPUT = [
    ("make_records", "type", lambda: make_records("2"), TypeError,
     "n must be an integer, got str '2'"),
    ("make_records", "type", lambda: make_records(1, seed="a"), TypeError,
     "seed must be a non-negative integer, got str 'a'"),
    ("make_records", "shape", lambda: make_records(2, heart_rates=(60, 70, 80)), TypeError,
     r"heart_rates must be a pair \(low, high\) of numbers in bpm, got \(60, 70, 80\)"),
    ("make_records", "empty", lambda: make_records(0), ValueError,
     "n must be a positive integer, got 0"),
    ("make_records", "empty", lambda: make_records(1, heart_rates=()), TypeError,
     r"heart_rates must be a pair \(low, high\) of numbers in bpm, got \(\)"),
    ("dense_labels", "type", lambda: dense_labels(_rec().signal), TypeError,
     r"record must be an ECGRecord \(from make_records or generate_ecg\), got ndarray"),
    ("step_targets", "type", lambda: step_targets(_rec()), TypeError,
     "records must be a list of ECGRecord, got ECGRecord"),
    ("step_targets", "shape", lambda: step_targets([_rec(), generate_ecg(duration=5.0)]),
     ValueError, "records must have equal lengths: records\\[0\\] has 500 samples, "
     "records\\[1\\] 1250"),
    ("step_targets", "empty", lambda: step_targets([]), ValueError,
     "records must hold at least one ECGRecord"),
    ("cut_windows", "type", lambda: cut_windows(np.zeros(100), 10), TypeError,
     "signal must be a torch.Tensor, got ndarray"),
    ("cut_windows", "type", lambda: cut_windows(torch.zeros(100), 2.5), TypeError,
     "width must be an integer, got float 2.5"),
    ("cut_windows", "shape", lambda: cut_windows(torch.zeros(2, 100), 10), ValueError,
     r"signal must be 1-D \(T,\), got shape \(2, 100\)"),
    ("window_labels", "type", lambda: window_labels("r", 10), TypeError,
     "record must be an ECGRecord"),
    ("window_labels", "shape", lambda: window_labels(_rec(), 0), ValueError,
     "width must be a positive integer, got 0"),
    ("window_beat_scores", "type", lambda: window_beat_scores("s", _rec(), 10), TypeError,
     "window_scores must be an array, got str"),
    ("window_beat_scores", "shape", lambda: window_beat_scores(np.zeros(3), _rec(), 10), ValueError,
     r"window_scores must have one score per full window \(50\), got 3"),
    ("window_beat_scores", "empty", lambda: window_beat_scores(np.zeros(0), _rec(), 10),
     ValueError, r"window_scores must have one score per full window \(50\), got 0"),
    ("window_beat_scores", "empty", lambda: window_beat_scores(np.zeros(0), _rec(), 10**6),
     ValueError, "record has 500 samples, fewer than one window of width = 1000000"),
    ("shares_window", "type", lambda: shares_window("abc", 10), TypeError,
     "r_peaks must be an array, got str"),
    ("shares_window", "type", lambda: shares_window([1.5, 2.5], 10), TypeError,
     "r_peaks must hold integer sample indices, got .*1.5"),
    ("shares_window", "shape", lambda: shares_window(np.zeros((2, 2), int), 10), ValueError,
     r"r_peaks must be 1-D, got shape \(2, 2\)"),
    ("random_crops", "type", lambda: random_crops(np.zeros((2, 10)), torch.zeros(2, 10)),
     TypeError, "x must be a torch.Tensor, got ndarray"),
    ("random_crops", "type",
     lambda: random_crops(torch.zeros(2, 10, dtype=torch.long), torch.zeros(2, 10, dtype=torch.long)),
     TypeError, r"x must hold floats \(the signals in mV\), got dtype torch.int64"),
    ("random_crops", "shape", lambda: random_crops(torch.zeros(2, 10), torch.zeros(2, 9)),
     ValueError, r"x must be \(N, T\) and y \(N, T\) with N > 0, got \(2, 10\) and \(2, 9\)"),
    ("random_crops", "empty", lambda: random_crops(torch.zeros(0, 10), torch.zeros(0, 10)),
     ValueError, r"x must be \(N, T\) and y \(N, T\) with N > 0, got \(0, 10\) and \(0, 10\)"),
    ("random_rows", "type", lambda: random_rows(torch.zeros(2, 10), torch.zeros(2)), TypeError,
     "y must hold int64 class labels, got dtype torch.float32"),
    ("random_rows", "shape", lambda: random_rows(torch.zeros(2, 10), torch.zeros(3)), ValueError,
     r"x must be \(N, T\) and y \(N,\) with N > 0, got \(2, 10\) and \(3,\)"),
    ("random_rows", "empty", lambda: random_rows(torch.zeros(0, 10), torch.zeros(0)), ValueError,
     r"x must be \(N, T\) and y \(N,\) with N > 0, got \(0, 10\) and \(0,\)"),
    ("train", "type", lambda: _train(clip_norm="a"), TypeError,
     "clip_norm must be a positive number, got str 'a'"),
    ("train", "type", lambda: _train(class_weight="a"), TypeError,
     "class_weight must be a list of non-negative numbers, one per class, got 'a'"),
    ("train", "type", lambda: _train(sample=lambda g: 5), TypeError,
     r"sample\(generator\) must return a pair \(x, y\) of tensors, y of int64 class labels, "
     "got int"),
    ("train", "shape", lambda: _train(class_weight=[1.0, 2.0]), ValueError,
     "class_weight must hold one weight per class: the model gives 3 classes, class_weight 2"),
    ("train", "empty", lambda: train(torch.nn.ReLU(), _batch, 1), ValueError,
     "model has no parameters to train"),
    ("train", "empty", lambda: _train(steps=0), ValueError, "steps must be a positive integer, got 0"),
    ("beat_scores", "type", lambda: beat_scores("p", _rec()), TypeError,
     "step_probs must be an array, got str"),
    ("beat_scores", "shape", lambda: beat_scores(np.zeros((500, 2)), _rec()), ValueError,
     r"step_probs must have shape \(500, 3\): one row of 3 probabilities per sample, "
     r"got \(500, 2\)"),
    ("beat_scores", "empty", lambda: beat_scores(np.zeros((0, 3)), _rec()), ValueError,
     r"step_probs must have shape \(500, 3\).*got \(0, 3\)"),
    ("abnormal_beat_metrics", "type", lambda: abnormal_beat_metrics("ab", [0, 1]), TypeError,
     "y_true must be an array of 0/1 classes, one per beat, got str"),
    ("abnormal_beat_metrics", "shape", lambda: abnormal_beat_metrics([0, 1], [0]), ValueError,
     r"y_true and y_pred must have the same length, got \(2,\) and \(1,\)"),
    ("abnormal_beat_metrics", "empty", lambda: abnormal_beat_metrics([], []), ValueError,
     "y_true must hold at least one beat"),
    ("balanced_accuracy", "type", lambda: balanced_accuracy([0.1, 0.9], [0, 1], "a"), TypeError,
     "threshold must be a number, got 'a'"),
    ("balanced_accuracy", "shape", lambda: balanced_accuracy([0.1, 0.9], [0], 0.5), ValueError,
     "beat_scores and beat_truth must have one entry per beat, got 2 and 1"),
    ("balanced_accuracy", "empty", lambda: balanced_accuracy([], [], 0.5), ValueError,
     "beat_truth must hold at least one beat"),
    ("choose_threshold", "type", lambda: choose_threshold({"a": 1}, [0]), TypeError,
     "beat_scores must be an array, got dict"),
    ("choose_threshold", "shape", lambda: choose_threshold(np.zeros((2, 2)), [0, 1]), ValueError,
     r"beat_scores must be 1-D, got shape \(2, 2\)"),
    ("choose_threshold", "empty", lambda: choose_threshold([], []), ValueError,
     "beat_truth must hold at least one beat"),
    ("select_and_score", "type", lambda: select_and_score("a", [0], [0.1], [0]), TypeError,
     "val_scores must be an array, got str"),
    ("select_and_score", "shape", lambda: select_and_score([0.1, 0.9], [0, 1], [0.1], [0, 1]),
     ValueError, "test_scores and test_truth must have one entry per beat, got 1 and 2"),
    ("select_and_score", "empty", lambda: select_and_score([0.1, 0.9], [0, 1], [], []),
     ValueError, "test_truth must hold at least one beat"),
    ("plot_beat_decisions", "type", lambda: plot_beat_decisions(_rec(), [1]), TypeError,
     r"calls must be a non-empty dict \{model name: one call per beat\}"),
    ("plot_beat_decisions", "type",
     lambda: plot_beat_decisions(_rec(), {"a": np.zeros(_rec().n_beats)}, start="0"), TypeError,
     "start must be a time in seconds, got str '0'"),
    ("plot_beat_decisions", "shape",
     lambda: plot_beat_decisions(_rec(), {"a": np.zeros(_rec().n_beats + 1)}), ValueError,
     r"calls\['a'\] must hold one 0/1 call per beat \(\d+\), got \d+ values"),
    ("plot_beat_decisions", "empty", lambda: plot_beat_decisions(_rec(), {}), TypeError,
     r"calls must be a non-empty dict \{model name: one call per beat\}"),
    ("plot_comparison", "type", lambda: plot_comparison([1]), TypeError,
     r"table must be a non-empty dict \{model: \{band: metrics\}\}"),
    ("plot_comparison", "type",
     lambda: plot_comparison({"a": {"b": {"sensitivity": "x", "specificity": 1.0}}}), TypeError,
     r"table\['a'\]\['b'\]\['sensitivity'\] must be a fraction \(a number\), got 'x'"),
    ("plot_comparison", "type", lambda: plot_comparison({"a": {"b": _METRICS}}, train_band=5),
     TypeError, r"train_band must be a band name \(str\), got int"),
    ("plot_comparison", "shape", lambda: plot_comparison({"a": {"b": {"sensitivity": 1.0}}}),
     ValueError, r"table\['a'\]\['b'\] must be a dict with 'sensitivity' and 'specificity'"),
    ("plot_comparison", "empty", lambda: plot_comparison({}), TypeError,
     r"table must be a non-empty dict \{model: \{band: metrics\}\}"),
    ("plot_comparison", "empty", lambda: plot_comparison({"a": {}}), ValueError,
     r"table\['a'\] must hold at least one band"),
]
# dense_labels reads one record: it has no shape and no emptiness of its own (a record without
# samples cannot be made: generate_ecg checks duration > 0). shares_window of no R peaks is a
# valid question with a valid answer (a record without a complete beat): an empty array.
# A signal shorter than one window has no full window: cut_windows gives (0, width) and
# window_labels (0,), the rule that drops the partial last window, tested above; the two
# agree, so a record too short for one window adds nothing to a torch.cat of windows.
NOT_APPLICABLE = {("dense_labels", "shape"), ("dense_labels", "empty"),
                  ("shares_window", "empty"), ("cut_windows", "empty"),
                  ("window_labels", "empty")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(capstone, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
