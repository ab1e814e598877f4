"""The slide exporter's offline guard and the built decks' files."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
from tests import _decks  # noqa: E402
from tests._browser import unavailable  # noqa: E402


@pytest.mark.parametrize("snippet", [
    '<script src="https://unpkg.com/reveal.js@4/dist/reveal.js"></script>',
    "<link rel='stylesheet' href='//cdn.example.org/x.css'>",
    "<img alt='x' src=\"http://example.org/a.png\">",
    "body { background: url('https://example.org/bg.png') }",
    "@import url(https://fonts.googleapis.com/css?family=Lato);",
    "import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid.mjs';",
])
def test_remote_loads_are_found(snippet):
    assert export_slides.remote_loads(snippet)


@pytest.mark.parametrize("snippet", [
    '<script src="assets/reveal.js/dist/reveal.js"></script>',
    '<a href="https://arxiv.org/abs/1409.1259">Cho et al. 2014</a>',
    "/* see https://github.com/hakimel/reveal.js */",
    "<img alt='x' src='data:image/png;base64,AAAA'>",
])
def test_local_files_links_and_comments_are_allowed(snippet):
    assert export_slides.remote_loads(snippet) == []


def test_built_decks_load_nothing_remote():
    slides = ROOT / "build" / "slides"
    _decks.require()
    assert export_slides.check_offline(slides) == []
    assert (slides / "assets" / "mathjax" / "MathJax.js").exists()
    manager = (slides / "assets" / "html-manager" / "embed-amd.js").read_text()
    assert "unpkg.com/@jupyter-widgets" not in manager


def test_built_decks_keep_every_executed_lecture():
    """The live RISE test presents these (tests/test_rise_live.py)."""
    _decks.require()
    executed = ROOT / "build" / "slides" / export_slides.EXECUTED
    lectures = sorted(p.name for p in (ROOT / "lectures").glob("[0-9]*.ipynb"))
    assert sorted(p.name for p in executed.glob("*.ipynb")) == lectures


def test_local_markdown_images_are_embedded(tmp_path):
    import base64

    import nbformat

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "dot.png").write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("![a dot](../images/dot.png) and ![gone](missing.png)")]
    export_slides.inline_images(nb, tmp_path / "lectures")
    assert "![a dot](data:image/png;base64,iVBOR" in nb.cells[0].source
    assert "![gone](missing.png)" in nb.cells[0].source


def test_a_browser_test_that_cannot_run_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not available"):
        unavailable("Chromium", "apt-get install chromium")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not available"):
        unavailable("Chromium", "apt-get install chromium")
