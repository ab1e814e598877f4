"""Every figure of course_utils against the course style (course_utils/style.py), by test.

For each sample call in tests/_figures.py (one for every public plot_*/draw_* function, found by
introspection, so a new function without an entry fails here):

* every visible text is at least 16 pt (22 px on the slide at 100 dpi);
* the figure is within ``style.MAX_FIGSIZE`` and its axes fill it;
* it carries alternative text (``style.set_alt``);
* every visible text has a contrast of at least 4.5:1 against what lies behind it, and every line
  that carries meaning at least 3:1 against its axes (WCAG 2.2, SC 1.4.3 and SC 1.4.11,
  https://www.w3.org/TR/WCAG22/, relative luminance and contrast ratio as defined there);
* series that differ only in colour stay distinguishable for deuteranopia, protanopia and
  tritanopia (Machado, Oliveira and Fernandes 2009 simulation at severity 100, in colorspacious);
  colour maps are perceptually uniform or single-hue, CVD-safe.

Also: ``gradients.activation_html`` (every character's contrast, a legend, a description), the
widgets' labels, and style.py itself.
"""
from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PathCollection, QuadMesh  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import course_utils  # noqa: E402
from course_utils import style  # noqa: E402
from tests._figures import figures  # noqa: E402

FIGURES = figures()

#: The smallest CAM02-UCS colour difference (Luo, Cui and Li 2006) between two series that only
#: colour tells apart, after simulating a colour-vision deficiency. A difference of about 1 is
#: just noticeable between large patches; thin lines and small markers need several times that.
#: 10 passes every pair of the Okabe-Ito palette (its closest pairs under simulation, orange vs
#: reddish purple and blue vs bluish green under tritanopia, are 11.0 and 11.7 apart) and fails
#: matplotlib's default red vs green (5.2 under deuteranopia) and orange vs green (1.6, protanopia).
MIN_DELTA_E = 10.0
CVD_TYPES = ("deuteranomaly", "protanomaly", "tritanomaly")   # at severity 100: -anopia
#: Colour maps that are perceptually uniform and CVD-safe: matplotlib's uniform sequential maps
#: (viridis family, cividis: Nuñez, Anderton and Renslow 2018), single-hue sequential maps, and
#: ColorBrewer's diverging maps marked colour-blind safe (Brewer, colorbrewer2.org).
SAFE_CMAPS = {"viridis", "cividis", "magma", "inferno", "plasma", "Greys", "Blues", "Oranges",
              "Purples", "Greens", "PuOr", "BrBG", "RdBu"}
PLACEHOLDERS = {"image", "figure", "plot", "chart", "a plot", "a figure", "graph"}


# --------------------------------------------------------------------------- discovery
def _public_figure_functions() -> set[str]:
    names = set()
    for info in pkgutil.iter_modules(course_utils.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"course_utils.{info.name}")
        for name, obj in vars(module).items():
            diagram = info.name == "diagrams" and not name.startswith("_") and name != "tint"
            if (inspect.isfunction(obj) and obj.__module__ == module.__name__
                    and (re.match(r"(plot|draw)_", name) or diagram)):
                names.add(f"{info.name}.{name}")
    return names


def test_every_public_plot_and_draw_function_has_a_sample_call():
    covered = {re.sub(r"\(.*\)$", "", key) for key in FIGURES}
    missing = _public_figure_functions() - covered
    assert not missing, (f"add a sample call to tests/_figures.py for {sorted(missing)}: "
                         "test_style checks every figure function")
    stale = covered - _public_figure_functions()
    assert not stale, f"tests/_figures.py names functions that do not exist: {sorted(stale)}"


# --------------------------------------------------------------------------- helpers
_cache: dict[str, Figure] = {}


def _figure(name: str) -> Figure:
    if name not in _cache:
        result = FIGURES[name]()
        fig = result if isinstance(result, Figure) else result.figure
        _cache[name] = fig
    return _cache[name]


def _walk(artist, out: list) -> None:
    """Every visible artist under ``artist`` (an invisible parent hides its children)."""
    if not artist.get_visible():
        return
    if isinstance(artist, Axis) and not artist.axes.axison:
        return
    out.append(artist)
    for child in artist.get_children():
        _walk(child, out)


def _texts(fig: Figure) -> list[Text]:
    artists: list = []
    _walk(fig, artists)
    return [a for a in artists if isinstance(a, Text) and a.get_text().strip()]


def _drawn(fig: Figure):
    """Draw ``fig`` with Agg once and freeze its layout; return the renderer. The figures are
    cached (_figure), so a figure another test has drawn is not drawn again: with its layout
    frozen, a second draw places every artist where the first did."""
    if not getattr(fig, "_style_test_drawn", False):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        fig.canvas.draw()
        fig.set_layout_engine("none")
        fig._style_test_drawn = True
    return fig.canvas.get_renderer()


def _rgb_over(colour, background) -> np.ndarray:
    """``colour`` (with alpha) composited over an opaque ``background``."""
    r, g, b, a = to_rgba(colour)
    back = np.asarray(to_rgba(background)[:3])
    return a * np.array([r, g, b]) + (1 - a) * back


def _contrast(artist, behind) -> float:
    """WCAG contrast of a text's or line's colour (its alpha composited) against ``behind``."""
    colour = to_rgba(artist.get_color())
    if artist.get_alpha() is not None:
        colour = (*colour[:3], artist.get_alpha() * colour[3])
    return style.contrast_ratio(_rgb_over(colour, behind), behind)


def _backgrounds(fig: Figure, texts: list[Text]) -> list[np.ndarray]:
    """The colour behind each text: its bbox's face if it has one, else the most frequent
    colour of the figure drawn without any text inside the text's extent (the axes or figure
    face, an image or a patch under it)."""
    renderer = fig.canvas.get_renderer()
    extents = [t.get_window_extent(renderer) for t in texts]
    every = [a for a in _all(fig) if isinstance(a, Text)]
    shown = [a.get_visible() for a in every]
    for a in every:
        a.set_visible(False)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    for a, v in zip(every, shown):
        a.set_visible(v)
    height, width = pixels.shape[:2]
    out = []
    for text, box in zip(texts, extents):
        x0, x1 = int(max(box.x0, 0)), int(min(box.x1, width))
        y0, y1 = int(max(height - box.y1, 0)), int(min(height - box.y0, height))
        region = pixels[y0:y1, x0:x1].reshape(-1, 3)
        if len(region):
            colours, counts = np.unique(region, axis=0, return_counts=True)
            behind = colours[counts.argmax()] / 255
        else:
            behind = np.asarray(to_rgba(fig.get_facecolor())[:3])
        patch = text.get_bbox_patch()
        if patch is not None and patch.get_facecolor()[3] > 0:
            behind = _rgb_over(patch.get_facecolor(), behind)
        out.append(behind)
    return out


def _all(fig: Figure) -> list:
    out: list = []

    def visit(artist):
        out.append(artist)
        for child in artist.get_children():
            visit(child)
    visit(fig)
    return out


def _is_series(artist) -> bool:
    return not str(artist.get_label()).startswith("_")


def _legend_handles(ax) -> set:
    legends = [ax.get_legend()] + [lg for lg in ax.figure.legends]
    handles = set()
    for legend in legends:
        if legend is not None:
            handles.update(id(h) for h in getattr(legend, "legend_handles", []))
    return handles


def _series_artists(ax) -> list[tuple[object, str, tuple, bool]]:
    """(artist, colour, second cue, directly labelled) for each artist that separates series."""
    labels = {t.get_text().strip() for t in ax.texts}
    out = []
    for line in ax.get_lines():
        if not line.get_visible() or not _is_series(line):
            continue
        direct = hasattr(line, "_course_direct_label") or line.get_label().strip() in labels
        cue = ("line", str(line.get_marker()), str(line.get_linestyle()),
               str(line.get_markerfacecolor()) == "none")
        out.append((line, line.get_color(), cue, direct))
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible() and _is_series(coll):
            paths = coll.get_paths()
            shape = tuple(np.round(paths[0].vertices, 2).ravel()) if paths else ()
            faces = coll.get_facecolors()
            hollow = len(faces) == 0 or faces[0][3] == 0
            colour = coll.get_edgecolors()[0] if hollow else faces[0]
            out.append((coll, colour, ("points", shape, hollow),
                        coll.get_label().strip() in labels))
    for container in ax.containers:
        if isinstance(container, BarContainer) and container.patches and _is_series(container):
            patch = container.patches[0]
            out.append((container, patch.get_facecolor(), ("bars", patch.get_hatch() or ""),
                        container.get_label().strip() in labels))
    return out


def _simulate(colour, cvd: str) -> np.ndarray:
    from colorspacious import cspace_convert
    rgb = to_rgba(colour)[:3]
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def _delta_e(a, b) -> float:
    from colorspacious import deltaE
    return float(deltaE(a, b, input_space="sRGB1", uniform_space="CAM02-UCS"))


def _label(artist) -> str:
    return str(artist.get_label())


# --------------------------------------------------------------------------- the figure tests
@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_text_is_at_least_16_pt(name):
    fig = _figure(name)
    _drawn(fig)
    small = [(t.get_text()[:40], round(t.get_fontsize(), 1)) for t in _texts(fig)
             if t.get_fontsize() < style.TICK - 1e-6]
    assert not small, (f"{name}: text below {style.TICK} pt (22 px on the slide): "
                       f"{small[:8]}{' ...' if len(small) > 8 else ''}")


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_fits_the_slide_and_its_axes_fill_it(name):
    fig = _figure(name)
    renderer = _drawn(fig)
    w, h = fig.get_size_inches()
    max_w, max_h = style.MAX_FIGSIZE
    assert w <= max_w + 1e-6 and h <= max_h + 1e-6, \
        f"{name}: {w:g} x {h:g} in, larger than style.MAX_FIGSIZE {style.MAX_FIGSIZE}"
    assert w >= style.SLIDE_FIGSIZE[0] / 2, \
        f"{name}: {w:g} in wide, under half the slide body ({style.SLIDE_FIGSIZE[0]:g} in)"
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    boxes = [b for b in boxes if b is not None]
    assert boxes, f"{name}: no visible axes"
    x0, x1 = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    y0, y1 = min(b.y0 for b in boxes), max(b.y1 for b in boxes)
    width, height = fig.bbox.width, fig.bbox.height
    used_w, used_h = (min(x1, width) - max(x0, 0)) / width, (min(y1, height) - max(y0, 0)) / height
    assert used_w >= 0.8 and used_h >= 0.6, \
        (f"{name}: its axes use {used_w:.0%} of the figure's width and {used_h:.0%} of its "
         "height (want >= 80% and >= 60%): size the figure to its content")


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_has_alternative_text(name):
    alt = style.alt_text(_figure(name))
    assert alt, f"{name}: no alternative text: call style.set_alt(fig, ...) with what it shows"
    text = " ".join(alt.split())
    assert len(text) >= 15 and text.lower().rstrip(".") not in PLACEHOLDERS, \
        f"{name}: alternative text {alt!r} does not say what the figure shows"


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_text_contrast_is_at_least_4_5(name):
    """WCAG 2.2 SC 1.4.3 (contrast, minimum): 4.5:1 for text."""
    fig = _figure(name)
    _drawn(fig)
    texts = _texts(fig)
    low = []
    for text, behind in zip(texts, _backgrounds(fig, texts)):
        ratio = _contrast(text, behind)
        if ratio < 4.5:
            low.append((text.get_text()[:30], f"{ratio:.2f}:1"))
    assert not low, f"{name}: text below 4.5:1 contrast (WCAG 2.2 SC 1.4.3): {low[:8]}"


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_lines_contrast_is_at_least_3(name):
    """WCAG 2.2 SC 1.4.11 (non-text contrast): 3:1 for lines that carry meaning."""
    fig = _figure(name)
    low = []
    for ax in fig.axes:
        face = _rgb_over(ax.get_facecolor(), to_rgba(fig.get_facecolor()))
        in_legend = _legend_handles(ax)
        for line in ax.get_lines():
            if not line.get_visible() or not (_is_series(line) or id(line) in in_legend):
                continue
            ratio = _contrast(line, face)
            if ratio < 3:
                low.append((_label(line)[:30], f"{ratio:.2f}:1"))
    assert not low, f"{name}: lines below 3:1 against the axes (WCAG 2.2 SC 1.4.11): {low}"


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_series_survive_colour_vision_deficiency(name):
    fig = _figure(name)
    problems = []
    for ax in fig.axes:
        series = _series_artists(ax)
        for (a, ca, cue_a, direct_a), (b, cb, cue_b, direct_b) in itertools.combinations(series, 2):
            if cue_a != cue_b or direct_a or direct_b:
                continue            # a second cue (marker, line style, hatch) or a direct label
            for cvd in CVD_TYPES:
                d = _delta_e(_simulate(ca, cvd), _simulate(cb, cvd))
                if d < MIN_DELTA_E:
                    problems.append(f"{_label(a)!r} vs {_label(b)!r}: ΔE {d:.1f} under "
                                    f"{cvd.replace('anomaly', 'anopia')}")
        for mappable in ax.images + [c for c in ax.collections if isinstance(c, QuadMesh)]:
            cmap = mappable.get_cmap().name.removesuffix("_r")
            if cmap not in SAFE_CMAPS:
                problems.append(f"colour map {cmap!r} is not perceptually uniform and CVD-safe "
                                f"(use one of {sorted(SAFE_CMAPS)})")
    assert not problems, (f"{name}: series told apart by colour alone become indistinguishable "
                          f"(CAM02-UCS ΔE < {MIN_DELTA_E:g}; add a marker or line style, or label "
                          f"them directly): {problems}")


# --------------------------------------------------------------------------- seeing inside (HTML)
_SPAN = re.compile(r'<span style="([^"]*)"[^>]*>')


def _css(style_text: str, prop: str) -> str | None:
    m = re.search(rf"(?:^|;)\s*{prop}\s*:\s*([^;]+)", style_text)
    return m.group(1).strip() if m else None


def _rgb(css: str) -> tuple[float, float, float]:
    m = re.fullmatch(r"rgb\((\d+),\s*(\d+),\s*(\d+)\)", css)
    if m:
        return tuple(int(v) / 255 for v in m.groups())
    return to_rgba(css)[:3]


def test_activation_html_every_character_reaches_4_5_contrast():
    from course_utils.gradients import activation_html
    values = np.linspace(-1.2, 1.2, 97)
    text = "".join(chr(ord("a") + i % 26) for i in range(len(values)))
    page = activation_html(text, values, title="unit 7")
    spans = _SPAN.findall(page)
    assert len(spans) >= len(text), "one span per character"
    inherited = re.search(r"(?<![-\w])color\s*:\s*([^;'\"]+)", page[:page.index("<span")])
    low = []
    for css, value in zip(spans, values):
        back = _css(css, "background(?:-color)?")
        fore = _css(css, "(?<![-\\w])color") or (inherited.group(1).strip() if inherited else "black")
        assert back, f"each character sets its own background: {css!r}"
        ratio = style.contrast_ratio(_rgb(fore), _rgb(back))
        if ratio < 4.5:
            low.append((round(float(value), 2), f"{ratio:.2f}:1"))
    assert not low, f"activation_html: characters below 4.5:1 (WCAG 2.2 SC 1.4.3): {low[:6]}"


def test_activation_html_has_a_cvd_safe_scale_a_legend_and_a_description():
    from course_utils.gradients import activation_html
    page = activation_html("ab", [-1.0, 1.0])
    backs = [_rgb(_css(css, "background(?:-color)?")) for css in _SPAN.findall(page)[:2]]
    for cvd in CVD_TYPES:
        d = _delta_e(_simulate(backs[0], cvd), _simulate(backs[1], cvd))
        assert d >= MIN_DELTA_E, f"-1 and +1 look alike under {cvd}: ΔE {d:.1f}"
    assert re.search(r"−1|-1", page) and re.search(r"\+1", page), "a visible legend of the scale"
    assert 'role="img"' in page or "aria-label" in page or "<figcaption" in page, \
        "an accessible description"


# --------------------------------------------------------------------------- widgets
def _widget_descriptions(widget, out: list) -> list:
    if getattr(widget, "description", ""):
        out.append(widget)
    for child in getattr(widget, "children", ()):
        _widget_descriptions(child, out)
    return out


def _widgets():
    from course_utils import gates_plot, gradients, widgets
    return {"window_detector_widget": widgets.window_detector_widget,
            "unrolled_rnn_widget": widgets.unrolled_rnn_widget,
            "gate_memory_widget": gates_plot.gate_memory_widget,
            "gradient_norm_widget": lambda: gradients.gradient_norm_widget(steps=30, hidden_size=8)}


@pytest.mark.parametrize("name", list(_widgets()))
def test_widget_labels_are_never_truncated(name):
    widget = _widgets()[name]()
    labelled = _widget_descriptions(widget, [])
    assert labelled, f"{name}: no labelled control found"
    cut = [w.description for w in labelled
           if getattr(getattr(w, "style", None), "description_width", "") != "initial"]
    assert not cut, (f"{name}: labels {cut} may be truncated: give them "
                     "style={'description_width': 'initial'}")


# --------------------------------------------------------------------------- style.py itself
def test_set_alt_rejects_what_is_not_a_description():
    fig = Figure()
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        style.set_alt("figure", "A line of loss against the epoch")
    with pytest.raises(TypeError, match="alt must be a string"):
        style.set_alt(fig, None)
    for bad in ("Image", "plot", "short"):
        with pytest.raises(ValueError, match="alt must say what the figure shows"):
            style.set_alt(fig, bad)
    assert style.alt_text(fig) is None
    assert style.set_alt(fig, "  Loss   against epoch, 1 to 10 ") is fig
    assert style.alt_text(fig) == "Loss against epoch, 1 to 10"


def test_series_style_gives_every_series_a_second_cue():
    looks = [style.series_style(i) for i in range(len(style.SERIES))]
    assert len({(s["marker"], str(s["linestyle"])) for s in looks}) == len(looks)
    assert style.series_style(len(style.SERIES)) == looks[0]
    for bad in (-1, 1.0, True, "0"):
        with pytest.raises(TypeError, match="i must be a non-negative integer"):
            style.series_style(bad)
    for a, b in itertools.combinations(looks, 2):
        if a["marker"] == b["marker"] and a["linestyle"] == b["linestyle"]:
            pytest.fail(f"{a} and {b} differ only in colour")
    for s in looks:   # every series colour is a visible line on white (SC 1.4.11)
        assert style.contrast_ratio(s["color"], "white") >= 3, s


def test_contrast_ratio_follows_wcag():
    assert style.contrast_ratio("black", "white") == pytest.approx(21.0)
    assert style.contrast_ratio("#767676", "white") == pytest.approx(4.54, abs=0.01)
    assert style.contrast_ratio(style.INK, "white") >= 4.5
    for colour in style.OKABE_ITO.values():
        assert style.contrast_ratio(style.readable(colour), "white") >= 4.5
        assert style.contrast_ratio(style.text_on(colour), colour) >= 4.5


def test_label_lines_labels_each_line_in_a_readable_colour():
    fig = Figure(figsize=style.SLIDE_FIGSIZE)
    ax = fig.subplots()
    for i, name in enumerate(("LSTM", "GRU", "RNN")):
        ax.plot(np.arange(10), np.full(10, 1.0 + 0.001 * i), label=name, **style.series_style(i))
    ax.legend()
    texts = style.label_lines(ax)
    assert [t.get_text() for t in texts] == ["LSTM", "GRU", "RNN"]
    assert ax.get_legend() is None
    assert all(style.contrast_ratio(t.get_color(), "white") >= 4.5 for t in texts)
    FigureCanvasAgg(fig).draw()
    boxes = [t.get_window_extent() for t in texts]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2)), \
        "labels of lines that end at the same height must not overlap"


def test_use_applies_the_style_to_pyplot_figures():
    import matplotlib.pyplot as plt
    with style.use():
        fig, ax = plt.subplots()
        ax.set_title("t")
        line, = ax.plot([0, 1])
    try:
        assert ax.title.get_fontsize() == style.TITLE
        assert tuple(fig.get_size_inches()) == style.SLIDE_FIGSIZE
        assert line.get_color().lower() == style.SERIES[0]["color"].lower()
    finally:
        plt.close(fig)


def test_alt_text_reaches_the_notebook_output_metadata(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import matplotlib.pyplot as plt\nfrom matplotlib.figure import Figure\n"
        "from course_utils import style\n%matplotlib inline",
        "fig = Figure()\nfig.subplots().plot([1, 2])\n"
        "style.set_alt(fig, 'A rising line from 1 to 2')\nfig",
        "fig, ax = plt.subplots()\nax.plot([2, 1])\nstyle.set_alt(fig, 'A falling line from 2 to 1');",
        "from course_utils.plotting import plot_order_matters\nplot_order_matters()",
        "import numpy as np\nfrom course_utils.gradients import plot_clipping\n"
        "plot_clipping({'run': {'loss': np.linspace(3, 1, 20), 'grad_norm': np.ones(20)}});",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": root}}).execute()

    def alts(cell):
        return [o.get("metadata", {}).get("image/png", {}).get("alt") for o in cell.outputs
                if "image/png" in o.get("data", {})]
    assert alts(nb.cells[1]) == ["A rising line from 1 to 2"]
    assert alts(nb.cells[2]) == ["A falling line from 2 to 1"]
    [alt] = alts(nb.cells[3])
    assert alt and len(alt) >= 15, "a plot function's default alternative text reaches the output"
    [alt] = alts(nb.cells[4])   # a pyplot figure, shown once by the inline backend
    assert "SGD steps" in alt


# --------------------------------------------------------------------------- bad input (issue 16)
def _axes():
    return Figure().subplots()


BAD_INPUT = [
    ("series_style", "type", lambda: style.series_style("1"), TypeError, "i must be a non-negative integer"),
    ("set_alt", "type", lambda: style.set_alt([], "A line from 1 to 2 over time"), TypeError,
     "fig must be a matplotlib Figure"),
    ("set_alt", "empty", lambda: style.set_alt(Figure(), ""), ValueError, "alt must say what the figure shows"),
    ("set_alt", "shape", lambda: style.set_alt(Figure(), ["A line from 1 to 2"]), TypeError,
     "alt must be a string"),
    ("alt_text", "type", lambda: style.alt_text("figure"), TypeError, "fig must be a matplotlib Figure"),
    ("png_bytes", "type", lambda: style.png_bytes(None), TypeError, "fig must be a matplotlib Figure"),
    ("show", "type", lambda: style.show(3, "A line from 1 to 2 over time"), TypeError,
     "fig must be a matplotlib Figure"),
    ("show", "empty", lambda: style.show(Figure(), " "), ValueError, "alt must say what the figure shows"),
    ("styled", "type", lambda: style.styled("plot"), TypeError, "function must be callable"),
    ("relative_luminance", "type", lambda: style.relative_luminance(3), TypeError,
     "colour must be a matplotlib colour"),
    ("relative_luminance", "shape", lambda: style.relative_luminance((1, 0)), ValueError,
     "colour must be a matplotlib colour"),
    ("relative_luminance", "empty", lambda: style.relative_luminance(""), ValueError,
     "colour must be a matplotlib colour"),
    ("contrast_ratio", "type", lambda: style.contrast_ratio("black", None), TypeError,
     "background must be a matplotlib colour"),
    ("contrast_ratio", "shape", lambda: style.contrast_ratio((0, 0, 0, 0, 0), "white"), ValueError,
     "foreground must be a matplotlib colour"),
    ("contrast_ratio", "empty", lambda: style.contrast_ratio("", "white"), ValueError,
     "foreground must be a matplotlib colour"),
    ("readable", "type", lambda: style.readable("#E69F00", minimum="4.5"), TypeError,
     "minimum must be a contrast ratio"),
    ("readable", "value", lambda: style.readable("#E69F00", minimum=30), ValueError,
     "minimum must be a contrast ratio from 1 to 21"),
    ("readable", "shape", lambda: style.readable((1, 0), "white"), ValueError, "colour must be a matplotlib colour"),
    ("readable", "empty", lambda: style.readable([], "white"), ValueError, "colour must be a matplotlib colour"),
    ("text_on", "type", lambda: style.text_on(1.5), TypeError, "background must be a matplotlib colour"),
    ("text_on", "shape", lambda: style.text_on((1, 1)), ValueError, "background must be a matplotlib colour"),
    ("text_on", "empty", lambda: style.text_on(""), ValueError, "background must be a matplotlib colour"),
    ("label_lines", "type", lambda: style.label_lines("ax"), TypeError, "ax must be a matplotlib Axes"),
    ("label_lines", "shape", lambda: style.label_lines(_axes(), lines=["a line"]), TypeError,
     "lines must be a list of the axes' Line2D"),
    ("label_lines", "empty", lambda: style.label_lines(_axes(), lines=[]), ValueError,
     "lines must name at least one line"),
]
NOT_APPLICABLE = {
    ("series_style", "shape"), ("series_style", "empty"),  # one integer: no shape, nothing empty
    ("alt_text", "shape"), ("alt_text", "empty"),          # one Figure: no shape, nothing empty
    ("png_bytes", "shape"), ("png_bytes", "empty"),        # one Figure: no shape, nothing empty
    ("show", "shape"),                                     # a Figure and a string: no shape
    ("styled", "shape"), ("styled", "empty"),              # one function: no shape, nothing empty
    ("use", "type"), ("use", "shape"), ("use", "empty"),   # takes no argument
    ("register_formatter", "type"), ("register_formatter", "shape"),   # takes no argument
    ("register_formatter", "empty"),
}


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT,
                         ids=[f"{n}-{k}-{i}" for i, (n, k, *_) in enumerate(BAD_INPUT)])
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_the_bad_input_table_covers_every_public_function():
    from tests._bad_input import untried
    assert untried(style, BAD_INPUT, NOT_APPLICABLE) == []


def test_play_buttons_clip_instead_of_showing_an_ellipsis():
    """ipywidgets 7's Play buttons use text-overflow: ellipsis; at a slide's 20 px font the icon
    overflows its button and a stray '.' follows every icon (seen in the exported deck 01)."""
    from course_utils import widgets
    widget = widgets.unrolled_rnn_widget()
    html = [w.value for w in widget.children[0].children if hasattr(w, "value")
            and isinstance(w.value, str)]
    assert any("text-overflow: clip" in v for v in html), \
        "the step controls carry widgets.PLAY_CSS next to their Play button"


def test_widget_axes_hold_every_curve_they_can_draw():
    """The gate and gradient widgets fix their y axis from every slider position, so a curve
    never leaves the axes when a slider moves (issue 18)."""
    from course_utils import gates_plot, gradients
    rng = np.random.default_rng(0)
    low, high = gates_plot._memory_limits(40)
    for forget, write in rng.uniform(0, 1, (20, 2)):
        trace = gates_plot.memory_trace(float(forget), float(write), 1.0, 40)
        assert low <= trace["c"].min() and trace["c"].max() <= high, (forget, write)
    low, high = gradients._norm_limits(30, 8)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for radius, scale in rng.uniform((0.1, 0.0), (3.0, 3.0), (10, 2)):
            for activation in gradients.ACTIVATIONS:
                norms = gradients.gradient_norms(float(radius), 30, 8, activation, float(scale))
                norms = norms[np.isfinite(norms) & (norms > 0)]
                assert low <= norms.min() and norms.max() <= high, (radius, scale, activation)
