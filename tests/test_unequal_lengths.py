"""Series of unequal length (issue 4, item 3): readers pad them with NaN, training masks the padding for
every family, samples get lengths like the data's per label (or the one asked for), arrays come back
NaN beyond each end and frames hold each series' own rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsgan
from tsgan import checkpoint, persistence, cli
from tsgan.data import sequence_lengths
from tsgan.nn.lengths import PAD, LengthMasked

TINY = {"steps": 3, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False}
# Share of the short length among samples of the label that mixes two lengths: within this of the data's
# (0.25). With 400 samples the binomial standard deviation is 0.022, so this is 3 of them.
MIX_TOLERANCE = 0.07
LENGTHS = {"short": [12], "long": [24], "mixed": [12, 24, 24, 24]}


def _frame(n: int = 48, seed: int = 0) -> pd.DataFrame:
    """Long format: labels cycle short / long / mixed; 'short' series have 12 daily steps, 'long' 24, 'mixed'
    a quarter 12 and the rest 24. Channels: a wave ``v`` around 2 and an integer ``count`` from 5 to 13 (ranges
    without 0, the padding's value once scaled, so a scaler that counted padding would show)."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n):
        label = list(LENGTHS)[i % 3]
        options = LENGTHS[label]
        T = options[(i // 3) % len(options)]
        t = np.arange(T)
        parts.append(pd.DataFrame({
            "unit": i, "day": pd.date_range("2024-01-01", periods=T, freq="D"), "kind": label,
            "v": 2 + rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * t / T + rng.uniform(0, 6)), "count": rng.integers(5, 14, T)}))
    return pd.concat(parts, ignore_index=True)


def _read(df=None, **options) -> tsgan.Dataset:
    return tsgan.from_long(_frame() if df is None else df, id_col="unit", time_col="day", label_col="kind", **options)


def _fit(data, generator="mlp", discriminator="mlp", loss="gan", **options) -> tsgan.GAN:
    return tsgan.GAN(generator, discriminator, loss=loss, hidden=8, noise_dim=4).fit(data, **{**TINY, **options})


def _lengths_per_label(X, names) -> dict:
    L = sequence_lengths(X)
    return {label: L[names == label] for label in sorted(set(names))}


def test_readers_pad_unequal_series(tmp_path):
    """Long, wide, sktime pd-multiindex and CSV readers keep every series whole: X has the longest length, a
    shorter series is NaN beyond its end (lengths give them back), the time stamps are the longest series'."""
    df = _frame()
    data = _read(df)
    expected = df.groupby("unit", sort=False).size().to_numpy()
    assert data.X.shape == (48, 24, 2) and data.lengths.tolist() == expected.tolist()
    for i, n in enumerate(expected):
        assert np.isfinite(data.X[i, :n]).all() and np.isnan(data.X[i, n:]).all()
    assert data.layout["time"]["values"][-1].startswith("2024-01-24")
    assert "12-24 steps" in repr(data)
    wide = tsgan.from_wide(df.drop(columns="day"), id_col="unit", label_col="kind")
    np.testing.assert_array_equal(wide.lengths, expected)
    multi = tsgan.from_sktime(df.set_index(["unit", "day"])[["v", "count"]], df.groupby("unit")["kind"].first().to_numpy())
    np.testing.assert_array_equal(multi.X, data.X)
    df.to_csv(tmp_path / "d.csv", index=False)
    csv = tsgan.load_dataset(str(tmp_path / "d.csv"), id_col="unit", time_col="day", label_col="kind")
    np.testing.assert_array_equal(csv.lengths, expected)


class _Seen(tsgan.Callback):
    """Records the generator's outputs with the lengths it drew, and every discriminator input."""

    def __init__(self):
        self.fake, self.critic_inputs = [], []

    def on_train_start(self, trainer):
        def generated(module, args, out):
            self.fake.append((out.detach().clone(), module.noise_lengths(*args[:2]) if len(args) > 1 else module.noise_lengths(args[0])))

        trainer.G.register_forward_hook(generated)
        trainer.D.register_forward_pre_hook(lambda module, args: self.critic_inputs.append(args[0].detach().clone()))


@pytest.mark.parametrize("generator, discriminator, loss", [("mlp", "conv", "wgan-gp"), ("conv", "lstm", "gan"), ("lstm", "mlp", "gan")])
def test_training_masks_the_padding(generator, discriminator, loss):
    """Every generator family is wrapped in LengthMasked: its output is exactly PAD beyond each drawn length;
    real sequences reach the discriminator min-max scaled by their values only (the padding ignored) and
    padded with the same PAD, so every input the discriminator sees is PAD beyond a length the data have."""
    data = _read()
    seen = _Seen()
    gan = _fit(data, generator, discriminator, loss=loss, callbacks=(seen,))
    assert isinstance(gan.generator_, LengthMasked) and isinstance(gan.sampler_, LengthMasked)
    assert gan.model_config_.lengths["values"] == [12, 24]
    X = data.X
    assert gan.scaler_.min_[0] == np.nanmin(X[..., 0]) and gan.scaler_.range_[1] == np.nanmax(X[..., 1]) - np.nanmin(X[..., 1])
    steps = torch.arange(24)
    for out, lengths in seen.fake:
        beyond = steps[None, :] >= lengths[:, None]
        assert (out[beyond] == PAD).all() and (out[~beyond] != PAD).any()
    low, high = np.nanmin(X, axis=(0, 1)), np.nanmax(X, axis=(0, 1))
    real = torch.from_numpy(np.where(np.isnan(X), PAD, (X - low) / (high - low) * 2 - 1).astype(np.float32))
    real_rows = 0
    for x in seen.critic_inputs:
        ends = 24 - (x != PAD).any(dim=2).flip(1).int().argmax(dim=1)  # one past each row's last non-PAD step
        assert set(ends.tolist()) <= {12, 24}
        real_rows += int((x[:, None] - real[None]).abs().amax(dim=(2, 3)).lt(1e-5).any(dim=1).sum())
    assert real_rows >= TINY["batch_size"] * TINY["steps"]  # real batches, as expected, are among what D saw


@pytest.mark.parametrize("generator", ["mlp", "conv", "lstm"])
def test_lengths_follow_the_data_per_label(generator):
    """A short seeded training on the two length groups generates both: 'short' samples have 12 steps, 'long'
    24, and 'mixed' 12 in a quarter of its samples (within MIX_TOLERANCE); drawn labels mix as the data's.
    Every sample is finite within its length and NaN beyond."""
    gan = _fit(_read(), generator, discriminator="conv", steps=20)
    X, names = gan.sample(1200, seed=0, return_labels=True)
    per_label = _lengths_per_label(X, names)
    assert set(per_label) == set(LENGTHS) and all(abs(len(v) / 1200 - 1 / 3) < 0.06 for v in per_label.values())
    for label in ("short", "long", "mixed"):
        X_label = gan.sample(400, labels=label, seed=1)
        L = sequence_lengths(X_label)
        within = np.arange(24)[None, :] < L[:, None]
        assert np.isfinite(X_label[within]).all() and np.isnan(X_label[~within]).all()
        if label == "mixed":
            assert set(L) == {12, 24} and abs((L == 12).mean() - 0.25) <= MIX_TOLERANCE, (L == 12).mean()
        else:
            assert set(L) == set(LENGTHS[label])


def test_length_option():
    """sample(length=L) makes L steps (also a length the data never had, up to the longest), NaN beyond; the
    generator sees the length it makes (the same noise at 12 and 24 steps differs in its first 12); lengths
    outside 1..T, or not whole numbers, are errors, and a model of one length makes that length only."""
    gan = _fit(_read())
    for length in (1, 12, 17, 24):
        X = gan.sample(30, labels="short", length=length, seed=0)
        assert X.shape == (30, 24, 2) and (sequence_lengths(X) == length).all()
    short, long = gan.sample(5, labels="mixed", length=12, seed=3), gan.sample(5, labels="mixed", length=24, seed=3)
    assert not np.allclose(short[:, :12], long[:, :12])
    frame = gan.sample_frame(3, labels="long", length=17, seed=0)
    assert frame.groupby("unit").size().tolist() == [17, 17, 17]
    for bad, keyword in ((25, "makes 1 to 24 steps"), (0, "outside"), (-3, "outside"),
                         (12.5, "whole number"), ("12", "whole number"), (True, "whole number")):
        with pytest.raises(tsgan.TsganError, match=keyword):
            gan.sample(2, length=bad)
    equal = _fit(tsgan.make_waves(16, 10, seed=0)[0])
    assert equal.sample(2, length=10, seed=0).shape == (2, 10, 1)
    with pytest.raises(tsgan.TsganError, match="one length .10 steps."):
        equal.sample(2, length=5)


def test_frames_hold_each_series_own_rows():
    """sample_frame gives each series only its rows (its own length), with the data's columns, dtypes and time
    stamps; read back with from_long it has the same lengths and values; sample_sktime (pd-multiindex) too, while
    numpy3D refuses unequal lengths; to_long of a NaN-padded array writes each sequence's rows only."""
    gan = _fit(_read())
    X, names = gan.sample(6, seed=4, return_labels=True)
    lengths = sequence_lengths(X)
    assert set(lengths) == {12, 24}
    frame = gan.sample_frame(6, seed=4)
    assert list(frame.columns) == ["unit", "day", "kind", "v", "count"] and frame["count"].dtype == np.int64
    assert frame.groupby("unit").size().tolist() == lengths.tolist() and not frame.isna().any().any()
    assert frame.groupby("unit")["day"].min().eq(pd.Timestamp("2024-01-01")).all()
    back = tsgan.from_long(frame, id_col="unit", time_col="day", label_col="kind")
    np.testing.assert_array_equal(back.lengths, lengths)
    np.testing.assert_allclose(back.X[..., 0], X[..., 0], rtol=1e-6)
    assert back.labels.tolist() == names.tolist()
    multi = _fit(tsgan.from_sktime(_frame().set_index(["unit", "day"])[["v"]]))
    sk, _ = multi.sample_sktime(4, seed=0)
    assert sk.groupby(level=0).size().tolist() == sequence_lengths(multi.sample(4, seed=0)).tolist()
    with pytest.raises(tsgan.TsganError, match="do not fit sktime's numpy3D"):
        multi.sample_sktime(4, seed=0, kind="numpy3D")
    assert multi.sample_sktime(4, seed=0, kind="numpy3D", length=24)[0].shape == (4, 1, 24)
    long = tsgan.to_long(X, names)
    assert long.groupby("series_id").size().tolist() == lengths.tolist() and not long.isna().any().any()


def test_masks_and_categories_with_unequal_lengths():
    """Missing-value masks and categorical channels work with padding: a sampled frame keeps NaN only where
    the mask says, valid categories on every row, and each series' own rows."""
    df = _frame(24)
    df["state"] = np.where(df["v"] > 2, "up", "down")
    df.loc[[3, 30], "v"] = np.nan
    gan = _fit(_read(df, nan="mask", categorical=["state"]))
    lengths = sequence_lengths(gan.sample(8, seed=0))
    frame = gan.sample_frame(8, seed=0)
    assert frame.groupby("unit").size().tolist() == lengths.tolist()
    assert set(frame["state"]) <= {"up", "down"} and not frame[["unit", "day", "kind", "count", "state"]].isna().any().any()


def test_arrays_padded_with_nan_train_too():
    """fit takes NaN-padded arrays (steps NaN in every channel at a sequence's end); samples come back alike.
    A semi-supervised model takes unlabelled sequences shorter than the labelled ones, and classifies them."""
    X = np.random.default_rng(0).normal(size=(16, 10, 2)).astype(np.float32)
    X[::2, 6:] = np.nan
    y = np.array(["a", "b"] * 8)
    gan = _fit(X, y=y)
    assert gan.model_config_.lengths == {"values": [6, 10], "counts": [[8, 0], [0, 8], [8, 8]]}
    L = _lengths_per_label(*gan.sample(40, seed=0, return_labels=True))
    assert set(L["a"]) == {6} and set(L["b"]) == {10}
    semi = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4, semi_supervised=True).fit(X[:8], y[:8], unlabelled=X[8::2, :6], **TINY)
    assert semi.model_config_.lengths["counts"][-1] == [8, 4]  # the unlabelled ones, all short, padded to 10 steps
    assert set(semi.classify(X)) <= {"a", "b"} and len(semi.classify(X[::2, :6])) == 8


def test_save_load_and_resume_keep_lengths(tmp_path):
    """The model file holds the length table: a loaded model samples the same lengths and values (also with
    virtual batch norm, whose reference batch has the data's lengths); a resumed run ends with the weights of
    an uninterrupted one; a model file from before (no table) still loads."""
    data = _read()
    gan = _fit(data)
    gan.save(tmp_path / "m.pt")
    loaded = tsgan.load(tmp_path / "m.pt")
    assert loaded.model_config_.lengths == gan.model_config_.lengths
    np.testing.assert_array_equal(loaded.sample(20, seed=0), gan.sample(20, seed=0))
    full = _fit(data, steps=4)
    _fit(data, steps=2, out_dir=tmp_path / "run", checkpoint_every=1)
    resumed = _fit(data, steps=4, out_dir=tmp_path / "run", resume=True)
    for k, v in full.sampler_.state_dict().items():
        assert torch.equal(v, resumed.sampler_.state_dict()[k]), k
    vbn = tsgan.GAN("conv", "mlp", hidden=8, noise_dim=4, virtual_batch_norm=8).fit(data, **TINY)
    vbn.save(tmp_path / "vbn.pt")
    assert set(vbn.generator_.generator.reference_noise[:, -1].tolist()) <= {0.0, 1.0}  # lengths 12, 24 scaled to (-1, 1]
    np.testing.assert_array_equal(tsgan.load(tmp_path / "vbn.pt").sample(20, seed=0), vbn.sample(20, seed=0))
    old = _fit(tsgan.make_waves(16, 10, seed=0)[0])
    state = persistence.state_of(old)
    del state["model_config"]["lengths"]
    checkpoint.atomic_save(state, tmp_path / "old.pt")
    np.testing.assert_array_equal(tsgan.load(tmp_path / "old.pt").sample(3, seed=0), old.sample(3, seed=0))


def test_cli_unequal_lengths(tmp_path):
    """`tsgan train` on a CSV of unequal series, `tsgan sample` with and without --length."""
    csv = tmp_path / "units.csv"
    _frame().to_csv(csv, index=False)
    out = tmp_path / "run"
    assert cli.main(["train", "--data", str(csv), "--id-col", "unit", "--time-col", "day", "--label-col", "kind", "--steps", "2",
                     "--batch-size", "8", "--hidden", "4", "--noise-dim", "2", "--out", str(out), "--no-progress"]) == 0
    assert cli.main(["sample", str(out), "--n", "9", "--label", "short", "--out", str(tmp_path / "s.csv")]) == 0
    assert pd.read_csv(tmp_path / "s.csv").groupby("unit").size().tolist() == [12] * 9
    assert cli.main(["sample", str(out), "--n", "3", "--length", "20", "--out", str(tmp_path / "l.csv")]) == 0
    assert pd.read_csv(tmp_path / "l.csv").groupby("unit").size().tolist() == [20] * 3
    # the lstm generator runs on past its longest training length (tsgan.nn.longer); 0 steps is an error
    assert cli.main(["sample", str(out), "--n", "3", "--length", "30", "--out", str(tmp_path / "x.csv")]) == 0
    assert pd.read_csv(tmp_path / "x.csv").groupby("unit").size().tolist() == [30] * 3
    assert cli.main(["sample", str(out), "--n", "3", "--length", "0", "--out", str(tmp_path / "z.csv")]) == 2


def _nan_inside():
    X = np.zeros((4, 6, 2), np.float32)
    X[1, 2, 0] = np.nan
    return X


def _empty_sequence():
    X = np.zeros((4, 6, 2), np.float32)
    X[2] = np.nan
    return X


@pytest.mark.parametrize("call, keywords", [
    (lambda: tsgan.GAN("mlp", "mlp").fit(_empty_sequence(), steps=0), ["sequence 2 is empty", "length 0"]),
    (lambda: tsgan.GAN("mlp", "mlp").fit(_nan_inside(), steps=0), ["NaN", "sequence 1, step 2, channel 0"]),
    (lambda: tsgan.to_long(_empty_sequence()), ["sequence 2 is empty"]),
    (lambda: _read(_frame().assign(v=lambda d: d["v"].where(d["unit"] != 4)), nan="interpolate"), ["series 4 has no values in channel 'v'"]),
    (lambda: _fit(_read(), steps=0).sample(2, length=25), ["length=25", "1 to 24"]),
    (lambda: tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4, variant="infogan").fit(_read(), **TINY), ["infogan", "unequal length", "window"]),
    (lambda: _fit(_read(), steps=0).sample_sktime(20, kind="numpy3D", seed=0), ["unequal length", "pd-multiindex"]),
    (lambda: tsgan.ModelConfig(generator="mlp", discriminator="mlp", length=10, channels=1, lengths={"values": [12], "counts": [[3]]}).resolved(), ["does not fit", "at most 10"]),
    (lambda: tsgan.ModelConfig(generator="mlp", discriminator="mlp", length=10, channels=1, lengths={"values": [4]}).resolved(), ["'counts'"]),
], ids=["length-0", "nan-inside", "to-long-length-0", "series-all-missing", "length-above-maximum", "variant", "numpy3D",
        "table-too-long", "table-malformed"])
def test_malformed_unequal_lengths(call, keywords, tsgan_error):
    """Each malformed input gets its own one-line TsganError naming the problem."""
    tsgan_error(call, *keywords)


def test_evaluation_refuses_unequal_lengths(tmp_path):
    """The evaluation metrics need one length: a clear error, not NaN figures."""
    from tsgan.evaluation.report import evaluate

    data = _read()
    with pytest.raises(tsgan.TsganError, match="one length"):
        evaluate(_fit(data, steps=0), data.X, data.labels, out_dir=tmp_path, quick=True)
