"""Simple statistics compared between real and synthetic sets: autocorrelation and per-step marginals."""
from __future__ import annotations

import numpy as np

from ...data import check_array
from ...errors import TsganError
from .training import check_pair

DEFAULT_MAX_LAG = 20


def metric_max_lag(max_lag: int | None, T: int) -> int:
    """The largest lag :func:`autocorrelation_distance` compares for sequences of ``T`` steps (``max_lag``, checked, or its default)."""
    if max_lag is None:
        return min(T - 1, DEFAULT_MAX_LAG)
    if not 1 <= max_lag <= T - 1:
        raise TsganError(f"max_lag must be between 1 and T - 1 = {T - 1} for sequences of {T} steps, got {max_lag}")
    return int(max_lag)


def autocorrelation(X, max_lag: int) -> np.ndarray:
    """Mean autocorrelation of ``X`` ``(n, T, d)`` at lags ``0 .. max_lag``: float64 ``(max_lag + 1, d)``.

    Per sequence and channel, with ``m`` its mean over steps:
    ``r(k) = sum_{t < T-k} (x_t - m)(x_{t+k} - m) / sum_t (x_t - m)^2`` (the usual biased estimator,
    ``r(0) = 1``), then averaged over sequences. A constant sequence (standard deviation at most
    ``1e-6 * (1 + max |x|)``) has no measurable correlation: ``r(0) = 1`` and ``r(k) = 0`` for ``k >= 1``.
    """
    arr = check_array(X, "X")
    T = arr.shape[1]
    if not 0 <= max_lag <= T - 1:
        raise TsganError(f"max_lag must be between 0 and T - 1 = {T - 1} for sequences of {T} steps, got {max_lag}")
    x = arr.astype(np.float64)
    centred = x - x.mean(axis=1, keepdims=True)
    energy = (centred ** 2).sum(axis=1)  # (n, d)
    scale = 1e-6 * (1.0 + np.abs(x).max(axis=1))
    constant = energy <= T * scale ** 2
    safe = np.where(constant, 1.0, energy)
    lags = [np.where(constant, 0.0, (centred[:, : T - k] * centred[:, k:]).sum(axis=1) / safe) for k in range(1, max_lag + 1)]
    return np.stack([np.ones(arr.shape[2])] + [lag.mean(axis=0) for lag in lags])


def autocorrelation_distance(real, synthetic, *, max_lag: int | None = None) -> float:
    """Mean over channels and lags ``1 .. max_lag`` of ``|r_real(k) - r_synthetic(k)|``, with ``r`` the
    mean per-sequence autocorrelation of :func:`autocorrelation` (0 best, at most 2).
    ``max_lag`` defaults to ``min(T - 1, 20)``; both sets need equal ``T >= 2`` and ``d``."""
    real_arr, synth_arr = check_pair(real, synthetic)
    if real_arr.shape[1] < 2:
        raise TsganError("autocorrelation needs sequences of at least 2 steps")
    lag = metric_max_lag(max_lag, real_arr.shape[1])
    return float(np.abs(autocorrelation(real_arr, lag)[1:] - autocorrelation(synth_arr, lag)[1:]).mean())


def marginal_distance(real, synthetic) -> float:
    """Mean over steps and channels of ``|mean_real - mean_synthetic| + |std_real - std_synthetic|``, the
    mean and (population) standard deviation taken over sequences at each step and channel (0 best).
    Both sets need equal ``T`` and ``d``."""
    real_arr, synth_arr = (arr.astype(np.float64) for arr in check_pair(real, synthetic))
    mean_gap = np.abs(real_arr.mean(axis=0) - synth_arr.mean(axis=0))
    std_gap = np.abs(real_arr.std(axis=0) - synth_arr.std(axis=0))
    return float((mean_gap + std_gap).mean())
