"""Generate the student labs in labs/ from the complete notebooks in solutions/.

    python tools/make_labs.py [--force] [--check] [--out labs]

Each block between `### BEGIN SOLUTION` and `### END SOLUTION` becomes a stub that raises
NotImplementedError; outputs are cleared. A lab is written only if it is new, unchanged since
the last generation (its hash is in labs/.generated.json), or already equal to the result.
A lab a student has edited is left alone and named, unless --force is given; even then the
student's version is first copied to labs/backup/.

--check writes nothing: it exits 1 if any committed lab differs from what would be generated.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MANIFEST = ".generated.json"
STUB = 'raise NotImplementedError("not implemented yet: replace this line with your code")'


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
    lab.metadata.pop("widgets", None)
    leaked = _solution_lines(solution) & {
        line.strip() for cell in lab.cells for line in cell.source.splitlines()}
    if leaked:
        raise SolutionLeak(f"{name}: solution text survives in the lab: {sorted(leaked)[:3]}")
    if exercise == 0:
        raise SolutionLeak(f"{name}: no {BEGIN} block: what does the student write?")
    return lab


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def generate(solutions: Path, labs: Path, force: bool = False, check: bool = False) -> int:
    """Write (or with ``check`` compare) every lab; return the number of labs in trouble."""
    manifest_path = labs / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    trouble = 0
    for path in sorted(solutions.glob("*.ipynb")):
        text = render(make_lab(nbformat.read(path, as_version=4), path.stem))
        target = labs / path.name
        current = target.read_text() if target.exists() else None
        if check:
            if current != text:
                print(f"{target}: differs from what `make labs` generates from {path}")
                trouble += 1
            continue
        if current == text:
            manifest[path.name] = digest(text)
            continue
        edited = current is not None and digest(current) != manifest.get(path.name)
        if edited and not force:
            print(f"kept {target}: you have edited it, so it was not regenerated. "
                  f"Run `make labs FORCE=1` to replace it (your version is backed up first).")
            trouble += 1
            continue
        if edited:
            backup = labs / "backup" / f"{path.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backup)
            print(f"backed up your edited {target} to {backup}")
        labs.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        manifest[path.name] = digest(text)
        print(f"wrote {target}")
    if not check:
        manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return trouble


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--out", type=Path, default=ROOT / "labs")
    parser.add_argument("--force", action="store_true", help="replace edited labs (after a backup)")
    parser.add_argument("--check", action="store_true", help="only compare; write nothing")
    args = parser.parse_args(argv)
    try:
        trouble = generate(args.solutions, args.out, force=args.force, check=args.check)
    except SolutionLeak as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check and trouble:
        print("labs/ is out of date: run `make labs` and commit the result.", file=sys.stderr)
        return 1
    return 0  # kept labs are reported, not failures: the student's work wins


if __name__ == "__main__":
    sys.exit(main())
