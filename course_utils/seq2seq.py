"""Sequence to sequence: vocabularies, the echo and addition tasks, padding, the encoder-decoder.

The pieces unit 6 builds on, in the course's notation (NOTATION.md): ``B`` sequences a batch,
source length ``S``, target length ``T``, vocabulary ``V``, embedding size ``E``, hidden size
``H``; encoder states h_j, decoder states s_t, logits l_t.

* :class:`Vocab` maps symbols to ids, with the padding, start and end tokens at ids 0, 1, 2.
* :func:`echo_data` (repeat the first k of n random ids) and :func:`addition_problems`
  ("535+61" -> "596", a+b and b+a counted once, a disjoint held-out set);
  :func:`addition_sources`, :func:`addition_targets` and :func:`answers_from_ids` write
  questions and answers in either digit order.
* :func:`encode_texts`, :func:`pad_sequences`, :func:`shift_right`, :func:`padding_mask`,
  :func:`masked_cross_entropy`, :func:`teacher_forced_loss`: from sequences of unequal length
  to batches and a loss.
* :class:`Seq2Seq`, the encoder-decoder of lab 06 (no attention), :func:`train_seq2seq`, its
  training loop, and :func:`greedy_decode`, the reference decoder.
* :func:`exact_match`, :func:`token_accuracy`, :func:`principal_components` and three figures.
"""
from __future__ import annotations

import random
from typing import Callable, Hashable, NamedTuple, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from course_utils import style
from course_utils.plotting import BLUE, GREY, INK, NOTE, _figure, _style
from course_utils.training import History, batches, fit

PAD, START, END = "<pad>", "<s>", "</s>"
ADDITION_ALPHABET = "0123456789+"
CELLS = ("RNN", "GRU", "LSTM")


# --------------------------------------------------------------------------- vocabulary
class Vocab:
    """Symbols <-> ids. Ids 0, 1, 2 are the padding, start and end tokens; symbols follow.

    >>> v = Vocab("01+")
    >>> v.encode("10", end=True)
    [4, 3, 2]
    >>> v.decode_text([4, 3, 2, 0])
    '10'
    """

    pad_id, start_id, end_id = 0, 1, 2

    def __init__(self, symbols: Sequence[Hashable]):
        if isinstance(symbols, (str, bytes)) or isinstance(symbols, Sequence) or \
                hasattr(symbols, "__iter__"):
            symbols = list(symbols)
        else:
            raise TypeError(f"symbols must be a sequence of symbols, got {type(symbols).__name__}.")
        if not symbols:
            raise ValueError("symbols must not be empty.")
        unhashable = [s for s in symbols if not isinstance(s, Hashable)]
        if unhashable:
            raise TypeError(f"symbols must be hashable (characters, words, numbers), got "
                            f"{unhashable[0]!r}.")
        if len(set(symbols)) != len(symbols):
            raise ValueError(f"symbols must be distinct, got {symbols!r}.")
        clash = [s for s in symbols if s in (PAD, START, END)]
        if clash:
            raise ValueError(f"symbols may not contain the special tokens {clash}.")
        self.symbols: list = [PAD, START, END] + symbols
        self.id_of: dict = {s: i for i, s in enumerate(self.symbols)}

    def __len__(self) -> int:
        return len(self.symbols)

    def __repr__(self) -> str:
        return f"Vocab({len(self) - 3} symbols + <pad>, <s>, </s>)"

    def encode(self, seq: Sequence[Hashable], *, start: bool = False, end: bool = False) -> list[int]:
        """The ids of ``seq``, optionally after a start token and before an end token.

        Raises ValueError naming the first symbol that is not in the vocabulary.
        """
        if not isinstance(seq, (Sequence, np.ndarray, torch.Tensor)):
            raise TypeError(f"seq must be a sequence of symbols (a string, a list), got "
                            f"{type(seq).__name__}.")
        ids = [self.start_id] if start else []
        for position, symbol in enumerate(seq):
            if symbol not in self.id_of or self.id_of[symbol] < 3:
                raise ValueError(f"symbol {symbol!r} at position {position} of {seq!r} is not in "
                                 f"the vocabulary {self.symbols[3:]!r}.")
            ids.append(self.id_of[symbol])
        return ids + ([self.end_id] if end else [])

    def decode(self, ids: Sequence[int] | torch.Tensor) -> list:
        """The symbols of a 1-D sequence of ``ids``: stops at the first end token, skips padding
        and start. Raises TypeError for ids that are not integers, ValueError outside the
        vocabulary."""
        if isinstance(ids, torch.Tensor):
            if ids.dim() != 1 or ids.is_floating_point():
                raise TypeError(f"ids must be a 1-D tensor of integer ids, got shape "
                                f"{tuple(ids.shape)} and dtype {ids.dtype}.")
            ids = ids.tolist()
        if isinstance(ids, str) or not isinstance(ids, (Sequence, np.ndarray)):
            raise TypeError(f"ids must be a list or 1-D tensor of integer ids, got "
                            f"{type(ids).__name__}.")
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
                raise TypeError(f"ids must be integers, got {i!r}.")
            i = int(i)
            if not 0 <= i < len(self):
                raise ValueError(f"id {i} is outside the vocabulary (0..{len(self) - 1}).")
            if i == self.end_id:
                break
            if i > self.end_id:
                out.append(self.symbols[i])
        return out

    def decode_text(self, ids: Sequence[int] | torch.Tensor) -> str:
        """:meth:`decode`, joined into a string (for character vocabularies)."""
        return "".join(str(s) for s in self.decode(ids))


# --------------------------------------------------------------------------- argument checks
def _positive_int(name: str, value, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _token_id(name: str, value) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise TypeError(f"{name} must be a token id (an integer >= 0), got {value!r}.")
    return int(value)


def _module(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    return model


def _check_vocab(vocab) -> Vocab:
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a course_utils.seq2seq.Vocab, got {type(vocab).__name__}.")
    return vocab


def _long_tensor(name: str, value, dims: int | None = None, vocab_size: int | None = None
                 ) -> torch.Tensor:
    """``value`` as an int64 tensor of token ids, after checking type, dimensions and range."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, got {type(value).__name__}.")
    if value.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise TypeError(f"{name} must hold integer token ids, got dtype {value.dtype}.")
    if dims is not None and value.dim() != dims:
        raise ValueError(f"{name} must have {dims} dimensions, got shape {tuple(value.shape)}.")
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}.")
    if vocab_size is not None:
        low, high = int(value.min()), int(value.max())
        if low < 0 or high >= vocab_size:
            raise ValueError(f"{name} holds the id {low if low < 0 else high}, outside the "
                             f"vocabulary (ids 0..{vocab_size - 1}).")
    return value.long()


# --------------------------------------------------------------------------- data
class EchoData(NamedTuple):
    """Echo task: sources (N, n) and targets (N, k) of raw ids in [0, vocab_size)."""

    train_src: torch.Tensor
    train_tgt: torch.Tensor
    test_src: torch.Tensor
    test_tgt: torch.Tensor


def echo_data(num_train: int = 8000, num_test: int = 2000, n: int = 5, k: int = 2,
              vocab_size: int = 100, seed: int = 0) -> EchoData:
    """Sequences of ``n`` random ids from ``range(vocab_size)``; the target is the first ``k``.

    No test sequence appears in the training set. Deterministic by ``seed``.
    """
    num_train, num_test = _positive_int("num_train", num_train), _positive_int("num_test", num_test)
    n, k = _positive_int("n", n), _positive_int("k", k)
    vocab_size = _positive_int("vocab_size", vocab_size, 2)
    _positive_int("seed", seed, 0)
    if k > n:
        raise ValueError(f"k must be at most n = {n}, got {k}.")
    if vocab_size ** n < 2 * (num_train + num_test):
        raise ValueError(f"only {vocab_size ** n} distinct sequences exist for n={n}, "
                         f"vocab_size={vocab_size}: ask for fewer than half of them.")
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(0, vocab_size, (num_train, n), generator=g)
    train_rows = {tuple(r) for r in src.tolist()}
    test: list[list[int]] = []
    while len(test) < num_test:
        for row in torch.randint(0, vocab_size, (num_test, n), generator=g).tolist():
            if tuple(row) not in train_rows and len(test) < num_test:
                test.append(row)
    test_src = torch.tensor(test)
    return EchoData(src, src[:, :k].clone(), test_src, test_src[:, :k].clone())


class AdditionData(NamedTuple):
    """Addition questions ("535+61") and answers ("596") as strings, train and held-out."""

    train_questions: list[str]
    train_answers: list[str]
    test_questions: list[str]
    test_answers: list[str]


def addition_vocab(alphabet: str = ADDITION_ALPHABET) -> Vocab:
    """The character vocabulary of the addition task; ``alphabet`` needs the digits and '+'."""
    if not isinstance(alphabet, str):
        raise TypeError(f"alphabet must be a string of characters, got {type(alphabet).__name__}.")
    missing = [c for c in ADDITION_ALPHABET if c not in alphabet]
    if missing:
        raise ValueError(f"alphabet {alphabet!r} misses the characters {missing} that questions "
                         f"and answers use; it needs all of {ADDITION_ALPHABET!r}.")
    return Vocab(sorted(set(alphabet), key=alphabet.index))


def addition_problems(num_train: int = 50_000, num_test: int = 5_000, max_digits: int = 3,
                      seed: int = 0) -> AdditionData:
    """Random sums "a+b" of numbers with 1..``max_digits`` digits, each unordered pair once.

    A number's digit count is drawn uniformly, then the number uniformly among those with at
    most that many digits (as the Keras addition example does). a+b and b+a count as one
    problem, so no held-out question is a training question with its operands swapped.
    """
    num_train, num_test = _positive_int("num_train", num_train), _positive_int("num_test", num_test)
    max_digits = _positive_int("max_digits", max_digits)
    _positive_int("seed", seed, 0)
    top = 10 ** max_digits
    if num_train + num_test > top * (top + 1) // 4:
        raise ValueError(f"num_train + num_test = {num_train + num_test} is too many: "
                         f"max_digits={max_digits} allows {top * (top + 1) // 2} distinct "
                         "problems; ask for at most half of them.")
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    questions, answers = [], []
    while len(questions) < num_train + num_test:
        a = rng.randrange(10 ** rng.randint(1, max_digits))
        b = rng.randrange(10 ** rng.randint(1, max_digits))
        key = (min(a, b), max(a, b))
        if key in seen:
            continue
        seen.add(key)
        questions.append(f"{a}+{b}")
        answers.append(str(a + b))
    return AdditionData(questions[:num_train], answers[:num_train],
                        questions[num_train:], answers[num_train:])


def _texts(name: str, value) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of strings, got {type(value).__name__}.")
    if not value:
        raise ValueError(f"{name} must not be empty.")
    for position, text in enumerate(value):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a list of strings, got {type(text).__name__} "
                            f"at position {position}.")
    return list(value)


def addition_sources(questions: Sequence[str], vocab: Vocab, *, reverse_question: bool = True,
                     max_digits: int = 3) -> torch.Tensor:
    """Questions ("535+61") as source ids (N, 2 max_digits + 1), padded with <pad> at the end.

    ``reverse_question`` writes "535+61" as "16+535": the units digits come first.
    """
    max_digits = _positive_int("max_digits", max_digits)
    return encode_texts(_texts("questions", questions), vocab, reverse=bool(reverse_question),
                        length=2 * max_digits + 1)


def addition_targets(answers: Sequence[str], vocab: Vocab, *, answer_lsb_first: bool = True,
                     max_digits: int = 3) -> torch.Tensor:
    """Answers ("596") as target ids (N, max_digits + 2): the digits, </s>, then <pad>.

    ``answer_lsb_first`` writes "596" least-significant digit first, "695", the order in
    which carries propagate.
    """
    max_digits = _positive_int("max_digits", max_digits)
    return encode_texts(_texts("answers", answers), vocab, reverse=bool(answer_lsb_first),
                        end=True, length=max_digits + 2)


def answers_from_ids(ids: torch.Tensor, vocab: Vocab, *, answer_lsb_first: bool = True
                     ) -> list[str]:
    """Decoded answers (B, T) -> B strings in the usual order (most significant digit first):
    each row is read up to its first </s>; ``answer_lsb_first`` undoes the digit reversal."""
    _check_vocab(vocab)
    ids = _long_tensor("ids", ids, 2, len(vocab))
    texts = [vocab.decode_text(row) for row in ids.tolist()]
    return [t[::-1] for t in texts] if answer_lsb_first else texts


# --------------------------------------------------------------------------- batches and the loss
def pad_sequences(seqs: Sequence[Sequence[int]], pad_id: int = 0,
                  length: int | None = None) -> torch.Tensor:
    """Stack id lists of different lengths into a (B, length) tensor, padded with ``pad_id``."""
    if isinstance(seqs, (str, torch.Tensor)) or not isinstance(seqs, Sequence):
        raise TypeError(f"seqs must be a list of id lists, got {type(seqs).__name__}.")
    if not seqs:
        raise ValueError("seqs must not be empty.")
    for position, seq in enumerate(seqs):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, (Sequence, torch.Tensor)):
            raise TypeError(f"seqs must be a list of id lists, got {type(seq).__name__} at "
                            f"position {position}.")
    pad_id = _token_id("pad_id", pad_id)
    longest = max(len(s) for s in seqs)
    length = longest if length is None else _positive_int("length", length)
    if longest > length:
        raise ValueError(f"length={length} is shorter than the longest sequence ({longest}).")
    out = torch.full((len(seqs), length), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.as_tensor(list(s), dtype=torch.long)
    return out


def encode_texts(texts: Sequence[Sequence[Hashable]], vocab: Vocab, *, reverse: bool = False,
                 start: bool = False, end: bool = False, length: int | None = None) -> torch.Tensor:
    """Encode each text with ``vocab`` (reversed first if ``reverse``) into a padded (B, T) batch."""
    _check_vocab(vocab)
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of sequences, got {type(texts).__name__}.")
    for position, text in enumerate(texts):
        if not isinstance(text, Sequence):
            raise TypeError(f"texts must be a list of sequences (strings, lists of symbols), got "
                            f"{type(text).__name__} at position {position}.")
    ids = [vocab.encode(list(t)[::-1] if reverse else t, start=start, end=end) for t in texts]
    return pad_sequences(ids, vocab.pad_id, length)


def shift_right(targets: torch.Tensor, start_id: int) -> torch.Tensor:
    """Teacher forcing's decoder inputs: ``start_id`` then the targets without their last step.

    targets (B, T) of ids -> (B, T), int64: at step t the decoder reads y_{t-1}, and <s> at the
    first step (Sutskever et al. 2014 feed the previous target token the same way).
    """
    targets = _long_tensor("targets", targets, 2)
    start = torch.full_like(targets[:, :1], _token_id("start_id", start_id))
    return torch.cat([start, targets[:, :-1]], dim=1)


def padding_mask(ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """True where ``ids`` holds a real token, False on padding (same shape as ``ids``)."""
    return _long_tensor("ids", ids) != _token_id("pad_id", pad_id)


def masked_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, pad_id: int) -> torch.Tensor:
    """Mean cross-entropy (nats per token) over the positions where ``targets != pad_id``.

    logits (B, T, V), unnormalised; targets (B, T) of ids. Returns a scalar tensor:
    sum_{b,t} m_bt L_bt / sum_{b,t} m_bt with L_bt = -log softmax(l_bt)[y_bt] and the mask
    m_bt = [y_bt != pad_id].
    """
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a (B, T, V) tensor, got {type(logits).__name__}.")
    if logits.dim() != 3:
        raise ValueError(f"logits must be a (B, T, V) tensor, got shape {tuple(logits.shape)}.")
    if not logits.is_floating_point():
        raise TypeError(f"logits must be floating point, got dtype {logits.dtype}.")
    targets = _long_tensor("targets", targets, 2, logits.shape[-1])
    if logits.shape[:2] != targets.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} "
                         "must agree in B and T.")
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=_token_id("pad_id", pad_id))


def teacher_forced_loss(model: nn.Module, src: torch.Tensor, targets: torch.Tensor,
                        start_id: int = Vocab.start_id, pad_id: int = Vocab.pad_id
                        ) -> torch.Tensor:
    """The training loss of an encoder-decoder under teacher forcing: the decoder reads
    ``shift_right(targets)`` and the loss is :func:`masked_cross_entropy` against ``targets``.

    src (B, S) and targets (B, T) of ids; ``model(src, decoder_inputs)`` returns logits
    (B, T, V). Raises TypeError for a model that is not an ``nn.Module``, and the errors of
    :func:`shift_right` and :func:`masked_cross_entropy` for bad ids.
    """
    _module(model)
    src = _long_tensor("src", src, 2)
    if len(src) != len(_long_tensor("targets", targets, 2)):
        raise ValueError(f"src has {len(src)} rows, targets {len(targets)}: one target a source.")
    return masked_cross_entropy(model(src, shift_right(targets, start_id)), targets, pad_id)


# --------------------------------------------------------------------------- the model
class Seq2Seq(nn.Module):
    """An encoder-decoder without attention (Sutskever et al. 2014; Cho et al. 2014).

    The encoder reads the source; its final state is the decoder's initial state,
    s_0 = h_S, the only path from source to target. The decoder reads the previous target
    token at every step (the true one under teacher forcing, its own prediction at inference)
    and a linear readout turns each decoder state into logits. For a batch of rows:

        s_t = f_dec(s_{t-1}, e(y_{t-1})),   l_t = s_t W_hy^T + b_y     s_t (B, H), l_t (B, V)

    where e(v) is row v of the embedding table (or the one-hot vector of v).

    Layers, under the names lab 06's checks and later units rely on:

    * ``embedding``: ``nn.Embedding(V, E, padding_idx=0)``, the table W_emb (V, E) shared by
      encoder and decoder; ``None`` when ``one_hot`` (tokens then enter as one-hot vectors, width V);
    * ``encoder`` and ``decoder``: ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` (``cell``) of input
      size E (V if one-hot) and ``hidden_size`` H, ``batch_first=True``, separate weights;
    * ``readout``: ``nn.Linear(H, V)``, weight W_hy (V, H) and bias b_y (V).

    A state is a tensor (1, B, H), or the pair (h, c) for an LSTM. The encoder reads every
    position of the source, padding included, so pad all sources to one length at the end.

    Raises ValueError for a size below 1 or an unknown ``cell``; the methods raise TypeError
    or ValueError, naming the argument, for ids that are not integer tensors of the right
    dimensions or lie outside the vocabulary.
    """

    def __init__(self, vocab_size: int, hidden_size: int = 128, embedding_dim: int = 32,
                 cell: str = "GRU", one_hot: bool = False):
        super().__init__()
        self.vocab_size = _positive_int("vocab_size", vocab_size, 2)
        hidden_size = _positive_int("hidden_size", hidden_size)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {cell!r}.")
        self.one_hot = bool(one_hot)
        width = vocab_size if one_hot else _positive_int("embedding_dim", embedding_dim)
        self.embedding = None if one_hot else nn.Embedding(vocab_size, width, padding_idx=0)
        self.encoder = getattr(nn, cell)(width, hidden_size, batch_first=True)
        self.decoder = getattr(nn, cell)(width, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> vectors (B, T, E), or one-hot floats (B, T, V)."""
        ids = _long_tensor("ids", ids, None, self.vocab_size)
        if self.one_hot:
            return F.one_hot(ids, self.vocab_size).float()
        return self.embedding(ids)

    def encode(self, src: torch.Tensor):
        """Source ids (B, S) -> the encoder's final state h_S: (1, B, H), or (h, c) for an LSTM."""
        _, state = self.encoder(self.embed(_long_tensor("src", src, 2)))
        return state

    def forward(self, src: torch.Tensor, decoder_inputs: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: logits (B, T, V) for source ids (B, S) and decoder inputs (B, T),
        all T steps in one call (the decoder inputs are ``shift_right(targets)``)."""
        src = _long_tensor("src", src, 2)
        decoder_inputs = _long_tensor("decoder_inputs", decoder_inputs, 2)
        if len(decoder_inputs) != len(src):
            raise ValueError(f"src has {len(src)} rows and decoder_inputs {len(decoder_inputs)}: "
                             "one row of decoder inputs per source.")
        outputs, _ = self.decoder(self.embed(decoder_inputs), self.encode(src))
        return self.readout(outputs)

    def step(self, tokens: torch.Tensor, state):
        """One decoder step: tokens (B,) and state s_{t-1} -> logits l_t (B, V) and state s_t."""
        tokens = _long_tensor("tokens", tokens, 1)
        outputs, state = self.decoder(self.embed(tokens[:, None]), state)
        return self.readout(outputs[:, 0]), state


def train_seq2seq(model: nn.Module, src: torch.Tensor, targets: torch.Tensor, *, epochs: int,
                  batch_size: int = 128, lr: float = 0.01, seed: int = 0,
                  batch_loss: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
                  | None = None, progress: bool = True, desc: str = "training") -> History:
    """Train ``model`` on source ids ``src`` (N, S) and target ids ``targets`` (N, T).

    Adam with a one-cycle schedule peaking at ``lr`` (``torch.optim.lr_scheduler.OneCycleLR``),
    the global gradient norm clipped to 1, mini-batches of ``batch_size`` in an order drawn
    from a generator seeded with ``seed``. ``batch_loss(model, src_batch, target_batch)``
    returns a batch's loss, :func:`teacher_forced_loss` by default. Batches move to the
    model's device. The budget is counted in epochs. Returns :class:`course_utils.History`.
    """
    _module(model)
    src, targets = _long_tensor("src", src, 2), _long_tensor("targets", targets, 2)
    if len(src) != len(targets):
        raise ValueError(f"src has {len(src)} rows, targets {len(targets)}: one target a source.")
    epochs, batch_size = _positive_int("epochs", epochs), _positive_int("batch_size", batch_size)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}.")
    _positive_int("seed", seed, 0)
    batch_loss = batch_loss or teacher_forced_loss
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * -(-len(src) // batch_size))
    generator = torch.Generator().manual_seed(seed)

    def loss(model, batch):
        return batch_loss(model, *(t.to(device) for t in batch))

    return fit(model, lambda: batches(src, targets, batch_size=batch_size, generator=generator),
               loss, optimizer, epochs, clip_norm=1.0, scheduler=schedule, progress=progress,
               desc=desc)


def _check_decoder_model(model) -> None:
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "step", None))):
        raise TypeError("model must have encode(src) and step(tokens, state) methods, "
                        f"got {type(model).__name__}.")


def greedy_decode(model: nn.Module, src: torch.Tensor, start_id: int, max_len: int) -> torch.Tensor:
    """Feed back the most probable token for ``max_len`` steps; returns int64 ids (B, max_len).

    ``model`` needs ``encode(src) -> state`` and ``step(tokens (B,), state) -> (logits, state)``
    (as :class:`Seq2Seq` has). The decoder starts from the encoder's state and <s>
    (``start_id``); what it reads at step t is its own argmax at step t - 1, never a target.
    Runs without gradients; the returned rows continue after </s> (:meth:`Vocab.decode` stops
    there).
    """
    _check_decoder_model(model)
    src = _long_tensor("src", src, 2)
    start_id, max_len = _token_id("start_id", start_id), _positive_int("max_len", max_len)
    with torch.no_grad():
        state = model.encode(src)
        token = torch.full((len(src),), start_id, dtype=torch.long, device=src.device)
        out = []
        for _ in range(max_len):
            logits, state = model.step(token, state)
            token = logits.argmax(dim=-1)
            out.append(token)
    return torch.stack(out, dim=1)


# --------------------------------------------------------------------------- metrics
def _pairs(predicted, expected, pad_id):
    if isinstance(predicted, torch.Tensor) or isinstance(expected, torch.Tensor):
        if not (isinstance(predicted, torch.Tensor) and isinstance(expected, torch.Tensor)):
            raise TypeError("predicted and expected must both be tensors or both be lists.")
        if predicted.shape != expected.shape or predicted.dim() != 2 or not expected.numel():
            raise ValueError(f"predicted {tuple(predicted.shape)} and expected "
                             f"{tuple(expected.shape)} must be non-empty (B, T) tensors of one shape.")
        keep = torch.ones_like(expected, dtype=torch.bool) if pad_id is None else expected != pad_id
        return (predicted == expected) | ~keep, keep
    for name, value in (("predicted", predicted), ("expected", expected)):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of sequences (strings or id lists) or a "
                            f"tensor, got {type(value).__name__}.")
    if len(predicted) != len(expected):
        raise ValueError(f"predicted has {len(predicted)} sequences, expected {len(expected)}.")
    if not expected:
        raise ValueError("expected must not be empty.")
    return None, None


def exact_match(predicted: Sequence[Sequence] | torch.Tensor,
                expected: Sequence[Sequence] | torch.Tensor, pad_id: int | None = None) -> float:
    """The fraction of sequences predicted whole and exactly right, in [0, 1].

    Lists: of strings or of id sequences (a row counts only if it equals its expected row in
    every position and in length). (B, T) tensors: positions where ``expected`` equals
    ``pad_id`` are ignored.
    """
    same, _ = _pairs(predicted, expected, pad_id)
    if same is not None:
        return same.all(dim=1).float().mean().item()
    return sum(list(p) == list(e) for p, e in zip(predicted, expected)) / len(expected)


def token_accuracy(predicted: Sequence[Sequence] | torch.Tensor,
                   expected: Sequence[Sequence] | torch.Tensor, pad_id: int | None = None) -> float:
    """The fraction of expected tokens predicted right, position by position, in [0, 1]."""
    same, keep = _pairs(predicted, expected, pad_id)
    if same is not None:
        return (same & keep).sum().item() / max(int(keep.sum()), 1)
    right = sum(sum(a == b for a, b in zip(p, e)) for p, e in zip(predicted, expected))
    return right / max(sum(len(e) for e in expected), 1)


def principal_components(weight: torch.Tensor | np.ndarray, k: int = 2
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``weight`` (N, D) on their first ``k`` principal components.

    Returns the coordinates (N, k) and each component's share of the variance (k,). The
    rows are centred, then projected on the first right singular vectors. A component's sign
    is arbitrary (flipping it fits as well): read orders and distances, not directions.
    """
    w = weight.detach().cpu().numpy() if isinstance(weight, torch.Tensor) else np.asarray(weight)
    k = _positive_int("k", k)
    if w.ndim != 2 or w.shape[0] < 2 or w.shape[1] < k:
        raise ValueError(f"weight must be a (N, D) table with N >= 2 and D >= k = {k}, "
                         f"got shape {w.shape}.")
    centred = w - w.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:k].T, (s ** 2 / (s ** 2).sum())[:k]


# --------------------------------------------------------------------------- figures
@style.styled
def plot_embeddings_2d(weight: torch.Tensor | np.ndarray, labels: Sequence[str],
                       title: str = "Learned embeddings, projected to 2-D",
                       figsize: Sequence[float] = (style.SLIDE_FIGSIZE[0] * 0.75,
                                                   style.SLIDE_FIGSIZE[1])) -> Figure:
    """Scatter the rows of an embedding table (V, E) on its first two principal components
    (:func:`principal_components`; the sign of each axis is arbitrary). Each point carries its
    label; a label that would cover another is moved beside its point, with a thin line to it."""
    w = weight.detach().cpu().numpy() if isinstance(weight, torch.Tensor) else np.asarray(weight)
    if w.ndim != 2 or w.shape[0] < 3 or w.shape[1] < 2:
        raise ValueError(f"weight must be a (V, E) table with V >= 3 and E >= 2, got {w.shape}.")
    if isinstance(labels, str) or len(labels) != w.shape[0]:
        raise ValueError(f"labels must be a list of {w.shape[0]} strings, one a row of weight.")
    xy, share = principal_components(w, 2)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.scatter(xy[:, 0], xy[:, 1], s=260, c=BLUE, alpha=0.25)
    ax.margins(x=0.06, y=0.14)            # room for a label moved beside a point at the edge
    _style(ax, title, f"principal component 1 ({share[0]:.0%} of variance)",
           f"principal component 2 ({share[1]:.0%})")
    _label_points(ax, xy, [str(label) for label in labels], fontsize=NOTE + 3)
    order = np.argsort(xy[:, 0])
    style.set_alt(fig, f"{title}: the {w.shape[0]} rows of a {w.shape[0]}x{w.shape[1]} embedding "
                  f"table as labelled points on their first two principal components "
                  f"({share[0]:.0%} and {share[1]:.0%} of the variance); from left to right: "
                  + ", ".join(str(labels[i]) for i in order) + ".")
    return fig



def _label_points(ax, xy: np.ndarray, labels: Sequence[str], fontsize: float) -> None:
    """Write each label on its point; move one that would overlap an earlier label (points that
    nearly coincide) to the first free spot around its point, 20 to 44 pt away, inside the
    axes, and join it to its point with a thin grey line."""
    from matplotlib.text import Text

    def extent(annotation):             # the text alone, without its leader line
        annotation.get_window_extent()  # places the text at its offset
        return Text.get_window_extent(annotation)

    texts = [ax.annotate(label, (x, y), ha="center", va="center", fontsize=fontsize, color=INK)
             for (x, y), label in zip(xy, labels)]
    ax.figure.draw_without_rendering()  # the layout fixes the axes; offsets are in points
    frame = ax.get_window_extent()
    boxes = [extent(t) for t in texts]
    directions = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    for i, text in enumerate(texts):
        others = boxes[:i] + boxes[i + 1:]
        if not any(boxes[i].overlaps(b) for b in others):
            continue
        for radius, (dx, dy) in ((r, d) for r in (20, 28, 36, 44) for d in directions):
            offset = (radius * dx / np.hypot(dx, dy), radius * dy / np.hypot(dx, dy))
            moved = ax.annotate(text.get_text(), text.xy, xytext=offset, textcoords="offset points",
                                ha="center", va="center", fontsize=fontsize, color=INK,
                                arrowprops=dict(arrowstyle="-", color=GREY, lw=1, shrinkA=0,
                                                shrinkB=6))
            box = extent(moved)
            inside = (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
                      and box.y1 <= frame.y1)
            if inside and not any(box.overlaps(b) for b in others):
                text.remove()
                texts[i], boxes[i] = moved, box
                break
            moved.remove()


def plot_encoder_decoder(source: str = "16+535", target: str = "695",
                         figsize: Sequence[float] = None) -> Figure:
    """The encoder reads the source; its last state is the decoder's first, s_0 = h_S; the
    decoder starts at <s>, reads its previous output token at every step and stops at </s>.
    Drawn at slide width (``figsize`` defaults to ``style.SLIDE_FIGSIZE``), with a default
    alternative text."""
    from course_utils import diagrams as D
    from course_utils import style

    if not (isinstance(source, str) and isinstance(target, str) and source and target):
        raise ValueError("source and target must be non-empty strings.")
    if len(source) + len(target) > 14:
        raise ValueError("source and target must be non-empty strings of at most 14 characters "
                         f"together to fit a slide, got {len(source) + len(target)}.")
    fig, ax = D._canvas("Encoder-decoder: the encoder's last state is the decoder's first",
                        figsize=figsize)
    C = style.CONCEPT
    n, m = len(source), len(target) + 1
    dx = min(0.9, 10.4 / (n + 1.55 * m + 1.2))      # the decoder's steps are wider: feedback
    bw, bh = min(0.62, dx - 0.22), 0.5
    xs = [0.7 + i * dx for i in range(n)]
    xd = [xs[-1] + 1.6 + j * 1.55 * dx for j in range(m)]
    y_in, y_s, y_out = 1.35, 2.7, 4.05
    for i, c in enumerate(source):
        D._box(ax, xs[i], y_s, bw, bh, rf"$\mathbf{{h}}_{{{i + 1}}}$", C["state"], fontsize=style.NOTE)
        D._box(ax, xs[i], y_in, bw, bh, c, C["input"], fontsize=style.NOTE)
        D._line(ax, [(xs[i], y_in + bh / 2), (xs[i], y_s - bh / 2)], C["input"])
        if i:
            D._line(ax, [(xs[i - 1] + bw / 2, y_s), (xs[i] - bw / 2, y_s)], C["state"])
    D._line(ax, [(xs[-1] + bw / 2, y_s), (xd[0] - bw / 2, y_s)], C["state"], lw=3)
    D._text(ax, (xs[-1] + xd[0]) / 2, y_s + 0.5, r"$\mathbf{s}_0 = \mathbf{h}_S$")
    ins, outs = ["<s>"] + list(target), list(target) + ["</s>"]
    for j in range(m):
        D._box(ax, xd[j], y_s, bw, bh, rf"$\mathbf{{s}}_{{{j + 1}}}$", C["state"], fontsize=style.NOTE)
        D._box(ax, xd[j], y_in, max(bw, 0.74) if len(ins[j]) > 1 else bw, bh, ins[j],
               C["target"] if j == 0 else C["output"], fontsize=style.NOTE)
        D._box(ax, xd[j], y_out, max(bw, 0.74) if len(outs[j]) > 1 else bw, bh, outs[j], C["output"],
               fontsize=style.NOTE)
        D._line(ax, [(xd[j], y_in + bh / 2), (xd[j], y_s - bh / 2)], C["input"])
        D._line(ax, [(xd[j], y_s + bh / 2), (xd[j], y_out - bh / 2)], C["output"])
        if j:
            D._line(ax, [(xd[j - 1] + bw / 2, y_s), (xd[j] - bw / 2, y_s)], C["state"])
            xm = (xd[j - 1] + xd[j]) / 2
            D._line(ax, [(xd[j - 1] + bw / 2, y_out), (xm, y_out), (xm, y_in), (xd[j] - bw / 2, y_in)],
                    C["output"], lw=1.6, dashed=True)
    D._text(ax, (xs[0] + xs[-1]) / 2, y_out, f"encoder reads the source\n{source!s}",
            fontsize=style.NOTE)
    D._text(ax, 6.0, 0.45, "decoder: starts at <s>, reads its previous output (dashed), "
            "stops at </s>", fontsize=style.NOTE)
    style.set_alt(fig, f"An encoder of {n} steps reads the source characters of {source!r} one per "
                  f"step into states h_1 to h_{n}; its last state becomes the decoder's first, "
                  f"s_0 = h_S. The decoder's {m} steps, states s_1 to s_{m}, read the start token "
                  f"and then their own previous output, a dashed arrow from each output to the "
                  f"next input, and write {', '.join(target)} and the end token.")
    return fig


@style.styled
def plot_attention_sketch(source: str = "16+535", target: str = "695", seed: int = 0,
                          figsize: Sequence[float] = style.FIGSIZE_WITH_TEXT) -> Figure:
    """Left: without attention every output step sees one fixed vector. Right: with attention
    step t mixes all encoder states h_j with weights alpha_tj (an illustrative matrix).

    Boxes and arrows are course_utils.diagrams' (colours of style.CONCEPT: the source tokens
    as inputs, s_0 = h_S as a state, the answer as outputs); the weights use plot_attention's
    map (lecture 07), darker blue for larger."""
    from course_utils import diagrams as D
    if not (isinstance(source, str) and isinstance(target, str) and source and target):
        raise ValueError("source and target must be non-empty strings.")
    _positive_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    n, m = len(source), len(target)
    fig = _figure(figsize)
    left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
    C = style.CONCEPT
    for i in range(n):
        D._box(left, i, 0, 0.7, 0.56, source[i], C["input"], fontsize=NOTE)
    D._box(left, (n - 1) / 2, 1.45, 2.0, 0.56, r"$\mathbf{s}_0 = \mathbf{h}_S$", C["state"],
           fontsize=NOTE)
    for i in range(n):                 # the encoder reads every token; its last state is the summary
        D._line(left, [(i, 0.28), ((n - 1) / 2 + (i - (n - 1) / 2) * 0.25, 1.17)], C["state"],
                lw=1.2, arrow=False)
    for j in range(m):
        x = (n - 1) / 2 + (j - (m - 1) / 2) * 1.4
        D._box(left, x, 2.9, 0.7, 0.56, target[j], C["output"], fontsize=NOTE)
        D._line(left, [((n - 1) / 2, 1.73), (x, 2.62)], C["state"], lw=1.6)
    left.set_xlim(-0.5, n - 0.5)
    left.set_ylim(-0.4, 3.3)
    left.set_aspect("equal")
    left.axis("off")
    left.set_title("Without attention: one summary\nof the source for every output", fontsize=NOTE + 2)
    # illustrative weights: output digit j of a reversed sum looks at digit j of each operand
    logits = rng.normal(0, 0.3, (m, n))
    starts = [0] + [i + 1 for i, c in enumerate(source) if not c.isdigit()]
    for j in range(m):
        for s0 in starts:
            if s0 + j < n and source[s0 + j].isdigit():
                logits[j, s0 + j] += 2.5
    alpha = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    image = right.imshow(alpha, cmap="Blues", vmin=0, vmax=1, aspect="auto")   # as plot_attention
    right.set_xticks(range(n), list(source), fontsize=style.TICK)
    right.set_yticks(range(m), list(target), fontsize=style.TICK)
    _style(right, "With attention: step t reads\n"
           r"$\mathbf{ctx}_t = \sum_j \alpha_{tj}\, \mathbf{h}_j$ (sketch)",
           "source position j (token)", "decoder step t")
    for side in ("top", "right"):
        right.spines[side].set_visible(True)
    bar = fig.colorbar(image, ax=right, label=r"weight $\alpha_{tj}$", shrink=0.85)
    bar.ax.tick_params(labelsize=style.TICK)
    bar.ax.yaxis.label.set_fontsize(style.LABEL)
    peaks = ", ".join(f"'{target[j]}' on '{source[int(alpha[j].argmax())]}'" for j in range(m))
    style.set_alt(fig, f"Left: without attention, the encoder's last state is the one summary of "
                  f"the source '{source}' that every output step of '{target}' reads. Right: "
                  f"with attention, an illustrative {m}x{n} matrix of weights (darker blue is "
                  f"larger) lets each output step read all encoder states; the largest weights: "
                  f"{peaks}.")
    return fig

