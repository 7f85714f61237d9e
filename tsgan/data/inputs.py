"""Any training input - a Dataset, a DataFrame, an array with labels - as a Dataset."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TsganError
from .checks import _as_array, _channel_names
from .contract import Dataset
from .sktime import from_sktime
from .tables import from_long


def as_dataset(X, y=None, channels: list[str] | None = None) -> Dataset:
    """Any training input as a :class:`Dataset`: a Dataset as it is, a DataFrame read as pd-multiindex
    (MultiIndex rows), sktime's nested_univ (a series in every cell, its loaders' default: labels ``y``
    beside it) or long format, an array ``(n, T, d)`` with labels ``y`` and ``channels``, or the pair
    ``(X, y)`` that :func:`tsgan.make_waves` returns."""
    if y is None and _is_pair(X):
        X, y = X
    if _is_nested(X):
        if channels is not None:
            raise TsganError("a nested sktime frame names its own channels (its columns): leave channels out")
        return from_sktime(X, y)
    if isinstance(X, (Dataset, pd.DataFrame)):
        if y is not None or channels is not None:
            raise TsganError("a tsgan Dataset or DataFrame carries its own labels and channel names: pass it alone "
                             "(dataset.unlabelled() drops the labels)")
        if isinstance(X, Dataset):
            return X
        return from_sktime(X) if isinstance(X.index, pd.MultiIndex) else from_long(X)
    labels = None if y is None else _as_array(y, "labels", "pass one label (a name or number) per sequence")
    return Dataset(X, y, None if channels is None else _channel_names(channels), {"kind": "array", "label_dtype": None if labels is None else str(labels.dtype)})


def _is_pair(X) -> bool:
    """Sequences and their labels as one tuple (not a tuple of two sequences: the labels are one per sequence)."""
    if type(X) is not tuple or len(X) != 2:  # a Dataset is a tuple too, of three
        return False
    try:
        return np.ndim(X[0]) in (2, 3) and np.ndim(X[1]) == 1 and len(X[0]) == len(X[1])
    except (TypeError, ValueError):
        return False


def _is_nested(X) -> bool:
    """sktime's nested_univ: a DataFrame whose cells each hold a whole series."""
    return isinstance(X, pd.DataFrame) and len(X) > 0 and len(X.columns) > 0 and all(
        isinstance(cell, pd.Series) for cell in X.iloc[0])
