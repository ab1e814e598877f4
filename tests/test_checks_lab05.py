"""Every Lab 05 check accepts the right answer and names each planted mistake."""
import numpy as np
import pytest
import torch

from course_utils._feedback import CheckFailed
from course_utils.checks import lab05
from course_utils.series import MinMaxScaler


def stub(*args, **kwargs):
    raise NotImplementedError("write this")


def _fails(check, func, *words):
    with pytest.raises(CheckFailed) as info:
        check(func)
    message = info.value.message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


# ----------------------------------------------------------------- windows
def windows_ok(series, n_steps, horizon):
    n = len(series) - n_steps - horizon + 1
    if n < 1:
        raise ValueError("series too short")
    X = np.stack([series[i:i + n_steps] for i in range(n)])
    Y = np.stack([series[i + n_steps:i + n_steps + horizon] for i in range(n)])
    return X, Y


def windows_target_early(series, n_steps, horizon):
    X, _ = windows_ok(series, n_steps, horizon)
    n = len(X)
    return X, np.stack([series[i + n_steps - 1:i + n_steps - 1 + horizon] for i in range(n)])


def windows_target_late(series, n_steps, horizon):
    n = len(series) - n_steps - horizon
    if n < 1:
        raise ValueError("series too short")
    X = np.stack([series[i:i + n_steps] for i in range(n)])
    return X, np.stack([series[i + n_steps + 1:i + n_steps + 1 + horizon] for i in range(n)])


def windows_last_missing(series, n_steps, horizon):
    X, Y = windows_ok(series, n_steps, horizon)
    return X[:-1], Y[:-1]


def windows_no_error(series, n_steps, horizon):
    n = max(len(series) - n_steps - horizon + 1, 0)  # a too-short series gives empty arrays
    X = np.array([series[i:i + n_steps] for i in range(n)]).reshape(n, n_steps)
    Y = np.array([series[i + n_steps:i + n_steps + horizon] for i in range(n)]).reshape(n, horizon)
    return X, Y


def windows_swapped(series, n_steps, horizon):
    X, Y = windows_ok(series, n_steps, horizon)
    return Y, X


def test_make_windows_accepts_the_right_answer(capsys):
    lab05.check_make_windows(windows_ok)
    assert "✓ make_windows" in capsys.readouterr().out


def test_make_windows_accepts_the_library_version():
    from course_utils.series import make_windows
    lab05.check_make_windows(make_windows)


@pytest.mark.parametrize("func, words", [
    (windows_target_early, ["off by one, early", "target 0 starts with 4", "already sees"]),
    (windows_target_late, ["off by one, late", "skips 5"]),
    (windows_last_missing, ["23 windows", "last window is missing"]),
    (windows_no_error, ["raise ValueError"]),
    (windows_swapped, ["(Y, X)"]),
    (stub, ["not implemented yet"]),
])
def test_make_windows_names_each_mistake(func, words):
    _fails(lab05.check_make_windows, func, *words)


# ----------------------------------------------------------------- scaling
def scale_ok(train, test):
    scaler = MinMaxScaler(-1.0, 1.0).fit(train)
    return scaler.transform(train), scaler.transform(test), scaler


def scale_fit_on_test(train, test):
    scaler = MinMaxScaler(-1.0, 1.0).fit(test)
    return scaler.transform(train), scaler.transform(test), scaler


def scale_fit_on_all(train, test):
    scaler = MinMaxScaler(-1.0, 1.0).fit(np.concatenate([train, test]))
    return scaler.transform(train), scaler.transform(test), scaler


def scale_each_separately(train, test):
    return (MinMaxScaler(-1.0, 1.0).fit_transform(train),
            MinMaxScaler(-1.0, 1.0).fit_transform(test), MinMaxScaler(-1.0, 1.0).fit(train))


def scale_zero_one(train, test):
    scaler = MinMaxScaler().fit(train)
    return scaler.transform(train), scaler.transform(test), scaler


def scale_wrong_scaler(train, test):
    train_s, test_s, _ = scale_ok(train, test)
    return train_s, test_s, MinMaxScaler(-1.0, 1.0).fit(test)


def test_scale_splits_accepts_the_right_answer(capsys):
    lab05.check_scale_splits(scale_ok)
    assert "✓ scale_splits" in capsys.readouterr().out


@pytest.mark.parametrize("func, words", [
    (scale_fit_on_test, ["fitted on the test data"]),
    (scale_each_separately, ["fitted on the test data"]),
    (scale_fit_on_all, ["train and test together", "leaked"]),
    (scale_zero_one, ["[0, 1]", "low=-1.0"]),
    (scale_wrong_scaler, ["inverse_transform", "fitted on train"]),
    (lambda a, b: (a, b), ["three things"]),
    (stub, ["not implemented yet"]),
])
def test_scale_splits_names_each_mistake(func, words):
    _fails(lab05.check_scale_splits, func, *words)


# ----------------------------------------------------------------- predict
def predict_ok(model, X):
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).numpy()


def predict_no_eval(model, X):
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).numpy()


def predict_rescaled(model, X):
    return 0.5 * predict_ok(model, X)  # TF1 habit: scale by keep_prob at test time


def predict_train_mode(model, X):
    model.eval()
    model.train()  # e.g. a helper that "resets" the model before predicting
    with torch.no_grad():
        return model(torch.as_tensor(X)).numpy()


def predict_grad(model, X):
    model.eval()
    return model(torch.as_tensor(X, dtype=torch.float32))


def predict_last_step(model, X):
    return predict_ok(model, X)[:, -1]


def test_predict_accepts_the_right_answer(capsys):
    lab05.check_predict(predict_ok)
    assert "✓ predict" in capsys.readouterr().out


@pytest.mark.parametrize("func, words", [
    (predict_no_eval, ["dropout is still on", "model.eval()"]),
    (predict_train_mode, ["dropout is still on"]),
    (predict_rescaled, ["0.50 times", "do not rescale"]),
    (predict_grad, ["torch.no_grad()"]),
    (predict_last_step, ["shape (8, 12)"]),
    (stub, ["not implemented yet"]),
])
def test_predict_names_each_mistake(func, words):
    _fails(lab05.check_predict, func, *words)
