"""The course's diagrams (course_utils.diagrams and the diagram functions of other modules):
slide width, text of at least 16 pt, every label inside its box, no two labels overlapping,
alternative text, and pictures that say what the code does."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

import numpy as np  # noqa: E402

from course_utils import diagrams, gates_plot, gradients, linear_rnn, plotting, seq2seq, style  # noqa: E402
from tests._bad_input import ids, untried  # noqa: E402
from tests._figures import layout_problems  # noqa: E402

DIAGRAMS = {
    "rnn_full_network": diagrams.rnn_full_network,
    "truncated_bptt_chunks": diagrams.truncated_bptt_chunks,
    "packing_batch_sizes": diagrams.packing_batch_sizes,
    "padding_mask": diagrams.padding_mask,
    "bucketing": diagrams.bucketing,
    "deep_rnn_grid": diagrams.deep_rnn_grid,
    "dropout_between_layers": diagrams.dropout_between_layers,
    "teacher_forcing_vs_free_running": diagrams.teacher_forcing_vs_free_running,
    **{f"lstm_build_{k}": (lambda k=k: gates_plot.draw_lstm_cell(parts=k)) for k in range(1, 5)},
    **{f"gru_build_{k}": (lambda k=k: gates_plot.draw_gru_cell(parts=k)) for k in range(1, 4)},
    "lstm_peephole": lambda: gates_plot.draw_lstm_cell(peepholes=True),
    # the redrawn diagrams of lectures 01, 02, 06 and 08
    "io_patterns": plotting.plot_io_patterns,
    "rnn_rolled_unrolled": plotting.plot_rnn_rolled_unrolled,
    "rnn_rolled_unrolled_6": lambda: plotting.plot_rnn_rolled_unrolled(6),
    "minibatch_shapes": plotting.plot_minibatch_shapes,
    "minibatch_shapes_8": lambda: plotting.plot_minibatch_shapes(8, 8, 8),
    "unrolled_bptt_2": lambda: gradients.plot_unrolled_bptt(2),
    "unrolled_bptt": gradients.plot_unrolled_bptt,
    "unrolled_bptt_6": lambda: gradients.plot_unrolled_bptt(6),
    "encoder_decoder": seq2seq.plot_encoder_decoder,
    "encoder_decoder_long": lambda: seq2seq.plot_encoder_decoder("1234567", "98765"),
    "hillis_steele": linear_rnn.plot_hillis_steele,
    "hillis_steele_16": lambda: linear_rnn.plot_hillis_steele(16),
    "unrolled_state": lambda: plotting.plot_unrolled_state(
        [1, 0.5, -1, 0, 1, -0.5], np.tanh(np.random.default_rng(0).normal(size=(6, 3))), 3),
}


@pytest.fixture(autouse=True)
def _close_figures():
    """Some diagrams are pyplot figures (their notebooks show them with plt.show())."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_diagram_fills_the_slide_with_readable_labels_inside_their_boxes(name):
    fig = DIAGRAMS[name]()
    assert tuple(fig.get_size_inches()) == style.SLIDE_FIGSIZE
    assert layout_problems(fig) == []
    alt = style.alt_text(fig)
    assert alt and len(alt) > 80, f"{name}: the alternative text must describe the diagram"


def test_the_layout_check_catches_small_cut_and_overlapping_labels():
    fig, ax = diagrams._canvas("a title long enough")
    patch = diagrams._box(ax, 2, 2, 0.5, 0.3, "a label far wider than its box", style.CONCEPT["state"])
    assert any("not inside its box" in p for p in layout_problems(fig))
    patch.set_visible(False)
    ax.texts[-1].remove()
    ax.text(6, 3, "small", fontsize=10)
    ax.text(6, 3, "over it", fontsize=16)
    problems = layout_problems(fig)
    assert any("under 16" in p for p in problems) and any("overlaps" in p for p in problems)


def test_packing_prints_the_batch_sizes_pytorch_computes():
    from torch.nn.utils.rnn import pack_padded_sequence

    lengths = [4, 1, 3]
    fig = diagrams.packing_batch_sizes(lengths)
    expected = pack_padded_sequence(torch.zeros(3, 4, 1), torch.tensor(lengths), batch_first=True,
                                    enforce_sorted=False).batch_sizes.tolist()
    assert expected == [3, 2, 2, 1]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"packed.batch_sizes = {expected}: sequences still running at each step" in texts
    # the packed row, time-major: step 1 of sequences 1, 3, 2, then step 2 of 1, 3, ...
    packed = [t for t in texts if t.startswith(r"$\mathbf{x}^{(") and t.count("(") == 1]
    assert packed[-sum(expected):][:4] == [r"$\mathbf{x}^{(1)}_{1}$", r"$\mathbf{x}^{(3)}_{1}$",
                                           r"$\mathbf{x}^{(2)}_{1}$", r"$\mathbf{x}^{(1)}_{2}$"]


def test_dropout_sits_only_between_layers():
    """nn.LSTM(dropout=p): on the outputs of every layer but the last; not on the input, not on
    the recurrent arrows (PyTorch's documentation)."""
    for L in (2, 3):
        T = 4
        fig = diagrams.dropout_between_layers(num_layers=L, seq_len=T)
        marks = [t for t in fig.axes[0].texts if t.get_text() == "D"]
        assert len(marks) == (L - 1) * T
        states = {t.get_text(): t.get_position() for t in fig.axes[0].texts
                  if t.get_text().startswith(r"$\mathbf{h}_{")}
        for mark in marks:       # each D lies on a vertical arrow between two layers, same step
            x, y = mark.get_position()
            column = sorted(p[1] for p in states.values() if abs(p[0] - x) < 1e-9)
            assert len(column) == L and column[0] < y < column[-1]
            assert not any(abs(s - y) < 0.2 for s in column)


def test_teacher_forcing_feeds_targets_and_free_running_its_own_predictions():
    fig = diagrams.teacher_forcing_vs_free_running(steps=3)
    texts = [t for t in fig.axes[0].texts]
    left = [t.get_text() for t in texts if t.get_position()[0] < 6 and t.get_position()[1] < 1.6
            and t.get_gid()]
    right = [t.get_text() for t in texts if t.get_position()[0] > 6.5 and t.get_position()[1] < 1.6
             and t.get_gid()]
    assert left == ["<s>", "$y_{1}$", "$y_{2}$"]
    assert right == ["<s>", r"$\hat{y}_{1}$", r"$\hat{y}_{2}$"]


def test_truncated_bptt_carries_the_state_and_stops_the_gradient_at_boundaries():
    fig = diagrams.truncated_bptt_chunks(seq_len=12, chunk=4)
    arrows = [p for p in fig.axes[0].patches if p.__class__.__name__ == "FancyArrowPatch"]
    state = [a for a in arrows if a.get_edgecolor()[:3] == matplotlib.colors.to_rgb(
        style.CONCEPT["state"])]
    gradient = [a for a in arrows if a.get_edgecolor()[:3] == matplotlib.colors.to_rgb(
        style.CONCEPT["gradient"])]
    assert len(state) == 12            # h_0 -> h_1, ..., h_11 -> h_12: every step, boundaries too
    assert len(gradient) == 12 - 3     # k - 1 = 3 backward arrows inside each of 3 chunks


@pytest.mark.parametrize("draw", [diagrams.deep_rnn_grid, diagrams.dropout_between_layers])
def test_the_layer_grid_head_forecasts_the_next_value_as_lecture_05_writes_it(draw):
    """Lecture 05 (and NOTATION.md) write the forecast of x_{t+1} made at step t as x_hat_{t+1};
    y_hat_t is a vector of predicted probabilities."""
    fig = draw(num_layers=3, seq_len=4)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in texts if t.startswith(r"$\hat")] == [rf"$\hat{{x}}_{{{t}}}$" for t in range(2, 6)]
    assert "y_hat" not in style.alt_text(fig)


def test_truncated_bptt_names_the_state_colour_as_the_course_does():
    """The state's arrows are CONCEPT["state"], vermillion (CONTRIBUTING.md), never "orange"
    (the LSTM cell's colour)."""
    fig = diagrams.truncated_bptt_chunks()
    words = " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
    assert "orange" not in words
    assert "solid vermillion" in words


#: Colour words a caption may only use inside one of the palette's names (CONTRIBUTING.md).
_COLOUR_WORDS = ("green", "orange", "red", "blue", "purple", "yellow", "pink", "violet", "brown",
                 "cyan", "magenta", "teal")


def _off_palette_colours(text: str) -> list[str]:
    """Colour words in ``text`` that are not part of a name in style.OKABE_ITO ("bluish green",
    "vermillion", ...) or "grey": "dashed green" names no colour of the course."""
    import re

    names = sorted((k.replace("_", " ") for k in style.OKABE_ITO), key=len, reverse=True)
    rest = text.lower()
    for name in names + ["bluish-green", "reddish-purple", "sky-blue"]:
        rest = re.sub(rf"\b{re.escape(name)}\b", " ", rest)
    return [w for w in _COLOUR_WORDS if re.search(rf"\b{w}\b", rest)]


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_diagram_names_its_colours_as_the_palette_table_does(name):
    fig = DIAGRAMS[name]()
    words = " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
    assert _off_palette_colours(words) == [], f"{name}: caption names a colour off the table"
    assert _off_palette_colours(style.alt_text(fig)) == [], f"{name}: alt text does too"


def test_the_colour_name_check_catches_a_colour_off_the_table():
    assert _off_palette_colours("dashed green: gradient; solid orange: state") == ["green"]
    assert _off_palette_colours("dashed bluish green, solid vermillion, sky blue fill") == []


BAD_INPUT = [
    ("rnn_full_network", "type", lambda: diagrams.rnn_full_network(input_size="3"), TypeError,
     "input_size must be an integer from 1 to 6"),
    ("rnn_full_network", "value", lambda: diagrams.rnn_full_network(hidden_size=9), ValueError,
     "hidden_size must be an integer from 1 to 6"),
    ("rnn_full_network", "empty", lambda: diagrams.rnn_full_network(output_size=0), ValueError,
     "output_size must be an integer from 1 to 6"),
    ("truncated_bptt_chunks", "type", lambda: diagrams.truncated_bptt_chunks(chunk=2.0), TypeError,
     "chunk must be an integer"),
    ("truncated_bptt_chunks", "value", lambda: diagrams.truncated_bptt_chunks(8, chunk=9), ValueError,
     "chunk must be an integer from 1 to 8"),
    ("truncated_bptt_chunks", "empty", lambda: diagrams.truncated_bptt_chunks(seq_len=0), ValueError,
     "seq_len must be an integer from 2 to 12"),
    ("packing_batch_sizes", "type", lambda: diagrams.packing_batch_sizes("523"), TypeError,
     "lengths must be a sequence of integers"),
    ("packing_batch_sizes", "shape", lambda: diagrams.packing_batch_sizes([3] * 6), ValueError,
     "lengths must hold 2 to 5"),
    ("packing_batch_sizes", "empty", lambda: diagrams.packing_batch_sizes([]), ValueError,
     "lengths must hold 2 to 5"),
    ("packing_batch_sizes", "value", lambda: diagrams.packing_batch_sizes([3, 0]), ValueError,
     r"lengths\[i\] must be an integer from 1 to 6"),
    ("bucketing", "type", lambda: diagrams.bucketing("4"), TypeError,
     "batch_size must be an integer from 2 to 4"),
    ("bucketing", "value", lambda: diagrams.bucketing(8), ValueError,
     "batch_size must be an integer from 2 to 4"),
    ("deep_rnn_grid", "type", lambda: diagrams.deep_rnn_grid(num_layers=None), TypeError,
     "num_layers must be an integer from 2 to 3"),
    ("deep_rnn_grid", "value", lambda: diagrams.deep_rnn_grid(seq_len=9), ValueError,
     "seq_len must be an integer from 2 to 5"),
    ("dropout_between_layers", "type", lambda: diagrams.dropout_between_layers(seq_len="4"),
     TypeError, "seq_len must be an integer from 2 to 5"),
    ("dropout_between_layers", "empty", lambda: diagrams.dropout_between_layers(num_layers=1),
     ValueError, "num_layers must be an integer from 2 to 3"),
    ("teacher_forcing_vs_free_running", "type",
     lambda: diagrams.teacher_forcing_vs_free_running(steps=[3]), TypeError,
     "steps must be an integer from 2 to 4"),
    ("teacher_forcing_vs_free_running", "empty",
     lambda: diagrams.teacher_forcing_vs_free_running(steps=0), ValueError,
     "steps must be an integer from 2 to 4"),
    ("tint", "type", lambda: diagrams.tint(5), ValueError, "Invalid RGBA argument"),
]
# Kinds that do not apply: these take sizes (integers), which have no shape; the empty case of
# a size is 0 (under "value"/"empty" above where the function has one); tint takes one colour.
NOT_APPLICABLE = {("rnn_full_network", "shape"), ("truncated_bptt_chunks", "shape"),
                  ("bucketing", "shape"), ("bucketing", "empty"), ("deep_rnn_grid", "shape"),
                  ("deep_rnn_grid", "empty"), ("dropout_between_layers", "shape"),
                  ("teacher_forcing_vs_free_running", "shape"), ("tint", "shape"),
                  ("tint", "empty"),
                  # padding_mask takes no arguments (it draws lecture 03's fixed example)
                  ("padding_mask", "type"), ("padding_mask", "shape"), ("padding_mask", "empty")}


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_the_table_tries_every_public_function():
    assert untried(diagrams, BAD_INPUT, NOT_APPLICABLE) == []
