"""Forecasting augmentation: does adding GAN windows to a forecaster's training data help? (sktime's airline series)

    python examples/forecast_augmentation.py [--history 60] [--seeds 5] [--out DIR]

Data: the monthly airline passenger series bundled with sktime (144 months, 1949-1960), log-transformed.
The last 24 months (1959-1960) are the held-out real horizon; of the 120 months before them only the
last --history (default 60, 1954-1958) are used for training: the small-data regime, 37 windows.

Windows: every stretch of 24 consecutive months (12 lags, then the 12 months to forecast), each
shifted by the mean of its 12 lags (so the level drops out and the trend stays as a slope). The
forecaster is a reduction to scikit-learn regression: one multi-output regressor maps the 12 lags to
the next 12 months (direct strategy). Two regressors are reported, ridge regression and a random
forest, each trained on the real windows alone and on the real windows plus --ratio times as many
windows from a GAN (an unconditional GAN trained on the real training windows only), and, as a
control for the training set's size alone, on the real windows repeated to the augmented set's size.

Test: every forecast origin in the held-out 24 months whose 12-month horizon fits in it (13 origins,
1959-01 to 1960-01); lags come from the real series. MAE (passengers) and sMAPE (%) over all origins
and steps, per seed (the GAN's and the forest's), then mean and spread over --seeds seeds. The table
says per regressor whether augmentation helped: the mean change must exceed twice its standard error.
A seasonal naive forecast (the last 12 months again) is the floor every forecaster should beat.
Default settings take 3-4 minutes on one CPU thread (five GAN trainings).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sktime.datasets import load_airline  # noqa: E402

import tsgan  # noqa: E402

from _common import model_options, parser, start, write_figures  # noqa: E402

NAME = "forecast_augmentation"
LAGS, HORIZON, TEST = 12, 12, 24
REGRESSORS = {
    "ridge": lambda seed: Ridge(alpha=1.0),
    "forest": lambda seed: RandomForestRegressor(n_estimators=200, min_samples_leaf=2, random_state=seed, n_jobs=1),
}


def windows(series: np.ndarray) -> np.ndarray:
    """Every stretch of LAGS + HORIZON consecutive values of a 1-D series (``tsgan.to_windows``), as ``(n, length)``."""
    return tsgan.to_windows(series, LAGS + HORIZON).X[:, :, 0].astype(np.float64)


def centre(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Windows shifted by the mean of their lags; returns (shifted windows, the shifts)."""
    level = W[:, :LAGS].mean(axis=1, keepdims=True)
    return W - level, level


def fit_forecaster(kind: str, W: np.ndarray, seed: int):
    """The regressor ``kind`` fitted on centred windows ``(n, LAGS + HORIZON)``: lags -> next HORIZON values."""
    return REGRESSORS[kind](seed).fit(W[:, :LAGS], W[:, LAGS:])


def forecast(model, lags: np.ndarray) -> np.ndarray:
    """Forecasts in passengers from log-scale lag windows ``(n, LAGS)``."""
    shifted, level = centre(lags)
    return np.exp(model.predict(shifted) + level)


def errors(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """MAE and sMAPE (%) over every origin and step."""
    mae = np.mean(np.abs(pred - truth))
    smape = 100 * np.mean(2 * np.abs(pred - truth) / (np.abs(pred) + np.abs(truth)))
    return float(mae), float(smape)


def verdict(diff: np.ndarray) -> tuple[int, str]:
    """1 helped / -1 hurt / 0 unclear from per-seed changes (augmented minus real-only, lower is better)."""
    se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.inf
    if diff.mean() < -2 * se:
        return 1, "helped"
    if diff.mean() > 2 * se:
        return -1, "hurt"
    return 0, "no clear difference"


def main(argv: list[str] | None = None) -> dict[str, float]:
    p = parser(NAME, __doc__)
    model_options(p, "conv", "conv", 3000)
    p.add_argument("--history", type=int, default=60, help="training months before the held-out horizon (default %(default)s)")
    p.add_argument("--seeds", type=int, default=5, help="GAN / forest seeds (default %(default)s)")
    p.add_argument("--ratio", type=float, default=4.0, help="synthetic windows per real window (default %(default)s)")
    args = p.parse_args(argv)
    started = start(args)
    steps, n_seeds = (20, 2) if args.quick else (args.steps, args.seeds)

    series = np.log(load_airline().to_numpy(dtype=float))
    train = series[len(series) - TEST - args.history:len(series) - TEST]
    if len(train) < LAGS + HORIZON + 1:
        p.error(f"--history must be at least {LAGS + HORIZON + 1} months")
    real, _ = centre(windows(train))  # training windows, never touching the test months
    test = windows(series[len(series) - TEST - LAGS:])  # lags may precede the horizon
    test_lags, truth = test[:, :LAGS], np.exp(test[:, LAGS:])
    n_fake = int(round(args.ratio * len(real)))

    naive = np.exp(np.tile(test_lags, HORIZON // LAGS))  # seasonal naive: the last year again
    # Control: the real windows repeated to the augmented set's size. Ridge's penalty weighs less against more
    # rows, so a larger training set alone changes its fit; the control shows what the GAN's windows add beyond that.
    repeated = np.repeat(real, -(-(len(real) + n_fake) // len(real)), axis=0)
    results = {kind: {"real": [], "repeated": [], "augmented": []} for kind in REGRESSORS}
    examples = {}
    for seed in range(args.seed, args.seed + n_seeds):
        gan = tsgan.GAN(args.generator, args.discriminator, loss="gan")
        gan.fit(real, steps=steps, seed=seed, batch_size=min(32, len(real)), progress=False, device="cpu")
        fake = gan.sample(n_fake, seed=seed + 1000)[:, :, 0]
        if seed == args.seed:
            first_fake = fake
        for kind in REGRESSORS:
            for name, W in (("real", real), ("repeated", repeated), ("augmented", np.concatenate([real, fake]))):
                pred = forecast(fit_forecaster(kind, W, seed), test_lags)
                results[kind][name].append(errors(pred, truth))
                if seed == args.seed and name != "repeated":
                    examples[kind, name] = pred

    figures = {"history_months": args.history, "real_windows": len(real), "synthetic_windows": n_fake,
               "seeds": n_seeds, "steps": steps, "test_origins": len(test)}
    figures["naive_mae"], figures["naive_smape"] = errors(naive, truth)
    notes = []
    for kind, res in results.items():
        for name in ("real", "repeated", "augmented"):
            values = np.asarray(res[name])
            for j, metric in enumerate(("mae", "smape")):
                figures[f"{kind}_{name}_{metric}"] = float(values[:, j].mean())
                figures[f"{kind}_{name}_{metric}_std"] = float(values[:, j].std())
        for j, metric in enumerate(("mae", "smape")):
            diff = np.asarray(res["augmented"])[:, j] - np.asarray(res["real"])[:, j]
            code, words = verdict(diff)
            figures[f"{kind}_augmentation_change_{metric}"] = float(diff.mean())
            figures[f"{kind}_augmentation_helped_{metric}"] = code
            control = np.asarray(res["augmented"])[:, j] - np.asarray(res["repeated"])[:, j]
            code_c, words_c = verdict(control)
            figures[f"{kind}_gan_vs_repeated_change_{metric}"] = float(control.mean())
            figures[f"{kind}_gan_vs_repeated_helped_{metric}"] = code_c
            if code == 1 and code_c != 1:
                words = f"{words}, but no more than repeating the real windows does: the gain is the training set's size, not the GAN's"
            notes.append(f"- {kind}, {metric.upper()}: augmentation {words} (change {diff.mean():+.3f}, "
                         f"better in {int((diff < 0).sum())} of {len(diff)} seeds); against the real windows repeated "
                         f"to the same size: {words_c} (change {control.mean():+.3f}).")
    notes = [
        f"Airline, log scale, {args.history} training months ({len(real)} windows of {LAGS} lags + {HORIZON} months), "
        f"{n_fake} GAN windows per seed ({args.generator}/{args.discriminator}, classic loss, {steps} steps); "
        f"held-out real horizon: the last {TEST} months, {len(test)} forecast origins. Mean (and std) over {n_seeds} seeds.",
        "`*_helped_*`: 1 helped, 0 no clear difference, -1 hurt (mean change beyond twice its standard error).",
        "`repeated`: the real windows repeated to the augmented set's size, a control for the training set's size alone",
        "(ridge's fixed penalty counts for less against more rows); `gan_vs_repeated`: augmented minus repeated.",
        "", *notes,
    ]
    plot(real, first_fake, series, examples, args.out / "forecasts.png")
    return write_figures(args.out, "Forecasting augmentation (airline)", figures, started, notes)


def plot(real: np.ndarray, fake: np.ndarray, series: np.ndarray, examples: dict, path) -> None:
    """Left: real and generated training windows; right: the held-out horizon with the 12-month forecasts
    from its first origin."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    for i, W in enumerate(real[:: max(1, len(real) // 10)]):
        left.plot(W, color="C0", alpha=0.6, lw=1, label="real" if i == 0 else None)
    for i, W in enumerate(fake[:10]):
        left.plot(W, color="C1", alpha=0.6, lw=1, label="generated" if i == 0 else None)
    left.axvline(LAGS - 0.5, color="grey", lw=0.8, ls=":")
    left.set(xlabel="month in window (12 lags, then 12 to forecast)")
    left.set_title("training windows (log, minus their lags' mean)", fontsize=10)
    left.legend(fontsize=8)
    years = 1949 + np.arange(len(series)) / 12  # the series starts in January 1949
    right.plot(years[-TEST - 24:], np.exp(series[-TEST - 24:]), color="black", lw=1.2, label="airline (real)")
    start_month = len(series) - TEST
    steps = years[start_month:start_month + HORIZON]
    for (kind, name), pred in examples.items():
        right.plot(steps, pred[0], lw=1, ls="-" if name == "real" else "--", color="C2" if kind == "ridge" else "C3",
                   label=f"{kind}, {'real only' if name == 'real' else 'real + GAN'}")
    right.axvline(years[start_month] - 1 / 24, color="grey", lw=0.8, ls=":")
    right.set(xlabel="year", ylabel="passengers")
    right.set_title("held-out 1959-1960 (after the dotted line), forecasts from 1959-01", fontsize=10)
    right.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
