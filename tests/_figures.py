"""One sample call of every public ``plot_*`` / ``draw_*`` function in course_utils.

tests/test_style.py checks every figure these calls return against the course style
(course_utils/style.py). A new plot function needs an entry here, or that test fails.
Each entry is ``"module.function": lambda: <a call returning the function's result>``;
functions that return an Axes are fine (the test takes ``.figure``).

Layout helpers for a figure's own tests (at the size a lecture draws it): ``overlapping_labels``
(labels written over each other), ``labels_outside_axes`` (labels past the axes' frame) and
``axes_width_share`` (how much of the figure's width the axes' frames span).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def _ecg(heart_rate: int, qrs: float = 0.08):
    from course_utils.ecg import generate_ecg
    return generate_ecg(6, heart_rate, qrs, sampling_rate=500, hr_variability=0.02, noise=0.015,
                        seed=1)


@lru_cache(maxsize=None)
def _capstone_record():
    from course_utils.capstone import make_records
    return make_records(3, seed=5)[0]


def _series(n: int = 40, seed: int = 0) -> np.ndarray:
    return np.cumsum(np.random.default_rng(seed).normal(size=n))


def _norms(decay: float, n: int = 30) -> np.ndarray:
    return decay ** np.arange(n)[::-1]


def _alpha(t: int = 4, s: int = 6, seed: int = 0) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(size=(t, s)) + 3 * np.eye(t, s)
    return np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def _plotting():
    from course_utils import plotting as p
    return {
        "plot_order_matters": lambda: p.plot_order_matters(),
        "plot_iid_vs_sequence": lambda: p.plot_iid_vs_sequence(),
        "plot_ecg": lambda: p.plot_ecg(_ecg(60), 0, 3, measure_beat=1),
        "plot_qrs_comparison": lambda: p.plot_qrs_comparison(_ecg(60), _ecg(60, 0.14)),
        "plot_window_sliding": lambda: p.plot_window_sliding(_ecg(60), _ecg(150), 1.0),
        "plot_sequential_reader": lambda: p.plot_sequential_reader(_ecg(60), 1),
        "plot_autoregressive": lambda: p.plot_autoregressive(_series(30), [0.9, 0.05, 0.1]),
        "plot_window_detector_frame": lambda: p.plot_window_detector_frame(_ecg(150), 0.4),
    }


def _gradients():
    from course_utils import gradients as g
    cost = {"lengths": np.array([10, 20, 40]), "seconds": np.array([0.01, 0.02, 0.04]),
            "saved_mb": np.array([0.5, 1.0, 2.0])}
    short = {"lengths": np.array([10, 20, 40]), "seconds": np.array([0.01, 0.015, 0.02]),
             "saved_mb": np.array([0.5, 0.5, 0.5])}
    steps = np.arange(50)
    clip = {"no clipping": {"loss": 4 - np.log1p(steps) / 2 + (steps > 30) * 3,
                            "grad_norm": 1 + np.exp(steps / 8)},
            "clipped at 1": {"loss": 4 - np.log1p(steps) / 1.5, "grad_norm": 1 + steps / 10}}
    T = np.arange(1, 31)
    memory = {name: {"T": T, "change": 2 * d ** T, "readout": 0.1 + 0.8 * d ** T,
                     "control": np.full(30, 0.1)} for name, d in (("RNN", 0.7), ("LSTM", 0.95))}
    return {
        "plot_gradient_norms": lambda: g.plot_gradient_norms(
            {0.5: _norms(0.5), 1.0: _norms(1.0), 1.5: _norms(1.5)}, hidden_size=16),
        "plot_bptt_cost": lambda: g.plot_bptt_cost(cost, short, truncation=10),
        "plot_clipping": lambda: g.plot_clipping(clip),
        "plot_first_input_memory": lambda: g.plot_first_input_memory(memory),
    }


def _gates():
    from course_utils import gates_plot as gp
    norms = {"vanilla RNN": _norms(0.6), "LSTM, chrono init": _norms(0.97), "GRU": _norms(0.9)}
    return {
        "plot_gradient_by_distance": lambda: gp.plot_gradient_by_distance(norms),
        "plot_learning_curves": lambda: gp.plot_learning_curves(
            {"vanilla RNN": [0.17, 0.168, 0.167], "LSTM, chrono init": [0.2, 0.05, 0.01],
             "GRU": [0.2, 0.1, 0.02]}, references={"remember nothing: predict 1.0": 0.167}),
        "plot_gradient_before_after": lambda: gp.plot_gradient_before_after(
            norms, {k: v ** 0.5 for k, v in norms.items()}),
    }


def _attention():
    from course_utils import attention as at
    return {
        "plot_attention": lambda: at.plot_attention(_alpha(), "abcdef", "wxyz", [0, 1, 2, -1]),
        "plot_accuracy_by_length": lambda: at.plot_accuracy_by_length(
            {"seq2seq": {2: 1.0, 4: 0.9, 8: 0.3, 12: 0.05},
             "with attention": {2: 1.0, 4: 1.0, 8: 0.95, 12: 0.8}}, trained_max=8),
        "plot_decoding_step": lambda: at.plot_decoding_step(_alpha(), "ab cde", "wxyz", 2),
    }


def _linear_rnn():
    from course_utils import linear_rnn as lr
    return {
        "plot_scan_timing": lambda: lr.plot_scan_timing(
            [16, 64, 256], {"loop": [1.0, 4.0, 16.0], "scan": [1.5, 2.0, 3.0]}),
        "plot_copy_accuracy": lambda: lr.plot_copy_accuracy(
            {"LSTM": [0.9, 0.6, 0.4], "linear RNN": [1.0, 0.95, 0.9]}, chance=0.25),
        "plot_lru_eigenvalues": lambda: lr.plot_lru_eigenvalues(hidden_size=32),
    }


def _seq2seq():
    from course_utils import seq2seq as s2s
    rng = np.random.default_rng(0)
    return {
        "plot_embeddings_2d": lambda: s2s.plot_embeddings_2d(rng.normal(size=(10, 8)),
                                                             list("0123456789")),
        "plot_attention_sketch": lambda: s2s.plot_attention_sketch(),
    }


def _sequences():
    from course_utils import sequences as sq
    counts = np.array([[40, 3, 1], [5, 30, 9], [0, 2, 44]])
    rng = np.random.default_rng(0)
    signals = rng.normal(size=(12, 40))
    targets = np.arange(12) % 3
    predictions = targets.copy()
    predictions[[1, 4, 7]] = (predictions[[1, 4, 7]] + 1) % 3
    return {
        "plot_confusion_matrix": lambda: sq.plot_confusion_matrix(counts, ["low", "mid", "high"]),
        "plot_misclassified": lambda: sq.plot_misclassified(signals, targets, predictions),
    }


def _capstone():
    from course_utils import capstone as cs
    bands = list(cs.BANDS)
    table = {m: {b: {"sensitivity": 0.9 - 0.1 * k, "specificity": 0.8 + 0.05 * k}
                 for b in bands} for k, m in enumerate(("GRU per step", "CNN on windows"))}

    def decisions():
        rec = _capstone_record()
        return cs.plot_beat_decisions(rec, {"perfect": rec.beat_class.copy(),
                                            "inverted": 1 - rec.beat_class}, 75, stop=4.0)
    return {"plot_beat_decisions": decisions, "plot_comparison": lambda: cs.plot_comparison(table)}


#: The diagram functions (drawn by s18diag's code): each one call with its defaults.
def _diagrams():
    from course_utils import gates_plot as gp, gradients as g, linear_rnn as lr, plotting as p
    from course_utils import diagrams as d, seq2seq as s2s
    return {
        "plotting.plot_io_patterns": lambda: p.plot_io_patterns(),
        "plotting.plot_rnn_rolled_unrolled": lambda: p.plot_rnn_rolled_unrolled(),
        "plotting.plot_minibatch_shapes": lambda: p.plot_minibatch_shapes(),
        "plotting.plot_unrolled_state": lambda: p.plot_unrolled_state(
            [1.0, 0.5, -1.0, 0.0], np.tanh(np.arange(12).reshape(4, 3) / 6 - 1), 3),
        "gradients.plot_unrolled_bptt": lambda: g.plot_unrolled_bptt(),
        "gates_plot.draw_lstm_cell": lambda: gp.draw_lstm_cell(),
        "gates_plot.draw_lstm_cell(peepholes)": lambda: gp.draw_lstm_cell(peepholes=True),
        "gates_plot.draw_gru_cell": lambda: gp.draw_gru_cell(),
        "seq2seq.plot_encoder_decoder": lambda: s2s.plot_encoder_decoder(),
        "linear_rnn.plot_hillis_steele": lambda: lr.plot_hillis_steele(),
        "linear_rnn.plot_hillis_steele(16)": lambda: lr.plot_hillis_steele(16),
        "plotting.plot_rnn_rolled_unrolled(6)": lambda: p.plot_rnn_rolled_unrolled(6),
        "gradients.plot_unrolled_bptt(6)": lambda: g.plot_unrolled_bptt(6),
        **{f"gates_plot.draw_lstm_cell(parts={k})": (lambda k=k: gp.draw_lstm_cell(parts=k))
           for k in range(1, 4)},
        **{f"gates_plot.draw_gru_cell(parts={k})": (lambda k=k: gp.draw_gru_cell(parts=k))
           for k in range(1, 3)},
        # course_utils.diagrams: the pictures of images/ (tools/draw_images.py)
        "diagrams.rnn_full_network": lambda: d.rnn_full_network(),
        "diagrams.truncated_bptt_chunks": lambda: d.truncated_bptt_chunks(),
        "diagrams.packing_batch_sizes": lambda: d.packing_batch_sizes(),
        "diagrams.padding_mask": lambda: d.padding_mask(),
        "diagrams.bucketing": lambda: d.bucketing(),
        "diagrams.deep_rnn_grid": lambda: d.deep_rnn_grid(),
        "diagrams.dropout_between_layers": lambda: d.dropout_between_layers(),
        "diagrams.dropout_between_layers(2)": lambda: d.dropout_between_layers(num_layers=2),
        "diagrams.teacher_forcing_vs_free_running": lambda: d.teacher_forcing_vs_free_running(),
    }


# --------------------------------------------------------------------------- layout helpers
def renderer(fig):
    """Draw ``fig`` with Agg (its layout engine runs) and return the renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def labels(fig) -> list:
    """The visible, non-empty texts a figure function writes: axes texts and titles, figure
    texts and legend entries (not tick labels), as (text, window extent) after a draw; an
    annotation's extent is its text's, without its arrow."""
    r = renderer(fig)
    texts = [t for ax in fig.axes for t in ax.texts + [ax.title, ax._left_title, ax._right_title]]
    texts += list(fig.texts)
    for legend in [ax.get_legend() for ax in fig.axes] + list(fig.legends):
        if legend is not None:
            texts += legend.get_texts()
    return [(t, _text_extent(t, r)) for t in texts if t.get_visible() and t.get_text().strip()]


def _text_extent(text, r):
    """A text's window extent; an annotation's without its arrow."""
    from matplotlib.text import Text

    box = text.get_window_extent(r)          # an annotation places its text here
    return Text.get_window_extent(text, r) if hasattr(text, "arrow_patch") else box


def overlapping_labels(fig, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of labels (``labels``) whose boxes overlap by more than ``tolerance`` pixels
    both ways."""
    return [(a.get_text(), b.get_text()) for a, b in _overlapping(labels(fig), tolerance)]


def _overlapping(extents: list, tolerance: float = 1.0) -> list[tuple]:
    """Pairs (a, b) of the (item, window extent) pairs whose extents overlap by more than
    ``tolerance`` pixels both ways."""
    return [(a, b) for i, (a, ea) in enumerate(extents) for b, eb in extents[i + 1:]
            if min(ea.x1, eb.x1) - max(ea.x0, eb.x0) > tolerance
            and min(ea.y1, eb.y1) - max(ea.y0, eb.y0) > tolerance]


def labels_outside_axes(ax, tolerance: float = 1.0) -> list[str]:
    """The texts written in ``ax`` (``ax.texts``) that leave its frame."""
    r = renderer(ax.figure)
    frame = ax.get_window_extent(r)
    out = []
    for t in ax.texts:
        if not (t.get_visible() and t.get_text().strip()):
            continue
        e = _text_extent(t, r)
        if (e.x0 < frame.x0 - tolerance or e.x1 > frame.x1 + tolerance
                or e.y0 < frame.y0 - tolerance or e.y1 > frame.y1 + tolerance):
            out.append(t.get_text())
    return out


def axes_width_share(fig) -> float:
    """The share of the figure's width that its visible axes' frames span together."""
    r = renderer(fig)
    frames = [ax.get_window_extent(r) for ax in fig.axes if ax.get_visible()]
    return (max(f.x1 for f in frames) - min(f.x0 for f in frames)) / fig.bbox.width


def figures() -> dict:
    """{"module.function" (or a variant): a call that makes the figure}."""
    table = {}
    for module, entries in (("plotting", _plotting()), ("gradients", _gradients()),
                            ("gates_plot", _gates()), ("attention", _attention()),
                            ("linear_rnn", _linear_rnn()), ("seq2seq", _seq2seq()),
                            ("sequences", _sequences()), ("capstone", _capstone())):
        table.update({f"{module}.{name}": call for name, call in entries.items()})
    table.update(_diagrams())
    return table


def layout_problems(fig, min_pt: float | None = None) -> list[str]:
    """What is wrong with a diagram's text: too small, outside its box, over another label,
    or outside the figure. A label drawn inside a box has gid "in:" + the box's gid."""
    from course_utils import style

    min_pt = style.NOTE if min_pt is None else min_pt
    r = renderer(fig)
    page = fig.bbox
    problems = []
    texts = [t for ax in fig.axes for t in ax.texts + [ax.title] if t.get_text().strip()]
    texts += [t for t in fig.texts if t.get_text().strip()]
    boxes = {p.get_gid(): p for ax in fig.axes for p in ax.patches if p.get_gid()}
    extents = []
    for text in texts:
        name = text.get_text()
        if text.get_fontsize() < min_pt:
            problems.append(f"{name!r} is {text.get_fontsize()} pt, under {min_pt}")
        extent = text.get_window_extent(r)
        if not (page.x0 - 1 <= extent.x0 and extent.x1 <= page.x1 + 1 and page.y0 - 1 <= extent.y0
                and extent.y1 <= page.y1 + 1):
            problems.append(f"{name!r} runs off the figure")
        gid = text.get_gid() or ""
        if gid.startswith("in:"):
            box = boxes[gid[3:]].get_window_extent(r)
            if not (box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1 and box.y0 - 1 <= extent.y0
                    and extent.y1 <= box.y1 + 1):
                problems.append(f"{name!r} is not inside its box")
        extents.append((name, extent))
    problems += [f"{a!r} overlaps {b!r}" for a, b in _overlapping(extents)]
    return problems
