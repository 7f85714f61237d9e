"""Shared fixtures for the tsgan test suite: tiny labelled waves and tiny training options.

Everything here is small on purpose: the whole suite must run in about two minutes on a
2-core CPU, so networks are a few units wide and training lasts a handful of steps.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tsgan

# One thread for the whole session: fast for tiny models and identical results run to run.
torch.set_num_threads(1)

N, LENGTH = 32, 12


def pytest_configure(config):
    # Few-step models are expected to look collapsed; the warning itself is tested in test_contract.py.
    config.addinivalue_line("filterwarnings", "ignore:.*may have collapsed:UserWarning")


@pytest.fixture(scope="session")
def waves_data() -> tuple[np.ndarray, np.ndarray]:
    """32 labelled univariate waves of 12 steps (sine / sawtooth), shared read-only."""
    X, y = tsgan.make_waves(N, LENGTH, seed=0)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


@pytest.fixture(scope="session")
def multichannel_data() -> tuple[np.ndarray, np.ndarray]:
    """32 labelled sequences with 3 channels: a wave, its negation and a shifted copy."""
    X, y = tsgan.make_waves(N, LENGTH, seed=1)
    X3 = np.concatenate([X, -X, 0.5 * X + 1.0], axis=2).astype(np.float32)
    return X3, y


@pytest.fixture
def train_options() -> dict:
    """Options for ``GAN.fit`` that train a few steps quickly and quietly."""
    return {"steps": 3, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False}


@pytest.fixture
def tiny_gan():
    """A factory for small GANs (hidden 8, noise 4) of any family and loss."""

    def make(generator: str = "lstm", discriminator: str = "lstm", loss: str = "gan") -> tsgan.GAN:
        return tsgan.GAN(generator, discriminator, loss=loss, hidden=8, noise_dim=4)

    return make


@pytest.fixture(scope="session")
def trained_conditional(waves_data, tmp_path_factory):
    """A conditional LSTM GAN trained 3 steps on the small waves set and saved; (gan, model path)."""
    X, y = waves_data
    gan = tsgan.GAN("lstm", "lstm", hidden=8, noise_dim=4)
    gan.fit(X, y, steps=3, batch_size=8, seed=0, device="cpu", progress=False)
    path = tmp_path_factory.mktemp("model") / "model.pt"
    gan.save(path)
    return gan, path


@pytest.fixture(scope="session")
def trained_unconditional(waves_data):
    """An unconditional MLP GAN trained 2 steps on the small waves set."""
    X, _ = waves_data
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4)
    gan.fit(X, steps=2, batch_size=8, seed=0, device="cpu", progress=False)
    return gan


@pytest.fixture
def tsgan_error():
    """``tsgan_error(call, *keywords)``: run ``call``, expect a one-line TsganError whose message holds every
    keyword (exact text); returns the message."""

    def check(call, *keywords: str) -> str:
        with pytest.raises(tsgan.TsganError) as info:
            call()
        message = str(info.value)
        assert "\n" not in message
        for keyword in keywords:
            assert keyword in message, (keyword, message)
        return message

    return check
