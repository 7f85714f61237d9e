"""The names of the live trackers (``logger=`` / ``--logger``) and how a setting of them reads: light, for the
training configuration to check them without importing a tracker (tsgan.training.tracking)."""
from __future__ import annotations

from ..errors import TsganError

LOGGERS = {"tensorboard": "tensorboard", "mlflow": "mlflow"}  # name: the tsgan extra that installs it


def logger_names(value) -> tuple[str, ...]:
    """``"tensorboard,mlflow"``, ``["tensorboard", "mlflow"]`` or ``None`` as a tuple of known names, each once
    (``"none"`` adds nothing: ``--logger none`` turns a resumed run's loggers off)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    try:
        items = list(items)
    except TypeError:
        items = [value]
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise TsganError(f"logger must be a name or names ({', '.join(LOGGERS)}), got {item!r}")
        for name in (part.strip().lower() for part in item.split(",")):
            if name in ("", "none") or name in names:
                continue
            if name not in LOGGERS:
                raise TsganError(f"unknown logger '{name}'; use {' or '.join(LOGGERS)} (repeat or comma-separate for both), or none")
            names.append(name)
    return tuple(names)
