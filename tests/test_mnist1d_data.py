"""course_utils.mnist1d_data: MNIST-1D generated offline, and its variable-length variant."""
from __future__ import annotations

import builtins
import random
import socket

import numpy as np
import pytest

from course_utils import mnist1d_data
from course_utils.mnist1d_data import (PUBLISHED_ACCURACY, PUBLISHED_PARAMETERS, load_mnist1d,
                                       published_model, variable_length_signals)

pytest.importorskip("mnist1d")


@pytest.fixture(scope="module")
def data():
    return load_mnist1d()


def test_default_split_is_4000_train_1000_test_of_40_steps(data):
    assert data.x_train.shape == (4000, 40) and data.x_test.shape == (1000, 40)
    assert data.y_train.shape == (4000,) and data.y_test.shape == (1000,)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.length == 40 and data.t.shape == (40,)
    assert set(np.unique(data.y_train)) == set(range(10))
    assert 380 <= np.bincount(data.y_train).min() and np.bincount(data.y_train).max() <= 420
    everything = np.concatenate([data.x_train, data.x_test])
    assert abs(everything.mean()) < 1e-3 and abs(everything.std() - 1) < 1e-3


def test_generation_is_deterministic_read_only_and_cached(data):
    assert load_mnist1d() is data
    with pytest.raises(ValueError):
        data.x_train[0, 0] = 1.0
    mnist1d_data._generate.cache_clear()
    again = load_mnist1d()
    assert np.array_equal(again.x_train, data.x_train) and np.array_equal(again.y_test, data.y_test)


def test_generation_leaves_global_rngs_alone_and_never_touches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist1d tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    mnist1d_data._generate.cache_clear()
    np.random.seed(123), random.seed(123)
    expected_np, expected_py = np.random.rand(), random.random()
    np.random.seed(123), random.seed(123)
    load_mnist1d()
    assert np.random.rand() == expected_np and random.random() == expected_py


def test_missing_package_says_how_to_install(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("mnist1d"):
            raise ImportError("No module named 'mnist1d'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    mnist1d_data._generate.cache_clear()
    with pytest.raises(ImportError, match="pip install mnist1d"):
        load_mnist1d()
    monkeypatch.undo()
    mnist1d_data._generate.cache_clear()


def test_published_numbers():
    assert PUBLISHED_ACCURACY["CNN"] == 0.94 and PUBLISHED_ACCURACY["GRU"] == 0.91
    assert PUBLISHED_ACCURACY["logistic regression"] == 0.32 and PUBLISHED_ACCURACY["MLP"] == 0.68
    torch = pytest.importorskip("torch")
    gru = torch.nn.GRU(1, 6, batch_first=True, bidirectional=True)   # the paper's GRUBase
    linear = torch.nn.Linear(2 * 6 * 40, 10)
    assert sum(p.numel() for p in [*gru.parameters(), *linear.parameters()]) \
        == PUBLISHED_PARAMETERS["GRU"]
    convs = [torch.nn.Conv1d(1, 25, 5), torch.nn.Conv1d(25, 25, 3), torch.nn.Conv1d(25, 25, 3),
             torch.nn.Linear(125, 10)]                                  # the paper's ConvBase
    assert sum(p.numel() for m in convs for p in m.parameters()) == PUBLISHED_PARAMETERS["CNN"]
    assert PUBLISHED_PARAMETERS["logistic regression"] == 40 * 10 + 10
    assert PUBLISHED_PARAMETERS["MLP"] == (40 * 100 + 100) + (100 * 100 + 100) + (100 * 10 + 10)


def test_published_models_are_rebuilt_with_the_published_parameter_counts():
    torch = pytest.importorskip("torch")
    x = torch.randn(3, 40)
    for name, count in PUBLISHED_PARAMETERS.items():
        model = published_model(name)
        assert sum(p.numel() for p in model.parameters()) == count, name
        assert model(x).shape == (3, 10), name
    gru = published_model("GRU")
    assert gru.gru.bidirectional and gru.gru.hidden_size == 6 and gru.linear.in_features == 480
    assert set(PUBLISHED_PARAMETERS) == set(PUBLISHED_ACCURACY) - {"human expert"}


@pytest.mark.parametrize("name", ["CNN ", "cnn", "human expert", 3])
def test_published_model_rejects_unknown_names(name):
    with pytest.raises(ValueError, match="name must be one of"):
        published_model(name)


def test_variable_length_signals_stretch_each_signal(data):
    signals = variable_length_signals(data.x_train[:200], seed=3)
    lengths = [len(s) for s in signals]
    assert set(lengths) == {24, 28, 32, 36, 40}
    full = [s for s in signals if len(s) == 40]
    index = lengths.index(40)
    assert np.allclose(full[0].numpy(), data.x_train[index], atol=1e-6)   # 40 -> 40 is identity
    first = [s[0].item() for s in signals]                                 # endpoints are kept
    assert np.allclose(first, data.x_train[:200, 0], atol=1e-6)
    again = variable_length_signals(data.x_train[:200], seed=3)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(signals, again))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"signals": np.zeros(5)}, ValueError, r"\(N, T\)"),
    ({"signals": np.zeros((0, 40))}, ValueError, "N, T >= 1"),
    ({"signals": "abc"}, TypeError, r"array of numbers of shape \(N, T\)"),
    ({"min_length": 6}, ValueError, "min_length"),
    ({"min_length": 0}, ValueError, "min_length"),
    ({"max_length": 20}, ValueError, "max_length"),
    ({"max_length": 42}, ValueError, "max_length"),
    ({"multiple": 2.0}, TypeError, "multiple"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_variable_length_signals_rejects_bad_arguments(kwargs, error, match):
    signals = kwargs.pop("signals", np.zeros((3, 40)))
    with pytest.raises(error, match=match):
        variable_length_signals(signals, **kwargs)


# --------------------------------------------------------------------------- bad input (issue 16)
from tests._bad_input import ids as _table_ids, untried  # noqa: E402

_NAMES = r"name must be one of \['CNN', 'GRU', 'MLP', 'logistic regression'\]"
BAD_INPUT = [
    ("published_model", "type", lambda: mnist1d_data.published_model(5), ValueError, f"{_NAMES}, got 5"),
    ("published_model", "empty", lambda: mnist1d_data.published_model(""), ValueError, f"{_NAMES}, got ''"),
    ("variable_length_signals", "type",
     lambda: mnist1d_data.variable_length_signals([["a", "b"]]), TypeError,
     r"signals must be an array of numbers of shape \(N, T\), got list"),
    ("variable_length_signals", "type",
     lambda: mnist1d_data.variable_length_signals(np.zeros((2, 40)), min_length=24.0), TypeError,
     "min_length must be an integer, got float"),
    ("variable_length_signals", "shape", lambda: mnist1d_data.variable_length_signals(np.zeros(40)),
     ValueError, r"signals must have shape \(N, T\) with N, T >= 1, got \(40,\)"),
    ("variable_length_signals", "empty",
     lambda: mnist1d_data.variable_length_signals(np.zeros((0, 40))), ValueError,
     r"signals must have shape \(N, T\) with N, T >= 1, got \(0, 40\)"),
    ("variable_length_signals", "value",
     lambda: mnist1d_data.variable_length_signals(np.zeros((2, 40)), min_length=50), ValueError,
     "min_length must be a positive multiple of multiple=4, got 50"),
]
# load_mnist1d takes no argument; a published model is chosen by name, which has no shape.
NOT_APPLICABLE = {("load_mnist1d", "type"), ("load_mnist1d", "shape"), ("load_mnist1d", "empty"),
                  ("published_model", "shape")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(mnist1d_data, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=_table_ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
