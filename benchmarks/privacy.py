"""What differential privacy costs in quality: label fidelity and TSTR on the waves set at epsilon 1, 4, 8 and
without privacy.

    python benchmarks/privacy.py --steps 12000 --seeds 0 1 2

Trains the default RCGAN (lstm/lstm, classic loss) on ``--n`` labelled waves per setting and seed, with
DP-SGD on the discriminator (``dp_epsilon``, delta 1e-5; tsgan.objective.techniques.differential_privacy),
then scores 1,000 balanced samples: label fidelity (a classifier fitted on real waves labels them) and TSTR
(a classifier trained on the samples, tested on unseen real waves; TRTR beside it). Also prints each private
run's spent epsilon from the accountant. Prints a Markdown table.
"""
import argparse
import time
import warnings

import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import FittedClassifier, classification_scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--n", type=int, default=1000, help="training sequences")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 4.0, 8.0])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    X, y = tsgan.make_waves(args.n, 30, seed=0)
    real_X, real_y = tsgan.make_waves(1000, 30, seed=12345)
    clf = FittedClassifier(X, y, seed=0)
    print("| epsilon | seed | spent epsilon | noise multiplier | label fidelity | TSTR | TRTR | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for epsilon in [*args.epsilons, None]:
        for seed in args.seeds:
            start = time.time()
            options = {} if epsilon is None else {"dp_epsilon": epsilon}
            gan = tsgan.GAN().fit(X, y, steps=args.steps, seed=seed, progress=False, **options)
            labels = np.asarray(gan.classes_)[np.arange(1000) % len(gan.classes_)]
            fake = gan.sample(1000, labels, seed=seed + 100)
            scores = classification_scores(X, y, fake, labels, real_test=real_X, real_test_labels=real_y, seed=0)
            spent = gan.privacy_
            budget = f"{spent['epsilon']:.3f} | {spent['noise_multiplier']:.3f}" if spent else "- | -"
            print(f"| {'none' if epsilon is None else f'{epsilon:g}'} | {seed} | {budget} | {clf.accuracy(fake, labels):.3f} | "
                  f"{scores.tstr:.3f} | {scores.trtr:.3f} | {time.time() - start:.0f} |", flush=True)

if __name__ == "__main__":
    main()
