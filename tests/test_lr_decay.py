"""Learning-rate decay: both players' rates follow the planned schedule step by step (constant, then linearly to
zero), off leaves them constant, a resumed run continues the schedule to the same model, and a resume that
would restart the schedule is refused with one line."""
from __future__ import annotations

import numpy as np
import pytest

import tsgan
from tsgan.objective.techniques.lr_decay import decay_factor
from tsgan.training.loop import Callback

TINY = {"batch_size": 8, "seed": 0, "device": "cpu", "progress": False, "log_every": 1}


class Rates(Callback):
    """Both optimizers' rates after each step, by step."""

    def __init__(self):
        self.seen = {}

    def on_log(self, trainer, records):
        self.seen[trainer.step] = (trainer.opt_g.param_groups[0]["lr"], trainer.opt_d.param_groups[0]["lr"])


def test_decay_factor_is_flat_then_linear_to_zero():
    assert [decay_factor(s, 10, 0.5) for s in (0, 3, 5, 6, 8, 10)] == pytest.approx([1, 1, 1, 0.8, 0.4, 0])
    assert decay_factor(0, 10, 1.0) == 1 and decay_factor(5, 10, 1.0) == pytest.approx(0.5)


@pytest.mark.parametrize("options, expected", [({"lr_decay": 0.5}, [1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0]),
                                                ({}, [1] * 10)])
def test_both_rates_follow_the_schedule(waves_data, options, expected):
    X, y = waves_data
    rates = Rates()
    tsgan.GAN(hidden=8, noise_dim=4, lr_g=1e-3, lr_d=2e-3, **options).fit(X, y, steps=10, callbacks=(rates,), **TINY)
    g, d = zip(*(rates.seen[s] for s in range(1, 11)))
    assert g == pytest.approx([1e-3 * f for f in expected]) and d == pytest.approx([2e-3 * f for f in expected])


def test_the_last_updates_move_the_generator_less_than_constant_rates(waves_data):
    """With the decay the final step's update is a fifth of the full rate's: the weights end closer to where they
    were a step before (measured, not assumed: a schedule that did nothing fails this)."""
    X, y = waves_data

    def last_move(options):
        class Keep(Callback):
            def on_log(self, trainer, records):
                if trainer.step == 9:
                    self.before = [p.detach().clone() for p in trainer.G.parameters()]
                self.after = list(trainer.G.parameters())

        keep = Keep()
        tsgan.GAN(hidden=8, noise_dim=4, **options).fit(X, y, steps=10, callbacks=(keep,), **TINY)
        return sum(float((a.detach() - b).abs().sum()) for a, b in zip(keep.after, keep.before))

    assert last_move({"lr_decay": 0.5}) < 0.5 * last_move({})


def test_resumed_run_continues_the_schedule_and_refuses_a_new_plan(waves_data, tmp_path):
    X, y = waves_data
    whole = tsgan.GAN(hidden=8, noise_dim=4, lr_decay=0.5).fit(X, y, steps=6, **TINY)

    class StopAtThree(Callback):
        def on_log(self, trainer, records):
            if trainer.step == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tsgan.GAN(hidden=8, noise_dim=4, lr_decay=0.5).fit(X, y, steps=6, out_dir=tmp_path, callbacks=(StopAtThree(),), **TINY)
    resumed = tsgan.GAN(hidden=8, noise_dim=4, lr_decay=0.5).fit(X, y, steps=6, out_dir=tmp_path, resume=True, **TINY)
    np.testing.assert_array_equal(resumed.sample(5, seed=1), whole.sample(5, seed=1))
    with pytest.raises(tsgan.TsganError, match="decays its learning rates to zero at step 6; resuming it to 12 steps"):
        tsgan.GAN(hidden=8, noise_dim=4, lr_decay=0.5).fit(X, y, steps=12, out_dir=tmp_path, resume=True, **TINY)


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_a_fraction_outside_the_run_is_refused(value):
    with pytest.raises(tsgan.TsganError, match=r"lr_decay must be in \(0, 1\]"):
        tsgan.GAN(lr_decay=value)


def test_command_line_flag_and_config(tmp_path):
    from tsgan.cli import main

    assert main(["train", "--steps", "4", "--batch-size", "8", "--hidden", "8", "--lr-decay", "--no-progress",
                 "--out", str(tmp_path / "run")]) == 0
    assert tsgan.load(tmp_path / "run" / "model.pt").get_params()["lr_decay"] == 0.5
    assert "lr_decay = 0.5" in (tmp_path / "run" / "config.toml").read_text()
