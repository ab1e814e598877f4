"""Attention in recurrent sequence to sequence (unit 7): data with a known alignment, the
attentive encoder-decoder, its pieces, and the measures and figures of lecture and lab 07.

Notation (NOTATION.md): ``B`` sequences a batch, source length ``S``, target length ``T``,
vocabulary ``V``, embedding size ``E``, hidden size ``H`` per direction, ``n_dir = 2``
directions in the encoder, attention size ``A``; encoder states h_j (B, S, n_dir H), decoder
states s_t (B, H), scores e_tj, weights alpha_tj, context ctx_t (B, n_dir H).

* Data. :func:`date_examples`: one date written in one of :data:`DATE_FORMATS`
  ("Sunday, 14 March 2021", "14.03.2021", ...) mapped to ISO ``YYYY-MM-DD``, with, for every
  output character that copies a source character, the position it copies (the known
  alignment); :func:`reversal_examples`: random strings and their reverse.
  :func:`alignment_tensor` pads alignments for the end token.
* The pieces of additive attention (Bahdanau, Cho and Bengio 2015, appendix A):
  :func:`additive_scores`, :func:`masked_softmax`, :func:`attention_context`, and one decoder
  step, :func:`attentive_step`.
* :class:`AttentionSeq2Seq`: a bidirectional-GRU encoder and a GRU decoder that attends (or,
  with ``attention=False``, reads a fixed summary of the source at every step, the encoder-
  decoder of Cho et al. 2014); :func:`greedy_decode` returns the ids and the weights.
* :func:`alignment_accuracy` scores the weights against a known alignment;
  :func:`exact_match_by_length` scores whole answers per source length.
* Figures: :func:`plot_attention`, :func:`plot_accuracy_by_length`,
  :func:`plot_decoding_step`; the widget of lecture 07, :func:`attention_step_widget`.
"""
from __future__ import annotations

import calendar
import datetime
import html
import random
import string
from typing import Callable, NamedTuple, Sequence

import numpy as np
import torch
import ipywidgets as widgets
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from torch import nn

from course_utils import style
from course_utils.plotting import BLUE, GREY, INK, LABEL, NOTE, ORANGE, TICK, _figure, _style
from course_utils.seq2seq import Vocab, _long_tensor, _positive_int, encode_texts, exact_match
from course_utils.widgets import figure_to_png, _step_controls

# --------------------------------------------------------------------------- dates
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)
#: Where each field of the date lands in the ISO answer "YYYY-MM-DD": the index of its
#: last character (a field is copied right-aligned, so "3" of "3 March" lands on index 9).
_LAST_OUTPUT = {"YYYY": 3, "MM": 6, "M": 6, "DD": 9, "D": 9}
#: The formats: pieces joined in order; fields in capitals, everything else literal text.
#: D and M are numbers without a leading zero, DD and MM with one; Month and Mon the
#: English name and its abbreviation, MONTH in capitals; Weekday and Wkd the day's name;
#: ord the ordinal suffix of the day (st, nd, rd, th).
DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "D Month YYYY": ("D", " ", "Month", " ", "YYYY"),
    "D Mon YYYY": ("D", " ", "Mon", " ", "YYYY"),
    "Month D, YYYY": ("Month", " ", "D", ", ", "YYYY"),
    "Mon D, YYYY": ("Mon", " ", "D", ", ", "YYYY"),
    "Weekday, D Month YYYY": ("Weekday", ", ", "D", " ", "Month", " ", "YYYY"),
    "Wkd, Mon D, YYYY": ("Wkd", ", ", "Mon", " ", "D", ", ", "YYYY"),
    "DD.MM.YYYY": ("DD", ".", "MM", ".", "YYYY"),
    "D/M/YYYY": ("D", "/", "M", "/", "YYYY"),
    "the Dord of Month YYYY": ("the ", "D", "ord", " of ", "Month", " ", "YYYY"),
    "D MONTH YYYY": ("D", " ", "MONTH", " ", "YYYY"),
}
DATE_ALPHABET = string.digits + string.ascii_letters + " ,./-"
ISO_LENGTH = 10


class DateExamples(NamedTuple):
    """Dates as written (``sources``), in ISO form (``targets``), the known alignment and the
    format's name. ``alignments[i][t]`` is the source position (0-based) that character t of
    ``targets[i]`` copies, or -1 if it copies none (a dash, a month written as a name, the
    leading zero of a one-digit day or month)."""

    sources: list[str]
    targets: list[str]
    alignments: list[tuple[int, ...]]
    formats: list[str]


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _field(piece: str, day: datetime.date) -> str:
    names = {"D": str(day.day), "DD": f"{day.day:02d}", "M": str(day.month),
             "MM": f"{day.month:02d}", "YYYY": f"{day.year:04d}",
             "Month": calendar.month_name[day.month], "Mon": calendar.month_abbr[day.month],
             "MONTH": calendar.month_name[day.month].upper(),
             "Weekday": calendar.day_name[day.weekday()], "Wkd": calendar.day_abbr[day.weekday()],
             "ord": _ordinal(day.day)}
    return names.get(piece, piece)


def render_date(day: datetime.date, fmt: str) -> tuple[str, str, tuple[int, ...]]:
    """``day`` written in the format named ``fmt`` (a key of :data:`DATE_FORMATS`): the text,
    the ISO answer and the alignment (see :class:`DateExamples`).

    >>> render_date(datetime.date(2021, 3, 4), "D Month YYYY")
    ('4 March 2021', '2021-03-04', (8, 9, 10, 11, -1, -1, -1, -1, -1, 0))
    """
    if not isinstance(day, datetime.date):
        raise TypeError(f"day must be a datetime.date, got {type(day).__name__}.")
    if fmt not in DATE_FORMATS:
        raise ValueError(f"fmt must be one of {list(DATE_FORMATS)}, got {fmt!r}.")
    text, alignment = "", [-1] * ISO_LENGTH
    for piece in DATE_FORMATS[fmt]:
        written = _field(piece, day)
        if piece in _LAST_OUTPUT:   # a number the answer copies, right-aligned
            for k in range(len(written)):
                alignment[_LAST_OUTPUT[piece] - k] = len(text) + len(written) - 1 - k
        text += written
    return text, day.isoformat(), tuple(alignment)


SPLITS = ("train", "validation", "test")


def date_split(day: datetime.date) -> str:
    """The split a day belongs to: "test" if its proleptic Gregorian ordinal
    (``day.toordinal()``) ends in 0, "validation" if it ends in 1, "train" otherwise."""
    if not isinstance(day, datetime.date):
        raise TypeError(f"day must be a datetime.date, got {type(day).__name__}.")
    return {0: "test", 1: "validation"}.get(day.toordinal() % 10, "train")


def date_examples(n: int, split: str = "train", seed: int = 0,
                  formats: Sequence[str] | None = None) -> DateExamples:
    """``n`` dates drawn uniformly from 1900-01-01 to 2099-12-31, each written in a format
    drawn uniformly from ``formats`` (default: all of :data:`DATE_FORMATS`), with Python's
    ``random.Random(seed)``.

    ``split`` is "train", "validation" or "test", by day (:func:`date_split`: 80%, 10% and
    10% of the days), so no held-out date appears in training in any format. Names of months
    and days are English (``calendar`` in the C locale).
    """
    n = _positive_int("n", n)
    _positive_int("seed", seed, 0)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}.")
    if formats is None:
        formats = list(DATE_FORMATS)
    if isinstance(formats, str) or not isinstance(formats, Sequence) or not formats:
        raise TypeError(f"formats must be a non-empty list of format names, got {formats!r}.")
    unknown = [f for f in formats if f not in DATE_FORMATS]
    if unknown:
        raise ValueError(f"formats {unknown} are not in DATE_FORMATS: {list(DATE_FORMATS)}.")
    rng = random.Random(seed)
    span = LAST_DAY.toordinal() - FIRST_DAY.toordinal() + 1
    out = DateExamples([], [], [], [])
    while len(out.sources) < n:
        day = datetime.date.fromordinal(FIRST_DAY.toordinal() + rng.randrange(span))
        fmt = formats[rng.randrange(len(formats))]
        if date_split(day) != split:
            continue
        text, iso, alignment = render_date(day, fmt)
        out.sources.append(text)
        out.targets.append(iso)
        out.alignments.append(alignment)
        out.formats.append(fmt)
    return out


def date_vocab() -> Vocab:
    """The character vocabulary of the date task: digits, letters, space and ``,./-``."""
    return Vocab(DATE_ALPHABET)


def alignment_tensor(alignments: Sequence[Sequence[int]], steps: int) -> torch.Tensor:
    """Alignments (lists of source positions, -1 for none) as an int64 tensor (N, steps),
    padded with -1 (the end token and padding copy nothing)."""
    if isinstance(alignments, (str, torch.Tensor)) or not isinstance(alignments, Sequence):
        raise TypeError(f"alignments must be a list of lists of source positions, got "
                        f"{type(alignments).__name__}.")
    if not alignments:
        raise ValueError("alignments must not be empty.")
    steps = _positive_int("steps", steps)
    out = torch.full((len(alignments), steps), -1, dtype=torch.long)
    for i, row in enumerate(alignments):
        if isinstance(row, str) or not isinstance(row, Sequence) or len(row) > steps:
            raise ValueError(f"alignments[{i}] must be a list of at most steps={steps} source "
                             f"positions, got {row!r}.")
        out[i, :len(row)] = torch.as_tensor(list(row), dtype=torch.long)
    return out


# --------------------------------------------------------------------------- reversal
def reversal_examples(n: int, min_length: int, max_length: int, seed: int = 0,
                      alphabet: str = string.ascii_lowercase) -> tuple[list[str], list[str]]:
    """``n`` random strings over ``alphabet`` of lengths drawn uniformly from ``min_length``
    to ``max_length`` (both included), and their reverses. ``random.Random(seed)``."""
    n, seed = _positive_int("n", n), _positive_int("seed", seed, 0)
    min_length, max_length = _positive_int("min_length", min_length), _positive_int("max_length", max_length)
    if min_length > max_length:
        raise ValueError(f"min_length ({min_length}) must be at most max_length ({max_length}).")
    if not isinstance(alphabet, str) or len(set(alphabet)) < 2:
        raise ValueError(f"alphabet must be a string of at least 2 distinct characters, got {alphabet!r}.")
    rng = random.Random(seed)
    sources = ["".join(rng.choice(alphabet) for _ in range(rng.randint(min_length, max_length)))
               for _ in range(n)]
    return sources, [s[::-1] for s in sources]


# --------------------------------------------------------------------------- attention, piece by piece
def _float_tensor(name: str, value, dims: int, shape: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        got = f"dtype {value.dtype}" if isinstance(value, torch.Tensor) else type(value).__name__
        raise TypeError(f"{name} must be a floating-point torch.Tensor {shape}, got {got}.")
    if value.dim() != dims or value.numel() == 0:
        raise ValueError(f"{name} must be a non-empty tensor {shape}, got shape {tuple(value.shape)}.")
    return value


def additive_scores(s_prev: torch.Tensor, keys: torch.Tensor, W_a: torch.Tensor,
                    v_a: torch.Tensor) -> torch.Tensor:
    """Additive attention scores e_tj = v_a^T tanh(W_a s_(t-1) + U_a h_j) for a batch.

    s_prev (B, H): decoder states s_(t-1); keys (B, S, A): the encoder states already projected,
    U_a h_j, computed once per source; W_a (A, H); v_a (A,). Returns e (B, S). Bahdanau, Cho
    and Bengio (2015), appendix A.1.2 ("Since U_a h_j does not depend on i, we can pre-compute
    it"). Raises TypeError or ValueError naming the argument whose type or shape is wrong.
    """
    s_prev = _float_tensor("s_prev", s_prev, 2, "(B, H)")
    keys = _float_tensor("keys", keys, 3, "(B, S, A)")
    W_a = _float_tensor("W_a", W_a, 2, "(A, H)")
    v_a = _float_tensor("v_a", v_a, 1, "(A,)")
    if W_a.shape != (keys.shape[2], s_prev.shape[1]) or v_a.shape != (keys.shape[2],) \
            or keys.shape[0] != s_prev.shape[0]:
        raise ValueError(f"shapes disagree: s_prev {tuple(s_prev.shape)} (B, H), keys "
                         f"{tuple(keys.shape)} (B, S, A), W_a {tuple(W_a.shape)} (A, H), v_a "
                         f"{tuple(v_a.shape)} (A,).")
    return torch.tanh(keys + (s_prev @ W_a.T)[:, None, :]) @ v_a


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """alpha_tj = softmax over the source positions j of the scores, padding excluded.

    scores (B, S); mask (B, S), True (or 1) at a real source token, False (0) at padding.
    Padded positions get weight exactly 0; each row sums to 1 over its real positions. Every
    row needs at least one real position.
    """
    scores = _float_tensor("scores", scores, 2, "(B, S)")
    if not isinstance(mask, torch.Tensor) or mask.shape != scores.shape:
        got = tuple(mask.shape) if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise ValueError(f"mask must be a tensor of the scores' shape {tuple(scores.shape)}, got {got}.")
    mask = mask.bool()
    if not mask.any(dim=1).all():
        raise ValueError("mask has a row with no real position: every source needs one token.")
    return scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)


def attention_context(alpha: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
    """ctx_t = sum_j alpha_tj h_j for a batch: alpha (B, S), states (B, S, n_dir H) ->
    (B, n_dir H)."""
    alpha = _float_tensor("alpha", alpha, 2, "(B, S)")
    states = _float_tensor("states", states, 3, "(B, S, n_dir H)")
    if states.shape[:2] != alpha.shape:
        raise ValueError(f"alpha {tuple(alpha.shape)} and states {tuple(states.shape)} must agree "
                         "in B and S.")
    return torch.bmm(alpha[:, None, :], states)[:, 0]


class EncoderMemory(NamedTuple):
    """What the decoder attends to: encoder states h_j ``states`` (B, S, n_dir H), their
    projections U_a h_j ``keys`` (B, S, A), the source's padding mask ``mask`` (B, S) (True at
    real tokens) and ``summary`` (B, n_dir H) = [forward h_S; backward h_1], the fixed context
    of the model without attention."""

    states: torch.Tensor
    keys: torch.Tensor
    mask: torch.Tensor
    summary: torch.Tensor


def attentive_step(model: "AttentionSeq2Seq", tokens: torch.Tensor, s_prev: torch.Tensor,
                   memory: EncoderMemory):
    """One decoder step of :class:`AttentionSeq2Seq` with additive attention.

    tokens (B,): y_(t-1); s_prev (B, H): s_(t-1); memory from ``model.encode``. Computes
    e_tj (from s_(t-1), as Bahdanau et al. 2015), alpha_t, ctx_t, then
    s_t = GRUCell([W_emb[y_(t-1)]; ctx_t], s_(t-1)) and l_t = W_hy s_t + W_cy ctx_t + b_y.
    Returns logits (B, V), s_t (B, H) and alpha_t (B, S).
    """
    scores = additive_scores(s_prev, memory.keys, model.W_a.weight, model.v_a)
    alpha = masked_softmax(scores, memory.mask)
    ctx = attention_context(alpha, memory.states)
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, alpha


def _summary_step(model: "AttentionSeq2Seq", tokens: torch.Tensor, s_prev: torch.Tensor,
                  memory: EncoderMemory):
    """The step without attention: ctx_t is the fixed summary at every step; no weights."""
    ctx = memory.summary
    state = model.decoder(torch.cat([model.embedding(tokens), ctx], dim=-1), s_prev)
    return model.readout(state) + model.context_readout(ctx), state, None


# --------------------------------------------------------------------------- the model
class AttentionSeq2Seq(nn.Module):
    """An encoder-decoder with additive attention (Bahdanau, Cho and Bengio 2015).

    Encoder: a bidirectional GRU over the embedded source, packed so that padding changes
    nothing; h_j = [forward h_j; backward h_j] (n_dir H = 2H), zeros at padded positions.
    Decoder: s_0 = tanh(linear(backward h_1)) (as their appendix A.2.2), then at every step
    the function ``step`` (default :func:`attentive_step`) reads y_(t-1), s_(t-1) and the
    memory. With ``attention=False`` the decoder reads the fixed summary [forward h_S;
    backward h_1] in place of ctx_t at every step: the same model without attention (Cho et
    al. 2014 feed one summary of the source to every step).

    Layers, under the names lab 07's checks and exercises use: ``embedding`` nn.Embedding(V, E,
    padding_idx=0) shared by source and target; ``encoder`` nn.GRU(E, H, bidirectional=True,
    batch_first=True); ``init_state`` nn.Linear(H, H); ``W_a`` nn.Linear(H, A, bias=False)
    (weight (A, H)); ``U_a`` nn.Linear(2H, A, bias=False) (weight (A, 2H)); ``v_a`` a parameter
    (A,); ``decoder`` nn.GRUCell(E + 2H, H); ``readout`` nn.Linear(H, V) (W_hy, b_y);
    ``context_readout`` nn.Linear(2H, V, bias=False) (W_cy).
    """

    def __init__(self, vocab_size: int, hidden_size: int = 64, embedding_dim: int = 32,
                 attention_size: int = 64, attention: bool = True,
                 step: Callable | None = None):
        super().__init__()
        V = self.vocab_size = _positive_int("vocab_size", vocab_size, 4)
        H, E = _positive_int("hidden_size", hidden_size), _positive_int("embedding_dim", embedding_dim)
        A = _positive_int("attention_size", attention_size)
        if step is not None and not callable(step):
            raise TypeError(f"step must be a function (model, tokens, s_prev, memory) -> "
                            f"(logits, state, alpha) or None, got {type(step).__name__}.")
        self.attention = bool(attention)
        self.step_function = step or (attentive_step if self.attention else _summary_step)
        self.embedding = nn.Embedding(V, E, padding_idx=0)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.init_state = nn.Linear(H, H)
        self.W_a = nn.Linear(H, A, bias=False)
        self.U_a = nn.Linear(2 * H, A, bias=False)
        self.v_a = nn.Parameter(torch.empty(A).uniform_(-A ** -0.5, A ** -0.5))
        self.decoder = nn.GRUCell(E + 2 * H, H)
        self.readout = nn.Linear(H, V)
        self.context_readout = nn.Linear(2 * H, V, bias=False)

    def encode(self, src: torch.Tensor) -> tuple[EncoderMemory, torch.Tensor]:
        """Source ids (B, S), padded at the end with id 0 -> (memory, s_0 (B, H))."""
        src = _long_tensor("src", src, 2, self.vocab_size)
        mask = src != 0
        lengths = mask.sum(dim=1)
        if not (lengths > 0).all():
            raise ValueError("src has a row of padding only: every source needs a token.")
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(src), lengths.cpu(),
                                                   batch_first=True, enforce_sorted=False)
        outputs, last = self.encoder(packed)
        states, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True,
                                                     total_length=src.shape[1])
        memory = EncoderMemory(states, self.U_a(states), mask, torch.cat([last[0], last[1]], dim=-1))
        return memory, torch.tanh(self.init_state(last[1]))

    def step(self, tokens: torch.Tensor, state: torch.Tensor, memory: EncoderMemory):
        """One decoder step: tokens (B,), s_(t-1) (B, H) -> logits (B, V), s_t (B, H) and the
        weights alpha_t (B, S) (None without attention)."""
        return self.step_function(self, tokens, state, memory)

    def forward(self, src: torch.Tensor, decoder_inputs: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: logits (B, T, V) for source ids (B, S) and decoder inputs (B, T),
        one :meth:`step` a position (the context depends on the previous state)."""
        decoder_inputs = _long_tensor("decoder_inputs", decoder_inputs, 2, self.vocab_size)
        memory, state = self.encode(src)
        logits = []
        for t in range(decoder_inputs.shape[1]):
            step_logits, state, _ = self.step(decoder_inputs[:, t], state, memory)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)


def greedy_decode(model: nn.Module, src: torch.Tensor, max_len: int,
                  start_id: int = Vocab.start_id) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Greedy decoding that also returns the attention weights.

    ``model`` needs ``encode(src) -> (memory, state)`` and ``step(tokens, state, memory) ->
    (logits, state, alpha)``. Starts from <s>; at step t the decoder reads its own argmax of
    step t - 1, never a target. Returns ids (B, max_len) int64 and weights (B, max_len, S)
    (None if the model has no attention). Runs without gradients.
    """
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "step", None))):
        raise TypeError("model must have encode(src) and step(tokens, state, memory) methods, "
                        f"got {type(model).__name__}.")
    src = _long_tensor("src", src, 2)
    max_len = _positive_int("max_len", max_len)
    with torch.no_grad():
        memory, state = model.encode(src)
        token = torch.full((len(src),), int(start_id), dtype=torch.long, device=src.device)
        ids, weights = [], []
        for _ in range(max_len):
            logits, state, alpha = model.step(token, state, memory)
            token = logits.argmax(dim=-1)
            ids.append(token)
            weights.append(alpha)
    alphas = None if weights[0] is None else torch.stack(weights, dim=1)
    return torch.stack(ids, dim=1), alphas


# --------------------------------------------------------------------------- measures
def alignment_accuracy(alphas: torch.Tensor, alignment: torch.Tensor) -> float:
    """The share of output characters that copy a source character whose attention peaks on
    that character: mean over (n, t) with alignment[n, t] >= 0 of
    [argmax_j alphas[n, t, j] == alignment[n, t]].

    alphas (N, T, S) are the weights of step t (the step that writes output t); alignment
    (N, T') int, -1 where output t copies nothing; the first min(T, T') steps are compared.
    """
    alphas = _float_tensor("alphas", alphas, 3, "(N, T, S)")
    alignment = _long_tensor("alignment", alignment, 2)
    if alignment.shape[0] != alphas.shape[0]:
        raise ValueError(f"alphas has {alphas.shape[0]} rows, alignment {alignment.shape[0]}.")
    steps = min(alphas.shape[1], alignment.shape[1])
    target = alignment[:, :steps].to(alphas.device)
    copies = target >= 0
    if not copies.any():
        raise ValueError("alignment has no position >= 0: no output copies a source character.")
    if int(target.max()) >= alphas.shape[2]:
        raise ValueError(f"alignment points at source position {int(target.max())}, but alphas "
                         f"has only S = {alphas.shape[2]} positions.")
    peaks = alphas[:, :steps].argmax(dim=-1)
    return (peaks == target)[copies].float().mean().item()


def exact_match_by_length(predicted: Sequence[str], expected: Sequence[str],
                          lengths: Sequence[int]) -> dict[int, float]:
    """Exact match of ``predicted`` against ``expected`` for each value of ``lengths``
    (the source length of each example), as {length: fraction}, lengths in increasing order."""
    if isinstance(lengths, (str, torch.Tensor)) or not isinstance(lengths, Sequence):
        raise TypeError(f"lengths must be a list of integers, got {type(lengths).__name__}.")
    if not (len(predicted) == len(expected) == len(lengths)) or not lengths:
        raise ValueError(f"predicted, expected and lengths must be non-empty and of one length, "
                         f"got {len(predicted)}, {len(expected)} and {len(lengths)}.")
    out = {}
    for length in sorted(set(lengths)):
        rows = [i for i, n in enumerate(lengths) if n == length]
        out[int(length)] = exact_match([predicted[i] for i in rows], [expected[i] for i in rows])
    return out


# --------------------------------------------------------------------------- figures
def _weights(name: str, value) -> np.ndarray:
    a = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value, dtype=float)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty (T, S) array of weights, got shape {a.shape}.")
    return a


def _labels(name: str, value, size: int) -> list[str]:
    if not isinstance(value, (str, Sequence)) or len(value) != size:
        raise ValueError(f"{name} must be {size} labels (a string or a list), got {value!r}.")
    return ["␣" if c == " " else str(c) for c in value]


@style.styled
def plot_attention(alpha, source: Sequence[str], output: Sequence[str],
                   alignment: Sequence[int] | None = None, title: str = "Attention weights",
                   ax=None, figsize: Sequence[float] = style.FIGSIZE_WITH_TEXT) -> Figure:
    """A heat map of attention weights alpha (T, S): row t is output step t, column j source
    position j, darker is a larger weight. ``alignment`` (T values, -1 for none) draws a
    square outline where each output should peak: the known alignment (a second cue beside
    the shade). Spaces in the source are shown as ␣."""
    a = _weights("alpha", alpha)
    xs, ys = _labels("source", source, a.shape[1]), _labels("output", output, a.shape[0])
    fig = ax.figure if ax is not None else _figure(figsize)
    ax = ax if ax is not None else fig.add_subplot()
    image = ax.imshow(a, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(xs)), xs, fontsize=TICK)
    ax.set_yticks(range(len(ys)), ys, fontsize=TICK)
    if alignment is not None:
        for t, j in enumerate(list(alignment)[:len(ys)]):
            if j >= 0:
                ax.add_patch(Rectangle((j - 0.5, t - 0.5), 1, 1, fill=False, ec=ORANGE, lw=3,
                                       ls="--"))
    _style(ax, title, "source character (position j)", "output character (step t)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    fig.colorbar(image, ax=ax, label=r"weight $\alpha_{tj}$", shrink=0.9)
    peaks = a.argmax(axis=1)
    if style.alt_text(fig) is None:
        style.set_alt(fig, f"{title}: a heat map of {a.shape[0]} output steps by {a.shape[1]} "
                      f"source characters ('{''.join(xs)}' to '{''.join(ys)}'), darker for a "
                      "larger weight; each step's largest weight is on " + ", ".join(
                          f"'{ys[t]}'→'{xs[j]}' ({a[t, j]:.0%})" for t, j in enumerate(peaks))
                      + (". Dashed squares mark the known alignment." if alignment is not None
                         else "."))
    return fig



def _clear_of_lines(label, spots: Sequence[tuple[float, float, str]]) -> None:
    """Move ``label`` to the first spot (x, y in data units, horizontal alignment) where no line
    of its axes, markers included, crosses its box; if none is clear, to the spot crossed least."""
    ax = label.axes
    ax.figure.draw_without_rendering()   # the layout settled, so the boxes are final

    def crossings(spot) -> int:
        x, y, align = spot
        label.set_position((x, y))
        label.set_horizontalalignment(align)
        box = label.get_window_extent()
        count = 0
        for line in ax.lines:
            xd, yd = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
            xs = np.linspace(xd.min(), xd.max(), 400)   # the drawn segments, sampled
            points = ax.transData.transform(np.column_stack([xs, np.interp(xs, xd, yd)]))
            count += int(box.padded(line.get_markersize() * ax.figure.dpi / 144).count_contains(points))
        return count

    counts = []
    for spot in spots:
        counts.append(crossings(spot))
        if counts[-1] == 0:
            return
    crossings(spots[int(np.argmin(counts))])


@style.styled
def plot_accuracy_by_length(curves: dict[str, dict[int, float]], trained_max: int,
                            title: str = "Exact match against source length",
                            figsize: Sequence[float] = style.FIGSIZE_WITH_TEXT) -> Figure:
    """Exact match (in %) against source length, one line per model (colour and marker
    differ), the lengths seen in training shaded up to ``trained_max``."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict {model name: {length: fraction}}.")
    trained_max = _positive_int("trained_max", trained_max)
    styles = [tuple(style.series_style(i)[k] for k in ("color", "marker", "linestyle"))
              for i in range(len(style.SERIES))]
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.axvspan(0.5, trained_max + 0.5, color="#eeeeee", zorder=0)
    for (name, curve), (colour, marker, line) in zip(curves.items(), styles):
        if not isinstance(curve, dict) or not curve:
            raise ValueError(f"curves[{name!r}] must be a non-empty dict {{length: fraction}}.")
        lengths = sorted(curve)
        ax.plot(lengths, [100 * curve[n] for n in lengths], marker=marker, linestyle=line,
                color=colour, lw=2.4, ms=8, label=name)
    ax.set_ylim(-3, 103)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=NOTE, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _style(ax, title, "source length (characters)", "exactly right (%)")
    middle, left = trained_max / 2 + 0.5, 0.6   # inside the shaded lengths: centre, or left
    label = ax.text(middle, 50, "lengths seen\nin training", ha="center", va="center",
                    fontsize=NOTE, color=INK)
    _clear_of_lines(label, [(middle, y, "center") for y in (50, 85, 15)]
                    + [(left, y, "left") for y in (15, 85, 50)])
    style.set_alt(fig, f"{title}: the share of outputs exactly right (%) against the source "
                  f"length, lengths up to {trained_max} shaded as seen in training; " + "; ".join(
                      _length_summary(name, curve, trained_max) for name, curve in curves.items())
                  + ".")
    return fig


def _length_summary(name: str, curve: dict[int, float], trained_max: int) -> str:
    """"name: 98% on average over lengths 1-10 (seen in training), 12% on average over
    lengths 11-20 (longer), lowest 0% at length 20": the whole curve in a sentence, for the alt text."""
    def lengths_text(lengths):
        if len(lengths) == 1:
            return f"length {lengths[0]}"
        if lengths == list(range(lengths[0], lengths[-1] + 1)):
            return f"lengths {lengths[0]}-{lengths[-1]}"
        return "lengths " + ", ".join(map(str, lengths[:-1])) + f" and {lengths[-1]}"

    parts = []
    for lengths, where in ((sorted(n for n in curve if n <= trained_max), "seen in training"),
                           (sorted(n for n in curve if n > trained_max), "longer")):
        if lengths:
            mean = 100 * float(np.mean([curve[n] for n in lengths]))
            parts.append(f"{mean:.0f}% on average over {lengths_text(lengths)} ({where})")
    worst = min(sorted(curve), key=lambda n: curve[n])
    return f"{name}: " + ", ".join(parts) + f", lowest {100 * curve[worst]:.0f}% at length {worst}"



@style.styled
def plot_decoding_step(alpha, source: str, output: str, step: int,
                       figsize: Sequence[float] = (style.SLIDE_FIGSIZE[0], 4.6)) -> Figure:
    """One frame of the decoding widget: top, the weights alpha_t over the source characters
    at step ``step`` (1-based) as bars, the peak in orange and hatched; bottom, the output
    written so far with the character of this step boxed."""
    a = _weights("alpha", alpha)
    xs = _labels("source", source, a.shape[1])
    ys = _labels("output", output, a.shape[0])
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= len(ys):
        raise ValueError(f"step must be an integer from 1 to {len(ys)}, got {step!r}.")
    row = a[step - 1]
    fig = _figure(figsize)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1])
    peak = int(row.argmax())
    colours = [ORANGE if j == peak else BLUE for j in range(len(row))]
    bars = top.bar(range(len(row)), row, color=colours, edgecolor=INK, lw=0.6)
    bars[peak].set_hatch("//")
    top.set_xticks(range(len(xs)), xs, fontsize=TICK + 2)
    top.set_ylim(0, 1.05)
    _style(top, f"Step t = {step}: writing '{ys[step - 1]}', weights over the source "
           f"(peak: '{xs[peak]}', position {peak + 1}, {row[peak]:.0%})",
           "", r"$\alpha_{tj}$")
    bottom.axis("off")
    bottom.set_xlim(-0.5, max(len(ys), 10) - 0.5)
    for t, c in enumerate(ys):
        done = t < step
        bottom.text(t, 0.5, c if done else "·", ha="center", va="center", fontsize=LABEL + 3,
                    color=INK if done else GREY,
                    bbox=dict(boxstyle="square", fc="#fde0c5", ec=ORANGE, lw=2) if t == step - 1 else None)
    bottom.text(-0.5, 1.15, "output so far:", fontsize=NOTE, color=GREY, va="bottom")
    style.set_alt(fig, f"Decoding step {step} writes '{ys[step - 1]}': bars of the attention "
                  f"weights over the {len(xs)} source characters '{''.join(xs)}', the largest on "
                  f"'{xs[peak]}' at position {peak + 1} ({row[peak]:.0%}); below, the output "
                  f"so far, '{''.join(ys[:step])}'.")
    return fig



def decode_one(model: nn.Module, vocab: Vocab, source: str, steps: int | None = None
               ) -> tuple[str, np.ndarray]:
    """Greedy decoding of one string: the output up to </s> (at most ``steps`` characters,
    default: until </s> or 3 times the source length) and the weights (T, S) of the steps
    that wrote it, </s> included."""
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a course_utils.seq2seq.Vocab, got {type(vocab).__name__}.")
    if not isinstance(source, str) or not source:
        raise ValueError(f"source must be a non-empty string, got {source!r}.")
    steps = 3 * len(source) + 2 if steps is None else _positive_int("steps", steps)
    device = next(model.parameters()).device
    src = encode_texts([source], vocab).to(device)
    was_training = model.training
    model.eval()
    try:
        ids, alphas = greedy_decode(model, src, steps)
    finally:
        model.train(was_training)
    if alphas is None:
        raise ValueError("model has no attention (attention=False): there are no weights to show.")
    ids = ids[0].tolist()
    end = ids.index(vocab.end_id) + 1 if vocab.end_id in ids else len(ids)
    special = {vocab.pad_id: "∅", vocab.start_id: "▷", vocab.end_id: "⏎"}
    output = "".join(special.get(i) or str(vocab.symbols[i]) for i in ids[:end])
    return output, alphas[0, :end].cpu().numpy()


def _describe_step(alpha_row: np.ndarray, source: str, output: str, step: int) -> str:
    """The widget's line of text for step ``step``: what is written and where the weight is."""
    order = np.argsort(alpha_row)[::-1][:2]
    shown = source.replace(" ", "␣")
    parts = ", ".join(f"'{shown[j]}' (position {j + 1}) {alpha_row[j]:.0%}" for j in order)
    return html.escape(f"t = {step}: writes '{output[step - 1]}'; largest weights: {parts}")


class AttentionStepWidget(widgets.VBox):
    """Step through the greedy decoding of one source and watch the attention move.

    ``step`` (an IntSlider, linked to a Play button) chooses the output step t; ``image``
    shows alpha_t over the source characters and the output so far (:func:`plot_decoding_step`),
    ``status`` the largest weights in words. ``output`` and ``alphas`` (T, S) are the decoded
    string (⏎ for </s>) and the weights behind the picture.
    """

    def __init__(self, model: nn.Module, vocab: Vocab, source: str, step: int = 1,
                 steps: int | None = None):
        self.source = source
        self.output, self.alphas = decode_one(model, vocab, source, steps)
        T = len(self.output)
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= T:
            raise ValueError(f"step must be an integer from 1 to {T} (the steps decoded), got {step!r}.")
        super().__init__(_step_controls(self, step, T))

    def _update(self, change: dict | None = None) -> None:
        t = self.step.value
        self.image.value = figure_to_png(plot_decoding_step(self.alphas, self.source, self.output, t))
        self.status.value = "<code>" + _describe_step(self.alphas[t - 1], self.source, self.output, t) + "</code>"


def attention_step_widget(model: nn.Module, vocab: Vocab, source: str, step: int = 1,
                          steps: int | None = None) -> AttentionStepWidget:
    """Return the widget that steps through the decoding of ``source`` by ``model`` (an
    :class:`AttentionSeq2Seq` with attention) and shows where each step attends. The first
    frame is step ``step``."""
    from course_utils.widgets import note_if_slideshow_cannot_show_widgets

    note_if_slideshow_cannot_show_widgets()
    return AttentionStepWidget(model, vocab, source, step, steps)
