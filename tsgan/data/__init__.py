"""Data in and out: the data contract and its readers and writers, the data sets, and scaling.

The data contract: validate arrays ``(n, T, d)`` with optional labels, and convert to and from
pandas long and wide format and every sktime Panel container (``numpy3D``, ``pd-multiindex``, ``nested_univ``,
``df-list``, ...: sktime's converter); load the data
sets bundled with sktime; cut long series into windows.

Formats of a table (a DataFrame, CSV or parquet file):

- **long**: one row per series and time step: ``series_id``, ``time``, optionally ``label`` (constant
  within a series), one column per channel (:func:`from_long`).
- **wide**: one row per time step in time order, one column per channel, a ``series_id`` column (left
  out: the whole table is one series) and optionally ``label``; no time column needed - the time
  stamps are the frame's index when it is not a plain 0, 1, 2, ... range (:func:`from_wide`).

Missing values (NaN) are an error naming the series, time and channel, unless a handling is chosen:
``nan="interpolate"`` (linear in the step position within each series; ends take the nearest value)
or ``nan="mask"`` (interpolate, and add a 0/1 channel ``<channel>_observed`` per channel with gaps,
which the GAN learns like any channel; :meth:`GAN.sample_frame` puts NaN back where a sampled
``_observed`` value is below 0.5).

Categorical channels (a machine state, say: text, whole numbers or booleans) are named with
``categorical=[column, ...]`` (or ``{column: [allowed values]}`` to fix the vocabulary; a pandas
``category`` column is categorical by itself, its categories being the vocabulary). Each becomes
one 0/1 channel per category, ``<column>=<value>``, in the vocabulary's order (sorted when not given);
these channels are not min-max scaled, the generator emits them through a softmax over the group,
samples take the most probable category (argmax), and :meth:`GAN.sample_frame` /
:meth:`GAN.sample_sktime` (pd-multiindex) give the column back with its values and dtype. A missing
value in a categorical column is an error whatever ``nan`` says (categories are not interpolated), and
so is a value outside a given vocabulary.

Per-series attributes (a machine, a site, an ambient temperature: columns constant within each series) are
named with ``attributes=[column, ...]`` in every reader and come as ``Dataset.attributes``, a frame of one
row per sequence (windows keep their series'); text, category and bool columns are categorical, numeric ones
continuous unless ``categorical`` names them. How they are encoded, and their joint distribution with the
label learnt and sampled: :mod:`tsgan.data.attributes`.

Series of unequal length: ``X`` has the longest series' length ``T``; a shorter series is NaN in every
channel beyond its end (:func:`sequence_lengths` gives the lengths back; :attr:`Dataset.lengths`), its
time stamps those of the first longest series. Arrays passed to :meth:`GAN.fit` may be padded so too
(:func:`padded_array`: trailing steps NaN in every channel are padding; any other NaN is an error). How
training masks the padding and samples get lengths: :mod:`tsgan.lengths`. A sampled frame holds each
series' own rows; numpy3D, which has one length, refuses samples of unequal length.

Every check raises :class:`TsganError` with a message that names the problem and the fix, so bad
input never reaches torch.

Modules, each importing only those above it in this list: :mod:`~tsgan.data.checks` (raw input),
:mod:`~tsgan.data.padding` (unequal lengths), :mod:`~tsgan.data.contract` (Dataset, Sequences),
:mod:`~tsgan.data.missing`, :mod:`~tsgan.data.windows`, :mod:`~tsgan.data.categorical`, :mod:`~tsgan.data.attributes`,
:mod:`~tsgan.data.layout` (samples laid out like the data), :mod:`~tsgan.data.assemble`,
:mod:`~tsgan.data.tables` (long and wide), :mod:`~tsgan.data.sktime`, :mod:`~tsgan.data.inputs`,
:mod:`~tsgan.data.waves`, :mod:`~tsgan.data.literature` (Sines, Stocks), :mod:`~tsgan.data.catalogue`
(named data sets); :mod:`~tsgan.data.scaling` (min-max scaling) stands alone.
"""
from .catalogue import SKTIME_SETS, load_dataset, sktime_datasets
from .categorical import CATEGORY, categorical_groups, categorical_vocabularies, harden_categories
from .checks import check_array, encode_labels
from .contract import ID, LABEL, TIME, VALUE, Dataset, Sequences, as_sequences, pad_to
from .inputs import as_dataset
from .layout import frame_like, restore_labels, sktime_like
from .missing import NAN_OPTIONS, OBSERVED
from .padding import padded_array, sequence_lengths
from .sktime import from_sktime, to_sktime
from .tables import FORMATS, from_long, from_wide, read_table, to_long, to_windows, write_table
from .windows import sliding_windows

__all__ = [
    "ID", "TIME", "LABEL", "VALUE", "NAN_OPTIONS", "OBSERVED", "CATEGORY", "FORMATS", "SKTIME_SETS",
    "Dataset", "Sequences", "check_array", "encode_labels", "sequence_lengths", "padded_array", "pad_to", "as_sequences",
    "as_dataset", "categorical_groups", "categorical_vocabularies", "harden_categories", "sliding_windows",
    "from_long", "from_wide", "to_windows", "to_long", "read_table", "write_table", "from_sktime", "to_sktime",
    "frame_like", "sktime_like", "restore_labels", "sktime_datasets", "load_dataset",
]
