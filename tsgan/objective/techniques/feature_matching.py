"""Feature matching (Salimans et al. 2016): the generator matches the mean of an intermediate discriminator
feature on real and generated batches, beside (or instead of) its adversarial loss."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from ...errors import TsganError
from ..technique import Technique, option, register


def feature_matching_loss(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """``||mean f(x) - mean f(G(z))||_2^2`` for discriminator features ``f`` ``(n, F)`` of a real and a
    generated batch. Per-step features ``(n, T, F)`` are matched step by step and the squared distances
    averaged over steps. The real means are a fixed target (no gradient); the gradient reaches the
    generator through the generated batch."""
    diff = real_features.detach().mean(dim=0) - fake_features.mean(dim=0)
    return (diff**2).sum(dim=-1).mean()


@register
@dataclass(kw_only=True, eq=False)
class FeatureMatching(Technique):
    name: ClassVar[str] = "feature-matching"
    summary: ClassVar[str] = "the generator matches the discriminator's mean features on real and generated batches"
    order: ClassVar[int] = 10
    uses_real_input: ClassVar[bool] = True
    feature_matching: float = option(1.0, "add WEIGHT x feature matching (squared distance between the discriminator's "
                                          "mean features on real and generated batches) to the generator's loss "
                                          "(WEIGHT 1 if left out; default 0: off)", off=0.0, const=1.0, metavar="WEIGHT")
    feature_matching_only: bool = option(False, "the generator's loss is feature matching alone, without the adversarial term")

    def __post_init__(self) -> None:
        super().__post_init__()
        # an instance attribute: whether this run's generator loss is feature matching alone
        self.replaces_adversarial = bool(self.feature_matching_only)

    def check_options(self) -> None:
        if not self.feature_matching > 0:
            raise TsganError(f"feature_matching is a weight and must be > 0, got {self.feature_matching}")

    def generator_term(self, step) -> torch.Tensor:
        with torch.no_grad():
            target = step.D.features(step.real_in, step.labels)
        return self.feature_matching * feature_matching_loss(target, step.D.features(step.fake_in, step.labels))
