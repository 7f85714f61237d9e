"""Atomic writes and validated reads of tsgan's single-file model / checkpoint format (state dicts, no pickled modules)."""
from __future__ import annotations

import pickle
import warnings
import zipfile
from pathlib import Path

import torch

from . import files, sizes
from .errors import TsganError
from .notices import TsganWarning

FORMAT = "tsgan"
VERSION = 2  # 2: techniques as plug-ins (tsgan.persistence.upgrade reads 1)


def atomic_save(state: dict, path: str | Path, *, root: str | Path | None = None) -> None:
    """Write ``state`` to ``path`` durably (:func:`tsgan.files.durable_write`: a temporary file in the same
    folder, fsynced, renamed into place, the folder fsynced), so a crash mid-write leaves the previous
    file intact. The file gets the permissions ``0o666 & ~umask``, like the rest of a run's files. A
    symbolic link at ``path`` (or, with ``root``, between ``root`` and ``path``) is refused."""
    with files.durable_write(path, overwrite=True, root=root) as handle:
        recording = _Recording(handle)
        try:
            torch.save({"format": FORMAT, "version": VERSION, **state}, recording)
        except RuntimeError:
            if recording.error is not None:  # torch reports a failed write (disk full) without its errno: raise that
                raise recording.error from None
            raise


class _Recording:
    """A file handle that keeps the OSError a write raised (torch.save turns it into a RuntimeError without it)."""

    def __init__(self, handle):
        self.handle, self.error = handle, None

    def write(self, data) -> int:
        try:
            return self.handle.write(data)
        except OSError as exc:
            self.error = exc
            raise

    def flush(self) -> None:
        self.handle.flush()


def previous_path(path: str | Path) -> Path:
    """Where the checkpoint before ``path`` is kept: ``checkpoint.pt`` -> ``checkpoint.prev.pt``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.prev{path.suffix}")


def save_checkpoint(state: dict, path: str | Path, *, keep_previous: bool) -> None:
    """Write a training checkpoint atomically, so that at every instant - a kill at any point of this
    function included - at least one complete checkpoint of the run is on disk.

    With ``keep_previous`` (the file at ``path`` is known to be good: this run wrote it or resumed
    from it), that file first becomes ``checkpoint.prev.pt`` (a hard link, or a copy, renamed into
    place), then the new one replaces it. Without it (a new run, whose ``.prev`` file may be another
    run's; or a resume that fell back to ``checkpoint.prev.pt`` because ``path`` was corrupt) the new
    checkpoint is written first and ``checkpoint.prev.pt`` removed only once it is durable: until then
    that file may be the one good checkpoint there is."""
    path, previous = Path(path), previous_path(path)
    if keep_previous and path.is_file() and not path.is_symlink():
        files.durable_copy(path, previous, overwrite=True)
    atomic_save(state, path)
    if not keep_previous and (previous.exists() or previous.is_symlink()):
        previous.unlink()
        files.sync_folder(path.parent)


def read_checkpoint(path: str | Path) -> tuple[dict, Path]:
    """Read the training checkpoint at ``path``; when it is missing, corrupt or truncated and
    ``checkpoint.prev.pt`` is good, warn and return that one. Returns ``(state, the file read)``."""
    path, previous = Path(path), previous_path(path)
    try:
        return read(path), path
    except TsganError as exc:
        if not previous.is_file():
            raise
        try:
            state = read(previous)
        except TsganError:
            raise exc from None
        warnings.warn(f"{exc}; resuming from the previous checkpoint '{previous}' (step {state.get('trainer', {}).get('step', '?')}) "
                      "instead", stacklevel=2)
        return state, previous


def read(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a tsgan file, with a clear error when it is missing, corrupt or not ours."""
    path = Path(path)
    folder = path.is_dir()
    if folder:
        path = path / "model.pt" if (path / "model.pt").is_file() or not (path / "checkpoint.pt").is_file() else path / "checkpoint.pt"
    if not path.is_file():
        raise TsganError(f"model file '{path}' does not exist; train one with `tsgan train --out DIR`")
    try:
        # torch.load does not check the zip records' CRC-32: a flipped bit in a tensor would load silently.
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                _check_unpacked_size(path, archive)
                if (bad := archive.testzip()) is not None:
                    raise ValueError(f"checksum mismatch in record '{bad.rsplit('/', 1)[-1]}'")
        state = torch.load(path, map_location=map_location, weights_only=True)
    except TsganError:
        raise
    except pickle.UnpicklingError as exc:
        if _refused_code(exc):  # not damage: the pickle asks to import or call something (never run)
            raise TsganError(f"'{path}' is not a tsgan model file (refused to run code it contains)") from None
        raise TsganError(f"model file '{path}' is corrupt or truncated ({_reason(exc)}); use an earlier checkpoint or retrain") from None
    except Exception as exc:
        raise TsganError(f"model file '{path}' is corrupt or truncated ({_reason(exc)}); use an earlier checkpoint or retrain") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise TsganError(f"'{path}' is not a tsgan model file")
    if state.get("version", 0) > VERSION:
        raise TsganError(f"'{path}' was written by a newer tsgan (format {state['version']}); upgrade tsgan to read it")
    step, steps = state.get("trainer", {}).get("step"), state.get("train_config", {}).get("steps")
    if folder and path.name == "checkpoint.pt" and step != steps:  # fit(out_dir=) leaves no model.pt: its checkpoint is the model
        warnings.warn(f"'{path.parent}' holds no model.pt: loading its checkpoint, the model at step {step} of {steps}",
                      TsganWarning, stacklevel=3)
    return state


def _check_unpacked_size(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose records would unpack to more than the memory tsgan may take (a few kilobytes of
    compressed zeros can claim gigabytes), before torch reads them."""
    unpacked = sum(info.file_size for info in archive.infolist())
    free = sizes.available_memory()
    if free is not None and unpacked > free * sizes.MEMORY_SHARE:
        raise TsganError(f"'{path}' would unpack to {unpacked} bytes, more than the memory available ({free} bytes): "
                         "not a model tsgan can read here - a damaged or crafted file, or one for a bigger machine")


# What torch's weights-only unpickler says when a pickle asks for a function or class outside its allowlist
# (torch/_weights_only_unpickler.py): a file made to run code, or pickled objects of some other program -
# either way not a tsgan file. Damaged bytes fail the zip checksum first, or as another UnpicklingError.
_REFUSALS = ("GLOBAL ", "reduce for unrecognized function", "Can only create new object", "whose module")


def _refused_code(exc: pickle.UnpicklingError) -> bool:
    return any(marker in str(exc) for marker in _REFUSALS)


def _reason(exc: Exception) -> str:
    """The first line of an error, without torch's advice to load with ``weights_only=False``."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    if text.startswith("Weights only load failed"):  # torch's own words follow its advice, after this marker
        text = text.partition("WeightsUnpickler error:")[2].strip() or "unreadable pickle"
    return text.splitlines()[0][:200]
