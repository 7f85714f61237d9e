"""The waves data set, the array contract, pandas long format, sktime containers and the scaler."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tsgan
from tsgan.data import as_sequences, check_array, encode_labels, from_sktime, to_sktime
from tsgan.data.scaling import MinMaxScaler
from tsgan.data.waves import AMPLITUDE, FREQUENCY, PHASE


# -- waves ----------------------------------------------------------------------------------------

def test_make_waves_shapes_and_labels():
    """(n, T, 1) float32 sequences and one class name per sequence, drawn from the requested classes."""
    X, y = tsgan.make_waves(25, 17, seed=3)
    assert X.shape == (25, 17, 1) and X.dtype == np.float32
    assert y.shape == (25,)
    assert set(y.tolist()) == {"sine", "sawtooth"}
    X4, y4 = tsgan.make_waves(8, 10, seed=0, classes=("sine", "sawtooth", "square", "triangle"))
    assert sorted(set(y4.tolist())) == ["sawtooth", "sine", "square", "triangle"]


def test_make_waves_reproducible():
    """The same seed gives the same set; another seed gives another."""
    X1, y1 = tsgan.make_waves(20, 12, seed=7)
    X2, y2 = tsgan.make_waves(20, 12, seed=7)
    X3, _ = tsgan.make_waves(20, 12, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_make_waves_leaves_numpy_global_state_alone():
    """make_waves uses its own seeded generator, not numpy's global random state."""
    np.random.seed(1234)
    before = np.random.get_state()
    tsgan.make_waves(10, 12, seed=0, noise=0.1)
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


@pytest.mark.parametrize("n, classes", [(7, ("sine", "sawtooth")), (10, ("sine", "sawtooth", "square")), (64, ("sine", "triangle"))])
def test_make_waves_balanced(n, classes):
    """Classes are balanced to within one sequence."""
    _, y = tsgan.make_waves(n, 12, seed=0, classes=classes)
    counts = [int(np.sum(y == c)) for c in classes]
    assert sum(counts) == n and max(counts) - min(counts) <= 1


def test_make_waves_params_within_ranges():
    """Drawn amplitude, frequency and phase lie in the (default and custom) ranges."""
    _, _, p = tsgan.make_waves(300, 12, seed=0, return_params=True)
    for key, (low, high) in (("amplitude", AMPLITUDE), ("frequency", FREQUENCY), ("phase", PHASE)):
        assert p[key].shape == (300,)
        assert np.all(p[key] >= low) and np.all(p[key] <= high)
    X, _, p = tsgan.make_waves(300, 12, seed=0, amplitude=(0.2, 0.3), frequency=(2.0, 2.5), return_params=True)
    assert np.all((p["amplitude"] >= 0.2) & (p["amplitude"] <= 0.3))
    assert np.all((p["frequency"] >= 2.0) & (p["frequency"] <= 2.5))
    assert np.abs(X).max() <= 0.3 + 1e-6


def test_make_waves_follows_formula():
    """A sine sequence is a sin(2 pi f t + phi) at t = k / T; a sawtooth stays within its amplitude."""
    T = 20
    X, y, p = tsgan.make_waves(40, T, seed=2, return_params=True)
    t = np.arange(T) / T
    for i in range(40):
        a, f, phi = p["amplitude"][i], p["frequency"][i], p["phase"][i]
        if y[i] == "sine":
            np.testing.assert_allclose(X[i, :, 0], a * np.sin(2 * np.pi * f * t + phi), atol=1e-6)
        else:
            assert np.abs(X[i]).max() <= a + 1e-6


def test_make_waves_noise():
    """noise adds Gaussian noise of the given standard deviation on top of the same clean waves."""
    clean, _ = tsgan.make_waves(200, 30, seed=0)
    noisy, _ = tsgan.make_waves(200, 30, seed=0, noise=0.05)
    assert np.std(noisy - clean) == pytest.approx(0.05, rel=0.1)


def test_wave_properties_recovers_sine_parameters():
    """wave_properties measures amplitude and frequency of sines (frequency within 0.25 cycle)."""
    X, _, p = tsgan.make_waves(200, 30, seed=0, classes=("sine",), return_params=True)
    props = tsgan.wave_properties(X)
    assert np.abs(props["frequency"] - p["frequency"]).max() < 0.25
    np.testing.assert_allclose(props["amplitude"], p["amplitude"], rtol=0.1)
    # (n, T) input works the same as (n, T, 1)
    assert np.array_equal(tsgan.wave_properties(X[..., 0])["frequency"], props["frequency"])


@pytest.mark.parametrize("shape", ["sine", "sawtooth"])
def test_wave_phase_tracks_the_drawn_phase(shape):
    """The measured phase is the drawn phase plus one constant offset per shape (circular correlation near 1)."""
    X, _, p = tsgan.make_waves(400, 30, seed=2, classes=(shape,), return_params=True)
    offset = np.exp(1j * (tsgan.wave_properties(X)["phase"] - p["phase"]))
    assert abs(offset.mean()) > 0.9  # a constant offset: the unit vectors line up


def test_phase_distance_tells_one_phase_from_real_spread():
    """Real sawtooths of two seeds spread alike; a generator starting every wave at one phase (real waves
    with their phase drawn from a narrow arc) is far from them."""
    real, _ = tsgan.make_waves(500, 30, seed=0, classes=("sawtooth",))
    other, _ = tsgan.make_waves(500, 30, seed=1, classes=("sawtooth",))
    one_phase, _ = tsgan.make_waves(500, 30, seed=1, classes=("sawtooth",), phase=(0.0, 0.4))
    phase = {name: tsgan.wave_properties(x)["phase"] for name, x in (("real", real), ("other", other), ("one", one_phase))}
    assert tsgan.phase_distance(phase["real"], phase["other"]) < 0.12
    assert tsgan.phase_distance(phase["real"], phase["one"]) > 0.6


# -- the array contract ---------------------------------------------------------------------------

def test_the_pair_make_waves_returns_reads_as_sequences_and_labels():
    from tsgan.data.inputs import as_dataset
    X, y = tsgan.make_waves(20, seed=0)
    data = as_dataset((X, y))
    assert data.X is X and list(data.labels) == list(y)
    two_sequences = (np.zeros((30, 1)), np.ones((30, 1)))  # two unlabelled sequences, not a pair
    assert as_dataset(two_sequences).labels is None


def test_check_array_shapes_and_dtype():
    """Lists, ints and bools become float32 (n, T, d); a 2-D array is one channel."""
    assert check_array([[1, 2, 3], [4, 5, 6]]).shape == (2, 3, 1)
    out = check_array(np.arange(24, dtype=np.int64).reshape(2, 3, 4))
    assert out.dtype == np.float32 and out.shape == (2, 3, 4) and out[1, 2, 3] == 23.0
    assert check_array(np.ones((2, 3), dtype=bool)).dtype == np.float32


def test_as_sequences_encodes_labels_sorted():
    """Labels become indices into the sorted class names; numbers are read as names too."""
    X = np.zeros((4, 3, 1))
    seq = as_sequences(X, ["b", "a", "b", "c"])
    assert seq.classes == ["a", "b", "c"]
    assert seq.y.tolist() == [1, 0, 1, 2] and seq.y.dtype == np.int64
    assert seq.channels == ["value"]
    idx, classes = encode_labels(np.array([3, 1, 3]), 3)
    assert classes == ["1", "3"] and idx.tolist() == [1, 0, 1]
    assert as_sequences(np.zeros((2, 3, 2))).channels == ["channel_0", "channel_1"]


# -- long format ----------------------------------------------------------------------------------

def test_long_round_trip_exact(multichannel_data):
    """to_long then from_long gives back values, labels and channel names exactly."""
    X, y = multichannel_data
    df = tsgan.to_long(X, y, channels=["a", "b", "c"])
    assert list(df.columns) == ["series_id", "time", "label", "a", "b", "c"]
    assert len(df) == X.shape[0] * X.shape[1]
    X2, y2, channels = tsgan.from_long(df)
    assert np.array_equal(X2, X) and X2.dtype == np.float32
    assert [str(v) for v in y2] == y.tolist()
    assert channels == ["a", "b", "c"]


def test_from_long_orders_by_time_and_keeps_series_order(waves_data):
    """Rows may come in any time order: each series is sorted by time; series keep first-appearance order."""
    X, y = waves_data
    df = tsgan.to_long(X, y)
    reversed_time = df.sort_values(["series_id", "time"], ascending=[True, False])
    X2, y2, _ = tsgan.from_long(reversed_time)
    assert np.array_equal(X2, X) and [str(v) for v in y2] == y.tolist()
    # series listed in reverse order come back in that (first-appearance) order
    backwards = df.sort_values(["series_id", "time"], ascending=[False, True])
    X3, _, _ = tsgan.from_long(backwards)
    assert np.array_equal(X3, X[::-1])


def test_from_long_custom_columns_and_no_labels():
    """Named id/time columns, an explicit channel list, and frames without a label column."""
    df = pd.DataFrame({"sid": ["x", "x", "y", "y"], "t": [0, 1, 0, 1], "v": [1.0, 2.0, 3.0, 4.0], "other": [9, 9, 9, 9]})
    X, labels, channels = tsgan.from_long(df, id_col="sid", time_col="t", channels=["v"])
    assert labels is None and channels == ["v"]
    assert X[:, :, 0].tolist() == [[1.0, 2.0], [3.0, 4.0]]


# -- sktime ---------------------------------------------------------------------------------------

def test_sktime_numpy3d_round_trip(multichannel_data):
    """numpy3D is (n, d, T); converting there and back is exact."""
    X, y = multichannel_data
    arr = to_sktime(X)
    assert arr.shape == (X.shape[0], 3, X.shape[1])
    assert np.array_equal(arr[:, 1, :], X[:, :, 1])
    X2, y2, channels = from_sktime(arr, y)
    assert np.array_equal(X2, X) and np.array_equal(y2, y)
    assert channels == ["channel_0", "channel_1", "channel_2"]


def test_sktime_multiindex_round_trip(multichannel_data):
    """pd-multiindex frames are valid for sktime and convert back exactly, channel names kept."""
    from sktime.datatypes import check_is_mtype

    X, _ = multichannel_data
    frame = to_sktime(X, "pd-multiindex", channels=["a", "b", "c"])
    assert check_is_mtype(frame, "pd-multiindex")
    assert list(frame.columns) == ["a", "b", "c"] and frame.index.nlevels == 2
    X2, y2, channels = from_sktime(frame)
    assert np.array_equal(X2, X) and y2 is None and channels == ["a", "b", "c"]


def test_from_sktime_reads_sktime_conversions(waves_data):
    """A multi-index frame made by sktime's own converter reads back to the same array."""
    from sktime.datatypes import convert_to

    X, _ = waves_data
    frame = convert_to(np.transpose(X, (0, 2, 1)), to_type="pd-multiindex")
    X2, _, _ = from_sktime(frame)
    np.testing.assert_array_equal(X2, X)


def test_from_sktime_integer_column_names(waves_data):
    """sktime accepts pd-multiindex frames with integer column names; tsgan should read them."""
    from sktime.datatypes import check_is_mtype

    X, _ = waves_data
    frame = to_sktime(X, "pd-multiindex")
    frame.columns = [0]
    assert check_is_mtype(frame, "pd-multiindex")
    X2, _, _ = from_sktime(frame)
    assert np.array_equal(X2, X)


def test_load_sktime_dataset_offline():
    """sktime:NAME loads a bundled data set as (n, T, d) with labels."""
    X, y, channels = tsgan.load_dataset("sktime:gunpoint")
    assert X.ndim == 3 and X.shape[2] == 1 and X.shape[1] == 150
    assert len(y) == len(X) and len(set(y.tolist())) == 2
    assert channels == ["dim_0"]  # sktime's own column name, kept for round trips


# -- scaler ---------------------------------------------------------------------------------------

def test_scaler_maps_each_channel_onto_unit_range(multichannel_data):
    """Each channel's training min maps to -1 and max to +1; inverse_transform undoes it."""
    X, _ = multichannel_data
    scaler = MinMaxScaler().fit(X)
    Z = scaler.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z.min(axis=(0, 1)), -1.0, atol=1e-6)
    np.testing.assert_allclose(Z.max(axis=(0, 1)), 1.0, atol=1e-6)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, atol=1e-6)
    # the mapping is affine: the midpoint of a channel's range maps to 0
    mid = ((X.min(axis=(0, 1)) + X.max(axis=(0, 1))) / 2)[None, None, :]
    np.testing.assert_allclose(scaler.transform(mid), 0.0, atol=1e-6)


def test_scaler_constant_channel():
    """A constant channel maps to -1 and back to its value exactly (no division by zero)."""
    X = np.stack([np.full((4, 5), 3.5), np.arange(20.0).reshape(4, 5)], axis=2).astype(np.float32)
    scaler = MinMaxScaler().fit(X)
    Z = scaler.transform(X)
    assert np.isfinite(Z).all()
    assert np.all(Z[:, :, 0] == -1.0)
    assert np.array_equal(scaler.inverse_transform(Z)[:, :, 0], X[:, :, 0])


def test_scaler_state_round_trip(multichannel_data):
    """A scaler rebuilt from its state dict transforms identically."""
    X, _ = multichannel_data
    scaler = MinMaxScaler().fit(X)
    again = MinMaxScaler.from_state_dict(scaler.state_dict())
    assert np.array_equal(again.transform(X), scaler.transform(X))


def test_scaler_errors():
    """Using an unfitted scaler or a different channel count is a TsganError."""
    with pytest.raises(tsgan.TsganError, match="not fitted"):
        MinMaxScaler().transform(np.zeros((1, 2, 1)))
    scaler = MinMaxScaler().fit(np.zeros((2, 3, 2)))
    with pytest.raises(tsgan.TsganError, match="channels"):
        scaler.transform(np.zeros((2, 3, 1)))
