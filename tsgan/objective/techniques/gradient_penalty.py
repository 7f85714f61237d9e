"""WGAN-GP's gradient penalty (Gulrajani et al. 2017) on the critic, on by default with the wgan-gp loss."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

import torch

from ... import distributed
from ...errors import TsganError
from ..double_backward import needs_native_rnn, penalty_scope
from ..losses import sequence_scores
from ..technique import Technique, Term, option, register


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
    batch_size: int | None = None,
) -> torch.Tensor:
    """``E[(||grad_x D(x_hat)||_2 - 1)^2]`` at ``x_hat = eps x + (1 - eps) G(z)``.

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


@register
@dataclass(kw_only=True, eq=False)
class GradientPenalty(Technique):
    """Adds ``gp_weight`` times the penalty to the critic's loss (recorded apart, as ``gradient_penalty``)."""

    name: ClassVar[str] = "gradient-penalty"
    summary: ClassVar[str] = "WGAN-GP's gradient penalty on the critic (on with --loss wgan-gp)"
    order: ClassVar[int] = 80  # last of the critic's terms: the recorded loss is the sum before it
    gp_weight: float = option(10.0, "weight (lambda) of the gradient penalty; 0 turns it off (default 10 with wgan-gp)",
                              off=0.0, metavar="LAMBDA")

    def check_options(self) -> None:
        if not self.gp_weight > 0:
            raise TsganError(f"gp_weight must be > 0 (10 is the paper's), got {self.gp_weight}")

    def start(self, trainer) -> None:
        self._native_rnn = needs_native_rnn(trainer.D, trainer.device)
        self._global_batch = trainer.cfg.batch_size if trainer.world > 1 else None

    def critic_term(self, step) -> Term:
        with penalty_scope(self._native_rnn):
            penalty = gradient_penalty(lambda x: step.D(x, step.labels), step.real_in, step.fake_in, step.noise_rng,
                                       self._global_batch)
        return Term(self.gp_weight * penalty, recorded=False, logs={"gradient_penalty": penalty})
