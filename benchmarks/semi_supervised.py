"""Semi-supervised discriminator against a classifier of the same size trained on the labels alone.

    python benchmarks/semi_supervised.py --seeds 0 1 2 3 4 --steps 3000 --write benchmarks/SEMI_SUPERVISED.md

For each seed: 1,000 waves, ``--labels`` of each class keep their labels, the others are unlabelled;
``tsgan.GAN(..., semi_supervised=True)`` trains through the one training loop (feature matching for
the generator, Salimans et al. 2016); a classifier of the same architecture (the same discriminator
built from the same configuration, its K class logits) trains on the labelled sequences alone with
the same optimiser, learning rate, batch size and number of steps. Both label 500 held-out waves
(another seed). Prints (and with ``--write`` writes) a Markdown table.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import tsgan
from tsgan.objective.techniques.semi_supervised import class_loss
from tsgan.nn import build

WAVES = {"length": 24, "frequency": (1.0, 3.0), "amplitude": (0.5, 0.9)}


def supervised_baseline(gan: tsgan.GAN, X: np.ndarray, y: np.ndarray, *, steps: int, lr: float, batch_size: int,
                        seed: int):
    """A classifier with ``gan``'s discriminator architecture (fresh weights), trained on ``(X, y)`` alone
    with Adam at ``lr`` (betas as the classic loss's); returns a function labelling sequences."""
    torch.manual_seed(seed)
    _, D = build(gan.model_config_, gan.techniques_)  # the same architecture, the semi-supervised head included
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    x = torch.from_numpy(gan.scaler_.transform(X))
    target = torch.tensor([gan.classes_.index(str(v)) for v in y])
    rng = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(len(x), (batch_size,), generator=rng)
        loss = class_loss(D.class_logits(x[idx]), target[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()

    @torch.no_grad()
    def classify(sequences: np.ndarray) -> np.ndarray:
        logits = D.class_logits(torch.from_numpy(gan.scaler_.transform(sequences)))
        logits = logits.mean(dim=1) if logits.dim() == 3 else logits
        return np.asarray(gan.classes_)[logits.argmax(dim=1).numpy()]

    return classify


def compare(seed: int = 0, *, labels_seed: int | None = None, labels: int = 10, n: int = 1000, steps: int = 3000,
            lr: float = 6e-4, batch_size: int = 32, hidden: int = 32, noise_dim: int = 16, generator: str = "mlp",
            discriminator: str = "conv", waves: dict | None = None) -> dict:
    """Accuracies on held-out waves of the semi-supervised discriminator and of the supervised baseline;
    ``seed`` seeds training, ``labels_seed`` (default ``seed``) the choice of labelled sequences."""
    waves = WAVES if waves is None else waves
    X, y = tsgan.make_waves(n, seed=0, **waves)
    X_test, y_test = tsgan.make_waves(500, seed=1, **waves)
    rng = np.random.default_rng(seed if labels_seed is None else labels_seed)
    classes = waves.get("classes", ("sine", "sawtooth"))
    labelled = np.concatenate([rng.choice(np.flatnonzero(y == c), labels, replace=False) for c in classes])
    unlabelled = np.setdiff1d(np.arange(n), labelled)
    start = time.perf_counter()
    gan = tsgan.GAN(generator, discriminator, hidden=hidden, noise_dim=noise_dim, semi_supervised=True)
    gan.fit(X[labelled], y[labelled], unlabelled=X[unlabelled], steps=steps, batch_size=batch_size, seed=seed, lr_d=lr,
            lr_g=lr, ema_decay=0, feature_matching=1.0, feature_matching_only=True, progress=False, device="cpu")
    seconds = time.perf_counter() - start
    baseline = supervised_baseline(gan, X[labelled], y[labelled], steps=steps, lr=lr, batch_size=batch_size, seed=seed)
    return {"seed": seed, "labels_seed": seed if labels_seed is None else labels_seed, "semi_supervised": float((gan.classify(X_test) == y_test).mean()),
            "supervised": float((baseline(X_test) == y_test).mean()), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--labels", type=int, default=10, help="labelled sequences per class")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--write", default=None, help="also write the table to this Markdown file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for seed in args.seeds:
        rows.append(compare(seed, labels=args.labels, steps=args.steps))
        print(rows[-1], flush=True)
    lines = [f"Waves {WAVES}, 1,000 training sequences, {args.labels} labels per class, {args.steps} steps, held-out "
             "accuracy on 500 waves of another seed (chance 0.5); mlp generator with feature matching, conv discriminator "
             "(hidden 32); the baseline is the same discriminator trained on the labels alone.", "",
             "| seed | semi-supervised | labels alone | difference | training s |", "|---|---|---|---|---|"]
    lines += [f"| {r['seed']} | {r['semi_supervised']:.3f} | {r['supervised']:.3f} | {r['semi_supervised'] - r['supervised']:+.3f} "
              f"| {r['seconds']:.0f} |" for r in rows]
    mean = {k: np.mean([r[k] for r in rows]) for k in ("semi_supervised", "supervised")}
    lines.append(f"| mean | {mean['semi_supervised']:.3f} | {mean['supervised']:.3f} | "
                 f"{mean['semi_supervised'] - mean['supervised']:+.3f} | |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        with open(args.write, "w") as handle:
            handle.write(f"# Semi-supervised discriminator\n\n{table}\n")


if __name__ == "__main__":
    main()
