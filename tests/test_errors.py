"""Every bad input gives a TsganError whose one-line message names the problem; the CLI prints it
as one `tsgan: error: ...` line and exits with code 2."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.data import check_array, encode_labels
from tsgan.nn import ModelConfig, build


def _raises(fn, keyword: str) -> tsgan.TsganError:
    """Run fn, expect a one-line TsganError mentioning keyword (case-insensitive)."""
    with pytest.raises(tsgan.TsganError) as info:
        fn()
    message = str(info.value)
    assert keyword.lower() in message.lower(), message
    assert "\n" not in message
    return info.value


def _long_frame() -> pd.DataFrame:
    X, y = tsgan.make_waves(4, 3, seed=0)
    return tsgan.to_long(X, y)


def _bad_frames():
    df = _long_frame()
    dup = df.copy()
    dup.loc[1, "time"] = 0
    relabel = df.copy()
    relabel.loc[0, "label"] = "other"
    return {
        "missing-time": (df.drop(columns="time"), "time"),
        "missing-id": (df.drop(columns="series_id"), "series id"),
        "text-channel": (df.assign(value=df["value"].astype(str) + "x"), "not numeric"),
        "duplicate-time": (dup, "duplicated time"),
        "label-changes": (relabel, "label changes"),
        "empty": (df.iloc[:0], "no rows"),
    }


@pytest.mark.parametrize(
    "value, keyword",
    [
        (np.zeros(5), "shape"),
        (np.zeros((2, 3, 4, 5)), "shape"),
        (np.array([[[1.0], [np.nan]]]), "NaN"),
        (np.array([[[1.0], [np.inf]]]), "infinite"),
        (np.array([["a", "b"], ["c", "d"]]), "not numeric"),
        (np.array([[1.0, None]], dtype=object), "not numeric"),
        ([[1.0, 2.0], [3.0]], "could not be read"),
        (np.zeros((0, 3, 1)), "empty"),
        (np.ones((2, 3), dtype=complex), "complex"),
        (pd.DataFrame({"a": [1.0]}), "from_long"),
    ],
    ids=["1d", "4d", "nan", "inf", "strings", "object", "ragged", "empty", "complex", "dataframe"],
)
def test_bad_arrays(value, keyword):
    """Wrong rank, non-finite values, non-numeric or ragged input are refused before torch sees them."""
    _raises(lambda: check_array(value), keyword)


def test_nan_message_locates_value():
    """A NaN is reported with its sequence, step and channel."""
    X = np.zeros((3, 4, 2))
    X[2, 1, 1] = np.nan
    err = _raises(lambda: check_array(X), "NaN")
    assert "sequence 2" in str(err) and "step 1" in str(err) and "channel 1" in str(err)


@pytest.mark.parametrize("case", list(_bad_frames()))
def test_bad_long_format(case):
    """Long-format frames with a missing column, text channel, duplicate or missing steps, or changing labels."""
    frame, keyword = _bad_frames()[case]
    _raises(lambda: tsgan.from_long(frame), keyword)


def test_from_long_needs_a_dataframe():
    """Passing an array to from_long names the expected type."""
    _raises(lambda: tsgan.from_long(np.zeros((2, 3))), "DataFrame")


@pytest.mark.parametrize(
    "labels, keyword",
    [(["a"] * 3, "one label per sequence"), ([["a", "b"]] * 4, "one label per sequence"),
     ([1.0, np.nan, 2.0, 1.0], "NaN")],
    ids=["short", "2d", "nan"],
)
def test_bad_labels(labels, keyword):
    """Labels must be one per sequence and present."""
    _raises(lambda: encode_labels(labels, 4), keyword)


def test_fit_errors(waves_data, tiny_gan, train_options):
    """fit refuses too little data, one class, labels of the wrong length and unknown options."""
    X, y = waves_data
    gan = tiny_gan()
    _raises(lambda: gan.fit(X[:5], y[:5], **{**train_options, "batch_size": 8}), "only 5 sequences")
    _raises(lambda: gan.fit(X, np.full(len(X), "sine"), **train_options), "at least two classes")
    _raises(lambda: gan.fit(X, y[:-1], **train_options), "one label per sequence")
    _raises(lambda: gan.fit(X, y, **train_options, learning_rate=0.1), "unknown training option")
    _raises(lambda: gan.fit(X, y, **{**train_options, "batch_size": 0}), "batch_size")
    _raises(lambda: gan.fit(X, y, **{**train_options, "device": "tpu9"}), "device")
    assert not hasattr(gan, "generator_"), "a refused fit must not leave a half-fitted model"


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_gpu(waves_data, tiny_gan, train_options):
    """Asking for CUDA on a CPU-only machine says so."""
    X, y = waves_data
    _raises(lambda: tiny_gan().fit(X, y, **{**train_options, "device": "cuda"}), "CUDA")


def test_unknown_names():
    """Unknown generator, discriminator or loss names fail at construction, listing the choices."""
    err = _raises(lambda: tsgan.GAN(generator="gru"), "unknown generator 'gru'")
    assert "lstm" in str(err)
    _raises(lambda: tsgan.GAN(discriminator="transformer"), "unknown discriminator")
    _raises(lambda: tsgan.GAN(loss="hinge"), "unknown loss 'hinge'")
    _raises(lambda: build(ModelConfig(generator="gru", discriminator="lstm")), "unknown generator")


def test_sampling_errors(trained_conditional, trained_unconditional):
    """Unknown labels or indices, labels for an unconditional model, wrong label counts, bad n."""
    gan, _ = trained_conditional
    _raises(lambda: gan.sample(3, labels="cat"), "unknown label 'cat'")
    _raises(lambda: gan.sample(3, labels=5), "out of range")
    _raises(lambda: gan.sample(3, labels=-1), "out of range")
    _raises(lambda: gan.sample(3, labels=["sine", "sine"]), "labels given for 3 samples")
    _raises(lambda: gan.sample(-1), "non-negative")
    _raises(lambda: gan.sample(2.5), "whole number")
    _raises(lambda: trained_unconditional.sample(3, labels="sine"), "without labels")
    _raises(lambda: tsgan.GAN().sample(3), "not trained")


def test_model_file_errors(tmp_path, trained_conditional):
    """Missing, corrupt, truncated, foreign, incomplete and too-new model files are named as such."""
    _, model = trained_conditional
    _raises(lambda: tsgan.load(tmp_path / "nope.pt"), "does not exist")
    _raises(lambda: tsgan.load(tmp_path), "does not exist")  # a folder without model.pt
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00not a model at all\xff" * 10)
    _raises(lambda: tsgan.load(garbage), "corrupt")
    truncated = tmp_path / "truncated.pt"
    data = model.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    _raises(lambda: tsgan.load(truncated), "corrupt")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    _raises(lambda: tsgan.load(foreign), "not a tsgan model")
    tensor_file = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), tensor_file)
    _raises(lambda: tsgan.load(tensor_file), "not a tsgan model")
    incomplete = tmp_path / "incomplete.pt"
    torch.save({"format": "tsgan", "version": 1}, incomplete)
    _raises(lambda: tsgan.load(incomplete), "incomplete")
    newer = tmp_path / "newer.pt"
    torch.save({"format": "tsgan", "version": 99}, newer)
    _raises(lambda: tsgan.load(newer), "newer")


def test_make_waves_errors():
    """Bad waves settings name the problem."""
    _raises(lambda: tsgan.make_waves(10, 12, classes=("circle",)), "unknown wave shape")
    _raises(lambda: tsgan.make_waves(0, 12), "n >= 1")
    _raises(lambda: tsgan.make_waves(10, 12, frequency=(3.0, 1.0)), "frequency range")


def test_unknown_sktime_container_and_dataset():
    """Unknown sktime container kinds and data set names are refused."""
    _raises(lambda: tsgan.to_sktime(np.zeros((2, 3, 1)), kind="xarray"), "unknown sktime container")
    _raises(lambda: tsgan.load_dataset("sktime:no_such_set"), "no bundled data set")
    _raises(lambda: tsgan.from_sktime(np.zeros((2, 3))), "numpy3D")


# -- the command line -----------------------------------------------------------------------------

def _cli_error(capsys, argv, keyword):
    """main(argv) returns 2 and prints exactly one `tsgan: error:` line naming the problem."""
    capsys.readouterr()
    assert cli.main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tsgan: error: ")
    assert keyword.lower() in lines[0].lower(), lines[0]


def test_cli_unknown_label(capsys, tmp_path, trained_conditional):
    _, model = trained_conditional
    _cli_error(capsys, ["sample", model, "--n", 2, "--label", "cat", "--out", tmp_path / "s.csv"], "unknown label")
    assert not (tmp_path / "s.csv").exists()


def test_cli_missing_model_dir(capsys, tmp_path):
    _cli_error(capsys, ["sample", tmp_path / "no_run", "--out", tmp_path / "s.csv"], "does not exist")


def test_cli_missing_data_file(capsys, tmp_path):
    _cli_error(capsys, ["train", "--data", tmp_path / "none.csv", "--out", tmp_path / "run", "--no-progress"], "does not exist")


def test_cli_csv_missing_column(capsys, tmp_path):
    path = tmp_path / "d.csv"
    _long_frame().drop(columns="time").to_csv(path, index=False)
    _cli_error(capsys, ["train", "--data", path, "--out", tmp_path / "run", "--no-progress"], "missing time column")


def test_cli_corrupt_model(capsys, tmp_path):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"garbage")
    _cli_error(capsys, ["sample", tmp_path, "--out", tmp_path / "s.csv"], "corrupt")


@pytest.mark.parametrize("argv", [["train", "--loss", "hinge", "--out", "x"], ["train", "--generator", "gru", "--out", "x"],
                                  ["sample"], ["frobnicate"]],
                         ids=["loss", "generator", "missing-arg", "command"])
def test_cli_argparse_errors_exit_2(argv, capsys):
    """argparse's own errors (invalid choice, missing argument) also exit with code 2."""
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_an_unknown_integer_label_is_not_taken_as_an_index(waves_data):
    """On a model trained on labels {5, 9}, labels=1 is an unknown label (it used to sample class 9, index 1);
    where the class names are not integers, an integer still indexes them."""
    X, _ = waves_data
    numeric = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, np.array([5, 9] * 16), steps=1, batch_size=8, progress=False)
    _raises(lambda: numeric.sample(2, labels=1), "unknown label '1'")
    assert set(numeric.sample(4, labels=9, return_labels=True)[1]) == {"9"}
    named = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, np.array(["a", "b"] * 16), steps=1, batch_size=8, progress=False)
    assert set(named.sample(4, labels=1, return_labels=True)[1]) == {"b"}
