"""The waves data set: labelled sine / sawtooth (optionally square, triangle) sequences, and their measured properties.

Every sequence draws its own amplitude, frequency (cycles per sequence) and phase offset from
uniform ranges; the class sets the wave shape. Generated from a seeded ``numpy.random.Generator``
only, so the same seed always gives the same set.
"""
from __future__ import annotations

import numpy as np

from ..errors import TsganError

SHAPES = ("sine", "sawtooth", "square", "triangle")
DEFAULT_CLASSES = ("sine", "sawtooth")
AMPLITUDE = (0.1, 0.9)
FREQUENCY = (1.0, 5.0)
PHASE = (-np.pi, np.pi)


def _wave(shape: str, angle: np.ndarray) -> np.ndarray:
    cycle = np.mod(angle / (2 * np.pi), 1.0)  # position inside the period, in [0, 1)
    if shape == "sine":
        return np.sin(angle)
    if shape == "sawtooth":
        return 2.0 * cycle - 1.0
    if shape == "square":
        return np.where(cycle < 0.5, 1.0, -1.0)
    return 1.0 - 4.0 * np.abs(cycle - 0.5)  # triangle


def make_waves(
    n: int = 1000,
    length: int = 30,
    *,
    seed: int = 0,
    classes: tuple[str, ...] = DEFAULT_CLASSES,
    amplitude: tuple[float, float] = AMPLITUDE,
    frequency: tuple[float, float] = FREQUENCY,
    phase: tuple[float, float] = PHASE,
    noise: float = 0.0,
    return_params: bool = False,
):
    """Make ``n`` labelled univariate waves of ``length`` steps.

    Sequence i is ``a_i * shape(2 pi f_i t + phi_i)`` at ``t = 0, 1/T, ..., (T-1)/T``, with
    ``a_i ~ U[amplitude]``, ``f_i ~ U[frequency]`` (cycles per sequence), ``phi_i ~ U[phase]``,
    plus optional Gaussian noise of standard deviation ``noise``. Classes are balanced (to within
    one) and shuffled.

    Returns ``(X, y)``: ``X`` float32 of shape ``(n, length, 1)`` and ``y`` the class names; with
    ``return_params=True`` also a dict of the drawn ``amplitude``, ``frequency`` and ``phase``.
    """
    if n < 1 or length < 2:
        raise TsganError(f"make_waves needs n >= 1 and length >= 2, got n={n}, length={length}")
    unknown = [c for c in classes if c not in SHAPES]
    if unknown or not classes:
        raise TsganError(f"unknown wave shape(s) {unknown or classes}; choose from {', '.join(SHAPES)}")
    for name, (low, high) in (("amplitude", amplitude), ("frequency", frequency), ("phase", phase)):
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise TsganError(f"{name} range must be finite (low, high) with low <= high, got {(low, high)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise TsganError(f"the seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise TsganError(f"noise is a standard deviation: a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    label_idx = rng.permutation(np.arange(n) % len(classes))
    amp = rng.uniform(*amplitude, size=n)
    freq = rng.uniform(*frequency, size=n)
    phi = rng.uniform(*phase, size=n)
    t = np.arange(length) / length
    angle = 2 * np.pi * freq[:, None] * t[None, :] + phi[:, None]
    X = np.empty((n, length))
    for k, shape in enumerate(classes):
        rows = label_idx == k
        X[rows] = amp[rows, None] * _wave(shape, angle[rows])
    if noise > 0:
        X += rng.normal(0.0, noise, size=X.shape)
    y = np.asarray(classes, dtype=object)[label_idx].astype(str)
    X = X[:, :, None].astype(np.float32)
    if return_params:
        return X, y, {"amplitude": amp, "frequency": freq, "phase": phi}
    return X, y


def wave_properties(X: np.ndarray, oversample: int = 32) -> dict[str, np.ndarray]:
    """Measure amplitude (half the peak-to-peak range), dominant frequency (cycles per sequence) and
    starting phase (radians in [-pi, pi)) of each univariate sequence in ``X`` ``(n, T)`` or ``(n, T, 1)``.

    The frequency is the peak of a zero-padded spectrum of the mean-removed sequence, so it is
    resolved to ``1 / oversample`` cycles per sequence; the phase is that spectral peak's angle (the
    fundamental's phase at the first step, up to a constant offset per wave shape). The same estimator
    is applied to real and generated waves, so its small biases (a sampled peak can miss the true crest,
    the shape's offset) cancel in comparisons.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 3:
        X = X[..., 0]
    T = X.shape[1]
    amplitude = (X.max(axis=1) - X.min(axis=1)) / 2
    centred = X - X.mean(axis=1, keepdims=True)
    coefficients = np.fft.rfft(centred, n=T * oversample, axis=1)
    spectrum = np.abs(coefficients)
    spectrum[:, 0] = 0.0
    peak = spectrum.argmax(axis=1)
    phase = np.angle(coefficients[np.arange(len(X)), peak])
    return {"amplitude": amplitude, "frequency": peak / oversample, "phase": np.mod(phase + np.pi, 2 * np.pi) - np.pi}


def phase_distance(real_phase: np.ndarray, fake_phase: np.ndarray, bins: int = 8) -> float:
    """How differently two sets of phases (radians) spread around the circle: the total variation
    distance of their histograms in ``bins`` equal arcs (0: the same spread; 1: disjoint). A generator
    that starts every wave at one phase scores near ``1 - 1 / bins`` against uniformly spread real waves."""
    edges = np.linspace(-np.pi, np.pi, bins + 1)
    real = np.histogram(np.mod(np.asarray(real_phase) + np.pi, 2 * np.pi) - np.pi, edges)[0]
    fake = np.histogram(np.mod(np.asarray(fake_phase) + np.pi, 2 * np.pi) - np.pi, edges)[0]
    if real.sum() == 0 or fake.sum() == 0:
        raise TsganError("phase_distance needs at least one phase on each side")
    return float(0.5 * np.abs(real / real.sum() - fake / fake.sum()).sum())
