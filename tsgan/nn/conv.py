"""The 1-D convolutional family (DCGAN ideas in 1-D)."""
from __future__ import annotations

import math

from torch import nn

from .config import DEFAULT_HIDDEN, ModelConfig
from .contracts import Discriminator, Generator, _with_label


def _upsampling_stages(length: int) -> int:
    """Number of x2 upsampling stages so that the first feature map has 4 to 7 steps."""
    return max(1, int(math.floor(math.log2(max(length, 8) / 4))))


class ConvGenerator(Generator):
    """DCGAN in 1-D: a linear layer makes a short feature map, strided transposed convolutions double
    its length with batch norm and ReLU (no pooling), a final convolution gives the channels; the
    output is cropped to the sequence length (so any length works)."""

    batch_norm = True

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        self.width = cfg.hidden or DEFAULT_HIDDEN["conv"]
        stages = _upsampling_stages(cfg.length)
        self.start = math.ceil(cfg.length / 2**stages)
        self.project = nn.Sequential(
            nn.Linear(cfg.noise_dim + cfg.condition_dim, self.width * self.start),
            self._norm(self.width * self.start),
            nn.ReLU(),
        )
        ups = []
        for _ in range(stages):
            ups += [nn.ConvTranspose1d(self.width, self.width, 4, stride=2, padding=1), self._norm(self.width), nn.ReLU()]
        self.up = nn.Sequential(*ups)
        self.out = nn.Conv1d(self.width, cfg.channels, 3, padding=1)
        self._draw_reference()

    def forward(self, z, labels=None):
        h = self.project(self._input(z, labels))
        h = self._drop_reference(self.up(h.view(len(h), self.width, self.start)))
        return self.categorical(self.out(h)[:, :, : self.length].transpose(1, 2))


class ConvDiscriminator(Discriminator):
    """Strided 1-D convolutions (stride 2, LeakyReLU, no pooling, no batch norm) over the sequence
    with the label broadcast as extra channels, flattened into features."""

    def __init__(self, cfg: ModelConfig) -> None:
        width = cfg.hidden or DEFAULT_HIDDEN["conv"]
        layers, channels, steps = [], cfg.channels + cfg.condition_dim, cfg.length
        while steps > 4 or not layers:
            layers += [nn.Conv1d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            channels, steps = width, steps // 2
        super().__init__(cfg, width * steps)
        self.body = nn.Sequential(*layers)

    def features(self, x, labels=None):
        h = _with_label(x, self._condition(labels, len(x)))
        return self.body(h.transpose(1, 2)).flatten(1)

