"""Data in and out: the data contract, its readers and writers (:mod:`tsgan.data.tables`), the data sets, and scaling."""
from .tables import (CATEGORY, FORMATS, ID, LABEL, NAN_OPTIONS, OBSERVED, SKTIME_SETS, TIME, VALUE, Dataset, Sequences, as_dataset,
                     as_sequences, categorical_groups, categorical_vocabularies, check_array, encode_labels, frame_like, from_long,
                     from_sktime, from_wide, harden_categories, load_dataset, pad_to, padded_array, read_table, restore_labels,
                     sequence_lengths, sktime_datasets, sktime_like, sliding_windows, to_long, to_sktime, to_windows, write_table)

__all__ = [
    "ID", "TIME", "LABEL", "VALUE", "NAN_OPTIONS", "OBSERVED", "CATEGORY", "FORMATS", "SKTIME_SETS",
    "Dataset", "Sequences", "check_array", "encode_labels", "sequence_lengths", "padded_array", "pad_to", "as_sequences",
    "as_dataset", "categorical_groups", "categorical_vocabularies", "harden_categories", "sliding_windows",
    "from_long", "from_wide", "to_windows", "to_long", "read_table", "write_table", "from_sktime", "to_sktime",
    "frame_like", "sktime_like", "restore_labels", "sktime_datasets", "load_dataset",
]
