"""course_utils.attention: the date data and its alignment, attention's pieces, the model,
the measures, the figures and the widget of unit 7."""
from __future__ import annotations

import ast
import datetime
import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.pylabtools import select_figure_formats

matplotlib.use("Agg")

from course_utils import attention as att, style  # noqa: E402
from course_utils.seq2seq import Vocab  # noqa: E402
from tests._bad_input import ids, untried  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
V = 12


def _model(attention=True):
    torch.manual_seed(0)
    return att.AttentionSeq2Seq(V, hidden_size=4, embedding_dim=3, attention_size=5,
                                attention=attention).eval()


def _memory(model, src):
    with torch.no_grad():
        return model.encode(src)


# ----------------------------------------------------------------- data
@pytest.mark.parametrize("fmt", list(att.DATE_FORMATS))
def test_every_format_copies_its_digits_from_the_positions_it_records(fmt):
    for day in (datetime.date(1903, 1, 2), datetime.date(2021, 11, 30), datetime.date(2099, 12, 31)):
        text, iso, alignment = att.render_date(day, fmt)
        assert iso == day.isoformat() and len(alignment) == 10
        for k, j in enumerate(alignment):
            if j >= 0:
                assert text[j] == iso[k], (fmt, text, iso, k, j)
        assert all(alignment[k] >= 0 for k in range(4)), "the year is always copied"
        assert alignment[4] == alignment[7] == -1, "dashes copy nothing"


def test_the_splits_are_disjoint_by_day_and_seeded():
    train = att.date_examples(300, "train", seed=0)
    test = att.date_examples(300, "test", seed=0)
    assert not set(train.targets) & set(test.targets)
    assert att.date_examples(50, "test", seed=4) == att.date_examples(50, "test", seed=4)
    assert all(att.date_split(datetime.date.fromisoformat(t)) == "test" for t in test.targets)
    assert set(att.date_examples(500, "train", seed=1).formats) == set(att.DATE_FORMATS)


def test_every_date_source_encodes_in_the_date_vocab():
    data = att.date_examples(200, seed=3)
    vocab = att.date_vocab()
    assert all(vocab.decode_text(vocab.encode(s)) == s for s in data.sources)


def test_reversal_examples_are_reversed_and_within_the_lengths():
    src, tgt = att.reversal_examples(100, 3, 5, seed=1)
    assert all(t == s[::-1] and 3 <= len(s) <= 5 for s, t in zip(src, tgt))


def test_alignment_tensor_pads_with_minus_one():
    out = att.alignment_tensor([(1, 2), (0,)], 3)
    assert out.tolist() == [[1, 2, -1], [0, -1, -1]]


# ----------------------------------------------------------------- attention
def test_masked_softmax_puts_no_weight_on_padding_and_sums_to_one():
    scores = torch.tensor([[1.0, 2.0, 50.0], [0.0, 0.0, 0.0]])
    mask = torch.tensor([[True, True, False], [True, True, True]])
    alpha = att.masked_softmax(scores, mask)
    assert alpha[0, 2] == 0 and torch.allclose(alpha.sum(1), torch.ones(2))


def test_the_model_ignores_padding_and_its_step_matches_its_forward():
    model = _model()
    src = torch.tensor([[3, 4, 5, 0, 0]])
    inputs = torch.tensor([[1, 6, 7]])
    with torch.no_grad():
        padded = model(src, inputs)
        short = model(src[:, :3], inputs)
    assert torch.allclose(padded, short, atol=1e-6), "padding changed the output"


def test_without_attention_the_context_is_the_fixed_summary():
    model = _model(attention=False)
    src = torch.tensor([[3, 4, 5]])
    memory, state = _memory(model, src)
    logits, new_state, alpha = model.step(torch.tensor([1]), state, memory)
    assert alpha is None and logits.shape == (1, V) and new_state.shape == (1, 4)


def test_greedy_decode_returns_ids_and_weights():
    ids_, alphas = att.greedy_decode(_model(), torch.tensor([[3, 4, 5, 0], [6, 7, 8, 9]]), 3)
    assert ids_.shape == (2, 3) and alphas.shape == (2, 3, 4)
    assert torch.all(alphas[0, :, 3] == 0)


def test_alignment_accuracy_counts_copied_characters_only():
    alphas = torch.tensor([[[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]])
    assert att.alignment_accuracy(alphas, torch.tensor([[0, 0, -1]])) == 0.5


def test_exact_match_by_length():
    assert att.exact_match_by_length(["ab", "c", "x"], ["ab", "d", "x"], [2, 1, 1]) == {1: 0.5, 2: 1.0}


@pytest.mark.parametrize("curves", [
    {"without attention": dict(zip(range(1, 11), (1, 1, .97, .81, .58, .25, .06, .02, 0, 0)))},
    {"with attention": {n: 1.0 for n in range(1, 25)},
     "without attention": {n: max(0.0, 1 - 0.2 * (n - 3)) if n > 3 else 1.0 for n in range(1, 25)}},
], ids=["falls through the middle", "two models"])
def test_the_training_label_sits_clear_of_the_curves(curves):
    """Lecture 07's chart once drew its curve through "lengths seen in training"."""
    fig = att.plot_accuracy_by_length(curves, trained_max=10)
    fig.draw_without_rendering()                 # lay out before reading the extents
    ax = fig.axes[0]
    label = next(t for t in ax.texts if "lengths seen" in t.get_text())
    box = label.get_window_extent().expanded(1.05, 1.1)
    for line in ax.lines:
        x, y = line.get_xdata(), line.get_ydata()
        xs = np.linspace(min(x), max(x), 400)   # the drawn segments, sampled
        pixels = ax.transData.transform(np.column_stack([xs, np.interp(xs, x, y)]))
        assert not any(box.contains(*p) for p in pixels), f"{line.get_label()} crosses the label"


def test_accuracy_by_length_alt_text_summarises_the_whole_curve():
    """The default alt text quoted only the first and the last length; it now gives each
    model's mean over the lengths seen in training and over the longer ones, computed from the
    curve drawn, and its lowest point."""
    inside = (1, 1, .97, .81, .58, .25, .06, .02, 0, 0)
    curves = {"without attention": dict(zip(range(1, 13), inside + (0.1, 0.0))),
              "with attention": {2: 1.0, 4: 1.0, 8: 0.9, 12: 0.6, 16: 0.4}}
    alt = style.alt_text(att.plot_accuracy_by_length(curves, trained_max=10))
    mean_in = 100 * sum(inside) / 10
    assert (f"without attention: {mean_in:.0f}% on average over lengths 1-10 (seen in training), "
            "5% on average over lengths 11-12 (longer), lowest 0% at length 9") in alt
    assert ("with attention: 97% on average over lengths 2, 4 and 8 (seen in training), 50% on "
            "average over lengths 12 and 16 (longer), lowest 40% at length 16") in alt
    only_seen = style.alt_text(att.plot_accuracy_by_length({"a": {1: 1.0, 2: 0.5}}, trained_max=2))
    assert "a: 75% on average over lengths 1-2 (seen in training), lowest 50% at length 2" in only_seen


def test_figures_and_the_widget_first_frame():
    alpha = np.full((3, 4), 0.25)
    assert att.plot_attention(alpha, "abcd", "xyz", [0, -1, 3]).axes
    assert att.plot_accuracy_by_length({"a": {1: 1.0, 2: 0.5}}, trained_max=1).axes
    assert att.plot_decoding_step(alpha, "abcd", "xyz", 2).axes
    vocab = Vocab("abcdefghi")
    widget = att.attention_step_widget(_model(), vocab, "abc", steps=3)
    assert widget.step.value == 1 and widget.image.value and "t = 1" in widget.status.value
    widget.step.value = 3
    assert "t = 3" in widget.status.value


# ----------------------------------------------------------------- bad input
_S = torch.zeros(2, 4)
_K = torch.zeros(2, 3, 5)
_W = torch.zeros(5, 4)
_v = torch.zeros(5)
_M = torch.ones(2, 3, dtype=torch.bool)
_MODEL = _model()
_MEM, _STATE = _memory(_MODEL, torch.tensor([[3, 4, 5]]))
_VOCAB = Vocab("abcdefghi")

BAD_INPUT = [
    ("render_date", "type", lambda: att.render_date("2021-03-04", "D Month YYYY"), TypeError,
     "day must be a datetime.date"),
    ("render_date", "value", lambda: att.render_date(datetime.date(2021, 3, 4), "YYYY"), ValueError,
     "fmt must be one of"),
    ("date_split", "type", lambda: att.date_split("2021-03-04"), TypeError, "day must be a datetime.date"),
    ("date_examples", "type", lambda: att.date_examples(5, formats="DD.MM.YYYY"), TypeError,
     "formats must be a non-empty list"),
    ("date_examples", "empty", lambda: att.date_examples(0), ValueError, "n must be an integer >= 1"),
    ("date_examples", "value", lambda: att.date_examples(5, split="dev"), ValueError,
     "split must be one of"),
    ("alignment_tensor", "type", lambda: att.alignment_tensor(torch.zeros(2, 3), 3), TypeError,
     "alignments must be a list of lists"),
    ("alignment_tensor", "shape", lambda: att.alignment_tensor([(1, 2, 3)], 2), ValueError,
     "at most steps=2"),
    ("alignment_tensor", "empty", lambda: att.alignment_tensor([], 2), ValueError,
     "alignments must not be empty"),
    ("reversal_examples", "type", lambda: att.reversal_examples(5, 1, 3, alphabet=["a", "b"]),
     ValueError, "alphabet must be a string"),
    ("reversal_examples", "empty", lambda: att.reversal_examples(0, 1, 3), ValueError,
     "n must be an integer >= 1"),
    ("reversal_examples", "value", lambda: att.reversal_examples(5, 4, 3), ValueError,
     "min_length"),
    ("additive_scores", "type", lambda: att.additive_scores(_S.numpy(), _K, _W, _v), TypeError,
     "s_prev must be a floating-point torch.Tensor"),
    ("additive_scores", "shape", lambda: att.additive_scores(_S, _K, _W.T, _v), ValueError,
     "shapes disagree"),
    ("additive_scores", "empty", lambda: att.additive_scores(_S, torch.zeros(2, 0, 5), _W, _v),
     ValueError, "keys must be a non-empty tensor"),
    ("masked_softmax", "type", lambda: att.masked_softmax(_M, _M), TypeError,
     "scores must be a floating-point torch.Tensor"),
    ("masked_softmax", "shape", lambda: att.masked_softmax(torch.zeros(2, 3), _M[:, :2]), ValueError,
     "mask must be a tensor of the scores' shape"),
    ("masked_softmax", "empty", lambda: att.masked_softmax(torch.zeros(2, 3), ~_M), ValueError,
     "row with no real position"),
    ("attention_context", "type", lambda: att.attention_context([[1.0]], _K), TypeError,
     "alpha must be a floating-point torch.Tensor"),
    ("attention_context", "shape", lambda: att.attention_context(torch.zeros(2, 4), _K), ValueError,
     "must agree in B and S"),
    ("attention_context", "empty", lambda: att.attention_context(torch.zeros(2, 0), torch.zeros(2, 0, 5)),
     ValueError, "alpha must be a non-empty tensor"),
    ("attentive_step", "type", lambda: att.attentive_step(_MODEL, torch.tensor([1]), _STATE.numpy(), _MEM),
     TypeError, "s_prev must be a floating-point torch.Tensor"),
    ("attentive_step", "shape", lambda: att.attentive_step(_MODEL, torch.tensor([1]), _STATE[0], _MEM),
     ValueError, "s_prev must be a non-empty tensor"),
    ("attentive_step", "empty", lambda: att.attentive_step(_MODEL, torch.tensor([1]), torch.zeros(1, 0), _MEM),
     ValueError, "s_prev must be a non-empty tensor"),
    ("greedy_decode", "type", lambda: att.greedy_decode(object(), torch.tensor([[3]]), 2), TypeError,
     "model must have encode"),
    ("greedy_decode", "shape", lambda: att.greedy_decode(_MODEL, torch.tensor([3, 4]), 2), ValueError,
     "src must have 2 dimensions"),
    ("greedy_decode", "empty", lambda: att.greedy_decode(_MODEL, torch.zeros(1, 0, dtype=torch.long), 2),
     ValueError, "src must not be empty"),
    ("alignment_accuracy", "type", lambda: att.alignment_accuracy(torch.zeros(1, 2, 3), [[0, 1]]),
     TypeError, "alignment must be a torch.Tensor"),
    ("alignment_accuracy", "shape", lambda: att.alignment_accuracy(torch.zeros(2, 2, 3), torch.zeros(1, 2, dtype=torch.long)),
     ValueError, "alphas has 2 rows, alignment 1"),
    ("alignment_accuracy", "empty", lambda: att.alignment_accuracy(torch.zeros(1, 2, 3), torch.full((1, 2), -1)),
     ValueError, "no output copies a source character"),
    ("exact_match_by_length", "type", lambda: att.exact_match_by_length(["a"], ["a"], torch.tensor([1])),
     TypeError, "lengths must be a list of integers"),
    ("exact_match_by_length", "shape", lambda: att.exact_match_by_length(["a"], ["a", "b"], [1, 1]),
     ValueError, "of one length"),
    ("exact_match_by_length", "empty", lambda: att.exact_match_by_length([], [], []), ValueError,
     "must be non-empty"),
    ("plot_attention", "type", lambda: att.plot_attention(np.zeros((2, 2)), 5, "ab"), ValueError,
     "source must be 2 labels"),
    ("plot_attention", "shape", lambda: att.plot_attention(np.zeros(4), "ab", "ab"), ValueError,
     "alpha must be a non-empty"),
    ("plot_attention", "empty", lambda: att.plot_attention(np.zeros((0, 2)), "ab", ""), ValueError,
     "alpha must be a non-empty"),
    ("plot_accuracy_by_length", "type", lambda: att.plot_accuracy_by_length([0.5], 3), ValueError,
     "curves must be a non-empty dict"),
    ("plot_accuracy_by_length", "shape", lambda: att.plot_accuracy_by_length({"a": [0.5]}, 3), ValueError,
     "must be a non-empty dict"),
    ("plot_accuracy_by_length", "empty", lambda: att.plot_accuracy_by_length({}, 3), ValueError,
     "curves must be a non-empty dict"),
    ("plot_decoding_step", "type", lambda: att.plot_decoding_step(np.zeros((2, 2)), "ab", "xy", 1.5),
     ValueError, "step must be an integer from 1 to 2"),
    ("plot_decoding_step", "shape", lambda: att.plot_decoding_step(np.zeros((2, 2)), "abc", "xy", 1),
     ValueError, "source must be 2 labels"),
    ("plot_decoding_step", "empty", lambda: att.plot_decoding_step(np.zeros((0, 0)), "", "", 1),
     ValueError, "alpha must be a non-empty"),
    ("decode_one", "type", lambda: att.decode_one(_MODEL, "abc", "abc"), TypeError,
     "vocab must be a course_utils.seq2seq.Vocab"),
    ("decode_one", "empty", lambda: att.decode_one(_MODEL, _VOCAB, ""), ValueError,
     "source must be a non-empty string"),
    ("decode_one", "value", lambda: att.decode_one(_model(False), _VOCAB, "abc"), ValueError,
     "model has no attention"),
    ("attention_step_widget", "type", lambda: att.attention_step_widget(_MODEL, _VOCAB, "abc", step=1.0, steps=3),
     ValueError, "step must be an integer from 1 to"),
    ("attention_step_widget", "empty", lambda: att.attention_step_widget(_MODEL, _VOCAB, ""), ValueError,
     "source must be a non-empty string"),
    ("attention_step_widget", "value", lambda: att.attention_step_widget(_MODEL, _VOCAB, "abc", step=9, steps=3),
     ValueError, "step must be an integer from 1 to"),
]
NOT_APPLICABLE = {
    ("render_date", "shape"), ("render_date", "empty"),      # one date and one format name
    ("date_split", "shape"), ("date_split", "empty"),        # one date
    ("date_examples", "shape"),                              # sizes and names, no array
    ("date_vocab", "type"), ("date_vocab", "shape"), ("date_vocab", "empty"),  # no argument
    ("reversal_examples", "shape"),                          # sizes, no array
    ("decode_one", "shape"),                                 # one string
    ("attention_step_widget", "shape"),                      # one string
}


def test_the_table_covers_every_public_function():
    assert untried(att, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()


# ----------------------------------------------------------------- figures are shown
def _figure_cells(path):
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and any(
                isinstance(node, ast.Call) and _name(node.func).startswith("plot_")
                for node in ast.walk(ast.parse(_python(source)))):
            yield index, source


def _name(func) -> str:
    return getattr(func, "id", getattr(func, "attr", ""))


def _python(source: str) -> str:
    return "\n".join("pass" if line.startswith(("%", "!")) else line for line in source.splitlines())


def _shown(source: str) -> bool:
    """True when running the cell shows its figure: every figure is passed to display(), or
    the cell's last statement is a plot_* call or a name (the figure, after style.set_alt)
    whose value Jupyter displays (no ';')."""
    if "display(" in source:
        return True
    last = ast.parse(_python(source)).body[-1]
    shown = isinstance(last, ast.Expr) and (
        isinstance(last.value, ast.Name)
        or isinstance(last.value, ast.Call) and _name(last.value.func).startswith("plot_"))
    return shown and not source.rstrip().endswith(";")


UNIT7 = [ROOT / "lectures" / "07_attention.ipynb", ROOT / "solutions" / "07_attention.ipynb",
         ROOT / "labs" / "07_attention.ipynb"]


@pytest.mark.parametrize("path", UNIT7, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_figure_cell_of_unit_7_shows_its_figure(path):
    cells = list(_figure_cells(path))
    assert cells, f"{path.name}: no figure cell found (the pattern is stale)"
    hidden = [index for index, source in cells if not _shown(source)]
    assert not hidden, f"{path}: cells {hidden} draw a figure that Jupyter never shows"
    assert not _shown("plot_attention(a, s, o);") and not _shown("for i in r:\n    plot_attention(a)")


@pytest.mark.parametrize("draw", [
    lambda: att.plot_attention(np.full((3, 4), 0.25), "abcd", "xyz", [0, -1, 3]),
    lambda: att.plot_accuracy_by_length({"a": {1: 1.0, 2: 0.5}}, trained_max=1),
    lambda: att.plot_decoding_step(np.full((3, 4), 0.25), "abcd", "xyz", 2)],
    ids=["plot_attention", "plot_accuracy_by_length", "plot_decoding_step"])
def test_a_figure_a_helper_returns_is_displayed_as_png(draw):
    """The inline backend's formatter turns the helpers' figures into image/png, the output
    the executed notebooks hold (unit 7's figures had none before)."""
    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"})
    data, _ = shell.display_formatter.format(draw())
    assert data.get("image/png", b"")[:4] in (b"\x89PNG", "iVBO"), sorted(data)
