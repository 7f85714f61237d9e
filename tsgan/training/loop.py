"""The one training loop, shared by every model family, loss and technique: the only place that calls
``backward()`` or an optimizer's ``step()``. It sees a generator and a discriminator through their contracts
(:mod:`tsgan.nn`), a loss, and the run's techniques through the plug-in contract (:mod:`tsgan.objective`):
it draws batches and noise, asks the techniques for their terms, takes one step per player update,
checkpoints and calls callbacks by event. It names no technique."""
from __future__ import annotations

import functools
import math
import warnings
from typing import Callable

import torch
from tqdm.auto import tqdm

from .. import distributed
from ..errors import TsganError
from ..nn.contracts import random_condition
from ..notices import RunFailed
from ..objective.composition import compose, game_of
from ..objective.technique import Step, Technique, Term, sampling_generator
from .config import TrainConfig
from .runtime import DeferredInterrupt, autocast, check_precision, cpu_threads, global_stream, trainable


def check_batch_size(n: int, batch_size: int) -> None:
    if n < batch_size:
        raise TsganError(f"only {n} sequences for a batch of {batch_size}; lower the batch size to at most {n} or bring more data")


class TrainingDiverged(RunFailed):
    """A loss became NaN or infinite."""


class Callback:
    """Hooks by event; override what you need. ``records`` are dicts of ``step``, ``d_loss``, ``g_loss`` and
    what the techniques record by name."""

    def on_train_start(self, trainer: "Trainer") -> None: ...
    def on_log(self, trainer: "Trainer", records: list[dict]) -> None: ...
    def on_train_end(self, trainer: "Trainer") -> None: ...


class Trainer:
    """Per step: ``n_critic`` discriminator updates on (real batch, generated batch), then one generator
    update. Generated sequences take the labels of real batches, so classes are drawn as often as the
    data hold them. The run's game technique (the plain GAN or a variant) says what the
    discriminator sees as real and as fake; every technique may add a term to either loss, act after an
    update and keep state that checkpoints hold (:class:`tsgan.objective.technique.Technique`).

    ``save_checkpoint(trainer)`` is called every ``checkpoint_every`` steps and at the end, only after the
    losses so far were checked finite, so the last checkpoint on disk is always good. ``out_dir``: the run
    folder, where techniques may write their records (None: nowhere).
    """

    def __init__(self, generator: torch.nn.Module, discriminator: torch.nn.Module, loss, config: TrainConfig, *,
                 techniques: tuple | None = None, save_checkpoint: Callable[["Trainer"], None] | None = None,
                 callbacks: tuple[Callback, ...] = (), out_dir=None) -> None:
        self.G, self.D, self.cfg, self.out_dir = generator, discriminator, config, out_dir
        self.techniques = compose(loss) if techniques is None else tuple(techniques)  # ordered (tsgan.objective.composition)
        self.game = game_of(self.techniques)
        self.loss = functools.reduce(lambda current, t: t.adapt_loss(current), self.techniques, loss)
        self.device = next(generator.parameters()).device
        check_precision(self.device, config.precision, generator, discriminator)
        self.world = distributed.world_size()  # > 1: data-parallel (tsgan.distributed)
        self.save_checkpoint = save_checkpoint
        self.callbacks = list(callbacks)
        self.n_critic = config.n_critic or loss.n_critic
        # requires_grad toggles walk these lists, not the module trees, every step; a technique's modules
        # train with the player whose side they are on
        self._params_g = list(generator.parameters()) + [p for t in self.techniques for p in t.parameters_of("generator")]
        self._params_d = list(discriminator.parameters()) + [p for t in self.techniques for p in t.parameters_of("discriminator")]
        self.opt_g = self._optimizer(self._params_g, config.lr_g if config.lr_g is not None else loss.lr)
        self.opt_d = self._optimizer(self._params_d, config.lr_d if config.lr_d is not None else loss.lr_d)
        for t in self.techniques:
            self.opt_g, self.opt_d = t.wrap_optimizer(self, "generator", self.opt_g), t.wrap_optimizer(self, "discriminator", self.opt_d)
        self._uses_real_input = any(t.uses_real_input for t in self.techniques)
        self._chooses_batch = any(type(t).critic_batch is not Technique.critic_batch for t in self.techniques)
        self._adversarial = not any(t.replaces_adversarial for t in self.techniques)
        self.step = 0
        self.history: list[dict] = []
        self.resumes: list[int] = []  # the steps at which resumed runs began (marked on the loss curve)
        self._pending: list[torch.Tensor] = []
        self._keys: tuple[str, ...] | None = None  # the recorded values' names, fixed by the first step
        self._global_rng: tuple | None = None  # torch's global stream from a checkpoint, set when fit starts
        self.data_rng = torch.Generator().manual_seed(config.seed)
        self.noise_rng = torch.Generator(device=self.device).manual_seed(config.seed + 1)
        for t in self.techniques:
            t.start(self)

    @property
    def sampling_generator(self) -> torch.nn.Module:
        """The generator to sample from: the trained one, or what the techniques make of it."""
        return sampling_generator(self.techniques, self.G)

    def _optimizer(self, params: list[torch.Tensor], lr: float) -> torch.optim.Optimizer:
        # foreach: one multi-tensor kernel per operation instead of one per weight - the same arithmetic (bitwise the
        # same models: benchmarks/fingerprint.py), about a tenth less CPU time per step of the default model on a CPU
        # (18.2 against 20.4 ms), where torch would otherwise take the per-weight loop (it picks foreach only on CUDA)
        if self.loss.betas is None:
            return torch.optim.RMSprop(params, lr=lr, foreach=True)
        return torch.optim.Adam(params, lr=lr, betas=self.loss.betas, foreach=True)

    # -- one step --------------------------------------------------------------------------------
    def indices(self, n: int) -> torch.Tensor:
        """A global batch of indices; data-parallel: this process's slice of it."""
        return distributed.shard(torch.randint(n, (self.cfg.batch_size,), generator=self.data_rng)).to(self.device, non_blocking=True)

    def _noise(self, rows: int | None = None) -> torch.Tensor:
        """The generator's noise (with a variant's codes) for a global batch (or ``rows``, the size of a batch a
        technique chose); data-parallel: this process's slice of it."""
        return distributed.shard(self.game.noise(self.G, rows or self.cfg.batch_size, self.noise_rng))

    def _update(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor, params: list[torch.Tensor]) -> None:
        optimizer.zero_grad(set_to_none=True)
        with autocast(self.device, self.cfg.precision, enabled=False):  # backward outside the mixed-precision region
            loss.backward()
        if self.world > 1:
            distributed.average_gradients(params)
        optimizer.step()

    def _d_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        return self.loss.d_loss(real_scores, fake_scores)

    @staticmethod
    def _add_terms(total: torch.Tensor, terms, logs: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """``total`` plus each term in order; returns (the loss to minimise, the recorded part of it)."""
        recorded = total
        for term in terms:
            if term is None:
                continue
            term = term if isinstance(term, Term) else Term(term)
            total = total + term.value
            if term.recorded:
                recorded = total
            logs.update({k: v.detach().float() for k, v in term.logs.items()})
        return total, recorded

    def _critic_batch(self, n: int) -> torch.Tensor:
        """The real rows of one critic update: a technique's choice, or a uniform batch."""
        for t in self.techniques if self._chooses_batch else ():
            if (idx := t.critic_batch(self, n)) is not None:
                return idx
        return self.indices(n)

    def _critic_step(self, X, y, logs: dict | None = None) -> torch.Tensor:
        idx = self._critic_batch(len(X))
        real, labels = X[idx], (None if y is None else y[idx])
        noise = self._noise(len(idx) if self._chooses_batch else None)  # as many generated rows as real ones
        with torch.no_grad():  # what the discriminator sees as real and as fake (the plain GAN: real, G(noise))
            real_in, fake_in = self.game.real_input(real, noise, labels), self.game.fake_input(self.G, real, noise, labels)
        step = Step(self, self.G, self.D, self.loss, real, labels, noise, real_in, fake_in)
        d_loss = self._d_loss(self.D(real_in, labels), self.D(fake_in, labels))
        total, recorded = self._add_terms(d_loss, (t.critic_term(step) for t in self.techniques), {} if logs is None else logs)
        self._update(self.opt_d, total, self._params_d)
        for t in self.techniques:
            t.after_critic_step(step)
        return recorded.detach().float()

    def _generator_step(self, X, y) -> torch.Tensor:
        game = self.game
        # a real batch only if needed
        idx = self.indices(len(X)) if y is not None or self._uses_real_input or game.needs_real else None
        real, labels = (None, None) if idx is None else (X[idx], None if y is None else y[idx])
        trainable(self._params_d, False)  # no gradients into the discriminator's weights here
        noise = self._noise()
        fake_in = game.fake_input(self.G, real, noise, labels)
        real_in = game.real_input(real, noise, labels) if game.scores_real or self._uses_real_input else None
        step = Step(self, self.G, self.D, self.loss, real, labels, noise, real_in, fake_in)
        g_loss = (game.adversarial_loss(self.loss, self.D, real_in, fake_in, labels) if self._adversarial
                  else torch.zeros((), device=self.device))
        total, recorded = self._add_terms(g_loss, (t.generator_term(step) for t in self.techniques), {})
        self._update(self.opt_g, total, self._params_g)
        trainable(self._params_d, True)
        for t in self.techniques:
            t.after_generator_step(step)
        return recorded.detach().float()

    # -- the loop --------------------------------------------------------------------------------
    def fit(self, X: torch.Tensor, y: torch.Tensor | None = None) -> list[dict]:
        """Train until ``config.steps``; ``X`` is ``(n, T, d)`` scaled data, ``y`` class indices or None
        (a technique may read more into them in its ``prepare`` hook, such as -1 for unlabelled sequences)."""
        cfg = self.cfg
        check_batch_size(len(X), cfg.batch_size)
        modules = torch.nn.ModuleList(t.modules for t in self.techniques)
        if self.world > 1:
            distributed.check_batch(cfg.batch_size)
            for module in (self.G, self.D, modules):  # every process starts from rank 0's weights
                distributed.broadcast_module(module)
        X = X.to(self.device)
        y = None if y is None else y.to(self.device)
        for t in self.techniques:
            X, y = t.prepare(self, X, y)
        for module in (self.G, self.D, modules):
            module.train()
        for cb in self.callbacks:
            cb.on_train_start(self)
        bar = tqdm(total=cfg.steps, initial=self.step, disable=not cfg.progress or not distributed.is_main(), desc="training", unit="step", dynamic_ncols=True)
        # data-parallel: processes could see Ctrl-C at different steps, so it stops them at once (no collective after it)
        interrupt, in_step = DeferredInterrupt(enabled=self.world == 1), False
        stream = global_stream(self.device, cfg.seed + 3 + self.step, self._global_rng)
        self._global_rng = None
        threads = cpu_threads(self.device, cfg.threads)
        threads.__enter__()
        try:
            while self.step < cfg.steps:
                in_step, logs = True, {}
                trainable(self._params_g, False)
                for _ in range(self.n_critic):
                    with autocast(self.device, cfg.precision):
                        d_loss = self._critic_step(X, y, logs)
                trainable(self._params_g, True)
                with autocast(self.device, cfg.precision):
                    g_loss = self._generator_step(X, y)
                self._record(d_loss, g_loss, logs)
                self.step += 1
                in_step = False
                bar.update(1)
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    self._flush(bar)
                if self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps:
                    if self.save_checkpoint or self.world > 1:  # data-parallel: every process flushes (a collective)
                        self._flush(bar)  # checks every loss so far: only a finite model reaches the disk
                    if self.save_checkpoint:
                        self._check_collapse(X)
                        self.save_checkpoint(self)
                if interrupt.requested:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            # Keep what was trained: save the interrupted run (if its losses are finite) so --resume continues it -
            # at a step boundary only: a half-done step (a second Ctrl-C) would not resume to the same model.
            if self.world == 1:
                self._flush(bar)
                if self.save_checkpoint and not in_step:
                    self.save_checkpoint(self)
            raise
        finally:
            threads.__exit__(None, None, None)
            stream.__exit__(None, None, None)
            interrupt.restore()
            bar.close()
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def _record(self, d_loss: torch.Tensor, g_loss: torch.Tensor, logs: dict) -> None:
        if self._keys is None:
            self._keys = ("d_loss", "g_loss", *sorted(logs))
        self._pending.append(torch.stack([d_loss, g_loss, *(logs[k] for k in self._keys[2:])]))

    def _flush(self, bar) -> None:
        """Fetch pending losses from the device in one transfer, record them, stop on NaN/inf."""
        if not self._pending:
            return
        values = torch.stack(self._pending)
        values = (distributed.average(values) if self.world > 1 else values).cpu().tolist()  # data-parallel: global batch means
        first_step = self.step - len(values) + 1
        self._pending.clear()
        records = [{"step": first_step + i, **dict(zip(self._keys, row))} for i, row in enumerate(values)]
        for rec in records:
            if not all(math.isfinite(v) for k, v in rec.items() if k != "step"):
                self.save_checkpoint = None  # never overwrite the last good checkpoint with a diverged model
                raise TrainingDiverged(
                    f"training diverged: a loss became NaN or infinite at step {rec['step']}; the last good checkpoint "
                    "is kept - lower the learning rate, or try another loss (--loss)"
                )
        self.history.extend(records)
        bar.set_postfix(d_loss=f"{records[-1]['d_loss']:.3f}", g_loss=f"{records[-1]['g_loss']:.3f}", refresh=False)
        for cb in self.callbacks:
            cb.on_log(self, records)

    @torch.no_grad()
    def _check_collapse(self, X: torch.Tensor, n: int = 256) -> None:
        """Warn when generated sequences vary far less across a batch than real ones (mode collapse)."""
        # A separate seeded generator, so the check does not shift the training's random streams.
        rng = torch.Generator(device=self.device).manual_seed(self.cfg.seed + 2)
        real = X[:n]
        labels = random_condition(self.G, len(real), rng, self.device)  # uniform classes (attributes at their middle)
        was_training = self.G.training
        self.G.eval()
        fake = self.G(self.game.noise(self.G, len(real), rng), labels)
        self.G.train(was_training)
        ratio = (fake.std(dim=0).mean() / real.std(dim=0).mean().clamp_min(1e-8)).item()
        if ratio < 0.1:
            warnings.warn(f"step {self.step}: generated sequences vary {ratio:.0%} as much as real ones - the generator may have collapsed", stacklevel=2)

    # -- resume ----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "step": self.step,
            "history": self.history,
            "resumes": self.resumes,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "techniques": {t.name: state for t in self.techniques if (state := t.state_dict()) is not None},
            "data_rng": self.data_rng.get_state(),
            "noise_rng": self.noise_rng.get_state(),
            # torch's global stream inside fit (see tsgan.training.runtime.global_stream)
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        }

    def load_state_dict(self, state: dict) -> None:
        self.step = int(state["step"])
        self.history = list(state["history"])
        self.resumes = [*state.get("resumes", ()), self.step]
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        saved = state.get("techniques", {})
        for t in self.techniques:
            if saved.get(t.name) is not None:
                t.load_state_dict(saved[t.name])
        self.data_rng.set_state(state["data_rng"].cpu())
        self.noise_rng.set_state(state["noise_rng"].to("cpu"))
        self._global_rng = (state["torch_rng"], state.get("cuda_rng")) if state.get("torch_rng") is not None else None
