"""A run is a file: `tsgan train --config` (TOML, YAML; flags override it), RUN/config.toml written when training
starts and repeating the run bit for bit, resuming and evaluating from it, and one clear error per bad config."""
from __future__ import annotations

import dataclasses
import shutil
import sys
import tomllib

import numpy as np
import pytest
import torch
import yaml

import tsgan
from tsgan import cli
from tsgan.cli_options import MODEL_OPTIONS
from tsgan.objective.technique import TECHNIQUES, options_of
from tsgan.run_config import check, key_of, schema, subcommand

TINY = ["--steps", 20, "--batch-size", 16, "--hidden", 8, "--noise-dim", 4, "--no-progress"]


def run(*argv) -> int:
    return cli.main([str(a) for a in argv])


def samples(folder) -> np.ndarray:
    return tsgan.load(folder).sample(40, seed=3)


def config_of(folder) -> dict:
    return tomllib.loads((folder / "config.toml").read_text())


def error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("tsgan: error:") and len(err.splitlines()) == 1, err
    return err


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """64 waves of 12 steps as CSV and a 20-step run on them with a technique and non-default settings."""
    root = tmp_path_factory.mktemp("runconfig")
    csv = root / "waves.csv"
    assert run("data", "waves", "--n", 64, "--length", 12, "--out", csv) == 0
    assert run("train", "--data", csv, *TINY, "--seed", 5, "--lr-g", 2e-4, "--feature-matching", "--out", root / "run") == 0
    return csv, root / "run"


def test_run_folder_holds_the_config_it_used(first_run):
    """config.toml holds the data spec (full path) and reader options, model, loss, technique, training
    settings with the seed, and a provenance table with versions and the command line."""
    csv, out = first_run
    config = config_of(out)
    assert config["data"]["data"] == str(csv.resolve()) and config["data"]["format"] == "long"
    assert config["model"] == {"generator": "lstm", "discriminator": "mlp", "hidden": 8, "noise_dim": 4, "layers": 1, "burn_in": 0, "noise_state": True,
                               "loss": "gan"}
    assert config["training"]["seed"] == 5 and config["training"]["steps"] == 20 and config["training"]["lr_g"] == 2e-4
    assert config["techniques"] == {"feature-matching": {"feature_matching": 1.0}}
    provenance = config["provenance"]
    assert provenance["tsgan"] == tsgan.__version__ and provenance["torch"] == torch.__version__
    assert provenance["command_line"].startswith("tsgan train --data") and "--feature-matching" in provenance["command_line"]
    assert provenance["started_at_step"] == 0 and "weight-average" in provenance["techniques"]


def test_config_repeats_the_run_exactly(first_run, tmp_path, monkeypatch):
    """`tsgan train --config RUN/config.toml --out NEW`, from another folder: the same samples, bit for bit, and
    the same config (but for provenance)."""
    _, out = first_run
    monkeypatch.chdir(tmp_path)
    assert run("train", "--config", out / "config.toml", "--out", "again") == 0
    again = tmp_path / "again"
    np.testing.assert_array_equal(samples(again), samples(out))
    strip = lambda c: {k: v for k, v in c.items() if k != "provenance"}  # noqa: E731
    assert strip(config_of(again)) == strip(config_of(out))


def test_yaml_config_reads_as_toml(first_run, tmp_path):
    """The same config in YAML (floats written as PyYAML reads them or as strings) trains the same model."""
    _, out = first_run
    config = {k: v for k, v in config_of(out).items() if k != "provenance"}
    config["training"]["lr_g"] = "2e-4"  # PyYAML reads 2e-4 as a string: parsed as the flag's text would be
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config))
    assert run("train", "--config", path, "--out", tmp_path / "yaml") == 0
    np.testing.assert_array_equal(samples(tmp_path / "yaml"), samples(out))


def test_flags_override_the_config(first_run, tmp_path):
    """A flag given beside --config wins; the file fills in the rest; the run's config.toml says what was used."""
    csv, _ = first_run
    path = tmp_path / "mine.toml"
    path.write_text(f'[data]\ndata = "{csv.as_posix()}"\n[model]\nhidden = 6\nnoise_dim = 4\n'
                    '[training]\nsteps = 50\nbatch_size = 16\nseed = 2\nno_progress = true\n')
    assert run("train", "--config", path, "--steps", 3, "--seed", 0, "--out", tmp_path / "r") == 0
    gan = tsgan.load(tmp_path / "r")
    assert gan.train_config_.steps == 3 and gan.train_config_.seed == 0 and gan.model_config_.hidden == 6
    assert config_of(tmp_path / "r")["training"]["steps"] == 3


@pytest.mark.parametrize("text, named", [
    ("[training]\nstepz = 3\n", ["stepz", "did you mean 'steps'"]),
    ("[model]\nsteps = 3\n", ["'steps'", "belongs in [training]"]),
    ("steps = 3\n", ["'steps'", "belongs in [training]"]),
    ("[trainig]\nsteps = 3\n", ["[trainig]", "did you mean 'training'"]),
    ("[training]\nsteps = 'many'\n", ["[training] steps", "whole number", "'many'"]),
    ("[training]\nsteps = 2.5\n", ["[training] steps", "whole number"]),
    ("[training]\nsteps = -1\n", ["[training]", "steps must be a whole number >= 0"]),
    ("[model]\nloss = 'hinge'\n", ["[model] loss", "one of", "wgan-gp"]),
    ("[data]\nunconditional = 'yes'\n", ["[data] unconditional", "true or false"]),
    ("[techniques.feature-matching]\nfeature_matching = 'strong'\n", ["[techniques.feature-matching] feature_matching", "a number"]),
    ("[techniques.weight-average]\nema_decay = 2.0\n", ["[techniques.weight-average]", "ema_decay"]),
    ("[techniques.dropout]\nrate = 0.5\n", ["[techniques.dropout]", "feature-matching"]),
    ("[techniques.feature-matching]\nema_decay = 0.9\n", ["'ema_decay'", "belongs in [techniques.weight-average]"]),
    ("[variant]\nname = 'bigan'\ncategorical = 3\n", ["[variant]", "categorical"]),
    ("[training\nsteps = 3\n", ["not valid TOML", "line 1"]),
])
def test_bad_config_is_one_error_naming_file_and_key(tmp_path, capsys, text, named):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert run("train", "--config", path, "--out", tmp_path / "r") == 2
    err = error_line(capsys)
    for part in [str(path), *named]:
        assert part in err, (part, err)
    assert not (tmp_path / "r").exists()


def test_config_file_kinds(tmp_path, capsys, monkeypatch):
    """A missing file, an unknown suffix and YAML without PyYAML (naming the extra) are one-line errors."""
    assert run("train", "--config", tmp_path / "none.toml", "--out", tmp_path / "r") == 2
    assert "no config file" in error_line(capsys)
    (tmp_path / "c.json").write_text("{}")
    assert run("train", "--config", tmp_path / "c.json", "--out", tmp_path / "r") == 2
    assert ".toml, .yaml or .yml" in error_line(capsys)
    (tmp_path / "c.yaml").write_text("training:\n  steps: 3\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    assert run("train", "--config", tmp_path / "c.yaml", "--out", tmp_path / "r") == 2
    assert "tsgan[yaml]" in error_line(capsys)


def test_schema_is_the_command_line_options():
    """The config's tables and keys are train's option groups: the model's options and the loss, every
    TrainConfig option of the command line, every technique with its options, the variant's."""
    tables = {name: {key_of(action) for action in keys.values()} for name, keys in schema(subcommand(cli.build_parser(), "train")).items()}
    assert set(tables["model"]) == {*MODEL_OPTIONS, "loss"}
    assert set(tables["training"]) >= {f.name for f in dataclasses.fields(tsgan.TrainConfig) if f.metadata.get("cli", True)}
    for name, cls in TECHNIQUES.items():
        if not cls.game:
            assert set(tables[f"techniques.{name}"]) == {f.name for f in options_of(cls)}, name
    assert {"name", "categorical", "code_dim"} <= set(tables["variant"])
    assert {"data", "format", "window", "categorical", "unconditional"} <= set(tables["data"])
    train = subcommand(cli.build_parser(), "train")
    values = check({"variant": {"name": "infogan", "info_continuous": 2, "categorical": 3}, "data": {"categorical": "state"},
                    "techniques": {"label-smoothing": {"label_smoothing": True}}}, train, "c.toml")
    assert values == {"variant": "infogan", "variant:continuous": 2, "variant:categorical": 3, "categorical": ["state"],
                      "technique:real_target": 0.9}  # a flag's spelling is a key too; true: the flag without a value
    with pytest.raises(tsgan.TsganError, match="real_target twice"):
        check({"techniques": {"label-smoothing": {"label_smoothing": 0.8, "real_target": 0.9}}}, train, "c.toml")


def test_resume_reads_the_run_config(first_run, tmp_path, capsys):
    """`tsgan train --out RUN --resume --steps N` needs no data flags (RUN/config.toml says them); a config that
    changes the model is refused by the checkpoint's faithful-resume check."""
    _, out = first_run
    copy = tmp_path / "run"
    shutil.copytree(out, copy)
    assert run("train", "--out", copy, "--resume", "--steps", 24, "--no-progress") == 0
    resumed = config_of(copy)
    assert resumed["training"]["steps"] == 24 and resumed["provenance"]["started_at_step"] == 20
    assert len(tsgan.load(copy).history_) == 24
    edited = (copy / "config.toml").read_text().replace("hidden = 8", "hidden = 16")
    (tmp_path / "edited.toml").write_text(edited)
    assert run("train", "--config", tmp_path / "edited.toml", "--out", copy, "--resume", "--steps", 28) == 2
    assert "different model" in error_line(capsys)
    (tmp_path / "batch.toml").write_text(edited.replace("hidden = 16", "hidden = 8").replace("batch_size = 16", "batch_size = 8"))
    assert run("train", "--config", tmp_path / "batch.toml", "--out", copy, "--resume", "--steps", 28) == 2
    assert "batch_size 16 -> 8" in error_line(capsys)


def test_evaluate_and_sample_need_no_flags(first_run, tmp_path, capsys):
    """`tsgan evaluate RUN --quick` and `tsgan sample RUN` read what they need from the run; their outputs
    default into the run folder and are never replaced without --force."""
    _, out = first_run
    copy = tmp_path / "run"
    shutil.copytree(out, copy)
    (copy / "evaluation").mkdir()
    (copy / "evaluation" / "summary.md").write_text("an earlier report")
    assert run("evaluate", copy, "--quick", "--quiet") == 2
    assert "--force" in error_line(capsys)
    assert (copy / "evaluation" / "summary.md").read_text() == "an earlier report"
    assert run("evaluate", copy, "--quick", "--quiet", "--force") == 0  # one evaluation: the slowest part of this file
    metrics = (copy / "evaluation" / "metrics.json").read_text()
    assert "waves.csv" in metrics and (copy / "evaluation" / "summary.md").read_text() != "an earlier report"
    assert run("sample", copy, "--n", 5) == 0
    assert len(tsgan.load(copy).sample(5)) == 5 and (copy / "samples.csv").is_file()
    assert run("sample", copy, "--n", 5) == 2
    assert "--force" in error_line(capsys)


def test_run_without_config_asks_for_data(first_run, tmp_path, capsys):
    """A run folder from before config.toml existed: evaluate says to pass --data."""
    _, out = first_run
    (tmp_path / "old").mkdir()
    shutil.copy(out / "model.pt", tmp_path / "old" / "model.pt")
    assert run("evaluate", tmp_path / "old", "--quick", "--quiet") == 2
    assert "--data" in error_line(capsys)


def test_python_fit_writes_config_that_the_command_line_repeats(first_run, tmp_path, capsys):
    """GAN.fit(out_dir=...) writes config.toml with the data spec "python arrays": the command line asks for
    --data, and given the same data repeats the Python run bit for bit (here with a technique on by default
    turned off). A run without config.toml resumes with the techniques chosen when it started."""
    csv, _ = first_run
    gan = tsgan.GAN(hidden=8, noise_dim=4, ema_decay=0.0)
    gan.fit(tsgan.load_dataset(str(csv)), out_dir=tmp_path / "py", steps=20, batch_size=16, seed=1, progress=False)
    config = config_of(tmp_path / "py")
    assert config["data"] == {"data": "python arrays"} and config["techniques"] == {"weight-average": {"ema_decay": 0.0}}
    assert run("train", "--config", tmp_path / "py" / "config.toml", "--out", tmp_path / "cli") == 2
    assert "--data" in error_line(capsys)
    assert run("train", "--config", tmp_path / "py" / "config.toml", "--data", csv, "--out", tmp_path / "cli", "--no-progress") == 0
    np.testing.assert_array_equal(samples(tmp_path / "cli"), gan.sample(40, seed=3))
    (tmp_path / "cli" / "config.toml").unlink()  # as a run from before config.toml: the checkpoint alone says the settings
    assert run("train", "--data", csv, "--out", tmp_path / "cli", "--resume", "--steps", 22, "--no-progress") == 0
    assert tsgan.load(tmp_path / "cli").technique("weight-average") is None


def test_a_users_config_in_the_run_folder_is_never_replaced(first_run, tmp_path, capsys):
    csv, _ = first_run
    (tmp_path / "r").mkdir()
    mine = tmp_path / "r" / "config.toml"
    mine.write_text(f'# my settings\n[data]\ndata = "{csv.as_posix()}"\n[training]\nsteps = 2\nbatch_size = 16\n')
    assert run("train", "--config", mine, "--out", tmp_path / "r", "--no-progress") == 2
    assert "not written by tsgan" in error_line(capsys)
    assert mine.read_text().startswith("# my settings")
