"""course.yml, the single source of the course's units, and the course home built from it."""
from __future__ import annotations

import html
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402

COURSE = export_slides.load_course()
UNITS = COURSE.units
LECTURES = [u.lecture for u in UNITS if u.lecture is not None]


def _stems(folder: str) -> list[str]:
    return sorted(p.stem for p in (ROOT / folder).glob("[0-9]*.ipynb"))


def test_units_are_numbered_from_one_in_order():
    assert [u.number for u in UNITS] == list(range(1, len(UNITS) + 1))


def test_every_lecture_belongs_to_exactly_one_unit():
    named = Counter(u.lecture for u in UNITS if u.lecture is not None)
    assert sorted(named) == _stems("lectures"), "course.yml's lectures differ from lectures/"
    assert [s for s, n in named.items() if n > 1] == [], "a lecture is in two units"


def test_every_lab_belongs_to_exactly_one_unit_and_is_generated():
    named = Counter(u.lab for u in UNITS)
    assert sorted(named) == _stems("solutions"), "course.yml's labs differ from solutions/"
    assert [s for s, n in named.items() if n > 1] == [], "a lab is in two units"
    assert [u.lab for u in UNITS if not (ROOT / "labs" / f"{u.lab}.ipynb").exists()] == []


def test_a_unit_numbers_its_lecture_and_lab_like_itself():
    for unit in UNITS:
        for stem in filter(None, (unit.lecture, unit.lab)):
            assert stem.startswith(f"{unit.number:02d}_"), f"unit {unit.number} names {stem}"


def test_every_unit_has_a_title_and_three_to_five_outcomes():
    for unit in UNITS:
        assert unit.title.strip(), f"unit {unit.number} has no title"
        assert 3 <= len(unit.outcomes) <= 5, f"unit {unit.number}: {len(unit.outcomes)} outcomes"
        for outcome in unit.outcomes:
            # Each completes "After this unit you can ...": a verb, no capital, no full stop.
            assert outcome[:1].islower() and not outcome.endswith("."), \
                f"unit {unit.number}: {outcome!r} does not read as 'you can {outcome[:20]}...'"


def test_a_unit_without_its_lab_is_reported_by_name(tmp_path):
    course = tmp_path / "course.yml"
    course.write_text("units:\n  - {number: 1, title: T, lecture: null, outcomes: [a]}\n")
    with pytest.raises(ValueError, match="unit 1 has no lab"):
        export_slides.load_course(course)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A slides folder with the first two decks exported and only the first one's handout."""
    first, second = LECTURES[:2]
    for stem in (first, second):
        (tmp_path / f"{stem}.slides.html").write_text("<!DOCTYPE html><title>deck</title>")
    (tmp_path / "handouts").mkdir()
    (tmp_path / export_slides.handout_name(first)).write_bytes(b"%PDF-1.4\n")
    export_slides.write_index(tmp_path)
    return tmp_path


def test_the_course_home_shows_every_unit_in_order_with_its_outcomes_and_lab(home):
    page = (home / "index.html").read_text()
    positions = [page.find(html.escape(u.title)) for u in UNITS]
    assert -1 not in positions and positions == sorted(positions), "units missing or out of order"
    for unit in UNITS:
        section = page[page.find(f'id="unit-{unit.number}"'):]
        for outcome in unit.outcomes:
            assert export_slides._inline(outcome) in section
        assert f"labs/{unit.lab}.ipynb" in section and f"solutions/{unit.lab}.ipynb" in section


def test_the_course_home_links_decks_and_handouts_only_once_built(home):
    page = (home / "index.html").read_text()
    first, second, third = LECTURES[:3]
    assert f'href="{first}.slides.html"' in page and f'href="handouts/{first}.pdf"' in page
    assert f'href="{second}.slides.html"' in page and f'href="handouts/{second}.pdf"' not in page
    after_second = page[page.find(f'href="{second}.slides.html"'):]
    assert 0 <= after_second.find("make handouts") < after_second.find("<dt>Lab"), \
        "a missing handout does not say how to build it"
    assert f'href="{third}.slides.html"' not in page, "a deck that was not exported is linked"
    assert export_slides.broken_links(home / "index.html") == []
    assert export_slides.check_offline(home) == []


def test_broken_links_finds_missing_files_only(tmp_path):
    (tmp_path / "here.pdf").write_bytes(b"")
    (tmp_path / "index.html").write_text(
        '<a href="here.pdf">x</a><a href="gone.pdf">y</a><a href="#top">z</a>'
        '<a href="https://example.org/">w</a><link rel="icon" href="data:,">')
    assert export_slides.broken_links(tmp_path / "index.html") == ["gone.pdf"]
