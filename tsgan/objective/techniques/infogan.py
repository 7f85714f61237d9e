"""InfoGAN (Chen et al. 2016): codes beside the noise, read back by a head Q on the discriminator's body."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ...errors import TsganError
from ..technique import option, register
from ..variant import Variant, pooled, sequence_code, tiled

LOG_VAR_RANGE = (-6.0, 4.0)  # Q: log-variances of the continuous codes, clamped (a vanishing variance would blow G's gradient up)


def info_loss(logits: torch.Tensor | None, category: torch.Tensor | None, mean: torch.Tensor | None,
              log_var: torch.Tensor | None, continuous: torch.Tensor | None) -> torch.Tensor:
    """InfoGAN's L_I to minimise (Chen et al. 2016): minus the variational lower bound on the mutual
    information I(c; G(z, c)), up to the codes' entropy (a constant). The categorical code: cross-entropy
    of Q's logits ``(n, K)`` against the drawn category ``(n,)``; the continuous codes ``(n, C)``: Q's
    factored Gaussian's negative log-likelihood ``0.5 * (log var + (c - mean)^2 / var)`` summed over codes
    (the constant 0.5 log 2 pi left out), both averaged over the batch. ``None`` leaves a part out."""
    parts = [] if logits is None else [F.cross_entropy(logits, category)]
    if mean is not None:
        parts.append((0.5 * (log_var + (continuous - mean) ** 2 / log_var.exp())).sum(dim=-1).mean())
    return sum(parts)


@register
@dataclass(kw_only=True, eq=False)
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
    summary: ClassVar[str] = "codes beside the noise, read back by a head Q on the discriminator (--info-*)"
    categorical: int = option(2, "infogan: values of the categorical code, 0 for none (default 2)", metavar="K",
                              aliases=("info-categorical",))
    continuous: int = option(1, "infogan: continuous codes, each uniform on [-1, 1] (default 1)", metavar="C",
                             aliases=("info-continuous",))
    weight: float = option(1.0, "infogan: weight of the mutual-information term in both players' losses (default 1)",
                           metavar="LAMBDA", aliases=("info-weight",))

    def check_options(self) -> None:
        for name in ("categorical", "continuous"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise TsganError(f"InfoGAN's {name} must be a whole number >= 0, got {value!r}")
        if self.categorical == 1:
            raise TsganError("InfoGAN's categorical code needs at least 2 values (or 0 for none), got 1")
        if self.categorical + self.continuous == 0:
            raise TsganError("InfoGAN needs at least one code: categorical >= 2 or continuous >= 1")
        if not self.weight > 0:
            raise TsganError(f"InfoGAN's weight (lambda) must be > 0, got {self.weight}; 1 is the paper's")

    @property
    def code_dim(self) -> int:
        return self.categorical + self.continuous

    def adapt(self, cfg, g_cfg, d_cfg):
        g_cfg, d_cfg = super().adapt(cfg, g_cfg, d_cfg)
        return dataclasses.replace(g_cfg, noise_dim=g_cfg.noise_dim + self.code_dim), d_cfg

    def wrap(self, cfg, G, D) -> None:
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

    def critic_term(self, step):
        return self._info_loss(step.D, step.fake_in, step.noise, step.labels)

    def generator_term(self, step):
        return self._info_loss(step.D, step.fake_in, step.noise, step.labels)

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
