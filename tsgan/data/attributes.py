"""Per-series attributes (a machine, a site, an ambient temperature): read from a table's columns constant within each
series, encoded as the networks' conditioning, and their joint distribution with the label learnt and sampled.

* **Kinds.** A column of text, ``category``, ``bool`` or pandas ``string`` dtype is categorical; a numeric column is
  continuous unless the reader's ``categorical=`` lists it (whole numbers that name things: a line number, a site
  code). Missing values are an error, and so is a column whose value changes within a series.
* **Encoding** (the conditioning the networks see beside the one-hot label): one 0/1 column per category of each
  categorical attribute, then one column per continuous attribute min-max scaled to [-1, 1] as channels are
  (:mod:`tsgan.data.scaling`); :attr:`Attributes.width` columns in all.
* **The joint model** (what sampling draws attributes not given from; no training record is stored): a mixture over
  the discrete *cells* - each (label, combination of categories) seen in training, with its training count - and per
  cell a Gaussian over the scaled continuous attributes (the cell's covariance shrunk toward the pooled within-cell
  covariance, so cells of one or two series work). Evidence is exact: the cell posterior is proportional to its count
  times the density of the given continuous values under the cell's marginal, among the cells that agree with the
  given label and categories; missing continuous values come from the chosen cell's conditional Gaussian, clipped to
  the training range.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import TsganError
from ..notices import TsganWarning
from .categorical import _category
from .checks import _excerpt, _listed, _plain

CATEGORICAL, CONTINUOUS = "categorical", "continuous"


def is_categorical_dtype(dtype) -> bool:
    """Whether a column of this dtype holds categories by itself (text, category, bool, pandas string)."""
    return (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype))


def check_attribute_names(attributes, columns) -> list:
    """The ``attributes=`` option as a list of column names, each a column of the table."""
    if attributes is None:
        return []
    if isinstance(attributes, (str, bytes)) or not isinstance(attributes, (list, tuple)):
        raise TsganError(f"attributes must be a list of column names, got {str(attributes)[:60]!r}")
    known = set(columns)
    missing = [a for a in attributes if a not in known]
    if missing:
        raise TsganError(f"missing attribute column(s) {_listed(map(str, missing))}; columns are {_listed(map(str, columns))}")
    if len(set(attributes)) != len(attributes):
        raise TsganError(f"attributes {_listed(map(str, attributes))} name a column more than once")
    return list(attributes)


def per_series(rows: pd.DataFrame, names: list, codes: np.ndarray, series_ids: list) -> pd.DataFrame | None:
    """The attribute columns ``names`` of a table with one row per series (series in code order), or an error for a
    missing value or a value that changes within a series."""
    if not names:
        return None
    out = {}
    for name in names:
        column = rows[name]
        missing = column.isna().to_numpy()
        if missing.any():
            raise TsganError(f"attribute column '{name}' has a missing value (series {_excerpt(series_ids[codes[int(missing.argmax())]])}); "
                             "every series needs a value: fill it, or leave the attribute out")
        changes = column.groupby(codes).nunique()
        if (changes > 1).any():
            raise TsganError(f"attribute column '{name}' changes within series {_excerpt(series_ids[int(changes.index[(changes > 1).to_numpy()][0])])}; "
                             f"an attribute is one value per series (constant in every row of it) - make it a channel instead")
        out[name] = column.groupby(codes).first()
    frame = pd.DataFrame(out).reset_index(drop=True)
    for name in names:  # groupby drops a category dtype's unused categories: keep the column's dtype
        if isinstance(rows[name].dtype, pd.CategoricalDtype):
            frame[name] = pd.Categorical(frame[name], dtype=rows[name].dtype)
    return frame


class Attributes:
    """The attributes of a training set: their names, kinds, categories and ranges (the encoding) and their joint
    distribution with the label (module docstring). Plain data throughout (:meth:`state_dict`), numpy only."""

    def __init__(self, spec: list[dict], cells: list, counts: list, means: list, covariances: list) -> None:
        self.spec = spec  # per attribute: name, kind, dtype, and categories (categorical) or low/high (continuous)
        k, m = 1 + len(self.categorical), len(self.continuous)  # a cell: the label index, then each category's index
        self.cells, self.counts = np.asarray(cells, dtype=np.int64).reshape(len(counts), k), np.asarray(counts, dtype=np.float64)
        self.means = np.asarray(means, dtype=np.float64).reshape(len(counts), m)
        self.covariances = np.asarray(covariances, dtype=np.float64).reshape(len(counts), m, m)

    # -- what the attributes are --------------------------------------------------------------------------
    names = property(lambda self: [a["name"] for a in self.spec])
    categorical = property(lambda self: [a for a in self.spec if a["kind"] == CATEGORICAL])
    continuous = property(lambda self: [a for a in self.spec if a["kind"] == CONTINUOUS])

    @property
    def width(self) -> int:
        """Columns of the encoding: one per category of each categorical attribute, one per continuous attribute."""
        return sum(len(a["categories"]) for a in self.categorical) + len(self.continuous)

    def describe(self) -> list[str]:
        """One phrase per attribute (for messages): ``machine (categorical: A, B)``, ``temperature (continuous)``."""
        return [f"{a['name']} ({a['kind']}{': ' + ', '.join(map(str, a['categories'])) if a['kind'] == CATEGORICAL else ''})"
                for a in self.spec]

    # -- fitting ----------------------------------------------------------------------------------------
    @classmethod
    def fit(cls, frame: pd.DataFrame, y: np.ndarray | None, categorical=()) -> "Attributes":
        """The attributes of ``frame`` (one row per sequence) with class indices ``y`` (or None); ``categorical``:
        numeric columns to read as categories."""
        spec = []
        for name in frame.columns:
            column = frame[name]
            if name in categorical or is_categorical_dtype(column.dtype):
                cats = (column.dtype.categories.tolist() if isinstance(column.dtype, pd.CategoricalDtype)
                        else sorted(set(column.tolist()), key=lambda v: (str(type(v)), v)))
                spec.append({"name": _plain(name), "kind": CATEGORICAL, "dtype": str(column.dtype), "categories": [_category(v, name) for v in cats]})
            else:
                values = column.to_numpy(dtype=np.float64)
                if not np.isfinite(values).all():
                    raise TsganError(f"attribute column '{name}' holds an infinite value; attributes must be finite numbers")
                spec.append({"name": _plain(name), "kind": CONTINUOUS, "dtype": str(column.dtype),
                             "low": float(values.min()), "high": float(values.max())})
        model = cls(spec, [], [], [], [])
        codes, scaled = model._codes(frame), model._scaled(frame)
        keys = np.concatenate([np.zeros((len(frame), 1), np.int64) if y is None else np.asarray(y, np.int64)[:, None], codes], axis=1)
        cells, which, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
        which = which.reshape(-1)
        m = scaled.shape[1]
        means = np.stack([scaled[which == c].mean(axis=0) for c in range(len(cells))]) if m else np.zeros((len(cells), 0))
        residual = scaled - means[which]
        pooled = residual.T @ residual / max(len(frame) - len(cells), 1) if len(frame) > len(cells) else np.cov(scaled.T, bias=True).reshape(m, m)
        pooled = pooled + 1e-4 * np.eye(m)  # a floor: an attribute constant within every cell keeps a proper density
        prior = m + 2  # pseudo-observations of the pooled covariance in each cell's
        covariances = []
        for c in range(len(cells)):
            r = residual[which == c]
            covariances.append((r.T @ r + prior * pooled) / (len(r) + prior))
        return cls(spec, cells.tolist(), counts.tolist(), means.tolist(), np.asarray(covariances).reshape(len(cells), m, m).tolist())

    def _codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Category indices ``(n, categorical attributes)`` of a frame's values (an unknown one is an error)."""
        cols = []
        for a in self.categorical:
            lookup = _lookup(a)
            values = [_category(v, a["name"]) for v in frame[a["name"]].tolist()]
            cols.append([self._category_index(a, lookup, v) for v in values])
        return np.asarray(cols, dtype=np.int64).T.reshape(len(frame), len(cols))

    @staticmethod
    def _category_index(a: dict, lookup: dict, value) -> int:
        index = lookup.get((type(value) is bool, value))
        if index is None:  # text from the command line: "A", "3", "True"
            index = next((i for i, c in enumerate(a["categories"]) if str(c) == str(value)), None)
        if index is None:
            raise TsganError(f"unknown value {_excerpt(value)} of attribute '{a['name']}'; the model knows {_listed(a['categories'])}")
        return index

    def _scaled(self, frame: pd.DataFrame) -> np.ndarray:
        """Continuous attributes ``(n, m)`` scaled to [-1, 1] by the training range."""
        cols = [(frame[a["name"]].to_numpy(dtype=np.float64) - a["low"]) / self._span(a) * 2 - 1 for a in self.continuous]
        return np.stack(cols, axis=1) if cols else np.zeros((len(frame), 0))

    @staticmethod
    def _span(a: dict) -> float:
        return a["high"] - a["low"] if a["high"] > a["low"] else 1.0

    # -- encoding ---------------------------------------------------------------------------------------
    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """The networks' attribute conditioning ``(n, width)`` float32 of a frame of attributes."""
        return self._encoding(self._codes(frame), self._scaled(frame))

    def _encoding(self, codes: np.ndarray, scaled: np.ndarray) -> np.ndarray:
        blocks = [np.eye(len(a["categories"]))[codes[:, k]] for k, a in enumerate(self.categorical)]
        return np.concatenate(blocks + [scaled], axis=1).astype(np.float32) if blocks or scaled.shape[1] else np.zeros((len(codes), 0), np.float32)

    def decode(self, codes: np.ndarray, scaled: np.ndarray) -> pd.DataFrame:
        """Category indices and scaled continuous values as a frame of the attributes in their dtypes and units."""
        out, cat, cont = {}, iter(range(codes.shape[1])), iter(range(scaled.shape[1]))
        for a in self.spec:
            if a["kind"] == CATEGORICAL:
                values = np.asarray(a["categories"], dtype=object)[codes[:, next(cat)]]
                out[a["name"]] = _in_dtype(values, a)
            else:
                out[a["name"]] = (scaled[:, next(cont)] + 1) / 2 * self._span(a) + a["low"]
        return pd.DataFrame(out)

    # -- sampling ---------------------------------------------------------------------------------------
    def sample(self, n: int, labels: np.ndarray | None, given: dict | None, rng: np.random.Generator,
               class_names: list | None = None) -> tuple[np.ndarray | None, np.ndarray, pd.DataFrame]:
        """``n`` draws of (label index, attributes) given class indices ``labels`` (or None: drawn too) and ``given``
        attribute values (``{name: value or n values}``); returns the label indices (None for a model without
        labels), the networks' encoding ``(n, width)`` and the attributes as a frame."""
        given = self._evidence(n, given or {})
        categorical, continuous = self.categorical, self.continuous
        allowed = np.ones((n, len(self.counts)), bool)
        if labels is not None:
            allowed &= self.cells[None, :, 0] == np.asarray(labels)[:, None]
        for k, a in enumerate(categorical):
            if a["name"] in given:
                allowed &= self.cells[None, :, 1 + k] == given[a["name"]][:, None]
        seen = [j for j, a in enumerate(continuous) if a["name"] in given]
        x_seen = np.stack([given[continuous[j]["name"]] for j in seen], axis=1) if seen else np.zeros((n, 0))
        log_p = np.where(allowed, np.log(self.counts)[None, :], -np.inf)
        if seen:
            log_p = log_p + np.stack([_log_density(x_seen, self.means[c, seen], self.covariances[c][np.ix_(seen, seen)])
                                      for c in range(len(self.counts))], axis=1)
        impossible = ~allowed.any(axis=1)
        if impossible.any():
            raise TsganError(f"{self._combination(impossible.argmax(), labels, given, class_names)} never appears in the training data; "
                             f"the model knows these combinations: {self._known(class_names)}")
        p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
        cell = (p.cumsum(axis=1) / p.sum(axis=1, keepdims=True) < rng.random(n)[:, None]).sum(axis=1).clip(max=len(self.counts) - 1)
        scaled = np.zeros((n, len(continuous)))
        scaled[:, seen] = x_seen
        missing = [j for j in range(len(continuous)) if j not in seen]
        noise = rng.standard_normal((n, len(missing)))
        if missing:
            for c in np.unique(cell):
                rows = cell == c
                mean, cov = _conditional(self.means[c], self.covariances[c], seen, missing, x_seen[rows])
                drawn = mean + noise[rows] @ np.linalg.cholesky(cov).T
                scaled[np.ix_(rows, missing)] = drawn.clip(-1, 1)  # within what the model knows
        codes = self.cells[cell, 1:]
        label_idx = self.cells[cell, 0] if class_names else None
        return label_idx, self._encoding(codes, scaled), self.decode(codes, scaled)

    def _evidence(self, n: int, given: dict) -> dict:
        """Given attribute values as ``(n,)`` category indices or scaled floats; a warning for a number outside
        the training range (the generator then extrapolates)."""
        if not isinstance(given, dict):
            raise TsganError(f"attributes must be a dict name -> value (or one value per sample), got {type(given).__name__}")
        by_name = {str(a["name"]): a for a in self.spec}
        out = {}
        for name, value in given.items():
            a = by_name.get(str(name))
            if a is None:
                raise TsganError(f"unknown attribute '{name}'; the model's attributes are {', '.join(self.describe()) or 'none'}")
            values = [value] * n if np.ndim(value) == 0 else list(np.asarray(value, dtype=object))
            if len(values) != n:
                raise TsganError(f"{len(values)} values of attribute '{name}' given for {n} samples; give one value, or one per sample")
            if a["kind"] == CATEGORICAL:
                lookup = _lookup(a)
                out[a["name"]] = np.asarray([self._category_index(a, lookup, _plain_value(v)) for v in values], dtype=np.int64)
                continue
            try:
                numbers = np.asarray([float(v) for v in values], dtype=np.float64)
            except (TypeError, ValueError):
                raise TsganError(f"attribute '{name}' is continuous: give numbers, got {_excerpt(values[0])}") from None
            if not np.isfinite(numbers).all():
                raise TsganError(f"attribute '{name}' must be a finite number, got {numbers[~np.isfinite(numbers)][0]}")
            outside = (numbers < a["low"]) | (numbers > a["high"])
            if outside.any():
                warnings.warn(f"attribute {a['name']}={numbers[outside][0]:g} is outside the training range [{a['low']:g}, {a['high']:g}]: "
                              "the generator extrapolates", TsganWarning, stacklevel=4)
            out[a["name"]] = (numbers - a["low"]) / self._span(a) * 2 - 1
        return out

    def _combination(self, row: int, labels, given: dict, class_names) -> str:
        parts = [] if labels is None or not class_names else [f"label={class_names[labels[row]]}"]
        parts += [f"{a['name']}={a['categories'][given[a['name']][row]]}" for a in self.categorical if a["name"] in given]
        return f"the combination {', '.join(parts)}"

    def _known(self, class_names) -> str:
        rows = []
        for cell in self.cells[:10]:
            parts = [f"label={class_names[cell[0]]}"] if class_names else []
            rows.append(", ".join(parts + [f"{a['name']}={a['categories'][c]}" for a, c in zip(self.categorical, cell[1:])]))
        return "; ".join(rows) + (f" ... ({len(self.cells)} in all)" if len(self.cells) > 10 else "")

    # -- persistence ------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"spec": self.spec, "cells": self.cells.tolist(), "counts": self.counts.tolist(), "means": self.means.tolist(),
                "covariances": self.covariances.tolist()}

    @classmethod
    def from_state_dict(cls, state: dict | None) -> "Attributes | None":
        return None if not state else cls(state["spec"], state["cells"], state["counts"], state["means"], state["covariances"])


def _lookup(a: dict) -> dict:
    """A categorical attribute's category -> index, booleans apart from the numbers 0 and 1 (True == 1 in Python)."""
    return {(type(v) is bool, v): i for i, v in enumerate(a["categories"])}


def _plain_value(value):
    """A given category as a plain value (numpy scalars as Python's)."""
    return value.item() if isinstance(value, np.generic) else value


def _in_dtype(values: np.ndarray, a: dict):
    """Sampled categories in the attribute's recorded dtype (a category column with its categories)."""
    if a["dtype"] == "category":
        return pd.Categorical(values, categories=a["categories"])
    try:
        return pd.array(values).astype(a["dtype"]) if a["dtype"] not in ("object",) else values
    except (TypeError, ValueError):
        return values


def _log_density(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Log of the Gaussian density ``N(x | mean, cov)`` for rows ``x`` ``(n, g)``."""
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, (x - mean).T)
    return -0.5 * (z**2).sum(axis=0) - np.log(np.diag(chol)).sum() - 0.5 * len(mean) * np.log(2 * np.pi)


def _conditional(mean: np.ndarray, cov: np.ndarray, seen: list, missing: list, x_seen: np.ndarray):
    """The Gaussian of the ``missing`` dimensions given the ``seen`` ones at ``x_seen`` ``(rows, g)``: per-row means, one covariance."""
    if not seen:
        return np.broadcast_to(mean[missing], (len(x_seen), len(missing))), cov[np.ix_(missing, missing)]
    gain = np.linalg.solve(cov[np.ix_(seen, seen)], cov[np.ix_(seen, missing)]).T  # Sigma_MS Sigma_SS^-1
    means = mean[missing] + (x_seen - mean[seen]) @ gain.T
    return means, cov[np.ix_(missing, missing)] - gain @ cov[np.ix_(seen, missing)]
