"""InfoGAN, BiGAN and the adversarial autoencoder on waves: what each variant's codes and encoder do.

    python benchmarks/variants.py --seeds 0 1 2 --steps 5000 --write benchmarks/VARIANTS.md
    python benchmarks/variants.py --quick                      # seconds: checks the script runs

Every run trains through ``tsgan.GAN(..., variant=...)`` (the one training loop) on 1,000 waves (24 steps;
the default waves 30) and measures on 400 held-out waves (another seed); each figure stands beside a control that
should fail it. Prints (and with ``--write`` writes) a Markdown table: per measure the mean over seeds, the
figure for each seed, and the control's.

* InfoGAN (conv generator, hidden 32, a 2-valued categorical and one continuous code, no labels): purity of
  the category Q reads from held-out waves against their shapes (sine / sawtooth; chance 0.5), against
  the same model untrained; how well samples generated per category agree with a shape (a classifier
  trained on labelled real waves labels them; the better of the two ways to pair categories with
  shapes; chance 0.5); how often Q reads back the category samples were generated with. On waves where
  shape and amplitude vary (2 cycles, phase 0; conv discriminator) and on the default waves (amplitude,
  frequency and phase vary too; 30 steps, twice the steps, a recurrent discriminator with minibatch
  discrimination), where it also gives abs(correlation) of the category with the waves' frequency.
* BiGAN (mlp generator, conv discriminator and encoder, hidden 32, no labels): mean squared error of G(E(x))
  against that of the same generator with the untrained encoder and with random codes; a logistic
  regression on the standardised codes of 200 held-out waves labelling the shape of 200 others, against
  the untrained encoder's codes. On waves where shape and amplitude vary (2-D code; there the shape is
  easy to tell: random codes keep it too) and on the default waves (8-D code, twice the steps), where a
  ridge regression also reads the frequency from the codes (R^2 on the other 200).
* AAE (conv decoder and encoder, mlp discriminator of codes, hidden 32, 2-D Gaussian prior; shape,
  amplitude and frequency vary; label-conditioned): the codes' largest abs(mean) and largest deviation of
  their covariance from the identity, and the p-value of a two-sample permutation test (tsgan's MMD, 200
  permutations) of the codes against as many prior draws, each against the untrained encoder's; label
  fidelity of prior draws decoded under each label (``tsgan.evaluation.metrics.label_fidelity``); reconstruction
  error over the data's variance.
"""
from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import tsgan
from tsgan.evaluation.metrics import label_fidelity, mmd
from tsgan.evaluation.metrics.classifiers import FittedClassifier

LENGTH = 24
SHAPE_AND_AMPLITUDE = {"frequency": (2.0, 2.0), "amplitude": (0.3, 0.9), "phase": (0.0, 0.0)}
WITH_FREQUENCY = {**SHAPE_AND_AMPLITUDE, "frequency": (1.0, 3.0)}
DEFAULT_WAVES: dict = {}  # tsgan.make_waves' ranges: amplitude 0.1-0.9, 1-5 cycles, any phase
DEFAULT_LENGTH = 30  # tsgan.make_waves' default


NOTES = """How to read it (the script's docstring has the protocol): each row's control should fail what the
trained model passes. Without labels nothing says which factor a code takes. Where shape and amplitude vary,
InfoGAN's category took the shape in 2 of 3 runs (purity 1.0) and another split, which Q reads back as well,
in the third. On the default waves (amplitude, frequency and phase vary, 30 steps) it took the frequency in 1
to 2 of 3 runs (abs(correlation) 0.78 and 0.37) and the shape in none (purity 0.54-0.61): a 2-valued code
can split a continuous factor as cleanly as the shape. Run with the conv discriminator of the first rows,
its category matched no measured factor there (purity 0.51-0.57, abs(correlation) with the frequency below
0.15 in single runs); the recurrent discriminator's features, averaged over time, do not see the phase.
Minibatch discrimination is on for these rows because an unconditional conv pair drops most sawtooth
waves on the default waves (benchmarks/TECHNIQUES.md, shape-dropping), leaving no shape to find.
BiGAN's logistic regression on the first waves shows the codes keep the shape, not that they learnt it (an
untrained encoder's standardised codes keep it too). On the default waves BiGAN's reconstructions are no
better than an untrained encoder's (both near the data's variance, 0.15): it does not invert the generator
there, but its codes did learn the waves' factors - the shape (0.72 against 0.57) and the frequency (R^2 0.41
against 0.04) read from them better than from an untrained encoder's. The AAE's mean alone does not tell
trained from untrained codes (both near 0); the covariance and the two-sample test do: the untrained codes
are told apart from prior draws in every run (p 0.005), the trained ones in 1 of 3 (the run whose mean is
off by 0.37)."""


def waves(n: int, seed: int, ranges: dict, params: bool = False):
    """``(X, y)`` of ``n`` waves (with ``params``: ``(X, y, drawn amplitude, frequency and phase)``); the default
    waves at tsgan's default length, the others at LENGTH steps."""
    length = DEFAULT_LENGTH if ranges is DEFAULT_WAVES else LENGTH
    return tsgan.make_waves(n, length, seed=seed, return_params=params, **ranges)


def purity(clusters: np.ndarray, labels: np.ndarray) -> float:
    """Each cluster counts its most common label; 0.5 is chance for two balanced classes."""
    return sum(max(np.sum(labels[clusters == c] == k) for k in np.unique(labels)) for c in np.unique(clusters)) / len(labels)


def fit(variant, generator: str, discriminator: str, X, y, *, steps: int, seed: int, n_train: int, **model):
    gan = tsgan.GAN(generator, discriminator, hidden=32, noise_dim=8, variant=variant, **model)
    return gan.fit(X[:n_train], None if y is None else y[:n_train], steps=steps, batch_size=32, seed=seed,
                   device="cpu", progress=False, ema_decay=0)


def with_untrained_modules(gan: tsgan.GAN, untrained: tsgan.GAN) -> tsgan.GAN:
    control = copy.deepcopy(gan)
    control.variant_.modules.load_state_dict(untrained.variant_.modules.state_dict())
    return control


def infogan(seed: int, steps: int, n: int, ranges: dict, discriminator: str = "conv", minibatch: int = 0) -> dict:
    X, y = waves(n, 0, ranges)
    X_test, y_test, params = waves(400, 1, ranges, params=True)
    variant = tsgan.InfoGAN(categorical=2, continuous=1)
    gan = fit(variant, "conv", discriminator, X, None, steps=steps, seed=seed, n_train=n, minibatch_kernels=minibatch)
    untrained = fit(variant, "conv", discriminator, X, None, steps=0, seed=seed, n_train=n, minibatch_kernels=minibatch)
    classifier = FittedClassifier(X, y, seed=0)
    per_code = [gan.sample(300, seed=seed, codes={"category": k}) for k in (0, 1)]
    shapes = [classifier.predict(samples) for samples in per_code]
    agreement = np.mean(np.r_[shapes[0] == "sine", shapes[1] == "sawtooth"])
    read_back = np.mean([gan.predict_codes(samples)["category"] == k for k, samples in enumerate(per_code)])
    category, control = gan.predict_codes(X_test)["category"], untrained.predict_codes(X_test)["category"]
    rows = {
        "Q's category: purity on held-out waves (chance 0.5)": (purity(category, y_test), purity(control, y_test)),
        "generated per category: shape agreement (chance 0.5)": (max(agreement, 1 - agreement), None),
        "Q reads back generated categories (chance 0.5)": (read_back, None),
    }
    if np.ptp(params["frequency"]) > 0:
        rows["Q's category: abs(correlation) with the frequency (chance 0)"] = (
            abs_correlation(category, params["frequency"]), abs_correlation(control, params["frequency"]))
    return rows


def abs_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """abs(Pearson correlation); 0 where ``a`` is constant (one category for every wave)."""
    return float(abs(np.corrcoef(a, b)[0, 1])) if np.ptp(a) > 0 else 0.0


def bigan(seed: int, steps: int, n: int, ranges: dict, code_dim: int) -> dict:
    X, _ = waves(n, 0, ranges)
    X_test, y_test, params = waves(400, 1, ranges, params=True)
    variant = tsgan.BiGAN(code_dim=code_dim)
    gan = fit(variant, "mlp", "conv", X, None, steps=steps, seed=seed, n_train=n)
    control = with_untrained_modules(gan, fit(variant, "mlp", "conv", X, None, steps=0, seed=seed, n_train=n))
    random_codes = np.random.default_rng(seed).standard_normal((len(X_test), code_dim))

    def error(reconstructed):
        return float(np.mean((reconstructed - X_test) ** 2))

    def probe(codes):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        return model.fit(codes[:200], y_test[:200]).score(codes[200:], y_test[200:])

    def frequency_probe(codes):
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        return model.fit(codes[:200], params["frequency"][:200]).score(codes[200:], params["frequency"][200:])

    codes, control_codes = gan.encode(X_test), control.encode(X_test)
    rows = {
        "reconstruction MSE, G(E(x)) (control: untrained encoder)": (error(gan.reconstruct(X_test)), error(control.reconstruct(X_test))),
        "reconstruction MSE with random codes (for scale)": (error(gan.decode(random_codes)), None),
        "shape from codes, logistic regression (control: untrained encoder)": (probe(codes), probe(control_codes)),
    }
    if np.ptp(params["frequency"]) > 0:
        rows["frequency from codes, ridge regression R^2 (control: untrained encoder)"] = (
            frequency_probe(codes), frequency_probe(control_codes))
    return rows


def aae(seed: int, steps: int, n: int) -> dict:
    X, y = waves(n, 0, WITH_FREQUENCY)
    X_test, y_test = waves(400, 1, WITH_FREQUENCY)
    variant = tsgan.AAE()
    gan = fit(variant, "conv", "mlp", X, y, steps=steps, seed=seed, n_train=n)
    untrained = fit(variant, "conv", "mlp", X, y, steps=0, seed=seed, n_train=n)
    codes, control = gan.encode(X_test), untrained.encode(X_test)
    fake, labels = gan.sample(400, seed=seed, return_labels=True)

    prior = np.random.default_rng(seed).standard_normal(codes.shape)

    def covariance_gap(c):
        return float(np.abs(np.cov(c.T) - np.eye(c.shape[1])).max())

    return {
        "codes: largest abs(mean) (prior 0; control: untrained encoder)": (float(np.abs(codes.mean(0)).max()), float(np.abs(control.mean(0)).max())),
        "codes: largest abs(covariance - I) (prior 0)": (covariance_gap(codes), covariance_gap(control)),
        "codes against prior draws: MMD permutation test p-value (below 0.05: told apart)":
            (mmd_p_value(codes, prior, seed), mmd_p_value(control, prior, seed)),
        "label fidelity of decoded prior draws (chance 0.5)": (label_fidelity(X, y, fake, labels, seed=0), None),
        "reconstruction MSE / data variance": (float(np.mean((gan.reconstruct(X_test, labels=y_test) - X_test) ** 2) / X_test.var()), None),
    }


def mmd_p_value(a: np.ndarray, b: np.ndarray, seed: int, permutations: int = 200) -> float:
    """Two-sample permutation test of vectors ``a`` and ``b`` (``(n, k)`` each) with tsgan's MMD as the
    statistic: the share of random splits of the pooled sample whose MMD is at least the observed one."""
    pooled, rng = np.concatenate([a, b])[:, None, :], np.random.default_rng(seed)
    observed = mmd(pooled[:len(a)], pooled[len(a):])
    split = [rng.permutation(len(pooled)) for _ in range(permutations)]
    null = [mmd(pooled[order[:len(a)]], pooled[order[len(a):]]) for order in split]
    return (1 + sum(value >= observed for value in null)) / (1 + permutations)


def run(seeds: list[int], steps: int, n: int) -> list[tuple]:
    """Rows ``(variant, data, measure, per-seed figures, per-seed controls, seconds)``; on the default waves
    (more factors of variation) twice the steps."""
    jobs = [
        ("InfoGAN", "shape + amplitude", lambda s: infogan(s, steps, n, SHAPE_AND_AMPLITUDE)),
        ("InfoGAN (lstm D, minibatch disc.)", "default waves",
         lambda s: infogan(s, 2 * steps, n, DEFAULT_WAVES, discriminator="lstm", minibatch=8)),
        ("BiGAN", "shape + amplitude", lambda s: bigan(s, steps, n, SHAPE_AND_AMPLITUDE, code_dim=2)),
        ("BiGAN (8-D code)", "default waves", lambda s: bigan(s, 2 * steps, n, DEFAULT_WAVES, code_dim=8)),
        ("AAE (labels)", "shape + amplitude + frequency", lambda s: aae(s, steps, n)),
    ]
    rows = []
    for name, data, job in jobs:
        start = time.perf_counter()
        results = [job(seed) for seed in seeds]
        seconds = (time.perf_counter() - start) / len(seeds)
        for measure in results[0]:
            figures = [r[measure][0] for r in results]
            controls = [r[measure][1] for r in results]
            rows.append((name, data, measure, figures, controls, seconds))
        print(f"  {name} on {data}: {seconds:.0f} s per seed", flush=True)
    return rows


def table(rows: list[tuple], seeds: list[int]) -> str:
    def cell(values):
        if values[0] is None:
            return "-"
        return f"{np.mean(values):.3f} ({' / '.join(f'{v:.3f}' for v in values)})"

    lines = [f"| variant | waves | measure | trained: mean (seeds {' / '.join(map(str, seeds))}) | control | s per seed |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {name} | {data} | {measure} | {cell(figures)} | {cell(controls)} | {seconds:.0f} |"
              for name, data, measure, figures, controls, seconds in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="training seeds (default 0 1 2)")
    parser.add_argument("--steps", type=int, default=5000, help="training steps per run (default 5000)")
    parser.add_argument("--n", type=int, default=1000, help="training waves (default 1000)")
    parser.add_argument("--quick", action="store_true", help="one seed, 20 steps, 256 waves: checks the script runs")
    parser.add_argument("--write", default=None, metavar="PATH", help="also write the table (with the command) to PATH")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds, steps, n = ([0], 20, 256) if args.quick else (args.seeds, args.steps, args.n)
    print(f"variants on waves: {steps} steps, {n} training waves, seeds {seeds}", flush=True)
    result = table(run(seeds, steps, n), seeds)
    print(result)
    if args.write:
        command = "python benchmarks/variants.py " + ("--quick" if args.quick else
                                                      f"--seeds {' '.join(map(str, seeds))} --steps {steps} --n {n}")
        Path(args.write).write_text(f"# Variants on waves\n\n`{command}` (one CPU thread)\n\n{result}\n\n{NOTES}\n")


if __name__ == "__main__":
    main()
