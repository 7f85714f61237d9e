"""What BiGAN and the adversarial autoencoder share: an encoder from sequences to codes (not a technique itself)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ...errors import TsganError
from ...nn.config import DEFAULT_HIDDEN, ModelConfig
from ...nn.families import DISCRIMINATORS
from ..technique import option
from ..variant import Variant, pooled


class Encoder(nn.Module):
    """Sequences ``(n, T, d)`` to codes ``(n, k)``: the body of a discriminator family (its features,
    averaged over time when per step) and a linear head; with ``standardise``, batch norm without
    affine parameters after it (each code standardised over the batch; running statistics in eval
    mode). Unconditional: the code holds what the sequence shows, labels aside."""

    def __init__(self, family: str, cfg: ModelConfig, code_dim: int, standardise: bool = False) -> None:
        super().__init__()
        if family not in DISCRIMINATORS:
            raise TsganError(f"unknown encoder family '{family}'; choose from {', '.join(DISCRIMINATORS)}")
        body_cfg = dataclasses.replace(cfg, discriminator=family, n_classes=0, attribute_dim=0, minibatch_kernels=0, lengths={},
                                       hidden=cfg.hidden or DEFAULT_HIDDEN[family])
        self.body = DISCRIMINATORS[family](body_cfg)
        self.body.head = nn.Linear(self.body.feature_dim, code_dim)
        self.norm = nn.BatchNorm1d(code_dim, affine=False) if standardise else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.body.head(pooled(self.body.features(x))))


@dataclass(kw_only=True, eq=False)
class Encoding(Variant):
    """What BiGAN and the AAE share: an encoder (on the generator's side) from sequences to a code of
    ``code_dim`` values, drawn once per sequence as the generator's whole noise (``encoder``: its
    network family)."""

    generator_side: ClassVar[tuple[str, ...]] = ("encoder",)
    needs_real: ClassVar[bool] = True
    standardise: ClassVar[bool] = False  # the encoder's codes standardised over the batch (see Encoder)
    code_dim: int | None = option(None, "bigan / aae: size of the code (default: the generator's noise size for bigan, "
                                        "2 for aae)", metavar="K", aliases=("code-dim",))
    encoder: str | None = option(None, "bigan / aae: the encoder's network family (default: the discriminator's for bigan, "
                                       "the generator's for aae)", choices=tuple(DISCRIMINATORS), aliases=("encoder",))

    def check_options(self) -> None:
        if self.code_dim is not None and (isinstance(self.code_dim, bool) or not isinstance(self.code_dim, (int, np.integer))
                                          or self.code_dim < 1):
            raise TsganError(f"{self.name}'s code_dim must be a whole number >= 1, got {self.code_dim!r}")
        if self.encoder is not None and self.encoder not in DISCRIMINATORS:
            raise TsganError(f"unknown encoder family '{self.encoder}'; choose from {', '.join(DISCRIMINATORS)}")

    def _code_dim(self, cfg: ModelConfig) -> int:
        return self.code_dim or cfg.noise_dim

    def _default_encoder(self, cfg: ModelConfig) -> str:
        return cfg.discriminator  # E reads sequences as D does

    def adapt(self, cfg, g_cfg, d_cfg):
        g_cfg, d_cfg = super().adapt(cfg, g_cfg, d_cfg)
        k = self._code_dim(g_cfg)
        return dataclasses.replace(g_cfg, noise_dim=k, static_noise=k), d_cfg  # one draw per sequence

    def wrap(self, cfg, G, D) -> None:
        self.modules["encoder"] = Encoder(self.encoder or self._default_encoder(cfg), cfg, self._code_dim(cfg), self.standardise)
        self._redraw_reference(G)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.modules["encoder"](x)
