"""NOTATION.md's retired symbols do not appear in the lectures and labs that adopted the notation,
and its reserved indices j, k, m, p keep their meaning there (the second half of this file).

Each pattern below is one concrete way a retired symbol shows up (NOTATION.md, "Retired
symbols"), in the markdown (LaTeX and text) or the code (names, comments, dict keys) of a
notebook. A line that names Géron or Goodfellow is a translation for readers of those books
("Goodfellow et al. write U, W, V for our W_xh, W_hh, W_hy") and is not checked.

To adopt the notation in another unit, add its notebooks to ``ADOPTED``; a unit whose
notebooks do not follow it yet stays in ``PENDING`` with the reason, and its tests are
expected to fail (xfail) until its branch is merged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Retired:
    name: str                     # what is retired, and what to write instead
    pattern: str                  # a regular expression for one concrete use
    where: str                    # "markdown", "code" or "both"
    units: tuple[str, ...] = ()   # the units it applies to ("01", ...); empty: every unit


RETIRED = [
    Retired(r"\tau for the sequence length (write T; \tau is the temperature)",
            r"\\dots,?\s*\\tau\b|_\{?\\tau\b|O\(\\tau\)|\\tau\s*(time\s*)?steps|length\s*\$?\\tau"
            r"|\\tau\s*=\s*\d", "markdown"),
    Retired("n_x, n_h, n_y for sizes (write D, H, K)", r"\bn_\{?[xhy]\}?(?![A-Za-z0-9_])", "both"),
    Retired(r"n_\text{inputs}, n_\text{neurons} (write D, H)",
            r"n_\{?\\text\{(inputs|neurons)\}|\bn_(inputs|neurons)\b", "both"),
    Retired("m for the batch size (write B)",
            r"\$m\s*\\times|\\times\s*m\$|\$m\$\s+(instances|sequences|examples)|"
            r"\ball \$m\$", "markdown"),
    Retired(r"\mathbf{W} without a subscript, for [W_xh W_hh] or for W_hh (write the matrices out)",
            r"\\mathbf\{W\}(?!\s*[_^])", "markdown"),   # W^{(l)}_{xh} is written out
    Retired(r"\mathbf{U}, \mathbf{V} without a subscript (write W_xh, W_hy)",
            r"\\mathbf\{[UV]\}(?!\s*_)", "markdown",   # unit 7's self-attention slide: Q, K, V
            units=("01", "02", "03", "04", "05", "06", "08", "09")),
    Retired("Géron's W_x, W_y (write W_xh^T, W_hh^T)",
            r"\\mathbf\{W\}_\{?[xy]\}?(?![A-Za-z{\\])|\bW_[xy]\b", "both"),   # W_{x\cdot}, W_{x\tilde{h}} are fine
    Retired(r"\mathbf{o}_t for the logits (write \boldsymbol{\ell}_t; o_t is the LSTM output gate)",
            r"\\mathbf\{o\}_\{?(t|\\tau|T|\(t\))|\bo_t\b", "both", units=("01", "02", "03")),
    Retired(r"\mathbf{g}_t for dL/da_t (write \boldsymbol{\delta}_t; g_t is the LSTM candidate)",
            r"\\mathbf\{g\}_\{?t\b", "markdown", units=("01", "02", "03")),
    Retired(r"\sigma_\max for a singular value (write s_\max)",
            r"\\sigma_\{?\\(max|text\{max\})", "markdown"),
    Retired("D for the number of directions (write n_dir; D is the input size)",
            r"\bD\s*=\s*2\b[^.\n]*bidirectional|bidirectional[^.\n]*\bD\s*=\s*2\b|"
            r"\$D\s*(\\times|\\cdot)\s*H\$|\bnum_directions\b", "both"),
    Retired("min-char-rnn's keys Wxh, Whh, Why, bh, by (write W_xh, W_hh, W_hy, b_h, b_y)",
            r"\b(d?Wxh|d?Whh|dWhy)\b|\bWhy\b(?=\s*(@|\.T\b|\[|\)|=))|[\"'](Why|bh|by)[\"']",
            "both"),  # "Why" alone is an English word: only as a name in an expression
]

TRANSLATION = re.compile(r"Géron|Goodfellow")
ADOPTED = sorted(str(p.relative_to(ROOT)) for folder in ("lectures", "solutions")
                 for p in (ROOT / folder).glob("[0-9]*.ipynb"))   # every unit follows it
PENDING: dict[str, str] = {}


def _unit(path: str) -> str:
    return Path(path).name[:2]


def _pending() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for folder in ("lectures", "solutions")
                  for unit in PENDING for p in (ROOT / folder).glob(f"{unit}_*.ipynb"))


def _cases():
    cases = [pytest.param(path, id=path) for path in ADOPTED if path not in _pending()]
    for path in _pending():
        cases.append(pytest.param(path, id=path, marks=pytest.mark.xfail(
            reason=PENDING[_unit(path)], strict=False)))
    return cases


def violations(path: str | Path) -> list[str]:
    """Every line of the notebook at ``path`` (absolute, or relative to the repository) that uses
    a retired symbol, with the rule it breaks."""
    nb = nbformat.read(ROOT / path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        kind = "code" if cell.cell_type == "code" else "markdown"
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if TRANSLATION.search(line):
                continue
            for rule in RETIRED:
                if rule.where not in (kind, "both") or (rule.units and _unit(path) not in rule.units):
                    continue
                match = re.search(rule.pattern, line)
                if match:
                    found.append(f"cell {index} line {number}: {match.group(0)!r} ({rule.name}): "
                                 f"{line.strip()[:100]}")
    return found


@pytest.mark.parametrize("path", _cases())
def test_no_retired_symbols(path):
    assert violations(path) == []


@pytest.mark.parametrize("line, rule", [
    (r"For $t = 1, \dots, \tau$, starting from $\mathbf{h}_0$", r"\tau"),
    (r"$\mathbf{x}_t$: $n_x$ inputs", "n_x"),
    (r"$\mathbf{W}_x$: $n_\text{inputs} \times n_\text{neurons}$", "n_\\text{inputs}"),
    (r"$\mathbf{X}_t$: $m \times n_\text{inputs}$", "m for the batch"),
    (r"$\mathbf{W} = \begin{bmatrix} \mathbf{W}_{xh} & \mathbf{W}_{hh} \end{bmatrix}$", "without a subscript"),
    (r"$\mathbf{U}$: $n_h \times n_x$", r"\mathbf{U}"),
    (r"$\mathbf{Y}_t = \phi(\mathbf{X}_t \mathbf{W}_x + \mathbf{Y}_{t-1} \mathbf{W}_y)$", "Géron's W_x"),
    (r"$\mathbf{o}_t = \mathbf{c} + \mathbf{V}\mathbf{h}_t$", r"\mathbf{o}_t"),
    (r"the gradient $\mathbf{g}_t = \partial L / \partial \mathbf{a}_t$", r"\mathbf{g}_t"),
    (r"the largest singular value $\sigma_{\max}$", r"\sigma_\max"),
    (r"outputs of size $D \times H$ (D = 2 when bidirectional)", "number of directions"),
    ("params = {'Wxh': Wxh, 'Whh': Whh}", "min-char-rnn"),
    ("y = Why @ h + by", "min-char-rnn"),
])
def test_each_pattern_catches_the_use_it_retires(line, rule, tmp_path):
    """Each rule finds the example of its retired use (a test that could fail)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(line),
                                         nbformat.v4.new_code_cell(line)])
    nbformat.write(nb, tmp_path / "01_probe.ipynb")
    found = violations(tmp_path / "01_probe.ipynb")
    assert any(rule in v for v in found), found


@pytest.mark.parametrize("line", [
    r"$\mathbf{h}_t = \phi(\mathbf{W}_{xh}\mathbf{x}_t + \mathbf{W}_{hh}\mathbf{h}_{t-1} + \mathbf{b}_h)$",
    r"sampling with a temperature $\tau$: $\operatorname{softmax}(\boldsymbol{\ell}_t / \tau)$",
    r"$\mathbf{W}_\text{emb}$ and $\mathbf{U}_a$, $\mathbf{W}_a$ of additive attention",
    r"Goodfellow et al. write $\mathbf{U}, \mathbf{W}, \mathbf{V}, \mathbf{o}_t$ for ours",
    "x_t @ W_xh.T + h_prev @ W_hh.T + b_h  # n_dir = 2 if bidirectional else 1",
    "**Why.** This is the algorithm PyTorch's autograd runs for you. Why does it work?",
])
def test_the_notation_itself_passes(line, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(line),
                                         nbformat.v4.new_code_cell(line)])
    nbformat.write(nb, tmp_path / "01_probe.ipynb")
    assert violations(tmp_path / "01_probe.ipynb") == []


# --------------------------------------------------------------------------- reserved indices
# NOTATION.md, "Indices": j, k, m and p each name one quantity of the course. A formula may use
# one of them freely only in the units where that quantity lives; anywhere else it must be a
# bound index of the formula it sits in ("Local letters": \sum_k, \prod_{k=t+1}^{T},
# \max_k, \arg\max_k, \operatorname{softmax}_j), or part of another symbol (d_k, the key size;
# bold \mathbf{k}_j, \mathbf{p}_i are other symbols).
@dataclass(frozen=True)
class ReservedIndex:
    meaning: str                  # what NOTATION.md reserves the letter for
    units: tuple[str, ...]        # the units where that quantity appears
    instead: str                  # what to write for the other meanings found so far


RESERVED_INDICES = {
    "j": ReservedIndex("the source position (attention)", ("06", "07"),
                       "an index NOTATION.md does not reserve (unit i: \\mathbf{h}_t[i])"),
    "k": ReservedIndex("the truncation length of truncated BPTT", ("02",),
                       "t - s for the steps from s to t; kernel_size for a convolution"),
    "m": ReservedIndex("the forecast horizon", ("05",), "a word, or another letter"),
    "p": ReservedIndex("the order of an autoregressive model", ("01", "05"),
                       "P(c) for a probability; padding for a convolution"),
}
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
OTHER_SYMBOL = re.compile(r"\\(mathbf|boldsymbol|text|operatorname|mathrm|texttt)\s*\{[^{}]*\}|\bd_[kv]\b")
BINDER = re.compile(r"\\(?:sum|prod|max|min|argmax|arg\s*\\max|operatorname\{softmax\})\s*_\s*\{?\s*([a-z])")


def free_index_uses(path: str | Path) -> list[str]:
    """Each formula in a markdown cell of the notebook at ``path`` that uses a reserved index
    letter freely outside the units where NOTATION.md gives it its meaning."""
    nb = nbformat.read(ROOT / path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or TRANSLATION.search(cell.source):
            continue
        for match in MATH.finditer(INLINE_CODE.sub("", cell.source)):
            formula = match.group(1) or match.group(2)
            bound = set(BINDER.findall(formula))
            bare = re.sub(r"\\[A-Za-z]+", " ", OTHER_SYMBOL.sub(" ", formula))
            bare = re.sub(r"[_^]\{([A-Za-z]+)\}", lambda m: " ".join(m.group(1)), bare)  # e_{tj}
            for letter in sorted(set(re.findall(r"(?<![A-Za-z])([jkmp])(?![A-Za-z])", bare))):
                rule = RESERVED_INDICES[letter]
                if letter in bound or _unit(str(path)) in rule.units:
                    continue
                found.append(f"{path} cell {index}: ${' '.join(formula.split())}$ "
                             f"uses {letter}, which NOTATION.md reserves for {rule.meaning} "
                             f"(units {', '.join(rule.units)}); write {rule.instead}")
    return found


@pytest.mark.parametrize("path", _cases())
def test_reserved_indices_keep_their_meaning(path):
    assert free_index_uses(path) == []


def _probe(tmp_path: Path, text: str, unit: str = "08") -> Path:
    """A notebook of unit ``unit`` with one markdown cell, ``text``."""
    path = tmp_path / f"{unit}_probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)]), path)
    return path


@pytest.mark.parametrize("text, letter", [
    (r"A gradient through $k$ steps is multiplied by the decays", "k"),
    (r"$|\lambda|^k$ is what survives", "k"),
    (r"$\lambda_j = \exp(-\exp(\nu_j) + i\exp(\theta_j))$", "j"),
    (r"Each unit's state $h_t[j] \in [-1, 1]$", "j"),
    (r"turns $L$ steps into $\lfloor (L + 2p - k)/s \rfloor + 1$", "p"),
    (r"a source of $n = 5$ ids, target its first $k = 2$", "k"),
    (r"a marker $m_t$ that is 1 at two steps", "m"),
    (r"gives probability $p(c)$ to the character $c$", "p"),
    (r"a score $e_{tj}$ outside attention", "j"),
])
def test_free_reserved_index_is_caught(text, letter, tmp_path):
    found = free_index_uses(_probe(tmp_path, text))
    assert any("08_probe.ipynb cell 0: $" in f and f"uses {letter}," in f
               for f in found), found


@pytest.mark.parametrize("text", [
    r"$\partial \mathbf{c}_T / \partial \mathbf{c}_t = \prod_{k=t+1}^{T} \operatorname{diag}(\mathbf{f}_k)$",
    r"a softmax's denominator $\sum_{k=1}^{S}\exp(e_{tk})$",
    r"$\hat{y}_t = \arg\max_k \hat{\mathbf{y}}_t[k]$",
    r"$\operatorname{softmax}(\mathbf{Q}\mathbf{K}^\top/\sqrt{d_k})\mathbf{V}$",
    r"peepholes $\mathbf{p}_i, \mathbf{p}_f, \mathbf{p}_o$ and the key $\mathbf{k}_t$",
    r"`AR(p)` in code, and $\mathbf{h}_t[i]$ for unit $i$",
])
def test_bound_or_other_symbols_pass(text, tmp_path):
    assert free_index_uses(_probe(tmp_path, text)) == []


def test_reserved_index_allowed_in_its_own_unit(tmp_path):
    text = r"truncated BPTT in chunks of $k$ steps; the AR order $p$"
    found = free_index_uses(_probe(tmp_path, text, unit="02"))
    assert [f.split("uses ")[1][0] for f in found] == ["p"]
