"""Differential privacy (issue 17, item 3): DP-SGD on the discriminator with Opacus; the spent (epsilon, delta)
within the requested budget, saved, loaded and resumed; budgets too small and combinations that would break the
guarantee refused before training."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.training.loop import Callback

pytest.importorskip("opacus")
TINY = {"batch_size": 32, "seed": 0, "device": "cpu", "progress": False}


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # opacus's notes on secure mode and the accountant
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def waves():
    return tsgan.make_waves(128, 10, seed=0)


def _fit(waves, generator="mlp", discriminator="mlp", loss="gan", steps=4, **options):
    X, y = waves
    return tsgan.GAN(generator, discriminator, loss, hidden=8, noise_dim=4).fit(X, y, steps=steps, **{**TINY, **options})


@pytest.mark.parametrize("discriminator, loss", [("lstm", "gan"), ("mlp", "gan"), ("conv", "wgan")])
def test_private_run_spends_at_most_the_requested_epsilon(waves, discriminator, loss):
    """The accountant's epsilon after the run is positive and at most the requested one (within the noise search's
    tolerance), over steps x n_critic discriminator updates; the private run trains other weights than a plain one."""
    gan = _fit(waves, "lstm", discriminator, loss, dp_epsilon=4.0)
    spent = gan.privacy_
    assert 0 < spent["epsilon"] <= 4.0 and spent["delta"] == 1e-5
    assert spent["critic_updates"] == 4 * gan.train_config_.n_critic if gan.train_config_.n_critic else True
    assert spent["noise_multiplier"] > 0 and spent["sample_rate"] == 32 / 128
    plain = _fit(waves, "lstm", discriminator, loss)
    assert plain.privacy_ is None
    assert not np.allclose(plain.sample(4, seed=0), gan.sample(4, seed=0))


def test_per_sample_gradients_are_clipped(waves):
    """The discriminator's last update summed per-sample gradients clipped to dp_max_grad_norm: their total norm is at
    most (rows in the batch) x C, far below the unclipped gradients' (a run without clipping fails this)."""
    C = 1e-4
    gan = _fit(waves, dp_epsilon=8.0, dp_max_grad_norm=C)
    summed = [p.summed_grad.flatten() for p in gan.discriminator_.parameters() if getattr(p, "summed_grad", None) is not None]
    assert summed, "no per-sample gradients reached the discriminator"
    assert torch.cat(summed).norm() <= 128 * C * (1 + 1e-4)


def test_saved_loaded_and_resumed(waves, tmp_path):
    """privacy_ survives save/load; a run interrupted at step 2 and resumed to 4 spends what an uninterrupted run
    does and samples the same; resuming to more steps than the budget was planned for is refused."""
    whole = _fit(waves, dp_epsilon=4.0)
    whole.save(tmp_path / "m.pt")
    assert tsgan.load(tmp_path / "m.pt").privacy_ == whole.privacy_

    class StopAtTwo(Callback):
        def on_log(self, trainer, records):
            if trainer.step == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _fit(waves, dp_epsilon=4.0, out_dir=tmp_path / "run", log_every=1, callbacks=(StopAtTwo(),))
    X, y = waves
    resumed = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, steps=4, out_dir=tmp_path / "run", resume=True,
                                                                  **{**TINY, "dp_epsilon": 4.0})
    assert resumed.privacy_ == whole.privacy_
    np.testing.assert_array_equal(resumed.sample(5, seed=1), whole.sample(5, seed=1))
    with pytest.raises(tsgan.TsganError, match="would spend epsilon .* above the run's dp_epsilon 4"):
        tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, steps=400, out_dir=tmp_path / "run", resume=True,
                                                            **{**TINY, "dp_epsilon": 4.0})


@pytest.mark.parametrize("options, keyword", [
    ({"dp_epsilon": 0.01}, "no noise reaches dp_epsilon=0.01 in 400 critic updates"),
    ({"dp_epsilon": 0.2}, "too small for 400 critic updates of batches of 32 from 128 sequences"),
    ({"dp_epsilon": 1.0, "dp_delta": 0.05}, "not below 1/128"),
    ({"dp_epsilon": 1.0, "batch_size": 2}, "empty too often"),
    ({"dp_epsilon": 0.0}, "dp_epsilon must be a number > 0"),
])
def test_budget_that_cannot_hold_is_an_error_before_training(waves, options, keyword):
    seen = []

    class Steps(Callback):
        def on_log(self, trainer, records):
            seen.extend(records)

    with pytest.raises(tsgan.TsganError, match=keyword):
        _fit(waves, steps=400, callbacks=(Steps(),), **options)
    assert not seen


@pytest.mark.parametrize("init, options, keyword", [
    ({"loss": "wgan-gp"}, {}, "gradient-penalty: the gradient penalty's double backward"),
    ({}, {"r1_gamma": 1.0}, "r1-penalty"),
    ({}, {"minibatch_kernels": 4}, "minibatch-discrimination: minibatch discrimination compares samples"),
    ({}, {"feature_matching": 1.0}, "feature-matching"),
    ({}, {"historical_averaging_d": 1.0}, "historical-averaging"),
    ({"variant": "infogan"}, {}, "infogan"),
    ({"variant": "bigan"}, {}, "bigan: BiGAN's encoder reads real sequences"),
    ({}, {"precision": "bf16"}, "32-bit precision only"),
])
def test_combinations_that_break_the_guarantee_are_refused(waves, init, options, keyword):
    X, y = waves
    with pytest.raises(tsgan.TsganError, match=keyword):
        tsgan.GAN(**{"generator": "mlp", "discriminator": "mlp", "hidden": 8, **init}).fit(X, y, steps=2, dp_epsilon=4.0, **{**TINY, **options})


def test_cli_prints_the_spent_budget(tmp_path, capsys):
    data, run = tmp_path / "w.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "128", "--length", "8", "--out", str(data)]) == 0
    assert cli.main(["train", "--data", str(data), "--generator", "mlp", "--discriminator", "mlp", "--steps", "3",
                     "--batch-size", "32", "--hidden", "8", "--dp-epsilon", "8", "--dp-delta", "1e-4", "--out", str(run),
                     "--no-progress"]) == 0
    assert "differential privacy: spent epsilon" in capsys.readouterr().out
    assert 0 < tsgan.load(run / "model.pt").privacy_["epsilon"] <= 8 and tsgan.load(run / "model.pt").privacy_["delta"] == 1e-4


def test_zero_steps_spend_nothing(waves):
    assert _fit(waves, steps=0, dp_epsilon=1.0).privacy_["epsilon"] == 0.0
