"""Discriminative score: how well a post-hoc classifier tells real from synthetic sequences."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...errors import TsganError
from .classifiers import GRUClassifier, SequenceClassifier
from .training import channel_stats, check_pair, require_count, seeded, split, to_tensor, train_module

PROTOCOLS = ("tsgan", "timegan")
MIN_SEQUENCES = 10


def discriminative_score(
    real,
    synthetic,
    *,
    protocol: str = "tsgan",
    seed: int = 0,
    iterations: int | None = None,
    batch_size: int = 128,
) -> float:
    """``|accuracy - 0.5|`` of a post-hoc real-vs-synthetic classifier on held-out data (0 best, 0.5 worst).

    Common to both protocols: ``real`` and ``synthetic`` (``(n, T, d)``, equal ``T`` and ``d``, at
    least 10 sequences each) are cut to the same size ``m`` by a seeded random subset of the larger
    one; each set is split 80/20 into train and test (seeded), so the test split is balanced. Each
    training step takes ``batch_size`` distinct sequences from each set's training part and minimises
    mean binary cross-entropy on the real batch (label 1) plus that on the synthetic batch (label 0),
    with Adam. Accuracy is measured on the pooled test split, a sequence called real when its logit
    is > 0 (probability > 0.5). The score's noise floor is about ``0.4 / sqrt(0.4 m)``.

    ``protocol="timegan"``: the literature's (Yoon et al. 2019, reference ``discriminative_metrics.py``):
    raw inputs (the reference feeds data min-max scaled to [0, 1]; scale yours the same for comparable
    figures), one GRU layer with hidden size ``max(1, d // 2)`` (the reference's ``d / 2`` is zero for
    one channel and crashes), its last hidden state -> linear -> sigmoid, Adam at lr 1e-3,
    ``iterations=2000`` steps of batch 128, no validation. This classifier is weak: it can miss
    per-step noise that has the real data's per-step mean and spread.

    ``protocol="tsgan"`` (default): inputs standardised per channel with the training split's statistics;
    a 1-D CNN (two convolutions of width 32, kernel 5) whose features are pooled (mean and max over
    time) and also read in order by a GRU (hidden 32), -> linear logit; Adam at lr 1e-3 for at most
    ``iterations=1000`` steps of ``batch_size`` per set, with early stopping: 20% of the training
    split (per set) is held back for validation, accuracy there is checked every 50 steps, training
    stops after 6 checks without improvement, and the weights with the best validation accuracy are
    tested.

    Deterministic for a ``seed`` (numpy ``default_rng(seed)`` for subsets and splits, torch seeded
    with ``seed`` for initial weights and batches; global random state is left untouched).
    """
    if protocol not in PROTOCOLS:
        raise TsganError(f"unknown discriminative protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
    real_arr, synth_arr = check_pair(real, synthetic)
    for arr, name in ((real_arr, "real"), (synth_arr, "synthetic")):
        require_count(arr, MIN_SEQUENCES, name, "the discriminative score")
    rng = np.random.default_rng(seed)
    m = min(len(real_arr), len(synth_arr))
    real_arr = real_arr[np.sort(rng.permutation(len(real_arr))[:m])]
    synth_arr = synth_arr[np.sort(rng.permutation(len(synth_arr))[:m])]
    (real_train, real_test), (synth_train, synth_test) = split(m, 0.2, rng), split(m, 0.2, rng)
    d = real_arr.shape[2]

    if protocol == "timegan":
        mean, std = np.zeros(d, np.float32), np.ones(d, np.float32)
        with seeded(seed):
            model: nn.Module = GRUClassifier(d, max(1, d // 2))
        steps, validation = 2000 if iterations is None else iterations, None
    else:
        mean, std = channel_stats(np.concatenate([real_arr[real_train], synth_arr[synth_train]]))
        with seeded(seed):
            model = SequenceClassifier(d, 1, 32, recurrent=True)
        steps = 1000 if iterations is None else iterations
        (real_train, real_val), (synth_train, synth_val) = (
            (idx[keep], idx[held]) for idx, (keep, held) in
            ((real_train, split(len(real_train), 0.2, rng)), (synth_train, split(len(synth_train), 0.2, rng)))
        )
        validation = (real_arr[real_val], synth_arr[synth_val])

    def tensors(real_part: np.ndarray, synth_part: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return to_tensor(real_part, mean, std), to_tensor(synth_part, mean, std)

    def accuracy(real_part: torch.Tensor, synth_part: torch.Tensor) -> float:
        correct = (model(real_part) > 0).sum() + (model(synth_part) <= 0).sum()
        return correct.item() / (len(real_part) + len(synth_part))

    real_fit, synth_fit = tensors(real_arr[real_train], synth_arr[synth_train])
    ones, zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)
    bce = nn.functional.binary_cross_entropy_with_logits

    def loss(real_idx: torch.Tensor, synth_idx: torch.Tensor) -> torch.Tensor:
        return (bce(model(real_fit[real_idx]), ones[: len(real_idx)])
                + bce(model(synth_fit[synth_idx]), zeros[: len(synth_idx)]))

    validate = None
    if validation is not None:
        val_tensors = tensors(*validation)
        validate = lambda: accuracy(*val_tensors)  # noqa: E731
    train_module(model, loss, [len(real_fit), len(synth_fit)], steps=steps, batch_size=batch_size, seed=seed,
                 validate=validate, every=50, patience=6)
    with torch.no_grad():
        return abs(accuracy(*tensors(real_arr[real_test], synth_arr[synth_test])) - 0.5)
