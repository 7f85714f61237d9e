"""GAN losses as pure functions of discriminator scores, plus the WGAN-GP gradient penalty.

Scores are logits / critic values of shape ``(n,)`` or per step ``(n, T)``; every loss averages over
all of them, which for per-step scores is RCGAN's average of the per-step losses over time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from . import distributed
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
    batch_size: int | None = None,
) -> torch.Tensor:
    """Gulrajani et al. 2017: ``E[(||grad_x D(x_hat)||_2 - 1)^2]`` at ``x_hat = eps x + (1 - eps) G(z)``.

    ``eps ~ U[0, 1]`` is drawn per sample and the gradient norm is taken per sample (over steps and
    channels), then averaged over the batch. ``critic`` maps a batch to scores (labels bound in).
    The graph is kept (``create_graph``) so the penalty trains the critic. ``batch_size``: data-parallel
    training, where ``real`` is this process's slice of a global batch of that size: the mixing weights
    are drawn for the global batch (the same stream as one process) and sliced.
    """
    eps = torch.rand((batch_size or len(real),) + (1,) * (real.dim() - 1), generator=generator, device=real.device, dtype=real.dtype)
    eps = eps if batch_size is None else distributed.shard(eps)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = sequence_scores(critic(x_hat))
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)
    return ((norms - 1.0) ** 2).mean()


# -- techniques of Salimans et al. 2016 (each an option of the one training loop) -------------------

def feature_matching_loss(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """Feature matching: ``||mean f(x) - mean f(G(z))||_2^2`` for discriminator features ``f`` ``(n, F)``
    of a real and a generated batch. Per-step features ``(n, T, F)`` are matched step by step and the
    squared distances averaged over steps. The real means are a fixed target (no gradient); the
    gradient reaches the generator through the generated batch."""
    diff = real_features.detach().mean(dim=0) - fake_features.mean(dim=0)
    return (diff**2).sum(dim=-1).mean()


def class_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of class logits ``(n, K)`` against class indices ``(n,)``: the semi-supervised
    discriminator's supervised term. Per-step logits ``(n, T, K)`` are each held to the sequence's
    label and averaged over steps."""
    if logits.dim() == 3:
        return F.cross_entropy(logits.transpose(1, 2), labels[:, None].expand(-1, logits.shape[1]))
    return F.cross_entropy(logits, labels)


# -- variants with encoders and codes (tsgan.variants) -----------------------------------------------

def info_loss(logits: torch.Tensor | None, category: torch.Tensor | None, mean: torch.Tensor | None,
              log_var: torch.Tensor | None, continuous: torch.Tensor | None) -> torch.Tensor:
    """InfoGAN's L_I to minimise (Chen et al. 2016): minus the variational lower bound on the mutual
    information I(c; G(z, c)), up to the codes' entropy (a constant). The categorical code: cross-entropy
    of Q's logits ``(n, K)`` against the drawn category ``(n,)``; the continuous codes ``(n, C)``: Q's
    factored Gaussian's negative log-likelihood ``0.5 * (log var + (c - mean)^2 / var)`` summed over codes
    (the constant 0.5 log 2 pi left out), both averaged over the batch. ``None`` leaves a part out."""
    parts = [] if logits is None else [F.cross_entropy(logits, category)]
    if mean is not None:
        parts.append((0.5 * (log_var + (continuous - mean) ** 2 / log_var.exp())).sum(dim=-1).mean())
    return sum(parts)


def reconstruction_loss(reconstructed: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Mean squared error of reconstructed sequences against the real ones (the adversarial
    autoencoder's reconstruction term), averaged over sequences, steps and channels."""
    return F.mse_loss(reconstructed, real)


class HistoricalAverage:
    """Historical averaging for one player: ``penalty() = ||theta - mean of past theta||^2`` (summed over
    every parameter), pulling the player back toward where it has been, against oscillation.

    The running mean starts at the parameters it is built with and takes the parameters after every
    update (:meth:`update`: ``mean_t = mean_{t-1} + (theta_t - mean_{t-1}) / t``). Its state (mean
    and count) goes into the training checkpoint, so a resumed run continues the same average.
    """

    def __init__(self, module: torch.nn.Module) -> None:
        self.module = module
        self.count = 1
        self.mean = [p.detach().clone() for p in module.parameters()]

    def penalty(self) -> torch.Tensor:
        return torch.stack([((p - m) ** 2).sum() for p, m in zip(self.module.parameters(), self.mean)]).sum()

    @torch.no_grad()
    def update(self) -> None:
        self.count += 1
        for p, m in zip(self.module.parameters(), self.mean):
            m.lerp_(p.detach(), 1.0 / self.count)

    def state_dict(self) -> dict:
        return {"count": self.count, "mean": [m.clone() for m in self.mean]}

    def load_state_dict(self, state: dict) -> None:
        self.count = int(state["count"])
        for m, saved in zip(self.mean, state["mean"]):
            m.copy_(saved)


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
