"""Checks for Lab 05, forecasting.

Three mistakes that make a forecaster look better or worse than it is, each named precisely:
a window whose target is off by one step, a scaler fitted on the test data, and predictions
made with dropout still switched on.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from course_utils._feedback import CheckFailed, call_student, passed
from course_utils.series import MinMaxScaler


def _pair(check: str, out: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(check, f"{what} should return a pair (X, Y), got {type(out).__name__}.")
    return tuple(np.asarray(v, dtype=float) for v in out)  # type: ignore[return-value]


# --------------------------------------------------------------------------- windows
def _target_error(i: int, got: np.ndarray, want: np.ndarray) -> str:
    rule = ("Window i covers series[i : i + n_steps]; its target is "
            "series[i + n_steps : i + n_steps + horizon].")
    shift = got[0] - want[0]
    if shift == -1:
        return (f"off by one, early: target {i} starts with {int(got[0])}, the last input value, "
                f"so the model would be asked for what it already sees. {rule}")
    if shift == 1:
        return (f"off by one, late: target {i} starts with {int(got[0])} and skips "
                f"{int(want[0])}, the value right after the window. {rule}")
    return f"target {i} should be {want.astype(int).tolist()}, got {got.tolist()}. {rule}"


def check_make_windows(make_windows: Callable[..., Any]) -> None:
    """``make_windows(series, n_steps, horizon)``: inputs (N, n_steps), targets (N, horizon)."""
    check = "make_windows"
    series = np.arange(30, dtype=float)  # each value is its own index: errors read as indices
    n_steps, horizon = 5, 3
    n = len(series) - n_steps - horizon + 1
    X, Y = _pair(check, call_student(check, make_windows, series, n_steps, horizon), "make_windows")
    if X.ndim != 2 or Y.ndim != 2:
        raise CheckFailed(check, f"X and Y must be 2-D (N, n_steps) and (N, horizon); got shapes "
                          f"{X.shape} and {Y.shape}.")
    if X.shape[1] != n_steps or Y.shape[1] != horizon:
        if X.shape[1] == horizon and Y.shape[1] == n_steps:
            raise CheckFailed(check, "you return (Y, X): return the inputs first, then the "
                              "targets.")
        raise CheckFailed(check, f"with n_steps={n_steps}, horizon={horizon} each input row needs "
                          f"{n_steps} values and each target row {horizon}; got shapes {X.shape} "
                          f"and {Y.shape}.")
    for i in range(min(len(X), n)):
        if not np.array_equal(X[i], series[i:i + n_steps]):
            raise CheckFailed(check, f"on the series 0, 1, 2, ... input window {i} should be "
                              f"{series[i:i + n_steps].astype(int).tolist()}, got "
                              f"{X[i].astype(int).tolist()}.")
        want = series[i + n_steps:i + n_steps + horizon]
        if not np.array_equal(Y[i], want):
            raise CheckFailed(check, _target_error(i, Y[i], want))
    if len(X) != n or len(Y) != n:
        missing = "the last window is missing" if len(X) == n - 1 else f"got {len(X)}"
        raise CheckFailed(check, f"a series of {len(series)} values has {len(series)} - n_steps - "
                          f"horizon + 1 = {n} windows; {missing} (off by one in the range of "
                          "window starts?).")
    rng = np.random.default_rng(0)
    other = rng.standard_normal(12)
    X1, Y1 = _pair(check, call_student(check, make_windows, other, 4, 1), "make_windows")
    if X1.shape != (8, 4) or Y1.shape != (8, 1) or not np.allclose(Y1[:, 0], other[4:]):
        raise CheckFailed(check, f"on a random series of 12 values with n_steps=4, horizon=1 "
                          f"expected shapes (8, 4) and (8, 1) with Y[:, 0] = series[4:]; got "
                          f"{X1.shape} and {Y1.shape}.")
    try:
        out = make_windows(series[:7], n_steps, horizon)
    except ValueError:
        pass
    except Exception as exc:  # noqa: BLE001 - any other error is the student's
        raise CheckFailed(check, f"a series too short for one window should raise ValueError, "
                          f"yours raised {type(exc).__name__}: {exc}") from None
    else:
        shapes = [np.shape(v) for v in out] if isinstance(out, (tuple, list)) else type(out)
        raise CheckFailed(check, f"7 values cannot hold n_steps + horizon = {n_steps + horizon}: "
                          f"raise ValueError saying so, instead of returning {shapes}.")
    passed(check, f"{n} windows of {n_steps} inputs, each followed by its {horizon} targets; "
           "too-short series raise ValueError.")


# --------------------------------------------------------------------------- scaling
def check_scale_splits(scale_splits: Callable[..., Any]) -> None:
    """``scale_splits(train, test)`` returns (train_scaled, test_scaled, scaler) fitted on train."""
    check = "scale_splits"
    train = np.linspace(10.0, 20.0, 41)
    test = np.linspace(18.0, 30.0, 25)  # the test set runs past the training range, like CO2
    out = call_student(check, scale_splits, train.copy(), test.copy())
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise CheckFailed(check, "return three things: (train_scaled, test_scaled, scaler).")
    train_s, test_s, scaler = np.asarray(out[0], float), np.asarray(out[1], float), out[2]
    if train_s.shape != train.shape or test_s.shape != test.shape:
        raise CheckFailed(check, f"scaled arrays must keep their shapes {train.shape} and "
                          f"{test.shape}; got {train_s.shape} and {test_s.shape}.")
    if not hasattr(scaler, "inverse_transform"):
        raise CheckFailed(check, "the third value must be the fitted scaler (it needs "
                          "inverse_transform to bring forecasts back to original units).")
    lo, hi = float(train_s.min()), float(train_s.max())
    t_lo, t_hi = float(test_s.min()), float(test_s.max())
    if np.isclose(t_lo, -1) and np.isclose(t_hi, 1):
        raise CheckFailed(check, "the test set was scaled to exactly [-1, 1]: the scaler was "
                          "fitted on the test data. Fit on train only, then transform test "
                          "with it.")
    if hi < 1 - 1e-6 and np.isclose(lo, -1):
        raise CheckFailed(check, f"train is scaled to [{lo:.3f}, {hi:.3f}], not [-1, 1]: the "
                          "scaler also saw the test values (fitted on train and test together), "
                          "so the "
                          "test range leaked into training. Fit on train only.")
    if np.isclose(lo, 0) and np.isclose(hi, 1):
        raise CheckFailed(check, "train is scaled to [0, 1]; this lab scales to [-1, 1]: "
                          "MinMaxScaler(low=-1.0, high=1.0).")
    if not (np.isclose(lo, -1) and np.isclose(hi, 1)):
        raise CheckFailed(check, f"train should span exactly [-1, 1] after scaling, got "
                          f"[{lo:.3f}, {hi:.3f}].")
    expected = MinMaxScaler(-1.0, 1.0).fit(train).transform(test)
    if not np.allclose(test_s, expected, atol=1e-6):
        raise CheckFailed(check, f"test should be transformed with the training fit: its last "
                          f"value (30) should map to {expected[-1]:.3f}, got {test_s[-1]:.3f}.")
    back = np.asarray(scaler.inverse_transform(test_s), float)
    if not np.allclose(back, test, atol=1e-6):
        raise CheckFailed(check, "scaler.inverse_transform(test_scaled) does not give the test "
                          "values back: return the scaler you fitted on train.")
    passed(check, f"train spans [-1, 1]; test, transformed with the training fit, spans "
           f"[{t_lo:.2f}, {t_hi:.2f}] (past 1 is fine: it is new territory); inverse works.")


# --------------------------------------------------------------------------- eval mode
class _DropoutRNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(1, 16, num_layers=2, dropout=0.5, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x.unsqueeze(-1))
        return self.head(out).squeeze(-1)


def check_predict(predict: Callable[..., Any]) -> None:
    """``predict(model, X)`` gives the model's outputs as NumPy, in eval mode, without gradients."""
    check = "predict"
    torch.manual_seed(0)
    model = _DropoutRNN()
    X = np.random.default_rng(0).uniform(-1, 1, (8, 12)).astype(np.float32)
    model.eval()
    with torch.no_grad():
        want = model(torch.from_numpy(X)).numpy()
    model.train()  # as after training: the check sees whether predict switches dropout off
    first = call_student(check, predict, model, X)
    if isinstance(first, torch.Tensor):
        if first.requires_grad:
            raise CheckFailed(check, "your output still tracks gradients: predict inside "
                              "`with torch.no_grad():` and return .numpy().")
        first = first.numpy()
    first = np.asarray(first, dtype=float)
    if first.shape != want.shape:
        raise CheckFailed(check, f"predict should return the model's output of shape "
                          f"{want.shape} (one value per step), got {first.shape}.")
    model.train()
    second = np.asarray(call_student(check, predict, model, X), dtype=float)
    if not np.allclose(first, second, atol=1e-6):
        gap = float(np.abs(first - second).max())
        raise CheckFailed(check, f"two calls on the same inputs differ by up to {gap:.3f}: dropout "
                          "is still on. Call model.eval() before predicting (fit leaves the model "
                          "in train mode).")
    if not np.allclose(first, want, atol=1e-5):
        ratio = float(np.median(first / np.where(np.abs(want) > 1e-3, want, np.nan)))
        hint = (f" Your outputs are about {ratio:.2f} times the right ones: PyTorch's dropout "
                "already scales by 1/(1 - p) while training, so do not rescale at test time."
                if np.isfinite(ratio) and not np.isclose(ratio, 1, atol=0.02) else "")
        raise CheckFailed(check, "your outputs differ from the model's eval-mode outputs by up to "
                          f"{float(np.abs(first - want).max()):.4f}.{hint}")
    passed(check, "deterministic eval-mode outputs without gradients, as NumPy.")
