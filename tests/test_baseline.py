"""The Gaussian baseline (tsgan.GaussianBaseline) and the comparison against it: its samples have the classes' means
and covariances, it refuses what it cannot model, and the verdict tells a good generator from noise and from one
that ignores its labels (the report's baseline section: tests/test_evaluate.py)."""
from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

import tsgan
from tsgan.evaluation import comparison
from tsgan.evaluation.baseline import GaussianBaseline, gaussian_baseline
from tsgan.evaluation.metrics import FittedClassifier
from tsgan.evaluation.report import QUICK

N = 150  # sequences a set: the quick metrics take a few seconds each
CLASSIFIER_STEPS = 150


def waves(seed: int, n: int = N):
    X, y = tsgan.make_waves(n, seed=seed)
    return X, np.asarray(y).astype(str)


def test_samples_have_each_class_mean_and_covariance():
    """Many samples of a class reproduce its mean and covariance (to sampling error), in both factor forms:
    a class with fewer sequences than values (the centred rows) and one with more (Cholesky)."""
    rng = np.random.default_rng(0)
    few = rng.normal(size=(12, 5, 2)) + 3.0
    many = rng.normal(size=(60, 5, 2)) * np.linspace(0.5, 2, 10).reshape(5, 2) - 1.0
    X, y = np.concatenate([few, many]), ["few"] * 12 + ["many"] * 60
    baseline = GaussianBaseline(ridge=1e-3).fit(X, y)
    for name, real in (("few", few), ("many", many)):
        fake, names = baseline.sample(40_000, name, seed=1)
        assert set(names) == {name}
        flat, real_flat = fake.reshape(len(fake), -1).astype(np.float64), real.reshape(len(real), -1)
        np.testing.assert_allclose(flat.mean(0), real_flat.mean(0), atol=0.05)
        np.testing.assert_allclose(np.cov(flat, rowvar=False), np.cov(real_flat, rowvar=False), atol=0.1)


def test_class_shares_seeds_and_labels():
    """Without labels classes come as often as in the data; the same seed gives the same samples; asked labels are kept."""
    X, y = waves(0, 400)
    baseline = GaussianBaseline().fit(X, y)
    fake, names = baseline.sample(4000, seed=3)
    assert abs(np.mean(names == "sine") - np.mean(y == "sine")) < 0.03
    again, _ = baseline.sample(4000, seed=3)
    other, _ = baseline.sample(4000, seed=4)
    assert np.array_equal(fake, again) and not np.array_equal(fake, other)
    asked = np.array(["sine", "sawtooth"] * 5)
    assert np.array_equal(baseline.sample(10, asked, seed=0)[1], asked)
    unlabelled, none = gaussian_baseline(X, n=20, seed=0)
    assert unlabelled.shape == (20, *X.shape[1:]) and unlabelled.dtype == np.float32 and none is None


@pytest.mark.parametrize("bad, message", [
    (lambda X, y: GaussianBaseline().fit(np.where(np.arange(X.shape[1])[None, :, None] > 20, np.nan, X), y), "one length"),
    (lambda X, y: GaussianBaseline().fit(X[:1], y[:1]), "at least 2"),
    (lambda X, y: GaussianBaseline().fit(X, y).sample(5, "square"), "unknown label"),
    (lambda X, y: GaussianBaseline().fit(X).sample(5, "sine"), "without labels"),
    (lambda X, y: GaussianBaseline().sample(5), "not fitted"),
    (lambda X, y: GaussianBaseline(ridge=0), "ridge"),
])
def test_what_it_cannot_model_is_a_clear_error(bad, message):
    X, y = waves(0, 20)
    with pytest.raises(tsgan.TsganError, match=message):
        bad(X, y)


@pytest.fixture(scope="module")
def judged():
    """The comparison figures of the baseline and of three synthetic generators on waves: unseen real waves (a good
    generator), uniform noise, and unseen real waves labelled with the other class (a label-ignoring generator)."""
    torch.set_num_threads(1)
    (X, y), (X_test, y_test), (X_good, y_good) = waves(0), waves(1), waves(2)
    fake, names = GaussianBaseline().fit(X, y).sample(N, y, seed=0)
    real_classifier = functools.cache(lambda: FittedClassifier(X, y, seed=0, steps=CLASSIFIER_STEPS))
    measure = lambda F, names: comparison.figures(X, y, X_test, y_test, F, names, seed=0, classifier_steps=CLASSIFIER_STEPS,
                                                  discriminative_iterations=QUICK["discriminative"], real_classifier=real_classifier)
    noise = np.random.default_rng(0).uniform(-1, 1, X_good.shape).astype(np.float32)
    swapped = np.where(y_good == "sine", "sawtooth", "sine")
    return {"baseline": measure(fake, names), "good": measure(X_good, y_good), "noise": measure(noise, y_good),
            "label-ignoring": measure(X_good, swapped)}


def test_a_good_generator_beats_the_baseline(judged):
    verdict = comparison.beats(judged["good"], judged["baseline"])
    assert all(verdict[key] for key in comparison.DECISIVE), verdict
    assert comparison.beats_everywhere(verdict)
    assert judged["baseline"]["discriminative_score"] > judged["good"]["discriminative_score"] + 0.1


def test_noise_does_not_beat_the_baseline(judged):
    verdict = comparison.beats(judged["noise"], judged["baseline"])
    assert not any(verdict[key] for key in comparison.DECISIVE), verdict
    assert not comparison.beats_everywhere(verdict)


def test_a_label_ignoring_generator_does_not_beat_the_baseline(judged):
    """Real waves under the wrong labels pass the discriminative score, and only the label figures catch them."""
    verdict = comparison.beats(judged["label-ignoring"], judged["baseline"])
    assert verdict["discriminative_score"] and not verdict["tstr"] and not verdict["label_fidelity"]
    assert not comparison.beats_everywhere(verdict)


def test_the_baseline_keeps_the_labels_on_waves(judged):
    """A classifier trained on the baseline's samples labels real waves almost perfectly (TSTR); a classifier of
    real waves finds most baseline samples in their class, well above the 0.5 of a label-ignoring generator."""
    assert judged["baseline"]["tstr"] >= 0.9
    assert judged["baseline"]["label_fidelity"] >= 0.6 > judged["label-ignoring"]["label_fidelity"]
