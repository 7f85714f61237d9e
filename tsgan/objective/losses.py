"""The GAN objectives as pure functions of discriminator scores, and the registry of named losses.

Scores are logits / critic values of shape ``(n,)`` or per step ``(n, T)``; every loss averages over
all of them, which for per-step scores is RCGAN's average of the per-step losses over time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from ..errors import TsganError


def classic_d_loss(real: torch.Tensor, fake: torch.Tensor, real_target: float = 1.0) -> torch.Tensor:
    """Goodfellow et al. 2014: D maximises log D(x) + log(1 - D(G(z))), i.e. minimises
    ``-[log sigmoid(real) + log(1 - sigmoid(fake))]``. ``real_target < 1`` is one-sided label smoothing."""
    return F.binary_cross_entropy_with_logits(real, torch.full_like(real, real_target)) + F.binary_cross_entropy_with_logits(
        fake, torch.zeros_like(fake)
    )


def classic_g_loss(fake: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss: maximise log D(G(z)), i.e. minimise ``-log sigmoid(fake)``."""
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


def wasserstein_d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Arjovsky et al. 2017: the critic maximises E[D(x)] - E[D(G(z))]; we minimise its negative."""
    return fake.mean() - real.mean()


def wasserstein_g_loss(fake: torch.Tensor) -> torch.Tensor:
    """The generator maximises E[D(G(z))]."""
    return -fake.mean()


def sequence_scores(scores: torch.Tensor) -> torch.Tensor:
    """One critic value per sequence: per-step scores ``(n, T)`` are averaged over time."""
    return scores.reshape(len(scores), -1).mean(dim=1)


@dataclass(frozen=True)
class Loss:
    """A named objective: the two loss functions, the techniques it comes with (what keeps a Wasserstein
    critic Lipschitz) and its defaults."""

    name: str
    d_fn: Callable[..., torch.Tensor]
    g_fn: Callable[[torch.Tensor], torch.Tensor]
    techniques: tuple[str, ...] = ()  # on by default with this loss (tsgan.objective.techniques)
    # Defaults: n_critic, generator and discriminator learning rates, Adam betas (None: RMSprop, as
    # WGAN's paper). The classic loss takes a faster discriminator (two time-scale update rule, Heusel
    # et al. 2017): at equal rates the LSTM discriminator learnt too slowly to notice wrong labels.
    n_critic: int = 1
    lr: float = 4e-4
    lr_d: float = 2e-3
    betas: tuple[float, float] | None = (0.5, 0.999)
    real_target: float | None = None  # a loss with targets (classic): the real sequences' target; None: a critic

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        if self.real_target is None or self.real_target == 1.0:
            return self.d_fn(real, fake)
        return self.d_fn(real, fake, real_target=self.real_target)

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return self.g_fn(fake)


LOSSES = {
    "gan": Loss("gan", classic_d_loss, classic_g_loss, real_target=1.0),
    "wgan": Loss("wgan", wasserstein_d_loss, wasserstein_g_loss, ("weight-clipping",), n_critic=5, lr=5e-5, lr_d=5e-5, betas=None),
    "wgan-gp": Loss("wgan-gp", wasserstein_d_loss, wasserstein_g_loss, ("gradient-penalty",), n_critic=5, lr=1e-4, lr_d=1e-4,
                    betas=(0.5, 0.9)),
}


def get_loss(name: str) -> Loss:
    if name not in LOSSES:
        raise TsganError(f"unknown loss '{name}'; choose from {', '.join(LOSSES)}")
    return LOSSES[name]
