"""How the strict score moves with training steps, per data set: the measurements behind the default's steps.

    python benchmarks/steps_curve.py --data waves sktime:italy_power_demand --seeds 0 1 --steps 12000
    python benchmarks/steps_curve.py --data waves --at 500 1000 2000 --steps 2000 --model lstm/lstm:gan+noise_state=False
    python benchmarks/steps_curve.py --quick                 # seconds: checks the script, figures meaningless

One training run per data set and seed (quality.py's splits and model syntax; the default model unless ``--model``)
snapshots the sampling generator (the weight average) at each step of ``--at``. With constant learning rates (no
``lr_decay``) the snapshot at step k is the model a k-step run of the same seed ends with - the loop's streams do not
depend on the run's length -, so one run gives the whole curve. Each snapshot samples as many sequences as the
held-out set holds (its label mix, sample seed 5) and is scored by tsgan's strict discriminative score against the
held-out real data (classifier seed 0; about 0.02-0.04 of classifier noise on these sizes), label fidelity, and with
``--per-class`` the strict score within each class. With the validation judge on (``--model
lstm/mlp:gan+validate_every=500``) the snapshots are of the generator before its choice, and a first row "kept"
scores the model the run keeps (its ``best_step``). Prints one JSON line per data set, seed and snapshot; ``--cache
DIR`` keeps each run's lines, so a stopped benchmark resumes where it stopped.
"""
from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import discriminative_score, label_fidelity
from tsgan.objective.technique import sampling_generator

from quality import STOCKS_CSV, load_split, parse_model  # benchmarks/quality.py, beside this script

DEFAULT_AT = [500, 1000, 2000, 3000, 4000, 6000, 8000, 10000, 12000]


class Snapshots(tsgan.Callback):
    """Copies of the sampling generator's weights at the given steps (checked as losses are logged)."""

    def __init__(self, steps: list[int]) -> None:
        self.wanted, self.taken, self.seconds, self.start = set(steps), {}, {}, time.perf_counter()

    def on_log(self, trainer, records) -> None:
        if trainer.step in self.wanted and trainer.step not in self.taken:
            # the generator sampling would come from at this step, before a validation judge's choice of the best
            current = sampling_generator([t for t in trainer.techniques if t.name != "validation"], trainer.G)
            self.taken[trainer.step] = copy.deepcopy(current.state_dict())
            self.seconds[trainer.step] = time.perf_counter() - self.start


def score(split, fake: np.ndarray, quick: bool, per_class: bool) -> dict:
    """The strict score of one generated set (one sample per held-out sequence, its label), overall and (``per_class``)
    within each class of at least 10 held-out sequences."""
    budget = {"iterations": 20} if quick else {}
    figures = {"strict": discriminative_score(split.test, fake, protocol="tsgan", seed=0, **budget)}
    if split.test_y is not None:
        figures["label_fidelity"] = label_fidelity(split.train, split.train_y, fake, split.test_y, seed=0)
        for label in np.unique(split.test_y) if per_class else ():
            rows = split.test_y == label
            if rows.sum() >= 10:
                figures[f"strict_{label}"] = discriminative_score(split.test[rows], fake[rows], protocol="tsgan", seed=0, **budget)
    return {k: round(float(v), 3) for k, v in figures.items()}


def curve(split, model: str, steps: int, at: list[int], seed: int, quick: bool, per_class: bool) -> list[dict]:
    generator, discriminator, loss, options = parse_model(model)
    gan = tsgan.GAN(generator, discriminator, loss=loss, **options)
    snapshots = Snapshots([s for s in at if s <= steps])
    gan.fit(split.train, split.train_y, steps=steps, seed=seed, progress=False, device="cpu", log_every=10,
            callbacks=(snapshots,))
    rows = []
    if gan.technique("validation") is not None:  # the model the run keeps: the validation judge's best step
        kept = gan.sample(len(split.test), split.test_y, seed=5)
        rows.append({"step": "kept", "best_step": gan.best_step_, **score(split, kept, quick, per_class)})
    for step in sorted(snapshots.taken):
        gan.sampler_.load_state_dict(snapshots.taken[step])
        fake = gan.sample(len(split.test), split.test_y, seed=5)
        rows.append({"step": step, "train_s": round(snapshots.seconds[step]), **score(split, fake, quick, per_class)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["waves", "sines", "stocks", "sktime:italy_power_demand",
                                                      "sktime:basic_motions"])
    parser.add_argument("--model", default="lstm/mlp:gan", help="GENERATOR/DISCRIMINATOR:LOSS[+option=value,...] (default lstm/mlp:gan)")
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--at", type=int, nargs="+", default=DEFAULT_AT, help="steps to snapshot and score")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--stocks", type=Path, default=STOCKS_CSV)
    parser.add_argument("--cache", type=Path, help="keep each run's lines here (JSON) and reuse them when run again")
    parser.add_argument("--per-class", action="store_true", help="also the strict score within each class (labelled sets)")
    parser.add_argument("--quick", action="store_true", help="tiny data, 30 steps: checks the script runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    steps, at = (30, [10, 30]) if args.quick else (args.steps, args.at)
    if "lr_decay" in parse_model(args.model)[3]:
        raise SystemExit("a learning-rate schedule depends on the run's length: the snapshots would not be shorter runs' models")
    for name in args.data:
        split = load_split(name, args.stocks, args.quick)
        if split is None:
            continue
        for seed in args.seeds:
            key = f"{name}_{args.model}_steps{steps}_seed{seed}{'_per-class' if args.per_class else ''}{'_quick' if args.quick else ''}".replace("/", "-").replace(":", "-")
            path = args.cache / f"{key}.json" if args.cache else None
            if path is not None and path.is_file():
                rows = json.loads(path.read_text())
            else:
                rows = curve(split, args.model, steps, at, seed, args.quick, args.per_class)
                if path is not None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(rows))
            for row in rows:
                print(json.dumps({"data": name, "model": args.model, "seed": seed, **row}), flush=True)


if __name__ == "__main__":
    main()
