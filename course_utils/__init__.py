"""course_utils: the small library behind the RNN course's lectures and labs.

Top level: reproducibility, device choice and the training loop. Everything else lives in
one module per topic, imported as ``from course_utils.ecg import generate_ecg``:

- ``binary``: 8-bit binary addition data (lab 01)
- ``numpy_rnn``: a reference RNN in NumPy with BPTT by hand (lab 01)
- ``ecg``: synthetic ECG records with labelled waves (lecture 01, the capstone)
- ``text``, ``char_rnn``, ``gradients``: corpora, the char-level model, gradient tools (unit 2)
- ``sequences``, ``mnist1d_data``: padding, packing, metrics, MNIST-1D (unit 3)
- ``cells``, ``memory_tasks``, ``gates_plot``: LSTM/GRU cells, long-range tasks (unit 4)
- ``series``: time series, windows, scaling and baselines (unit 5)
- ``seq2seq``: vocabularies, echo and addition data, the encoder-decoder (unit 6)
- ``capstone``: ECG records, per-beat decisions and metrics (lab 09)
- ``plotting``, ``widgets``: lecture figures and interactive widgets
- ``checks``: one module of exercise checks per lab
- ``results``: ``record_result``, the headline numbers a lab reports to ``make bench``
"""
from __future__ import annotations

from course_utils._feedback import CheckFailed
from course_utils.device import get_device, seed_everything
from course_utils.training import History, batches, count_parameters, fit

__version__ = "0.1.0"
__all__ = ["CheckFailed", "History", "batches", "count_parameters", "fit", "get_device",
           "seed_everything", "__version__"]
