"""Checkpoints under crashes and hostile files: a kill at any file-system operation of any checkpoint write -
the write right after a resume that fell back to checkpoint.prev.pt included - leaves a good checkpoint
to resume from; model files get the run's permissions; a pickle that asks to run code is named as such,
never run, and never answered with advice to load it with weights_only=False."""
from __future__ import annotations

import io
import os
import pickle
import re
import subprocess
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsgan
from tsgan import checkpoint, cli

FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=False, max_examples=80,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


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
    """model.pt, checkpoint.pt, checkpoint.prev.pt, config.toml and the run lock's file (which filelock leaves
    in place: removing it would race another process taking it) are created 0o666 & ~umask, like losses.csv
    beside them (they were 0600, mkstemp's mode, whatever the umask)."""
    X, y = waves_data
    old = os.umask(umask)
    try:
        gan = tiny_gan().fit(X, y, out_dir=tmp_path, **{**train_options, "steps": 4, "checkpoint_every": 2})
        gan.save(tmp_path / "model.pt")
        (tmp_path / "losses.csv").write_text("step\n")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(["checkpoint.pt", "checkpoint.prev.pt", "config.toml", "model.pt", "losses.csv", ".tsgan.lock"],
                                  0o666 & ~umask)


# -- files that ask to run code ---------------------------------------------------------------------

class SystemCall:
    """A pickle payload: unpickling runs ``os.system(command)`` (module os / posix: blocked by torch)."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


class SubprocessCall(SystemCall):
    """The same through subprocess (not blocked, only not allowed: torch's other refusal)."""

    def __reduce__(self):
        return subprocess.call, (["sh", "-c", self.command],)


def _malicious(path: Path, marker: Path, kind: str) -> None:
    command = f"touch {marker}"
    if kind == "torch.save, os.system":
        torch.save({"format": "tsgan", "version": 1, "generator": SystemCall(command)}, path)
    elif kind == "torch.save, subprocess":
        torch.save({"format": "tsgan", "version": 1, "generator": SubprocessCall(command)}, path)
    else:  # a plain pickle, not a zip: torch's legacy reader
        path.write_bytes(pickle.dumps(SystemCall(command), protocol=2))


KINDS = ["torch.save, os.system", "torch.save, subprocess", "pickle"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_pickle_that_runs_code_is_named_and_never_run(tmp_path, kind, tsgan_error):
    """The payload really would run (checked with pickle itself, into another marker), yet tsgan.load names
    the file as not a tsgan model that asks to run code - not as corrupt, and without torch's hint to load
    it with weights_only=False - and the command never runs."""
    armed = tmp_path / "armed"
    _malicious(tmp_path / "probe.pt", armed, kind)
    if kind == "pickle":
        pickle.loads((tmp_path / "probe.pt").read_bytes())
    else:
        torch.load(tmp_path / "probe.pt", weights_only=False)
    assert armed.exists()  # the control: the payload is live

    marker, path = tmp_path / "ran", tmp_path / "model.pt"
    _malicious(path, marker, kind)
    message = tsgan_error(lambda: tsgan.load(path), f"'{path}' is not a tsgan model file (refused to run code it contains)")
    assert "weights_only" not in message and "corrupt" not in message
    tsgan_error(lambda: checkpoint.read(path), "refused to run code")
    assert not marker.exists()


def test_the_command_line_refuses_a_malicious_model(tmp_path, capsys):
    """`tsgan sample evil.pt`: exit 2, the one-line error, no samples, the payload never ran."""
    marker, path = tmp_path / "ran", tmp_path / "evil.pt"
    _malicious(path, marker, "torch.save, os.system")
    assert cli.main(["sample", str(path), "--out", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused to run code it contains" in err and "weights_only" not in err
    assert not marker.exists() and not (tmp_path / "s.csv").exists()


def test_resume_from_a_malicious_checkpoint_falls_back(tmp_path, waves_data, tiny_gan, train_options):
    """A checkpoint.pt replaced by a payload is not resumed from; the warning names it, the run continues
    from checkpoint.prev.pt, and the payload never runs."""
    X, y = waves_data
    opts = {**train_options, "checkpoint_every": 2}
    tiny_gan().fit(X, y, out_dir=tmp_path, **{**opts, "steps": 4})
    marker = tmp_path.parent / f"{tmp_path.name}-ran"
    _malicious(tmp_path / "checkpoint.pt", marker, "torch.save, subprocess")
    with pytest.warns(UserWarning, match="refused to run code it contains.*previous checkpoint"):
        tiny_gan().fit(X, y, out_dir=tmp_path, resume=True, **{**opts, "steps": 6})
    assert _step(tmp_path / "checkpoint.pt") == 6 and not marker.exists()


def _with_pickle(template: bytes, data: bytes) -> bytes:
    """``template`` (a torch.save archive) with its pickle record replaced by ``data``; valid zip checksums,
    so only the unpickler can object."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename.endswith("/data.pkl") else source.read(info))
    return out.getvalue()


@pytest.fixture(scope="module")
def template() -> bytes:
    buffer = io.BytesIO()
    torch.save({"format": "tsgan", "version": 1, "history": [1, 2]}, buffer)
    return buffer.getvalue()


OPCODES = [b"c", b"\x93", b"R", b"b", b"\x81", b"(", b"t", b"}", b"]", b"s", b"u", b"K\x01", b"X\x01\x00\x00\x00a",
           b"\x80\x02", b".", b"q\x00", b"h\x00", b"N", b"os\nsystem\n", b"builtins\neval\n", b"\x8c\x02os", b"\x8c\x06system"]


@FUZZ
@given(data=st.lists(st.sampled_from(OPCODES) | st.binary(max_size=8), max_size=12).map(b"".join))
def test_any_pickle_is_read_refused_or_reported_corrupt_in_one_line(template, data):
    """Arbitrary pickle records (opcode soup, globals of os and builtins among them) in an archive whose
    checksums are right: tsgan.load reads a tsgan file, or refuses with one line - 'not a tsgan model
    file' or 'corrupt or truncated' - never with torch's weights_only=False advice, never another
    exception type."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pt"
        path.write_bytes(_with_pickle(template, data))
        try:
            checkpoint.read(path)
        except tsgan.TsganError as exc:
            message = str(exc)
            assert "\n" not in message and "weights_only" not in message, message
            assert "corrupt or truncated" in message or "is not a tsgan model file" in message, message


# -- dependency floors -------------------------------------------------------------------------------

def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text.split("+")[0])[:3])


def test_dependency_floors_exclude_known_code_execution_bugs():
    """Every requirement on torch, pyarrow and filelock in pyproject.toml (the extras included) has a floor
    past the fix: torch 2.6 (CVE-2025-32434: weights_only=True, which every read above relies on, could
    be bypassed), pyarrow 14.0.1 (CVE-2023-47248: reading a parquet file could run code), filelock 3.20.3
    (CVE-2025-68146, CVE-2026-22701: lock-file symlink races). And the torch running the tests is one."""
    import tomllib

    project = tomllib.loads((Path(tsgan.__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    floors = {"torch": (2, 6), "pyarrow": (14, 0, 1), "filelock": (3, 20, 3)}
    seen = set()
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower()
        if name in floors:
            seen.add(name)
            floor = re.search(r">=\s*([0-9.]+)", requirement)
            assert floor and _version(floor.group(1)) >= floors[name], requirement
    assert seen == set(floors)
    assert _version(torch.__version__) >= floors["torch"]
