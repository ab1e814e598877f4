"""Bring a git clone of the course up to date without ever blocking on, or losing, your work.

    python tools/update_course.py        # `make update` runs this, then `make labs`

`git pull` stops as soon as you have changed a file that the update changes too (an edited
lab, a lecture you ran and saved with its outputs). This does what you would do by hand, file
by file, and says what it did:

1. `git fetch` the branch this clone follows.
2. Each file you changed that the update also changes is set aside first:
   - a lab whose cells you edited (labs/NN_name.ipynb) is copied to labs/backup/ and, after
     the update, put back where it was: you carry on in it, and `make labs` then says that a
     new version exists (`make labs FORCE=1 LAB=NN` takes it, backing yours up again);
   - a notebook you only ran or opened (its cells are the ones you got) loses its outputs
     and metadata, which running it again recreates, and the new version comes in;
   - any other file you changed (a lecture you wrote notes into, a file of course_utils) is
     copied to backup/ under its path with the date, and the new version comes in;
   - a file you created where the update adds one is moved to backup/ the same way.
3. `git merge --ff-only`: nothing of yours is in the way any more. (A clone with commits of
   its own is merged with `git merge`; if that conflicts, nothing is changed and it says so.)

Nothing is deleted: every file of yours is either left in place or copied to a backup first.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB_BACKUPS = Path("labs") / "backup"
BACKUPS = Path("backup")
DERIVED = {"labs/.generated.json"}  # rewritten by make labs; never anyone's work


class UpdateFailed(RuntimeError):
    """The update could not be applied; the clone is as it was."""


def git(*args: str, root: Path, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise UpdateFailed(f"`git {' '.join(args)}` failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _cells(text: str) -> list | None:
    """What a student writes in a notebook (cell types, order, sources), or None."""
    try:
        return [[c.get("cell_type"), "".join(c.get("source", ""))] for c in json.loads(text)["cells"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def local_changes(root: Path) -> dict[str, str]:
    """{path: git status code} of every file that differs from HEAD, untracked ones included."""
    out = git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", root=root)
    return {entry[3:]: entry[:2] for entry in out.split("\0") if entry}


def upstream_changes(root: Path, upstream: str) -> set[str]:
    """Paths the update adds, changes or removes (both names of a rename)."""
    out = git("diff", "--name-only", "-z", "--no-renames", "HEAD", upstream, root=root)
    return {path for path in out.split("\0") if path}


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _copy_aside(root: Path, path: str, folder: Path) -> Path:
    """Copy root/path to root/folder/<path with the date>; return the copy's path."""
    source = root / path
    relative = Path(path)
    if folder == LAB_BACKUPS:
        relative = Path(relative.name)
    target = root / folder / relative.parent / f"{relative.stem}.{_stamp()}{relative.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target


def set_aside(root: Path, path: str, status: str, say) -> bytes | None:
    """Make ``path`` match HEAD (or move it away if untracked), keeping whatever is the
    student's; return the bytes to put back after the update (an edited lab), else None."""
    file = root / path
    if status == "??":
        target = _copy_aside(root, path, BACKUPS)
        file.unlink()
        say(f"moved your {path} to {target.relative_to(root)}: the update adds a file of that name")
        return None
    if path in DERIVED or not file.exists():
        git("checkout", "HEAD", "--", path, root=root)   # derived, or deleted by you: restore
        return None
    committed = git("show", f"HEAD:{path}", root=root, check=False)
    text = file.read_text(encoding="utf-8", errors="replace")
    is_notebook = path.endswith(".ipynb")
    if is_notebook and _cells(text) is not None and _cells(text) == _cells(committed):
        say(f"dropped the outputs of {path} (you had run or opened it, not edited it): "
            "running it again recreates them")
        git("checkout", "HEAD", "--", path, root=root)
        return None
    if is_notebook and path.startswith("labs/") and "/" not in path[len("labs/"):]:
        target = _copy_aside(root, path, LAB_BACKUPS)
        keep = file.read_bytes()
        git("checkout", "HEAD", "--", path, root=root)
        say(f"kept your edited {path} (a copy is in {target.relative_to(root)})")
        return keep
    target = _copy_aside(root, path, BACKUPS)
    git("checkout", "HEAD", "--", path, root=root)
    say(f"your changed {path} is now {target.relative_to(root)}; {path} is the new version")
    return None


def update(root: Path = ROOT, say=print) -> int:
    """Fetch and apply the update; return 0, or 1 with a message if it could not be applied."""
    upstream = git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}",
                   root=root, check=False).strip()
    if not upstream:
        raise UpdateFailed("this copy follows no remote branch: clone the course with "
                           "`git clone URL` to update it this way")
    remote = upstream.split("/", 1)[0]
    git("fetch", "--quiet", remote, root=root)
    if not git("rev-list", f"HEAD..{upstream}", root=root).strip():
        say(f"already up to date with {upstream}")
        return 0
    touched = upstream_changes(root, upstream)
    kept: dict[str, bytes] = {}
    for path, status in sorted(local_changes(root).items()):
        if path in touched:
            content = set_aside(root, path, status, say)
            if content is not None:
                kept[path] = content
    fast_forward = subprocess.run(["git", "merge-base", "--is-ancestor", "HEAD", upstream],
                                  cwd=root).returncode == 0
    try:
        if fast_forward:
            git("merge", "--ff-only", "--quiet", upstream, root=root)
        else:
            merged = subprocess.run(["git", "merge", "--no-edit", upstream], cwd=root,
                                    capture_output=True, text=True)
            if merged.returncode != 0:
                git("merge", "--abort", root=root, check=False)
                raise UpdateFailed("your clone has commits of its own that conflict with the update; "
                                   f"nothing was changed. Git said: {merged.stdout.strip()[-400:]}")
    finally:
        for path, content in kept.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(content)
    say(f"updated to {git('log', '-1', '--format=%h %s', root=root).strip()}")
    return 0


def main() -> int:
    try:
        return update()
    except UpdateFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
