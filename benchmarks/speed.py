"""Training speed and peak memory of tsgan's loop against a hand-written PyTorch loop of the same networks.

    python benchmarks/speed.py                  # every family x loss x batch (64, 256) x length (30, 200, 1000)
    python benchmarks/speed.py --quick          # length 30 and 200, batch 64 and 256, fewer rounds
    python benchmarks/speed.py --skip-slow      # leave out the LSTM's WGAN-GP at length 1000 (minutes per step on a CPU)
    python benchmarks/speed.py --tsgm           # also tsgm's setting: LSTM hidden 100, length 30, BCE, batch 64/128/256
    python benchmarks/speed.py --contention     # also: steps/s quiet and beside one busy process, 1 and 2 threads

One step is ``n_critic`` discriminator updates and one generator update (n_critic 1 for ``gan``, 5 for
``wgan-gp``). Both loops train the same networks (``tsgan.nn.build``, same initial weights), with
the same losses, optimizers, batch and data, in the same process: tsgan's ``Trainer`` (as ``GAN.fit``
runs it, without checkpoint files) and the minimal loop a user would write (``hand_loop`` below: no
logging, no weight average, no finiteness checks). Blocks of steps of the two alternate (ABBA order)
for several rounds; the table gives each one's median steps/s and the median of the per-round ratios
tsgan / hand-written, so that a load change on a shared machine hits both sides alike.

Peak memory: on CUDA ``torch.cuda.max_memory_allocated`` above the memory held before the steps; on
a CPU the peak resident set (sampled every 0.5 ms by a thread, after ``malloc_trim``) above the
resident set before the steps - activations, gradients and temporaries of a step, not the weights.
With ``--contention``, a table of tsgan's steps/s per family (batch 64, length 30, each loss) on a
quiet machine and beside one competing busy process (a Python busy loop, started and stopped around
alternate blocks), for 1 and for 2 torch threads: the busy-machine column of issue 16 (on a 2-core
machine two threads spin at barriers while the other process holds a core).
Also: sampling throughput (``GAN.sample``, sequences/s) at a large batch, and how step time grows
with length and batch. Prints Markdown.
"""
from __future__ import annotations

import argparse
import dataclasses
import ctypes
import datetime
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
import torch
import torch.nn.functional as F

import tsgan
from tsgan.objective.losses import get_loss
from tsgan.nn import ModelConfig, build
from tsgan.training import Trainer, TrainConfig, resolve_device

TSGM = {64: 31, 128: 18, 256: 9}  # tsgm's ConditionalGAN, LSTM hidden 100, length 30, BCE, this 2-core CPU (issue 6)
TSGM_EAGER = {64: 34, 128: 15, 256: 7}  # a plain eager PyTorch loop measured beside it


# -- the hand-written loop ------------------------------------------------------------------------

def hand_loop(G, D, loss: str, X, y, batch: int, steps: int, opt_g, opt_d, n_critic: int) -> None:
    """The loop a user writes by hand: the same losses as tsgan (classic non-saturating BCE, or
    Wasserstein with a per-sample gradient penalty, lambda 10), nothing else."""
    n, wgan = len(X), loss != "gan"
    for _ in range(steps):
        for _ in range(n_critic):
            idx = torch.randint(n, (batch,), device=X.device)
            real, labels = X[idx], y[idx]
            with torch.no_grad():
                fake = G(G.sample_noise(batch), labels)
            d_real, d_fake = D(real, labels), D(fake, labels)
            if wgan:
                d_loss = d_fake.mean() - d_real.mean()
                eps = torch.rand(batch, 1, 1, device=X.device)
                mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
                rnn = X.device.type == "cuda" and any(isinstance(m, torch.nn.RNNBase) for m in D.modules())
                with torch.backends.cudnn.flags(enabled=not rnn):  # cuDNN's RNN has no double backward
                    mixed_scores = D(mixed, labels)
                (grad,) = torch.autograd.grad(mixed_scores.reshape(batch, -1).mean(1).sum(), mixed, create_graph=True)
                d_loss = d_loss + 10.0 * ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
            else:
                d_loss = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                          + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
        labels = y[torch.randint(n, (batch,), device=X.device)]
        scores = D(G(G.sample_noise(batch), labels), labels)
        g_loss = -scores.mean() if wgan else F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()


# -- measuring ------------------------------------------------------------------------------------

def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Peak memory above the start, in bytes, of the code inside ``with`` (see the module docstring)."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.peak = device, 0

    def __enter__(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self._base = torch.cuda.memory_allocated(self.device)
            return self
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed memory back, so the resident set tracks live memory
        except OSError:
            pass
        self._base = self._top = _rss()
        self._stop = False
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop:
            self._top = max(self._top, _rss())
            time.sleep(0.0005)

    def __exit__(self, *exc) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.peak = torch.cuda.max_memory_allocated(self.device) - self._base
            return
        self._stop = True
        self._thread.join()
        self.peak = max(self._top, _rss()) - self._base


class Pair:
    """tsgan's Trainer and the hand-written loop on identical copies of one network pair."""

    def __init__(self, family: str, loss: str, batch: int, length: int, hidden: int | None, device: torch.device, seed: int = 0):
        X, labels = tsgan.make_waves(max(1024, 2 * batch), length, seed=seed)
        self.X = torch.from_numpy(X).to(device)
        self.y = torch.from_numpy((labels == "sine").astype(np.int64)).to(device)
        cfg = ModelConfig(generator=family, discriminator=family, length=length, channels=1, n_classes=2, hidden=hidden)
        torch.manual_seed(seed)
        G, D = build(cfg)
        self.loss, self.batch, self.device = loss, batch, device
        spec = get_loss(loss)
        self.trainer = Trainer(G.to(device), D.to(device), spec,
                               TrainConfig(steps=0, batch_size=batch, seed=seed, progress=False, checkpoint_every=10**9))
        torch.manual_seed(seed)
        self.G, self.D = (m.to(device) for m in build(cfg))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=spec.lr, betas=spec.betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=spec.lr_d, betas=spec.betas)
        self.n_critic = spec.n_critic

    def with_threads(self, threads: int) -> "Pair":
        self.trainer.cfg = dataclasses.replace(self.trainer.cfg, threads=threads)
        return self

    def run(self, which: str, steps: int) -> float:
        """Train ``steps`` steps with ``which`` ('tsgan' or 'hand'); returns the seconds taken."""
        _sync(self.device)
        start = time.perf_counter()
        if which == "tsgan":
            self.trainer.cfg = dataclasses.replace(self.trainer.cfg, steps=self.trainer.cfg.steps + steps)  # continues where the last block stopped
            self.trainer.fit(self.X, self.y)
        else:
            hand_loop(self.G, self.D, self.loss, self.X, self.y, self.batch, steps, self.opt_g, self.opt_d, self.n_critic)
        _sync(self.device)
        return time.perf_counter() - start

    def memory(self, which: str, steps: int = 2) -> int:
        with PeakMemory(self.device) as peak:
            self.run(which, steps)
        return peak.peak


def measure(family, loss, batch, length, *, hidden, device, rounds, block_seconds, memory) -> dict:
    pair = Pair(family, loss, batch, length, hidden, device)
    first = {w: pair.run(w, 1) for w in ("tsgan", "hand")}  # warm-up: allocations, first calls
    steps = max(1, min(200, round(block_seconds / max(min(first.values()), 1e-4))))
    rates = {"tsgan": [], "hand": []}
    ratios = []
    for r in range(rounds):
        order = ("tsgan", "hand") if r % 2 == 0 else ("hand", "tsgan")
        seconds = {w: pair.run(w, steps) for w in order}
        for w in order:
            rates[w].append(steps / seconds[w])
        ratios.append(seconds["hand"] / seconds["tsgan"])
    row = {w: statistics.median(v) for w, v in rates.items()}
    row.update(ratio=statistics.median(ratios), steps=steps)
    if memory:
        row.update(mem_tsgan=pair.memory("tsgan"), mem_hand=pair.memory("hand"))
    return row


class BusyProcess:
    """One competing process that keeps a core busy while inside ``with`` (a shared machine's neighbour)."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.2)  # let it reach the scheduler's run queue
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()


def contention(family: str, loss: str, threads: int, *, rounds: int, block_seconds: float) -> dict:
    """tsgan's steps/s quiet and beside one busy process, alternating blocks (ABBA) so that a drift in the
    machine's own load hits both alike; returns the medians and the median per-round ratio loaded / quiet."""
    pair = Pair(family, loss, 64, 30, None, torch.device("cpu")).with_threads(threads)
    steps = max(1, min(400, round(block_seconds / max(pair.run("tsgan", 2) / 2, 1e-4))))
    rates = {"quiet": [], "busy": []}
    for r in range(rounds):
        for which in (("quiet", "busy") if r % 2 == 0 else ("busy", "quiet")):
            if which == "busy":
                with BusyProcess():
                    rates[which].append(steps / pair.run("tsgan", steps))
            else:
                rates[which].append(steps / pair.run("tsgan", steps))
    ratios = [busy / quiet for quiet, busy in zip(rates["quiet"], rates["busy"])]
    return {"quiet": statistics.median(rates["quiet"]), "busy": statistics.median(rates["busy"]), "ratio": statistics.median(ratios)}


def print_contention(args) -> None:
    print(f"\nOn a busy machine (batch 64, length 30; steps/s quiet and beside one busy process; {os.cpu_count()} CPUs):\n")
    print("| family | loss | threads | quiet steps/s | busy steps/s | busy / quiet |")
    print("|---|---|---|---|---|---|")
    for family in args.families:
        for loss in args.losses:
            for threads in (1, 2):
                row = contention(family, loss, threads, rounds=args.rounds, block_seconds=args.block_seconds)
                print(f"| {family} | {loss} | {threads} | {row['quiet']:.1f} | {row['busy']:.1f} | {row['ratio']:.2f} |", flush=True)


def sampling_rate(family: str, length: int, n: int, device: torch.device, hidden: int | None) -> float:
    """Sequences per second from ``GAN.sample(n)`` (one batch of ``n``), after one warm-up call."""
    X, y = tsgan.make_waves(64, length, seed=0)
    gan = tsgan.GAN(family, family, hidden=hidden).fit(X, y, steps=0, batch_size=64, device=str(device), progress=False)
    gan.sample(min(n, 256), seed=0)
    best = []
    for seed in range(3):
        start = time.perf_counter()
        gan.sample(n, seed=seed, batch_size=n)
        best.append(time.perf_counter() - start)
    return n / statistics.median(best)


# -- the tables -----------------------------------------------------------------------------------

def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=list(tsgan.GENERATORS), choices=list(tsgan.GENERATORS))
    parser.add_argument("--losses", nargs="+", default=["gan", "wgan-gp"], choices=["gan", "wgan-gp"])
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--lengths", nargs="+", type=int, default=[30, 200, 1000])
    parser.add_argument("--quick", action="store_true", help="lengths 30 and 200, 3 rounds of about 0.5 s blocks")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the LSTM's WGAN-GP at length 1000")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per configuration (default 5)")
    parser.add_argument("--block-seconds", type=float, default=1.0, help="target length of one timed block (default 1 s)")
    parser.add_argument("--hidden", type=int, default=None, help="hidden size (default: each family's)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory passes")
    parser.add_argument("--sampling-batch", type=int, default=4096, help="sequences per GAN.sample call (default 4096)")
    parser.add_argument("--contention", action="store_true", help="also steps/s quiet and beside one busy process, 1 and 2 threads")
    parser.add_argument("--only-contention", action="store_true", help="the busy-machine table alone")
    parser.add_argument("--tsgm", action="store_true", help="also tsgm's setting: LSTM hidden 100, length 30, gan, batch 64/128/256")
    args = parser.parse_args(argv)
    if args.quick:
        args.lengths = [length for length in args.lengths if length <= 200]
        args.rounds, args.block_seconds = min(args.rounds, 3), min(args.block_seconds, 0.5)
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{platform.processor() or platform.machine()}, {args.threads} thread(s)"
    print(f"`python benchmarks/speed.py {' '.join(argv if argv is not None else sys.argv[1:])}` - "
          f"{datetime.date.today()}, torch {torch.__version__}, {device.type} ({where}), "
          f"{args.rounds} rounds of ~{args.block_seconds:g} s blocks\n")
    if args.only_contention:
        print_contention(args)
        return
    print("| family | loss | batch | length | tsgan steps/s | hand-written steps/s | ratio tsgan/hand | ms/step (tsgan) | peak MB tsgan | peak MB hand |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    results = {}
    for family in args.families:
        for loss in args.losses:
            for length in args.lengths:
                for batch in args.batches:
                    if args.skip_slow and family == "lstm" and loss == "wgan-gp" and length >= 1000:
                        print(f"| {family} | {loss} | {batch} | {length} | skipped (--skip-slow) | | | | | |", flush=True)
                        continue
                    row = measure(family, loss, batch, length, hidden=args.hidden, device=device, rounds=args.rounds,
                                  block_seconds=args.block_seconds, memory=not args.no_memory)
                    results[family, loss, batch, length] = row
                    print(f"| {family} | {loss} | {batch} | {length} | {row['tsgan']:.2f} | {row['hand']:.2f} | {row['ratio']:.3f} | "
                          f"{1000 / row['tsgan']:.1f} | {_mb(row.get('mem_tsgan'))} | {_mb(row.get('mem_hand'))} |", flush=True)
    if results:
        print_growth(results, args)
    print(f"\nSampling throughput (`GAN.sample(n)` in one batch of n = {args.sampling_batch}, sequences/s; generator in eval mode):\n")
    print("| family | " + " | ".join(f"length {length}" for length in args.lengths) + " |")
    print("|---|" + "---|" * len(args.lengths))
    for family in args.families:
        rates = [sampling_rate(family, length, args.sampling_batch, device, args.hidden) for length in args.lengths]
        print(f"| {family} | " + " | ".join(f"{r:,.0f}" for r in rates) + " |", flush=True)
    if args.contention:
        print_contention(args)
    if args.tsgm:
        print("\ntsgm's setting (LSTM generator and discriminator, hidden 100, length 30, classic BCE loss):\n")
        print("| batch | tsgan steps/s | hand-written steps/s | ratio | tsgm (quoted) | plain eager (quoted) | tsgan / tsgm |")
        print("|---|---|---|---|---|---|---|")
        for batch in (64, 128, 256):
            row = measure("lstm", "gan", batch, 30, hidden=100, device=device, rounds=args.rounds,
                          block_seconds=args.block_seconds, memory=False)
            print(f"| {batch} | {row['tsgan']:.1f} | {row['hand']:.1f} | {row['ratio']:.3f} | {TSGM[batch]} | {TSGM_EAGER[batch]} | "
                  f"{row['tsgan'] / TSGM[batch]:.2f} |", flush=True)


def print_growth(results: dict, args) -> None:
    """Step time relative to the smallest batch and length, per family and loss (tsgan's loop)."""
    b0, l0 = min(args.batches), min(args.lengths)
    cells = [(b, length) for length in args.lengths for b in args.batches]
    print(f"\nHow tsgan's step time grows: time per step relative to batch {b0}, length {l0} (same family and loss):\n")
    print("| family | loss | " + " | ".join(f"b{b} L{length}" for b, length in cells) + " |")
    print("|---|---|" + "---|" * len(cells))
    for family in args.families:
        for loss in args.losses:
            base = results.get((family, loss, b0, l0))
            if base is None:
                continue
            values = [results.get((family, loss, b, length)) for b, length in cells]
            print(f"| {family} | {loss} | " + " | ".join("-" if v is None else f"{base['tsgan'] / v['tsgan']:.1f}x" for v in values) + " |")


if __name__ == "__main__":
    main()
