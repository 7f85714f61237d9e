"""The adversarial autoencoder (Makhzani et al. 2015): an encoder and the generator as decoder; a discriminator
holds the codes to a prior."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F

from ...errors import TsganError
from ...nn.config import ModelConfig
from ...nn.families import DISCRIMINATORS
from ..technique import option, register
from ..variant import code_noise, sequence_code, tiled
from .encoding import Encoding


def reconstruction_loss(reconstructed: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Mean squared error of reconstructed sequences against the real ones (the adversarial
    autoencoder's reconstruction term), averaged over sequences, steps and channels."""
    return F.mse_loss(reconstructed, real)


PRIORS = ("gaussian", "uniform")


@register
@dataclass(kw_only=True, eq=False)
class AAE(Encoding):
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
    summary: ClassVar[str] = "adversarial autoencoder: an encoder, the generator as decoder, codes held to a prior"
    code_dim: int | None = option(2, "bigan / aae: size of the code (default: the generator's noise size for bigan, "
                                     "2 for aae)", metavar="K", aliases=("code-dim",))
    encoder: str | None = option(None, "bigan / aae: the encoder's network family (default: the discriminator's for "
                                       "bigan, the generator's for aae)", choices=tuple(DISCRIMINATORS), aliases=("encoder",))
    prior: str = option("gaussian", "aae: the codes' prior, gaussian (standard normal, default) or uniform on [-1, 1]",
                        choices=PRIORS, aliases=("prior",))
    reconstruction: float = option(1.0, "aae: weight of the mean squared reconstruction error (default 1)", metavar="W",
                                   aliases=("reconstruction-weight",))

    def check_options(self) -> None:
        super().check_options()
        if self.prior not in PRIORS:
            raise TsganError(f"unknown AAE prior '{self.prior}'; choose from {', '.join(PRIORS)}")
        if not self.reconstruction > 0:
            raise TsganError(f"the AAE's reconstruction weight must be > 0, got {self.reconstruction}")

    def adapt(self, cfg, g_cfg, d_cfg):
        g_cfg, d_cfg = super().adapt(cfg, g_cfg, d_cfg)
        return g_cfg, dataclasses.replace(d_cfg, channels=g_cfg.noise_dim, n_classes=0, attribute_dim=0, categorical=(), lengths={})

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

    def generator_term(self, step):
        reconstructed = step.G(code_noise(step.G, step.fake_in[:, 0]), step.labels)  # fake_in: E(real) over time
        return self.reconstruction * reconstruction_loss(reconstructed, step.real)
