"""A short seeded training run where the label must matter, with controls that must fail the same checks:
a generator that ignores its label, one that outputs noise, and one that copies its training data."""
import numpy as np
import pytest
import torch

import tsgan
from tsgan.evaluation.metrics import FittedClassifier, label_fidelity, nearest_neighbour_ratio

FIDELITY = 0.8  # chance is 0.5 for two balanced classes
NOT_COPYING = 0.75  # memorisation ratio (share nearer unseen data than training data): about 1 when not copying, 0 for a copier


@pytest.fixture(scope="module")
def trained():
    X, y = tsgan.make_waves(600, seed=0)
    gan = tsgan.GAN("mlp", "conv", hidden=64).fit(X, y, steps=1500, batch_size=64, seed=0, lr_d=1e-3, progress=False)
    return gan, X, y, FittedClassifier(X, y, seed=0, steps=300)


def _fidelity(clf, fake, labels) -> float:
    return label_fidelity(None, None, fake, labels, classifier=clf)


def _requested(n: int) -> np.ndarray:
    return np.array(["sine", "sawtooth"])[np.arange(n) % 2]


def test_label_matters_after_training(trained):
    gan, X, y, clf = trained
    labels = _requested(400)
    assert _fidelity(clf, gan.sample(400, labels, seed=1), labels) >= FIDELITY


def test_label_ignoring_generator_fails(trained):
    gan, X, y, clf = trained
    labels = _requested(400)
    fake = gan.sample(400, labels, seed=1)
    ignored = fake[np.random.default_rng(0).permutation(400)]  # same samples, labels no longer followed
    assert _fidelity(clf, ignored, labels) < FIDELITY


def test_noise_generator_fails(trained):
    gan, X, y, clf = trained
    labels = _requested(400)
    noise = np.random.default_rng(0).uniform(-0.9, 0.9, size=(400, 30, 1)).astype(np.float32)
    assert _fidelity(clf, noise, labels) < FIDELITY


def test_samples_do_not_copy_training_data(trained):
    gan, X, y, clf = trained
    held_out, _ = tsgan.make_waves(300, seed=99)
    assert nearest_neighbour_ratio(X, held_out, gan.sample(300, seed=2)) >= NOT_COPYING
    copier = X[np.random.default_rng(0).choice(len(X), 300)]
    assert nearest_neighbour_ratio(X, held_out, copier) < NOT_COPYING


def test_training_is_seeded(trained):
    gan, X, y, clf = trained
    again = tsgan.GAN("lstm", "conv", hidden=32).fit(X[:128], y[:128], steps=3, batch_size=64, seed=0, progress=False)
    twice = tsgan.GAN("lstm", "conv", hidden=32).fit(X[:128], y[:128], steps=3, batch_size=64, seed=0, progress=False)
    assert np.array_equal(again.sample(8, "sine", seed=0), twice.sample(8, "sine", seed=0))
    assert torch.equal(next(again.generator_.parameters()), next(twice.generator_.parameters()))
