"""Checks for Lab 09, the ECG capstone.

Each check runs the student's code on small inputs built to expose one mistake at a time,
compares it with the reference in :mod:`course_utils.capstone`, and names what differs: a QRS
cut by the record's end left unlabelled, a window label that forgets its second beat,
overlapping or transposed windows, a tagger that returns probabilities, mixes the records of
a batch, keeps a state between calls or reads the future, a per-beat decision that reads the
true QRS boundaries, the P wave or the beat's class (label leakage), a threshold chosen on
the test beats or with another rule, a conclusion quoting a number no cell computed or
quoting it in a sentence about another model or band.

Every fixture is built inside the check that uses it, so nothing a student's code does to
an argument can change what a later check sees.
"""
from __future__ import annotations

import dataclasses
import math
import re
from typing import Any, Callable, Mapping

import numpy as np
import torch
from torch import nn

from course_utils._feedback import (NOT_IMPLEMENTED, CheckFailed, call_student, evaluating,
                                    expect_array, passed, student_or_reference)
from course_utils.capstone import (abnormal_beat_metrics, balanced_accuracy, beat_scores,
                                   choose_threshold, cut_windows, shares_window, window_labels)
from course_utils.ecg import ECGRecord, generate_ecg

__all__ = ["check_dense_labels", "check_window_labels", "check_cut_windows",
           "check_beat_metrics", "check_select_and_score", "check_gru_tagger",
           "check_beat_scores", "check_conv_tagger", "check_shares_window", "check_conclusion",
           "student_or_reference"]

WIDTH = 75   # the lab's window: 0.6 s at 125 Hz


# --------------------------------------------------------------------------- fixtures
def _edge_record() -> ECGRecord:
    """4 s at 80 bpm: a widened QRS cut by the record's start, a complete normal QRS whose
    T wave the record's end cuts (so it is in qrs_spans but not in the per-beat arrays),
    and both classes among the complete beats."""
    return generate_ecg(4.0, 80, 0.08, 125, wide_fraction=0.5, wide_qrs_duration=0.14,
                        first_r=0.02, seed=6)


def _fast_record() -> ECGRecord:
    """150 bpm, 75-sample windows: window 2 holds a normal then a widened R peak, window 4
    a widened then a normal one, and an R peak lies in the partial last window."""
    return generate_ecg(4.5, 150, 0.08, 125, wide_fraction=0.4, wide_qrs_duration=0.14,
                        hr_variability=0.03, seed=5)


def _slow_record() -> ECGRecord:
    """45 bpm, 75-sample windows: R peaks in windows 1, 3 and 5 only."""
    return generate_ecg(4.5, 45, 0.08, 125, wide_fraction=0.5, wide_qrs_duration=0.14, seed=1)


_RECORD_FIELDS = ("signal", "qrs_onset", "qrs_offset", "qrs_duration", "beat_class", "rr",
                  "qrs_spans")


def _snapshot(record: ECGRecord) -> dict[str, np.ndarray]:
    shot = {name: getattr(record, name).copy() for name in _RECORD_FIELDS}
    shot.update({f"waves[{w!r}]": v.copy() for w, v in record.waves.items()})
    return shot


def _call_on_record(check: str, func: Callable, record: ECGRecord, *args, **kwargs) -> Any:
    """call_student, and fail if the student changed the record's arrays in place."""
    before = _snapshot(record)
    out = call_student(check, func, *args, **kwargs)
    after = _snapshot(record)
    for name, old in before.items():
        if not np.array_equal(old, after[name]):
            raise CheckFailed(check, f"your function changed the record's `{name}` in place. "
                              "Leave the record as it is: work on a copy (`.copy()`).")
    return out


def _translating(check: str, func: Callable, translate: Callable[[Exception], str | None]
                 ) -> Callable:
    """``func``, except that an error ``translate`` recognises becomes a CheckFailed with its
    words (call_student passes a CheckFailed on as it is); any other error stays as it was."""
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as exc:
            message = translate(exc)
            if message is None:
                raise
            raise CheckFailed(check, message) from None
    run.__name__ = getattr(func, "__name__", "your function")
    run.__wrapped__ = func          # call_student reads the parameter names through it
    return run


def _runs(mask: np.ndarray) -> str:
    """'12-20, 35' for the indices where ``mask`` is true."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return ""
    parts, start = [], idx[0]
    for a, b in zip(idx, list(idx[1:]) + [None]):
        if b is None or b != a + 1:
            parts.append(f"{start}" if start == a else f"{start}-{a}")
            start = b
    return ", ".join(parts[:4]) + (" ..." if len(parts) > 4 else "")


# --------------------------------------------------------------------------- labels
def _labels_from(spans, n: int) -> np.ndarray:
    labels = np.zeros(n, dtype=np.int64)
    for on, off, cls in spans:
        labels[on:off + 1] = 1 + int(cls)
    return labels


def check_dense_labels(student_dense_labels: Callable[..., Any]) -> None:
    """dense_labels(record) -> (T,) int labels: 0 no QRS, 1 normal QRS, 2 widened QRS, for
    every QRS in the record (record.qrs_spans), its onset and offset samples included."""
    check = "check_dense_labels"
    record = _edge_record()
    n = len(record.signal)
    got = _call_on_record(check, student_dense_labels, record, record)
    expect_array(check, "your labels", got, library="numpy", shape=(n,), dtype=np.dtype("int64"),
                 hint="Return one int64 label per sample: np.zeros(len(record.signal), "
                      "dtype=np.int64), then fill in each QRS. F.cross_entropy needs int64 "
                      "targets, and dtype=int is int32 on some systems (Windows with NumPy 1).")
    want = record.sample_labels()
    if np.array_equal(got, want):
        passed(check, f"{n} labels: {int((want == 1).sum())} samples of normal and "
               f"{int((want == 2).sum())} of widened QRS, including the complexes the "
               "record's ends cut.")
        return
    qrs = want > 0
    if set(np.unique(got[qrs]).tolist()) <= {0, 1} and np.array_equal(got[~qrs], want[~qrs]) \
            and (got[qrs] == want[qrs] - 1).mean() > 0.9:
        raise CheckFailed(check, "inside a QRS you store the beat class (0 normal, 1 widened); "
                          "the labels are 1 inside a normal QRS and 2 inside a widened one, "
                          "because 0 already means 'no QRS here': use 1 + class.")
    if set(np.unique(got).tolist()) <= {0, 1} and np.array_equal(got > 0, qrs):
        raise CheckFailed(check, "every QRS sample gets 1: widened QRS samples must be 2 (the "
                          "third column of qrs_spans is the class: label = 1 + class).")
    beats_only = _labels_from(zip(record.qrs_onset, record.qrs_offset, record.beat_class), n)
    if np.array_equal(got, beats_only):
        first, last = record.qrs_spans[0], record.qrs_spans[-1]
        raise CheckFailed(check, f"samples {first[0]}-{first[1]} and {last[0]}-{last[1]} lie "
                          "in QRS complexes near the record's ends and you label them 0 (no "
                          "QRS): qrs_onset and qrs_offset list only the beats wholly inside "
                          "the record. Use record.qrs_spans, which holds every QRS in it; "
                          "otherwise the model learns that a QRS near an end is none.")
    exclusive = _labels_from([(on, off - 1, c) for on, off, c in record.qrs_spans], n)
    if np.array_equal(got, exclusive):
        raise CheckFailed(check, f"the last sample of each QRS is labelled 0 (e.g. sample "
                          f"{record.qrs_spans[1][1]}): the offset is inclusive, so a QRS "
                          "covers on..off, the slice [on:off + 1].")
    late = _labels_from([(on + 1, off, c) for on, off, c in record.qrs_spans], n)
    if np.array_equal(got, late):
        raise CheckFailed(check, f"the first sample of each QRS is labelled 0 (e.g. sample "
                          f"{record.qrs_spans[1][0]}): the onset is inclusive.")
    wrong = got != want
    i = int(np.argmax(wrong))
    raise CheckFailed(check, f"your labels differ at {int(wrong.sum())} of {n} samples "
                      f"({_runs(wrong)}); at sample {i} you give {int(got[i])}, expected "
                      f"{int(want[i])}.")


def check_window_labels(student_window_labels: Callable[..., Any]) -> None:
    """window_labels(record, width) -> (T // width,) int64 tensor: -1 for a window without an
    R peak, 1 if a widened beat's R peak lies in it, else 0."""
    check = "check_window_labels"
    summary = []
    for name, record in (("a 150 bpm record", _fast_record()), ("a 45 bpm record", _slow_record())):
        n_full = len(record.signal) // WIDTH

        def past_the_end(exc: Exception, record=record, n_full=n_full) -> str | None:
            late = record.waves["R"][record.waves["R"] // WIDTH >= n_full]
            if not isinstance(exc, IndexError) or not len(late):
                return None
            return (f"your function raised IndexError ({exc}) on {name}: its R peak at sample "
                    f"{int(late[0])} lies in the partial last window, whose index "
                    f"{int(late[0]) // WIDTH} is one past the last label (there are "
                    f"{n_full} full windows). Skip the beats whose window index is >= "
                    "len(record.signal) // width: the partial window is dropped.")
        got = _call_on_record(check, _translating(check, student_window_labels, past_the_end),
                              record, record, WIDTH)
        want = window_labels(record, WIDTH)
        n = len(want)
        if isinstance(got, torch.Tensor) and got.dim() == 1 and len(got) == n + 1:
            raise CheckFailed(check, f"for {name} of {len(record.signal)} samples you return "
                              f"{n + 1} labels: drop the partial last window (its "
                              f"{len(record.signal) % WIDTH} samples are not a window), as "
                              "cut_windows does: one label per full window.")
        expect_array(check, "your labels", got, library="torch", shape=(n,), dtype=torch.int64,
                     hint="Start from torch.full((len(record.signal) // width,), -1, "
                          "dtype=torch.long).")
        if torch.equal(got, want):
            summary.append(name)
            continue
        window = record.waves["R"] // WIDTH
        empty = [k for k in range(n) if k not in set(window.tolist())]
        for k in empty:
            if int(got[k]) != -1:
                raise CheckFailed(check, f"in {name}, window {k} holds no R peak and you label "
                                  f"it {int(got[k])}: label it -1, so that training leaves it "
                                  "out (a 0 would teach the model that an empty window is a "
                                  "normal beat).")
        for k in range(n):
            classes = record.beat_class[window == k].tolist()
            if len(classes) > 1 and int(got[k]) != int(want[k]):
                hint = (": a window is widened if any of its beats is (keep the maximum, not "
                        "the last or the first beat's class)." if set(classes) == {0, 1}
                        and int(got[k]) == 0 else f"; expected {int(want[k])}.")
                raise CheckFailed(check, f"in {name}, window {k} holds the R peaks of beats "
                                  f"of classes {classes} (0 normal, 1 widened) and you label "
                                  f"it {int(got[k])}{hint}")
        k = int(torch.argmax((got != want).int()))
        onset_window = record.qrs_onset // WIDTH
        if (onset_window != window).any() and torch.equal(
                got, _labels_at(onset_window, record.beat_class, n)):
            raise CheckFailed(check, f"in {name}, window {k}: you place each beat by its QRS "
                              "onset; place it by its R peak (record.waves['R']), the point "
                              "the per-beat decision also uses.")
        raise CheckFailed(check, f"in {name}, window {k} should be {int(want[k])}, yours is "
                          f"{int(got[k])} (R peaks in it: {record.waves['R'][window == k].tolist()}"
                          f", classes {record.beat_class[window == k].tolist()}).")
    passed(check, f"right on {' and '.join(summary)}: empty windows -1, a window with a widened "
           "beat 1, the partial last window dropped.")


def _labels_at(window: np.ndarray, classes: np.ndarray, n: int) -> torch.Tensor:
    labels = torch.full((n,), -1, dtype=torch.long)
    for k, c in zip(window, classes):
        if k < n:
            labels[k] = max(int(labels[k]), int(c))
    return labels


# --------------------------------------------------------------------------- windows
def check_cut_windows(student_cut_windows: Callable[..., Any]) -> None:
    """Consecutive, non-overlapping windows of ``width`` samples; the partial last one dropped,
    and no full window dropped (tested on a length that ``width`` divides and one it does not)."""
    check = "check_cut_windows"
    width = 5
    for length in (23, 20):
        signal = torch.arange(length, dtype=torch.float32)
        _check_cut(check, student_cut_windows, signal, width)
    passed(check, f"signals of 23 and 20 samples give 4 windows of {width} each, in order: the "
           "partial window dropped, every full one kept.")


def _check_cut(check: str, student_cut_windows: Callable, signal: torch.Tensor,
               width: int) -> None:
    got = call_student(check, student_cut_windows, signal, width)
    expect_array(check, "your windows", got, library="torch",
                 hint="Slice and reshape the tensor; do not convert it.")
    want = cut_windows(signal, width)
    n, T = len(want), len(signal)
    if got.dim() == 2 and got.shape[1] == width and len(got) > T // 2:
        raise CheckFailed(check, f"you return {len(got)} windows of {width} samples for a signal "
                          f"of {T}: your windows overlap (a stride of 1?). Step by the window "
                          f"width: {n} windows.")
    if got.dim() == 2 and got.shape[1] == width and len(got) == n + 1:
        raise CheckFailed(check, f"you keep the partial last window ({T % width} real samples): "
                          f"drop it, so a signal of {T} gives {n} windows.")
    if got.dim() == 2 and got.shape[1] == width and len(got) == n - 1 and T % width == 0 \
            and torch.equal(got, want[:-1]):
        raise CheckFailed(check, f"a signal of {T} samples holds exactly {n} windows of {width}, "
                          f"and you return {n - 1}: you drop the last window although it is "
                          "full. Drop a window only when it is partial (T // width full "
                          "windows); in the lab 1125 = 15 x 75, so you would lose real beats.")
    expect_array(check, "your windows", got, library="torch", shape=tuple(want.shape),
                 dtype=signal.dtype)
    if torch.equal(got, want):
        return
    if torch.equal(got.flatten().sort().values, want.flatten().sort().values):
        raise CheckFailed(check, f"window 0 must hold consecutive samples {want[0].tolist()}; "
                          f"yours holds {got[0].tolist()}: you reshaped in the wrong order "
                          "(transposed).")
    raise CheckFailed(check, f"for a signal of {T} samples, window 0 must hold samples "
                      f"{want[0].tolist()} (the first {width} samples, from index 0); yours "
                      f"holds {got[0].tolist()}.")


# --------------------------------------------------------------------------- metrics
def _close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), abs_tol=1e-9)


def check_beat_metrics(student_metrics: Callable[..., Any]) -> None:
    """A dict with accuracy, sensitivity (widened beats found) and specificity (normal kept),
    for int truth and bool or int predictions, as the lab passes them."""
    check = "check_beat_metrics"
    t = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    p = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1])    # TP 3, FN 1, TN 4, FP 3
    tp, fn, tn, fp = 3, 1, 4, 3
    want = abnormal_beat_metrics(t, p)
    for predictions, kind in ((p.astype(bool), "bool predictions (scores >= threshold)"),
                              (p, "0/1 predictions")):
        got = call_student(check, student_metrics, t, predictions)
        if not isinstance(got, dict):
            raise CheckFailed(check, f"return a dict with keys accuracy, sensitivity, specificity; "
                              f"got {type(got).__name__}.")
        missing = [k for k in ("accuracy", "sensitivity", "specificity") if k not in got]
        if missing:
            raise CheckFailed(check, f"your dict lacks the key(s) {missing}.")
        for key in ("accuracy", "sensitivity", "specificity"):
            if isinstance(got[key], bool) or not isinstance(got[key], (float, int, np.floating)):
                raise CheckFailed(check, f"{key} should be a number (a float), got "
                                  f"{type(got[key]).__name__}.")
        if _close(got["sensitivity"], want["specificity"]) and _close(got["specificity"],
                                                                      want["sensitivity"]):
            raise CheckFailed(check, f"sensitivity and specificity are swapped (or you took the "
                              f"normal beats as the positives): sensitivity = TP / (TP + FN) = "
                              f"{tp}/{tp + fn} = {want['sensitivity']:.3f} counts the widened "
                              "beats found.")
        if _close(got["sensitivity"], tp / (tp + fp)):
            raise CheckFailed(check, f"your sensitivity {got['sensitivity']:.3f} is TP / (TP + FP), "
                              f"the precision; sensitivity divides by the widened beats: TP / "
                              f"(TP + FN) = {want['sensitivity']:.3f}.")
        if _close(got["specificity"], tn / (tn + fn)):
            raise CheckFailed(check, f"your specificity {got['specificity']:.3f} is TN / (TN + FN); "
                              f"specificity divides by the normal beats: TN / (TN + FP) = "
                              f"{want['specificity']:.3f}.")
        for key in ("accuracy", "sensitivity", "specificity"):
            if not _close(got[key], want[key]):
                raise CheckFailed(check, f"with {kind}, {key} is {float(got[key]):.3f}, expected "
                                  f"{want[key]:.3f} (TP {tp}, FN {fn}, TN {tn}, FP {fp}).")
    passed(check, f"accuracy {want['accuracy']:.3f}, sensitivity {want['sensitivity']:.3f}, "
           f"specificity {want['specificity']:.3f} on 11 beats, for bool and 0/1 predictions.")


# --------------------------------------------------------------------------- threshold
def _threshold_fixture() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validation and test beats (scores, truth), built afresh for every call.

    Validation: (sensitivity + specificity) / 2 is best between 0.25 and 0.30 (0.857); the
    threshold with the best accuracy, and the one with the best F1, lies between 0.50 and 0.60
    (0.833), and 0.5 gives 0.810, so each other rule shows. Test: its own best threshold lies
    elsewhere (0.45-0.52), so a choice made on it shows; rescaling its scores with its own
    minimum and maximum, or mean and standard deviation, changes the metrics."""
    val_scores = np.array([0.30, 0.33, 0.60, 0.70, 0.80, 0.90,
                           0.05, 0.10, 0.12, 0.15, 0.20, 0.22, 0.25, 0.40, 0.45, 0.50, 0.11,
                           0.02, 0.31, 0.08])
    val_truth = np.array([1] * 6 + [0] * 14)
    test_scores = np.array([0.28, 0.55, 0.65, 0.75, 0.95, 0.52,
                            0.29, 0.30, 0.33, 0.10, 0.45, 0.20, 0.05, 0.27, 0.40, 0.31])
    test_truth = np.array([1] * 6 + [0] * 10)
    return val_scores, val_truth, test_scores, test_truth


def _best_by(rule: str, scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(threshold, balanced accuracy) of the threshold that maximises ``rule`` ("accuracy" or
    "F1") on these beats, among the candidates choose_threshold uses."""
    u = np.unique(scores)
    candidates = np.concatenate([[u[0] - 1.0], (u[1:] + u[:-1]) / 2, [u[-1] + 1.0]])

    def value(c):
        called = scores >= c
        if rule == "accuracy":
            return np.mean(called == truth)
        tp = np.sum(called & (truth == 1))
        return 2 * tp / (called.sum() + (truth == 1).sum())
    best = max(candidates, key=value)
    return float(best), balanced_accuracy(scores, truth, best)


def _as_threshold_and_metrics(check: str, out: Any) -> tuple[float, dict]:
    if isinstance(out, dict):
        raise CheckFailed(check, "you return only the metrics: return (threshold, metrics), the "
                          "threshold first, so the lab can report what you chose.")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(check, f"return a pair (threshold, metrics), got {type(out).__name__}.")
    threshold, metrics = out
    if isinstance(threshold, dict) and not isinstance(metrics, dict):
        raise CheckFailed(check, "return (threshold, metrics) in that order.")
    if isinstance(threshold, bool) or not isinstance(threshold, (float, int, np.floating,
                                                                 np.integer)):
        raise CheckFailed(check, f"the threshold should be a number, got "
                          f"{type(threshold).__name__}.")
    if not math.isfinite(float(threshold)):
        raise CheckFailed(check, f"the threshold should be finite, got {threshold!r}.")
    if not isinstance(metrics, dict) or not {"sensitivity", "specificity"} <= set(metrics):
        raise CheckFailed(check, "the metrics should be a dict with sensitivity and specificity "
                          "(your beat_metrics).")
    return float(threshold), metrics


def check_select_and_score(student_select: Callable[..., Any]) -> None:
    """select_and_score(val_scores, val_truth, test_scores, test_truth) -> (threshold, metrics):
    the threshold maximises (sensitivity + specificity) / 2 on validation, whatever the test
    beats are, and the metrics are the test beats' at that threshold (widened: score >= it)."""
    check = "check_select_and_score"
    val_scores, val_truth, test_scores, test_truth = _threshold_fixture()
    out = call_student(check, student_select, val_scores, val_truth, test_scores, test_truth)
    threshold, metrics = _as_threshold_and_metrics(check, out)
    rng = np.random.default_rng(0)
    n_test = len(test_truth)
    other_scores = np.clip(test_scores[rng.permutation(n_test)] + 0.3, 0, 1)
    other_truth = test_truth[rng.permutation(n_test)]
    again, _ = _as_threshold_and_metrics(check, call_student(
        check, student_select, val_scores, val_truth, other_scores, other_truth))
    if not _close(again, threshold):
        raise CheckFailed(check, f"your threshold moved from {threshold:.3f} to {again:.3f} when "
                          "only the test beats changed: it was chosen with the test split. "
                          "Choose it on the validation beats alone; the test beats are scored "
                          "once, with the threshold fixed.")
    val_best = balanced_accuracy(val_scores, val_truth, choose_threshold(val_scores, val_truth))
    val_yours = balanced_accuracy(val_scores, val_truth, threshold)
    if val_yours < val_best - 1e-12:
        why = ""
        if _close(threshold, 0.5):
            why = (" You kept 0.5: the best threshold depends on the model's scores; find it "
                   "on validation.")
        rules = [rule for rule in ("accuracy", "F1")
                 if _close(threshold, _best_by(rule, val_scores, val_truth)[0])]
        if rules and not why:
            why = (f" Your threshold is the one with the best {' and the best '.join(rules)} on "
                   "validation; the lab asks for the best (sensitivity + specificity) / 2, "
                   "which weighs the widened beats, a minority, as much as the normal ones.")
        raise CheckFailed(check, f"your threshold {threshold:.3f} gives (sensitivity + "
                          f"specificity) / 2 = {val_yours:.3f} on the validation beats; "
                          f"{val_best:.3f} is reachable (try each value between two validation "
                          f"scores as the threshold, a beat being widened when its score >= "
                          f"threshold).{why}")
    want = abnormal_beat_metrics(test_truth, test_scores >= threshold)
    on_val = abnormal_beat_metrics(val_truth, val_scores >= threshold)
    got = {k: metrics[k] for k in ("sensitivity", "specificity")}
    if not all(_close(got[k], want[k]) for k in got):
        if all(_close(got[k], on_val[k]) for k in got):
            raise CheckFailed(check, "your metrics are the validation beats' (used to choose the "
                              "threshold): report the test beats' at that threshold.")
        strict = abnormal_beat_metrics(test_truth, test_scores > threshold)
        if all(_close(got[k], strict[k]) for k in got):
            raise CheckFailed(check, f"your test metrics count a beat as widened when its score "
                              f"> {threshold:.3f}; the rule (the same as on validation) is "
                              "score >= threshold.")
        rescaled = {
            "their own minimum and maximum": (test_scores - test_scores.min())
            / (test_scores.max() - test_scores.min()),
            "their own mean and standard deviation": (test_scores - test_scores.mean())
            / test_scores.std()}
        for how, z in rescaled.items():
            if all(_close(got[k], abnormal_beat_metrics(test_truth, z >= threshold)[k])
                   for k in got):
                raise CheckFailed(check, f"your test metrics match the test scores rescaled with "
                                  f"{how}: that sets the scale with the test split, a leak of "
                                  "test information into the decision. Apply the validation "
                                  "threshold to the test scores as they are.")
        raise CheckFailed(check, f"at your threshold {threshold:.3f} the test beats have "
                          f"sensitivity {want['sensitivity']:.3f} and specificity "
                          f"{want['specificity']:.3f}; you report {float(got['sensitivity']):.3f}"
                          f" and {float(got['specificity']):.3f}.")
    passed(check, f"threshold {threshold:.3f} chosen on validation ((sens + spec) / 2 = "
           f"{val_yours:.3f}, the best reachable), unchanged when the test beats change; test "
           f"sensitivity {want['sensitivity']:.3f}, specificity {want['specificity']:.3f}.")


# --------------------------------------------------------------------------- taggers
def _tagger_output(check: str, out: Any, B: int, T: int) -> torch.Tensor:
    """The logits (B, T, 3) of a tagger, or a message naming what is wrong with them."""
    if isinstance(out, (tuple, list)):
        raise CheckFailed(check, f"forward returns a {type(out).__name__} of {len(out)}: return "
                          "only the logits tensor (B, T, 3). (nn.GRU returns (output, h_n): "
                          "keep output and apply the head to it.)")
    expect_array(check, "forward's output", out, library="torch")
    shape = tuple(out.shape)
    if shape == (B, 3):
        raise CheckFailed(check, f"you return one output per record {shape}; a tagger labels "
                          f"every step: return the logits of all steps, (B, T, 3) = {(B, T, 3)}.")
    if shape == (B, 3, T):
        raise CheckFailed(check, f"your output has shape {shape}: the classes sit on dimension 1 "
                          "as Conv1d leaves them. Transpose to (B, T, 3) = "
                          f"{(B, T, 3)}: `.transpose(1, 2)`.")
    if len(shape) == 3 and shape[0] == B and shape[2] == 3 and shape[1] < T:
        raise CheckFailed(check, f"your output has {shape[1]} steps for an input of {T}: each "
                          "convolution shortens the sequence by (kernel_size - 1) * dilation. "
                          "Pad that many zeros on the left of its input.")
    if len(shape) == 3 and shape[:2] == (B, T) and shape[2] != 3:
        raise CheckFailed(check, f"your logits have {shape[2]} entries per step, expected 3 "
                          "classes (no QRS, normal, widened): end with a layer to 3 outputs.")
    expect_array(check, "your logits", out, library="torch", shape=(B, T, 3), dtype="floating")
    if bool((out >= 0).all()):
        ones = torch.ones(())
        over = [(dim, what) for dim, what in ((-1, "the 3 classes of each step"),
                                              (1, "the time steps of each record (dim 1)"),
                                              (0, "the records of the batch (dim 0)"))
                if torch.allclose(out.sum(dim), ones.expand_as(out.sum(dim)), atol=1e-4)]
        if over and over[0][0] == -1:
            raise CheckFailed(check, "your tagger returns probabilities (each step's 3 outputs "
                              "are >= 0 and sum to 1): return logits. F.cross_entropy applies "
                              "the softmax itself; after a second one no class can reach a "
                              "probability above e / (e + 2) = 0.58.")
        if over:
            raise CheckFailed(check, f"your outputs are >= 0 and sum to 1 over {over[0][1]}: "
                              "a softmax over that dimension. Return logits, the last layer's "
                              "outputs with nothing applied after them; F.cross_entropy applies "
                              "the softmax over the classes itself.")
        raise CheckFailed(check, "none of your outputs is negative, but logits take either "
                          "sign: return the last layer's outputs with nothing applied after "
                          "them (F.cross_entropy applies the softmax itself).")
    return out


def _same_input_same_output(check: str, model: nn.Module, x: torch.Tensor,
                            out: torch.Tensor) -> None:
    """Fail if a second call on the same input (eval mode) gives other outputs."""
    again = call_student(check, model, x)
    if not (isinstance(again, torch.Tensor) and again.shape == out.shape and _same(again, out)):
        raise CheckFailed(check, "forward gives different outputs for the same input (in eval "
                          "mode, twice in a row): a state kept between calls, or layers built "
                          "inside forward? Build every layer in __init__ and start each call "
                          "from a zero state.")


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, atol=1e-6)


def check_gru_tagger(student_tagger_class: Callable[..., Any]) -> None:
    """GRUTagger(hidden_size)(x: (B, T)) -> logits (B, T, 3), causal, one record per row."""
    check = "check_gru_tagger"
    torch.manual_seed(0)
    model = call_student(check, student_tagger_class, 8)
    if not isinstance(model, nn.Module):
        raise CheckFailed(check, f"GRUTagger(8) must build an nn.Module, got {type(model).__name__}.")
    grus = [m for m in model.modules() if isinstance(m, nn.GRU)]
    if not grus:
        raise CheckFailed(check, "your model has no nn.GRU: the exercise is a recurrent tagger.")
    if grus[0].hidden_size != 8:
        raise CheckFailed(check, f"GRUTagger(8) built a GRU of hidden_size {grus[0].hidden_size}: "
                          "pass the hidden_size argument on to nn.GRU.")
    B, T = 3, 40
    x = torch.randn(B, T, generator=torch.Generator().manual_seed(1))

    def no_feature_dimension(exc: Exception) -> str | None:
        if isinstance(exc, RuntimeError) and "input_size" in str(exc):
            return (f"nn.GRU raised \"{exc}\": it reads inputs (B, T, D) with D numbers per "
                    f"step, here D = 1, and you passed the signals {(B, T)} as they are, so it "
                    f"took {T} numbers for the features of each step. Add the feature "
                    "dimension: self.gru(x.unsqueeze(-1)).")
        return None
    run = _translating(check, model, no_feature_dimension)
    with evaluating(model), torch.no_grad():   # dropout off: two calls must agree
        out = _tagger_output(check, call_student(check, run, x), B, T)
        _same_input_same_output(check, run, x, out)
        x2 = x.clone()
        x2[0] += 1.0
        if not _same(call_student(check, run, x2)[1:], out[1:]):
            why = (" Your GRU reads dimension 0 as time: build it with batch_first=True so "
                   "dimension 0 is the batch, dimension 1 the time."
                   if not grus[0].batch_first else
                   " Your GRU has batch_first=True, so something else in forward mixes the rows "
                   "(a mean or a norm over dimension 0? a reshape that crosses records?).")
            raise CheckFailed(check, "changing record 0 changed the outputs for record 1: your "
                              f"tagger mixes the records of a batch.{why}")
        x3 = x.clone()
        x3[:, 30:] += 1.0
        if not _same(call_student(check, run, x3)[:, :30], out[:, :30]):
            why = (" Your GRU is bidirectional: its backward half reads from the end."
                   if any(g.bidirectional for g in grus) else "")
            raise CheckFailed(check, "changing the input after step 30 changed your outputs before "
                              f"step 30: your tagger looks at the future.{why} It must read the "
                              "record step by step, as a monitor does.")
    passed(check, f"logits of shape {(B, T, 3)}, one record per row, each step sees only the past.")


def check_conv_tagger(student_tagger_class: Callable[..., Any]) -> None:
    """ConvTagger(channels, kernel_size, dilations)(x: (B, T)) -> logits (B, T, 3), causal,
    with a receptive field of 1 + (kernel_size - 1) * sum(dilations) samples."""
    check = "check_conv_tagger"
    torch.manual_seed(0)
    k, dilations = 3, (1, 2)
    rf = 1 + (k - 1) * sum(dilations)
    model = call_student(check, student_tagger_class, channels=8, kernel_size=k,
                         dilations=dilations)
    if not isinstance(model, nn.Module):
        raise CheckFailed(check, f"ConvTagger(...) must build an nn.Module, got "
                          f"{type(model).__name__}.")
    channels = 8
    dilated = [m for m in model.modules() if isinstance(m, nn.Conv1d) and m.kernel_size == (k,)]
    if not dilated:
        raise CheckFailed(check, f"ConvTagger(channels=8, kernel_size={k}, dilations={dilations}) "
                          f"has no nn.Conv1d with kernel_size={k}: build one nn.Conv1d of "
                          "kernel_size per entry of dilations.")
    wrong = [m.out_channels for m in dilated if m.out_channels != channels]
    if wrong:
        raise CheckFailed(check, f"ConvTagger(channels={channels}, ...) built convolutions with "
                          f"{wrong[0]} output channels: pass the channels argument on to every "
                          "dilated nn.Conv1d.")
    B, T, s = 4, 60, 30
    x = torch.randn(B, T, generator=torch.Generator().manual_seed(1))

    def first_conv_channels(exc: Exception) -> str | None:
        if isinstance(exc, RuntimeError) and "channels, but got 1 channels" in str(exc):
            return (f"a convolution expects more than 1 input channel but gets the signal, "
                    f"which has 1 (x.unsqueeze(1) is (B, 1, T)): PyTorch says \"{exc}\". "
                    "Build the first nn.Conv1d with in_channels=1 and the others with "
                    "`channels`.")
        return None
    run = _translating(check, model, first_conv_channels)
    with evaluating(model), torch.no_grad():
        out = _tagger_output(check, call_student(check, run, x), B, T)
        _same_input_same_output(check, run, x, out)
        x2 = x.clone()
        x2[:, s] += 3.0
        changed = (call_student(check, run, x2) - out).abs().amax(dim=(0, 2)) > 1e-6
        if changed[:s].any():
            raise CheckFailed(check, f"changing the input at step {s} changed your outputs at steps "
                              f"{_runs(changed[:s].numpy())}, before it: your tagger looks at the "
                              "future. Padding on both sides (padding='same') or on the right "
                              "does this: pad (kernel_size - 1) * dilation zeros on the left "
                              "only, F.pad(h, (left, 0)).")
        if not changed[s]:
            raise CheckFailed(check, f"the output at step {s} does not change with the input at "
                              f"step {s}: each output must read its own step.")
        measured = int(np.flatnonzero(changed.numpy())[-1]) - s + 1
        if measured != rf:
            undilated = 1 + (k - 1) * len(dilations)
            hint = (" You do not dilate: pass dilation=dilations[i] to the i-th Conv1d (and pad "
                    "by (kernel_size - 1) * dilation)." if measured == undilated else "")
            raise CheckFailed(check, f"with kernel_size={k} and dilations={dilations} the input at "
                              f"step {s} reaches your outputs up to step {s + measured - 1}: a "
                              f"receptive field of {measured} samples, expected "
                              f"1 + (kernel_size - 1) * sum(dilations) = {rf}.{hint}")
        y1, y2 = torch.randn(2, B, T, generator=torch.Generator().manual_seed(2))
        zero = call_student(check, run, torch.zeros(B, T))
        if _same(call_student(check, run, y1) + call_student(check, run, y2) - zero,
                 call_student(check, run, y1 + y2)):
            raise CheckFailed(check, "your tagger is linear in its input: put a ReLU after each "
                              "dilated convolution, or the layers collapse into one filter.")
    passed(check, f"logits of shape {(B, T, 3)}, causal, receptive field {rf} samples for "
           f"kernel_size={k} and dilations={dilations}, {channels} channels.")


# --------------------------------------------------------------------------- per-beat decision
def _probabilities(n: int) -> np.ndarray:
    """Per-sample probabilities (n, 3) that vary from sample to sample, as a tagger's do."""
    return np.random.default_rng(7).dirichlet((1.0, 1.0, 1.0), size=n)


def _scrambled(record: ECGRecord) -> list[tuple[str, ECGRecord]]:
    """Copies of ``record`` with one kind of class-dependent label changed (R peaks kept)."""
    shifted = np.clip(record.qrs_spans + np.array([-2, 3, 0]), 0, len(record.signal) - 1)
    waves = {w: (v + 1 + np.arange(len(v)) % 3 if w in "PQST" else v)   # a shift per beat
             for w, v in record.waves.items()}
    flipped = 1 - record.beat_class
    return [
        ("qrs_offset", dataclasses.replace(record, qrs_offset=record.qrs_offset + 3)),
        ("qrs_onset", dataclasses.replace(record, qrs_onset=record.qrs_onset - 2)),
        ("beat_class", dataclasses.replace(record, beat_class=flipped)),
        ("qrs_duration", dataclasses.replace(record, qrs_duration=record.qrs_duration + 0.02)),
        ("qrs_spans", dataclasses.replace(record, qrs_spans=np.column_stack(
            [shifted[:, :2], 1 - shifted[:, 2]]))),
        ("waves (P, Q, S or T)", dataclasses.replace(record, waves=waves)),
    ]


def check_beat_scores(student_beat_scores: Callable[..., Any]) -> None:
    """beat_scores(step_probs, record, half_width) -> (n_beats,) floats: the share of P(widened)
    in P(normal) + P(widened) over R - half_width .. R + half_width, reading nothing of the
    record but its R peaks (no label leakage)."""
    check = "check_beat_scores"
    record = _edge_record()
    probs = _probabilities(len(record.signal))
    got = _call_on_record(check, student_beat_scores, record, probs, record, 12)
    expect_array(check, "your scores", got, library="numpy", shape=(record.n_beats,),
                 hint="One score per labelled beat (record.n_beats), as a NumPy array.")
    if not np.issubdtype(got.dtype, np.floating):
        raise CheckFailed(check, f"your scores have dtype {got.dtype}: return the scores "
                          "themselves (floats between 0 and 1), not decisions; the threshold "
                          "is chosen later, on validation.")
    for field, scrambled in _scrambled(record):
        again = call_student(check, student_beat_scores, probs, scrambled, 12)
        if not (isinstance(again, np.ndarray) and again.shape == got.shape
                and np.allclose(again, got, atol=1e-9, equal_nan=True)):
            raise CheckFailed(check, f"your scores change when the record's `{field}` changes: "
                              "the decision reads the answer. It may use the model's outputs "
                              "and the R peak's position only; the true QRS end, onset, "
                              "duration, wave positions and class are known only because the "
                              "data are labelled (the true QRS is longer, and its P wave "
                              "farther from R, exactly for widened beats). Read a fixed span "
                              "around each R peak instead.")
    want = beat_scores(probs, record, 12)
    if np.allclose(got, want, atol=1e-9):
        other = call_student(check, student_beat_scores, probs, record, 5)
        if np.allclose(other, want, atol=1e-9):
            raise CheckFailed(check, "your scores do not change with half_width (5 gives the same "
                              "as 12): read the span R - half_width .. R + half_width.")
        if not np.allclose(other, beat_scores(probs, record, 5), atol=1e-9):
            raise CheckFailed(check, "with half_width=5 your scores differ from the reference, "
                              "with 12 they agree: use the argument, not a fixed 12.")
        passed(check, f"{record.n_beats} scores from the model's outputs in R ± half_width, "
               "unchanged when the record's QRS boundaries and classes are scrambled.")
        return
    if np.allclose(got, 1 - want, atol=1e-9):
        raise CheckFailed(check, "your scores are 1 minus the expected ones: the score is the "
                          "share of P(widened QRS) (column 2), not of P(normal QRS) (column 1).")
    r = record.waves["R"]
    exclusive = np.array([p[:, 2].sum() / p[:, 1:].sum() for p in
                          (probs[a - 12:a + 12] for a in r)])
    if np.allclose(got, exclusive, atol=1e-9):
        raise CheckFailed(check, "your span stops one sample short: it runs from R - half_width "
                          "to R + half_width inclusive, the slice [r - half_width : r + "
                          "half_width + 1].")
    mean_widened = np.array([probs[a - 12:a + 13, 2].mean() for a in r])
    if np.allclose(got, mean_widened, atol=1e-9):
        raise CheckFailed(check, "your score is the mean P(widened QRS) over the span; divide the "
                          "sum of P(widened QRS) by the sum of P(normal QRS) + P(widened QRS), so "
                          "samples the model calls 'no QRS' do not dilute it.")
    i = int(np.argmax(np.abs(got - want)))
    raise CheckFailed(check, f"beat {i} (R peak at sample {r[i]}): your score is {got[i]:.4f}, "
                      f"expected {want[i]:.4f} (sum of column 2 over sum of columns 1 and 2, "
                      f"samples {r[i] - 12}..{r[i] + 12}).")


# --------------------------------------------------------------------------- error analysis
def _r_peaks() -> np.ndarray:
    """R peaks in windows 0 0 1 2 3 3 4 6 8 of 75 samples; 299 and 300 are 1 sample apart but
    in windows 3 and 4; 170 and 230 are 60 apart in windows 2 and 3; windows counted from the
    first peak (40) would differ. Built afresh per call."""
    return np.array([40, 60, 80, 170, 230, 299, 300, 450, 600])


def _wrong_ways(r_peaks: np.ndarray, width: int) -> dict[str, np.ndarray]:
    """Answers of known mistakes, each with the message that names it."""
    window = r_peaks // width
    relative = (r_peaks - r_peaks[0]) // width
    return {
        "every beat shares its window in your answer: you count the beat itself. Another R "
        "peak must lie in the window (a count above 1).": np.ones(len(r_peaks), dtype=bool),
        f"you mark R peaks closer than {width} samples; what counts is the window (r // width), "
        "not the distance: 299 and 300 are 1 sample apart in windows 3 and 4, and 170 and 230 "
        "are 60 apart in windows 2 and 3.": np.array(
            [any(abs(r - q) < width for j, q in enumerate(r_peaks) if j != i)
             for i, r in enumerate(r_peaks)]),
        "you count windows from the first R peak; they start at sample 0: window = r // width.":
            np.bincount(relative)[relative] > 1,
        "you compare each beat with the next one only: compare with every other beat, before "
        "and after it.": np.r_[window[:-1] == window[1:], False],
        "you compare each beat with the previous one only: compare with every other beat, "
        "before and after it.": np.r_[False, window[1:] == window[:-1]],
    }


def check_shares_window(student_shares_window: Callable[..., Any]) -> None:
    """shares_window(r_peaks, width) -> (n,) bool: another R peak lies in the same window."""
    check = "check_shares_window"
    r_peaks = _r_peaks()
    got = call_student(check, student_shares_window, r_peaks, WIDTH)
    n = len(r_peaks)
    expect_array(check, "your answer", got, library="numpy", shape=(n,), dtype="bool",
                 hint="One True/False per R peak (compare with ==, or cast with .astype(bool)).")
    want = shares_window(r_peaks, WIDTH)
    if np.array_equal(got, want):
        passed(check, f"{int(want.sum())} of {n} beats share their {WIDTH}-sample window.")
        return
    for message, answer in _wrong_ways(r_peaks, WIDTH).items():
        if np.array_equal(got, answer):
            raise CheckFailed(check, message)
    window = r_peaks // WIDTH
    if not got.any():
        raise CheckFailed(check, f"no beat shares its window in your answer, but the R peaks at "
                          f"{r_peaks[0]} and {r_peaks[1]} both lie in window 0 (samples 0-"
                          f"{WIDTH - 1}). How do you compute a peak's window? It is r // width, "
                          "an integer (r / width gives each peak a number of its own).")
    i = int(np.argmax(got != want))
    raise CheckFailed(check, f"the beat at sample {r_peaks[i]} (window {window[i]}) should be "
                      f"{bool(want[i])}, yours is {bool(got[i])}; the windows of all the R "
                      f"peaks are {window.tolist()}.")


# --------------------------------------------------------------------------- conclusion
_PERCENT = re.compile(r"(\d+(?:\.(\d+))?)\s*%")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NOT_NAMES = {"bpm", "tagger", "classifier", "model", "the", "of", "a", "an", "at", "in", "on",
              "and", "or", "with", "for", "to", "per", "vs", "by"}


def _key_words(key: str) -> list[str]:
    """The words of an evidence key a sentence must name: model, band, metric ("conv tagger,
    RF 7, 160-180 bpm, specificity" -> conv, rf, 7, 160-180, specificity)."""
    tokens = re.findall(r"\d+-\d+|[a-z]+|\d+", str(key).lower().replace("–", "-"))
    return [t for t in tokens if t not in _NOT_NAMES]


def _names(sentence: str, word: str) -> bool:
    """Whether ``sentence`` holds ``word`` (a band such as "160-180" as a whole; a word in the
    singular or plural)."""
    text = re.sub(r"(\d+)\s*(?:-|–|to)\s*(\d+)", r"\1-\2", sentence.lower())
    if "-" in word:
        return re.search(rf"(?<![\d-]){re.escape(word)}(?![\d-])", text) is not None
    if re.fullmatch(r"[a-z]+", word) and len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return re.search(rf"(?<!\w){re.escape(word)}(?:s|es)?(?!\w)", text) is not None


def check_conclusion(conclusion: Any, evidence: Mapping[str, float]) -> None:
    """One paragraph of 60-250 words that names sensitivity and specificity and a heart-rate
    band outside 60-100 bpm, and quotes at least two percentages, each equal to a number in
    ``evidence`` (name -> fraction) that a cell computed, in a sentence that names what the
    number measures: every word of its evidence key (model, band, metric)."""
    check = "check_conclusion"
    if conclusion is None:
        raise CheckFailed(check, f"`conclusion` is {NOT_IMPLEMENTED}: replace the "
                          "`raise NotImplementedError` line with `conclusion = \"...\"`, your "
                          "paragraph.")
    if not isinstance(conclusion, str):
        raise CheckFailed(check, f"conclusion should be a string (your paragraph), got "
                          f"{type(conclusion).__name__}.")
    text = conclusion.strip()
    words = len(text.split())
    if words < 60:
        raise CheckFailed(check, f"your conclusion has {words} words: write one paragraph of "
                          "60-250 words that says which model fails, where and why.")
    if words > 250:
        raise CheckFailed(check, f"your conclusion has {words} words: one paragraph, at most 250; "
                          "keep the numbers and the reasons, cut the rest.")
    if "\n\n" in text:
        raise CheckFailed(check, "write one paragraph (no blank lines).")
    lower = text.lower()
    for term in ("sensitivity", "specificity"):
        if term not in lower:
            raise CheckFailed(check, f"your conclusion never mentions {term}: the goal is stated "
                              "in both, so the verdict must be too.")
    if not re.search(r"\b(4[05]|1[1-8]\d)\s*(?:-|–|to)\s*(\d+)\s*bpm", lower):
        raise CheckFailed(check, "name at least one heart-rate band outside the training range "
                          "(e.g. '160-180 bpm'): the question is what happens there.")
    quoted = _PERCENT.findall(text)
    if len(quoted) < 2:
        raise CheckFailed(check, f"quote at least two of your measured numbers as percentages "
                          f"(you quote {len(quoted)}): a verdict without numbers cannot be "
                          "checked.")
    for sentence in _SENTENCE_END.split(text):
        for number, decimals in _PERCENT.findall(sentence):
            step = 10.0 ** -len(decimals)
            same = [key for key, v in evidence.items()
                    if abs(100 * float(v) - float(number)) <= step / 2 + 1e-9]
            if not same:
                raise CheckFailed(check, f"you quote {number}%, which is none of the numbers in "
                                  "`evidence` (what your notebook computed): quote a number as a "
                                  "cell printed it, or, for a number of your own analysis, add "
                                  "it to `evidence` in the cell that computes it "
                                  "(evidence['what it measures'] = value).")
            if not any(all(_names(sentence, w) for w in _key_words(key)) for key in same):
                key = same[0]
                missing = [w for w in _key_words(key) if not _names(sentence, w)]
                short = sentence if len(sentence) <= 160 else sentence[:157] + "..."
                raise CheckFailed(check, f"you quote {number}% in the sentence \"{short}\", "
                                  f"which does not name what that number measures: the "
                                  f"evidence with this value is {same[:3]}, and the sentence "
                                  f"lacks {missing} of {key!r}. Put each number in a sentence "
                                  "that names its model, band and metric (the words of its "
                                  "evidence key).")
    passed(check, f"one paragraph of {words} words; each of its {len(quoted)} percentages equals "
           "a number your notebook computed, in a sentence that names its model, band and "
           "metric. Only the numbers were verified, not the reasoning: read each claim "
           "against your table once more.")
