"""course_utils.series: generators, offline loaders, windows, scaler, baselines, metrics."""
import numpy as np
import pytest

from course_utils import series as S


# ----------------------------------------------------------------- series
def test_synthetic_series_matches_the_formula_on_the_seeds_grid():
    t, y = S.synthetic_series()
    assert len(t) == 301 and t[0] == 0 and np.isclose(t[-1], 30) and np.isclose(t[1], 0.1)
    assert np.allclose(y, t * np.sin(t) / 3 + 2 * np.sin(5 * t))


def test_synthetic_series_noise_is_seeded_and_optional():
    _, clean = S.synthetic_series()
    _, a = S.synthetic_series(noise=0.5, seed=1)
    _, b = S.synthetic_series(noise=0.5, seed=1)
    _, c = S.synthetic_series(noise=0.5, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert 0.4 < np.std(a - clean) < 0.6


@pytest.mark.parametrize("kwargs, word", [
    (dict(t_max=0), "t_max"), (dict(resolution=-1.0), "resolution"),
    (dict(resolution=40.0), "resolution"), (dict(noise=-0.1), "noise"), (dict(noise="a"), "noise"),
])
def test_synthetic_series_rejects_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
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


def test_split_series_keeps_context_before_the_test_part():
    train, test = S.split_series(np.arange(10.0), 0.7, context=3)
    assert train.tolist() == list(range(7)) and test.tolist() == list(range(4, 10))


@pytest.mark.parametrize("args, error, word", [
    ((np.arange(10.0), 1.0), ValueError, "train_fraction"),
    ((np.arange(10.0), 0.5, 6), ValueError, "context"),
    ((np.arange(10.0), 0.5, -1), ValueError, "context"),
    ((np.arange(3.0), 0.01), ValueError, "train_fraction"),
    (("abc", 0.5), TypeError, "series"),
    ((np.ones((3, 3)), 0.5), ValueError, "1-D"),
])
def test_split_series_rejects_bad_arguments(args, error, word):
    with pytest.raises(error, match=word):
        S.split_series(*args)


# ----------------------------------------------------------------- windows
def test_make_windows_targets_follow_each_window():
    X, Y = S.make_windows(np.arange(10.0), n_steps=3, horizon=2)
    assert X.shape == (6, 3) and Y.shape == (6, 2)
    assert X[0].tolist() == [0, 1, 2] and Y[0].tolist() == [3, 4]
    assert X[-1].tolist() == [5, 6, 7] and Y[-1].tolist() == [8, 9]
    X, Y = S.make_windows(np.arange(10.0), 3, 2, stride=3)
    assert X[:, 0].tolist() == [0, 3]


def test_make_windows_with_exactly_one_window():
    X, Y = S.make_windows(np.arange(5.0), 3, 2)
    assert X.shape == (1, 3) and Y.tolist() == [[3, 4]]


@pytest.mark.parametrize("args, word", [
    ((np.arange(4.0), 3, 2), "no window fits"),
    ((np.arange(10.0), 0), "n_steps"),
    ((np.arange(10.0), 3, 0), "horizon"),
    ((np.arange(10.0), 3, 1, 0), "stride"),
    ((np.arange(10.0), 2.5), "n_steps"),
])
def test_make_windows_rejects_impossible_sizes(args, word):
    with pytest.raises(ValueError, match=word):
        S.make_windows(*args)


def test_shifted_windows_targets_are_inputs_one_step_ahead():
    X, Y = S.shifted_windows(np.arange(8.0), 3)
    assert X.shape == Y.shape == (5, 3)
    assert np.array_equal(Y[:, :-1], X[:, 1:]) and Y[0].tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="no window fits"):
        S.shifted_windows(np.arange(3.0), 3)
    with pytest.raises(ValueError, match="n_steps"):
        S.shifted_windows(np.arange(8.0), 0)


# ----------------------------------------------------------------- scaler
def test_scaler_remembers_its_fit_and_inverts():
    scaler = S.MinMaxScaler(-1.0, 1.0).fit(np.array([10.0, 15.0, 20.0]))
    assert np.allclose(scaler.transform([10.0, 20.0, 30.0]), [-1, 1, 3])
    x = np.array([[12.0, 31.0]])
    assert np.allclose(scaler.inverse_transform(scaler.transform(x)), x)
    assert scaler.fitted and "fit on" in repr(scaler)
    assert np.allclose(S.MinMaxScaler().fit_transform([2.0, 4.0]), [0, 1])


@pytest.mark.parametrize("call, word", [
    (lambda: S.MinMaxScaler().transform([1.0]), "not fitted"),
    (lambda: S.MinMaxScaler().inverse_transform([1.0]), "not fitted"),
    (lambda: S.MinMaxScaler(1.0, 0.0), "low < high"),
    (lambda: S.MinMaxScaler().fit([3.0, 3.0]), "constant"),
    (lambda: S.MinMaxScaler().fit([]), "non-empty"),
    (lambda: S.MinMaxScaler().fit([1.0, np.nan]), "finite"),
])
def test_scaler_rejects_bad_use(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ----------------------------------------------------------------- baselines
def test_naive_forecast_repeats_the_last_value_or_season():
    X = np.arange(24.0)[None]
    assert S.naive_forecast(X, 3).tolist() == [[23, 23, 23]]
    assert S.naive_forecast(X, 14, season=12).tolist() == [list(range(12, 24)) + [12, 13]]
    with pytest.raises(ValueError, match="season"):
        S.naive_forecast(X, 3, season=30)
    with pytest.raises(ValueError, match="horizon"):
        S.naive_forecast(X, 0)
    with pytest.raises(ValueError, match="2-D"):
        S.naive_forecast(np.arange(5.0), 1)


def test_linear_ar_recovers_the_exact_recurrence_of_the_synthetic_series():
    _, y = S.synthetic_series()  # t sin t / 3 + 2 sin 5t obeys a linear recurrence of order 6
    X, Y = S.make_windows(y, 6, 1)
    model = S.LinearAR().fit(X[:200], Y[:200])
    assert S.rmse(model.predict(X[200:]), Y[200:]) < 1e-8


def test_linear_ar_direct_multi_output_and_ridge():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    W = rng.standard_normal((4, 3))
    Y = X @ W + 2.0
    model = S.LinearAR().fit(X, Y)
    assert np.allclose(model.weights[:-1], W) and np.allclose(model.weights[-1], 2.0)
    ridge = S.LinearAR(ridge=100.0).fit(X, Y)
    assert np.abs(ridge.weights[:-1]).sum() < np.abs(W).sum()


@pytest.mark.parametrize("call, word", [
    (lambda: S.LinearAR().predict(np.ones((2, 3))), "not fitted"),
    (lambda: S.LinearAR(ridge=-1), "ridge"),
    (lambda: S.LinearAR().fit(np.ones((4, 2)), np.ones(3)), "rows"),
    (lambda: S.LinearAR().fit(np.ones((4, 2)), np.ones(4)).predict(np.ones((4, 3))), "steps"),
])
def test_linear_ar_rejects_bad_use(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_iterate_forecast_feeds_predictions_back():
    X = np.array([[1.0, 2.0, 3.0]])
    out = S.iterate_forecast(lambda w: w[:, -1] + 1, X, 4)  # "next = last + 1"
    assert out.tolist() == [[4, 5, 6, 7]]
    out = S.iterate_forecast(lambda w: w.sum(axis=1, keepdims=True), X, 2)
    assert out.tolist() == [[6, 11]]  # 1+2+3, then 2+3+6
    assert X.tolist() == [[1, 2, 3]]  # the input is not modified


def test_iterate_forecast_rejects_bad_arguments():
    with pytest.raises(TypeError, match="predict_next"):
        S.iterate_forecast("f", np.ones((1, 2)), 2)
    with pytest.raises(ValueError, match="one value"):
        S.iterate_forecast(lambda w: w, np.ones((1, 2)), 2)
    with pytest.raises(ValueError, match="horizon"):
        S.iterate_forecast(lambda w: w[:, -1], np.ones((1, 2)), 0)


def test_rmse_and_rmse_by_horizon():
    assert S.rmse([1.0, 3.0], [1.0, 1.0]) == pytest.approx(np.sqrt(2))
    by = S.rmse_by_horizon(np.array([[0.0, 2.0], [0.0, 4.0]]), np.zeros((2, 2)))
    assert np.allclose(by, [0, np.sqrt(10)])
    with pytest.raises(ValueError, match="shape"):
        S.rmse([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="empty"):
        S.rmse([], [])
    with pytest.raises(ValueError, match="horizon"):
        S.rmse_by_horizon(np.zeros(3), np.zeros(3))


def test_predict_runs_in_eval_mode_without_gradients():
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 1))
    model.train()
    X = np.ones((4, 3))
    a, b = S.predict(model, X), S.predict(model, X)
    assert isinstance(a, np.ndarray) and a.shape == (4, 1) and np.array_equal(a, b)
    assert not model.training
    with pytest.raises(TypeError, match="model"):
        S.predict("model", X)
