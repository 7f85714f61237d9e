"""The catalogue of named data sets: waves, sines, sktime's bundled sets, and table files (load_dataset)."""
from __future__ import annotations

import pandas as pd

from ..errors import TsganError
from .contract import VALUE, Dataset
from .literature import make_sines
from .sktime import from_sktime
from .tables import from_wide, read_table
from .waves import make_waves

# Data sets bundled with sktime (offline): name -> (loader in sktime.datasets, task, description).
SKTIME_SETS = {
    "acsf1": ("load_acsf1", "classification", "200 x 1460 steps, 1 channel, 10 classes (appliance power draw)"),
    "arrow_head": ("load_arrow_head", "classification", "211 x 251 steps, 1 channel, 3 classes (arrowhead outlines)"),
    "basic_motions": ("load_basic_motions", "classification", "80 x 100 steps, 6 channels, 4 classes (accelerometer, gyroscope)"),
    "gunpoint": ("load_gunpoint", "classification", "200 x 150 steps, 1 channel, 2 classes (hand motion)"),
    "italy_power_demand": ("load_italy_power_demand", "classification", "1096 x 24 steps, 1 channel, 2 classes (daily power demand)"),
    "japanese_vowels": ("load_japanese_vowels", "classification", "640 x 7-29 steps, 12 channels, 9 classes (unequal lengths)"),
    "osuleaf": ("load_osuleaf", "classification", "442 x 427 steps, 1 channel, 6 classes (leaf outlines)"),
    "plaid": ("load_plaid", "classification", "1074 x 100-1344 steps, 1 channel, 11 classes (appliance current; unequal lengths)"),
    "unit_test": ("load_unit_test", "classification", "42 x 24 steps, 1 channel, 2 classes (a slice of Chinatown)"),
    "airline": ("load_airline", "forecasting", "1 series, 144 months, 1 channel (airline passengers 1949-1960; needs --window)"),
    "lynx": ("load_lynx", "forecasting", "1 series, 114 years, 1 channel (lynx trappings; needs --window)"),
    "shampoo_sales": ("load_shampoo_sales", "forecasting", "1 series, 36 months, 1 channel (shampoo sales; needs --window)"),
    "pbs": ("load_PBS_dataset", "forecasting", "1 series, 204 months, 1 channel (Australian prescriptions; needs --window)"),
    "longley": ("load_longley", "forecasting", "1 series, 16 years, 6 channels (US macro-economy; needs --window)"),
    "uschange": ("load_uschange", "forecasting", "1 series, 187 quarters, 5 channels (US consumption, income, ...; needs --window)"),
}


def _set_key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").removesuffix("dataset")


def sktime_datasets() -> list[tuple[str, str, str]]:
    """The sktime data sets ``sktime:NAME`` loads: ``(name, task, description)`` rows."""
    return [(name, task, text) for name, (_, task, text) in SKTIME_SETS.items()]


def _load_sktime(name: str, *, window: int | None = None, stride: int = 1, nan: str = "raise") -> Dataset:
    """A bundled sktime set: classification sets as labelled sequences (pd-multiindex; ``NAME:train`` or
    ``NAME:test`` for one of sktime's splits, both by default), forecasting series as one long unlabelled
    series cut into windows of ``window`` steps."""
    import sktime.datasets as skd

    name, _, split = name.partition(":")
    found = {_set_key(k): k for k in SKTIME_SETS}.get(_set_key(name))
    if found is None:
        raise TsganError(f"sktime has no bundled data set '{name}'; `tsgan data list` names them: {', '.join(SKTIME_SETS)}")
    loader, task, _ = SKTIME_SETS[found]
    if split not in ("", "train", "test") or (split and task != "classification"):
        raise TsganError(f"'sktime:{name}:{split}': a split is 'train' or 'test', and only classification sets have them")
    try:
        loaded = (getattr(skd, loader)(return_type="pd-multiindex", **({"split": split} if split else {}))
                  if task == "classification" else getattr(skd, loader)())
    except Exception as exc:
        raise TsganError(f"could not load sktime data set '{found}': {exc}") from None
    if task == "classification":
        return from_sktime(*loaded, nan=nan, window=window, stride=stride)
    parts = loaded if isinstance(loaded, tuple) else (loaded,)
    frame = pd.concat([p.to_frame() if isinstance(p, pd.Series) else p for p in parts], axis=1)
    if window is None:
        raise TsganError(f"sktime:{found} is one series of {len(frame)} steps; pass --window LENGTH (window=LENGTH in Python) "
                         "to cut it into training windows")
    return from_wide(frame, id_col=None, label_col=None, nan=nan, window=window, stride=stride)


def reads_a_file(spec: str) -> bool:
    """Whether :func:`load_dataset` reads ``spec`` from a CSV/parquet file (not ``waves``, ``sines``, ``sktime:NAME``)."""
    return spec not in ("waves", "sines") and not spec.startswith("sktime:")


def load_dataset(spec: str, *, n: int = 1000, length: int = 30, seed: int = 0, window: int | None = None, stride: int = 1,
                 nan: str = "raise", format: str = "long", **columns) -> Dataset:
    """Resolve a data spec to a :class:`Dataset` ``(X, labels, channels)``: ``waves``, ``sines``
    (TimeGAN's, 10,000 x 24 x 5, unlabelled), ``sktime:NAME`` (see :func:`sktime_datasets`), or a
    CSV/parquet path read by :func:`read_table` with ``format`` and the column ``columns``.
    ``window`` / ``stride`` cut series into windows, ``nan`` handles missing values (:func:`from_long`)."""
    for option, what in (("categorical", "categorical channels"), ("attributes", "series attributes")):
        if columns.get(option) and not reads_a_file(spec):
            raise TsganError(f"{what} are read from tables (CSV/parquet); '{spec}' has none")
    if spec == "waves":
        X, y = make_waves(n, length, seed=seed)
        return Dataset(X, y, [VALUE], {"kind": "array", "label_dtype": str(y.dtype)})
    if spec == "sines":
        X = make_sines(seed=seed)
        return Dataset(X, None, [f"channel_{i}" for i in range(X.shape[2])])
    if spec.startswith("sktime:"):
        return _load_sktime(spec.split(":", 1)[1], window=window, stride=stride, nan=nan)
    return read_table(spec, format=format, nan=nan, window=window, stride=stride, **columns)
