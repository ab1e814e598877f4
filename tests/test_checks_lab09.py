"""Every Lab 09 check accepts the right answer and names each planted mistake."""
import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import capstone
from course_utils.checks import lab09
from tests._checks import Case, mutating, rejects as _fails, squash, stub, to_float32, to_int32, \
    to_list, to_numpy, to_torch


def fails(check, wrong, *words):
    """``rejects``, comparing words with the message's whitespace squashed."""
    message = _fails(check, wrong)
    for word in words:
        assert word in squash(message), message
    return message


# ----------------------------------------------------------------- dense labels
def dense_ok(record):
    labels = np.zeros(len(record.signal), dtype=np.int64)
    for on, off, cls in record.qrs_spans:
        labels[on:off + 1] = 1 + cls
    return labels


def dense_complete_beats_only(record):
    labels = np.zeros(len(record.signal), dtype=np.int64)
    for on, off, cls in zip(record.qrs_onset, record.qrs_offset, record.beat_class):
        labels[on:off + 1] = 1 + cls
    return labels


def dense_exclusive_end(record):
    labels = np.zeros(len(record.signal), dtype=np.int64)
    for on, off, cls in record.qrs_spans:
        labels[on:off] = 1 + cls
    return labels


def dense_class_not_shifted(record):
    labels = np.zeros(len(record.signal), dtype=np.int64)
    for on, off, cls in record.qrs_spans:
        labels[on:off + 1] = cls
    return labels


def dense_one_for_every_qrs(record):
    return (dense_ok(record) > 0).astype(np.int64)


def dense_float(record):
    return dense_ok(record).astype(float)


def dense_int32(record):
    """np.zeros(n, dtype=int) on Windows with NumPy 1: F.cross_entropy then refuses the targets."""
    return dense_ok(record).astype(np.int32)


def dense_shifts_the_spans_in_place(record):
    record.qrs_spans[:, 1] += 1
    return dense_ok(record)


def test_dense_labels_check_accepts_the_right_labels(capsys):
    lab09.check_dense_labels(dense_ok)
    assert "✓ check_dense_labels" in capsys.readouterr().out


def test_dense_labels_check_accepts_sample_labels(capsys):
    lab09.check_dense_labels(lambda record: record.sample_labels())
    assert "✓ check_dense_labels" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (dense_complete_beats_only, "record.qrs_spans"),
    (dense_exclusive_end, "the offset is inclusive"),
    (dense_class_not_shifted, "use 1 + class"),
    (dense_one_for_every_qrs, "widened QRS samples must be 2"),
    (dense_float, "expected int64"),
    (dense_int32, "F.cross_entropy needs int64 targets"),
    (dense_shifts_the_spans_in_place, "changed the record's `qrs_spans` in place"),
    (stub, "not implemented yet"),
])
def test_dense_labels_check_names_the_mistake(wrong, words):
    fails(lab09.check_dense_labels, wrong, words)


# ----------------------------------------------------------------- window labels
def window_labels_ok(record, width):
    labels = torch.full((len(record.signal) // width,), -1, dtype=torch.long)
    for r, cls in zip(record.waves["R"], record.beat_class):
        if r // width < len(labels):
            labels[r // width] = max(int(labels[r // width]), int(cls))
    return labels


def window_labels_last_beat_wins(record, width):
    labels = torch.full((len(record.signal) // width,), -1, dtype=torch.long)
    for r, cls in zip(record.waves["R"], record.beat_class):
        if r // width < len(labels):
            labels[r // width] = int(cls)
    return labels


def window_labels_empty_is_normal(record, width):
    return window_labels_ok(record, width).clamp(min=0)


def window_labels_keep_partial(record, width):
    n = -(-len(record.signal) // width)
    labels = torch.full((n,), -1, dtype=torch.long)
    for r, cls in zip(record.waves["R"], record.beat_class):
        labels[r // width] = max(int(labels[r // width]), int(cls))
    return labels


def window_labels_by_onset(record, width):
    labels = torch.full((len(record.signal) // width,), -1, dtype=torch.long)
    for on, cls in zip(record.qrs_onset, record.beat_class):
        if on // width < len(labels):
            labels[on // width] = max(int(labels[on // width]), int(cls))
    return labels


def window_labels_without_bounds(record, width):
    labels = torch.full((len(record.signal) // width,), -1, dtype=torch.long)
    for r, cls in zip(record.waves["R"], record.beat_class):
        labels[r // width] = max(int(labels[r // width]), int(cls))
    return labels


def test_window_labels_check_accepts_the_reference(capsys):
    lab09.check_window_labels(window_labels_ok)
    lab09.check_window_labels(capstone.window_labels)
    assert capsys.readouterr().out.count("✓ check_window_labels") == 2


@pytest.mark.parametrize("wrong, words", [
    (window_labels_last_beat_wins, "a window is widened if any of its beats is"),
    (window_labels_empty_is_normal, "label it -1"),
    (window_labels_keep_partial, "drop the partial last window"),
    (window_labels_by_onset, "place it by its R peak"),
    (window_labels_without_bounds, "lies in the partial last window, whose index 7 is one past"),
    (lambda record, width: window_labels_ok(record, width).numpy(), "should be a torch.Tensor"),
    (stub, "not implemented yet"),
])
def test_window_labels_check_names_the_mistake(wrong, words):
    fails(lab09.check_window_labels, wrong, words)


# ----------------------------------------------------------------- cut_windows
def cut_ok(signal, width):
    n = len(signal) // width
    return signal[:n * width].reshape(n, width)


def cut_overlapping(signal, width):
    return signal.unfold(0, width, 1)


def cut_keeps_partial(signal, width):
    n = -(-len(signal) // width)
    return F.pad(signal, (0, n * width - len(signal))).reshape(n, width)


def cut_transposed(signal, width):
    n = len(signal) // width
    return signal[:n * width].reshape(width, n).T


def cut_from_the_end(signal, width):
    n = len(signal) // width
    return signal[len(signal) - n * width:].reshape(n, width)


def cut_split_dropping_the_last(signal, width):
    """Drops a full window when width divides the length (1125 = 15 x 75 in the lab)."""
    return torch.stack(torch.split(signal, width)[:-1])


def cut_in_numpy(signal, width):
    return cut_ok(signal.numpy(), width)


def test_cut_windows_check_accepts_the_right_cut(capsys):
    lab09.check_cut_windows(cut_ok)
    assert "✓ check_cut_windows" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (cut_overlapping, "your windows overlap"),
    (cut_keeps_partial, "partial last window"),
    (cut_transposed, "transposed"),
    (cut_from_the_end, "from index 0"),
    (cut_split_dropping_the_last, "you drop the last window although it is full"),
    (cut_in_numpy, "should be a torch.Tensor"),
    (stub, "not implemented yet"),
])
def test_cut_windows_check_names_the_mistake(wrong, words):
    fails(lab09.check_cut_windows, wrong, words)


# ----------------------------------------------------------------- metrics
def _counts(t, p):
    t, p = np.asarray(t), np.asarray(p).astype(int)
    return (int(((t == 1) & (p == 1)).sum()), int(((t == 1) & (p == 0)).sum()),
            int(((t == 0) & (p == 0)).sum()), int(((t == 0) & (p == 1)).sum()))


def metrics_ok(t, p):
    tp, fn, tn, fp = _counts(t, p)
    return {"accuracy": (tp + tn) / len(t), "sensitivity": tp / (tp + fn),
            "specificity": tn / (tn + fp)}


def metrics_swapped(t, p):
    m = metrics_ok(t, p)
    return {"accuracy": m["accuracy"], "sensitivity": m["specificity"],
            "specificity": m["sensitivity"]}


def metrics_normal_positive(t, p):
    return metrics_ok(1 - np.asarray(t), 1 - np.asarray(p).astype(int))


def metrics_precision(t, p):
    tp, fn, tn, fp = _counts(t, p)
    return {**metrics_ok(t, p), "sensitivity": tp / (tp + fp)}


def metrics_npv(t, p):
    tp, fn, tn, fp = _counts(t, p)
    return {**metrics_ok(t, p), "specificity": tn / (tn + fn)}


def metrics_accuracy_of_widened(t, p):
    tp, fn, tn, fp = _counts(t, p)
    return {**metrics_ok(t, p), "accuracy": tp / len(t)}


def metrics_tuple(t, p):
    return tuple(metrics_ok(t, p).values())


def metrics_integer_division(t, p):
    tp, fn, tn, fp = _counts(t, p)
    return {**metrics_ok(t, p), "sensitivity": tp // (tp + fn)}


def metrics_as_arrays(t, p):
    return {k: np.array([v]) for k, v in metrics_ok(t, p).items()}


def test_metrics_check_accepts_the_right_metrics(capsys):
    lab09.check_beat_metrics(metrics_ok)
    lab09.check_beat_metrics(capstone.abnormal_beat_metrics)
    assert capsys.readouterr().out.count("✓ check_beat_metrics") == 2


@pytest.mark.parametrize("wrong, words", [
    (metrics_swapped, "are swapped"),
    (metrics_normal_positive, "took the normal beats as the positives"),
    (metrics_precision, "the precision"),
    (metrics_npv, "TN / (TN + FN)"),
    (metrics_accuracy_of_widened, "accuracy is 0.273"),
    (metrics_tuple, "return a dict"),
    (metrics_integer_division, "sensitivity is 0.000"),
    (metrics_as_arrays, "should be a number"),
    (stub, "not implemented yet"),
])
def test_metrics_check_names_the_mistake(wrong, words):
    fails(lab09.check_beat_metrics, wrong, words)


# ----------------------------------------------------------------- threshold on validation
def select_ok(val_scores, val_truth, test_scores, test_truth):
    best, threshold = -1.0, 0.5
    for c in np.unique(val_scores):
        m = metrics_ok(val_truth, val_scores >= c)
        if (m["sensitivity"] + m["specificity"]) / 2 > best:
            best, threshold = (m["sensitivity"] + m["specificity"]) / 2, c
    return threshold, metrics_ok(test_truth, test_scores >= threshold)


def select_on_test(val_scores, val_truth, test_scores, test_truth):
    return select_ok(test_scores, test_truth, test_scores, test_truth)


def select_on_pooled(val_scores, val_truth, test_scores, test_truth):
    threshold, _ = select_ok(np.r_[val_scores, test_scores], np.r_[val_truth, test_truth],
                             test_scores, test_truth)
    return threshold, metrics_ok(test_truth, test_scores >= threshold)


def select_fixed_half(val_scores, val_truth, test_scores, test_truth):
    return 0.5, metrics_ok(test_truth, test_scores >= 0.5)


def select_reports_validation(val_scores, val_truth, test_scores, test_truth):
    threshold, _ = select_ok(val_scores, val_truth, test_scores, test_truth)
    return threshold, metrics_ok(val_truth, val_scores >= threshold)


def select_strict_on_test(val_scores, val_truth, test_scores, test_truth):
    threshold, _ = select_ok(val_scores, val_truth, test_scores, test_truth)
    return threshold, metrics_ok(test_truth, test_scores > threshold)


def select_metrics_only(val_scores, val_truth, test_scores, test_truth):
    return select_ok(val_scores, val_truth, test_scores, test_truth)[1]


def _candidates(scores):
    u = np.unique(scores)
    return np.concatenate([[u[0] - 1], (u[1:] + u[:-1]) / 2, [u[-1] + 1]])


def select_best_accuracy(val_scores, val_truth, test_scores, test_truth):
    threshold = max(_candidates(val_scores), key=lambda c: np.mean((val_scores >= c) == val_truth))
    return threshold, metrics_ok(test_truth, test_scores >= threshold)


def select_best_f1(val_scores, val_truth, test_scores, test_truth):
    def f1(c):
        called = val_scores >= c
        return 2 * np.sum(called & (val_truth == 1)) / (called.sum() + val_truth.sum())
    threshold = max(_candidates(val_scores), key=f1)
    return threshold, metrics_ok(test_truth, test_scores >= threshold)


def select_rescaling_the_test(val_scores, val_truth, test_scores, test_truth):
    threshold, _ = select_ok(val_scores, val_truth, test_scores, test_truth)
    z = (test_scores - test_scores.min()) / (test_scores.max() - test_scores.min())
    return threshold, metrics_ok(test_truth, z >= threshold)


def select_standardising_the_test(val_scores, val_truth, test_scores, test_truth):
    threshold, _ = select_ok(val_scores, val_truth, test_scores, test_truth)
    return threshold, metrics_ok(test_truth, (test_scores - test_scores.mean())
                                 / test_scores.std() >= threshold)


def test_select_check_accepts_validation_choices(capsys):
    lab09.check_select_and_score(select_ok)
    lab09.check_select_and_score(capstone.select_and_score)
    assert capsys.readouterr().out.count("✓ check_select_and_score") == 2


@pytest.mark.parametrize("wrong, words", [
    (select_on_test, "it was chosen with the test split"),
    (select_on_pooled, "it was chosen with the test split"),
    (select_fixed_half, "You kept 0.5"),
    (select_reports_validation, "your metrics are the validation beats'"),
    (select_strict_on_test, "score >= threshold"),
    (select_metrics_only, "return (threshold, metrics)"),
    (select_best_accuracy, "the best accuracy and the best F1 on validation"),
    (select_best_f1, "the best accuracy and the best F1 on validation"),
    (select_rescaling_the_test, "rescaled with their own minimum and maximum"),
    (select_standardising_the_test, "rescaled with their own mean and standard deviation"),
    (stub, "not implemented yet"),
])
def test_select_check_names_the_mistake(wrong, words):
    fails(lab09.check_select_and_score, wrong, words)


def test_threshold_fixture_separates_the_rules():
    """Balanced accuracy, accuracy and F1 pick different thresholds on the validation beats."""
    val_scores, val_truth, _, _ = lab09._threshold_fixture()
    best = capstone.choose_threshold(val_scores, val_truth)
    for rule in ("accuracy", "F1"):
        threshold, balanced = lab09._best_by(rule, val_scores, val_truth)
        assert not np.isclose(threshold, best)
        assert balanced < capstone.balanced_accuracy(val_scores, val_truth, best) - 0.01


# ----------------------------------------------------------------- GRU tagger
def tagger(hidden_size, *, batch_first=True, bidirectional=False, n_out=3, last_only=False,
           finish=None, dropout=0.0, state_too=False):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(1, hidden_size, batch_first=batch_first, bidirectional=bidirectional)
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(hidden_size * (2 if bidirectional else 1), 3)

        def forward(self, x):
            h, h_n = self.gru(x.unsqueeze(-1))
            if n_out != 3:
                return h
            logits = self.out(self.drop(h[:, -1] if last_only else h))
            if finish is not None:
                logits = finish(logits)
            return (logits, h_n) if state_too else logits
    return Tagger()


class ConvNoGRU(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.conv = nn.Conv1d(1, 3, 1)

    def forward(self, x):
        return self.conv(x.unsqueeze(1)).transpose(1, 2)


class GRUIgnoringSize(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.gru, self.out = nn.GRU(1, 32, batch_first=True), nn.Linear(32, 3)

    def forward(self, x):
        return self.out(self.gru(x.unsqueeze(-1))[0])


class GRUNormalisingTheBatch(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.gru, self.out = nn.GRU(1, hidden_size, batch_first=True), nn.Linear(hidden_size, 3)

    def forward(self, x):
        x = (x - x.mean(0)) / x.std(0)       # statistics across the records of the batch
        return self.out(self.gru(x.unsqueeze(-1))[0])


class GRUChangingItsInput(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.gru, self.out = nn.GRU(1, hidden_size, batch_first=True), nn.Linear(hidden_size, 3)

    def forward(self, x):
        x.sub_(x.mean())                     # "normalises" the caller's tensor
        return self.out(self.gru(x.unsqueeze(-1))[0])


class GRUWithoutFeatureDimension(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.gru, self.out = nn.GRU(1, hidden_size, batch_first=True), nn.Linear(hidden_size, 3)

    def forward(self, x):
        return self.out(self.gru(x)[0])


class GRUKeepingItsState(nn.Module):
    """Carries h_n from one call to the next: the second record read starts from the first's end."""

    def __init__(self, hidden_size):
        super().__init__()
        self.gru, self.out = nn.GRU(1, hidden_size, batch_first=True), nn.Linear(hidden_size, 3)
        self.h = None

    def forward(self, x):
        states, h = self.gru(x.unsqueeze(-1), self.h)
        self.h = h.detach()
        return self.out(states)


class GRUBuildingItsHeadInForward(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.gru = nn.GRU(1, hidden_size, batch_first=True)

    def forward(self, x):
        return nn.Linear(self.gru.hidden_size, 3)(self.gru(x.unsqueeze(-1))[0])


@pytest.mark.parametrize("right", [lambda h: tagger(h), lambda h: tagger(h, dropout=0.5),
                                   capstone.GRUTagger,
                                   lambda h: tagger(h, finish=lambda z: z.log_softmax(-1))],
                         ids=["plain", "with dropout", "reference", "log-probabilities"])
def test_tagger_check_accepts_a_causal_gru(right, capsys):
    lab09.check_gru_tagger(right)
    assert "✓ check_gru_tagger" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda h: tagger(h, finish=lambda z: z.softmax(-1)), "returns probabilities"),
    (lambda h: tagger(h, finish=torch.sigmoid), "none of your outputs is negative"),
    (lambda h: tagger(h, finish=torch.relu), "none of your outputs is negative"),
    (lambda h: tagger(h, finish=lambda z: z.softmax(1)), "sum to 1 over the time steps"),
    (lambda h: tagger(h, finish=lambda z: z.softmax(0)), "sum to 1 over the records of the batch"),
    (GRUWithoutFeatureDimension, "Add the feature dimension: self.gru(x.unsqueeze(-1))"),
    (GRUKeepingItsState, "a state kept between calls"),
    (GRUBuildingItsHeadInForward, "layers built inside forward"),
    (lambda h: tagger(h, batch_first=False), "build it with batch_first=True"),
    (lambda h: tagger(h, batch_first=False, dropout=0.5), "build it with batch_first=True"),
    (lambda h: tagger(h, bidirectional=True), "Your GRU is bidirectional"),
    (GRUNormalisingTheBatch, "something else in forward mixes the rows"),
    (lambda h: tagger(h, n_out=h), "expected 3 classes"),
    (lambda h: tagger(h, last_only=True), "one output per record"),
    (lambda h: tagger(h, state_too=True), "return only the logits tensor"),
    (ConvNoGRU, "no nn.GRU"),
    (GRUIgnoringSize, "hidden_size 32"),
    (GRUChangingItsInput, "in place"),
    (stub, "not implemented yet"),
])
def test_tagger_check_names_the_mistake(wrong, words):
    fails(lab09.check_gru_tagger, wrong, words)


def test_probabilities_hint_guesses_nothing_without_evidence():
    """Issue 15: a sigmoid or a ReLU at the end gives outputs >= 0; the message names no cause."""
    for finish in (torch.sigmoid, torch.relu):
        message = fails(lab09.check_gru_tagger, lambda h: tagger(h, finish=finish))
        assert "sigmoid" not in message and "ReLU" not in message


def test_a_dropout_tagger_is_never_told_about_batch_first():
    """Issue 15: two calls of a model in training mode differ; the check compares in eval mode."""
    model = tagger(8, dropout=0.5)
    model.train()
    lab09.check_gru_tagger(lambda h: model)
    assert model.training, "the check must restore the model's mode"


# ----------------------------------------------------------------- conv tagger
def conv_tagger(*, pad="left", dilate=True, relu=True, transpose=True, finish=None, dropout=0.0,
                fixed_channels=None, first_in=1):
    class Tagger(nn.Module):
        def __init__(self, channels=16, kernel_size=5, dilations=(1, 2, 4)):
            super().__init__()
            channels = fixed_channels or channels
            self.k, self.dilations = kernel_size, tuple(d if dilate else 1 for d in dilations)
            self.convs = nn.ModuleList(nn.Conv1d(channels if first_in is None or i else first_in,
                                                 channels, kernel_size, dilation=d)
                                       for i, d in enumerate(self.dilations))
            self.drop = nn.Dropout(dropout)
            self.out = nn.Conv1d(channels, 3, 1)

        def forward(self, x):
            h = x.unsqueeze(1)
            for conv, d in zip(self.convs, self.dilations):
                p = (self.k - 1) * d
                padding = {"left": (p, 0), "right": (0, p), "both": (p // 2, p - p // 2),
                           "none": (0, 0)}[pad]
                h = conv(F.pad(h, padding))
                h = torch.relu(h) if relu else h
            out = self.out(self.drop(h))
            out = out.transpose(1, 2) if transpose else out
            return finish(out) if finish else out
    return Tagger


@pytest.mark.parametrize("right", [conv_tagger(), conv_tagger(dropout=0.3), capstone.ConvTagger],
                         ids=["plain", "with dropout", "reference"])
def test_conv_tagger_check_accepts_a_causal_dilated_tagger(right, capsys):
    lab09.check_conv_tagger(right)
    assert "✓ check_conv_tagger" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (conv_tagger(pad="both"), "looks at the future"),
    (conv_tagger(pad="right"), "looks at the future"),
    (conv_tagger(pad="none"), "Pad that many zeros on the left"),
    (conv_tagger(dilate=False), "You do not dilate"),
    (conv_tagger(relu=False), "linear in its input"),
    (conv_tagger(transpose=False), "Transpose to (B, T, 3)"),
    (conv_tagger(finish=lambda z: z.softmax(-1)), "returns probabilities"),
    (conv_tagger(finish=torch.relu), "none of your outputs is negative"),
    (conv_tagger(fixed_channels=16), "built convolutions with 16 output channels"),
    (conv_tagger(first_in=None), "Build the first nn.Conv1d with in_channels=1"),
    (stub, "not implemented yet"),
])
def test_conv_tagger_check_names_the_mistake(wrong, words):
    fails(lab09.check_conv_tagger, wrong, words)


# ----------------------------------------------------------------- per-beat scores (leakage)
def scores_ok(step_probs, record, half_width=12):
    out = []
    for r in record.waves["R"]:
        span = step_probs[r - half_width:r + half_width + 1]
        out.append(span[:, 2].sum() / span[:, 1:].sum())
    return np.array(out)


def scores_to_the_true_qrs_end(step_probs, record, half_width=12):
    """The old capstone's decision: from the R peak to the true end of the QRS."""
    return np.array([step_probs[r:off + 1, 2].mean() / step_probs[r:off + 1, 1:].mean(-1).sum()
                     for r, off in zip(record.waves["R"], record.qrs_offset)])


def scores_over_the_true_qrs(step_probs, record, half_width=12):
    return np.array([step_probs[on:off + 1, 2].sum() / step_probs[on:off + 1, 1:].sum()
                     for on, off in zip(record.qrs_onset, record.qrs_offset)])


def scores_reading_the_class(step_probs, record, half_width=12):
    return np.clip(scores_ok(step_probs, record, half_width) + 0.5 * record.beat_class, 0, 1)


def scores_reading_the_spans(step_probs, record, half_width=12):
    widened = {int(on) for on, off, cls in record.qrs_spans if cls}
    return np.array([s + 0.1 * any(abs(r - on) < 20 for on in widened)
                     for s, r in zip(scores_ok(step_probs, record, half_width), record.waves["R"])])


def scores_from_the_p_wave(step_probs, record, half_width=12):
    """The span starts at the P wave, which lies farther from R exactly for widened beats."""
    return np.array([step_probs[p:r + half_width + 1, 2].sum() / step_probs[p:r + half_width + 1,
                                                                             1:].sum()
                     for p, r in zip(record.waves["P"], record.waves["R"])])


def scores_reading_the_pr_distance(step_probs, record, half_width=12):
    pr = record.waves["R"] - record.waves["P"]
    return np.clip(scores_ok(step_probs, record, half_width) + 0.05 * (pr - pr.mean()), 0, 1)


def scores_of_normal(step_probs, record, half_width=12):
    return 1 - scores_ok(step_probs, record, half_width)


def scores_exclusive(step_probs, record, half_width=12):
    return np.array([step_probs[r - half_width:r + half_width, 2].sum()
                     / step_probs[r - half_width:r + half_width, 1:].sum()
                     for r in record.waves["R"]])


def scores_plain_mean(step_probs, record, half_width=12):
    return np.array([step_probs[r - half_width:r + half_width + 1, 2].mean()
                     for r in record.waves["R"]])


def scores_fixed_half_width(step_probs, record, half_width=12):
    return scores_ok(step_probs, record, 12)


def scores_as_decisions(step_probs, record, half_width=12):
    return (scores_ok(step_probs, record, half_width) >= 0.5).astype(np.int64)


def test_beat_scores_check_accepts_a_span_around_r(capsys):
    lab09.check_beat_scores(scores_ok)
    lab09.check_beat_scores(capstone.beat_scores)
    assert capsys.readouterr().out.count("✓ check_beat_scores") == 2


@pytest.mark.parametrize("wrong, words", [
    (scores_to_the_true_qrs_end, "changes: the decision reads the answer"),
    (scores_to_the_true_qrs_end, "`qrs_offset`"),
    (scores_over_the_true_qrs, "`qrs_offset`"),
    (scores_reading_the_class, "`beat_class`"),
    (scores_reading_the_spans, "`qrs_spans`"),
    (scores_from_the_p_wave, "`waves (P, Q, S or T)`"),
    (scores_reading_the_pr_distance, "`waves (P, Q, S or T)`"),
    (scores_of_normal, "not of P(normal QRS)"),
    (scores_exclusive, "stops one sample short"),
    (scores_plain_mean, "divide the sum of P(widened QRS)"),
    (scores_fixed_half_width, "do not change with half_width"),
    (scores_as_decisions, "not decisions"),
    (stub, "not implemented yet"),
])
def test_beat_scores_check_names_the_mistake(wrong, words):
    fails(lab09.check_beat_scores, wrong, words)


# ----------------------------------------------------------------- shares_window
def shares_ok(r_peaks, width):
    window = r_peaks // width
    return np.array([(window == w).sum() > 1 for w in window])


def shares_counting_itself(r_peaks, width):
    window = r_peaks // width
    return np.array([(window == w).sum() >= 1 for w in window])


def shares_by_distance(r_peaks, width):
    return np.array([any(abs(r - q) < width for q in r_peaks if q != r) for r in r_peaks])


def shares_next_only(r_peaks, width):
    window = r_peaks // width
    return np.r_[window[:-1] == window[1:], False]


def shares_float_division(r_peaks, width):
    window = r_peaks / width
    return np.array([(window == w).sum() > 1 for w in window])


def shares_from_the_first_peak(r_peaks, width):
    window = (r_peaks - r_peaks[0]) // width
    return np.bincount(window)[window] > 1


def shares_previous_only(r_peaks, width):
    window = r_peaks // width
    return np.r_[False, window[1:] == window[:-1]]


def shares_counts(r_peaks, width):
    window = r_peaks // width
    return np.array([(window == w).sum() - 1 for w in window])


def test_shares_window_check_accepts_the_right_answer(capsys):
    lab09.check_shares_window(shares_ok)
    lab09.check_shares_window(capstone.shares_window)
    assert capsys.readouterr().out.count("✓ check_shares_window") == 2


@pytest.mark.parametrize("wrong, words", [
    (shares_counting_itself, "you count the beat itself"),
    (shares_by_distance, "not the distance"),
    (shares_next_only, "with the next one only"),
    (shares_previous_only, "with the previous one only"),
    (shares_float_division, "It is r // width, an integer"),
    (shares_from_the_first_peak, "they start at sample 0"),
    (shares_counts, "expected bool"),
    (stub, "not implemented yet"),
])
def test_shares_window_check_names_the_mistake(wrong, words):
    fails(lab09.check_shares_window, wrong, words)


# ----------------------------------------------------------------- conclusion
EVIDENCE = {"GRU tagger, 160-180 bpm, specificity": 0.823,
            "window classifier, 160-180 bpm, sensitivity": 0.41,
            "conv tagger, RF 7, 160-180 bpm, specificity": 1.0,
            "GRU tagger, 40-50 bpm, sensitivity": 1.0}
GOOD = ("Trained at 60-100 bpm, every model finds widened beats in range. At 160-180 bpm the "
        "window classifier's sensitivity falls to 41%: a 0.6 s window then often holds two "
        "beats, a kind of window it never saw in training. Taggers trained on per-sample labels "
        "keep their sensitivity, but their specificity drops where the context they read "
        "changes: at 160-180 bpm the GRU keeps 82.3% of normal beats (its specificity), while "
        "the conv tagger with RF 7, which reads 56 ms, keeps a specificity of 100%. Memory is "
        "not what fixes the window; labelling every sample is. The generator widens beats at "
        "random, so these numbers say nothing yet about real bundle branch blocks.")
CONTRADICTS = GOOD.replace(
    "At 160-180 bpm the window classifier's sensitivity falls to 41%",
    "The GRU is the best model: at 160-180 bpm its specificity is 100%, while the conv tagger "
    "that reads 56 ms collapses to 41%")


def conclusion_case(text):
    return lambda: lab09.check_conclusion(text, EVIDENCE)


def test_conclusion_check_accepts_a_paragraph_backed_by_numbers(capsys):
    lab09.check_conclusion(GOOD, EVIDENCE)
    out = squash(capsys.readouterr().out)
    assert "✓ check_conclusion" in out and "Only the numbers were verified" in out


@pytest.mark.parametrize("text, words", [
    ("The GRU wins.", "has 3 words"),
    (GOOD.replace("41%", "45%"), "you quote 45%"),
    (CONTRADICTS, "you quote 100% in the sentence \"The GRU is the best model"),
    (CONTRADICTS, "does not name what that number measures"),
    (GOOD.replace("At 160-180 bpm the window", "At 130-150 bpm the window"), "lacks ['160-180']"),
    (GOOD.replace("keep their sensitivity, but their specificity drops where the context they "
                  "read changes: at 160-180 bpm the GRU keeps 82.3% of normal beats (its "
                  "specificity), while the conv tagger",
                  "keep their sensitivity. At 160-180 bpm the GRU's sensitivity is 82.3%. The "
                  "conv tagger"), "lacks ['specificity']"),
    (GOOD.replace("82.3%", "82%").replace("41%", "41.0%"), None),
    (GOOD.replace("specificity", "false alarms"), "never mentions specificity"),
    (GOOD.replace("160-180 bpm", "fast rates"), "name at least one heart-rate band"),
    (GOOD.replace("41%", "0.41").replace("82.3%", "0.823"), "quote at least two"),
    (GOOD.replace(" Memory", "\n\nMemory"), "one paragraph"),
    (" ".join([GOOD] * 3), "at most 250"),
    (42, "should be a string"),
    (None, "not implemented yet"),
])
def test_conclusion_check_names_the_mistake(text, words):
    if words is None:       # rounding as printed is accepted
        lab09.check_conclusion(text, EVIDENCE)
        return
    with pytest.raises(lab09.CheckFailed) as info:
        lab09.check_conclusion(text, EVIDENCE)
    assert words in squash(info.value.message), info.value.message


# ----------------------------------------------------------------- fixtures survive the student
class Keeper:
    """A student who keeps the arrays a check passed, to "normalise" them in a later cell."""

    def __init__(self, right):
        self.right, self.kept = right, []

    def __call__(self, *args):
        self.kept.extend(a for a in args if isinstance(a, np.ndarray))
        return self.right(*args)

    def spoil(self):
        for a in self.kept:
            a[...] = a[::-1].copy() if a.dtype == bool else a[::-1] // 2 if a.dtype.kind == "i" \
                else a[::-1] * 0.5


@pytest.mark.parametrize("check, right", [
    (lab09.check_select_and_score, select_ok), (lab09.check_shares_window, shares_ok)],
    ids=["select_and_score", "shares_window"])
def test_fixtures_survive_what_a_student_does_to_them(check, right, capsys):
    """A student's in-place change, during a call or later through a kept reference, never
    reaches the next check: each check builds its data afresh."""
    with pytest.raises(lab09.CheckFailed, match="in place"):
        check(mutating(right, 0))
    keeper = Keeper(right)
    check(keeper)
    first = capsys.readouterr().out
    keeper.spoil()
    check(right)
    assert f"✓ {check.__name__}" in first and capsys.readouterr().out == first


# ----------------------------------------------------------------- fallback
def test_student_or_reference_falls_back_and_says_why(capsys):
    assert lab09.student_or_reference(lab09.check_cut_windows, cut_ok, stub) is cut_ok
    assert capsys.readouterr().out == ""
    assert lab09.student_or_reference(lab09.check_cut_windows, stub, cut_ok) is cut_ok
    assert "using the reference cut_ok" in capsys.readouterr().out


def test_leakage_fixture_changes_every_class_dependent_field():
    record = lab09._edge_record()
    for field, scrambled in lab09._scrambled(record):
        assert scrambled.waves["R"] is record.waves["R"] or np.array_equal(
            scrambled.waves["R"], record.waves["R"]), field
        assert any(not np.array_equal(getattr(scrambled, f), getattr(record, f))
                   for f in ("qrs_onset", "qrs_offset", "beat_class", "qrs_duration", "qrs_spans")
                   ) or field.startswith("waves"), field
    assert dataclasses.replace(record).n_beats == record.n_beats


# ----------------------------------------------------------------- the systematic layer
CASES = [
    Case(lab09.check_dense_labels, dense_ok, returns=[(to_torch, "should be a NumPy array"),
                                                      (to_list, "should be a NumPy array"),
                                                      (to_float32, "expected int64"),
                                                      (to_int32, "expected int64")]),
    Case(lab09.check_window_labels, window_labels_ok,
         returns=[(to_numpy, "should be a torch.Tensor"), (to_int32, "expected torch.int64")]),
    Case(lab09.check_cut_windows, cut_ok, mutable=(0,),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_list, "should be a torch.Tensor")]),
    Case(lab09.check_beat_metrics, metrics_ok, mutable=(0, 1),
         returns=[(to_list, "return a dict")]),
    Case(lab09.check_select_and_score, select_ok, mutable=(0, 1, 2, 3)),
    Case(lab09.check_gru_tagger, capstone.GRUTagger),
    Case(lab09.check_conv_tagger, capstone.ConvTagger),
    Case(lab09.check_beat_scores, scores_ok, mutable=(0,),
         returns=[(to_torch, "should be a NumPy array"), (to_list, "should be a NumPy array"),
                  (to_int32, "not decisions")]),
    Case(lab09.check_shares_window, shares_ok, mutable=(0,),
         returns=[(to_list, "should be a NumPy array"), (to_int32, "expected bool")]),
    Case(lab09.check_conclusion, lambda: GOOD,
         run=lambda student: lab09.check_conclusion(student(), EVIDENCE)),
]
