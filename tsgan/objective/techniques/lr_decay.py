"""Learning rates that decay linearly to zero over the last part of training (as CycleGAN and pix2pix train):
the players settle where the game has led them instead of oscillating around it at full step size to the end."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...errors import TsganError
from ..technique import Technique, option, register


def decay_factor(step: int, steps: int, fraction: float) -> float:
    """The learning rate's multiplier once ``step`` of ``steps`` updates are done: 1 until the last ``fraction``
    of them, then linearly down to 0 at ``steps``."""
    start = steps * (1 - fraction)
    return 1.0 if step <= start else max(0.0, (steps - step) / (steps - start))


@register
@dataclass(kw_only=True, eq=False)
class LearningRateDecay(Technique):
    name: ClassVar[str] = "lr-decay"
    summary: ClassVar[str] = "decay both learning rates linearly to zero over the last part of training"
    order: ClassVar[int] = 95  # after every other technique's step hooks: the next step's rates are set last
    resumes_to_more_steps: ClassVar[bool] = False  # the schedule is planned for the run's steps
    lr_decay: float = option(0.5, "decay both players' learning rates linearly to zero over this last fraction of the "
                                  "steps (0.5 if left out; default 0: constant rates)", off=0.0, const=0.5, metavar="FRACTION")

    def check_options(self) -> None:
        if not 0 < self.lr_decay <= 1:
            raise TsganError(f"lr_decay must be in (0, 1] (the last fraction of the steps; 0 turns it off), got {self.lr_decay}")

    def start(self, trainer) -> None:
        # the rates the loop chose, before a resumed optimizer state brings decayed ones (and new group dicts)
        self._trainer = trainer
        self._base = [[group["lr"] for group in optimizer.param_groups] for optimizer in self._optimizers()]

    def _optimizers(self):
        return self._trainer.opt_g, self._trainer.opt_d

    def state_dict(self) -> dict:
        return {"steps": self._trainer.cfg.steps}

    def load_state_dict(self, state: dict) -> None:
        planned, asked = int(state["steps"]), self._trainer.cfg.steps
        if planned != asked:  # the schedule is planned for the run's steps: more (or fewer) would jump the rates
            raise TsganError(f"this run decays its learning rates to zero at step {planned}; resuming it to {asked} steps "
                             f"would restart the decay - resume with --steps {planned}, or start a new run")

    def after_generator_step(self, step) -> None:
        factor = decay_factor(self._trainer.step + 1, self._trainer.cfg.steps, self.lr_decay)
        for optimizer, rates in zip(self._optimizers(), self._base):
            for group, base in zip(optimizer.param_groups, rates):
                group["lr"] = base * factor
