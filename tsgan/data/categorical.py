"""Categorical channels: a column of categories read as one 0/1 channel per category; groups, vocabularies, one-hot samples."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TsganError
from .checks import _cell, _check_one_type, _excerpt, _listed

CATEGORY = "="  # one-hot channel of a categorical column: "<column>=<value>"


def _category(value, name):
    """A category as a plain Python value (text, whole number, float or bool; model files are read with weights_only)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    raise TsganError(f"categorical column '{name}' holds {type(value).__name__} {_excerpt(value)}; categories must be text, numbers or booleans")


def _categorical_columns(categorical, dtypes: dict, channels: list) -> dict:
    """``{column: vocabulary or None}`` for the ``categorical`` option (a list of channel columns, or a dict
    column -> allowed values) and the channels of pandas ``category`` dtype (``dtypes``: column -> dtype)."""
    if categorical is None:
        given = {}
    elif isinstance(categorical, dict):
        given = dict(categorical)
    elif isinstance(categorical, (str, bytes)) or not isinstance(categorical, (list, tuple)):
        raise TsganError(f"categorical must be a list of channel columns or a dict column -> categories, got {str(categorical)[:60]!r}")
    else:
        given = dict.fromkeys(categorical)
    chosen = set(channels)
    for col, vocab in given.items():
        if col not in chosen:
            role = "not a column" if col not in dtypes else "not a channel (an id, time or label column, or left out of the channels)"
            raise TsganError(f"categorical column '{col}' is {role}; channels are {_listed(map(str, channels))}")
        if vocab is not None:
            if isinstance(vocab, (str, bytes)) or not isinstance(vocab, (list, tuple)) or not vocab:
                raise TsganError(f"the categories of '{col}' must be a non-empty list of values, got {str(vocab)[:60]!r}")
            vocab = [_category(v, col) for v in vocab]
            if len(set(vocab)) != len(vocab):
                raise TsganError(f"the categories of '{col}' repeat a value: {vocab!r:.80}")
            given[col] = vocab
    for col in channels:  # a pandas category column's categories are its vocabulary, named in the option or not
        if given.get(col) is None and isinstance(dtypes[col], pd.CategoricalDtype):
            given[col] = [_category(v, col) for v in dtypes[col].categories.tolist()]
    return given


def _categorical_channel(column: pd.Series, name, vocab: list | None, ids: pd.Series, stamps: pd.Series | None):
    """A categorical column as 0/1 channels ``(rows, K)``, one per category of the vocabulary (sorted values when None)."""
    missing = column.isna().to_numpy()
    if missing.any():
        raise TsganError(f"categorical column '{name}' has a missing value at {_cell(int(missing.argmax()), ids, stamps)}; categories "
                         "are not interpolated: fill it (e.g. with an 'unknown' category) or drop the series")
    _check_one_type(column, f"categorical column '{name}'")
    values = [_category(v, name) for v in column.tolist()]
    if vocab is None:
        vocab = sorted(set(values))
    lookup = {v: i for i, v in enumerate(vocab)}
    unknown = [i for i, v in enumerate(values) if v not in lookup or isinstance(v, bool) != isinstance(vocab[lookup[v]], bool)]
    if unknown:
        raise TsganError(f"categorical column '{name}' has value {_excerpt(values[unknown[0]])} at {_cell(unknown[0], ids, stamps)}, not one of "
                         f"its categories {vocab!r:.120}; add it to the categories or fix the data")
    return np.eye(len(vocab))[[lookup[v] for v in values]], vocab


def categorical_groups(layout: dict | None, channels: list[str]) -> list[list[int]]:
    """The one-hot channel groups of categorical columns as ``[first channel, number of categories]`` pairs."""
    groups = []
    for entry in (layout or {}).get("categorical", []):
        index = [channels.index(c) for c in entry["channels"]]
        groups.append([index[0], len(index)])
    return groups


def categorical_vocabularies(layout: dict | None) -> dict:
    """``{column: categories}`` of the data's categorical columns, in their channels' order: passed back as
    ``categorical=`` it reads other data into the same channels, even data that lack a category."""
    return {entry["column"]: entry["values"] for entry in (layout or {}).get("categorical", [])}


def harden_categories(X: np.ndarray, groups) -> np.ndarray:
    """Generated category probabilities -> one-hot rows: each group's most probable category gets 1, the others 0."""
    X = np.array(X, copy=True)
    for start, size in groups:
        block = X[..., start:start + size]
        X[..., start:start + size] = np.eye(size, dtype=X.dtype)[block.argmax(axis=-1)]
    return X
