"""Generate the student labs in labs/ from the complete notebooks in solutions/.

    python tools/make_labs.py [--force] [--lab 03] [--check] [--out labs]

Each block between `### BEGIN SOLUTION` and `### END SOLUTION` becomes a stub that raises
NotImplementedError; outputs are cleared; the metadata is what JupyterLab stores
(tools/normalize_notebooks.py), so opening a lab does not change it.

A lab is written only if it is new, or if the student has not edited it: its cells (their
types, order and sources, which is all a student writes) are those of a version this tool
generated (their digests are in labs/.generated.json). Running a lab, or opening it in
another Jupyter, changes outputs and metadata only, so it still counts as unedited. An
edited lab is left alone and named, unless --force is given; even then the student's
version is first copied to labs/backup/. --lab NN limits all of this to the lab(s) whose
name starts with NN.

A lab renamed in a new version of the course (course.yml: `renamed_from: [old_name]` in its
unit) never loses the student's copy: an edited labs/old_name.ipynb is kept, and the tool
says what the lab is now called; an unedited one is removed.

--check writes nothing: it exits 1 if any committed lab differs from what would be generated.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from normalize_notebooks import normalize, render  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MANIFEST = ".generated.json"
HISTORY = 50  # digests kept per lab: every version a student may still have
STUB = 'raise NotImplementedError("not implemented yet: replace this line with your code")'
OPEN_TAB = ("If the lab is open in JupyterLab, close its tab without saving (or use File > "
            "Reload Notebook from Disk): the open tab still holds your old version, and its "
            "next save, or autosave, would write it back over the new one.")


class SolutionLeak(ValueError):
    """Solution text would survive into a lab."""


def _stub_block(lines: list[str]) -> list[str]:
    indent = re.match(r"\s*", lines[0]).group(0)
    return [f"{indent}# YOUR CODE HERE", indent + STUB]


def strip_solutions(source: str, label: str) -> str:
    """Replace every BEGIN/END SOLUTION block of ``source`` with a stub at its indentation."""
    out: list[str] = []
    block: list[str] | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            if block is not None:
                raise SolutionLeak(f"{label}: line {number}: {BEGIN} inside another block")
            block = [line]
        elif line.strip() == END:
            if block is None:
                raise SolutionLeak(f"{label}: line {number}: {END} without {BEGIN}")
            out.extend(_stub_block(block))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise SolutionLeak(f"{label}: {BEGIN} is never closed")
    return "\n".join(out)


def _solution_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Lines that appear only inside solution blocks: none of them may appear in the lab."""
    inside_lines, outside_lines, inside = set(), set(), False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            text = line.strip()
            if text == BEGIN:
                inside = True
            elif text == END:
                inside = False
            elif len(text) > 8 and not text.startswith("#"):
                (inside_lines if inside else outside_lines).add(text)
    return inside_lines - outside_lines


def make_lab(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The student version of ``solution``: stubs for solutions, no outputs."""
    lab = nbformat.from_dict(json.loads(json.dumps(solution)))
    exercise = 0
    for index, cell in enumerate(lab.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if BEGIN in cell.source:
                exercise += 1
                cell.source = strip_solutions(cell.source, f"{name}, exercise {exercise} (cell {index})")
        elif BEGIN in cell.source:
            raise SolutionLeak(f"{name}: cell {index}: solution markers in a markdown cell")
        cell.metadata.pop("execution", None)
    normalize(lab)
    leaked = _solution_lines(solution) & {
        line.strip() for cell in lab.cells for line in cell.source.splitlines()}
    if leaked:
        raise SolutionLeak(f"{name}: solution text survives in the lab: {sorted(leaked)[:3]}")
    if exercise == 0:
        raise SolutionLeak(f"{name}: no {BEGIN} block: what does the student write?")
    return lab


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def content_digest(text: str) -> str:
    """A digest of what a student can change in a notebook: its cells' types, order and
    sources. Outputs, execution counts and metadata (which running or merely opening a
    notebook rewrites) are left out."""
    cells = json.loads(text).get("cells", [])
    written = [[c.get("cell_type"), "".join(c.get("source", ""))] for c in cells]
    return digest(json.dumps(written, ensure_ascii=False))


def _edited(text: str, known: list[str]) -> bool:
    """Whether the lab ``text`` differs from every generated version in ``known``."""
    try:
        mine = content_digest(text)
    except (ValueError, AttributeError, TypeError):
        return True   # not a notebook we can read: someone's work, never overwrite it
    return mine not in known and digest(text) not in known   # (older manifests held bytes)


def _write(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically: an interrupted run leaves the old file or the
    new one, never half a notebook."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _backup(labs: Path, target: Path) -> Path:
    backup = labs / "backup" / f"{target.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, backup)
    return backup


def _load_manifest(path: Path) -> dict[str, list[str]]:
    raw = json.loads(path.read_text()) if path.exists() else {}
    return {name: [value] if isinstance(value, str) else list(value) for name, value in raw.items()}


def _remember(manifest: dict[str, list[str]], name: str, text: str) -> None:
    known = manifest.setdefault(name, [])
    mine = content_digest(text)
    if mine in known:
        known.remove(mine)
    known.insert(0, mine)
    del known[HISTORY:]


def renamed_labs(course: Path) -> dict[str, str]:
    """{old lab name: its name now} from the ``renamed_from`` lists of course.yml's units."""
    if not course.exists():
        return {}
    units = (yaml.safe_load(course.read_text(encoding="utf-8")) or {}).get("units") or []
    return {str(old): str(unit["lab"]) for unit in units for old in unit.get("renamed_from") or []}


def _selected(name: str, lab: str | None) -> bool:
    return lab is None or name == lab or name.startswith(f"{lab}_") or name == f"{lab}.ipynb"


def generate(solutions: Path, labs: Path, force: bool = False, check: bool = False,
             lab: str | None = None, course: Path | None = None) -> int:
    """Write (or with ``check`` compare) every lab; return the number of labs in trouble."""
    manifest_path = labs / MANIFEST
    manifest = _load_manifest(manifest_path)
    trouble = 0
    paths = [p for p in sorted(solutions.glob("*.ipynb")) if _selected(p.stem, lab)]
    if lab is not None and not paths:
        names = ", ".join(p.stem for p in sorted(solutions.glob("*.ipynb")))
        raise SystemExit(f"error: no lab is called {lab!r}; the labs are {names}")
    for path in paths:
        text = render(make_lab(nbformat.read(path, as_version=4), path.stem))
        target = labs / path.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if check:
            if current != text:
                print(f"{target}: differs from what `make labs` generates from {path}")
                trouble += 1
            continue
        if current == text:
            _remember(manifest, path.name, text)
            continue
        edited = current is not None and _edited(current, manifest.get(path.name, []))
        if edited and not force:
            print(f"kept {target}: you have edited it, so it was not replaced by the new version. "
                  f"To take the new version (yours is backed up first): "
                  f"make labs FORCE=1 LAB={path.stem.split('_')[0]}")
            trouble += 1
            continue
        if edited:
            print(f"backed up your edited {target} to {_backup(labs, target)}")
            print(f"  {OPEN_TAB}")
        _write(target, text)
        _remember(manifest, path.name, text)
        print(f"wrote {target}")
    if not check:
        trouble += _old_names(labs, manifest, renamed_labs(course or ROOT / "course.yml"), lab)
        _write(manifest_path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return trouble


def _old_names(labs: Path, manifest: dict[str, list[str]], renamed: dict[str, str],
               lab: str | None) -> int:
    """Deal with labs still under a name the course no longer uses; return how many were kept."""
    kept = 0
    for old, new in sorted(renamed.items()):
        target = labs / f"{old}.ipynb"
        if not target.exists() or not (_selected(old, lab) or _selected(new, lab)):
            continue
        if _edited(target.read_text(encoding="utf-8"), manifest.get(target.name, [])):
            print(f"kept {target}: your work on the lab now called {new} (labs/{new}.ipynb). "
                  f"The course renamed it; your copy keeps its old name. Carry on in it, or copy "
                  f"your answers into labs/{new}.ipynb.")
            kept += 1
        else:
            target.unlink()
            manifest.pop(target.name, None)
            print(f"removed {target}: you had not edited it, and it is now labs/{new}.ipynb")
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--out", type=Path, default=ROOT / "labs")
    parser.add_argument("--course", type=Path, default=ROOT / "course.yml")
    parser.add_argument("--force", action="store_true", help="replace edited labs (after a backup)")
    parser.add_argument("--lab", help="only the lab whose name starts with this (e.g. 03)")
    parser.add_argument("--check", action="store_true", help="only compare; write nothing")
    args = parser.parse_args(argv)
    if args.force and args.lab is None:
        print("note: FORCE=1 without LAB=NN replaces every lab you have edited "
              "(each backed up first); LAB=03 replaces only lab 03.")
    try:
        trouble = generate(args.solutions, args.out, force=args.force, check=args.check,
                           lab=args.lab, course=args.course)
    except SolutionLeak as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check and trouble:
        print("labs/ is out of date: run `make labs` and commit the result.", file=sys.stderr)
        return 1
    return 0  # kept labs are reported, not failures: the student's work wins


if __name__ == "__main__":
    sys.exit(main())
