"""Sample-quality report: sample a trained GAN with its real data's label mix, measure every metric that
applies, draw the pictures, and write ``metrics.json`` and a one-page ``summary.md`` (``tsgan evaluate``).

Which real data each figure uses (the spec's honesty rules, section 6):

- ``X, y`` are the real data the model learnt from (usually its training data). ``held_out`` is real
  data it never saw. Without ``held_out``, ``X`` is split 80/20 (per class, seeded) into a training part
  and a test part, and the report says so; the test part may then have been seen in training.
- Distribution metrics (tsgan discriminative score, MMD, Parzen, tsgan predictive score, statistics)
  compare generated data with the real test data; the TimeGAN protocols compare with the real training
  data scaled to [0, 1], as the literature's code does, so their figures compare with published ones.
- Every metric has a real-data reference beside it where one means something: the same metric with
  real training data in place of generated data (TRTR beside TSTR, the discriminative noise floor).
- The memorisation check needs real data the generator never saw, so it runs only with ``held_out``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..data import as_sequences, check_array, encode_labels
from ..errors import TsganError
from ..files import check_writable, write_text
from ..gan import GAN, load
from ..persistence import fingerprint as _fingerprint
from .metrics import (FittedClassifier, autocorrelation_distance, class_share_distance, classification_scores,
                      discriminative_score, label_fidelity, marginal_distance, mmd, nearest_neighbour_ratio,
                      parzen_log_likelihood, predictive_score)
from .metrics.training import split, stratified_split
from . import comparison
from .baseline import GaussianBaseline
from .plots import plot_autocorrelation, plot_embedding, plot_losses, plot_marginals, plot_real_vs_generated, run_title

# Training budgets of the post-hoc models with quick=True: seconds instead of minutes, figures meaningless.
QUICK = {"discriminative": 60, "predictive": 60, "classifier": 40, "embedding_points": 200}
MIN_SAMPLES = 10  # the discriminative score's minimum per set


@dataclass(frozen=True)
class Metric:
    """One figure of the report: its ``metrics.json`` key, how to read it, and the key of its real-data reference."""

    key: str
    name: str
    better: str
    meaning: str
    protocol: str
    reference: str | None = None


METRICS = (
    Metric("discriminative_score", "Discriminative score", "lower (0 best, 0.5 worst)",
           "|accuracy - 0.5| of a post-hoc classifier telling generated from real sequences; the reference is its noise floor",
           "tsgan: CNN + GRU classifier, early stopping, against the real test data", "discriminative_noise_floor"),
    Metric("discriminative_score_timegan", "Discriminative score, TimeGAN protocol", "lower (0 best, 0.5 worst)",
           "the literature's weak one-layer GRU classifier: comparable with published tables, misses much",
           "timegan: GRU hidden max(1, d // 2), 2000 steps, against the real training data scaled to [0, 1]",
           "discriminative_noise_floor_timegan"),
    Metric("predictive_score", "Predictive score (MAE)", "lower",
           "error on real test data of a next-step predictor trained on generated data (data units)",
           "tsgan: GRU predicts every channel one step ahead; trained on generated, tested on the real test data",
           "predictive_score_real"),
    Metric("predictive_score_timegan", "Predictive score, TimeGAN protocol (MAE)", "lower",
           "the literature's: last channel from the others, tested on the training data (undefined for one channel)",
           "timegan: GRU hidden max(1, d // 2), 5000 steps, data scaled to [0, 1], tested on the real training data",
           "predictive_score_timegan_real"),
    Metric("tstr", "TSTR accuracy", "higher (read against TRTR)",
           "a classifier trained on generated sequences labels real test data; on junk it is not chance (0.17-0.52 seen)",
           "1-D CNN classifier trained on generated, tested on the real test data", "trtr"),
    Metric("trts", "TRTS accuracy", "higher (read against TRTR)",
           "a classifier trained on real data labels generated sequences: does each look like its label",
           "1-D CNN classifier trained on the real training data, tested on generated", "trtr"),
    Metric("label_fidelity", "Label fidelity", "higher (1 best, about 1/K if labels are ignored)",
           "fraction of generated sequences that a classifier fitted on real data assigns the label they were asked for",
           "1-D CNN classifier fitted on all real data (training and test parts)", "trtr"),
    Metric("class_share_distance", "Class share distance", "lower (0 best; 0.5 if one of two balanced classes is missing)",
           "how far the classes a classifier fitted on real data gives generated sequences are from the real class shares "
           "(total variation): a dropped class shows here, also for an unconditional model, where MMD can miss it",
           "1-D CNN classifier fitted on all labelled real data (training and test parts)", "class_share_distance_real"),
    Metric("mmd", "MMD^2", "lower (0 best; can dip below 0)",
           "squared maximum mean discrepancy between generated and real test sequences",
           "RBF kernel, median-heuristic bandwidth, unbiased, up to 2000 sequences a set", "mmd_real"),
    Metric("parzen_log_likelihood", "Parzen log-likelihood", "higher",
           "mean log-likelihood (nats per sequence) of real test data under a Gaussian window on generated data",
           "bandwidth chosen on half the real test data, scored on the other half", "parzen_log_likelihood_real"),
    Metric("autocorrelation_distance", "Autocorrelation distance", "lower (0 best)",
           "mean |difference| of the mean autocorrelation, lags 1 to min(T - 1, 20), over channels",
           "generated vs real test data", "autocorrelation_distance_real"),
    Metric("marginal_distance", "Marginal distance", "lower (0 best)",
           "mean |difference| of the per-step mean and standard deviation, over steps and channels",
           "generated vs real test data", "marginal_distance_real"),
    Metric("nearest_neighbour_ratio", "Memorisation check", "about 1 (near 0: copies training data)",
           "median distance of generated sequences to their nearest training sequence / to their nearest unseen real one",
           "training data vs held-out real data of equal size"),
)
LABEL_METRICS = ("tstr", "trts", "label_fidelity")
PICTURES = {"samples.png": "real and generated sequences, per channel and label", "pca.png": "PCA of real and generated sequences",
            "tsne.png": "t-SNE of real and generated sequences", "autocorrelation.png": "mean autocorrelation per lag",
            "marginals.png": "per-step mean +- standard deviation, per label", "losses.png": "training losses"}


def _on_one_thread(function: Callable) -> Callable:
    """Run ``function`` with torch on one CPU thread: the metrics' models are small, and on shared cores more
    threads made seconds-long metrics take minutes (spec, section 6)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return function(*args, **kwargs)
        finally:
            torch.set_num_threads(before)

    return wrapper


def _noise_floor(m: int) -> float:
    """The discriminative score of indistinguishable sets of ``m`` sequences (its test split holds 0.4 m)."""
    return 0.4 / math.sqrt(0.4 * m)


def _to_unit(reference: np.ndarray, *sets: np.ndarray) -> list[np.ndarray]:
    """Min-max scale ``sets`` per channel to [0, 1] with ``reference``'s range (TimeGAN's preprocessing)."""
    low, high = reference.min(axis=(0, 1)), reference.max(axis=(0, 1))
    return [((X - low) / (high - low + 1e-7)).astype(np.float32) for X in sets]


def _label_names(y, n: int) -> np.ndarray | None:
    if y is None:
        return None
    idx, classes = encode_labels(y, n)
    return np.asarray(classes, dtype=object)[idx].astype(str)


def _is_training_data(gan: GAN, X: np.ndarray, y) -> bool:
    seqs = as_sequences(X, y)
    return gan.data_fingerprint_ in {_fingerprint(seqs.X, seqs.y), _fingerprint(seqs.X, None)}


def _check_like_model(gan: GAN, X, name: str) -> np.ndarray:
    if getattr(gan.model_config_, "lengths", None):
        raise TsganError("the evaluation metrics compare sequences of one length, and this model generates series of unequal "
                         "length; evaluate a model trained on windows of one length (window= / --window)")
    arr = check_array(X, name)
    cfg = gan.model_config_
    if arr.shape[1:] != (cfg.length, cfg.channels):
        raise TsganError(
            f"{name} has sequences of {arr.shape[1]} steps x {arr.shape[2]} channel(s) but the model makes "
            f"{cfg.length} steps x {cfg.channels} channel(s); evaluate with data shaped like its training data"
        )
    return arr


def _check_labels(gan: GAN, names: np.ndarray | None, name: str) -> None:
    if names is not None and gan.classes_:
        unknown = sorted(set(names.tolist()) - set(gan.classes_))
        if unknown:
            raise TsganError(f"{name} hold class(es) {unknown[:5]} that the model does not know; it knows {gan.classes_}")


def describe_model(gan: GAN) -> str:
    """One line: families, loss, conditioning, training steps and sequence shape."""
    cfg = gan.model_config_
    steps = gan.history_[-1]["step"] if gan.history_ else gan.train_config_.steps
    if gan.technique("semi-supervised") is not None:
        conditioning = f"unconditional, semi-supervised discriminator of {len(gan.classes_)} classes ({', '.join(gan.classes_)})"
    else:
        conditioning = f"conditional on {len(gan.classes_)} classes ({', '.join(gan.classes_)})" if gan.classes_ else "unconditional"
    return (f"{cfg.generator}/{cfg.discriminator} ({gan.loss}), {conditioning}, {steps} training steps, "
            f"sequences of {cfg.length} steps x {cfg.channels} channel(s) ({', '.join(gan.channels_)})")


@_on_one_thread
def evaluate(model: GAN | str | Path, X, y=None, *, out_dir: str | Path, held_out=None, held_out_labels=None,
             n: int | None = None, seed: int = 0, quick: bool = False, data_name: str = "the given data",
             held_out_name: str | None = None, log: Callable[[str], None] | None = None) -> dict:
    """Measure the sample quality of ``model`` (a :class:`GAN`, a model file or a run folder) against real
    data, write ``out_dir/metrics.json``, ``out_dir/summary.md`` and the pictures, and return the metrics.

    ``X`` ``(n, T, d)`` (with labels ``y`` for conditional models) is the real data the model learnt from;
    ``held_out`` (with ``held_out_labels``) real data it never saw. Without ``held_out``, ``X`` is split
    80/20 into training and test parts and the memorisation check is skipped. ``n`` generated sequences
    (default: as many as the real training part) carry the real training part's label mix. Metrics
    that do not apply (label metrics without labels, TimeGAN's predictive score for one channel, ...)
    are ``None`` in the result, with the reason under ``"skipped"``. ``quick=True`` trains the post-hoc
    models for a few steps only: it checks the pipeline, its figures mean little. ``data_name`` and
    ``held_out_name`` describe the data in the report; ``log`` receives progress lines. Torch runs on
    one thread meanwhile.
    """
    say = log or (lambda message: None)
    check_writable(out_dir)  # before any metric is computed: an unwritable out_dir fails at once
    gan = model if isinstance(model, GAN) else load(model)
    gan._check_fitted()
    X = _check_like_model(gan, X, "the data")
    names = _label_names(y, len(X))
    _check_labels(gan, names, "the data's labels")
    rng = np.random.default_rng(seed)
    training_data = _is_training_data(gan, X, y)
    if held_out is not None:
        real_test = _check_like_model(gan, held_out, "the held-out data")
        test_names = _label_names(held_out_labels, len(real_test))
        _check_labels(gan, test_names, "the held-out labels")
        if names is not None and test_names is None:
            raise TsganError("the data are labelled but the held-out data are not; give held-out labels too")
        real_fit, fit_names = X, names
        split_note = held_out_name or "passed by the caller"
    else:
        if len(X) < 2:
            raise TsganError("evaluation needs at least 2 real sequences to split into training and test parts; pass more data or held_out")
        fit_idx, test_idx = stratified_split(names, 0.2, rng) if names is not None else (np.sort(i) for i in split(len(X), 0.2, rng))
        real_fit, real_test = X[fit_idx], X[test_idx]
        fit_names, test_names = (None, None) if names is None else (names[fit_idx], names[test_idx])
        split_note = (f"none given: {data_name} split 80/20{' per class' if names is not None else ''} (seed {seed}) into "
                      f"training and test parts{' - the test part was seen in training' if training_data else ''}")
    n = len(real_fit) if n is None else n
    if not isinstance(n, (int, np.integer)) or n < MIN_SAMPLES:
        raise TsganError(f"n must be a whole number >= {MIN_SAMPLES} (the discriminative score needs {MIN_SAMPLES} sequences), got {n!r}")

    conditional = gan.conditional and fit_names is not None  # a semi-supervised model knows classes, its generator does not
    say(f"sampling {n} sequences")
    sample_labels = np.resize(rng.permutation(fit_names), n) if conditional else None
    fake, fake_names = gan.sample(int(n), sample_labels, seed=seed, return_labels=True)
    if not conditional:
        fake_names = None

    result: dict = {
        "model": describe_model(gan),
        "model_path": None if isinstance(model, GAN) else str(model),
        "data": data_name,
        "data_is_training_data": training_data,
        "held_out": split_note,
        "n_real": len(X), "n_real_train": len(real_fit), "n_real_test": len(real_test), "n_synthetic": int(n),
        "classes": list(gan.classes_), "seed": seed, "quick": quick,
        "training_failed": None if getattr(gan, "diagnosis_", None) is None else str(gan.diagnosis_),
    }
    skipped: dict[str, str] = {}
    iterations = {k: (QUICK[k] if quick else None) for k in ("discriminative", "predictive")}
    classifier_steps = QUICK["classifier"] if quick else 400

    def measure(key: str, compute: Callable[[], float]) -> None:
        if key in skipped:
            result[key] = None
            return
        say(f"measuring {key}")
        try:
            result[key] = float(compute())
        except TsganError as exc:
            result[key], skipped[key] = None, str(exc)

    unit_fit, unit_fake = _to_unit(real_fit, real_fit, fake)
    measure("discriminative_score", lambda: discriminative_score(real_test, fake, seed=seed, iterations=iterations["discriminative"]))
    result["discriminative_noise_floor"] = _noise_floor(min(len(real_test), n))
    measure("discriminative_score_timegan", lambda: discriminative_score(
        unit_fit, unit_fake, protocol="timegan", seed=seed, iterations=iterations["discriminative"]))
    result["discriminative_noise_floor_timegan"] = _noise_floor(min(len(real_fit), n))
    measure("predictive_score", lambda: predictive_score(real_fit, fake, real_test=real_test, seed=seed, iterations=iterations["predictive"]))
    measure("predictive_score_real", lambda: predictive_score(real_fit, real_fit, real_test=real_test, seed=seed, iterations=iterations["predictive"]))
    measure("predictive_score_timegan", lambda: predictive_score(unit_fit, unit_fake, protocol="timegan", seed=seed, iterations=iterations["predictive"]))
    if "predictive_score_timegan" in skipped:
        skipped["predictive_score_timegan_real"] = skipped["predictive_score_timegan"]
    measure("predictive_score_timegan_real", lambda: predictive_score(unit_fit, unit_fit, protocol="timegan", seed=seed, iterations=iterations["predictive"]))

    if not conditional:
        why = ("the generator is not conditioned on labels" if not gan.conditional else "the data have no labels") + ": label metrics need a conditional model and labelled data"
        skipped.update({key: why for key in (*LABEL_METRICS, "trtr")})
    def classify() -> float:
        scores = classification_scores(real_fit, fit_names, fake, fake_names, real_test=real_test,
                                       real_test_labels=test_names, seed=seed, steps=classifier_steps)
        result.update(trts=scores.trts, trtr=scores.trtr)
        return scores.tstr

    measure("tstr", classify)
    for key in ("trts", "trtr"):
        if result["tstr"] is None:
            result[key] = None
            skipped.setdefault(key, skipped["tstr"])
    if fit_names is not None:  # one classifier of all labelled real data (TRTS is one fitted on the training part only)
        all_real, all_names = ((real_fit, fit_names) if test_names is None else
                               (np.concatenate([real_fit, real_test]), np.concatenate([fit_names, test_names])))
        real_classifier = cache(lambda: FittedClassifier(all_real, all_names, seed=seed, steps=classifier_steps))
    else:
        skipped["class_share_distance"] = "the data have no labels: class shares need labelled real data"
    measure("label_fidelity", lambda: label_fidelity(all_real, all_names, fake, fake_names, seed=seed, classifier=real_classifier()))
    measure("class_share_distance", lambda: class_share_distance(all_real, all_names, fake, seed=seed, classifier=real_classifier()))
    if "class_share_distance" in skipped:
        skipped["class_share_distance_real"] = skipped["class_share_distance"]
    measure("class_share_distance_real", lambda: class_share_distance(all_real, all_names, real_fit, seed=seed, classifier=real_classifier()))

    measure("mmd", lambda: mmd(real_test, fake, seed=seed))
    measure("mmd_real", lambda: mmd(real_test, real_fit, seed=seed))
    measure("parzen_log_likelihood", lambda: parzen_log_likelihood(fake, real_test, seed=seed))
    measure("parzen_log_likelihood_real", lambda: parzen_log_likelihood(real_fit, real_test, seed=seed))
    for key, metric in (("autocorrelation_distance", autocorrelation_distance), ("marginal_distance", marginal_distance)):
        measure(key, lambda metric=metric: metric(real_test, fake))
        measure(f"{key}_real", lambda metric=metric: metric(real_test, real_fit))

    if held_out is None:
        skipped["nearest_neighbour_ratio"] = (
            "needs real data the generator never saw (pass held_out, or --held-out PATH); a split of "
            + ("its training data" if training_data else "the given data") + " cannot show copying")
    measure("nearest_neighbour_ratio", lambda: nearest_neighbour_ratio(X, real_test, fake, seed=seed))
    say("measuring the Gaussian baseline")
    try:
        result["baseline"] = _baseline(result, real_fit, fit_names, real_test, test_names, sample_labels, seed=seed,
                                       iterations=iterations["discriminative"], classifier_steps=classifier_steps,
                                       real_classifier=real_classifier if fit_names is not None else None)
    except TsganError as exc:
        result["baseline"] = {"skipped": str(exc)}
    for metric in METRICS:
        result[f"{metric.key}_protocol"] = metric.protocol
    result["skipped"] = skipped

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say("drawing pictures")
    pictures = _draw(gan, out, real_fit, fit_names, fake, fake_names, seed=seed, quick=quick)
    write_text(out / "metrics.json", json.dumps(result, indent=2) + "\n", overwrite=True)
    write_text(out / "summary.md", summary(result, pictures), overwrite=True)
    return result


def _baseline(result: dict, real_fit, fit_names, real_test, test_names, sample_labels, *, seed: int, iterations,
              classifier_steps: int, real_classifier) -> dict:
    """The Gaussian baseline's section of the report: fitted on the real training part (per class where the model is
    conditional), sampled with the model's labels, measured like the model, and whether the model beats it."""
    conditional = sample_labels is not None
    baseline = GaussianBaseline().fit(real_fit, fit_names if conditional else None)
    fake, fake_names = baseline.sample(result["n_synthetic"], sample_labels, seed=seed)
    figures = comparison.figures(real_fit, fit_names, real_test, test_names, fake, fake_names, seed=seed,
                                 discriminative_iterations=iterations, classifier_steps=classifier_steps,
                                 real_classifier=real_classifier)
    verdict = comparison.beats(result, figures)
    return {"generator": baseline.describe() + ("" if conditional else ", one for all sequences"), **figures,
            "beats": verdict, "beats_everywhere": comparison.beats_everywhere(verdict)}


def _draw(gan: GAN, out: Path, real, real_names, fake, fake_names, *, seed: int, quick: bool) -> list[str]:
    points = QUICK["embedding_points"] if quick else 1000
    plot_real_vs_generated(real, real_names, fake, fake_names, out / "samples.png", seed=seed, channels=gan.channels_,
                           title=run_title(gan))
    for method in ("pca", "tsne"):
        plot_embedding(real, fake, out / f"{method}.png", method=method, max_points=points, seed=seed,
                       real_labels=real_names, fake_labels=fake_names)
    plot_autocorrelation(real, fake, out / "autocorrelation.png", channels=gan.channels_)
    plot_marginals(real, fake, out / "marginals.png", real_labels=real_names, fake_labels=fake_names, channels=gan.channels_)
    if gan.history_:
        plot_losses(gan.history_, out / "losses.png", resumes=getattr(gan, "resumes_", ()), title=f"training losses: {run_title(gan)}")
    return [name for name in PICTURES if (out / name).is_file()]


def _number(value) -> str:
    if value is None:
        return "-"
    return f"{value:#.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def baseline_verdict(baseline: dict) -> str:
    """One line: whether the model beats the Gaussian baseline on each decisive figure."""
    if "skipped" in baseline:
        return f"Gaussian baseline: not measured ({baseline['skipped']})"
    shown = {"discriminative_score": "discriminative score", "tstr": "TSTR", "label_fidelity": "label fidelity"}
    parts = [f"{shown[key]} {'yes' if baseline['beats'][key] else 'no'}" for key in comparison.DECISIVE if baseline["beats"][key] is not None]
    return "beats the Gaussian baseline: " + ", ".join(parts)


def _baseline_lines(baseline: dict) -> list[str]:
    """The summary's verdict against the Gaussian baseline, one line per figure compared."""
    lines = ["", "## Against the Gaussian baseline", ""]
    if "skipped" in baseline:
        return lines + [f"Not measured: {baseline['skipped']}."]
    lines += [f"The baseline is a {baseline['generator']}, fitted on the real training part and sampled with the model's "
              "labels: a reference every model must beat. The model "
              + ("beats it on every decisive figure (discriminative score, TSTR, label fidelity where measured)."
                 if baseline["beats_everywhere"] else "does **not** beat it on every decisive figure: it has not learnt more "
                 "than a Gaussian would of these data."), ""]
    names = {metric.key: metric.name for metric in METRICS}
    for key, beaten in baseline["beats"].items():
        if beaten is not None:
            lines.append(f"- {names[key]}: beats the Gaussian baseline: {'yes' if beaten else 'no'}"
                         + (" (decisive)" if key in comparison.DECISIVE else ""))
    return lines


def summary(result: dict, pictures: list[str]) -> str:
    """The one-page Markdown report for a result of :func:`evaluate`."""
    skipped = result["skipped"]
    lines = [
        "# Sample quality report", "",
        f"- **Model**: {result['model']}" + (f" (`{result['model_path']}`)" if result["model_path"] else ""),
        f"- **Real data**: {result['data']}, {result['n_real']} sequences"
        + (" - the model's training data" if result["data_is_training_data"] else
           " - not the model's training data (its fingerprint differs)"),
        f"- **Held-out real data**: {result['held_out']}",
        f"- **Compared**: {result['n_synthetic']} generated sequences"
        + (" with the real training part's label mix" if result["classes"] and "tstr" not in skipped else "")
        + f" vs {result['n_real_train']} real training and {result['n_real_test']} real test sequences; seed {result['seed']}",
    ]
    if result.get("training_failed"):
        lines.append(f"- **Training failed**: {result['training_failed']}")
    if result["quick"]:
        lines.append("- **Quick mode**: the post-hoc models trained a few steps only; these figures check the pipeline, not the model.")
    lines += ["", "## Metrics", "",
              "\"Real data\" puts real training sequences where the generated ones go: what a perfect generator would score.", "",
              "| metric | generated | real data | Gaussian baseline | better | what it means |", "|---|---|---|---|---|---|"]
    baseline = result.get("baseline", {})
    for metric in METRICS:
        value = result.get(metric.key)
        reference = result.get(metric.reference) if metric.reference else None
        shown = _number(value) if value is not None else "skipped"
        ref_text = _number(reference) if metric.reference else "about 1"
        if metric.reference == "trtr" and reference is not None:
            ref_text += " (TRTR)"
        elif metric.reference and metric.reference.startswith("discriminative_noise_floor"):
            ref_text += " (noise floor)"
        cells = [f"{metric.name} (`{metric.key}`)", shown, ref_text, _number(baseline.get(metric.key)), metric.better, metric.meaning]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines += _baseline_lines(baseline)
    lines += ["", "## Read with care", "",
              "- Always read TSTR and TRTS beside TRTR, the accuracy of a classifier trained and tested on real data.",
              "- The distribution metrics (discriminative score, MMD, predictive score, Parzen, marginal and autocorrelation "
              "distances) do not catch a generator that ignores its label: real data with shuffled labels passes them. Only "
              "TSTR / TRTS and label fidelity do"
              + (", and they were skipped here." if "tstr" in skipped else "."),
              f"- The discriminative score's noise floor is about 0.4 / sqrt(0.4 m) for m sequences a set: "
              f"{_number(result['discriminative_noise_floor'])} here; differences below it are noise.",
              "- The TimeGAN protocols follow the literature's reference code (weak classifier, tested on the training data) so "
              "they compare with published tables; the tsgan protocols test on real test data with stronger models.",
              "- The memorisation check " + ("compares against " + result["held_out"] + "." if result["nearest_neighbour_ratio"] is not None
                                              else "was skipped: it needs held-out real data (`--held-out PATH`).")]
    if not result["data_is_training_data"]:
        lines.append("- The real data given are not the model's training data, so \"training part\" means the given data, "
                     "and the memorisation check cannot see copying of data it was not given.")
    if skipped:
        lines += ["", "## Skipped", ""] + [f"- `{key}`: {reason}" for key, reason in skipped.items()]
    lines += ["", "## Pictures", ""]
    for name in pictures:
        lines += [f"**{PICTURES[name]}** (`{name}`)", "", f"![{PICTURES[name]}]({name})", ""]
    lines.append("All figures are in `metrics.json` (keys as in the table; `*_real` and `trtr` are the real-data references; "
                 "`*_protocol` says how each was measured).")
    return "\n".join(lines) + "\n"
