"""Distances between sets of whole sequences (each flattened to one vector of ``T * d`` values):
maximum mean discrepancy and the nearest-neighbour memorisation check."""
from __future__ import annotations

from typing import Iterator

import numpy as np
import torch

from .training import check_like, check_pair, require_count

BLOCK = 1 << 22  # entries of one block of pairwise distances (32 MB in float64)
MEDIAN_SAMPLE = 2000


def flatten(X: np.ndarray) -> torch.Tensor:
    """``(n, T, d)`` -> float64 tensor ``(n, T * d)``."""
    return torch.from_numpy(X.reshape(len(X), -1).astype(np.float64))


def squared_distance_blocks(a: torch.Tensor, b: torch.Tensor) -> Iterator[torch.Tensor]:
    """Squared Euclidean distances from rows of ``a`` to rows of ``b``, a block of rows of ``a`` at a time
    (each block at most :data:`BLOCK` entries, so any set sizes fit in memory)."""
    rows = max(1, BLOCK // max(1, len(b)))
    b_norm = (b * b).sum(dim=1)
    for part in a.split(rows):
        yield ((part * part).sum(dim=1)[:, None] + b_norm[None, :] - 2.0 * part @ b.T).clamp_(min=0.0)


def _kernel_sum(a: torch.Tensor, b: torch.Tensor, gamma: float) -> float:
    return sum(torch.exp(-gamma * block).sum().item() for block in squared_distance_blocks(a, b))


def mmd(real, synthetic, *, max_samples: int = 2000, seed: int = 0) -> float:
    """Squared maximum mean discrepancy between the two sets (unbiased estimator; 0 for equal distributions).

    Protocol: each set (``(n, T, d)``, equal ``T`` and ``d``, at least 2 sequences) is cut to a seeded
    random subset of at most ``max_samples`` sequences and flattened; kernel
    ``k(x, y) = exp(-|x - y|^2 / (2 sigma^2))`` with ``sigma`` the median Euclidean distance between
    distinct sequences of the pooled sample (of a seeded subset of 2,000 of it when larger; 1 if that
    median is 0); ``MMD^2 = mean_{i != j} k(x_i, x_j) + mean_{i != j} k(y_i, y_j) - 2 mean k(x_i, y_j)``.
    Being unbiased, it scatters around 0 for two samples of one distribution and can then be slightly
    negative. Randomness from ``numpy.random.default_rng(seed)`` only.
    """
    real_arr, synth_arr = check_pair(real, synthetic)
    require_count(real_arr, 2, "real", "MMD")
    require_count(synth_arr, 2, "synthetic", "MMD")
    rng = np.random.default_rng(seed)
    x, y = (flatten(arr[np.sort(rng.permutation(len(arr))[:max_samples])]) for arr in (real_arr, synth_arr))
    pooled = torch.cat([x, y])
    if len(pooled) > MEDIAN_SAMPLE:
        pooled = pooled[torch.from_numpy(np.sort(rng.permutation(len(pooled))[:MEDIAN_SAMPLE]))]
    sigma = torch.pdist(pooled).median().item()
    gamma = 1.0 / (2.0 * (sigma if sigma > 0 else 1.0) ** 2)
    n, m = len(x), len(y)
    within_x = (_kernel_sum(x, x, gamma) - n) / (n * (n - 1))
    within_y = (_kernel_sum(y, y, gamma) - m) / (m * (m - 1))
    return float(within_x + within_y - 2.0 * _kernel_sum(x, y, gamma) / (n * m))


def nearest_neighbour_ratio(train, held_out, synthetic) -> float:
    """Memorisation check: the share of synthetic sequences whose nearest real sequence, among the training
    and the unseen real (``held_out``) ones pooled, is an unseen one - over the share expected of samples
    that did not copy, ``len(held_out) / (len(train) + len(held_out))``.

    A sample drawn from the data's distribution, not from the training set, is as likely to fall nearest any
    one of the pooled real sequences, so a generator that learnt the distribution scores about 1, whatever the
    two sets' sizes, however far from the data or low in amplitude its samples are (each sample is compared
    with both sets alike). A copy sits on its training sequence: a copier scores near 0, whichever training
    sequences it copies, and a generator that copies a fraction of the time loses that fraction. In between,
    a model fitted closely to few sequences lies nearer them than unseen data do (BasicMotions' 10 recordings per
    class: 0.28, and a per-class Gaussian of them 0.36): a figure well below 1 says the samples are not yet
    independent of the training set, whether or not they are copies. Ties go to the training set. The figure is
    a count: with few synthetic sequences it scatters (binomially).
    """
    train_arr, held = check_pair(train, held_out, "train", "held_out")
    synth = flatten(check_like(train_arr, synthetic, "synthetic", "train"))

    def nearest(reference: np.ndarray) -> torch.Tensor:
        return torch.cat([block.amin(dim=1) for block in squared_distance_blocks(synth, flatten(reference))])

    nearer_unseen = (nearest(held) < nearest(train_arr)).double().mean().item()
    return nearer_unseen / (len(held) / (len(train_arr) + len(held)))
