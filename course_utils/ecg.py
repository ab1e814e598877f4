"""Synthetic electrocardiograms with labelled beats, and two ways to read their QRS width.

A beat is a sum of five Gaussian bumps, one per wave: P (atria depolarise), Q, R and S
(the QRS complex: the ventricles depolarise) and T (the ventricles repolarise). Amplitudes
are in millivolts, times in seconds, as on a lead-II recording.

The geometry of the QRS complex is fixed relative to its duration ``d``: the Q trough lies
0.35 d before the R peak, the S trough 0.35 d after it, and both have a width (standard
deviation) of 0.075 d. The complex starts two Q widths before the Q trough and ends two S
widths after the S trough, so it lasts exactly ``d``, and the distance from the Q trough to
the S trough is ``QS_FRACTION * d`` = 0.7 d. A reader that finds Q and S therefore measures
the QRS duration as (S - Q) / 0.7.

Two readers measure that width from the signal alone:

* :func:`fixed_window_reader` cuts the record into windows of a fixed length and measures the
  QRS inside each window; it is right only when one complete beat sits in each window.
* :func:`sequential_reader` reads the samples in order, remembers the last trough (Q), spots
  the R peak, waits for the next trough (S) and counts the distance. It assumes no window and
  no heart rate; on lecture 01's records it measures every beat from 60 to 150 bpm.

Both are hand-written rules, not trained models; lab 09 compares trained ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Optional, Union

import numpy as np

WAVES: tuple[str, ...] = ("P", "Q", "R", "S", "T")
#: The range (s) from which the course draws the QRS duration of normal beats (lab 09's
#: generator, ``capstone.make_records``). A design choice, not a clinical reference range: it
#: stays below the 0.11 s above which Surawicz et al. (2009, AHA/ACCF/HRS recommendations,
#: part III) call an adult's QRS abnormal, and leaves a gap of 0.02 s to WIDE_QRS, so a
#: normal beat and a widened one never have the same width.
NORMAL_QRS: tuple[float, float] = (0.06, 0.10)
#: A QRS at least this long (s) counts as widened: 120 ms or more is one criterion of
#: complete bundle branch block in adults (Surawicz et al. 2009, J. Am. Coll. Cardiol.
#: 53(11):976-981, doi:10.1016/j.jacc.2008.12.013, which calls 0.11-0.119 s incomplete block).
WIDE_QRS: float = 0.12
#: The Q trough to S trough distance as a fraction of the QRS duration in this generator.
QS_FRACTION: float = 0.7

NORMAL, WIDENED = 0, 1
BEAT_CLASSES: tuple[str, ...] = ("normal", "widened")

# Wave amplitudes (mV) of a typical lead-II beat.
_AMPLITUDE = {"P": 0.15, "Q": -0.10, "R": 1.20, "S": -0.25, "T": 0.30}
_Q_OFFSET, _QRS_SIGMA, _R_SIGMA = 0.35, 0.075, 0.10   # as fractions of the QRS duration
_P_SIGMA, _PR_INTERVAL = 0.02, 0.16                    # s; PR = P onset to QRS onset
_QT_C, _T_SIGMA = 0.40, 0.05                           # Bazett: QT = 0.40 s * sqrt(RR / 1 s)


@dataclass(frozen=True, eq=False)
class ECGRecord:
    """A generated ECG and its labels.

    ``signal`` and ``time`` have one entry per sample. Per-beat arrays (``waves[name]``,
    ``qrs_onset``, ``qrs_offset``, ``qrs_duration``, ``beat_class``, ``rr``) have one entry per
    beat that lies completely inside the record (P onset to T end), in time order. Wave
    positions are sample indices of each wave's peak or trough (-1 for a wave the beat does
    not have: the P wave of a premature ventricular complex). ``qrs_spans`` has one row
    (onset, offset, class) per QRS complex that overlaps the record, complete beats or not,
    clipped to the record: the per-sample labels come from it, so a QRS near either end of
    the record is labelled as what it is.
    """

    signal: np.ndarray
    time: np.ndarray
    sampling_rate: float
    heart_rate: float
    waves: dict[str, np.ndarray]
    qrs_onset: np.ndarray
    qrs_offset: np.ndarray
    qrs_duration: np.ndarray
    beat_class: np.ndarray
    rr: np.ndarray
    params: dict = field(default_factory=dict)
    qrs_spans: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))

    @property
    def n_beats(self) -> int:
        """Number of labelled beats."""
        return int(len(self.qrs_duration))

    @property
    def duration(self) -> float:
        """Length of the record in seconds."""
        return len(self.signal) / self.sampling_rate

    def wave_times(self, wave: str) -> np.ndarray:
        """Times (s) of one wave ("P", "Q", "R", "S" or "T") in every labelled beat; NaN for a
        beat without that wave."""
        if wave not in self.waves:
            raise ValueError(f"wave must be one of {WAVES}, got {wave!r}.")
        index = self.waves[wave]
        return np.where(index >= 0, self.time[np.clip(index, 0, None)], np.nan)

    def sample_labels(self) -> np.ndarray:
        """One integer per sample (T,): 0 outside any QRS, 1 inside a normal QRS, 2 inside a
        widened one, for every QRS in the record, including those of beats that the record's
        ends cut (``qrs_spans``)."""
        labels = np.zeros(len(self.signal), dtype=np.int64)
        for on, off, cls in self.qrs_spans:
            labels[on:off + 1] = 1 + int(cls)
        return labels


@dataclass(frozen=True, eq=False)
class QRSReading:
    """What a reader found: one entry per QRS complex it measured.

    ``q``, ``r``, ``s`` are sample indices; ``qrs_duration`` is (s - q) / sampling_rate /
    QS_FRACTION in seconds. ``windows`` holds the (start, stop) sample of every window a
    fixed-window reader looked at (``None`` for the sequential reader).
    """

    q: np.ndarray
    r: np.ndarray
    s: np.ndarray
    qrs_duration: np.ndarray
    sampling_rate: float
    method: str
    windows: Optional[np.ndarray] = None

    @property
    def beat_class(self) -> np.ndarray:
        """0 (normal) or 1 (widened) for every measured complex."""
        return (self.qrs_duration >= WIDE_QRS - 1e-9).astype(np.int64)

    def __len__(self) -> int:
        return int(len(self.r))


@dataclass(frozen=True)
class ReadingScore:
    """How a reading compares with a record's labels.

    ``found``: beats whose R peak the reader located; ``right``: found beats whose measured
    QRS duration is within the tolerance of the true one; ``class_right``: found beats put in
    the right class (normal or widened); ``extra``: measurements that match no beat.
    """

    n_beats: int
    found: int
    right: int
    class_right: int
    extra: int

    def __str__(self) -> str:
        return f"{self.right}/{self.n_beats} beats measured right"


# --------------------------------------------------------------------------- checks
def _number(name: str, value, *, low: float | None = None, high: float | None = None,
            low_open: bool = False, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (low_open and value == low)):
        bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
        raise ValueError(f"{name} must be {bound}{unit}, got {value:g}{unit}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high:g}{unit}, got {value:g}{unit}.")
    return value


def beat_class_of(qrs_duration: float) -> int:
    """Class of a beat from its QRS duration in seconds: 0 normal, 1 widened (>= 0.12 s)."""
    d = _number("qrs_duration", qrs_duration, low=0.0, low_open=True, unit=" s")
    return WIDENED if d >= WIDE_QRS - 1e-9 else NORMAL


def _beat_waves(t_r: float, d: float, rr: float) -> dict[str, tuple[float, float]]:
    """Centre (s) and width (s) of each wave of a beat whose R peak is at ``t_r``."""
    qt = _QT_C * math.sqrt(rr)
    onset = t_r - d / 2
    t_sigma = _T_SIGMA * math.sqrt(rr)
    return {
        "P": (onset - _PR_INTERVAL + 2 * _P_SIGMA, _P_SIGMA),
        "Q": (t_r - _Q_OFFSET * d, _QRS_SIGMA * d),
        "R": (t_r, _R_SIGMA * d),
        "S": (t_r + _Q_OFFSET * d, _QRS_SIGMA * d),
        "T": (onset + qt - 2 * t_sigma, t_sigma),
    }


# --------------------------------------------------------------------------- generator
#: How widened beats arise (``generate_ecg(wide_beats=...)``).
WIDE_BEATS: tuple[str, ...] = ("random", "pvc")
_PVC_COUPLING = (0.55, 0.75)     # a PVC comes this fraction of an RR interval after the last beat
_PVC_T_AMPLITUDE, _PVC_T_WIDTH = -0.35, 1.5   # discordant T (mV), and its width relative to normal


def _pvc_waves(t_r: float, d: float, rr: float) -> dict[str, tuple[float, float]]:
    """Waves of a premature ventricular complex: no P wave, a wide QRS, a broad discordant T."""
    waves = _beat_waves(t_r, d, rr)
    del waves["P"]
    centre, sigma = waves["T"]
    waves["T"] = (centre + (_PVC_T_WIDTH - 1) * 2 * sigma, _PVC_T_WIDTH * sigma)
    return waves


def generate_ecg(duration: float = 10.0, heart_rate: float = 60.0, qrs_duration: float = 0.08,
                 sampling_rate: float = 250.0, *, hr_variability: float = 0.0,
                 qrs_variability: float = 0.0, wide_fraction: float = 0.0,
                 wide_qrs_duration: float = 0.14, wide_beats: str = "random",
                 baseline_wander: float = 0.0, noise: float = 0.0, first_r: float | None = None,
                 seed: int = 0) -> ECGRecord:
    """Generate a synthetic ECG with labelled beats.

    What it models: a sinus rhythm (P wave, QRS complex, T wave, each a Gaussian bump with a
    typical lead-II amplitude), beat-to-beat variability of the RR interval and of the wave
    amplitudes, a QT interval that shortens with the rate (Bazett's formula), breathing
    baseline wander and white measurement noise. What it does not model: real QRS shapes
    (notched rsR' complexes, axis), ST changes, other arrhythmias, electrode artefacts.

    Widened beats come in one of two ways (``wide_beats``):

    * ``"random"`` (the default, a simplification): each beat is widened independently with
      probability ``wide_fraction`` and keeps its P wave, its timing and its T wave. It
      isolates one cue, the QRS width. Real widened beats come otherwise: a bundle branch
      block is usually persistent, widening every beat (``wide_fraction=1``; its discordant
      T wave is not modelled), though intermittent, rate-dependent block also exists
      (Surawicz et al. 2009: conduction changes "may be fixed and present at all heart rates,
      or they may be intermittent"); a premature ventricular beat looks different (next
      option). Every wave of the QRS scales with its duration ``d`` (R standard deviation
      0.10 d, Q and S troughs 0.35 d from R), so a few samples around R tell the classes
      apart; real QRS shapes (notches, a second R peak, slurred waves) do not scale this way.
      The P wave's centre lies d / 2 + 0.12 s before R, so the P-R distance depends on the
      class too.
    * ``"pvc"``: each sinus beat is replaced, with probability ``wide_fraction``, by a
      premature ventricular complex (PVC): it comes early (0.55-0.75 of an RR interval after
      the previous beat), has no P wave, a QRS of ``wide_qrs_duration`` and a broad T wave
      of opposite polarity; the next sinus beat keeps its schedule (a full compensatory
      pause), and a PVC never follows a PVC. Its ``waves["P"]`` entry is -1. Early, no P wave,
      a T wave opposite to the main QRS deflection: Medscape Reference, "Premature
      Ventricular Contraction", https://emedicine.medscape.com/article/761148-overview; the
      compensatory pause, and interpolated PVCs that fall between two sinus beats with no
      pause: ACLS Certification Institute, "Ventricular rhythms: premature ventricular
      complexes" (aclscertification.org). Not modelled: interpolated PVCs, varied PVC shapes.

    Args:
        duration: length of the record in seconds (> 0).
        heart_rate: mean heart rate in beats per minute, 20 to 300.
        qrs_duration: QRS duration of a beat in seconds (the course draws normal beats
            from NORMAL_QRS, 0.06-0.10); it must be shorter than half a beat
            (30 / heart_rate seconds).
        sampling_rate: samples per second; it must give at least 5 samples per QRS.
        hr_variability: standard deviation of the RR interval as a fraction of its mean,
            0 to 0.3; wave amplitudes vary by the same relative amount.
        qrs_variability: standard deviation (s) of the QRS duration from beat to beat.
        wide_fraction: probability, 0 to 1, that a beat is widened (see ``wide_beats``).
        wide_qrs_duration: QRS duration (s) of the widened beats (>= 0.12 counts as widened).
        wide_beats: "random" or "pvc", how widened beats arise (above).
        baseline_wander: amplitude (mV) of the slow baseline drift from breathing.
        noise: standard deviation (mV) of white measurement noise.
        first_r: time (s) of the first R peak; by default half a mean beat.
        seed: seed of the random generator: the same seed gives the same record.

    Returns:
        An :class:`ECGRecord` with the signal in mV, the time axis in s and the labels.

    Raises:
        TypeError: an argument of the wrong type (named in the message).
        ValueError: an argument out of its range, or a QRS that does not fit in a beat or is
            sampled by fewer than 5 samples.
    """
    duration = _number("duration", duration, low=0.0, low_open=True, unit=" s")
    heart_rate = _number("heart_rate", heart_rate, low=20.0, high=300.0, unit=" bpm")
    qrs_duration = _number("qrs_duration", qrs_duration, low=0.0, low_open=True, unit=" s")
    sampling_rate = _number("sampling_rate", sampling_rate, low=0.0, low_open=True, unit=" Hz")
    hr_variability = _number("hr_variability", hr_variability, low=0.0, high=0.3)
    qrs_variability = _number("qrs_variability", qrs_variability, low=0.0, unit=" s")
    wide_fraction = _number("wide_fraction", wide_fraction, low=0.0, high=1.0)
    wide_qrs_duration = _number("wide_qrs_duration", wide_qrs_duration, low=0.0,
                                low_open=True, unit=" s")
    if not isinstance(wide_beats, str):
        raise TypeError(f"wide_beats must be one of {WIDE_BEATS}, got {type(wide_beats).__name__} "
                        f"{wide_beats!r}.")
    if wide_beats not in WIDE_BEATS:
        raise ValueError(f"wide_beats must be one of {WIDE_BEATS}, got {wide_beats!r}.")
    baseline_wander = _number("baseline_wander", baseline_wander, low=0.0, unit=" mV")
    noise = _number("noise", noise, low=0.0, unit=" mV")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a non-negative integer, got {type(seed).__name__} "
                        f"{seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")

    rr_mean = 60.0 / heart_rate
    for name, d in (("qrs_duration", qrs_duration), ("wide_qrs_duration", wide_qrs_duration)):
        if name == "wide_qrs_duration" and wide_fraction == 0:
            continue
        limit = rr_mean / 2 * (_PVC_COUPLING[0] if wide_beats == "pvc" else 1.0)
        if d >= limit:
            raise ValueError(
                f"{name}={d:g} s does not fit in a beat of {rr_mean:.3g} s at "
                f"heart_rate={heart_rate:g} bpm: it must be shorter than "
                f"{'half the shortest PVC coupling interval' if limit < rr_mean / 2 else 'half the beat'}"
                f" ({limit:.3g} s).")
        if d * sampling_rate < 5:
            raise ValueError(
                f"sampling_rate={sampling_rate:g} Hz gives {d * sampling_rate:.1f} samples per "
                f"QRS of {d:g} s; raise sampling_rate to at least {math.ceil(5 / d)} Hz.")
    if first_r is None:
        first_r = rr_mean / 2
        if first_r > duration:
            raise ValueError(f"duration={duration:g} s is shorter than half a beat "
                             f"({first_r:.3g} s at {heart_rate:g} bpm), where the first R peak "
                             "falls by default: give a longer duration, or first_r.")
    first_r = _number("first_r", first_r, low=0.0, high=duration, unit=" s")

    rng = np.random.default_rng(int(seed))
    n = int(round(duration * sampling_rate))
    time = np.arange(n) / sampling_rate

    # R peaks of the sinus rhythm from about one beat before the record to one beat after it.
    def next_rr() -> float:
        return rr_mean * (1.0 + hr_variability * float(np.clip(rng.standard_normal(), -2.5, 2.5)))

    forward = [first_r]
    while forward[-1] < duration + rr_mean:
        forward.append(forward[-1] + next_rr())
    backward = [first_r]
    while backward[-1] > -rr_mean:
        backward.append(backward[-1] - next_rr())
    r_times = backward[:0:-1] + forward

    signal = np.zeros(n)
    labels = {w: [] for w in WAVES}
    onsets, offsets, durations, rr_kept, spans = [], [], [], [], []
    previous, previous_pvc = None, False
    for t_r in r_times:
        widened = wide_fraction > 0 and rng.random() < wide_fraction
        pvc = wide_beats == "pvc" and widened and previous is not None and not previous_pvc
        if wide_beats == "pvc" and not pvc:
            widened = False                 # a PVC needs a sinus beat before it
        if pvc:
            t_r = previous + rng.uniform(*_PVC_COUPLING) * (t_r - previous)
        rr = rr_mean if previous is None else t_r - previous
        d = wide_qrs_duration if widened else qrs_duration
        if qrs_variability > 0:
            d = float(np.clip(d + qrs_variability * rng.standard_normal(), 0.5 * d, 1.5 * d))
            d = min(d, 0.49 * rr_mean)
        gains = 1.0 + hr_variability * np.clip(rng.standard_normal(len(WAVES)), -2.5, 2.5)
        if pvc:
            waves = _pvc_waves(t_r, d, rr_mean)
        else:
            waves = _beat_waves(t_r, d, min(rr, 1.6 * rr_mean))
        for name, gain in zip(WAVES, gains):
            if name not in waves:
                continue
            centre, sigma = waves[name]
            amplitude = _PVC_T_AMPLITUDE if pvc and name == "T" else _AMPLITUDE[name]
            lo = max(int((centre - 5 * sigma) * sampling_rate), 0)
            hi = min(int((centre + 5 * sigma) * sampling_rate) + 2, n)
            if hi > lo:
                tt = time[lo:hi]
                signal[lo:hi] += gain * amplitude * np.exp(-0.5 * ((tt - centre) / sigma) ** 2)
        on = int(round((t_r - d / 2) * sampling_rate))
        off = int(round((t_r + d / 2) * sampling_rate))
        if off >= 0 and on <= n - 1:        # every QRS in the record is labelled per sample
            spans.append((max(on, 0), min(off, n - 1), int(d >= WIDE_QRS - 1e-9)))
        start = min(c - 2 * s for c, s in waves.values())
        end = max(c + 2 * s for c, s in waves.values())
        if start >= 0 and end < duration:   # per-beat labels: beats wholly inside the record
            for name in WAVES:
                labels[name].append(int(round(waves[name][0] * sampling_rate))
                                    if name in waves else -1)
            onsets.append(on)
            offsets.append(off)
            durations.append(d)
            rr_kept.append(rr)
        previous, previous_pvc = t_r, pvc

    if baseline_wander > 0:
        for freq, share in ((0.25, 0.7), (0.07, 0.3)):      # breathing and a slower drift
            phase = rng.uniform(0, 2 * np.pi)
            signal += baseline_wander * share * np.sin(2 * np.pi * freq * time + phase)
    if noise > 0:
        signal += noise * rng.standard_normal(n)

    qrs = np.asarray(durations, dtype=float)
    return ECGRecord(
        signal=signal, time=time, sampling_rate=sampling_rate, heart_rate=heart_rate,
        waves={w: np.asarray(labels[w], dtype=np.int64) for w in WAVES},
        qrs_onset=np.asarray(onsets, dtype=np.int64),
        qrs_offset=np.asarray(offsets, dtype=np.int64),
        qrs_duration=qrs,
        beat_class=(qrs >= WIDE_QRS - 1e-9).astype(np.int64),
        rr=np.asarray(rr_kept, dtype=float),
        params=dict(duration=duration, heart_rate=heart_rate, qrs_duration=qrs_duration,
                    sampling_rate=sampling_rate, hr_variability=hr_variability,
                    qrs_variability=qrs_variability, wide_fraction=wide_fraction,
                    wide_qrs_duration=wide_qrs_duration, wide_beats=wide_beats,
                    baseline_wander=baseline_wander, noise=noise, first_r=first_r,
                    seed=int(seed)),
        qrs_spans=np.asarray(spans, dtype=np.int64).reshape(-1, 3),
    )


# --------------------------------------------------------------------------- readers
def _signal_and_rate(record: Union[ECGRecord, np.ndarray], sampling_rate: float | None
                     ) -> tuple[np.ndarray, float]:
    if isinstance(record, ECGRecord):
        if sampling_rate is not None and _number(
                "sampling_rate", sampling_rate, low=0.0, low_open=True, unit=" Hz"
        ) != record.sampling_rate:
            raise ValueError(f"sampling_rate={sampling_rate!r} disagrees with the record's "
                             f"{record.sampling_rate:g} Hz; leave it out for a record.")
        return record.signal, record.sampling_rate
    if not isinstance(record, (np.ndarray, list, tuple)):
        raise TypeError(f"record must be an ECGRecord or a 1-D array, got {type(record).__name__}.")
    try:
        x = np.asarray(record, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("record must hold numbers (the signal in mV).") from None
    if x.ndim != 1:
        raise ValueError(f"record must be 1-D, got an array of shape {x.shape}.")
    if len(x) < 3:
        raise ValueError(f"record must hold at least 3 samples, got {len(x)}.")
    if not np.isfinite(x).all():
        raise ValueError("record must be finite: it holds NaN or infinite values.")
    if sampling_rate is None:
        raise ValueError("sampling_rate is needed (in Hz) when record is a plain array.")
    return x, _number("sampling_rate", sampling_rate, low=0.0, low_open=True, unit=" Hz")


def _reading(q, r, s, fs, method, windows=None) -> QRSReading:
    q, r, s = (np.asarray(v, dtype=np.int64) for v in (q, r, s))
    return QRSReading(q=q, r=r, s=s, qrs_duration=(s - q) / fs / QS_FRACTION,
                      sampling_rate=fs, method=method, windows=windows)


def sequential_reader(record: Union[ECGRecord, np.ndarray], sampling_rate: float | None = None,
                      *, r_rise: float = 0.8, hysteresis: float = 0.1) -> QRSReading:
    """Read the ECG one sample at a time and measure every QRS complex.

    The reader keeps a few numbers of state and nothing else: whether the signal is
    rising or falling, the extreme value since it last turned, the position of the last
    trough (a Q candidate) and, once an R peak has been seen, that Q and R. A turn counts
    only when the signal moves back by more than ``hysteresis`` mV, which ignores small
    noise. A peak that rises ``r_rise`` mV above the last trough is an R; that trough was
    Q; the next trough is S; the QRS duration is (S - Q) / sampling_rate / QS_FRACTION.
    Nothing depends on the heart rate or on a window length.

    Args:
        record: an :class:`ECGRecord`, or a 1-D array of millivolts with ``sampling_rate``.
        sampling_rate: samples per second, only for a plain array.
        r_rise: rise (mV) from the last trough that makes a peak an R peak.
        hysteresis: reversal (mV) that confirms a peak or a trough.
    """
    x, fs = _signal_and_rate(record, sampling_rate)
    r_rise = _number("r_rise", r_rise, low=0.0, low_open=True, unit=" mV")
    hysteresis = _number("hysteresis", hysteresis, low=0.0, low_open=True, unit=" mV")
    qs, rs, ss = [], [], []
    rising = True
    ext_i, ext_v = 0, x[0] if len(x) else 0.0
    last_trough: tuple[int, float] | None = None
    pending: tuple[int, int] | None = None          # (Q, R) waiting for its S
    for i in range(1, len(x)):
        v = x[i]
        if rising:
            if v > ext_v:
                ext_i, ext_v = i, v
            elif v < ext_v - hysteresis:            # a peak is confirmed
                if last_trough is not None and ext_v - last_trough[1] >= r_rise:
                    pending = (last_trough[0], ext_i)
                rising, ext_i, ext_v = False, i, v
        else:
            if v < ext_v:
                ext_i, ext_v = i, v
            elif v > ext_v + hysteresis:            # a trough is confirmed
                if pending is not None:
                    qs.append(pending[0])
                    rs.append(pending[1])
                    ss.append(ext_i)
                    pending = None
                last_trough = (ext_i, ext_v)
                rising, ext_i, ext_v = True, i, v
    return _reading(qs, rs, ss, fs, "sequential reader")


def fixed_window_reader(record: Union[ECGRecord, np.ndarray], window: float,
                        sampling_rate: float | None = None, *, start: float = 0.0,
                        r_rise: float = 0.8) -> QRSReading:
    """Measure the QRS width inside fixed, non-overlapping windows of ``window`` seconds.

    This is how a model fed fixed, non-overlapping slices sees a record (a conv net does so
    only if its stride equals its receptive field; one that slides by a sample sees every
    position, see lecture 01's sliding reader). In each window
    it takes the highest sample as R (if it stands ``r_rise`` mV above the window's lowest),
    the lowest sample before R inside the window as Q and the lowest after R as S. That is
    right only when exactly one whole beat sits in the window: a window shorter than the
    QRS or one that cuts a beat sees part of it; a window longer than a beat mixes beats,
    so a fast heart rate breaks a window sized for a slow one.

    Args:
        record: an :class:`ECGRecord`, or a 1-D array of millivolts with ``sampling_rate``.
        window: window length in seconds.
        sampling_rate: samples per second, only for a plain array.
        start: time (s) where the first window starts.
        r_rise: height (mV) above the window's lowest sample that makes its peak an R.
    """
    x, fs = _signal_and_rate(record, sampling_rate)
    window = _number("window", window, low=0.0, low_open=True, unit=" s")
    start = _number("start", start, low=0.0, unit=" s")
    r_rise = _number("r_rise", r_rise, low=0.0, low_open=True, unit=" mV")
    width = int(round(window * fs))
    if width < 3:
        raise ValueError(f"window={window:g} s is {width} samples at {fs:g} Hz; it needs at "
                         "least 3 samples.")
    qs, rs, ss, windows = [], [], [], []
    for a in range(int(round(start * fs)), len(x), width):
        seg = x[a:a + width]
        windows.append((a, a + len(seg)))
        if len(seg) < 3:
            continue
        r = int(np.argmax(seg))
        if seg[r] - seg.min() < r_rise:
            continue
        q = int(np.argmin(seg[:r])) if r > 0 else 0
        s = r + 1 + int(np.argmin(seg[r + 1:])) if r < len(seg) - 1 else r
        qs.append(a + q)
        rs.append(a + r)
        ss.append(a + s)
    return _reading(qs, rs, ss, fs, f"fixed window of {window:g} s",
                    windows=np.asarray(windows, dtype=np.int64).reshape(-1, 2))


def score_reading(record: ECGRecord, reading: QRSReading, tolerance: float = 0.02) -> ReadingScore:
    """Compare a reading with the record's labelled beats.

    A beat is found when a measured R lies within a quarter of its QRS duration of the
    labelled R; it is measured right when the measured QRS duration is within ``tolerance``
    seconds of the labelled one.
    """
    if not isinstance(record, ECGRecord):
        raise TypeError(f"record must be an ECGRecord, got {type(record).__name__}.")
    if not isinstance(reading, QRSReading):
        raise TypeError(f"reading must be a QRSReading, got {type(reading).__name__}.")
    if reading.sampling_rate != record.sampling_rate:
        raise ValueError(f"reading was measured at {reading.sampling_rate:g} Hz, but record is "
                         f"sampled at {record.sampling_rate:g} Hz: score a reading of this "
                         "record.")
    tolerance = _number("tolerance", tolerance, low=0.0, low_open=True, unit=" s")
    matched = np.zeros(len(reading), dtype=bool)
    found = right = class_right = 0
    for r_true, d_true, cls in zip(record.waves["R"], record.qrs_duration, record.beat_class):
        if len(reading) == 0:
            break
        j = int(np.argmin(np.abs(reading.r - r_true)))
        if abs(reading.r[j] - r_true) > max(1, 0.25 * d_true * record.sampling_rate):
            continue
        matched[j] = True
        found += 1
        right += int(abs(reading.qrs_duration[j] - d_true) <= tolerance)
        class_right += int(reading.beat_class[j] == cls)
    labelled = (reading.r >= record.qrs_onset.min()) & (reading.r <= record.qrs_offset.max()) \
        if record.n_beats else np.zeros(len(reading), dtype=bool)
    return ReadingScore(n_beats=record.n_beats, found=found, right=right,
                        class_right=class_right, extra=int(np.sum(labelled & ~matched)))
