"""Interactive widgets for the lectures (ipywidgets 7, which renders inside RISE slideshows).

Every widget a lecture shows first calls :func:`note_if_slideshow_cannot_show_widgets`, which says
in one line when another ipywidgets (8, a common upgrade) is installed.

Each widget draws its figure into an ``ipywidgets.Image`` as PNG bytes. That keeps the
first frame inside the widget's state, so a statically exported deck shows it, and it
works the same in JupyterLab, in the RISE slideshow and in tests (no Output capture).
Sliders use ``continuous_update=False``: the figure is redrawn when a slider is released.
"""
from __future__ import annotations

import html
import io
from typing import Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_utils import style
from course_utils._arrays import float_array
from course_utils.ecg import fixed_window_reader, generate_ecg, score_reading, sequential_reader
from course_utils.plotting import DPI, plot_unrolled_state, plot_window_detector_frame


#: A widget's figure: the slide's width, and the height left under the title and the controls.
FRAME_FIGSIZE = (style.SLIDE_FIGSIZE[0], 4.4)
# The ipywidgets the course pins: 7 renders inside the RISE slideshow, 8 leaves an empty slide.
RISE_IPYWIDGETS = "7.8.5"
_told_about_ipywidgets = False


class _OneLine:
    """A line of text for a notebook's output: plain text, and HTML for JupyterLab and RISE."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<p style='color:#b45309;margin:0'><b>Note:</b> {html.escape(self.text)}</p>"


def note_if_slideshow_cannot_show_widgets() -> bool:
    """Display one line, the first time a lecture shows a widget in a kernel, when the installed
    ipywidgets is not the 7.x the RISE slideshow can draw (ipywidgets 8 widgets work in JupyterLab
    but leave an empty slide in RISE). Every lecture widget calls it first. Returns whether it
    displayed the line."""
    global _told_about_ipywidgets
    if _told_about_ipywidgets or widgets.__version__.split(".")[0] == RISE_IPYWIDGETS.split(".")[0]:
        return False
    from IPython.display import display

    _told_about_ipywidgets = True
    display(_OneLine(f"ipywidgets {widgets.__version__} is installed: its widgets work in JupyterLab "
                     f"but show as an empty slide in the RISE slideshow. Run `.venv/bin/pip install "
                     f"ipywidgets=={RISE_IPYWIDGETS}`, then restart the kernel."))
    return True


#: ipywidgets 7 draws each Play button with ``text-overflow: ellipsis`` and a width that fits its
#: icon only at JupyterLab's 13 px; at a slide's 20 px the icon overflows and an ellipsis shows
#: as a stray "." after every icon. Clip instead (the icon itself fits).
PLAY_CSS = "<style>.widget-play .jupyter-button {text-overflow: clip;}</style>"


def _step_controls(owner: widgets.VBox, step: int, steps: int) -> list:
    """The controls of a widget that steps through t = 1..steps: a Play button linked to a
    slider ``owner.step``, an image ``owner.image`` and a status line ``owner.status``; the
    slider calls ``owner._update``, which runs once now. Returns the VBox's children."""
    owner.step = widgets.IntSlider(value=int(step), min=1, max=steps, description="step t",
                                   style=_style(), layout=widgets.Layout(width="360px"))
    owner.play = widgets.Play(value=int(step), min=1, max=steps, interval=1200)
    widgets.jslink((owner.play, "value"), (owner.step, "value"))
    owner.image = widgets.Image(format="png")
    owner.status = widgets.HTML()
    owner.step.observe(owner._update, names="value")
    children = [widgets.HBox([owner.play, owner.step, widgets.HTML(PLAY_CSS)]), owner.image,
                owner.status]
    owner._update()
    return children


def figure_to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (no version metadata, so equal figures give equal bytes)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _check_number(name: str, value, low: float, high: float, expected: str,
                  integer: bool = False) -> None:
    """TypeError if ``value`` is not a number (an integer if ``integer``), ValueError if it is
    outside [low, high]; each names the argument and what it must be."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} {value!r}.")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {expected}, got {value!r}.")


def _style() -> dict:
    return {"description_width": "initial"}


class WindowDetectorWidget(widgets.VBox):
    """Sliders for heart rate, window length and QRS duration over a live ECG figure.

    Top panel: a fixed window cut over the record and what it measures in each window.
    Bottom panel: the sequential reader on the same record. Attributes ``heart_rate``,
    ``window`` and ``qrs_duration`` are the sliders, ``image`` the figure, ``status`` the
    one-line score.
    """

    def __init__(self, heart_rate: int = 60, window: float = 1.0, qrs_duration: float = 0.08,
                 seconds: float = 5.0, seed: int = 1):
        _check_number("heart_rate", heart_rate, 40, 180, "an integer from 40 to 180 bpm", integer=True)
        _check_number("window", window, 0.1, 2.0, "from 0.1 to 2.0 s")
        _check_number("qrs_duration", qrs_duration, 0.06, 0.16, "from 0.06 to 0.16 s")
        _check_number("seconds", seconds, 2, 10, "from 2 to 10")
        _check_number("seed", seed, 0, 2**32 - 1, "a non-negative integer", integer=True)
        self.seconds, self.seed = float(seconds), seed
        wide = widgets.Layout(width="330px")
        self.heart_rate = widgets.IntSlider(value=int(heart_rate), min=40, max=180, step=5,
                                            description="heart rate (bpm)", style=_style(),
                                            continuous_update=False, layout=wide)
        self.window = widgets.FloatSlider(value=float(window), min=0.1, max=2.0, step=0.05,
                                          description="window (s)", readout_format=".2f",
                                          style=_style(), continuous_update=False, layout=wide)
        self.qrs_duration = widgets.FloatSlider(value=float(qrs_duration), min=0.06, max=0.16,
                                                step=0.01, description="true QRS (s)",
                                                readout_format=".2f", style=_style(),
                                                continuous_update=False, layout=wide)
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        for slider in (self.heart_rate, self.window, self.qrs_duration):
            slider.observe(self._update, names="value")
        super().__init__([widgets.HBox([self.heart_rate, self.window, self.qrs_duration]),
                          self.image, self.status])
        self._update()

    def _update(self, change: dict | None = None) -> None:
        record = generate_ecg(self.seconds, self.heart_rate.value, self.qrs_duration.value, 500.0,
                              hr_variability=0.02, baseline_wander=0.05, noise=0.015,
                              seed=self.seed)
        fig = plot_window_detector_frame(record, self.window.value, seconds=self.seconds,
                                         figsize=FRAME_FIGSIZE)
        self.image.value = figure_to_png(fig)
        fixed = score_reading(record, fixed_window_reader(record, self.window.value))
        reader = score_reading(record, sequential_reader(record))
        self.status.value = (
            f"<b>{self.heart_rate.value} bpm, window {self.window.value:.2f} s</b>: "
            f"fixed window right on {fixed.right}/{fixed.n_beats} beats, "
            f"sequential reader right on {reader.right}/{reader.n_beats} "
            "(right = QRS within 0.02 s of the truth)")


def window_detector_widget(heart_rate: int = 60, window: float = 1.0, qrs_duration: float = 0.08,
                           seconds: float = 5.0, seed: int = 1) -> WindowDetectorWidget:
    """Return the widget that pits a fixed window against the sequential reader.

    Move the heart rate away from 60 bpm, or the window away from one beat, and the fixed
    window starts to measure the QRS wrongly; the sequential reader does not.
    """
    note_if_slideshow_cannot_show_widgets()
    return WindowDetectorWidget(heart_rate, window, qrs_duration, seconds, seed)


class UnrolledRNNWidget(widgets.VBox):
    """Step through a small RNN unrolled over a short input sequence.

    ``step`` (an IntSlider, with a Play button linked to it) chooses how many inputs have
    been read; ``image`` shows the unrolled states, ``status`` the arithmetic of the step.
    ``W_xh`` (H, 1), ``W_hh`` (H, H), ``b_h`` (H,) with H = n_hidden, stored as PyTorch
    stores them, and ``states`` (T, H) are the numbers behind the picture.
    """

    def __init__(self, inputs: Sequence[float] = (1.0, 0.5, -1.0, 0.0, 1.0, -0.5),
                 n_hidden: int = 3, seed: int = 0, step: int = 3):
        x = float_array("inputs", inputs, None, empty=True)
        if x.ndim != 1 or not 2 <= len(x) <= 8:
            raise ValueError(f"inputs must be 2 to 8 numbers, got shape {x.shape}.")
        _check_number("n_hidden", n_hidden, 1, 5, "an integer from 1 to 5", integer=True)
        _check_number("seed", seed, 0, 2**32 - 1, "a non-negative integer", integer=True)
        _check_number("step", step, 1, len(x), f"an integer from 1 to {len(x)}", integer=True)
        rng = np.random.default_rng(seed)
        self.inputs = x
        self.W_xh = rng.normal(0.0, 1.0, (n_hidden, 1))
        self.W_hh = rng.normal(0.0, 0.8 / np.sqrt(n_hidden), (n_hidden, n_hidden))
        self.b_h = rng.normal(0.0, 0.2, n_hidden)
        h = np.zeros(n_hidden)
        states = []
        for x_t in x:
            h = np.tanh(self.W_xh[:, 0] * x_t + self.W_hh @ h + self.b_h)
            states.append(h)
        self.states = np.array(states)
        super().__init__(_step_controls(self, step, len(x)))

    def _update(self, change: dict | None = None) -> None:
        t = self.step.value
        fig = plot_unrolled_state(self.inputs, self.states, t, figsize=FRAME_FIGSIZE)
        self.image.value = figure_to_png(fig)
        prev = self.states[t - 2] if t > 1 else np.zeros(len(self.b_h))

        def vec(v: np.ndarray) -> str:
            return "[" + ", ".join(f"{u:+.2f}" for u in v) + "]"

        self.status.value = (
            "<code>" + html.escape(
                f"h_{t} = tanh(W_xh x_{t} + W_hh h_{t - 1} + b_h) with x_{t} = "
                f"{self.inputs[t - 1]:+.1f}: tanh({vec(self.W_xh[:, 0] * self.inputs[t - 1])} + "
                f"{vec(self.W_hh @ prev)} + {vec(self.b_h)}) = {vec(self.states[t - 1])}")
            + "</code>")


def unrolled_rnn_widget(inputs: Sequence[float] = (1.0, 0.5, -1.0, 0.0, 1.0, -0.5),
                        n_hidden: int = 3, seed: int = 0, step: int = 3) -> UnrolledRNNWidget:
    """Return the widget that steps through an unrolled RNN and shows each state change."""
    note_if_slideshow_cannot_show_widgets()
    return UnrolledRNNWidget(inputs, n_hidden, seed, step)
