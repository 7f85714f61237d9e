"""Series of unequal length as NaN padding at the end of each sequence: lengths found, padding checked and set aside."""
from __future__ import annotations

import numpy as np

from ..errors import TsganError
from .checks import check_array


def sequence_lengths(X: np.ndarray) -> np.ndarray:
    """Each sequence's length in ``X`` ``(n, T, d)``: up to its last step with a value in any channel (steps
    NaN in every channel at the end are padding), ``(n,)`` int64; 0 for a sequence with no value at all."""
    present = ~np.isnan(X).all(axis=2)
    return np.where(present.any(axis=1), X.shape[1] - present[:, ::-1].argmax(axis=1), 0).astype(np.int64)


def padded_array(X, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """``X`` as float32 ``(n, T, d)`` (as :func:`check_array`) where sequences may be shorter than ``T``:
    the steps NaN in every channel at the end of a sequence are padding (series of unequal length, padded
    as the readers and :meth:`tsgan.GAN.sample` pad them). Returns ``(X, lengths)``; ``T`` is the longest
    length. Any other NaN, and a sequence with no value, is an error naming where."""
    arr = check_array(X, name, allow_nan=True)
    lengths = sequence_lengths(arr)
    if not lengths.all():
        raise TsganError(f"{name}: sequence {int(np.argmin(lengths))} is empty (length 0: NaN at every step); drop it")
    arr = arr[:, : lengths.max()]
    within = np.arange(arr.shape[1])[None, :, None] < lengths[:, None, None]
    check_array(np.where(within, arr, 0.0), name)  # a NaN within a sequence: the usual error, naming where
    return arr.astype(np.float32), lengths


def _unpadded(X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Sequences ``(n, T, d)``, NaN beyond the end of those shorter than ``T``, with that padding set to 0 (to
    convert columns), and which of the ``n * T`` rows lie within their sequence (None: all of them)."""
    lengths = sequence_lengths(X)
    if (lengths == X.shape[1]).all():
        return X, None
    within = np.arange(X.shape[1])[None, :] < lengths[:, None]
    return np.where(within[..., None], X, 0.0), within.reshape(-1)
