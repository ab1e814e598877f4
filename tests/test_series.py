"""course_utils.series: series, splits in time, windows, scaler, baselines, choosing, the RNN.

Every public function is also fed wrong types, wrong shapes and empty input, and must answer
with a message naming the argument and what it expects (issue 16).
"""
import numpy as np
import pytest
import torch
from statsmodels.tsa.ar_model import AutoReg

from course_utils import series as S
from tests._bad_input import ids, untried


# ----------------------------------------------------------------- series
def test_synthetic_series_matches_the_formula_on_the_seeds_grid():
    t, x = S.synthetic_series()
    assert len(t) == 301 and t[0] == 0 and np.isclose(t[-1], 30) and np.isclose(t[1], 0.1)
    assert np.allclose(x, t * np.sin(t) / 3 + 2 * np.sin(5 * t))


def test_synthetic_series_noise_is_seeded_and_optional():
    _, clean = S.synthetic_series()
    _, a = S.synthetic_series(noise=0.5, seed=1)
    _, b = S.synthetic_series(noise=0.5, seed=1)
    _, c = S.synthetic_series(noise=0.5, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert 0.4 < np.std(a - clean) < 0.6


def test_the_noise_free_series_obeys_an_exact_linear_recurrence_of_order_6():
    _, x = S.synthetic_series()
    X, Y = S.make_windows(x, 6, 1)
    model = S.LinearAR().fit(X[:200], Y[:200])
    assert S.rmse(model.predict(X[200:]), Y[200:]) < 1e-8


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(t_max=0), ValueError, "t_max must be a positive number, got 0"),
    (dict(t_max="30"), TypeError, "t_max must be a number"),
    (dict(resolution=-1.0), ValueError, "resolution must be a positive number"),
    (dict(resolution=40.0), ValueError, "resolution must be smaller than t_max"),
    (dict(noise=-0.1), ValueError, "noise must be at least 0.0"),
    (dict(noise="a"), TypeError, "noise must be a number"),
    (dict(noise=True), TypeError, "noise must be a number"),
    (dict(seed=1.5), TypeError, "seed must be an integer"),
])
def test_synthetic_series_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        S.synthetic_series(**kwargs)


def test_co2_loads_offline_monthly_without_gaps():
    time, co2 = S.load_co2_monthly()
    assert len(time) == len(co2) == 526
    assert np.isclose(time[0], 1958 + 2 / 12) and np.isclose(time[-1], 2001 + 11 / 12)
    assert np.isfinite(co2).all() and 310 < co2.min() and co2.max() < 375
    assert np.allclose(np.diff(time), 1 / 12)


def test_sunspots_load_offline():
    year, spots = S.load_sunspots()
    assert len(year) == 309 and year[0] == 1700 and year[-1] == 2008
    assert spots.min() >= 0 and spots.max() > 150


# ----------------------------------------------------------------- splits in time
def test_split_points_train_first_then_validation_then_test():
    assert S.split_points(309) == (185, 62, 62)
    assert S.split_points(301) == (181, 60, 60)
    assert S.split_points(10, 0.1, 0.3) == (6, 1, 3)


@pytest.mark.parametrize("args, error, words", [
    ((0,), ValueError, "n_values must be a positive integer, got 0"),
    ((10.0,), TypeError, "n_values must be a positive integer"),
    (("10",), TypeError, "n_values must be a positive integer"),
    ((10, 1.0), ValueError, r"val_fraction must be a fraction in \(0, 1\), got 1.0"),
    ((10, 0.2, 0), ValueError, r"test_fraction must be a fraction in \(0, 1\)"),
    ((10, "a"), TypeError, "val_fraction must be a number"),
    ((3, 0.1, 0.1), ValueError, "leave an empty part"),
    ((10, 0.5, 0.5), ValueError, "leave an empty part"),
])
def test_split_points_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.split_points(*args)


def test_split_windows_never_lets_a_later_part_into_an_earlier_one():
    index = np.arange(100.0)                       # each value is its own position
    n_train, n_val = 60, 20
    w = S.split_windows(index, n_train, n_val, n_steps=8, horizon=5, train_horizon=1)
    (Xtr, Ytr), (Xv, Yv), (Xte, Yte) = w["train"], w["val"], w["test"]
    assert max(Xtr.max(), Ytr.max()) < n_train and Ytr.shape[1] == 1
    assert Yv.min() == n_train and Yv.max() == n_train + n_val - 1 and Xv.max() < n_train + n_val
    assert Yte.min() == n_train + n_val and Yte.max() == 99
    assert Xv[0, -1] == n_train - 1 and Xte[0, -1] == n_train + n_val - 1  # inputs reach back
    assert len(Xv) == n_val - 5 + 1 and Yv.shape[1] == 5


def test_split_windows_uses_the_make_windows_it_is_given():
    calls = []

    def spy(series, n_steps, horizon):
        calls.append(len(series))
        return S.make_windows(series, n_steps, horizon)
    S.split_windows(np.arange(50.0), 30, 10, 5, 2, make_windows=spy)
    assert calls == [30, 15, 15]


@pytest.mark.parametrize("args, error, words", [
    ((np.arange(50.0), 30, 20, 5, 2), ValueError, "leaves no test value"),
    ((np.arange(50.0), 3, 10, 5, 2), ValueError, "n_steps=5 is longer than the training part"),
    # C13: the part that is too short is named, not a slice of it
    ((np.arange(50.0), 30, 7, 5, 10), ValueError,
     r"horizon=10 targets do not fit: the validation part has 7 values"),
    ((np.arange(50.0), 30, 15, 5, 6), ValueError,
     r"horizon=6 targets do not fit: the test part has 5 values"),
    ((np.arange(50.0), 8, 10, 5, 2, 4), ValueError,
     r"train_horizon=4 targets do not fit: the training part \(8 values\) holds n_steps=5"),
    ((np.r_[np.arange(49.0), np.nan], 30, 10, 5, 2), ValueError,
     r"series holds NaN or infinity \(1 values, the first at index 49\)"),
    ((np.arange(50.0), 30, 0, 5, 2), ValueError, "n_val must be a positive integer"),
    ((np.arange(50.0), 30, 10, 5, 2.0), TypeError, "horizon must be a positive integer"),
    (("abc", 30, 10, 5, 2), TypeError, "series must be a 1-D series"),
    ((np.ones((5, 10)), 3, 1, 1, 1), ValueError, r"series must be a 1-D series, got shape \(5, 10\)"),
    ((np.array([]), 3, 1, 1, 1), ValueError, "series is empty"),
])
def test_split_windows_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.split_windows(*args)


# ----------------------------------------------------------------- windows
def test_make_windows_targets_follow_each_window():
    X, Y = S.make_windows(np.arange(10.0), n_steps=3, horizon=2)
    assert X.shape == (6, 3) and Y.shape == (6, 2) and X.dtype == Y.dtype == np.float64
    assert X[0].tolist() == [0, 1, 2] and Y[0].tolist() == [3, 4]
    assert X[-1].tolist() == [5, 6, 7] and Y[-1].tolist() == [8, 9]
    X, Y = S.make_windows(np.arange(10.0), 3, 2, stride=3)
    assert X[:, 0].tolist() == [0, 3]


def test_make_windows_with_exactly_one_window_and_from_a_list():
    X, Y = S.make_windows([0.0, 1.0, 2.0, 3.0, 4.0], 3, 2)
    assert X.shape == (1, 3) and Y.tolist() == [[3, 4]]


@pytest.mark.parametrize("args, error, words", [
    ((np.arange(4.0), 3, 2), ValueError, "no window fits"),
    ((np.arange(10.0), 0), ValueError, "n_steps must be a positive integer, got 0"),
    ((np.arange(10.0), 3, 0), ValueError, "horizon must be a positive integer, got 0"),
    ((np.arange(10.0), 3, 1, 0), ValueError, "stride must be a positive integer"),
    ((np.arange(10.0), 2.5), TypeError, "n_steps must be a positive integer, got float"),
    ((np.arange(10.0), True), TypeError, "n_steps must be a positive integer"),
    (("abc", 2), TypeError, "series must be a 1-D series"),
    ((["a", "b", "c"], 2), TypeError, "series must hold numbers"),
    ((np.ones((3, 3)), 2), ValueError, r"series must be a 1-D series, got shape \(3, 3\)"),
    ((np.array([]), 2), ValueError, "series is empty"),
    ((np.array([1.0, np.nan, 3.0, 4.0]), 2), ValueError,  # C13: NaN no longer passes silently
     "series holds NaN or infinity .* the first at index 1"),
    ((np.array([1.0, 2.0, np.inf, 4.0]), 2), ValueError, "series holds NaN or infinity"),
])
def test_make_windows_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.make_windows(*args)


def test_shifted_windows_targets_are_inputs_one_step_ahead():
    X, Y = S.shifted_windows(np.arange(8.0), 3)
    assert X.shape == Y.shape == (5, 3)
    assert np.array_equal(Y[:, :-1], X[:, 1:]) and Y[0].tolist() == [1, 2, 3]


@pytest.mark.parametrize("args, error, words", [
    ((np.arange(3.0), 3), ValueError, "no window fits"),
    ((np.arange(8.0), 0), ValueError, "n_steps must be a positive integer"),
    ((np.arange(8.0), "3"), TypeError, "n_steps must be a positive integer"),
    ((np.array([]), 3), ValueError, "series is empty"),
])
def test_shifted_windows_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.shifted_windows(*args)


# ----------------------------------------------------------------- scaling
def test_scaler_is_scikit_learns_map_for_a_series_of_any_shape():
    """Why the course has its own scaler (its docstring says so): the same map, one minimum and
    maximum for the series, and any shape in both directions, where scikit-learn's works
    column by column on 2-D arrays only."""
    from sklearn.preprocessing import MinMaxScaler as SklearnMinMaxScaler
    series = np.random.default_rng(0).normal(10.0, 3.0, 60)
    ours = S.MinMaxScaler(-1.0, 1.0).fit(series[:40])
    theirs = SklearnMinMaxScaler((-1, 1)).fit(series[:40, None])
    assert np.allclose(ours.transform(series), theirs.transform(series[:, None])[:, 0])
    windows = series[40:].reshape(2, 10)                       # (N, m), as in the lab
    assert np.allclose(ours.inverse_transform(ours.transform(windows)), windows)
    with pytest.raises(ValueError, match="10 features, but MinMaxScaler is expecting 1"):
        theirs.transform(windows)
    with pytest.raises(ValueError, match="Expected 2D array"):
        theirs.inverse_transform(series)


def test_scaler_remembers_its_fit_and_inverts():
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(np.array([10.0, 15.0, 20.0]))
    assert np.allclose(scaler.transform([10.0, 20.0, 30.0]), [-1, 1, 3])
    x = np.array([[12.0, 31.0]])
    assert np.allclose(scaler.inverse_transform(scaler.transform(x)), x)
    assert scaler.fitted and "fit on" in repr(scaler) and "not fitted" in repr(S.MinMaxScaler())
    assert np.allclose(S.MinMaxScaler().fit_transform([2.0, 4.0]), [0, 1])
    assert np.allclose(scaler.transform(torch.tensor([10.0])), [-1])


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.MinMaxScaler().transform([1.0]), ValueError, "not fitted"),
    (lambda: S.MinMaxScaler().inverse_transform([1.0]), ValueError, "not fitted"),
    (lambda: S.MinMaxScaler(1.0, 0.0), ValueError, "low < high"),
    (lambda: S.MinMaxScaler("0", 1.0), TypeError, "low must be a number"),
    (lambda: S.MinMaxScaler().fit([3.0, 3.0]), ValueError, "constant"),
    (lambda: S.MinMaxScaler().fit([]), ValueError, "data is empty"),
    (lambda: S.MinMaxScaler().fit([1.0, np.nan]), ValueError, "finite"),
    (lambda: S.MinMaxScaler().fit("abc"), TypeError, "data must be an array of numbers"),
    (lambda: S.MinMaxScaler().fit(["a", "b"]), TypeError, "data must be an array of numbers"),
    (lambda: S.MinMaxScaler().fit([1.0, 2.0]).transform({"a": 1}), TypeError, "data must be"),
    (lambda: S.MinMaxScaler().fit([1.0, 2.0]).inverse_transform([]), ValueError, "data is empty"),
])
def test_scaler_rejects_bad_use(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_scale_series_fits_on_the_training_part_only():
    series = np.concatenate([np.linspace(0.0, 10.0, 11), [20.0, -5.0]])
    scaled, scaler = S.scale_series(series, 11)
    assert scaled[:11].min() == -1 and scaled[:11].max() == 1
    assert scaled[11] == 3 and scaled[12] == -2 and (scaler.data_min, scaler.data_max) == (0, 10)
    assert np.allclose(scaler.inverse_transform(scaled), series)


@pytest.mark.parametrize("args, error, words", [
    ((np.arange(5.0), 5), ValueError, "n_train=5 leaves nothing to forecast"),
    ((np.arange(5.0), 0), ValueError, "n_train must be a positive integer"),
    ((np.arange(5.0), 2.0), TypeError, "n_train must be a positive integer"),
    ((np.ones(5), 3), ValueError, "constant"),
    ((np.ones((2, 3)), 1), ValueError, "series must be a 1-D series"),
    ((None, 1), TypeError, "series must be a 1-D series"),
])
def test_scale_series_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.scale_series(*args)


# ----------------------------------------------------------------- baselines
def test_naive_forecast_repeats_the_last_value_or_season():
    X = np.arange(24.0)[None]
    assert S.naive_forecast(X, 3).tolist() == [[23, 23, 23]]
    assert S.naive_forecast(X, 14, season=12).tolist() == [list(range(12, 24)) + [12, 13]]


@pytest.mark.parametrize("args, kwargs, error, words", [
    ((np.arange(24.0)[None], 3), dict(season=30), ValueError, "season=30 is longer"),
    ((np.arange(24.0)[None], 0), {}, ValueError, "horizon must be a positive integer"),
    ((np.arange(5.0), 1), {}, ValueError, r"X must be a 2-D array of windows \(N, T\), got shape"),
    ((np.zeros((0, 4)), 1), {}, ValueError, "X is empty"),
    (("abc", 1), {}, TypeError, "X must be a 2-D array of windows"),
    ((np.ones((2, 3)), 1.5), {}, TypeError, "horizon must be a positive integer"),
])
def test_naive_forecast_rejects_bad_arguments(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        S.naive_forecast(*args, **kwargs)


def test_iterated_forecast_feeds_predictions_back():
    X = np.array([[1.0, 2.0, 3.0]])
    assert S.iterated_forecast(lambda w: w[:, -1] + 1, X, 4).tolist() == [[4, 5, 6, 7]]
    out = S.iterated_forecast(lambda w: w.sum(axis=1, keepdims=True), X, 2)
    assert out.tolist() == [[6, 11]]  # 1+2+3, then 2+3+6
    assert X.tolist() == [[1, 2, 3]]  # the input is not modified


@pytest.mark.parametrize("args, error, words", [
    (("f", np.ones((1, 2)), 2), TypeError, "predict_next must be a function"),
    ((lambda w: w, np.ones((1, 2)), 2), ValueError, "one value per window"),
    ((lambda w: w[:, -1], np.ones((1, 2)), 0), ValueError, "horizon must be a positive integer"),
    ((lambda w: w[:, -1], np.ones(2), 1), ValueError, "X must be a 2-D array of windows"),
    ((lambda w: w[:, -1], np.zeros((0, 2)), 1), ValueError, "X is empty"),
])
def test_iterated_forecast_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.iterated_forecast(*args)


def _ar3(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(3, n):
        x[t] = 2.0 + 0.5 * x[t - 1] - 0.3 * x[t - 2] + 0.2 * x[t - 3] + rng.normal()
    return x


def test_fit_ar_is_statsmodels_autoreg_with_a_constant():
    train = _ar3()
    result = S.fit_ar(train, 3)
    assert np.allclose(result.params, AutoReg(train, lags=3, trend="c").fit().params)
    assert np.allclose(result.params, [2.0, 0.5, -0.3, 0.2], atol=0.2)


def test_what_the_lab_says_about_statsmodels_is_what_statsmodels_does():
    """W1, W2: ar_select_order picks by BIC unless told; apply keeps the fitted parameters but
    builds a new AutoReg on the window, which needs at least 2p + 1 values."""
    import inspect

    from statsmodels.tsa.ar_model import ar_select_order
    assert inspect.signature(ar_select_order).parameters["ic"].default == "bic"
    train = _ar3()
    result = S.fit_ar(train, 12)
    assert np.allclose(result.apply(train[:25]).params, result.params)   # 2p + 1 = 25 values
    with pytest.raises(ValueError):
        result.apply(train[:24])
    assert S.fit_ar(train[:8], 3).params.shape == (4,)                   # 2p + 2: fit_ar's least


def test_ar_forecast_equals_statsmodels_forecast_from_each_window():
    train = _ar3()
    result = S.fit_ar(train, 3)
    X = np.random.default_rng(1).normal(2.5, 1.0, (5, 10))
    want = np.array([result.apply(window).forecast(4) for window in X])
    assert np.allclose(S.ar_forecast(result, X, 4), want)


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.fit_ar(_ar3(), 0), ValueError, "p must be a positive integer"),
    (lambda: S.fit_ar(_ar3(), 2.0), TypeError, "p must be a positive integer"),
    (lambda: S.fit_ar(np.ones(7), 3), ValueError, r"an AR\(3\) needs at least 8 training values"),
    (lambda: S.fit_ar(np.ones((4, 4)), 1), ValueError, "train must be a 1-D series"),
    (lambda: S.fit_ar([], 1), ValueError, "train is empty"),
    (lambda: S.ar_forecast("result", np.ones((2, 5)), 2), TypeError,
     "result must be a fitted statsmodels AutoReg"),
    (lambda: S.ar_forecast(S.fit_ar(_ar3(), 3), np.ones((2, 2)), 2), ValueError,
     "windows of 2 values; this AR reads 3"),
    (lambda: S.ar_forecast(S.fit_ar(_ar3(), 3), np.ones(5), 2), ValueError, "X must be a 2-D"),
    (lambda: S.ar_forecast(S.fit_ar(_ar3(), 3), np.ones((2, 5)), 0), ValueError,
     "horizon must be a positive integer"),
])
def test_ar_rejects_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_arima_forecasts_from_each_window_with_fixed_parameters():
    train = _ar3(200)
    result = S.fit_arima(train, (2, 0, 1))
    X = np.random.default_rng(2).normal(2.5, 1.0, (3, 10))
    out = S.arima_forecast(result, X, 3)
    assert out.shape == (3, 3) and not np.allclose(out[0], out[1])
    assert np.allclose(out[0], result.apply(X[0]).forecast(3))


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.fit_arima(_ar3(), [2, 0, 1]), ValueError, r"order must be a tuple \(p, d, q\)"),
    (lambda: S.fit_arima(_ar3(), (2, -1, 1)), ValueError, "non-negative integers"),
    (lambda: S.fit_arima(np.ones(5), (2, 0, 1)), ValueError, "needs more training values"),
    (lambda: S.fit_arima("abc", (1, 0, 0)), TypeError, "train must be a 1-D series"),
    (lambda: S.arima_forecast(object(), np.ones((2, 5)), 2), TypeError,
     "result must be a fitted statsmodels ARIMA"),
])
def test_arima_rejects_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_linear_ar_direct_multi_output_and_ridge():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    W = rng.standard_normal((4, 3))
    model = S.LinearAR().fit(X, X @ W + 2.0)
    assert np.allclose(model.weights[:-1], W) and np.allclose(model.weights[-1], 2.0)
    ridge = S.LinearAR(ridge=100.0).fit(X, X @ W + 2.0)
    assert np.abs(ridge.weights[:-1]).sum() < np.abs(W).sum()
    assert S.LinearAR().fit(X, X[:, 0]).predict(X).shape == (50, 1)


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.LinearAR().predict(np.ones((2, 3))), ValueError, "not fitted"),
    (lambda: S.LinearAR(ridge=-1), ValueError, "ridge must be at least 0.0"),
    (lambda: S.LinearAR(ridge="big"), TypeError, "ridge must be a number"),
    (lambda: S.LinearAR().fit(np.ones((4, 2)), np.ones(3)), ValueError, "Y must have 4 rows"),
    (lambda: S.LinearAR().fit(np.ones((4, 2)), np.ones((4, 1, 1))), ValueError,
     r"Y must be targets \(N,\) or \(N, m\)"),
    (lambda: S.LinearAR().fit(np.ones(4), np.ones(4)), ValueError, "X must be a 2-D array"),
    (lambda: S.LinearAR().fit(np.zeros((0, 2)), np.zeros(0)), ValueError, "X is empty"),
    (lambda: S.LinearAR().fit(np.ones((4, 2)), np.ones(4)).predict(np.ones((4, 3))), ValueError,
     "X must have 2 steps, got 3"),
])
def test_linear_ar_rejects_bad_use(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ----------------------------------------------------------------- choosing
def _toy_splits(test_offset=0.0):
    X = np.arange(12.0).reshape(4, 3)
    return {"train": (X, X[:, -1:] + 1.0), "val": (X + 10, X[:, -1:] + 11.0),
            "test": (X + 20, X[:, -1:] + 21.0 + test_offset)}


def _shift_fit(candidate, train):
    return candidate  # the "model" forecasts last value + candidate


def _shift_forecast(model, X):
    return X[:, -1:] + model


def test_choose_on_validation_picks_the_lowest_validation_rmse():
    best, scores = S.choose_on_validation([0.0, 1.0, 2.5], _shift_fit, _shift_forecast,
                                          _toy_splits())
    assert best == 1.0 and scores == {0.0: 1.0, 1.0: 0.0, 2.5: 1.5}


def test_choose_on_validation_never_reads_the_test_split():
    splits = _toy_splits()
    del splits["test"]
    assert S.choose_on_validation([0.0, 1.0], _shift_fit, _shift_forecast, splits)[0] == 1.0
    moved = S.choose_on_validation([0.0, 1.0, 2.5], _shift_fit, _shift_forecast,
                                   _toy_splits(test_offset=1.5))
    assert moved[0] == 1.0  # test now prefers 2.5; the choice does not move


@pytest.mark.parametrize("args, error, words", [
    (([], _shift_fit, _shift_forecast, _toy_splits()), ValueError, "candidates is empty"),
    (([1.0], "fit", _shift_forecast, _toy_splits()), TypeError, "fit and forecast must be functions"),
    (([1.0], _shift_fit, _shift_forecast, {"train": 1}), ValueError, r"missing \['val'\]"),
    # C13: a list candidate is not a dict key; a 2-row array is not a pair (X_val, Y_val)
    (([[2, 0.1], [4, 1.0]], _shift_fit, _shift_forecast, _toy_splits()), TypeError,
     r"must be hashable: got list \[2, 0.1\]; write it as a tuple, \(2, 0.1\)"),
    (([1.0], _shift_fit, _shift_forecast, {"train": 1, "val": np.ones((2, 4))}), TypeError,
     r"splits\['val'\] must be a pair \(X_val, Y_val\).*array of shape \(2, 4\)"),
    (([1.0], _shift_fit, _shift_forecast, {"train": 1, "val": (np.ones((3, 2)), np.ones(2))}),
     ValueError, r"must pair 3 windows with as many rows of targets, got targets of shape \(2,\)"),
    (([1.0], _shift_fit, _shift_forecast, [("train", 1)]), TypeError, "splits must be a dict"),
])
def test_choose_on_validation_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.choose_on_validation(*args)


def test_remember_fits_once_per_candidate_and_training_numbers():
    calls = []

    @S.remember
    def fit(candidate, train):
        calls.append(candidate)
        return candidate, float(np.sum(train[0]))
    X = np.ones((3, 2))
    assert fit(1, (X, X)) == fit(1, (X.copy(), X.copy())) == (1, 6.0)
    fit(2, (X, X))
    fit(1, (X + 1, X))              # a change to any training value fits again
    assert calls == [1, 2, 1]
    with pytest.raises(TypeError, match="fit must be a function"):
        S.remember("fit")
    with pytest.raises(TypeError, match="only fingerprint numbers"):
        fit(3, object())
    with pytest.raises(TypeError, match=r"must be hashable: got list \[8, 30\]"):  # C13
        fit([8, 30], (X, X))


# ----------------------------------------------------------------- the acceptance test of issue 14
def _choices(x, make_seed=0):
    """Every choice the lab makes on one series, with small grids so the test runs in seconds."""
    n_train, n_val, _ = S.split_points(len(x))
    scaled, _ = S.scale_series(x, n_train)
    T, M = 12, 5
    w = S.split_windows(scaled, n_train, n_val, T, M)
    one = S.split_windows(scaled, n_train, n_val, T, M, train_horizon=1)["train"]

    def splits(train):
        return {"train": train, "val": w["val"], "test": w["test"]}
    ar = S.choose_on_validation(range(1, T + 1), lambda p, tr: S.fit_ar(tr, p),
                                lambda r, X: S.ar_forecast(r, X, M), splits(scaled[:n_train]))
    ridge = S.choose_on_validation(
        [(p, r) for p in (2, 6, 12) for r in (0.0, 1.0)],
        lambda c, tr: (c[0], S.LinearAR(c[1]).fit(tr[0][:, -c[0]:], tr[1])),
        lambda m, X: m[1].predict(X[:, -m[0]:]), splits(w["train"]))
    arima = S.choose_on_validation([(1, 0, 1), (2, 0, 1)], lambda o, tr: S.fit_arima(tr, o),
                                   lambda r, X: S.arima_forecast(r, X, M), splits(scaled[:n_train]))

    def rnn_fit(candidate, train):
        hidden_size, epochs = candidate
        torch.manual_seed(make_seed)
        model = S.Forecaster(hidden_size, train[1].shape[1])
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        X, Y = (torch.tensor(a, dtype=torch.float32) for a in train)
        for _ in range(epochs):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(X), Y).backward()
            optimizer.step()
        return model
    rnn = S.choose_on_validation(
        [(2, 5), (4, 10)], rnn_fit,
        lambda m, X: S.iterated_forecast(lambda v: S.predict(m, v), X, M), splits(one))
    val = {"AR": ar[1][ar[0]], "ridge": ridge[1][ridge[0]], "RNN": rnn[1][rnn[0]]}
    verdict = S.verdict(val, {name: 1.0 for name in val}, ["RNN"])[:2]
    return ar[0], ridge[0], arima[0], rnn[0], verdict


def test_changing_the_test_split_leaves_every_choice_unchanged():
    """Issue 14's acceptance test: the lab's choices read nothing of the test part."""
    _, spots = S.load_sunspots()
    n_train, n_val, n_test = S.split_points(len(spots))
    scrambled = spots.copy()
    scrambled[n_train + n_val:] = np.random.default_rng(0).uniform(0, 500, n_test)
    assert _choices(spots) == _choices(scrambled)


def test_a_scaler_fitted_on_all_the_data_would_change_the_choices():
    """The test above can fail: leak the test part through the scaler and a choice moves."""
    _, spots = S.load_sunspots()
    n_train, n_val, n_test = S.split_points(len(spots))
    scrambled = spots.copy()
    scrambled[n_train + n_val:] = np.random.default_rng(0).uniform(0, 500, n_test)
    leaky = S.MinMaxScaler(-1.0, 1.0)
    original_scale = S.scale_series
    try:
        S.scale_series = lambda x, n: (leaky.fit(x).transform(x), leaky)
        assert _choices(spots) != _choices(scrambled)
    finally:
        S.scale_series = original_scale


# ----------------------------------------------------------------- the recurrent model
def test_forecaster_reads_the_last_step_and_has_the_documented_parts():
    model = S.Forecaster(5, 3)
    assert isinstance(model.rnn, torch.nn.LSTM) and model.rnn.batch_first
    assert (model.head.in_features, model.head.out_features) == (5, 3)
    x = torch.randn(4, 7)
    out, _ = model.rnn(x.unsqueeze(-1))
    assert torch.allclose(model(x), model.head(out[:, -1]))
    assert model(x).shape == (4, 3)


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.Forecaster(0), ValueError, "hidden_size must be a positive integer"),
    (lambda: S.Forecaster(4, 1.5), TypeError, "horizon must be a positive integer"),
    (lambda: S.Forecaster(4)(torch.ones(2, 3, 1)), ValueError, r"x must be a \(B, T\) tensor"),
    (lambda: S.Forecaster(4)(np.ones((2, 3))), ValueError, r"x must be a \(B, T\) tensor"),
])
def test_forecaster_rejects_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_predict_runs_in_eval_mode_without_gradients_on_float64_and_float32():
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 1))
    model.train()
    for X in (np.ones((4, 3)), np.ones((4, 3), dtype=np.float32)):
        a, b = S.predict(model, X), S.predict(model, X)
        assert isinstance(a, np.ndarray) and a.shape == (4, 1) and np.array_equal(a, b)
    assert not model.training


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.predict("model", np.ones((2, 3))), TypeError, "model must be a torch.nn.Module"),
    (lambda: S.predict(S.Forecaster(2), np.ones(3)), ValueError, "X must be a 2-D array"),
    (lambda: S.predict(S.Forecaster(2), np.zeros((0, 3))), ValueError, "X is empty"),
    (lambda: S.predict(S.Forecaster(2), "abc"), TypeError, "X must be a 2-D array"),
])
def test_predict_rejects_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ----------------------------------------------------------------- scores and the verdict
def test_rmse_and_rmse_by_horizon():
    assert S.rmse([1.0, 3.0], [1.0, 1.0]) == pytest.approx(np.sqrt(2))
    by = S.rmse_by_horizon(np.array([[0.0, 2.0], [0.0, 4.0]]), np.zeros((2, 2)))
    assert np.allclose(by, [0, np.sqrt(10)])


@pytest.mark.parametrize("call, error, words", [
    (lambda: S.rmse([1.0], [1.0, 2.0]), ValueError, r"prediction has shape \(1,\) but target"),
    (lambda: S.rmse([], []), ValueError, "prediction is empty"),
    (lambda: S.rmse("a", [1.0]), TypeError, "prediction must be an array of forecasts"),
    (lambda: S.rmse([1.0], None), TypeError, "target must be an array of targets"),
    (lambda: S.rmse_by_horizon(np.zeros(3), np.zeros(3)), ValueError, r"\(N, horizon\)"),
    (lambda: S.rmse_by_horizon(np.zeros((2, 3)), np.zeros((3, 2))), ValueError, "but target"),
])
def test_scores_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_verdict_chooses_on_validation_and_reports_on_test():
    val = {"naive": 5.0, "AR": 2.0, "ARIMA": 2.5, "RNN a": 2.2, "RNN b": 1.9}
    test = {"naive": 4.0, "AR": 3.0, "ARIMA": 2.4, "RNN a": 2.7, "RNN b": 3.3}
    rnn, baseline, change = S.verdict(val, test, ["RNN a", "RNN b"])
    assert (rnn, baseline) == ("RNN b", "AR") and change == pytest.approx(0.1)


@pytest.mark.parametrize("args, error, words", [
    (({}, {}, ["RNN"]), TypeError, "val_rmse must be a non-empty dict"),
    (({"AR": 1.0, "RNN": 2.0}, [1.0, 2.0], ["RNN"]), TypeError, "test_rmse must be a non-empty dict"),
    (({"AR": 1.0, "RNN": 2.0}, {"AR": 1.0, "RNN": 2.0}, "RNN"), TypeError,
     "recurrent must be a list of model names"),
    (({"AR": 1.0, "RNN": 2.0}, {"AR": 1.0}, ["RNN"]), ValueError, "must name the same models"),
    (({"AR": 1.0, "RNN": 2.0}, {"AR": 1.0, "RNN": 2.0}, ["GRU"]), ValueError,
     "must name at least one model"),
    (({"RNN": 2.0}, {"RNN": 2.0}, ["RNN"]), ValueError, "leave at least one baseline"),
    # C13: a zero baseline RMSE, RMSEs as text, a NaN
    (({"AR": 1.0, "RNN": 2.0}, {"AR": 0.0, "RNN": 2.0}, ["RNN"]), ValueError,
     r"test_rmse\['AR'\] is 0: the change relative to the baseline .* is undefined"),
    (({"AR": "1.0", "RNN": 2.0}, {"AR": 1.0, "RNN": 2.0}, ["RNN"]), TypeError,
     r"val_rmse\['AR'\] must be a number, got str"),
    (({"AR": 1.0, "RNN": 2.0}, {"AR": 1.0, "RNN": np.nan}, ["RNN"]), ValueError,
     r"test_rmse\['RNN'\] must be"),
    (({"AR": 1.0, "RNN": -2.0}, {"AR": 1.0, "RNN": 2.0}, ["RNN"]), ValueError,
     r"val_rmse\['RNN'\] must be at least 0.0"),
])
def test_verdict_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        S.verdict(*args)


# ----------------------------------------------------------------- bad-input table (issue 16)
_S = np.arange(50.0)
_X, _Y = S.make_windows(_S, 5, 2)
_ARIMA_LIKE = type("FittedArima", (), {"apply": None, "forecast": None})()


def _ar():
    return S.fit_ar(np.sin(np.arange(100.0)), 2)


def _choose(candidates=(1,), splits=None, forecast=lambda model, X: _Y):
    splits = {"train": None, "val": (_X, _Y)} if splits is None else splits
    return S.choose_on_validation(candidates, lambda c, train: c, forecast, splits)


_RMSE = {"AR": 1.0, "RNN": 2.0}
BAD_INPUT = [
    ("synthetic_series", "type", lambda: S.synthetic_series("30"), TypeError,
     "t_max must be a number, got str '30'"),
    ("synthetic_series", "type", lambda: S.synthetic_series(seed=1.5), TypeError,
     "seed must be an integer, got float 1.5"),
    ("synthetic_series", "empty", lambda: S.synthetic_series(0), ValueError,
     "t_max must be a positive number, got 0"),
    ("synthetic_series", "value", lambda: S.synthetic_series(float("inf")), ValueError,
     "t_max must be a finite number, got inf"),
    ("synthetic_series", "value", lambda: S.synthetic_series(noise=1.0, seed=-1), ValueError,
     "seed must be a non-negative integer, got -1"),
    ("split_points", "type", lambda: S.split_points(10.0), TypeError,
     "n_values must be a positive integer, got float 10.0"),
    ("split_points", "type", lambda: S.split_points(10, "0.2"), TypeError,
     "val_fraction must be a number, got str '0.2'"),
    ("split_points", "empty", lambda: S.split_points(0), ValueError,
     "n_values must be a positive integer, got 0"),
    ("make_windows", "type", lambda: S.make_windows(None, 3), TypeError,
     r"series must be a 1-D series \(a NumPy array\), got NoneType"),
    ("make_windows", "type", lambda: S.make_windows(["a", "b"], 1), TypeError,
     r"series must hold numbers \(a 1-D series\)"),
    ("make_windows", "shape", lambda: S.make_windows(np.zeros((3, 3)), 1), ValueError,
     r"series must be a 1-D series, got shape \(3, 3\)"),
    ("make_windows", "empty", lambda: S.make_windows([], 1), ValueError,
     "series is empty: expected a 1-D series with at least one value"),
    ("split_windows", "type", lambda: S.split_windows(None, 10, 5, 3, 1), TypeError,
     r"series must be a 1-D series \(a NumPy array\), got NoneType"),
    ("split_windows", "type", lambda: S.split_windows(_S, 30, 10, 3, 1, make_windows=3), TypeError,
     r"make_windows must be a function make_windows\(series, n_steps, horizon\), got int"),
    ("split_windows", "shape", lambda: S.split_windows(np.zeros((5, 5)), 10, 5, 3, 1), ValueError,
     r"series must be a 1-D series, got shape \(5, 5\)"),
    ("split_windows", "empty", lambda: S.split_windows([], 10, 5, 3, 1), ValueError,
     "series is empty"),
    ("shifted_windows", "type", lambda: S.shifted_windows(_S, 3.0), TypeError,
     "n_steps must be a positive integer, got float 3.0"),
    ("shifted_windows", "shape", lambda: S.shifted_windows(np.zeros((3, 3)), 1), ValueError,
     r"series must be a 1-D series, got shape \(3, 3\)"),
    ("shifted_windows", "empty", lambda: S.shifted_windows([], 1), ValueError, "series is empty"),
    ("scale_series", "type", lambda: S.scale_series(_S, 3, low="a"), TypeError,
     "low must be a number, got str 'a'"),
    ("scale_series", "shape", lambda: S.scale_series(np.zeros((3, 3)), 1), ValueError,
     r"series must be a 1-D series, got shape \(3, 3\)"),
    ("scale_series", "empty", lambda: S.scale_series([], 1), ValueError, "series is empty"),
    ("naive_forecast", "type", lambda: S.naive_forecast("x", 2), TypeError,
     r"X must be a 2-D array of windows \(N, T\) \(a NumPy array\), got str"),
    ("naive_forecast", "shape", lambda: S.naive_forecast(_S, 2), ValueError,
     r"X must be a 2-D array of windows \(N, T\), got shape \(50,\)"),
    ("naive_forecast", "empty", lambda: S.naive_forecast(np.zeros((3, 0)), 2), ValueError,
     r"X is empty: expected a 2-D array of windows \(N, T\)"),
    ("iterated_forecast", "type", lambda: S.iterated_forecast(3, _X, 2), TypeError,
     "predict_next must be a function, got int"),
    ("iterated_forecast", "value", lambda: S.iterated_forecast(lambda w: "a", _X, 2), ValueError,
     r"predict_next must return one value per window, shape \(44,\) or \(44, 1\), got str"),
    ("iterated_forecast", "shape",
     lambda: S.iterated_forecast(lambda w: w[:2, -1], _X, 2), ValueError,
     r"predict_next must return one value per window, shape \(44,\) or \(44, 1\), got shape \(2,\)"),
    ("iterated_forecast", "shape", lambda: S.iterated_forecast(lambda w: w[:, -1], _S, 2), ValueError,
     r"X must be a 2-D array of windows \(N, T\), got shape \(50,\)"),
    ("iterated_forecast", "empty",
     lambda: S.iterated_forecast(lambda w: w[:, -1], np.zeros((0, 5)), 2),
     ValueError, r"X is empty"),
    ("fit_ar", "type",
     lambda: S.fit_ar(_S, 2.0), TypeError, "p must be a positive integer, got float 2.0"),
    ("fit_ar", "shape", lambda: S.fit_ar(np.zeros((5, 5)), 2), ValueError,
     r"train must be a 1-D series, got shape \(5, 5\)"),
    ("fit_ar", "empty", lambda: S.fit_ar([], 2), ValueError, "train is empty"),
    ("ar_forecast", "type", lambda: S.ar_forecast("ar", _X, 2), TypeError,
     r"result must be a fitted statsmodels AutoReg \(fit_ar\(train, p\)\), got str"),
    ("ar_forecast", "shape", lambda: S.ar_forecast(_ar(), _S, 2), ValueError,
     r"X must be a 2-D array of windows \(N, T\), got shape \(50,\)"),
    ("ar_forecast", "shape", lambda: S.ar_forecast(_ar(), np.zeros((3, 1)), 2), ValueError,
     "X has windows of 1 values; this AR reads 2"),
    ("ar_forecast", "empty",
     lambda: S.ar_forecast(_ar(), np.zeros((0, 5)), 2), ValueError, "X is empty"),
    ("fit_arima", "type", lambda: S.fit_arima(None, (1, 0, 0)), TypeError,
     r"train must be a 1-D series \(a NumPy array\), got NoneType"),
    ("fit_arima", "shape", lambda: S.fit_arima(_S, (1, 0)), ValueError,
     r"order must be a tuple \(p, d, q\) of non-negative integers, got \(1, 0\)"),
    ("fit_arima", "shape", lambda: S.fit_arima(np.zeros((5, 5)), (1, 0, 0)), ValueError,
     r"train must be a 1-D series, got shape \(5, 5\)"),
    ("fit_arima", "empty", lambda: S.fit_arima([], (1, 0, 0)), ValueError, "train is empty"),
    ("fit_arima", "value", lambda: S.fit_arima(_S, (True, 0, 0)), ValueError,
     r"order must be a tuple \(p, d, q\) of non-negative integers, got \(True, 0, 0\)"),
    ("arima_forecast", "type", lambda: S.arima_forecast("x", _X, 2), TypeError,
     r"result must be a fitted statsmodels ARIMA \(fit_arima\), got str"),
    ("arima_forecast", "shape", lambda: S.arima_forecast(_ARIMA_LIKE, _S, 2), ValueError,
     r"X must be a 2-D array of windows \(N, T\), got shape \(50,\)"),
    ("arima_forecast", "empty",
     lambda: S.arima_forecast(_ARIMA_LIKE, np.zeros((0, 5)), 2), ValueError,
     "X is empty"),
    ("choose_on_validation", "type", lambda: _choose(candidates=None), TypeError,
     "candidates must be a list of settings, got NoneType"),
    ("choose_on_validation", "type", lambda: _choose(candidates=[[1, 2]]), TypeError,
     r"each candidate becomes a dict key, so it must be hashable: got list \[1, 2\]; write it as a tuple"),
    ("choose_on_validation", "type", lambda: _choose(splits=[1]), TypeError,
     "splits must be a dict with the keys 'train' and 'val'"),
    ("choose_on_validation", "shape",
     lambda: _choose(splits={"train": None, "val": _X}), TypeError,
     r"splits\['val'\] must be a pair \(X_val, Y_val\) of windows \(N, T\) and targets "
     r"\(N, m\), got an array"),
    ("choose_on_validation", "shape", lambda: _choose(forecast=lambda model, X: X), ValueError,
     r"prediction has shape \(44, 5\) but target has shape \(44, 2\)"),
    ("choose_on_validation", "empty", lambda: _choose(candidates=[]), ValueError,
     "candidates is empty: give at least one setting to choose from"),
    ("choose_on_validation", "empty", lambda: _choose(splits={}), ValueError,
     r"splits must have the keys 'train' and 'val', missing \['train', 'val'\]"),
    ("remember", "type", lambda: S.remember(None), TypeError,
     r"fit must be a function fit\(candidate, train\), got NoneType"),
    ("remember", "type", lambda: S.remember(lambda c, train: c)([1], _S), TypeError,
     r"each candidate becomes a dict key, so it must be hashable: got list \[1\]; write it as a tuple"),
    ("remember", "type", lambda: S.remember(lambda c, train: c)(1, object()), TypeError,
     "remember can only fingerprint numbers, got object"),
    ("predict", "type",
     lambda: S.predict("m", _X), TypeError, "model must be a torch.nn.Module, got str"),
    ("predict", "type", lambda: S.predict(S.Forecaster(4), "X"), TypeError,
     r"X must be a 2-D array of windows \(N, T\) \(a NumPy array\), got str"),
    ("predict", "shape", lambda: S.predict(S.Forecaster(4), _S), ValueError,
     r"X must be a 2-D array of windows \(N, T\), got shape \(50,\)"),
    ("predict", "shape", lambda: S.predict(torch.nn.Linear(3, 1), _X), ValueError,
     r"X of shape \(44, 5\) does not fit model"),
    ("predict", "empty",
     lambda: S.predict(S.Forecaster(4), np.zeros((0, 5))), ValueError, "X is empty"),
    ("rmse", "type", lambda: S.rmse("a", [1.0]), TypeError,
     r"prediction must be an array of forecasts \(a NumPy array\), got str"),
    ("rmse", "type", lambda: S.rmse([1.0], None), TypeError,
     r"target must be an array of targets \(a NumPy array\), got NoneType"),
    ("rmse", "shape", lambda: S.rmse([1.0, 2.0], [1.0]), ValueError,
     r"prediction has shape \(2,\) but target has shape \(1,\)"),
    ("rmse", "empty", lambda: S.rmse([], []), ValueError,
     "prediction is empty: expected an array of forecasts with at least one value"),
    ("rmse_by_horizon", "type", lambda: S.rmse_by_horizon("a", "b"), TypeError,
     "prediction must be an array of forecasts"),
    ("rmse_by_horizon", "shape", lambda: S.rmse_by_horizon([1.0, 2.0], [1.0, 2.0]), ValueError,
     r"prediction and target must be \(N, horizon\) arrays, got shape \(2,\)"),
    ("rmse_by_horizon", "shape",
     lambda: S.rmse_by_horizon(np.zeros((3, 2)), np.zeros((3, 1))), ValueError,
     r"prediction has shape \(3, 2\) but target has shape \(3, 1\)"),
    ("rmse_by_horizon", "empty",
     lambda: S.rmse_by_horizon(np.zeros((0, 2)), np.zeros((0, 2))), ValueError,
     "prediction is empty"),
    ("change_interval", "type", lambda: S.change_interval("e", np.ones((5, 2)), 2), TypeError,
     r"rnn_errors must be squared errors \(N windows, S seeds\) \(a NumPy array\), got str"),
    ("change_interval", "type", lambda: S.change_interval(np.ones((5, 2)), np.ones((5, 2)), 2.0),
     TypeError, "block_size must be a positive integer, got float 2.0"),
    ("change_interval", "shape", lambda: S.change_interval(np.ones(5), np.ones(5), 2), ValueError,
     r"rnn_errors must be squared errors \(N windows, S seeds\), got shape \(5,\)"),
    ("change_interval", "shape", lambda: S.change_interval(np.ones((5, 2)), np.ones((5, 3)), 2),
     ValueError, r"rnn_errors has shape \(5, 2\) but baseline_errors has shape \(5, 3\)"),
    ("change_interval", "empty", lambda: S.change_interval(np.ones((0, 2)), np.ones((0, 2)), 2),
     ValueError, "rnn_errors is empty"),
    ("verdict", "type", lambda: S.verdict([1.0], _RMSE, ["RNN"]), TypeError,
     r"val_rmse must be a non-empty dict \{model name: RMSE\}, got list"),
    ("verdict", "type", lambda: S.verdict({"AR": "1", "RNN": 2.0}, _RMSE, ["RNN"]), TypeError,
     r"val_rmse\['AR'\] must be a number, got str '1'"),
    ("verdict", "type", lambda: S.verdict(_RMSE, _RMSE, "RNN"), TypeError,
     "recurrent must be a list of model names, got 'RNN'"),
    ("verdict", "shape", lambda: S.verdict(_RMSE, {"AR": 1.0}, ["RNN"]), ValueError,
     r"val_rmse and test_rmse must name the same models, got \['AR', 'RNN'\] and \['AR'\]"),
    ("verdict", "empty", lambda: S.verdict({}, {}, ["RNN"]), TypeError,
     r"val_rmse must be a non-empty dict \{model name: RMSE\}"),
    ("verdict", "empty", lambda: S.verdict(_RMSE, _RMSE, []), ValueError,
     r"recurrent=\[\] must name at least one model of \['AR', 'RNN'\]"),
    ("verdict", "value",
     lambda: S.verdict({"AR": float("nan"), "RNN": 2.0}, _RMSE, ["RNN"]), ValueError,
     r"val_rmse\['AR'\] must be a finite number, got nan"),
    ("verdict", "value", lambda: S.verdict(_RMSE, {"AR": 0.0, "RNN": 2.0}, ["RNN"]), ValueError,
     r"test_rmse\['AR'\] is 0: the change relative to the baseline chosen on validation is undefined"),
]
# Kinds that do not apply, with the reason: load_co2_monthly and load_sunspots take no
# argument; synthetic_series and split_points take numbers, not arrays, so there is no shape
# to get wrong (their "empty" is a length of 0); remember takes a function, whose
# candidate and training data are tried above ("type"), and has nothing with a shape or
# that can be empty.
NOT_APPLICABLE = {("load_co2_monthly", kind) for kind in ("type", "shape", "empty")} | \
    {("load_sunspots", kind) for kind in ("type", "shape", "empty")} | \
    {("synthetic_series", "shape"), ("split_points", "shape"), ("remember", "shape"),
     ("remember", "empty")}


def test_the_forecaster_names_an_empty_window():
    with pytest.raises(ValueError, match=r"x must be a \(B, T\) tensor of windows, B and T at "
                                         r"least 1, got \(3, 0\)"):
        S.Forecaster(4)(torch.zeros(3, 0))


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(S, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()


# ----------------------------------------------------------------- how sure: the block bootstrap
def test_change_interval_covers_the_change_and_shrinks_to_it_when_the_ratio_is_fixed():
    rng = np.random.default_rng(0)
    base = rng.chisquare(1, size=(50, 3))
    low, high = S.change_interval(1.21 * base, base, block_size=10)   # RMSE ratio 1.1 always
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)
    rnn = rng.chisquare(1, size=(50, 3))
    low, high = S.change_interval(rnn, base, block_size=10)
    point = np.mean(np.sqrt(rnn.mean(axis=0) / base.mean(axis=0))) - 1
    assert low < point < high and high - low > 0.2                    # two noisy series
    assert (low, high) == S.change_interval(rnn, base, block_size=10)  # seeded
    assert (low, high) != S.change_interval(rnn, base, block_size=10, seed=1)


@pytest.mark.parametrize("args, kwargs, error, words", [
    ((np.ones((5, 2)), np.ones((5, 3)), 2), {}, ValueError, "pair the same windows and seeds"),
    ((np.ones(5), np.ones(5), 2), {}, ValueError, r"rnn_errors must be squared errors \(N windows"),
    ((-np.ones((5, 2)), np.ones((5, 2)), 2), {}, ValueError, "finite and >= 0"),
    ((np.ones((5, 2)), np.ones((5, 2)), 6), {}, ValueError, "block_size=6 is longer than the 5"),
    ((np.ones((5, 2)), np.ones((5, 2)), 2.0), {}, TypeError, "block_size must be a positive"),
    ((np.ones((5, 2)), np.ones((5, 2)), 2), dict(level=1.5), ValueError, "level must be a fraction"),
    ((np.ones((5, 2)), np.zeros((5, 2)), 2), {}, ValueError, "baseline_errors are all 0"),
    ((np.ones((5, 2)), np.ones((5, 2)), 2), dict(seed=0.5), TypeError, "seed must be an integer"),
])
def test_change_interval_rejects_bad_arguments(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        S.change_interval(*args, **kwargs)
