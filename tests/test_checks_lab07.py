"""Every Lab 07 check accepts the right answer and names each planted mistake."""
import numpy as np
import pytest
import torch.nn.functional as F
from torch import nn

from course_utils.checks import lab07
from tests._checks import rejects as _fails, stub


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


def test_cut_windows_check_accepts_the_right_cut(capsys):
    lab07.check_cut_windows(cut_ok)
    assert "✓ check_cut_windows" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (cut_overlapping, "your windows overlap"),
    (cut_keeps_partial, "partial last window"),
    (cut_transposed, "transposed"),
    (cut_from_the_end, "from index 0"),
    (stub, "not implemented yet"),
])
def test_cut_windows_check_names_the_mistake(wrong, words):
    _fails(lab07.check_cut_windows, wrong, words)


# ----------------------------------------------------------------- GRU tagger
def tagger(hidden_size, *, batch_first=True, bidirectional=False, n_out=3, last_only=False):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(1, hidden_size, batch_first=batch_first, bidirectional=bidirectional)
            self.out = nn.Linear(hidden_size * (2 if bidirectional else 1), 3)

        def forward(self, x):
            h, _ = self.gru(x.unsqueeze(-1))
            if n_out != 3:
                return h
            return self.out(h[:, -1] if last_only else h)
    return Tagger()


def tagger_ok(h):
    return tagger(h)


def tagger_batch_first_missing(h):
    return tagger(h, batch_first=False)


def tagger_bidirectional(h):
    return tagger(h, bidirectional=True)


def tagger_no_head(h):
    return tagger(h, n_out=h)


def tagger_last_step(h):
    return tagger(h, last_only=True)


def test_tagger_check_accepts_a_causal_gru(capsys):
    lab07.check_gru_tagger(tagger_ok)
    assert "✓ check_gru_tagger" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (tagger_batch_first_missing, "batch_first=True"),
    (tagger_bidirectional, "looks at the future"),
    (tagger_no_head, "expected 3 classes"),
    (tagger_last_step, "one output per record"),
    (stub, "not implemented yet"),
])
def test_tagger_check_names_the_mistake(wrong, words):
    _fails(lab07.check_gru_tagger, wrong, words)


# ----------------------------------------------------------------- metrics
def _counts(t, p):
    t, p = np.asarray(t), np.asarray(p)
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
    return metrics_ok(1 - np.asarray(t), 1 - np.asarray(p))


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


def test_metrics_check_accepts_the_right_metrics(capsys):
    lab07.check_beat_metrics(metrics_ok)
    assert "✓ check_beat_metrics" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (metrics_swapped, "are swapped"),
    (metrics_normal_positive, "took the normal beats as the positives"),
    (metrics_precision, "the precision"),
    (metrics_npv, "TN / (TN + FN)"),
    (metrics_accuracy_of_widened, "accuracy is 0.273"),
    (metrics_tuple, "return a dict"),
    (stub, "not implemented yet"),
])
def test_metrics_check_names_the_mistake(wrong, words):
    _fails(lab07.check_beat_metrics, wrong, words)


# ----------------------------------------------------------------- fallback
def test_student_or_reference_falls_back_and_says_why(capsys):
    assert lab07.student_or_reference(lab07.check_cut_windows, cut_ok, stub) is cut_ok
    assert capsys.readouterr().out == ""
    assert lab07.student_or_reference(lab07.check_cut_windows, stub, cut_ok) is cut_ok
    assert "using the reference cut_ok" in capsys.readouterr().out
