"""What bf16 mixed precision and torch.compile buy on a device, measured on the hand-written loop of speed.py.

    python benchmarks/precision.py --device cuda            # every family, gan and wgan-gp, batch 256, length 200
    python benchmarks/precision.py --device cpu --families lstm --losses gan

The same networks and data as ``benchmarks/speed.py``; per configuration the plain float32 loop, the loop under
``torch.autocast(dtype=bfloat16)`` and the loop with ``torch.compile``d networks, in alternating blocks; the table
gives steps/s and each mode's speed-up over float32 (or why it failed). This decides whether tsgan offers the mode
as an option: a mode is worth an option where it is clearly faster on the hardware users train on.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import Pair, _sync, hand_loop  # noqa: E402  (a sibling script)

from tsgan.training import resolve_device  # noqa: E402

MODES = ("fp32", "bf16", "compile")


def run(pair: Pair, mode: str, steps: int, compiled: dict) -> float:
    G, D = (compiled["G"], compiled["D"]) if mode == "compile" else (pair.G, pair.D)
    _sync(pair.device)
    start = time.perf_counter()
    with torch.autocast(pair.device.type, dtype=torch.bfloat16, enabled=mode == "bf16"):
        hand_loop(G, D, pair.loss, pair.X, pair.y, pair.batch, steps, pair.opt_g, pair.opt_d, pair.n_critic)
    _sync(pair.device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=["lstm", "mlp", "conv"])
    parser.add_argument("--losses", nargs="+", default=["gan", "wgan-gp"])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--block-seconds", type=float, default=1.0)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    torch.set_num_threads(1) if device.type == "cpu" else None
    print(f"`python benchmarks/precision.py {' '.join(sys.argv[1:])}` - torch {torch.__version__}, {device.type}"
          f"{' (' + torch.cuda.get_device_name(device) + ')' if device.type == 'cuda' else ''}, batch {args.batch}, length {args.length}\n")
    print("| family | loss | fp32 steps/s | bf16 autocast | compile |")
    print("|---|---|---|---|---|")
    for family in args.families:
        for loss in args.losses:
            pair = Pair(family, loss, args.batch, args.length, None, device)
            compiled = {"G": torch.compile(pair.G), "D": torch.compile(pair.D)}
            rates: dict[str, list[float] | str] = {}
            for mode in MODES:  # warm-up (compilation), and modes that cannot run
                try:
                    run(pair, mode, 2, compiled)
                    rates[mode] = []
                except Exception as exc:  # a mode's failure is a result here
                    rates[mode] = f"fails: {type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
            steps = max(1, round(args.block_seconds / max(run(pair, "fp32", 1, compiled), 1e-4)))
            for r in range(args.rounds):
                for mode in (MODES if r % 2 == 0 else MODES[::-1]):
                    if isinstance(rates[mode], list):
                        rates[mode].append(steps / run(pair, mode, steps, compiled))
            base = statistics.median(rates["fp32"])
            cells = [f"{base:.1f}"] + [v if isinstance(v, str) else f"{statistics.median(v):.1f} ({statistics.median(v) / base:.2f}x)"
                                       for v in (rates["bf16"], rates["compile"])]
            print(f"| {family} | {loss} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
