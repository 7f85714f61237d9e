"""The public name of the evaluation report (tsgan.evaluation.report), kept for code written before the move."""
from .evaluation.report import evaluate  # noqa: F401
