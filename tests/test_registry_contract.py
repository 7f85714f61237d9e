"""One contract over everything registered: every technique and variant with every loss and family pair,
conditional and not, either is refused with a clear error before training or trains (finite losses, moved
weights, finite samples), round-trips through a model file, is seeded-deterministic and resumes bitwise.
The grid is built from the registries, so a technique is tested the day it is registered."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import tsgan
from tsgan.objective.losses import LOSSES
from tsgan.objective.technique import TECHNIQUES, options_of

PAIRS = (("lstm", "mlp"), ("mlp", "conv"), ("conv", "lstm"))
TINY = {"hidden": 8, "noise_dim": 4}
FIT = {"batch_size": 8, "seed": 0, "device": "cpu", "progress": False}


def turned_on(name: str) -> dict:
    """GAN keyword arguments that turn the registered technique or variant ``name`` on."""
    cls = TECHNIQUES[name]
    if cls.game:
        return {"variant": name}
    options = {}
    for f in options_of(cls):
        off = f.metadata.get("off")
        if off is not None:
            on = f.default if f.default != off else (f.metadata.get("const") or 0.1)
            options[f.name] = on
        elif f.default is None:  # a switch off by default with no value of its own (dp_epsilon): a generous one
            options[f.name] = f.metadata.get("const") or 8.0
    return options


def grid():
    for name, (i, pair), loss in itertools.product(sorted(TECHNIQUES), enumerate(PAIRS), LOSSES):
        yield pytest.param(name, pair, loss, (i + list(LOSSES).index(loss)) % 2 == 0, id=f"{name}-{'-'.join(pair)}-{loss}")


def weights(module: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()])


@pytest.mark.parametrize("name, pair, loss, conditional", list(grid()))
def test_registered_technique_trains_or_is_refused(name, pair, loss, conditional, waves_data, tmp_path):
    torch.set_num_threads(1)
    X, y = waves_data
    labels = y if conditional or name == "semi-supervised" else None
    try:
        gan = tsgan.GAN(*pair, loss=loss, **TINY, **turned_on(name))
        untrained = tsgan.GAN(*pair, loss=loss, **TINY, **turned_on(name)).fit(X, labels, steps=0, **FIT)
    except tsgan.TsganError as exc:  # refused before training: one line, naming the problem
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    try:
        gan.fit(X, labels, steps=2, **FIT)
    except tsgan.TsganError as exc:  # refused for these steps and data before training (a privacy budget), one line
        assert "\n" not in str(exc) and len(str(exc)) < 400 and not getattr(gan, "history_", [])
        return
    assert gan.technique(name) is not None or gan.variant_.name == name
    assert len(gan.history_) == 2 and all(np.isfinite(v) for r in gan.history_ for v in r.values())
    assert not torch.equal(weights(gan.generator_), weights(untrained.generator_))
    assert not torch.equal(weights(gan.discriminator_), weights(untrained.discriminator_))
    fake = gan.sample(4, seed=0)
    assert fake.shape == (4, X.shape[1], X.shape[2]) and np.isfinite(fake).all()
    gan.save(tmp_path / "model.pt")
    loaded = tsgan.load(tmp_path / "model.pt")
    assert [t.config() for t in loaded.techniques_] == [t.config() for t in gan.techniques_]
    assert np.array_equal(loaded.sample(4, seed=0), fake)


def first_valid(name: str) -> tuple:
    """A loss and family pair the technique trains with (the contract test above checks the others)."""
    for pair, loss in itertools.product(PAIRS, LOSSES):
        try:
            tsgan.GAN(*pair, loss=loss, **TINY, **turned_on(name))
            return pair, loss
        except tsgan.TsganError:
            continue
    pytest.fail(f"{name} combines with no loss and family pair")


@pytest.mark.parametrize("name", sorted(TECHNIQUES))
def test_registered_technique_is_deterministic_and_resumes_bitwise(name, waves_data, tmp_path):
    torch.set_num_threads(1)
    X, y = waves_data
    if not TECHNIQUES[name].resumes_to_more_steps:
        pytest.skip("resumes to the steps it started with only; its own tests resume an interrupted run")
    pair, loss = first_valid(name)
    make = lambda: tsgan.GAN(*pair, loss=loss, **TINY, **turned_on(name))  # noqa: E731
    full = make().fit(X, y, steps=4, **FIT)
    again = make().fit(X, y, steps=4, **FIT)
    other = make().fit(X, y, steps=4, **{**FIT, "seed": 1})
    assert torch.equal(weights(full.sampler_), weights(again.sampler_))
    assert not torch.equal(weights(full.sampler_), weights(other.sampler_))
    make().fit(X, y, steps=2, out_dir=tmp_path, checkpoint_every=2, **FIT)
    resumed = make().fit(X, y, steps=4, out_dir=tmp_path, resume=True, checkpoint_every=2, **FIT)
    for a, b in ((full.generator_, resumed.generator_), (full.discriminator_, resumed.discriminator_), (full.sampler_, resumed.sampler_)):
        assert torch.equal(weights(a), weights(b))
    assert np.array_equal(full.sample(4, seed=0), resumed.sample(4, seed=0))
