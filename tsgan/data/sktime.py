"""sktime's numpy3D and pd-multiindex containers read into Datasets and written back."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TsganError
from .assemble import _assemble
from .checks import _as_array, _label_array, _plain, check_array
from .contract import ID, TIME, VALUE, Dataset
from .tables import _read_frame, to_long


def from_sktime(X, y=None, *, nan: str = "raise", window: int | None = None, stride: int = 1, categorical=None) -> Dataset:
    """Read sktime's ``numpy3D`` array ``(n, d, T)`` or ``pd-multiindex`` frame (and labels ``y``, one per
    instance) into a :class:`Dataset` ``(X (n, T, d), y, channels)``. ``nan``, ``window``, ``stride``
    and ``categorical`` (pd-multiindex only) as in :func:`from_long`; a pd-multiindex frame may hold
    series of unequal length (padded with NaN as :func:`from_long` pads them). In numpy3D, which holds
    equal lengths, a NaN is a missing value, handled as ``nan`` says."""
    if isinstance(X, pd.DataFrame):
        if not isinstance(X.index, pd.MultiIndex) or X.index.nlevels != 2:
            raise TsganError("an sktime data frame must be pd-multiindex (instance, time) with one column per channel")
        names = [_plain(n) for n in X.index.names]
        long = X.reset_index(names=["__instance__", "__time__"])
        label_col = None
        if y is not None:
            codes, uniques = pd.factorize(long["__instance__"])
            y = _label_array(y, len(uniques), "instance")
            label_col, long["__label__"] = "__label__", y[codes]
        data = _read_frame(long, "long", id_col="__instance__", time_col="__time__", label_col=label_col,
                           channels=list(X.columns), nan=nan, window=window, stride=stride, categorical=categorical)
        data.layout.update(kind="pd-multiindex", index_names=names, id_col=None, time_col=None, label_col=None,
                           columns=[_plain(c) for c in X.columns], label_dtype=None if y is None else str(y.dtype))
        return data
    if categorical:
        raise TsganError("a numpy3D array holds numbers only; pass categorical channels in a pd-multiindex frame")
    given = _as_array(X, "sktime numpy3D data", "pass an array of shape (n, d, T) or a pd-multiindex frame")
    if given.ndim != 3:
        raise TsganError(f"sktime numpy3D data must have shape (n, d, T), got {given.shape}")
    arr = np.transpose(check_array(given, name="sktime numpy3D data", allow_nan=True), (0, 2, 1))
    labels = None if y is None else _label_array(y, len(arr))
    channels = [VALUE] if arr.shape[2] == 1 else [f"channel_{i}" for i in range(arr.shape[2])]
    layout = {"kind": "numpy3D", "dtype": str(given.dtype), "label_dtype": None if labels is None else str(labels.dtype)}
    return _assemble(list(arr), labels, channels, None, lambda i, t: f"sequence {i}" + ("" if t is None else f", step {t}"),
                     layout, nan=nan, window=window, stride=stride)


def to_sktime(X: np.ndarray, kind: str = "numpy3D", channels: list[str] | None = None):
    """Write ``(n, T, d)`` sequences as sktime ``numpy3D`` ``(n, d, T)`` or ``pd-multiindex``."""
    X = check_array(X)
    if kind == "numpy3D":
        return np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    if kind == "pd-multiindex":
        long = to_long(X, channels=channels)
        return long.set_index([ID, TIME])
    raise TsganError(f"unknown sktime container '{kind}'; use 'numpy3D' or 'pd-multiindex'")
