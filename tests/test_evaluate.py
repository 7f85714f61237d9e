"""`tsgan evaluate` and :func:`tsgan.evaluation.report.evaluate`: every promised file, finite figures under every promised
key, skips that say why, and one-line errors for a missing model or data the model cannot have made."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import tsgan
from tsgan import cli
from tsgan.data import to_long, write_table
from tsgan.evaluation import comparison
from tsgan.evaluation.plots import plot_autocorrelation, plot_embedding, plot_marginals
from tsgan.evaluation.report import METRICS, PICTURES, evaluate

LENGTH = 24
ONE_CHANNEL_SKIPS = {"predictive_score_timegan", "predictive_score_timegan_real"}


def run(*argv) -> int:
    return cli.main([str(a) for a in argv])


def promised_keys() -> set[str]:
    return {m.key for m in METRICS} | {m.reference for m in METRICS if m.reference}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Waves (300 x 24 steps) and held-out waves of another seed as CSV, and an MLP run trained 200 steps on them by the CLI."""
    root = tmp_path_factory.mktemp("evaluate")
    X, y = tsgan.make_waves(300, LENGTH, seed=0)
    Xh, yh = tsgan.make_waves(100, LENGTH, seed=1)
    write_table(to_long(X, y), root / "train.csv")
    write_table(to_long(Xh, yh), root / "held.csv")
    assert run("train", "--data", root / "train.csv", "--generator", "mlp", "--discriminator", "mlp", "--steps", 200,
               "--batch-size", 32, "--hidden", 32, "--out", root / "run", "--no-progress") == 0
    return root


@pytest.fixture(scope="module")
def report(trained):
    """`tsgan evaluate RUN --data train.csv --held-out held.csv --quick`: the report folder."""
    out = trained / "report"
    assert run("evaluate", trained / "run", "--data", trained / "train.csv", "--held-out", trained / "held.csv",
               "--out", out, "--quick", "--quiet") == 0
    return out


def test_evaluate_writes_every_promised_file(report):
    """metrics.json, summary.md and every picture (losses.png too: the model keeps its loss history)."""
    for name in ["metrics.json", "summary.md", *PICTURES]:
        assert (report / name).is_file() and (report / name).stat().st_size > 0, name


def test_metrics_json_holds_finite_figures(report):
    """Every metric and reference is a finite number, except TimeGAN's predictive score for one channel:
    null, with the reason under "skipped"; counts and the model description are there."""
    result = json.loads((report / "metrics.json").read_text())
    for key in promised_keys() - ONE_CHANNEL_SKIPS:
        assert isinstance(result[key], float) and math.isfinite(result[key]), key
    for key in ONE_CHANNEL_SKIPS:
        assert result[key] is None and "one channel" in result["skipped"][key]
    assert set(result["skipped"]) == ONE_CHANNEL_SKIPS
    assert (result["n_real"], result["n_real_train"], result["n_real_test"], result["n_synthetic"]) == (300, 300, 100, 300)
    assert result["data_is_training_data"] and "held.csv" in result["held_out"]
    assert result["model"].startswith("mlp/mlp (gan), conditional on 2 classes (sawtooth, sine), 200 training steps")
    assert 0 <= result["discriminative_score"] <= 0.5 and 0 <= result["tstr"] <= 1
    assert all(result[f"{m.key}_protocol"] for m in METRICS)


def test_summary_names_every_metric_and_the_caveats(report):
    """summary.md: each metric with its key, TRTR beside TSTR, the label-ignoring caveat, links to the pictures."""
    text = (report / "summary.md").read_text()
    for metric in METRICS:
        assert metric.name in text and f"`{metric.key}`" in text, metric.key
    assert "(TRTR)" in text and "ignores its label" in text and "Quick mode" in text
    for name in PICTURES:
        assert f"]({name})" in text


def test_the_gaussian_baseline_is_reported_beside_the_model(report):
    """metrics.json: a baseline section with every compared figure and the verdict each implies; summary.md: a
    baseline column and a "beats the Gaussian baseline: yes/no" line per figure."""
    result = json.loads((report / "metrics.json").read_text())
    baseline = result["baseline"]
    assert "Gaussian" in baseline["generator"] and set(baseline["beats"]) == set(comparison.COMPARED)
    for key, better in comparison.COMPARED.items():
        assert isinstance(baseline[key], float) and math.isfinite(baseline[key]), key
        model_better = result[key] < baseline[key] if better == "lower" else result[key] > baseline[key]
        assert baseline["beats"][key] == model_better, key
    assert baseline["beats_everywhere"] == all(baseline["beats"][key] for key in comparison.DECISIVE)
    text = (report / "summary.md").read_text()
    assert "| Gaussian baseline |" in text and "## Against the Gaussian baseline" in text
    assert text.count("beats the Gaussian baseline: ") == len(comparison.COMPARED)


def test_unconditional_two_channels_without_held_out(tmp_path):
    """Python API on an unconditional 2-channel model and no held-out data: the data are split 80/20 and
    said so, label metrics and the memorisation check are skipped with reasons, TimeGAN's predictive
    score runs; the same seed gives the same figures."""
    X, _ = tsgan.make_waves(120, LENGTH, seed=2)
    X2 = np.concatenate([X, 0.5 * X + 1.0], axis=2)
    gan = tsgan.GAN("mlp", "mlp", hidden=16, noise_dim=4).fit(X2, steps=20, batch_size=16, seed=0, device="cpu", progress=False)
    first = evaluate(gan, X2, out_dir=tmp_path / "a", quick=True, seed=3)
    again = evaluate(gan, X2, out_dir=tmp_path / "b", quick=True, seed=3)
    assert json.dumps(first) == json.dumps(again)
    assert math.isfinite(first["predictive_score_timegan"]) and math.isfinite(first["predictive_score_timegan_real"])
    assert (first["n_real_train"], first["n_real_test"], first["n_synthetic"]) == (96, 24, 96)
    assert first["data_is_training_data"] and "split 80/20" in first["held_out"]
    for key in ("tstr", "trts", "trtr", "label_fidelity"):
        assert first[key] is None and "not conditioned" in first["skipped"][key]
    assert first["nearest_neighbour_ratio"] is None and "never saw" in first["skipped"]["nearest_neighbour_ratio"]
    assert first["class_share_distance"] is None and "no labels" in first["skipped"]["class_share_distance"]
    summary = (tmp_path / "a" / "summary.md").read_text()
    assert "split 80/20" in summary and "## Skipped" in summary


def test_missing_model_is_a_one_line_error(tmp_path, capsys):
    assert run("evaluate", tmp_path / "nowhere", "--data", "waves", "--out", tmp_path / "r", "--quick") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tsgan: error: ") and "does not exist" in err and "\n" not in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("change, message", [
    ("channels", "2 channel(s) but the model makes 24 steps x 1 channel(s)"),
    ("length", "12 steps x 1 channel(s) but the model makes 24 steps"),
    ("labels", "class(es) ['square'] that the model does not know"),
])
def test_data_the_model_cannot_have_made_is_a_clear_error(trained, tmp_path, capsys, change, message):
    X, y = tsgan.make_waves(40, 12 if change == "length" else LENGTH, seed=3, classes=("square", "sine") if change == "labels" else ("sine", "sawtooth"))
    if change == "channels":
        X = np.concatenate([X, X], axis=2)
    write_table(to_long(X, y), tmp_path / "bad.csv")
    assert run("evaluate", trained / "run" / "model.pt", "--data", tmp_path / "bad.csv", "--out", tmp_path / "r", "--quick") == 2
    err = capsys.readouterr().err
    assert err.startswith("tsgan: error: ") and message in err


def test_pictures_for_wide_unlabelled_data(tmp_path):
    """The new pictures draw unlabelled data wider than one picture shows (18 channels), and say what is wrong."""
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(30, 8, 18)), rng.normal(size=(20, 8, 18))
    paths = [plot_embedding(real, fake, tmp_path / f"{m}.png", method=m) for m in ("pca", "tsne")]
    paths += [plot_autocorrelation(real, fake, tmp_path / "acf.png", max_lag=4), plot_marginals(real, fake, tmp_path / "m.png")]
    for path in paths:
        assert path.is_file() and path.stat().st_size > 0
    with pytest.raises(tsgan.TsganError, match="use 'pca' or 'tsne'"):
        plot_embedding(real, fake, tmp_path / "x.png", method="umap")
    with pytest.raises(tsgan.TsganError, match="generated ones"):
        plot_marginals(real, fake[:, :4], tmp_path / "x.png")


def test_semi_supervised_model_is_evaluated_as_unconditional(tmp_path):
    """A semi-supervised model knows class names but its generator takes no labels: evaluating it on labelled
    data samples without labels and skips the label metrics with that reason (it used to fail in sampling)."""
    X, y = tsgan.make_waves(120, LENGTH, seed=2)
    gan = tsgan.GAN("mlp", "mlp", hidden=16, noise_dim=4, semi_supervised=True)
    gan.fit(X[:20], y[:20], unlabelled=X[20:], steps=20, batch_size=16, seed=0, device="cpu", progress=False)
    result = evaluate(gan, X, y, out_dir=tmp_path, quick=True, seed=0)
    assert "semi-supervised" in result["model"] and result["classes"] == ["sawtooth", "sine"]
    assert result["label_fidelity"] is None and "not conditioned" in result["skipped"]["label_fidelity"]
    assert math.isfinite(result["discriminative_score"])
    assert 0 <= result["class_share_distance"] <= 0.5  # an unconditional generator of labelled data: class shares measured


def test_the_class_that_gives_the_samples_away_is_named(trained, tmp_path):
    """The discriminative score per class: a model whose sines are real waves and whose sawtooths are noise is told
    apart on its sawtooths only, and summary.md names that class (a score of all classes at once cannot say which)."""
    gan = tsgan.load(trained / "run" / "model.pt")
    real, real_y = tsgan.make_waves(400, LENGTH, seed=4)
    sines = real[real_y == "sine"]

    def sines_real_sawtooths_noise(n, labels=None, seed=None, return_labels=False):
        labels, rng = np.asarray(labels), np.random.default_rng(seed)
        noise = rng.uniform(-0.5, 0.5, (n, LENGTH, 1))
        fake = np.where((labels == "sawtooth")[:, None, None], noise, sines[rng.integers(0, len(sines), n)]).astype(np.float32)
        return (fake, labels) if return_labels else fake

    gan.sample = sines_real_sawtooths_noise
    X, y = tsgan.make_waves(300, LENGTH, seed=0)
    Xh, yh = tsgan.make_waves(100, LENGTH, seed=1)
    result = evaluate(gan, X, y, held_out=Xh, held_out_labels=yh, out_dir=tmp_path, quick=True, seed=0)
    scores, floors = result["discriminative_score_per_class"], result["discriminative_noise_floor_per_class"]
    assert set(scores) == set(floors) == {"sawtooth", "sine"}
    assert scores["sawtooth"] > 0.35 and scores["sine"] < 0.2, scores
    text = (tmp_path / "summary.md").read_text()
    assert "## Discriminative score per class" in text and "Told apart most easily: **sawtooth**" in text
