"""Bad-input tables (issue 16): every public function of a module is called with a wrong type,
a wrong shape and an empty input, and each call must raise a message naming the argument and
the value it expects.

A test module lists ``BAD_INPUT = [(function name, kind, call, error, regex), ...]`` with
kinds from :data:`KINDS` (and "value" for other bad values), plus ``NOT_APPLICABLE``: the
(function, kind) pairs that do not apply, each with its reason in a comment.
"""
from __future__ import annotations

import inspect
from types import ModuleType

KINDS = ("type", "shape", "empty")


def public_functions(module: ModuleType) -> list[str]:
    """The public functions defined in ``module`` (not imported into it)."""
    return sorted(name for name, obj in inspect.getmembers(module, inspect.isfunction)
                  if not name.startswith("_") and obj.__module__ == module.__name__)


def untried(module: ModuleType, table, not_applicable) -> list[tuple[str, str]]:
    """(function, kind) pairs of ``module`` that neither ``table`` nor ``not_applicable`` covers."""
    tried = {(name, kind) for name, kind, *_ in table} | set(not_applicable)
    return [(name, kind) for name in public_functions(module) for kind in KINDS
            if (name, kind) not in tried]


def ids(table) -> list[str]:
    return [f"{name}-{kind}-{i}" for i, (name, kind, *_) in enumerate(table)]
