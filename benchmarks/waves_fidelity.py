"""How well a model trained on the waves set follows its label and matches amplitude and frequency.

    tsgan train --out runs/waves && python benchmarks/waves_fidelity.py runs/waves

Samples 1,000 sequences (balanced over the labels), has a classifier fitted on real waves label
them (label fidelity), and compares per class the mean and spread of amplitude and frequency
(``tsgan.wave_properties``) with 1,000 fresh real waves, and how the starting phases spread
(``tsgan.phase_distance``: total variation between 8-arc histograms, 0 = alike; real against real of
another seed beside it for scale). Prints Markdown tables.
"""
import argparse

import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import FittedClassifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="run folder or model file")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gan = tsgan.load(args.model, device="cpu")
    length = gan.model_config_.length
    train_X, train_y = tsgan.make_waves(1000, length, seed=0)
    real_X, real_y = tsgan.make_waves(args.n, length, seed=12345)  # unseen real waves for reference
    clf = FittedClassifier(train_X, train_y, seed=0)
    labels = np.asarray(gan.classes_)[np.arange(args.n) % len(gan.classes_)]
    fake = gan.sample(args.n, labels, seed=args.seed)
    print(f"classifier accuracy on unseen real waves: {clf.accuracy(real_X, real_y):.3f}")
    print(f"label fidelity on {args.n} generated sequences: {clf.accuracy(fake, labels):.3f}\n")
    print("| class | fidelity | property | real mean | generated mean | error | real spread | generated spread | error |")
    print("|---|---|---|---|---|---|---|---|---|")
    for cls in gan.classes_:
        mine = labels == cls
        real_p, fake_p = tsgan.wave_properties(real_X[real_y == cls]), tsgan.wave_properties(fake[mine])
        fidelity = clf.accuracy(fake[mine], labels[mine])
        for prop in ("amplitude", "frequency"):
            r, f = real_p[prop], fake_p[prop]
            print(f"| {cls} | {fidelity:.3f} | {prop} | {r.mean():.3f} | {f.mean():.3f} | {f.mean() / r.mean() - 1:+.1%} "
                  f"| {r.std():.3f} | {f.std():.3f} | {f.std() / r.std() - 1:+.1%} |")
    other_X, other_y = tsgan.make_waves(args.n, length, seed=54321)
    print("\n| class | phase distance generated vs real | real vs real (another seed) | mean resultant length generated | real |")
    print("|---|---|---|---|---|")
    for cls in gan.classes_:
        real_phase = tsgan.wave_properties(real_X[real_y == cls])["phase"]
        fake_phase = tsgan.wave_properties(fake[labels == cls])["phase"]
        other_phase = tsgan.wave_properties(other_X[other_y == cls])["phase"]
        print(f"| {cls} | {tsgan.phase_distance(real_phase, fake_phase):.3f} | {tsgan.phase_distance(real_phase, other_phase):.3f} "
              f"| {abs(np.exp(1j * fake_phase).mean()):.3f} | {abs(np.exp(1j * real_phase).mean()):.3f} |")


if __name__ == "__main__":
    main()
