"""A starting state drawn from the noise for the lstm generator (ModelConfig.noise_state, GAN(noise_state=True),
tsgan train --noise-state / --no-noise-state): each sequence starts from ``h0 = tanh(A [code, condition])``, ``c0 = B [code, condition]``
of its static noise code and conditioning, instead of zeros; off, the generator is the one it was (no weights more,
the same samples); on by default for the lstm generator with static noise, off for files that do not name it; other
families refuse; saved and loaded with the model (long samples: tests/test_longer_series.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tsgan
from tsgan import checkpoint, cli, persistence
from tsgan.errors import TsganError
from tsgan.nn import ModelConfig, build

TINY = {"steps": 3, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False}


def _generator(**config) -> torch.nn.Module:
    torch.manual_seed(0)
    return build(ModelConfig(**{"length": 12, "noise_dim": 4, "hidden": 8, "static_noise": 2, **config}))[0]


@pytest.mark.parametrize("n_classes, layers", [(0, 1), (2, 1), (2, 2)])
def test_the_state_a_sequence_starts_from_is_made_from_its_code_and_label(n_classes, layers):
    G = _generator(noise_state=True, n_classes=n_classes, layers=layers)
    z = G.sample_noise(5, torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 1, 1, 0, 1]) if n_classes else None
    onehot = torch.eye(2)[labels] if n_classes else None
    code = z[:, 0, :2] if onehot is None else torch.cat([z[:, 0, :2], onehot], dim=1)
    made = G.initial_state(code).view(5, 2, layers, 8)  # per sequence: h0 of every layer, then c0 of every layer
    h0, c0 = torch.tanh(made[:, 0]).transpose(0, 1).contiguous(), made[:, 1].transpose(0, 1).contiguous()
    inputs = z if onehot is None else torch.cat([z, onehot[:, None].expand(-1, 12, -1)], dim=-1)
    by_hand = G.out(G.rnn(inputs, (h0, c0))[0])
    with torch.no_grad():
        assert torch.allclose(G(z, labels), by_hand, atol=1e-6)
        assert not torch.allclose(G(z, labels), G.out(G.rnn(inputs)[0]), atol=1e-3)  # not the zero state


def test_on_by_default_for_the_lstm_generator_with_static_noise():
    assert _generator().initial_state is not None
    assert _generator(static_noise=0).initial_state is None  # nothing to make a state from: zeros, no error
    assert ModelConfig(generator="mlp").resolved().noise_state is False


def test_off_it_starts_from_zeros_with_no_weights_more():
    off, on = _generator(noise_state=False), _generator(noise_state=True)
    assert off.initial_state is None
    assert [n for n, _ in off.named_parameters()] == [n for n, _ in on.named_parameters() if not n.startswith("initial_state")]
    z = off.sample_noise(3, torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(off(z), off.out(off.rnn(z)[0]))


@pytest.mark.parametrize("generator", ["mlp", "conv"])
def test_other_families_refuse(generator):
    with pytest.raises(TsganError, match="noise_state is for the lstm generator"):
        tsgan.GAN(generator, "mlp", noise_state=True)


def test_a_generator_without_static_noise_refuses():
    X, y = tsgan.make_waves(16, 12, seed=0)
    with pytest.raises(TsganError, match="set static_noise >= 1"):
        tsgan.GAN(hidden=8, noise_dim=4, static_noise=0, noise_state=True).fit(X, y, **TINY)
    with pytest.raises(TsganError, match="noise_state must be True, False or None"):
        ModelConfig(noise_state="yes")


def test_saved_loaded_and_given_on_the_command_line(tmp_path):
    X, y = tsgan.make_waves(32, 12, seed=0)
    gan = tsgan.GAN(hidden=8, noise_dim=4, noise_state=True).fit(X, y, **TINY)
    gan.save(tmp_path / "model.pt")
    again = tsgan.load(tmp_path / "model.pt")
    assert again.model_config_.noise_state
    np.testing.assert_array_equal(again.sample(4, labels="sawtooth", seed=1), gan.sample(4, labels="sawtooth", seed=1))
    out = tmp_path / "run"
    assert cli.main(["train", "--steps", "2", "--batch-size", "8", "--hidden", "8", "--noise-state",
                     "--out", str(out), "--no-progress"]) in (0, None)
    assert tsgan.load(out).model_config_.noise_state
    assert cli.main(["train", "--steps", "2", "--batch-size", "8", "--hidden", "8", "--no-noise-state",
                     "--out", str(tmp_path / "zeros"), "--no-progress"]) in (0, None)
    assert tsgan.load(tmp_path / "zeros").model_config_.noise_state is False


def test_a_file_written_before_the_default_changed_loads_starting_from_zeros(tmp_path):
    """Files that do not name noise_state were trained starting from zeros (its default then)."""
    X, y = tsgan.make_waves(32, 12, seed=0)
    gan = tsgan.GAN(hidden=8, noise_dim=4, noise_state=False).fit(X, y, **TINY)
    state = persistence.state_of(gan)
    del state["init"]["noise_state"], state["model_config"]["noise_state"]
    checkpoint.atomic_save(state, tmp_path / "old.pt")
    old = tsgan.load(tmp_path / "old.pt")
    assert old.model_config_.noise_state is False and old.sampler_.initial_state is None
    np.testing.assert_array_equal(old.sample(4, labels="sine", seed=1), gan.sample(4, labels="sine", seed=1))
