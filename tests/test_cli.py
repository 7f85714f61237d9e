"""The `tsgan` command line: data, train and sample write the promised files; help lists every option."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import tsgan
from tsgan import cli


def run(*argv) -> int:
    return cli.main([str(a) for a in argv])


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """A waves CSV (20 series x 12 steps) and a 3-step run trained on it by the CLI: (csv, run dir)."""
    root = tmp_path_factory.mktemp("cli")
    csv = root / "f.csv"
    assert run("data", "waves", "--n", 20, "--length", 12, "--out", csv) == 0
    out = root / "run"
    assert run("train", "--data", csv, "--steps", 3, "--batch-size", 8, "--hidden", 8, "--noise-dim", 4,
               "--out", out, "--no-progress", "--checkpoint-every", 2) == 0
    return csv, out


def test_data_waves_writes_long_csv(cli_run):
    """`tsgan data waves` writes series_id, time, label, value with n * length rows."""
    csv, _ = cli_run
    df = pd.read_csv(csv)
    assert list(df.columns) == ["series_id", "time", "label", "value"]
    assert len(df) == 20 * 12
    assert df["series_id"].nunique() == 20 and sorted(df["time"].unique()) == list(range(12))
    assert set(df["label"]) == {"sine", "sawtooth"}
    X, y = tsgan.make_waves(20, 12, seed=0)
    np.testing.assert_allclose(tsgan.from_long(df)[0], X, atol=1e-6)


def test_data_waves_options(tmp_path):
    """Class, amplitude and seed options reach the generator."""
    out = tmp_path / "w.csv"
    assert run("data", "waves", "--n", 9, "--length", 10, "--classes", "square", "triangle", "sine",
               "--amplitude", 0.2, 0.4, "--seed", 3, "--out", out) == 0
    df = pd.read_csv(out)
    assert set(df["label"]) == {"square", "triangle", "sine"}
    assert df["value"].abs().max() <= 0.4 + 1e-6
    X, _ = tsgan.make_waves(9, 10, seed=3, classes=("square", "triangle", "sine"), amplitude=(0.2, 0.4))
    np.testing.assert_allclose(tsgan.from_long(df)[0], X, atol=1e-6)


def test_train_writes_run_files(cli_run):
    """`tsgan train` writes model.pt, losses.csv (one row per step), samples.png, losses.png, checkpoint.pt."""
    _, out = cli_run
    for name in ("model.pt", "losses.csv", "samples.png", "losses.png", "checkpoint.pt"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    losses = pd.read_csv(out / "losses.csv")
    assert len(losses) == 3
    assert {"step", "d_loss", "g_loss"} <= set(losses.columns)
    assert np.isfinite(losses[["d_loss", "g_loss"]].to_numpy()).all()
    assert (out / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    gan = tsgan.load(out)
    assert gan.classes_ == ["sawtooth", "sine"] and gan.model_config_.hidden == 8 and gan.model_config_.noise_dim == 4
    assert gan.train_config_.steps == 3 and gan.train_config_.batch_size == 8


def test_train_refuses_existing_run_without_resume(cli_run, capsys):
    """Training into a folder that holds a run needs --resume; with it, training continues."""
    csv, out = cli_run
    args = ["train", "--data", csv, "--batch-size", 8, "--hidden", 8, "--noise-dim", 4, "--out", out, "--no-progress"]
    assert run(*args, "--steps", 4) == 2
    assert "--resume" in capsys.readouterr().err
    assert run(*args, "--steps", 4, "--resume") == 0
    assert len(pd.read_csv(out / "losses.csv")) == 4


def test_sample_by_label(cli_run, tmp_path):
    """`tsgan sample DIR --label sine` writes n series, all labelled sine, matching the Python API."""
    _, out = cli_run
    target = tmp_path / "s.csv"
    assert run("sample", out, "--n", 5, "--label", "sine", "--seed", 1, "--out", target) == 0
    df = pd.read_csv(target)
    assert df["series_id"].nunique() == 5 and set(df["label"]) == {"sine"}
    assert len(df) == 5 * 12
    X, _, _ = tsgan.from_long(df)
    np.testing.assert_allclose(X, tsgan.load(out / "model.pt").sample(5, labels="sine", seed=1), atol=1e-5)


def test_sample_parquet(cli_run, tmp_path):
    """A .parquet output is written as parquet (when pyarrow is installed)."""
    pytest.importorskip("pyarrow")
    _, out = cli_run
    target = tmp_path / "s.parquet"
    assert run("sample", out, "--n", 3, "--out", target) == 0
    assert len(pd.read_parquet(target)) == 3 * 12


def test_train_unconditional_csv_with_options(cli_run, tmp_path):
    """--unconditional ignores labels; other families and losses are reachable from the CLI."""
    csv, _ = cli_run
    out = tmp_path / "u"
    assert run("train", "--data", csv, "--steps", 2, "--batch-size", 8, "--hidden", 8, "--noise-dim", 4,
               "--generator", "conv", "--discriminator", "mlp", "--loss", "wgan-gp", "--n-critic", 1,
               "--unconditional", "--out", out, "--no-progress") == 0
    gan = tsgan.load(out)
    assert gan.classes_ == [] and gan.generator == "conv" and gan.discriminator == "mlp" and gan.loss == "wgan-gp"


def test_train_sktime_gunpoint(tmp_path):
    """--data sktime:gunpoint trains offline on sktime's bundled set."""
    out = tmp_path / "gp"
    assert run("train", "--data", "sktime:gunpoint", "--steps", 2, "--batch-size", 8, "--hidden", 4, "--noise-dim", 2,
               "--out", out, "--no-progress") == 0
    gan = tsgan.load(out)
    assert gan.model_config_.length == 150 and len(gan.classes_) == 2
    assert len(pd.read_csv(out / "losses.csv")) == 2


SUBCOMMAND_OPTIONS = {
    ("data", "waves"): ["--n", "--length", "--seed", "--classes", "--amplitude", "--frequency", "--noise", "--out"],
    ("train",): ["--data", "--generator", "--discriminator", "--loss", "--steps", "--batch-size", "--seed", "--device",
                 "--hidden", "--noise-dim", "--layers", "--lr-g", "--lr-d", "--n-critic", "--checkpoint-every",
                 "--resume", "--unconditional", "--id-col", "--time-col", "--label-col", "--channels",
                 "--no-progress", "--out"],
    ("sample",): ["model", "--n", "--label", "--seed", "--device", "--out"],
}


@pytest.mark.parametrize("command", list(SUBCOMMAND_OPTIONS), ids=" ".join)
def test_help_lists_options(command, capsys):
    """Each subcommand's --help exits 0 and mentions every option."""
    with pytest.raises(SystemExit) as info:
        cli.main([*command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in SUBCOMMAND_OPTIONS[command]:
        assert option in text, option


def test_train_help_lists_choices(capsys):
    """train --help names every generator, discriminator and loss choice."""
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for name in [*tsgan.GENERATORS, *tsgan.LOSSES]:
        assert name in text


def test_module_entry_point(tmp_path):
    """`python -m tsgan` runs the command line: writes data, and exits 2 with one error line on bad input."""
    out = tmp_path / "w.csv"
    ok = subprocess.run([sys.executable, "-m", "tsgan", "data", "waves", "--n", "4", "--length", "5", "--out", str(out)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert len(pd.read_csv(out)) == 20
    bad = subprocess.run([sys.executable, "-m", "tsgan", "sample", str(tmp_path / "missing"), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("tsgan: error:") and len(bad.stderr.strip().splitlines()) == 1
