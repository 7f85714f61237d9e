"""Series 10x longer than the training windows: does a model's long sample keep its statistics?

    tsgan train --out runs/waves && python benchmarks/long_series.py runs/waves

Samples ``--n`` sequences of ``--times`` x the training length T from an lstm model of the waves set, cuts
windows of T steps at every ``--stride`` steps, and judges each against unseen real waves with the strict
discriminative score (tsgan protocol; 0 best): a window as good as the first scores within 0.05 of it. Per
sequence, amplitude and frequency (``tsgan.wave_properties``, per window) should stay constant along the
sequence, as they do in real waves of that length (frequency range scaled so each window holds the
training waves' cycles): the table gives the mean over sequences of each property's spread across windows.
"""
import argparse

import numpy as np
import torch

import tsgan
from tsgan.data.waves import FREQUENCY
from tsgan.evaluation.metrics import discriminative_score


def spread_along(X: np.ndarray, T: int, stride: int) -> dict:
    """Mean over sequences of the standard deviation, across windows, of each wave property."""
    starts = range(0, X.shape[1] - T + 1, stride)
    props = [tsgan.wave_properties(X[:, s:s + T]) for s in starts]
    return {k: float(np.stack([p[k] for p in props], axis=1).std(axis=1).mean()) for k in ("amplitude", "frequency")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="run folder or model file (lstm generator, trained on waves)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--stride", type=int, default=None, help="steps between windows (default T)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gan = tsgan.load(args.model, device="cpu")
    T = gan.model_config_.length
    stride = args.stride or T
    long = gan.sample(args.n, seed=args.seed, length=args.times * T)
    real, _ = tsgan.make_waves(args.n, T, seed=12345)  # unseen real windows
    print(f"{args.n} sequences of {args.times * T} steps (T = {T}); windows every {stride} steps\n")
    print("| window start | strict discriminative score | minus the first window's |")
    print("|---|---|---|")
    first = None
    for start in range(0, args.times * T - T + 1, stride):
        score = discriminative_score(real, long[:, start:start + T], seed=0)
        first = score if first is None else first
        print(f"| {start} | {score:.3f} | {score - first:+.3f} |", flush=True)
    real_long, _ = tsgan.make_waves(args.n, args.times * T, seed=12345, frequency=tuple(args.times * f for f in FREQUENCY))
    print("\n| property spread across windows, mean per sequence | real | generated |")
    print("|---|---|---|")
    fake_spread, real_spread = spread_along(long, T, stride), spread_along(real_long, T, stride)
    for prop in ("amplitude", "frequency"):
        print(f"| {prop} | {real_spread[prop]:.3f} | {fake_spread[prop]:.3f} |")


if __name__ == "__main__":
    main()
