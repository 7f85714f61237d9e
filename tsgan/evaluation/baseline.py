"""The Gaussian baseline: a per-class full-covariance Gaussian over flattened sequences, the reference every
generative model must beat (a deep generator that does not has not learnt its data)."""
from __future__ import annotations

import numpy as np

from ..data import check_array, encode_labels
from ..errors import TsganError

DESCRIPTION = "per-class full-covariance Gaussian over flattened sequences (ridge {ridge:g} x mean variance)"


class GaussianBaseline:
    """Each class's sequences ``(m, T, d)`` flattened to ``(m, T * d)``: their mean and covariance (``ddof=1``)
    plus a ridge of ``ridge * mean(variance)`` on the diagonal, so it is positive definite also when a class has
    fewer sequences than ``T * d``. A class of one sequence takes the pooled within-class covariance.

    >>> baseline = GaussianBaseline().fit(X, y)      # X (n, T, d) in data units, y class names or None
    >>> X_fake, labels = baseline.sample(100, seed=0)  # classes as often as in y

    Sequences of unequal length (NaN beyond each end) or with missing values are refused: a Gaussian over
    flattened steps needs every step of every sequence.
    """

    def __init__(self, *, ridge: float = 1e-3) -> None:
        if not (isinstance(ridge, (int, float)) and 0 < ridge < float("inf")):
            raise TsganError(f"ridge must be a number > 0 (e.g. 1e-3), got {ridge!r}")
        self.ridge = float(ridge)

    def fit(self, X, y=None) -> "GaussianBaseline":
        """Fit one Gaussian per class of ``y`` (one for all sequences when ``y`` is None)."""
        X = check_array(X, "the data", allow_nan=True)  # float64
        if np.isnan(X).any():
            raise TsganError("the Gaussian baseline needs sequences of one length without missing values (these hold NaN); "
                             "cut them into windows of one length (window= / --window) or fill the gaps (nan='interpolate')")
        if len(X) < 2:
            raise TsganError(f"the Gaussian baseline needs at least 2 sequences, got {len(X)}")
        self.shape_ = X.shape[1:]
        flat = X.reshape(len(X), -1)
        if y is None:
            index, self.classes_ = np.zeros(len(X), dtype=int), None
        else:
            index, classes = encode_labels(y, len(X))
            self.classes_ = list(classes)
        groups = [flat[index == k] for k in range(index.max() + 1)]
        self.shares_ = np.array([len(g) for g in groups], dtype=np.float64) / len(X)
        self.means_ = [g.mean(axis=0) for g in groups]
        centred = [g - m for g, m in zip(groups, self.means_)]
        pooled = np.concatenate([c for c in centred if len(c) > 1]) if any(len(c) > 1 for c in centred) else None
        self.factors_ = [self._factor(c if len(c) > 1 else pooled) for c in centred]
        return self

    def _factor(self, centred: np.ndarray) -> tuple[np.ndarray, float]:
        """``(A, s)`` such that ``A @ A.T + s**2 I`` is the class covariance plus the ridge: the Cholesky factor of
        the ``D x D`` matrix where the class has at least ``D`` sequences, else the centred rows themselves (the
        covariance is ``C.T C / (m - 1)``, so ``D x D`` matrices are never formed for long sequences)."""
        m, D = centred.shape
        scaled = centred / np.sqrt(m - 1)
        mean_variance = max(float(np.sum(scaled ** 2)) / D, 1e-12)
        if m < D:
            return scaled.T, float(np.sqrt(self.ridge * mean_variance))
        cov = scaled.T @ scaled + self.ridge * mean_variance * np.eye(D)
        return np.linalg.cholesky(cov), 0.0

    def sample(self, n: int, labels=None, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
        """``n`` sequences, float32 ``(n, T, d)`` in the data's units, and their class names (None when fitted
        without labels). ``labels``: None (classes drawn by their shares in the data), one class name for all,
        or one per sequence. Deterministic for a ``seed``."""
        if not hasattr(self, "means_"):
            raise TsganError("the Gaussian baseline is not fitted yet: call fit(X, y) first")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise TsganError(f"n must be a whole number >= 1, got {n!r}")
        rng = np.random.default_rng(seed)
        picks = self._picks(int(n), labels, rng)
        D = int(np.prod(self.shape_))
        out = np.empty((int(n), D))
        for k, (mean, (factor, spread)) in enumerate(zip(self.means_, self.factors_)):
            rows = np.flatnonzero(picks == k)
            if len(rows) == 0:
                continue
            out[rows] = mean + rng.standard_normal((len(rows), factor.shape[1])) @ factor.T
            if spread:
                out[rows] += spread * rng.standard_normal((len(rows), D))
        names = None if self.classes_ is None else np.asarray(self.classes_, dtype=object)[picks].astype(str)
        return out.reshape(int(n), *self.shape_).astype(np.float32), names

    def _picks(self, n: int, labels, rng: np.random.Generator) -> np.ndarray:
        if labels is None:
            return rng.choice(len(self.shares_), size=n, p=self.shares_)
        if self.classes_ is None:
            raise TsganError("this Gaussian baseline was fitted without labels; sample it with labels=None")
        index, _ = encode_labels([labels] * n if np.ndim(labels) == 0 else labels, n, self.classes_)
        return index

    def describe(self) -> str:
        return DESCRIPTION.format(ridge=self.ridge)


def gaussian_baseline(X, y=None, n: int | None = None, *, labels=None, seed: int = 0, ridge: float = 1e-3):
    """Fit a :class:`GaussianBaseline` on ``(X, y)`` and sample ``n`` sequences (default ``len(X)``) with ``labels``
    (default: the classes' shares): returns ``(X_fake, names)``."""
    baseline = GaussianBaseline(ridge=ridge).fit(X, y)
    return baseline.sample(len(np.asarray(X)) if n is None else n, labels, seed=seed)
