"""The literature's benchmark data sets (TimeGAN, Yoon et al. 2019): Sines and Stocks, built as its reference code builds them.

- **Sines**: ``n`` sequences of ``length`` steps and ``channels`` channels; channel k of sequence i is
  ``sin(f * t + phi)`` at ``t = 0, 1, ..., length - 1`` with ``f ~ U[0, 0.1]`` and ``phi ~ U[0, 0.1]``
  drawn per channel and sequence, then mapped to [0, 1] by ``(x + 1) / 2``. This is the definition in the
  reference code (``data_loading.py``) that produced the published tables; the paper's text
  (``f ~ U[0, 1]``, ``phi ~ U[-pi, pi]``) differs, and we follow the code so figures compare.
- **Stocks**: daily Google stock prices (Open, High, Low, Close, Adj_Close, Volume; 2004-2019, 3,685 days,
  oldest first; the CSV that TimeGAN's public code ships - not bundled with tsgan, pass its path), min-max scaled per column over the whole series, then cut
  into overlapping windows of ``length`` steps (stride 1), as the reference code does. The reference code
  also reverses the rows ("to make chronological data", though the file already is), so its windows run
  backwards in time; ``reverse=True`` (default) does the same so figures compare, ``reverse=False`` keeps
  time's direction.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TsganError
from .windows import sliding_windows


def make_sines(n: int = 10_000, length: int = 24, channels: int = 5, *, seed: int = 0) -> np.ndarray:
    """TimeGAN's Sines: float32 ``(n, length, channels)`` in [0, 1], from a seeded generator (see module docstring)."""
    if n < 1 or length < 2 or channels < 1:
        raise TsganError(f"make_sines needs n >= 1, length >= 2, channels >= 1; got {n}, {length}, {channels}")
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.0, 0.1, size=(n, 1, channels))
    phase = rng.uniform(0.0, 0.1, size=(n, 1, channels))
    t = np.arange(length, dtype=np.float64)[None, :, None]
    return ((np.sin(freq * t + phase) + 1.0) / 2.0).astype(np.float32)


def load_stocks(path: str | Path, length: int = 24, *, reverse: bool = True) -> tuple[np.ndarray, list[str]]:
    """TimeGAN's Stocks windows: float32 ``(n, length, 6)`` in [0, 1] and the column names (see module docstring).

    3,685 days give 3,662 windows of 24 (the reference code's loop stops one window short: 3,661)."""
    path = Path(path)
    if not path.is_file():
        raise TsganError(f"stock data '{path}' not found: pass the path of TimeGAN's stock_data.csv")
    frame = pd.read_csv(path)
    values = frame.to_numpy(dtype=np.float64)
    if reverse:
        values = values[::-1]
    if np.isnan(values).any():
        raise TsganError(f"'{path}' has missing values")
    low, high = values.min(axis=0), values.max(axis=0)
    scaled = (values - low) / np.maximum(high - low, 1e-7)
    return sliding_windows(scaled, length).astype(np.float32), list(frame.columns)
