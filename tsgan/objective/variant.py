"""The plain GAN as a game, the base of the variants with encoders and codes (SPEC section 5: InfoGAN, BiGAN,
the adversarial autoencoder, in :mod:`tsgan.objective.techniques`), and how codes travel as noise.

Per training step, with ``noise = variant.noise(G, n, rng)`` (the generator's input for a batch), ``real``
the real batch and ``labels`` its labels (None for an unconditional model): the critic step scores
``real_input(real, noise, labels)`` (what D sees as real) against ``fake_input(G, real, noise, labels)``
(what D sees as fake); the generator step's adversarial loss is ``adversarial_loss(loss, D, real_in,
fake_in, labels)``. A variant's extra modules live in ``variant.modules`` (an ``nn.ModuleDict``, saved
with the model); those named in ``generator_side`` join the generator's optimizer, those in
``discriminator_side`` the discriminator's. ``adapt`` changes the networks' configurations before they
are built (more noise inputs for InfoGAN's codes; the code as extra discriminator channels for BiGAN; a
discriminator of codes for the AAE), so every generator and discriminator family serves unchanged.

Codes travel inside the noise: InfoGAN's are the noise's last channels (constant over time for the
recurrent generator); BiGAN's and the AAE's code is the whole noise (one draw per sequence, repeated over
time for the recurrent generator). The loop's random streams, checkpoints and data-parallel slicing
therefore treat them as noise. A code is shown to a discriminator as channels repeated over time (:func:`tiled`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from ..errors import TsganError
from .technique import Technique, register


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
    return tiled(code, G.noise_shape(1)[1]) if G.noise_per_step else code  # burn-in steps included


def with_code(x: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
    """The pair (sequence, code) as one sequence: ``x`` ``(n, T, d)`` with the code ``(n, k)`` appended as
    ``k`` channels repeated over time, ``(n, T, d + k)``."""
    return torch.cat([x, tiled(code.to(x.dtype), x.shape[1])], dim=-1)


@register
@dataclass(kw_only=True, eq=False)
class Variant(Technique):
    """The plain GAN: D sees real sequences against ``G(noise, labels)``; no extra module or term.
    The base of every variant: a subclass overrides the game's hooks it needs (see the module's docstring)."""

    name: ClassVar[str] = "gan"
    summary: ClassVar[str] = "the plain GAN"
    order: ClassVar[int] = 20
    game: ClassVar[bool] = True
    generator_side: ClassVar[tuple[str, ...]] = ()  # modules whose parameters join G's optimizer
    discriminator_side: ClassVar[tuple[str, ...]] = ()  # ... D's optimizer

    def parameters_of(self, side: str) -> list[torch.Tensor]:
        names = self.generator_side if side == "generator" else self.discriminator_side
        return [p for name in names for p in self.modules[name].parameters()]

    def adapt(self, cfg, g_cfg, d_cfg):
        if cfg.lengths and self.name != "gan":
            raise TsganError(f"the {self.name} variant keeps codes in the noise and does not handle series of unequal "
                             "length; cut them into windows of one length (window= / --window)")
        return g_cfg, d_cfg

    def _redraw_reference(self, G: nn.Module) -> None:
        """Virtual batch norm: the generator's reference batch as this variant draws noise."""
        if getattr(G, "vbn_reference", 0):
            with torch.no_grad():
                G.reference_noise.copy_(self.noise(G, G.vbn_reference))
