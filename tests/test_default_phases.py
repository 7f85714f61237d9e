"""The default waves model's phases spread as the real ones do (before, every generated sawtooth started at nearly
one phase). Training the default to the point where phases mean anything takes minutes, so a stored model is judged:
``tests/data/waves_default_4000.pt``, written by ``tsgan train --steps 4000 --out RUN`` (the default recipe, seed 0,
history dropped) - a test below fails when the default recipe changes, saying to write it anew the same way."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import tsgan

STORED = Path(__file__).parent / "data" / "waves_default_4000.pt"
# Real against real waves: 0.09 (sawtooth) / 0.07 (sine) for 500 of each; a generator of one phase: about 0.875;
# the zero-state LSTM pair, the default before: 0.36-0.49 (sawtooth) at 4,000-12,000 steps (benchmarks/RECIPES.md).
PHASE_BAR = 0.2


def _phase_gaps(fake: np.ndarray, fake_y: np.ndarray, real: np.ndarray, real_y: np.ndarray) -> dict[str, float]:
    """Per class: the phase distance of the generated waves to the real ones."""
    return {c: tsgan.phase_distance(tsgan.wave_properties(real[real_y == c])["phase"],
                                    tsgan.wave_properties(fake[fake_y == c])["phase"]) for c in np.unique(real_y)}


@pytest.fixture(scope="module")
def held_out():
    return tsgan.make_waves(1000, 30, seed=1)  # tsgan train trains on make_waves(1000, 30, seed=0)


def test_the_stored_model_is_the_default_recipe():
    stored = tsgan.load(STORED)
    X, y = tsgan.make_waves(1000, 30, seed=0)
    fresh = tsgan.GAN().fit(X, y, steps=1, seed=0, progress=False)
    assert dataclasses.asdict(stored.model_config_) == dataclasses.asdict(fresh.model_config_), \
        f"the default model changed: write {STORED.name} anew (tsgan train --steps 4000, then drop its history)"
    assert [t.config() for t in stored.techniques_] == [t.config() for t in fresh.techniques_]


def test_the_default_models_phases_spread_like_the_real_ones(held_out):
    X, y = held_out
    fake = tsgan.load(STORED).sample(len(X), y, seed=5)
    properties = tsgan.wave_properties(fake)
    # waves, not noise (whose strongest frequency lands anywhere up to 15 cycles): phases of noise mean nothing
    assert np.mean((properties["frequency"] >= 0.75) & (properties["frequency"] <= 5.5)) > 0.95
    gaps = _phase_gaps(fake, y, X, y)
    assert max(gaps.values()) < PHASE_BAR, gaps


def test_waves_of_one_phase_fail_the_same_check(held_out):
    X, y = held_out
    one_phase, one_y = tsgan.make_waves(1000, 30, seed=3, phase=(0.3, 0.3))
    gaps = _phase_gaps(one_phase, one_y, X, y)
    assert min(gaps.values()) > 0.6, gaps
    narrow, narrow_y = tsgan.make_waves(1000, 30, seed=3, phase=(-1.0, 1.0))  # a third of the circle
    assert max(_phase_gaps(narrow, narrow_y, X, y).values()) > PHASE_BAR
