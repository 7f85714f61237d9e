"""Label-aware metrics: label fidelity and TSTR / TRTS / TRTR accuracies for conditional generators, and
the class share distance for any generator of labelled data.

Only these catch a generator that ignores its label: real data with shuffled labels passes the
distribution metrics (discriminative score, MMD, predictive score). The class share distance catches a
generator that drops a class, which MMD can miss (on waves, feature matching matched MMD best of all the
techniques while making almost no sawtooth waves: benchmarks/TECHNIQUES.md)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data import check_array, encode_labels
from ...errors import TsganError
from .classifiers import FittedClassifier
from .training import check_like, stratified_split


def label_fidelity(real, real_labels, synthetic, synthetic_labels, *, seed: int = 0, classifier: FittedClassifier | None = None) -> float:
    """Fraction of conditional samples that a classifier fitted on real data assigns their requested label
    (1.0 best; a generator that ignores its label scores about 1 / K).

    The classifier is ``classifier`` when given, else a :class:`FittedClassifier` trained on
    ``(real, real_labels)`` with ``seed`` (400 Adam steps of batch 64)."""
    clf = classifier or FittedClassifier(real, real_labels, seed=seed)
    return clf.accuracy(synthetic, synthetic_labels)


def class_share_distance(real, real_labels, synthetic, *, seed: int = 0, classifier: FittedClassifier | None = None) -> float:
    """Total variation distance between the real data's class shares and the shares of the classes a classifier
    fitted on real data assigns the synthetic sequences: ``0.5 * sum_k |share_synthetic(k) - share_real(k)|``.
    0 when every class comes out as often as in the real data; 0.5 when one of two balanced classes is never
    generated; 1 - the largest real share when every sample falls in that class. Needs no synthetic labels,
    so it measures unconditional generators too (a conditional one is asked for the classes in the real
    shares; there it adds to label fidelity which classes its mistakes fall in).

    The classifier is ``classifier`` when given, else a :class:`FittedClassifier` trained on
    ``(real, real_labels)`` with ``seed`` (400 Adam steps of batch 64); it is imperfect, so real sequences
    it did not train on score a little above 0."""
    real_arr = check_array(real, "real")
    synth_arr = check_like(real_arr, synthetic, "synthetic", "real")
    real_y = _names(real_labels, len(real_arr), "real_labels")
    clf = classifier or FittedClassifier(real_arr, real_y, seed=seed)
    predicted = clf.predict(synth_arr)
    classes = sorted(set(real_y.tolist()) | set(clf.classes))
    return float(0.5 * sum(abs(np.mean(predicted == k) - np.mean(real_y == k)) for k in classes))


@dataclass(frozen=True)
class ClassificationScores:
    """Accuracies of classifiers trained on one set and tested on another (higher is better).

    ``tstr``: trained on synthetic, tested on real test data; ``trts``: trained on real training data,
    tested on synthetic; ``trtr``: trained on real training data, tested on real test data (the
    ceiling to read the other two against; TSTR on junk is not chance level, so always show TRTR)."""

    tstr: float
    trts: float
    trtr: float


def _names(y, n: int, name: str) -> np.ndarray:
    """Labels as strings (the class names classifiers use), validated; :class:`TsganError` when missing."""
    if y is None:
        raise TsganError(f"classification scores need {name}: one class label per sequence")
    idx, classes = encode_labels(y, n)
    return np.asarray(classes, dtype=object)[idx].astype(str)


def _require_seen(test_labels: np.ndarray, train_labels: np.ndarray, test_name: str, train_name: str) -> None:
    unseen = sorted(set(test_labels.tolist()) - set(train_labels.tolist()))
    if unseen:
        raise TsganError(
            f"class(es) {unseen[:5]} in {test_name} never appear in {train_name}, so a classifier trained there "
            f"cannot predict them; give {train_name} every class"
        )


def classification_scores(
    real,
    real_labels,
    synthetic,
    synthetic_labels,
    *,
    real_test=None,
    real_test_labels=None,
    seed: int = 0,
    steps: int = 400,
) -> ClassificationScores:
    """TSTR, TRTS and TRTR accuracies (see :class:`ClassificationScores`).

    Protocol: when ``real_test`` is None, ``(real, real_labels)`` is split 80/20 per class (seeded with
    ``numpy.random.default_rng(seed)``; a class with one sequence stays in training) into real train
    and real test; otherwise ``real`` is the real training set and ``(real_test, real_test_labels)``
    the test set. Each classifier is a :class:`FittedClassifier` (1-D CNN, inputs standardised with its
    training set's statistics, ``steps`` Adam steps of batch 64, seeded with ``seed``): one trained on
    ``(synthetic, synthetic_labels)``, one on the real training set. Every class in a test set must
    occur in the corresponding training set, else :class:`TsganError`.
    """
    real_arr = check_array(real, "real")
    synth_arr = check_like(real_arr, synthetic, "synthetic", "real")
    real_y = _names(real_labels, len(real_arr), "real_labels")
    synth_y = _names(synthetic_labels, len(synth_arr), "synthetic_labels")
    if real_test is None:
        if real_test_labels is not None:
            raise TsganError("real_test_labels given without real_test; pass both or neither")
        train, test = stratified_split(real_y, 0.2, np.random.default_rng(seed))
        if len(test) == 0:
            raise TsganError("too few real sequences to hold out a test set; need at least 2 of some class, or pass real_test")
        train_x, train_y, test_x, test_y = real_arr[train], real_y[train], real_arr[test], real_y[test]
    else:
        train_x, train_y = real_arr, real_y
        test_x = check_like(real_arr, real_test, "real_test", "real")
        test_y = _names(real_test_labels, len(test_x), "real_test_labels")
    _require_seen(test_y, synth_y, "the real test set", "the synthetic labels")
    _require_seen(synth_y, train_y, "the synthetic labels", "the real training set")
    _require_seen(test_y, train_y, "the real test set", "the real training set")
    on_synthetic = FittedClassifier(synth_arr, synth_y, seed=seed, steps=steps)
    on_real = FittedClassifier(train_x, train_y, seed=seed, steps=steps)
    return ClassificationScores(
        tstr=on_synthetic.accuracy(test_x, test_y),
        trts=on_real.accuracy(synth_arr, synth_y),
        trtr=on_real.accuracy(test_x, test_y),
    )
