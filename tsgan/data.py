"""The data contract: validate arrays ``(n, T, d)`` with optional labels, and convert to and from
pandas long format and sktime's ``numpy3D`` / ``pd-multiindex`` containers.

Every check raises :class:`TsganError` with a message that names the problem and the fix, so bad
input never reaches torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import TsganError

ID, TIME, LABEL, VALUE = "series_id", "time", "label", "value"


@dataclass
class Sequences:
    """A validated batch: ``X`` float32 ``(n, T, d)``; ``y`` int64 class indices ``(n,)`` or None;
    ``classes`` the class names (index i is class ``classes[i]``); ``channels`` the channel names."""

    X: np.ndarray
    y: np.ndarray | None
    classes: list[str]
    channels: list[str]


def check_array(X, name: str = "X") -> np.ndarray:
    """Return ``X`` as float32 ``(n, T, d)``; a 2-D array is read as ``(n, T)`` univariate."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        raise TsganError(f"{name} is a pandas object; use tsgan.from_long(df) (long format) or tsgan.from_sktime(X)")
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise TsganError(f"{name} could not be read as an array ({exc}); pass a numeric array of shape (n, T, d)") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TsganError(f"{name} has dtype {arr.dtype}, not numeric; pass numbers of shape (n, T, d) (ragged sequences need equal lengths)")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TsganError(f"{name} is complex; pass real numbers")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise TsganError(f"{name} has shape {arr.shape}; expected (n, T, d) sequences x steps x channels (or (n, T) for one channel)")
    n, T, d = arr.shape
    if n == 0 or T == 0 or d == 0:
        raise TsganError(f"{name} is empty (shape {arr.shape}); need at least one sequence, step and channel")
    arr = arr.astype(np.float32)
    bad = ~np.isfinite(arr)
    if bad.any():
        i, t, c = np.argwhere(bad)[0]
        kind = "NaN" if np.isnan(arr[i, t, c]) else "infinite"
        raise TsganError(
            f"{name} holds {int(bad.sum())} NaN/infinite value(s), first a {kind} at sequence {i}, step {t}, channel {c}; "
            "remove or fill them first"
        )
    return arr


def encode_labels(y, n: int, classes: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Turn labels (names or numbers) into int64 indices into ``classes`` (sorted names by default)."""
    values = np.asarray(y)
    if values.ndim != 1 or len(values) != n:
        raise TsganError(f"labels have shape {values.shape} but there are {n} sequences; pass one label per sequence")
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise TsganError("labels contain NaN; every sequence needs a label (or pass no labels at all)")
    names = np.array([str(v) for v in values.tolist()], dtype=object)
    if any(v is None for v in values.tolist()):
        raise TsganError("labels contain None; every sequence needs a label (or pass no labels at all)")
    if classes is None:
        classes = sorted(set(names.tolist()))
    lookup = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(names.tolist()) - lookup.keys())
    if unknown:
        raise TsganError(f"unknown label(s) {unknown[:5]}; known classes are {classes}")
    return np.array([lookup[v] for v in names], dtype=np.int64), list(classes)


def as_sequences(X, y=None, channels: list[str] | None = None) -> Sequences:
    """Validate ``X`` (and labels ``y``) into a :class:`Sequences`."""
    arr = check_array(X)
    n, _, d = arr.shape
    if channels is None:
        channels = [VALUE] if d == 1 else [f"channel_{i}" for i in range(d)]
    if len(channels) != d:
        raise TsganError(f"{len(channels)} channel names given for {d} channels")
    if y is None:
        return Sequences(arr, None, [], list(channels))
    idx, classes = encode_labels(y, n)
    return Sequences(arr, idx, classes, list(channels))


def from_long(
    df: pd.DataFrame,
    *,
    id_col: str = ID,
    time_col: str = TIME,
    label_col: str | None = LABEL,
    channels: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Read long format (one row per series and step) into ``(X, labels or None, channel names)``.

    Columns: ``id_col``, ``time_col``, optionally ``label_col`` (constant within a series), then the
    channels (all remaining columns unless ``channels`` names them). Rows are ordered by time within
    each series; series keep their first-appearance order.
    """
    if not isinstance(df, pd.DataFrame):
        raise TsganError(f"expected a pandas DataFrame in long format, got {type(df).__name__}")
    for col, role in ((id_col, "series id"), (time_col, "time")):
        if col not in df.columns:
            raise TsganError(f"missing {role} column '{col}'; columns are {list(df.columns)} (name it with the id/time column option)")
    has_label = label_col is not None and label_col in df.columns
    reserved = {id_col, time_col} | ({label_col} if has_label else set())
    if channels is None:
        channels = [c for c in df.columns if c not in reserved]
    missing = [c for c in channels if c not in df.columns]
    if missing:
        raise TsganError(f"missing channel column(s) {missing}; columns are {list(df.columns)}")
    if not channels:
        raise TsganError(f"no channel columns found besides {sorted(map(str, reserved))}")
    for c in channels:
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            raise TsganError(f"channel column '{c}' is not numeric (dtype {df[c].dtype}); convert it or leave it out of the channels")
    if df.empty:
        raise TsganError("the data frame has no rows")
    if df.duplicated([id_col, time_col]).any():
        first = df[df.duplicated([id_col, time_col])].iloc[0]
        raise TsganError(f"duplicated time stamp {first[time_col]!r} in series {first[id_col]!r}; each (series, time) must appear once")
    ordered = df.sort_values([id_col, time_col], kind="stable")
    ids = pd.unique(df[id_col])
    groups = ordered.groupby(id_col, sort=False)
    lengths = groups.size()
    if lengths.nunique() != 1:
        raise TsganError(
            f"series have unequal lengths ({lengths.min()} to {lengths.max()} steps); "
            "this version needs equal lengths: cut them to windows of one length first"
        )
    T = int(lengths.iloc[0])
    values = ordered.set_index(id_col).loc[ids, channels].to_numpy(dtype=np.float64)
    X = check_array(values.reshape(len(ids), T, len(channels)), name="channel values")
    labels = None
    if has_label:
        per_series = groups[label_col].nunique(dropna=False)
        if (per_series > 1).any():
            raise TsganError(f"label changes within series {per_series[per_series > 1].index[0]!r}; a series has one label")
        labels = groups[label_col].first().loc[ids].to_numpy()
        if pd.isna(labels).any():
            raise TsganError(f"label column '{label_col}' has missing values")
    return X, labels, [str(c) for c in channels]


def to_long(X: np.ndarray, labels=None, channels: list[str] | None = None) -> pd.DataFrame:
    """Write ``(n, T, d)`` sequences (and labels) as a long-format DataFrame."""
    X = check_array(X)
    n, T, d = X.shape
    if channels is None:
        channels = [VALUE] if d == 1 else [f"channel_{i}" for i in range(d)]
    frame = {ID: np.repeat(np.arange(n), T), TIME: np.tile(np.arange(T), n)}
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise TsganError(f"labels have shape {labels.shape}, expected ({n},)")
        frame[LABEL] = np.repeat(labels, T)
    for k, c in enumerate(channels):
        frame[c] = X[:, :, k].reshape(-1)
    return pd.DataFrame(frame)


def from_sktime(X, y=None) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Read sktime's ``numpy3D`` array ``(n, d, T)`` or ``pd-multiindex`` frame into ``(X (n, T, d), y, channels)``."""
    if isinstance(X, pd.DataFrame):
        if not isinstance(X.index, pd.MultiIndex) or X.index.nlevels != 2:
            raise TsganError("an sktime data frame must be pd-multiindex (instance, time) with one column per channel")
        long = X.reset_index()
        inst, time = long.columns[:2]
        arr, _, channels = from_long(long, id_col=inst, time_col=time, label_col=None, channels=list(X.columns))
    else:
        arr = np.asarray(X)
        if arr.ndim != 3:
            raise TsganError(f"sktime numpy3D data must have shape (n, d, T), got {arr.shape}")
        arr = check_array(np.transpose(arr, (0, 2, 1)))
        channels = [VALUE] if arr.shape[2] == 1 else [f"channel_{i}" for i in range(arr.shape[2])]
    return arr, (None if y is None else np.asarray(y)), channels


def to_sktime(X: np.ndarray, kind: str = "numpy3D", channels: list[str] | None = None):
    """Write ``(n, T, d)`` sequences as sktime ``numpy3D`` ``(n, d, T)`` or ``pd-multiindex``."""
    X = check_array(X)
    if kind == "numpy3D":
        return np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    if kind == "pd-multiindex":
        long = to_long(X, channels=channels)
        return long.set_index([ID, TIME])
    raise TsganError(f"unknown sktime container '{kind}'; use 'numpy3D' or 'pd-multiindex'")


def read_table(path: str | Path, **columns) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Read a long-format CSV or parquet file (see :func:`from_long` for the columns)."""
    path = Path(path)
    if not path.is_file():
        raise TsganError(f"data file '{path}' does not exist")
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:
        raise TsganError(f"could not read '{path}' as {'parquet' if path.suffix == '.parquet' else 'CSV'}: {exc}") from None
    return from_long(df, **columns)


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write a frame to CSV or parquet (by the file's suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)


def load_dataset(spec: str, *, n: int = 1000, length: int = 30, seed: int = 0):
    """Resolve a data spec to ``(X, labels, channels)``: ``waves``, ``sines`` (TimeGAN's, 10,000 x 24 x 5,
    unlabelled), a CSV/parquet path, or ``sktime:NAME``."""
    if spec == "waves":
        from .waves import make_waves

        X, y = make_waves(n, length, seed=seed)
        return X, y, [VALUE]
    if spec == "sines":
        from .literature import make_sines

        X = make_sines(seed=seed)
        return X, None, [f"channel_{i}" for i in range(X.shape[2])]
    if spec.startswith("sktime:"):
        return _load_sktime(spec.split(":", 1)[1])
    return read_table(spec)


def _load_sktime(name: str):
    import sktime.datasets as skd

    loader = getattr(skd, f"load_{name.lower()}", None)
    if loader is None:
        raise TsganError(f"sktime has no bundled data set '{name}' (try basic_motions, gunpoint, arrow_head, italy_power_demand, osuleaf)")
    try:
        X, y = loader(return_type="numpy3D")
    except Exception as exc:
        raise TsganError(f"could not load sktime data set '{name}': {exc}") from None
    return from_sktime(X, y)
