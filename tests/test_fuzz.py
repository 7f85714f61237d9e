"""Input parsing fuzzed with hypothesis: hundreds of malformed arrays, labels, frames and CSV files
through tsgan's public entry points (check_array, as_sequences, from_long, from_wide, from_sktime,
to_windows, read_table, GAN.fit with steps=0). Each input is either accepted - and then gives a valid
Dataset that trains and samples back - or refused with one of tsgan's own one-line errors; never
another exception from deep inside numpy, pandas or torch. Derandomized, so CI sees the same inputs."""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tsgan
from tsgan.data import NAN_OPTIONS, as_sequences, check_array, read_table, sequence_lengths

FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")


def _accepted(fn, *args, **kwargs):
    """``fn``'s result, or None when it refused the input with a one-line TsganError (any other exception fails the test)."""
    try:
        return fn(*args, **kwargs)
    except tsgan.TsganError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        return None


def _check_dataset(data) -> None:
    """A valid Dataset: float32 (n, T, d), finite within each series, NaN beyond the end of shorter ones."""
    X, labels, channels = data
    assert X.dtype == np.float32 and X.ndim == 3 and min(X.shape) > 0
    within = np.arange(X.shape[1])[None, :] < sequence_lengths(X)[:, None]
    assert np.isfinite(X[within]).all() and np.isnan(X[~within]).all() and within[:, -1].any()
    assert len(channels) == X.shape[2]
    assert labels is None or len(labels) == len(X)


def _fit_and_sample(data, y=None) -> None:
    """An accepted input trains (0 steps) and samples back in its own layout, or is refused by tsgan."""
    gan = _accepted(tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit, data, y, steps=0, batch_size=1, device="cpu", progress=False)
    if gan is not None:
        assert gan.sample(2, seed=0).shape == (2, gan.model_config_.length, gan.model_config_.channels)
        frame = gan.sample_frame(2, seed=0)
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0


# -- arrays and labels ----------------------------------------------------------------------------

SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
DTYPES = st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.boolean_dtypes(),
                   hnp.complex_number_dtypes(), hnp.datetime64_dtypes(), hnp.timedelta64_dtypes(),
                   hnp.unicode_string_dtypes(max_len=3), hnp.byte_string_dtypes(max_len=3))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=3),
                    st.complex_numbers(max_magnitude=1e3), st.just(float("nan")), st.binary(max_size=2))
OBJECTS = hnp.arrays(object, SHAPES, elements=st.one_of(SCALARS, st.lists(st.floats(), max_size=2)))
NESTED = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=24)  # ragged lists
# nearly valid: (n, T, d) numbers, sometimes with a NaN / inf / huge value
SEQUENCE_SHAPES = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)
NEAR = st.one_of(
    hnp.arrays(st.sampled_from([np.float32, np.float64]), SEQUENCE_SHAPES,
               elements=st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from([np.nan, np.inf, 1e300, 0.5]))),
    hnp.arrays(st.sampled_from([np.int64, np.uint8, np.bool_]), SEQUENCE_SHAPES, elements=st.integers(0, 1)))
ARRAYS = st.one_of(
    NEAR, NEAR,
    hnp.arrays(DTYPES, SHAPES),  # NaN, inf, huge and subnormal values come with the float dtypes
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, max_side=5),
               elements=st.one_of(st.floats(-1e40, 1e40), st.sampled_from([np.nan, np.inf, -np.inf, 1e300]))),
    OBJECTS, NESTED,
    st.builds(torch.tensor, hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))),
    st.sampled_from([None, "abc", {"a": 1}, pd.Series([1.0, 2.0]), pd.DataFrame({"v": [1.0]}), torch.ones(2, 3, requires_grad=True)]),
)
LABELS = st.one_of(st.none(), NESTED, hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=2, max_side=5)),
                   st.lists(SCALARS, min_size=1, max_size=5))
CHANNELS = st.one_of(st.none(), st.lists(st.one_of(st.text(max_size=2), st.integers(0, 3)), max_size=3), st.sampled_from(["ab", 3]))


@settings(FUZZ, max_examples=400)
@given(X=ARRAYS)
def test_fuzz_check_array(X):
    """Any array-like: float32 (n, T, d), finite, or a TsganError."""
    arr = _accepted(check_array, X)
    if arr is not None:
        assert arr.dtype == np.float32 and arr.ndim == 3 and min(arr.shape) > 0 and np.isfinite(arr).all()


def _labels_for(X):
    """Labels of any kind, one per sequence of ``X`` half the time."""
    n = len(X) if hasattr(X, "__len__") and not isinstance(X, (str, dict)) and np.ndim(X) > 0 else 1
    return st.one_of(LABELS, st.lists(st.one_of(SCALARS, st.sampled_from(["a", "b", 1, 2])), min_size=n, max_size=n),
                     hnp.arrays(DTYPES, (n,)))


@settings(FUZZ, max_examples=250)
@given(X=ARRAYS, data=st.data(), channels=CHANNELS)
def test_fuzz_sequences_and_fit(X, data, channels):
    """Arrays with labels and channel names through as_sequences and GAN.fit(steps=0)."""
    try:
        y = data.draw(_labels_for(X))
    except Exception:  # the test's own probing of a ragged X
        y = data.draw(LABELS)
    data = _accepted(as_sequences, X, y, channels)
    if data is not None:
        assert data.X.shape[2] == len(data.channels)
        assert data.y is None or (data.y.shape == (len(data.X),) and data.y.max() < len(data.classes))
    _fit_and_sample(X, y) if channels is None else _accepted(
        tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit, X, y, channels=channels, steps=0, batch_size=1, progress=False)


WINDOW = st.one_of(st.none(), st.integers(-1, 4), st.sampled_from([2.5, "3", True]))


@settings(FUZZ, max_examples=200)
@given(X=ARRAYS, y=LABELS, length=WINDOW, stride=st.one_of(st.integers(-1, 3), st.just(1.5)), nan=st.sampled_from([*NAN_OPTIONS, "zero"]))
def test_fuzz_sktime_and_windows(X, y, length, stride, nan):
    """sktime numpy3D arrays (with labels, missing-value handling, windows) and one long series cut into windows."""
    data = _accepted(tsgan.from_sktime, X, y, nan=nan, window=length, stride=stride)
    if data is not None:
        _check_dataset(data)
    windows = _accepted(tsgan.to_windows, X, length, stride, nan=nan)
    if windows is not None:
        _check_dataset(windows)


# -- frames ---------------------------------------------------------------------------------------

def _retype(column: pd.Series, kind: str) -> pd.Series:
    """A column turned into another kind of values a table may hold."""
    values = column.tolist()
    return {
        "text": lambda: column.astype(str),
        "text+x": lambda: column.astype(str) + "x",
        "mixed": lambda: pd.Series([v if i % 2 else str(v) for i, v in enumerate(values)], index=column.index, dtype=object),
        "odd objects": lambda: pd.Series([(1, 2), b"x", 1 + 2j, None, True][: len(values)] + values[5:], index=column.index, dtype=object),
        "category": lambda: column.astype("category"),
        "dates": lambda: pd.Series(pd.to_datetime(np.arange(len(values)) % 3, unit="D"), index=column.index),
        "bool": lambda: column.astype(bool),
        "Int64": lambda: pd.Series(pd.array([None if i == 0 else int(i) for i in range(len(values))], dtype="Int64"), index=column.index),
        "string": lambda: column.astype("string"),
        "float": lambda: pd.to_numeric(column, errors="coerce") if column.dtype == object else column.astype(float),
    }[kind]()


MUTATIONS = ["drop column", "nan", "none", "inf", "text cell", "retype", "duplicate row", "drop row", "shuffle",
             "duplicate name", "relabel", "dates index", "repeated index", "no rows", "rename"]


@st.composite
def frames(draw):
    """A valid long-format table (1-3 series of 1-4 steps, ids, times and labels of several kinds, 1-2
    channels), then up to 3 random mutations: dropped or duplicated columns and rows, NaN / None / inf
    or text in a cell, a column of another type (text, mixed, objects, category, dates, bool, nullable
    ints), a label changing within a series, shuffled rows, odd indexes, no rows."""
    n, T, d = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 2))
    ids = np.repeat(np.arange(n), T)
    ids = {"int": ids, "text": np.array([f"s{i}" for i in ids], dtype=object), "float": ids + 0.5}[draw(st.sampled_from(["int", "text", "float"]))]
    steps = np.tile(np.arange(T), n)
    time = {"int": steps, "dates": pd.to_datetime(steps, unit="D"), "text": np.array([f"t{t}" for t in steps], dtype=object),
            "float": steps / 2}[draw(st.sampled_from(["int", "dates", "text", "float"]))]
    names = draw(st.lists(st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 1), st.booleans()), min_size=n, max_size=n))
    df = pd.DataFrame({"series_id": ids, "time": time, "label": np.repeat(np.array(names, dtype=object), T)})
    if all(isinstance(v, str) for v in names) or all(type(v) is int for v in names):
        df["label"] = df["label"].astype(type(names[0]))
    for k in range(d):
        df[f"v{k}"] = draw(st.lists(st.floats(-1e3, 1e3, width=32), min_size=n * T, max_size=n * T))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), max_size=3)):
        if df.shape[1] == 0:
            break
        col = draw(st.sampled_from(range(df.shape[1])))
        row = draw(st.integers(0, max(len(df) - 1, 0)))
        if mutation == "drop column":
            df = df.drop(columns=df.columns[col])
        elif mutation in ("nan", "none", "inf", "text cell") and len(df):
            df = df.astype({df.columns[col]: object}) if mutation in ("none", "text cell") else df
            value = {"nan": np.nan, "none": None, "inf": np.inf, "text cell": "abc"}[mutation]
            try:
                df.iloc[row, col] = value
            except (TypeError, ValueError):  # the column's dtype cannot hold it: make it an object column
                df = df.astype({df.columns[col]: object})
                df.iloc[row, col] = value
        elif mutation == "retype":
            kind = draw(st.sampled_from(["text", "text+x", "mixed", "odd objects", "category", "dates", "bool", "Int64", "string", "float"]))
            df[df.columns[col]] = _retype(df.iloc[:, col], kind)
        elif mutation == "duplicate row" and len(df):
            df = pd.concat([df, df.iloc[[row]]], ignore_index=True)
        elif mutation == "drop row" and len(df):
            df = df.drop(index=df.index[row])
        elif mutation == "shuffle":
            df = df.iloc[draw(st.permutations(list(range(len(df)))))]
        elif mutation == "duplicate name" and df.shape[1] > 1:
            df.columns = [df.columns[0] if i == col and col else c for i, c in enumerate(df.columns)]
        elif mutation == "relabel" and "label" in df.columns and len(df):
            df = df.astype({"label": object})
            df.loc[df.index[row], "label"] = "other"
        elif mutation == "dates index":
            df.index = pd.date_range("2024-01-01", periods=len(df), freq="h")
        elif mutation == "repeated index":
            df.index = [0] * len(df)
        elif mutation == "no rows":
            df = df.iloc[:0]
        elif mutation == "rename":
            df = df.rename(columns={df.columns[col]: draw(st.sampled_from(["x", 0, "value", "v0"]))})
    return df


OPTIONS = st.fixed_dictionaries({}, optional={
    "id_col": st.sampled_from(["series_id", "x", None, 0]),
    "time_col": st.sampled_from(["time", "x", None, 0]),
    "label_col": st.sampled_from(["label", None, "x", "value"]),
    "channels": st.sampled_from([None, ["value"], ["value", "value"], [], ["missing"], ["series_id"], ["value", "v2"], [0]]),
    "nan": st.sampled_from([*NAN_OPTIONS, "zero"]),
    "window": WINDOW,
    "stride": st.sampled_from([1, 2, 0]),
})


@settings(FUZZ, max_examples=300)
@given(df=frames(), options=OPTIONS)
def test_fuzz_long_and_wide_frames(df, options):
    """Frames with missing, duplicated or mistyped columns, mixed types, NaN, duplicate or text
    indexes, through from_long and from_wide; accepted ones train and sample back as a frame."""
    for reader in (tsgan.from_long, tsgan.from_wide):
        data = _accepted(reader, df, **options)
        if data is not None:
            _check_dataset(data)
            _fit_and_sample(data)


@settings(FUZZ, max_examples=150)
@given(df=frames(), y=LABELS)
def test_fuzz_multiindex_frames_and_fit(df, y):
    """The same frames as sktime pd-multiindex (their first two columns as the index) and passed to
    GAN.fit whole (read as long format or pd-multiindex)."""
    if df.shape[1] >= 3 and len(set(map(str, df.columns))) == df.shape[1]:
        indexed = df.copy()
        indexed.index = pd.MultiIndex.from_arrays([df.iloc[:, 0], df.iloc[:, 1]])
        indexed = indexed.iloc[:, 2:]
        data = _accepted(tsgan.from_sktime, indexed, y)
        if data is not None:
            _check_dataset(data)
        _fit_and_sample(indexed)
    _fit_and_sample(df)


@settings(FUZZ, max_examples=100)
@given(text=st.one_of(st.text(alphabet="series_idtmelabvu,0123456789.-\n\"x ", max_size=120),
                      frames().map(lambda df: df.to_csv(index=False))),
       fmt=st.sampled_from(["long", "wide", "json"]), suffix=st.sampled_from([".csv", ".parquet"]))
def test_fuzz_files(text, fmt, suffix):
    """Arbitrary text saved as CSV (or passed off as parquet) through read_table."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_text(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = _accepted(read_table, path, format=fmt)
        if data is not None:
            _check_dataset(data)


# -- the crashes fuzzing found, kept as plain regression cases -------------------------------------

_MULTIINDEX = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0]}, index=pd.MultiIndex.from_arrays([[0, 0, 1, 1], [0, 1, 0, 1]]))


@pytest.mark.parametrize("call", [
    lambda: as_sequences(np.zeros((2, 3)), [None, []]),
    lambda: as_sequences(np.zeros((2, 3)), [b"\x80", "a"]),
    lambda: as_sequences(np.zeros((2, 3)), None, 3),
    lambda: as_sequences(np.zeros((2, 3, 2)), None, ["a", "a"]),
    lambda: tsgan.GAN().fit(np.zeros((2, 3)), [[1], [1, 2]], steps=0),
    lambda: tsgan.GAN().fit(np.zeros((2, 3)), ["a", "b"], channels=7, steps=0),
    lambda: tsgan.from_sktime([[[1.0]], [[1.0, 2.0]]]),
    lambda: tsgan.from_sktime(_MULTIINDEX, [None, []]),
    lambda: tsgan.to_windows(np.zeros((0, 2)), 2),
    lambda: tsgan.to_windows([[1.0], [1.0, 2.0]], 2),
], ids=["ragged-labels", "bytes-and-text-labels", "channels-not-a-list", "duplicate-channels", "fit-ragged-labels",
        "fit-channels-not-a-list", "sktime-ragged", "multiindex-ragged-labels", "windows-empty", "windows-ragged"])
def test_found_by_fuzzing(call):
    """Each of these raised a ValueError, TypeError or UnicodeDecodeError from numpy before; now a TsganError."""
    with pytest.raises(tsgan.TsganError):
        call()
