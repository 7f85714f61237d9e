"""The data contract: validate arrays ``(n, T, d)`` with optional labels, and convert to and from
pandas long and wide format and sktime's ``numpy3D`` / ``pd-multiindex`` containers; load the data
sets bundled with sktime; cut long series into windows.

Formats of a table (a DataFrame, CSV or parquet file):

- **long**: one row per series and time step: ``series_id``, ``time``, optionally ``label`` (constant
  within a series), one column per channel (:func:`from_long`).
- **wide**: one row per time step in time order, one column per channel, a ``series_id`` column (left
  out: the whole table is one series) and optionally ``label``; no time column needed - the time
  stamps are the frame's index when it is not a plain 0, 1, 2, ... range (:func:`from_wide`).

Missing values (NaN) are an error naming the series, time and channel, unless a handling is chosen:
``nan="interpolate"`` (linear in the step position within each series; ends take the nearest value)
or ``nan="mask"`` (interpolate, and add a 0/1 channel ``<channel>_observed`` per channel with gaps,
which the GAN learns like any channel; :meth:`GAN.sample_frame` puts NaN back where a sampled
``_observed`` value is below 0.5).

Categorical channels (a machine state, say: text, whole numbers or booleans) are named with
``categorical=[column, ...]`` (or ``{column: [allowed values]}`` to fix the vocabulary; a pandas
``category`` column is categorical by itself, its categories being the vocabulary). Each becomes
one 0/1 channel per category, ``<column>=<value>``, in the vocabulary's order (sorted when not given);
these channels are not min-max scaled, the generator emits them through a softmax over the group,
samples take the most probable category (argmax), and :meth:`GAN.sample_frame` /
:meth:`GAN.sample_sktime` (pd-multiindex) give the column back with its values and dtype. A missing
value in a categorical column is an error whatever ``nan`` says (categories are not interpolated), and
so is a value outside a given vocabulary.

Series of unequal length: ``X`` has the longest series' length ``T``; a shorter series is NaN in every
channel beyond its end (:func:`sequence_lengths` gives the lengths back; :attr:`Dataset.lengths`), its
time stamps those of the first longest series. Arrays passed to :meth:`GAN.fit` may be padded so too
(:func:`padded_array`: trailing steps NaN in every channel are padding; any other NaN is an error). How
training masks the padding and samples get lengths: :mod:`tsgan.lengths`. A sampled frame holds each
series' own rows; numpy3D, which has one length, refuses samples of unequal length.

Every check raises :class:`TsganError` with a message that names the problem and the fix, so bad
input never reaches torch.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TsganError

ID, TIME, LABEL, VALUE = "series_id", "time", "label", "value"
NAN_OPTIONS = ("raise", "interpolate", "mask")
OBSERVED = "_observed"
CATEGORY = "="  # one-hot channel of a categorical column: "<column>=<value>"
FORMATS = ("long", "wide")


class Dataset(tuple):
    """Sequences read from a table or an sktime container: the 3-tuple ``(X, labels, channels)`` -
    ``X`` float32 ``(n, T, d)``, ``labels`` one per sequence in the input's own values and dtype (or
    None), ``channels`` the channel names - plus ``layout``, a plain dict recording how the data came
    in (kind, column names, dtypes, time stamps, missing-value handling, windows).
    :meth:`tsgan.GAN.fit` takes a Dataset whole and remembers its layout, so that
    :meth:`~tsgan.GAN.sample_frame` and :meth:`~tsgan.GAN.sample_sktime` give samples back in the
    same form. ``X, y, channels = dataset`` unpacks it."""

    def __new__(cls, X, labels, channels, layout: dict | None = None):
        obj = super().__new__(cls, (X, labels, None if channels is None else list(channels)))
        obj.layout = dict(layout) if layout else {"kind": "array"}
        return obj

    def __getnewargs__(self):  # pickling and copying
        return (*self, self.layout)

    X = property(lambda self: self[0], doc="float32 sequences (n, T, d), NaN beyond the end of series shorter than T")
    labels = property(lambda self: self[1], doc="one label per sequence, or None")
    channels = property(lambda self: self[2], doc="channel names")

    @property
    def lengths(self) -> np.ndarray:
        """Each sequence's length ``(n,)``: ``T`` for all unless series differ in length (then padded with NaN)."""
        return padded_array(self.X)[1]

    def unlabelled(self) -> "Dataset":
        """The same sequences without labels (to train an unconditional model)."""
        return Dataset(self.X, None, self.channels, {**self.layout, "label_col": None, "label_dtype": None})

    def __repr__(self) -> str:
        classes = "unlabelled" if self.labels is None else f"{len(set(map(str, self.labels)))} classes"
        X = self.X
        lengths = sequence_lengths(X) if isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.ndim == 3 and X.size else None
        steps = f"{lengths.min()}-{lengths.max()}" if lengths is not None and lengths.min() < lengths.max() else f"{X.shape[1]}"
        return f"Dataset({self.layout.get('kind')}: {self.X.shape[0]} sequences x {steps} steps x {self.X.shape[2]} channels, {classes})"


@dataclass
class Sequences:
    """A validated batch: ``X`` float32 ``(n, T, d)``; ``y`` int64 class indices ``(n,)`` or None;
    ``classes`` the class names (index i is class ``classes[i]``); ``channels`` the channel names;
    ``lengths`` each sequence's length ``(n,)`` when they differ (``X`` NaN beyond each end), else None."""

    X: np.ndarray
    y: np.ndarray | None
    classes: list[str]
    channels: list[str]
    lengths: np.ndarray | None = None


def _as_array(value, name: str, fix: str) -> np.ndarray:
    """``np.asarray(value)``, or a TsganError naming ``name`` where numpy cannot read it (ragged lists,
    bytes mixed with text, a tensor that requires grad, ...)."""
    try:
        return np.asarray(value)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise TsganError(f"{name} could not be read as an array ({reason}); {fix}") from None


def _label_array(y, n: int, what: str = "sequence") -> np.ndarray:
    """Labels as a 1-D array of ``n``, one per ``what``."""
    values = _as_array(y, "labels", f"pass one label (a name or number) per {what}")
    if values.ndim != 1 or len(values) != n:
        raise TsganError(f"labels have shape {values.shape} but there are {n} {what}s; pass one label per {what}")
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


def pad_to(data: Sequences, length: int) -> Sequences:
    """``data`` with its sequences NaN-padded at their end to ``length`` steps (as it is when they have as many)."""
    n, T, d = data.X.shape
    if T >= length:
        return data
    X = np.concatenate([data.X, np.full((n, length - T, d), np.nan, np.float32)], axis=1)
    return replace(data, X=X, lengths=np.full(n, T) if data.lengths is None else data.lengths)


def as_sequences(X, y=None, channels: list[str] | None = None) -> Sequences:
    """Validate ``X`` (and labels ``y``) into a :class:`Sequences`. Sequences shorter than the longest are
    NaN-padded at their end (see :func:`padded_array`)."""
    arr, lengths = padded_array(X)
    n, T, d = arr.shape
    lengths = None if (lengths == T).all() else lengths
    channels = ([VALUE] if d == 1 else [f"channel_{i}" for i in range(d)]) if channels is None else _channel_names(channels, d)
    if y is None:
        return Sequences(arr, None, [], list(channels), lengths)
    idx, classes = encode_labels(y, n)
    return Sequences(arr, idx, classes, list(channels), lengths)


def _plain(value):
    """A column name or label as a plain Python value (model files are read with weights_only)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return None if value is None else str(value)


def _check_one_type(column: pd.Series, what: str) -> None:
    """Refuse an object column mixing numbers and text (or other types): sorting and round trips need one type."""
    if column.dtype != object:
        return
    kinds = {"number" if isinstance(v, numbers.Number) and not isinstance(v, bool) else type(v).__name__
             for v in column.dropna().tolist()}
    if len(kinds) > 1:
        raise TsganError(f"{what} mixes types ({', '.join(sorted(kinds))}); make it one type")


def _numeric_channel(column: pd.Series, name, ids: pd.Series, stamps: pd.Series | None) -> np.ndarray:
    """A channel column as float64, or an error naming the first value that is not a number."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        raise TsganError(f"channel column '{name}' is not numeric (dtype {column.dtype}); convert it or leave it out of the channels")
    is_number = column.map(lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool), na_action="ignore")
    bad = (is_number == False).to_numpy()  # noqa: E712 - NaN (missing) is neither
    if bad.any():
        i = int(bad.argmax())
        mixed = "it mixes numbers and text, " if (is_number == True).any() else ""  # noqa: E712
        where = f"series {_plain(ids.iloc[i])!r}" + ("" if stamps is None else f", time {stamps.iloc[i]}")
        raise TsganError(f"channel column '{name}' is not numeric: {mixed}value {column.iloc[i]!r} at {where}; "
                         "convert it or leave it out of the channels")
    return pd.to_numeric(column).to_numpy(dtype=np.float64, na_value=np.nan)


def _category(value, name):
    """A category as a plain Python value (text, whole number, float or bool; model files are read with weights_only)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    raise TsganError(f"categorical column '{name}' holds {type(value).__name__} {value!r:.40}; categories must be text, numbers or booleans")


def _categorical_columns(categorical, df: pd.DataFrame, channels: list) -> dict:
    """``{column: vocabulary or None}`` for the ``categorical`` option (a list of channel columns, or a dict
    column -> allowed values) and the channels of pandas ``category`` dtype."""
    if categorical is None:
        given = {}
    elif isinstance(categorical, dict):
        given = dict(categorical)
    elif isinstance(categorical, (str, bytes)) or not isinstance(categorical, (list, tuple)):
        raise TsganError(f"categorical must be a list of channel columns or a dict column -> categories, got {str(categorical)[:60]!r}")
    else:
        given = dict.fromkeys(categorical)
    for col, vocab in given.items():
        if col not in channels:
            role = "not a column" if col not in df.columns else "not a channel (an id, time or label column, or left out of the channels)"
            raise TsganError(f"categorical column '{col}' is {role}; channels are {[str(c) for c in channels]}")
        if vocab is not None:
            if isinstance(vocab, (str, bytes)) or not isinstance(vocab, (list, tuple)) or not vocab:
                raise TsganError(f"the categories of '{col}' must be a non-empty list of values, got {str(vocab)[:60]!r}")
            vocab = [_category(v, col) for v in vocab]
            if len(set(vocab)) != len(vocab):
                raise TsganError(f"the categories of '{col}' repeat a value: {vocab!r:.80}")
            given[col] = vocab
    for col in channels:  # a pandas category column's categories are its vocabulary, named in the option or not
        if given.get(col) is None and isinstance(df[col].dtype, pd.CategoricalDtype):
            given[col] = [_category(v, col) for v in df[col].cat.categories.tolist()]
    return given


def _categorical_channel(column: pd.Series, name, vocab: list | None, ids: pd.Series, stamps: pd.Series | None):
    """A categorical column as 0/1 channels ``(rows, K)``, one per category of the vocabulary (sorted values when None)."""

    def where(i):
        return f"series {_plain(ids.iloc[i])!r}" + ("" if stamps is None else f", time {stamps.iloc[i]}")

    missing = column.isna().to_numpy()
    if missing.any():
        raise TsganError(f"categorical column '{name}' has a missing value at {where(int(missing.argmax()))}; categories "
                         "are not interpolated: fill it (e.g. with an 'unknown' category) or drop the series")
    _check_one_type(column, f"categorical column '{name}'")
    values = [_category(v, name) for v in column.tolist()]
    if vocab is None:
        vocab = sorted(set(values))
    lookup = {v: i for i, v in enumerate(vocab)}
    unknown = [i for i, v in enumerate(values) if v not in lookup or isinstance(v, bool) != isinstance(vocab[lookup[v]], bool)]
    if unknown:
        raise TsganError(f"categorical column '{name}' has value {values[unknown[0]]!r} at {where(unknown[0])}, not one of "
                         f"its categories {vocab!r:.120}; add it to the categories or fix the data")
    return np.eye(len(vocab))[[lookup[v] for v in values]], vocab


def categorical_groups(layout: dict | None, channels: list[str]) -> list[list[int]]:
    """The one-hot channel groups of categorical columns as ``[first channel, number of categories]`` pairs."""
    groups = []
    for entry in (layout or {}).get("categorical", []):
        index = [channels.index(c) for c in entry["channels"]]
        groups.append([index[0], len(index)])
    return groups


def categorical_vocabularies(layout: dict | None) -> dict:
    """``{column: categories}`` of the data's categorical columns, in their channels' order: passed back as
    ``categorical=`` it reads other data into the same channels, even data that lack a category."""
    return {entry["column"]: entry["values"] for entry in (layout or {}).get("categorical", [])}


def harden_categories(X: np.ndarray, groups) -> np.ndarray:
    """Generated category probabilities -> one-hot rows: each group's most probable category gets 1, the others 0."""
    X = np.array(X, copy=True)
    for start, size in groups:
        block = X[..., start:start + size]
        X[..., start:start + size] = np.eye(size, dtype=X.dtype)[block.argmax(axis=-1)]
    return X


def _time_info(stamps) -> dict | None:
    """One sequence's time stamps as plain values and their dtype (None: steps 0, 1, 2, ...)."""
    if stamps is None:
        return None
    stamps = pd.Index(stamps)
    values = stamps.tolist() if stamps.dtype.kind in "iuf" else stamps.astype(str).tolist()
    return {"dtype": str(stamps.dtype), "values": values, "name": _plain(stamps.name)}


def _time_index(info: dict | None, length: int) -> pd.Index:
    """Rebuild the time stamps saved by :func:`_time_info` (steps 0, 1, ... when there are none)."""
    if info is None or len(info["values"]) != length:
        return pd.RangeIndex(length)
    try:
        return pd.Index(pd.Series(info["values"]).astype(info["dtype"]))
    except (TypeError, ValueError):
        return pd.Index(info["values"])


def _fill_missing(series: list[np.ndarray], where, channels: list[str], nan: str) -> tuple[list[np.ndarray], list[str]]:
    """Handle NaN in per-series ``(T_i, d)`` arrays (see the module docstring); ``where(i, t)`` names a
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


def _assemble(series: list[np.ndarray], labels, channels: list[str], stamps: list[pd.Index] | None, where, layout: dict, *,
              nan: str, window: int | None, stride: int) -> Dataset:
    """Per-series ``(T_i, d)`` float64 arrays (and one label each) -> a :class:`Dataset`: missing values
    handled, then stacked - series shorter than the longest padded with NaN at their end (see
    :mod:`tsgan.lengths`) - or cut into windows of ``window`` steps."""
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
                   list(channels) + masks, layout)


def _read_frame(df: pd.DataFrame, kind: str, *, id_col, time_col, label_col, channels, nan: str,
                window: int | None, stride: int, categorical=None) -> Dataset:
    """The reader behind :func:`from_long` and :func:`from_wide` (``kind``)."""
    if not isinstance(df, pd.DataFrame):
        raise TsganError(f"expected a pandas DataFrame in {kind} format, got {type(df).__name__}")
    columns = list(df.columns)
    has_id, has_time = id_col in columns, time_col is not None and time_col in columns
    if kind == "long":
        for col, has, role in ((id_col, has_id, "series id"), (time_col, has_time, "time")):
            if not has:
                raise TsganError(f"missing {role} column '{col}'; columns are {columns} (name it with the id/time column option)")
    else:  # wide: the default names may be absent, names the caller gave must exist
        for col, has, role in ((id_col, has_id, "series id"), (time_col, has_time, "time")):
            if col not in (None, ID, TIME) and not has:
                raise TsganError(f"missing {role} column '{col}'; columns are {columns}")
    has_label = label_col is not None and label_col in columns
    if label_col not in (None, LABEL) and not has_label:
        raise TsganError(f"missing label column '{label_col}'; columns are {columns} (or name no label column to train unconditionally)")
    reserved = [c for c, has in ((id_col, has_id), (time_col, has_time), (label_col, has_label)) if has]
    if channels is None:
        channels = [c for c in columns if c not in reserved]
    missing = [c for c in channels if c not in columns]
    if missing:
        raise TsganError(f"missing channel column(s) {missing}; columns are {columns}")
    if not channels:
        raise TsganError(f"no channel columns found besides {[str(c) for c in reserved]}")
    if len(set(columns)) != len(columns):
        raise TsganError(f"column name(s) {sorted({str(c) for c in columns if columns.count(c) > 1})} appear more than once")
    if df.empty:
        raise TsganError("the data frame has no rows")
    rows = df.reset_index(drop=True)
    ids = rows[id_col] if has_id else pd.Series(0, index=rows.index)
    if ids.isna().any():
        raise TsganError(f"series id column '{id_col}' has missing values; every row needs a series id")
    codes, uniques = pd.factorize(ids)  # series in first-appearance order
    stamps = rows[time_col] if has_time else None
    if stamps is None and kind == "wide" and not isinstance(df.index, pd.RangeIndex):
        stamps = pd.Series(df.index, name=df.index.name)  # a wide frame's index holds its time stamps
    order = np.argsort(codes, kind="stable")
    if stamps is not None:
        what = f"time column '{time_col}'" if has_time else "time index"
        if stamps.isna().any():
            raise TsganError(f"{what} has missing values (series {_plain(ids.iloc[int(stamps.isna().to_numpy().argmax())])!r})")
        _check_one_type(stamps, what)
        keys = pd.DataFrame({"series": codes, "time": stamps.to_numpy()})
        dup = keys.duplicated().to_numpy()
        if dup.any():
            i = int(dup.argmax())
            raise TsganError(f"duplicated time stamp {stamps.iloc[i]!r} in series {_plain(ids.iloc[i])!r}; each (series, time) must appear once")
        order = keys.sort_values(["series", "time"], kind="stable").index.to_numpy()
    vocabularies = _categorical_columns(categorical, rows, channels)
    blocks, names, categories = [], [], []
    for c in channels:
        if c in vocabularies:
            onehot, vocab = _categorical_channel(rows[c], c, vocabularies[c], ids, stamps)
            members = [f"{c}{CATEGORY}{v}" for v in vocab]
            categories.append({"column": _plain(c), "values": vocab, "dtype": str(rows[c].dtype), "channels": members})
            blocks.append(onehot)
            names += members
        else:
            blocks.append(_numeric_channel(rows[c], c, ids, stamps)[:, None])
            names.append(str(c))
    if len(set(names)) != len(names):
        raise TsganError(f"a categorical column's channel names {sorted({n for n in names if names.count(n) > 1})} are taken by other columns; rename those")
    values = np.concatenate(blocks, axis=1)[order]
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    starts = np.concatenate([[0], bounds])
    series = np.split(values, bounds)
    sorted_stamps = None if stamps is None else stamps.iloc[order].reset_index(drop=True)
    per_series = None if stamps is None else [pd.Index(sorted_stamps.iloc[a:a + len(s)]) for a, s in zip(starts, series)]
    series_ids = [_plain(v) for v in uniques.tolist()]

    def where(i, t):
        return f"series {series_ids[i]!r}" + ("" if t is None else f", time {t if per_series is None else per_series[i][t]}")

    labels = None
    if has_label:
        lab = rows[label_col]
        if lab.isna().any():
            raise TsganError(f"label column '{label_col}' has missing values (series {_plain(ids.iloc[int(lab.isna().to_numpy().argmax())])!r}); "
                             "every series needs a label")
        _check_one_type(lab, f"label column '{label_col}'")
        changes = lab.groupby(codes).nunique()
        if (changes > 1).any():
            raise TsganError(f"label changes within series {series_ids[int(changes.index[(changes > 1).to_numpy()][0])]!r}; a series has one label")
        labels = lab.groupby(codes).first().to_numpy()
    layout = {
        "kind": kind, "id_col": _plain(id_col) if has_id else None, "time_col": _plain(time_col) if has_time else None,
        "time_in_index": stamps is not None and not has_time, "label_col": _plain(label_col) if has_label else None,
        "columns": [_plain(c) for c in columns if c in reserved or c in channels],
        "channel_dtypes": {str(c): str(rows[c].dtype) if pd.api.types.is_numeric_dtype(rows[c]) else "float64"
                           for c in channels if c not in vocabularies},
        "categorical": categories,
        "id_dtype": str(ids.dtype) if has_id else None, "label_dtype": str(rows[label_col].dtype) if has_label else None,
    }
    return _assemble(series, labels, names, per_series, where, layout, nan=nan, window=window, stride=stride)


def from_long(df: pd.DataFrame, *, id_col: str = ID, time_col: str = TIME, label_col: str | None = LABEL,
              channels: list[str] | None = None, nan: str = "raise", window: int | None = None, stride: int = 1,
              categorical=None) -> Dataset:
    """Read long format (one row per series and step) into a :class:`Dataset` ``(X, labels or None, channels)``.

    Columns: ``id_col``, ``time_col``, optionally ``label_col`` (constant within a series; the default
    ``label`` may be absent, another name must exist), then the channels (all remaining columns
    unless ``channels`` names them). Rows are ordered by time within each series; series keep their
    first-appearance order. ``nan``: ``raise`` (default), ``interpolate`` or ``mask`` (module
    docstring). Series may differ in length: ``X`` holds the longest, shorter ones NaN beyond their end
    (module docstring). ``window``: cut every series into windows of this many steps, ``stride`` apart
    (each window keeps its series' label). ``categorical``: channel columns of categories, a list of
    names or a dict name -> allowed values (module docstring).
    """
    return _read_frame(df, "long", id_col=id_col, time_col=time_col, label_col=label_col, channels=channels,
                       nan=nan, window=window, stride=stride, categorical=categorical)


def from_wide(df: pd.DataFrame, *, id_col: str | None = ID, time_col: str | None = TIME, label_col: str | None = LABEL,
              channels: list[str] | None = None, nan: str = "raise", window: int | None = None, stride: int = 1,
              categorical=None) -> Dataset:
    """Read wide format (one row per time step, in time order) into a :class:`Dataset`.

    ``id_col`` (default ``series_id``) splits the rows into series; without that column the whole
    frame is one series, to be cut into windows with ``window`` (and ``stride``). Time stamps come
    from ``time_col`` when the frame has it (rows are then sorted by it), else from the frame's index
    when it is not a plain range (a DatetimeIndex, PeriodIndex, ...), else the row order. The default
    column names may be absent; names you give must exist. Other options as in :func:`from_long`.
    """
    return _read_frame(df, "wide", id_col=id_col, time_col=time_col, label_col=label_col, channels=channels,
                       nan=nan, window=window, stride=stride, categorical=categorical)


def to_windows(series, length: int, stride: int = 1, **options) -> Dataset:
    """Cut one long series into windows of ``length`` steps, ``stride`` steps apart, for training.

    ``series``: an array ``(T,)`` or ``(T, d)``, a pandas Series or a wide DataFrame (one row per
    step; its index may hold time stamps; ``options`` as in :func:`from_wide`, e.g. ``nan``). A GAN
    trained on the windows generates *independent* windows like them: a sample is not a continuation
    of the series, nor of another sample.
    """
    if isinstance(series, pd.Series):
        series = series.to_frame(name=VALUE if series.name is None else series.name)
    if not isinstance(series, pd.DataFrame):
        values = _as_array(series, "the series", "pass an array (T,) or (T, d), a pandas Series or DataFrame")
        if values.ndim not in (1, 2) or values.dtype == object or values.size == 0:
            raise TsganError(f"to_windows needs one series: an array (T,) or (T, d), a pandas Series or DataFrame; got shape {values.shape}")
        values = values.reshape(len(values), -1)
        series = pd.DataFrame(values, columns=[VALUE] if values.shape[1] == 1 else [f"channel_{i}" for i in range(values.shape[1])])
    return from_wide(series, window=length, stride=stride, **options)


def to_long(X: np.ndarray, labels=None, channels: list[str] | None = None) -> pd.DataFrame:
    """Write ``(n, T, d)`` sequences (and labels) as a long-format DataFrame; a sequence NaN-padded at its
    end (shorter than ``T``, as :meth:`tsgan.GAN.sample` gives them) gets its own rows only."""
    X, lengths = padded_array(X)
    n, T, d = X.shape
    if channels is None:
        channels = [VALUE] if d == 1 else [f"channel_{i}" for i in range(d)]
    frame = {ID: np.repeat(np.arange(n), T), TIME: np.tile(np.arange(T), n)}
    if labels is not None:
        labels = _label_array(labels, n)
        frame[LABEL] = np.repeat(labels, T)
    for k, c in enumerate(channels):
        frame[c] = X[:, :, k].reshape(-1)
    within = (np.arange(T)[None, :] < lengths[:, None]).reshape(-1)
    return pd.DataFrame(frame) if within.all() else pd.DataFrame(frame)[within].reset_index(drop=True)


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


def as_dataset(X, y=None, channels: list[str] | None = None) -> Dataset:
    """Any training input as a :class:`Dataset`: a Dataset as it is, a DataFrame read as pd-multiindex
    (MultiIndex rows) or long format, an array ``(n, T, d)`` with labels ``y`` and ``channels``."""
    if isinstance(X, (Dataset, pd.DataFrame)):
        if y is not None or channels is not None:
            raise TsganError("a tsgan Dataset or DataFrame carries its own labels and channel names: pass it alone "
                             "(dataset.unlabelled() drops the labels)")
        if isinstance(X, Dataset):
            return X
        return from_sktime(X) if isinstance(X.index, pd.MultiIndex) else from_long(X)
    labels = None if y is None else _as_array(y, "labels", "pass one label (a name or number) per sequence")
    return Dataset(X, y, None if channels is None else _channel_names(channels), {"kind": "array", "label_dtype": None if labels is None else str(labels.dtype)})


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


def _unpadded(X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Sequences ``(n, T, d)``, NaN beyond the end of those shorter than ``T``, with that padding set to 0 (to
    convert columns), and which of the ``n * T`` rows lie within their sequence (None: all of them)."""
    lengths = sequence_lengths(X)
    if (lengths == X.shape[1]).all():
        return X, None
    within = np.arange(X.shape[1])[None, :] < lengths[:, None]
    return np.where(within[..., None], X, 0.0), within.reshape(-1)


def frame_like(X: np.ndarray, labels, layout: dict | None, channels: list[str]) -> pd.DataFrame:
    """Sequences ``(n, T, d)`` and labels (class names) as a DataFrame laid out like the data ``layout``
    describes (see :class:`Dataset`): long or wide, the same column names, dtypes, label values and
    time stamps (every sequence gets the stamps of the first training sequence, or window, or of the
    first longest series when they differ in length); series ids are 0..n-1. A sequence shorter than
    ``T`` (NaN beyond its end) gets its own rows only. Arrays and sktime containers give long format
    (series_id, time, label, channels)."""
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


def sktime_like(X: np.ndarray, layout: dict | None, channels: list[str], kind: str | None = None):
    """Sequences ``(n, T, d)`` as an sktime container: ``kind`` numpy3D ``(n, d, T)`` or pd-multiindex
    (default: the kind ``layout`` records, else numpy3D), with the recorded column names, index names,
    dtypes and time stamps. Sequences shorter than ``T`` (NaN beyond their end) get their own rows only
    in pd-multiindex; numpy3D holds equal lengths only."""
    layout = layout or {"kind": "array"}
    kind = kind or (layout["kind"] if layout.get("kind") in ("numpy3D", "pd-multiindex") else "numpy3D")
    X, within = _unpadded(X)
    columns = _sample_columns(X, layout, channels)
    n, T = X.shape[:2]
    if kind == "numpy3D":
        if layout.get("categorical"):
            raise TsganError(f"categorical channels ({', '.join(str(e['column']) for e in layout['categorical'])}) do not fit a "
                             "numpy3D array of numbers; ask for kind='pd-multiindex'")
        if within is not None:
            lengths = within.reshape(n, T).sum(axis=1)
            raise TsganError(f"samples of unequal length ({lengths.min()} to {lengths.max()} steps) do not fit sktime's numpy3D "
                             f"container (equal lengths); ask for kind='pd-multiindex', or for one length (length={T})")
        return np.ascontiguousarray(np.stack(list(columns.values()), axis=1))
    if kind != "pd-multiindex":
        raise TsganError(f"unknown sktime container '{kind}'; use 'numpy3D' or 'pd-multiindex'")
    index = pd.MultiIndex.from_arrays([np.repeat(np.arange(n), T), _time_index(layout.get("time"), T).take(np.tile(np.arange(T), n))],
                                      names=layout.get("index_names") or [None, None])
    original = {str(c): c for c in layout.get("columns", [])}
    df = pd.DataFrame({original.get(name, name): v.reshape(-1) for name, v in columns.items()}, index=index)
    return _pandas_categories(df if within is None else df[within], layout)


def restore_labels(names, layout: dict | None):
    """Class names as the training labels' values and dtype (e.g. integers again)."""
    return None if names is None else _restore(np.asarray(names, dtype=object), (layout or {}).get("label_dtype"))


def to_sktime(X: np.ndarray, kind: str = "numpy3D", channels: list[str] | None = None):
    """Write ``(n, T, d)`` sequences as sktime ``numpy3D`` ``(n, d, T)`` or ``pd-multiindex``."""
    X = check_array(X)
    if kind == "numpy3D":
        return np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    if kind == "pd-multiindex":
        long = to_long(X, channels=channels)
        return long.set_index([ID, TIME])
    raise TsganError(f"unknown sktime container '{kind}'; use 'numpy3D' or 'pd-multiindex'")


def read_table(path: str | Path, *, format: str = "long", **options) -> Dataset:
    """Read a CSV or parquet file in long or wide ``format`` (see :func:`from_long`, :func:`from_wide` for ``options``)."""
    path = Path(path)
    if format not in FORMATS:
        raise TsganError(f"unknown table format '{format}'; choose one of {list(FORMATS)}")
    if not path.is_file():
        raise TsganError(f"data file '{path}' does not exist")
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:
        raise TsganError(f"could not read '{path}' as {'parquet' if path.suffix == '.parquet' else 'CSV'}: {exc}") from None
    return (from_long if format == "long" else from_wide)(df, **options)


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write a frame to CSV or parquet (by the file's suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(df.index, pd.RangeIndex):  # time stamps in the index (wide format) become a column
        df = df.reset_index()
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)


# Data sets bundled with sktime (offline): name -> (loader in sktime.datasets, task, description).
SKTIME_SETS = {
    "acsf1": ("load_acsf1", "classification", "200 x 1460 steps, 1 channel, 10 classes (appliance power draw)"),
    "arrow_head": ("load_arrow_head", "classification", "211 x 251 steps, 1 channel, 3 classes (arrowhead outlines)"),
    "basic_motions": ("load_basic_motions", "classification", "80 x 100 steps, 6 channels, 4 classes (accelerometer, gyroscope)"),
    "gunpoint": ("load_gunpoint", "classification", "200 x 150 steps, 1 channel, 2 classes (hand motion)"),
    "italy_power_demand": ("load_italy_power_demand", "classification", "1096 x 24 steps, 1 channel, 2 classes (daily power demand)"),
    "japanese_vowels": ("load_japanese_vowels", "classification", "640 x 7-29 steps, 12 channels, 9 classes (unequal lengths)"),
    "osuleaf": ("load_osuleaf", "classification", "442 x 427 steps, 1 channel, 6 classes (leaf outlines)"),
    "plaid": ("load_plaid", "classification", "1074 x 100-1344 steps, 1 channel, 11 classes (appliance current; unequal lengths)"),
    "unit_test": ("load_unit_test", "classification", "42 x 24 steps, 1 channel, 2 classes (a slice of Chinatown)"),
    "airline": ("load_airline", "forecasting", "1 series, 144 months, 1 channel (airline passengers 1949-1960; needs --window)"),
    "lynx": ("load_lynx", "forecasting", "1 series, 114 years, 1 channel (lynx trappings; needs --window)"),
    "shampoo_sales": ("load_shampoo_sales", "forecasting", "1 series, 36 months, 1 channel (shampoo sales; needs --window)"),
    "pbs": ("load_PBS_dataset", "forecasting", "1 series, 204 months, 1 channel (Australian prescriptions; needs --window)"),
    "longley": ("load_longley", "forecasting", "1 series, 16 years, 6 channels (US macro-economy; needs --window)"),
    "uschange": ("load_uschange", "forecasting", "1 series, 187 quarters, 5 channels (US consumption, income, ...; needs --window)"),
}


def _set_key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").removesuffix("dataset")


def sktime_datasets() -> list[tuple[str, str, str]]:
    """The sktime data sets ``sktime:NAME`` loads: ``(name, task, description)`` rows."""
    return [(name, task, text) for name, (_, task, text) in SKTIME_SETS.items()]


def _load_sktime(name: str, *, window: int | None = None, stride: int = 1, nan: str = "raise") -> Dataset:
    """A bundled sktime set: classification sets as labelled sequences (pd-multiindex; ``NAME:train`` or
    ``NAME:test`` for one of sktime's splits, both by default), forecasting series as one long unlabelled
    series cut into windows of ``window`` steps."""
    import sktime.datasets as skd

    name, _, split = name.partition(":")
    found = {_set_key(k): k for k in SKTIME_SETS}.get(_set_key(name))
    if found is None:
        raise TsganError(f"sktime has no bundled data set '{name}'; `tsgan data list` names them: {', '.join(SKTIME_SETS)}")
    loader, task, _ = SKTIME_SETS[found]
    if split not in ("", "train", "test") or (split and task != "classification"):
        raise TsganError(f"'sktime:{name}:{split}': a split is 'train' or 'test', and only classification sets have them")
    try:
        loaded = (getattr(skd, loader)(return_type="pd-multiindex", **({"split": split} if split else {}))
                  if task == "classification" else getattr(skd, loader)())
    except Exception as exc:
        raise TsganError(f"could not load sktime data set '{found}': {exc}") from None
    if task == "classification":
        return from_sktime(*loaded, nan=nan, window=window, stride=stride)
    parts = loaded if isinstance(loaded, tuple) else (loaded,)
    frame = pd.concat([p.to_frame() if isinstance(p, pd.Series) else p for p in parts], axis=1)
    if window is None:
        raise TsganError(f"sktime:{found} is one series of {len(frame)} steps; pass --window LENGTH (window=LENGTH in Python) "
                         "to cut it into training windows")
    return from_wide(frame, id_col=None, label_col=None, nan=nan, window=window, stride=stride)


def load_dataset(spec: str, *, n: int = 1000, length: int = 30, seed: int = 0, window: int | None = None, stride: int = 1,
                 nan: str = "raise", format: str = "long", **columns) -> Dataset:
    """Resolve a data spec to a :class:`Dataset` ``(X, labels, channels)``: ``waves``, ``sines``
    (TimeGAN's, 10,000 x 24 x 5, unlabelled), ``sktime:NAME`` (see :func:`sktime_datasets`), or a
    CSV/parquet path read by :func:`read_table` with ``format`` and the column ``columns``.
    ``window`` / ``stride`` cut series into windows, ``nan`` handles missing values (:func:`from_long`)."""
    if columns.get("categorical") and (spec in ("waves", "sines") or spec.startswith("sktime:")):
        raise TsganError(f"categorical channels are read from tables (CSV/parquet); '{spec}' has none")
    if spec == "waves":
        from .waves import make_waves

        X, y = make_waves(n, length, seed=seed)
        return Dataset(X, y, [VALUE], {"kind": "array", "label_dtype": str(y.dtype)})
    if spec == "sines":
        from .literature import make_sines

        X = make_sines(seed=seed)
        return Dataset(X, None, [f"channel_{i}" for i in range(X.shape[2])])
    if spec.startswith("sktime:"):
        return _load_sktime(spec.split(":", 1)[1], window=window, stride=stride, nan=nan)
    return read_table(spec, format=format, nan=nan, window=window, stride=stride, **columns)
