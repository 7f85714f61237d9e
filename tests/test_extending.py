"""The guides run as written: docs/extending.md's worked technique registers, trains, is saved and shows in the
CLI's help; docs/callbacks.md's callbacks and trackers do what the guide says."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
import torch

import tsgan
from tsgan import cli
from tsgan.objective.technique import TECHNIQUES

DOCS = Path(__file__).resolve().parents[1] / "docs"
DOC = DOCS / "extending.md"


def blocks(doc: Path = DOC) -> list[str]:
    """The Python blocks of a guide, in order."""
    return re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)


def run_block(doc: Path, index: int) -> tuple[dict, str]:
    """Block ``index`` of ``doc`` run as written: (its names, what it printed)."""
    scope: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks(doc)[index], str(doc), "exec"), scope)
    return scope, out.getvalue()


@pytest.fixture
def registry():
    """The registries as they were before the test: a block's registrations do not leak into other tests."""
    techniques, generators = dict(TECHNIQUES), dict(tsgan.GENERATORS)
    yield
    TECHNIQUES.clear(); TECHNIQUES.update(techniques)
    tsgan.GENERATORS.clear(); tsgan.GENERATORS.update(generators)


def test_the_guide_has_its_examples():
    assert len(blocks()) == 2


def test_worked_technique_runs_and_reaches_the_command_line(registry, tmp_path):
    torch.set_num_threads(1)
    scope: dict = {}
    exec(compile(blocks()[0], str(DOC), "exec"), scope)
    gan = scope["gan"]
    assert "moment-matching" in TECHNIQUES and gan.technique("moment-matching") is not None
    # the term acts: the same seed without it trains other weights
    X, y = scope["X"], scope["y"]
    plain = tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, steps=3, batch_size=16, progress=False)
    assert not torch.equal(next(gan.generator_.parameters()), next(plain.generator_.parameters()))
    with pytest.raises(tsgan.TsganError, match="moment_matching must be > 0"):
        tsgan.GAN("mlp", "mlp").fit(X, y, steps=1, moment_matching=-1.0)
    gan.save(tmp_path / "m.pt")
    assert tsgan.load(tmp_path / "m.pt").technique("moment-matching").moment_matching == 0.5
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.build_parser().parse_args(["train", "--help"])
    assert "--moment-matching WEIGHT" in out.getvalue() and "technique: moment-matching" in out.getvalue()


def test_worked_family_runs(registry):
    torch.set_num_threads(1)
    exec(compile(blocks()[1], str(DOC), "exec"), {})
    assert "gru" not in tsgan.GENERATORS


def test_the_callbacks_guide_has_its_examples():
    assert len(blocks(DOCS / "callbacks.md")) == 2


def test_callback_example_records_a_value_and_can_stop_the_run():
    torch.set_num_threads(1)
    scope, printed = run_block(DOCS / "callbacks.md", 0)
    gan, stopper = scope["gan"], scope["stopper"]
    last = gan.history_[-1]["step"]
    assert [step for step, _ in stopper.means] == list(range(5, last + 1, 5))
    assert [r["d_loss_window"] for r in gan.history_ if "d_loss_window" in r] == [m for _, m in stopper.means]
    assert (f"stopped at step {last}" in printed) == (last < 100) and (last < 100) == (stopper.calm >= stopper.patience)


def test_tracker_example_writes_what_it_says():
    pytest.importorskip("tensorboard")
    torch.set_num_threads(1)
    scope, printed = run_block(DOCS / "callbacks.md", 1)
    run = scope["run"]
    assert printed == "20 ['step_10.png', 'step_20.png']\n"
    assert any(p.name.startswith("events.out.tfevents") for p in (run / "tensorboard").iterdir())
