"""Training survives crashes: a run killed with SIGKILL resumes from its last checkpoint and ends
where an uninterrupted run does; checkpoints are written atomically, the previous good one is kept
beside the newest, and a corrupt one is named and skipped; Ctrl-C stops at a step boundary; a NaN or
infinite loss stops training and keeps the last good checkpoint."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import tsgan
from tsgan import checkpoint, cli
from tsgan.training import Trainer

TINY = ["--hidden", "8", "--noise-dim", "4", "--batch-size", "8", "--seed", "0", "--no-progress"]


def _assert_same_model(a: tsgan.GAN, b: tsgan.GAN) -> None:
    """Bitwise equal generator, discriminator and sampling (weight-averaged) generator."""
    for part in ("generator_", "discriminator_", "sampler_"):
        sa, sb = getattr(a, part).state_dict(), getattr(b, part).state_dict()
        assert sa.keys() == sb.keys()
        for k in sa:
            assert torch.equal(sa[k].cpu(), sb[k].cpu()), f"{part}{k}"


def _step(path: Path) -> int:
    return int(torch.load(path, weights_only=True)["trainer"]["step"])


# -- a killed process resumes ---------------------------------------------------------------------

def test_sigkill_mid_run_resumes_to_the_uninterrupted_model(tmp_path):
    """`tsgan train` killed with SIGKILL mid-run leaves a good checkpoint; `--resume` continues from
    it and ends with bitwise the same weights as one run that was never interrupted."""
    csv, out = tmp_path / "waves.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "24", "--length", "10", "--out", str(csv)]) == 0
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # the same float results as this process (1 thread)
    proc = subprocess.Popen([sys.executable, "-m", "tsgan", "train", "--data", str(csv), "--out", str(out), "--steps", "1000000",
                             "--checkpoint-every", "4", *TINY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (out / "checkpoint.prev.pt").exists():  # at least two checkpoints written
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 60 s"
            time.sleep(0.05)
        time.sleep(0.2)  # somewhere in the middle of later steps (or of a checkpoint write)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    done = _step(out / "checkpoint.pt")
    # killed between keeping the previous checkpoint and writing the new one, both hold the same step
    assert done >= 8 and done % 4 == 0 and _step(out / "checkpoint.prev.pt") in (done - 4, done)
    target = done + 6
    assert cli.main(["train", "--data", str(csv), "--out", str(out), "--steps", str(target), "--checkpoint-every", "4",
                     "--resume", *TINY]) == 0
    resumed = tsgan.load(out / "model.pt", device="cpu")
    reference = tsgan.GAN(hidden=8, noise_dim=4).fit(
        tsgan.load_dataset(str(csv)), steps=target, batch_size=8, seed=0, device="cpu", progress=False)
    _assert_same_model(resumed, reference)
    assert [r["step"] for r in resumed.history_] == list(range(1, target + 1))
    assert resumed.history_ == reference.history_


@pytest.mark.parametrize("family, loss", [("mlp", "wgan-gp"), ("conv", "wgan"), ("lstm", "wgan-gp")])
def test_resume_matches_uninterrupted_each_family(tmp_path, waves_data, tiny_gan, train_options, family, loss):
    """Interrupted after 2 steps and resumed to 5 equals 5 steps in one go: batch norm statistics,
    weight clipping, the gradient penalty's random mixing and the weight average all resume exactly."""
    X, y = waves_data
    opts = {**train_options, "checkpoint_every": 2, "n_critic": 2}
    full = tiny_gan(family, family, loss).fit(X, y, out_dir=tmp_path / "full", **{**opts, "steps": 5})
    tiny_gan(family, family, loss).fit(X, y, out_dir=tmp_path / "part", **{**opts, "steps": 2})
    resumed = tiny_gan(family, family, loss).fit(X, y, out_dir=tmp_path / "part", resume=True, **{**opts, "steps": 5})
    _assert_same_model(full, resumed)
    assert resumed.history_ == full.history_


# -- atomic checkpoints, the previous one kept ------------------------------------------------------

def _train(gan, X, y, out, opts, steps, **kw):
    return gan.fit(X, y, out_dir=out, **{**opts, "steps": steps, "checkpoint_every": 2}, **kw)


def test_previous_checkpoint_kept(tmp_path, waves_data, tiny_gan, train_options):
    """Every write keeps the checkpoint before it as checkpoint.prev.pt; a fresh run removes another run's."""
    X, y = waves_data
    _train(tiny_gan(), X, y, tmp_path, train_options, 6)
    assert _step(tmp_path / "checkpoint.pt") == 6 and _step(tmp_path / "checkpoint.prev.pt") == 4
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    _train(tiny_gan(), X, y, tmp_path, train_options, 1)  # a new run in the same folder, not a resume
    assert _step(tmp_path / "checkpoint.pt") == 1 and not (tmp_path / "checkpoint.prev.pt").exists()


def _flip_tensor_byte(path: Path) -> None:
    """Corrupt one byte inside a tensor's stored data (torch.load alone would not notice)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        info = max(archive.infolist(), key=lambda i: i.file_size)  # the largest tensor record
    data = bytearray(path.read_bytes())
    header = 30 + len(info.filename.encode()) + int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    data[info.header_offset + header + info.file_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["truncated", "bit-flip", "missing"])
def test_corrupt_checkpoint_falls_back_to_previous(tmp_path, waves_data, tiny_gan, train_options, damage):
    """A truncated, bit-flipped or lost checkpoint.pt is named as such; resume warns and continues from
    checkpoint.prev.pt, which the next writes keep, and still ends at the uninterrupted model."""
    X, y = waves_data
    full = _train(tiny_gan(), X, y, tmp_path / "full", train_options, 8)
    run = tmp_path / "run"
    _train(tiny_gan(), X, y, run, train_options, 6)
    ckpt = run / "checkpoint.pt"
    if damage == "truncated":
        ckpt.write_bytes(ckpt.read_bytes()[: ckpt.stat().st_size // 2])
    elif damage == "bit-flip":
        _flip_tensor_byte(ckpt)
    else:
        ckpt.unlink()
    if damage != "missing":
        with pytest.raises(tsgan.TsganError, match="corrupt or truncated"):
            checkpoint.read(ckpt)
    with pytest.warns(UserWarning, match="previous checkpoint"):
        resumed = _train(tiny_gan(), X, y, run, train_options, 8, resume=True)
    _assert_same_model(full, resumed)
    assert _step(ckpt) == 8 and _step(run / "checkpoint.prev.pt") == 6  # the damaged file was never kept as "previous"


def test_both_checkpoints_corrupt(tmp_path, waves_data, tiny_gan, train_options):
    """With no good checkpoint left, resume names the corrupt file."""
    X, y = waves_data
    _train(tiny_gan(), X, y, tmp_path, train_options, 4)
    for name in ("checkpoint.pt", "checkpoint.prev.pt"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(tsgan.TsganError, match="checkpoint.pt' is corrupt"):
        _train(tiny_gan(), X, y, tmp_path, train_options, 6, resume=True)


def test_crash_while_keeping_previous(tmp_path, monkeypatch, waves_data, tiny_gan, train_options):
    """A crash while writing leaves both the newest and the previous checkpoint intact."""
    X, y = waves_data
    _train(tiny_gan(), X, y, tmp_path, train_options, 4)
    before = {n: (tmp_path / n).read_bytes() for n in ("checkpoint.pt", "checkpoint.prev.pt")}

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint.torch, "save", crash)
    with pytest.raises(tsgan.TsganError, match="checkpoint.pt.*disk full"):
        _train(tiny_gan(), X, y, tmp_path, train_options, 6, resume=True)
    assert _step(tmp_path / "checkpoint.pt") == 4
    assert (tmp_path / "checkpoint.prev.pt").read_bytes() == before["checkpoint.pt"]  # now prev = the last good one
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- Ctrl-C and divergence -------------------------------------------------------------------------

@pytest.fixture
def interactive_sigint():
    """Ctrl-C as an interactive session has it: a process started in the background (nohup, `cmd &`) inherits
    SIGINT ignored - and training then rightly leaves it ignored - so the test sets Python's default first."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("interactive_sigint")
def test_ctrl_c_mid_step_saves_a_whole_step(tmp_path, monkeypatch, waves_data, tiny_gan, train_options):
    """SIGINT in the middle of a step lets the step finish, saves it, then raises KeyboardInterrupt;
    resuming ends with the uninterrupted model."""
    X, y = waves_data
    opts = {**train_options, "checkpoint_every": 100}
    full = tiny_gan().fit(X, y, out_dir=tmp_path / "full", **{**opts, "steps": 6})
    original = Trainer._generator_step

    def interrupted(self, *args):
        if self.step == 2:  # after the critic's update of step 3, before the generator's
            # What Ctrl-C runs: the Python-level SIGINT handler, called directly (synchronous, unlike os.kill).
            handler = signal.getsignal(signal.SIGINT)
            assert type(getattr(handler, "__self__", None)).__name__ == "DeferredInterrupt", handler
            handler(signal.SIGINT, None)
        return original(self, *args)

    monkeypatch.setattr(Trainer, "_generator_step", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tiny_gan().fit(X, y, out_dir=tmp_path / "run", **{**opts, "steps": 6})
    monkeypatch.undo()
    assert _step(tmp_path / "run" / "checkpoint.pt") == 3
    resumed = tiny_gan().fit(X, y, out_dir=tmp_path / "run", resume=True, **{**opts, "steps": 6})
    _assert_same_model(full, resumed)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


@pytest.mark.parametrize("bad", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_cli_non_finite_loss_stops_and_keeps_checkpoint(tmp_path, monkeypatch, capsys, bad):
    """`tsgan train` stops at a NaN or infinite loss with one clear error line (exit 3, a failed run); the last good
    checkpoint stays, loads and resumes."""
    csv, out = tmp_path / "w.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "16", "--length", "8", "--out", str(csv)]) == 0
    original = Trainer._d_loss
    monkeypatch.setattr(Trainer, "_d_loss", lambda self, r, f: original(self, r, f) * (bad if self.step + 1 >= 5 else 1.0))
    args = ["train", "--data", str(csv), "--out", str(out), "--checkpoint-every", "2", *TINY]
    capsys.readouterr()
    assert cli.main([*args, "--steps", "8"]) == cli.FAILED_RUN
    assert capsys.readouterr().err.strip() == ("tsgan: error: training diverged: a loss became NaN or infinite at step 5; the last "
                                               "good checkpoint is kept - lower the learning rate, or try another loss (--loss)")
    assert _step(out / "checkpoint.pt") == 4 and not (out / "model.pt").exists()
    assert np.isfinite(tsgan.load(out / "checkpoint.pt").sample(3, seed=0)).all()
    monkeypatch.undo()
    assert cli.main([*args, "--steps", "6", "--resume"]) == 0
