"""Virtual batch normalisation (Salimans et al. 2016): the mlp / conv generators' batch norm takes its
statistics from a fixed reference batch (the layer: :class:`tsgan.nn.layers.VirtualBatchNorm`)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ...errors import TsganError
from ...nn.families import GENERATORS
from ..technique import Technique, option, register


@register
@dataclass(kw_only=True, eq=False)
class VirtualBatchNorm(Technique):
    name: ClassVar[str] = "virtual-batch-norm"
    summary: ClassVar[str] = "mlp / conv generators: batch norm with the statistics of a fixed reference batch"
    virtual_batch_norm: int = option(64, "mlp / conv generators: virtual batch norm, statistics from a fixed reference batch "
                                         "of N inputs (64 if left out) drawn at the start and saved with the model "
                                         "(default 0: batch norm)", off=0, const=64, metavar="N")

    def __post_init__(self) -> None:
        if self.virtual_batch_norm is True:  # virtual_batch_norm=True: the default reference batch
            self.virtual_batch_norm = 64
        super().__post_init__()

    def check_options(self) -> None:
        n = self.virtual_batch_norm
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise TsganError(f"virtual batch norm needs a reference batch of at least 2 inputs, got {n!r}")

    def validate(self, setting) -> None:
        family = getattr(setting.model, "generator", None)
        if family is not None and not getattr(GENERATORS.get(family), "batch_norm", False):
            raise TsganError(f"virtual batch norm needs a generator with batch norm "
                             f"({', '.join(k for k, v in GENERATORS.items() if getattr(v, 'batch_norm', False))}); "
                             f"got {self.virtual_batch_norm} with the '{family}' generator")

    def adapt(self, cfg, g_cfg, d_cfg):
        return dataclasses.replace(g_cfg, virtual_batch_norm=int(self.virtual_batch_norm)), d_cfg
