"""The CUDA path, on machines that have a GPU (skipped elsewhere): every family pair trains with the gradient
penalty (an LSTM critic's penalty runs without cuDNN, whose RNN has no double backward, and cuDNN stays on for
everything else), device="auto" picks the GPU, a model trained there samples the same on the CPU after reload,
and resume on the GPU continues to the uninterrupted model."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import tsgan

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

FIT = {"steps": 3, "batch_size": 8, "seed": 0, "progress": False, "device": "cuda"}


@pytest.mark.parametrize("generator,discriminator", list(itertools.product(["lstm", "mlp", "conv"], repeat=2)))
def test_every_pair_trains_with_gradient_penalty_on_cuda(waves_data, generator, discriminator):
    X, y = waves_data
    gan = tsgan.GAN(generator, discriminator, loss="wgan-gp", hidden=8, noise_dim=4).fit(X, y, **FIT)
    assert next(gan.generator_.parameters()).device.type == "cuda"
    assert torch.backends.cudnn.enabled  # the penalty's switch is scoped to its forward pass
    assert all(np.isfinite([r["d_loss"], r["gradient_penalty"]]).all() for r in gan.history_)
    assert np.isfinite(gan.sample(16, labels="sine", seed=0)).all()


def test_auto_device_is_the_gpu(waves_data):
    X, y = waves_data
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, **{**FIT, "device": "auto"})
    assert next(gan.generator_.parameters()).device.type == "cuda"


def test_gpu_model_decodes_the_same_on_cpu(waves_data, tmp_path):
    """The same noise decodes to the same sequences on either device; a seed gives the same samples on the same kind
    of device (CPU and CUDA random streams differ, so a seed's noise does too)."""
    X, y = waves_data
    gan = tsgan.GAN("lstm", "conv", hidden=8, noise_dim=4).fit(X, y, **FIT)
    gan.save(tmp_path / "model.pt")
    on_cpu = tsgan.load(tmp_path / "model.pt", device="cpu")
    on_gpu = tsgan.load(tmp_path / "model.pt", device="cuda")
    noise = on_cpu.sample_noise(32, seed=3)
    np.testing.assert_allclose(on_cpu.generate(noise, "sawtooth"), on_gpu.generate(noise, "sawtooth"), atol=1e-4)
    np.testing.assert_array_equal(on_gpu.sample(32, labels="sine", seed=3), gan.sample(32, labels="sine", seed=3))


def test_resume_on_gpu_matches_one_run(waves_data, tmp_path):
    X, y = waves_data
    whole = tsgan.GAN("lstm", "lstm", loss="wgan-gp", hidden=8, noise_dim=4).fit(X, y, **{**FIT, "steps": 4})
    tsgan.GAN("lstm", "lstm", loss="wgan-gp", hidden=8, noise_dim=4).fit(
        X, y, **{**FIT, "steps": 2}, out_dir=tmp_path, checkpoint_every=2)
    resumed = tsgan.GAN("lstm", "lstm", loss="wgan-gp", hidden=8, noise_dim=4).fit(
        X, y, **{**FIT, "steps": 4}, out_dir=tmp_path, resume=True, checkpoint_every=2)
    for a, b in zip(whole.generator_.parameters(), resumed.generator_.parameters()):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)
