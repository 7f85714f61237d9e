"""The zero-centred gradient penalty on real data, R1 (Mescheder et al. 2018): ``gamma / 2 * E||grad_x D(x)||^2``
at real sequences, which keeps the discriminator from growing sharp around the data (with any loss)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from ...errors import TsganError
from ..double_backward import needs_native_rnn, penalty_scope
from ..losses import sequence_scores
from ..technique import Technique, Term, option, register


def r1_penalty(critic, real: torch.Tensor) -> torch.Tensor:
    """``E||grad_x D(x)||^2`` over real sequences ``x`` (the norm over steps and channels, per sequence);
    the graph is kept so the penalty trains the critic."""
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(sequence_scores(critic(x)).sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(dim=1).mean()


@register
@dataclass(kw_only=True, eq=False)
class R1Penalty(Technique):
    name: ClassVar[str] = "r1-penalty"
    summary: ClassVar[str] = "zero-centred gradient penalty on real data (R1, Mescheder et al. 2018)"
    order: ClassVar[int] = 70
    r1_gamma: float = option(1.0, "add GAMMA/2 x the squared gradient norm of the discriminator at real sequences to "
                                  "its loss (R1; GAMMA 1 if left out; default 0: off)", off=0.0, const=1.0, metavar="GAMMA")

    def check_options(self) -> None:
        if not self.r1_gamma > 0:
            raise TsganError(f"r1_gamma must be > 0 (0 turns the penalty off), got {self.r1_gamma}")

    def start(self, trainer) -> None:
        self._native_rnn = needs_native_rnn(trainer.D, trainer.device)

    def critic_term(self, step) -> Term:
        with penalty_scope(self._native_rnn):
            penalty = r1_penalty(lambda x: step.D(x, step.labels), step.real_in)
        return Term(0.5 * self.r1_gamma * penalty, recorded=False, logs={"r1_penalty": penalty})
