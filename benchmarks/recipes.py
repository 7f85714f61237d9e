"""RCGAN recipes on the waves set, judged strictly: the strict discriminative score, phase spread, label fidelity and
wave properties of the default model trained with a recipe's options, per training seed (the default: the lstm
generator with the noise state and an MLP critic; rows measured before 2026-12-02 in RECIPES.md were of the LSTM
pair from the zero state, ``--recipe discriminator=lstm,noise_state=False``).

    python benchmarks/recipes.py --seeds 0 1 2                                  # the default recipe
    python benchmarks/recipes.py --seeds 0 1 2 --recipe pack_size=2             # PacGAN packing
    python benchmarks/recipes.py --seeds 0 1 2 --recipe burn_in=10 --steps 4000
    python benchmarks/recipes.py --reference                                     # the real floor and the Gaussian baseline

Per seed: train ``tsgan.GAN(steps=..., seed=S, **recipe)`` on ``make_waves(1000, 30, seed=0)`` (as ``tsgan train``
does), sample one sequence per held-out wave (``make_waves(1000, 30, seed=1)``, its label mix, sample seed 5), then
print one JSON line: the strict discriminative score against the held-out waves (tsgan protocol, classifier seed 0;
0 best, real-vs-real about 0.04) and the same within each class (which class gives the samples away), the phase
distance of each class to the held-out one (``tsgan.phase_distance``; real-vs-real about 0.06), label fidelity,
and the relative error of each class's mean and spread of amplitude and frequency (``tsgan.wave_properties``),
with the training time (seconds, one thread).

``--reference`` prints, scored the same way, the two rows every recipe is read against: unseen real waves
(``make_waves(1000, 30, seed=2)``: the floor a perfect generator reaches) and the per-class Gaussian baseline
(``tsgan.GaussianBaseline`` of the training waves, sampled with the held-out labels, seed 5 - a model that does not
beat it has not learnt the waves).
"""
import argparse
import json
import time

import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import label_fidelity
from tsgan.evaluation.metrics.discriminative import discriminative_score

from quality import parse_options  # benchmarks/quality.py, beside this script


def judge(X, y, test, test_y, fake, fake_y=None) -> dict:
    """The figures of one generated set (one sample per held-out wave, with its label; ``fake_y``: other labels)."""
    fake_y = test_y if fake_y is None else fake_y
    saw, made_saw = np.asarray(test_y) == "sawtooth", np.asarray(fake_y) == "sawtooth"
    figures = {"strict": discriminative_score(test, fake, protocol="tsgan", seed=0),
               "label_fidelity": label_fidelity(X, y, fake, fake_y)}
    for name, rows, made_rows in (("sawtooth", saw, made_saw), ("sine", ~saw, ~made_saw)):
        real, made = tsgan.wave_properties(test[rows]), tsgan.wave_properties(fake[made_rows])
        figures[f"{name}_phase"] = tsgan.phase_distance(real["phase"], made["phase"])
        figures[f"{name}_strict"] = discriminative_score(test[rows], fake[made_rows], protocol="tsgan", seed=0)
        for key in ("amplitude", "frequency"):
            figures[f"{name}_{key}_mean_err"] = made[key].mean() / real[key].mean() - 1
            figures[f"{name}_{key}_spread_err"] = made[key].std() / real[key].std() - 1
    return {k: round(float(v), 3) for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="", help="options as tsgan.GAN takes them: key=value,key=value (default: none)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--reference", action="store_true", help="print the real floor's and the Gaussian baseline's rows")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = tsgan.make_waves(1000, 30, seed=0)
    test, test_y = tsgan.make_waves(1000, 30, seed=1)
    if args.reference:
        unseen = tsgan.make_waves(1000, 30, seed=2)
        gaussian = tsgan.GaussianBaseline().fit(X, y).sample(len(test_y), test_y, seed=5)
        for name, (fake, fake_y) in (("real data (unseen)", unseen), ("Gaussian baseline", gaussian)):
            print(json.dumps({"recipe": name, **judge(X, y, test, test_y, fake, fake_y)}), flush=True)
        return
    for seed in args.seeds:
        start = time.perf_counter()
        gan = tsgan.GAN(steps=args.steps, seed=seed, progress=False, **parse_options(args.recipe)).fit(X, y)
        seconds = time.perf_counter() - start
        fake = gan.sample(len(test_y), labels=test_y, seed=5)
        print(json.dumps({"recipe": args.recipe or "default", "seed": seed, "steps": args.steps,
                          **judge(X, y, test, test_y, fake), "train_s": round(seconds)}), flush=True)


if __name__ == "__main__":
    main()
