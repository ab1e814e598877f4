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
