"""Write every lecture's title slide and outcomes slide from course.yml.

    python tools/title_slides.py [--check] [LECTURE ...]   # default: every lecture of course.yml

Cell 0 of a lecture is its title slide (tag `title`): "Lecture N", the unit's title, the course's
title and the unit's lab. Cell 1 is the slide "What you will be able to do" (tag `outcomes`): the
unit's outcomes, word for word. The notebook's `rise.footer` (which jupyterlab-rise 0.43.1 shows
at the foot of every slide, and the offline decks show too) names the lecture. These are
generated: edit course.yml, never the cells, and run this tool. The first time it meets a lecture
whose cell 0 is a hand-written title with an outline, it keeps that outline (its `# Lecture`
heading replaced by `## Outline`) as the deck's agenda slide after the outcomes. --check writes
nothing and exits 1 if a lecture is out of date (tests/test_deck_structure.py checks the same).
"""
from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_slides  # noqa: E402
from normalize_notebooks import render  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TITLE_TAG, OUTCOMES_TAG = "title", "outcomes"
TITLE_ID, OUTCOMES_ID = "deck-title", "deck-outcomes"
OUTCOMES_HEADING = "## What you will be able to do"
OUTCOMES_LEAD = "After this lecture and its lab you can:"
# A markdown character that could start emphasis or a tag in an outcome's plain text.
MARKDOWN_SPECIAL = re.compile(r"([\\*_<>\[\]])")


def lab_title(unit: export_slides.Unit) -> str:
    """The lab's title without its "Lab NN: " prefix (its file stem if it has no title)."""
    title = export_slides.notebook_title(ROOT / "solutions" / f"{unit.lab}.ipynb")
    return re.sub(r"^Lab\s+\d+\s*(\([^)]*\))?\s*:\s*", "", title) or unit.lab


def plain(text: str) -> str:
    """An outcome as markdown: its `code` spans kept, every other markdown character escaped."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(p if p.startswith("`") else MARKDOWN_SPECIAL.sub(r"\\\1", p) for p in parts)


def title_source(unit: export_slides.Unit, course: export_slides.Course) -> str:
    """Cell 0: the title slide."""
    return (f"Lecture {unit.number}\n\n"
            f"# {unit.title}\n\n"
            f"{course.title}\n\n"
            f"Lab: {plain(lab_title(unit))} (`labs/{unit.lab}.ipynb`)")


def outcomes_source(unit: export_slides.Unit) -> str:
    """Cell 1: the unit's outcomes, word for word, one bullet each."""
    bullets = "\n".join(f"- {plain(' '.join(o.split()))}" for o in unit.outcomes)
    return f"{OUTCOMES_HEADING}\n\n{OUTCOMES_LEAD}\n\n{bullets}"


def footer(unit: export_slides.Unit) -> str:
    """The HTML every slide shows at its foot (RISE's `rise.footer`, the offline decks' footer)."""
    return f'<span class="deck-footer">Lecture {unit.number} &middot; {html.escape(unit.title)}</span>'


def expected_cells(unit: export_slides.Unit, course: export_slides.Course) -> list[nbformat.NotebookNode]:
    """Cells 0 and 1 as they must be."""
    return [
        nbformat.v4.new_markdown_cell(title_source(unit, course), id=TITLE_ID, metadata={
            "slideshow": {"slide_type": "slide"}, "tags": [TITLE_TAG]}),
        nbformat.v4.new_markdown_cell(outcomes_source(unit), id=OUTCOMES_ID, metadata={
            "slideshow": {"slide_type": "slide"}, "tags": [OUTCOMES_TAG]}),
    ]


def _same(cell: nbformat.NotebookNode, want: nbformat.NotebookNode) -> bool:
    return (cell.cell_type == want.cell_type and cell.source == want.source
            and cell.metadata == want.metadata and cell.get("id") == want.id)


def problems(nb: nbformat.NotebookNode, unit: export_slides.Unit,
             course: export_slides.Course) -> list[str]:
    """What differs from course.yml in the notebook's cells 0-1 and footer (empty when none)."""
    found = []
    for index, (want, what) in enumerate(zip(expected_cells(unit, course), ("title", "outcomes"))):
        if len(nb.cells) <= index or not _same(nb.cells[index], want):
            found.append(f"cell {index} is not the {what} slide course.yml gives")
    if nb.metadata.get("rise", {}).get("footer") != footer(unit):
        found.append("metadata rise.footer does not name the lecture as course.yml does")
    return found


def _agenda(cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """A hand-written title slide's outline as an agenda slide, or None if it holds none."""
    lines = cell.source.splitlines()
    if not lines or not re.match(r"#\s+Lecture\b", lines[0]):
        return None
    rest = lines[1:]
    subtitle = []
    if rest and re.match(r"###?\s+", rest[0]):  # a subtitle under the title: kept as a lead
        subtitle = ["*" + re.sub(r"^#+\s+", "", rest[0]).strip() + "*", ""]
        rest = rest[1:]
    body = "\n".join(rest).strip()
    if not body:
        return None
    agenda = nbformat.v4.new_markdown_cell("\n".join(["## Outline", "", *subtitle, body]),
                                           metadata={"slideshow": {"slide_type": "slide"}})
    if "id" in cell:
        agenda.id = cell.id
    return agenda


def update(nb: nbformat.NotebookNode, unit: export_slides.Unit, course: export_slides.Course) -> None:
    """Give nb the title and outcomes slides and footer course.yml gives (in place)."""
    title, outcomes = expected_cells(unit, course)
    cells = list(nb.cells)
    if cells and TITLE_TAG in cells[0].metadata.get("tags", []):
        cells = cells[1:]
        if cells and OUTCOMES_TAG in cells[0].metadata.get("tags", []):
            cells = cells[1:]
    elif cells:
        agenda = _agenda(cells[0])
        if agenda is not None:
            cells[0] = agenda
    nb.cells = [title, outcomes, *cells]
    nb.metadata.setdefault("rise", {})["footer"] = footer(unit)


def lectures(course: export_slides.Course, names: list[str]) -> list[tuple[Path, export_slides.Unit]]:
    """(notebook, unit) for every lecture named (stems, file names or paths), or for all."""
    units = {u.lecture: u for u in course.units if u.lecture is not None}
    wanted = [Path(n).name.removesuffix(".ipynb") for n in names] or list(units)
    unknown = [n for n in wanted if n not in units]
    if unknown:
        raise SystemExit(f"error: not a lecture of course.yml: {', '.join(unknown)}")
    return [(export_slides.LECTURES / f"{name}.ipynb", units[name]) for name in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lectures", nargs="*", help="lecture stems or files (default: all)")
    parser.add_argument("--check", action="store_true", help="only report; write nothing")
    args = parser.parse_args(argv)
    course = export_slides.load_course()
    stale = []
    for path, unit in lectures(course, args.lectures):
        nb = nbformat.read(path, as_version=4)
        found = problems(nb, unit, course)
        if not found:
            continue
        stale.append(path)
        if args.check:
            print(f"{path.relative_to(ROOT)}: " + "; ".join(found), file=sys.stderr)
        else:
            update(nb, unit, course)
            path.write_text(render(nb), encoding="utf-8")
            print(f"wrote the title and outcomes slides of {path.relative_to(ROOT)}")
    if args.check and stale:
        print("run `python tools/title_slides.py`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
