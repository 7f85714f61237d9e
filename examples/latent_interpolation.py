"""Latent exploration: walk a conditional GAN's latent space on the waves set and measure what changes.

    python examples/latent_interpolation.py [--steps 8000] [--model model.pt] [--out DIR]

Trains a conditional GAN on 1,000 tsgan waves (sine / sawtooth, 30 steps; amplitude 0.1-0.9 and
1-5 cycles per sequence drawn per wave), or loads one with --model. The default model, an LSTM generator
(RCGAN: noise every step, 8 of its 12 noise channels drawn once per sequence) with a conv discriminator,
8,000 steps (under 2 minutes on one CPU thread), matched the real waves' frequency spread best of those
tried (conv/conv collapsed to one amplitude; mlp/mlp narrowed the frequencies). With the label fixed to sine:

- ``grid.png``: a 2-D grid around a typical code over two latent directions, those along which the
  decoded waves' amplitude and frequency grow fastest (least-squares fits of the measured amplitude and
  frequency: from the mean of the --probe random codes whose decoded waves score in the lowest fifth to
  the mean of those in the highest fifth; the frequency direction made orthogonal to the other),
  --span standard deviations of the codes each way.
- ``interpolation.png``: linear and spherical interpolation between two random codes, and the same
  spherical path decoded with the label switched to sawtooth.
- ``arithmetic.png``: latent arithmetic: (mean of the 5 highest-amplitude codes - mean of the 5 lowest)
  added to a low-amplitude third code.

The figures table holds the measurements: smoothness (mean change between neighbouring waves on the
path over the mean change between two random codes' waves), how amplitude and frequency follow the
grid's axes, the arithmetic result's amplitude beside the expected one, and what switching the label
keeps (label fidelity of the switched path, correlation of amplitude and frequency along the two paths).
Amplitude and frequency are measured with ``tsgan.wave_properties`` (half the peak-to-peak range;
dominant frequency of the spectrum). Default settings take about 3 minutes on one CPU thread.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tsgan  # noqa: E402
from tsgan.evaluation.metrics import FittedClassifier  # noqa: E402

from _common import model_options, parser, start, write_figures  # noqa: E402

NAME = "latent_interpolation"
LABEL, OTHER = "sine", "sawtooth"
PATH_STEPS, GRID = 9, 5


def props(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Measured amplitude and frequency (cycles per sequence) of each wave."""
    p = tsgan.wave_properties(X)
    return p["amplitude"], p["frequency"]


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.stack([(1 - s) * a + s * b for s in t])


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation (White 2016) of the flattened codes: keeps a Gaussian code's typical norm."""
    fa, fb = a.ravel(), b.ravel()
    omega = np.arccos(np.clip(fa @ fb / (np.linalg.norm(fa) * np.linalg.norm(fb)), -1, 1))
    if omega < 1e-6:
        return lerp(a, b, t)
    return np.stack([(np.sin((1 - s) * omega) * a + np.sin(s * omega) * b) / np.sin(omega) for s in t])


def direction(codes: np.ndarray, target: np.ndarray, against: np.ndarray | None = None) -> np.ndarray:
    """Unit vector (shaped like one code) from the mean code of the lowest fifth of ``target`` to that of the
    highest fifth, made orthogonal to ``against`` when given."""
    order = np.argsort(target)
    fifth = max(1, len(order) // 5)
    w = (codes[order[-fifth:]].mean(axis=0) - codes[order[:fifth]].mean(axis=0)).ravel()
    if against is not None:
        u = against.ravel()
        w = w - (w @ u) * u
    return (w / np.linalg.norm(w)).reshape(codes.shape[1:])


def step_change(X: np.ndarray) -> float:
    """Mean absolute difference between neighbouring waves of a path."""
    return float(np.mean(np.abs(np.diff(X, axis=0))))


def path_length(X: np.ndarray) -> float:
    """Summed neighbour changes over the change between the path's ends (1: no detour)."""
    return float(np.abs(np.diff(X, axis=0)).mean(axis=(1, 2)).sum() / np.abs(X[-1] - X[0]).mean())


def monotone(values: np.ndarray) -> float:
    """Share of neighbouring pairs that rise (1: rises all the way)."""
    return float(np.mean(np.diff(values) > 0))


def main(argv: list[str] | None = None) -> dict[str, float]:
    p = parser(NAME, __doc__)
    model_options(p, "lstm", "conv", 8000)
    p.add_argument("--model", help="a saved conditional waves model (tsgan.load) instead of training one")
    p.add_argument("--probe", type=int, default=2000, help="random codes decoded to find directions (default %(default)s)")
    p.add_argument("--span", type=float, default=2.0, help="grid runs from -span to +span standard deviations of the codes along each direction (default %(default)s)")
    args = p.parse_args(argv)
    started = start(args)
    steps, probe = (20, 200) if args.quick else (args.steps, args.probe)
    rng = np.random.default_rng(args.seed)

    X, y = tsgan.make_waves(1000, seed=0)
    if args.model:
        gan = tsgan.load(args.model, device="cpu")
    else:
        gan = tsgan.GAN(args.generator, args.discriminator, loss="gan")
        gan.fit(X, y, steps=steps, seed=args.seed, progress=False, device="cpu")
        gan.save(args.out / "model.pt")
    if {LABEL, OTHER} - set(gan.classes_):
        p.error(f"the model must know the labels {LABEL} and {OTHER}; it knows {gan.classes_}")
    classifier = FittedClassifier(X, y, seed=args.seed, steps=30 if args.quick else 400)

    # Probe: random codes, their decoded sines, measured amplitude and frequency; directions and reference changes.
    codes = gan.sample_noise(probe, seed=args.seed)
    waves = gan.generate(codes, LABEL)
    amp, freq = props(waves)
    real_amp, real_freq = props(X[y == LABEL])
    d_amp = direction(codes, amp)
    d_freq = direction(codes, freq, against=d_amp)
    half = probe // 2  # random pairs: probe code i beside probe code half + i
    random_change = float(np.mean(np.abs(waves[:half] - waves[half:2 * half])))
    random_amp_change, random_freq_change = (float(np.mean(np.abs(v[:half] - v[half:2 * half]))) for v in (amp, freq))

    # 2-D grid through a typical code (amplitude and frequency nearest the probe's medians) along the two
    # directions, in standard deviations of the probe codes along each (the LSTM generator's per-sequence
    # noise repeats over time, so its codes spread far more along such directions than along random ones).
    centre = codes[np.argmin(np.abs(amp - np.median(amp)) / amp.std() + np.abs(freq - np.median(freq)) / freq.std())]
    sd_amp, sd_freq = (float(np.std(codes.reshape(probe, -1) @ d.ravel())) for d in (d_amp, d_freq))
    offsets = np.linspace(-args.span, args.span, GRID)
    grid_codes = np.stack([centre + u * sd_amp * d_amp + v * sd_freq * d_freq for v in offsets for u in offsets])
    grid = gan.generate(grid_codes, LABEL).reshape(GRID, GRID, *X.shape[1:])  # [row v (frequency), column u (amplitude)]
    g_amp, g_freq = props(grid.reshape(-1, *X.shape[1:]))
    g_amp, g_freq = g_amp.reshape(GRID, GRID), g_freq.reshape(GRID, GRID)

    # Interpolation between two random codes: linear, spherical, and spherical under the other label.
    a, b = gan.sample_noise(2, seed=args.seed + 1)
    t = np.linspace(0, 1, PATH_STEPS)
    path_lin, path_sph = gan.generate(lerp(a, b, t), LABEL), gan.generate(slerp(a, b, t), LABEL)
    path_other = gan.generate(slerp(a, b, t), OTHER)
    (amp_sph, freq_sph), (amp_oth, freq_oth) = props(path_sph), props(path_other)

    # Arithmetic: high-amplitude minus low-amplitude codes, added to a low-amplitude third code.
    order = np.argsort(amp)
    high, low = codes[order[-5:]].mean(axis=0), codes[order[:5]].mean(axis=0)
    third = codes[order[len(order) // 5]]  # the 20th amplitude percentile
    parts = gan.generate(np.stack([high, low, third, third + high - low]), LABEL)
    (amp_high, amp_low, amp_third, amp_result), _ = props(parts)

    figures = {
        "steps": steps if not args.model else 0, "probe_codes": probe,
        "label_fidelity_sine": classifier.accuracy(waves, [LABEL] * len(waves)),
        "probe_amplitude_mean": float(amp.mean()), "real_amplitude_mean": float(real_amp.mean()),
        "probe_frequency_mean": float(freq.mean()), "real_frequency_mean": float(real_freq.mean()),
        "probe_amplitude_mean_sawtooth": float(props(gan.generate(codes, OTHER))[0].mean()),
        "real_amplitude_mean_sawtooth": float(props(X[y == OTHER])[0].mean()),
        "random_pair_change": random_change,
        "linear_step_change": step_change(path_lin), "spherical_step_change": step_change(path_sph),
        "linear_smoothness_ratio": step_change(path_lin) / random_change,
        "spherical_smoothness_ratio": step_change(path_sph) / random_change,
        "linear_path_length_ratio": path_length(path_lin), "spherical_path_length_ratio": path_length(path_sph),
        "spherical_amplitude_step_ratio": float(np.mean(np.abs(np.diff(amp_sph)))) / random_amp_change,
        "spherical_frequency_step_ratio": float(np.mean(np.abs(np.diff(freq_sph)))) / random_freq_change,
        "spherical_largest_step_ratio": float(np.abs(np.diff(path_sph, axis=0)).mean(axis=(1, 2)).max()) / random_change,
        "grid_step_change": float(np.mean([step_change(grid[r]) for r in range(GRID)] + [step_change(grid[:, c]) for c in range(GRID)])),
        "grid_sd_amplitude_direction": sd_amp, "grid_sd_frequency_direction": sd_freq,
        "grid_amplitude_low": float(g_amp[:, 0].mean()), "grid_amplitude_high": float(g_amp[:, -1].mean()),
        "grid_amplitude_rises": float(np.mean([monotone(g_amp[r]) for r in range(GRID)])),
        "grid_frequency_low": float(g_freq[0].mean()), "grid_frequency_high": float(g_freq[-1].mean()),
        "grid_frequency_rises": float(np.mean([monotone(g_freq[:, c]) for c in range(GRID)])),
        "grid_frequency_change_along_amplitude": float(np.mean(g_freq[:, -1] - g_freq[:, 0])),
        "grid_amplitude_change_along_frequency": float(np.mean(g_amp[-1] - g_amp[0])),
        "arithmetic_amplitude_third": float(amp_third), "arithmetic_amplitude_high": float(amp_high),
        "arithmetic_amplitude_low": float(amp_low), "arithmetic_amplitude_result": float(amp_result),
        "arithmetic_amplitude_expected": float(amp_third + amp_high - amp_low),
        "switched_label_fidelity": classifier.accuracy(path_other, [OTHER] * len(path_other)),
        "switched_amplitude_correlation": float(np.corrcoef(amp_sph, amp_oth)[0, 1]) if amp_sph.std() * amp_oth.std() > 0 else 0.0,
        "switched_frequency_correlation": float(np.corrcoef(freq_sph, freq_oth)[0, 1]) if freq_sph.std() * freq_oth.std() > 0 else 0.0,
    }
    notes = [
        f"Model: {args.model or f'{args.generator}/{args.discriminator}, classic GAN loss, {steps} steps'}; label {LABEL} unless said.",
        "probe_* are the generated waves of the random probe codes, real_* the 1,000 training waves' (amplitude and frequency",
        "means per label), for reading the rest against.",
        "Changes are mean absolute differences between waves (data units). Smoothness ratio: mean change between",
        f"neighbouring waves of a {PATH_STEPS}-wave path over the mean change between two random codes' waves (small is smooth;",
        f"an even walk gives 1/{PATH_STEPS - 1} = {1 / (PATH_STEPS - 1):.3f} times the ends' distance); path length ratio: summed",
        "neighbour changes over the change between the ends (1: no detour); largest step ratio: the biggest jump on the path.",
        "Amplitude / frequency step ratio: mean change of the measured property between neighbours on the path over its mean",
        "change between two random codes.",
        f"Grid: {GRID} x {GRID} around a typical code, -{args.span} to +{args.span} standard deviations of the probe codes (`grid_sd_*`)",
        "along the amplitude direction (columns) and the frequency direction (rows);",
        "`*_rises`: share of neighbouring grid cells in which the measured property rises along its direction;",
        "`*_change_along_*`: how much the other property moves across the grid (0: the directions are disentangled).",
        "Arithmetic: expected amplitude = third + (high - low), amplitudes measured on the decoded codes (the real waves reach 0.9).",
        f"Switched label: the spherical path decoded as {OTHER}; fidelity by a classifier trained on real waves; correlations",
        f"of amplitude and frequency along the path between its {LABEL} and {OTHER} decodings.",
    ]
    plot_grid(grid, offsets, g_amp, g_freq, args.out / "grid.png")
    plot_paths(path_lin, path_sph, path_other, args.out / "interpolation.png")
    plot_arithmetic(parts, (amp_high, amp_low, amp_third, amp_result), args.out / "arithmetic.png")
    return write_figures(args.out, "Latent exploration (waves)", figures, started, notes)


def _save(fig, path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_grid(grid: np.ndarray, offsets: np.ndarray, amp: np.ndarray, freq: np.ndarray, path) -> None:
    n = len(offsets)
    fig, axes = plt.subplots(n, n, figsize=(1.9 * n, 1.3 * n), sharex=True, sharey=True)
    for r in range(n):
        for c in range(n):
            ax = axes[n - 1 - r, c]  # frequency direction grows upwards
            ax.plot(grid[r, c, :, 0], color="C0", lw=1.2)
            ax.set_title(f"a={amp[r, c]:.2f} f={freq[r, c]:.1f}", fontsize=7)
            ax.tick_params(labelsize=6)
    fig.supxlabel("amplitude direction  ->", fontsize=9)
    fig.supylabel("frequency direction  ->", fontsize=9)
    fig.suptitle("sine: 2-D latent grid (a: measured amplitude, f: cycles per sequence)", fontsize=10)
    _save(fig, path)


def plot_paths(lin: np.ndarray, sph: np.ndarray, other: np.ndarray, path) -> None:
    rows = ((lin, f"{LABEL}, linear"), (sph, f"{LABEL}, spherical"), (other, f"{OTHER}, spherical"))
    fig, axes = plt.subplots(len(rows), len(lin), figsize=(1.5 * len(lin), 1.25 * len(rows) + 0.3), sharex=True, sharey=True)
    for r, (X, title) in enumerate(rows):
        for c in range(len(X)):
            axes[r, c].plot(X[c, :, 0], color=f"C{r}", lw=1.2)
            axes[r, c].tick_params(labelsize=6)
        axes[r, 0].set_ylabel(title, fontsize=8)
    fig.suptitle(f"interpolation between two codes (left to right); the bottom row decodes the spherical path as {OTHER}", fontsize=10)
    _save(fig, path)


def plot_arithmetic(parts: np.ndarray, amps, path) -> None:
    titles = ("high: mean of 5 loudest codes", "low: mean of 5 quietest", "third code", "third + high - low")
    fig, axes = plt.subplots(1, 4, figsize=(9, 2.0), sharey=True)
    for ax, X, title, a in zip(axes, parts, titles, amps):
        ax.plot(X[:, 0], color="C0", lw=1.2)
        ax.set_title(f"{title}\namplitude {a:.2f}", fontsize=8)
        ax.tick_params(labelsize=6)
    _save(fig, path)


if __name__ == "__main__":
    main()
