"""pandas tables in long and wide format - frames and CSV / parquet files - read into Datasets and written back."""
from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Hashable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TsganError
from ..outputs import write_frame
from .assemble import _assemble
from .attributes import check_attribute_names, per_series
from .categorical import CATEGORY, _categorical_channel, _categorical_columns
from .checks import _as_array, _cell, _check_one_type, _excerpt, _label_array, _listed, _plain
from .contract import ID, LABEL, TIME, VALUE, Dataset
from .layout import repeated_attributes
from .padding import padded_array

FORMATS = ("long", "wide")


def _is_number_dtype(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _value_kind(value) -> int:
    """0 for a number, 1 for text that reads as a number, 2 for anything else."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return 0
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return 2
        return 1
    return 2


def _numeric_channel(column: pd.Series, name, ids: pd.Series, stamps: pd.Series | None) -> np.ndarray:
    """A channel column of a non-numeric dtype (objects, text) as float64, or an error naming the first value that
    is not a number, text that reads as a number only where no other value is worse (a CSV column with one bad
    cell is text throughout: the bad cell is the one to name)."""
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        raise TsganError(f"channel column '{name}' is not numeric (dtype {column.dtype}); convert it or leave it out of the channels")
    kinds = column.map(_value_kind, na_action="ignore").to_numpy(dtype=np.float64, na_value=np.nan)  # NaN: missing
    if (kinds > 0).any():
        worst = np.nanmax(kinds)
        i = int((kinds == worst).argmax())
        mixed = "it mixes numbers and text, " if (kinds < worst).any() else ""
        raise TsganError(f"channel column '{name}' is not numeric: {mixed}value {_excerpt(column.iloc[i])} at {_cell(i, ids, stamps)}; "
                         "convert it or leave it out of the channels")
    return pd.to_numeric(column).to_numpy(dtype=np.float64, na_value=np.nan)


def _read_frame(df: pd.DataFrame, kind: str, *, id_col, time_col, label_col, channels, nan: str,
                window: int | None, stride: int, categorical=None, attributes=None) -> Dataset:
    """The reader behind :func:`from_long` and :func:`from_wide` (``kind``)."""
    if not isinstance(df, pd.DataFrame):
        raise TsganError(f"expected a pandas DataFrame in {kind} format, got {type(df).__name__}")
    columns = list(df.columns)
    has_id, has_time = id_col in columns, time_col is not None and time_col in columns
    if kind == "long":
        for col, has, role in ((id_col, has_id, "series id"), (time_col, has_time, "time")):
            if not has:
                raise TsganError(f"missing {role} column '{col}'; columns are {_listed(columns)} (name it with the id/time column option)")
    else:  # wide: the default names may be absent, names the caller gave must exist
        for col, has, role in ((id_col, has_id, "series id"), (time_col, has_time, "time")):
            if col not in (None, ID, TIME) and not has:
                raise TsganError(f"missing {role} column '{col}'; columns are {_listed(columns)}")
    has_label = label_col is not None and label_col in columns
    if label_col not in (None, LABEL) and not has_label:
        raise TsganError(f"missing label column '{label_col}'; columns are {_listed(columns)} (or name no label column to train unconditionally)")
    reserved = [c for c, has in ((id_col, has_id), (time_col, has_time), (label_col, has_label)) if has]
    attribute_names = check_attribute_names(attributes, columns)
    if clash := [a for a in attribute_names if a in reserved or (channels is not None and a in channels)]:
        raise TsganError(f"attribute column '{clash[0]}' is also the series id, time, label or a channel; an attribute is a column of its own")
    categorical, attribute_categories = _split_categorical(categorical, attribute_names)
    reserved += attribute_names
    if channels is None:
        channels = [c for c in columns if c not in reserved]
    known = set(columns)  # a wide table may have hundreds of thousands of columns: look them up by hash
    missing = [c for c in channels if not isinstance(c, Hashable) or c not in known]
    if missing:
        raise TsganError(f"missing channel column(s) {_listed(missing)}; columns are {_listed(columns)}")
    if not channels:
        raise TsganError(f"no channel columns found besides {[str(c) for c in reserved]}")
    if len(known) != len(columns):
        raise TsganError(f"column name(s) {_listed(sorted({str(c) for c, k in Counter(columns).items() if k > 1}))} appear more than once")
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
            raise TsganError(f"{what} has missing values (series {_excerpt(_plain(ids.iloc[int(stamps.isna().to_numpy().argmax())]))})")
        _check_one_type(stamps, what)
        keys = pd.DataFrame({"series": codes, "time": stamps.to_numpy()})
        dup = keys.duplicated().to_numpy()
        if dup.any():
            i = int(dup.argmax())
            raise TsganError(f"duplicated time stamp {_excerpt(stamps.iloc[i])} in series {_excerpt(_plain(ids.iloc[i]))}; "
                             "each (series, time) must appear once")
        order = keys.sort_values(["series", "time"], kind="stable").index.to_numpy()
    dtypes = dict(zip(columns, rows.dtypes))
    is_number = {d: _is_number_dtype(d) for d in set(dtypes.values())}  # per dtype, not per column: a wide frame has few
    vocabularies = _categorical_columns(categorical, dtypes, channels)
    numeric = [c for c in channels if c not in vocabularies and is_number[dtypes[c]]]
    # All numeric columns in one conversion: taking a wide frame's columns one by one takes minutes. A frame
    # read from a CSV holds one block per column, which a selection re-wraps one by one: taken whole if it can be.
    table = rows if numeric == columns else rows[numeric]
    floats = dict(zip(numeric, table.to_numpy(dtype=np.float64, na_value=np.nan).T))
    blocks, names, categories = [], [], []
    for c in channels:
        if c in vocabularies:
            onehot, vocab = _categorical_channel(rows[c], c, vocabularies[c], ids, stamps)
            members = [f"{c}{CATEGORY}{v}" for v in vocab]
            categories.append({"column": _plain(c), "values": vocab, "dtype": str(dtypes[c]), "channels": members})
            blocks.append(onehot)
            names += members
        else:
            blocks.append((floats[c] if c in floats else _numeric_channel(rows[c], c, ids, stamps))[:, None])
            names.append(str(c))
    if len(set(names)) != len(names):
        taken = sorted(n for n, k in Counter(names).items() if k > 1)
        raise TsganError(f"a categorical column's channel names {_listed(taken)} are taken by other columns; rename those")
    values = np.concatenate(blocks, axis=1)[order]
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    starts = np.concatenate([[0], bounds])
    series = np.split(values, bounds)
    sorted_stamps = None if stamps is None else stamps.iloc[order].reset_index(drop=True)
    series_stamps = None if stamps is None else [pd.Index(sorted_stamps.iloc[a:a + len(s)]) for a, s in zip(starts, series)]
    series_ids = [_plain(v) for v in uniques.tolist()]

    def where(i, t):
        time = "" if t is None else f", time {_excerpt(t if series_stamps is None else series_stamps[i][t], str)}"
        return f"series {_excerpt(series_ids[i])}{time}"

    attribute_frame = per_series(rows, attribute_names, codes, series_ids)
    labels = None
    if has_label:
        lab = rows[label_col]
        if lab.isna().any():
            raise TsganError(f"label column '{label_col}' has missing values (series {_excerpt(_plain(ids.iloc[int(lab.isna().to_numpy().argmax())]))}); "
                             "every series needs a label")
        _check_one_type(lab, f"label column '{label_col}'")
        changes = lab.groupby(codes).nunique()
        if (changes > 1).any():
            raise TsganError(f"label changes within series {_excerpt(series_ids[int(changes.index[(changes > 1).to_numpy()][0])])}; a series has one label")
        labels = lab.groupby(codes).first().to_numpy()
    chosen, dtype_names = set(channels), {d: str(d) for d in is_number}
    layout = {
        "kind": kind, "id_col": _plain(id_col) if has_id else None, "time_col": _plain(time_col) if has_time else None,
        "time_in_index": stamps is not None and not has_time, "label_col": _plain(label_col) if has_label else None,
        "columns": [_plain(c) for c in columns if c in reserved or c in chosen],
        "channel_dtypes": {str(c): dtype_names[dtypes[c]] if c in floats else "float64" for c in channels if c not in vocabularies},
        "categorical": categories,
        "id_dtype": str(ids.dtype) if has_id else None, "label_dtype": str(rows[label_col].dtype) if has_label else None,
    }
    if attribute_names:
        layout["attributes"] = {"columns": [_plain(a) for a in attribute_names], "categorical": [_plain(a) for a in attribute_categories]}
    return _assemble(series, labels, names, series_stamps, where, layout, nan=nan, window=window, stride=stride,
                     attributes=attribute_frame)


def _split_categorical(categorical, attribute_names: list) -> tuple:
    """The ``categorical`` option split into the channels' part and the attributes it names (numeric attributes
    read as categories)."""
    if not attribute_names or categorical is None or isinstance(categorical, (str, bytes)) or not isinstance(categorical, (list, tuple, dict)):
        return categorical, []
    named = [c for c in categorical if c in attribute_names]
    if isinstance(categorical, dict):
        return {c: v for c, v in categorical.items() if c not in named}, named
    return [c for c in categorical if c not in named], named


def from_long(df: pd.DataFrame, *, id_col: str = ID, time_col: str = TIME, label_col: str | None = LABEL,
              channels: list[str] | None = None, nan: str = "raise", window: int | None = None, stride: int = 1,
              categorical=None, attributes: list[str] | None = None) -> Dataset:
    """Read long format (one row per series and step) into a :class:`Dataset` ``(X, labels or None, channels)``.

    Columns: ``id_col``, ``time_col``, optionally ``label_col`` (constant within a series; the default
    ``label`` may be absent, another name must exist), then the channels (all remaining columns
    unless ``channels`` names them). Rows are ordered by time within each series; series keep their
    first-appearance order. ``nan``: ``raise`` (default), ``interpolate`` or ``mask`` (:mod:`tsgan.data`).
    Series may differ in length: ``X`` holds the longest, shorter ones NaN beyond their end
    (:mod:`tsgan.data`). ``window``: cut every series into windows of this many steps, ``stride`` apart
    (each window keeps its series' label). ``categorical``: channel columns of categories, a list of
    names or a dict name -> allowed values (:mod:`tsgan.data`). ``attributes``: columns constant within each
    series (a machine, a temperature) the model conditions on besides the label, in ``Dataset.attributes``
    (one row per sequence): text, category and bool columns are categorical, numeric ones continuous unless
    ``categorical`` lists them too (:mod:`tsgan.data.attributes`).
    """
    return _read_frame(df, "long", id_col=id_col, time_col=time_col, label_col=label_col, channels=channels,
                       nan=nan, window=window, stride=stride, categorical=categorical, attributes=attributes)


def from_wide(df: pd.DataFrame, *, id_col: str | None = ID, time_col: str | None = TIME, label_col: str | None = LABEL,
              channels: list[str] | None = None, nan: str = "raise", window: int | None = None, stride: int = 1,
              categorical=None, attributes: list[str] | None = None) -> Dataset:
    """Read wide format (one row per time step, in time order) into a :class:`Dataset`.

    ``id_col`` (default ``series_id``) splits the rows into series; without that column the whole
    frame is one series, to be cut into windows with ``window`` (and ``stride``). Time stamps come
    from ``time_col`` when the frame has it (rows are then sorted by it), else from the frame's index
    when it is not a plain range (a DatetimeIndex, PeriodIndex, ...), else the row order. The default
    column names may be absent; names you give must exist. Other options as in :func:`from_long`.
    """
    return _read_frame(df, "wide", id_col=id_col, time_col=time_col, label_col=label_col, channels=channels,
                       nan=nan, window=window, stride=stride, categorical=categorical, attributes=attributes)


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


def to_long(X: np.ndarray, labels=None, channels: list[str] | None = None, attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write ``(n, T, d)`` sequences (and labels, and ``attributes``: a frame of one row per sequence, repeated on
    its rows) as a long-format DataFrame; a sequence NaN-padded at its end (shorter than ``T``, as
    :meth:`tsgan.GAN.sample` gives them) gets its own rows only."""
    X, lengths = padded_array(X)
    n, T, d = X.shape
    if channels is None:
        channels = [VALUE] if d == 1 else [f"channel_{i}" for i in range(d)]
    frame = {ID: np.repeat(np.arange(n), T), TIME: np.tile(np.arange(T), n)}
    if labels is not None:
        labels = _label_array(labels, n)
        frame[LABEL] = np.repeat(labels, T)
    frame.update(repeated_attributes(attributes, n, T))
    for k, c in enumerate(channels):
        frame[c] = X[:, :, k].reshape(-1)
    within = (np.arange(T)[None, :] < lengths[:, None]).reshape(-1)
    return pd.DataFrame(frame) if within.all() else pd.DataFrame(frame)[within].reset_index(drop=True)


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


def write_table(df: pd.DataFrame, path: str | Path, *, overwrite: bool = True, protected=()) -> None:
    """Write a frame to CSV or parquet (by the file's suffix; another suffix is an error), durably; an
    existing file is replaced only with ``overwrite``, a file in ``protected`` or a tsgan model never."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(df.index, pd.RangeIndex):  # time stamps in the index (wide format) become a column
        df = df.reset_index()
    write_frame(df, path, overwrite=overwrite, protected=protected)
