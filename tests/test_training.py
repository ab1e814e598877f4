import inspect

import pytest
import torch

from course_utils import training
from course_utils.training import History, batches, count_parameters, fit
from tests._bad_input import ids, untried


def _regression(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.1
    return x, y


def test_fit_learns_a_linear_map_and_records_history():
    torch.manual_seed(0)
    x, y = _regression()
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    history = fit(model, lambda: batches(x, y, batch_size=32),
                  lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[1]), opt, epochs=40,
                  evaluate=lambda m: torch.nn.functional.mse_loss(m(x), y).item(),
                  clip_norm=10.0, progress=False)
    assert isinstance(history, History) and history.epochs == 40
    assert history.train_loss[-1] < 0.01 * history.train_loss[0]
    assert history.val_score[-1] < 1e-3
    assert history.seconds > 0


def test_fit_budgets_in_epochs_never_seconds():
    """Issue 16: a budget in seconds gives another result on a slower machine."""
    assert "time_limit" not in inspect.signature(fit).parameters
    with pytest.raises(TypeError, match="time_limit"):
        _fit(time_limit=1.0)


def test_batches_cover_every_row_once():
    x = torch.arange(10)
    seen = torch.cat([b[0] for b in batches(x, batch_size=3, generator=torch.Generator().manual_seed(1))])
    assert sorted(seen.tolist()) == list(range(10))
    assert [len(b[0]) for b in batches(x, batch_size=4, shuffle=False)] == [4, 4, 2]


def test_batches_checks_its_arguments_when_called_not_when_iterated():
    with pytest.raises(ValueError, match="batch_size"):
        batches(torch.zeros(4), batch_size=0)     # no next(): a student sees it at the call


def test_count_parameters():
    assert count_parameters(torch.nn.RNN(3, 5)) == 5 * 3 + 5 * 5 + 5 + 5
    assert count_parameters(torch.nn.ReLU()) == 0


# ------------------------------------------------------------------ bad input, named
MODEL = torch.nn.Linear(1, 1)
OPT = torch.optim.SGD(MODEL.parameters(), lr=0.1)
X1, Y1 = torch.zeros(4, 1), torch.zeros(4, 1)


def _loss(m, b):
    return ((m(b[0]) - b[1]) ** 2).mean()


def _fit(*args, **kwargs):
    arguments = dict(model=MODEL, train_batches=[(X1, Y1)], compute_loss=_loss, optimizer=OPT,
                     epochs=1, progress=False)
    arguments.update(kwargs)
    return fit(*args, **arguments)


# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("batches", "type", lambda: batches([1, 2, 3], batch_size=2), TypeError,
     r"tensors\[0\] must be a torch.Tensor, got list"),
    ("batches", "type", lambda: batches(X1, batch_size=2.5), TypeError,
     "batch_size must be a positive integer, got float 2.5"),
    ("batches", "type", lambda: batches(X1, batch_size=2, generator=0), TypeError,
     "generator must be a torch.Generator or None, got int"),
    ("batches", "shape", lambda: batches(X1, torch.zeros(5), batch_size=2), ValueError,
     r"tensors must share their first dimension: tensors\[0\] has 4, tensors\[1\] has 5"),
    ("batches", "shape", lambda: batches(torch.tensor(3.0), batch_size=2), ValueError,
     r"tensors\[0\] must have a first dimension \(one row per example\), got a 0-d tensor"),
    ("batches", "empty", lambda: batches(batch_size=2), ValueError,
     "tensors must be at least one torch.Tensor, as in batches"),
    ("batches", "empty", lambda: batches(torch.zeros(0, 3), batch_size=2), ValueError,
     "tensors must hold at least one row: their first dimension is 0"),
    ("batches", "value", lambda: batches(X1, batch_size=0), ValueError,
     "batch_size must be a positive integer, got 0"),
    ("fit", "type", lambda: _fit(model="not a model"), TypeError,
     "model must be a torch.nn.Module, got str"),
    ("fit", "type", lambda: _fit(train_batches=X1), TypeError,
     r"train_batches must be a list of batches .* such as lambda: batches\(X, Y, batch_size=32\); got Tensor"),
    ("fit", "type", lambda: _fit(compute_loss="mse"), TypeError,
     r"compute_loss must be a function \(model, batch\) -> scalar loss tensor, got str"),
    ("fit", "type", lambda: _fit(optimizer="adam"), TypeError,
     r"optimizer must be a torch.optim.Optimizer, such as torch.optim.Adam\(model.parameters\(\)\), got str"),
    ("fit", "type", lambda: _fit(epochs=2.0), TypeError, "epochs must be a positive integer, got float"),
    ("fit", "type", lambda: _fit(evaluate=1), TypeError, "evaluate must be a function"),
    ("fit", "type", lambda: _fit(compute_loss=lambda m, b: 0.5), TypeError,
     "compute_loss must return a scalar loss tensor .*got float"),
    ("fit", "shape", lambda: _fit(compute_loss=lambda m, b: (m(b[0]) - b[1]) ** 2), ValueError,
     r"compute_loss must return a scalar loss tensor \(one number\), got shape \(4, 1\): average it"),
    ("fit", "empty", lambda: _fit(train_batches=[]), ValueError,
     "train_batches yielded no batch: it must give at least one batch each epoch"),
    ("fit", "value", lambda: _fit(epochs=0), ValueError, "epochs must be a positive integer, got 0"),
    ("fit", "value", lambda: _fit(clip_norm=-1), ValueError, "clip_norm must be positive or None"),
    ("count_parameters", "type", lambda: count_parameters(None), TypeError,
     "model must be a torch.nn.Module, got NoneType"),
    ("History", "type", lambda: History(train_loss="0.5"), TypeError,
     "train_loss must be a list of floats, one per epoch, got str"),
    ("History", "type", lambda: History(val_score=[torch.tensor(0.5)]), TypeError,
     "val_score must be a list of floats, one per epoch"),
    ("History", "value", lambda: History(seconds=-1.0), ValueError, "seconds must be >= 0"),
]
# Kinds that do not apply, with the reason: count_parameters takes any module (no shape), and a
# module without parameters has 0 of them (a right answer, not empty input).
NOT_APPLICABLE = {("count_parameters", "shape"), ("count_parameters", "empty")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(training, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()



def _fit_a_few_epochs(desc: str) -> None:
    x, y = _regression(n=64)
    model = torch.nn.Linear(3, 1)
    fit(model, [(x, y)], lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(),
        torch.optim.SGD(model.parameters(), lr=0.1), epochs=3,
        evaluate=lambda m: 0.123456, desc=desc)


def test_text_progress_bar_fits_a_notebook_output_area(capsys):
    from course_utils.training import PROGRESS_WIDTH
    _fit_a_few_epochs("a long description of this training run, bidirectional GRU")
    lines = capsys.readouterr().err.replace("\r", "\n").splitlines()
    assert any("loss=" in line for line in lines), lines
    assert max(len(line) for line in lines) <= PROGRESS_WIDTH, max(lines, key=len)


def test_notebook_progress_bar_takes_the_output_width_and_wraps(monkeypatch):
    pytest.importorskip("ipywidgets")
    from tqdm.notebook import tqdm as notebook_tqdm

    import course_utils.training as training
    bars = []

    class Recording(notebook_tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setattr(training, "tqdm", Recording)
    _fit_a_few_epochs("a long description of this training run, bidirectional GRU")
    layout = bars[0].container.layout
    assert layout.width == "100%" and layout.flex_flow == "row wrap"
