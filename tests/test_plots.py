"""Pictures a person reads at a glance, checked on the matplotlib Figure (not pixels): a panel per channel and
label, real and generated in two colours, named axes, model and step in the title, resumes on the loss curve,
and the autocorrelation picture at its metric's lags."""
from __future__ import annotations

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest

import tsgan
from tsgan.evaluation.metrics import autocorrelation
from tsgan.evaluation.plots import (FAKE, MAX_LABELS, REAL, autocorrelation_figure, losses_figure, real_vs_generated_figure,
                                    run_title)

CHANNELS = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
LABELS = np.array(["walking", "running", "standing", "badminton"] * 5)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def six_channels(n: int = 20, T: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, T, 6)).cumsum(axis=1)


def colours(ax) -> list[str]:
    return [mcolors.to_hex(line.get_color()) for line in ax.get_lines()]


def test_six_channels_four_labels_is_a_grid_of_channels_by_labels():
    fig = real_vs_generated_figure(six_channels(), LABELS, six_channels(seed=1), LABELS, channels=CHANNELS, per_panel=3,
                                   units="scaled", title="lstm/lstm (gan), step 600")
    axes = np.array(fig.axes).reshape(6, 4)
    assert [ax.get_title() for ax in axes[0]] == ["badminton", "running", "standing", "walking"]
    assert [ax.get_ylabel() for ax in axes[:, 0]] == [f"{c} (scaled)" for c in CHANNELS]
    assert all(ax.get_xlabel() == "time step" for ax in axes[-1])
    assert fig._suptitle.get_text() == "lstm/lstm (gan), step 600"
    for ax in axes.flat:  # 3 real and 3 generated sequences a panel, each in its colour
        assert colours(ax) == [mcolors.to_hex(REAL)] * 3 + [mcolors.to_hex(FAKE)] * 3
    # each panel draws one channel of its label's sequences: the first real line of walking's acc_y row
    real = six_channels()
    first = axes[1, 3].get_lines()[0].get_ydata()
    assert any(np.allclose(first, real[i, :, 1]) for i in np.flatnonzero(LABELS == "walking"))


def test_unlabelled_one_channel_is_one_panel_named_by_its_channel():
    X = np.random.default_rng(0).normal(size=(10, 12, 1))
    fig = real_vs_generated_figure(X, None, X[:5], None)
    (ax,) = fig.axes
    assert ax.get_ylabel() == "value" and len(ax.get_lines()) == 8 + 5


def test_many_labels_show_the_first_ones_and_say_so():
    labels = np.array([f"c{i:02d}" for i in range(MAX_LABELS + 3)] * 2)
    X = np.random.default_rng(0).normal(size=(len(labels), 8, 2))
    fig = real_vs_generated_figure(X, labels, X, labels, per_panel=1)
    assert len(fig.axes) == 2 * MAX_LABELS
    assert f"first {MAX_LABELS} of {MAX_LABELS + 3} labels shown" in [t.get_text() for t in fig.texts]


def test_losses_have_a_title_and_mark_each_resume():
    history = [{"step": s, "d_loss": 1.0 / s, "g_loss": 0.5} for s in range(1, 31)]
    fig = losses_figure(history, resumes=[10, 20], title="training losses: mlp/mlp (gan), step 30")
    (ax,) = fig.axes
    assert ax.get_title() == "training losses: mlp/mlp (gan), step 30"
    verticals = [line.get_xdata()[0] for line in ax.get_lines() if len(set(line.get_xdata())) == 1]
    assert verticals == [10, 20]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["d_loss", "g_loss", "resumed"]
    assert losses_figure(history).axes[0].get_title() == "training losses"


@pytest.mark.parametrize("T, max_lag, lags", [(30, None, 20), (8, None, 7), (30, 4, 4)])
def test_autocorrelation_picture_covers_the_metrics_lags(T, max_lag, lags):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(12, T, 2)).cumsum(axis=1), rng.normal(size=(12, T, 2))
    fig = autocorrelation_figure(real, fake, max_lag=max_lag, channels=["a", "b"])
    ax = fig.axes[1]
    real_line, fake_line = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
    assert list(real_line.get_xdata()) == list(range(1, lags + 1))  # autocorrelation_distance's lags 1..min(T-1, 20)
    np.testing.assert_allclose(real_line.get_ydata(), autocorrelation(real, lags)[1:, 1])
    np.testing.assert_allclose(fake_line.get_ydata(), autocorrelation(fake, lags)[1:, 1])
    assert f"lags 1-{lags}" in fig._suptitle.get_text()


def test_a_resumed_model_knows_where_it_resumed_and_keeps_it(waves_data, tmp_path):
    X, y = waves_data
    options = {"batch_size": 8, "device": "cpu", "progress": False}
    tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, steps=3, **options)
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=5, **options)
    gan = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, out_dir=tmp_path, resume=True, steps=6, **options)
    assert gan.resumes_ == [3, 5] and [r["step"] for r in gan.history_] == list(range(1, 7))
    gan.save(tmp_path / "model.pt")
    loaded = tsgan.load(tmp_path / "model.pt")
    assert loaded.resumes_ == [3, 5] and run_title(loaded) == "mlp/mlp (gan), step 6"
