"""Evaluate synthetic data against the real table.

SDMetrics' reports, correlation and meta-feature distances, ML utility, privacy, and plots.

Example:
    >>> from sdv_attncorr.evaluation import evaluate
    >>> report = evaluate(real, synthetic, metadata, class_column='label')  # doctest: +SKIP
    >>> report.summary()['quality_score']  # doctest: +SKIP
    >>> report.save('report/')  # doctest: +SKIP
"""

from sdv_attncorr.evaluation.evaluate import evaluate
from sdv_attncorr.evaluation.limits import Limits
from sdv_attncorr.evaluation.report import EvaluationReport

__all__ = ('EvaluationReport', 'Limits', 'evaluate')
