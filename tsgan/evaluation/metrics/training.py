"""Shared plumbing for the metrics' post-hoc models: input checks, seeding, splits, standardisation
and one seeded training loop (Adam, mini-batches of distinct indices, optional early stopping)."""
from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from ...data import check_array
from ...errors import TsganError


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block under torch's CPU generator seeded with ``seed``, leaving the global state as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def check_like(reference: np.ndarray, X, name: str, reference_name: str) -> np.ndarray:
    """Validate ``X`` with :func:`check_array` and require the steps and channels of ``reference``."""
    arr = check_array(X, name)
    (_, T, d), (_, T_ref, d_ref) = arr.shape, reference.shape
    if d != d_ref:
        raise TsganError(f"{name} has {d} channel(s) but {reference_name} has {d_ref}; compare sets with the same channels")
    if T != T_ref:
        raise TsganError(f"{name} has sequences of {T} steps but {reference_name} has {T_ref}; compare sets of equal length")
    return arr


def check_pair(real, synthetic, real_name: str = "real", synthetic_name: str = "synthetic") -> tuple[np.ndarray, np.ndarray]:
    """Both sets as float32 ``(n, T, d)`` with equal ``T`` and ``d``, or a :class:`TsganError`."""
    a = check_array(real, real_name)
    return a, check_like(a, synthetic, synthetic_name, real_name)


def require_count(X: np.ndarray, minimum: int, name: str, what: str) -> None:
    if len(X) < minimum:
        raise TsganError(f"{what} needs at least {minimum} sequences in {name}, got {len(X)}")


def split(n: int, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle ``range(n)`` and cut it into ``(rest, part)``, ``part`` holding ``round(fraction * n)`` (at least one) indices."""
    order = rng.permutation(n)
    size = min(n - 1, max(1, round(fraction * n)))
    return order[size:], order[:size]


def stratified_split(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """:func:`split` within each class (a class of one sequence stays whole in ``rest``); sorted index arrays."""
    rest, part = [], []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        if len(members) < 2:
            rest.append(members)
            continue
        keep, take = split(len(members), fraction, rng)
        rest.append(members[keep])
        part.append(members[take])
    return np.sort(np.concatenate(rest)), np.sort(np.concatenate(part)) if part else np.array([], dtype=np.int64)


def channel_stats(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over sequences and steps; a constant channel gets scale 1."""
    mean = X.mean(axis=(0, 1), dtype=np.float64)
    std = X.std(axis=(0, 1), dtype=np.float64)
    return mean.astype(np.float32), np.where(std > 1e-8, std, 1.0).astype(np.float32)


def to_tensor(X: np.ndarray, mean=0.0, std=1.0) -> torch.Tensor:
    return torch.from_numpy(((X - mean) / std).astype(np.float32))


def train_module(
    model: nn.Module,
    batch_loss: Callable[..., torch.Tensor],
    sizes: Sequence[int],
    *,
    steps: int,
    batch_size: int,
    seed: int,
    lr: float = 1e-3,
    validate: Callable[[], float] | None = None,
    every: int = 50,
    patience: int | None = None,
) -> nn.Module:
    """Train ``model`` with Adam (learning rate ``lr``) for ``steps`` steps and return it in eval mode.

    Each step draws, for each data set size in ``sizes``, ``min(batch_size, n)`` distinct indices
    (a fresh random permutation, from a ``torch.Generator`` seeded with ``seed``) and minimises
    ``batch_loss(*index_tensors)``. With ``validate`` (a score, higher is better) the model is scored
    every ``every`` steps and after the last; training stops once ``patience`` scores in a row did not
    beat the best, and the best-scoring weights are restored (the earliest on ties).
    """
    if steps < 1 or batch_size < 1:
        raise TsganError(f"training needs steps >= 1 and batch_size >= 1, got steps={steps}, batch_size={batch_size}")
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    best, best_state, waited = -np.inf, None, 0
    for step in range(1, steps + 1):
        model.train()
        batches = [torch.randperm(n, generator=generator)[:batch_size] for n in sizes]
        loss = batch_loss(*batches)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if validate is None or (step % every and step != steps):
            continue
        model.eval()
        with torch.no_grad():
            score = validate()
        if score > best:
            best, best_state, waited = score, copy.deepcopy(model.state_dict()), 0
        else:
            waited += 1
            if patience is not None and waited >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return model.eval()
