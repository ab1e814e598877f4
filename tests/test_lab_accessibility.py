"""Accessibility of the labs rendered to HTML, and alternative text of the solutions' figures
(issue 18).

The page checked is the executed *solution* rendered with tools/lab_html.py: it is the lab a
student sees once the exercises are done (labs/ is generated from solutions/, so its text is
the lab's own, and every figure the lab draws is there, including those drawn from the
student's results), where the handed-out lab has no outputs at all. The executed solution is
the one `make test`'s nbval run of solutions/ leaves (tests/_executed.py), so nothing runs
twice: conftest.py runs these tests after that notebook's cells, on the same worker.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests._a11y import figures_without_alt
from tests._browser import axe_violations, describe_violations, launch, sync_playwright
from tests._executed import executed_solution

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import lab_html  # noqa: E402

SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))
PAGES = ROOT / "build" / "labs_html"
LANG = re.compile(r"<html\b[^>]*\blang=[\"']en[\"']", re.IGNORECASE)


@pytest.fixture(scope="module")
def lab_browser():
    """Chromium for a lab page. Module-scoped like every browser fixture of the suite: these
    tests run between other modules' tests (in their notebooks' work units), so it starts once
    per lab, and never while another module's Playwright runs (Playwright's sync API cannot
    run two at once in one thread)."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_solution_figure_has_alt_text(solution):
    """Every figure output of the executed solution and every markdown image carries
    alternative text saying what it shows (what the lab shows the student)."""
    problems = figures_without_alt(executed_solution(solution), f"solutions/{solution.name}")
    assert problems == [], f"{len(problems)} figures without alternative text:\n  " + "\n  ".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_lab_page_meets_wcag(lab_browser, solution):
    """axe-core's WCAG 2.2 A/AA rules on the lab's HTML page (opened from disk, offline), which
    declares its language."""
    page_path = PAGES / f"{solution.stem}.html"
    PAGES.mkdir(parents=True, exist_ok=True)
    page_path.write_text(lab_html.render(executed_solution(solution), solution.stem, PAGES),
                         encoding="utf-8")
    assert LANG.search(page_path.read_text(encoding="utf-8")[:2000]), f'{page_path.name}: no <html lang="en">'
    context = lab_browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.abort() if re.match(r"https?://", route.request.url)
                  else route.continue_())
    try:
        page = context.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_function("!window.MathJax || (MathJax.Hub && MathJax.Hub.queue.pending === 0"
                               " && !MathJax.Hub.queue.running)", timeout=30_000)
        violations = axe_violations(page)
    finally:
        context.close()
    assert violations == [], (f"{page_path.relative_to(ROOT)}: {len(violations)} WCAG violations "
                              "(axe-core):\n" + describe_violations(violations))


def test_the_lab_tests_run_after_their_notebook_on_its_worker():
    """conftest.py puts each test above in its solution's work unit, queued after its cells,
    so the nbval run's outputs are there when it reads them."""
    import conftest

    node = "tests/test_lab_accessibility.py::test_lab_page_meets_wcag[03_sequence_classification]"
    assert conftest.work_unit(node) == "solutions/03_sequence_classification.ipynb"
    assert conftest.work_unit("solutions/03_sequence_classification.ipynb::Cell 7") == conftest.work_unit(node)
    cell = type("IPyNbCell", (), {"nodeid": "solutions/03_x.ipynb::Cell 7",
                                  "get_closest_marker": lambda self, name: None})()
    test = type("Function", (), {"nodeid": node, "get_closest_marker": lambda self, name: name == "slow"})()
    assert conftest._rank(cell) < conftest._rank(test)
