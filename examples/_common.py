"""What the example scripts share: the command line every one of them takes, one CPU thread, and the
figures table (``figures.json`` with finite numbers, ``figures.md`` and the same table printed)."""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch


def parser(name: str, doc: str) -> argparse.ArgumentParser:
    """A parser with ``--out`` (default ``runs/examples/NAME``), ``--seed`` and ``--quick``; scripts add their own options."""
    first, _, rest = doc.strip().partition("\n")
    p = argparse.ArgumentParser(prog=f"{name}.py", description=first, epilog=rest.strip() or None,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("runs/examples") / name, help="output folder (default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed for training, sampling and the metrics (default 0)")
    p.add_argument("--quick", action="store_true", help="tiny settings that run in seconds (a smoke test, not a result)")
    return p


def model_options(p: argparse.ArgumentParser, generator: str, discriminator: str, steps: int) -> None:
    """``--generator``, ``--discriminator`` and ``--steps`` with this script's defaults."""
    import tsgan

    p.add_argument("--generator", default=generator, choices=list(tsgan.GENERATORS), help="default %(default)s")
    p.add_argument("--discriminator", default=discriminator, choices=list(tsgan.DISCRIMINATORS), help="default %(default)s")
    p.add_argument("--steps", type=int, default=steps, help="GAN training steps (default %(default)s)")


def start(args: argparse.Namespace) -> float:
    """One torch thread (small models on shared CPUs run fastest and steadiest so), the output folder made;
    returns the start time for :func:`write_figures`."""
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    return time.perf_counter()


def write_figures(out: Path, title: str, figures: dict[str, float], started: float, notes: list[str] = ()) -> dict[str, float]:
    """Write ``figures.json`` (name -> finite number, plus ``wall_seconds``) and ``figures.md`` (the table and
    ``notes``), print the table, and return the figures."""
    figures = {**figures, "wall_seconds": round(time.perf_counter() - started, 1)}
    for key, value in figures.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"figure '{key}' is {value!r}, not a finite number")
    (out / "figures.json").write_text(json.dumps(figures, indent=1) + "\n")
    rows = [f"| {key} | {value:.4g} |" if isinstance(value, float) else f"| {key} | {value} |" for key, value in figures.items()]
    table = "\n".join([f"# {title}", "", "| figure | value |", "|---|---|", *rows, "", *notes])
    (out / "figures.md").write_text(table + "\n")
    print(table)
    print(f"\nwrote {out}/")
    return figures
