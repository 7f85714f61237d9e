"""Sliding windows over one long series."""
from __future__ import annotations

import numpy as np

from ..errors import TsganError


def _check_window(length, stride) -> None:
    if not isinstance(length, (int, np.integer)) or not isinstance(stride, (int, np.integer)) or length < 1 or stride < 1:
        raise TsganError(f"window length and stride must be whole numbers >= 1, got length={length!r}, stride={stride!r}")


def sliding_windows(values: np.ndarray, length: int, stride: int = 1) -> np.ndarray:
    """All windows ``values[s : s + length]`` for ``s = 0, stride, ...``: ``(T, d)`` -> ``(n, length, d)``."""
    values = np.asarray(values)
    if values.ndim != 2:
        raise TsganError(f"sliding_windows needs a (T, d) array, got shape {values.shape}")
    _check_window(length, stride)
    if length > len(values):
        raise TsganError(f"window length must be in [1, {len(values)}] (the series' length), got {length}")
    starts = np.arange(0, len(values) - length + 1, stride)
    return np.stack([values[s:s + length] for s in starts])
