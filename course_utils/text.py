"""Text for character-level models: a corpus that ships with the course, a split, a vocabulary,
batches.

The corpus is the reference documentation CPython 3.11.7 ships for ``help()``
(``pydoc_data.topics``), frozen in ``course_utils/data/python_docs.txt.gz`` so that it is the
same text on every Python version (the module changes from release to release): about
465,000 characters of real technical English with code examples, under the Python Software
Foundation License (``course_utils/data/README.md``). Nothing downloads.
"""
from __future__ import annotations

import gzip
from collections import Counter
from importlib import resources
from typing import Iterable, Iterator

import numpy as np

from course_utils import _arguments as arg

CORPORA = ("python-docs",)
_FILES = {"python-docs": "python_docs.txt.gz"}

# Typographic characters mapped to their ASCII look-alikes by ``load_corpus(ascii_only=True)``.
_ASCII = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
          "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\t": "    "}


def load_corpus(name: str = "python-docs", *, ascii_only: bool = True) -> str:
    """Return a text corpus that ships with ``course_utils``.

    ``"python-docs"``: the 79 reference topics of CPython 3.11.7's ``pydoc_data.topics`` (the
    pages ``help("assert")`` shows) in sorted order, separated by blank lines; 465,048
    characters as shipped. With ``ascii_only`` typographic quotes, dashes and ellipses become
    ASCII and other non-ASCII characters are dropped, so that every character is frequent
    enough to learn (465,087 characters, 94 distinct).

    Raises ``ValueError`` for an unknown ``name``, ``TypeError`` if ``ascii_only`` is not a bool.
    """
    arg.one_of("name", name, CORPORA)
    if not isinstance(ascii_only, bool):
        raise TypeError(f"ascii_only must be True or False, got {type(ascii_only).__name__}.")
    data = resources.files("course_utils").joinpath("data", _FILES[name]).read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    if ascii_only:
        text = "".join(_ASCII.get(ch, ch) for ch in text)
        text = text.encode("ascii", errors="ignore").decode("ascii")
    return text


def split_text(text: str, held_out: float = 0.1, block_size: int = 10_000) -> tuple[str, str]:
    """Split ``text`` into (train, held-out) parts, deterministically.

    The text is cut into blocks of ``block_size`` characters; every ``round(1 / held_out)``-th
    block (the last of each group) goes to the held-out part, the rest to training. Interleaving
    blocks makes both parts cover the whole corpus, while each held-out block is text the model
    never trained on. The held-out share of *characters* is near ``held_out`` but not equal to
    it (the last, incomplete group holds no held-out block): on ``load_corpus()`` 4 blocks,
    40,000 of 465,087 characters (8.6%).

    Raises ``TypeError`` if ``text`` is not a str, ``ValueError`` if it is too short for
    ``round(1 / held_out)`` blocks or if ``held_out`` is outside (0, 0.5].
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    held_out = arg.number("held_out", held_out, minimum=0.0, maximum=0.5)
    if held_out == 0:
        raise ValueError("held_out must be a number in (0, 0.5], got 0.0.")
    block_size = arg.integer("block_size", block_size)
    every = round(1 / held_out)
    blocks = [text[i:i + block_size] for i in range(0, len(text), block_size)]
    if len(blocks) < every:
        raise ValueError(f"text has {len(text)} characters: too short for {every} blocks of "
                         f"block_size={block_size}; pass a smaller block_size.")
    train = "".join(b for i, b in enumerate(blocks) if i % every != every - 1)
    held = "".join(b for i, b in enumerate(blocks) if i % every == every - 1)
    return train, held


class CharVocab:
    """A character vocabulary: ``encode`` text to integer ids and ``decode`` ids to text.

    Ids follow the sorted order of the characters, so the same characters always get the same
    ids. Unknown characters and out-of-range ids raise a ``ValueError`` that names them.
    """

    def __init__(self, chars: Iterable[str]):
        if isinstance(chars, (bytes, dict)) or not isinstance(chars, Iterable):
            raise TypeError(f"chars must be a str or an iterable of single characters, got "
                            f"{type(chars).__name__}.")
        chars = list(chars)
        for i, ch in enumerate(chars):
            if not isinstance(ch, str) or len(ch) != 1:
                raise ValueError(f"chars must hold single characters; item {i} is {ch!r}.")
        self.chars: list[str] = sorted(set(chars))
        if not self.chars:
            raise ValueError("chars must hold at least one character, got none.")
        self.stoi: dict[str, int] = {ch: i for i, ch in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> "CharVocab":
        """The vocabulary of every character that occurs in ``text`` (a non-empty str)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}.")
        if not text:
            raise ValueError("text is empty: a vocabulary needs at least one character.")
        return cls(text)

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def size(self) -> int:
        """The number of characters, V (= K, the output size of a language model)."""
        return len(self.chars)

    def __contains__(self, ch: object) -> bool:
        return ch in self.stoi

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, as an int64 array of shape (len(text),)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}.")
        try:
            return np.fromiter((self.stoi[ch] for ch in text), dtype=np.int64, count=len(text))
        except KeyError:
            pos = next(i for i, ch in enumerate(text) if ch not in self.stoi)
            ch = text[pos]
            raise ValueError(f"character {ch!r} (U+{ord(ch):04X}) at position {pos} is not in "
                             f"the vocabulary of {len(self)} characters; build the vocabulary "
                             "from text that contains it, or remove it.") from None

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """The text that the ids ``ids`` (a 1-D sequence of integers) stand for."""
        if isinstance(ids, (str, bytes)):
            raise TypeError(f"ids must be a 1-D sequence of integers, got {type(ids).__name__}.")
        array = np.asarray(ids)
        if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
            raise TypeError(f"ids must be a 1-D sequence of integers, got {array.dtype} "
                            f"of shape {array.shape}.")
        bad = np.flatnonzero((array < 0) | (array >= len(self)))
        if bad.size:
            raise ValueError(f"id {int(array[bad[0]])} at position {int(bad[0])} is out of range: "
                             f"ids run from 0 to {len(self) - 1}.")
        return "".join(self.chars[i] for i in array.tolist())


def char_counts(text: str, vocab: CharVocab) -> np.ndarray:
    """How often each character of ``vocab`` occurs in ``text``: an int64 array of shape (V,)."""
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}.")
    counts = Counter(vocab.encode(text).tolist())
    return np.array([counts.get(i, 0) for i in range(len(vocab))], dtype=np.int64)


def make_windows(ids: np.ndarray, seq_len: int, stride: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Cut a long id sequence into training windows: (inputs, targets), each (N, seq_len).

    Window ``n`` starts at ``n * stride`` (``stride`` defaults to ``seq_len``: no overlap);
    ``targets`` is ``inputs`` shifted one character ahead, so ``targets[n, t]`` is the character
    that follows ``inputs[n, t]``. ``ids`` is a 1-D NumPy integer array of at least
    ``seq_len + 1`` elements.
    """
    ids = _check_ids(ids)
    seq_len = arg.integer("seq_len", seq_len)
    stride = seq_len if stride is None else arg.integer("stride", stride)
    if len(ids) < seq_len + 1:
        raise ValueError(f"ids has {len(ids)} elements; a window needs seq_len + 1 = "
                         f"{seq_len + 1}.")
    starts = np.arange(0, len(ids) - seq_len, stride)
    index = starts[:, None] + np.arange(seq_len)[None, :]
    return ids[index], ids[index + 1]


def stream_batches(ids: np.ndarray, batch_size: int, seq_len: int
                   ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (inputs, targets) of shape (batch_size, seq_len) for truncated BPTT.

    The text is laid out as ``batch_size`` contiguous streams, one a row; consecutive batches
    continue every row where the previous batch stopped, so a model may carry its hidden state
    from one batch to the next (chunks of k = ``seq_len`` steps). The last, shorter chunk is
    dropped. Arguments are checked when the function is called, before the first batch.
    """
    ids = _check_ids(ids)
    batch_size = arg.integer("batch_size", batch_size)
    seq_len = arg.integer("seq_len", seq_len)
    per_row = (len(ids) - 1) // batch_size
    if per_row < seq_len:
        raise ValueError(f"ids has {len(ids)} elements: too few for {batch_size} streams of at "
                         f"least seq_len + 1 = {seq_len + 1}.")
    inputs = ids[:per_row * batch_size].reshape(batch_size, per_row)
    targets = ids[1:per_row * batch_size + 1].reshape(batch_size, per_row)
    return ((inputs[:, start:start + seq_len], targets[:, start:start + seq_len])
            for start in range(0, per_row - seq_len + 1, seq_len))


def _check_ids(ids: np.ndarray) -> np.ndarray:
    if not isinstance(ids, np.ndarray):
        raise TypeError(f"ids must be a 1-D NumPy array of integers, got {type(ids).__name__}.")
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"ids must be a 1-D NumPy array of integers, got {ids.dtype} of shape "
                        f"{ids.shape}.")
    if ids.size == 0:
        raise ValueError("ids is empty; it needs at least 2 elements (an input and its target).")
    return ids
