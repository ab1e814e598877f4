"""Lab 03's checks accept right implementations and name each planted mistake.

Every planted version below is a mistake students make with recurrent classifiers and packed
sequences: the wrong entry of h_n (first layer, one direction, swapped directions, a reshape
that mixes sequences), output[:, -1] of a bidirectional layer or after unpacking (the last
padded step), a skipped or untransposed front-end, a front-end that reads the padding, lengths
in samples instead of steps, random draws from the wrong generator.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_utils import CheckFailed
from course_utils import sequences as ref
from course_utils.checks import lab03
from tests._checks import Case, squash, stub, to_float64, to_numpy


def failure(check, student) -> str:
    with pytest.raises(CheckFailed) as info:
        check(student)
    return squash(info.value.message)


def accepted(check, student, capsys) -> None:
    check(student)
    assert "✓" in capsys.readouterr().out


def names(check, student, words) -> None:
    """``check`` rejects ``student`` with a message holding every one of ``words``."""
    message = failure(check, student)
    for word in words:
        assert word in message, message


# --------------------------------------------------------------------------- final_state

def swapped(h_n, bidirectional):
    return torch.cat([h_n[-1], h_n[-2]], 1) if bidirectional else h_n[-1]


def first_layer_pair(h_n, bidirectional):
    return torch.cat([h_n[0], h_n[1]], 1) if bidirectional else h_n[-1]


PLANTED_FINAL_STATES = [
    (lambda h_n, bidirectional: h_n[-1], ["backward direction alone", "h_n[-2] (forward)"]),
    (lambda h_n, bidirectional: h_n[0], ["num_layers=1, bidirectional=True",
                                         "forward direction alone"]),
    (lambda h_n, bidirectional: ref.final_state(h_n, True) if bidirectional else h_n[0],
     ["num_layers=2, bidirectional=False", "FIRST layer"]),
    (first_layer_pair, ["num_layers=2, bidirectional=True", "FIRST layer's two directions"]),
    (swapped, ["swapped", "forward state h_n[-2] comes first"]),
    (lambda h_n, bidirectional: h_n.reshape(h_n.shape[1], -1),
     ["num_layers=1, bidirectional=True", "mixes different sequences"]),
    (lambda h_n, bidirectional: ref.final_state(h_n, True) if bidirectional
     else h_n.reshape(h_n.shape[1], -1), ["num_layers=2, bidirectional=False",
                                          "mixes different sequences"]),
    (lambda h_n, bidirectional: h_n.transpose(0, 1).reshape(h_n.shape[1], -1),
     ["every layer's states", "TOP layer"]),
    (lambda h_n, bidirectional: h_n[-2] + h_n[-1] if bidirectional else h_n[-1],
     ["added the two directions"]),
    (lambda h_n, bidirectional: torch.cat([h_n[-2], h_n[-1]], 0) if bidirectional else h_n[-1],
     ["stacked the states along the batch axis", "dim=1"]),
    (lambda h_n, bidirectional: list(h_n[-2:]), ["should be a torch.Tensor", "got list"]),
    (lambda h_n, bidirectional: h_n[-1].unsqueeze(0),
     ["shape (1, 3, 4), expected (3, 4)", "One row per sequence"]),
    (lambda h_n, bidirectional: ref.final_state(h_n, bidirectional) + 1e-3,
     ["the values for h_n of shape (1, 3, 4)", "differ at (sequence, feature)"]),
]


def test_final_state_accepts_the_reference_and_an_equivalent(capsys):
    accepted(lab03.check_final_state, ref.final_state, capsys)
    accepted(lab03.check_final_state, lambda h_n, bidirectional: h_n[-2:].transpose(0, 1)
             .reshape(h_n.shape[1], -1) if bidirectional else h_n[-1].clone(), capsys)


@pytest.mark.parametrize("planted, words", PLANTED_FINAL_STATES)
def test_final_state_names_the_mistake(planted, words):
    names(lab03.check_final_state, planted, words)


def test_final_state_reports_a_stub():
    assert "not implemented yet" in failure(lab03.check_final_state, stub)


# --------------------------------------------------------------------------- the classifier

def classifier(forward):
    return type("Planted", (ref.RecurrentClassifier,), {"forward": forward})


def reference_forward(self, x):
    return ref.RecurrentClassifier.forward(self, x)


def _gru_input(self, x):
    if self.front_end is None:
        return x.unsqueeze(-1)
    return self.front_end(x.unsqueeze(1)).transpose(1, 2)


def _head_on(self, h_n):
    return self.head(ref.final_state(h_n, self.gru.bidirectional))


def skips_front_end(self, x):
    return _head_on(self, self.gru(x.unsqueeze(-1))[1])


def untransposed(self, x):
    gru_input = x.unsqueeze(-1) if self.front_end is None else self.front_end(x.unsqueeze(1))
    return _head_on(self, self.gru(gru_input)[1])


def reshaped(self, x):
    if self.front_end is None:
        return _head_on(self, self.gru(x.unsqueeze(-1))[1])
    features = self.front_end(x.unsqueeze(1))
    return _head_on(self, self.gru(features.reshape(len(x), -1, features.shape[1]))[1])


def channel_second(self, x):
    gru_input = x.unsqueeze(1) if self.front_end is None else _gru_input(self, x)
    return _head_on(self, self.gru(gru_input)[1])


def time_first(self, x):
    return _head_on(self, self.gru(_gru_input(self, x).transpose(0, 1))[1])


def last_output(self, x):
    return self.head(self.gru(_gru_input(self, x))[0][:, -1])


def backward_state_only(self, x):
    return self.head(self.gru(_gru_input(self, x))[1][-1])


def head_on_every_step(self, x):
    return self.head(self.gru(_gru_input(self, x))[0])


def probabilities(self, x):
    return reference_forward(self, x).softmax(-1)


def log_probabilities(self, x):
    return torch.log_softmax(reference_forward(self, x), -1)


def max_pooled(self, x):
    return self.head(self.gru(_gru_input(self, x))[0].max(1).values)


def doubled(self, x):
    return reference_forward(self, x).double()


def changes_x(self, x):
    x.mul_(2)
    return reference_forward(self, x)


PLANTED_CLASSIFIERS = [
    (skips_front_end, ["with a front-end", "raw samples, (B, T, 1)", "skips it"]),
    (untransposed, ["conv features as (B, C, T')", "transpose(1, 2) first"]),
    (reshaped, ["reshaped with view/reshape", "scrambles channels and time"]),
    (channel_second, ["(B, 1, T): one step of T numbers", "x.unsqueeze(-1)"]),
    (time_first, ["shape (40, 10), expected (6, 10)", "time first"]),
    (last_output, ["bidirectional", "output[:, -1]", "ONE step", "final_state(h_n, True)"]),
    (backward_state_only, ["mat1 and mat2", "one direction's state", "h_n[-2] (forward)"]),
    (head_on_every_step, ["shape (6, 40, 10)", "every step"]),
    (probabilities, ["probabilities", "log-softmax"]),
    (log_probabilities, ["log-probabilities", "return the logits"]),
    (max_pooled, ["max-pooled"]),
    (doubled, ["dtype torch.float64", "float32"]),
    (changes_x, ["changed its argument `x` in place"]),
]


def test_classifier_accepts_the_reference_and_a_model_with_dropout(capsys):
    accepted(lab03.check_classifier, ref.RecurrentClassifier, capsys)

    class WithDropout(ref.RecurrentClassifier):   # compared in eval mode: dropout is off
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.dropout = nn.Dropout(0.5)

        def forward(self, x):
            return self.head(self.dropout(ref.final_state(self.gru(_gru_input(self, x))[1],
                                                          self.gru.bidirectional)))
    accepted(lab03.check_classifier, WithDropout, capsys)


@pytest.mark.parametrize("forward, words", PLANTED_CLASSIFIERS,
                         ids=[f.__name__ for f, _ in PLANTED_CLASSIFIERS])
def test_classifier_names_the_mistake(forward, words):
    names(lab03.check_classifier, classifier(forward), words)


def test_a_skipped_front_end_is_not_told_to_transpose():
    message = failure(lab03.check_classifier, classifier(skips_front_end))
    assert "transpose(1, 2) first" not in message and "(B, C, T')" not in message, message


def test_classifier_reports_a_stub_an_instance_and_missing_layers():
    assert "not implemented yet" in failure(lab03.check_classifier, classifier(stub))
    assert "the class itself" in failure(lab03.check_classifier, ref.RecurrentClassifier())

    class NoHead(nn.Module):
        def __init__(self, hidden_size=5, bidirectional=False, channels=0):
            super().__init__()
            self.front_end, self.gru = None, nn.GRU(1, hidden_size, batch_first=True)
    assert "no attribute `self.head`" in failure(lab03.check_classifier, NoHead)
    scaled = classifier(lambda self, x: 2 * reference_forward(self, x))
    assert "differ at (sequence, class)" in failure(lab03.check_classifier, scaled)


# --------------------------------------------------------------------------- random_shift

def one_shift_for_all(x, max_shift, generator):
    shift = int(torch.randint(-max_shift, max_shift + 1, (1,), generator=generator))
    return torch.roll(x, shift, dims=1)


def upper_bound_excluded(x, max_shift, generator):
    shifts = torch.randint(-max_shift, max_shift, (len(x),), generator=generator)
    return torch.stack([torch.roll(row, int(s)) for row, s in zip(x, shifts)])


def _roll_rows(x, shifts):
    return torch.stack([torch.roll(row, int(s)) for row, s in zip(x, shifts)])


def lower_bound_off_by_one(x, max_shift, generator):
    return _roll_rows(x, torch.randint(-max_shift + 1, max_shift + 1, (len(x),),
                                       generator=generator))


def non_negative_only(x, max_shift, generator):
    return _roll_rows(x, torch.randint(0, max_shift + 1, (len(x),), generator=generator))


def both_bounds_off(x, max_shift, generator):
    return _roll_rows(x, torch.randint(-max_shift + 1, max_shift, (len(x),), generator=generator))


def rolled_along_a_row_view(x, max_shift, generator):   # rolls (1, T) along dims=0: a no-op
    shifts = torch.randint(-max_shift, max_shift + 1, (len(x),), generator=generator)
    return torch.stack([torch.roll(row[None], int(s), dims=0)[0] for row, s in zip(x, shifts)])


def global_generator(x, max_shift, generator):
    return ref.random_shift(x, max_shift)


def zero_filled(x, max_shift, generator):
    shifts = torch.randint(-max_shift, max_shift + 1, (len(x),), generator=generator)
    out = torch.zeros_like(x)
    for b, s in enumerate(shifts.tolist()):
        if s >= 0:
            out[b, s:] = x[b, :x.shape[1] - s]
        else:
            out[b, :s] = x[b, -s:]
    return out


def along_the_batch(x, max_shift, generator):
    shift = int(torch.randint(1, max_shift + 1, (1,), generator=generator))
    return torch.roll(x, shift, dims=0)


def fixed_range(x, max_shift, generator):
    return ref.random_shift(x, 5, generator)


def reseeds(x, max_shift, generator):
    return ref.random_shift(x, max_shift, generator.manual_seed(0))


def per_row_loop(x, max_shift, generator):           # right: another way to write it
    shifts = torch.randint(-max_shift, max_shift + 1, (len(x), 1), generator=generator)
    return torch.stack([torch.roll(row, int(s)) for row, s in zip(x, shifts)])


def other_direction(x, max_shift, generator):        # right: the shifts are symmetric
    shifts = torch.randint(-max_shift, max_shift + 1, (len(x),), generator=generator)
    return torch.stack([torch.roll(row, -int(s)) for row, s in zip(x, shifts)])


@pytest.mark.parametrize("planted, words", [
    (one_shift_for_all, ["every row moved by the same", "one shift per row"]),
    (upper_bound_excluded, ["no row moved by +3", "upper bound is excluded"]),
    (lower_bound_off_by_one, ["no row moved by -3", "must start at -max_shift"]),
    (non_negative_only, ["no row moved by -3", "must start at -max_shift"]),
    (both_bounds_off, ["no row moved by -3 or by +3", "must start at -max_shift",
                       "upper bound is excluded"]),
    (rolled_along_a_row_view, ["no row was rolled along time", "dim 1"]),
    (global_generator, ["not the ones drawn from `generator`"]),
    (reseeds, ["not the ones drawn from `generator`"]),
    (zero_filled, ["values that are not in x[", "wrap around"]),
    (along_the_batch, ["another order", "batch axis"]),
    (fixed_range, ["moved by 5 steps", "max_shift is 3"]),
    (lambda x, m, g: ref.random_shift(x, m, g).numpy(), ["should be a torch.Tensor"]),
])
def test_random_shift_names_the_mistake(planted, words):
    names(lab03.check_random_shift, planted, words)


@pytest.mark.parametrize("planted", [lower_bound_off_by_one, non_negative_only,
                                     rolled_along_a_row_view])
def test_random_shift_blames_only_what_the_evidence_shows(planted):
    """Missing negative shifts are not an excluded upper bound; no shift at all is not one
    shift for every row."""
    message = failure(lab03.check_random_shift, planted)
    assert "upper bound" not in message and "one shift per row" not in message, message


def test_random_shift_accepts_right_variants(capsys):
    for right in (ref.random_shift, per_row_loop, other_direction):
        accepted(lab03.check_random_shift, right, capsys)


# --------------------------------------------------------------------------- collate

def labels_not_reordered(signals, labels):
    padded, lengths, _ = ref.collate(signals, labels)
    return padded, lengths, labels


def unsorted(signals, labels):
    padded = torch.nn.utils.rnn.pad_sequence(signals, batch_first=True)
    return padded, torch.tensor([len(s) for s in signals]), labels


def padded_at_front(signals, labels):
    padded, lengths, labels = ref.collate(signals, labels)
    return torch.stack([row.roll(int(row.shape[0] - n)) for row, n in zip(padded, lengths)]), \
        lengths, labels


def transposed(signals, labels):
    padded, lengths, labels = ref.collate(signals, labels)
    return padded.T, lengths, labels


def fixed_length(signals, labels):
    padded, lengths, labels = ref.collate(signals, labels)
    return torch.nn.functional.pad(padded, (0, 40 - padded.shape[1])), lengths, labels


def all_full_length(signals, labels):
    padded, lengths, labels = ref.collate(signals, labels)
    return padded, torch.full_like(lengths, padded.shape[1]), labels


def float_lengths(signals, labels):
    padded, lengths, labels = ref.collate(signals, labels)
    return padded, lengths.float(), labels


def two_values(signals, labels):
    return ref.collate(signals, labels)[:2]


def padded_with_ones(signals, labels):
    padded, lengths, labels = ref.collate(signals, labels)
    mask = torch.arange(padded.shape[1])[None, :] >= lengths[:, None]
    return padded.masked_fill(mask, 1.0), lengths, labels


def counts_non_zeros(signals, labels):
    padded, _, labels = ref.collate(signals, labels)
    return padded, (padded != 0).sum(1), labels


def in_place(signals, labels):
    result = ref.collate(signals, labels)
    signals[0].zero_()
    return result


def lengths_as_int32(result):
    padded, lengths, labels = result
    return padded, lengths.int(), labels


def padded_as_numpy(result):
    padded, lengths, labels = result
    return padded.numpy(), lengths, labels


def labels_as_float(result):
    padded, lengths, labels = result
    return padded, lengths, labels.float()


def test_collate_accepts_the_reference(capsys):
    accepted(lab03.check_collate, ref.collate, capsys)


@pytest.mark.parametrize("planted, words", [
    (unsorted, ["not in decreasing order", "enforce_sorted=True"]),
    (labels_not_reordered, ["row 0 holds signal 1, whose label is 1, but labels[0] is 4",
                            "reorder the labels"]),
    (padded_at_front, ["at the END of the row", "Pad at the end"]),
    (transposed, ["shape (28, 5)", "expected (5, 28)", "transposed"]),
    (fixed_length, ["shape (5, 40)", "longest signal of this batch"]),
    (all_full_length, ["lengths[2] is 28", "which has 20 samples"]),
    (float_lengths, ["dtype torch.float32", "torch.int64", "the lab's contract"]),
    (two_values, ["tuple (padded, lengths, labels)", "length 2"]),
    (padded_with_ones, ["non-zero values after its", "must be zeros"]),
    (in_place, ["changed its argument `signals` in place"]),
    (counts_non_zeros, ["lengths[2] is 19", "number of non-zero values", "len()"]),
])
def test_collate_names_the_mistake(planted, words):
    names(lab03.check_collate, planted, words)


def test_collate_reports_a_stub():
    assert "`stub` is not implemented yet" in failure(lab03.check_collate, stub)


# --------------------------------------------------------------------------- the front-end

def front_end(forward):
    return type("Planted", (ref.MaskedFrontEnd,), {"forward": forward})


def reference_front_end(self, x, lengths):
    return ref.MaskedFrontEnd.forward(self, x, lengths)


def _mask(x, lengths):
    return x.masked_fill(~ref.length_mask(lengths, x.shape[-1])[:, None], 0.0)


def _front(self, x, lengths, *, mask_input=True, mask_each=True, mask_last=True, steps=None):
    n = lengths
    x = _mask(x, n) if mask_input else x
    for i, conv in enumerate(self.convs):
        x = torch.relu(conv(x))
        n = ref.conv_output_lengths(n, conv)
        if mask_each or (mask_last and i == len(self.convs) - 1):
            x = _mask(x, n)
    return x, (n if steps is None else steps(lengths))


def mask_as_long_as_the_longest(self, x, lengths):   # length_mask(lengths) without T
    x = x.masked_fill(~ref.length_mask(lengths)[:, None], 0.0)
    for conv in self.convs:
        x = torch.relu(conv(x))
        lengths = ref.conv_output_lengths(lengths, conv)
        x = x.masked_fill(~ref.length_mask(lengths)[:, None], 0.0)
    return x, lengths


def last_layer_unmasked(self, x, lengths):
    n = lengths
    x = _mask(x, n)
    for i, conv in enumerate(self.convs):
        x = torch.relu(conv(x))
        n = ref.conv_output_lengths(n, conv)
        if i < len(self.convs) - 1:
            x = _mask(x, n)
    return x, n


@pytest.mark.parametrize("forward, words", [
    (lambda self, x, lengths: _front(self, x, lengths, mask_input=False, mask_each=False,
                                     mask_last=False), ["reads the padding"]),
    (lambda self, x, lengths: _front(self, x, lengths, mask_each=False),
     ["only after the LAST convolution", "every ReLU's output"]),
    (lambda self, x, lengths: _front(self, x, lengths, mask_input=False, mask_each=False),
     ["only after the LAST convolution", "zero the input"]),
    (lambda self, x, lengths: _front(self, x, lengths, mask_each=False, mask_last=False),
     ["zero the input past each length, but not the convolutions' outputs"]),
    (lambda self, x, lengths: _front(self, x, lengths, mask_input=False),
     ["padding values (3 in this check)"]),
    (lambda self, x, lengths: _front(self, x, lengths, steps=lambda n: n // 4),
     ["lengths // 4", "37-sample signal gives 10 steps", "conv_output_lengths"]),
    (lambda self, x, lengths: _front(self, x, lengths, steps=lambda n: n),
     ["returned the input lengths"]),
    (lambda self, x, lengths: _front(self, x, lengths)[0], ["tuple (features, steps)"]),
    (lambda self, x, lengths: (_front(self, x, lengths)[0], _front(self, x, lengths)[1].int()),
     ["steps has dtype torch.int32", "int64", "interchangeable"]),
    (last_layer_unmasked,
     ["not zero past its", "steps"]),
    (mask_as_long_as_the_longest, ["padded to 48", "length_mask(lengths, x.shape[-1])"]),
])
def test_masked_front_end_names_the_mistake(forward, words):
    names(lab03.check_masked_front_end, front_end(forward), words)


def test_masked_front_end_accepts_the_reference_and_multiplying_by_the_mask(capsys):
    accepted(lab03.check_masked_front_end, ref.MaskedFrontEnd, capsys)

    def multiplied(self, x, lengths):
        x = x * ref.length_mask(lengths, x.shape[-1])[:, None]
        for conv in self.convs:
            lengths = ref.conv_output_lengths(lengths, conv)
            x = torch.relu(conv(x)) * ref.length_mask(lengths, conv(x).shape[-1])[:, None]
        return x, lengths
    accepted(lab03.check_masked_front_end, front_end(multiplied), capsys)


def test_masked_front_end_reports_a_stub():
    assert "not implemented yet" in failure(lab03.check_masked_front_end, front_end(stub))


# --------------------------------------------------------------------------- packing

def packed(forward):
    return type("Planted", (ref.VariableLengthClassifier,), {"forward": forward})


def reference_packed(self, x, lengths):
    return ref.VariableLengthClassifier.forward(self, x, lengths)


def _features(self, x, lengths):
    features, steps = self.front_end(x.unsqueeze(1), lengths)
    return features.transpose(1, 2), steps


def _packed_gru(self, x, lengths, step_lengths=None):
    features, steps = _features(self, x, lengths)
    steps = steps if step_lengths is None else step_lengths(lengths, steps)
    return self.gru(pack_padded_sequence(features, steps, batch_first=True))


def not_packed(self, x, lengths):
    return self.head(ref.final_state(self.gru(_features(self, x, lengths)[0])[1], True))


def samples_as_lengths(self, x, lengths):
    return self.head(ref.final_state(_packed_gru(self, x, lengths, lambda n, s: n)[1], True))


def quarter_lengths(self, x, lengths):
    return self.head(ref.final_state(_packed_gru(self, x, lengths, lambda n, s: n // 4)[1], True))


def last_padded_step(self, x, lengths):
    output, _ = pad_packed_sequence(_packed_gru(self, x, lengths)[0], batch_first=True)
    return self.head(output[:, -1])


def backward_only(self, x, lengths):
    return self.head(_packed_gru(self, x, lengths)[1][-1])


def first_layer_swapped(self, x, lengths):
    h_n = _packed_gru(self, x, lengths)[1]
    return self.head(torch.cat([h_n[-1], h_n[-2]], 1))


def unmasked_convolutions(self, x, lengths):
    _, steps = self.front_end(x.unsqueeze(1), lengths)
    h = x.unsqueeze(1)
    for conv in self.front_end.convs:
        h = torch.relu(conv(h))
    _, h_n = self.gru(pack_padded_sequence(h.transpose(1, 2), steps, batch_first=True))
    return self.head(ref.final_state(h_n, True))


def untransposed_packing(self, x, lengths):
    features, steps = self.front_end(x.unsqueeze(1), lengths)
    _, h_n = self.gru(pack_padded_sequence(features, steps, batch_first=True))
    return self.head(ref.final_state(h_n, True))


def time_major_packing(self, x, lengths):
    features, steps = _features(self, x, lengths)
    _, h_n = self.gru(pack_padded_sequence(features, steps))
    return self.head(ref.final_state(h_n, True))


def packed_probabilities(self, x, lengths):
    return reference_packed(self, x, lengths).softmax(-1)


def packed_log_probabilities(self, x, lengths):
    return torch.log_softmax(reference_packed(self, x, lengths), -1)


def last_real_step_of_both_directions(self, x, lengths):
    output, _ = pad_packed_sequence(_packed_gru(self, x, lengths)[0], batch_first=True)
    return self.head(ref.last_real_step(output, _features(self, x, lengths)[1]))


def mean_of_padded_output(self, x, lengths):
    output, _ = pad_packed_sequence(_packed_gru(self, x, lengths)[0], batch_first=True)
    return self.head(output.mean(1))


def random_initial_state(self, x, lengths):
    features, steps = _features(self, x, lengths)
    h_0 = 0.1 * torch.randn(2, len(x), self.gru.hidden_size)
    _, h_n = self.gru(pack_padded_sequence(features, steps, batch_first=True), h_0)
    return self.head(ref.final_state(h_n, True))


def batch_normalised_features(self, x, lengths):
    features, steps = _features(self, x, lengths)
    features = (features - features.mean((0, 1))) / (features.std((0, 1)) + 1e-5)
    _, h_n = self.gru(pack_padded_sequence(features, steps, batch_first=True))
    return self.head(ref.final_state(h_n, True))


def changes_lengths(self, x, lengths):
    result = reference_packed(self, x, lengths)
    lengths -= 1
    return result


PLANTED_PACKED = [
    (not_packed, ["run over the padding too", "backward direction starts in the padding"]),
    (samples_as_lengths, ["The GRU read [40] steps", "front-end gives [10]"]),
    (quarter_lengths, ["lengths // 4", "[10, 10, 8, 6, 4]"]),
    (last_padded_step, ["output[:, -1] after unpacking", "last PADDED step"]),
    (backward_only, ["one direction's state", "h_n[-2] (forward) and h_n[-1] (backward)"]),
    (first_layer_swapped, ["differ at (sequence, class)", "not the reference's"]),
    (unmasked_convolutions, ["without the masks", "self.front_end(x.unsqueeze(1), lengths)"]),
    (untransposed_packing, ["packed as (B, C, T')", "Transpose them to (B, T', C)"]),
    (time_major_packing, ["batch_first=True"]),
    (packed_probabilities, ["probabilities"]),
    (packed_log_probabilities, ["log-probabilities"]),
    (last_real_step_of_both_directions, ["last_real_step", "backward half", "ONE step"]),
    (mean_of_padded_output, ["averaged the unpacked `output`", "padded ones included"]),
    (random_initial_state, ["two calls of forward", "forward pass is random"]),
    (batch_normalised_features, ["packed with the right steps", "before packing"]),
    (changes_lengths, ["changed its argument `lengths` in place"]),
]


def test_packed_classifier_accepts_the_reference_and_unsorted_packing(capsys):
    accepted(lab03.check_packed_classifier, ref.VariableLengthClassifier, capsys)

    def unsorted(self, x, lengths):
        features, steps = _features(self, x, lengths)
        _, h_n = self.gru(pack_padded_sequence(features, steps, batch_first=True,
                                               enforce_sorted=False))
        return self.head(ref.final_state(h_n, True))
    accepted(lab03.check_packed_classifier, packed(unsorted), capsys)


@pytest.mark.parametrize("forward, words", PLANTED_PACKED,
                         ids=[f.__name__ for f, _ in PLANTED_PACKED])
def test_packed_classifier_names_the_mistake(forward, words):
    names(lab03.check_packed_classifier, packed(forward), words)


@pytest.mark.parametrize("forward", [batch_normalised_features, random_initial_state,
                                     mean_of_padded_output])
def test_packed_classifier_does_not_blame_packing_that_is_right(forward):
    message = failure(lab03.check_packed_classifier, packed(forward))
    assert "Pack the features" not in message and "pack with" not in message, message


def test_packing_errors_say_cpu_not_int64():
    """pack_padded_sequence converts any integer (or float) CPU lengths to int64 itself."""
    assert "int64" not in lab03.PACKING_ERRORS["1D CPU int64"]
    x = torch.randn(3, 5, 2)
    right = pack_padded_sequence(x, torch.tensor([5, 3, 2]), batch_first=True)
    for dtype in (torch.int32, torch.float32, torch.uint8):
        other = pack_padded_sequence(x, torch.tensor([5, 3, 2], dtype=dtype), batch_first=True)
        assert torch.equal(other.data, right.data)
        assert torch.equal(other.batch_sizes, right.batch_sizes)


def test_packed_classifier_sends_a_broken_front_end_back_to_its_check():
    class ReadsPadding(ref.MaskedFrontEnd):
        def forward(self, x, lengths):
            return _front(self, x, lengths, mask_input=False, mask_each=False, mask_last=False)

    class WithBrokenFrontEnd(ref.VariableLengthClassifier):
        def __init__(self, channels=16, hidden_size=16, bidirectional=True, n_classes=10):
            super().__init__(channels, hidden_size, bidirectional, n_classes)
            self.front_end = ReadsPadding(channels)
    message = failure(lab03.check_packed_classifier, WithBrokenFrontEnd)
    assert "fix MaskedFrontEnd first" in message, message


def test_packed_classifier_checks_the_whole_model_for_padding_invariance():
    """Without the masks the logits of a padded batch would still be plausible numbers: the
    check must compare each signal alone with the same signal in a padded batch."""
    x, lengths = lab03._padded_case(0.0)
    torch.manual_seed(0)
    model = ref.VariableLengthClassifier(4, 3).eval()
    with torch.no_grad():
        batch = unmasked_convolutions(model, x, lengths)
        alone = torch.cat([unmasked_convolutions(model, x[b:b + 1, :n], lengths[b:b + 1])
                           for b, n in enumerate(lengths.tolist())])
        assert (batch - alone).abs().max() > 1e-3      # the unmasked model is not invariant
        right = ref.VariableLengthClassifier.forward(model, x, lengths)
        right_alone = torch.cat([ref.VariableLengthClassifier.forward(
            model, x[b:b + 1, :n], lengths[b:b + 1]) for b, n in enumerate(lengths.tolist())])
    assert torch.allclose(right, right_alone, atol=1e-6)


def test_packed_classifier_reports_a_stub():
    assert "not implemented yet" in failure(lab03.check_packed_classifier, packed(stub))


# ------------------------------------------------------------------ the systematic layer

def features_as_numpy(result):
    features, steps = result
    return features.numpy(), steps


def features_as_float64(result):
    features, steps = result
    return features.double(), steps


def _with_forward(cls, check):
    def run(forward):
        check(type("Student", (cls,), {"forward": forward}))
    return run


CASES = [
    Case(lab03.check_final_state, ref.final_state, mutable=(0,),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_float64, "dtype torch.float64")]),
    Case(lab03.check_classifier, reference_forward, mutable=(1,),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_float64, "dtype torch.float64")],
         run=_with_forward(ref.RecurrentClassifier, lab03.check_classifier)),
    Case(lab03.check_random_shift, ref.random_shift, mutable=(0,),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_float64, "dtype torch.float64")],
         rng=2, rng_words="generator"),
    Case(lab03.check_collate, ref.collate, mutable=(0, 1),
         returns=[(lengths_as_int32, "dtype torch.int32"), (padded_as_numpy, "torch.Tensor"),
                  (labels_as_float, "labels has dtype torch.float32")]),
    Case(lab03.check_masked_front_end, reference_front_end, mutable=(1, 2),
         returns=[(features_as_numpy, "should be a torch.Tensor"),
                  (features_as_float64, "dtype torch.float64")],
         run=_with_forward(ref.MaskedFrontEnd, lab03.check_masked_front_end)),
    Case(lab03.check_packed_classifier, reference_packed, mutable=(1, 2),
         returns=[(to_numpy, "should be a torch.Tensor"), (to_float64, "dtype torch.float64")],
         run=_with_forward(ref.VariableLengthClassifier, lab03.check_packed_classifier)),
]


def test_a_model_whose_layers_were_replaced_is_told_to_keep_init():
    class NoneHead(ref.RecurrentClassifier):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.head = None
    assert "self.head should be the layer __init__ creates" in failure(lab03.check_classifier,
                                                                       NoneHead)
