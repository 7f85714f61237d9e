"""What each training technique of Salimans et al. 2016 does, measured on waves, one row per technique.

    python benchmarks/techniques.py                       # every set-up, 3 seeds (about 25 min on one core)
    python benchmarks/techniques.py --quick               # seconds: checks the script, figures meaningless
    python benchmarks/techniques.py --write benchmarks/TECHNIQUES.md

Three set-ups, each trained per technique with the same seeds (one thread, CPU):

- *collapse-prone*: unlabelled waves, an LSTM generator (hidden 32, noise 8) whose learning rate is 25 times
  its MLP discriminator's (5e-3 / 2e-4), no weight averaging. Diversity is what the techniques against mode
  collapse are for: the spread (std) of generated frequencies and amplitudes and the per-step spread across
  samples, each relative to real waves' (1 = real; well below 1 = collapsed), beside the discriminative score
  (tsgan's classifier against held-out waves; 0 = indistinguishable, 0.5 = always told apart) and MMD.
- *shape-dropping*: unlabelled waves of 30 steps, a conv generator and discriminator (hidden 32, noise 8),
  tsgan's default learning rates, no weight averaging, 3000 steps: a plain set-up that drops a whole mode
  (most samples come out as sines).
- *conditional*: labelled waves, MLP generator and discriminator (hidden 64), tsgan's default learning rates,
  the weight average on. Adds label fidelity (a classifier trained on real waves labels the samples).

Every set-up also shows the *sawtooth share*: the share of samples that a classifier trained on the labelled
real waves calls sawtooth (real waves: 0.5; near 0 or 1, a shape is missing).

Virtual batch norm replaces the generator's batch norm, which the LSTM generator does not have: it is measured
in the conditional set-up only. Figures are means over ``--seeds`` (+- std where the spread matters).
The semi-supervised discriminator has its own benchmark (``benchmarks/semi_supervised.py``).
"""
from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import discriminative_score, label_fidelity, mmd
from tsgan.evaluation.metrics.classifiers import FittedClassifier
from tsgan.data.waves import wave_properties

# name -> (GAN options, fit options)
TECHNIQUES = {
    "none": ({}, {}),
    "minibatch discrimination (8 kernels)": ({"minibatch_kernels": 8}, {}),
    "feature matching (alone)": ({}, {"feature_matching": 1.0, "feature_matching_only": True}),
    "feature matching + adversarial": ({}, {"feature_matching": 1.0}),
    "historical averaging (G and D, 0.1)": ({}, {"historical_averaging_g": 0.1, "historical_averaging_d": 0.1}),
    "one-sided label smoothing (0.9)": ({}, {"real_target": 0.9}),
    "virtual batch norm (reference 64)": ({"virtual_batch_norm": 64}, {}),
}

SETUPS = {
    "collapse-prone": {"model": ("lstm", "mlp"), "size": {"hidden": 32, "noise_dim": 8}, "labelled": False,
                       "fit": {"lr_g": 5e-3, "lr_d": 2e-4, "ema_decay": 0}, "steps": 1500},
    "shape-dropping": {"model": ("conv", "conv"), "size": {"hidden": 32, "noise_dim": 8}, "labelled": False,
                       "fit": {"batch_size": 32, "ema_decay": 0}, "steps": 3000, "length": 30},
    "conditional": {"model": ("mlp", "mlp"), "size": {"hidden": 64}, "labelled": True, "fit": {}, "steps": 3000},
}


def spread_ratios(fake: np.ndarray, real: np.ndarray) -> dict[str, float]:
    f, r = wave_properties(fake), wave_properties(real)
    return {"freq. spread": f["frequency"].std() / r["frequency"].std(),
            "amp. spread": f["amplitude"].std() / r["amplitude"].std(),
            "step spread": fake.std(axis=0).mean() / real.std(axis=0).mean()}


def waves(n: int, length: int, quick: bool):
    """Training and held-out waves, and a classifier of their shapes trained on the training waves."""
    (X, y), held_out = tsgan.make_waves(n, length, seed=0), tsgan.make_waves(n // 2, length, seed=1)
    return (X, y), held_out, FittedClassifier(X, y, seed=0, steps=20 if quick else 400)


def run(setup: dict, options: tuple[dict, dict], data, seed: int, steps: int, quick: bool) -> dict[str, float]:
    (X, y), (Xt, yt), shapes = data
    labels = y if setup["labelled"] else None
    model, train = options
    start = time.perf_counter()
    gan = tsgan.GAN(*setup["model"], **setup["size"], **model)
    gan.fit(X, labels, steps=steps, seed=seed, device="cpu", progress=False, **{"batch_size": 64, **setup["fit"], **train})
    seconds = time.perf_counter() - start
    fake, fake_y = gan.sample(len(Xt), labels if labels is None else yt, seed=seed + 1, return_labels=True)
    budget = {"iterations": 20} if quick else {}
    row = {**spread_ratios(fake, Xt), "disc (tsgan)": discriminative_score(Xt, fake, seed=seed, **budget),
           "MMD": mmd(Xt, fake, seed=0), "sawtooth share": float(np.mean(shapes.predict(fake) == "sawtooth")),
           "train s": seconds}
    if setup["labelled"]:
        row["label fid."] = label_fidelity(X, y, fake, fake_y, seed=0)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setups", nargs="+", default=list(SETUPS), choices=list(SETUPS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="tiny data and 20 steps: checks the script runs")
    parser.add_argument("--write", type=Path, help="also write the tables, command and date to this Markdown file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    n = 128 if args.quick else 1000
    text = [f"tsgan training techniques benchmark, seeds {args.seeds}, torch {torch.__version__}, 1 thread"]
    print(text[0], flush=True)
    for name in args.setups:
        setup = SETUPS[name]
        steps = 20 if args.quick else setup["steps"]
        data = waves(n, setup.get("length", 24), args.quick)
        columns = ["freq. spread", "amp. spread", "step spread", "disc (tsgan)", "MMD", "sawtooth share"]
        columns += ["label fid."] if setup["labelled"] else []
        header = ["technique", *columns, "train s"]
        lines = [f"\n## {name} ({'/'.join(setup['model'])}, {steps} steps)\n",
                 "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        print("\n".join(lines), flush=True)
        for technique, options in TECHNIQUES.items():
            if "virtual_batch_norm" in options[0] and setup["model"][0] == "lstm":
                continue
            rows = [run(setup, options, data, seed, steps, args.quick) for seed in args.seeds]
            cells = [f"{np.mean([r[c] for r in rows]):.3f} +- {np.std([r[c] for r in rows]):.3f}" for c in columns]
            line = f"| {technique} | " + " | ".join(cells) + f" | {np.mean([r['train s'] for r in rows]):.0f} |"
            lines.append(line)
            print(line, flush=True)
        text += lines
    if args.write:
        command = "python " + " ".join(sys.argv)
        args.write.write_text(f"# Training techniques\n\nLatest run: {datetime.date.today()}, `{command}`.\n"
                              f"Set-ups and columns: see the docstring of `benchmarks/techniques.py`.\n" + "\n".join(text[1:]) + "\n")
        print(f"\nwrote {args.write}")


if __name__ == "__main__":
    main()
