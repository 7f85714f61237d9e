"""The R1 penalty (zero-centred, on real data): its value by hand, its place in the critic's loss, and its
option from Python and the command line."""
from __future__ import annotations

import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.objective import compose
from tsgan.objective.losses import get_loss
from tsgan.objective.techniques.r1_penalty import r1_penalty
from tsgan.nn import ModelConfig, build
from tsgan.training import Trainer, TrainConfig


def test_r1_penalty_is_the_mean_squared_input_gradient():
    """For a linear critic D(x) = <w, x> the input gradient is w for every sequence: the penalty is ||w||^2."""
    w = torch.randn(6, 2)
    penalty = r1_penalty(lambda x: (x * w).flatten(1).sum(1), torch.randn(5, 6, 2))
    assert penalty.item() == pytest.approx(w.pow(2).sum().item(), rel=1e-5)


def test_r1_joins_the_critic_loss_and_is_recorded_apart(waves_data):
    X = torch.from_numpy(waves_data[0].copy())
    updates = []
    for gamma in (0.0, 10.0):
        torch.manual_seed(0)
        G, D = build(ModelConfig(generator="mlp", discriminator="lstm", length=X.shape[1], noise_dim=4, hidden=8))
        trainer = Trainer(G, D, get_loss("gan"), TrainConfig(steps=1, batch_size=8), techniques=compose(get_loss("gan"), {"r1_gamma": gamma}))
        logs = {}
        recorded = trainer._critic_step(X, None, logs)
        assert ("r1_penalty" in logs) == bool(gamma) and torch.isfinite(recorded)
        updates.append(torch.cat([p.detach().flatten() for p in D.parameters()]))
    assert not torch.equal(updates[0], updates[1])


def test_r1_from_python_and_the_command_line(tmp_path, waves_data):
    X, y = waves_data
    gan = tsgan.GAN("conv", "conv", hidden=8, noise_dim=4).fit(X, y, steps=2, batch_size=8, progress=False, r1_gamma=2.0)
    assert all("r1_penalty" in r for r in gan.history_)
    with pytest.raises(tsgan.TsganError, match="r1_gamma must be > 0"):
        tsgan.GAN().fit(X, y, r1_gamma=-1.0)
    csv = tmp_path / "w.csv"
    assert cli.main(["data", "waves", "--n", "16", "--length", "12", "--out", str(csv)]) == 0
    assert cli.main(["train", "--data", str(csv), "--steps", "2", "--batch-size", "8", "--hidden", "8", "--noise-dim", "4",
                     "--no-progress", "--r1-gamma", "--out", str(tmp_path / "run")]) == 0
    assert tsgan.load(tmp_path / "run").technique("r1-penalty").r1_gamma == 1.0
