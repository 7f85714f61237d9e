"""The network contracts: the bases every generator and discriminator family derives from.

Contracts shared by every family, so any generator pairs with any discriminator:

* ``G.sample_noise(n, generator=None)`` -> ``(n, T, noise_dim)`` for recurrent generators (noise
  per step; ``(n, W + T, noise_dim)`` with ``G.burn_in`` W leading steps run and dropped), ``(n, noise_dim)``
  for MLP / conv (noise per sequence); the generator owns its noise (``G.noise_shape(n)``).
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
  longest length ``T``; :func:`tsgan.nn.build.build` wraps the generator in :class:`tsgan.nn.lengths.LengthMasked`, which
  draws a length per sequence (by its label) and sets the output beyond it to the padding value real
  sequences hold there, so every discriminator family sees both padded alike (see :mod:`tsgan.nn.lengths`).
* ``labels`` are int64 class indices ``(n,)`` or float class weights ``(n, K)`` (one-hot or soft);
  conditioning (CGAN) concatenates the one-hot label to each network's input, once, inside it.
  A model with per-series attributes (``cfg.attribute_dim = A > 0``, :mod:`tsgan.data.attributes`) takes
  the whole conditioning instead: float ``(n, K + A)``, the one-hot label then the encoded attributes
  (:func:`condition`); every family concatenates it where it would the label.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import TsganError
from .config import ModelConfig
from .layers import MinibatchDiscrimination, VirtualBatchNorm


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


def condition(labels: torch.Tensor | None, n_classes: int, attribute_dim: int, n: int) -> torch.Tensor | None:
    """The conditioning a network sees, ``(n, K + A)``: the one-hot label (:func:`one_hot`) for a model without
    attributes; with attributes, ``labels`` is already the conditioning (one-hot label then encoded attributes)."""
    if not attribute_dim:
        return one_hot(labels, n_classes, n)
    width = n_classes + attribute_dim
    if labels is None or not labels.dtype.is_floating_point or labels.shape != (n, width):
        got = "none" if labels is None else f"{labels.dtype} {tuple(labels.shape)}"
        raise TsganError(f"this model is conditioned on {n_classes} classes and {attribute_dim} attribute columns: pass the "
                         f"conditioning as float ({n}, {width}) (one-hot label, then encoded attributes), got {got}")
    return labels


def random_condition(G: nn.Module, n: int, rng: torch.Generator, device) -> torch.Tensor | None:
    """A conditioning for ``n`` quick looks at a generator: uniform class indices (None when unconditional); with
    attributes, those one-hot, then the attributes at their scaled middle (0)."""
    n_classes, attribute_dim = getattr(G, "n_classes", 0), getattr(G, "attribute_dim", 0)
    labels = torch.randint(n_classes, (n,), generator=rng, device=device) if n_classes else None
    if not attribute_dim:
        return labels
    label = F.one_hot(labels, n_classes).float() if labels is not None else torch.zeros(n, 0, device=device)
    return torch.cat([label, torch.zeros(n, attribute_dim, device=device)], dim=1)


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
    any_length = False  # True: makes any number of steps from noise that long (tsgan.nn.longer)
    burn_in = 0  # leading noise steps run and dropped (the recurrent generator's option): noise steps - output steps
    batch_norm = False  # True: batch norm layers, which virtual batch norm can replace

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.length, self.channels, self.n_classes, self.noise_dim = cfg.length, cfg.channels, cfg.n_classes, cfg.noise_dim
        self.attribute_dim = cfg.attribute_dim
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
            reference = F.one_hot(labels, self.n_classes).float() if self.n_classes else None
            if self.attribute_dim:  # attributes at their scaled middle (0) in the reference batch
                reference = torch.cat([torch.zeros(self.vbn_reference, 0) if reference is None else reference,
                                       torch.zeros(self.vbn_reference, self.attribute_dim)], dim=1)
            self.register_buffer("reference_labels", reference)

    def _condition(self, labels: torch.Tensor | None, n: int) -> torch.Tensor | None:
        return condition(labels, self.n_classes, self.attribute_dim, n)

    def _input(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """Noise with the one-hot label; with virtual batch norm, the reference batch's inputs first
        (its rows pass through the network with the batch's and are dropped with :meth:`_drop_reference`)."""
        inputs = _with_label(z, self._condition(labels, len(z)))
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
        self.n_classes, self.attribute_dim, self.feature_dim = cfg.n_classes, cfg.attribute_dim, feature_dim
        self.minibatch = MinibatchDiscrimination(feature_dim, cfg.minibatch_kernels) if cfg.minibatch_kernels else None
        self.head = nn.Linear(feature_dim + cfg.minibatch_kernels, 1)
        self.embed = nn.Linear(cfg.condition_dim, feature_dim, bias=False) if cfg.condition_dim else None
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

    def _condition(self, labels: torch.Tensor | None, n: int) -> torch.Tensor | None:
        return condition(labels, self.n_classes, self.attribute_dim, n)

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
            e = self.embed(self._condition(labels, len(x)).to(h.dtype))
            score = score + ((e[:, None, :] if h.dim() == 3 else e) * h).sum(-1)
        return score

