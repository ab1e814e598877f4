"""Reproducibility and device selection."""
from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int = 0) -> None:
    """Seed Python's, NumPy's and (if installed) PyTorch's random generators."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be a non-negative integer, got {type(seed).__name__} {seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)


def get_device(prefer: str = "auto"):
    """Return the torch device to use: CUDA when present and allowed, else the CPU.

    ``prefer`` is "auto" (CUDA if available), "cpu" or "cuda". The environment variable
    ``COURSE_DEVICE`` overrides "auto", so a whole run can be pinned to one device.
    """
    import torch

    if not isinstance(prefer, str):
        raise TypeError(f"prefer must be 'auto', 'cpu' or 'cuda', got {type(prefer).__name__} {prefer!r}.")
    if prefer not in ("auto", "cpu", "cuda"):
        raise ValueError(f"prefer must be 'auto', 'cpu' or 'cuda', got {prefer!r}.")
    if prefer == "auto":
        prefer = os.environ.get("COURSE_DEVICE", "auto") or "auto"
        if prefer not in ("auto", "cpu", "cuda"):
            raise ValueError(f"the environment variable COURSE_DEVICE must be 'auto', 'cpu' or "
                             f"'cuda', got {prefer!r}.")
    if prefer == "cuda" and not torch.cuda.is_available():
        raise ValueError("prefer='cuda' but no CUDA device is available; use 'auto' or 'cpu'.")
    if prefer == "cpu" or (prefer == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    return torch.device("cuda")
