"""Samples from an exponential moving average of the generator's weights (Yazici et al. 2019): it smooths
the classic GAN's oscillation between modes. On by default."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from ...errors import TsganError
from ..technique import Technique, option, register


class _MovingAverage:
    """``averaged.update_parameters(model)`` for an ``AveragedModel`` with the EMA ``multi_avg_fn`` and
    ``use_buffers=True``: the same arithmetic (a copy at the first update, then one foreach lerp per
    device and dtype; integer buffers as AveragedModel averages them), without its per-call Python
    work - walking both modules, grouping tensors and, on CUDA, a host sync to test for the first
    update -, which cost about 0.7 ms a step (13% of a small MLP's step on a CPU)."""

    def __init__(self, averaged: AveragedModel, model: torch.nn.Module, decay: float) -> None:
        self.averaged, self.model, self.decay = averaged, model, decay
        self.first = int(averaged.n_averaged) == 0
        self.groups: dict[tuple, tuple[list[torch.Tensor], list[torch.Tensor]]] = {}
        pairs = zip(itertools.chain(averaged.module.parameters(), averaged.module.buffers()),
                    itertools.chain(model.parameters(), model.buffers()))
        for mean, live in pairs:
            group = self.groups.setdefault((mean.device, mean.dtype), ([], []))
            group[0].append(mean.detach())
            group[1].append(live.detach())

    @torch.no_grad()
    def update(self) -> None:
        if self.first:
            self.averaged.update_parameters(self.model)
            self.first = False
            return
        for (_, dtype), (means, lives) in self.groups.items():
            if dtype.is_floating_point or dtype.is_complex:
                torch._foreach_lerp_(means, lives, 1 - self.decay)
            else:
                for mean, live in zip(means, lives):
                    mean.copy_(mean * self.decay + live * (1 - self.decay))
        self.averaged.n_averaged += 1


@register
@dataclass(kw_only=True, eq=False)
class WeightAverage(Technique):
    name: ClassVar[str] = "weight-average"
    summary: ClassVar[str] = "sample from a moving average of the generator's weights (on by default)"
    order: ClassVar[int] = 90
    default_on: ClassVar[bool] = True
    ema_decay: float = option(0.995, "sample from a moving average of the generator's weights with this decay per step; "
                                     "0 turns it off (default 0.995)", off=0.0, metavar="DECAY")

    def check_options(self) -> None:
        if not 0 < self.ema_decay < 1:
            raise TsganError(f"ema_decay must be in (0, 1) (0 turns the weight average off), got {self.ema_decay}")

    def start(self, trainer) -> None:
        self.averaged = AveragedModel(trainer.G, multi_avg_fn=get_ema_multi_avg_fn(self.ema_decay), use_buffers=True)
        self.G = trainer.G
        self._fast = None  # built at the first update after start, prepare or load_state_dict

    def prepare(self, trainer, X, y):
        self._fast = None
        return X, y

    def after_generator_step(self, step) -> None:
        if self._fast is None:
            self._fast = _MovingAverage(self.averaged, self.G, self.ema_decay)
        self._fast.update()

    def sampler(self, G):
        return self.averaged.module

    def state_dict(self) -> dict:
        return self.averaged.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.averaged.load_state_dict(state)
        self._fast = None
