"""Time series for Unit 5: generators, offline loaders, windows, scaling and honest baselines.

Everything here is NumPy. A series is a 1-D float array; a batch of windows is a 2-D array
``(N, n_steps)`` whose row ``i`` is ``series[i : i + n_steps]``.
"""
from __future__ import annotations

import csv
from importlib import resources
from typing import Callable

import numpy as np

__all__ = ["synthetic_series", "load_co2_monthly", "load_sunspots", "split_series",
           "make_windows", "shifted_windows", "MinMaxScaler", "naive_forecast",
           "LinearAR", "iterate_forecast", "rmse", "rmse_by_horizon", "predict"]


# --------------------------------------------------------------------------- series
def synthetic_series(t_max: float = 30.0, resolution: float = 0.1, noise: float = 0.0,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The seeds' series ``t sin(t) / 3 + 2 sin(5 t)`` on ``t = 0, resolution, ..., t_max``.

    ``noise`` is the standard deviation of Gaussian noise added to every value (0 = none),
    drawn from a generator seeded with ``seed``. Returns ``(t, y)``, two float arrays.
    """
    for name, value in (("t_max", t_max), ("resolution", resolution)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}.")
    if resolution >= t_max:
        raise ValueError(f"resolution must be smaller than t_max={t_max}, got {resolution!r}.")
    if not isinstance(noise, (int, float)) or isinstance(noise, bool) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}.")
    t = np.arange(0.0, t_max + resolution / 2, resolution)
    y = t * np.sin(t) / 3 + 2 * np.sin(5 * t)
    if noise > 0:
        y = y + noise * np.random.default_rng(seed).standard_normal(len(t))
    return t, y


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

    Returns ``(year, sunspots)`` as float arrays.
    """
    rows = np.array(_dataset_csv("sunspots"), dtype=float)
    return rows[:, 0], rows[:, 1]


def split_series(series: np.ndarray, train_fraction: float,
                 context: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split a series in time: the first ``train_fraction`` is train, the rest test.

    The test part starts ``context`` values early, so the first test window has an input;
    every target built from it still lies after the training part.
    """
    series = _as_series(series)
    if not isinstance(train_fraction, float) or not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be a float in (0, 1), got {train_fraction!r}.")
    if not isinstance(context, (int, np.integer)) or context < 0:
        raise ValueError(f"context must be a non-negative integer, got {context!r}.")
    cut = int(round(train_fraction * len(series)))
    if context > cut:
        raise ValueError(f"context={context} is longer than the {cut} training values.")
    if cut == 0 or cut >= len(series):
        raise ValueError(f"train_fraction={train_fraction} leaves no train or no test value.")
    return series[:cut], series[cut - context:]


# --------------------------------------------------------------------------- windows
def _as_series(series: np.ndarray) -> np.ndarray:
    if not isinstance(series, (np.ndarray, list, tuple)):
        raise TypeError(f"series must be a 1-D array, got {type(series).__name__}.")
    array = np.asarray(series, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"series must be 1-D, got shape {array.shape}.")
    return array


def _positive_int(name: str, value: int) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def make_windows(series: np.ndarray, n_steps: int, horizon: int = 1,
                 stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``series`` into inputs of ``n_steps`` values and the ``horizon`` values after each.

    Returns ``(X, Y)`` of shapes ``(N, n_steps)`` and ``(N, horizon)`` where
    ``X[i] = series[s : s + n_steps]`` and ``Y[i] = series[s + n_steps : s + n_steps + horizon]``
    for ``s = i * stride``. A series shorter than ``n_steps + horizon`` raises ValueError.
    """
    series = _as_series(series)
    _positive_int("n_steps", n_steps)
    _positive_int("horizon", horizon)
    _positive_int("stride", stride)
    span = n_steps + horizon
    if span > len(series):
        raise ValueError(f"n_steps + horizon = {n_steps} + {horizon} = {span} is longer than the "
                         f"series ({len(series)} values): no window fits.")
    starts = np.arange(0, len(series) - span + 1, stride)
    index = starts[:, None] + np.arange(span)
    windows = series[index]
    return windows[:, :n_steps], windows[:, n_steps:]


def shifted_windows(series: np.ndarray, n_steps: int,
                    stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Inputs of ``n_steps`` values and targets shifted one step ahead (one target per step).

    Returns ``(X, Y)``, both ``(N, n_steps)``, with ``Y[i, t] = X[i, t + 1]`` inside a window
    and ``Y[i, -1]`` the value just after it.
    """
    _positive_int("n_steps", n_steps)
    X, Y = make_windows(series, n_steps, horizon=1, stride=stride)
    return X, np.hstack([X[:, 1:], Y])


# --------------------------------------------------------------------------- scaling
class MinMaxScaler:
    """Map values linearly so that the *fitted* data spans ``[low, high]``; remember the fit.

    Fit it on the training data only; transform the test data with the same numbers;
    ``inverse_transform`` brings predictions back to the original units.
    """

    def __init__(self, low: float = 0.0, high: float = 1.0):
        if not isinstance(low, (int, float)) or not isinstance(high, (int, float)) or low >= high:
            raise ValueError(f"need numbers low < high, got low={low!r}, high={high!r}.")
        self.low, self.high = float(low), float(high)
        self.data_min: float | None = None
        self.data_max: float | None = None

    def fit(self, data: np.ndarray) -> "MinMaxScaler":
        """Remember the minimum and maximum of ``data``; return the scaler."""
        array = np.asarray(data, dtype=float)
        if array.size == 0 or not np.isfinite(array).all():
            raise ValueError("data must be a non-empty array of finite numbers.")
        if array.max() == array.min():
            raise ValueError(f"data is constant ({array.min()}): there is no range to scale.")
        self.data_min, self.data_max = float(array.min()), float(array.max())
        return self

    @property
    def fitted(self) -> bool:
        return self.data_min is not None

    def _scale(self) -> float:
        if not self.fitted:
            raise ValueError("this MinMaxScaler is not fitted yet: call fit(train) first.")
        return (self.high - self.low) / (self.data_max - self.data_min)

    def transform(self, data: np.ndarray) -> np.ndarray:
        """Scale ``data`` with the fitted minimum and maximum (any shape)."""
        scale = self._scale()
        return (np.asarray(data, dtype=float) - self.data_min) * scale + self.low

    def fit_transform(self, data: np.ndarray) -> np.ndarray:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)

    def inverse_transform(self, data: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform`: back to the original units (any shape)."""
        scale = self._scale()
        return (np.asarray(data, dtype=float) - self.low) / scale + self.data_min

    def __repr__(self) -> str:
        fit = f"fit on [{self.data_min:.4g}, {self.data_max:.4g}]" if self.fitted else "not fitted"
        return f"MinMaxScaler(low={self.low}, high={self.high}, {fit})"


# --------------------------------------------------------------------------- baselines
def _as_windows(X: np.ndarray) -> np.ndarray:
    array = np.asarray(X, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"X must be a 2-D array of windows (N, n_steps), got shape {array.shape}.")
    return array


def naive_forecast(X: np.ndarray, horizon: int, season: int | None = None) -> np.ndarray:
    """The forecasts to beat. Returns ``(N, horizon)``.

    Without ``season``: repeat each window's last value. With ``season=m``: repeat the last
    season, ``y_hat[t + h] = x[t + h - m * ceil(h / m)]`` (needs ``n_steps >= m``).
    """
    X = _as_windows(X)
    _positive_int("horizon", horizon)
    if season is None:
        return np.repeat(X[:, -1:], horizon, axis=1)
    _positive_int("season", season)
    if season > X.shape[1]:
        raise ValueError(f"season={season} is longer than the window ({X.shape[1]} steps).")
    h = np.arange(1, horizon + 1)
    back = season * np.ceil(h / season).astype(int) - h  # steps back from the last input
    return X[:, X.shape[1] - 1 - back]


class LinearAR:
    """A linear autoregressive model ``y_hat = X w + b``, fitted by least squares.

    With targets ``(N, k)`` it fits one linear model per future step (direct forecasting);
    ``ridge`` adds ``ridge * ||w||^2`` to the squared error (0 = ordinary least squares).
    """

    def __init__(self, ridge: float = 0.0):
        if not isinstance(ridge, (int, float)) or ridge < 0:
            raise ValueError(f"ridge must be a non-negative number, got {ridge!r}.")
        self.ridge = float(ridge)
        self.weights: np.ndarray | None = None  # (n_steps + 1, k), the last row is the bias

    def fit(self, X: np.ndarray, Y: np.ndarray) -> "LinearAR":
        """Fit on windows ``X`` (N, n_steps) and targets ``Y`` (N,) or (N, k)."""
        X = _as_windows(X)
        Y = np.asarray(Y, dtype=float)
        Y = Y[:, None] if Y.ndim == 1 else Y
        if Y.ndim != 2 or len(Y) != len(X):
            raise ValueError(f"Y must have {len(X)} rows like X, got shape {Y.shape}.")
        A = np.hstack([X, np.ones((len(X), 1))])
        penalty = self.ridge * np.eye(A.shape[1])
        penalty[-1, -1] = 0.0  # never shrink the bias
        self.weights = np.linalg.solve(A.T @ A + penalty, A.T @ Y) if self.ridge else \
            np.linalg.lstsq(A, Y, rcond=None)[0]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecasts ``(N, k)`` for windows ``X`` (N, n_steps)."""
        if self.weights is None:
            raise ValueError("this LinearAR is not fitted yet: call fit(X, Y) first.")
        X = _as_windows(X)
        if X.shape[1] != len(self.weights) - 1:
            raise ValueError(f"X must have {len(self.weights) - 1} steps, got {X.shape[1]}.")
        return X @ self.weights[:-1] + self.weights[-1]


def iterate_forecast(predict_next: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                     horizon: int) -> np.ndarray:
    """Forecast ``horizon`` steps by feeding one-step predictions back in.

    ``predict_next`` maps windows (N, n_steps) to next values (N,) or (N, 1). After each step
    the window slides: its oldest value drops out and the prediction is appended.
    Returns ``(N, horizon)``.
    """
    if not callable(predict_next):
        raise TypeError(f"predict_next must be a function, got {type(predict_next).__name__}.")
    window = _as_windows(X).copy()
    _positive_int("horizon", horizon)
    out = np.empty((len(window), horizon))
    for h in range(horizon):
        step = np.asarray(predict_next(window), dtype=float).reshape(len(window), -1)
        if step.shape[1] != 1:
            raise ValueError(f"predict_next must return one value per window, got {step.shape}.")
        out[:, h] = step[:, 0]
        window = np.hstack([window[:, 1:], step[:, :1]])
    return out


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    """Root mean squared error over all entries (same shapes required)."""
    p, t = np.asarray(prediction, dtype=float), np.asarray(target, dtype=float)
    if p.shape != t.shape:
        raise ValueError(f"prediction has shape {p.shape} but target has shape {t.shape}.")
    if p.size == 0:
        raise ValueError("prediction and target are empty.")
    return float(np.sqrt(np.mean((p - t) ** 2)))


def rmse_by_horizon(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """RMSE of each column of ``(N, horizon)`` forecasts: the error against the horizon."""
    p, t = np.asarray(prediction, dtype=float), np.asarray(target, dtype=float)
    if p.shape != t.shape or p.ndim != 2:
        raise ValueError(f"prediction and target must be equal (N, horizon) arrays, got "
                         f"{p.shape} and {t.shape}.")
    return np.sqrt(np.mean((p - t) ** 2, axis=0))


def predict(model, X: np.ndarray) -> np.ndarray:
    """Run a PyTorch ``model`` on windows ``X`` in eval mode, without gradients; NumPy out.

    Inputs go to the device of the model's parameters; outputs come back to the CPU.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        inputs = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
        return model(inputs).cpu().numpy()
