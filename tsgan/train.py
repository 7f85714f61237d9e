"""The one training loop, shared by every model family and loss: the only place that calls
``backward()`` or an optimizer's ``step()``. Nothing here is specific to an architecture: it sees a
generator and a discriminator through their contracts (``tsgan.models``) and a ``Loss``."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from .errors import TsganError
from .losses import HistoricalAverage, Loss, class_loss, feature_matching_loss, gradient_penalty


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


def _has_rnn(module: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.nn.RNNBase) for m in module.modules())


class Trainer:
    """Per step: ``n_critic`` discriminator updates on (real batch, generated batch), then one
    generator update. Generated sequences take the labels of real batches, so classes are drawn
    as often as the data hold them.

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
    ) -> None:
        self.G, self.D, self.loss, self.cfg = generator, discriminator, loss, config
        self.device = next(generator.parameters()).device
        self.save_checkpoint = save_checkpoint
        self.callbacks = list(callbacks)
        self._check_options()
        self.n_critic = config.n_critic or loss.n_critic
        self.opt_g = self._optimizer(generator, config.lr_g)
        self.opt_d = self._optimizer(discriminator, config.lr_d, discriminator=True)
        self.G_ema = (AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True)
                      if config.ema_decay > 0 else None)
        self.hist_g = HistoricalAverage(generator) if config.historical_averaging_g > 0 else None
        self.hist_d = HistoricalAverage(discriminator) if config.historical_averaging_d > 0 else None
        self.semi_supervised = getattr(discriminator, "n_logits", 0) > 0
        self._labelled: tuple[torch.Tensor, torch.Tensor] | None = None  # semi-supervised: the labelled sequences
        self.step = 0
        self.history: list[dict] = []
        self._pending: list[torch.Tensor] = []
        self.data_rng = torch.Generator().manual_seed(config.seed)
        self.noise_rng = torch.Generator(device=self.device).manual_seed(config.seed + 1)
        # cuDNN's RNN has no double backward in train mode: the gradient penalty's forward runs
        # without cuDNN for critics that hold an RNN; everything else keeps cuDNN's speed.
        self._penalty_needs_native_rnn = loss.gradient_penalty and self.device.type == "cuda" and _has_rnn(discriminator)

    def _check_options(self) -> None:
        cfg, classic = self.cfg, self.loss.name == "gan"
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

    @property
    def sampling_generator(self) -> torch.nn.Module:
        """The generator to sample from: the weight average when there is one."""
        return self.G if self.G_ema is None else self.G_ema.module

    def _optimizer(self, module: torch.nn.Module, lr: float | None, discriminator: bool = False) -> torch.optim.Optimizer:
        lr = lr or (self.loss.lr_d if discriminator else self.loss.lr)
        if self.loss.betas is None:
            return torch.optim.RMSprop(module.parameters(), lr=lr)
        return torch.optim.Adam(module.parameters(), lr=lr, betas=self.loss.betas)

    # -- one step --------------------------------------------------------------------------------
    def _indices(self, n: int) -> torch.Tensor:
        return torch.randint(n, (self.cfg.batch_size,), generator=self.data_rng).to(self.device, non_blocking=True)

    def _batch(self, X: torch.Tensor, y: torch.Tensor | None):
        idx = self._indices(len(X))
        return X[idx], (None if y is None else y[idx])

    def _critic_step(self, X, y) -> tuple[torch.Tensor, torch.Tensor]:
        real, labels = self._batch(X, y)
        with torch.no_grad():
            fake = self.G(self.G.sample_noise(len(real), self.noise_rng), labels)
        d_loss = self._d_loss(self.D(real, labels), self.D(fake, labels))
        if self._labelled is not None:  # semi-supervised: the class of labelled real sequences, beside real/fake
            X_l, y_l = self._labelled
            idx = self._indices(len(X_l))
            d_loss = d_loss + class_loss(self.D.class_logits(X_l[idx]), y_l[idx])
        if self.hist_d is not None:
            d_loss = d_loss + self.cfg.historical_averaging_d * self.hist_d.penalty()
        penalty = torch.zeros((), device=self.device)
        if self.loss.gradient_penalty:
            with torch.backends.cudnn.flags(enabled=not self._penalty_needs_native_rnn):
                penalty = gradient_penalty(lambda x: self.D(x, labels), real, fake, self.noise_rng)
        self.opt_d.zero_grad(set_to_none=True)
        (d_loss + self.cfg.gp_weight * penalty).backward()
        self.opt_d.step()
        if self.loss.clip:
            with torch.no_grad():
                for p in self.D.parameters():
                    p.clamp_(-self.cfg.clip_value, self.cfg.clip_value)
        if self.hist_d is not None:
            self.hist_d.update()
        return d_loss.detach(), penalty.detach()

    def _d_loss(self, real_scores, fake_scores):
        if self.cfg.real_target != 1.0:
            return self.loss.d_loss(real_scores, fake_scores, real_target=self.cfg.real_target)
        return self.loss.d_loss(real_scores, fake_scores)

    def _generator_step(self, X, y) -> torch.Tensor:
        cfg = self.cfg
        idx = self._indices(len(X)) if y is not None or cfg.feature_matching else None  # a real batch only if needed
        labels = None if y is None else y[idx]
        self.D.requires_grad_(False)  # no gradients into the discriminator's weights here
        fake = self.G(self.G.sample_noise(cfg.batch_size, self.noise_rng), labels)
        g_loss = torch.zeros((), device=self.device) if cfg.feature_matching_only else self.loss.g_loss(self.D(fake, labels))
        if cfg.feature_matching:
            with torch.no_grad():
                target = self.D.features(X[idx], labels)
            g_loss = g_loss + cfg.feature_matching * feature_matching_loss(target, self.D.features(fake, labels))
        if self.hist_g is not None:
            g_loss = g_loss + cfg.historical_averaging_g * self.hist_g.penalty()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self.D.requires_grad_(True)
        if self.hist_g is not None:
            self.hist_g.update()
        if self.G_ema is not None:
            self.G_ema.update_parameters(self.G)
        return g_loss.detach()

    # -- the loop --------------------------------------------------------------------------------
    def fit(self, X: torch.Tensor, y: torch.Tensor | None = None) -> list[dict]:
        """Train until ``config.steps``; ``X`` is ``(n, T, d)`` scaled data, ``y`` class indices or None.

        With a semi-supervised discriminator, ``y`` is -1 for unlabelled sequences: every sequence is
        real data for the real/fake game (neither network is conditioned), the labelled ones also
        train the discriminator's classes."""
        cfg = self.cfg
        check_batch_size(len(X), cfg.batch_size)
        X = X.to(self.device)
        y = None if y is None else y.to(self.device)
        if self.semi_supervised:
            if y is None or not (y >= 0).any():
                raise TsganError("the semi-supervised discriminator needs some labelled sequences (labels y, -1 where unknown)")
            self._labelled, y = (X[y >= 0], y[y >= 0]), None
        self.G.train()
        self.D.train()
        for cb in self.callbacks:
            cb.on_train_start(self)
        bar = tqdm(total=cfg.steps, initial=self.step, disable=not cfg.progress, desc="training", unit="step", dynamic_ncols=True)
        try:
            while self.step < cfg.steps:
                self.G.requires_grad_(False)
                for _ in range(self.n_critic):
                    d_loss, penalty = self._critic_step(X, y)
                self.G.requires_grad_(True)
                g_loss = self._generator_step(X, y)
                self._pending.append(torch.stack([d_loss, g_loss, penalty]))
                self.step += 1
                bar.update(1)
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    self._flush(bar)
                if self.save_checkpoint and (self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps):
                    self._flush(bar)  # checks every loss so far: only a finite model reaches the disk
                    self._check_collapse(X)
                    self.save_checkpoint(self)
        except KeyboardInterrupt:
            # Keep what was trained: save the interrupted run (if its losses are finite) so --resume continues it.
            self._flush(bar)
            if self.save_checkpoint:
                self.save_checkpoint(self)
            raise
        finally:
            bar.close()
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def _flush(self, bar) -> None:
        """Fetch pending losses from the device in one transfer, record them, stop on NaN/inf."""
        if not self._pending:
            return
        values = torch.stack(self._pending).cpu().tolist()
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
        fake = self.G(self.G.sample_noise(len(real), rng), labels)
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
        }

    def load_state_dict(self, state: dict) -> None:
        self.step = int(state["step"])
        self.history = list(state["history"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.G_ema is not None and state.get("G_ema") is not None:
            self.G_ema.load_state_dict(state["G_ema"])
        for average, key in ((self.hist_g, "historical_g"), (self.hist_d, "historical_d")):
            if average is not None and state.get(key) is not None:
                average.load_state_dict(state[key])
        self.data_rng.set_state(state["data_rng"].cpu())
        self.noise_rng.set_state(state["noise_rng"].to("cpu"))
