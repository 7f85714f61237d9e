"""Training speed: steps per second for each family and loss on the waves set, at the default batch size.

    python benchmarks/speed.py [--steps 200] [--threads 1] [--batch-size 64]

One step is ``n_critic`` discriminator updates and one generator update, through tsgan's own
training loop (``GAN.fit``). Prints a Markdown table.
"""
import argparse
import time

import torch

import tsgan
from tsgan.train import TrainConfig


def steps_per_second(generator: str, discriminator: str, loss: str, steps: int, batch_size: int) -> float:
    X, y = tsgan.make_waves(1000, seed=0)
    gan = tsgan.GAN(generator, discriminator, loss=loss)
    gan.fit(X, y, steps=5, batch_size=batch_size, progress=False, device="cpu")  # warm-up (allocations, first calls)
    start = time.perf_counter()
    tsgan.GAN(generator, discriminator, loss=loss).fit(X, y, steps=steps, batch_size=batch_size, progress=False, device="cpu")
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--losses", nargs="+", default=["gan", "wgan-gp"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"batch {args.batch_size}, length 30, {args.threads} thread(s), torch {torch.__version__}\n")
    print("| generator | discriminator | loss | steps/s |")
    print("|---|---|---|---|")
    for family in tsgan.GENERATORS:
        for loss in args.losses:
            rate = steps_per_second(family, family, loss, args.steps, args.batch_size)
            print(f"| {family} | {family} | {loss} | {rate:.1f} |", flush=True)


if __name__ == "__main__":
    main()
