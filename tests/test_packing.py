"""Packing (PacGAN): the discriminator judges packs of sequences side by side. Shown doing its job: a packed
discriminator tells generated sets whose samples come in identical pairs from real data with the same marginal
distribution, which an unpacked one cannot; and kept with the model, refusing what it cannot combine with."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

import tsgan
from tsgan.errors import TsganError
from tsgan.nn import ModelConfig, build
from tsgan.objective import compose
from tsgan.objective.losses import get_loss
from tsgan.objective.techniques.packing import pack

FIT = {"steps": 3, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False}


def test_pack_puts_consecutive_rows_side_by_side():
    x = torch.arange(4 * 3 * 2, dtype=torch.float32).reshape(4, 3, 2)  # 4 sequences, 3 steps, 2 channels
    packed = pack(x, 2)
    assert packed.shape == (2, 3, 4)
    assert torch.equal(packed[1, :, :2], x[2]) and torch.equal(packed[1, :, 2:], x[3])
    assert torch.equal(pack(torch.eye(3)[:, :2], 2), torch.tensor([[1.0, 0.0, 0.0, 1.0]]))  # the odd row is left out


def _separation(options: dict, steps: int = 150) -> float:
    """Accuracy of a discriminator trained to tell real sequences (independent random phases) from generated ones
    of the same marginal law that come in identical pairs; 0.5 is chance."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    techniques = compose(get_loss("gan"), options)
    _, D = build(ModelConfig(generator="mlp", discriminator="mlp", length=16, channels=1, hidden=32), techniques)
    opt = torch.optim.Adam(D.parameters(), lr=2e-3)
    t = torch.linspace(0, 2 * np.pi, 16)

    def waves(n):
        return torch.sin(t[None] + 2 * np.pi * torch.rand(n, 1, generator=gen))[..., None]

    def batch():
        return waves(64), waves(32).repeat_interleave(2, dim=0)  # fakes: each sample twice in a row

    for _ in range(steps):
        real, fake = batch()
        loss = F.binary_cross_entropy_with_logits(D(real), torch.ones(len(real) // D_rows(options))) \
            + F.binary_cross_entropy_with_logits(D(fake), torch.zeros(len(fake) // D_rows(options)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        real, fake = batch()
        return float(((D(real) > 0).float().mean() + (D(fake) < 0).float().mean()) / 2)


def D_rows(options: dict) -> int:
    return options.get("pack_size", 1)


def test_a_packed_discriminator_sees_samples_that_are_all_alike():
    alone, packed = _separation({}), _separation({"pack_size": 2})
    assert alone < 0.65  # each generated sample alone is a real-looking wave
    assert packed > 0.9  # side by side, the pairs give them away


def test_packing_trains_saves_and_samples_the_same_after_loading(tmp_path):
    X, y = tsgan.make_waves(40, 12, seed=0)
    gan = tsgan.GAN(hidden=8, noise_dim=4, pack_size=2).fit(X, y, **FIT)
    assert gan.technique("packing").pack_size == 2
    gan.save(tmp_path / "model.pt")
    again = tsgan.load(tmp_path / "model.pt")
    assert np.array_equal(gan.sample(6, labels=y[:6], seed=3), again.sample(6, labels=y[:6], seed=3))
    assert again.technique("packing") is not None


@pytest.mark.parametrize("options, message", [
    ({"pack_size": 0}, "pack_size must be a whole number >= 2"),
    ({"pack_size": 2.5}, "pack_size must be a whole number >= 2"),
    ({"pack_size": 2, "feature_matching": True}, "packing does not combine with feature-matching"),
    ({"pack_size": 2, "minibatch_kernels": 4}, "packing does not combine with minibatch"),
    ({"pack_size": 2, "variant": "infogan"}, "packing judges generated sequences alone"),
])
def test_packing_refuses_what_it_cannot_work_with(options, message):
    X, y = tsgan.make_waves(40, 12, seed=0)
    with pytest.raises(TsganError, match=message):
        tsgan.GAN(hidden=8, noise_dim=4, **options).fit(X, y, **FIT)


def test_pack_size_one_is_packing_off():
    X, y = tsgan.make_waves(40, 12, seed=0)
    off, plain = (tsgan.GAN(hidden=8, noise_dim=4, **o).fit(X, y, **FIT) for o in ({"pack_size": 1}, {}))
    assert off.technique("packing") is None
    assert np.array_equal(off.sample(4, labels=y[:4], seed=1), plain.sample(4, labels=y[:4], seed=1))


@pytest.mark.parametrize("labelled", [True, False])
def test_packing_packs_the_attributes_with_the_sequences(labelled):
    rng = np.random.default_rng(0)
    n, T = 24, 8
    frame = pd.DataFrame({"series_id": np.repeat(np.arange(n), T), "time": np.tile(np.arange(T), n),
                          "label": np.repeat(rng.choice(["x", "y"], n), T), "site": np.repeat(rng.choice(["A", "B"], n), T),
                          "temperature": np.repeat(rng.uniform(10, 30, n), T), "value": rng.normal(size=n * T)})
    data = tsgan.from_long(frame if labelled else frame.drop(columns="label"), attributes=["site", "temperature"])
    gan = tsgan.GAN("lstm", "lstm", hidden=8, noise_dim=4, pack_size=2).fit(data, **FIT)
    assert gan.discriminator_.embed.in_features == 2 * gan.model_config_.condition_dim  # both packed rows' conditioning
    assert np.isfinite(gan.sample(4, labels="x" if labelled else None, seed=0, attributes={"site": "B"})).all()
