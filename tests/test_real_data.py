"""Real data as users have it (issue 4): long and wide tables, sktime containers and data sets, missing
values, malformed tables, windows of long series, and round trips that give samples back in the
input's own form (column names, label values, dtypes, time index type)."""
from __future__ import annotations

import pickle
import time

import numpy as np
import pandas as pd
import pytest

import tsgan
from tsgan import cli
from tsgan.data import frame_like, read_table, sktime_like
from tsgan.data.scaling import MinMaxScaler

TINY = {"steps": 1, "batch_size": 4, "seed": 0, "device": "cpu", "progress": False}


def _tiny_fit(data) -> tsgan.GAN:
    return tsgan.GAN("lstm", "lstm", hidden=4, noise_dim=2).fit(data, **TINY)


def _sensor_frame(n: int = 6, T: int = 5) -> pd.DataFrame:
    """Long format with custom names: ids 0..n-1, daily datetime stamps, int labels, a float and an int channel."""
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "unit": np.repeat(np.arange(n), T),
        "day": np.tile(pd.date_range("2024-03-01", periods=T, freq="D"), n),
        "activity": np.repeat(np.arange(n) % 2 * 5 + 2, T),  # labels 2 and 7 (integers)
        "temp": rng.normal(20.0, 3.0, n * T),
        "count": rng.integers(0, 50, n * T),
    })


def _where_error(fn, *keywords: str) -> str:
    with pytest.raises(tsgan.TsganError) as info:
        fn()
    message = str(info.value)
    for keyword in keywords:
        assert keyword.lower() in message.lower(), message
    assert "\n" not in message
    return message


# -- round trips per format ------------------------------------------------------------------------

def test_long_frame_round_trip_exact():
    """from_long then frame_like gives the very same frame: column names and order, dtypes, int labels, datetimes."""
    df = _sensor_frame()
    data = tsgan.from_long(df, id_col="unit", time_col="day", label_col="activity")
    assert data.channels == ["temp", "count"] and data.labels.dtype == np.int64
    back = frame_like(data.X.astype(np.float64), data.labels, data.layout, data.channels)
    pd.testing.assert_frame_equal(back, df.astype({"temp": np.float32}).astype({"temp": np.float64}), check_exact=True)


def test_wide_frame_round_trip_keeps_period_index():
    """A wide frame (a row per step, a series_id column, a PeriodIndex) comes back with the same index type and names."""
    T = 4
    df = pd.DataFrame({"series_id": np.repeat(["a", "b", "c"], T), "label": np.repeat(["x", "y", "x"], T),
                       "load": np.arange(3 * T, dtype=np.float64)},
                      index=pd.PeriodIndex(np.tile(pd.period_range("2020-01", periods=T, freq="M"), 3), name="month"))
    data = tsgan.from_wide(df)
    assert data.X.shape == (3, T, 1) and data.labels.tolist() == ["x", "y", "x"]
    back = frame_like(data.X, data.labels, data.layout, data.channels)
    assert isinstance(back.index, pd.PeriodIndex) and back.index.name == "month" and back.index.freqstr == "M"
    assert list(back.columns) == ["series_id", "label", "load"]
    assert back["series_id"].tolist()[:T + 1] == ["0"] * T + ["1"]  # new ids, in the data's id type (text)
    np.testing.assert_array_equal(back["load"].to_numpy(), df["load"].to_numpy())


def test_numpy3d_round_trip_through_gan(tmp_path):
    """numpy3D float64 (n, d, T) with integer labels in -> sample_sktime gives numpy3D float64 and integer labels, also after load."""
    rng = np.random.default_rng(1)
    arr = rng.normal(size=(8, 2, 6))
    gan = _tiny_fit(tsgan.from_sktime(arr, np.array([3, 9] * 4)))
    X, y = gan.sample_sktime(5, seed=0)
    assert X.shape == (5, 2, 6) and X.dtype == np.float64
    assert y.dtype == np.array([3]).dtype and set(y.tolist()) <= {3, 9}
    gan.save(tmp_path / "m.pt")
    X2, y2 = tsgan.load(tmp_path / "m.pt").sample_sktime(5, seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, y3 = gan.sample_sktime(2, labels=9, seed=0)
    assert y3.tolist() == [9, 9]


def test_multiindex_round_trip_through_gan():
    """pd-multiindex with named levels and columns in -> the same container kind, names and dtypes out."""
    from sktime.datatypes import check_is_mtype

    n, T = 8, 5
    index = pd.MultiIndex.from_product([range(n), range(T)], names=["case", "t"])
    frame = pd.DataFrame({"x": np.arange(n * T, dtype=np.float64), "y": np.ones(n * T)}, index=index)
    data = tsgan.from_sktime(frame, ["up", "down"] * (n // 2))
    pd.testing.assert_frame_equal(sktime_like(data.X, data.layout, data.channels), frame)
    gan = _tiny_fit(data)
    out, labels = gan.sample_sktime(3, seed=0)
    assert check_is_mtype(out, "pd-multiindex")
    assert list(out.columns) == ["x", "y"] and list(out.index.names) == ["case", "t"]
    assert set(labels.tolist()) <= {"up", "down"}
    long = gan.sample_frame(3, seed=0)
    assert list(long.columns) == ["case", "t", "label", "x", "y"]
    assert isinstance(gan.sample_sktime(2, kind="numpy3D")[0], np.ndarray)


def test_dataframe_round_trip_through_gan_and_reload(tmp_path):
    """A model fitted on a long DataFrame samples frames with its column names, label values, dtypes and stamps, also after load."""
    df = _sensor_frame()
    gan = _tiny_fit(tsgan.from_long(df, id_col="unit", time_col="day", label_col="activity"))
    gan.save(tmp_path / "m.pt")
    for model in (gan, tsgan.load(tmp_path / "m.pt")):
        out = model.sample_frame(4, labels=7, seed=0)
        assert list(out.columns) == list(df.columns)
        assert out.dtypes.to_dict() == df.dtypes.to_dict()
        assert out["activity"].tolist() == [7] * len(out)
        assert out["day"].tolist()[:5] == df["day"].tolist()[:5]
    pd.testing.assert_frame_equal(gan.sample_frame(4, seed=3), tsgan.load(tmp_path / "m.pt").sample_frame(4, seed=3))


def test_dataframe_passed_to_fit_directly():
    """fit takes a long DataFrame with the default column names; the layout comes with it."""
    X, y = tsgan.make_waves(8, 6, seed=0)
    gan = _tiny_fit(tsgan.to_long(X, y))
    assert gan.layout_["kind"] == "long" and gan.classes_ == ["sawtooth", "sine"]
    with pytest.raises(tsgan.TsganError, match="pass it alone"):
        gan.fit(tsgan.to_long(X, y), y, **TINY)


# -- per-channel scaling ---------------------------------------------------------------------------

def test_per_channel_scaling_undone_exactly():
    """Channels of very different scales map to [-1, 1] each and back exactly (dyadic values: no rounding at all)."""
    rng = np.random.default_rng(0)
    small = rng.integers(0, 5, (6, 7)) / 4.0           # range [0, 1] in steps of 1/4
    large = 1024.0 + 256.0 * rng.integers(0, 5, (6, 7))  # range [1024, 2048]
    small[0, 0], small[0, 1], large[0, 0], large[0, 1] = 0.0, 1.0, 1024.0, 2048.0
    X = np.stack([small, large], axis=2).astype(np.float32)
    scaler = MinMaxScaler().fit(X)
    Z = scaler.transform(X)
    assert Z.min(axis=(0, 1)).tolist() == [-1.0, -1.0] and Z.max(axis=(0, 1)).tolist() == [1.0, 1.0]
    assert np.array_equal(scaler.inverse_transform(Z), X)
    # arbitrary values come back to float32 precision of their own channel's range (1e-3 and 1e3 apart here)
    W = np.stack([rng.normal(0, 1e-3, (5, 9)), rng.normal(1e6, 1e3, (5, 9))], axis=2).astype(np.float32)
    scaler = MinMaxScaler().fit(W)
    error = np.abs(scaler.inverse_transform(scaler.transform(W)).astype(np.float64) - W).max(axis=(0, 1))
    assert np.all(error <= 2e-7 * np.maximum(np.ptp(W, axis=(0, 1)), np.abs(W).max(axis=(0, 1)))), error


def test_gan_scales_each_channel_and_restores_integer_channels():
    """The model's scaler holds each channel's own range; samples stay in it, an integer channel comes back as integers."""
    df = _sensor_frame(8)
    gan = _tiny_fit(tsgan.from_long(df, id_col="unit", time_col="day", label_col="activity"))
    for k, c in enumerate(["temp", "count"]):
        assert gan.scaler_.min_[k] == pytest.approx(df[c].min(), rel=1e-6)
        assert gan.scaler_.range_[k] == pytest.approx(df[c].max() - df[c].min(), rel=1e-6)
    out = gan.sample_frame(20, seed=0)
    for c in ("temp", "count"):
        assert df[c].min() - 1e-3 <= out[c].min() and out[c].max() <= df[c].max() + 1e-3
    assert out["count"].dtype == np.int64


# -- missing values --------------------------------------------------------------------------------

def _gappy() -> pd.DataFrame:
    df = pd.DataFrame({"series_id": ["a"] * 4 + ["b"] * 4, "time": list(range(4)) * 2,
                       "label": ["u"] * 4 + ["v"] * 4, "temp": [1.0, 2.0, 3.0, 4.0, 10.0, np.nan, np.nan, 40.0],
                       "hum": [np.nan, 5.0, 6.0, 7.0, 1.0, 1.0, 1.0, 1.0]})
    return df


def test_nan_is_an_error_naming_series_time_and_channel():
    message = _where_error(lambda: tsgan.from_long(_gappy()), "missing", "series 'a'", "time 0", "channel 'hum'", "interpolate")
    assert "3 missing" in message
    _where_error(lambda: tsgan.from_long(_gappy(), nan="guess"), "unknown missing-value handling")
    arr = np.zeros((3, 2, 4))
    arr[2, 1, 3] = np.nan
    _where_error(lambda: tsgan.from_sktime(arr), "sequence 2", "step 3", "channel 'channel_1'")


def test_nan_interpolate_is_linear_within_each_series():
    data = tsgan.from_long(_gappy(), nan="interpolate")
    assert data.channels == ["temp", "hum"]
    np.testing.assert_allclose(data.X[1, :, 0], [10.0, 20.0, 30.0, 40.0])  # linear between known values of series b
    np.testing.assert_allclose(data.X[0, :, 1], [5.0, 5.0, 6.0, 7.0])      # a leading gap takes the nearest value
    arr = np.arange(12.0).reshape(1, 2, 6)
    arr[0, 0, 2] = np.nan
    assert tsgan.from_sktime(arr, nan="interpolate").X[0, 2, 0] == 2.0


def test_nan_mask_adds_observed_channels_and_samples_put_gaps_back():
    data = tsgan.from_long(_gappy(), nan="mask")
    assert data.channels == ["temp", "hum", "temp_observed", "hum_observed"]
    assert data.X[1, :, 2].tolist() == [1.0, 0.0, 0.0, 1.0] and data.X[0, :, 3].tolist() == [0.0, 1.0, 1.0, 1.0]
    back = frame_like(data.X, data.labels, data.layout, data.channels)
    assert list(back.columns) == ["series_id", "time", "label", "temp", "hum"]
    pd.testing.assert_series_equal(back["temp"].isna(), _gappy()["temp"].isna())
    pd.testing.assert_series_equal(back["hum"].isna(), _gappy()["hum"].isna())


def test_cli_nan_option(capsys, tmp_path):
    path = tmp_path / "gappy.csv"
    pd.concat([_gappy().assign(series_id=lambda d: d.series_id + str(k)) for k in range(3)]).to_csv(path, index=False)
    argv = ["train", "--data", path, "--steps", 1, "--batch-size", 4, "--hidden", 4, "--no-progress"]
    assert cli.main([str(a) for a in argv + ["--out", tmp_path / "r0"]]) == 2
    assert "series 'a0', time 0, channel 'hum'" in capsys.readouterr().err
    assert cli.main([str(a) for a in argv + ["--nan", "mask", "--out", tmp_path / "r1"]]) == 0
    assert cli.main(["sample", str(tmp_path / "r1"), "--n", "3", "--out", str(tmp_path / "s.csv")]) == 0
    assert list(pd.read_csv(tmp_path / "s.csv").columns) == ["series_id", "time", "label", "temp", "hum"]


# -- malformed tables ------------------------------------------------------------------------------

def _long(**changes) -> pd.DataFrame:
    df = pd.DataFrame({"series_id": np.repeat([0, 1, 2], 3), "time": np.tile([0, 1, 2], 3),
                       "label": np.repeat(["p", "q", "p"], 3), "v": np.arange(9.0)})
    for col, (row, value) in changes.items():
        df[col] = df[col].astype(object)
        df.loc[row, col] = value
    return df


@pytest.mark.parametrize("frame, options, keywords", [
    (_long(v=(4, "abc")), {}, ["'v' is not numeric", "mixes numbers and text", "'abc'", "series 1", "time 1"]),
    (_long().assign(v=list("abcdefghi")), {}, ["'v' is not numeric", "'a'", "series 0"]),
    (_long(label=(3, 5)), {}, ["label column 'label' mixes types"]),
    (_long(time=(4, "x")), {}, ["time column 'time' mixes types"]),
    (_long(time=(4, 0)), {}, ["duplicated time stamp 0 in series 1"]),
    (_long(label=(4, np.nan)), {}, ["label column 'label' has missing values", "series 1"]),
    (_long(series_id=(4, np.nan)), {}, ["series id column", "missing values"]),
    (_long(v=(3, np.nan)).assign(v=lambda d: d.v.where(d.series_id != 1)).astype({"v": float}), {}, ["series 1 is empty"]),
    (_long(), {"label_col": "activity"}, ["missing label column 'activity'"]),
    (_long(), {"channels": ["v", "w"]}, ["missing channel column(s) ['w']"]),
    (_long().drop(columns="time"), {}, ["missing time column 'time'"]),
    (_long(), {"window": 0}, ["window length and stride", ">= 1"]),
    (_long(), {"window": 5}, ["shorter than the window of 5"]),
], ids=["mixed-channel", "text-channel", "mixed-labels", "mixed-time", "duplicate-time", "missing-label", "missing-id",
        "empty-series", "missing-label-col", "missing-channel", "missing-time-col", "bad-window", "window-too-long"])
def test_malformed_long_tables(frame, options, keywords):
    """Each malformed table gets its own one-line TsganError naming the problem (and where)."""
    _where_error(lambda: tsgan.from_long(frame, **options), *keywords)


def test_wide_named_columns_must_exist():
    df = pd.DataFrame({"v": [1.0, 2.0, 3.0]})
    _where_error(lambda: tsgan.from_wide(df, id_col="unit"), "missing series id column 'unit'")
    _where_error(lambda: tsgan.from_wide(df, time_col="stamp"), "missing time column 'stamp'")
    assert tsgan.from_wide(df).X.shape == (1, 3, 1)  # default names may be absent: one series, steps in row order


def test_wide_frame_of_many_columns_reads_in_linear_time():
    """200,000 channel columns read in seconds (a 1.9 MB wide CSV of them took over 300 s: each column was
    looked up in a list of all of them, and taken from the frame one at a time)."""
    names = [f"c{i}" for i in range(200_000)]
    df = pd.DataFrame(np.random.default_rng(0).uniform(size=(3, len(names))), columns=names)
    start = time.perf_counter()
    data = tsgan.from_wide(df)
    assert time.perf_counter() - start < 30
    assert data.X.shape == (1, 3, 200_000) and data.channels == names and data.layout["columns"] == names
    np.testing.assert_allclose(data.X[0], df.to_numpy(), rtol=1e-6)


def test_bad_cell_is_named_by_row_and_column_and_quoted_short(tmp_path):
    """A CSV column with one text cell is text throughout: the error blames that cell (not the first row's
    number), names its column and row, and quotes a short excerpt of it however long it is; so do the
    errors for a category outside the vocabulary and for a missing column of a table with many columns."""
    path = tmp_path / "bad.csv"
    path.write_text("series_id,time,v\n0,0,0.5\n0,1," + "x" * 1_000_000 + "\n0,2,0.7\n")
    message = _where_error(lambda: read_table(path), "channel column 'v'", "mixes numbers and text", "value 'xxx",
                           "series 0, time 1 (row 1, counting from 0)")
    assert len(message) < 300 and "0.5" not in message
    states = pd.DataFrame({"series_id": [0, 0], "time": [0, 1], "state": ["idle", "y" * 10_000]})
    message = _where_error(lambda: tsgan.from_long(states, categorical={"state": ["idle"]}), "categorical column 'state'",
                           "value 'yyy", "series 0, time 1 (row 1, counting from 0)")
    assert len(message) < 300
    wide = pd.DataFrame(np.zeros((2, 10_000)), columns=[f"sensor_{i}" for i in range(10_000)])
    message = _where_error(lambda: tsgan.from_wide(wide, id_col="unit"), "missing series id column 'unit'", "10000 in all")
    assert len(message) < 300


def test_one_class_label_column_needs_unconditional(capsys, tmp_path):
    """A label column with one class only is refused when conditioning, and the CLI points at --unconditional's effect."""
    data = tsgan.from_long(_long().assign(label="p"))
    _where_error(lambda: _tiny_fit(data), "all labels are 'p'", "at least two classes")
    path = tmp_path / "one.csv"
    pd.concat([_long().assign(label="p", series_id=_long().series_id + 10 * k) for k in range(2)]).to_csv(path, index=False)
    base = ["train", "--data", str(path), "--steps", "1", "--batch-size", "4", "--hidden", "4", "--no-progress"]
    assert cli.main(base + ["--out", str(tmp_path / "r")]) == 2
    assert "at least two classes" in capsys.readouterr().err
    assert cli.main(base + ["--unconditional", "--out", str(tmp_path / "r2")]) == 0


# -- long series and windows -----------------------------------------------------------------------

def test_to_windows_array_and_pandas():
    values = np.arange(20.0).reshape(10, 2)
    data = tsgan.to_windows(values, 4, stride=3)
    assert data.X.shape == (3, 4, 2) and data.labels is None
    np.testing.assert_array_equal(data.X[2], values[6:10])
    assert tsgan.to_windows(np.arange(10.0), 4).X.shape == (7, 4, 1)
    series = pd.Series(np.arange(12.0), index=pd.date_range("2021-01-01", periods=12, freq="h"), name="kwh")
    windows = tsgan.to_windows(series, 6, stride=6)
    assert windows.channels == ["kwh"] and windows.X.shape == (2, 6, 1)
    again = pickle.loads(pickle.dumps(windows))  # a Dataset pickles with its layout
    assert again.layout == windows.layout and np.array_equal(again.X, windows.X)
    back = frame_like(windows.X, None, windows.layout, windows.channels)
    assert isinstance(back.index, pd.DatetimeIndex) and list(back.columns) == ["series_id", "kwh"]
    _where_error(lambda: tsgan.to_windows(values, 11), "shorter than the window of 11", "longest has 10")
    _where_error(lambda: tsgan.to_windows(values, 4, stride=0), "stride")
    _where_error(lambda: tsgan.to_windows(np.zeros((2, 3, 4)), 2), "one series")


def test_windows_of_unequal_series_keep_labels():
    """Series of unequal length cut into windows: each window keeps its series' label; too-short series drop out."""
    df = pd.DataFrame({"series_id": [0] * 5 + [1] * 3 + [2] * 2, "time": [*range(5), *range(3), *range(2)],
                       "label": ["a"] * 5 + ["b"] * 3 + ["c"] * 2, "v": np.arange(10.0)})
    data = tsgan.from_long(df, window=3)
    assert data.X.shape == (4, 3, 1) and data.labels.tolist() == ["a", "a", "a", "b"]
    np.testing.assert_array_equal(data.X[3, :, 0], [5.0, 6.0, 7.0])


# -- sktime data sets and the command line ---------------------------------------------------------

def test_sktime_forecasting_set_needs_window_and_keeps_its_index():
    _where_error(lambda: tsgan.load_dataset("sktime:airline"), "one series of 144 steps", "--window")
    data = tsgan.load_dataset("sktime:airline", window=24, stride=12)
    assert data.X.shape == (11, 24, 1) and data.labels is None and data.channels == ["Number of airline passengers"]
    back = frame_like(data.X, None, data.layout, data.channels)
    assert isinstance(back.index, pd.PeriodIndex) and str(back.index[0]) == "1949-01"
    _where_error(lambda: tsgan.load_dataset("sktime:nope"), "no bundled data set 'nope'", "basic_motions")


def test_sktime_names_in_sktime_spelling():
    """sktime's own spellings (BasicMotions, PBS) load too; classification sets keep labels and channel names."""
    X, y, channels = tsgan.load_dataset("sktime:BasicMotions")
    assert X.shape == (80, 100, 6) and sorted(set(y.tolist())) == ["badminton", "running", "standing", "walking"]
    assert channels == [f"dim_{i}" for i in range(6)]
    assert tsgan.load_dataset("sktime:PBS", window=12).X.shape == (193, 12, 1)


def test_sktime_classification_splits():
    """``sktime:NAME:train`` / ``:test`` load one of sktime's splits (both without); forecasting sets have none."""
    train, test = tsgan.load_dataset("sktime:basic_motions:train"), tsgan.load_dataset("sktime:basic_motions:test")
    assert train.X.shape == test.X.shape == (40, 100, 6)
    assert not np.array_equal(train.X, test.X)
    _where_error(lambda: tsgan.load_dataset("sktime:basic_motions:validation"), "'train' or 'test'")
    _where_error(lambda: tsgan.load_dataset("sktime:airline:train", window=12), "only classification sets")


def test_cli_data_list(capsys):
    assert cli.main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("basic_motions", "gunpoint", "arrow_head", "plaid", "airline", "pbs"):
        assert name in out


def test_cli_wide_csv_one_series_round_trip(tmp_path):
    """A wide CSV without ids is one long series: --window cuts it; samples come back with its columns."""
    path = tmp_path / "meter.csv"
    t = np.arange(60)
    pd.DataFrame({"stamp": pd.date_range("2022-01-01", periods=60, freq="min"), "power": np.sin(t / 5.0),
                  "state": t % 3}).to_csv(path, index=False)
    assert cli.main(["train", "--data", str(path), "--format", "wide", "--time-col", "stamp", "--window", "12", "--stride", "6",
                     "--steps", "1", "--batch-size", "4", "--hidden", "4", "--no-progress", "--out", str(tmp_path / "run")]) == 0
    assert cli.main(["sample", str(tmp_path / "run"), "--n", "2", "--out", str(tmp_path / "s.csv")]) == 0
    out = pd.read_csv(tmp_path / "s.csv")
    assert list(out.columns) == ["series_id", "stamp", "power", "state"] and len(out) == 24
    assert out["stamp"].iloc[0] == "2022-01-01 00:00:00" and out["state"].dtype == np.int64
