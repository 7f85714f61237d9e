"""The semi-supervised discriminator (Salimans et al. 2016): it classifies the data's K classes (a "fake"
class implied), trained on few labelled and many unlabelled sequences; the generator is unconditional."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from ...data import Sequences, as_sequences, pad_to
from ...errors import TsganError
from ..technique import Technique, option, register


def class_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of class logits ``(n, K)`` against class indices ``(n,)``: the supervised term.
    Per-step logits ``(n, T, K)`` are each held to the sequence's label and averaged over steps."""
    if logits.dim() == 3:
        return F.cross_entropy(logits.transpose(1, 2), labels[:, None].expand(-1, logits.shape[1]))
    return F.cross_entropy(logits, labels)


@register
@dataclass(kw_only=True, eq=False)
class SemiSupervised(Technique):
    name: ClassVar[str] = "semi-supervised"
    summary: ClassVar[str] = "the discriminator classifies the labels' classes, trained on few labels (GAN.classify)"
    order: ClassVar[int] = 30
    semi_supervised: bool = option(True, "the discriminator classifies the data's classes (fake implied) and the generator "
                                         "is unconditional; with --labels-per-class most sequences train unlabelled; "
                                         "GAN.classify then labels real sequences", off=False)

    def validate(self, setting) -> None:
        if getattr(setting.model, "attribute_dim", 0):  # its labels are outputs, -1 for unlabelled rows: no conditioning to carry them
            raise TsganError("the semi-supervised discriminator does not combine with series attributes (its generator is "
                             "unconditional and its labels are the discriminator's outputs); train without attributes")
        if setting.loss.real_target is None:
            raise TsganError(f"the semi-supervised discriminator is trained with the classic 'gan' loss, not '{setting.loss.name}'")
        if setting.game is not None and setting.game.name != "gan":
            raise TsganError(f"the semi-supervised discriminator does not combine with the {setting.game.name} variant")

    # -- data: labelled sequences, then unlabelled ones with label -1 -----------------------------------
    def with_unlabelled(self, data: Sequences, unlabelled) -> Sequences:
        if data.y is None:
            raise TsganError("a semi-supervised GAN needs labels for some sequences: fit(X_labelled, y, unlabelled=X_unlabelled)")
        if unlabelled is None:
            return data
        extra = as_sequences(unlabelled, None, data.channels)
        T = max(data.X.shape[1], extra.X.shape[1])  # series of unequal length: pad the shorter set (tsgan.nn.lengths)
        data, extra = pad_to(data, T), pad_to(extra, T)
        if extra.X.shape[1:] != data.X.shape[1:]:
            raise TsganError(f"unlabelled sequences have shape {extra.X.shape[1:]} per sequence, the labelled ones {data.X.shape[1:]}")
        lengths = None if data.lengths is None and extra.lengths is None else np.concatenate(
            [np.full(len(part.X), T) if part.lengths is None else part.lengths for part in (data, extra)])
        return Sequences(np.concatenate([data.X, extra.X]), np.concatenate([data.y, np.full(len(extra.X), -1, data.y.dtype)]),
                         data.classes, data.channels, lengths)

    # -- networks ------------------------------------------------------------------------------------
    def adapt(self, cfg, g_cfg, d_cfg):  # labels are the discriminator's outputs: neither network is conditioned
        return dataclasses.replace(g_cfg, n_classes=0, lengths={}), dataclasses.replace(d_cfg, n_classes=0, lengths={})

    def wrap(self, cfg, G, D) -> None:
        if cfg.n_classes < 2:
            raise TsganError(f"the semi-supervised discriminator needs labelled examples of at least two classes, got {cfg.n_classes}")
        D.make_semi_supervised(cfg.n_classes)

    # -- training --------------------------------------------------------------------------------------
    def prepare(self, trainer, X, y):
        """Every sequence is real data for the real/fake game; the labelled ones (y >= 0) also train the classes."""
        if y is None or not (y >= 0).any():
            raise TsganError("the semi-supervised discriminator needs some labelled sequences (labels y, -1 where unknown)")
        self.labelled = (X[y >= 0], y[y >= 0])
        return X, None

    def critic_term(self, step):
        X_l, y_l = self.labelled
        idx = step.indices(len(X_l))
        return class_loss(step.D.class_logits(X_l[idx]), y_l[idx])
