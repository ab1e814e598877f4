"""Time series for Unit 5: series, splits in time, windows, scaling, baselines and a fair choice.

A series is a 1-D float array $x_1, \\dots, x_n$. A batch of windows is a 2-D array ``X`` of shape
``(N, T)`` (``T`` = ``n_steps``, the window length) whose row ``i`` holds ``T`` consecutive values;
its targets ``Y`` are ``(N, m)``: the ``m`` values right after the window (``m`` = ``horizon``).
Forecasts have the shape of ``Y``. Every function here is NumPy except :class:`Forecaster` and
:func:`predict` (PyTorch) and the statsmodels baselines (:func:`fit_ar`, :func:`fit_arima`).

The rule of a fair comparison, which the functions below keep: parameters are learnt on the
training part, every setting is chosen on the validation part (:func:`choose_on_validation`),
and the test part is read once, at the end.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import warnings
from importlib import resources
from typing import Any, Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

__all__ = ["synthetic_series", "load_co2_monthly", "load_sunspots", "split_points",
           "make_windows", "split_windows", "shifted_windows", "MinMaxScaler", "scale_series",
           "naive_forecast", "iterated_forecast", "fit_ar", "ar_forecast", "fit_arima",
           "arima_forecast", "LinearAR", "choose_on_validation", "remember", "Forecaster", "predict",
           "rmse", "rmse_by_horizon", "verdict", "change_interval"]


# --------------------------------------------------------------------------- argument checks
def _number(name: str, value: Any, *, positive: bool = False, minimum: float | None = None) -> float:
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if positive and not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    if minimum is not None and not value >= minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}.")
    return float(value)


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__} {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _numeric(name: str, value: Any, ndim: int, what: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if not isinstance(value, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be {what} (a NumPy array), got {type(value).__name__}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers ({what}), got {value!r:.60}.") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {what}, got shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"{name} is empty: expected {what} with at least one value.")
    return array


def _finite(name: str, array: np.ndarray) -> np.ndarray:
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        where = np.unravel_index(bad[0], array.shape)
        where = where[0] if len(where) == 1 else tuple(int(i) for i in where)
        raise ValueError(f"{name} holds NaN or infinity ({bad.size} values, the first at index "
                         f"{where}): fill or drop missing values before forecasting.")
    return array


def _as_series(series: Any, name: str = "series") -> np.ndarray:
    return _finite(name, _numeric(name, series, 1, "a 1-D series"))


def _as_windows(X: Any, name: str = "X") -> np.ndarray:
    return _finite(name, _numeric(name, X, 2, "a 2-D array of windows (N, T)"))


# --------------------------------------------------------------------------- series
def synthetic_series(t_max: float = 30.0, resolution: float = 0.1, noise: float = 0.0,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The seeds' series $x(u) = \\tfrac13 u \\sin u + 2 \\sin 5u$ at times ``u = 0, resolution, ..., t_max``.

    Returns ``(time, x)``, two float arrays of ``round(t_max / resolution) + 1`` values;
    ``x[t]`` is $x_t = \\mu_t + \\varepsilon_t$: the noise-free signal $\\mu_t = x(u_t)$ plus
    Gaussian noise $\\varepsilon_t$ whose standard deviation $\\sigma_\\varepsilon$ is ``noise``
    (0 = none), drawn from ``numpy.random.default_rng(seed)``. Without noise the series obeys an
    exact linear recurrence of order 6 (it is a sum of $u e^{\\pm i u}$ and $e^{\\pm 5 i u}$;
    lecture 05). ``TypeError`` / ``ValueError`` name an argument that is not a finite
    number (``seed``: a non-negative integer) or is out of range.
    """
    t_max = _number("t_max", t_max, positive=True)
    resolution = _number("resolution", resolution, positive=True)
    noise = _number("noise", noise, minimum=0.0)
    if resolution >= t_max:
        raise ValueError(f"resolution must be smaller than t_max={t_max}, got {resolution!r}.")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    t = np.arange(0.0, t_max + resolution / 2, resolution)
    x = t * np.sin(t) / 3 + 2 * np.sin(5 * t)
    if noise > 0:
        x = x + noise * np.random.default_rng(seed).standard_normal(len(t))
    return t, x


def _dataset_csv(name: str) -> list[list[str]]:
    try:
        folder = resources.files(f"statsmodels.datasets.{name}")
    except ModuleNotFoundError:
        raise ImportError("this loader reads a data set bundled with statsmodels: "
                          "pip install statsmodels (nothing is downloaded)") from None
    with (folder / f"{name}.csv").open() as file:
        return list(csv.reader(file))[1:]


def load_co2_monthly() -> tuple[np.ndarray, np.ndarray]:
    """Mauna Loa atmospheric CO2 (ppm), monthly, March 1958 to December 2001, offline.

    The record bundled with statsmodels is weekly with gaps. Each month's value is the mean of
    its weekly readings; the few months without any are linearly interpolated. Returns
    ``(time, co2)``: time in fractional years (1958.0 is January 1958) and CO2 in ppm.
    """
    sums: dict[int, list[float]] = {}
    for date, value in _dataset_csv("co2"):
        month = int(date[:4]) * 12 + int(date[4:6]) - 1
        sums.setdefault(month, [])
        if value.strip():
            sums[month].append(float(value))
    months = np.arange(min(sums), max(sums) + 1)
    values = np.array([np.mean(sums[m]) if sums.get(m) else np.nan for m in months])
    known = ~np.isnan(values)
    values[~known] = np.interp(months[~known], months[known], values[known])
    return months / 12.0, values


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers 1700-2008 (bundled with statsmodels), offline.

    Returns ``(year, sunspots)`` as float arrays of 309 values (version 1 of the sunspot
    number, before the 2015 recalibration).
    """
    rows = np.array(_dataset_csv("sunspots"), dtype=float)
    return rows[:, 0], rows[:, 1]


def split_points(n_values: int, val_fraction: float = 0.2,
                 test_fraction: float = 0.2) -> tuple[int, int, int]:
    """Sizes ``(n_train, n_val, n_test)`` of a split in time: train first, then val, then test.

    ``n_val = round(val_fraction * n_values)``, ``n_test = round(test_fraction * n_values)``,
    and the training part is the rest. Each part must hold at least one value.
    """
    n_values = _positive_int("n_values", n_values)
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0 < _number(name, value) < 1:
            raise ValueError(f"{name} must be a fraction in (0, 1), got {value!r}.")
    n_val, n_test = round(val_fraction * n_values), round(test_fraction * n_values)
    n_train = n_values - n_val - n_test
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(f"val_fraction={val_fraction} and test_fraction={test_fraction} leave "
                         f"an empty part of {n_values} values: (train, val, test) = "
                         f"({n_train}, {n_val}, {n_test}).")
    return n_train, n_val, n_test


# --------------------------------------------------------------------------- windows
def make_windows(series: np.ndarray, n_steps: int, horizon: int = 1,
                 stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``series`` into inputs of ``n_steps`` values and the ``horizon`` values after each.

    Returns ``(X, Y)``, float64 arrays of shapes ``(N, n_steps)`` and ``(N, horizon)``, where
    ``X[i] = series[s : s + n_steps]`` and ``Y[i] = series[s + n_steps : s + n_steps + horizon]``
    for ``s = i * stride``: every target comes after its whole input. Raises ValueError when
    the series is shorter than ``n_steps + horizon`` (no window fits).
    """
    series = _as_series(series)
    n_steps = _positive_int("n_steps", n_steps)
    horizon = _positive_int("horizon", horizon)
    stride = _positive_int("stride", stride)
    span = n_steps + horizon
    if span > len(series):
        raise ValueError(f"n_steps + horizon = {n_steps} + {horizon} = {span} is longer than the "
                         f"series ({len(series)} values): no window fits.")
    starts = np.arange(0, len(series) - span + 1, stride)
    windows = series[starts[:, None] + np.arange(span)]
    return windows[:, :n_steps], windows[:, n_steps:]


def split_windows(series: np.ndarray, n_train: int, n_val: int, n_steps: int, horizon: int,
                  train_horizon: int | None = None,
                  make_windows: Callable[..., tuple[np.ndarray, np.ndarray]] = make_windows,
                  ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The windows of each part of a split in time, as ``{"train": (X, Y), "val": ..., "test": ...}``.

    Training windows lie wholly inside the first ``n_train`` values (with ``train_horizon``
    targets, default ``horizon``). A validation (test) window's ``horizon`` targets all lie in
    the validation (test) part; its ``n_steps`` inputs may reach back into earlier parts, since
    the past is known when a forecast is made. No value of a later part is ever an input or a
    target of an earlier part's window. ``make_windows`` cuts the windows (yours, in the lab).
    Raises ValueError naming the part (training, validation, test) that cannot hold one window.
    """
    series = _as_series(series)
    if not callable(make_windows):
        raise TypeError(f"make_windows must be a function make_windows(series, n_steps, horizon), "
                        f"got {type(make_windows).__name__}.")
    n_train, n_val = _positive_int("n_train", n_train), _positive_int("n_val", n_val)
    n_steps, horizon = _positive_int("n_steps", n_steps), _positive_int("horizon", horizon)
    train_horizon = horizon if train_horizon is None else _positive_int("train_horizon",
                                                                        train_horizon)
    if n_train + n_val >= len(series):
        raise ValueError(f"n_train + n_val = {n_train + n_val} leaves no test value in a series "
                         f"of {len(series)}.")
    if n_steps > n_train:
        raise ValueError(f"n_steps={n_steps} is longer than the training part ({n_train} values).")
    end = n_train + n_val
    for part, size, targets, name in (("training", n_train - n_steps, train_horizon,
                                       "train_horizon" if train_horizon != horizon else "horizon"),
                                      ("validation", n_val, horizon, "horizon"),
                                      ("test", len(series) - end, horizon, "horizon")):
        if targets > size:
            room = (f"the training part ({n_train} values) holds n_steps={n_steps} inputs and "
                    f"{size} values after them" if part == "training" else
                    f"the {part} part has {size} values")
            raise ValueError(f"{name}={targets} targets do not fit: {room}, so no {part} window "
                             f"has all its targets inside it.")
    return {"train": make_windows(series[:n_train], n_steps, train_horizon),
            "val": make_windows(series[n_train - n_steps:end], n_steps, horizon),
            "test": make_windows(series[end - n_steps:], n_steps, horizon)}


def shifted_windows(series: np.ndarray, n_steps: int,
                    stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Inputs of ``n_steps`` values and targets shifted one step ahead (one target per step).

    Returns ``(X, Y)``, both ``(N, n_steps)``, with ``Y[i, t] = X[i, t + 1]`` inside a window
    and ``Y[i, -1]`` the value just after it.
    """
    n_steps = _positive_int("n_steps", n_steps)
    X, Y = make_windows(series, n_steps, horizon=1, stride=stride)
    return X, np.hstack([X[:, 1:], Y])


# --------------------------------------------------------------------------- scaling
class MinMaxScaler:
    """Map values linearly so that the *fitted* data spans ``[low, high]``; remember the fit.

    Fit it on the training data only; transform later data with the same numbers (values
    outside ``[low, high]`` are expected); ``inverse_transform`` brings forecasts back to the
    original units. ``x' = low + (x - data_min) (high - low) / (data_max - data_min)``.

    Why not scikit-learn's ``MinMaxScaler``, which computes the same map: it treats each
    *column* of a 2-D ``(n_samples, n_features)`` array as its own variable. A series must go
    in as ``series[:, None]``; 1-D arrays are refused ("Expected 2D array"); ``transform``
    refuses ``(N, m)`` windows or forecasts ("X has 10 features, but MinMaxScaler is expecting
    1 features"), and ``inverse_transform`` accepts them only through NumPy broadcasting, which
    it neither documents nor checks. This one treats the series as one variable: a single
    minimum and maximum, and arrays of any shape (a series, ``(N, T)`` windows, ``(N, m)``
    forecasts) are mapped entry by entry, in both directions.
    """

    def __init__(self, low: float = 0.0, high: float = 1.0):
        low, high = _number("low", low), _number("high", high)
        if low >= high:
            raise ValueError(f"need numbers low < high, got low={low!r}, high={high!r}.")
        self.low, self.high = low, high
        self.data_min: float | None = None
        self.data_max: float | None = None

    def fit(self, data: np.ndarray) -> "MinMaxScaler":
        """Remember the minimum and maximum of ``data`` (any shape); return the scaler."""
        array = self._values("data", data)
        if not np.isfinite(array).all():
            raise ValueError("data must be finite numbers: it holds NaN or infinity.")
        if array.max() == array.min():
            raise ValueError(f"data is constant ({array.min()}): there is no range to scale.")
        self.data_min, self.data_max = float(array.min()), float(array.max())
        return self

    @staticmethod
    def _values(name: str, data: Any) -> np.ndarray:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        if not isinstance(data, (np.ndarray, list, tuple, float, int, np.floating)):
            raise TypeError(f"{name} must be an array of numbers, got {type(data).__name__}.")
        try:
            array = np.asarray(data, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be an array of numbers, got {data!r:.60}.") from None
        if array.size == 0:
            raise ValueError(f"{name} is empty: expected at least one number.")
        return array

    @property
    def fitted(self) -> bool:
        return self.data_min is not None

    def _scale(self) -> float:
        if not self.fitted:
            raise ValueError("this MinMaxScaler is not fitted yet: call fit(train) first.")
        return (self.high - self.low) / (self.data_max - self.data_min)

    def transform(self, data: np.ndarray) -> np.ndarray:
        """Scale ``data`` (any shape) with the fitted minimum and maximum; float64 out."""
        scale = self._scale()
        return (self._values("data", data) - self.data_min) * scale + self.low

    def fit_transform(self, data: np.ndarray) -> np.ndarray:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)

    def inverse_transform(self, data: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform`: back to the original units (any shape); float64 out."""
        scale = self._scale()
        return (self._values("data", data) - self.low) / scale + self.data_min

    def __repr__(self) -> str:
        fit = f"fit on [{self.data_min:.4g}, {self.data_max:.4g}]" if self.fitted else "not fitted"
        return f"MinMaxScaler(low={self.low}, high={self.high}, {fit})"


def scale_series(series: np.ndarray, n_train: int, low: float = -1.0,
                 high: float = 1.0) -> tuple[np.ndarray, MinMaxScaler]:
    """Scale a whole series with a :class:`MinMaxScaler` fitted on its first ``n_train`` values.

    Returns ``(scaled, scaler)``: ``scaled`` has the shape of ``series`` and its training part
    spans exactly ``[low, high]``; later values keep their distance from it (they may fall
    outside). Fitting on more than the training part would leak the future's range.
    """
    series = _as_series(series)
    n_train = _positive_int("n_train", n_train)
    if n_train >= len(series):
        raise ValueError(f"n_train={n_train} leaves nothing to forecast in a series of "
                         f"{len(series)} values.")
    scaler = MinMaxScaler(low, high).fit(series[:n_train])
    return scaler.transform(series), scaler


# --------------------------------------------------------------------------- baselines
def naive_forecast(X: np.ndarray, horizon: int, season: int | None = None) -> np.ndarray:
    """The forecast to beat: $\\hat x_{t+i} = x_t$ at each step ahead ``i``; ``(N, horizon)``.

    With ``season=s``: repeat the last season, $\\hat x_{t+i} = x_{t+i-s\\lceil i/s \\rceil}$
    (needs ``T >= s``). Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*,
    3rd ed. (2021), section 5.2.
    """
    X = _as_windows(X)
    horizon = _positive_int("horizon", horizon)
    if season is None:
        return np.repeat(X[:, -1:], horizon, axis=1)
    season = _positive_int("season", season)
    if season > X.shape[1]:
        raise ValueError(f"season={season} is longer than the window ({X.shape[1]} steps).")
    h = np.arange(1, horizon + 1)
    back = season * np.ceil(h / season).astype(int) - h  # steps back from the last input
    return X[:, X.shape[1] - 1 - back]


def iterated_forecast(predict_next: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                     horizon: int) -> np.ndarray:
    """Forecast ``horizon`` steps by feeding one-step predictions back in (iterated forecasts).

    ``predict_next`` maps windows ``(N, T)`` to next values ``(N,)`` or ``(N, 1)``. After each
    step the window slides: its oldest value drops out and the prediction is appended, so it
    keeps ``T`` values. ``X`` is not modified. Returns ``(N, horizon)``. ``ValueError`` when
    ``predict_next`` returns anything but one number per window.
    """
    if not callable(predict_next):
        raise TypeError(f"predict_next must be a function, got {type(predict_next).__name__}.")
    window = _as_windows(X).copy()
    horizon = _positive_int("horizon", horizon)
    out = np.empty((len(window), horizon))
    for h in range(horizon):
        step = _one_per_window(predict_next(window), len(window))
        out[:, h] = step[:, 0]
        window = np.hstack([window[:, 1:], step])
    return out


def _one_per_window(step: Any, n_windows: int) -> np.ndarray:
    """``predict_next``'s answer as an (N, 1) float array, or a ValueError saying what it gave."""
    wanted = f"one value per window, shape ({n_windows},) or ({n_windows}, 1)"
    try:
        array = np.asarray(step, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"predict_next must return {wanted}, got {type(step).__name__}.") from None
    if array.size != n_windows or array.ndim == 0 or array.shape[0] != n_windows:
        raise ValueError(f"predict_next must return {wanted}, got shape {array.shape}.")
    return array.reshape(n_windows, 1)


def fit_ar(train: np.ndarray, p: int):
    """statsmodels' ``AutoReg(train, lags=p, trend="c").fit()``: an AR(p) with a constant.

    $x_t = w_0 + \\sum_{i=1}^{p} w_i x_{t-i} + \\varepsilon_t$, fitted by conditional least
    squares; ``result.params`` is ``[w_0, w_1, ..., w_p]`` (statsmodels calls the intercept
    $w_0$ "const"; $w_1$ multiplies the most recent value). The $p + 1$ coefficients are fitted
    to the ``len(train) - p`` values that have $p$ values before them: statsmodels needs at
    least ``2p + 1`` values to build the model; this function asks for one more, so that a
    residual is left to estimate the noise from. Raises ValueError otherwise.
    """
    from statsmodels.tsa.ar_model import AutoReg

    train = _as_series(train, "train")
    p = _positive_int("p", p)
    if len(train) < 2 * p + 2:
        raise ValueError(f"an AR({p}) needs at least {2 * p + 2} training values here ({p + 1} "
                         f"coefficients fitted to the values after the first {p}, and one "
                         f"residual left over), got {len(train)}.")
    return AutoReg(train, lags=p, trend="c").fit()


def _ar_parts(result) -> tuple[float, np.ndarray, list[int]]:
    model = getattr(result, "model", None)
    if getattr(model, "ar_lags", None) is None or not hasattr(result, "params"):
        raise TypeError(f"result must be a fitted statsmodels AutoReg (fit_ar(train, p)), got "
                        f"{type(result).__name__}.")
    if model.trend not in ("c", "n") or getattr(model, "exog", None) is not None or model.seasonal:
        raise ValueError("result must be an AutoReg with trend 'c' or 'n', no seasonal dummies "
                         "and no exog.")
    params = np.asarray(result.params, dtype=float)
    const = params[0] if model.trend == "c" else 0.0
    return float(const), params[-len(model.ar_lags):], list(model.ar_lags)


def ar_forecast(result, X: np.ndarray, horizon: int) -> np.ndarray:
    """Iterated AR forecasts from each window: ``(N, horizon)``.

    With ``result`` from :func:`fit_ar` (``params = [w_0, w_1, ..., w_p]``), the next value
    of a window is $w_0 + \\sum_{i=1}^{p} w_i x_{t+1-i}$ (``w_1`` times the last value ``X[:, -1]``),
    fed back by :func:`iterated_forecast`. The same numbers as statsmodels'
    ``result.apply(window).forecast(horizon)``, for all windows at once: ``apply`` keeps the
    fitted parameters, but it builds a new ``AutoReg`` on the window, which statsmodels
    refuses for a window of fewer than ``2p + 1`` values. Here ``T >= p`` is enough.
    """
    const, weights, lags = _ar_parts(result)
    X = _as_windows(X)
    if X.shape[1] < max(lags):
        raise ValueError(f"X has windows of {X.shape[1]} values; this AR reads {max(lags)}.")
    columns = [X.shape[1] - lag for lag in lags]  # lag k is the k-th value from the end
    return iterated_forecast(lambda window: const + window[:, columns] @ weights, X, horizon)


def fit_arima(train: np.ndarray, order: tuple[int, int, int]):
    """statsmodels' ARIMA(p, d, q) with a constant (``trend="c"`` when d = 0), fitted by
    maximum likelihood on ``train``.

    Stationarity and invertibility are not enforced (the synthetic series' amplitude grows,
    which no stationary model produces); convergence warnings are silenced: a poor fit shows up
    as a poor validation score. Box, Jenkins, Reinsel and Ljung, *Time Series Analysis*, 5th ed. (2015).
    """
    from statsmodels.tsa.arima.model import ARIMA

    train = _as_series(train, "train")
    if (not isinstance(order, tuple) or len(order) != 3
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0
                       for v in order)):
        raise ValueError(f"order must be a tuple (p, d, q) of non-negative integers, got "
                         f"{order!r}.")
    if len(train) <= 2 * (order[0] + order[2]) + order[1] + 2:
        raise ValueError(f"ARIMA{order} needs more training values than {len(train)}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIMA(train, order=order, trend="c" if order[1] == 0 else "n",
                      enforce_stationarity=False, enforce_invertibility=False)
        return model.fit()


def arima_forecast(result, X: np.ndarray, horizon: int) -> np.ndarray:
    """Forecasts of a fitted ARIMA from each window alone: ``(N, horizon)``.

    The fitted parameters are applied to each window (``result.apply(window)``, a Kalman filter
    over its ``T`` values) and forecast ``horizon`` steps, so the ARIMA sees the same ``T``
    values as every other model.
    """
    if not hasattr(result, "apply") or not hasattr(result, "forecast"):
        raise TypeError(f"result must be a fitted statsmodels ARIMA (fit_arima), got "
                        f"{type(result).__name__}.")
    X = _as_windows(X)
    horizon = _positive_int("horizon", horizon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([np.asarray(result.apply(w).forecast(horizon)) for w in X])


class LinearAR:
    """A linear autoregressive model on windows, fitted by (ridge) least squares.

    With $x_t$ the value right after a window and $x_{t-i}$ its ``X[:, T - i]`` (windows hold the
    oldest value first; $T$ is X's width, so pass ``X[:, -p:]`` for order $p$), the first target
    column is NOTATION.md's AR form $\\hat x_t = w_0 + \\sum_{i=1}^{T} w_i x_{t-i}$; with targets
    ``(N, m)`` (direct forecasting) column $k$ forecasts $x_{t+k-1}$ from the same lags, with
    weights of its own. Each column minimises the sum of squared errors plus
    $\\lambda_\\text{ridge} \\sum_{i=1}^{T} w_i^2$, where $\\lambda_\\text{ridge}$ is ``ridge``
    (0 = ordinary least squares; the intercept $w_0$ is never shrunk). ``weights`` is
    ``(T + 1, m)``: row ``T - i`` holds $w_i$, the last row $w_0$.
    """

    def __init__(self, ridge: float = 0.0):
        self.ridge = _number("ridge", ridge, minimum=0.0)
        self.weights: np.ndarray | None = None  # (T + 1, m), the last row is the bias

    def fit(self, X: np.ndarray, Y: np.ndarray) -> "LinearAR":
        """Fit on windows ``X`` (N, T) and targets ``Y`` (N,) or (N, m); return the model."""
        X = _as_windows(X)
        Y = _numeric("Y", Y, 1 if np.ndim(Y) == 1 else 2, "targets (N,) or (N, m)")
        Y = Y[:, None] if Y.ndim == 1 else Y
        if len(Y) != len(X):
            raise ValueError(f"Y must have {len(X)} rows like X, got shape {Y.shape}.")
        A = np.hstack([X, np.ones((len(X), 1))])
        penalty = self.ridge * np.eye(A.shape[1])
        penalty[-1, -1] = 0.0
        self.weights = np.linalg.solve(A.T @ A + penalty, A.T @ Y) if self.ridge else \
            np.linalg.lstsq(A, Y, rcond=None)[0]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecasts ``(N, m)`` for windows ``X`` (N, T)."""
        if self.weights is None:
            raise ValueError("this LinearAR is not fitted yet: call fit(X, Y) first.")
        X = _as_windows(X)
        if X.shape[1] != len(self.weights) - 1:
            raise ValueError(f"X must have {len(self.weights) - 1} steps, got {X.shape[1]}.")
        return X @ self.weights[:-1] + self.weights[-1]


# --------------------------------------------------------------------------- choosing
def choose_on_validation(candidates: Iterable[Hashable], fit: Callable[[Any, Any], Any],
                         forecast: Callable[[Any, np.ndarray], np.ndarray],
                         splits: Mapping[str, Any]) -> tuple[Any, dict]:
    """Choose a model's settings on the validation split, never on the test split.

    For each candidate setting ``c``: ``model = fit(c, splits["train"])``, then its RMSE on the
    validation windows, ``rmse(forecast(model, X_val), Y_val)`` with
    ``(X_val, Y_val) = splits["val"]``. Returns ``(best, scores)``: the candidate with the
    lowest validation RMSE (the first one on a tie) and ``{candidate: RMSE}``. ``splits["test"]``
    is never read, so changing the test split cannot change a choice. Candidates are dict keys,
    so they must be hashable (numbers, strings, tuples such as ``(p, q)``; not lists).
    """
    if isinstance(candidates, (str, bytes)) or not isinstance(candidates, Iterable):
        raise TypeError(f"candidates must be a list of settings, got {type(candidates).__name__}.")
    candidates = list(candidates)
    if not candidates:
        raise ValueError("candidates is empty: give at least one setting to choose from.")
    for candidate in candidates:
        _hashable_candidate(candidate)
    if not callable(fit) or not callable(forecast):
        raise TypeError("fit and forecast must be functions: fit(candidate, train) -> model, "
                        "forecast(model, X) -> (N, m) forecasts.")
    if not isinstance(splits, Mapping):
        raise TypeError(f"splits must be a dict with the keys 'train' and 'val', got "
                        f"{type(splits).__name__}.")
    missing = [key for key in ("train", "val") if key not in splits]
    if missing:
        raise ValueError(f"splits must have the keys 'train' and 'val', missing {missing}.")
    val = splits["val"]
    if not isinstance(val, (tuple, list)) or len(val) != 2:
        got = (f"an array of shape {np.shape(val)}" if isinstance(val, (np.ndarray, torch.Tensor))
               else type(val).__name__)
        raise TypeError(f"splits['val'] must be a pair (X_val, Y_val) of windows (N, T) and "
                        f"targets (N, m), got {got}.")
    X_val, Y_val = _as_windows(val[0], "splits['val'][0] (X_val)"), val[1]
    if np.ndim(Y_val) < 1 or len(Y_val) != len(X_val):
        raise ValueError(f"splits['val'] must pair {len(X_val)} windows with as many rows of "
                         f"targets, got targets of shape {np.shape(Y_val)}.")
    scores = {c: rmse(forecast(fit(c, splits["train"]), X_val), Y_val) for c in candidates}
    best = min(candidates, key=lambda c: scores[c])
    return best, scores


def _hashable_candidate(candidate: Any) -> None:
    try:
        hash(candidate)
    except TypeError:
        fix = (f"write it as a tuple, {tuple(candidate)!r:.60}" if isinstance(candidate, list)
               else "use a number, a string or a tuple")
        raise TypeError(f"each candidate becomes a dict key, so it must be hashable: got "
                        f"{type(candidate).__name__} {candidate!r:.60}; {fix}.") from None


def _fingerprint(data: Any) -> str:
    """A digest of the numbers in ``data`` (arrays, tensors, numbers, nested tuples, lists, dicts)."""
    digest = hashlib.sha256()

    def feed(value: Any) -> None:
        if isinstance(value, dict):
            for key in sorted(value, key=str):
                digest.update(repr(key).encode())
                feed(value[key])
        elif isinstance(value, (tuple, list)):
            digest.update(f"[{len(value)}".encode())
            for item in value:
                feed(item)
        else:
            array = np.ascontiguousarray(value.detach().cpu().numpy()
                                         if isinstance(value, torch.Tensor) else value)
            if array.dtype == object:
                raise TypeError(f"remember can only fingerprint numbers, got {type(value).__name__}.")
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(array.tobytes())

    feed(data)
    return digest.hexdigest()


def remember(fit: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``fit(candidate, train)``, computed once per candidate and training data, then reused.

    The training data is recognised by its numbers (a SHA-256 digest of every array), so a
    change to any training value fits again, while a change elsewhere (the test split) reuses
    the model. ``fit`` must be deterministic (seeded) for this to be the same as refitting.
    """
    if not callable(fit):
        raise TypeError(f"fit must be a function fit(candidate, train), got {type(fit).__name__}.")
    memory: dict[tuple[Any, str], Any] = {}

    @functools.wraps(fit)
    def fit_once(candidate: Any, train: Any) -> Any:
        _hashable_candidate(candidate)
        key = (candidate, _fingerprint(train))
        if key not in memory:
            memory[key] = fit(candidate, train)
        return memory[key]

    return fit_once


# --------------------------------------------------------------------------- the recurrent model
class Forecaster(nn.Module):
    """An LSTM that reads a window and forecasts the next ``horizon`` values from its last state.

    ``forward(x)``: ``x`` (B, T) scaled values -> ``(B, horizon)``. The window goes through
    ``self.rnn = nn.LSTM(1, hidden_size, batch_first=True)`` as (B, T, 1); the output at the
    last step, $\\mathbf{h}_T$ (H), goes through ``self.head = nn.Linear(hidden_size, horizon)``.
    With ``horizon=1`` it is a one-step model for iterated forecasts; with ``horizon=m`` a
    direct one.
    """

    def __init__(self, hidden_size: int, horizon: int = 1):
        super().__init__()
        hidden_size, horizon = _positive_int("hidden_size", hidden_size), _positive_int(
            "horizon", horizon)
        self.rnn = nn.LSTM(1, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or 0 in x.shape:
            raise ValueError(f"x must be a (B, T) tensor of windows, B and T at least 1, got "
                             f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}.")
        out, _ = self.rnn(x.unsqueeze(-1))  # (B, T, H)
        return self.head(out[:, -1])         # h_T -> (B, horizon)


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """The outputs of a PyTorch ``model`` on windows ``X`` (N, T), as a float NumPy array.

    Runs in eval mode (dropout off) and without gradients; ``X`` may be float64 or float32
    (NumPy) and goes to the device of the model's parameters as float32. The model is left
    in eval mode (training with ``course_utils.fit`` switches it back). ``ValueError`` when
    ``X`` is not (N, T) or does not fit the model.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    X = _as_windows(X)
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    model.eval()
    with torch.no_grad():
        try:
            out = model(torch.as_tensor(X, dtype=torch.float32, device=device))
        except RuntimeError as error:  # e.g. a model built for other inputs
            raise ValueError(f"X of shape {X.shape} does not fit model: model(X) raised "
                             f"{error}") from None
    return out.cpu().numpy()


# --------------------------------------------------------------------------- scores
def _pair(prediction: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    p = _numeric("prediction", prediction, np.ndim(prediction) or 1, "an array of forecasts")
    t = _numeric("target", target, np.ndim(target) or 1, "an array of targets")
    if p.shape != t.shape:
        raise ValueError(f"prediction has shape {p.shape} but target has shape {t.shape}.")
    return p, t


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    """Root mean squared error over all entries, in the units of the data (same shapes)."""
    p, t = _pair(prediction, target)
    return float(np.sqrt(np.mean((p - t) ** 2)))


def rmse_by_horizon(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """RMSE of each column of ``(N, m)`` forecasts: the error against the horizon, ``(m,)``."""
    p, t = _pair(prediction, target)
    if p.ndim != 2:
        raise ValueError(f"prediction and target must be (N, horizon) arrays, got shape "
                         f"{p.shape}.")
    return np.sqrt(np.mean((p - t) ** 2, axis=0))


def verdict(val_rmse: Mapping[str, float], test_rmse: Mapping[str, float],
            recurrent: Sequence[str]) -> tuple[str, str, float]:
    """The one comparison to report: ``(rnn, baseline, change)``.

    ``rnn`` is the model named in ``recurrent`` with the lowest validation RMSE, ``baseline``
    the other model with the lowest validation RMSE (both chosen on validation, never on
    test), and ``change = test_rmse[rnn] / test_rmse[baseline] - 1``: negative when the RNN
    wins (-0.1: 10 % lower test error), positive when it loses. Every RMSE must be a finite
    number >= 0, and the baseline's test RMSE above 0 (a relative change from 0 is undefined).
    """
    for name, table in (("val_rmse", val_rmse), ("test_rmse", test_rmse)):
        if not isinstance(table, Mapping) or not table:
            raise TypeError(f"{name} must be a non-empty dict {{model name: RMSE}}, got "
                            f"{type(table).__name__}.")
        for model, value in table.items():
            _number(f"{name}[{model!r}]", value, minimum=0.0)
            if not np.isfinite(value):
                raise ValueError(f"{name}[{model!r}] must be a finite RMSE, got {value!r}.")
    if isinstance(recurrent, str) or not isinstance(recurrent, (list, tuple, set, frozenset)):
        raise TypeError(f"recurrent must be a list of model names, got {recurrent!r}.")
    if set(val_rmse) != set(test_rmse):
        raise ValueError(f"val_rmse and test_rmse must name the same models, got "
                         f"{sorted(val_rmse)} and {sorted(test_rmse)}.")
    rnns = [name for name in val_rmse if name in recurrent]
    baselines = [name for name in val_rmse if name not in recurrent]
    if not rnns or not baselines:
        raise ValueError(f"recurrent={sorted(recurrent)} must name at least one model of "
                         f"{sorted(val_rmse)} and leave at least one baseline.")
    rnn = min(rnns, key=lambda name: val_rmse[name])
    baseline = min(baselines, key=lambda name: val_rmse[name])
    if test_rmse[baseline] == 0:
        raise ValueError(f"test_rmse[{baseline!r}] is 0: the change relative to the baseline "
                         "chosen on validation is undefined; compare the RMSEs themselves.")
    return rnn, baseline, float(test_rmse[rnn] / test_rmse[baseline] - 1)


def change_interval(rnn_errors: np.ndarray, baseline_errors: np.ndarray, block_size: int,
                    level: float = 0.9, reps: int = 2000, seed: int = 0) -> tuple[float, float]:
    """How much the test period alone can move a verdict: a block-bootstrap interval of the change.

    ``rnn_errors`` and ``baseline_errors`` are squared errors, one row per test window and one
    column per seed, ``(N, S)`` (the same windows, paired row by row). The change is
    :func:`verdict`'s ``test RMSE(rnn) / test RMSE(baseline) - 1``, averaged over the seeds.
    Blocks of ``block_size`` consecutive windows are drawn with replacement (arch's
    ``CircularBlockBootstrap``, which wraps around the end), so the overlap of neighbouring
    windows is kept; block bootstrap: Künsch, *Annals of Statistics* 17(3):1217 (1989).
    Returns the ``level`` percentile interval ``(low, high)``. It covers which test windows
    happened to be drawn, not the seeds, the training data or another draw of the noise.
    """
    from arch.bootstrap import CircularBlockBootstrap

    rnn_errors = _numeric("rnn_errors", rnn_errors, 2, "squared errors (N windows, S seeds)")
    baseline_errors = _numeric("baseline_errors", baseline_errors, 2,
                               "squared errors (N windows, S seeds)")
    if rnn_errors.shape != baseline_errors.shape:
        raise ValueError(f"rnn_errors has shape {rnn_errors.shape} but baseline_errors has shape "
                         f"{baseline_errors.shape}: pair the same windows and seeds.")
    for name, errors in (("rnn_errors", rnn_errors), ("baseline_errors", baseline_errors)):
        if not np.isfinite(errors).all() or (errors < 0).any():
            raise ValueError(f"{name} must be squared errors: finite and >= 0.")
    block_size = _positive_int("block_size", block_size)
    if block_size > len(rnn_errors):
        raise ValueError(f"block_size={block_size} is longer than the {len(rnn_errors)} windows.")
    if not 0 < _number("level", level) < 1:
        raise ValueError(f"level must be a fraction in (0, 1), got {level!r}.")
    reps = _positive_int("reps", reps)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}.")
    if (baseline_errors.mean(axis=0) == 0).any():
        raise ValueError("baseline_errors are all 0 for a seed: a relative change from 0 is "
                         "undefined.")

    def mean_change(rnn: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        return np.array([np.mean(np.sqrt(rnn.mean(axis=0) / baseline.mean(axis=0))) - 1])

    bootstrap = CircularBlockBootstrap(block_size, rnn_errors, baseline_errors,
                                       seed=int(seed))
    low, high = bootstrap.conf_int(mean_change, reps=reps, method="percentile", size=level)
    return float(low[0]), float(high[0])
