"""A generated set against the Gaussian baseline: the figures both are measured on (the strict discriminative
score, TSTR, label fidelity and the cheap distances) and the verdict, per figure, whether a model beats it."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..errors import TsganError
from .metrics import (FittedClassifier, autocorrelation_distance, class_share_distance, discriminative_score,
                      label_fidelity, marginal_distance, mmd)

# The figures compared, in the report's order, and which way is better.
COMPARED = {
    "discriminative_score": "lower", "tstr": "higher", "label_fidelity": "higher", "class_share_distance": "lower",
    "mmd": "lower", "autocorrelation_distance": "lower", "marginal_distance": "lower",
}
# Every model must beat the baseline on these (issue 19); the others are shown beside them.
DECISIVE = ("discriminative_score", "tstr", "label_fidelity")


def figures(real_fit, fit_names, real_test, test_names, fake, fake_names, *, seed: int = 0,
            discriminative_iterations: int | None = None, classifier_steps: int = 400,
            real_classifier: Callable[[], FittedClassifier] | None = None) -> dict:
    """The :data:`COMPARED` figures of one generated set ``fake`` (labels ``fake_names`` or None) against real data:
    the discriminative score (tsgan protocol) and the distances against ``real_test``, TSTR (a classifier trained
    on ``fake``, tested on ``real_test``), label fidelity and class share distance by a classifier of the real
    data (``real_classifier()`` when given, else one fitted on ``real_fit``). A figure that does not apply
    (label figures without labels) is None."""
    out: dict = {"discriminative_score": discriminative_score(real_test, fake, seed=seed, iterations=discriminative_iterations),
                 "mmd": mmd(real_test, fake, seed=seed),
                 "autocorrelation_distance": autocorrelation_distance(real_test, fake),
                 "marginal_distance": marginal_distance(real_test, fake)}
    labelled = fit_names is not None
    classifier = (real_classifier or (lambda: FittedClassifier(real_fit, fit_names, seed=seed, steps=classifier_steps))) if labelled else None
    conditional = labelled and fake_names is not None and test_names is not None
    out["tstr"] = (FittedClassifier(fake, fake_names, seed=seed, steps=classifier_steps).accuracy(real_test, test_names)
                   if conditional else None)
    out["label_fidelity"] = label_fidelity(None, None, fake, fake_names, classifier=classifier()) if conditional else None
    out["class_share_distance"] = (class_share_distance(real_fit, fit_names, fake, seed=seed, classifier=classifier())
                                   if labelled else None)
    return {key: None if out[key] is None else float(out[key]) for key in COMPARED}


def beats(model: dict, baseline: dict) -> dict:
    """Per figure of :data:`COMPARED`: True where ``model`` is strictly better than ``baseline``, False where not,
    None where either is missing."""
    verdict = {}
    for key, better in COMPARED.items():
        ours, theirs = model.get(key), baseline.get(key)
        if ours is None or theirs is None:
            verdict[key] = None
        else:
            verdict[key] = bool(ours < theirs) if better == "lower" else bool(ours > theirs)
    return verdict


def beats_everywhere(verdict: dict) -> bool:
    """Whether a model beats the baseline on every decisive figure that applies (:data:`DECISIVE`)."""
    decided = [verdict[key] for key in DECISIVE if verdict.get(key) is not None]
    if not decided:
        raise TsganError("no decisive figure was measured against the Gaussian baseline")
    return all(decided)
