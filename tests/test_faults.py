"""The fault and bad-input suite (issue 15): a table of cases - bad command-line options and values, bad arrays
and frames in Python, corrupt, truncated and crafted files, kills and concurrency, overwrite and symlink safety,
full or unwritable disks, huge sizes, label clashes - plus hypothesis-drawn ones where inputs vary. Each case's
outcome is classified: a clean error (one line, exit 2 at the command line, naming what it must), a correct run
(its check holds), or a failure: a traceback, a hang, a loss (a file that had to survive changed or went), a
silent run (one that should have been refused, or whose result is wrong), a misleading error (not naming what
it must). A test fails on any failure. ``python tests/test_faults.py`` runs them all and prints the counts.

Kept fast: the command line runs in-process (``tsgan.cli.main``), the few trainings are a couple of steps of
tiny networks, and a subprocess appears only where a real other process is the point (holding a run's lock)."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsgan
from tsgan import files, sizes
from tsgan.cli import main
from tsgan.data import read_table
from tsgan.run_lock import LOCK_NAME, OWNER_NAME

OUTCOMES = ("clean error", "correct run", "traceback", "hang", "loss", "silent", "misleading")
GOOD = {"clean error", "correct run"}
RESULTS: Counter = Counter()  # every classified outcome of this process, for the counts table
HANG_AFTER_S = 30
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=False, max_examples=15,
                suppress_health_check=list(HealthCheck))
TINY = ["--steps", "2", "--batch-size", "8", "--hidden", "4", "--noise-dim", "2", "--checkpoint-every", "1",
        "--no-progress", "--seed", "0"]


class Hang(BaseException):
    """Raised in a case that ran past HANG_AFTER_S."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    def expire(*_):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@dataclass
class Case:
    """``action(world)`` does one thing a user might (a ``cli(...)`` call returns the exit code); ``expect`` the
    acceptable outcomes; ``says`` words a clean error must hold; ``check(world, result)`` whether a run's result
    is right; ``keep(world)`` the files that must come out byte for byte as they went in."""

    category: str
    name: str
    action: Callable
    expect: set = field(default_factory=lambda: {"clean error"})
    says: tuple = ()
    check: Callable | None = None
    keep: Callable = lambda world: [world.model, world.data]


class CLI:
    """The command line in-process: its exit code, with its stderr kept for classifying."""

    stderr = ""

    def __call__(self, *argv) -> int:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main([str(a) for a in argv])
            except SystemExit as exc:  # argparse: usage and one error line, exit 2
                code = exc.code
        CLI.stderr = err.getvalue()
        return code


cli = CLI()


def classify(case: Case, world) -> tuple[str, str]:
    """The outcome of ``case`` in ``world`` and the message (or result) it gave."""
    kept = {p: _digest(p) for p in case.keep(world)}
    CLI.stderr = ""
    message, kind, result = "", None, None
    try:
        with _time_limit(HANG_AFTER_S), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            result = case.action(world)
    except Hang:
        return "hang", ""
    except tsgan.TsganError as exc:
        message = str(exc)
        kind = "clean error" if message and "\n" not in message else "traceback"
    except BaseException as exc:  # anything else escaping is what a user would see as a traceback
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    if kind is None and isinstance(result, int) and not isinstance(result, bool):  # an exit code
        lines = CLI.stderr.strip().splitlines()
        message = lines[-1] if lines else ""
        if result == 0:
            kind = "correct run"
        elif result == 2 and (len(lines) == 1 and message.startswith("tsgan: error: ")  # or argparse's usage, then one error line
                              or lines and lines[0].startswith("usage:") and message.startswith("tsgan") and ": error: " in message):
            kind = "clean error"
        else:
            return "traceback", CLI.stderr[-300:]
    kind = kind or "correct run"
    if any(_digest(p) != digest for p, digest in kept.items()):
        return "loss", message
    if kind == "correct run" and ("correct run" not in case.expect or (case.check and not case.check(world, result))):
        return "silent", repr(result)[:200]
    if kind == "clean error" and (len(message) > 500 or any(word not in message for word in case.says)):
        return "misleading", message
    return kind, message


def record(case: Case, world) -> str:
    outcome, message = classify(case, world)
    RESULTS[outcome] += 1
    assert outcome in GOOD and outcome in case.expect, (case.category, case.name, outcome, message)
    return message


# -- the world a case runs in: a trained run, its data, its model ----------------------------------------------

class World:
    """A scratch folder holding ``data.csv`` (16 labelled waves of 8 steps), a trained run ``run/`` (model and
    checkpoints) and ``out/`` for outputs; each case gets a fresh copy."""

    def __init__(self, root: Path):
        self.root = root
        self.data, self.run, self.out = root / "data.csv", root / "run", root / "out"
        self.model = self.run / "model.pt"

    def gan(self) -> tsgan.GAN:
        return tsgan.load(self.model)


def _make_world(root: Path) -> World:
    world = World(root)
    assert cli("data", "waves", "--n", 16, "--length", 8, "--out", world.data) == 0, CLI.stderr
    # the LSTM critic: no weight depends on the length, so a crafted length reaches the sampling memory check
    gan = tsgan.GAN(discriminator="lstm", hidden=4, noise_dim=2).fit(read_table(world.data), out_dir=world.run, steps=2, batch_size=8,
                                               checkpoint_every=1, seed=0, progress=False)  # as tsgan train, without pictures
    gan.save(world.model)
    return world


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    torch.set_num_threads(1)
    return _make_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def world(template, tmp_path):
    shutil.copytree(template.root, tmp_path / "w")
    return World(tmp_path / "w")


def _state(world) -> dict:
    return torch.load(world.model, weights_only=True)


def _crafted(world, **model_config) -> Path:
    """A copy of the model whose configuration says ``model_config`` (its weights unchanged)."""
    state = _state(world)
    state["model_config"].update(model_config)
    path = world.root / "crafted.pt"
    torch.save(state, path)
    return path


def _full_disk_after(limit: int):
    """``os.fdopen`` as tsgan.files calls it, with handles whose writes fail with ENOSPC once ``limit`` bytes
    are written: a disk filling up in the middle of a file."""
    real = os.fdopen

    class Filling:
        def __init__(self, handle):
            self._handle, self._written = handle, 0

        def write(self, data):
            self._written += len(data)
            if self._written > limit:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self._handle.write(data)

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._handle.__exit__(*exc)

    return lambda fd, *args, **kwargs: Filling(real(fd, *args, **kwargs))


@contextlib.contextmanager
def _patched(target, name, value):
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)


def _denied(folder: Path, code: int):
    """``os.open`` refusing (errno ``code``) every path in ``folder``: an unwritable or read-only folder."""
    real = os.open

    def refusing(path, *args, **kwargs):
        if str(path).startswith(str(folder)):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, *args, **kwargs)

    return _patched(os, "open", refusing)


def _with_a_file_in_the_way(world) -> Path:
    (world.root / "afile").write_text("x")
    return world.root / "afile" / "out"


def _holding_lock_in_another_process(folder: Path):
    """A real other process holding ``folder``'s run lock (the OS lock on ``.tsgan.lock`` and the owner file, as
    tsgan.run_lock takes them; without importing torch, which would take seconds) until its stdin closes."""
    folder.mkdir(parents=True, exist_ok=True)
    code = textwrap.dedent(f"""
        import json, os, sys
        from filelock import FileLock
        lock = FileLock({str(folder / LOCK_NAME)!r}, timeout=0, thread_local=False)
        lock.acquire()  # held while `lock` lives (filelock releases it when the object goes)
        with open({str(folder / OWNER_NAME)!r}, "w") as owner:
            json.dump({{"pid": os.getpid(), "command": "tsgan train (another run)"}}, owner)
        print("held", flush=True)
        sys.stdin.read()
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def _fit_while_held(world):
    child = _holding_lock_in_another_process(world.out)
    try:
        X, y = tsgan.make_waves(16, 8, seed=0)
        tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(X, y, out_dir=world.out, steps=1, batch_size=8, progress=False)
    finally:
        child.stdin.close()
        child.wait(10)


def _fit_after_a_killed_holder(world):
    child = _holding_lock_in_another_process(world.out)
    child.kill()
    child.wait(10)
    stray = world.out / files.temporary_name("checkpoint.pt")
    stray.write_bytes(b"half a checkpoint")
    os.utime(stray, (0, 0))  # older than this process: a killed run's
    X, y = tsgan.make_waves(16, 8, seed=0)
    tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(X, y, out_dir=world.out, steps=1, batch_size=8, progress=False)
    return not stray.exists() and tsgan.load(world.out / "checkpoint.pt").sample(1).shape == (1, 8, 1)


def _enospc_mid_training(world):
    """The disk fills up at the second checkpoint of a fit: a clear error, the first checkpoint intact."""
    X, y = tsgan.make_waves(16, 8, seed=0)
    gan = tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2)
    gan.fit(X, y, out_dir=world.out, steps=1, batch_size=8, checkpoint_every=1, progress=False)
    world.kept = {"checkpoint.pt": _digest(world.out / "checkpoint.pt")}
    with _patched(os, "fdopen", _full_disk_after(1000)):
        tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(X, y, out_dir=world.out, resume=True, steps=2, batch_size=8,
                                                          checkpoint_every=1, progress=False)


def _labels_frame(labels, kind: str) -> pd.DataFrame:
    n = len(labels)
    return pd.DataFrame({"series_id": np.repeat(np.arange(n), 4), "time": np.tile(np.arange(4), n),
                         "label": np.repeat(np.asarray(labels, dtype=object), 4), "v": np.arange(4 * n, dtype=float)})


def _fit_tiny(X, y=None, **kwargs):
    return tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(X, y, steps=1, batch_size=2, progress=False, **kwargs)


def _integer_labels_round_trip(_):
    frame = _labels_frame([5, 9, 5, 9], "long").astype({"label": "int64"})
    out = _fit_tiny(tsgan.from_long(frame)).sample_frame(6, seed=0)
    return out["label"].dtype == np.int64 and set(out["label"]) <= {5, 9}


def _text_labels_that_look_like_numbers_stay_text(_):
    out = _fit_tiny(tsgan.from_long(_labels_frame(["1", "01", "1", "01"], "long"))).sample_frame(8, seed=0)
    return out["label"].map(type).eq(str).all() and set(out["label"]) <= {"1", "01"}


class Payload:
    """Pickled as a call of ``os.system`` that would create ``path``."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return os.system, (f"touch {self.path}",)


X4 = np.random.default_rng(0).random((4, 6, 1))
MIXED = [1, "1", 1, "1"]

CASES = [
    # -- bad command-line options and values (each refused before any data are read or any training starts)
    *[Case("options", f"train {opt} {value}", lambda w, o=opt, v=value: cli("train", "--out", w.out, o, v, "--data", w.data),
           says=(opt.lstrip("-").split("-")[0],))
      for opt, value in [("--checkpoint-every", 0), ("--log-every", 0), ("--n-critic", -1), ("--n-critic", 0),
                         ("--hidden", -4), ("--hidden", 0), ("--noise-dim", 0), ("--layers", 0), ("--lr-g", -0.1),
                         ("--ema-decay", 1.5), ("--minibatch-kernels", -2), ("--seed", 2**64), ("--steps", -1),
                         ("--batch-size", 0), ("--lr-d", "nan")]],
    Case("options", "data waves --seed -1", lambda w: cli("data", "waves", "--seed", -1, "--out", w.out / "x.csv"), says=("seed",)),
    Case("options", "data waves --noise -1", lambda w: cli("data", "waves", "--noise", -1, "--out", w.out / "x.csv"), says=("noise",)),
    Case("options", "data waves --amplitude 0 inf", lambda w: cli("data", "waves", "--amplitude", 0, "inf", "--out", w.out / "x.csv"),
         says=("amplitude",)),
    Case("options", "data waves --n 0", lambda w: cli("data", "waves", "--n", 0, "--out", w.out / "x.csv")),
    Case("options", "sample --n -1", lambda w: cli("sample", w.run, "--n", -1, "--out", w.out / "s.csv")),
    Case("options", "sample --out s.txt", lambda w: cli("sample", w.run, "--out", w.out / "s.txt"), says=(".csv",)),
    Case("options", "sample --label unknown", lambda w: cli("sample", w.run, "--label", "cosine", "--out", w.out / "s.csv"),
         says=("cosine",)),
    Case("options", "sample --device cuda:9", lambda w: cli("sample", w.run, "--device", "cuda:9", "--out", w.out / "s.csv")),
    Case("options", "train --data missing.csv", lambda w: cli("train", "--data", w.root / "missing.csv", "--out", w.out),
         says=("missing.csv",)),
    Case("options", "unknown command", lambda w: cli("fly")),
    # -- bad arrays and frames in Python
    Case("arrays", "NaN in X", lambda w: _fit_tiny(np.full((4, 6, 1), np.nan)), says=("NaN",)),
    Case("arrays", "X of text", lambda w: _fit_tiny(np.array([["a"] * 6] * 4))),
    Case("arrays", "X of 4 dimensions", lambda w: _fit_tiny(np.zeros((2, 2, 2, 2)))),
    Case("arrays", "one label for four sequences", lambda w: _fit_tiny(X4, ["a"])),
    Case("arrays", "None among labels", lambda w: _fit_tiny(X4, ["a", None, "b", "a"])),
    Case("arrays", "frame without a time column", lambda w: _fit_tiny(_labels_frame(["a", "b"], "long").drop(columns="time")),
         says=("time",)),
    Case("arrays", "sample(-1)", lambda w: w.gan().sample(-1)),
    Case("arrays", "sample('3')", lambda w: w.gan().sample("3")),
    Case("arrays", "sample(labels=unknown)", lambda w: w.gan().sample(2, labels="cosine"), says=("cosine",)),
    Case("arrays", "generate(noise of text)", lambda w: w.gan().generate([["a"]], labels="sine")),
    Case("arrays", "sample before fit", lambda w: tsgan.GAN().sample(2)),
    # -- corrupt, truncated and crafted files
    Case("files", "truncated model", lambda w: (w.model.write_bytes(w.model.read_bytes()[:2000]), w.gan()),
         says=("corrupt",), keep=lambda w: [w.data]),
    Case("files", "empty model", lambda w: (w.model.write_bytes(b""), w.gan()), keep=lambda w: [w.data]),
    Case("files", "pickle that runs code", lambda w: (torch.save({"format": "tsgan", "x": Payload(w.root / "ran")}, w.root / "evil.pt"),
                                                      tsgan.load(w.root / "evil.pt")), says=("refused to run code",),
         keep=lambda w: [w.model, w.data, w.root / "ran"]),  # "ran" must stay absent
    Case("files", "not a tsgan file", lambda w: (torch.save({"a": torch.zeros(2)}, w.root / "other.pt"),
                                                 tsgan.load(w.root / "other.pt")), says=("not a tsgan model",)),
    Case("files", "config hidden=10**6", lambda w: tsgan.load(_crafted(w, hidden=10**6)), says=("hidden=1000000",)),
    Case("files", "config layers=10**5", lambda w: tsgan.load(_crafted(w, layers=10**5)), says=("layers=100000",)),
    Case("files", "config hidden one too many", lambda w: tsgan.load(_crafted(w, hidden=5)), says=("does not match",)),
    Case("files", "config n_classes=7", lambda w: tsgan.load(_crafted(w, n_classes=7))),
    Case("files", "config length=10**9, then sample(1)", lambda w: tsgan.load(_crafted(w, length=10**9)).sample(1),
         says=("memory",)),
    Case("files", "CSV cut mid-row", lambda w: (w.data.write_text(w.data.read_text()[:-7]),
                                                cli("train", "--data", w.data, "--out", w.out, *TINY))[-1],
         expect={"clean error", "correct run"}, keep=lambda w: [w.model]),
    Case("files", "CSV with a 1 MB cell", lambda w: (w.data.write_text(w.data.read_text().replace("sine", "x" * 2**20, 1)),
                                                     cli("train", "--data", w.data, "--out", w.out, *TINY))[-1],
         keep=lambda w: [w.model]),
    Case("files", "CSV of binary noise", lambda w: (w.data.write_bytes(os.urandom(3000)), cli("train", "--data", w.data, "--out", w.out))[-1],
         keep=lambda w: [w.model]),
    # -- kills and concurrency
    Case("concurrency", "fit into a folder another process trains in", _fit_while_held, says=("process", "(tsgan train (another run))")),
    Case("concurrency", "train into a folder another process trains in",
         lambda w: (lambda child: (cli("train", "--data", w.data, "--out", w.out, *TINY), child.stdin.close(), child.wait(10))[0])(
             _holding_lock_in_another_process(w.out)), says=("process", "(tsgan train (another run))")),
    Case("concurrency", "fit after the holder was killed (its temporary removed)", _fit_after_a_killed_holder,
         expect={"correct run"}, check=lambda w, ok: ok),
    Case("concurrency", "train into a running run without --resume", lambda w: cli("train", "--data", w.data, "--out", w.run, *TINY),
         says=("--resume",)),
    # -- overwrite and symlink safety
    Case("overwrite", "sample over the model", lambda w: cli("sample", w.run, "--out", w.model, "--force")),
    Case("overwrite", "sample --force over a CSV: replaced, as asked", lambda w: cli("sample", w.run, "--out", w.data, "--force"),
         expect={"correct run"}, check=lambda w, code: len(pd.read_csv(w.data)) == 100 * 8, keep=lambda w: [w.model]),
    Case("overwrite", "sample over an existing file", lambda w: cli("sample", w.run, "--out", w.data), says=("--force",)),
    Case("overwrite", "data waves over the data", lambda w: cli("data", "waves", "--out", w.data), says=("--force",)),
    Case("overwrite", "data waves through a symlink", lambda w: (os.symlink(w.data, w.root / "link.csv"),
                                                               cli("data", "waves", "--out", w.root / "link.csv", "--force"))[-1],
         says=("symbolic link",)),
    Case("overwrite", "train over a model without checkpoint",
         lambda w: ((w.run / "checkpoint.pt").unlink(), (w.run / "checkpoint.prev.pt").unlink(missing_ok=True),
                    cli("train", "--data", w.data, "--out", w.run, *TINY))[-1], says=("--force",)),
    # -- full, unwritable and odd disks
    Case("disk", "train --out under a file", lambda w: cli("train", "--out", _with_a_file_in_the_way(w), "--data", w.root / "missing.csv"),
         says=("afile", "not a folder")),  # --out is named, not the missing data: it is checked first
    Case("disk", "evaluate --out under a file", lambda w: cli("evaluate", w.run, "--data", w.data, "--out", _with_a_file_in_the_way(w))),
    Case("disk", "train --out permission denied", lambda w: _patched_cli(_denied(w.out, errno.EACCES), "train", "--out", w.out,
                                                                         "--data", w.root / "missing.csv"), says=("out", "chmod")),
    Case("disk", "train --out read-only", lambda w: _patched_cli(_denied(w.out, errno.EROFS), "train", "--out", w.out,
                                                                 "--data", w.root / "missing.csv"), says=("writable file system",)),
    Case("disk", "evaluate --out read-only", lambda w: _patched_cli(_denied(w.out, errno.EROFS), "evaluate", w.run, "--data", w.data,
                                                                    "--out", w.out), says=("writable file system",)),
    Case("disk", "disk full writing data waves --force", lambda w: _patched_cli(
        _patched(os, "fdopen", _full_disk_after(100)), "data", "waves", "--out", w.data, "--force"), says=("data.csv", "free space")),
    Case("disk", "disk full writing samples", lambda w: _patched_cli(
        _patched(os, "fdopen", _full_disk_after(100)), "sample", w.run, "--out", w.out / "s.csv"), says=("s.csv", "free space")),
    Case("disk", "disk full saving a model", lambda w: _patched_call(_patched(os, "fdopen", _full_disk_after(1000)),
                                                                     lambda: w.gan().save(w.model)), says=("model.pt",)),
    # -- huge sizes
    Case("sizes", "sample(10**12)", lambda w: w.gan().sample(10**12), says=("memory", "at a time")),
    Case("sizes", "sample_frame(10**10)", lambda w: w.gan().sample_frame(10**10), says=("memory",)),
    Case("sizes", "sample_noise(10**12)", lambda w: w.gan().sample_noise(10**12), says=("memory",)),
    Case("sizes", "tsgan sample --n 10**12", lambda w: cli("sample", w.run, "--n", 10**12, "--out", w.out / "s.csv"),
         says=("--n",)),
    Case("sizes", "a model that unpacks beyond memory", lambda w: _patched_call(_patched(sizes, "available_memory", lambda: 1000),
                                                                              w.gan), says=("unpack",)),
    Case("sizes", "sample within memory", lambda w: w.gan().sample(3, seed=0), expect={"correct run"},
         check=lambda w, X: X.shape == (3, 8, 1) and np.isfinite(X).all()),
    # -- label clashes: 1 and "1" never merge into one class
    Case("labels", "list [1, '1']", lambda w: _fit_tiny(X4, MIXED), says=("mix types",)),
    Case("labels", "object array [1, '1']", lambda w: _fit_tiny(X4, np.array(MIXED, dtype=object)), says=("mix types",)),
    Case("labels", "pandas Series [1, '1']", lambda w: _fit_tiny(X4, pd.Series(MIXED)), says=("mix types",)),
    Case("labels", "[1, 1.0]", lambda w: _fit_tiny(X4, [1, 1.0, 2, 2]), says=("mix types",)),
    Case("labels", "[True, 'True']", lambda w: _fit_tiny(X4, [True, "True", True, "True"]), says=("mix types",)),
    Case("labels", "long frame [1, '1']", lambda w: tsgan.from_long(_labels_frame(MIXED, "long")), says=("mixes types",)),
    Case("labels", "wide frame [1, '1']", lambda w: tsgan.from_wide(_labels_frame(MIXED, "wide")), says=("mixes types",)),
    Case("labels", "sktime numpy3D y [1, '1']", lambda w: tsgan.from_sktime(np.zeros((4, 1, 5)), MIXED), says=("mix types",)),
    Case("labels", "sktime pd-multiindex y [1, '1']",
         lambda w: tsgan.from_sktime(_labels_frame(MIXED, "long").set_index(["series_id", "time"])[["v"]],
                                     np.array(MIXED, dtype=object)), says=("mix types",)),
    Case("labels", "to_long labels [1, '1']", lambda w: tsgan.to_long(X4, MIXED), says=("mix types",)),
    Case("labels", "integer labels come back as integers", _integer_labels_round_trip, expect={"correct run"},
         check=lambda w, ok: ok),
    Case("labels", "text labels '1' and '01' stay text", _text_labels_that_look_like_numbers_stay_text, expect={"correct run"},
         check=lambda w, ok: ok),
]


def _patched_cli(patch, *argv) -> int:
    with patch:
        return cli(*argv)


def _patched_call(patch, call):
    with patch:
        return call()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}: {c.name}" for c in CASES])
def test_case(case, world):
    record(case, world)


def test_previous_files_survive_a_full_disk(world):
    """After the disk filled up at the second checkpoint, the first is there, byte for byte, and resumes."""
    record(Case("disk", "disk full at the second checkpoint", _enospc_mid_training, says=("checkpoint.pt", "free space")), world)
    assert _digest(world.out / "checkpoint.pt") == world.kept["checkpoint.pt"]
    assert not [p for p in world.out.iterdir() if files.is_temporary(p.name)]
    X, y = tsgan.make_waves(16, 8, seed=0)
    gan = tsgan.GAN("mlp", "mlp", hidden=4, noise_dim=2).fit(X, y, out_dir=world.out, resume=True, steps=2, batch_size=8,
                                                              progress=False)
    assert gan.train_config_.steps == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="as root, chmod does not stop writes")
def test_a_really_unwritable_out_is_refused_before_data_are_read(world):
    world.out.mkdir()
    world.out.chmod(0o500)
    try:
        message = record(Case("disk", "chmod 500 --out", lambda w: cli("train", "--out", w.out, "--data", w.root / "missing.csv"),
                              says=("out", "Permission denied")), world)
        assert "missing.csv" not in message
    finally:
        world.out.chmod(0o700)


# -- drawn inputs: option values, labels and table cells ---------------------------------------------------------

NUMERIC_OPTIONS = ["--steps", "--batch-size", "--hidden", "--noise-dim", "--layers", "--lr-g", "--n-critic", "--seed",
                   "--checkpoint-every", "--log-every", "--ema-decay", "--minibatch-kernels", "--static-noise", "--threads"]
VALUES = st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(alphabet="0123456789.-+eEinfa x", max_size=8))


@FUZZ
@given(option=st.sampled_from(NUMERIC_OPTIONS), value=VALUES)
def test_drawn_option_values(template, option, value):
    """Any value of any numeric option: refused in one line, or taken - and then the run stops at the data it
    cannot find (never a traceback, never a start on the real data)."""
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder))
        record(Case("options", f"{option} {value!r}", lambda w: cli("train", option, str(value), "--out", w.out,
                                                                  "--data", w.root / "missing.csv"), keep=lambda w: []), world)


LABEL_VALUES = st.one_of(st.integers(-3, 3), st.sampled_from(["a", "1", "01", "-1", "True"]), st.booleans(),
                         st.sampled_from([1.0, 0.5]))


@FUZZ
@given(labels=st.lists(LABEL_VALUES, min_size=4, max_size=4))
def test_drawn_labels(labels):
    """Labels of one type train and come back as those values; labels mixing types are refused in one line."""
    kinds = {sizes_kind(v) for v in labels}

    def fit_and_sample(_):
        gan = _fit_tiny(X4, labels)
        _, names = gan.sample(6, seed=0, return_labels=True)
        return gan, names

    def right(_, result):
        gan, names = result
        return set(gan.classes_) == {str(v) for v in labels} and set(names) <= set(gan.classes_)

    expect = {"clean error"} if len(kinds) > 1 or len(set(map(str, labels))) < 2 else {"correct run"}
    with tempfile.TemporaryDirectory() as folder:
        record(Case("labels", f"labels {labels!r}", fit_and_sample, expect=expect, check=right, keep=lambda w: []),
               World(Path(folder)))


def sizes_kind(value) -> str:
    return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else type(value).__name__


@FUZZ
@given(n=st.integers(0, 10**15))
def test_drawn_sample_sizes(template, n):
    """Any count: sampled when it fits the memory, else refused before anything is allocated (memory here is
    said to be 10 MB, so that the machine's own size does not decide)."""
    gan = template.gan()
    fits = sizes.sample_bytes(gan, n, 4096)[0] <= 10e6 * sizes.MEMORY_SHARE

    def draw(_):
        with _patched(sizes, "available_memory", lambda: int(10e6)):
            return gan.sample(n, seed=0)

    with tempfile.TemporaryDirectory() as folder:
        record(Case("sizes", f"sample({n})", draw, expect={"correct run"} if fits else {"clean error"},
                    check=lambda w, X: X.shape == (n, 8, 1), keep=lambda w: []), World(Path(folder)))


def counts_table() -> str:
    total = sum(RESULTS.values())
    header = ["cases", *OUTCOMES]
    row = [total, *(RESULTS[o] for o in OUTCOMES)]
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header), "| " + " | ".join(map(str, row)) + " |"])


if __name__ == "__main__":  # python tests/test_faults.py: every case, then the counts table
    torch.set_num_threads(1)
    code = pytest.main([__file__, "-q", "-p", "no:cacheprovider"])
    tested = next(m for name, m in sys.modules.items() if name.endswith("test_faults") and name != "__main__")
    print(tested.counts_table())
    sys.exit(code)
