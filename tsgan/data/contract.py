"""The data contract's containers - Dataset (sequences read with their layout), Sequences (a validated batch) - and default column names."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import TsganError
from .checks import _channel_names, encode_labels
from .padding import padded_array, sequence_lengths

ID, TIME, LABEL, VALUE = "series_id", "time", "label", "value"


def _rows(X) -> int | None:
    """How many sequences ``X`` holds, or None where it has no length (a 0-d array, a scalar: refused later)."""
    try:
        return len(X)
    except TypeError:
        return None


class Dataset(tuple):
    """Sequences read from a table or an sktime container: the 3-tuple ``(X, labels, channels)`` -
    ``X`` float32 ``(n, T, d)``, ``labels`` one per sequence in the input's own values and dtype (or
    None), ``channels`` the channel names - plus ``layout``, a plain dict recording how the data came
    in (kind, column names, dtypes, time stamps, missing-value handling, windows) - and ``attributes``, a
    DataFrame of one row per sequence holding its per-series attributes (None without; :mod:`tsgan.data.attributes`).
    :meth:`tsgan.GAN.fit` takes a Dataset whole and remembers its layout, so that
    :meth:`~tsgan.GAN.sample_frame` and :meth:`~tsgan.GAN.sample_sktime` give samples back in the
    same form. ``X, y, channels = dataset`` unpacks it."""

    def __new__(cls, X, labels, channels, layout: dict | None = None, attributes=None):
        obj = super().__new__(cls, (X, labels, None if channels is None else list(channels)))
        obj.layout = dict(layout) if layout else {"kind": "array"}
        obj.attributes = check_attribute_frame(attributes, _rows(X))
        return obj

    def __getnewargs__(self):  # pickling and copying
        return (*self, self.layout, self.attributes)

    X = property(lambda self: self[0], doc="float32 sequences (n, T, d), NaN beyond the end of series shorter than T")
    labels = property(lambda self: self[1], doc="one label per sequence, or None")
    channels = property(lambda self: self[2], doc="channel names")

    @property
    def lengths(self) -> np.ndarray:
        """Each sequence's length ``(n,)``: ``T`` for all unless series differ in length (then padded with NaN)."""
        return padded_array(self.X)[1]

    def unlabelled(self) -> "Dataset":
        """The same sequences without labels (to train an unconditional model)."""
        return Dataset(self.X, None, self.channels, {**self.layout, "label_col": None, "label_dtype": None}, self.attributes)

    def __repr__(self) -> str:
        classes = "unlabelled" if self.labels is None else f"{len(set(map(str, self.labels)))} classes"
        X = self.X
        lengths = sequence_lengths(X) if isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.ndim == 3 and X.size else None
        steps = f"{lengths.min()}-{lengths.max()}" if lengths is not None and lengths.min() < lengths.max() else f"{X.shape[1]}"
        attributes = "" if self.attributes is None else f", attributes {list(self.attributes.columns)}"
        return f"Dataset({self.layout.get('kind')}: {self.X.shape[0]} sequences x {steps} steps x {self.X.shape[2]} channels, {classes}{attributes})"


@dataclass
class Sequences:
    """A validated batch: ``X`` float32 ``(n, T, d)``; ``y`` int64 class indices ``(n,)`` or None;
    ``classes`` the class names (index i is class ``classes[i]``); ``channels`` the channel names;
    ``lengths`` each sequence's length ``(n,)`` when they differ (``X`` NaN beyond each end), else None;
    ``attributes`` a DataFrame of each sequence's attributes (one row per sequence), or None."""

    X: np.ndarray
    y: np.ndarray | None
    classes: list[str]
    channels: list[str]
    lengths: np.ndarray | None = None
    attributes: pd.DataFrame | None = None


def pad_to(data: Sequences, length: int) -> Sequences:
    """``data`` with its sequences NaN-padded at their end to ``length`` steps (as it is when they have as many)."""
    n, T, d = data.X.shape
    if T >= length:
        return data
    X = np.concatenate([data.X, np.full((n, length - T, d), np.nan, np.float32)], axis=1)
    return replace(data, X=X, lengths=np.full(n, T) if data.lengths is None else data.lengths)


def check_attribute_frame(attributes, n: int | None) -> pd.DataFrame | None:
    """Per-sequence attributes as a DataFrame of ``n`` rows (None stays None)."""
    if attributes is None:
        return None
    if not isinstance(attributes, pd.DataFrame):
        raise TsganError(f"attributes must be a pandas DataFrame of one row per sequence, got {type(attributes).__name__}")
    if n is not None and len(attributes) != n:
        raise TsganError(f"attributes have {len(attributes)} rows for {n} sequences; give one row per sequence")
    return attributes.reset_index(drop=True) if len(attributes.columns) else None


def as_sequences(X, y=None, channels: list[str] | None = None, attributes=None) -> Sequences:
    """Validate ``X`` (and labels ``y``, attributes one row per sequence) into a :class:`Sequences`. Sequences
    shorter than the longest are NaN-padded at their end (see :func:`padded_array`)."""
    arr, lengths = padded_array(X)
    n, T, d = arr.shape
    attributes = check_attribute_frame(attributes, n)
    lengths = None if (lengths == T).all() else lengths
    channels = ([VALUE] if d == 1 else [f"channel_{i}" for i in range(d)]) if channels is None else _channel_names(channels, d)
    if y is None:
        return Sequences(arr, None, [], list(channels), lengths, attributes)
    idx, classes = encode_labels(y, n)
    return Sequences(arr, idx, classes, list(channels), lengths, attributes)
