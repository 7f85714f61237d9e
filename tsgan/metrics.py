"""Sample-quality metrics: ``metric(real, synthetic, ..., seed) -> float``, each deterministic for a seed.

Label fidelity: a classifier fitted on real labelled sequences labels conditional samples; the
score is the fraction it assigns the label the generator was asked for. Only label-aware metrics
catch a generator that ignores its label (real data with shuffled labels pass distribution metrics).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .data import check_array, encode_labels


class SequenceClassifier(nn.Module):
    """A small 1-D CNN classifier: two convolutions, global average and max pooling, a linear layer."""

    def __init__(self, channels: int, n_classes: int, width: int = 32) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(channels, width, 5, padding=2), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=2), nn.ReLU(),
        )
        self.head = nn.Linear(2 * width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x.transpose(1, 2))
        return self.head(torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1))


class FittedClassifier:
    """A :class:`SequenceClassifier` trained on ``(X, y)``; inputs standardised per channel with X's statistics."""

    def __init__(self, X, y, *, seed: int = 0, steps: int = 400, batch_size: int = 64, lr: float = 3e-3) -> None:
        X = check_array(X)
        self.y, self.classes = encode_labels(y, len(X))
        self.mean = X.mean(axis=(0, 1))
        self.std = X.std(axis=(0, 1)) + 1e-8
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.model = SequenceClassifier(X.shape[2], len(self.classes))
        rng = torch.Generator().manual_seed(seed)
        data, labels = self._tensor(X), torch.from_numpy(self.y)
        opt = torch.optim.Adam(self.model.parameters(), lr=lr)
        for _ in range(steps):
            idx = torch.randint(len(data), (min(batch_size, len(data)),), generator=rng)
            loss = nn.functional.cross_entropy(self.model(data[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.model.eval()

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(((X - self.mean) / self.std).astype(np.float32))

    @torch.no_grad()
    def predict(self, X) -> np.ndarray:
        """Class names predicted for ``X``."""
        logits = torch.cat([self.model(part) for part in self._tensor(check_array(X)).split(4096)])
        return np.asarray(self.classes, dtype=object)[logits.argmax(1).numpy()].astype(str)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.predict(X) == np.asarray([str(v) for v in y])))


def label_fidelity(real, real_labels, synthetic, synthetic_labels, *, seed: int = 0, classifier: FittedClassifier | None = None) -> float:
    """Fraction of conditional samples that a classifier fitted on real data assigns their requested label
    (1.0 best; a generator that ignores its label scores about 1 / K)."""
    clf = classifier or FittedClassifier(real, real_labels, seed=seed)
    return clf.accuracy(synthetic, synthetic_labels)


def nearest_neighbour_ratio(train, held_out, synthetic, *, seed: int = 0) -> float:
    """Memorisation check: median distance from each synthetic sequence to its nearest *training*
    sequence, divided by its median distance to the nearest *unseen real* sequence (``held_out``,
    compared against an equally large random subset of ``train``, so both sets are equally dense).

    A generator that learnt the distribution cannot tell the two sets apart: about 1. One that copies
    its training sequences sits on them: near 0. (Comparing against held-out data's own distances
    instead would confuse copying with merely low-amplitude samples, which are close to everything.)
    """
    train_arr, held = check_array(train, "train"), check_array(held_out, "held_out")
    subset = np.random.default_rng(seed).choice(len(train_arr), size=min(len(held), len(train_arr)), replace=False)
    synth = torch.from_numpy(check_array(synthetic, "synthetic").reshape(len(synthetic), -1))

    def median_nn(reference: np.ndarray) -> float:
        ref = torch.from_numpy(reference.reshape(len(reference), -1))
        return torch.cat([torch.cdist(part, ref).amin(dim=1) for part in synth.split(1024)]).median().item()

    return median_nn(train_arr[subset]) / max(median_nn(held), 1e-12)
