import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils import gates_plot as gp  # noqa: E402
from tests._bad_input import ids, untried  # noqa: E402


@pytest.mark.parametrize("draw", [gp.draw_lstm_cell, lambda: gp.draw_lstm_cell(peepholes=True),
                                  gp.draw_gru_cell])
def test_diagrams_fit_a_slide(draw):
    fig = draw()
    from course_utils import style

    assert tuple(fig.get_size_inches()) == style.SLIDE_FIGSIZE
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "$" in texts and fig.axes[0].get_title()
    plt.close(fig)


def test_lstm_diagram_names_all_four_layers_and_gru_its_three():
    lstm = " ".join(t.get_text() for t in gp.draw_lstm_cell().axes[0].texts)
    gru = " ".join(t.get_text() for t in gp.draw_gru_cell().axes[0].texts)
    assert all(w in lstm for w in ("forget", "input", "main", "output"))
    assert all(w in gru for w in ("update", "reset", "candidate"))
    plt.close("all")


def _boxes(ax):
    """The gate and layer boxes of a diagram, as data-coordinate Bboxes."""
    return [patch.get_bbox() for patch in ax.patches if isinstance(patch, FancyBboxPatch)]


def _inside(bbox, x, y, margin=0.03):
    return bbox.x0 + margin < x < bbox.x1 - margin and bbox.y0 + margin < y < bbox.y1 - margin


def test_peephole_lines_never_run_behind_a_box():
    """Review u4, item 10: the input gate's peephole ran behind the forget box. A dashed line
    may enter only the box it ends at."""
    from matplotlib.patches import FancyArrowPatch

    ax = gp.draw_lstm_cell(peepholes=True).axes[0]
    boxes = _boxes(ax)
    peepholes = [p for p in ax.patches if isinstance(p, FancyArrowPatch)
                 and p.get_linestyle() not in ("-", "solid")]
    assert len(peepholes) == 3
    for line in peepholes:
        xs, ys = line._path_original.vertices.T     # the points it was drawn through
        end = (xs[-1], ys[-1])
        target = min(boxes, key=lambda b: abs(b.x0 + b.width / 2 - end[0]) + abs(b.y0 + b.height / 2 - end[1]))
        for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
            for share in np.linspace(0, 1, 200):
                x, y = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
                hidden = [b for b in boxes if b is not target and _inside(b, x, y)]
                assert not hidden, f"the peephole {list(zip(xs, ys))} runs behind a box at {(x, y)}"
    plt.close("all")


@pytest.mark.parametrize("draw", [gp.draw_lstm_cell, lambda: gp.draw_lstm_cell(peepholes=True),
                                  gp.draw_gru_cell])
def test_labels_outside_the_boxes_overlap_none(draw):
    """Review u4, item 10: the GRU's "r_t scales ..." label lay over both the reset and the
    candidate box."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = draw()
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [patch.get_window_extent(renderer) for patch in ax.patches
             if isinstance(patch, FancyBboxPatch)]
    for text in (t for t in ax.texts if t.get_text()):     # not the arrows (empty annotations)
        extent = text.get_window_extent(renderer)
        centre = ((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2)
        if any(box.contains(*centre) for box in boxes):
            continue                                # a box's own label
        assert not any(extent.overlaps(box) for box in boxes), text.get_text()
    plt.close(fig)


def test_diagrams_and_plots_write_vectors_in_bold():
    """Review u4, item 11: NOTATION.md writes vectors bold; the diagrams and the default plot
    titles wrote $c_{t-1}$, $h_t$, $x_t$, the gates and the candidate in italics."""
    figures = [gp.draw_lstm_cell(peepholes=True), gp.draw_gru_cell(),
               gp.plot_gradient_by_distance({"GRU": [1e-3, 1.0]}),
               gp.plot_gradient_before_after({"GRU": [1e-3, 1.0]}, {"GRU": [1e-2, 1.0]})]
    texts = []
    for fig in figures:
        for ax in fig.axes:
            texts += [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_ylabel()]
        texts.append(fig._suptitle.get_text() if fig._suptitle else "")
    italic = [t for t in texts if re.search(r"\$[a-z]_|\\tilde\{[a-z]\}_", t)]
    assert not italic, italic
    assert sum("\\mathbf{" in t for t in texts) >= 10
    plt.close("all")


def test_gradient_plot_puts_the_last_step_at_distance_zero():
    fig = gp.plot_gradient_by_distance({"GRU": torch.tensor([1e-3, 1e-2, 1.0])})
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [2, 1, 0] and fig.axes[0].get_yscale() == "log"
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    plt.close(fig)


def test_learning_curves_with_references_have_styles_a_second_cue_and_14_pt_text():
    fig = gp.plot_learning_curves({"LSTM, chrono init": [0.2, 0.1], "GRU": [0.2, 0.01],
                                   "other": [0.2, 0.2]},
                                  references={"remember nothing": 1 / 6, "remember only b": 1 / 12})
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    assert len(ax.lines) == 5 and ax.get_yscale() == "log"
    styles = {(line.get_color(), line.get_linestyle(), line.get_marker()) for line in ax.lines[:3]}
    assert len(styles) == 3 and len({s[1:] for s in styles}) == 3    # a cue besides colour
    assert lines["GRU"].get_color() == gp.SERIES_STYLES["GRU"]["color"]
    assert "remember nothing: 0.167" in [t.get_text() for t in ax.get_legend().texts]
    assert ax.get_xlabel() and ax.get_ylabel()
    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(),
             *ax.get_legend().texts]
    assert min(t.get_fontsize() for t in texts) >= 14
    plt.close(fig)


def test_gradient_before_after_draws_two_labelled_panels_with_gaps_for_zeros():
    before = {"GRU": torch.tensor([0.0, 1e-12, 1.0]), "vanilla RNN": [0.0, 1e-9, 1.0]}
    after = {"GRU": torch.tensor([0.5, 0.7, 1.0]), "vanilla RNN": np.array([0.0, 1e-5, 1.0])}
    fig = gp.plot_gradient_before_after(before, after)
    left, right = fig.axes
    assert left.get_title() == "at initialisation" and right.get_title() == "after training"
    assert left.get_yscale() == "log" and "steps" in left.get_xlabel() and left.get_ylabel()
    gru = next(line for line in left.lines if line.get_label() == "GRU")
    assert list(gru.get_xdata()) == [2, 1, 0] and np.isnan(gru.get_ydata()[0])
    assert min(t.get_fontsize() for t in [left.title, left.xaxis.label, *left.get_yticklabels()]) >= 14
    plt.close(fig)


BAD_INPUT = [
    ("plot_gradient_by_distance", "empty",
     lambda: gp.plot_gradient_by_distance({}), TypeError, "non-empty mapping"),
    ("plot_gradient_by_distance", "type",
     lambda: gp.plot_gradient_by_distance([1.0, 2.0]),
     TypeError, "norms must be a non-empty mapping"),
    ("plot_gradient_by_distance", "empty",
     lambda: gp.plot_gradient_by_distance({"a": [1.0]}), ValueError, "at least 2 values"),
    ("plot_gradient_by_distance", "type",
     lambda: gp.plot_gradient_by_distance({"a": ["x", "y"]}), TypeError,
     r"norms\['a'\] must be a sequence of numbers"),
    ("plot_gradient_by_distance", "shape",
     lambda: gp.plot_gradient_by_distance({"a": [[1.0, 2.0], [3.0, 4.0]]}), ValueError,
     "must be one-dimensional"),
    ("plot_gradient_by_distance", "value",
     lambda: gp.plot_gradient_by_distance({"a": [1.0, -2.0]}), ValueError, "non-negative"),
    ("plot_gradient_by_distance", "value",
     lambda: gp.plot_gradient_by_distance({"a": [1.0, float("nan")]}), ValueError, "non-negative"),
    ("plot_gradient_by_distance", "type",
     lambda: gp.plot_gradient_by_distance({"a": [1.0, 2.0]}, ax="left"), TypeError,
     "ax must be a matplotlib Axes or None, got str"),
    ("plot_gradient_by_distance", "type",
     lambda: gp.plot_gradient_by_distance({"a": [1.0, 2.0]}, title=3),
     TypeError, "title must be a string"),
    ("plot_learning_curves", "type",
     lambda: gp.plot_learning_curves([0.1]), TypeError, "non-empty mapping"),
    ("plot_learning_curves", "empty",
     lambda: gp.plot_learning_curves({"a": []}), ValueError, r"curves\['a'\] must hold at least 1"),
    ("plot_learning_curves", "type",
     lambda: gp.plot_learning_curves({"a": [0.1]}, references=0.167), TypeError,
     "references must be a mapping"),
    ("plot_learning_curves", "type",
     lambda: gp.plot_learning_curves({"a": [0.1]}, references={"b": "low"}), TypeError,
     r"references\['b'\] must be a number, got str"),
    ("plot_learning_curves", "value",
     lambda: gp.plot_learning_curves({"a": [0.1]}, references={"b": 0.0}), ValueError,
     "positive finite number"),
    ("plot_learning_curves", "type",
     lambda: gp.plot_learning_curves({"a": [0.1]}, xlabel=None),
     TypeError, "xlabel must be a string"),
    ("plot_gradient_before_after", "value",
     lambda: gp.plot_gradient_before_after({"a": [1, 2]}, {"b": [1, 2]}), ValueError,
     "must name the same models"),
    ("plot_gradient_before_after", "empty",
     lambda: gp.plot_gradient_before_after({}, {"a": [1, 2]}),
     TypeError, "before must be a non-empty"),
    ("plot_gradient_before_after", "empty",
     lambda: gp.plot_gradient_before_after({"a": [1, 2]}, {"a": [1]}), ValueError,
     r"after\['a'\] must hold at least 2"),
    ("draw_lstm_cell", "type",
     lambda: gp.draw_lstm_cell(ax=1), TypeError, "ax must be a matplotlib Axes"),
    ("draw_lstm_cell", "type",
     lambda: gp.draw_lstm_cell(peepholes="yes"), TypeError, "peepholes must be True or False"),
    ("draw_gru_cell", "type",
     lambda: gp.draw_gru_cell(ax=[]), TypeError, "ax must be a matplotlib Axes"),
    ("draw_lstm_cell", "type",
     lambda: gp.draw_lstm_cell(parts="2"), TypeError, "parts must be an integer from 1 to 4"),
    ("draw_lstm_cell", "value",
     lambda: gp.draw_lstm_cell(parts=5), ValueError, "parts must be an integer from 1 to 4"),
    ("draw_gru_cell", "value",
     lambda: gp.draw_gru_cell(parts=0), ValueError, "parts must be an integer from 1 to 3"),
    ("memory_trace", "value",
     lambda: gp.memory_trace(1.2, 0.1, 1.0),
     ValueError, r"forget must be a gate value in \[0, 1\]"),
    ("memory_trace", "type", lambda: gp.memory_trace("0.9", 0.1, 1.0), TypeError,
     r"forget must be a gate value in \[0, 1\], got str '0.9'"),
    ("memory_trace", "value", lambda: gp.memory_trace(0.9, -0.1, 1.0), ValueError, "write must be"),
    ("memory_trace", "value",
     lambda: gp.memory_trace(0.9, 0.1, 1.0, steps=1), ValueError, "steps must be"),
    ("memory_trace", "value",
     lambda: gp.memory_trace(0.9, 0.1, 1.0, steps=5, store_at=5), ValueError, "store_at"),
    ("memory_trace", "type",
     lambda: gp.memory_trace(0.9, 0.1, 1.0, seed="x"),
     TypeError, "seed must be a non-negative integer"),
    ("gate_memory_widget", "value",
     lambda: gp.gate_memory_widget(steps=3), ValueError, "steps must be an integer in"),
    ("gate_memory_widget", "shape",
     lambda: gp.gate_memory_widget(figsize=(10,)), ValueError, "figsize must be a pair"),
    ("plot_gradient_by_distance", "type",
     lambda: gp.plot_gradient_by_distance({"a": None}), TypeError,
     r"norms\['a'\] must be a sequence of numbers, got NoneType"),
    ("plot_learning_curves", "empty", lambda: gp.plot_learning_curves({}), TypeError,
     "curves must be a non-empty mapping from a name to its values, got an empty one"),
    ("plot_learning_curves", "shape",
     lambda: gp.plot_learning_curves({"a": [[0.1, 0.2]]}), ValueError,
     r"curves\['a'\] must be one-dimensional \(one number per step or epoch\), got shape \(1, 2\)"),
    ("plot_gradient_before_after", "type",
     lambda: gp.plot_gradient_before_after([1, 2], {"a": [1, 2]}),
     TypeError, "before must be a non-empty mapping from a name to its values, got list"),
    ("plot_gradient_before_after", "shape",
     lambda: gp.plot_gradient_before_after({"a": [[1, 2]]}, {"a": [1, 2]}), ValueError,
     r"before\['a'\] must be one-dimensional \(one number per step or epoch\), got shape \(1, 2\)"),
    ("plot_gradient_before_after", "type",
     lambda: gp.plot_gradient_before_after({"a": [1, 2]}, {"a": [1, 2]}, title=None), TypeError,
     "title must be a string, got NoneType"),
    ("memory_trace", "type", lambda: gp.memory_trace(np.array([0.5]), 0.1, 1.0), TypeError,
     r"forget must be a gate value in \[0, 1\], got ndarray"),
    ("memory_trace", "type", lambda: gp.memory_trace(0.9, 0.1, 1.0, steps=10.0), TypeError,
     "steps must be an integer >= 2, got float 10.0"),
    ("memory_trace", "type", lambda: gp.memory_trace(0.9, 0.1, 1.0, store_at="3"), TypeError,
     r"store_at must be an integer in \[0, steps\), got str '3'"),
    ("memory_trace", "value", lambda: gp.memory_trace(0.9, 0.1, 1.0, seed=-1), ValueError,
     "seed must be a non-negative integer, got -1"),
    ("memory_trace", "value", lambda: gp.memory_trace(float("nan"), 0.1, 1.0), ValueError,
     r"forget must be a gate value in \[0, 1\], got nan"),
    ("gate_memory_widget", "type", lambda: gp.gate_memory_widget("40"), TypeError,
     r"steps must be an integer in \[8, 200\], got str '40'"),
    ("gate_memory_widget", "type", lambda: gp.gate_memory_widget(figsize="big"), TypeError,
     r"figsize must be a pair of positive numbers \(width, height\) in inches, got str"),
    ("gate_memory_widget", "value", lambda: gp.gate_memory_widget(figsize=(10, -1)), ValueError,
     r"figsize must be a pair of positive numbers \(width, height\) in inches, got \(10, -1\)"),
    ("gate_memory_widget", "empty", lambda: gp.gate_memory_widget(0), ValueError,
     r"steps must be an integer in \[8, 200\], got 0"),
]
# Kinds that do not apply, with the reason: draw_lstm_cell and draw_gru_cell take only an
# Axes and a flag, so nothing has a shape or can be empty; memory_trace takes three gate
# values and sizes, numbers without a shape ("steps" below 2 is tried as a value);
# gate_memory_widget's only size is steps, an integer (its "empty" is steps = 0).
NOT_APPLICABLE = {("draw_lstm_cell", "shape"), ("draw_lstm_cell", "empty"),
                  ("draw_gru_cell", "shape"), ("draw_gru_cell", "empty"),
                  ("memory_trace", "shape"), ("memory_trace", "empty")}


def test_right_input_of_other_numeric_types_is_accepted():
    assert np.allclose(gp.memory_trace(np.float32(0.5), 0.1, 1.0, steps=np.int64(10))["c"][:1],
                       gp.memory_trace(0.5, 0.1, 1.0, steps=10)["c"][:1])
    plt.close(gp.plot_learning_curves({"a": [0.2, 0.1]}, references={"b": np.int64(1)}))


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(gp, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
    plt.close("all")


def test_memory_trace_keeps_f_to_the_k():
    trace = gp.memory_trace(1.0, 0.0, 1.0, steps=20, store_at=3)
    assert np.allclose(trace["c"][3:], 1.0) and np.allclose(trace["kept"][3:], 1.0)
    trace = gp.memory_trace(0.5, 0.0, 0.5, steps=10, store_at=0)
    assert np.allclose(trace["c"], 0.5 ** np.arange(10))
    assert np.allclose(trace["h"], 0.5 * np.tanh(trace["c"]))
    assert np.allclose(gp.memory_trace(0.0, 0.0, 1.0)["c"][4:], 0.0)


def test_widget_builds_and_redraws():
    import ipywidgets

    box = gp.gate_memory_widget(steps=30)
    assert isinstance(box, ipywidgets.VBox)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["forget gate f", "input gate i (others)",
                                                "output gate o"]
    sliders[0].value = 0.99     # triggers a redraw without error
    assert box.children[1].outputs or True
    plt.close("all")
