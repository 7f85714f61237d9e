"""scikit-learn / sktime conventions on tsgan.GAN: get_params / set_params, sklearn.base.clone, training
settings in the constructor or in fit (fit's override that call), and a repr of the settings given."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

import tsgan

FIT = {"steps": 2, "batch_size": 8, "seed": 3, "device": "cpu", "progress": False}


def _gan(**options) -> tsgan.GAN:
    return tsgan.GAN("mlp", "conv", loss="wgan-gp", hidden=8, noise_dim=4, **options)


def test_clone_copies_every_setting_and_no_fitted_state(waves_data):
    X, y = waves_data
    gan = _gan(**FIT, minibatch_kernels=4, ema_decay=0.9, techniques=["feature-matching"])
    params = gan.get_params()
    assert {"generator", "loss", "hidden", "techniques", "variant", "steps", "seed", "minibatch_kernels", "ema_decay"} <= set(params)
    assert params["minibatch_kernels"] == 4 and params["steps"] == 2 and params["techniques"] == ["feature-matching"]
    gan.fit(X, y)
    copy = clone(gan)
    assert copy.get_params() == params and not hasattr(copy, "sampler_") and not hasattr(copy, "history_")
    copy.fit(X, y)  # the same settings train the same model
    assert [t.config() for t in copy.techniques_] == [t.config() for t in gan.techniques_]
    np.testing.assert_array_equal(copy.sample(6, seed=0), gan.sample(6, seed=0))


def test_clone_keeps_a_variant_object():
    gan = tsgan.GAN("conv", "conv", variant=tsgan.InfoGAN(categorical=3), steps=5)
    copy = clone(gan)
    assert copy.variant is not gan.variant and copy.variant.config() == gan.variant.config()


def test_constructor_and_fit_take_the_same_training_settings(waves_data):
    X, y = waves_data
    given_early = _gan(**FIT).fit(X, y)
    given_late = _gan().fit(X, y, **FIT)
    np.testing.assert_array_equal(given_early.sample(5, seed=0), given_late.sample(5, seed=0))
    overridden = _gan(**{**FIT, "steps": 7, "seed": 0}).fit(X, y, steps=2, seed=3)  # fit's options win, for that call
    assert overridden.train_config_.steps == 2 and overridden.get_params()["steps"] == 7
    np.testing.assert_array_equal(overridden.sample(5, seed=0), given_late.sample(5, seed=0))


def test_set_params_changes_settings_and_refuses_bad_ones_unchanged(waves_data):
    X, y = waves_data
    gan = _gan(**FIT)
    assert gan.set_params(steps=3, loss="gan", real_target=0.8) is gan
    assert gan.get_params()["loss"] == "gan" and gan.get_params()["real_target"] == 0.8
    gan.fit(X, y)
    assert gan.train_config_.steps == 3 and gan.technique("label-smoothing").real_target == 0.8
    for bad, match in (({"stepz": 3}, "unknown training option"), ({"generator": "gru"}, "gru"),
                       ({"steps": 5, "batch_size": 0}, "batch_size")):
        with pytest.raises(tsgan.TsganError, match=match):
            gan.set_params(**bad)
        assert gan.get_params()["steps"] == 3 and gan.generator == "mlp" and "stepz" not in gan.get_params()


def test_repr_shows_the_settings_not_at_their_default():
    assert repr(tsgan.GAN()) == "GAN()"
    text = repr(tsgan.GAN("mlp", "mlp", steps=300, minibatch_kernels=8))
    assert "generator='mlp'" in text and "steps=300" in text and "minibatch_kernels=8" in text
    assert "discriminator" not in text and "loss" not in text


def test_a_gan_equals_only_itself():
    gan = tsgan.GAN()
    assert gan != clone(gan) and gan == gan and len({gan, clone(gan)}) == 2
