"""Checks for Lab 07, the ECG capstone.

Each check runs the student's code on a small input, compares it with the reference in
:mod:`course_utils.capstone`, and names the usual mistake: overlapping or transposed windows,
a tagger that reads the future or mixes the records of a batch, sensitivity and specificity
swapped or confused with the predictive values.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch

from course_utils._feedback import (CheckFailed, call_student, expect_shape, passed,
                                    student_or_reference)
from course_utils.capstone import abnormal_beat_metrics, cut_windows


# --------------------------------------------------------------------------- windows
def check_cut_windows(student_cut_windows: Callable[..., Any]) -> None:
    """Consecutive, non-overlapping windows of ``width`` samples; the partial last one dropped."""
    check = "check_cut_windows"
    signal, width = torch.arange(23, dtype=torch.float32), 5
    got = call_student(check, student_cut_windows, signal.clone(), width)
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(check, f"return a tensor of windows, got {type(got).__name__}.")
    want = cut_windows(signal, width)
    n = len(want)
    if got.dim() == 2 and got.shape[1] == width and len(got) > len(signal) // 2:
        raise CheckFailed(check, f"you return {len(got)} windows of {width} samples for a signal of "
                          f"{len(signal)}: your windows overlap (a stride of 1?). Step by the "
                          f"window width: {n} windows.")
    if got.dim() == 2 and got.shape[1] == width and len(got) == n + 1:
        raise CheckFailed(check, f"you keep the partial last window ({len(signal) % width} real "
                          f"samples): drop it, so a signal of {len(signal)} gives {n} windows.")
    expect_shape(check, "your windows", got, tuple(want.shape))
    if torch.equal(got, want):
        passed(check, f"a signal of {len(signal)} samples gives {n} windows of {width}, in order.")
        return
    if torch.equal(got.flatten().sort().values, want.flatten().sort().values):
        raise CheckFailed(check, f"window 0 must hold consecutive samples {want[0].tolist()}; yours "
                          f"holds {got[0].tolist()}: you reshaped in the wrong order (transposed).")
    raise CheckFailed(check, f"window 0 must hold samples {want[0].tolist()} (the first {width} "
                      f"samples, from index 0); yours holds {got[0].tolist()}.")


# --------------------------------------------------------------------------- tagger
def check_gru_tagger(student_tagger_class: Callable[..., Any]) -> None:
    """GRUTagger(hidden_size)(x: (B, T)) -> logits (B, T, 3), causal, one record per row."""
    check = "check_gru_tagger"
    torch.manual_seed(0)
    model = call_student(check, student_tagger_class, 8)
    if not isinstance(model, torch.nn.Module):
        raise CheckFailed(check, f"GRUTagger(8) must build an nn.Module, got {type(model).__name__}.")
    B, T = 3, 40
    x = torch.randn(B, T, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out = call_student(check, model, x.clone())
    if not isinstance(out, torch.Tensor):
        raise CheckFailed(check, f"forward must return a tensor of logits, got {type(out).__name__}.")
    if tuple(out.shape) == (B, 3):
        raise CheckFailed(check, f"you return one output per record {tuple(out.shape)}; a tagger "
                          f"labels every time step: return the logits of all steps, (B, T, 3) = "
                          f"{(B, T, 3)}.")
    if out.dim() == 3 and out.shape[:2] == (B, T) and out.shape[2] != 3:
        raise CheckFailed(check, f"your logits have {out.shape[2]} entries per step, expected 3 "
                          "classes (no QRS, normal, widened): add the linear layer from the GRU "
                          "state to 3 logits.")
    expect_shape(check, "your logits", out, (B, T, 3))
    with torch.no_grad():
        x2 = x.clone()
        x2[0] += 1.0
        out2 = model(x2)
        if not torch.allclose(out2[1:], out[1:], atol=1e-6):
            raise CheckFailed(check, "changing record 0 changed the outputs for record 1: your GRU "
                              "mixes the records of a batch. Build it with batch_first=True so "
                              "dimension 0 is the batch, dimension 1 the time.")
        x3 = x.clone()
        x3[:, 30:] += 1.0
        out3 = model(x3)
        if not torch.allclose(out3[:, :30], out[:, :30], atol=1e-6):
            raise CheckFailed(check, "changing the input after step 30 changed your outputs before "
                              "step 30: your tagger looks at the future (bidirectional?). It must "
                              "read the record step by step, as a monitor does.")
    passed(check, f"logits of shape {(B, T, 3)}, one record per row, each step sees only the past.")


# --------------------------------------------------------------------------- metrics
def _close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), abs_tol=1e-9)


def check_beat_metrics(student_metrics: Callable[..., Any]) -> None:
    """A dict with accuracy, sensitivity (widened beats found) and specificity (normal kept)."""
    check = "check_beat_metrics"
    t = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    p = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1])    # TP 3, FN 1, TN 4, FP 3
    got = call_student(check, student_metrics, t.copy(), p.copy())
    if not isinstance(got, dict):
        raise CheckFailed(check, f"return a dict with keys accuracy, sensitivity, specificity; "
                          f"got {type(got).__name__}.")
    missing = [k for k in ("accuracy", "sensitivity", "specificity") if k not in got]
    if missing:
        raise CheckFailed(check, f"your dict lacks the key(s) {missing}.")
    want = abnormal_beat_metrics(t, p)
    tp, fn, tn, fp = 3, 1, 4, 3
    if _close(got["sensitivity"], want["specificity"]) and _close(got["specificity"],
                                                                  want["sensitivity"]):
        raise CheckFailed(check, f"sensitivity and specificity are swapped (or you took the normal "
                          f"beats as the positives): sensitivity = TP / (TP + FN) = {tp}/{tp + fn} "
                          f"= {want['sensitivity']:.3f} counts the widened beats found.")
    if _close(got["sensitivity"], tp / (tp + fp)):
        raise CheckFailed(check, f"your sensitivity {got['sensitivity']:.3f} is TP / (TP + FP), the "
                          f"precision; sensitivity divides by the widened beats: TP / (TP + FN) = "
                          f"{want['sensitivity']:.3f}.")
    if _close(got["specificity"], tn / (tn + fn)):
        raise CheckFailed(check, f"your specificity {got['specificity']:.3f} is TN / (TN + FN); "
                          f"specificity divides by the normal beats: TN / (TN + FP) = "
                          f"{want['specificity']:.3f}.")
    for key in ("accuracy", "sensitivity", "specificity"):
        if not _close(got[key], want[key]):
            raise CheckFailed(check, f"{key} is {float(got[key]):.3f}, expected {want[key]:.3f} "
                              f"(TP {tp}, FN {fn}, TN {tn}, FP {fp}).")
    passed(check, f"accuracy {want['accuracy']:.3f}, sensitivity {want['sensitivity']:.3f}, "
           f"specificity {want['specificity']:.3f} on 11 beats.")
