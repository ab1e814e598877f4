"""Live presenting: JupyterLab headless, lecture 01 in the RISE slideshow, its widget working."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests._browser import launch, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
WIDGET_CALL = re.compile(r"\b\w+_widget\(")
pytestmark = [pytest.mark.browser, pytest.mark.slow]
WITH_WIDGETS = sorted(p.name for p in (ROOT / "lectures").glob("[0-9]*.ipynb")
                      if WIDGET_CALL.search(p.read_text()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """JupyterLab on a copy of lectures/ and images/, so nothing it saves touches the repo."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "lectures", root / "lectures")
    shutil.copytree(ROOT / "images", root / "images")
    port, token = _free_port(), secrets.token_hex(8)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    log = open(root / "jupyter.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(root / 'jupyter.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    server.wait(timeout=20)
    log.close()


def test_lecture_01_has_a_widget():
    assert "01_sequences_and_the_recurrent_neuron.ipynb" in WITH_WIDGETS


@pytest.mark.parametrize("lecture", WITH_WIDGETS)
def test_lecture_presents_with_a_working_widget(jupyter, lecture):
    """The first widget of each lecture that has one: rendered as a control, and it reacts."""
    base, token = jupyter
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{base}/rise/lectures/{lecture}?token={token}")
        page.wait_for_selector(".reveal .slides section", timeout=60_000)
        page.wait_for_timeout(3_000)  # let the kernel start

        # Page forward until the slide holding the widget cell is on screen.
        widget_cell = page.locator(".reveal .jp-CodeCell").filter(has_text=WIDGET_CALL).first
        for _ in range(150):
            if page.locator(".reveal section.present .jp-CodeCell").filter(has_text=WIDGET_CALL).count():
                break
            page.keyboard.press("Space")
            page.wait_for_timeout(150)
        else:
            pytest.fail("paging through the slideshow never reached the slide with the widget")

        widget_cell.click(position={"x": 4, "y": 4})
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Enter")  # run in place
        control = widget_cell.locator(".jupyter-widgets .widget-slider, .jupyter-widgets input, "
                                      ".jupyter-widgets select, .jupyter-widgets button").first
        control.wait_for(state="visible", timeout=60_000)
        output_text = widget_cell.locator(".jp-Cell-outputArea").inner_text()
        assert "Loading widget" not in output_text
        assert not re.search(r"\w+\(children=|IntSlider\(|FloatSlider\(", output_text), \
            f"the widget rendered as its text: {output_text[:200]}"
        page.wait_for_timeout(1_500)
        page.screenshot(path=str(ROOT / "build" / f"rise-widget-{lecture[:2]}.png"))

        # Working, not just drawn: drag a slider and see the output change. (Arrow keys would
        # page the slideshow: RISE takes them.)
        output = widget_cell.locator(".jp-Cell-outputArea")
        before = output.screenshot()
        handle = widget_cell.locator(".ui-slider-handle").first
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
        page.wait_for_timeout(3_000)
        assert output.screenshot() != before, "dragging the slider changed nothing on the slide"
        browser.close()
