"""course_utils.sequences: padding, masks, batching, scoring and the two plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

from course_utils.sequences import (accuracy, confusion_matrix, last_real_step,  # noqa: E402
                                    length_mask, pad_batch, plot_confusion_matrix,
                                    plot_misclassified, predict_classes,
                                    variable_length_batches)


def _sequences(lengths=(3, 5, 2), features=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, features, generator=g) for n in lengths]


# --------------------------------------------------------------------------- padding

def test_pad_batch_pads_at_the_end_and_keeps_order():
    seqs = _sequences()
    padded, lengths = pad_batch(seqs, padding_value=-1.0)
    assert padded.shape == (3, 5, 2) and lengths.tolist() == [3, 5, 2]
    assert lengths.dtype == torch.long
    for b, s in enumerate(seqs):
        assert torch.equal(padded[b, :len(s)], s)
        assert torch.all(padded[b, len(s):] == -1.0)


def test_pad_batch_accepts_1d_sequences():
    padded, lengths = pad_batch([torch.ones(2), torch.ones(4)])
    assert padded.tolist() == [[1, 1, 0, 0], [1, 1, 1, 1]] and lengths.tolist() == [2, 4]


@pytest.mark.parametrize("bad, error, match", [
    (torch.zeros(3, 4), TypeError, "list or tuple"),
    ([], ValueError, "at least one"),
    ([torch.zeros(2), "x"], TypeError, r"sequences\[1\]"),
    ([torch.zeros(0, 2)], ValueError, "at least one time step"),
    ([torch.zeros(2, 3), torch.zeros(2, 4)], ValueError, "feature shape"),
])
def test_pad_batch_rejects_bad_sequences(bad, error, match):
    with pytest.raises(error, match=match):
        pad_batch(bad)


def test_length_mask_marks_real_steps():
    mask = length_mask(torch.tensor([2, 4, 1]))
    assert mask.tolist() == [[True, True, False, False], [True, True, True, True],
                             [True, False, False, False]]
    assert length_mask([1, 2], max_length=3).shape == (2, 3)


@pytest.mark.parametrize("lengths, kwargs, error, match", [
    (torch.tensor([1.0, 2.0]), {}, TypeError, "integers"),
    (torch.tensor([[1, 2]]), {}, ValueError, "1-D"),
    (torch.tensor([0, 2]), {}, ValueError, ">= 1"),
    (torch.tensor([1, 5]), {"max_length": 3}, ValueError, "<= 3"),
    (torch.tensor([1, 2]), {"max_length": -1}, ValueError, "max_length"),
    ("12", {}, TypeError, "lengths must be"),
])
def test_length_mask_rejects_bad_arguments(lengths, kwargs, error, match):
    with pytest.raises(error, match=match):
        length_mask(lengths, **kwargs)


def test_last_real_step_equals_packed_final_state():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(2, 4, batch_first=True)
    padded, lengths = pad_batch(_sequences())
    output, _ = rnn(padded)                                  # unpacked: reads the padding
    _, h_n = rnn(pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False))
    assert torch.allclose(last_real_step(output, lengths), h_n[0], atol=1e-6)
    assert not torch.allclose(output[:, -1], h_n[0], atol=1e-3)


def test_last_real_step_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"\(B, T, H\)"):
        last_real_step(torch.zeros(3, 4), torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="expected 3"):
        last_real_step(torch.zeros(3, 4, 2), torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="<= 4"):
        last_real_step(torch.zeros(3, 4, 2), torch.tensor([1, 2, 5]))


# --------------------------------------------------------------------------- batching

def test_variable_length_batches_sort_each_batch_and_cover_everything():
    seqs = _sequences(lengths=(3, 7, 1, 4, 4, 2, 6), features=1)
    labels = torch.arange(7)
    seen = []
    for padded, lengths, y in variable_length_batches(seqs, labels, batch_size=3,
                                                      generator=torch.Generator().manual_seed(0)):
        assert padded.shape[1] == int(lengths.max())
        assert torch.all(lengths[:-1] >= lengths[1:])
        for b, label in enumerate(y.tolist()):
            assert torch.equal(padded[b, :lengths[b]], seqs[label])   # labels follow the rows
        pack_padded_sequence(padded, lengths, batch_first=True)      # enforce_sorted accepts it
        seen += y.tolist()
    assert sorted(seen) == list(range(7))


def test_variable_length_batches_without_shuffle_keeps_chunks():
    seqs = _sequences(lengths=(1, 2, 3, 4), features=1)
    out = [y.tolist() for _, _, y in variable_length_batches(seqs, torch.arange(4),
                                                             batch_size=2, shuffle=False)]
    assert out == [[1, 0], [3, 2]]


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((_sequences(), [0, 1, 2]), {"batch_size": 2}, TypeError, "labels"),
    ((_sequences(), torch.arange(2)), {"batch_size": 2}, ValueError, "same length"),
    ((_sequences(), torch.arange(3)), {"batch_size": 0}, ValueError, "batch_size"),
    ((torch.zeros(3, 2), torch.arange(3)), {"batch_size": 2}, TypeError, "list or tuple"),
])
def test_variable_length_batches_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        next(variable_length_batches(*args, **kwargs))


# --------------------------------------------------------------------------- scoring

class _Sum(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.eye(3))

    def forward(self, x, shift=None):
        out = x @ self.w
        return out if shift is None else out.roll(1, dims=1) if bool(shift[0]) else out


def test_predict_classes_batches_restores_mode_and_slices_extras():
    model = _Sum().train()
    x = torch.eye(3).repeat(3, 1)[:7]
    assert predict_classes(model, x, batch_size=2).tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert model.training
    shift = torch.tensor([1, 1, 1, 0, 0, 0, 0])
    assert predict_classes(model, x, shift, batch_size=3).tolist() == [1, 2, 0, 0, 1, 2, 0]


def test_predict_classes_rejects_bad_arguments():
    with pytest.raises(TypeError, match="model"):
        predict_classes(lambda x: x, torch.zeros(2, 3))
    with pytest.raises(TypeError, match="inputs"):
        predict_classes(_Sum(), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="batch_size"):
        predict_classes(_Sum(), torch.zeros(2, 3), batch_size=0)
    with pytest.raises(ValueError, match=r"extra\[0\]"):
        predict_classes(_Sum(), torch.zeros(2, 3), torch.zeros(3))


def test_accuracy_from_classes_and_scores():
    assert accuracy(torch.tensor([0, 1, 2, 2]), torch.tensor([0, 1, 1, 2])) == 0.75
    scores = np.array([[0.9, 0.1], [0.2, 0.8]])
    assert accuracy(scores, [0, 0]) == 0.5


@pytest.mark.parametrize("pred, target, error, match", [
    ([0, 1], [0], ValueError, "same length"),
    ([], [], ValueError, "empty"),
    ([0.5, 1.0], [0, 1], TypeError, "integer"),
    ([[[0]]], [0], ValueError, "1-D"),
])
def test_accuracy_rejects_bad_arguments(pred, target, error, match):
    with pytest.raises(error, match=match):
        accuracy(np.array(pred), np.array(target))


def test_confusion_matrix_counts_rows_true_columns_predicted():
    counts = confusion_matrix(torch.tensor([0, 1, 1, 2, 0]), torch.tensor([0, 1, 2, 2, 2]), 3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 0], [1, 1, 1]]
    assert counts.trace() / counts.sum() == accuracy([0, 1, 1, 2, 0], [0, 1, 2, 2, 2])


@pytest.mark.parametrize("pred, target, k, error, match", [
    ([0, 1], [0, 1], 0, ValueError, "n_classes"),
    ([0, 3], [0, 1], 3, ValueError, "predictions must lie in 0..2"),
    ([0, 1], [-1, 1], 3, ValueError, "targets must lie"),
    ([0, 1], [0], 3, ValueError, "same length"),
])
def test_confusion_matrix_rejects_bad_arguments(pred, target, k, error, match):
    with pytest.raises(error, match=match):
        confusion_matrix(np.array(pred), np.array(target), k)


# --------------------------------------------------------------------------- plots

def test_plot_confusion_matrix_draws_labelled_heat_map():
    fig = plot_confusion_matrix(np.array([[5, 1], [0, 4]]), ["a", "b"], title="T")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == "T" and [t.get_text() for t in ax.texts] == ["5", "1", "4"]
    plt.close(fig)
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="class_names"):
        plot_confusion_matrix(np.zeros((2, 2)), ["a"])


def test_plot_misclassified_shows_only_wrong_sequences():
    x = torch.randn(6, 10, 1)
    fig = plot_misclassified(x, [0, 1, 2, 3, 4, 5], [0, 9, 2, 9, 4, 9], n=2,
                             lengths=torch.tensor([10, 5, 10, 7, 10, 10]))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["#1: true 1 → said 9", "#3: true 3 → said 9"]
    assert len(visible[0].lines[0].get_xdata()) == 5
    plt.close(fig)
    fig = plot_misclassified(np.zeros((2, 4)), [1, 2], [1, 2])
    assert "no misclassified" in fig.axes[0].texts[0].get_text()
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n": 0}, ValueError, "n must"),
    ({"signals": np.zeros((2, 3, 2))}, ValueError, r"\(N, T\)"),
    ({"targets": [1]}, ValueError, "same length"),
    ({"lengths": [1, 9]}, ValueError, "<= 3"),
])
def test_plot_misclassified_rejects_bad_arguments(kwargs, error, match):
    args = {"signals": np.zeros((2, 3)), "targets": [0, 1], "predictions": [1, 1]}
    args.update(kwargs)
    n = args.pop("n", 8)
    lengths = args.pop("lengths", None)
    with pytest.raises(error, match=match):
        plot_misclassified(args["signals"], args["targets"], args["predictions"], n=n,
                           lengths=lengths)
