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
"""
from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

DPI = 100
#: Slide body at DPI: 1200 x 540 px, under the slide title, inside the 1280x720 slide.
SLIDE_FIGSIZE = (12.0, 5.4)
#: Largest figure a slide can show at 1:1.
MAX_FIGSIZE = (12.0, 5.6)
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
    {"color": OKABE_ITO["orange"], "marker": "P", "linestyle": (0, (1, 1))},
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
    """The alternative text attached with ``set_alt``, or None."""
    return getattr(fig, "_course_alt", None)


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG at ``DPI`` (tight bounding box, as the inline backend draws it)."""
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
