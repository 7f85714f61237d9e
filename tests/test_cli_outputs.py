"""The command line's outputs: nothing a user trained or wrote is replaced without --force, never a model or the
data by samples, formats by suffix checked before work starts, and one training run per folder."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tsgan import cli

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--steps", "2", "--batch-size", "8", "--hidden", "8", "--noise-dim", "4", "--no-progress"]


@pytest.fixture
def run(tmp_path):
    csv = tmp_path / "w.csv"
    assert cli.main(["data", "waves", "--n", "16", "--length", "8", "--out", str(csv)]) == 0
    assert cli.main(["train", "--data", str(csv), "--out", str(tmp_path / "run"), *TINY]) == 0
    return csv, tmp_path / "run"


def test_data_and_samples_replace_nothing_without_force(run, tmp_path, capsys):
    csv, folder = run
    before = csv.read_bytes()
    assert cli.main(["data", "waves", "--n", "8", "--out", str(csv)]) == 2
    assert "already exists" in capsys.readouterr().err and csv.read_bytes() == before
    assert cli.main(["data", "waves", "--n", "8", "--length", "8", "--out", str(csv), "--force"]) == 0
    assert len(pd.read_csv(csv)) == 8 * 8
    samples = tmp_path / "s.csv"
    assert cli.main(["sample", str(folder), "--n", "3", "--out", str(samples)]) == 0
    assert cli.main(["sample", str(folder), "--n", "5", "--out", str(samples)]) == 2
    assert "--force" in capsys.readouterr().err and pd.read_csv(samples)["series_id"].nunique() == 3
    assert cli.main(["sample", str(folder), "--n", "5", "--out", str(samples), "--force"]) == 0
    assert pd.read_csv(samples)["series_id"].nunique() == 5


@pytest.mark.parametrize("target, expected", [("run/model.pt", "use .csv or .parquet"), ("s.txt", "use .csv or .parquet"),
                                              ("model.csv", "tsgan model")])
def test_samples_never_replace_a_model(run, tmp_path, capsys, target, expected):
    _, folder = run
    model = (folder / "model.pt").read_bytes()
    if target == "model.csv":
        (tmp_path / "model.csv").write_bytes(model)  # a model under another name
    assert cli.main(["sample", str(folder), "--n", "3", "--out", str(tmp_path / target), "--force"]) == 2
    assert expected in capsys.readouterr().err and (folder / "model.pt").read_bytes() == model


def test_a_model_without_checkpoint_is_not_trained_over(run, capsys):
    csv, folder = run
    (folder / "checkpoint.pt").unlink()
    (folder / "checkpoint.prev.pt").unlink(missing_ok=True)
    model = (folder / "model.pt").read_bytes()
    assert cli.main(["train", "--data", str(csv), "--out", str(folder), *TINY]) == 2
    assert "--force" in capsys.readouterr().err and (folder / "model.pt").read_bytes() == model
    assert cli.main(["train", "--data", str(csv), "--out", str(folder), *TINY, "--force"]) == 0


def test_second_training_into_a_running_folder_is_refused(run, tmp_path, capsys):
    """While another process holds the run folder, `tsgan train` into it fails at once naming that process."""
    csv, _ = run
    folder = tmp_path / "busy"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from tsgan.run_lock import RunLock\n"
                               "with RunLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)", str(folder)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        assert cli.main(["train", "--data", str(csv), "--out", str(folder), *TINY]) == 2
        err = capsys.readouterr().err
        assert "another training run" in err and f"process {holder.pid}" in err
        assert not (folder / "model.pt").exists()
    finally:
        holder.kill()
        holder.wait(30)
