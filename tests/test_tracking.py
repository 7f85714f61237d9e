"""Live tracking: losses.csv appended as training goes (valid after a kill, not duplicated by a resume),
TensorBoard event files and MLflow runs holding every logged value, sample pictures every K steps, and a
one-line error naming the extra that is missing."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.training.config import TrainConfig
from tsgan.training.tracking import LossCsv

def read(path) -> pd.DataFrame:
    return pd.read_csv(path, float_precision="round_trip")  # pandas' default parser may differ in the last bit


FAST = {"steps": 6, "batch_size": 8, "seed": 0, "device": "cpu", "progress": False, "log_every": 1}
ROOT = Path(__file__).resolve().parents[1]


def tiny() -> tsgan.GAN:
    return tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4)


class StopAt(tsgan.Callback):
    """Interrupts training (as Ctrl-C would) once ``step`` is logged."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_log(self, trainer, records) -> None:
        if trainer.step >= self.step:
            raise KeyboardInterrupt


class Judge(tsgan.Callback):
    """Adds a validation figure to every third step's row, as a validation judge would."""

    def on_log(self, trainer, records) -> None:
        for r in records:
            if r["step"] % 3 == 0:
                r["val_score"] = r["step"] / 10


def test_losses_csv_after_an_interrupt_holds_the_rows_so_far_and_a_resume_does_not_repeat_them(waves_data, tmp_path):
    X, y = waves_data
    path = tmp_path / "losses.csv"
    with pytest.raises(KeyboardInterrupt):
        tiny().fit(X, y, out_dir=tmp_path, callbacks=(LossCsv(path), StopAt(4)), **{**FAST, "steps": 20, "log_every": 2})
    rows = read(path)
    assert rows["step"].tolist() == [1, 2, 3, 4]
    gan = tiny().fit(X, y, out_dir=tmp_path, resume=True, callbacks=(LossCsv(path),), **{**FAST, "steps": 9, "log_every": 2})
    rows = read(path)
    assert rows["step"].tolist() == list(range(1, 10))
    np.testing.assert_array_equal(rows[["d_loss", "g_loss"]].to_numpy(), [[r["d_loss"], r["g_loss"]] for r in gan.history_])


def test_a_new_value_name_adds_a_column(waves_data, tmp_path):
    X, y = waves_data
    gan = tiny().fit(X, y, callbacks=(Judge(), LossCsv(tmp_path / "losses.csv")), **FAST)
    rows = read(tmp_path / "losses.csv")
    assert list(rows.columns) == ["step", "d_loss", "g_loss", "val_score"]
    assert rows["val_score"].isna().tolist() == [True, True, False, True, True, False]
    assert rows.loc[2, "val_score"] == 0.3 and len(gan.history_) == 6


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_losses_csv_after_sigkill_is_valid_and_resume_appends(tmp_path):
    """A real kill at an arbitrary moment: the file holds whole rows 1..n; a resume from the last checkpoint
    trains the later steps again and the file ends with each step once."""
    out = tmp_path / "run"
    args = ["train", "--hidden", "4", "--noise-dim", "2", "--batch-size", "8", "--generator", "mlp", "--discriminator", "mlp",
            "--log-every", "2", "--checkpoint-every", "7", "--no-progress", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-m", "tsgan", *args, "--steps", "100000"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (out / "losses.csv").is_file() and (out / "losses.csv").read_text().count("\n") > 30:
                break
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    killed = read(out / "losses.csv")
    n = len(killed)
    assert n >= 30 and killed["step"].tolist() == list(range(1, n + 1)) and not killed.isna().any().any()
    assert cli.main([*args, "--resume", "--steps", str(n + 3)]) == 0
    resumed = read(out / "losses.csv")
    assert resumed["step"].tolist() == list(range(1, n + 4))
    np.testing.assert_allclose(resumed.iloc[:n].to_numpy(), killed.to_numpy(), rtol=1e-6)  # faithful resume


def test_tensorboard_event_files_hold_every_logged_value_and_the_pictures(waves_data, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    X, y = waves_data
    gan = tiny().fit(X, y, out_dir=tmp_path, logger="tensorboard", sample_every=3, callbacks=(Judge(),), **FAST)
    events = EventAccumulator(str(tmp_path / "tensorboard"), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    for key in ("d_loss", "g_loss"):
        logged = events.Scalars(key)
        assert [e.step for e in logged] == list(range(1, 7))
        np.testing.assert_allclose([e.value for e in logged], [r[key] for r in gan.history_], rtol=1e-6)
    assert [(e.step, e.value) for e in events.Scalars("val_score")] == [(3, pytest.approx(0.3)), (6, pytest.approx(0.6))]
    assert [e.step for e in events.Images("samples")] == [3, 6]
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["step_3.png", "step_6.png"]


def test_mlflow_run_lands_in_a_local_mlruns_folder_and_a_resume_continues_it(waves_data, tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    X, y = waves_data
    tiny().fit(X, y, out_dir="run", logger="mlflow", sample_every=3, **{**FAST, "steps": 3})
    uri, run_id = (tmp_path / "run" / "mlflow-run.txt").read_text().split()
    assert uri == (tmp_path / "mlruns").as_uri() and (tmp_path / "mlruns").is_dir()
    gan = tiny().fit(X, y, out_dir="run", resume=True, steps=6)  # the logger continues as the run was trained
    client = MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.params["steps"] == "3" and run.data.params["generator"] == "mlp"
    history = client.get_metric_history(run_id, "d_loss")
    assert [m.step for m in history] == list(range(1, 7))
    np.testing.assert_allclose([m.value for m in history], [r["d_loss"] for r in gan.history_], rtol=1e-6)
    assert [a.path for a in client.list_artifacts(run_id, "samples")] == ["samples/step_3.png", "samples/step_6.png"]
    with pytest.raises(KeyboardInterrupt):
        tiny().fit(X, y, out_dir="other", logger="mlflow", callbacks=(StopAt(2),), **FAST)
    other = (tmp_path / "other" / "mlflow-run.txt").read_text().split()[1]
    assert other != run_id and client.get_run(other).info.status == "KILLED"


def test_sample_pictures_leave_training_unchanged(waves_data, tmp_path):
    X, y = waves_data
    plain = tiny().fit(X, y, **FAST)
    pictured = tiny().fit(X, y, out_dir=tmp_path, sample_every=2, **FAST)
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["step_2.png", "step_4.png", "step_6.png"]
    assert plain.history_ == pictured.history_
    for a, b in zip(plain.generator_.parameters(), pictured.generator_.parameters()):
        assert torch.equal(a, b)


def test_logger_settings_read_as_names():
    assert TrainConfig(logger="tensorboard, MLflow").logger == ("tensorboard", "mlflow")
    assert TrainConfig(logger=["mlflow", "mlflow,tensorboard"]).logger == ("mlflow", "tensorboard")
    assert TrainConfig(logger="none").logger == () == TrainConfig().logger
    with pytest.raises(tsgan.TsganError, match="unknown logger 'wandb'; use tensorboard or mlflow"):
        TrainConfig(logger="wandb")
    with pytest.raises(tsgan.TsganError, match="sample_every must be a whole number >= 1"):
        TrainConfig(sample_every=0)
    args = cli.build_parser().parse_args(["train", "--out", "x", "--logger", "tensorboard", "--logger", "mlflow", "--sample-every", "5"])
    train = cli.training_options(args)["train"]
    assert TrainConfig(**train).logger == ("tensorboard", "mlflow") and train["sample_every"] == 5


def test_trackers_need_a_place_to_go(waves_data):
    X, y = waves_data
    with pytest.raises(tsgan.TsganError, match="logger 'tensorboard' writes its event files into the run folder: give out_dir"):
        tiny().fit(X, y, logger="tensorboard", **FAST)
    with pytest.raises(tsgan.TsganError, match="sample pictures need a place to go"):
        tiny().fit(X, y, sample_every=2, **FAST)


@pytest.mark.parametrize("name, modules", [("tensorboard", ("torch.utils.tensorboard",)), ("mlflow", ("mlflow", "mlflow.tracking"))])
def test_a_missing_extra_is_named_in_one_line(name, modules, tmp_path, monkeypatch, capsys):
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    code = cli.main(["train", "--steps", "1", "--hidden", "4", "--generator", "mlp", "--discriminator", "mlp",
                     "--no-progress", "--logger", name, "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2 and err == f"tsgan: error: logger '{name}' needs the {name} package: pip install 'tsgan[{name}]'\n"
