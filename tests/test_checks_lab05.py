"""Every Lab 05 check accepts the right answer and names each planted mistake.

The planted mistakes include the three kinds of leakage issue 17 names (a window whose target
is inside its input, a scaler fitted on all the data, a choice made on the test split) and the
float64 windows of issue 15 (``torch.from_numpy`` in ``predict``).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.preprocessing import MinMaxScaler as SklearnMinMaxScaler
from statsmodels.tsa.ar_model import AutoReg, ar_select_order
from torch import nn

from course_utils import series as S
from course_utils.checks import lab05
from tests._checks import Case, rejects, stub, to_list, to_torch


# ----------------------------------------------------------------- make_windows
def windows_ok(series, n_steps, horizon):
    n = len(series) - n_steps - horizon + 1
    if n < 1:
        raise ValueError("series too short")
    X = np.stack([series[i:i + n_steps] for i in range(n)])
    Y = np.stack([series[i + n_steps:i + n_steps + horizon] for i in range(n)])
    return X, Y


def windows_target_inside_input(series, n_steps, horizon):  # leakage
    X, _ = windows_ok(series, n_steps, horizon)
    return X, np.stack([series[i + n_steps - 1:i + n_steps - 1 + horizon] for i in range(len(X))])


def windows_target_late(series, n_steps, horizon):
    n = len(series) - n_steps - horizon
    if n < 1:
        raise ValueError("series too short")
    X = np.stack([series[i:i + n_steps] for i in range(n)])
    return X, np.stack([series[i + n_steps + 1:i + n_steps + 1 + horizon] for i in range(n)])


def windows_input_late(series, n_steps, horizon):  # leakage: the first target is the last input
    X, Y = windows_ok(series, n_steps, horizon)
    return np.stack([series[i + 1:i + 1 + n_steps] for i in range(len(X))]), Y


def windows_last_missing(series, n_steps, horizon):
    X, Y = windows_ok(series, n_steps, horizon)
    return X[:-1], Y[:-1]


def windows_no_error(series, n_steps, horizon):
    n = max(len(series) - n_steps - horizon + 1, 0)
    X = np.array([series[i:i + n_steps] for i in range(n)]).reshape(n, n_steps)
    Y = np.array([series[i + n_steps:i + n_steps + horizon] for i in range(n)]).reshape(n, horizon)
    return X, Y


def windows_swapped(series, n_steps, horizon):
    X, Y = windows_ok(series, n_steps, horizon)
    return Y, X


def windows_float32(series, n_steps, horizon):
    X, Y = windows_ok(series, n_steps, horizon)
    return X.astype(np.float32), Y.astype(np.float32)


def test_make_windows_accepts_the_right_answer_and_the_library(capsys):
    lab05.check_make_windows(windows_ok)
    lab05.check_make_windows(S.make_windows)
    assert capsys.readouterr().out.count("✓ check_make_windows") == 2


@pytest.mark.parametrize("wrong, words", [
    (windows_target_inside_input, ["target 0 starts with 4", "inside its own input", "leakage"]),
    (windows_target_late, ["skips 5", "late"]),
    (windows_input_late, ["first target of window 0, 5, is also one of its inputs", "leakage",
                          "inputs start one step late"]),
    (windows_last_missing, ["23 windows", "last window is missing"]),
    (windows_no_error, ["raise ValueError"]),
    (windows_swapped, ["(Y, X)"]),
    (windows_float32, ["dtype float32", "float64"]),
    (stub, ["not implemented yet"]),
])
def test_make_windows_names_each_mistake(wrong, words):
    rejects(lab05.check_make_windows, wrong, *words)


# ----------------------------------------------------------------- scale_series
def scale_ok(series, n_train):
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(series[:n_train])
    return scaler.transform(series), scaler


def scale_fit_on_all(series, n_train):  # leakage
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(series)
    return scaler.transform(series), scaler


def scale_fit_on_later_part(series, n_train):
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(series[n_train:])
    return scaler.transform(series), scaler


def scale_one_too_many(series, n_train):
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(series[:n_train + 1])
    return scaler.transform(series), scaler


def scale_each_part(series, n_train):
    train = S.MinMaxScaler(-1.0, 1.0).fit(series[:n_train])
    rest = S.MinMaxScaler(-1.0, 1.0).fit_transform(series[n_train:])
    return np.concatenate([train.transform(series[:n_train]), rest]), train


def scale_with_some_future(series, n_train):  # leakage through a quarter more of the series
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(series[:int(1.25 * n_train)])
    return scaler.transform(series), scaler


def scale_sklearn(series, n_train):  # W6: crashed the old check; works in the lab, so passes
    scaler = SklearnMinMaxScaler((-1, 1)).fit(series[:n_train, None])
    return scaler.transform(series[:, None]).ravel(), scaler


class _SeriesOnlyScaler:
    """A scaler right on a 1-D series whose inverse_transform flattens or refuses 2-D arrays:
    the lab inverse-transforms (N, m) forecasts."""

    def __init__(self, scaler, refuse):
        self.scaler, self.refuse = scaler, refuse

    def transform(self, data):
        return self.scaler.transform(data)

    def inverse_transform(self, data):
        if self.refuse and np.ndim(data) != 1:
            raise ValueError("expected a 1-D series")
        return self.scaler.inverse_transform(np.ravel(data))


def scale_flat_inverse(series, n_train):
    scaled, scaler = scale_ok(series, n_train)
    return scaled, _SeriesOnlyScaler(scaler, refuse=False)


def scale_inverse_1d_only(series, n_train):
    scaled, scaler = scale_ok(series, n_train)
    return scaled, _SeriesOnlyScaler(scaler, refuse=True)


def scale_zero_one(series, n_train):
    scaler = S.MinMaxScaler().fit(series[:n_train])
    return scaler.transform(series), scaler


def scale_wrong_scaler(series, n_train):
    scaled, _ = scale_ok(series, n_train)
    return scaled, S.MinMaxScaler(-1.0, 1.0).fit(series)


def test_scale_series_accepts_the_right_answer(capsys):
    lab05.check_scale_series(scale_ok)
    lab05.check_scale_series(scale_sklearn)  # what the lab does with it works: no crash, a pass
    assert capsys.readouterr().out.count("✓ check_scale_series") == 2


@pytest.mark.parametrize("wrong, words", [
    (scale_fit_on_all, ["fitted on all the data", "leakage", "series[:n_train]"]),
    (scale_fit_on_later_part, ["fitted on the part after the training values"]),
    (scale_one_too_many, ["one value too many"]),
    (scale_each_part, ["fit of its own"]),
    (scale_zero_one, ["[0, 1]", "low=-1.0"]),
    (scale_with_some_future, ["saw values up to 26.84 = series[49]", "after the training part",
                              "Leakage"]),
    (scale_flat_inverse, ["(6, 10) forecasts into shape (60,)"]),
    (scale_inverse_1d_only, ["inverse_transform fails on forecasts of shape (6, 10)",
                             "expected a 1-D series", "(N, m) forecasts",
                             "S.MinMaxScaler(low=-1.0, high=1.0)"]),
    (scale_wrong_scaler, ["inverse_transform", "fitted on the training part"]),
    (lambda series, n_train: scale_ok(series, n_train)[0], ["two things"]),
    (stub, ["not implemented yet"]),
])
def test_scale_series_names_each_mistake(wrong, words):
    rejects(lab05.check_scale_series, wrong, *words)


# ----------------------------------------------------------------- naive_forecast
def naive_ok(X, horizon):
    return np.repeat(X[:, -1:], horizon, axis=1)


@pytest.mark.parametrize("wrong, words", [
    (lambda X, horizon: np.repeat(X[:, :1], horizon, axis=1), ["first (oldest) value", "X[:, -1]"]),
    (lambda X, horizon: np.repeat(X.mean(axis=1, keepdims=True), horizon, axis=1), ["mean"]),
    (lambda X, horizon: X[:, -1], ["shape (6,)", "expected (6, 3)"]),
    (lambda X, horizon: X[:, -horizon:], ["should be", "last value of window"]),
    (stub, ["not implemented yet"]),
])
def test_naive_forecast_names_each_mistake(wrong, words):
    rejects(lab05.check_naive_forecast, wrong, *words)


def test_naive_forecast_accepts_the_right_answer(capsys):
    lab05.check_naive_forecast(naive_ok)
    assert "✓ check_naive_forecast" in capsys.readouterr().out


# ----------------------------------------------------------------- iterated_forecast
def iterated_ok(predict_next, X, horizon):
    window = X.copy()
    out = []
    for _ in range(horizon):
        step = np.asarray(predict_next(window)).reshape(len(window), 1)
        out.append(step[:, 0])
        window = np.hstack([window[:, 1:], step])
    return np.stack(out, axis=1)


def iterated_no_feedback(predict_next, X, horizon):
    return np.stack([np.asarray(predict_next(X)).reshape(-1) for _ in range(horizon)], axis=1)


def iterated_growing_window(predict_next, X, horizon):
    window, out = X.copy(), []
    for _ in range(horizon):
        step = np.asarray(predict_next(window)).reshape(len(window), 1)
        out.append(step[:, 0])
        window = np.hstack([window, step])
    return np.stack(out, axis=1)


def iterated_prepended(predict_next, X, horizon):
    window, out = X.copy(), []
    for _ in range(horizon):
        step = np.asarray(predict_next(window)).reshape(len(window), 1)
        out.append(step[:, 0])
        window = np.hstack([step, window[:, :-1]])
    return np.stack(out, axis=1)


def iterated_drops_newest(predict_next, X, horizon):
    window, out = X.copy(), []
    for _ in range(horizon):
        step = np.asarray(predict_next(window)).reshape(len(window), 1)
        out.append(step[:, 0])
        window = np.hstack([window[:, :-1], step])
    return np.stack(out, axis=1)


def iterated_assumes_flat(predict_next, X, horizon):  # breaks on the RNN's (N, 1) outputs
    window, out = X.copy(), []
    for _ in range(horizon):
        step = predict_next(window)
        out.append(step)
        window = np.column_stack([window[:, 1:], step])
    return np.array(out).T


def iterated_in_place(predict_next, X, horizon):
    out = []
    for _ in range(horizon):
        step = np.asarray(predict_next(X)).reshape(-1)
        out.append(step)
        X[:, :-1] = X[:, 1:]
        X[:, -1] = step
    return np.stack(out, axis=1)


def iterated_transposed(predict_next, X, horizon):
    return iterated_ok(predict_next, X, horizon).T


def test_iterated_forecast_accepts_the_right_answer_and_the_library(capsys):
    lab05.check_iterated_forecast(iterated_ok)
    lab05.check_iterated_forecast(S.iterated_forecast)
    assert capsys.readouterr().out.count("✓ check_iterated_forecast") == 2


@pytest.mark.parametrize("wrong, words", [
    (iterated_no_feedback, ["does not change between steps", "append each prediction"]),
    (iterated_growing_window, ["at step 2", "6 values", "drop the oldest"]),
    (iterated_prepended, ["at the front"]),
    (iterated_drops_newest, ["dropped the newest value"]),
    (iterated_assumes_flat, ["returning (N, 1)"]),
    (iterated_in_place, ["changed its argument `X` in place"]),
    (iterated_transposed, ["shape (4, 6)", "expected (6, 4)"]),
    (lambda predict_next, X, horizon: iterated_ok(predict_next, X, horizon - 1),
     ["called 3 times for horizon=4"]),
    (stub, ["not implemented yet"]),
])
def test_iterated_forecast_names_each_mistake(wrong, words):
    rejects(lab05.check_iterated_forecast, wrong, *words)


# ----------------------------------------------------------------- fit_ar
def fit_ar_ok(train, p):
    return AutoReg(train, lags=p, trend="c").fit()


@pytest.mark.parametrize("wrong, words", [
    (lambda train, p: AutoReg(train, lags=p, trend="n").fit(), ["trend='n'", "no constant"]),
    (lambda train, p: AutoReg(train, lags=p, trend="ct").fit(), ["time trend"]),
    (lambda train, p: AutoReg(train, lags=p - 1, trend="c").fit(), ["reads the lags [1, 2]"]),
    (lambda train, p: ar_select_order(train, 8, trend="c").model.fit(), ["reads the lags"]),
    (lambda train, p: AutoReg(train, lags=p, trend="c"), ["fitted result", "call .fit()"]),
    (lambda train, p: AutoReg(train[::-1].copy(), lags=p, trend="c").fit(),
     ["params", "training series you are given"]),
    (stub, ["not implemented yet"]),
])
def test_fit_ar_names_each_mistake(wrong, words):
    rejects(lab05.check_fit_ar, wrong, *words)


def test_fit_ar_accepts_the_right_answer(capsys):
    lab05.check_fit_ar(fit_ar_ok)
    assert "✓ check_fit_ar" in capsys.readouterr().out


# ----------------------------------------------------------------- ar_forecast
def ar_forecast_ok(result, X, horizon):
    b, w = result.params[0], result.params[1:]
    window, out = X.copy(), []
    for _ in range(horizon):
        nxt = b + window[:, ::-1][:, :len(w)] @ w
        out.append(nxt)
        window = np.column_stack([window[:, 1:], nxt])
    return np.stack(out, axis=1)


def ar_forecast_apply(result, X, horizon):  # statsmodels' way: fails when T < 2p + 1
    return np.array([result.apply(w).forecast(horizon) for w in X])


def ar_forecast_reversed_lags(result, X, horizon):
    b, w = result.params[0], result.params[1:]
    return S.iterated_forecast(lambda window: b + window[:, -len(w):] @ w, X, horizon)


def ar_forecast_no_constant(result, X, horizon):
    w = result.params[1:]
    return S.iterated_forecast(lambda window: window[:, ::-1][:, :len(w)] @ w, X, horizon)


def ar_forecast_from_training_end(result, X, horizon):
    return np.tile(result.forecast(horizon), (len(X), 1))


def ar_forecast_oldest_values(result, X, horizon):
    b, w = result.params[0], result.params[1:]
    return S.iterated_forecast(lambda window: b + window[:, :len(w)][:, ::-1] @ w, X, horizon)


def ar_forecast_not_iterated(result, X, horizon):
    b, w = result.params[0], result.params[1:]
    return np.repeat((b + X[:, ::-1][:, :len(w)] @ w)[:, None], horizon, axis=1)


def test_ar_forecast_accepts_right_answers(capsys):
    for right in (ar_forecast_ok, S.ar_forecast):
        lab05.check_ar_forecast(right)
    assert capsys.readouterr().out.count("✓ check_ar_forecast") == 2


@pytest.mark.parametrize("wrong, words", [
    (ar_forecast_reversed_lags, ["w_1 by the oldest", "X[:, -1]"]),
    (ar_forecast_no_constant, ["left out the intercept w_0"]),
    (ar_forecast_from_training_end, ["same forecast", "from each window"]),
    (ar_forecast_oldest_values, ["oldest p values", "X[:, -p:]"]),
    (ar_forecast_not_iterated, ["repeat the one-step forecast", "feed each forecast back"]),
    (ar_forecast_apply, ["p = 12 on windows of 20 values", "keeps the fitted parameters",
                         "fewer than 2p + 1 values (25 here)", "result.params"]),
    (lambda result, X, horizon: ar_forecast_ok(result, X, horizon).tolist(), ["NumPy array"]),
    (stub, ["not implemented yet"]),
])
def test_ar_forecast_names_each_mistake(wrong, words):
    rejects(lab05.check_ar_forecast, wrong, *words)


# ----------------------------------------------------------------- choose_on_validation
def _rmse(F, Y):
    return float(np.sqrt(np.mean((np.asarray(F) - np.asarray(Y)) ** 2)))


def choose_ok(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {c: _rmse(forecast(fit(c, splits["train"]), X), Y) for c in candidates}
    return min(scores, key=scores.get), scores


def choose_on_test(candidates, fit, forecast, splits):  # leakage
    X, Y = splits["test"]
    scores = {c: _rmse(forecast(fit(c, splits["train"]), X), Y) for c in candidates}
    return min(scores, key=scores.get), scores


def choose_scores_val_but_picks_on_test(candidates, fit, forecast, splits):  # leakage
    _, scores = choose_ok(candidates, fit, forecast, splits)
    X, Y = splits["test"]
    test = {c: _rmse(forecast(fit(c, splits["train"]), X), Y) for c in candidates}
    return min(test, key=test.get), scores


def choose_fits_on_val(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {c: _rmse(forecast(fit(c, splits["val"]), X), Y) for c in candidates}
    return min(scores, key=scores.get), scores


def choose_mse(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {c: _rmse(forecast(fit(c, splits["train"]), X), Y) ** 2 for c in candidates}
    return min(scores, key=scores.get), scores


def choose_mae(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {c: float(np.mean(np.abs(forecast(fit(c, splits["train"]), X) - Y)))
              for c in candidates}
    return min(scores, key=scores.get), scores


def choose_last_window(candidates, fit, forecast, splits):  # W3: sunspots p 16 -> 8 in the lab
    X, Y = splits["val"]
    scores = {c: _rmse(forecast(fit(c, splits["train"]), X[-1:]), Y[-1:]) for c in candidates}
    return min(scores, key=scores.get), scores


def choose_mean_step_rmse(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {}
    for c in candidates:
        F = forecast(fit(c, splits["train"]), X)
        scores[c] = float(np.mean(np.sqrt(np.mean((F - Y) ** 2, axis=0))))
    return min(scores, key=scores.get), scores


def choose_mean_window_rmse(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {}
    for c in candidates:
        F = forecast(fit(c, splits["train"]), X)
        scores[c] = float(np.mean(np.sqrt(np.mean((F - Y) ** 2, axis=1))))
    return min(scores, key=scores.get), scores


def choose_first_step(candidates, fit, forecast, splits):
    X, Y = splits["val"]
    scores = {c: _rmse(forecast(fit(c, splits["train"]), X)[:, 0], Y[:, 0]) for c in candidates}
    return min(scores, key=scores.get), scores


def choose_as_array(candidates, fit, forecast, splits):  # breaks on the lab's tuple candidates
    _, scores = choose_ok(candidates, fit, forecast, splits)
    values = np.array(list(scores.values()))
    return np.array(candidates)[np.argmin(values)], scores


def choose_highest(candidates, fit, forecast, splits):
    _, scores = choose_ok(candidates, fit, forecast, splits)
    return max(scores, key=scores.get), scores


def choose_sorts_in_place(candidates, fit, forecast, splits):
    candidates.sort(reverse=True)
    return choose_ok(candidates, fit, forecast, splits)


def test_choose_on_validation_accepts_right_answers(capsys):
    lab05.check_choose_on_validation(choose_ok)
    lab05.check_choose_on_validation(S.choose_on_validation)
    assert capsys.readouterr().out.count("✓ check_choose_on_validation") == 2


@pytest.mark.parametrize("wrong, words", [
    (choose_on_test, ["forecasts the test windows", "leave the test"]),
    (choose_scores_val_but_picks_on_test, ["forecasts the test windows"]),
    (choose_fits_on_val, ["fit was given splits['val']", "training split only"]),
    (choose_mse, ["the MSE", "RMSE"]),
    (choose_mae, ["scores[(8, 15)] is 2.00925", "mean absolute error"]),
    (choose_last_window, ["only the last validation window",
                          "scored only part of the validation windows"]),
    (choose_mean_step_rmse, ["mean of each step's RMSE", "one RMSE over every validation window"]),
    (choose_mean_window_rmse, ["mean of each window's RMSE"]),
    (choose_first_step, ["step(s) 1 ahead only", "only part of the forecast steps"]),
    (choose_as_array, ["best should be one of the candidates, as given", "ndarray"]),
    (choose_highest, ["highest validation error"]),
    (choose_sorts_in_place, ["changed its argument `candidates` in place"]),
    (lambda candidates, fit, forecast, splits: choose_ok(candidates, fit, forecast, splits)[0],
     ["(best, scores)"]),
    (stub, ["not implemented yet"]),
])
def test_choose_on_validation_names_each_mistake(wrong, words):
    rejects(lab05.check_choose_on_validation, wrong, *words)


def test_the_error_pattern_tells_every_scoring_mistake_apart():
    """W3: the check's errors have RMS 1 overall, and every wrong way to score them (a subset of
    windows or of steps, an average of RMSEs, MAE) lands at least 8 % away, so none passes."""
    pattern = lab05._PATTERN
    assert np.sqrt(np.mean(pattern ** 2)) == pytest.approx(1.0)
    for rmse in lab05._VAL.values():
        mistakes = lab05._score_mistakes(rmse)
        assert len(mistakes) == 4 + (2 ** 5 - 2) + (2 ** 3 - 2)
        assert min(abs(value / rmse - 1.0) for value, _ in mistakes) > 0.08
        values = sorted(value for value, _ in mistakes)  # nor are two mistakes confused
        assert all(not np.isclose(a, b) for a, b in zip(values, values[1:]))


def test_choose_on_validation_catches_a_choice_made_on_test_without_forecasting_it():
    """A function handed precomputed test scores still cannot pass: the choice must not move."""
    def choose_peeking(candidates, fit, forecast, splits):
        _, scores = choose_ok(candidates, fit, forecast, splits)
        test_best = dict(zip(candidates, (0.5, 2.5, 1.0, 3.0)))  # what it "remembers" of test
        return min(test_best, key=test_best.get), scores
    rejects(lab05.check_choose_on_validation, choose_peeking, "best candidate on the test split")


# ----------------------------------------------------------------- Forecaster
def forecaster(read=lambda out, h_n: out[:, -1], cell=nn.LSTM, batch_first=True,
               unsqueeze=-1, squeeze=False, layers=1, extra=None, state=0, prepare=None,
               finish=None):
    class Forecaster(nn.Module):
        def __init__(self, hidden_size, horizon=1):
            super().__init__()
            self.rnn = cell(1, hidden_size, num_layers=layers, batch_first=batch_first)
            self.head = nn.Linear(hidden_size, horizon)
            if extra:
                self.extra = nn.Linear(hidden_size, hidden_size)

        def forward(self, x):
            out, states = self.rnn((prepare or (lambda v: v))(x).unsqueeze(unsqueeze))
            h_n = states[state] if isinstance(states, tuple) else states
            y = self.head(read(out, h_n))
            y = y.squeeze(-1) if squeeze else y
            return finish(y) if finish else y
    return Forecaster


def _grad_off(y):
    torch.set_grad_enabled(False)
    return y


class ForecasterStub(nn.Module):
    """The exercise as handed out."""

    def __init__(self, hidden_size, horizon=1):
        super().__init__()
        stub()


def test_forecaster_accepts_right_answers(capsys):
    lab05.check_forecaster(forecaster())
    lab05.check_forecaster(forecaster(read=lambda out, h_n: h_n[-1]))  # h_n: the same state
    lab05.check_forecaster(S.Forecaster)
    # C4: sequence first, input transposed to (T, B, 1): the same numbers, so it is right
    lab05.check_forecaster(forecaster(batch_first=False, prepare=lambda x: x.T,
                                      read=lambda out, h_n: out[-1]))
    assert capsys.readouterr().out.count("✓ check_forecaster") == 4


@pytest.mark.parametrize("wrong, words", [
    (forecaster(read=lambda out, h_n: out[:, 0]), ["first step, out[:, 0]", "out[:, -1]"]),
    (forecaster(read=lambda out, h_n: out), ["forecast at every step", "out[:, -1]"]),
    (forecaster(cell=nn.GRU), ["nn.LSTM", "got GRU"]),
    (forecaster(batch_first=False), ["reads (T, B, 1) unless batch_first=True",
                                     "pass batch_first=True"]),
    (forecaster(read=lambda out, c_n: c_n[-1], state=1), ["c_n, the LSTM's cell state",
                                                           "out[:, -1]"]),
    (forecaster(finish=lambda y: y.detach()), ["no grad_fn", "detach"]),
    (forecaster(finish=_grad_off), ["changed gradients enabled", "for the whole session"]),
    (forecaster(unsqueeze=1), ["wrong last axis", "x.unsqueeze(-1)"]),
    (forecaster(squeeze=True), ["should return (4, 1)", "got (4,)"]),
    (forecaster(layers=2), ["nn.LSTM(1, 6, batch_first=True)"]),
    (forecaster(extra=True), ["exactly self.rnn and self.head"]),
    (forecaster(read=lambda out, h_n: torch.tanh(out[:, -1]) * 2), ["differ by up to"]),
    (ForecasterStub, ["not implemented yet"]),
    (lambda hidden_size, horizon=1: S.Forecaster(hidden_size, horizon), ["the class Forecaster"]),
])
def test_forecaster_names_each_mistake(wrong, words):
    rejects(lab05.check_forecaster, wrong, *words)


# ----------------------------------------------------------------- predict
def predict_ok(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32, device=device)).cpu().numpy()


def predict_cpu_only(model, X):  # right on a CPU, wrong once the model is on a GPU
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).numpy()


def predict_grad_off_for_good(model, X):  # W5: the lab's training cell would fail far away
    model.eval()
    torch.set_grad_enabled(False)
    return predict_ok(model, X)


def predict_float64_default(model, X):
    torch.set_default_dtype(torch.float64)
    return predict_ok(model, X)


def predict_from_numpy(model, X):  # issue 15: passes float32 input, fails on float64 windows
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


def predict_no_eval(model, X):
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).numpy()


def predict_rescaled(model, X):
    return 0.5 * predict_ok(model, X)  # TF1 habit: scale by keep_prob at test time


def predict_train_mode(model, X):
    model.eval()
    model.train()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).numpy()


def predict_grad(model, X):
    model.eval()
    return model(torch.as_tensor(X, dtype=torch.float32))


def predict_grad_numpy(model, X):
    model.eval()
    return model(torch.as_tensor(X, dtype=torch.float32)).numpy()


def predict_first_output(model, X):
    return predict_ok(model, X)[:, 0]


def predict_detach_afterwards(model, X):  # r2-u45 W-3: right numbers, autograd on throughout
    model.eval()
    device = next(model.parameters()).device
    return model(torch.as_tensor(X, dtype=torch.float32, device=device)).detach().cpu().numpy()


def predict_device_from_the_rnn(model, X):  # r2-u45 W-2: right for every Forecaster of the lab
    model.eval()
    with torch.no_grad():
        x = torch.as_tensor(X, dtype=torch.float32, device=model.rnn.weight_ih_l0.device)
        return model(x).cpu().numpy()


def test_predict_accepts_right_answers(capsys):
    lab05.check_predict(predict_ok)
    lab05.check_predict(S.predict)
    lab05.check_predict(predict_device_from_the_rnn)
    assert capsys.readouterr().out.count("✓ check_predict") == 3


def test_predict_from_numpy_works_on_float32_but_not_the_labs_float64_windows():
    model = lab05._DropoutForecaster()
    predict_from_numpy(model, np.zeros((2, 5), dtype=np.float32))  # the old check's input
    with pytest.raises((RuntimeError, ValueError), match="dtype"):
        predict_from_numpy(model, np.zeros((2, 5)))                 # the lab's windows


@pytest.mark.parametrize("wrong, words", [
    (predict_from_numpy, ["float64", "torch.from_numpy", "dtype=torch.float32"]),
    (predict_no_eval, ["dropout is still on", "model.eval()"]),
    (predict_train_mode, ["dropout is still on"]),
    (predict_rescaled, ["0.50 times", "do not rescale"]),
    (predict_grad, ["NumPy array", "torch.no_grad()"]),
    (predict_grad_numpy, ["tracks gradients", "torch.no_grad()"]),
    (predict_first_output, ["shape (8,)", "expected (8, 2)"]),
    (predict_detach_afterwards, ["autograd on", "torch.no_grad()"]),
    (predict_cpu_only, ["sent the windows to cpu", "device=next(model.parameters()).device"]),
    (predict_grad_off_for_good, ["changed gradients enabled", "for the whole session",
                                 "set it back", "torch.no_grad()"]),
    (predict_float64_default, ["changed the default dtype", "torch.float64"]),
    (stub, ["not implemented yet"]),
])
def test_predict_names_each_mistake(wrong, words):
    rejects(lab05.check_predict, wrong, *words)
    assert torch.is_grad_enabled() and torch.get_default_dtype() == torch.float32  # set back


# ----------------------------------------------------------------- verdict
def verdict_ok(val_rmse, test_rmse, recurrent):
    rnn = min((k for k in val_rmse if k in recurrent), key=val_rmse.get)
    base = min((k for k in val_rmse if k not in recurrent), key=val_rmse.get)
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


def verdict_on_test(val_rmse, test_rmse, recurrent):  # leakage
    return verdict_ok(test_rmse, test_rmse, recurrent)


def verdict_baseline_on_test(val_rmse, test_rmse, recurrent):  # leakage
    rnn, _, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    base = min((k for k in test_rmse if k not in recurrent), key=test_rmse.get)
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


def verdict_relative_to_rnn(val_rmse, test_rmse, recurrent):
    rnn, base, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, 1 - test_rmse[base] / test_rmse[rnn]


def verdict_reversed(val_rmse, test_rmse, recurrent):
    rnn, base, change = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, -change


def verdict_difference(val_rmse, test_rmse, recurrent):
    rnn, base, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, test_rmse[rnn] - test_rmse[base]


def verdict_percent(val_rmse, test_rmse, recurrent):
    rnn, base, change = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, 100 * change


def verdict_on_validation_numbers(val_rmse, test_rmse, recurrent):
    rnn, base, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, val_rmse[rnn] / val_rmse[base] - 1


def verdict_against_everything(val_rmse, test_rmse, recurrent):
    rnn, _, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    base = min((k for k in val_rmse if k != rnn), key=val_rmse.get)
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


def verdict_last_recurrent_seen(val_rmse, test_rmse, recurrent):  # W4: a position, not a score
    rnn = [k for k in val_rmse if k in recurrent][-1]
    _, base, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


def verdict_first_recurrent(val_rmse, test_rmse, recurrent):
    rnn = recurrent[0]
    _, base, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


def verdict_first_non_naive_baseline(val_rmse, test_rmse, recurrent):
    rnn, _, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    base = [k for k in val_rmse if k not in recurrent and k != "naive"][0]
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


def verdict_last_baseline(val_rmse, test_rmse, recurrent):
    rnn, _, _ = verdict_ok(val_rmse, test_rmse, recurrent)
    base = [k for k in val_rmse if k not in recurrent][-1]
    return rnn, base, test_rmse[rnn] / test_rmse[base] - 1


@pytest.mark.parametrize("wrong, words", [
    (verdict_last_recurrent_seen, ["recurrent model should be 'RNN (iterated)'", "case 3"]),
    (verdict_first_recurrent, ["recurrent model should be 'RNN (direct)'", "case 1"]),
    (verdict_first_non_naive_baseline, ["baseline should be 'AR (direct)'", "case 3"]),
    (verdict_last_baseline, ["baseline should be 'AR (iterated)'", "case 1"]),
])
def test_verdict_blames_the_test_split_only_for_a_choice_made_on_it(wrong, words):
    """W4: choices by position are rejected, and not as choices made on the test split."""
    message = rejects(lab05.check_verdict, wrong, "lowest validation RMSE", *words)
    assert "test split" not in message


def test_verdict_accepts_right_answers(capsys):
    lab05.check_verdict(verdict_ok)
    lab05.check_verdict(S.verdict)
    assert capsys.readouterr().out.count("✓ check_verdict") == 2


@pytest.mark.parametrize("wrong, words", [
    (verdict_on_test, ["best on the test split", "choice made on the test split"]),
    (verdict_baseline_on_test, ["baseline 'ARIMA'", "choice made on the test split"]),
    (verdict_relative_to_rnn, ["relative to the RNN's error"]),
    (verdict_reversed, ["sign is reversed"]),
    (verdict_difference, ["difference in RMSE units"]),
    (verdict_percent, ["fraction"]),
    (verdict_on_validation_numbers, ["from the validation RMSEs"]),
    (verdict_against_everything, ["is a recurrent model"]),
    (stub, ["not implemented yet"]),
])
def test_verdict_names_each_mistake(wrong, words):
    rejects(lab05.check_verdict, wrong, *words)


# ----------------------------------------------------------------- the systematic layer
def pair_to_lists(value):
    return tuple(to_list(v) for v in value)


def pair_to_torch(value):
    return tuple(to_torch(v) for v in value)


def pair_to_float32(value):
    return tuple(np.asarray(v, dtype=np.float32) for v in value)


def scaled_to_list(value):
    return to_list(value[0]), value[1]


def scaled_to_torch(value):
    return to_torch(value[0]), value[1]


def unfitted(result):
    return result.model


def best_only(value):
    return value[0]


def scores_as_list(value):
    return value[0], list(value[1].values())


def verdict_as_dict(value):
    return dict(zip(("rnn", "baseline", "change"), value))


CASES = [
    Case(lab05.check_make_windows, windows_ok, mutable=(0,),
         returns=[(pair_to_lists, "NumPy array"), (pair_to_torch, "NumPy array"),
                  (pair_to_float32, "float64")]),
    Case(lab05.check_scale_series, scale_ok, mutable=(0,),
         returns=[(scaled_to_list, "NumPy array"), (scaled_to_torch, "NumPy array")]),
    Case(lab05.check_naive_forecast, naive_ok, mutable=(0,),
         returns=[(to_list, "NumPy array"), (to_torch, "NumPy array")]),
    Case(lab05.check_iterated_forecast, iterated_ok, mutable=(1,),
         returns=[(to_list, "NumPy array"), (to_torch, "NumPy array")]),
    Case(lab05.check_fit_ar, fit_ar_ok, mutable=(0,),
         returns=[(unfitted, "call .fit()")]),
    Case(lab05.check_ar_forecast, ar_forecast_ok, mutable=(1,),
         returns=[(to_list, "NumPy array"), (to_torch, "NumPy array")]),
    Case(lab05.check_choose_on_validation, choose_ok, mutable=(0, 3),
         returns=[(best_only, "(best, scores)"), (scores_as_list, "(best, scores)")]),
    Case(lab05.check_forecaster, forecaster()),
    Case(lab05.check_predict, predict_ok, mutable=(0, 1),
         returns=[(to_torch, "NumPy array"), (to_list, "NumPy array")]),
    Case(lab05.check_verdict, verdict_ok, mutable=(0, 1, 2),
         returns=[(verdict_as_dict, "three things")]),
]
