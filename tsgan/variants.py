"""Variants with encoders and codes (SPEC section 5), each a small hook object of the one training loop:
:class:`InfoGAN` (codes beside the noise, a head Q on the discriminator's body), :class:`BiGAN` (an
encoder, a discriminator on (sequence, code) pairs) and :class:`AAE`, the adversarial autoencoder (an
encoder and a decoder trained to reconstruct, a discriminator on codes against a prior). The plain GAN
is :class:`Variant` itself, the default.

``tsgan.train.Trainer`` calls these hooks and stays the only place that calls ``backward()`` or
``step()``. Per training step, with ``noise = variant.noise(G, n, rng)`` (the generator's input for a
batch), ``real`` the real batch and ``labels`` its labels (None for an unconditional model):

* critic step, nothing on the generator side trained: D on ``real_input(real, noise, labels)`` (what D
  sees as real) against ``fake_input(G, real, noise, labels)`` (what D sees as fake), with the loss's
  critic loss and penalty, plus ``critic_terms(D, fake_in, noise, labels)``;
* generator step, D frozen: ``adversarial_loss(loss, D, real_in, fake_in, labels)`` plus
  ``generator_terms(G, D, real, noise, fake_in, labels)``.

A variant's extra modules live in ``variant.modules`` (an ``nn.ModuleDict``, saved with the model as a
state dict); those named in ``generator_side`` join the generator's optimizer, those in
``discriminator_side`` the discriminator's. :meth:`Variant.adapt` changes the networks' configurations
before they are built (more noise inputs for InfoGAN's codes; the code as extra discriminator channels
for BiGAN; a discriminator of codes for the AAE), so every generator and discriminator family serves
unchanged.

Codes travel inside the noise: InfoGAN's are the noise's last channels (constant over time for the
recurrent generator); BiGAN's and the AAE's code is the whole noise (one draw per sequence, repeated
over time for the recurrent generator). The loop's random streams, checkpoints and data-parallel
slicing therefore treat them as noise. A code is shown to a discriminator as channels repeated over
time (:func:`tiled`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .errors import TsganError
from .losses import Loss, info_loss, reconstruction_loss
from .models import DEFAULT_HIDDEN, DISCRIMINATORS, ModelConfig

LOG_VAR_RANGE = (-6.0, 4.0)  # InfoGAN's Q: log-variances of the continuous codes, clamped (a vanishing variance would blow G's gradient up)


def pooled(h: torch.Tensor) -> torch.Tensor:
    """Per-step features ``(n, T, F)`` averaged over time; per-sequence features ``(n, F)`` as they are."""
    return h.mean(dim=1) if h.dim() == 3 else h


def tiled(code: torch.Tensor, length: int) -> torch.Tensor:
    """A per-sequence code ``(n, k)`` repeated over ``length`` steps: ``(n, length, k)``."""
    return code[:, None, :].expand(-1, length, -1)


def sequence_code(noise: torch.Tensor) -> torch.Tensor:
    """The per-sequence code of a noise batch drawn once per sequence: ``(n, k)`` as it is, ``(n, T, k)``
    (repeated over time, for the recurrent generator) its first step."""
    return noise[:, 0] if noise.dim() == 3 else noise


def code_noise(G: nn.Module, code: torch.Tensor) -> torch.Tensor:
    """A per-sequence code ``(n, k)`` as ``G``'s noise: repeated over time for a generator with noise per step."""
    return tiled(code, G.length) if G.noise_per_step else code


def with_code(x: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
    """The pair (sequence, code) as one sequence: ``x`` ``(n, T, d)`` with the code ``(n, k)`` appended as
    ``k`` channels repeated over time, ``(n, T, d + k)``."""
    return torch.cat([x, tiled(code.to(x.dtype), x.shape[1])], dim=-1)


class Encoder(nn.Module):
    """Sequences ``(n, T, d)`` to codes ``(n, k)``: the body of a discriminator family (its features,
    averaged over time when per step) and a linear head; with ``standardise``, batch norm without
    affine parameters after it (each code standardised over the batch; running statistics in eval
    mode). Unconditional: the code holds what the sequence shows, labels aside."""

    def __init__(self, family: str, cfg: ModelConfig, code_dim: int, standardise: bool = False) -> None:
        super().__init__()
        if family not in DISCRIMINATORS:
            raise TsganError(f"unknown encoder family '{family}'; choose from {', '.join(DISCRIMINATORS)}")
        body_cfg = dataclasses.replace(cfg, discriminator=family, n_classes=0, minibatch_kernels=0, semi_supervised=False,
                                       hidden=cfg.hidden or DEFAULT_HIDDEN[family])
        self.body = DISCRIMINATORS[family](body_cfg)
        self.body.head = nn.Linear(self.body.feature_dim, code_dim)
        self.norm = nn.BatchNorm1d(code_dim, affine=False) if standardise else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.body.head(pooled(self.body.features(x))))


@dataclass
class Variant:
    """The plain GAN: D sees real sequences against ``G(noise, labels)``; no extra module or term.
    The base of every variant: a subclass overrides the hooks it needs (see the module's docstring)."""

    name: ClassVar[str] = "gan"
    generator_side: ClassVar[tuple[str, ...]] = ()  # modules whose parameters join G's optimizer
    discriminator_side: ClassVar[tuple[str, ...]] = ()  # ... D's optimizer
    needs_real: ClassVar[bool] = False  # the generator step uses the real batch
    scores_real: ClassVar[bool] = False  # the generator side's adversarial loss scores what D sees as real
    modules: nn.ModuleDict = field(default_factory=nn.ModuleDict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`TsganError` for options that cannot work."""

    # -- configuration and networks --------------------------------------------------------------
    def config(self) -> dict:
        """The variant's name and options, plain data (saved with the model)."""
        return {"name": self.name, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}}

    def adapt(self, g_cfg: ModelConfig, d_cfg: ModelConfig) -> tuple[ModelConfig, ModelConfig]:
        """The generator's and discriminator's configurations for this variant (before they are built)."""
        return g_cfg, d_cfg

    def build(self, cfg: ModelConfig, G: nn.Module, D: nn.Module) -> None:
        """Make the extra modules for the (resolved) model configuration ``cfg`` and the built networks."""

    def parameters(self, side: str) -> list[torch.Tensor]:
        """The extra modules' parameters that train with the ``"generator"`` or ``"discriminator"``."""
        names = self.generator_side if side == "generator" else self.discriminator_side
        return [p for name in names for p in self.modules[name].parameters()]

    def _redraw_reference(self, G: nn.Module) -> None:
        """Virtual batch norm: the generator's reference batch as this variant draws noise."""
        if getattr(G, "vbn_reference", 0):
            with torch.no_grad():
                G.reference_noise.copy_(self.noise(G, G.vbn_reference))

    # -- training hooks ----------------------------------------------------------------------------
    def noise(self, G: nn.Module, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """The generator's input for ``n`` sequences, drawn from ``rng``."""
        return G.sample_noise(n, rng)

    def real_input(self, real: torch.Tensor, noise: torch.Tensor, labels) -> torch.Tensor:
        """What the discriminator sees as real."""
        return real

    def fake_input(self, G: nn.Module, real: torch.Tensor | None, noise: torch.Tensor, labels) -> torch.Tensor:
        """What the discriminator sees as fake."""
        return G(noise, labels)

    def critic_terms(self, D: nn.Module, fake_in: torch.Tensor, noise: torch.Tensor, labels) -> torch.Tensor | None:
        """Extra terms of the discriminator's loss."""
        return None

    def adversarial_loss(self, loss: Loss, D: nn.Module, real_in: torch.Tensor | None, fake_in: torch.Tensor, labels) -> torch.Tensor:
        """The generator side's adversarial loss."""
        return loss.g_loss(D(fake_in, labels))

    def generator_terms(self, G: nn.Module, D: nn.Module, real: torch.Tensor | None, noise: torch.Tensor,
                        fake_in: torch.Tensor, labels) -> torch.Tensor | None:
        """Extra terms of the generator side's loss."""
        return None

    # -- sampling ----------------------------------------------------------------------------------
    def with_codes(self, noise: torch.Tensor, codes) -> torch.Tensor:
        raise TsganError(f"chosen codes are InfoGAN's; this model is a {self.name} - train one with GAN(..., variant='infogan') "
                         "or tsgan train --variant infogan")


@dataclass
class InfoGAN(Variant):
    """Chen et al. 2016. Codes c beside the noise z: one categorical code with ``categorical`` values
    (one-hot, uniform; 0: none) and ``continuous`` codes, each uniform on [-1, 1]. Q, a small head on the
    discriminator's body (``D.features``, averaged over time when per step), predicts c from
    ``G(z, c)``; ``weight`` (lambda) times L_I (:func:`tsgan.losses.info_loss`: cross-entropy for the
    categorical code, Gaussian negative log-likelihood for the continuous ones - minus a lower bound on
    the mutual information I(c; G(z, c))) joins the discriminator's loss, training Q and the body it
    shares with D (Q's parameters train with the discriminator), and the generator's, training G to
    make its codes readable. Without labels the codes come to hold factors of variation of the data
    (on waves where shape and amplitude vary, Q's category sorted real waves by shape); nothing says
    which code takes which factor, and on data with more factors the category may take another one.

    The codes are the generator noise's last ``categorical + continuous`` channels (constant over time
    for the recurrent generator). ``GAN.sample(n, codes={"category": 1, "continuous": [0.5]})`` fixes
    them; ``GAN.predict_codes(X)`` is Q on real sequences.
    """

    name: ClassVar[str] = "infogan"
    discriminator_side: ClassVar[tuple[str, ...]] = ("q",)
    categorical: int = 2
    continuous: int = 1
    weight: float = 1.0

    def validate(self) -> None:
        for option in ("categorical", "continuous"):
            value = getattr(self, option)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise TsganError(f"InfoGAN's {option} must be a whole number >= 0, got {value!r}")
        if self.categorical == 1:
            raise TsganError("InfoGAN's categorical code needs at least 2 values (or 0 for none), got 1")
        if self.categorical + self.continuous == 0:
            raise TsganError("InfoGAN needs at least one code: categorical >= 2 or continuous >= 1")
        if not self.weight > 0:
            raise TsganError(f"InfoGAN's weight (lambda) must be > 0, got {self.weight}; 1 is the paper's")

    @property
    def code_dim(self) -> int:
        return self.categorical + self.continuous

    def adapt(self, g_cfg, d_cfg):
        return dataclasses.replace(g_cfg, noise_dim=g_cfg.noise_dim + self.code_dim), d_cfg

    def build(self, cfg, G, D) -> None:
        width = D.feature_dim
        self.modules["q"] = nn.Sequential(nn.Linear(width, width), nn.LeakyReLU(0.2),
                                          nn.Linear(width, self.categorical + 2 * self.continuous))
        self._redraw_reference(G)

    # codes: a category index (n,) and continuous values (n, C), inside the noise as one-hot and values
    def _put(self, noise: torch.Tensor, category: torch.Tensor, continuous: torch.Tensor) -> torch.Tensor:
        code = torch.cat([F.one_hot(category, self.categorical).to(noise.dtype) if self.categorical else continuous[:, :0],
                          continuous.to(noise.dtype)], dim=1)
        noise = noise.clone()
        noise[..., -self.code_dim:] = tiled(code, noise.shape[1]) if noise.dim() == 3 else code
        return noise

    def codes(self, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The category indices ``(n,)`` and continuous codes ``(n, C)`` held in a noise batch."""
        code = sequence_code(noise)[:, -self.code_dim:]
        category = code[:, :self.categorical].argmax(dim=1) if self.categorical else None
        return category, code[:, self.categorical:]

    def noise(self, G, n, rng=None):
        z = G.sample_noise(n, rng)
        category = torch.randint(max(self.categorical, 1), (n,), generator=rng, device=z.device)
        continuous = torch.rand((n, self.continuous), generator=rng, device=z.device) * 2 - 1
        return self._put(z, category, continuous)

    def predict(self, D: nn.Module, x: torch.Tensor, labels) -> tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor | None]:
        """Q on ``x``: the categorical code's logits ``(n, K)``, the continuous codes' means and
        log-variances ``(n, C)`` (None where the model has no such code)."""
        out = self.modules["q"](pooled(D.features(x, labels)))
        K, C = self.categorical, self.continuous
        logits = out[:, :K] if K else None
        if not C:
            return logits, None, None
        return logits, out[:, K:K + C], out[:, K + C:].clamp(*LOG_VAR_RANGE)

    def _info_loss(self, D, fake_in, noise, labels) -> torch.Tensor:
        logits, mean, log_var = self.predict(D, fake_in, labels)
        category, continuous = self.codes(noise)
        return self.weight * info_loss(logits, category, mean, log_var, continuous)

    def critic_terms(self, D, fake_in, noise, labels):
        return self._info_loss(D, fake_in, noise, labels)

    def generator_terms(self, G, D, real, noise, fake_in, labels):
        return self._info_loss(D, fake_in, noise, labels)

    def with_codes(self, noise: torch.Tensor, codes) -> torch.Tensor:
        """``noise`` with its codes set as ``codes`` says: ``{"category": k or one per row, "continuous":
        C values or one row of C per row}``; a code left out keeps its random draw."""
        if not isinstance(codes, dict) or not set(codes) <= {"category", "continuous"}:
            raise TsganError(f"codes must be a dict with 'category' and / or 'continuous', got {codes!r}")
        n = len(noise)
        category, continuous = self.codes(noise)
        if codes.get("category") is not None:
            if not self.categorical:
                raise TsganError("this InfoGAN has no categorical code (categorical=0)")
            values = np.broadcast_to(np.asarray(codes["category"]), (n,)) if np.ndim(codes["category"]) == 0 else np.asarray(codes["category"])
            if values.shape != (n,) or not np.issubdtype(values.dtype, np.integer) or ((values < 0) | (values >= self.categorical)).any():
                raise TsganError(f"category must be a whole number in 0..{self.categorical - 1}, or {n} of them, got {codes['category']!r}")
            category = torch.as_tensor(np.array(values), dtype=torch.long, device=noise.device)
        if codes.get("continuous") is not None:
            values = np.asarray(codes["continuous"], dtype=np.float64)
            if values.shape == (self.continuous,):
                values = np.broadcast_to(values, (n, self.continuous))
            if values.shape != (n, self.continuous) or not np.isfinite(values).all():
                raise TsganError(f"continuous must be {self.continuous} finite value(s), or {n} rows of them, got shape "
                                 f"{values.shape}; the codes were drawn from [-1, 1]")
            continuous = torch.as_tensor(np.array(values), dtype=noise.dtype, device=noise.device)
        return self._put(noise, category, continuous)


@dataclass
class _Encoding(Variant):
    """What BiGAN and the AAE share: an encoder (on the generator's side) from sequences to a code of
    ``code_dim`` values, drawn once per sequence as the generator's whole noise (``encoder``: its
    network family)."""

    generator_side: ClassVar[tuple[str, ...]] = ("encoder",)
    needs_real: ClassVar[bool] = True
    standardise: ClassVar[bool] = False  # the encoder's codes standardised over the batch (see Encoder)
    code_dim: int | None = None
    encoder: str | None = None

    def validate(self) -> None:
        if self.code_dim is not None and (isinstance(self.code_dim, bool) or not isinstance(self.code_dim, (int, np.integer))
                                          or self.code_dim < 1):
            raise TsganError(f"{self.name}'s code_dim must be a whole number >= 1, got {self.code_dim!r}")
        if self.encoder is not None and self.encoder not in DISCRIMINATORS:
            raise TsganError(f"unknown encoder family '{self.encoder}'; choose from {', '.join(DISCRIMINATORS)}")

    def _code_dim(self, cfg: ModelConfig) -> int:
        return self.code_dim or cfg.noise_dim

    def _default_encoder(self, cfg: ModelConfig) -> str:
        return cfg.discriminator  # E reads sequences as D does

    def adapt(self, g_cfg, d_cfg):
        k = self._code_dim(g_cfg)
        return dataclasses.replace(g_cfg, noise_dim=k, static_noise=k), d_cfg  # one draw per sequence

    def build(self, cfg, G, D) -> None:
        self.modules["encoder"] = Encoder(self.encoder or self._default_encoder(cfg), cfg, self._code_dim(cfg), self.standardise)
        self._redraw_reference(G)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.modules["encoder"](x)


@dataclass
class BiGAN(_Encoding):
    """Donahue et al. 2016. An encoder E maps sequences to codes (the generator's noise, one Gaussian
    draw per sequence); the discriminator judges pairs - the real pair (x, E(x)) against the fake pair
    (G(z), z), the code appended to the sequence as channels repeated over time, so every discriminator
    family serves. E and G train together against D: their loss is the critic's with the roles of the
    pairs swapped (for the classic loss, the non-saturating ``-log D(G(z), z) - log(1 - D(x, E(x)))``).
    E and G end up roughly inverse: ``GAN.encode(X)`` gives features, ``GAN.reconstruct(X)`` is G(E(x)).

    E's codes pass a batch norm without affine parameters (standardised over the batch, running
    statistics when encoding): they start with the prior's mean and variance, so the discriminator
    cannot win on the codes' scale alone and judges how codes go with sequences. Measured on waves
    (shape and amplitude varying, 2-D code, 1000 steps) the reconstruction error fell to 0.005-0.025
    against 0.15-0.17 with an untrained encoder; without it, E's codes stayed a narrow cluster the
    discriminator told apart at once, and the error went up and down around the untrained one's.

    ``code_dim``: the code's size (default the generator family's noise size); ``encoder``: E's family
    (default the discriminator's).
    """

    name: ClassVar[str] = "bigan"
    scores_real: ClassVar[bool] = True
    standardise: ClassVar[bool] = True

    def adapt(self, g_cfg, d_cfg):
        g_cfg, d_cfg = super().adapt(g_cfg, d_cfg)
        return g_cfg, dataclasses.replace(d_cfg, channels=d_cfg.channels + g_cfg.noise_dim)

    def real_input(self, real, noise, labels):
        return with_code(real, self.encode(real))

    def fake_input(self, G, real, noise, labels):
        return with_code(G(noise, labels), sequence_code(noise))

    def adversarial_loss(self, loss, D, real_in, fake_in, labels):
        return loss.d_loss(D(fake_in, labels), D(real_in, labels))  # the critic's loss, pairs swapped


PRIORS = ("gaussian", "uniform")


@dataclass
class AAE(_Encoding):
    """Makhzani et al. 2015, the adversarial autoencoder. An encoder E (``encoder``: its family, by
    default the generator's) maps sequences to codes of ``code_dim`` values (default 2); the generator is
    the decoder, ``G(E(x), labels)``; the discriminator judges codes - draws from the ``prior``
    (``"gaussian"``: standard normal, the default, or ``"uniform"`` on [-1, 1]) as real against E(x) as
    fake, shown as channels repeated over time so every discriminator family serves; it takes no labels.
    E and the decoder minimise ``reconstruction`` times the mean squared reconstruction error plus E's
    adversarial loss; sampling decodes prior draws. With labels the decoder is conditional (the label
    beside the code): the prior holds the code to one distribution for every class, so the class is
    left to the label and the code keeps the style (the paper's supervised AAE).

    A deterministic encoder can fill a 2-D prior only from data with at least two continuous factors:
    on waves whose only style is the amplitude, the codes stayed on a line (correlation near 1).
    """

    name: ClassVar[str] = "aae"
    code_dim: int | None = 2
    encoder: str | None = None
    prior: str = "gaussian"
    reconstruction: float = 1.0

    def validate(self) -> None:
        super().validate()
        if self.prior not in PRIORS:
            raise TsganError(f"unknown AAE prior '{self.prior}'; choose from {', '.join(PRIORS)}")
        if not self.reconstruction > 0:
            raise TsganError(f"the AAE's reconstruction weight must be > 0, got {self.reconstruction}")

    def adapt(self, g_cfg, d_cfg):
        g_cfg, d_cfg = super().adapt(g_cfg, d_cfg)
        return g_cfg, dataclasses.replace(d_cfg, channels=g_cfg.noise_dim, n_classes=0, categorical=[])

    def _default_encoder(self, cfg: ModelConfig) -> str:
        return cfg.generator  # the encoder mirrors the decoder (the discriminator reads codes)

    def draw_prior(self, n: int, k: int, rng: torch.Generator | None, device) -> torch.Tensor:
        if self.prior == "uniform":
            return torch.rand((n, k), generator=rng, device=device) * 2 - 1
        return torch.randn((n, k), generator=rng, device=device)

    def noise(self, G, n, rng=None):
        return code_noise(G, self.draw_prior(n, G.noise_dim, rng, next(G.parameters()).device))

    def real_input(self, real, noise, labels):
        return tiled(sequence_code(noise), real.shape[1])

    def fake_input(self, G, real, noise, labels):
        return tiled(self.encode(real), real.shape[1])

    def generator_terms(self, G, D, real, noise, fake_in, labels):
        reconstructed = G(code_noise(G, fake_in[:, 0]), labels)  # fake_in: E(real) over time
        return self.reconstruction * reconstruction_loss(reconstructed, real)


VARIANTS = {cls.name: cls for cls in (Variant, InfoGAN, BiGAN, AAE)}


def make_variant(spec) -> Variant:
    """A fresh variant (no modules yet) from None (the plain GAN), a name, a config dict
    (:meth:`Variant.config`) or a variant object (of its class, its options copied)."""
    if spec is None:
        return Variant()
    if isinstance(spec, Variant):  # its own class (a subclass keeps its hooks), options copied
        return type(spec)(**{k: v for k, v in spec.config().items() if k != "name"})
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict) or spec.get("name") not in VARIANTS:
        name = spec.get("name") if isinstance(spec, dict) else spec
        raise TsganError(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)} (or a tsgan.InfoGAN / BiGAN / AAE object)")
    cls = VARIANTS[spec["name"]]
    options = {k: v for k, v in spec.items() if k != "name"}
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    if set(options) - known:
        raise TsganError(f"unknown {cls.name} option(s) {sorted(set(options) - known)}; it takes {', '.join(sorted(known)) or 'none'}")
    return cls(**options)
