"""Sample-quality metrics: ``metric(real, synthetic, ..., seed=0) -> float`` (or a small frozen result),
each deterministic for a seed and leaving global random state alone; each docstring states its protocol.

Inputs are arrays ``(n, T, d)`` (or ``(n, T)`` for one channel); bad shapes, NaN, or sets whose steps or
channels differ raise :class:`tsgan.TsganError`.

- :func:`discriminative_score`: ``|accuracy - 0.5|`` of a post-hoc real-vs-synthetic classifier
  (0 best); ``protocol="timegan"`` (the literature's weak GRU) or ``"tsgan"`` (CNN + GRU, default).
- :func:`predictive_score`: train-on-synthetic, test-on-real next-step prediction error (MAE, lower
  better); ``protocol="timegan"`` (last channel from the others, undefined for one channel) or
  ``"tsgan"`` (every channel, default), optionally tested on held-out real data.
- :func:`classification_scores`: TSTR / TRTS / TRTR accuracies for labelled data
  (:class:`ClassificationScores`).
- :func:`label_fidelity`: fraction of conditional samples a real-data classifier assigns their label.
- :func:`class_share_distance`: how far the classes a real-data classifier assigns samples are from the
  real class shares (0 best; catches a dropped class, also from an unconditional generator).
- :func:`mmd`: squared maximum mean discrepancy, RBF kernel, median-heuristic bandwidth (0 best).
- :func:`parzen_log_likelihood`: Parzen-window log-likelihood of held-out real data (higher better).
- :func:`autocorrelation_distance` (and :func:`autocorrelation` for plots), :func:`marginal_distance`:
  simple statistics (0 best).
- :func:`nearest_neighbour_ratio`: memorisation check (about 1 fine, near 0 copying).

Only the label-aware metrics (classification scores, label fidelity) catch a generator that ignores
its label; real data with shuffled labels passes all the others.
"""
from .classifiers import FittedClassifier, SequenceClassifier
from .discriminative import discriminative_score
from .distances import mmd, nearest_neighbour_ratio
from .labelled import ClassificationScores, class_share_distance, classification_scores, label_fidelity
from .parzen import parzen_log_likelihood
from .predictive import predictive_score
from .statistics import autocorrelation, autocorrelation_distance, marginal_distance

__all__ = [
    "discriminative_score", "predictive_score", "ClassificationScores", "classification_scores", "label_fidelity",
    "class_share_distance", "mmd", "parzen_log_likelihood", "autocorrelation", "autocorrelation_distance", "marginal_distance",
    "nearest_neighbour_ratio", "FittedClassifier", "SequenceClassifier",
]
