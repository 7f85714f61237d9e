"""The RCGAN family (Esteban et al. 2017): LSTM generator and discriminator."""
from __future__ import annotations

import torch
from torch import nn

from .config import DEFAULT_HIDDEN, ModelConfig
from .contracts import Discriminator, Generator, _with_label


class LSTMGenerator(Generator):
    """RCGAN generator: an LSTM fed noise and the label at every step; a linear layer maps each
    hidden state to one output step.

    Of the ``noise_dim`` noise channels per step, the first ``static_noise`` hold one draw per
    sequence repeated over time (a code for sequence-wide traits such as amplitude and frequency,
    and a latent space to explore); the rest are fresh at every step, as in RCGAN.

    With ``burn_in`` W > 0 the noise has W + T steps (static noise constant over all of them): the LSTM runs
    over all, and the first W outputs are dropped, so a sequence starts from a state its noise has driven
    rather than from the zero state (which started every generated sawtooth at nearly one phase).
    """

    noise_per_step = True
    any_length = True  # one recurrent step per output step: runs on past the training length (tsgan.nn.longer)

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        self.static_noise = min(cfg.static_noise or 0, cfg.noise_dim)
        self.burn_in = cfg.burn_in
        hidden = cfg.hidden or DEFAULT_HIDDEN["lstm"]
        self.rnn = nn.LSTM(cfg.noise_dim + cfg.condition_dim, hidden, num_layers=cfg.layers, batch_first=True)
        self.out = nn.Linear(hidden, cfg.channels)

    def noise_shape(self, n: int) -> tuple[int, ...]:
        return (n, self.burn_in + self.length, self.noise_dim)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = super().sample_noise(n, generator)
        if self.static_noise:
            z[:, :, : self.static_noise] = z[:, :1, : self.static_noise]
        return z

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h, _ = self.rnn(_with_label(z, self._condition(labels, len(z))))
        return self.categorical(self.out(h[:, self.burn_in :] if self.burn_in else h))


class LSTMDiscriminator(Discriminator):
    """RCGAN discriminator: an LSTM over (sequence, label) with a decision at every step."""

    per_step = True

    def __init__(self, cfg: ModelConfig) -> None:
        hidden = cfg.hidden or DEFAULT_HIDDEN["lstm"]
        super().__init__(cfg, hidden)
        self.rnn = nn.LSTM(cfg.channels + cfg.condition_dim, hidden, num_layers=cfg.layers, batch_first=True)

    def features(self, x, labels=None):
        h, _ = self.rnn(_with_label(x, self._condition(labels, len(x))))
        return h

