"""Burn-in for the lstm generator (ModelConfig.burn_in, GAN(burn_in=W), tsgan train --burn-in W): its noise has
W + T steps, the LSTM runs over all of them and the first W outputs are dropped; W = 0 is the generator as
before; other families refuse; saved, loaded and resumed with the model, and combined with the variants, series
of unequal length and long samples (those in tests/test_longer_series.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.nn import ModelConfig, build

TINY = {"steps": 3, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False}


@pytest.fixture(scope="module")
def waves():
    return tsgan.make_waves(32, 12, seed=0)


def _fit(waves, *, generator="lstm", discriminator="lstm", **options) -> tsgan.GAN:
    X, y = waves
    return tsgan.GAN(generator, discriminator, hidden=8, noise_dim=4, **options).fit(X, y, **TINY)


def _generator(burn_in: int, **config) -> torch.nn.Module:
    torch.manual_seed(0)
    # from the zero state (unless ``config`` says): the outputs by hand below run the LSTM from zeros
    return build(ModelConfig(**{"length": 12, "noise_dim": 4, "hidden": 8, "static_noise": 2, "burn_in": burn_in,
                                "noise_state": False, **config}))[0]


def test_noise_has_the_burn_in_steps_and_the_output_the_training_length():
    """W = 5, T = 12: noise (n, 17, 4), static noise constant over all 17 steps, the rest fresh; output (n, 12, 1)."""
    G = _generator(5)
    assert G.noise_shape(3) == (3, 17, 4)
    z = G.sample_noise(3, torch.Generator().manual_seed(0))
    assert z.shape == (3, 17, 4)
    assert torch.equal(z[:, :, :2], z[:, :1, :2].expand(-1, 17, -1))
    assert (z[:, 1:, 2:] != z[:, :1, 2:]).all()
    assert G(z).shape == (3, 12, 1)


@pytest.mark.parametrize("n_classes", [0, 2])
def test_output_is_the_lstm_over_all_steps_with_the_first_dropped(n_classes):
    """G(z) is the linear layer on the LSTM's states over all W + T noise steps (label on each), the first W
    dropped; the burn-in steps matter: the LSTM on the last T noise steps alone gives other outputs."""
    G, W = _generator(4, n_classes=n_classes), 4
    z = G.sample_noise(5, torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 1, 1, 0, 1]) if n_classes else None
    inputs = torch.cat([z, torch.eye(2)[labels][:, None, :].expand(-1, z.shape[1], -1)], dim=-1) if n_classes else z
    with torch.no_grad():
        h, _ = G.rnn(inputs)
        np.testing.assert_array_equal(G(z, labels).numpy(), G.out(h[:, W:]).numpy())
        cold, _ = G.rnn(inputs[:, W:])
        assert not torch.allclose(G.out(cold), G(z, labels), atol=1e-3)


def test_burn_in_0_is_the_generator_without_the_option(waves):
    """The same weights, noise and samples, bit for bit, as a model built without the option; no new weights."""
    G0, G = _generator(0), build(ModelConfig(length=12, noise_dim=4, hidden=8, static_noise=2, noise_state=False))[0]
    assert G0.noise_shape(2) == (2, 12, 4) and G0.state_dict().keys() == G.state_dict().keys()
    plain, zero = _fit(waves), _fit(waves, burn_in=0)
    np.testing.assert_array_equal(plain.sample(16, seed=2), zero.sample(16, seed=2))
    np.testing.assert_array_equal(plain.sample_noise(4, seed=1), zero.sample_noise(4, seed=1))
    assert _fit(waves, burn_in=3).sample_noise(4, seed=1).shape == (4, 15, 4)


@pytest.mark.parametrize("generator", ["mlp", "conv"])
def test_fixed_length_families_refuse_burn_in(generator):
    """mlp and conv map noise to exactly T steps: a clear error when the GAN is made and when the model is built."""
    with pytest.raises(tsgan.TsganError, match=f"burn_in=2 is for the lstm generator .*the {generator} generator's layers"):
        tsgan.GAN(generator, "lstm", burn_in=2)
    with pytest.raises(tsgan.TsganError, match="burn_in=2 is for the lstm generator"):
        build(ModelConfig(generator=generator, length=12, burn_in=2))
    assert tsgan.GAN(generator, "lstm", burn_in=0).burn_in == 0


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_burn_in_must_be_a_whole_number(bad):
    with pytest.raises(tsgan.TsganError, match="burn_in must be a whole number >= 0"):
        tsgan.GAN(burn_in=bad)


def test_saved_and_loaded_with_the_model(waves, tmp_path):
    """burn_in is in the model file: the loaded model has it and the same samples; a file written before the
    option (no burn_in anywhere in it) loads with 0."""
    gan = _fit(waves, burn_in=3)
    gan.save(tmp_path / "m.pt")
    loaded = tsgan.load(tmp_path / "m.pt")
    assert loaded.model_config_.burn_in == 3 and loaded.burn_in == 3
    np.testing.assert_array_equal(loaded.sample(8, seed=5), gan.sample(8, seed=5))
    plain = _fit(waves)
    plain.save(tmp_path / "plain.pt")
    state = torch.load(tmp_path / "plain.pt", weights_only=True)
    del state["model_config"]["burn_in"], state["init"]["burn_in"]
    torch.save(state, tmp_path / "old.pt")
    old = tsgan.load(tmp_path / "old.pt")
    assert old.model_config_.burn_in == 0 and old.burn_in == 0
    np.testing.assert_array_equal(old.sample(8, seed=5), plain.sample(8, seed=5))


def test_a_huge_burn_in_in_a_model_file_is_refused_before_sampling(waves, tmp_path):
    """Like a huge length (it adds no weights): the sample memory bound refuses it before any noise is drawn."""
    _fit(waves).save(tmp_path / "m.pt")
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    state["model_config"]["burn_in"] = 10**9
    torch.save(state, tmp_path / "crafted.pt")
    with pytest.raises(tsgan.TsganError, match="memory"):
        tsgan.load(tmp_path / "crafted.pt").sample(1)


def test_resume_refuses_a_changed_burn_in(waves, tmp_path):
    X, y = waves
    tsgan.GAN(hidden=8, noise_dim=4, burn_in=2).fit(X, y, out_dir=tmp_path, **{**TINY, "steps": 2})
    resumed = tsgan.GAN(hidden=8, noise_dim=4, burn_in=2).fit(X, y, out_dir=tmp_path, resume=True, steps=3, progress=False)
    assert resumed.model_config_.burn_in == 2 and len(resumed.history_) > 0
    with pytest.raises(tsgan.TsganError, match="different model .*burn_in 2 -> 0"):
        tsgan.GAN(hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=4, progress=False)


def test_variants_with_burn_in(waves):
    """InfoGAN's codes and the AAE's code are held over all W + T steps: chosen codes sample, codes decode."""
    X, _ = waves
    info = _fit(waves, burn_in=2, variant="infogan")
    assert info.sample(4, labels="sine", seed=0, codes={"category": 1}).shape == (4, 12, 1)
    noise = info.sample_noise(3, seed=0)
    assert noise.shape[1] == 14 and np.isfinite(info.generate(noise, labels="sine")).all()
    aae = _fit(waves, burn_in=2, variant="aae")
    decoded = aae.decode(aae.encode(X[:5]), labels="sine")
    assert decoded.shape == (5, 12, 1) and np.isfinite(decoded).all()


def test_unequal_lengths_with_burn_in():
    """Lengths are still drawn per sequence (its noise's last channel, constant over all W + T steps): NaN beyond."""
    frames = [pd.DataFrame({"unit": i, "t": np.arange(T), "v": np.sin(np.arange(T) / 3 + i)}) for i, T in enumerate([8, 12] * 8)]
    data = tsgan.from_long(pd.concat(frames), id_col="unit", time_col="t")
    gan = tsgan.GAN(hidden=8, noise_dim=4, burn_in=3).fit(data, **TINY)
    X = gan.sample(40, seed=0)
    lengths = np.isfinite(X[:, :, 0]).sum(axis=1)
    assert X.shape == (40, 12, 1) and set(lengths) == {8, 12}
    assert gan.sample(4, seed=0, length=8).shape == (4, 12, 1)


def test_command_line_burn_in_reaches_the_model(tmp_path):
    data, run = tmp_path / "w.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "16", "--length", "10", "--out", str(data)]) == 0
    assert cli.main(["train", "--data", str(data), "--steps", "2", "--batch-size", "8", "--hidden", "8", "--noise-dim", "4",
                     "--burn-in", "4", "--out", str(run), "--no-progress"]) == 0
    gan = tsgan.load(run)
    assert gan.model_config_.burn_in == 4 and gan.sample_noise(2, seed=0).shape == (2, 14, 4)
    assert "burn_in = 4" in (run / "config.toml").read_text()
