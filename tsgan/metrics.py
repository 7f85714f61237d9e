"""``tsgan.metrics``, the metrics' public name: the names of :mod:`tsgan.evaluation.metrics`, the same objects."""
from .evaluation.metrics import *  # noqa: F401,F403
from .evaluation.metrics import __all__  # noqa: F401
