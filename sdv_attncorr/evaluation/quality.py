"""SDMetrics' quality and diagnostic reports, plus Column Pair Trends over all pairs.

SDMetrics 0.32's ``QualityReport`` averages Column Pair Trends only over strongly related pairs
(real correlation above 0.5 or real Cramér's V above 0.3): pairs below those thresholds score
NaN and are left out. The standard report is kept as SDV computes it
(``sdv.evaluation.evaluate_quality``); a second report with both thresholds set to 0 gives the
score over every pair. Each report has its own function, so a caller (the benchmark) runs only
the reports it reads, each against the real rows it chooses.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy.stats import ConstantInputWarning
from sdmetrics.reports import QualityReport
from sdv.evaluation import evaluate_quality, run_diagnostic
from sdv.metadata import Metadata

_PAIR_TRENDS = 'Column Pair Trends'


def _property_score(report, name):
    properties = report.get_properties()
    return float(properties.loc[properties['Property'] == name, 'Score'].iloc[0])


@dataclass
class QualityResult:
    """SDMetrics' reports on one table.

    Args:
        quality_report (sdmetrics.reports.QualityReport):
            The standard quality report, as ``sdv.evaluation.evaluate_quality`` returns it.
        all_pairs_report (sdmetrics.reports.QualityReport):
            The same report with the correlation and association thresholds set to 0.
        diagnostic_report (sdmetrics.reports.DiagnosticReport):
            The diagnostic report.
        table_name (str):
            The table's name in the metadata.
    """

    quality_report: Any
    all_pairs_report: Any
    diagnostic_report: Any
    table_name: str

    def pair_counts(self):
        """Count the column pairs the standard Column Pair Trends score averages.

        Returns:
            tuple[int, int]:
                The pairs above the thresholds, and all scored pairs.
        """
        details = self.quality_report.get_details(_PAIR_TRENDS)
        if details.empty:
            return 0, 0

        counted = details['Meets Threshold?'].astype('boolean').fillna(False)
        return int(counted.sum()), len(details)

    def summary(self):
        """Return the scores as a flat dict.

        Returns:
            dict:
                ``quality_score``, ``column_shapes``, ``column_pair_trends``,
                ``column_pair_trends_all_pairs``, the pair counts and ``diagnostic_score``.
        """
        counted, total = self.pair_counts()
        return {
            'quality_score': float(self.quality_report.get_score()),
            'column_shapes': _property_score(self.quality_report, 'Column Shapes'),
            'column_pair_trends': _property_score(self.quality_report, _PAIR_TRENDS),
            'column_pair_trends_all_pairs': _property_score(self.all_pairs_report, _PAIR_TRENDS),
            'column_pair_trends_pairs_counted': counted,
            'column_pair_trends_pairs_total': total,
            'diagnostic_score': float(self.diagnostic_report.get_score()),
        }


@contextmanager
def _constant_columns_quiet() -> Iterator[None]:
    """Silence scipy's warning on each constant column (SDMetrics scores its pairs NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConstantInputWarning)
        yield


def quality_report(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata) -> Any:
    """Run SDMetrics' standard quality report, as ``sdv.evaluation.evaluate_quality`` does.

    Args:
        real (pandas.DataFrame):
            The real table.
        synthetic (pandas.DataFrame):
            The synthetic table.
        metadata (sdv.metadata.Metadata):
            The single-table metadata.

    Returns:
        sdmetrics.reports.QualityReport:
            The generated report.
    """
    with _constant_columns_quiet():
        return evaluate_quality(real, synthetic, metadata, verbose=False)


def all_pairs_quality_report(
    real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata, table_name: str
) -> Any:
    """Run SDMetrics' quality report with both pair thresholds at 0: every pair counts.

    Args:
        real (pandas.DataFrame):
            The real table.
        synthetic (pandas.DataFrame):
            The synthetic table.
        metadata (sdv.metadata.Metadata):
            The single-table metadata.
        table_name (str):
            The table's name in the metadata.

    Returns:
        sdmetrics.reports.QualityReport:
            The generated report.
    """
    report = QualityReport()
    report.real_correlation_threshold = 0
    report.real_association_threshold = 0
    with _constant_columns_quiet():
        report.generate(
            {table_name: real}, {table_name: synthetic}, metadata.to_dict(), verbose=False
        )
    return report


def diagnostic_report(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata) -> Any:
    """Run SDMetrics' diagnostic report, as ``sdv.evaluation.run_diagnostic`` does.

    Args:
        real (pandas.DataFrame):
            The real table.
        synthetic (pandas.DataFrame):
            The synthetic table.
        metadata (sdv.metadata.Metadata):
            The single-table metadata.

    Returns:
        sdmetrics.reports.DiagnosticReport:
            The generated report.
    """
    with _constant_columns_quiet():
        return run_diagnostic(real, synthetic, metadata, verbose=False)


def run_sdmetrics_reports(
    real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata, table_name: str
) -> QualityResult:
    """Run SDMetrics' quality report (standard and all pairs) and diagnostic report.

    Args:
        real (pandas.DataFrame):
            The real table.
        synthetic (pandas.DataFrame):
            The synthetic table.
        metadata (sdv.metadata.Metadata):
            The single-table metadata.
        table_name (str):
            The table's name in the metadata.

    Returns:
        QualityResult:
            The three reports.
    """
    return QualityResult(
        quality_report=quality_report(real, synthetic, metadata),
        all_pairs_report=all_pairs_quality_report(real, synthetic, metadata, table_name),
        diagnostic_report=diagnostic_report(real, synthetic, metadata),
        table_name=table_name,
    )
