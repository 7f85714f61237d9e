"""The command line answers --help, --version and mistakes without importing torch or pandas: its parser is
built from the stored option table (tsgan/cli_table.py), which must equal what the registry derives."""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import tsgan  # noqa: F401  (loads the registry: in this process the parser is derived live)
from tsgan import cli
from tsgan.cli_options import live_table
from tsgan.cli_table import TABLE

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "pandas", "numpy", "sktime", "sklearn", "matplotlib")


def test_stored_table_is_the_registry_s():
    assert TABLE == live_table(), "the stored option table is out of date: run `python -m tsgan.cli_options`"


def _help(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.build_parser().parse_args(argv)
    return out.getvalue()


def test_help_version_and_mistakes_import_nothing_heavy(monkeypatch):
    """In a fresh process: each command's help is the live parser's, word for word, and no heavy module loads."""
    monkeypatch.setenv("COLUMNS", "100")
    script = f"""
import contextlib, io, json, sys
import tsgan.cli
result = {{}}
for argv in (["--help"], ["train", "--help"], ["sample", "--help"], ["evaluate", "--help"], ["data", "waves", "--help"],
             ["--version"], ["train", "--out", "x", "--no-such-option"], ["trian"]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            tsgan.cli.main(argv)
        except SystemExit as exc:
            result[" ".join(argv)] = [exc.code, out.getvalue(), err.getvalue()]
result["loaded"] = [m for m in {HEAVY!r} if m in sys.modules]
print(json.dumps(result))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result.pop("loaded") == []
    for argv in (["--help"], ["train", "--help"], ["sample", "--help"], ["evaluate", "--help"], ["data", "waves", "--help"]):
        code, out, _ = result[" ".join(argv)]
        assert code == 0 and out == _help(argv), argv
    assert result["--version"][:2] == [0, f"tsgan {metadata.version('tsgan')}\n"]
    code, _, err = result["train --out x --no-such-option"]
    assert code == 2 and "unrecognized arguments: --no-such-option" in err
    code, _, err = result["trian"]
    assert code == 2 and "invalid choice: 'trian'" in err


def test_every_public_name_loads_on_first_use():
    """tsgan's names load lazily from the module each lives in: each listed one is found, and no listed one is missing."""
    assert set(tsgan.__all__) == set(tsgan._PUBLIC)
    for name in tsgan.__all__:
        assert getattr(tsgan, name) is not None, name
    assert tsgan.data.waves.make_waves is tsgan.make_waves  # subpackages too, as when everything loaded at once
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        tsgan.no_such_name
