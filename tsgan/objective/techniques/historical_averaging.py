"""Historical averaging (Salimans et al. 2016) for either player: a penalty pulling its parameters toward
the mean of their past values, against oscillation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from ...errors import TsganError
from ..technique import Technique, option, register


class HistoricalAverage:
    """``penalty() = ||theta - mean of past theta||^2`` for one module (summed over every parameter).

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


@register
@dataclass(kw_only=True, eq=False)
class HistoricalAveraging(Technique):
    name: ClassVar[str] = "historical-averaging"
    summary: ClassVar[str] = "penalise each player's distance to the mean of its past parameters"
    order: ClassVar[int] = 40
    historical_averaging_g: float = option(0.0, "add WEIGHT x ||theta - mean of past theta||^2 to the generator's loss "
                                                "(default 0: off)", off=0.0, metavar="WEIGHT")
    historical_averaging_d: float = option(0.0, "the same for the discriminator (default 0: off)", off=0.0, metavar="WEIGHT")

    def check_options(self) -> None:
        for name in ("historical_averaging_g", "historical_averaging_d"):
            if getattr(self, name) < 0:
                raise TsganError(f"{name} is a weight and must be >= 0, got {getattr(self, name)}")
        if not (self.historical_averaging_g > 0 or self.historical_averaging_d > 0):
            raise TsganError("historical averaging needs historical_averaging_g or historical_averaging_d > 0 (e.g. 0.1)")

    def start(self, trainer) -> None:
        self.averages = {side: HistoricalAverage(module) for side, module, weight in
                         (("generator", trainer.G, self.historical_averaging_g), ("discriminator", trainer.D, self.historical_averaging_d))
                         if weight > 0}

    def critic_term(self, step):
        if "discriminator" in self.averages:
            return self.historical_averaging_d * self.averages["discriminator"].penalty()

    def generator_term(self, step):
        if "generator" in self.averages:
            return self.historical_averaging_g * self.averages["generator"].penalty()

    def after_critic_step(self, step) -> None:
        if "discriminator" in self.averages:
            self.averages["discriminator"].update()

    def after_generator_step(self, step) -> None:
        if "generator" in self.averages:
            self.averages["generator"].update()

    def state_dict(self) -> dict:
        return {side: average.state_dict() for side, average in self.averages.items()}

    def load_state_dict(self, state: dict) -> None:
        for side, average in self.averages.items():
            if state.get(side) is not None:
                average.load_state_dict(state[side])
