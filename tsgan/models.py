"""Generators and discriminators in three families (MLP, 1-D conv, LSTM/RCGAN), and a registry by name.

Contracts shared by every family, so any generator pairs with any discriminator:

* ``G.sample_noise(n, generator=None)`` -> ``(n, T, noise_dim)`` for recurrent generators (noise
  per step), ``(n, noise_dim)`` for MLP / conv (noise per sequence); the generator owns its noise.
* ``G(z, labels=None)`` -> ``(n, T, d)`` in the scaled data's units (data are min-max scaled to
  [-1, 1]). The output layer is linear: with a tanh, saturation near the data's extremes kept
  generated amplitudes from spreading as far as real ones (waves, RCGAN: spread 0.16 vs 0.23).
* ``D.features(x, labels=None)`` -> ``(n, F)`` or, per step, ``(n, T, F)``; ``D(x, labels)`` -> one
  score per sequence ``(n,)`` or per step ``(n, T)`` (losses average over steps, as in RCGAN).
  A semi-supervised discriminator (``D.n_logits = K > 0``) also gives ``D.class_logits(x)`` ->
  ``(n, K)`` or ``(n, T, K)``; its score is their logsumexp (the "fake" class is implied).
* Categorical channels (``cfg.categorical``: ``[first channel, size]`` groups of one-hot channels)
  leave every generator through :class:`CategoricalSoftmax`: a softmax over each group, so the
  critic sees category probabilities (SPEC section 4); sampling takes the argmax (``tsgan.gan``).
* Series of unequal length (``cfg.lengths``, a table of the training lengths): every family makes the
  longest length ``T``; :func:`build` wraps the generator in :class:`tsgan.lengths.LengthMasked`, which
  draws a length per sequence (by its label) and sets the output beyond it to the padding value real
  sequences hold there, so every discriminator family sees both padded alike (see :mod:`tsgan.lengths`).
* ``labels`` are int64 class indices ``(n,)`` or float class weights ``(n, K)`` (one-hot or soft);
  conditioning (CGAN) concatenates the one-hot label to each network's input, once, inside it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .errors import TsganError
from .layers import MinibatchDiscrimination, VirtualBatchNorm

# Family defaults, chosen so each trains on the waves set in a few minutes on a 2-core CPU.
DEFAULT_HIDDEN = {"lstm": 64, "mlp": 128, "conv": 64}
DEFAULT_NOISE = {"lstm": 12, "mlp": 32, "conv": 32}
DEFAULT_VBN_REFERENCE = 64  # virtual batch norm's reference batch when asked for with True


@dataclass
class ModelConfig:
    """Architecture of a generator/discriminator pair; ``None`` sizes take the family default."""

    generator: str = "lstm"
    discriminator: str = "lstm"
    length: int = 30
    channels: int = 1
    n_classes: int = 0  # 0: unconditional
    noise_dim: int | None = None
    hidden: int | None = None
    layers: int = 1
    static_noise: int | None = None  # recurrent generators: noise dims held constant over time
    minibatch_kernels: int = 0  # > 0: minibatch discrimination with this many kernels in the discriminator
    # > 0: the generator's batch norm becomes virtual batch norm with a reference batch of this many
    # inputs (True: 64), drawn once when the generator is built and kept in its state dict.
    virtual_batch_norm: int = 0
    # The discriminator classifies the n_classes real classes (fake implied, Salimans et al. 2016);
    # neither network is conditioned on labels then, and labels may be missing for most sequences.
    semi_supervised: bool = False
    # Categorical channels: [first channel, number of categories] per group of one-hot channels.
    categorical: list = field(default_factory=list)
    # Series of unequal length (tsgan.lengths): the training lengths' table, {"values": [...], "counts":
    # [one row per class, one for all]}; the generator is then wrapped in tsgan.lengths.LengthMasked.
    # Empty: every sequence has `length` steps.
    lengths: dict = field(default_factory=dict)

    def resolved(self) -> "ModelConfig":
        for role, name, registry in (("generator", self.generator, GENERATORS), ("discriminator", self.discriminator, DISCRIMINATORS)):
            if name not in registry:
                raise TsganError(f"unknown {role} '{name}'; choose from {', '.join(registry)}")
        vbn = DEFAULT_VBN_REFERENCE if self.virtual_batch_norm is True else int(self.virtual_batch_norm)
        if vbn and (vbn < 2 or not getattr(GENERATORS[self.generator], "batch_norm", False)):
            raise TsganError(f"virtual batch norm needs a reference batch of at least 2 and a generator with batch norm "
                             f"({', '.join(k for k, v in GENERATORS.items() if getattr(v, 'batch_norm', False))}); "
                             f"got {vbn} with the '{self.generator}' generator")
        return ModelConfig(
            self.generator, self.discriminator, self.length, self.channels, self.n_classes,
            self.noise_dim or DEFAULT_NOISE[self.generator], self.hidden, self.layers,
            self.static_noise if self.static_noise is not None else (self.noise_dim or DEFAULT_NOISE[self.generator]) * 2 // 3,
            self.minibatch_kernels, vbn, bool(self.semi_supervised), self._groups(), self._length_table(),
        )

    def _length_table(self) -> dict:
        from .lengths import check_table

        return check_table(self.lengths, self.length, self.n_classes) if self.lengths else {}

    def _groups(self) -> list[list[int]]:
        groups = [[int(start), int(size)] for start, size in self.categorical]
        ends = [0] + [start + size for start, size in sorted(groups)]
        if any(size < 1 or start < end for (start, size), end in zip(sorted(groups), ends)) or ends[-1] > self.channels:
            raise TsganError(f"categorical channel groups {groups} do not fit {self.channels} channels")
        return groups


def one_hot(labels: torch.Tensor | None, n_classes: int, n: int) -> torch.Tensor | None:
    """Labels as float class weights ``(n, K)``; None for an unconditional network."""
    if n_classes == 0:
        return None
    if labels is None:
        raise TsganError(f"this model is conditional on {n_classes} classes: pass labels")
    if labels.dtype.is_floating_point:
        if labels.shape != (n, n_classes):
            raise TsganError(f"soft labels must have shape ({n}, {n_classes}), got {tuple(labels.shape)}")
        return labels
    if labels.shape != (n,):
        raise TsganError(f"labels must have shape ({n},), got {tuple(labels.shape)}")
    return F.one_hot(labels, n_classes).float()


def _with_label(inputs: torch.Tensor, label: torch.Tensor | None) -> torch.Tensor:
    """Concatenate a ``(n, K)`` label to ``(n, F)`` or, repeated per step, to ``(n, T, F)`` inputs."""
    if label is None:
        return inputs
    if inputs.dim() == 3:
        label = label[:, None, :].expand(-1, inputs.shape[1], -1)
    return torch.cat([inputs, label], dim=-1)


class CategoricalSoftmax(nn.Module):
    """The generators' shared output step: a softmax over each group of categorical channels
    (``[first channel, size]`` pairs), numeric channels passed through (linear)."""

    def __init__(self, groups: list) -> None:
        super().__init__()
        self.groups = [(int(start), int(size)) for start, size in sorted(groups)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.groups:
            return x
        parts, at = [], 0
        for start, size in self.groups:
            parts += [x[..., at:start], torch.softmax(x[..., start:start + size], dim=-1)]
            at = start + size
        return torch.cat(parts + [x[..., at:]], dim=-1)


class Generator(nn.Module):
    """Base of every generator: noise shape, label handling and the categorical output step."""

    noise_per_step = False
    batch_norm = False  # True: batch norm layers, which virtual batch norm can replace

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.length, self.channels, self.n_classes, self.noise_dim = cfg.length, cfg.channels, cfg.n_classes, cfg.noise_dim
        self.vbn_reference = cfg.virtual_batch_norm
        self.categorical = CategoricalSoftmax(cfg.categorical)

    def _norm(self, features: int) -> nn.Module:
        return VirtualBatchNorm(features, self.vbn_reference) if self.vbn_reference else nn.BatchNorm1d(features)

    def _draw_reference(self) -> None:
        """Virtual batch norm: draw the fixed reference inputs (noise, and labels cycling through the
        classes) once, as buffers - saved with the weights, so samples are identical after reloading."""
        if self.vbn_reference:
            self.register_buffer("reference_noise", self.sample_noise(self.vbn_reference))
            labels = torch.arange(self.vbn_reference) % max(self.n_classes, 1)
            self.register_buffer("reference_labels", F.one_hot(labels, self.n_classes).float() if self.n_classes else None)

    def _input(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """Noise with the one-hot label; with virtual batch norm, the reference batch's inputs first
        (its rows pass through the network with the batch's and are dropped with :meth:`_drop_reference`)."""
        inputs = _with_label(z, one_hot(labels, self.n_classes, len(z)))
        if not self.vbn_reference:
            return inputs
        return torch.cat([_with_label(self.reference_noise, self.reference_labels).to(inputs.dtype), inputs])

    def _drop_reference(self, h: torch.Tensor) -> torch.Tensor:
        return h[self.vbn_reference :]

    def noise_shape(self, n: int) -> tuple[int, ...]:
        return (n, self.length, self.noise_dim) if self.noise_per_step else (n, self.noise_dim)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        device = next(self.parameters()).device
        return torch.randn(self.noise_shape(n), generator=generator, device=device)


SEMI_SUPERVISED_INPUT_NOISE = 0.3


class Discriminator(nn.Module):
    """Base of every discriminator: ``forward`` is a linear head on ``features``.

    A conditional discriminator sees the label twice: concatenated to its input (CGAN), and as a
    projection term ``<embed(y), features>`` added to the score (Miyato and Koyama 2018), which
    makes "does this sequence fit its label" a direct question for it rather than one it must learn
    from two input dimensions. Measured on the waves set, input concatenation alone left the LSTM
    and MLP discriminators blind to the label (generated "sawtooth" stayed sines).
    """

    per_step = False

    def __init__(self, cfg: ModelConfig, feature_dim: int) -> None:
        super().__init__()
        self.n_classes, self.feature_dim = cfg.n_classes, feature_dim
        self.minibatch = MinibatchDiscrimination(feature_dim, cfg.minibatch_kernels) if cfg.minibatch_kernels else None
        self.head = nn.Linear(feature_dim + cfg.minibatch_kernels, 1)
        self.embed = nn.Linear(cfg.n_classes, feature_dim, bias=False) if cfg.n_classes else None
        self.n_logits = 0
        self.input_noise = 0.0  # std of Gaussian noise added to the inputs while training

    def make_semi_supervised(self, n_classes: int) -> None:
        """Salimans et al. 2016: the head gives ``K`` class logits ``l``; the "fake" class K+1 is implied
        with logit 0, so ``D(x) = Z / (Z + 1)`` with ``Z = sum exp(l)``: the real/fake score is ``logsumexp(l)``.
        Like theirs, it sees its inputs with Gaussian noise while training (std 0.3 on data in [-1, 1]): without
        it the unlabelled data beat the labels alone in 2 of 6 runs on waves, with it in 6 of 6."""
        self.n_logits = n_classes
        self.head = nn.Linear(self.head.in_features, n_classes)
        self.input_noise = SEMI_SUPERVISED_INPUT_NOISE

    def _noisy(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.input_noise * torch.randn_like(x) if self.training and self.input_noise else x

    def features(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError

    def _head(self, h: torch.Tensor) -> torch.Tensor:
        return self.head(h if self.minibatch is None else torch.cat([h, self.minibatch(h)], dim=-1))

    def class_logits(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """A semi-supervised discriminator's class logits, ``(n, K)`` or per step ``(n, T, K)``."""
        if not self.n_logits:
            raise TsganError("only a semi-supervised discriminator classifies; build it with semi_supervised=True")
        return self._head(self.features(self._noisy(x), labels))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(self._noisy(x), labels)
        out = self._head(h)
        score = torch.logsumexp(out, dim=-1) if self.n_logits else out.squeeze(-1)
        if self.embed is not None:
            e = self.embed(one_hot(labels, self.n_classes, len(x)).to(h.dtype))
            score = score + ((e[:, None, :] if h.dim() == 3 else e) * h).sum(-1)
        return score


class LSTMGenerator(Generator):
    """RCGAN generator: an LSTM fed noise and the label at every step; a linear layer maps each
    hidden state to one output step.

    Of the ``noise_dim`` noise channels per step, the first ``static_noise`` hold one draw per
    sequence repeated over time (a code for sequence-wide traits such as amplitude and frequency,
    and a latent space to explore); the rest are fresh at every step, as in RCGAN.
    """

    noise_per_step = True

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        self.static_noise = min(cfg.static_noise or 0, cfg.noise_dim)
        hidden = cfg.hidden or DEFAULT_HIDDEN["lstm"]
        self.rnn = nn.LSTM(cfg.noise_dim + cfg.n_classes, hidden, num_layers=cfg.layers, batch_first=True)
        self.out = nn.Linear(hidden, cfg.channels)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = super().sample_noise(n, generator)
        if self.static_noise:
            z[:, :, : self.static_noise] = z[:, :1, : self.static_noise]
        return z

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h, _ = self.rnn(_with_label(z, one_hot(labels, self.n_classes, len(z))))
        return self.categorical(self.out(h))


class LSTMDiscriminator(Discriminator):
    """RCGAN discriminator: an LSTM over (sequence, label) with a decision at every step."""

    per_step = True

    def __init__(self, cfg: ModelConfig) -> None:
        hidden = cfg.hidden or DEFAULT_HIDDEN["lstm"]
        super().__init__(cfg, hidden)
        self.rnn = nn.LSTM(cfg.channels + cfg.n_classes, hidden, num_layers=cfg.layers, batch_first=True)

    def features(self, x, labels=None):
        h, _ = self.rnn(_with_label(x, one_hot(labels, self.n_classes, len(x))))
        return h


class MLPGenerator(Generator):
    """The original GAN's multilayer perceptron, emitting the flattened sequence; batch norm between layers."""

    batch_norm = True

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        hidden = cfg.hidden or DEFAULT_HIDDEN["mlp"]
        layers, width = [], cfg.noise_dim + cfg.n_classes
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
        layers, width = [], cfg.length * cfg.channels + cfg.n_classes
        for _ in range(cfg.layers + 1):
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        self.body = nn.Sequential(*layers)

    def features(self, x, labels=None):
        return self.body(_with_label(x.flatten(1), one_hot(labels, self.n_classes, len(x))))


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
            nn.Linear(cfg.noise_dim + cfg.n_classes, self.width * self.start),
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
        layers, channels, steps = [], cfg.channels + cfg.n_classes, cfg.length
        while steps > 4 or not layers:
            layers += [nn.Conv1d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            channels, steps = width, steps // 2
        super().__init__(cfg, width * steps)
        self.body = nn.Sequential(*layers)

    def features(self, x, labels=None):
        h = _with_label(x, one_hot(labels, self.n_classes, len(x)))
        return self.body(h.transpose(1, 2)).flatten(1)


GENERATORS = {"lstm": LSTMGenerator, "mlp": MLPGenerator, "conv": ConvGenerator}
DISCRIMINATORS = {"lstm": LSTMDiscriminator, "mlp": MLPDiscriminator, "conv": ConvDiscriminator}


def build(cfg: ModelConfig, variant=None) -> tuple[Generator, Discriminator]:
    """Build the generator and discriminator that ``cfg`` names (sizes resolved per family); a
    ``variant`` (:mod:`tsgan.variants`) adapts their configurations first (its own modules it builds itself)."""
    cfg = cfg.resolved()
    conditioning = 0 if cfg.semi_supervised else cfg.n_classes  # semi-supervised: labels are the D's outputs
    g_cfg = ModelConfig(**{**cfg.__dict__, "n_classes": conditioning, "hidden": cfg.hidden or DEFAULT_HIDDEN[cfg.generator]})
    d_cfg = ModelConfig(**{**cfg.__dict__, "n_classes": conditioning, "hidden": cfg.hidden or DEFAULT_HIDDEN[cfg.discriminator]})
    if variant is not None:
        g_cfg, d_cfg = variant.adapt(g_cfg, d_cfg)
    if cfg.semi_supervised and cfg.n_classes < 2:
        raise TsganError(f"the semi-supervised discriminator needs labelled examples of at least two classes, got {cfg.n_classes}")
    if cfg.lengths:  # unequal lengths: one more noise input, the sequence's length (tsgan.lengths)
        if getattr(variant, "name", "gan") != "gan":
            raise TsganError(f"the {variant.name} variant keeps codes in the noise and does not handle series of unequal "
                             "length; cut them into windows of one length (window= / --window)")
        g_cfg = ModelConfig(**{**g_cfg.__dict__, "noise_dim": g_cfg.noise_dim + 1})
    G, D = GENERATORS[cfg.generator](g_cfg), DISCRIMINATORS[cfg.discriminator](d_cfg)
    if cfg.lengths:
        from .lengths import LengthMasked

        G = LengthMasked(G, cfg.lengths)
    if cfg.semi_supervised:
        D.make_semi_supervised(cfg.n_classes)
    return G, D
