"""The judge in the loop: the judge tells real from generated and catches a generator ignoring its label; a run
built to degrade late keeps a better generator than its last; judging leaves the training bitwise as it was;
a resumed run keeps the best; off, nothing changes; the command line writes the curve."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.data import to_long, write_table
from tsgan.evaluation.judge import Judge
from tsgan.evaluation.metrics import marginal_distance
from tsgan.objective.technique import sampling_generator

SMALL = {"hidden": 8, "noise_dim": 4}
FIT = {"batch_size": 16, "seed": 0, "device": "cpu", "progress": False, "judge_steps": 30}
CORRUPT_AFTER = 25


@pytest.fixture(scope="module")
def waves():
    return tsgan.make_waves(120, 16, seed=0)


@pytest.fixture(scope="module")
def shifted_noise():
    """Labelled Gaussian sequences, one mean per class: a few steps of a small GAN come near them."""
    y = np.repeat(["low", "high"], 60)
    X = np.random.default_rng(0).normal(size=(120, 16, 1)) * 0.3 + np.where(y == "low", -0.5, 0.5)[:, None, None]
    return X.astype(np.float32), y


def judge_of(X: np.ndarray, y: np.ndarray, steps: int = 60) -> Judge:
    X, y = torch.from_numpy(X), torch.from_numpy(np.unique(y, return_inverse=True)[1])
    return Judge(X[:160], X[160:], y[:160], y[160:], seed=0, steps=steps, label_steps=steps)


def pool_generator(X: np.ndarray, y: np.ndarray, *, faithful: bool = True):
    """A "generator" drawing real sequences from a pool: of the asked class, or of any class (ignoring labels)."""
    X, codes = torch.from_numpy(X), torch.from_numpy(np.unique(y, return_inverse=True)[1])

    def generate(n, labels, rng):
        rows = []
        for k in labels.tolist():
            members = torch.nonzero(codes == k).flatten() if faithful else torch.arange(len(X))
            rows.append(members[torch.randint(len(members), (1,), generator=rng)].item())
        return X[rows]
    return generate


def test_the_judge_scores_real_data_near_0_and_noise_near_half():
    X, y = tsgan.make_waves(200, 16, seed=0)
    judge = judge_of(X, y)
    fresh_X, fresh_y = tsgan.make_waves(200, 16, seed=3)  # real waves neither set holds
    real = judge.score(pool_generator(fresh_X, fresh_y))
    noise = judge.score(lambda n, labels, rng: torch.randn(n, 16, 1, generator=rng) * 0.5)
    label_blind = judge.score(pool_generator(fresh_X, fresh_y, faithful=False))
    assert real.discriminative < 0.1 and real.label_fidelity > 0.9
    assert noise.discriminative > 0.4
    assert label_blind.discriminative < 0.15 and label_blind.label_fidelity < 0.7  # real waves, wrong labels
    assert real.score < label_blind.score < noise.score
    assert judge.score(pool_generator(fresh_X, fresh_y)) == real  # deterministic


def test_the_judge_leaves_the_global_random_streams_alone():
    X, y = tsgan.make_waves(200, 16, seed=0)
    torch.manual_seed(5)
    judge_of(X, y, steps=5).score(lambda n, labels, rng: torch.randn(n, 16, 1, generator=rng))
    after = torch.rand(3)
    torch.manual_seed(5)
    assert torch.equal(after, torch.rand(3))


class CorruptLate(tsgan.Callback):
    """From step CORRUPT_AFTER on, the generator's weights become large noise (the same for a step in every run):
    the run degrades late, so its last generator is bad (the weight average follows it)."""

    def on_log(self, trainer, records):
        if trainer.step > CORRUPT_AFTER:
            rng = torch.Generator().manual_seed(trainer.step)
            with torch.no_grad():
                for p in trainer.G.parameters():
                    p.copy_(torch.randn(p.shape, generator=rng) * 20)


def degrading(X, y, **options):
    """A quickly learning run (a fast weight average) that CorruptLate spoils."""
    return tsgan.GAN("mlp", "mlp", **SMALL).fit(X, y, callbacks=(CorruptLate(),), log_every=1, validate_every=10, lr_g=2e-3,
                                                lr_d=2e-3, ema_decay=0.8, **{**FIT, **options})


def test_a_run_that_degrades_late_keeps_a_better_generator_than_its_last(shifted_noise):
    X, y = shifted_noise
    gan = degrading(X, y, steps=60)
    rows = {r["step"]: r for r in gan.validation_}
    assert sorted(rows) == [10, 20, 30, 40, 50, 60] and gan.best_step_ <= 20
    assert rows[gan.best_step_]["score"] < rows[60]["score"]
    last = sampling_generator(gan.techniques_, gan.generator_, before=gan.technique("validation"))  # the weight average
    assert gan.sampler_ is not last
    kept = gan.sample(200, seed=0)
    gan.sampler_ = last
    assert marginal_distance(X, kept) < marginal_distance(X, gan.sample(200, seed=0)) / 2


def test_the_best_is_in_the_model_file_and_a_resumed_run_keeps_it(shifted_noise, tmp_path):
    X, y = shifted_noise
    straight = degrading(X, y, steps=50)
    # the first part ends at 25, between judgements: that end is judged, then dropped when the run trains on
    first = degrading(X, y, steps=25, out_dir=tmp_path, checkpoint_every=10)
    assert [r["step"] for r in first.validation_] == [10, 20, 25]
    resumed = degrading(X, y, steps=50, out_dir=tmp_path, resume=True, checkpoint_every=10)
    assert resumed.validation_ == straight.validation_ and resumed.best_step_ == straight.best_step_ <= 20
    assert np.array_equal(resumed.sample(20, seed=1), straight.sample(20, seed=1))
    assert pd.read_csv(tmp_path / "validation.csv")["step"].tolist() == [10, 20, 30, 40, 50]
    assert (tmp_path / "validation.png").stat().st_size > 0
    resumed.save(tmp_path / "model.pt")
    loaded = tsgan.load(tmp_path / "model.pt")
    assert loaded.best_step_ == straight.best_step_ and loaded.validation_ == straight.validation_
    assert np.array_equal(loaded.sample(20, seed=1), straight.sample(20, seed=1))


def test_judging_leaves_the_training_bitwise_as_it_was(waves):
    X, y = waves
    often = tsgan.GAN("mlp", "conv", **SMALL).fit(X, y, steps=20, validate_every=5, **FIT)
    once = tsgan.GAN("mlp", "conv", **SMALL).fit(X, y, steps=20, validate_every=1000, **FIT)  # judged at the end only
    assert [r["step"] for r in often.validation_] == [5, 10, 15, 20] and [r["step"] for r in once.validation_] == [20]
    assert often.history_ == once.history_
    for a, b in ((often.generator_, once.generator_), (often.discriminator_, once.discriminator_)):
        assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    live = [sampling_generator(g.techniques_, g.generator_, before=g.technique("validation")) for g in (often, once)]
    for gan, sampler in zip((often, once), live):
        gan.sampler_ = sampler
    assert np.array_equal(often.sample(30, seed=2), once.sample(30, seed=2))


def test_held_out_sequences_never_train(waves):
    X, y = waves
    gan = tsgan.GAN("mlp", "mlp", **SMALL)
    seen = []

    class Record(tsgan.Callback):
        def on_train_start(self, trainer):
            seen.append(trainer)

    gan.fit(X, y, steps=1, validate_every=1, validation_split=0.25, callbacks=(Record(),), **FIT)
    judge = gan.technique("validation").judge
    held = judge.held_out_real
    assert len(held) == 30 and judge.held_out_labels.bincount().tolist() == [15, 15]  # stratified
    scaled = torch.from_numpy(gan.scaler_.transform(X)).float()
    in_held = [any(torch.equal(row, h) for h in held) for row in scaled]
    assert sum(in_held) == 30 and len(judge.train_real) == 90


def test_off_by_default_and_with_validate_every_0(waves):
    X, y = waves
    fit = {k: v for k, v in FIT.items() if k != "judge_steps"}
    plain = tsgan.GAN("mlp", "mlp", **SMALL).fit(X, y, steps=3, **fit)
    off = tsgan.GAN("mlp", "mlp", **SMALL).fit(X, y, steps=3, validate_every=0, **fit)
    for gan in (plain, off):
        assert gan.technique("validation") is None and not hasattr(gan, "best_step_")
    assert np.array_equal(plain.sample(10, seed=0), off.sample(10, seed=0))


@pytest.mark.parametrize("options, words", [
    ({"validate_every": 5, "validation_split": 1.5}, "validation_split must be a fraction"),
    ({"validate_every": -1}, "validate_every must be a whole number"),
    ({"validate_every": 5, "judge_steps": 0}, "judge_steps must be"),
    ({"validate_every": 5, "semi_supervised": True}, "semi-supervised"),
    ({"validate_every": 0, "validation_split": 0.3}, "validation is off"),
])
def test_bad_options_are_refused_in_one_line(options, words):
    with pytest.raises(tsgan.TsganError, match=words) as info:
        tsgan.GAN("mlp", "mlp", **SMALL, **options)
    assert "\n" not in str(info.value)


def test_too_little_data_to_hold_out_is_refused_before_training():
    X, y = tsgan.make_waves(12, 8, seed=0)
    with pytest.raises(tsgan.TsganError, match="holds out 2; the judge needs at least 4"):
        tsgan.GAN("mlp", "mlp", **SMALL).fit(X, y, steps=1, validate_every=1, validation_split=0.1, **{**FIT, "batch_size": 4})
    with pytest.raises(tsgan.TsganError, match="lower the batch size"):
        tsgan.GAN("mlp", "mlp", **SMALL).fit(X, y, steps=1, validate_every=1, validation_split=0.5, **{**FIT, "batch_size": 8})


def test_the_command_line_writes_the_curve_and_the_model_keeps_the_best(tmp_path, capsys):
    csv, out = tmp_path / "w.csv", tmp_path / "run"
    assert cli.main(["data", "waves", "--n", "60", "--length", "8", "--out", str(csv)]) == 0
    assert cli.main(["train", "--data", str(csv), "--out", str(out), "--steps", "6", "--batch-size", "8", "--hidden", "8",
                     "--noise-dim", "4", "--no-progress", "--validate-every", "3", "--judge-steps", "10"]) == 0
    frame = pd.read_csv(out / "validation.csv")
    assert frame["step"].tolist() == [3, 6] and set(frame.columns) == {"step", "score", "discriminative", "label_fidelity"}
    assert (out / "validation.png").stat().st_size > 0
    gan = tsgan.load(out / "model.pt")
    assert gan.best_step_ in (3, 6) and len(gan.validation_) == 2
    assert f"step {gan.best_step_}" in capsys.readouterr().out


def test_a_score_that_never_improves_fails_the_run(shifted_noise, tmp_path, capsys):
    """A generator that does not learn (a learning rate of 1e-12) is judged the same at every look: the first
    judgement stays the best through five more, and the run is diagnosed - in Python and with exit 3 on the
    command line; a run that improves is not (the degrading run above, whose best comes after its first look)."""
    X, y = shifted_noise
    with pytest.warns(tsgan.TrainingFailed, match="validation score never improved after its first judgement"):
        frozen = tsgan.GAN("mlp", "mlp", **SMALL).fit(X, y, steps=30, validate_every=5, lr_g=1e-12, **FIT)
    assert frozen.diagnosis_.symptom == "validation" and frozen.best_step_ == 5
    assert "the model samples from step 5 - try another loss" in str(frozen.diagnosis_)
    improving = degrading(X, y, steps=60)
    assert improving.best_step_ > 10 and improving.diagnosis_ is None
    path = tmp_path / "data.csv"
    write_table(to_long(X, y), path)
    code = cli.main(["train", "--data", str(path), "--generator", "mlp", "--discriminator", "mlp", "--hidden", "8",
                     "--noise-dim", "4", "--steps", "30", "--validate-every", "5", "--lr-g", "1e-12", "--judge-steps", "30",
                     "--batch-size", "16", "--no-progress", "--out", str(tmp_path / "run")])
    assert code == 3 and "validation score never improved" in capsys.readouterr().err
    assert (tmp_path / "run" / "model.pt").is_file()
