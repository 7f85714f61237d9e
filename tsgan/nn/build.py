"""Networks from a model configuration and the run's techniques: the one place generators and
discriminators are built, for training, loading and resuming alike."""
from __future__ import annotations

from dataclasses import replace

from .config import DEFAULT_HIDDEN, ModelConfig
from .contracts import Discriminator, Generator
from .families import DISCRIMINATORS, GENERATORS, check_families, check_recurrent_options
from .lengths import LengthMasked


def build(cfg: ModelConfig, techniques=()) -> tuple[Generator, Discriminator]:
    """Build the generator and discriminator that ``cfg`` names (sizes resolved per family). Each technique
    (:mod:`tsgan.objective`) first adapts the two networks' configurations, then may wrap or modify the
    built networks and make its own modules, in the techniques' order."""
    check_families(cfg.generator, cfg.discriminator)
    check_recurrent_options(cfg.generator, cfg)
    cfg = cfg.resolved()
    g_cfg = replace(cfg, hidden=cfg.hidden or DEFAULT_HIDDEN[cfg.generator])
    d_cfg = replace(cfg, hidden=cfg.hidden or DEFAULT_HIDDEN[cfg.discriminator])
    for technique in techniques:
        g_cfg, d_cfg = technique.adapt(cfg, g_cfg, d_cfg)
    if cfg.lengths:  # unequal lengths: one more noise input, the sequence's length (tsgan.nn.lengths)
        g_cfg = replace(g_cfg, noise_dim=g_cfg.noise_dim + 1)
    G, D = GENERATORS[cfg.generator](g_cfg), DISCRIMINATORS[cfg.discriminator](d_cfg)
    if cfg.lengths:
        G = LengthMasked(G, cfg.lengths)
    for technique in techniques:
        technique.wrap(cfg, G, D)
    return G, D
