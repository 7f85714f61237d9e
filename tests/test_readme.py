"""Every Python block of the README runs as written, in a scratch folder, with training shortened to a few steps
through the TSGAN_DOC_STEPS variable the blocks read (and every block that trains reads it)."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest
import torch

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_its_examples():
    assert len(BLOCKS) == 7
    for block in BLOCKS:
        if ".fit(" in block:  # a block that trains must be shortened by the suite, or the suite takes hours
            assert 'os.environ.get("TSGAN_DOC_STEPS"' in block, block


@pytest.mark.parametrize("number", range(len(BLOCKS)), ids=lambda n: f"block{n + 1}")
def test_block_runs_as_written(number, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    torch.set_num_threads(1)
    monkeypatch.setenv("TSGAN_DOC_STEPS", "3")
    monkeypatch.chdir(tmp_path)  # the files a block writes (runs/, model.pt, report/) land here
    exec(compile(BLOCKS[number], f"{README}, python block {number + 1}", "exec"), {"__name__": "__readme__"})
