"""Differential privacy (DP-SGD, Abadi et al. 2016, with Opacus): the discriminator - the only network that sees
real sequences - trains with per-sample clipped, noised gradients; the generator and its samples are private
by post-processing (as the RCGAN paper trained its private model, Esteban et al. 2017).

* **Batches.** Each critic update sees a Poisson sample of the real rows (each row in with probability
  ``q = batch_size / n``, so batch sizes vary around ``batch_size``), the sampling the accountant's analysis
  assumes; an empty draw is drawn again, and a run where an empty draw is not negligible (its chance over the
  run, times ``1 + e^epsilon``, above a tenth of delta) is refused. The generated half of each critic batch
  has as many rows.
* **Gradients.** Opacus's per-sample gradients (``GradSampleModule`` hooks on the discriminator's layers; its
  LSTM is Opacus's ``DPLSTM``, which holds the same weights under the same names): the gradient of each pair
  (real row i, generated row i) is clipped to ``dp_max_grad_norm``, summed, noised with standard deviation
  ``noise multiplier x dp_max_grad_norm`` and divided by ``batch_size`` (Opacus's ``DPOptimizer`` wraps the
  discriminator's optimizer; the noise comes from torch's seeded stream, not a cryptographic one: Opacus's
  ``secure_mode`` is off, as in its examples).
* **Accountant.** The noise multiplier is the smallest that keeps the whole run (``steps x n_critic`` critic
  updates at rate ``q``) within ``(dp_epsilon, dp_delta)`` under Opacus's RDP accountant
  (``get_noise_multiplier``); the spent ``(epsilon, delta)`` after the run is ``GAN.privacy_``, saved with the
  model (buffers of this technique's module) and checkpointed, so a resumed run counts on; resuming to more
  steps than the budget allows is refused.
* **What is not private.** The guarantee covers each sequence's values as the networks learn them. Released
  as they are (not privatized): the scaler's per-channel minimum and maximum, the class counts (the generator's
  labels are drawn from the real labels; sampling draws classes by the counts), the length table of series of
  unequal length, and the collapse warning's comparison with real spread. Give data whose ranges and class
  counts are public, or scale it by public bounds, where those matter.
* **What combines.** The losses gan and wgan (weight clipping is post-processing), every discriminator
  family, label smoothing, the weight average, virtual batch norm (in the generator). Refused, each with the
  reason: the gradient penalty and R1 (a double backward through per-sample hooks, which Opacus does not
  support), minibatch discrimination (a layer across the batch: per-sample gradients are not per-sample),
  feature matching (the generator's loss reads real features without noise), historical averaging (a weight
  penalty DP-SGD's per-sample gradients would drop), semi-supervised (its labelled batches are not
  Poisson-sampled), InfoGAN (Q's head has no per-sample gradients), BiGAN and the adversarial autoencoder (their
  encoder reads real sequences outside DP-SGD), mixed precision, data-parallel training, and any technique
  not known to keep the guarantee.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from ... import distributed
from ...errors import TsganError
from ..technique import Technique, option, register

# techniques known to keep DP-SGD's guarantee (they do not read real data outside the clipped, noised gradients)
KEEPS_PRIVACY = {"gan", "weight-clipping", "label-smoothing", "weight-average", "virtual-batch-norm"}
REFUSED = {
    "gradient-penalty": "the gradient penalty's double backward through per-sample gradient hooks is not supported by Opacus",
    "r1-penalty": "the R1 penalty's double backward through per-sample gradient hooks is not supported by Opacus",
    "minibatch-discrimination": "minibatch discrimination compares samples across the batch, so per-sample gradients are not per-sample",
    "feature-matching": "feature matching gives the generator real sequences' features without noise",
    "historical-averaging": "historical averaging's weight penalty would be dropped by DP-SGD's per-sample gradients",
    "semi-supervised": "the semi-supervised labelled batches are not Poisson-sampled and clipped",
    "infogan": "InfoGAN's Q head trains without per-sample gradients",
    "bigan": "BiGAN's encoder reads real sequences outside DP-SGD",
    "aae": "the adversarial autoencoder's encoder reads real sequences outside DP-SGD",
}
# RDP orders the accountant bounds epsilon over: whole orders (Opacus's default adds fractional ones below 11, which made
# one noise search 10 s for a tiny run's high sample rate here; whole orders give a valid, at most slightly looser bound)
ALPHAS = tuple(range(2, 65)) + (80, 128, 256)
MAX_NOISE_PER_BATCH = 0.5  # a noise std above this share of the batch's summed clipped gradients leaves nothing to learn


def _opacus():
    try:
        import opacus  # noqa: F401  (lazy: only private runs and their models need it)
    except ImportError:
        raise TsganError("differential privacy needs Opacus: pip install 'tsgan[privacy]' (or pip install opacus)") from None
    return opacus


class Ledger(nn.Module):
    """The run's privacy parameters and spent critic updates, as buffers: saved with the model and checkpoints."""

    def __init__(self) -> None:
        super().__init__()
        for name in ("noise_multiplier", "sample_rate"):
            self.register_buffer(name, torch.zeros((), dtype=torch.float64))
        self.register_buffer("updates", torch.zeros((), dtype=torch.long))


@functools.lru_cache(maxsize=64)
def spent_epsilon(noise_multiplier: float, sample_rate: float, updates: int, delta: float) -> float:
    """Epsilon of ``updates`` DP-SGD steps at ``sample_rate`` and ``noise_multiplier`` for ``delta`` (Opacus's RDP accountant)."""
    if not updates:
        return 0.0
    from opacus.accountants import RDPAccountant
    accountant = RDPAccountant()
    accountant.history = [(noise_multiplier, sample_rate, int(updates))]
    return float(accountant.get_epsilon(delta, alphas=list(ALPHAS)))


def _private_lstms(module: nn.Module) -> None:
    """Every ``nn.LSTM`` in ``module`` replaced by Opacus's DPLSTM holding the same weights (the same state-dict names)."""
    from opacus.layers import DPLSTM
    for name, child in list(module.named_children()):
        if isinstance(child, nn.LSTM):
            if child.proj_size:
                raise TsganError("differential privacy: an LSTM with projections has no Opacus counterpart")
            private = DPLSTM(child.input_size, child.hidden_size, num_layers=child.num_layers, bias=child.bias,
                             batch_first=child.batch_first, dropout=child.dropout, bidirectional=child.bidirectional)
            private.load_state_dict(child.state_dict())
            setattr(module, name, private.to(next(child.parameters()).device))
        else:
            _private_lstms(child)


@register
@dataclass(kw_only=True, eq=False)
class DifferentialPrivacy(Technique):
    name: ClassVar[str] = "differential-privacy"
    summary: ClassVar[str] = ("train the discriminator with DP-SGD (Opacus): per-sample clipped, noised gradients, "
                              "Poisson-sampled real batches, the (epsilon, delta) spent reported and saved")
    order: ClassVar[int] = 95
    resumes_to_more_steps: ClassVar[bool] = False  # the noise is chosen for the run's steps
    dp_epsilon: float | None = option(None, "train with differential privacy spending at most this epsilon over the run "
                                            "(DP-SGD on the discriminator; default: off)", off=None, metavar="EPSILON")
    dp_delta: float = option(1e-5, "differential privacy: delta, below 1/number of sequences (default 1e-5)", metavar="DELTA")
    dp_max_grad_norm: float = option(1.0, "differential privacy: each sample's gradient norm is clipped to this (default 1)",
                                     metavar="C")

    def check_options(self) -> None:
        for name, value in (("dp_epsilon", self.dp_epsilon), ("dp_max_grad_norm", self.dp_max_grad_norm)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise TsganError(f"{name} must be a number > 0, got {value!r}")
        if isinstance(self.dp_delta, bool) or not isinstance(self.dp_delta, (int, float)) or not 0 < self.dp_delta < 1:
            raise TsganError(f"dp_delta must be in (0, 1), got {self.dp_delta!r}; below 1/number of sequences, e.g. 1e-5")

    def validate(self, setting) -> None:
        if getattr(setting.model, "attribute_dim", 0):
            raise TsganError("differential privacy does not combine with series attributes: the attributes' joint model keeps "
                             "per-group counts, means and covariances of the real attributes, which are not privatized; train "
                             "without attributes")
        for t in setting.techniques:
            if t.name in REFUSED:
                raise TsganError(f"differential privacy does not combine with {t.name}: {REFUSED[t.name]}; train without one of them")
            if t.name not in KEEPS_PRIVACY and t is not self:
                raise TsganError(f"differential privacy does not combine with {t.name}: it is not known to keep DP-SGD's "
                                 "guarantee; train without one of them")
        if setting.model is not None and setting.model.minibatch_kernels:
            raise TsganError(f"differential privacy does not combine with minibatch discrimination: {REFUSED['minibatch-discrimination']}")

    # -- the networks ------------------------------------------------------------------------------
    def wrap(self, cfg, G, D) -> None:
        _opacus()
        _private_lstms(D)
        self.modules["ledger"] = Ledger()

    def wrap_optimizer(self, trainer, side, optimizer):
        if side != "discriminator":
            return optimizer
        from opacus import GradSampleModule
        from opacus.optimizers import DPOptimizer
        if trainer.cfg.precision != "32":
            raise TsganError(f"differential privacy trains in 32-bit precision only, not {trainer.cfg.precision}; leave --precision out")
        if distributed.world_size() > 1:
            raise TsganError("differential privacy trains in one process; run it without torchrun")
        try:  # per-sample gradient hooks on the discriminator's layers (it stays the module the loop calls)
            self._per_sample = GradSampleModule(trainer.D, batch_first=True, loss_reduction="mean", strict=True)
        except Exception as exc:  # opacus's validator: a layer without per-sample gradients
            raise TsganError(f"differential privacy: the discriminator has a layer Opacus cannot give per-sample gradients "
                             f"({str(exc).splitlines()[0][:160]})") from None
        # the noise multiplier is set in prepare, once the data size is known
        return DPOptimizer(optimizer, noise_multiplier=0.0, max_grad_norm=float(self.dp_max_grad_norm),
                           expected_batch_size=trainer.cfg.batch_size, loss_reduction="mean")

    # -- before training: the noise the budget needs ------------------------------------------------
    def prepare(self, trainer, X, y):
        from opacus.accountants.utils import get_noise_multiplier
        n, batch, ledger = len(X), trainer.cfg.batch_size, self.modules["ledger"]
        updates = trainer.cfg.steps * trainer.n_critic
        q = batch / n
        if self.dp_delta >= 1 / n:
            raise TsganError(f"dp_delta={self.dp_delta:g} is not below 1/{n} (the number of sequences); a delta that large "
                             f"allows leaking whole records - use at most {0.1 / n:.1e}")
        if updates * (1 - q) ** n * (1 + math.exp(self.dp_epsilon)) > self.dp_delta / 10:
            raise TsganError(f"batches of {batch} from {n} sequences are empty too often for the privacy guarantee "
                             f"(Poisson sampling at rate {q:.3g}); raise the batch size")
        if not updates:  # nothing to train, nothing spent (and no noise to search: the accountant's search would not end)
            sigma = float(ledger.noise_multiplier)
        elif float(ledger.noise_multiplier) > 0:  # resumed: the same noise, and the budget must still hold for the whole run
            sigma = float(ledger.noise_multiplier)
            planned = spent_epsilon(sigma, float(ledger.sample_rate), updates, self.dp_delta)
            if planned > self.dp_epsilon * 1.01:
                raise TsganError(f"resuming to {trainer.cfg.steps} steps would spend epsilon {planned:.2f}, above the run's "
                                 f"dp_epsilon {self.dp_epsilon:g} (its noise was chosen for fewer steps); resume to at most "
                                 "the steps it was started with")
        else:
            try:
                sigma = get_noise_multiplier(target_epsilon=float(self.dp_epsilon), target_delta=float(self.dp_delta),
                                             sample_rate=q, steps=updates, accountant="rdp",
                                             alphas=list(ALPHAS))
            except ValueError as exc:
                raise TsganError(f"no noise reaches dp_epsilon={self.dp_epsilon:g} in {updates} critic updates at rate {q:.3g} "
                                 f"({exc}); raise dp_epsilon or the data, or train fewer steps") from None
            if sigma > MAX_NOISE_PER_BATCH * batch:
                raise TsganError(f"dp_epsilon={self.dp_epsilon:g} is too small for {updates} critic updates of batches of "
                                 f"{batch} from {n} sequences: it needs noise multiplier {sigma:.1f}, noise larger than the "
                                 "batch's whole clipped gradient; raise dp_epsilon, the batch size or the data, or train fewer steps")
            ledger.noise_multiplier.fill_(sigma)
            ledger.sample_rate.fill_(q)
        trainer.opt_d.noise_multiplier = sigma
        self._rate, self._n = float(ledger.sample_rate), n
        return X, y

    # -- each critic update -------------------------------------------------------------------------
    def critic_batch(self, trainer, n):
        self._per_sample.enable_hooks()
        while True:  # Poisson sampling; an empty draw (refused in prepare where not negligible) is drawn again
            idx = (torch.rand(n, generator=trainer.data_rng) < self._rate).nonzero().squeeze(1)
            if len(idx):
                return idx.to(trainer.device)

    def after_critic_step(self, step) -> None:
        self.modules["ledger"].updates += 1
        self._per_sample.disable_hooks()  # the generator's update backpropagates through D: no per-sample gradients there

    # -- what the run spent ---------------------------------------------------------------------------
    def spent(self) -> dict:
        """The (epsilon, delta) spent so far, and how: the noise multiplier, sample rate and critic updates."""
        _opacus()
        ledger = self.modules["ledger"]
        sigma, q, updates = float(ledger.noise_multiplier), float(ledger.sample_rate), int(ledger.updates)
        return {"epsilon": spent_epsilon(sigma, q, updates, self.dp_delta), "delta": float(self.dp_delta),
                "target_epsilon": float(self.dp_epsilon), "noise_multiplier": sigma, "sample_rate": q,
                "critic_updates": updates, "max_grad_norm": float(self.dp_max_grad_norm), "accountant": "rdp"}
