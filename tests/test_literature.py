"""The literature's benchmark data sets: Sines as TimeGAN's code builds it, Stocks windows, sliding windows."""
import numpy as np
import pandas as pd
import pytest

from tsgan import TsganError, load_dataset
from tsgan.data import sliding_windows
from tsgan.data.literature import load_stocks, make_sines


def test_sines_shape_range_and_seed():
    X = make_sines(200, seed=3)
    assert X.shape == (200, 24, 5) and X.dtype == np.float32
    assert X.min() >= 0.0 and X.max() <= 1.0
    np.testing.assert_array_equal(X, make_sines(200, seed=3))
    assert not np.array_equal(X, make_sines(200, seed=4))


def test_sines_follow_the_reference_definition():
    X = make_sines(500, length=24, channels=2, seed=0)
    x = 2.0 * X.astype(np.float64) - 1.0  # back to sin(f t + phi)
    phi = np.arcsin(x[:, 0])
    f = np.arcsin(x[:, 1]) - phi  # sin is monotone on [0, 0.2]: step one recovers f
    assert phi.min() >= -1e-5 and phi.max() <= 0.1 + 1e-5
    assert f.min() >= -1e-4 and f.max() <= 0.1 + 1e-4
    t = np.arange(24)
    np.testing.assert_allclose(x[:, :, 0], np.sin(f[:, 0, None] * t + phi[:, 0, None]), atol=1e-5)
    _, _, channels = load_dataset("sines")
    assert len(channels) == 5


def test_sliding_windows_and_errors():
    values = np.arange(20, dtype=float).reshape(10, 2)
    W = sliding_windows(values, 4)
    assert W.shape == (7, 4, 2)
    np.testing.assert_array_equal(W[3], values[3:7])
    assert sliding_windows(values, 4, stride=3).shape == (3, 4, 2)
    with pytest.raises(TsganError, match="window length"):
        sliding_windows(values, 11)
    with pytest.raises(TsganError, match=r"\(T, d\)"):
        sliding_windows(np.arange(5), 2)


def test_stocks_scaling_order_and_missing_file(tmp_path):
    days = np.arange(30, dtype=float)
    frame = pd.DataFrame({"Open": 10 + days, "Volume": 1000 - 10 * days})
    path = tmp_path / "stock.csv"
    frame.to_csv(path, index=False)
    X, columns = load_stocks(path, length=24)
    assert columns == ["Open", "Volume"] and X.shape == (7, 24, 2)
    assert X.min() == 0.0 and X.max() == 1.0
    assert X[0, 0, 0] == 1.0 and X[0, 1, 0] < 1.0  # reversed, as the reference code does: newest day first
    forward, _ = load_stocks(path, length=24, reverse=False)
    assert forward[0, 0, 0] == 0.0
    with pytest.raises(TsganError, match="not found"):
        load_stocks(tmp_path / "absent.csv")
