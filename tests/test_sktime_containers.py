"""Every sktime Panel container in and out: from_sktime reads any container (the loaders' nested_univ default
included, series of unequal length too) through sktime's converter, and sample_sktime gives back the container
the model was fitted on, also after save / load."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sktime.datatypes import check_is_mtype, convert_to

import tsgan

TINY = {"steps": 1, "batch_size": 4, "seed": 0, "device": "cpu", "progress": False}
CONTAINERS = ["numpy3D", "pd-multiindex", "nested_univ", "df-list"]


def _fit(data) -> tsgan.GAN:
    return tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(data, **TINY)


def _panel(kind: str):
    """6 series of 5 steps and 2 channels, distinct values, in the sktime container ``kind``."""
    X = np.arange(6 * 5 * 2, dtype=np.float64).reshape(6, 5, 2)
    return X, tsgan.to_sktime(X, kind, channels=["a", "b"])


@pytest.mark.parametrize("kind", CONTAINERS)
def test_each_container_reads_the_same_sequences_and_comes_back_in_kind(kind, tmp_path):
    X, panel = _panel(kind)
    assert check_is_mtype(panel, kind)
    data = tsgan.from_sktime(panel, ["up", "down"] * 3)
    np.testing.assert_array_equal(data.X, X)
    assert data.layout["kind"] == kind and data.labels.tolist() == ["up", "down"] * 3
    if kind != "numpy3D":
        assert data.channels == ["a", "b"]
    gan = _fit(data)
    out, labels = gan.sample_sktime(4, seed=0)
    assert check_is_mtype(out, kind), f"samples are not {kind}"
    assert set(labels.tolist()) <= {"up", "down"} and len(labels) == 4
    back = convert_to(out, to_type="numpy3D")
    np.testing.assert_array_equal(back, np.transpose(gan.sample(4, seed=0), (0, 2, 1)))  # the same samples, in kind's layout
    gan.save(tmp_path / "m.pt")
    again, _ = tsgan.load(tmp_path / "m.pt").sample_sktime(4, seed=0)
    assert check_is_mtype(again, kind)
    np.testing.assert_array_equal(convert_to(again, to_type="numpy3D"), back)


@pytest.mark.parametrize("kind", ["nested_univ", "df-list", "pd-multiindex", "numpy3D", "numpyflat"])
def test_any_container_on_request(kind):
    gan = _fit(tsgan.from_sktime(_panel("nested_univ")[1]))
    out, labels = gan.sample_sktime(3, seed=0, kind=kind)
    assert labels is None
    assert np.asarray(out).shape == (3, 10) if kind == "numpyflat" else check_is_mtype(out, kind)


def test_sktime_loaders_defaults_read_as_they_come():
    """The loaders return nested_univ; japanese_vowels holds series of 7 to 29 steps."""
    from sktime.datasets import load_arrow_head, load_basic_motions, load_gunpoint, load_italy_power_demand, load_japanese_vowels

    data = tsgan.from_sktime(*load_basic_motions())
    assert data.X.shape == (80, 100, 6) and data.layout["kind"] == "nested_univ"
    assert sorted(set(data.labels)) == ["badminton", "running", "standing", "walking"]
    for load, shape in ((load_arrow_head, (211, 251, 1)), (load_italy_power_demand, (1096, 24, 1)), (load_gunpoint, (200, 150, 1))):
        X, y = load()
        assert tsgan.from_sktime(X, y).X.shape == shape, load.__name__
    X, y = load_japanese_vowels()
    vowels = tsgan.from_sktime(X, y)
    assert vowels.X.shape == (640, 29, 12) and vowels.lengths.min() == 7 and vowels.lengths.max() == 29
    assert vowels.lengths[0] == len(X.iloc[0, 0])


def test_unequal_lengths_come_back_in_containers_that_hold_them():
    frames = [pd.DataFrame({"v": np.arange(n, dtype=float)}) for n in (3, 5, 4, 5)]  # df-list of unequal lengths
    gan = _fit(tsgan.from_sktime(frames))
    out, _ = gan.sample_sktime(6, seed=0)
    assert check_is_mtype(out, "df-list") and {len(f) for f in out} <= {3, 4, 5}
    nested, _ = gan.sample_sktime(6, seed=0, kind="nested_univ")
    assert [len(s) for s in nested.iloc[:, 0]] == [len(f) for f in out]
    with pytest.raises(tsgan.TsganError, match="unequal length"):
        gan.sample_sktime(6, seed=0, kind="numpy3D")


def test_bad_containers_are_named():
    with pytest.raises(tsgan.TsganError, match="not recognise this DataFrame as a Panel container"):
        tsgan.from_sktime(pd.DataFrame({"a": [1.0, 2.0]}))
    gan = _fit(tsgan.from_sktime(_panel("numpy3D")[1]))
    with pytest.raises(tsgan.TsganError, match="unknown sktime container 'xarray'.*nested_univ"):
        gan.sample_sktime(2, kind="xarray")
    with pytest.raises(tsgan.TsganError, match="cannot convert the samples to 'pd-wide'"):
        gan.sample_sktime(2, kind="pd-wide")
    for odd in (None, "basic_motions", {"a": 1}, pd.Series([1.0, 2.0])):
        with pytest.raises(tsgan.TsganError, match="not recognise this .* as a Panel container"):
            tsgan.from_sktime(odd)


def test_fit_takes_a_nested_frame_with_its_labels_directly():
    """fit(X_nested, y) - sktime loaders' default container handed straight to fit - trains the same model as
    fit(from_sktime(X_nested, y)) and samples come back nested; channel names given beside it are refused."""
    X, nested = _panel("nested_univ")
    y = np.array(["u", "v"] * 3)
    direct = tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(nested, y, **TINY)
    through = _fit(tsgan.from_sktime(nested, y))
    np.testing.assert_array_equal(direct.sample(4, seed=0), through.sample(4, seed=0))
    fake, labels = direct.sample_sktime(4, seed=0)
    assert check_is_mtype(fake, "nested_univ") and set(labels) <= {"u", "v"}
    with pytest.raises(tsgan.TsganError, match="names its own channels"):
        tsgan.GAN("mlp", "mlp").fit(nested, y, channels=["a", "b"], **TINY)
