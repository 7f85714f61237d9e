"""The post-hoc models the metrics train: a 1-D CNN sequence classifier (optionally with a GRU over its
features), the literature's one-layer GRU classifier, a GRU next-step predictor, and
:class:`FittedClassifier`, a labelled-sequence classifier ready to use."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...data import check_array, encode_labels
from .training import channel_stats, seeded, to_tensor, train_module


class SequenceClassifier(nn.Module):
    """A small 1-D CNN classifier: two convolutions, global average and max pooling, a linear layer.

    With ``recurrent=True`` a GRU (hidden size ``width``) also reads the convolution features in order
    and its last hidden state joins the pooled features, so the order of events counts too.
    """

    def __init__(self, channels: int, n_classes: int, width: int = 32, *, recurrent: bool = False) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(channels, width, 5, padding=2), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=2), nn.ReLU(),
        )
        self.gru = nn.GRU(width, width, batch_first=True) if recurrent else None
        self.head = nn.Linear((3 if recurrent else 2) * width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x.transpose(1, 2))
        features = [h.mean(dim=2), h.amax(dim=2)]
        if self.gru is not None:
            features.append(self.gru(h.transpose(1, 2))[1][-1])
        return self.head(torch.cat(features, dim=1))


class GRUClassifier(nn.Module):
    """TimeGAN's post-hoc discriminator: one GRU layer, its last hidden state -> a linear logit."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.gru = nn.GRU(channels, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[1][-1])


class StepPredictor(nn.Module):
    """One GRU layer and a linear map of every step's hidden state to ``outputs`` values (sigmoid optional)."""

    def __init__(self, inputs: int, hidden: int, outputs: int, *, sigmoid: bool = False) -> None:
        super().__init__()
        self.gru = nn.GRU(inputs, hidden, batch_first=True)
        self.head = nn.Linear(hidden, outputs)
        self.sigmoid = sigmoid

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.gru(x)[0])
        return torch.sigmoid(out) if self.sigmoid else out


class FittedClassifier:
    """A :class:`SequenceClassifier` trained on ``(X, y)``; inputs standardised per channel with X's statistics.

    Training: Adam (``lr``), ``steps`` steps of cross-entropy on batches of ``batch_size`` distinct
    sequences, seeded by ``seed``.
    """

    def __init__(self, X, y, *, seed: int = 0, steps: int = 400, batch_size: int = 64, lr: float = 3e-3) -> None:
        X = check_array(X)
        self.y, self.classes = encode_labels(y, len(X))
        self.mean, self.std = channel_stats(X)
        with seeded(seed):
            self.model = SequenceClassifier(X.shape[2], len(self.classes))
        data, labels = self._tensor(X), torch.from_numpy(self.y)

        def loss(idx: torch.Tensor) -> torch.Tensor:
            return nn.functional.cross_entropy(self.model(data[idx]), labels[idx])

        train_module(self.model, loss, [len(data)], steps=steps, batch_size=batch_size, seed=seed, lr=lr)

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        return to_tensor(X, self.mean, self.std)

    @torch.no_grad()
    def predict(self, X) -> np.ndarray:
        """Class names predicted for ``X``."""
        logits = torch.cat([self.model(part) for part in self._tensor(check_array(X)).split(4096)])
        return np.asarray(self.classes, dtype=object)[logits.argmax(1).numpy()].astype(str)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.predict(X) == np.asarray([str(v) for v in y])))
