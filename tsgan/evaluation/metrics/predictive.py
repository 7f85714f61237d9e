"""Predictive score: train a next-step predictor on synthetic sequences, measure its error on real ones."""
from __future__ import annotations

import numpy as np
import torch

from ...errors import TsganError
from .classifiers import StepPredictor
from .training import channel_stats, check_like, check_pair, require_count, seeded, to_tensor, train_module

PROTOCOLS = ("tsgan", "timegan")


def predictive_score(
    real,
    synthetic,
    *,
    protocol: str = "tsgan",
    real_test=None,
    seed: int = 0,
    iterations: int | None = None,
    batch_size: int = 128,
) -> float:
    """Mean absolute error, on real sequences, of a one-step-ahead GRU predictor trained on ``synthetic``
    (train on synthetic, test on real; lower is better). In the data's own units.

    The predictor is tested on ``real_test`` when given (held-out real data that the generator never
    saw; ``real`` is then only checked for shape), else on ``real``. The literature tests on ``real``,
    the generator's own training data. ``predictive_score(real_train, real_train, real_test=held_out)``
    gives the reference row "train on real, test on real". All sets need equal ``T >= 2`` and ``d``;
    ``synthetic`` needs at least 2 sequences. Each training step takes ``batch_size`` distinct
    synthetic sequences; Adam at lr 1e-3; no validation or early stopping.

    ``protocol="timegan"``: the literature's (Yoon et al. 2019, reference ``predictive_metrics.py``):
    from channels ``0 .. d-2`` at steps ``0 .. T-2`` predict the last channel at steps ``1 .. T-1``;
    raw inputs (the reference feeds data min-max scaled to [0, 1], and its sigmoid output cannot
    leave that range: scale yours the same); one GRU layer, hidden ``max(1, d // 2)``, a linear map of
    every step's state -> sigmoid; L1 loss; ``iterations=5000`` steps of batch 128; the score is the
    mean over sequences of each one's MAE over steps. Undefined for one channel (nothing to predict
    from): a :class:`TsganError` says so.

    ``protocol="tsgan"`` (default): from all channels at steps ``<= t`` predict all channels at step
    ``t + 1`` (``t = 0 .. T-2``; works for one channel); inputs and targets standardised per channel
    with the synthetic set's statistics (errors are reported back in data units); one GRU layer, hidden
    ``max(16, 2 d)``, a linear map of every step's state; L1 loss; ``iterations=2000`` steps of batch
    128; the score is the MAE over all test sequences, predicted steps and channels.

    Deterministic for a ``seed`` (torch seeded with ``seed`` for initial weights and batches).
    """
    if protocol not in PROTOCOLS:
        raise TsganError(f"unknown predictive protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
    real_arr, synth_arr = check_pair(real, synthetic)
    test = real_arr if real_test is None else check_like(real_arr, real_test, "real_test", "real")
    require_count(synth_arr, 2, "synthetic", "the predictive score")
    n, T, d = synth_arr.shape
    if T < 2:
        raise TsganError(f"the predictive score needs sequences of at least 2 steps, got {T}")

    if protocol == "timegan":
        if d < 2:
            raise TsganError(
                "the TimeGAN predictive score predicts the last channel from the others, so it is undefined for "
                "one channel; use protocol='tsgan' (predicts every channel's next step from the past)"
            )
        mean, std = np.zeros(d, np.float32), np.ones(d, np.float32)
        inputs, targets = slice(0, d - 1), slice(d - 1, d)
        with seeded(seed):
            model = StepPredictor(d - 1, max(1, d // 2), 1, sigmoid=True)
        steps = 5000 if iterations is None else iterations
    else:
        mean, std = channel_stats(synth_arr)
        inputs, targets = slice(0, d), slice(0, d)
        with seeded(seed):
            model = StepPredictor(d, max(16, 2 * d), d)
        steps = 2000 if iterations is None else iterations

    train = to_tensor(synth_arr, mean, std)
    x_train, y_train = train[:, :-1, inputs], train[:, 1:, targets]

    def loss(idx: torch.Tensor) -> torch.Tensor:
        return (model(x_train[idx]) - y_train[idx]).abs().mean()

    train_module(model, loss, [n], steps=steps, batch_size=batch_size, seed=seed)
    scaled = to_tensor(test, mean, std)
    with torch.no_grad():
        predicted = torch.cat([model(part[:, :-1, inputs]) for part in scaled.split(4096)]).numpy()
    predicted = predicted * std[targets] + mean[targets]
    return float(np.abs(predicted.astype(np.float64) - test[:, 1:, targets]).mean())
