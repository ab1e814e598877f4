"""Redraw every figure in images/ from course_utils.plotting.

    python tools/draw_images.py [--out DIR] [NAME ...]

REGISTRY maps each image's name (its file is NAME.png) to the function that draws it.
Every function is seeded, and PNGs are written at 100 dpi without version metadata, so
redrawing with the same packages gives the same bytes. `make images` runs this script.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from course_utils import plotting  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "images"
DPI = 100

REGISTRY: dict[str, Callable[[], Figure]] = {
    # lecture 01: sequences and the recurrent neuron
    "order_matters": lambda: plotting.plot_order_matters(seed=0),
    "io_patterns": plotting.plot_io_patterns,
    "rnn_rolled_unrolled": lambda: plotting.plot_rnn_rolled_unrolled(n_steps=4),
    "minibatch_shapes": lambda: plotting.plot_minibatch_shapes(batch_size=4, input_size=3, hidden_size=5),
}


def draw(name: str, out: Path = IMAGES) -> Path:
    """Draw one registered image into ``out``/NAME.png and return its path."""
    if name not in REGISTRY:
        raise ValueError(f"name must be one of {sorted(REGISTRY)}, got {name!r}.")
    out.mkdir(parents=True, exist_ok=True)
    fig = REGISTRY[name]()
    if not isinstance(fig, Figure):
        raise TypeError(f"the drawing function for {name!r} returned {type(fig).__name__}, "
                        "not a matplotlib Figure.")
    path = out / f"{name}.png"
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="images to draw (default: all)")
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder for the PNG files")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        print(f"error: unknown image(s) {unknown}; known: {sorted(REGISTRY)}", file=sys.stderr)
        return 2
    for name in args.names or sorted(REGISTRY):
        print(f"drew {draw(name, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
