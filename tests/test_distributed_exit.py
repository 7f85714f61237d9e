"""Data-parallel exit: no process leaves the process group before every other has finished its work -
rank 0 writes the model and pictures after training while the other ranks are done; one that left
and exited meanwhile sometimes aborted (SIGABRT) and failed the torchrun job after a good run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch.distributed as dist

import tsgan
from tsgan import distributed

pytestmark = pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(), reason="needs torch.distributed with gloo")
ROOT = Path(tsgan.__file__).resolve().parents[1]

# One rank of a 2-process gloo group (a file store: no torchrun, no ports). Rank 0 is slow, as rank 0 writing
# the model is; each rank records when it called finish() and when finish() returned.
_RANK = """
import sys, time, types
package = types.ModuleType("tsgan"); package.__path__ = [sys.argv[3]]; sys.modules["tsgan"] = package  # tsgan.distributed alone
import torch.distributed as dist
from tsgan import distributed
rank, folder = int(sys.argv[1]), sys.argv[2]
dist.init_process_group("gloo", init_method=f"file://{folder}/store", rank=rank, world_size=2)
assert distributed.active() and distributed.rank() == rank
if rank == 0:
    time.sleep(3)  # writing the model and pictures
called = time.time()
distributed.finish()
open(f"{folder}/rank{rank}", "w").write(f"{called} {time.time()}")
"""


def test_every_rank_waits_for_the_others_before_leaving(tmp_path):
    """Rank 1 calls finish() at once, rank 0 three seconds later: rank 1's finish() returns only after
    rank 0 has called it, and both processes exit 0."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    ranks = [subprocess.Popen([sys.executable, "-c", _RANK, str(rank), str(tmp_path), str(ROOT / "tsgan")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for rank in (0, 1)]
    for process in ranks:
        _, err = process.communicate(timeout=240)
        assert process.returncode == 0, err[-2000:]
    (called0, _), (called1, returned1) = ((float(v) for v in (tmp_path / f"rank{r}").read_text().split()) for r in (0, 1))
    assert called1 < called0 <= returned1


def test_finish_leaves_the_group_even_if_the_barrier_fails(monkeypatch):
    """The barrier comes before leaving; a barrier that fails (a peer died) still leaves the group, and raises."""
    calls = []
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "get_world_size", lambda: 2)
    monkeypatch.setattr(dist, "get_backend", lambda: "gloo")
    monkeypatch.setattr(dist, "destroy_process_group", lambda: calls.append("destroy"))
    monkeypatch.setattr(dist, "barrier", lambda **kw: calls.append("barrier"))
    distributed.finish()
    assert calls == ["barrier", "destroy"]

    def broken(**kw):
        calls.append("barrier")
        raise RuntimeError("Connection closed by peer")

    monkeypatch.setattr(dist, "barrier", broken)
    calls.clear()
    with pytest.raises(RuntimeError, match="closed by peer"):
        distributed.finish()
    assert calls == ["barrier", "destroy"]
