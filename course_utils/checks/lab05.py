"""Checks for Lab 05, forecasting against honest baselines.

Each check compares the student's function with the reference in ``course_utils.series`` on
data built so that the mistakes that make a forecaster look better than it is can be told
apart and named: a target inside its own input window, a scaler fitted on all the data, a
choice made on the test split, a lag applied to the wrong value, dropout left on. Every
check feeds exactly the types the lab feeds (float64 NumPy windows, statsmodels results,
dicts of RMSE) and none passes a wrong answer that the lab would then use.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from course_utils import series as S
from course_utils._feedback import (CheckFailed, call_student, evaluating, expect_array,
                                    first_mismatch, passed)


def _pair(check: str, out: Any, what: str, names: str = "(X, Y)") -> tuple:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(check, f"{what} should return a pair {names}, got "
                          f"{type(out).__name__}.")
    return tuple(out)


def _grid(values: np.ndarray) -> list:
    return np.round(np.asarray(values, dtype=float), 3).tolist()


# --------------------------------------------------------------------------- windows
def _target_error(i: int, got: np.ndarray, want: np.ndarray, n_steps: int) -> str:
    rule = ("Window i covers series[i : i + n_steps]; its targets are "
            "series[i + n_steps : i + n_steps + horizon].")
    shift = got[0] - want[0]
    if shift < 0:
        return (f"target {i} starts with {got[0]:g}, which is inside its own input window "
                f"(inputs {i:g} to {i + n_steps - 1:g}): leakage, the model would be asked for "
                f"a value it already sees, and its score would look too good. {rule}")
    if shift > 0:
        return (f"target {i} starts with {got[0]:g} and skips {want[0]:g}, the value right "
                f"after the window: off by {shift:g}, late. {rule}")
    return f"target {i} should be {_grid(want)}, got {_grid(got)}. {rule}"


def check_make_windows(make_windows: Callable[..., Any]) -> None:
    """``make_windows(series, n_steps, horizon)``: float64 inputs (N, T), targets (N, m)."""
    check = "check_make_windows"
    series = np.arange(30, dtype=float)  # each value is its own index: errors read as indices
    n_steps, horizon = 5, 3
    n = len(series) - n_steps - horizon + 1
    X, Y = _pair(check, call_student(check, make_windows, series, n_steps, horizon),
                 "make_windows")
    for name, value in (("X", X), ("Y", Y)):
        expect_array(check, name, value, dtype=np.float64,
                     hint="Index the float64 series with NumPy and keep its dtype.")
    if X.ndim != 2 or Y.ndim != 2:
        raise CheckFailed(check, f"X and Y must be 2-D, (N, n_steps) and (N, horizon); got "
                          f"shapes {X.shape} and {Y.shape}.")
    if X.shape[1] != n_steps or Y.shape[1] != horizon:
        if X.shape[1] == horizon and Y.shape[1] == n_steps:
            raise CheckFailed(check, "you return (Y, X): return the inputs first, then the "
                              "targets.")
        raise CheckFailed(check, f"with n_steps={n_steps}, horizon={horizon} each input row "
                          f"needs {n_steps} values and each target row {horizon}; got shapes "
                          f"{X.shape} and {Y.shape}.")
    for i in range(min(len(X), len(Y), n)):
        if not np.array_equal(X[i], series[i:i + n_steps]):
            if Y[i, 0] in X[i]:
                late = (" Your inputs start one step late: X[i] should be "
                        "series[i : i + n_steps]." if np.array_equal(
                            X[i], series[i + 1:i + 1 + n_steps]) else "")
                raise CheckFailed(check, f"the first target of window {i}, {Y[i, 0]:g}, is also "
                                  f"one of its inputs ({_grid(X[i])}): leakage, the model would "
                                  f"be asked for a value it already sees, and its score would "
                                  f"look too good.{late}")
            raise CheckFailed(check, f"on the series 0, 1, 2, ... input window {i} should be "
                              f"{_grid(series[i:i + n_steps])}, got {_grid(X[i])}.")
        want = series[i + n_steps:i + n_steps + horizon]
        if not np.array_equal(Y[i], want):
            raise CheckFailed(check, _target_error(i, Y[i], want, n_steps))
    if len(X) != n or len(Y) != n:
        missing = "the last window is missing" if len(X) == n - 1 else f"got {len(X)}"
        raise CheckFailed(check, f"a series of {len(series)} values has {len(series)} - n_steps "
                          f"- horizon + 1 = {n} windows; {missing} (off by one in the range of "
                          "window starts?).")
    other = np.random.default_rng(0).standard_normal(12)
    X1, Y1 = _pair(check, call_student(check, make_windows, other, 4, 1), "make_windows")
    X1, Y1 = np.asarray(X1), np.asarray(Y1)
    if X1.shape != (8, 4) or Y1.shape != (8, 1) or not np.allclose(Y1[:, 0], other[4:]):
        raise CheckFailed(check, f"on a random float64 series of 12 values with n_steps=4, "
                          f"horizon=1 expected shapes (8, 4) and (8, 1) with Y[:, 0] = "
                          f"series[4:]; got {X1.shape} and {Y1.shape}.")
    try:
        out = make_windows(series[:7], n_steps, horizon)
    except ValueError:
        pass
    except Exception as exc:  # noqa: BLE001 - any other error is the student's
        raise CheckFailed(check, f"a series too short for one window should raise ValueError, "
                          f"yours raised {type(exc).__name__}: {exc}") from None
    else:
        shapes = [np.shape(v) for v in out] if isinstance(out, (tuple, list)) else type(out)
        raise CheckFailed(check, f"7 values cannot hold n_steps + horizon = "
                          f"{n_steps + horizon}: raise ValueError saying so, instead of "
                          f"returning {shapes}.")
    passed(check, f"{n} windows of {n_steps} inputs, each followed by its {horizon} targets "
           "and none inside its input; too-short series raise ValueError.")


# --------------------------------------------------------------------------- scaling
def _which_fit(scaled: np.ndarray, series: np.ndarray, n_train: int) -> str | None:
    """Name the part of ``series`` a [-1, 1] scaler was fitted on, if ``scaled`` matches one."""
    parts = {"all the data (train, validation and test together)": series,
             "the part after the training values": series[n_train:],
             "series[:n_train + 1], one value too many": series[:n_train + 1],
             "series[:n_train - 1], one value too few": series[:n_train - 1]}
    for words, part in parts.items():
        if np.allclose(scaled, S.MinMaxScaler(-1.0, 1.0).fit(part).transform(series),
                       atol=1e-6):
            return words
    return None


def _fitted_range(train_scaled: np.ndarray, train: np.ndarray) -> tuple[float, float] | None:
    """The (min, max) a [-1, 1] scaler must have been fitted on to map ``train`` to
    ``train_scaled``, or None when the scaled values are not such a linear map of ``train``."""
    slope, intercept = np.polyfit(train, train_scaled, 1)
    if slope <= 0 or not np.allclose(slope * train + intercept, train_scaled, atol=1e-6):
        return None
    data_min = (-1.0 - intercept) / slope
    return float(data_min), float(data_min + 2.0 / slope)


def _inverse(check: str, scaler: Any, data: np.ndarray, what: str) -> np.ndarray:
    try:
        return np.asarray(call_student(check, scaler.inverse_transform, data), dtype=float)
    except CheckFailed as failure:
        if "raised" not in failure.message:
            raise
        library = type(scaler).__module__.split(".")[0]
        why = (" scikit-learn's scalers treat each column of a 2-D array as its own variable."
               if library == "sklearn" else "")
        error = failure.message.split(" raised ", 1)[1].splitlines()[0]
        raise CheckFailed(check, f"scaler.inverse_transform fails on {what}: {error:.120} "
                          "The lab inverse-transforms "
                          f"(N, m) forecasts and targets with it.{why} Use "
                          "S.MinMaxScaler(low=-1.0, high=1.0), which maps arrays of any shape "
                          "with one minimum and maximum.") from None


def check_scale_series(scale_series: Callable[..., Any]) -> None:
    """``scale_series(series, n_train)`` returns (scaled, scaler), fitted on the training part."""
    check = "check_scale_series"
    n_train = 40
    # the training part rises to its maximum at its last value, then the future goes past it
    series = np.concatenate([np.linspace(10.0, 20.0, n_train), np.linspace(24.0, 30.0, 20)])
    out = call_student(check, scale_series, series, n_train)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed(check, "return two things: (scaled, scaler).")
    scaled, scaler = out
    expect_array(check, "scaled", scaled, shape=series.shape, dtype="floating",
                 hint="Scale the whole series with one scaler and return a NumPy array.")
    if not hasattr(scaler, "inverse_transform") or not hasattr(scaler, "transform"):
        raise CheckFailed(check, "the second value must be the fitted scaler (its "
                          "inverse_transform brings forecasts back to original units).")
    want = S.MinMaxScaler(-1.0, 1.0).fit(series[:n_train]).transform(series)
    if not np.allclose(scaled, want, atol=1e-6):
        train = scaled[:n_train]
        if np.isclose(train.min(), 0) and np.isclose(train.max(), 1):
            raise CheckFailed(check, "the training part is scaled to [0, 1]; this lab scales "
                              "to [-1, 1]: S.MinMaxScaler(low=-1.0, high=1.0).")
        fitted_on = _which_fit(scaled, series, n_train)
        if fitted_on == "all the data (train, validation and test together)":
            raise CheckFailed(check, f"your scaler was fitted on {fitted_on}: leakage. The "
                              "future's range leaked into the training inputs (the training "
                              "part no longer spans [-1, 1]), which a forecaster cannot know "
                              "in advance. Fit on series[:n_train] only, then transform the "
                              "whole series.")
        if fitted_on is not None:
            raise CheckFailed(check, f"your scaler was fitted on {fitted_on}. Fit on exactly "
                              "the training values, series[:n_train], then transform the "
                              "whole series with that fit.")
        if np.allclose(train, want[:n_train], atol=1e-6):
            rest = scaled[n_train:]
            own = (np.isclose(rest.min(), -1) and np.isclose(rest.max(), 1))
            raise CheckFailed(check, "the training part is right, but the rest "
                              + ("was scaled with a fit of its own (it spans exactly [-1, 1]): "
                                 if own else "is not transformed with the training fit: ")
                              + f"its last value (30) should map to {want[-1]:.3f}, got "
                              f"{rest[-1]:.3f}. Transform the whole series with the scaler "
                              "fitted on the training part; values past 1 are expected.")
        # Nothing in this series is below the training minimum and everything after the
        # training part is above its maximum: a fit that reaches a later value saw the future.
        fitted = _fitted_range(train, series[:n_train])
        later = np.flatnonzero(np.isclose(series[n_train:], fitted[1])) if fitted else []
        if fitted is not None and np.isclose(fitted[0], series[:n_train].min()) and len(later):
            raise CheckFailed(check, f"your scaled training part spans [{train.min():.3f}, "
                              f"{train.max():.3f}], not [-1, 1]: the scaler saw values up to "
                              f"{fitted[1]:.4g} = series[{n_train + later[0]}], which comes after "
                              f"the training part (its maximum is {series[:n_train].max():g}). "
                              "Leakage: the future's range reaches the training inputs. Fit on "
                              "series[:n_train] only.")
        index, got, expected = first_mismatch(scaled, want)
        raise CheckFailed(check, f"scaled[{index[0]}] should be {expected:.4f} (the training "
                          f"part spans exactly [-1, 1]), got {got:.4f}.")
    # the lab inverse-transforms (N, m) forecasts and targets, never a 1-D series
    forecasts = want.reshape(6, 10)
    back = _inverse(check, scaler, forecasts, "forecasts of shape (6, 10), as the lab calls it")
    if back.shape != forecasts.shape:
        raise CheckFailed(check, f"scaler.inverse_transform turned (6, 10) forecasts into shape "
                          f"{back.shape}: the lab needs (N, m) forecasts back as (N, m).")
    if not np.allclose(back, series.reshape(6, 10), atol=1e-6):
        raise CheckFailed(check, "scaler.inverse_transform(scaled) does not give the series "
                          "back: return the scaler you fitted on the training part (it maps "
                          "every entry back with that one fit, whatever the array's shape).")
    passed(check, f"fitted on the {n_train} training values: they span [-1, 1]; the later "
           f"values reach {want.max():.2f} (past 1 is fine: it is new territory); "
           "inverse_transform maps (N, m) forecasts back.")


# --------------------------------------------------------------------------- naive
def check_naive_forecast(naive_forecast: Callable[..., Any]) -> None:
    """``naive_forecast(X, horizon)`` repeats each window's last value: (N, horizon)."""
    check = "check_naive_forecast"
    X = np.random.default_rng(1).normal(size=(6, 5))
    for horizon in (3, 1):
        out = expect_array(check, f"naive_forecast(X, horizon={horizon})",
                           call_student(check, naive_forecast, X, horizon),
                           shape=(len(X), horizon), dtype="floating",
                           hint="One row per window, one column per step ahead.")
        want = np.repeat(X[:, -1:], horizon, axis=1)
        if np.allclose(out, want):
            continue
        if np.allclose(out, np.repeat(X[:, :1], horizon, axis=1)):
            raise CheckFailed(check, "you repeat each window's first (oldest) value, X[:, 0]; "
                              "the naive forecast repeats the last value seen, X[:, -1].")
        if np.allclose(out, np.repeat(X.mean(axis=1, keepdims=True), horizon, axis=1)):
            raise CheckFailed(check, "you repeat each window's mean; the naive forecast "
                              "repeats the last value seen, X[:, -1].")
        index, got, expected = first_mismatch(out, want)
        raise CheckFailed(check, f"forecast {index} should be {expected:.4f} (the last value "
                          f"of window {index[0]}), got {got:.4f}.")
    passed(check, "every window's last value, repeated for each step ahead.")


# --------------------------------------------------------------------------- iterating
class _Recorder:
    """A ``predict_next`` whose next value depends on every value of the window, in order."""

    def __init__(self, check: str, n_steps: int, column: bool):
        self.check, self.n_steps, self.column = check, n_steps, column
        self.weights = np.linspace(0.1, 0.5, n_steps)  # the newest value weighs most
        self.windows: list[np.ndarray] = []

    def __call__(self, window: Any) -> np.ndarray:
        if not isinstance(window, np.ndarray) or window.ndim != 2:
            raise CheckFailed(self.check, f"predict_next was given "
                              f"{type(window).__name__} of shape {np.shape(window)}; give it "
                              "the windows as a 2-D NumPy array (N, T).")
        if window.shape[1] != self.n_steps:
            step = len(self.windows) + 1
            raise CheckFailed(self.check, f"at step {step} predict_next received windows of "
                              f"{window.shape[1]} values; they must keep T = {self.n_steps}: "
                              "drop the oldest value as you append the prediction.")
        self.windows.append(window.copy())
        out = window @ self.weights + 1.0
        # the AR's predict_next returns (N,) float64, the RNN's (N, 1) float32
        return out[:, None].astype(np.float32) if self.column else out


def check_iterated_forecast(iterated_forecast: Callable[..., Any]) -> None:
    """``iterated_forecast(predict_next, X, horizon)``: feed predictions back, window slides."""
    check = "check_iterated_forecast"
    X = np.random.default_rng(2).normal(size=(6, 5))
    horizon = 4  # N = 6 windows != horizon, so forecasts returned as (horizon, N) are caught
    for column in (False, True):  # the AR's predict_next returns (N,), the RNN's (N, 1)
        shape = "(N, 1)" if column else "(N,)"
        recorder = _Recorder(check, X.shape[1], column)
        out = call_student(check, iterated_forecast, recorder, X, horizon)
        calls = len(recorder.windows)
        if calls != horizon:
            raise CheckFailed(check, f"predict_next was called {calls} times for horizon="
                              f"{horizon}: call it once per step ahead.")
        out = expect_array(check, f"the forecasts (predict_next returning {shape})", out,
                           shape=(len(X), horizon), dtype="floating",
                           hint="One row per window, one column per step ahead.")
        want = S.iterated_forecast(_Recorder(check, X.shape[1], column), X, horizon)
        if len(recorder.windows) > 1:
            first, second = recorder.windows[0], recorder.windows[1]
            pred = want[:, 0]
            if np.allclose(second, first):
                raise CheckFailed(check, "the window does not change between steps, so every "
                                  "step repeats the one-step forecast: append each prediction "
                                  "and drop the oldest value.")
            if np.allclose(second, np.column_stack([pred, X[:, :-1]])):
                raise CheckFailed(check, "you put the prediction at the front of the window; "
                                  "it is the newest value: append it at the end, "
                                  "window[:, 1:] followed by the prediction.")
            if np.allclose(second, np.column_stack([X[:, :-1], pred])):
                raise CheckFailed(check, "you dropped the newest value (window[:, :-1]) instead "
                                  "of the oldest: keep window[:, 1:] and append the "
                                  "prediction.")
        if not np.allclose(out, want, atol=1e-5):
            index, got, expected = first_mismatch(out, want, atol=1e-5)
            raise CheckFailed(check, f"with predict_next returning {shape}, forecast {index} "
                              f"should be {expected:.4f}, got {got:.4f}: step i + 1 must read "
                              "the window slid i times, predictions appended.")
    passed(check, f"{horizon} steps fed back for predict_next returning (N,) or (N, 1); the "
           "window keeps T values and X is untouched.")


# --------------------------------------------------------------------------- AR with statsmodels
def _ar_series(n: int = 300, seed: int = 3) -> np.ndarray:
    """An AR(3) with unequal coefficients and an intercept, so lag order and w_0 both matter."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n + 50)
    for t in range(3, len(x)):
        x[t] = 1.0 + 0.6 * x[t - 1] - 0.3 * x[t - 2] + 0.2 * x[t - 3] + rng.normal()
    return x[50:]


def check_fit_ar(fit_ar: Callable[..., Any]) -> None:
    """``fit_ar(train, p)`` returns statsmodels' fitted ``AutoReg(train, lags=p, trend="c")``."""
    check = "check_fit_ar"
    train = _ar_series()
    for p in (3, 5):
        result = call_student(check, fit_ar, train, p)
        model = getattr(result, "model", None)
        if not hasattr(result, "params") or getattr(model, "ar_lags", None) is None:
            hint = (" You returned the model: call .fit() and return its result."
                    if hasattr(result, "fit") and hasattr(result, "ar_lags") else "")
            raise CheckFailed(check, f"return the fitted result of statsmodels' AutoReg "
                              f"(AutoReg(train, lags=p, trend='c').fit()), got "
                              f"{type(result).__name__}.{hint}")
        lags = list(model.ar_lags)
        if lags != list(range(1, p + 1)):
            raise CheckFailed(check, f"with p={p} your AR reads the lags {lags}; it should read "
                              f"1 to {p}: AutoReg(train, lags=p, ...).")
        if model.trend != "c":
            raise CheckFailed(check, f"your AR has trend={model.trend!r}: "
                              + ("it has no constant, so it is pulled towards 0 "
                                 if model.trend == "n" else "it adds a time trend ")
                              + "instead of the series' mean. Use trend='c' (a constant).")
        want = S.fit_ar(train, p)
        if np.asarray(result.params).shape != np.asarray(want.params).shape or not np.allclose(
                result.params, want.params, atol=1e-6):
            raise CheckFailed(check, f"your AR({p}) has params {_grid(result.params)}; fitted "
                              f"on `train` it should be {_grid(want.params)}. Fit on the "
                              "training series you are given, unchanged.")
    passed(check, "statsmodels' AutoReg with p lags and a constant, fitted on the training "
           "series.")


def _ar_diagnosis(out: np.ndarray, result: Any, X: np.ndarray, horizon: int) -> str:
    """Name the mistake behind wrong AR forecasts ``out``, or say where they differ."""
    want = S.ar_forecast(result, X, horizon)
    w_0, weights = float(result.params[0]), np.asarray(result.params[1:])
    p = len(weights)

    def iterate(next_value: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return S.iterated_forecast(next_value, X, horizon)

    if np.allclose(out, out[:1], atol=1e-6):
        return ("every window got the same forecast: result.forecast(m) continues the training "
                "series from its end. Forecast from each window instead, with the "
                "coefficients result.params.")
    diagnoses = [
        (iterate(lambda win: w_0 + win[:, -p:] @ weights),
         "you multiplied w_1 by the oldest of the last p values. statsmodels orders params as "
         "[w_0, w_1 (lag 1), w_2, ...] (it calls the intercept w_0 'const'): w_1 belongs to the "
         "most recent value X[:, -1], w_2 to X[:, -2], ... (window[:, ::-1][:, :p] @ w)."),
        (iterate(lambda win: win[:, ::-1][:, :p] @ weights),
         "you left out the intercept w_0 = params[0]: the next value is w_0 + w_1 x_t + ... ."),
        (iterate(lambda win: w_0 + win[:, :p][:, ::-1] @ weights),
         "you read the oldest p values of each window, X[:, :p]; an AR(p) reads the most "
         "recent p, X[:, -p:]."),
        (np.repeat(want[:, :1], horizon, axis=1),
         "you repeat the one-step forecast: feed each forecast back into the window and "
         "predict again (iterated forecasts)."),
    ]
    for wrong, message in diagnoses:
        if np.allclose(out, wrong, atol=1e-6):
            return message
    index, got, expected = first_mismatch(out, want)
    return (f"with p = {p} and windows of {X.shape[1]} values, forecast {index} (window "
            f"{index[0]}, {index[1] + 1} steps ahead) should be {expected:.4f}, got {got:.4f}.")


def check_ar_forecast(ar_forecast: Callable[..., Any]) -> None:
    """``ar_forecast(result, X, horizon)``: iterated AR(p) forecasts from every window."""
    check = "check_ar_forecast"
    series, horizon = _ar_series(), 4
    # p = 3 on short windows, then the lab's case: p = 12 on windows of T = 20 values
    for p, n_steps in ((3, 7), (12, 20)):
        result = S.fit_ar(series, p)
        X = np.random.default_rng(p).normal(1.5, 1.0, size=(6, n_steps))
        try:
            out = call_student(check, ar_forecast, result, X, horizon)
        except CheckFailed as failure:
            if "cannot be estimated" in failure.message:
                raise CheckFailed(check, f"with p = {p} on windows of {n_steps} values your "
                                  "ar_forecast fails: result.apply(window) keeps the fitted "
                                  "parameters, but it builds a new AutoReg on the window, and "
                                  "statsmodels refuses one on fewer than 2p + 1 values "
                                  f"({2 * p + 1} here). Use the fitted coefficients, "
                                  "result.params, with your iterated_forecast instead.") from None
            raise
        out = expect_array(check, "the forecasts", out, shape=(len(X), horizon),
                           dtype="floating", hint="One row per window, one column per step "
                           "ahead.")
        if not np.allclose(out, S.ar_forecast(result, X, horizon), atol=1e-6):
            raise CheckFailed(check, _ar_diagnosis(out, result, X, horizon))
    passed(check, "w_0 + w_1 x_t + ... + w_p x_(t+1-p), from each window, fed back for "
           f"{horizon} steps, for p = 3 and p = 12 (statsmodels' params: [w_0, w_1, ..., w_p]).")


# --------------------------------------------------------------------------- choosing
class _Train:
    """What the lab puts in ``splits["train"]``: the check only needs to recognise it."""

    def __repr__(self) -> str:
        return "<training data>"


# Candidates are tuples like the lab's (hidden size, epochs). Validation RMSE of each, then test
# RMSE: validation prefers (8, 30), test prefers (8, 15).
_A, _B, _C, _D = (8, 15), (8, 30), (32, 15), (32, 30)
_VAL = {_A: 3.0, _B: 1.5, _C: 2.0, _D: 4.0}
_TEST = {_A: 0.5, _B: 2.5, _C: 1.0, _D: 3.0}
# The forecast errors of every candidate are its score times this pattern: 5 windows, 3 steps
# ahead, RMS 1 over all 15 entries but uneven across windows and steps (window 2, step 1 errs
# most). Every proper subset of windows or of steps, the mean of per-window or per-step RMSEs,
# the mean absolute error and the MSE give a score at least 8 % away from the RMSE, so each of
# those mistakes changes the score and can be named (tests/test_checks_lab05.py checks this).
_RAW = np.array([[0.52, -0.31, 0.17], [-0.43, 0.66, -0.24], [3.0, 1.07, -0.55],
                 [0.29, 0.21, -0.63], [-0.61, 0.13, 0.38]])
_PATTERN = _RAW / np.sqrt(np.mean(_RAW ** 2))
# Each window is recognised by its values, so a subset of the windows is recognised too.
_X_VAL = 2.0 + 0.01 * np.arange(len(_PATTERN))[:, None] + np.zeros((1, 3))
_X_TEST = _X_VAL + 1.0


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def _score_mistakes(rmse: float) -> list[tuple[float, str]]:
    """(score, what it is) for each wrong way to score errors ``rmse * _PATTERN``."""
    n, m = _PATTERN.shape
    mistakes = [(rmse ** 2, "the square of the RMSE: that is the MSE"),
                (rmse * float(np.mean(np.abs(_PATTERN))), "the mean absolute error (MAE)"),
                (rmse * float(np.mean([_rms(row) for row in _PATTERN])),
                 "the mean of each window's RMSE; averaging RMSEs is not the RMSE"),
                (rmse * float(np.mean([_rms(col) for col in _PATTERN.T])),
                 "the mean of each step's RMSE; averaging RMSEs is not the RMSE")]
    for size in range(1, n):
        for rows in itertools.combinations(range(n), size):
            which = ("only the last validation window" if rows == (n - 1,) else
                     "only the first validation window" if rows == (0,) else
                     f"only {size} of the {n} validation windows, {list(rows)}")
            mistakes.append((rmse * _rms(_PATTERN[list(rows)]), f"the RMSE over {which}: you "
                             "scored only part of the validation windows"))
    for size in range(1, m):
        for cols in itertools.combinations(range(m), size):
            steps = ", ".join(str(c + 1) for c in cols)
            mistakes.append((rmse * _rms(_PATTERN[:, list(cols)]), f"the RMSE of step(s) "
                             f"{steps} ahead only: you scored only part of the forecast steps"))
    return mistakes


def _choose_run(check: str, choose_on_validation: Callable[..., Any],
                test_scores: dict) -> tuple[Any, dict, dict]:
    targets = {"val": np.zeros(_PATTERN.shape), "test": np.ones(_PATTERN.shape)}
    splits = {"train": _Train(), "val": (_X_VAL.copy(), targets["val"].copy()),
              "test": (_X_TEST.copy(), targets["test"].copy())}
    seen: dict[str, list] = {"fit_on": [], "forecast_on": []}

    def fit(candidate: Any, train: Any) -> tuple:
        seen["fit_on"].append(train)
        return ("model", candidate)

    def rows_of(X: np.ndarray, windows: np.ndarray) -> list[int] | None:
        if X.ndim != 2 or X.shape[1] != windows.shape[1] or not len(X):
            return None
        found = [np.flatnonzero(np.all(np.isclose(windows, row), axis=1)) for row in X]
        return [int(f[0]) for f in found] if all(len(f) for f in found) else None

    def forecast(model: Any, X: Any) -> np.ndarray:
        candidate = model[1] if isinstance(model, tuple) and len(model) == 2 else None
        if candidate not in _VAL:
            raise CheckFailed(check, f"forecast was given {model!r}: pass it the model that "
                              "fit(candidate, train) returned.")
        X = np.asarray(X, dtype=float)
        for part, windows in (("val", _X_VAL), ("test", _X_TEST)):
            rows = rows_of(X, windows)
            if rows is not None:
                seen["forecast_on"].append(part)
                value = _VAL[candidate] if part == "val" else test_scores[candidate]
                return targets[part][rows] + value * _PATTERN[rows]
        seen["forecast_on"].append("other")
        return np.zeros((len(X), _PATTERN.shape[1]))

    out = call_student(check, choose_on_validation, list(_VAL), fit, forecast, splits)
    return out, seen, splits


def check_choose_on_validation(choose_on_validation: Callable[..., Any]) -> None:
    """``choose_on_validation(candidates, fit, forecast, splits)`` -> (best, {candidate: RMSE})."""
    check = "check_choose_on_validation"
    # Run twice with the test split changed (its best candidate moves): nothing may change.
    for test_scores in (_TEST, {k: 5.0 - v for k, v in _TEST.items()}):
        out, seen, splits = _choose_run(check, choose_on_validation, test_scores)
        if "test" in seen["forecast_on"]:
            raise CheckFailed(check, "your function forecasts the test windows. A choice must "
                              "not even look at the test split, or it changes when the test "
                              "data changes: fit on splits['train'], score on splits['val'], "
                              "and leave the test for the one final evaluation.")
        wrong_fit = [t for t in seen["fit_on"] if not isinstance(t, _Train)]
        if wrong_fit:
            given = next((f"splits[{name!r}]" for name in ("val", "test")
                          if wrong_fit[0] is splits[name]), type(wrong_fit[0]).__name__)
            raise CheckFailed(check, f"fit was given {given} instead of splits['train']: fit "
                              "every candidate on the training split only; the validation "
                              "split is for scoring, the test split for the final report.")
        if not isinstance(out, (tuple, list)) or len(out) != 2 or not isinstance(out[1], dict):
            raise CheckFailed(check, "return a pair (best, scores) with scores a dict "
                              f"{{candidate: validation RMSE}}, got {type(out).__name__}.")
        best, scores = out
        if set(scores) != set(_VAL) or not all(isinstance(k, tuple) for k in scores):
            raise CheckFailed(check, f"scores should be keyed by the candidates themselves, "
                              f"{list(_VAL)}, got keys {list(scores)}.")
        for name, want in _VAL.items():
            got = float(scores[name])
            if np.isclose(got, want):
                continue
            what = next((words for value, words in _score_mistakes(want)
                         if np.isclose(got, value)), None)
            if what is not None:
                raise CheckFailed(check, f"scores[{name!r}] is {got:g}, {what}. Score each "
                                  f"candidate by one RMSE over every validation window and "
                                  f"every step ahead, S.rmse(forecast(model, X_val), Y_val): "
                                  f"{want:g} here.")
            raise CheckFailed(check, f"scores[{name!r}] should be the validation RMSE, "
                              f"{want:g}, got {got:g}.")
        if not isinstance(best, tuple) or best not in _VAL:
            raise CheckFailed(check, f"best should be one of the candidates, as given (here the "
                              f"tuple {_B}), got {best!r} ({type(best).__name__}).")
        if best != _B:
            if best == min(test_scores, key=test_scores.get):
                raise CheckFailed(check, f"you chose {best!r}, the best candidate on the test "
                                  "split: a choice made on the test split. Choose the lowest "
                                  "validation RMSE.")
            if best == max(_VAL, key=_VAL.get):
                raise CheckFailed(check, f"you chose {best!r}, the candidate with the highest "
                                  "validation error: choose the lowest.")
            raise CheckFailed(check, f"you chose {best!r}; the lowest validation RMSE is {_B} "
                              "(1.5).")
    passed(check, "fitted on train, scored by RMSE on validation, lowest chosen; the choice "
           "stays the same when only the test split changes.")


# --------------------------------------------------------------------------- the recurrent model
def _construct(check: str, cls: Any, *args: Any) -> nn.Module:
    if not isinstance(cls, type):
        raise CheckFailed(check, f"pass the class Forecaster itself, got {type(cls).__name__}.")
    model = call_student(check, cls, *args)
    if not isinstance(model, nn.Module):
        raise CheckFailed(check, "Forecaster must subclass nn.Module.")
    return model


def _forward(check: str, model: nn.Module, x: torch.Tensor) -> Any:
    try:
        return call_student(check, model, x)
    except CheckFailed as failure:
        if "input_size" in failure.message or "input.size(-1)" in failure.message:
            raise CheckFailed(check, "the LSTM was given the wrong last axis: it expects "
                              "(B, T, 1), one value per step; add the feature axis last, "
                              "x.unsqueeze(-1).") from None
        raise


def check_forecaster(Forecaster: Any) -> None:
    """``Forecaster(hidden_size, horizon)``: ``rnn`` an LSTM, ``head`` a Linear, (B, T) -> (B, m)."""
    check = "check_forecaster"
    hidden_size, horizon, B, T = 6, 3, 4, 7
    for m in (horizon, 1):
        model = _construct(check, Forecaster, hidden_size, m)
        rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
        if not isinstance(rnn, nn.LSTM):
            raise CheckFailed(check, f"self.rnn should be nn.LSTM(1, hidden_size, "
                              f"batch_first=True), got {type(rnn).__name__}.")
        if (rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.bidirectional) != (
                1, hidden_size, 1, False):
            raise CheckFailed(check, f"Forecaster({hidden_size}, {m}).rnn should be "
                              f"nn.LSTM(1, {hidden_size}, batch_first=True), got {rnn}.")
        if not isinstance(head, nn.Linear) or (head.in_features, head.out_features) != (
                hidden_size, m):
            raise CheckFailed(check, f"Forecaster({hidden_size}, {m}).head should be "
                              f"nn.Linear({hidden_size}, {m}) (one output per step ahead), got "
                              f"{head}.")
        torch.manual_seed(5)
        reference = S.Forecaster(hidden_size, m)
        try:
            model.load_state_dict(reference.state_dict())
        except RuntimeError as error:
            raise CheckFailed(check, "Forecaster should hold exactly self.rnn and self.head "
                              f"(so its parameters are rnn.* and head.*): {error}") from None
        x = torch.randn(B, T, generator=torch.Generator().manual_seed(6))
        with evaluating(model, reference), torch.enable_grad():
            out = _keeping_global_state(check, "your forward", _forward, check, model, x)
            with torch.no_grad():
                want = reference(x)
                states, (_, c_n) = reference.rnn(x.unsqueeze(-1))
        if not isinstance(out, torch.Tensor):
            raise CheckFailed(check, f"forward should return a tensor, got "
                              f"{type(out).__name__}.")
        if not out.requires_grad:
            raise CheckFailed(check, "the output of forward does not depend on the parameters "
                              "through autograd (it has no grad_fn): training could not change "
                              "them. Do not detach it, call .numpy() or use torch.no_grad() "
                              "inside forward.")
        out = out.detach()
        if tuple(out.shape) == (B, T, m):
            raise CheckFailed(check, "your forward returns a forecast at every step, "
                              f"{tuple(out.shape)}: apply the head to the last step only, "
                              "out[:, -1] -> (B, horizon).")
        if tuple(out.shape) != (B, m):
            raise CheckFailed(check, f"forward on windows of shape {(B, T)} should return "
                              f"{(B, m)} (one value per step ahead), got {tuple(out.shape)}.")
        if not torch.allclose(out, want, atol=1e-5):
            with torch.no_grad():
                first, cell = reference.head(states[:, 0]), reference.head(c_n[-1])
            if torch.allclose(out, first, atol=1e-5):
                raise CheckFailed(check, "you forecast from the LSTM's output at the first "
                                  "step, out[:, 0], which has read one value; forecast from the "
                                  "last, out[:, -1].")
            if torch.allclose(out, cell, atol=1e-5):
                raise CheckFailed(check, "you applied the head to c_n, the LSTM's cell state "
                                  "(the second element of its (h_n, c_n) pair); forecast from "
                                  "the hidden state h_T: out[:, -1], which equals h_n[-1].")
            if not rnn.batch_first:
                raise CheckFailed(check, "self.rnn reads (T, B, 1) unless batch_first=True, "
                                  "and the windows come as (B, T): pass batch_first=True (or "
                                  "transpose the input and read the last step as out[-1]).")
            raise CheckFailed(check, f"with the reference's weights your outputs differ by up "
                              f"to {float((out - want).abs().max()):.4f}: forward should be "
                              "head(rnn(x.unsqueeze(-1))[0][:, -1]), nothing more.")
    passed(check, "an LSTM over (B, T, 1) and a linear head on its last output: (B, horizon), "
           "the same numbers as the reference with the same weights.")


def _global_state() -> dict[str, Any]:
    """What a function could change for the whole session and break a later cell with."""
    return {"gradients enabled (torch.is_grad_enabled())": torch.is_grad_enabled(),
            "the default dtype (torch.get_default_dtype())": torch.get_default_dtype(),
            "anomaly detection (torch.is_anomaly_enabled())": torch.is_anomaly_enabled()}


def _keeping_global_state(check: str, who: str, func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)``; fails, after putting it back, if it changed PyTorch's global state."""
    before = _global_state()
    try:
        return func(*args)
    finally:
        after = _global_state()
        changed = [what for what in before if after[what] != before[what]]
        if changed:
            torch.set_grad_enabled(before["gradients enabled (torch.is_grad_enabled())"])
            torch.set_default_dtype(before["the default dtype (torch.get_default_dtype())"])
            torch.autograd.set_detect_anomaly(
                before["anomaly detection (torch.is_anomaly_enabled())"])
            what = changed[0]
            raise CheckFailed(check, f"{who} changed {what} for the whole session, from "
                              f"{before[what]} to {after[what]} (the check has set it back). A "
                              "later cell, training for one, would then fail far from here: "
                              "change such settings only inside a `with` block, e.g. "
                              "`with torch.no_grad():`.")


# --------------------------------------------------------------------------- predict
class _DropoutForecaster(nn.Module):
    """A forecaster with dropout between two LSTM layers: its train and eval outputs differ."""

    def __init__(self, horizon: int = 2) -> None:
        super().__init__()
        self.rnn = nn.LSTM(1, 16, num_layers=2, dropout=0.5, batch_first=True)
        self.head = nn.Linear(16, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x.unsqueeze(-1))
        return self.head(out[:, -1])


_DTYPE_WORDS = ("Double", "torch.float64")  # how PyTorch names a float64 input


def check_predict(predict: Callable[..., Any]) -> None:
    """``predict(model, X)``: NumPy outputs for float64 windows, in eval mode, no gradients."""
    check = "check_predict"
    torch.manual_seed(0)
    model = _DropoutForecaster()
    X = np.random.default_rng(0).uniform(-1, 1, (8, 12))  # float64, as the lab's windows
    with evaluating(model), torch.no_grad():
        want = model(torch.as_tensor(X, dtype=torch.float32)).numpy()
    for dtype in (np.float64, np.float32):
        model.train()  # as after training: does predict switch dropout off?
        try:
            first = _keeping_global_state(check, "your predict", call_student, check, predict,
                                          model, X.astype(dtype))
        except CheckFailed as failure:
            if "for the whole session" in failure.message:
                raise
            if dtype == np.float64 and any(w in failure.message for w in _DTYPE_WORDS):
                raise CheckFailed(check, "the lab's windows are float64 NumPy arrays and your "
                                  "predict passed them on as float64 (torch.from_numpy keeps "
                                  "the dtype) to a float32 model: convert with "
                                  "torch.as_tensor(X, dtype=torch.float32).") from None
            if "requires grad" in failure.message:
                raise CheckFailed(check, "your output still tracks gradients: predict inside "
                                  "`with torch.no_grad():`, then .numpy().") from None
            raise
        if isinstance(first, torch.Tensor):
            raise CheckFailed(check, "return a NumPy array (.cpu().numpy()), not a tensor"
                              + (", and predict inside `with torch.no_grad():`."
                                 if first.requires_grad else "."))
        first = expect_array(check, "predict(model, X)", first, shape=want.shape,
                             dtype="floating", hint="Return the model's output as it is.")
        model.train()
        second = np.asarray(_keeping_global_state(check, "your predict", call_student, check,
                                                  predict, model, X.astype(dtype)), dtype=float)
        if not np.allclose(first, second, atol=1e-6):
            gap = float(np.abs(first - second).max())
            raise CheckFailed(check, f"two calls on the same windows differ by up to {gap:.3f}: "
                              "dropout is still on. Call model.eval() before predicting (fit "
                              "leaves the model in train mode).")
        if not np.allclose(first, want, atol=1e-5):
            ratio = float(np.median(first / np.where(np.abs(want) > 1e-3, want, np.nan)))
            hint = (f" Your outputs are about {ratio:.2f} times the right ones: PyTorch's "
                    "dropout already scales by 1/(1 - dropout) while training, so do not "
                    "rescale at test time." if np.isfinite(ratio) and not np.isclose(ratio, 1, atol=0.02)
                    else "")
            raise CheckFailed(check, f"on {np.dtype(dtype).name} windows your outputs differ "
                              "from the model's eval-mode outputs by up to "
                              f"{float(np.abs(first - want).max()):.4f}.{hint}")
    _check_device(check, predict, X)
    passed(check, "the same eval-mode outputs on every call, without gradients, as NumPy, for "
           "float64 and float32 windows, on the model's own device.")


class _DeviceProbe(nn.Module):
    """A model whose parameter lives on the ``meta`` device, standing in for a GPU: it records
    where its input is and answers on the CPU, so a predict that ignores the device is seen on
    a machine without a GPU."""

    def __init__(self, horizon: int = 2) -> None:
        super().__init__()
        self.horizon, self.seen, self.grad_enabled = horizon, [], []
        # not registered, so the state dict stays empty (a meta tensor has no values to compare)
        weight = nn.Parameter(torch.empty(horizon, device="meta"))
        self.__dict__["_weight"] = weight
        # the Forecaster's layers, for a predict that reads the device from one of them
        self.__dict__["rnn"] = _MetaLayer(weight_ih_l0=weight, weight_hh_l0=weight)
        self.__dict__["head"] = _MetaLayer(weight=weight, bias=weight)

    def parameters(self, recurse: bool = True):
        yield self._weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.device)
        self.grad_enabled.append(torch.is_grad_enabled())
        return torch.zeros(len(x), self.horizon)


class _MetaLayer:
    """Stands in for the Forecaster's ``rnn`` or ``head``: its weights on the meta device."""

    def __init__(self, **weights: torch.Tensor) -> None:
        self.__dict__.update(weights)
        self._weights = list(weights.values())

    def parameters(self, recurse: bool = True):
        yield from self._weights[:1]


def _check_device(check: str, predict: Callable[..., Any], X: np.ndarray) -> None:
    probe = _DeviceProbe()
    try:
        _keeping_global_state(check, "your predict", call_student, check, predict, probe, X)
    except CheckFailed as failure:
        if probe.seen or "in place" in failure.message or "whole session" in failure.message:
            raise
        raise CheckFailed(check, "on a model whose parameters live on another device (the "
                          "check uses PyTorch's 'meta' device to stand in for a GPU) your "
                          f"predict failed before calling it: {failure.message}") from None
    if any(probe.grad_enabled):
        raise CheckFailed(check, "your predict ran the model with autograd on, so PyTorch kept "
                          "every intermediate result for a backward pass that never comes: call "
                          "the model inside `with torch.no_grad():`.")
    where = probe.seen[0] if probe.seen else None
    if where is not None and where.type != "meta":
        raise CheckFailed(check, f"your predict sent the windows to {where}, but the model's "
                          "parameters are on another device (the check stands in for a GPU "
                          "with PyTorch's 'meta' device): send them where the model is, "
                          "device=next(model.parameters()).device.")


# --------------------------------------------------------------------------- the verdict
_BASELINES = ["naive", "AR (iterated)", "AR (direct)", "ARIMA"]
_RECURRENT = ["RNN (iterated)", "RNN (direct)"]


def _table(*values: float) -> dict:
    return dict(zip(_BASELINES + _RECURRENT, values))


# (val_rmse, test_rmse). Across the three cases the models validation prefers sit at different
# places in the lists, and so do the test winners; only a choice made on validation gets all
# three right, and only a choice made on test matches the test winner in all three.
_VERDICT_CASES = [
    # validation: RNN (direct), AR (iterated); test would prefer RNN (iterated), ARIMA
    (_table(5.0, 2.0, 2.2, 2.5, 1.95, 1.9), _table(4.0, 3.0, 2.9, 2.4, 2.7, 3.3)),
    # validation: RNN (direct), AR (iterated); test: RNN (direct), ARIMA (the RNN wins on test)
    (_table(5.0, 2.0, 2.3, 2.5, 2.2, 1.9), _table(4.0, 3.0, 3.1, 2.6, 2.7, 2.4)),
    # validation: RNN (iterated), AR (direct), a middle baseline; test: RNN (direct), naive
    (_table(3.0, 2.4, 2.1, 2.6, 2.0, 2.3), _table(2.2, 2.8, 2.5, 2.6, 3.0, 2.1)),
]


def _verdict_choice(check: str, role: str, picks: list[tuple[Any, str, str, list, dict]]) -> None:
    """Fail when a pick differs from validation's; blame the test split only when every pick
    is the test winner (the cases make that true of a choice made on test, and of nothing else)."""
    wrong = [(case, got, want, pool, val) for case, (got, want, test_best, pool, val)
             in enumerate(picks) if got != want]
    if not wrong:
        return
    case, got, want, pool, val = wrong[0]
    if all(got_ == test_best for got_, _, test_best, _, _ in picks):
        raise CheckFailed(check, f"you chose the {role} {got!r}, the best on the test split, and "
                          "you did so in every case the check tried: a choice made on the test "
                          f"split. Choose on validation ({want!r} has the lowest validation "
                          "RMSE), then report its test RMSE.")
    if role == "baseline" and got in _RECURRENT:
        raise CheckFailed(check, f"your baseline {got!r} is a recurrent model: compare "
                          "the best RNN with the best of the other models.")
    scores = ", ".join(f"{name} {val[name]:g}" for name in pool)
    raise CheckFailed(check, f"the {role} should be {want!r}, the one with the lowest "
                      f"validation RMSE, got {got!r} (case {case + 1} of the check, validation "
                      f"RMSEs: {scores}).")


def check_verdict(verdict: Callable[..., Any]) -> None:
    """``verdict(val_rmse, test_rmse, recurrent)`` -> (rnn, baseline, change), chosen on val."""
    check = "check_verdict"
    outs = []
    for val, test in _VERDICT_CASES:
        val, test = dict(val), dict(test)  # fresh dicts: a student's change cannot last
        out = call_student(check, verdict, val, test, list(_RECURRENT))
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise CheckFailed(check, "return three things: (rnn, baseline, change), got "
                              f"{type(out).__name__}.")
        outs.append(out)
    for role, position, pool in (("recurrent model", 0, _RECURRENT), ("baseline", 1, _BASELINES)):
        _verdict_choice(check, role, [
            (out[position], S.verdict(val, test, _RECURRENT)[position], min(pool, key=test.get),
             pool, val) for out, (val, test) in zip(outs, _VERDICT_CASES)])
    for (_, _, change), (val, test) in zip(outs, _VERDICT_CASES):
        want_rnn, want_base, want = S.verdict(val, test, _RECURRENT)
        if not isinstance(change, (float, int, np.floating)) or isinstance(change, bool):
            raise CheckFailed(check, f"change should be a number, got {type(change).__name__}.")
        t_r, t_b, v_r, v_b = test[want_rnn], test[want_base], val[want_rnn], val[want_base]
        if np.isclose(change, want, atol=1e-9):
            continue
        wrong = {-want: "your sign is reversed: change = test_rmse[rnn] / test_rmse[baseline] "
                        "- 1 is positive when the RNN's error is higher (it loses).",
                 1 - t_b / t_r: "your change is relative to the RNN's error; express it relative "
                                "to the baseline's: test_rmse[rnn] / test_rmse[baseline] - 1.",
                 t_r - t_b: "that is a difference in RMSE units; give the relative change, "
                            "test_rmse[rnn] / test_rmse[baseline] - 1.",
                 100 * want: "give the change as a fraction (0.10 for 10 %), not a percentage.",
                 v_r / v_b - 1: "you computed the change from the validation RMSEs; the "
                                "verdict reports the test RMSEs of the models chosen on "
                                "validation."}
        for value, message in wrong.items():
            if np.isclose(change, value, atol=1e-9):
                raise CheckFailed(check, message)
        raise CheckFailed(check, f"change should be {want:+.4f} (test RMSE {t_r} against "
                          f"{t_b}), got {change}.")
    passed(check, "the RNN and the baseline chosen on validation, compared on test: "
           "change = test_rmse[rnn] / test_rmse[baseline] - 1.")
