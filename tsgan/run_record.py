"""The config a run actually used, written to RUN/config.toml when its training starts (before the first step):
the data spec and reader options, model and loss, the techniques chosen, the variant and the training settings
(the seed among them), in the tables :mod:`tsgan.run_config` reads back, and a ``[provenance]`` table (versions,
command line, start time, the techniques as resolved) for the reader, ignored when read.

``tsgan train --config RUN/config.toml --out NEW`` repeats the run. The techniques are written as chosen (the
options given, and technique objects passed to ``GAN``), not the defaults a loss brings, so that a ``--loss``
given over the file brings that loss's own defaults, as on the command line; ``[provenance.techniques]`` shows
every technique that ran, with all its options. Settings left at ``None`` (a family's or a loss's default) are
left out: TOML has no null, and a missing key means the same default."""
from __future__ import annotations

import platform
import shlex
import sys
import tomllib
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

from . import distributed
from .cli_options import MODEL_OPTIONS
from .errors import TsganError
from .files import write_text
from .objective.composition import flat_options, split_options
from .objective.technique import make_technique
from .run_config import CONFIG_NAME, PROVENANCE, PYTHON_DATA
from .training.config import TrainConfig
from .training.loop import Callback


class RunConfigWriter(Callback):
    """Writes ``out_dir/config.toml`` when training starts (rank 0 alone under torchrun). ``data``: the data
    spec and reader options (``[data]``; default: trained on Python arrays), ``command_line``: the arguments
    of the command that trains (default: this process's)."""

    def __init__(self, gan, out_dir: str | Path, *, data: dict | None = None, command_line: list[str] | None = None):
        self.gan, self.path = gan, Path(out_dir) / CONFIG_NAME
        self.data, self.command_line = data, command_line

    def on_train_start(self, trainer) -> None:
        if distributed.is_main():
            check_replaceable(self.path)
            tables = {**run_tables(self.gan, trainer.cfg, self.data),
                      PROVENANCE: provenance(self.gan, trainer.step, self.command_line)}
            write_text(self.path, _toml(tables), overwrite=True, root=self.path.parent)


def check_replaceable(path: Path) -> None:
    """Refuse to replace a config.toml that tsgan did not write (a user's own config in the run folder)."""
    if not path.exists():
        return
    try:
        written = tomllib.loads(path.read_text(encoding="utf-8")).get(PROVENANCE)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        written = None
    ours = isinstance(written, dict) and "tsgan" in written
    if not ours:
        raise TsganError(f"'{path}' was not written by tsgan, and a run writes its own {CONFIG_NAME} there; "
                         "move that file elsewhere (and pass it with --config), or choose another --out")


def run_tables(gan, config: TrainConfig, data: dict | None) -> dict:
    """The tables ``tsgan train --config`` reads: what this run was given, with the training settings in full."""
    model = {name: getattr(gan, name) for name in (*MODEL_OPTIONS, "loss")}
    if model["noise_state"] is None:  # as this run resolved it: a replay keeps it should the default change
        model["noise_state"] = gan.model_config_.noise_state
    training = {f.name: getattr(config, f.name) for f in fields(TrainConfig) if f.metadata.get("cli", True)}
    variant = gan.variant_.config()
    tables = {"data": dict(data) if data else {"data": PYTHON_DATA}, "model": model, "training": training,
              "techniques": chosen_techniques(gan), "variant": variant if variant["name"] != "gan" else {}}
    return _without_empty(tables)


def chosen_techniques(gan) -> dict:
    """``{technique: {option: value}}``: the technique objects or specs passed to ``GAN`` (all their options)
    and the flat options given, as ``compose`` applies them (the flat ones last)."""
    flat = {}
    for spec in gan.techniques:
        flat.update({k: v for k, v in make_technique(spec).config().items() if k != "name"})
    flat.update(split_options(gan.options)[0])
    owners, tables = flat_options(), {}
    for name, value in flat.items():
        cls, field = owners[name]
        tables.setdefault(cls.name, {})[field.name] = value
    return tables


def provenance(gan, step: int, command_line: list[str] | None) -> dict:
    import torch

    import tsgan

    return _without_empty({
        "tsgan": tsgan.__version__, "torch": torch.__version__, "python": platform.python_version(),
        "command_line": shlex.join(command_line if command_line is not None else sys.argv),
        "started": datetime.now(timezone.utc).replace(microsecond=0), "started_at_step": step,
        "techniques": {t.name: {k: v for k, v in t.config().items() if k != "name"} for t in gan.techniques_ if not t.game},
    })


def _without_empty(value):
    """Drop None (TOML has no null: a missing key is the default) and empty tables; tuples become lists."""
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, (list, tuple)):
        return [_without_empty(v) for v in value]
    return value


def _toml(tables: dict) -> str:
    import tomli_w

    header = "# The config this run used (tsgan). Repeat the run: tsgan train --config THIS_FILE --out NEW_FOLDER\n"
    return header + tomli_w.dumps(tables)
