"""What differential privacy costs in quality: label fidelity, TSTR and memorisation on waves and sktime sets at
epsilon 1, 4, 8 and without privacy.

    python benchmarks/privacy.py --steps 12000 --seeds 0 1 2 --data waves sktime:italy_power_demand

Trains the default RCGAN (lstm/lstm, classic loss) per data set, setting and seed, with DP-SGD on the
discriminator (``dp_epsilon``, delta 1e-5; tsgan.objective.techniques.differential_privacy), the
non-private row first (a step count where even it is at chance says nothing about privacy). Data: ``waves``
is ``--n`` labelled waves, judged on 1,000 unseen ones; an ``sktime:NAME`` set is pooled and split 70/30 as in
benchmarks/quality.py. Then scores 1,000 class-balanced samples: label fidelity (a classifier fitted on the
real training set labels them), TSTR (a classifier trained on the samples, tested on the held-out real set;
TRTR beside it) and the memorisation ratio (``nearest_neighbour_ratio`` against the held-out set: about 1
fine, near 0 copying). Each private run's spent epsilon from the accountant is checked against the
requested one. Prints a Markdown table per run and one of means +- standard deviations over seeds.
"""
import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import FittedClassifier, classification_scores, nearest_neighbour_ratio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import STOCKS_CSV, Split, load_split  # noqa: E402  (a sibling script: the same sktime splits)

SAMPLES = 1000


def load(name: str, n: int) -> Split:
    """Training and held-out real data of ``name`` (fixed seeds: the same split every run)."""
    if name == "waves":
        (X, y), (Xt, yt) = tsgan.make_waves(n, 30, seed=0), tsgan.make_waves(1000, 30, seed=12345)
        return Split(name, X, y, Xt, yt)
    if not name.startswith("sktime:"):
        raise SystemExit(f"unknown data set '{name}': give waves or sktime:NAME (e.g. sktime:italy_power_demand)")
    return load_split(name, STOCKS_CSV, quick=False)


def run(split: Split, epsilon: float | None, seed: int, steps: int, clf: FittedClassifier) -> dict:
    """Train one model and score its samples."""
    start = time.time()
    options = {} if epsilon is None else {"dp_epsilon": epsilon}
    gan = tsgan.GAN().fit(split.train, split.train_y, steps=steps, seed=seed, progress=False, **options)
    labels = np.asarray(gan.classes_)[np.arange(SAMPLES) % len(gan.classes_)]
    fake = gan.sample(SAMPLES, labels, seed=seed + 100)
    scores = classification_scores(split.train, split.train_y, fake, labels, real_test=split.test,
                                   real_test_labels=split.test_y, seed=0)
    return {"spent": gan.privacy_, "fidelity": clf.accuracy(fake, labels), "tstr": scores.tstr, "trtr": scores.trtr,
            "memorisation": nearest_neighbour_ratio(split.train, split.test, fake), "seconds": time.time() - start}


def setting(epsilon: float | None) -> str:
    return "none" if epsilon is None else f"{epsilon:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--n", type=int, default=1000, help="training sequences of the waves set")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 4.0, 8.0])
    parser.add_argument("--data", nargs="+", default=["waves"], help="waves and/or sktime:NAME sets (default waves)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    print(f"{args.steps} steps per run\n")
    print("| data | epsilon | seed | spent epsilon | within budget | noise multiplier | label fidelity | TSTR | TRTR | "
          "memorisation ratio | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    results = {}
    for name in args.data:
        split = load(name, args.n)
        clf = FittedClassifier(split.train, split.train_y, seed=0)
        for epsilon in [None, *args.epsilons]:
            for seed in args.seeds:
                r = run(split, epsilon, seed, args.steps, clf)
                results.setdefault((name, setting(epsilon)), []).append(r)
                spent = r["spent"]
                budget = (f"{spent['epsilon']:.3f} | {'yes' if spent['epsilon'] <= epsilon else 'NO'} | "
                          f"{spent['noise_multiplier']:.3f}" if spent else "- | - | -")
                print(f"| {name} | {setting(epsilon)} | {seed} | {budget} | {r['fidelity']:.3f} | {r['tstr']:.3f} | "
                      f"{r['trtr']:.3f} | {r['memorisation']:.3f} | {r['seconds']:.0f} |", flush=True)
    print("\nMeans +- standard deviations over seeds:\n")
    print("| data | epsilon | seeds | label fidelity | TSTR | TRTR | memorisation ratio |")
    print("|---|---|---|---|---|---|---|")
    for (name, eps), rows in results.items():
        cells = [f"{np.mean([r[k] for r in rows]):.3f} +- {np.std([r[k] for r in rows]):.3f}"
                 for k in ("fidelity", "tstr", "trtr", "memorisation")]
        print(f"| {name} | {eps} | {len(rows)} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
