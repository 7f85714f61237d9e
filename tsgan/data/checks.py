"""Checks of raw input - sequence arrays, labels, channel names, column types - each failure a TsganError naming the fix."""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import TsganError

EXCERPT = 40  # characters of a value that a message quotes: a bad cell may hold megabytes
LISTED = 10  # names that a message lists: a wide table may have hundreds of thousands


def _excerpt(value, show=repr) -> str:
    """``show(value)`` (``repr`` by default), cut to at most :data:`EXCERPT` characters."""
    if isinstance(value, (str, bytes)):
        value = value[: EXCERPT + 1]  # long enough to be cut below, without showing all of it first
    text = show(value)
    return text if len(text) <= EXCERPT else text[: EXCERPT - 3] + "..."


def _listed(names) -> str:
    """Names for a message, as a list shows them: the first :data:`LISTED`, each cut short, and how many in all."""
    names = list(names)
    shown = ", ".join(_excerpt(n) for n in names[:LISTED])
    return f"[{shown}]" if len(names) <= LISTED else f"[{shown}, ...] ({len(names)} in all)"


def _as_array(value, name: str, fix: str) -> np.ndarray:
    """``np.asarray(value)``, or a TsganError naming ``name`` where numpy cannot read it (ragged lists,
    bytes mixed with text, a tensor that requires grad, ...)."""
    try:
        return np.asarray(value)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise TsganError(f"{name} could not be read as an array ({reason}); {fix}") from None


def _plain(value):
    """A column name or label as a plain Python value (model files are read with weights_only)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return None if value is None else str(value)


def _cell(i: int, ids: pd.Series, stamps: pd.Series | None) -> str:
    """Where row ``i`` of a table lies, for messages: its series, time stamp (when the table has them) and row number."""
    time = "" if stamps is None else f", time {_excerpt(stamps.iloc[i], str)}"
    return f"series {_excerpt(_plain(ids.iloc[i]))}{time} (row {i}, counting from 0)"


def _label_kind(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    return "str" if isinstance(value, str) else type(value).__name__


def _check_label_types(values) -> None:
    """Refuse labels of more than one type: class names are text, so ``1`` and ``"1"`` (or ``1`` and ``1.0``,
    ``True`` and ``"True"``) would silently be one class, or equal numbers two."""
    first: dict[str, object] = {}
    for v in values:
        first.setdefault(_label_kind(v), v)
        if len(first) > 1:
            (a, x), (b, z) = sorted(first.items())
            raise TsganError(f"labels mix types ({a} {_excerpt(x)} and {b} {_excerpt(z)}); class names are text, where "
                             "such labels merge ('1') or split (1 and 1.0); make every label one type (all text, or all numbers)")


def _label_array(y, n: int, what: str = "sequence") -> np.ndarray:
    """Labels as a 1-D array of ``n``, one per ``what``, all of one type (checked before numpy would turn a
    list of ``1`` and ``"1"`` into two equal texts)."""
    if isinstance(y, (list, tuple)):
        _check_label_types(v for v in y if not isinstance(v, (list, tuple, np.ndarray)))  # ragged: refused below
    values = _as_array(y, "labels", f"pass one label (a name or number) per {what}")
    if values.ndim != 1 or len(values) != n:
        raise TsganError(f"labels have shape {values.shape} but there are {n} {what}s; pass one label per {what}")
    if values.dtype == object:
        _check_label_types(v for v in values.tolist() if v is not None and not (isinstance(v, float) and v != v))
    return values


def _channel_names(channels, d: int | None = None) -> list:
    """Channel names given by the caller: a list of distinct names (text or whole numbers), ``d`` of them when given."""
    if isinstance(channels, (str, bytes)) or not isinstance(channels, (list, tuple, np.ndarray, pd.Index)):
        raise TsganError(f"channel names must be a list of names, got {type(channels).__name__} {str(channels)[:60]!r}")
    names = list(channels)
    d = len(names) if d is None else d
    if len(names) != d:
        raise TsganError(f"{len(names)} channel names given for {d} channels")
    if not all(isinstance(c, (str, int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in names) or len(set(map(str, names))) != d:
        raise TsganError(f"channel names must be distinct texts or whole numbers, got {names!r:.80}")
    return [_plain(c) for c in names]


def _check_one_type(column: pd.Series, what: str) -> None:
    """Refuse an object column mixing numbers and text (or other types): sorting and round trips need one type."""
    if column.dtype != object:
        return
    kinds = {"number" if isinstance(v, numbers.Number) and not isinstance(v, bool) else type(v).__name__
             for v in column.dropna().tolist()}
    if len(kinds) > 1:
        raise TsganError(f"{what} mixes types ({', '.join(sorted(kinds))}); make it one type")


def check_array(X, name: str = "X", *, allow_nan: bool = False) -> np.ndarray:
    """Return ``X`` as float32 ``(n, T, d)``; a 2-D array is read as ``(n, T)`` univariate."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        raise TsganError(f"{name} is a pandas object; use tsgan.from_long(df) / tsgan.from_wide(df) (tables) or tsgan.from_sktime(X)")
    arr = _as_array(X, name, "pass a numeric array of shape (n, T, d)")
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
    arr = arr.astype(np.float64 if allow_nan else np.float32)
    bad = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    if bad.any():
        i, t, c = np.argwhere(bad)[0]
        kind = "NaN" if np.isnan(arr[i, t, c]) else "infinite"
        raise TsganError(
            f"{name} holds {int(bad.sum())} NaN/infinite value(s), first a {kind} at sequence {i}, step {t}, channel {c}; "
            "remove or fill them first, or read the data with tsgan.from_sktime / from_long / from_wide and nan='interpolate' or 'mask'"
        )
    return arr


def encode_labels(y, n: int, classes: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Turn labels (names or numbers) into int64 indices into ``classes`` (sorted names by default)."""
    values = _label_array(y, n)
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
