"""The validation judge: a cheap version of the strict held-out discriminative score, plus label fidelity for a
conditional generator, for scoring a generator while it trains (:mod:`tsgan.objective.techniques.validation`).

Protocol of one :meth:`Judge.score` (everything in the networks' scaled units, on the training device):

* **Discriminative part.** Generated sequences (the labels of the real training sequences, when conditional)
  and the real training sequences (at most ``max_sequences`` each) train a fresh classifier - the strict
  protocol's CNN (:class:`tsgan.evaluation.metrics.SequenceClassifier`, width ``width``; its GRU only with
  ``recurrent=True``: it made a step about 4x as dear), inputs standardised per channel with the training sets'
  statistics - for ``steps`` Adam steps (lr 1e-3) of ``batch_size`` sequences from each set, binary cross-entropy.
  It is then tested on the held-out real sequences beside as many *fresh* generated ones (the held-out labels):
  ``discriminative = |accuracy - 0.5|`` (0: the judge cannot tell them apart, 0.5: it always can; a generator
  making NaN scores 0.5). No early stopping and few steps, so it is cheap and weaker than
  :func:`discriminative_score`; too few ``steps`` leave a judge that tells nothing apart and scores near 0.
* **Label fidelity** (conditional generators only): a classifier trained once, when the judge is made, on the real
  labelled training sequences (:class:`tsgan.evaluation.metrics.FittedClassifier`) reads the fresh generated
  sequences; the fraction given the label they were asked for, averaged over classes (a dropped class counts).
* **score** = ``discriminative + (1 - label_fidelity)`` (just ``discriminative`` when unconditional): lower is
  better, 0 is a generator the judge can neither tell from real data nor catch ignoring its label.

Deterministic for a seed: the subsets of at most ``max_sequences`` per set, the noise of both generated sets
(the same at every call, so calls differ only by the generator), the classifier's initial weights and batches
all come from generators seeded from ``seed``; torch's global random streams are left as they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from .metrics.classifiers import FittedClassifier, SequenceClassifier
from .metrics.training import seeded, train_module

# Chosen on the waves main job for about +10% of training time at one judgement per 250 steps (benchmarks/VALIDATION.md).
JUDGE_STEPS = 150
JUDGE_WIDTH = 32
JUDGE_RECURRENT = False
JUDGE_BATCH = 64
MAX_SEQUENCES = 512
LABEL_STEPS = JUDGE_STEPS  # as good as 300 on waves, BasicMotions and ItalyPowerDemand (held-out accuracy 1.0, 1.0, 0.96)

# generate(n, labels, rng): n sequences (n, T, d) in scaled units from noise drawn from rng (labels: (n,) or None)
Generate = Callable[[int, "torch.Tensor | None", torch.Generator], torch.Tensor]


@dataclass(frozen=True)
class JudgeScores:
    """One judgement: ``discriminative`` (|accuracy - 0.5|), ``label_fidelity`` (None when unconditional) and
    the combined ``score`` (lower is better)."""

    discriminative: float
    label_fidelity: float | None
    score: float

    def row(self) -> dict:
        return {"score": self.score, "discriminative": self.discriminative,
                **({} if self.label_fidelity is None else {"label_fidelity": self.label_fidelity})}


class Judge:
    """Scores generators against ``train_real`` (what they trained on) and ``held_out_real`` (what they never saw),
    both ``(n, T, d)`` tensors, with class indices ``train_labels`` / ``held_out_labels`` for a conditional
    generator (None otherwise); ``categorical``: the one-hot channel groups ``(start, size)``, whose generated
    probabilities are hardened to one-hot rows as sampling does."""

    def __init__(self, train_real: torch.Tensor, held_out_real: torch.Tensor, train_labels: torch.Tensor | None = None,
                 held_out_labels: torch.Tensor | None = None, *, categorical=(), seed: int = 0, steps: int = JUDGE_STEPS,
                 width: int = JUDGE_WIDTH, recurrent: bool = JUDGE_RECURRENT, batch_size: int = JUDGE_BATCH, max_sequences: int = MAX_SEQUENCES,
                 label_steps: int = LABEL_STEPS) -> None:
        self.seed, self.steps, self.width, self.recurrent, self.batch_size = seed, steps, width, recurrent, batch_size
        self.categorical = tuple(categorical)
        rng = np.random.default_rng(seed)
        self.train_real, self.train_labels = _subset(train_real, train_labels, max_sequences, rng)
        self.held_out_real, self.held_out_labels = _subset(held_out_real, held_out_labels, max_sequences, rng)
        self.label_classifier = None
        if train_labels is not None:
            self.label_classifier = FittedClassifier(train_real.cpu().numpy(), train_labels.cpu().numpy(), seed=seed,
                                                     steps=label_steps)

    @torch.no_grad()
    def _generated(self, generate: Generate, labels: torch.Tensor | None, n: int, offset: int) -> torch.Tensor:
        device = self.train_real.device
        rng = torch.Generator(device=device).manual_seed(self.seed + offset)
        X = generate(n, labels, rng).float()
        for start, size in self.categorical:
            block = X[..., start:start + size]
            X[..., start:start + size] = nn.functional.one_hot(block.argmax(-1), size).to(X.dtype)
        return X

    def score(self, generate: Generate) -> JudgeScores:
        """Judge the generator behind ``generate`` (see ``Generate``; it must not draw from global streams)."""
        with torch.random.fork_rng(devices=[self.train_real.device] if self.train_real.device.type == "cuda" else []):
            fake_train = self._generated(generate, self.train_labels, len(self.train_real), 1)
            fake_test = self._generated(generate, self.held_out_labels, len(self.held_out_real), 2)
            discriminative = self._discriminative(fake_train, fake_test)
        fidelity = None if self.label_classifier is None else self._label_fidelity(fake_test)
        score = discriminative + (0.0 if fidelity is None else 1.0 - fidelity)
        return JudgeScores(discriminative, fidelity, score)

    def _discriminative(self, fake_train: torch.Tensor, fake_test: torch.Tensor) -> float:
        if not torch.isfinite(fake_train).all() or not torch.isfinite(fake_test).all():
            return 0.5  # a generator making NaN or infinite values is told from real data every time
        pooled = torch.cat([self.train_real, fake_train]).flatten(0, 1)
        mean, std = pooled.mean(0), pooled.std(0, unbiased=False)
        std = torch.where(std > 1e-8, std, torch.ones_like(std))
        real_fit, fake_fit = (self.train_real - mean) / std, (fake_train - mean) / std
        device = real_fit.device
        with seeded(self.seed):
            model = SequenceClassifier(real_fit.shape[2], 1, self.width, recurrent=self.recurrent).to(device)
        bce = nn.functional.binary_cross_entropy_with_logits

        def loss(real_idx: torch.Tensor, fake_idx: torch.Tensor) -> torch.Tensor:
            # both batches in one forward pass (half the calls); each set's mean cross-entropy, summed
            real_idx, fake_idx = real_idx.to(device), fake_idx.to(device)
            logits = model(torch.cat([real_fit[real_idx], fake_fit[fake_idx]]))
            targets = torch.cat([torch.ones(len(real_idx), 1, device=device), torch.zeros(len(fake_idx), 1, device=device)])
            weights = torch.cat([torch.full((len(real_idx), 1), 1 / len(real_idx), device=device),
                                 torch.full((len(fake_idx), 1), 1 / len(fake_idx), device=device)])
            return bce(logits, targets, weight=weights, reduction="sum")

        with torch.enable_grad():
            train_module(model, loss, [len(real_fit), len(fake_fit)], steps=self.steps, batch_size=self.batch_size, seed=self.seed)
        with torch.no_grad():
            real_test, fake_test = (self.held_out_real - mean) / std, (fake_test - mean) / std
            correct = (model(real_test) > 0).sum() + (model(fake_test) <= 0).sum()
        return abs(correct.item() / (len(real_test) + len(fake_test)) - 0.5)

    def _label_fidelity(self, fake: torch.Tensor) -> float:
        asked = self.held_out_labels.cpu().numpy()
        X = fake.cpu().numpy()
        if not np.isfinite(X).all():
            return 0.0
        given = self.label_classifier.predict(X)
        hits = given == np.asarray([str(v) for v in asked])
        return float(np.mean([hits[asked == k].mean() for k in np.unique(asked)]))


def _subset(X: torch.Tensor, y: torch.Tensor | None, limit: int, rng: np.random.Generator):
    """At most ``limit`` rows of ``X`` (and ``y``), a seeded random subset in the original order."""
    if len(X) <= limit:
        return X, y
    keep = torch.from_numpy(np.sort(rng.permutation(len(X))[:limit])).to(X.device)
    return X[keep], None if y is None else y[keep]
