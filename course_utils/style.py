"""The course's one figure style: sizes, type, colours per concept, and alternative text.

Every figure of every deck and lab is built here or with these constants, so that a colour
means one thing in every deck and figure text is readable from the back of a room:

- Size: a figure is drawn at ``DPI`` = 100 and shown at 1:1 on a 1280x720 slide, so 1 pt is
  100/72 px and the smallest text, ``TICK`` = 16 pt, is 22 px on the slide. ``SLIDE_FIGSIZE``
  fills the slide body under a one-line title.
- Colour: the Okabe and Ito (2008) colour-blind-safe palette, "Color Universal Design",
  https://jfly.uni-koeln.de/color/ . ``CONCEPT`` fixes one colour per concept in every deck;
  wherever colour separates series, ``series_style`` adds a second cue (marker and line style),
  so no figure relies on hue alone. Text is drawn in ``INK`` (at least 4.5:1 on white).
- Alternative text: ``set_alt(fig, alt)`` attaches a description that the notebook stores in
  the output's metadata (``output.metadata["image/png"]["alt"]``) and the decks put in the
  ``<img alt>``; ``show(fig, alt)`` displays a pyplot figure the same way.
- Pyplot cells: ``with use():`` (or ``plt.rcParams.update(RC)``) gives them the fonts and ink;
  plot functions are decorated with ``styled``.
- Contrast (WCAG 2.2): ``contrast_ratio``, ``readable(colour, background)`` (a colour darkened to
  4.5:1 for text), ``text_on(background)`` (black or white on a coloured cell), and
  ``label_lines(ax)``, which labels lines at their ends instead of a legend over the data.
  tests/test_style.py checks every figure function against all of this.
"""
from __future__ import annotations

import io

import numpy as np
from typing import Any

from matplotlib.figure import Figure

DPI = 100
#: Slide body at DPI: 1200 x 540 px, under the slide title, inside the 1280x720 slide.
SLIDE_FIGSIZE = (12.0, 5.4)
#: Largest figure a slide can show at 1:1.
MAX_FIGSIZE = (12.0, 5.6)
#: The slide body's share left under a title and two or three lines of text (or a short code
#: cell): the default of figures that decks show with text on the same slide.
FIGSIZE_WITH_TEXT = (12.0, 4.4)
#: Font sizes in points (1 pt = 100/72 px at DPI): at least 16 pt = 22 px everywhere.
TITLE, LABEL, TICK, NOTE = 20, 18, 16, 16

INK = "#1a1a1a"
WHITE = "#ffffff"

#: Okabe & Ito (2008), in their order. Yellow and sky blue are below 3:1 on white: fills only.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: One colour per concept, in every deck and lab (also in CONTRIBUTING.md).
CONCEPT = {
    "input": OKABE_ITO["blue"],             # x_t, the data read in
    "state": OKABE_ITO["vermillion"],       # h_t, the hidden state
    "output": OKABE_ITO["reddish_purple"],  # y_hat_t, predictions, logits
    "target": OKABE_ITO["black"],           # y_t, the true values (drawn dashed)
    "gradient": OKABE_ITO["bluish_green"],  # dL/dh, gradient norms
    "cell": OKABE_ITO["orange"],            # c_t, the LSTM cell path
    "gate": OKABE_ITO["sky_blue"],          # sigmoid gates (fills)
    "attention": OKABE_ITO["bluish_green"],  # attention weights alpha
    "baseline": "#6e6e6e",                  # baselines and references (grey, 5.1:1 on white)
}

#: Series that colour separates, in order: colour, marker and line style all differ.
SERIES = [
    {"color": OKABE_ITO["blue"], "marker": "o", "linestyle": "-"},
    {"color": OKABE_ITO["vermillion"], "marker": "s", "linestyle": "--"},
    {"color": OKABE_ITO["bluish_green"], "marker": "^", "linestyle": "-."},
    {"color": OKABE_ITO["reddish_purple"], "marker": "D", "linestyle": ":"},
    {"color": "#000000", "marker": "v", "linestyle": (0, (5, 1, 1, 1))},
    # Okabe-Ito orange is 2.3:1 on white; darkened to 3.4:1 for a line (WCAG 2.2 SC 1.4.11)
    {"color": "#ba8100", "marker": "P", "linestyle": (0, (1, 1))},
]


def series_style(i: int) -> dict[str, Any]:
    """Keyword arguments for ``ax.plot`` of the i-th series (colour, marker, line style).

    Raises TypeError if ``i`` is not a non-negative integer. Cycles after ``len(SERIES)``.
    """
    if isinstance(i, bool) or not isinstance(i, int) or i < 0:
        raise TypeError(f"i must be a non-negative integer (the series' index), got {i!r}.")
    return dict(SERIES[i % len(SERIES)])


class AltFigure(Figure):
    """A Figure that carries alternative text (``set_alt`` turns a Figure into one).

    IPython looks display formatters up along the class's MRO, so the formatter registered
    for this class wins over the inline backend's one for Figure, whatever the import order.
    """


def set_alt(fig: Figure, alt: str) -> Figure:
    """Attach alternative text (what the figure shows, for a reader who cannot see it).

    Works for figures from ``Figure(...)`` and from pyplot. When the figure is displayed in a
    notebook, the text goes to ``output.metadata["image/png"]["alt"]``, and the decks and the
    rendered labs put it in ``<img alt>``. Returns ``fig``. Raises TypeError if ``fig`` is not a
    matplotlib Figure or ``alt`` not a string, ValueError if ``alt`` is shorter than 15
    characters or a placeholder such as "Image".
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a string describing the figure, got {type(alt).__name__}.")
    text = " ".join(alt.split())
    if len(text) < 15 or text.lower().rstrip(".") in {"image", "figure", "plot", "chart"}:
        raise ValueError("alt must say what the figure shows (at least 15 characters), "
                         f"got {alt!r}.")
    if type(fig) is Figure:
        fig.__class__ = AltFigure
    fig._course_alt = text  # type: ignore[attr-defined]
    register_formatter()
    return fig


def alt_text(fig: Figure) -> str | None:
    """The alternative text attached with ``set_alt``, or None. TypeError if ``fig`` is not a
    matplotlib Figure."""
    _check_figure(fig)
    return getattr(fig, "_course_alt", None)


def _check_figure(fig) -> None:
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG at ``DPI`` (tight bounding box, as the inline backend draws it)."""
    _check_figure(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor=WHITE)
    return buffer.getvalue()


def _png_with_alt(fig: Figure):
    alt = alt_text(fig)
    data = png_bytes(fig)
    return (data, {"alt": alt}) if alt else data


def show(fig: Figure, alt: str) -> None:
    """Display a figure (pyplot or not) with alternative text now, and close it in pyplot."""
    set_alt(fig, alt)
    from IPython.display import display
    display({"image/png": png_bytes(fig), "text/plain": f"<Figure: {alt_text(fig)}>"}, raw=True,
            metadata={"image/png": {"alt": alt_text(fig)}})
    try:
        import matplotlib.pyplot as plt
        plt.close(fig)
    except Exception:  # pragma: no cover - pyplot unavailable
        pass


def register_formatter() -> bool:
    """Register the PNG formatter for AltFigure in the running IPython; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.display_formatter.formatters["image/png"].for_type(AltFigure, _png_with_alt)
    return True


# --------------------------------------------------------------------------- pyplot and rcParams
#: rcParams of the style: fonts, ink, the series cycle, no top/right spines. ``use()`` applies them.
RC = {
    "figure.dpi": DPI, "savefig.dpi": DPI, "figure.figsize": SLIDE_FIGSIZE,
    "figure.facecolor": WHITE, "axes.facecolor": WHITE, "savefig.facecolor": WHITE,
    "font.size": NOTE, "axes.titlesize": TITLE, "figure.titlesize": TITLE,
    "axes.labelsize": LABEL, "xtick.labelsize": TICK, "ytick.labelsize": TICK,
    "legend.fontsize": NOTE, "legend.title_fontsize": NOTE, "figure.labelsize": LABEL,
    "text.color": INK, "axes.labelcolor": INK, "axes.titlecolor": INK, "axes.edgecolor": INK,
    "xtick.color": INK, "ytick.color": INK, "legend.labelcolor": INK,
    "axes.spines.top": False, "axes.spines.right": False,
    "lines.linewidth": 2.4, "lines.markersize": 7, "grid.alpha": 0.3,
    "legend.frameon": False,
}


def _cycler():
    from cycler import cycler
    return cycler(color=[s["color"] for s in SERIES])


def use():
    """A context manager that draws pyplot (or ``Figure``) cells in the course style::

        with style.use():
            fig, ax = plt.subplots(figsize=style.SLIDE_FIGSIZE)
            ...

    Text properties are read when an artist is made, so make the figure inside the block.
    The colour cycle is ``SERIES``' colours; pass ``**series_style(i)`` for the second cue
    (marker and line style) wherever colour separates series.
    """
    import matplotlib

    return matplotlib.rc_context({**RC, "axes.prop_cycle": _cycler()})


def styled(function):
    """Decorator: run a figure function inside :func:`use` (signature and return unchanged).
    TypeError if ``function`` is not callable."""
    import functools

    if not callable(function):
        raise TypeError(f"function must be callable (a figure function), got "
                        f"{type(function).__name__}.")

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with use():
            return function(*args, **kwargs)
    return wrapper


# --------------------------------------------------------------------------- contrast (WCAG 2.2)
def relative_luminance(colour) -> float:
    """WCAG 2.2 relative luminance of a colour (any matplotlib colour; alpha ignored), 0..1.

    L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels
    (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance).
    """
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb("colour", colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(name: str, colour) -> tuple[float, float, float]:
    """``colour`` as (r, g, b) in [0, 1], or an error naming the argument."""
    from matplotlib.colors import to_rgb

    if isinstance(colour, (str, tuple, list, np.ndarray)) and len(colour) == 0:
        raise ValueError(f"{name} must be a matplotlib colour (a name, '#rrggbb' or an (r, g, b) "
                         f"tuple in [0, 1]), got an empty {type(colour).__name__}.")
    try:
        return to_rgb(colour)
    except (ValueError, TypeError):
        error = TypeError if not isinstance(colour, (str, tuple, list, np.ndarray)) else ValueError
        raise error(f"{name} must be a matplotlib colour (a name, '#rrggbb' or an (r, g, b) "
                    f"tuple in [0, 1]), got {colour!r}.") from None


def contrast_ratio(foreground, background) -> float:
    """WCAG 2.2 contrast ratio (L1 + 0.05) / (L2 + 0.05), from 1 to 21
    (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio). Text needs >= 4.5 (SC 1.4.3),
    lines and marks that carry meaning >= 3 (SC 1.4.11)."""
    _rgb("foreground", foreground), _rgb("background", background)
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def readable(colour, background=WHITE, minimum: float = 4.5) -> str:
    """``colour`` darkened (or lightened on a dark background) just enough to reach ``minimum``
    contrast against ``background``; a hex string. Used for text in a series' colour."""
    from matplotlib.colors import to_hex

    rgb = np.asarray(_rgb("colour", colour))
    _rgb("background", background)
    if isinstance(minimum, bool) or not isinstance(minimum, (int, float)):
        raise TypeError(f"minimum must be a contrast ratio (a number from 1 to 21), got "
                        f"{type(minimum).__name__} {minimum!r}.")
    if not 1 <= minimum <= 21:
        raise ValueError(f"minimum must be a contrast ratio from 1 to 21, got {minimum!r}.")
    target = np.zeros(3) if relative_luminance(background) > 0.18 else np.ones(3)
    for k in range(101):
        mixed = rgb + (target - rgb) * k / 100
        if contrast_ratio(mixed, background) >= minimum:
            return to_hex(mixed)
    return to_hex(target)


def text_on(background) -> str:
    """Black or white, whichever contrasts more with ``background`` (text on a coloured cell).

    One of the two always reaches 4.58:1 (the worst case, a background of relative luminance
    0.18, is sqrt(21):1), which INK (#1a1a1a) instead of black would not (4.2:1 there)."""
    _rgb("background", background)
    black = "#000000"
    return black if contrast_ratio(black, background) >= contrast_ratio(WHITE, background) \
        else WHITE


# --------------------------------------------------------------------------- direct labels
def _fit_labels_right(ax, labels) -> None:
    """Widen the x axis on the right until every Text in ``labels`` ends inside ``ax`` (a label
    past the axes makes the layout shrink them to part of the figure)."""
    fig = ax.figure
    for _ in range(4):             # the layout moves the axes as the limits change: settle it
        fig.draw_without_rendering()
        frame = ax.get_window_extent()
        right = max(t.get_window_extent().x1 for t in labels)
        if right <= frame.x1 - 4:
            return
        x0, x1 = ax.get_xlim()
        ax.set_xlim(x0, x1 + (right - frame.x1 + 8) / frame.width * (x1 - x0))


def label_lines(ax, lines=None, *, fontsize: float = NOTE, gap: float = 0.01,
                remove_legend: bool = True) -> list:
    """Label each line at its right-hand end, in its colour darkened to >= 4.5:1 contrast.

    ``lines`` defaults to the axes' lines with a label (not starting with "_"). Labels are
    spread vertically so that none overlaps another, just right of each line's end (outside the
    axes where a line ends at the right edge: the figure's layout makes room for them), and a
    legend is removed (the labels replace it). Returns the Text artists.
    Use it where a legend would cover data (WCAG 2.2 SC 1.4.1: colour is then not the only cue).
    TypeError if ``ax`` is not an Axes or ``lines`` not a list of Line2D; ValueError if
    ``lines`` is empty.
    """
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}.")
    if lines is not None:
        if not isinstance(lines, (list, tuple)) or not all(isinstance(ln, Line2D) for ln in lines):
            raise TypeError("lines must be a list of the axes' Line2D (from ax.plot) or None, "
                            f"got {type(lines).__name__}.")
        if not lines:
            raise ValueError("lines must name at least one line, or be None for every "
                             "labelled line, got an empty list.")
    if lines is None:
        lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    ends = []
    for line in lines:
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            i = np.flatnonzero(ok)[-1]
            ends.append((line, x[i], y[i]))
    if not ends:
        return []
    transform = ax.transData + ax.transAxes.inverted()       # data -> axes fraction
    pos = [transform.transform((x, y))[1] for _, x, y in ends]
    height = fontsize * 1.35 / 72 / max(ax.figure.get_size_inches()[1] * ax.get_position().height,
                                        1e-6)
    order = np.argsort(pos)
    placed = np.array(pos, dtype=float)
    for _ in range(50):                                      # push apart until none overlaps
        moved = False
        for a, b in zip(order[:-1], order[1:]):
            if placed[b] - placed[a] < height:
                shift = (height - (placed[b] - placed[a])) / 2
                placed[a] -= shift
                placed[b] += shift
                moved = True
        if not moved:
            break
    background = ax.get_facecolor()
    texts = []
    for (line, x, y), y_axes in zip(ends, placed):
        colour = readable(line.get_color(), background)
        x_axes = transform.transform((x, y))[0]
        text = ax.annotate(line.get_label(), (x_axes, pos[len(texts)]), xycoords="axes fraction",
                           xytext=(x_axes + gap, y_axes), textcoords="axes fraction",
                           va="center", ha="left", fontsize=fontsize, color=colour,
                           annotation_clip=False)
        line._course_direct_label = text  # type: ignore[attr-defined]
        texts.append(text)
    if remove_legend and ax.get_legend() is not None:
        ax.get_legend().remove()
    return texts
