"""How small a defect the strict judge sees, per wave shape: unseen real waves with Gaussian noise of a few sizes
added, scored against held-out real waves by tsgan's strict discriminative score (classifier seed 0).

    python benchmarks/judge_resolution.py

The sizes are standard deviations in the waves' units (amplitudes 0.1-0.9). A generator's per-step errors must stay
below the size the judge first sees for its samples to pass it.
"""
import numpy as np
import torch

import tsgan
from tsgan.evaluation.metrics import discriminative_score

SIZES = (0.0, 0.003, 0.01, 0.03)


def main() -> None:
    torch.set_num_threads(1)
    held_out, held_out_y = tsgan.make_waves(1000, 30, seed=1)
    unseen, unseen_y = tsgan.make_waves(1000, 30, seed=2)
    rng = np.random.default_rng(0)
    for shape in ("sawtooth", "sine"):
        real, clean = held_out[held_out_y == shape], unseen[unseen_y == shape]
        for size in SIZES:
            noisy = clean + rng.normal(0, size, clean.shape).astype(np.float32)
            score = discriminative_score(real, noisy, protocol="tsgan", seed=0)
            print(f"{shape}: noise {size} -> strict {score:.3f}", flush=True)


if __name__ == "__main__":
    main()
