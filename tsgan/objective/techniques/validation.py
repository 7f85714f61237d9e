"""The judge in the loop: hold out a validation split, score the sampling generator with a strict judge every
K steps (:mod:`tsgan.evaluation.judge`) and sample from the best one - GAN losses do not tell quality, and the
best generator is often not the last. Off by default.

* **The split.** ``validation_split`` of the sequences, stratified by label (a class of one sequence stays in
  training) and seeded by the run's seed, is held out when ``fit`` starts; those sequences never train.
* **The judgement**, after the generator update of every ``validate_every``-th step and of the last one, on the
  generator sampling comes from at that moment (the weight average when on): see the judge's protocol. It uses
  its own seeded generators and leaves torch's global streams as they were, so the training is bitwise the
  same as with the judge never called (only the held-out split changes what trains).
* **The best** (lowest score; the earliest on ties) is kept - a copy of the sampling generator's weights, in
  memory and in checkpoints, so a resumed run keeps it - and becomes the generator that samples (the model
  file's). The last step, when it falls between judgement steps, is judged apart: a resumed run that trains
  past it drops that judgement, so it ends as a run never stopped there would. ``gan.validation_``: one row
  per judgement (step, score, discriminative, label_fidelity);
  ``gan.best_step_``: the step kept. With a run folder, ``validation.csv`` is rewritten durably at every
  judgement and ``validation.png`` (the curve) drawn after the last step.
* **A score that never improves** - the first judgement still the best after :data:`STALLED_AFTER` more - fails
  the run (``diagnose``: a :class:`tsgan.TrainingFailed` warning, ``gan.diagnosis_``, exit 3 from ``tsgan train``).

Cost (waves main job: the default LSTM pair, batch 64, one CPU thread): a judgement costs about as much as 26
training steps, and the label classifier, trained once, about 25, so ``validate_every=250`` (the default) added
9.9% to the CPU time of 1500 steps (benchmarks/VALIDATION.md).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from ...errors import TsganError
from ...evaluation.judge import JUDGE_STEPS, Judge
from ...evaluation.metrics.training import split, stratified_split
from ...nn.contracts import CategoricalSoftmax
from ..technique import Technique, option, register, sampling_generator

VALIDATE_EVERY = 250
STALLED_AFTER = 4  # judgements after the first, none better than it: the run's validation score never improved
MIN_HELD_OUT = 4  # the least the judge accepts; its accuracy on few sequences is mostly noise (about 0.5 / sqrt(2 n))
SEED_OFFSET = 7  # the split's and the judge's seeds: the run's seed plus this (the loop's streams use + 0 to + 3)
CSV, PICTURE = "validation.csv", "validation.png"


@register
@dataclass(kw_only=True, eq=False)
class Validation(Technique):
    name: ClassVar[str] = "validation"
    summary: ClassVar[str] = ("hold out a validation split, score the generator with a strict judge every K steps "
                              "and sample from the best one (off by default)")
    order: ClassVar[int] = 95  # after the weight average: it judges the sampler each step made, and its best replaces it
    validate_every: int = option(VALIDATE_EVERY, f"hold out a validation split and score the generator on it every K steps "
                                 f"(and at the last), sampling from the best one; a flag alone: every {VALIDATE_EVERY} "
                                 f"(default 0: off)", off=0, const=VALIDATE_EVERY, metavar="K")
    validation_split: float = option(0.2, "fraction of the sequences held out for validation, stratified by label "
                                          "(default 0.2)", metavar="FRACTION")
    judge_steps: int = option(JUDGE_STEPS, f"training steps of the validation judge's classifier per judgement (more: a "
                                           f"stricter, slower judge; default {JUDGE_STEPS})", metavar="STEPS")

    def check_options(self) -> None:
        if isinstance(self.validate_every, bool) or not isinstance(self.validate_every, (int, np.integer)) or self.validate_every < 1:
            raise TsganError(f"validate_every must be a whole number of steps >= 1 (0 turns validation off), got {self.validate_every!r}")
        if isinstance(self.validation_split, bool) or not isinstance(self.validation_split, (int, float)) or not 0 < self.validation_split < 1:
            raise TsganError(f"validation_split must be a fraction between 0 and 1 (e.g. 0.2), got {self.validation_split!r}")
        if isinstance(self.judge_steps, bool) or not isinstance(self.judge_steps, (int, np.integer)) or self.judge_steps < 1:
            raise TsganError(f"judge_steps must be a whole number >= 1, got {self.judge_steps!r}")

    def validate(self, setting) -> None:
        if getattr(setting.model, "attribute_dim", 0):  # its held-out split and judge read class indices, not the conditioning
            raise TsganError("validation (validate_every) does not combine with series attributes yet: its held-out judge "
                             "conditions on labels only; drop validate_every or the attributes")
        if setting.has("semi-supervised"):  # its prepare reads every sequence before this technique holds any out
            raise TsganError("validation does not combine with the semi-supervised discriminator yet; drop validate_every "
                             "or semi_supervised")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._forget()

    def _forget(self) -> None:
        self.history: list[dict] = []
        self.best_step: int | None = None
        # candidates {"step", "score", "weights"}: the best at a multiple of validate_every, the run's last step
        self._kept = self._last = None
        self._module = self._module_holds = None  # the best one's generator, made when first sampled from

    # -- training --------------------------------------------------------------------------------------
    def start(self, trainer) -> None:
        self.trainer = trainer
        self._forget()

    def prepare(self, trainer, X, y):
        seed = trainer.cfg.seed + SEED_OFFSET
        rng = np.random.default_rng(seed)
        labels = None if y is None else y.cpu().numpy()
        if labels is None:
            train, held = (np.sort(part) for part in split(len(X), self.validation_split, rng))
        else:
            train, held = stratified_split(labels, self.validation_split, rng)
        if len(held) < MIN_HELD_OUT:
            raise TsganError(f"validation_split {self.validation_split} of {len(X)} sequences holds out {len(held)}; the judge "
                             f"needs at least {MIN_HELD_OUT}: raise validation_split or bring more data")
        if len(train) < trainer.cfg.batch_size:
            raise TsganError(f"after holding out {len(held)} sequences for validation, {len(train)} are left to train with a "
                             f"batch of {trainer.cfg.batch_size}; lower the batch size or validation_split")
        train, held = torch.from_numpy(train).to(X.device), torch.from_numpy(held).to(X.device)
        conditional = y is not None and getattr(trainer.G, "n_classes", 0) > 0
        groups = next((m.groups for m in trainer.G.modules() if isinstance(m, CategoricalSoftmax)), [])
        from ...training.runtime import cpu_threads  # here: the training package imports the techniques

        with cpu_threads(trainer.device, trainer.cfg.threads):  # the label classifier trains with the run's threads
            self.judge = Judge(X[train], X[held], y[train] if conditional else None, y[held] if conditional else None,
                               categorical=groups, seed=seed, steps=self.judge_steps, label_steps=self.judge_steps)
        return X[train], None if y is None else y[train]

    def after_generator_step(self, step) -> None:
        trainer = self.trainer
        done = trainer.step + 1  # the loop counts this step once its hooks have run
        if done % self.validate_every and done != trainer.cfg.steps:
            return
        sampler = sampling_generator(trainer.techniques, trainer.G, before=self)
        scores = self._judge(sampler)
        self.history.append({"step": done, **scores.row()})
        if done % self.validate_every == 0:
            if self._kept is None or scores.score < self._kept["score"]:
                self._kept = self._candidate(done, scores.score, sampler)
        else:  # the run's last step, between judgement steps: kept apart, as a resume that trains further drops it
            self._last = self._candidate(done, scores.score, sampler)
        self.best_step = self._best()["step"]
        self._write(done == trainer.cfg.steps)

    @staticmethod
    def _candidate(step: int, score: float, sampler: torch.nn.Module) -> dict:
        return {"step": step, "score": score, "weights": {k: v.detach().clone() for k, v in sampler.state_dict().items()}}

    def _best(self) -> dict | None:
        """The best judged generator (lowest score, the earliest on ties), or None before the first judgement."""
        candidates = [c for c in (self._kept, self._last) if c is not None]
        return min(candidates, key=lambda c: (c["score"], c["step"])) if candidates else None

    def _judge(self, sampler: torch.nn.Module):
        trainer, game = self.trainer, self.trainer.game
        was_training = sampler.training
        sampler.eval()
        try:
            with torch.autocast(trainer.device.type, enabled=False):  # the judge works in float32 (a bf16 run's hole)
                return self.judge.score(lambda n, labels, rng: sampler(game.noise(sampler, n, rng), labels))
        finally:
            sampler.train(was_training)

    def _write(self, last: bool) -> None:
        folder = getattr(self.trainer, "out_dir", None)
        if folder is None:
            return
        import pandas as pd

        from ...evaluation.plots import plot_validation
        from ...outputs import write_frame

        write_frame(pd.DataFrame(self.history), Path(folder) / CSV, overwrite=True)
        if last:
            plot_validation(self.history, self.best_step, Path(folder) / PICTURE)

    def sampler(self, G):
        """The best generator judged so far (None before the first judgement: sampling keeps ``G``)."""
        best = self._best()
        if best is None:
            return None
        if self._module is None:
            self._module = copy.deepcopy(G)
        if self._module_holds is not best:
            self._module.load_state_dict(best["weights"])
            self._module_holds = best
        return self._module

    def diagnose(self, trainer) -> str | None:
        """A run whose first judgement stays the best through :data:`STALLED_AFTER` more: training past it did not
        make the generator any better by the judge (it samples from that first one)."""
        judged = [row for row in self.history if row["step"] % self.validate_every == 0]
        if len(judged) <= STALLED_AFTER or self._kept is None or self._kept["step"] != judged[0]["step"]:
            return None
        first, last = judged[0], judged[-1]
        return (f"the validation score never improved after its first judgement (step {first['step']}: {first['score']:.3f}; "
                f"{len(judged) - 1} judgements since, the last {last['score']:.3f} at step {last['step']}): the model samples "
                f"from step {first['step']} - try another loss (--loss wgan-gp) or other learning rates (--lr-g, --lr-d)")

    # -- state -----------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"history": self.history, "kept": self._kept, "last": self._last}

    def load_state_dict(self, state: dict) -> None:
        self.history, self._kept, self._last = list(state["history"]), state["kept"], state["last"]
        self._module = self._module_holds = None
        if self._last is not None and self._last["step"] != self.trainer.cfg.steps:
            # the end of a shorter run, which this one trains past: judged as a run that never stopped there
            self.history = [row for row in self.history if row["step"] != self._last["step"]]
            self._last = None
        best = self._best()
        self.best_step = None if best is None else best["step"]

    def fitted(self) -> dict:
        return {"validation_": list(self.history), "best_step_": self.best_step}

    def load_fitted(self, fitted: dict) -> None:
        self.history, self.best_step = list(fitted.get("validation_", [])), fitted.get("best_step_")
