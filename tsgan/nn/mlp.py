"""The MLP family (the original GAN): the sequence flattened."""
from __future__ import annotations

from torch import nn

from .config import DEFAULT_HIDDEN, ModelConfig
from .contracts import Discriminator, Generator, _with_label


class MLPGenerator(Generator):
    """The original GAN's multilayer perceptron, emitting the flattened sequence; batch norm between layers."""

    batch_norm = True

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        hidden = cfg.hidden or DEFAULT_HIDDEN["mlp"]
        layers, width = [], cfg.noise_dim + cfg.condition_dim
        for _ in range(cfg.layers + 1):
            layers += [nn.Linear(width, hidden), self._norm(hidden), nn.ReLU()]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(hidden, cfg.length * cfg.channels)
        self._draw_reference()

    def forward(self, z, labels=None):
        h = self._drop_reference(self.body(self._input(z, labels)))
        return self.categorical(self.out(h).view(len(z), self.length, self.channels))


class MLPDiscriminator(Discriminator):
    """A multilayer perceptron over the flattened sequence and label; LeakyReLU, no batch norm
    (so a gradient penalty stays per sample)."""

    def __init__(self, cfg: ModelConfig) -> None:
        hidden = cfg.hidden or DEFAULT_HIDDEN["mlp"]
        super().__init__(cfg, hidden)
        layers, width = [], cfg.length * cfg.channels + cfg.condition_dim
        for _ in range(cfg.layers + 1):
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        self.body = nn.Sequential(*layers)

    def features(self, x, labels=None):
        return self.body(_with_label(x.flatten(1), self._condition(labels, len(x))))

