"""The one training loop, shared by every model family and loss: the only place that calls
``backward()`` or an optimizer's ``step()``. Nothing here is specific to an architecture: it sees a
generator and a discriminator through their contracts (``tsgan.models``) and a ``Loss``."""
from __future__ import annotations

import contextlib
import itertools
import math
import signal
import threading
import warnings
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from . import distributed
from .errors import TsganError
from .losses import HistoricalAverage, Loss, class_loss, feature_matching_loss, gradient_penalty
from .variants import Variant


PRECISIONS = ("32", "bf16")


@dataclass
class TrainConfig:
    """Training options; ``None`` takes the loss's default from its paper (see ``tsgan.losses.LOSSES``)."""

    loss: str = "gan"
    steps: int = 12000
    batch_size: int = 64
    seed: int = 0
    device: str = "auto"
    lr_g: float | None = None
    lr_d: float | None = None
    n_critic: int | None = None
    gp_weight: float = 10.0  # WGAN-GP's lambda
    clip_value: float = 0.01  # WGAN's weight clipping
    real_target: float = 1.0  # < 1: one-sided label smoothing (classic loss): real targets this, fake stay 0
    # Techniques of Salimans et al. 2016 (the semi-supervised discriminator and virtual batch norm are
    # parts of the model: tsgan.ModelConfig). Recorded losses are each player's whole objective,
    # without the gradient penalty (recorded apart).
    feature_matching: float = 0.0  # > 0: weight of ||mean D.features(real) - mean D.features(fake)||^2 in G's loss
    feature_matching_only: bool = False  # G's loss is the feature-matching term alone, no adversarial term
    historical_averaging_g: float = 0.0  # > 0: weight of ||theta_G - mean of past theta_G||^2 in G's loss
    historical_averaging_d: float = 0.0  # > 0: the same for the discriminator
    # Samples come from an exponential moving average of the generator's weights (Yazici et al. 2019):
    # it smooths the classic GAN's oscillation between modes. 0: sample from the last weights.
    ema_decay: float = 0.995
    log_every: int = 10  # losses are fetched from the device (and checked finite) this often
    checkpoint_every: int = 500
    # "bf16": forward passes under torch.autocast(bfloat16), backward and weights in float32. Measured on an H100
    # with tsgan's default sizes it was no faster (0.72-1.06x, benchmarks/precision.py): these networks are
    # small enough that kernel launches, not arithmetic, bound a step. It may pay for wide networks.
    precision: str = "32"
    progress: bool = True


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise TsganError(f"unknown device '{name}'; use auto, cpu or cuda[:N]") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise TsganError("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu or auto")
    return device


def check_batch_size(n: int, batch_size: int) -> None:
    if n < batch_size:
        raise TsganError(f"only {n} sequences for a batch of {batch_size}; lower the batch size to at most {n} or bring more data")


class TrainingDiverged(TsganError):
    """A loss became NaN or infinite."""


class Callback:
    """Hooks by event; override what you need."""

    def on_train_start(self, trainer: "Trainer") -> None: ...
    def on_log(self, trainer: "Trainer", records: list[dict]) -> None: ...
    def on_train_end(self, trainer: "Trainer") -> None: ...


class _DeferredInterrupt:
    """While training in the main thread, a first Ctrl-C (SIGINT) only sets ``requested``: the loop
    finishes the step, saves it and then raises KeyboardInterrupt; a second Ctrl-C raises at once."""

    def __init__(self, enabled: bool = True) -> None:
        self.requested, self._previous = False, None
        if enabled and threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


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


def _trainable(params: list[torch.Tensor], flag: bool) -> None:
    """``module.requires_grad_(flag)`` on a module's parameter list, collected once."""
    for p in params:
        p.requires_grad_(flag)


def _has_rnn(module: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.nn.RNNBase) for m in module.modules())


class Trainer:
    """Per step: ``n_critic`` discriminator updates on (real batch, generated batch), then one
    generator update. Generated sequences take the labels of real batches, so classes are drawn
    as often as the data hold them.

    A ``variant`` (:mod:`tsgan.variants`: InfoGAN, BiGAN, the adversarial autoencoder; default the
    plain GAN) says what the discriminator sees as real and as fake, adds its terms to either loss and
    brings modules whose parameters join either optimizer; the steps themselves stay these.

    ``save_checkpoint(trainer)`` is called every ``checkpoint_every`` steps and at the end, only
    after the losses so far were checked finite, so the last checkpoint on disk is always good.
    """

    def __init__(
        self,
        generator: torch.nn.Module,
        discriminator: torch.nn.Module,
        loss: Loss,
        config: TrainConfig,
        *,
        save_checkpoint: Callable[["Trainer"], None] | None = None,
        callbacks: tuple[Callback, ...] = (),
        variant: Variant | None = None,
    ) -> None:
        self.G, self.D, self.loss, self.cfg = generator, discriminator, loss, config
        self.variant = variant if variant is not None else Variant()
        self.device = next(generator.parameters()).device
        self.save_checkpoint = save_checkpoint
        self.callbacks = list(callbacks)
        self._check_options()
        self.n_critic = config.n_critic or loss.n_critic
        # requires_grad toggles walk these lists, not the module trees, every step; a variant's modules
        # train with the player whose side they are on
        self._params_g = list(generator.parameters()) + self.variant.parameters("generator")
        self._params_d = list(discriminator.parameters()) + self.variant.parameters("discriminator")
        self.opt_g = self._optimizer(self._params_g, config.lr_g)
        self.opt_d = self._optimizer(self._params_d, config.lr_d, discriminator=True)
        self.G_ema = (AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True)
                      if config.ema_decay > 0 else None)
        self._average: _MovingAverage | None = None  # G_ema's fast update
        self._world = distributed.world_size()  # > 1: data-parallel (tsgan.distributed)
        self.hist_g = HistoricalAverage(generator) if config.historical_averaging_g > 0 else None
        self.hist_d = HistoricalAverage(discriminator) if config.historical_averaging_d > 0 else None
        self.semi_supervised = getattr(discriminator, "n_logits", 0) > 0
        self._labelled: tuple[torch.Tensor, torch.Tensor] | None = None  # semi-supervised: the labelled sequences
        self.step = 0
        self.history: list[dict] = []
        self._pending: list[torch.Tensor] = []
        self._global_rng: tuple | None = None  # torch's global stream from a checkpoint, set when fit starts
        self.data_rng = torch.Generator().manual_seed(config.seed)
        self.noise_rng = torch.Generator(device=self.device).manual_seed(config.seed + 1)
        # cuDNN's RNN has no double backward in train mode: the gradient penalty's forward runs
        # without cuDNN for critics that hold an RNN; everything else keeps cuDNN's speed.
        self._penalty_needs_native_rnn = loss.gradient_penalty and self.device.type == "cuda" and _has_rnn(discriminator)

    def _check_options(self) -> None:
        cfg, classic = self.cfg, self.loss.name == "gan"
        if cfg.precision not in PRECISIONS:
            raise TsganError(f"unknown precision '{cfg.precision}'; use one of {', '.join(PRECISIONS)}")
        if not 0 < cfg.real_target <= 1:
            raise TsganError(f"real_target (label smoothing) must be in (0, 1], got {cfg.real_target}; 0.9 is usual")
        if cfg.real_target != 1.0 and not classic:
            raise TsganError(f"label smoothing (real_target={cfg.real_target}) applies to the classic 'gan' loss; "
                             f"the '{self.loss.name}' critic has no targets")
        for name in ("feature_matching", "historical_averaging_g", "historical_averaging_d"):
            if getattr(cfg, name) < 0:
                raise TsganError(f"{name} is a weight and must be >= 0, got {getattr(cfg, name)}")
        if cfg.feature_matching_only and cfg.feature_matching <= 0:
            raise TsganError("feature_matching_only needs a feature_matching weight > 0 (e.g. 1.0)")
        if getattr(self.D, "n_logits", 0) and not classic:
            raise TsganError(f"the semi-supervised discriminator is trained with the classic 'gan' loss, not '{self.loss.name}'")
        if getattr(self.D, "n_logits", 0) and self.variant.name != "gan":
            raise TsganError(f"the semi-supervised discriminator does not combine with the {self.variant.name} variant")

    @property
    def sampling_generator(self) -> torch.nn.Module:
        """The generator to sample from: the weight average when there is one."""
        return self.G if self.G_ema is None else self.G_ema.module

    def _optimizer(self, params: list[torch.Tensor], lr: float | None, discriminator: bool = False) -> torch.optim.Optimizer:
        lr = lr or (self.loss.lr_d if discriminator else self.loss.lr)
        if self.loss.betas is None:
            return torch.optim.RMSprop(params, lr=lr)
        return torch.optim.Adam(params, lr=lr, betas=self.loss.betas)

    # -- one step --------------------------------------------------------------------------------
    def _indices(self, n: int) -> torch.Tensor:
        """A global batch of indices; data-parallel: this process's slice of it."""
        return distributed.shard(torch.randint(n, (self.cfg.batch_size,), generator=self.data_rng)).to(self.device, non_blocking=True)

    def _noise(self) -> torch.Tensor:
        """The generator's noise (with a variant's codes) for a global batch; data-parallel: this process's slice of it."""
        return distributed.shard(self.variant.noise(self.G, self.cfg.batch_size, self.noise_rng))

    def _autocast(self, enabled: bool = True):
        """The mixed-precision region of a step (``enabled=False``: a hole in it); nothing at float32 (hot path)."""
        if self.cfg.precision != "bf16":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=enabled)

    def _step(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor, params: list[torch.Tensor]) -> None:
        optimizer.zero_grad(set_to_none=True)
        with self._autocast(enabled=False):  # backward outside the mixed-precision region
            loss.backward()
        if self._world > 1:
            distributed.average_gradients(params)
        optimizer.step()

    def _batch(self, X: torch.Tensor, y: torch.Tensor | None):
        idx = self._indices(len(X))
        return X[idx], (None if y is None else y[idx])

    def _critic_step(self, X, y) -> tuple[torch.Tensor, torch.Tensor]:
        real, labels = self._batch(X, y)
        noise = self._noise()
        with torch.no_grad():  # what the discriminator sees as real and as fake (the plain GAN: real, G(noise))
            real, fake = self.variant.real_input(real, noise, labels), self.variant.fake_input(self.G, real, noise, labels)
        d_loss = self._d_loss(self.D(real, labels), self.D(fake, labels))
        terms = self.variant.critic_terms(self.D, fake, noise, labels)
        if terms is not None:
            d_loss = d_loss + terms
        if self._labelled is not None:  # semi-supervised: the class of labelled real sequences, beside real/fake
            X_l, y_l = self._labelled
            idx = self._indices(len(X_l))
            d_loss = d_loss + class_loss(self.D.class_logits(X_l[idx]), y_l[idx])
        if self.hist_d is not None:
            d_loss = d_loss + self.cfg.historical_averaging_d * self.hist_d.penalty()
        penalty = torch.zeros((), device=self.device)
        if self.loss.gradient_penalty:
            with torch.backends.cudnn.flags(enabled=not self._penalty_needs_native_rnn):
                penalty = gradient_penalty(lambda x: self.D(x, labels), real, fake, self.noise_rng,
                                           self.cfg.batch_size if self._world > 1 else None)
        self._step(self.opt_d, d_loss + self.cfg.gp_weight * penalty, self._params_d)
        if self.loss.clip:
            with torch.no_grad():
                for p in self.D.parameters():
                    p.clamp_(-self.cfg.clip_value, self.cfg.clip_value)
        if self.hist_d is not None:
            self.hist_d.update()
        return d_loss.detach().float(), penalty.detach().float()

    def _d_loss(self, real_scores, fake_scores):
        if self.cfg.real_target != 1.0:
            return self.loss.d_loss(real_scores, fake_scores, real_target=self.cfg.real_target)
        return self.loss.d_loss(real_scores, fake_scores)

    def _generator_step(self, X, y) -> torch.Tensor:
        cfg, variant = self.cfg, self.variant
        # a real batch only if needed
        idx = self._indices(len(X)) if y is not None or cfg.feature_matching or variant.needs_real else None
        real, labels = (None, None) if idx is None else (X[idx], None if y is None else y[idx])
        _trainable(self._params_d, False)  # no gradients into the discriminator's weights here
        noise = self._noise()
        fake = variant.fake_input(self.G, real, noise, labels)
        real_in = variant.real_input(real, noise, labels) if variant.scores_real or cfg.feature_matching else None
        g_loss = (torch.zeros((), device=self.device) if cfg.feature_matching_only
                  else variant.adversarial_loss(self.loss, self.D, real_in, fake, labels))
        if cfg.feature_matching:
            with torch.no_grad():
                target = self.D.features(real_in, labels)
            g_loss = g_loss + cfg.feature_matching * feature_matching_loss(target, self.D.features(fake, labels))
        terms = variant.generator_terms(self.G, self.D, real, noise, fake, labels)
        if terms is not None:
            g_loss = g_loss + terms
        if self.hist_g is not None:
            g_loss = g_loss + cfg.historical_averaging_g * self.hist_g.penalty()
        self._step(self.opt_g, g_loss, self._params_g)
        _trainable(self._params_d, True)
        if self.hist_g is not None:
            self.hist_g.update()
        if self.G_ema is not None:
            if self._average is None:  # built at the first update after construction, fit() or load_state_dict()
                self._average = _MovingAverage(self.G_ema, self.G, self.cfg.ema_decay)
            self._average.update()
        return g_loss.detach().float()

    # -- the loop --------------------------------------------------------------------------------
    def fit(self, X: torch.Tensor, y: torch.Tensor | None = None) -> list[dict]:
        """Train until ``config.steps``; ``X`` is ``(n, T, d)`` scaled data, ``y`` class indices or None.

        With a semi-supervised discriminator, ``y`` is -1 for unlabelled sequences: every sequence is
        real data for the real/fake game (neither network is conditioned), the labelled ones also
        train the discriminator's classes."""
        cfg = self.cfg
        check_batch_size(len(X), cfg.batch_size)
        if self._world > 1:
            distributed.check_batch(cfg.batch_size)
            distributed.broadcast_module(self.G)  # every process starts from rank 0's weights
            distributed.broadcast_module(self.D)
            distributed.broadcast_module(self.variant.modules)
        X = X.to(self.device)
        y = None if y is None else y.to(self.device)
        if self.semi_supervised:
            if y is None or not (y >= 0).any():
                raise TsganError("the semi-supervised discriminator needs some labelled sequences (labels y, -1 where unknown)")
            self._labelled, y = (X[y >= 0], y[y >= 0]), None
        self.G.train()
        self.D.train()
        self.variant.modules.train()
        self._average = None
        for cb in self.callbacks:
            cb.on_train_start(self)
        bar = tqdm(total=cfg.steps, initial=self.step, disable=not cfg.progress or not distributed.is_main(), desc="training", unit="step", dynamic_ncols=True)
        # data-parallel: processes could see Ctrl-C at different steps, so it stops them at once (no collective after it)
        interrupt, in_step = _DeferredInterrupt(enabled=self._world == 1), False
        global_stream = self._global_stream()
        try:
            while self.step < cfg.steps:
                in_step = True
                _trainable(self._params_g, False)
                for _ in range(self.n_critic):
                    with self._autocast():
                        d_loss, penalty = self._critic_step(X, y)
                _trainable(self._params_g, True)
                with self._autocast():
                    g_loss = self._generator_step(X, y)
                self._pending.append(torch.stack([d_loss, g_loss, penalty]))
                self.step += 1
                in_step = False
                bar.update(1)
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    self._flush(bar)
                if self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps:
                    if self.save_checkpoint or self._world > 1:  # data-parallel: every process flushes (a collective)
                        self._flush(bar)  # checks every loss so far: only a finite model reaches the disk
                    if self.save_checkpoint:
                        self._check_collapse(X)
                        self.save_checkpoint(self)
                if interrupt.requested:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            # Keep what was trained: save the interrupted run (if its losses are finite) so --resume continues it -
            # at a step boundary only: a half-done step (a second Ctrl-C) would not resume to the same model.
            if self._world == 1:
                self._flush(bar)
                if self.save_checkpoint and not in_step:
                    self.save_checkpoint(self)
            raise
        finally:
            global_stream.__exit__(None, None, None)
            interrupt.restore()
            bar.close()
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def _global_stream(self):
        """A scope in which torch's global random stream - what modules draw from while training (the
        semi-supervised discriminator's input noise) - is seeded from the config, or restored from the
        checkpoint, and saved with it; the caller's global stream is put back afterwards."""
        scope = torch.random.fork_rng(devices=[self.device] if self.device.type == "cuda" else [])
        scope.__enter__()
        if self._global_rng is not None:
            cpu, cuda = self._global_rng
            torch.set_rng_state(cpu.cpu())
            if cuda is not None and self.device.type == "cuda":
                torch.cuda.set_rng_state(cuda.cpu(), self.device)
            self._global_rng = None
        else:
            torch.manual_seed(self.cfg.seed + 3 + self.step)
        return scope  # entered: fit exits it in its ``finally``

    def _flush(self, bar) -> None:
        """Fetch pending losses from the device in one transfer, record them, stop on NaN/inf."""
        if not self._pending:
            return
        values = torch.stack(self._pending)
        values = (distributed.average(values) if self._world > 1 else values).cpu().tolist()  # data-parallel: global batch means
        first_step = self.step - len(values) + 1
        self._pending.clear()
        records = [
            {"step": first_step + i, "d_loss": d, "g_loss": g, "gradient_penalty": p} for i, (d, g, p) in enumerate(values)
        ]
        for rec in records:
            if not all(math.isfinite(v) for v in (rec["d_loss"], rec["g_loss"], rec["gradient_penalty"])):
                self.save_checkpoint = None  # never overwrite the last good checkpoint with a diverged model
                raise TrainingDiverged(
                    f"training diverged: a loss became NaN or infinite at step {rec['step']}; the last good checkpoint "
                    "is kept - lower the learning rate, or try --loss wgan-gp"
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
        real, labels = X[:n], None
        if getattr(self.G, "n_classes", 0):
            labels = torch.randint(self.G.n_classes, (len(real),), generator=rng, device=self.device)
        was_training = self.G.training
        self.G.eval()
        fake = self.G(self.variant.noise(self.G, len(real), rng), labels)
        self.G.train(was_training)
        ratio = (fake.std(dim=0).mean() / real.std(dim=0).mean().clamp_min(1e-8)).item()
        if ratio < 0.1:
            warnings.warn(f"step {self.step}: generated sequences vary {ratio:.0%} as much as real ones - the generator may have collapsed", stacklevel=2)

    # -- resume ----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "step": self.step,
            "history": self.history,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "G_ema": None if self.G_ema is None else self.G_ema.state_dict(),
            "historical_g": None if self.hist_g is None else self.hist_g.state_dict(),
            "historical_d": None if self.hist_d is None else self.hist_d.state_dict(),
            "data_rng": self.data_rng.get_state(),
            "noise_rng": self.noise_rng.get_state(),
            # torch's global stream inside fit (see _global_stream)
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        }

    def load_state_dict(self, state: dict) -> None:
        self.step = int(state["step"])
        self.history = list(state["history"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.G_ema is not None and state.get("G_ema") is not None:
            self.G_ema.load_state_dict(state["G_ema"])
            self._average = None
        for average, key in ((self.hist_g, "historical_g"), (self.hist_d, "historical_d")):
            if average is not None and state.get(key) is not None:
                average.load_state_dict(state[key])
        self.data_rng.set_state(state["data_rng"].cpu())
        self.noise_rng.set_state(state["noise_rng"].to("cpu"))
        self._global_rng = (state["torch_rng"], state.get("cuda_rng")) if state.get("torch_rng") is not None else None
