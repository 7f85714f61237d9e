"""Quick start: train a conditional GAN on the waves set, sample a chosen label, save, reload, plot.

    python examples/quickstart.py [--steps 3000] [--out runs/quickstart]

A minute or two on a laptop CPU. The three jobs (labelled sensor sequences, forecasting
augmentation, latent exploration) get their own scripts beside this one.
"""
import argparse
from pathlib import Path

import numpy as np

import tsgan
from tsgan.evaluation.plots import plot_real_vs_generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000, help="generator updates (default 3000)")
    parser.add_argument("--generator", default="lstm", choices=list(tsgan.GENERATORS))
    parser.add_argument("--discriminator", default="conv", choices=list(tsgan.DISCRIMINATORS))
    parser.add_argument("--out", default="runs/quickstart", help="output folder")
    args = parser.parse_args()
    out = Path(args.out)

    X, y = tsgan.make_waves(1000, seed=0)  # (1000, 30, 1) and class names
    gan = tsgan.GAN(args.generator, args.discriminator).fit(X, y, steps=args.steps, seed=0, lr_d=1e-3)
    gan.save(out / "model.pt")

    again = tsgan.load(out / "model.pt")
    sawtooth = again.sample(200, labels="sawtooth", seed=0)
    assert np.array_equal(sawtooth, gan.sample(200, labels="sawtooth", seed=0))  # reload samples exactly as before

    fake, labels = again.sample(400, seed=1, return_labels=True)
    plot_real_vs_generated(X, y, fake, labels, out / "samples.png")
    again.sample_frame(100, labels="sine", seed=2).to_csv(out / "sine.csv", index=False)
    print(f"wrote {out / 'model.pt'}, {out / 'samples.png'} and {out / 'sine.csv'}")


if __name__ == "__main__":
    main()
