"""Does the default `tsgan train` train without failing on every data set `tsgan data list` names? One short run each.

    python benchmarks/stability.py --steps 1000                    # the sets of at most 100 steps per sequence
    python benchmarks/stability.py --steps 1000 --all              # also the long ones (hours on a CPU)
    python benchmarks/stability.py --steps 300 --sets italy_power_demand lynx

Per set: `tsgan train --data sktime:NAME [--window W] --steps S --no-progress --out TMP` as a user runs it (the
forecasting series cut into windows of a quarter of their length, at most 24), then one Markdown row: the exit
code (0 trained, 3 the failure watch failed the run: its diagnosis; what the command said of the batch), the mean
d_loss and g_loss of the last 200 steps, the share of 256 generated values outside the training data's range (by
more than a tenth of it), and the wall time. A short run cannot prove a long one stable; it catches the failures
that show early (a discriminator that wins from the start, samples that leave the data - Sines' default run
failed both by step 310).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import tsgan
from tsgan.data.catalogue import SKTIME_SETS, load_dataset

LONG = 100  # steps per sequence above which a set is left out without --all (a step costs about T times more)


def window_of(name: str) -> int | None:
    """Forecasting series: windows of a quarter of the series, at most 24 steps (None for classification sets)."""
    loader, kind, _ = SKTIME_SETS[name]
    if kind != "forecasting":
        return None
    length = len(load_dataset(f"sktime:{name}", window=2).X) + 1  # windows of 2 at stride 1: the series' length - 1
    return max(4, min(24, length // 4))


def outside_share(run: Path, data) -> float:
    """The share of 256 generated values further outside the training data's range than a tenth of it."""
    X = np.asarray(data.X, dtype=float)
    low, high = np.nanmin(X, axis=(0, 1)), np.nanmax(X, axis=(0, 1))
    fake = np.asarray(tsgan.load(run / "model.pt").sample(256, seed=0), dtype=float)
    margin = 0.1 * (high - low)
    return float(np.nanmean((fake < low - margin) | (fake > high + margin)))


def row(name: str, window: int | None, data, steps: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        command = ["tsgan", "train", "--data", f"sktime:{name}", "--steps", str(steps), "--no-progress", "--out", str(run)]
        command += ["--window", str(window)] if window else []
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        said = [line for line in done.stderr.splitlines() if "training failed" in line or "batch" in line.lower()]
        if not (run / "model.pt").is_file():
            return f"| {name} | {window or '-'} | {done.returncode} | - | - | - | {round(seconds)} | {' '.join(said)[:160] or done.stderr[-160:]} |"
        losses = pd.read_csv(run / "losses.csv").tail(200)
        note = "; ".join(said)[:200]
        return (f"| {name} | {window or '-'} | {done.returncode} | {losses['d_loss'].mean():.3f} | "
                f"{losses['g_loss'].mean():.3f} | {outside_share(run, data):.1%} | {round(seconds)} | {note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--sets", nargs="+", default=sorted(SKTIME_SETS))
    parser.add_argument("--all", action="store_true", help=f"also the sets of more than {LONG} steps per sequence")
    args = parser.parse_args()
    print(f"default `tsgan train`, {args.steps} steps, torch one thread per run\n")
    print("| set | window | exit | d_loss (last 200) | g_loss (last 200) | far outside | s | what the command said |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.sets:
        window = window_of(name)
        data = load_dataset(f"sktime:{name}", window=window)
        if not args.all and data.X.shape[1] > LONG:
            print(f"| {name} | - | skipped: sequences longer than {LONG} steps (--all) | | | | | |", flush=True)
            continue
        print(row(name, window, data, args.steps), flush=True)


if __name__ == "__main__":
    sys.exit(main())
