"""Redraw every figure in images/ from course_utils.

    python tools/draw_images.py [--out DIR] [NAME ...]

REGISTRY maps each image's name (its file is NAME.png) to the function that draws it, and
ALT to the image's alternative text (what it shows), which the decks copy into their markdown
image, ``![ALT[name]](../images/NAME.png)``; it is the text the drawing function attaches with
``style.set_alt``. Every function is seeded, and PNGs are written at 100 dpi without version
metadata, so redrawing with the same packages gives the same bytes. `make images` runs this
script.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import diagrams, gates_plot, plotting  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "images"
DPI = 100

REGISTRY: dict[str, Callable[[], Figure]] = {
    # lecture 01: sequences and the recurrent neuron
    "order_matters": lambda: plotting.plot_order_matters(seed=0),
    "io_patterns": plotting.plot_io_patterns,
    "rnn_rolled_unrolled": lambda: plotting.plot_rnn_rolled_unrolled(n_steps=4),
    "minibatch_shapes": lambda: plotting.plot_minibatch_shapes(batch_size=4, input_size=3, hidden_size=5),
    "rnn_full_network": diagrams.rnn_full_network,
    # lecture 02: training through time
    "truncated_bptt_chunks": diagrams.truncated_bptt_chunks,
    # lecture 03: RNNs in PyTorch
    "packing_batch_sizes": diagrams.packing_batch_sizes,
    "padding_mask": diagrams.padding_mask,
    "bucketing": diagrams.bucketing,
    # lecture 04: gated cells, built up one part per sub-slide
    **{f"lstm_build_{k}": (lambda k=k: gates_plot.draw_lstm_cell(parts=k)) for k in range(1, 5)},
    **{f"gru_build_{k}": (lambda k=k: gates_plot.draw_gru_cell(parts=k)) for k in range(1, 4)},
    "lstm_peephole": lambda: gates_plot.draw_lstm_cell(peepholes=True),
    # lecture 05: deep RNNs
    "deep_rnn_grid": diagrams.deep_rnn_grid,
    "dropout_between_layers": diagrams.dropout_between_layers,
    # lecture 06: sequence to sequence
    "teacher_forcing_vs_free_running": diagrams.teacher_forcing_vs_free_running,
}

#: Alternative text of every image: what it shows, for a reader who cannot see it.
ALT: dict[str, str] = {
    "order_matters": (
        'Left: 20 daily prices that rise from 101 to 112 euros (solid line, as it happened) and'
        ' the same prices in reverse order, falling from 112 to 101 (dashed line): a rally or a'
        ' crash from one set of values. Middle: a 22x22-pixel heart. Right: the same pixels '
        'shuffled, in which no shape is left.'
    ),
    "io_patterns": (
        'Four unrolled diagrams, time running left to right, inputs x below, states h in the '
        'middle, outputs y_hat above. Many-to-one: four inputs, one output at the end (next '
        'value, sentiment of a review). One-to-many: one input, four outputs (image captioning,'
        ' generating music). Many-to-many: an output at every step (per-beat ECG labels). '
        'Encoder-decoder: three inputs read, then four outputs written, of another length '
        '(translation).'
    ),
    "rnn_rolled_unrolled": (
        'Left: a recurrent neuron, rolled: x_t feeds h_t through w_xh, h_t feeds y_hat_t '
        'through w_hy, and a loop takes h_t through a one-step delay back into itself with '
        'weight w_hh. Right: the same neuron unrolled over 4 time steps, h_0 to h_4, with '
        'inputs x_1 to x_4 and outputs y_hat_1 to y_hat_4, each state passing to the next '
        'through w_hh; the same weights at every step.'
    ),
    "minibatch_shapes": (
        'The shapes of one mini-batch step drawn as grids of cells: X_t (B by D, 4 by 3) times '
        'W_xh transposed (D by H, 3 by 5), plus H_(t-1) (B by H, 4 by 5) times W_hh transposed '
        '(H by H, 5 by 5), plus b_h (1 by H, added to every row), through phi, gives H_t (B by '
        'H, 4 by 5).'
    ),
    "rnn_full_network": (
        'The recurrent network as three layers of units: 3 input units x_t on the left, fully '
        'connected through W_xh (shape H by D) to 4 state units h_t in the middle, which loop '
        'back to themselves through a one-step delay with W_hh (H by H), and connect through '
        'W_hy (K by H) to 2 output units, the softmax of the logits, y_hat_t. Below: h_t = '
        'tanh(W_xh x_t + W_hh h_{t-1} + b_h), logits = W_hy h_t + b_y, y_hat_t = '
        'softmax(logits).'
    ),
    "truncated_bptt_chunks": (
        'Truncated BPTT over 12 steps in chunks of k = 4: inputs x_1 to x_12 feed states h_1 '
        'to h_12, starting from h_0. Solid vermillion forward arrows carry the state from '
        'every step to the next, across the chunk boundaries too. Dashed bluish green gradient '
        'arrows run backward only inside each chunk; at the 2 dotted boundaries h is detached, '
        'so no gradient crosses them. Each chunk has its own loss, backward pass and optimizer '
        'step.'
    ),
    "packing_batch_sizes": (
        'Packing a padded batch of 4 sequences with lengths 5, 2, 3 and 2: on top, a 4 by 5 '
        "grid of steps, the steps past each sequence's length marked pad. Below, packed.data: "
        'the 12 real steps in time-major order, the longest sequences first, grouped by step, '
        'and the group sizes, packed.batch_sizes: 4, 4, 2, 1 and 1; sorted_indices: 0, 2, 1 and'
        ' 3.'
    ),
    "padding_mask": (
        'Left: a batch of 3 target sequences of 6 tokens, French words ending in the end token '
        'and filled up with the padding token. An arrow leads to the right: the mask M, 1 where'
        ' the target is a real token (the end token included), 0 where it is padding. Below: '
        'the loss is the sum of M times the per-token loss over the sum of M, 14 real tokens of'
        ' 18, which cross_entropy with ignore_index=pad_id computes.'
    ),
    "bucketing": (
        'The same 8 sequences with lengths 2, 9, 3, 8, 4, 7, 3 and 8, drawn as rows of cells, '
        'in batches of 4, each batch padded (hatched cells) to its longest sequence. Left, in '
        'arrival order, short and long sequences share batches and much is padding. Right, '
        'sorted by length into buckets first, each batch holds sequences of similar length and '
        'little padding is left; the padded cells are counted under each panel.'
    ),
    "lstm_build_1": (
        'LSTM cell diagram, part 1 of 4 (the next parts are not drawn yet): the cell path from '
        'c_{t-1} to c_t along the top.'
    ),
    "lstm_build_2": (
        'LSTM cell diagram, part 2 of 4 (the next parts are not drawn yet): the cell path from '
        'c_{t-1} to c_t along the top; a forget gate box, sigma: f_t, fed by h_{t-1} and x_t '
        'from the bus below, multiplying the cell path (times).'
    ),
    "lstm_build_3": (
        'LSTM cell diagram, part 3 of 4 (the next parts are not drawn yet): the cell path from '
        'c_{t-1} to c_t along the top; a forget gate box, sigma: f_t, fed by h_{t-1} and x_t '
        'from the bus below, multiplying the cell path (times); an input gate box, sigma: i_t, '
        'and a main layer box, tanh: g_t, whose product is added to the cell path, giving c_t ='
        ' f_t times c_{t-1} plus i_t times g_t.'
    ),
    "lstm_build_4": (
        'LSTM cell diagram: the cell path from c_{t-1} to c_t along the top; a forget gate box,'
        ' sigma: f_t, fed by h_{t-1} and x_t from the bus below, multiplying the cell path '
        '(times); an input gate box, sigma: i_t, and a main layer box, tanh: g_t, whose product'
        ' is added to the cell path, giving c_t = f_t times c_{t-1} plus i_t times g_t; an '
        'output gate box, sigma: o_t, multiplying tanh(c_t) to give h_t, which leaves at the '
        'bottom right.'
    ),
    "gru_build_1": (
        'GRU cell diagram, part 1 of 3 (the next parts are not drawn yet): h_{t-1} enters at '
        'the top left and drops to the bus below, where x_t joins it; a reset gate box, sigma: '
        'r_t, multiplies W_hh~ h_{t-1} + b_hh~ (after the matrix, as PyTorch computes it), and '
        'the product enters the candidate box, tanh: h~_t, which also reads W_xh~ x_t + b_xh~.'
    ),
    "gru_build_2": (
        'GRU cell diagram, part 2 of 3 (the next parts are not drawn yet): h_{t-1} enters at '
        'the top left and drops to the bus below, where x_t joins it; a reset gate box, sigma: '
        'r_t, multiplies W_hh~ h_{t-1} + b_hh~ (after the matrix, as PyTorch computes it), and '
        'the product enters the candidate box, tanh: h~_t, which also reads W_xh~ x_t + b_xh~; '
        'an update gate box, sigma: z_t, fed from the bus.'
    ),
    "gru_build_3": (
        'GRU cell diagram: h_{t-1} enters at the top left and drops to the bus below, where x_t'
        ' joins it; a reset gate box, sigma: r_t, multiplies W_hh~ h_{t-1} + b_hh~ (after the '
        'matrix, as PyTorch computes it), and the product enters the candidate box, tanh: h~_t,'
        ' which also reads W_xh~ x_t + b_xh~; an update gate box, sigma: z_t, fed from the bus;'
        ' the state path along the top: z_t multiplies h_{t-1}, 1 - z_t multiplies the '
        'candidate, and their sum is h_t = (1 - z_t) times h~_t plus z_t times h_{t-1}.'
    ),
    "lstm_peephole": (
        'LSTM cell diagram: the cell path from c_{t-1} to c_t along the top; a forget gate '
        'box, sigma: f_t, fed by h_{t-1} and x_t from the bus below, multiplying the cell path '
        '(times); an input gate box, sigma: i_t, and a main layer box, tanh: g_t, whose '
        'product is added to the cell path, giving c_t = f_t times c_{t-1} plus i_t times g_t; '
        'an output gate box, sigma: o_t, multiplying tanh(c_t) to give h_t, which leaves at '
        'the bottom right; dashed orange peephole lines from c_{t-1} into the forget and input '
        'gates (weights p_f, p_i) and from c_t into the output gate (p_o).'
    ),
    "deep_rnn_grid": (
        'A grid of 3 layers by 4 time steps. Inputs x_1 to x_4 at the bottom; in each layer l, '
        'boxes h_t^(l), each with an arrow from the box below it at the same step (layer 1 '
        'from x_t) and an arrow from its left neighbour, the same layer one step back, '
        "starting from h_0^(l). The top layer's states feed the head, whose outputs are the "
        'forecasts of the next value, x_hat_2 to x_hat_5 (x_hat_{t+1} at step t). Below: '
        'h_t^(l) = tanh(W_xh^(l) h_t^(l-1) + W_hh^(l) h_{t-1}^(l) + b_h^(l)), with h_t^(0) = '
        'x_t.'
    ),
    "dropout_between_layers": (
        "The grid of 3 layers by 4 steps with the places nn.LSTM's dropout argument acts "
        'marked D: on every vertical arrow from layer l to layer l+1 (the outputs of layers 1 '
        'and 2), and nowhere else: not on the arrows from the inputs x_t into layer 1, not on '
        "the horizontal recurrent arrows between steps, and not on the last layer's output."
    ),
    "teacher_forcing_vs_free_running": (
        'Two decoders of 3 steps side by side, each starting from the state s_0 from the '
        'encoder, with states s_1 to s_3 and outputs y_hat_1 to y_hat_3. Left, teacher forcing '
        'in training: the inputs are the start token, y_1, y_2, the true previous tokens. '
        'Right, free running at inference: the inputs are the start token, y_hat_1, y_hat_2; a '
        "dashed arrow carries each output to the next step's input."
    ),
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
    plt.close(fig)               # some drawing functions make pyplot figures (a no-op otherwise)
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
