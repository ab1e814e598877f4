import importlib.util
import struct
from pathlib import Path

import matplotlib.pyplot
import pytest

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "images"


def _load():
    spec = importlib.util.spec_from_file_location("draw_images", ROOT / "tools" / "draw_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_every_image_has_a_drawing_function():
    registry = _load().REGISTRY
    on_disk = {p.stem for p in IMAGES.glob("*.png")}
    assert on_disk, "images/ holds no PNG: run `make images`"
    assert on_disk - set(registry) == set(), "images without a drawing function in the registry"
    assert set(registry) - on_disk == set(), "registered images missing from images/"


def test_every_markdown_image_reference_exists():
    import nbformat

    missing = []
    for nb_path in sorted((ROOT / "lectures").glob("*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for part in cell.source.split("](../images/")[1:]:
                name = part.split(")")[0]
                if not (IMAGES / name).exists():
                    missing.append(f"{nb_path.name}: {name}")
    assert missing == []


def test_redrawing_gives_the_committed_bytes(tmp_path):
    """`make images` redraws every committed PNG byte for byte, each at most a slide body."""
    from course_utils import style

    module = _load()
    assert module.main(["--out", str(tmp_path)]) == 0
    changed = []
    for name in module.REGISTRY:
        fresh, committed = tmp_path / f"{name}.png", IMAGES / f"{name}.png"
        w, h = _png_size(fresh)
        assert w <= style.MAX_FIGSIZE[0] * style.DPI and h <= style.MAX_FIGSIZE[1] * style.DPI, \
            f"{name} is {w}x{h} pixels: too big for a slide"
        if fresh.read_bytes() != committed.read_bytes():
            changed.append(name)
    assert changed == [], f"images/ is out of date for {changed}: run `make images`"


def test_every_image_has_its_alternative_text():
    """ALT holds each image's alternative text, the same the drawing function attaches, and
    text that a markdown image can carry (no brackets, angle brackets or asterisks)."""
    from course_utils import style

    module = _load()
    assert set(module.ALT) == set(module.REGISTRY)
    for name, draw in module.REGISTRY.items():
        alt = module.ALT[name]
        assert len(alt) >= 60 and not set(alt) & set("[]<>*`"), name
        figure = draw()
        drawn = style.alt_text(figure)
        matplotlib.pyplot.close(figure)
        if name != "order_matters" or drawn is not None:    # s18style gives that one its alt
            assert drawn == alt, f"ALT[{name!r}] differs from the drawing's alt text"


def test_redrawing_is_deterministic(tmp_path):
    module = _load()
    a = module.draw("io_patterns", tmp_path / "a").read_bytes()
    b = module.draw("io_patterns", tmp_path / "b").read_bytes()
    assert a == b


def test_unknown_names_are_refused(tmp_path, capsys):
    module = _load()
    with pytest.raises(ValueError, match="name must be one of"):
        module.draw("no_such_image", tmp_path)
    assert module.main(["no_such_image", "--out", str(tmp_path)]) == 2
    assert "unknown image" in capsys.readouterr().err


def test_every_deck_image_carries_its_alt_text():
    """A lecture's markdown image of images/NAME.png carries ALT[NAME], the drawing's own
    alternative text (so a caption fixed in the drawing is fixed in the deck too)."""
    import re

    import nbformat

    alt = _load().ALT
    differ = []
    for nb_path in sorted((ROOT / "lectures").glob("*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            if cell.cell_type == "markdown":
                for text, name in re.findall(r"!\[([^\]]*)\]\(\.\./images/([\w-]+)\.png\)",
                                             cell.source):
                    if name in alt and text != alt[name]:
                        differ.append(f"{nb_path.name}: {name}")
    assert differ == []
