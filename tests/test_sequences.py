"""course_utils.sequences: padding, masks, batching, scoring and the two plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

from course_utils.sequences import (MaskedFrontEnd, RecurrentClassifier,  # noqa: E402
                                    VariableLengthClassifier, accuracy, collate,
                                    confusion_matrix, conv_front_end, conv_output_lengths,
                                    final_state, last_real_step, length_mask, pad_batch,
                                    plot_confusion_matrix, plot_misclassified,
                                    predict_classes, random_shift, variable_length_batches)


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
    (torch.tensor([1, 2]), {"max_length": 2.0}, ValueError, "max_length"),
    ("12", {}, TypeError, "lengths must be"),
    (torch.tensor([], dtype=torch.long), {}, ValueError, "lengths is empty"),
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
    with pytest.raises(ValueError, match="output must be"):
        last_real_step([[[0.0]]], torch.tensor([1]))
    with pytest.raises(ValueError, match="expected 0"):
        last_real_step(torch.zeros(0, 4, 2), torch.tensor([1]))


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
    (([], torch.arange(0)), {"batch_size": 2}, ValueError, "sequences is empty"),
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


def test_predict_classes_of_no_input_is_empty():
    out = predict_classes(_Sum(), torch.zeros(0, 3))
    assert out.shape == (0,) and out.dtype == torch.long


def test_accuracy_from_classes_and_scores():
    assert accuracy(torch.tensor([0, 1, 2, 2]), torch.tensor([0, 1, 1, 2])) == 0.75
    scores = np.array([[0.9, 0.1], [0.2, 0.8]])
    assert accuracy(scores, [0, 0]) == 0.5


@pytest.mark.parametrize("pred, target, error, match", [
    ([0, 1], [0], ValueError, "same length"),
    ([], [], ValueError, "empty"),
    ([0.5, 1.0], [0, 1], TypeError, "integer"),
    ([[[0]]], [0], ValueError, "1-D"),
    (["a", "b"], [0, 1], TypeError, "integer"),
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
    ([0, 1], [0, 1], 2.0, ValueError, "n_classes"),
    ([0.0, 1.0], [0, 1], 2, TypeError, "predictions must hold integer"),
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
    with pytest.raises(ValueError, match="non-empty square"):
        plot_confusion_matrix(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="non-empty square"):
        plot_confusion_matrix([1, 2, 3])


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


def test_both_classification_plots_take_the_callers_alt_text_the_same_way():
    """plot_confusion_matrix and plot_misclassified: alt= is the figure's alternative text;
    without it each writes one from its data."""
    from course_utils import style

    counts = np.array([[5, 1], [0, 4]])
    signals, targets, predictions = np.zeros((3, 4)), [0, 1, 1], [0, 0, 1]
    mine = "Three test sequences and the classes the chosen model gave them"
    for fig in (plot_confusion_matrix(counts, ["a", "b"], alt=mine),
                plot_misclassified(signals, targets, predictions, alt=mine)):
        assert style.alt_text(fig) == mine
        plt.close(fig)
    default = plot_confusion_matrix(counts, ["a", "b"])
    assert "9 of 10 on the diagonal" in style.alt_text(default)
    plt.close(default)
    default = plot_misclassified(signals, targets, predictions)
    assert "#1 (true 1, said 0)" in style.alt_text(default)
    plt.close(default)
    for call in (lambda: plot_confusion_matrix(counts, alt=3),
                 lambda: plot_misclassified(signals, targets, predictions, alt=3)):
        with pytest.raises(TypeError, match="alt must be a string"):
            call()


def test_plot_misclassified_of_no_signal_says_so():
    fig = plot_misclassified(np.zeros((0, 4)), [], [])
    assert "no misclassified" in fig.axes[0].texts[0].get_text()
    plt.close(fig)


# --------------------------------------------------------------------------- collate

def test_collate_sorts_longest_first_keeps_labels_aligned_and_packs():
    seqs = _sequences(lengths=(3, 5, 2, 5), features=1)
    padded, lengths, labels = collate(seqs, torch.tensor([10, 11, 12, 13]))
    assert lengths.tolist() == [5, 5, 3, 2] and labels.tolist() == [11, 13, 10, 12]
    assert lengths.dtype == torch.long and padded.shape == (4, 5, 1)
    for row, label in enumerate(labels.tolist()):
        assert torch.equal(padded[row, :lengths[row]], seqs[label - 10])
        assert torch.all(padded[row, lengths[row]:] == 0)
    pack_padded_sequence(padded, lengths, batch_first=True)            # enforce_sorted accepts it


@pytest.mark.parametrize("signals, labels, error, match", [
    (_sequences(), [0, 1, 2], TypeError, "labels must be a 1-D torch.Tensor"),
    (_sequences(), torch.zeros(3, 1), TypeError, "labels must be a 1-D"),
    (_sequences(), torch.arange(2), ValueError, "same length"),
    ([], torch.arange(0), ValueError, "at least one"),
    (torch.zeros(3, 2), torch.arange(3), TypeError, "list or tuple"),
])
def test_collate_rejects_bad_arguments(signals, labels, error, match):
    with pytest.raises(error, match=match):
        collate(signals, labels)


# --------------------------------------------------------------------------- models

def test_final_state_reads_the_top_layer_forward_then_backward():
    for layers in (1, 2):
        gru = torch.nn.GRU(3, 4, num_layers=layers, batch_first=True, bidirectional=True)
        output, h_n = gru(torch.randn(2, 6, 3))
        state = final_state(h_n, True)
        assert state.shape == (2, 8)
        assert torch.allclose(state[:, :4], output[:, -1, :4])    # forward: after the last step
        assert torch.allclose(state[:, 4:], output[:, 0, 4:])     # backward: after step 1
    uni = torch.nn.GRU(3, 4, num_layers=2, batch_first=True)
    output, h_n = uni(torch.randn(2, 6, 3))
    assert torch.allclose(final_state(h_n, False), output[:, -1])


@pytest.mark.parametrize("h_n, bidirectional, error, match", [
    (torch.zeros(2, 3), False, ValueError, r"\(L \* n_dir, B, H\)"),
    ([[0.0]], False, ValueError, "h_n must be a tensor"),
    (torch.zeros(3, 2, 4), True, ValueError, "even first dimension"),
    (torch.zeros(2, 2, 4), 1, TypeError, "bidirectional must be True or False"),
])
def test_final_state_rejects_bad_arguments(h_n, bidirectional, error, match):
    with pytest.raises(error, match=match):
        final_state(h_n, bidirectional)


def test_conv_output_lengths_match_what_the_convolutions_compute():
    convs = [torch.nn.Conv1d(1, 1, 5, stride=2, padding=2), torch.nn.Conv1d(1, 1, 3, stride=2),
             torch.nn.Conv1d(1, 1, 4, stride=3, padding=1, dilation=2),
             torch.nn.Conv1d(1, 1, 5, padding="same"), torch.nn.Conv1d(1, 1, 3, padding="valid")]
    lengths = torch.arange(9, 45)
    for conv in convs:
        expected = [conv(torch.zeros(1, 1, int(n))).shape[-1] for n in lengths]
        assert conv_output_lengths(lengths, conv).tolist() == expected


@pytest.mark.parametrize("lengths, conv, error, match", [
    (torch.tensor([4]), torch.nn.Linear(2, 2), TypeError, "conv must be an nn.Conv1d"),
    (torch.tensor([2]), torch.nn.Conv1d(1, 1, 5), ValueError, "too short"),
    (torch.tensor([2.5]), torch.nn.Conv1d(1, 1, 1), TypeError, "integers"),
    (torch.tensor([], dtype=torch.long), torch.nn.Conv1d(1, 1, 1), ValueError, "empty"),
])
def test_conv_output_lengths_rejects_bad_arguments(lengths, conv, error, match):
    with pytest.raises(error, match=match):
        conv_output_lengths(lengths, conv)


def test_conv_front_end_shapes_and_bad_sizes():
    front_end = conv_front_end(6)
    assert front_end(torch.zeros(3, 1, 40)).shape == (3, 6, 10)
    assert conv_front_end(4, kernel_size=3, stride=1, layers=3)(torch.zeros(1, 1, 7)).shape == (1, 4, 7)
    for bad in ({"channels": 0}, {"channels": 2.0}, {"stride": True}, {"layers": -1}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            conv_front_end(**{"channels": 4, **bad})


def test_recurrent_classifier_shapes_and_parameter_counts():
    x = torch.randn(5, 40)
    for kwargs, parameters in [(dict(hidden_size=38), 5_064),
                               (dict(hidden_size=26, bidirectional=True), 5_054),
                               (dict(hidden_size=16, bidirectional=True, channels=16), 4_986)]:
        model = RecurrentClassifier(**kwargs)
        assert model(x).shape == (5, 10)
        assert sum(p.numel() for p in model.parameters()) == parameters
    with pytest.raises(ValueError, match="channels"):
        RecurrentClassifier(8, channels=-1)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        RecurrentClassifier(0)
    with pytest.raises(ValueError, match="n_classes"):
        VariableLengthClassifier(4, 4, n_classes=2.5)
    with pytest.raises(TypeError, match="bidirectional"):
        VariableLengthClassifier(4, 4, bidirectional="yes")
    with pytest.raises(ValueError, match="channels must be a positive integer"):
        MaskedFrontEnd(0)


def test_random_shift_rolls_each_row_by_its_own_draw():
    x = torch.arange(60.0).reshape(6, 10)
    out = random_shift(x, 2, torch.Generator().manual_seed(3))
    shifts = torch.randint(-2, 3, (6,), generator=torch.Generator().manual_seed(3))
    for b in range(6):
        assert torch.equal(out[b], torch.roll(x[b], int(shifts[b])))
    assert torch.equal(x, torch.arange(60.0).reshape(6, 10))               # x left unchanged
    assert torch.equal(random_shift(x, 0, torch.Generator()), x)


@pytest.mark.parametrize("x, max_shift, generator, error, match", [
    (torch.zeros(4), 1, None, ValueError, r"\(B, T\)"),
    (np.zeros((2, 4)), 1, None, ValueError, "x must be a tensor"),
    (torch.zeros(2, 4), -1, None, ValueError, "max_shift"),
    (torch.zeros(2, 4), 1.5, None, ValueError, "max_shift"),
    (torch.zeros(2, 4), 1, 7, TypeError, "generator"),
])
def test_random_shift_rejects_bad_arguments(x, max_shift, generator, error, match):
    with pytest.raises(error, match=match):
        random_shift(x, max_shift, generator)


def _padded_signals(lengths, total, pad_value, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(len(lengths), total, generator=g)
    x[torch.arange(total)[None, :] >= torch.tensor(lengths)[:, None]] = pad_value
    return x, torch.tensor(lengths)


def test_masked_front_end_gives_each_signal_its_features_alone():
    torch.manual_seed(0)
    front_end = MaskedFrontEnd(channels=5)
    x, lengths = _padded_signals([40, 37, 26, 13], total=52, pad_value=7.0)
    with torch.no_grad():
        features, steps = front_end(x[:, None], lengths)
        assert steps.tolist() == [10, 10, 7, 4] and steps.dtype == torch.long
        for b, n in enumerate(lengths.tolist()):
            alone, alone_steps = front_end(x[b:b + 1, None, :n], lengths[b:b + 1])
            assert alone_steps.tolist() == [steps[b]]
            assert torch.allclose(features[b, :, :steps[b]], alone[0], atol=1e-6)
            assert torch.all(features[b, :, steps[b]:] == 0)
        unmasked = conv_front_end(5)                          # the same convolutions, no masks
        unmasked[0].load_state_dict(front_end.convs[0].state_dict())
        unmasked[2].load_state_dict(front_end.convs[1].state_dict())
        plain = unmasked(torch.where(torch.isclose(x, torch.tensor(7.0)), 0.0, x)[:, None])
        assert not torch.allclose(plain[3, :, :4], front_end(x[3:4, None, :13],
                                                            lengths[3:4])[0][0], atol=1e-3)


def test_variable_length_classifier_logits_do_not_depend_on_padding_or_batch_mates():
    torch.manual_seed(1)
    model = VariableLengthClassifier(channels=4, hidden_size=5).eval()
    x, lengths = _padded_signals([40, 33, 29, 24], total=80, pad_value=0.0)
    with torch.no_grad():
        batch = model(x, lengths)
        alone = torch.cat([model(x[b:b + 1, :n], lengths[b:b + 1])
                           for b, n in enumerate(lengths.tolist())])
    assert batch.shape == (4, 10)
    assert torch.allclose(batch, alone, atol=1e-5)


@pytest.mark.parametrize("call, error, match", [
    (lambda: RecurrentClassifier(4)(torch.zeros(2, 5, 1)), ValueError, r"\(B, T\)"),
    (lambda: RecurrentClassifier(4)(torch.zeros(2, 5, dtype=torch.long)), ValueError, "floating"),
    (lambda: MaskedFrontEnd(3)(torch.zeros(2, 9), torch.tensor([9, 9])), ValueError,
     r"\(B, 1, T\)"),
    (lambda: MaskedFrontEnd(3)(torch.zeros(2, 1, 9), torch.tensor([9])), ValueError,
     "expected 2"),
    (lambda: MaskedFrontEnd(3)(torch.zeros(2, 1, 9), torch.tensor([9, 10])), ValueError,
     "<= 9"),
    (lambda: MaskedFrontEnd(3)(torch.zeros(0, 1, 9), torch.tensor([], dtype=torch.long)),
     ValueError, "empty"),
    (lambda: VariableLengthClassifier(3, 2)(torch.zeros(2, 9), torch.tensor([5, 9])),
     ValueError, "decreasing order"),
    (lambda: VariableLengthClassifier(3, 2)([[0.0] * 9], torch.tensor([9])), ValueError,
     "floating-point tensor"),
    (lambda: VariableLengthClassifier(3, 2)(torch.zeros(1, 9), torch.tensor([9.0])), TypeError,
     "integers"),
])
def test_models_reject_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- bad input (issue 16)
import course_utils.sequences as sequences_module  # noqa: E402
from tests._bad_input import ids as _table_ids, untried  # noqa: E402

_S = sequences_module
_CONV = torch.nn.Conv1d(1, 4, 5, stride=2)
_LONG = lambda *shape: torch.zeros(*shape, dtype=torch.long)  # noqa: E731
_LENGTHS = "lengths must be a tensor, array or list of integers, got str"
BAD_INPUT = [
    ("accuracy", "type", lambda: _S.accuracy(["a"], ["b"]), TypeError,
     "predictions must hold integer classes, got dtype <U1"),
    ("accuracy", "shape", lambda: _S.accuracy(torch.zeros(3), torch.zeros(4)), TypeError,
     "predictions must hold integer classes, got dtype float32"),
    ("accuracy", "shape", lambda: _S.accuracy("a", [1]), ValueError,
     r"predictions must be 1-D \(one class per example\), got shape \(\)"),
    ("accuracy", "empty", lambda: _S.accuracy(_LONG(0), _LONG(0)), ValueError,
     "targets is empty: accuracy needs at least one example"),
    ("collate", "type", lambda: _S.collate("x", torch.zeros(2)), TypeError,
     r"sequences\[0\] must be a torch.Tensor, got str"),
    ("collate", "shape", lambda: _S.collate([torch.zeros(3), torch.zeros(4)], torch.zeros(3)), ValueError,
     "signals and labels must have the same length, got 2 and 3"),
    ("collate", "empty", lambda: _S.collate([], torch.zeros(0)), ValueError,
     "sequences must hold at least one tensor"),
    ("confusion_matrix", "type", lambda: _S.confusion_matrix(["a"], ["b"], 3), TypeError,
     "predictions must hold integer classes, got dtype <U1"),
    ("confusion_matrix", "shape", lambda: _S.confusion_matrix("a", [1], 3), ValueError,
     r"predictions must be 1-D \(one class per example\), got shape \(\)"),
    ("confusion_matrix", "value", lambda: _S.confusion_matrix(_LONG(3), _LONG(3), 0), ValueError,
     "n_classes must be a positive integer, got 0"),
    ("conv_front_end", "type", lambda: _S.conv_front_end(2.5), ValueError,
     "channels must be a positive integer, got 2.5"),
    ("conv_front_end", "empty", lambda: _S.conv_front_end(0), ValueError,
     "channels must be a positive integer, got 0"),
    ("conv_output_lengths", "type", lambda: _S.conv_output_lengths("x", _CONV), TypeError, _LENGTHS),
    ("conv_output_lengths", "type", lambda: _S.conv_output_lengths(_LONG(2) + 10, "conv"), TypeError,
     "conv must be an nn.Conv1d, got str"),
    ("conv_output_lengths", "shape", lambda: _S.conv_output_lengths(_LONG(2, 2) + 10, _CONV), ValueError,
     r"lengths must be 1-D \(one length per sequence\), got shape \(2, 2\)"),
    ("conv_output_lengths", "empty", lambda: _S.conv_output_lengths(_LONG(0), _CONV), ValueError,
     "lengths is empty: it needs one length per sequence, at least one"),
    ("conv_output_lengths", "value", lambda: _S.conv_output_lengths(_LONG(1) + 3, _CONV), ValueError,
     "a sequence of 3 steps is too short for this convolution"),
    ("final_state", "type", lambda: _S.final_state([1], False), ValueError,
     r"h_n must be a tensor of shape \(L \* n_dir, B, H\), got list"),
    ("final_state", "type", lambda: _S.final_state(torch.zeros(1, 2, 4), "no"), TypeError,
     "bidirectional must be True or False, got 'no'"),
    ("final_state", "shape", lambda: _S.final_state(torch.zeros(3, 4), False), ValueError,
     r"h_n must be a tensor of shape \(L \* n_dir, B, H\), got \(3, 4\)"),
    ("final_state", "empty", lambda: _S.final_state(torch.zeros(0, 2, 4), False), ValueError,
     r"h_n must not be empty, got shape \(0, 2, 4\)"),
    ("last_real_step", "type", lambda: _S.last_real_step([1], _LONG(2)), ValueError,
     r"output must be a batch-first tensor of shape \(B, T, H\), got list"),
    ("last_real_step", "shape", lambda: _S.last_real_step(torch.zeros(2, 5), _LONG(2) + 1), ValueError,
     r"output must be a batch-first tensor of shape \(B, T, H\), got \(2, 5\)"),
    ("last_real_step", "empty", lambda: _S.last_real_step(torch.zeros(0, 5, 3), _LONG(0)), ValueError,
     "lengths is empty: it needs one length per sequence, at least one"),
    ("length_mask", "type", lambda: _S.length_mask("x"), TypeError, _LENGTHS),
    ("length_mask", "shape", lambda: _S.length_mask(_LONG(2, 2) + 1), ValueError,
     r"lengths must be 1-D \(one length per sequence\), got shape \(2, 2\)"),
    ("length_mask", "empty", lambda: _S.length_mask(_LONG(0)), ValueError,
     "lengths is empty: it needs one length per sequence, at least one"),
    ("pad_batch", "type", lambda: _S.pad_batch("x"), TypeError,
     r"sequences\[0\] must be a torch.Tensor, got str"),
    ("pad_batch", "shape", lambda: _S.pad_batch([torch.zeros(())]), ValueError,
     r"sequences\[0\] must have at least one time step, got shape \(\)"),
    ("pad_batch", "empty", lambda: _S.pad_batch([]), ValueError, "sequences must hold at least one tensor"),
    ("plot_confusion_matrix", "type", lambda: _S.plot_confusion_matrix("x"), ValueError,
     r"counts must be a non-empty square \(K, K\) matrix, got shape \(\)"),
    ("plot_confusion_matrix", "shape", lambda: _S.plot_confusion_matrix(np.zeros(3)), ValueError,
     r"counts must be a non-empty square \(K, K\) matrix, got shape \(3,\)"),
    ("plot_confusion_matrix", "empty", lambda: _S.plot_confusion_matrix(np.zeros((0, 0))), ValueError,
     r"counts must be a non-empty square \(K, K\) matrix, got shape \(0, 0\)"),
    ("plot_misclassified", "type", lambda: _S.plot_misclassified("x", [1], [1]), TypeError,
     r"signals must be an array of numbers of shape \(N, T\), got str"),
    ("plot_misclassified", "shape", lambda: _S.plot_misclassified(np.zeros(5), np.zeros(5), np.zeros(5)),
     ValueError, r"signals must have shape \(N, T\) or \(N, T, 1\), got \(5,\)"),
    ("predict_classes", "type", lambda: _S.predict_classes("m", torch.zeros(2, 3)), TypeError,
     "model must be a torch.nn.Module, got str"),
    ("predict_classes", "type", lambda: _S.predict_classes(torch.nn.Linear(3, 2), [1, 2]), TypeError,
     "inputs must be a torch.Tensor, got list"),
    ("predict_classes", "shape", lambda: _S.predict_classes(torch.nn.Linear(3, 2), torch.zeros(2, 5)),
     ValueError, r"the model could not read inputs of shape \(2, 5\)"),
    ("random_shift", "type", lambda: _S.random_shift([1, 2], 2), ValueError,
     r"x must be a tensor of shape \(B, T\), got list"),
    ("random_shift", "shape", lambda: _S.random_shift(torch.zeros(5), 2), ValueError,
     r"x must be a tensor of shape \(B, T\), got \(5,\)"),
    ("random_shift", "value", lambda: _S.random_shift(torch.zeros(2, 5), -1), ValueError,
     "max_shift must be a non-negative integer, got -1"),
    ("variable_length_batches", "type",
     lambda: list(_S.variable_length_batches([torch.zeros(3)], "y", batch_size=2)), TypeError,
     "labels must be a torch.Tensor, got str"),
    ("variable_length_batches", "shape",
     lambda: list(_S.variable_length_batches([torch.zeros(3)], torch.zeros(2), batch_size=2)),
     ValueError, "sequences and labels must have the same length, got 1 and 2"),
    ("variable_length_batches", "empty",
     lambda: list(_S.variable_length_batches([], torch.zeros(0), batch_size=2)), ValueError,
     "sequences is empty: there is nothing to batch"),
    ("variable_length_batches", "value",
     lambda: list(_S.variable_length_batches([torch.zeros(3)], torch.zeros(1), batch_size=0)),
     ValueError, "batch_size must be a positive integer, got 0"),
]
# Empty inputs that are valid, each tested below: no predictions give an all-zero confusion
# matrix, no misclassified signals an empty figure, no inputs no classes, an empty batch
# nothing to shift. conv_front_end's sizes are integers only: no shape.
NOT_APPLICABLE = {("confusion_matrix", "empty"), ("plot_misclassified", "empty"),
                  ("predict_classes", "empty"), ("random_shift", "empty"),
                  ("conv_front_end", "shape")}


def test_empty_inputs_where_they_are_valid():
    assert _S.confusion_matrix(_LONG(0), _LONG(0), 3).sum() == 0
    assert _S.predict_classes(torch.nn.Linear(3, 2), torch.zeros(0, 3)).shape == (0,)
    assert _S.random_shift(torch.zeros(0, 5), 2).shape == (0, 5)
    plt.close(_S.plot_misclassified(np.zeros((0, 5)), _LONG(0), _LONG(0)))


def test_predict_classes_puts_the_model_back_in_training_mode_when_the_model_fails():
    model = torch.nn.Linear(3, 2)
    with pytest.raises(ValueError):
        _S.predict_classes(model, torch.zeros(2, 5))
    assert model.training


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(_S, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=_table_ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
