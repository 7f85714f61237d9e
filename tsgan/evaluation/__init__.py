"""Evaluation of generated samples: the sample-quality metrics (:mod:`tsgan.evaluation.metrics`), the
evaluation report (:func:`tsgan.evaluation.report.evaluate`) and its pictures (:mod:`tsgan.evaluation.plots`)."""
