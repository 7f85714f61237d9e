"""Sequences of unequal length: masked training and generated lengths that follow the data's.

How it works, for every generator and discriminator family (mlp, conv, lstm) and every loss, with the
one training loop unchanged:

* **Data.** Readers pad series shorter than the longest with NaN (``X`` ``(n, T, d)``, ``T`` the longest
  length; :func:`tsgan.data.sequence_lengths` gives each series' length back); arrays passed to
  :meth:`tsgan.GAN.fit` may be padded the same way. The scaler ignores the padding; the scaled sequences
  the networks see hold :data:`PAD` (0) beyond each end.
* **Generator.** :class:`LengthMasked` wraps the family's generator. The noise of each sequence carries
  one more value ``u``, uniform on [0, 1) (its last channel; constant over time for the recurrent
  generator). ``u`` becomes a length through the inverse cumulative distribution of the training lengths
  of the sequence's label (of all sequences for an unconditional generator): the *length table*
  ``{"values": [lengths], "counts": [one row per class, then one for all sequences]}``, kept in
  ``ModelConfig.lengths`` and so saved with the model. The wrapped generator gets that length (scaled to
  (-1, 1]) in place of ``u``, so what it makes can depend on it; it makes ``T`` steps, and every step
  beyond the length is multiplied by 0, i.e. set to :data:`PAD`, so no gradient reaches the generator
  from the padding.
* **Discriminator.** It sees real and generated sequences padded identically (:data:`PAD` beyond the end)
  and with lengths from the same distribution per label, so the padding tells real from generated
  nothing; it judges the steps within each length, and whether they fit the length and the label.
* **Sampling.** :meth:`tsgan.GAN.sample` draws lengths per label from the table, or takes the ``length``
  asked for (at most ``T``: a length between the trained ones is an interpolation of the model); arrays
  come back NaN beyond each sequence's end, frames hold each series' own rows only.

Lengths are not learnt, they are drawn: their distribution per label is the data's exactly. The
variants with encoders and codes (InfoGAN, BiGAN, AAE) keep their codes in the noise and do not combine
with unequal lengths (a :class:`TsganError` says so; cut the series into windows instead).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import TsganError

PAD = 0.0  # the scaled value beyond a sequence's end, in real and generated sequences alike


def length_table(lengths: np.ndarray, y: np.ndarray | None, n_classes: int) -> dict:
    """The length table of sequences with ``lengths`` and class indices ``y`` (-1: unlabelled; None: no
    labels): the distinct lengths and their counts, one row per class, then one row for all sequences."""
    lengths = np.asarray(lengths, dtype=np.int64)
    values = np.unique(lengths)
    rows = [lengths[y == k] for k in range(n_classes)] if y is not None else []
    counts = [np.bincount(np.searchsorted(values, row), minlength=len(values)).tolist() for row in rows + [lengths]]
    return {"values": values.tolist(), "counts": counts}


def check_table(table: dict, length: int, n_classes: int) -> dict:
    """A length table (see :func:`length_table`) as plain ints, or a TsganError saying what does not fit."""
    try:
        values = [int(v) for v in table["values"]]
        counts = [[int(c) for c in row] for row in table["counts"]]
    except (KeyError, TypeError, ValueError):
        raise TsganError(f"a length table needs 'values' (lengths) and 'counts' (rows of whole numbers), got {str(table)[:80]}") from None
    fits = (values and values == sorted(set(values)) and 1 <= values[0] and values[-1] <= length
            and len(counts) == n_classes + 1 and all(len(row) == len(values) and min(row) >= 0 and sum(row) > 0 for row in counts))
    if not fits:
        raise TsganError(f"the length table {str(table)[:80]} does not fit sequences of at most {length} steps and {n_classes} classes")
    return {"values": values, "counts": counts}


class LengthMasked(nn.Module):
    """A generator of any family that makes sequences of unequal length (module docstring): its noise's last
    channel is a uniform ``u`` that the length table turns into a length per sequence (by its label), the
    wrapped ``generator`` (built with one more noise input) sees that length, and its output is :data:`PAD`
    beyond it. ``forward(z, labels, lengths=None)``: ``lengths`` (``(n,)`` ints) overrides the drawn ones."""

    def __init__(self, generator: nn.Module, table: dict) -> None:
        super().__init__()
        self.generator = generator
        self.length, self.channels, self.n_classes = generator.length, generator.channels, generator.n_classes
        self.attribute_dim = generator.attribute_dim
        self.noise_dim, self.noise_per_step = generator.noise_dim, generator.noise_per_step
        self.any_length, self.burn_in = getattr(generator, "any_length", False), getattr(generator, "burn_in", 0)
        counts = torch.tensor(table["counts"], dtype=torch.float64)
        cdf = counts.cumsum(dim=1) / counts.sum(dim=1, keepdim=True)
        # float buffers (moved with the module; the weight average leaves equal values as they are), not saved:
        # the table is in the model configuration
        self.register_buffer("values", torch.tensor(table["values"], dtype=torch.float32), persistent=False)
        self.register_buffer("cdf", cdf.float(), persistent=False)
        if getattr(generator, "vbn_reference", 0):  # virtual batch norm: its reference batch gets lengths like the data's
            u = torch.rand(generator.vbn_reference, device=generator.reference_noise.device)
            lengths = self.lengths(u, generator.reference_labels)  # by the reference batch's labels (None: unconditional)
            with torch.no_grad():
                generator.reference_noise.copy_(self._with_length(generator.reference_noise, lengths))

    def noise_shape(self, n: int) -> tuple[int, ...]:
        return self.generator.noise_shape(n)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = self.generator.sample_noise(n, generator)
        u = torch.rand(n, generator=generator, device=z.device)
        return torch.cat([z[..., :-1], self._per_step(u, z)], dim=-1)

    @staticmethod
    def _per_step(value: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """One value per sequence as the noise's last channel: ``(n, 1)``, or ``(n, T, 1)`` repeated over time."""
        value = value.to(z.dtype)[:, None]
        return value[:, None, :].expand(-1, z.shape[1], -1) if z.dim() == 3 else value

    def _with_length(self, z: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The noise with its last channel replaced by the length, scaled to (-1, 1]: the wrapped generator's input."""
        return torch.cat([z[..., :-1], self._per_step(2.0 * lengths / self.length - 1.0, z)], dim=-1)

    def lengths(self, u: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Lengths ``(n,)`` (int64) for uniforms ``u`` ``(n,)`` by the inverse cumulative distribution of the
        training lengths of each label (int class indices, or class weights ``(n, K)`` mixing the rows)."""
        if labels is None or not self.n_classes:
            cdf = self.cdf[-1].expand(len(u), -1)
        elif labels.dtype.is_floating_point:  # class weights; with attributes, the conditioning (its first K columns)
            cdf = labels[..., : self.n_classes].to(self.cdf.dtype) @ self.cdf[:-1]
        else:
            cdf = self.cdf[labels]
        index = (cdf < u[:, None].to(cdf.dtype)).sum(dim=1).clamp(max=len(self.values) - 1)
        return self.values[index].round().long()

    def noise_lengths(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The lengths that noise ``z`` (from :meth:`sample_noise`) gives sequences of ``labels``."""
        return self.lengths(z[:, 0, -1] if z.dim() == 3 else z[:, -1], labels)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None, lengths: torch.Tensor | None = None) -> torch.Tensor:
        lengths = self.noise_lengths(z, labels) if lengths is None else lengths.to(z.device)
        # beyond the longest training length (a recurrent generator run on, tsgan.nn.longer) it sees the longest
        x = self.generator(self._with_length(z, lengths.clamp(max=self.length)), labels)
        within = torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None]
        return x * within[..., None].to(x.dtype)  # PAD (0) beyond each end


def requested_lengths(G: nn.Module, n: int, length, device) -> torch.Tensor | None:
    """The ``length`` asked of :meth:`tsgan.GAN.sample` as ``(n,)`` int64 (None: lengths drawn per label, or one
    length for all that the noise's steps give). Above the training length only a generator that runs on
    (:mod:`tsgan.nn.longer`, checked by the caller) is asked: every sample is then that long."""
    if length is None:
        return None
    if not isinstance(length, (int, np.integer)) or isinstance(length, (bool, np.bool_)):
        raise TsganError(f"length must be a whole number of steps, got {length!r}")
    if length > G.length and getattr(G, "any_length", False):
        return torch.full((n,), int(length), dtype=torch.long, device=device) if isinstance(G, LengthMasked) else None
    if not isinstance(G, LengthMasked):
        if length == G.length:
            return None
        raise TsganError(f"this model was trained on sequences of one length ({G.length} steps) and generates that length only, "
                         f"not {length}; train on series of unequal length to choose lengths")
    if not 1 <= length <= G.length:
        raise TsganError(f"length={length} is outside what the model generates: 1 to {G.length} steps (the longest training "
                         f"sequence; trained lengths {G.values.long().tolist()[:10]})")
    return torch.full((n,), int(length), dtype=torch.long, device=device)


def mask_beyond(X: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``X`` ``(n, T, d)`` with NaN beyond each sequence's length."""
    X = np.array(X, dtype=np.float32, copy=True)
    X[np.arange(X.shape[1])[None, :] >= np.asarray(lengths)[:, None]] = np.nan
    return X
