"""course_utils.seq2seq: vocabularies, data, batches, the reference decoder, metrics, figures."""
import matplotlib
import numpy as np
import pytest
import torch

from course_utils import seq2seq as s2s, style
from tests._bad_input import ids, untried
from tests._figures import labels_outside_axes, overlapping_labels

matplotlib.use("Agg")


# ----------------------------------------------------------------- Vocab
def test_vocab_round_trip_and_special_ids():
    v = s2s.Vocab("0123456789+")
    assert (v.pad_id, v.start_id, v.end_id) == (0, 1, 2) and len(v) == 14
    ids = v.encode("535+61", start=True, end=True)
    assert ids[0] == v.start_id and ids[-1] == v.end_id and len(ids) == 8
    assert v.decode_text(ids + [0, 0]) == "535+61"
    assert v.decode([v.id_of["5"], v.end_id, v.id_of["7"]]) == ["5"]  # stops at </s>
    assert v.decode_text(torch.tensor([v.id_of["4"], 0])) == "4"


def test_vocab_of_integers():
    v = s2s.Vocab(range(100))
    assert len(v) == 103 and v.encode([0, 99]) == [3, 102] and v.decode([3, 102]) == [0, 99]


@pytest.mark.parametrize("symbols, error, words", [
    ("", ValueError, "must not be empty"),
    ("aa", ValueError, "distinct"),
    (["<pad>", "a"], ValueError, "special tokens"),
    (5, TypeError, "sequence of symbols"),
    ([["a"], "b"], TypeError, "hashable"),
])
def test_vocab_rejects_bad_symbols(symbols, error, words):
    with pytest.raises(error, match=words):
        s2s.Vocab(symbols)


def test_vocab_names_the_unknown_symbol_and_bad_id():
    v = s2s.Vocab("01")
    with pytest.raises(ValueError, match=r"'7' at position 1"):
        v.encode("171")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        v.decode([99])


@pytest.mark.parametrize("call, error, words", [
    (lambda v: v.encode(5), TypeError, "seq must be a sequence"),
    (lambda v: v.decode(torch.zeros(2, 2, dtype=torch.long)), TypeError, "1-D tensor"),
    (lambda v: v.decode(torch.tensor([3.0])), TypeError, "integer ids"),
    (lambda v: v.decode([3, 2.5]), TypeError, "ids must be integers, got 2.5"),
    (lambda v: v.decode("34"), TypeError, "list or 1-D tensor"),
    (lambda v: v.decode_text(None), TypeError, "list or 1-D tensor"),
])
def test_vocab_methods_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call(s2s.Vocab("01"))


# ----------------------------------------------------------------- echo
def test_echo_data_shapes_targets_and_disjoint_test():
    d = s2s.echo_data(500, 200, n=5, k=2, vocab_size=100, seed=3)
    assert d.train_src.shape == (500, 5) and d.train_tgt.shape == (500, 2)
    assert d.test_src.shape == (200, 5) and d.test_tgt.shape == (200, 2)
    assert torch.equal(d.train_tgt, d.train_src[:, :2]) and torch.equal(d.test_tgt, d.test_src[:, :2])
    assert int(d.train_src.min()) >= 0 and int(d.train_src.max()) < 100
    assert not {tuple(r) for r in d.train_src.tolist()} & {tuple(r) for r in d.test_src.tolist()}
    again = s2s.echo_data(500, 200, seed=3)
    assert torch.equal(again.train_src, d.train_src) and torch.equal(again.test_src, d.test_src)
    assert not torch.equal(s2s.echo_data(500, 200, seed=4).train_src, d.train_src)


@pytest.mark.parametrize("kwargs, words", [
    (dict(num_train=0), "num_train"), (dict(k=6, n=5), "k must be at most"),
    (dict(vocab_size=1), "vocab_size"), (dict(n=1, k=1, vocab_size=2), "distinct sequences"),
    (dict(seed=-1), "seed"), (dict(n=2.5), "n must be an integer"),
])
def test_echo_data_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        s2s.echo_data(**kwargs)


# ----------------------------------------------------------------- addition
def test_addition_problems_are_right_unique_up_to_order_and_disjoint():
    d = s2s.addition_problems(5000, 1000, max_digits=3, seed=0)
    assert len(d.train_questions) == 5000 and len(d.test_answers) == 1000
    pairs = []
    for q, a in zip(d.train_questions + d.test_questions, d.train_answers + d.test_answers):
        x, y = q.split("+")
        assert int(x) + int(y) == int(a) and len(x) <= 3 and len(y) <= 3 and a == str(int(a))
        pairs.append(tuple(sorted((int(x), int(y)))))
    assert len(set(pairs)) == len(pairs)  # a+b and b+a counted once, train and test disjoint
    again = s2s.addition_problems(5000, 1000, seed=0)
    assert again.test_questions == d.test_questions
    assert s2s.addition_problems(5000, 1000, seed=1).train_questions != d.train_questions


@pytest.mark.parametrize("kwargs, words", [
    (dict(num_train=-5), "num_train"), (dict(max_digits=0), "max_digits"),
    (dict(num_train=40, num_test=10, max_digits=1), "too many"), (dict(seed=1.5), "seed"),
])
def test_addition_problems_reject_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        s2s.addition_problems(**kwargs)


def test_addition_vocab_needs_every_character():
    assert len(s2s.addition_vocab()) == 14
    assert len(s2s.addition_vocab("+0123456789 ")) == 15
    with pytest.raises(ValueError, match=r"misses the characters \['\+'\]"):
        s2s.addition_vocab("0123456789")
    with pytest.raises(TypeError, match="alphabet"):
        s2s.addition_vocab(list("0123456789+"))


def test_addition_sources_targets_and_answers_in_both_digit_orders():
    v = s2s.addition_vocab()
    src = s2s.addition_sources(["535+61", "7+8"], v)
    assert src.shape == (2, 7) and v.decode_text(src[0]) == "16+535" and v.decode_text(src[1]) == "8+7"
    assert v.decode_text(s2s.addition_sources(["535+61"], v, reverse_question=False)[0]) == "535+61"
    tgt = s2s.addition_targets(["596", "1998"], v)
    assert tgt.shape == (2, 5) and v.decode_text(tgt[0]) == "695" and tgt[0, 3:].tolist() == [2, 0]
    assert s2s.answers_from_ids(tgt, v) == ["596", "1998"]
    msb = s2s.addition_targets(["596", "1998"], v, answer_lsb_first=False)
    assert v.decode_text(msb[1]) == "1998"
    assert s2s.answers_from_ids(msb, v, answer_lsb_first=False) == ["596", "1998"]
    assert s2s.addition_sources(["12345+1"], v, max_digits=5).shape == (1, 11)


@pytest.mark.parametrize("call, error, words", [
    (lambda v: s2s.addition_sources("535+61", v), TypeError, "questions must be a list"),
    (lambda v: s2s.addition_sources([], v), ValueError, "questions must not be empty"),
    (lambda v: s2s.addition_sources(["1234+567"], v), ValueError, "shorter than the longest"),
    (lambda v: s2s.addition_sources(["1+1"], v, max_digits=0), ValueError, "max_digits"),
    (lambda v: s2s.addition_targets(596, v), TypeError, "answers must be a list"),
    (lambda v: s2s.addition_targets(["59a"], v), ValueError, "'a' at position 0"),
    (lambda v: s2s.addition_targets(["1"], "0123456789+"), TypeError, "vocab must be"),
    (lambda v: s2s.answers_from_ids(torch.zeros(2, 3), v), TypeError, "integer token ids"),
    (lambda v: s2s.answers_from_ids(torch.zeros(3, dtype=torch.long), v), ValueError, "2 dimensions"),
    (lambda v: s2s.answers_from_ids(torch.full((1, 3), 99), v), ValueError, "outside the vocabulary"),
])
def test_addition_helpers_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call(s2s.addition_vocab())


# ----------------------------------------------------------------- batches and loss
def test_pad_and_encode_texts_reverse_and_pad():
    v = s2s.addition_vocab()
    x = s2s.encode_texts(["535+61", "7+8"], v, reverse=True, length=7)
    assert x.shape == (2, 7) and v.decode_text(x[0]) == "16+535" and v.decode_text(x[1]) == "8+7"
    assert x[1, 3:].tolist() == [0, 0, 0, 0]
    y = s2s.encode_texts(["596", "15"], v, end=True)
    assert y.shape == (2, 4) and y[1].tolist()[-2:] == [v.end_id, v.pad_id]
    assert s2s.pad_sequences([[5], [6, 7]], pad_id=9).tolist() == [[5, 9], [6, 7]]


@pytest.mark.parametrize("call, error, words", [
    (lambda: s2s.pad_sequences("abc"), TypeError, "list of id lists"),
    (lambda: s2s.pad_sequences([]), ValueError, "must not be empty"),
    (lambda: s2s.pad_sequences([[1, 2, 3]], length=2), ValueError, "shorter than the longest"),
    (lambda: s2s.encode_texts("535+61", s2s.addition_vocab()), TypeError, "list of sequences"),
    (lambda: s2s.encode_texts(["1+1"], "0123456789+"), TypeError, "vocab must be"),
    (lambda: s2s.encode_texts(["1-1"], s2s.addition_vocab()), ValueError, "'-' at position 1"),
    (lambda: s2s.shift_right([[1, 2]], 1), TypeError, "targets must be a torch.Tensor"),
    (lambda: s2s.shift_right(torch.zeros(3, dtype=torch.long), 1), ValueError, "2 dimensions"),
    (lambda: s2s.shift_right(torch.zeros(2, 2), 1), TypeError, "integer token ids"),
    (lambda: s2s.masked_cross_entropy(torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.long), 0),
     ValueError, r"\(B, T, V\)"),
    (lambda: s2s.masked_cross_entropy(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype=torch.long), 0),
     ValueError, "must agree"),
    (lambda: s2s.masked_cross_entropy(torch.zeros(2, 3, 5, dtype=torch.long),
                                      torch.zeros(2, 3, dtype=torch.long), 0), TypeError, "floating"),
    (lambda: s2s.masked_cross_entropy(torch.zeros(2, 3, 5), torch.full((2, 3), 7), 0),
     ValueError, "id 7, outside the vocabulary"),
    (lambda: s2s.masked_cross_entropy(torch.zeros(2, 3, 5), torch.zeros(2, 3, dtype=torch.long), "0"),
     TypeError, "pad_id must be a token id"),
    (lambda: s2s.shift_right(torch.zeros(2, 0, dtype=torch.long), 1), ValueError, "must not be empty"),
    (lambda: s2s.shift_right(torch.zeros(2, 2, dtype=torch.long), -1), TypeError, "start_id"),
    (lambda: s2s.padding_mask([1, 0], 0), TypeError, "ids must be a torch.Tensor"),
    (lambda: s2s.pad_sequences([[1]], pad_id=None), TypeError, "pad_id"),
])
def test_batch_helpers_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_shift_right_mask_and_masked_loss_ignores_padding():
    y = torch.tensor([[5, 6, 2, 0], [7, 2, 0, 0]])
    assert s2s.shift_right(y, 1).tolist() == [[1, 5, 6, 2], [1, 7, 2, 0]]
    assert s2s.padding_mask(y, 0).tolist() == [[True, True, True, False], [True, True, False, False]]
    logits = torch.randn(2, 4, 9)
    loss = s2s.masked_cross_entropy(logits, y, 0)
    changed = logits.clone()
    changed[0, 3] += 10.0  # a padding position: must not move the loss
    assert torch.isclose(loss, s2s.masked_cross_entropy(changed, y, 0))
    per = torch.nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none")
    assert torch.isclose(loss, per[y != 0].mean())


# ----------------------------------------------------------------- model and decoding
@pytest.mark.parametrize("cell", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("one_hot", [False, True])
def test_seq2seq_shapes_and_greedy_matches_step_by_step(cell, one_hot):
    torch.manual_seed(0)
    model = s2s.Seq2Seq(15, hidden_size=8, embedding_dim=4, cell=cell, one_hot=one_hot).eval()
    src = torch.randint(3, 15, (4, 6))
    assert model(src, torch.randint(0, 15, (4, 3))).shape == (4, 3, 15)
    out = s2s.greedy_decode(model, src, 1, 3)
    assert out.shape == (4, 3)
    # teacher-forcing the greedy output reproduces it: the same computation, batched
    logits = model(src, s2s.shift_right(out, 1))
    assert torch.equal(logits.argmax(-1), out)


def test_teacher_forced_loss_and_train_seq2seq_learn_to_echo():
    torch.manual_seed(0)
    src = torch.randint(3, 9, (256, 3))
    targets = torch.cat([src[:, :1], torch.full((256, 1), 2)], dim=1)   # the first id, then </s>
    model = s2s.Seq2Seq(9, hidden_size=16, embedding_dim=8)
    before = s2s.teacher_forced_loss(model, src, targets).item()
    history = s2s.train_seq2seq(model, src, targets, epochs=15, batch_size=32, lr=0.02,
                                progress=False)
    after = s2s.teacher_forced_loss(model.eval(), src, targets).item()
    assert history.epochs == 15 and after < 0.2 * before
    assert s2s.exact_match(s2s.greedy_decode(model, src, 1, 2), targets) > 0.9


def test_train_seq2seq_is_deterministic_given_the_seeds():
    src, targets = torch.randint(3, 9, (64, 3)), torch.randint(3, 9, (64, 2))
    losses = []
    for _ in range(2):
        torch.manual_seed(1)
        model = s2s.Seq2Seq(9, hidden_size=8, embedding_dim=4)
        losses.append(s2s.train_seq2seq(model, src, targets, epochs=2, batch_size=16, seed=3,
                                        progress=False).train_loss)
    assert losses[0] == losses[1]


@pytest.mark.parametrize("call, error, words", [
    (lambda m: s2s.train_seq2seq("model", torch.zeros(2, 2, dtype=torch.long),
                                 torch.zeros(2, 2, dtype=torch.long), epochs=1), TypeError, "nn.Module"),
    (lambda m: s2s.train_seq2seq(m, torch.zeros(2, 2), torch.zeros(2, 2, dtype=torch.long), epochs=1),
     TypeError, "src must hold integer token ids"),
    (lambda m: s2s.train_seq2seq(m, torch.zeros(2, 2, dtype=torch.long),
                                 torch.zeros(3, 2, dtype=torch.long), epochs=1), ValueError, "one target a source"),
    (lambda m: s2s.train_seq2seq(m, torch.zeros(2, 2, dtype=torch.long),
                                 torch.zeros(2, 2, dtype=torch.long), epochs=0), ValueError, "epochs"),
    (lambda m: s2s.train_seq2seq(m, torch.zeros(2, 2, dtype=torch.long),
                                 torch.zeros(2, 2, dtype=torch.long), epochs=1, lr=-1), ValueError, "lr"),
    (lambda m: s2s.train_seq2seq(m, torch.zeros(2, 2, dtype=torch.long),
                                 torch.zeros(2, 2, dtype=torch.long), epochs=1, batch_size=0),
     ValueError, "batch_size"),
    (lambda m: m(torch.zeros(2, 3), torch.zeros(2, 2, dtype=torch.long)), TypeError,
     "src must hold integer token ids"),
    (lambda m: m(torch.zeros(2, 3, dtype=torch.long), torch.zeros(3, 2, dtype=torch.long)),
     ValueError, "one row of decoder inputs per source"),
    (lambda m: m(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, dtype=torch.long)),
     ValueError, "decoder_inputs must have 2 dimensions"),
    (lambda m: m.encode(torch.full((2, 3), 10)), ValueError, "id 10, outside the vocabulary"),
    (lambda m: m.encode(torch.zeros(0, 3, dtype=torch.long)), ValueError, "src must not be empty"),
    (lambda m: m.step(torch.zeros(2, 1, dtype=torch.long), None), ValueError,
     "tokens must have 1 dimensions"),
    (lambda m: m.embed([3, 4]), TypeError, "ids must be a torch.Tensor"),
    (lambda m: s2s.teacher_forced_loss(m, torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3)),
     TypeError, "targets must hold integer token ids"),
    (lambda m: s2s.greedy_decode(m, torch.zeros(1, 2, dtype=torch.long), 1.0, 3), TypeError,
     "start_id"),
    (lambda m: s2s.greedy_decode(m, [[3, 4]], 1, 3), TypeError, "src must be a torch.Tensor"),
])
def test_training_and_model_methods_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call(s2s.Seq2Seq(10, hidden_size=4, embedding_dim=2))


@pytest.mark.parametrize("call, error, words", [
    (lambda: s2s.Seq2Seq(1), ValueError, "vocab_size"),
    (lambda: s2s.Seq2Seq(10, cell="Transformer"), ValueError, "cell must be one of"),
    (lambda: s2s.Seq2Seq(10, hidden_size=0), ValueError, "hidden_size"),
    (lambda: s2s.greedy_decode(torch.nn.Linear(2, 2), torch.zeros(1, 2, dtype=torch.long), 1, 3),
     TypeError, "encode"),
    (lambda: s2s.greedy_decode(s2s.Seq2Seq(10), torch.zeros(1, 2, dtype=torch.long), 1, 0),
     ValueError, "max_len"),
])
def test_model_and_decoder_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ----------------------------------------------------------------- metrics
def test_exact_match_and_token_accuracy_on_strings_and_tensors():
    assert s2s.exact_match(["596", "59", "12"], ["596", "596", "13"]) == pytest.approx(1 / 3)
    assert s2s.token_accuracy(["596", "59", "12"], ["596", "596", "13"]) == pytest.approx(6 / 8)
    p = torch.tensor([[5, 2, 7], [4, 4, 2]])
    e = torch.tensor([[5, 2, 0], [4, 3, 2]])
    assert s2s.exact_match(p, e, pad_id=0) == 0.5 and s2s.exact_match(p, e) == 0.0
    assert s2s.token_accuracy(p, e, pad_id=0) == pytest.approx(4 / 5)


@pytest.mark.parametrize("call, error, words", [
    (lambda: s2s.exact_match("596", "596"), TypeError, "list of sequences"),
    (lambda: s2s.exact_match(["1"], ["1", "2"]), ValueError, "predicted has 1"),
    (lambda: s2s.exact_match([], []), ValueError, "must not be empty"),
    (lambda: s2s.token_accuracy(torch.zeros(2, 3), torch.zeros(2, 4)), ValueError, "one shape"),
    (lambda: s2s.exact_match(torch.zeros(2, 3), ["1", "2"]), TypeError, "both be tensors"),
    (lambda: s2s.exact_match(torch.zeros(0, 3), torch.zeros(0, 3)), ValueError, "non-empty"),
    (lambda: s2s.token_accuracy(None, ["1"]), TypeError, "predicted must be a list"),
])
def test_metrics_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_exact_match_counts_rows_of_ids_whole():
    predicted = [(45, 67, 2), (45, 68, 2), (9, 9, 2)]
    expected = [(45, 67, 2), (45, 67, 2), (9, 9, 2)]
    assert s2s.exact_match(predicted, expected) == pytest.approx(2 / 3)
    assert s2s.token_accuracy(predicted, expected) == pytest.approx(8 / 9)


def test_principal_components_order_and_arbitrary_sign():
    rng = np.random.default_rng(0)
    weight = np.outer(np.arange(10.0), rng.normal(size=6)) + 0.01 * rng.normal(size=(10, 6))
    xy, share = s2s.principal_components(weight, 2)
    assert xy.shape == (10, 2) and share[0] > 0.99 and share.sum() <= 1
    assert abs(np.corrcoef(xy[:, 0], np.arange(10))[0, 1]) > 0.99
    flipped, _ = s2s.principal_components(-weight, 2)   # same table mirrored: same |coordinates|
    assert np.allclose(np.abs(flipped), np.abs(xy))


@pytest.mark.parametrize("call, error, words", [
    (lambda: s2s.principal_components(np.zeros(5)), ValueError, "weight must be a"),
    (lambda: s2s.principal_components(np.zeros((1, 3))), ValueError, "N >= 2"),
    (lambda: s2s.principal_components(np.zeros((4, 3)), k=0), ValueError, "k must be"),
    (lambda: s2s.principal_components(np.zeros((4, 3)), k=4), ValueError, "D >= k = 4"),
])
def test_principal_components_reject_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ----------------------------------------------------------------- figures
def test_attention_sketch_draws_with_the_diagram_helpers_in_the_concept_colours():
    """Lecture 06's sketch: boxes and arrows are course_utils.diagrams' (each label inside its
    box), coloured by concept; plotting's old _box/_arrow helpers are gone."""
    from matplotlib.colors import to_hex

    from course_utils import plotting
    from tests._figures import layout_problems

    fig = s2s.plot_attention_sketch("16+535", "695", figsize=(12, 3.7))
    left, right = fig.axes[:2]
    boxes = [p for p in left.patches if (p.get_gid() or "").startswith("box")]
    by_colour = {}
    for p in boxes:
        by_colour.setdefault(to_hex(p.get_edgecolor()), []).append(p)
    C = style.CONCEPT
    assert {k: len(v) for k, v in by_colour.items()} == {
        C["input"].lower(): 6, C["state"].lower(): 1, C["output"].lower(): 3}
    assert all((t.get_gid() or "").startswith("in:") for t in left.texts)
    assert layout_problems(fig) == []
    assert right.images[0].get_cmap().name == "Blues" and "darker blue" in style.alt_text(fig)
    assert not hasattr(plotting, "_box") and not hasattr(plotting, "_arrow")


@pytest.mark.parametrize("figsize", [(11, 3.9), style.SLIDE_FIGSIZE])
def test_embedding_labels_of_nearly_coinciding_points_stay_readable(figsize):
    """Lecture 06's digits 1 and 4 land almost on one point: their labels were drawn over each
    other. Every label stays inside the axes and overlaps none."""
    rng = np.random.default_rng(0)
    table = rng.normal(size=(10, 8))
    table[4] = table[1] + 0.01            # two nearly coinciding rows
    table[6] = table[5] + 0.05
    fig = s2s.plot_embeddings_2d(table, list("0123456789"), figsize=figsize)
    assert overlapping_labels(fig) == []
    assert labels_outside_axes(fig.axes[0]) == []
    assert sorted(t.get_text() for t in fig.axes[0].texts) == list("0123456789")


def test_figures_fit_a_slide_and_are_labelled():
    fig = s2s.plot_embeddings_2d(torch.randn(10, 8), list("0123456789"))
    ax = fig.axes[0]
    assert "principal component 1" in ax.get_xlabel() and ax.get_title()
    for fig in (fig, s2s.plot_encoder_decoder(), s2s.plot_attention_sketch()):
        w, h = fig.get_size_inches()
        assert w <= style.MAX_FIGSIZE[0] and h <= style.MAX_FIGSIZE[1] and fig.axes[0].get_title()


@pytest.mark.parametrize("call, words", [
    (lambda: s2s.plot_embeddings_2d(torch.randn(10), list("0123456789")), "weight must be"),
    (lambda: s2s.plot_embeddings_2d(torch.randn(10, 3), list("012")), "labels must be"),
    (lambda: s2s.plot_encoder_decoder(source=""), "non-empty"),
    (lambda: s2s.plot_attention_sketch(target=5), "non-empty"),
])
def test_figures_reject_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --------------------------------------------------------------------------- bad input (issue 16)
def _ids(*shape):
    return torch.zeros(*shape, dtype=torch.long)


_VOCAB = s2s.addition_vocab()
_MODEL = s2s.Seq2Seq(len(_VOCAB), 4, 8)

BAD_INPUT = [
    ("addition_problems", "type", lambda: s2s.addition_problems(num_train=1.5), ValueError,
     r"num_train must be an integer >= 1, got 1.5"),
    ("addition_problems", "empty", lambda: s2s.addition_problems(num_train=0), ValueError,
     r"num_train must be an integer >= 1, got 0"),
    ("addition_problems", "shape", lambda: s2s.addition_problems(max_digits=0), ValueError,
     r"max_digits must be an integer >= 1, got 0"),
    ("addition_sources", "type", lambda: s2s.addition_sources("12+3", _VOCAB), TypeError,
     "questions must be a list of strings, got str"),
    ("addition_sources", "type", lambda: s2s.addition_sources(["12+3"], "0123"), TypeError,
     "vocab must be a course_utils.seq2seq.Vocab, got str"),
    ("addition_sources", "shape", lambda: s2s.addition_sources([["1", "2"]], _VOCAB), TypeError,
     "questions must be a list of strings, got list at position 0"),
    ("addition_sources", "empty", lambda: s2s.addition_sources([], _VOCAB), ValueError,
     "questions must not be empty"),
    ("addition_targets", "type", lambda: s2s.addition_targets(5, _VOCAB), TypeError,
     "answers must be a list of strings, got int"),
    ("addition_targets", "shape", lambda: s2s.addition_targets([["1"]], _VOCAB), TypeError,
     "answers must be a list of strings, got list at position 0"),
    ("addition_targets", "empty", lambda: s2s.addition_targets([], _VOCAB), ValueError,
     "answers must not be empty"),
    ("addition_vocab", "type", lambda: s2s.addition_vocab(5), TypeError,
     "alphabet must be a string of characters, got int"),
    ("addition_vocab", "empty", lambda: s2s.addition_vocab(""), ValueError,
     r"alphabet '' misses the characters .* it needs all of '0123456789\+'"),
    ("answers_from_ids", "type", lambda: s2s.answers_from_ids([[1, 2]], _VOCAB), TypeError,
     "ids must be a torch.Tensor of token ids, got list"),
    ("answers_from_ids", "shape", lambda: s2s.answers_from_ids(_ids(3), _VOCAB), ValueError,
     r"ids must have 2 dimensions, got shape \(3,\)"),
    ("answers_from_ids", "empty", lambda: s2s.answers_from_ids(_ids(0, 3), _VOCAB), ValueError,
     r"ids must not be empty, got shape \(0, 3\)"),
    ("answers_from_ids", "value", lambda: s2s.answers_from_ids(_ids(2, 3) + 99, _VOCAB), ValueError,
     "ids holds the id 99, outside the vocabulary"),
    ("echo_data", "type", lambda: s2s.echo_data(n=2.0), ValueError, "n must be an integer >= 1, got 2.0"),
    ("echo_data", "shape", lambda: s2s.echo_data(n=0), ValueError, "n must be an integer >= 1, got 0"),
    ("echo_data", "empty", lambda: s2s.echo_data(num_train=0), ValueError,
     "num_train must be an integer >= 1, got 0"),
    ("encode_texts", "type", lambda: s2s.encode_texts("abc", _VOCAB), TypeError,
     "texts must be a list of sequences, got str"),
    ("encode_texts", "shape", lambda: s2s.encode_texts([5], _VOCAB), TypeError,
     r"texts must be a list of sequences \(strings, lists of symbols\), got int at position 0"),
    ("encode_texts", "empty", lambda: s2s.encode_texts([], _VOCAB), ValueError, "seqs must not be empty"),
    ("encode_texts", "value", lambda: s2s.encode_texts(["x"], _VOCAB), ValueError,
     "symbol 'x' at position 0 of 'x' is not in the vocabulary"),
    ("exact_match", "type", lambda: s2s.exact_match(3, [[1]]), TypeError,
     r"predicted must be a list of sequences \(strings or id lists\) or a tensor, got int"),
    ("exact_match", "type", lambda: s2s.exact_match(torch.zeros(2, 3), [[1, 2, 3]] * 2), TypeError,
     "predicted and expected must both be tensors or both be lists"),
    ("exact_match", "shape", lambda: s2s.exact_match([[1]], [[1], [2]]), ValueError,
     "predicted has 1 sequences, expected 2"),
    ("exact_match", "shape", lambda: s2s.exact_match(_ids(2, 3), _ids(2, 4)), ValueError,
     r"predicted \(2, 3\) and expected \(2, 4\) must be non-empty \(B, T\) tensors of one shape"),
    ("exact_match", "empty", lambda: s2s.exact_match([], []), ValueError, "expected must not be empty"),
    ("greedy_decode", "type", lambda: s2s.greedy_decode("m", _ids(2, 3), 1, 4), TypeError,
     r"model must have encode\(src\) and step\(tokens, state\) methods, got str"),
    ("greedy_decode", "shape", lambda: s2s.greedy_decode(_MODEL, _ids(3), 1, 4), ValueError,
     r"src must have 2 dimensions, got shape \(3,\)"),
    ("greedy_decode", "empty", lambda: s2s.greedy_decode(_MODEL, _ids(0, 3), 1, 4), ValueError,
     r"src must not be empty, got shape \(0, 3\)"),
    ("greedy_decode", "value", lambda: s2s.greedy_decode(_MODEL, _ids(2, 3), 1, 0), ValueError,
     "max_len must be an integer >= 1, got 0"),
    ("masked_cross_entropy", "type", lambda: s2s.masked_cross_entropy([1], _ids(2, 3), 0), TypeError,
     r"logits must be a \(B, T, V\) tensor, got list"),
    ("masked_cross_entropy", "type", lambda: s2s.masked_cross_entropy(_ids(2, 3, 5), _ids(2, 3), 0),
     TypeError, "logits must be floating point, got dtype torch.int64"),
    ("masked_cross_entropy", "shape",
     lambda: s2s.masked_cross_entropy(torch.zeros(2, 3, 5), _ids(2, 4), 0), ValueError,
     r"logits \(2, 3, 5\) and targets \(2, 4\) must agree in B and T"),
    ("masked_cross_entropy", "empty",
     lambda: s2s.masked_cross_entropy(torch.zeros(0, 3, 5), _ids(0, 3), 0), ValueError,
     r"targets must not be empty, got shape \(0, 3\)"),
    ("pad_sequences", "type", lambda: s2s.pad_sequences(5), TypeError,
     "seqs must be a list of id lists, got int"),
    ("pad_sequences", "shape", lambda: s2s.pad_sequences([5, 6]), TypeError,
     "seqs must be a list of id lists, got int at position 0"),
    ("pad_sequences", "empty", lambda: s2s.pad_sequences([]), ValueError, "seqs must not be empty"),
    ("padding_mask", "type", lambda: s2s.padding_mask([[1]], 0), TypeError,
     "ids must be a torch.Tensor of token ids, got list"),
    ("padding_mask", "empty", lambda: s2s.padding_mask(_ids(0, 3), 0), ValueError,
     r"ids must not be empty, got shape \(0, 3\)"),
    ("plot_attention_sketch", "type", lambda: s2s.plot_attention_sketch(source=5), ValueError,
     "source and target must be non-empty strings"),
    ("plot_attention_sketch", "shape", lambda: s2s.plot_attention_sketch(figsize=(1,)), TypeError,
     r"figsize must be a pair of numbers \(inches\), got \(1,\)"),
    ("plot_attention_sketch", "empty", lambda: s2s.plot_attention_sketch(source=""), ValueError,
     "source and target must be non-empty strings"),
    ("plot_embeddings_2d", "type", lambda: s2s.plot_embeddings_2d("w", ["a"]), ValueError,
     r"weight must be a \(V, E\) table with V >= 3 and E >= 2, got \(\)"),
    ("plot_embeddings_2d", "shape", lambda: s2s.plot_embeddings_2d(torch.zeros(3), ["a"]), ValueError,
     r"weight must be a \(V, E\) table with V >= 3 and E >= 2, got \(3,\)"),
    ("plot_embeddings_2d", "shape", lambda: s2s.plot_embeddings_2d(torch.zeros(3, 4), ["a"]),
     ValueError, "labels must be a list of 3 strings, one a row of weight"),
    ("plot_embeddings_2d", "empty", lambda: s2s.plot_embeddings_2d(torch.zeros(0, 4), []), ValueError,
     r"weight must be a \(V, E\) table with V >= 3 and E >= 2, got \(0, 4\)"),
    ("plot_encoder_decoder", "type", lambda: s2s.plot_encoder_decoder(source=5), ValueError,
     "source and target must be non-empty strings"),
    ("plot_encoder_decoder", "shape", lambda: s2s.plot_encoder_decoder(figsize=(1,)), TypeError,
     r"figsize must be a pair of numbers \(inches\), got \(1,\)"),
    ("plot_encoder_decoder", "empty", lambda: s2s.plot_encoder_decoder(target=""), ValueError,
     "source and target must be non-empty strings"),
    ("principal_components", "type", lambda: s2s.principal_components("w"), ValueError,
     r"weight must be a \(N, D\) table with N >= 2 and D >= k = 2, got shape \(\)"),
    ("principal_components", "shape", lambda: s2s.principal_components(torch.zeros(3)), ValueError,
     r"weight must be a \(N, D\) table with N >= 2 and D >= k = 2, got shape \(3,\)"),
    ("principal_components", "empty", lambda: s2s.principal_components(torch.zeros(0, 4)), ValueError,
     r"got shape \(0, 4\)"),
    ("shift_right", "type", lambda: s2s.shift_right([[1, 2]], 1), TypeError,
     "targets must be a torch.Tensor of token ids, got list"),
    ("shift_right", "type", lambda: s2s.shift_right(torch.zeros(2, 3), 1), TypeError,
     "targets must hold integer token ids, got dtype torch.float32"),
    ("shift_right", "shape", lambda: s2s.shift_right(_ids(3), 1), ValueError,
     r"targets must have 2 dimensions, got shape \(3,\)"),
    ("shift_right", "empty", lambda: s2s.shift_right(_ids(0, 3), 1), ValueError,
     r"targets must not be empty, got shape \(0, 3\)"),
    ("teacher_forced_loss", "type", lambda: s2s.teacher_forced_loss("m", _ids(2, 3), _ids(2, 3)),
     TypeError, "model must be a torch.nn.Module, got str"),
    ("teacher_forced_loss", "shape", lambda: s2s.teacher_forced_loss(_MODEL, _ids(2, 3), _ids(3, 3)),
     ValueError, "src has 2 rows, targets 3: one target a source"),
    ("teacher_forced_loss", "empty", lambda: s2s.teacher_forced_loss(_MODEL, _ids(0, 3), _ids(0, 3)),
     ValueError, r"src must not be empty, got shape \(0, 3\)"),
    ("token_accuracy", "type", lambda: s2s.token_accuracy(3, [[1]]), TypeError,
     r"predicted must be a list of sequences \(strings or id lists\) or a tensor, got int"),
    ("token_accuracy", "shape", lambda: s2s.token_accuracy([[1]], [[1], [2]]), ValueError,
     "predicted has 1 sequences, expected 2"),
    ("token_accuracy", "empty", lambda: s2s.token_accuracy([], []), ValueError,
     "expected must not be empty"),
    ("train_seq2seq", "type", lambda: s2s.train_seq2seq("m", _ids(2, 3), _ids(2, 3), epochs=1),
     TypeError, "model must be a torch.nn.Module, got str"),
    ("train_seq2seq", "shape", lambda: s2s.train_seq2seq(_MODEL, _ids(2, 3), _ids(3, 3), epochs=1),
     ValueError, "src has 2 rows, targets 3: one target a source"),
    ("train_seq2seq", "empty", lambda: s2s.train_seq2seq(_MODEL, _ids(0, 3), _ids(0, 3), epochs=1),
     ValueError, r"src must not be empty, got shape \(0, 3\)"),
    ("train_seq2seq", "value", lambda: s2s.train_seq2seq(_MODEL, _ids(2, 3), _ids(2, 3), epochs=0),
     ValueError, "epochs must be an integer >= 1, got 0"),
]
# The vocabulary's alphabet is one string: it has no shape to get wrong. padding_mask keeps the
# shape of any id tensor (a mask for one sequence is as valid as for a batch).
NOT_APPLICABLE = {("addition_vocab", "shape"), ("padding_mask", "shape")}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(s2s, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
