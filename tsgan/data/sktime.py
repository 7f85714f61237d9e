"""sktime's Panel containers read into Datasets and written back: numpy3D and pd-multiindex directly, every
other container (nested_univ - the default of sktime's loaders -, df-list, ...) through sktime's own converter."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TsganError
from .assemble import _assemble
from .checks import _as_array, _label_array, _plain, check_array
from .contract import ID, TIME, VALUE, Dataset
from .tables import _read_frame, to_long

NATIVE = ("numpy3D", "pd-multiindex")  # read and written here; sktime's converter does the others through pd-multiindex


def panel_mtypes() -> list[str]:
    """The names of sktime's Panel containers (its mtype register)."""
    from sktime.datatypes import MTYPE_REGISTER

    return [name for name, scitype, _ in MTYPE_REGISTER if scitype == "Panel"]


def from_sktime(X, y=None, *, nan: str = "raise", window: int | None = None, stride: int = 1, categorical=None,
                attributes: list[str] | None = None) -> Dataset:
    """Read any sktime Panel container (and labels ``y``, one per instance) into a :class:`Dataset`
    ``(X (n, T, d), y, channels)``: ``numpy3D`` ``(n, d, T)``, ``pd-multiindex``, ``nested_univ`` (what
    ``sktime.datasets.load_basic_motions()`` and the other loaders return), ``df-list``, ...; the
    container's kind is recorded, so samples come back in it (:meth:`GAN.sample_sktime`). ``nan``,
    ``window``, ``stride`` and ``categorical`` (not numpy3D) as in :func:`from_long`; every container but
    numpy3D may hold series of unequal length (padded with NaN as :func:`from_long` pads them). In
    numpy3D, which holds equal lengths, a NaN is a missing value, handled as ``nan`` says. ``attributes``: columns
    of the container (not numpy3D) constant within each instance, read as in :func:`from_long`."""
    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        return _from_multiindex(X, y, nan=nan, window=window, stride=stride, categorical=categorical, attributes=attributes)
    if not isinstance(X, (np.ndarray, list, tuple)) or _is_frame_list(X):  # nested_univ, df-list, ...: sktime converts
        kind = _mtype(X)
        data = _from_multiindex(_convert(X, "pd-multiindex", kind), y, nan=nan, window=window, stride=stride, categorical=categorical,
                                attributes=attributes)
        data.layout["kind"] = kind
        return data
    if categorical or attributes:
        what = "categorical channels" if categorical else "attributes"
        raise TsganError(f"a numpy3D array holds numbers only; pass {what} as columns of a pd-multiindex frame")
    given = _as_array(X, "sktime numpy3D data", "pass an array of shape (n, d, T) or a pd-multiindex frame")
    if given.ndim != 3:
        raise TsganError(f"sktime numpy3D data must have shape (n, d, T), got {given.shape}")
    arr = np.transpose(check_array(given, name="sktime numpy3D data", allow_nan=True), (0, 2, 1))
    labels = None if y is None else _label_array(y, len(arr))
    channels = [VALUE] if arr.shape[2] == 1 else [f"channel_{i}" for i in range(arr.shape[2])]
    layout = {"kind": "numpy3D", "dtype": str(given.dtype), "label_dtype": None if labels is None else str(labels.dtype)}
    return _assemble(list(arr), labels, channels, None, lambda i, t: f"sequence {i}" + ("" if t is None else f", step {t}"),
                     layout, nan=nan, window=window, stride=stride)


def _from_multiindex(X: pd.DataFrame, y, **options) -> Dataset:
    if not isinstance(X.index, pd.MultiIndex) or X.index.nlevels != 2:
        raise TsganError("an sktime data frame must be pd-multiindex (instance, time) with one column per channel")
    names = [_plain(n) for n in X.index.names]
    long = X.reset_index(names=["__instance__", "__time__"])
    label_col = None
    if y is not None:
        codes, uniques = pd.factorize(long["__instance__"])
        y = _label_array(y, len(uniques), "instance")
        label_col, long["__label__"] = "__label__", y[codes]
    attributes = options.get("attributes") or []
    data = _read_frame(long, "long", id_col="__instance__", time_col="__time__", label_col=label_col,
                       channels=[c for c in X.columns if c not in attributes], **options)
    data.layout.update(kind="pd-multiindex", index_names=names, id_col=None, time_col=None, label_col=None,
                       columns=[_plain(c) for c in X.columns], label_dtype=None if y is None else str(y.dtype))
    return data


def _is_frame_list(X) -> bool:
    return isinstance(X, list) and bool(X) and all(isinstance(x, pd.DataFrame) for x in X)


def _mtype(X) -> str:
    """The Panel container ``X`` is, as sktime's checks name it."""
    from sktime.datatypes import mtype

    try:
        found = mtype(X, as_scitype="Panel")  # None for None
    except Exception:  # sktime's checks raise TypeError for most objects, others for some
        found = None
    if found is None:
        raise TsganError(f"sktime does not recognise this {type(X).__name__} as a Panel container (a collection of series: "
                         "nested_univ, numpy3D (n, d, T), pd-multiindex (instance, time), df-list, ...); convert it to one of "
                         "them, or pass a numpy array (n, T, d) to fit")
    return found


def _convert(X, kind: str, from_kind: str | None = None):
    """``X`` as sktime's container ``kind``, by sktime's converter."""
    from sktime.datatypes import convert_to

    if kind not in panel_mtypes():
        raise TsganError(f"unknown sktime container '{kind}'; use one of sktime's Panel containers: {', '.join(panel_mtypes())}")
    try:
        return convert_to(X, to_type=kind, as_scitype="Panel")
    except (TypeError, ValueError, NotImplementedError, ImportError, ModuleNotFoundError) as exc:
        raise TsganError(f"sktime cannot convert {from_kind or 'the samples'} to '{kind}' ({str(exc).splitlines()[0][:160]}); "
                         "ask for 'pd-multiindex', 'nested_univ' or 'df-list', which hold series of unequal length too") from None


def from_multiindex(frame: pd.DataFrame, kind: str):
    """A pd-multiindex frame as sktime's container ``kind`` (itself for pd-multiindex)."""
    return frame if kind == "pd-multiindex" else _convert(frame, kind)


def to_sktime(X: np.ndarray, kind: str = "numpy3D", channels: list[str] | None = None):
    """Write ``(n, T, d)`` sequences as sktime ``numpy3D`` ``(n, d, T)``, ``pd-multiindex`` or any other
    Panel container sktime converts to (``nested_univ``, ``df-list``, ...)."""
    X = check_array(X)
    if kind == "numpy3D":
        return np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    return from_multiindex(to_long(X, channels=channels).set_index([ID, TIME]), kind)
