"""Data-parallel training: `torchrun --nproc_per_node=2 -m tsgan train` on CPU (gloo) gives the model
one process gives with the global batch (up to floating-point summation order), only rank 0 writes,
and a 2-process run resumes."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch
import torch.distributed as dist

import tsgan
from tsgan import cli

pytestmark = pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(), reason="needs torch.distributed with gloo")

TINY = ["--hidden", "8", "--noise-dim", "4", "--batch-size", "8", "--seed", "0", "--no-progress", "--loss", "wgan-gp",
        "--n-critic", "2", "--checkpoint-every", "2"]


def _torchrun(*argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "tsgan", "train", *map(str, argv)], env=env, capture_output=True, text=True, timeout=300)


def test_two_processes_resume_to_the_global_batch_model(tmp_path):
    """A run checkpointed by one process at step 4 and resumed by 2 processes (4 sequences of each
    global batch of 8 each) to step 6 equals one process with batch 8 for 6 steps: the same weights,
    losses and samples to 1e-5 (summation order); only rank 0 wrote files and reported."""
    csv, out = tmp_path / "w.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "24", "--length", "8", "--out", str(csv)]) == 0
    assert cli.main(["train", "--data", str(csv), "--out", str(out), "--steps", "4", *TINY]) == 0
    (out / "model.pt").unlink()
    resumed = _torchrun("--data", csv, "--out", out, "--steps", 6, "--resume", *TINY)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "in 2 processes" in resumed.stdout and resumed.stdout.count("trained lstm/mlp") == 1  # rank 0 alone reports
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".tsgan.lock")) == ["checkpoint.prev.pt", "checkpoint.pt", "config.toml", "losses.csv", "losses.png",
                                                     "model.pt", "samples.png"]
    assert torch.load(out / "checkpoint.prev.pt", weights_only=True)["trainer"]["step"] == 4
    two = tsgan.load(out, device="cpu")
    one = tsgan.GAN(loss="wgan-gp", hidden=8, noise_dim=4).fit(
        tsgan.load_dataset(str(csv)), steps=6, batch_size=8, seed=0, n_critic=2, device="cpu", progress=False)
    for part in ("generator_", "discriminator_", "sampler_"):
        a, b = getattr(one, part).state_dict(), getattr(two, part).state_dict()
        for k in a:
            torch.testing.assert_close(a[k], b[k], atol=1e-5, rtol=1e-4, msg=f"{part}{k}")
    assert [r["step"] for r in two.history_] == list(range(1, 7))
    for r1, r2 in zip(one.history_, two.history_):
        assert r1["d_loss"] == pytest.approx(r2["d_loss"], abs=1e-5) and r1["g_loss"] == pytest.approx(r2["g_loss"], abs=1e-5)
    torch.testing.assert_close(torch.from_numpy(one.sample(4, seed=0)), torch.from_numpy(two.sample(4, seed=0)), atol=1e-5, rtol=1e-4)


def test_batch_must_split_over_processes(monkeypatch):
    """A global batch that the processes cannot share evenly is refused with the fix."""
    from tsgan import distributed

    monkeypatch.setattr(distributed, "world_size", lambda: 3)
    with pytest.raises(tsgan.TsganError, match="multiple of 3"):
        distributed.check_batch(8)
