"""Mend two bugs of the installed jupyterlab-rise 0.43.1 in its built slideshow app.

    python tools/patch_rise.py [--check]

`make` runs it after installing the packages; --check only says whether the mends are in place
(exit status 1 if not). Each mend replaces one exact piece of the app's built JavaScript and
writes the file anew (never in place, so that a copy hard-linked elsewhere is left as it was).
Any other jupyterlab-rise version is refused, so that an upgrade gets looked at again.

1. "Maximum call stack size exceeded", dozens of times in the slideshow's console: the app
   bundles @microsoft/fast-foundation 2.50.0, whose DesignTokenNode.removeChild re-hydrates the
   child it removes; for a jp-toolbar (the notebook's hidden toolbar, the cell toolbar), whose
   fill colour derives from its parent's, that recurses without end. JupyterLab 4.6 itself ships
   a FAST without it; the mend restores removeChild as fast-foundation 2.49.4 has it (the
   version jupyterlab-contrib/search-replace pinned, PR 148, for the same recursion).
2. Pressing T (speaker notes) sends the deck back to its first slide a few seconds later: the
   speaker view of reveal.js loads the presentation twice more, in preview frames, and here the
   presentation is the whole RISE app, which opens the notebook again, starts on slide 1, and
   reports that slide change to the speaker view, which moves the deck there. The mend opens the
   speaker view without preview frames: notes, clock and timer, the deck left where it is
   (keys pressed in the notes window still move the deck).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

VERSION = "0.43.1"


@dataclass(frozen=True)
class Mend:
    file: str  # under jupyterlab_rise/static
    old: str
    new: str
    what: str


_NO_PREVIEWS = (
    "/* rnn-course (tools/patch_rise.py): no preview frames, which would reload the RISE app "
    "and move the deck */ "
    "currentSlide = upcomingSlide = { contentWindow: { postMessage: function ( message ) { "
    "if( /triggerKey/.test( message ) ) window.opener.postMessage( message, '*' ); } } }; "
    "setLayout( 'notes-only' ); document.querySelector( '#speaker-layout' ).style.display = 'none'; "
    "window.opener.postMessage( JSON.stringify({ namespace: 'reveal-notes', type: 'connected'} ), '*' ); "
    "return;")

MENDS = [
    Mend("4437.bundle.js",
         "const i=ri.delete(t);for(const[e]of this.store.all())t.hydrate(e,t.getRaw(e)),"
         "t.updateCSSTokenReflection(t.store,e);return i}",
         "return ri.delete(t)}",
         "FAST 2.49.4's DesignTokenNode.removeChild (no endless recursion in jp-toolbar)"),
    Mend("1655.bundle.js",
         "function setupIframes( data ) {",
         "function setupIframes( data ) {" + _NO_PREVIEWS,
         "a speaker view without preview frames (T leaves the deck where it is)"),
]


def static_dir() -> Path:
    """The installed jupyterlab-rise app's static folder. Raises RuntimeError when jupyterlab-rise
    is missing or is not version VERSION."""
    try:
        import jupyterlab_rise
    except ImportError:
        raise RuntimeError("jupyterlab-rise is not installed (requirements.txt pins it)") from None
    if jupyterlab_rise.__version__ != VERSION:
        raise RuntimeError(
            f"jupyterlab-rise {jupyterlab_rise.__version__} is installed; these mends are for "
            f"{VERSION} (requirements.txt pins it). Check whether the new version still has the "
            "two bugs described in tools/patch_rise.py before changing VERSION.")
    return Path(jupyterlab_rise.__file__).parent / "static"


def state(mend: Mend, folder: Path) -> str:
    """'mended', 'unmended', or 'unknown' (the text to mend is not there exactly once)."""
    text = (folder / mend.file).read_text(encoding="utf-8")
    if mend.new in text:
        return "mended"
    return "unmended" if text.count(mend.old) == 1 else "unknown"


def unmended(folder: Path | None = None) -> list[str]:
    """What is not mended in the installed app (empty when all is well)."""
    folder = folder or static_dir()
    return [m.what for m in MENDS if state(m, folder) != "mended"]


def apply(folder: Path) -> None:
    """Mend what is not mended yet in folder; RuntimeError if a text to mend is not there."""
    for mend in MENDS:
        current = state(mend, folder)
        if current == "mended":
            continue
        if current == "unknown":
            raise RuntimeError(f"{folder / mend.file} does not hold the text to mend ({mend.what})")
        path = folder / mend.file
        fresh = path.with_name(path.name + ".mending")
        fresh.write_text(path.read_text(encoding="utf-8").replace(mend.old, mend.new), encoding="utf-8")
        os.replace(fresh, path)  # a new file: hard links to the old one keep the old text
        print(f"mended jupyterlab-rise {VERSION}: {mend.what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the mends are in place")
    args = parser.parse_args(argv)
    try:
        folder = static_dir()
        if not args.check:
            apply(folder)
        missing = unmended(folder)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for what in missing:
        print(f"not mended: {what} (run `python tools/patch_rise.py`)", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
