"""Parzen-window log-likelihood (Goodfellow et al. 2014): how probable held-out real sequences are under a
Gaussian kernel density fitted to the synthetic ones."""
from __future__ import annotations

import math

import numpy as np
import torch

from ...errors import TsganError
from .distances import flatten, squared_distance_blocks
from .training import check_like, check_pair, require_count, split

DEFAULT_GRID = np.logspace(-2, 0.5, 12)  # times the real validation data's standard deviation


def _log_likelihoods(points: torch.Tensor, centres: torch.Tensor, sigmas: np.ndarray) -> np.ndarray:
    """Mean log-density of ``points`` under the Parzen window on ``centres`` for each bandwidth: ``(len(sigmas),)``."""
    D, total = points.shape[1], np.zeros(len(sigmas))
    for block in squared_distance_blocks(points, centres):
        for i, sigma in enumerate(sigmas):
            total[i] += torch.logsumexp(block * (-0.5 / sigma ** 2), dim=1).sum().item()
    norm = math.log(len(centres)) + 0.5 * D * np.log(2.0 * np.pi * np.asarray(sigmas) ** 2)
    return total / len(points) - norm


def parzen_log_likelihood(synthetic, real_test, *, real_validation=None, bandwidths=None, seed: int = 0) -> float:
    """Mean log-likelihood (nats per sequence, in the data's units; higher is better) of held-out real
    sequences under a Gaussian Parzen window fitted to the synthetic ones.

    Protocol: sequences are flattened to ``D = T * d`` values; the density is
    ``p(x) = 1/m sum_j N(x; s_j, sigma^2 I)`` over the ``m`` synthetic sequences ``s_j``. ``sigma`` is the
    value of ``bandwidths`` (absolute; default ``logspace(-2, 0.5, 12)`` times the standard deviation
    of all real validation values, or times 1 if that is 0) that maximises the mean log-likelihood of
    ``real_validation``; when that is None, ``real_test`` is split 50/50 (seeded with
    ``numpy.random.default_rng(seed)``) into validation and test halves. The score is the mean
    log-likelihood of the (remaining) test sequences at that ``sigma``, computed with ``logsumexp`` over
    blocks of pairwise distances (memory stays small for 10,000 x 10,000). A generator that copies
    the test data would score highly: test on data the generator never saw. Values depend on the
    data's scale and length, so compare them only on the same data.
    """
    synth_arr, test_arr = check_pair(synthetic, real_test, "synthetic", "real_test")
    if real_validation is None:
        require_count(test_arr, 2, "real_test", "the Parzen log-likelihood without real_validation")
        test_idx, val_idx = split(len(test_arr), 0.5, np.random.default_rng(seed))
        val_arr, test_arr = test_arr[np.sort(val_idx)], test_arr[np.sort(test_idx)]
    else:
        val_arr = check_like(synth_arr, real_validation, "real_validation", "synthetic")
    if bandwidths is None:
        scale = float(val_arr.std(dtype=np.float64))
        sigmas = DEFAULT_GRID * (scale if scale > 0 else 1.0)
    else:
        sigmas = np.atleast_1d(np.asarray(bandwidths, dtype=np.float64))
        if sigmas.ndim != 1 or len(sigmas) == 0 or not np.all(np.isfinite(sigmas) & (sigmas > 0)):
            raise TsganError(f"bandwidths must be a non-empty list of positive numbers, got {bandwidths!r}")
    centres = flatten(synth_arr)
    best = sigmas[int(np.argmax(_log_likelihoods(flatten(val_arr), centres, sigmas)))]
    return float(_log_likelihoods(flatten(test_arr), centres, np.array([best]))[0])
