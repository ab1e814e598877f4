"""Every lecture deck follows the course's deck structure (issue 18), checked on the notebook.

Parametrised by lecture (`pytest tests/test_deck_structure.py -k 04`). A deck is cut into
(sub)slides as RISE and nbconvert cut it: a `slide` or `subslide` cell starts one, `-` and
`fragment` cells continue it, `notes` cells are its speaker notes, `skip` cells are not shown.

1. Cell 0 is the title slide and cell 1 the outcomes slide, as tools/title_slides.py writes them
   from course.yml (and the notebook's rise.footer names the lecture).
2. A notation slide among the first NOTATION_WITHIN (sub)slides: a heading with "Notation" and a
   markdown table whose first column holds only symbols NOTATION.md's tables hold (the same
   LaTeX, whitespace aside).
3. Section dividers: a `slide` markdown cell whose whole source is `## Part k: <name>`, tagged
   `section`, alone on its slide (notes aside), numbered 1, 2, ... in order; 3 to 6 per deck;
   and every `## Part k:` heading is such a divider.
4. Every slide and sub-slide starts with a heading: its first shown cell is a markdown cell whose
   first line is a `##` or `###` heading (`#` on the title slide).
5. One idea per slide: at most MAX_PROSE_LINES lines of prose (a paragraph or bullet counts
   ceil(characters / LINE_CHARS) lines, at least one; headings, display math, tables and images
   are not prose; nor is the References slide, a list whose fit the browser tests check) and at
   most MAX_CODE_LINES lines of visible code (cells tagged hide-input and skipped or removed cells
   are not visible).
6. Speaker notes after every content slide (all but the title, outcomes, section dividers and
   the References slide): a `notes` cell with lines starting **Say:**, **Students ask:** and
   **Answer:**, in that order, each with text.
7. The last two slides are "Summary" (3 to 6 bullets) and "References"; every reference (a
   bullet of the References slide) has a stable https link (a DOI, arXiv or another https URL),
   and every "Author et al. (year)" the deck cites is among them.
8. Every visible code line is at most MAX_CODE_CHARS characters, inside the wrap point, so that
   it does not wrap mid-expression in the exported 1280x720 deck.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
import title_slides  # noqa: E402

COURSE = export_slides.load_course()
UNITS = {u.lecture: u for u in COURSE.units if u.lecture is not None}
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
IDS = [p.stem for p in LECTURES]

NOTATION_WITHIN = 6      # the notation slide is among the deck's first six (sub)slides
MAX_PROSE_LINES = 8      # rendered lines of prose on one (sub)slide
LINE_CHARS = 100         # characters of a rendered line at the slides' body size
MAX_CODE_LINES = 12      # visible lines of code on one (sub)slide
MAX_CODE_CHARS = 88      # characters of a visible code line (Black's default): a margin under
#                          the ~104 that wrap at 20 px (lectures/rise.css), for other monospace fonts
MIN_PARTS, MAX_PARTS = 3, 6
SUMMARY_BULLETS = (3, 6)
NOTE_PARTS = ("**Say:**", "**Students ask:**", "**Answer:**")
SECTION_TAG = "section"
PART = re.compile(r"^##\s+Part\s+(\d+):\s*\S")
HEADING = re.compile(r"^(#{1,6})\s+\S")


@dataclass
class Slide:
    """A slide or sub-slide of a deck: its shown cells, its notes, the index of its first cell."""
    first: int
    kind: str
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        for cell in self.cells:
            if cell.cell_type == "markdown":
                match = re.search(r"^#{1,3}\s+(.+)$", cell.source, re.MULTILINE)
                return match.group(1).strip() if match else ""
        return ""

    @property
    def where(self) -> str:
        return f"cell {self.first} '{self.heading[:50]}'"

    @property
    def tags(self) -> set[str]:
        return {t for c in self.cells for t in c.metadata.get("tags", [])}


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def shown(cell) -> bool:
    """Whether the cell appears on a slide (its input, output or both)."""
    tags = cell.metadata.get("tags", [])
    return slide_type(cell) not in ("skip", "notes") and "remove-cell" not in tags


def slides_of(nb) -> list[Slide]:
    """The deck's (sub)slides in order."""
    slides: list[Slide] = []
    for index, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide(index, kind))
        if kind == "notes":
            slides[-1].notes.append(cell)
        elif shown(cell):
            slides[-1].cells.append(cell)
    return slides


def read(path: Path):
    return nbformat.read(path, as_version=4)


def unit_of(path: Path) -> export_slides.Unit:
    assert path.stem in UNITS, f"{path.name} is no lecture of course.yml"
    return UNITS[path.stem]


# ---------------------------------------------------------------------------------------------
# 1. Title and outcomes

@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_title_and_outcomes_slides_agree_with_course_yml(path):
    found = title_slides.problems(read(path), unit_of(path), COURSE)
    assert found == [], f"{'; '.join(found)}: run `python tools/title_slides.py`"


# ---------------------------------------------------------------------------------------------
# 2. Notation

def _split_symbols(math: str) -> list[str]:
    """A table cell's formula split at its top-level commas: '\\mathbf{i}_t, \\mathbf{f}_t'
    gives two symbols."""
    parts, depth, current = [], 0, ""
    for char in math:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p for p in (*parts, current) if p.strip()]


def _norm(tex: str) -> str:
    return re.sub(r"\s+", "", tex)


def symbols_of_cell(text: str) -> list[str]:
    """The symbols a table cell names: each formula ($...$) whole and split at its commas, and
    each `code` span; normalised (no whitespace)."""
    found = []
    for math in re.findall(r"\$([^$]+)\$", text):
        found.append(_norm(math))
        found += [_norm(p) for p in _split_symbols(math)]
    found += [_norm(c) for c in re.findall(r"`([^`]+)`", text)]
    return found


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the markdown tables in markdown (header rows left out), as lists of cells."""
    separator = re.compile(r"\|[\s|:-]+\|?")
    lines = [ln.strip() for ln in markdown.splitlines()]
    return [[c.strip() for c in line.strip("|").split("|")]
            for i, line in enumerate(lines)
            if line.startswith("|") and not separator.fullmatch(line)
            and not (i + 1 < len(lines) and separator.fullmatch(lines[i + 1]))]


def notation_symbols() -> set[str]:
    """Every symbol NOTATION.md's tables name in their first column."""
    text = (ROOT / "NOTATION.md").read_text(encoding="utf-8")
    return {s for row in table_rows(text) for s in symbols_of_cell(row[0])}


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_a_notation_slide_early_uses_notation_md(path):
    slides = slides_of(read(path))
    notation = [s for s in slides[:NOTATION_WITHIN] if "notation" in s.heading.lower()]
    assert notation, (f"no slide headed 'Notation' among the first {NOTATION_WITHIN} slides "
                      "(rule 2: a table of the symbols this lecture uses, as NOTATION.md writes them)")
    source = "\n".join(c.source for c in notation[0].cells if c.cell_type == "markdown")
    rows = table_rows(source)
    assert rows, f"{notation[0].where}: the notation slide has no markdown table"
    known = notation_symbols()
    unknown = []
    for row in rows:
        formulas = re.findall(r"\$([^$]+)\$", row[0])
        codes = re.findall(r"`([^`]+)`", row[0])
        assert formulas or codes, f"{notation[0].where}: the row {row[0]!r} names no symbol ($...$)"
        for math in formulas:
            if _norm(math) not in known and not all(_norm(p) in known for p in _split_symbols(math)):
                unknown.append(f"${math}$")
        unknown += [f"`{c}`" for c in codes if _norm(c) not in known]
    assert unknown == [], (f"{notation[0].where}: symbols not in NOTATION.md (as it writes them): "
                           f"{unknown}")


# ---------------------------------------------------------------------------------------------
# 3. Section dividers

def is_divider(slide: Slide) -> bool:
    return SECTION_TAG in slide.tags


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_section_dividers_are_lone_numbered_part_headings(path):
    nb = read(path)
    problems = []
    tagged = [i for i, c in enumerate(nb.cells) if SECTION_TAG in c.metadata.get("tags", [])]
    for i in tagged:
        cell = nb.cells[i]
        if cell.cell_type != "markdown" or slide_type(cell) != "slide":
            problems.append(f"cell {i}: a divider is a markdown cell of slide type 'slide'")
        elif not PART.match(cell.source.strip()) or len(cell.source.strip().splitlines()) != 1:
            problems.append(f"cell {i}: a divider's source is one line, '## Part k: <name>'")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and any(PART.match(ln) for ln in cell.source.splitlines()) \
                and i not in tagged:
            problems.append(f"cell {i}: a '## Part k:' heading without the '{SECTION_TAG}' tag")
    for slide in slides_of(nb):
        if is_divider(slide) and len(slide.cells) != 1:
            problems.append(f"{slide.where}: a divider stands alone on its slide "
                            f"({len(slide.cells)} cells shown)")
    numbers = [int(PART.match(nb.cells[i].source.strip()).group(1)) for i in tagged
               if PART.match(nb.cells[i].source.strip())]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"parts numbered {numbers}, not 1, 2, ... in order")
    if not MIN_PARTS <= len(tagged) <= MAX_PARTS:
        problems.append(f"{len(tagged)} section dividers; a deck has {MIN_PARTS} to {MAX_PARTS} parts")
    assert problems == [], "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 4. Headings

@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_every_slide_and_subslide_starts_with_a_heading(path):
    problems = []
    for number, slide in enumerate(slides_of(read(path))):
        if not slide.cells:
            problems.append(f"cell {slide.first}: a {slide.kind} that shows nothing")
            continue
        first = slide.cells[0]
        line = first.source.strip().splitlines()[0] if first.source.strip() else ""
        if is_title(number, first):
            continue
        match = HEADING.match(line) if first.cell_type == "markdown" else None
        if match is None or len(match.group(1)) not in (2, 3):
            what = "code" if first.cell_type == "code" else repr(line[:50])
            problems.append(f"cell {slide.first} ({slide.kind}): starts with {what}, "
                            "not a ## or ### heading")
    assert problems == [], f"{len(problems)} (sub)slides without a title:\n" + "\n".join(problems)


def is_title(number: int, cell) -> bool:
    """The title slide (its heading is a # heading)."""
    return number == 0 and title_slides.TITLE_TAG in cell.metadata.get("tags", [])


# ---------------------------------------------------------------------------------------------
# 5. One idea per slide

def rendered(text: str) -> str:
    """Markdown inline text roughly as it reads on the slide: links, emphasis, code marks and
    TeX commands gone (a formula shows its letters, not its source)."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)

    def formula(match: re.Match) -> str:
        tex = re.sub(r"\\(?:mathbf|boldsymbol|mathcal|operatorname|text|mathrm|hat|tilde|bar)\b", "",
                     match.group(1))
        tex = re.sub(r"\\[A-Za-z]+", "x", tex)  # a command shows as about one glyph
        return re.sub(r"[{}_^\\]", "", tex)

    text = re.sub(r"\$([^$]+)\$", formula, text)
    return re.sub(r"[*`]", "", text).strip()


def prose_lines(markdown: str) -> int:
    """Rendered lines of prose in a markdown cell: each paragraph or list item counts
    ceil(len / LINE_CHARS) lines, at least one. Headings, display math ($$...$$), tables,
    images alone on a line and HTML comments do not count."""
    text = re.sub(r"\$\$.*?\$\$", "\n\n", markdown, flags=re.DOTALL)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    blocks, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        starts_item = re.match(r"([-*+]|\d+[.)])\s+", stripped)
        if (not stripped or HEADING.match(stripped) or stripped.startswith("|")
                or re.fullmatch(r"!\[[^\]]*\]\([^)]*\)", stripped)):
            if current:
                blocks.append(" ".join(current))
            current = []
            continue
        if starts_item and current:
            blocks.append(" ".join(current))
            current = []
        current.append(stripped)
    if current:
        blocks.append(" ".join(current))
    return sum(max(1, math.ceil(len(rendered(b)) / LINE_CHARS)) for b in blocks if rendered(b))


def visible_code_lines(cell) -> int:
    hidden = ("hide-input" in cell.metadata.get("tags", [])
              or cell.metadata.get("jupyter", {}).get("source_hidden"))
    if cell.cell_type != "code" or hidden:
        return 0
    return len(cell.source.rstrip().splitlines())


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_one_idea_per_slide(path):
    problems = []
    for number, slide in enumerate(slides_of(read(path))):
        if number < 2:  # the generated title and outcomes slides (their own browser test)
            continue
        references = slide.heading.lower().startswith("references")
        prose = 0 if references else sum(prose_lines(c.source) for c in slide.cells
                                         if c.cell_type == "markdown")
        code = sum(visible_code_lines(c) for c in slide.cells)
        if prose > MAX_PROSE_LINES:
            problems.append(f"{slide.where}: {prose} lines of prose (at most {MAX_PROSE_LINES})")
        if code > MAX_CODE_LINES:
            problems.append(f"{slide.where}: {code} lines of visible code (at most {MAX_CODE_LINES})")
    assert problems == [], f"{len(problems)} crowded (sub)slides:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_visible_code_lines_fit_the_slide_width(path):
    """Visible code lines stay at most MAX_CODE_CHARS characters, under the wrap point (rise.css)."""
    problems = []
    for index, cell in enumerate(read(path).cells):
        if not shown(cell) or not visible_code_lines(cell):
            continue
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > MAX_CODE_CHARS:
                problems.append(f"{path.stem}, cell {index}, line {number}: {len(line)} characters "
                                f"(at most {MAX_CODE_CHARS}): {line.strip()[:60]}")
    assert problems == [], (f"{len(problems)} visible code lines are longer than the course allows:\n"
                            + "\n".join(problems))


# ---------------------------------------------------------------------------------------------
# 6. Speaker notes

def note_problem(notes: list) -> str:
    """'' when one of the notes cells has the three parts on lines of their own, in order."""
    for cell in notes:
        lines = [ln.strip() for ln in cell.source.splitlines()]
        where = []
        for part in NOTE_PARTS:
            found = next((i for i, ln in enumerate(lines) if ln.startswith(part)
                          and (ln[len(part):].strip() or i + 1 < len(lines) and lines[i + 1])), None)
            where.append(found)
        if None not in where and where == sorted(where):
            return ""
    if not notes:
        return "no speaker notes"
    return "notes lack " + ", ".join(p for p in NOTE_PARTS if not any(
        ln.strip().startswith(p) for c in notes for ln in c.source.splitlines())) \
        or "notes have the three parts out of order"


def content_slides(slides: list[Slide]) -> list[Slide]:
    """Every slide but the title, the outcomes, the section dividers and the closing references."""
    return [s for n, s in enumerate(slides) if n >= 2 and not is_divider(s)
            and not s.heading.lower().startswith("references")]


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_speaker_notes_after_every_content_slide(path):
    slides = content_slides(slides_of(read(path)))
    problems = [f"{s.where}: {note_problem(s.notes)}" for s in slides if note_problem(s.notes)]
    assert problems == [], (f"{len(problems)} of {len(slides)} content slides without notes in "
                            "three parts (**Say:**, **Students ask:**, **Answer:**):\n"
                            + "\n".join(problems))


# ---------------------------------------------------------------------------------------------
# 7. Summary and references

def bullets(markdown: str) -> list[str]:
    """The top-level list items of markdown, each with its continuation lines."""
    items: list[str] = []
    for line in markdown.splitlines():
        if re.match(r"([-*+]|\d+[.)])\s+", line):
            items.append(line)
        elif items and line.startswith((" ", "\t")) and line.strip():
            items[-1] += " " + line.strip()
    return items


STABLE_LINK = re.compile(r"https://\S+")
CITATION = re.compile(r"\b([A-Z][A-Za-z'\u00C0-\u017F-]+)\s+(?:et al\.|and [A-Z][A-Za-z'\u00C0-\u017F-]+)"
                      r"(?:'s)?,?\s*\(?((?:19|20)\d\d)\b")


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_closing_summary_and_references(path):
    nb = read(path)
    slides = slides_of(nb)
    assert len(slides) >= 4, "a deck of fewer than four slides"
    summary, references = slides[-2], slides[-1]
    problems = []
    if not summary.heading.lower().startswith("summary"):
        problems.append(f"the second-to-last slide is {summary.where}, not 'Summary'")
    else:
        count = len(bullets("\n".join(c.source for c in summary.cells if c.cell_type == "markdown")))
        if not SUMMARY_BULLETS[0] <= count <= SUMMARY_BULLETS[1]:
            problems.append(f"the Summary has {count} bullets, not {SUMMARY_BULLETS[0]} to {SUMMARY_BULLETS[1]}")
    if not references.heading.lower().startswith("references"):
        problems.append(f"the last slide is {references.where}, not 'References'")
        assert problems == [], "\n".join(problems)
    items = bullets("\n".join(c.source for c in references.cells if c.cell_type == "markdown"))
    if not items:
        problems.append("the References slide lists no reference (one bullet each)")
    problems += [f"reference without a DOI, arXiv or other https link: {item[:90]}"
                 for item in items if not STABLE_LINK.search(item)]
    cited = {(name, year) for cell in nb.cells if cell.cell_type == "markdown"
             for name, year in CITATION.findall(cell.source)}
    problems += [f"cites {name} ({year}), which the References slide does not list"
                 for name, year in sorted(cited)
                 if not any(name in item and year in item for item in items)]
    assert problems == [], "\n".join(problems)
