"""Lab 03's checks accept the right implementation and name each planted mistake."""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_utils import CheckFailed
from course_utils.checks import lab03


def failure(check, *args) -> str:
    with pytest.raises(CheckFailed) as info:
        check(*args)
    return info.value.message


def conv_front_end(channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv1d(1, channels, kernel_size=5, stride=2, padding=2), nn.ReLU(),
        nn.Conv1d(channels, channels, kernel_size=5, stride=2, padding=2), nn.ReLU())


# --------------------------------------------------------------------------- exercise 1

class RecurrentClassifier(nn.Module):
    def __init__(self, channels: int = 32, hidden: int = 64, n_classes: int = 10):
        super().__init__()
        self.conv = conv_front_end(channels)
        self.gru = nn.GRU(channels, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        features = self.conv(x.unsqueeze(1)).transpose(1, 2)
        _, h_n = self.gru(features)
        return self.head(torch.cat([h_n[0], h_n[1]], dim=1))


def planted_classifier(forward):
    return type("Planted", (RecurrentClassifier,), {"forward": forward})


def _features(self, x):
    return self.conv(x.unsqueeze(1))


PLANTED_CLASSIFIERS = [
    (lambda self, x: self.head(self.gru(_features(self, x).transpose(1, 2))[0][:, -1]),
     ["output[:, -1]", "h_n[0] is the forward final state"]),
    (lambda self, x: self.head(torch.cat(list(self.gru(_features(self, x).transpose(1, 2))[1])[::-1],
                                         dim=1)),
     ["wrong order", "h_n[0] (forward) comes first"]),
    (lambda self, x: self.head(torch.cat(list(self.gru(
        _features(self, x).reshape(x.shape[0], 10, -1))[1]), dim=1)),
     ["reshaped with view/reshape", "transpose(1, 2)"]),
    (lambda self, x: self.head(torch.cat(list(self.gru(_features(self, x).permute(2, 0, 1))[1]),
                                         dim=1)),
     ["shape (10, 10)", "expected (5, 10)", "read time as the batch", "batch_first=True"]),
    (lambda self, x: self.head(self.gru(_features(self, x).transpose(1, 2))[1][-1]),
     ["mat1 and mat2", "torch.cat([h_n[0], h_n[1]], dim=1)"]),
    (lambda self, x: torch.cat(list(self.gru(_features(self, x).transpose(1, 2))[1]), dim=1),
     ["shape (5, 12)", "apply self.head"]),
    (lambda self, x: self.head(torch.cat(list(self.gru(self.conv(x).transpose(1, 2))[1]), dim=1)),
     ["channels", "x.unsqueeze(1)"]),
    (lambda self, x: self.head(torch.cat(list(self.gru(_features(self, x))[1]), dim=1)),
     ["input_size", "transpose(1, 2) first"]),
    (lambda self, x: self.head(self.gru(_features(self, x).transpose(1, 2))[0].max(1).values),
     ["max-pooled"]),
]


def test_classifier_accepts_the_reference(capsys):
    lab03.check_classifier(RecurrentClassifier)
    assert "✓ RecurrentClassifier" in capsys.readouterr().out


@pytest.mark.parametrize("forward, words", PLANTED_CLASSIFIERS)
def test_classifier_names_the_mistake(forward, words):
    message = failure(lab03.check_classifier, planted_classifier(forward))
    for word in words:
        assert word in message, message


def test_classifier_reports_a_stub_and_an_unknown_error():
    def stub(self, x):
        raise NotImplementedError("replace this line with your code")
    assert "not implemented yet" in failure(lab03.check_classifier, planted_classifier(stub))
    scaled = planted_classifier(lambda self, x: 2 * RecurrentClassifier.forward(self, x))
    assert "the logits differ at (example, class)" in failure(lab03.check_classifier, scaled)


def test_classifier_rejects_an_instance_and_missing_layers():
    assert "the class itself" in failure(lab03.check_classifier, RecurrentClassifier())

    class NoHead(nn.Module):
        def __init__(self, channels=8, hidden=6, n_classes=10):
            super().__init__()
            self.conv = conv_front_end(channels)
            self.gru = nn.GRU(channels, hidden, batch_first=True, bidirectional=True)
    assert "no layer `self.head`" in failure(lab03.check_classifier, NoHead)


# --------------------------------------------------------------------------- exercise 2

def collate(signals, labels):
    lengths = torch.tensor([len(s) for s in signals])
    lengths, order = lengths.sort(descending=True)
    padded = torch.zeros(len(signals), int(lengths[0]))
    for row, i in enumerate(order.tolist()):
        padded[row, :lengths[row]] = signals[i]
    return padded, lengths, labels[order]


def unsorted(signals, labels):
    padded, lengths = torch.nn.utils.rnn.pad_sequence(signals, batch_first=True), \
        torch.tensor([len(s) for s in signals])
    return padded, lengths, labels


def labels_not_reordered(signals, labels):
    padded, lengths, _ = collate(signals, labels)
    return padded, lengths, labels


def padded_at_front(signals, labels):
    padded, lengths, labels = collate(signals, labels)
    return torch.stack([row.roll(int(row.shape[0] - n)) for row, n in zip(padded, lengths)]), \
        lengths, labels


def transposed(signals, labels):
    padded, lengths, labels = collate(signals, labels)
    return padded.T, lengths, labels


def fixed_length(signals, labels):
    padded, lengths, labels = collate(signals, labels)
    return torch.nn.functional.pad(padded, (0, 40 - padded.shape[1])), lengths, labels


def all_full_length(signals, labels):
    padded, lengths, labels = collate(signals, labels)
    return padded, torch.full_like(lengths, padded.shape[1]), labels


def float_lengths(signals, labels):
    padded, lengths, labels = collate(signals, labels)
    return padded, lengths.float(), labels


def two_values(signals, labels):
    return collate(signals, labels)[:2]


def padded_with_ones(signals, labels):
    padded, lengths, labels = collate(signals, labels)
    mask = torch.arange(padded.shape[1])[None, :] >= lengths[:, None]
    return padded.masked_fill(mask, 1.0), lengths, labels


def in_place(signals, labels):
    signals[0].zero_()
    return collate(signals, labels)


def test_collate_accepts_the_reference(capsys):
    lab03.check_collate(collate)
    assert "✓ collate" in capsys.readouterr().out


@pytest.mark.parametrize("planted, words", [
    (unsorted, ["not in decreasing order", "enforce_sorted=True"]),
    (labels_not_reordered, ["row 0 holds signal 1, whose label is 1, but labels[0] is 4",
                           "reorder the labels"]),
    (padded_at_front, ["at the END of the row", "Pad at the end"]),
    (transposed, ["shape (28, 5)", "expected (5, 28)", "transposed"]),
    (fixed_length, ["shape (5, 40)", "longest signal of this batch"]),
    (all_full_length, ["lengths[2] is 28", "which has 20 samples"]),
    (float_lengths, ["int64", "torch.float32"]),
    (two_values, ["tuple (padded, lengths, labels)", "length 2"]),
    (padded_with_ones, ["non-zero values after its", "must be zeros"]),
    (in_place, ["in place"]),
])
def test_collate_names_the_mistake(planted, words):
    message = failure(lab03.check_collate, planted)
    for word in words:
        assert word in message, message


def test_collate_reports_a_stub():
    def stub(signals, labels):
        raise NotImplementedError("replace this line with your code")
    assert "`stub` is not implemented yet" in failure(lab03.check_collate, stub)


# --------------------------------------------------------------------------- exercise 3

class VariableLengthClassifier(nn.Module):
    def __init__(self, channels=32, hidden=64, n_classes=10, pack=True):
        super().__init__()
        self.pack = pack
        self.conv = conv_front_end(channels)
        self.gru = nn.GRU(channels, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def features(self, x):
        return self.conv(x.unsqueeze(1)).transpose(1, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.features(x), (lengths // 4).cpu(), batch_first=True)
        _, h_n = self.gru(packed)
        return self.head(h_n[-1])


def planted_packed(forward):
    return type("Planted", (VariableLengthClassifier,), {"forward": forward})


def _unpacked_last_output(self, x, lengths):
    packed = pack_padded_sequence(self.features(x), lengths // 4, batch_first=True)
    output, _ = pad_packed_sequence(self.gru(packed)[0], batch_first=True)
    return self.head(output[:, -1])


def test_packed_forward_accepts_the_reference(capsys):
    lab03.check_packed_forward(VariableLengthClassifier)
    assert "✓ VariableLengthClassifier" in capsys.readouterr().out


@pytest.mark.parametrize("forward, words", [
    (lambda self, x, lengths: self.head(self.gru(self.features(x))[1][-1]),
     ["run over the padding", "pack_padded_sequence(features, steps, batch_first=True)"]),
    (_unpacked_last_output, ["output[:, -1] after unpacking", "h_n[-1]"]),
    (lambda self, x, lengths: self.head(self.gru(pack_padded_sequence(
        self.features(x), lengths, batch_first=True))[1][-1]),
     ["lengths in samples", "lengths // 4 steps"]),
    (lambda self, x, lengths: self.head(self.gru(pack_padded_sequence(
        self.features(x), lengths // 4))[1][-1]),
     ["batch_first=True"]),
    (lambda self, x, lengths: self.head(self.gru(pack_padded_sequence(
        self.features(x), lengths // 4 - 1, batch_first=True))[1][-1]),
     ["right for the sequences []", "wrong for [0, 1, 2, 3]", "exactly lengths // 4 steps"]),
    (lambda self, x, lengths: self.head(self.gru(pack_padded_sequence(
        self.features(x), torch.tensor([10, 10, 6, 4]), batch_first=True))[1][-1]),
     ["right for the sequences [0, 2, 3]", "wrong for [1]", "lengths [32] samples"]),
])
def test_packed_forward_names_the_mistake(forward, words):
    message = failure(lab03.check_packed_forward, planted_packed(forward))
    for word in words:
        assert word in message, message


def test_packed_forward_reports_a_stub_and_a_wrong_shape():
    def stub(self, x, lengths):
        raise NotImplementedError("replace this line with your code")
    assert "not implemented yet" in failure(lab03.check_packed_forward, planted_packed(stub))
    no_head = planted_packed(lambda self, x, lengths: self.gru(pack_padded_sequence(
        self.features(x), lengths // 4, batch_first=True))[1][-1])
    assert "shape (4, 6), expected (4, 10)" in failure(lab03.check_packed_forward, no_head)


def test_packed_forward_wants_a_unidirectional_gru():
    class Bidirectional(VariableLengthClassifier):
        def __init__(self, channels=8, hidden=6, n_classes=10, pack=True):
            super().__init__(channels, hidden, n_classes, pack)
            self.gru = nn.GRU(channels, hidden, batch_first=True, bidirectional=True)
    assert "unidirectional" in failure(lab03.check_packed_forward, Bidirectional)
