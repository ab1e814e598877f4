import ast
import hashlib
import re
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest

from course_utils.text import (CharVocab, char_counts, load_corpus, make_windows, split_text,
                               stream_batches)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SHA256 = "2a95af4ac93f5b719944030ce3769070ddf827d847cba42192afa8da989e5dc4"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_is_real_ascii_english(corpus):
    assert len(corpus) > 300_000
    assert corpus.isascii()
    assert "assert" in corpus and " the " in corpus


def test_corpus_is_the_same_text_on_every_python(corpus):
    """The corpus ships with course_utils (frozen from CPython 3.11.7), so the lab's
    nbval-checked numbers do not depend on the Python that runs it."""
    raw = load_corpus(ascii_only=False)
    assert hashlib.sha256(raw.encode("utf-8")).hexdigest() == SHIPPED_SHA256
    assert (len(raw), len(corpus), len(set(corpus))) == (465_048, 465_087, 94)


def test_corpus_and_its_licence_are_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text()      # tomllib needs Python 3.11
    section = pyproject.split("[tool.setuptools.package-data]")[1].split("\n[")[0]
    package_data = ast.literal_eval(re.search(r"^course_utils\s*=\s*(\[.*\])", section,
                                              re.MULTILINE).group(1))
    for name in ("python_docs.txt.gz", "LICENSE-python-docs.txt", "README.md"):
        assert (ROOT / "course_utils" / "data" / name).exists(), name
        assert any(fnmatch(f"data/{name}", pattern) for pattern in package_data), name
    licence = (ROOT / "course_utils" / "data" / "LICENSE-python-docs.txt").read_text()
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in licence
    assert SHIPPED_SHA256 in (ROOT / "course_utils" / "data" / "README.md").read_text()


def test_corpus_keeps_unicode_when_asked():
    assert len(load_corpus(ascii_only=False)) >= len(load_corpus()) - 1000


@pytest.mark.parametrize("kwargs, error, words", [
    ({"name": "shakespeare"}, ValueError, "name must be one of 'python-docs'"),
    ({"name": 3}, ValueError, "name must be one of"),
    ({"ascii_only": "yes"}, TypeError, "ascii_only must be True or False")])
def test_corpus_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        load_corpus(**kwargs)


def test_split_is_deterministic_disjoint_and_complete(corpus):
    train, held = split_text(corpus, held_out=0.1)
    assert (train, held) == split_text(corpus, held_out=0.1)
    assert len(train) + len(held) == len(corpus)
    assert 0.08 < len(held) / len(corpus) < 0.12
    assert held[:10_000] == corpus[90_000:100_000]      # the 10th block of 10,000
    assert len(held) == 40_000 and round(100 * len(held) / len(corpus), 1) == 8.6  # as printed


@pytest.mark.parametrize("kwargs, error, word", [
    ({"text": 3}, TypeError, "text must be a str"), ({"text": ""}, ValueError, "too short"),
    ({"held_out": 0.9}, ValueError, "held_out must be a number from 0.0 to 0.5, got 0.9"),
    ({"held_out": 0}, ValueError, "held_out"), ({"held_out": "a"}, TypeError, "held_out"),
    ({"block_size": 0}, ValueError, "block_size must be an integer >= 1, got 0"),
    ({"block_size": 2.0}, TypeError, "block_size"),
    ({"block_size": 10**9}, ValueError, "block_size")])
def test_split_bad_arguments(kwargs, error, word):
    args = {"text": "abc" * 1000, **kwargs}
    with pytest.raises(error, match=word):
        split_text(**args)


def test_vocab_round_trip_and_order():
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == sorted(set("hello world")) and len(vocab) == vocab.size == 8
    ids = vocab.encode("hello")
    assert ids.dtype == np.int64 and ids.tolist() == [vocab.stoi[c] for c in "hello"]
    assert vocab.decode(ids) == "hello" and vocab.decode([]) == ""
    assert "h" in vocab and "z" not in vocab and "8 characters" in repr(vocab)


def test_vocab_unknown_character_is_named():
    vocab = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match=r"'z' \(U\+007A\) at position 2"):
        vocab.encode("abzc")


def test_vocab_bad_ids_and_arguments():
    vocab = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match="id 3 at position 1 is out of range"):
        vocab.decode([0, 3])
    with pytest.raises(TypeError, match="ids"):
        vocab.decode([[0, 1]])
    with pytest.raises(TypeError, match="text"):
        vocab.encode(["a"])
    with pytest.raises(ValueError, match="single characters"):
        CharVocab(["ab"])
    with pytest.raises(ValueError, match="at least one"):
        CharVocab("")
    with pytest.raises(TypeError, match="text"):
        CharVocab.from_text(None)
    with pytest.raises(ValueError, match="text is empty"):
        CharVocab.from_text("")
    with pytest.raises(TypeError, match="chars must be a str or an iterable"):
        CharVocab(5)
    with pytest.raises(TypeError, match="ids must be a 1-D sequence of integers"):
        vocab.decode("ab")
    with pytest.raises(TypeError, match="ids must be a 1-D sequence of integers, got float64"):
        vocab.decode([0.0, 1.0])


def test_char_counts():
    vocab = CharVocab.from_text("aab")
    assert char_counts("abba", vocab).tolist() == [2, 2]
    with pytest.raises(TypeError, match="vocab must be a CharVocab"):
        char_counts("a", "a")
    with pytest.raises(TypeError, match="text must be a str"):
        char_counts(["a"], vocab)


def test_make_windows_shift_by_one():
    ids = np.arange(20)
    x, y = make_windows(ids, 5)
    assert x.shape == y.shape == (3, 5)
    assert (y == x + 1).all() and x[1, 0] == 5
    x, _ = make_windows(ids, 5, stride=2)
    assert x.shape == (8, 5) and x[1, 0] == 2


@pytest.mark.parametrize("args, error, word", [
    ((np.arange(3.0), 2), TypeError, "ids must be a 1-D NumPy array of integers, got float64"),
    (([1, 2, 3], 2), TypeError, "ids must be a 1-D NumPy array of integers, got list"),
    ((np.zeros((2, 3), int), 2), TypeError, r"of shape \(2, 3\)"),
    ((np.array([], int), 2), ValueError, "ids is empty"),
    ((np.arange(10), 0), ValueError, "seq_len must be an integer >= 1"),
    ((np.arange(10), "5"), TypeError, "seq_len"),
    ((np.arange(10), 2, 0), ValueError, "stride"),
    ((np.arange(3), 5), ValueError, r"seq_len \+ 1 = 6")])
def test_make_windows_bad_arguments(args, error, word):
    with pytest.raises(error, match=word):
        make_windows(*args)


def test_stream_batches_continue_each_row():
    ids = np.arange(101)
    chunks = list(stream_batches(ids, batch_size=4, seq_len=5))
    assert len(chunks) == 5 and all(x.shape == (4, 5) for x, _ in chunks)
    (x0, y0), (x1, _) = chunks[0], chunks[1]
    assert (y0 == x0 + 1).all() and (x1[:, 0] == x0[:, -1] + 1).all()
    assert x0[1, 0] == 25                                 # row b starts b * 25 in


def test_stream_batches_bad_arguments():
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        stream_batches(np.arange(10), 0, 2)        # checked when called, not when iterated
    with pytest.raises(ValueError, match="too few"):
        stream_batches(np.arange(10), 4, 5)
    with pytest.raises(TypeError, match="seq_len"):
        stream_batches(np.arange(10), 2, None)
    with pytest.raises(TypeError, match="ids"):
        stream_batches(list(range(10)), 2, 2)


# --------------------------------------------------------------------------- bad input (issue 16)
import course_utils.text as text_module  # noqa: E402
from tests._bad_input import ids as _table_ids, untried  # noqa: E402

_VOCAB = CharVocab("abc")
_INTS_1D = "ids must be a 1-D NumPy array of integers"
BAD_INPUT = [
    ("char_counts", "type", lambda: char_counts(5, _VOCAB), TypeError, "text must be a str, got int"),
    ("char_counts", "type", lambda: char_counts("abc", "abc"), TypeError,
     "vocab must be a CharVocab, got str"),
    ("char_counts", "value", lambda: char_counts("abz", _VOCAB), ValueError, "'z'"),
    ("load_corpus", "type", lambda: load_corpus(5), ValueError,
     "name must be one of 'python-docs', got 5"),
    ("load_corpus", "empty", lambda: load_corpus(""), ValueError,
     "name must be one of 'python-docs', got ''"),
    ("make_windows", "type", lambda: make_windows("abc", 2), TypeError, f"{_INTS_1D}, got str"),
    ("make_windows", "type", lambda: make_windows(np.arange(10.0), 2), TypeError,
     rf"{_INTS_1D}, got float64 of shape \(10,\)"),
    ("make_windows", "shape", lambda: make_windows(np.zeros((3, 3), int), 2), TypeError,
     rf"{_INTS_1D}, got int64 of shape \(3, 3\)"),
    ("make_windows", "empty", lambda: make_windows(np.zeros(0, int), 2), ValueError,
     r"ids is empty; it needs at least 2 elements \(an input and its target\)"),
    ("make_windows", "value", lambda: make_windows(np.arange(10), 0), ValueError,
     "seq_len must be an integer >= 1, got 0"),
    ("split_text", "type", lambda: split_text(5), TypeError, "text must be a str, got int"),
    ("split_text", "empty", lambda: split_text(""), ValueError,
     "text has 0 characters: too short for 10 blocks of block_size=10000"),
    ("split_text", "value", lambda: split_text("abc" * 10, held_out=1.5), ValueError,
     "held_out must be a number from 0.0 to 0.5, got 1.5"),
    ("stream_batches", "type", lambda: next(stream_batches([1, 2, 3], 2, 2)), TypeError,
     f"{_INTS_1D}, got list"),
    ("stream_batches", "shape", lambda: next(stream_batches(np.zeros((3, 3), int), 2, 2)), TypeError,
     rf"{_INTS_1D}, got int64 of shape \(3, 3\)"),
    ("stream_batches", "empty", lambda: next(stream_batches(np.zeros(0, int), 2, 2)), ValueError,
     "ids is empty; it needs at least 2 elements"),
    ("stream_batches", "value", lambda: next(stream_batches(np.arange(10), 0, 2)), ValueError,
     "batch_size must be an integer >= 1, got 0"),
]
# A text is one string (no shape); an empty text has zero counts (tested below); a corpus is
# chosen by name, which has no shape.
NOT_APPLICABLE = {("char_counts", "shape"), ("char_counts", "empty"), ("load_corpus", "shape"),
                  ("split_text", "shape")}


def test_an_empty_text_has_zero_counts():
    assert char_counts("", _VOCAB).tolist() == [0, 0, 0]


def test_every_public_function_is_tried_with_wrong_types_shapes_and_empty_input():
    assert untried(text_module, BAD_INPUT, NOT_APPLICABLE) == []


@pytest.mark.parametrize("name, kind, call, error, words", BAD_INPUT, ids=_table_ids(BAD_INPUT))
def test_bad_arguments_name_the_argument_and_the_expected_value(name, kind, call, error, words):
    with pytest.raises(error, match=words):
        call()
