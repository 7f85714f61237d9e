"""GAN losses as pure functions of discriminator scores, plus the WGAN-GP gradient penalty.

Scores are logits / critic values of shape ``(n,)`` or per step ``(n, T)``; every loss averages over
all of them, which for per-step scores is RCGAN's average of the per-step losses over time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from .errors import TsganError


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


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Gulrajani et al. 2017: ``E[(||grad_x D(x_hat)||_2 - 1)^2]`` at ``x_hat = eps x + (1 - eps) G(z)``.

    ``eps ~ U[0, 1]`` is drawn per sample and the gradient norm is taken per sample (over steps and
    channels), then averaged over the batch. ``critic`` maps a batch to scores (labels bound in).
    The graph is kept (``create_graph``) so the penalty trains the critic.
    """
    eps = torch.rand((len(real),) + (1,) * (real.dim() - 1), generator=generator, device=real.device, dtype=real.dtype)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = sequence_scores(critic(x_hat))
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)
    return ((norms - 1.0) ** 2).mean()


@dataclass(frozen=True)
class Loss:
    """A named objective: the two loss functions and what keeps the critic Lipschitz."""

    name: str
    d_loss: Callable[..., torch.Tensor]
    g_loss: Callable[[torch.Tensor], torch.Tensor]
    gradient_penalty: bool = False
    clip: bool = False
    # Defaults: n_critic, generator and discriminator learning rates, Adam betas (None: RMSprop, as
    # WGAN's paper). The classic loss takes a faster discriminator (two time-scale update rule, Heusel
    # et al. 2017): at equal rates the LSTM discriminator learnt too slowly to notice wrong labels.
    n_critic: int = 1
    lr: float = 4e-4
    lr_d: float = 2e-3
    betas: tuple[float, float] | None = (0.5, 0.999)


LOSSES = {
    "gan": Loss("gan", classic_d_loss, classic_g_loss),
    "wgan": Loss("wgan", wasserstein_d_loss, wasserstein_g_loss, clip=True, n_critic=5, lr=5e-5, lr_d=5e-5, betas=None),
    "wgan-gp": Loss("wgan-gp", wasserstein_d_loss, wasserstein_g_loss, gradient_penalty=True, n_critic=5, lr=1e-4, lr_d=1e-4,
                    betas=(0.5, 0.9)),
}


def get_loss(name: str) -> Loss:
    if name not in LOSSES:
        raise TsganError(f"unknown loss '{name}'; choose from {', '.join(LOSSES)}")
    return LOSSES[name]
