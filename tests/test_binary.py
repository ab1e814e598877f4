"""The binary-addition data of Lab 01."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import binary
from tests._bad_input import ids, untried


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


def test_held_out_sums_are_a_fixed_eighth_that_training_never_draws():
    held = binary.held_out_indices()
    assert held.shape == (binary.NUM_HELD_OUT,) == (2048,) and held.dtype == np.int64
    assert np.array_equal(held, np.unique(held)) and held.min() >= 0 and held.max() < 16384
    assert not held.flags.writeable
    assert np.array_equal(held, binary.held_out_indices(8))            # the same every call
    X, Y = binary.held_out_pairs()
    a, b = binary.decode_inputs(X)
    assert X.shape == (8, 2048, 2) and np.array_equal(a * 128 + b, held)
    assert np.array_equal(binary.decode_outputs(Y), a + b)
    rng = np.random.default_rng(0)
    drawn = []
    for _ in range(500):                                               # 32,000 draws
        a, b = binary.decode_inputs(binary.training_batch(64, rng)[0])
        drawn.append(a * 128 + b)
    drawn = np.concatenate(drawn)
    assert not np.isin(drawn, held).any()
    assert len(np.unique(drawn)) > 12000      # 14,336 (1 - exp(-32,000 / 14,336)) = 12,800 expected
    X1, _ = binary.training_batch(16, 3)
    X2, _ = binary.training_batch(16, np.random.default_rng(3))
    assert np.array_equal(X1, X2)
    X3, _ = binary.held_out_pairs(4)                                   # 64 pairs, 8 held out
    assert X3.shape == (4, 8, 2)


def test_format_sum_writes_bits_and_verdict():
    text = binary.format_sum(11, 6)
    assert "a + b =  17  ->  1 0 0 0 1 0 0 0" in text and "least significant first" in text
    assert "index i: the bit worth 2**i" in text
    assert "right" in binary.format_sum(11, 6, 17)
    assert "WRONG" in binary.format_sum(11, 6, 16)


# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("int_to_bits", "type", lambda: binary.int_to_bits(1.5), TypeError,
     "values must hold integers in 0..255, got dtype float64"),
    ("int_to_bits", "type", lambda: binary.int_to_bits("3"), TypeError,
     "values must be an integer in 0..255 or an array of them, got str"),
    ("int_to_bits", "type", lambda: binary.int_to_bits(3, 2.0), TypeError,
     "num_bits must be an integer between 1 and 62"),
    ("int_to_bits", "value", lambda: binary.int_to_bits(-1), ValueError, "values must lie in 0..255"),
    ("int_to_bits", "value", lambda: binary.int_to_bits(256), ValueError, "values must lie in 0..255"),
    ("int_to_bits", "value", lambda: binary.int_to_bits(3, 0), ValueError,
     "num_bits must be an integer between 1 and 62, got 0"),
    ("bits_to_int", "type", lambda: binary.bits_to_int(None), TypeError, "bits must be an array of 0s and 1s"),
    ("bits_to_int", "type", lambda: binary.bits_to_int(np.array(["0", "1"])), TypeError,
     "bits must be an array of 0s and 1s, got dtype <U1"),
    ("bits_to_int", "shape", lambda: binary.bits_to_int(1), ValueError,
     r"bits must have at least one dimension holding the bits, got shape \(\)"),
    ("bits_to_int", "shape", lambda: binary.bits_to_int(np.zeros(63)), ValueError,
     "bits must hold at most 62 bits on its last axis, got 63"),
    ("bits_to_int", "empty", lambda: binary.bits_to_int(np.zeros((3, 0))), ValueError,
     r"bits must have at least one dimension holding the bits, got shape \(3, 0\)"),
    ("bits_to_int", "value", lambda: binary.bits_to_int([0, 2]), ValueError, "bits must contain only 0s and 1s"),
    ("encode_pairs", "type", lambda: binary.encode_pairs(1.0, 2), TypeError,
     "a must hold integers in 0..127, got dtype float64"),
    ("encode_pairs", "shape", lambda: binary.encode_pairs([1, 2], [3]), ValueError,
     r"a and b must be ints or 1-D arrays of the same length, got shapes \(2,\) and \(1,\)"),
    ("encode_pairs", "shape", lambda: binary.encode_pairs([[1]], [[3]]), ValueError,
     "a and b must be ints or 1-D arrays of the same length"),
    ("encode_pairs", "empty", lambda: binary.encode_pairs([], []), ValueError,
     "a and b must hold at least one number each"),
    ("encode_pairs", "value", lambda: binary.encode_pairs(128, 0), ValueError, "a must lie in 0..127"),
    ("encode_pairs", "value", lambda: binary.encode_pairs(0, -1), ValueError, "b must lie in 0..127"),
    ("encode_pairs", "value", lambda: binary.encode_pairs(1, 2, num_bits=-3), ValueError, "num_bits"),
    ("decode_inputs", "type", lambda: binary.decode_inputs("X"), TypeError,
     r"X must be a float array of shape \(T, B, 2\), got str"),
    ("decode_inputs", "shape", lambda: binary.decode_inputs(np.zeros((8, 3))), ValueError,
     r"X must be a float array of shape \(T, B, 2\) \(3 dimensions\), got shape \(8, 3\)"),
    ("decode_inputs", "empty", lambda: binary.decode_inputs(np.zeros((8, 0, 2))), ValueError,
     r"X must not be empty: expected a float array of shape \(T, B, 2\)"),
    ("decode_inputs", "value", lambda: binary.decode_inputs(np.full((8, 1, 2), 0.5)), ValueError,
     "X must hold only 0s and 1s"),
    ("decode_outputs", "type", lambda: binary.decode_outputs(None), TypeError,
     r"ys must be a float array of shape \(T, B, 1\)"),
    ("decode_outputs", "shape", lambda: binary.decode_outputs(np.zeros((8, 3, 2))), ValueError,
     r"ys must be a float array of shape \(T, B, 1\), got shape \(8, 3, 2\)"),
    ("decode_outputs", "empty", lambda: binary.decode_outputs(np.zeros((0, 3, 1))), ValueError,
     "ys must not be empty"),
    ("decode_outputs", "value", lambda: binary.decode_outputs(np.zeros((8, 3, 1)), threshold=1.0),
     ValueError, "threshold must be a number strictly between 0 and 1"),
    ("random_batch", "type", lambda: binary.random_batch(2.0), TypeError,
     "batch_size must be a positive integer, got 2.0"),
    ("random_batch", "type", lambda: binary.random_batch(4, rng="seed"), TypeError,
     "rng must be a numpy Generator or a non-negative integer seed, got str"),
    ("random_batch", "empty", lambda: binary.random_batch(0), ValueError,
     "batch_size must be a positive integer, got 0"),
    ("random_batch", "value", lambda: binary.random_batch(4, rng=-1), ValueError, "rng must be"),
    ("training_batch", "type", lambda: binary.training_batch(2.0), TypeError,
     "batch_size must be a positive integer, got 2.0"),
    ("training_batch", "type", lambda: binary.training_batch(4, rng="seed"), TypeError,
     "rng must be a numpy Generator or a non-negative integer seed, got str"),
    ("training_batch", "empty", lambda: binary.training_batch(0), ValueError,
     "batch_size must be a positive integer, got 0"),
    ("training_batch", "value", lambda: binary.training_batch(4, num_bits=2), ValueError,
     "num_bits must be between 3 and 15 for held-out sums"),
    ("held_out_indices", "type", lambda: binary.held_out_indices("8"), TypeError,
     "num_bits must be an integer"),
    ("held_out_indices", "empty", lambda: binary.held_out_indices(0), ValueError,
     "num_bits must be an integer between 1 and 62, got 0"),
    ("held_out_indices", "value", lambda: binary.held_out_indices(16), ValueError,
     "num_bits must be between 3 and 15 for held-out sums"),
    ("held_out_pairs", "type", lambda: binary.held_out_pairs(8.0), TypeError,
     "num_bits must be an integer"),
    ("held_out_pairs", "empty", lambda: binary.held_out_pairs(0), ValueError,
     "num_bits must be an integer between 1 and 62, got 0"),
    ("all_pairs", "type", lambda: binary.all_pairs("8"), TypeError, "num_bits must be an integer"),
    ("all_pairs", "empty", lambda: binary.all_pairs(0), ValueError,
     "num_bits must be an integer between 1 and 62, got 0"),
    ("all_pairs", "value", lambda: binary.all_pairs(16), ValueError, "num_bits must be at most 15"),
    ("format_sum", "type", lambda: binary.format_sum("1", 2), TypeError,
     "a must be an integer in 0..127 or an array of them, got str"),
    ("format_sum", "shape", lambda: binary.format_sum([1, 2], 2), TypeError,
     r"a must be a single integer in 0..127, got an array of shape \(2,\)"),
    ("format_sum", "empty", lambda: binary.format_sum([], 2), TypeError,
     r"a must be a single integer in 0..127, got an array of shape \(0,\)"),
    ("format_sum", "value", lambda: binary.format_sum(200, 1), ValueError, "a must lie in 0..127"),
    ("format_sum", "value", lambda: binary.format_sum(1, 2, predicted=256), ValueError,
     "predicted must lie in 0..255"),
]
# Kinds that do not apply, with the reason: int_to_bits takes ints of any shape and returns
# an empty array for empty input (shape values.shape + (num_bits,)); random_batch,
# training_batch, held_out_indices, held_out_pairs and all_pairs take sizes, not arrays
# (their "empty" is a size of 0).
NOT_APPLICABLE = {("int_to_bits", "shape"), ("int_to_bits", "empty"), ("random_batch", "shape"),
                  ("training_batch", "shape"), ("held_out_indices", "shape"),
                  ("held_out_pairs", "shape"), ("all_pairs", "shape")}


def test_empty_and_any_shape_where_they_make_sense():
    assert binary.int_to_bits([]).shape == (0, 8)
    assert binary.int_to_bits(np.zeros((2, 0), dtype=int), 4).shape == (2, 0, 4)
    assert binary.bits_to_int(np.zeros((0, 8))).shape == (0,)


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(binary, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
