"""The layout read data record: time stamps saved, and samples laid out like the data (frames, sktime containers, labels)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TsganError
from .checks import _plain
from .contract import ID, LABEL, TIME
from .missing import OBSERVED
from .padding import _unpadded


def _time_info(stamps) -> dict | None:
    """One sequence's time stamps as plain values and their dtype (None: steps 0, 1, 2, ...)."""
    if stamps is None:
        return None
    stamps = pd.Index(stamps)
    values = stamps.tolist() if stamps.dtype.kind in "iuf" else stamps.astype(str).tolist()
    return {"dtype": str(stamps.dtype), "values": values, "name": _plain(stamps.name)}


def _time_index(info: dict | None, length: int) -> pd.Index:
    """Rebuild the time stamps saved by :func:`_time_info` (steps 0, 1, ... when there are none); for sequences
    longer than the training ones (tsgan.nn.longer), evenly spaced stamps continue at their spacing."""
    if info is None or len(info["values"]) > length or (len(info["values"]) < length and len(info["values"]) < 2):
        return pd.RangeIndex(length)
    try:
        stamps = pd.Index(pd.Series(info["values"]).astype(info["dtype"]))
    except (TypeError, ValueError):
        stamps = pd.Index(info["values"])
    if len(stamps) == length:
        return stamps
    try:
        steps = stamps[1:] - stamps[:-1]
    except TypeError:
        return pd.RangeIndex(length)
    if not (steps == steps[0]).all():
        return pd.RangeIndex(length)
    return pd.Index([stamps[0] + k * steps[0] for k in range(length)], name=stamps.name)


def _restore(values: np.ndarray, dtype: str | None):
    """Values (labels as names, or float channels) back in a recorded dtype; unchanged where it cannot hold them."""
    if dtype is None:
        return values
    try:
        if values.dtype.kind == "f" and np.dtype(dtype).kind in "iu":
            info = np.iinfo(np.dtype(dtype))
            return np.clip(np.rint(values), info.min, info.max).astype(dtype)
        if values.dtype.kind in "OU" and np.dtype(dtype).kind == "b":
            return values.astype(str) == "True"
        return values.astype(np.dtype(dtype))
    except TypeError:  # pandas dtypes: category, string, Int64, ...
        return pd.array(values).astype(dtype)
    except ValueError:
        return values


def _sample_columns(X: np.ndarray, layout: dict, channels: list[str]) -> dict:
    """Generated channels ``(n, T)`` each, by name, in the data's dtypes, with mask channels folded back into NaN gaps."""
    values = {name: X[:, :, k].astype(np.float64) for k, name in enumerate(channels)}
    for mask in layout.get("masks", []):
        channel = mask[: -len(OBSERVED)]
        values[channel] = np.where(values.pop(mask) >= 0.5, values[channel], np.nan)
    dtypes = layout.get("channel_dtypes") or {name: layout.get("dtype", "float32") for name in values}
    columns = {name: v if np.isnan(v).any() else _restore(v, dtypes.get(name)) for name, v in values.items()}
    for entry in layout.get("categorical", []):  # one-hot channels -> the column of categories, where the first one was
        codes = np.stack([columns[c] for c in entry["channels"]], axis=-1).argmax(axis=-1)
        column = _categories(np.asarray(entry["values"], dtype=object)[codes], entry)
        columns = {entry["column"] if name == entry["channels"][0] else name: column if name == entry["channels"][0] else v
                   for name, v in columns.items() if name not in entry["channels"][1:]}
    return columns


def _categories(values: np.ndarray, entry: dict) -> np.ndarray:
    """Sampled categories ``(n, T)`` in the column's recorded numpy dtype; objects for pandas dtypes (category,
    string), which :func:`_pandas_categories` gives the frame's column."""
    try:
        np.dtype(entry["dtype"])
    except TypeError:
        return values
    return _restore(values, entry["dtype"])


def _pandas_categories(df: pd.DataFrame, layout: dict) -> pd.DataFrame:
    """Categorical columns back in their recorded dtypes (a ``category`` column with its categories; text
    columns as ``object``, ``string`` or ``str`` as they came, whatever pandas infers for the samples)."""
    for entry in layout.get("categorical", []):
        col = {str(c): c for c in df.columns}.get(str(entry["column"]))
        if col is not None and entry["dtype"] == "category":
            df[col] = pd.Categorical(df[col], categories=entry["values"])
        elif col is not None and str(df[col].dtype) != entry["dtype"]:
            try:
                df[col] = df[col].astype(entry["dtype"])
            except (TypeError, ValueError):
                pass
    return df


def repeated_attributes(attributes: pd.DataFrame | None, n: int, T: int) -> dict:
    """Per-sequence attribute columns repeated on each of its ``T`` rows, in their dtypes."""
    if attributes is None:
        return {}
    rows = np.repeat(np.arange(n), T)
    return {name: attributes[name].iloc[rows].reset_index(drop=True) for name in attributes.columns}


def frame_like(X: np.ndarray, labels, layout: dict | None, channels: list[str], attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sequences ``(n, T, d)`` and labels (class names) as a DataFrame laid out like the data ``layout``
    describes (see :class:`Dataset`): long or wide, the same column names, dtypes, label values and
    time stamps (every sequence gets the stamps of the first training sequence, or window, or of the
    first longest series when they differ in length); series ids are 0..n-1. A sequence shorter than
    ``T`` (NaN beyond its end) gets its own rows only. Arrays and sktime containers give long format
    (series_id, time, label, channels). ``attributes`` (one row per sequence) become columns constant within each
    series, in their dtypes."""
    layout = layout or {"kind": "array"}
    X, within = _unpadded(X)
    n, T = X.shape[:2]
    names = layout.get("index_names") or [None, None]
    id_name = layout.get("id_col") or names[0] or ID
    time_name = layout.get("time_col") or names[1] or TIME
    label_name = layout.get("label_col") or LABEL
    stamps = _time_index(layout.get("time"), T).take(np.tile(np.arange(T), n))
    ids = np.repeat(np.arange(n), T)
    frame = {id_name: ids.astype(str) if layout.get("id_dtype") in ("object", "str", "string") else ids}
    wide = layout.get("kind") == "wide"
    if not wide or layout.get("time_col"):
        frame[time_name] = stamps
    if labels is not None:
        frame[label_name] = _restore(np.repeat(np.asarray(labels, dtype=object), T), layout.get("label_dtype"))
    frame.update(repeated_attributes(attributes, n, T))
    frame.update({name: v.reshape(-1) for name, v in _sample_columns(X, layout, channels).items()})
    df = pd.DataFrame(frame)
    if within is not None:
        df, stamps = df[within].reset_index(drop=True), stamps[within]
    original = {str(c): c for c in layout.get("columns", [])}
    df.columns = [original.get(str(c), c) for c in df.columns]
    known = layout.get("columns", [])  # columns the data had keep their order, after any the samples add (ids, ...)
    df = df[[c for c in df.columns if c not in known] + [c for c in known if c in df.columns]]
    if wide and layout.get("time_in_index"):
        df.index = pd.Index(stamps, name=(layout.get("time") or {}).get("name"))
    return _pandas_categories(df, layout)


def sktime_like(X: np.ndarray, layout: dict | None, channels: list[str], kind: str | None = None,
                attributes: pd.DataFrame | None = None):
    """Sequences ``(n, T, d)`` as an sktime Panel container: ``kind`` numpy3D ``(n, d, T)``, pd-multiindex,
    or any other sktime converts to (nested_univ, df-list, ...; default: the kind ``layout`` records, else
    numpy3D), with the recorded column names, index names, dtypes and time stamps. Sequences shorter than
    ``T`` (NaN beyond their end) get their own rows only; numpy3D holds equal lengths only. ``attributes`` (one row
    per sequence) become columns constant within each instance (not in numpy3D)."""
    from .sktime import from_multiindex

    layout = layout or {"kind": "array"}
    kind = kind or (layout["kind"] if layout.get("kind") not in (None, "array", "long", "wide") else "numpy3D")
    X, within = _unpadded(X)
    columns = _sample_columns(X, layout, channels)
    n, T = X.shape[:2]
    if kind == "numpy3D":
        if attributes is not None:
            raise TsganError(f"attributes ({', '.join(map(str, attributes.columns))}) do not fit a numpy3D array of channel values; "
                             "ask for kind='pd-multiindex'")
        if layout.get("categorical"):
            raise TsganError(f"categorical channels ({', '.join(str(e['column']) for e in layout['categorical'])}) do not fit a "
                             "numpy3D array of numbers; ask for kind='pd-multiindex'")
        if within is not None:
            lengths = within.reshape(n, T).sum(axis=1)
            raise TsganError(f"samples of unequal length ({lengths.min()} to {lengths.max()} steps) do not fit sktime's numpy3D "
                             f"container (equal lengths); ask for kind='pd-multiindex', or for one length (length={T})")
        return np.ascontiguousarray(np.stack(list(columns.values()), axis=1))
    index = pd.MultiIndex.from_arrays([np.repeat(np.arange(n), T), _time_index(layout.get("time"), T).take(np.tile(np.arange(T), n))],
                                      names=layout.get("index_names") or [None, None])
    original = {str(c): c for c in layout.get("columns", [])}
    df = pd.DataFrame({**{original.get(name, name): v.values for name, v in repeated_attributes(attributes, n, T).items()},
                       **{original.get(name, name): v.reshape(-1) for name, v in columns.items()}}, index=index)
    return from_multiindex(_pandas_categories(df if within is None else df[within], layout), kind)


def restore_labels(names, layout: dict | None):
    """Class names as the training labels' values and dtype (e.g. integers again)."""
    return None if names is None else _restore(np.asarray(names, dtype=object), (layout or {}).get("label_dtype"))
