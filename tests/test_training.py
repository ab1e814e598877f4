import pytest
import torch

from course_utils.training import History, batches, count_parameters, fit


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


def test_fit_stops_at_time_limit():
    x, y = _regression()
    model = torch.nn.Linear(3, 1)
    history = fit(model, [(x, y)], lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(),
                  torch.optim.SGD(model.parameters(), lr=0.1), epochs=10_000,
                  time_limit=1e-9, progress=False)
    assert history.epochs == 1


def test_batches_cover_every_row_once():
    x = torch.arange(10)
    seen = torch.cat([b[0] for b in batches(x, batch_size=3, generator=torch.Generator().manual_seed(1))])
    assert sorted(seen.tolist()) == list(range(10))
    assert [len(b[0]) for b in batches(x, batch_size=4, shuffle=False)] == [4, 4, 2]


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=2.5), "batch_size"),
])
def test_batches_rejects_bad_batch_size(kwargs, match):
    with pytest.raises(ValueError, match=match):
        next(batches(torch.zeros(4), **kwargs))


def test_batches_rejects_misaligned_and_non_tensors():
    with pytest.raises(ValueError, match="first dimension"):
        next(batches(torch.zeros(4), torch.zeros(5), batch_size=2))
    with pytest.raises(TypeError, match=r"tensors\[0\]"):
        next(batches([1, 2, 3], batch_size=2))
    with pytest.raises(ValueError, match="at least one"):
        next(batches(batch_size=2))


def test_fit_rejects_bad_arguments():
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = lambda m, b: m(b[0]).sum()
    with pytest.raises(TypeError, match="model"):
        fit("not a model", [], loss, opt, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, [], loss, opt, epochs=0)
    with pytest.raises(ValueError, match="clip_norm"):
        fit(model, [], loss, opt, epochs=1, clip_norm=-1)
    with pytest.raises(ValueError, match="time_limit"):
        fit(model, [], loss, opt, epochs=1, time_limit=0)
    with pytest.raises(ValueError, match="no batch"):
        fit(model, [], loss, opt, epochs=1, progress=False)


def test_count_parameters():
    assert count_parameters(torch.nn.RNN(3, 5)) == 5 * 3 + 5 * 5 + 5 + 5
    with pytest.raises(TypeError, match="model"):
        count_parameters(None)


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
