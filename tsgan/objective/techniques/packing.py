"""Packing (PacGAN, Lin et al. 2018): the discriminator judges ``m`` sequences at once, side by side as one input
of ``m`` x the channels (and their labels side by side), so a generator whose samples are all alike - every wave
starting at one phase - is told from real data, whose packs differ, even when each sample alone looks real."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from ...errors import TsganError
from ..technique import Technique, option, register

# Techniques that read the discriminator other than through its score of a batch, so packs would not match
REFUSED = {"semi-supervised": "its class logits are per sequence", "feature-matching": "it compares per-sequence features",
           "minibatch-discrimination": "it compares samples within a batch already"}


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """``(n, T, d)`` -> ``(n / m, T, m d)`` (or ``(n, F)`` -> ``(n / m, m F)``): each ``m`` consecutive rows side by side."""
    n = len(x) - len(x) % m  # a last incomplete pack is left out
    x = x[:n].reshape(n // m, m, *x.shape[1:])
    return (x.transpose(1, 2) if x.dim() == 4 else x).flatten(-2)


@register
@dataclass(kw_only=True, eq=False)
class Packing(Technique):
    name: ClassVar[str] = "packing"
    summary: ClassVar[str] = "the discriminator judges packs of sequences at once (PacGAN), against samples all alike"
    order: ClassVar[int] = 20  # before the techniques that change the discriminator's layers (they see the packed one)
    pack_size: int = option(2, "the discriminator judges packs of M sequences at once, against a generator whose "
                               "samples are all alike (PacGAN; M 2 if left out; default 1: off)", off=1, const=2, metavar="M")

    def check_options(self) -> None:
        m = self.pack_size
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 2:
            raise TsganError(f"pack_size must be a whole number >= 2 (1 turns packing off), got {m!r}")

    def validate(self, setting) -> None:
        for t in setting.techniques:
            if t.name in REFUSED:
                raise TsganError(f"packing does not combine with {t.name}: {REFUSED[t.name]}; train without one of them")
        if setting.game is not None and setting.game.name != "gan":
            raise TsganError(f"packing judges generated sequences alone; the {setting.game.name} variant's discriminator "
                             "sees more - train without one of them")
        if setting.model is not None and setting.model.minibatch_kernels:
            raise TsganError(f"packing does not combine with minibatch discrimination: {REFUSED['minibatch-discrimination']}")

    def adapt(self, cfg, g_cfg, d_cfg):
        m = int(self.pack_size)
        return g_cfg, dataclasses.replace(d_cfg, channels=m * d_cfg.channels, n_classes=m * d_cfg.n_classes,
                                          attribute_dim=m * d_cfg.attribute_dim, categorical=(), lengths={})

    def wrap(self, cfg, G, D) -> None:
        m, n_classes, conditional = int(self.pack_size), cfg.n_classes, bool(cfg.n_classes or cfg.attribute_dim)

        def packed(module, args, kwargs):
            x, labels = args[0], (args[1] if len(args) > 1 else kwargs.get("labels"))
            if len(x) < m:
                raise TsganError(f"packing judges {m} sequences at once; a batch of {len(x)} is too small - raise the batch size")
            if conditional and labels is not None:  # class indices, or float conditioning (soft labels, attributes)
                weights = labels if labels.dtype.is_floating_point else F.one_hot(labels, n_classes).to(x.dtype)
                labels = pack(weights, m)
            return (pack(x, m), labels), {}

        D.register_forward_pre_hook(packed, with_kwargs=True)
