"""The RCGAN family (Esteban et al. 2017): LSTM generator and discriminator."""
from __future__ import annotations

import torch
from torch import nn

from ..errors import TsganError
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
    With ``noise_state`` the state it starts from is made from the sequence's static noise and conditioning
    (one linear layer: ``h0 = tanh(.)``, ``c0``), so the start differs per sequence at no extra steps.
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
        if cfg.noise_state:
            if not self.static_noise:
                raise TsganError("noise_state makes the starting state from the static noise, and this generator has none: "
                                 "set static_noise >= 1 (or leave it at its default)")
            self.initial_state = nn.Linear(self.static_noise + cfg.condition_dim, 2 * cfg.layers * hidden)
        else:
            self.initial_state = None

    def noise_shape(self, n: int) -> tuple[int, ...]:
        return (n, self.burn_in + self.length, self.noise_dim)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = super().sample_noise(n, generator)
        if self.static_noise:
            z[:, :, : self.static_noise] = z[:, :1, : self.static_noise]
        return z

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        condition = self._condition(labels, len(z))
        h, _ = self.rnn(_with_label(z, condition), self._start(z, condition))
        return self.categorical(self.out(h[:, self.burn_in :] if self.burn_in else h))

    def _start(self, z: torch.Tensor, condition: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor] | None:
        """The ``(h0, c0)`` a sequence starts from: zeros (None), or made from its static noise and conditioning."""
        if self.initial_state is None:
            return None
        code = z[:, 0, : self.static_noise]
        made = self.initial_state(code if condition is None else torch.cat([code, condition.to(code.dtype)], dim=-1))
        h0, c0 = made.view(len(z), 2, self.rnn.num_layers, self.rnn.hidden_size).permute(1, 2, 0, 3).unbind(0)
        return torch.tanh(h0).contiguous(), c0.contiguous()


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

