"""Series longer than the training windows (issue 17, item 2): the lstm generator runs on for any number of
steps, its first T steps those of the length-T sample at the same seed; mlp and conv refuse, saying why."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.nn.longer import extend_noise

TINY = {"steps": 3, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False}


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _fit(generator="lstm", discriminator="lstm", **options) -> tsgan.GAN:
    X, y = tsgan.make_waves(32, 12, seed=0)
    return tsgan.GAN(generator, discriminator, hidden=8, noise_dim=4, **options).fit(X, y, **TINY)


@pytest.mark.parametrize("burn_in", [0, 3])
@pytest.mark.parametrize("options", [{}, {"static_noise": 2}, {"variant": "infogan"}, {"variant": "bigan"}, {"noise_state": True}])
def test_long_lstm_sample_continues_the_training_length_sample(options, burn_in):
    """10x the training length: the requested length, finite values, and the first T steps are the length-T sample
    at the same seed (labels repeated per step, static noise, InfoGAN's and BiGAN's codes held per sequence; with
    burn-in, its leading steps come first in both); the steps beyond differ from a repeat of the first T (the state
    runs on, fresh noise per step)."""
    gan = _fit(burn_in=burn_in, **options)
    short = gan.sample(6, labels="sine", seed=4)
    long = gan.sample(6, labels="sine", seed=4, length=120)
    assert long.shape == (6, 120, 1) and np.isfinite(long).all()
    np.testing.assert_allclose(long[:, :12], short, rtol=0, atol=1e-6)
    assert not np.allclose(long[:, 12:24], short, atol=1e-3)
    np.testing.assert_array_equal(gan.sample(6, labels="sine", seed=4, length=12), short)  # the training length: as before
    assert gan.sample(0, length=120).shape == (0, 120, 1)


def test_extended_noise_holds_per_sequence_channels_and_draws_the_rest():
    """extend_noise keeps channels constant over the first T steps (per-sequence inputs) at their value and fills
    the others from the draw, in order."""
    rng = torch.Generator().manual_seed(0)
    def draw(rows):
        z = torch.randn(rows, 5, 3, generator=rng)
        z[:, :, 0] = z[:, :1, 0]  # channel 0: one value per sequence, like static noise or a code
        return z
    z = draw(4)
    longer = extend_noise(z, 13, draw, batch_size=3)
    assert longer.shape == (4, 13, 3) and torch.equal(longer[:, :5], z)
    assert torch.equal(longer[:, :, 0], z[:, :1, 0].expand(-1, 13))
    assert (longer[:, 5:, 1:] != longer[:, :1, 1:]).all()  # fresh per step
    rng.manual_seed(0)
    draw(4)
    again = torch.cat([draw(3), draw(1)])  # the next block comes from the same stream in the same chunks
    assert torch.equal(longer[:, 5:10, 1:], again[:, :, 1:])


@pytest.mark.parametrize("burn_in", [0, 3])
def test_unequal_length_lstm_model_runs_past_its_longest_length(burn_in):
    """A model of series of unequal length makes every sample the asked length beyond its longest, no NaN."""
    frames = [pd.DataFrame({"unit": i, "t": np.arange(T), "v": np.sin(np.arange(T) / 3 + i)}) for i, T in enumerate([8, 12] * 8)]
    data = tsgan.from_long(pd.concat(frames), id_col="unit", time_col="t")
    gan = tsgan.GAN("lstm", "lstm", hidden=8, noise_dim=4, burn_in=burn_in).fit(data, **TINY)
    X = gan.sample(5, seed=0, length=40)
    assert X.shape == (5, 40, 1) and np.isfinite(X).all()


@pytest.mark.parametrize("generator", ["mlp", "conv"])
def test_fixed_length_families_refuse_longer_samples(generator):
    gan = _fit(generator, "mlp")
    with pytest.raises(tsgan.TsganError, match=f"the {generator} generator makes exactly 12 steps .*fixed by its architecture"):
        gan.sample(3, length=13)
    assert gan.sample(3, length=12, seed=0).shape == (3, 12, 1)


def test_size_bound_and_cli(tmp_path):
    """A request past the memory bound is a clear error before any noise is drawn; the CLI writes long samples."""
    gan = _fit()
    with pytest.raises(tsgan.TsganError, match="GiB; ask for at most"):
        gan.sample(100_000, length=10_000_000)
    data, run = tmp_path / "w.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "16", "--length", "10", "--out", str(data)]) == 0
    assert cli.main(["train", "--data", str(data), "--steps", "2", "--batch-size", "8", "--hidden", "8", "--out", str(run),
                     "--no-progress"]) == 0
    assert cli.main(["sample", str(run), "--n", "3", "--length", "45", "--out", str(tmp_path / "s.csv")]) == 0
    frame = pd.read_csv(tmp_path / "s.csv")
    assert frame.groupby(frame.columns[0]).size().tolist() == [45] * 3
