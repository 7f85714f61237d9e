"""Checkpoints under crashes: a kill at any file-system operation of any checkpoint write - the write right
after a resume that fell back to checkpoint.prev.pt included - leaves a good checkpoint to resume from;
model files get the run's permissions."""
from __future__ import annotations

import io
import os
import tempfile
import warnings
from pathlib import Path

import pytest
import torch

from tsgan import checkpoint


def _step(path: Path) -> int:
    return torch.load(path, weights_only=True)["trainer"]["step"]


# -- a kill at every point -------------------------------------------------------------------------

class Killed(BaseException):
    """The process died here (BaseException: no `except Exception` in the code under test catches it)."""


class Killer:
    """Counts the file-system operations that change a folder (and torch.save, which writes) and raises
    Killed at the n-th; after it every such operation raises too - a dead process changes nothing more,
    not even in its clean-up handlers."""

    OPERATIONS = ("replace", "rename", "link", "unlink", "remove")

    def __init__(self, monkeypatch, at: int):
        self.at, self.count, self.dead = at, 0, False
        for name in self.OPERATIONS:
            monkeypatch.setattr(os, name, self._wrap(getattr(os, name)))
        save = torch.save

        def torn_save(obj, handle, *args, **kwargs):
            buffer = io.BytesIO()
            save(obj, buffer, *args, **kwargs)
            self._tick(lambda: handle.write(buffer.getvalue()[: len(buffer.getvalue()) // 2]))  # dies half-way
            handle.write(buffer.getvalue())

        monkeypatch.setattr(checkpoint.torch, "save", torn_save)

    def _tick(self, before_death=lambda: None) -> None:
        if self.dead:
            raise Killed
        self.count += 1
        if self.count == self.at:
            before_death()
            self.dead = True
            raise Killed

    def _wrap(self, function):
        def operation(*args, **kwargs):
            self._tick()
            return function(*args, **kwargs)

        return operation


def _state(step: int) -> dict:
    return {"trainer": {"step": step}, "weights": torch.full((64,), float(step))}


def _prepare(folder: Path, scenario: str) -> tuple[bool, int | None]:
    """A run folder as a resume finds it; returns (keep_previous for the first write, as GAN.fit decides it:
    whether the checkpoint read was checkpoint.pt itself; the step a resume would continue from)."""
    ckpt = folder / "checkpoint.pt"
    if scenario == "fresh":
        return False, None
    checkpoint.save_checkpoint(_state(2), ckpt, keep_previous=False)
    checkpoint.save_checkpoint(_state(4), ckpt, keep_previous=True)  # checkpoint.pt step 4, .prev step 2
    if scenario == "resumed":
        return True, 4
    if scenario == "fell back (truncated)":
        ckpt.write_bytes(ckpt.read_bytes()[:100])
    else:  # "fell back (lost)"
        ckpt.unlink()
    return False, 2


def _resumable_step(folder: Path) -> int | None:
    """The step `tsgan train --resume` would continue from (None: nothing to resume)."""
    ckpt = folder / "checkpoint.pt"
    if not ckpt.exists() and not checkpoint.previous_path(ckpt).exists():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state, _ = checkpoint.read_checkpoint(ckpt)
    return state["trainer"]["step"]


@pytest.mark.parametrize("scenario", ["fresh", "resumed", "fell back (truncated)", "fell back (lost)"])
def test_a_kill_at_any_operation_leaves_a_resumable_checkpoint(monkeypatch, scenario):
    """Three checkpoint writes (steps 6, 8, 10) after each way a run can start; the process killed at the
    1st, 2nd, ... file-system operation until the writes complete. After every kill a resume finds a
    good checkpoint, no older than the last write that completed before the kill (the one the run
    resumed from, before the first). The old order - remove checkpoint.prev.pt, then write - lost
    everything when a resume that fell back to .prev was killed in its first write."""
    n = 0
    while True:
        n += 1
        with tempfile.TemporaryDirectory() as name, monkeypatch.context() as patch:
            folder = Path(name)
            keep_previous, floor = _prepare(folder, scenario)
            killer = Killer(patch, at=n)
            completed = floor
            try:
                for step in (6, 8, 10):
                    checkpoint.save_checkpoint(_state(step), folder / "checkpoint.pt", keep_previous=keep_previous)
                    keep_previous, completed = True, step
            except Killed:
                pass
            patch.undo()
            found = _resumable_step(folder)
            if completed is None:
                assert found in (None, 6), (n, found)  # killed before the first checkpoint of a new run was done
            else:
                assert found is not None and found >= completed, (scenario, n, found, completed)
            if not killer.dead:
                assert found == 10 and n > 5
                return


def test_kill_in_the_first_write_after_falling_back(tmp_path, monkeypatch, waves_data, tiny_gan, train_options):
    """The crash of the issue, through GAN.fit: checkpoint.pt corrupt, --resume falls back to
    checkpoint.prev.pt (step 4) and the process dies while writing its first checkpoint: step 4 is
    still there, and a second resume completes the run."""
    X, y = waves_data
    opts = {**train_options, "checkpoint_every": 2}
    tiny_gan().fit(X, y, out_dir=tmp_path, **{**opts, "steps": 6})
    ckpt = tmp_path / "checkpoint.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:1000])

    def killed(state, path, **kwargs):
        raise Killed

    monkeypatch.setattr(checkpoint, "atomic_save", killed)
    with pytest.warns(UserWarning, match="previous checkpoint"), pytest.raises(Killed):
        tiny_gan().fit(X, y, out_dir=tmp_path, resume=True, **{**opts, "steps": 8})
    monkeypatch.undo()
    assert _resumable_step(tmp_path) == 4
    with pytest.warns(UserWarning, match="previous checkpoint"):
        tiny_gan().fit(X, y, out_dir=tmp_path, resume=True, **{**opts, "steps": 8})
    assert _step(ckpt) == 8 and _step(checkpoint.previous_path(ckpt)) == 6


# -- permissions -----------------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_model_and_checkpoints_get_the_runs_permissions(tmp_path, waves_data, tiny_gan, train_options, umask):
    """model.pt, checkpoint.pt and checkpoint.prev.pt are created 0o666 & ~umask, like losses.csv beside
    them (they were 0600, mkstemp's mode, whatever the umask)."""
    X, y = waves_data
    old = os.umask(umask)
    try:
        gan = tiny_gan().fit(X, y, out_dir=tmp_path, **{**train_options, "steps": 4, "checkpoint_every": 2})
        gan.save(tmp_path / "model.pt")
        (tmp_path / "losses.csv").write_text("step\n")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(["checkpoint.pt", "checkpoint.prev.pt", "model.pt", "losses.csv"], 0o666 & ~umask)
