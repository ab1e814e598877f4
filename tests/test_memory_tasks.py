import math

import numpy as np
import pytest
import torch

from course_utils import memory_tasks
from course_utils.memory_tasks import (ADDING_BASELINE_MSE, ADDING_ONE_NUMBER_MSE, BLANK,
                                       adding_problem, copy_task, copy_task_baseline, marked_values)
from tests._bad_input import ids, untried


def test_adding_problem_shapes_marks_and_targets():
    x, y = adding_problem(500, 100, seed=1)
    assert x.shape == (500, 100, 2) and y.shape == (500, 1) and x.dtype == torch.float32
    marks = x[..., 1]
    assert torch.all(marks.sum(1) == 2)
    first, second = marks[:, :50].argmax(1), marks[:, 50:].argmax(1) + 50
    assert torch.all(marks[:, :50].sum(1) == 1) and torch.all(marks[:, 50:].sum(1) == 1)
    rows = torch.arange(500)
    assert torch.allclose(y[:, 0], x[rows, first, 0] + x[rows, second, 0])
    assert torch.all((x[..., 0] >= 0) & (x[..., 0] < 1))


def test_adding_problem_baseline_is_one_sixth():
    _, y = adding_problem(100_000, 4, seed=0)
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    assert ((y - 1.0) ** 2).mean().item() == pytest.approx(1 / 6, abs=0.003)


def test_same_seed_same_data_other_seed_other_data():
    a, _ = adding_problem(8, 10, seed=3)
    b, _ = adding_problem(8, 10, seed=3)
    c, _ = adding_problem(8, 10, seed=4)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_copy_task_layout():
    x, y = copy_task(64, 30, n_symbols=6, n_copy=4, seed=2)
    assert x.shape == y.shape == (64, 30) and x.dtype == torch.long
    assert torch.equal(y[:, -4:], x[:, :4])
    assert torch.all((x[:, :4] >= 1) & (x[:, :4] <= 6))
    assert torch.all(x[:, 30 - 4 - 1] == 7)
    assert torch.all(y[:, :-4] == BLANK)
    assert int((x != BLANK).sum()) == 64 * 5


def test_copy_task_shortest_sequence_and_baseline():
    x, y = copy_task(2, 7, n_copy=3)
    assert x.shape == (2, 7)
    assert copy_task_baseline(100, n_symbols=8, n_copy=10) == pytest.approx(10 * math.log(8) / 100)


def test_marked_values_give_the_target_and_the_one_number_level():
    x, y = adding_problem(20_000, 10, seed=2)
    a, b = marked_values(x)
    assert a.shape == b.shape == (20_000, 1) and torch.allclose(a + b, y)
    assert ADDING_ONE_NUMBER_MSE == pytest.approx(1 / 12)
    assert ((b + 0.5 - y) ** 2).mean().item() == pytest.approx(1 / 12, abs=0.003)
    assert ((a + 0.5 - y) ** 2).mean().item() == pytest.approx(1 / 12, abs=0.003)


BAD_INPUT = [
    ("adding_problem", "empty",
     lambda: adding_problem(0, 10), ValueError, "n_samples must be at least 1"),
    ("adding_problem", "value",
     lambda: adding_problem(-3, 10), ValueError, "n_samples must be at least 1, got -3"),
    ("adding_problem", "type",
     lambda: adding_problem("8", 10), TypeError, "n_samples must be an integer, got str"),
    ("adding_problem", "value",
     lambda: adding_problem(4, 1), ValueError, "seq_len must be at least 2"),
    ("adding_problem", "type",
     lambda: adding_problem(4, 10.0), TypeError, "seq_len must be an integer"),
    ("adding_problem", "type",
     lambda: adding_problem(4, None), TypeError, "seq_len must be an integer, got NoneType"),
    ("adding_problem", "value",
     lambda: adding_problem(4, 10, seed=-1), ValueError, "seed must be at least 0"),
    ("adding_problem", "type",
     lambda: adding_problem(4, 10, seed=1.5), TypeError, "seed must be an integer"),
    ("adding_problem", "type",
     lambda: adding_problem(True, 10), TypeError, "n_samples must be an integer, got bool"),
    ("copy_task", "value",
     lambda: copy_task(4, 10, n_copy=5),
     ValueError, r"seq_len must be at least 2 \* n_copy \+ 1 = 11"),
    ("copy_task", "empty", lambda: copy_task(0, 20), ValueError, "n_samples must be at least 1"),
    ("copy_task", "value",
     lambda: copy_task(4, 20, n_symbols=0), ValueError, "n_symbols must be at least 1"),
    ("copy_task", "type",
     lambda: copy_task(4, 20, n_copy=True), TypeError, "n_copy must be an integer"),
    ("copy_task", "type",
     lambda: copy_task(4, "20"), TypeError, "seq_len must be an integer, got str"),
    ("copy_task", "type",
     lambda: copy_task(4, 20, seed=None), TypeError, "seed must be an integer"),
    ("copy_task_baseline", "value",
     lambda: copy_task_baseline(5, n_copy=3), ValueError, "seq_len must be at least"),
    ("copy_task_baseline", "type",
     lambda: copy_task_baseline(20, n_symbols=2.0), TypeError, "n_symbols must be an integer"),
    ("marked_values", "type",
     lambda: marked_values([[0.0, 1.0]]), TypeError, "x must be a floating-point torch.Tensor"),
    ("marked_values", "type",
     lambda: marked_values(torch.zeros(4, 10, 2, dtype=torch.long)),
     TypeError, "of dtype torch.int64"),
    ("marked_values", "shape",
     lambda: marked_values(torch.zeros(4, 10)), ValueError, r"x must have shape \(n_samples >= 1"),
    ("marked_values", "empty",
     lambda: marked_values(torch.zeros(0, 10, 2)), ValueError, r"got \(0, 10, 2\)"),
    ("marked_values", "value",
     lambda: marked_values(torch.zeros(4, 10, 2)), ValueError, "exactly one step"),
    ("marked_values", "value",
     lambda: marked_values(adding_problem(4, 10)[0][:, :, [1, 0]]), ValueError, "exactly one step"),
    ("adding_problem", "value", lambda: adding_problem(4, 10, seed=2 ** 64), ValueError,
     r"seed must be below 2\*\*63"),
    ("copy_task", "empty",
     lambda: copy_task(4, 20, n_copy=0), ValueError, "n_copy must be at least 1, got 0"),
    ("copy_task_baseline", "type", lambda: copy_task_baseline(20.0), TypeError,
     "seq_len must be an integer, got float 20.0"),
    ("copy_task_baseline", "empty",
     lambda: copy_task_baseline(0), ValueError, "seq_len must be at least 1, got 0"),
    ("marked_values", "empty", lambda: marked_values(torch.zeros(4, 0, 2)), ValueError,
     r"x must have shape \(n_samples >= 1, seq_len >= 2, 2\), got \(4, 0, 2\)"),
    ("marked_values", "shape", lambda: marked_values(adding_problem(4, 10)[0][..., :1]), ValueError,
     r"x must have shape \(n_samples >= 1, seq_len >= 2, 2\), got \(4, 10, 1\)"),
]
# Kinds that do not apply, with the reason: adding_problem, copy_task and copy_task_baseline
# take sizes, not arrays, so there is no shape to get wrong (their "empty" is a size of 0).
NOT_APPLICABLE = {("adding_problem", "shape"), ("copy_task", "shape"),
                  ("copy_task_baseline", "shape")}


def test_sizes_may_be_numpy_integers():
    x, y = adding_problem(np.int64(3), np.int64(6), seed=np.int64(1))
    assert x.shape == (3, 6, 2) and torch.equal(x, adding_problem(3, 6, seed=1)[0])
    assert copy_task_baseline(np.int64(20)) == copy_task_baseline(20)


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(memory_tasks, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
