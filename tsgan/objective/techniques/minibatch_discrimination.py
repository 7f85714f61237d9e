"""Minibatch discrimination (Salimans et al. 2016): a discriminator layer that sees how close each sample is
to the rest of its batch, against mode collapse (the layer: :class:`tsgan.nn.layers.MinibatchDiscrimination`)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ...errors import TsganError
from ..technique import Technique, option, register


@register
@dataclass(kw_only=True, eq=False)
class MinibatchDiscrimination(Technique):
    name: ClassVar[str] = "minibatch-discrimination"
    summary: ClassVar[str] = "a discriminator layer comparing each sample with the rest of its batch (against mode collapse)"
    minibatch_kernels: int = option(16, "minibatch discrimination kernels in the discriminator, against mode collapse "
                                        "(default 0: off)", off=0, metavar="K")

    def check_options(self) -> None:
        k = self.minibatch_kernels
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise TsganError(f"minibatch_kernels must be a whole number >= 1 (0 turns it off), got {k!r}")

    def adapt(self, cfg, g_cfg, d_cfg):
        return g_cfg, dataclasses.replace(d_cfg, minibatch_kernels=int(self.minibatch_kernels))
