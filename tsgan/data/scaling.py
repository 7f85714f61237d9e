"""Per-channel min-max scaling into the generator's output range [-1, 1], and back into data units."""
from __future__ import annotations

import numpy as np

from ..errors import TsganError


class MinMaxScaler:
    """Maps each channel's training range [min, max] onto [-1, 1]; fitted on training data only.

    A constant channel keeps a unit range so it maps to -1 and back exactly. Channels named in
    ``fit(X, keep=...)`` (one-hot categorical channels) are left as they are (min -1, range 2). NaN (the
    padding beyond the end of a short sequence) is ignored by ``fit`` and stays NaN through the transforms.
    """

    def __init__(self) -> None:
        self.min_: np.ndarray | None = None
        self.range_: np.ndarray | None = None

    def fit(self, X: np.ndarray, keep=()) -> "MinMaxScaler":
        low = np.nanmin(X, axis=(0, 1))
        span = np.nanmax(X, axis=(0, 1)) - low
        self.min_ = low.astype(np.float64)
        self.range_ = np.where(span > 0, span, 1.0).astype(np.float64)
        keep = list(keep)
        self.min_[keep], self.range_[keep] = -1.0, 2.0  # the identity map
        return self

    def _check(self, X: np.ndarray) -> None:
        if self.min_ is None:
            raise TsganError("the scaler is not fitted; fit it on training data first")
        if X.shape[-1] != len(self.min_):
            raise TsganError(f"data have {X.shape[-1]} channels but the scaler was fitted on {len(self.min_)}")

    def transform(self, X: np.ndarray) -> np.ndarray:
        self._check(X)
        return ((X - self.min_) / self.range_ * 2.0 - 1.0).astype(np.float32)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        self._check(X)
        return ((np.asarray(X, dtype=np.float64) + 1.0) / 2.0 * self.range_ + self.min_).astype(np.float32)

    def state_dict(self) -> dict:
        return {"min": self.min_.tolist(), "range": self.range_.tolist()}

    @classmethod
    def from_state_dict(cls, state: dict) -> "MinMaxScaler":
        scaler = cls()
        scaler.min_ = np.asarray(state["min"], dtype=np.float64)
        scaler.range_ = np.asarray(state["range"], dtype=np.float64)
        return scaler
