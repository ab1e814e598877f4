import ipywidgets as widgets
import pytest

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


@pytest.mark.parametrize("kwargs, name", [
    (dict(heart_rate=10), "heart_rate"), (dict(window=5.0), "window"),
    (dict(qrs_duration=0.5), "qrs_duration"), (dict(seconds=100), "seconds"),
])
def test_window_widget_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        window_detector_widget(**kwargs)


@pytest.mark.parametrize("kwargs, name", [
    (dict(inputs=[1.0]), "inputs"), (dict(n_hidden=0), "n_hidden"),
    (dict(seed=-2), "seed"), (dict(step=9), "step"),
])
def test_unrolled_widget_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        unrolled_rnn_widget(**kwargs)


def test_figure_to_png_rejects_non_figures():
    with pytest.raises(TypeError, match="fig"):
        figure_to_png("not a figure")


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
    for lecture in (root / "lectures").glob("[0-9]*.ipynb"):
        called |= set(re.findall(r"\b(\w+_widget)\(", lecture.read_text()))
    tested = {"window_detector_widget", "unrolled_rnn_widget", "gradient_norm_widget",
              "gate_memory_widget"}
    assert called <= tested, f"lecture widgets without the ipywidgets-8 test: {called - tested}"
