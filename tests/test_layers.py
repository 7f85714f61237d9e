"""Minibatch discrimination and generator weight averaging: each does what it claims, in every family."""
import copy

import numpy as np
import pytest
import torch

import tsgan
from tsgan.nn.layers import MinibatchDiscrimination
from tsgan.nn import ModelConfig, build


def test_minibatch_discrimination_sees_the_batch():
    """A sample's output depends on the other samples: duplicates raise closeness, shapes per step too."""
    torch.manual_seed(0)
    layer = MinibatchDiscrimination(6, kernels=5, kernel_dim=3)
    h = torch.randn(4, 6)
    out = layer(h)
    assert out.shape == (4, 5)
    crowded = layer(torch.cat([h[:1].repeat(3, 1), h[3:]]))  # sample 0 now has two identical neighbours
    assert torch.all(crowded[0] > out[0])
    assert torch.all(crowded[0] >= 2.0 - 1e-6)
    per_step = layer(torch.randn(4, 7, 6))
    assert per_step.shape == (4, 7, 5)
    assert torch.equal(per_step[:, 0], per_step[:, -1])  # pooled over time, repeated per step


@pytest.mark.parametrize("disc", ["lstm", "mlp", "conv"])
def test_minibatch_kernels_in_every_discriminator(disc, waves_data):
    """The option composes with every discriminator and changes its decisions."""
    X, y = waves_data
    torch.manual_seed(0)
    _, plain = build(ModelConfig(generator="mlp", discriminator=disc, length=12, channels=1, n_classes=2, noise_dim=4, hidden=8))
    torch.manual_seed(0)
    _, with_mb = build(ModelConfig(generator="mlp", discriminator=disc, length=12, channels=1, n_classes=2, noise_dim=4, hidden=8, minibatch_kernels=4))
    x, labels = torch.tensor(X[:8]), torch.zeros(8, dtype=torch.long)
    assert with_mb(x, labels).shape == plain(x, labels).shape
    alone = with_mb(x[:1], labels[:1])
    in_batch = with_mb(x, labels)[:1]
    assert not torch.allclose(alone, in_batch)  # the same sequence is judged differently in another batch
    gan = tsgan.GAN("mlp", disc, hidden=8, noise_dim=4, minibatch_kernels=4)
    gan.fit(X, y, steps=2, batch_size=8, progress=False)
    assert np.isfinite(gan.sample(4, seed=0)).all()


def test_sampler_is_the_moving_average(waves_data):
    """With ema_decay d the sampling generator holds p_1 after step 1 and d*avg + (1-d)*p_t after."""
    X, y = waves_data
    snapshots = []

    class Record(tsgan.Callback):
        def on_log(self, trainer, records):
            snapshots.append(copy.deepcopy(trainer.G.state_dict()))

    decay = 0.8
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4)
    gan.fit(X, y, steps=3, batch_size=8, progress=False, log_every=1, ema_decay=decay, callbacks=(Record(),))
    name = "out.weight"
    expected = snapshots[0][name]
    for snap in snapshots[1:]:
        expected = decay * expected + (1 - decay) * snap[name]
    assert torch.allclose(gan.sampler_.state_dict()[name], expected, atol=1e-6)
    assert not torch.allclose(gan.sampler_.state_dict()[name], gan.generator_.state_dict()[name])


def test_no_averaging_samples_the_trained_generator(waves_data):
    X, y = waves_data
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, steps=2, batch_size=8, progress=False, ema_decay=0)
    assert gan.sampler_ is gan.generator_
