"""Saving, loading, sampling by label, checkpoints, resume, atomic writes and divergence handling."""
from __future__ import annotations

import copy
import numpy as np
import pytest
import torch

import tsgan
from tsgan import checkpoint, cli
from tsgan.training import Trainer


def _no_tmp_files(folder) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# -- save / load ----------------------------------------------------------------------------------

def test_save_load_round_trip(tmp_path, trained_conditional):
    """A loaded model samples exactly what the saved one did for a seed, with classes, channels,
    scaler and history preserved."""
    gan, _ = trained_conditional
    path = tmp_path / "m.pt"
    gan.save(path)
    assert _no_tmp_files(tmp_path)
    loaded = tsgan.load(path, device="cpu")
    assert np.array_equal(loaded.sample(12, seed=5), gan.sample(12, seed=5))
    assert np.array_equal(loaded.sample(4, labels="sawtooth", seed=1), gan.sample(4, labels="sawtooth", seed=1))
    assert loaded.classes_ == gan.classes_ == ["sawtooth", "sine"]
    assert loaded.channels_ == gan.channels_ == ["value"]
    assert np.array_equal(loaded.scaler_.min_, gan.scaler_.min_) and np.array_equal(loaded.scaler_.range_, gan.scaler_.range_)
    assert loaded.history_ == gan.history_ and len(loaded.history_) == 3
    for k, v in gan.discriminator_.state_dict().items():
        assert torch.equal(v, loaded.discriminator_.state_dict()[k])


def test_load_run_folder(tmp_path, trained_conditional):
    """tsgan.load accepts a run folder holding model.pt."""
    gan, _ = trained_conditional
    gan.save(tmp_path / "model.pt")
    assert np.array_equal(tsgan.load(tmp_path).sample(3, seed=0), gan.sample(3, seed=0))


def test_load_the_folder_fit_wrote(tmp_path, waves_data):
    """fit(out_dir=) leaves a checkpoint and no model.pt: the folder loads from the checkpoint - silently when the run
    finished, with a note saying the step when it did not."""
    import warnings
    X, y = waves_data
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, steps=4, checkpoint_every=2, batch_size=8, seed=0,
                                                              progress=False, out_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(tsgan.load(tmp_path).sample(3, labels=y[:3], seed=0), gan.sample(3, labels=y[:3], seed=0))
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    state["trainer"]["step"] = 2  # as a run interrupted after its first checkpoint
    torch.save(state, tmp_path / "checkpoint.pt")
    with pytest.warns(tsgan.TsganWarning, match="holds no model.pt: loading its checkpoint, the model at step 2 of 4"):
        tsgan.load(tmp_path)


def test_sample_in_data_units(waves_data, trained_conditional):
    """Samples are mapped back from [-1, 1] into the training data's range."""
    X, _ = waves_data
    gan, _ = trained_conditional
    s = gan.sample(50, seed=0)
    assert s.shape == (50, X.shape[1], 1) and s.dtype == np.float32
    assert s.min() >= X.min() - 1e-5 and s.max() <= X.max() + 1e-5


def test_labels_by_name_and_index_agree(trained_conditional):
    """A class asked for by name or by its index gives the same samples and labels."""
    gan, _ = trained_conditional
    by_name, names = gan.sample(6, labels="sine", seed=2, return_labels=True)
    by_index, names_i = gan.sample(6, labels=gan.classes_.index("sine"), seed=2, return_labels=True)
    assert np.array_equal(by_name, by_index)
    assert names.tolist() == names_i.tolist() == ["sine"] * 6
    mixed = ["sine", 0, "sawtooth", 1]
    _, got = gan.sample(4, labels=mixed, seed=0, return_labels=True)
    assert got.tolist() == ["sine", "sawtooth", "sawtooth", "sine"]


def test_label_conditions_samples(trained_conditional):
    """Different requested labels with the same noise give different sequences."""
    gan, _ = trained_conditional
    assert not np.array_equal(gan.sample(5, labels="sine", seed=0), gan.sample(5, labels="sawtooth", seed=0))


def test_sample_without_labels_draws_every_class(trained_conditional):
    """labels=None draws classes as often as the data held them (here about half each)."""
    gan, _ = trained_conditional
    _, names = gan.sample(200, seed=0, return_labels=True)
    counts = {c: int(np.sum(names == c)) for c in gan.classes_}
    assert set(names.tolist()) == set(gan.classes_)
    assert all(60 <= v <= 140 for v in counts.values()), counts


def test_sample_seed_and_batches(trained_conditional):
    """Same seed, same samples; another seed, other samples; small chunks still give n samples."""
    gan, _ = trained_conditional
    a = gan.sample(10, labels="sine", seed=9)
    assert np.array_equal(a, gan.sample(10, labels="sine", seed=9))
    assert not np.array_equal(a, gan.sample(10, labels="sine", seed=10))
    chunked, names = gan.sample(10, seed=9, batch_size=3, return_labels=True)
    assert chunked.shape == (10, 12, 1) and len(names) == 10 and np.isfinite(chunked).all()


def test_sample_zero(trained_conditional, trained_unconditional):
    """n=0 gives an empty (0, T, d) array."""
    gan, _ = trained_conditional
    assert trained_unconditional.sample(0, seed=0).shape == (0, 12, 1)
    assert gan.sample(0, labels="sine", seed=0).shape == (0, 12, 1)


def test_sample_zero_conditional_without_labels(trained_conditional):
    """n=0 with classes drawn from the prior is an empty array too, not a torch error."""
    gan, _ = trained_conditional
    x, names = gan.sample(0, seed=0, return_labels=True)
    assert x.shape == (0, 12, 1) and len(names) == 0


def test_sample_frame(trained_conditional):
    """sample_frame is long format with the requested labels."""
    gan, _ = trained_conditional
    df = gan.sample_frame(3, labels="sawtooth", seed=0)
    assert list(df.columns) == ["series_id", "time", "label", "value"]
    assert len(df) == 3 * 12 and set(df["label"]) == {"sawtooth"}
    X, _, _ = tsgan.from_long(df)
    assert np.allclose(X, gan.sample(3, labels="sawtooth", seed=0))


def test_unconditional_save_load(tmp_path, trained_unconditional):
    """An unconditional model round-trips too and returns no labels."""
    path = tmp_path / "u.pt"
    trained_unconditional.save(path)
    loaded = tsgan.load(path)
    x, names = loaded.sample(4, seed=0, return_labels=True)
    assert names is None and loaded.classes_ == []
    assert np.array_equal(x, trained_unconditional.sample(4, seed=0))


# -- atomic writes --------------------------------------------------------------------------------

def test_atomic_save_keeps_old_file_on_failure(tmp_path, monkeypatch, trained_conditional):
    """A crash while writing leaves the previous file intact and no temporary file behind."""
    gan, _ = trained_conditional
    path = tmp_path / "model.pt"
    gan.save(path)
    before = path.read_bytes()

    def broken_save(obj, handle, *args, **kwargs):
        handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint.torch, "save", broken_save)
    with pytest.raises(tsgan.TsganError, match="disk full"):  # named, with the path
        gan.save(path)
    assert path.read_bytes() == before
    assert _no_tmp_files(tmp_path)
    monkeypatch.undo()
    assert np.array_equal(tsgan.load(path).sample(2, seed=0), gan.sample(2, seed=0))


# -- checkpoints and resume -----------------------------------------------------------------------

def test_resume_matches_uninterrupted(tmp_path, waves_data, tiny_gan, train_options):
    """6 steps in one go equal 3 steps plus a resume to 6 on a fresh GAN object: same weights, history."""
    X, y = waves_data
    opts = {**train_options, "checkpoint_every": 3}
    full = tiny_gan().fit(X, y, out_dir=tmp_path / "full", **{**opts, "steps": 6})
    tiny_gan().fit(X, y, out_dir=tmp_path / "part", **{**opts, "steps": 3})
    assert torch.load(tmp_path / "part" / "checkpoint.pt", weights_only=True)["trainer"]["step"] == 3
    resumed = tiny_gan().fit(X, y, out_dir=tmp_path / "part", resume=True, **{**opts, "steps": 6})
    for k, v in full.generator_.state_dict().items():
        assert torch.equal(v, resumed.generator_.state_dict()[k]), k
    for k, v in full.discriminator_.state_dict().items():
        assert torch.equal(v, resumed.discriminator_.state_dict()[k]), k
    assert len(resumed.history_) == 6
    assert [r["step"] for r in resumed.history_] == list(range(1, 7))
    assert resumed.history_ == full.history_
    assert np.array_equal(full.sample(5, seed=0), resumed.sample(5, seed=0))
    assert _no_tmp_files(tmp_path / "part")


def test_checkpoint_loads_as_model(tmp_path, waves_data, tiny_gan, train_options):
    """The training checkpoint is itself a loadable model equal to the trained one."""
    X, y = waves_data
    gan = tiny_gan().fit(X, y, out_dir=tmp_path, **train_options)
    assert np.array_equal(tsgan.load(tmp_path / "checkpoint.pt").sample(3, seed=0), gan.sample(3, seed=0))


def test_resume_errors(tmp_path, waves_data, tiny_gan, train_options):
    """Resuming with other data, another architecture or no checkpoint is refused."""
    X, y = waves_data
    tiny_gan().fit(X, y, out_dir=tmp_path, **train_options)
    other = X.copy()
    other[0, 0, 0] += 0.5
    with pytest.raises(tsgan.TsganError, match="different data"):
        tiny_gan().fit(other, y, out_dir=tmp_path, resume=True, **{**train_options, "steps": 4})
    with pytest.raises(tsgan.TsganError, match="different model"):
        tsgan.GAN("lstm", "lstm", hidden=16, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, **{**train_options, "steps": 4})
    with pytest.raises(tsgan.TsganError, match="nothing to resume"):
        tiny_gan().fit(X, y, out_dir=tmp_path / "empty", resume=True, **train_options)


# -- divergence -----------------------------------------------------------------------------------

def _nan_from_step(monkeypatch, bad_step: int) -> None:
    """Make the critic loss NaN from training step ``bad_step`` (1-based) on."""
    original = Trainer._d_loss

    def d_loss(self, real, fake):
        loss = original(self, real, fake)
        return loss * float("nan") if self.step + 1 >= bad_step else loss

    monkeypatch.setattr(Trainer, "_d_loss", d_loss)


def test_divergence_raises_and_keeps_last_good_checkpoint(tmp_path, monkeypatch, waves_data, tiny_gan, train_options):
    """A NaN loss raises TrainingDiverged; the checkpoint from before it loads and is finite."""
    X, y = waves_data
    _nan_from_step(monkeypatch, 3)
    gan = tiny_gan("mlp", "mlp")
    with pytest.raises(tsgan.TrainingDiverged, match="step 3"):
        gan.fit(X, y, out_dir=tmp_path, **{**train_options, "steps": 5, "checkpoint_every": 1, "log_every": 1})
    assert isinstance(tsgan.TrainingDiverged("x"), tsgan.TsganError)
    assert len(gan.history_) == 2
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert state["trainer"]["step"] == 2
    assert all(torch.isfinite(v).all() for part in ("generator", "discriminator") for v in state[part].values() if v.is_floating_point())
    assert np.isfinite(tsgan.load(tmp_path / "checkpoint.pt").sample(4, seed=0)).all()


def test_huge_learning_rate_diverges(waves_data, tiny_gan, train_options):
    """A runaway critic (learning rate 1e30) is caught as TrainingDiverged, not trained on silently."""
    X, y = waves_data
    with pytest.raises(tsgan.TrainingDiverged):
        tiny_gan("mlp", "mlp", "wgan").fit(X, y, **{**train_options, "steps": 20, "lr_d": 1e30, "lr_g": 1e30, "log_every": 1})


def test_checkpoint_never_holds_diverged_model(tmp_path, monkeypatch, waves_data, tiny_gan, train_options):
    """With checkpoints more frequent than loss checks, the kept checkpoint must still be from before the NaN."""
    X, y = waves_data
    _nan_from_step(monkeypatch, 3)
    with pytest.raises(tsgan.TrainingDiverged):
        tiny_gan("mlp", "mlp").fit(X, y, out_dir=tmp_path, **{**train_options, "steps": 5, "checkpoint_every": 2, "log_every": 5})
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert state["trainer"]["step"] == 2
    assert all(torch.isfinite(v).all() for v in state["generator"].values() if v.is_floating_point())


def test_intermediate_checkpoint_history_complete(tmp_path, monkeypatch, waves_data, tiny_gan, train_options):
    """Every checkpoint holds one history record per step trained so far."""
    X, y = waves_data
    saved = []
    original = checkpoint.atomic_save
    monkeypatch.setattr(checkpoint, "atomic_save", lambda state, path: (saved.append(copy.deepcopy(state)), original(state, path))[1])
    tiny_gan("mlp", "mlp").fit(X, y, out_dir=tmp_path, **{**train_options, "steps": 4, "checkpoint_every": 2, "log_every": 10})
    assert [s["trainer"]["step"] for s in saved] == [2, 4]
    assert [len(s["history"]) for s in saved] == [2, 4]


# -- faithful resume: the run's settings continue, a changed one is refused by name ----------------------

def test_resume_continues_with_the_runs_settings(tmp_path, waves_data):
    """Options left out on resume are the run's own (a technique's, the learning rate): 2 + 2 steps equal 4; a
    given option that changes the training is refused, naming it and both values; the steps may grow."""
    X, y = waves_data
    options = {"steps": 4, "batch_size": 8, "seed": 0, "progress": False, "checkpoint_every": 2, "lr_g": 1e-3,
               "feature_matching": 0.5, "historical_averaging_d": 0.1}
    full = tsgan.GAN("mlp", "conv", hidden=8, noise_dim=4).fit(X, y, **options)
    tsgan.GAN("mlp", "conv", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, **{**options, "steps": 2})
    resumed = tsgan.GAN("mlp", "conv", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=4, progress=False)
    assert np.array_equal(resumed.sample(5, seed=0), full.sample(5, seed=0))
    assert resumed.train_config_.lr_g == 1e-3 and resumed.technique("feature-matching").feature_matching == 0.5
    for changed, named in (({"lr_g": 2e-3}, "lr_g 0.001 -> 0.002"), ({"batch_size": 16}, "batch_size 8 -> 16"),
                           ({"feature_matching": 1.0}, "feature-matching"), ({"ema_decay": 0}, "weight-average")):
        with pytest.raises(tsgan.TsganError, match=f"other settings .*{named}"):
            tsgan.GAN("mlp", "conv", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=6, **changed)
    with pytest.raises(tsgan.TsganError, match="loss 'gan' -> 'wgan-gp'"):
        tsgan.GAN("mlp", "conv", loss="wgan-gp", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=6)
    with pytest.raises(tsgan.TsganError, match="different model .*hidden 8 -> 16"):
        tsgan.GAN("mlp", "conv", hidden=16, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=6)


def test_cli_resume_needs_no_flags_again(tmp_path):
    """`tsgan train --resume` takes the run's model, loss, techniques and settings for the flags left out; a changed
    loss is refused by name (it used to continue silently and relabel the run)."""
    csv = tmp_path / "w.csv"
    assert cli.main(["data", "waves", "--n", "16", "--length", "12", "--out", str(csv)]) == 0
    run = ["train", "--data", str(csv), "--out", str(tmp_path / "run"), "--no-progress"]
    assert cli.main([*run, "--steps", "2", "--batch-size", "8", "--generator", "mlp", "--discriminator", "conv", "--hidden", "8",
                     "--noise-dim", "4", "--feature-matching", "0.5", "--checkpoint-every", "2"]) == 0
    assert cli.main([*run, "--steps", "4", "--resume"]) == 0
    gan = tsgan.load(tmp_path / "run")
    assert (gan.generator, gan.discriminator, gan.model_config_.hidden, gan.train_config_.batch_size) == ("mlp", "conv", 8, 8)
    assert gan.technique("feature-matching").feature_matching == 0.5 and gan.history_[-1]["step"] == 4
    assert cli.main([*run, "--steps", "6", "--resume", "--loss", "wgan-gp"]) == 2
