"""What the validation judge costs on the waves main job: seconds per judgement and for the label classifier
(trained once), each also in training steps of the default model (one CPU thread), and the judge's scores of a
trained model.

    python benchmarks/validation_cost.py runs/waves/model.pt   # a model trained on the waves set (tsgan train)
"""
import sys
import time

import numpy as np
import torch

import tsgan
from tsgan.data import load_dataset
from tsgan.evaluation.judge import Judge
from tsgan.objective.techniques.validation import SEED_OFFSET
from tsgan.evaluation.metrics.training import stratified_split

torch.set_num_threads(1)
gan = tsgan.load(sys.argv[1])
X, y, _ = load_dataset("waves")
codes = np.asarray([gan.classes_.index(str(v)) for v in y])
train, held = stratified_split(codes, 0.2, np.random.default_rng(SEED_OFFSET))
scaled = torch.from_numpy(gan.scaler_.transform(X)).float()
labels = torch.from_numpy(codes)

start = time.process_time()
judge = Judge(scaled[train], scaled[held], labels[train], labels[held], seed=SEED_OFFSET)
made = time.process_time() - start
G = gan.sampler_.eval()
times = []
for _ in range(3):
    start = time.process_time()
    scores = judge.score(lambda n, k, rng: G(gan.variant_.noise(G, n, rng), k))
    times.append(time.process_time() - start)
start = time.process_time()
tsgan.GAN().fit(X[train], y[train], steps=100, progress=False)
step = (time.process_time() - start) / 100
judged = float(np.median(times))
print(f"label classifier (once): {made:.2f} s = {made / step:.0f} training steps")
print(f"one judgement: {judged:.2f} s (median of 3) = {judged / step:.0f} training steps; a training step {step * 1000:.1f} ms")
print(f"every 250 steps: +{(judged / step) / 250:.1%} of training time, plus the label classifier once")
print(f"scores of {sys.argv[1]}: {scores}")
