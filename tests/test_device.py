import numpy as np
import pytest
import torch

from course_utils import device, get_device, seed_everything
from tests._bad_input import ids, untried


def test_seed_everything_makes_numpy_and_torch_repeat():
    seed_everything(3)
    a = (np.random.rand(3), torch.rand(3))
    seed_everything(3)
    b = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_get_device_cpu_and_auto(monkeypatch):
    assert get_device("cpu").type == "cpu"
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert get_device().type == "cpu"
    monkeypatch.delenv("COURSE_DEVICE")
    assert get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_get_device_names_a_missing_gpu():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="prefer='cuda' but no CUDA device is available"):
        get_device("cuda")


def test_a_wrong_course_device_variable_is_named(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "gpu")     # used to fall through to CUDA
    with pytest.raises(ValueError, match="COURSE_DEVICE must be 'auto', 'cpu' or 'cuda', got 'gpu'"):
        get_device()


# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("seed_everything", "type", lambda: seed_everything("0"), TypeError,
     "seed must be a non-negative integer, got str '0'"),
    ("seed_everything", "type", lambda: seed_everything(1.5), TypeError,
     "seed must be a non-negative integer, got float"),
    ("seed_everything", "type", lambda: seed_everything(True), TypeError,
     "seed must be a non-negative integer, got bool"),
    ("seed_everything", "value", lambda: seed_everything(-1), ValueError,
     "seed must be a non-negative integer, got -1"),
    ("get_device", "type", lambda: get_device(0), TypeError,
     "prefer must be 'auto', 'cpu' or 'cuda', got int 0"),
    ("get_device", "empty", lambda: get_device(""), ValueError,
     "prefer must be 'auto', 'cpu' or 'cuda', got ''"),
    ("get_device", "value", lambda: get_device("tpu"), ValueError,
     "prefer must be 'auto', 'cpu' or 'cuda', got 'tpu'"),
]
# Kinds that do not apply, with the reason: both take one scalar (no shape); a seed has no
# empty form (0 is a valid seed).
NOT_APPLICABLE = {("seed_everything", "shape"), ("seed_everything", "empty"),
                  ("get_device", "shape")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(device, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
