import ipywidgets as widgets
import pytest

from tests._bad_input import KINDS, ids, untried

from course_utils import widgets as widgets_module
from course_utils.widgets import (UnrolledRNNWidget, WindowDetectorWidget, figure_to_png,
                                  unrolled_rnn_widget, window_detector_widget)


def test_window_widget_draws_a_first_frame_and_reacts_to_the_sliders():
    w = window_detector_widget()
    assert isinstance(w, WindowDetectorWidget) and isinstance(w, widgets.VBox)
    first, first_status = w.image.value, w.status.value
    assert first.startswith(b"\x89PNG") and len(first) > 10_000
    assert "fixed window right on 5/5" in first_status
    assert "sequential reader right on 5/5" in first_status
    w.heart_rate.value = 120
    assert w.image.value != first
    assert "120 bpm" in w.status.value
    assert "fixed window right on 5/5" not in w.status.value
    assert "sequential reader right on 9/9" in w.status.value
    before = w.image.value
    w.window.value = 0.5
    assert w.image.value != before and "window 0.50 s" in w.status.value


def test_window_widget_does_what_lecture_01s_notes_say():
    """The notes of "Try it": at 120 bpm 1 s slices fail and the reader does not; 0.5 s slices
    work again; at 60 bpm with a true QRS of 0.14 s, 0.1 s slices measure no beat."""
    w = window_detector_widget(heart_rate=120)
    assert "fixed window right on 0/9" in w.status.value
    assert "sequential reader right on 9/9" in w.status.value
    w.window.value = 0.5
    assert "fixed window right on 9/9" in w.status.value
    w = window_detector_widget(heart_rate=60, window=0.1, qrs_duration=0.14)
    assert "fixed window right on 0/5" in w.status.value
    assert "sequential reader right on 5/5" in w.status.value


def test_unrolled_widget_steps_through_the_states():
    w = unrolled_rnn_widget()
    assert isinstance(w, UnrolledRNNWidget)
    assert w.states.shape == (6, 3) and w.step.value == 3
    first, first_status = w.image.value, w.status.value
    assert "h_3 = tanh" in first_status
    w.step.value = 4
    assert w.image.value != first and "h_4 = tanh" in w.status.value
    assert w.play.max == 6


def test_same_arguments_give_the_same_picture():
    assert window_detector_widget().image.value == window_detector_widget().image.value


# (function, kind, call, error, the words the message must hold: argument and expected value)
BAD_INPUT = [
    ("figure_to_png", "type", lambda: figure_to_png("not a figure"), TypeError,
     "fig must be a matplotlib Figure, got str"),
    ("window_detector_widget", "type", lambda: window_detector_widget(heart_rate="60"), TypeError,
     "heart_rate must be an integer from 40 to 180 bpm, got str '60'"),
    ("window_detector_widget", "type", lambda: window_detector_widget(window=[1.0]), TypeError,
     "window must be from 0.1 to 2.0 s, got list"),
    ("window_detector_widget", "type", lambda: window_detector_widget(seed=1.5), TypeError,
     "seed must be a non-negative integer, got float"),
    ("window_detector_widget", "empty", lambda: window_detector_widget(seconds=0), ValueError,
     "seconds must be from 2 to 10, got 0"),
    ("window_detector_widget", "value", lambda: window_detector_widget(heart_rate=10), ValueError,
     "heart_rate must be an integer from 40 to 180 bpm, got 10"),
    ("window_detector_widget", "value", lambda: window_detector_widget(window=5.0), ValueError,
     "window must be from 0.1 to 2.0 s, got 5.0"),
    ("window_detector_widget", "value", lambda: window_detector_widget(qrs_duration=0.5), ValueError,
     "qrs_duration must be from 0.06 to 0.16 s, got 0.5"),
    ("unrolled_rnn_widget", "type", lambda: unrolled_rnn_widget(inputs="abc"), TypeError,
     "inputs must be a float array of any shape, got str"),
    ("unrolled_rnn_widget", "type", lambda: unrolled_rnn_widget(n_hidden=2.0), TypeError,
     "n_hidden must be an integer from 1 to 5, got float"),
    ("unrolled_rnn_widget", "shape", lambda: unrolled_rnn_widget(inputs=[[1.0, 2.0], [3.0, 4.0]]),
     ValueError, r"inputs must be 2 to 8 numbers, got shape \(2, 2\)"),
    ("unrolled_rnn_widget", "empty", lambda: unrolled_rnn_widget(inputs=()), ValueError,
     r"inputs must be 2 to 8 numbers, got shape \(0,\)"),
    ("unrolled_rnn_widget", "value", lambda: unrolled_rnn_widget(n_hidden=0), ValueError,
     "n_hidden must be an integer from 1 to 5, got 0"),
    ("unrolled_rnn_widget", "value", lambda: unrolled_rnn_widget(seed=-2), ValueError,
     "seed must be a non-negative integer, got -2"),
    ("unrolled_rnn_widget", "value", lambda: unrolled_rnn_widget(step=9), ValueError,
     "step must be an integer from 1 to 6, got 9"),
]
# Kinds that do not apply, with the reason: a figure has no shape and an empty Figure renders
# (to a blank PNG); the window widget takes only scalars (no shape).
# note_if_slideshow_cannot_show_widgets takes no argument (tested below, under ipywidgets 8).
NOT_APPLICABLE = {("figure_to_png", "shape"), ("figure_to_png", "empty"),
                  ("window_detector_widget", "shape"),
                  *(("note_if_slideshow_cannot_show_widgets", kind) for kind in KINDS)}


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(widgets_module, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.fixture
def ipywidgets_8(monkeypatch):
    """ipywidgets 8 as far as the course can tell, in a fresh kernel (nothing said yet)."""
    import course_utils.widgets as course_widgets

    monkeypatch.setattr(widgets, "__version__", "8.1.5")
    monkeypatch.setattr(course_widgets, "_told_about_ipywidgets", False)


def _note_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "ipywidgets" in line]


def test_under_ipywidgets_8_the_first_widget_says_so_in_one_line(ipywidgets_8, capsys):
    window_detector_widget()
    lines = _note_lines(capsys.readouterr().out)
    assert len(lines) == 1, lines
    assert "ipywidgets 8.1.5 is installed" in lines[0] and "empty slide in the RISE slideshow" in lines[0]
    assert "pip install ipywidgets==7.8.5" in lines[0] and "restart the kernel" in lines[0]
    unrolled_rnn_widget()
    assert _note_lines(capsys.readouterr().out) == [], "said again at the second widget"


def test_under_ipywidgets_7_nothing_is_said(monkeypatch, capsys):
    import course_utils.widgets as course_widgets

    monkeypatch.setattr(course_widgets, "_told_about_ipywidgets", False)
    assert widgets.__version__.startswith("7."), "the course pins ipywidgets 7 (requirements.txt)"
    unrolled_rnn_widget()
    assert _note_lines(capsys.readouterr().out) == []


def test_the_note_shows_as_one_line_in_jupyterlab_and_rise(ipywidgets_8, monkeypatch):
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    import course_utils.widgets as course_widgets

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    assert course_widgets.note_if_slideshow_cannot_show_widgets()
    formats, _ = DisplayFormatter().format(shown[0])
    assert formats["text/html"].count("<p") == 1 and "ipywidgets 8.1.5" in formats["text/html"]


@pytest.mark.parametrize("factory", [
    "course_utils.widgets:window_detector_widget", "course_utils.widgets:unrolled_rnn_widget",
    "course_utils.gradients:gradient_norm_widget", "course_utils.gates_plot:gate_memory_widget"])
def test_every_lecture_widget_says_it_first(ipywidgets_8, capsys, factory):
    import importlib

    module, name = factory.split(":")
    getattr(importlib.import_module(module), name)()
    assert len(_note_lines(capsys.readouterr().out)) == 1, f"{name} did not say it"


def test_every_lecture_widget_is_in_the_list_above():
    """A widget a lecture shows is built by a *_widget function; each must be tested above."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    called = set()
    import nbformat

    for lecture in (root / "lectures").glob("[0-9]*.ipynb"):
        for cell in nbformat.read(lecture, as_version=4).cells:
            if cell.cell_type == "code":
                called |= set(re.findall(r"\b(\w+_widget)\(", cell.source))
    tested = {"window_detector_widget", "unrolled_rnn_widget", "gradient_norm_widget",
              "gate_memory_widget", "attention_step_widget"}
    assert called <= tested, f"lecture widgets without the ipywidgets-8 test: {called - tested}"


def test_the_attention_widget_says_it_first(ipywidgets_8, capsys):
    from course_utils import attention
    from course_utils.seq2seq import Vocab
    from tests.test_attention import _model

    attention.attention_step_widget(_model(), Vocab("abcdefghi"), "abc", steps=3)
    assert len(_note_lines(capsys.readouterr().out)) == 1, "attention_step_widget did not say it"
