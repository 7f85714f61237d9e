"""Defaults from the data and failure detection while training: a default batch shrinks to a small data set (and
says so), an explicit one does not; a run whose discriminator wins outright, or whose samples leave the data's
range, is diagnosed (a TrainingFailed warning, GAN.diagnosis_, exit code 3 on the command line after the model
and pictures are written); a healthy run is not, and the watch changes nothing that training draws."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.data import to_long, write_table
from tsgan.notices import TsganWarning
from tsgan.training.failure import WINDOW, FailureWatch, TrainingFailed, target_floor

TINY = {"steps": WINDOW + 50, "batch_size": 16, "progress": False, "device": "cpu"}
DIVERGING = {"lr_g": 1e-6, "lr_d": 2e-2}  # a generator that barely learns against a racing discriminator


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


def waves(n: int = 100):
    return tsgan.make_waves(n, seed=0)


def fit(*callbacks, n: int = 100, **options):
    """A tiny MLP pair fitted on waves, and the warnings it raised."""
    X, y = waves(n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan = tsgan.GAN("mlp", "mlp", hidden=8).fit(X, y, callbacks=callbacks, **{**TINY, **options})
    return gan, [w for w in caught if issubclass(w.category, TsganWarning)]


def test_a_discriminator_that_wins_outright_is_diagnosed(tmp_path):
    gan, caught = fit(**DIVERGING)
    assert gan.diagnosis_ is not None and gan.diagnosis_.symptom == "discriminator-wins"
    assert "--loss wgan-gp" in str(gan.diagnosis_)
    failed = [str(w.message) for w in caught if w.category is TrainingFailed]
    assert failed[0].startswith(f"step {WINDOW}: the discriminator wins outright")  # seen while training ...
    assert failed[-1].startswith("training failed: the discriminator wins outright")  # ... and the verdict at the end
    gan.save(tmp_path / "model.pt")
    assert tsgan.load(tmp_path / "model.pt").diagnosis_ == gan.diagnosis_  # the model file keeps it


def test_a_healthy_run_is_not_diagnosed(tmp_path):
    gan, caught = fit()
    assert gan.diagnosis_ is None and not caught
    gan.save(tmp_path / "model.pt")
    assert tsgan.load(tmp_path / "model.pt").diagnosis_ is None


def test_samples_far_outside_the_range_are_diagnosed():
    """The same healthy run, watched against a range its samples (in [-1, 1]) are far outside of."""
    watch = FailureWatch(5.0, 6.0)
    gan, _ = fit(watch)
    assert watch.diagnosis is not None and watch.diagnosis.symptom == "outside-range"
    assert "far outside the training data's range" in str(watch.diagnosis) and "--loss wgan-gp" in str(watch.diagnosis)
    assert gan.diagnosis_ is None  # the run's own watch, against the data's range, saw nothing


def test_the_watch_changes_nothing_training_draws():
    """Samples and losses are the same with a second watch looking (its own noise stream, torch's put back)."""
    plain, _ = fit()
    watched, _ = fit(FailureWatch())
    assert plain.history_ == watched.history_
    assert np.array_equal(plain.sample(20, seed=0), watched.sample(20, seed=0))


def test_the_floor_of_a_smoothed_target():
    assert target_floor(1.0) == 0.0 and target_floor(0.9) == pytest.approx(0.3251, abs=1e-4)


def test_a_default_batch_shrinks_to_small_data_and_says_so(tmp_path):
    gan, caught = fit_small(tmp_path)
    assert gan.train_config_.batch_size == 40
    assert [str(w.message) for w in caught] == [
        "batch_size 40: the data hold 40 sequences, fewer than the default batch of 64 (set batch_size= / --batch-size to choose)"]
    X, y = waves(40)
    resumed = tsgan.GAN("mlp", "mlp", hidden=8).fit(X, y, out_dir=tmp_path / "run", resume=True, steps=8, progress=False, device="cpu")
    assert resumed.train_config_.batch_size == 40 and resumed.history_[-1]["step"] == 8


def fit_small(tmp_path):
    X, y = waves(40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan = tsgan.GAN("mlp", "mlp", hidden=8).fit(X, y, out_dir=tmp_path / "run", steps=5, progress=False, device="cpu")
    return gan, [w for w in caught if issubclass(w.category, TsganWarning)]


def test_fewer_sequences_than_values_in_one_turn_r1_on_and_say_so(tmp_path):
    """20 waves of 30 values: the classic loss gets the R1 penalty, exactly as if r1_gamma=1 were given (the same
    samples), said in a line; a resumed run keeps it. Given r1_gamma (0: off) or the WGAN loss, nothing is chosen."""
    X, y = waves(20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chosen = tsgan.GAN("mlp", "mlp", hidden=8).fit(X, y, out_dir=tmp_path / "run", steps=4, progress=False, device="cpu")
    said = [str(w.message) for w in caught if issubclass(w.category, TsganWarning)]
    assert said[1] == ("r1_gamma 1.0: the data hold 20 sequences, fewer than the 30 values of one (the R1 penalty keeps "
                       "the critic from learning each by heart; set r1_gamma= / --r1-gamma to choose, 0: off)")
    assert chosen.technique("r1-penalty").r1_gamma == 1.0
    explicit = tsgan.GAN("mlp", "mlp", hidden=8, r1_gamma=1.0).fit(X, y, steps=4, batch_size=20, progress=False, device="cpu")
    assert np.array_equal(chosen.sample(10, seed=0), explicit.sample(10, seed=0))
    resumed = tsgan.GAN("mlp", "mlp", hidden=8).fit(X, y, out_dir=tmp_path / "run", resume=True, steps=6, progress=False, device="cpu")
    assert resumed.technique("r1-penalty").r1_gamma == 1.0 and resumed.history_[-1]["step"] == 6
    for options in ({"r1_gamma": 0}, {"loss": "wgan-gp"}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gan = tsgan.GAN("mlp", "mlp", hidden=8, **options).fit(X, y, steps=2, batch_size=20, progress=False, device="cpu")
        assert gan.technique("r1-penalty") is None and not [w for w in caught if "r1_gamma" in str(w.message)]


@pytest.mark.parametrize("where", ["fit", "constructor"])
def test_an_explicit_batch_larger_than_the_data_is_an_error(where):
    X, y = waves(40)
    gan = tsgan.GAN("mlp", "mlp", hidden=8, **({"batch_size": 64} if where == "constructor" else {}))
    with pytest.raises(tsgan.TsganError, match="only 40 sequences for a batch of 64"):
        gan.fit(X, y, steps=2, progress=False, device="cpu", **({"batch_size": 64} if where == "fit" else {}))


def test_enough_data_keep_the_default_batch_silently():
    X, y = waves(64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TsganWarning)
        gan = tsgan.GAN("mlp", "mlp", hidden=8).fit(X, y, steps=2, progress=False, device="cpu")
    assert gan.train_config_.batch_size == tsgan.TrainConfig.batch_size


def run(*argv) -> int:
    return cli.main([str(a) for a in argv])


def test_the_command_line_writes_a_failed_run_and_exits_3(tmp_path, capsys):
    write_table(to_long(*waves()), tmp_path / "waves.csv")
    out = tmp_path / "run"
    code = run("train", "--data", tmp_path / "waves.csv", "--generator", "mlp", "--discriminator", "mlp", "--hidden", 8,
               "--batch-size", 16, "--steps", TINY["steps"], "--lr-g", DIVERGING["lr_g"], "--lr-d", DIVERGING["lr_d"],
               "--out", out, "--no-progress")
    err = capsys.readouterr().err
    assert code == cli.FAILED_RUN == 3
    assert all((out / name).is_file() for name in ("model.pt", "losses.csv", "samples.png", "losses.png"))
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"tsgan: note: step {WINDOW}: the discriminator wins outright")
    assert lines[-1].startswith("tsgan: error: training failed: the discriminator wins outright") and "--loss wgan-gp" in lines[-1]
    assert len(lines) == 2  # fit's own end-of-run warning is not printed a second time
    assert tsgan.load(out).diagnosis_.symptom == "discriminator-wins"


def test_the_command_line_says_what_it_chose(tmp_path, capsys):
    write_table(to_long(*waves(40)), tmp_path / "small.csv")
    assert run("train", "--data", tmp_path / "small.csv", "--generator", "mlp", "--discriminator", "mlp", "--hidden", 8,
               "--steps", 3, "--out", tmp_path / "run", "--no-progress") == 0
    assert "tsgan: note: batch_size 40: the data hold 40 sequences" in capsys.readouterr().err
