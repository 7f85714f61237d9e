"""Missing values (NaN) in read series: an error naming where, or interpolated, or interpolated and masked."""
from __future__ import annotations

import numpy as np

from ..errors import TsganError

NAN_OPTIONS = ("raise", "interpolate", "mask")
OBSERVED = "_observed"


def _fill_missing(series: list[np.ndarray], where, channels: list[str], nan: str) -> tuple[list[np.ndarray], list[str]]:
    """Handle NaN in per-series ``(T_i, d)`` arrays (see :mod:`tsgan.data`); ``where(i, t)`` names a
    series and time for messages. Returns the arrays (with 0/1 mask channels appended for ``mask``)
    and the mask channels' names."""
    if nan not in NAN_OPTIONS:
        raise TsganError(f"unknown missing-value handling nan='{nan}'; choose one of {list(NAN_OPTIONS)}")
    missing = [np.isnan(a) for a in series]
    for i, m in enumerate(missing):
        if m.all():
            raise TsganError(f"{where(i, None)} is empty: every value is missing; drop it")
    total = int(sum(m.sum() for m in missing))
    if total == 0:
        return series, []
    if nan == "raise":
        i = next(k for k, m in enumerate(missing) if m.any())
        t, c = np.argwhere(missing[i])[0]
        raise TsganError(f"{total} missing value(s) (NaN), the first at {where(i, t)}, channel '{channels[c]}'; choose a handling: "
                         f"nan='interpolate' (linear within each series) or nan='mask' (interpolate and add 0/1 "
                         f"'<channel>{OBSERVED}' channels) - on the command line --nan interpolate / --nan mask")
    gappy = sorted({int(c) for m in missing for c in np.flatnonzero(m.any(axis=0))})
    masks = [f"{channels[c]}{OBSERVED}" for c in gappy] if nan == "mask" else []
    if set(masks) & set(channels):
        raise TsganError(f"mask channel name(s) {sorted(set(masks) & set(channels))} are taken by data channels; rename those")
    out = []
    for i, (arr, m) in enumerate(zip(series, missing)):
        filled, steps = arr.copy(), np.arange(len(arr))
        for c in np.flatnonzero(m.any(axis=0)):
            seen = ~m[:, c]
            if not seen.any():
                raise TsganError(f"{where(i, None)} has no values in channel '{channels[c]}' to interpolate from; drop or fill it")
            filled[:, c] = np.interp(steps, steps[seen], arr[seen, c])
        out.append(np.concatenate([filled, (~m[:, gappy]).astype(np.float64)], axis=1) if masks else filled)
    return out, masks
