"""WGAN's weight clipping (Arjovsky et al. 2017): the critic's weights clamped after every update, on by
default with the wgan loss."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from ...errors import TsganError
from ..technique import Technique, option, register


@register
@dataclass(kw_only=True, eq=False)
class WeightClipping(Technique):
    name: ClassVar[str] = "weight-clipping"
    order: ClassVar[int] = 35  # before historical averaging: its running mean takes the clipped weights
    summary: ClassVar[str] = "clamp the critic's weights to [-c, c] after each update (on with --loss wgan)"
    clip_value: float = option(0.01, "clamp the critic's weights to [-C, C] after each update; 0 turns it off "
                                     "(default 0.01 with wgan)", off=0.0, metavar="C")

    def check_options(self) -> None:
        if not self.clip_value > 0:
            raise TsganError(f"clip_value must be > 0 (0.01 is the paper's), got {self.clip_value}")

    @torch.no_grad()
    def after_critic_step(self, step) -> None:
        for p in step.D.parameters():
            p.clamp_(-self.clip_value, self.clip_value)
