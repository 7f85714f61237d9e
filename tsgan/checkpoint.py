"""Atomic writes and validated reads of tsgan's single-file model / checkpoint format (state dicts, no pickled modules)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

from .errors import TsganError

FORMAT = "tsgan"
VERSION = 1


def atomic_save(state: dict, path: str | Path) -> None:
    """Write ``state`` to ``path`` through a temporary file in the same folder and an atomic rename,
    so a crash mid-write leaves the previous file intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save({"format": FORMAT, "version": VERSION, **state}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a tsgan file, with a clear error when it is missing, corrupt or not ours."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.pt"
    if not path.is_file():
        raise TsganError(f"model file '{path}' does not exist; train one with `tsgan train --out DIR`")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise TsganError(f"model file '{path}' is corrupt or truncated ({reason}); use an earlier checkpoint or retrain") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise TsganError(f"'{path}' is not a tsgan model file")
    if state.get("version", 0) > VERSION:
        raise TsganError(f"'{path}' was written by a newer tsgan (format {state['version']}); upgrade tsgan to read it")
    return state
