import math

import pytest
import torch

from course_utils.memory_tasks import (ADDING_BASELINE_MSE, ADDING_ONE_NUMBER_MSE, BLANK,
                                       adding_problem, copy_task, copy_task_baseline, marked_values)


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


@pytest.mark.parametrize("call, error, match", [
    (lambda: adding_problem(0, 10), ValueError, "n_samples must be at least 1"),
    (lambda: adding_problem(-3, 10), ValueError, "n_samples must be at least 1, got -3"),
    (lambda: adding_problem("8", 10), TypeError, "n_samples must be an integer, got str"),
    (lambda: adding_problem(4, 1), ValueError, "seq_len must be at least 2"),
    (lambda: adding_problem(4, 10.0), TypeError, "seq_len must be an integer"),
    (lambda: adding_problem(4, None), TypeError, "seq_len must be an integer, got NoneType"),
    (lambda: adding_problem(4, 10, seed=-1), ValueError, "seed must be at least 0"),
    (lambda: adding_problem(4, 10, seed=1.5), TypeError, "seed must be an integer"),
    (lambda: adding_problem(True, 10), TypeError, "n_samples must be an integer, got bool"),
    (lambda: copy_task(4, 10, n_copy=5), ValueError, r"seq_len must be at least 2 \* n_copy \+ 1 = 11"),
    (lambda: copy_task(0, 20), ValueError, "n_samples must be at least 1"),
    (lambda: copy_task(4, 20, n_symbols=0), ValueError, "n_symbols must be at least 1"),
    (lambda: copy_task(4, 20, n_copy=True), TypeError, "n_copy must be an integer"),
    (lambda: copy_task(4, "20"), TypeError, "seq_len must be an integer, got str"),
    (lambda: copy_task(4, 20, seed=None), TypeError, "seed must be an integer"),
    (lambda: copy_task_baseline(5, n_copy=3), ValueError, "seq_len must be at least"),
    (lambda: copy_task_baseline(20, n_symbols=2.0), TypeError, "n_symbols must be an integer"),
    (lambda: marked_values([[0.0, 1.0]]), TypeError, "x must be a floating-point torch.Tensor"),
    (lambda: marked_values(torch.zeros(4, 10, 2, dtype=torch.long)), TypeError, "of dtype torch.int64"),
    (lambda: marked_values(torch.zeros(4, 10)), ValueError, r"x must have shape \(n_samples >= 1"),
    (lambda: marked_values(torch.zeros(0, 10, 2)), ValueError, r"got \(0, 10, 2\)"),
    (lambda: marked_values(torch.zeros(4, 10, 2)), ValueError, "exactly one step"),
    (lambda: marked_values(adding_problem(4, 10)[0][:, :, [1, 0]]), ValueError, "exactly one step"),
])
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
