"""One-sided label smoothing (Salimans et al. 2016): the classic loss's real targets below 1, fake targets 0."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from ...errors import TsganError
from ..technique import Technique, option, register


@register
@dataclass(kw_only=True, eq=False)
class LabelSmoothing(Technique):
    name: ClassVar[str] = "label-smoothing"
    summary: ClassVar[str] = "one-sided label smoothing for the classic loss: real targets below 1"
    real_target: float = option(0.9, "one-sided label smoothing for --loss gan: real targets ALPHA (0.9 if left out), fake "
                                     "targets 0 (default 1: off)", off=1.0, const=0.9, metavar="ALPHA", aliases=("label-smoothing",))

    def check_options(self) -> None:
        if not 0 < self.real_target <= 1:
            raise TsganError(f"real_target (label smoothing) must be in (0, 1], got {self.real_target}; 0.9 is usual")

    def validate(self, setting) -> None:
        if setting.loss.real_target is None:
            raise TsganError(f"label smoothing (real_target={self.real_target}) applies to the classic 'gan' loss; "
                             f"the '{setting.loss.name}' critic has no targets")

    def adapt_loss(self, loss):
        return dataclasses.replace(loss, real_target=self.real_target)
