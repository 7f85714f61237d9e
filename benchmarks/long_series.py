"""Series 10x longer than the training windows: does a model's long sample keep its statistics?

    tsgan train --out runs/waves && python benchmarks/long_series.py runs/waves
    python benchmarks/long_series.py --series ../shared/data/stock_data.csv --window 24 --steps 3000

Waves (a model of the waves set): samples ``--n`` sequences of ``--times`` x the training length T from an lstm
model, cuts windows of T steps at every ``--stride`` steps, and judges each against unseen real waves with the
strict discriminative score (tsgan protocol; 0 best): a window as good as the first scores within 0.05 of it.
Per sequence, amplitude and frequency (``tsgan.wave_properties``, per window) should stay constant along the
sequence, as they do in real waves of that length (frequency range scaled so each window holds the training
waves' cycles): the table gives the mean over sequences of each property's spread across windows, beside
independent real windows put end to end (what a generator of separate windows gives; the figure's failure).

One long series (``--series``, a CSV of one multichannel series such as TimeGAN's stock_data.csv, read as
``tsgan.data.literature.load_stocks`` reads it: oldest day first, min-max scaled): trains an lstm model on all
its windows of ``--window`` steps (``--steps``; or give a model trained on those windows), samples ``--n``
series of ``--times`` windows and compares their autocorrelation with the real series' at lags up to 3
windows, on the levels, the first differences and their absolute values (price levels correlate near 1 at
every lag whatever made them; the differences show whether the steps are right, their absolute values
whether calm and volatile stretches last as long as in the real series). The same estimator runs on every set of
sequences of ``--times`` windows: the real series cut into such segments, independent real windows end to
end, and the real segments shuffled in time (the floors: a figure that cannot tell those from the real
series says nothing). Its error is the mean absolute difference from the real autocorrelation over lags 1 to
3 windows and the channels; half the real segments against the other half give the estimate's own noise.
"""
import argparse
from pathlib import Path

import numpy as np
import torch

import tsgan
from tsgan.data.literature import load_stocks
from tsgan.data.waves import FREQUENCY
from tsgan.evaluation.metrics import discriminative_score


def spread_along(X: np.ndarray, T: int, stride: int) -> dict:
    """Mean over sequences of the standard deviation, across windows, of each wave property."""
    starts = range(0, X.shape[1] - T + 1, stride)
    props = [tsgan.wave_properties(X[:, s:s + T]) for s in starts]
    return {k: float(np.stack([p[k] for p in props], axis=1).std(axis=1).mean()) for k in ("amplitude", "frequency")}


def end_to_end(windows: np.ndarray, n: int, times: int, seed: int) -> np.ndarray:
    """``n`` sequences of ``times`` randomly drawn windows ``(m, T, d)`` put end to end."""
    picks = np.random.default_rng(seed).integers(len(windows), size=(n, times))
    return windows[picks].reshape(n, times * windows.shape[1], windows.shape[2])


def waves_report(gan, n: int, times: int, stride: int | None, seed: int) -> None:
    T = gan.model_config_.length
    stride = stride or T
    long = gan.sample(n, seed=seed, length=times * T)
    real, _ = tsgan.make_waves(n, T, seed=12345)  # unseen real windows
    print(f"{n} sequences of {times * T} steps (T = {T}); windows every {stride} steps\n")
    print("| window start | strict discriminative score | minus the first window's |")
    print("|---|---|---|")
    first = None
    for start in range(0, times * T - T + 1, stride):
        score = discriminative_score(real, long[:, start:start + T], seed=0)
        first = score if first is None else first
        print(f"| {start} | {score:.3f} | {score - first:+.3f} |", flush=True)
    real_long, _ = tsgan.make_waves(n, times * T, seed=12345, frequency=tuple(times * f for f in FREQUENCY))
    stitched = end_to_end(real, n, times, seed)
    print("\n| property spread across windows, mean per sequence | real | generated | independent real windows end to end |")
    print("|---|---|---|---|")
    spreads = [spread_along(x, T, stride) for x in (real_long, long, stitched)]
    for prop in ("amplitude", "frequency"):
        print(f"| {prop} | " + " | ".join(f"{s[prop]:.3f}" for s in spreads) + " |")


def autocorrelation(X: np.ndarray, lags: int) -> np.ndarray:
    """``(lags, d)``: the mean over sequences of each channel's autocorrelation at lags 1..``lags`` (each sequence
    centred on its own mean; the usual biased estimator, normalised by the sequence's own variance)."""
    X = X - X.mean(axis=1, keepdims=True)
    power = (X ** 2).sum(axis=1)
    acf = [(X[:, :-k] * X[:, k:]).sum(axis=1) / np.maximum(power, 1e-12) for k in range(1, lags + 1)]
    return np.stack(acf).mean(axis=1)


def series_report(gan, series: np.ndarray, windows: np.ndarray, n: int, times: int, seed: int) -> None:
    w = windows.shape[1]
    L, lags = times * w, 3 * w
    segments = series[:len(series) // L * L].reshape(-1, L, series.shape[1])
    long = gan.sample(n, seed=seed, length=L)
    rng = np.random.default_rng(seed)
    shuffled = np.stack([s[rng.permutation(L)] for s in segments for _ in range(max(1, n // len(segments)))])
    sets = {"generated": long, "independent windows end to end": end_to_end(windows, n, times, seed),
            "real shuffled in time": shuffled}
    print(f"real series: {len(series)} steps x {series.shape[1]} channels, {len(windows)} training windows of {w}; "
          f"{len(segments)} real segments and {n} generated series of {L} steps\n")
    for title, transform in (("levels", lambda x: x), ("first differences", lambda x: np.diff(x, axis=1)),
                             ("absolute first differences (volatility)", lambda x: np.abs(np.diff(x, axis=1)))):
        real = autocorrelation(transform(segments), lags)
        halves = np.abs(autocorrelation(transform(segments[0::2]), lags) - autocorrelation(transform(segments[1::2]), lags))
        curves = {name: autocorrelation(transform(x), lags) for name, x in sets.items()}
        shown = sorted({1, 2, w // 2, w, 2 * w, 3 * w})
        print(f"autocorrelation of the {title}, mean over channels:\n")
        print("| lag | real | " + " | ".join(curves) + " |")
        print("|---|---|" + "---|" * len(curves))
        for lag in shown:
            print(f"| {lag} | {real[lag - 1].mean():.3f} | " + " | ".join(f"{c[lag - 1].mean():.3f}" for c in curves.values()) + " |")
        print(f"| mean abs. difference from real, lags 1-{lags} (real half vs half: {halves.mean():.3f}) | - | "
              + " | ".join(f"{np.abs(c - real).mean():.3f}" for c in curves.values()) + " |\n", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="run folder or model file (lstm generator, trained on waves or on --series' windows)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--stride", type=int, default=None, help="waves: steps between windows (default T)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--series", help="CSV of one long series (e.g. stock_data.csv): the autocorrelation mode")
    parser.add_argument("--window", type=int, default=24, help="--series: training window length (default 24)")
    parser.add_argument("--steps", type=int, default=3000, help="--series without a model: training steps (default 3000)")
    parser.add_argument("--out", help="--series without a model: keep the trained run (checkpoint and model.pt) in this folder")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.series is None:
        if args.model is None:
            parser.error("give a model of the waves set, or --series CSV")
        waves_report(tsgan.load(args.model, device="cpu"), args.n, args.times, args.stride, args.seed)
        return
    windows, _ = load_stocks(args.series, length=args.window)
    series = np.concatenate([windows[:, 0], windows[-1, 1:]])
    if args.model is not None:
        gan = tsgan.load(args.model, device="cpu")
        if gan.model_config_.length != args.window:
            parser.error(f"the model was trained on windows of {gan.model_config_.length} steps, not --window {args.window}")
    else:
        gan = tsgan.GAN().fit(windows, steps=args.steps, seed=0, progress=False, out_dir=args.out)
        if args.out is not None:  # the run folder holds its checkpoint; the model beside it makes it a model to load
            gan.save(Path(args.out) / "model.pt")
    series_report(gan, series, windows, args.n, args.times, args.seed)


if __name__ == "__main__":
    main()
