"""Shared helpers for the tests that drive headless Chromium."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def unavailable(what: str, how: str) -> None:
    """Fail under CI (a test that cannot run must not pass); elsewhere skip, saying what to install."""
    message = f"{what} is not available: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Chromium", "install Debian's package: sudo apt-get install chromium (or `make chromium` as root)")
    return path


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as factory
    except ImportError:
        unavailable("playwright", "pip install playwright (it is in requirements.txt; run `make test`)")
    return factory()


# --- axe-core (npm, node_modules/axe-core), injected from disk: the pages stay offline ------
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.0, 2.1 and 2.2 level A and AA rules axe implements (axe-core 4.14's tags; its
# best-practice rules, such as `region`, are not WCAG requirements and are not run).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Runs in the page: axe on `context` (a CSS selector, an element, or the whole document when
# null), WCAG rules only; one entry per violating node: rule id, impact, help, target selector.
_AXE_RUN = """async ([context, tags]) => {
  const results = await axe.run(context || document,
      {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.flatMap(v => v.nodes.map(n => ({
      rule: v.id, impact: v.impact, help: v.help, target: n.target.join(' '),
      html: n.html.slice(0, 120), summary: (n.failureSummary || '').split('\\n').slice(1).join(' ').slice(0, 200)})));
}"""


def inject_axe(page) -> None:
    """Load axe-core into the page from node_modules (never from the network)."""
    if not AXE.is_file():
        unavailable("axe-core", "run `npm ci` (`make test` does it): node_modules/axe-core is missing")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))


def axe_violations(page, context=None) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page (or in ``context``: a CSS selector, or
    axe's {"include": [...], "exclude": [...]}), one dict per offending node: rule, impact,
    help, target (a CSS selector), html and axe's summary of what to fix."""
    inject_axe(page)
    return page.evaluate(_AXE_RUN, [context, list(WCAG_TAGS)])


def describe_violations(violations: list[dict], where: str = "") -> str:
    """One line per violation: where, rule id, target selector, what axe says to fix."""
    return "\n".join(f"  {where}{v.get('where', '')} {v['rule']} ({v['impact']}) at {v['target']}: "
                     f"{v['summary'] or v['help']}" for v in violations)


# ------------------------------------------------------------------ shared fixtures
SLIDES = ROOT / "build" / "slides"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (import this fixture into the module)."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server():
    """The exported decks (build/slides) served over HTTP; yields the base URL."""
    from make_handouts import serve  # tools/ is on sys.path (conftest.py)

    from tests import _decks

    _decks.require()   # every deck and the course home, exported once this run
    with serve(SLIDES) as base:
        yield base

