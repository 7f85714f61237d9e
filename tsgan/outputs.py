"""What a command may write where: output formats by suffix, files that must survive (the model a command
reads, the data a run read, any tsgan model), and data tables written durably under those rules."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from .errors import TsganError
from .files import durable_write

OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet"}


def output_format(path: str | Path) -> str:
    """``"csv"`` or ``"parquet"``, from the suffix of the file ``path`` names; anything else is a TsganError
    (the readers pick the format by the same suffix, so a file written under another name would not
    read back)."""
    path = Path(path)
    try:
        return OUTPUT_FORMATS[path.suffix]
    except KeyError:
        suffix = f"'{path.suffix}'" if path.suffix else "no suffix"
        hint = f" (suffixes are lower case: '{path.suffix.lower()}')" if path.suffix.lower() in OUTPUT_FORMATS else ""
        raise TsganError(f"cannot tell the format of '{path}' from {suffix}{hint}; use .csv or .parquet") from None


def _is_torch_archive(path: Path) -> bool:
    """Whether ``path`` is a file in torch.save's zip format (every tsgan model and checkpoint is one)."""
    import zipfile

    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith("/data.pkl") or name == "data.pkl" for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def check_not_protected(path: str | Path, protected: Iterable[str | Path] = ()) -> None:
    """Refuse (TsganError) to write an output over a file that must survive: one of ``protected`` (the
    model a command reads, the data files a run read; a run folder stands for its model and checkpoints),
    the same file under another name (a link), or any tsgan model / checkpoint. Call it before writing
    samples or data; nothing to do where ``path`` does not exist yet."""
    path = Path(path)
    if not path.exists():
        return
    for entry in protected:
        entry = Path(entry)
        candidates = [entry / name for name in ("model.pt", "checkpoint.pt", "checkpoint.prev.pt")] if entry.is_dir() else [entry]
        for candidate in candidates:
            with contextlib.suppress(OSError):
                if candidate.exists() and os.path.samefile(path, candidate):
                    raise TsganError(f"'{path}' is '{entry}', which this command reads; write the output to another file")
    if path.is_file() and _is_torch_archive(path):
        raise TsganError(f"'{path}' is a tsgan model or checkpoint; write the output to another file")




def write_frame(frame, path: str | Path, *, overwrite: bool, protected: Iterable[str | Path] = (),
                root: str | Path | None = None) -> None:
    """Write a DataFrame (its index left out) to ``path`` as CSV or parquet, by the suffix
    (:func:`output_format`), durably; refused over a file in ``protected`` or a tsgan model
    (:func:`check_not_protected`), and over any existing file unless ``overwrite``."""
    kind = output_format(path)
    check_not_protected(path, protected)  # before the exists check: --force would not make this one right
    if kind == "parquet":
        with durable_write(path, overwrite=overwrite, root=root) as handle:
            frame.to_parquet(handle, index=False)
    else:  # text with newline="": pandas writes its own line ends, as to_csv(path) does
        with durable_write(path, overwrite=overwrite, mode="w", root=root) as handle:
            frame.to_csv(handle, index=False)
