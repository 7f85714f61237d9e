"""tsgan.files: durable output files (temporary file, fsync, rename), no writes through symbolic links,
no silent clobbering, stray temporaries of killed processes cleaned up, output formats by suffix,
protected inputs, and one training run per folder (RunLock)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsgan
from tsgan import files, outputs, run_lock

FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=False, max_examples=60,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ROOT = Path(tsgan.__file__).resolve().parents[1]  # the checkout under test, for child processes
# Child processes import tsgan.files alone: the package's __init__ would import torch, seconds per process.
_LIGHT = f"import sys, types; _p = types.ModuleType('tsgan'); _p.__path__ = [{str(ROOT / 'tsgan')!r}]; sys.modules['tsgan'] = _p\n"


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]


def _one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert message and "\n" not in message, repr(message)
    return message


# -- durable_write ----------------------------------------------------------------------------------

NAMES = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="_-. "), min_size=1, max_size=20).filter(
    lambda n: n not in (".", "..") and not n.startswith(".") and n.strip() == n)


@FUZZ
@given(name=NAMES, content=st.binary(max_size=2000), existing=st.none() | st.binary(max_size=100), overwrite=st.booleans(),
       text=st.booleans())
def test_durable_write_writes_exactly_or_refuses(name, content, existing, overwrite, text):
    """Any name, content, existing file and overwrite flag: the file ends up with exactly the new bytes, or -
    an existing file without overwrite - the call is refused with a one-line error naming the file and
    --force, and the old bytes stay. No temporary file is ever left behind."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if existing is not None:
            path.write_bytes(existing)
        data = content.decode("latin-1") if text else content
        try:
            with files.durable_write(path, overwrite=overwrite, mode="w" if text else "wb", encoding="latin-1") as handle:
                handle.write(data)
        except tsgan.TsganError as exc:
            assert existing is not None and not overwrite
            assert str(path) in str(exc) and "--force" in str(exc) and "\n" not in str(exc)
            assert path.read_bytes() == existing
        else:
            assert existing is None or overwrite
            assert path.read_bytes() == content  # text mode with newline="": line ends exactly as written
        assert _leftovers(Path(folder)) == []


@FUZZ
@given(prefix=st.binary(min_size=0, max_size=500), existing=st.none() | st.binary(min_size=1, max_size=50),
       error=st.sampled_from([OSError("disk full"), KeyboardInterrupt(), RuntimeError("bug")]))
def test_error_while_writing_leaves_the_old_file_and_no_temporary(prefix, existing, error):
    """An exception in the middle of writing (a full disk, Ctrl-C, a bug in the writer): the target is as it
    was - absent, or the old bytes - and the temporary file is gone."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pt"
        if existing is not None:
            path.write_bytes(existing)
        with pytest.raises(tsgan.TsganError if isinstance(error, OSError) else type(error)):  # an OSError: named, with the path
            with files.durable_write(path, overwrite=True) as handle:
                handle.write(prefix)
                handle.flush()
                raise error
        assert (path.read_bytes() if path.exists() else None) == existing
        assert os.listdir(folder) == ([] if existing is None else ["model.pt"])


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_files_get_the_umask_permissions(tmp_path, umask, expected):
    """New files are 0o666 & ~umask, as `open` gives (mkstemp's 0600 made model files private while the
    rest of a run was not); a replaced file too."""
    old = os.umask(umask)
    try:
        files.write_bytes(tmp_path / "a.bin", b"1", overwrite=False)
        files.write_bytes(tmp_path / "a.bin", b"2", overwrite=True)
        files.durable_copy(tmp_path / "a.bin", tmp_path / "b.bin", overwrite=False)
    finally:
        os.umask(old)
    for name in ("a.bin", "b.bin"):
        assert (tmp_path / name).stat().st_mode & 0o777 == expected, name


@pytest.mark.parametrize("overwrite", [False, True])
def test_refuses_to_write_through_a_symbolic_link(tmp_path, overwrite, tsgan_error):
    """A link at the target (pointing at a file elsewhere, or nowhere) is refused; what it points at is untouched."""
    victim = tmp_path / "elsewhere" / "precious.txt"
    victim.parent.mkdir()
    victim.write_text("keep me")
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.pt").symlink_to(victim)
    (run / "dangling.csv").symlink_to(tmp_path / "missing.csv")
    for name in ("model.pt", "dangling.csv"):
        tsgan_error(lambda: files.write_bytes(run / name, b"evil", overwrite=overwrite), f"'{run / name}' is a symbolic link")
    assert victim.read_text() == "keep me" and not (tmp_path / "missing.csv").exists()
    assert _leftovers(tmp_path) == []


def test_refuses_a_symlinked_folder_inside_the_run_folder(tmp_path, tsgan_error):
    """Inside the run folder (``root``) no folder on the way may be a link; a link above it is the user's
    own layout (a run folder on another disk) and is followed."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = tmp_path / "run"
    run.mkdir()
    (run / "plots").symlink_to(elsewhere, target_is_directory=True)
    tsgan_error(lambda: files.write_bytes(run / "plots" / "a.png", b"x", overwrite=True, root=run), f"'{run / 'plots'}' is a symbolic link")
    assert list(elsewhere.iterdir()) == []
    linked_run = tmp_path / "linked-run"
    linked_run.symlink_to(run, target_is_directory=True)
    files.write_bytes(linked_run / "new" / "deeper" / "a.bin", b"x", overwrite=False, root=linked_run)  # creates the folders
    assert (run / "new" / "deeper" / "a.bin").read_bytes() == b"x"


def test_no_clobber_holds_against_a_file_that_appears_while_writing(tmp_path, tsgan_error):
    """overwrite=False is checked again, atomically, when the file is put in place: a file created by someone
    else while this one was being written survives and the write is refused."""
    path = tmp_path / "samples.csv"

    def write():
        with files.durable_write(path, overwrite=False) as handle:
            handle.write(b"ours")
            path.write_bytes(b"theirs")

    tsgan_error(write, str(path), "--force")
    assert path.read_bytes() == b"theirs" and _leftovers(tmp_path) == []


def test_refuses_a_folder_as_target(tmp_path, tsgan_error):
    (tmp_path / "out.csv").mkdir()
    tsgan_error(lambda: files.write_bytes(tmp_path / "out.csv", b"x", overwrite=True), "is a folder")


@pytest.mark.parametrize("links", [True, False])
def test_durable_copy(tmp_path, monkeypatch, links):
    """A durable copy is the same bytes, by a hard link or - on file systems without them - a byte copy."""
    source = tmp_path / "checkpoint.pt"
    source.write_bytes(os.urandom(10_000))
    if not links:
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(95, "Operation not supported")))
    files.durable_copy(source, tmp_path / "checkpoint.prev.pt", overwrite=True)
    assert (tmp_path / "checkpoint.prev.pt").read_bytes() == source.read_bytes()
    assert source.stat().st_nlink == (2 if links else 1)
    assert _leftovers(tmp_path) == []


def test_save_figure(tmp_path):
    """Pictures go through the same durable write, in the format of their suffix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    files.save_figure(fig, tmp_path / "a.png", dpi=20)
    files.save_figure(fig, tmp_path / "a.svg")
    plt.close(fig)
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "a.svg").read_bytes()[:500]


# -- stray temporaries --------------------------------------------------------------------------------

def _age(path: Path, seconds: float = 3600) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_remove_stray_temporaries_removes_only_old_unheld_tsgan_temporaries(tmp_path):
    """Old temporaries in tsgan's pattern go (this module's and atomic_save's older mkstemp names); anything
    else stays: other files, a fresh temporary (another process may have just begun it), a link, a
    temporary being written right now (its writer holds a lock on it), files in subfolders."""
    run = tmp_path
    stray = [run / files.temporary_name("checkpoint.pt"), run / files.temporary_name("samples.csv"), run / ".model.pt.ab_c12x9.tmp"]
    kept = [run / "model.pt", run / ".notes.tmp", run / ".samples.csv.tmp", run / "x.tsgan-0123abcd.tmp",
            run / ".losses.csv.abcdefgh.tmp"]  # mkstemp names were only ever for .pt files
    for path in stray + kept:
        path.write_bytes(b"x")
        _age(path)
    fresh = run / files.temporary_name("model.pt")
    fresh.write_bytes(b"x")
    target = tmp_path / "target.txt"
    target.write_text("not ours")
    _age(target)
    link = run / files.temporary_name("link.pt")
    link.symlink_to(target)
    _age(link)
    (run / "sub").mkdir()
    nested = run / "sub" / files.temporary_name("model.pt")
    nested.write_bytes(b"x")
    _age(nested)
    with files.durable_write(run / "losses.csv", overwrite=True) as handle:
        handle.write(b"being written")
        (writing,) = [p for p in run.iterdir() if p.name.startswith(".losses.csv.tsgan-")]
        _age(writing)
        removed = files.remove_stray_temporaries(run)
        assert writing.exists()
    assert sorted(removed) == sorted(stray)
    assert not any(p.exists() for p in stray)
    assert all(p.exists() for p in kept + [fresh, nested]) and link.is_symlink() and target.read_text() == "not ours"
    assert (run / "losses.csv").read_bytes() == b"being written"
    assert files.remove_stray_temporaries(run / "missing") == []


_CHILD_WRITER = _LIGHT + """
import time
from tsgan import files
with files.durable_write(sys.argv[1], overwrite=True) as handle:
    handle.write(b"half")
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def child(tmp_path_factory):
    """``child(code, *args)``: a Python process running ``code`` from a script file (so that its command line
    is short: the script and ``args``), its output piped."""

    def start(code: str, *args) -> subprocess.Popen:
        script = tmp_path_factory.mktemp("child") / "child.py"
        script.write_text(code)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
        return subprocess.Popen([sys.executable, str(script), *map(str, args)], env=env, cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    return start


def test_a_killed_writer_leaves_a_temporary_that_the_next_run_removes(tmp_path, child):
    """SIGKILL in the middle of a durable write leaves the target as it was and a temporary file, which a
    later process (a new training run) removes; until then the temporary is never taken for the file."""
    path = tmp_path / "model.pt"
    path.write_bytes(b"old model")
    writer = child(_CHILD_WRITER, path)
    try:
        assert writer.stdout.readline() == "writing\n", writer.stderr.read()
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
    finally:
        writer.kill()
    (temporary,) = [p for p in tmp_path.iterdir() if files.is_temporary(p.name)]
    assert path.read_bytes() == b"old model"
    later = subprocess.run([sys.executable, "-c", _LIGHT + "from tsgan import files; print(files.remove_stray_temporaries(sys.argv[1]))",
                            str(tmp_path)], env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert later.returncode == 0, later.stderr
    assert temporary.name in later.stdout and sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]


# -- output formats and protected files ------------------------------------------------------------

@FUZZ
@given(stem=NAMES, suffix=st.sampled_from(["", ".csv", ".parquet", ".CSV", ".Parquet", ".pt", ".txt", ".gz", ".csv.gz", ".xlsx"])
       | st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd")), max_size=6).map(lambda s: "." + s if s else ""))
def test_output_format_by_suffix(stem, suffix):
    """.csv and .parquet name their formats; every other suffix (or none) is a one-line error that says which
    suffixes to use - a file written as CSV under another name would not read back."""
    path = Path("out") / f"{stem}{suffix}"
    if path.suffix in (".csv", ".parquet"):
        assert outputs.output_format(path) == path.suffix[1:]
    else:
        with pytest.raises(tsgan.TsganError) as info:
            outputs.output_format(path)
        assert "use .csv or .parquet" in _one_line(info) and str(path) in str(info.value)


def test_output_format_hints_at_lower_case(tsgan_error):
    tsgan_error(lambda: outputs.output_format("s.CSV"), "lower case", "use .csv or .parquet")


def test_check_not_protected(tmp_path, trained_conditional, tsgan_error):
    """Samples may not replace the model they come from (by name, through a link or a hard link, or as the
    run folder's model / checkpoint), the data a run read, nor any tsgan model file, whatever its name."""
    _, model = trained_conditional
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.pt").write_bytes(model.read_bytes())
    data = tmp_path / "waves.csv"
    data.write_text("series_id,time,label,value\n")
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    (tmp_path / "model.csv").write_bytes(model.read_bytes())  # a model under a sample's name
    for path in (data, tmp_path / "link.csv", tmp_path / "hard.csv"):
        tsgan_error(lambda: outputs.check_not_protected(path, [data]), f"'{path}'", "which this command reads")
    tsgan_error(lambda: outputs.check_not_protected(run / "model.pt", [run]), "which this command reads")
    tsgan_error(lambda: outputs.check_not_protected(tmp_path / "model.csv", []), "is a tsgan model or checkpoint")
    other = tmp_path / "samples.csv"
    other.write_text("a,b\n")
    outputs.check_not_protected(other, [data, run, model])  # another existing file: --force decides
    outputs.check_not_protected(tmp_path / "new.csv", [data, run])  # nothing there yet
    assert data.read_text() == "series_id,time,label,value\n"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_frame(tmp_path, trained_conditional, suffix, tsgan_error):
    """A frame is written as pandas writes it (CSV byte for byte), reads back, and is never written over an
    existing file without overwrite, over the model it came from, or under an unknown suffix."""
    import pandas as pd

    gan, model = trained_conditional
    frame = gan.sample_frame(3, seed=0)
    path = tmp_path / f"samples{suffix}"
    outputs.write_frame(frame, path, overwrite=False, protected=[model])
    if suffix == ".csv":
        frame.to_csv(tmp_path / "pandas.csv", index=False)
        assert path.read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path), frame, check_dtype=False)
    tsgan_error(lambda: outputs.write_frame(frame, path, overwrite=False), "already exists", "--force")
    outputs.write_frame(frame.head(1), path, overwrite=True)
    assert len(pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)) == len(frame.head(1))
    tsgan_error(lambda: outputs.write_frame(frame, model, overwrite=True, protected=[model]), "use .csv or .parquet")
    copy = tmp_path / f"model{suffix}"
    copy.write_bytes(model.read_bytes())
    tsgan_error(lambda: outputs.write_frame(frame, copy, overwrite=True), "is a tsgan model or checkpoint")
    assert copy.read_bytes() == model.read_bytes() and _leftovers(tmp_path) == []


# -- one run per folder --------------------------------------------------------------------------------

_CHILD_HOLDER = _LIGHT + """
import time
from tsgan import run_lock
with run_lock.RunLock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""

_CHILD_TAKER = _LIGHT + """
from tsgan import run_lock
from tsgan.errors import TsganError
try:
    with run_lock.RunLock(sys.argv[1]):
        print("acquired")
except TsganError as exc:
    print(exc)
    sys.exit(2)
"""


def _try_from_another_process(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", _CHILD_TAKER, str(folder)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_second_run_is_refused_naming_the_holder_and_a_killed_holder_does_not_block(tmp_path, child, tsgan_error):
    """While one process trains in a folder, another is refused at once with an error that names the holder
    (pid and command line); once the holder is SIGKILLed - no cleanup runs - the OS has dropped its lock
    and a new run starts (the holder's stale sidecar is simply replaced)."""
    holder = child(_CHILD_HOLDER, tmp_path, "--marker-argument")
    try:
        assert holder.stdout.readline() == "held\n", holder.stderr.read()
        started = time.monotonic()
        message = tsgan_error(lambda: run_lock.RunLock(tmp_path).acquire(), f"'{tmp_path}'", f"process {holder.pid} ",
                              "--marker-argument", "--out")
        assert time.monotonic() - started < 5, "acquired without waiting"
        assert "another training run" in message
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    finally:
        holder.kill()
    assert (tmp_path / run_lock.OWNER_NAME).exists()  # a killed holder leaves its sidecar...
    with run_lock.RunLock(tmp_path) as lock:  # ...and no lock
        assert lock.holder()["pid"] == os.getpid()
        taken = _try_from_another_process(tmp_path)
        assert taken.returncode == 2 and f"process {os.getpid()} " in taken.stdout, taken
    assert _try_from_another_process(tmp_path).stdout == "acquired\n"


def test_lock_released_on_exception_and_reentrant(tmp_path):
    """The lock is released when the block ends by an exception; nested locks on one folder in one process
    (the CLI and GAN.fit) do not deadlock, and the folder stays locked until the outer one ends."""
    with pytest.raises(RuntimeError):
        with run_lock.RunLock(tmp_path):
            raise RuntimeError("training failed")
    assert _try_from_another_process(tmp_path).stdout == "acquired\n"
    with run_lock.RunLock(tmp_path):
        with run_lock.RunLock(tmp_path / "." / ""):  # the same folder by another spelling
            pass
        assert _try_from_another_process(tmp_path).returncode == 2
    assert _try_from_another_process(tmp_path).stdout == "acquired\n"
    assert not (tmp_path / run_lock.OWNER_NAME).exists()


def test_remove_stray_temporaries_spares_the_lock_files(tmp_path):
    """The lock and its sidecar are not temporaries."""
    with run_lock.RunLock(tmp_path):
        for path in tmp_path.iterdir():
            _age(path)
        assert files.remove_stray_temporaries(tmp_path) == []
        assert (tmp_path / run_lock.OWNER_NAME).exists()


def test_model_writes_are_durable_writes(tmp_path, monkeypatch, trained_conditional):
    """GAN.save (checkpoint.atomic_save) writes through durable_write, and the model reads back."""
    gan, _ = trained_conditional
    calls = []
    original = files.durable_write
    monkeypatch.setattr(files, "durable_write", lambda path, **kw: (calls.append((Path(path), kw)), original(path, **kw))[1])
    gan.save(tmp_path / "model.pt")
    assert calls == [(tmp_path / "model.pt", {"overwrite": True, "root": None})]
    assert np.array_equal(tsgan.load(tmp_path / "model.pt").sample(2, seed=0), gan.sample(2, seed=0))
    assert torch.load(tmp_path / "model.pt", weights_only=True)["format"] == "tsgan"
