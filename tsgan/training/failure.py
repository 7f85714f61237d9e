"""Failure detection while training: a callback that reads the losses every ``log_every`` steps and a small batch
of samples every few hundred, says when a run has failed (a discriminator that wins outright, samples far
outside the data's range, and what a technique sees, such as a validation score that never improves) with what to
try, and leaves the verdict of the run's end as ``diagnosis``.
(A NaN or infinite loss stops the loop itself: :class:`tsgan.TrainingDiverged`.)"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch

from .. import distributed
from ..nn.contracts import random_condition
from ..notices import TsganWarning
from .loop import Callback

WINDOW = 200  # steps a symptom must hold on average before it counts: a discriminator may win for a moment
WINNING_MARGIN = 0.15  # d_loss within this of its floor: the discriminator is right about nearly every sequence
LOSING_G = 4.0  # g_loss above this: it gives generated sequences under 2% (exp(-4)) of being real
SAMPLE_EVERY = 100  # steps between looks at generated sequences (a forward pass of SAMPLES; ~0.3% of training)
SAMPLES = 64
OUTSIDE_MARGIN = 0.25  # a value further than this fraction of the data's range outside it is far outside
OUTSIDE_SHARE = 0.1  # ... and more than this share of generated values far outside fails the run
# What to try, measured on the known case (Sines, default RCGAN, classic loss): a discriminator as slow as the
# generator (--lr-d 4e-4) stopped winning outright but 85% of values still lay far outside by step 600; with
# wgan-gp every sample of step 300 lay within the data's range.
ADVICE = "try --loss wgan-gp (loss='wgan-gp'), which kept Sines within its range where the classic loss left it"


class TrainingFailed(TsganWarning):
    """A run trained to its end but failed: the model it leaves is not worth using (``GAN.diagnosis_`` says why)."""


@dataclass(frozen=True)
class Diagnosis:
    """What failed (``symptom``), seen at ``step``, in one line with what to try (``message``)."""

    symptom: str
    step: int
    message: str

    def __str__(self) -> str:
        return self.message


def target_floor(real_target: float) -> float:
    """The least d_loss of a loss with targets: the binary cross-entropy of the real target with itself (0 for 1)."""
    t = real_target
    return 0.0 if t >= 1.0 else -(t * math.log(t) + (1 - t) * math.log(1 - t))


class FailureWatch(Callback):
    """Watches a run for failure; ``diagnosis`` is the failure still present when training ended (None: none).

    - *The discriminator wins outright* (losses with targets, such as the classic one): over the last
      :data:`WINDOW` steps d_loss averaged within :data:`WINNING_MARGIN` of its floor and g_loss above
      :data:`LOSING_G`. A Wasserstein critic's loss has no floor, so there only the samples are watched.
    - *Samples far outside the data's range*: in two looks in a row (every :data:`SAMPLE_EVERY` steps and at
      the end) more than :data:`OUTSIDE_SHARE` of the values of :data:`SAMPLES` generated sequences lie
      more than :data:`OUTSIDE_MARGIN` of the range outside ``[low, high]``, the scaled data's range.

    The first failure seen is warned about at once (:class:`TrainingFailed`): training goes on, a run may
    recover. The looks draw noise from their own seeded stream, so training's random streams and results are
    the same with and without the watch.
    """

    def __init__(self, low: float = -1.0, high: float = 1.0, *, seed: int = 0) -> None:
        self.low, self.high, self.seed = low, high, seed
        self.diagnosis: Diagnosis | None = None
        self._records: list[dict] = []
        self._looked_at = -SAMPLE_EVERY
        self._outside: list[float] = []  # share of far-outside values, one per look
        self._warned = False

    def on_train_start(self, trainer) -> None:
        self._records, self._outside, self._looked_at = [], [], trainer.step - SAMPLE_EVERY

    def on_log(self, trainer, records: list[dict]) -> None:
        self._records = (self._records + records)[-WINDOW:]
        if trainer.step - self._looked_at >= SAMPLE_EVERY:
            self._look(trainer)
        self._judge(trainer, warn=True)

    def on_train_end(self, trainer) -> None:
        if self._looked_at != trainer.step:
            self._look(trainer)
        self._judge(trainer, warn=False)

    # -- the symptoms ----------------------------------------------------------------------------
    def _judge(self, trainer, *, warn: bool) -> None:
        self.diagnosis = self._discriminator_wins(trainer) or self._outside_range(trainer) or self._techniques_say(trainer)
        if warn and self.diagnosis is not None and not self._warned and distributed.is_main():
            self._warned = True
            warnings.warn(f"step {trainer.step}: {self.diagnosis} (training goes on; the run is judged again at its end)",
                          TrainingFailed, stacklevel=2)

    def _discriminator_wins(self, trainer) -> Diagnosis | None:
        real_target = getattr(trainer.loss, "real_target", None)
        if real_target is None or len(self._records) < WINDOW:
            return None
        d_loss = sum(r["d_loss"] for r in self._records) / len(self._records)
        g_loss = sum(r["g_loss"] for r in self._records) / len(self._records)
        if d_loss - target_floor(real_target) >= WINNING_MARGIN or g_loss <= LOSING_G:
            return None
        return Diagnosis("discriminator-wins", trainer.step,
                         f"the discriminator wins outright (over the last {WINDOW} steps d_loss {d_loss:.3g}, g_loss "
                         f"{g_loss:.3g}): the generator learns nothing useful - {ADVICE}")

    @staticmethod
    def _techniques_say(trainer) -> Diagnosis | None:
        for technique in trainer.techniques:
            if (message := technique.diagnose(trainer)) is not None:
                return Diagnosis(technique.name, trainer.step, message)
        return None

    def _outside_range(self, trainer) -> Diagnosis | None:
        if len(self._outside) < 2 or min(self._outside[-2:]) <= OUTSIDE_SHARE:
            return None
        return Diagnosis("outside-range", trainer.step,
                         f"{self._outside[-1]:.0%} of generated values lie far outside the training data's range (more "
                         f"than {OUTSIDE_MARGIN:.0%} of the range beyond it): the generator has left the data - {ADVICE}")

    @torch.no_grad()
    def _look(self, trainer) -> None:
        """The share of far-outside values in a few sequences from the sampling generator (its own noise stream;
        torch's global stream is put back, so nothing training draws changes)."""
        self._looked_at = trainer.step
        G = trainer.sampling_generator
        rng = torch.Generator(device=trainer.device).manual_seed(self.seed + 4)
        with torch.random.fork_rng(devices=[trainer.device] if trainer.device.type == "cuda" else []):
            labels = random_condition(G, SAMPLES, rng, trainer.device)
            was_training = G.training
            G.eval()
            fake = G(trainer.game.noise(G, SAMPLES, rng), labels).float()
            G.train(was_training)
        margin = OUTSIDE_MARGIN * (self.high - self.low)
        outside = (fake < self.low - margin) | (fake > self.high + margin) | ~torch.isfinite(fake)
        self._outside.append(outside.float().mean().item())
