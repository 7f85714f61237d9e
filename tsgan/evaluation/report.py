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
from .summary import LABEL_METRICS, METRICS, PICTURES, summary
from .plots import plot_autocorrelation, plot_embedding, plot_losses, plot_marginals, plot_real_vs_generated, run_title

# Training budgets of the post-hoc models with quick=True: seconds instead of minutes, figures meaningless.
QUICK = {"discriminative": 60, "predictive": 60, "classifier": 40, "embedding_points": 200}
MIN_SAMPLES = 10  # the discriminative score's minimum per set
PER_CLASS_MAX = 10  # classes scored one by one (a classifier each) at most


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
    result["discriminative_score_per_class"] = result["discriminative_noise_floor_per_class"] = None
    if not conditional:  # then labelled data always come with labelled test data (checked above)
        skipped["discriminative_score_per_class"] = "needs a conditional model and labelled real test data"
    elif len(set(test_names.tolist())) > PER_CLASS_MAX:
        skipped["discriminative_score_per_class"] = f"more than {PER_CLASS_MAX} classes: one classifier per class would take too long"
    else:
        say("measuring the discriminative score per class")
        try:
            result.update(_per_class(real_test, test_names, fake, fake_names, seed=seed, iterations=iterations["discriminative"]))
        except TsganError as exc:
            skipped["discriminative_score_per_class"] = str(exc)
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
    measure("nearest_neighbour_ratio", lambda: nearest_neighbour_ratio(X, real_test, fake))
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


def _per_class(real_test, test_names, fake, fake_names, *, seed: int, iterations) -> dict:
    """The discriminative score within each class (real test sequences of a label against generated ones of that
    label) and its noise floor: which class gives the samples away. ``None`` where a class has too few sequences."""
    scores, floors = {}, {}
    fake_names = np.asarray(fake_names)
    for label in sorted(set(test_names.tolist())):
        real, made = real_test[test_names == label], fake[fake_names == label]
        m = min(len(real), len(made))
        scores[str(label)] = float(discriminative_score(real, made, seed=seed, iterations=iterations)) if m >= MIN_SAMPLES else None
        floors[str(label)] = _noise_floor(m) if m >= MIN_SAMPLES else None
    return {"discriminative_score_per_class": scores, "discriminative_noise_floor_per_class": floors}


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
