"""Per-series arrays into a Dataset: missing values handled, then padded to one length or cut into windows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TsganError
from .contract import Dataset
from .layout import _time_info
from .missing import _fill_missing
from .padding import padded_array
from .windows import _check_window, sliding_windows


def _assemble(series: list[np.ndarray], labels, channels: list[str], stamps: list[pd.Index] | None, where, layout: dict, *,
              nan: str, window: int | None, stride: int, attributes: pd.DataFrame | None = None) -> Dataset:
    """Per-series ``(T_i, d)`` float64 arrays (and one label each) -> a :class:`Dataset`: missing values
    handled, then stacked - series shorter than the longest padded with NaN at their end (see
    :mod:`tsgan.lengths`) - or cut into windows of ``window`` steps; each window keeps its series' label and
    ``attributes`` (a frame of one row per series)."""
    series, masks = _fill_missing(series, where, channels, nan)
    if window is not None:
        _check_window(window, stride)
        keep = [i for i, s in enumerate(series) if len(s) >= window]
        if not keep:
            raise TsganError(f"every series is shorter than the window of {window} steps (the longest has "
                             f"{max(map(len, series))}); choose a shorter window")
        parts = [sliding_windows(series[i], window, stride) for i in keep]
        owner = np.concatenate([np.full(len(p), i) for i, p in zip(keep, parts)])
        X, first = np.concatenate(parts), (None if stamps is None else stamps[keep[0]][:window])
    else:  # unequal lengths: NaN beyond each end; time stamps of the (first) longest series
        lengths = [len(s) for s in series]
        longest = int(np.argmax(lengths))
        X = np.full((len(series), lengths[longest], series[0].shape[1]), np.nan)
        for i, s in enumerate(series):
            X[i, : len(s)] = s
        owner, first = np.arange(len(series)), (None if stamps is None else stamps[longest])
    layout.update(time=_time_info(first), nan=nan, masks=masks,
                  window=None if window is None else {"length": int(window), "stride": int(stride)})
    return Dataset(padded_array(X, name="channel values")[0], None if labels is None else np.asarray(labels)[owner],
                   list(channels) + masks, layout, None if attributes is None else attributes.iloc[owner].reset_index(drop=True))
