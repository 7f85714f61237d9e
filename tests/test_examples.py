"""The example scripts run end to end (``--quick``) and write what they promise; ``GAN.sample_noise`` /
``GAN.generate``, which the latent example builds on, agree with ``GAN.sample`` and reject bad input."""
from __future__ import annotations

import importlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsgan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# script -> (files it writes, figures that are accuracies or shares in [0, 1], figures that are counts)
PROMISED = {
    "labelled_sensor_sequences": (
        ["synthetic.csv", "samples.png", "losses.png", "figures.json", "figures.md"],
        ["accuracy_trtr", "accuracy_tstr", "accuracy_real_plus_synthetic", "label_fidelity"],
        ["train_real", "test_real", "synthetic", "steps"],
    ),
    "forecast_augmentation": (
        ["forecasts.png", "figures.json", "figures.md"],
        [],
        ["real_windows", "synthetic_windows", "seeds", "test_origins"],
    ),
    "latent_interpolation": (
        ["grid.png", "interpolation.png", "arithmetic.png", "model.pt", "figures.json", "figures.md"],
        ["label_fidelity_sine", "switched_label_fidelity", "grid_amplitude_rises", "grid_frequency_rises"],
        ["steps", "probe_codes"],
    ),
}


@pytest.fixture
def example(monkeypatch):
    """Import an example script as a module (its folder on sys.path, for ``_common``)."""
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name: str):
        sys.modules.pop(name, None)
        return importlib.import_module(name)

    return load


@pytest.mark.parametrize("name", list(PROMISED))
def test_example_quick_run_writes_promised_files(name, example, tmp_path):
    files, shares, counts = PROMISED[name]
    out = tmp_path / name
    returned = example(name).main(["--quick", "--out", str(out), "--seed", "1"])
    for f in files:
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f"{name} did not write {f}"
    figures = json.loads((out / "figures.json").read_text())
    assert figures == returned
    assert figures and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in figures.values())
    for key in shares:
        assert 0.0 <= figures[key] <= 1.0, (key, figures[key])
    for key in counts:
        assert isinstance(figures[key], int) and figures[key] >= 0, (key, figures[key])
    assert figures["wall_seconds"] >= 0
    table = (out / "figures.md").read_text()
    assert all(f"| {key} |" in table for key in figures)
    CHECKS[name](figures, out, table)


def check_sensor(figures: dict, out: Path, table: str) -> None:
    X, labels, channels = tsgan.from_long(pd.read_csv(out / "synthetic.csv"))
    assert X.shape == (figures["synthetic"], 100, 6) and len(channels) == 6
    assert sorted(set(labels)) == ["badminton", "running", "standing", "walking"]
    assert len({list(labels).count(c) for c in set(labels)}) == 1  # the same number of every activity


def check_forecast(figures: dict, out: Path, table: str) -> None:
    for kind in ("ridge", "forest"):
        for metric in ("mae", "smape"):
            assert figures[f"{kind}_augmentation_helped_{metric}"] in (-1, 0, 1)
            assert figures[f"{kind}_real_{metric}"] > 0 and figures[f"{kind}_augmented_{metric}"] > 0
    assert figures["naive_mae"] > 0
    assert "augmentation helped" in table or "augmentation hurt" in table or "no clear difference" in table


def check_latent(figures: dict, out: Path, table: str) -> None:
    assert figures["random_pair_change"] > 0
    assert figures["linear_path_length_ratio"] >= 1 - 1e-9 and figures["spherical_path_length_ratio"] >= 1 - 1e-9
    assert tsgan.load(out / "model.pt").classes_ == ["sawtooth", "sine"]


CHECKS = {"labelled_sensor_sequences": check_sensor, "forecast_augmentation": check_forecast, "latent_interpolation": check_latent}


@pytest.mark.parametrize("name", list(PROMISED))
def test_example_help(name, example, capsys):
    with pytest.raises(SystemExit) as exit_info:
        example(name).main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--out" in text and "--seed" in text and "--quick" in text


# -- GAN.sample_noise / GAN.generate ----------------------------------------------------------------
@pytest.mark.parametrize("family", ["lstm", "mlp", "conv"])
def test_generate_of_sample_noise_equals_sample(family, waves_data, tiny_gan, train_options):
    X, y = waves_data
    gan = tiny_gan(family, "mlp").fit(X, y, **train_options)
    noise = gan.sample_noise(6, seed=5)
    assert noise.dtype == np.float32
    assert noise.shape == ((6, X.shape[1], 4) if family == "lstm" else (6, 4))
    assert np.array_equal(noise, gan.sample_noise(6, seed=5))
    assert np.array_equal(gan.generate(noise, "sine"), gan.sample(6, "sine", seed=5))
    per_row = ["sine", "sawtooth", "sawtooth", "sine", "sine", "sawtooth"]
    assert np.array_equal(gan.generate(noise, per_row), gan.sample(6, per_row, seed=5))
    # the same code under another label is a different sequence
    assert not np.array_equal(gan.generate(noise, "sine"), gan.generate(noise, "sawtooth"))


def test_generate_unconditional(trained_unconditional):
    gan = trained_unconditional
    assert np.array_equal(gan.generate(gan.sample_noise(4, seed=2)), gan.sample(4, seed=2))
    with pytest.raises(tsgan.TsganError, match="without labels"):
        gan.generate(gan.sample_noise(4, seed=2), "sine")


def test_generate_rejects_bad_noise_and_missing_labels(trained_conditional):
    gan, _ = trained_conditional
    noise = gan.sample_noise(3, seed=0)  # (3, T, z) for the LSTM generator
    for bad in (noise[:, :, :-1], noise[:, :-1], noise[0], noise.reshape(3, -1)):
        with pytest.raises(tsgan.TsganError, match="shape"):
            gan.generate(bad, "sine")
    with pytest.raises(tsgan.TsganError, match="NaN"):
        gan.generate(np.full_like(noise, np.nan), "sine")
    with pytest.raises(tsgan.TsganError):
        gan.generate([[1.0, 2.0], [3.0]], "sine")
    with pytest.raises(tsgan.TsganError, match="conditional"):
        gan.generate(noise)
    with pytest.raises(tsgan.TsganError, match="unknown label"):
        gan.generate(noise, "square")
    with pytest.raises(tsgan.TsganError, match="labels given"):
        gan.generate(noise, ["sine", "sawtooth"])


def test_sample_noise_needs_a_fitted_model_and_a_count(trained_conditional):
    with pytest.raises(tsgan.TsganError, match="not trained"):
        tsgan.GAN().sample_noise(2)
    gan, _ = trained_conditional
    with pytest.raises(tsgan.TsganError):
        gan.sample_noise(-1)
    assert gan.generate(gan.sample_noise(0, seed=0), "sine").shape == (0, *gan.sample(1, "sine", seed=0).shape[1:])
