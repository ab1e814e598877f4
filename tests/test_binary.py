"""The binary-addition data of Lab 01."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import binary


def test_int_to_bits_is_least_significant_first():
    assert binary.int_to_bits(6, 4).tolist() == [0, 1, 1, 0]
    assert binary.int_to_bits(1).tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    assert binary.int_to_bits(np.array([[3], [128]])).shape == (2, 1, 8)
    assert binary.int_to_bits([255]).tolist() == [[1] * 8]


def test_bits_round_trip():
    values = np.arange(256)
    assert np.array_equal(binary.bits_to_int(binary.int_to_bits(values)), values)
    assert binary.bits_to_int([0, 1, 1, 0]) == 6 and isinstance(binary.bits_to_int([1, 0]), int)
    assert binary.bits_to_int(np.array([1.0, 1.0])) == 3


def test_encode_pairs_shapes_and_values():
    X, Y = binary.encode_pairs([11, 127], [6, 127])
    assert X.shape == (8, 2, 2) and Y.shape == (8, 2, 1) and X.dtype == float
    assert X[:, 0, 0].tolist() == [1, 1, 0, 1, 0, 0, 0, 0]        # 11, LSB first
    assert X[:, 0, 1].tolist() == [0, 1, 1, 0, 0, 0, 0, 0]        # 6
    assert binary.decode_outputs(Y).tolist() == [17, 254]
    a, b = binary.decode_inputs(X)
    assert a.tolist() == [11, 127] and b.tolist() == [6, 127]
    X1, Y1 = binary.encode_pairs(3, 4)
    assert X1.shape == (8, 1, 2) and binary.decode_outputs(Y1).tolist() == [7]


def test_decode_outputs_thresholds_probabilities():
    ys = np.full((8, 1, 1), 0.2)
    ys[0] = ys[3] = 0.9
    assert binary.decode_outputs(ys).tolist() == [9]
    assert binary.decode_outputs(ys, threshold=0.1).tolist() == [255]


def test_all_pairs_covers_every_sum_once():
    X, Y = binary.all_pairs()
    assert X.shape == (8, binary.NUM_PAIRS, 2) and Y.shape == (8, 16384, 1)
    a, b = binary.decode_inputs(X)
    assert len(set(zip(a.tolist(), b.tolist()))) == 16384
    assert (a[300], b[300]) == (300 // 128, 300 % 128)
    assert np.array_equal(binary.decode_outputs(Y), a + b)
    X4, _ = binary.all_pairs(4)
    assert X4.shape == (4, 64, 2)


def test_random_batch_is_seeded_and_in_range():
    X1, Y1 = binary.random_batch(32, 7)
    X2, Y2 = binary.random_batch(32, np.random.default_rng(7))
    assert np.array_equal(X1, X2) and np.array_equal(Y1, Y2)
    rng = np.random.default_rng(0)
    first, _ = binary.random_batch(16, rng)
    second, _ = binary.random_batch(16, rng)
    assert not np.array_equal(first, second)
    a, b = binary.decode_inputs(X1)
    assert a.max() < 128 and b.max() < 128 and X1.shape == (8, 32, 2)
    assert np.array_equal(binary.decode_outputs(Y1), a + b)


def test_format_sum_writes_bits_and_verdict():
    text = binary.format_sum(11, 6)
    assert "a + b =  17  ->  1 0 0 0 1 0 0 0" in text and "least significant first" in text
    assert "right" in binary.format_sum(11, 6, 17)
    assert "WRONG" in binary.format_sum(11, 6, 16)


@pytest.mark.parametrize("call, error, argument", [
    (lambda: binary.int_to_bits(-1), ValueError, "values"),
    (lambda: binary.int_to_bits(256), ValueError, "values must lie in 0..255"),
    (lambda: binary.int_to_bits(1.5), TypeError, "values"),
    (lambda: binary.int_to_bits("3"), TypeError, "values"),
    (lambda: binary.int_to_bits(3, 0), ValueError, "num_bits"),
    (lambda: binary.int_to_bits(3, 2.0), TypeError, "num_bits"),
    (lambda: binary.bits_to_int([0, 2]), ValueError, "bits"),
    (lambda: binary.bits_to_int(1), ValueError, "bits"),
    (lambda: binary.bits_to_int(None), TypeError, "bits"),
    (lambda: binary.bits_to_int(np.zeros(63)), ValueError, "bits"),
    (lambda: binary.encode_pairs(128, 0), ValueError, "a must lie in 0..127"),
    (lambda: binary.encode_pairs(0, -1), ValueError, "b must lie"),
    (lambda: binary.encode_pairs([1, 2], [3]), ValueError, "same length"),
    (lambda: binary.encode_pairs(1, 2, num_bits=-3), ValueError, "num_bits"),
    (lambda: binary.decode_inputs(np.zeros((8, 3))), ValueError, "X must have shape"),
    (lambda: binary.decode_outputs(np.zeros((8, 3, 2))), ValueError, "ys must have shape"),
    (lambda: binary.decode_outputs(np.zeros((8, 3, 1)), threshold=1.0), ValueError, "threshold"),
    (lambda: binary.random_batch(0), ValueError, "batch_size"),
    (lambda: binary.random_batch(2.0), TypeError, "batch_size"),
    (lambda: binary.random_batch(4, rng=-1), ValueError, "rng"),
    (lambda: binary.random_batch(4, rng="seed"), ValueError, "rng"),
    (lambda: binary.all_pairs(16), ValueError, "num_bits"),
    (lambda: binary.format_sum(200, 1), ValueError, "a must lie"),
    (lambda: binary.format_sum(1, 2, predicted=256), ValueError, "predicted"),
])
def test_bad_arguments_name_the_argument(call, error, argument):
    with pytest.raises(error, match=argument.replace("(", r"\(").replace(".", r"\.")):
        call()
